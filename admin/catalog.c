/*
 * catalog.c: loading a directory of versioned JSON files into
 * PostgreSQL, for drio-admin load-templates and load-connectors (see
 * admin/catalog.h).
 *
 * Each file is read, hashed, parsed and checked with the kind's check
 * before the database sees it, then stored in a transaction of its own
 * under an advisory lock, so two loaders running at once store each
 * version once.  A file whose id, version and SHA-256 match the stored
 * row changes nothing; a changed file must raise its version.
 *
 * SPDX-License-Identifier: MIT
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drio.h"
#include "admin/catalog.h"

#define CATALOG_FILES_MAX 1000

/* What storing one file did. */
enum catalog_outcome {
	CATALOG_LOADED,
	CATALOG_UNCHANGED,
	CATALOG_REFUSED
};

/* One file and its kind, through the storing transaction. */
struct catalog_work {
	const struct catalog_kind *kind;
	struct catalog_file *file;
	enum catalog_outcome outcome;
};

static int
name_compare(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
names_free(char **names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/*
 * The *.json names in dir, sorted.  Returns 0 with *names (free with
 * names_free) and *n, or -1 and err.
 */
static int
catalog_names(const char *dir, char ***names, size_t *n, struct error *err)
{
	DIR *d;
	struct dirent *entry;
	char **list;
	size_t count = 0;

	*names = NULL;
	*n = 0;
	if ((d = opendir(dir)) == NULL)
		return error_set(err, ERR_INTERNAL, "cannot read %s: %s", dir,
		    strerror(errno));
	if ((list = calloc(CATALOG_FILES_MAX, sizeof(*list))) == NULL) {
		closedir(d);
		return error_set(err, ERR_INTERNAL, "out of memory");
	}
	while ((entry = readdir(d)) != NULL) {
		size_t len = strlen(entry->d_name);

		if (len <= 5 || entry->d_name[0] == '.' ||
		    strcmp(entry->d_name + len - 5, ".json") != 0)
			continue;
		if (count == CATALOG_FILES_MAX) {
			closedir(d);
			names_free(list, count);
			return error_set(err, ERR_INTERNAL,
			    "more than %d files in %s", CATALOG_FILES_MAX,
			    dir);
		}
		if ((list[count] = strdup(entry->d_name)) == NULL) {
			closedir(d);
			names_free(list, count);
			return error_set(err, ERR_INTERNAL, "out of memory");
		}
		count++;
	}
	closedir(d);
	qsort(list, count, sizeof(*list), name_compare);
	*names = list;
	*n = count;
	return 0;
}

/*
 * Read dir/t->file into t->text and hash it.  Returns 0, or -1 and err
 * (the file's fault, to report as refused).
 */
static int
catalog_read(const char *dir, size_t max, struct catalog_file *t,
    struct error *err)
{
	char path[4096];
	FILE *fp;
	long size;

	snprintf(path, sizeof(path), "%s/%s", dir, t->file);
	if ((fp = fopen(path, "rb")) == NULL)
		return error_set(err, ERR_INTERNAL, "cannot read it: %s",
		    strerror(errno));
	if (fseek(fp, 0, SEEK_END) != 0 || (size = ftell(fp)) < 0 ||
	    fseek(fp, 0, SEEK_SET) != 0) {
		fclose(fp);
		return error_set(err, ERR_INTERNAL, "cannot read it");
	}
	if ((unsigned long)size > max) {
		fclose(fp);
		return error_set(err, ERR_VALIDATION, "it is over %zu bytes",
		    max);
	}
	if ((t->text = malloc((size_t)size + 1)) == NULL ||
	    fread(t->text, 1, (size_t)size, fp) != (size_t)size) {
		fclose(fp);
		return error_set(err, ERR_INTERNAL, "cannot read it");
	}
	fclose(fp);
	t->text[size] = '\0';
	t->len = (size_t)size;
	crypto_sha256_hex(t->text, t->len, t->sha256);
	return 0;
}

/* Parse t->text as one strict JSON value.  Returns 0, or -1 and err. */
static int
catalog_parse(struct catalog_file *t, struct error *err)
{
	struct json_tokener *tok;
	enum json_tokener_error jerr;

	if (strlen(t->text) != t->len)
		return error_set(err, ERR_VALIDATION, "it holds a NUL byte");
	if ((tok = json_tokener_new_ex(JSONUTIL_MAX_DEPTH)) == NULL)
		return error_set(err, ERR_INTERNAL, "out of memory");
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
	    JSON_TOKENER_VALIDATE_UTF8);
	t->doc = json_tokener_parse_ex(tok, t->text, (int)t->len + 1);
	jerr = json_tokener_get_error(tok);
	if (t->doc == NULL || jerr != json_tokener_success) {
		error_set(err, ERR_VALIDATION, "it is not JSON (byte %zu: %s)",
		    json_tokener_get_parse_end(tok),
		    json_tokener_error_desc(jerr));
		json_tokener_free(tok);
		json_object_put(t->doc);
		t->doc = NULL;
		return -1;
	}
	json_tokener_free(tok);
	return 0;
}

static const struct db_statement catalog_lock = {
	"catalog_lock",
	"SELECT pg_advisory_xact_lock(hashtext($1))"
};

/*
 * Store one checked file, or find it stored already: the kind's rules
 * of versions, then its upsert.
 */
static int
catalog_store(void *ctx, struct error *err)
{
	struct catalog_work *w = ctx;
	struct catalog_file *t = w->file;
	const char *lock[] = { w->kind->lock_key };
	long long stored;
	const char *find[] = { t->id };
	PGresult *res;

	w->outcome = CATALOG_LOADED;
	if (db_exec(&catalog_lock, 1, lock, NULL, err) != 0 ||
	    db_exec(w->kind->stored, 1, find, &res, err) != 0)
		return -1;
	if (PQntuples(res) == 1) {
		bool same = strcmp(db_value(res, 0, 1), t->sha256) == 0;

		stored = db_int(res, 0, 0);
		PQclear(res);
		if (t->version == stored && same) {
			w->outcome = CATALOG_UNCHANGED;
			return 0;
		}
		if (t->version == stored) {
			w->outcome = CATALOG_REFUSED;
			return error_set(err, ERR_CONFLICT, "/version: the"
			    " file changed but keeps the loaded version"
			    " %lld; raise it", stored);
		}
		if (t->version < stored) {
			w->outcome = CATALOG_REFUSED;
			return error_set(err, ERR_CONFLICT, "/version: version"
			    " %lld is older than the loaded version %lld",
			    t->version, stored);
		}
	} else {
		PQclear(res);
	}
	if (w->kind->upsert(t, err) != 0)
		return -1;
	w->outcome = CATALOG_LOADED;
	return 0;
}

/* Say why file was refused: "refused FILE: POINTER: MESSAGE". */
static void
print_refused(const char *file, const struct error *err)
{
	json_object *detail = NULL, *loc = NULL;
	const char *pointer = NULL;

	if (json_object_is_type(err->details, json_type_array) &&
	    json_object_array_length(err->details) > 0)
		detail = json_object_array_get_idx(err->details, 0);
	if (detail != NULL && json_object_object_get_ex(detail, "loc", &loc) &&
	    json_object_is_type(loc, json_type_array) &&
	    json_object_array_length(loc) >= 2)
		pointer = json_object_get_string(
		    json_object_array_get_idx(loc, 1));

	if (pointer != NULL)
		printf("refused %s: %s: %s\n", file, pointer, err->message);
	else
		printf("refused %s: %s\n", file, err->message);
}

/*
 * Load one file.  Returns 0 when it was loaded or unchanged, 1 when it
 * was refused (said on stdout), -1 when the database failed (err).
 */
static int
load_one(const struct catalog_kind *kind, const char *dir,
    const char *file, unsigned int flags, struct error *err)
{
	struct catalog_file t = { .file = file };
	struct catalog_work w = { .kind = kind, .file = &t };
	struct error fault = { .code = ERR_NONE };
	int rc = 1;

	snprintf(t.id, sizeof(t.id), "%.*s", (int)(strlen(file) - 5), file);
	if (catalog_read(dir, kind->file_max, &t, &fault) != 0 ||
	    catalog_parse(&t, &fault) != 0 ||
	    kind->check(t.doc, t.id, flags, &fault) != 0) {
		print_refused(file, &fault);
		goto out;
	}
	t.version = json_object_get_int64(json_object_object_get(t.doc,
	    "version"));
	if (db_transaction(DB_READ_COMMITTED, catalog_store, &w,
	    &fault) != 0) {
		if (w.outcome != CATALOG_REFUSED) {
			error_set(err, fault.code, "%s: %s", file,
			    fault.message);
			rc = -1;
			goto out;
		}
		print_refused(file, &fault);
		goto out;
	}
	printf("%s %s (version %lld)\n", w.outcome == CATALOG_LOADED ?
	    "loaded" : "unchanged", t.id, t.version);
	rc = 0;
out:
	error_clear(&fault);
	json_object_put(t.doc);
	free(t.text);
	return rc;
}

int
catalog_load(const struct catalog_kind *kind, const char *dir,
    unsigned int flags)
{
	struct error err = { .code = ERR_NONE };
	char **names = NULL;
	size_t n = 0, i, refused = 0;
	int rc = 1;

	if (catalog_names(dir, &names, &n, &err) != 0) {
		fprintf(stderr, "drio-admin: %s\n", err.message);
		error_clear(&err);
		return 1;
	}
	for (i = 0; i < n; i++) {
		int one = load_one(kind, dir, names[i], flags, &err);

		if (one < 0) {
			fprintf(stderr, "drio-admin: %s\n", err.message);
			goto out;
		}
		if (one > 0)
			refused++;
	}
	if (n == 0)
		printf("no %s in %s\n", kind->plural, dir);
	if (refused > 0)
		fprintf(stderr, "drio-admin: %zu of %zu %s refused\n",
		    refused, n, kind->plural);
	rc = refused > 0 ? 1 : 0;
out:
	error_clear(&err);
	names_free(names, n);
	return rc;
}

/*
 * templates.c: drio-admin load-templates (see admin/templates.h).
 *
 * Each file is read, hashed, parsed and checked with template_check()
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
#include "admin/templates.h"

#define TEMPLATE_FILES_MAX 1000

/* What storing one template did. */
enum template_outcome {
	TEMPLATE_LOADED,
	TEMPLATE_UNCHANGED,
	TEMPLATE_REFUSED
};

/* One template file on its way to the database. */
struct template_file {
	const char *file;          /* the file name */
	char id[64];               /* the file name without .json */
	char *text;                /* its bytes, NUL-terminated */
	size_t len;
	char sha256[CRYPTO_SHA256_HEX_LEN + 1];
	json_object *doc;
	long long version;
	enum template_outcome outcome;
	long long stored_version;  /* the row's before this load, or 0 */
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
template_names(const char *dir, char ***names, size_t *n, struct error *err)
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
	if ((list = calloc(TEMPLATE_FILES_MAX, sizeof(*list))) == NULL) {
		closedir(d);
		return error_set(err, ERR_INTERNAL, "out of memory");
	}
	while ((entry = readdir(d)) != NULL) {
		size_t len = strlen(entry->d_name);

		if (len <= 5 || entry->d_name[0] == '.' ||
		    strcmp(entry->d_name + len - 5, ".json") != 0)
			continue;
		if (count == TEMPLATE_FILES_MAX) {
			closedir(d);
			names_free(list, count);
			return error_set(err, ERR_INTERNAL,
			    "more than %d templates in %s", TEMPLATE_FILES_MAX,
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
template_read(const char *dir, struct template_file *t, struct error *err)
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
	if (size > TEMPLATE_FILE_MAX) {
		fclose(fp);
		return error_set(err, ERR_VALIDATION, "it is over %d bytes",
		    TEMPLATE_FILE_MAX);
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
template_parse(struct template_file *t, struct error *err)
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

static const struct db_statement templates_lock = {
	"templates_lock",
	"SELECT pg_advisory_xact_lock(hashtext('drio-admin load-templates'))"
};

static const struct db_statement template_stored = {
	"template_stored",
	"SELECT version, sha256 FROM templates WHERE id = $1"
};

static const struct db_statement template_upsert = {
	"template_upsert",
	"INSERT INTO templates (id, name, description, category, mode, icon,"
	"       tags, version, definition, sha256, loaded_at)"
	" VALUES ($1, $2, $3, $4, $5, $6,"
	"         ARRAY(SELECT jsonb_array_elements_text($7::jsonb)),"
	"         $8::integer, $9::jsonb, $10, now())"
	" ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name,"
	"       description = EXCLUDED.description,"
	"       category = EXCLUDED.category, mode = EXCLUDED.mode,"
	"       icon = EXCLUDED.icon, tags = EXCLUDED.tags,"
	"       version = EXCLUDED.version,"
	"       definition = EXCLUDED.definition,"
	"       sha256 = EXCLUDED.sha256, loaded_at = now()"
};

/* Store one checked template, or find it stored already. */
static int
template_store(void *ctx, struct error *err)
{
	struct template_file *t = ctx;
	const char *find[] = { t->id };
	char version[24];
	PGresult *res;

	t->stored_version = 0;
	t->outcome = TEMPLATE_LOADED;
	if (db_exec(&templates_lock, 0, NULL, NULL, err) != 0 ||
	    db_exec(&template_stored, 1, find, &res, err) != 0)
		return -1;
	if (PQntuples(res) == 1) {
		bool same = strcmp(db_value(res, 0, 1), t->sha256) == 0;

		t->stored_version = db_int(res, 0, 0);
		PQclear(res);
		if (t->version == t->stored_version && same) {
			t->outcome = TEMPLATE_UNCHANGED;
			return 0;
		}
		if (t->version == t->stored_version) {
			t->outcome = TEMPLATE_REFUSED;
			return error_set(err, ERR_CONFLICT, "/version: the"
			    " file changed but keeps the loaded version"
			    " %lld; raise it", t->stored_version);
		}
		if (t->version < t->stored_version) {
			t->outcome = TEMPLATE_REFUSED;
			return error_set(err, ERR_CONFLICT, "/version: version"
			    " %lld is older than the loaded version %lld",
			    t->version, t->stored_version);
		}
	} else {
		PQclear(res);
	}
	snprintf(version, sizeof(version), "%lld", t->version);
	{
		const char *params[] = { t->id,
		    json_get_string(t->doc, "name"),
		    json_get_string(t->doc, "description"),
		    json_get_string(t->doc, "category"),
		    json_get_string(t->doc, "mode"),
		    json_get_string(t->doc, "icon"),
		    json_text(json_get_array(t->doc, "tags")),
		    version, t->text, t->sha256 };

		if (db_exec(&template_upsert, 10, params, NULL, err) != 0)
			return -1;
	}
	t->outcome = TEMPLATE_LOADED;
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
load_one(const char *dir, const char *file, struct error *err)
{
	struct template_file t = { .file = file };
	struct error fault = { .code = ERR_NONE };
	int rc = 1;

	snprintf(t.id, sizeof(t.id), "%.*s", (int)(strlen(file) - 5), file);
	if (template_read(dir, &t, &fault) != 0 ||
	    template_parse(&t, &fault) != 0 ||
	    template_check(t.doc, t.id, &fault) != 0) {
		print_refused(file, &fault);
		goto out;
	}
	t.version = json_object_get_int64(json_object_object_get(t.doc,
	    "version"));
	if (db_transaction(DB_READ_COMMITTED, template_store, &t,
	    &fault) != 0) {
		if (t.outcome != TEMPLATE_REFUSED) {
			error_set(err, fault.code, "%s: %s", file,
			    fault.message);
			rc = -1;
			goto out;
		}
		print_refused(file, &fault);
		goto out;
	}
	printf("%s %s (version %lld)\n", t.outcome == TEMPLATE_LOADED ?
	    "loaded" : "unchanged", t.id, t.version);
	rc = 0;
out:
	error_clear(&fault);
	json_object_put(t.doc);
	free(t.text);
	return rc;
}

int
admin_load_templates(const struct config *cfg, struct error *err)
{
	char **names = NULL;
	size_t n = 0, i, refused = 0;
	int rc = 1;

	if (template_names(cfg->templates_dir, &names, &n, err) != 0) {
		fprintf(stderr, "drio-admin: %s\n", err->message);
		return 1;
	}
	for (i = 0; i < n; i++) {
		int one = load_one(cfg->templates_dir, names[i], err);

		if (one < 0) {
			fprintf(stderr, "drio-admin: %s\n", err->message);
			goto out;
		}
		if (one > 0)
			refused++;
	}
	if (n == 0)
		printf("no templates in %s\n", cfg->templates_dir);
	if (refused > 0)
		fprintf(stderr, "drio-admin: %zu of %zu templates refused\n",
		    refused, n);
	rc = refused > 0 ? 1 : 0;
out:
	names_free(names, n);
	return rc;
}

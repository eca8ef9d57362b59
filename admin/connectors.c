/*
 * connectors.c: drio-admin load-connectors (see admin/connectors.h).
 *
 * Each file is read, hashed, parsed and checked with connector_check()
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
#include "admin/connectors.h"

#define CONNECTOR_FILES_MAX 1000

/* What storing one connector did. */
enum connector_outcome {
	CONNECTOR_LOADED,
	CONNECTOR_UNCHANGED,
	CONNECTOR_REFUSED
};

/* One manifest file on its way to the database. */
struct connector_file {
	const char *file;          /* the file name */
	char id[64];               /* the file name without .json */
	char *text;                /* its bytes, NUL-terminated */
	size_t len;
	char sha256[CRYPTO_SHA256_HEX_LEN + 1];
	json_object *doc;
	long long version;
	enum connector_outcome outcome;
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
connector_names(const char *dir, char ***names, size_t *n, struct error *err)
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
	if ((list = calloc(CONNECTOR_FILES_MAX, sizeof(*list))) == NULL) {
		closedir(d);
		return error_set(err, ERR_INTERNAL, "out of memory");
	}
	while ((entry = readdir(d)) != NULL) {
		size_t len = strlen(entry->d_name);

		if (len <= 5 || entry->d_name[0] == '.' ||
		    strcmp(entry->d_name + len - 5, ".json") != 0)
			continue;
		if (count == CONNECTOR_FILES_MAX) {
			closedir(d);
			names_free(list, count);
			return error_set(err, ERR_INTERNAL,
			    "more than %d connectors in %s", CONNECTOR_FILES_MAX,
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
connector_read(const char *dir, struct connector_file *t, struct error *err)
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
	if (size > CONNECTOR_FILE_MAX) {
		fclose(fp);
		return error_set(err, ERR_VALIDATION, "it is over %d bytes",
		    CONNECTOR_FILE_MAX);
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
connector_parse(struct connector_file *t, struct error *err)
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

static const struct db_statement connectors_lock = {
	"connectors_lock",
	"SELECT pg_advisory_xact_lock(hashtext('drio-admin load-connectors'))"
};

static const struct db_statement connector_stored = {
	"connector_stored",
	"SELECT version, sha256 FROM connectors WHERE id = $1"
};

static const struct db_statement connector_upsert = {
	"connector_upsert",
	"INSERT INTO connectors (id, version, name, description, category,"
	"       auth_mode, brand_logo, brand_color, manifest, sha256,"
	"       loaded_at)"
	" VALUES ($1, $2::integer, $3, $4, $5, $6, $7, $8, $9::jsonb, $10,"
	"         now())"
	" ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version,"
	"       name = EXCLUDED.name, description = EXCLUDED.description,"
	"       category = EXCLUDED.category,"
	"       auth_mode = EXCLUDED.auth_mode,"
	"       brand_logo = EXCLUDED.brand_logo,"
	"       brand_color = EXCLUDED.brand_color,"
	"       manifest = EXCLUDED.manifest,"
	"       sha256 = EXCLUDED.sha256, loaded_at = now()"
};

/* Store one checked manifest, or find it stored already. */
static int
connector_store(void *ctx, struct error *err)
{
	struct connector_file *t = ctx;
	const char *find[] = { t->id };
	char version[24];
	PGresult *res;

	t->stored_version = 0;
	t->outcome = CONNECTOR_LOADED;
	if (db_exec(&connectors_lock, 0, NULL, NULL, err) != 0 ||
	    db_exec(&connector_stored, 1, find, &res, err) != 0)
		return -1;
	if (PQntuples(res) == 1) {
		bool same = strcmp(db_value(res, 0, 1), t->sha256) == 0;

		t->stored_version = db_int(res, 0, 0);
		PQclear(res);
		if (t->version == t->stored_version && same) {
			t->outcome = CONNECTOR_UNCHANGED;
			return 0;
		}
		if (t->version == t->stored_version) {
			t->outcome = CONNECTOR_REFUSED;
			return error_set(err, ERR_CONFLICT, "/version: the"
			    " file changed but keeps the loaded version"
			    " %lld; raise it", t->stored_version);
		}
		if (t->version < t->stored_version) {
			t->outcome = CONNECTOR_REFUSED;
			return error_set(err, ERR_CONFLICT, "/version: version"
			    " %lld is older than the loaded version %lld",
			    t->version, t->stored_version);
		}
	} else {
		PQclear(res);
	}
	snprintf(version, sizeof(version), "%lld", t->version);
	{
		const char *params[] = { t->id, version,
		    json_get_string(t->doc, "name"),
		    json_get_string(t->doc, "description"),
		    json_get_string(t->doc, "category"),
		    json_get_string(t->doc, "auth_mode"),
		    json_get_string(t->doc, "brand_logo"),
		    json_get_string(t->doc, "brand_color"),
		    t->text, t->sha256 };

		if (db_exec(&connector_upsert, 10, params, NULL, err) != 0)
			return -1;
	}
	t->outcome = CONNECTOR_LOADED;
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
load_one(const char *dir, const char *file, unsigned int flags,
    struct error *err)
{
	struct connector_file t = { .file = file };
	struct error fault = { .code = ERR_NONE };
	int rc = 1;

	snprintf(t.id, sizeof(t.id), "%.*s", (int)(strlen(file) - 5), file);
	if (connector_read(dir, &t, &fault) != 0 ||
	    connector_parse(&t, &fault) != 0 ||
	    connector_check_with(t.doc, t.id, flags, &fault) != 0) {
		print_refused(file, &fault);
		goto out;
	}
	t.version = json_object_get_int64(json_object_object_get(t.doc,
	    "version"));
	if (db_transaction(DB_READ_COMMITTED, connector_store, &t,
	    &fault) != 0) {
		if (t.outcome != CONNECTOR_REFUSED) {
			error_set(err, fault.code, "%s: %s", file,
			    fault.message);
			rc = -1;
			goto out;
		}
		print_refused(file, &fault);
		goto out;
	}
	printf("%s %s (version %lld)\n", t.outcome == CONNECTOR_LOADED ?
	    "loaded" : "unchanged", t.id, t.version);
	rc = 0;
out:
	error_clear(&fault);
	json_object_put(t.doc);
	free(t.text);
	return rc;
}

int
admin_load_connectors(const struct config *cfg, int argc, char **argv,
    struct error *err)
{
	char **names = NULL;
	size_t n = 0, i, refused = 0;
	unsigned int flags = 0;
	int rc = 1;

	if (argc == 2 && strcmp(argv[1], "--allow-http") == 0) {
		flags |= CONNECTOR_ALLOW_HTTP;
	} else if (argc != 1) {
		fprintf(stderr, "usage: drio-admin load-connectors"
		    " [--allow-http]\n");
		return 2;
	}

	if (connector_names(cfg->connectors_dir, &names, &n, err) != 0) {
		fprintf(stderr, "drio-admin: %s\n", err->message);
		return 1;
	}
	for (i = 0; i < n; i++) {
		int one = load_one(cfg->connectors_dir, names[i], flags,
		    err);

		if (one < 0) {
			fprintf(stderr, "drio-admin: %s\n", err->message);
			goto out;
		}
		if (one > 0)
			refused++;
	}
	if (n == 0)
		printf("no connectors in %s\n", cfg->connectors_dir);
	if (refused > 0)
		fprintf(stderr, "drio-admin: %zu of %zu connectors refused\n",
		    refused, n);
	rc = refused > 0 ? 1 : 0;
out:
	names_free(names, n);
	return rc;
}

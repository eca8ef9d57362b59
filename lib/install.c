/*
 * install.c: installing connectors and the workspace integrations that
 * installing makes (see install.h).  The plain secret values only ever
 * live in json-c objects and vault buffers of this file: SQL sees their
 * sealed bytes, replies and errors see the names of the fields set.
 *
 * SPDX-License-Identifier: MIT
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "connector.h"
#include "crypto.h"
#include "db.h"
#include "install.h"
#include "installsync.h"
#include "jsonutil.h"
#include "page.h"
#include "sealed.h"

#define STATE_BYTES 32           /* random bytes of a state and a verifier */
#define NAME_SUFFIX_MAX 100      /* " 2" .. " 100" for a defaulted name */
#define NAME_BASE_BYTES 250      /* bytes of a name kept before a suffix */

const char *const install_statuses[] = {
	"connected", "pending_oauth", "pending_mcp_oauth", "error", "disabled",
	NULL
};

/* ---------------------------------------------------------------- */
/* Pure helpers                                                     */

/* prefix, workspace_id, ":", integration_id into aad, lower case. */
static void
make_aad(const char *prefix, const char *workspace_id,
    const char *integration_id, char aad[INSTALL_AAD_MAX])
{
	size_t i;

	snprintf(aad, INSTALL_AAD_MAX, "%s%.36s:%.36s", prefix, workspace_id,
	    integration_id);
	for (i = strlen(prefix); aad[i] != '\0'; i++)
		aad[i] = (char)tolower((unsigned char)aad[i]);
}

void
install_secret_aad(const char *workspace_id, const char *integration_id,
    char aad[INSTALL_AAD_MAX])
{
	make_aad(INSTALL_SECRET_AAD_PREFIX, workspace_id, integration_id, aad);
}

void
install_verifier_aad(const char *workspace_id, const char *integration_id,
    char aad[INSTALL_AAD_MAX])
{
	make_aad(INSTALL_VERIFIER_AAD_PREFIX, workspace_id, integration_id,
	    aad);
}

void
install_pkce_challenge(const char *verifier, char challenge[44])
{
	unsigned char digest[32];
	unsigned int len = 0;

	EVP_Digest(verifier, strlen(verifier), digest, &len, EVP_sha256(),
	    NULL);
	crypto_base64url_encode(digest, sizeof(digest), challenge);
}

/* Write s to f percent-encoded (all but A-Z a-z 0-9 - . _ ~). */
static void
put_encoded(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~')
			fputc(c, f);
		else
			fprintf(f, "%%%02X", c);
	}
}

/*
 * Start parameter name in f: the separator *sep says ('?' for the first
 * of a URL without a query, nothing after a trailing '?' or '&', '&'
 * otherwise), then "name=".  Can't fail (f records errors).
 */
static void
put_name(FILE *f, char *sep, const char *name)
{
	if (*sep != '\0')
		fputc(*sep, f);
	*sep = '&';
	fprintf(f, "%s=", name);
}

/* Write parameter name with value percent-encoded.  Can't fail. */
static void
put_param(FILE *f, char *sep, const char *name, const char *value)
{
	put_name(f, sep, name);
	put_encoded(f, value);
}

int
install_authorize_url(const struct install_authorize *a, char **url,
    struct error *err)
{
	char *text = NULL, sep, last;
	size_t len;
	FILE *f;

	*url = NULL;
	if (a->authorize_url == NULL || a->authorize_url[0] == '\0')
		return error_set(err, ERR_INTERNAL, "no authorization"
		    " endpoint");
	last = a->authorize_url[strlen(a->authorize_url) - 1];
	if (strchr(a->authorize_url, '?') == NULL)
		sep = '?';
	else
		sep = last == '?' || last == '&' ? '\0' : '&';
	f = open_memstream(&text, &len);
	if (f == NULL)
		return error_set(err, ERR_INTERNAL, "out of memory");
	fputs(a->authorize_url, f);
	put_param(f, &sep, "response_type", "code");
	put_param(f, &sep, "client_id", a->client_id);
	put_param(f, &sep, "redirect_uri", a->redirect_uri);
	if (a->scope != NULL)
		put_param(f, &sep, "scope", a->scope);
	put_param(f, &sep, "state", a->state);
	if (a->code_challenge != NULL) {
		put_param(f, &sep, "code_challenge", a->code_challenge);
		put_param(f, &sep, "code_challenge_method", "S256");
	}
	if (a->resource != NULL)
		put_param(f, &sep, "resource", a->resource);
	if (ferror(f) != 0) {
		fclose(f);
		free(text);
		return error_set(err, ERR_INTERNAL, "out of memory");
	}
	if (fclose(f) != 0) {
		free(text);
		return error_set(err, ERR_INTERNAL, "out of memory");
	}
	*url = text;
	return 0;
}

int
install_oauth_url(json_object *manifest, const char *client_id,
    const char *redirect_uri, const char *state, const char *code_challenge,
    char **url, struct error *err)
{
	json_object *oauth = json_get_object(manifest, "oauth");
	json_object *scopes = json_get_array(oauth, "scopes");
	const char *separator = json_get_string(oauth, "scope_separator");
	struct install_authorize a = {
		.authorize_url = json_get_string(oauth, "authorize_url"),
		.client_id = client_id,
		.redirect_uri = redirect_uri,
		.state = state,
		.code_challenge = json_get_true(oauth, "pkce") ?
		    code_challenge : NULL,
	};
	char *scope = NULL;
	size_t len, i, n;
	FILE *f;
	int rc;

	*url = NULL;
	if (a.authorize_url == NULL || scopes == NULL)
		return error_set(err, ERR_INTERNAL, "the connector has no"
		    " oauth block");
	if (separator == NULL)
		separator = " ";
	f = open_memstream(&scope, &len);
	if (f == NULL)
		return error_set(err, ERR_INTERNAL, "out of memory");
	n = json_object_array_length(scopes);
	for (i = 0; i < n; i++) {
		if (i > 0)
			fputs(separator, f);
		fputs(json_object_get_string(
		    json_object_array_get_idx(scopes, i)), f);
	}
	if (ferror(f) != 0) {
		fclose(f);
		free(scope);
		return error_set(err, ERR_INTERNAL, "out of memory");
	}
	if (fclose(f) != 0) {
		free(scope);
		return error_set(err, ERR_INTERNAL, "out of memory");
	}
	a.scope = scope;
	rc = install_authorize_url(&a, url, err);
	free(scope);
	return rc;
}

/* The manifest's declared field named key, or NULL. */
static json_object *
manifest_field(json_object *manifest, const char *key)
{
	json_object *fields = json_get_array(manifest, "fields");
	size_t i, n = fields != NULL ? json_object_array_length(fields) : 0;

	for (i = 0; i < n; i++) {
		json_object *field = json_object_array_get_idx(fields, i);
		const char *k = json_get_string(field, "key");

		if (k != NULL && strcmp(k, key) == 0)
			return field;
	}
	return NULL;
}

/* Is key a secret field of manifest?  Can't fail. */
static bool
field_is_secret(json_object *manifest, const char *key)
{
	return json_get_true(manifest_field(manifest, key), "secret");
}

/*
 * The kind of integration a manifest makes: "mcp_server" when its
 * operations come from an MCP server, "openapi" from an OpenAPI
 * document, "http" otherwise.  Can't fail.
 */
static const char *
manifest_kind(json_object *manifest)
{
	if (json_get_object(manifest, "mcp") != NULL)
		return "mcp_server";
	if (json_get_object(manifest, "openapi") != NULL)
		return "openapi";
	return "http";
}

/* ---------------------------------------------------------------- */
/* Sealing                                                          */

/* The keys of obj as a JSON array.  Returns a new array. */
static json_object *
keys_of(json_object *obj)
{
	json_object *keys = json_object_new_array();

	json_object_object_foreach(obj, key, value) {
		(void)value;
		json_object_array_add(keys, json_object_new_string(key));
	}
	return keys;
}

/* ---------------------------------------------------------------- */
/* Installing                                                       */

static const struct db_statement install_new_id = {
	"install_new_id",
	"SELECT gen_random_uuid()"
};

static const struct db_statement install_crew_lock = {
	"install_crew_lock",
	"SELECT id FROM crews WHERE workspace_id = $1 AND id = $2 FOR SHARE"
};

static const struct db_statement install_insert = {
	"install_insert",
	"INSERT INTO workspace_integrations (id, workspace_id, crew_id,"
	"       connector_id, connector_version, name, kind, auth_mode, url,"
	"       status, fields, secret, secret_fields, created_by,"
	"       catalog, catalog_at)"
	" VALUES ($1, $2, $3, $4, $5::integer, $6, $7, $8, $9, $10,"
	"         $11::jsonb, $12::bytea,"
	"         ARRAY(SELECT k FROM jsonb_array_elements_text($13::jsonb) k"
	"               ORDER BY k),"
	"         $14, coalesce($15::jsonb, '[]'),"
	"         CASE WHEN $15::jsonb IS NOT NULL THEN now() END)"
	" ON CONFLICT (workspace_id, name) DO NOTHING"
	" RETURNING id"
};

static const struct db_statement install_state_insert = {
	"install_state_insert",
	"INSERT INTO integration_oauth_states (state_hash, integration_id,"
	"       account_id, code_verifier, redirect_uri, expires_at)"
	" VALUES ($1, $2, $3, $4::bytea, $5,"
	"         now() + make_interval(secs => $6::integer))"
};

/*
 * Expired states go when a new one comes: an abandoned authorization
 * leaves its row behind, and new ones are rare enough that the index on
 * expires_at makes this cheap.
 */
static const struct db_statement install_state_sweep = {
	"install_state_sweep",
	"DELETE FROM integration_oauth_states WHERE expires_at < now()"
};

void
install_oauth_start_free(struct install_oauth_start *s)
{
	if (s == NULL)
		return;
	free(s->verifier_bytea);
	explicit_bzero(s, sizeof(*s));
}

int
install_oauth_begin(struct vault *v, const char *workspace_id,
    const char *integration_id, struct install_oauth_start *out,
    struct error *err)
{
	char verifier[INSTALL_STATE_TEXT_MAX], aad[INSTALL_AAD_MAX];
	unsigned char *sealed = NULL;
	size_t sealed_len;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (v == NULL)
		return error_set(err, ERR_INTERNAL, "no vault to seal a"
		    " secret with");
	if (crypto_random_urlsafe(out->state, sizeof(out->state), STATE_BYTES,
	    err) != 0 ||
	    crypto_random_urlsafe(verifier, sizeof(verifier), STATE_BYTES,
	    err) != 0)
		goto out;
	crypto_sha256_hex(out->state, strlen(out->state), out->hash);
	install_pkce_challenge(verifier, out->challenge);
	install_verifier_aad(workspace_id, integration_id, aad);
	if (vault_seal(v, aad, verifier, strlen(verifier), &sealed,
	    &sealed_len, err) != 0)
		goto out;
	out->verifier_bytea = db_bytea_text(sealed, sealed_len, err);
	if (out->verifier_bytea == NULL)
		goto out;
	rc = 0;
out:
	free(sealed);
	explicit_bzero(verifier, sizeof(verifier));
	if (rc != 0)
		install_oauth_start_free(out);
	return rc;
}

int
install_oauth_state_store(const struct install_oauth_start *s,
    const char *integration_id, const char *account_id,
    const char *redirect_uri, struct error *err)
{
	char seconds[16];
	const char *params[] = { s->hash, integration_id, account_id,
	    s->verifier_bytea, redirect_uri, seconds };

	snprintf(seconds, sizeof(seconds), "%d", INSTALL_OAUTH_STATE_SECONDS);
	if (db_exec(&install_state_sweep, 0, NULL, NULL, err) != 0)
		return -1;
	return db_exec(&install_state_insert, 6, params, NULL, err);
}

/* Everything an install writes, made before its transaction. */
struct install_work {
	const struct install_request *r;
	const char *name;             /* as given, or the manifest's */
	bool name_given;
	const char *version;
	const char *kind;
	const char *auth_mode;
	const char *url;
	const char *status;
	const char *fields;           /* JSON text of the plain values */
	const char *secret;           /* bytea text, or NULL */
	const char *secret_fields;    /* JSON array text */
	const char *catalog;          /* JSON text, or NULL: none yet */
	const struct install_oauth_start *oauth;  /* byo_oauth only */
	const char *redirect_uri;
	char id[AUTH_UUID_LEN + 1];
};

/* Set err to ERR_NAME_TAKEN for name.  Returns -1. */
static int
name_taken(struct error *err, const char *name)
{
	error_set(err, ERR_NAME_TAKEN, "The workspace already has an"
	    " integration named '%.200s'.", name);
	error_hint(err, "Choose another name.");
	error_add_detail(err, "body", "name", "Must be unique in the"
	    " workspace", "name_taken");
	return -1;
}

/*
 * The name to try at attempt n (1: the name itself, then " 2", " 3"...)
 * into buf.  Cuts the base at a character boundary so the result stays
 * within INSTALL_NAME_MAX characters.  Can't fail.
 */
static void
name_attempt(const char *name, int n, char *buf, size_t size)
{
	size_t len = strlen(name);

	if (n == 1) {
		snprintf(buf, size, "%s", name);
		return;
	}
	if (len > NAME_BASE_BYTES) {
		len = NAME_BASE_BYTES;
		while (len > 0 && ((unsigned char)name[len] & 0xC0) == 0x80)
			len--;
	}
	snprintf(buf, size, "%.*s %d", (int)len, name, n);
}

/* The body of an install's transaction; may run more than once. */
static int
install_transaction(void *ctx, struct error *err)
{
	struct install_work *w = ctx;
	const struct install_request *r = w->r;
	char name[1024];
	PGresult *res;
	int n, rows;

	if (r->crew_id != NULL) {
		const char *params[] = { r->workspace_id, r->crew_id };

		if (db_exec(&install_crew_lock, 2, params, &res, err) != 0)
			return -1;
		rows = PQntuples(res);
		PQclear(res);
		if (rows != 1) {
			error_set(err, ERR_CREW_NOT_FOUND, NULL);
			error_add_detail(err, "body", "crew_id", "No such crew"
			    " in the workspace", "crew_not_found");
			return -1;
		}
	}
	for (n = 1; n <= NAME_SUFFIX_MAX; n++) {
		name_attempt(w->name, n, name, sizeof(name));
		{
			const char *params[] = { w->id, r->workspace_id,
			    r->crew_id, r->connector_id, w->version, name,
			    w->kind, w->auth_mode, w->url, w->status,
			    w->fields, w->secret, w->secret_fields,
			    r->account_id, w->catalog };

			if (db_exec(&install_insert, 15, params, &res,
			    err) != 0)
				return -1;
		}
		rows = PQntuples(res);
		PQclear(res);
		if (rows == 1)
			break;
		if (w->name_given)
			return name_taken(err, w->name);
	}
	if (n > NAME_SUFFIX_MAX)
		return name_taken(err, w->name);
	if (w->oauth != NULL && install_oauth_state_store(w->oauth, w->id,
	    r->account_id, w->redirect_uri, err) != 0)
		return -1;
	return 0;
}

int
install_connector(struct vault *v, const struct install_request *r,
    struct install_result *out, struct error *err)
{
	struct install_work w = { .r = r };
	json_object *manifest = NULL, *plain = NULL, *secret = NULL;
	json_object *names = NULL;
	struct install_oauth_start oauth = { 0 };
	json_object *document, *catalog = NULL;
	char base_url[INSTALLSYNC_URL_MAX];
	char *secret_bytea = NULL, *redirect = NULL;
	char version[24], aad[INSTALL_AAD_MAX];
	PGresult *res;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (connector_get(r->connector_id, &manifest, err) != 0 ||
	    connector_fields_check(manifest, r->fields, err) != 0)
		goto out;

	/* Split the values into the plain ones and the sealed ones. */
	plain = json_object_new_object();
	secret = json_object_new_object();
	if (r->fields != NULL) {
		json_object_object_foreach(r->fields, key, value) {
			json_object_object_add(field_is_secret(manifest, key) ?
			    secret : plain, key, json_object_get(value));
		}
	}

	w.name_given = r->name != NULL;
	w.name = r->name != NULL ? r->name : json_get_string(manifest, "name");
	snprintf(version, sizeof(version), "%d", json_object_get_int(
	    json_object_object_get(manifest, "version")));
	w.version = version;
	w.kind = manifest_kind(manifest);
	w.auth_mode = json_get_string(manifest, "auth_mode");
	/*
	 * The MCP server's URL; an inline OpenAPI document gives its
	 * catalog and base URL at once, by the rules sync applies
	 * (lib/installsync).  A document fetched by URL waits for sync:
	 * install makes no outbound call.
	 */
	w.url = json_get_string(json_get_object(manifest, "mcp"),
	    "server_url");
	document = json_get_object(json_get_object(manifest, "openapi"),
	    "document");
	if (document != NULL) {
		if (installsync_openapi_operations(document, &catalog,
		    base_url, NULL, err) != 0)
			goto out;
		w.catalog = json_text(catalog);
		if (base_url[0] != '\0')
			w.url = base_url;
	}
	w.fields = json_text(plain);
	if (w.name == NULL || w.auth_mode == NULL) {
		error_set(err, ERR_INTERNAL, "a stored manifest lacks its"
		    " name or auth_mode");
		goto out;
	}
	if (strcmp(w.auth_mode, "byo_oauth") == 0)
		w.status = "pending_oauth", out->next_step = "oauth";
	else if (strcmp(w.auth_mode, "mcp_oauth") == 0)
		w.status = "pending_mcp_oauth", out->next_step = "mcp_oauth";
	else
		w.status = "connected", out->next_step = "";

	if (db_exec(&install_new_id, 0, NULL, &res, err) != 0)
		goto out;
	snprintf(w.id, sizeof(w.id), "%s", db_value(res, 0, 0));
	PQclear(res);

	names = keys_of(secret);
	w.secret_fields = json_text(names);
	if (json_object_object_length(secret) > 0) {
		install_secret_aad(r->workspace_id, w.id, aad);
		if (sealed_json_seal(v, aad, secret, &secret_bytea, err) != 0)
			goto out;
		w.secret = secret_bytea;
	}

	if (strcmp(w.auth_mode, "byo_oauth") == 0) {
		if (install_oauth_begin(v, r->workspace_id, w.id, &oauth,
		    err) != 0)
			goto out;
		if (asprintf(&redirect, "%s%s", r->public_url != NULL ?
		    r->public_url : "", INSTALL_OAUTH_CALLBACK_PATH) < 0) {
			redirect = NULL;
			error_set(err, ERR_INTERNAL, "out of memory");
			goto out;
		}
		w.oauth = &oauth;
		w.redirect_uri = redirect;
		if (install_oauth_url(manifest, json_get_string(plain,
		    "client_id") != NULL ? json_get_string(plain, "client_id") :
		    "", redirect, oauth.state, oauth.challenge, &out->oauth_url,
		    err) != 0)
			goto out;
	}

	if (db_transaction(DB_READ_COMMITTED, install_transaction, &w,
	    err) != 0)
		goto out;
	memcpy(out->integration_id, w.id, sizeof(out->integration_id));
	rc = 0;
out:
	if (rc != 0)
		install_result_free(out);
	install_oauth_start_free(&oauth);
	json_object_put(catalog);
	free(secret_bytea);
	free(redirect);
	json_object_put(names);
	json_object_put(secret);
	json_object_put(plain);
	json_object_put(manifest);
	return rc;
}

void
install_result_free(struct install_result *out)
{
	if (out == NULL)
		return;
	free(out->oauth_url);
	memset(out, 0, sizeof(*out));
}

/* ---------------------------------------------------------------- */
/* Reading                                                          */

/* The columns of an integration, in the order install_from_row() reads. */
#define INSTALL_COLUMNS                                                \
	"w.id, w.workspace_id, w.crew_id, w.connector_id,"             \
	" w.connector_version, w.name, w.kind, w.auth_mode, w.url,"    \
	" w.status, w.status_message, w.fields, to_jsonb(w.secret_fields),"\
	" w.oauth, jsonb_array_length(w.catalog), w.created_by,"       \
	" drio_rfc3339(w.created_at), drio_rfc3339(w.updated_at)"

/* An integration from columns 0 to 17 of row.  Returns a new object. */
static json_object *
install_from_row(const PGresult *res, int row)
{
	json_object *o = json_object_new_object();

	json_put_string(o, "id", db_value(res, row, 0));
	json_put_string(o, "workspace_id", db_value(res, row, 1));
	json_put_string(o, "crew_id", db_value(res, row, 2));
	json_put_string(o, "connector_id", db_value(res, row, 3));
	if (db_value(res, row, 4) == NULL)
		json_object_object_add(o, "connector_version", NULL);
	else
		json_put_int(o, "connector_version", db_int(res, row, 4));
	json_put_string(o, "name", db_value(res, row, 5));
	json_put_string(o, "kind", db_value(res, row, 6));
	json_put_string(o, "auth_mode", db_value(res, row, 7));
	json_put_string(o, "url", db_value(res, row, 8));
	json_put_string(o, "status", db_value(res, row, 9));
	json_put_string(o, "status_message", db_value(res, row, 10));
	json_put_db(o, "fields", db_value(res, row, 11));
	json_put_db(o, "secret_fields", db_value(res, row, 12));
	json_put_db(o, "oauth", db_value(res, row, 13));
	json_put_int(o, "catalog_size", db_int(res, row, 14));
	json_put_string(o, "created_by", db_value(res, row, 15));
	json_put_string(o, "created_at", db_value(res, row, 16));
	json_put_string(o, "updated_at", db_value(res, row, 17));
	return o;
}

static const struct db_statement install_workspace = {
	"install_workspace",
	"SELECT workspace_id FROM workspace_integrations WHERE id = $1"
};

/* Set err to ERR_INTEGRATION_NOT_FOUND.  Returns -1. */
static int
not_found(struct error *err)
{
	return error_set(err, ERR_INTEGRATION_NOT_FOUND, "No such"
	    " integration in this workspace.");
}

int
install_workspace_of(const char *integration_id,
    char workspace_id[AUTH_UUID_LEN + 1], struct error *err)
{
	const char *params[] = { integration_id };
	PGresult *res;

	if (db_exec(&install_workspace, 1, params, &res, err) != 0)
		return -1;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return not_found(err);
	}
	snprintf(workspace_id, AUTH_UUID_LEN + 1, "%s", db_value(res, 0, 0));
	PQclear(res);
	return 0;
}

#define INSTALL_FILTER                                                 \
	" WHERE w.workspace_id = $1"                                   \
	"   AND ($2::uuid IS NULL OR w.crew_id = $2::uuid)"            \
	"   AND ($3::text IS NULL OR w.connector_id = $3::text)"       \
	"   AND ($4::text IS NULL OR w.status = $4::text)"

static const struct db_statement install_page = {
	"install_page",
	"SELECT " INSTALL_COLUMNS ", count(*) OVER ()"
	"  FROM workspace_integrations w"
	INSTALL_FILTER
	" ORDER BY w.name, w.id"
	" LIMIT $5 OFFSET $6"
};

static const struct db_statement install_count = {
	"install_count",
	"SELECT count(*) FROM workspace_integrations w" INSTALL_FILTER
};

int
install_list(const char *workspace_id, const struct install_filter *f,
    json_object **list, long long *total, struct error *err)
{
	const char *params[] = { workspace_id, f->crew_id, f->connector_id,
	    f->status, NULL, NULL };

	return page_fetch_list(&install_page, &install_count, params, 6,
	    f->page, f->limit, install_from_row, list, total, err);
}

static const struct db_statement install_one = {
	"install_one",
	"SELECT " INSTALL_COLUMNS ", w.catalog"
	"  FROM workspace_integrations w"
	" WHERE w.workspace_id = $1 AND w.id = $2"
};

int
install_get(const char *workspace_id, const char *integration_id,
    json_object **out, struct error *err)
{
	const char *params[] = { workspace_id, integration_id };
	PGresult *res;

	*out = NULL;
	if (db_exec(&install_one, 2, params, &res, err) != 0)
		return -1;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return not_found(err);
	}
	*out = install_from_row(res, 0);
	json_put_db(*out, "catalog", db_value(res, 0, 18));
	PQclear(res);
	return 0;
}

/* ---------------------------------------------------------------- */
/* The sealed secret                                                */

static const struct db_statement install_secret_read = {
	"install_secret_read",
	"SELECT secret FROM workspace_integrations"
	" WHERE workspace_id = $1 AND id = $2"
};

static const struct db_statement install_secret_lock = {
	"install_secret_lock",
	"SELECT secret FROM workspace_integrations"
	" WHERE workspace_id = $1 AND id = $2 FOR UPDATE"
};

static const struct db_statement install_secret_write = {
	"install_secret_write",
	"UPDATE workspace_integrations SET secret = $3::bytea,"
	"       secret_fields = ARRAY(SELECT k FROM"
	"           jsonb_array_elements_text($4::jsonb) k ORDER BY k),"
	"       updated_at = now()"
	" WHERE workspace_id = $1 AND id = $2"
};

/* Open the secret with stmt (read or lock).  As install_open_secret(). */
static int
secret_open_with(const struct db_statement *stmt, struct vault *v,
    const char *workspace_id, const char *integration_id,
    json_object **secret, struct error *err)
{
	const char *params[] = { workspace_id, integration_id };
	char aad[INSTALL_AAD_MAX];
	PGresult *res;
	int rc;

	*secret = NULL;
	if (db_exec(stmt, 2, params, &res, err) != 0)
		return -1;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return not_found(err);
	}
	if (db_value(res, 0, 0) == NULL) {
		PQclear(res);
		*secret = json_object_new_object();
		return 0;
	}
	install_secret_aad(workspace_id, integration_id, aad);
	rc = sealed_json_open(v, aad, db_value(res, 0, 0), secret, err);
	PQclear(res);
	return rc;
}

int
install_open_secret(struct vault *v, const char *workspace_id,
    const char *integration_id, json_object **secret, struct error *err)
{
	return secret_open_with(&install_secret_read, v, workspace_id,
	    integration_id, secret, err);
}

/*
 * Seal secret (borrowed) as the row's secret, NULL when it is empty, and
 * set secret_fields to its keys.  Returns 0, or -1 and err.
 */
static int
secret_write(struct vault *v, const char *workspace_id,
    const char *integration_id, json_object *secret, struct error *err)
{
	char aad[INSTALL_AAD_MAX], *bytea = NULL;
	json_object *names = keys_of(secret);
	int rc = -1;

	if (json_object_object_length(secret) > 0) {
		install_secret_aad(workspace_id, integration_id, aad);
		if (sealed_json_seal(v, aad, secret, &bytea, err) != 0)
			goto out;
	}
	{
		const char *params[] = { workspace_id, integration_id, bytea,
		    json_text(names) };

		rc = db_exec(&install_secret_write, 4, params, NULL, err);
	}
out:
	free(bytea);
	json_object_put(names);
	return rc;
}

int
install_store_secret(struct vault *v, const char *workspace_id,
    const char *integration_id, json_object *secret, struct error *err)
{
	json_object *merged = NULL;
	int rc = -1;

	if (secret_open_with(&install_secret_lock, v, workspace_id,
	    integration_id, &merged, err) != 0)
		return -1;
	json_object_object_foreach(secret, key, value) {
		if (value == NULL)
			json_object_object_del(merged, key);
		else
			json_object_object_add(merged, key,
			    json_object_get(value));
	}
	rc = secret_write(v, workspace_id, integration_id, merged, err);
	json_object_put(merged);
	return rc;
}

/* ---------------------------------------------------------------- */
/* Changing and deleting                                            */

static const struct db_statement install_lock = {
	"install_lock",
	"SELECT connector_id, auth_mode, status, name, fields,"
	"       'access_token' = ANY (secret_fields)"
	"  FROM workspace_integrations"
	" WHERE workspace_id = $1 AND id = $2 FOR UPDATE"
};

static const struct db_statement install_change = {
	"install_change",
	"UPDATE workspace_integrations"
	"   SET name = coalesce($3, name), status = coalesce($4, status),"
	"       status_message = CASE WHEN $4::text IS NULL"
	"           THEN status_message END,"
	"       fields = coalesce($5::jsonb, fields), updated_at = now()"
	" WHERE workspace_id = $1 AND id = $2"
};

/* Do two values (either may be NULL) differ?  Constant time for equal
 * lengths, as secrets are compared.  Can't fail. */
static bool
values_differ(const char *a, const char *b)
{
	size_t len;

	if (a == NULL || b == NULL)
		return a != b;
	len = strlen(a);
	if (len != strlen(b))
		return true;
	return !crypto_equal(a, b, len);
}

/*
 * Merge patch (an object of strings and nulls) into the stored values:
 * plain (the fields column, changed in place) and secret (the opened
 * secret, changed in place; its members that are not form fields, OAuth
 * tokens, are kept), then check every form value against manifest.
 * Returns 0 with *changed, or -1 and err (ERR_BAD_REQUEST).
 */
static int
fields_merge(json_object *manifest, json_object *patch, json_object *plain,
    json_object *secret, bool *changed, struct error *err)
{
	json_object *form = NULL;
	int rc = -1;

	*changed = false;
	json_object_object_foreach(patch, key, value) {
		json_object *target = field_is_secret(manifest, key) ?
		    secret : plain;
		const char *now = json_get_string(target, key);

		if (manifest_field(manifest, key) == NULL) {
			/* Refused below by connector_fields_check(). */
			json_object_object_add(plain, key,
			    json_object_get(value));
			continue;
		}
		if (value != NULL &&
		    !json_object_is_type(value, json_type_string)) {
			json_object_object_add(target, key,
			    json_object_get(value));
			*changed = true;
			continue;
		}
		if (values_differ(now, value != NULL ?
		    json_object_get_string(value) : NULL))
			*changed = true;
		if (value == NULL)
			json_object_object_del(target, key);
		else
			json_object_object_add(target, key,
			    json_object_get(value));
	}
	/* The whole form, as install checks it. */
	form = json_object_new_object();
	json_object_object_foreach(plain, pkey, pvalue) {
		json_object_object_add(form, pkey, json_object_get(pvalue));
	}
	json_object_object_foreach(secret, skey, svalue) {
		if (manifest_field(manifest, skey) != NULL)
			json_object_object_add(form, skey,
			    json_object_get(svalue));
	}
	if (connector_fields_check(manifest, form, err) != 0)
		goto out;
	rc = 0;
out:
	json_object_put(form);
	return rc;
}

int
install_update(struct vault *v, const char *workspace_id,
    const char *integration_id, const struct install_update *u,
    bool *changed, struct error *err)
{
	const char *params[] = { workspace_id, integration_id };
	json_object *manifest = NULL, *plain = NULL, *secret = NULL;
	const char *name = NULL, *status = NULL, *fields_text = NULL;
	bool fields_changed = false, has_token;
	char *connector_id = NULL, *auth_mode = NULL, *old_status = NULL;
	char *old_name = NULL;
	PGresult *res = NULL;
	int rc = -1;

	*changed = false;
	if (db_exec(&install_lock, 2, params, &res, err) != 0)
		return -1;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return not_found(err);
	}
	connector_id = db_value(res, 0, 0) != NULL ?
	    strdup(db_value(res, 0, 0)) : NULL;
	auth_mode = strdup(db_value(res, 0, 1));
	old_status = strdup(db_value(res, 0, 2));
	old_name = strdup(db_value(res, 0, 3));
	plain = json_from_db(db_value(res, 0, 4));
	has_token = db_bool(res, 0, 5);
	PQclear(res);
	res = NULL;
	if (auth_mode == NULL || old_status == NULL || old_name == NULL ||
	    plain == NULL) {
		error_set(err, ERR_INTERNAL, "out of memory");
		goto out;
	}

	if (u->name != NULL && strcmp(u->name, old_name) != 0)
		name = u->name;
	if (u->status != NULL && strcmp(u->status, old_status) != 0) {
		if (strcmp(u->status, "connected") == 0 &&
		    (strcmp(old_status, "disabled") != 0 ||
		    ((strcmp(auth_mode, "byo_oauth") == 0 ||
		    strcmp(auth_mode, "mcp_oauth") == 0) && !has_token))) {
			error_set(err, ERR_CONFLICT, "The integration cannot"
			    " be marked connected while it is %s.",
			    strcmp(old_status, "disabled") == 0 ?
			    "not yet authorized" : old_status);
			error_hint(err, "Only a disabled integration that"
			    " finished its sign-in can be enabled again.");
			error_add_detail(err, "body", "status", "Cannot"
			    " change to connected now", "conflict");
			goto out;
		}
		status = u->status;
	}
	if (u->fields != NULL) {
		if (connector_id == NULL) {
			error_set(err, ERR_BAD_REQUEST, "This integration has"
			    " no form to fill in.");
			error_add_detail(err, "body", "fields", "Not a"
			    " connector's integration", "no_form");
			goto out;
		}
		if (connector_get(connector_id, &manifest, err) != 0 ||
		    secret_open_with(&install_secret_read, v, workspace_id,
		    integration_id, &secret, err) != 0 ||
		    fields_merge(manifest, u->fields, plain, secret,
		    &fields_changed, err) != 0)
			goto out;
		if (fields_changed) {
			fields_text = json_text(plain);
			if (secret_write(v, workspace_id, integration_id,
			    secret, err) != 0)
				goto out;
		}
	}
	if (name != NULL || status != NULL || fields_text != NULL) {
		const char *change[] = { workspace_id, integration_id, name,
		    status, fields_text };

		if (db_exec(&install_change, 5, change, NULL, err) != 0) {
			if (name != NULL && err->code == ERR_CONFLICT &&
			    strcmp(db_last_sqlstate(), "23505") == 0)
				name_taken(err, name);
			goto out;
		}
		*changed = true;
	}
	rc = 0;
out:
	free(connector_id);
	free(auth_mode);
	free(old_status);
	free(old_name);
	json_object_put(plain);
	json_object_put(secret);
	json_object_put(manifest);
	return rc;
}

static const struct db_statement install_lock_delete = {
	"install_lock_delete",
	"SELECT id FROM workspace_integrations"
	" WHERE workspace_id = $1 AND id = $2 FOR UPDATE"
};

static const struct db_statement install_users = {
	"install_users",
	"SELECT a.id, a.name, i.name FROM integrations i"
	"  JOIN apps a ON a.id = i.app_id"
	" WHERE i.workspace_integration_id = $1"
	" ORDER BY a.name, a.id, i.name"
};

static const struct db_statement install_remove = {
	"install_remove",
	"DELETE FROM workspace_integrations WHERE workspace_id = $1 AND id = $2"
};

int
install_delete(const char *workspace_id, const char *integration_id,
    struct error *err)
{
	const char *params[] = { workspace_id, integration_id };
	char msg[600];
	PGresult *res;
	int i, n;

	if (db_exec(&install_lock_delete, 2, params, &res, err) != 0)
		return -1;
	n = PQntuples(res);
	PQclear(res);
	if (n != 1)
		return not_found(err);
	if (db_exec(&install_users, 1, params + 1, &res, err) != 0)
		return -1;
	n = PQntuples(res);
	if (n > 0) {
		error_set(err, ERR_IN_USE, "%d app integration%s use%s this"
		    " integration.", n, n == 1 ? "" : "s", n == 1 ? "s" : "");
		error_hint(err, "Detach it from those apps first.");
		for (i = 0; i < n; i++) {
			snprintf(msg, sizeof(msg), "App '%.250s' uses it as"
			    " integration '%.250s'", db_value(res, i, 1),
			    db_value(res, i, 2));
			error_add_detail(err, "apps", db_value(res, i, 0), msg,
			    "in_use");
		}
		PQclear(res);
		return -1;
	}
	PQclear(res);
	return db_exec(&install_remove, 2, params, NULL, err);
}

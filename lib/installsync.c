/*
 * installsync.c: filling a workspace integration's catalog from its
 * source (see installsync.h).  The pure parts choose the source, turn an
 * OpenAPI document into catalog operations and write a status message;
 * installsync_catalog() reads the row, calls the source outside any
 * transaction, and stores the result in a short transaction of its own.
 *
 * What a large document costs, measured with lib/ built -O2 on one core
 * of a 2-core AMD EPYC virtual machine.  GitHub's api.github.com.json
 * could not be fetched there; the stand-in is Twilio's 55 OpenAPI
 * documents (twilio-oai, commit d50069b) merged into one: 11.1 MB of
 * JSON, 926 paths, 1,447 operations.  Parsing it
 * (integration_parse_spec) took 0.25 s, discovering its operations
 * (installsync_openapi_operations) 0.10 s and writing the catalog's
 * JSON text (2.1 MB) 0.02 s; the process peaked at 105 MB, the text
 * read included.  The same document as YAML (8.5 MB): 0.36 s and
 * 0.13 s.  Grown to 16.6 MB (2,297 operations, about the cap): 0.41 s
 * and 0.17 s, a 3.5 MB catalog, 156 MB at the peak.  Twilio's own
 * api_v2010 document (1.9 MB, 197 operations): 0.04 s and 0.02 s.
 * t/lib/installsync-t.c prints the time of the Verify API's document
 * on every run.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "db.h"
#include "install.h"
#include "installsync.h"
#include "integration.h"
#include "jsonutil.h"
#include "log.h"
#include "mcpclient.h"
#include "oas.h"
#include "oauthclient.h"
#include "outbound.h"
#include "sanitise.h"
#include "valid.h"

#define STATUS_PREFIX "Refreshing the catalog failed: "


#define NO_SERVER_MESSAGE "The OpenAPI document names no absolute server" \
	" URL, so the integration has no base URL to call."

/* ---------------------------------------------------------------- */
/* Pure parts                                                       */

/* Is s equal to one of the NULL-terminated list?  Can't fail. */
static bool
one_of(const char *s, const char *const *list)
{
	for (; s != NULL && *list != NULL; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

/* The bearer token an MCP source with auth_mode takes.  Can't fail. */
static enum installsync_bearer
bearer_of(const char *auth_mode)
{
	static const char *const oauth[] = { "byo_oauth", "mcp_oauth",
	    NULL };

	if (one_of(auth_mode, oauth))
		return INSTALLSYNC_BEARER_OAUTH;
	if (auth_mode == NULL || strcmp(auth_mode, "none") == 0)
		return INSTALLSYNC_BEARER_NONE;
	return INSTALLSYNC_BEARER_SECRET;
}

int
installsync_source_choose(const struct installsync_row *row,
    struct installsync_source *out, struct error *err)
{
	static const char *const pending[] = { "pending_oauth",
	    "pending_mcp_oauth", NULL };
	json_object *openapi, *document;
	const char *mcp_url, *url;

	memset(out, 0, sizeof(*out));
	if (one_of(row->status, pending)) {
		error_set(err, ERR_CONFLICT, "The integration's authorization"
		    " is not finished.");
		error_hint(err, "Finish its authorization first, then sync"
		    " it.");
		return -1;
	}
	if (row->status != NULL && strcmp(row->status, "disabled") == 0) {
		error_set(err, ERR_CONFLICT, "The integration is disabled.");
		error_hint(err, "Enable it first, then sync it.");
		return -1;
	}

	mcp_url = json_get_string(json_get_object(row->manifest, "mcp"),
	    "server_url");
	if ((row->kind != NULL && strcmp(row->kind, "mcp_server") == 0) ||
	    mcp_url != NULL) {
		url = row->url != NULL && row->url[0] != '\0' ? row->url :
		    mcp_url;
		if (url != NULL && url[0] != '\0') {
			out->kind = INSTALLSYNC_SOURCE_MCP;
			out->url = url;
			out->bearer = bearer_of(row->auth_mode);
			return 0;
		}
	}

	openapi = json_get_object(row->manifest, "openapi");
	url = json_get_string(openapi, "url");
	if (url != NULL && url[0] != '\0') {
		out->kind = INSTALLSYNC_SOURCE_OPENAPI_URL;
		out->url = url;
		return 0;
	}
	if ((document = json_get_object(openapi, "document")) != NULL) {
		out->kind = INSTALLSYNC_SOURCE_OPENAPI_INLINE;
		out->document = document;
		return 0;
	}
	error_set(err, ERR_CONFLICT, "This integration has no source of"
	    " operations.");
	error_hint(err, "Only an MCP server or a connector that names an"
	    " OpenAPI document or an MCP server has a catalog to sync.");
	return -1;
}

/*
 * Is url usable as an API's base: absolute http(s), and no server
 * variable left in it (one without a default stays "{name}")?  Can't
 * fail.
 */
static bool
base_url_usable(const char *url)
{
	return url[0] != '\0' && strlen(url) < INSTALLSYNC_URL_MAX &&
	    valid_is_http_url(url) && strpbrk(url, "{}") == NULL;
}

int
installsync_openapi_operations(json_object *document,
    json_object **operations, char base_url[INSTALLSYNC_URL_MAX],
    size_t *warnings, struct error *err)
{
	json_object *found = NULL, *notes = NULL;
	struct oas_info info;

	*operations = NULL;
	base_url[0] = '\0';
	if (warnings != NULL)
		*warnings = 0;
	if (oas_discover(document, &found, &notes, &info, err) != 0) {
		if (err->code == ERR_VALIDATION)
			err->code = ERR_INVALID_OPENAPI;
		return -1;
	}
	if (warnings != NULL)
		*warnings = json_object_array_length(notes);
	json_object_put(notes);
	if (base_url_usable(info.server_url))
		snprintf(base_url, INSTALLSYNC_URL_MAX, "%s", info.server_url);
	*operations = found;
	return 0;
}

bool
installsync_error_is_source(enum error_code code)
{
	switch (code) {
	case ERR_UPSTREAM_UNAVAILABLE:
	case ERR_UPSTREAM_TOO_LARGE:
	case ERR_DESTINATION_NOT_ALLOWED:
	case ERR_INVALID_OPENAPI:
	case ERR_BAD_REQUEST:      /* mcpclient: an unusable bearer token */
		return true;
	default:
		return error_is_oauth(code);
	}
}

void
installsync_status_message(const struct error *err,
    const char *const *secrets, char out[INSTALLSYNC_STATUS_MAX + 1])
{
	char text[sizeof(STATUS_PREFIX) + sizeof(err->message)];

	snprintf(text, sizeof(text), STATUS_PREFIX "%s", err->message[0] !=
	    '\0' ? err->message : error_default_message(err->code));
	sanitise_text(text, secrets, INSTALLSYNC_STATUS_MAX, out,
	    INSTALLSYNC_STATUS_MAX + 1);
	explicit_bzero(text, sizeof(text));
}

/* ---------------------------------------------------------------- */
/* Calling the source                                               */

/* The bearer token of a call, and how to let it go. */
struct bearer {
	char *token;               /* NULL: none */
	bool from_oauth;           /* oauthclient_token_free, else wipe */
};

/* Wipe and release b's token.  Accepts an empty b. */
static void
bearer_free(struct bearer *b)
{
	if (b->token != NULL && b->from_oauth)
		oauthclient_token_free(b->token);
	else if (b->token != NULL) {
		explicit_bzero(b->token, strlen(b->token));
		free(b->token);
	}
	memset(b, 0, sizeof(*b));
}

/*
 * The bearer token source wants, into b.  Returns 0, or -1 and err (as
 * oauthclient_access_token and install_open_secret report them).
 */
static int
bearer_take(struct vault *vault, const struct outbound_policy *policy,
    const char *workspace_id, const char *integration_id,
    const struct installsync_source *source, struct bearer *b,
    struct error *err)
{
	json_object *secret = NULL;
	const char *token;
	int rc = -1;

	memset(b, 0, sizeof(*b));
	switch (source->bearer) {
	case INSTALLSYNC_BEARER_NONE:
		return 0;
	case INSTALLSYNC_BEARER_OAUTH:
		b->from_oauth = true;
		return oauthclient_access_token(vault, policy, workspace_id,
		    integration_id, &b->token, err);
	case INSTALLSYNC_BEARER_SECRET:
		break;
	}
	if (install_open_secret(vault, workspace_id, integration_id, &secret,
	    err) != 0)
		goto out;
	if ((token = json_get_string(secret, "token")) != NULL &&
	    (b->token = strdup(token)) == NULL) {
		error_set(err, ERR_INTERNAL, "out of memory");
		goto out;
	}
	rc = 0;
out:
	json_object_put(secret);
	return rc;
}

/* What calling the source gave. */
struct fetched {
	json_object *operations;   /* owned */
	char base_url[INSTALLSYNC_URL_MAX]; /* OpenAPI only; "" if none */
};

/*
 * Call source with b's token (may be NULL) and turn what it gives into
 * catalog operations in f.  Returns 0, or -1 and err as the source's
 * calls report them.
 */
static int
source_call(const struct outbound_policy *policy,
    const struct installsync_source *source, const char *bearer,
    struct fetched *f, struct error *err)
{
	json_object *tools = NULL, *document = NULL;
	char sha256[65];
	size_t warnings = 0;
	int rc = -1;

	switch (source->kind) {
	case INSTALLSYNC_SOURCE_MCP:
		if (mcpclient_list_tools(policy, source->url, bearer, &tools,
		    err) != 0 ||
		    mcpclient_tools_operations(tools, &f->operations,
		    err) != 0)
			goto out;
		break;
	case INSTALLSYNC_SOURCE_OPENAPI_URL:
		if (integration_fetch_spec(policy, source->url,
		    INSTALLSYNC_OPENAPI_MAX_BYTES, &document, sha256,
		    err) != 0 ||
		    installsync_openapi_operations(document, &f->operations,
		    f->base_url, &warnings, err) != 0)
			goto out;
		break;
	case INSTALLSYNC_SOURCE_OPENAPI_INLINE:
		if (installsync_openapi_operations(source->document,
		    &f->operations, f->base_url, &warnings, err) != 0)
			goto out;
		break;
	}
	if (warnings > 0)
		log_info("OpenAPI discovery for a catalog: %zu warnings",
		    warnings);
	rc = 0;
out:
	json_object_put(tools);
	json_object_put(document);
	return rc;
}

/* ---------------------------------------------------------------- */
/* Reading and storing                                              */

/* The row's source-defining columns, as both statements give them. */
enum column {
	COL_KIND = 0,
	COL_AUTH_MODE,
	COL_URL,
	COL_CONNECTOR_ID,
	COL_MANIFEST_SHA256,
	COL_STATUS,                /* installsync_read only, from here */
	COL_MANIFEST
};

static const struct db_statement installsync_read = {
	"installsync_read",
	"SELECT w.kind, w.auth_mode, w.url, w.connector_id, c.sha256,"
	"       w.status, c.manifest"
	"  FROM workspace_integrations w"
	"  LEFT JOIN connectors c ON c.id = w.connector_id"
	" WHERE w.workspace_id = $1 AND w.id = $2"
};

static const struct db_statement installsync_lock = {
	"installsync_lock",
	"SELECT w.kind, w.auth_mode, w.url, w.connector_id, c.sha256"
	"  FROM workspace_integrations w"
	"  LEFT JOIN connectors c ON c.id = w.connector_id"
	" WHERE w.workspace_id = $1 AND w.id = $2"
	"   FOR UPDATE OF w"
};

static const struct db_statement installsync_store = {
	"installsync_store",
	"UPDATE workspace_integrations"
	"   SET catalog = $3::jsonb, catalog_at = now(),"
	"       url = coalesce(url, $4::text), status_message = $5::text,"
	"       updated_at = now()"
	" WHERE workspace_id = $1 AND id = $2"
};

/*
 * The failure's message, only while the source is the one called (the
 * same columns as installsync_lock compares), and only when it differs,
 * so a source failing again does not move updated_at.
 */
static const struct db_statement installsync_failed = {
	"installsync_failed",
	"UPDATE workspace_integrations w"
	"   SET status_message = $3::text, updated_at = now()"
	" WHERE w.workspace_id = $1 AND w.id = $2"
	"   AND w.kind = $4::text AND w.auth_mode = $5::text"
	"   AND w.url IS NOT DISTINCT FROM $6::text"
	"   AND w.connector_id IS NOT DISTINCT FROM $7::text"
	"   AND (SELECT c.sha256 FROM connectors c WHERE c.id = w.connector_id)"
	"       IS NOT DISTINCT FROM $8::text"
	"   AND w.status_message IS DISTINCT FROM $3::text"
};

/* Are a and b (either may be NULL) the same text?  Can't fail. */
static bool
same_text(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* Set err to ERR_INTEGRATION_NOT_FOUND.  Returns -1. */
static int
not_found(struct error *err)
{
	return error_set(err, ERR_INTEGRATION_NOT_FOUND, "No such"
	    " integration in this workspace.");
}

/* What the storing transaction needs; borrowed. */
struct store {
	const char *workspace_id;
	const char *integration_id;
	const PGresult *read;      /* the row as it was read */
	const char *catalog;       /* JSON text */
	const char *url;           /* set when the row has none, or NULL */
	const char *status_message; /* or NULL */
};

/* The storing transaction's body; may run more than once. */
static int
store_transaction(void *ctx, struct error *err)
{
	const struct store *s = ctx;
	const char *ids[] = { s->workspace_id, s->integration_id };
	PGresult *lock = NULL;
	int col, rc = -1;

	if (db_exec(&installsync_lock, 2, ids, &lock, err) != 0)
		return -1;
	if (PQntuples(lock) != 1) {
		not_found(err);
		goto out;
	}
	for (col = COL_KIND; col <= COL_MANIFEST_SHA256; col++)
		if (!same_text(db_value(lock, 0, col),
		    db_value(s->read, 0, col))) {
			error_set(err, ERR_CONFLICT, "The integration changed"
			    " while its catalog was being refreshed.");
			error_hint(err, "Sync it again.");
			goto out;
		}
	{
		const char *params[] = { s->workspace_id, s->integration_id,
		    s->catalog, s->url, s->status_message };

		if (db_exec(&installsync_store, 5, params, NULL, err) != 0)
			goto out;
	}
	rc = 0;
out:
	PQclear(lock);
	return rc;
}

/*
 * Keep the source's failure err in the row's status_message, by
 * installsync_status_message() with secrets.  A failure to store it is
 * logged and otherwise ignored: the caller is reporting err already.
 */
static void
failure_store(const char *workspace_id, const char *integration_id,
    const PGresult *read, const struct error *err,
    const char *const *secrets)
{
	char text[INSTALLSYNC_STATUS_MAX + 1];
	const char *params[] = { workspace_id, integration_id, text,
	    db_value(read, 0, COL_KIND), db_value(read, 0, COL_AUTH_MODE),
	    db_value(read, 0, COL_URL), db_value(read, 0, COL_CONNECTOR_ID),
	    db_value(read, 0, COL_MANIFEST_SHA256) };
	struct error store_err = { 0 };

	installsync_status_message(err, secrets, text);
	log_info("integration %s: %s", integration_id, text);
	if (db_exec(&installsync_failed, 8, params, NULL, &store_err) != 0)
		log_warn("cannot keep the catalog failure of integration %s:"
		    " %s", integration_id, store_err.message);
	error_clear(&store_err);
}

int
installsync_catalog(struct vault *vault, const struct outbound_policy *policy,
    const char *workspace_id, const char *integration_id,
    long long *operations_count, struct error *err)
{
	const char *ids[] = { workspace_id, integration_id };
	struct installsync_source source;
	struct installsync_row row;
	struct fetched f;
	struct bearer b = { 0 };
	struct store s;
	json_object *manifest = NULL;
	PGresult *read = NULL;
	int rc = -1;

	*operations_count = 0;
	memset(&f, 0, sizeof(f));
	if (db_exec(&installsync_read, 2, ids, &read, err) != 0)
		return -1;
	if (PQntuples(read) != 1) {
		not_found(err);
		goto out;
	}
	if (db_value(read, 0, COL_MANIFEST) != NULL &&
	    (manifest = json_from_db(db_value(read, 0, COL_MANIFEST))) ==
	    NULL) {
		error_set(err, ERR_INTERNAL, "a stored manifest is not JSON");
		goto out;
	}
	row.kind = db_value(read, 0, COL_KIND);
	row.auth_mode = db_value(read, 0, COL_AUTH_MODE);
	row.status = db_value(read, 0, COL_STATUS);
	row.url = db_value(read, 0, COL_URL);
	row.manifest = manifest;
	if (installsync_source_choose(&row, &source, err) != 0)
		goto out;

	/*
	 * No transaction is open from here to the store.  A token that
	 * cannot be had is oauthclient's to record (a refused refresh
	 * marks the integration error, saying to connect it again); the
	 * provider's refusal is an upstream failure here, not a fault of
	 * this request.
	 */
	if (bearer_take(vault, policy, workspace_id, integration_id, &source,
	    &b, err) != 0) {
		if (error_is_oauth(err->code))
			err->code = ERR_UPSTREAM_UNAVAILABLE;
		goto out;
	}
	if (source_call(policy, &source, b.token, &f, err) != 0) {
		if (installsync_error_is_source(err->code)) {
			const char *secrets[] = { b.token != NULL ? b.token :
			    "", source.url != NULL ? source.url : "", NULL };

			failure_store(workspace_id, integration_id, read, err,
			    secrets);
		}
		goto out;
	}

	s.workspace_id = workspace_id;
	s.integration_id = integration_id;
	s.read = read;
	s.catalog = json_text(f.operations);
	s.url = row.url == NULL && f.base_url[0] != '\0' ? f.base_url : NULL;
	s.status_message = row.url == NULL && f.base_url[0] == '\0' &&
	    source.kind != INSTALLSYNC_SOURCE_MCP ? NO_SERVER_MESSAGE : NULL;
	if (db_transaction(DB_READ_COMMITTED, store_transaction, &s,
	    err) != 0)
		goto out;
	*operations_count = (long long)json_object_array_length(f.operations);
	log_info("integration %s: catalog refreshed, %lld operations",
	    integration_id, *operations_count);
	rc = 0;
out:
	bearer_free(&b);
	json_object_put(f.operations);
	json_object_put(manifest);
	PQclear(read);
	return rc;
}

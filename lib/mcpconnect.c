/*
 * mcpconnect.c: connecting an mcp_oauth workspace integration (see
 * mcpconnect.h).  Discovery and registration talk to the network and so
 * run before the one transaction that records their outcome; the
 * transaction locks the row and checks it is still what was read.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "db.h"
#include "install.h"
#include "jsonutil.h"
#include "log.h"
#include "mcpauth.h"
#include "mcpconnect.h"

static const struct db_statement connect_read = {
	"mcpconnect_read",
	"SELECT auth_mode, url, status, oauth::text"
	"  FROM workspace_integrations"
	" WHERE workspace_id = $1 AND id = $2"
};
enum { CR_AUTH_MODE, CR_URL, CR_STATUS, CR_OAUTH };

static const struct db_statement connect_lock = {
	"mcpconnect_lock",
	"SELECT auth_mode, url, status FROM workspace_integrations"
	" WHERE workspace_id = $1 AND id = $2 FOR UPDATE"
};

/*
 * Record discovery's and registration's outcome.  Token metadata
 * (token_type, scope, expires_at) stays: the tokens it describes stay
 * until a new authorization replaces them.
 */
static const struct db_statement connect_store = {
	"mcpconnect_store",
	"UPDATE workspace_integrations"
	"   SET oauth = oauth - 'registration_endpoint'"
	"           || jsonb_strip_nulls(jsonb_build_object("
	"                'issuer', $3::text,"
	"                'authorization_endpoint', $4::text,"
	"                'token_endpoint', $5::text,"
	"                'registration_endpoint', $6::text,"
	"                'resource', $7::text,"
	"                'client_id', $8::text,"
	"                'redirect_uri', $9::text)),"
	"       status = CASE status WHEN 'connected' THEN status"
	"                ELSE 'pending_mcp_oauth' END,"
	"       updated_at = now()"
	" WHERE workspace_id = $1 AND id = $2"
};

/* Everything the transaction writes, made before it. */
struct connect_work {
	struct vault *vault;
	const struct mcpconnect_request *r;
	const char *url;                    /* the server URL read */
	const struct mcpauth_server *server;
	const char *client_id;
	const char *client_secret;          /* a new client's, or NULL */
	bool registered;                    /* a new client: store its secret */
	const char *redirect_uri;
	const struct install_oauth_start *start;
};

static int
not_found(struct error *err)
{
	return error_set(err, ERR_INTEGRATION_NOT_FOUND, "No such"
	    " integration in this workspace.");
}

/*
 * Check a row's auth_mode, url and status (columns 0, 1, 2 of res) allow
 * connecting.  Returns 0, or -1 and err (ERR_CONFLICT).
 */
static int
connectable(const PGresult *res, struct error *err)
{
	if (strcmp(db_value(res, 0, 0), "mcp_oauth") != 0) {
		error_set(err, ERR_CONFLICT, "Only an mcp_oauth integration"
		    " connects through its MCP server's authorization.");
		error_hint(err, "A byo_oauth integration's authorization"
		    " starts at install; others need none.");
		return -1;
	}
	if (db_value(res, 0, 1) == NULL)
		return error_set(err, ERR_CONFLICT, "The integration has no"
		    " MCP server URL.");
	if (strcmp(db_value(res, 0, 2), "disabled") == 0) {
		error_set(err, ERR_CONFLICT, "The integration is disabled.");
		error_hint(err, "Set its status to connected first.");
		return -1;
	}
	return 0;
}

static int
connect_transaction(void *ctx, struct error *err)
{
	struct connect_work *w = ctx;
	const struct mcpconnect_request *r = w->r;
	const char *lock_params[] = { r->workspace_id, r->integration_id };
	const struct mcpauth_server *s = w->server;
	const char *params[] = { r->workspace_id, r->integration_id,
	    s->issuer, s->authorization_endpoint, s->token_endpoint,
	    s->registration_endpoint, s->resource, w->client_id,
	    w->redirect_uri };
	json_object *secret = NULL;
	PGresult *res = NULL;
	int rc = -1;

	if (db_exec(&connect_lock, 2, lock_params, &res, err) != 0)
		return -1;
	if (PQntuples(res) != 1) {
		not_found(err);
		goto out;
	}
	if (connectable(res, err) != 0)
		goto out;
	if (strcmp(db_value(res, 0, 1), w->url) != 0) {
		error_set(err, ERR_CONFLICT, "The integration's server URL"
		    " changed meanwhile.");
		error_hint(err, "Connect it again.");
		goto out;
	}
	if (w->registered) {
		secret = json_object_new_object();
		json_object_object_add(secret, "client_secret",
		    w->client_secret != NULL ?
		    json_object_new_string(w->client_secret) : NULL);
		if (install_store_secret(w->vault, r->workspace_id,
		    r->integration_id, secret, err) != 0)
			goto out;
	}
	if (db_exec(&connect_store, 9, params, NULL, err) != 0 ||
	    install_oauth_state_store(w->start, r->integration_id,
	    r->account_id, w->redirect_uri, err) != 0)
		goto out;
	rc = 0;
out:
	json_object_put(secret);
	PQclear(res);
	return rc;
}

/*
 * Is the client stored in oauth (the column's JSON text) registered at
 * server's issuer and registration endpoint for redirect_uri?  Can't
 * fail: anything unreadable is no.
 */
static bool
client_reusable(const char *oauth, const struct mcpauth_server *server,
    const char *redirect_uri)
{
	json_object *o = json_tokener_parse(oauth);
	const char *stored;
	bool same;

	stored = json_get_string(o, "registration_endpoint");
	same = json_get_string(o, "client_id") != NULL &&
	    server->registration_endpoint != NULL && stored != NULL &&
	    strcmp(stored, server->registration_endpoint) == 0 &&
	    (stored = json_get_string(o, "issuer")) != NULL &&
	    strcmp(stored, server->issuer) == 0 &&
	    (stored = json_get_string(o, "redirect_uri")) != NULL &&
	    strcmp(stored, redirect_uri) == 0;
	json_object_put(o);
	return same;
}

int
mcpconnect_start(struct vault *v, const struct outbound_policy *policy,
    const struct mcpconnect_request *r, struct install_result *out,
    struct error *err)
{
	const char *params[] = { r->workspace_id, r->integration_id };
	struct mcpauth_server server = { 0 };
	struct mcpauth_client client = { 0 };
	struct install_oauth_start start = { 0 };
	struct connect_work w = { .vault = v, .r = r };
	char *url = NULL, *oauth = NULL, *redirect = NULL, *client_id = NULL;
	PGresult *res = NULL;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (db_exec(&connect_read, 2, params, &res, err) != 0)
		return -1;
	if (PQntuples(res) != 1) {
		not_found(err);
		goto out;
	}
	if (connectable(res, err) != 0)
		goto out;
	url = strdup(db_value(res, 0, CR_URL));
	oauth = strdup(db_value(res, 0, CR_OAUTH));
	if (asprintf(&redirect, "%s%s", r->public_url != NULL ?
	    r->public_url : "", INSTALL_OAUTH_CALLBACK_PATH) < 0)
		redirect = NULL;
	if (url == NULL || oauth == NULL || redirect == NULL) {
		error_set(err, ERR_INTERNAL, "out of memory");
		goto out;
	}
	PQclear(res);
	res = NULL;

	if (mcpauth_discover(policy, url, &server, err) != 0)
		goto out;
	if (client_reusable(oauth, &server, redirect)) {
		json_object *o = json_tokener_parse(oauth);

		client_id = strdup(json_get_string(o, "client_id"));
		json_object_put(o);
		if (client_id == NULL) {
			error_set(err, ERR_INTERNAL, "out of memory");
			goto out;
		}
	} else {
		if (mcpauth_register(policy, &server, redirect,
		    MCPCONNECT_CLIENT_NAME, &client, err) != 0)
			goto out;
		log_info("integration %s registered at %s as client %s",
		    r->integration_id, server.issuer, client.client_id);
		w.registered = true;
		w.client_secret = client.client_secret;
	}
	if (install_oauth_begin(v, r->workspace_id, r->integration_id, &start,
	    err) != 0)
		goto out;
	w.url = url;
	w.server = &server;
	w.client_id = client_id != NULL ? client_id : client.client_id;
	w.redirect_uri = redirect;
	w.start = &start;
	if (db_transaction(DB_READ_COMMITTED, connect_transaction, &w,
	    err) != 0)
		goto out;
	{
		const struct install_authorize a = {
			.authorize_url = server.authorization_endpoint,
			.client_id = w.client_id,
			.redirect_uri = redirect,
			.scope = server.scope,
			.state = start.state,
			.code_challenge = start.challenge,
			.resource = server.resource,
		};

		if (install_authorize_url(&a, &out->oauth_url, err) != 0)
			goto out;
	}
	snprintf(out->integration_id, sizeof(out->integration_id), "%s",
	    r->integration_id);
	out->next_step = "oauth";
	rc = 0;
out:
	if (rc != 0)
		install_result_free(out);
	install_oauth_start_free(&start);
	mcpauth_client_free(&client);
	mcpauth_server_free(&server);
	free(client_id);
	free(redirect);
	free(oauth);
	free(url);
	PQclear(res);
	return rc;
}

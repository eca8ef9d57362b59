/*
 * tokencache.c: client_credentials access tokens kept sealed in
 * PostgreSQL (see tokencache.h).
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "db.h"
#include "jsonutil.h"
#include "sealed.h"
#include "tokencache.h"

#define AAD_PREFIX "auth_connection_tokens.token:"

void
tokencache_aad(const char *app_id, const char *auth_id,
    char aad[TOKENCACHE_AAD_MAX])
{
	snprintf(aad, TOKENCACHE_AAD_MAX, AAD_PREFIX "%s:%s", app_id, auth_id);
}

void
tokencache_free(char *token)
{
	if (token == NULL)
		return;
	explicit_bzero(token, strlen(token));
	free(token);
}

static const struct db_statement token_read = {
	"tokencache_read",
	"SELECT token FROM auth_connection_tokens"
	" WHERE auth_connection_id = $2 AND app_id = $1"
	"   AND settings_sha256 = $3"
	"   AND expires_at > now() + make_interval(secs => $4::integer)"
};

/*
 * Open bytea, auth_id's sealed token, into *token (wipe with
 * tokencache_free).  Returns 0, or -1 and err.
 */
static int
token_open(struct vault *v, const char *app_id, const char *auth_id,
    const char *bytea, char **token, struct error *err)
{
	char aad[TOKENCACHE_AAD_MAX];
	json_object *sealed = NULL;
	const char *t;

	tokencache_aad(app_id, auth_id, aad);
	if (sealed_json_open(v, aad, bytea, &sealed, err) != 0)
		return -1;
	t = json_get_string(sealed, "access_token");
	*token = t != NULL ? strdup(t) : NULL;
	json_secret_free(sealed);
	if (t == NULL)
		return error_set(err, ERR_INTERNAL, "a cached token has no"
		    " access_token");
	return *token != NULL ? 0 : error_set(err, ERR_INTERNAL,
	    "out of memory");
}

int
tokencache_get(struct vault *v, const char *app_id, const char *auth_id,
    const char *settings_sha256, char **token, struct error *err)
{
	char margin[16];
	const char *params[] = { app_id, auth_id, settings_sha256, margin };
	PGresult *res;
	int rc = 0;

	*token = NULL;
	snprintf(margin, sizeof(margin), "%d", TOKENCACHE_MARGIN_SECONDS);
	if (db_exec(&token_read, 4, params, &res, err) != 0)
		return -1;
	if (PQntuples(res) == 1)
		rc = token_open(v, app_id, auth_id, db_value(res, 0, 0), token,
		    err);
	PQclear(res);
	return rc;
}

static const struct db_statement token_write = {
	"tokencache_write",
	"INSERT INTO auth_connection_tokens (auth_connection_id, app_id,"
	"       settings_sha256, token, expires_at)"
	" SELECT c.id, c.app_id, $3, $4::bytea,"
	"        now() + make_interval(secs => $5::integer)"
	"   FROM auth_connections c WHERE c.app_id = $1 AND c.id = $2"
	" ON CONFLICT (auth_connection_id) DO UPDATE"
	"    SET settings_sha256 = EXCLUDED.settings_sha256,"
	"        token = EXCLUDED.token, expires_at = EXCLUDED.expires_at,"
	"        fetched_at = now()"
};

int
tokencache_put(struct vault *v, const char *app_id, const char *auth_id,
    const char *settings_sha256, const char *token, long long expires_in,
    struct error *err)
{
	char aad[TOKENCACHE_AAD_MAX], seconds[24], *bytea = NULL;
	const char *params[] = { app_id, auth_id, settings_sha256, NULL,
	    seconds };
	json_object *plain;
	int rc;

	if (expires_in < 0)
		expires_in = TOKENCACHE_DEFAULT_SECONDS;
	if (expires_in > TOKENCACHE_MAX_SECONDS)
		expires_in = TOKENCACHE_MAX_SECONDS;
	snprintf(seconds, sizeof(seconds), "%lld", expires_in);
	if ((plain = json_object_new_object()) == NULL)
		return error_set(err, ERR_INTERNAL, "out of memory");
	json_put_string(plain, "access_token", token);
	tokencache_aad(app_id, auth_id, aad);
	rc = sealed_json_seal(v, aad, plain, &bytea, err);
	json_secret_free(plain);
	if (rc != 0)
		return -1;
	params[3] = bytea;
	rc = db_exec(&token_write, 5, params, NULL, err);
	free(bytea);
	return rc;
}

static const struct db_statement token_rows = {
	"tokencache_rows",
	"SELECT token FROM auth_connection_tokens"
	" WHERE auth_connection_id = $2 AND app_id = $1 FOR UPDATE"
};

static const struct db_statement token_delete = {
	"tokencache_delete",
	"DELETE FROM auth_connection_tokens"
	" WHERE auth_connection_id = $2 AND app_id = $1"
};

/* What tokencache_drop() drops. */
struct drop {
	struct vault *v;
	const char *app_id;
	const char *auth_id;
	const char *token;
};

/*
 * In a transaction: delete the row of d when its token is d->token.
 * Returns 0, or -1 and err.
 */
static int
drop_body(void *ctx, struct error *err)
{
	struct drop *d = ctx;
	const char *params[] = { d->app_id, d->auth_id };
	char *stored = NULL;
	PGresult *res;
	int rc = 0;

	if (db_exec(&token_rows, 2, params, &res, err) != 0)
		return -1;
	if (PQntuples(res) == 1 && token_open(d->v, d->app_id, d->auth_id,
	    db_value(res, 0, 0), &stored, err) != 0)
		rc = -1;
	else if (stored != NULL && strcmp(stored, d->token) == 0)
		rc = db_exec(&token_delete, 2, params, NULL, err);
	tokencache_free(stored);
	PQclear(res);
	return rc;
}

int
tokencache_drop(struct vault *v, const char *app_id, const char *auth_id,
    const char *token, struct error *err)
{
	struct drop d = { v, app_id, auth_id, token };

	return db_transaction(DB_READ_COMMITTED, drop_body, &d, err);
}

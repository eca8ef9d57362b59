/*
 * tokencache.h: the access tokens drio gets with the client_credentials
 * grant for an app's oauth2 auth connections (authconn.h), kept sealed
 * in PostgreSQL (sql/012_auth_connection_tokens.sql) so that every
 * instance reuses one until it is due, instead of asking the provider at
 * each tool call.  A token is tied to the settings it was got with (by
 * their SHA-256): a release resolved with other settings does not use
 * it.  Changing the connection's secret drops it (authconn_update).
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef DRIO_TOKENCACHE_H
#define DRIO_TOKENCACHE_H

#include "error.h"

struct vault;

/* A token this close to its expiry is not used. */
#define TOKENCACHE_MARGIN_SECONDS 60

/* How long a token whose answer named no expires_in is kept. */
#define TOKENCACHE_DEFAULT_SECONDS 600

/* The longest a token is kept, whatever its expires_in. */
#define TOKENCACHE_MAX_SECONDS (24 * 3600)

/* Bytes of an associated data string (prefix, two uuids, NUL). */
#define TOKENCACHE_AAD_MAX 112

/* The vault's associated data of auth_id's token: into aad. */
void tokencache_aad(const char *app_id, const char *auth_id,
    char aad[TOKENCACHE_AAD_MAX]);

/*
 * The token of auth connection auth_id of app_id got with settings whose
 * SHA-256 is settings_sha256 (hex), when one is stored that is not due.
 * Returns 0 with *token (NULL when there is none to use; wipe and free a
 * token with tokencache_free), or -1 and err (a database or vault error).
 */
int tokencache_get(struct vault *v, const char *app_id, const char *auth_id,
    const char *settings_sha256, char **token, struct error *err);

/*
 * Store token, got with settings whose SHA-256 is settings_sha256, as
 * auth_id's, due in expires_in seconds (-1: unknown, then
 * TOKENCACHE_DEFAULT_SECONDS; at most TOKENCACHE_MAX_SECONDS), replacing
 * any other.  Returns 0, or -1 and err.
 */
int tokencache_put(struct vault *v, const char *app_id, const char *auth_id,
    const char *settings_sha256, const char *token, long long expires_in,
    struct error *err);

/*
 * Forget auth_id's token when it is still token (the upstream refused
 * it; another instance may have stored a newer one meanwhile).  Returns
 * 0, or -1 and err.
 */
int tokencache_drop(struct vault *v, const char *app_id, const char *auth_id,
    const char *token, struct error *err);

/* Wipe and free a token of tokencache_get.  Accepts NULL. */
void tokencache_free(char *token);

#endif

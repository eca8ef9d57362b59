/*
 * auth.c: bearer-token verification and API-session issue (see auth.h).
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "auth.h"
#include "crypto.h"
#include "db.h"

/*
 * One read per request: the session, its account, and whether
 * last_used_at is more than a minute old (only then is it written).
 */
static const struct db_statement auth_session_lookup = {
	"auth_session_lookup",
	"SELECT s.id, a.id, a.email, a.name,"
	"       s.last_used_at IS NULL"
	"         OR s.last_used_at < now() - interval '1 minute'"
	"  FROM api_sessions s"
	"  JOIN accounts a ON a.id = s.account_id"
	" WHERE s.token_sha256 = $1"
	"   AND s.revoked_at IS NULL"
	"   AND (s.expires_at IS NULL OR s.expires_at > now())"
	"   AND a.status = 'active'"
};

static const struct db_statement auth_session_touch = {
	"auth_session_touch",
	"UPDATE api_sessions SET last_used_at = now()"
	" WHERE id = $1"
	"   AND (last_used_at IS NULL"
	"        OR last_used_at < now() - interval '1 minute')"
};

static const struct db_statement auth_session_insert = {
	"auth_session_insert",
	"INSERT INTO api_sessions"
	"       (account_id, token_sha256, prefix, client_id, device_label,"
	"        expires_at, grant_id)"
	" VALUES ($1, $2, $3, $4, $5,"
	"         CASE WHEN $6::bigint > 0"
	"              THEN now() + $6::bigint * interval '1 second' END,"
	"         $7)"
	" RETURNING id"
};

int
auth_bearer_verify(const char *authorization,
    struct auth_identity *identity, struct error *err)
{
	char hash[CRYPTO_SHA256_HEX_LEN + 1];
	const char *token, *params[1] = { hash };
	PGresult *res = NULL;
	int rc = -1;

	memset(identity, 0, sizeof(*identity));
	if (authorization == NULL || authorization[0] == '\0')
		return error_set(err, ERR_UNAUTHORIZED, NULL);
	if (strncasecmp(authorization, "Bearer ", 7) != 0) {
		error_set(err, ERR_UNAUTHORIZED, NULL);
		error_hint(err, "Send `Authorization: Bearer <token>`.");
		return -1;
	}
	token = authorization + 7;
	while (*token == ' ')
		token++;
	if (!crypto_token_is_well_formed(token))
		return error_set(err, ERR_INVALID_TOKEN, NULL);

	crypto_sha256_hex(token, strlen(token), hash);
	if (db_exec(&auth_session_lookup, 1, params, &res, err) != 0)
		goto out;
	if (PQntuples(res) != 1) {
		error_set(err, ERR_INVALID_TOKEN, NULL);
		goto out;
	}
	snprintf(identity->session_id, sizeof(identity->session_id), "%s",
	    PQgetvalue(res, 0, 0));
	snprintf(identity->account_id, sizeof(identity->account_id), "%s",
	    PQgetvalue(res, 0, 1));
	snprintf(identity->email, sizeof(identity->email), "%s",
	    PQgetvalue(res, 0, 2));
	snprintf(identity->name, sizeof(identity->name), "%s",
	    PQgetvalue(res, 0, 3));
	if (db_bool(res, 0, 4)) {
		const char *touch[1] = { identity->session_id };

		if (db_exec(&auth_session_touch, 1, touch, NULL, err) != 0)
			goto out;
	}
	rc = 0;
out:
	PQclear(res);
	return rc;
}

int
auth_session_issue(const char *account_id, const char *client_id,
    const char *device_label, long long expires_seconds,
    const char *grant_id, char *token, size_t token_size,
    char session_id[AUTH_UUID_LEN + 1], struct error *err)
{
	char hash[CRYPTO_SHA256_HEX_LEN + 1];
	char prefix[CRYPTO_TOKEN_DISPLAY_LEN + 1], seconds[24];
	const char *params[7];
	PGresult *res = NULL;

	if (crypto_token_new(token, token_size, err) != 0)
		return -1;
	crypto_sha256_hex(token, strlen(token), hash);
	snprintf(prefix, sizeof(prefix), "%s", token);
	snprintf(seconds, sizeof(seconds), "%lld", expires_seconds > 0 ?
	    expires_seconds : 0);
	params[0] = account_id;
	params[1] = hash;
	params[2] = prefix;
	params[3] = client_id;
	params[4] = device_label;
	params[5] = seconds;
	params[6] = grant_id;
	if (db_exec(&auth_session_insert, 7, params, &res, err) != 0) {
		memset(token, 0, token_size);
		return -1;
	}
	snprintf(session_id, AUTH_UUID_LEN + 1, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}

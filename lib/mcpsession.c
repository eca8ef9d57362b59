/*
 * mcpsession.c: the legacy era's MCP sessions as rows (see
 * mcpsession.h).
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "db.h"
#include "jsonutil.h"
#include "mcpsession.h"

#define ID_BYTES 32

static const struct db_statement session_insert = {
	"mcpsession_insert",
	"INSERT INTO mcp_sessions (id_hash, app_id, release_number,"
	"       protocol_version, client_info, client_capabilities,"
	"       account_id, preview)"
	" VALUES ($1, $2, nullif($3::integer, 0), $4,"
	"         coalesce($5::jsonb, '{}'), coalesce($6::jsonb, '{}'), $7,"
	"         $8::boolean)"
};

/*
 * Ended and idle sessions go when a new one comes: sessions are opened
 * far less often than they are used, and the index on last_used_at
 * keeps this cheap.
 */
static const struct db_statement session_sweep = {
	"mcpsession_sweep",
	"DELETE FROM mcp_sessions"
	" WHERE last_used_at < now() - make_interval(secs => $1::integer)"
	"    OR ended_at < now() - interval '1 hour'"
};

/*
 * A live session, marked used at most once a minute: most requests only
 * read the row, so the many requests of one busy session neither write
 * nor wait on each other's row lock.
 */
static const struct db_statement session_touch = {
	"mcpsession_touch",
	"WITH live AS ("
	"    SELECT protocol_version, coalesce(release_number, 0) AS release,"
	"           coalesce(account_id::text, '') AS account,"
	"           coalesce(client_info->>'name', '') AS client,"
	"           last_used_at < now() - interval '1 minute' AS stale"
	"      FROM mcp_sessions"
	"     WHERE id_hash = $1 AND app_id = $2 AND ended_at IS NULL"
	"       AND last_used_at >= now() - make_interval(secs => $3::integer)"
	"       AND preview = $4::boolean),"
	" touched AS ("
	"    UPDATE mcp_sessions SET last_used_at = now()"
	"     WHERE id_hash = $1 AND (SELECT stale FROM live))"
	" SELECT protocol_version, release, account, client FROM live"
};

static const struct db_statement session_end = {
	"mcpsession_end",
	"UPDATE mcp_sessions SET ended_at = now()"
	" WHERE id_hash = $1 AND app_id = $2 AND ended_at IS NULL"
	"   AND last_used_at >= now() - make_interval(secs => $3::integer)"
	"   AND preview = $4::boolean"
};

int
mcpsession_create(const struct mcpsession_open *o,
    char id[MCPSESSION_ID_LEN + 1], struct error *err)
{
	char hash[CRYPTO_SHA256_HEX_LEN + 1], release[24], idle[24];
	const char *params[] = { hash, o->app_id, release,
	    o->protocol_version,
	    o->client_info != NULL ? json_text(o->client_info) : NULL,
	    o->capabilities != NULL ? json_text(o->capabilities) : NULL,
	    o->account_id, o->preview ? "true" : "false" };
	const char *sweep_params[] = { idle };

	if (crypto_random_urlsafe(id, MCPSESSION_ID_LEN + 1, ID_BYTES,
	    err) != 0)
		return -1;
	crypto_sha256_hex(id, strlen(id), hash);
	snprintf(release, sizeof(release), "%lld", o->release);
	snprintf(idle, sizeof(idle), "%d", MCPSESSION_IDLE_SECONDS);
	if (db_exec(&session_sweep, 1, sweep_params, NULL, err) != 0 ||
	    db_exec(&session_insert, 8, params, NULL, err) != 0) {
		explicit_bzero(id, MCPSESSION_ID_LEN + 1);
		return -1;
	}
	return 0;
}

/* Set err: no such live session.  Returns -1. */
static int
no_session(struct error *err)
{
	error_set(err, ERR_SESSION_NOT_FOUND, "No such MCP session: it"
	    " ended, expired or never was.");
	error_hint(err, "Start a new session with initialize.");
	return -1;
}

int
mcpsession_find(const char *app_id, bool preview, const char *id,
    struct mcpsession *out, struct error *err)
{
	char hash[CRYPTO_SHA256_HEX_LEN + 1], idle[24];
	const char *params[] = { hash, app_id, idle,
	    preview ? "true" : "false" };
	PGresult *res = NULL;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (strlen(id) > MCPSESSION_ID_MAX)
		return no_session(err);
	crypto_sha256_hex(id, strlen(id), hash);
	snprintf(idle, sizeof(idle), "%d", MCPSESSION_IDLE_SECONDS);
	if (db_exec(&session_touch, 4, params, &res, err) != 0)
		return -1;
	if (PQntuples(res) != 1) {
		no_session(err);
		goto out;
	}
	snprintf(out->protocol_version, sizeof(out->protocol_version), "%s",
	    db_value(res, 0, 0));
	out->release = strtoll(db_value(res, 0, 1), NULL, 10);
	snprintf(out->account_id, sizeof(out->account_id), "%s",
	    db_value(res, 0, 2));
	snprintf(out->client_name, sizeof(out->client_name), "%s",
	    db_value(res, 0, 3));
	rc = 0;
out:
	PQclear(res);
	return rc;
}

int
mcpsession_end(const char *app_id, bool preview, const char *id,
    struct error *err)
{
	char hash[CRYPTO_SHA256_HEX_LEN + 1], idle[24];
	const char *params[] = { hash, app_id, idle,
	    preview ? "true" : "false" };
	PGresult *res = NULL;
	int ended;

	if (strlen(id) > MCPSESSION_ID_MAX)
		return no_session(err);
	crypto_sha256_hex(id, strlen(id), hash);
	snprintf(idle, sizeof(idle), "%d", MCPSESSION_IDLE_SECONDS);
	if (db_exec(&session_end, 4, params, &res, err) != 0)
		return -1;
	ended = atoi(PQcmdTuples(res));
	PQclear(res);
	if (ended != 1)
		return no_session(err);
	return 0;
}

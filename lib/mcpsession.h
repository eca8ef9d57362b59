/*
 * mcpsession.h: the sessions of the MCP endpoint's legacy era (the 2025
 * revisions of Streamable HTTP).  initialize opens one and the server
 * answers its id in Mcp-Session-Id; the client sends it on every later
 * request until it DELETEs it.  A session is a row (sql/007_mcp.sql), so
 * any instance serves any session, and only the SHA-256 of its id is
 * stored.  A session idle for MCPSESSION_IDLE_SECONDS has ended.  The
 * modern era (2026-07-28) has no sessions.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef DRIO_MCPSESSION_H
#define DRIO_MCPSESSION_H

#include <stdbool.h>

#include <json-c/json.h>

#include "error.h"

#define MCPSESSION_ID_LEN       43      /* base64url of 32 random bytes */
#define MCPSESSION_ID_MAX       128     /* longer ids are none of ours */
#define MCPSESSION_IDLE_SECONDS (24 * 3600)
#define MCPSESSION_VERSION_MAX  32

/* What a new session records; borrowed. */
struct mcpsession_open {
	const char *app_id;
	long long release;         /* pinned with ?release=N; 0: the latest */
	const char *protocol_version;
	json_object *client_info;  /* may be NULL */
	json_object *capabilities; /* may be NULL */
	const char *account_id;    /* NULL for a public app */
	bool preview;              /* the editors' preview of the draft */
};

/* A live session, as a later request finds it. */
struct mcpsession {
	char protocol_version[MCPSESSION_VERSION_MAX + 1];
	long long release;         /* 0: follows the latest */
	char account_id[40];       /* "" when none */
	char client_name[128];     /* clientInfo.name, "" when none */
};

/*
 * Open a session: a fresh id into id (MCPSESSION_ID_LEN + 1 bytes), its
 * row stored by hash.  Now and then ended and idle sessions are swept.
 * Returns 0, or -1 and err (a database or randomness error).
 */
int mcpsession_create(const struct mcpsession_open *o,
    char id[MCPSESSION_ID_LEN + 1], struct error *err);

/*
 * The live session id of app_id (a session of another app, or of the
 * preview when preview is false and the other way round, is none),
 * marking it used.  Returns 0 with out filled, or -1 and err:
 * ERR_SESSION_NOT_FOUND when there is no such session, it ended, or it
 * was idle too long; a database error.
 */
int mcpsession_find(const char *app_id, bool preview, const char *id,
    struct mcpsession *out, struct error *err);

/*
 * End session id of app_id.  Returns 0, or -1 and err
 * (ERR_SESSION_NOT_FOUND as mcpsession_find() says; a database error).
 */
int mcpsession_end(const char *app_id, bool preview, const char *id,
    struct error *err);

#endif

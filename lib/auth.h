/*
 * auth.h: bearer tokens and the API sessions behind them.
 *
 * A token is opaque (crypto.h: "drio_" + 256 random bits), shown once and
 * stored only as its SHA-256; its first characters are kept as a display
 * prefix.  Verifying a token finds its session and account; an unknown,
 * expired or revoked token is ERR_INVALID_TOKEN.  last_used_at is written
 * at most once a minute per session, so verification is a read on almost
 * every request.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef DRIO_AUTH_H
#define DRIO_AUTH_H

#include "error.h"

#define AUTH_UUID_LEN 36

/* Who a verified token speaks for. */
struct auth_identity {
	char account_id[AUTH_UUID_LEN + 1];
	char session_id[AUTH_UUID_LEN + 1];
	char email[255];
	char name[1024];          /* 255 characters of UTF-8 */
};

/*
 * Verify an Authorization header value ("Bearer <token>"; NULL when the
 * header is absent).  Returns 0 and fills identity, or -1 and err:
 * ERR_UNAUTHORIZED when there is no bearer credential, ERR_INVALID_TOKEN
 * when it is malformed, unknown, expired or revoked, or a database error.
 */
int auth_bearer_verify(const char *authorization,
    struct auth_identity *identity, struct error *err);

/*
 * Create an API session for account_id and return its token, shown this
 * once, in token (at least CRYPTO_TOKEN_LEN + 1 bytes) and its id in
 * session_id.  client_id and device_label describe who asked (for the
 * session list); expires_seconds <= 0 means the session never expires;
 * grant_id ties an OAuth-issued session to its grant (NULL otherwise).
 * Returns 0, or -1 and err.
 */
int auth_session_issue(const char *account_id, const char *client_id,
    const char *device_label, long long expires_seconds,
    const char *grant_id, char *token, size_t token_size,
    char session_id[AUTH_UUID_LEN + 1], struct error *err);

#endif

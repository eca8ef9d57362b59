/*
 * oauthclient.h: drio as an OAuth 2 client of the services a workspace
 * connects (auth modes byo_oauth and mcp_oauth, docs/connectors.md): the
 * end of the authorization code flow that install (byo_oauth) or
 * lib/mcpconnect (mcp_oauth) started (the browser comes back to the
 * callback with a state and a code; drio exchanges the code, with its
 * PKCE verifier, at the token endpoint: the manifest's for byo_oauth,
 * the discovered one for mcp_oauth, which also names its resource, RFC
 * 8707) and the refresh of an access token that is about to expire.  Every call goes through
 * lib/outbound under the caller's policy, so the SSRF guard holds for
 * token endpoints too.
 *
 * The client authenticates at the token endpoint with HTTP Basic (RFC
 * 6749 2.3.1: client id and secret form-encoded, then base64), the one
 * method every authorization server must accept, and also names its
 * client_id in the form; a public client (mcp_oauth registrations are)
 * names only its client_id.  Answers are read as JSON (the request asks
 * for it with Accept: application/json).
 *
 * Tokens are kept in the workspace integration's sealed secret object
 * (members access_token and refresh_token beside the client_secret
 * install stored), read and written through lib/install
 * (install_open_secret, install_store_secret), and what is not secret
 * (token_type, scope, expires_at) in its oauth column.  No token, code,
 * verifier or client secret is ever logged, put in an error or answered.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef DRIO_OAUTHCLIENT_H
#define DRIO_OAUTHCLIENT_H

#include <stddef.h>

#include "auth.h"
#include "error.h"

struct outbound_policy;
struct vault;

/* An access token this close to expires_at is refreshed before use. */
#define OAUTHCLIENT_REFRESH_MARGIN_SECONDS 60

/* The longest expires_in taken (ten years); longer is malformed. */
#define OAUTHCLIENT_EXPIRES_IN_MAX (10LL * 366 * 24 * 3600)

/* Characters of a provider's error_description kept in a message. */
#define OAUTHCLIENT_DESCRIPTION_MAX 200

/* The client drio is at one token endpoint.  Borrowed strings. */
struct oauthclient_client {
	const char *token_url;
	const char *client_id;
	const char *client_secret;  /* NULL: a public client, no Basic */
	const char *resource;       /* RFC 8707 resource; NULL: none */
};

/*
 * A token request, ready for outbound_request(): POST token_url with
 * headers and body.  Owned by the struct (headers point into it); release
 * with oauthclient_request_free(), which also wipes the body and the
 * Authorization header.
 */
struct oauthclient_request {
	char *body;                /* application/x-www-form-urlencoded */
	size_t body_len;
	char *authorization;       /* "Authorization: Basic ...", or NULL */
	const char *headers[4];    /* NULL-terminated */
};

/*
 * A successful token answer (RFC 6749 5.1).  Strings are malloc'd and
 * owned by the struct; release with oauthclient_tokens_free(), which
 * wipes the tokens.
 */
struct oauthclient_tokens {
	char *access_token;        /* never NULL after a successful parse */
	char *token_type;          /* NULL when the answer had none */
	char *refresh_token;       /* NULL when the answer had none */
	char *scope;               /* NULL when the answer had none */
	long long expires_in;      /* seconds, or -1 when the answer had none */
};

/* What the provider sent the browser back with; borrowed strings. */
struct oauthclient_callback {
	const char *state;
	const char *code;              /* NULL when absent */
	const char *error;             /* NULL unless the provider refused */
	const char *error_description; /* NULL when absent */
};

/* The integration a callback connected. */
struct oauthclient_connected {
	char integration_id[AUTH_UUID_LEN + 1];
	char workspace_id[AUTH_UUID_LEN + 1];
	char name[1024];               /* 255 characters of UTF-8 at most */
	char auth_mode[16];            /* "byo_oauth" or "mcp_oauth" */
};

/*
 * Build the authorization code request (RFC 6749 4.1.3, RFC 7636 4.5):
 * grant_type=authorization_code, code, redirect_uri, client_id and, when
 * code_verifier is not NULL, code_verifier; Basic client authentication
 * when client->client_secret is not NULL.  Pure.  Returns 0 with out
 * filled, or -1 and err (ERR_INTERNAL when memory is exhausted; out
 * zeroed).
 */
int oauthclient_code_request(const struct oauthclient_client *client,
    const char *code, const char *redirect_uri, const char *code_verifier,
    struct oauthclient_request *out, struct error *err);

/*
 * Build the refresh request (RFC 6749 6): grant_type=refresh_token,
 * refresh_token and client_id, authenticated as
 * oauthclient_code_request() does.  Pure.  Returns 0 with out filled, or
 * -1 and err (ERR_INTERNAL; out zeroed).
 */
int oauthclient_refresh_request(const struct oauthclient_client *client,
    const char *refresh_token, struct oauthclient_request *out,
    struct error *err);

/* Wipe and release what a request owns.  Accepts a zeroed struct. */
void oauthclient_request_free(struct oauthclient_request *request);

/*
 * Read a token endpoint's answer: HTTP status and the body (len bytes).
 * A JSON object with an "error" string is an error answer (RFC 6749 5.2;
 * also when the status is 200, as Slack answers); a 200 with a non-empty
 * access_token string is a success, whose token_type, refresh_token and
 * scope must be strings when present and whose expires_in must be a
 * whole number of seconds from 0 to OAUTHCLIENT_EXPIRES_IN_MAX (a JSON
 * number, or a string of digits as some providers send).  Anything else
 * is malformed.  secrets (NULL-terminated, may be NULL) are values the
 * request carried that an error message must never repeat: each is
 * replaced by "[redacted]" in the provider's error_description.  Pure.
 * Returns 0 with out filled (release with oauthclient_tokens_free), or
 * -1 and err, out zeroed:
 *   the ERR_OAUTH_* code of an RFC 6749 5.2 error string (invalid_request,
 *     invalid_client, invalid_grant, unauthorized_client,
 *     unsupported_grant_type, invalid_scope), ERR_UPSTREAM_UNAVAILABLE
 *     for any other error string; the message names the error string and
 *     the sanitised description (printable ASCII, at most
 *     OAUTHCLIENT_DESCRIPTION_MAX characters, secrets redacted);
 *   ERR_UPSTREAM_UNAVAILABLE for a malformed answer, the message naming
 *     the status and never quoting the body;
 *   ERR_INTERNAL when memory is exhausted.
 */
int oauthclient_token_parse(long status, const char *body, size_t len,
    const char *const *secrets, struct oauthclient_tokens *out,
    struct error *err);

/* Wipe and release what tokens own.  Accepts a zeroed struct. */
void oauthclient_tokens_free(struct oauthclient_tokens *tokens);

/*
 * Finish the authorization a byo_oauth install or an mcp_oauth connect
 * started, as the callback route does: claim the state (a live row of
 * integration_oauth_states found by the SHA-256 of cb->state, deleted so
 * it serves once; an unknown, used or expired state changes nothing);
 * when the provider refused (cb->error) or sent no code, mark the
 * integration status error with a sanitised status_message; otherwise
 * open the PKCE verifier and the client secret, exchange the code at the
 * integration's token endpoint under policy (without holding a transaction), and
 * in one transaction store the tokens in the sealed secret object, the
 * token_type, scope and expires_at in the oauth column, and status
 * connected.  A failed exchange marks the integration status error.
 * Returns 0 with out filled, or -1 and err:
 *   ERR_BAD_REQUEST when the state is missing, unknown, used or expired;
 *   ERR_OAUTH_ACCESS_DENIED when the provider says the user refused;
 *   ERR_UPSTREAM_UNAVAILABLE when the provider refused otherwise, sent
 *     no code, refused the code or could not be reached;
 *   ERR_DESTINATION_NOT_ALLOWED when the guard refuses the token_url;
 *   ERR_INTERNAL, ERR_DATABASE_UNAVAILABLE.
 * Messages never hold a token, a code or a secret.
 */
int oauthclient_finish(struct vault *vault,
    const struct outbound_policy *policy,
    const struct oauthclient_callback *cb, struct oauthclient_connected *out,
    struct error *err);

/*
 * Refresh the access token of OAuth (byo_oauth or mcp_oauth) workspace
 * integration integration_id of workspace_id, whatever its expiry: POST
 * grant_type=refresh_token to its token endpoint under policy
 * (no transaction held meanwhile), then, in one transaction holding the
 * row with SELECT ... FOR UPDATE, store the new access token, the new
 * refresh token or, when the answer has none, the old one, and the new
 * expiry.  When another process refreshed the row while this call was
 * under way (the stored refresh token is no longer the one used), its
 * tokens are kept, not overwritten, and this call's fresh access token
 * is still returned; when the provider refuses a refresh token that
 * another process has meanwhile replaced, the stored access token is
 * returned.  A refusal of the current refresh token marks the
 * integration status error.  Returns 0 with a fresh access token in
 * *token (release with oauthclient_token_free), or -1 and err:
 *   ERR_INTEGRATION_NOT_FOUND when there is no such OAuth
 *     integration in the workspace;
 *   ERR_CONFLICT when it has no refresh token or is not connected;
 *   the errors of oauthclient_token_parse() and outbound_request();
 *   ERR_INTERNAL, ERR_DATABASE_UNAVAILABLE.
 */
int oauthclient_refresh(struct vault *vault,
    const struct outbound_policy *policy, const char *workspace_id,
    const char *integration_id, char **token, struct error *err);

/*
 * A valid access token of OAuth workspace integration integration_id
 * of workspace_id: the stored one, or, when it expires within
 * OAUTHCLIENT_REFRESH_MARGIN_SECONDS, a refreshed one
 * (oauthclient_refresh()).  A token without a known expiry is used as
 * it is.  Returns 0 with the token in *token (release with
 * oauthclient_token_free), or -1 and err (as oauthclient_refresh(); also
 * ERR_CONFLICT when the token has expired and there is no refresh
 * token).
 */
int oauthclient_access_token(struct vault *vault,
    const struct outbound_policy *policy, const char *workspace_id,
    const char *integration_id, char **token, struct error *err);

/* Wipe and free a token from the calls above.  Accepts NULL. */
void oauthclient_token_free(char *token);

#endif

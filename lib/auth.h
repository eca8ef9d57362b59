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
 * A token from drio's authorization server may be bound to one resource
 * (RFC 8707 resource indicators): drio's origin, which is its APIs, or one
 * MCP endpoint, <public_url>/mcp/{workspace_slug}/{app_slug}.  Resources
 * are kept in one canonical form (auth_resource_parse): the configured
 * public_url without a trailing slash, then the path, without a trailing
 * slash.  public_url is an origin (scheme, host, port; no path), as RFC
 * 9728 3.3 needs for the root protected-resource document.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef DRIO_AUTH_H
#define DRIO_AUTH_H

#include <stddef.h>

#include "error.h"

#define AUTH_UUID_LEN 36
#define AUTH_RESOURCE_MAX 2048    /* characters of a resource URI */
#define AUTH_SLUG_MAX 63          /* a workspace or app slug */
/* RFC 9728 3.1's path, inserted between a resource's origin and path. */
#define AUTH_METADATA_PATH "/.well-known/oauth-protected-resource"

/* Who a verified token speaks for. */
struct auth_identity {
	char account_id[AUTH_UUID_LEN + 1];
	char session_id[AUTH_UUID_LEN + 1];
	char email[255];
	char name[1024];          /* 255 characters of UTF-8 */
	/* The resource the token was issued for, canonical; "" for a
	 * token bound to none (every token not from an RFC 8707 request). */
	char resource[AUTH_RESOURCE_MAX + 1];
};

/* What a resource indicator names. */
enum auth_resource_kind {
	AUTH_RESOURCE_ORIGIN = 0, /* public_url itself: the APIs */
	AUTH_RESOURCE_MCP         /* an MCP endpoint under public_url */
};

/* A resource of drio's, in canonical form. */
struct auth_resource {
	enum auth_resource_kind kind;
	char uri[AUTH_RESOURCE_MAX + 1];
	/* Its RFC 9728 protected-resource metadata URL (3.1). */
	char metadata_url[AUTH_RESOURCE_MAX + sizeof(AUTH_METADATA_PATH)];
	/* AUTH_RESOURCE_MCP only; "" otherwise. */
	char workspace_slug[AUTH_SLUG_MAX + 1];
	char app_slug[AUTH_SLUG_MAX + 1];
};

/*
 * Check a resource indicator given by a client (RFC 8707 2) against the
 * resources of the server at public_url, and fill out with its canonical
 * form.  It must be an absolute URI without a fragment naming public_url
 * itself or public_url + "/mcp/{workspace_slug}/{app_slug}" with two
 * well-formed slugs; the scheme and host compare without regard to case,
 * and trailing slashes are dropped.  Whether the app exists is the
 * caller's to check (this function reads nothing).  Returns 0, or -1 and
 * ERR_OAUTH_INVALID_TARGET with a message saying what is wrong.
 */
int auth_resource_parse(const char *public_url, const char *given,
    struct auth_resource *out, struct error *err);

/*
 * Fill out with the canonical resource of the MCP endpoint of app_slug in
 * workspace_slug on the server at public_url: the resource a token for
 * that endpoint must be bound to, and its metadata URL.  Returns 0, or -1
 * and ERR_APP_NOT_FOUND when a slug is not well formed (so no app can have
 * it) or the URI would be longer than AUTH_RESOURCE_MAX.
 */
int auth_resource_mcp(const char *public_url, const char *workspace_slug,
    const char *app_slug, struct auth_resource *out, struct error *err);

/*
 * Verify an Authorization header value ("Bearer <token>"; NULL when the
 * header is absent) for drio's APIs: the token must be bound to no
 * resource or to the origin.  Returns 0 and fills identity, or -1 and
 * err: ERR_UNAUTHORIZED when there is no bearer credential,
 * ERR_INVALID_TOKEN when it is malformed, unknown, expired or revoked, or
 * issued for another resource (an MCP endpoint), or a database error.
 */
int auth_bearer_verify(const char *authorization,
    struct auth_identity *identity, struct error *err);

/*
 * Verify an Authorization header value as auth_bearer_verify does, for
 * exactly resource (canonical, e.g. auth_resource_mcp's uri): a token
 * bound to no resource, or to another one, is refused.  Returns 0 and
 * fills identity, or -1 and err: ERR_UNAUTHORIZED, ERR_INVALID_TOKEN
 * (also "issued for another resource"), or a database error.
 */
int auth_bearer_verify_resource(const char *authorization,
    const char *resource, struct auth_identity *identity,
    struct error *err);

/*
 * Create an API session for account_id and return its token, shown this
 * once, in token (at least CRYPTO_TOKEN_LEN + 1 bytes) and its id in
 * session_id.  client_id and device_label describe who asked (for the
 * session list); expires_seconds <= 0 means the session never expires;
 * grant_id ties an OAuth-issued session to its grant (NULL otherwise).
 * The session is bound to no resource.  Returns 0, or -1 and err.
 */
int auth_session_issue(const char *account_id, const char *client_id,
    const char *device_label, long long expires_seconds,
    const char *grant_id, char *token, size_t token_size,
    char session_id[AUTH_UUID_LEN + 1], struct error *err);

/*
 * auth_session_issue for a session bound to resource (canonical, as
 * auth_resource_parse gives it; NULL: none).  Returns 0, or -1 and err.
 */
int auth_session_issue_for(const char *account_id, const char *client_id,
    const char *device_label, long long expires_seconds,
    const char *grant_id, const char *resource, char *token,
    size_t token_size, char session_id[AUTH_UUID_LEN + 1],
    struct error *err);

#endif

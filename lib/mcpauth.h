/*
 * mcpauth.h: how an MCP server wants to be authorized, and registering
 * drio there (auth mode mcp_oauth, docs/connectors.md).  The MCP
 * specification's basic/authorization (2025-06-18 and 2025-11-25) has
 * the MCP server act as an OAuth 2.1 resource server; this module finds
 * its authorization server and registers drio as a client of it:
 *
 *     POST initialize, no credentials  -> 401 with a Bearer challenge
 *                                         naming resource_metadata
 *                                         (RFC 9728 5.1), maybe a scope
 *     GET the protected resource        -> resource, authorization_servers,
 *         metadata (or, without a          scopes_supported (RFC 9728 2)
 *         challenge, the well-known
 *         URLs of RFC 9728 3.1)
 *     GET the authorization server's    -> issuer, endpoints, PKCE
 *         metadata (RFC 8414 3.1, or       methods (RFC 8414 2)
 *         OpenID Connect Discovery)
 *     POST the registration endpoint    -> client_id, maybe a
 *         (RFC 7591 3.1)                   client_secret (RFC 7591 3.2)
 *
 * The lead's route then sends the browser to the authorization endpoint
 * with PKCE (S256) and the resource (RFC 8707), and lib/oauthclient
 * exchanges the code.
 *
 * The pure functions come first: the challenge parser, the well-known
 * URLs and the readers of each answer, each checking every rule the
 * RFCs and the MCP specification set for a client, so the tests can
 * hold them to it.  The two I/O functions make every call through
 * lib/outbound under the caller's policy, with the answer's size capped
 * at MCPAUTH_ANSWER_MAX; every URL an answer names passes the SSRF guard
 * like any other.
 *
 * Every URL taken, from the caller or from an answer, is read strictly:
 * "http://" or "https://" (any case), a host name of letters, digits,
 * "-", ".", "_" and "~" or an IPv6 literal in brackets, an optional
 * port of 1 to 65535, then path, query and fragment; at most
 * MCPAUTH_URL_MAX bytes of visible ASCII without "\" and without "." or
 * ".." path segments.  So user information, percent-encoded hosts and
 * zone identifiers are refused: what could make two readers disagree
 * about a URL's host or path, which the resource check depends on.
 *
 * Errors never quote an answer's body; a provider's error_description is
 * shown only sanitised.  Log lines name origins and endpoints without
 * their query, never an MCP URL's path (it may hold a secret) or a
 * client secret.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef DRIO_MCPAUTH_H
#define DRIO_MCPAUTH_H

#include <stddef.h>

#include "error.h"

struct outbound_policy;

#define MCPAUTH_URL_MAX           2048   /* bytes in any URL taken or made */
#define MCPAUTH_SCOPE_MAX         1024   /* bytes in the scope asked for */
#define MCPAUTH_ANSWER_MAX   (64 * 1024) /* bytes of a metadata or
                                          * registration answer */
#define MCPAUTH_JSON_DEPTH        32     /* JSON nesting read */
#define MCPAUTH_CLIENT_ID_MAX     1024   /* bytes in a registered client_id */
#define MCPAUTH_CLIENT_SECRET_MAX 4096   /* bytes in a client_secret */

/*
 * What discovery found.  malloc'd strings owned by the struct; release
 * with mcpauth_server_free (accepts a zeroed struct).
 */
struct mcpauth_server {
	char *resource;               /* the protected resource metadata's
	                               * "resource": the MCP server's
	                               * canonical URI, sent as RFC 8707
	                               * `resource` */
	char *issuer;                 /* the authorization server's issuer,
	                               * as its metadata spells it */
	char *authorization_endpoint;
	char *token_endpoint;
	char *registration_endpoint;  /* NULL when the AS offers none */
	char *scope;                  /* scopes to ask for: the challenge's
	                               * scope param if given, else the
	                               * metadata's scopes_supported joined
	                               * by blanks, else NULL */
};

/*
 * What registration got.  malloc'd strings owned by the struct; release
 * with mcpauth_client_free, which wipes the secret.
 */
struct mcpauth_client {
	char *client_id;
	char *client_secret;          /* NULL: a public client */
};

/* ---------------------------------------------------------------- */
/* Pure parts: no I/O                                                */

/*
 * Read the resource_metadata and scope auth-params of the first Bearer
 * challenge in www_authenticate, one WWW-Authenticate header's value
 * (RFC 7235 4.1 and 2.1, RFC 6750 3, RFC 9728 5.1).  The value may hold
 * several challenges ("Basic realm=x, Bearer scope=\"a b\""); scheme
 * and parameter names are matched in any case; a parameter's value is a
 * token or a quoted-string, whose quoted-pairs are undone.  A parameter
 * the challenge does not carry is the empty string.  Pure.  Returns 0
 * when the header has a Bearer challenge, with resource_metadata (size
 * rm_size) and scope (size scope_size) filled, or -1, both set to "",
 * when it has none, when it does not follow RFC 7235's grammar, when
 * the Bearer challenge names either parameter twice, or when a value
 * does not fit its buffer.
 */
int mcpauth_challenge_parse(const char *www_authenticate,
    char *resource_metadata, size_t rm_size, char *scope,
    size_t scope_size);

/*
 * The well-known URLs of mcp_url's protected resource metadata to try,
 * in order (RFC 9728 3.1 and the MCP specification): the path-aware
 * scheme://host[:port]/.well-known/oauth-protected-resource<path>, when
 * mcp_url has a path other than "/", then the root
 * scheme://host[:port]/.well-known/oauth-protected-resource.  Scheme and
 * host are written in lower case, a port only when it is not the
 * scheme's default; the path loses its trailing slashes; query and
 * fragment are dropped.  Pure.  Returns 0 with *n (1 or 2) malloc'd
 * strings in urls (the caller frees each), or -1 and err, urls NULL and
 * *n 0: ERR_BAD_REQUEST when mcp_url is not a URL this module reads
 * (see above) or a URL made would be longer than MCPAUTH_URL_MAX bytes;
 * ERR_INTERNAL when memory is exhausted.
 */
int mcpauth_prm_urls(const char *mcp_url, char *urls[2], size_t *n,
    struct error *err);

/*
 * The metadata URLs of an authorization server's issuer, in the MCP
 * specification's order (2025-11-25, after RFC 8414 3.1 and 5).  For an
 * issuer with a path: /.well-known/oauth-authorization-server<path>,
 * /.well-known/openid-configuration<path>,
 * <path>/.well-known/openid-configuration; without one (or with only
 * "/"): /.well-known/oauth-authorization-server and
 * /.well-known/openid-configuration, each after scheme://host[:port]
 * written as mcpauth_prm_urls() writes it.  Pure.  Returns 0 with *n (2
 * or 3) malloc'd strings in urls (the caller frees each), or -1 and err,
 * urls NULL and *n 0: ERR_UPSTREAM_UNAVAILABLE when issuer is not an
 * http or https URL without query and fragment (RFC 8414 2) of at most
 * MCPAUTH_URL_MAX bytes, or a URL made would be longer; ERR_INTERNAL.
 */
int mcpauth_as_urls(const char *issuer, char *urls[3], size_t *n,
    struct error *err);

/*
 * Read len bytes of body as the protected resource metadata (RFC 9728
 * 2) of the MCP server at mcp_url.  The rules:
 *   - one JSON object (at most MCPAUTH_JSON_DEPTH deep);
 *   - "resource" a string that is an http or https URL without a
 *     fragment and identifies mcp_url: the same scheme, host (any case)
 *     and port (an explicit default port equals none), and mcp_url's
 *     path equal to the resource's or under it on a "/" boundary
 *     ("/mcp" covers "/mcp" and "/mcp/x", not "/mcpx"; a trailing "/"
 *     of the resource's path and its query do not count), so that one
 *     server cannot pass off another's metadata (RFC 9728 3.3, 7.3);
 *   - "authorization_servers" a non-empty array whose every element is
 *     an http or https URL without query and fragment; the first is
 *     taken;
 *   - "scopes_supported", when present, an array of scope tokens (RFC
 *     6749 3.3), joined with blanks into at most MCPAUTH_SCOPE_MAX
 *     bytes.
 * Pure.  Returns 0 with *resource (as the metadata spells it),
 * *authorization_server and *scopes (NULL when absent or empty), each
 * malloc'd for the caller to free; or -1 and err, all three NULL:
 * ERR_UPSTREAM_UNAVAILABLE with a message saying which rule failed and
 * never quoting the body; ERR_BAD_REQUEST when mcp_url itself is not a
 * URL mcpauth_prm_urls() takes; ERR_INTERNAL.
 */
int mcpauth_prm_parse(const char *body, size_t len, const char *mcp_url,
    char **resource, char **authorization_server, char **scopes,
    struct error *err);

/*
 * Read len bytes of body as the metadata (RFC 8414 2, or OpenID Connect
 * Discovery's) of the authorization server whose issuer the protected
 * resource metadata named.  The rules:
 *   - one JSON object (at most MCPAUTH_JSON_DEPTH deep);
 *   - "issuer" equal to issuer, byte for byte but for one trailing "/"
 *     more or less (RFC 8414 3.3);
 *   - "authorization_endpoint" and "token_endpoint" http or https URLs
 *     without a fragment; "registration_endpoint" one too when present;
 *   - "code_challenge_methods_supported" present and listing "S256" (the
 *     MCP specification: a client must refuse to proceed without it);
 *   - "response_types_supported", when present, listing "code".
 * Pure.  Returns 0 with out's issuer (as the metadata spells it),
 * authorization_endpoint, token_endpoint and registration_endpoint
 * (NULL when absent) set to malloc'd copies, the values they held
 * before freed, and out's other members untouched; or -1 and err, those
 * four members NULL: ERR_UPSTREAM_UNAVAILABLE with a message saying
 * which rule failed and never quoting the body; ERR_INTERNAL.  out must
 * be zeroed or hold what an earlier call left.
 */
int mcpauth_as_parse(const char *body, size_t len, const char *issuer,
    struct mcpauth_server *out, struct error *err);

/*
 * The RFC 7591 3.1 registration request of a public client that uses
 * the authorization code flow: {"client_name": client_name,
 * "redirect_uris": [redirect_uri], "grant_types": ["authorization_code",
 * "refresh_token"], "response_types": ["code"],
 * "token_endpoint_auth_method": "none"} and "scope": scope when scope is
 * not NULL.  Pure.  Returns 0 with *body, a malloc'd NUL-terminated
 * JSON text the caller frees, or -1 and err (ERR_INTERNAL), *body NULL.
 */
int mcpauth_registration_body(const char *redirect_uri,
    const char *client_name, const char *scope, char **body,
    struct error *err);

/*
 * Read a registration endpoint's answer: HTTP status and len bytes of
 * body.  A JSON object with an "error" string, whatever the status, is
 * an RFC 7591 3.2.2 error answer; a status 201 (or 200) object with a
 * client_id string of 1 to MCPAUTH_CLIENT_ID_MAX printable ASCII
 * characters is a success (RFC 7591 3.2.1), whose client_secret, when
 * present and not null or empty, must be a string of at most
 * MCPAUTH_CLIENT_SECRET_MAX printable ASCII characters.  Anything else
 * is malformed.  Pure.  Returns 0 with out filled (release with
 * mcpauth_client_free), or -1 and err, out zeroed:
 *   ERR_UPSTREAM_UNAVAILABLE for an error answer, the message naming
 *     the sanitised error string and error_description (printable
 *     ASCII, at most OAUTHCLIENT_DESCRIPTION_MAX characters, as
 *     oauthclient.h has it);
 *   ERR_UPSTREAM_UNAVAILABLE for a malformed answer, the message naming
 *     the status and never quoting the body;
 *   ERR_INTERNAL when memory is exhausted.
 */
int mcpauth_registration_parse(long status, const char *body, size_t len,
    struct mcpauth_client *out, struct error *err);

/* ---------------------------------------------------------------- */
/* Talking to the servers                                            */

/*
 * Find out how the MCP server at mcp_url wants to be authorized, under
 * policy (answers capped at MCPAUTH_ANSWER_MAX bytes, or the policy's
 * cap when lower):
 *   1. POST an MCP initialize request (JSON-RPC, Content-Type
 *      application/json, Accept "application/json, text/event-stream")
 *      to mcp_url without credentials.  A 401 whose WWW-Authenticate
 *      headers hold a Bearer challenge: its scope is kept, and its
 *      resource_metadata, when there is one, is where the metadata is
 *      fetched from, and from nowhere else.  Without one (no challenge,
 *      no parameter, any other status, an answer over the cap), the
 *      mcpauth_prm_urls() are tried in order, moving to the next after
 *      a 4xx.
 *   2. The metadata is read with mcpauth_prm_parse().
 *   3. The mcpauth_as_urls() of its first authorization server are
 *      tried in order, moving to the next after a 4xx, and the first
 *      200 is read with mcpauth_as_parse().
 * out->scope is the challenge's scope when it is a usable scope list,
 * else the metadata's scopes_supported.  What was found is logged at
 * info (URLs without query).  Returns 0 with out filled (release with
 * mcpauth_server_free), or -1 and err, out zeroed:
 *   ERR_UPSTREAM_UNAVAILABLE with a message a user can act on: the MCP
 *     server publishes no protected resource metadata (RFC 9728), the
 *     authorization server publishes no metadata (RFC 8414), a
 *     metadata URL answered another status than 200, or what the
 *     parsers above refuse (e.g. no PKCE with S256);
 *   outbound_request()'s errors as they come (ERR_DESTINATION_NOT_ALLOWED
 *     when the guard refuses any URL on the way, ERR_UPSTREAM_UNAVAILABLE,
 *     ERR_UPSTREAM_TOO_LARGE);
 *   ERR_BAD_REQUEST for an mcp_url mcpauth_prm_urls() refuses;
 *   ERR_INTERNAL.
 */
int mcpauth_discover(const struct outbound_policy *policy,
    const char *mcp_url, struct mcpauth_server *out, struct error *err);

/*
 * Register drio as a public client of server's authorization server
 * (RFC 7591 3.1) under policy: POST mcpauth_registration_body() of
 * redirect_uri, client_name and server->scope to
 * server->registration_endpoint, and read the answer with
 * mcpauth_registration_parse().  The answer's body is wiped once read.
 * Returns 0 with out filled (release with mcpauth_client_free), or -1
 * and err, out zeroed: ERR_UPSTREAM_UNAVAILABLE "the authorization
 * server does not offer dynamic client registration (RFC 7591)" when
 * server->registration_endpoint is NULL; mcpauth_registration_parse()'s
 * and outbound_request()'s errors; ERR_INTERNAL.
 */
int mcpauth_register(const struct outbound_policy *policy,
    const struct mcpauth_server *server, const char *redirect_uri,
    const char *client_name, struct mcpauth_client *out,
    struct error *err);

/* Release what server owns and zero it.  Accepts NULL or a zeroed struct. */
void mcpauth_server_free(struct mcpauth_server *server);

/*
 * Wipe the secret, release what client owns and zero it.  Accepts NULL
 * or a zeroed struct.
 */
void mcpauth_client_free(struct mcpauth_client *client);

#endif

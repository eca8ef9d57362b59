/*
 * clientmeta.h: the pure rules of OAuth Client ID Metadata Documents
 * (draft-ietf-oauth-client-id-metadata-document; MCP 2025-11-25 on),
 * where a client's client_id is the https URL of a JSON document that
 * describes it.  Which URLs may be a client_id, what a fetched document
 * must say, and how long drio may keep one.  No I/O: fcgi/oauth.c
 * fetches through lib/outbound and keeps the result in oauth_clients.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef DRIO_CLIENTMETA_H
#define DRIO_CLIENTMETA_H

#include <stdbool.h>

#include <json-c/json.h>

#include "error.h"

struct outbound_policy;

/* The longest client_id URL drio accepts. */
#define CLIENTMETA_URL_MAX 2000

/* The cap on a document's size (the draft suggests 5 KiB). */
#define CLIENTMETA_MAX_BYTES (5 * 1024)

/* How long one fetch may take, connect included. */
#define CLIENTMETA_TIMEOUT_MS 5000

/* Bounds and default of how long a fetched document is kept. */
#define CLIENTMETA_CACHE_MIN_SECONDS (5 * 60)
#define CLIENTMETA_CACHE_MAX_SECONDS (24 * 60 * 60)
#define CLIENTMETA_CACHE_DEFAULT_SECONDS (60 * 60)

/* The most redirect URIs a document may list (oauth_clients' limit). */
#define CLIENTMETA_REDIRECT_URIS_MAX 10

/*
 * Does client_id claim to be a metadata document URL, that is, does it
 * begin with "https://" or "http://" (any case)?  Such an id is never a
 * registered client's.  Pure.
 */
bool clientmeta_is_url(const char *client_id);

/*
 * Check url as a client_id under the draft's rules (section 3): https;
 * a host; no user name or password; a path other than "/" with no "."
 * or ".." segment (also percent-encoded); no fragment; no blank or
 * control character; at most CLIENTMETA_URL_MAX bytes.  Plain http is
 * accepted only when the host is an address literal inside one of the
 * networks policy allows (outbound_allow_networks), which is how a test
 * or a private deployment serves documents on loopback; policy may be
 * NULL for "none".  Returns 0, or -1 and err (ERR_OAUTH_INVALID_CLIENT,
 * the message saying which rule failed).  Pure.
 */
int clientmeta_url_check(const struct outbound_policy *policy,
    const char *url, struct error *err);

/*
 * May an answer with Content-Type content_type (NULL when there was
 * none) be a metadata document?  The draft: application/json or a more
 * specific application/<something>+json, parameters allowed, any case;
 * every other type is an error.  Pure.
 */
bool clientmeta_content_type_ok(const char *content_type);

/*
 * Check a fetched document, text (len bytes), as the metadata of the
 * client url: a JSON object whose client_id is exactly url, with a
 * client_name (1..200 characters), redirect_uris (1..10 non-empty
 * strings without a fragment), token_endpoint_auth_method absent or
 * "none" (drio supports no other for these clients), no client_secret
 * or client_secret_expires_at, response_types (if any) holding "code",
 * and grant_types (if any) among authorization_code, refresh_token and
 * the device code grant.  Returns 0 and *out (the parsed document; the
 * caller releases it with json_object_put), or -1 and err
 * (ERR_OAUTH_INVALID_CLIENT, the message naming the problem) with *out
 * NULL.  Pure.
 */
int clientmeta_document_check(const char *url, const char *text,
    size_t len, json_object **out, struct error *err);

/*
 * How many seconds a document may be kept given its answer's
 * Cache-Control value (NULL when there was none): max-age=N (s-maxage
 * wins over it) bounded to CLIENTMETA_CACHE_MIN_SECONDS ..
 * CLIENTMETA_CACHE_MAX_SECONDS; no-store, no-cache and max-age=0 give
 * the minimum (drio must keep the client to record its tokens, and a
 * client must not make drio fetch on every request); otherwise, or when
 * the value is malformed, CLIENTMETA_CACHE_DEFAULT_SECONDS.  Pure.
 */
long clientmeta_cache_seconds(const char *cache_control);

#endif

/*
 * installsync.h: filling a workspace integration's catalog (the
 * operations it offers, sql/006_connectors.sql) from its source, when it
 * is installed and whenever it is synced again.
 *
 * A workspace integration takes its operations from one of these, tried
 * in this order:
 *
 *   - an MCP server: a custom server (kind mcp_server, its url column)
 *     or a connector whose manifest names mcp.server_url (install copies
 *     it into the url column; the manifest's is taken when the column is
 *     empty).  Its tools/list becomes the catalog, in the shape
 *     mcpclient_tools_operations() gives.  The bearer token sent is, for
 *     auth modes byo_oauth and mcp_oauth, an access token from
 *     oauthclient_access_token() (refreshed when due); for the others
 *     but none, the member "token" of the sealed secret when it has one
 *     (how a custom server's token is kept); otherwise none.
 *   - an OpenAPI document: the connector manifest's openapi.url, fetched
 *     (at most INSTALLSYNC_OPENAPI_MAX_BYTES, JSON or YAML), or its
 *     inline openapi.document.  lib/oas's discovery becomes the catalog
 *     (bounded by OAS_OPERATIONS_MAX and OAS_NODES_MAX), and the
 *     document's first server URL the url column when it has none.
 *
 * Nothing is held open while the source is called: the row is read,
 * the source called, and then one transaction locks the row, checks
 * that its source is still the one called (kind, auth mode, url,
 * connector and the connector's manifest) and stores the catalog.  A
 * failure to reach or read the source is kept in status_message, so
 * the integration shows why its catalog is old; the catalog stays as it
 * was.  Nothing secret is put in a status message, an error or a log
 * line: not the bearer token, and not the source URL (which may carry
 * one).
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef DRIO_INSTALLSYNC_H
#define DRIO_INSTALLSYNC_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "error.h"

struct outbound_policy;
struct vault;

/*
 * The most bytes of an OpenAPI document fetched for a catalog.  The
 * biggest shipped connector's, GitHub's api.github.com.json, is some
 * 11 MB (and grows with every API release); 16 MiB admits it with room
 * to grow and equals outbound_max_bytes' default.  The operator's
 * outbound_max_bytes still applies when it is lower.  Parsing and
 * discovering a document this large takes about half a second and some
 * 150 MB at its peak (installsync.c says what was measured).
 */
#define INSTALLSYNC_OPENAPI_MAX_BYTES (16 * 1024 * 1024)

/* Characters of a status_message written; the url column's bound. */
#define INSTALLSYNC_STATUS_MAX 300
#define INSTALLSYNC_URL_MAX    2048

/* Where a catalog comes from. */
enum installsync_source_kind {
	INSTALLSYNC_SOURCE_MCP = 1,      /* an MCP server's tools/list */
	INSTALLSYNC_SOURCE_OPENAPI_URL,  /* an OpenAPI document at a URL */
	INSTALLSYNC_SOURCE_OPENAPI_INLINE /* the manifest's own document */
};

/* The bearer token an MCP source is called with. */
enum installsync_bearer {
	INSTALLSYNC_BEARER_NONE = 0,     /* no Authorization header */
	INSTALLSYNC_BEARER_OAUTH,        /* oauthclient_access_token() */
	INSTALLSYNC_BEARER_SECRET        /* the secret's "token", if set */
};

/* What the source is chosen from: a row's columns.  Borrowed. */
struct installsync_row {
	const char *kind;          /* openapi, http, mcp_server */
	const char *auth_mode;     /* pat, conn_string, mcp_oauth, ... */
	const char *status;        /* connected, pending_oauth, ... */
	const char *url;           /* NULL when unset */
	json_object *manifest;     /* the connector's, NULL for none */
};

/*
 * The chosen source.  url and document are borrowed from the row and
 * its manifest and live as long as they do.
 */
struct installsync_source {
	enum installsync_source_kind kind;
	const char *url;           /* MCP server, or document URL; NULL
	                            * for an inline document */
	json_object *document;     /* the inline document, else NULL */
	enum installsync_bearer bearer; /* MCP only; NONE otherwise */
};

/*
 * Choose the source of row's catalog by the rules at the top of this
 * file, after its status: pending_oauth and pending_mcp_oauth are
 * refused ("finish its authorization first"), disabled too; connected
 * and error pass.  Pure.  Returns 0 with out filled, or -1 and err
 * (ERR_CONFLICT: the status, or no source of operations; out zeroed).
 */
int installsync_source_choose(const struct installsync_row *row,
    struct installsync_source *out, struct error *err);

/*
 * The catalog of an OpenAPI document (borrowed, not changed): its
 * operations as oas_discover() gives them, and in base_url its first
 * server URL (variables' defaults substituted) when that is an absolute
 * http(s) URL without a variable left in it, else "".  *warnings, when
 * not NULL, gets the number of oas_discover()'s warnings.  Pure.
 * Returns 0 with *operations a new JSON array (json_object_put it), or
 * -1 and err, *operations NULL: ERR_INVALID_OPENAPI when the document is
 * not a usable OpenAPI 3.0/3.1 document or is over oas's bounds (the
 * details point into it), ERR_INTERNAL when memory is exhausted.
 */
int installsync_openapi_operations(json_object *document,
    json_object **operations, char base_url[INSTALLSYNC_URL_MAX],
    size_t *warnings, struct error *err);

/*
 * Is code an error of the source itself (unreachable, refused by the
 * SSRF guard, too large, unreadable, a refused credential), the kind
 * installsync_catalog() keeps in status_message, rather than of drio
 * (database, memory) or of the request (not found, conflict)?  Can't
 * fail.
 */
bool installsync_error_is_source(enum error_code code);

/*
 * The status_message of a failed refresh, into out: "Refreshing the
 * catalog failed: " and err's message, every occurrence of one of
 * secrets (NULL-terminated, may be NULL; empty strings are skipped)
 * replaced by "[redacted]", then bytes outside printable ASCII made
 * blanks, runs of blanks squeezed, and the whole cut to
 * INSTALLSYNC_STATUS_MAX characters.  Can't fail.
 */
void installsync_status_message(const struct error *err,
    const char *const *secrets, char out[INSTALLSYNC_STATUS_MAX + 1]);

/*
 * Refresh the catalog of workspace integration integration_id of
 * workspace_id from its source, under policy (borrowed), with vault to
 * open its secret.  The row is read; its status and source are checked
 * (installsync_source_choose); the bearer token taken and the source
 * called with no transaction held; then, in one transaction, the row is
 * locked (FOR UPDATE) and, when it still exists and its source did not
 * change meanwhile, catalog, catalog_at = now() and updated_at are set,
 * url from the OpenAPI document's server when the row had none, and
 * status_message cleared (or, when an OpenAPI document names no usable
 * server and the row has no url, set to say so).  The status is not
 * changed.  A failure of the source (installsync_error_is_source) is
 * stored as status_message (installsync_status_message) unless the
 * source changed meanwhile, and the old catalog kept.
 *
 * Returns 0 with *operations_count, the number of operations stored, or
 * -1 and err, *operations_count 0:
 *   ERR_INTEGRATION_NOT_FOUND when the workspace has no such
 *     integration (also when it went while the source was called);
 *   ERR_CONFLICT for its status, for no source of operations, when its
 *     source changed while it was called (try again), and
 *     oauthclient_access_token()'s;
 *   outbound_request()'s (ERR_DESTINATION_NOT_ALLOWED,
 *     ERR_UPSTREAM_TOO_LARGE, ERR_UPSTREAM_UNAVAILABLE, also for an
 *     answer other than 2xx);
 *   ERR_INVALID_OPENAPI when the document is not JSON, YAML or usable
 *     OpenAPI 3.x;
 *   mcpclient's errors, and oauthclient's with its ERR_OAUTH_* codes
 *     (the provider refusing a refresh) made ERR_UPSTREAM_UNAVAILABLE;
 *     what oauthclient cannot do is not kept in status_message:
 *     oauthclient records a refused refresh itself;
 *   ERR_INTERNAL, ERR_DATABASE_UNAVAILABLE.
 */
int installsync_catalog(struct vault *vault,
    const struct outbound_policy *policy, const char *workspace_id,
    const char *integration_id, long long *operations_count,
    struct error *err);

#endif

/*
 * integration.h: an app's integrations (the upstream APIs its tools
 * call) and their operations, and the discovery of those operations from
 * an OpenAPI 3.x document, first time and again.
 *
 * Re-discovery matches operations by key (operationId, or the key
 * oas_discover() derives from method and path).  New keys are added,
 * changed ones updated, keys the new document no longer has are marked
 * removed (never deleted: tools keep their reference and validation
 * names them), and a removed one that reappears is active again.
 * Operations written by hand (source manual) are never touched.  A tool
 * derived from an updated operation (no binding, and the operation's old
 * input schema) follows the new schema; a hand-edited one is left as it
 * is and reported.
 *
 * The writes run inside a draft write (draft.h); fetching and parsing a
 * document run before it, outside any transaction.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef DRIO_INTEGRATION_H
#define DRIO_INTEGRATION_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "auth.h"
#include "error.h"

struct outbound_policy;

/* The most bytes of an OpenAPI document parsed (JSON or YAML). */
#define INTEGRATION_SPEC_MAX_BYTES (8 * 1024 * 1024)

/* An integration's fields as a write sets them; NULL keeps a field. */
struct integration_fields {
	const char *name;
	const char *description;
	const char *kind;                 /* openapi, http, mcp_server */
	const char *base_url;
	const char *auth_connection_id;   /* NULL keeps (none on create) */
	bool clear_auth_connection;
	const char *status;               /* NULL keeps (active on create) */
	const char *workspace_integration_id; /* create only: attach it */
};

/*
 * Inside a draft write: create an integration of app_id.  name and kind
 * are required, unless workspace_integration_id attaches a workspace
 * integration (install.h) of the app's workspace: the new integration
 * then has its kind (kind may repeat it, not contradict it), its name
 * and url unless name and base_url are given, no auth connection (its
 * credentials are the workspace integration's, at call time), and takes
 * its operations from its catalog (integration_import_catalog()).  A
 * crew-scoped workspace integration is attached only by an app that a
 * member of its crew created.  Returns 0 with the new id in id, or -1
 * and err: ERR_VALIDATION (details), ERR_NAME_TAKEN,
 * ERR_AUTH_CONNECTION_NOT_FOUND when auth_connection_id is not one of
 * the app's, ERR_INTEGRATION_NOT_FOUND when workspace_integration_id is
 * not one of the workspace's, ERR_FORBIDDEN for the crew rule, or a
 * database error.
 */
int integration_create(const char *app_id,
    const struct integration_fields *fields, char id[AUTH_UUID_LEN + 1],
    struct error *err);

/*
 * Inside a draft write: change the fields set in fields (not
 * workspace_integration_id: attaching is for creation).  An attached
 * integration keeps its kind and takes no auth connection.  Returns 0
 * with *changed saying whether any value differs now, or -1 and err (as
 * integration_create, and ERR_INTEGRATION_NOT_FOUND).
 */
int integration_update(const char *app_id, const char *integration_id,
    const struct integration_fields *fields, bool *changed,
    struct error *err);

/*
 * Inside a draft write: delete an integration with its operations.
 * Returns 0, or -1 and err: ERR_INTEGRATION_NOT_FOUND, ERR_IN_USE with
 * details naming each tool that uses one of its operations (directly or
 * as a chain step).
 */
int integration_delete(const char *app_id, const char *integration_id,
    struct error *err);

/*
 * Inside a draft write: (re)discover the integration's operations from
 * document (borrowed, parsed, not changed).  spec_url may be NULL
 * (inline); spec_sha256 NULL means: the SHA-256 of the document's plain
 * JSON text.  Sets spec_url, spec_title, spec_version, spec_sha256 and
 * discovered_at, and base_url from servers[0].url when the integration
 * has none and that URL is absolute.  Returns 0 with a new *report
 * {added, updated, unchanged, removed, restored, tools_updated,
 * tools_needing_attention, warnings} (the caller releases it) and
 * *changed, or -1 and err: ERR_INVALID_OPENAPI (details) when document is
 * not a usable OpenAPI 3.0/3.1 document, ERR_INTEGRATION_NOT_FOUND, or a
 * database error.
 */
int integration_discover(const char *app_id, const char *integration_id,
    json_object *document, const char *spec_url, const char *spec_sha256,
    json_object **report, bool *changed, struct error *err);

/*
 * Inside a draft write: take the operations of attached integration
 * integration_id from its workspace integration's catalog, as
 * integration_discover() takes them from a document (same matching by
 * key, same report); spec_title becomes the workspace integration's
 * name, spec_sha256 the SHA-256 of the catalog's JSON text, spec_url
 * and spec_version none.  Returns 0 with a new *report and *changed, or
 * -1 and err: ERR_INTEGRATION_NOT_FOUND, ERR_VALIDATION when the
 * integration is not attached, or a database error.
 */
int integration_import_catalog(const char *app_id, const char *integration_id,
    json_object **report, bool *changed, struct error *err);

/*
 * Outside any transaction: parse text (JSON or YAML, at most max_len
 * bytes) into *document and its sha256 (hex of the len bytes of text).
 * Returns 0 with a new *document, or -1 and err: ERR_PAYLOAD_TOO_LARGE
 * over max_len, ERR_INVALID_OPENAPI when it is neither JSON nor YAML or
 * not an object.
 */
int integration_parse_spec(const char *text, size_t len, size_t max_len,
    json_object **document, char sha256[65], struct error *err);

/*
 * Outside any transaction: fetch url through policy (GET, asking for
 * JSON or YAML; the policy's max_bytes lowered to max_bytes) and parse
 * it.
 * Returns 0 with a new *document and its sha256, or -1 and err:
 * ERR_DESTINATION_NOT_ALLOWED, ERR_UPSTREAM_TOO_LARGE,
 * ERR_UPSTREAM_UNAVAILABLE (also for a non-2xx answer),
 * ERR_INVALID_OPENAPI.
 */
int integration_fetch_spec(const struct outbound_policy *policy,
    const char *url, size_t max_bytes, json_object **document,
    char sha256[65], struct error *err);

/* Fields of a hand-written operation; NULL keeps a field on update. */
struct operation_fields {
	const char *key;
	const char *operation_id;         /* NULL keeps; see clear_ below */
	bool clear_operation_id;
	const char *method;               /* method and path: both or none */
	const char *path;
	bool clear_method_path;
	const char *summary;
	const char *description;
	json_object *input_schema;        /* borrowed */
	json_object *parameters;          /* borrowed */
	const char *body_content_type;
	bool clear_body_content_type;
	int deprecated;                   /* -1 keeps, 0 or 1 */
};

/*
 * Inside a draft write: create a manual operation of the integration.
 * Returns 0 with its id, or -1 and err: ERR_VALIDATION (details),
 * ERR_NAME_TAKEN (key), ERR_INTEGRATION_NOT_FOUND.
 */
int integration_operation_create(const char *app_id,
    const char *integration_id, const struct operation_fields *fields,
    char id[AUTH_UUID_LEN + 1], struct error *err);

/*
 * Inside a draft write: change an operation.  A manual operation takes
 * every field; a discovered one only summary and description (its
 * document owns the rest: other fields are ERR_VALIDATION), and the next
 * re-discovery puts the document's texts back when they differ.
 * Returns 0 with *changed, or -1 and err (as
 * integration_operation_create, and ERR_OPERATION_NOT_FOUND).
 */
int integration_operation_update(const char *app_id,
    const char *operation_id, const struct operation_fields *fields,
    bool *changed, struct error *err);

/*
 * Inside a draft write: delete an operation.  Returns 0, or -1 and err:
 * ERR_OPERATION_NOT_FOUND, ERR_IN_USE naming the tools that use it.
 */
int integration_operation_delete(const char *app_id,
    const char *operation_id, struct error *err);

#endif

/*
 * mcpclient.h: drio as an MCP client over Streamable HTTP (MCP
 * specification 2025-06-18, basic/transports and basic/lifecycle), for
 * the custom MCP server integration (listing a server's tools) and the
 * MCP runtime (calling them).
 *
 * Every message is one JSON-RPC 2.0 object POSTed to the server's one
 * endpoint through lib/outbound (the SSRF guard, timeouts and the size
 * cap apply to every call), with Accept: application/json,
 * text/event-stream.  The server answers a request with one JSON object
 * or with a server-sent event stream that carries the answer among
 * other messages; both are read.  A conversation is:
 *
 *     initialize            -> protocolVersion, capabilities, serverInfo
 *                              and maybe an Mcp-Session-Id header
 *     notifications/initialized (202)
 *     tools/list ...        -> with MCP-Protocol-Version and the session
 *     DELETE                -> ends the session, when one was issued
 *
 * The client asks for MCPCLIENT_PROTOCOL_VERSION and accepts an answer
 * naming any version mcpclient_version_supported() knows.  What this
 * client does not do: batches (removed in 2025-06-18), the GET stream,
 * resuming a broken event stream (Last-Event-ID), answering requests the
 * server sends (sampling, elicitation, roots: they are ignored).
 *
 * Nothing secret (the bearer token, the URL, which may carry one) goes
 * into an error message or a log line.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef DRIO_MCPCLIENT_H
#define DRIO_MCPCLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "error.h"

struct outbound_policy;
struct vault;

/* The protocol version the client asks for: the latest it implements. */
#define MCPCLIENT_PROTOCOL_VERSION "2025-06-18"

#define MCPCLIENT_PAGES_MAX       20     /* tools/list pages read */
#define MCPCLIENT_TOOLS_MAX       1000   /* tools taken from a server */
#define MCPCLIENT_SESSION_ID_MAX  256    /* bytes in an Mcp-Session-Id */
#define MCPCLIENT_BEARER_MAX      4096   /* bytes in a bearer token */
#define MCPCLIENT_JSON_DEPTH      64     /* JSON nesting read */

/* A conversation with one server; opaque. */
struct mcpclient;

/* ---------------------------------------------------------------- */
/* Pure parts: framing and parsing, no I/O                           */

/*
 * Is version a protocol version this client can speak ("2025-06-18",
 * "2025-03-26")?  Can't fail.
 */
bool mcpclient_version_supported(const char *version);

/*
 * Is token usable as a bearer token in a header: 1 to
 * MCPCLIENT_BEARER_MAX visible ASCII characters (no blanks or controls,
 * so it cannot break the header)?  Can't fail.
 */
bool mcpclient_bearer_valid(const char *token);

/*
 * The JSON-RPC 2.0 text of a request with id (id > 0) or, when id is 0,
 * of a notification, for method with params (borrowed; NULL for none).
 * Returns a malloc'd NUL-terminated string the caller frees, or NULL and
 * err (ERR_INTERNAL) when memory is exhausted.
 */
char *mcpclient_frame(long long id, const char *method, json_object *params,
    struct error *err);

/*
 * The JSON-RPC messages in an answer's body (len bytes) by its
 * Content-Type content_type (may be NULL): application/json holds one
 * message (or, from an older server, an array of them); text/event-stream
 * holds events whose data (the "data" lines joined with newlines) is one
 * message each, while events of another type than "message" and events
 * without data (2025-11-25's priming events) are skipped.  Returns 0 and
 * *messages, a new JSON array of objects (release with
 * json_object_put), or -1 and err: ERR_UPSTREAM_UNAVAILABLE when the body
 * is not JSON or not an event stream of JSON objects, ERR_INTERNAL when
 * memory is exhausted.
 */
int mcpclient_parse_messages(const char *content_type, const char *body,
    size_t len, json_object **messages, struct error *err);

/*
 * Find the answer to request id among messages (borrowed) and take its
 * result.  Returns 0 and *result (a new reference to the result object;
 * json_object_put it), or -1 and err: ERR_UPSTREAM_UNAVAILABLE when there
 * is no answer with that id, the answer is a JSON-RPC error (its code is
 * in the message, its text is not: it may echo what was sent) or its
 * result is not an object.
 */
int mcpclient_find_result(json_object *messages, long long id,
    json_object **result, struct error *err);

/*
 * The catalog operations for tools (borrowed; the "tools" arrays of
 * tools/list results, joined), in the shape lib/oas gives discovered
 * OpenAPI operations, as far as it fits:
 *
 *     {"key": name, "operation_id": name, "method": null, "path": null,
 *      "summary": title (or annotations.title, or name),
 *      "description": description or "", "deprecated": false,
 *      "input_schema": inputSchema ({"type": "object"} when absent),
 *      "output_schema": outputSchema (only when given),
 *      "annotations": annotations or {}, "source": "mcp"}
 *
 * Texts are cut to OAS_SUMMARY_MAX and OAS_DESCRIPTION_MAX characters.
 * Returns 0 and *operations, a new JSON array, or -1 and err:
 * ERR_UPSTREAM_UNAVAILABLE when a tool is not an object, has no name
 * (a string of 1 to OAS_KEY_MAX bytes without control characters), names
 * a tool already listed, or has an inputSchema or annotations that is not
 * an object; ERR_UPSTREAM_TOO_LARGE for more than MCPCLIENT_TOOLS_MAX
 * tools.
 */
int mcpclient_tools_operations(json_object *tools, json_object **operations,
    struct error *err);

/* ---------------------------------------------------------------- */
/* Talking to a server                                               */

/*
 * Open a conversation with the MCP server at url under policy (both
 * borrowed; policy must outlive the conversation), sending
 * "Authorization: Bearer <bearer>" on every call when bearer is not NULL:
 * initialize, check the version the server chose, keep its session id,
 * send notifications/initialized.  Returns 0 and *out (release with
 * mcpclient_close), or -1 and err: ERR_BAD_REQUEST for a bearer token
 * mcpclient_bearer_valid refuses; outbound_request's errors
 * (ERR_DESTINATION_NOT_ALLOWED, ERR_UPSTREAM_UNAVAILABLE,
 * ERR_UPSTREAM_TOO_LARGE); ERR_UPSTREAM_UNAVAILABLE when the server
 * answers with an HTTP error, not as an MCP server, or with a protocol
 * version this client does not speak.
 */
int mcpclient_open(const struct outbound_policy *policy, const char *url,
    const char *bearer, struct mcpclient **out, struct error *err);

/* The protocol version the server chose.  Can't fail. */
const char *mcpclient_protocol_version(const struct mcpclient *c);

/* The server's serverInfo (borrowed from c; may be NULL).  Can't fail. */
json_object *mcpclient_server_info(const struct mcpclient *c);

/*
 * Send request method with params (borrowed; NULL for none) and take the
 * answer's result.  Returns 0 and *result (json_object_put it), or -1
 * and err as mcpclient_open reports them (a 404 after a session was
 * issued says the server ended the session).
 */
int mcpclient_request(struct mcpclient *c, const char *method,
    json_object *params, json_object **result, struct error *err);

/*
 * Every tool of the server c talks to: tools/list, following nextCursor
 * for at most MCPCLIENT_PAGES_MAX pages and MCPCLIENT_TOOLS_MAX tools.
 * Returns 0 and *tools, a new JSON array of the tool objects as the
 * server gave them, or -1 and err: mcpclient_request's errors;
 * ERR_UPSTREAM_TOO_LARGE over either bound; ERR_UPSTREAM_UNAVAILABLE
 * when a result has no tools array.
 */
int mcpclient_tools(struct mcpclient *c, json_object **tools,
    struct error *err);

/*
 * End the conversation: DELETE the session when the server issued one
 * (its refusal, e.g. 405, is logged only), then release c.  Accepts
 * NULL.  Can't fail.
 */
void mcpclient_close(struct mcpclient *c);

/*
 * One-shot forms, each a whole conversation (open, work, close).
 * mcpclient_list_tools: every tool, as mcpclient_tools gives them.
 * mcpclient_call_tool: tools/call of tool name with arguments (an object,
 * borrowed; NULL for {}); *result is the call's result as the server gave
 * it ({content: [...], structuredContent?, isError?}: a tool that failed
 * is a result with isError true, not an error here).  Both return 0 and
 * a new object the caller json_object_puts, or -1 and err as
 * mcpclient_open and mcpclient_request report them.
 */
int mcpclient_list_tools(const struct outbound_policy *policy,
    const char *url, const char *bearer, json_object **tools,
    struct error *err);
int mcpclient_call_tool(const struct outbound_policy *policy,
    const char *url, const char *bearer, const char *name,
    json_object *arguments, json_object **result, struct error *err);

/*
 * Did the call that set err fail because the server refused its
 * credentials (HTTP 401), so that a new access token may help?  Can't
 * fail.
 */
bool mcpclient_refused(const struct error *err);

/* ---------------------------------------------------------------- */
/* The custom MCP server integration                                 */

/* What adding a custom MCP server takes; every member is borrowed. */
struct mcpclient_integration {
	const char *workspace_id;
	const char *crew_id;       /* NULL: workspace scope */
	const char *name;          /* 1 to 255 characters */
	const char *url;           /* the server's Streamable HTTP endpoint */
	const char *token;         /* bearer token, or NULL */
	const char *created_by;    /* account id */
};

/*
 * Add the MCP server in (its caller has checked the account may: MANAGER+
 * in the workspace) as a workspace integration: check the crew is one of
 * the workspace's and the name is free, list the server's tools (with
 * the token as bearer), then insert the row: kind mcp_server, auth_mode
 * pat with a token (sealed in the vault as {"token": ...} under AAD
 * "workspace_integrations.secret:<workspace_id>:<id>", secret_fields
 * ["token"]) or none, status connected, the tools as catalog
 * (mcpclient_tools_operations), catalog_at now.  Nothing is stored when
 * anything fails.  Returns 0 and *out, the integration as a new object
 * {id, workspace_id, crew_id, connector_id, connector_version, name,
 * kind, auth_mode, url, status, status_message, fields, secret_fields,
 * oauth, catalog_size, created_by, created_at, updated_at, catalog}; or
 * -1 and err: ERR_CREW_NOT_FOUND, ERR_NAME_TAKEN, mcpclient_open's and
 * mcpclient_tools' errors, ERR_INTERNAL without a vault for a token, or
 * a database error.
 */
int mcpclient_add_integration(const struct outbound_policy *policy,
    struct vault *vault, const struct mcpclient_integration *in,
    json_object **out, struct error *err);

#endif

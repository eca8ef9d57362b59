/*
 * mcpwire.h: the MCP endpoint's wire layer, pure (no I/O, no HTTP, no
 * FastCGI): reading one POSTed JSON-RPC 2.0 message, deciding which era
 * of the protocol serves it, checking a modern request against its
 * headers, negotiating a legacy version, and building the JSON-RPC
 * answers, for a dual-era server (MCP 2026-07-28, basic/versioning
 * "Backward Compatibility": a request that carries the modern _meta is
 * served statelessly, an initialize request selects the legacy era).
 *
 * Versions: modern "2026-07-28"; legacy "2025-11-25", "2025-06-18" and
 * "2025-03-26".  The responder calls, in order:
 *
 *     mcpwire_parse(body)              -> a message, or a fault
 *     mcpwire_classify(msg, headers)   -> MCPWIRE_MODERN (all the
 *                                         2026-07-28 header checks done),
 *                                         MCPWIRE_LEGACY, or a fault
 *     legacy initialize                -> mcpwire_negotiate()
 *     legacy, after initialize         -> the session, then
 *                                         mcpwire_check_legacy()
 *     the answer                       -> mcpwire_result_response() (and
 *                                         mcpwire_modern_result() first in
 *                                         the modern era),
 *                                         mcpwire_error_response(), or
 *                                         mcpwire_fault_response()
 *
 * A fault is the complete verdict on a refused message: the HTTP status,
 * the JSON-RPC code, message and data, and the id to answer with (null
 * when none could be read).  It is not a struct error: JSON-RPC errors
 * need a numeric code, data and an id that drio's ErrorBody has no room
 * for, and the responder answers them in JSON-RPC, not as an ErrorBody.
 * Texts in a fault never quote header or body values; only the data of
 * a version fault repeats the version the client asked for, as
 * 2026-07-28 requires of -32022.
 *
 * Decisions the specification leaves open (see mcpwire.c for the
 * reasoning next to the code):
 *   - Batches (JSON arrays) are refused in every era with 400 and
 *     -32600, id null, although 2025-03-26 allowed them.
 *   - Bodies are read as strict RFC 8259 JSON (json-c alone accepts
 *     comments, single quotes, NaN, trailing commas), strict UTF-8, at
 *     most MCPWIRE_JSON_DEPTH deep; anything else is -32700.
 *   - An integer id must lie strictly between INT64_MIN and INT64_MAX
 *     (json-c clamps larger ones, so they could not be echoed exactly).
 *   - An unusable MCP-Protocol-Version header on a legacy request is
 *     400 with -32600 and data {supported, requested}.
 *   - The supported list in -32022 names every version, both eras, as
 *     the specification's own example does.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef DRIO_MCPWIRE_H
#define DRIO_MCPWIRE_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "error.h"

/* ---------------------------------------------------------------- */
/* Versions                                                          */

#define MCPWIRE_VERSION_MODERN        "2026-07-28" /* the latest */
#define MCPWIRE_VERSION_LEGACY_LATEST "2025-11-25"
/* What a legacy request without MCP-Protocol-Version is assumed to speak
 * when nothing else says (2025-06-18 basic/transports). */
#define MCPWIRE_VERSION_ASSUMED       "2025-03-26"

/* The deepest nesting of arrays and objects a body may have. */
#define MCPWIRE_JSON_DEPTH 64

/* The longest header value checked; longer ones are malformed. */
#define MCPWIRE_HEADER_MAX 8192

/*
 * The _meta keys of 2026-07-28 (schema.ts RequestMetaObject,
 * ResultMetaObject).
 */
#define MCPWIRE_META_PROTOCOL_VERSION "io.modelcontextprotocol/protocolVersion"
#define MCPWIRE_META_CLIENT_INFO "io.modelcontextprotocol/clientInfo"
#define MCPWIRE_META_CLIENT_CAPABILITIES \
	"io.modelcontextprotocol/clientCapabilities"
#define MCPWIRE_META_SERVER_INFO "io.modelcontextprotocol/serverInfo"

/*
 * JSON-RPC error codes.  The first five are JSON-RPC 2.0's own; -32020
 * to -32022 are MCP 2026-07-28's (basic/index "Error Codes"), renumbered
 * from the draft's -32001, -32003 and -32004, which no released revision
 * ever used: drio never sends those, they are here only so that nobody
 * reuses them.  -32002 and -32042 belong to 2025-11-25 and earlier; a
 * modern answer must not use them.
 */
enum mcpwire_code {
	MCPWIRE_PARSE_ERROR            = -32700,
	MCPWIRE_INVALID_REQUEST        = -32600,
	MCPWIRE_METHOD_NOT_FOUND       = -32601,
	MCPWIRE_INVALID_PARAMS         = -32602,
	MCPWIRE_INTERNAL_ERROR         = -32603,
	MCPWIRE_HEADER_MISMATCH        = -32020,
	MCPWIRE_MISSING_CAPABILITY     = -32021,
	MCPWIRE_UNSUPPORTED_VERSION    = -32022,
	MCPWIRE_DRAFT_HEADER_MISMATCH  = -32001, /* never sent */
	MCPWIRE_DRAFT_MISSING_CAPABILITY = -32003, /* never sent */
	MCPWIRE_DRAFT_UNSUPPORTED_VERSION = -32004, /* never sent */
	MCPWIRE_LEGACY_RESOURCE_NOT_FOUND = -32002, /* <= 2025-11-25 */
	MCPWIRE_LEGACY_URL_ELICITATION = -32042  /* 2025-11-25 only */
};

enum mcpwire_era {
	MCPWIRE_LEGACY = 1,       /* initialize and sessions, <= 2025-11-25 */
	MCPWIRE_MODERN            /* per-request _meta, >= 2026-07-28 */
};

/*
 * Every version drio speaks, newest first, ending with NULL: the modern
 * one, then the legacy ones.  Static; can't fail.
 */
const char *const *mcpwire_versions(void);

/* Is version one drio speaks in the modern era?  Can't fail. */
bool mcpwire_version_is_modern(const char *version);

/* Is version one drio speaks in the legacy era?  Can't fail. */
bool mcpwire_version_is_legacy(const char *version);

/*
 * The version to answer a legacy initialize with: requested when drio
 * speaks it in the legacy era, else the latest legacy version (2025-06-18
 * basic/lifecycle "Version Negotiation"; a modern or unknown version, or
 * NULL, gets MCPWIRE_VERSION_LEGACY_LATEST).  Returns a static string.
 * Can't fail.
 */
const char *mcpwire_negotiate(const char *requested);

/*
 * A new JSON array of mcpwire_versions(), for DiscoverResult's
 * supportedVersions.  Returns NULL when memory is exhausted.
 */
json_object *mcpwire_versions_json(void);

/* ---------------------------------------------------------------- */
/* Faults                                                            */

/* What a fault refuses. */
enum mcpwire_fault_kind {
	MCPWIRE_FAULT_NONE = 0,
	MCPWIRE_FAULT_PARSE,      /* not JSON, too deep: -32700 */
	MCPWIRE_FAULT_INVALID,    /* not a JSON-RPC message: -32600 */
	MCPWIRE_FAULT_BATCH,      /* a JSON array: -32600 */
	MCPWIRE_FAULT_ENVELOPE,   /* malformed or missing _meta: -32602 */
	MCPWIRE_FAULT_HEADER,     /* header missing, malformed or not the
	                           * body's: -32020 */
	MCPWIRE_FAULT_VERSION,    /* unsupported version: -32022 (modern),
	                           * -32600 (legacy header) */
	MCPWIRE_FAULT_INTERNAL    /* memory exhausted: -32603 */
};

/*
 * The verdict on a refused message, filled by the functions below.  The
 * caller owns the struct, and mcpwire_fault_clear() releases what it
 * holds (data and id); clear it before reuse.
 */
struct mcpwire_fault {
	enum mcpwire_fault_kind kind;
	int status;               /* HTTP status to answer with */
	int code;                 /* JSON-RPC error code */
	char message[256];        /* JSON-RPC error message */
	json_object *data;        /* JSON-RPC error data, or NULL; owned */
	json_object *id;          /* the id to answer with, or NULL for
	                           * null; an owned reference */
};

/* Release what fault holds and zero it.  Accepts NULL.  Can't fail. */
void mcpwire_fault_clear(struct mcpwire_fault *fault);

/*
 * The JSON-RPC error response for fault: {"jsonrpc": "2.0", "id": id or
 * null, "error": {code, message, data when set}}.  Borrows fault.
 * Returns a new object, or NULL when memory is exhausted.
 */
json_object *mcpwire_fault_response(const struct mcpwire_fault *fault);

/* ---------------------------------------------------------------- */
/* Messages                                                          */

enum mcpwire_kind {
	MCPWIRE_REQUEST = 1,      /* method and id */
	MCPWIRE_NOTIFICATION,     /* method, no id */
	MCPWIRE_RESPONSE          /* result or error (legacy era only) */
};

/*
 * One parsed message.  root owns the parsed body; every other pointer
 * borrows from it and lives as long as the message.  Strings are never
 * NULL-truncated: a value with an embedded NUL is refused or treated as
 * absent.  mcpwire_message_clear() releases it.
 */
struct mcpwire_message {
	json_object *root;        /* the body; owned */
	enum mcpwire_kind kind;
	json_object *id;          /* string or integer; NULL for
	                           * notifications and for error responses
	                           * with a null or missing id */
	const char *method;       /* requests and notifications */
	json_object *params;      /* an object, or NULL */
	json_object *result;      /* result responses */
	json_object *error;       /* error responses */
	json_object *meta;        /* params._meta when an object */
	bool claim;               /* meta has the protocolVersion key, so
	                           * the message claims the modern era */
	const char *meta_version; /* that key's value when a string */
	const char *init_version; /* initialize: params.protocolVersion
	                           * when a string */
	/*
	 * Who the client says it is and what it can do: from meta
	 * (clientInfo, clientCapabilities) when it claims the modern
	 * era, from params (clientInfo, capabilities) for initialize; an
	 * object or NULL.  client_name and client_version are clientInfo's
	 * name and version when strings, for logs only (2026-07-28: a
	 * server "SHOULD NOT rely on it for security decisions").
	 */
	json_object *client_info;
	json_object *client_capabilities;
	const char *client_name;
	const char *client_version;
	/*
	 * The value Mcp-Name mirrors: params.name of tools/call and
	 * prompts/get, params.uri of resources/read, when a string; else
	 * NULL.
	 */
	const char *name;
};

/* Release what msg holds and zero it.  Accepts NULL.  Can't fail. */
void mcpwire_message_clear(struct mcpwire_message *msg);

/*
 * Parse one POST body of len bytes into msg: a single JSON-RPC 2.0
 * request (method, id a string or an integer, never null or fractional),
 * notification (method, no id) or response (id, and exactly one of
 * result and error), with jsonrpc exactly "2.0" and params, when
 * present, an object.  A request or notification may not also carry
 * result or error.
 *
 * Returns 0 and fills msg (release with mcpwire_message_clear), or -1
 * and fills fault, msg left empty:
 *   - PARSE, 400, -32700, id null: not strict JSON, not UTF-8, empty,
 *     or nested deeper than MCPWIRE_JSON_DEPTH;
 *   - BATCH, 400, -32600, id null: a JSON array, even an empty one;
 *   - INVALID, 400, -32600: a value that is not such a message; the id
 *     is the message's own when it could be read (a string or an
 *     integer next to a string method, or in a response), else null;
 *   - INTERNAL, 500, -32603: memory exhausted.
 */
int mcpwire_parse(const char *body, size_t len, struct mcpwire_message *msg,
    struct mcpwire_fault *fault);

/*
 * The three request headers 2026-07-28 defines (basic/transports/
 * streamable-http "Request Metadata"), as received, each NULL when
 * absent.  Spaces and tabs around a value are ignored.
 */
struct mcpwire_headers {
	const char *protocol_version;  /* MCP-Protocol-Version */
	const char *method;            /* Mcp-Method */
	const char *name;              /* Mcp-Name */
};

/*
 * Decide which era serves msg (borrowed), with its headers h (borrowed;
 * NULL means none), as a dual-era server must, and check a modern
 * message completely:
 *
 *   - initialize is legacy, unless its _meta claims a modern version
 *     with a well-formed envelope (then it is a modern request, which
 *     the responder answers with 404 and -32601); initialize with a
 *     modern MCP-Protocol-Version header but no claim is HEADER;
 *   - a request or notification whose params._meta has the
 *     protocolVersion key is modern, and must then pass, in order:
 *     the envelope (the version a string; for requests clientCapabilities
 *     an object and clientInfo, when present, an object with string name
 *     and version) else ENVELOPE, 400, -32602; MCP-Protocol-Version,
 *     when present, equal to the _meta version, and Mcp-Method, when
 *     present, equal to the method, else HEADER, 400, -32020; the
 *     version one drio speaks in the modern era, else VERSION, 400,
 *     -32022 with data {"supported": every version, "requested"}; for
 *     requests, MCP-Protocol-Version and Mcp-Method present, else
 *     HEADER; for tools/call, prompts/get and resources/read, Mcp-Name
 *     present, made only of visible ASCII, spaces and tabs, decoded
 *     from its =?base64?...?= form when it has one (standard base64
 *     with padding, to UTF-8 without NUL), and equal to msg->name, else
 *     HEADER.  Values compare exactly: case matters;
 *   - a request without the claim whose MCP-Protocol-Version names a
 *     modern-era version (2026-07-28 or later) is ENVELOPE, 400,
 *     -32602 (it lacks the _meta a modern request must carry); a
 *     notification without the claim and such a header is modern, and
 *     its Mcp-Method, when present, must match, and the version must
 *     be supported;
 *   - everything else, responses included, is legacy.
 *
 * Faults carry the message's id when it has one.  Returns 0 and *era,
 * or -1 and fault (INTERNAL, 500, -32603 when memory is exhausted).
 */
int mcpwire_classify(const struct mcpwire_message *msg,
    const struct mcpwire_headers *h, enum mcpwire_era *era,
    struct mcpwire_fault *fault);

/*
 * Check the MCP-Protocol-Version header (header, NULL when absent) of a
 * legacy message after initialize, whose session negotiated
 * session_version (NULL when the caller does not know it).  A present
 * header must name a legacy version drio speaks (2025-06-18
 * basic/transports: "invalid or unsupported" gets 400); it need not
 * equal the session's, which the client only SHOULD send.  The id of
 * the fault is msg's (msg may be NULL).
 *
 * Returns 0 and *version, the version that serves the message (a static
 * string): session_version when drio speaks it in the legacy era, else
 * the header's, else MCPWIRE_VERSION_ASSUMED.  Returns -1 and fault:
 * VERSION, 400, -32600 with data {"supported": the legacy versions,
 * "requested": the header}; INTERNAL when memory is exhausted.
 */
int mcpwire_check_legacy(const struct mcpwire_message *msg,
    const char *header, const char *session_version, const char **version,
    struct mcpwire_fault *fault);

/*
 * Decode a header value that may use the 2026-07-28 sentinel
 * "=?base64?<standard base64 of UTF-8>?=" (prefix and suffix exactly so,
 * lowercase), after dropping spaces and tabs around it.  A value without
 * the sentinel must be visible ASCII, spaces and tabs only.  The decoded
 * text must be UTF-8 without NUL.  Returns a malloc'd NUL-terminated
 * string the caller frees, or NULL when value is malformed, longer than
 * MCPWIRE_HEADER_MAX, or memory is exhausted.
 */
char *mcpwire_header_decode(const char *value);

/*
 * The HTTP status for a JSON-RPC error that a method handler (not this
 * module, whose faults carry their own) answers with in era: in the
 * modern era -32601 is 404 (streamable-http "Protocol Version Header":
 * MUST) and -32020, -32021 and -32022 are 400; everything else, and
 * every legacy error, travels in a 200 answer.  Can't fail.
 */
int mcpwire_error_status(enum mcpwire_era era, int code);

/*
 * The code for "no such resource" in resources/read at version: -32002
 * up to 2025-11-25, -32602 from 2026-07-28 (changelog minor #6).  Can't
 * fail.
 */
int mcpwire_resource_not_found_code(const char *version);

/* ---------------------------------------------------------------- */
/* Answers                                                           */

/*
 * The result response {"jsonrpc": "2.0", "id": id, "result": result}.
 * id is borrowed (the response takes its own reference); result is
 * taken over, also when the call fails.  Returns a new object, or NULL
 * when memory is exhausted.
 */
json_object *mcpwire_result_response(json_object *id, json_object *result);

/*
 * The error response {"jsonrpc": "2.0", "id": id or null, "error":
 * {"code": code, "message": message, "data": data}}, data left out when
 * NULL.  id is borrowed; data is taken over, also when the call fails.
 * Returns a new object, or NULL when memory is exhausted.
 */
json_object *mcpwire_error_response(json_object *id, int code,
    const char *message, json_object *data);

/* A server's name, optional title and version (schema Implementation). */
struct mcpwire_implementation {
	const char *name;
	const char *title;        /* NULL to leave out */
	const char *version;
};

/*
 * The JSON of impl: {"name", "title" when set, "version"}, for
 * initialize's serverInfo and the modern _meta serverInfo.  Returns a
 * new object, or NULL when memory is exhausted or name or version is
 * NULL.
 */
json_object *mcpwire_implementation_json(
    const struct mcpwire_implementation *impl);

/* cacheScope (2026-07-28 server/utilities/caching). */
enum mcpwire_cache_scope {
	MCPWIRE_CACHE_PUBLIC = 1, /* the same for every caller */
	MCPWIRE_CACHE_PRIVATE     /* may vary with the authorization */
};

/*
 * Does a complete result of method need ttlMs and cacheScope in
 * 2026-07-28 (server/discover, tools/list, prompts/list, resources/list,
 * resources/templates/list, resources/read)?  Can't fail.
 */
bool mcpwire_method_is_cacheable(const char *method);

/*
 * Decorate result (an object, borrowed and changed in place), the
 * complete result of method, for 2026-07-28: "resultType": "complete";
 * for a cacheable method "ttlMs": ttl_ms and "cacheScope": scope; and
 * _meta["io.modelcontextprotocol/serverInfo"] = server (when not NULL),
 * added to a _meta object already there.  Returns 0, or -1 and err:
 * ERR_INTERNAL when result or its _meta is not an object, ttl_ms is
 * negative or scope unknown for a cacheable method, or memory is
 * exhausted.
 */
int mcpwire_modern_result(json_object *result, const char *method,
    const struct mcpwire_implementation *server, long long ttl_ms,
    enum mcpwire_cache_scope scope, struct error *err);

#endif

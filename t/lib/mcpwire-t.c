/*
 * mcpwire-t.c: tests for lib/mcpwire.c, the MCP endpoint's wire layer.
 * Checks the promises of mcpwire.h: one JSON-RPC 2.0 message per body
 * (odd ids, jsonrpc, method, params, result and error, notifications,
 * responses), strict JSON and UTF-8 with its depth bound, batches; the
 * era of each message and every 2026-07-28 header rule (presence,
 * exact values, case, the =?base64?...?= sentinel), the modern
 * envelope, unsupported versions and their data; the legacy header
 * check and version negotiation; and the answers built (result and
 * error responses, faults, resultType, ttlMs, cacheScope, serverInfo).
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "error.h"
#include "mcpwire.h"
#include "t/tap/basic.h"

#define V_MODERN "\"io.modelcontextprotocol/protocolVersion\""
#define CAPS     "\"io.modelcontextprotocol/clientCapabilities\": {}"
#define INFO     "\"io.modelcontextprotocol/clientInfo\": " \
	"{\"name\": \"probe\", \"version\": \"1.0\"}"

/* A modern request body: method, id 7, extra params, _meta version. */
#define MODERN(method, params, version) \
	"{\"jsonrpc\": \"2.0\", \"id\": 7, \"method\": \"" method "\", " \
	"\"params\": {" params "\"_meta\": {" V_MODERN ": \"" version \
	"\", " CAPS ", " INFO "}}}"

/* Parse body (NUL-terminated) or bail. */
static void
parse_or_bail(const char *body, struct mcpwire_message *msg)
{
	struct mcpwire_fault fault = { 0 };

	if (mcpwire_parse(body, strlen(body), msg, &fault) != 0)
		bail("cannot parse test body (%s): %s", fault.message, body);
	mcpwire_fault_clear(&fault);
}

/*
 * Parse len bytes of body and check that it is refused with kind,
 * status, code and id (JSON text; "null" for none).
 */
static void
refused_len(const char *body, size_t len, enum mcpwire_fault_kind kind,
    int code, const char *id, const char *what)
{
	struct mcpwire_message msg;
	struct mcpwire_fault fault = { 0 };
	int rc;

	rc = mcpwire_parse(body, len, &msg, &fault);
	if (!ok(rc == -1 && fault.kind == kind && fault.status ==
	    (kind == MCPWIRE_FAULT_INTERNAL ? 500 : 400) &&
	    fault.code == code && msg.root == NULL, "%s", what))
		diag("rc %d, kind %d, status %d, code %d (%s)", rc,
		    (int)fault.kind, fault.status, fault.code, fault.message);
	is_json(id, fault.id, "... and answers with id %s", id);
	mcpwire_message_clear(&msg);
	mcpwire_fault_clear(&fault);
}

static void
refused(const char *body, enum mcpwire_fault_kind kind, int code,
    const char *id, const char *what)
{
	refused_len(body, strlen(body), kind, code, id, what);
}

/* Parse body and check its kind and id (JSON text, "null" for none). */
static void
accepted(const char *body, enum mcpwire_kind kind, const char *id,
    const char *what)
{
	struct mcpwire_message msg;
	struct mcpwire_fault fault = { 0 };
	int rc;

	rc = mcpwire_parse(body, strlen(body), &msg, &fault);
	if (!ok(rc == 0 && msg.kind == kind, "%s", what))
		diag("rc %d, kind %d (%s)", rc, (int)msg.kind, fault.message);
	is_json(id, msg.id, "... and its id is %s", id);
	mcpwire_message_clear(&msg);
	mcpwire_fault_clear(&fault);
}

static void
test_ids(void)
{
	accepted("{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"ping\"}",
	    MCPWIRE_REQUEST, "1", "a request with an integer id is read");
	accepted("{\"jsonrpc\": \"2.0\", \"id\": 0, \"method\": \"ping\"}",
	    MCPWIRE_REQUEST, "0", "id 0 is an id");
	accepted("{\"jsonrpc\": \"2.0\", \"id\": -42, \"method\": \"ping\"}",
	    MCPWIRE_REQUEST, "-42", "a negative id is an id");
	accepted("{\"jsonrpc\": \"2.0\", \"id\": \"a-1\", "
	    "\"method\": \"ping\"}", MCPWIRE_REQUEST, "\"a-1\"",
	    "a string id is an id");
	accepted("{\"jsonrpc\": \"2.0\", \"id\": \"\", \"method\": \"ping\"}",
	    MCPWIRE_REQUEST, "\"\"", "an empty string id is an id");
	accepted("{\"jsonrpc\": \"2.0\", \"id\": 9223372036854775806, "
	    "\"method\": \"ping\"}", MCPWIRE_REQUEST, "9223372036854775806",
	    "the largest integer id kept exactly is an id");
	accepted("{\"jsonrpc\": \"2.0\", \"id\": -9223372036854775807, "
	    "\"method\": \"ping\"}", MCPWIRE_REQUEST, "-9223372036854775807",
	    "the smallest integer id kept exactly is an id");
	accepted("{\"jsonrpc\": \"2.0\", \"method\": "
	    "\"notifications/initialized\"}", MCPWIRE_NOTIFICATION, "null",
	    "a message without id is a notification");

	refused("{\"jsonrpc\": \"2.0\", \"id\": null, \"method\": \"ping\"}",
	    MCPWIRE_FAULT_INVALID, -32600, "null",
	    "a null request id is refused");
	refused("{\"jsonrpc\": \"2.0\", \"id\": 1.5, \"method\": \"ping\"}",
	    MCPWIRE_FAULT_INVALID, -32600, "null",
	    "a fractional id is refused");
	refused("{\"jsonrpc\": \"2.0\", \"id\": 1.0, \"method\": \"ping\"}",
	    MCPWIRE_FAULT_INVALID, -32600, "null",
	    "an id written with a fraction (1.0) is refused");
	refused("{\"jsonrpc\": \"2.0\", \"id\": 1e3, \"method\": \"ping\"}",
	    MCPWIRE_FAULT_INVALID, -32600, "null",
	    "an id written with an exponent is refused");
	refused("{\"jsonrpc\": \"2.0\", \"id\": true, \"method\": \"ping\"}",
	    MCPWIRE_FAULT_INVALID, -32600, "null",
	    "a boolean id is refused");
	refused("{\"jsonrpc\": \"2.0\", \"id\": {}, \"method\": \"ping\"}",
	    MCPWIRE_FAULT_INVALID, -32600, "null",
	    "an object id is refused");
	refused("{\"jsonrpc\": \"2.0\", \"id\": [1], \"method\": \"ping\"}",
	    MCPWIRE_FAULT_INVALID, -32600, "null",
	    "an array id is refused");
	refused("{\"jsonrpc\": \"2.0\", \"id\": 9223372036854775807, "
	    "\"method\": \"ping\"}", MCPWIRE_FAULT_INVALID, -32600, "null",
	    "INT64_MAX, where json-c clamps, is refused");
	refused("{\"jsonrpc\": \"2.0\", \"id\": 9223372036854775808, "
	    "\"method\": \"ping\"}", MCPWIRE_FAULT_INVALID, -32600, "null",
	    "an id beyond int64 is refused");
	refused("{\"jsonrpc\": \"2.0\", \"id\": "
	    "123456789012345678901234567890, \"method\": \"ping\"}",
	    MCPWIRE_FAULT_INVALID, -32600, "null",
	    "a huge id json-c would clamp is refused");
	refused("{\"jsonrpc\": \"2.0\", \"id\": -9223372036854775809, "
	    "\"method\": \"ping\"}", MCPWIRE_FAULT_INVALID, -32600, "null",
	    "an id below int64 is refused");
	refused("{\"jsonrpc\": \"2.0\", \"id\": \"a\\u0000b\", "
	    "\"method\": \"ping\"}", MCPWIRE_FAULT_INVALID, -32600, "null",
	    "a string id with NUL is refused");
}

static void
test_shape(void)
{
	struct mcpwire_message msg;

	refused("{\"id\": 5, \"method\": \"ping\"}", MCPWIRE_FAULT_INVALID,
	    -32600, "5", "a message without jsonrpc is refused");
	refused("{\"jsonrpc\": \"1.0\", \"id\": 5, \"method\": \"ping\"}",
	    MCPWIRE_FAULT_INVALID, -32600, "5",
	    "jsonrpc 1.0 is refused");
	refused("{\"jsonrpc\": 2.0, \"id\": \"x\", \"method\": \"ping\"}",
	    MCPWIRE_FAULT_INVALID, -32600, "\"x\"",
	    "jsonrpc as a number is refused");
	refused("{\"jsonrpc\": \"2.0 \", \"id\": 5, \"method\": \"ping\"}",
	    MCPWIRE_FAULT_INVALID, -32600, "5",
	    "jsonrpc compares exactly");
	refused("{\"jsonrpc\": \"2.0\", \"id\": 5, \"method\": 42}",
	    MCPWIRE_FAULT_INVALID, -32600, "5",
	    "a method that is not a string is refused");
	refused("{\"jsonrpc\": \"2.0\", \"id\": 5, \"method\": \"\"}",
	    MCPWIRE_FAULT_INVALID, -32600, "5",
	    "an empty method is refused");
	refused("{\"jsonrpc\": \"2.0\", \"id\": 5, "
	    "\"method\": \"tools/call\\u0000x\"}", MCPWIRE_FAULT_INVALID,
	    -32600, "5", "a method with NUL is refused, not cut short");
	refused("{\"jsonrpc\": \"2.0\", \"id\": 5, \"method\": \"ping\", "
	    "\"params\": [1]}", MCPWIRE_FAULT_INVALID, -32600, "5",
	    "params as an array is refused");
	refused("{\"jsonrpc\": \"2.0\", \"id\": 5, \"method\": \"ping\", "
	    "\"params\": null}", MCPWIRE_FAULT_INVALID, -32600, "5",
	    "params as null is refused");
	refused("{\"jsonrpc\": \"2.0\", \"method\": \"x\", \"params\": 3}",
	    MCPWIRE_FAULT_INVALID, -32600, "null",
	    "a notification with scalar params is refused");
	refused("{\"jsonrpc\": \"2.0\", \"id\": 5, \"method\": \"ping\", "
	    "\"result\": {}}", MCPWIRE_FAULT_INVALID, -32600, "5",
	    "a request with a result is refused");
	refused("{\"jsonrpc\": \"2.0\", \"id\": 5, \"result\": {}, "
	    "\"error\": {\"code\": 1, \"message\": \"m\"}}",
	    MCPWIRE_FAULT_INVALID, -32600, "5",
	    "a response with result and error is refused");
	refused("{\"jsonrpc\": \"2.0\", \"id\": 5}", MCPWIRE_FAULT_INVALID,
	    -32600, "5", "a message with neither method nor result is "
	    "refused");
	refused("{\"jsonrpc\": \"2.0\", \"id\": 5, \"result\": 3}",
	    MCPWIRE_FAULT_INVALID, -32600, "5",
	    "a result that is not an object is refused");
	refused("{\"jsonrpc\": \"2.0\", \"id\": null, \"result\": {}}",
	    MCPWIRE_FAULT_INVALID, -32600, "null",
	    "a result response with a null id is refused");
	refused("{\"jsonrpc\": \"2.0\", \"id\": 5, \"error\": "
	    "{\"code\": 1.5, \"message\": \"m\"}}", MCPWIRE_FAULT_INVALID,
	    -32600, "5", "an error with a fractional code is refused");
	refused("{\"jsonrpc\": \"2.0\", \"id\": 5, \"error\": "
	    "{\"code\": 1}}", MCPWIRE_FAULT_INVALID, -32600, "5",
	    "an error without a message is refused");
	refused("{\"jsonrpc\": \"2.0\", \"id\": true, \"error\": "
	    "{\"code\": 1, \"message\": \"m\"}}", MCPWIRE_FAULT_INVALID,
	    -32600, "null", "an error response with a boolean id is "
	    "refused");

	accepted("{\"jsonrpc\": \"2.0\", \"id\": \"s1\", \"result\": {}}",
	    MCPWIRE_RESPONSE, "\"s1\"", "a result response is read");
	accepted("{\"jsonrpc\": \"2.0\", \"id\": null, \"error\": "
	    "{\"code\": -32600, \"message\": \"bad\"}}", MCPWIRE_RESPONSE,
	    "null", "an error response with a null id is read");
	accepted("{\"jsonrpc\": \"2.0\", \"error\": "
	    "{\"code\": -32600, \"message\": \"bad\"}}", MCPWIRE_RESPONSE,
	    "null", "an error response without id is read");
	accepted("{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"x\", "
	    "\"extra\": true}", MCPWIRE_REQUEST, "1",
	    "members JSON-RPC does not define are ignored");

	parse_or_bail("{\"jsonrpc\": \"2.0\", \"id\": 3, \"method\": "
	    "\"tools/list\", \"params\": {\"cursor\": \"c\"}}", &msg);
	is_string("tools/list", msg.method, "the method is read");
	is_json("{\"cursor\": \"c\"}", msg.params, "params are read");
	ok(!msg.claim && msg.meta == NULL, "no _meta means no modern claim");
	mcpwire_message_clear(&msg);
	ok(msg.root == NULL, "clearing a message releases its body");
	mcpwire_message_clear(NULL);
	ok(true, "clearing NULL is harmless");
}

/*
 * Write into buf (size bytes) a notification nested depth deep: its own
 * object, params' object, then depth - 2 arrays.
 */
static void
nested(char *buf, size_t size, int depth)
{
	size_t n;
	int i;

	n = (size_t)snprintf(buf, size, "{\"jsonrpc\": \"2.0\", "
	    "\"method\": \"x\", \"params\": {\"a\": ");
	if (n + 2 * (size_t)depth + 1 > size)
		bail("nested: buffer too small");
	for (i = 2; i < depth; i++)
		buf[n++] = '[';
	for (i = 2; i < depth; i++)
		buf[n++] = ']';
	buf[n++] = '}';
	buf[n++] = '}';
	buf[n] = '\0';
}

static void
test_json(void)
{
	char deep[2 * (MCPWIRE_JSON_DEPTH + 1) + 64];
	size_t n;
	int i;

	refused("", MCPWIRE_FAULT_PARSE, -32700, "null",
	    "an empty body is a parse error");
	refused(" \r\n", MCPWIRE_FAULT_PARSE, -32700, "null",
	    "a blank body is a parse error");
	refused("{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"ping\"",
	    MCPWIRE_FAULT_PARSE, -32700, "null",
	    "an unclosed object is a parse error");
	refused("{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"ping\"}x",
	    MCPWIRE_FAULT_PARSE, -32700, "null",
	    "trailing garbage is a parse error");
	refused("{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"ping\"} {}",
	    MCPWIRE_FAULT_PARSE, -32700, "null",
	    "two values are a parse error");
	refused("/* c */ {\"jsonrpc\": \"2.0\", \"method\": \"x\"}",
	    MCPWIRE_FAULT_PARSE, -32700, "null",
	    "a comment is a parse error");
	refused("{'jsonrpc': '2.0', 'method': 'x'}", MCPWIRE_FAULT_PARSE,
	    -32700, "null", "single quotes are a parse error");
	refused("{\"jsonrpc\": \"2.0\", \"method\": \"x\",}",
	    MCPWIRE_FAULT_PARSE, -32700, "null",
	    "a trailing comma is a parse error");
	refused("{\"jsonrpc\": \"2.0\", \"method\": \"x\", \"params\": "
	    "{\"a\": NaN}}", MCPWIRE_FAULT_PARSE, -32700, "null",
	    "NaN is a parse error");
	refused("{\"jsonrpc\": \"2.0\", \"id\": 01, \"method\": \"x\"}",
	    MCPWIRE_FAULT_PARSE, -32700, "null",
	    "a leading zero is a parse error");
	refused("{\"jsonrpc\": \"2.0\", \"method\": \"a\tb\"}",
	    MCPWIRE_FAULT_PARSE, -32700, "null",
	    "a raw control character in a string is a parse error");
	refused("{\"jsonrpc\": \"2.0\", \"method\": \"\\x41\"}",
	    MCPWIRE_FAULT_PARSE, -32700, "null",
	    "an unknown escape is a parse error");
	refused("{\"jsonrpc\": \"2.0\", \"method\": \"\xc3\x28\"}",
	    MCPWIRE_FAULT_PARSE, -32700, "null",
	    "invalid UTF-8 is a parse error");
	refused("{\"jsonrpc\": \"2.0\", \"method\": \"\xc0\xaf\"}",
	    MCPWIRE_FAULT_PARSE, -32700, "null",
	    "overlong UTF-8 is a parse error");
	refused("{\"jsonrpc\": \"2.0\", \"method\": \"\xed\xa0\x80\"}",
	    MCPWIRE_FAULT_PARSE, -32700, "null",
	    "a UTF-8 encoded surrogate is a parse error");
	refused("{\"jsonrpc\": \"2.0\", \"method\": \"\xf4\x90\x80\x80\"}",
	    MCPWIRE_FAULT_PARSE, -32700, "null",
	    "UTF-8 beyond U+10FFFF is a parse error");
	refused("{\"jsonrpc\": \"2.0\", \"method\": \"\\ud800\"}",
	    MCPWIRE_FAULT_PARSE, -32700, "null",
	    "a lone surrogate escape is a parse error");
	refused("{\"jsonrpc\": \"2.0\", \"method\": \"\\udc00\\ud800\"}",
	    MCPWIRE_FAULT_PARSE, -32700, "null",
	    "surrogate escapes in the wrong order are a parse error");
	refused("{\"jsonrpc\": \"2.0\", \"method\": \"\\udc00\"}",
	    MCPWIRE_FAULT_PARSE, -32700, "null",
	    "a lone low surrogate escape is a parse error");
	refused("{\"jsonrpc\": \"2.0\", \"method\": \"\\ud800\\u0041\"}",
	    MCPWIRE_FAULT_PARSE, -32700, "null",
	    "a high surrogate escape before another escape is a parse error");
	refused_len("{\"jsonrpc\": \"2.0\", \"method\": \"x\"}\0", 34,
	    MCPWIRE_FAULT_PARSE, -32700, "null",
	    "a NUL byte after the value is a parse error");
	accepted("{\"jsonrpc\": \"2.0\", \"method\": \"\\ud83d\\ude00 "
	    "\xe4\xb8\x96\"}\r\n", MCPWIRE_NOTIFICATION, "null",
	    "surrogate pairs, UTF-8 and trailing blanks are fine");

	refused("1", MCPWIRE_FAULT_INVALID, -32600, "null",
	    "a number body is an invalid request");
	refused("\"ping\"", MCPWIRE_FAULT_INVALID, -32600, "null",
	    "a string body is an invalid request");
	refused("null", MCPWIRE_FAULT_INVALID, -32600, "null",
	    "a null body is an invalid request");

	refused("[]", MCPWIRE_FAULT_BATCH, -32600, "null",
	    "an empty batch is refused as a batch");
	refused("[{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"ping\"}]",
	    MCPWIRE_FAULT_BATCH, -32600, "null",
	    "a batch of one request is refused");
	refused("[{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"ping\"},",
	    MCPWIRE_FAULT_PARSE, -32700, "null",
	    "a batch that is not JSON is a parse error");

	nested(deep, sizeof(deep), MCPWIRE_JSON_DEPTH);
	accepted(deep, MCPWIRE_NOTIFICATION, "null",
	    "a message nested exactly MCPWIRE_JSON_DEPTH deep is read");
	nested(deep, sizeof(deep), MCPWIRE_JSON_DEPTH + 1);
	refused(deep, MCPWIRE_FAULT_PARSE, -32700, "null",
	    "a message nested one deeper is a parse error");
	n = 0;
	for (i = 0; i < MCPWIRE_JSON_DEPTH + 1; i++)
		deep[n++] = '[';
	for (i = 0; i < MCPWIRE_JSON_DEPTH + 1; i++)
		deep[n++] = ']';
	deep[n] = '\0';
	refused(deep, MCPWIRE_FAULT_PARSE, -32700, "null",
	    "a batch nested too deep is a parse error, not a batch");
}

static void
test_meta(void)
{
	struct mcpwire_message msg;

	parse_or_bail(MODERN("tools/call", "\"name\": \"get_weather\", "
	    "\"arguments\": {}, ", "2026-07-28"), &msg);
	ok(msg.claim, "a _meta protocol version claims the modern era");
	is_string("2026-07-28", msg.meta_version, "its version is read");
	is_json("{}", msg.client_capabilities,
	    "client capabilities come from _meta");
	is_string("probe", msg.client_name, "the client's name is read");
	is_string("1.0", msg.client_version, "the client's version is read");
	is_string("get_weather", msg.name,
	    "tools/call's Mcp-Name source is params.name");
	mcpwire_message_clear(&msg);

	parse_or_bail(MODERN("resources/read", "\"uri\": \"ui://w/1\", ",
	    "2026-07-28"), &msg);
	is_string("ui://w/1", msg.name,
	    "resources/read's Mcp-Name source is params.uri");
	mcpwire_message_clear(&msg);

	parse_or_bail(MODERN("prompts/get", "\"name\": \"p\", \"uri\": "
	    "\"u\", ", "2026-07-28"), &msg);
	is_string("p", msg.name, "prompts/get's Mcp-Name source is "
	    "params.name");
	mcpwire_message_clear(&msg);

	parse_or_bail("{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": "
	    "\"initialize\", \"params\": {\"protocolVersion\": "
	    "\"2025-06-18\", \"capabilities\": {\"roots\": {}}, "
	    "\"clientInfo\": {\"name\": \"legacy\", \"version\": \"2\"}}}",
	    &msg);
	ok(!msg.claim, "initialize without _meta claims nothing");
	is_string("2025-06-18", msg.init_version,
	    "initialize's requested version is read");
	is_string("legacy", msg.client_name,
	    "initialize's client comes from params.clientInfo");
	is_json("{\"roots\": {}}", msg.client_capabilities,
	    "initialize's capabilities come from params.capabilities");
	mcpwire_message_clear(&msg);

	parse_or_bail("{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": "
	    "\"tools/list\", \"params\": {\"_meta\": {" V_MODERN
	    ": 20260728}}}", &msg);
	ok(msg.claim && msg.meta_version == NULL,
	    "a non-string _meta version still claims, without a version");
	mcpwire_message_clear(&msg);
}

/*
 * Classify body with headers v (MCP-Protocol-Version), m (Mcp-Method),
 * n (Mcp-Name) and check the outcome: want_era when code is 0, else a
 * fault with code and status 400.
 */
static void
classified(const char *body, const char *v, const char *m, const char *n,
    enum mcpwire_era want_era, int code, const char *what)
{
	struct mcpwire_headers h = { v, m, n };
	struct mcpwire_message msg;
	struct mcpwire_fault fault = { 0 };
	enum mcpwire_era era = 0;
	int rc;

	parse_or_bail(body, &msg);
	rc = mcpwire_classify(&msg, &h, &era, &fault);
	if (code == 0) {
		if (!ok(rc == 0 && era == want_era, "%s", what))
			diag("rc %d, era %d, code %d (%s)", rc, (int)era,
			    fault.code, fault.message);
	} else if (!ok(rc == -1 && fault.code == code &&
	    fault.status == 400, "%s", what))
		diag("rc %d, era %d, code %d, status %d (%s)", rc, (int)era,
		    fault.code, fault.status, fault.message);
	mcpwire_message_clear(&msg);
	mcpwire_fault_clear(&fault);
}

#define CALL MODERN("tools/call", "\"name\": \"get_weather\", ", \
	"2026-07-28")
#define LIST MODERN("tools/list", "", "2026-07-28")

static void
test_modern_headers(void)
{
	classified(CALL, "2026-07-28", "tools/call", "get_weather",
	    MCPWIRE_MODERN, 0, "a modern tools/call with its headers is "
	    "modern");
	classified(LIST, "2026-07-28", "tools/list", NULL, MCPWIRE_MODERN, 0,
	    "tools/list needs no Mcp-Name");
	classified(LIST, "2026-07-28", "tools/list", "anything",
	    MCPWIRE_MODERN, 0, "an Mcp-Name on tools/list mirrors nothing "
	    "and is ignored");
	classified(CALL, " 2026-07-28\t", "  tools/call ", " get_weather ",
	    MCPWIRE_MODERN, 0, "spaces and tabs around values are ignored");

	classified(CALL, NULL, "tools/call", "get_weather", 0, -32020,
	    "a missing MCP-Protocol-Version is a header mismatch");
	classified(CALL, "2025-11-25", "tools/call", "get_weather", 0, -32020,
	    "an MCP-Protocol-Version other than _meta's is a mismatch");
	classified(CALL, "2026-07-28", NULL, "get_weather", 0, -32020,
	    "a missing Mcp-Method is a header mismatch");
	classified(CALL, "2026-07-28", "tools/list", "get_weather", 0, -32020,
	    "an Mcp-Method other than the method is a mismatch");
	classified(CALL, "2026-07-28", "Tools/Call", "get_weather", 0, -32020,
	    "Mcp-Method compares case-sensitively");
	classified(CALL, "2026-07-28", "tools/call", NULL, 0, -32020,
	    "a missing Mcp-Name on tools/call is a header mismatch");
	classified(CALL, "2026-07-28", "tools/call", "get_forecast", 0,
	    -32020, "an Mcp-Name other than params.name is a mismatch");
	classified(CALL, "2026-07-28", "tools/call", "Get_Weather", 0, -32020,
	    "Mcp-Name compares case-sensitively");
	classified(CALL, "2026-07-28", "tools/call", "get\x01weather", 0,
	    -32020, "a control character in Mcp-Name is refused");
	classified(CALL, "2026-07-28", "tools/call", "", 0, -32020,
	    "an empty Mcp-Name is a mismatch");
	classified(MODERN("tools/call", "", "2026-07-28"), "2026-07-28",
	    "tools/call", "get_weather", 0, -32020,
	    "an Mcp-Name with no params.name to mirror is a mismatch");

	classified(MODERN("resources/read", "\"uri\": \"ui://w/a b\", ",
	    "2026-07-28"), "2026-07-28", "resources/read", "ui://w/a b",
	    MCPWIRE_MODERN, 0, "resources/read's Mcp-Name is params.uri");
	classified(MODERN("resources/read", "\"uri\": \"ui://w/1\", ",
	    "2026-07-28"), "2026-07-28", "resources/read", "ui://w/2", 0,
	    -32020, "a different uri is a mismatch");
	classified(MODERN("prompts/get", "\"name\": \"review\", ",
	    "2026-07-28"), "2026-07-28", "prompts/get", NULL, 0, -32020,
	    "prompts/get needs Mcp-Name too");

	/* The sentinel, with the examples of streamable-http.mdx. */
	classified(MODERN("tools/call", "\"name\": \"Hello, \xe4\xb8\x96"
	    "\xe7\x95\x8c\", ", "2026-07-28"), "2026-07-28", "tools/call",
	    "=?base64?SGVsbG8sIOS4lueVjA==?=", MCPWIRE_MODERN, 0,
	    "a non-ASCII name in the base64 sentinel is decoded and matches");
	classified(MODERN("tools/call", "\"name\": \"Hello, \xe4\xb8\x96"
	    "\xe7\x95\x8c\", ", "2026-07-28"), "2026-07-28", "tools/call",
	    "Hello, \xe4\xb8\x96\xe7\x95\x8c", 0, -32020,
	    "a raw non-ASCII Mcp-Name is refused even when it equals the "
	    "body");
	classified(MODERN("tools/call", "\"name\": \"=?base64?literal?=\", ",
	    "2026-07-28"), "2026-07-28", "tools/call",
	    "=?base64?PT9iYXNlNjQ/bGl0ZXJhbD89?=", MCPWIRE_MODERN, 0,
	    "a name that looks like the sentinel matches when encoded");
	classified(MODERN("tools/call", "\"name\": \"=?base64?literal?=\", ",
	    "2026-07-28"), "2026-07-28", "tools/call", "=?base64?literal?=",
	    0, -32020, "... and not when sent as it is");
	classified(CALL, "2026-07-28", "tools/call",
	    "=?base64?Z2V0X3dlYXRoZXI=?=", MCPWIRE_MODERN, 0,
	    "an ASCII name may be sent encoded");
	classified(CALL, "2026-07-28", "tools/call",
	    "=?BASE64?Z2V0X3dlYXRoZXI=?=", 0, -32020,
	    "the sentinel's markers are lowercase only");
	classified(CALL, "2026-07-28", "tools/call", "=?base64?Z2V0X3dlYXRoZ"
	    "XI?=", 0, -32020, "unpadded base64 in the sentinel is refused");
	classified(CALL, "2026-07-28", "tools/call", "=?base64?Z2V0X3dl!XRoZ"
	    "XI=?=", 0, -32020, "a character outside base64 is refused");
	classified(CALL, "2026-07-28", "tools/call", "=?base64?wyg=?=", 0,
	    -32020, "a sentinel that decodes to invalid UTF-8 is refused");
	classified(CALL, "2026-07-28", "tools/call", "=?base64?AA==?=", 0,
	    -32020, "a sentinel that decodes to NUL is refused");
}

static void
test_modern_envelope(void)
{
	struct mcpwire_headers h = { "2027-01-01", "tools/list", NULL };
	struct mcpwire_message msg;
	struct mcpwire_fault fault = { 0 };
	enum mcpwire_era era;
	json_object *response;

	parse_or_bail(MODERN("tools/list", "", "2027-01-01"), &msg);
	ok(mcpwire_classify(&msg, &h, &era, &fault) == -1 &&
	    fault.kind == MCPWIRE_FAULT_VERSION,
	    "an unknown modern version is refused");
	is_int(400, fault.status, "... with 400");
	is_int(-32022, fault.code, "... and -32022");
	is_json("{\"supported\": [\"2026-07-28\", \"2025-11-25\", "
	    "\"2025-06-18\", \"2025-03-26\"], \"requested\": \"2027-01-01\"}",
	    fault.data, "... whose data lists every version and the one "
	    "asked for");
	is_json("7", fault.id, "... answering the request's id");
	response = mcpwire_fault_response(&fault);
	is_json("{\"jsonrpc\": \"2.0\", \"id\": 7, \"error\": {\"code\": "
	    "-32022, \"message\": \"Unsupported protocol version\", \"data\": "
	    "{\"supported\": [\"2026-07-28\", \"2025-11-25\", \"2025-06-18\", "
	    "\"2025-03-26\"], \"requested\": \"2027-01-01\"}}}", response,
	    "the fault's response is the UnsupportedProtocolVersionError "
	    "of versioning.mdx");
	json_object_put(response);
	mcpwire_fault_clear(&fault);
	ok(fault.data == NULL && fault.id == NULL && fault.kind == 0,
	    "clearing a fault releases it");
	mcpwire_fault_clear(NULL);
	mcpwire_message_clear(&msg);

	classified(MODERN("tools/list", "", "2027-01-01"), NULL, NULL, NULL, 0,
	    -32022, "the version is judged before missing headers");
	classified(MODERN("tools/list", "", "2025-11-25"), "2025-11-25",
	    "tools/list", NULL, 0, -32022,
	    "a legacy version in _meta is unsupported (legacy needs "
	    "initialize)");
	classified(MODERN("tools/list", "", "2027-01-01"), "2026-07-28",
	    "tools/list", NULL, 0, -32020,
	    "a header that disagrees with _meta is a mismatch first");

	classified("{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": "
	    "\"tools/list\", \"params\": {\"_meta\": {" V_MODERN ": 1, "
	    CAPS "}}}", "2026-07-28", "tools/list", NULL, 0, -32602,
	    "a _meta version that is not a string is invalid params");
	classified("{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": "
	    "\"tools/list\", \"params\": {\"_meta\": {" V_MODERN
	    ": \"2026-07-28\"}}}", "2026-07-28", "tools/list", NULL, 0,
	    -32602, "a modern request without clientCapabilities is "
	    "invalid params");
	classified("{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": "
	    "\"tools/list\", \"params\": {\"_meta\": {" V_MODERN
	    ": \"2026-07-28\", \"io.modelcontextprotocol/clientCapabilities\": "
	    "[]}}}", "2026-07-28", "tools/list", NULL, 0, -32602,
	    "clientCapabilities that are not an object are invalid params");
	classified("{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": "
	    "\"tools/list\", \"params\": {\"_meta\": {" V_MODERN
	    ": \"2026-07-28\", " CAPS ", \"io.modelcontextprotocol/clientInfo\""
	    ": {\"name\": \"x\"}}}}", "2026-07-28", "tools/list", NULL, 0,
	    -32602, "clientInfo without a version is invalid params");
	classified("{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": "
	    "\"tools/list\", \"params\": {\"_meta\": {" V_MODERN
	    ": \"2026-07-28\", " CAPS "}}}", "2026-07-28", "tools/list", NULL,
	    MCPWIRE_MODERN, 0, "clientInfo may be left out");
	classified("{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": "
	    "\"tools/list\"}", "2026-07-28", "tools/list", NULL, 0, -32602,
	    "a modern header on a request without _meta is invalid params");
}

static void
test_eras(void)
{
	const char *init = "{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": "
	    "\"initialize\", \"params\": {\"protocolVersion\": "
	    "\"2025-06-18\", \"capabilities\": {}, \"clientInfo\": "
	    "{\"name\": \"c\", \"version\": \"1\"}}}";
	struct mcpwire_message msg;
	struct mcpwire_fault fault = { 0 };
	enum mcpwire_era era;

	classified(init, NULL, NULL, NULL, MCPWIRE_LEGACY, 0,
	    "initialize selects the legacy era");
	classified(init, "2025-06-18", "initialize", NULL, MCPWIRE_LEGACY, 0,
	    "initialize with a legacy header is legacy");
	classified(init, "2026-07-28", NULL, NULL, 0, -32020,
	    "initialize with a modern header but no _meta is a mismatch");
	classified(MODERN("initialize", "", "2026-07-28"), "2026-07-28",
	    "initialize", NULL, MCPWIRE_MODERN, 0,
	    "initialize with a modern envelope is a modern request (for 404)");
	classified(MODERN("initialize", "", "2025-11-25"), NULL, NULL, NULL,
	    MCPWIRE_LEGACY, 0, "initialize claiming a legacy version stays "
	    "legacy");
	classified("{\"jsonrpc\": \"2.0\", \"id\": 2, \"method\": "
	    "\"tools/list\"}", "2025-06-18", NULL, NULL, MCPWIRE_LEGACY, 0,
	    "a request without _meta is legacy");
	classified("{\"jsonrpc\": \"2.0\", \"id\": 2, \"method\": \"ping\"}",
	    NULL, NULL, NULL, MCPWIRE_LEGACY, 0,
	    "a request without _meta or headers is legacy");
	classified("{\"jsonrpc\": \"2.0\", \"id\": 2, \"result\": {}}",
	    "2026-07-28", NULL, NULL, MCPWIRE_LEGACY, 0,
	    "a response is legacy whatever its headers");
	classified("{\"jsonrpc\": \"2.0\", \"method\": "
	    "\"notifications/initialized\"}", "2025-06-18", NULL, NULL,
	    MCPWIRE_LEGACY, 0, "a notification with a legacy header is "
	    "legacy");
	classified("{\"jsonrpc\": \"2.0\", \"method\": \"notifications/x\"}",
	    "2026-07-28", NULL, NULL, MCPWIRE_MODERN, 0,
	    "a notification with a modern header is modern");
	classified("{\"jsonrpc\": \"2.0\", \"method\": \"notifications/x\"}",
	    "2026-07-28", "notifications/y", NULL, 0, -32020,
	    "... and its Mcp-Method must match when present");
	classified("{\"jsonrpc\": \"2.0\", \"method\": \"notifications/x\"}",
	    "2027-01-01", NULL, NULL, 0, -32022,
	    "... and its version must be supported");
	classified("{\"jsonrpc\": \"2.0\", \"method\": \"notifications/x\", "
	    "\"params\": {\"_meta\": {" V_MODERN ": \"2026-07-28\"}}}", NULL,
	    NULL, NULL, MCPWIRE_MODERN, 0,
	    "a notification claiming the modern era needs no headers");

	parse_or_bail(CALL, &msg);
	ok(mcpwire_classify(&msg, NULL, &era, &fault) == -1 &&
	    fault.code == -32020, "a modern request with no headers at all "
	    "is a mismatch");
	is_json("7", fault.id, "... answering the request's id");
	mcpwire_fault_clear(&fault);
	mcpwire_message_clear(&msg);
}

/* Check the legacy header; want is the version, NULL for a refusal. */
static void
legacy(const char *header, const char *session, const char *want,
    const char *what)
{
	struct mcpwire_message msg;
	struct mcpwire_fault fault = { 0 };
	const char *version = NULL;
	int rc;

	parse_or_bail("{\"jsonrpc\": \"2.0\", \"id\": 9, \"method\": "
	    "\"tools/list\"}", &msg);
	rc = mcpwire_check_legacy(&msg, header, session, &version, &fault);
	if (want != NULL) {
		if (!ok(rc == 0, "%s", what))
			diag("refused: %s", fault.message);
		is_string(want, version, "... and serves it as %s", want);
	} else {
		ok(rc == -1 && fault.status == 400 && fault.code == -32600 &&
		    fault.kind == MCPWIRE_FAULT_VERSION, "%s", what);
		is_json("9", fault.id, "... answering the request's id");
	}
	mcpwire_fault_clear(&fault);
	mcpwire_message_clear(&msg);
}

static void
test_legacy(void)
{
	struct mcpwire_fault fault = { 0 };
	const char *version;

	legacy(NULL, NULL, "2025-03-26", "no header and no session version "
	    "means 2025-03-26");
	legacy(NULL, "2025-06-18", "2025-06-18",
	    "no header means the session's version");
	legacy("2025-11-25", NULL, "2025-11-25", "a supported header is "
	    "taken when the session's version is unknown");
	legacy("2025-03-26", "2025-03-26", "2025-03-26",
	    "2025-03-26 is supported");
	legacy(" 2025-06-18 ", "2025-06-18", "2025-06-18",
	    "blanks around the header are ignored");
	legacy("2025-06-18", "2025-11-25", "2025-11-25",
	    "a supported header other than the session's is served as the "
	    "session's");
	legacy("2026-07-28", "2025-11-25", NULL,
	    "a modern version on a legacy request is refused");
	legacy("2024-11-05", "2025-11-25", NULL,
	    "an unsupported older version is refused");
	legacy("", "2025-11-25", NULL, "an empty header is refused");
	legacy("2025-6-18", NULL, NULL, "a malformed version is refused");

	ok(mcpwire_check_legacy(NULL, "1999-01-01", NULL, &version,
	    &fault) == -1, "the check works without a message");
	is_json("null", fault.id, "... answering with a null id");
	is_json("{\"supported\": [\"2025-11-25\", \"2025-06-18\", "
	    "\"2025-03-26\"], \"requested\": \"1999-01-01\"}", fault.data,
	    "... and data naming the legacy versions and the one asked for");
	mcpwire_fault_clear(&fault);
}

static void
test_versions(void)
{
	static const struct {
		const char *requested;
		const char *answer;
	} table[] = {
		{ "2025-11-25", "2025-11-25" },
		{ "2025-06-18", "2025-06-18" },
		{ "2025-03-26", "2025-03-26" },
		{ "2024-11-05", "2025-11-25" },
		{ "2026-07-28", "2025-11-25" },
		{ "2099-01-01", "2025-11-25" },
		{ "latest", "2025-11-25" },
		{ NULL, "2025-11-25" },
	};
	const char *const *list = mcpwire_versions();
	json_object *array;
	size_t i;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		is_string(table[i].answer,
		    mcpwire_negotiate(table[i].requested),
		    "initialize asking for %s is answered with %s",
		    table[i].requested == NULL ? "nothing" : table[i].requested,
		    table[i].answer);
	ok(list[0] != NULL && list[4] == NULL &&
	    strcmp(list[0], MCPWIRE_VERSION_MODERN) == 0,
	    "the version list has four entries, modern first");
	array = mcpwire_versions_json();
	is_json("[\"2026-07-28\", \"2025-11-25\", \"2025-06-18\", "
	    "\"2025-03-26\"]", array, "supportedVersions lists them all");
	json_object_put(array);
	ok(mcpwire_version_is_modern("2026-07-28") &&
	    !mcpwire_version_is_modern("2025-11-25") &&
	    !mcpwire_version_is_modern("2027-01-01") &&
	    !mcpwire_version_is_modern(NULL),
	    "only 2026-07-28 is modern and supported");
	ok(mcpwire_version_is_legacy("2025-03-26") &&
	    mcpwire_version_is_legacy("2025-11-25") &&
	    !mcpwire_version_is_legacy("2024-11-05") &&
	    !mcpwire_version_is_legacy("2026-07-28") &&
	    !mcpwire_version_is_legacy(NULL),
	    "the legacy versions are 2025-03-26 to 2025-11-25");
}

/* Decode value and check the result (NULL for a refusal). */
static void
decoded(const char *value, const char *want, const char *what)
{
	char *text = mcpwire_header_decode(value);

	is_string(want, text, "%s", what);
	free(text);
}

static void
test_decode(void)
{
	char *big;

	decoded("us-west1", "us-west1", "a plain value is itself");
	decoded("=?base64?SGVsbG8sIOS4lueVjA==?=", "Hello, \xe4\xb8\x96"
	    "\xe7\x95\x8c", "the spec's non-ASCII example decodes");
	decoded("=?base64?IHBhZGRlZCA=?=", " padded ",
	    "the spec's padded example keeps its spaces");
	decoded("=?base64?bGluZTEKbGluZTI=?=", "line1\nline2",
	    "the spec's newline example decodes");
	decoded("=?base64?PT9iYXNlNjQ/bGl0ZXJhbD89?=", "=?base64?literal?=",
	    "the spec's sentinel-looking example decodes");
	decoded("=?base64?" "?=", "", "an empty payload is the empty "
	    "string");
	decoded("  =?base64?YQ==?=\t", "a", "blanks around the sentinel are "
	    "ignored");
	decoded("=?base64?=", "=?base64?=", "too short to be a sentinel, it "
	    "is a plain value");
	decoded("=?base64?YWJj?=", "abc", "a payload without padding "
	    "characters decodes");
	decoded("=?base64?YWI=?=", "ab", "one padding character decodes");
	decoded("=?base64?YQ?=", NULL, "missing padding is refused");
	decoded("=?base64?Y===?=", NULL, "three padding characters are "
	    "refused");
	decoded("=?base64?YQ==YQ==?=", NULL, "padding in the middle is "
	    "refused");
	decoded("=?base64?YW-i?=", NULL, "base64url characters are refused");
	decoded("=?base64?wyg=?=", NULL, "a payload that is not UTF-8 is "
	    "refused");
	decoded("=?base64?7aCA?=", NULL, "a payload encoding a surrogate is "
	    "refused");
	decoded("caf\xc3\xa9", NULL, "raw non-ASCII is refused");
	decoded("a\rb", NULL, "a raw CR is refused");
	decoded("=?Base64?YQ==?=", "=?Base64?YQ==?=",
	    "another case of the prefix is a plain value");
	ok(mcpwire_header_decode(NULL) == NULL, "NULL decodes to NULL");

	if ((big = malloc(MCPWIRE_HEADER_MAX + 2)) == NULL)
		bail("out of memory");
	memset(big, 'a', MCPWIRE_HEADER_MAX + 1);
	big[MCPWIRE_HEADER_MAX + 1] = '\0';
	decoded(big, NULL, "a value over MCPWIRE_HEADER_MAX is refused");
	big[MCPWIRE_HEADER_MAX] = '\0';
	ok(strlen(big) == MCPWIRE_HEADER_MAX, "(a value of exactly the "
	    "bound)");
	decoded(big, big, "a value of exactly MCPWIRE_HEADER_MAX is read");
	free(big);
}

static void
test_answers(void)
{
	struct mcpwire_implementation server = { "crm", "CRM", "3" };
	struct mcpwire_implementation bare = { "crm", NULL, "3" };
	struct mcpwire_message msg;
	struct mcpwire_fault fault = { 0 };
	struct error err = { 0 };
	json_object *result, *response, *id;

	id = json_object_new_int(1);
	response = mcpwire_result_response(id, json_tokener_parse(
	    "{\"tools\": []}"));
	is_json("{\"jsonrpc\": \"2.0\", \"id\": 1, \"result\": "
	    "{\"tools\": []}}", response, "a result response");
	json_object_put(response);
	json_object_put(id);

	response = mcpwire_error_response(NULL, MCPWIRE_PARSE_ERROR,
	    "Parse error", NULL);
	is_json("{\"jsonrpc\": \"2.0\", \"id\": null, \"error\": "
	    "{\"code\": -32700, \"message\": \"Parse error\"}}", response,
	    "an error response with a null id and no data");
	json_object_put(response);

	id = json_object_new_string("r1");
	response = mcpwire_error_response(id, MCPWIRE_INVALID_PARAMS,
	    "Invalid params", json_tokener_parse("{\"field\": \"city\"}"));
	is_json("{\"jsonrpc\": \"2.0\", \"id\": \"r1\", \"error\": "
	    "{\"code\": -32602, \"message\": \"Invalid params\", \"data\": "
	    "{\"field\": \"city\"}}}", response,
	    "an error response with an id and data");
	json_object_put(response);
	json_object_put(id);

	parse_or_bail("{\"jsonrpc\": \"2.0\", \"id\": 9223372036854775806, "
	    "\"method\": \"ping\"}", &msg);
	response = mcpwire_result_response(msg.id, json_object_new_object());
	mcpwire_message_clear(&msg);
	is_string("{\"jsonrpc\":\"2.0\",\"id\":9223372036854775806,"
	    "\"result\":{}}", json_object_to_json_string_ext(response,
	    JSON_C_TO_STRING_PLAIN), "a large id is echoed digit for digit "
	    "and outlives the message");
	json_object_put(response);

	ok(mcpwire_parse("{", 1, &msg, &fault) == -1,
	    "(a parse error for the fault response)");
	response = mcpwire_fault_response(&fault);
	is_json("{\"jsonrpc\": \"2.0\", \"id\": null, \"error\": "
	    "{\"code\": -32700, \"message\": \"Parse error\"}}", response,
	    "a parse error answers with id null");
	json_object_put(response);
	mcpwire_fault_clear(&fault);

	result = json_tokener_parse("{\"tools\": []}");
	ok(mcpwire_modern_result(result, "tools/list", &server, 60000,
	    MCPWIRE_CACHE_PUBLIC, &err) == 0, "a tools/list result is "
	    "decorated");
	is_json("{\"tools\": [], \"resultType\": \"complete\", \"ttlMs\": "
	    "60000, \"cacheScope\": \"public\", \"_meta\": "
	    "{\"io.modelcontextprotocol/serverInfo\": {\"name\": \"crm\", "
	    "\"title\": \"CRM\", \"version\": \"3\"}}}", result,
	    "... with resultType, ttlMs, cacheScope and serverInfo");
	json_object_put(result);

	result = json_tokener_parse("{\"contents\": [], \"_meta\": "
	    "{\"com.example/x\": 1}}");
	ok(mcpwire_modern_result(result, "resources/read", &bare, 0,
	    MCPWIRE_CACHE_PRIVATE, &err) == 0, "a resources/read result is "
	    "decorated");
	is_json("{\"contents\": [], \"resultType\": \"complete\", \"ttlMs\": "
	    "0, \"cacheScope\": \"private\", \"_meta\": {\"com.example/x\": 1, "
	    "\"io.modelcontextprotocol/serverInfo\": {\"name\": \"crm\", "
	    "\"version\": \"3\"}}}", result,
	    "... keeping its _meta and leaving out an unset title");
	json_object_put(result);

	result = json_tokener_parse("{\"content\": [], \"isError\": false}");
	ok(mcpwire_modern_result(result, "tools/call", NULL, -1, 0,
	    &err) == 0, "a tools/call result needs no cache hints");
	is_json("{\"content\": [], \"isError\": false, \"resultType\": "
	    "\"complete\"}", result, "... and gets only resultType");
	json_object_put(result);

	result = json_tokener_parse("{\"tools\": []}");
	ok(mcpwire_modern_result(result, "tools/list", NULL, -1,
	    MCPWIRE_CACHE_PUBLIC, &err) == -1 && err.code == ERR_INTERNAL,
	    "a negative ttlMs on a cacheable result is refused");
	is_json("{\"tools\": []}", result, "... leaving the result alone");
	error_clear(&err);
	ok(mcpwire_modern_result(result, "tools/list", NULL, 10, 0,
	    &err) == -1, "a cacheable result without a scope is refused");
	error_clear(&err);
	json_object_put(result);

	result = json_tokener_parse("{\"_meta\": []}");
	ok(mcpwire_modern_result(result, "tools/call", &server, 0,
	    MCPWIRE_CACHE_PUBLIC, &err) == -1,
	    "a result whose _meta is not an object is refused");
	error_clear(&err);
	json_object_put(result);

	ok(mcpwire_method_is_cacheable("server/discover") &&
	    mcpwire_method_is_cacheable("tools/list") &&
	    mcpwire_method_is_cacheable("prompts/list") &&
	    mcpwire_method_is_cacheable("resources/list") &&
	    mcpwire_method_is_cacheable("resources/templates/list") &&
	    mcpwire_method_is_cacheable("resources/read"),
	    "the six cacheable results of caching.mdx are cacheable");
	ok(!mcpwire_method_is_cacheable("tools/call") &&
	    !mcpwire_method_is_cacheable("prompts/get") &&
	    !mcpwire_method_is_cacheable("initialize") &&
	    !mcpwire_method_is_cacheable(NULL), "others are not");
	ok(mcpwire_implementation_json(&(struct mcpwire_implementation){
	    NULL, NULL, "1" }) == NULL, "an implementation needs a name");

	is_int(404, mcpwire_error_status(MCPWIRE_MODERN, -32601),
	    "a modern unknown method is 404");
	is_int(400, mcpwire_error_status(MCPWIRE_MODERN, -32021),
	    "a modern missing capability is 400");
	is_int(200, mcpwire_error_status(MCPWIRE_MODERN, -32602),
	    "modern invalid params from a handler travel in a 200");
	is_int(200, mcpwire_error_status(MCPWIRE_LEGACY, -32601),
	    "a legacy unknown method travels in a 200");
	is_int(-32602, mcpwire_resource_not_found_code("2026-07-28"),
	    "a missing resource is -32602 in 2026-07-28");
	is_int(-32002, mcpwire_resource_not_found_code("2025-11-25"),
	    "... and -32002 in 2025-11-25");
}

static void
test_codes(void)
{
	ok(MCPWIRE_PARSE_ERROR == -32700 && MCPWIRE_INVALID_REQUEST == -32600 &&
	    MCPWIRE_METHOD_NOT_FOUND == -32601 &&
	    MCPWIRE_INVALID_PARAMS == -32602 &&
	    MCPWIRE_INTERNAL_ERROR == -32603,
	    "the JSON-RPC codes are JSON-RPC 2.0's");
	ok(MCPWIRE_HEADER_MISMATCH == -32020 &&
	    MCPWIRE_MISSING_CAPABILITY == -32021 &&
	    MCPWIRE_UNSUPPORTED_VERSION == -32022,
	    "the MCP codes are 2026-07-28's");
	ok(MCPWIRE_DRAFT_HEADER_MISMATCH == -32001 &&
	    MCPWIRE_DRAFT_MISSING_CAPABILITY == -32003 &&
	    MCPWIRE_DRAFT_UNSUPPORTED_VERSION == -32004 &&
	    MCPWIRE_LEGACY_RESOURCE_NOT_FOUND == -32002 &&
	    MCPWIRE_LEGACY_URL_ELICITATION == -32042,
	    "the retired codes keep their numbers");
}

int
main(void)
{
	plan(309);
	test_ids();
	test_shape();
	test_json();
	test_meta();
	test_modern_headers();
	test_modern_envelope();
	test_eras();
	test_legacy();
	test_versions();
	test_decode();
	test_answers();
	test_codes();
	return 0;
}

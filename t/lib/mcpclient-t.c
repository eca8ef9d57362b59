/*
 * mcpclient-t.c: tests for the pure parts of the MCP client
 * (mcpclient.h): JSON-RPC framing of requests and notifications
 * (tools/call included), reading an answer given as JSON or as a
 * server-sent event stream (CR LF, LF and CR line ends, multi-line data,
 * comments, priming events without data, events of other types, a cut
 * final event), finding the answer to a request among other messages and
 * refusing JSON-RPC errors, turning tools/list tools into catalog
 * operations (and refusing malformed tools and too many), version and
 * bearer checks, and outbound_response_header(), which the client reads
 * Mcp-Session-Id and Content-Type with.
 *
 * The conversation itself (initialize, sessions, pagination, DELETE)
 * needs a server and is tested end to end in t/53-api-v1-mcp-servers.t
 * against the official TypeScript SDK; mcpclient_call_tool has no route
 * yet, so only its framing is tested here.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "error.h"
#include "mcpclient.h"
#include "outbound.h"
#include "t/tap/basic.h"

/* Parse text or bail. */
static json_object *
parse(const char *text)
{
	json_object *value = json_tokener_parse(text);

	if (value == NULL)
		bail("cannot parse test JSON: %s", text);
	return value;
}

/* Parse body as content_type; returns the messages or NULL (err set). */
static json_object *
messages_of(const char *content_type, const char *body, struct error *err)
{
	json_object *messages = NULL;

	error_clear(err);
	if (mcpclient_parse_messages(content_type, body, strlen(body),
	    &messages, err) != 0)
		return NULL;
	return messages;
}

static void
test_framing(void)
{
	struct error err = { 0 };
	json_object *params;
	char *text;

	text = mcpclient_frame(1, "tools/list", NULL, &err);
	is_string("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}",
	    text, "a request without params has jsonrpc, id and method");
	free(text);

	text = mcpclient_frame(0, "notifications/initialized", NULL, &err);
	is_string("{\"jsonrpc\":\"2.0\",\"method\":"
	    "\"notifications/initialized\"}", text,
	    "a notification has no id");
	free(text);

	params = parse("{\"name\": \"add\", \"arguments\": {\"a\": 1,"
	    " \"path\": \"a/b\"}}");
	text = mcpclient_frame(7, "tools/call", params, &err);
	is_string("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\","
	    "\"params\":{\"name\":\"add\",\"arguments\":{\"a\":1,"
	    "\"path\":\"a/b\"}}}", text,
	    "a tools/call request carries name and arguments as params");
	free(text);
	is_int(1, json_object_get_int(json_object_object_get(
	    json_object_object_get(params, "arguments"), "a")),
	    "framing leaves the params as they were");
	json_object_put(params);
}

static void
test_json_answers(void)
{
	struct error err = { 0 };
	json_object *m, *result;

	m = messages_of("application/json; charset=utf-8",
	    "{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":{\"tools\":[]}}\r\n",
	    &err);
	ok(m != NULL && json_object_array_length(m) == 1,
	    "a JSON answer (with parameters and a trailing newline) is one"
	    " message");
	ok(m != NULL && mcpclient_find_result(m, 3, &result, &err) == 0 &&
	    json_object_object_get_ex(result, "tools", NULL),
	    "its result is found by id");
	json_object_put(result);
	json_object_put(m);

	m = messages_of("Application/JSON",
	    "[{\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\"},"
	    " {\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{}}]", &err);
	ok(m != NULL && json_object_array_length(m) == 2,
	    "an array answer from an older server is its messages");
	json_object_put(m);

	m = messages_of("application/json", "<html>nope</html>", &err);
	ok(m == NULL && err.code == ERR_UPSTREAM_UNAVAILABLE,
	    "an answer that is not JSON is upstream_unavailable");
	m = messages_of("application/json", "{\"id\":1} {\"id\":2}", &err);
	ok(m == NULL && err.code == ERR_UPSTREAM_UNAVAILABLE,
	    "two JSON values in a JSON answer are refused");
	m = messages_of("application/json", "[1, 2]", &err);
	ok(m == NULL && err.code == ERR_UPSTREAM_UNAVAILABLE,
	    "messages that are not objects are refused");
	m = messages_of("text/html", "{\"jsonrpc\":\"2.0\"}", &err);
	ok(m == NULL && err.code == ERR_UPSTREAM_UNAVAILABLE,
	    "an answer of another media type is refused");
	m = messages_of(NULL, "{}", &err);
	ok(m == NULL && err.code == ERR_UPSTREAM_UNAVAILABLE,
	    "an answer without a Content-Type is refused");
	error_clear(&err);
}

static void
test_event_streams(void)
{
	struct error err = { 0 };
	json_object *m, *result = NULL;

	m = messages_of("text/event-stream",
	    "id: prime-1\ndata:\n\n"
	    ": a comment\n"
	    "event: message\r\nid: 2\r\ndata: {\"jsonrpc\":\"2.0\",\r\n"
	    "data: \"method\":\"notifications/progress\"}\r\n\r\n"
	    "event: ping\rdata: {\"ignored\": true}\r\r"
	    "data:{\"jsonrpc\":\"2.0\",\"id\":5,\"result\":{\"ok\":true}}\n\n"
	    "data: {\"jsonrpc\":\"2.0\",\"id\":6,\"result\":{}}\n", &err);
	if (!ok(m != NULL, "an event stream is read"))
		diag("error: %s", err.message);
	is_int(2, m != NULL ? (long long)json_object_array_length(m) : -1,
	    "two messages: the priming event, the other type and the cut"
	    " final event are skipped");
	is_string("notifications/progress", m != NULL ? json_object_get_string(
	    json_object_object_get(json_object_array_get_idx(m, 0),
	    "method")) : NULL,
	    "data lines (CR LF) are joined with a newline into one message");
	ok(m != NULL && mcpclient_find_result(m, 5, &result, &err) == 0 &&
	    json_object_get_boolean(json_object_object_get(result, "ok")),
	    "the answer after a notification is found by its id");
	json_object_put(result);
	ok(m != NULL && mcpclient_find_result(m, 6, &result, &err) == -1 &&
	    err.code == ERR_UPSTREAM_UNAVAILABLE,
	    "an event the stream did not finish is not an answer");
	json_object_put(m);

	m = messages_of("text/event-stream", "\xef\xbb\xbf" "data: {}\n\n",
	    &err);
	ok(m != NULL && json_object_array_length(m) == 1,
	    "a byte order mark at the start is skipped");
	json_object_put(m);

	m = messages_of("text/event-stream", "data: {oops\n\n", &err);
	ok(m == NULL && err.code == ERR_UPSTREAM_UNAVAILABLE,
	    "an event whose data is not JSON is refused");
	m = messages_of("text/event-stream", "data: \"text\"\n\n", &err);
	ok(m == NULL && err.code == ERR_UPSTREAM_UNAVAILABLE,
	    "an event whose data is not an object is refused");
	error_clear(&err);
}

static void
test_find_result(void)
{
	struct error err = { 0 };
	json_object *m, *result = NULL;

	m = parse("[{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"sampling/"
	    "createMessage\",\"params\":{}},"
	    " {\"jsonrpc\":\"2.0\",\"id\":4,\"error\":{\"code\":-32601,"
	    "\"message\":\"no such method: sk_secret_echo\"}}]");
	ok(mcpclient_find_result(m, 4, &result, &err) == -1 &&
	    result == NULL, "a JSON-RPC error answer fails");
	ok(strstr(err.message, "-32601") != NULL,
	    "the message names the error code");
	ok(strstr(err.message, "sk_secret_echo") == NULL,
	    "the message does not repeat the server's text");
	json_object_put(m);

	m = parse("[{\"jsonrpc\":\"2.0\",\"id\":\"1\",\"result\":{}},"
	    " {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":[]}]");
	error_clear(&err);
	ok(mcpclient_find_result(m, 1, &result, &err) == -1 &&
	    err.code == ERR_UPSTREAM_UNAVAILABLE,
	    "a string id does not match and a result that is not an object"
	    " is refused");
	json_object_put(m);
	error_clear(&err);
}

static void
test_operations(void)
{
	struct error err = { 0 };
	json_object *tools, *ops = NULL, *op, *many;
	char name[32];
	int i;

	tools = parse("[{\"name\": \"add\", \"title\": \"Add numbers\","
	    " \"description\": \"Adds a and b.\","
	    " \"inputSchema\": {\"type\": \"object\", \"properties\":"
	    "  {\"a\": {\"type\": \"number\"}}, \"required\": [\"a\"]},"
	    " \"outputSchema\": {\"type\": \"object\"},"
	    " \"annotations\": {\"readOnlyHint\": true}},"
	    " {\"name\": \"echo\", \"annotations\": {\"title\": \"Echo it\"}},"
	    " {\"name\": \"bare\"}]");
	ok(mcpclient_tools_operations(tools, &ops, &err) == 0,
	    "well-formed tools become operations");
	is_int(3, ops != NULL ? (long long)json_object_array_length(ops) : -1,
	    "one operation per tool");
	op = ops != NULL ? json_object_array_get_idx(ops, 0) : NULL;
	is_json("{\"key\": \"add\", \"operation_id\": \"add\", \"method\": null,"
	    " \"path\": null, \"summary\": \"Add numbers\","
	    " \"description\": \"Adds a and b.\", \"deprecated\": false,"
	    " \"input_schema\": {\"type\": \"object\", \"properties\":"
	    "  {\"a\": {\"type\": \"number\"}}, \"required\": [\"a\"]},"
	    " \"output_schema\": {\"type\": \"object\"},"
	    " \"annotations\": {\"readOnlyHint\": true}, \"source\": \"mcp\"}",
	    op, "an operation has the oas shape with the tool's schema and"
	    " annotations");
	op = ops != NULL ? json_object_array_get_idx(ops, 1) : NULL;
	is_string("Echo it", json_object_get_string(json_object_object_get(op,
	    "summary")), "without a title, annotations.title is the summary");
	op = ops != NULL ? json_object_array_get_idx(ops, 2) : NULL;
	is_json("{\"key\": \"bare\", \"operation_id\": \"bare\", \"method\":"
	    " null, \"path\": null, \"summary\": \"bare\", \"description\":"
	    " \"\", \"deprecated\": false, \"input_schema\": {\"type\":"
	    " \"object\"}, \"annotations\": {}, \"source\": \"mcp\"}", op,
	    "a bare tool gets its name as summary and an object schema");
	json_object_put(ops);
	json_object_put(tools);

	tools = parse("[{\"name\": \"a\"}, {\"name\": \"a\"}]");
	ok(mcpclient_tools_operations(tools, &ops, &err) == -1 &&
	    ops == NULL && err.code == ERR_UPSTREAM_UNAVAILABLE,
	    "a tool name listed twice is refused");
	json_object_put(tools);
	tools = parse("[{\"title\": \"no name\"}]");
	ok(mcpclient_tools_operations(tools, &ops, &err) == -1,
	    "a tool without a name is refused");
	json_object_put(tools);
	tools = parse("[{\"name\": \"line\\nbreak\"}]");
	ok(mcpclient_tools_operations(tools, &ops, &err) == -1,
	    "a tool name with a control character is refused");
	json_object_put(tools);
	tools = parse("[{\"name\": \"x\", \"inputSchema\": \"string\"}]");
	ok(mcpclient_tools_operations(tools, &ops, &err) == -1,
	    "an inputSchema that is not an object is refused");
	json_object_put(tools);
	tools = parse("[\"x\"]");
	ok(mcpclient_tools_operations(tools, &ops, &err) == -1,
	    "a tool that is not an object is refused");
	json_object_put(tools);

	many = json_object_new_array();
	for (i = 0; i <= MCPCLIENT_TOOLS_MAX; i++) {
		snprintf(name, sizeof(name), "t%d", i);
		tools = json_object_new_object();
		json_object_object_add(tools, "name",
		    json_object_new_string(name));
		json_object_array_add(many, tools);
	}
	ok(mcpclient_tools_operations(many, &ops, &err) == -1 &&
	    err.code == ERR_UPSTREAM_TOO_LARGE,
	    "more than MCPCLIENT_TOOLS_MAX tools is upstream_too_large");
	json_object_array_del_idx(many, MCPCLIENT_TOOLS_MAX, 1);
	error_clear(&err);
	ok(mcpclient_tools_operations(many, &ops, &err) == 0 &&
	    json_object_array_length(ops) == MCPCLIENT_TOOLS_MAX,
	    "exactly MCPCLIENT_TOOLS_MAX tools are taken");
	json_object_put(ops);
	json_object_put(many);
	error_clear(&err);
}

static void
test_checks(void)
{
	struct outbound_response res = { 0 };
	char buf[64], small[4];

	ok(mcpclient_version_supported("2025-06-18") &&
	    mcpclient_version_supported("2025-03-26"),
	    "2025-06-18 and 2025-03-26 are spoken");
	ok(!mcpclient_version_supported("2024-11-05") &&
	    !mcpclient_version_supported("2026-07-28") &&
	    !mcpclient_version_supported(NULL),
	    "other versions are not");
	is_string("2025-06-18", MCPCLIENT_PROTOCOL_VERSION,
	    "the client asks for 2025-06-18");
	ok(mcpclient_bearer_valid("tk_abc.DEF-123/+="),
	    "a token of visible ASCII is a usable bearer");
	ok(!mcpclient_bearer_valid("a b") && !mcpclient_bearer_valid("a\r\nX: y")
	    && !mcpclient_bearer_valid("") && !mcpclient_bearer_valid("caf\xc3\xa9"),
	    "blanks, CR LF, empty and non-ASCII tokens are not");

	res.headers = (char *)"Content-Type: text/event-stream\r\n"
	    "mcp-session-id:   abc-123 \r\n"
	    "Mcp-Session-Idx: no\r\n\r\n";
	ok(outbound_response_header(&res, "Mcp-Session-Id", buf,
	    sizeof(buf)) == 0, "a header is found in any case");
	is_string("abc-123", buf, "its value comes without blanks");
	ok(outbound_response_header(&res, "content-type", buf,
	    sizeof(buf)) == 0 && strcmp(buf, "text/event-stream") == 0,
	    "Content-Type is read");
	ok(outbound_response_header(&res, "Mcp-Session", buf,
	    sizeof(buf)) == -1, "a prefix of a header's name does not match");
	ok(outbound_response_header(&res, "Mcp-Session-Id", small,
	    sizeof(small)) == -1, "a value too long for the buffer fails");
	res.headers = NULL;
	ok(outbound_response_header(&res, "Content-Type", buf,
	    sizeof(buf)) == -1, "an answer without headers has none");
}

int
main(void)
{
	plan(47);
	test_framing();
	test_json_answers();
	test_event_streams();
	test_find_result();
	test_operations();
	test_checks();
	return 0;
}

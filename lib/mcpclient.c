/*
 * mcpclient.c: drio as an MCP client over Streamable HTTP.  mcpclient.h
 * is the contract; the MCP specification's basic/transports.mdx and
 * basic/lifecycle.mdx (2025-06-18) are the protocol.
 *
 * The pure parts come first (framing, reading JSON and event-stream
 * answers, turning tools into catalog operations), then the
 * conversation, which makes every call through lib/outbound.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "auth.h"
#include "crew.h"
#include "db.h"
#include "error.h"
#include "jsonutil.h"
#include "log.h"
#include "mcpclient.h"
#include "oas.h"
#include "outbound.h"
#include "vault.h"

/* The versions this client speaks, the one it asks for first. */
static const char *const supported_versions[] = {
	MCPCLIENT_PROTOCOL_VERSION,
	"2025-03-26",
	NULL
};

struct mcpclient {
	const struct outbound_policy *policy;   /* borrowed */
	char *url;
	char *authorization;      /* "Authorization: Bearer ..." or NULL */
	char session_id[MCPCLIENT_SESSION_ID_MAX + 1];   /* "" for none */
	char version[32];         /* the negotiated protocol version */
	json_object *server_info;
	long long next_id;
};

bool
mcpclient_version_supported(const char *version)
{
	size_t i;

	for (i = 0; version != NULL && supported_versions[i] != NULL; i++)
		if (strcmp(version, supported_versions[i]) == 0)
			return true;
	return false;
}

/* Is s 1 to max visible ASCII characters (0x21..0x7e)? */
static bool
visible_ascii(const char *s, size_t max)
{
	size_t i;

	if (s == NULL || *s == '\0')
		return false;
	for (i = 0; s[i] != '\0'; i++)
		if (i >= max || (unsigned char)s[i] < 0x21 ||
		    (unsigned char)s[i] > 0x7e)
			return false;
	return true;
}

bool
mcpclient_bearer_valid(const char *token)
{
	return visible_ascii(token, MCPCLIENT_BEARER_MAX);
}

char *
mcpclient_frame(long long id, const char *method, json_object *params,
    struct error *err)
{
	json_object *msg;
	char *text = NULL;

	if ((msg = json_object_new_object()) == NULL)
		goto out;
	json_object_object_add(msg, "jsonrpc", json_object_new_string("2.0"));
	if (id > 0)
		json_object_object_add(msg, "id", json_object_new_int64(id));
	json_object_object_add(msg, "method", json_object_new_string(method));
	if (params != NULL)
		json_object_object_add(msg, "params", json_object_get(params));
	text = strdup(json_object_to_json_string_ext(msg,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
out:
	json_object_put(msg);
	if (text == NULL)
		error_set(err, ERR_INTERNAL, "out of memory");
	return text;
}

/* Set err to "not an MCP server" with why.  Returns -1. */
static int
not_mcp(struct error *err, const char *why)
{
	error_set(err, ERR_UPSTREAM_UNAVAILABLE, "The server did not answer"
	    " as an MCP server: %s.", why);
	error_hint(err, "Check that the URL is the MCP server's Streamable"
	    " HTTP endpoint.");
	return -1;
}


/* Does the media type of content_type equal type (any case)? */
static bool
media_type_is(const char *content_type, const char *type)
{
	size_t n = strlen(type);

	if (content_type == NULL)
		return false;
	content_type += strspn(content_type, " \t");
	return strncasecmp(content_type, type, n) == 0 &&
	    (content_type[n] == '\0' || content_type[n] == ';' ||
	    content_type[n] == ' ' || content_type[n] == '\t');
}

/* Add message (taken) to messages when it is an object.  Returns 0/-1. */
static int
add_message(json_object *messages, json_object *message, struct error *err)
{
	if (!json_object_is_type(message, json_type_object)) {
		json_object_put(message);
		return not_mcp(err, "a message is not a JSON object");
	}
	if (json_object_array_add(messages, message) != 0) {
		json_object_put(message);
		return error_set(err, ERR_INTERNAL, "out of memory");
	}
	return 0;
}

/*
 * The events of an event stream (the WHATWG server-sent events format):
 * lines end in CR LF, LF or CR; "data" lines add to the event's data,
 * "event" names its type, other fields and comments (":") are skipped; a
 * blank line ends the event.  An event still open when the body ends is
 * dropped, as the format says.  Returns 0/-1.
 */
static int
parse_event_stream(const char *body, size_t len, json_object *messages,
    struct error *err)
{
	const char *p = body, *end = body + len, *eol, *colon, *value;
	char *data = NULL, *grown;
	size_t data_len = 0, field_len, value_len;
	bool other_type = false;
	json_object *message;
	int rc = -1;

	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	while (p < end) {
		for (eol = p; eol < end && *eol != '\r' && *eol != '\n'; eol++)
			continue;
		if (eol == end)
			break;      /* an unfinished line: the stream was cut */
		if (eol == p) {
			/*
			 * A blank line: dispatch the event, unless its data
			 * is empty (a priming event, 2025-11-25).
			 */
			if (data_len > 1 && !other_type) {
				message = json_parse_exact(data, data_len - 1,
				    MCPCLIENT_JSON_DEPTH);
				if (message == NULL) {
					not_mcp(err, "an event's data is not"
					    " JSON");
					goto out;
				}
				if (add_message(messages, message, err) != 0)
					goto out;
			}
			data_len = 0;
			other_type = false;
		} else if (*p != ':') {
			colon = memchr(p, ':', (size_t)(eol - p));
			field_len = (size_t)((colon != NULL ? colon : eol) - p);
			value = colon != NULL ? colon + 1 : eol;
			if (value < eol && *value == ' ')
				value++;
			value_len = (size_t)(eol - value);
			if (field_len == 4 && memcmp(p, "data", 4) == 0) {
				if ((grown = realloc(data, data_len +
				    value_len + 1)) == NULL) {
					error_set(err, ERR_INTERNAL,
					    "out of memory");
					goto out;
				}
				data = grown;
				memcpy(data + data_len, value, value_len);
				data_len += value_len;
				data[data_len++] = '\n';
			} else if (field_len == 5 &&
			    memcmp(p, "event", 5) == 0) {
				other_type = !(value_len == 0 ||
				    (value_len == 7 &&
				    memcmp(value, "message", 7) == 0));
			}
		}
		p = eol + 1;
		if (*eol == '\r' && p < end && *p == '\n')
			p++;
	}
	rc = 0;
out:
	free(data);
	return rc;
}

int
mcpclient_parse_messages(const char *content_type, const char *body,
    size_t len, json_object **messages, struct error *err)
{
	json_object *value = NULL;
	size_t i;
	int rc = -1;

	if ((*messages = json_object_new_array()) == NULL)
		return error_set(err, ERR_INTERNAL, "out of memory");
	if (media_type_is(content_type, "text/event-stream")) {
		if (parse_event_stream(body, len, *messages, err) != 0)
			goto out;
	} else if (media_type_is(content_type, "application/json")) {
		if ((value = json_parse_exact(body, len,
		    MCPCLIENT_JSON_DEPTH)) == NULL) {
			not_mcp(err, "the answer is not JSON");
			goto out;
		}
		if (json_object_is_type(value, json_type_array)) {
			for (i = 0; i < json_object_array_length(value); i++)
				if (add_message(*messages, json_object_get(
				    json_object_array_get_idx(value, i)),
				    err) != 0)
					goto out;
		} else {
			if (add_message(*messages, value, err) != 0) {
				value = NULL;
				goto out;
			}
			value = NULL;
		}
	} else {
		not_mcp(err, "the answer is neither JSON nor an event stream");
		goto out;
	}
	rc = 0;
out:
	json_object_put(value);
	if (rc != 0) {
		json_object_put(*messages);
		*messages = NULL;
	}
	return rc;
}

int
mcpclient_find_result(json_object *messages, long long id,
    json_object **result, struct error *err)
{
	json_object *msg, *member, *code;
	size_t i;

	*result = NULL;
	for (i = 0; i < json_object_array_length(messages); i++) {
		msg = json_object_array_get_idx(messages, i);
		if (!json_object_object_get_ex(msg, "id", &member) ||
		    !json_object_is_type(member, json_type_int) ||
		    json_object_get_int64(member) != id ||
		    json_object_object_get_ex(msg, "method", NULL))
			continue;
		if (json_object_object_get_ex(msg, "error", &member)) {
			if (json_object_object_get_ex(member, "code", &code) &&
			    json_object_is_type(code, json_type_int))
				error_set(err, ERR_UPSTREAM_UNAVAILABLE, "The MCP"
				    " server answered with error %lld.",
				    (long long)json_object_get_int64(code));
			else
				error_set(err, ERR_UPSTREAM_UNAVAILABLE, "The MCP"
				    " server answered with an error.");
			return -1;
		}
		if (!json_object_object_get_ex(msg, "result", &member) ||
		    !json_object_is_type(member, json_type_object))
			return not_mcp(err, "an answer has no result object");
		*result = json_object_get(member);
		return 0;
	}
	return not_mcp(err, "no answer to the request");
}

/*
 * A copy of text cut to at most max characters on a UTF-8 boundary.
 * Returns a new JSON string, or NULL when memory is exhausted.
 */
static json_object *
cut_string(const char *text, size_t max)
{
	size_t i, chars = 0;

	for (i = 0; text[i] != '\0'; i++) {
		if (((unsigned char)text[i] & 0xc0) != 0x80 && chars++ == max)
			break;
	}
	return json_object_new_string_len(text, (int)i);
}

/* Is name a usable tool name: 1..OAS_KEY_MAX bytes, no controls? */
static bool
tool_name_valid(const char *name)
{
	size_t i;

	for (i = 0; name[i] != '\0'; i++)
		if (i >= OAS_KEY_MAX || (unsigned char)name[i] < 0x20 ||
		    name[i] == 0x7f)
			return false;
	return i > 0;
}

/* Set err to "tool i is malformed: why".  Returns -1. */
static int
bad_tool(struct error *err, size_t i, const char *why)
{
	error_set(err, ERR_UPSTREAM_UNAVAILABLE, "The MCP server's tool %zu"
	    " %s.", i + 1, why);
	return -1;
}

/* Member key of obj when it has the type type, or NULL. */
static json_object *
member_of_type(json_object *obj, const char *key, json_type type)
{
	json_object *value;

	if (!json_object_object_get_ex(obj, key, &value) ||
	    !json_object_is_type(value, type))
		return NULL;
	return value;
}

/* The operation for tool (checked).  Returns a new object or NULL. */
static json_object *
tool_operation(json_object *tool, const char *name)
{
	json_object *op, *title, *annotations, *schema;
	const char *summary = name;

	annotations = member_of_type(tool, "annotations", json_type_object);
	if ((title = member_of_type(tool, "title", json_type_string)) !=
	    NULL && json_object_get_string_len(title) > 0)
		summary = json_object_get_string(title);
	else if (annotations != NULL && (title = member_of_type(annotations,
	    "title", json_type_string)) != NULL &&
	    json_object_get_string_len(title) > 0)
		summary = json_object_get_string(title);
	if ((op = json_object_new_object()) == NULL)
		return NULL;
	json_object_object_add(op, "key", json_object_new_string(name));
	json_object_object_add(op, "operation_id",
	    json_object_new_string(name));
	json_object_object_add(op, "method", NULL);
	json_object_object_add(op, "path", NULL);
	json_object_object_add(op, "summary",
	    cut_string(summary, OAS_SUMMARY_MAX));
	title = member_of_type(tool, "description", json_type_string);
	json_object_object_add(op, "description", cut_string(title != NULL ?
	    json_object_get_string(title) : "", OAS_DESCRIPTION_MAX));
	json_object_object_add(op, "deprecated",
	    json_object_new_boolean(0));
	schema = member_of_type(tool, "inputSchema", json_type_object);
	if (schema != NULL) {
		json_object_object_add(op, "input_schema",
		    json_object_get(schema));
	} else {
		schema = json_object_new_object();
		json_object_object_add(schema, "type",
		    json_object_new_string("object"));
		json_object_object_add(op, "input_schema", schema);
	}
	if ((schema = member_of_type(tool, "outputSchema",
	    json_type_object)) != NULL)
		json_object_object_add(op, "output_schema",
		    json_object_get(schema));
	json_object_object_add(op, "annotations", annotations != NULL ?
	    json_object_get(annotations) : json_object_new_object());
	json_object_object_add(op, "source", json_object_new_string("mcp"));
	return op;
}

int
mcpclient_tools_operations(json_object *tools, json_object **operations,
    struct error *err)
{
	json_object *tool, *name, *member, *seen = NULL, *op;
	size_t i, n = json_object_array_length(tools);
	int rc = -1;

	*operations = NULL;
	if (n > MCPCLIENT_TOOLS_MAX) {
		error_set(err, ERR_UPSTREAM_TOO_LARGE, "The MCP server lists"
		    " more than %d tools.", MCPCLIENT_TOOLS_MAX);
		return -1;
	}
	if ((*operations = json_object_new_array()) == NULL ||
	    (seen = json_object_new_object()) == NULL) {
		error_set(err, ERR_INTERNAL, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		tool = json_object_array_get_idx(tools, i);
		if (!json_object_is_type(tool, json_type_object)) {
			bad_tool(err, i, "is not an object");
			goto out;
		}
		if ((name = member_of_type(tool, "name", json_type_string)) ==
		    NULL || !tool_name_valid(json_object_get_string(name))) {
			bad_tool(err, i, "has no usable name");
			goto out;
		}
		if (json_object_object_get_ex(seen,
		    json_object_get_string(name), NULL)) {
			bad_tool(err, i, "has the name of an earlier one");
			goto out;
		}
		if ((json_object_object_get_ex(tool, "inputSchema", &member) &&
		    !json_object_is_type(member, json_type_object)) ||
		    (json_object_object_get_ex(tool, "annotations", &member) &&
		    member != NULL &&
		    !json_object_is_type(member, json_type_object))) {
			bad_tool(err, i, "has an inputSchema or annotations"
			    " that is not an object");
			goto out;
		}
		if ((op = tool_operation(tool,
		    json_object_get_string(name))) == NULL ||
		    json_object_array_add(*operations, op) != 0) {
			json_object_put(op);
			error_set(err, ERR_INTERNAL, "out of memory");
			goto out;
		}
		json_object_object_add(seen, json_object_get_string(name),
		    NULL);
	}
	rc = 0;
out:
	json_object_put(seen);
	if (rc != 0) {
		json_object_put(*operations);
		*operations = NULL;
	}
	return rc;
}

/* ---------------------------------------------------------------- */
/* The conversation                                                  */

/* How an answer of HTTP 401 begins its message (mcpclient_refused()). */
#define REFUSED_401 "The MCP server refused the request (HTTP 401)."

bool
mcpclient_refused(const struct error *err)
{
	return err->code == ERR_UPSTREAM_UNAVAILABLE &&
	    strcmp(err->message, REFUSED_401) == 0;
}

/*
 * Set err for an HTTP status that is not a success.  Returns -1.
 */
static int
http_failed(const struct mcpclient *c, const char *method, long status,
    struct error *err)
{
	log_warn("mcp %s: HTTP %ld", method, status);
	if (status == 401 || status == 403) {
		if (status == 401)
			error_set(err, ERR_UPSTREAM_UNAVAILABLE, "%s",
			    REFUSED_401);
		else
			error_set(err, ERR_UPSTREAM_UNAVAILABLE, "The MCP"
			    " server refused the request (HTTP %ld).", status);
		error_hint(err, "The server needs authorization: give its"
		    " access token.");
	} else if (status == 404 && c->session_id[0] != '\0') {
		error_set(err, ERR_UPSTREAM_UNAVAILABLE, "The MCP server"
		    " ended the session.");
	} else {
		error_set(err, ERR_UPSTREAM_UNAVAILABLE, "The server did not"
		    " answer as an MCP server (HTTP %ld).", status);
		error_hint(err, "Check that the URL is the MCP server's"
		    " Streamable HTTP endpoint.");
	}
	return -1;
}

/*
 * POST one message (id > 0: a request, whose messages come back in
 * *messages; id 0: a notification, *messages untouched) with the
 * conversation's headers.  initialize reads the session id.  Returns 0/-1.
 */
static int
post_message(struct mcpclient *c, long long id, const char *method,
    json_object *params, json_object **messages, struct error *err)
{
	char version_header[64], session_header[MCPCLIENT_SESSION_ID_MAX + 32];
	char content_type[256], session[MCPCLIENT_SESSION_ID_MAX + 2];
	const char *headers[6];
	struct outbound_response res = { 0 };
	char *body = NULL;
	size_t n = 0;
	int rc = -1;

	headers[n++] = "Content-Type: application/json";
	headers[n++] = "Accept: application/json, text/event-stream";
	if (c->version[0] != '\0') {
		snprintf(version_header, sizeof(version_header),
		    "MCP-Protocol-Version: %s", c->version);
		headers[n++] = version_header;
	}
	if (c->session_id[0] != '\0') {
		snprintf(session_header, sizeof(session_header),
		    "Mcp-Session-Id: %s", c->session_id);
		headers[n++] = session_header;
	}
	if (c->authorization != NULL)
		headers[n++] = c->authorization;
	headers[n] = NULL;
	if ((body = mcpclient_frame(id, method, params, err)) == NULL)
		goto out;
	if (outbound_request(c->policy, "POST", c->url, headers, body,
	    strlen(body), &res, err) != 0)
		goto out;
	if (res.status < 200 || res.status > 299) {
		http_failed(c, method, res.status, err);
		goto out;
	}
	if (id == 0 || messages == NULL) {   /* a notification: no answer */
		rc = 0;
		goto out;
	}
	if (strcmp(method, "initialize") == 0 &&
	    outbound_response_header(&res, "Mcp-Session-Id", session,
	    sizeof(session)) == 0) {
		if (!visible_ascii(session, MCPCLIENT_SESSION_ID_MAX)) {
			not_mcp(err, "its session id is malformed");
			goto out;
		}
		memcpy(c->session_id, session, strlen(session) + 1);
	}
	if (outbound_response_header(&res, "Content-Type", content_type,
	    sizeof(content_type)) != 0)
		content_type[0] = '\0';
	rc = mcpclient_parse_messages(content_type, res.body, res.len,
	    messages, err);
out:
	free(body);
	outbound_response_free(&res);
	return rc;
}

int
mcpclient_request(struct mcpclient *c, const char *method,
    json_object *params, json_object **result, struct error *err)
{
	json_object *messages = NULL;
	long long id = c->next_id++;
	int rc;

	*result = NULL;
	if (post_message(c, id, method, params, &messages, err) != 0)
		return -1;
	rc = mcpclient_find_result(messages, id, result, err);
	json_object_put(messages);
	return rc;
}

/* The initialize request's params.  Returns a new object or NULL. */
static json_object *
initialize_params(void)
{
	json_object *params, *info;

	if ((params = json_object_new_object()) == NULL)
		return NULL;
	json_object_object_add(params, "protocolVersion",
	    json_object_new_string(MCPCLIENT_PROTOCOL_VERSION));
	json_object_object_add(params, "capabilities",
	    json_object_new_object());
	info = json_object_new_object();
	json_object_object_add(info, "name", json_object_new_string("drio"));
	json_object_object_add(info, "version",
	    json_object_new_string(DRIO_VERSION));
	json_object_object_add(params, "clientInfo", info);
	return params;
}

int
mcpclient_open(const struct outbound_policy *policy, const char *url,
    const char *bearer, struct mcpclient **out, struct error *err)
{
	struct mcpclient *c;
	json_object *params = NULL, *result = NULL, *version;
	size_t size;
	int rc = -1;

	*out = NULL;
	if (bearer != NULL && !mcpclient_bearer_valid(bearer))
		return error_set(err, ERR_BAD_REQUEST, "The bearer token must"
		    " be 1 to %d visible ASCII characters.",
		    MCPCLIENT_BEARER_MAX);
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->url = strdup(url)) == NULL)
		goto nomem;
	c->policy = policy;
	c->next_id = 1;
	if (bearer != NULL) {
		size = strlen(bearer) + sizeof("Authorization: Bearer ");
		if ((c->authorization = malloc(size)) == NULL)
			goto nomem;
		snprintf(c->authorization, size, "Authorization: Bearer %s",
		    bearer);
	}
	if ((params = initialize_params()) == NULL)
		goto nomem;
	if (mcpclient_request(c, "initialize", params, &result, err) != 0)
		goto out;
	if ((version = member_of_type(result, "protocolVersion",
	    json_type_string)) == NULL) {
		not_mcp(err, "its initialize answer names no protocol version");
		goto out;
	}
	if (!mcpclient_version_supported(json_object_get_string(version))) {
		error_set(err, ERR_UPSTREAM_UNAVAILABLE, "The MCP server speaks"
		    " a protocol version drio does not (it offered %.16s).",
		    json_object_get_string(version));
		error_hint(err, "drio speaks MCP %s and 2025-03-26.",
		    MCPCLIENT_PROTOCOL_VERSION);
		goto out;
	}
	snprintf(c->version, sizeof(c->version), "%s",
	    json_object_get_string(version));
	if ((version = member_of_type(result, "serverInfo",
	    json_type_object)) != NULL)
		c->server_info = json_object_get(version);
	if (post_message(c, 0, "notifications/initialized", NULL, NULL,
	    err) != 0)
		goto out;
	*out = c;
	c = NULL;
	rc = 0;
	goto out;
nomem:
	error_set(err, ERR_INTERNAL, "out of memory");
out:
	json_object_put(params);
	json_object_put(result);
	mcpclient_close(c);
	return rc;
}

const char *
mcpclient_protocol_version(const struct mcpclient *c)
{
	return c->version;
}

json_object *
mcpclient_server_info(const struct mcpclient *c)
{
	return c->server_info;
}

int
mcpclient_tools(struct mcpclient *c, json_object **tools, struct error *err)
{
	json_object *params = NULL, *result = NULL, *page, *cursor;
	size_t i;
	int pages, rc = -1;

	if ((*tools = json_object_new_array()) == NULL)
		return error_set(err, ERR_INTERNAL, "out of memory");
	for (pages = 0; ; pages++) {
		if (pages == MCPCLIENT_PAGES_MAX) {
			error_set(err, ERR_UPSTREAM_TOO_LARGE, "The MCP server"
			    " lists its tools on more than %d pages.",
			    MCPCLIENT_PAGES_MAX);
			goto out;
		}
		if (mcpclient_request(c, "tools/list", params, &result,
		    err) != 0)
			goto out;
		if ((page = member_of_type(result, "tools",
		    json_type_array)) == NULL) {
			not_mcp(err, "its tools/list answer has no tools");
			goto out;
		}
		if (json_object_array_length(page) > MCPCLIENT_TOOLS_MAX -
		    json_object_array_length(*tools)) {
			error_set(err, ERR_UPSTREAM_TOO_LARGE, "The MCP server"
			    " lists more than %d tools.", MCPCLIENT_TOOLS_MAX);
			goto out;
		}
		for (i = 0; i < json_object_array_length(page); i++)
			json_object_array_add(*tools, json_object_get(
			    json_object_array_get_idx(page, i)));
		cursor = member_of_type(result, "nextCursor", json_type_string);
		if (cursor == NULL)
			break;
		json_object_put(params);
		if ((params = json_object_new_object()) == NULL) {
			error_set(err, ERR_INTERNAL, "out of memory");
			goto out;
		}
		json_object_object_add(params, "cursor",
		    json_object_get(cursor));
		json_object_put(result);
		result = NULL;
	}
	rc = 0;
out:
	json_object_put(params);
	json_object_put(result);
	if (rc != 0) {
		json_object_put(*tools);
		*tools = NULL;
	}
	return rc;
}

void
mcpclient_close(struct mcpclient *c)
{
	char session_header[MCPCLIENT_SESSION_ID_MAX + 32];
	const char *headers[4];
	struct outbound_response res = { 0 };
	struct error err = { 0 };
	size_t n = 0;

	if (c == NULL)
		return;
	if (c->session_id[0] != '\0') {
		snprintf(session_header, sizeof(session_header),
		    "Mcp-Session-Id: %s", c->session_id);
		headers[n++] = session_header;
		if (c->authorization != NULL)
			headers[n++] = c->authorization;
		headers[n] = NULL;
		if (outbound_request(c->policy, "DELETE", c->url, headers, NULL,
		    0, &res, &err) != 0)
			log_warn("mcp: ending the session: %s", err.message);
		else if (res.status < 200 || res.status > 299)
			log_info("mcp: ending the session: HTTP %ld",
			    res.status);
		outbound_response_free(&res);
		error_clear(&err);
	}
	free(c->url);
	if (c->authorization != NULL) {
		explicit_bzero(c->authorization, strlen(c->authorization));
		free(c->authorization);
	}
	json_object_put(c->server_info);
	free(c);
}

int
mcpclient_list_tools(const struct outbound_policy *policy, const char *url,
    const char *bearer, json_object **tools, struct error *err)
{
	struct mcpclient *c;
	int rc;

	*tools = NULL;
	if (mcpclient_open(policy, url, bearer, &c, err) != 0)
		return -1;
	rc = mcpclient_tools(c, tools, err);
	mcpclient_close(c);
	return rc;
}

int
mcpclient_call_tool(const struct outbound_policy *policy, const char *url,
    const char *bearer, const char *name, json_object *arguments,
    json_object **result, struct error *err)
{
	struct mcpclient *c = NULL;
	json_object *params = NULL;
	int rc = -1;

	*result = NULL;
	if ((params = json_object_new_object()) == NULL) {
		error_set(err, ERR_INTERNAL, "out of memory");
		goto out;
	}
	json_object_object_add(params, "name", json_object_new_string(name));
	json_object_object_add(params, "arguments", arguments != NULL ?
	    json_object_get(arguments) : json_object_new_object());
	if (mcpclient_open(policy, url, bearer, &c, err) != 0)
		goto out;
	rc = mcpclient_request(c, "tools/call", params, result, err);
out:
	mcpclient_close(c);
	json_object_put(params);
	return rc;
}

/* ---------------------------------------------------------------- */
/* The custom MCP server integration                                 */

#define AAD_PREFIX "workspace_integrations.secret:"
#define AAD_MAX    (sizeof(AAD_PREFIX) + 2 * AUTH_UUID_LEN + 2)

static const struct db_statement integration_name_used = {
	"mcpclient_name_used",
	"SELECT 1 FROM workspace_integrations"
	" WHERE workspace_id = $1 AND name = $2"
};

static const struct db_statement integration_new_id = {
	"mcpclient_new_id",
	"SELECT gen_random_uuid()"
};

/* The row's columns as the integrations routes show them, and catalog. */
static const struct db_statement integration_insert = {
	"mcpclient_insert",
	"INSERT INTO workspace_integrations AS w (id, workspace_id, crew_id,"
	"       name, kind, auth_mode, url, status, secret, secret_fields,"
	"       catalog, catalog_at, created_by)"
	" VALUES ($1, $2, $3, $4, 'mcp_server',"
	"         CASE WHEN $6::bytea IS NULL THEN 'none' ELSE 'pat' END,"
	"         $5, 'connected', $6::bytea,"
	"         CASE WHEN $6::bytea IS NULL THEN '{}'::text[]"
	"              ELSE ARRAY['token'] END,"
	"         $7::jsonb, now(), $8)"
	" ON CONFLICT (workspace_id, name) DO NOTHING"
	" RETURNING w.id, w.workspace_id, w.crew_id, w.connector_id,"
	"       w.connector_version, w.name, w.kind, w.auth_mode, w.url,"
	"       w.status, w.status_message, w.fields,"
	"       to_jsonb(w.secret_fields), w.oauth,"
	"       jsonb_array_length(w.catalog), w.created_by,"
	"       drio_rfc3339(w.created_at), drio_rfc3339(w.updated_at),"
	"       w.catalog"
};

/* Set err to ERR_NAME_TAKEN.  Returns -1. */
static int
name_taken(struct error *err)
{
	error_set(err, ERR_NAME_TAKEN, "The workspace already has an"
	    " integration with this name.");
	error_hint(err, "Give the integration another name.");
	error_add_detail(err, "body", "name", "An integration of this"
	    " workspace already has this name", "name_taken");
	return -1;
}

/* The integration from the insert's row 0.  Returns a new object. */
static json_object *
integration_from_row(const PGresult *res)
{
	json_object *o = json_object_new_object();

	json_put_string(o, "id", db_value(res, 0, 0));
	json_put_string(o, "workspace_id", db_value(res, 0, 1));
	json_put_string(o, "crew_id", db_value(res, 0, 2));
	json_put_string(o, "connector_id", db_value(res, 0, 3));
	if (db_value(res, 0, 4) == NULL)
		json_object_object_add(o, "connector_version", NULL);
	else
		json_put_int(o, "connector_version", db_int(res, 0, 4));
	json_put_string(o, "name", db_value(res, 0, 5));
	json_put_string(o, "kind", db_value(res, 0, 6));
	json_put_string(o, "auth_mode", db_value(res, 0, 7));
	json_put_string(o, "url", db_value(res, 0, 8));
	json_put_string(o, "status", db_value(res, 0, 9));
	json_put_string(o, "status_message", db_value(res, 0, 10));
	json_put_db(o, "fields", db_value(res, 0, 11));
	json_put_db(o, "secret_fields", db_value(res, 0, 12));
	json_put_db(o, "oauth", db_value(res, 0, 13));
	json_put_int(o, "catalog_size", db_int(res, 0, 14));
	json_put_string(o, "created_by", db_value(res, 0, 15));
	json_put_string(o, "created_at", db_value(res, 0, 16));
	json_put_string(o, "updated_at", db_value(res, 0, 17));
	json_put_db(o, "catalog", db_value(res, 0, 18));
	return o;
}

/*
 * Seal {"token": token} for row id of workspace_id.  Returns 0 and a
 * malloc'd bytea text in *bytea, or -1 and err.
 */
static int
seal_token(struct vault *vault, const char *workspace_id, const char *id,
    const char *token, char **bytea, struct error *err)
{
	json_object *secret = NULL;
	unsigned char *sealed = NULL;
	const char *plain;
	char aad[AAD_MAX];
	size_t sealed_len, i;
	int rc = -1;

	*bytea = NULL;
	if (vault == NULL)
		return error_set(err, ERR_INTERNAL, "no vault to seal a"
		    " secret with");
	snprintf(aad, sizeof(aad), AAD_PREFIX "%s:%s", workspace_id, id);
	for (i = sizeof(AAD_PREFIX) - 1; aad[i] != '\0'; i++)
		if (aad[i] >= 'A' && aad[i] <= 'F')
			aad[i] = (char)(aad[i] - 'A' + 'a');
	if ((secret = json_object_new_object()) == NULL) {
		error_set(err, ERR_INTERNAL, "out of memory");
		goto out;
	}
	json_object_object_add(secret, "token", json_object_new_string(token));
	plain = json_object_to_json_string_ext(secret, JSON_C_TO_STRING_PLAIN);
	if (vault_seal(vault, aad, plain, strlen(plain), &sealed, &sealed_len,
	    err) != 0)
		goto out;
	if ((*bytea = db_bytea_text(sealed, sealed_len, err)) == NULL)
		goto out;
	rc = 0;
out:
	json_object_put(secret);
	free(sealed);
	return rc;
}

int
mcpclient_add_integration(const struct outbound_policy *policy,
    struct vault *vault, const struct mcpclient_integration *in,
    json_object **out, struct error *err)
{
	json_object *crew = NULL, *tools = NULL, *operations = NULL;
	char id[AUTH_UUID_LEN + 1];
	PGresult *res = NULL;
	char *bytea = NULL;
	int rc = -1;

	*out = NULL;
	if (in->crew_id != NULL &&
	    crew_get(in->workspace_id, in->crew_id, &crew, err) != 0)
		goto out;
	{
		const char *params[] = { in->workspace_id, in->name };

		if (db_exec(&integration_name_used, 2, params, &res, err) != 0)
			goto out;
		if (PQntuples(res) != 0) {
			name_taken(err);
			goto out;
		}
		PQclear(res);
		res = NULL;
	}
	if (mcpclient_list_tools(policy, in->url, in->token, &tools,
	    err) != 0 ||
	    mcpclient_tools_operations(tools, &operations, err) != 0)
		goto out;
	if (db_exec(&integration_new_id, 0, NULL, &res, err) != 0)
		goto out;
	snprintf(id, sizeof(id), "%s", db_value(res, 0, 0));
	PQclear(res);
	res = NULL;
	if (in->token != NULL && seal_token(vault, in->workspace_id, id,
	    in->token, &bytea, err) != 0)
		goto out;
	{
		const char *params[] = { id, in->workspace_id, in->crew_id,
		    in->name, in->url, bytea, json_text(operations),
		    in->created_by };

		if (db_exec(&integration_insert, 8, params, &res, err) != 0)
			goto out;
		if (PQntuples(res) != 1) {
			name_taken(err);
			goto out;
		}
	}
	if ((*out = integration_from_row(res)) == NULL) {
		error_set(err, ERR_INTERNAL, "out of memory");
		goto out;
	}
	rc = 0;
out:
	PQclear(res);
	free(bytea);
	json_object_put(operations);
	json_object_put(tools);
	json_object_put(crew);
	return rc;
}

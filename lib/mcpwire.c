/*
 * mcpwire.c: the MCP endpoint's JSON-RPC messages and the two protocol
 * eras, pure (see mcpwire.h).  Sources: the MCP specification,
 * revisions 2025-03-26, 2025-06-18, 2025-11-25 and 2026-07-28
 * (basic/index, basic/transports, basic/versioning, basic/lifecycle,
 * server/utilities/caching, server/discover, schema.ts), and JSON-RPC
 * 2.0.  Where the specification leaves a choice, the official
 * TypeScript SDK's dual-era entry (createMcpHandler and its inbound
 * classifier) is the tie-breaker, so that its clients meet the answers
 * they expect.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "mcpwire.h"
#include "utf8.h"

/* Newest first; the modern version, then the legacy ones. */
static const char *const versions[] = {
	MCPWIRE_VERSION_MODERN,
	MCPWIRE_VERSION_LEGACY_LATEST,
	"2025-06-18",
	MCPWIRE_VERSION_ASSUMED,
	NULL
};
#define LEGACY_VERSIONS (versions + 1)

#define SENTINEL_PREFIX "=?base64?"
#define SENTINEL_SUFFIX "?="

/* ---------------------------------------------------------------- */
/* Versions                                                          */

const char *const *
mcpwire_versions(void)
{
	return versions;
}

bool
mcpwire_version_is_modern(const char *version)
{
	return version != NULL && strcmp(version, MCPWIRE_VERSION_MODERN) == 0;
}

bool
mcpwire_version_is_legacy(const char *version)
{
	size_t i;

	if (version == NULL)
		return false;
	for (i = 0; LEGACY_VERSIONS[i] != NULL; i++)
		if (strcmp(version, LEGACY_VERSIONS[i]) == 0)
			return true;
	return false;
}

const char *
mcpwire_negotiate(const char *requested)
{
	size_t i;

	if (requested != NULL)
		for (i = 0; LEGACY_VERSIONS[i] != NULL; i++)
			if (strcmp(requested, LEGACY_VERSIONS[i]) == 0)
				return LEGACY_VERSIONS[i];
	return MCPWIRE_VERSION_LEGACY_LATEST;
}

/* A new JSON array of list (NULL-terminated), or NULL. */
static json_object *
string_array(const char *const *list)
{
	json_object *array, *item;
	size_t i;

	if ((array = json_object_new_array()) == NULL)
		return NULL;
	for (i = 0; list[i] != NULL; i++)
		if ((item = json_object_new_string(list[i])) == NULL ||
		    json_object_array_add(array, item) != 0) {
			json_object_put(item);
			json_object_put(array);
			return NULL;
		}
	return array;
}

json_object *
mcpwire_versions_json(void)
{
	return string_array(versions);
}

/*
 * Does version name a modern-era revision: a date "YYYY-MM-DD" on or
 * after 2026-07-28 (versioning.mdx "Terminology"), supported or not?
 */
static bool
version_in_modern_era(const char *version)
{
	size_t i;

	if (version == NULL || strlen(version) != 10)
		return false;
	for (i = 0; i < 10; i++)
		if (i == 4 || i == 7 ? version[i] != '-' :
		    version[i] < '0' || version[i] > '9')
			return false;
	return strcmp(version, MCPWIRE_VERSION_MODERN) >= 0;
}

/* ---------------------------------------------------------------- */
/* Faults                                                            */

void
mcpwire_fault_clear(struct mcpwire_fault *fault)
{
	if (fault == NULL)
		return;
	json_object_put(fault->data);
	json_object_put(fault->id);
	memset(fault, 0, sizeof(*fault));
}

/*
 * Set fault (releasing what it held): kind, status, code, the message
 * (printf format), a new reference to id (borrowed; NULL for null) and
 * data (taken over).  Always returns -1.
 */
static int __attribute__((__format__(printf, 7, 8)))
fault_set(struct mcpwire_fault *fault, enum mcpwire_fault_kind kind,
    int status, int code, json_object *id, json_object *data,
    const char *fmt, ...)
{
	va_list ap;

	mcpwire_fault_clear(fault);
	fault->kind = kind;
	fault->status = status;
	fault->code = code;
	fault->id = json_object_get(id);
	fault->data = data;
	va_start(ap, fmt);
	vsnprintf(fault->message, sizeof(fault->message), fmt, ap);
	va_end(ap);
	return -1;
}

/* The fault for exhausted memory.  Always returns -1. */
static int
fault_internal(struct mcpwire_fault *fault, json_object *id)
{
	return fault_set(fault, MCPWIRE_FAULT_INTERNAL, 500,
	    MCPWIRE_INTERNAL_ERROR, id, NULL, "Internal error");
}

json_object *
mcpwire_fault_response(const struct mcpwire_fault *fault)
{
	return mcpwire_error_response(fault->id, fault->code, fault->message,
	    json_object_get(fault->data));
}

/* ---------------------------------------------------------------- */
/* Strict JSON                                                       */

/* Are len bytes at s UTF-8 without NUL? */
static bool
utf8_text(const unsigned char *s, size_t len)
{
	return memchr(s, '\0', len) == NULL &&
	    utf8_valid((const char *)s, len);
}

/* The value of 4 hex digits at s, or -1. */
static long
hex4(const unsigned char *s)
{
	long v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		v <<= 4;
		if (s[i] >= '0' && s[i] <= '9')
			v |= s[i] - '0';
		else if (s[i] >= 'a' && s[i] <= 'f')
			v |= s[i] - 'a' + 10;
		else if (s[i] >= 'A' && s[i] <= 'F')
			v |= s[i] - 'A' + 10;
		else
			return -1;
	}
	return v;
}

/*
 * Skip the JSON string whose opening quote is at s[*i]: no raw control
 * characters, only JSON's escapes, \u surrogates only in pairs (RFC 7493
 * 2.1), UTF-8 well-formed.  Returns whether it is one; *i is then just
 * past the closing quote.
 */
static bool
scan_string(const unsigned char *s, size_t len, size_t *i)
{
	size_t p = *i + 1, n;
	long u, low;

	while (p < len) {
		if (s[p] == '"') {
			*i = p + 1;
			return true;
		}
		if (s[p] < 0x20)
			return false;
		if (s[p] != '\\') {
			if ((n = utf8_char((const char *)s + p, len - p,
			    NULL)) == 0)
				return false;
			p += n;
			continue;
		}
		if (++p >= len)
			return false;
		if (strchr("\"\\/bfnrt", s[p]) != NULL && s[p] != '\0') {
			p++;
			continue;
		}
		if (s[p] != 'u' || len - p < 5 || (u = hex4(s + p + 1)) < 0)
			return false;
		p += 5;
		if (u >= 0xdc00 && u <= 0xdfff)
			return false;
		if (u >= 0xd800 && u <= 0xdbff) {
			if (len - p < 6 || s[p] != '\\' || s[p + 1] != 'u' ||
			    (low = hex4(s + p + 2)) < 0xdc00 || low > 0xdfff)
				return false;
			p += 6;
		}
	}
	return false;
}

/* Skip the JSON number at s[*i] (RFC 8259 6).  Returns whether it is one. */
static bool
scan_number(const unsigned char *s, size_t len, size_t *i)
{
	size_t p = *i, digits;

	if (p < len && s[p] == '-')
		p++;
	if (p < len && s[p] == '0')
		p++;
	else if (p < len && s[p] >= '1' && s[p] <= '9')
		while (p < len && s[p] >= '0' && s[p] <= '9')
			p++;
	else
		return false;
	if (p < len && s[p] == '.') {
		for (p++, digits = 0; p < len && s[p] >= '0' && s[p] <= '9';
		    p++)
			digits++;
		if (digits == 0)
			return false;
	}
	if (p < len && (s[p] == 'e' || s[p] == 'E')) {
		p++;
		if (p < len && (s[p] == '+' || s[p] == '-'))
			p++;
		for (digits = 0; p < len && s[p] >= '0' && s[p] <= '9'; p++)
			digits++;
		if (digits == 0)
			return false;
	}
	*i = p;
	return true;
}

/* The length of the literal true, false or null at s, or 0. */
static size_t
literal(const unsigned char *s, size_t len)
{
	static const char *const literals[] = { "true", "false", "null" };
	size_t i, n;

	for (i = 0; i < sizeof(literals) / sizeof(literals[0]); i++) {
		n = strlen(literals[i]);
		if (len >= n && memcmp(s, literals[i], n) == 0)
			return n;
	}
	return 0;
}

/*
 * Is s (len bytes) exactly one JSON text by RFC 8259, in well-formed
 * UTF-8, nesting arrays and objects at most depth (<= MCPWIRE_JSON_DEPTH)
 * deep?  json-c alone would also take comments, single quotes, NaN,
 * Infinity, leading zeros, trailing commas and control characters in
 * strings, which an intermediary reading the same body might not.
 */
static bool
json_strict(const unsigned char *s, size_t len, int depth)
{
	enum { VALUE, VALUE_OR_END, KEY, KEY_OR_END, COLON, NEXT } want =
	    VALUE;
	char stack[MCPWIRE_JSON_DEPTH];
	int top = 0;
	size_t i = 0, n;

	if (depth > MCPWIRE_JSON_DEPTH)
		depth = MCPWIRE_JSON_DEPTH;
	for (;;) {
		while (i < len && (s[i] == ' ' || s[i] == '\t' ||
		    s[i] == '\r' || s[i] == '\n'))
			i++;
		if (i == len)
			return want == NEXT && top == 0;
		switch (want) {
		case VALUE:
		case VALUE_OR_END:
			if (s[i] == ']' && want == VALUE_OR_END) {
				top--;
				i++;
				want = NEXT;
			} else if (s[i] == '{' || s[i] == '[') {
				if (top == depth)
					return false;
				stack[top++] = (char)s[i];
				want = s[i] == '{' ? KEY_OR_END : VALUE_OR_END;
				i++;
			} else if (s[i] == '"') {
				if (!scan_string(s, len, &i))
					return false;
				want = NEXT;
			} else if (s[i] == '-' ||
			    (s[i] >= '0' && s[i] <= '9')) {
				if (!scan_number(s, len, &i))
					return false;
				want = NEXT;
			} else if ((n = literal(s + i, len - i)) > 0) {
				i += n;
				want = NEXT;
			} else
				return false;
			break;
		case KEY:
		case KEY_OR_END:
			if (s[i] == '}' && want == KEY_OR_END) {
				top--;
				i++;
				want = NEXT;
			} else if (s[i] == '"') {
				if (!scan_string(s, len, &i))
					return false;
				want = COLON;
			} else
				return false;
			break;
		case COLON:
			if (s[i] != ':')
				return false;
			i++;
			want = VALUE;
			break;
		case NEXT:
			if (top == 0)
				return false;  /* something after the value */
			if (s[i] == ',')
				want = stack[top - 1] == '{' ? KEY : VALUE;
			else if ((s[i] == '}' && stack[top - 1] == '{') ||
			    (s[i] == ']' && stack[top - 1] == '['))
				top--;
			else
				return false;
			i++;
			break;
		}
	}
}

/* ---------------------------------------------------------------- */
/* Messages                                                          */

void
mcpwire_message_clear(struct mcpwire_message *msg)
{
	if (msg == NULL)
		return;
	json_object_put(msg->root);
	memset(msg, 0, sizeof(*msg));
}

/* v as a C string when it is a JSON string without NUL, else NULL. */
static const char *
string_of(json_object *v)
{
	const char *s;

	if (!json_object_is_type(v, json_type_string))
		return NULL;
	s = json_object_get_string(v);
	if (strlen(s) != (size_t)json_object_get_string_len(v))
		return NULL;
	return s;
}

/* Member key of obj as string_of() reads it, else NULL. */
static const char *
member_string(json_object *obj, const char *key)
{
	json_object *v;

	if (!json_object_is_type(obj, json_type_object) ||
	    !json_object_object_get_ex(obj, key, &v))
		return NULL;
	return string_of(v);
}

/* Member key of obj when it is an object, else NULL. */
static json_object *
member_object(json_object *obj, const char *key)
{
	json_object *v;

	if (!json_object_is_type(obj, json_type_object) ||
	    !json_object_object_get_ex(obj, key, &v) ||
	    !json_object_is_type(v, json_type_object))
		return NULL;
	return v;
}

/*
 * Can id be a request id and be echoed exactly: a string without NUL,
 * or an integer strictly between INT64_MIN and INT64_MAX?  json-c
 * clamps integers beyond int64 (and beyond uint64) to those bounds, and
 * reads numbers with a fraction or exponent as doubles, which MCP's
 * "string or integer" id excludes, 1.0 and 1e3 included.
 */
static bool
id_usable(json_object *id)
{
	int64_t v;

	if (json_object_is_type(id, json_type_string))
		return string_of(id) != NULL;
	if (!json_object_is_type(id, json_type_int))
		return false;
	v = json_object_get_int64(id);
	return v != INT64_MIN && v != INT64_MAX;
}

/*
 * Check the JSON-RPC shape of msg->root (an object) and fill the
 * message's kind, id, method, params, result and error.  Returns 0, or
 * -1 and fault (INVALID).
 */
static int
read_shape(struct mcpwire_message *msg, struct mcpwire_fault *fault)
{
	json_object *root = msg->root, *id = NULL, *method, *v;
	json_object *echo;
	bool has_id, has_method, has_result, has_error;
	const char *version;

	has_id = json_object_object_get_ex(root, "id", &id);
	echo = has_id && id_usable(id) ? id : NULL;
	has_method = json_object_object_get_ex(root, "method", &method);
	has_result = json_object_object_get_ex(root, "result", &msg->result);
	has_error = json_object_object_get_ex(root, "error", &msg->error);

	version = member_string(root, "jsonrpc");
	if (version == NULL || strcmp(version, "2.0") != 0)
		return fault_set(fault, MCPWIRE_FAULT_INVALID, 400,
		    MCPWIRE_INVALID_REQUEST, echo, NULL,
		    "Invalid Request: jsonrpc must be \"2.0\"");

	if (has_method) {
		if ((msg->method = string_of(method)) == NULL ||
		    msg->method[0] == '\0')
			return fault_set(fault, MCPWIRE_FAULT_INVALID, 400,
			    MCPWIRE_INVALID_REQUEST, echo, NULL,
			    "Invalid Request: method must be a non-empty "
			    "string");
		if (has_result || has_error)
			return fault_set(fault, MCPWIRE_FAULT_INVALID, 400,
			    MCPWIRE_INVALID_REQUEST, echo, NULL,
			    "Invalid Request: a request carries no result "
			    "or error");
		if (has_id && echo == NULL)
			return fault_set(fault, MCPWIRE_FAULT_INVALID, 400,
			    MCPWIRE_INVALID_REQUEST, NULL, NULL,
			    "Invalid Request: id must be a string or an "
			    "integer");
		if (json_object_object_get_ex(root, "params", &v)) {
			if (!json_object_is_type(v, json_type_object))
				return fault_set(fault,
				    MCPWIRE_FAULT_INVALID, 400,
				    MCPWIRE_INVALID_REQUEST, echo, NULL,
				    "Invalid Request: params must be an "
				    "object");
			msg->params = v;
		}
		msg->kind = has_id ? MCPWIRE_REQUEST : MCPWIRE_NOTIFICATION;
		msg->id = echo;
		msg->result = msg->error = NULL;
		return 0;
	}

	if (has_result == has_error)
		return fault_set(fault, MCPWIRE_FAULT_INVALID, 400,
		    MCPWIRE_INVALID_REQUEST, echo, NULL, has_result ?
		    "Invalid Request: a response carries result or error, "
		    "not both" :
		    "Invalid Request: no method, result or error");
	if (has_result) {
		if (echo == NULL)
			return fault_set(fault, MCPWIRE_FAULT_INVALID, 400,
			    MCPWIRE_INVALID_REQUEST, NULL, NULL,
			    "Invalid Request: id must be a string or an "
			    "integer");
		if (!json_object_is_type(msg->result, json_type_object))
			return fault_set(fault, MCPWIRE_FAULT_INVALID, 400,
			    MCPWIRE_INVALID_REQUEST, echo, NULL,
			    "Invalid Request: result must be an object");
		msg->error = NULL;
	} else {
		/* An error response may lack an id it could not read. */
		if (has_id && echo == NULL &&
		    !json_object_is_type(id, json_type_null))
			return fault_set(fault, MCPWIRE_FAULT_INVALID, 400,
			    MCPWIRE_INVALID_REQUEST, NULL, NULL,
			    "Invalid Request: id must be a string, an "
			    "integer or null");
		if (!json_object_object_get_ex(msg->error, "code", &v) ||
		    !json_object_is_type(v, json_type_int) ||
		    member_string(msg->error, "message") == NULL)
			return fault_set(fault, MCPWIRE_FAULT_INVALID, 400,
			    MCPWIRE_INVALID_REQUEST, echo, NULL,
			    "Invalid Request: error must have an integer "
			    "code and a string message");
		msg->result = NULL;
	}
	msg->kind = MCPWIRE_RESPONSE;
	msg->id = echo;
	return 0;
}

/* Fill what the message says about its era and its client. */
static void
read_meta(struct mcpwire_message *msg)
{
	json_object *v;

	if (msg->params == NULL)
		return;
	if ((msg->meta = member_object(msg->params, "_meta")) != NULL &&
	    json_object_object_get_ex(msg->meta,
	    MCPWIRE_META_PROTOCOL_VERSION, &v)) {
		msg->claim = true;
		msg->meta_version = string_of(v);
	}
	if (msg->claim) {
		msg->client_info = member_object(msg->meta,
		    MCPWIRE_META_CLIENT_INFO);
		msg->client_capabilities = member_object(msg->meta,
		    MCPWIRE_META_CLIENT_CAPABILITIES);
	}
	if (strcmp(msg->method, "initialize") == 0) {
		msg->init_version = member_string(msg->params,
		    "protocolVersion");
		if (msg->client_info == NULL)
			msg->client_info = member_object(msg->params,
			    "clientInfo");
		if (msg->client_capabilities == NULL)
			msg->client_capabilities = member_object(msg->params,
			    "capabilities");
	}
	msg->client_name = member_string(msg->client_info, "name");
	msg->client_version = member_string(msg->client_info, "version");
	if (strcmp(msg->method, "tools/call") == 0 ||
	    strcmp(msg->method, "prompts/get") == 0)
		msg->name = member_string(msg->params, "name");
	else if (strcmp(msg->method, "resources/read") == 0)
		msg->name = member_string(msg->params, "uri");
}

/*
 * Batches: JSON-RPC batching was removed in 2025-06-18 (changelog #1),
 * 2026-07-28 requires "a single JSON-RPC request or notification", and
 * only 2025-03-26 allowed arrays.  drio refuses them in every era: the
 * body is read before the session says which version it negotiated,
 * no client drio is tested with sends them (the official SDKs' clients
 * never batch), a batch would need an array answer and per-element
 * statuses that nothing else in the responder needs, and the
 * specification names no status for a batch a later revision refuses,
 * so it gets the same 400 and -32600 as any other body that is not one
 * message.  A 2025-03-26 client that batches is told so in the message.
 */
int
mcpwire_parse(const char *body, size_t len, struct mcpwire_message *msg,
    struct mcpwire_fault *fault)
{
	const unsigned char *s = (const unsigned char *)body;
	size_t i = 0;

	memset(msg, 0, sizeof(*msg));
	if (body == NULL || !json_strict(s, len, MCPWIRE_JSON_DEPTH))
		return fault_set(fault, MCPWIRE_FAULT_PARSE, 400,
		    MCPWIRE_PARSE_ERROR, NULL, NULL, "Parse error");
	while (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n')
		i++;
	if (s[i] == '[')
		return fault_set(fault, MCPWIRE_FAULT_BATCH, 400,
		    MCPWIRE_INVALID_REQUEST, NULL, NULL,
		    "Invalid Request: batches are not supported; send one "
		    "message per request");
	if (s[i] != '{')
		return fault_set(fault, MCPWIRE_FAULT_INVALID, 400,
		    MCPWIRE_INVALID_REQUEST, NULL, NULL,
		    "Invalid Request: the body is not a JSON object");
	if ((msg->root = json_parse_exact(body, len,
	    MCPWIRE_JSON_DEPTH)) == NULL)
		return fault_internal(fault, NULL);
	if (read_shape(msg, fault) != 0) {
		mcpwire_message_clear(msg);
		return -1;
	}
	if (msg->kind != MCPWIRE_RESPONSE)
		read_meta(msg);
	return 0;
}

/* ---------------------------------------------------------------- */
/* Headers                                                           */

/* value without the spaces and tabs around it: *start, *len. */
static void
header_trim(const char *value, const char **start, size_t *len)
{
	size_t n;

	while (*value == ' ' || *value == '\t')
		value++;
	n = strlen(value);
	while (n > 0 && (value[n - 1] == ' ' || value[n - 1] == '\t'))
		n--;
	*start = value;
	*len = n;
}

/*
 * Are the len bytes at s a plain header value: visible ASCII, spaces
 * and tabs (RFC 9110 5.5, as 2026-07-28 "Value Encoding" restates it)?
 */
static bool
header_plain(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((s[i] < 0x20 || s[i] > 0x7e) && s[i] != '\t')
			return false;
	return true;
}

/* Is header (present) exactly text, after trimming, and plain? */
static bool
header_is(const char *header, const char *text)
{
	const char *s;
	size_t len;

	header_trim(header, &s, &len);
	return len <= MCPWIRE_HEADER_MAX && header_plain(s, len) &&
	    len == strlen(text) && memcmp(s, text, len) == 0;
}

/* The value of one standard base64 character, or -1. */
static int
base64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * Decode len bytes of standard base64 (RFC 4648 4: padded to a multiple
 * of four, '=' only at the end) into out (room for len / 4 * 3 bytes).
 * Padding bits need not be zero, as the decoders of the clients that
 * encode these values do not require it.  Returns the decoded length,
 * or -1 when in is not such base64.
 */
static long
base64_decode(const char *in, size_t len, unsigned char *out)
{
	size_t i, o = 0, pad = 0;
	unsigned long v;
	int j, c;

	if (len % 4 != 0)
		return -1;
	if (len > 0 && in[len - 1] == '=')
		pad = len > 1 && in[len - 2] == '=' ? 2 : 1;
	for (i = 0; i < len; i += 4) {
		for (v = 0, j = 0; j < 4; j++) {
			if (i + j >= len - pad) {
				v <<= 6;
				continue;
			}
			if ((c = base64_value(in[i + j])) < 0)
				return -1;
			v = v << 6 | (unsigned long)c;
		}
		out[o++] = (unsigned char)(v >> 16);
		if (i + 4 < len || pad < 2)
			out[o++] = (unsigned char)(v >> 8 & 0xff);
		if (i + 4 < len || pad < 1)
			out[o++] = (unsigned char)(v & 0xff);
	}
	return (long)o;
}

char *
mcpwire_header_decode(const char *value)
{
	const size_t prefix = sizeof(SENTINEL_PREFIX) - 1,
	    suffix = sizeof(SENTINEL_SUFFIX) - 1;
	unsigned char *out;
	const char *s;
	size_t len;
	long n;

	if (value == NULL)
		return NULL;
	header_trim(value, &s, &len);
	if (len > MCPWIRE_HEADER_MAX || !header_plain(s, len))
		return NULL;
	if (len < prefix + suffix || memcmp(s, SENTINEL_PREFIX, prefix) != 0 ||
	    memcmp(s + len - suffix, SENTINEL_SUFFIX, suffix) != 0)
		return strndup(s, len);
	if ((out = malloc((len - prefix - suffix) / 4 * 3 + 1)) == NULL)
		return NULL;
	n = base64_decode(s + prefix, len - prefix - suffix, out);
	if (n < 0 || !utf8_text(out, (size_t)n)) {
		free(out);
		return NULL;
	}
	out[n] = '\0';
	return (char *)out;
}

/* ---------------------------------------------------------------- */
/* Eras                                                              */

/*
 * The data of an UnsupportedProtocolVersionError: {"supported": list,
 * "requested": the len bytes at requested}.  A new object, or NULL.
 */
static json_object *
version_data(const char *const *list, const char *requested, size_t len)
{
	json_object *data, *supported, *text;

	if ((data = json_object_new_object()) == NULL)
		return NULL;
	if ((supported = string_array(list)) == NULL ||
	    json_object_object_add(data, "supported", supported) != 0 ||
	    (text = json_object_new_string_len(requested, (int)len)) == NULL ||
	    json_object_object_add(data, "requested", text) != 0) {
		json_object_put(data);
		return NULL;
	}
	return data;
}

/* {"key": key, "problem": problem}: the data of an envelope fault. */
static json_object *
envelope_data(const char *key, const char *problem)
{
	json_object *data;

	if ((data = json_object_new_object()) == NULL)
		return NULL;
	json_put_string(data, "key", key);
	json_put_string(data, "problem", problem);
	return data;
}

/* An ENVELOPE fault (400, -32602) about key.  Always returns -1. */
static int
fault_envelope(const struct mcpwire_message *msg,
    struct mcpwire_fault *fault, const char *key, const char *problem)
{
	json_object *data;

	if ((data = envelope_data(key, problem)) == NULL)
		return fault_internal(fault, msg->id);
	return fault_set(fault, MCPWIRE_FAULT_ENVELOPE, 400,
	    MCPWIRE_INVALID_PARAMS, msg->id, data,
	    "Invalid params: _meta \"%s\" is %s", key, problem);
}

/* A HEADER fault (400, -32020) about header.  Always returns -1. */
static int
fault_header(const struct mcpwire_message *msg, struct mcpwire_fault *fault,
    const char *header, const char *problem)
{
	json_object *data;

	if ((data = json_object_new_object()) == NULL)
		return fault_internal(fault, msg->id);
	json_put_string(data, "header", header);
	return fault_set(fault, MCPWIRE_FAULT_HEADER, 400,
	    MCPWIRE_HEADER_MISMATCH, msg->id, data,
	    "Header mismatch: %s %s", header, problem);
}

/*
 * Is the envelope of a request that claims the modern era well-formed
 * (schema.ts RequestMetaObject: protocolVersion a string,
 * clientCapabilities an object, clientInfo, when present, an
 * Implementation with string name and version)?  Returns 0, or -1 and
 * fault (ENVELOPE) when fault is not NULL.
 */
static int
check_envelope(const struct mcpwire_message *msg,
    struct mcpwire_fault *fault)
{
	json_object *v;

	if (msg->meta_version == NULL)
		return fault == NULL ? -1 : fault_envelope(msg, fault,
		    MCPWIRE_META_PROTOCOL_VERSION, "not a string");
	if (msg->kind != MCPWIRE_REQUEST)
		return 0;
	if (!json_object_object_get_ex(msg->meta,
	    MCPWIRE_META_CLIENT_CAPABILITIES, &v))
		return fault == NULL ? -1 : fault_envelope(msg, fault,
		    MCPWIRE_META_CLIENT_CAPABILITIES, "missing");
	if (!json_object_is_type(v, json_type_object))
		return fault == NULL ? -1 : fault_envelope(msg, fault,
		    MCPWIRE_META_CLIENT_CAPABILITIES, "not an object");
	if (json_object_object_get_ex(msg->meta, MCPWIRE_META_CLIENT_INFO,
	    &v) && (!json_object_is_type(v, json_type_object) ||
	    member_string(v, "name") == NULL ||
	    member_string(v, "version") == NULL))
		return fault == NULL ? -1 : fault_envelope(msg, fault,
		    MCPWIRE_META_CLIENT_INFO,
		    "not an object with a string name and version");
	return 0;
}

/*
 * The version check of a modern message naming version: a -32022 fault
 * listing every version when drio does not speak it in the modern era.
 * Returns 0, or -1 and fault.
 */
static int
check_modern_version(const struct mcpwire_message *msg, const char *version,
    size_t len, struct mcpwire_fault *fault)
{
	json_object *data;

	if (len == strlen(MCPWIRE_VERSION_MODERN) &&
	    memcmp(version, MCPWIRE_VERSION_MODERN, len) == 0)
		return 0;
	if ((data = version_data(versions, version, len)) == NULL)
		return fault_internal(fault, msg->id);
	return fault_set(fault, MCPWIRE_FAULT_VERSION, 400,
	    MCPWIRE_UNSUPPORTED_VERSION, msg->id, data,
	    "Unsupported protocol version");
}

/*
 * The Mcp-Name check (streamable-http "Value Encoding" and "Server
 * Validation"): present, plain or a valid sentinel, and, decoded, the
 * body's value.  A header without a body value to mirror (params.name
 * missing or not a string) is a mismatch too.  Returns 0, or -1 and
 * fault.
 */
static int
check_name(const struct mcpwire_message *msg, const char *header,
    struct mcpwire_fault *fault)
{
	char *decoded;
	int rc;

	if (header == NULL)
		return fault_header(msg, fault, "Mcp-Name", "is missing");
	if ((decoded = mcpwire_header_decode(header)) == NULL)
		return fault_header(msg, fault, "Mcp-Name", "is malformed");
	rc = 0;
	if (msg->name == NULL || strcmp(decoded, msg->name) != 0)
		rc = fault_header(msg, fault, "Mcp-Name",
		    "does not match the body");
	free(decoded);
	return rc;
}

/*
 * Check a message that claims the modern era, in the order of the
 * official SDK's ladder: envelope, header/body disagreements, the
 * version (an unknown future version gets the supported list before
 * any header rule of ours is held against it), then the headers a
 * request must carry.  Returns 0, or -1 and fault.
 */
static int
check_claim(const struct mcpwire_message *msg,
    const struct mcpwire_headers *h, struct mcpwire_fault *fault)
{
	if (check_envelope(msg, fault) != 0)
		return -1;
	if (h->protocol_version != NULL &&
	    !header_is(h->protocol_version, msg->meta_version))
		return fault_header(msg, fault, "MCP-Protocol-Version",
		    "does not match the body");
	if (h->method != NULL && !header_is(h->method, msg->method))
		return fault_header(msg, fault, "Mcp-Method",
		    "does not match the body");
	if (check_modern_version(msg, msg->meta_version,
	    strlen(msg->meta_version), fault) != 0)
		return -1;
	if (msg->kind != MCPWIRE_REQUEST)
		return 0;
	if (h->protocol_version == NULL)
		return fault_header(msg, fault, "MCP-Protocol-Version",
		    "is missing");
	if (h->method == NULL)
		return fault_header(msg, fault, "Mcp-Method", "is missing");
	if (strcmp(msg->method, "tools/call") == 0 ||
	    strcmp(msg->method, "prompts/get") == 0 ||
	    strcmp(msg->method, "resources/read") == 0)
		return check_name(msg, h->name, fault);
	return 0;
}

int
mcpwire_classify(const struct mcpwire_message *msg,
    const struct mcpwire_headers *h, enum mcpwire_era *era,
    struct mcpwire_fault *fault)
{
	static const struct mcpwire_headers none = { NULL, NULL, NULL };
	const char *hv = NULL;
	size_t hlen = 0;
	bool header_modern = false;
	char version[11];

	if (h == NULL)
		h = &none;
	*era = MCPWIRE_LEGACY;
	if (msg->kind == MCPWIRE_RESPONSE)
		return 0;
	if (h->protocol_version != NULL) {
		header_trim(h->protocol_version, &hv, &hlen);
		if (hlen == 10 && header_plain(hv, hlen)) {
			memcpy(version, hv, 10);
			version[10] = '\0';
			header_modern = version_in_modern_era(version);
		}
	}

	/*
	 * initialize is the legacy handshake (versioning.mdx: it "selects
	 * legacy semantics"), unless it carries a well-formed modern
	 * envelope: then it is a modern request like any other, and the
	 * modern era has no initialize (404, -32601).
	 */
	if (msg->kind == MCPWIRE_REQUEST &&
	    strcmp(msg->method, "initialize") == 0 &&
	    !(msg->claim && version_in_modern_era(msg->meta_version) &&
	    check_envelope(msg, NULL) == 0)) {
		if (header_modern)
			return fault_header(msg, fault, "MCP-Protocol-Version",
			    "names a modern version on initialize");
		return 0;
	}

	if (msg->claim) {
		if (check_claim(msg, h, fault) != 0)
			return -1;
		*era = MCPWIRE_MODERN;
		return 0;
	}

	/*
	 * No claim but a modern header: a modern request without the _meta
	 * it must carry is invalid params (the SDK's answer, which the
	 * conformance suite asserts), never silently legacy.  A
	 * notification carries no claim of its own in 2026-07-28, so the
	 * header decides its era.
	 */
	if (!header_modern)
		return 0;
	if (msg->kind == MCPWIRE_REQUEST)
		return fault_envelope(msg, fault,
		    MCPWIRE_META_PROTOCOL_VERSION, "missing");
	if (h->method != NULL && !header_is(h->method, msg->method))
		return fault_header(msg, fault, "Mcp-Method",
		    "does not match the body");
	if (check_modern_version(msg, hv, hlen, fault) != 0)
		return -1;
	*era = MCPWIRE_MODERN;
	return 0;
}

/*
 * A legacy header that cannot be used gets 400 (2025-06-18
 * basic/transports "Protocol Version Header": MUST), and a body the
 * specification leaves open.  drio answers -32600, Invalid Request: the
 * request is not valid for the session, -32000 to -32019 are
 * implementation-defined codes 2026-07-28 tells new implementations not
 * to use, and -32022 belongs to the modern era, where a dual-era client
 * reading it would take it for a modern server's answer.  The data says
 * which versions the session could name.
 */
int
mcpwire_check_legacy(const struct mcpwire_message *msg,
    const char *header, const char *session_version, const char **version,
    struct mcpwire_fault *fault)
{
	json_object *id = msg == NULL ? NULL : msg->id, *data;
	const char *s;
	size_t len, i;

	*version = NULL;
	if (header != NULL) {
		for (i = 0; LEGACY_VERSIONS[i] != NULL; i++)
			if (header_is(header, LEGACY_VERSIONS[i]))
				break;
		if (LEGACY_VERSIONS[i] == NULL) {
			header_trim(header, &s, &len);
			if (len > MCPWIRE_HEADER_MAX)
				len = MCPWIRE_HEADER_MAX;
			if ((data = version_data(LEGACY_VERSIONS, s,
			    len)) == NULL)
				return fault_internal(fault, id);
			return fault_set(fault, MCPWIRE_FAULT_VERSION, 400,
			    MCPWIRE_INVALID_REQUEST, id, data,
			    "Invalid Request: unsupported "
			    "MCP-Protocol-Version header");
		}
		*version = LEGACY_VERSIONS[i];
	}
	if (mcpwire_version_is_legacy(session_version))
		*version = mcpwire_negotiate(session_version);
	else if (*version == NULL)
		*version = MCPWIRE_VERSION_ASSUMED;
	return 0;
}

int
mcpwire_error_status(enum mcpwire_era era, int code)
{
	if (era != MCPWIRE_MODERN)
		return 200;
	switch (code) {
	case MCPWIRE_METHOD_NOT_FOUND:
		return 404;
	case MCPWIRE_PARSE_ERROR:
	case MCPWIRE_INVALID_REQUEST:
	case MCPWIRE_HEADER_MISMATCH:
	case MCPWIRE_MISSING_CAPABILITY:
	case MCPWIRE_UNSUPPORTED_VERSION:
		return 400;
	default:
		return 200;
	}
}

int
mcpwire_resource_not_found_code(const char *version)
{
	return version_in_modern_era(version) ? MCPWIRE_INVALID_PARAMS :
	    MCPWIRE_LEGACY_RESOURCE_NOT_FOUND;
}

/* ---------------------------------------------------------------- */
/* Answers                                                           */

/* {"jsonrpc": "2.0", "id": id or null}, or NULL. */
static json_object *
response_head(json_object *id)
{
	json_object *response;

	if ((response = json_object_new_object()) == NULL)
		return NULL;
	json_put_string(response, "jsonrpc", "2.0");
	if (json_object_object_add(response, "id",
	    json_object_get(id)) != 0) {
		json_object_put(id);
		json_object_put(response);
		return NULL;
	}
	return response;
}

json_object *
mcpwire_result_response(json_object *id, json_object *result)
{
	json_object *response;

	if ((response = response_head(id)) == NULL ||
	    json_object_object_add(response, "result", result) != 0) {
		json_object_put(result);
		json_object_put(response);
		return NULL;
	}
	return response;
}

json_object *
mcpwire_error_response(json_object *id, int code, const char *message,
    json_object *data)
{
	json_object *response = NULL, *error;

	if ((error = json_object_new_object()) == NULL)
		goto fail;
	json_put_int(error, "code", code);
	json_put_string(error, "message", message == NULL ? "" : message);
	if (data != NULL) {
		if (json_object_object_add(error, "data", data) != 0)
			goto fail;
		data = NULL;
	}
	if ((response = response_head(id)) == NULL ||
	    json_object_object_add(response, "error", error) != 0)
		goto fail;
	return response;
fail:
	json_object_put(data);
	json_object_put(error);
	json_object_put(response);
	return NULL;
}

json_object *
mcpwire_implementation_json(const struct mcpwire_implementation *impl)
{
	json_object *object;

	if (impl == NULL || impl->name == NULL || impl->version == NULL ||
	    (object = json_object_new_object()) == NULL)
		return NULL;
	json_put_string(object, "name", impl->name);
	if (impl->title != NULL)
		json_put_string(object, "title", impl->title);
	json_put_string(object, "version", impl->version);
	return object;
}

bool
mcpwire_method_is_cacheable(const char *method)
{
	static const char *const cacheable[] = {
		"server/discover", "tools/list", "prompts/list",
		"resources/list", "resources/templates/list",
		"resources/read", NULL
	};
	size_t i;

	if (method == NULL)
		return false;
	for (i = 0; cacheable[i] != NULL; i++)
		if (strcmp(method, cacheable[i]) == 0)
			return true;
	return false;
}

int
mcpwire_modern_result(json_object *result, const char *method,
    const struct mcpwire_implementation *server, long long ttl_ms,
    enum mcpwire_cache_scope scope, struct error *err)
{
	json_object *meta = NULL, *fresh = NULL, *info = NULL;
	bool cacheable = mcpwire_method_is_cacheable(method);
	int rc = -1;

	if (!json_object_is_type(result, json_type_object)) {
		error_set(err, ERR_INTERNAL, "A result must be an object");
		goto out;
	}
	if (json_object_object_get_ex(result, "_meta", &meta) &&
	    !json_object_is_type(meta, json_type_object)) {
		error_set(err, ERR_INTERNAL,
		    "A result's _meta must be an object");
		goto out;
	}
	if (cacheable && (ttl_ms < 0 || (scope != MCPWIRE_CACHE_PUBLIC &&
	    scope != MCPWIRE_CACHE_PRIVATE))) {
		error_set(err, ERR_INTERNAL,
		    "A cacheable result needs ttlMs >= 0 and a cache scope");
		goto out;
	}
	if (server != NULL) {
		if ((info = mcpwire_implementation_json(server)) == NULL) {
			error_set(err, ERR_INTERNAL,
			    "Cannot describe the server for serverInfo");
			goto out;
		}
		if (meta == NULL &&
		    (meta = fresh = json_object_new_object()) == NULL) {
			error_set(err, ERR_INTERNAL, "Out of memory");
			goto out;
		}
		if (json_object_object_add(meta, MCPWIRE_META_SERVER_INFO,
		    info) != 0) {
			error_set(err, ERR_INTERNAL, "Out of memory");
			goto out;
		}
		info = NULL;
		if (fresh != NULL) {
			if (json_object_object_add(result, "_meta",
			    fresh) != 0) {
				error_set(err, ERR_INTERNAL, "Out of memory");
				goto out;
			}
			fresh = NULL;
		}
	}
	json_put_string(result, "resultType", "complete");
	if (cacheable) {
		json_put_int(result, "ttlMs", ttl_ms);
		json_put_string(result, "cacheScope",
		    scope == MCPWIRE_CACHE_PUBLIC ? "public" : "private");
	}
	rc = 0;
out:
	json_object_put(info);
	json_object_put(fresh);
	return rc;
}

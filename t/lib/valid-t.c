/*
 * valid-t.c: tests for lib/valid.c, declarative input validation.  Checks
 * the promises of valid.h against hand-built requests and field tables:
 * typed values and defaults on success; on failure one 422 whose details
 * say where ({loc}) and which rule (type, pydantic's names), one detail
 * per problem; a body that is not a JSON object is 400 invalid_json; the
 * JSON-valued fields (objects, arrays with count bounds) and URLs; the
 * nesting limit; and the edge cases of valid_is_uuid, valid_is_email and
 * valid_is_http_url.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "jsonutil.h"
#include "valid.h"
#include "t/tap/basic.h"

#define UUID1 "123e4567-e89b-12d3-a456-426614174000"

static const char *const roles[] = { "owner", "admin", "member", NULL };

enum { Q_NAME, Q_LIMIT, Q_ACTIVE, Q_ROLE, Q_ID, Q_EMAIL, Q_NOTE, Q_CONFIG,
    Q_ITEMS, Q_URL, Q__MAX };
static const struct valid_field query_fields[Q__MAX] = {
	[Q_NAME] = { .name = "name", .type = VALID_STRING, .required = true,
	    .min = 1, .max = 10 },
	[Q_LIMIT] = { .name = "limit", .type = VALID_INT, .min = 1,
	    .max = 200, .has_default = true, .default_int = 20 },
	[Q_ACTIVE] = { .name = "active", .type = VALID_BOOL },
	[Q_ROLE] = { .name = "role", .type = VALID_ENUM, .choices = roles },
	[Q_ID] = { .name = "id", .type = VALID_UUID },
	[Q_EMAIL] = { .name = "email", .type = VALID_EMAIL },
	[Q_NOTE] = { .name = "note", .type = VALID_STRING },
	[Q_CONFIG] = { .name = "config", .type = VALID_OBJECT },
	[Q_ITEMS] = { .name = "items", .type = VALID_ARRAY, .min = 0,
	    .max = 3 },
	[Q_URL] = { .name = "url", .type = VALID_URL },
};

enum { B_NAME, B_COUNT, B_ACTIVE, B_ROLE, B_ID, B_EMAIL, B_CONFIG, B_ITEMS,
    B_TAGS, B_URL, B_SHORT_URL, B__MAX };
static const struct valid_field body_fields[B__MAX] = {
	[B_NAME] = { .name = "name", .type = VALID_STRING, .required = true,
	    .min = 1, .max = 10 },
	[B_COUNT] = { .name = "count", .type = VALID_INT, .min = 1,
	    .max = 10 },
	[B_ACTIVE] = { .name = "active", .type = VALID_BOOL },
	[B_ROLE] = { .name = "role", .type = VALID_ENUM, .choices = roles },
	[B_ID] = { .name = "id", .type = VALID_UUID },
	[B_EMAIL] = { .name = "email", .type = VALID_EMAIL },
	[B_CONFIG] = { .name = "config", .type = VALID_OBJECT },
	[B_ITEMS] = { .name = "items", .type = VALID_ARRAY, .min = 1,
	    .max = 3 },
	[B_TAGS] = { .name = "tags", .type = VALID_ARRAY }, /* any count */
	[B_URL] = { .name = "url", .type = VALID_URL },
	[B_SHORT_URL] = { .name = "short_url", .type = VALID_URL, .max = 30 },
};

/* The request under test; each check starts a fresh one. */
static struct request req;
static struct error err;
static struct valid_value qv[Q__MAX], bv[B__MAX];

static void
request_start(void)
{
	http_request_end(&req);
	error_clear(&err);
	memset(&req, 0, sizeof(req));
	if ((req.arena = arena_new()) == NULL)
		bail("arena_new failed");
}

/* Validate raw as the query string.  Returns valid_query's result. */
static int
query(const char *raw)
{
	request_start();
	if (http_parse_query(req.arena, raw, &req.query, &req.nquery,
	    &err) != 0)
		bail("cannot parse query \"%s\": %s", raw, err.message);
	return valid_query(&req, query_fields, Q__MAX, qv, &err);
}

/* Validate len bytes of text as the body.  Returns valid_body's result. */
static int
body_bytes(const char *text, size_t len)
{
	request_start();
	if ((req.body = arena_alloc(req.arena, len + 1)) == NULL)
		bail("arena_alloc failed");
	memcpy(req.body, text, len);
	req.body_len = len;
	return valid_body(&req, body_fields, B__MAX, bv, &err);
}

static int
body(const char *text)
{
	return body_bytes(text, strlen(text));
}

/* The name of err's code, "none" when clear, for diagnostics. */
static const char *
code_name(void)
{
	return err.code == ERR_NONE ? "none" : error_code_string(err.code);
}

static int
compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The details of err as "where.name:type" entries, sorted and joined with
 * ", ", so a test states every problem it expects and nothing depends on
 * the order they were found in.  Also checks that each entry is
 * well-formed, {loc: [where, name], msg: non-empty, type}; a malformed
 * one shows up as "MALFORMED".
 */
static const char *
summary(void)
{
	const char *entries[32], *s = "";
	size_t n, i;

	if (err.details == NULL)
		return "";
	n = json_object_array_length(err.details);
	if (n > 32)
		n = 32;
	for (i = 0; i < n; i++) {
		json_object *detail, *loc, *msg, *type;

		detail = json_object_array_get_idx(err.details, i);

		if (!json_object_object_get_ex(detail, "loc", &loc) ||
		    !json_object_object_get_ex(detail, "msg", &msg) ||
		    !json_object_object_get_ex(detail, "type", &type) ||
		    json_object_array_length(loc) != 2 ||
		    json_object_get_string_len(msg) == 0) {
			entries[i] = "MALFORMED";
			continue;
		}
		entries[i] = arena_printf(req.arena, "%s.%s:%s",
		    json_object_get_string(json_object_array_get_idx(loc, 0)),
		    json_object_get_string(json_object_array_get_idx(loc, 1)),
		    json_object_get_string(type));
	}
	qsort(entries, n, sizeof(entries[0]), compare_strings);
	for (i = 0; i < n; i++)
		s = arena_printf(req.arena, "%s%s%s", s, i > 0 ? ", " : "",
		    entries[i]);
	return s;
}

/*
 * One test: validating raw as a query fails with 422 and exactly the
 * details in expected (as summary() writes them).
 */
static void
query_refused(const char *raw, const char *expected, const char *promise)
{
	int rc = query(raw);
	const char *seen = summary();

	ok(rc == -1 && err.code == ERR_VALIDATION &&
	    error_http_status(err.code) == 422 && strcmp(seen, expected) == 0,
	    "%s", promise);
	if (rc != -1 || err.code != ERR_VALIDATION || strcmp(seen, expected)) {
		diag("query: %s", raw);
		diag("  expected: -1, %s, [%s]",
		    error_code_string(ERR_VALIDATION), expected);
		diag("      seen: %d, %s, [%s]", rc,
		    code_name(), seen);
	}
}

/* Same for a body. */
static void
body_refused(const char *text, const char *expected, const char *promise)
{
	int rc = body(text);
	const char *seen = summary();

	ok(rc == -1 && err.code == ERR_VALIDATION &&
	    error_http_status(err.code) == 422 && strcmp(seen, expected) == 0,
	    "%s", promise);
	if (rc != -1 || err.code != ERR_VALIDATION || strcmp(seen, expected)) {
		diag("body: %s", text);
		diag("  expected: -1, %s, [%s]",
		    error_code_string(ERR_VALIDATION), expected);
		diag("      seen: %d, %s, [%s]", rc,
		    code_name(), seen);
	}
}

/* One test: the body is refused as not a JSON object (400). */
static void
body_not_object(const char *text, size_t len, const char *promise)
{
	int rc = body_bytes(text, len);

	ok(rc == -1 && err.code == ERR_INVALID_JSON &&
	    error_http_status(err.code) == 400, "%s", promise);
	if (rc != -1 || err.code != ERR_INVALID_JSON)
		diag("seen: %d, %s", rc, code_name());
}

/*
 * One test: rc is a refusal with a client error (4xx), whichever code.
 * For inputs where the contract says "refuse" but not yet how.
 */
static void
refused_4xx(int rc, const char *input, const char *promise)
{
	int status = error_http_status(err.code);

	ok(rc == -1 && err.code != ERR_NONE && status >= 400 && status < 500,
	    "%s", promise);
	if (rc != -1 || err.code == ERR_NONE || status < 400 || status > 499)
		diag("input %s: seen %d, %s (%d)", input, rc, code_name(),
		    status);
}

static void
test_query_accepted(void)
{
	is_int(0, query("name=acme&limit=5&active=true&role=admin&id=" UUID1
	    "&email=ops%40example.com&note=hi+there"),
	    "a query with every field valid is accepted");
	ok(qv[Q_NAME].present, "a given field is present");
	is_string("acme", qv[Q_NAME].str, "a string value is handed over");
	is_int(5, qv[Q_LIMIT].integer, "an integer value is parsed");
	ok(qv[Q_ACTIVE].present && qv[Q_ACTIVE].boolean,
	    "a boolean value is parsed");
	is_string("admin", qv[Q_ROLE].str, "an enum value is handed over");
	is_string(UUID1, qv[Q_ID].str, "a UUID value is handed over");
	is_string("ops@example.com", qv[Q_EMAIL].str,
	    "an email value is handed over decoded");
	is_string("hi there", qv[Q_NOTE].str,
	    "a string value is handed over decoded");

	is_int(0, query("name=acme"), "a query with only the required field "
	    "is accepted");
	ok(qv[Q_LIMIT].present && qv[Q_LIMIT].integer == 20,
	    "an absent field with a default gets the default");
	ok(!qv[Q_ACTIVE].present && !qv[Q_ROLE].present && !qv[Q_ID].present,
	    "an absent optional field without a default is not present");

	query("name=a&limit=1");
	ok(qv[Q_LIMIT].integer == 1 && err.code == ERR_NONE,
	    "an integer at its minimum is accepted");
	query("name=a&limit=200");
	ok(qv[Q_LIMIT].integer == 200 && err.code == ERR_NONE,
	    "an integer at its maximum is accepted");
	query("name=a&active=false");
	ok(qv[Q_ACTIVE].present && !qv[Q_ACTIVE].boolean,
	    "the query boolean false is accepted");
	query("name=a&active=1");
	ok(qv[Q_ACTIVE].present && qv[Q_ACTIVE].boolean,
	    "the query boolean 1 is true");
	query("name=a&active=0");
	ok(qv[Q_ACTIVE].present && !qv[Q_ACTIVE].boolean &&
	    err.code == ERR_NONE,
	    "the query boolean 0 is false");
	is_int(0, query("name=%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9"
	    "%C3%A9%C3%A9"), "string length counts characters, not bytes "
	    "(10 two-byte characters fit max 10)");
	is_int(0, query("name=x&note=short"), "a string without max has "
	    "a default limit that short strings pass");
}

static void
test_query_refused(void)
{
	char *raw;
	size_t i;

	query_refused("", "query.name:missing",
	    "a missing required field is refused with 422 \"missing\" at "
	    "[query, name]");
	query_refused("name=acme&zzz=1", "query.zzz:extra_forbidden",
	    "an unknown query parameter is refused with 422 "
	    "\"extra_forbidden\"");
	query_refused("name=a&name=b", "query.name:duplicate",
	    "a repeated query parameter is refused with 422 \"duplicate\"");
	query_refused("name=a&limit=abc", "query.limit:int_parsing",
	    "a non-integer is refused with \"int_parsing\"");
	query_refused("name=a&limit=", "query.limit:int_parsing",
	    "an empty integer is refused with \"int_parsing\"");
	query_refused("name=a&limit=5x", "query.limit:int_parsing",
	    "an integer with trailing junk is refused with \"int_parsing\"");
	query_refused("name=a&limit=5%205", "query.limit:int_parsing",
	    "an integer with inner whitespace is refused with "
	    "\"int_parsing\"");
	query_refused("name=a&limit=%205", "query.limit:int_parsing",
	    "an integer with leading whitespace is refused with "
	    "\"int_parsing\"");
	query_refused("name=a&limit=99999999999999999999",
	    "query.limit:int_parsing",
	    "an integer beyond 64 bits is refused with \"int_parsing\"");
	query_refused("name=a&limit=0", "query.limit:greater_than_equal",
	    "an integer below min is refused with \"greater_than_equal\"");
	query_refused("name=a&limit=-5", "query.limit:greater_than_equal",
	    "a negative integer below min is refused with "
	    "\"greater_than_equal\"");
	query_refused("name=a&limit=201", "query.limit:less_than_equal",
	    "an integer above max is refused with \"less_than_equal\"");
	query_refused("name=a&active=yes", "query.active:bool_parsing",
	    "a boolean other than true/false/1/0 is refused with "
	    "\"bool_parsing\"");
	query_refused("name=a&role=superuser", "query.role:enum",
	    "a value outside an enum's choices is refused with \"enum\"");
	query_refused("name=a&role=", "query.role:enum",
	    "an empty value is not an enum choice");
	query_refused("name=a&id=not-a-uuid", "query.id:uuid_parsing",
	    "a malformed UUID is refused with \"uuid_parsing\"");
	query_refused("name=a&email=nobody", "query.email:value_error",
	    "a malformed email is refused with \"value_error\"");
	query_refused("name=", "query.name:string_too_short",
	    "a string shorter than min is refused with \"string_too_short\" "
	    "(and not also \"missing\")");
	query_refused("name=abcdefghijk", "query.name:string_too_long",
	    "a string longer than max is refused with \"string_too_long\"");
	query_refused("limit=0&role=x&zzz=1&id=1",
	    "query.id:uuid_parsing, query.limit:greater_than_equal, "
	    "query.name:missing, query.role:enum, query.zzz:extra_forbidden",
	    "several problems give one detail each, in one 422");

	/*
	 * A string is characters, so bytes that are not UTF-8 cannot be one;
	 * PostgreSQL would refuse them later with a 500.
	 */
	refused_4xx(query("name=%FF%FE"), "name=%FF%FE",
	    "a query value that is not UTF-8 is refused with a 4xx");
	refused_4xx(query("name=a%C0%80"), "name=a%C0%80",
	    "a query value with an overlong UTF-8 NUL is refused with a 4xx");

	/* The default string limit, 1024 characters. */
	raw = malloc(2048);
	if (raw == NULL)
		sysbail("malloc");
	strcpy(raw, "name=a&note=");
	for (i = 0; i < 1024; i++)
		strcat(raw, "x");
	is_int(0, query(raw), "a string of 1024 characters fits the default "
	    "limit");
	strcat(raw, "x");
	query_refused(raw, "query.note:string_too_long",
	    "a string of 1025 characters is over the default limit");
	free(raw);
}

static void
test_body_accepted(void)
{
	is_int(0, body("{\"name\": \"acme\", \"count\": 3, \"active\": false, "
	    "\"role\": \"owner\", \"id\": \"" UUID1 "\", \"email\": "
	    "\"x@example.io\"}"), "a body with every field valid is accepted");
	ok(req.body_json != NULL && json_object_is_type(req.body_json,
	    json_type_object), "the parsed body is kept on the request");
	is_string("acme", bv[B_NAME].str, "a body string is handed over");
	ok(bv[B_COUNT].present && bv[B_COUNT].integer == 3,
	    "a body integer is handed over");
	ok(bv[B_ACTIVE].present && !bv[B_ACTIVE].boolean,
	    "a body boolean is handed over");
	is_string("owner", bv[B_ROLE].str, "a body enum is handed over");
	is_string(UUID1, bv[B_ID].str, "a body UUID is handed over");
	is_string("x@example.io", bv[B_EMAIL].str,
	    "a body email is handed over");

	is_int(0, body("{\"name\": \"a\"}"),
	    "a body with only the required field is accepted");
	ok(!bv[B_COUNT].present && !bv[B_ACTIVE].present,
	    "absent optional body fields are not present");
	is_int(0, body("{\"name\": \"a\", \"count\": null, \"active\": null}"),
	    "null for an optional body field is accepted");
	ok(!bv[B_COUNT].present && !bv[B_ACTIVE].present,
	    "... and counts as absent");
	is_int(0, body("\r\n {\"name\": \"a\"}"),
	    "leading whitespace before the object is accepted");
	is_int(0, body("{\"name\": \"a\"}\n"),
	    "a trailing newline after the object is accepted (JSON allows "
	    "whitespace around the value)");
	is_int(0, body("{\"name\": \"\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9"
	    "\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\"}"),
	    "body string length counts characters, not bytes");
}

static void
test_body_refused(void)
{
	static const char nul_inside[] = "{\"name\": \"a\"}\0{\"zzz\": 1}";

	body_not_object("not json", 8, "a body that is not JSON is refused "
	    "with 400 invalid_json");
	body_not_object("[1, 2]", 6, "a JSON array is refused with 400 "
	    "invalid_json");
	body_not_object("\"acme\"", 6, "a JSON string is refused with 400 "
	    "invalid_json");
	body_not_object("null", 4, "JSON null is refused with 400 "
	    "invalid_json");
	body_not_object("{\"name\": \"a\"", 12,
	    "a truncated object is refused with 400 invalid_json");
	body_not_object("{\"name\": \"a\"} x", 15, "junk after the object is "
	    "refused with 400 invalid_json");
	body_not_object("{\"name\": \"a\"}{}", 15, "two objects are refused "
	    "with 400 invalid_json");
	body_not_object(nul_inside, sizeof(nul_inside) - 1, "a NUL byte "
	    "inside the body is refused with 400 invalid_json");
	body_not_object("{'name': 'a'}", 13, "single-quoted JSON is refused "
	    "with 400 invalid_json");

	body_refused("{}", "body.name:missing",
	    "a missing required body field is refused with 422 \"missing\"");
	body_refused("{\"name\": 5}", "body.name:string_type",
	    "a number for a string is refused with \"string_type\"");
	body_refused("{\"name\": null}", "body.name:string_type",
	    "null for a required string is refused with \"string_type\"");
	body_refused("{\"name\": [\"a\"]}", "body.name:string_type",
	    "an array for a string is refused with \"string_type\"");
	body_refused("{\"name\": \"a\\u0000b\"}", "body.name:string_type",
	    "a string with an escaped NUL is refused");
	refused_4xx(body("{\"name\": \"\xff\xfe\"}"),
	    "{\"name\": \"\\xff\\xfe\"}",
	    "a body string that is not UTF-8 is refused with a 4xx");
	body_refused("{\"name\": \"a\", \"count\": \"5\"}",
	    "body.count:int_type",
	    "a string for an integer is refused with \"int_type\"");
	body_refused("{\"name\": \"a\", \"count\": 2.5}",
	    "body.count:int_type",
	    "a fraction for an integer is refused with \"int_type\"");
	body_refused("{\"name\": \"a\", \"count\": true}",
	    "body.count:int_type",
	    "a boolean for an integer is refused with \"int_type\"");
	body_refused("{\"name\": \"a\", \"active\": \"true\"}",
	    "body.active:bool_type",
	    "a string for a boolean is refused with \"bool_type\"");
	body_refused("{\"name\": \"a\", \"active\": 1}",
	    "body.active:bool_type",
	    "a number for a boolean is refused with \"bool_type\"");
	body_refused("{\"name\": \"a\", \"zzz\": 1}",
	    "body.zzz:extra_forbidden",
	    "an unknown body field is refused with 422 \"extra_forbidden\"");
	body_refused("{\"name\": \"a\", \"count\": 0}",
	    "body.count:greater_than_equal",
	    "a body integer below min is refused with \"greater_than_equal\"");
	body_refused("{\"name\": \"a\", \"count\": 11}",
	    "body.count:less_than_equal",
	    "a body integer above max is refused with \"less_than_equal\"");
	body_refused("{\"name\": \"a\", \"count\": 99999999999999999999}",
	    "body.count:int_parsing",
	    "a body integer beyond 64 bits is refused with \"int_parsing\"");
	body_refused("{\"name\": \"\"}", "body.name:string_too_short",
	    "a body string shorter than min is refused with "
	    "\"string_too_short\"");
	body_refused("{\"name\": \"abcdefghijk\"}",
	    "body.name:string_too_long",
	    "a body string longer than max is refused with "
	    "\"string_too_long\"");
	body_refused("{\"name\": \"a\", \"role\": \"root\"}", "body.role:enum",
	    "a body value outside an enum is refused with \"enum\"");
	body_refused("{\"name\": \"a\", \"id\": \"" UUID1 "x\"}",
	    "body.id:uuid_parsing",
	    "a malformed body UUID is refused with \"uuid_parsing\"");
	body_refused("{\"name\": \"a\", \"email\": \"a@b\"}",
	    "body.email:value_error",
	    "a malformed body email is refused with \"value_error\"");
	body_refused("{\"name\": 1, \"count\": \"x\", \"zzz\": true, "
	    "\"active\": \"no\"}",
	    "body.active:bool_type, body.count:int_type, "
	    "body.name:string_type, body.zzz:extra_forbidden",
	    "several body problems give one detail each, in one 422");
}

static void
test_json_values(void)
{
	char text[4096];
	size_t i;

	is_int(0, body("{\"name\": \"a\", \"config\": {\"k\": [1, 2], "
	    "\"on\": true}}"), "an object for an object field is accepted");
	ok(bv[B_CONFIG].present, "... and is present");
	is_json("{\"k\": [1, 2], \"on\": true}", bv[B_CONFIG].json,
	    "... and is handed over as the JSON value");
	is_int(0, body("{\"name\": \"a\", \"config\": {}}"),
	    "an empty object is accepted");
	ok(bv[B_CONFIG].present && json_object_is_type(bv[B_CONFIG].json,
	    json_type_object) && json_object_object_length(bv[B_CONFIG].json)
	    == 0, "... and is handed over empty");
	is_int(0, body("{\"name\": \"a\", \"config\": null}"),
	    "null for an optional object field is accepted");
	ok(!bv[B_CONFIG].present && bv[B_CONFIG].json == NULL,
	    "... and counts as absent");
	body_refused("{\"name\": \"a\", \"config\": [1]}",
	    "body.config:dict_type",
	    "an array for an object field is refused with \"dict_type\"");
	body_refused("{\"name\": \"a\", \"config\": \"{}\"}",
	    "body.config:dict_type",
	    "a string holding JSON is not an object: \"dict_type\"");
	body_refused("{\"name\": \"a\", \"config\": 5}",
	    "body.config:dict_type",
	    "a number for an object field is refused with \"dict_type\"");

	is_int(0, body("{\"name\": \"a\", \"items\": [1, \"two\", "
	    "{\"three\": 3}]}"), "an array at its maximum count is accepted, "
	    "whatever its items are");
	is_json("[1, \"two\", {\"three\": 3}]", bv[B_ITEMS].json,
	    "... and is handed over as the JSON value");
	is_int(0, body("{\"name\": \"a\", \"items\": [null]}"),
	    "an array at its minimum count is accepted");
	ok(bv[B_ITEMS].present &&
	    json_object_array_length(bv[B_ITEMS].json) == 1,
	    "... and is present with its one item");
	body_refused("{\"name\": \"a\", \"items\": []}", "body.items:too_short",
	    "an array with fewer items than min is refused with "
	    "\"too_short\"");
	body_refused("{\"name\": \"a\", \"items\": [1, 2, 3, 4]}",
	    "body.items:too_long",
	    "an array with more items than max is refused with \"too_long\"");
	body_refused("{\"name\": \"a\", \"items\": {\"0\": 1}}",
	    "body.items:list_type",
	    "an object for an array field is refused with \"list_type\"");
	body_refused("{\"name\": \"a\", \"items\": \"1, 2\"}",
	    "body.items:list_type",
	    "a string for an array field is refused with \"list_type\"");
	is_int(0, body("{\"name\": \"a\", \"tags\": []}"),
	    "an array field with max 0 takes an empty array");
	strcpy(text, "{\"name\": \"a\", \"tags\": [0");
	for (i = 1; i < 500; i++)
		strcat(text, ",0");
	strcat(text, "]}");
	is_int(0, body(text), "... and one of 500 items (max 0: any number)");
	ok(bv[B_TAGS].present &&
	    json_object_array_length(bv[B_TAGS].json) == 500,
	    "... handed over whole");
	body_refused("{\"name\": \"a\", \"items\": [], \"config\": [], "
	    "\"tags\": {}}",
	    "body.config:dict_type, body.items:too_short, body.tags:list_type",
	    "JSON-valued fields report one detail each, like the others");

	query_refused("name=a&config=%7B%7D", "query.config:dict_type",
	    "an object field given in a query string is refused with "
	    "\"dict_type\"");
	query_refused("name=a&items=1", "query.items:list_type",
	    "an array field given in a query string is refused with "
	    "\"list_type\"");
}

/* The body {"name": "a", "<field>": "<escaped>"}, written into text. */
static const char *
url_body(char *text, size_t size, const char *field, const char *escaped)
{
	if ((size_t)snprintf(text, size, "{\"name\": \"a\", \"%s\": \"%s\"}",
	    field, escaped) >= size)
		bail("URL body too long for the test buffer");
	return text;
}

/*
 * One test: the URL (written as the inside of a JSON string) is accepted
 * in the body field "url" and handed over as expected.
 */
static void
url_accepted(const char *escaped, const char *expected, const char *promise)
{
	char text[4200];
	int rc = body(url_body(text, sizeof(text), "url", escaped));

	ok(rc == 0 && bv[B_URL].present && bv[B_URL].str != NULL &&
	    strcmp(bv[B_URL].str, expected) == 0, "%s", promise);
	if (rc != 0)
		diag("url %s: seen %d, %s [%s]", escaped, rc, code_name(),
		    summary());
	else if (bv[B_URL].str == NULL || strcmp(bv[B_URL].str, expected))
		diag("url %s: handed over as %s", escaped,
		    bv[B_URL].str != NULL ? bv[B_URL].str : "(null)");
}

/* One test: the URL is refused in the body field with "url_parsing". */
static void
url_refused(const char *field, const char *escaped, const char *promise)
{
	char text[4200], expected[64];

	snprintf(expected, sizeof(expected), "body.%s:url_parsing", field);
	body_refused(url_body(text, sizeof(text), field, escaped), expected,
	    promise);
}

static void
test_urls(void)
{
	char url[2100], text[200];
	size_t i;

	url_accepted("http://example.com", "http://example.com",
	    "an http URL is accepted and handed over");
	url_accepted("https://example.com", "https://example.com",
	    "an https URL is accepted");
	url_accepted("https://example.com:8443", "https://example.com:8443",
	    "a URL with a port is accepted");
	url_accepted("https://api.example.com/v1/pets/{id}",
	    "https://api.example.com/v1/pets/{id}",
	    "a URL with a path is accepted");
	url_accepted("https://example.com/search?q=cats&page=2",
	    "https://example.com/search?q=cats&page=2",
	    "a URL with a query is accepted");
	url_accepted("http://127.0.0.1:8080/a/b?c=d#top",
	    "http://127.0.0.1:8080/a/b?c=d#top",
	    "a URL with an IP address, port, path, query and fragment is "
	    "accepted");
	url_accepted("http://[::1]:8080/", "http://[::1]:8080/",
	    "a URL with an IPv6 literal host is accepted");
	url_accepted("https:\\/\\/example.com\\/x", "https://example.com/x",
	    "JSON escapes in a URL are decoded before the check");

	url_refused("url", "ftp://example.com/file",
	    "an ftp: URL is refused with \"url_parsing\"");
	url_refused("url", "mailto:ops@example.com",
	    "a mailto: URL is refused");
	url_refused("url", "javascript:alert(1)",
	    "a javascript: URL is refused");
	url_refused("url", "/relative/path", "a relative path is refused");
	url_refused("url", "example.com/path",
	    "a URL without a scheme is refused");
	url_refused("url", "//example.com/path",
	    "a scheme-relative URL is refused");
	url_refused("url", "http:example.com",
	    "\"http:\" without \"//\" is refused");
	url_refused("url", "http://", "\"http://\" without a host is refused");
	url_refused("url", "https://", "\"https://\" without a host is "
	    "refused");
	url_refused("url", "http:///x", "\"http:///x\", an empty host, is "
	    "refused");
	url_refused("url", "http://:8080/", "a port without a host is refused");
	url_refused("url", "http://?q=1", "a query without a host is refused");
	url_refused("url", "", "the empty string is not a URL");
	url_refused("url", "http://exa mple.com",
	    "a space in the host is refused");
	url_refused("url", "http://example.com/a b",
	    "a space in the path is refused");
	url_refused("url", " http://example.com",
	    "a leading space is refused");
	url_refused("url", "http://example.com/\\t",
	    "a tab is refused");
	url_refused("url", "http://example.com/\\r\\nX-Injected: 1",
	    "CR LF (header injection) is refused");
	url_refused("url", "http://example.com/\\u0001",
	    "a control character is refused");
	url_refused("url", "http://example.com/\\u007f",
	    "DEL is refused");
	body_refused("{\"name\": \"a\", \"url\": 5}", "body.url:string_type",
	    "a number for a URL is refused with \"string_type\"");

	/* The default limit, 2048 characters. */
	strcpy(url, "https://example.com/");
	for (i = strlen(url); i < 2048; i++)
		url[i] = 'a';
	url[2048] = '\0';
	url_accepted(url, url, "a URL of 2048 characters fits the default "
	    "limit");
	strcat(url, "a");
	url_refused("url", url, "a URL of 2049 characters is over the default "
	    "limit");

	/* A field's own max, counted in characters. */
	strcpy(url, "https://example.com/0123456789");
	is_int(0, body(url_body(text, sizeof(text), "short_url", url)),
	    "a URL of max (30) characters is accepted");
	strcat(url, "x");
	url_refused("short_url", url, "a URL of max + 1 characters is refused "
	    "with \"url_parsing\"");
	is_int(0, body("{\"name\": \"a\", \"short_url\": \"https://example.com/"
	    "\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9"
	    "\\u00e9\"}"), "a URL's length counts characters, not bytes "
	    "(30 characters, 40 bytes, fit max 30)");

	is_int(0, query("name=a&url=https%3A%2F%2Fexample.com%2Fa%3Fb%3Dc"),
	    "a URL is accepted in a query string");
	is_string("https://example.com/a?b=c", qv[Q_URL].str,
	    "... and handed over decoded");
	query_refused("name=a&url=ftp%3A%2F%2Fexample.com",
	    "query.url:url_parsing",
	    "an ftp: URL in a query string is refused with \"url_parsing\"");
	query_refused("name=a&url=http%3A%2F%2Fa+b.example",
	    "query.url:url_parsing",
	    "a URL with a space in a query string is refused");
}

/*
 * A body whose "tags" array nests depth levels in all, counting the body
 * object itself.  Returns a new string (caller frees).
 */
static char *
nested_body(size_t depth)
{
	const char *head = "{\"name\": \"a\", \"tags\": ";
	size_t i, o;
	char *text;

	if ((text = malloc(strlen(head) + 2 * depth + 2)) == NULL)
		sysbail("malloc");
	strcpy(text, head);
	o = strlen(text);
	for (i = 1; i < depth; i++)
		text[o++] = '[';
	for (i = 1; i < depth; i++)
		text[o++] = ']';
	text[o++] = '}';
	text[o] = '\0';
	return text;
}

static void
test_nesting(void)
{
	char *text;

	text = nested_body(100);
	is_int(0, body(text), "a body nested 100 deep is accepted");
	free(text);
	text = nested_body(JSONUTIL_MAX_DEPTH);
	is_int(0, body(text), "a body nested %d deep, the limit, is accepted",
	    JSONUTIL_MAX_DEPTH);
	free(text);
	text = nested_body(JSONUTIL_MAX_DEPTH + 1);
	body_not_object(text, strlen(text), "a body nested one deeper than "
	    "the limit is refused with 400 invalid_json");
	free(text);
	text = nested_body(200);
	body_not_object(text, strlen(text), "a body nested 200 deep is "
	    "refused with 400 invalid_json");
	free(text);
}

static void
test_is_http_url(void)
{
	ok(valid_is_http_url("https://example.com"),
	    "an https URL is an http URL");
	ok(valid_is_http_url("http://localhost:8080/x?y=z"),
	    "a URL with host, port, path and query is an http URL");
	ok(!valid_is_http_url(""), "the empty string is not an http URL");
	ok(!valid_is_http_url("http://"), "a scheme alone is not an http URL");
	ok(!valid_is_http_url("https:///path"),
	    "an empty host is not an http URL");
	ok(!valid_is_http_url("http://#top"),
	    "a fragment without a host is not an http URL");
	ok(!valid_is_http_url("ftp://example.com"),
	    "another scheme is not an http URL");
	ok(!valid_is_http_url("https//example.com"),
	    "a scheme without ':' is not an http URL");
	ok(!valid_is_http_url("http:// example.com"),
	    "a host starting with a space is not an http URL");
	ok(!valid_is_http_url("http://example.com\r\n"),
	    "trailing CR LF is not part of an http URL");
	ok(!valid_is_http_url("http://exa\x7fmple.com"),
	    "DEL is not part of an http URL");
}

static void
test_is_uuid(void)
{
	ok(valid_is_uuid(UUID1), "a canonical lower-case UUID is a UUID");
	ok(valid_is_uuid("00000000-0000-0000-0000-000000000000"),
	    "the nil UUID is a UUID");
	ok(!valid_is_uuid(""), "the empty string is not a UUID");
	ok(!valid_is_uuid("123e4567-e89b-12d3-a456-42661417400"),
	    "35 characters are not a UUID");
	ok(!valid_is_uuid(UUID1 "0"), "37 characters are not a UUID");
	ok(!valid_is_uuid("123e4567e-89b-12d3-a456-426614174000"),
	    "a dash in the wrong place is not a UUID");
	ok(!valid_is_uuid("123e4567-e89b-12d3-a456-42661417400g"),
	    "a non-hex character is not a UUID");
	ok(!valid_is_uuid("123e4567+e89b+12d3+a456+426614174000"),
	    "other separators than '-' are not a UUID");
	ok(!valid_is_uuid("{123e4567-e89b-12d3-a456-426614174000}"),
	    "a braced UUID is not canonical");
	ok(!valid_is_uuid("123e4567e89b12d3a456426614174000"),
	    "a UUID without dashes is not canonical");
}

static void
test_is_email(void)
{
	char longest[300];

	ok(valid_is_email("a@example.com"), "a simple address is an email");
	ok(valid_is_email("first.last+tag@mail.example.org"),
	    "dots, '+' and subdomains are accepted");
	ok(!valid_is_email(""), "the empty string is not an email");
	ok(!valid_is_email("example.com"),
	    "an address without '@' is refused");
	ok(!valid_is_email("@example.com"), "an empty local part is refused");
	ok(!valid_is_email("a@"), "an empty domain is refused");
	ok(!valid_is_email("a@localhost"),
	    "a domain without a dot is refused");
	ok(!valid_is_email("a@@example.com"), "two '@' are refused");
	ok(!valid_is_email("a@b@example.com"), "an '@' in the domain is "
	    "refused");
	ok(!valid_is_email("a b@example.com"), "a space is refused");
	ok(!valid_is_email("a@example.com\n"),
	    "a trailing newline is refused");
	ok(!valid_is_email("a@example."),
	    "a domain ending in a dot is refused");
	ok(!valid_is_email("a@.example.com"),
	    "a domain starting with a dot is refused");
	ok(!valid_is_email("a@example..com"),
	    "a domain with an empty label is refused");
	ok(!valid_is_email("<a@example.com>"), "angle brackets are refused");

	/* 64 + 1 + 189 = 254 characters, with labels under 64 characters. */
	memset(longest, 0, sizeof(longest));
	memset(longest, 'l', 64);
	strcat(longest, "@");
	memset(longest + 65, 'x', 61);
	strcat(longest, ".");
	memset(longest + 127, 'y', 61);
	strcat(longest, ".");
	memset(longest + 189, 'z', 61);
	strcat(longest, ".com");
	is_int(254, strlen(longest),
	    "(the longest address is 254 characters)");
	ok(valid_is_email(longest),
	    "an address of 254 characters is accepted");
	memmove(longest + 66, longest + 65, strlen(longest + 65) + 1);
	longest[65] = 'x';
	ok(!valid_is_email(longest),
	    "an address of 255 characters is refused");
}

int
main(void)
{
	plan(193);
	test_query_accepted();
	test_query_refused();
	test_body_accepted();
	test_body_refused();
	test_json_values();
	test_urls();
	test_nesting();
	test_is_uuid();
	test_is_email();
	test_is_http_url();
	http_request_end(&req);
	error_clear(&err);
	return 0;
}

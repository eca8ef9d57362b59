/*
 * http-t.c: tests for the parsing half of lib/http.c.  Checks the
 * promises of http.h: percent-decoding (and its refusals), splitting a
 * query string into decoded parameters in order, reading method, path,
 * query, headers and request id from FastCGI parameters, path parameter
 * lookup, and status names.  Writing responses needs a live FastCGI
 * stream and is covered by the end-to-end tests.
 *
 * SPDX-License-Identifier: MIT
 */
#include <fcgiapp.h>
#include <stdio.h>
#include <string.h>

#include "http.h"
#include "t/tap/basic.h"

/*
 * Decode a copy of input and check the result: expected_len -1 means the
 * input must be refused.
 */
static void
check_decode(const char *input, bool plus_is_space, long expected_len,
    const char *expected, const char *promise)
{
	char buf[256];
	long len;

	snprintf(buf, sizeof(buf), "%s", input);
	len = http_percent_decode(buf, plus_is_space);
	if (expected_len < 0) {
		is_int(-1, len, "%s", promise);
		return;
	}
	ok(len == expected_len && memcmp(buf, expected, (size_t)len + 1) == 0,
	    "%s", promise);
	if (len != expected_len)
		diag("length: expected %ld, seen %ld", expected_len, len);
}

static void
test_percent_decode(void)
{
	check_decode("plain", false, 5, "plain",
	    "plain text decodes to itself");
	check_decode("", false, 0, "", "the empty string decodes to itself");
	check_decode("%41", false, 1, "A", "%41 decodes to A");
	check_decode("a%2Fb", false, 3, "a/b", "%2F decodes to a slash");
	check_decode("a%2fb", false, 3, "a/b", "hex digits may be lower case");
	check_decode("%e2%82%AC", false, 3, "\xe2\x82\xac",
	    "escapes decode to bytes (UTF-8 euro sign)");
	check_decode("a+b", true, 3, "a b", "'+' is a space when asked");
	check_decode("a+b", false, 3, "a+b", "'+' stays '+' otherwise");
	check_decode("%2B", true, 1, "+", "%2B is '+' even when '+' is space");
	check_decode("%4", false, -1, NULL,
	    "a truncated %-escape (%4) is refused");
	check_decode("%", false, -1, NULL, "a lone '%' is refused");
	check_decode("%ZZ", false, -1, NULL,
	    "a %-escape with non-hex digits (%ZZ) is refused");
	check_decode("%G1", false, -1, NULL,
	    "a %-escape with one non-hex digit (%G1) is refused");
	check_decode("a%00b", false, -1, NULL,
	    "a %-escape that decodes to NUL (%00) is refused");
}

/* Parse raw into params; bails when the parse fails unexpectedly. */
static size_t
parse(struct arena *arena, const char *raw, struct http_param **params)
{
	struct error err;
	size_t count = 99;

	memset(&err, 0, sizeof(err));
	if (http_parse_query(arena, raw, params, &count, &err) != 0)
		bail("http_parse_query(\"%s\") failed: %s", raw, err.message);
	return count;
}

/* Join params as "name=value|name=value" for one comparison. */
static const char *
joined(struct arena *arena, const struct http_param *params, size_t count)
{
	const char *s = "";
	size_t i;

	for (i = 0; i < count; i++)
		s = arena_printf(arena, "%s%s%s=%s", s, i > 0 ? "|" : "",
		    params[i].name, params[i].value);
	return s;
}

static void
test_parse_query(void)
{
	struct arena *arena;
	struct http_param *params;
	struct error err;
	size_t count;

	if ((arena = arena_new()) == NULL)
		bail("arena_new failed");

	count = parse(arena, "a=1&b=2", &params);
	is_string("a=1|b=2", joined(arena, params, count),
	    "a=1&b=2 gives two parameters in order");
	is_int(0, parse(arena, "", &params),
	    "the empty query string gives no parameters");
	count = parse(arena, "a=", &params);
	is_string("a=", joined(arena, params, count),
	    "a= gives a with the empty value");
	count = parse(arena, "a", &params);
	ok(count == 1 && strcmp(params[0].name, "a") == 0 &&
	    params[0].value != NULL && params[0].value[0] == '\0',
	    "a name without '=' gives that name with the empty value");
	count = parse(arena, "&&a=1&&", &params);
	is_string("a=1", joined(arena, params, count),
	    "empty pairs between '&'s are skipped");
	count = parse(arena, "tag=x&tag=y&tag=z", &params);
	is_string("tag=x|tag=y|tag=z", joined(arena, params, count),
	    "repeated keys are all kept, in order");
	count = parse(arena, "%6Cimit=5&na+me=a+b%26c", &params);
	is_string("limit=5|na me=a b&c", joined(arena, params, count),
	    "keys and values are percent-decoded, '+' as space");
	count = parse(arena, "a%3Db=c%3Dd=e", &params);
	is_string("a=b=c=d=e", joined(arena, params, count),
	    "an encoded '=' stays in the key, a later raw '=' in the value");

	memset(&err, 0, sizeof(err));
	is_int(-1, http_parse_query(arena, "a=1&b=%00", &params, &count, &err),
	    "a value that decodes to NUL is refused");
	is_int(ERR_BAD_REQUEST, err.code, "... with ERR_BAD_REQUEST (400)");
	memset(&err, 0, sizeof(err));
	is_int(-1, http_parse_query(arena, "a%ZZ=1", &params, &count, &err),
	    "a malformed %%-escape in a key is refused");
	is_int(ERR_BAD_REQUEST, err.code, "... with ERR_BAD_REQUEST (400)");
	memset(&err, 0, sizeof(err));
	is_int(-1, http_parse_query(arena, "a=%4", &params, &count, &err),
	    "a truncated %%-escape at the end of the string is refused");
	error_clear(&err);

	arena_free(arena);
}

/*
 * Begin a request from FastCGI parameters env (NULL-terminated
 * "NAME=value" strings) into req, with a fresh arena.
 */
static int
begin(struct request *req, FCGX_Request *fcgi, char **env,
    struct error *err)
{
	memset(req, 0, sizeof(*req));
	memset(fcgi, 0, sizeof(*fcgi));
	memset(err, 0, sizeof(*err));
	fcgi->envp = env;
	if ((req->arena = arena_new()) == NULL)
		bail("arena_new failed");
	return http_request_begin(req, fcgi, NULL, err);
}

/* Is s made only of characters safe in a log line and a header? */
static bool
is_plain_id(const char *s)
{
	return s[0] != '\0' && strlen(s) <= HTTP_REQUEST_ID_MAX &&
	    s[strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789._-")] == '\0';
}

static void
test_request_begin(void)
{
	struct request req;
	FCGX_Request fcgi;
	struct error err;
	char *env[] = {
		"REQUEST_METHOD=POST",
		"REQUEST_URI=/workspaces/a%20b/members?limit=5&q=x%2By",
		"QUERY_STRING=limit=5&q=x%2By",
		"CONTENT_TYPE=application/json",
		"HTTP_AUTHORIZATION=Bearer drio_abc",
		"HTTP_X_REQUEST_ID=req-123.ABC_x",
		NULL
	};
	char *bad_query[] = {
		"REQUEST_METHOD=GET",
		"REQUEST_URI=/health?a=%ZZ",
		"QUERY_STRING=a=%ZZ",
		NULL
	};
	char *bad_id[] = {
		"REQUEST_METHOD=GET",
		"REQUEST_URI=/health",
		"QUERY_STRING=",
		"HTTP_X_REQUEST_ID=evil\nlevel=error msg=forged",
		NULL
	};

	is_int(0, begin(&req, &fcgi, env, &err),
	    "a well-formed FastCGI request is read");
	is_string("POST", req.method, "the method is read");
	is_string("/workspaces/a b/members", req.path,
	    "the path is percent-decoded and has no query string");
	ok(req.nquery == 2 && strcmp(req.query[0].name, "limit") == 0 &&
	    strcmp(req.query[0].value, "5") == 0 &&
	    strcmp(req.query[1].name, "q") == 0 &&
	    strcmp(req.query[1].value, "x+y") == 0,
	    "the query string is split and decoded");
	is_string("application/json", http_header(&req, "Content-Type"),
	    "Content-Type is found under its FastCGI name");
	is_string("Bearer drio_abc", http_header(&req, "Authorization"),
	    "other headers are found as HTTP_*");
	is_string(NULL, http_header(&req, "If-None-Match"),
	    "an absent header is NULL");
	is_string("req-123.ABC_x", req.request_id,
	    "a client's plain X-Request-Id is kept");
	http_request_end(&req);

	is_int(-1, begin(&req, &fcgi, bad_query, &err),
	    "a malformed query string fails the request");
	is_int(ERR_BAD_REQUEST, err.code, "... with ERR_BAD_REQUEST (400)");
	http_request_end(&req);
	error_clear(&err);

	is_int(0, begin(&req, &fcgi, bad_id, &err),
	    "a request with a hostile X-Request-Id is still read");
	ok(is_plain_id(req.request_id) && strchr(req.request_id, '\n') == NULL,
	    "an X-Request-Id with a newline is replaced by a plain one");
	http_request_end(&req);
}

static void
test_path_param(void)
{
	struct request req;

	memset(&req, 0, sizeof(req));
	req.params[0].name = "workspace";
	req.params[0].value = "acme";
	req.params[1].name = "member";
	req.params[1].value = "42";
	req.nparams = 2;
	is_string("acme", http_path_param(&req, "workspace"),
	    "http_path_param finds the first parameter");
	is_string("42", http_path_param(&req, "member"),
	    "http_path_param finds a later parameter");
	is_string(NULL, http_path_param(&req, "session"),
	    "an unknown path parameter is NULL");
}

static void
test_status_text(void)
{
	const char *unknown = http_status_text(599);

	is_string("OK", http_status_text(200), "200 is OK");
	is_string("Not Found", http_status_text(404), "404 is Not Found");
	is_string("Method Not Allowed", http_status_text(405),
	    "405 is Method Not Allowed");
	is_string("Unprocessable Content", http_status_text(422),
	    "422 is Unprocessable Content (RFC 9110)");
	is_string("Service Unavailable", http_status_text(503),
	    "503 is Service Unavailable");
	ok(unknown != NULL && unknown[0] != '\0',
	    "an unknown status still has a name");
}

int
main(void)
{
	plan(48);
	test_percent_decode();
	test_parse_query();
	test_request_begin();
	test_path_param();
	test_status_text();
	return 0;
}

/*
 * authconn-t.c: tests for the pure half of lib/authconn.c, the checks
 * of an auth connection's type, settings and secret (authconn.h,
 * docs/api-v1/auth.md).  Every type's valid settings and secret must
 * pass; then each rule is broken in one respect, and the answer must be
 * a 422 whose details name exactly the members at fault, with their
 * types, in the order they are found.  Lengths are tried at the bound
 * and one past it.  The reads and writes need the database and are
 * tested end to end (t/46-api-v1-auth-widgets.t).
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "authconn.h"
#include "t/tap/basic.h"

static struct arena *arena;

/*
 * Parse text, JSON written with ' for ", into a new value; NULL text is
 * NULL.  Bails when it is not JSON, since that is a bug in the test.
 */
static json_object *
parse(const char *text)
{
	enum json_tokener_error jerr;
	json_object *obj;
	char *copy, *p;

	if (text == NULL)
		return NULL;
	if ((copy = strdup(text)) == NULL)
		sysbail("strdup");
	for (p = copy; *p != '\0'; p++)
		if (*p == '\'')
			*p = '"';
	obj = json_tokener_parse_verbose(copy, &jerr);
	if (jerr != json_tokener_success)
		bail("test JSON is not JSON: %s", copy);
	free(copy);
	return obj;
}

/* n copies of c, in the arena. */
static const char *
repeat(char c, size_t n)
{
	char *s;

	if ((s = arena_alloc(arena, n + 1)) == NULL)
		bail("out of memory");
	memset(s, c, n);
	return s;
}

/*
 * What a check answered, as one line: "ok" for 0 with no error set;
 * otherwise the code string, then each detail as its loc joined with
 * "/" and its type ("#N" marks a loc part that is not a string, "(no
 * message)" a detail without a message), in the order reported.
 */
static const char *
outcome(int rc, const struct error *err)
{
	const char *s;
	size_t i, j, n;

	if (rc == 0)
		return err->code == ERR_NONE && err->details == NULL ? "ok" :
		    "0 with an error set";
	if (rc != -1)
		return arena_printf(arena, "returned %d", rc);
	s = error_code_string(err->code);
	n = json_object_is_type(err->details, json_type_array) ?
	    json_object_array_length(err->details) : 0;
	for (i = 0; i < n; i++) {
		json_object *d = json_object_array_get_idx(err->details, i);
		json_object *loc, *type, *msg;
		const char *where = "";

		if (!json_object_object_get_ex(d, "loc", &loc) ||
		    !json_object_is_type(loc, json_type_array) ||
		    !json_object_object_get_ex(d, "type", &type) ||
		    !json_object_object_get_ex(d, "msg", &msg)) {
			s = arena_printf(arena, "%s%s MALFORMED", s,
			    i == 0 ? ":" : ",");
			continue;
		}
		for (j = 0; j < json_object_array_length(loc); j++) {
			json_object *part = json_object_array_get_idx(loc, j);

			where = arena_printf(arena, "%s%s%s%s", where,
			    j == 0 ? "" : "/",
			    json_object_is_type(part, json_type_string) ?
			    "" : "#", json_object_get_string(part));
		}
		s = arena_printf(arena, "%s%s %s %s%s", s, i == 0 ? ":" : ",",
		    where, json_object_get_string(type),
		    json_object_get_string_len(msg) == 0 ? " (no message)" :
		    "");
	}
	return s;
}

/*
 * One test: authconn_check(type, settings, secret) (objects, borrowed)
 * answers expected, as outcome() writes it.
 */
static void
expect_objects(const char *type, json_object *settings, json_object *secret,
    const char *expected, const char *promise)
{
	struct error err = { .code = ERR_NONE };
	int rc;

	rc = authconn_check(type, settings, secret, &err);
	is_string(expected, outcome(rc, &err), "%s", promise);
	error_clear(&err);
}

/* As expect_objects(), with settings and secret written as JSON text. */
static void
expect(const char *type, const char *settings, const char *secret,
    const char *expected, const char *promise)
{
	json_object *s = parse(settings), *t = parse(secret);

	expect_objects(type, s, t, expected, promise);
	json_object_put(s);
	json_object_put(t);
}

/* {key: value} with value a string that may hold ' or ". */
static json_object *
object_with(const char *base, const char *key, const char *value)
{
	json_object *obj = parse(base);

	json_object_object_add(obj, key, json_object_new_string(value));
	return obj;
}

static void
test_types(void)
{
	ok(authconn_type_is_valid("none"), "none is a type");
	ok(authconn_type_is_valid("api_key"), "api_key is a type");
	ok(authconn_type_is_valid("bearer"), "bearer is a type");
	ok(authconn_type_is_valid("basic"), "basic is a type");
	ok(authconn_type_is_valid("oauth2"), "oauth2 is a type");
	ok(!authconn_type_is_valid(NULL), "NULL is not a type");
	ok(!authconn_type_is_valid(""), "the empty string is not a type");
	ok(!authconn_type_is_valid("API_KEY"), "types are case-sensitive");
	ok(!authconn_type_is_valid("oauth"), "oauth is not oauth2");
	ok(!authconn_type_is_valid("kerberos"), "kerberos is not a type");

	expect("kerberos", "{}", NULL, "validation_error: body/type enum",
	    "an unknown type is a 422 on type");
	expect(NULL, NULL, NULL, "validation_error: body/type enum",
	    "a NULL type is a 422 on type");
	expect("none", NULL, NULL, "ok",
	    "type none with nothing else checks");
}

static void
test_none_and_bearer(void)
{
	expect("none", "{}", NULL, "ok", "none takes settings {}");
	expect("none", "{'in': 'header'}", NULL,
	    "validation_error: body/settings/in extra_forbidden",
	    "none takes no settings members");
	expect("none", NULL, "{}",
	    "validation_error: body/secret extra_forbidden",
	    "none takes no secret, not even {}");
	expect("bearer", "{}", "{'token': 't'}", "ok",
	    "bearer takes {} and a token");
	expect("bearer", "[]", NULL,
	    "validation_error: body/settings dict_type",
	    "settings that are not an object are refused");
	expect("bearer", "'x'", NULL,
	    "validation_error: body/settings dict_type",
	    "settings that are a string are refused");
	expect("bearer", "{'token': 't'}", NULL,
	    "validation_error: body/settings/token extra_forbidden",
	    "the secret's field is not a setting");
	expect("bearer", NULL, "'t'",
	    "validation_error: body/secret dict_type",
	    "a secret that is not an object is refused");
	expect("bearer", NULL, "{}",
	    "validation_error: body/secret/token missing",
	    "a bearer secret needs its token");
	expect("bearer", NULL, "{'token': 't', 'refresh': 'r'}",
	    "validation_error: body/secret/refresh extra_forbidden",
	    "a bearer secret holds nothing but its token");
	expect("bearer", NULL, "{'value': 'v'}",
	    "validation_error: body/secret/value extra_forbidden,"
	    " body/secret/token missing",
	    "another type's secret field is refused and the token missed");
	expect("bearer", NULL, "{'token': ''}",
	    "validation_error: body/secret/token string_too_short",
	    "an empty token is refused");
	expect("bearer", NULL, "{'token': 5}",
	    "validation_error: body/secret/token string_type",
	    "a token that is a number is refused");
	expect("bearer", NULL, "{'token': null}",
	    "validation_error: body/secret/token string_type",
	    "a null token is refused");
	expect("bearer", NULL, "{'token': 'a\\nb'}",
	    "validation_error: body/secret/token string_pattern_mismatch",
	    "a token with a newline is refused");
	expect("bearer", NULL, "{'token': 'a\\u007fb'}",
	    "validation_error: body/secret/token string_pattern_mismatch",
	    "a token with DEL is refused");
	expect("bearer", NULL, arena_printf(arena, "{'token': '%s'}",
	    repeat('t', AUTHCONN_SECRET_MAX)), "ok",
	    "a token of exactly 16384 characters passes");
	expect("bearer", NULL, arena_printf(arena, "{'token': '%s'}",
	    repeat('t', AUTHCONN_SECRET_MAX + 1)),
	    "validation_error: body/secret/token string_too_long",
	    "a token of 16385 characters is refused");
	{
		char *name = arena_alloc(arena, 2 * AUTHCONN_NAME_MAX + 1);
		size_t i;

		if (name == NULL)
			bail("out of memory");
		for (i = 0; i < AUTHCONN_NAME_MAX; i++)
			memcpy(name + 2 * i, "\xc3\xa9", 2);
		expect("basic", arena_printf(arena, "{'username': '%s'}",
		    name), "{'password': 'p'}", "ok", "a username of 255"
		    " two-byte characters passes (characters count, not"
		    " bytes)");
	}
}

static void
test_api_key(void)
{
	json_object *settings;

	expect("api_key", "{'in': 'header', 'name': 'X-Api-Key'}",
	    "{'value': 'v'}", "ok", "an api_key in a header passes");
	expect("api_key", "{'in': 'query', 'name': 'api_key'}", NULL, "ok",
	    "an api_key in the query passes");
	expect("api_key", "{}", NULL,
	    "validation_error: body/settings/in missing,"
	    " body/settings/name missing",
	    "api_key needs in and name");
	expect("api_key", "{'in': 'cookie', 'name': 'k'}", NULL,
	    "validation_error: body/settings/in enum",
	    "an api_key goes in a header or the query, not a cookie");
	expect("api_key", "{'in': 'Header', 'name': 'k'}", NULL,
	    "validation_error: body/settings/in enum",
	    "in is case-sensitive");
	expect("api_key", "{'in': 'header', 'name': 'X Api Key'}", NULL,
	    "validation_error: body/settings/name string_pattern_mismatch",
	    "a name with spaces is not a header name");
	expect("api_key", "{'in': 'header', 'name': 'X:Key'}", NULL,
	    "validation_error: body/settings/name string_pattern_mismatch",
	    "a name with ':' is not a header name");
	settings = object_with("{'in': 'header'}", "name",
	    "az09AZ!#$%&'*+-.^_`|~");
	expect_objects("api_key", settings, NULL, "ok",
	    "every RFC 9110 token character is allowed in a name");
	json_object_put(settings);
	expect("api_key", arena_printf(arena, "{'in': 'header', 'name':"
	    " '%s'}", repeat('k', AUTHCONN_NAME_MAX)), NULL, "ok",
	    "a name of exactly 255 characters passes");
	expect("api_key", arena_printf(arena, "{'in': 'header', 'name':"
	    " '%s'}", repeat('k', AUTHCONN_NAME_MAX + 1)), NULL,
	    "validation_error: body/settings/name string_too_long",
	    "a name of 256 characters is refused");
	expect("api_key", "{'in': 'header', 'name': 'k', 'username': 'u'}",
	    NULL,
	    "validation_error: body/settings/username extra_forbidden",
	    "another type's setting is refused");
	expect("api_key", NULL, "{'token': 't'}",
	    "validation_error: body/secret/token extra_forbidden,"
	    " body/secret/value missing",
	    "an api_key secret is its value, not a token");
	expect("api_key", "{'in': 'cookie', 'name': 'a b', 'x': 1}", "{}",
	    "validation_error: body/settings/x extra_forbidden,"
	    " body/settings/in enum,"
	    " body/settings/name string_pattern_mismatch,"
	    " body/secret/value missing",
	    "every fault of settings and secret is reported at once");
}

static void
test_basic(void)
{
	expect("basic", "{}", "{'password': 'p'}", "ok",
	    "basic takes {} and a password");
	expect("basic", "{'username': 'ann'}", "{'password': 'p'}", "ok",
	    "basic takes a user name in the settings");
	expect("basic", "{}", "{'password': 'p', 'username': 'ann'}", "ok",
	    "the user name may be secret when the settings have none");
	expect("basic", NULL, "{'password': 'p', 'username': 'ann'}", "ok",
	    "and when settings are not given");
	expect("basic", "{'username': 'ann'}",
	    "{'password': 'p', 'username': 'bob'}",
	    "validation_error: body/secret/username extra_forbidden",
	    "the user name is not secret when the settings show one");
	expect("basic", "{}", "{'username': 'ann'}",
	    "validation_error: body/secret/password missing",
	    "a basic secret needs its password");
	expect("basic", "{'username': 'a:b'}", NULL,
	    "validation_error: body/settings/username"
	    " string_pattern_mismatch",
	    "a user name in the settings holds no ':'");
	expect("basic", "{}", "{'password': 'p', 'username': 'a:b'}",
	    "validation_error: body/secret/username string_pattern_mismatch",
	    "a secret user name holds no ':' either");
	expect("basic", "{}", "{'password': 'p:q'}", "ok",
	    "a password may hold ':'");
	expect("basic", "{'username': ''}", NULL,
	    "validation_error: body/settings/username string_too_short",
	    "an empty user name is refused");
	expect("basic", arena_printf(arena, "{'username': '%s'}",
	    repeat('u', AUTHCONN_NAME_MAX)), NULL, "ok",
	    "a user name of exactly 255 characters passes");
	expect("basic", arena_printf(arena, "{'username': '%s'}",
	    repeat('u', AUTHCONN_NAME_MAX + 1)), NULL,
	    "validation_error: body/settings/username string_too_long",
	    "a user name of 256 characters is refused");
	expect("basic", "{'in': 'header'}", NULL,
	    "validation_error: body/settings/in extra_forbidden",
	    "basic takes no api_key settings");
}

/* oauth2 settings for client_credentials plus more, as JSON text. */
static const char *
client_credentials(const char *more)
{
	return arena_printf(arena, "{'grant': 'client_credentials',"
	    " 'token_url': 'https://auth.example.com/token'%s}", more);
}

/* "{'scopes': [...]}" of n distinct scopes. */
static const char *
scopes(size_t n)
{
	const char *list = "";
	size_t i;

	for (i = 0; i < n; i++)
		list = arena_printf(arena, "%s%s's%zu'", list,
		    i == 0 ? "" : ", ", i);
	return arena_printf(arena, ", 'scopes': [%s]", list);
}

static void
test_oauth2(void)
{
	json_object *settings;

	expect("oauth2", client_credentials(""), "{'client_secret': 's'}",
	    "ok", "the client_credentials grant needs only a token URL");
	expect("oauth2", "{'grant': 'authorization_code',"
	    " 'token_url': 'https://auth.example.com/token',"
	    " 'authorize_url': 'https://auth.example.com/authorize',"
	    " 'client_id': 'drio', 'scopes': ['read', 'write:all']}", NULL,
	    "ok", "the authorization_code grant with everything passes");
	expect("oauth2", "{}", NULL,
	    "validation_error: body/settings/grant missing,"
	    " body/settings/token_url missing",
	    "oauth2 needs a grant and a token URL");
	expect("oauth2", "{'grant': 'password',"
	    " 'token_url': 'https://a.example/t'}", NULL,
	    "validation_error: body/settings/grant enum",
	    "the password grant is not offered");
	expect("oauth2", "{'grant': 'authorization_code',"
	    " 'token_url': 'https://a.example/t'}", NULL,
	    "validation_error: body/settings/authorize_url missing",
	    "authorization_code needs an authorize URL");
	expect("oauth2", client_credentials(", 'authorize_url':"
	    " 'https://a.example/a'"), NULL,
	    "validation_error: body/settings/authorize_url extra_forbidden",
	    "client_credentials has no authorize URL");
	expect("oauth2", "{'grant': 'client_credentials',"
	    " 'token_url': 'http://auth.internal/token'}", NULL, "ok",
	    "a plain http token URL is allowed");
	expect("oauth2", "{'grant': 'client_credentials',"
	    " 'token_url': 'ftp://auth.example.com/token'}", NULL,
	    "validation_error: body/settings/token_url url_parsing",
	    "an ftp token URL is refused");
	expect("oauth2", "{'grant': 'client_credentials',"
	    " 'token_url': '/token'}", NULL,
	    "validation_error: body/settings/token_url url_parsing",
	    "a relative token URL is refused");
	expect("oauth2", "{'grant': 'authorization_code',"
	    " 'token_url': 'https://a.example/t',"
	    " 'authorize_url': 'https:///authorize'}", NULL,
	    "validation_error: body/settings/authorize_url url_parsing",
	    "an authorize URL without a host is refused");
	expect("oauth2", arena_printf(arena, "{'grant':"
	    " 'client_credentials', 'token_url': 'https://a.example/%s'}",
	    repeat('p', 2048 - strlen("https://a.example/"))), NULL, "ok",
	    "a token URL of exactly 2048 characters passes");
	expect("oauth2", arena_printf(arena, "{'grant':"
	    " 'client_credentials', 'token_url': 'https://a.example/%s'}",
	    repeat('p', 2049 - strlen("https://a.example/"))), NULL,
	    "validation_error: body/settings/token_url string_too_long",
	    "a token URL of 2049 characters is refused");
	expect("oauth2", client_credentials(arena_printf(arena,
	    ", 'client_id': '%s'", repeat('c', AUTHCONN_NAME_MAX))), NULL,
	    "ok", "a client id of exactly 255 characters passes");
	expect("oauth2", client_credentials(arena_printf(arena,
	    ", 'client_id': '%s'", repeat('c', AUTHCONN_NAME_MAX + 1))),
	    NULL, "validation_error: body/settings/client_id string_too_long",
	    "a client id of 256 characters is refused");
	expect("oauth2", client_credentials(", 'audience': 'api'"), NULL,
	    "validation_error: body/settings/audience extra_forbidden",
	    "an unknown oauth2 setting is refused");
	expect("oauth2", client_credentials(", 'scopes': 'read write'"),
	    NULL, "validation_error: body/settings/scopes list_type",
	    "scopes as one string are refused");
	expect("oauth2", client_credentials(", 'scopes': []"), NULL, "ok",
	    "no scopes at all pass");
	expect("oauth2", client_credentials(scopes(100)), NULL, "ok",
	    "exactly 100 scopes pass");
	expect("oauth2", client_credentials(scopes(101)), NULL,
	    "validation_error: body/settings/scopes list_type",
	    "101 scopes are refused");
	expect("oauth2", client_credentials(", 'scopes': ['read write']"),
	    NULL,
	    "validation_error: body/settings/scopes string_pattern_mismatch",
	    "a scope with a space is refused");
	expect("oauth2", client_credentials(", 'scopes': ['']"), NULL,
	    "validation_error: body/settings/scopes string_pattern_mismatch",
	    "an empty scope is refused");
	expect("oauth2", client_credentials(", 'scopes': [7]"), NULL,
	    "validation_error: body/settings/scopes string_pattern_mismatch",
	    "a scope that is a number is refused");
	settings = parse(client_credentials(", 'scopes': []"));
	json_object_array_add(json_object_object_get(settings, "scopes"),
	    json_object_new_string("a\"b"));
	expect_objects("oauth2", settings, NULL,
	    "validation_error: body/settings/scopes string_pattern_mismatch",
	    "a scope with a double quote is refused");
	json_object_put(settings);
	expect("oauth2", client_credentials(", 'scopes': ['read', 'read']"),
	    NULL, "validation_error: body/settings/scopes value_error",
	    "a scope given twice is refused");
	expect("oauth2", client_credentials(arena_printf(arena,
	    ", 'scopes': ['%s']", repeat('s', 255))), NULL, "ok",
	    "a scope of exactly 255 characters passes");
	expect("oauth2", client_credentials(arena_printf(arena,
	    ", 'scopes': ['%s']", repeat('s', 256))), NULL,
	    "validation_error: body/settings/scopes string_pattern_mismatch",
	    "a scope of 256 characters is refused");
	expect("oauth2", NULL, "{'client_secret': 's'}", "ok",
	    "an oauth2 secret is its client_secret");
	expect("oauth2", NULL, "{'client_secret': 's', 'client_id': 'c'}",
	    "validation_error: body/secret/client_id extra_forbidden",
	    "the client id is not secret");
}

int
main(void)
{
	plan(86);
	if ((arena = arena_new()) == NULL)
		bail("arena_new failed");
	test_types();
	test_none_and_bearer();
	test_api_key();
	test_basic();
	test_oauth2();
	arena_free(arena);
	return 0;
}

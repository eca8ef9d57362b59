/*
 * router-t.c: tests for lib/router.c, matching a method and path against
 * a route table.  Checks the promises of router.h: the matching route's
 * index, path parameters copied into the arena, {name:uuid} matching only
 * UUIDs (anything else is a 404), unknown paths are 404, and a known path
 * under another method is 405 with Allow.  Matching is strict: a
 * trailing slash, an empty segment, a missing or an extra segment do not
 * match.  A final {name*} takes the rest of the path, slashes included,
 * even when empty, and a route declared for "*" serves every method; the
 * table holds such routes, so every other check also shows that they do
 * not change how the other routes match.  Only routes that cannot both
 * match one path are tested; which of two overlapping patterns wins is
 * not part of the contract.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdlib.h>
#include <string.h>

#include "router.h"
#include "t/tap/basic.h"

#define UUID1 "123e4567-e89b-12d3-a456-426614174000"
#define UUID2 "00000000-0000-4000-8000-00000000abcd"

static int
handler(struct request *req, struct error *err)
{
	(void)req;
	(void)err;
	return 0;
}

enum route_id {
	ROUTE_HEALTH,
	ROUTE_SESSIONS_LIST,
	ROUTE_SESSION_REVOKE,
	ROUTE_SESSION_REVOKE_SELF,
	ROUTE_WORKSPACES_LIST,
	ROUTE_WORKSPACE_CREATE,
	ROUTE_MEMBERS_LIST,
	ROUTE_MEMBER_INVITE,
	ROUTE_MEMBER_GET,
	ROUTE_MEMBER_REMOVE,
	ROUTE_API_V2_PROXY,
	ROUTE_FILE_GET,
	ROUTE__MAX
};

static const struct route routes[ROUTE__MAX] = {
	[ROUTE_HEALTH] = { "GET", "/health", handler, ROUTE_PUBLIC,
	    ROUTE_NO_FIELDS, ROUTE_NO_FIELDS,
	    ROUTE_API },
	[ROUTE_SESSIONS_LIST] = { "GET", "/account/sessions", handler,
	    ROUTE_BEARER, ROUTE_NO_FIELDS, ROUTE_NO_FIELDS,
	    ROUTE_API },
	[ROUTE_SESSION_REVOKE] = { "DELETE", "/account/sessions/{id:uuid}",
	    handler, ROUTE_BEARER, ROUTE_NO_FIELDS, ROUTE_NO_FIELDS,
	    ROUTE_API },
	[ROUTE_SESSION_REVOKE_SELF] = { "DELETE", "/account/sessions/self",
	    handler, ROUTE_BEARER, ROUTE_NO_FIELDS, ROUTE_NO_FIELDS,
	    ROUTE_API },
	[ROUTE_WORKSPACES_LIST] = { "GET", "/workspaces", handler,
	    ROUTE_BEARER, ROUTE_NO_FIELDS, ROUTE_NO_FIELDS,
	    ROUTE_API },
	[ROUTE_WORKSPACE_CREATE] = { "POST", "/workspaces", handler,
	    ROUTE_BEARER, ROUTE_NO_FIELDS, ROUTE_NO_FIELDS,
	    ROUTE_API },
	[ROUTE_MEMBERS_LIST] = { "GET", "/workspaces/{workspace}/members",
	    handler, ROUTE_BEARER, ROUTE_NO_FIELDS, ROUTE_NO_FIELDS,
	    ROUTE_API },
	[ROUTE_MEMBER_INVITE] = { "POST", "/workspaces/{workspace}/members",
	    handler, ROUTE_BEARER, ROUTE_NO_FIELDS, ROUTE_NO_FIELDS,
	    ROUTE_API },
	[ROUTE_MEMBER_GET] = { "GET",
	    "/workspaces/{workspace}/members/{member:uuid}", handler,
	    ROUTE_BEARER, ROUTE_NO_FIELDS, ROUTE_NO_FIELDS,
	    ROUTE_API },
	[ROUTE_MEMBER_REMOVE] = { "DELETE",
	    "/workspaces/{workspace}/members/{member:uuid}", handler,
	    ROUTE_BEARER, ROUTE_NO_FIELDS, ROUTE_NO_FIELDS,
	    ROUTE_API },
	[ROUTE_API_V2_PROXY] = { "*", "/api/v2{rest*}", handler,
	    ROUTE_PUBLIC, ROUTE_NO_FIELDS, ROUTE_NO_FIELDS,
	    ROUTE_API },
	[ROUTE_FILE_GET] = { "GET", "/files/{bucket}/{key*}", handler,
	    ROUTE_PUBLIC, ROUTE_NO_FIELDS, ROUTE_NO_FIELDS,
	    ROUTE_API },
};

static struct arena *arena;
static struct http_param params[HTTP_MAX_PATH_PARAMS];
static size_t nparams;
static struct error err;

/* Match method and path against the table, fresh error each time. */
static int
match(const char *method, const char *path)
{
	error_clear(&err);
	nparams = 0;
	memset(params, 0, sizeof(params));
	return router_match(routes, ROUTE__MAX, method, path, arena, params,
	    &nparams, &err);
}

/* The parameters as "name=value|name=value", for one comparison. */
static const char *
joined(void)
{
	const char *s = "";
	size_t i;

	for (i = 0; i < nparams; i++)
		s = arena_printf(arena, "%s%s%s=%s", s, i > 0 ? "|" : "",
		    params[i].name, params[i].value);
	return s;
}

static int
compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The methods in an Allow value, sorted and joined with ", ", so that the
 * test does not depend on the order the router lists them in.
 */
static const char *
sorted_allow(const char *allow)
{
	char *copy = arena_strdup(arena, allow), *methods[16], *method;
	const char *s = "";
	size_t n = 0, i;

	for (method = strtok(copy, ", "); method != NULL && n < 16;
	    method = strtok(NULL, ", "))
		methods[n++] = method;
	qsort(methods, n, sizeof(methods[0]), compare_strings);
	for (i = 0; i < n; i++)
		s = arena_printf(arena, "%s%s%s", s, i > 0 ? ", " : "",
		    methods[i]);
	return s;
}

static void
test_matches(void)
{
	char path[64];

	is_int(ROUTE_HEALTH, match("GET", "/health"),
	    "a literal path matches its route");
	is_int(0, nparams, "a literal route has no path parameters");
	is_int(ROUTE_WORKSPACES_LIST, match("GET", "/workspaces"),
	    "GET /workspaces picks the GET route");
	is_int(ROUTE_WORKSPACE_CREATE, match("POST", "/workspaces"),
	    "POST /workspaces picks the POST route of the same path");

	is_int(ROUTE_MEMBERS_LIST, match("GET", "/workspaces/acme/members"),
	    "a {name} parameter matches a segment");
	is_string("workspace=acme", joined(),
	    "the parameter's name and value are extracted");
	is_int(ROUTE_MEMBER_INVITE, match("POST", "/workspaces/acme/members"),
	    "the same pattern under POST picks the POST route");

	is_int(ROUTE_MEMBER_GET, match("GET", "/workspaces/acme/members/"
	    UUID1), "{member:uuid} matches a UUID");
	is_string("workspace=acme|member=" UUID1, joined(),
	    "several parameters are extracted in pattern order");
	is_int(ROUTE_MEMBER_REMOVE, match("DELETE", "/workspaces/w1/members/"
	    UUID2), "DELETE on the same pattern picks the DELETE route");

	is_int(ROUTE_SESSION_REVOKE, match("DELETE", "/account/sessions/"
	    UUID1), "DELETE /account/sessions/<uuid> picks the {id:uuid} "
	    "route");
	is_string("id=" UUID1, joined(), "... with the id extracted");
	is_int(ROUTE_SESSION_REVOKE_SELF, match("DELETE",
	    "/account/sessions/self"), "DELETE /account/sessions/self picks "
	    "the literal route, since 'self' is not a UUID");
	is_int(0, nparams, "... with no parameters");

	is_int(ROUTE_MEMBERS_LIST, match("GET", "/workspaces/a b/members"),
	    "a parameter may hold characters decoded from the path");
	is_string("workspace=a b", joined(), "... and keeps them");

	strcpy(path, "/workspaces/acme/members");
	match("GET", path);
	memset(path, 'x', strlen(path));
	is_string("workspace=acme", joined(),
	    "parameters are copies, not pointers into the path");
}

static void
test_not_found(void)
{
	is_int(-1, match("GET", "/nowhere"), "an unknown path is refused");
	is_int(ERR_NOT_FOUND, err.code, "... with ERR_NOT_FOUND (404)");
	is_int(-1, match("GET", "/"), "the root path is not a route here");
	is_int(ERR_NOT_FOUND, err.code, "... with ERR_NOT_FOUND (404)");
	match("GET", "/health/");
	is_int(ERR_NOT_FOUND, err.code,
	    "a trailing slash does not match (the router is strict)");
	match("GET", "/workspaces/");
	is_int(ERR_NOT_FOUND, err.code,
	    "/workspaces/ with a trailing slash is 404, not 405");
	match("GET", "/workspaces/acme");
	is_int(ERR_NOT_FOUND, err.code,
	    "a path missing a pattern's last segment is 404");
	match("GET", "/workspaces/acme/members/" UUID1 "/extra");
	is_int(ERR_NOT_FOUND, err.code,
	    "a path with an extra segment is 404");
	match("GET", "/workspaces//members");
	is_int(ERR_NOT_FOUND, err.code,
	    "an empty segment does not match a {name} parameter");
	match("GET", "/Health");
	is_int(ERR_NOT_FOUND, err.code, "literal segments are case-sensitive");

	match("GET", "/workspaces/acme/members/not-a-uuid");
	is_int(ERR_NOT_FOUND, err.code,
	    "a malformed id under {member:uuid} is 404 like any unknown path");
	match("GET", "/workspaces/acme/members/" UUID1 "0");
	is_int(ERR_NOT_FOUND, err.code,
	    "a UUID with one character too many is 404");
	match("GET",
	    "/workspaces/acme/members/123e4567e89b12d3a456426614174000");
	is_int(ERR_NOT_FOUND, err.code, "a UUID without dashes is 404");
	match("DELETE", "/workspaces/acme/members/not-a-uuid");
	is_int(ERR_NOT_FOUND, err.code,
	    "a malformed id is 404 under DELETE as well");
	match("DELETE", "/account/sessions/other");
	is_int(ERR_NOT_FOUND, err.code,
	    "a segment that is neither the literal nor a UUID is 404");
}

static void
test_method_not_allowed(void)
{
	is_int(-1, match("DELETE", "/workspaces"),
	    "a known path under an unknown method is refused");
	is_int(ERR_METHOD_NOT_ALLOWED, err.code,
	    "... with ERR_METHOD_NOT_ALLOWED (405)");
	is_string("GET, HEAD, POST", sorted_allow(err.allow),
	    "... and Allow lists the methods the path accepts, HEAD with GET");

	match("PUT", "/workspaces/acme/members");
	is_int(ERR_METHOD_NOT_ALLOWED, err.code,
	    "a known parameterised path under an unknown method is 405");
	is_string("GET, HEAD, POST", sorted_allow(err.allow),
	    "... and Allow lists its methods");

	match("POST", "/workspaces/acme/members/" UUID1);
	is_string("DELETE, GET, HEAD", sorted_allow(err.allow),
	    "a {name:uuid} path under an unknown method lists its methods");

	match("GET", "/account/sessions/self");
	is_int(ERR_METHOD_NOT_ALLOWED, err.code,
	    "GET on a DELETE-only literal path is 405");
	is_string("DELETE", err.allow, "... with Allow: DELETE");

	match("get", "/health");
	is_int(ERR_METHOD_NOT_ALLOWED, err.code,
	    "methods are case-sensitive: 'get' is not GET");
	is_string("GET, HEAD", err.allow,
	    "... and Allow names the methods to use");
}

static void
test_head(void)
{
	is_int(ROUTE_HEALTH, match("HEAD", "/health"),
	    "HEAD is served by the GET route of the same path");
	is_int(ROUTE_MEMBER_GET, match("HEAD", "/workspaces/acme/members/" UUID1),
	    "HEAD matches a parameterised GET route too");
	is_int(-1, match("HEAD", "/account/sessions/self"),
	    "HEAD on a path with no GET route is refused");
	is_int(ERR_METHOD_NOT_ALLOWED, err.code, "... with 405");
	is_string("DELETE", err.allow, "... and Allow has no HEAD without GET");
}

static void
test_rest(void)
{
	static const char *const methods[] = { "GET", "POST", "DELETE",
	    "HEAD" };
	static const struct {
		const char *path, *rest;
	} cases[] = {
		{ "/api/v2", "" },
		{ "/api/v2/", "/" },
		{ "/api/v2/a/b/c", "/a/b/c" },
	};
	char path[64];
	size_t m, c;

	for (m = 0; m < sizeof(methods) / sizeof(methods[0]); m++)
		for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
			is_int(ROUTE_API_V2_PROXY, match(methods[m],
			    cases[c].path), "%s %s matches the \"*\" route "
			    "/api/v2{rest*}", methods[m], cases[c].path);
			is_string(arena_printf(arena, "rest=%s",
			    cases[c].rest), joined(), "... with rest \"%s\"",
			    cases[c].rest);
		}
	is_int(ROUTE_API_V2_PROXY, match("PROPFIND", "/api/v2/x"),
	    "a \"*\" route serves a method no route names");
	is_int(ROUTE_API_V2_PROXY, match("get", "/api/v2/x"),
	    "... even one in lower case (any method token at all)");
	is_int(ROUTE_API_V2_PROXY, match("GET", "/api/v2//x/"),
	    "{rest*} takes empty segments and a trailing slash");
	is_string("rest=//x/", joined(), "... and keeps them as they are");
	is_int(ROUTE_API_V2_PROXY, match("GET", "/api/v2/a b/%2F"),
	    "{rest*} takes characters decoded from the path");
	is_string("rest=/a b/%2F", joined(), "... and keeps them");

	/*
	 * After a literal, {rest*} starts a new segment: "/api/v2{rest*}" is
	 * /api/v2 and what is below it, never /api/v20.
	 */
	is_int(-1, match("GET", "/api/v20"),
	    "/api/v20 does not match /api/v2{rest*}: rest starts a segment");
	is_int(ERR_NOT_FOUND, err.code, "... it is a 404");
	is_int(-1, match("POST", "/api/v2x/y"),
	    "/api/v2x/y does not match it either");
	is_int(ERR_NOT_FOUND, err.code, "... a 404 too");

	strcpy(path, "/api/v2/abc");
	match("GET", path);
	memset(path, 'x', strlen(path));
	is_string("rest=/abc", joined(),
	    "the rest is a copy, not a pointer into the path");

	match("GET", "/api/v1/a");
	is_int(ERR_NOT_FOUND, err.code,
	    "a path that differs before {rest*} is 404");
	match("POST", "/api/v");
	is_int(ERR_NOT_FOUND, err.code,
	    "a path shorter than the literal before {rest*} is 404");
	match("DELETE", "/api");
	is_int(ERR_NOT_FOUND, err.code, "a prefix of it is 404 too");
	match("GET", "/API/v2");
	is_int(ERR_NOT_FOUND, err.code,
	    "the literal before {rest*} is case-sensitive");

	is_int(ROUTE_FILE_GET, match("GET", "/files/b1/photos/2024/a.jpg"),
	    "{rest*} after a {name} parameter takes the remaining segments");
	is_string("bucket=b1|key=photos/2024/a.jpg", joined(),
	    "... after the parameter, in pattern order");
	is_int(ROUTE_FILE_GET, match("HEAD", "/files/b1/"),
	    "HEAD is served by a GET route ending in {rest*}");
	is_string("bucket=b1|key=", joined(), "... with an empty rest");
	match("GET", "/files/b1");
	is_int(ERR_NOT_FOUND, err.code,
	    "the literal '/' before {rest*} is still required");
	match("GET", "/files//x");
	is_int(ERR_NOT_FOUND, err.code,
	    "an empty {name} before {rest*} still does not match");
	is_int(-1, match("PUT", "/files/b1/a"),
	    "a path matching a GET {rest*} route under PUT is refused");
	is_int(ERR_METHOD_NOT_ALLOWED, err.code, "... with 405");
	is_string("GET, HEAD", err.allow, "... and Allow: GET, HEAD");
}

int
main(void)
{
	plan(95);
	if ((arena = arena_new()) == NULL)
		bail("arena_new failed");
	test_matches();
	test_not_found();
	test_method_not_allowed();
	test_head();
	test_rest();
	error_clear(&err);
	arena_free(arena);
	return 0;
}

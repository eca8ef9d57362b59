/*
 * mcpauth-t.c: tests for the pure parts of MCP authorization discovery
 * and client registration (mcpauth.h): reading a WWW-Authenticate
 * header's Bearer challenge (RFC 7235, RFC 6750 3, RFC 9728 5.1), the
 * well-known URLs of protected resource metadata (RFC 9728 3.1) and of
 * authorization server metadata (RFC 8414 3.1 and the MCP
 * specification's order), the rules each metadata document must meet
 * (RFC 9728 3.3's resource check, RFC 8414 3.3's issuer check, PKCE with
 * S256), and the registration request and answers of RFC 7591.
 *
 * Discovery and registration over the network are tested end to end
 * against t/fixtures/mcp-oauth-server.mjs in t/55-api-v1-mcp-oauth.t.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "mcpauth.h"
#include "oauthclient.h"
#include "t/tap/basic.h"

/* Does s contain needle? */
static bool
contains(const char *s, const char *needle)
{
	return s != NULL && strstr(s, needle) != NULL;
}

/* ---------------------------------------------------------------- */
/* The challenge                                                     */

/*
 * Parse header with buffers of the sizes discovery uses; the results
 * land in rm and scope.  Returns what mcpauth_challenge_parse returns.
 */
static int
challenge(const char *header, char rm[MCPAUTH_URL_MAX + 1],
    char scope[MCPAUTH_SCOPE_MAX + 1])
{
	return mcpauth_challenge_parse(header, rm, MCPAUTH_URL_MAX + 1, scope,
	    MCPAUTH_SCOPE_MAX + 1);
}

static void
test_challenge(void)
{
	char rm[MCPAUTH_URL_MAX + 1], scope[MCPAUTH_SCOPE_MAX + 1];
	char small[8], big[2 * MCPAUTH_URL_MAX];

	is_int(0, challenge("Bearer error=\"invalid_token\","
	    " error_description=\"Missing Authorization header\","
	    " scope=\"mcp:tools\", resource_metadata=\"http://127.0.0.1:8080"
	    "/.well-known/oauth-protected-resource/mcp\"", rm, scope),
	    "the MCP SDK's challenge is a Bearer challenge");
	is_string("http://127.0.0.1:8080/.well-known/oauth-protected-resource"
	    "/mcp", rm, "its resource_metadata is read");
	is_string("mcp:tools", scope, "its scope is read");

	is_int(0, challenge("Bearer", rm, scope),
	    "a bare Bearer challenge is a Bearer challenge");
	ok(rm[0] == '\0' && scope[0] == '\0',
	    "... whose missing parameters are empty strings");

	is_int(0, challenge("bEaReR ReSoUrCe_MeTaDaTa=\"https://a.example/m\","
	    " SCOPE=read", rm, scope),
	    "scheme and parameter names are matched in any case");
	is_string("https://a.example/m", rm, "... resource_metadata is read");
	is_string("read", scope, "... and a token value is read as it is");

	is_int(0, challenge("Bearer realm=\"say \\\"hi\\\" \\\\ ok\","
	    " scope=\"a\\\"b \\c\"", rm, scope),
	    "quoted-strings with escaped quotes and backslashes are read");
	is_string("a\"b c", scope, "... their quoted-pairs undone");

	is_int(0, challenge("Basic realm=\"r, with comma\", Bearer"
	    " resource_metadata=\"https://a.example/m\", Negotiate", rm,
	    scope), "a Bearer challenge among others is found");
	is_string("https://a.example/m", rm,
	    "... with its parameters, a comma inside another's quoted value"
	    " notwithstanding");

	is_int(0, challenge("Negotiate YWJj+/x==, Bearer scope=\"s t\"", rm,
	    scope), "a token68 challenge before the Bearer one is skipped");
	is_string("s t", scope, "... and the Bearer challenge read");

	is_int(0, challenge("DPoP algs=\"ES256\", resource_metadata="
	    "\"https://evil.example/m\", Bearer scope=x", rm, scope),
	    "another scheme's parameters are skipped");
	is_string("", rm, "... a resource_metadata of another scheme is not"
	    " taken");

	is_int(0, challenge("Bearer scope=first, Bearer scope=second", rm,
	    scope), "with two Bearer challenges");
	is_string("first", scope, "... the first one counts");

	is_int(0, challenge(" , Bearer  scope = \"a\" ,, realm=b ,", rm,
	    scope), "empty list elements and blanks around = are allowed");
	is_string("a", scope, "... and the value read");

	is_int(0, challenge("Bearer resource_metadata=\"\"", rm, scope),
	    "an empty quoted value is allowed");
	is_string("", rm, "... and is an empty string");

	is_int(-1, challenge("Basic realm=\"x\"", rm, scope),
	    "a header with only another scheme has no Bearer challenge");
	is_int(-1, challenge("Basic resource_metadata=\"https://a.example/m\"",
	    rm, scope), "another scheme's resource_metadata is no Bearer"
	    " challenge");
	is_string("", rm, "... and is not copied");
	is_int(-1, challenge("Bearerx scope=a", rm, scope),
	    "a scheme that only starts with Bearer is another scheme");
	is_int(-1, challenge("", rm, scope), "an empty header is refused");
	is_int(-1, mcpauth_challenge_parse(NULL, rm, sizeof(rm), scope,
	    sizeof(scope)), "no header is refused");

	is_int(-1, challenge("Bearer scope=a, scope=b", rm, scope),
	    "a parameter named twice is refused");
	is_int(-1, challenge("Bearer resource_metadata=\"https://a/1\","
	    " Resource_Metadata=\"https://b/2\"", rm, scope),
	    "a resource_metadata named twice, in any case, is refused");
	is_string("", rm, "... leaving resource_metadata empty");
	is_int(-1, challenge("Bearer scope=\"unterminated", rm, scope),
	    "an unterminated quoted-string is refused");
	is_int(-1, challenge("Bearer scope=\"a\rb\"", rm, scope),
	    "a control character in a quoted-string is refused");
	is_int(-1, challenge("Bearer scope=\"a\\", rm, scope),
	    "a quoted-pair at the end is refused");
	is_int(-1, challenge("Bearer scope=a b", rm, scope),
	    "an unquoted value with a blank is refused");
	is_int(-1, challenge("Bearer a b", rm, scope),
	    "words that are neither token68 nor parameters are refused");
	is_int(-1, challenge("Bearer realm=x, scope=", rm, scope),
	    "a parameter without a value is refused");
	is_int(0, challenge("Bearer scope=", rm, scope),
	    "a lone \"scope=\" is a token68, as RFC 7235's grammar has it");
	is_string("", scope, "... not a scope");
	is_int(-1, challenge("Bearer scope=\"x\" resource_metadata=\"y\"", rm,
	    scope), "parameters without a comma between them are refused");
	is_int(-1, challenge("Bearer=x", rm, scope),
	    "a scheme followed by = is refused");

	is_int(-1, mcpauth_challenge_parse("Bearer resource_metadata="
	    "\"https://a.example/long\"", small, sizeof(small), scope,
	    sizeof(scope)), "a resource_metadata that does not fit is"
	    " refused");
	is_string("", small, "... leaving it empty");
	is_int(-1, mcpauth_challenge_parse("Bearer scope=12345678", rm,
	    sizeof(rm), small, sizeof(small)),
	    "a token scope that does not fit is refused");
	is_int(0, mcpauth_challenge_parse("Bearer scope=1234567", rm,
	    sizeof(rm), small, sizeof(small)), "one that just fits is read");
	is_string("1234567", small, "... whole");
	is_int(0, mcpauth_challenge_parse("Basic realm=\"much too long for"
	    " the buffer\", Bearer", small, sizeof(small), small,
	    sizeof(small)), "another scheme's long values need no room");

	memset(big, 'a', sizeof(big) - 1);
	memcpy(big, "Bearer scope=", 13);
	big[sizeof(big) - 1] = '\0';
	is_int(-1, challenge(big, rm, scope), "a scope over MCPAUTH_SCOPE_MAX"
	    " bytes is refused");
}

/* ---------------------------------------------------------------- */
/* Well-known URLs                                                   */

/*
 * Is mcpauth_prm_urls of url the n strings e0, e1 (e1 NULL when n is
 * 1)?  One test.
 */
static void
prm_urls_are(const char *url, size_t expected_n, const char *e0,
    const char *e1, const char *what)
{
	struct error err = { 0 };
	char *urls[2];
	size_t n;
	bool same;

	if (mcpauth_prm_urls(url, urls, &n, &err) != 0) {
		ok(false, "%s", what);
		diag("refused: %s", err.message);
		error_clear(&err);
		return;
	}
	same = n == expected_n && strcmp(urls[0], e0) == 0 &&
	    (n == 1 || strcmp(urls[1], e1) == 0);
	ok(same, "%s", what);
	if (!same)
		diag("seen %zu: %s %s", n, urls[0], n > 1 ? urls[1] : "");
	while (n > 0)
		free(urls[--n]);
}

/* Is mcpauth_as_urls of issuer the n strings e0..e2?  One test. */
static void
as_urls_are(const char *issuer, size_t expected_n, const char *e0,
    const char *e1, const char *e2, const char *what)
{
	struct error err = { 0 };
	const char *expected[3] = { e0, e1, e2 };
	char *urls[3];
	size_t i, n;
	bool same;

	if (mcpauth_as_urls(issuer, urls, &n, &err) != 0) {
		ok(false, "%s", what);
		diag("refused: %s", err.message);
		error_clear(&err);
		return;
	}
	same = n == expected_n;
	for (i = 0; same && i < n; i++)
		same = strcmp(urls[i], expected[i]) == 0;
	ok(same, "%s", what);
	for (i = 0; i < n; i++) {
		if (!same)
			diag("seen: %s", urls[i]);
		free(urls[i]);
	}
}

/* Is url refused by mcpauth_prm_urls with ERR_BAD_REQUEST?  One test. */
static void
prm_url_refused(const char *url, const char *what)
{
	struct error err = { 0 };
	char *urls[2] = { (char *)"x", (char *)"y" };
	size_t n = 9;

	ok(mcpauth_prm_urls(url, urls, &n, &err) == -1 &&
	    err.code == ERR_BAD_REQUEST && n == 0 && urls[0] == NULL &&
	    urls[1] == NULL, "%s", what);
	error_clear(&err);
}

static void
test_prm_urls(void)
{
	char longurl[MCPAUTH_URL_MAX + 2];

	prm_urls_are("https://mcp.example.com/mcp", 2,
	    "https://mcp.example.com/.well-known/oauth-protected-resource/mcp",
	    "https://mcp.example.com/.well-known/oauth-protected-resource",
	    "a URL with a path: the path-aware URL, then the root one");
	prm_urls_are("https://mcp.example.com/public/mcp", 2,
	    "https://mcp.example.com/.well-known/oauth-protected-resource"
	    "/public/mcp",
	    "https://mcp.example.com/.well-known/oauth-protected-resource",
	    "the whole path goes after the well-known prefix");
	prm_urls_are("https://mcp.example.com", 1,
	    "https://mcp.example.com/.well-known/oauth-protected-resource",
	    NULL, "a URL without a path: only the root URL");
	prm_urls_are("https://mcp.example.com/", 1,
	    "https://mcp.example.com/.well-known/oauth-protected-resource",
	    NULL, "a path of \"/\" is no path");
	prm_urls_are("https://mcp.example.com/mcp/", 2,
	    "https://mcp.example.com/.well-known/oauth-protected-resource/mcp",
	    "https://mcp.example.com/.well-known/oauth-protected-resource",
	    "a trailing slash of the path is dropped");
	prm_urls_are("https://mcp.example.com/mcp?key=secret#frag", 2,
	    "https://mcp.example.com/.well-known/oauth-protected-resource/mcp",
	    "https://mcp.example.com/.well-known/oauth-protected-resource",
	    "query and fragment are dropped");
	prm_urls_are("https://mcp.example.com?key=secret", 1,
	    "https://mcp.example.com/.well-known/oauth-protected-resource",
	    NULL, "a query without a path leaves the root URL");
	prm_urls_are("HTTPS://MCP.Example.COM:8443/Public/MCP", 2,
	    "https://mcp.example.com:8443/.well-known/oauth-protected-resource"
	    "/Public/MCP",
	    "https://mcp.example.com:8443/.well-known/oauth-protected-resource",
	    "scheme and host are lowered, a port kept, the path's case too");
	prm_urls_are("https://mcp.example.com:443/mcp", 2,
	    "https://mcp.example.com/.well-known/oauth-protected-resource/mcp",
	    "https://mcp.example.com/.well-known/oauth-protected-resource",
	    "https's default port is not written");
	prm_urls_are("http://127.0.0.1:80", 1,
	    "http://127.0.0.1/.well-known/oauth-protected-resource", NULL,
	    "http's default port is not written");
	prm_urls_are("http://127.0.0.1:443/mcp", 2,
	    "http://127.0.0.1:443/.well-known/oauth-protected-resource/mcp",
	    "http://127.0.0.1:443/.well-known/oauth-protected-resource",
	    "443 is not http's default port");
	prm_urls_are("https://mcp.example.com:/mcp", 2,
	    "https://mcp.example.com/.well-known/oauth-protected-resource/mcp",
	    "https://mcp.example.com/.well-known/oauth-protected-resource",
	    "an empty port is the default");
	prm_urls_are("https://[2001:DB8::1]:8443/mcp", 2,
	    "https://[2001:db8::1]:8443/.well-known/oauth-protected-resource"
	    "/mcp",
	    "https://[2001:db8::1]:8443/.well-known/oauth-protected-resource",
	    "an IPv6 literal host keeps its brackets");
	prm_urls_are("http://[::1]", 1,
	    "http://[::1]/.well-known/oauth-protected-resource", NULL,
	    "an IPv6 literal without port or path");

	prm_url_refused("ftp://mcp.example.com/mcp", "an ftp URL is refused");
	prm_url_refused("mcp.example.com/mcp", "a URL without scheme is"
	    " refused");
	prm_url_refused("https://user:pw@mcp.example.com/mcp",
	    "a URL with user information is refused");
	prm_url_refused("https://evil.example@mcp.example.com/",
	    "a user name before the host is refused");
	prm_url_refused("https://mcp.example.com\\@evil.example/",
	    "a backslash is refused");
	prm_url_refused("https://mcp.example.com/a/../admin",
	    "a \"..\" segment is refused");
	prm_url_refused("https://mcp.example.com/a/%2E%2e/admin",
	    "a percent-encoded \"..\" segment is refused");
	prm_url_refused("https://mcp.example.com/./mcp",
	    "a \".\" segment is refused");
	prm_url_refused("https://[fe80::1%25eth0]/mcp",
	    "an IPv6 zone identifier is refused");
	prm_url_refused("https://[]/mcp", "empty brackets are refused");
	prm_url_refused("https://[::1/mcp", "an unclosed bracket is refused");
	prm_url_refused("https:///mcp", "a URL without host is refused");
	prm_url_refused("https://mcp.example.com:0/mcp", "port 0 is refused");
	prm_url_refused("https://mcp.example.com:65536/mcp",
	    "port 65536 is refused");
	prm_url_refused("https://mcp.example.com:1234567/mcp",
	    "a six-digit port is refused");
	prm_url_refused("https://mcp.example.com:80x/mcp",
	    "a port with a letter is refused");
	prm_url_refused("https://mcp.example.com/a b", "a blank is refused");
	prm_url_refused("https://mcp.ex\xc3\xa4mple.com/", "non-ASCII is"
	    " refused");
	prm_url_refused("https://mcp%2eexample.com/", "a percent-encoded host"
	    " is refused");
	prm_url_refused(NULL, "no URL is refused");

	memset(longurl, 'a', sizeof(longurl) - 1);
	memcpy(longurl, "https://h/", 10);
	longurl[MCPAUTH_URL_MAX + 1] = '\0';
	prm_url_refused(longurl, "a URL over MCPAUTH_URL_MAX bytes is refused");
	longurl[MCPAUTH_URL_MAX] = '\0';
	prm_url_refused(longurl, "a URL whose well-known URL would be over"
	    " MCPAUTH_URL_MAX bytes is refused");

	/* A bare host whose root well-known URL is just MCPAUTH_URL_MAX. */
	{
		char expected[2 * MCPAUTH_URL_MAX];
		size_t host = MCPAUTH_URL_MAX - strlen("https://") -
		    strlen("/.well-known/oauth-protected-resource");

		memset(longurl, 'h', sizeof(longurl));
		memcpy(longurl, "https://", 8);
		longurl[8 + host] = '\0';
		snprintf(expected, sizeof(expected),
		    "%s/.well-known/oauth-protected-resource", longurl);
		prm_urls_are(longurl, 1, expected, NULL,
		    "a well-known URL of MCPAUTH_URL_MAX bytes is made");
		longurl[8 + host] = 'h';
		longurl[9 + host] = '\0';
		prm_url_refused(longurl, "... one byte more is refused");
	}
}

static void
test_as_urls(void)
{
	struct error err = { 0 };
	char *urls[3] = { (char *)"x", (char *)"y", (char *)"z" };
	size_t n = 9;

	as_urls_are("https://auth.example.com/tenant1", 3,
	    "https://auth.example.com/.well-known/oauth-authorization-server"
	    "/tenant1",
	    "https://auth.example.com/.well-known/openid-configuration"
	    "/tenant1",
	    "https://auth.example.com/tenant1/.well-known/openid-configuration",
	    "an issuer with a path: OAuth inserted, OIDC inserted, OIDC"
	    " appended");
	as_urls_are("https://auth.example.com/tenant1/", 3,
	    "https://auth.example.com/.well-known/oauth-authorization-server"
	    "/tenant1",
	    "https://auth.example.com/.well-known/openid-configuration"
	    "/tenant1",
	    "https://auth.example.com/tenant1/.well-known/openid-configuration",
	    "an issuer's trailing slash is dropped first");
	as_urls_are("https://auth.example.com", 2,
	    "https://auth.example.com/.well-known/oauth-authorization-server",
	    "https://auth.example.com/.well-known/openid-configuration", NULL,
	    "an issuer without a path: OAuth, then OIDC");
	as_urls_are("http://127.0.0.1:8080/", 2,
	    "http://127.0.0.1:8080/.well-known/oauth-authorization-server",
	    "http://127.0.0.1:8080/.well-known/openid-configuration", NULL,
	    "an issuer of \"/\" has no path; its port is kept");
	as_urls_are("https://[2001:db8::2]/a/b", 3,
	    "https://[2001:db8::2]/.well-known/oauth-authorization-server/a/b",
	    "https://[2001:db8::2]/.well-known/openid-configuration/a/b",
	    "https://[2001:db8::2]/a/b/.well-known/openid-configuration",
	    "an IPv6 issuer with a two-segment path");

	ok(mcpauth_as_urls("https://auth.example.com/?tenant=1", urls, &n,
	    &err) == -1 && err.code == ERR_UPSTREAM_UNAVAILABLE && n == 0 &&
	    urls[0] == NULL, "an issuer with a query is refused (RFC 8414 2)");
	error_clear(&err);
	ok(mcpauth_as_urls("https://auth.example.com/#x", urls, &n,
	    &err) == -1 && err.code == ERR_UPSTREAM_UNAVAILABLE,
	    "an issuer with a fragment is refused");
	error_clear(&err);
	ok(mcpauth_as_urls("urn:example:issuer", urls, &n, &err) == -1 &&
	    err.code == ERR_UPSTREAM_UNAVAILABLE,
	    "an issuer that is no http(s) URL is refused");
	error_clear(&err);
}

/* ---------------------------------------------------------------- */
/* Protected resource metadata                                       */

static const char *const mcp = "https://mcp.example.com/mcp";

/*
 * Parse a PRM whose resource is resource (and otherwise valid) for
 * mcp_url.  Returns what mcpauth_prm_parse returns; err is cleared
 * first, the outputs freed.
 */
static int
prm_for(const char *resource, const char *mcp_url, struct error *err)
{
	char body[4096], *r, *a, *s;
	int rc;

	snprintf(body, sizeof(body), "{\"resource\": \"%s\","
	    " \"authorization_servers\": [\"https://auth.example.com\"]}",
	    resource);
	error_clear(err);
	rc = mcpauth_prm_parse(body, strlen(body), mcp_url, &r, &a, &s, err);
	free(r);
	free(a);
	free(s);
	return rc;
}

/*
 * Parse body as a PRM for mcp, the scopes into *scopes (the caller
 * frees them) unless scopes is NULL.  Returns what mcpauth_prm_parse
 * returns.
 */
static int
prm_body(const char *body, char **scopes, struct error *err)
{
	char *r = NULL, *a = NULL, *s = NULL;
	int rc;

	error_clear(err);
	rc = mcpauth_prm_parse(body, strlen(body), mcp, &r, &a, &s, err);
	free(r);
	free(a);
	if (scopes != NULL)
		*scopes = s;
	else
		free(s);
	return rc;
}

static void
test_prm_parse(void)
{
	struct error err = { 0 };
	char *r = (char *)"x", *a = (char *)"y", *s = (char *)"z";
	char body[4 * MCPAUTH_SCOPE_MAX], *p;
	const char *good = "{\"resource\": \"https://mcp.example.com/mcp\","
	    " \"authorization_servers\": [\"https://auth.example.com/t1\","
	    " \"https://other.example.com\"], \"scopes_supported\":"
	    " [\"mcp:tools\", \"read\"], \"bearer_methods_supported\":"
	    " [\"header\"]}";
	size_t i;

	is_int(0, mcpauth_prm_parse(good, strlen(good), mcp, &r, &a, &s,
	    &err), "valid protected resource metadata is read");
	is_string("https://mcp.example.com/mcp", r, "... its resource");
	is_string("https://auth.example.com/t1", a,
	    "... its first authorization server");
	is_string("mcp:tools read", s, "... and its scopes, joined by blanks");
	free(r);
	free(a);
	free(s);

	is_int(0, prm_for("https://mcp.example.com", mcp, &err),
	    "a resource of the whole host covers the MCP URL's path");
	is_int(0, prm_for("https://mcp.example.com/", mcp, &err),
	    "... also written with a slash");
	is_int(0, prm_for("HTTPS://MCP.EXAMPLE.COM:443/mcp", mcp, &err),
	    "scheme and host in any case and an explicit default port match");
	is_int(0, prm_for("https://mcp.example.com/mcp/", mcp, &err),
	    "a trailing slash of the resource's path does not count");
	is_int(0, prm_for("https://mcp.example.com/mcp",
	    "https://mcp.example.com/mcp/", &err),
	    "... nor one of the MCP URL's path");
	is_int(0, prm_for("https://mcp.example.com/mcp",
	    "https://mcp.example.com/mcp/sub?key=1", &err),
	    "a path under the resource's, with a query, is covered");
	is_int(0, prm_for("https://mcp.example.com/mcp?tenant=1", mcp, &err),
	    "the resource's query does not count");
	is_int(0, prm_for("http://127.0.0.1:8080/mcp",
	    "http://127.0.0.1:8080/mcp", &err), "http with a port matches");
	is_int(0, prm_for("https://[2001:DB8::1]/mcp", "https://[2001:db8::1]"
	    "/mcp", &err), "IPv6 literals match in any case");

	is_int(-1, prm_for("https://evil.example.com/mcp", mcp, &err),
	    "a resource on another host is refused");
	is_int(ERR_UPSTREAM_UNAVAILABLE, err.code,
	    "... as upstream_unavailable");
	ok(contains(err.message, "another resource") &&
	    contains(err.message, "RFC 9728 3.3"),
	    "... saying it is for another resource (RFC 9728 3.3)");
	ok(!contains(err.message, "evil"), "... without quoting it");
	is_int(-1, prm_for("https://a.mcp.example.com/mcp", mcp, &err),
	    "a resource on a subdomain is refused");
	is_int(-1, prm_for("https://mcp.example.com.evil.example/mcp", mcp,
	    &err), "a resource on a longer host name is refused");
	is_int(-1, prm_for("https://mcp.example.com:8443/mcp", mcp, &err),
	    "a resource on another port is refused");
	is_int(-1, prm_for("https://mcp.example.com:443/mcp",
	    "https://mcp.example.com:8443/mcp", &err),
	    "a resource on the default port for an MCP URL with another is"
	    " refused");
	is_int(-1, prm_for("http://mcp.example.com/mcp", mcp, &err),
	    "a resource with another scheme is refused");
	is_int(-1, prm_for("https://mcp.example.com/other", mcp, &err),
	    "a resource with another path is refused");
	is_int(-1, prm_for("https://mcp.example.com/mcp",
	    "https://mcp.example.com/mcpx", &err),
	    "\"/mcp\" does not cover \"/mcpx\"");
	is_int(-1, prm_for("https://mcp.example.com/mcp/sub", mcp, &err),
	    "a resource deeper than the MCP URL is refused");
	is_int(-1, prm_for("https://mcp.example.com/MCP", mcp, &err),
	    "paths are compared in their case");
	is_int(-1, prm_for("https://mcp.example.com/mcp#frag", mcp, &err),
	    "a resource with a fragment is refused");
	is_int(-1, prm_for("mcp.example.com/mcp", mcp, &err),
	    "a resource that is no URL is refused");
	is_int(-1, prm_for("https://mcp.example.com/x/../mcp", mcp, &err),
	    "a resource with a \"..\" segment is refused");
	is_int(-1, prm_for("https://mcp.example.com/mcp", "not a url", &err),
	    "an MCP URL that is no URL is refused");
	is_int(ERR_BAD_REQUEST, err.code, "... as bad_request");

	is_int(-1, prm_body("{\"authorization_servers\":"
	    " [\"https://a.example\"]}", NULL, &err),
	    "metadata without a resource is refused");
	ok(contains(err.message, "no resource"), "... saying so");
	is_int(-1, prm_body("{\"resource\": 7, \"authorization_servers\":"
	    " [\"https://a.example\"]}", NULL, &err),
	    "a resource that is not a string is refused");
	is_int(-1, prm_body("{\"resource\": \"https://mcp.example.com/mcp"
	    "\\u0000x\", \"authorization_servers\": [\"https://a.example\"]}",
	    NULL, &err), "a resource with a NUL byte is refused");
	is_int(-1, prm_body("[{\"resource\": \"https://mcp.example.com/mcp\"}]",
	    NULL, &err), "a JSON array is refused");
	ok(contains(err.message, "not a JSON object"), "... as no object");
	is_int(-1, prm_body("<html>SECRETVALUE</html>", NULL, &err),
	    "HTML is refused");
	ok(!contains(err.message, "SECRETVALUE"), "... without quoting it");
	is_int(-1, prm_body("{\"resource\": \"https://mcp.example.com/mcp\","
	    " \"authorization_servers\": [\"https://a.example\"]} x", NULL,
	    &err), "trailing bytes after the object are refused");
	is_int(-1, mcpauth_prm_parse(NULL, 0, mcp, &r, &a, &s, &err),
	    "an empty body is refused");
	ok(r == NULL && a == NULL && s == NULL, "... leaving every output NULL");

	p = body;
	p += sprintf(p, "{\"resource\": \"https://mcp.example.com/mcp\", "
	    "\"authorization_servers\": [\"https://a.example\"], \"x\": ");
	for (i = 0; i < MCPAUTH_JSON_DEPTH; i++)
		*p++ = '[';
	for (i = 0; i < MCPAUTH_JSON_DEPTH; i++)
		*p++ = ']';
	strcpy(p, "}");
	is_int(-1, prm_body(body, NULL, &err),
	    "metadata nested deeper than MCPAUTH_JSON_DEPTH is refused");

	is_int(-1, prm_body("{\"resource\": \"https://mcp.example.com/mcp\"}",
	    NULL, &err), "metadata without authorization_servers is refused");
	ok(contains(err.message, "no authorization server"), "... saying so");
	is_int(-1, prm_body("{\"resource\": \"https://mcp.example.com/mcp\","
	    " \"authorization_servers\": []}", NULL, &err),
	    "an empty authorization_servers is refused");
	is_int(-1, prm_body("{\"resource\": \"https://mcp.example.com/mcp\","
	    " \"authorization_servers\": \"https://a.example\"}", NULL, &err),
	    "an authorization_servers that is not an array is refused");
	is_int(-1, prm_body("{\"resource\": \"https://mcp.example.com/mcp\","
	    " \"authorization_servers\": [\"https://a.example\", 7]}", NULL,
	    &err), "an authorization server that is not a string is refused,"
	    " also after the first");
	is_int(-1, prm_body("{\"resource\": \"https://mcp.example.com/mcp\","
	    " \"authorization_servers\": [\"javascript:alert(1)\"]}", NULL,
	    &err), "an authorization server that is no http(s) URL is"
	    " refused");
	is_int(-1, prm_body("{\"resource\": \"https://mcp.example.com/mcp\","
	    " \"authorization_servers\": [\"https://a.example/?t=1\"]}", NULL,
	    &err), "an authorization server with a query is refused");

	s = (char *)"z";
	is_int(0, prm_body("{\"resource\": \"https://mcp.example.com/mcp\","
	    " \"authorization_servers\": [\"https://a.example\"]}", &s, &err),
	    "metadata without scopes_supported is read");
	ok(s == NULL, "... with no scopes");
	is_int(0, prm_body("{\"resource\": \"https://mcp.example.com/mcp\","
	    " \"authorization_servers\": [\"https://a.example\"],"
	    " \"scopes_supported\": []}", &s, &err),
	    "an empty scopes_supported is read");
	ok(s == NULL, "... as no scopes");
	is_int(-1, prm_body("{\"resource\": \"https://mcp.example.com/mcp\","
	    " \"authorization_servers\": [\"https://a.example\"],"
	    " \"scopes_supported\": \"a b\"}", &s, &err),
	    "a scopes_supported that is not an array is refused");
	is_int(-1, prm_body("{\"resource\": \"https://mcp.example.com/mcp\","
	    " \"authorization_servers\": [\"https://a.example\"],"
	    " \"scopes_supported\": [\"a b\"]}", &s, &err),
	    "a scope with a blank is refused");
	ok(contains(err.message, "scope token"), "... as no scope token");
	is_int(-1, prm_body("{\"resource\": \"https://mcp.example.com/mcp\","
	    " \"authorization_servers\": [\"https://a.example\"],"
	    " \"scopes_supported\": [\"\"]}", &s, &err),
	    "an empty scope is refused");
	is_int(-1, prm_body("{\"resource\": \"https://mcp.example.com/mcp\","
	    " \"authorization_servers\": [\"https://a.example\"],"
	    " \"scopes_supported\": [\"a\\\"b\"]}", &s, &err),
	    "a scope with a quote is refused");
	is_int(-1, prm_body("{\"resource\": \"https://mcp.example.com/mcp\","
	    " \"authorization_servers\": [\"https://a.example\"],"
	    " \"scopes_supported\": [1]}", &s, &err),
	    "a scope that is not a string is refused");

	/* 102 scopes of 9 bytes and their blanks: 1019 bytes. */
	p = body;
	p += sprintf(p, "{\"resource\": \"https://mcp.example.com/mcp\", "
	    "\"authorization_servers\": [\"https://a.example\"], "
	    "\"scopes_supported\": [");
	for (i = 0; i < 102; i++)
		p += sprintf(p, "%s\"scope%04zu\"", i > 0 ? ", " : "", i);
	strcpy(p, ", \"abcd\"]}");
	is_int(0, prm_body(body, &s, &err),
	    "scopes of just MCPAUTH_SCOPE_MAX bytes are read");
	is_int(MCPAUTH_SCOPE_MAX, s != NULL ? (long long)strlen(s) : -1,
	    "... all of them");
	free(s);
	s = NULL;
	strcpy(p, ", \"abcde\"]}");
	is_int(-1, prm_body(body, &s, &err),
	    "one byte more is refused");
	ok(contains(err.message, "more scopes"), "... saying so");
	error_clear(&err);
}

/* ---------------------------------------------------------------- */
/* Authorization server metadata                                     */

static const char *const issuer = "https://auth.example.com/t1";

/*
 * An AS metadata document with the issuer and one member replaced:
 * members is spliced in after the issuer and must begin with ", " when
 * not empty.  Valid when issuer_text is the issuer and members is
 * the default list.
 */
static int
as_doc(const char *issuer_text, const char *members,
    struct mcpauth_server *out, struct error *err)
{
	char body[4096];

	snprintf(body, sizeof(body), "{\"issuer\": \"%s\"%s}", issuer_text,
	    members);
	error_clear(err);
	return mcpauth_as_parse(body, strlen(body), issuer, out, err);
}

#define ENDPOINTS \
	", \"authorization_endpoint\": \"https://auth.example.com/authorize\"," \
	" \"token_endpoint\": \"https://auth.example.com/token\""
#define PKCE ", \"code_challenge_methods_supported\": [\"plain\", \"S256\"]"

static void
test_as_parse(void)
{
	struct mcpauth_server s = { 0 };
	struct error err = { 0 };

	s.resource = strdup("https://mcp.example.com/mcp");
	s.scope = strdup("mcp:tools");
	if (s.resource == NULL || s.scope == NULL)
		bail("out of memory");
	is_int(0, as_doc(issuer, ENDPOINTS PKCE ", \"registration_endpoint\":"
	    " \"https://auth.example.com/register?x=1\","
	    " \"response_types_supported\": [\"code\", \"token\"],"
	    " \"grant_types_supported\": [\"authorization_code\"]", &s, &err),
	    "valid authorization server metadata is read");
	is_string(issuer, s.issuer, "... its issuer");
	is_string("https://auth.example.com/authorize",
	    s.authorization_endpoint, "... its authorization endpoint");
	is_string("https://auth.example.com/token", s.token_endpoint,
	    "... its token endpoint");
	is_string("https://auth.example.com/register?x=1",
	    s.registration_endpoint, "... and its registration endpoint");
	is_string("https://mcp.example.com/mcp", s.resource,
	    "the resource is left as it was");
	is_string("mcp:tools", s.scope, "... and so is the scope");

	is_int(0, as_doc(issuer, ENDPOINTS PKCE ", \"registration_endpoint\":"
	    " null", &s, &err), "metadata read again, without registration");
	ok(s.registration_endpoint == NULL,
	    "... has no registration endpoint (the old one freed)");
	is_int(0, as_doc("https://auth.example.com/t1/", ENDPOINTS PKCE, &s,
	    &err), "an issuer with one trailing slash more matches");
	is_string("https://auth.example.com/t1/", s.issuer,
	    "... and is kept as the metadata spells it");
	error_clear(&err);
	ok(mcpauth_as_parse("{\"issuer\": \"https://auth.example.com/t1\""
	    ENDPOINTS PKCE "}", strlen("{\"issuer\": \"https://auth.example"
	    ".com/t1\"" ENDPOINTS PKCE "}"), "https://auth.example.com/t1/", &s,
	    &err) == 0, "... and one slash less too");

	is_int(-1, as_doc("https://evil.example.com/t1", ENDPOINTS PKCE, &s,
	    &err), "another issuer is refused");
	is_int(ERR_UPSTREAM_UNAVAILABLE, err.code, "... as upstream_unavailable");
	ok(contains(err.message, "another issuer") &&
	    contains(err.message, "RFC 8414 3.3"),
	    "... saying so (RFC 8414 3.3)");
	ok(s.issuer == NULL && s.token_endpoint == NULL,
	    "... leaving issuer and endpoints NULL");
	ok(s.resource != NULL && s.scope != NULL,
	    "... and resource and scope alone");
	is_int(-1, as_doc("https://auth.example.com/t1//", ENDPOINTS PKCE, &s,
	    &err), "two trailing slashes more are refused");
	is_int(-1, as_doc("https://auth.example.com", ENDPOINTS PKCE, &s,
	    &err), "the issuer's host alone is refused");
	is_int(-1, as_doc("https://AUTH.example.com/t1", ENDPOINTS PKCE, &s,
	    &err), "an issuer in another case is refused (exact match)");
	is_int(-1, as_doc("https://auth.example.com/t1/x", ENDPOINTS PKCE, &s,
	    &err), "an issuer with more path is refused");
	error_clear(&err);
	ok(mcpauth_as_parse("{\"issuer\": 1" ENDPOINTS PKCE "}",
	    strlen("{\"issuer\": 1" ENDPOINTS PKCE "}"), issuer, &s,
	    &err) == -1, "an issuer that is not a string is refused");

	is_int(-1, as_doc(issuer, ENDPOINTS ", \"code_challenge_methods"
	    "_supported\": [\"plain\"]", &s, &err),
	    "metadata without S256 is refused");
	ok(contains(err.message, "PKCE with S256"), "... saying PKCE with S256"
	    " is missing");
	is_int(-1, as_doc(issuer, ENDPOINTS, &s, &err),
	    "metadata without code_challenge_methods_supported is refused");
	ok(contains(err.message, "PKCE with S256"), "... the same way");
	is_int(-1, as_doc(issuer, ENDPOINTS ", \"code_challenge_methods"
	    "_supported\": \"S256\"", &s, &err),
	    "a code_challenge_methods_supported that is not an array is"
	    " refused");
	is_int(-1, as_doc(issuer, ENDPOINTS ", \"code_challenge_methods"
	    "_supported\": [\"s256\"]", &s, &err),
	    "S256 in another case is not S256");

	is_int(-1, as_doc(issuer, ENDPOINTS PKCE ", \"response_types"
	    "_supported\": [\"token\"]", &s, &err),
	    "metadata whose response types lack code is refused");
	ok(contains(err.message, "authorization code flow"), "... saying so");
	is_int(-1, as_doc(issuer, ENDPOINTS PKCE ", \"response_types"
	    "_supported\": \"code\"", &s, &err),
	    "a response_types_supported that is not an array is refused");

	is_int(-1, as_doc(issuer, ", \"token_endpoint\": \"https://a.example"
	    "/token\"" PKCE, &s, &err),
	    "metadata without an authorization endpoint is refused");
	ok(contains(err.message, "authorization_endpoint"), "... naming it");
	is_int(-1, as_doc(issuer, ", \"authorization_endpoint\":"
	    " \"javascript:alert(1)\", \"token_endpoint\": \"https://a.example"
	    "/token\"" PKCE, &s, &err),
	    "an authorization endpoint that is no http(s) URL is refused");
	is_int(-1, as_doc(issuer, ", \"authorization_endpoint\":"
	    " \"https://a.example/authorize#x\", \"token_endpoint\":"
	    " \"https://a.example/token\"" PKCE, &s, &err),
	    "an authorization endpoint with a fragment is refused");
	is_int(-1, as_doc(issuer, ", \"authorization_endpoint\":"
	    " \"https://a.example/authorize\"" PKCE, &s, &err),
	    "metadata without a token endpoint is refused");
	ok(contains(err.message, "token_endpoint"), "... naming it");
	is_int(-1, as_doc(issuer, ENDPOINTS PKCE ", \"registration_endpoint\":"
	    " \"ftp://a.example/register\"", &s, &err),
	    "a registration endpoint that is no http(s) URL is refused");
	is_int(-1, as_doc(issuer, ENDPOINTS PKCE ", \"registration_endpoint\":"
	    " 5", &s, &err), "a registration endpoint that is not a string is"
	    " refused");
	error_clear(&err);
	ok(mcpauth_as_parse("not json SECRETVALUE", 20, issuer, &s,
	    &err) == -1 && contains(err.message, "not a JSON object") &&
	    !contains(err.message, "SECRETVALUE"),
	    "a body that is not JSON is refused without being quoted");
	error_clear(&err);
	mcpauth_server_free(&s);
	ok(s.resource == NULL && s.scope == NULL && s.issuer == NULL,
	    "freeing a server zeroes it");
	mcpauth_server_free(&s);
	mcpauth_server_free(NULL);
	ok(true, "freeing a zeroed server or NULL is harmless");
}

/* ---------------------------------------------------------------- */
/* Registration                                                      */

static void
test_registration_body(void)
{
	struct error err = { 0 };
	json_object *seen;
	char *body = (char *)"x";

	is_int(0, mcpauth_registration_body("https://drio.example.com/api/v1"
	    "/connectors/oauth/callback", "drio \"test\"", "mcp:tools read",
	    &body, &err), "a registration request is built");
	seen = json_tokener_parse(body);
	is_json("{\"client_name\": \"drio \\\"test\\\"\", \"redirect_uris\":"
	    " [\"https://drio.example.com/api/v1/connectors/oauth/callback\"],"
	    " \"grant_types\": [\"authorization_code\", \"refresh_token\"],"
	    " \"response_types\": [\"code\"],"
	    " \"token_endpoint_auth_method\": \"none\","
	    " \"scope\": \"mcp:tools read\"}", seen,
	    "it asks for a public client of the code flow (RFC 7591 2)");
	ok(!contains(body, "\\/"), "slashes are not escaped");
	json_object_put(seen);
	free(body);

	is_int(0, mcpauth_registration_body("https://d.example/cb", "drio",
	    NULL, &body, &err), "a request without scope is built");
	seen = json_tokener_parse(body);
	ok(seen != NULL && !json_object_object_get_ex(seen, "scope", NULL),
	    "... and names no scope");
	json_object_put(seen);
	free(body);

	ok(mcpauth_registration_body(NULL, "drio", NULL, &body, &err) == -1 &&
	    body == NULL && err.code == ERR_INTERNAL,
	    "a request without a redirect URI is a bug, refused");
	error_clear(&err);
}

/* Parse a registration answer; err is cleared first. */
static int
registration(long status, const char *body, struct mcpauth_client *c,
    struct error *err)
{
	error_clear(err);
	return mcpauth_registration_parse(status, body,
	    body != NULL ? strlen(body) : 0, c, err);
}

static void
test_registration_parse(void)
{
	struct mcpauth_client c = { 0 };
	struct error err = { 0 };
	char body[8192], longtext[1000];

	is_int(0, registration(201, "{\"client_id\": \"c-123\","
	    " \"client_id_issued_at\": 1700000000, \"redirect_uris\":"
	    " [\"https://d.example/cb\"], \"token_endpoint_auth_method\":"
	    " \"none\"}", &c, &err), "a 201 with a client_id is a client");
	is_string("c-123", c.client_id, "... its client_id is taken");
	ok(c.client_secret == NULL, "... without a secret it is public");
	mcpauth_client_free(&c);

	is_int(0, registration(200, "{\"client_id\": \"c 1\","
	    " \"client_secret\": \"s3cret\", \"client_secret_expires_at\": 0}",
	    &c, &err), "a 200 with a client_id and a secret is a client");
	is_string("c 1", c.client_id, "... a blank in the client_id is fine");
	is_string("s3cret", c.client_secret, "... its secret is taken");
	mcpauth_client_free(&c);
	ok(c.client_id == NULL && c.client_secret == NULL,
	    "freeing a client zeroes it");

	is_int(0, registration(201, "{\"client_id\": \"c\", \"client_secret\":"
	    " \"\"}", &c, &err), "an empty client_secret");
	ok(c.client_secret == NULL, "... is a public client");
	mcpauth_client_free(&c);
	is_int(0, registration(201, "{\"client_id\": \"c\", \"client_secret\":"
	    " null}", &c, &err), "a null client_secret");
	ok(c.client_secret == NULL, "... is a public client");
	mcpauth_client_free(&c);

	is_int(-1, registration(201, "{\"client_name\": \"x\"}", &c, &err),
	    "a 201 without a client_id is refused");
	is_int(ERR_UPSTREAM_UNAVAILABLE, err.code,
	    "... as upstream_unavailable");
	ok(contains(err.message, "status 201"), "... naming the status");
	is_int(-1, registration(201, "{\"client_id\": \"\"}", &c, &err),
	    "an empty client_id is refused");
	is_int(-1, registration(201, "{\"client_id\": 42}", &c, &err),
	    "a client_id that is not a string is refused");
	is_int(-1, registration(201, "{\"client_id\": \"a\\nb\"}", &c, &err),
	    "a client_id with a control character is refused");
	is_int(-1, registration(201, "{\"client_id\": \"caf\\u00e9\"}", &c,
	    &err), "a client_id with non-ASCII is refused");
	is_int(-1, registration(201, "{\"client_id\": \"c\", \"client_secret\":"
	    " 5}", &c, &err), "a client_secret that is not a string is"
	    " refused");
	is_int(-1, registration(201, "{\"client_id\": \"c\", \"client_secret\":"
	    " \"a\\tb\"}", &c, &err),
	    "a client_secret with a control character is refused");
	ok(c.client_id == NULL, "... leaving the client zeroed");
	memset(longtext, 'x', sizeof(longtext) - 1);
	longtext[sizeof(longtext) - 1] = '\0';
	snprintf(body, sizeof(body), "{\"client_id\": \"%s%s\"}", longtext,
	    longtext);
	is_int(-1, registration(201, body, &c, &err),
	    "a client_id over MCPAUTH_CLIENT_ID_MAX bytes is refused");
	is_int(-1, registration(302, "{\"client_id\": \"c\"}", &c, &err),
	    "a client_id with a status other than 200 or 201 is refused");
	is_int(-1, registration(500, "{}", &c, &err), "a 500 is refused");
	ok(contains(err.message, "status 500"), "... naming the status");
	is_int(-1, registration(400, "Bad Request SECRETVALUE", &c, &err),
	    "a body that is not JSON is refused");
	ok(contains(err.message, "status 400") &&
	    !contains(err.message, "SECRETVALUE"),
	    "... naming the status, not quoting the body");
	is_int(-1, registration(201, NULL, &c, &err), "no body is refused");

	is_int(-1, registration(400, "{\"error\": \"invalid_redirect_uri\","
	    " \"error_description\": \"redirect\\n\\tnot\\u0007allowed"
	    " \\u00e9 \"}", &c, &err), "an RFC 7591 error answer is an error");
	is_int(ERR_UPSTREAM_UNAVAILABLE, err.code,
	    "... as upstream_unavailable");
	ok(contains(err.message, "invalid_redirect_uri (redirect not allowed)"),
	    "... naming the error and its sanitised description");
	is_int(-1, registration(400, "{\"error\": \"invalid_client_metadata\"}",
	    &c, &err), "an error answer without a description is an error");
	ok(contains(err.message, ": invalid_client_metadata."),
	    "... naming the error alone");
	is_int(-1, registration(201, "{\"client_id\": \"c\", \"error\":"
	    " \"invalid_client_metadata\"}", &c, &err),
	    "an answer with a client_id and an error is an error");
	ok(c.client_id == NULL, "... and no client is kept");
	snprintf(body, sizeof(body), "{\"error\": \"e\", \"error_description\":"
	    " \"%s\"}", longtext);
	is_int(-1, registration(400, body, &c, &err),
	    "an error with a long description");
	ok(contains(err.message, "xxxxxxxxxx") &&
	    !contains(err.message, longtext + sizeof(longtext) - 2 -
	    OAUTHCLIENT_DESCRIPTION_MAX), "... is cut to"
	    " OAUTHCLIENT_DESCRIPTION_MAX characters");
	is_int(-1, registration(400, "{\"error\": [\"x\"]}", &c, &err),
	    "an error member that is not a string is malformed");
	ok(contains(err.message, "status 400"), "... naming the status");

	error_clear(&err);
	mcpauth_client_free(&c);
	mcpauth_client_free(NULL);
	ok(true, "freeing a zeroed client or NULL is harmless");
}

int
main(void)
{
	plan(48 + 38 + 8 + 64 + 42 + 6 + 40);
	test_challenge();
	test_prm_urls();
	test_as_urls();
	test_prm_parse();
	test_as_parse();
	test_registration_body();
	test_registration_parse();
	return 0;
}

/*
 * install-t.c: tests for the pure parts of lib/install.c.  Checks the
 * promises of install.h: the PKCE S256 challenge matches RFC 7636's
 * example, the vault additional data names the row in lower case with
 * the agreed prefixes, and the authorization URL carries every member,
 * percent-encoded, joined with the manifest's scope separator, with the
 * PKCE members only when the manifest takes PKCE, and appended properly
 * to an authorize URL that already has a query.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdlib.h>
#include <string.h>

#include "install.h"
#include "t/tap/basic.h"

#define WS "1D7E7C5A-0B0A-4C36-9C1E-5D2B9F3A4E10"
#define ID "A0B1C2D3-E4F5-4A6B-8C7D-9E0F1A2B3C4D"

/* Parse text or bail. */
static json_object *
parse(const char *text)
{
	json_object *doc = json_tokener_parse(text);

	if (doc == NULL)
		bail("test JSON does not parse: %.80s", text);
	return doc;
}

static void
test_pkce(void)
{
	char challenge[44];

	install_pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
	    challenge);
	is_string("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", challenge,
	    "the S256 challenge is RFC 7636 appendix B's");
}

static void
test_aad(void)
{
	char aad[INSTALL_AAD_MAX];

	install_secret_aad(WS, ID, aad);
	is_string("workspace_integrations.secret:"
	    "1d7e7c5a-0b0a-4c36-9c1e-5d2b9f3a4e10:"
	    "a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d", aad,
	    "the secret's aad is its table, workspace and id, lower case");
	install_verifier_aad(WS, ID, aad);
	is_string("integration_oauth_states.code_verifier:"
	    "1d7e7c5a-0b0a-4c36-9c1e-5d2b9f3a4e10:"
	    "a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d", aad,
	    "a verifier's aad has its own prefix and the same row");
}

static void
test_oauth_url(void)
{
	struct error err = { 0 };
	json_object *manifest;
	char *url = NULL;
	int rc;

	manifest = parse("{\"oauth\": {"
	    "\"authorize_url\": \"https://slack.com/oauth/v2/authorize\","
	    "\"token_url\": \"https://slack.com/api/oauth.v2.access\","
	    "\"scopes\": [\"channels:read\", \"chat:write\"],"
	    "\"scope_separator\": \",\", \"pkce\": false}}");
	rc = install_oauth_url(manifest, "123.456",
	    "https://drio.example/api/v1/connectors/oauth/callback",
	    "st-ate_1", "CHALLENGE", &url, &err);
	is_int(0, rc, "a byo_oauth manifest makes an authorization URL");
	is_string("https://slack.com/oauth/v2/authorize?response_type=code"
	    "&client_id=123.456"
	    "&redirect_uri=https%3A%2F%2Fdrio.example%2Fapi%2Fv1%2Fconnectors"
	    "%2Foauth%2Fcallback"
	    "&scope=channels%3Aread%2Cchat%3Awrite&state=st-ate_1", url,
	    "scopes are joined by the manifest's separator, everything"
	    " encoded, no PKCE members when pkce is false");
	free(url);
	json_object_put(manifest);

	manifest = parse("{\"oauth\": {"
	    "\"authorize_url\": \"https://id.example/auth?tenant=a b\","
	    "\"token_url\": \"https://id.example/token\","
	    "\"scopes\": [\"read\", \"write\"], \"pkce\": true}}");
	rc = install_oauth_url(manifest, "my client&x=1", "http://r/",
	    "s", "ch", &url, &err);
	is_int(0, rc, "a PKCE manifest makes an authorization URL");
	is_string("https://id.example/auth?tenant=a b&response_type=code"
	    "&client_id=my%20client%26x%3D1&redirect_uri=http%3A%2F%2Fr%2F"
	    "&scope=read%20write&state=s&code_challenge=ch"
	    "&code_challenge_method=S256", url,
	    "an existing query is extended with &, the default separator is"
	    " a blank, a client id cannot add a parameter, PKCE is S256");
	free(url);
	json_object_put(manifest);

	manifest = parse("{\"oauth\": {"
	    "\"authorize_url\": \"https://id.example/auth?\","
	    "\"scopes\": [], \"pkce\": false}}");
	rc = install_oauth_url(manifest, "c", "r", "s", "ch", &url, &err);
	is_string("https://id.example/auth?response_type=code&client_id=c"
	    "&redirect_uri=r&scope=&state=s", url,
	    "a trailing ? takes the first parameter without another one");
	free(url);
	json_object_put(manifest);

	manifest = parse("{\"auth_mode\": \"pat\"}");
	url = (char *)"untouched";
	rc = install_oauth_url(manifest, "c", "r", "s", "ch", &url, &err);
	is_int(-1, rc, "a manifest without an oauth block has no URL");
	is_int(ERR_INTERNAL, err.code, "... and that is a bug, not input");
	ok(url == NULL, "... and no URL is handed out");
	error_clear(&err);
	json_object_put(manifest);
}

static void
test_authorize_url(void)
{
	struct install_authorize a = {
		.authorize_url = "http://127.0.0.1:9/authorize",
		.client_id = "c-1",
		.redirect_uri = "https://drio.example/cb",
		.state = "st",
		.code_challenge = "CH",
		.resource = "http://127.0.0.1:9/mcp",
	};
	struct error err = { 0 };
	char *url = NULL;

	is_int(0, install_authorize_url(&a, &url, &err),
	    "an mcp_oauth authorization URL is built");
	is_string("http://127.0.0.1:9/authorize?response_type=code"
	    "&client_id=c-1&redirect_uri=https%3A%2F%2Fdrio.example%2Fcb"
	    "&state=st&code_challenge=CH&code_challenge_method=S256"
	    "&resource=http%3A%2F%2F127.0.0.1%3A9%2Fmcp", url,
	    "no scope parameter without a scope; the resource is named"
	    " (RFC 8707) and encoded");
	free(url);
	a.scope = "mcp:tools read";
	a.resource = NULL;
	a.code_challenge = NULL;
	is_int(0, install_authorize_url(&a, &url, &err),
	    "... and one with a scope");
	ok(url != NULL && strstr(url, "&scope=mcp%3Atools%20read&state=st")
	    != NULL && strstr(url, "resource") == NULL &&
	    strstr(url, "code_challenge") == NULL,
	    "the scope is encoded, no resource or PKCE when not given");
	free(url);
	a.authorize_url = "";
	url = (char *)"untouched";
	is_int(-1, install_authorize_url(&a, &url, &err),
	    "an empty endpoint makes no URL");
	ok(url == NULL && err.code == ERR_INTERNAL, "... a bug, not input");
	error_clear(&err);
}

int
main(void)
{
	plan(17);
	test_pkce();
	test_aad();
	test_oauth_url();
	test_authorize_url();
	return 0;
}

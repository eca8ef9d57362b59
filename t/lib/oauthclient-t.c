/*
 * oauthclient-t.c: tests for the pure parts of drio's OAuth 2 client
 * (oauthclient.h): the token requests it builds (form encoding, PKCE
 * verifier, HTTP Basic client authentication per RFC 6749 2.3.1) and how
 * it reads token endpoint answers: successes (RFC 6749 5.1) with and
 * without their optional members, error answers (RFC 6749 5.2, also at
 * status 200 as Slack sends them) mapped to drio's codes with the
 * provider's description sanitised and secrets redacted, and malformed
 * answers refused without quoting them.
 *
 * The callback's state handling, the exchange over the network and the
 * stored tokens are tested end to end in t/52-api-v1-oauth-callback.t.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oauthclient.h"
#include "t/tap/basic.h"

static const struct oauthclient_client confidential = {
	.token_url = "https://auth.example.com/token",
	.client_id = "client-1",
	.client_secret = "sekret",
};

/* Parse body as a token answer with status; err is cleared first. */
static int
parse(long status, const char *body, const char *const *secrets,
    struct oauthclient_tokens *tokens, struct error *err)
{
	error_clear(err);
	return oauthclient_token_parse(status, body,
	    body != NULL ? strlen(body) : 0, secrets, tokens, err);
}

/* Does s contain needle? */
static bool
contains(const char *s, const char *needle)
{
	return s != NULL && strstr(s, needle) != NULL;
}

static void
test_requests(void)
{
	struct oauthclient_client odd = {
		.token_url = "https://auth.example.com/token",
		.client_id = "my id",
		.client_secret = "s:e/c+",
	};
	struct oauthclient_client public_client = {
		.token_url = "https://auth.example.com/token",
		.client_id = "client-1",
	};
	struct oauthclient_request r;
	struct error err = { 0 };

	ok(oauthclient_code_request(&confidential, "c/o de",
	    "https://drio.example.com/api/v1/connectors/oauth/callback",
	    "v3rifier~._-", &r, &err) == 0, "a code request is built");
	is_string("grant_type=authorization_code&code=c%2Fo%20de"
	    "&redirect_uri=https%3A%2F%2Fdrio.example.com%2Fapi%2Fv1"
	    "%2Fconnectors%2Foauth%2Fcallback&client_id=client-1"
	    "&code_verifier=v3rifier~._-", r.body,
	    "the code request's form is encoded and names the verifier");
	is_int((long long)strlen(r.body), (long long)r.body_len,
	    "body_len is the body's length");
	is_string("Authorization: Basic Y2xpZW50LTE6c2VrcmV0", r.headers[0],
	    "the client authenticates with HTTP Basic");
	is_string("Content-Type: application/x-www-form-urlencoded",
	    r.headers[1], "the body is declared form-encoded");
	is_string("Accept: application/json", r.headers[2],
	    "the answer is asked for as JSON");
	ok(r.headers[3] == NULL, "the header list ends there");
	ok(!contains(r.body, "sekret"), "the client secret is not in the form");
	oauthclient_request_free(&r);
	ok(r.body == NULL && r.authorization == NULL,
	    "freeing a request zeroes it");

	ok(oauthclient_code_request(&confidential, "abc", "https://x/cb",
	    NULL, &r, &err) == 0, "a code request without PKCE is built");
	ok(!contains(r.body, "code_verifier"),
	    "without a verifier none is sent");
	oauthclient_request_free(&r);

	ok(oauthclient_code_request(&odd, "abc", "https://x/cb", NULL, &r,
	    &err) == 0, "a request for an odd client id is built");
	is_string("Authorization: Basic bXklMjBpZDpzJTNBZSUyRmMlMkI=",
	    r.headers[0], "Basic credentials are form-encoded before base64"
	    " (RFC 6749 2.3.1)");
	oauthclient_request_free(&r);

	ok(oauthclient_code_request(&public_client, "abc", "https://x/cb",
	    "v", &r, &err) == 0, "a public client's request is built");
	is_string("Content-Type: application/x-www-form-urlencoded",
	    r.headers[0], "a public client sends no Authorization header");
	oauthclient_request_free(&r);

	ok(oauthclient_refresh_request(&confidential, "rt/1+2", &r,
	    &err) == 0, "a refresh request is built");
	is_string("grant_type=refresh_token&refresh_token=rt%2F1%2B2"
	    "&client_id=client-1", r.body,
	    "the refresh request's form names the refresh token");
	is_string("Authorization: Basic Y2xpZW50LTE6c2VrcmV0", r.headers[0],
	    "the refresh request authenticates the client too");
	oauthclient_request_free(&r);
	oauthclient_request_free(&r);
	ok(1, "freeing a zeroed request is harmless");

	public_client.resource = "http://127.0.0.1:9/mcp";
	ok(oauthclient_code_request(&public_client, "abc", "https://x/cb",
	    "v", &r, &err) == 0, "an mcp_oauth code request is built");
	ok(contains(r.body, "&code_verifier=v&resource=http%3A%2F%2F127.0.0.1"
	    "%3A9%2Fmcp"), "it names its resource (RFC 8707), encoded");
	oauthclient_request_free(&r);
	ok(oauthclient_refresh_request(&public_client, "rt", &r, &err) == 0,
	    "an mcp_oauth refresh request is built");
	is_string("grant_type=refresh_token&refresh_token=rt"
	    "&client_id=client-1&resource=http%3A%2F%2F127.0.0.1%3A9%2Fmcp",
	    r.body, "the refresh names the resource too");
	oauthclient_request_free(&r);
	error_clear(&err);
}

static void
test_success(void)
{
	struct oauthclient_tokens t;
	struct error err = { 0 };

	ok(parse(200, "{\"access_token\": \"at-1\", \"token_type\":"
	    " \"Bearer\", \"expires_in\": 3600, \"refresh_token\": \"rt-1\","
	    " \"scope\": \"read write\", \"extra\": [1]}", NULL, &t,
	    &err) == 0, "a full token answer is read");
	is_string("at-1", t.access_token, "... its access_token");
	is_string("Bearer", t.token_type, "... its token_type");
	is_string("rt-1", t.refresh_token, "... its refresh_token");
	is_string("read write", t.scope, "... its scope");
	is_int(3600, t.expires_in, "... its expires_in");
	oauthclient_tokens_free(&t);
	ok(t.access_token == NULL && t.expires_in == -1,
	    "freeing tokens zeroes them");

	ok(parse(200, "{\"access_token\": \"at-2\"}", NULL, &t, &err) == 0,
	    "an answer with only an access_token is read");
	ok(t.token_type == NULL && t.refresh_token == NULL &&
	    t.scope == NULL, "absent optional members are NULL");
	is_int(-1, t.expires_in, "an absent expires_in is -1");
	oauthclient_tokens_free(&t);

	ok(parse(200, "{\"access_token\": \"at-3\", \"expires_in\": \"7200\","
	    " \"refresh_token\": null, \"ok\": true, \"token_type\": \"bot\"}",
	    NULL, &t, &err) == 0,
	    "expires_in as a string of digits and a null member are taken");
	is_int(7200, t.expires_in, "... the string is read as seconds");
	ok(t.refresh_token == NULL, "... a null refresh_token is none");
	is_string("bot", t.token_type, "... any token_type is kept");
	oauthclient_tokens_free(&t);

	ok(parse(200, "{\"access_token\": \"at-4\", \"expires_in\": 0}", NULL,
	    &t, &err) == 0, "expires_in 0 is taken");
	is_int(0, t.expires_in, "... as 0");
	oauthclient_tokens_free(&t);
	error_clear(&err);
}

/* A malformed answer: ERR_UPSTREAM_UNAVAILABLE naming only the status. */
static void
is_malformed(long status, const char *body, const char *what)
{
	struct oauthclient_tokens t;
	struct error err = { 0 };
	char expected[64];

	ok(parse(status, body, NULL, &t, &err) == -1, "%s is refused", what);
	is_int(ERR_UPSTREAM_UNAVAILABLE, err.code,
	    "... as upstream_unavailable");
	snprintf(expected, sizeof(expected), "answered status %ld", status);
	ok(contains(err.message, expected), "... naming the status");
	ok(t.access_token == NULL, "... with nothing kept");
	error_clear(&err);
}

static void
test_malformed(void)
{
	struct oauthclient_tokens t;
	struct error err = { 0 };

	is_malformed(200, "not json at-secret-1", "a body that is not JSON");
	ok(parse(200, "not json at-secret-1", NULL, &t, &err) == -1 &&
	    !contains(err.message, "at-secret-1"),
	    "a malformed answer is never quoted");
	error_clear(&err);
	is_malformed(200, NULL, "an empty body");
	is_malformed(200, "[\"access_token\"]", "a JSON array");
	is_malformed(200, "{\"token_type\": \"Bearer\"}",
	    "an answer without access_token");
	is_malformed(200, "{\"access_token\": \"\"}", "an empty access_token");
	is_malformed(200, "{\"access_token\": 42}",
	    "an access_token that is not a string");
	is_malformed(200, "{\"access_token\": \"a b\"}",
	    "an access_token with a blank");
	is_malformed(200, "{\"access_token\": \"a\\r\\nX-Evil: 1\"}",
	    "an access_token with CR LF");
	is_malformed(201, "{\"access_token\": \"at\"}",
	    "a token under another status than 200");
	is_malformed(500, "<html>oops</html>", "a server error page");
	is_malformed(200, "{\"access_token\": \"at\", \"expires_in\": -5}",
	    "a negative expires_in");
	is_malformed(200, "{\"access_token\": \"at\", \"expires_in\": 36.5}",
	    "a fractional expires_in");
	is_malformed(200, "{\"access_token\": \"at\", \"expires_in\": \"1h\"}",
	    "an expires_in string that is not digits");
	is_malformed(200, "{\"access_token\": \"at\","
	    " \"expires_in\": 999999999999}", "an expires_in over ten years");
	is_malformed(200, "{\"access_token\": \"at\", \"refresh_token\": 7}",
	    "a refresh_token that is not a string");
	is_malformed(200, "{\"access_token\": \"at\", \"refresh_token\":"
	    " \"r t\"}", "a refresh_token with a blank");
	is_malformed(200, "{\"access_token\": \"at\", \"scope\": [\"a\"]}",
	    "a scope that is not a string");
	is_malformed(200, "{\"access_token\": \"at\", \"token_type\": true}",
	    "a token_type that is not a string");
	is_malformed(200, "{\"access_token\": \"at\"} trailing",
	    "JSON followed by more text");
}

static void
test_errors(void)
{
	static const struct {
		const char *name;
		enum error_code code;
	} rfc[] = {
		{ "invalid_request", ERR_OAUTH_INVALID_REQUEST },
		{ "invalid_client", ERR_OAUTH_INVALID_CLIENT },
		{ "invalid_grant", ERR_OAUTH_INVALID_GRANT },
		{ "unauthorized_client", ERR_OAUTH_UNAUTHORIZED_CLIENT },
		{ "unsupported_grant_type", ERR_OAUTH_UNSUPPORTED_GRANT_TYPE },
		{ "invalid_scope", ERR_OAUTH_INVALID_SCOPE },
	};
	const char *secrets[] = { "the-code-123", "sekret", NULL };
	struct oauthclient_tokens t;
	struct error err = { 0 };
	char body[2048], longtext[600];
	size_t i;

	for (i = 0; i < sizeof(rfc) / sizeof(rfc[0]); i++) {
		snprintf(body, sizeof(body), "{\"error\": \"%s\"}", rfc[i].name);
		ok(parse(400, body, NULL, &t, &err) == -1 &&
		    err.code == rfc[i].code,
		    "RFC 6749 error %s has its own code", rfc[i].name);
		ok(contains(err.message, rfc[i].name), "... and is named");
	}
	ok(parse(400, "{\"error\": \"invalid_grant\", \"error_description\":"
	    " \"Code expired\"}", NULL, &t, &err) == -1,
	    "an error with a description is refused");
	is_string("The provider refused the token request: invalid_grant"
	    " (Code expired).", err.message,
	    "the message names the error and its description");
	ok(t.access_token == NULL, "... and nothing is kept");

	ok(parse(200, "{\"ok\": false, \"error\": \"invalid_code\"}", NULL,
	    &t, &err) == -1, "an error answered with status 200 is an error");
	is_int(ERR_UPSTREAM_UNAVAILABLE, err.code,
	    "an error string outside RFC 6749 is upstream_unavailable");
	ok(contains(err.message, "invalid_code"), "... and is named");

	ok(parse(200, "{\"access_token\": \"at\", \"error\": \"invalid_grant\"}",
	    NULL, &t, &err) == -1,
	    "an answer with both a token and an error is an error");

	ok(parse(400, "{\"error\": \"invalid_grant\", \"error_description\":"
	    " \"code the-code-123 for client sekret is bad\"}", secrets, &t,
	    &err) == -1, "an error echoing secrets is refused");
	ok(!contains(err.message, "the-code-123") &&
	    !contains(err.message, "sekret"),
	    "the secrets it echoes are not in the message");
	ok(contains(err.message, "code [redacted] for client [redacted] is"
	    " bad"), "they are replaced by [redacted]");

	ok(parse(400, "{\"error\": \"invalid_grant\", \"error_description\":"
	    " \"line one\\n\\n\\tline\\u0007two \\u00e9t\\u00e9\"}", NULL, &t,
	    &err) == -1, "an error with control characters is refused");
	ok(contains(err.message, "(line one line two t)."),
	    "control characters and non-ASCII become single blanks, none"
	    " trailing");

	memset(longtext, 'x', sizeof(longtext) - 1);
	longtext[sizeof(longtext) - 1] = '\0';
	snprintf(body, sizeof(body), "{\"error\": \"invalid_grant\","
	    " \"error_description\": \"%s\"}", longtext);
	ok(parse(400, body, NULL, &t, &err) == -1, "a long description");
	ok(strlen(err.message) < 60 + OAUTHCLIENT_DESCRIPTION_MAX &&
	    contains(err.message, "xxxxxxxxxx"),
	    "is cut to OAUTHCLIENT_DESCRIPTION_MAX characters");

	ok(parse(400, "{\"error\": \"<script>alert(1)</script>\"}", NULL, &t,
	    &err) == -1, "an odd error string is refused");
	is_int(ERR_UPSTREAM_UNAVAILABLE, err.code, "... as upstream_unavailable");
	ok(parse(401, "{\"error\": 7}", NULL, &t, &err) == -1 &&
	    err.code == ERR_UPSTREAM_UNAVAILABLE &&
	    contains(err.message, "status 401"),
	    "an error member that is not a string is malformed");
	error_clear(&err);
	oauthclient_tokens_free(&t);
	oauthclient_token_free(NULL);
	ok(1, "freeing zeroed tokens and a NULL token is harmless");
}

int
main(void)
{
	plan(24 + 17 + 20 * 4 + 1 + 24);
	test_requests();
	test_success();
	test_malformed();
	test_errors();
	return 0;
}

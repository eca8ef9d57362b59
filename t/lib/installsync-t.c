/*
 * installsync-t.c: tests for the pure parts of lib/installsync.c, which
 * fills a workspace integration's catalog from its source.  Which
 * source a row and its connector's manifest choose (with the shipped
 * manifests of connectors/ and inline ones), and which statuses refuse
 * a sync; how an OpenAPI document becomes catalog operations and a base
 * URL (Twilio's Verify API and the pet store of t/fixtures/openapi, read
 * through the same parser a fetched document goes through, and small
 * documents for the server URL rules); which errors are the source's;
 * and the status message written when a source fails: secrets
 * redacted, controls squeezed, length bounded.
 *
 * installsync_catalog() itself talks to PostgreSQL and the source; the
 * end-to-end tests drive it.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "installsync.h"
#include "integration.h"
#include "jsonutil.h"
#include "t/tap/basic.h"

/* $DRIO_SRCDIR/dir/name, or ./dir/name.  The caller frees it. */
static char *
source_path(const char *dir, const char *name)
{
	const char *srcdir = getenv("DRIO_SRCDIR");
	char *path;

	if (asprintf(&path, "%s/%s/%s", srcdir != NULL ? srcdir : ".", dir,
	    name) == -1)
		bail("out of memory");
	return path;
}

/* The shipped manifest connectors/<id>.json.  Bails when unreadable. */
static json_object *
manifest(const char *id)
{
	char name[128], *path;
	json_object *m;

	snprintf(name, sizeof(name), "%s.json", id);
	path = source_path("connectors", name);
	if ((m = json_object_from_file(path)) == NULL)
		bail("cannot read %s", path);
	free(path);
	return m;
}

/*
 * A JSON value written with ' for ", as a new object.  Bails when it is
 * not JSON, since that is a bug in the test.
 */
static json_object *
doc(const char *text)
{
	json_object *obj;
	char *copy, *p;

	if ((copy = strdup(text)) == NULL)
		bail("out of memory");
	for (p = copy; *p != '\0'; p++)
		if (*p == '\'')
			*p = '"';
	if ((obj = json_tokener_parse(copy)) == NULL)
		bail("test document is not JSON: %s", copy);
	free(copy);
	return obj;
}

/*
 * Read t/fixtures/openapi/<name> and parse it as a fetched document is
 * parsed (integration_parse_spec, JSON or YAML).  Bails on failure.
 */
static json_object *
fixture_document(const char *name)
{
	char *path = source_path("t/fixtures/openapi", name), *text;
	char sha256[65];
	struct error err = { 0 };
	json_object *document;
	FILE *f;
	long len;

	if ((f = fopen(path, "rb")) == NULL)
		sysbail("cannot open %s", path);
	if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0)
		sysbail("cannot size %s", path);
	if ((text = malloc((size_t)len + 1)) == NULL)
		bail("out of memory");
	if (fread(text, 1, (size_t)len, f) != (size_t)len)
		sysbail("cannot read %s", path);
	fclose(f);
	if (integration_parse_spec(text, (size_t)len,
	    INSTALLSYNC_OPENAPI_MAX_BYTES, &document, sha256, &err) != 0)
		bail("%s does not parse: %s", path, err.message);
	free(text);
	free(path);
	return document;
}

/* Seconds on the monotonic clock.  Can't fail. */
static double
seconds(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* ---------------------------------------------------------------- */

/* The source of a row; returns installsync_source_choose's rc. */
static int
choose(const char *kind, const char *auth_mode, const char *status,
    const char *url, json_object *m, struct installsync_source *out,
    struct error *err)
{
	struct installsync_row row = { kind, auth_mode, status, url, m };

	error_clear(err);
	return installsync_source_choose(&row, out, err);
}

static void
test_status(void)
{
	struct installsync_source s;
	struct error err = { 0 };
	json_object *github = manifest("github");

	is_int(-1, choose("openapi", "byo_oauth", "pending_oauth", NULL,
	    github, &s, &err), "an integration waiting for its OAuth"
	    " sign-in is not synced");
	is_int(ERR_CONFLICT, err.code, "that is a conflict");
	is_string("The integration's authorization is not finished.",
	    err.message, "which says its authorization is not finished");
	is_string("Finish its authorization first, then sync it.", err.hint,
	    "and the hint says what to do");
	is_int(0, s.kind, "and no source is chosen");

	is_int(-1, choose("mcp_server", "mcp_oauth", "pending_mcp_oauth",
	    "https://mcp.example.com/mcp", NULL, &s, &err),
	    "nor one waiting for its MCP server's sign-in");
	is_int(ERR_CONFLICT, err.code, "that is a conflict too");

	is_int(-1, choose("openapi", "pat", "disabled", NULL, github, &s,
	    &err), "a disabled integration is not synced");
	is_int(ERR_CONFLICT, err.code, "a conflict");
	is_string("The integration is disabled.", err.message,
	    "saying it is disabled");

	is_int(0, choose("openapi", "pat", "error", NULL, github, &s, &err),
	    "an integration in error may be synced, which may mend it");
	is_int(0, choose("openapi", "pat", "connected", NULL, github, &s,
	    &err), "a connected one may");
	error_clear(&err);
	json_object_put(github);
}

static void
test_mcp(void)
{
	struct installsync_source s;
	struct error err = { 0 };
	json_object *linear = manifest("linear");

	is_int(0, choose("mcp_server", "pat", "connected",
	    "https://mcp.example.com/mcp", NULL, &s, &err),
	    "a custom MCP server with a token has a source");
	is_int(INSTALLSYNC_SOURCE_MCP, s.kind, "its MCP server");
	is_string("https://mcp.example.com/mcp", s.url, "at its url");
	is_int(INSTALLSYNC_BEARER_SECRET, s.bearer,
	    "called with the token kept in its secret");
	ok(s.document == NULL, "with no document");

	is_int(0, choose("mcp_server", "none", "connected",
	    "https://mcp.example.com/mcp", NULL, &s, &err),
	    "a custom MCP server without a token has a source");
	is_int(INSTALLSYNC_BEARER_NONE, s.bearer, "called without a token");

	is_int(-1, choose("mcp_server", "none", "connected", NULL, NULL, &s,
	    &err), "an MCP server integration without a URL has none");
	is_int(ERR_CONFLICT, err.code, "which is a conflict");
	is_string("This integration has no source of operations.",
	    err.message, "saying it has no source of operations");

	is_int(0, choose("mcp_server", "mcp_oauth", "connected",
	    "https://mcp.linear.app/mcp", linear, &s, &err),
	    "Linear (mcp_oauth) has a source");
	is_int(INSTALLSYNC_SOURCE_MCP, s.kind, "its MCP server");
	is_int(INSTALLSYNC_BEARER_OAUTH, s.bearer,
	    "called with an OAuth access token");

	is_int(0, choose("mcp_server", "mcp_oauth", "connected",
	    "https://mcp.other.example/mcp", linear, &s, &err),
	    "the url column is taken over the manifest's");
	is_string("https://mcp.other.example/mcp", s.url,
	    "which is what install stored");

	is_int(0, choose("mcp_server", "mcp_oauth", "connected", NULL,
	    linear, &s, &err), "without a url column");
	is_string("https://mcp.linear.app/mcp", s.url,
	    "the manifest's mcp.server_url is taken");
	ok(s.url == json_get_string(json_get_object(linear, "mcp"),
	    "server_url"), "borrowed from the manifest");

	is_int(0, choose("mcp_server", "mcp_oauth", "connected", "", linear,
	    &s, &err), "an empty url column counts as none");
	is_string("https://mcp.linear.app/mcp", s.url,
	    "so the manifest's is taken");
	error_clear(&err);
	json_object_put(linear);
}

static void
test_openapi_sources(void)
{
	struct installsync_source s;
	struct error err = { 0 };
	json_object *github = manifest("github");
	json_object *slack = manifest("slack");
	json_object *postgresql = manifest("postgresql");
	json_object *inline_doc = doc("{'id':'x','openapi':{'document':"
	    "{'openapi':'3.0.3','paths':{}}}}");
	json_object *neither = doc("{'id':'x','openapi':{}}");

	is_int(0, choose("openapi", "pat", "connected", NULL, github, &s,
	    &err), "GitHub has a source");
	is_int(INSTALLSYNC_SOURCE_OPENAPI_URL, s.kind,
	    "an OpenAPI document by URL");
	is_string(json_get_string(json_get_object(github, "openapi"), "url"),
	    s.url, "the manifest's openapi.url");
	is_int(INSTALLSYNC_BEARER_NONE, s.bearer,
	    "fetched without the integration's credentials");

	is_int(0, choose("openapi", "pat", "connected",
	    "https://api.github.com", github, &s, &err),
	    "with a base URL stored");
	is_string(json_get_string(json_get_object(github, "openapi"), "url"),
	    s.url, "the document's URL is still the manifest's");

	is_int(0, choose("openapi", "byo_oauth", "connected", NULL, slack,
	    &s, &err), "Slack (byo_oauth) has a source");
	is_int(INSTALLSYNC_SOURCE_OPENAPI_URL, s.kind,
	    "its OpenAPI document");
	is_int(INSTALLSYNC_BEARER_NONE, s.bearer,
	    "which needs no access token");

	is_int(0, choose("openapi", "none", "connected", NULL, inline_doc, &s,
	    &err), "an inline document is a source");
	is_int(INSTALLSYNC_SOURCE_OPENAPI_INLINE, s.kind, "of its own kind");
	ok(s.document == json_get_object(json_get_object(inline_doc,
	    "openapi"), "document"), "the manifest's document, borrowed");
	ok(s.url == NULL, "with no URL");

	is_int(-1, choose("http", "conn_string", "connected", NULL,
	    postgresql, &s, &err), "PostgreSQL has no source");
	is_int(ERR_CONFLICT, err.code, "a conflict");
	is_string("This integration has no source of operations.",
	    err.message, "saying so");

	is_int(-1, choose("openapi", "pat", "connected", NULL, neither, &s,
	    &err), "an openapi block with neither url nor document is none");
	is_int(-1, choose("openapi", "pat", "connected", NULL, NULL, &s,
	    &err), "nor is a row without a manifest that is no MCP server");
	error_clear(&err);
	json_object_put(github);
	json_object_put(slack);
	json_object_put(postgresql);
	json_object_put(inline_doc);
	json_object_put(neither);
}

/* ---------------------------------------------------------------- */

/* The key of operation i of ops, or NULL.  Can't fail. */
static const char *
key_at(json_object *ops, size_t i)
{
	return json_get_string(json_object_array_get_idx(ops, i), "key");
}

static void
test_twilio(void)
{
	json_object *document, *ops = NULL;
	char base[INSTALLSYNC_URL_MAX];
	struct error err = { 0 };
	size_t warnings = 99;
	double start, parsed, done;

	start = seconds();
	document = fixture_document("twilio_verify_v2.json");
	parsed = seconds();
	is_int(0, installsync_openapi_operations(document, &ops, base,
	    &warnings, &err), "Twilio's Verify API becomes a catalog");
	done = seconds();
	diag("twilio_verify_v2.json (483 KiB): parsed in %.3f s, operations"
	    " in %.3f s", parsed - start, done - parsed);
	is_int(57, ops != NULL ? (long long)json_object_array_length(ops) : 0,
	    "of its 57 operations");
	is_string("CreateAccessToken", key_at(ops, 0),
	    "in the document's order, as lib/oas gives them");
	is_string("POST", json_get_string(json_object_array_get_idx(ops, 0),
	    "method"), "with their method");
	ok(json_get_object(json_object_array_get_idx(ops, 0),
	    "input_schema") != NULL, "and input schema");
	is_string("https://verify.twilio.com", base,
	    "its server is the base URL");
	is_int(0, (long long)warnings, "and discovery had no warnings");
	json_object_put(ops);
	json_object_put(document);
}

static void
test_petstore(void)
{
	json_object *json_doc, *yaml_doc, *from_json = NULL, *from_yaml = NULL;
	char base[INSTALLSYNC_URL_MAX];
	struct error err = { 0 };

	json_doc = fixture_document("petstore.json");
	yaml_doc = fixture_document("petstore.yaml");
	is_int(0, installsync_openapi_operations(json_doc, &from_json, base,
	    NULL, &err), "the pet store in JSON becomes a catalog");
	is_int(0, installsync_openapi_operations(yaml_doc, &from_yaml, base,
	    NULL, &err), "so does the same document in YAML");
	is_int(4, from_yaml != NULL ?
	    (long long)json_object_array_length(from_yaml) : 0,
	    "of four operations");
	is_json(json_text(from_json), from_yaml, "and the two catalogs are"
	    " the same");
	is_string("https://petstore.example.com/v1", base,
	    "its server, with its path, is the base URL");
	json_object_put(from_json);
	json_object_put(from_yaml);
	json_object_put(json_doc);
	json_object_put(yaml_doc);
}

/*
 * The base URL installsync_openapi_operations gives for a document with
 * servers (JSON with ' for "), or "(failed)".  Writes into base.
 */
static const char *
base_of(const char *servers, char base[INSTALLSYNC_URL_MAX])
{
	char text[1024];
	json_object *document, *ops = NULL;
	struct error err = { 0 };
	int rc;

	snprintf(text, sizeof(text), "{'openapi':'3.1.0','info':{'title':"
	    "'t','version':'1'},%s%s'paths':{'/a':{'get':{'responses':{}}}}}",
	    servers, servers[0] != '\0' ? "," : "");
	document = doc(text);
	rc = installsync_openapi_operations(document, &ops, base, NULL, &err);
	json_object_put(ops);
	json_object_put(document);
	error_clear(&err);
	if (rc != 0)
		snprintf(base, INSTALLSYNC_URL_MAX, "(failed)");
	return base;
}

static void
test_base_url(void)
{
	char base[INSTALLSYNC_URL_MAX];

	is_string("", base_of("", base), "no servers: no base URL");
	is_string("", base_of("'servers':[{'url':'/api/v3'}]", base),
	    "a relative server URL is no base URL");
	is_string("", base_of("'servers':[{'url':'https://{region}.example."
	    "com'}]", base), "nor is one with a variable without default");
	is_string("https://eu.example.com/v2", base_of("'servers':[{'url':"
	    "'https://{region}.example.com/{v}','variables':{'region':"
	    "{'default':'eu'},'v':{'default':'v2'}}}]", base),
	    "variables' defaults are substituted");
	is_string("", base_of("'servers':[{'url':'ftp://files.example.com'}]",
	    base), "an ftp URL is no base URL");
	is_string("http://api.example.com", base_of("'servers':[{'url':"
	    "'http://api.example.com'},{'url':'https://other.example.com'}]",
	    base), "the first server is taken, http too");
	is_string("", base_of("'servers':[{'url':'/rel'},{'url':"
	    "'https://other.example.com'}]", base),
	    "and only the first: a later absolute one is not guessed at");
}

static void
test_invalid_documents(void)
{
	json_object *document, *ops = (json_object *)&ops;
	char base[INSTALLSYNC_URL_MAX] = "x";
	struct error err = { 0 };

	document = doc("{'swagger':'2.0','info':{'title':'t','version':'1'},"
	    "'paths':{}}");
	is_int(-1, installsync_openapi_operations(document, &ops, base, NULL,
	    &err), "a Swagger 2.0 document is refused");
	is_int(ERR_INVALID_OPENAPI, err.code, "as an invalid OpenAPI document");
	ok(ops == NULL, "with no operations");
	is_string("", base, "and no base URL");
	json_object_put(document);
	error_clear(&err);

	document = doc("{'openapi':'3.0.3','info':{'title':'t','version':'1'}"
	    "}");
	is_int(-1, installsync_openapi_operations(document, &ops, base, NULL,
	    &err), "a document without paths is refused");
	is_int(ERR_INVALID_OPENAPI, err.code, "as an invalid OpenAPI document");
	json_object_put(document);
	error_clear(&err);
}

/* ---------------------------------------------------------------- */

static void
test_error_kinds(void)
{
	ok(installsync_error_is_source(ERR_UPSTREAM_UNAVAILABLE),
	    "an unreachable source is the source's failure");
	ok(installsync_error_is_source(ERR_UPSTREAM_TOO_LARGE),
	    "so is a document over the cap");
	ok(installsync_error_is_source(ERR_DESTINATION_NOT_ALLOWED),
	    "so is a source the SSRF guard refuses");
	ok(installsync_error_is_source(ERR_INVALID_OPENAPI),
	    "so is an unreadable document");
	ok(installsync_error_is_source(ERR_OAUTH_INVALID_GRANT),
	    "so is a refused OAuth grant");
	ok(!installsync_error_is_source(ERR_DATABASE_UNAVAILABLE),
	    "the database's is not");
	ok(!installsync_error_is_source(ERR_INTERNAL), "nor is drio's own");
	ok(!installsync_error_is_source(ERR_CONFLICT),
	    "nor a conflict (oauthclient's included: it keeps its own"
	    " message)");
	ok(!installsync_error_is_source(ERR_INTEGRATION_NOT_FOUND),
	    "nor a missing integration");
}

static void
test_status_message(void)
{
	const char *token = "ghp_0123456789abcdefSECRET";
	const char *secrets[] = { "", token, "https://mcp.example.com/m?k=v",
	    NULL };
	char out[INSTALLSYNC_STATUS_MAX + 1];
	struct error err = { 0 };
	char long_text[400];

	error_set(&err, ERR_UPSTREAM_UNAVAILABLE, "The MCP server answered"
	    " HTTP %d.", 401);
	installsync_status_message(&err, NULL, out);
	is_string("Refreshing the catalog failed: The MCP server answered"
	    " HTTP 401.", out, "the message says what failed and why");

	error_set(&err, ERR_UPSTREAM_UNAVAILABLE, "token %s at %s refused",
	    token, "https://mcp.example.com/m?k=v");
	installsync_status_message(&err, secrets, out);
	is_string("Refreshing the catalog failed: token [redacted] at"
	    " [redacted] refused", out, "every secret is redacted, an empty"
	    " one skipped");
	ok(strstr(out, "SECRET") == NULL, "no part of the token is left");

	error_set(&err, ERR_UPSTREAM_UNAVAILABLE, "cut at ghp_0123");
	installsync_status_message(&err, secrets, out);
	is_string("Refreshing the catalog failed: cut at [redacted]", out,
	    "a message cut inside a secret has its part redacted");
	error_set(&err, ERR_UPSTREAM_UNAVAILABLE, "cut at ghp");
	installsync_status_message(&err, secrets, out);
	is_string("Refreshing the catalog failed: cut at ghp", out,
	    "but not a tail shorter than four characters");

	error_set(&err, ERR_UPSTREAM_UNAVAILABLE, "a\r\nb\t\x01 c\xc3\xa9 ");
	installsync_status_message(&err, NULL, out);
	is_string("Refreshing the catalog failed: a b c", out,
	    "controls and non-ASCII bytes become one blank, none at the end");

	memset(long_text, 'x', sizeof(long_text) - 1);
	long_text[sizeof(long_text) - 1] = '\0';
	error_set(&err, ERR_UPSTREAM_UNAVAILABLE, "%s", long_text);
	installsync_status_message(&err, NULL, out);
	is_int(31 + sizeof(err.message) - 1, (long long)strlen(out),
	    "the longest message an error holds is kept whole");

	{
		const char *shorts[] = { "ab", NULL };
		char ab[241];
		size_t i;

		for (i = 0; i + 1 < sizeof(ab); i += 2)
			memcpy(ab + i, "ab", 2);
		ab[sizeof(ab) - 1] = '\0';
		error_set(&err, ERR_UPSTREAM_UNAVAILABLE, "%s", ab);
		installsync_status_message(&err, shorts, out);
		is_int(INSTALLSYNC_STATUS_MAX, (long long)strlen(out),
		    "redactions that lengthen a message are cut at %d"
		    " characters", INSTALLSYNC_STATUS_MAX);
		ok(strstr(out, "ab") == NULL, "with no secret left");
	}

	error_set(&err, ERR_UPSTREAM_UNAVAILABLE, "%.*s%s", 250, long_text,
	    token);
	installsync_status_message(&err, secrets, out);
	ok(strstr(out, "ghp_") == NULL && strlen(out) > 10 &&
	    strcmp(out + strlen(out) - 10, "[redacted]") == 0,
	    "a secret cut by the error's own bound is still redacted");

	error_set(&err, ERR_DESTINATION_NOT_ALLOWED, NULL);
	installsync_status_message(&err, NULL, out);
	ok(strncmp(out, "Refreshing the catalog failed: ", 31) == 0 &&
	    strlen(out) > 31, "an error with the code's default text has it");
	error_clear(&err);
}

int
main(void)
{
	plan(95);
	test_status();
	test_mcp();
	test_openapi_sources();
	test_twilio();
	test_petstore();
	test_base_url();
	test_invalid_documents();
	test_error_kinds();
	test_status_message();
	return 0;
}

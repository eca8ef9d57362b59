/*
 * connector-t.c: tests for the pure parts of the connector catalog
 * (connector.h, docs/connectors.md): connector_check() on every shipped
 * manifest and on mutations of a valid one, each refused at the right
 * JSON Pointer; connector_fields_check() and connector_verify_request()
 * on submitted values (percent-encoding in the URL, host labels, CR/LF
 * in headers, JSON escaping in the body, basic auth, missing, unknown
 * and pattern-mismatched fields); connector_verify_result() on answers
 * that echo the secret, hold control characters or run long.
 *
 * Every shipped manifest (the .json files in connectors/ under
 * $DRIO_SRCDIR, or under the current directory) must pass under its
 * file name.  Listing and reading need the database and are tested end
 * to end in t/50-api-v1-connectors.t.
 *
 * SPDX-License-Identifier: MIT
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "connector.h"
#include "jsonutil.h"
#include "t/tap/basic.h"

#define SHIPPED_MAX 200

/* A valid pat manifest the mutations start from. */
static const char base_manifest[] =
    "{\"id\": \"example\", \"version\": 1, \"name\": \"Example\","
    " \"description\": \"An example service.\","
    " \"category\": \"developer-tools\", \"auth_mode\": \"pat\","
    " \"brand_logo\": \"https://example.com/logo.png\","
    " \"brand_color\": \"#112233\","
    " \"docs_url\": \"https://example.com/docs\","
    " \"fields\": ["
    "  {\"key\": \"site\", \"label\": \"Site\", \"type\": \"text\","
    "   \"secret\": false, \"required\": true,"
    "   \"pattern\": \"[a-z0-9-]+\"},"
    "  {\"key\": \"token\", \"label\": \"Token\", \"type\": \"password\","
    "   \"secret\": true, \"required\": true, \"pattern\": \"tk_[A-Za-z0-9/+=]+\"},"
    "  {\"key\": \"team\", \"label\": \"Team\", \"type\": \"text\","
    "   \"secret\": false, \"required\": false},"
    "  {\"key\": \"region\", \"label\": \"Region\", \"type\": \"select\","
    "   \"secret\": false, \"required\": false,"
    "   \"options\": [\"eu\", \"us\"]}],"
    " \"verify\": {\"method\": \"POST\","
    "  \"url\": \"https://{{site}}.example.com/api/teams/{{team}}?r={{region}}\","
    "  \"headers\": {\"Authorization\": \"Bearer {{token}}\","
    "   \"X-Team\": \"{{team}}\"},"
    "  \"body\": \"{\\\"team\\\": \\\"{{team}}\\\"}\","
    "  \"ok_statuses\": [200, 204]},"
    " \"openapi\": {\"url\": \"https://example.com/openapi.json\"}}";

/* Parse text or bail. */
static json_object *
parse(const char *text)
{
	json_object *doc = json_tokener_parse(text);

	if (doc == NULL)
		bail("test JSON does not parse: %.80s", text);
	return doc;
}

/*
 * The container and last token of pointer in doc (which must exist up
 * to the last token).  Bails on a bad pointer.
 */
static json_object *
parent_of(json_object *doc, const char *pointer, char *last, size_t size)
{
	char buf[256], *tok, *save, *next;
	json_object *at = doc;

	snprintf(buf, sizeof(buf), "%s", pointer + 1);
	tok = strtok_r(buf, "/", &save);
	while (tok != NULL) {
		next = strtok_r(NULL, "/", &save);
		if (next == NULL) {
			snprintf(last, size, "%s", tok);
			return at;
		}
		if (json_object_is_type(at, json_type_array))
			at = json_object_array_get_idx(at, (size_t)atoi(tok));
		else if (!json_object_object_get_ex(at, tok, &at))
			bail("no %s in %s", tok, pointer);
		tok = next;
	}
	bail("empty pointer");
	return NULL;
}

/* The base manifest with pointer set to value (JSON text; NULL removes). */
static json_object *
mutate(const char *base, const char *pointer, const char *value)
{
	json_object *doc = parse(base), *parent;
	char last[128];

	parent = parent_of(doc, pointer, last, sizeof(last));
	if (json_object_is_type(parent, json_type_array)) {
		if (value == NULL)
			json_object_array_del_idx(parent, (size_t)atoi(last),
			    1);
		else
			json_object_array_put_idx(parent, (size_t)atoi(last),
			    parse(value));
	} else if (value == NULL) {
		json_object_object_del(parent, last);
	} else {
		json_object_object_add(parent, last, strcmp(value, "null") == 0 ?
		    NULL : parse(value));
	}
	return doc;
}

/* The pointer of a check fault, or "ok" when it passed. */
static const char *
outcome(int rc, struct error *err, char *buf, size_t size)
{
	json_object *detail, *loc;

	if (rc == 0)
		return "ok";
	detail = json_object_array_get_idx(err->details, 0);
	loc = json_get_array(detail, "loc");
	snprintf(buf, size, "%s", loc == NULL ? "?" :
	    json_object_get_string(json_object_array_get_idx(loc, 1)));
	return buf;
}

/* Check the base with pointer set to value; expect a fault at expected. */
static void
expect_fault(const char *pointer, const char *value, const char *expected,
    const char *what)
{
	json_object *doc = mutate(base_manifest, pointer, value);
	struct error err = { .code = ERR_NONE };
	char buf[256];
	int rc = connector_check(doc, "example", &err);

	if (!is_string(expected, outcome(rc, &err, buf, sizeof(buf)), "%s",
	    what) && rc != 0)
		diag("%s", err.message);
	error_clear(&err);
	json_object_put(doc);
}

/* ---------------------------------------------------------------- */
/* The shipped manifests                                            */

static char *
connectors_dir(void)
{
	const char *srcdir = getenv("DRIO_SRCDIR");
	char *path;

	if (asprintf(&path, "%s/connectors", srcdir != NULL ? srcdir :
	    ".") == -1)
		bail("out of memory");
	return path;
}

static size_t
shipped_files(const char *dir, char *names[SHIPPED_MAX])
{
	struct dirent *entry;
	size_t n = 0, len;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		sysbail("cannot open %s", dir);
	while ((entry = readdir(d)) != NULL) {
		len = strlen(entry->d_name);
		if (len <= 5 || strcmp(entry->d_name + len - 5, ".json") != 0)
			continue;
		if (n == SHIPPED_MAX)
			bail("more than %d manifests", SHIPPED_MAX);
		if ((names[n++] = strdup(entry->d_name)) == NULL)
			sysbail("strdup");
	}
	closedir(d);
	return n;
}

/* Each shipped manifest passes; together they cover every auth mode. */
static void
test_shipped(const char *dir, char *const *names, size_t n)
{
	bool seen[5] = { false };
	size_t i, m;
	char buf[256];

	for (i = 0; i < n; i++) {
		struct error err = { .code = ERR_NONE };
		char *path, id[64];
		json_object *doc;
		int rc;

		if (asprintf(&path, "%s/%s", dir, names[i]) == -1)
			bail("out of memory");
		if ((doc = json_object_from_file(path)) == NULL)
			bail("cannot read %s", path);
		snprintf(id, sizeof(id), "%.*s", (int)(strlen(names[i]) - 5),
		    names[i]);
		rc = connector_check(doc, id, &err);
		if (!is_string("ok", outcome(rc, &err, buf, sizeof(buf)),
		    "the shipped manifest %s passes", names[i]))
			diag("%s", err.message);
		for (m = 0; connector_auth_modes[m] != NULL; m++)
			if (strcmp(connector_auth_modes[m],
			    json_get_string(doc, "auth_mode")) == 0)
				seen[m] = true;
		error_clear(&err);
		json_object_put(doc);
		free(path);
	}
	ok(n >= 12, "at least twelve manifests are shipped (%zu)", n);
	ok(seen[0] && seen[1] && seen[2] && seen[3] && seen[4],
	    "the shipped manifests cover all five auth modes");
}

/* ---------------------------------------------------------------- */
/* Mutations                                                        */

static void
test_mutations(void)
{
	json_object *doc = parse(base_manifest);
	struct error err = { .code = ERR_NONE };
	char buf[256];
	int rc;

	rc = connector_check(doc, "example", &err);
	if (!is_string("ok", outcome(rc, &err, buf, sizeof(buf)),
	    "the base manifest passes"))
		diag("%s", err.message);
	error_clear(&err);
	rc = connector_check(doc, "other", &err);
	is_string("/id", outcome(rc, &err, buf, sizeof(buf)),
	    "an id that is not the file name is refused");
	error_clear(&err);
	json_object_put(doc);

	expect_fault("/extra", "1", "/extra", "an unknown member is refused");
	expect_fault("/id", "\"Bad_Id\"", "/id", "an id with capitals is"
	    " refused");
	expect_fault("/version", "0", "/version", "version 0 is refused");
	expect_fault("/version", "\"1\"", "/version", "a string version is"
	    " refused");
	expect_fault("/name", NULL, "/name", "a missing name is refused");
	expect_fault("/category", "\"games\"", "/category", "a category"
	    " outside the list is refused");
	expect_fault("/auth_mode", "\"basic\"", "/auth_mode", "an unknown auth"
	    " mode is refused");
	expect_fault("/brand_logo", "\"http://example.com/l.png\"",
	    "/brand_logo", "an http logo is refused");
	expect_fault("/brand_color", "\"#12345\"", "/brand_color", "a short"
	    " colour is refused");
	expect_fault("/docs_url", NULL, "/docs_url", "a missing docs_url is"
	    " refused");
	expect_fault("/fields/0/key", "\"Site\"", "/fields/0/key", "a field"
	    " key with capitals is refused");
	expect_fault("/fields/2/key", "\"site\"", "/fields/2/key", "two fields"
	    " with one key are refused");
	expect_fault("/fields/0/type", "\"number\"", "/fields/0/type", "an"
	    " unknown field type is refused");
	expect_fault("/fields/1/secret", "false", "/fields/1/secret", "a"
	    " password field that is not secret is refused");
	expect_fault("/fields/0/required", NULL, "/fields/0/required", "a"
	    " field without required is refused");
	expect_fault("/fields/0/pattern", "\"[a-z\"", "/fields/0/pattern",
	    "a pattern that does not compile is refused");
	expect_fault("/fields/0/colour", "\"red\"", "/fields/0/colour", "an"
	    " unknown field member is refused");
	expect_fault("/fields/3/options", NULL, "/fields/3/options", "a"
	    " select without options is refused");
	expect_fault("/fields/0/options", "[\"a\"]", "/fields/0/options",
	    "options on a text field are refused");
	expect_fault("/fields/1/secret", "false", "/fields/1/secret",
	    "a pat connector needs a secret field");
	expect_fault("/verify/method", "\"PUT\"", "/verify/method", "a PUT"
	    " probe is refused");
	expect_fault("/verify/url", "\"http://api.example.com/\"",
	    "/verify/url", "an http verify URL is refused");
	expect_fault("/verify/url", "\"https://api.example.com/{{nope}}\"",
	    "/verify/url", "a placeholder naming no field is refused");
	expect_fault("/verify/url", "\"https://api.example.com/{{ site }}\"",
	    "/verify/url", "a malformed placeholder is refused");
	expect_fault("/verify/url", "\"https://{{team}}.example.com/\"",
	    "/verify/url", "a host placeholder whose field has no pattern is"
	    " refused");
	expect_fault("/verify/url", "\"https://x{{site}}.example.com/\"",
	    "/verify/url", "a host placeholder that is not a whole label is"
	    " refused");
	expect_fault("/verify/url", "\"https://example.{{site}}/\"",
	    "/verify/url", "a placeholder that is the top-level domain is"
	    " refused");
	expect_fault("/verify/headers/Bad Name", "\"x\"",
	    "/verify/headers/Bad Name", "a header name with a blank is"
	    " refused");
	expect_fault("/verify/headers/Host", "\"example.com\"",
	    "/verify/headers/Host", "a Host header is refused");
	expect_fault("/verify/headers/X-Team", "\"a\\r\\nb\"",
	    "/verify/headers/X-Team", "a header value with CR LF is refused");
	expect_fault("/verify/headers/X-Team", "\"{{secret}}\"",
	    "/verify/headers/X-Team", "a header placeholder naming no field is"
	    " refused");
	expect_fault("/verify/method", "\"GET\"", "/verify/body", "a GET with"
	    " a body is refused");
	expect_fault("/verify/ok_statuses", "[]", "/verify/ok_statuses",
	    "empty ok_statuses are refused");
	expect_fault("/verify/ok_statuses/0", "700", "/verify/ok_statuses/0",
	    "a status of 700 is refused");
	expect_fault("/verify/basic_auth",
	    "{\"username\": \"{{site}}\", \"password\": \"{{token}}\"}",
	    "/verify/headers/Authorization", "basic_auth beside an"
	    " Authorization header is refused");
	expect_fault("/verify/basic_auth", "{\"username\": \"{{site}}\"}",
	    "/verify/basic_auth/password", "basic_auth without a password is"
	    " refused");
	expect_fault("/oauth", "{\"authorize_url\": \"https://a.example\","
	    " \"token_url\": \"https://a.example\", \"scopes\": [],"
	    " \"pkce\": true}", "/oauth", "an oauth block on a pat connector"
	    " is refused");
	expect_fault("/mcp", "{\"server_url\": \"https://mcp.example.com\"}",
	    "/openapi", "both openapi and mcp are refused");
	expect_fault("/openapi", NULL, "/", "a pat connector without an"
	    " operations source is refused");
	expect_fault("/openapi", "{\"url\": \"https://a.example/o.json\","
	    " \"document\": {\"openapi\": \"3.0.0\"}}", "/openapi", "openapi"
	    " with both url and document is refused");
	expect_fault("/openapi", "{\"document\": {\"info\": {}}}",
	    "/openapi/document", "an inline document that is not OpenAPI is"
	    " refused");
	expect_fault("/openapi", "{\"document\": {\"swagger\": \"2.0\","
	    " \"info\": {\"title\": \"t\", \"version\": \"1\"},"
	    " \"paths\": {}}}", "/openapi/document", "an inline Swagger 2.0"
	    " document, which install cannot read, is refused");
	expect_fault("/auth_mode", "\"none\"", "/verify", "a none connector"
	    " with a verify block is refused");
	expect_fault("/auth_mode", "\"mcp_oauth\"", "/verify", "an mcp_oauth"
	    " connector with a verify block is refused");
	expect_fault("/auth_mode", "\"byo_oauth\"", "/verify", "a byo_oauth"
	    " connector with a verify block is refused");
}

/* The auth modes' own blocks, on small whole manifests. */
static void
test_modes(void)
{
	static const char head[] = "{\"id\": \"m\", \"version\": 1,"
	    " \"name\": \"M\", \"description\": \"M.\", \"category\": \"other\","
	    " \"brand_logo\": \"https://m.example/l.png\","
	    " \"brand_color\": \"#000000\", \"docs_url\": \"https://m.example\",";
	static const struct {
		const char *tail;
		const char *expected;
		unsigned int flags;
		const char *what;
	} cases[] = {
		{ "\"auth_mode\": \"mcp_oauth\", \"fields\": [],"
		  " \"mcp\": {\"server_url\": \"https://mcp.m.example/mcp\"}}",
		  "ok", 0, "an mcp_oauth manifest with its server passes" },
		{ "\"auth_mode\": \"mcp_oauth\", \"fields\": []}",
		  "/mcp", 0, "an mcp_oauth manifest without a server is"
		  " refused" },
		{ "\"auth_mode\": \"mcp_oauth\", \"fields\": [],"
		  " \"mcp\": {\"server_url\": \"http://127.0.0.1:9/mcp\"}}",
		  "/mcp/server_url", 0, "an http MCP server is refused" },
		{ "\"auth_mode\": \"mcp_oauth\", \"fields\": [],"
		  " \"mcp\": {\"server_url\": \"http://127.0.0.1:9/mcp\"}}",
		  "ok", CONNECTOR_ALLOW_HTTP, "with CONNECTOR_ALLOW_HTTP an"
		  " http MCP server passes" },
		{ "\"auth_mode\": \"conn_string\", \"fields\": [{\"key\": \"dsn\","
		  " \"label\": \"DSN\", \"type\": \"password\", \"secret\": true,"
		  " \"required\": true}]}",
		  "ok", 0, "a conn_string manifest without verify or source"
		  " passes" },
		{ "\"auth_mode\": \"byo_oauth\", \"fields\": [{\"key\":"
		  " \"client_id\", \"label\": \"Id\", \"type\": \"text\","
		  " \"secret\": false, \"required\": true}, {\"key\":"
		  " \"client_secret\", \"label\": \"Secret\", \"type\":"
		  " \"password\", \"secret\": true, \"required\": true}],"
		  " \"oauth\": {\"authorize_url\": \"https://m.example/a\","
		  " \"token_url\": \"https://m.example/t\", \"scopes\":"
		  " [\"read\"], \"pkce\": true},"
		  " \"openapi\": {\"url\": \"https://m.example/o.json\"}}",
		  "ok", 0, "a byo_oauth manifest passes" },
		{ "\"auth_mode\": \"byo_oauth\", \"fields\": [{\"key\":"
		  " \"client_id\", \"label\": \"Id\", \"type\": \"text\","
		  " \"secret\": false, \"required\": true}],"
		  " \"oauth\": {\"authorize_url\": \"https://m.example/a\","
		  " \"token_url\": \"https://m.example/t\", \"scopes\": [],"
		  " \"pkce\": true},"
		  " \"openapi\": {\"url\": \"https://m.example/o.json\"}}",
		  "/fields", 0, "a byo_oauth manifest without client_secret is"
		  " refused" },
		{ "\"auth_mode\": \"byo_oauth\", \"fields\": [{\"key\":"
		  " \"client_id\", \"label\": \"Id\", \"type\": \"text\","
		  " \"secret\": false, \"required\": true}, {\"key\":"
		  " \"client_secret\", \"label\": \"Secret\", \"type\":"
		  " \"password\", \"secret\": true, \"required\": true}],"
		  " \"oauth\": {\"authorize_url\": \"https://m.example/a\","
		  " \"token_url\": \"https://m.example/t\", \"scopes\":"
		  " [\"a b\"], \"pkce\": true},"
		  " \"openapi\": {\"url\": \"https://m.example/o.json\"}}",
		  "/oauth/scopes/0", 0, "a scope with a blank is refused" },
		{ "\"auth_mode\": \"none\", \"fields\": []}",
		  "/", 0, "a none manifest without a source is refused" },
		{ "\"auth_mode\": \"none\", \"fields\": [{\"key\": \"k\","
		  " \"label\": \"K\", \"type\": \"text\", \"secret\": false,"
		  " \"required\": false}],"
		  " \"openapi\": {\"url\": \"https://m.example/o.json\"}}",
		  "/fields", 0, "a none manifest with fields is refused" },
	};
	size_t i;
	char text[4096], buf[256];

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct error err = { .code = ERR_NONE };
		json_object *doc;
		int rc;

		snprintf(text, sizeof(text), "%s %s", head, cases[i].tail);
		doc = parse(text);
		rc = connector_check_with(doc, "m", cases[i].flags, &err);
		if (!is_string(cases[i].expected, outcome(rc, &err, buf,
		    sizeof(buf)), "%s", cases[i].what) && rc != 0)
			diag("%s", err.message);
		error_clear(&err);
		json_object_put(doc);
	}
}

/* ---------------------------------------------------------------- */
/* Submitted values and the verify request                          */

/* The loc of detail i of err, as "where.name". */
static const char *
detail_loc(const struct error *err, size_t i, char *buf, size_t size)
{
	json_object *loc = json_get_array(json_object_array_get_idx(
	    err->details, i), "loc");

	snprintf(buf, size, "%s", loc == NULL ? "?" : json_object_get_string(
	    json_object_array_get_idx(loc, 1)));
	return buf;
}

/* Build the request for values; expect a 400 at loc (NULL: success). */
static void
expect_values(const char *values, const char *loc, const char *what)
{
	json_object *doc = parse(base_manifest), *v = parse(values);
	struct connector_request r = { 0 };
	struct error err = { .code = ERR_NONE };
	char buf[128];
	int rc = connector_verify_request(doc, v, &r, &err);

	if (loc == NULL) {
		if (!is_int(0, rc, "%s", what))
			diag("%s", err.message);
	} else {
		ok(rc == -1 && err.code == ERR_BAD_REQUEST &&
		    strcmp(detail_loc(&err, 0, buf, sizeof(buf)), loc) == 0,
		    "%s", what);
		ok(strstr(json_text(err.details), "tk_") == NULL &&
		    strstr(err.message, "tk_") == NULL,
		    "... and the error does not quote the values");
	}
	error_clear(&err);
	connector_request_free(&r);
	json_object_put(v);
	json_object_put(doc);
}

static void
test_values(void)
{
	json_object *doc = parse(base_manifest), *v;
	struct connector_request r = { 0 };
	struct error err = { .code = ERR_NONE };
	size_t i;
	int rc;

	v = parse("{\"site\": \"acme\", \"token\": \"tk_a/b+c=\","
	    " \"team\": \"a b/../c?d#e\\\"\", \"region\": \"eu\"}");
	rc = connector_verify_request(doc, v, &r, &err);
	is_int(0, rc, "a request is built from valid values");
	is_string("POST", r.method, "its method is the manifest's");
	is_string("https://acme.example.com/api/teams/a%20b%2F..%2Fc%3Fd%23e%22"
	    "?r=eu", r.url, "URL values are percent-encoded; a host label"
	    " value is as it is");
	is_string("Authorization: Bearer tk_a/b+c=", r.headers[0],
	    "header values are filled in as they are");
	is_string("X-Team: a b/../c?d#e\"", r.headers[1],
	    "a second header is filled in");
	ok(r.headers[2] == NULL, "there are no other headers");
	is_string("{\"team\": \"a b/../c?d#e\\\"\"}", r.body,
	    "body values are escaped as JSON string content");
	is_int((long long)strlen(r.body), (long long)r.body_len,
	    "the body length is the body's");
	for (i = 0; r.secrets[i] != NULL; i++)
		continue;
	ok(i >= 3 && strcmp(r.secrets[0], "tk_a/b+c=") == 0,
	    "the secret is recorded in its forms (%zu)", i);
	connector_request_free(&r);
	json_object_put(v);

	v = parse("{\"site\": \"acme\", \"token\": \"tk_x\"}");
	rc = connector_verify_request(doc, v, &r, &err);
	is_int(0, rc, "optional fields may be left out");
	is_string("https://acme.example.com/api/teams/?r=", r.url,
	    "an absent optional field resolves to nothing");
	connector_request_free(&r);
	json_object_put(v);
	json_object_put(doc);

	expect_values("{\"token\": \"tk_x\"}", "fields.site",
	    "a missing required field is a 400 naming it");
	expect_values("{\"site\": \"\", \"token\": \"tk_x\"}", "fields.site",
	    "an empty required field is a 400");
	expect_values("{\"site\": \"acme\", \"token\": \"tk_x\","
	    " \"colour\": \"red\"}", "fields.colour",
	    "an unknown field is a 400 naming it");
	expect_values("{\"site\": \"acme\", \"token\": \"sk_x\"}",
	    "fields.token", "a value that does not match its pattern is a 400");
	expect_values("{\"site\": \"evil.com/\", \"token\": \"tk_x\"}",
	    "fields.site", "a pattern must match the whole value");
	expect_values("{\"site\": \"acme\", \"token\": \"tk_x\","
	    " \"team\": \"a\\r\\nX-Evil: 1\"}", "fields.team",
	    "a value with CR LF is a 400");
	expect_values("{\"site\": \"acme\", \"token\": \"tk_x\","
	    " \"region\": \"mars\"}", "fields.region",
	    "a select value outside its options is a 400");
	expect_values("{\"site\": \"acme\", \"token\": 5}", "fields.token",
	    "a value that is not a string is a 400");
}

/* A host placeholder refuses what is not a DNS label, pattern or not. */
static void
test_host_label(void)
{
	json_object *doc = mutate(base_manifest, "/fields/0/pattern",
	    "\".+\""), *v;
	struct connector_request r = { 0 };
	struct error err = { .code = ERR_NONE };
	int rc;

	v = parse("{\"site\": \"evil.com#\", \"token\": \"tk_x\"}");
	rc = connector_verify_request(doc, v, &r, &err);
	ok(rc == -1 && err.code == ERR_BAD_REQUEST,
	    "a host label value that is no DNS label is refused even when"
	    " the pattern is loose");
	error_clear(&err);
	connector_request_free(&r);
	json_object_put(v);
	json_object_put(doc);
}

/* Basic auth, and the modes without a probe. */
static void
test_basic_and_skipped(void)
{
	json_object *doc = mutate(base_manifest, "/verify/headers",
	    "{\"Accept\": \"application/json\"}"), *v;
	struct connector_request r = { 0 };
	struct error err = { .code = ERR_NONE };
	json_object *skipped;
	int rc;

	json_object_object_add(json_get_object(doc, "verify"), "basic_auth",
	    parse("{\"username\": \"{{site}}\", \"password\": \"{{token}}\"}"));
	v = parse("{\"site\": \"acme\", \"token\": \"tk_pw\"}");
	rc = connector_verify_request(doc, v, &r, &err);
	is_int(0, rc, "a basic_auth request is built");
	/* base64("acme:tk_pw") */
	is_string("Authorization: Basic YWNtZTp0a19wdw==", r.headers[1],
	    "basic_auth becomes an Authorization header");
	connector_request_free(&r);
	json_object_put(v);
	json_object_put(doc);

	doc = mutate(base_manifest, "/verify", NULL);
	v = parse("{\"site\": \"acme\", \"token\": \"tk_x\"}");
	rc = connector_verify_request(doc, v, &r, &err);
	is_int(1, rc, "a manifest without verify has no probe to make");
	ok(r.url == NULL, "... and builds no request");
	skipped = connector_verify_skipped(doc);
	is_json("true", json_object_object_get(skipped, "ok"),
	    "... and verify answers ok: true");
	json_object_put(skipped);
	json_object_put(v);
	json_object_put(doc);

	doc = parse("{\"auth_mode\": \"mcp_oauth\", \"fields\": []}");
	rc = connector_verify_request(doc, NULL, &r, &err);
	is_int(1, rc, "an mcp_oauth manifest has no probe to make");
	json_object_put(doc);
}

/* ---------------------------------------------------------------- */
/* The verify answer                                                */

static void
test_result(void)
{
	json_object *doc = parse(base_manifest), *v, *res;
	struct connector_request r = { 0 };
	struct error err = { .code = ERR_NONE };
	struct outbound_response answer = { 0 };
	const char *message;
	char body[2048];
	size_t i;

	v = parse("{\"site\": \"acme\", \"token\": \"tk_S3cr/t+\"}");
	if (connector_verify_request(doc, v, &r, &err) != 0)
		bail("cannot build the request: %s", err.message);

	answer.status = 204;
	answer.body = (char *)"";
	res = connector_verify_result(&r, &answer);
	is_json("true", json_object_object_get(res, "ok"),
	    "a status in ok_statuses is ok: true");
	json_object_put(res);

	snprintf(body, sizeof(body), "{\"error\": \"bad token tk_S3cr/t+\","
	    " \"enc\": \"tk_S3cr%%2Ft%%2B\",\n\"x\":\"\x01\x1b[31m\"}");
	answer.status = 401;
	answer.body = body;
	answer.len = strlen(body);
	res = connector_verify_result(&r, &answer);
	message = json_get_string(res, "message");
	is_json("false", json_object_object_get(res, "ok"),
	    "a status outside ok_statuses is ok: false");
	ok(message != NULL && strstr(message, "HTTP 401") != NULL,
	    "the message names the status");
	ok(message != NULL && strstr(message, "S3cr") == NULL,
	    "the message never shows the secret, in any form");
	ok(message != NULL && strstr(message, "[redacted]") != NULL,
	    "the secret is replaced by [redacted]");
	ok(message != NULL && strchr(message, '\n') == NULL &&
	    strchr(message, '\x1b') == NULL && strchr(message, '\x01') == NULL,
	    "control characters are stripped");
	json_object_put(res);

	for (i = 0; i < sizeof(body) - 1; i++)
		body[i] = (char)('a' + i % 26);
	body[sizeof(body) - 1] = '\0';
	memcpy(body + 290, "tk_S3cr/t+", 10);
	body[5] = '\xff';
	answer.body = body;
	answer.len = strlen(body);
	res = connector_verify_result(&r, &answer);
	message = json_get_string(res, "message");
	ok(message != NULL && strlen(message) <= CONNECTOR_MESSAGE_MAX,
	    "a long answer is cut to %d characters (%zu)",
	    CONNECTOR_MESSAGE_MAX, message != NULL ? strlen(message) : 0);
	ok(message != NULL && strstr(message, "S3cr") == NULL &&
	    strstr(message, "tk_S") == NULL,
	    "a secret at the cut is not half shown");
	ok(message != NULL && json_object_get_string_len(
	    json_object_object_get(res, "message")) > 0 &&
	    strstr(message, "\xff") == NULL, "invalid UTF-8 is stripped");
	json_object_put(res);

	answer.body = NULL;
	answer.len = 0;
	answer.status = 500;
	res = connector_verify_result(&r, &answer);
	ok(strstr(json_get_string(res, "message"), "empty") != NULL,
	    "an empty answer says so");
	json_object_put(res);

	connector_request_free(&r);
	connector_request_free(&r);
	ok(true, "connector_request_free twice is harmless");
	json_object_put(v);
	json_object_put(doc);
}

int
main(void)
{
	char *dir = connectors_dir(), *names[SHIPPED_MAX];
	size_t n, i;

	n = shipped_files(dir, names);
	if (n == 0)
		bail("no manifests in %s", dir);
	plan(n + 104);
	test_shipped(dir, names, n);
	test_mutations();
	test_modes();
	test_values();
	test_host_label();
	test_basic_and_skipped();
	test_result();
	for (i = 0; i < n; i++)
		free(names[i]);
	free(dir);
	return 0;
}

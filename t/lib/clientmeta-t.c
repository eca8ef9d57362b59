/*
 * clientmeta-t.c: tests for lib/clientmeta.c, the rules of Client ID
 * Metadata Documents.  Which URLs may be a client_id (https with a path,
 * no fragment, no credentials, no dot segments; plain http only to an
 * allowed address literal), what a document must say (an object naming
 * itself exactly, a client_name, redirect_uris, no secret, no other
 * authentication method), and how long one is kept (Cache-Control
 * bounded to 5 minutes .. 24 hours, one hour by default).
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clientmeta.h"
#include "outbound.h"
#include "t/tap/basic.h"

#define URL "https://client.example/oauth/metadata.json"

/* Is url accepted as a client_id under policy? */
static bool
url_ok(const struct outbound_policy *policy, const char *url)
{
	struct error err;

	memset(&err, 0, sizeof(err));
	return clientmeta_url_check(policy, url, &err) == 0;
}

/* Check url expecting a refusal whose message holds want. */
static void
url_refused(const struct outbound_policy *policy, const char *url,
    const char *want, const char *desc)
{
	struct error err;
	int rc;

	memset(&err, 0, sizeof(err));
	rc = clientmeta_url_check(policy, url, &err);
	ok(rc == -1 && err.code == ERR_OAUTH_INVALID_CLIENT &&
	    strstr(err.message, want) != NULL, "%s", desc);
	if (rc != -1 || strstr(err.message, want) == NULL)
		diag("rc %d, message \"%s\"", rc, err.message);
}

/* Check doc as URL's document expecting a refusal mentioning want. */
static void
doc_refused(const char *doc, const char *want, const char *desc)
{
	json_object *out = (json_object *)1;
	struct error err;
	int rc;

	memset(&err, 0, sizeof(err));
	rc = clientmeta_document_check(URL, doc, strlen(doc), &out, &err);
	ok(rc == -1 && out == NULL && err.code == ERR_OAUTH_INVALID_CLIENT &&
	    strstr(err.message, want) != NULL, "%s", desc);
	if (rc != -1 || strstr(err.message, want) == NULL)
		diag("rc %d, message \"%s\"", rc, err.message);
	json_object_put(out == (json_object *)1 ? NULL : out);
}

static void
test_urls(void)
{
	struct outbound_policy none, loopback;
	struct error err;
	char *longurl;

	memset(&none, 0, sizeof(none));
	memset(&loopback, 0, sizeof(loopback));
	memset(&err, 0, sizeof(err));
	if (outbound_policy_allow(&loopback, "127.0.0.0/8, ::1/128", &err)
	    != 0)
		bail("outbound_policy_allow: %s", err.message);

	ok(clientmeta_is_url(URL) && clientmeta_is_url("HTTP://x/y") &&
	    !clientmeta_is_url("dc_abc") && !clientmeta_is_url(NULL) &&
	    !clientmeta_is_url("ftp://x/y"),
	    "only http(s) URLs are taken for metadata document client_ids");
	ok(url_ok(&none, URL), "an https URL with a path is accepted");
	ok(url_ok(&none, "https://client.example:8443/c?v=1"),
	    "a port and a query are accepted");
	ok(url_ok(&none, "https://[2001:db8::1]/client.json"),
	    "an IPv6 literal host is accepted over https");
	url_refused(&none, "https://client.example", "has a path",
	    "a URL without a path is refused");
	url_refused(&none, "https://client.example/", "has a path",
	    "a URL whose path is only / is refused");
	url_refused(&none, "https://client.example/?x=1", "has a path",
	    "a URL with only a query after / is refused");
	url_refused(&none, URL "#frag", "no fragment",
	    "a URL with a fragment is refused");
	url_refused(&none, "https://user:pw@client.example/c", "user name",
	    "a URL with credentials is refused");
	url_refused(&none, "https://client.example/a/../c", "segment",
	    "a URL with a .. segment is refused");
	url_refused(&none, "https://client.example/./c", "segment",
	    "a URL with a . segment is refused");
	url_refused(&none, "https://client.example/a/%2E%2e/c", "segment",
	    "a percent-encoded dot segment is refused");
	url_refused(&none, "https://client.example/a/..", "segment",
	    "a final .. segment is refused");
	ok(url_ok(&none, "https://client.example/a/...b/c.json"),
	    "a segment that merely holds dots is accepted");
	url_refused(&none, "https://client.example/a b", "control",
	    "a URL with a blank is refused");
	url_refused(&none, "https:///client.json", "names a host",
	    "a URL without a host is refused");
	url_refused(&none, "ftp://client.example/c", "https",
	    "another scheme is refused");
	url_refused(&none, "http://client.example/c", "https",
	    "plain http to a host name is refused");
	url_refused(&none, "http://127.0.0.1:8080/c", "https",
	    "plain http to loopback is refused when nothing is allowed");
	ok(url_ok(&loopback, "http://127.0.0.1:8080/c"),
	    "plain http to an allowed IPv4 address is accepted");
	ok(url_ok(&loopback, "http://[::1]:8080/c"),
	    "plain http to an allowed IPv6 address is accepted");
	url_refused(&loopback, "http://10.0.0.1/c", "https",
	    "plain http to an address outside the list is refused");
	url_refused(&loopback, "http://localhost/c", "https",
	    "plain http to a host name is refused whatever the list");
	longurl = malloc(CLIENTMETA_URL_MAX + 2);
	if (longurl == NULL)
		sysbail("malloc");
	memset(longurl, 'a', CLIENTMETA_URL_MAX + 1);
	memcpy(longurl, "https://c.example/", 18);
	longurl[CLIENTMETA_URL_MAX + 1] = '\0';
	url_refused(&none, longurl, "at most",
	    "a URL longer than the limit is refused");
	longurl[CLIENTMETA_URL_MAX] = '\0';
	ok(url_ok(&none, longurl), "a URL of exactly the limit is accepted");
	free(longurl);
	url_refused(&none, "", "at most", "an empty client_id is refused");
}

static void
test_documents(void)
{
	static const char good[] = "{\"client_id\": \"" URL "\","
	    " \"client_name\": \"Example CLI\","
	    " \"redirect_uris\": [\"http://127.0.0.1:3000/cb\","
	    " \"https://client.example/cb\"],"
	    " \"token_endpoint_auth_method\": \"none\","
	    " \"grant_types\": [\"authorization_code\", \"refresh_token\"],"
	    " \"response_types\": [\"code\"], \"logo_uri\": \"x\"}";
	json_object *out = NULL;
	struct error err;
	int rc;

	memset(&err, 0, sizeof(err));
	rc = clientmeta_document_check(URL, good, strlen(good), &out, &err);
	ok(rc == 0 && out != NULL, "a good document is accepted");
	is_string("Example CLI", json_object_get_string(
	    json_object_object_get(out, "client_name")),
	    "and comes back parsed");
	json_object_put(out);

	rc = clientmeta_document_check(URL, "{\"client_id\":\"" URL "\","
	    "\"client_name\":\"Min\",\"redirect_uris\":[\"https://c/cb\"]}",
	    strlen("{\"client_id\":\"" URL "\",\"client_name\":\"Min\","
	    "\"redirect_uris\":[\"https://c/cb\"]}"), &out, &err);
	ok(rc == 0, "client_id, client_name and redirect_uris suffice");
	json_object_put(out);

	doc_refused("not json", "not a JSON object", "text that is not JSON "
	    "is refused");
	doc_refused("[1, 2]", "not a JSON object", "a JSON array is refused");
	doc_refused("{\"client_id\": \"" URL "\"} trailing", "not a JSON",
	    "a JSON object followed by junk is refused");
	doc_refused("{\"client_id\": \"https://other.example/c\","
	    " \"client_name\": \"X\", \"redirect_uris\": [\"https://c/cb\"]}",
	    "client_id is not the URL", "a document naming another client_id "
	    "is refused");
	doc_refused("{\"client_id\": \"" URL "/\","
	    " \"client_name\": \"X\", \"redirect_uris\": [\"https://c/cb\"]}",
	    "client_id is not the URL", "client_id must match exactly, "
	    "not up to a trailing slash");
	doc_refused("{\"client_name\": \"X\", \"redirect_uris\": "
	    "[\"https://c/cb\"]}", "client_id is not the URL",
	    "a document without client_id is refused");
	doc_refused("{\"client_id\": \"" URL "\","
	    " \"redirect_uris\": [\"https://c/cb\"]}", "client_name",
	    "a document without client_name is refused");
	doc_refused("{\"client_id\": \"" URL "\", \"client_name\": \"\","
	    " \"redirect_uris\": [\"https://c/cb\"]}", "client_name",
	    "an empty client_name is refused");
	doc_refused("{\"client_id\": \"" URL "\", \"client_name\": \"X\"}",
	    "redirect_uris", "a document without redirect_uris is refused");
	doc_refused("{\"client_id\": \"" URL "\", \"client_name\": \"X\","
	    " \"redirect_uris\": []}", "redirect_uris",
	    "an empty redirect_uris is refused");
	doc_refused("{\"client_id\": \"" URL "\", \"client_name\": \"X\","
	    " \"redirect_uris\": \"https://c/cb\"}", "redirect_uris",
	    "redirect_uris that is not an array is refused");
	doc_refused("{\"client_id\": \"" URL "\", \"client_name\": \"X\","
	    " \"redirect_uris\": [\"https://c/cb\", 7]}", "redirect_uris",
	    "a redirect URI that is not a string is refused");
	doc_refused("{\"client_id\": \"" URL "\", \"client_name\": \"X\","
	    " \"redirect_uris\": [\"https://c/cb#f\"]}", "fragment",
	    "a redirect URI with a fragment is refused");
	doc_refused("{\"client_id\": \"" URL "\", \"client_name\": \"X\","
	    " \"redirect_uris\": [\"https://c/cb\"],"
	    " \"token_endpoint_auth_method\": \"private_key_jwt\"}",
	    "\"none\"", "private_key_jwt is refused as unsupported");
	doc_refused("{\"client_id\": \"" URL "\", \"client_name\": \"X\","
	    " \"redirect_uris\": [\"https://c/cb\"],"
	    " \"token_endpoint_auth_method\": \"client_secret_basic\"}",
	    "\"none\"", "client_secret_basic is refused");
	doc_refused("{\"client_id\": \"" URL "\", \"client_name\": \"X\","
	    " \"redirect_uris\": [\"https://c/cb\"],"
	    " \"client_secret\": \"s3cret\"}", "client_secret",
	    "a document with a client_secret is refused");
	doc_refused("{\"client_id\": \"" URL "\", \"client_name\": \"X\","
	    " \"redirect_uris\": [\"https://c/cb\"],"
	    " \"response_types\": [\"token\"]}", "response_types",
	    "response_types without code is refused");
	doc_refused("{\"client_id\": \"" URL "\", \"client_name\": \"X\","
	    " \"redirect_uris\": [\"https://c/cb\"],"
	    " \"grant_types\": [\"implicit\"]}", "unsupported grant",
	    "an unsupported grant type is refused");
}

static void
test_content_types(void)
{
	ok(clientmeta_content_type_ok("application/json"),
	    "application/json may be a document");
	ok(clientmeta_content_type_ok("Application/JSON; charset=utf-8"),
	    "in any case, with parameters");
	ok(clientmeta_content_type_ok("application/oauth-client+json"),
	    "a more specific +json type may be a document");
	ok(!clientmeta_content_type_ok("text/plain"),
	    "text/plain may not");
	ok(!clientmeta_content_type_ok("text/json"), "text/json may not");
	ok(!clientmeta_content_type_ok("application/+json"),
	    "+json without a name may not");
	ok(!clientmeta_content_type_ok("application/jsonp"),
	    "application/jsonp may not");
	ok(!clientmeta_content_type_ok(NULL), "no Content-Type may not");
}

static void
test_cache(void)
{
	is_int(CLIENTMETA_CACHE_DEFAULT_SECONDS, clientmeta_cache_seconds(NULL),
	    "no Cache-Control keeps a document one hour");
	is_int(3600, CLIENTMETA_CACHE_DEFAULT_SECONDS,
	    "the default is one hour");
	is_int(1800, clientmeta_cache_seconds("public, max-age=1800"),
	    "max-age inside the bounds is kept");
	is_int(300, clientmeta_cache_seconds("max-age=5"),
	    "a short max-age is raised to five minutes");
	is_int(86400, clientmeta_cache_seconds("max-age=999999999999999999"),
	    "a long max-age is lowered to a day");
	is_int(300, clientmeta_cache_seconds("no-store"),
	    "no-store gives the minimum");
	is_int(300, clientmeta_cache_seconds("max-age=3600, no-cache"),
	    "no-cache gives the minimum");
	is_int(300, clientmeta_cache_seconds("max-age=0"),
	    "max-age=0 gives the minimum");
	is_int(7200, clientmeta_cache_seconds("max-age=600, s-maxage=7200"),
	    "s-maxage wins over max-age");
	is_int(900, clientmeta_cache_seconds("MAX-AGE=\"900\""),
	    "directive names are case-insensitive, quoted values read");
	is_int(3600, clientmeta_cache_seconds("max-age=soon"),
	    "a malformed max-age gives the default");
	is_int(3600, clientmeta_cache_seconds("public"),
	    "no lifetime gives the default");
}

int
main(void)
{
	plan(67);
	test_urls();
	test_documents();
	test_content_types();
	test_cache();
	return 0;
}

/*
 * toolexec-t.c: unit tests of lib/toolexec.c, printing TAP.  The pure
 * parts first: building a request from a configuration fragment (the
 * URL path and its escaping, the query styles, headers, bodies, every
 * auth type with a secret object made up here), the token request of a
 * client_credentials connection, mapping each class of answer, and
 * resolving chain references.  Then toolexec_run() itself, without
 * auth connections (those need the database and the vault; the e2e
 * tests cover them): the refusals that are not the tool's outcome, the
 * SSRF guard, and real calls to a server forked on 127.0.0.1 that
 * reports every request it reads, for an operation tool and a chain.
 *
 * SPDX-License-Identifier: MIT
 */
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "appconfig.h"
#include "outbound.h"
#include "toolexec.h"
#include "t/tap/basic.h"

/*
 * Parse text, JSON written with ' for ", into a new value (NULL for
 * NULL or null).  Bails when it is not JSON: a bug in the test.
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

/* ---------------------------------------------------------------- */
/* Building requests                                                */

#define PETS "{'name': 'petstore', 'base_url': 'https://api.example.com/v2/'," \
	" 'auth': null}"
#define GET_PET "{'key': 'getPet', 'method': 'GET', 'path': '/pets/{petId}'," \
	" 'body_content_type': null}"
#define PET_ID "{'petId': {'in': 'path', 'name': 'petId'}}"

/*
 * Build a request from texts (' for "; NULL for NULL) into req.
 * Returns what toolexec_request_build returned; err holds its error.
 */
static int
build(const char *integration, const char *operation, const char *binding,
    const char *arguments, const char *secret, struct toolexec_request *req,
    struct error *err)
{
	json_object *i = parse(integration), *o = parse(operation);
	json_object *b = parse(binding), *a = parse(arguments);
	json_object *s = parse(secret);
	int rc;

	error_clear(err);
	rc = toolexec_request_build(i, o, b, a, s, req, err);
	json_object_put(i);
	json_object_put(o);
	json_object_put(b);
	json_object_put(a);
	json_object_put(s);
	return rc;
}

/* The URL of the request built, or "(failed: message)". */
static const char *
url_of(const char *integration, const char *operation, const char *binding,
    const char *arguments)
{
	static char seen[1024];
	struct toolexec_request req;
	struct error err = { 0 };

	if (build(integration, operation, binding, arguments, NULL, &req,
	    &err) != 0)
		snprintf(seen, sizeof(seen), "(failed: %s)", err.message);
	else
		snprintf(seen, sizeof(seen), "%s", req.url);
	toolexec_request_free(&req);
	error_clear(&err);
	return seen;
}

/* How many header lines of req are exactly line. */
static int
header_count(const struct toolexec_request *req, const char *line)
{
	size_t i;
	int n = 0;

	for (i = 0; req->headers != NULL && req->headers[i] != NULL; i++)
		if (strcmp(req->headers[i], line) == 0)
			n++;
	return n;
}

/* Does a header line of req start with name and a colon (any case)? */
static bool
has_header_named(const struct toolexec_request *req, const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; req->headers != NULL && req->headers[i] != NULL; i++)
		if (strncasecmp(req->headers[i], name, n) == 0 &&
		    req->headers[i][n] == ':')
			return true;
	return false;
}

/* A build that must fail with code and a message holding want. */
static void
refused(const char *integration, const char *operation, const char *binding,
    const char *arguments, const char *secret, enum error_code code,
    const char *want, const char *what)
{
	struct toolexec_request req;
	struct error err = { 0 };
	int rc;

	rc = build(integration, operation, binding, arguments, secret, &req,
	    &err);
	ok(rc == -1 && err.code == code && strstr(err.message, want) !=
	    NULL && req.url == NULL, "%s", what);
	if (rc != -1 || err.code != code || strstr(err.message, want) == NULL)
		diag("rc %d, code %s, message '%s'", rc,
		    error_code_string(err.code), err.message);
	toolexec_request_free(&req);
	error_clear(&err);
}

static void
test_paths(void)
{
	is_string("https://api.example.com/v2/pets/rex", url_of(PETS,
	    GET_PET, PET_ID, "{'petId': 'rex'}"),
	    "the base URL's trailing slash and the path join with one slash");
	is_string("https://api.example.com/v2/pets/a%2Fb%20c%3F%23%25",
	    url_of(PETS, GET_PET, PET_ID, "{'petId': 'a/b c?#%'}"),
	    "a path argument is percent-encoded, '/' included");
	is_string("https://api.example.com/v2/pets/..%2F..%2Fadmin",
	    url_of(PETS, GET_PET, PET_ID, "{'petId': '../../admin'}"),
	    "'../' in a path argument cannot climb: its slashes are encoded");
	is_string("https://api.example.com/v2/pets/42", url_of(PETS, GET_PET,
	    PET_ID, "{'petId': 42}"), "a number goes in the path as its text");
	is_string("https://api.example.com/v2/pets/a,b%2Cc", url_of(PETS,
	    GET_PET, PET_ID, "{'petId': ['a', 'b,c']}"),
	    "an array goes in the path in the simple style");
	is_string("https://api.example.com/v2/pets/rex", url_of(PETS,
	    GET_PET, PET_ID, "{'petId': 'rex', 'unbound': 'x'}"),
	    "an argument the binding does not name is ignored");
	is_string("https://h.example/a/b?v=1&limit=5", url_of(
	    "{'name': 'h', 'base_url': 'https://h.example/a?v=1#frag'}",
	    "{'key': 'k', 'method': 'GET', 'path': 'b'}",
	    "{'limit': {'in': 'query', 'name': 'limit'}}", "{'limit': 5}"),
	    "the base URL's query is kept and its fragment dropped; a path"
	    " without a leading slash gets one");
	refused(PETS, GET_PET, PET_ID, "{'petId': '..'}", NULL,
	    ERR_VALIDATION, "'petId' cannot be empty, '.' or '..'",
	    "a path argument '..' is refused");
	refused(PETS, GET_PET, PET_ID, "{'petId': '.'}", NULL,
	    ERR_VALIDATION, "'petId'", "a path argument '.' is refused");
	refused(PETS, GET_PET, PET_ID, "{'petId': ''}", NULL,
	    ERR_VALIDATION, "'petId'", "an empty path argument is refused");
	refused(PETS, GET_PET, PET_ID, "{}", NULL, ERR_VALIDATION,
	    "'petId' is required", "a missing path argument is refused");
	refused(PETS, GET_PET, "{}", "{'petId': 'x'}", NULL, ERR_CONFLICT,
	    "path parameter 'petId'",
	    "a path parameter nothing is bound to is a configuration"
	    " conflict");
	refused("{'name': 'petstore', 'base_url': null}", GET_PET, PET_ID,
	    "{'petId': 'x'}", NULL, ERR_CONFLICT,
	    "Integration 'petstore' has no base URL",
	    "an integration without a base URL is a conflict that says so");
	refused(PETS, "{'key': 'mcpTool', 'method': null, 'path': null}",
	    "{}", "{}", NULL, ERR_CONFLICT, "no HTTP method",
	    "an operation without a method (an MCP server's tool) is a"
	    " conflict");
}

static void
test_queries(void)
{
	const char *op = "{'key': 'find', 'method': 'GET', 'path': '/find'}";

	is_string("https://api.example.com/v2/find?tags=a&tags=b%20c",
	    url_of(PETS, op, "{'tags': {'in': 'query', 'name': 'tags'}}",
	    "{'tags': ['a', 'b c']}"),
	    "a query array repeats its name (form, exploded by default)");
	is_string("https://api.example.com/v2/find?tags=a,b%2Cc", url_of(PETS,
	    op, "{'tags': {'in': 'query', 'name': 'tags', 'explode': false}}",
	    "{'tags': ['a', 'b,c']}"),
	    "a query array not exploded is joined with commas");
	is_string("https://api.example.com/v2/find?tags=a%20b", url_of(PETS,
	    op, "{'tags': {'in': 'query', 'name': 'tags', 'style':"
	    " 'spaceDelimited'}}", "{'tags': ['a', 'b']}"),
	    "spaceDelimited joins with an encoded space");
	is_string("https://api.example.com/v2/find?tags=a%7Cb", url_of(PETS,
	    op, "{'tags': {'in': 'query', 'name': 'tags', 'style':"
	    " 'pipeDelimited'}}", "{'tags': ['a', 'b']}"),
	    "pipeDelimited joins with an encoded pipe");
	is_string("https://api.example.com/v2/find?f%5Bcolor%5D=red&"
	    "f%5Bsize%5D=2", url_of(PETS, op, "{'f': {'in': 'query', 'name':"
	    " 'f', 'style': 'deepObject', 'explode': true}}",
	    "{'f': {'color': 'red', 'size': 2}}"),
	    "a deepObject query object is name[key]=value");
	is_string("https://api.example.com/v2/find?color=red&size=2",
	    url_of(PETS, op, "{'f': {'in': 'query', 'name': 'f'}}",
	    "{'f': {'color': 'red', 'size': 2}}"),
	    "a form query object exploded is one parameter per member");
	is_string("https://api.example.com/v2/find?a=true&b=1.5", url_of(PETS,
	    op, "{'a': {'in': 'query', 'name': 'a'}, 'b': {'in': 'query',"
	    " 'name': 'b'}, 'c': {'in': 'query', 'name': 'c'}, 'd': {'in':"
	    " 'query', 'name': 'd'}}", "{'a': true, 'b': 1.5, 'd': null}"),
	    "booleans and numbers go as their JSON text; absent and null"
	    " arguments are left out");
	is_string("https://api.example.com/v2/find?q%20x=%26%3D%2B",
	    url_of(PETS, op, "{'q': {'in': 'query', 'name': 'q x'}}",
	    "{'q': '&=+'}"),
	    "query names and values are percent-encoded");
	refused(PETS, op, "{'c': {'in': 'cookie', 'name': 'c'}}", "{}", NULL,
	    ERR_CONFLICT, "binds 'c' to the cookie",
	    "a cookie binding is a conflict: drio sends no cookies");
	refused(PETS, op, "{'c': {'name': 'c'}}", "{}", NULL, ERR_CONFLICT,
	    "binds 'c' to no place", "a binding without 'in' is a conflict");
}

static void
test_headers(void)
{
	const char *op = "{'key': 'find', 'method': 'GET', 'path': '/find'}";
	struct toolexec_request req;
	struct error err = { 0 };

	is_int(0, build(PETS, op, "{'trace': {'in': 'header', 'name':"
	    " 'X-Trace'}, 'ids': {'in': 'header', 'name': 'X-Ids'}}",
	    "{'trace': 'abc', 'ids': [1, 2]}", NULL, &req, &err),
	    "headers from arguments build");
	is_int(1, header_count(&req, "X-Trace: abc"),
	    "a header argument is sent as it is");
	is_int(1, header_count(&req, "X-Ids: 1,2"),
	    "an array header argument is joined with commas");
	is_int(1, header_count(&req, "Accept: application/json"),
	    "Accept: application/json is sent");
	ok(!has_header_named(&req, "Content-Type") && req.body == NULL,
	    "a request without a body has no body and no Content-Type");
	ok(!has_header_named(&req, "Authorization"),
	    "an integration without auth sends no Authorization");
	toolexec_request_free(&req);
	ok(req.url == NULL && req.headers == NULL,
	    "toolexec_request_free zeroes the request");
	toolexec_request_free(NULL);

	refused(PETS, op, "{'h': {'in': 'header', 'name': 'Host'}}",
	    "{'h': 'evil.example'}", NULL, ERR_CONFLICT, "header Host",
	    "an argument cannot set Host");
	refused(PETS, op, "{'h': {'in': 'header', 'name': 'authorization'}}",
	    "{}", NULL, ERR_CONFLICT, "header authorization",
	    "an argument cannot set Authorization (any case)");
	refused(PETS, op, "{'h': {'in': 'header', 'name': 'Transfer-Encoding'}}",
	    "{}", NULL, ERR_CONFLICT, "Transfer-Encoding",
	    "an argument cannot set a hop-by-hop header");
	refused(PETS, op, "{'h': {'in': 'header', 'name': 'Content-Length'}}",
	    "{}", NULL, ERR_CONFLICT, "Content-Length",
	    "an argument cannot set Content-Length");
	refused(PETS, op, "{'h': {'in': 'header', 'name': 'X-A'}}",
	    "{'h': 'a\\r\\nX-Injected: 1'}", NULL, ERR_VALIDATION,
	    "'h' cannot hold control characters",
	    "a header argument with CR LF is refused, naming the argument");
	error_clear(&err);
}

static void
test_bodies(void)
{
	const char *post = "{'key': 'add', 'method': 'POST', 'path': '/pets',"
	    " 'body_content_type': 'application/json'}";
	struct toolexec_request req;
	struct error err = { 0 };
	json_object *body;

	is_int(0, build(PETS, post, "{'name': {'in': 'body', 'name': 'name'},"
	    " 'age': {'in': 'body', 'name': 'age'}, 'tag': {'in': 'body',"
	    " 'name': 'tag'}}", "{'name': 'Rex', 'age': 3}", NULL, &req, &err),
	    "a spread body builds");
	body = req.body != NULL ? json_tokener_parse(req.body) : NULL;
	is_json("{\"name\": \"Rex\", \"age\": 3}", body,
	    "arguments bound to body members make a JSON object; absent ones"
	    " are left out");
	is_int((long long)strlen(req.body != NULL ? req.body : ""),
	    (long long)req.body_len, "body_len is the body's length");
	is_int(1, header_count(&req, "Content-Type: application/json"),
	    "a JSON body is sent as application/json");
	json_object_put(body);
	toolexec_request_free(&req);

	is_int(0, build(PETS, post, "{'pet': {'in': 'body'}}",
	    "{'pet': [1, 'two']}", NULL, &req, &err),
	    "a whole body builds");
	is_string("[1,\"two\"]", req.body,
	    "an argument bound to the whole body is the body");
	toolexec_request_free(&req);

	is_int(0, build(PETS, post, "{'pet': {'in': 'body'}, 'note':"
	    " {'in': 'body', 'name': 'note'}}", "{'pet': {'name': 'Rex'},"
	    " 'note': 'hi'}", NULL, &req, &err),
	    "a whole body with members builds");
	body = req.body != NULL ? json_tokener_parse(req.body) : NULL;
	is_json("{\"name\": \"Rex\", \"note\": \"hi\"}", body,
	    "members join an object whole body");
	json_object_put(body);
	toolexec_request_free(&req);
	refused(PETS, post, "{'pet': {'in': 'body'}, 'note': {'in': 'body',"
	    " 'name': 'note'}}", "{'pet': 'x', 'note': 'hi'}", NULL,
	    ERR_VALIDATION, "'pet' must be an object",
	    "members cannot join a whole body that is not an object");

	is_int(0, build(PETS, post, "{'tag': {'in': 'body', 'name': 'tag'}}",
	    "{}", NULL, &req, &err), "a POST with no body argument builds");
	is_string("{}", req.body,
	    "a POST whose body members are all absent sends {}");
	toolexec_request_free(&req);

	is_int(0, build(PETS, "{'key': 'f', 'method': 'GET', 'path': '/f'}",
	    "{'pet': {'in': 'body'}}", "{}", NULL, &req, &err),
	    "a GET with an absent whole body builds");
	ok(req.body == NULL, "... and sends no body");
	toolexec_request_free(&req);

	is_int(0, build(PETS, "{'key': 'f', 'method': 'POST', 'path': '/f',"
	    " 'body_content_type': 'application/x-www-form-urlencoded'}",
	    "{'a': {'in': 'body', 'name': 'a'}, 'b': {'in': 'body', 'name':"
	    " 'b'}, 't': {'in': 'body', 'name': 't'}}",
	    "{'a': 1, 'b': 'x y&z', 't': ['p', 'q']}", NULL, &req, &err),
	    "a form body builds");
	is_string("a=1&b=x%20y%26z&t=p&t=q", req.body,
	    "a form body is percent-encoded pairs, arrays repeated");
	is_int(1, header_count(&req,
	    "Content-Type: application/x-www-form-urlencoded"),
	    "... sent as application/x-www-form-urlencoded");
	toolexec_request_free(&req);

	is_int(0, build(PETS, "{'key': 'f', 'method': 'PUT', 'path': '/f',"
	    " 'body_content_type': 'text/plain'}", "{'text': {'in': 'body'}}",
	    "{'text': 'hello \\\"world\\\"'}", NULL, &req, &err),
	    "a text body builds");
	is_string("hello \"world\"", req.body,
	    "a body of another type is the string as given");
	toolexec_request_free(&req);

	refused(PETS, "{'key': 'f', 'method': 'POST', 'path': '/f',"
	    " 'body_content_type': 'multipart/form-data'}",
	    "{'file': {'in': 'body'}}", "{'file': 'x'}", NULL, ERR_CONFLICT,
	    "multipart", "a multipart body is a conflict");
	error_clear(&err);
}

/* An integration with the auth connection auth (a JSON text). */
static const char *
with_auth(const char *auth)
{
	static char text[1024];

	snprintf(text, sizeof(text), "{'name': 'petstore', 'base_url':"
	    " 'https://api.example.com', 'auth': %s}", auth);
	return text;
}

static void
test_auth(void)
{
	const char *op = "{'key': 'find', 'method': 'GET', 'path': '/find'}";
	const char *q = "{'key': {'in': 'query', 'name': 'api_key'},"
	    " 'h': {'in': 'header', 'name': 'X-Api-Key'}}";
	struct toolexec_request req;
	struct error err = { 0 };

	is_int(0, build(with_auth("{'name': 'tok', 'type': 'bearer',"
	    " 'settings': {}}"), op, "{}", "{}", "{'token': 's3cret'}", &req,
	    &err), "a bearer request builds");
	is_int(1, header_count(&req, "Authorization: Bearer s3cret"),
	    "bearer: Authorization: Bearer <token>");
	toolexec_request_free(&req);

	is_int(0, build(with_auth("{'name': 'key', 'type': 'api_key',"
	    " 'settings': {'in': 'header', 'name': 'X-Api-Key'}}"), op, q,
	    "{'h': 'forged'}", "{'value': 'k-1'}", &req, &err),
	    "an api_key header request builds");
	is_int(1, header_count(&req, "X-Api-Key: k-1"),
	    "api_key in a header: its name and the value");
	is_int(0, header_count(&req, "X-Api-Key: forged"),
	    "an argument cannot set the API key's header too");
	toolexec_request_free(&req);

	is_int(0, build(with_auth("{'name': 'key', 'type': 'api_key',"
	    " 'settings': {'in': 'query', 'name': 'api_key'}}"), op, q,
	    "{'key': 'forged'}", "{'value': 'k+1 &'}", &req, &err),
	    "an api_key query request builds");
	is_string("https://api.example.com/find?api_key=k%2B1%20%26", req.url,
	    "api_key in the query: percent-encoded, and an argument cannot"
	    " set it too");
	toolexec_request_free(&req);

	is_int(0, build(with_auth("{'name': 'b', 'type': 'basic', 'settings':"
	    " {'username': 'user'}}"), op, "{}", "{}", "{'password': 'pass'}",
	    &req, &err), "a basic request builds");
	is_int(1, header_count(&req, "Authorization: Basic dXNlcjpwYXNz"),
	    "basic: base64 of user:pass, the user from the settings");
	toolexec_request_free(&req);

	is_int(0, build(with_auth("{'name': 'b', 'type': 'basic', 'settings':"
	    " {}}"), op, "{}", "{}", "{'username': 'al', 'password':"
	    " 'x:y'}", &req, &err), "a basic request with the user name in"
	    " the secret builds");
	is_int(1, header_count(&req, "Authorization: Basic YWw6eDp5"),
	    "basic: the user name may come from the secret");
	toolexec_request_free(&req);

	is_int(0, build(with_auth("{'name': 'o', 'type': 'oauth2', 'settings':"
	    " {'grant': 'client_credentials'}}"), op, "{}", "{}",
	    "{'client_secret': 'cs', 'access_token': 'at-1'}", &req, &err),
	    "an oauth2 request with an access token builds");
	is_int(1, header_count(&req, "Authorization: Bearer at-1"),
	    "oauth2: the access token as a bearer token");
	toolexec_request_free(&req);

	is_int(0, build(with_auth("{'name': 'n', 'type': 'none', 'settings':"
	    " {}}"), op, "{}", "{}", NULL, &req, &err),
	    "a request with auth type none builds");
	ok(!has_header_named(&req, "Authorization"),
	    "none: no Authorization header");
	toolexec_request_free(&req);

	refused(with_auth("{'name': 'tok', 'type': 'bearer', 'settings': {}}"),
	    op, "{}", "{}", NULL, ERR_CONFLICT,
	    "Auth connection 'tok' has no token set",
	    "bearer without a secret is a conflict naming the connection");
	refused(with_auth("{'name': 'o', 'type': 'oauth2', 'settings': {}}"),
	    op, "{}", "{}", "{'client_secret': 'cs'}", ERR_CONFLICT,
	    "no access_token", "oauth2 without an access token is a conflict");
	refused(with_auth("{'name': 'tok', 'type': 'bearer', 'settings': {}}"),
	    op, "{}", "{}", "{'token': 'a\\r\\nX-Evil: 1'}", ERR_CONFLICT,
	    "cannot be sent",
	    "a secret that would break the header is refused, not quoted");
	refused(with_auth("{'name': 'k', 'type': 'api_key', 'settings': {}}"),
	    op, "{}", "{}", "{'value': 'v'}", ERR_CONFLICT,
	    "does not say where",
	    "api_key without a place for the key is a conflict");
	error_clear(&err);
}

static void
test_token_request(void)
{
	struct toolexec_request req;
	struct error err = { 0 };
	json_object *auth, *secret;

	auth = parse("{'name': 'o', 'type': 'oauth2', 'settings': {'grant':"
	    " 'client_credentials', 'token_url': 'https://id.example/token',"
	    " 'client_id': 'cid', 'scopes': ['read', 'write:all']}}");
	secret = parse("{'client_secret': 'csecret'}");
	is_int(0, toolexec_token_request(auth, secret, &req, &err),
	    "a client_credentials token request builds");
	is_string("POST", req.method, "it is a POST");
	is_string("https://id.example/token", req.url,
	    "... to the token_url");
	is_string("grant_type=client_credentials&scope=read%20write%3Aall",
	    req.body, "... of the grant and the scopes, form-encoded");
	is_int(1, header_count(&req, "Authorization: Basic Y2lkOmNzZWNyZXQ="),
	    "the client authenticates with Basic");
	toolexec_request_free(&req);
	json_object_put(auth);

	auth = parse("{'name': 'o', 'type': 'oauth2', 'settings': {'grant':"
	    " 'authorization_code', 'token_url': 'https://id.example/token',"
	    " 'client_id': 'cid'}}");
	ok(toolexec_token_request(auth, secret, &req, &err) == -1 &&
	    err.code == ERR_CONFLICT && strstr(err.message,
	    "authorization_code") != NULL,
	    "the authorization_code grant has no token to get: a conflict");
	json_object_put(auth);
	json_object_put(secret);
	error_clear(&err);
}

/* ---------------------------------------------------------------- */
/* Answers                                                          */

/* The text of a result's one text block, or NULL. */
static const char *
text_of(const struct toolexec_result *r)
{
	json_object *block = json_object_array_get_idx(r->content, 0), *t;

	if (json_object_array_length(r->content) != 1 ||
	    !json_object_object_get_ex(block, "text", &t))
		return NULL;
	return json_object_get_string(t);
}

/* Map an answer; bails when it fails, which only memory can make it. */
static void
answer(long status, const char *type, const char *body,
    const char *const *secrets, struct toolexec_result *r)
{
	struct error err = { 0 };

	if (toolexec_answer(status, type, body, body != NULL ? strlen(body) :
	    0, secrets, r, &err) != 0)
		bail("toolexec_answer: %s", err.message);
}

static void
test_answers(void)
{
	const char *const secrets[] = { "s3cret-key", NULL };
	struct toolexec_result r;
	json_object *t;
	char *big;
	size_t i;

	answer(200, "application/json; charset=utf-8",
	    "{\"id\": 7, \"name\": \"Rex\"}", NULL, &r);
	is_json("[{\"type\": \"text\", \"text\": \"{\\\"id\\\": 7, \\\"name\\\":"
	    " \\\"Rex\\\"}\"}]", r.content,
	    "2xx JSON: the content is one text block with the JSON");
	is_json("{\"id\": 7, \"name\": \"Rex\"}", r.structured,
	    "2xx JSON object: the structured content is the object");
	ok(!r.is_error && r.upstream_status == 200,
	    "... not an error, with the upstream status");
	toolexec_result_free(&r);
	ok(r.content == NULL && r.structured == NULL,
	    "toolexec_result_free zeroes the result");
	toolexec_result_free(NULL);

	answer(200, "application/vnd.api+json", "[1, 2]", NULL, &r);
	is_json("{\"result\": [1, 2]}", r.structured,
	    "2xx JSON array: wrapped as {result: ...}");
	toolexec_result_free(&r);
	answer(200, NULL, "\"plain\"", NULL, &r);
	is_json("{\"result\": \"plain\"}", r.structured,
	    "2xx without a type whose body is JSON: parsed and wrapped");
	toolexec_result_free(&r);
	answer(200, "application/json", "null", NULL, &r);
	is_json("{\"result\": null}", r.structured,
	    "2xx JSON null: {result: null}");
	toolexec_result_free(&r);

	answer(200, "text/plain", "just text", NULL, &r);
	ok(r.structured == NULL && !r.is_error, "2xx text: no structured"
	    " content, no error");
	is_string("just text", text_of(&r), "2xx text: the text as it is");
	toolexec_result_free(&r);
	answer(200, NULL, "not { json", NULL, &r);
	is_string("not { json", text_of(&r),
	    "2xx without a type that is not JSON: text");
	ok(r.structured == NULL, "... with no structured content");
	toolexec_result_free(&r);
	answer(200, "text/plain", "caf\xc3\xa9 \xff!", NULL, &r);
	is_string("caf\xc3\xa9 \xef\xbf\xbd!", text_of(&r),
	    "invalid UTF-8 becomes U+FFFD, valid UTF-8 stays");
	toolexec_result_free(&r);
	answer(200, "image/png", "\x89PNG", NULL, &r);
	is_string("Upstream answered HTTP 200 with 4 bytes of image/png,"
	    " which is not text.", text_of(&r),
	    "2xx binary: a line saying what it is, not its bytes");
	toolexec_result_free(&r);

	answer(200, "application/json", "{\"a\": ", NULL, &r);
	ok(r.is_error && r.structured == NULL,
	    "2xx declared JSON that does not parse is an error");
	ok(text_of(&r) != NULL && strncmp(text_of(&r), "Upstream answered"
	    " HTTP 200 with JSON that does not parse", 52) == 0,
	    "... that says so");
	toolexec_result_free(&r);

	answer(204, NULL, NULL, NULL, &r);
	is_string("No content", text_of(&r), "204: \"No content\"");
	ok(!r.is_error && r.structured == NULL && r.upstream_status == 204,
	    "204: not an error, no structured content");
	toolexec_result_free(&r);

	answer(302, "text/html", "<a href=\"/x?token=1\">moved</a>", NULL,
	    &r);
	ok(r.is_error && r.upstream_status == 302, "3xx is an error");
	is_string("Upstream answered HTTP 302, a redirect, which drio does not"
	    " follow.", text_of(&r), "3xx: says it is not followed, and quotes"
	    " nothing");
	toolexec_result_free(&r);

	answer(404, "application/json", "{\"error\":\n \"no such pet\"}", NULL,
	    &r);
	ok(r.is_error && r.structured == NULL && r.upstream_status == 404,
	    "4xx is an error without structured content");
	is_string("Upstream answered HTTP 404: {\"error\": \"no such pet\"}",
	    text_of(&r), "4xx: the status and the start of the body, blanks"
	    " squeezed");
	toolexec_result_free(&r);
	answer(500, NULL, "", NULL, &r);
	is_string("Upstream answered HTTP 500.", text_of(&r),
	    "5xx without a body: the status alone");
	toolexec_result_free(&r);
	answer(401, "text/plain", "bad key s3cret-key for\x01you", secrets,
	    &r);
	is_string("Upstream answered HTTP 401: bad key [redacted] for you",
	    text_of(&r), "an error quoting a secret has it redacted, and"
	    " control characters removed");
	toolexec_result_free(&r);

	if ((big = malloc(3 * TOOLEXEC_TEXT_MAX)) == NULL)
		sysbail("malloc");
	memset(big, 'e', 3 * TOOLEXEC_TEXT_MAX - 1);
	big[3 * TOOLEXEC_TEXT_MAX - 1] = '\0';
	answer(503, "text/plain", big, NULL, &r);
	ok(text_of(&r) != NULL && strlen(text_of(&r)) <
	    TOOLEXEC_MESSAGE_MAX, "an error message is bounded by"
	    " TOOLEXEC_MESSAGE_MAX");
	toolexec_result_free(&r);
	answer(200, "text/plain", big, NULL, &r);
	ok(text_of(&r) != NULL && strncmp(text_of(&r), big,
	    TOOLEXEC_TEXT_MAX) == 0 && text_of(&r)[TOOLEXEC_TEXT_MAX] == '\n',
	    "a long answer keeps its first TOOLEXEC_TEXT_MAX bytes");
	ok(text_of(&r) != NULL && strstr(text_of(&r), "[cut: the answer has"
	    " 196607 bytes; the first 65536 are shown]") != NULL,
	    "... and a note saying it was cut");
	toolexec_result_free(&r);

	/* A long JSON answer: cut text, whole structured content. */
	big[0] = '[';
	for (i = 1; i + 4 < 3 * TOOLEXEC_TEXT_MAX; i += 2)
		memcpy(big + i, "1,", 2);
	memcpy(big + i, "1]", 3);
	answer(200, "application/json", big, NULL, &r);
	t = json_object_object_get(r.structured, "result");
	ok(json_object_is_type(t, json_type_array) &&
	    json_object_array_length(t) == (i + 1) / 2,
	    "a long JSON answer is whole in the structured content");
	ok(text_of(&r) != NULL && strstr(text_of(&r), "[cut:") != NULL,
	    "... while its text is cut");
	toolexec_result_free(&r);
	free(big);
}

/* ---------------------------------------------------------------- */
/* Chain references                                                 */

/* Resolve arguments against input and steps; bails on an error. */
static void
resolves(const char *arguments, const char *input, const char *steps,
    const char *want, const char *what)
{
	json_object *a = parse(arguments), *i = parse(input);
	json_object *s = parse(steps), *out = NULL;
	struct error err = { 0 };

	if (toolexec_resolve_arguments(a, i, s, &out, &err) != 0) {
		ok(false, "%s", what);
		diag("refused: %s", err.message);
	} else
		is_json(want, out, "%s", what);
	json_object_put(out);
	json_object_put(a);
	json_object_put(i);
	json_object_put(s);
	error_clear(&err);
}

/* Resolving arguments must fail with code and a message holding want. */
static void
unresolved(const char *arguments, const char *steps, enum error_code code,
    const char *want, const char *what)
{
	json_object *a = parse(arguments), *s = parse(steps), *out = NULL;
	struct error err = { 0 };
	int rc;

	rc = toolexec_resolve_arguments(a, NULL, s, &out, &err);
	ok(rc == -1 && out == NULL && err.code == code &&
	    strstr(err.message, want) != NULL, "%s", what);
	if (rc != -1 || strstr(err.message, want) == NULL)
		diag("rc %d, message '%s'", rc, err.message);
	json_object_put(out);
	json_object_put(a);
	json_object_put(s);
	error_clear(&err);
}

static void
test_references(void)
{
	const char *in = "{'owner': 'Ann', 'pet': 7, 'tags': ['a', 'b'],"
	    " 'info': {'age': 3}}";
	const char *steps = "{'first': {'id': 42, 'items': [{'name': 'x'},"
	    " {'name': 'y'}]}, 'empty': null}";

	resolves("{'name': '{{input.owner}}', 'petId': '{{input.pet}}',"
	    " 'tags': '{{input.tags}}'}", in, NULL,
	    "{\"name\": \"Ann\", \"petId\": 7, \"tags\": [\"a\", \"b\"]}",
	    "a string that is one input reference becomes the input, its"
	    " type kept");
	resolves("{'id': '{{steps.first.id}}', 'second':"
	    " '{{steps.first.items.1.name}}', 'all': '{{steps.first}}'}", in,
	    steps, "{\"id\": 42, \"second\": \"y\", \"all\": {\"id\": 42,"
	    " \"items\": [{\"name\": \"x\"}, {\"name\": \"y\"}]}}",
	    "step references walk members and array indexes of an earlier"
	    " answer");
	resolves("{'age': '{{input.info.age}}'}", in, NULL, "{\"age\": 3}",
	    "an input reference walks into the input too");
	resolves("{'text': 'Owner {{input.owner}} of #{{input.pet}} with"
	    " {{input.tags}} ({{steps.empty}})'}", in, steps,
	    "{\"text\": \"Owner Ann of #7 with [\\\"a\\\",\\\"b\\\"] ()\"}",
	    "references inside text become their text: strings as they are,"
	    " other values as JSON, null as nothing");
	resolves("{'gone': '{{input.nobody}}', 'list': ['{{input.nobody}}',"
	    " 1], 'text': 'x{{input.nobody}}y'}", in, NULL,
	    "{\"list\": [null, 1], \"text\": \"xy\"}",
	    "an input not given is left out; null in an array; nothing in"
	    " text");
	resolves("{'nested': {'deep': ['{{input.owner}}', {'{{input.pet}}':"
	    " '{{input.pet}}'}]}, 'n': 5, 'b': false}", in, NULL,
	    "{\"nested\": {\"deep\": [\"Ann\", {\"{{input.pet}}\": 7}]},"
	    " \"n\": 5, \"b\": false}",
	    "values are resolved at any depth; keys never are");
	resolves("{'a': '{{other.x}}', 'b': '{{input.owner', 'c': '{{}}',"
	    " 'd': 'x {{nope}} {{input.owner}}'}", in, NULL,
	    "{\"a\": \"{{other.x}}\", \"b\": \"{{input.owner\","
	    " \"c\": \"{{}}\", \"d\": \"x {{nope}} Ann\"}",
	    "what is not a reference is kept as text");
	resolves(NULL, in, NULL, "{}", "no arguments are {}");

	unresolved("{'x': '{{steps.first.nope}}'}", steps, ERR_VALIDATION,
	    "{{steps.first.nope}} names nothing in the answer of step"
	    " 'first'", "a step reference to nothing is refused, quoting it");
	unresolved("{'x': 'id {{steps.first.items.9}}'}", steps,
	    ERR_VALIDATION, "names nothing",
	    "an index past the end of an array names nothing");
	unresolved("{'x': '{{steps.later.id}}'}", steps, ERR_VALIDATION,
	    "{{steps.later.id}} names no step that ran before",
	    "a reference to a step that has not run is refused");
	unresolved("['{{input.x}}']", NULL, ERR_CONFLICT, "not an object",
	    "arguments that are not an object are a conflict");
}

/* ---------------------------------------------------------------- */
/* Running                                                          */

/* A configuration around tools and integrations (JSON texts, ' for "). */
static json_object *
config_of(const char *integrations, const char *tools)
{
	char text[8192];

	snprintf(text, sizeof(text), "{'format': 1, 'app': {'id': 'a1'},"
	    " 'integrations': %s, 'tools': %s, 'widgets': [],"
	    " 'workflow': null}", integrations, tools);
	return parse(text);
}

/* Run tool name of config with arguments (a JSON text or NULL). */
static int
run(const struct outbound_policy *policy, json_object *config,
    const char *name, const char *arguments, struct toolexec_result *r,
    struct error *err)
{
	json_object *a = parse(arguments);
	struct toolexec_call call = {
		.config = config,
		.app_id = "a1",
		.tool_name = name,
		.arguments = a,
	};
	int rc;

	error_clear(err);
	rc = toolexec_run(NULL, policy, &call, r, err);
	json_object_put(a);
	return rc;
}

/* The forked server, killed at exit even when a test bails. */
static pid_t server_pid = -1;

static void
server_kill(void)
{
	if (server_pid > 0) {
		kill(server_pid, SIGKILL);
		waitpid(server_pid, NULL, 0);
		server_pid = -1;
	}
}

/* Write all of len bytes.  Returns 0, or -1 at the first error. */
static int
write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * The server: read each request whole (headers and a Content-Length
 * body), report it on the pipe as its length (a size_t) and its bytes,
 * and answer by its path (a start ending in "/" is a prefix, any other
 * must be followed by the query or the end of the path).
 */
static void __attribute__((__noreturn__))
server_run(int listener, int report)
{
	static const struct {
		const char *start;
		const char *answer;
	} answers[] = {
		{ "GET /api/pets/42", "HTTP/1.1 200 OK\r\nContent-Type:"
		    " application/json\r\nContent-Length: 25\r\n\r\n"
		    "{\"id\": 42, \"name\": \"Rex\"}" },
		{ "GET /api/pets/", "HTTP/1.1 404 Not Found\r\nContent-Type:"
		    " text/plain\r\nContent-Length: 11\r\n\r\nno such pet" },
		{ "POST /api/owners", "HTTP/1.1 201 Created\r\nContent-Type:"
		    " application/json\r\nContent-Length: 10\r\n\r\n"
		    "{\"id\": 42}" },
		{ "GET /api/slow", NULL },
	};
	char req[16384], *end, *cl;
	size_t len, want, i;
	ssize_t n;
	int fd;

	signal(SIGPIPE, SIG_IGN);
	alarm(30);
	for (;;) {
		if ((fd = accept(listener, NULL, NULL)) < 0) {
			if (errno == EINTR)
				continue;
			_exit(1);
		}
		len = 0;
		want = 0;
		req[0] = '\0';
		while (len < sizeof(req) - 1 &&
		    (n = read(fd, req + len, sizeof(req) - 1 - len)) > 0) {
			len += (size_t)n;
			req[len] = '\0';
			if ((end = strstr(req, "\r\n\r\n")) == NULL)
				continue;
			cl = strcasestr(req, "\r\nContent-Length:");
			want = (size_t)(end + 4 - req) + (cl != NULL && cl <
			    end ? strtoul(cl + 17, NULL, 10) : 0);
			if (len >= want)
				break;
		}
		write_all(report, (const char *)&len, sizeof(len));
		write_all(report, req, len);
		for (i = 0; i < sizeof(answers) / sizeof(answers[0]); i++) {
			size_t k = strlen(answers[i].start);

			if (strncmp(req, answers[i].start, k) == 0 &&
			    (answers[i].start[k - 1] == '/' ||
			    req[k] == ' ' || req[k] == '?'))
				break;
		}
		if (i == sizeof(answers) / sizeof(answers[0]))
			write_all(fd, "HTTP/1.1 500 Oops\r\nContent-Length:"
			    " 0\r\n\r\n", 38);
		else if (answers[i].answer == NULL)
			while (read(fd, req, sizeof(req)) > 0)
				continue;       /* until the client gives up */
		else
			write_all(fd, answers[i].answer,
			    strlen(answers[i].answer));
		close(fd);
	}
}

/* Start the server; returns its port, and the report pipe in *report. */
static int
server_start(int *report)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int listener, pipefd[2], one = 1;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((listener = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one,
	    sizeof(one)) != 0 ||
	    bind(listener, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
	    listen(listener, 16) != 0 ||
	    getsockname(listener, (struct sockaddr *)&sin, &len) != 0)
		sysbail("cannot listen on 127.0.0.1");
	if (pipe(pipefd) != 0)
		sysbail("pipe");
	if ((server_pid = fork()) < 0)
		sysbail("fork");
	if (server_pid == 0) {
		close(pipefd[0]);
		server_run(listener, pipefd[1]);
	}
	close(listener);
	close(pipefd[1]);
	*report = pipefd[0];
	return ntohs(sin.sin_port);
}

/* The next request the server reported, into buf (size bytes). */
static const char *
server_request(int report, char *buf, size_t size)
{
	size_t len, got = 0;
	ssize_t n;

	if (read(report, &len, sizeof(len)) != (ssize_t)sizeof(len))
		bail("the server reported no request");
	if (len >= size)
		bail("the request is too long for the test");
	while (got < len && (n = read(report, buf + got, len - got)) > 0)
		got += (size_t)n;
	buf[got] = '\0';
	return buf;
}

static void
test_run_refusals(void)
{
	struct outbound_policy policy = {
		.timeout_ms = 2000, .connect_timeout_ms = 1000,
		.max_bytes = 1 << 20,
	};
	struct toolexec_result r;
	struct error err = { 0 };
	json_object *config;

	config = config_of("[{'id': 'i1', 'name': 'local', 'base_url':"
	    " 'http://127.0.0.1:9/api', 'auth': null}, {'id': 'i2',"
	    " 'name': 'nowhere', 'base_url': null, 'auth': null}]",
	    "[{'name': 'get_pet', 'operation': {'integration_id': 'i1', 'key':"
	    " 'getPet', 'method': 'GET', 'path': '/pets/{petId}'}, 'binding':"
	    " " PET_ID ", 'chain': null},"
	    " {'name': 'lost', 'operation': {'integration_id': 'i2', 'key':"
	    " 'x', 'method': 'GET', 'path': '/x'}, 'binding': {}, 'chain':"
	    " null},"
	    " {'name': 'idle', 'operation': null, 'binding': {}, 'chain':"
	    " null},"
	    " {'name': 'bad_ref', 'operation': null, 'chain': [{'name':"
	    " 'first', 'operation': {'integration_id': 'i1', 'key': 'getPet',"
	    " 'method': 'GET', 'path': '/pets/{petId}', 'parameters': "
	    PET_ID "}, 'arguments': {'petId': '{{steps.zero.id}}'}}]}]");

	ok(run(&policy, config, "nope", NULL, &r, &err) == -1 &&
	    err.code == ERR_TOOL_NOT_FOUND && r.content == NULL,
	    "an unknown tool is ERR_TOOL_NOT_FOUND, not a result");
	ok(run(&policy, config, "idle", NULL, &r, &err) == -1 &&
	    err.code == ERR_CONFLICT && strstr(err.message,
	    "neither an operation nor a chain") != NULL,
	    "a tool with neither operation nor chain is ERR_CONFLICT saying"
	    " so");
	ok(run(&policy, config, "lost", NULL, &r, &err) == -1 &&
	    err.code == ERR_CONFLICT && strstr(err.message, "no base URL") !=
	    NULL, "an integration without base_url is ERR_CONFLICT saying so");

	is_int(0, run(&policy, config, "get_pet", "{'petId': 'rex'}", &r,
	    &err), "a call the SSRF guard refuses is a result");
	ok(r.is_error && r.upstream_status == 0 && r.structured == NULL,
	    "... an error, with no upstream status");
	is_string("The destination is not allowed: 127.0.0.1 is a loopback"
	    " address.", text_of(&r), "... saying why");
	toolexec_result_free(&r);

	is_int(0, run(&policy, config, "get_pet", "{'petId': '..'}", &r,
	    &err), "an argument that cannot be sent is a result");
	ok(r.is_error && text_of(&r) != NULL && strstr(text_of(&r),
	    "The argument 'petId' cannot be empty") != NULL,
	    "... an error naming the argument");
	toolexec_result_free(&r);

	is_int(0, run(&policy, config, "bad_ref", "{}", &r, &err),
	    "a chain step whose reference names nothing is a result");
	is_string("Step 'first' (1 of 1) failed: {{steps.zero.id}} names no"
	    " step that ran before this one.", text_of(&r),
	    "... an error naming the step");
	toolexec_result_free(&r);
	json_object_put(config);
	error_clear(&err);
}

static void
test_run_upstream(void)
{
	struct outbound_policy policy = {
		.timeout_ms = 1500, .connect_timeout_ms = 1000,
		.max_bytes = 1 << 20,
	};
	struct toolexec_result r;
	struct error err = { 0 };
	json_object *config;
	char text[4096], req[16384];
	const char *seen;
	int port, report;

	if (outbound_policy_allow(&policy, "127.0.0.0/8", &err) != 0)
		bail("outbound_policy_allow: %s", err.message);
	port = server_start(&report);
	snprintf(text, sizeof(text), "[{'id': 'i1', 'name': 'local',"
	    " 'base_url': 'http://127.0.0.1:%d/api/', 'auth': null}]", port);
	config = config_of(text,
	    "[{'name': 'get_pet', 'operation': {'integration_id': 'i1', 'key':"
	    " 'getPet', 'method': 'GET', 'path': '/pets/{petId}'}, 'binding':"
	    " {'petId': {'in': 'path', 'name': 'petId'}, 'v': {'in': 'query',"
	    " 'name': 'verbose'}, 't': {'in': 'header', 'name': 'X-Trace'}},"
	    " 'chain': null},"
	    " {'name': 'slow', 'operation': {'integration_id': 'i1', 'key':"
	    " 'slow', 'method': 'GET', 'path': '/slow'}, 'binding': {},"
	    " 'chain': null},"
	    " {'name': 'adopt', 'operation': null, 'chain': ["
	    "  {'name': 'first', 'operation': {'integration_id': 'i1', 'key':"
	    "   'addOwner', 'method': 'POST', 'path': '/owners',"
	    "   'body_content_type': 'application/json', 'parameters':"
	    "   {'name': {'in': 'body', 'name': 'name'}}},"
	    "   'arguments': {'name': 'Owner {{input.owner}}'}},"
	    "  {'name': 'second', 'operation': {'integration_id': 'i1', 'key':"
	    "   'getPet', 'method': 'GET', 'path': '/pets/{petId}',"
	    "   'parameters': " PET_ID "},"
	    "   'arguments': {'petId': '{{steps.first.id}}{{input.suffix}}'}}]},"
	    " {'name': 'look_first', 'operation': null, 'chain': ["
	    "  {'name': 'look', 'operation': {'integration_id': 'i1', 'key':"
	    "   'getPet', 'method': 'GET', 'path': '/pets/{petId}',"
	    "   'parameters': " PET_ID "}, 'arguments': {'petId': 'nobody'}},"
	    "  {'name': 'add', 'operation': {'integration_id': 'i1', 'key':"
	    "   'addOwner', 'method': 'POST', 'path': '/owners',"
	    "   'parameters': {}}}]}]");

	is_int(0, run(&policy, config, "get_pet", "{'petId': 42, 'v': true,"
	    " 't': 'trace-1'}", &r, &err), "an operation tool runs upstream");
	seen = server_request(report, req, sizeof(req));
	ok(strncmp(seen, "GET /api/pets/42?verbose=true HTTP/1.1\r\n", 40) ==
	    0, "the request line has the path and query built");
	ok(strcasestr(seen, "\r\nAccept: application/json\r\n") != NULL &&
	    strcasestr(seen, "\r\nX-Trace: trace-1\r\n") != NULL,
	    "the headers built are sent");
	ok(!r.is_error && r.upstream_status == 200 && r.upstream_ms >= 0,
	    "the call succeeded with the upstream's status");
	is_json("{\"id\": 42, \"name\": \"Rex\"}", r.structured,
	    "the JSON answer is the structured content");
	toolexec_result_free(&r);

	is_int(0, run(&policy, config, "get_pet", "{'petId': 'x'}", &r, &err),
	    "an upstream 404 is a result");
	(void)server_request(report, req, sizeof(req));
	ok(r.is_error && r.upstream_status == 404, "... an error with 404");
	is_string("Upstream answered HTTP 404: no such pet", text_of(&r),
	    "... quoting the answer");
	toolexec_result_free(&r);

	policy.timeout_ms = 300;
	is_int(0, run(&policy, config, "slow", NULL, &r, &err),
	    "an upstream that does not answer in time is a result");
	(void)server_request(report, req, sizeof(req));
	ok(r.is_error && r.upstream_status == 0 && r.upstream_ms >= 250,
	    "... an error, with no status and the time spent");
	is_string("The upstream service did not answer in time.", text_of(&r),
	    "... saying so");
	toolexec_result_free(&r);
	policy.timeout_ms = 1500;

	is_int(0, run(&policy, config, "adopt", "{'owner': 'Ann'}", &r, &err),
	    "a chain runs upstream");
	seen = server_request(report, req, sizeof(req));
	ok(strncmp(seen, "POST /api/owners HTTP/1.1\r\n", 27) == 0 &&
	    strstr(seen, "\r\n\r\n{\"name\":\"Owner Ann\"}") != NULL,
	    "the first step sends its resolved arguments as its body");
	seen = server_request(report, req, sizeof(req));
	ok(strncmp(seen, "GET /api/pets/42 HTTP/1.1\r\n", 27) == 0,
	    "the second step runs after it, with the first one's answer");
	ok(!r.is_error && r.upstream_status == 200, "the chain succeeded");
	is_json("{\"id\": 42, \"name\": \"Rex\"}", r.structured,
	    "the chain's result is its last step's answer");
	toolexec_result_free(&r);

	is_int(0, run(&policy, config, "adopt", "{'owner': 'Bo', 'suffix':"
	    " 'x'}", &r, &err), "a chain whose second step fails is a result");
	(void)server_request(report, req, sizeof(req));
	(void)server_request(report, req, sizeof(req));
	ok(r.is_error && r.upstream_status == 404 && r.structured == NULL,
	    "... an error with the failing step's status");
	is_string("Step 'second' (2 of 2) failed: Upstream answered HTTP 404:"
	    " no such pet", text_of(&r), "... naming the step");
	toolexec_result_free(&r);

	is_int(0, run(&policy, config, "look_first", NULL, &r, &err),
	    "a chain whose first step fails is a result");
	is_string("Step 'look' (1 of 2) failed: Upstream answered HTTP 404:"
	    " no such pet", text_of(&r), "... naming the first step");
	toolexec_result_free(&r);
	(void)server_request(report, req, sizeof(req));
	is_int(0, run(&policy, config, "get_pet", "{'petId': 42}", &r, &err),
	    "another call runs after it");
	seen = server_request(report, req, sizeof(req));
	ok(strncmp(seen, "GET /api/pets/42 ", 17) == 0,
	    "... and is the next request the upstream saw: a failed step"
	    " stops the chain");
	toolexec_result_free(&r);

	json_object_put(config);
	close(report);
	server_kill();
	error_clear(&err);
}

int
main(void)
{
	plan(153);
	atexit(server_kill);
	test_paths();
	test_queries();
	test_headers();
	test_bodies();
	test_auth();
	test_token_request();
	test_answers();
	test_references();
	test_run_refusals();
	test_run_upstream();
	return 0;
}

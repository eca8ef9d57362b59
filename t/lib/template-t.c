/*
 * template-t.c: tests for the pure checks behind app templates and app
 * creation: template_check() (template.h, docs/templates.md) and
 * appwrite_check() with appwrite_slug_from_name() (appwrite.h,
 * docs/api-v1/apps.md).
 *
 * Every shipped template (the .json files in templates/ under
 * $DRIO_SRCDIR, or under the current directory) must pass, with its
 * file name as the expected id.  Then a small valid template built
 * here (an api_key connection, an integration with an inline OpenAPI
 * document of one operation, a tool rendered by a widget with one
 * action) is changed in exactly one respect, and the answer must be a
 * 422 with one detail of type template_format whose loc is ["body",
 * the JSON Pointer of the fault].
 * Last, each rule of an app's fields is broken in one respect (422 with
 * exactly the details expected) and slugs are made from names.
 * Listing, reading and instantiating templates need the database and
 * are tested end to end (t/45-api-v1-apps.t).
 *
 * SPDX-License-Identifier: MIT
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "appwrite.h"
#include "arena.h"
#include "template.h"
#include "t/tap/basic.h"

#define WORKSPACE "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f"

#define SHIPPED_MAX 64

static struct arena *arena;

/*
 * The valid template, with ' for ".  Its one auth connection, integration
 * (whose document has the one operation getPet), tool and widget use
 * each other, so each can be made to name something missing.
 */
static const char valid_template[] =
	"{'id': 'pets', 'version': 1, 'name': 'Pets',"
	" 'description': 'Look up the pets of a pet shop.',"
	" 'category': 'data', 'mode': 'workflow', 'icon': 'P',"
	" 'icon_background': '#A1B2C3', 'tags': ['pets', 'shop-api'],"
	" 'app': {'description': 'Find a pet by its id.',"
	"  'branding': {'primary_color': '#102030',"
	"   'website_url': 'https://pets.example.com'}},"
	" 'auth_connections': ["
	"  {'name': 'Pet key', 'type': 'api_key',"
	"   'settings': {'in': 'header', 'name': 'X-Api-Key'},"
	"   'help': 'Ask the shop for a key.'}],"
	" 'integrations': ["
	"  {'name': 'Petstore', 'kind': 'openapi',"
	"   'base_url': 'https://pets.example.com/v1',"
	"   'auth_connection': 'Pet key',"
	"   'openapi': {'openapi': '3.0.3',"
	"    'info': {'title': 'Petstore', 'version': '1.0'},"
	"    'servers': [{'url': 'https://pets.example.com/v1'}],"
	"    'paths': {'/pets/{petId}': {'get': {'operationId': 'getPet',"
	"     'summary': 'Get a pet',"
	"     'parameters': [{'name': 'petId', 'in': 'path',"
	"      'required': true, 'schema': {'type': 'string'}}],"
	"     'responses': {'200': {'description': 'The pet'}}}}}}}],"
	" 'tools': ["
	"  {'integration': 'Petstore', 'operation': 'getPet',"
	"   'name': 'get_pet', 'title': 'Get a pet',"
	"   'description': 'Look up one pet by its id.',"
	"   'widget': 'pet_card'}],"
	" 'widgets': ["
	"  {'name': 'pet_card', 'title': 'Pet', 'description': 'A card.',"
	"   'template': '<!doctype html><style>p{color:red}</style>"
	"<p>pet</p><script>let x = 1;</script>',"
	"   'actions': [{'name': 'again', 'label': 'Again',"
	"    'type': 'tool_call', 'tool': 'get_pet'}]}]}";

/* The changes to make: JSON Pointer, new value (with ' for "), ... */
#define EDITS(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define NO_EDITS ((const char *const[]){ NULL })

/* The value of an edit that removes the member. */
static const char removed[] = "(removed)";
#define REMOVE removed

/*
 * Parse text, JSON written with ' for ", into a new value (NULL for
 * null).  Bails when it is not JSON, since that is a bug in the test.
 */
static json_object *
parse(const char *text)
{
	enum json_tokener_error jerr;
	json_object *obj;
	char *copy, *p;

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

/* n copies of s, in the arena. */
static const char *
repeat(const char *s, size_t n)
{
	size_t len = strlen(s), i;
	char *out;

	if ((out = arena_alloc(arena, len * n + 1)) == NULL)
		bail("out of memory");
	for (i = 0; i < n; i++)
		memcpy(out + i * len, s, len);
	return out;
}

/*
 * The parent of what pointer names in doc, and the last token of
 * pointer in *last (not unescaped).  Bails when there is none.
 */
static json_object *
parent_of(json_object *doc, const char *pointer, const char **last)
{
	const char *slash = strrchr(pointer, '/');
	json_object *parent;

	if (slash == NULL || json_pointer_get(doc, arena_strndup(arena,
	    pointer, (size_t)(slash - pointer)), &parent) != 0)
		bail("no parent for %s", pointer);
	*last = slash + 1;
	return parent;
}

/* Remove the member or element pointer names from doc.  Bails if none. */
static void
remove_at(json_object *doc, const char *pointer)
{
	const char *last;
	json_object *parent = parent_of(doc, pointer, &last);

	if (json_object_is_type(parent, json_type_object) &&
	    json_object_object_get_ex(parent, last, NULL))
		json_object_object_del(parent, last);
	else if (json_object_is_type(parent, json_type_array) &&
	    (size_t)atoi(last) < json_object_array_length(parent))
		json_object_array_del_idx(parent, (size_t)atoi(last), 1);
	else
		bail("nothing to remove at %s", pointer);
}

/*
 * Set what pointer names in doc to value (taken), appending when it
 * names the element just past the end of an array.  Bails when it
 * cannot.
 */
static void
set_at(json_object *doc, const char *pointer, json_object *value)
{
	const char *last;
	json_object *parent = parent_of(doc, pointer, &last);

	if (json_object_is_type(parent, json_type_array) &&
	    (size_t)atoi(last) == json_object_array_length(parent))
		json_object_array_add(parent, value);
	else if (json_pointer_set(&doc, pointer, value) != 0)
		bail("cannot set %s in the test template", pointer);
}

/* The valid template changed by edits.  Returns a new object. */
static json_object *
template_with(const char *const *edits)
{
	json_object *doc = parse(valid_template);
	size_t i;

	for (i = 0; edits[i] != NULL; i += 2) {
		if (edits[i + 1] == NULL)
			bail("edit %s has no value", edits[i]);
		if (edits[i + 1] == removed)
			remove_at(doc, edits[i]);
		else
			set_at(doc, edits[i], parse(edits[i + 1]));
	}
	return doc;
}

/*
 * What template_check answered, as one line: "ok" for 0 with no error
 * set; for -1 with ERR_VALIDATION, a message and exactly one detail
 * {loc: ["body", pointer], msg, type: "template_format"}, the pointer;
 * anything else described.
 */
static const char *
template_outcome(int rc, const struct error *err)
{
	json_object *d, *loc, *type, *msg;

	if (rc == 0)
		return err->code == ERR_NONE && err->details == NULL ? "ok" :
		    "0 with an error set";
	if (rc != -1)
		return arena_printf(arena, "returned %d", rc);
	if (err->code != ERR_VALIDATION)
		return arena_printf(arena, "code %s",
		    error_code_string(err->code));
	if (err->message[0] == '\0')
		return "no message";
	if (!json_object_is_type(err->details, json_type_array) ||
	    json_object_array_length(err->details) != 1)
		return "not one detail";
	d = json_object_array_get_idx(err->details, 0);
	if (!json_object_object_get_ex(d, "loc", &loc) ||
	    !json_object_object_get_ex(d, "type", &type) ||
	    !json_object_object_get_ex(d, "msg", &msg) ||
	    !json_object_is_type(loc, json_type_array) ||
	    json_object_array_length(loc) != 2 ||
	    !json_object_is_type(json_object_array_get_idx(loc, 0),
	    json_type_string) ||
	    strcmp(json_object_get_string(json_object_array_get_idx(loc, 0)),
	    "body") != 0 ||
	    !json_object_is_type(json_object_array_get_idx(loc, 1),
	    json_type_string))
		return "malformed detail";
	if (strcmp(json_object_get_string(type), "template_format") != 0)
		return arena_printf(arena, "type %s",
		    json_object_get_string(type));
	if (json_object_get_string_len(msg) == 0)
		return "detail without a message";
	return arena_printf(arena, "%s", json_object_get_string(
	    json_object_array_get_idx(loc, 1)));
}

/*
 * One test: the valid template changed by edits, checked with
 * expected_id, answers expected ("ok" or the pointer of the fault).
 */
static void
expect_id(const char *const *edits, const char *expected_id,
    const char *expected, const char *promise)
{
	struct error err = { .code = ERR_NONE };
	json_object *doc = template_with(edits);
	int rc;

	rc = template_check(doc, expected_id, &err);
	if (!is_string(expected, template_outcome(rc, &err), "%s", promise) &&
	    err.code != ERR_NONE)
		diag("message: %s", err.message);
	error_clear(&err);
	json_object_put(doc);
}

/* As expect_id(), with the expected id "pets". */
static void
expect(const char *const *edits, const char *expected, const char *promise)
{
	expect_id(edits, "pets", expected, promise);
}

/* A JSON string value of n copies of s, as parse() reads it. */
static const char *
text_of(const char *s, size_t n)
{
	return arena_printf(arena, "'%s'", repeat(s, n));
}

/* ---------------------------------------------------------------- */
/* The shipped templates                                            */

/* The directory of the shipped templates. */
static char *
templates_dir(void)
{
	const char *srcdir = getenv("DRIO_SRCDIR");
	char *path;

	if (asprintf(&path, "%s/templates", srcdir != NULL ? srcdir :
	    ".") == -1)
		bail("out of memory");
	return path;
}

/*
 * The names of the *.json files in dir, sorted, into names (at most
 * SHIPPED_MAX).  Returns how many.  Bails when dir cannot be read.
 */
static size_t
shipped_files(const char *dir, char *names[SHIPPED_MAX])
{
	struct dirent *entry;
	size_t n = 0, i, j, len;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		sysbail("cannot open %s", dir);
	while ((entry = readdir(d)) != NULL) {
		len = strlen(entry->d_name);
		if (len <= 5 || strcmp(entry->d_name + len - 5, ".json") != 0)
			continue;
		if (n == SHIPPED_MAX)
			bail("more than %d templates", SHIPPED_MAX);
		if ((names[n++] = strdup(entry->d_name)) == NULL)
			sysbail("strdup");
	}
	closedir(d);
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
			char *t = names[j];

			names[j] = names[j - 1];
			names[j - 1] = t;
		}
	return n;
}

/* One test per shipped template: it passes under its file name. */
static void
test_shipped(const char *dir, char *const *names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct error err = { .code = ERR_NONE };
		char *path, *id;
		json_object *doc;
		int rc;

		if (asprintf(&path, "%s/%s", dir, names[i]) == -1)
			bail("out of memory");
		if ((doc = json_object_from_file(path)) == NULL)
			bail("cannot read %s", path);
		id = arena_strndup(arena, names[i], strlen(names[i]) - 5);
		rc = template_check(doc, id, &err);
		if (!is_string("ok", template_outcome(rc, &err),
		    "the shipped template %s passes", names[i]))
			diag("%s", err.message);
		error_clear(&err);
		json_object_put(doc);
		free(path);
	}
}

/* ---------------------------------------------------------------- */
/* Mutated templates                                                */

static void
test_top_level(void)
{
	struct error err = { .code = ERR_NONE };
	json_object *array = parse("[]"), *doc;

	expect(NO_EDITS, "ok", "the test template passes");
	expect_id(NO_EDITS, NULL, "ok", "and passes without an expected id");
	expect_id(NO_EDITS, "pet", "/id",
	    "an id other than the file name is refused at /id");
	is_int(-1, template_check(array, NULL, &err),
	    "a template that is an array is refused");
	is_int(ERR_VALIDATION, err.code, "as a validation error");
	error_clear(&err);
	json_object_put(array);

	expect(EDITS("/theme", "'dark'"), "/theme",
	    "an unknown member is refused at its pointer");
	doc = template_with(NO_EDITS);
	json_object_object_add(doc, "a/b~c", json_object_new_int(1));
	is_string("/a~1b~0c", template_outcome(template_check(doc, NULL,
	    &err), &err),
	    "'/' and '~' in an unknown member's name are escaped");
	error_clear(&err);
	json_object_put(doc);
	expect(EDITS("/id", REMOVE), "/id", "a missing id is refused");
	expect_id(EDITS("/id", "'Pets'"), "Pets", "/id",
	    "an id with capitals is refused");
	expect_id(EDITS("/id", "'-pets'"), "-pets", "/id",
	    "an id starting with a dash is refused");
	expect_id(EDITS("/id", text_of("p", 63)), repeat("p", 63), "ok",
	    "an id of exactly 63 characters passes");
	expect_id(EDITS("/id", text_of("p", 64)), repeat("p", 64), "/id",
	    "an id of 64 characters is refused");
	expect(EDITS("/version", "'1'"), "/version",
	    "a version that is a string is refused");
	expect(EDITS("/version", "1.5"), "/version",
	    "a version that is not an integer is refused");
	expect(EDITS("/version", "0"), "/version", "version 0 is refused");
	expect(EDITS("/version", "2147483647"), "ok",
	    "version 2147483647 passes");
	expect(EDITS("/version", "2147483648"), "/version",
	    "version 2147483648 is refused");
	expect(EDITS("/version", REMOVE), "/version",
	    "a missing version is refused");
	expect(EDITS("/name", "''"), "/name", "an empty name is refused");
	expect(EDITS("/name", text_of("\xc3\xa9", 255)), "ok",
	    "a name of exactly 255 characters passes");
	expect(EDITS("/name", text_of("n", 256)), "/name",
	    "a name of 256 characters is refused");
	expect(EDITS("/description", "''"), "/description",
	    "an empty description is refused");
	expect(EDITS("/category", "'games'"), "/category",
	    "an unknown category is refused");
	expect(EDITS("/mode", "'chatbot'"), "/mode",
	    "an unknown mode is refused");
	expect(EDITS("/icon", "''"), "/icon", "an empty icon is refused");
	expect(EDITS("/icon_background", "'#ABC'"), "/icon_background",
	    "a three-digit colour is refused");
	expect(EDITS("/icon_background", "'#GGHHII'"), "/icon_background",
	    "a colour that is not hex is refused");
	expect(EDITS("/tags", "['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']"),
	    "ok", "eight tags pass");
	expect(EDITS("/tags", "['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h',"
	    " 'i']"), "/tags", "nine tags are refused");
	expect(EDITS("/tags/1", "'Shop'"), "/tags/1",
	    "a tag with a capital is refused at its index");
	expect(EDITS("/tags/1", "'shop--api'"), "/tags/1",
	    "a tag with a double dash is refused");
	expect(EDITS("/tags/1", "'pets'"), "/tags/1",
	    "a tag given twice is refused at the second");
	expect(EDITS("/tags", "'pets'"), "/tags",
	    "tags that are a string are refused");
	expect(EDITS("/widgets", REMOVE), "/widgets",
	    "a missing widgets list is refused");
}

static void
test_app(void)
{
	expect(EDITS("/app/theme", "'dark'"), "/app/theme",
	    "an unknown app member is refused");
	expect(EDITS("/app/description", text_of("d", 4000)), "ok",
	    "an app description of exactly 4000 characters passes");
	expect(EDITS("/app/description", text_of("d", 4001)),
	    "/app/description",
	    "an app description of 4001 characters is refused");
	expect(EDITS("/app/branding", "{}"), "ok", "empty branding passes");
	expect(EDITS("/app/branding/primary_color", "'red'"),
	    "/app/branding/primary_color",
	    "a primary colour that is a name is refused");
	expect(EDITS("/app/branding/website_url", "'http://pets.example.com'"),
	    "/app/branding/website_url",
	    "a plain http website URL is refused");
	expect(EDITS("/app/branding/logo", "'https://pets.example.com/l'"),
	    "/app/branding/logo", "an unknown branding key is refused");
}

static void
test_auth_connections(void)
{
	expect(EDITS("/auth_connections/0/secret", "{'value': 'k'}"),
	    "/auth_connections/0/secret",
	    "a template never carries a secret");
	expect(EDITS("/auth_connections/0/type", "'digest'"),
	    "/auth_connections/0", "an unknown auth type is refused");
	expect(EDITS("/auth_connections/0/help", REMOVE),
	    "/auth_connections/0/help",
	    "an auth connection without help is refused");
	expect(EDITS("/auth_connections/0/settings/in", "'cookie'"),
	    "/auth_connections/0/settings/in",
	    "an api_key in a cookie is refused");
	expect(EDITS("/auth_connections/0/settings/name", "'X Api Key'"),
	    "/auth_connections/0/settings/name",
	    "a header name the API refuses is refused here too");
	expect(EDITS("/auth_connections/0/settings/name", REMOVE),
	    "/auth_connections/0/settings/name",
	    "an api_key without its name is refused");
	expect(EDITS("/auth_connections/0/type", "'bearer'"),
	    "/auth_connections/0/settings/in",
	    "bearer takes no settings members");
	expect(EDITS("/auth_connections/0/type", "'oauth2'",
	    "/auth_connections/0/settings", "{'grant': 'client_credentials',"
	    " 'token_url': 'https://pets.example.com/token',"
	    " 'scopes': ['read']}"), "ok",
	    "an oauth2 connection with client_credentials passes");
	expect(EDITS("/auth_connections/0/type", "'oauth2'",
	    "/auth_connections/0/settings", "{'grant': 'authorization_code',"
	    " 'token_url': 'https://pets.example.com/token'}"),
	    "/auth_connections/0/settings/authorize_url",
	    "authorization_code without an authorize URL is refused");
	expect(EDITS("/auth_connections/0/type", "'oauth2'",
	    "/auth_connections/0/settings", "{'grant': 'client_credentials',"
	    " 'token_url': 'http://pets.example.com/token'}"),
	    "/auth_connections/0/settings/token_url",
	    "a plain http token URL is refused in a template");
	expect(EDITS("/auth_connections/1", "{'name': 'Pet key',"
	    " 'type': 'none', 'settings': {}, 'help': 'None.'}"),
	    "/auth_connections/1",
	    "two auth connections of one name are refused at the second");
	expect(EDITS("/auth_connections/1", "{'name': 'Spare',"
	    " 'type': 'none', 'settings': {}, 'help': 'None.'}"),
	    "/auth_connections/1",
	    "an auth connection no integration uses is refused");
	expect(EDITS("/integrations/0/auth_connection", "null"),
	    "/auth_connections/0",
	    "so is the only one when its integration drops it");
}

static void
test_integrations(void)
{
	expect(EDITS("/integrations", "[]"), "/integrations",
	    "a template without integrations is refused");
	expect(EDITS("/integrations/0/kind", "'graphql'"),
	    "/integrations/0/kind", "a kind other than openapi is refused");
	expect(EDITS("/integrations/0/base_url",
	    "'https://pets.example.com/v1/'",
	    "/integrations/0/openapi/servers/0/url",
	    "'https://pets.example.com/v1/'"), "/integrations/0/base_url",
	    "a base URL with a trailing slash is refused");
	expect(EDITS("/integrations/0/base_url", "'http://pets.example.com'",
	    "/integrations/0/openapi/servers/0/url",
	    "'http://pets.example.com'"), "/integrations/0/base_url",
	    "a plain http base URL is refused");
	expect(EDITS("/integrations/0/auth_connection", "'Other key'"),
	    "/integrations/0/auth_connection",
	    "an integration naming a missing auth connection is refused");
	expect(EDITS("/integrations/0/auth_connection", REMOVE),
	    "/integrations/0/auth_connection",
	    "auth_connection is required, null for none");
	expect(EDITS("/integrations/0/openapi/servers/0/url",
	    "'https://other.example.com/v1'"),
	    "/integrations/0/openapi/servers/0/url",
	    "a server URL other than the base URL is refused");
	expect(EDITS("/integrations/0/openapi/servers", "[]"),
	    "/integrations/0/openapi/servers/0/url",
	    "a document without servers is refused");
	expect(EDITS("/integrations/0/openapi/openapi", "'2.0'"),
	    "/integrations/0/openapi/openapi",
	    "a Swagger 2.0 document is refused");
	expect(EDITS("/integrations/0/openapi/openapi", "'3.1.0'"), "ok",
	    "an OpenAPI 3.1 document passes");
	expect(EDITS("/integrations/0/openapi/info/title", REMOVE),
	    "/integrations/0/openapi/info/title",
	    "a document without a title is refused");
	expect(EDITS("/integrations/0/openapi/paths/~1pets~1{petId}/get"
	    "/operationId", REMOVE),
	    "/integrations/0/openapi/paths/~1pets~1{petId}/get",
	    "an operation without an operationId is refused at its pointer");
	expect(EDITS("/integrations/0/openapi/paths/~1pets~1{petId}/get"
	    "/parameters/1", "{'name': 'session', 'in': 'cookie',"
	    " 'schema': {'type': 'string'}}"),
	    "/integrations/0/openapi/paths/~1pets~1{petId}/get/parameters/1",
	    "a document discovery warns about is refused at the warning");
	expect(EDITS("/integrations/1", "{'name': 'Petstore',"
	    " 'kind': 'openapi', 'base_url': 'https://pets.example.com/v1',"
	    " 'auth_connection': null, 'openapi': {}}"), "/integrations/1",
	    "two integrations of one name are refused at the second");
}

static void
test_tools(void)
{
	expect(EDITS("/tools", "[]", "/widgets", "[]"), "/tools",
	    "a template without tools is refused");
	expect(EDITS("/tools/0/integration", "'Catstore'"),
	    "/tools/0/integration",
	    "a tool naming a missing integration is refused");
	expect(EDITS("/tools/0/operation", "'listPets'"),
	    "/tools/0/operation",
	    "a tool naming a missing operation is refused");
	expect(EDITS("/tools/0/widget", "'cat_card'"), "/tools/0/widget",
	    "a tool naming a missing widget is refused");
	expect(EDITS("/tools/0/name", "'get pet'"), "/tools/0",
	    "a tool name with a space is refused");
	expect(EDITS("/tools/0/binding", "{}"), "/tools/0/binding",
	    "a tool member templates do not have is refused");
	expect(EDITS("/tools/0/title", "''"), "/tools/0/title",
	    "an empty tool title is refused");
	expect(EDITS("/tools/0/description", text_of("d", 8000)), "ok",
	    "a tool description of exactly 8000 characters passes");
	expect(EDITS("/tools/0/description", text_of("d", 8001)),
	    "/tools/0/description",
	    "a tool description of 8001 characters is refused");
	expect(EDITS("/tools/1", "{'integration': 'Petstore',"
	    " 'operation': 'getPet', 'name': 'get_pet', 'title': 'Again',"
	    " 'description': '', 'widget': null}"), "/tools/1",
	    "two tools of one name are refused at the second");
	expect(EDITS("/tools/0/widget", "null"), "/widgets/0",
	    "a widget no tool uses is refused");
}

/* Edits that make the widget's template html. */
#define WITH_HTML(html) EDITS("/widgets/0/template", "'" html "'")

static void
test_widgets(void)
{
	expect(WITH_HTML("<p>no doctype</p>"), "/widgets/0/template",
	    "a template that is not a whole HTML document is refused");
	expect(WITH_HTML("\\n  <!DOCTYPE HTML><p>x</p>"), "ok",
	    "a doctype in capitals after white space passes");
	expect(WITH_HTML("<!doctype html><script"
	    " src=\\\"https://cdn.example.com/x.js\\\"></script>"),
	    "/widgets/0/template",
	    "a widget with an external script src is refused");
	expect(WITH_HTML("<!doctype html><script src = "
	    "\\\"https://cdn.example.com/x.js\\\"></script>"),
	    "/widgets/0/template",
	    "spaces around the = of a src change nothing");
	expect(WITH_HTML("<!doctype html><img srcset=\\\"a.png 1x,"
	    " https://cdn.example.com/b.png 2x\\\">"), "/widgets/0/template",
	    "a srcset candidate from elsewhere is refused");
	expect(WITH_HTML("<!doctype html><p>the data = https://x is"
	    " prose</p>"), "ok", "text outside a tag is not an attribute");
	expect(WITH_HTML("<!doctype html><img src=//cdn.example.com/x.png>"),
	    "/widgets/0/template",
	    "a scheme-relative image src is refused");
	expect(WITH_HTML("<!doctype html><link rel=stylesheet"
	    " href=x.css>"), "/widgets/0/template",
	    "a linked style sheet is refused");
	expect(WITH_HTML("<!doctype html><style>@import url(x.css);"
	    "</style>"), "/widgets/0/template", "an @import is refused");
	expect(WITH_HTML("<!doctype html><style>body{background:"
	    "url(http://cdn.example.com/bg.png)}</style>"),
	    "/widgets/0/template", "a CSS url() from elsewhere is refused");
	expect(WITH_HTML("<!doctype html><img src=\\\"data:image/gif;base64,"
	    "R0lGODlhAQABAAAAACw=\\\">"), "ok",
	    "an inline data: image passes");
	expect(EDITS("/widgets/0/csp", "{'script_domains': ['http://x']}"),
	    "/widgets/0/csp/script_domains",
	    "a csp the API refuses is refused here too");
	expect(EDITS("/widgets/0/csp", "[]"), "/widgets/0/csp",
	    "a csp that is not an object is refused");
	expect(EDITS("/widgets/0/prefers_border", "'yes'"),
	    "/widgets/0/prefers_border",
	    "a prefers_border that is not a boolean is refused");
	expect(EDITS("/widgets/0/prefers_border", "true",
	    "/widgets/0/csp", "{}"), "ok",
	    "prefers_border and an empty csp pass");
	expect(EDITS("/widgets/0/title", "''"), "ok",
	    "an empty widget title passes");
	expect(EDITS("/widgets/0/name", "'pet card'",
	    "/tools/0/widget", "'pet card'"), "/widgets/0",
	    "a widget name with a space is refused");
	expect(EDITS("/widgets/0/actions/0/tool", "'list_pets'"),
	    "/widgets/0/actions/0",
	    "an action naming a missing tool is refused");
	expect(EDITS("/widgets/0/actions/0/type", "'link'"),
	    "/widgets/0/actions/0",
	    "an action type other than tool_call is refused");
	expect(EDITS("/widgets/0/actions/0/label", REMOVE),
	    "/widgets/0/actions/0/label",
	    "an action without a label is refused");
	expect(EDITS("/widgets/0/actions/0/label", text_of("L", 65)),
	    "/widgets/0/actions/0/label",
	    "a label of 65 characters is refused");
	expect(EDITS("/widgets/0/actions/0/arguments", "{}"),
	    "/widgets/0/actions/0/arguments",
	    "template actions take no arguments");
	expect(EDITS("/widgets/0/actions/1", "{'name': 'again',"
	    " 'label': 'Twice', 'type': 'tool_call', 'tool': 'get_pet'}"),
	    "/widgets/0/actions/1",
	    "two actions of one name are refused at the second");
}

/* ---------------------------------------------------------------- */
/* App fields                                                       */

/*
 * What appwrite_check answered, as one line: "ok" for 0 with no error
 * set; otherwise the code string, then each detail as its loc joined
 * with "/" and its type, in the order reported.
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
		for (j = 0; j < json_object_array_length(loc); j++)
			where = arena_printf(arena, "%s%s%s", where,
			    j == 0 ? "" : "/", json_object_get_string(
			    json_object_array_get_idx(loc, j)));
		s = arena_printf(arena, "%s%s %s %s%s", s, i == 0 ? ":" : ",",
		    where, json_object_get_string(type),
		    json_object_get_string_len(msg) == 0 ? " (no message)" :
		    "");
	}
	return s;
}

/* One test: appwrite_check(f, create) answers expected. */
static void
expect_app(const struct app_fields *f, bool create, const char *expected,
    const char *promise)
{
	struct error err = { .code = ERR_NONE };
	int rc;

	rc = appwrite_check(f, create, &err);
	is_string(expected, outcome(rc, &err), "%s", promise);
	error_clear(&err);
}

/* One test: an update of branding (JSON text) answers expected. */
static void
expect_branding(const char *branding, const char *expected,
    const char *promise)
{
	struct app_fields f = { .name = NULL };

	f.branding = parse(branding);
	expect_app(&f, false, expected, promise);
	json_object_put(f.branding);
}

/* One test: an update of tags (JSON text) answers expected. */
static void
expect_tags(const char *tags, const char *expected, const char *promise)
{
	struct app_fields f = { .name = NULL };

	f.tags = parse(tags);
	expect_app(&f, false, expected, promise);
	json_object_put(f.tags);
}

/* A JSON array of n distinct tags. */
static const char *
tags(size_t n)
{
	const char *s = "";
	size_t i;

	for (i = 0; i < n; i++)
		s = arena_printf(arena, "%s%s't%zu'", s, i == 0 ? "" : ", ", i);
	return arena_printf(arena, "[%s]", s);
}

static void
test_app_fields(void)
{
	struct app_fields f = { .workspace_id = WORKSPACE, .name = "Pets" };
	struct app_fields none = { .name = NULL };
	const char *url;

	expect_app(&f, true, "ok", "a create with a workspace and name passes");
	expect_app(&none, true, "validation_error: body/workspace_id missing,"
	    " body/name missing", "a create needs a workspace and a name");
	expect_app(&none, false, "ok", "an update may change nothing");
	f.workspace_id = "acme";
	expect_app(&f, true, "validation_error: body/workspace_id"
	    " uuid_parsing", "a workspace id that is not a UUID is refused");
	f.workspace_id = WORKSPACE;

	f.name = "";
	expect_app(&f, true, "validation_error: body/name string_too_short",
	    "an empty name is refused");
	f.name = repeat("\xc3\xa9", 255);
	expect_app(&f, true, "ok",
	    "a name of exactly 255 two-byte characters passes");
	f.name = repeat("n", 256);
	expect_app(&f, true, "validation_error: body/name string_too_long",
	    "a name of 256 characters is refused");
	f.name = "Pets";

	f.slug = "a";
	expect_app(&f, true, "ok", "a one-character slug passes");
	f.slug = repeat("s", APPWRITE_SLUG_MAX);
	expect_app(&f, true, "ok", "a slug of exactly 63 characters passes");
	f.slug = repeat("s", APPWRITE_SLUG_MAX + 1);
	expect_app(&f, true, "validation_error: body/slug"
	    " string_pattern_mismatch", "a slug of 64 characters is refused");
	f.slug = "-pets";
	expect_app(&f, true, "validation_error: body/slug"
	    " string_pattern_mismatch", "a slug starting with '-' is refused");
	f.slug = "pets-";
	expect_app(&f, true, "validation_error: body/slug"
	    " string_pattern_mismatch", "a slug ending with '-' is refused");
	f.slug = "Pets";
	expect_app(&f, true, "validation_error: body/slug"
	    " string_pattern_mismatch", "a slug with a capital is refused");
	f.slug = "my_pets";
	expect_app(&f, true, "validation_error: body/slug"
	    " string_pattern_mismatch", "a slug with '_' is refused");
	f.slug = "";
	expect_app(&f, true, "validation_error: body/slug"
	    " string_pattern_mismatch", "an empty slug is refused");
	f.slug = NULL;

	f.mode = "agent-chat";
	expect_app(&f, true, "ok", "a listed mode passes");
	f.mode = "chatbot";
	expect_app(&f, true, "validation_error: body/mode enum",
	    "an unknown mode is refused");
	f.mode = NULL;

	f.description = repeat("d", 4000);
	expect_app(&f, true, "ok",
	    "a description of exactly 4000 characters passes");
	f.description = repeat("d", 4001);
	expect_app(&f, true, "validation_error: body/description"
	    " string_too_long", "a description of 4001 characters is refused");
	f.description = "";
	expect_app(&f, true, "ok", "an empty description passes");
	f.description = NULL;

	f.icon_type = "svg";
	expect_app(&f, true, "validation_error: body/icon_type enum",
	    "an unknown icon type is refused");
	f.icon_type = "emoji";
	f.icon = repeat("i", 2048);
	expect_app(&f, true, "ok", "an icon of exactly 2048 characters passes");
	f.icon = repeat("i", 2049);
	expect_app(&f, true, "validation_error: body/icon string_too_long",
	    "an icon of 2049 characters is refused");
	f.icon = "not a url";
	expect_app(&f, true, "ok", "an emoji icon need not be a URL");
	f.icon_type = "link";
	expect_app(&f, true, "validation_error: body/icon url_parsing",
	    "a link icon must be a URL");
	f.icon = "http://pets.example.com/i.png";
	expect_app(&f, true, "ok", "a link icon may be an http URL");
	f.icon = "";
	expect_app(&f, true, "ok", "a link icon may be empty");
	f.icon = NULL;
	f.icon_type = NULL;

	f.icon_background = "#a1B2c3";
	expect_app(&f, true, "ok", "a colour in either case passes");
	f.icon_background = "";
	expect_app(&f, true, "ok", "an empty icon background passes");
	f.icon_background = "#abc";
	expect_app(&f, true, "validation_error: body/icon_background"
	    " string_pattern_mismatch", "a three-digit colour is refused");
	f.icon_background = "A1B2C3F";
	expect_app(&f, true, "validation_error: body/icon_background"
	    " string_pattern_mismatch", "a colour without '#' is refused");
	f.icon_background = NULL;

	f.visibility = "public";
	expect_app(&f, true, "ok", "public visibility passes");
	f.visibility = "secret";
	expect_app(&f, true, "validation_error: body/visibility enum",
	    "an unknown visibility is refused");
	f.visibility = NULL;

	f.template_id = "github-issues";
	expect_app(&f, true, "ok", "a template id passes");
	f.template_id = "GitHub";
	expect_app(&f, true, "validation_error: body/template_id"
	    " string_pattern_mismatch",
	    "a template id with capitals is refused");
	f.template_id = NULL;

	expect_branding("{}", "ok", "empty branding passes");
	expect_branding("{'primary_color': '#102030',"
	    " 'logo_url': 'https://p.example.com/l.png',"
	    " 'website_url': 'https://p.example.com',"
	    " 'privacy_policy_url': 'https://p.example.com/privacy',"
	    " 'terms_of_service_url': 'https://p.example.com/terms'}", "ok",
	    "every branding key passes");
	expect_branding("[]", "validation_error: body/branding dict_type",
	    "branding that is not an object is refused");
	expect_branding("{'color': '#102030'}",
	    "validation_error: body/branding extra_forbidden",
	    "an unknown branding key is refused");
	expect_branding("{'primary_color': 'red'}",
	    "validation_error: body/branding string_pattern_mismatch",
	    "a primary colour that is a name is refused");
	expect_branding("{'logo_url': 'http://p.example.com/l.png'}",
	    "validation_error: body/branding url_parsing",
	    "a plain http logo URL is refused");
	expect_branding("{'website_url': 5}",
	    "validation_error: body/branding url_parsing",
	    "a website URL that is a number is refused");
	url = arena_printf(arena, "https://p.example.com/%s",
	    repeat("p", 2048 - strlen("https://p.example.com/")));
	expect_branding(arena_printf(arena, "{'logo_url': '%s'}", url), "ok",
	    "a logo URL of exactly 2048 characters passes");
	expect_branding(arena_printf(arena, "{'logo_url': '%sp'}", url),
	    "validation_error: body/branding url_parsing",
	    "a logo URL of 2049 characters is refused");

	expect_tags("[]", "ok", "no tags pass");
	expect_tags(tags(APPWRITE_TAGS_MAX), "ok", "exactly 32 tags pass");
	expect_tags(tags(APPWRITE_TAGS_MAX + 1),
	    "validation_error: body/tags too_long", "33 tags are refused");
	expect_tags("'pets'", "validation_error: body/tags list_type",
	    "tags that are a string are refused");
	expect_tags("['']", "validation_error: body/tags string_type",
	    "an empty tag is refused");
	expect_tags("[5]", "validation_error: body/tags string_type",
	    "a tag that is a number is refused");
	expect_tags(arena_printf(arena, "['%s']", repeat("t", 64)), "ok",
	    "a tag of exactly 64 characters passes");
	expect_tags(arena_printf(arena, "['%s']", repeat("t", 65)),
	    "validation_error: body/tags string_type",
	    "a tag of 65 characters is refused");
	expect_tags("['pets', 'Pets', 'pets']",
	    "validation_error: body/tags duplicate",
	    "a tag given twice is refused (case counts)");

	f.workspace_id = "x";
	f.name = NULL;
	f.slug = "X";
	f.visibility = "all";
	expect_app(&f, true, "validation_error: body/workspace_id"
	    " uuid_parsing, body/name missing,"
	    " body/slug string_pattern_mismatch, body/visibility enum",
	    "every fault of an app is reported at once");
}

/* One test: the slug of name, made into a buffer of size, is expected. */
static void
expect_slug(const char *name, size_t size, const char *expected,
    const char *promise)
{
	char slug[128];

	memset(slug, 'X', sizeof(slug));
	appwrite_slug_from_name(name, slug, size);
	is_string(expected, slug, "%s", promise);
}

static void
test_slugs(void)
{
	struct app_fields f = { .name = NULL };
	char slug[APPWRITE_SLUG_MAX + 1], name[66];

	expect_slug("Issue Triage", 64, "issue-triage",
	    "a name becomes a lower-case slug");
	expect_slug("  Hello,   World!  ", 64, "hello-world",
	    "runs of other characters become one dash, none at the ends");
	expect_slug("Caf\xc3\xa9 au lait", 64, "caf-au-lait",
	    "non-ASCII letters count as other characters");
	expect_slug("ABC123", 64, "abc123", "digits are kept");
	expect_slug("", 64, "app", "an empty name makes 'app'");
	expect_slug("!!! ???", 64, "app",
	    "a name of nothing usable makes 'app'");
	expect_slug("\xe6\x97\xa5\xe6\x9c\xac", 64, "app",
	    "a name of only non-ASCII letters makes 'app'");
	expect_slug(repeat("a", 100), 128, repeat("a", 63),
	    "a slug stops at 63 characters even in a larger buffer");
	expect_slug("abcdef", 4, "abc", "a slug stops at size - 1");
	expect_slug("ab cd", 6, "ab-cd", "a buffer of exactly the size fits");
	expect_slug("ab cd", 5, "ab-c", "one less cuts the last letter");
	expect_slug("ab cd", 4, "ab",
	    "no room for a dash and a letter: the slug ends at the word");
	memset(name, 'a', 62);
	memcpy(name + 62, " b", 3);
	expect_slug(name, 64, repeat("a", 62),
	    "at the 63-character cut the next word is left out, not joined");

	appwrite_slug_from_name("-- My App, v2.0 --", slug, sizeof(slug));
	f.slug = slug;
	is_string("my-app-v2-0", slug, "punctuation and versions slug well");
	expect_app(&f, false, "ok", "and the slug made is a valid slug");
}

int
main(void)
{
	char *dir = templates_dir(), *names[SHIPPED_MAX];
	size_t n, i;

	if ((arena = arena_new()) == NULL)
		bail("arena_new failed");
	n = shipped_files(dir, names);
	if (n == 0)
		bail("no templates in %s", dir);
	plan(171 + n);
	test_shipped(dir, names, n);
	test_top_level();
	test_app();
	test_auth_connections();
	test_integrations();
	test_tools();
	test_widgets();
	test_app_fields();
	test_slugs();
	for (i = 0; i < n; i++)
		free(names[i]);
	free(dir);
	arena_free(arena);
	return 0;
}

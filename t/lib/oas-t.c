/*
 * oas-t.c: tests for lib/oas.c, discovering operations from OpenAPI 3.0
 * and 3.1 documents.  Checks the promises of oas.h against small inline
 * documents: which documents are refused and how, the document's info,
 * operation keys (operationIds, derived keys, duplicates), texts cut to
 * size, how parameters and request bodies become one input schema and
 * its binding, $ref resolution with cycles and depth cut, the rewriting
 * of OpenAPI's schemas into JSON Schema 2020-12, the node budget, and
 * each warning.  Then a real document, Twilio's Verify API, is
 * discovered and checked against facts read from it by hand (see
 * t/fixtures/openapi/README).
 *
 * The inline documents are written with single quotes for readability;
 * doc() turns them into double quotes before parsing.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oas.h"
#include "t/tap/basic.h"

/* The result of the last discover(). */
static json_object *operations, *warnings;
static struct oas_info info;
static struct error err;
static int result;

/*
 * Parse text, a JSON document written with ' for ", into a new object.
 * Bails when it is not JSON, since that is a bug in the test.
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

/* Release the last result.  Can't fail. */
static void
reset(void)
{
	json_object_put(operations);
	json_object_put(warnings);
	operations = warnings = NULL;
	error_clear(&err);
}

/* Discover document (borrowed), keeping the result.  Returns its rc. */
static int
discover_json(json_object *document)
{
	reset();
	result = oas_discover(document, &operations, &warnings, &info, &err);
	return result;
}

/* Discover text (as doc() reads it).  Returns oas_discover's rc. */
static int
discover(const char *text)
{
	json_object *document = doc(text);

	discover_json(document);
	json_object_put(document);
	return result;
}

/* Discover a 3.0.3 document with these paths (as doc() reads them). */
static int
discover_paths(const char *paths)
{
	char *text;

	if (asprintf(&text, "{'openapi':'3.0.3','info':{'title':'t',"
	    "'version':'1'},'paths':%s}", paths) == -1)
		bail("out of memory");
	discover(text);
	free(text);
	return result;
}

/*
 * Compare seen with expected, JSON written as doc() reads it.  One test.
 */
static bool
json_is(const char *expected, json_object *seen, const char *description)
{
	char *copy, *p;
	bool same;

	if ((copy = strdup(expected)) == NULL)
		bail("out of memory");
	for (p = copy; *p != '\0'; p++)
		if (*p == '\'')
			*p = '"';
	same = is_json(copy, seen, "%s", description);
	free(copy);
	return same;
}

/* Member pointer (a JSON Pointer) of value, or NULL. */
static json_object *
at(json_object *value, const char *pointer)
{
	json_object *found;

	if (value == NULL || json_pointer_get(value, pointer, &found) != 0)
		return NULL;
	return found;
}

/* The string at pointer in value, or NULL. */
static const char *
string_at(json_object *value, const char *pointer)
{
	json_object *found = at(value, pointer);

	if (found == NULL || !json_object_is_type(found, json_type_string))
		return NULL;
	return json_object_get_string(found);
}

/* The number of operations (or warnings) found, -1 after a failure. */
static long long
count(json_object *array)
{
	return array == NULL ? -1 : (long long)json_object_array_length(array);
}

/*
 * Is there a warning at pointer whose message contains text?  Prints the
 * warnings when there is not, to show what there was.
 */
static bool
has_warning(const char *pointer, const char *text)
{
	size_t i, n = warnings == NULL ? 0 :
	    json_object_array_length(warnings);

	for (i = 0; i < n; i++) {
		json_object *w = json_object_array_get_idx(warnings, i);
		const char *p = string_at(w, "/pointer");
		const char *m = string_at(w, "/message");

		if (p != NULL && m != NULL && strcmp(p, pointer) == 0 &&
		    strstr(m, text) != NULL)
			return true;
	}
	diag("no warning at \"%s\" with \"%s\" among: %s", pointer, text,
	    warnings == NULL ? "(none)" : json_object_to_json_string_ext(
	    warnings, JSON_C_TO_STRING_NOSLASHESCAPE));
	return false;
}

/* The keys of the operations found, as a new JSON array. */
static json_object *
keys(void)
{
	json_object *list;
	size_t i, n = operations == NULL ? 0 :
	    json_object_array_length(operations);

	if ((list = json_object_new_array()) == NULL)
		bail("out of memory");
	for (i = 0; i < n; i++)
		json_object_array_add(list, json_object_get(at(
		    json_object_array_get_idx(operations, i), "/key")));
	return list;
}

/* Does the list of keys found equal expected (as doc() reads it)? */
static bool
keys_are(const char *expected, const char *description)
{
	json_object *list = keys();
	bool same = json_is(expected, list, description);

	json_object_put(list);
	return same;
}

/* The operation whose key is key, or NULL. */
static json_object *
operation(const char *key)
{
	size_t i, n = operations == NULL ? 0 :
	    json_object_array_length(operations);

	for (i = 0; i < n; i++) {
		json_object *op = json_object_array_get_idx(operations, i);
		const char *k = string_at(op, "/key");

		if (k != NULL && strcmp(k, key) == 0)
			return op;
	}
	return NULL;
}

/* The code of the last error as a string, "none" when clear. */
static const char *
code(void)
{
	return err.code == ERR_NONE ? "none" : error_code_string(err.code);
}

static void
test_refused(void)
{
	json_object *array;

	array = json_object_new_array();
	discover_json(array);
	json_object_put(array);
	is_int(-1, result, "a JSON array is not a document");
	is_string("validation_error", code(),
	    "a document that is not an object is a validation error");
	ok(operations == NULL && warnings == NULL,
	    "nothing is handed out on failure");

	discover("{'swagger':'2.0','info':{'title':'t','version':'1'},"
	    "'paths':{}}");
	is_int(-1, result, "a Swagger 2.0 document is refused");
	is_string("validation_error", code(), "as a validation error");
	ok(strstr(err.hint, "swagger2openapi") != NULL,
	    "whose hint suggests converting it with swagger2openapi");
	json_is("[{'loc':['body','/swagger'],'msg':'Only OpenAPI 3.0 and 3.1 "
	    "are supported','type':'value_error'}]", err.details,
	    "and whose detail points at /swagger");

	discover("{'openapi':'2.5.0','paths':{}}");
	is_string("validation_error", code(), "OpenAPI 2.5.0 is refused");
	is_string("/openapi", string_at(err.details, "/0/loc/1"),
	    "with a detail at /openapi");
	discover("{'openapi':'4.0.0','paths':{}}");
	is_string("validation_error", code(), "OpenAPI 4.0.0 is refused");
	discover("{'openapi':'3.2.0','paths':{}}");
	is_string("validation_error", code(), "OpenAPI 3.2.0 is refused");
	discover("{'openapi':'3.0','paths':{}}");
	is_string("validation_error", code(),
	    "a version without a patch number is refused");
	discover("{'openapi':3.0,'paths':{}}");
	is_string("validation_error", code(),
	    "a version that is a number is refused");
	discover("{'info':{'title':'t'},'paths':{}}");
	json_is("[{'loc':['body','/openapi'],'msg':'Field required',"
	    "'type':'missing'}]", err.details,
	    "a document without \"openapi\" is refused as missing it");

	discover("{'openapi':'3.1.0','info':{'title':'t','version':'1'}}");
	is_string("validation_error", code(),
	    "a document without paths is refused");
	json_is("[{'loc':['body','/paths'],'msg':'Field required',"
	    "'type':'missing'}]", err.details, "with a detail at /paths");
	discover("{'openapi':'3.1.0','paths':[]}");
	json_is("[{'loc':['body','/paths'],'msg':'Input should be an "
	    "object','type':'dict_type'}]", err.details,
	    "paths that are not an object are refused");

	discover("{'openapi':'3.0.3','paths':{}}");
	is_int(0, result, "an OpenAPI 3.0.3 document with no paths is read");
	is_int(0, count(operations), "and has no operations");
	discover("{'openapi':'3.1.1','paths':{}}");
	is_int(0, result, "an OpenAPI 3.1.1 document is read");
}

static void
test_too_many_operations(void)
{
	json_object *document, *paths, *item;
	char path[32];
	int i;

	document = doc("{'openapi':'3.0.3','paths':{}}");
	paths = json_object_object_get(document, "paths");
	for (i = 0; i < OAS_OPERATIONS_MAX + 1; i++) {
		snprintf(path, sizeof(path), "/p%d", i);
		item = doc("{'get':{}}");
		json_object_object_add(paths, path, item);
	}
	discover_json(document);
	is_int(-1, result, "a document with 5001 operations is refused");
	is_string("validation_error", code(), "as a validation error");
	ok(strstr(err.message, "5000") != NULL,
	    "whose message names the limit");

	json_object_object_del(paths, "/p0");
	discover_json(document);
	is_int(5000, count(operations), "5000 operations are read");
	json_object_put(document);
}

/*
 * A document whose references fan out: each of 12 schemas has four
 * properties that all refer to the next, so expanding the first makes
 * 4^12 (16 million) schemas from a 3 kB document.
 */
static void
test_budget(void)
{
	json_object *document, *schemas, *schema, *next;
	char name[16], ref[64];
	int i;

	document = doc("{'openapi':'3.0.3','paths':{'/bomb':{'post':{"
	    "'requestBody':{'content':{'application/json':{'schema':"
	    "{'$ref':'#/components/schemas/S0'}}}}}}},"
	    "'components':{'schemas':{}}}");
	schemas = at(document, "/components/schemas");
	for (i = 0; i < 12; i++) {
		snprintf(ref, sizeof(ref), "{'$ref':'#/components/schemas/"
		    "S%d'}", i + 1);
		next = i < 11 ? doc(ref) : doc("{'type':'string'}");
		schema = doc("{'type':'object','properties':{}}");
		json_object_object_add(at(schema, "/properties"), "a",
		    json_object_get(next));
		json_object_object_add(at(schema, "/properties"), "b",
		    json_object_get(next));
		json_object_object_add(at(schema, "/properties"), "c",
		    json_object_get(next));
		json_object_object_add(at(schema, "/properties"), "d", next);
		snprintf(name, sizeof(name), "S%d", i);
		json_object_object_add(schemas, name, schema);
	}
	discover_json(document);
	is_int(-1, result, "a document whose $refs expand past the node "
	    "budget is refused");
	is_string("validation_error", code(), "as a validation error");
	ok(strstr(err.message, "too many") != NULL,
	    "whose message says it expands to too many nodes");

	/* Eight levels (65536 schemas) are within the budget. */
	json_object_object_add(schemas, "S8", doc("{'type':'string'}"));
	discover_json(document);
	is_int(0, result, "the same fan-out eight levels deep is read");
	is_string("string", string_at(operations, "/0/input_schema/"
	    "properties/a/properties/b/properties/c/properties/d/properties/"
	    "a/properties/b/properties/c/properties/d/type"),
	    "and expanded in full");
	json_object_put(document);
}

static void
test_info(void)
{
	char title[601];
	size_t i;

	discover("{'openapi':'3.1.0','info':{'title':'Pet Store','version':"
	    "'2.4.1'},'servers':[{'url':'https://{region}.example.com:"
	    "{port}/{base}/{unknown}','variables':{'region':{'default':'eu'},"
	    "'port':{'default':'8443','enum':['443','8443']},'base':"
	    "{'default':'v2'}}},{'url':'https://other.example.com'}],"
	    "'paths':{}}");
	is_string("3.1.0", info.openapi, "info.openapi is the version");
	is_string("Pet Store", info.title, "info.title is the title");
	is_string("2.4.1", info.version, "info.version is the version");
	is_string("https://eu.example.com:8443/v2/{unknown}", info.server_url,
	    "the first server's variables are replaced by their defaults, "
	    "an undeclared one is kept");

	discover("{'openapi':'3.0.0','paths':{}}");
	is_string("", info.server_url, "without servers the URL is empty");
	is_string("", info.title, "without info the title is empty");

	/* 300 two-byte characters: 255 bytes would split the 128th. */
	memset(title, 0, sizeof(title));
	for (i = 0; i < 300; i++)
		memcpy(title + 2 * i, "\xc3\xa9", 2);
	{
		json_object *document = doc("{'openapi':'3.0.0','info':{},"
		    "'paths':{}}");

		json_object_object_add(at(document, "/info"), "title",
		    json_object_new_string(title));
		discover_json(document);
		json_object_put(document);
	}
	is_int(254, strlen(info.title),
	    "a long title is cut on a UTF-8 boundary (254 bytes, not 255)");

	{
		char url[3001];
		json_object *document = doc("{'openapi':'3.0.0','servers':"
		    "[{}],'paths':{}}");

		memset(url, 'u', sizeof(url) - 1);
		url[sizeof(url) - 1] = '\0';
		json_object_object_add(at(document, "/servers/0"), "url",
		    json_object_new_string(url));
		discover_json(document);
		json_object_put(document);
	}
	is_string("", info.server_url, "a server URL that does not fit is "
	    "left out");
	ok(has_warning("/servers/0/url", "longer than 2047 bytes"),
	    "with a warning");
}


static void
test_keys(void)
{
	char long_id[401], *text;
	size_t i;

	discover_paths("{'/users/{id}/repos':{'get':{'parameters':[{'name':"
	    "'id','in':'path','required':true}]},'post':{'operationId':"
	    "'  createRepo\\t'}},'/':{'get':{}},'/a-b/{user-id}.json':{'put':"
	    "{}},'/x':{'trace':{},'delete':{'operationId':''},'GET':{}}}");
	is_int(0, result, "a document with four paths is read");
	keys_are("['get_users_by_id_repos','createRepo','get',"
	    "'put_a_b_by_user_id_json','delete_x']", "operations come in "
	    "the document's order; TRACE and a method named in upper case "
	    "are not operations");
	json_is("null", at(operations, "/0/operation_id"),
	    "without an operationId, operation_id is null");
	is_string("  createRepo\t", string_at(operations, "/1/operation_id"),
	    "operation_id is the operationId as written; the key is it "
	    "trimmed");
	is_string("POST", string_at(operations, "/1/method"),
	    "the method is upper case");
	is_string("/users/{id}/repos", string_at(operations, "/1/path"),
	    "the path is the template as written");
	ok(has_warning("/paths/~1x/trace", "TRACE"),
	    "a TRACE operation is skipped with a warning");

	discover_paths("{'/a':{'get':{'operationId':'dup'},'post':"
	    "{'operationId':'dup'}},'/b':{'get':{'operationId':'dup'},"
	    "'put':{'operationId':'dup_2'}},'/c':{'get':{}},"
	    "'/c/':{'get':{}}}");
	keys_are("['dup','dup_2','dup_3','dup_2_2','get_c','get_c_2']",
	    "a key already taken gets _2, _3, ...");
	ok(has_warning("/paths/~1a/post/operationId", "\"dup\" is used more "
	    "than once; this operation's key is \"dup_2\""),
	    "a duplicate operationId is warned about at the operationId");
	ok(has_warning("/paths/~1b/put/operationId", "\"dup_2_2\""),
	    "so is an operationId taken by a renamed duplicate");
	ok(has_warning("/paths/~1c~1/get", "\"get_c_2\""),
	    "so is a derived key that is taken");
	is_string("dup", string_at(operations, "/1/operation_id"),
	    "a renamed operation keeps its operation_id");

	discover_paths("{'/users{id}':{'get':{}}}");
	is_string("get_usersby_id", string_at(operations, "/0/key"),
	    "{x} is read as by_x where it stands");

	memset(long_id, 'x', 300);
	long_id[300] = '\0';
	if (asprintf(&text, "{'/a':{'get':{'operationId':'%s'}},'/%s':"
	    "{'get':{}}}", long_id, long_id) == -1)
		bail("out of memory");
	discover_paths(text);
	free(text);
	is_int(OAS_KEY_MAX, strlen(string_at(operations, "/0/key") == NULL ?
	    "" : string_at(operations, "/0/key")),
	    "a long operationId is cut to 255 bytes for the key");
	is_int(OAS_KEY_MAX, strlen(string_at(operations, "/1/key") == NULL ?
	    "" : string_at(operations, "/1/key")),
	    "a long derived key is cut to 255 bytes");

	for (i = 0; i < 200; i++)
		memcpy(long_id + 2 * i, "\xc3\xa9", 2);
	long_id[400] = '\0';
	if (asprintf(&text, "{'/a':{'get':{'operationId':'%s'}}}",
	    long_id) == -1)
		bail("out of memory");
	discover_paths(text);
	free(text);
	is_int(254, strlen(string_at(operations, "/0/key") == NULL ? "" :
	    string_at(operations, "/0/key")), "a long operationId is cut "
	    "on a UTF-8 boundary (254 bytes, not 255)");
}

/* A string of n copies of the two-byte character "é". */
static char *
accents(size_t n)
{
	char *s;
	size_t i;

	if ((s = malloc(2 * n + 1)) == NULL)
		bail("out of memory");
	for (i = 0; i < n; i++)
		memcpy(s + 2 * i, "\xc3\xa9", 2);
	s[2 * n] = '\0';
	return s;
}

static void
test_texts(void)
{
	json_object *document, *op;
	char *summary = accents(1200), *description = accents(9000);

	document = doc("{'openapi':'3.0.3','paths':{'/t':{'get':{},"
	    "'post':{'summary':'Add one','description':'Adds a thing.',"
	    "'deprecated':true}}}}");
	op = at(document, "/paths/~1t/get");
	json_object_object_add(op, "summary", json_object_new_string(summary));
	json_object_object_add(op, "description",
	    json_object_new_string(description));
	discover_json(document);
	json_object_put(document);
	is_int(2000, strlen(string_at(operations, "/0/summary")),
	    "a summary is cut to 1000 characters (2000 bytes of é)");
	is_int(16000, strlen(string_at(operations, "/0/description")),
	    "a description is cut to 8000 characters");
	ok(strncmp(string_at(operations, "/0/summary"), summary, 2000) == 0,
	    "the cut summary is the summary's start");
	json_is("false", at(operations, "/0/deprecated"),
	    "an operation is not deprecated unless it says so");
	is_string("Add one", string_at(operations, "/1/summary"),
	    "a short summary is kept");
	is_string("Adds a thing.", string_at(operations, "/1/description"),
	    "a short description is kept");
	json_is("true", at(operations, "/1/deprecated"),
	    "deprecated: true is kept");
	discover_paths("{'/t':{'get':{}}}");
	is_string("", string_at(operations, "/0/summary"),
	    "an absent summary is \"\"");
	is_string("", string_at(operations, "/0/description"),
	    "an absent description is \"\"");
	json_is("{'type':'object','properties':{},"
	    "'additionalProperties':false}", at(operations, "/0/input_schema"),
	    "an operation without inputs has an empty object schema, "
	    "without \"required\"");
	json_is("{}", at(operations, "/0/parameters"),
	    "and an empty binding");
	json_is("null", at(operations, "/0/body_content_type"),
	    "and no body content type");
	op = json_object_array_get_idx(operations, 0);
	is_int(10, json_object_object_length(op),
	    "an operation has exactly ten members");
	free(summary);
	free(description);
}

static void
test_parameters(void)
{
	discover_paths("{'/pets/{id}':{'parameters':["
	    "{'name':'id','in':'path','description':'from the path item',"
	    "'schema':{'type':'string'}},"
	    "{'name':'limit','in':'query','schema':{'type':'integer'}}],"
	    "'get':{'parameters':["
	    "{'name':'id','in':'path','required':false,'description':"
	    "'the pet','schema':{'type':'integer','description':'its own'}},"
	    "{'name':'id','in':'query','required':true,'description':"
	    "'a query id','schema':{'type':'string'}},"
	    "{'name':'session','in':'cookie','schema':{'type':'string'}},"
	    "{'name':'Accept','in':'header','schema':{'type':'string'}},"
	    "{'name':'content-type','in':'header','schema':{'type':'string'}},"
	    "{'name':'Authorization','in':'header'},"
	    "{'name':'X-Trace','in':'header','deprecated':true,'description':"
	    "'a trace id','schema':{'type':'string'}},"
	    "{'name':'tags','in':'query','style':'form','explode':false,"
	    "'schema':{'type':'array','items':{'type':'string'}}},"
	    "{'name':'filter','in':'query','content':{'application/json':"
	    "{'schema':{'type':'object','properties':{'q':{'type':"
	    "'string'}}}}}},"
	    "{'name':'any','in':'query'},"
	    "{'in':'query'},"
	    "{'name':'where','in':'matrix'}]}}}");
	is_int(0, result, "an operation with many kinds of parameters is read");
	json_is("{'type':'object','properties':{"
	    "'id':{'type':'integer','description':'its own'},"
	    "'limit':{'type':'integer'},"
	    "'query_id':{'type':'string','description':'a query id'},"
	    "'X-Trace':{'type':'string','description':'a trace id',"
	    "'deprecated':true},"
	    "'tags':{'type':'array','items':{'type':'string'}},"
	    "'filter':{'type':'object','properties':{'q':{'type':'string'}}},"
	    "'any':{}},"
	    "'required':['id','query_id'],'additionalProperties':false}",
	    at(operations, "/0/input_schema"), "path, query and header "
	    "parameters make the input schema: the operation's id replaces "
	    "the path item's, a second id is query_id, a description and "
	    "deprecated are copied in unless the schema has its own, content "
	    "gives a schema too, path parameters are always required");
	json_is("{'id':{'in':'path','name':'id'},"
	    "'limit':{'in':'query','name':'limit'},"
	    "'query_id':{'in':'query','name':'id'},"
	    "'X-Trace':{'in':'header','name':'X-Trace'},"
	    "'tags':{'in':'query','name':'tags','style':'form',"
	    "'explode':false},"
	    "'filter':{'in':'query','name':'filter'},"
	    "'any':{'in':'query','name':'any'}}",
	    at(operations, "/0/parameters"), "the binding says where each "
	    "goes under its own name, with a query parameter's style and "
	    "explode");
	ok(has_warning("/paths/~1pets~1{id}/get/parameters/2",
	    "cookie parameter \"session\" is skipped"),
	    "a cookie parameter is skipped with a warning");
	ok(has_warning("/paths/~1pets~1{id}/get/parameters/3",
	    "\"Accept\" is ignored"), "an Accept header is ignored");
	ok(has_warning("/paths/~1pets~1{id}/get/parameters/4",
	    "\"content-type\" is ignored"),
	    "a Content-Type header is ignored, whatever its case");
	ok(has_warning("/paths/~1pets~1{id}/get/parameters/5",
	    "\"Authorization\" is ignored"),
	    "an Authorization header is ignored");
	ok(has_warning("/paths/~1pets~1{id}/get/parameters/10",
	    "without a name"), "a parameter without a name is skipped");
	ok(has_warning("/paths/~1pets~1{id}/get/parameters/11",
	    "\"matrix\", which is unknown"),
	    "a parameter in an unknown place is skipped");

	discover("{'openapi':'3.0.3','paths':{'/q':{'get':{'parameters':["
	    "{'$ref':'#/components/parameters/a~1b'},"
	    "{'$ref':'#/components/parameters/c%20d'},"
	    "{'$ref':'#/components/parameters/e~0f'},"
	    "{'$ref':'#/components/parameters/missing'},"
	    "{'$ref':'other.yaml#/components/parameters/x'},"
	    "{'$ref':'#/components/parameters/chain'},"
	    "{'$ref':'#/components/parameters/ck'}]}}},"
	    "'components':{'parameters':{"
	    "'a/b':{'name':'slash','in':'query','schema':"
	    "{'$ref':'#/components/schemas/Limit'}},"
	    "'c d':{'name':'space','in':'query','schema':{'type':'boolean'}},"
	    "'e~f':{'name':'tilde','in':'header','schema':{'type':'string'}},"
	    "'chain':{'$ref':'#/components/parameters/c%20d'},"
	    "'ck':{'name':'sid','in':'cookie'}},"
	    "'schemas':{'Limit':{'type':'integer','maximum':100}}}}");
	json_is("{'slash':{'type':'integer','maximum':100},"
	    "'space':{'type':'boolean'},'tilde':{'type':'string'}}",
	    at(operations, "/0/input_schema/properties"),
	    "parameter $refs are resolved, with ~1, ~0 and percent-escapes, "
	    "through a $ref to a $ref, and into their schemas' $refs");
	ok(has_warning("/paths/~1q/get/parameters/3", "does not resolve"),
	    "a $ref that resolves to nothing is skipped with a warning");
	ok(has_warning("/paths/~1q/get/parameters/4", "points outside the "
	    "document"), "a $ref to another file is skipped with a warning");
	ok(has_warning("/components/parameters/ck", "cookie"),
	    "a warning about a referenced parameter points at it");

	discover("{'openapi':'3.0.3','paths':{'/q':{'get':{'parameters':["
	    "{'$ref':'#/components/parameters/ping'}]}}},"
	    "'components':{'parameters':{"
	    "'ping':{'$ref':'#/components/parameters/pong'},"
	    "'pong':{'$ref':'#/components/parameters/ping'}}}}");
	is_int(0, result, "parameters that refer to each other are read");
	ok(has_warning("/paths/~1q/get/parameters/0", "too many others"),
	    "and skipped with a warning");

	discover_paths("{'/u/{name}/{id}':{'get':{'parameters':[{'name':"
	    "'id','in':'path','schema':{'type':'integer'}}]}}}");
	json_is("{'type':'object','properties':{'id':{'type':'integer'},"
	    "'name':{'type':'string'}},'required':['id','name'],"
	    "'additionalProperties':false}",
	    at(operations, "/0/input_schema"),
	    "a path variable nobody declares is a required string");
	ok(has_warning("/paths/~1u~1{name}~1{id}/get", "\"name\" is not "
	    "declared"), "with a warning");
}

static void
test_bodies(void)
{
	json_object *op;

	discover("{'openapi':'3.0.3','paths':{"
	    "'/a':{'post':{'requestBody':{'content':{"
	    "'application/x-www-form-urlencoded':{'schema':{'type':'object',"
	    "'properties':{'f':{'type':'string'}}}},"
	    "'application/json':{'schema':{'type':'object','properties':"
	    "{'j':{'type':'string'}}}}}}}},"
	    "'/b':{'post':{'requestBody':{'content':{"
	    "'multipart/form-data':{'schema':{'type':'object','properties':"
	    "{'m':{'type':'string'}}}},"
	    "'application/x-www-form-urlencoded':{'schema':{'type':'object',"
	    "'properties':{'f':{'type':'string'}}}}}}}},"
	    "'/c':{'post':{'requestBody':{'required':true,'content':"
	    "{'text/plain':{}}}}},"
	    "'/d':{'post':{'requestBody':{'content':{"
	    "'application/xml':{'schema':{'type':'string'}},"
	    "'application/vnd.api+json; charset=utf-8':{'schema':"
	    "{'type':'object','properties':{'v':{'type':'string'}}}}}}}},"
	    "'/e':{'post':{'requestBody':{'content':{"
	    "'application/octet-stream':{},"
	    "'multipart/form-data':{'schema':{'type':'object','properties':"
	    "{'file':{'type':'string','format':'binary'}}}}}}}},"
	    "'/m':{'post':{'requestBody':{'description':'nothing'}}}}}");
	is_string("application/json", string_at(operations,
	    "/0/body_content_type"), "JSON is picked before a form");
	json_is("{'j':{'in':'body','name':'j'}}", at(operations,
	    "/0/parameters"), "and its object's properties become inputs");
	is_string("application/x-www-form-urlencoded", string_at(operations,
	    "/1/body_content_type"), "a form is picked before multipart");
	is_string("text/plain", string_at(operations, "/2/body_content_type"),
	    "any other type is picked when there is nothing else");
	json_is("{'type':'object','properties':{'body':{'type':'string'}},"
	    "'required':['body'],'additionalProperties':false}",
	    at(operations, "/2/input_schema"), "a text body without a "
	    "schema is one required string, body, when the body is "
	    "required");
	json_is("{'body':{'in':'body'}}", at(operations, "/2/parameters"),
	    "bound to the whole body, without a name");
	ok(has_warning("/paths/~1c/post/requestBody/content/text~1plain",
	    "neither JSON nor a form"), "with a warning about the type");
	is_string("application/vnd.api+json; charset=utf-8", string_at(
	    operations, "/3/body_content_type"), "a +json type with "
	    "parameters counts as JSON, and is given as written");
	is_string("multipart/form-data", string_at(operations,
	    "/4/body_content_type"), "multipart is picked before others");
	json_is("null", at(operations, "/5/body_content_type"),
	    "a request body without content is no body");
	ok(has_warning("/paths/~1m/post/requestBody", "no content"),
	    "and is warned about");

	discover("{'openapi':'3.0.3','paths':{"
	    "'/f/{id}':{'post':{'parameters':[{'name':'id','in':'path',"
	    "'schema':{'type':'string'}}],'requestBody':{'required':true,"
	    "'content':{'application/json':{'schema':{'type':'object',"
	    "'required':['name','created'],'properties':{"
	    "'name':{'type':'string'},'tag':{'type':'string'},"
	    "'age':{'type':'integer'},"
	    "'created':{'type':'string','readOnly':true}}}}}}}},"
	    "'/g':{'post':{'requestBody':{'content':{'application/json':"
	    "{'schema':{'type':'object','required':['name'],'properties':"
	    "{'name':{'type':'string'}}}}}}}},"
	    "'/h/{name}':{'post':{'parameters':[{'name':'name','in':'path',"
	    "'schema':{'type':'string'}}],'requestBody':{'required':true,"
	    "'content':{'application/json':{'schema':{'type':'object',"
	    "'properties':{'name':{'type':'string'},'size':{'type':"
	    "'integer'}}}}}}}},"
	    "'/i':{'post':{'parameters':[{'name':'body','in':'query'}],"
	    "'requestBody':{'description':'the items','content':"
	    "{'application/json':{'schema':{'type':'array','items':"
	    "{'type':'string'}}}}}}},"
	    "'/j':{'post':{'requestBody':{'$ref':"
	    "'#/components/requestBodies/Pet'}}},"
	    "'/k':{'post':{'requestBody':{'content':{'application/json':"
	    "{'schema':{'type':'object','additionalProperties':"
	    "{'type':'string'}}}}}}},"
	    "'/l':{'post':{'requestBody':{'content':{'application/json':"
	    "{'schema':{'allOf':[{'$ref':'#/components/schemas/Pet'}],"
	    "'properties':{'x':{'type':'string'}}}}}}}},"
	    "'/n':{'post':{'requestBody':{'content':{'application/json':"
	    "{'schema':{'type':'object','properties':{}}}}}}}},"
	    "'components':{'requestBodies':{'Pet':{'required':true,'content':"
	    "{'application/json':{'schema':{'$ref':"
	    "'#/components/schemas/Pet'}}}}},"
	    "'schemas':{'Pet':{'type':'object','required':['name'],"
	    "'properties':{'name':{'type':'string'}}}}}}");
	json_is("{'type':'object','properties':{'id':{'type':'string'},"
	    "'name':{'type':'string'},'tag':{'type':'string'},"
	    "'age':{'type':'integer'}},'required':['id','name'],"
	    "'additionalProperties':false}", at(operations, "/0/input_schema"),
	    "an object body is flattened into the inputs, readOnly "
	    "properties dropped (also from required), the rest required as "
	    "its schema says");
	json_is("{'id':{'in':'path','name':'id'},'name':{'in':'body',"
	    "'name':'name'},'tag':{'in':'body','name':'tag'},'age':{'in':"
	    "'body','name':'age'}}", at(operations, "/0/parameters"),
	    "each flattened property is bound to its body member");
	json_is("{'type':'object','properties':{'name':{'type':'string'}},"
	    "'additionalProperties':false}", at(operations, "/1/input_schema"),
	    "a flattened property is not required when the body is not");
	json_is("{'type':'object','properties':{'name':{'type':'string'},"
	    "'body':{'type':'object','properties':{'name':{'type':'string'},"
	    "'size':{'type':'integer'}}}},'required':['name','body'],"
	    "'additionalProperties':false}", at(operations, "/2/input_schema"),
	    "a body whose property names clash with a parameter is one "
	    "property, body, required as the body is");
	json_is("{'name':{'in':'path','name':'name'},'body':{'in':'body'}}",
	    at(operations, "/2/parameters"), "bound to the whole body");
	json_is("{'body':{},'request_body':{'type':'array','items':"
	    "{'type':'string'},'description':'the items'}}",
	    at(operations, "/3/input_schema/properties"), "a body that is "
	    "not an object is one property, request_body when body is "
	    "taken, with the body's description");
	json_is("{'in':'body'}", at(operations, "/3/parameters/request_body"),
	    "request_body is bound to the whole body");
	json_is("{'type':'object','properties':{'name':{'type':'string'}},"
	    "'required':['name'],'additionalProperties':false}",
	    at(operations, "/4/input_schema"), "a request body $ref and its "
	    "schema's $ref are resolved before flattening");
	op = json_object_array_get_idx(operations, 5);
	json_is("{'in':'body'}", at(op, "/parameters/body"),
	    "an object body with additionalProperties is kept whole");
	json_is("{'in':'body'}", at(operations, "/6/parameters/body"),
	    "an object body with allOf is kept whole");
	json_is("{}", at(operations, "/7/parameters"),
	    "an object body without properties flattens to no inputs");
	is_string("application/json", string_at(operations,
	    "/7/body_content_type"), "but is still a body to send");
}

static void
test_schemas(void)
{
	discover("{'openapi':'3.0.3','paths':{'/s':{'post':{'requestBody':"
	    "{'content':{'application/json':{'schema':{'type':'object',"
	    "'properties':{"
	    "'a':{'type':'string','nullable':true,'example':'x','xml':"
	    "{'name':'a'},'externalDocs':{'url':'https://example.com'},"
	    "'x-extra':1},"
	    "'b':{'type':'string','enum':['p','q'],'nullable':true},"
	    "'c':{'nullable':false,'type':'integer','exclusiveMaximum':true,"
	    "'maximum':10,'exclusiveMinimum':false,'minimum':1},"
	    "'d':{'type':'object','discriminator':{'propertyName':'kind'},"
	    "'properties':{'nullable':{'type':'boolean'},'example':{'type':"
	    "'string','example':'e','examples':['f']},'xml':{'type':"
	    "'string'}}},"
	    "'e':{'oneOf':[{'$ref':'#/components/schemas/Leaf'},{'type':"
	    "'integer'}]},"
	    "'f':{'type':'array','items':{'$ref':'#/components/schemas/Leaf'}},"
	    "'g':{'default':null,'type':'string'},"
	    "'h':{'$ref':'#/components/schemas/Leaf','description':'ignored'},"
	    "'i':{'$ref':'https://example.com/pet.json'},"
	    "'j':{'$ref':'#/components/schemas/Nope'},"
	    "'k':{'$ref':'#anchor'},"
	    "'l':{'$ref':'#/components/schemas/Tree~1Node'}"
	    "}}}}}}}},'components':{'schemas':{"
	    "'Leaf':{'type':'string','description':'a leaf'},"
	    "'Tree/Node':{'type':'object','properties':{'kids':{'type':"
	    "'array','items':{'$ref':'#/components/schemas/Tree~1Node'}}}}"
	    "}}}");
	is_int(0, result, "a 3.0 document with many kinds of schema is read");
	json_is("{"
	    "'a':{'type':['string','null'],'examples':['x'],'x-extra':1},"
	    "'b':{'type':['string','null'],'enum':['p','q',null]},"
	    "'c':{'type':'integer','exclusiveMaximum':10,'minimum':1},"
	    "'d':{'type':'object','properties':{'nullable':{'type':'boolean'},"
	    "'example':{'type':'string','examples':['f']},"
	    "'xml':{'type':'string'}}},"
	    "'e':{'oneOf':[{'type':'string','description':'a leaf'},"
	    "{'type':'integer'}]},"
	    "'f':{'type':'array','items':{'type':'string','description':"
	    "'a leaf'}},"
	    "'g':{'default':null,'type':'string'},"
	    "'h':{'type':'string','description':'a leaf'},"
	    "'i':{},'j':{},'k':{},"
	    "'l':{'type':'object','properties':{'kids':{'type':'array',"
	    "'items':{'type':'object','description':"
	    "'(recursive: Tree/Node)'}}}}"
	    "}", at(operations, "/0/input_schema/properties"),
	    "schemas become JSON Schema 2020-12: nullable joins the type "
	    "(and the enum), example becomes examples unless there are "
	    "examples, a boolean exclusiveMaximum becomes the bound, xml, "
	    "externalDocs and discriminator go, properties with those names "
	    "stay, everything else is kept, $refs in oneOf and items are "
	    "resolved, 3.0 ignores keywords beside $ref, unusable $refs "
	    "accept anything, a cycle is cut with the schema's name");
	ok(has_warning("/paths/~1s/post/requestBody/content/application~1json"
	    "/schema/properties/i", "points outside the document"),
	    "a $ref to a URL is warned about where it is");
	ok(has_warning("/paths/~1s/post/requestBody/content/application~1json"
	    "/schema/properties/j", "does not resolve"),
	    "so is a $ref to nothing");
	ok(has_warning("/paths/~1s/post/requestBody/content/application~1json"
	    "/schema/properties/k", "does not resolve"),
	    "and a $ref to an anchor");
	ok(has_warning("/components/schemas/Tree~1Node/properties/kids/items",
	    "contains itself"), "a cycle is warned about where it closes");

	discover("{'openapi':'3.1.0','paths':{'/t':{'post':{'requestBody':"
	    "{'content':{'application/json':{'schema':{'type':'object',"
	    "'properties':{"
	    "'a':{'type':['string','null']},"
	    "'b':{'$ref':'#/components/schemas/Leaf','description':"
	    "'overridden'},"
	    "'c':{'prefixItems':[{'$ref':'#/components/schemas/Leaf'}],"
	    "'type':'array'},"
	    "'d':true,"
	    "'e':{'$ref':'#/components/schemas/Ro'},"
	    "'f':{'$ref':'#/components/schemas/Leaf','readOnly':true},"
	    "'g':{'type':'object','required':['h','i'],'properties':{"
	    "'h':{'type':'string','readOnly':true},'i':{'type':'string'}}}"
	    "}}}}}}}},'components':{'schemas':{"
	    "'Leaf':{'type':'string','description':'a leaf'},"
	    "'Ro':{'type':'string','readOnly':true}}}}");
	json_is("{"
	    "'a':{'type':['string','null']},"
	    "'b':{'type':'string','description':'overridden'},"
	    "'c':{'prefixItems':[{'type':'string','description':'a leaf'}],"
	    "'type':'array'},"
	    "'d':true,"
	    "'g':{'type':'object','required':['i'],'properties':{"
	    "'i':{'type':'string'}}}"
	    "}", at(operations, "/0/input_schema/properties"),
	    "3.1: type arrays are kept, keywords beside $ref apply, boolean "
	    "schemas stay, readOnly properties are dropped at every level");

	discover("{'openapi':'3.0.3','paths':{'/pets':{'post':{'parameters':"
	    "[{'name':'loop','in':'query','schema':{'$ref':"
	    "'#/components/schemas/Loop'}}],'requestBody':{'required':true,"
	    "'content':{'application/json':{'schema':{'$ref':"
	    "'#/components/schemas/Pet'}}}}}}},'components':{'schemas':{"
	    "'Loop':{'$ref':'#/components/schemas/Loop'},"
	    "'Pet':{'type':'object','required':['name'],'properties':{"
	    "'name':{'type':'string'},"
	    "'children':{'type':'array','items':{'$ref':"
	    "'#/components/schemas/Pet'}},"
	    "'owner':{'$ref':'#/components/schemas/Person'}}},"
	    "'Person':{'type':'object','properties':{"
	    "'pets':{'type':'array','items':{'$ref':"
	    "'#/components/schemas/Pet'}},"
	    "'self':{'$ref':'#/components/schemas/Person'}}}}}}");
	json_is("{'type':'object','properties':{"
	    "'loop':{'type':'object','description':'(recursive: Loop)'},"
	    "'name':{'type':'string'},"
	    "'children':{'type':'array','items':{'type':'object',"
	    "'description':'(recursive: Pet)'}},"
	    "'owner':{'type':'object','properties':{"
	    "'pets':{'type':'array','items':{'type':'object','description':"
	    "'(recursive: Pet)'}},"
	    "'self':{'type':'object','description':'(recursive: Person)'}}}},"
	    "'required':['name'],'additionalProperties':false}",
	    at(operations, "/0/input_schema"), "each cycle is cut where it "
	    "would recurse: a $ref to itself, Pet in Pet, Pet and Person in "
	    "Person");
	ok(has_warning("/components/schemas/Person/properties/self",
	    "Person contains itself"), "each cut is warned about");
}

static void
test_depth(void)
{
	json_object *document, *schemas, *node;
	char name[16], ref[128];
	int i, levels;

	document = doc("{'openapi':'3.0.3','paths':{'/deep':{'post':{"
	    "'requestBody':{'content':{'application/json':{'schema':"
	    "{'$ref':'#/components/schemas/S0'}}}}}}},"
	    "'components':{'schemas':{}}}");
	schemas = at(document, "/components/schemas");
	for (i = 0; i < 40; i++) {
		snprintf(ref, sizeof(ref), "{'type':'object','properties':{'n':"
		    "{'$ref':'#/components/schemas/S%d'}}}", i + 1);
		snprintf(name, sizeof(name), "S%d", i);
		json_object_object_add(schemas, name, doc(ref));
	}
	json_object_object_add(schemas, "S40", doc("{'type':'string'}"));
	discover_json(document);
	json_object_put(document);
	is_int(0, result, "40 nested schemas are read");
	node = at(operations, "/0/input_schema/properties/n");
	for (levels = 1; at(node, "/properties/n") != NULL; levels++)
		node = at(node, "/properties/n");
	is_int(32, levels, "nesting is cut at depth 32 (S0 is level 0)");
	json_is("{'type':'object','description':'(nested too deeply)'}", node,
	    "by a placeholder");
	ok(has_warning("/components/schemas/S31/properties/n",
	    "more than 32 deep"), "with a warning");
}

static void
test_parameter_cap(void)
{
	json_object *document, *params;
	char name[16];
	int i;

	document = doc("{'openapi':'3.0.3','paths':{'/c':{'get':"
	    "{'parameters':[]}}}}");
	params = at(document, "/paths/~1c/get/parameters");
	for (i = 0; i < OAS_PARAMETERS_MAX + 5; i++) {
		json_object *p = doc("{'in':'query'}");

		snprintf(name, sizeof(name), "q%d", i);
		json_object_object_add(p, "name", json_object_new_string(name));
		json_object_array_add(params, p);
	}
	discover_json(document);
	json_object_put(document);
	is_int(OAS_PARAMETERS_MAX, json_object_object_length(at(operations,
	    "/0/input_schema/properties")),
	    "at most 1000 parameters of a list are kept");
	ok(has_warning("/paths/~1c/get/parameters/1000", "More than 1000"),
	    "the rest are skipped with one warning");
	is_int(1, count(warnings), "just one");
}

static void
test_many_duplicates(void)
{
	json_object *document, *paths;
	char path[32];
	int i;

	document = doc("{'openapi':'3.0.3','paths':{}}");
	paths = json_object_object_get(document, "paths");
	for (i = 0; i < 3000; i++) {
		snprintf(path, sizeof(path), "/p%d", i);
		json_object_object_add(paths, path,
		    doc("{'get':{'operationId':'same'}}"));
	}
	discover_json(document);
	json_object_put(document);
	is_string("same_3000", string_at(operations, "/2999/key"),
	    "3000 operations with one operationId are same ... same_3000");
}

static void
test_warning_cap(void)
{
	json_object *document, *params;
	char name[16];
	int i;

	document = doc("{'openapi':'3.0.3','paths':{'/c':{'get':"
	    "{'parameters':[]}}}}");
	params = at(document, "/paths/~1c/get/parameters");
	for (i = 0; i < OAS_WARNINGS_MAX + 100; i++) {
		json_object *p = doc("{'in':'cookie'}");

		snprintf(name, sizeof(name), "c%d", i);
		json_object_object_add(p, "name", json_object_new_string(name));
		json_object_array_add(params, p);
	}
	discover_json(document);
	json_object_put(document);
	is_int(OAS_WARNINGS_MAX + 1, count(warnings),
	    "warnings stop at 1000, and one more");
	is_string("More warnings were left out.", string_at(warnings,
	    "/1000/message"), "which says the rest were left out");
	is_string("", string_at(warnings, "/1000/pointer"),
	    "and points at the whole document");
}

/* The directory of t/fixtures: $DRIO_SRCDIR/t/fixtures, or t/fixtures. */
static char *
fixture(const char *name)
{
	const char *srcdir = getenv("DRIO_SRCDIR");
	char *path;

	if (asprintf(&path, "%s/t/fixtures/openapi/%s",
	    srcdir != NULL ? srcdir : ".", name) == -1)
		bail("out of memory");
	return path;
}

static void
test_twilio(void)
{
	json_object *document, *op;
	char *path = fixture("twilio_verify_v2.json");
	size_t i, n, get = 0, post = 0, delete = 0, same = 0, closed = 0;

	if ((document = json_object_from_file(path)) == NULL)
		bail("cannot read %s", path);
	free(path);
	discover_json(document);
	json_object_put(document);
	is_int(0, result, "Twilio's Verify API document is read");
	is_string("3.0.1", info.openapi, "it is OpenAPI 3.0.1");
	is_string("Twilio - Verify", info.title, "its title is read");
	is_string("1.0.0", info.version, "its version is read");
	is_string("https://verify.twilio.com", info.server_url,
	    "its server is read");
	is_int(57, count(operations), "it has 57 operations");
	is_int(0, count(warnings), "and no warnings");

	n = operations == NULL ? 0 : json_object_array_length(operations);
	for (i = 0; i < n; i++) {
		const char *method, *key, *id;

		op = json_object_array_get_idx(operations, i);
		method = string_at(op, "/method");
		key = string_at(op, "/key");
		id = string_at(op, "/operation_id");
		get += method != NULL && strcmp(method, "GET") == 0;
		post += method != NULL && strcmp(method, "POST") == 0;
		delete += method != NULL && strcmp(method, "DELETE") == 0;
		same += key != NULL && id != NULL && strcmp(key, id) == 0;
		closed += json_object_is_type(at(op, "/input_schema/"
		    "additionalProperties"), json_type_boolean) &&
		    !json_object_get_boolean(at(op,
		    "/input_schema/additionalProperties"));
	}
	ok(get == 24 && post == 25 && delete == 8,
	    "24 GET, 25 POST and 8 DELETE operations");
	is_int(57, same, "each key is its operationId");
	is_int(57, closed, "each input schema refuses other properties");

	is_string("CreateAccessToken", string_at(operations, "/0/key"),
	    "the first operation is CreateAccessToken");
	is_string("/v2/Services/{ServiceSid}/AccessTokens", string_at(
	    operations, "/0/path"), "on /v2/Services/{ServiceSid}/"
	    "AccessTokens");

	op = operation("CreateVerification");
	is_string("POST", string_at(op, "/method"),
	    "CreateVerification is a POST");
	is_string("application/x-www-form-urlencoded", string_at(op,
	    "/body_content_type"), "with a form body");
	json_is("['ServiceSid']", at(op, "/input_schema/required"),
	    "only its path parameter is required: To and Channel are "
	    "required by a body that is itself optional");
	json_is("{'in':'body','name':'To'}", at(op, "/parameters/To"),
	    "its body's To is flattened into an input");
	json_is("true", at(op, "/input_schema/properties/CustomMessage/"
	    "deprecated"), "a deprecated body property stays marked so");
	is_int(19, json_object_object_length(at(op,
	    "/input_schema/properties")), "it has 19 inputs: ServiceSid and "
	    "18 body properties");

	op = operation("UpdateChallengePasskeys");
	is_string("application/json", string_at(op, "/body_content_type"),
	    "UpdateChallengePasskeys has a JSON body");
	json_is("['ServiceSid','id','rawId','authenticatorAttachment',"
	    "'response']", at(op, "/input_schema/required"),
	    "whose required properties are required, since the body is");

	op = operation("ListChallenge");
	json_is("{'type':'string','enum':['pending','expired','approved',"
	    "'denied'],'description':'The Status of this Challenge. One of "
	    "`pending`, `expired`, `approved` or `denied`.'}",
	    at(op, "/input_schema/properties/Status"), "ListChallenge's "
	    "Status parameter is its $ref'd enum schema");
	json_is("{'in':'query','name':'Status'}", at(op,
	    "/parameters/Status"), "bound to the query");

	op = operation("DeleteService");
	is_string("DELETE", string_at(op, "/method"),
	    "DeleteService is a DELETE");
	is_string("/v2/Services/{Sid}", string_at(op, "/path"),
	    "on /v2/Services/{Sid}");
	json_is("['Sid']", at(op, "/input_schema/required"),
	    "whose Sid is required");
	is_string("Delete a specific Verification Service Instance.",
	    string_at(op, "/summary"), "with its summary");
}

int
main(void)
{
	plan(153);

	test_refused();
	test_too_many_operations();
	test_budget();
	test_info();
	test_keys();
	test_texts();
	test_parameters();
	test_bodies();
	test_schemas();
	test_depth();
	test_parameter_cap();
	test_many_duplicates();
	test_warning_cap();
	test_twilio();
	reset();
	return 0;
}

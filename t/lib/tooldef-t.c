/*
 * tooldef-t.c: tests for lib/tooldef.c, MCP tools from upstream
 * operations.  Checks the promises of tooldef.h: which tool names are
 * valid, how a key becomes one, the annotations each HTTP method implies
 * and how explicit hints override them, and the tool derived from an
 * operation (name, title, description, copies of the schema and
 * binding), including refused operations.  Last, every operation of
 * Twilio's Verify API (t/fixtures/openapi) becomes a tool with a valid,
 * distinct name.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oas.h"
#include "jsonutil.h"
#include "tooldef.h"
#include "t/tap/basic.h"

/*
 * Parse text, JSON written with ' for ", into a new object.  Bails when
 * it is not JSON, since that is a bug in the test.
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
		bail("test JSON is not JSON: %s", copy);
	free(copy);
	return obj;
}

/* Compare seen with expected (as doc() reads it).  One test. */
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

/* The string member key of obj, or NULL. */
static const char *
member(json_object *obj, const char *key)
{
	json_object *value;

	if (obj == NULL || !json_object_object_get_ex(obj, key, &value) ||
	    !json_object_is_type(value, json_type_string))
		return NULL;
	return json_object_get_string(value);
}

static void
test_names(void)
{
	char name[TOOLDEF_NAME_MAX + 1], long_key[200];

	ok(tooldef_name_is_valid("get_users-by_id2"),
	    "letters, digits, _ and - make a valid name");
	ok(tooldef_name_is_valid("-"), "one character is enough");
	ok(!tooldef_name_is_valid(""), "the empty name is not valid");
	ok(!tooldef_name_is_valid(NULL), "NULL is not a valid name");
	ok(!tooldef_name_is_valid("users.list"), "a dot is not valid");
	ok(!tooldef_name_is_valid("list users"), "a space is not valid");
	ok(!tooldef_name_is_valid("caf\xc3\xa9"),
	    "a character outside ASCII is not valid");
	memset(long_key, 'a', sizeof(long_key));
	long_key[64] = '\0';
	ok(tooldef_name_is_valid(long_key), "64 characters are valid");
	long_key[64] = 'a';
	long_key[65] = '\0';
	ok(!tooldef_name_is_valid(long_key), "65 characters are not");

	tooldef_name_from_key("get_users_by_id", name);
	is_string("get_users_by_id", name, "a valid key is its own name");
	tooldef_name_from_key("users.list all", name);
	is_string("users_list_all", name, "invalid characters become _");
	tooldef_name_from_key("__a...__b__", name);
	is_string("a_b", name,
	    "runs of _ become one and none is left at either end");
	tooldef_name_from_key("a-b--c", name);
	is_string("a-b--c", name, "dashes are kept as they are");
	tooldef_name_from_key("caf\xc3\xa9s", name);
	is_string("caf_s", name, "the bytes of a non-ASCII character become "
	    "one _");
	tooldef_name_from_key("", name);
	is_string("tool", name, "an empty key is named tool");
	tooldef_name_from_key("...", name);
	is_string("tool", name, "a key with nothing valid is named tool");
	tooldef_name_from_key(NULL, name);
	is_string("tool", name, "a NULL key is named tool");

	memset(long_key, 'b', sizeof(long_key));
	long_key[sizeof(long_key) - 1] = '\0';
	tooldef_name_from_key(long_key, name);
	is_int(64, strlen(name), "a long key is cut to 64 bytes");
	memset(long_key, 'c', 63);
	memcpy(long_key + 63, ".d", 3);
	tooldef_name_from_key(long_key, name);
	is_int(63, strlen(name), "a cut name does not end in _");
	ok(tooldef_name_is_valid(name), "and is valid");
}

static void
test_annotations(void)
{
	json_object *hints, *explicit_hints;

	hints = tooldef_annotations("GET", NULL);
	json_is("{'readOnlyHint':true,'destructiveHint':false,"
	    "'idempotentHint':true,'openWorldHint':true}", hints,
	    "GET is read-only, not destructive and idempotent");
	json_object_put(hints);
	hints = tooldef_annotations("HEAD", NULL);
	json_is("{'readOnlyHint':true,'destructiveHint':false,"
	    "'idempotentHint':true,'openWorldHint':true}", hints,
	    "so is HEAD");
	json_object_put(hints);
	hints = tooldef_annotations("OPTIONS", NULL);
	json_is("{'readOnlyHint':true,'destructiveHint':false,"
	    "'idempotentHint':true,'openWorldHint':true}", hints,
	    "so is OPTIONS");
	json_object_put(hints);
	hints = tooldef_annotations("POST", NULL);
	json_is("{'readOnlyHint':false,'destructiveHint':false,"
	    "'idempotentHint':false,'openWorldHint':true}", hints,
	    "POST writes, but neither destroys nor is idempotent");
	json_object_put(hints);
	hints = tooldef_annotations("PUT", NULL);
	json_is("{'readOnlyHint':false,'destructiveHint':true,"
	    "'idempotentHint':true,'openWorldHint':true}", hints,
	    "PUT is destructive and idempotent");
	json_object_put(hints);
	hints = tooldef_annotations("PATCH", NULL);
	json_is("{'readOnlyHint':false,'destructiveHint':true,"
	    "'idempotentHint':false,'openWorldHint':true}", hints,
	    "PATCH is destructive and not idempotent");
	json_object_put(hints);
	hints = tooldef_annotations("DELETE", NULL);
	json_is("{'readOnlyHint':false,'destructiveHint':true,"
	    "'idempotentHint':true,'openWorldHint':true}", hints,
	    "DELETE is destructive and idempotent");
	json_object_put(hints);
	hints = tooldef_annotations("delete", NULL);
	json_is("{'readOnlyHint':false,'destructiveHint':true,"
	    "'idempotentHint':true,'openWorldHint':true}", hints,
	    "the method's case does not matter");
	json_object_put(hints);
	hints = tooldef_annotations(NULL, NULL);
	json_is("{'openWorldHint':true}", hints,
	    "an MCP server's operation is only said to be open-world");
	json_object_put(hints);
	hints = tooldef_annotations("TRACE", NULL);
	json_is("{'openWorldHint':true}", hints,
	    "so is an unknown method's");
	json_object_put(hints);

	explicit_hints = doc("{'readOnlyHint':false,'destructiveHint':true,"
	    "'idempotentHint':'yes','openWorldHint':null,'title':'x'}");
	hints = tooldef_annotations("GET", explicit_hints);
	json_is("{'readOnlyHint':false,'destructiveHint':true,"
	    "'idempotentHint':true,'openWorldHint':true}", hints,
	    "explicit booleans override the derived hints; other values and "
	    "names are ignored");
	json_object_put(hints);
	json_object_put(explicit_hints);
	explicit_hints = doc("{'readOnlyHint':true,'openWorldHint':false}");
	hints = tooldef_annotations(NULL, explicit_hints);
	json_is("{'openWorldHint':false,'readOnlyHint':true}", hints,
	    "explicit hints are added to an MCP server's operation");
	json_object_put(hints);
	json_object_put(explicit_hints);
}

/* Derive the tool of operation text; bails when that fails. */
static json_object *
tool_of(const char *text)
{
	json_object *operation = doc(text), *tool;
	struct error err;

	memset(&err, 0, sizeof(err));
	if (tooldef_from_operation(operation, &tool, &err) != 0)
		bail("tooldef_from_operation failed: %s", err.message);
	json_object_put(operation);
	return tool;
}

/* The title of the tool of an operation with this key and no summary. */
static void
title_is(const char *expected, const char *key)
{
	json_object *operation, *tool = NULL;
	struct error err;

	memset(&err, 0, sizeof(err));
	operation = doc("{'method':'GET','path':'/','input_schema':{},"
	    "'parameters':{}}");
	json_object_object_add(operation, "key", json_object_new_string(key));
	if (tooldef_from_operation(operation, &tool, &err) != 0)
		bail("tooldef_from_operation failed: %s", err.message);
	is_string(expected, member(tool, "title"), "the key %s reads as "
	    "the title \"%s\"", key, expected);
	json_object_put(tool);
	json_object_put(operation);
}

static void
test_tools(void)
{
	json_object *operation, *tool, *copy;
	struct error err;
	char *summary;
	size_t i;

	operation = doc("{'key':'get_users_by_id','operation_id':null,"
	    "'method':'GET','path':'/users/{id}','summary':'',"
	    "'description':'','deprecated':false,'input_schema':{'type':"
	    "'object','properties':{'id':{'type':'integer'}},'required':"
	    "['id'],'additionalProperties':false},'parameters':{'id':{'in':"
	    "'path','name':'id'}},'body_content_type':null}");
	memset(&err, 0, sizeof(err));
	is_int(0, tooldef_from_operation(operation, &tool, &err),
	    "a tool is derived from an operation");
	json_is("{'name':'get_users_by_id','title':'Get users by id',"
	    "'description':'GET /users/{id}','input_schema':{'type':"
	    "'object','properties':{'id':{'type':'integer'}},'required':"
	    "['id'],'additionalProperties':false},'annotations':"
	    "{'readOnlyHint':true,'destructiveHint':false,'idempotentHint':"
	    "true,'openWorldHint':true},'binding':{'id':{'in':'path','name':"
	    "'id'}}}", tool, "without texts: the key readable as title, "
	    "METHOD path as description, the schema, GET's annotations and "
	    "the parameters as binding");
	ok(json_object_object_get(tool, "input_schema") !=
	    json_object_object_get(operation, "input_schema") &&
	    json_object_object_get(tool, "binding") !=
	    json_object_object_get(operation, "parameters"),
	    "the schema and binding are copies, not shared");
	copy = json_object_get(json_object_object_get(tool, "input_schema"));
	json_object_put(operation);
	json_is("{'type':'object','properties':{'id':{'type':'integer'}},"
	    "'required':['id'],'additionalProperties':false}", copy,
	    "and outlive the operation");
	json_object_put(copy);
	json_object_put(tool);

	tool = tool_of("{'key':'addPet','method':'POST','path':'/pets',"
	    "'summary':'Add a pet','description':'Adds a pet to the store.',"
	    "'input_schema':{},'parameters':{}}");
	is_string("addPet", member(tool, "name"), "the name is the key");
	is_string("Add a pet", member(tool, "title"),
	    "the title is the summary");
	is_string("Adds a pet to the store.", member(tool, "description"),
	    "the description is the description");
	json_is("{'readOnlyHint':false,'destructiveHint':false,"
	    "'idempotentHint':false,'openWorldHint':true}",
	    json_object_object_get(tool, "annotations"),
	    "the annotations are the method's");
	json_object_put(tool);

	tool = tool_of("{'key':'pets.remove','method':'DELETE','path':"
	    "'/pets/{id}','summary':'Remove a pet','input_schema':{},"
	    "'parameters':{}}");
	is_string("pets_remove", member(tool, "name"),
	    "the name is made valid from the key");
	is_string("Remove a pet", member(tool, "description"),
	    "without a description, the summary describes the tool");
	json_object_put(tool);

	title_is("Create access token", "CreateAccessToken");
	title_is("List pets", "listPets");
	title_is("Get HTTP status", "getHTTPStatus");
	title_is("Get a user", "GetAUser");
	title_is("Put a b by user id json", "put_a_b_by_user_id_json");
	title_is("V2 list items", "v2_list-items");
	title_is("", "");

	if ((summary = malloc(2 * 300 + 1)) == NULL)
		bail("out of memory");
	for (i = 0; i < 300; i++)
		memcpy(summary + 2 * i, "\xc3\xa9", 2);
	summary[600] = '\0';
	operation = doc("{'key':'k','method':'GET','path':'/',"
	    "'input_schema':{},'parameters':{}}");
	json_object_object_add(operation, "summary",
	    json_object_new_string(summary));
	if (tooldef_from_operation(operation, &tool, &err) != 0)
		bail("tooldef_from_operation failed: %s", err.message);
	is_int(510, strlen(member(tool, "title")),
	    "a long summary makes a title of 255 characters");
	is_string(summary, member(tool, "description"),
	    "and stays whole as the description");
	json_object_put(tool);
	json_object_put(operation);
	free(summary);
}

/* An MCP server's tool: no method, no path. */
static void
test_mcp_operation(void)
{
	json_object *tool = tool_of("{'key':'search_docs','method':null,"
	    "'path':null,'summary':'','description':'','input_schema':"
	    "{'type':'object'},'parameters':{},'annotations':"
	    "{'readOnlyHint':true}}");
	json_object *hints = json_get_object(tool, "annotations");

	is_string("search_docs", json_get_string(tool, "description"),
	    "an MCP tool without texts is described by its key");
	is_string("Search docs", json_get_string(tool, "title"),
	    "... and titled by it");
	ok(json_get_true(hints, "readOnlyHint"),
	    "its own annotations are kept");
	ok(json_object_object_length(json_get_object(tool, "binding")) == 0,
	    "it has no binding: its arguments go as they are");
	json_object_put(tool);
}

static void
test_refused(void)
{
	static const char *const incomplete[] = {
		"[]",
		"{'method':'GET','path':'/','input_schema':{},'parameters':{}}",
		"{'key':'k','path':'/','input_schema':{},'parameters':{}}",
		"{'key':'k','method':'GET','input_schema':{},'parameters':{}}",
		"{'key':'k','method':'GET','path':'/','parameters':{}}",
		"{'key':'k','method':'GET','path':'/','input_schema':[],"
		    "'parameters':{}}",
		"{'key':'k','method':'GET','path':'/','input_schema':{}}",
	};
	static const char *const missing[] = {
		NULL, "key", "method", "path", "input_schema", "input_schema",
		"parameters",
	};
	json_object *operation, *tool, *loc;
	struct error err;
	size_t i;

	for (i = 0; i < sizeof(incomplete) / sizeof(incomplete[0]); i++) {
		memset(&err, 0, sizeof(err));
		operation = doc(incomplete[i]);
		tool = (json_object *)&err;
		is_int(-1, tooldef_from_operation(operation, &tool, &err),
		    "the operation %s is refused", incomplete[i]);
		ok(tool == NULL && err.code == ERR_VALIDATION,
		    "as a validation error, with no tool");
		loc = json_object_array_get_idx(err.details, 0);
		loc = loc == NULL ? NULL : json_object_object_get(loc, "loc");
		is_string(missing[i], json_object_get_string(
		    json_object_array_get_idx(loc, 1)),
		    "whose detail names %s", missing[i] == NULL ?
		    "no field" : missing[i]);
		error_clear(&err);
		json_object_put(operation);
	}
}

static void
test_twilio(void)
{
	const char *srcdir = getenv("DRIO_SRCDIR");
	json_object *document, *operations, *warnings, *names, *tool;
	struct oas_info info;
	struct error err;
	char *path;
	size_t i, n, valid = 0, distinct = 0;

	if (asprintf(&path, "%s/t/fixtures/openapi/twilio_verify_v2.json",
	    srcdir != NULL ? srcdir : ".") == -1)
		bail("out of memory");
	if ((document = json_object_from_file(path)) == NULL)
		bail("cannot read %s", path);
	free(path);
	memset(&err, 0, sizeof(err));
	if (oas_discover(document, &operations, &warnings, &info, &err) != 0)
		bail("cannot discover the fixture: %s", err.message);
	names = json_object_new_object();
	n = json_object_array_length(operations);
	for (i = 0; i < n; i++) {
		const char *name;

		if (tooldef_from_operation(json_object_array_get_idx(
		    operations, i), &tool, &err) != 0)
			bail("cannot derive tool %zu: %s", i, err.message);
		name = member(tool, "name");
		valid += tooldef_name_is_valid(name);
		if (name != NULL && !json_object_object_get_ex(names, name,
		    NULL)) {
			distinct++;
			json_object_object_add(names, name, NULL);
		}
		if (i == 0) {
			is_string("CreateAccessToken", name,
			    "the first Twilio tool is CreateAccessToken");
			is_string("Create a new enrollment Access Token for "
			    "the Entity", member(tool, "title"),
			    "titled by its summary");
		}
		json_object_put(tool);
	}
	is_int(57, valid, "each of the 57 Twilio operations makes a tool "
	    "with a valid name");
	is_int(57, distinct, "and the names are distinct");
	json_object_put(names);
	json_object_put(operations);
	json_object_put(warnings);
	json_object_put(document);
}

/* The method a chain's annotations derive from. */
static void
test_chain_method(void)
{
	const char *reads[] = { "GET", "HEAD", "OPTIONS" };
	const char *read_then_write[] = { "GET", "POST", "GET" };
	const char *writes[] = { "POST", "PUT", "GET", "PATCH" };
	const char *deletes[] = { "GET", "DELETE", "POST" };
	const char *gaps[] = { NULL, "GET", NULL };
	const char *none[] = { NULL, NULL };

	is_string("GET", tooldef_chain_method(reads, 3),
	    "a chain of reads derives from its first step");
	is_string("POST", tooldef_chain_method(read_then_write, 3),
	    "a write after a read decides");
	is_string("PATCH", tooldef_chain_method(writes, 4),
	    "the last write decides");
	is_string("DELETE", tooldef_chain_method(deletes, 3),
	    "a DELETE ends the search");
	is_string("GET", tooldef_chain_method(gaps, 3),
	    "steps without a method are skipped");
	ok(tooldef_chain_method(none, 2) == NULL,
	    "no method at all gives NULL");
	ok(tooldef_chain_method(none, 0) == NULL, "an empty chain gives NULL");
}

int
main(void)
{
	plan(87);

	test_names();
	test_annotations();
	test_chain_method();
	test_tools();
	test_refused();
	test_mcp_operation();
	test_twilio();
	return 0;
}

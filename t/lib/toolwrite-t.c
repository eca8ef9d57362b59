/*
 * toolwrite-t.c: tests for the pure checks of lib/toolwrite.c
 * (toolwrite.h, docs/api-v1/tools.md): a tool's input schema, the shape
 * of a binding (also against the schema's properties) and the shape of
 * a chain.  Each rule is broken in one respect, and the answer must be a
 * 422 whose details name exactly the members at fault, with their
 * types, in the order they are found; array indexes in a loc are
 * strings.  The writes need the database and are tested end to end
 * (t/48-api-v1-tools.t).
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "toolwrite.h"
#include "t/tap/basic.h"

#define UUID1 "0b6f3c1e-2a4d-4f8e-9c1b-7d2e5a6f8b90"
#define UUID2 "5c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f"

static struct arena *arena;

/*
 * Parse text, JSON written with ' for ", into a new value; NULL text is
 * NULL.  Bails when it is not JSON, since that is a bug in the test.
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

/*
 * What a check answered, as one line: "ok" for 0 with no error set;
 * otherwise the code string, then each detail as its loc joined with
 * "/" and its type ("#N" marks a loc part that is not a string, "(no
 * message)" a detail without a message), in the order reported.
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
		for (j = 0; j < json_object_array_length(loc); j++) {
			json_object *part = json_object_array_get_idx(loc, j);

			where = arena_printf(arena, "%s%s%s%s", where,
			    j == 0 ? "" : "/",
			    json_object_is_type(part, json_type_string) ?
			    "" : "#", json_object_get_string(part));
		}
		s = arena_printf(arena, "%s%s %s %s%s", s, i == 0 ? ":" : ",",
		    where, json_object_get_string(type),
		    json_object_get_string_len(msg) == 0 ? " (no message)" :
		    "");
	}
	return s;
}

/* One test: toolwrite_check_input_schema(schema) answers expected. */
static void
expect_schema(const char *schema, const char *expected, const char *promise)
{
	struct error err = { .code = ERR_NONE };
	json_object *s = parse(schema);
	int rc;

	rc = toolwrite_check_input_schema(s, &err);
	is_string(expected, outcome(rc, &err), "%s", promise);
	error_clear(&err);
	json_object_put(s);
}

/* One test: toolwrite_check_binding(binding, schema) answers expected. */
static void
expect_binding(const char *binding, const char *schema,
    const char *expected, const char *promise)
{
	struct error err = { .code = ERR_NONE };
	json_object *b = parse(binding), *s = parse(schema);
	int rc;

	rc = toolwrite_check_binding(b, s, &err);
	is_string(expected, outcome(rc, &err), "%s", promise);
	error_clear(&err);
	json_object_put(b);
	json_object_put(s);
}

/* One test: toolwrite_check_chain(chain) answers expected. */
static void
expect_chain(const char *chain, const char *expected, const char *promise)
{
	struct error err = { .code = ERR_NONE };
	json_object *c = parse(chain);
	int rc;

	rc = toolwrite_check_chain(c, &err);
	is_string(expected, outcome(rc, &err), "%s", promise);
	error_clear(&err);
	json_object_put(c);
}

static void
test_input_schema(void)
{
	expect_schema("{'type': 'object'}", "ok",
	    "a bare object schema passes");
	expect_schema("{'type': 'object', 'properties': {'q': {'type':"
	    " 'string'}, 'any': true, 'none': false}, 'required': ['q'],"
	    " 'additionalProperties': false, 'x-anything': 1}", "ok",
	    "properties of schemas and booleans, required strings and"
	    " other keywords pass");
	expect_schema("{'type': 'object', 'properties': {}, 'required': []}",
	    "ok", "empty properties and required pass");
	expect_schema(NULL, "validation_error: body/input_schema dict_type",
	    "no schema at all is refused");
	expect_schema("[]", "validation_error: body/input_schema dict_type",
	    "a schema that is an array is refused");
	expect_schema("true", "validation_error: body/input_schema dict_type",
	    "the boolean schema true is not an object schema");
	expect_schema("{}", "validation_error: body/input_schema/type"
	    " schema_type", "a schema without a type is refused");
	expect_schema("{'type': 'array'}", "validation_error:"
	    " body/input_schema/type schema_type",
	    "a schema of type array is refused");
	expect_schema("{'type': ['object', 'null']}", "validation_error:"
	    " body/input_schema/type schema_type",
	    "a list of types is refused");
	expect_schema("{'type': 'Object'}", "validation_error:"
	    " body/input_schema/type schema_type",
	    "the type is case-sensitive");
	expect_schema("{'type': 'object', 'properties': []}",
	    "validation_error: body/input_schema/properties dict_type",
	    "properties that are an array are refused");
	expect_schema("{'type': 'object', 'properties': {'q': 'string',"
	    " 'ok': {}, 'n': null, 'z': 5}}",
	    "validation_error: body/input_schema/properties/q dict_type,"
	    " body/input_schema/properties/n dict_type,"
	    " body/input_schema/properties/z dict_type",
	    "each property whose schema is not an object or boolean is"
	    " named");
	expect_schema("{'type': 'object', 'required': 'q'}",
	    "validation_error: body/input_schema/required list_type",
	    "required as a string is refused");
	expect_schema("{'type': 'object', 'required': ['q', 1]}",
	    "validation_error: body/input_schema/required list_type",
	    "required with a number in it is refused");
	expect_schema("{'type': 'string', 'properties': 1, 'required': {}}",
	    "validation_error: body/input_schema/type schema_type,"
	    " body/input_schema/properties dict_type,"
	    " body/input_schema/required list_type",
	    "every fault of a schema is reported at once");
}

static void
test_binding(void)
{
	static const char schema[] = "{'type': 'object', 'properties':"
	    " {'q': {'type': 'string'}, 'id': {'type': 'string'},"
	    " 'doc': {'type': 'object'}}}";

	expect_binding("{'q': {'in': 'query', 'name': 'q'},"
	    " 'id': {'in': 'path', 'name': 'petId'},"
	    " 'doc': {'in': 'body'}}", schema, "ok",
	    "a binding of the schema's properties passes");
	expect_binding("{}", schema, "ok", "an empty binding passes");
	expect_binding("{'x': {'in': 'header', 'name': 'X-Trace'}}", NULL,
	    "ok", "without a schema any property may be bound");
	expect_binding("{'x': {'in': 'query', 'name': 'x'}}", schema,
	    "validation_error: body/binding/x binding_unknown_property",
	    "a property the schema lacks is refused");
	expect_binding("{'q': {'in': 'query', 'name': 'q'}}",
	    "{'type': 'object'}",
	    "validation_error: body/binding/q binding_unknown_property",
	    "a schema without properties binds nothing");
	expect_binding("[]", NULL, "validation_error: body/binding dict_type",
	    "a binding that is an array is refused");
	expect_binding("{'q': 'query'}", NULL,
	    "validation_error: body/binding/q dict_type",
	    "a property bound to a string is refused");
	expect_binding("{'q': {'in': 'cookie', 'name': 'q'}}", NULL,
	    "validation_error: body/binding/q/in enum",
	    "a cookie binding is refused");
	expect_binding("{'q': {'in': 5, 'name': 'q'}}", NULL,
	    "validation_error: body/binding/q/in enum",
	    "in that is a number is refused");
	expect_binding("{'q': {'name': 'q'}}", NULL,
	    "validation_error: body/binding/q/in missing",
	    "a binding says where the property goes");
	expect_binding("{'q': {'in': 'query'}}", NULL,
	    "validation_error: body/binding/q/name missing",
	    "a query binding names its parameter");
	expect_binding("{'q': {'in': 'path'}}", NULL,
	    "validation_error: body/binding/q/name missing",
	    "a path binding names its parameter");
	expect_binding("{'q': {'in': 'header'}}", NULL,
	    "validation_error: body/binding/q/name missing",
	    "a header binding names its parameter");
	expect_binding("{'q': {'in': 'body', 'name': 'query'}}", NULL, "ok",
	    "a body binding may name a field");
	expect_binding("{'q': {'in': 'query', 'name': ''}}", NULL,
	    "validation_error: body/binding/q/name string_type",
	    "an empty parameter name is refused");
	expect_binding("{'q': {'in': 'body', 'name': ''}}", NULL,
	    "validation_error: body/binding/q/name string_type",
	    "an empty body field name is refused too");
	expect_binding("{'q': {'in': 'query', 'name': 5}}", NULL,
	    "validation_error: body/binding/q/name string_type",
	    "a parameter name that is a number is refused");
	expect_binding("{'q': {'in': 'query', 'name': 'q', 'style': 'form',"
	    " 'explode': false}}", NULL, "ok",
	    "style and explode may be given");
	expect_binding("{'q': {'in': 'query', 'name': 'q', 'style': 1}}",
	    NULL, "validation_error: body/binding/q/style string_type",
	    "a style that is not a string is refused");
	expect_binding("{'q': {'in': 'query', 'name': 'q',"
	    " 'explode': 'false'}}", NULL,
	    "validation_error: body/binding/q/explode bool_type",
	    "explode as a string is refused");
	expect_binding("{'q': {'in': 'query', 'name': 'q',"
	    " 'required': true}}", NULL,
	    "validation_error: body/binding/q/required extra_forbidden",
	    "an unknown binding member is refused");
	expect_binding("{'x': {'in': 'cookie', 'extra': 1},"
	    " 'q': {'in': 'query', 'name': 'q', 'explode': 0}}", schema,
	    "validation_error: body/binding/x binding_unknown_property,"
	    " body/binding/x/extra extra_forbidden, body/binding/x/in enum,"
	    " body/binding/x/name missing,"
	    " body/binding/q/explode bool_type",
	    "every fault of a binding is reported at once");
}

/* A chain of n distinct steps, as JSON text. */
static const char *
steps(size_t n)
{
	const char *s = "";
	size_t i;

	for (i = 0; i < n; i++)
		s = arena_printf(arena, "%s%s{'name': 's%zu', 'operation_id':"
		    " '" UUID1 "'}", s, i == 0 ? "" : ", ", i);
	return arena_printf(arena, "[%s]", s);
}

/* A chain of one step with name and operation_id (JSON values). */
static const char *
step(const char *name, const char *operation_id, const char *more)
{
	return arena_printf(arena, "[{'name': %s, 'operation_id': %s%s}]",
	    name, operation_id, more);
}

/* 65 characters of a name, to cut at the bound wanted. */
static const char name_chars[] = "abcdefghijklmnopqrstuvwxyz"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-x";

static void
test_chain(void)
{
	const char *long_name;

	expect_chain("[{'name': 'owner', 'operation_id': '" UUID1 "',"
	    " 'arguments': {'name': '{{input.owner}}'}},"
	    " {'name': 'adopt', 'operation_id': '" UUID2 "',"
	    " 'arguments': {'owner_id': '{{steps.owner.body.id}}'}}]", "ok",
	    "a chain of two steps passes");
	expect_chain(step("'only'", "'" UUID1 "'", ""), "ok",
	    "a step without arguments passes");
	expect_chain(steps(1), "ok", "a chain of one step passes");
	expect_chain(steps(TOOLWRITE_CHAIN_MAX), "ok",
	    "a chain of exactly 32 steps passes");
	expect_chain(steps(TOOLWRITE_CHAIN_MAX + 1),
	    "validation_error: body/chain too_long",
	    "a chain of 33 steps is refused");
	expect_chain("[]", "validation_error: body/chain too_short",
	    "an empty chain is refused");
	expect_chain("{}", "validation_error: body/chain list_type",
	    "a chain that is an object is refused");
	expect_chain(NULL, "validation_error: body/chain list_type",
	    "no chain at all is refused");
	expect_chain("['owner']", "validation_error: body/chain/0 dict_type",
	    "a step that is a string is refused");
	expect_chain("[{}]", "validation_error: body/chain/0/name missing,"
	    " body/chain/0/operation_id missing",
	    "an empty step misses its name and operation");
	expect_chain(step("'s'", "'" UUID1 "'", ", 'tool': 'x'"),
	    "validation_error: body/chain/0/tool extra_forbidden",
	    "an unknown step member is refused");
	expect_chain(step("'my step'", "'" UUID1 "'", ""),
	    "validation_error: body/chain/0/name string_pattern_mismatch",
	    "a step name with a space is refused");
	expect_chain(step("5", "'" UUID1 "'", ""),
	    "validation_error: body/chain/0/name string_pattern_mismatch",
	    "a step name that is a number is refused");
	expect_chain(step("''", "'" UUID1 "'", ""),
	    "validation_error: body/chain/0/name string_pattern_mismatch",
	    "an empty step name is refused");
	long_name = arena_printf(arena, "'%.64s'", name_chars);
	expect_chain(step(long_name, "'" UUID1 "'", ""), "ok",
	    "a step name of exactly 64 characters passes");
	expect_chain(step(arena_printf(arena, "'%.65s'", name_chars),
	    "'" UUID1 "'", ""),
	    "validation_error: body/chain/0/name string_pattern_mismatch",
	    "a step name of 65 characters is refused");
	expect_chain("[{'name': 'a', 'operation_id': '" UUID1 "'},"
	    " {'name': 'b', 'operation_id': '" UUID1 "'},"
	    " {'name': 'a', 'operation_id': '" UUID2 "'}]",
	    "validation_error: body/chain/2/name duplicate",
	    "a step name used twice is refused at the second use");
	expect_chain(step("'s'", "'not-a-uuid'", ""),
	    "validation_error: body/chain/0/operation_id uuid_parsing",
	    "an operation_id that is not a UUID is refused");
	expect_chain(step("'s'", "'0b6f3c1e2a4d4f8e9c1b7d2e5a6f8b90'", ""),
	    "validation_error: body/chain/0/operation_id uuid_parsing",
	    "a UUID without its dashes is refused");
	expect_chain(step("'s'", "'" UUID1 "0'", ""),
	    "validation_error: body/chain/0/operation_id uuid_parsing",
	    "a UUID one character too long is refused");
	expect_chain(step("'s'", "7", ""),
	    "validation_error: body/chain/0/operation_id uuid_parsing",
	    "an operation_id that is a number is refused");
	expect_chain(step("'s'", "'0B6F3C1E-2A4D-4F8E-9C1B-7D2E5A6F8B90'",
	    ""), "ok", "an upper-case UUID passes");
	expect_chain(step("'s'", "'" UUID1 "'", ", 'arguments': []"),
	    "validation_error: body/chain/0/arguments dict_type",
	    "arguments that are an array are refused");
	expect_chain(step("'s'", "'" UUID1 "'", ", 'arguments': null"),
	    "validation_error: body/chain/0/arguments dict_type",
	    "null arguments are refused");
	expect_chain("[{'name': 'a', 'operation_id': '" UUID1 "'},"
	    " {'name': 'b c', 'operation_id': 'x', 'arguments': 1,"
	    " 'when': true}, 3]",
	    "validation_error: body/chain/1/when extra_forbidden,"
	    " body/chain/1/name string_pattern_mismatch,"
	    " body/chain/1/operation_id uuid_parsing,"
	    " body/chain/1/arguments dict_type, body/chain/2 dict_type",
	    "every fault of a chain is reported at once, at its index");
}

int
main(void)
{
	plan(62);
	if ((arena = arena_new()) == NULL)
		bail("arena_new failed");
	test_input_schema();
	test_binding();
	test_chain();
	arena_free(arena);
	return 0;
}

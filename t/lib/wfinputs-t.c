/*
 * wfinputs-t.c: tests for a workflow's run inputs (wfinputs.h): finding
 * the start node, Dify's parameters answer, the JSON Schema of a run's
 * inputs, and the check of a run's inputs against the start variables.
 *
 * The graph is written here the way Dify exports one (node ids that are
 * timestamps, React Flow positions, an edge with its handles and
 * sourceType/targetType) with one start variable of every type Dify
 * has: text-input, paragraph, select, number, file, file-list,
 * checkbox and json_object.  Every refusal is one run's inputs changed
 * in one respect from a valid one, and the whole answer (code and
 * details) must be what Dify's checks say, with drio's loc and types.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonschema.h"
#include "wfinputs.h"
#include "t/tap/basic.h"

#define UPLOAD_ID "6b1f3c2e-8d4a-4f7b-9c1e-2a3b4c5d6e7f"

/* A start node as Dify writes one, then an end node; ' stands for ". */
static const char dify_graph[] =
	"{'nodes': ["
	" {'id': '1718000000001', 'type': 'custom',"
	"  'position': {'x': 80, 'y': 282},"
	"  'positionAbsolute': {'x': 80, 'y': 282},"
	"  'width': 244, 'height': 246, 'selected': false,"
	"  'sourcePosition': 'right', 'targetPosition': 'left',"
	"  'data': {'type': 'start', 'title': 'Start', 'desc': '',"
	"   'selected': false, 'variables': ["
	"    {'variable': 'city', 'label': 'City', 'type': 'text-input',"
	"     'required': true, 'max_length': 48, 'options': []},"
	"    {'variable': 'notes', 'label': 'Notes', 'type': 'paragraph',"
	"     'description': 'Anything the forecast should mention',"
	"     'required': false, 'max_length': 10, 'options': [],"
	"     'default': 'none'},"
	"    {'variable': 'unit', 'label': 'Unit', 'type': 'select',"
	"     'required': true, 'max_length': 48,"
	"     'options': ['metric', 'imperial']},"
	"    {'variable': 'days', 'label': 'Days', 'type': 'number',"
	"     'required': false, 'options': [], 'default': '3'},"
	"    {'variable': 'photo', 'label': 'Photo', 'type': 'file',"
	"     'required': false, 'max_length': 48, 'options': [],"
	"     'allowed_file_types': ['image'],"
	"     'allowed_file_extensions': [],"
	"     'allowed_file_upload_methods': ['local_file', 'remote_url']},"
	"    {'variable': 'docs', 'label': 'Documents', 'type': 'file-list',"
	"     'required': false, 'max_length': 2, 'options': [],"
	"     'allowed_file_types': ['document', 'custom'],"
	"     'allowed_file_extensions': ['.csv'],"
	"     'allowed_file_upload_methods': ['local_file']},"
	"    {'variable': 'verbose', 'label': 'Verbose', 'type': 'checkbox',"
	"     'required': false, 'default': false},"
	"    {'variable': 'extra', 'label': 'Extra', 'type': 'json_object',"
	"     'required': false, 'hide': false,"
	"     'json_schema': '{\\'type\\': \\'object\\', \\'properties\\':"
	" {\\'lang\\': {\\'type\\': \\'string\\', \\'maxLength\\': 5}},"
	" \\'required\\': [\\'lang\\']}'}]}},"
	" {'id': '1718000000002', 'type': 'custom',"
	"  'position': {'x': 384, 'y': 282},"
	"  'data': {'type': 'end', 'title': 'End', 'desc': '',"
	"   'outputs': [{'variable': 'place',"
	"    'value_selector': ['1718000000001', 'city']}]}}],"
	" 'edges': [{'id': '1718000000001-source-1718000000002-target',"
	"  'source': '1718000000001', 'sourceHandle': 'source',"
	"  'target': '1718000000002', 'targetHandle': 'target',"
	"  'type': 'custom', 'zIndex': 0,"
	"  'data': {'sourceType': 'start', 'targetType': 'end',"
	"   'isInIteration': false}}],"
	" 'viewport': {'x': 0, 'y': 0, 'zoom': 1}}";

static json_object *graph;

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

/* is_json with ' for " and ` for ' in expected. */
static bool
is_json_q(const char *expected, json_object *seen, const char *what)
{
	char *copy, *p;
	bool success;

	if ((copy = strdup(expected)) == NULL)
		sysbail("strdup");
	for (p = copy; *p != '\0'; p++)
		if (*p == '\'')
			*p = '"';
		else if (*p == '`')
			*p = '\'';
	success = is_json(copy, seen, "%s", what);
	free(copy);
	return success;
}

/*
 * The required inputs (city, unit) with the members of overlay (' for
 * ") added or replacing them.  A new object.
 */
static json_object *
inputs_with(const char *overlay)
{
	json_object *inputs = parse("{'city': 'Paris', 'unit': 'metric'}");
	json_object *more = parse(overlay);
	struct json_object_iterator it = json_object_iter_begin(more);
	struct json_object_iterator end = json_object_iter_end(more);

	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it))
		json_object_object_add(inputs, json_object_iter_peek_name(&it),
		    json_object_get(json_object_iter_peek_value(&it)));
	json_object_put(more);
	return inputs;
}

/*
 * One test: checking the required inputs plus overlay is refused with
 * expected, {code, details} written with ' for ".
 */
static void
refused(const char *overlay, const char *expected, const char *what)
{
	struct error err = { .code = ERR_NONE };
	json_object *inputs = inputs_with(overlay), *normalised, *seen;

	if (wfinputs_check(graph, inputs, &normalised, &err) == 0)
		diag("accepted: %s", json_object_to_json_string(normalised));
	seen = json_object_new_object();
	json_object_object_add(seen, "code",
	    json_object_new_string(error_code_string(err.code)));
	json_object_object_add(seen, "details", json_object_get(err.details));
	is_json_q(expected, seen, what);
	json_object_put(seen);
	json_object_put(normalised);
	json_object_put(inputs);
	error_clear(&err);
}

/*
 * One test: checking the required inputs plus overlay is accepted, and
 * the normalised member name is expected (' for "; "null" when it must
 * be left out).
 */
static void
accepted(const char *overlay, const char *name, const char *expected,
    const char *what)
{
	struct error err = { .code = ERR_NONE };
	json_object *inputs = inputs_with(overlay), *normalised, *member;

	member = NULL;
	if (wfinputs_check(graph, inputs, &normalised, &err) == -1)
		diag("refused: %s %s", err.message,
		    err.details != NULL ?
		    json_object_to_json_string(err.details) : "");
	else if (!json_object_object_get_ex(normalised, name, &member))
		member = NULL;
	else if (member == NULL)
		member = json_object_new_string("(a JSON null)");
	is_json_q(expected, member, what);
	json_object_put(normalised);
	json_object_put(inputs);
	error_clear(&err);
}

static void
test_start_node(void)
{
	json_object *other = parse("{'nodes': [{'id': 'a', 'data': "
	    "{'type': 'end'}}, {'id': 'b'}, 7], 'edges': []}");
	json_object *array = parse("[{'data': {'type': 'start'}}]");

	is_string("1718000000001", json_object_get_string(
	    json_object_object_get(wfinputs_start_node(graph), "id")),
	    "the start node is the node whose data.type is start");
	ok(wfinputs_start_node(other) == NULL,
	    "a graph without a start node has none");
	ok(wfinputs_start_node(NULL) == NULL &&
	    wfinputs_start_node(array) == NULL,
	    "what is not a graph has no start node");
	json_object_put(array);
	json_object_put(other);
}

static void
test_parameters(void)
{
	struct error err = { .code = ERR_NONE };
	struct wfinputs_limits limits = { 20, 5, 200, 60, 4 };
	json_object *params, *form, *bare, *both;

	if (wfinputs_parameters(graph, NULL, &params, &err) == -1)
		bail("wfinputs_parameters: %s", err.message);
	form = json_object_get(json_object_object_get(params,
	    "user_input_form"));
	is_int(8, (long long)json_object_array_length(form),
	    "user_input_form has one entry per start variable");
	is_json_q("{'text-input': {'variable': 'city', 'label': 'City',"
	    " 'type': 'text-input', 'required': true, 'max_length': 48,"
	    " 'options': []}}", json_object_array_get_idx(form, 0),
	    "an entry is {type: the declaration as written}");
	is_json_q("{'select': {'variable': 'unit', 'label': 'Unit',"
	    " 'type': 'select', 'required': true, 'max_length': 48,"
	    " 'options': ['metric', 'imperial']}}",
	    json_object_array_get_idx(form, 2),
	    "entries keep the start node's order");
	json_object_object_del(params, "user_input_form");
	is_json_q("{'opening_statement': null, 'suggested_questions': [],"
	    " 'suggested_questions_after_answer': {'enabled': false},"
	    " 'speech_to_text': {'enabled': false},"
	    " 'text_to_speech': {'enabled': false},"
	    " 'retriever_resource': {'enabled': false},"
	    " 'annotation_reply': {'enabled': false},"
	    " 'more_like_this': {'enabled': false},"
	    " 'sensitive_word_avoidance': {'enabled': false, 'type': '',"
	    "  'configs': []},"
	    " 'file_upload': {'enabled': true, 'number_limits': 2,"
	    "  'allowed_file_types': ['image', 'document', 'custom'],"
	    "  'allowed_file_extensions': ['.csv'],"
	    "  'allowed_file_upload_methods': ['local_file', 'remote_url'],"
	    "  'image': {'enabled': true, 'number_limits': 2,"
	    "   'detail': 'high',"
	    "   'transfer_methods': ['local_file', 'remote_url']}},"
	    " 'system_parameters': {'image_file_size_limit': 10,"
	    "  'video_file_size_limit': 100, 'audio_file_size_limit': 50,"
	    "  'file_size_limit': 15, 'workflow_file_upload_limit': 10}}",
	    params, "the rest is Dify's defaults, the file variables' "
	    "file_upload and drio's default limits");
	json_object_put(params);
	json_object_put(form);

	if (wfinputs_parameters(graph, &limits, &params, &err) == -1)
		bail("wfinputs_parameters: %s", err.message);
	is_json_q("{'image_file_size_limit': 5, 'video_file_size_limit': 200,"
	    " 'audio_file_size_limit': 60, 'file_size_limit': 20,"
	    " 'workflow_file_upload_limit': 4}",
	    json_object_object_get(params, "system_parameters"),
	    "system_parameters states the limits given");
	json_object_put(params);

	bare = parse("{'nodes': [{'id': 's', 'data': {'type': 'start',"
	    " 'variables': [{'variable': 'q', 'label': 'Q',"
	    " 'type': 'text-input'}, 'junk', {'variable': 'x'},"
	    " {'variable': 'r', 'type': 'file-list',"
	    " 'allowed_file_upload_methods': ['tool_file']}]}}]}");
	if (wfinputs_parameters(bare, NULL, &params, &err) == -1)
		bail("wfinputs_parameters: %s", err.message);
	is_json_q("[{'text-input': {'variable': 'q', 'label': 'Q',"
	    " 'type': 'text-input'}}, {'file-list': {'variable': 'r',"
	    " 'type': 'file-list',"
	    " 'allowed_file_upload_methods': ['tool_file']}}]",
	    json_object_object_get(params, "user_input_form"),
	    "a declaration without a type is left out of user_input_form");
	is_json_q("{'enabled': true, 'number_limits': 10,"
	    " 'allowed_file_types': ['image', 'document', 'audio', 'video',"
	    "  'custom'], 'allowed_file_extensions': [],"
	    " 'allowed_file_upload_methods': [],"
	    " 'image': {'enabled': true, 'number_limits': 10,"
	    "  'detail': 'high', 'transfer_methods': []}}",
	    json_object_object_get(params, "file_upload"),
	    "a file-list without max_length counts the workflow limit; "
	    "empty type lists allow all; tool_file is no run input method");
	json_object_put(params);
	json_object_object_del(json_object_object_get(json_object_array_get_idx(
	    json_object_object_get(bare, "nodes"), 0), "data"), "variables");
	if (wfinputs_parameters(bare, NULL, &params, &err) == -1)
		bail("wfinputs_parameters: %s", err.message);
	both = json_object_new_object();
	json_object_object_add(both, "form", json_object_get(
	    json_object_object_get(params, "user_input_form")));
	json_object_object_add(both, "upload", json_object_get(
	    json_object_object_get(params, "file_upload")));
	is_json_q("{'form': [], 'upload': {'image': {'enabled': false,"
	    " 'number_limits': 3, 'detail': 'high',"
	    " 'transfer_methods': ['remote_url', 'local_file']}}}", both,
	    "a start node without variables: no form, Dify's default "
	    "file_upload");
	json_object_put(both);
	json_object_put(params);
	json_object_put(bare);
}


/* The schema of one file mapping, with types and methods as given. */
#define FILE_SCHEMA(types, methods)                                        \
	"{'type': 'object', 'description': 'A file: an upload of the app"  \
	" (transfer_method local_file, upload_file_id) or a URL"           \
	" (transfer_method remote_url, url).', 'properties': {"            \
	"'type': {'type': 'string', 'enum': " types "},"                   \
	" 'transfer_method': {'type': 'string', 'enum': " methods "},"     \
	" 'upload_file_id': {'type': 'string', 'description': 'The id of"  \
	" an upload (POST /apps/{app_id}/files/upload), with local_file.'}," \
	" 'url': {'type': 'string', 'description': 'An http or https URL," \
	" with remote_url.'}}, 'required': ['transfer_method']"

static void
test_schema(void)
{
	struct error err = { .code = ERR_NONE };
	json_object *schema, *inputs, *bad;

	if (wfinputs_schema(graph, &schema, &err) == -1)
		bail("wfinputs_schema: %s", err.message);
	is_json_q("{'type': 'object', 'additionalProperties': false,"
	    " 'required': ['city', 'unit'], 'properties': {"
	    " 'city': {'type': 'string', 'maxLength': 48, 'title': 'City'},"
	    " 'notes': {'type': 'string', 'maxLength': 10, 'title': 'Notes',"
	    "  'description': 'Anything the forecast should mention',"
	    "  'default': 'none'},"
	    " 'unit': {'type': 'string', 'enum': ['metric', 'imperial'],"
	    "  'title': 'Unit'},"
	    " 'days': {'type': 'number', 'title': 'Days', 'default': '3'},"
	    " 'photo': "
	    FILE_SCHEMA("['image']", "['local_file', 'remote_url']")
	    ", 'title': 'Photo'},"
	    " 'docs': {'type': 'array', 'maxItems': 2, 'title': 'Documents',"
	    "  'items': "
	    FILE_SCHEMA("['document', 'custom']", "['local_file']")
	    "}},"
	    " 'verbose': {'type': 'boolean', 'title': 'Verbose',"
	    "  'default': false},"
	    " 'extra': {'type': 'object', 'title': 'Extra', 'properties':"
	    "  {'lang': {'type': 'string', 'maxLength': 5}},"
	    "  'required': ['lang']}}}", schema,
	    "the schema has one property per start variable, by type");

	inputs = parse("{'city': 'Paris', 'unit': 'imperial', 'days': 2,"
	    " 'photo': {'transfer_method': 'local_file', 'upload_file_id':"
	    " '" UPLOAD_ID "'}, 'docs': [{'transfer_method': 'local_file',"
	    " 'type': 'document', 'upload_file_id': '" UPLOAD_ID "'}],"
	    " 'verbose': true, 'extra': {'lang': 'fr'}}");
	ok(jsonschema_check(schema, inputs, &err) == 0,
	    "lib/jsonschema accepts valid inputs by the schema");
	error_clear(&err);
	bad = parse("{'city': 'Paris', 'unit': 'kelvin', 'days': 'x',"
	    " 'docs': [{}, {}, {}], 'colour': 'red'}");
	if (jsonschema_check(schema, bad, &err) == 0 ||
	    json_object_array_length(err.details) != 7)
		diag("%s", json_object_to_json_string(err.details));
	ok(err.code == ERR_VALIDATION &&
	    json_object_array_length(err.details) == 7,
	    "lib/jsonschema refuses an option, a type, three missing "
	    "methods, too many files and an undeclared input by the schema");
	error_clear(&err);
	json_object_put(bad);
	json_object_put(inputs);
	json_object_put(schema);

	bad = parse("{'nodes': [{'id': 's', 'data': {'type': 'start',"
	    " 'variables': [{'variable': 'q', 'type': 'text-input'},"
	    " {'variable': 'w', 'type': 'external_data_tool'}]}}]}");
	ok(wfinputs_schema(bad, &schema, &err) == -1 &&
	    err.code == ERR_DRAFT_INVALID && schema == NULL,
	    "a type drio does not know makes the schema a draft_invalid");
	is_string("The workflow's start node declares an input drio cannot "
	    "read: input 1: type \"external_data_tool\" is not one drio "
	    "knows (text-input, paragraph, select, number, file, file-list, "
	    "checkbox, json_object)", err.message,
	    "the message names the declaration and what is wrong with it");
	error_clear(&err);
	json_object_put(bad);

	bad = parse("{'nodes': []}");
	if (wfinputs_schema(bad, &schema, &err) == -1)
		bail("wfinputs_schema: %s", err.message);
	is_json_q("{'type': 'object', 'properties': {}, 'required': [],"
	    " 'additionalProperties': false}", schema,
	    "a graph without a start node takes no inputs");
	json_object_put(schema);
	json_object_put(bad);
}

static void
test_check_valid(void)
{
	struct error err = { .code = ERR_NONE };
	json_object *inputs, *normalised;

	inputs = parse("{'city': 'Par\\u0000is', 'unit': 'imperial',"
	    " 'notes': 'sunny', 'days': ' 7 ',"
	    " 'photo': {'transfer_method': 'remote_url', 'type': 'image',"
	    "  'url': 'https://img.example.com/a.png', 'id': 'x'},"
	    " 'docs': [{'transfer_method': 'local_file', 'type': 'custom',"
	    "  'upload_file_id': '" UPLOAD_ID "'}],"
	    " 'verbose': 'Yes', 'extra': {'lang': 'fr', 'n': 1},"
	    " 'colour': 'red'}");
	if (wfinputs_check(graph, inputs, &normalised, &err) == -1)
		diag("refused: %s", err.message);
	is_json_q("{'city': 'Paris', 'unit': 'imperial', 'notes': 'sunny',"
	    " 'days': 7, 'photo': {'transfer_method': 'remote_url',"
	    "  'type': 'image', 'url': 'https://img.example.com/a.png'},"
	    " 'docs': [{'transfer_method': 'local_file', 'type': 'custom',"
	    "  'upload_file_id': '" UPLOAD_ID "'}],"
	    " 'verbose': true, 'extra': {'lang': 'fr', 'n': 1}}", normalised,
	    "valid inputs: NULs stripped, numbers and booleans as such, "
	    "mappings trimmed, undeclared inputs dropped");
	json_object_put(normalised);
	json_object_put(inputs);
	error_clear(&err);

	inputs = parse("{'city': 'Paris', 'unit': 'metric'}");
	if (wfinputs_check(graph, inputs, &normalised, &err) == -1)
		diag("refused: %s", err.message);
	is_json_q("{'city': 'Paris', 'unit': 'metric', 'notes': 'none',"
	    " 'days': 3, 'verbose': false}", normalised,
	    "defaults fill what is not given, checked and normalised; "
	    "inputs without default are left out");
	json_object_put(normalised);
	json_object_put(inputs);
	error_clear(&err);

	accepted("{'notes': null, 'days': null}", "days", "3",
	    "null counts as not given");
	accepted("{'city': ''}", "city", "''",
	    "a required text given as '' is given, as in Dify");
	accepted("{'city': '" "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9" "'}", "city",
	    "'\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9'",
	    "a multibyte text counts characters, not bytes");
	accepted("{'notes': '\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9'}", "notes",
	    "'\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9'", "a text of exactly max_length characters "
	    "passes");
	accepted("{'days': 4.5}", "days", "4.5", "a JSON float is a number");
	accepted("{'days': -12}", "days", "-12", "a JSON integer is a number");
	accepted("{'days': '2.50'}", "days", "2.5",
	    "a string with a '.' is read as a float");
	accepted("{'days': '+0012'}", "days", "12",
	    "a string without one is read as an integer");
	accepted("{'days': '.5e1'}", "days", "5.0",
	    "a float string may have an exponent");
	accepted("{'days': '   '}", "days", "3",
	    "an optional number given as blanks takes its default");
	accepted("{'verbose': 'OFF'}", "verbose", "false",
	    "a checkbox reads off as false");
	accepted("{'verbose': 1}", "verbose", "true",
	    "a checkbox reads 1 as true");
	accepted("{'photo': ''}", "photo", "null",
	    "an optional file given as '' is left out");
	accepted("{'docs': ''}", "docs", "null",
	    "an optional file-list given as '' is left out");
	accepted("{'docs': []}", "docs", "[]",
	    "an empty file-list is a list of files");
	accepted("{'photo': {'transfer_method': 'remote_url',"
	    " 'upload_file_id': '" UPLOAD_ID "'}}", "photo",
	    "{'transfer_method': 'remote_url', 'upload_file_id': '"
	    UPLOAD_ID "'}", "a remote_url file may name its upload");
	accepted("{'docs': [{'transfer_method': 'local_file', 'type': 'video',"
	    " 'upload_file_id': '" UPLOAD_ID "'}]}", "docs",
	    "[{'transfer_method': 'local_file', 'type': 'video',"
	    " 'upload_file_id': '" UPLOAD_ID "'}]",
	    "a variable that allows custom files lets any type through "
	    "(its extension is the caller's to check)");
}

static void
test_check_refused(void)
{
	struct error err = { .code = ERR_NONE };
	json_object *inputs, *normalised;

	ok(wfinputs_check(graph, NULL, &normalised, &err) == -1 &&
	    normalised == NULL, "no inputs at all are refused");
	is_string("city is required in input form (and 1 more problem)",
	    err.message, "the message is the first problem, and counts "
	    "the rest");
	is_json_q("[{'loc': ['body', 'inputs', 'city'], 'type': 'missing',"
	    " 'msg': 'city is required in input form'},"
	    " {'loc': ['body', 'inputs', 'unit'], 'type': 'missing',"
	    " 'msg': 'unit is required in input form'}]", err.details,
	    "one detail per missing required input");
	error_clear(&err);

	inputs = parse("['city']");
	ok(wfinputs_check(graph, inputs, &normalised, &err) == -1 &&
	    err.code == ERR_VALIDATION, "inputs that are not an object are "
	    "refused");
	is_json_q("[{'loc': ['body', 'inputs'], 'type': 'dict_type',"
	    " 'msg': 'Input should be a valid dictionary'}]", err.details,
	    "with one detail on inputs as a whole");
	error_clear(&err);
	json_object_put(inputs);

	refused("{'city': null}", "{'code': 'validation_error', 'details':"
	    " [{'loc': ['body', 'inputs', 'city'], 'type': 'missing',"
	    " 'msg': 'city is required in input form'}]}",
	    "a required input given as null is missing");
	refused("{'city': 5}", "{'code': 'validation_error', 'details':"
	    " [{'loc': ['body', 'inputs', 'city'], 'type': 'string_type',"
	    " 'msg': '(type `text-input`) city in input form must be a"
	    " string'}]}", "a text input must be a string");
	refused("{'notes': ['a']}", "{'code': 'validation_error', 'details':"
	    " [{'loc': ['body', 'inputs', 'notes'], 'type': 'string_type',"
	    " 'msg': '(type `paragraph`) notes in input form must be a"
	    " string'}]}", "a paragraph must be a string");
	refused("{'city': '" "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9xxxxxxxxxxxxxxxxxxxxxxxx'}",
	    "{'code': 'validation_error', 'details':"
	    " [{'loc': ['body', 'inputs', 'city'], 'type': 'string_too_long',"
	    " 'msg': 'city in input form must be less than 48 characters'}]}",
	    "a text longer than max_length characters is refused");
	refused("{'notes': 'abcdefghijk'}", "{'code': 'validation_error',"
	    " 'details': [{'loc': ['body', 'inputs', 'notes'],"
	    " 'type': 'string_too_long',"
	    " 'msg': 'notes in input form must be less than 10 characters'}]}",
	    "a paragraph longer than max_length is refused");
	refused("{'city': 'Par\xffis'}", "{'code': 'validation_error',"
	    " 'details': [{'loc': ['body', 'inputs', 'city'],"
	    " 'type': 'string_unicode',"
	    " 'msg': 'city in input form must be a valid UTF-8 string'}]}",
	    "a text that is not UTF-8 is refused");
	refused("{'unit': 'kelvin'}", "{'code': 'validation_error', 'details':"
	    " [{'loc': ['body', 'inputs', 'unit'], 'type': 'enum',"
	    " 'msg': 'unit in input form must be one of the following:"
	    " [`metric`, `imperial`]'}]}",
	    "a select value outside its options is refused");
	refused("{'unit': 1}", "{'code': 'validation_error', 'details':"
	    " [{'loc': ['body', 'inputs', 'unit'], 'type': 'string_type',"
	    " 'msg': '(type `select`) unit in input form must be a"
	    " string'}]}", "a select value must be a string");
	refused("{'days': 'abc'}", "{'code': 'validation_error', 'details':"
	    " [{'loc': ['body', 'inputs', 'days'], 'type': 'float_parsing',"
	    " 'msg': 'days in input form must be a valid number'}]}",
	    "a number given as text that is no number is refused");
	refused("{'days': '1e5'}", "{'code': 'validation_error', 'details':"
	    " [{'loc': ['body', 'inputs', 'days'], 'type': 'float_parsing',"
	    " 'msg': 'days in input form must be a valid number'}]}",
	    "an exponent without a '.' is no integer, as for Python's int()");
	refused("{'days': '99999999999999999999'}", "{'code':"
	    " 'validation_error', 'details': [{'loc': ['body', 'inputs',"
	    " 'days'], 'type': 'float_parsing',"
	    " 'msg': 'days in input form must be a valid number'}]}",
	    "an integer outside 64 bits is refused");
	refused("{'days': true}", "{'code': 'validation_error', 'details':"
	    " [{'loc': ['body', 'inputs', 'days'], 'type': 'float_parsing',"
	    " 'msg': 'days in input form must be a valid number'}]}",
	    "a boolean is no number");
	refused("{'days': {'n': 1}}", "{'code': 'validation_error', 'details':"
	    " [{'loc': ['body', 'inputs', 'days'], 'type': 'float_parsing',"
	    " 'msg': 'days in input form must be a valid number'}]}",
	    "an object is no number");
	refused("{'verbose': 'maybe'}", "{'code': 'validation_error',"
	    " 'details': [{'loc': ['body', 'inputs', 'verbose'],"
	    " 'type': 'bool_parsing',"
	    " 'msg': 'verbose in input form must be a boolean'}]}",
	    "a checkbox value that is no boolean is refused");
	refused("{'verbose': 2}", "{'code': 'validation_error',"
	    " 'details': [{'loc': ['body', 'inputs', 'verbose'],"
	    " 'type': 'bool_parsing',"
	    " 'msg': 'verbose in input form must be a boolean'}]}",
	    "a checkbox number other than 0 and 1 is refused");
	refused("{'extra': '{}'}", "{'code': 'validation_error', 'details':"
	    " [{'loc': ['body', 'inputs', 'extra'], 'type': 'dict_type',"
	    " 'msg': 'extra in input form must be a dict'}]}",
	    "a json_object value must be an object");
	refused("{'extra': {'lang': 'english'}}", "{'code':"
	    " 'validation_error', 'details': [{'loc': ['body', 'inputs',"
	    " 'extra'], 'type': 'json_schema', 'msg': 'JSON object for"
	    " `extra` does not match schema: lang must be at most 5"
	    " characters long'}]}", "a json_object must fit its json_schema");
	refused("{'photo': 'a.png'}", "{'code': 'validation_error', 'details':"
	    " [{'loc': ['body', 'inputs', 'photo'], 'type': 'file_type',"
	    " 'msg': 'photo in input form must be a file'}]}",
	    "a file input must be a mapping");
	refused("{'photo': {'upload_file_id': '" UPLOAD_ID "'}}",
	    "{'code': 'validation_error', 'details':"
	    " [{'loc': ['body', 'inputs', 'photo'],"
	    " 'type': 'file_transfer_method', 'msg': 'Invalid file transfer"
	    " method: the mapping has no transfer_method string'}]}",
	    "a file mapping needs a transfer_method");
	refused("{'photo': {'transfer_method': 'tool_file',"
	    " 'tool_file_id': '" UPLOAD_ID "'}}",
	    "{'code': 'validation_error', 'details':"
	    " [{'loc': ['body', 'inputs', 'photo'],"
	    " 'type': 'file_transfer_method', 'msg': 'Invalid file transfer"
	    " method: `tool_file` (local_file or remote_url)'}]}",
	    "a run's file is a local_file or a remote_url");
	refused("{'photo': {'transfer_method': 'local_file'}}",
	    "{'code': 'validation_error', 'details':"
	    " [{'loc': ['body', 'inputs', 'photo'],"
	    " 'type': 'file_upload_file_id',"
	    " 'msg': 'Invalid upload file id'}]}",
	    "a local_file needs an upload_file_id");
	refused("{'photo': {'transfer_method': 'local_file',"
	    " 'upload_file_id': '42'}}",
	    "{'code': 'validation_error', 'details':"
	    " [{'loc': ['body', 'inputs', 'photo'],"
	    " 'type': 'file_upload_file_id',"
	    " 'msg': 'Invalid upload file id format'}]}",
	    "an upload_file_id is a UUID");
	refused("{'photo': {'transfer_method': 'remote_url', 'url': ''}}",
	    "{'code': 'validation_error', 'details':"
	    " [{'loc': ['body', 'inputs', 'photo'], 'type': 'file_url',"
	    " 'msg': 'Invalid file url'}]}", "a remote_url needs a url");
	refused("{'photo': {'transfer_method': 'remote_url',"
	    " 'url': 'ftp://example.com/a.png'}}",
	    "{'code': 'validation_error', 'details':"
	    " [{'loc': ['body', 'inputs', 'photo'], 'type': 'file_url',"
	    " 'msg': 'Invalid file url: it must be an absolute http or https"
	    " URL'}]}", "a remote_url's url is http or https");
	refused("{'photo': {'transfer_method': 'local_file', 'type': 'movie',"
	    " 'upload_file_id': '" UPLOAD_ID "'}}",
	    "{'code': 'validation_error', 'details':"
	    " [{'loc': ['body', 'inputs', 'photo'],"
	    " 'type': 'file_type_unknown', 'msg': '`movie` is not a valid"
	    " FileType (image, document, audio, video or custom)'}]}",
	    "a file type is one of Dify's");
	refused("{'photo': {'transfer_method': 'local_file', 'type': 'video',"
	    " 'upload_file_id': '" UPLOAD_ID "'}}",
	    "{'code': 'validation_error', 'details':"
	    " [{'loc': ['body', 'inputs', 'photo'],"
	    " 'type': 'file_type_not_allowed', 'msg': 'File validation"
	    " failed: photo does not accept files of type video'}]}",
	    "a file type the variable does not allow is refused");
	refused("{'docs': {'transfer_method': 'local_file'}}",
	    "{'code': 'validation_error', 'details':"
	    " [{'loc': ['body', 'inputs', 'docs'], 'type': 'file_list_type',"
	    " 'msg': 'docs in input form must be a list of files'}]}",
	    "a file-list must be an array");
	refused("{'docs': [{'transfer_method': 'local_file',"
	    " 'upload_file_id': '" UPLOAD_ID "'}, 'b.csv']}",
	    "{'code': 'validation_error', 'details':"
	    " [{'loc': ['body', 'inputs', 'docs'], 'type': 'file_list_type',"
	    " 'msg': 'docs in input form must be a list of files'}]}",
	    "a file-list's items must all be mappings");
	refused("{'docs': [{}, {}, {}]}", "{'code': 'validation_error',"
	    " 'details': [{'loc': ['body', 'inputs', 'docs'],"
	    " 'type': 'too_long',"
	    " 'msg': 'docs in input form must be less than 2 files'}]}",
	    "a file-list longer than max_length is refused");
	refused("{'docs': [{'transfer_method': 'local_file',"
	    " 'upload_file_id': '" UPLOAD_ID "'}, {'transfer_method':"
	    " 'remote_url', 'url': 'https://example.com/b.csv'}]}",
	    "{'code': 'validation_error', 'details':"
	    " [{'loc': ['body', 'inputs', 'docs', 1],"
	    " 'type': 'file_transfer_method', 'msg': 'File validation"
	    " failed: docs does not accept files by remote_url'}]}",
	    "a file-list item's problem names its index");
	refused("{'photo': {'transfer_method': 'local_file', 'type': 'image',"
	    " 'upload_file_id': '" UPLOAD_ID "'}, 'city': 1, 'unit': null,"
	    " 'days': 'x', 'docs': [{}, {'transfer_method': 'local_file'}]}",
	    "{'code': 'validation_error', 'details': ["
	    " {'loc': ['body', 'inputs', 'city'], 'type': 'string_type',"
	    "  'msg': '(type `text-input`) city in input form must be a"
	    " string'},"
	    " {'loc': ['body', 'inputs', 'unit'], 'type': 'missing',"
	    "  'msg': 'unit is required in input form'},"
	    " {'loc': ['body', 'inputs', 'days'], 'type': 'float_parsing',"
	    "  'msg': 'days in input form must be a valid number'},"
	    " {'loc': ['body', 'inputs', 'docs', 0],"
	    "  'type': 'file_transfer_method', 'msg': 'Invalid file transfer"
	    " method: the mapping has no transfer_method string'},"
	    " {'loc': ['body', 'inputs', 'docs', 1],"
	    "  'type': 'file_upload_file_id',"
	    "  'msg': 'Invalid upload file id'}]}",
	    "every problem is listed, in the start node's order");
}

/* A graph whose start node declares decls (' for "). */
static json_object *
graph_of(const char *decls)
{
	char text[2048];

	snprintf(text, sizeof(text), "{'nodes': [{'id': 'n0', 'data':"
	    " {'type': 'end'}}, {'id': 'st', 'data': {'type': 'start',"
	    " 'variables': %s}}]}", decls);
	return parse(text);
}

static void
test_declarations(void)
{
	struct error err = { .code = ERR_NONE };
	json_object *g, *errors, *normalised, *inputs;
	size_t i;

	g = graph_of("[{'variable': 'a', 'type': 'text-input'},"
	    " {'variable': 'b', 'type': 'date'},"
	    " {'label': 'C', 'type': 'number'},"
	    " {'variable': 'a', 'type': 'number'},"
	    " {'variable': 'e', 'type': 'select', 'options': ['x', 1]},"
	    " {'variable': 'f', 'type': 'file',"
	    "  'allowed_file_upload_methods': ['ftp']},"
	    " {'variable': 'g', 'type': 'paragraph', 'max_length': -1},"
	    " {'variable': 'h', 'type': 'json_object', 'json_schema': '[1'},"
	    " {'variable': 'i', 'type': 'number', 'required': 'yes'},"
	    " {'variable': 'j', 'type': 'paragraph', 'max_length': '200'}]");
	errors = json_object_new_array();
	is_int(8, wfinputs_declarations(g, "/workflow/graph", errors),
	    "every unreadable declaration is reported once");
	is_json_q("[{'code': 'start_variable_invalid', 'pointer':"
	    " '/workflow/graph/nodes/1/data/variables/1', 'message': 'Start"
	    " node st declares input 1 in a way drio cannot read: type"
	    " \\'date\\' is not one drio knows (text-input, paragraph, select,"
	    " number, file, file-list, checkbox, json_object)'},"
	    " {'code': 'start_variable_invalid', 'pointer':"
	    " '/workflow/graph/nodes/1/data/variables/2', 'message': 'Start"
	    " node st declares input 2 in a way drio cannot read: variable"
	    " (its name) is missing or not a string'},"
	    " {'code': 'start_variable_invalid', 'pointer':"
	    " '/workflow/graph/nodes/1/data/variables/3', 'message': 'Start"
	    " node st declares input 3 in a way drio cannot read: the name"
	    " \\'a\\' is declared twice'},"
	    " {'code': 'start_variable_invalid', 'pointer':"
	    " '/workflow/graph/nodes/1/data/variables/4', 'message': 'Start"
	    " node st declares input 4 in a way drio cannot read: options[1]"
	    " is not a string'},"
	    " {'code': 'start_variable_invalid', 'pointer':"
	    " '/workflow/graph/nodes/1/data/variables/5', 'message': 'Start"
	    " node st declares input 5 in a way drio cannot read:"
	    " allowed_file_upload_methods[0] \\'ftp\\' is not one drio"
	    " knows'},"
	    " {'code': 'start_variable_invalid', 'pointer':"
	    " '/workflow/graph/nodes/1/data/variables/6', 'message': 'Start"
	    " node st declares input 6 in a way drio cannot read: max_length"
	    " is not a whole number at least 0'},"
	    " {'code': 'start_variable_invalid', 'pointer':"
	    " '/workflow/graph/nodes/1/data/variables/7', 'message': 'Start"
	    " node st declares input 7 in a way drio cannot read:"
	    " json_schema is not a JSON object'},"
	    " {'code': 'start_variable_invalid', 'pointer':"
	    " '/workflow/graph/nodes/1/data/variables/8', 'message': 'Start"
	    " node st declares input 8 in a way drio cannot read: required"
	    " is not a boolean'}]", errors,
	    "each names its pointer, the node and what is wrong");
	json_object_put(errors);
	ok(wfinputs_check(g, NULL, &normalised, &err) == -1 &&
	    err.code == ERR_DRAFT_INVALID && normalised == NULL,
	    "a run of a start node drio cannot read is a draft_invalid");
	error_clear(&err);
	json_object_put(g);

	g = graph_of("[{'variable': 'j', 'type': 'paragraph',"
	    " 'max_length': '3', 'default': 'toolong'}]");
	errors = json_object_new_array();
	is_int(0, wfinputs_declarations(g, "", errors),
	    "a readable start node has nothing to report");
	json_object_put(errors);
	inputs = parse("{}");
	ok(wfinputs_check(g, inputs, &normalised, &err) == -1 &&
	    strcmp(err.message, "j in input form must be less than 3 "
	    "characters") == 0,
	    "a default is checked like a given value (max_length as text)");
	error_clear(&err);
	json_object_put(inputs);
	json_object_put(g);

	g = graph_of("[{'variable': 'n', 'type': 'number', 'required': true},"
	    " {'variable': 'o', 'type': 'json_object', 'required': true}]");
	inputs = parse("{'n': '', 'o': null}");
	ok(wfinputs_check(g, inputs, &normalised, &err) == -1 &&
	    strcmp(err.message, "n is required in input form (and 1 more "
	    "problem)") == 0,
	    "a required number given as '' is missing, as a null object");
	error_clear(&err);
	json_object_put(inputs);
	json_object_put(g);

	g = graph_of("[{'variable': 'f', 'type': 'file', 'required': true}]");
	inputs = parse("{'f': ''}");
	ok(wfinputs_check(g, inputs, &normalised, &err) == -1 &&
	    strcmp(err.message, "f in input form must be a file") == 0,
	    "a required file given as '' is no file");
	error_clear(&err);
	json_object_put(inputs);
	json_object_put(g);

	g = graph_of("[{'variable': 'many', 'type': 'file-list'}]");
	inputs = json_object_new_object();
	json_object_object_add(inputs, "many", json_object_new_array());
	for (i = 0; i < WFINPUTS_DETAILS_MAX + 10; i++)
		json_object_array_add(json_object_object_get(inputs, "many"),
		    json_object_new_object());
	ok(wfinputs_check(g, inputs, &normalised, &err) == -1 &&
	    json_object_array_length(err.details) == WFINPUTS_DETAILS_MAX,
	    "a file-list without max_length takes any number of files, "
	    "and the details stop at WFINPUTS_DETAILS_MAX");
	error_clear(&err);
	json_object_put(inputs);
	json_object_put(g);

	g = parse("{'nodes': [{'id': 'e', 'data': {'type': 'end'}}]}");
	inputs = parse("{'anything': 1}");
	if (wfinputs_check(g, inputs, &normalised, &err) == -1)
		diag("refused: %s", err.message);
	is_json("{}", normalised, "a graph without a start node takes no "
	    "inputs and drops what it is given");
	json_object_put(normalised);
	json_object_put(inputs);
	json_object_put(g);
}

static void
test_file_allowed(void)
{
	json_object *vars = json_object_object_get(json_object_object_get(
	    wfinputs_start_node(graph), "data"), "variables");
	json_object *city = json_object_array_get_idx(vars, 0);
	json_object *photo = json_object_array_get_idx(vars, 4);
	json_object *docs = json_object_array_get_idx(vars, 5);
	json_object *any = parse("{'variable': 'z', 'type': 'file'}");

	ok(wfinputs_file_allowed(photo, "image", ".png"),
	    "an image fits a variable that allows images");
	ok(!wfinputs_file_allowed(photo, "document", "pdf"),
	    "a document does not fit a variable that allows images only");
	ok(wfinputs_file_allowed(docs, "custom", ".CSV"),
	    "a custom file's extension is matched without case or dot");
	ok(!wfinputs_file_allowed(docs, "custom", "txt"),
	    "a custom file with another extension does not fit");
	ok(wfinputs_file_allowed(docs, "document", "txt"),
	    "an allowed type needs no listed extension");
	ok(!wfinputs_file_allowed(docs, "video", "mp4"),
	    "a type let in as custom needs a listed extension");
	ok(wfinputs_file_allowed(docs, "video", "csv"),
	    "and fits with one");
	ok(wfinputs_file_allowed(any, "audio", NULL) &&
	    wfinputs_file_allowed(any, NULL, NULL),
	    "empty lists allow every file");
	ok(!wfinputs_file_allowed(city, "image", "png"),
	    "a text variable takes no file");
	json_object_put(any);
}

int
main(void)
{
	graph = parse(dify_graph);
	plan(90);
	test_start_node();
	test_parameters();
	test_schema();
	test_check_valid();
	test_check_refused();
	test_declarations();
	test_file_allowed();
	json_object_put(graph);
	return 0;
}

/*
 * appconfig-t.c: tests for the pure half of lib/appconfig.c, the check
 * that says whether an app's runtime configuration can be published.
 * One fully valid configuration (two integrations, an api_key auth with
 * its secret set, an operation tool, a chain tool of two steps that use
 * {{input.x}} and {{steps.first.body.id}}, a widget with a tool_call
 * action) must pass with no errors and no warnings.  Then each code that
 * docs/validation.md lists is provoked by changing that configuration in
 * exactly one respect, and the answer must hold exactly that code, at a
 * JSON Pointer that resolves in the configuration, and nothing else.
 * appconfig_resolve() needs the database and is tested end to end.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdlib.h>
#include <string.h>

#include "appconfig.h"
#include "arena.h"
#include "t/tap/basic.h"

/*
 * The valid configuration, in the shape appconfig_resolve() writes (see
 * appconfig.h), with ' for ".  Its tools are adopt_pet (index 0, a chain)
 * and get_pet (index 1, an operation); its integrations crm (0, no auth)
 * and petstore (1, an api_key auth).
 */
static const char valid_config[] =
	"{'format': 1,"
	" 'app': {'id': 'a1', 'workspace_id': 'w1', 'workspace_slug': 'acme',"
	"  'slug': 'pets', 'name': 'Pets',"
	"  'description': 'Adopt pets and look them up.', 'mode': 'tools',"
	"  'icon_type': null, 'icon': null, 'icon_background': null,"
	"  'branding': {}, 'visibility': 'private'},"
	" 'integrations': ["
	"  {'id': 'i-crm', 'name': 'crm', 'kind': 'http',"
	"   'base_url': 'https://crm.example.com/v1', 'status': 'active',"
	"   'auth': null},"
	"  {'id': 'i-pets', 'name': 'petstore', 'kind': 'openapi',"
	"   'base_url': 'https://api.example.com:8443/v2', 'status': 'active',"
	"   'auth': {'id': 'c1', 'name': 'petstore key', 'type': 'api_key',"
	"    'settings': {'in': 'header', 'name': 'X-Api-Key'},"
	"    'secret_fields': ['value']}}],"
	" 'tools': ["
	"  {'id': 't1', 'name': 'adopt_pet', 'title': 'Adopt a pet',"
	"   'description': 'Register an owner and adopt a pet for them.',"
	"   'inputSchema': {'type': 'object',"
	"    'properties': {'owner': {'type': 'string'},"
	"     'pet': {'type': 'string'}},"
	"    'required': ['owner', 'pet']},"
	"   'annotations': {}, 'operation': null, 'binding': {},"
	"   'chain': ["
	"    {'name': 'first',"
	"     'operation': {'id': 'o2', 'integration_id': 'i-crm',"
	"      'key': 'createOwner', 'method': 'POST', 'path': '/owners',"
	"      'body_content_type': 'application/json', 'status': 'active',"
	"      'deprecated': false,"
	"      'input_schema': {'type': 'object',"
	"       'properties': {'name': {'type': 'string'}},"
	"       'required': ['name']},"
	"      'parameters': {'name': {'in': 'body'}}},"
	"     'arguments': {'name': '{{input.owner}}'}},"
	"    {'name': 'second',"
	"     'operation': {'id': 'o3', 'integration_id': 'i-pets',"
	"      'key': 'adoptPet', 'method': 'POST',"
	"      'path': '/pets/{petId}/adoption',"
	"      'body_content_type': 'application/json', 'status': 'active',"
	"      'deprecated': false,"
	"      'input_schema': {'type': 'object',"
	"       'properties': {'petId': {'type': 'string'},"
	"        'owner_id': {'type': 'string'}},"
	"       'required': ['petId', 'owner_id']},"
	"      'parameters': {'petId': {'in': 'path', 'name': 'petId'},"
	"       'owner_id': {'in': 'body'}}},"
	"     'arguments': {'petId': '{{input.pet}}',"
	"      'owner_id': '{{steps.first.body.id}}'}}],"
	"   'widget': null},"
	"  {'id': 't2', 'name': 'get_pet', 'title': 'Get a pet',"
	"   'description': 'Look up a pet by its id.',"
	"   'inputSchema': {'type': 'object',"
	"    'properties': {'petId': {'type': 'string'},"
	"     'verbose': {'type': 'boolean'}},"
	"    'required': ['petId']},"
	"   'annotations': {},"
	"   'operation': {'id': 'o1', 'integration_id': 'i-pets',"
	"    'key': 'getPet', 'method': 'GET', 'path': '/pets/{petId}',"
	"    'body_content_type': null, 'status': 'active',"
	"    'deprecated': false},"
	"   'binding': {'petId': {'in': 'path', 'name': 'petId'},"
	"    'verbose': {'in': 'query', 'name': 'verbose'}},"
	"   'chain': null, 'widget': 'pet_card'}],"
	" 'widgets': ["
	"  {'id': 'w1', 'name': 'pet_card', 'title': 'Pet',"
	"   'description': 'A pet and a button to adopt it.',"
	"   'uri': 'ui://widget/pet_card.html',"
	"   'template': '<div>{{name}}</div>', 'csp': {},"
	"   'prefers_border': true,"
	"   'actions': [{'name': 'adopt', 'type': 'tool_call',"
	"    'tool': 'adopt_pet'}]}],"
	" 'workflow': null}";

/* The changes to make: JSON Pointer, new value (with ' for "), ... */
#define EDITS(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define NO_EDITS ((const char *const[]){ NULL })

static struct arena *arena;

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

/* The valid configuration changed by edits.  Returns a new object. */
static json_object *
config_with(const char *const *edits)
{
	json_object *config = parse(valid_config);
	size_t i;

	for (i = 0; edits[i] != NULL; i += 2) {
		if (edits[i + 1] == NULL)
			bail("edit %s has no value", edits[i]);
		if (json_pointer_set(&config, edits[i],
		    parse(edits[i + 1])) != 0)
			bail("cannot set %s in the test configuration",
			    edits[i]);
	}
	return config;
}

static int
compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The entries of result's list as "code pointer", sorted and joined with
 * ", ", so a test states every entry it expects and nothing depends on
 * the order they are reported in.  Checks each entry as well: a message
 * that is empty shows up as "code pointer (no message)", a pointer that
 * does not resolve in config as "code pointer (unresolved)", a malformed
 * entry as "MALFORMED".
 */
static const char *
summary(json_object *result, const char *list, json_object *config)
{
	json_object *entries_json;
	const char *entries[32], *s = "";
	size_t n, i;

	if (!json_object_object_get_ex(result, list, &entries_json) ||
	    !json_object_is_type(entries_json, json_type_array))
		return "NOT A LIST";
	n = json_object_array_length(entries_json);
	if (n > 32)
		n = 32;
	for (i = 0; i < n; i++) {
		json_object *entry = json_object_array_get_idx(entries_json, i);
		json_object *code, *message, *pointer, *target;

		if (!json_object_object_get_ex(entry, "code", &code) ||
		    !json_object_object_get_ex(entry, "message", &message) ||
		    !json_object_object_get_ex(entry, "pointer", &pointer) ||
		    !json_object_is_type(code, json_type_string) ||
		    !json_object_is_type(message, json_type_string) ||
		    !json_object_is_type(pointer, json_type_string)) {
			entries[i] = "MALFORMED";
			continue;
		}
		entries[i] = arena_printf(arena, "%s %s%s%s",
		    json_object_get_string(code),
		    json_object_get_string(pointer),
		    json_object_get_string_len(message) == 0 ?
		    " (no message)" : "",
		    json_pointer_get(config, json_object_get_string(pointer),
		    &target) != 0 ? " (unresolved)" : "");
	}
	qsort(entries, n, sizeof(entries[0]), compare_strings);
	for (i = 0; i < n; i++)
		s = arena_printf(arena, "%s%s%s", s, i > 0 ? ", " : "",
		    entries[i]);
	return s;
}

/*
 * One test: the valid configuration changed by edits validates to
 * exactly errors and warnings (as summary() writes them; "" for none),
 * and "valid" is true exactly when errors is "".
 */
static void
expect(const char *const *edits, const char *errors, const char *warnings,
    const char *promise)
{
	json_object *config = config_with(edits), *result, *valid;
	const char *seen_errors, *seen_warnings;
	bool seen_valid;

	result = appconfig_validate(config);
	seen_errors = summary(result, "errors", config);
	seen_warnings = summary(result, "warnings", config);
	seen_valid = json_object_object_get_ex(result, "valid", &valid) &&
	    json_object_is_type(valid, json_type_boolean) &&
	    json_object_get_boolean(valid);
	ok(strcmp(seen_errors, errors) == 0 &&
	    strcmp(seen_warnings, warnings) == 0 &&
	    seen_valid == (errors[0] == '\0'), "%s", promise);
	if (strcmp(seen_errors, errors) != 0 ||
	    strcmp(seen_warnings, warnings) != 0 ||
	    seen_valid != (errors[0] == '\0')) {
		diag("  expected: valid %s, errors [%s], warnings [%s]",
		    errors[0] == '\0' ? "true" : "false", errors, warnings);
		diag("      seen: valid %s, errors [%s], warnings [%s]",
		    seen_valid ? "true" : "false", seen_errors,
		    seen_warnings);
	}
	json_object_put(result);
	json_object_put(config);
}

static void
test_valid(void)
{
	json_object *config = parse(valid_config), *before, *result;

	result = appconfig_validate(config);
	is_json("{\"valid\": true, \"errors\": [], \"warnings\": []}", result,
	    "the valid configuration is valid, with no errors and no "
	    "warnings");
	before = parse(valid_config);
	ok(json_object_equal(before, config),
	    "validation leaves the configuration as it was");
	json_object_put(before);
	json_object_put(result);
	json_object_put(config);

	expect(EDITS("/tools", "[]", "/widgets", "[]",
	    "/workflow", "{'nodes': []}"), "", "",
	    "an app with a workflow and no tools is valid");
	expect(EDITS("/tools", "[]", "/widgets", "[]",
	    "/workflow", "{'graph': {'nodes': [], 'edges': []}}"),
	    "graph_start_missing /workflow/graph/nodes", "",
	    "a workflow's graph is checked (lib/wfgraph), under /workflow/graph");
	expect(EDITS("/integrations/0/kind", "'mcp_server'",
	    "/integrations/0/base_url", "'https://mcp.example.com/mcp'"), "",
	    "", "an mcp_server integration with its endpoint URL is valid");
	expect(EDITS("/tools/1/binding/verbose", "{'in': 'body'}"), "", "",
	    "a body binding needs no parameter name");
	expect(EDITS("/tools/0/chain/0/arguments/name",
	    "'Owner: {{input.owner}} (adopting {{input.pet}})'"), "", "",
	    "a chain argument may mix text and several references");
	expect(EDITS("/tools/0/chain/1/arguments/owner_id",
	    "'{{steps.first}}'"), "", "",
	    "a reference may name a step without a path into its result");
	expect(EDITS("/widgets/0/actions/-",
	    "{'name': 'docs', 'type': 'link', 'tool': 'no_such_tool'}"),
	    "", "", "an action that is not a tool_call names no tool to check");
	expect(EDITS("/integrations/1/auth", "{'id': 'c1', 'name': 'open',"
	    " 'type': 'none', 'settings': {}, 'secret_fields': []}"), "", "",
	    "an auth connection of type none needs no secret");
}

static void
test_errors(void)
{
	expect(EDITS("/tools", "[]", "/widgets", "[]"),
	    "no_tools /tools", "",
	    "no tools and no workflow is \"no_tools\" at /tools");

	expect(EDITS("/integrations/0/base_url", "null"),
	    "integration_base_url_missing /integrations/0/base_url", "",
	    "an http integration without a base URL is "
	    "\"integration_base_url_missing\"");
	expect(EDITS("/integrations/0/kind", "'mcp_server'",
	    "/integrations/0/base_url", "null"),
	    "integration_base_url_missing /integrations/0/base_url", "",
	    "an mcp_server integration without its endpoint URL is "
	    "\"integration_base_url_missing\"");
	expect(EDITS("/integrations/0/workspace_integration",
	    "{'id': 'w1', 'name': 'Linear', 'status': 'pending_mcp_oauth'}"),
	    "integration_not_connected"
	    " /integrations/0/workspace_integration/status", "",
	    "an attached workspace integration not connected is "
	    "\"integration_not_connected\"");
	expect(EDITS("/integrations/0/workspace_integration",
	    "{'id': 'w1', 'name': 'Linear', 'status': 'connected'}"), "", "",
	    "a connected one is valid");
	expect(EDITS("/integrations/1/base_url", "''"),
	    "integration_base_url_missing /integrations/1/base_url", "",
	    "an openapi integration with an empty base URL is "
	    "\"integration_base_url_missing\"");
	expect(EDITS("/integrations/1/base_url", "'ftp://api.example.com'"),
	    "integration_base_url_invalid /integrations/1/base_url", "",
	    "an ftp: base URL is \"integration_base_url_invalid\"");
	expect(EDITS("/integrations/0/base_url", "'crm.example.com/v1'"),
	    "integration_base_url_invalid /integrations/0/base_url", "",
	    "a base URL without a scheme is \"integration_base_url_invalid\"");

	expect(EDITS("/integrations/1/auth/secret_fields", "[]"),
	    "auth_secret_missing /integrations/1/auth/secret_fields", "",
	    "an api_key auth without its value is \"auth_secret_missing\"");
	expect(EDITS("/integrations/1/auth/type", "'bearer'"),
	    "auth_secret_missing /integrations/1/auth/secret_fields", "",
	    "a bearer auth with a value but no token is "
	    "\"auth_secret_missing\"");
	expect(EDITS("/integrations/1/auth/type", "'bearer'",
	    "/integrations/1/auth/secret_fields", "['token']"), "", "",
	    "a bearer auth with its token is valid");
	expect(EDITS("/integrations/1/auth/type", "'basic'",
	    "/integrations/1/auth/secret_fields", "['value', 'token']"),
	    "auth_secret_missing /integrations/1/auth/secret_fields", "",
	    "a basic auth without a password is \"auth_secret_missing\"");
	expect(EDITS("/integrations/1/auth/type", "'basic'",
	    "/integrations/1/auth/secret_fields", "['password']"), "", "",
	    "a basic auth with its password is valid");
	expect(EDITS("/integrations/1/auth/type", "'oauth2'",
	    "/integrations/1/auth/secret_fields", "['password']"),
	    "auth_secret_missing /integrations/1/auth/secret_fields", "",
	    "an oauth2 auth without a client_secret is "
	    "\"auth_secret_missing\"");
	expect(EDITS("/integrations/1/auth/type", "'oauth2'",
	    "/integrations/1/auth/secret_fields", "['client_secret']"), "",
	    "", "an oauth2 auth with its client_secret is valid");

	expect(EDITS("/integrations/0/status", "'disabled'"),
	    "integration_disabled /tools/0/chain/0", "",
	    "a chain step on a disabled integration is "
	    "\"integration_disabled\" at the step");
	expect(EDITS("/integrations/1/status", "'disabled'"),
	    "integration_disabled /tools/0/chain/1, "
	    "integration_disabled /tools/1/operation", "",
	    "a disabled integration is \"integration_disabled\" at each tool "
	    "operation and chain step that uses it");

	expect(EDITS("/tools/1/operation/status", "'removed'"),
	    "operation_removed /tools/1/operation", "",
	    "a tool on a removed operation is \"operation_removed\"");
	expect(EDITS("/tools/0/chain/0/operation/status", "'removed'"),
	    "operation_removed /tools/0/chain/0", "",
	    "a chain step on a removed operation is \"operation_removed\" at "
	    "the step");

	expect(EDITS("/tools/0/chain", "null"),
	    "tool_operation_missing /tools/0/operation", "",
	    "a tool with neither operation nor chain is "
	    "\"tool_operation_missing\"");

	expect(EDITS("/tools/1/inputSchema/type", "'array'"),
	    "input_schema_invalid /tools/1/inputSchema", "",
	    "an input schema of type array is \"input_schema_invalid\"");
	expect(EDITS("/tools/1/inputSchema/type", "null"),
	    "input_schema_invalid /tools/1/inputSchema", "",
	    "an input schema without a type is \"input_schema_invalid\"");

	expect(EDITS("/tools/1/binding/extra",
	    "{'in': 'query', 'name': 'extra'}"),
	    "binding_unknown_property /tools/1/binding/extra", "",
	    "binding a property the schema lacks is "
	    "\"binding_unknown_property\"");
	expect(EDITS("/tools/1/inputSchema/properties/limit",
	    "{'type': 'integer'}"),
	    "binding_property_unbound /tools/1/inputSchema/properties/limit",
	    "", "an input property the binding leaves out is "
	    "\"binding_property_unbound\"");
	expect(EDITS("/tools/1/binding/verbose",
	    "{'in': 'cookie', 'name': 'verbose'}"),
	    "binding_location_invalid /tools/1/binding/verbose", "",
	    "a binding in a cookie is \"binding_location_invalid\"");
	expect(EDITS("/tools/1/binding/verbose", "{'name': 'verbose'}"),
	    "binding_location_invalid /tools/1/binding/verbose", "",
	    "a binding without 'in' is \"binding_location_invalid\"");
	expect(EDITS("/tools/1/binding/verbose", "{'in': 'query'}"),
	    "binding_location_invalid /tools/1/binding/verbose", "",
	    "a query binding without a name is \"binding_location_invalid\"");
	expect(EDITS("/tools/1/binding/verbose",
	    "{'in': 'header', 'name': ''}"),
	    "binding_location_invalid /tools/1/binding/verbose", "",
	    "a header binding with an empty name is "
	    "\"binding_location_invalid\"");
	expect(EDITS("/tools/1/inputSchema/required", "[]"),
	    "path_parameter_not_required /tools/1/binding/petId", "",
	    "an optional property bound to the path is "
	    "\"path_parameter_not_required\"");
	expect(EDITS("/tools/1/operation/path", "'/pets/{petId}/photos/{n}'"),
	    "path_parameter_unbound /tools/1/binding", "",
	    "a path parameter without a binding is \"path_parameter_unbound\"");

	expect(EDITS("/tools/0/chain", "[]"), "chain_empty /tools/0/chain", "",
	    "a chain without steps is \"chain_empty\"");
	expect(EDITS("/tools/0/chain/1/name", "'first'"),
	    "chain_step_name_duplicate /tools/0/chain/1", "",
	    "two steps named alike are \"chain_step_name_duplicate\" at the "
	    "second");
	expect(EDITS("/tools/0/chain/0/operation", "null"),
	    "chain_step_operation_missing /tools/0/chain/0", "",
	    "a step without an operation is \"chain_step_operation_missing\"");
	expect(EDITS("/tools/0/chain/0/arguments/nickname",
	    "'{{input.owner}}'"),
	    "chain_argument_unknown /tools/0/chain/0/arguments/nickname", "",
	    "an argument its operation does not take is "
	    "\"chain_argument_unknown\"");
	expect(EDITS("/tools/0/chain/1/arguments",
	    "{'petId': '{{input.pet}}'}"),
	    "chain_argument_missing /tools/0/chain/1", "",
	    "leaving out an argument the operation requires is "
	    "\"chain_argument_missing\"");

	expect(EDITS("/tools/0/chain/0/arguments/name", "'{{input.nobody}}'"),
	    "chain_reference_invalid /tools/0/chain/0/arguments/name", "",
	    "{{input.x}} for an x the tool does not take is "
	    "\"chain_reference_invalid\"");
	expect(EDITS("/tools/0/chain/0/arguments/name",
	    "'{{steps.second.body.name}}'"),
	    "chain_reference_invalid /tools/0/chain/0/arguments/name", "",
	    "a reference to a later step is \"chain_reference_invalid\"");
	expect(EDITS("/tools/0/chain/1/arguments/owner_id",
	    "'{{steps.second.body.id}}'"),
	    "chain_reference_invalid /tools/0/chain/1/arguments/owner_id", "",
	    "a step referring to itself is \"chain_reference_invalid\"");
	expect(EDITS("/tools/0/chain/1/arguments/owner_id",
	    "'{{steps.zeroth.id}}'"),
	    "chain_reference_invalid /tools/0/chain/1/arguments/owner_id", "",
	    "a reference to no step at all is \"chain_reference_invalid\"");
	expect(EDITS("/tools/0/chain/0/arguments/name", "'{{input.owner'"),
	    "chain_reference_invalid /tools/0/chain/0/arguments/name", "",
	    "an unclosed {{ is \"chain_reference_invalid\"");
	expect(EDITS("/tools/0/chain/0/arguments/name", "'{{owner}}'"),
	    "chain_reference_invalid /tools/0/chain/0/arguments/name", "",
	    "a reference that is neither input. nor steps. is "
	    "\"chain_reference_invalid\"");
	expect(EDITS("/tools/0/chain/1/arguments/owner_id",
	    "{'ids': ['{{steps.first.body.id}}', '{{input.nobody}}']}"),
	    "chain_reference_invalid /tools/0/chain/1/arguments/owner_id", "",
	    "references inside objects and arrays of an argument are checked");

	expect(EDITS("/widgets/0/actions/0/tool", "'sell_pet'"),
	    "widget_action_tool_unknown /widgets/0/actions/0/tool", "",
	    "a tool_call action naming no tool is "
	    "\"widget_action_tool_unknown\"");
}

static void
test_warnings(void)
{
	expect(EDITS("/app/description", "null"), "",
	    "app_description_missing /app/description",
	    "an app without a description is \"app_description_missing\", "
	    "a warning");
	expect(EDITS("/app/description", "''"), "",
	    "app_description_missing /app/description",
	    "an empty app description is \"app_description_missing\"");
	expect(EDITS("/tools/1/description", "''"), "",
	    "tool_description_missing /tools/1/description",
	    "a tool with an empty description is "
	    "\"tool_description_missing\"");
	expect(EDITS("/tools/0/description", "null"), "",
	    "tool_description_missing /tools/0/description",
	    "a chain tool without a description is "
	    "\"tool_description_missing\"");
	expect(EDITS("/tools/1/operation/deprecated", "true"), "",
	    "operation_deprecated /tools/1/operation",
	    "a tool on a deprecated operation is \"operation_deprecated\"");
	expect(EDITS("/tools/0/chain/1/operation/deprecated", "true"), "",
	    "operation_deprecated /tools/0/chain/1",
	    "a chain step on a deprecated operation is "
	    "\"operation_deprecated\" at the step");
	expect(EDITS("/integrations/0/status", "'error'"), "",
	    "integration_error /tools/0/chain/0",
	    "a step on an integration whose discovery failed is "
	    "\"integration_error\"");
	expect(EDITS("/integrations/1/status", "'error'"), "",
	    "integration_error /tools/0/chain/1, "
	    "integration_error /tools/1/operation",
	    "\"integration_error\" is reported at each use of the "
	    "integration");
	expect(EDITS("/tools/1/widget", "null"), "",
	    "widget_unused /widgets/0",
	    "a widget no tool uses is \"widget_unused\"");
}

static void
test_pointer_escaping(void)
{
	expect(EDITS("/tools/1/inputSchema", "{'type': 'object',"
	    " 'properties': {'petId': {'type': 'string'},"
	    " 'verbose': {'type': 'boolean'}, 'a/b~c': {'type': 'string'}},"
	    " 'required': ['petId']}"),
	    "binding_property_unbound /tools/1/inputSchema/properties/a~1b~0c",
	    "", "a property named a/b~c appears in the pointer as a~1b~0c");
	expect(EDITS("/tools/1/binding", "{'petId': {'in': 'path',"
	    " 'name': 'petId'}, 'verbose': {'in': 'query', 'name': 'verbose'},"
	    " 'a/b~c': {'in': 'query', 'name': 'x'}}"),
	    "binding_unknown_property /tools/1/binding/a~1b~0c", "",
	    "a binding named a/b~c appears in the pointer as a~1b~0c");
	expect(EDITS("/tools/0/chain/0/arguments", "{'name': '{{input.owner}}',"
	    " 'a/b~c': 'x'}"),
	    "chain_argument_unknown /tools/0/chain/0/arguments/a~1b~0c", "",
	    "an argument named a/b~c appears in the pointer as a~1b~0c");
}

static void
test_odd_shapes(void)
{
	json_object *config, *result;

	config = parse("{}");
	result = appconfig_validate(config);
	is_json("{\"valid\": false, \"errors\": [{\"code\": \"no_tools\","
	    " \"pointer\": \"/tools\", \"message\": \"The draft has no enabled"
	    " tools, so an MCP client would see nothing.\"}], \"warnings\":"
	    " [{\"code\": \"app_description_missing\", \"pointer\":"
	    " \"/app/description\", \"message\": \"The app has no"
	    " description.\"}]}", result,
	    "an empty configuration has no tools and no description");
	json_object_put(result);
	json_object_put(config);

	expect(EDITS("/integrations", "{'crm': 1}", "/widgets", "'none'",
	    "/tools/0/chain/1/operation/parameters", "7"), "", "",
	    "lists and objects of the wrong type are skipped, not crashed on");
	expect(EDITS("/tools/0/chain/1/arguments", "['x']"),
	    "chain_argument_missing /tools/0/chain/1, "
	    "chain_argument_missing /tools/0/chain/1", "",
	    "arguments that are not an object set none of the required "
	    "inputs: one \"chain_argument_missing\" each");
}

/* The secret fields of type as "a,b", "" for none, "NULL" for NULL. */
static const char *
secret_fields(const char *type)
{
	const char *const *fields = appconfig_auth_secret_fields(type);
	const char *s = "";
	size_t i;

	if (fields == NULL)
		return "NULL";
	for (i = 0; fields[i] != NULL; i++)
		s = arena_printf(arena, "%s%s%s", s, i > 0 ? "," : "",
		    fields[i]);
	return s;
}

static void
test_secret_fields(void)
{
	is_string("value", secret_fields("api_key"),
	    "an api_key connection needs its value");
	is_string("token", secret_fields("bearer"),
	    "a bearer connection needs its token");
	is_string("password", secret_fields("basic"),
	    "a basic connection needs its password");
	is_string("client_secret", secret_fields("oauth2"),
	    "an oauth2 connection needs its client_secret");
	is_string("", secret_fields("none"),
	    "a connection of type none needs no secret");
	is_string("NULL", secret_fields("kerberos"),
	    "an unknown type has no list (NULL)");
	is_string("NULL", secret_fields("API_KEY"),
	    "types are case-sensitive");
	is_string("NULL", secret_fields(NULL), "a NULL type has no list");
}

int
main(void)
{
	plan(76);
	if ((arena = arena_new()) == NULL)
		bail("arena_new failed");
	test_valid();
	test_errors();
	test_warnings();
	test_pointer_escaping();
	test_odd_shapes();
	test_secret_fields();
	arena_free(arena);
	return 0;
}

/*
 * wfgraph-t.c: tests for lib/wfgraph.c, the check of a workflow graph.
 * One valid graph in Dify's own shape (a start with two variables, an
 * if-else with a "true" case, a UUID case and its false branch, a tool,
 * an http-request with a fail branch, a template-transform, a human-
 * input with two actions, two ends and a sticky note) must pass with no
 * errors and no warnings.  Then each code wfgraph.h lists is provoked by
 * changing that graph (or a small one made for it) in one respect, and
 * the answer must hold exactly the entries expected, each at a JSON
 * Pointer that resolves in the graph, and nothing else.  The diamond
 * (a variable used after the join that only one branch defines), a
 * graph with an iteration container and its children, and pointers
 * under a base are tested on their own.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "wfgraph.h"
#include "t/tap/basic.h"

/*
 * The valid graph, with ' for ".  Node indexes (ids 17000000000NN):
 * 0 start (01), 1 if-else (02), 2 tool (03), 3 http-request (04),
 * 4 template-transform (05), 5 human-input (06), 6 end "Done" (07),
 * 7 end "Rejected" (08), 8 a note (09).  Edges: 0 start to if-else;
 * 1 case "true" to tool; 2 UUID case to http; 3 "false" to template;
 * 4 tool to human; 5 http to human; 6 http fail-branch to human;
 * 7 template to human; 8 approve to Done; 9 reject to Rejected.
 */
static const char valid_graph[] =
	"{'nodes': ["
	" {'id': '1700000000001', 'type': 'custom', 'data': {'type': 'start',"
	"  'title': 'Start', 'variables': ["
	"   {'variable': 'city', 'label': 'City', 'type': 'text-input',"
	"    'required': true, 'max_length': 48, 'options': []},"
	"   {'variable': 'days', 'label': 'Days', 'type': 'number',"
	"    'required': false, 'options': []}]}},"
	" {'id': '1700000000002', 'type': 'custom', 'data': {"
	"  'type': 'if-else', 'title': 'Which API', 'cases': ["
	"   {'case_id': 'true', 'logical_operator': 'and', 'conditions': ["
	"    {'id': 'c1', 'variable_selector': ['1700000000001', 'city'],"
	"     'comparison_operator': 'is', 'value': 'Paris'}]},"
	"   {'case_id': '6f1c0b8e-2a4d-4e5f-9a1b-3c2d1e0f9a8b',"
	"    'logical_operator': 'or', 'conditions': ["
	"    {'id': 'c2', 'variable_selector': ['1700000000001', 'days'],"
	"     'comparison_operator': '>', 'value': '3'},"
	"    {'id': 'c3', 'variable_selector': ['sys', 'user_id'],"
	"     'comparison_operator': 'not empty', 'value': ''}]}]}},"
	" {'id': '1700000000003', 'type': 'custom', 'data': {'type': 'tool',"
	"  'title': 'Weather tool', 'provider_type': 'builtin',"
	"  'provider_id': 'weather', 'tool_name': 'forecast',"
	"  'tool_parameters': {"
	"   'city': {'type': 'mixed', 'value': 'in {{#1700000000001.city#}}'},"
	"   'days': {'type': 'variable', 'value': ['1700000000001', 'days']},"
	"   'units': {'type': 'constant', 'value': 'metric'}},"
	"  'tool_configurations': {}}},"
	" {'id': '1700000000004', 'type': 'custom', 'data': {"
	"  'type': 'http-request', 'title': 'Weather API', 'method': 'get',"
	"  'url': 'https://api.example.com/w?q={{#1700000000001.city#}}',"
	"  'headers': 'Accept:application/json\\nX-Region:{{#env.region#}}',"
	"  'params': '', 'error_strategy': 'fail-branch',"
	"  'authorization': {'type': 'no-auth', 'config': null},"
	"  'body': {'type': 'form-data', 'data': ["
	"   {'key': 'days', 'type': 'text',"
	"    'value': '{{#1700000000001.days#}}'}]}}},"
	" {'id': '1700000000005', 'type': 'custom', 'data': {"
	"  'type': 'template-transform', 'title': 'Summary',"
	"  'variables': [{'variable': 'city',"
	"   'value_selector': ['1700000000001', 'city']}],"
	"  'template': '{% if city %}Weather in {{ city }}{% else %}Nowhere"
	"{% endif %}'}},"
	" {'id': '1700000000006', 'type': 'custom', 'data': {"
	"  'type': 'human-input', 'title': 'Approve',"
	"  'delivery_methods': [{'id': 'd1', 'type': 'webapp',"
	"   'enabled': true}],"
	"  'form_content': 'Send the forecast for {{#1700000000001.city#}}?',"
	"  'inputs': [{'type': 'paragraph', 'output_variable_name': 'comment',"
	"   'default': {'type': 'variable',"
	"    'selector': ['1700000000001', 'city'], 'value': ''}}],"
	"  'user_actions': [{'id': 'approve', 'title': 'Approve',"
	"   'button_style': 'primary'}, {'id': 'reject', 'title': 'Reject',"
	"   'button_style': 'default'}],"
	"  'timeout': 3, 'timeout_unit': 'day'}},"
	" {'id': '1700000000007', 'type': 'custom', 'data': {'type': 'end',"
	"  'title': 'Done', 'outputs': ["
	"   {'variable': 'comment',"
	"    'value_selector': ['1700000000006', 'comment']},"
	"   {'variable': 'action',"
	"    'value_selector': ['1700000000006', '__action_id']},"
	"   {'variable': 'city',"
	"    'value_selector': ['1700000000001', 'city']},"
	"   {'variable': 'branch',"
	"    'value_selector': ['1700000000002', 'anything']}]}},"
	" {'id': '1700000000008', 'type': 'custom', 'data': {'type': 'end',"
	"  'title': 'Rejected', 'outputs': []}},"
	" {'id': '1700000000009', 'type': 'custom-note', 'data': {'type': '',"
	"  'title': '', 'text': 'Remember the umbrella.'}}],"
	" 'edges': ["
	" {'id': 'e0', 'source': '1700000000001', 'sourceHandle': 'source',"
	"  'target': '1700000000002', 'targetHandle': 'target',"
	"  'type': 'custom', 'data': {'sourceType': 'start',"
	"  'targetType': 'if-else'}},"
	" {'id': 'e1', 'source': '1700000000002', 'sourceHandle': 'true',"
	"  'target': '1700000000003', 'targetHandle': 'target'},"
	" {'id': 'e2', 'source': '1700000000002',"
	"  'sourceHandle': '6f1c0b8e-2a4d-4e5f-9a1b-3c2d1e0f9a8b',"
	"  'target': '1700000000004', 'targetHandle': 'target'},"
	" {'id': 'e3', 'source': '1700000000002', 'sourceHandle': 'false',"
	"  'target': '1700000000005', 'targetHandle': 'target'},"
	" {'id': 'e4', 'source': '1700000000003', 'sourceHandle': 'source',"
	"  'target': '1700000000006', 'targetHandle': 'target'},"
	" {'id': 'e5', 'source': '1700000000004', 'sourceHandle': 'source',"
	"  'target': '1700000000006', 'targetHandle': 'target'},"
	" {'id': 'e6', 'source': '1700000000004',"
	"  'sourceHandle': 'fail-branch', 'target': '1700000000006',"
	"  'targetHandle': 'target'},"
	" {'id': 'e7', 'source': '1700000000005', 'sourceHandle': 'source',"
	"  'target': '1700000000006', 'targetHandle': 'target'},"
	" {'id': 'e8', 'source': '1700000000006', 'sourceHandle': 'approve',"
	"  'target': '1700000000007', 'targetHandle': 'target'},"
	" {'id': 'e9', 'source': '1700000000006', 'sourceHandle': 'reject',"
	"  'target': '1700000000008', 'targetHandle': 'target'}]}";

/*
 * A straight line: start s, tool t, http h, template x, end e, so
 * that each node runs before the next and only outputs are checked.
 */
static const char line_graph[] =
	"{'nodes': ["
	" {'id': 's', 'data': {'type': 'start', 'title': 'Start',"
	"  'variables': [{'variable': 'q', 'type': 'text-input'}]}},"
	" {'id': 't', 'data': {'type': 'tool', 'title': 'Tool',"
	"  'tool_parameters': {}}},"
	" {'id': 'h', 'data': {'type': 'http-request', 'title': 'Call',"
	"  'method': 'post', 'url': 'https://example.com/',"
	"  'body': {'type': 'json', 'data': '{\\'q\\': \\'{{#s.q#}}\\'}'}}},"
	" {'id': 'x', 'data': {'type': 'template-transform', 'title': 'Text',"
	"  'variables': [], 'template': 'fixed'}},"
	" {'id': 'e', 'data': {'type': 'end', 'title': 'End', 'outputs': ["
	"  {'variable': 'a', 'value_selector': ['t', 'text']},"
	"  {'variable': 'b', 'value_selector': ['t', 'json']},"
	"  {'variable': 'c', 'value_selector': ['t', 'files']},"
	"  {'variable': 'd', 'value_selector': ['h', 'status_code']},"
	"  {'variable': 'f', 'value_selector': ['h', 'body']},"
	"  {'variable': 'g', 'value_selector': ['h', 'headers']},"
	"  {'variable': 'i', 'value_selector': ['x', 'output']},"
	"  {'variable': 'j', 'value_selector': ['s', 'q']},"
	"  {'variable': 'k', 'value_selector': ['sys', 'files']}]}}],"
	" 'edges': ["
	" {'source': 's', 'target': 't'},"
	" {'source': 't', 'sourceHandle': 'source', 'target': 'h'},"
	" {'source': 'h', 'sourceHandle': 'source', 'target': 'x'},"
	" {'source': 'x', 'sourceHandle': 'source', 'target': 'e'}]}";

/*
 * An iteration container: start s, iteration it, end e; inside it
 * (parentId) an iteration-start, a code node and an llm node whose
 * edges go round in a circle, which is the container's business.
 */
static const char iteration_graph[] =
	"{'nodes': ["
	" {'id': 's', 'type': 'custom', 'data': {'type': 'start',"
	"  'title': 'Start', 'variables': [{'variable': 'items',"
	"   'type': 'paragraph'}]}},"
	" {'id': 'it', 'type': 'custom', 'data': {'type': 'iteration',"
	"  'title': 'Each', 'iterator_selector': ['s', 'items'],"
	"  'output_selector': ['c', 'result'], 'start_node_id': 'its'}},"
	" {'id': 'its', 'type': 'custom-iteration-start', 'parentId': 'it',"
	"  'data': {'type': 'iteration-start', 'title': '',"
	"   'isInIteration': true}},"
	" {'id': 'c', 'type': 'custom', 'parentId': 'it', 'data': {"
	"  'type': 'code', 'title': 'Double', 'isInIteration': true,"
	"  'iteration_id': 'it', 'variables': [{'variable': 'x',"
	"   'value_selector': ['it', 'item']}],"
	"  'outputs': {'result': {'type': 'number', 'children': null}}}},"
	" {'id': 'l', 'type': 'custom', 'parentId': 'it', 'data': {"
	"  'type': 'llm', 'title': 'Ask', 'isInIteration': true}},"
	" {'id': 'e', 'type': 'custom', 'data': {'type': 'end',"
	"  'title': 'End', 'outputs': [{'variable': 'all',"
	"   'value_selector': ['it', 'output']}]}}],"
	" 'edges': ["
	" {'source': 's', 'sourceHandle': 'source', 'target': 'it'},"
	" {'source': 'it', 'sourceHandle': 'source', 'target': 'e'},"
	" {'source': 'its', 'sourceHandle': 'source', 'target': 'c',"
	"  'data': {'isInIteration': true, 'iteration_id': 'it'}},"
	" {'source': 'c', 'sourceHandle': 'source', 'target': 'l',"
	"  'data': {'isInIteration': true, 'iteration_id': 'it'}},"
	" {'source': 'l', 'sourceHandle': 'source', 'target': 'c',"
	"  'data': {'isInIteration': true, 'iteration_id': 'it'}}]}";

/* The changes to make: JSON Pointer, new value (with ' for "), ... */
#define EDITS(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define NO_EDITS ((const char *const[]){ NULL })

static struct arena *arena;

/*
 * Parse text, JSON written with ' for " (and \' for a real '), into a
 * new value.  Bails when it is not JSON, since that is a bug in the
 * test.
 */
static json_object *
parse(const char *text)
{
	enum json_tokener_error jerr;
	json_object *obj;
	char *copy, *p, *q;

	if ((copy = strdup(text)) == NULL)
		sysbail("strdup");
	for (p = q = copy; *p != '\0'; p++) {
		if (p[0] == '\\' && p[1] == '\'') {
			*q++ = '\\';
			*q++ = '"';
			p++;
		} else
			*q++ = *p == '\'' ? '"' : *p;
	}
	*q = '\0';
	obj = json_tokener_parse_verbose(copy, &jerr);
	if (jerr != json_tokener_success)
		bail("test JSON is not JSON: %s", copy);
	free(copy);
	return obj;
}

/* The graph text changed by edits.  Returns a new object. */
static json_object *
graph_with(const char *text, const char *const *edits)
{
	json_object *graph = parse(text);
	size_t i;

	for (i = 0; edits[i] != NULL; i += 2) {
		if (edits[i + 1] == NULL)
			bail("edit %s has no value", edits[i]);
		if (json_pointer_set(&graph, edits[i],
		    parse(edits[i + 1])) != 0)
			bail("cannot set %s in the test graph", edits[i]);
	}
	return graph;
}

static int
compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The entries of list as "code pointer", sorted and joined with ", ".
 * An entry whose message is empty shows as "code pointer (no message)",
 * one whose pointer does not resolve in doc as "code pointer
 * (unresolved)", a malformed one as "MALFORMED".
 */
static const char *
summary(json_object *list, json_object *doc)
{
	const char *entries[64], *s = "";
	size_t n = json_object_array_length(list), i;

	if (n > 64)
		n = 64;
	for (i = 0; i < n; i++) {
		json_object *entry = json_object_array_get_idx(list, i);
		json_object *code, *message, *pointer, *target;

		if (!json_object_object_get_ex(entry, "code", &code) ||
		    !json_object_object_get_ex(entry, "message", &message) ||
		    !json_object_object_get_ex(entry, "pointer", &pointer) ||
		    !json_object_is_type(code, json_type_string) ||
		    !json_object_is_type(message, json_type_string) ||
		    !json_object_is_type(pointer, json_type_string) ||
		    json_object_object_length(entry) != 3) {
			entries[i] = "MALFORMED";
			continue;
		}
		entries[i] = arena_printf(arena, "%s %s%s%s",
		    json_object_get_string(code),
		    json_object_get_string(pointer),
		    json_object_get_string_len(message) == 0 ?
		    " (no message)" : "",
		    json_pointer_get(doc, json_object_get_string(pointer),
		    &target) != 0 ? " (unresolved)" : "");
	}
	qsort(entries, n, sizeof(entries[0]), compare_strings);
	for (i = 0; i < n; i++)
		s = arena_printf(arena, "%s%s%s", s, i > 0 ? ", " : "",
		    entries[i]);
	return s;
}

/*
 * Check graph under base; doc is what the pointers resolve in.  Sets
 * *errors and *warnings to new arrays.  Bails when the check fails,
 * which only running out of memory may make it do.
 */
static void
run_check(json_object *graph, const char *base, json_object **errors,
    json_object **warnings)
{
	struct error err = { 0 };

	*errors = json_object_new_array();
	*warnings = json_object_new_array();
	if (wfgraph_check(graph, base, *errors, *warnings, &err) != 0)
		bail("wfgraph_check failed: %s", err.message);
	error_clear(&err);
}

/*
 * One test: text changed by edits checks to exactly errors and warnings
 * (as summary() writes them; "" for none).
 */
static void
expect_in(const char *text, const char *const *edits, const char *errors,
    const char *warnings, const char *promise)
{
	json_object *graph = graph_with(text, edits), *e, *w;
	const char *seen_errors, *seen_warnings;

	run_check(graph, "", &e, &w);
	seen_errors = summary(e, graph);
	seen_warnings = summary(w, graph);
	if (!ok(strcmp(seen_errors, errors) == 0 &&
	    strcmp(seen_warnings, warnings) == 0, "%s", promise)) {
		diag("  expected: errors [%s], warnings [%s]", errors,
		    warnings);
		diag("      seen: errors [%s], warnings [%s]", seen_errors,
		    seen_warnings);
	}
	json_object_put(e);
	json_object_put(w);
	json_object_put(graph);
}

static void
expect(const char *const *edits, const char *errors, const char *warnings,
    const char *promise)
{
	expect_in(valid_graph, edits, errors, warnings, promise);
}

/* The message of the only error of text changed by edits. */
static const char *
only_message(const char *text, const char *const *edits)
{
	json_object *graph = graph_with(text, edits), *e, *w, *m;
	const char *s = "NOT EXACTLY ONE ERROR";

	run_check(graph, "", &e, &w);
	if (json_object_array_length(e) == 1 &&
	    json_object_object_get_ex(json_object_array_get_idx(e, 0),
	    "message", &m))
		s = arena_strdup(arena, json_object_get_string(m));
	json_object_put(e);
	json_object_put(w);
	json_object_put(graph);
	return s;
}

static void
test_valid(void)
{
	json_object *graph = parse(valid_graph), *before, *e, *w;

	run_check(graph, "", &e, &w);
	is_json("[]", e, "the valid graph has no errors");
	is_json("[]", w, "the valid graph has no warnings");
	before = parse(valid_graph);
	ok(json_object_equal(before, graph),
	    "the check leaves the graph as it was");
	json_object_put(before);
	json_object_put(e);
	json_object_put(w);
	json_object_put(graph);

	expect_in(line_graph, NO_EDITS, "", "",
	    "every declared output of tool, http-request, template-transform "
	    "and start may be used by a later node; a missing sourceHandle "
	    "is \"source\"");
	expect(EDITS("/nodes/1/data", "{'type': 'if-else', 'title': 'Old',"
	    " 'logical_operator': 'and', 'conditions': [{'variable_selector':"
	    " ['1700000000001', 'city'], 'comparison_operator': 'is',"
	    " 'value': 'Paris'}]}",
	    "/edges/2/sourceHandle", "'true'"), "", "",
	    "an old if-else without cases branches on \"true\" and \"false\"");
	expect(EDITS("/edges/-", "{'source': '1700000000006',"
	    " 'sourceHandle': '__timeout', 'target': '1700000000008'}"),
	    "", "", "a human-input may leave through its timeout handle");
	expect(EDITS("/nodes/-", "{'id': 'n2', 'type': 'custom-note',"
	    " 'data': {'type': '', 'title': ''}}",
	    "/nodes/-", "{'id': 'n3', 'type': 'custom',"
	    " 'data': {'type': ''}}"), "", "",
	    "sticky notes, by outer type or by an empty data.type, are "
	    "ignored");
}

static void
test_structure(void)
{
	json_object *graph, *e, *w;

	graph = parse("{'nodes': {}, 'edges': []}");
	run_check(graph, "", &e, &w);
	is_string("graph_malformed /nodes", summary(e, graph),
	    "nodes that are not a list are \"graph_malformed\"");
	json_object_put(e);
	json_object_put(w);
	json_object_put(graph);

	expect_in("{'nodes': [1, 'x', true, {'id': 's', 'data': {"
	    "'type': 'start', 'title': 'S', 'variables': 'none'}},"
	    " {'id': 'e', 'data': {'type': 'end', 'title': 'E',"
	    " 'outputs': [3, {'value_selector': 'text'}]}}],"
	    " 'edges': [1, false, {'source': 's', 'target': 'e',"
	    " 'sourceHandle': 7}]}", NO_EDITS,
	    "graph_malformed /edges/0, graph_malformed /edges/1, "
	    "graph_malformed /nodes/0, graph_malformed /nodes/1, "
	    "graph_malformed /nodes/2, "
	    "variable_unknown /nodes/4/data/outputs/0, "
	    "variable_unknown /nodes/4/data/outputs/1/value_selector", "",
	    "nodes, edges and fields of the wrong JSON types are reported, "
	    "not trusted");
	expect(EDITS("/nodes/-", "{'type': 'custom', 'data': {'type': 'end',"
	    " 'title': 'Nameless', 'outputs': []}}"),
	    "graph_malformed /nodes/9", "",
	    "a node without an id is \"graph_malformed\"");
	expect(EDITS("/nodes/-", "{'id': '1700000000007', 'data': {"
	    "'type': 'end', 'title': 'Twin', 'outputs': []}}"),
	    "graph_malformed /nodes/9/id", "",
	    "a second node with an id already used is \"graph_malformed\"");
	expect(EDITS("/nodes/-", "{'id': 'x', 'data': {'title': 'X'}}"),
	    "graph_malformed /nodes/9/data", "",
	    "a node without data.type is \"graph_malformed\"");
	expect(EDITS("/edges/-", "{'source': '1700000000001'}"),
	    "graph_malformed /edges/10", "",
	    "an edge without a target is \"graph_malformed\"");

	expect_in("{'nodes': [{'id': 'e', 'data': {'type': 'end',"
	    " 'title': 'End', 'outputs': []}}], 'edges': []}", NO_EDITS,
	    "graph_start_missing /nodes", "",
	    "a graph without a start node is \"graph_start_missing\"");
	expect_in("{'nodes': [], 'edges': []}", NO_EDITS,
	    "graph_start_missing /nodes", "",
	    "an empty graph is \"graph_start_missing\"");
	expect(EDITS("/nodes/-", "{'id': 's2', 'type': 'custom', 'data': {"
	    "'type': 'start', 'title': 'Again', 'variables': []}}"),
	    "graph_start_multiple /nodes/9", "",
	    "a second start node is \"graph_start_multiple\"");

	expect_in("{'nodes': ["
	    " {'id': 's', 'data': {'type': 'start', 'title': 'S'}},"
	    " {'id': 't', 'data': {'type': 'tool', 'title': 'T'}},"
	    " {'id': 'e', 'data': {'type': 'end', 'title': 'E'}}],"
	    " 'edges': [{'source': 's', 'target': 't'}]}", NO_EDITS,
	    "graph_end_unreachable /nodes/2", "node_unreachable /nodes/2",
	    "an end the start cannot reach is \"graph_end_unreachable\"");
	expect_in("{'nodes': ["
	    " {'id': 's', 'data': {'type': 'start', 'title': 'S'}}],"
	    " 'edges': []}", NO_EDITS, "graph_end_unreachable /nodes", "",
	    "a graph without an end node is \"graph_end_unreachable\"");
	expect(EDITS("/nodes/-", "{'id': 'lonely', 'data': {'type': 'end',"
	    " 'title': 'Lonely', 'outputs': []}}"),
	    "", "node_unreachable /nodes/9",
	    "a node the start cannot reach is a \"node_unreachable\" "
	    "warning");

	expect(EDITS("/edges/-", "{'source': '1700000000006',"
	    " 'sourceHandle': 'approve', 'target': '1700000000002'}"),
	    "graph_cycle /nodes/1", "",
	    "an edge back to an earlier node is \"graph_cycle\", naming a "
	    "node on the cycle");
	expect(EDITS("/edges/-", "{'source': '1700000000005',"
	    " 'sourceHandle': 'source', 'target': '1700000000005'}"),
	    "graph_cycle /nodes/4", "",
	    "an edge from a node to itself is \"graph_cycle\"");
	is_string("Node \"Which API\" (1700000000002) is on a cycle; a "
	    "workflow's edges may not lead back to a node.",
	    only_message(valid_graph, EDITS("/edges/-", "{'source': "
	    "'1700000000006', 'sourceHandle': 'approve', 'target': "
	    "'1700000000002'}")),
	    "the cycle's message names the node by title and id");

	expect(EDITS("/edges/3/target", "'ghost'"),
	    "edge_node_unknown /edges/3/target", "node_unreachable /nodes/4",
	    "an edge to a node that does not exist is \"edge_node_unknown\"");
	expect(EDITS("/edges/-", "{'source': 'ghost',"
	    " 'target': '1700000000007'}"),
	    "edge_node_unknown /edges/10/source", "",
	    "an edge from a node that does not exist is "
	    "\"edge_node_unknown\"");

	expect(EDITS("/edges/3/sourceHandle", "'maybe'"),
	    "edge_handle_invalid /edges/3/sourceHandle", "",
	    "an if-else handle that is no case_id and not \"false\" is "
	    "\"edge_handle_invalid\"");
	expect(EDITS("/edges/4/sourceHandle", "'true'"),
	    "edge_handle_invalid /edges/4/sourceHandle", "",
	    "a tool edge through a handle other than \"source\" is "
	    "\"edge_handle_invalid\"");
	expect(EDITS("/edges/4/sourceHandle", "'fail-branch'"),
	    "edge_handle_invalid /edges/4/sourceHandle", "",
	    "a fail branch from a node without that error strategy is "
	    "\"edge_handle_invalid\"");
	expect(EDITS("/edges/9/sourceHandle", "'later'"),
	    "edge_handle_invalid /edges/9/sourceHandle", "",
	    "a human-input handle that is not one of its actions is "
	    "\"edge_handle_invalid\"");
}

static void
test_types(void)
{
	expect(EDITS("/nodes/-", "{'id': 'llm1', 'type': 'custom', 'data': {"
	    "'type': 'llm', 'title': 'Ask'}}"),
	    "node_type_unsupported /nodes/9/data/type",
	    "node_unreachable /nodes/9",
	    "an llm node is \"node_type_unsupported\"");
	is_string("Node \"Ask\" (llm1) is of type llm, which drio cannot run.",
	    only_message(valid_graph, EDITS("/nodes/-", "{'id': 'llm1', "
	    "'type': 'custom', 'data': {'type': 'llm', 'title': 'Ask'}}")),
	    "the message names the node and its type");
	expect(EDITS("/nodes/4/data/template", "'{{ city | upper }}'"),
	    "template_unsupported /nodes/4/data/template", "",
	    "a template with a filter is \"template_unsupported\"");
	expect(EDITS("/nodes/4/data/template", "'{% if city %}open'"),
	    "template_unsupported /nodes/4/data/template", "",
	    "a template with an unclosed block is \"template_unsupported\"");

	expect_in(iteration_graph, NO_EDITS,
	    "node_type_unsupported /nodes/1/data/type, "
	    "node_type_unsupported /nodes/3/data/type, "
	    "node_type_unsupported /nodes/4/data/type", "",
	    "an iteration and its code and llm children are each "
	    "\"node_type_unsupported\"; the children's circle is not a "
	    "cycle and they are not unreachable");
	expect_in(iteration_graph, EDITS("/nodes/5/data/outputs/0/"
	    "value_selector", "['c', 'result']"),
	    "node_type_unsupported /nodes/1/data/type, "
	    "node_type_unsupported /nodes/3/data/type, "
	    "node_type_unsupported /nodes/4/data/type, "
	    "variable_unknown /nodes/5/data/outputs/0/value_selector", "",
	    "a node outside a container cannot use a child's output");
}

static void
test_variables(void)
{
	expect(EDITS("/nodes/2/data/tool_parameters/city/value",
	    "'{{#ghost.city#}}'"),
	    "variable_unknown /nodes/2/data/tool_parameters/city/value", "",
	    "a reference to a node that does not exist is "
	    "\"variable_unknown\"");
	is_string("Node \"Weather tool\" (1700000000003) uses ghost.city, but "
	    "there is no node ghost.", only_message(valid_graph,
	    EDITS("/nodes/2/data/tool_parameters/city/value",
	    "'{{#ghost.city#}}'")),
	    "the message names the user and the missing node");
	expect(EDITS("/nodes/6/data/outputs/2/value_selector",
	    "['1700000000001', 'country']"),
	    "variable_unknown /nodes/6/data/outputs/2/value_selector", "",
	    "a start variable that is not declared is \"variable_unknown\"");
	expect(EDITS("/nodes/6/data/outputs/0/value_selector",
	    "['1700000000006', 'rating']"),
	    "variable_unknown /nodes/6/data/outputs/0/value_selector", "",
	    "a human-input output no input declares is "
	    "\"variable_unknown\"");
	expect(EDITS("/nodes/6/data/outputs/0/value_selector", "[]"),
	    "variable_unknown /nodes/6/data/outputs/0/value_selector", "",
	    "an empty selector is \"variable_unknown\"");
	expect(EDITS("/nodes/5/data/form_content",
	    "'Forecast: {{#1700000000003.text#}}'"),
	    "variable_unknown /nodes/5/data/form_content", "",
	    "the diamond: after the join, a variable only one branch "
	    "defines is \"variable_unknown\"");
	is_string("Node \"Approve\" (1700000000006) uses 1700000000003.text, "
	    "but node \"Weather tool\" (1700000000003) does not run before it "
	    "on every path from the start.", only_message(valid_graph,
	    EDITS("/nodes/5/data/form_content",
	    "'Forecast: {{#1700000000003.text#}}'")),
	    "the diamond's message names both nodes");
	expect(EDITS("/nodes/2/data/tool_parameters/days/value",
	    "['1700000000006', 'comment']"),
	    "variable_unknown /nodes/2/data/tool_parameters/days/value", "",
	    "a variable of a node that runs later is \"variable_unknown\"");
	expect(EDITS("/nodes/4/data/variables/0/value_selector",
	    "['1700000000005', 'output']"),
	    "variable_unknown /nodes/4/data/variables/0/value_selector", "",
	    "a node's own output is \"variable_unknown\" to it");
	expect(EDITS("/nodes/1/data/cases/0/conditions/0/value",
	    "'{{#ghost.x#}}'"),
	    "variable_unknown /nodes/1/data/cases/0/conditions/0/value", "",
	    "a reference in an if-else condition's value is checked");
	expect(EDITS("/nodes/1/data/cases/1/conditions/0/variable_selector",
	    "['1700000000004', 'body']"),
	    "variable_unknown "
	    "/nodes/1/data/cases/1/conditions/0/variable_selector", "",
	    "an if-else condition cannot use a node of its own branches");
	expect(EDITS("/nodes/3/data/body/data/0/file", "['ghost', 'doc']"),
	    "variable_unknown /nodes/3/data/body/data/0/file", "",
	    "an http-request body file selector is checked");
	expect(EDITS("/nodes/3/data/url", "'https://{{#ghost.host#}}/'"),
	    "variable_unknown /nodes/3/data/url", "",
	    "a reference in an http-request url is checked");
	expect(EDITS("/nodes/5/data/inputs/0/default/selector",
	    "['ghost', 'x']"),
	    "variable_unknown /nodes/5/data/inputs/0/default/selector", "",
	    "a human-input input's default selector is checked");
	expect_in(line_graph, EDITS("/nodes/4/data/outputs/-",
	    "{'variable': 'z1', 'value_selector': ['t', 'body']}",
	    "/nodes/4/data/outputs/-",
	    "{'variable': 'z2', 'value_selector': ['h', 'text']}",
	    "/nodes/4/data/outputs/-",
	    "{'variable': 'z3', 'value_selector': ['x', 'text']}"),
	    "variable_unknown /nodes/4/data/outputs/10/value_selector, "
	    "variable_unknown /nodes/4/data/outputs/11/value_selector, "
	    "variable_unknown /nodes/4/data/outputs/9/value_selector", "",
	    "outputs a tool, an http-request and a template-transform do "
	    "not have are \"variable_unknown\"");
	expect_in(line_graph, EDITS("/nodes/2/data/body/data",
	    "'{{#e.a#}}'"),
	    "variable_unknown /nodes/2/data/body/data", "",
	    "a reference in a raw http-request body is checked");
}

static void
test_base(void)
{
	json_object *config, *graph, *e, *w;

	config = parse("{'workflow': null}");
	graph = graph_with(valid_graph, EDITS("/edges/3/sourceHandle",
	    "'maybe'", "/nodes/-", "{'id': 'llm1', 'data': {"
	    "'type': 'llm', 'title': 'Ask'}}"));
	json_object_object_add(config, "workflow", graph);
	run_check(graph, "/workflow", &e, &w);
	is_string("edge_handle_invalid /workflow/edges/3/sourceHandle, "
	    "node_type_unsupported /workflow/nodes/9/data/type",
	    summary(e, config),
	    "under a base, error pointers start with it and resolve in the "
	    "whole document");
	is_string("node_unreachable /workflow/nodes/9", summary(w, config),
	    "under a base, warning pointers start with it too");
	json_object_put(e);
	json_object_put(w);
	json_object_put(config);

	ok(wfgraph_type_runs("template-transform") &&
	    wfgraph_type_runs("human-input") && !wfgraph_type_runs("llm") &&
	    !wfgraph_type_runs("iteration") && !wfgraph_type_runs(NULL),
	    "wfgraph_type_runs names the types drio runs and no others");
}

int
main(void)
{
	plan(7 + 21 + 6 + 16 + 3);
	if ((arena = arena_new()) == NULL)
		bail("arena_new");
	test_valid();
	test_structure();
	test_types();
	test_variables();
	test_base();
	arena_free(arena);
	return 0;
}

/*
 * wftemplate-t.c: tests for lib/wftemplate.c, the two template languages
 * of a workflow graph.  Dify's {{#node.var#}} references: which texts
 * hold one (Dify's own pattern, with its limits), what a reference
 * renders as for each kind of value, and that what is not a reference,
 * an unterminated "{{#" included, stays as it is.  The Jinja subset of
 * template-transform nodes: what the check accepts and refuses (each
 * refusal naming its line), and what rendering prints, Python-style,
 * for each construct, with the output cap and the step cap holding on
 * templates that would render too much.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "wftemplate.h"
#include "t/tap/basic.h"

static struct arena *arena;

/*
 * The variables of a pretend run, by node id then name; ' stands for ".
 */
static const char run_values[] =
	"{'start': {'name': 'Ada', 'city': 'Paris'},"
	" 'n': {'s': 'text', 'num': 42, 'real': 1.5, 'yes': true,"
	"  'nul': null, 'obj': {'k': 'v', 'deep': {'x': 1}},"
	"  'arr': ['a', 'b'], 'tricky': '{{#start.name#}}'},"
	" 'sys': {'query': 'q?'}}";

/* Parse JSON written with ' for ".  Bails when it is not JSON. */
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

/* The lookup the tests render with: arg is run_values, parsed. */
static json_object *
lookup(void *arg, const char *node_id, const char *name)
{
	json_object *node, *value;

	if (!json_object_object_get_ex(arg, node_id, &node) ||
	    !json_object_object_get_ex(node, name, &value))
		return NULL;
	return value;
}

/* The references of text as compact JSON, for comparing. */
static const char *
refs(const char *text)
{
	json_object *list = wftemplate_refs(text);
	const char *s;

	if (list == NULL)
		bail("wftemplate_refs failed");
	s = arena_strdup(arena, json_object_to_json_string_ext(list,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(list);
	return s;
}

/* text rendered against run_values, or "ERROR <code>: <message>". */
static const char *
render_refs(const char *text, size_t cap)
{
	json_object *values = parse(run_values);
	struct error err = { 0 };
	const char *s;
	char *out = NULL;
	size_t len = 0;

	if (wftemplate_render_refs(text, lookup, values, cap, &out, &len,
	    &err) == -1) {
		s = arena_printf(arena, "ERROR %s: %s%s",
		    error_code_string(err.code), err.message,
		    out != NULL ? " (and an output)" : "");
	} else if (strlen(out) != len)
		s = "LENGTH MISMATCH";
	else
		s = arena_strdup(arena, out);
	free(out);
	error_clear(&err);
	json_object_put(values);
	return s;
}

/* template rendered with context (' for "), or "ERROR <code>: <msg>". */
static const char *
render(const char *template, const char *context, size_t cap)
{
	json_object *ctx = parse(context);
	struct error err = { 0 };
	const char *s;
	char *out = NULL;
	size_t len = 0;

	if (wftemplate_jinja_render(template, ctx, cap, &out, &len,
	    &err) == -1) {
		s = arena_printf(arena, "ERROR %s: %s%s",
		    error_code_string(err.code), err.message,
		    out != NULL ? " (and an output)" : "");
	} else if (strlen(out) != len)
		s = "LENGTH MISMATCH";
	else
		s = arena_strdup(arena, out);
	free(out);
	error_clear(&err);
	json_object_put(ctx);
	return s;
}

/* "ok", or "<code>: <message>" from wftemplate_jinja_check(). */
static const char *
check(const char *template)
{
	struct error err = { 0 };
	const char *s = "ok";

	if (wftemplate_jinja_check(template, &err) == -1)
		s = arena_printf(arena, "%s: %s", error_code_string(err.code),
		    err.message);
	else if (err.code != ERR_NONE)
		s = "SUCCESS WITH AN ERROR SET";
	error_clear(&err);
	return s;
}

/* Does s start with prefix? */
static bool
starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void
test_refs(void)
{
	char text[256];

	is_string("[[\"start\",\"name\"],[\"1711528914102\",\"body\",\"user\","
	    "\"id\"],[\"sys\",\"query\"]]",
	    refs("Hi {{#start.name#}}, {{#1711528914102.body.user.id#}} and "
	    "{{#sys.query#}}."),
	    "references are listed in order, each as node id, name and "
	    "fields");
	is_string("[]", refs("{{#start#}} {{#start.name}} {{# start.name #}} "
	    "{{#start.1st#}} {{#a-b.c#}} {{start.name}} {{#.name#}}"),
	    "a bare node id, a missing #}}, blanks, a name starting with a "
	    "digit, a dash and Jinja braces are not references");
	is_string("[[\"b\",\"c\"],[\"a\",\"b\"]]",
	    refs("{{#a.{{#b.c#}} {{{#a.b#}}}"),
	    "a reference is found after an unfinished one and inside extra "
	    "braces");
	is_string("[[\"n\",\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\","
	    "\"i\",\"j\"]]", refs("{{#n.a.b.c.d.e.f.g.h.i.j#}} "
	    "{{#n.a.b.c.d.e.f.g.h.i.j.k#}}"),
	    "ten names after the node id are a reference, eleven are not");
	snprintf(text, sizeof(text), "{{#%s.v#}} {{#%s.v#}}",
	    "n1234567890123456789012345678901234567890123456789",
	    "n12345678901234567890123456789012345678901234567890");
	is_string("[[\"n1234567890123456789012345678901234567890123456789\","
	    "\"v\"]]", refs(text),
	    "a node id of 50 characters is a reference, 51 are not");
	is_string("[[\"n\",\"a23456789012345678901234567890\"]]",
	    refs("{{#n.a23456789012345678901234567890#}} "
	    "{{#n.a234567890123456789012345678901#}}"),
	    "a name of 30 characters is a reference, 31 are not");
	is_string("[]", refs(""), "an empty text has no references");
}

static void
test_resolve(void)
{
	json_object *values = parse(run_values), *sel;

	sel = parse("['n', 'obj', 'deep', 'x']");
	is_int(1, json_object_get_int(wftemplate_resolve(sel, lookup,
	    values)), "a selector steps through fields of objects");
	json_object_put(sel);
	sel = parse("['n', 'arr', '0']");
	ok(wftemplate_resolve(sel, lookup, values) == NULL,
	    "a selector does not step into an array");
	json_object_put(sel);
	sel = parse("['n']");
	ok(wftemplate_resolve(sel, lookup, values) == NULL,
	    "a selector of one string names nothing");
	json_object_put(sel);
	sel = parse("['n', 7]");
	ok(wftemplate_resolve(sel, lookup, values) == NULL,
	    "a selector with a number in it names nothing");
	json_object_put(sel);
	json_object_put(values);
}

static void
test_render_refs(void)
{
	is_string("text|42|1.5|true||{\"k\":\"v\",\"deep\":{\"x\":1}}|"
	    "[\"a\",\"b\"]|v|1||",
	    render_refs("{{#n.s#}}|{{#n.num#}}|{{#n.real#}}|{{#n.yes#}}|"
	    "{{#n.nul#}}|{{#n.obj#}}|{{#n.arr#}}|{{#n.obj.k#}}|"
	    "{{#n.obj.deep.x#}}|{{#n.missing#}}|{{#nobody.x#}}",
	    WFTEMPLATE_OUTPUT_MAX),
	    "strings render as they are, other JSON as its text, null and "
	    "absent values as nothing");
	is_string("Hello {{#start.name and {{#start Ada",
	    render_refs("Hello {{#start.name and {{#start {{#start.name#}}",
	    WFTEMPLATE_OUTPUT_MAX),
	    "unterminated references stay as they are");
	is_string("{{#start.name#}}!", render_refs("{{#n.tricky#}}!",
	    WFTEMPLATE_OUTPUT_MAX),
	    "a value that looks like a reference is not expanded again");
	is_string("q? in Paris", render_refs("{{#sys.query#}} in "
	    "{{#start.city#}}", WFTEMPLATE_OUTPUT_MAX),
	    "system variables render like any other");
	is_string("", render_refs("", WFTEMPLATE_OUTPUT_MAX),
	    "an empty text renders as an empty string");
	is_string("Ada-Ada", render_refs("{{#start.name#}}-{{#start.name#}}",
	    7), "a result exactly at the cap is rendered");
	ok(starts(render_refs("{{#start.name#}}-{{#start.name#}}", 6),
	    "ERROR validation_error: The rendered text is longer than 6 "
	    "bytes.") && strstr(render_refs("{{#start.name#}}-"
	    "{{#start.name#}}", 6), "(and an output)") == NULL,
	    "a result one byte over the cap is refused, without an output");
}

static void
test_check(void)
{
	is_string("ok", check("Hello {{ name }}, {{a.b[0]['c'] }} "
	    "{{ a[\"k\"].0 }}{# note #}{%- if a -%}x{% else %}y{% endif %}"
	    "{% for x in list %}{{ x.name }}{% else %}none{% endfor %}\n"),
	    "the subset is accepted: paths, comments, whitespace control, "
	    "if/else and for/else");
	is_string("ok", check("plain text, } and { and %} alone"),
	    "text with lone braces is accepted");
	ok(starts(check("a\n{{ name | upper }}"), "validation_error: Line 2: "
	    "{{ name | upper }} is not in the Jinja subset"),
	    "a filter is refused, naming its line and the tag");
	ok(starts(check("{{ a + 1 }}"), "validation_error: Line 1:"),
	    "arithmetic is refused");
	ok(starts(check("{{ 'literal' }}"), "validation_error: Line 1:"),
	    "a literal is refused");
	ok(starts(check("{{ f(x) }}"), "validation_error: Line 1:"),
	    "a call is refused");
	ok(starts(check("{{ loop.index }}"), "validation_error: Line 1:"),
	    "loop variables are refused");
	ok(starts(check("{% set x = 1 %}"), "validation_error: Line 1: "
	    "{% set x = 1 %}"), "set is refused");
	ok(starts(check("{% if a %}x{% elif b %}y{% endif %}"),
	    "validation_error: Line 1: {% elif b %}"), "elif is refused");
	ok(starts(check("{% for x in a if x %}{% endfor %}"),
	    "validation_error: Line 1:"), "a filtered for is refused");
	ok(starts(check("{% if a and b %}{% endif %}"),
	    "validation_error: Line 1:"), "a compound condition is refused");
	ok(starts(check("{% macro m() %}{% endmacro %}"),
	    "validation_error: Line 1:"), "a macro is refused");
	is_string("validation_error: Line 2: {% if %} is never closed.",
	    check("x\n{% if a %}y"), "an unclosed if is refused");
	is_string("validation_error: Line 1: {% endif %} closes no block.",
	    check("{% for x in a %}{% endif %}"),
	    "an endif closing a for is refused");
	is_string("validation_error: Line 1: {% else %} is not inside an if "
	    "or for block.", check("{% else %}"),
	    "an else outside a block is refused");
	is_string("validation_error: Line 1: {% else %} is not inside an if "
	    "or for block.", check("{% if a %}{% else %}{% else %}"
	    "{% endif %}"), "a second else is refused");
	is_string("validation_error: Line 3: a tag opened with {{ is never "
	    "closed.", check("a\nb\n{{ name"),
	    "an unterminated {{ is refused, naming its line");
	is_string("validation_error: Line 1: a tag opened with {# is never "
	    "closed.", check("{# note"), "an unterminated comment is refused");
	is_string("validation_error: Line 1: a tag opened with {{ is never "
	    "closed.", check("x{{"), "a template ending in {{ is refused");
	is_string("validation_error: Line 1: a tag opened with {% is never "
	    "closed.", check("{%-"), "a template ending in {%%- is refused");
	is_string("ok", check("x{"), "a template ending in { is accepted");
}

static void
test_depth(void)
{
	char deep[64 * 20];
	size_t i;

	for (int n = WFTEMPLATE_DEPTH_MAX; n <= WFTEMPLATE_DEPTH_MAX + 1;
	    n++) {
		deep[0] = '\0';
		for (i = 0; i < (size_t)n; i++)
			strcat(deep, "{% if a %}");
		for (i = 0; i < (size_t)n; i++)
			strcat(deep, "{% endif %}");
		if (n == WFTEMPLATE_DEPTH_MAX)
			is_string("ok", check(deep),
			    "blocks nested %d deep are accepted", n);
		else
			ok(starts(check(deep), "validation_error: Line 1: "
			    "blocks are nested deeper than"),
			    "blocks nested %d deep are refused", n);
	}
}

static const char context[] =
	"{'name': 'Ada', 'n': 3, 'f': 1.5, 'zero': 0, 'yes': true,"
	" 'no': false, 'nul': null, 'empty': '', 'zs': '0',"
	" 'arr': ['a', 'b'], 'empties': [], 'obj': {'k': 'v', 'n': [1, 2]},"
	" 'people': [{'name': 'Ada', 'langs': ['en', 'fr']},"
	"  {'name': 'Bo', 'langs': []}]}";

static void
test_render(void)
{
	is_string("Ada 3 1.5 True False None ", render("{{ name }} {{ n }} "
	    "{{ f }} {{ yes }} {{ no }} {{ nul }} {{ missing }}", context,
	    WFTEMPLATE_OUTPUT_MAX),
	    "scalars print as Python's str() and undefined as nothing");
	is_string("['a', 'b'] {'k': 'v', 'n': [1, 2]}", render("{{ arr }} "
	    "{{ obj }}", context, WFTEMPLATE_OUTPUT_MAX),
	    "lists and dicts print as Python's repr()");
	is_string("b a v v 2 ||", render("{{ arr[1] }} {{ arr.0 }} "
	    "{{ obj.k }} {{ obj['k'] }} {{ obj.n[1] }} |{{ arr[5] }}"
	    "{{ missing.x }}{{ obj.k.z }}|", context,
	    WFTEMPLATE_OUTPUT_MAX),
	    "steps index lists and dicts; a step out of range or into an "
	    "undefined value prints nothing");
	is_string("[\"it's\", 'a\"b', 'x\\'y\"z', 'l\\n']",
	    render("{{ v }}", "{'v': ['it\\u0027s', 'a\\\"b', "
	    "'x\\u0027y\\\"z', 'l\\n']}", WFTEMPLATE_OUTPUT_MAX),
	    "repr() picks its quotes as Python does and escapes");
	is_string("aAdab|x\n", render("a  {{- name -}}  b|{# gone #}"
	    "{%- if yes %}x\n{% endif -%}\n  \n", context,
	    WFTEMPLATE_OUTPUT_MAX),
	    "whitespace control strips the blanks beside a tag, comments "
	    "vanish");
	is_string("x", render("x\n", context, WFTEMPLATE_OUTPUT_MAX),
	    "one newline at the end of the template is dropped");
	is_string("x\n", render("x\n\n", context, WFTEMPLATE_OUTPUT_MAX),
	    "only one newline at the end is dropped");
	is_string("TFFFFFTTT", render("{% if name %}T{% else %}F{% endif %}"
	    "{% if empty %}T{% else %}F{% endif %}"
	    "{% if zero %}T{% else %}F{% endif %}"
	    "{% if empties %}T{% else %}F{% endif %}"
	    "{% if nul %}T{% else %}F{% endif %}"
	    "{% if missing %}T{% else %}F{% endif %}"
	    "{% if zs %}T{% else %}F{% endif %}"
	    "{% if arr %}T{% else %}F{% endif %}"
	    "{% if obj %}T{% endif %}", context, WFTEMPLATE_OUTPUT_MAX),
	    "if follows Python's truthiness");
	is_string("[a][b]|nothing|kn", render("{% for x in arr %}[{{ x }}]"
	    "{% endfor %}|{% for x in empties %}{{ x }}{% else %}nothing"
	    "{% endfor %}|{% for key in obj %}{{ key }}{% endfor %}",
	    context, WFTEMPLATE_OUTPUT_MAX),
	    "for iterates a list, renders else when empty, iterates a "
	    "dict's keys");
	is_string("Ada:en,fr,;Bo:-;Ada", render("{% for name in people %}"
	    "{{ name.name }}:{% for l in name.langs %}{{ l }},{% else %}-"
	    "{% endfor %};{% endfor %}{{ name }}", context,
	    WFTEMPLATE_OUTPUT_MAX),
	    "nested loops: the loop variable shadows the context, only "
	    "inside the loop");
	is_string("", render("{% for x in missing %}x{% endfor %}", context,
	    WFTEMPLATE_OUTPUT_MAX), "iterating an undefined value renders "
	    "nothing");
	ok(starts(render("{{ name | upper }}", context, WFTEMPLATE_OUTPUT_MAX),
	    "ERROR validation_error: Line 1:"),
	    "rendering a template outside the subset is refused");
	is_string("", render("", context, WFTEMPLATE_OUTPUT_MAX),
	    "an empty template renders as an empty string");
}

static void
test_caps(void)
{
	const char *out;
	char *big, *ctx;
	size_t i, o = 0;

	/* 2000 elements: 2000 x 2000 x 10 bytes is far over the cap. */
	if ((big = malloc(2000 * 4 + 64)) == NULL)
		sysbail("malloc");
	o += (size_t)sprintf(big + o, "{'big': [");
	for (i = 0; i < 2000; i++)
		o += (size_t)sprintf(big + o, "%s0", i > 0 ? "," : "");
	sprintf(big + o, "]}");
	ctx = big;
	is_string("ERROR validation_error: The rendered text is longer than "
	    "1048576 bytes.", render("{% for a in big %}{% for b in big %}"
	    "xxxxxxxxxx{% endfor %}{% endfor %}", ctx, WFTEMPLATE_OUTPUT_MAX),
	    "a rendering over the output cap is refused, without an output");
	is_string("ERROR validation_error: The template takes more than "
	    "1000000 steps to render.", render("{% for a in big %}"
	    "{% for b in big %}{% for c in big %}{% endfor %}{% endfor %}"
	    "{% endfor %}", ctx, WFTEMPLATE_OUTPUT_MAX),
	    "loops that print nothing still stop at the step cap");
	out = render("{% for a in big %}{{ a }}{% endfor %}", ctx, 2000);
	ok(strlen(out) == 2000 && strspn(out, "0") == 2000,
	    "a rendering exactly at the cap is whole");
	free(big);
}

static void
test_context(void)
{
	json_object *values = parse(run_values), *variables, *ctx = NULL;
	struct error err = { 0 };

	variables = parse("[{'variable': 'who', 'value_selector': "
	    "['start', 'name']}, {'variable': 'deep', 'value_selector': "
	    "['n', 'obj', 'deep']}, {'variable': 'gone', 'value_selector': "
	    "['x', 'y']}, {'variable': 'bad'}, {'value_selector': "
	    "['n', 's']}]");
	is_int(0, wftemplate_jinja_context(variables, lookup, values, &ctx,
	    &err), "a context is built from a node's variables");
	is_json("{\"who\": \"Ada\", \"deep\": {\"x\": 1}, \"gone\": null}",
	    ctx, "each variable holds its selector's value, null when "
	    "absent; malformed entries are skipped");
	json_object_put(ctx);
	json_object_put(variables);
	json_object_put(values);
	error_clear(&err);
}

int
main(void)
{
	plan(7 + 4 + 7 + 21 + 2 + 13 + 3 + 2);
	if ((arena = arena_new()) == NULL)
		bail("arena_new");
	test_refs();
	test_resolve();
	test_render_refs();
	test_check();
	test_depth();
	test_render();
	test_caps();
	test_context();
	arena_free(arena);
	return 0;
}

/*
 * widget-t.c: tests for widget_check() (lib/widget.c), the pure check
 * of a widget's fields (widget.h, docs/api-v1/widgets.md): the name
 * pattern, the lengths of title, description and template (in
 * characters, at the bound and one past it), prefers_border, the csp
 * origins and the actions.  Each rule is broken in one respect, and the
 * answer must be a 422 whose details name exactly the members at fault,
 * with their types, in the order they are found; array indexes in a loc
 * are strings, as in every other loc.  The reads and writes need the
 * database and are tested end to end (t/46-api-v1-auth-widgets.t).
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "widget.h"
#include "t/tap/basic.h"

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

/* One test: widget_check(f, create) answers expected. */
static void
expect(const struct widget_fields *f, bool create, const char *expected,
    const char *promise)
{
	struct error err = { .code = ERR_NONE };
	int rc;

	rc = widget_check(f, create, &err);
	is_string(expected, outcome(rc, &err), "%s", promise);
	error_clear(&err);
}

/* One test: an update with only name set answers expected. */
static void
expect_name(const char *name, const char *expected, const char *promise)
{
	struct widget_fields f = { .name = name, .prefers_border = -1 };

	expect(&f, false, expected, promise);
}

/* One test: an update with only csp (JSON text) set answers expected. */
static void
expect_csp(const char *csp, const char *expected, const char *promise)
{
	struct widget_fields f = { .prefers_border = -1 };

	f.csp = parse(csp);
	expect(&f, false, expected, promise);
	json_object_put(f.csp);
}

/* One test: an update with only actions (JSON text) set. */
static void
expect_actions(const char *actions, const char *expected,
    const char *promise)
{
	struct widget_fields f = { .prefers_border = -1 };

	f.actions = parse(actions);
	expect(&f, false, expected, promise);
	json_object_put(f.actions);
}

static void
test_required(void)
{
	struct widget_fields f = { .name = "card", .template = "<p>hi</p>",
	    .prefers_border = -1 };
	struct widget_fields empty = { .prefers_border = -1 };

	expect(&f, true, "ok", "a create with a name and a template passes");
	expect(&empty, true, "validation_error: body/name missing,"
	    " body/template missing",
	    "a create needs a name and a template");
	f.name = NULL;
	expect(&f, true, "validation_error: body/name missing",
	    "a create without a name is refused");
	f.name = "card";
	f.template = NULL;
	expect(&f, true, "validation_error: body/template missing",
	    "a create without a template is refused");
	expect(&empty, false, "ok", "an update may set nothing");
}

static void
test_name(void)
{
	expect_name("a", "ok", "a one-character name passes");
	expect_name("Card_2-b", "ok",
	    "letters, digits, '_' and '-' are allowed in a name");
	expect_name(repeat("n", 64), "ok",
	    "a name of exactly 64 characters passes");
	expect_name(repeat("n", 65),
	    "validation_error: body/name string_pattern_mismatch",
	    "a name of 65 characters is refused");
	expect_name("", "validation_error: body/name string_pattern_mismatch",
	    "an empty name is refused");
	expect_name("my card",
	    "validation_error: body/name string_pattern_mismatch",
	    "a name with a space is refused");
	expect_name("card.html",
	    "validation_error: body/name string_pattern_mismatch",
	    "a name with a dot is refused");
	expect_name("caf\xc3\xa9",
	    "validation_error: body/name string_pattern_mismatch",
	    "a name with a non-ASCII letter is refused");
}

static void
test_lengths(void)
{
	struct widget_fields f = { .prefers_border = -1 };

	f.title = repeat("t", WIDGET_TITLE_MAX);
	expect(&f, false, "ok", "a title of exactly 255 characters passes");
	f.title = repeat("\xc3\xa9", WIDGET_TITLE_MAX);
	expect(&f, false, "ok",
	    "a title of 255 two-byte characters passes (characters count)");
	f.title = repeat("t", WIDGET_TITLE_MAX + 1);
	expect(&f, false, "validation_error: body/title string_too_long",
	    "a title of 256 characters is refused");
	f.title = "";
	expect(&f, false, "ok", "an empty title passes");
	f.title = NULL;

	f.description = repeat("d", WIDGET_DESCRIPTION_MAX);
	expect(&f, false, "ok",
	    "a description of exactly 4000 characters passes");
	f.description = repeat("d", WIDGET_DESCRIPTION_MAX + 1);
	expect(&f, false,
	    "validation_error: body/description string_too_long",
	    "a description of 4001 characters is refused");
	f.description = NULL;

	f.template = repeat("x", WIDGET_TEMPLATE_MAX);
	expect(&f, false, "ok",
	    "a template of exactly 524288 characters passes");
	f.template = repeat("x", WIDGET_TEMPLATE_MAX + 1);
	expect(&f, false, "validation_error: body/template string_too_long",
	    "a template of 524289 characters is refused");
	f.template = repeat("\xe2\x82\xac", WIDGET_TEMPLATE_MAX);
	expect(&f, false, "ok", "a template of 524288 three-byte"
	    " characters passes (characters count, not bytes)");
	f.template = "";
	expect(&f, false, "validation_error: body/template string_too_short",
	    "an empty template is refused");
	f.template = NULL;

	f.prefers_border = 0;
	expect(&f, false, "ok", "prefers_border 0 passes");
	f.prefers_border = 1;
	expect(&f, false, "ok", "prefers_border 1 passes");
	f.prefers_border = 2;
	expect(&f, false, "validation_error: body/prefers_border bool_type",
	    "prefers_border 2 is refused");
	f.prefers_border = -2;
	expect(&f, false, "validation_error: body/prefers_border bool_type",
	    "prefers_border -2 is refused");
}

/* {'list': [n distinct origins]} as JSON text. */
static const char *
origins(const char *list, size_t n)
{
	const char *s = "";
	size_t i;

	for (i = 0; i < n; i++)
		s = arena_printf(arena, "%s%s'https://h%zu.example.com'", s,
		    i == 0 ? "" : ", ", i);
	return arena_printf(arena, "{'%s': [%s]}", list, s);
}

static void
test_csp(void)
{
	static const char mismatch[] = "validation_error:"
	    " body/csp/resource_domains string_pattern_mismatch";
	static const char *const bad[] = {
		"http://cdn.example.com", "https://cdn.example.com/",
		"https://cdn.example.com/lib.js", "https://CDN.example.com",
		"https://cdn.example.com:0", "https://cdn.example.com:65536",
		"https://cdn.example.com:", "https://cdn.example.com:80x",
		"https://cdn.example.com:+80", "https://-cdn.example.com",
		"https://cdn-.example.com", "https://cdn..example.com",
		"https://", "https://*.", "https://*", "cdn.example.com",
		"https://cdn.example.com?x", "https://user@cdn.example.com",
		"https://cdn_1.example.com", NULL
	};
	size_t i;

	expect_csp("{}", "ok", "an empty csp passes");
	expect_csp("{'connect_domains': ['https://api.example.com',"
	    " 'wss://live.example.com:8443'],"
	    " 'resource_domains': ['https://*.cdn.example.com'],"
	    " 'frame_domains': ['https://www.youtube.com']}", "ok",
	    "the three lists with good origins pass");
	expect_csp("{'resource_domains': ['https://cdn.example.com:1',"
	    " 'https://cdn.example.com:65535', 'https://localhost',"
	    " 'https://10.0.0.1', 'https://*.example.com']}", "ok",
	    "ports 1 and 65535, one label, digits and a wildcard pass");
	expect_csp(arena_printf(arena, "{'resource_domains':"
	    " ['https://%s.com']}", repeat("l", 63)), "ok",
	    "a label of exactly 63 characters passes");
	expect_csp(arena_printf(arena, "{'resource_domains':"
	    " ['https://%s.com']}", repeat("l", 64)), mismatch,
	    "a label of 64 characters is refused");
	expect_csp(arena_printf(arena, "{'resource_domains': ['https://"
	    "%s.%s.%s.%s']}", repeat("a", 63), repeat("b", 63),
	    repeat("c", 63), repeat("d", 61)), "ok",
	    "a host of exactly 253 characters passes");
	expect_csp(arena_printf(arena, "{'resource_domains': ['https://"
	    "%s.%s.%s.%s']}", repeat("a", 63), repeat("b", 63),
	    repeat("c", 63), repeat("d", 62)), mismatch,
	    "a host of 254 characters is refused");
	for (i = 0; bad[i] != NULL; i++)
		expect_csp(arena_printf(arena, "{'resource_domains': ['%s']}",
		    bad[i]), mismatch, arena_printf(arena, "%s is not an"
		    " origin", bad[i]));
	expect_csp("{'resource_domains': [5]}", mismatch,
	    "an origin that is not a string is refused");
	expect_csp(arena_printf(arena, "{'connect_domains': ['wss://"
	    "%s.%s.%s.%s']}", repeat("a", 63), repeat("b", 63),
	    repeat("c", 63), repeat("d", 62)), "validation_error:"
	    " body/csp/connect_domains string_pattern_mismatch",
	    "a wss:// host of 254 characters is refused too");
	expect_csp("{'resource_domains': ['wss://live.example.com']}",
	    mismatch, "wss:// is only for connect_domains");
	expect_csp("{'frame_domains': ['wss://live.example.com']}",
	    "validation_error: body/csp/frame_domains"
	    " string_pattern_mismatch",
	    "frames are not loaded over wss://");
	expect_csp("{'script_domains': []}",
	    "validation_error: body/csp/script_domains extra_forbidden",
	    "an unknown csp list is refused");
	expect_csp("{'connectDomains': []}",
	    "validation_error: body/csp/connectDomains extra_forbidden",
	    "MCP Apps' camel-case names are not the stored ones");
	expect_csp("[]", "validation_error: body/csp dict_type",
	    "a csp that is not an object is refused");
	expect_csp("{'frame_domains': 'https://a.example.com'}",
	    "validation_error: body/csp/frame_domains list_type",
	    "a list that is a string is refused");
	expect_csp(origins("connect_domains", WIDGET_CSP_DOMAINS_MAX), "ok",
	    "exactly 64 origins pass");
	expect_csp(origins("connect_domains", WIDGET_CSP_DOMAINS_MAX + 1),
	    "validation_error: body/csp/connect_domains list_type",
	    "65 origins are refused");
	expect_csp("{'connect_domains': ['https://a.example.com',"
	    " 'https://b.example.com', 'https://a.example.com']}",
	    "validation_error: body/csp/connect_domains value_error",
	    "an origin given twice is refused");
	expect_csp("{'connect_domains': ['http://a.example.com',"
	    " 'ftp://b'], 'frame_domains': ['https://a.example.com/'],"
	    " 'x': []}",
	    "validation_error: body/csp/connect_domains"
	    " string_pattern_mismatch,"
	    " body/csp/frame_domains string_pattern_mismatch,"
	    " body/csp/x extra_forbidden",
	    "each faulty list is reported once, all of them at once");
}

/* {'actions': [n distinct actions]} as JSON text. */
static const char *
actions(size_t n)
{
	const char *s = "";
	size_t i;

	for (i = 0; i < n; i++)
		s = arena_printf(arena, "%s%s{'name': 'a%zu', 'label': 'A',"
		    " 'tool': 't'}", s, i == 0 ? "" : ", ", i);
	return arena_printf(arena, "[%s]", s);
}

static void
test_actions(void)
{
	expect_actions("[]", "ok", "no actions pass");
	expect_actions("[{'name': 'refresh', 'label': 'Refresh',"
	    " 'tool': 'get_forecast'}]", "ok",
	    "an action with a name, label and tool passes");
	expect_actions("[{'name': 'refresh', 'label': 'Refresh',"
	    " 'type': 'tool_call', 'tool': 'get_forecast',"
	    " 'arguments': {'days': 3}}]", "ok",
	    "an action with every member passes");
	expect_actions(actions(WIDGET_ACTIONS_MAX), "ok",
	    "exactly 32 actions pass");
	expect_actions(actions(WIDGET_ACTIONS_MAX + 1),
	    "validation_error: body/actions list_type",
	    "33 actions are refused");
	expect_actions("{}", "validation_error: body/actions list_type",
	    "actions that are an object are refused");
	expect_actions("['refresh']",
	    "validation_error: body/actions/0 dict_type",
	    "an action that is a string is refused");
	expect_actions("[{}]", "validation_error: body/actions/0/name missing,"
	    " body/actions/0/label missing, body/actions/0/tool missing",
	    "an empty action misses its name, label and tool");
	expect_actions("[{'name': 'a', 'label': 'A', 'tool': 't',"
	    " 'icon': 'x'}]",
	    "validation_error: body/actions/0/icon extra_forbidden",
	    "an unknown action member is refused");
	expect_actions("[{'name': 'a b', 'label': 'A', 'tool': 't'}]",
	    "validation_error: body/actions/0/name string_pattern_mismatch",
	    "an action name with a space is refused");
	expect_actions("[{'name': 5, 'label': 'A', 'tool': 't'}]",
	    "validation_error: body/actions/0/name string_pattern_mismatch",
	    "an action name that is a number is refused");
	expect_actions(arena_printf(arena, "[{'name': '%s', 'label': 'A',"
	    " 'tool': 't'}]", repeat("n", 64)), "ok",
	    "an action name of exactly 64 characters passes");
	expect_actions(arena_printf(arena, "[{'name': '%s', 'label': 'A',"
	    " 'tool': 't'}]", repeat("n", 65)),
	    "validation_error: body/actions/0/name string_pattern_mismatch",
	    "an action name of 65 characters is refused");
	expect_actions("[{'name': 'a', 'label': 'A', 'tool': 't'},"
	    " {'name': 'b', 'label': 'B', 'tool': 't'},"
	    " {'name': 'a', 'label': 'C', 'tool': 't'}]",
	    "validation_error: body/actions/2/name value_error",
	    "an action name used twice is refused at the second use");
	expect_actions("[{'name': 'a', 'label': '', 'tool': 't'}]",
	    "validation_error: body/actions/0/label string_too_short",
	    "an empty label is refused");
	expect_actions("[{'name': 'a', 'label': 5, 'tool': 't'}]",
	    "validation_error: body/actions/0/label string_type",
	    "a label that is a number is refused");
	expect_actions(arena_printf(arena, "[{'name': 'a', 'label': '%s',"
	    " 'tool': 't'}]", repeat("\xc3\xa9", 64)), "ok",
	    "a label of exactly 64 two-byte characters passes");
	expect_actions(arena_printf(arena, "[{'name': 'a', 'label': '%s',"
	    " 'tool': 't'}]", repeat("L", 65)),
	    "validation_error: body/actions/0/label string_too_long",
	    "a label of 65 characters is refused");
	expect_actions("[{'name': 'a', 'label': 'A', 'type': 'link',"
	    " 'tool': 't'}]", "validation_error: body/actions/0/type enum",
	    "an action type other than tool_call is refused");
	expect_actions("[{'name': 'a', 'label': 'A', 'type': null,"
	    " 'tool': 't'}]", "validation_error: body/actions/0/type enum",
	    "a null action type is refused");
	expect_actions("[{'name': 'a', 'label': 'A', 'tool': 'get weather'}]",
	    "validation_error: body/actions/0/tool string_pattern_mismatch",
	    "a tool that is not a tool name is refused");
	expect_actions("[{'name': 'a', 'label': 'A', 'tool': 7}]",
	    "validation_error: body/actions/0/tool string_pattern_mismatch",
	    "a tool that is a number is refused");
	expect_actions("[{'name': 'a', 'label': 'A', 'tool': 't',"
	    " 'arguments': [1]}]",
	    "validation_error: body/actions/0/arguments dict_type",
	    "arguments that are not an object are refused");
	expect_actions("[{'name': 'a', 'label': 'A', 'tool': 't'},"
	    " {'name': 'b', 'label': 'B'}, 7]",
	    "validation_error: body/actions/1/tool missing,"
	    " body/actions/2 dict_type",
	    "each action is checked, at its own index");
}

static void
test_everything_at_once(void)
{
	struct widget_fields f = { .name = "bad name", .prefers_border = 3 };

	f.title = repeat("t", WIDGET_TITLE_MAX + 1);
	f.csp = parse("{'x': []}");
	f.actions = parse("[{'name': 'a', 'label': 'A'}]");
	expect(&f, true, "validation_error: body/name string_pattern_mismatch,"
	    " body/template missing, body/title string_too_long,"
	    " body/prefers_border bool_type, body/csp/x extra_forbidden,"
	    " body/actions/0/tool missing",
	    "every fault of a create is reported at once");
	json_object_put(f.csp);
	json_object_put(f.actions);
}

int
main(void)
{
	plan(90);
	if ((arena = arena_new()) == NULL)
		bail("arena_new failed");
	test_required();
	test_name();
	test_lengths();
	test_csp();
	test_actions();
	test_everything_at_once();
	arena_free(arena);
	return 0;
}

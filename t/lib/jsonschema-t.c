/*
 * jsonschema-t.c: tests for lib/jsonschema.c, checking tool arguments
 * against an input schema.  Each keyword is tried at its bounds, valid
 * and invalid; refusals are compared by their details ("path:type" per
 * problem, in order) and, for a few, by the exact message.  Also: code
 * points not bytes, 1.0 as an integer, both forms of the exclusive
 * bounds, nested arrays of objects, patterns and what happens to those
 * that have no POSIX form, $ref cycles and fan-outs that must end, very
 * long strings and the bound on the number of details.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jsonschema.h"
#include "t/tap/basic.h"

static struct error err;

/*
 * Parse text as JSON, nesting up to 256 deep ("null" gives NULL); bails
 * when it is not JSON.
 */
static json_object *
parse(const char *text)
{
	struct json_tokener *tok;
	json_object *value;

	if ((tok = json_tokener_new_ex(256)) == NULL)
		bail("out of memory");
	value = json_tokener_parse_ex(tok, text, -1);
	if (json_tokener_get_error(tok) != json_tokener_success)
		bail("test JSON does not parse: %s", text);
	json_tokener_free(tok);
	return value;
}

/* Check args against schema (both JSON objects, borrowed). */
static int
run_objects(json_object *schema, json_object *args)
{
	error_clear(&err);
	return jsonschema_check(schema, args, &err);
}

/* Check args against schema (both JSON text). */
static int
run(const char *schema, const char *args)
{
	json_object *s = parse(schema), *a = parse(args);
	int rc;

	rc = run_objects(s, a);
	json_object_put(s);
	json_object_put(a);
	return rc;
}

/*
 * The details of err as "path:type" entries joined with ", ", in the
 * order found ("" for path when the detail is about the arguments as a
 * whole).  An entry that is not {loc: ["arguments", path?], msg, type}
 * with a msg shows as "MALFORMED".
 */
static const char *
summary(void)
{
	static char out[4096];
	size_t i, n, o = 0;

	out[0] = '\0';
	if (err.details == NULL)
		return out;
	n = json_object_array_length(err.details);
	for (i = 0; i < n && o < sizeof(out); i++) {
		json_object *detail, *loc, *msg, *type, *where;
		const char *path = "";

		detail = json_object_array_get_idx(err.details, i);
		if (!json_object_object_get_ex(detail, "loc", &loc) ||
		    !json_object_object_get_ex(detail, "msg", &msg) ||
		    !json_object_object_get_ex(detail, "type", &type) ||
		    json_object_get_string_len(msg) == 0 ||
		    json_object_array_length(loc) < 1 ||
		    json_object_array_length(loc) > 2 ||
		    strcmp(json_object_get_string(
		    json_object_array_get_idx(loc, 0)), "arguments") != 0) {
			o += (size_t)snprintf(out + o, sizeof(out) - o,
			    "%sMALFORMED", i == 0 ? "" : ", ");
			continue;
		}
		if ((where = json_object_array_get_idx(loc, 1)) != NULL)
			path = json_object_get_string(where);
		o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%s:%s",
		    i == 0 ? "" : ", ", path, json_object_get_string(type));
	}
	return out;
}

/* The msg of detail i, or "(none)". */
static const char *
detail_msg(size_t i)
{
	json_object *detail, *msg;

	if (err.details == NULL ||
	    (detail = json_object_array_get_idx(err.details, i)) == NULL ||
	    !json_object_object_get_ex(detail, "msg", &msg))
		return "(none)";
	return json_object_get_string(msg);
}

/* The outcome of the last check as summary() would have it. */
static const char *
outcome(int rc)
{
	if (rc == 0)
		return err.code == ERR_NONE ? "(valid)" : "(valid, err set)";
	if (err.code != ERR_VALIDATION)
		return error_code_string(err.code);
	return summary();
}

static void
accepts(const char *schema, const char *args, const char *what)
{
	is_string("(valid)", outcome(run(schema, args)), "%s", what);
}

static void
refuses(const char *schema, const char *args, const char *want,
    const char *what)
{
	is_string(want, outcome(run(schema, args)), "%s", what);
}

/* The message of the refusal of args, exactly. */
static void
says(const char *schema, const char *args, const char *want,
    const char *what)
{
	run(schema, args);
	is_string(want, err.message, "%s", what);
}

static void
test_roots(void)
{
	json_object *args = parse("{\"a\": 1}"), *scalar = parse("42");
	json_object *object = parse("{\"type\": \"object\"}");

	is_int(0, run_objects(NULL, args), "a NULL schema accepts anything");
	ok(err.code == ERR_NONE, "... and leaves err alone");
	is_int(0, run_objects(scalar, args),
	    "a schema that is not an object accepts anything");
	accepts("{}", "{\"x\": [1, {\"y\": null}]}",
	    "the empty schema accepts anything");
	accepts("{\"type\": \"object\", \"format\": \"nope\", \"x-mcp-header\":"
	    " \"A\", \"multipleOf\": 7}", "{\"a\": 1}",
	    "unknown and ignored keywords are ignored");
	refuses("{\"type\": \"object\"}", "null", ":type",
	    "null arguments are not an object");
	says("{\"type\": \"object\"}", "[]", "arguments must be an object",
	    "the arguments as a whole are named \"arguments\"");
	is_int(-1, jsonschema_check(object, NULL, NULL),
	    "a NULL err is allowed: the answer is still no");
	json_object_put(object);
	json_object_put(args);
	json_object_put(scalar);
}

static void
test_types(void)
{
	static const struct {
		const char *type, *good, *bad;
	} cases[] = {
		{ "string", "\"x\"", "1" },
		{ "number", "1.5", "\"1.5\"" },
		{ "number", "3", "true" },
		{ "integer", "3", "3.5" },
		{ "integer", "1.0", "\"1\"" },
		{ "integer", "1e300", "1e-300" },
		{ "boolean", "false", "0" },
		{ "null", "null", "false" },
		{ "array", "[]", "{}" },
		{ "object", "{}", "[]" },
	};
	char schema[128], args[64];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(schema, sizeof(schema), "{\"properties\": {\"v\": "
		    "{\"type\": \"%s\"}}}", cases[i].type);
		snprintf(args, sizeof(args), "{\"v\": %s}", cases[i].good);
		accepts(schema, args, cases[i].type);
		snprintf(args, sizeof(args), "{\"v\": %s}", cases[i].bad);
		refuses(schema, args, "v:type", cases[i].type);
	}
	accepts("{\"type\": [\"string\", \"null\"]}", "null",
	    "a type array admits each of its types");
	says("{\"properties\": {\"v\": {\"type\": [\"string\", \"null\"]}}}",
	    "{\"v\": 3}", "arguments.v must be a string or null",
	    "a type array's message lists them");
	says("{\"properties\": {\"v\": {\"type\": [\"string\", \"integer\","
	    " \"null\"]}}}", "{\"v\": 0.5}",
	    "arguments.v must be a string, an integer or null",
	    "... with commas and a final \"or\"");
	says("{\"properties\": {\"limit\": {\"type\": \"integer\"}}}",
	    "{\"limit\": 2.5}", "arguments.limit must be an integer",
	    "2.5 is not an integer, and the message says so");
	accepts("{\"type\": \"file\"}", "3",
	    "a type drio does not know is ignored");
	refuses("{\"type\": [\"file\", \"string\"]}", "3", ":type",
	    "... while the known ones in the same array still count");
	accepts("{\"type\": \"string\", \"nullable\": true}", "null",
	    "OpenAPI 3.0 nullable admits null");
	refuses("{\"type\": \"string\", \"nullable\": true}", "3", ":type",
	    "... and nothing else of another type");
	accepts("{\"type\": \"string\", \"enum\": [\"a\"], \"nullable\": true}",
	    "null", "... even beside an enum without null");
	refuses("{\"type\": \"string\", \"nullable\": false}", "null", ":type",
	    "nullable false admits no null");
	refuses("{\"type\": \"string\", \"enum\": [\"a\"]}", "3", ":type",
	    "a wrong type is the only problem reported for its value");
}

static void
test_required_properties(void)
{
	const char *schema = "{\"type\": \"object\", \"required\": [\"name\","
	    " \"age\"], \"properties\": {\"name\": {\"type\": \"string\"},"
	    " \"age\": {\"type\": \"integer\", \"minimum\": 0},"
	    " \"user\": {\"type\": \"object\", \"required\": [\"id\"],"
	    " \"properties\": {\"id\": {\"type\": \"string\"}}}}}";

	accepts(schema, "{\"name\": \"Ann\", \"age\": 3}",
	    "required properties present, valid");
	refuses(schema, "{\"age\": 3}", "name:required",
	    "a missing property is named");
	says(schema, "{\"age\": 3}", "arguments.name is required",
	    "... in the message");
	ok(strcmp(detail_msg(0), "arguments.name is required") == 0,
	    "the detail's msg is the same sentence");
	refuses(schema, "{}", "name:required, age:required",
	    "every missing property is a detail");
	says(schema, "{}", "arguments.name is required (and 1 more problem)",
	    "the message counts the others");
	refuses(schema, "{\"name\": 1, \"age\": -1, \"user\": {}}",
	    "name:type, age:minimum, user.id:required",
	    "problems in properties, nested ones with a dotted path");
	accepts(schema, "{\"name\": \"x\", \"age\": 1, \"other\": [1]}",
	    "properties not listed are allowed by default");
	accepts("{\"required\": [\"a\"]}", "[1]",
	    "required applies to objects only");
	accepts("{\"required\": [1, \"a\"]}", "{\"a\": 0}",
	    "a required entry that is not a string is skipped");
	refuses("{\"properties\": {\"first name\": {\"type\": \"string\"},"
	    " \"0\": {\"type\": \"string\"}}}",
	    "{\"first name\": 1, \"0\": 2}",
	    "[\"first name\"]:type, [\"0\"]:type",
	    "keys that are not names are quoted in brackets");
	says("{\"properties\": {\"a\\\"b\": {\"type\": \"string\"}}}",
	    "{\"a\\\"b\": 1}", "arguments[\"a\\\"b\"] must be a string",
	    "a quote in a key is escaped");
	says("{\"properties\": {\"a\\nb\": {\"type\": \"string\"}}}",
	    "{\"a\\nb\": 1}", "arguments[\"a?b\"] must be a string",
	    "a control character in a key becomes '?', keeping one line");
	refuses("{\"properties\": {\"x\": false, \"y\": true}}",
	    "{\"x\": 1, \"y\": 2}", "x:false",
	    "boolean subschemas: false refuses, true accepts");
	says("{\"properties\": {\"x\": false}}", "{\"x\": 1}",
	    "arguments.x is not allowed", "... with a readable message");
}

static void
test_enum_const(void)
{
	const char *colours = "{\"properties\": {\"colour\": {\"enum\": "
	    "[\"red\", \"green\", \"blue\"]}}}";

	accepts(colours, "{\"colour\": \"green\"}", "a value in the enum");
	refuses(colours, "{\"colour\": \"pink\"}", "colour:enum",
	    "a value not in the enum");
	says(colours, "{\"colour\": \"pink\"}",
	    "arguments.colour must be one of \"red\", \"green\", \"blue\"",
	    "the enum's message lists the values");
	says("{\"enum\": [\"only\"]}", "\"x\"", "arguments must be \"only\"",
	    "a one-value enum reads as one value");
	accepts("{\"enum\": [1, 2]}", "1.0", "1.0 equals 1 in an enum");
	refuses("{\"enum\": [1, 2]}", "\"1\"", ":enum",
	    "\"1\" does not equal 1");
	accepts("{\"enum\": [{\"a\": 1, \"b\": [true, null]}]}",
	    "{\"b\": [true, null], \"a\": 1.0}",
	    "objects compare by value whatever their key order");
	refuses("{\"enum\": [{\"a\": 1}]}", "{\"a\": 1, \"b\": 2}", ":enum",
	    "an object with an extra key differs");
	refuses("{\"enum\": [[1, 2]]}", "[2, 1]", ":enum",
	    "arrays compare in order");
	accepts("{\"enum\": [null, \"a\"]}", "null", "null in an enum");
	accepts("{\"const\": \"user\"}", "\"user\"", "const equal");
	says("{\"properties\": {\"kind\": {\"const\": \"user\"}}}",
	    "{\"kind\": \"admin\"}", "arguments.kind must be \"user\"",
	    "const's message names the value");
	accepts("{\"const\": null}", "null", "const null accepts null");
	refuses("{\"const\": null}", "0", ":const", "... and nothing else");
	says("{\"enum\": [\"a000000001\", \"a000000002\", \"a000000003\","
	    " \"a000000004\", \"a000000005\", \"a000000006\", \"a000000007\","
	    " \"a000000008\", \"a000000009\", \"a000000010\", \"a000000011\","
	    " \"a000000012\"]}", "\"b\"",
	    "arguments must be one of \"a000000001\", \"a000000002\","
	    " \"a000000003\", \"a000000004\", \"a000000005\", \"a000000006\","
	    " \"a000000007\", \"a000000008\", ...",
	    "a long enum is listed in part");
}

static void
test_numbers(void)
{
	const char *limit = "{\"properties\": {\"limit\": {\"type\": "
	    "\"integer\", \"minimum\": 1, \"maximum\": 100}}}";

	accepts(limit, "{\"limit\": 1}", "minimum is inclusive");
	accepts(limit, "{\"limit\": 100}", "maximum is inclusive");
	refuses(limit, "{\"limit\": 0}", "limit:minimum", "below minimum");
	refuses(limit, "{\"limit\": 101}", "limit:maximum", "above maximum");
	says(limit, "{\"limit\": 101}", "arguments.limit must be at most 100",
	    "the message of a maximum");
	says(limit, "{\"limit\": 0}", "arguments.limit must be at least 1",
	    "the message of a minimum");
	accepts(limit, "{\"limit\": 100.0}", "100.0 is an integer in range");
	refuses("{\"exclusiveMinimum\": 0, \"exclusiveMaximum\": 10}", "0",
	    ":exclusiveMinimum", "2020-12 exclusiveMinimum excludes its bound");
	refuses("{\"exclusiveMinimum\": 0, \"exclusiveMaximum\": 10}", "10",
	    ":exclusiveMaximum", "2020-12 exclusiveMaximum excludes its bound");
	accepts("{\"exclusiveMinimum\": 0, \"exclusiveMaximum\": 10}", "0.001",
	    "... and admits what is just inside");
	says("{\"exclusiveMaximum\": 0.5}", "0.5",
	    "arguments must be less than 0.5", "the message of an exclusive"
	    " maximum");
	refuses("{\"minimum\": 0, \"exclusiveMinimum\": true}", "0",
	    ":exclusiveMinimum", "OpenAPI 3.0 boolean exclusiveMinimum");
	accepts("{\"minimum\": 0, \"exclusiveMinimum\": true}", "1e-9",
	    "... admits what is above");
	says("{\"maximum\": 5, \"exclusiveMaximum\": true}", "5",
	    "arguments must be less than 5",
	    "OpenAPI 3.0 boolean exclusiveMaximum, message");
	accepts("{\"minimum\": 0, \"exclusiveMinimum\": false}", "0",
	    "exclusiveMinimum false leaves minimum inclusive");
	refuses("{\"minimum\": 2, \"exclusiveMinimum\": 0}", "1", ":minimum",
	    "minimum and a numeric exclusiveMinimum both apply");
	refuses("{\"minimum\": 0, \"maximum\": 10, \"exclusiveMaximum\": 5}",
	    "7", ":exclusiveMaximum", "... on the other side too");
	accepts("{\"maximum\": 9007199254740993}", "9007199254740993",
	    "integers above 2^53 compare exactly (equal)");
	refuses("{\"maximum\": 9007199254740993}", "9007199254740994",
	    ":maximum", "integers above 2^53 compare exactly (one above)");
	accepts("{\"minimum\": -0.5}", "-0", "a negative fractional bound");
	accepts("{\"maximum\": \"10\"}", "11",
	    "a bound that is not a number is ignored");
	accepts("{\"minimum\": 1}", "\"0\"", "bounds apply to numbers only");
}

static void
test_strings(void)
{
	const char *three = "{\"minLength\": 2, \"maxLength\": 3}";

	accepts(three, "\"ab\"", "minLength is inclusive");
	accepts(three, "\"abc\"", "maxLength is inclusive");
	refuses(three, "\"a\"", ":minLength", "shorter than minLength");
	refuses(three, "\"abcd\"", ":maxLength", "longer than maxLength");
	accepts(three, "\"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\"",
	    "three CJK characters (9 bytes) are 3 long");
	accepts(three, "\"\xf0\x9f\x98\x80\xf0\x9f\x98\x80\"",
	    "two emoji (8 bytes) are 2 long");
	refuses(three, "\"h\xc3\xa9llo\"", ":maxLength",
	    "h\xc3\xa9llo is 5 characters, not 6 bytes, and too long");
	accepts("{\"maxLength\": 5}", "\"h\xc3\xa9llo\"",
	    "... and fits a maxLength of 5");
	refuses("{\"maxLength\": 5}", "\"h\\u00e9llo!\"", ":maxLength",
	    "an escaped character counts as one");
	says("{\"properties\": {\"code\": {\"maxLength\": 3}}}",
	    "{\"code\": \"abcd\"}",
	    "arguments.code must be at most 3 characters long",
	    "the message of a maxLength");
	says("{\"minLength\": 1}", "\"\"",
	    "arguments must be at least 1 character long",
	    "the message of a minLength of 1");
	accepts("{\"minLength\": -1, \"maxLength\": 1.5}", "\"abc\"",
	    "lengths that are not counts are ignored");
	accepts("{\"maxLength\": 2.0}", "\"ab\"", "a length of 2.0 counts");
	refuses("{\"maxLength\": 2.0}", "\"abc\"", ":maxLength",
	    "... as 2");
	run("{\"properties\": {\"token\": {\"maxLength\": 4}}}",
	    "{\"token\": \"s3cret-value\"}");
	ok(strstr(err.message, "s3cret") == NULL &&
	    strstr(detail_msg(0), "s3cret") == NULL,
	    "messages do not repeat the value");
}

/* Does pattern accept text (both JSON string literals' insides)? */
static void
pattern_case(const char *pattern, const char *text, bool want,
    const char *what)
{
	char schema[512], args[256];

	snprintf(schema, sizeof(schema), "{\"pattern\": \"%s\"}", pattern);
	snprintf(args, sizeof(args), "\"%s\"", text);
	is_string(want ? "(valid)" : ":pattern", outcome(run(schema, args)),
	    "%s", what);
}

static void
test_patterns(void)
{
	pattern_case("^[a-z0-9-]+$", "my-app-2", true, "a bracket range");
	pattern_case("^[a-z0-9-]+$", "My-App", false, "... refuses capitals");
	pattern_case("b", "abc", true, "a pattern is not anchored");
	pattern_case("^b", "abc", false, "... unless it says so");
	pattern_case("^\\\\d{3}-\\\\d{4}$", "555-1234", true, "\\d and {n}");
	pattern_case("^\\\\d{3}-\\\\d{4}$", "555-12a4", false,
	    "\\d refuses a letter");
	pattern_case("^\\\\D+$", "abc", true, "\\D");
	pattern_case("^\\\\D+$", "ab1", false, "\\D refuses a digit");
	pattern_case("^\\\\w+$", "snake_case9", true, "\\w");
	pattern_case("^\\\\w+$", "kebab-case", false, "\\w refuses '-'");
	pattern_case("^\\\\W$", "-", true, "\\W");
	pattern_case("^a\\\\sb$", "a\\tb", true, "\\s takes a tab");
	pattern_case("^\\\\S+$", "a b", false, "\\S refuses a blank");
	pattern_case("^[\\\\w.+-]+@[\\\\w-]+\\\\.[\\\\w.-]+$", "a.b+c@d-e.org",
	    true, "classes and '-' inside brackets");
	pattern_case("^[\\\\w.+-]+@[\\\\w-]+\\\\.[\\\\w.-]+$", "a@b", false,
	    "... and an escaped dot is a dot");
	pattern_case("^[^\\\\s]+$", "nospace", true, "a negated bracket "
	    "with a class");
	pattern_case("^[\\\\]]$", "]", true, "an escaped ] in brackets");
	pattern_case("^[\\\\^]$", "^", true, "an escaped ^ alone in brackets");
	pattern_case("^[\\\\^]$", "a", false, "... is not a negation");
	pattern_case("^[a\\\\-z]$", "-", true, "an escaped - in brackets");
	pattern_case("^[a\\\\-z]$", "m", false, "... is not a range");
	pattern_case("^(?:ab)+$", "abab", true, "a non-capturing group");
	pattern_case("^a+?b$", "aaab", true, "a lazy quantifier");
	pattern_case("^a{2,3}?$", "aa", true, "a lazy brace quantifier");
	pattern_case("^a{2,3}$", "aaaa", false, "a brace quantifier bounds");
	pattern_case("^[a-z0-9-]{1,63}$", "abc-123", true, "a wide range");
	pattern_case("^{x}$", "{x}", true, "a brace that is no quantifier "
	    "is itself");
	pattern_case("^\\\\u0041\\\\x42$", "AB", true, "\\u and \\x escapes");
	pattern_case("^\\\\.\\\\/\\\\($", "./(", true, "escaped punctuation");
	pattern_case("^.{3}$", "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", true,
	    "'.' takes a whole character");
	pattern_case("^a.b$", "a\\nb", false, "'.' takes no line feed");
	pattern_case("^[\xc3\xa0-\xc3\xbf]+$", "abc", true,
	    "a range outside ASCII is ignored");
	pattern_case("^[a\xc3\xa9]+$", "a\xc3\xa9" "a", true,
	    "a bracket listing a character outside ASCII");
	pattern_case("^[a\xc3\xa9]+$", "b", false, "... refuses others");
	pattern_case("^[\xc3\xa9]$", "\xc3\xa9", true,
	    "a bracket of only a character outside ASCII");
	pattern_case("^[^a]$", "\xc3\xa9", true,
	    "a negated bracket takes a whole character outside ASCII");
	pattern_case("^[^a]$", "a", false, "... and refuses what it lists");
	pattern_case("^[^\xc3\xa9]$", "\xc3\xa9", true,
	    "a negated bracket listing a character outside ASCII is ignored");
	pattern_case("^\\\\D\\\\W\\\\S$",
	    "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", true,
	    "\\D \\W \\S each take one character outside ASCII");
	pattern_case("^.$", "\xf0\x9f\x98\x80", true,
	    "'.' takes a four-byte character");
	pattern_case("^\\\\s$", "\xc2\xa0", false,
	    "\\s takes ASCII white space only");
	pattern_case("^[\\\\[]$", "[", true, "an escaped [ in brackets");
	pattern_case("^[-]$", "-", true, "a lone - in brackets");
	pattern_case("^[\\\\^-]$", "-", true, "^ and - alone in brackets");
	pattern_case("^[\\\\^-]$", "a", false, "... are not a negation");
	pattern_case("^\\\\u00e9{2}$", "\xc3\xa9\xc3\xa9", true,
	    "a quantifier repeats a whole escaped character");
	pattern_case("^\xc3\xa9+$", "\xc3\xa9\xc3\xa9", true,
	    "a quantifier applies to a whole non-ASCII character");
	pattern_case("^[A-Z]$", "b", false, "ranges are by code point");
	pattern_case("(?=a)b", "xyz", true, "a lookahead is ignored");
	pattern_case("(a)\\\\1", "xyz", true, "a backreference is ignored");
	pattern_case("\\\\bword\\\\b", "xyz", true, "\\b is ignored");
	pattern_case("\\\\p{L}", "123", true, "\\p{...} is ignored");
	pattern_case("(", "xyz", true, "a pattern regcomp refuses is ignored");
	pattern_case("[\\\\D]", "1", true, "a negated class in brackets is "
	    "ignored");
	pattern_case("^a\\\\u0000", "xyz", true, "a NUL escape is ignored");
	pattern_case("^$", "", true, "the empty string matches ^$");
	pattern_case("^a++$", "b", true, "stacked quantifiers (not ECMA) make "
	    "the pattern ignored");
	pattern_case("^*a", "b", true, "... as does a quantifier with nothing "
	    "to repeat");
	pattern_case("^(a{200}){200}$", "b", true, "... as do counts that "
	    "would make regcomp too costly");
	pattern_case("^a{40000}$", "b", true, "... and counts regcomp refuses");
	pattern_case("^(a", "b", true, "... and an unclosed group");
	pattern_case("^a)", "b", true, "... and an unopened one");
	pattern_case("^a{1,3}$", "aaa", true, "a narrow range, at its top");
	pattern_case("^a{1,3}$", "aaaa", false, "... and past it");
	pattern_case("^(ab|c){2}$", "abc", true, "a count on a group with "
	    "alternatives");
	pattern_case("^(ab|c){2}$", "ababc", false, "... and past it");
	pattern_case("^a{1,20}b$", "aaaaaaaaaaaaaaaaaaaab", true,
	    "a wide range, at its top");
	pattern_case("^a{1,20}b$", "aaaaaaaaaaaaaaaaaaaaab", false,
	    "... and past it, as the pattern's length bound");
	pattern_case("^a{1,20}-b{0,20}$", "aaaaaaaaaaaaaaaaaaaaaaaaa-", true,
	    "a wide range inside a longer pattern bounds only the whole "
	    "length (drio is lenient there)");
	pattern_case("^a{2,}$", "aaaaaa", true, "an open range");
	pattern_case("^a{2,}$", "a", false, "... below its floor");
	says("{\"properties\": {\"code\": {\"pattern\": \"^\\\\d{3}$\"}}}",
	    "{\"code\": \"12\"}",
	    "arguments.code must match the pattern \"^\\d{3}$\"",
	    "the message quotes the pattern as written");
	accepts("{\"pattern\": \"^a\"}", "3",
	    "pattern applies to strings only");
	accepts("{\"pattern\": \"b$\"}", "\"a\\u0000b\"",
	    "text past a NUL inside the string is matched too");
}

/* Twenty properties, each with its own pattern: the cache overflows. */
static void
test_many_patterns(void)
{
	char schema[4096], args[2048];
	size_t o, a, i;

	o = (size_t)snprintf(schema, sizeof(schema), "{\"properties\": {");
	a = (size_t)snprintf(args, sizeof(args), "{");
	for (i = 0; i < 20; i++) {
		o += (size_t)snprintf(schema + o, sizeof(schema) - o,
		    "%s\"p%zu\": {\"pattern\": \"^v%zu$\"}", i ? ", " : "", i,
		    i);
		a += (size_t)snprintf(args + a, sizeof(args) - a,
		    "%s\"p%zu\": \"v%zu\"", i ? ", " : "", i, i);
	}
	snprintf(schema + o, sizeof(schema) - o, "}}");
	snprintf(args + a, sizeof(args) - a, "}");
	accepts(schema, args, "twenty distinct patterns all match");
	args[a - 2] = 'x';
	refuses(schema, args, "p19:pattern",
	    "... and the twentieth, beyond the cache, still refuses");
}

static void
test_long_strings(void)
{
	size_t len = 1 << 20;
	char *text = malloc(len + 1);
	json_object *value, *schema;
	clock_t start;
	double seconds;

	if (text == NULL)
		bail("out of memory");
	memset(text, 'a', len);
	text[len] = '\0';
	value = json_object_new_string_len(text, (int)len);
	schema = parse("{\"maxLength\": 1048576, \"pattern\": \"^a+$\"}");
	start = clock();
	is_int(0, run_objects(schema, value),
	    "a 1 MiB string within maxLength matching ^a+$");
	seconds = (double)(clock() - start) / CLOCKS_PER_SEC;
	diag("1 MiB string, maxLength and pattern: %.3f s", seconds);
	json_object_put(schema);
	schema = parse("{\"maxLength\": 1048575}");
	is_string(":maxLength", outcome(run_objects(schema, value)),
	    "... one character over maxLength");
	json_object_put(schema);
	text[len - 1] = 'b';
	json_object_put(value);
	value = json_object_new_string_len(text, (int)len);
	schema = parse("{\"pattern\": \"^a+$\"}");
	is_string(":pattern", outcome(run_objects(schema, value)),
	    "... and a last character that fails the pattern");
	json_object_put(schema);
	schema = parse("{\"pattern\": \"^[a-z]{1,255}$\"}");
	start = clock();
	is_string(":pattern", outcome(run_objects(schema, value)),
	    "a 1 MiB string is too long for ^[a-z]{1,255}$");
	seconds = (double)(clock() - start) / CLOCKS_PER_SEC;
	ok(seconds < 0.5, "... which is known without running the pattern"
	    " (%.3f s)", seconds);
	json_object_put(schema);
	schema = parse("{\"pattern\": \"[0-9]{1,255}\"}");
	start = clock();
	is_string(":pattern", outcome(run_objects(schema, value)),
	    "a 1 MiB string without a digit fails [0-9]{1,255}");
	seconds = (double)(clock() - start) / CLOCKS_PER_SEC;
	ok(seconds < 0.5, "... in reasonable time (%.3f s)", seconds);
	json_object_put(schema);
	json_object_put(value);
	free(text);
}

static void
test_arrays(void)
{
	const char *list = "{\"properties\": {\"list\": {\"type\": \"array\","
	    " \"items\": {\"type\": \"number\"}, \"minItems\": 1,"
	    " \"maxItems\": 3}}}";
	const char *rows = "{\"properties\": {\"rows\": {\"type\": \"array\","
	    " \"items\": {\"type\": \"object\", \"required\": [\"cells\"],"
	    " \"properties\": {\"cells\": {\"type\": \"array\", \"items\":"
	    " {\"type\": \"object\", \"properties\": {\"value\": {\"type\":"
	    " \"integer\", \"maximum\": 10}}}}}}}}}";

	accepts(list, "{\"list\": [1, 2.5, 3]}", "items and maxItems met");
	refuses(list, "{\"list\": [1, \"2\", 3]}", "list[1]:type",
	    "an item of the wrong type, with its index");
	says(list, "{\"list\": [1, \"2\", 3]}",
	    "arguments.list[1] must be a number", "... in the message");
	refuses(list, "{\"list\": []}", "list:minItems", "below minItems");
	refuses(list, "{\"list\": [1, 2, 3, 4]}", "list:maxItems",
	    "above maxItems");
	says(list, "{\"list\": [1, 2, 3, 4]}",
	    "arguments.list must have at most 3 items",
	    "the message of a maxItems");
	says(list, "{\"list\": []}", "arguments.list must have at least 1 item",
	    "the message of a minItems of 1");
	accepts(rows, "{\"rows\": [{\"cells\": [{\"value\": 1}]},"
	    " {\"cells\": []}]}", "nested arrays of objects, valid");
	refuses(rows, "{\"rows\": [{\"cells\": [{\"value\": 1}]},"
	    " {\"cells\": [{\"value\": 11}, {\"value\": 2.5}]}, {}]}",
	    "rows[1].cells[0].value:maximum, rows[1].cells[1].value:type,"
	    " rows[2].cells:required",
	    "nested arrays of objects: every problem, with its path");
	says(rows, "{\"rows\": [{\"cells\": [{\"value\": 1}]},"
	    " {\"cells\": [{\"value\": 11}]}]}",
	    "arguments.rows[1].cells[0].value must be at most 10",
	    "... and the message's path");
	refuses("{\"prefixItems\": [{\"type\": \"string\"}, {\"type\":"
	    " \"integer\"}], \"items\": false}", "[\"a\", 1, null]",
	    "[2]:false", "prefixItems with items false closes the tuple");
	accepts("{\"prefixItems\": [{\"type\": \"string\"}, {\"type\":"
	    " \"integer\"}], \"items\": false}", "[\"a\"]",
	    "... and a shorter tuple is fine");
	refuses("{\"items\": [{\"type\": \"string\"}, {\"type\": "
	    "\"integer\"}]}", "[\"a\", \"b\", {}]", "[1]:type",
	    "draft-07 array items are a tuple; the rest is free");
	accepts("{\"items\": {\"type\": \"string\"}}", "{\"0\": 1}",
	    "items applies to arrays only");
}

static void
test_additional(void)
{
	const char *closed = "{\"properties\": {\"a\": {\"type\": "
	    "\"string\"}}, \"additionalProperties\": false}";
	const char *typed = "{\"properties\": {\"a\": {}}, "
	    "\"additionalProperties\": {\"type\": \"string\"}}";
	const char *patterned = "{\"properties\": {\"a\": {}},"
	    " \"patternProperties\": {\"^x-\": {\"type\": \"integer\"}},"
	    " \"additionalProperties\": false}";

	accepts(closed, "{\"a\": \"x\"}", "a named property is not additional");
	accepts(closed, "{}", "an empty object with additionalProperties"
	    " false");
	refuses(closed, "{\"a\": \"x\", \"extra\": 1, \"more\": 2}",
	    "extra:additionalProperties, more:additionalProperties",
	    "each additional property is named");
	says(closed, "{\"extra\": 1}", "arguments.extra is not allowed",
	    "the message of additionalProperties false");
	accepts(typed, "{\"a\": 1, \"b\": \"s\"}",
	    "additional properties against a schema");
	refuses(typed, "{\"a\": 1, \"b\": 2}", "b:type",
	    "... refused by it");
	accepts(patterned, "{\"a\": 1, \"x-rate\": 2}",
	    "a property matched by patternProperties is not additional");
	refuses(patterned, "{\"x-rate\": \"fast\"}", "x-rate:type",
	    "... and is checked against its schema");
	refuses(patterned, "{\"y-rate\": 2}", "y-rate:additionalProperties",
	    "one no pattern matches is additional");
	accepts("{\"patternProperties\": {\"(?=x)\": {}},"
	    " \"additionalProperties\": false}", "{\"y\": 1}",
	    "with an unusable pattern, nothing is taken as additional");
	accepts("{\"type\": \"object\", \"additionalProperties\": false}",
	    "{}", "MCP's recommended schema for no parameters takes {}");
	refuses("{\"type\": \"object\", \"additionalProperties\": false}",
	    "{\"a\": 1}", "a:additionalProperties", "... and nothing else");
}

static void
test_combinators(void)
{
	const char *all = "{\"allOf\": [{\"minimum\": 1}, {\"maximum\": 5},"
	    " {\"type\": \"integer\"}]}";
	const char *any = "{\"anyOf\": [{\"type\": \"string\"}, {\"type\":"
	    " \"integer\", \"minimum\": 0}]}";
	const char *one = "{\"oneOf\": [{\"type\": \"integer\"}, {\"minimum\":"
	    " 10}]}";

	accepts(all, "3", "allOf: every schema holds");
	refuses(all, "7.5", ":maximum, :type",
	    "allOf: each failing schema reports its own problem");
	accepts(any, "\"x\"", "anyOf: the first schema holds");
	accepts(any, "3", "anyOf: the second schema holds");
	refuses(any, "-1", ":anyOf", "anyOf: none holds, one problem");
	says("{\"properties\": {\"id\": {\"anyOf\": [{\"type\": \"string\"},"
	    " {\"type\": \"integer\"}]}}}", "{\"id\": 1.5}",
	    "arguments.id must match at least one of the schemas listed in"
	    " anyOf", "anyOf's message");
	accepts(one, "3", "oneOf: exactly one holds (integer below 10)");
	accepts(one, "10.5", "oneOf: exactly one holds (above 10)");
	refuses(one, "12", ":oneOf", "oneOf: two hold");
	says(one, "12", "arguments must match exactly one of the schemas "
	    "listed in oneOf, but matches 2", "oneOf's message for two");
	says(one, "2.5", "arguments must match exactly one of the schemas "
	    "listed in oneOf, but matches none", "oneOf's message for none");
	accepts("{\"not\": {\"type\": \"string\"}}", "1", "not: the schema "
	    "fails");
	refuses("{\"not\": {\"type\": \"string\"}}", "\"a\"", ":not",
	    "not: the schema holds");
	accepts("{\"anyOf\": []}", "1", "an empty anyOf is ignored");
	refuses("{\"anyOf\": [{\"required\": [\"a\"]}, {\"required\":"
	    " [\"b\"]}], \"required\": [\"c\"]}", "{}", "c:required, :anyOf",
	    "the quiet branches of anyOf add no details of their own");
}

static void
test_refs(void)
{
	const char *defs = "{\"$defs\": {\"positive\": {\"type\": \"integer\","
	    " \"minimum\": 1}}, \"properties\": {\"n\": {\"$ref\":"
	    " \"#/$defs/positive\"}}}";
	const char *tree = "{\"$defs\": {\"node\": {\"type\": \"object\","
	    " \"required\": [\"name\"], \"properties\": {\"name\": {\"type\":"
	    " \"string\"}, \"children\": {\"type\": \"array\", \"items\":"
	    " {\"$ref\": \"#/$defs/node\"}}}}}, \"$ref\": \"#/$defs/node\"}";
	char *deep;
	size_t i, o = 0;
	clock_t start;

	accepts(defs, "{\"n\": 3}", "a $ref to $defs");
	refuses(defs, "{\"n\": 0}", "n:minimum",
	    "... checks what it names, at the referring path");
	refuses("{\"definitions\": {\"s\": {\"type\": \"string\"}}, \"items\":"
	    " {\"$ref\": \"#/definitions/s\"}}", "[1]", "[0]:type",
	    "a draft-07 $ref to definitions");
	refuses("{\"components\": {\"schemas\": {\"Pet\": {\"required\":"
	    " [\"name\"]}}}, \"$ref\": \"#/components/schemas/Pet\"}", "{}",
	    "name:required", "a $ref to an OpenAPI components copy");
	refuses("{\"$defs\": {\"a/b\": {\"type\": \"string\"}, \"c~d\": "
	    "{\"type\": \"string\"}, \"e f\": {\"type\": \"string\"}},"
	    " \"properties\": {\"x\": {\"$ref\": \"#/$defs/a~1b\"},"
	    " \"y\": {\"$ref\": \"#/$defs/c~0d\"},"
	    " \"z\": {\"$ref\": \"#/$defs/e%20f\"}}}",
	    "{\"x\": 1, \"y\": 1, \"z\": 1}", "x:type, y:type, z:type",
	    "~1, ~0 and %-escapes in a $ref");
	refuses("{\"allOf\": [{\"type\": \"string\"}], \"properties\": {\"x\":"
	    " {\"$ref\": \"#/allOf/0\"}}}", "{\"x\": \"a\"}", ":type",
	    "a $ref into an array by index (and the root's own allOf)");
	refuses("{\"$ref\": \"#/$defs/s\", \"maxLength\": 1, \"$defs\": {\"s\":"
	    " {\"type\": \"string\"}}}", "\"ab\"", ":maxLength",
	    "keywords beside $ref apply too (2020-12)");
	accepts("{\"$ref\": \"#/$defs/missing\"}", "1",
	    "a $ref that does not resolve is ignored");
	accepts("{\"$ref\": \"https://example.com/schema.json\"}", "1",
	    "a $ref outside the schema is ignored");
	accepts("{\"$ref\": \"#anchor\"}", "1", "an anchor $ref is ignored");
	accepts(tree, "{\"name\": \"root\", \"children\": [{\"name\": \"a\","
	    " \"children\": [{\"name\": \"b\"}]}]}",
	    "a recursive schema follows the arguments down");
	refuses(tree, "{\"name\": \"root\", \"children\": [{\"name\": \"a\","
	    " \"children\": [{\"name\": 2}]}]}",
	    "children[0].children[0].name:type",
	    "... and finds a problem deep down");
	accepts("{\"$ref\": \"#\"}", "1", "a $ref to itself ends");
	accepts("{\"$defs\": {\"a\": {\"$ref\": \"#/$defs/b\"}, \"b\": "
	    "{\"$ref\": \"#/$defs/a\"}}, \"$ref\": \"#/$defs/a\"}", "1",
	    "a cycle of two $refs ends");
	refuses("{\"$defs\": {\"a\": {\"allOf\": [{\"$ref\": \"#/$defs/a\"}],"
	    " \"type\": \"string\"}}, \"$ref\": \"#/$defs/a\"}", "1", ":type",
	    "a cycle is cut, and the keywords beside it still apply");
	/* Each level refers twice to the next: 2^30 paths unless cut. */
	{
		char schema[4096];

		o = (size_t)snprintf(schema, sizeof(schema), "{\"$defs\": {");
		for (i = 0; i < 30; i++)
			o += (size_t)snprintf(schema + o, sizeof(schema) - o,
			    "\"d%zu\": {\"allOf\": [{\"$ref\": "
			    "\"#/$defs/d%zu\"},"
			    " {\"$ref\": \"#/$defs/d%zu\"}]}, ", i, i + 1,
			    i + 1);
		snprintf(schema + o, sizeof(schema) - o,
		    "\"d30\": {\"type\": \"integer\"}}, \"$ref\": "
		    "\"#/$defs/d0\"}");
		start = clock();
		refuses(schema, "1", ":complexity",
		    "a schema that fans out is stopped at the step bound");
		diag("fan-out stopped after %.3f s",
		    (double)(clock() - start) / CLOCKS_PER_SEC);
		says(schema, "1", "arguments could not be checked: the schema "
		    "needs more than 1048576 steps",
		    "... with a message that says why");
	}
	/* Arguments nested 70 deep under a recursive schema. */
	if ((deep = malloc(1024)) == NULL)
		bail("out of memory");
	o = 0;
	for (i = 0; i < 70; i++)
		o += (size_t)snprintf(deep + o, 1024 - o, "{\"c\": ");
	o += (size_t)snprintf(deep + o, 1024 - o, "1");
	for (i = 0; i < 70; i++)
		o += (size_t)snprintf(deep + o, 1024 - o, "}");
	run("{\"$defs\": {\"n\": {\"type\": [\"object\", \"integer\"],"
	    " \"properties\": {\"c\": {\"$ref\": \"#/$defs/n\"}}}},"
	    " \"$ref\": \"#/$defs/n\"}", deep);
	ok(err.code == ERR_VALIDATION && strstr(summary(), ":depth") != NULL,
	    "arguments nested past the depth bound are refused, not a crash");
	free(deep);
}

static void
test_limits(void)
{
	char schema[2048], args[2048], key[301];
	size_t o = 0, i;

	o = (size_t)snprintf(schema, sizeof(schema), "{\"required\": [");
	for (i = 0; i < 30; i++)
		o += (size_t)snprintf(schema + o, sizeof(schema) - o,
		    "%s\"k%02zu\"", i ? ", " : "", i);
	snprintf(schema + o, sizeof(schema) - o, "]}");
	run(schema, "{}");
	is_int(JSONSCHEMA_DETAILS_MAX, err.details == NULL ? 0 :
	    (long long)json_object_array_length(err.details),
	    "thirty problems give twenty details");
	is_string("arguments.k00 is required (and more problems)",
	    err.message, "... and a message that says there are more");
	is_string("Correct the arguments to fit the tool's input schema and"
	    " call the tool again.", err.hint, "a hint says what to do");

	memset(key, 'k', 300);
	key[300] = '\0';
	snprintf(schema, sizeof(schema), "{\"required\": [\"%s\"]}", key);
	run(schema, "{}");
	ok(strlen(err.message) < sizeof(err.message) - 1 &&
	    strncmp(err.message, "arguments.kkkk", 14) == 0 &&
	    strstr(err.message, "... is required") != NULL,
	    "a very long key is cut with \"...\" in the path");
	diag("%s", err.message);

	o = 0;
	args[0] = '\0';
	for (i = 0; i < 25; i++)
		o += (size_t)snprintf(args + o, sizeof(args) - o,
		    "{\"long_property_name\": ");
	o += (size_t)snprintf(args + o, sizeof(args) - o, "1");
	for (i = 0; i < 25; i++)
		o += (size_t)snprintf(args + o, sizeof(args) - o, "}");
	run("{\"$defs\": {\"n\": {\"type\": \"object\", \"properties\": "
	    "{\"long_property_name\": {\"$ref\": \"#/$defs/n\"}}}},"
	    " \"$ref\": \"#/$defs/n\"}", args);
	ok(err.code == ERR_VALIDATION &&
	    strstr(err.message, "...") != NULL &&
	    strstr(err.message, " must be an object") != NULL,
	    "a path too long to keep ends in \"...\"");
	diag("%s", err.message);
}

int
main(void)
{
	plan(253);
	test_roots();
	test_types();
	test_required_properties();
	test_enum_const();
	test_numbers();
	test_strings();
	test_patterns();
	test_many_patterns();
	test_long_strings();
	test_arrays();
	test_additional();
	test_combinators();
	test_refs();
	test_limits();
	error_clear(&err);
	return 0;
}

/*
 * yaml-t.c: tests for lib/yaml.c, YAML to JSON and back.  Checks the
 * promises of yaml.h: the core schema's plain scalars (and only those:
 * yes and 0x with a sign stay strings), quoted and block scalars as
 * strings, explicit tags, integers beyond int64, infinity and NaN
 * refused, string keys in document order, duplicate and non-scalar keys
 * refused, anchors and aliases with the expansion and depth guards,
 * merge keys, empty and multi-document streams, every error with its
 * line and column (message and details), invalid UTF-8, realistic
 * OpenAPI and Dify documents; then the writer's exact output for the
 * styles it promises, its refusals, and the round trip
 * yaml_emit_json -> yaml_parse_json over hand-picked and generated
 * values, which must come back equal, types and key order included.
 *
 * SPDX-License-Identifier: MIT
 */
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "yaml.h"
#include "t/tap/basic.h"

static struct error err;

/* A growing string for building large test documents. */
struct text {
	char *data;
	size_t len;
	size_t size;
};

static void
text_add(struct text *t, const char *s, size_t len)
{
	if (t->len + len + 1 > t->size) {
		t->size = (t->len + len + 1) * 2;
		if ((t->data = realloc(t->data, t->size)) == NULL)
			bail("out of memory");
	}
	memcpy(t->data + t->len, s, len);
	t->len += len;
	t->data[t->len] = '\0';
}

static void
text_puts(struct text *t, const char *s)
{
	text_add(t, s, strlen(s));
}

/* Read len bytes of YAML.  Returns yaml_parse_json's result. */
static int
parse_bytes(const char *text, size_t len, json_object **value)
{
	error_clear(&err);
	return yaml_parse_json(text, len, value, &err);
}

static int
parse(const char *text, json_object **value)
{
	return parse_bytes(text, strlen(text), value);
}

/* One test: text reads as the JSON value expected (types included). */
static void
reads(const char *text, const char *expected, const char *what)
{
	json_object *value = NULL;

	if (parse(text, &value) != 0) {
		ok(false, "%s", what);
		diag("refused: %s", err.message);
		return;
	}
	is_json(expected, value, "%s", what);
	json_object_put(value);
}

/*
 * One test: text reads as exactly the JSON text expected, json-c's
 * plain serialisation, so key order counts.
 */
static void
reads_in_order(const char *text, const char *expected, const char *what)
{
	json_object *value = NULL;

	if (parse(text, &value) != 0) {
		ok(false, "%s", what);
		diag("refused: %s", err.message);
		return;
	}
	is_string(expected, json_object_to_json_string_ext(value,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE), "%s",
	    what);
	json_object_put(value);
}

/*
 * One test: len bytes of text are refused with ERR_BAD_REQUEST, no
 * value, the message "YAML parse error at line L, column C: " followed
 * by problem (a prefix of the problem is enough), and details
 * {"line": L, "column": C}.
 */
static void
refuses_bytes(const char *text, size_t len, int line, int column,
    const char *problem, const char *what)
{
	json_object *sentinel = json_object_new_object(), *value = sentinel;
	json_object *l, *c;
	char want[300];
	int rc;
	bool good;

	snprintf(want, sizeof(want), "YAML parse error at line %d, column "
	    "%d: %s", line, column, problem);
	rc = parse_bytes(text, len, &value);
	good = rc == -1 && value == NULL && err.code == ERR_BAD_REQUEST &&
	    strncmp(err.message, want, strlen(want)) == 0 &&
	    json_object_is_type(err.details, json_type_object) &&
	    json_object_object_length(err.details) == 2 &&
	    json_object_object_get_ex(err.details, "line", &l) &&
	    json_object_object_get_ex(err.details, "column", &c) &&
	    json_object_get_int(l) == line && json_object_get_int(c) == column;
	ok(good, "%s", what);
	if (!good) {
		diag("  expected: %s", want);
		diag("      seen: rc %d, code %s, %s, details %s", rc,
		    err.code == ERR_NONE ? "none" : error_code_string(err.code),
		    err.message, err.details == NULL ? "none" :
		    json_object_to_json_string(err.details));
	}
	if (rc == 0)
		json_object_put(value);
	json_object_put(sentinel);
}

static void
refuses(const char *text, int line, int column, const char *problem,
    const char *what)
{
	refuses_bytes(text, strlen(text), line, column, problem, what);
}

/* Parse JSON text that the test itself wrote; bails when it is not. */
static json_object *
json(const char *text)
{
	json_tokener *tok;
	json_object *value;

	if ((tok = json_tokener_new()) == NULL)
		bail("out of memory");
	value = json_tokener_parse_ex(tok, text, -1);
	if (json_tokener_get_error(tok) != json_tokener_success)
		bail("test JSON is not JSON: %s", text);
	json_tokener_free(tok);
	return value;
}

/* One test: the JSON value written in json_text is written as yaml. */
static void
writes(const char *json_text, const char *yaml, const char *what)
{
	json_object *value = json(json_text);
	char *out = NULL;
	size_t len = 0;

	error_clear(&err);
	if (yaml_emit_json(value, &out, &len, &err) != 0) {
		ok(false, "%s", what);
		diag("refused: %s", err.message);
	} else if (strlen(out) != len) {
		ok(false, "%s", what);
		diag("length %zu is not the text's, %zu", len, strlen(out));
	} else {
		is_string(yaml, out, "%s", what);
	}
	json_object_put(value);
	free(out);
}

/* One test: value (taken) cannot be written; ERR_BAD_REQUEST, no text. */
static void
write_refused(json_object *value, const char *what)
{
	char *out = (char *)"not touched";
	size_t len = 1;
	int rc;

	error_clear(&err);
	rc = yaml_emit_json(value, &out, &len, &err);
	if (!ok(rc == -1 && out == NULL && len == 0 &&
	    err.code == ERR_BAD_REQUEST && err.message[0] != '\0', "%s", what))
		diag("rc %d, code %s, message %s", rc,
		    error_code_string(err.code), err.message);
	if (rc == 0)
		free(out);
	json_object_put(value);
}

/*
 * Are a and b the same JSON value: same types, doubles bit for bit,
 * strings byte for byte, keys in the same order?
 */
static bool
same(json_object *a, json_object *b)
{
	struct json_object_iterator ia, ib, ea, eb;
	double da, db;
	size_t i, n;

	if (json_object_get_type(a) != json_object_get_type(b))
		return false;
	switch (json_object_get_type(a)) {
	case json_type_null:
		return true;
	case json_type_boolean:
	case json_type_int:
	case json_type_string:
		return json_object_equal(a, b);
	case json_type_double:
		da = json_object_get_double(a);
		db = json_object_get_double(b);
		return memcmp(&da, &db, sizeof(da)) == 0;
	case json_type_array:
		n = json_object_array_length(a);
		if (n != json_object_array_length(b))
			return false;
		for (i = 0; i < n; i++)
			if (!same(json_object_array_get_idx(a, i),
			    json_object_array_get_idx(b, i)))
				return false;
		return true;
	case json_type_object:
		ia = json_object_iter_begin(a);
		ea = json_object_iter_end(a);
		ib = json_object_iter_begin(b);
		eb = json_object_iter_end(b);
		while (!json_object_iter_equal(&ia, &ea)) {
			if (json_object_iter_equal(&ib, &eb) ||
			    strcmp(json_object_iter_peek_name(&ia),
			    json_object_iter_peek_name(&ib)) != 0 ||
			    !same(json_object_iter_peek_value(&ia),
			    json_object_iter_peek_value(&ib)))
				return false;
			json_object_iter_next(&ia);
			json_object_iter_next(&ib);
		}
		return json_object_iter_equal(&ib, &eb);
	}
	return false;
}

/*
 * Write value, read it back.  Returns whether it came back the same;
 * when not, and when loud, says how on the diagnostics.
 */
static bool
survives(json_object *value, bool loud)
{
	json_object *back = NULL;
	char *text = NULL;
	size_t len;
	bool good = false;

	error_clear(&err);
	if (yaml_emit_json(value, &text, &len, &err) != 0) {
		if (loud)
			diag("cannot write %s: %s",
			    json_object_to_json_string(value), err.message);
		goto out;
	}
	if (parse_bytes(text, len, &back) != 0) {
		if (loud)
			diag("cannot read back:\n%s\n%s", text, err.message);
		goto out;
	}
	good = same(value, back);
	if (!good && loud)
		diag("%s\nwritten as\n%s\nreads back as %s",
		    json_object_to_json_string(value), text,
		    json_object_to_json_string(back));
out:
	json_object_put(back);
	free(text);
	return good;
}

/* One test: the JSON value in json_text survives the round trip. */
static void
round_trip(const char *json_text)
{
	json_object *value = json(json_text);

	ok(survives(value, true), "%s survives writing and reading",
	    json_text);
	json_object_put(value);
}

/* xorshift64*: the generated values are the same on every run. */
static uint64_t
next_random(uint64_t *state)
{
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * 2685821657736338717ULL;
}

/* The pieces generated strings are made of: YAML's every trap. */
static const struct {
	const char *s;
	size_t len;
} pieces[] = {
#define PIECE(s) { s, sizeof(s) - 1 }
	PIECE(""), PIECE(" "), PIECE("  "), PIECE("\n"), PIECE("\n\n"),
	PIECE("\r"), PIECE("\r\n"), PIECE("\t"), PIECE(":"), PIECE(": "),
	PIECE("#"), PIECE(" #"), PIECE("-"), PIECE("- "), PIECE("?"),
	PIECE("'"), PIECE("\""), PIECE("\\"), PIECE(","), PIECE("["),
	PIECE("]"), PIECE("{"), PIECE("}"), PIECE("&"), PIECE("*"),
	PIECE("!"), PIECE("|"), PIECE(">"), PIECE("%"), PIECE("@"),
	PIECE("`"), PIECE("~"), PIECE("<<"), PIECE("="), PIECE("true"),
	PIECE("no"), PIECE("null"), PIECE("0"), PIECE("1"), PIECE("0x1F"),
	PIECE("0o7"), PIECE(".5"), PIECE("1e3"), PIECE(".inf"), PIECE("+"),
	PIECE("."), PIECE("e"), PIECE("x"), PIECE("abc"), PIECE("\xc3\xa9"),
	PIECE("\xe6\x97\xa5\xe6\x9c\xac"), PIECE("\xf0\x9f\x98\x80"),
	PIECE("\xc2\x85"), PIECE("\xe2\x80\xa8"), PIECE("\xef\xbb\xbf"),
	PIECE("\x7f"), PIECE("\x01"), PIECE("\0"), PIECE("---"),
	PIECE("..."), PIECE("\xc2\xa0"), PIECE("\x1b"),
#undef PIECE
};
#define NPIECES (sizeof(pieces) / sizeof(pieces[0]))

/* A string of up to 6 pieces into buf (NUL-free when key).  Returns len. */
static size_t
random_string(uint64_t *state, char *buf, bool key)
{
	size_t n = next_random(state) % 7, len = 0, i, p;

	for (i = 0; i < n; i++) {
		p = next_random(state) % NPIECES;
		if (key && pieces[p].len == 1 && pieces[p].s[0] == '\0')
			continue;
		memcpy(buf + len, pieces[p].s, pieces[p].len);
		len += pieces[p].len;
	}
	buf[len] = '\0';
	return len;
}

/* A finite double: random bits, or a short decimal. */
static double
random_double(uint64_t *state)
{
	static const double scale[] = { 1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7 };
	uint64_t bits;
	double d;

	if (next_random(state) % 2 == 0)
		return (double)(int64_t)(next_random(state) % 2000001 -
		    1000000) / scale[next_random(state) % 8];
	do {
		bits = next_random(state);
		memcpy(&d, &bits, sizeof(d));
	} while (!isfinite(d));
	return d;
}

/* A random JSON value, at most depth levels of arrays and objects. */
static json_object *
random_value(uint64_t *state, int depth)
{
	static const int64_t edges[] = { 0, 1, -1, INT64_MAX, INT64_MIN,
	    4294967296, -4294967296, 9007199254740993 };
	char buf[64];
	json_object *value;
	size_t n, i, len;

	switch (next_random(state) % (depth == 0 ? 5 : 7)) {
	case 0:
		return NULL;
	case 1:
		return json_object_new_boolean(next_random(state) % 2);
	case 2:
		switch (next_random(state) % 3) {
		case 0:
			return json_object_new_int64(edges[next_random(state) %
			    (sizeof(edges) / sizeof(edges[0]))]);
		case 1:
			return json_object_new_int64(
			    (int64_t)next_random(state));
		default:
			return json_object_new_uint64(next_random(state) |
			    UINT64_C(1) << 63);
		}
	case 3:
		return json_object_new_double(random_double(state));
	case 4:
		len = random_string(state, buf, false);
		return json_object_new_string_len(buf, (int)len);
	case 5:
		value = json_object_new_array();
		n = next_random(state) % 5;
		for (i = 0; i < n; i++)
			json_object_array_add(value,
			    random_value(state, depth - 1));
		return value;
	default:
		value = json_object_new_object();
		n = next_random(state) % 5;
		for (i = 0; i < n; i++) {
			random_string(state, buf, true);
			json_object_object_add(value, buf,
			    random_value(state, depth - 1));
		}
		return value;
	}
}

static void
test_scalars(void)
{
	reads("null", "null", "null is null");
	reads("Null", "null", "Null is null");
	reads("NULL", "null", "NULL is null");
	reads("~", "null", "~ is null");
	reads("a:", "{\"a\": null}", "an empty value is null");
	reads("[nULL, none, nil]", "[\"nULL\", \"none\", \"nil\"]",
	    "other spellings of null are strings");
	reads("[true, True, TRUE, false, False, FALSE]",
	    "[true, true, true, false, false, false]",
	    "the six core spellings of a boolean are booleans");
	reads("[yes, no, on, off, y, n, Yes, OFF, tRUE]",
	    "[\"yes\", \"no\", \"on\", \"off\", \"y\", \"n\", \"Yes\", "
	    "\"OFF\", \"tRUE\"]",
	    "YAML 1.1's yes/no/on/off/y/n are strings");
	reads("[0, 7, -5, +7, 0123, -0]", "[0, 7, -5, 7, 123, 0]",
	    "decimal integers, signed, with leading zeros, are integers");
	reads("[0o17, 0o0, 0x1F, 0xff, 0xDeadBeef]",
	    "[15, 0, 31, 255, 3735928559]",
	    "0o octal and 0x hex are integers");
	reads("[-0x1, +0o7, 0o8, 0x1G, 0b101, 1_000, 0X1F, 0O7]",
	    "[\"-0x1\", \"+0o7\", \"0o8\", \"0x1G\", \"0b101\", \"1_000\", "
	    "\"0X1F\", \"0O7\"]",
	    "signed hex/octal, bad digits, binary, underscores and capital "
	    "prefixes are strings");
	reads("[9223372036854775807, -9223372036854775808]",
	    "[9223372036854775807, -9223372036854775808]",
	    "int64's extremes are integers");
	reads("[9223372036854775808, 18446744073709551615, "
	    "0xFFFFFFFFFFFFFFFF, 0o1777777777777777777777]",
	    "[9223372036854775808, 18446744073709551615, "
	    "18446744073709551615, 18446744073709551615]",
	    "positive integers beyond int64 that fit uint64 are uint64");
	reads("[18446744073709551616, -9223372036854775809, "
	    "0x10000000000000000, 0o2000000000000000000000]",
	    "[1.8446744073709552e+19, -9.2233720368547758e+18, "
	    "1.8446744073709552e+19, 1.8446744073709552e+19]",
	    "integers beyond uint64 or below int64 become doubles");
	reads("[1.5, .5, -.5, 1., 1e3, 1E-2, +2.5e+2, 6.02e23, -0.0, 0.0]",
	    "[1.5, 0.5, -0.5, 1.0, 1000.0, 0.01, 250.0, 6.02e23, -0.0, 0.0]",
	    "floats of every core form are doubles");
	reads("[1e, 1.2.3, e3, ., 1e3.5, 0x1.8p1, 1:20, 2024-01-01]",
	    "[\"1e\", \"1.2.3\", \"e3\", \".\", \"1e3.5\", \"0x1.8p1\", "
	    "\"1:20\", \"2024-01-01\"]",
	    "almost-numbers, sexagesimals and dates are strings");
	reads("[\"true\", 'null', \"123\", '', \"~\", '1.5']",
	    "[\"true\", \"null\", \"123\", \"\", \"~\", \"1.5\"]",
	    "quoted scalars are always strings");
	reads("a: |\n  123\nb: >-\n  true\nc: |-\n  null\n",
	    "{\"a\": \"123\\n\", \"b\": \"true\", \"c\": \"null\"}",
	    "block scalars are always strings");
	reads("a: |+\n  keep\n\n\nb: >\n  folded\n  lines\n\n  para\n"
	    "c: |2\n    indented\nd: 'it''s'\ne: \"\\t\\u263A\\x41\\0\"\n",
	    "{\"a\": \"keep\\n\\n\\n\", \"b\": \"folded lines\\npara\\n\", "
	    "\"c\": \"  indented\\n\", \"d\": \"it's\", "
	    "\"e\": \"\\t\\u263aA\\u0000\"}",
	    "block chomping, folding, indentation indicators and escapes "
	    "read as YAML says");
	reads("plain text, with words # and a comment",
	    "\"plain text, with words\"",
	    "a comment after a plain scalar is not part of it");
}

static void
test_tags(void)
{
	reads("[!!str 123, !!str true, !!str ~, !!str ]",
	    "[\"123\", \"true\", \"~\", \"\"]",
	    "!!str makes a string of anything");
	reads("[!!int \"42\", !!int '0x10', !!int 0o7, !!int -3]",
	    "[42, 16, 7, -3]", "!!int reads integers, also quoted");
	reads("[!!float 1, !!float \"2.5\", !!float 0x10, !!float 0o10, "
	    "!!float 1e2]", "[1.0, 2.5, 16.0, 8.0, 100.0]",
	    "!!float makes doubles, also of integers");
	reads("[!!bool \"true\", !!bool FALSE, !!null \"\", !!null ~, "
	    "!!null null]", "[true, false, null, null, null]",
	    "!!bool and !!null read their own spellings");
	reads("[! 12, ! true, !Ref foo, !!binary aGk=, !!timestamp "
	    "2001-12-14, !custom 5]",
	    "[\"12\", \"true\", \"foo\", \"aGk=\", \"2001-12-14\", \"5\"]",
	    "the non-specific tag and unknown tags on scalars give strings");
	reads("a: !custom {k: 1}\nb: !!seq [1]\nc: !other [x, 2]",
	    "{\"a\": {\"k\": 1}, \"b\": [1], \"c\": [\"x\", 2]}",
	    "unknown tags on mappings and sequences keep the node");
	reads("%TAG !e! tag:yaml.org,2002:\n---\n[!e!int \"7\"]", "[7]",
	    "tags spelled through a %TAG handle are honoured");
	refuses("x: !!int abc", 1, 4, "a !!int value must be an integer",
	    "!!int on a non-integer is refused where it is");
	refuses("x: !!int 1.5", 1, 4, "a !!int value must be an integer",
	    "!!int on a float is refused");
	refuses("- !!bool yes", 1, 3, "a !!bool value must be true or false",
	    "!!bool on yes is refused");
	refuses("\n\n   !!null x", 3, 4, "a !!null value must be null",
	    "!!null on text is refused");
	refuses("!!float abc", 1, 1, "a !!float value must be a number",
	    "!!float on text is refused");
	refuses("[!!float .inf]", 1, 2, ".inf cannot be represented in JSON",
	    "!!float .inf is refused");
}

static void
test_non_json_numbers(void)
{
	struct text big = { NULL, 0, 0 };
	int i;

	refuses("a: .inf", 1, 4, ".inf cannot be represented in JSON",
	    ".inf is refused at its line and column");
	refuses("a:\n  - -.Inf", 2, 5, "-.Inf cannot be represented in JSON",
	    "-.Inf is refused");
	refuses("[+.INF]", 1, 2, "+.INF cannot be represented", "+.INF is "
	    "refused");
	refuses("x: .nan", 1, 4, ".nan cannot be represented in JSON",
	    ".nan is refused");
	refuses("x: .NaN", 1, 4, ".NaN cannot be", ".NaN is refused");
	refuses("x: 1e400", 1, 4, "the number 1e400 is too large",
	    "a float beyond a double is refused");
	big.len = 0;
	text_puts(&big, "x: 1");
	for (i = 0; i < 400; i++)
		text_puts(&big, "0");
	refuses_bytes(big.data, big.len, 1, 4, "the number 1000",
	    "an integer beyond a double is refused");
	free(big.data);
	reads("[.infinity, inf, NaN, -inf, .in]",
	    "[\".infinity\", \"inf\", \"NaN\", \"-inf\", \".in\"]",
	    "other spellings of infinity and NaN are strings");
	reads("x: 1e-400", "{\"x\": 0.0}", "a float below a double's "
	    "smallest is zero");
}

static void
test_mappings(void)
{
	json_object *value = NULL;

	reads_in_order("b: 1\na: 2\nc: 3\nd:\n  z: 1\n  y: 2",
	    "{\"b\":1,\"a\":2,\"c\":3,\"d\":{\"z\":1,\"y\":2}}",
	    "keys keep their document order");
	reads_in_order("true: 1\n1: a\n~: x\n1.50: y\n'': e\n0x10: h",
	    "{\"true\":1,\"1\":\"a\",\"~\":\"x\",\"1.50\":\"y\",\"\":\"e\","
	    "\"0x10\":\"h\"}",
	    "scalar keys become their text as written");
	reads("? \n: n", "{\"\": \"n\"}", "an empty key is the empty string");
	reads("{a: 1, \"b c\": [x, y], 'd': {e: f}}",
	    "{\"a\": 1, \"b c\": [\"x\", \"y\"], \"d\": {\"e\": \"f\"}}",
	    "flow mappings read like block ones");
	reads("- a\n- - b\n  - c\n- [d, [e]]\n- {}\n- []",
	    "[\"a\", [\"b\", \"c\"], [\"d\", [\"e\"]], {}, []]",
	    "sequences become arrays, nested and empty");
	reads("[a: 1, b]", "[{\"a\": 1}, \"b\"]",
	    "a single pair in a flow sequence is a one-key object");
	refuses("a: 1\nb: 2\na: 3", 3, 1, "duplicate key \"a\"",
	    "a duplicate key is refused at the second one");
	{
		struct text doc = { NULL, 0, 0 }, want = { NULL, 0, 0 };
		int i;

		text_puts(&want, "duplicate key \"");
		for (i = 0; i < 80; i++)
			text_puts(&doc, i == 40 ? ": 1\n\xc3\xa9" : "\xc3\xa9");
		text_puts(&doc, ": 2\n");
		for (i = 0; i < 30; i++)
			text_puts(&want, "\xc3\xa9");
		text_puts(&want, "...\"");
		refuses(doc.data, 2, 1, want.data, "a long duplicate key is "
		    "shown cut at a character boundary");
		free(doc.data);
		free(want.data);
	}
	refuses("\"a\\tb\": 1\n\"a\\tb\": 2", 2, 1, "duplicate key \"a?b\"",
	    "control characters in a duplicate key are not shown");
	refuses("x:\n  k: 1\n  'k': 2", 3, 3, "duplicate key \"k\"",
	    "keys are compared by text, whatever their quoting");
	refuses("{a: 1, a: 1}", 1, 8, "duplicate key", "a duplicate key in "
	    "a flow mapping is refused");
	refuses("? [a, b]\n: 1", 1, 3, "a mapping key must be a scalar",
	    "a sequence as a key is refused");
	refuses("x:\n  {a: 1}: 2", 2, 3, "a mapping key must be a scalar",
	    "a mapping as a key is refused");
	refuses("s: &s [1]\n*s : 2", 2, 1, "a mapping key must be a scalar",
	    "an alias to a sequence as a key is refused");
	refuses("\"a\\0b\": 1", 1, 1, "a mapping key contains a NUL",
	    "a key with a NUL character is refused");
	ok(parse("x: \"c\\0d\"", &value) == 0 &&
	    json_object_get_string_len(json_object_object_get(value, "x"))
	    == 3, "a value keeps a NUL character");
	json_object_put(value);
}

static void
test_anchors(void)
{
	json_object *value = NULL;

	reads("a: &x 5\nb: *x\nc: &l [1, {k: v}]\nd: *l\ne: &m {p: q}\n"
	    "f: *m",
	    "{\"a\": 5, \"b\": 5, \"c\": [1, {\"k\": \"v\"}], "
	    "\"d\": [1, {\"k\": \"v\"}], \"e\": {\"p\": \"q\"}, "
	    "\"f\": {\"p\": \"q\"}}",
	    "aliases repeat scalars, sequences and mappings");
	ok(parse("a: &x [1]\nb: *x", &value) == 0 &&
	    json_object_object_get(value, "a") ==
	    json_object_object_get(value, "b"),
	    "an alias shares the anchored json_object");
	json_object_put(value);
	reads("x: &k name\n*k : 2\n&t true: 3\ny: *t",
	    "{\"x\": \"name\", \"name\": 2, \"true\": 3, \"y\": true}",
	    "an alias to a scalar works as a key, by its text");
	reads("a: &x 1\nb: &x 2\nc: *x", "{\"a\": 1, \"b\": 2, \"c\": 2}",
	    "a reused anchor name refers to the latest anchor");
	refuses("a: *nope", 1, 4, "the alias *nope has no anchor",
	    "an alias without an anchor is refused");
	refuses("a: *x\nb: &x 1", 1, 4, "the alias *x has no anchor",
	    "an alias before its anchor is refused");
	refuses("&a [1, *a]", 1, 8, "the alias *a is inside the node",
	    "an alias inside the node it refers to is refused");
	refuses("&m\nx:\n  y: *m", 3, 6, "the alias *m is inside",
	    "a recursive mapping is refused");
}

/* The classic: nine levels of nine aliases each, 387 million values. */
static void
test_billion_laughs(void)
{
	static const char lol[] =
	    "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
	    "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
	    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
	    "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
	    "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
	    "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
	    "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
	    "h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]\n"
	    "i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]\n";
	struct text t = { NULL, 0, 0 };
	json_object *value = NULL;
	int i;

	refuses(lol, 7, 8, "the document expands to more than 1000000",
	    "billion laughs is refused where it crosses the limit");

	/*
	 * Exactly at the limit: the root sequence (1), an anchored
	 * sequence of 999 scalars (1000), 998 aliases to it (998000) and
	 * 999 more scalars (999) make 1000000.
	 */
	text_puts(&t, "[&a [");
	for (i = 0; i < 999; i++)
		text_puts(&t, i == 0 ? "x" : ",x");
	text_puts(&t, "]");
	for (i = 0; i < 998; i++)
		text_puts(&t, ",*a");
	for (i = 0; i < 999; i++)
		text_puts(&t, ",x");
	text_puts(&t, "]");
	ok(parse_bytes(t.data, t.len, &value) == 0 &&
	    json_object_array_length(value) == 1998,
	    "a document of exactly 1000000 values is read");
	json_object_put(value);
	t.len--;
	text_puts(&t, ",x]");
	refuses_bytes(t.data, t.len, 1, (int)t.len - 1,
	    "the document expands to more than 1000000",
	    "one value more is refused");
	free(t.data);
}

static void
test_depth(void)
{
	struct text t = { NULL, 0, 0 };
	json_object *value = NULL;
	int i;

	for (i = 0; i < YAML_JSON_MAX_DEPTH; i++)
		text_puts(&t, "[");
	for (i = 0; i < YAML_JSON_MAX_DEPTH; i++)
		text_puts(&t, "]");
	ok(parse_bytes(t.data, t.len, &value) == 0 && value != NULL,
	    "256 nested sequences are read");
	json_object_put(value);
	t.len = 0;
	for (i = 0; i <= YAML_JSON_MAX_DEPTH; i++)
		text_puts(&t, "[");
	for (i = 0; i <= YAML_JSON_MAX_DEPTH; i++)
		text_puts(&t, "]");
	refuses_bytes(t.data, t.len, 1, 257, "mappings and sequences are "
	    "nested deeper than 256", "257 nested sequences are refused");

	/* Block mappings, one per line, 257 deep. */
	t.len = 0;
	for (i = 0; i <= YAML_JSON_MAX_DEPTH; i++) {
		text_add(&t, "                                            "
		    "                                                    "
		    "                                                    "
		    "                                                    "
		    "                                                    "
		    "                                                    "
		    "                                                    "
		    "                                                    "
		    "                                                    "
		    "                                                    ",
		    (size_t)i);
		text_puts(&t, "k:\n");
	}
	refuses_bytes(t.data, t.len, 257, 257, "mappings and sequences are "
	    "nested deeper", "257 nested block mappings are refused");

	/*
	 * Through an alias: a 199-deep anchored sequence (200 levels with
	 * the root's), used inside 56 more levels (256 in all) is read;
	 * inside 57 it is refused.
	 */
	t.len = 0;
	text_puts(&t, "- &deep ");
	for (i = 0; i < 199; i++)
		text_puts(&t, "[");
	for (i = 0; i < 199; i++)
		text_puts(&t, "]");
	text_puts(&t, "\n- ");
	for (i = 0; i < 56; i++)
		text_puts(&t, "[");
	text_puts(&t, "*deep");
	for (i = 0; i < 56; i++)
		text_puts(&t, "]");
	ok(parse_bytes(t.data, t.len, &value) == 0,
	    "an alias that reaches 256 levels is read");
	if (value == NULL)
		diag("%s", err.message);
	json_object_put(value);
	t.len = 0;
	text_puts(&t, "- &deep ");
	for (i = 0; i < 199; i++)
		text_puts(&t, "[");
	for (i = 0; i < 199; i++)
		text_puts(&t, "]");
	text_puts(&t, "\n- ");
	for (i = 0; i < 57; i++)
		text_puts(&t, "[");
	text_puts(&t, "*deep");
	for (i = 0; i < 57; i++)
		text_puts(&t, "]");
	refuses_bytes(t.data, t.len, 2, 60, "mappings and sequences are "
	    "nested deeper than 256 levels (through the alias *deep)",
	    "an alias that goes past 256 levels is refused");
	free(t.data);
}

static void
test_merge(void)
{
	reads_in_order("base: &b {x: 1, y: 2}\nd:\n  <<: *b\n  y: 3\n  z: 4",
	    "{\"base\":{\"x\":1,\"y\":2},\"d\":{\"x\":1,\"y\":3,\"z\":4}}",
	    "<< merges a mapping; own keys win; merged keys come first");
	reads_in_order("d:\n  y: 3\n  <<: {x: 1, y: 2}",
	    "{\"d\":{\"x\":1,\"y\":3}}",
	    "own keys win also when they come before <<");
	reads_in_order("a: &a {k: a, p: 1}\nb: &b {k: b, q: 2}\n"
	    "c:\n  <<: [*a, *b, {k: c, r: 3}]",
	    "{\"a\":{\"k\":\"a\",\"p\":1},\"b\":{\"k\":\"b\",\"q\":2},"
	    "\"c\":{\"k\":\"a\",\"p\":1,\"q\":2,\"r\":3}}",
	    "<< merges a sequence of mappings, earlier ones winning");
	reads("x: {'<<': {a: 1}, \"<<x\": 2}",
	    "{\"x\": {\"<<\": {\"a\": 1}, \"<<x\": 2}}",
	    "a quoted << is an ordinary key");
	reads("x: <<", "{\"x\": \"<<\"}", "<< as a value is a string");
	reads("x: {!!merge <<: {a: 1}}", "{\"x\": {\"a\": 1}}",
	    "!!merge << merges too");
	reads("x: &x {a: 1}\ny:\n  <<: *x\n  <<x: 1",
	    "{\"x\": {\"a\": 1}, \"y\": {\"a\": 1, \"<<x\": 1}}",
	    "keys that only start with << are ordinary");
	refuses("a:\n  <<: 1", 2, 7, "the merge key << takes a mapping",
	    "<< with a scalar is refused");
	refuses("a:\n  <<: [{b: 1}, 2]", 2, 7, "the merge key << takes a "
	    "mapping", "<< with a sequence holding a scalar is refused");
	refuses("a:\n  <<: {b: 1}\n  <<: {c: 2}", 3, 3, "duplicate key "
	    "\"<<\"", "a second << in one mapping is refused");
}

static void
test_streams(void)
{
	json_object *sentinel = json_object_new_object(), *value = sentinel;

	ok(parse_bytes("", 0, &value) == 0 && value == NULL,
	    "an empty stream is JSON null");
	value = sentinel;
	ok(parse_bytes(NULL, 0, &value) == 0 && value == NULL,
	    "no text at all is JSON null");
	json_object_put(sentinel);
	reads("# only a comment\n\n", "null", "a stream of comments is null");
	reads("---\n", "null", "an empty document is null");
	reads("--- a\n...\n", "\"a\"", "one document with markers is read");
	reads("\xef\xbb\xbf" "a: 1", "{\"a\": 1}",
	    "a UTF-8 byte-order mark is skipped");
	ok(parse_bytes("a: 12", 4, &value) == 0 &&
	    json_object_get_int(json_object_object_get(value, "a")) == 1,
	    "only len bytes are read: the text need not end with NUL");
	json_object_put(value);
	refuses("a: 1\n---\nb: 2\n", 2, 1, "multiple documents",
	    "a second document is refused where it starts");
	refuses("--- 1\n--- 2\n", 2, 1, "multiple documents",
	    "two explicit documents are refused");
	refuses("a\n...\n--- b\n", 3, 1, "multiple documents",
	    "a document after ... is refused");
}

static void
test_errors(void)
{
	json_object *value = NULL, *body;

	refuses("a:\n  b: c\n d: e", 3, 2, "did not find expected key",
	    "bad indentation is refused at line 3, column 2");
	refuses("a: \"open", 1, 9, "found unexpected end of stream",
	    "an unclosed quote is refused");
	refuses("a: [1, 2\n", 2, 1, "did not find expected ',' or ']'",
	    "an unclosed flow sequence is refused");
	refuses("a:\n\tb: 1", 2, 1, "found character that cannot start",
	    "a tab for indentation is refused");
	refuses("a: b: c", 1, 5, "mapping values are not allowed",
	    "a second ': ' on a line is refused");
	refuses("a: \xff", 1, 4, "invalid leading UTF-8 octet (#xFF)",
	    "invalid UTF-8 is refused at its byte");
	refuses("x: \xc3\xa9\xc3\xa9\ny: \xc3\xa9\xc3", 2, 5,
	    "incomplete UTF-8 octet sequence",
	    "a truncated UTF-8 sequence is refused, columns in characters");
	refuses("k: \xed\xa0\x80", 1, 4, "invalid Unicode character",
	    "a UTF-8 surrogate is refused");
	refuses_bytes("a: b\0c", 6, 1, 5, "control characters are not "
	    "allowed (#x0)", "a NUL byte is refused");
	refuses("\r\nx: \x01", 2, 4, "control characters are not allowed",
	    "a control character is refused, lines counted after CRLF");
	refuses("\xff\xfe" "a\0:\0", 1, 1, "invalid leading UTF-8 octet",
	    "UTF-16 is refused: the text must be UTF-8");

	/* The whole ErrorBody the API will answer with. */
	if (parse("a: 1\na: 2", &value) != 0 &&
	    (body = error_to_json(&err)) != NULL) {
		is_json("{\"code\": \"bad_request\", \"status\": 400, "
		    "\"message\": \"YAML parse error at line 2, column 1: "
		    "duplicate key \\\"a\\\"\", "
		    "\"details\": {\"line\": 2, \"column\": 1}}", body,
		    "the ErrorBody carries the position as details");
		json_object_put(body);
	} else {
		ok(false, "the ErrorBody carries the position as details");
	}
	parse("a:\n  b: c\n d: e", &value);
	is_string("Check the indentation and quoting from line 1, column 1 "
	    "(the error was found while parsing a block mapping that starts "
	    "there).", err.hint, "libyaml's context becomes the hint");
}

static void
test_openapi(void)
{
	reads(
	    "openapi: 3.0.3\n"
	    "info:\n"
	    "  title: Pet store\n"
	    "  version: \"1.0.0\"\n"
	    "  description: |\n"
	    "    A sample API.\n"
	    "    Second line.\n"
	    "servers:\n"
	    "  - url: https://api.example.com/v1\n"
	    "paths:\n"
	    "  /pets/{petId}:\n"
	    "    get:\n"
	    "      operationId: getPet\n"
	    "      parameters:\n"
	    "        - name: petId\n"
	    "          in: path\n"
	    "          required: true\n"
	    "          schema: {type: integer, format: int64, minimum: 1}\n"
	    "      responses:\n"
	    "        '200':\n"
	    "          description: A pet\n"
	    "          content:\n"
	    "            application/json:\n"
	    "              schema:\n"
	    "                $ref: '#/components/schemas/Pet'\n"
	    "        default: &error\n"
	    "          description: Error   # shared below\n"
	    "  /pets:\n"
	    "    post:\n"
	    "      requestBody: {$ref: '#/components/requestBodies/Pet'}\n"
	    "      responses:\n"
	    "        '201': {description: Created}\n"
	    "        default: *error\n"
	    "components:\n"
	    "  schemas:\n"
	    "    Base: &base\n"
	    "      type: object\n"
	    "      required: [id]\n"
	    "    Pet:\n"
	    "      <<: *base\n"
	    "      properties:\n"
	    "        id: {type: integer, example: 10}\n"
	    "        tag: {type: string, nullable: true, default: ~}\n"
	    "        weight: {type: number, maximum: 1.5e3, example: -0.25}\n",
	    "{\"openapi\": \"3.0.3\", \"info\": {\"title\": \"Pet store\", "
	    "\"version\": \"1.0.0\", \"description\": "
	    "\"A sample API.\\nSecond line.\\n\"}, "
	    "\"servers\": [{\"url\": \"https://api.example.com/v1\"}], "
	    "\"paths\": {\"/pets/{petId}\": {\"get\": {"
	    "\"operationId\": \"getPet\", \"parameters\": [{\"name\": "
	    "\"petId\", \"in\": \"path\", \"required\": true, \"schema\": "
	    "{\"type\": \"integer\", \"format\": \"int64\", \"minimum\": 1}}], "
	    "\"responses\": {\"200\": {\"description\": \"A pet\", "
	    "\"content\": {\"application/json\": {\"schema\": {\"$ref\": "
	    "\"#/components/schemas/Pet\"}}}}, \"default\": {\"description\": "
	    "\"Error\"}}}}, \"/pets\": {\"post\": {\"requestBody\": {\"$ref\": "
	    "\"#/components/requestBodies/Pet\"}, \"responses\": {\"201\": "
	    "{\"description\": \"Created\"}, \"default\": {\"description\": "
	    "\"Error\"}}}}}, \"components\": {\"schemas\": {\"Base\": "
	    "{\"type\": \"object\", \"required\": [\"id\"]}, \"Pet\": "
	    "{\"type\": \"object\", \"required\": [\"id\"], \"properties\": "
	    "{\"id\": {\"type\": \"integer\", \"example\": 10}, \"tag\": "
	    "{\"type\": \"string\", \"nullable\": true, \"default\": null}, "
	    "\"weight\": {\"type\": \"number\", \"maximum\": 1500.0, "
	    "\"example\": -0.25}}}}}}",
	    "an OpenAPI document with anchors and a merge key reads as JSON");
}

/* A Dify app export, as Dify writes it (PyYAML's style). */
static const char dify_dsl[] =
    "app:\n"
    "  description: ''\n"
    "  icon: \"\\U0001F916\"\n"
    "  icon_background: '#FFEAD5'\n"
    "  mode: workflow\n"
    "  name: Weather helper\n"
    "  use_icon_as_answer_icon: false\n"
    "kind: app\n"
    "version: 0.6.0\n"
    "workflow:\n"
    "  conversation_variables: []\n"
    "  environment_variables: []\n"
    "  features:\n"
    "    file_upload:\n"
    "      enabled: false\n"
    "    opening_statement: ''\n"
    "    suggested_questions: []\n"
    "  graph:\n"
    "    edges:\n"
    "    - data:\n"
    "        isInIteration: false\n"
    "        sourceType: start\n"
    "        targetType: llm\n"
    "      id: 1733-source-1734-target\n"
    "      source: '1733'\n"
    "      target: '1734'\n"
    "      type: custom\n"
    "      zIndex: 0\n"
    "    nodes:\n"
    "    - data:\n"
    "        desc: ''\n"
    "        title: Start\n"
    "        type: start\n"
    "        variables:\n"
    "        - label: City\n"
    "          max_length: 48\n"
    "          options: []\n"
    "          required: true\n"
    "          type: text-input\n"
    "          variable: city\n"
    "      height: 90\n"
    "      id: '1733'\n"
    "      position:\n"
    "        x: 80\n"
    "        y: 282\n"
    "    - data:\n"
    "        model:\n"
    "          completion_params:\n"
    "            temperature: 0.7\n"
    "          mode: chat\n"
    "          name: gpt-4o-mini\n"
    "          provider: openai\n"
    "        prompt_template:\n"
    "        - id: 5f3c\n"
    "          role: system\n"
    "          text: 'You are a weather assistant.\n"
    "\n"
    "            Answer briefly.'\n"
    "        - role: user\n"
    "          text: |-\n"
    "            What is the weather in {{#1733.city#}}?\n"
    "            Use \xc2\xb0" "C.\n"
    "        title: LLM\n"
    "        type: llm\n"
    "      id: '1734'\n"
    "      position:\n"
    "        x: 380\n"
    "        y: 282\n"
    "    viewport:\n"
    "      x: 0\n"
    "      y: 0\n"
    "      zoom: 1\n";

static void
test_dify(void)
{
	json_object *value = NULL;

	reads(dify_dsl,
	    "{\"app\": {\"description\": \"\", \"icon\": \"\\ud83e\\udd16\", "
	    "\"icon_background\": \"#FFEAD5\", \"mode\": \"workflow\", "
	    "\"name\": \"Weather helper\", \"use_icon_as_answer_icon\": false}, "
	    "\"kind\": \"app\", \"version\": \"0.6.0\", \"workflow\": {"
	    "\"conversation_variables\": [], \"environment_variables\": [], "
	    "\"features\": {\"file_upload\": {\"enabled\": false}, "
	    "\"opening_statement\": \"\", \"suggested_questions\": []}, "
	    "\"graph\": {\"edges\": [{\"data\": {\"isInIteration\": false, "
	    "\"sourceType\": \"start\", \"targetType\": \"llm\"}, "
	    "\"id\": \"1733-source-1734-target\", \"source\": \"1733\", "
	    "\"target\": \"1734\", \"type\": \"custom\", \"zIndex\": 0}], "
	    "\"nodes\": [{\"data\": {\"desc\": \"\", \"title\": \"Start\", "
	    "\"type\": \"start\", \"variables\": [{\"label\": \"City\", "
	    "\"max_length\": 48, \"options\": [], \"required\": true, "
	    "\"type\": \"text-input\", \"variable\": \"city\"}]}, "
	    "\"height\": 90, \"id\": \"1733\", \"position\": {\"x\": 80, "
	    "\"y\": 282}}, {\"data\": {\"model\": {\"completion_params\": "
	    "{\"temperature\": 0.7}, \"mode\": \"chat\", \"name\": "
	    "\"gpt-4o-mini\", \"provider\": \"openai\"}, \"prompt_template\": "
	    "[{\"id\": \"5f3c\", \"role\": \"system\", \"text\": "
	    "\"You are a weather assistant.\\nAnswer briefly.\"}, "
	    "{\"role\": \"user\", \"text\": \"What is the weather in "
	    "{{#1733.city#}}?\\nUse \\u00b0C.\"}], \"title\": \"LLM\", "
	    "\"type\": \"llm\"}, \"id\": \"1734\", \"position\": {\"x\": 380, "
	    "\"y\": 282}}], \"viewport\": {\"x\": 0, \"y\": 0, \"zoom\": 1}}}}",
	    "a Dify app DSL reads as JSON (version 0.6.0 stays a string)");
	if (parse(dify_dsl, &value) != 0)
		bail("the Dify DSL does not read: %s", err.message);
	ok(survives(value, true), "the Dify DSL survives writing and reading");
	json_object_put(value);
}

static void
test_writing(void)
{
	json_object *value, *shared, *deep, *inner;
	int i;

	writes("null", "null\n", "null is written as null");
	writes("{}", "{}\n", "an empty object is {}");
	writes("[]", "[]\n", "an empty array is []");
	writes("{\"z\": 1, \"a\": [true, false, null], \"m\": {}, \"e\": []}",
	    "z: 1\na:\n- true\n- false\n- null\nm: {}\ne: []\n",
	    "objects and arrays are blocks, keys in json-c's order");
	writes("{\"a\": {\"b\": {\"c\": [1, [2, {\"d\": 3}]]}}}",
	    "a:\n  b:\n    c:\n    - 1\n    - - 2\n      - d: 3\n",
	    "nesting is indented by two");
	writes("[9223372036854775807, -9223372036854775808, "
	    "18446744073709551615, 0, -1]",
	    "- 9223372036854775807\n- -9223372036854775808\n"
	    "- 18446744073709551615\n- 0\n- -1\n",
	    "integers are written as integers, uint64 included");
	writes("[1.0, 0.1, -0.0, 1e20, 1e-7, 1000.5, 5e-324, "
	    "1.7976931348623157e308, 0.0001, 1e16, 1e17, 123456.789]",
	    "- 1.0\n- 0.1\n- -0.0\n- 1.0e+20\n- 1.0e-07\n- 1000.5\n"
	    "- 5.0e-324\n- 1.7976931348623157e+308\n- 0.0001\n"
	    "- 10000000000000000.0\n- 1.0e+17\n- 123456.789\n",
	    "doubles are short, exact and always look like floats");
	writes("[\"\", \"true\", \"yes\", \"No\", \"null\", \"~\", \"123\", "
	    "\"0123\", \"-1\", \"1e3\", \".5\", \".inf\", \"0x1F\", \"1:20\", "
	    "\"2024-01-01\", \"<<\", \"=\", \"y\"]",
	    "- ''\n- 'true'\n- 'yes'\n- 'No'\n- 'null'\n- '~'\n- '123'\n"
	    "- '0123'\n- '-1'\n- '1e3'\n- '.5'\n- '.inf'\n- '0x1F'\n"
	    "- '1:20'\n- '2024-01-01'\n- '<<'\n- '='\n- 'y'\n",
	    "strings that would read as something else are quoted");
	writes("[\" lead\", \"trail \", \"a: b\", \"a #b\", \"- x\", \"-\", "
	    "\"#x\", \"[x\", \"{x\", \"&a\", \"*a\", \"!t\", \"|\", \">\", "
	    "\"%x\", \"@x\", \"`x\", \"'q\", \"\\\"q\", \"? x\", \"---\", "
	    "\"x: \"]",
	    "- ' lead'\n- 'trail '\n- 'a: b'\n- 'a #b'\n- '- x'\n- '-'\n"
	    "- '#x'\n- '[x'\n- '{x'\n- '&a'\n- '*a'\n- '!t'\n- '|'\n- '>'\n"
	    "- '%x'\n- '@x'\n- '`x'\n- '''q'\n- '\"q'\n- '? x'\n- '---'\n"
	    "- 'x: '\n",
	    "strings YAML's syntax would misread are quoted");
	writes("[\"plain\", \"two words\", \"a:b\", \"a#b\", \"-x\", "
	    "\"https://x.io/a?b=c#d\", \"caf\\u00e9\", \"x, y\"]",
	    "- plain\n- two words\n- a:b\n- a#b\n- -x\n"
	    "- https://x.io/a?b=c#d\n- café\n- x, y\n",
	    "other strings are written plain, non-ASCII as is");
	writes("{\"a\": \"one\\ntwo\", \"b\": \"one\\ntwo\\n\", "
	    "\"c\": \"one\\n\\n\", \"d\": \"  lead\\nx\"}",
	    "a: |-\n  one\n  two\nb: |\n  one\n  two\nc: |+\n  one\n\n"
	    "d: |2-\n    lead\n  x\n",
	    "multi-line strings are literal blocks with the right chomping");
	writes("[\"tab\\there\", \"cr\\r\\nlf\", \"a  \\nb\", \"nul\\u0000\", "
	    "\"bell\\u0007\", \"ls\\u2028x\", \"nel\\u0085\", \"\\ufeff\"]",
	    "- \"tab\\there\"\n- \"cr\\r\\nlf\"\n- \"a  \\nb\"\n"
	    "- \"nul\\0\"\n- \"bell\\a\"\n- \"ls\\Lx\"\n- \"nel\\N\"\n"
	    "- \"\\uFEFF\"\n",
	    "control characters and odd line breaks are double-quoted");
	writes("{\"two\\nlines\": 1, \"true\": 2, \"\": 3}",
	    "? |-\n  two\n  lines\n: 1\n'true': 2\n'': 3\n",
	    "keys are quoted by the same rules");
	writes("\"a\\nb\"", "|-\n  a\n  b\n", "a multi-line document root is "
	    "a literal block");

	shared = json("{\"k\": 1}");
	value = json_object_new_array();
	json_object_array_add(value, json_object_get(shared));
	json_object_array_add(value, shared);
	{
		char *out = NULL;
		size_t len;

		error_clear(&err);
		if (yaml_emit_json(value, &out, &len, &err) == 0)
			is_string("- k: 1\n- k: 1\n", out,
			    "a shared value is written twice, without anchors");
		else
			ok(false, "a shared value is written twice, without "
			    "anchors");
		free(out);
	}
	json_object_put(value);

	write_refused(json_object_new_double(NAN), "NaN cannot be written");
	write_refused(json_object_new_double(-INFINITY),
	    "infinity cannot be written");
	write_refused(json_object_new_string("bad \xff byte"),
	    "a string that is not UTF-8 cannot be written");
	write_refused(json_object_new_string("\xed\xa0\x80"),
	    "an encoded surrogate cannot be written");
	write_refused(json_object_new_string("\xf4\x90\x80\x80"),
	    "a code point above U+10FFFF cannot be written");
	write_refused(json_object_new_string("\xc0\xaf"),
	    "an overlong encoding cannot be written");
	value = json_object_new_object();
	json_object_object_add(value, "k\xfe", json_object_new_int(1));
	write_refused(value, "a key that is not UTF-8 cannot be written");

	deep = inner = json_object_new_array();
	for (i = 1; i < YAML_JSON_MAX_DEPTH; i++) {
		value = json_object_new_array();
		json_object_array_add(inner, value);
		inner = value;
	}
	ok(survives(deep, true), "256 nested arrays are written and read");
	value = json_object_new_array();
	json_object_array_add(value, deep);
	write_refused(value, "257 nested arrays cannot be written");
}

static void
test_round_trips(void)
{
	static const char *const values[] = {
		"null", "true", "false", "0", "-0.0", "\"\"", "\"x\"",
		"\"\\n\"", "\"\\n\\n\"", "\" \\n\"", "\"\\n \"", "\"a\\n \"",
		"\"---\\n...\"", "\"a\\n---\\nb\\n\"", "\"\\u0000\"",
		"\"\\ud83d\\ude00 emoji\"", "\"\\u00a0lead\"", "\"trail\\u00a0\"",
		"[\"\\t\", \"\\r\", \"\\u0085\", \"\\u2029\", \"\\u001b\"]",
		"{\"\": \"\", \" \": \" \", \"a\\nb\": [\"c\\nd\\n\"]}",
		"[[[]], [{}], {\"a\": [[{\"b\": {}}]]}]",
		"{\"long\": \"" "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		    " with spaces                                     between"
		    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}",
		"{\"" "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"
		    "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"
		    "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\": "
		    "{\"a long key\": \"is written as ? key\"}}",
		"[9223372036854775807, -9223372036854775808, "
		    "18446744073709551615, 9223372036854775808]",
		"[0.1, 1e300, -1e-300, 2.2250738585072014e-308, 4.9e-324, "
		    "123456789012345678.0, 0.30000000000000004]",
		"{\"\\u65e5\\u672c\": \"\\u8a9e\", \"\\u00e9\\n\": "
		    "\"\\u00e9\\n\\u00e9\"}",
	};
	uint64_t state = 0x9e3779b97f4a7c15ULL;
	json_object *value;
	char buf[8];
	size_t i, failed;
	unsigned c;
	double d;

	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++)
		round_trip(values[i]);

	/* Every ASCII character, alone and in every position. */
	failed = 0;
	for (c = 1; c < 0x80; c++) {
		static const char *const frames[] = { "%c", "a%c", "%ca",
		    "a%cb", "%c ", " %c", "%c\n", "\n%c", "a %c b", "%c%c" };
		size_t f;

		for (f = 0; f < sizeof(frames) / sizeof(frames[0]); f++) {
			snprintf(buf, sizeof(buf), frames[f], c, c);
			value = json_object_new_object();
			json_object_object_add(value, buf,
			    json_object_new_string(buf));
			if (!survives(value, failed < 5))
				failed++;
			json_object_put(value);
		}
	}
	is_int(0, (long long)failed, "every ASCII character survives as a "
	    "key and as a value, wherever it is in the string");

	/* Doubles from random bits. */
	failed = 0;
	for (i = 0; i < 20000; i++) {
		value = json_object_new_double(random_double(&state));
		d = json_object_get_double(value);
		if (!survives(value, failed < 5)) {
			diag("%.17g", d);
			failed++;
		}
		json_object_put(value);
	}
	is_int(0, (long long)failed, "20000 random doubles survive bit for "
	    "bit");

	/* Random values made of YAML's traps. */
	failed = 0;
	for (i = 0; i < 3000; i++) {
		value = random_value(&state, 4);
		if (!survives(value, failed < 5))
			failed++;
		json_object_put(value);
	}
	is_int(0, (long long)failed, "3000 random nested values survive, "
	    "types and key order included");
}

int
main(void)
{
	plan(163);

	test_scalars();
	test_tags();
	test_non_json_numbers();
	test_mappings();
	test_anchors();
	test_billion_laughs();
	test_depth();
	test_merge();
	test_streams();
	test_errors();
	test_openapi();
	test_dify();
	test_writing();
	test_round_trips();

	error_clear(&err);
	return 0;
}

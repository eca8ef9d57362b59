/*
 * fuzz-yaml.c: libFuzzer harness for lib/yaml.c, which reads YAML that
 * users upload (OpenAPI documents, Dify app DSL).  Each input is read as
 * YAML; when that succeeds the value is written back out and read again,
 * and the two values must be the same (types, key order and the sign of
 * zero included), and writing the second must give the same text.  When
 * the input is also JSON (json-c), that value must survive the same
 * round trip, which drives the writer with values the YAML reader would
 * not make.  A failure must come with a proper error.  Any broken
 * promise aborts.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "yaml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Stop the run, saying which promise broke. */
static void
broken(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz-yaml: %s%s%s\n", what,
	    detail != NULL ? ": " : "", detail != NULL ? detail : "");
	abort();
}

/*
 * Are a and b the same JSON value: same types (int64/uint64 as json-c
 * compares them), same doubles bit for bit, same strings byte for byte,
 * same keys in the same order?
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

/* A failed read must say why, and where when the text is at fault. */
static void
check_error(const struct error *err)
{
	json_object *line, *column;

	if (err->message[0] == '\0')
		broken("an error without a message", NULL);
	if (err->code == ERR_INTERNAL)
		return;
	if (err->code != ERR_BAD_REQUEST)
		broken("an error that is neither 400 nor 500", err->message);
	if (strncmp(err->message, "YAML parse error at line ", 25) != 0)
		broken("a message without its position", err->message);
	if (!json_object_object_get_ex(err->details, "line", &line) ||
	    !json_object_object_get_ex(err->details, "column", &column) ||
	    json_object_get_int64(line) < 1 ||
	    json_object_get_int64(column) < 1)
		broken("details without line and column", err->message);
}

/* Write value, read it back and compare; abort on any difference. */
static void
round_trip(json_object *value, bool must_write)
{
	struct error err = { 0 };
	json_object *back = NULL;
	char *text = NULL, *again = NULL;
	size_t len, again_len;

	if (yaml_emit_json(value, &text, &len, &err) != 0) {
		/* json-c's strings may be invalid UTF-8; the reader's not. */
		if (must_write)
			broken("a value read from YAML cannot be written",
			    err.message);
		goto out;
	}
	if (strlen(text) != len)
		broken("the written length is wrong", text);
	if (yaml_parse_json(text, len, &back, &err) != 0) {
		fprintf(stderr, "%s\n", text);
		broken("written YAML does not read back", err.message);
	}
	if (!same(value, back)) {
		fprintf(stderr, "%s\n---\n%s\n", text,
		    json_object_to_json_string(back));
		broken("written YAML reads back as another value", NULL);
	}
	if (yaml_emit_json(back, &again, &again_len, &err) != 0)
		broken("a value read back cannot be written", err.message);
	if (again_len != len || memcmp(again, text, len) != 0)
		broken("writing the same value twice gives different text",
		    again);
out:
	error_clear(&err);
	json_object_put(back);
	free(text);
	free(again);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct error err = { 0 };
	struct json_tokener *tok;
	json_object *value = NULL;

	if (yaml_parse_json((const char *)data, size, &value, &err) == 0) {
		if (err.code != ERR_NONE)
			broken("success with an error set", err.message);
		round_trip(value, true);
	} else {
		if (value != NULL)
			broken("a failure that returns a value", NULL);
		check_error(&err);
	}
	json_object_put(value);
	error_clear(&err);

	if (size < 1 << 16 && (tok = json_tokener_new()) != NULL) {
		value = json_tokener_parse_ex(tok, (const char *)data,
		    (int)size);
		if (value != NULL &&
		    json_tokener_get_error(tok) == json_tokener_success)
			round_trip(value, false);
		json_object_put(value);
		json_tokener_free(tok);
	}
	return 0;
}

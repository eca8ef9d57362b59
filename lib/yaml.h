/*
 * yaml.h: YAML to JSON and back, on top of libyaml.  drio reads OpenAPI
 * documents written in YAML and Dify's app DSL (YAML), and writes that
 * DSL back out; both directions go through json-c values so the rest of
 * drio only ever handles JSON.
 *
 * Reading follows the YAML 1.2 core schema, as OpenAPI and Dify files use
 * it.  A plain (unquoted) scalar is
 *   - null:    null, Null, NULL, ~ or nothing at all;
 *   - boolean: true, True, TRUE, false, False, FALSE (and nothing else:
 *              yes, no, on, off, y and n are strings);
 *   - integer: [-+]?[0-9]+ (decimal, leading zeros allowed: 0123 is 123),
 *              0o[0-7]+ (octal) or 0x[0-9a-fA-F]+ (hex; as in the core
 *              schema, octal and hex take no sign, so -0x1 is a string).
 *              A value that fits int64 becomes an int64; a larger
 *              positive one that fits uint64 becomes json-c's uint64
 *              (as json-c's own parser does); anything bigger becomes the
 *              nearest double;
 *   - float:   [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?, as a
 *              double.  JSON has no infinity and no NaN, so .inf, -.inf,
 *              .nan (any case form) and a number too large for a double
 *              (1e400) are refused with an error at their line and column
 *              rather than changed into something else;
 *   - a string otherwise.
 * Quoted scalars ('...', "...") and block scalars (| and >) are always
 * strings.  The explicit tags !!str, !!null, !!bool, !!int and !!float
 * are honoured, also on quoted scalars (!!int "12" is 12), and a value
 * that is not of the tag's type is an error (!!bool yes); the
 * non-specific tag ! makes a string.  Any other tag (!Ref, !!binary,
 * !!timestamp, ...) is ignored: a tagged scalar is its text as a string,
 * a tagged mapping or sequence stays one.
 *
 * A mapping becomes an object and a sequence an array, keys in document
 * order.  A key must be a scalar, and it becomes its text as written
 * (true: 1 gives {"true": 1}, 1.0: x gives {"1.0": "x"}, an empty key
 * gives ""); a mapping or sequence as a key, a key containing a NUL
 * character (json-c keys are C strings) and a key given twice are errors.
 * The merge key << takes a mapping or a sequence of mappings and merges
 * their keys in: the mapping's own keys win over merged ones, and earlier
 * mappings in the sequence over later ones.  Merged keys come first, in
 * the order of the merged mappings, then the mapping's own (the order
 * PyYAML gives).  A second << in one mapping is a duplicate key.
 *
 * Anchors and aliases are supported.  An alias shares the anchored node:
 * the same json_object is referenced from each place (json-c counts the
 * references), so a caller that modifies a node of the result in place
 * must json_object_deep_copy() it first.  An alias to a node that
 * contains it (&a [*a]) and an alias to an anchor not defined before it
 * are errors.  Against "billion laughs" documents, every JSON node the
 * result holds is counted as if aliases were expanded (an object or array
 * counts 1, each of its keys 1, each scalar 1); a document over
 * YAML_JSON_MAX_NODES is refused, as is one nested deeper than
 * YAML_JSON_MAX_DEPTH mappings and sequences (also counting through
 * aliases), since json-c frees and prints values recursively.
 *
 * The input must be UTF-8 (a UTF-8 byte-order mark is skipped); invalid
 * UTF-8 and control characters other than tab, LF and CR are refused.
 * Its length is not limited here: callers cap what they accept, as they
 * do for request bodies.  An empty stream (nothing, or only comments) is
 * JSON null; a stream of more than one document is refused ("multiple
 * documents").
 *
 * Every failure to read is ERR_BAD_REQUEST (not ERR_VALIDATION: the text
 * is malformed, no field failed a rule) with the message
 *
 *     YAML parse error at line 12, column 3: did not find expected key
 *
 * (1-based line and column, the column counted in characters) and
 * err->details set to the JSON object {"line": 12, "column": 3}, so an
 * API caller can point at the place; details is an object here, not the
 * {loc, msg, type} array of validation errors, because the position is
 * one place in a document, not a list of request fields (error_to_json
 * renders it as "details": {"line": 12, "column": 3}).  Running out of
 * memory is ERR_INTERNAL without details.
 *
 * Writing produces one YAML document in block style: objects and arrays
 * as indented blocks (empty ones as {} and []), keys in the order json-c
 * holds them, no anchors (a json_object referenced twice is written
 * twice), no line wrapping.  null, true, false and integers are written
 * plain; doubles are written with the fewest digits that read back as
 * the same double and always look like floats (1.0, 1.5e+300: a dot, and
 * a signed exponent, so YAML 1.1 readers such as PyYAML, which Dify uses,
 * also read a float).  A string is written plain only when it would read
 * back as the same string both here and under YAML 1.1 (so "true", "yes",
 * "null", "", "123", "0123", "1e3", "1:20", "2024-01-01", "<<", " x",
 * "a: b", "a #b", "-", "[x" and the like are quoted); a string with line
 * breaks is a literal block scalar (|, |-, |+ as its trailing newlines
 * need) when that reads back identically, otherwise double-quoted with
 * escapes, which is also what carries control characters.  (libyaml's
 * emitter does not count characters above U+FFFF, such as emoji, as
 * printable, so a string holding one is double-quoted with \U escapes;
 * it still reads back the same.)
 *
 * The promise, tested and fuzzed: for every JSON value within the limits
 * above, yaml_parse_json(yaml_emit_json(v)) equals v, types and key
 * order included.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef DRIO_YAML_H
#define DRIO_YAML_H

#include <stddef.h>

#include <json-c/json.h>

#include "error.h"

/* The most JSON nodes a parsed document may hold, aliases expanded. */
#define YAML_JSON_MAX_NODES 1000000

/* The deepest nesting of mappings and sequences read or written. */
#define YAML_JSON_MAX_DEPTH 256

/*
 * Parse one YAML document of len bytes at text (which need not be
 * NUL-terminated) into JSON, by the rules above.  On success *out is a
 * new value owned by the caller (release it with json_object_put), or
 * NULL when the document is JSON null, which includes an empty stream.
 * Returns 0 on success, or -1 with *out NULL and err set:
 * ERR_BAD_REQUEST with the line and column in the message and in
 * err->details as {"line": n, "column": m} when the text is not
 * acceptable, ERR_INTERNAL when memory is exhausted.
 */
int yaml_parse_json(const char *text, size_t len, json_object **out,
    struct error *err);

/*
 * Write value (NULL is JSON null; borrowed, not modified) as one YAML
 * document in block style, by the rules above.  On success *out is
 * malloc'd, NUL-terminated text the caller frees with free(), and
 * *out_len its length without the NUL.  Returns 0 on success, or -1 with
 * *out NULL and err set: ERR_BAD_REQUEST when value cannot be written
 * as YAML that reads back the same (a double that is infinite or NaN, a
 * string or key that is not valid UTF-8, nesting deeper than
 * YAML_JSON_MAX_DEPTH), ERR_INTERNAL when memory is exhausted.
 */
int yaml_emit_json(json_object *value, char **out, size_t *out_len,
    struct error *err);

#endif

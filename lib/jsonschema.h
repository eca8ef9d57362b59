/*
 * jsonschema.h: checking a tool call's arguments against the tool's input
 * schema, before anything is sent upstream.
 *
 * The schema is read as JSON Schema 2020-12, the dialect MCP assumes when
 * a schema names none ("$schema" is not looked at), and leniently enough
 * that OpenAPI 3.0's dialect works too: "nullable": true admits null, and
 * a boolean "exclusiveMinimum"/"exclusiveMaximum" makes "minimum" /
 * "maximum" exclusive.  Older drafts' array form of "items" is read as
 * 2020-12's "prefixItems".
 *
 * Keywords checked: type, enum, const, minimum, maximum, exclusiveMinimum,
 * exclusiveMaximum, minLength, maxLength (in code points), pattern,
 * items, prefixItems, minItems, maxItems, required, properties,
 * patternProperties, additionalProperties, allOf, anyOf, oneOf, not, and
 * $ref to the same schema ("#" or "#/a/JSON/pointer", as $defs,
 * definitions or components copies use).  Boolean schemas (true, false)
 * are understood anywhere below the root.
 *
 * Everything else is ignored, never a reason to refuse: other keywords
 * (format, multipleOf, uniqueItems, if/then/else, dependentRequired,
 * min/maxProperties, ...), a $ref that leaves the schema or does not
 * resolve, a $ref cycle that makes no progress through the arguments,
 * and a pattern that cannot be turned into a POSIX extended regular
 * expression (lookaround, backreferences, \b, \p{...}, ranges of
 * characters outside ASCII, ...) or would be too costly to compile.
 * drio only refuses what it can show to be wrong; the upstream checks
 * the rest.
 *
 * Patterns are ECMA-262 in JSON Schema.  They are translated into POSIX
 * extended syntax and run with regcomp(REG_EXTENDED | REG_NOSUB) in the
 * C locale: \d \w \s and their negations become bracket expressions,
 * (?: becomes (, lazy quantifiers become greedy ones (which match the
 * same strings), and '.', negated classes and characters outside ASCII
 * are spelled out as UTF-8 bytes so that each takes one whole character,
 * as in ECMA.  \s takes ASCII white space only.  glibc runs a wide
 * count such as {1,255} in time that grows with its width, so a range
 * {n,m} wider than 8 is run as {n,}; when the pattern is anchored at
 * both ends ("^...$"), the longest string it can match is still
 * enforced, without running it, so "^[a-z]{1,255}$" keeps its meaning.
 * Each distinct pattern is compiled once per check (roughly 10 to 20
 * microseconds for a typical one) and freed at its end.
 *
 * The check is pure: no I/O, no global state (the locale is switched for
 * the calling thread only, around each regcomp/regexec, and restored).
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef DRIO_JSONSCHEMA_H
#define DRIO_JSONSCHEMA_H

#include <json-c/json.h>

#include "error.h"

/* Nesting of schemas (and $refs) followed; deeper is refused. */
#define JSONSCHEMA_DEPTH_MAX   64

/* Problems listed in an error's details; the check stops at the next. */
#define JSONSCHEMA_DETAILS_MAX 20

/*
 * Schemas visited in one check: a schema whose combinators and $refs fan
 * out (allOf of two $refs to a schema that does the same, ...) is
 * refused when it needs more, instead of running for ever.
 */
#define JSONSCHEMA_STEPS_MAX   (1L << 20)

/*
 * Check instance, a tool call's arguments (json-c's NULL is JSON null;
 * the caller passes {} when the call has no arguments), against schema,
 * the tool's inputSchema.  Both are borrowed and left as they are.  A
 * NULL schema, or one that is not a JSON object, accepts everything.
 *
 * Returns 0 when the arguments are valid, leaving err alone.  Returns -1
 * otherwise, with err set:
 *   - ERR_VALIDATION: message is one line naming the first problem found
 *     ("arguments.limit must be at most 100", with "(and 2 more
 *     problems)" when there are more), and details holds one
 *     {loc: ["arguments", path], msg, type} per problem, at most
 *     JSONSCHEMA_DETAILS_MAX of them.  path is the place in the
 *     arguments ("limit", "rows[2].name", "[\"odd key\"]"; absent for the
 *     arguments as a whole); msg is the problem's own one-line message;
 *     type is the keyword that failed ("type", "required", "maximum",
 *     "additionalProperties", "anyOf", ...), or "depth" when schemas nest
 *     more than JSONSCHEMA_DEPTH_MAX deep and "complexity" when the check
 *     needs more than JSONSCHEMA_STEPS_MAX steps.
 *   - ERR_INTERNAL: memory ran out.
 * Messages quote the schema's bounds, enums and patterns and the
 * arguments' property names, never the values of the arguments.
 */
int jsonschema_check(json_object *schema, json_object *instance,
    struct error *err);

#endif

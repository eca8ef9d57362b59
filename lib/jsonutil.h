/*
 * jsonutil.h: the few json-c idioms every responder repeats: strings that
 * may be NULL, values read back from jsonb columns, and typed lookups
 * that do not guess (json-c's getters convert between types; these do
 * not).
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef DRIO_JSONUTIL_H
#define DRIO_JSONUTIL_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

/* The deepest nesting drio parses anywhere. */
#define JSONUTIL_MAX_DEPTH 128

/* Add key: value as a JSON string, or null when value is NULL. */
void json_put_string(json_object *obj, const char *key, const char *value);

/* Add key: value as a JSON integer.  Can't fail (json-c aborts on OOM). */
void json_put_int(json_object *obj, const char *key, long long value);

/* Add key: value as a JSON boolean. */
void json_put_bool(json_object *obj, const char *key, bool value);

/*
 * Parse text PostgreSQL returned for a json or jsonb column.  Returns a
 * new value, or NULL when text is NULL (SQL NULL) or, which would be a
 * bug, not JSON.
 */
json_object *json_from_db(const char *text);

/*
 * Parse len bytes of text (from elsewhere: an answer, a body) as exactly
 * one JSON value nested at most depth deep, with nothing but JSON blanks
 * (space, tab, CR, LF) after it.  Returns a new value, or NULL when text
 * is not that or memory is exhausted.
 */
json_object *json_parse_exact(const char *text, size_t len, int depth);

/* Add key: the JSON parsed from a jsonb column's text (null when NULL). */
void json_put_db(json_object *obj, const char *key, const char *text);

/* The compact text of value, owned by value.  "null" for NULL. */
const char *json_text(json_object *value);

/* Member key of obj when it is a string, else NULL.  Can't fail. */
const char *json_get_string(json_object *obj, const char *key);

/* Member key of obj when it is an object, else NULL. */
json_object *json_get_object(json_object *obj, const char *key);

/* Member key of obj when it is an array, else NULL. */
json_object *json_get_array(json_object *obj, const char *key);

/* Is member key of obj the boolean true?  Can't fail. */
bool json_get_true(json_object *obj, const char *key);

/*
 * Wipe the string members of secret (an object of secret values), then
 * release it.  Accepts NULL.
 */
void json_secret_free(json_object *secret);

#endif

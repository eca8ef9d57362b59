/*
 * jsonutil.c: small json-c helpers (see jsonutil.h).
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdint.h>
#include <string.h>

#include "jsonutil.h"

void
json_put_string(json_object *obj, const char *key, const char *value)
{
	json_object_object_add(obj, key,
	    value != NULL ? json_object_new_string(value) : NULL);
}

void
json_put_int(json_object *obj, const char *key, long long value)
{
	json_object_object_add(obj, key, json_object_new_int64(value));
}

void
json_put_bool(json_object *obj, const char *key, bool value)
{
	json_object_object_add(obj, key, json_object_new_boolean(value));
}

json_object *
json_from_db(const char *text)
{
	struct json_tokener *tok;
	json_object *value;

	if (text == NULL)
		return NULL;
	/* jsonb nests as deep as the schemas stored in it. */
	tok = json_tokener_new_ex(JSONUTIL_MAX_DEPTH);
	if (tok == NULL)
		return NULL;
	value = json_tokener_parse_ex(tok, text, -1);
	json_tokener_free(tok);
	return value;
}

json_object *
json_parse_exact(const char *text, size_t len, int depth)
{
	struct json_tokener *tok;
	json_object *value;
	size_t end;

	if (text == NULL || len > (size_t)INT32_MAX ||
	    (tok = json_tokener_new_ex(depth)) == NULL)
		return NULL;
	value = json_tokener_parse_ex(tok, text, (int)len);
	if (value != NULL) {
		end = 0;
		if (json_tokener_get_error(tok) == json_tokener_success)
			for (end = json_tokener_get_parse_end(tok); end < len &&
			    (text[end] == ' ' || text[end] == '\t' ||
			    text[end] == '\r' || text[end] == '\n'); end++)
				continue;
		if (end != len) {
			json_object_put(value);
			value = NULL;
		}
	}
	json_tokener_free(tok);
	return value;
}

void
json_put_db(json_object *obj, const char *key, const char *text)
{
	json_object_object_add(obj, key, json_from_db(text));
}

const char *
json_text(json_object *value)
{
	return json_object_to_json_string_ext(value, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
}

const char *
json_get_string(json_object *obj, const char *key)
{
	json_object *v;

	if (obj == NULL || !json_object_object_get_ex(obj, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

json_object *
json_get_object(json_object *obj, const char *key)
{
	json_object *v;

	if (obj == NULL || !json_object_object_get_ex(obj, key, &v) ||
	    !json_object_is_type(v, json_type_object))
		return NULL;
	return v;
}

json_object *
json_get_array(json_object *obj, const char *key)
{
	json_object *v;

	if (obj == NULL || !json_object_object_get_ex(obj, key, &v) ||
	    !json_object_is_type(v, json_type_array))
		return NULL;
	return v;
}

bool
json_get_true(json_object *obj, const char *key)
{
	json_object *v;

	return obj != NULL && json_object_object_get_ex(obj, key, &v) &&
	    json_object_is_type(v, json_type_boolean) &&
	    json_object_get_boolean(v);
}

void
json_secret_free(json_object *secret)
{
	if (secret == NULL)
		return;
	{
		json_object_object_foreach(secret, key, v) {
			(void)key;
			if (json_object_is_type(v, json_type_string))
				explicit_bzero((char *)json_object_get_string(
				    v), (size_t)json_object_get_string_len(v));
		}
	}
	json_object_put(secret);
}

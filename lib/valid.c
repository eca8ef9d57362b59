/*
 * valid.c: declarative validation of query parameters and JSON bodies
 * (see valid.h).  Detail `type` strings follow pydantic's names
 * ("missing", "int_parsing", "greater_than_equal", ...) so clients written
 * against the reference API read them the same way.
 *
 * SPDX-License-Identifier: MIT
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "jsonutil.h"
#include "valid.h"
#include "utf8.h"

#define VALID_STRING_MAX_DEFAULT 1024
#define VALID_JSON_DEPTH         JSONUTIL_MAX_DEPTH

bool
valid_is_http_url(const char *s)
{
	const char *host;
	size_t i;

	if (strncmp(s, "https://", 8) == 0)
		host = s + 8;
	else if (strncmp(s, "http://", 7) == 0)
		host = s + 7;
	else
		return false;
	if (*host == '\0' || *host == '/' || *host == '?' || *host == '#' ||
	    *host == ':' || *host == '@')
		return false;
	for (i = 0; s[i] != '\0'; i++)
		if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

bool
valid_is_uuid(const char *s)
{
	size_t i;

	if (s == NULL || strlen(s) != 36)
		return false;
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (!isxdigit((unsigned char)s[i])) {
			return false;
		}
	}
	return true;
}

bool
valid_is_email(const char *s)
{
	const char *at, *dot, *p;

	if (s == NULL || strlen(s) > 254)
		return false;
	at = strchr(s, '@');
	if (at == NULL || at == s || strchr(at + 1, '@') != NULL ||
	    at - s > 64)
		return false;
	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f || *p == '<' ||
		    *p == '>' || *p == '(' || *p == ')' || *p == ',' ||
		    *p == ';' || *p == ':' || *p == '\\' || *p == '"' ||
		    *p == '[' || *p == ']')
			return false;
	dot = strrchr(at + 1, '.');
	if (dot == NULL || at[1] == '.' || dot[1] == '\0' ||
	    strstr(at + 1, "..") != NULL || at[1] == '-' ||
	    s[strlen(s) - 1] == '-')
		return false;
	return true;
}

/*
 * Check one textual value (a query value, or a JSON string) against its
 * field and store it.  Adds a detail and returns -1 when it fails.
 */
static int
valid_text(const struct valid_field *field, const char *where,
    const char *text, struct valid_value *out, struct error *err)
{
	char msg[160];
	long long number;
	char *end;
	size_t i, len;

	/* PostgreSQL refuses anything else: a 422 here, not a 500 there. */
	if (!utf8_valid(text, strlen(text))) {
		error_add_detail(err, where, field->name,
		    "Input should be a valid UTF-8 string", "string_unicode");
		return -1;
	}
	switch (field->type) {
	case VALID_STRING:
		len = utf8_count(text, strlen(text));
		if (len < (size_t)(field->min > 0 ? field->min : 0)) {
			snprintf(msg, sizeof(msg),
			    "String should have at least %lld characters",
			    field->min);
			error_add_detail(err, where, field->name, msg,
			    "string_too_short");
			return -1;
		}
		if (len > (size_t)(field->max > 0 ? field->max :
		    VALID_STRING_MAX_DEFAULT)) {
			snprintf(msg, sizeof(msg),
			    "String should have at most %lld characters",
			    field->max > 0 ? field->max :
			    (long long)VALID_STRING_MAX_DEFAULT);
			error_add_detail(err, where, field->name, msg,
			    "string_too_long");
			return -1;
		}
		break;
	case VALID_INT:
		errno = 0;
		number = strtoll(text, &end, 10);
		if (text[0] == '\0' || isspace((unsigned char)text[0]) ||
		    *end != '\0' || errno != 0) {
			error_add_detail(err, where, field->name,
			    "Input should be a valid integer", "int_parsing");
			return -1;
		}
		if (number < field->min) {
			snprintf(msg, sizeof(msg),
			    "Input should be greater than or equal to %lld",
			    field->min);
			error_add_detail(err, where, field->name, msg,
			    "greater_than_equal");
			return -1;
		}
		if (number > field->max) {
			snprintf(msg, sizeof(msg),
			    "Input should be less than or equal to %lld",
			    field->max);
			error_add_detail(err, where, field->name, msg,
			    "less_than_equal");
			return -1;
		}
		out->integer = number;
		break;
	case VALID_BOOL:
		if (strcmp(text, "true") == 0 || strcmp(text, "1") == 0)
			out->boolean = true;
		else if (strcmp(text, "false") == 0 || strcmp(text, "0") == 0)
			out->boolean = false;
		else {
			error_add_detail(err, where, field->name,
			    "Input should be a valid boolean", "bool_parsing");
			return -1;
		}
		break;
	case VALID_ENUM:
		for (i = 0; field->choices[i] != NULL; i++)
			if (strcmp(field->choices[i], text) == 0)
				break;
		if (field->choices[i] == NULL) {
			size_t o = (size_t)snprintf(msg, sizeof(msg),
			    "Input should be");

			for (i = 0; field->choices[i] != NULL &&
			    o < sizeof(msg); i++)
				o += (size_t)snprintf(msg + o, sizeof(msg) - o,
				    "%s '%s'", i == 0 ? "" :
				    field->choices[i + 1] == NULL ? " or" : ",",
				    field->choices[i]);
			error_add_detail(err, where, field->name, msg, "enum");
			return -1;
		}
		break;
	case VALID_UUID:
		if (!valid_is_uuid(text)) {
			error_add_detail(err, where, field->name,
			    "Input should be a valid UUID", "uuid_parsing");
			return -1;
		}
		break;
	case VALID_STRING_ARRAY:
	case VALID_OBJECT:
	case VALID_ARRAY:
		break; /* JSON values are checked by valid_json_value() */
	case VALID_URL:
		len = utf8_count(text, strlen(text));
		if (len > (size_t)(field->max > 0 ? field->max : 2048) ||
		    !valid_is_http_url(text)) {
			error_add_detail(err, where, field->name,
			    "Input should be an absolute http or https URL",
			    "url_parsing");
			return -1;
		}
		break;
	case VALID_EMAIL:
		if (!valid_is_email(text)) {
			error_add_detail(err, where, field->name,
			    "Input should be a valid email address",
			    "value_error");
			return -1;
		}
		break;
	}
	out->present = true;
	out->str = text;
	return 0;
}

/*
 * Apply defaults, report missing required fields, and turn the details
 * collected so far (failed says whether there are any) into one 422.
 * Returns 0, or -1 and err.
 */
static int
valid_finish(const struct valid_field *fields, size_t n, const char *where,
    struct valid_value *out, bool failed, struct error *err)
{
	json_object *details;
	size_t i;

	for (i = 0; i < n; i++) {
		if (out[i].present)
			continue;
		if (fields[i].required) {
			error_add_detail(err, where, fields[i].name,
			    "Field required", "missing");
			failed = true;
		} else if (fields[i].has_default) {
			out[i].present = true;
			out[i].integer = fields[i].default_int;
		}
	}
	if (!failed)
		return 0;
	details = err->details;
	err->details = NULL;
	error_set(err, ERR_VALIDATION, NULL);
	err->details = details;
	return -1;
}

static int
field_index(const struct valid_field *fields, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(fields[i].name, name) == 0)
			return (int)i;
	return -1;
}

/*
 * Validate name=value parameters (a query string or a form body) reported
 * under where.  lenient skips unknown names.
 */
static int
valid_params(const struct http_param *params, size_t nparams,
    const char *where, bool lenient, const struct valid_field *fields,
    size_t n, struct valid_value *out, struct error *err)
{
	size_t i;
	bool failed = false;

	error_clear(err);
	memset(out, 0, n * sizeof(*out));
	for (i = 0; i < nparams; i++) {
		const struct http_param *param = &params[i];
		int f = field_index(fields, n, param->name);

		if (f < 0 && lenient)
			continue;
		if (f < 0) {
			/* The name is echoed in details: it must be UTF-8. */
			error_add_detail(err, where,
			    utf8_valid(param->name, strlen(param->name)) ?
			    param->name : "(not UTF-8)", "Extra inputs are not permitted",
			    "extra_forbidden");
			failed = true;
		} else if (out[f].present) {
			error_add_detail(err, where, param->name,
			    "Parameter given more than once", "duplicate");
			failed = true;
		} else if (fields[f].type == VALID_STRING_ARRAY ||
		    fields[f].type == VALID_ARRAY ||
		    fields[f].type == VALID_OBJECT) {
			error_add_detail(err, where, param->name,
			    fields[f].type == VALID_OBJECT ?
			    "Input should be a valid object" :
			    "Input should be a valid list",
			    fields[f].type == VALID_OBJECT ?
			    "dict_type" : "list_type");
			out[f].present = true;
			failed = true;
		} else if (valid_text(&fields[f], where, param->value,
		    &out[f], err) != 0) {
			out[f].present = true; /* report once */
			failed = true;
		}
	}
	return valid_finish(fields, n, where, out, failed, err);
}

int
valid_query(const struct request *req, const struct valid_field *fields,
    size_t n, struct valid_value *out, struct error *err)
{
	return valid_params(req->query, req->nquery, "query", false, fields,
	    n, out, err);
}

int
valid_query_lenient(const struct request *req,
    const struct valid_field *fields, size_t n, struct valid_value *out,
    struct error *err)
{
	return valid_params(req->query, req->nquery, "query", true, fields,
	    n, out, err);
}

int
valid_form(const struct request *req, const struct valid_field *fields,
    size_t n, struct valid_value *out, struct error *err)
{
	return valid_params(req->form, req->nform, "body", true, fields, n,
	    out, err);
}

/* Is the request's Content-Type JSON (application/json, any params)? */
static bool
content_type_is_json(const struct request *req)
{
	const char *type = http_header(req, "Content-Type");
	size_t len = strlen("application/json");

	if (type == NULL || type[0] == '\0')
		return true; /* absent: read the body as JSON */
	return strncasecmp(type, "application/json", len) == 0 &&
	    (type[len] == '\0' || type[len] == ';' || type[len] == ' ');
}

/*
 * Check a JSON value against a VALID_ARRAY field: an array of [min, max]
 * items (max 0: any number).  Returns 0 and sets out, or -1 with the
 * detail added to err.
 */
static int
valid_json_array(const struct valid_field *field, json_object *value,
    struct valid_value *out, struct error *err)
{
	size_t count;
	char msg[96];

	if (!json_object_is_type(value, json_type_array)) {
		error_add_detail(err, "body", field->name,
		    "Input should be a valid list", "list_type");
		return -1;
	}
	count = json_object_array_length(value);
	if ((long long)count < field->min ||
	    (field->max > 0 && (long long)count > field->max)) {
		snprintf(msg, sizeof(msg), "List should have %lld to %lld items",
		    field->min, field->max);
		error_add_detail(err, "body", field->name, msg,
		    (long long)count < field->min ? "too_short" : "too_long");
		return -1;
	}
	out->present = true;
	out->json = value;
	return 0;
}

/*
 * Check a JSON value against a VALID_STRING_ARRAY field: an array of
 * [min, max] strings of at most 2000 characters.  Returns 0 and sets
 * out, or -1 with the detail added to err.
 */
static int
valid_string_array(const struct valid_field *field, json_object *value,
    struct valid_value *out, struct error *err)
{
	struct valid_field item = { .name = field->name, .type = VALID_STRING,
	    .max = 2000 };
	size_t i, count;

	if (valid_json_array(field, value, out, err) != 0)
		return -1;
	out->present = false;
	count = json_object_array_length(value);
	for (i = 0; i < count; i++) {
		json_object *entry = json_object_array_get_idx(value, i);
		struct valid_value ignored;

		if (!json_object_is_type(entry, json_type_string)) {
			error_add_detail(err, "body", field->name,
			    "List items should be strings", "string_type");
			return -1;
		}
		if (valid_text(&item, "body", json_object_get_string(entry),
		    &ignored, err) != 0)
			return -1;
	}
	out->present = true;
	out->json = value;
	return 0;
}

static int
valid_json_body(struct request *req, const struct valid_field *fields,
    size_t n, bool lenient, struct valid_value *out, struct error *err)
{
	struct json_tokener *tok;
	json_object *root;
	bool failed = false;

	error_clear(err);
	memset(out, 0, n * sizeof(*out));
	if (req->body_len > 0 && !content_type_is_json(req))
		return error_set(err, ERR_UNSUPPORTED_MEDIA, NULL);
	if (req->body_len == 0) {
		root = json_object_new_object();
	} else {
		tok = json_tokener_new_ex(VALID_JSON_DEPTH);
		if (tok == NULL)
			return error_set(err, ERR_INTERNAL, "out of memory");
		json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
		    JSON_TOKENER_VALIDATE_UTF8);
		root = json_tokener_parse_ex(tok, req->body,
		    (int)req->body_len);
		if (root != NULL &&
		    (json_tokener_get_error(tok) != json_tokener_success ||
		    tok->char_offset != (int)req->body_len)) {
			json_object_put(root);
			root = NULL;
		}
		json_tokener_free(tok);
		if (root == NULL)
			return error_set(err, ERR_INVALID_JSON,
			    "The request body is not valid JSON.");
	}
	if (!json_object_is_type(root, json_type_object)) {
		json_object_put(root);
		return error_set(err, ERR_INVALID_JSON, NULL);
	}
	req->body_json = root;

	json_object_object_foreach(root, key, value) {
		int f = field_index(fields, n, key);
		const char *text;

		if (f < 0 && lenient)
			continue;
		if (f < 0) {
			error_add_detail(err, "body", key,
			    "Extra inputs are not permitted",
			    "extra_forbidden");
			failed = true;
			continue;
		}
		if (json_object_is_type(value, json_type_null) &&
		    !fields[f].required)
			continue;
		/* Seen: a value that fails its rule is not also "missing". */
		out[f].present = true;
		switch (fields[f].type) {
		case VALID_STRING_ARRAY:
			if (valid_string_array(&fields[f], value, &out[f],
			    err) != 0)
				failed = true;
			continue;
		case VALID_OBJECT:
			if (!json_object_is_type(value, json_type_object)) {
				error_add_detail(err, "body", key,
				    "Input should be a valid object",
				    "dict_type");
				failed = true;
				continue;
			}
			out[f].json = value;
			continue;
		case VALID_ARRAY:
			if (valid_json_array(&fields[f], value, &out[f],
			    err) != 0)
				failed = true;
			continue;
		case VALID_INT:
			if (!json_object_is_type(value, json_type_int)) {
				error_add_detail(err, "body", key,
				    "Input should be a valid integer",
				    "int_type");
				failed = true;
				continue;
			}
			text = json_object_to_json_string(value);
			break;
		case VALID_BOOL:
			if (!json_object_is_type(value, json_type_boolean)) {
				error_add_detail(err, "body", key,
				    "Input should be a valid boolean",
				    "bool_type");
				failed = true;
				continue;
			}
			text = json_object_get_boolean(value) ?
			    "true" : "false";
			break;
		default:
			if (!json_object_is_type(value, json_type_string)) {
				error_add_detail(err, "body", key,
				    "Input should be a valid string",
				    "string_type");
				failed = true;
				continue;
			}
			text = json_object_get_string(value);
			if (strlen(text) !=
			    (size_t)json_object_get_string_len(value)) {
				error_add_detail(err, "body", key,
				    "Input should not contain NUL characters",
				    "string_type");
				failed = true;
				continue;
			}
			break;
		}
		if (valid_text(&fields[f], "body", text, &out[f], err) != 0)
			failed = true;
	}
	return valid_finish(fields, n, "body", out, failed, err);
}

int
valid_body(struct request *req, const struct valid_field *fields, size_t n,
    struct valid_value *out, struct error *err)
{
	return valid_json_body(req, fields, n, false, out, err);
}

int
valid_body_lenient(struct request *req, const struct valid_field *fields,
    size_t n, struct valid_value *out, struct error *err)
{
	return valid_json_body(req, fields, n, true, out, err);
}

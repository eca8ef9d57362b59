/*
 * oas.c: discovery of an upstream API's operations from its OpenAPI 3.0
 * or 3.1 document (see oas.h).
 *
 * The document is only read.  Every schema handed out is a fresh copy
 * made by schema_clean(), which resolves local $refs on the way, cuts
 * cycles and over-deep nesting, and rewrites OpenAPI's dialect of JSON
 * Schema into the 2020-12 that MCP clients expect.  Each JSON value built
 * for a schema is counted against OAS_NODES_MAX, so a document whose
 * references fan out exponentially (a "billion laughs" of $refs) fails
 * cleanly instead of taking all memory.
 *
 * While it reads, the discovery keeps the JSON Pointer of the place it
 * is reading (struct oas_ctx's where), so that every warning can say
 * where in the document its cause is.  Inside a $ref the pointer is the
 * referenced place.
 *
 * SPDX-License-Identifier: MIT
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "oas.h"

#define OAS_POINTER_MAX   4096 /* bytes of the JSON Pointer kept */
#define OAS_REF_DEPTH_MAX 64   /* $refs being expanded at once */
#define OAS_REF_HOPS_MAX  32   /* $ref to $ref to ... for non-schemas */
#define OAS_VALUE_DEPTH_MAX 128 /* nesting of a copied example or enum */

/* The state of one discovery; lives on oas_discover()'s stack. */
struct oas_ctx {
	json_object *doc;          /* the document, borrowed */
	json_object *warnings;     /* {pointer, message} objects */
	struct error *err;
	bool v31;                  /* 3.1: keywords beside $ref apply */
	bool failed;               /* err is set; stop */
	size_t nodes;              /* JSON values built for schemas */
	json_object *refs[OAS_REF_DEPTH_MAX]; /* $ref targets open now */
	size_t nrefs;
	char where[OAS_POINTER_MAX]; /* JSON Pointer being read */
	size_t where_len;
};

/* A Parameter Object after its $ref is followed. */
struct oas_param {
	json_object *param;        /* borrowed from the document */
	const char *name;
	const char *in;
	char *where;               /* its JSON Pointer; malloc'd */
};

/* A growing list of parameters; oas_params_free() releases it. */
struct oas_params {
	struct oas_param *v;
	size_t n, cap;
};

static const char *const http_methods[] = {
	"get", "put", "post", "delete", "options", "head", "patch", NULL
};

/* Keywords whose value is one schema. */
static const char *const schema_keywords_one[] = {
	"items", "additionalProperties", "not", "contains", "propertyNames",
	"if", "then", "else", "unevaluatedItems", "unevaluatedProperties",
	"additionalItems", "contentSchema", NULL
};

/* Keywords whose value is an array of schemas. */
static const char *const schema_keywords_list[] = {
	"allOf", "anyOf", "oneOf", "prefixItems", NULL
};

/* Keywords whose value maps names to schemas. */
static const char *const schema_keywords_map[] = {
	"properties", "patternProperties", "$defs", "definitions",
	"dependentSchemas", NULL
};

/*
 * Keywords that are OpenAPI's, not JSON Schema's, and are dropped
 * ("nullable", "example" and a boolean "exclusiveMaximum" are rewritten
 * by schema_object() instead).
 */
static const char *const schema_keywords_dropped[] = {
	"xml", "externalDocs", "discriminator", NULL
};

static json_object *schema_clean(struct oas_ctx *, json_object *, int,
    bool);

static bool
word_in(const char *word, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(word, *list) == 0)
			return true;
	return false;
}

/*
 * The length in bytes of the longest prefix of the len bytes at s that
 * has at most max_bytes bytes and does not split a UTF-8 character.
 */
static size_t
utf8_cut(const char *s, size_t len, size_t max_bytes)
{
	if (len <= max_bytes)
		return len;
	len = max_bytes;
	while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
		len--;
	return len;
}

/* utf8_cut() of the whole string s. */
static size_t
utf8_prefix_bytes(const char *s, size_t max_bytes)
{
	return utf8_cut(s, strlen(s), max_bytes);
}

/* The length in bytes of the first max_chars characters of s. */
static size_t
utf8_prefix_chars(const char *s, size_t max_chars)
{
	size_t i, chars = 0;

	for (i = 0; s[i] != '\0'; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80 &&
		    chars++ == max_chars)
			break;
	return i;
}

/* The string member key of object obj, or NULL. */
static const char *
get_string(json_object *obj, const char *key)
{
	json_object *value;

	if (!json_object_object_get_ex(obj, key, &value) ||
	    !json_object_is_type(value, json_type_string))
		return NULL;
	return json_object_get_string(value);
}

/* Is member key of object obj the boolean true? */
static bool
get_true(json_object *obj, const char *key)
{
	json_object *value;

	return json_object_object_get_ex(obj, key, &value) &&
	    json_object_is_type(value, json_type_boolean) &&
	    json_object_get_boolean(value);
}

/* The object member key of object obj, or NULL. */
static json_object *
get_object(json_object *obj, const char *key)
{
	json_object *value;

	if (!json_object_object_get_ex(obj, key, &value) ||
	    !json_object_is_type(value, json_type_object))
		return NULL;
	return value;
}

/* Report exhausted memory.  Returns -1. */
static int
oom(struct oas_ctx *ctx)
{
	ctx->failed = true;
	return error_set(ctx->err, ERR_INTERNAL, "out of memory");
}

/*
 * Add value (a new reference, or NULL for JSON null) to object obj under
 * key, taking the reference even on failure.  Returns 0, or -1 with
 * ERR_INTERNAL when memory is exhausted.
 */
static int
put(struct oas_ctx *ctx, json_object *obj, const char *key,
    json_object *value)
{
	if (json_object_object_add(obj, key, value) != 0) {
		json_object_put(value);
		return oom(ctx);
	}
	return 0;
}

/*
 * Like put(), but value must not be NULL: NULL means it could not be
 * built (err is set already, or memory is exhausted).
 */
static int
put_new(struct oas_ctx *ctx, json_object *obj, const char *key,
    json_object *value)
{
	if (value == NULL)
		return ctx->failed ? -1 : oom(ctx);
	return put(ctx, obj, key, value);
}

/* Append value (a new reference, not NULL) to array arr.  As put_new(). */
static int
append(struct oas_ctx *ctx, json_object *arr, json_object *value)
{
	if (value == NULL)
		return ctx->failed ? -1 : oom(ctx);
	if (json_object_array_add(arr, value) != 0) {
		json_object_put(value);
		return oom(ctx);
	}
	return 0;
}

/*
 * Append the segment to the JSON Pointer being read, escaping '~' and
 * '/'.  A segment that does not fit is left off, so the pointer names an
 * ancestor of the place instead.  Returns the length to hand back to
 * where_pop().  Can't fail.
 */
static size_t
where_push(struct oas_ctx *ctx, const char *segment)
{
	size_t old = ctx->where_len, need = 1;
	const char *p;
	char *out;

	for (p = segment; *p != '\0'; p++)
		need += (*p == '~' || *p == '/') ? 2 : 1;
	if (old + need >= sizeof(ctx->where))
		return old;
	out = ctx->where + old;
	*out++ = '/';
	for (p = segment; *p != '\0'; p++) {
		if (*p == '~' || *p == '/') {
			*out++ = '~';
			*out++ = *p == '~' ? '0' : '1';
		} else
			*out++ = *p;
	}
	*out = '\0';
	ctx->where_len = old + need;
	return old;
}

/* where_push() for an array index. */
static size_t
where_push_index(struct oas_ctx *ctx, size_t index)
{
	char segment[32];

	snprintf(segment, sizeof(segment), "%zu", index);
	return where_push(ctx, segment);
}

/* Go back to the pointer where_push() was handed.  Can't fail. */
static void
where_pop(struct oas_ctx *ctx, size_t len)
{
	ctx->where_len = len;
	ctx->where[len] = '\0';
}

/*
 * Make pointer (a JSON Pointer, cut to fit on a UTF-8 boundary) the one
 * being read, and store a copy of the previous one in *saved for
 * where_restore().  Returns 0, or -1 when memory is exhausted.
 */
static int
where_set(struct oas_ctx *ctx, const char *pointer, char **saved)
{
	size_t len;

	if ((*saved = strdup(ctx->where)) == NULL)
		return oom(ctx);
	len = utf8_prefix_bytes(pointer, sizeof(ctx->where) - 1);
	memcpy(ctx->where, pointer, len);
	ctx->where[len] = '\0';
	ctx->where_len = len;
	return 0;
}

/* Undo where_set(), releasing saved.  Can't fail. */
static void
where_restore(struct oas_ctx *ctx, char *saved)
{
	size_t len = strlen(saved);

	memcpy(ctx->where, saved, len + 1);
	ctx->where_len = len;
	free(saved);
}

/*
 * Add a warning about the place being read.  Past OAS_WARNINGS_MAX, one
 * last warning says that the rest were left out.  Returns 0, or -1 when
 * memory is exhausted.
 */
static int
warn(struct oas_ctx *ctx, const char *fmt, ...)
    __attribute__((__format__(printf, 2, 3)));

static int
warn(struct oas_ctx *ctx, const char *fmt, ...)
{
	char message[1024];
	const char *pointer = ctx->where;
	json_object *warning;
	size_t n;
	va_list ap;
	int len;

	n = json_object_array_length(ctx->warnings);
	if (n > OAS_WARNINGS_MAX)
		return 0;
	if (n == OAS_WARNINGS_MAX) {
		snprintf(message, sizeof(message),
		    "More warnings were left out.");
		pointer = "";
	} else {
		va_start(ap, fmt);
		len = vsnprintf(message, sizeof(message), fmt, ap);
		va_end(ap);
		if (len >= (int)sizeof(message))
			message[utf8_prefix_bytes(message,
			    sizeof(message) - 1)] = '\0';
	}
	if ((warning = json_object_new_object()) == NULL)
		return oom(ctx);
	if (put_new(ctx, warning, "pointer",
	    json_object_new_string(pointer)) == -1 ||
	    put_new(ctx, warning, "message",
	    json_object_new_string(message)) == -1) {
		json_object_put(warning);
		return -1;
	}
	return append(ctx, ctx->warnings, warning);
}

/*
 * Count n more JSON values built for schemas.  Returns 0, or -1 with
 * ERR_VALIDATION once OAS_NODES_MAX is passed.
 */
static int
budget_take(struct oas_ctx *ctx, size_t n)
{
	ctx->nodes += n;
	if (ctx->nodes <= OAS_NODES_MAX)
		return 0;
	ctx->failed = true;
	error_set(ctx->err, ERR_VALIDATION,
	    "The document's schemas expand to too many nodes.");
	error_hint(ctx->err, "drio builds at most %d JSON values from one "
	    "document; its $refs fan out further than that.",
	    OAS_NODES_MAX);
	error_add_detail(ctx->err, "body", ctx->where,
	    "Schema expansion exceeds the limit", "too_large");
	return -1;
}

/* A new empty object, counted.  Returns it, or NULL with err set. */
static json_object *
node_object(struct oas_ctx *ctx)
{
	json_object *obj;

	if (budget_take(ctx, 1) == -1)
		return NULL;
	if ((obj = json_object_new_object()) == NULL)
		oom(ctx);
	return obj;
}

/* A new string, counted.  Returns it, or NULL with err set. */
static json_object *
node_string(struct oas_ctx *ctx, const char *s)
{
	json_object *obj;

	if (budget_take(ctx, 1) == -1)
		return NULL;
	if ((obj = json_object_new_string(s)) == NULL)
		oom(ctx);
	return obj;
}

/*
 * Copy value (anything but a schema: an enum, a default, an example)
 * into *out, deeply, each value counted.  JSON null is copied as NULL.
 * Returns 0, or -1 with err set.
 */
static int
node_copy(struct oas_ctx *ctx, json_object *value, int depth,
    json_object **out)
{
	json_object *copy = NULL, *item;
	size_t i, n;

	*out = NULL;
	if (budget_take(ctx, 1) == -1)
		return -1;
	if (depth > OAS_VALUE_DEPTH_MAX) {
		ctx->failed = true;
		error_set(ctx->err, ERR_VALIDATION,
		    "A value in the document is nested too deeply.");
		error_add_detail(ctx->err, "body", ctx->where,
		    "Value nested too deeply", "too_deep");
		return -1;
	}
	switch (json_object_get_type(value)) {
	case json_type_null:
		return 0;
	case json_type_boolean:
		copy = json_object_new_boolean(json_object_get_boolean(value));
		break;
	case json_type_double:
		copy = json_object_new_double(json_object_get_double(value));
		break;
	case json_type_int:
		copy = json_object_new_int64(json_object_get_int64(value));
		break;
	case json_type_string:
		copy = json_object_new_string_len(
		    json_object_get_string(value),
		    json_object_get_string_len(value));
		break;
	case json_type_array:
		if ((copy = json_object_new_array()) == NULL)
			break;
		n = json_object_array_length(value);
		for (i = 0; i < n; i++) {
			if (node_copy(ctx, json_object_array_get_idx(value, i),
			    depth + 1, &item) == -1)
				goto fail;
			if (json_object_array_add(copy, item) != 0) {
				json_object_put(item);
				oom(ctx);
				goto fail;
			}
		}
		break;
	case json_type_object:
		if ((copy = json_object_new_object()) == NULL)
			break;
		{
			json_object_object_foreach(value, key, v) {
				if (node_copy(ctx, v, depth + 1, &item) == -1 ||
				    put(ctx, copy, key, item) == -1)
					goto fail;
			}
		}
		break;
	}
	if (copy == NULL)
		return oom(ctx);
	*out = copy;
	return 0;
fail:
	json_object_put(copy);
	return -1;
}

/*
 * Percent-decode the fragment of a URI reference (RFC 3986) into a new
 * string.  Refuses "%00".  Returns the string (caller frees), or NULL,
 * setting *bad when the fragment cannot be decoded and err otherwise.
 */
static char *
percent_decode(struct oas_ctx *ctx, const char *s, bool *bad)
{
	char *out, *o;

	*bad = false;
	if ((out = malloc(strlen(s) + 1)) == NULL) {
		oom(ctx);
		return NULL;
	}
	for (o = out; *s != '\0'; s++) {
		if (*s == '%' && isxdigit((unsigned char)s[1]) &&
		    isxdigit((unsigned char)s[2])) {
			char hex[3] = { s[1], s[2], '\0' };

			*o = (char)strtol(hex, NULL, 16);
			if (*o == '\0') {
				free(out);
				*bad = true;
				return NULL;
			}
			o++;
			s += 2;
		} else
			*o++ = *s;
	}
	*o = '\0';
	return out;
}

enum ref_result {
	REF_FOUND,    /* *target is the referenced value */
	REF_EXTERNAL, /* another file or a URL: not followed */
	REF_MISSING   /* local, but names nothing in the document */
};

/*
 * Resolve the reference ref against the document.  A local reference is
 * "#" and a JSON Pointer, percent-encoded as URI fragments are.  On
 * REF_FOUND, *target is borrowed from the document and *pointer is the
 * decoded JSON Pointer (caller frees).  Returns an enum ref_result, or -1
 * with err set when memory is exhausted.
 */
static int
ref_resolve(struct oas_ctx *ctx, const char *ref, json_object **target,
    char **pointer)
{
	bool bad;
	char *decoded;

	*target = NULL;
	*pointer = NULL;
	if (ref[0] != '#')
		return REF_EXTERNAL;
	if ((decoded = percent_decode(ctx, ref + 1, &bad)) == NULL)
		return bad ? REF_MISSING : -1;
	if (decoded[0] != '\0' && decoded[0] != '/') {
		free(decoded);           /* an anchor, "#name": not ours */
		return REF_MISSING;
	}
	if (json_pointer_get(ctx->doc, decoded, target) != 0) {
		free(decoded);
		*target = NULL;
		return REF_MISSING;
	}
	*pointer = decoded;
	return REF_FOUND;
}

/*
 * Follow $ref from obj (a Parameter, Request Body or Path Item Object)
 * until a value that is not a reference.  On success *out is that value
 * (borrowed) and *where its JSON Pointer (caller frees).  Returns 0, 1
 * when the reference cannot be followed (a warning says why; *out is
 * NULL), or -1 with err set.
 */
static int
ref_follow(struct oas_ctx *ctx, json_object *obj, json_object **out,
    char **where)
{
	json_object *target;
	const char *ref;
	char *pointer = NULL;
	int hops, found, r = 0;

	*out = NULL;
	if ((*where = strdup(ctx->where)) == NULL)
		return oom(ctx);
	for (hops = 0; json_object_is_type(obj, json_type_object) &&
	    (ref = get_string(obj, "$ref")) != NULL; hops++) {
		if (hops == OAS_REF_HOPS_MAX) {
			r = warn(ctx, "The reference \"%s\" leads through too "
			    "many others; what it names is skipped.", ref);
			break;
		}
		found = ref_resolve(ctx, ref, &target, &pointer);
		if (found == REF_EXTERNAL)
			r = warn(ctx, "The reference \"%s\" points outside "
			    "the document; what it names is skipped.", ref);
		else if (found == REF_MISSING)
			r = warn(ctx, "The reference \"%s\" does not resolve; "
			    "what it names is skipped.", ref);
		else if (found == -1)
			r = -1;
		if (found != REF_FOUND)
			break;
		free(*where);
		*where = pointer;
		obj = target;
	}
	if (json_object_is_type(obj, json_type_object) &&
	    get_string(obj, "$ref") != NULL) {
		/* Not followed: r is -1 (err set) or 0 (warned). */
		free(*where);
		*where = NULL;
		return r == -1 ? -1 : 1;
	}
	*out = obj;
	return 0;
}

/*
 * The name a reference's placeholder gives: the last segment of the
 * JSON Pointer, unescaped, into buf.  Can't fail.
 */
static void
ref_name(const char *pointer, char *buf, size_t size)
{
	const char *last = strrchr(pointer, '/');
	size_t o = 0;

	last = last == NULL ? pointer : last + 1;
	if (*last == '\0')
		last = "#";
	for (; *last != '\0' && o + 1 < size; last++) {
		if (last[0] == '~' && last[1] == '1') {
			buf[o++] = '/';
			last++;
		} else if (last[0] == '~' && last[1] == '0') {
			buf[o++] = '~';
			last++;
		} else
			buf[o++] = *last;
	}
	buf[o] = '\0';
	buf[utf8_prefix_bytes(buf, o)] = '\0';
}

/*
 * The schema put where a cycle or too deep a nesting is cut:
 * {"type": "object", "description": description}.  Returns a new object,
 * or NULL with err set.
 */
static json_object *
schema_placeholder(struct oas_ctx *ctx, const char *description)
{
	json_object *out;

	if ((out = node_object(ctx)) == NULL)
		return NULL;
	if (put_new(ctx, out, "type", node_string(ctx, "object")) == -1 ||
	    put_new(ctx, out, "description",
	    node_string(ctx, description)) == -1) {
		json_object_put(out);
		return NULL;
	}
	return out;
}

/*
 * Clean each schema of the array list.  Returns a new array, or NULL
 * with err set.
 */
static json_object *
schema_list(struct oas_ctx *ctx, json_object *list, int depth,
    bool request)
{
	json_object *out, *item;
	size_t i, n, mark;

	if (budget_take(ctx, 1) == -1)
		return NULL;
	if ((out = json_object_new_array()) == NULL) {
		oom(ctx);
		return NULL;
	}
	n = json_object_array_length(list);
	for (i = 0; i < n; i++) {
		mark = where_push_index(ctx, i);
		item = schema_clean(ctx, json_object_array_get_idx(list, i),
		    depth, request);
		where_pop(ctx, mark);
		if (item == NULL || append(ctx, out, item) == -1) {
			json_object_put(out);
			return NULL;
		}
	}
	return out;
}

/*
 * Clean each schema of the object map (a name to schema map such as
 * "properties").  Returns a new object, or NULL with err set.
 */
static json_object *
schema_map(struct oas_ctx *ctx, json_object *map, int depth, bool request)
{
	json_object *out, *item;
	size_t mark;

	if ((out = node_object(ctx)) == NULL)
		return NULL;
	json_object_object_foreach(map, name, schema) {
		mark = where_push(ctx, name);
		item = schema_clean(ctx, schema, depth, request);
		where_pop(ctx, mark);
		if (item == NULL || put(ctx, out, name, item) == -1) {
			json_object_put(out);
			return NULL;
		}
	}
	return out;
}

/* Is value in the JSON array arr (compared as JSON)? */
static bool
array_has(json_object *arr, json_object *value)
{
	size_t i, n = json_object_array_length(arr);

	for (i = 0; i < n; i++)
		if (json_object_equal(json_object_array_get_idx(arr, i), value))
			return true;
	return false;
}

/*
 * In a request, a property marked readOnly is one the server sets: drop
 * it from out's "properties" and from its "required".  Returns 0, or -1
 * with err set.
 */
static int
schema_drop_read_only(struct oas_ctx *ctx, json_object *out)
{
	json_object *properties, *required, *kept = NULL, *gone;
	size_t i, n;
	int rc = -1;

	if ((properties = get_object(out, "properties")) == NULL)
		return 0;
	if ((gone = json_object_new_object()) == NULL)  /* names, as keys */
		return oom(ctx);
	json_object_object_foreach(properties, name, schema) {
		if (!json_object_is_type(schema, json_type_object) ||
		    !get_true(schema, "readOnly"))
			continue;
		if (put(ctx, gone, name, NULL) == -1)
			goto out;
		json_object_object_del(properties, name);
	}
	if (json_object_object_length(gone) == 0 ||
	    !json_object_object_get_ex(out, "required", &required) ||
	    !json_object_is_type(required, json_type_array)) {
		rc = 0;
		goto out;
	}
	if ((kept = json_object_new_array()) == NULL) {
		oom(ctx);
		goto out;
	}
	n = json_object_array_length(required);
	for (i = 0; i < n; i++) {
		json_object *item = json_object_array_get_idx(required, i);

		if (json_object_is_type(item, json_type_string) &&
		    json_object_object_get_ex(gone,
		    json_object_get_string(item), NULL))
			continue;
		if (append(ctx, kept, json_object_get(item)) == -1)
			goto out;
	}
	rc = put(ctx, out, "required", kept);
	kept = NULL;
out:
	json_object_put(kept);
	json_object_put(gone);
	return rc;
}

/*
 * The OpenAPI-only parts of a schema, rewritten into JSON Schema
 * 2020-12 on out, the cleaned copy of schema: "nullable": true adds
 * "null" to the type (and to an enum), "example" becomes "examples", and
 * 3.0's boolean "exclusiveMaximum"/"exclusiveMinimum" become the bounds
 * themselves.  Returns 0, or -1 with err set.
 */
static int
schema_rewrite(struct oas_ctx *ctx, json_object *schema, json_object *out)
{
	static const char *const bounds[][2] = {
		{ "exclusiveMaximum", "maximum" },
		{ "exclusiveMinimum", "minimum" },
	};
	json_object *type, *types, *value, *enums;
	size_t i;

	if (get_true(schema, "nullable") &&
	    json_object_object_get_ex(out, "type", &type)) {
		if (json_object_is_type(type, json_type_string)) {
			if ((types = json_object_new_array()) == NULL)
				return oom(ctx);
			if (append(ctx, types, json_object_get(type)) == -1 ||
			    append(ctx, types,
			    json_object_new_string("null")) == -1) {
				json_object_put(types);
				return -1;
			}
			if (put(ctx, out, "type", types) == -1)
				return -1;
		} else if (json_object_is_type(type, json_type_array)) {
			json_object *null_string;

			if ((null_string = json_object_new_string("null")) ==
			    NULL)
				return oom(ctx);
			if (array_has(type, null_string))
				json_object_put(null_string);
			else if (append(ctx, type, null_string) == -1)
				return -1;
		}
		if (json_object_object_get_ex(out, "enum", &enums) &&
		    json_object_is_type(enums, json_type_array) &&
		    !array_has(enums, NULL) &&
		    json_object_array_add(enums, NULL) != 0)
			return oom(ctx);
	}
	if (json_object_object_get_ex(schema, "example", &value) &&
	    !json_object_object_get_ex(schema, "examples", NULL)) {
		json_object *examples, *copy;

		if (budget_take(ctx, 1) == -1)
			return -1;
		if ((examples = json_object_new_array()) == NULL)
			return oom(ctx);
		if (node_copy(ctx, value, 0, &copy) == -1) {
			json_object_put(examples);
			return -1;
		}
		if (json_object_array_add(examples, copy) != 0) {
			json_object_put(copy);
			json_object_put(examples);
			return oom(ctx);
		}
		if (put(ctx, out, "examples", examples) == -1)
			return -1;
	}
	for (i = 0; i < sizeof(bounds) / sizeof(bounds[0]); i++) {
		if (!json_object_object_get_ex(schema, bounds[i][0], &value) ||
		    !json_object_is_type(value, json_type_boolean))
			continue;
		if (json_object_get_boolean(value) &&
		    json_object_object_get_ex(out, bounds[i][1], &value)) {
			if (put(ctx, out, bounds[i][0],
			    json_object_get(value)) == -1)
				return -1;
			json_object_object_del(out, bounds[i][1]);
		}
	}
	return 0;
}

/*
 * Clean an object schema that is not (only) a $ref: every keyword but
 * "$ref" is copied, subschemas cleaned one level deeper, OpenAPI-only
 * keywords dropped or rewritten.  request drops readOnly properties.
 * Returns a new object, or NULL with err set.
 */
static json_object *
schema_object(struct oas_ctx *ctx, json_object *schema, int depth,
    bool request)
{
	json_object *out, *child;
	size_t mark;

	if ((out = node_object(ctx)) == NULL)
		return NULL;
	json_object_object_foreach(schema, key, value) {
		bool is_array = json_object_is_type(value, json_type_array);

		if (strcmp(key, "$ref") == 0 || strcmp(key, "nullable") == 0 ||
		    strcmp(key, "example") == 0 ||
		    word_in(key, schema_keywords_dropped))
			continue;
		if ((strcmp(key, "exclusiveMaximum") == 0 ||
		    strcmp(key, "exclusiveMinimum") == 0) &&
		    json_object_is_type(value, json_type_boolean))
			continue;
		mark = where_push(ctx, key);
		if (word_in(key, schema_keywords_one) &&
		    !(strcmp(key, "items") == 0 && is_array))
			child = schema_clean(ctx, value, depth + 1, request);
		else if ((word_in(key, schema_keywords_list) ||
		    strcmp(key, "items") == 0) && is_array)
			child = schema_list(ctx, value, depth + 1, request);
		else if (word_in(key, schema_keywords_map) &&
		    json_object_is_type(value, json_type_object))
			child = schema_map(ctx, value, depth + 1, request);
		else {
			/* A value, not a schema; JSON null stays null. */
			if (node_copy(ctx, value, 0, &child) == -1 ||
			    put(ctx, out, key, child) == -1)
				goto fail;
			where_pop(ctx, mark);
			continue;
		}
		where_pop(ctx, mark);
		if (child == NULL || put(ctx, out, key, child) == -1)
			goto fail;
	}
	if (schema_rewrite(ctx, schema, out) == -1)
		goto fail;
	if (request && schema_drop_read_only(ctx, out) == -1)
		goto fail;
	return out;
fail:
	json_object_put(out);
	return NULL;
}

/*
 * Clean a schema that is a $ref: a copy of what it names, cleaned, or a
 * placeholder when the reference closes a cycle.  In 3.1 the keywords
 * beside "$ref" apply too and are laid over the copy.  Returns a new
 * schema, or NULL with err set.
 */
static json_object *
schema_ref(struct oas_ctx *ctx, json_object *schema, const char *ref,
    int depth, bool request)
{
	json_object *target, *out = NULL, *siblings = NULL;
	char *pointer = NULL, *saved, name[128], description[192];
	size_t i;
	int r;

	r = ref_resolve(ctx, ref, &target, &pointer);
	if (r == -1)
		return NULL;
	if (r == REF_EXTERNAL || r == REF_MISSING) {
		if (warn(ctx, r == REF_EXTERNAL ?
		    "The reference \"%s\" points outside the document; it is "
		    "not followed and its schema accepts anything." :
		    "The reference \"%s\" does not resolve; its schema "
		    "accepts anything.", ref) == -1)
			return NULL;
		return node_object(ctx);
	}
	ref_name(pointer, name, sizeof(name));
	for (i = 0; i < ctx->nrefs; i++)
		if (ctx->refs[i] == target)
			break;
	if (i < ctx->nrefs || ctx->nrefs == OAS_REF_DEPTH_MAX) {
		snprintf(description, sizeof(description), "(recursive: %s)",
		    name);
		if (warn(ctx, i < ctx->nrefs ? "The schema %s contains itself; "
		    "the recursion is cut here." : "References nest too deeply "
		    "at %s; they are cut here.", name) == -1)
			goto out;
		out = schema_placeholder(ctx, description);
		goto out;
	}
	if (where_set(ctx, pointer, &saved) == -1)
		goto out;
	ctx->refs[ctx->nrefs++] = target;
	out = schema_clean(ctx, target, depth, request);
	ctx->nrefs--;
	where_restore(ctx, saved);
	if (out == NULL || !ctx->v31 ||
	    !json_object_is_type(out, json_type_object) ||
	    json_object_object_length(schema) < 2)
		goto out;
	if ((siblings = schema_object(ctx, schema, depth, request)) == NULL) {
		json_object_put(out);
		out = NULL;
		goto out;
	}
	json_object_object_foreach(siblings, key, value) {
		if (put(ctx, out, key, json_object_get(value)) == -1) {
			json_object_put(out);
			out = NULL;
			goto out;
		}
	}
	if (request && schema_drop_read_only(ctx, out) == -1) {
		json_object_put(out);
		out = NULL;
	}
out:
	json_object_put(siblings);
	free(pointer);
	return out;
}

/*
 * Clean one schema: resolve it if it is a $ref, cut it if it nests too
 * deeply, and rewrite it into JSON Schema 2020-12 (see schema_object).
 * depth is its nesting level (a $ref does not add one).  request says it
 * describes a request body, whose readOnly properties are dropped.
 * Returns a new schema, or NULL with err set (memory, or the budget).
 */
static json_object *
schema_clean(struct oas_ctx *ctx, json_object *schema, int depth,
    bool request)
{
	const char *ref;
	json_object *out;

	if (json_object_is_type(schema, json_type_boolean)) {
		if (budget_take(ctx, 1) == -1)
			return NULL;
		out = json_object_new_boolean(json_object_get_boolean(schema));
		if (out == NULL)
			oom(ctx);
		return out;
	}
	if (!json_object_is_type(schema, json_type_object)) {
		if (warn(ctx, "A schema is not an object; it accepts "
		    "anything.") == -1)
			return NULL;
		return node_object(ctx);
	}
	if (depth >= OAS_SCHEMA_DEPTH_MAX) {
		if (warn(ctx, "Schemas nest more than %d deep; they are cut "
		    "here.", OAS_SCHEMA_DEPTH_MAX) == -1)
			return NULL;
		return schema_placeholder(ctx, "(nested too deeply)");
	}
	if ((ref = get_string(schema, "$ref")) != NULL)
		return schema_ref(ctx, schema, ref, depth, request);
	return schema_object(ctx, schema, depth, request);
}

/* Release a parameter list.  Accepts an empty one.  Can't fail. */
static void
oas_params_free(struct oas_params *list)
{
	size_t i;

	for (i = 0; i < list->n; i++)
		free(list->v[i].where);
	free(list->v);
	memset(list, 0, sizeof(*list));
}

/*
 * Is this header one that OpenAPI says to ignore as a parameter, since
 * the content type and security scheme decide it?
 */
static bool
header_is_reserved(const char *name)
{
	return strcasecmp(name, "Accept") == 0 ||
	    strcasecmp(name, "Content-Type") == 0 ||
	    strcasecmp(name, "Authorization") == 0;
}

/* Do two (name, in) pairs name the same parameter? */
static bool
param_same(const struct oas_param *a, const char *name, const char *in)
{
	if (strcmp(a->in, in) != 0)
		return false;
	if (strcmp(in, "header") == 0)
		return strcasecmp(a->name, name) == 0;
	return strcmp(a->name, name) == 0;
}

/*
 * Read a "parameters" array (at the pointer being read) into list: $refs
 * followed, unusable parameters skipped with a warning, and one that
 * names the same (name, in) as an earlier one replacing it.  Returns 0,
 * or -1 with err set.
 */
static int
params_read(struct oas_ctx *ctx, json_object *array, struct oas_params *list)
{
	struct oas_param param;
	json_object *obj;
	char *where = NULL, *saved;
	size_t i, j, n, mark;
	int r, rc = -1;

	if (!json_object_is_type(array, json_type_array))
		return warn(ctx, "\"parameters\" is not an array; it is "
		    "skipped.");
	n = json_object_array_length(array);
	for (i = 0; i < n; i++) {
		mark = where_push_index(ctx, i);
		r = ref_follow(ctx, json_object_array_get_idx(array, i), &obj,
		    &where);
		where_pop(ctx, mark);
		if (r == -1)
			goto out;
		if (r == 1)
			continue;

		/* Skip, with a warning, what drio cannot send. */
		if (where_set(ctx, where, &saved) == -1)
			goto out;
		memset(&param, 0, sizeof(param));
		param.param = obj;
		r = 0;
		if (!json_object_is_type(obj, json_type_object) ||
		    (param.name = get_string(obj, "name")) == NULL ||
		    (param.in = get_string(obj, "in")) == NULL)
			r = warn(ctx, "A parameter without a name or \"in\" is "
			    "skipped.");
		else if (strcmp(param.in, "cookie") == 0)
			r = warn(ctx, "The cookie parameter \"%s\" is skipped: "
			    "drio does not send cookies.", param.name);
		else if (strcmp(param.in, "header") == 0 &&
		    header_is_reserved(param.name))
			r = warn(ctx, "The header parameter \"%s\" is ignored, "
			    "as OpenAPI says.", param.name);
		else if (strcmp(param.in, "path") != 0 &&
		    strcmp(param.in, "query") != 0 &&
		    strcmp(param.in, "header") != 0)
			r = warn(ctx, "The parameter \"%s\" is in \"%s\", "
			    "which is unknown; it is skipped.", param.name,
			    param.in);
		else
			r = 1;
		where_restore(ctx, saved);
		if (r == -1)
			goto out;
		if (r == 0) {
			free(where);
			where = NULL;
			continue;
		}

		/* Keep it, in place of an earlier one with its name. */
		param.where = where;
		where = NULL;
		for (j = 0; j < list->n; j++)
			if (param_same(&list->v[j], param.name, param.in))
				break;
		if (j < list->n) {
			free(list->v[j].where);
			list->v[j] = param;
			continue;
		}
		if (list->n == OAS_PARAMETERS_MAX) {
			free(param.where);
			mark = where_push_index(ctx, i);
			r = warn(ctx, "More than %d parameters; this one and "
			    "the rest are skipped.", OAS_PARAMETERS_MAX);
			where_pop(ctx, mark);
			if (r == -1)
				goto out;
			break;
		}
		if (list->n == list->cap) {
			size_t cap = list->cap == 0 ? 8 : list->cap * 2;
			struct oas_param *v;

			v = reallocarray(list->v, cap, sizeof(*v));
			if (v == NULL) {
				free(param.where);
				oom(ctx);
				goto out;
			}
			list->v = v;
			list->cap = cap;
		}
		list->v[list->n++] = param;
	}
	rc = 0;
out:
	free(where);
	return rc;
}

/*
 * Pick the property name for an input: name itself, else "<in>_<name>",
 * else that with "_2", "_3", ... until free in properties.  Writes it to
 * buf.  Returns 0, or -1 when it does not fit.
 */
static int
property_name(json_object *properties, const char *in, const char *name,
    char *buf, size_t size)
{
	unsigned n;

	if ((size_t)snprintf(buf, size, "%s", name) >= size)
		return -1;
	if (!json_object_object_get_ex(properties, buf, NULL))
		return 0;
	if ((size_t)snprintf(buf, size, "%s_%s", in, name) >= size)
		return -1;
	for (n = 2; json_object_object_get_ex(properties, buf, NULL); n++)
		if ((size_t)snprintf(buf, size, "%s_%s_%u", in, name, n) >=
		    size)
			return -1;
	return 0;
}

/* The inputs of one operation as they are assembled. */
struct oas_inputs {
	json_object *properties;   /* input_schema.properties */
	json_object *required;     /* input_schema.required */
	json_object *parameters;   /* property -> {in, name, ...} */
};

/*
 * Add one input property: its schema (a new reference, taken), whether
 * it is required, and its binding {in, name} (name NULL for a whole
 * body).  Returns 0, or -1 with err set.
 */
static int
input_add(struct oas_ctx *ctx, struct oas_inputs *inputs,
    const char *property, json_object *schema, bool required,
    const char *in, const char *name, json_object *param)
{
	json_object *binding, *value;

	if (put(ctx, inputs->properties, property, schema) == -1)
		return -1;
	if (required && append(ctx, inputs->required,
	    json_object_new_string(property)) == -1)
		return -1;
	if ((binding = json_object_new_object()) == NULL)
		return oom(ctx);
	if (put_new(ctx, binding, "in", json_object_new_string(in)) == -1 ||
	    (name != NULL && put_new(ctx, binding, "name",
	    json_object_new_string(name)) == -1))
		goto fail;
	if (param != NULL && strcmp(in, "query") == 0) {
		if (json_object_object_get_ex(param, "style", &value) &&
		    json_object_is_type(value, json_type_string) &&
		    put(ctx, binding, "style", json_object_get(value)) == -1)
			goto fail;
		if (json_object_object_get_ex(param, "explode", &value) &&
		    json_object_is_type(value, json_type_boolean) &&
		    put(ctx, binding, "explode", json_object_get(value)) == -1)
			goto fail;
	}
	return put(ctx, inputs->parameters, property, binding);
fail:
	json_object_put(binding);
	return -1;
}

/*
 * The schema of a parameter: its "schema", or that of the first media
 * type of its "content", cleaned; its description and deprecation copied
 * in when the schema has none.  Returns a new schema, or NULL with err
 * set.
 */
static json_object *
param_schema(struct oas_ctx *ctx, const struct oas_param *param)
{
	json_object *source = NULL, *content, *out = NULL, *value;
	const char *type = NULL;
	char *saved;

	/* The schema to clean: "schema", else the first media type's. */
	if (!json_object_object_get_ex(param->param, "schema", &source) &&
	    (content = get_object(param->param, "content")) != NULL) {
		json_object_object_foreach(content, key, media) {
			type = key;
			if (!json_object_is_type(media, json_type_object) ||
			    !json_object_object_get_ex(media, "schema",
			    &source))
				source = NULL;
			break;
		}
	}
	if (source == NULL)
		out = node_object(ctx);
	else {
		if (where_set(ctx, param->where, &saved) == -1)
			return NULL;
		if (type != NULL) {
			where_push(ctx, "content");
			where_push(ctx, type);
		}
		where_push(ctx, "schema");
		out = schema_clean(ctx, source, 0, false);
		where_restore(ctx, saved);
	}
	if (out == NULL)
		return NULL;

	/* A boolean schema: false accepts nothing and stays; true is {}. */
	if (json_object_is_type(out, json_type_boolean)) {
		if (!json_object_get_boolean(out))
			return out;
		json_object_put(out);
		if ((out = node_object(ctx)) == NULL)
			return NULL;
	}
	if (!json_object_object_get_ex(out, "description", NULL) &&
	    json_object_object_get_ex(param->param, "description", &value) &&
	    json_object_is_type(value, json_type_string) &&
	    put(ctx, out, "description", json_object_get(value)) == -1)
		goto fail;
	if (!json_object_object_get_ex(out, "deprecated", NULL) &&
	    get_true(param->param, "deprecated") &&
	    put_new(ctx, out, "deprecated",
	    json_object_new_boolean(1)) == -1)
		goto fail;
	return out;
fail:
	json_object_put(out);
	return NULL;
}

/*
 * Add a parameter as an input: named by property_name(), required when
 * it is in the path or says so.  Returns 0, or -1 with err set.
 */
static int
param_add(struct oas_ctx *ctx, struct oas_inputs *inputs,
    const struct oas_param *param)
{
	json_object *schema;
	char property[1024];
	bool required;

	if (property_name(inputs->properties, param->in, param->name,
	    property, sizeof(property)) == -1) {
		char *saved;
		int r;

		if (where_set(ctx, param->where, &saved) == -1)
			return -1;
		r = warn(ctx, "The parameter's name is too long; it is "
		    "skipped.");
		where_restore(ctx, saved);
		return r;
	}
	if ((schema = param_schema(ctx, param)) == NULL)
		return -1;
	required = strcmp(param->in, "path") == 0 ||
	    get_true(param->param, "required");
	return input_add(ctx, inputs, property, schema, required, param->in,
	    param->name, param->param);
}

/*
 * Add the path template's variables that no parameter declares, as
 * required strings, with a warning: without them the tool could not
 * fill in its path.  Returns 0, or -1 with err set.
 */
static int
params_add_undeclared(struct oas_ctx *ctx, struct oas_inputs *inputs,
    const char *path, const struct oas_param *const *merged, size_t nmerged)
{
	const char *open, *close;
	char name[256], property[300];
	json_object *schema;
	size_t i, len;

	for (open = strchr(path, '{'); open != NULL;
	    open = strchr(close, '{')) {
		if ((close = strchr(open, '}')) == NULL)
			break;
		len = (size_t)(close - open - 1);
		if (len == 0 || len >= sizeof(name))
			continue;
		memcpy(name, open + 1, len);
		name[len] = '\0';
		for (i = 0; i < nmerged; i++)
			if (param_same(merged[i], name, "path"))
				break;
		if (i < nmerged)
			continue;
		if (warn(ctx, "The path parameter \"%s\" is not declared; it "
		    "is taken as a string.", name) == -1)
			return -1;
		if (property_name(inputs->properties, "path", name, property,
		    sizeof(property)) == -1)
			continue;
		if ((schema = node_object(ctx)) == NULL)
			return -1;
		if (put_new(ctx, schema, "type",
		    node_string(ctx, "string")) == -1) {
			json_object_put(schema);
			return -1;
		}
		if (input_add(ctx, inputs, property, schema, true, "path",
		    name, NULL) == -1)
			return -1;
	}
	return 0;
}

/*
 * How a request media type is ranked: 0 JSON (application/json or any
 * +json), 1 a URL-encoded form, 2 a multipart form, 3 anything else.
 * Parameters (";charset=...") and case do not matter.
 */
static int
media_rank(const char *type)
{
	char base[128];
	size_t len = strcspn(type, ";");

	while (len > 0 && isspace((unsigned char)type[len - 1]))
		len--;
	if (len >= sizeof(base))
		return 3;
	memcpy(base, type, len);
	base[len] = '\0';
	if (strcasecmp(base, "application/json") == 0 ||
	    (len > 5 && strchr(base, '/') != NULL &&
	    strcasecmp(base + len - 5, "+json") == 0))
		return 0;
	if (strcasecmp(base, "application/x-www-form-urlencoded") == 0)
		return 1;
	if (strcasecmp(base, "multipart/form-data") == 0)
		return 2;
	return 3;
}

/*
 * Should a body schema be spread into the inputs, one property each?
 * Only a plain object whose properties are all it says: no composition,
 * no extra or patterned properties, and not nullable.
 */
static bool
body_is_flat(json_object *schema)
{
	static const char *const blocking[] = {
		"allOf", "anyOf", "oneOf", "not", "if", "patternProperties",
		"unevaluatedProperties", NULL
	};
	json_object *type, *extra;
	const char *const *k;

	if (!json_object_is_type(schema, json_type_object) ||
	    get_object(schema, "properties") == NULL)
		return false;
	if (json_object_object_get_ex(schema, "type", &type) &&
	    !(json_object_is_type(type, json_type_string) &&
	    strcmp(json_object_get_string(type), "object") == 0))
		return false;
	for (k = blocking; *k != NULL; k++)
		if (json_object_object_get_ex(schema, *k, NULL))
			return false;
	if (json_object_object_get_ex(schema, "additionalProperties",
	    &extra) && !(json_object_is_type(extra, json_type_boolean) &&
	    !json_object_get_boolean(extra)))
		return false;
	return true;
}

/*
 * Spread the properties of schema, a body that body_is_flat(), into the
 * inputs, each bound to its body member and required when the schema
 * says so and the body is required.  Returns 0, or -1 with err set.
 */
static int
body_flatten(struct oas_ctx *ctx, struct oas_inputs *inputs,
    json_object *schema, bool body_required)
{
	json_object *properties, *list, *value, *listed;
	size_t i, n;
	int rc = -1;

	if ((listed = json_object_new_object()) == NULL)  /* names, as keys */
		return oom(ctx);
	if (body_required && json_object_object_get_ex(schema, "required",
	    &list) && json_object_is_type(list, json_type_array)) {
		n = json_object_array_length(list);
		for (i = 0; i < n; i++) {
			value = json_object_array_get_idx(list, i);
			if (json_object_is_type(value, json_type_string) &&
			    put(ctx, listed, json_object_get_string(value),
			    NULL) == -1)
				goto out;
		}
	}
	properties = get_object(schema, "properties");
	{
		json_object_object_foreach(properties, name, property) {
			if (input_add(ctx, inputs, name,
			    json_object_get(property),
			    json_object_object_get_ex(listed, name, NULL),
			    "body", name, NULL) == -1)
				goto out;
		}
	}
	rc = 0;
out:
	json_object_put(listed);
	return rc;
}

/* Does a property of the body schema have the name of an input already? */
static bool
body_clashes(const struct oas_inputs *inputs, json_object *schema)
{
	json_object_object_foreach(get_object(schema, "properties"), name,
	    property) {
		(void)property;
		if (json_object_object_get_ex(inputs->properties, name, NULL))
			return true;
	}
	return false;
}

/*
 * Add the request body of operation op (if any) to the inputs: one
 * media type picked (JSON, then a form, then multipart, then anything
 * else), its schema spread into properties when body_is_flat() and no
 * name clashes, else one "body" property.  Writes the media type picked
 * to *content_type (borrowed from the document, NULL for no body).
 * Returns 0, or -1 with err set.
 */
static int
body_add(struct oas_ctx *ctx, struct oas_inputs *inputs, json_object *op,
    const char **content_type)
{
	json_object *body, *content, *media = NULL, *source, *schema = NULL;
	json_object *value;
	const char *type = NULL;
	char *where = NULL, *saved = NULL, property[32];
	size_t mark;
	int r, rank = 4, rc = -1;
	bool required;

	*content_type = NULL;
	if (!json_object_object_get_ex(op, "requestBody", &body))
		return 0;
	mark = where_push(ctx, "requestBody");
	r = ref_follow(ctx, body, &body, &where);
	where_pop(ctx, mark);
	if (r != 0)
		return r == 1 ? 0 : -1;
	if (where_set(ctx, where, &saved) == -1)
		goto out;
	if (!json_object_is_type(body, json_type_object) ||
	    (content = get_object(body, "content")) == NULL ||
	    json_object_object_length(content) == 0) {
		rc = warn(ctx, "The request body has no content; it is "
		    "skipped.");
		goto out;
	}
	required = get_true(body, "required");

	/* The media type: the first of the best rank. */
	{
		json_object_object_foreach(content, key, candidate) {
			int k = media_rank(key);

			if (k < rank) {
				rank = k;
				type = key;
				media = candidate;
			}
		}
	}
	where_push(ctx, "content");
	where_push(ctx, type);
	if (rank == 3 && warn(ctx, "The media type \"%s\" is neither JSON "
	    "nor a form; the body is sent as given.", type) == -1)
		goto out;
	if (json_object_is_type(media, json_type_object) &&
	    json_object_object_get_ex(media, "schema", &source)) {
		where_push(ctx, "schema");
		schema = schema_clean(ctx, source, 0, true);
	} else if ((schema = node_object(ctx)) != NULL && rank == 3 &&
	    put_new(ctx, schema, "type", node_string(ctx, "string")) == -1)
		goto out;
	if (schema == NULL)
		goto out;

	if (body_is_flat(schema) && !body_clashes(inputs, schema)) {
		if (body_flatten(ctx, inputs, schema, required) == -1)
			goto out;
	} else {
		if (json_object_is_type(schema, json_type_object) &&
		    !json_object_object_get_ex(schema, "description", NULL) &&
		    json_object_object_get_ex(body, "description", &value) &&
		    json_object_is_type(value, json_type_string) &&
		    put(ctx, schema, "description",
		    json_object_get(value)) == -1)
			goto out;
		if (property_name(inputs->properties, "request", "body",
		    property, sizeof(property)) == -1) {
			/* Cannot happen: "request_body_N" fits. */
			ctx->failed = true;
			error_set(ctx->err, ERR_INTERNAL,
			    "cannot name the request body");
			goto out;
		}
		r = input_add(ctx, inputs, property, schema, required, "body",
		    NULL, NULL);
		schema = NULL;
		if (r == -1)
			goto out;
	}
	*content_type = type;
	rc = 0;
out:
	json_object_put(schema);
	if (saved != NULL)
		where_restore(ctx, saved);
	free(where);
	return rc;
}

/*
 * Append the character c to the key being derived in out (len bytes so
 * far): a letter or digit, lower case, after a "_" if other characters
 * came before it; any other character only marks that gap.  So runs
 * collapse and neither end has a "_".  Returns false once the key is
 * full.
 */
static bool
key_emit(char *out, size_t *len, bool *gap, char c)
{
	size_t need;

	if (!isalnum((unsigned char)c)) {
		*gap = true;
		return true;
	}
	need = (*gap && *len > 0) ? 2 : 1;
	if (*len + need > OAS_KEY_MAX)
		return false;
	if (need == 2)
		out[(*len)++] = '_';
	out[(*len)++] = (char)tolower((unsigned char)c);
	out[*len] = '\0';
	*gap = false;
	return true;
}

/*
 * The key of an operation without an operationId, from its method and
 * path, into out (OAS_KEY_MAX + 1 bytes): lower(method) "_" path, each
 * {x} read as by_x, every run of other than letters and digits one "_",
 * none at the ends, at most OAS_KEY_MAX bytes ("GET /users/{id}/repos"
 * is "get_users_by_id_repos", "GET /" is "get").  Can't fail.
 */
static void
key_derive(const char *method, const char *path, char *out)
{
	const char *p, *close;
	size_t len = 0;
	bool gap = false, room = true;

	out[0] = '\0';
	for (p = method; *p != '\0' && room; p++)
		room = key_emit(out, &len, &gap, *p);
	gap = true;
	for (p = path; *p != '\0' && room; p++) {
		if (*p == '{' && (close = strchr(p, '}')) != NULL) {
			room = key_emit(out, &len, &gap, 'b') &&
			    key_emit(out, &len, &gap, 'y') &&
			    key_emit(out, &len, &gap, '_');
			for (p++; p < close && room; p++)
				room = key_emit(out, &len, &gap, *p);
			p = close;
			continue;
		}
		room = key_emit(out, &len, &gap, *p);
	}
}

/*
 * Make key (a buffer of OAS_KEY_MAX + 1 bytes) unique among the keys in
 * used, appending "_2", "_3", ... to the first bytes that fit, and
 * record it there.  used maps each key to null, or, once a key has been
 * taken twice, to the next number to try after it, so that many
 * duplicates cost no more than a few.  Writes whether the key had to
 * change to *changed.  Returns 0, or -1 with err set.
 */
static int
key_unique(struct oas_ctx *ctx, json_object *used, char *key, bool *changed)
{
	char base[OAS_KEY_MAX + 1], suffix[16];
	json_object *next;
	int64_t n;
	size_t len;

	*changed = false;
	if (!json_object_object_get_ex(used, key, &next))
		return put(ctx, used, key, NULL);
	*changed = true;
	memcpy(base, key, strlen(key) + 1);
	for (n = next == NULL ? 2 : json_object_get_int64(next); ; n++) {
		snprintf(suffix, sizeof(suffix), "_%lld", (long long)n);
		len = utf8_prefix_bytes(base, OAS_KEY_MAX - strlen(suffix));
		memcpy(key, base, len);
		memcpy(key + len, suffix, strlen(suffix) + 1);
		if (!json_object_object_get_ex(used, key, NULL))
			break;
	}
	if (put_new(ctx, used, base, json_object_new_int64(n + 1)) == -1)
		return -1;
	return put(ctx, used, key, NULL);
}

/*
 * A text of the operation (summary or description) cut to max_chars
 * characters on a UTF-8 boundary; "" when absent.  Returns a new string
 * object, or NULL when memory is exhausted.
 */
static json_object *
text_cut(json_object *op, const char *key, size_t max_chars)
{
	const char *s = get_string(op, key);

	if (s == NULL)
		s = "";
	return json_object_new_string_len(s,
	    (int)utf8_prefix_chars(s, max_chars));
}

/*
 * Build the operation method (lower case, as the document spells it)
 * on path and append it to ops.  ctx's pointer is the operation's.
 * path_params are the path item's parameters.  Returns 0 (also when the
 * operation is skipped, with a warning), or -1 with err set.
 */
static int
operation_build(struct oas_ctx *ctx, const char *path,
    const char *method, json_object *op, const struct oas_params *path_params,
    json_object *used, json_object *ops)
{
	struct oas_params own = { NULL, 0, 0 };
	struct oas_inputs inputs = { NULL, NULL, NULL };
	const struct oas_param **merged = NULL;
	json_object *operation = NULL, *schema = NULL, *value;
	const char *operation_id, *content_type;
	char key[OAS_KEY_MAX + 1], upper[16];
	size_t i, j, nmerged = 0, mark, id_len;
	bool changed;
	int r, rc = -1;

	if (!json_object_is_type(op, json_type_object))
		return warn(ctx, "The operation is not an object; it is "
		    "skipped.");
	if (json_object_object_get_ex(op, "parameters", &value)) {
		mark = where_push(ctx, "parameters");
		r = params_read(ctx, value, &own);
		where_pop(ctx, mark);
		if (r == -1)
			goto out;
	}

	/* The path item's parameters, each replaced in place by the
	 * operation's of the same (name, in); then the operation's own. */
	merged = calloc(path_params->n + own.n + 1, sizeof(*merged));
	if (merged == NULL) {
		oom(ctx);
		goto out;
	}
	for (i = 0; i < path_params->n; i++) {
		const struct oas_param *p = &path_params->v[i];

		for (j = 0; j < own.n; j++)
			if (param_same(&own.v[j], p->name, p->in))
				break;
		merged[nmerged++] = j < own.n ? &own.v[j] : p;
	}
	for (j = 0; j < own.n; j++) {
		for (i = 0; i < nmerged; i++)
			if (merged[i] == &own.v[j])
				break;
		if (i == nmerged)
			merged[nmerged++] = &own.v[j];
	}

	inputs.properties = json_object_new_object();
	inputs.required = json_object_new_array();
	inputs.parameters = json_object_new_object();
	if (inputs.properties == NULL || inputs.required == NULL ||
	    inputs.parameters == NULL) {
		oom(ctx);
		goto out;
	}
	for (i = 0; i < nmerged; i++)
		if (param_add(ctx, &inputs, merged[i]) == -1)
			goto out;
	if (params_add_undeclared(ctx, &inputs, path, merged, nmerged) == -1)
		goto out;
	if (body_add(ctx, &inputs, op, &content_type) == -1)
		goto out;

	/* The key: the operationId, trimmed, or one derived. */
	operation_id = get_string(op, "operationId");
	key[0] = '\0';
	if (operation_id != NULL) {
		const char *s = operation_id;

		while (isspace((unsigned char)*s))
			s++;
		id_len = strlen(s);
		while (id_len > 0 && isspace((unsigned char)s[id_len - 1]))
			id_len--;
		id_len = utf8_cut(s, id_len, OAS_KEY_MAX);
		memcpy(key, s, id_len);
		key[id_len] = '\0';
	}
	if (key[0] == '\0')
		key_derive(method, path, key);
	if (key_unique(ctx, used, key, &changed) == -1)
		goto out;
	if (changed && operation_id != NULL) {
		mark = where_push(ctx, "operationId");
		r = warn(ctx, "The operationId \"%s\" is used more than once; "
		    "this operation's key is \"%s\".", operation_id, key);
		where_pop(ctx, mark);
		if (r == -1)
			goto out;
	} else if (changed && warn(ctx, "The key derived for this operation "
	    "is taken; its key is \"%s\".", key) == -1)
		goto out;

	for (i = 0; method[i] != '\0' && i + 1 < sizeof(upper); i++)
		upper[i] = (char)toupper((unsigned char)method[i]);
	upper[i] = '\0';

	if ((schema = json_object_new_object()) == NULL ||
	    put_new(ctx, schema, "type",
	    json_object_new_string("object")) == -1 ||
	    put(ctx, schema, "properties",
	    json_object_get(inputs.properties)) == -1 ||
	    (json_object_array_length(inputs.required) > 0 &&
	    put(ctx, schema, "required",
	    json_object_get(inputs.required)) == -1) ||
	    put_new(ctx, schema, "additionalProperties",
	    json_object_new_boolean(0)) == -1) {
		if (schema == NULL)
			oom(ctx);
		goto out;
	}
	if ((operation = json_object_new_object()) == NULL) {
		oom(ctx);
		goto out;
	}
	if (put_new(ctx, operation, "key", json_object_new_string(key)) ==
	    -1 ||
	    put(ctx, operation, "operation_id", operation_id == NULL ? NULL :
	    json_object_get(json_object_object_get(op, "operationId"))) ==
	    -1 ||
	    put_new(ctx, operation, "method",
	    json_object_new_string(upper)) == -1 ||
	    put_new(ctx, operation, "path", json_object_new_string(path)) ==
	    -1 ||
	    put_new(ctx, operation, "summary",
	    text_cut(op, "summary", OAS_SUMMARY_MAX)) == -1 ||
	    put_new(ctx, operation, "description",
	    text_cut(op, "description", OAS_DESCRIPTION_MAX)) == -1 ||
	    put_new(ctx, operation, "deprecated",
	    json_object_new_boolean(get_true(op, "deprecated"))) == -1 ||
	    put(ctx, operation, "input_schema",
	    json_object_get(schema)) == -1 ||
	    put(ctx, operation, "parameters",
	    json_object_get(inputs.parameters)) == -1 ||
	    (content_type == NULL ?
	    put(ctx, operation, "body_content_type", NULL) :
	    put_new(ctx, operation, "body_content_type",
	    json_object_new_string(content_type))) == -1)
		goto out;
	if (append(ctx, ops, operation) == -1) {
		operation = NULL;
		goto out;
	}
	operation = NULL;
	rc = 0;
out:
	json_object_put(operation);
	json_object_put(schema);
	json_object_put(inputs.properties);
	json_object_put(inputs.required);
	json_object_put(inputs.parameters);
	free(merged);
	oas_params_free(&own);
	return rc;
}

/*
 * Check the "openapi" (or "swagger") member and copy the version into
 * info.  Returns 0, or -1 with ERR_VALIDATION in err.
 */
static int
version_check(json_object *doc, struct oas_info *info, struct error *err)
{
	const char *version = get_string(doc, "openapi"), *p;
	char msg[128];

	if (version == NULL && json_object_object_get_ex(doc, "swagger",
	    NULL)) {
		error_set(err, ERR_VALIDATION,
		    "Swagger 2.0 documents are not supported.");
		error_hint(err, "Convert it to OpenAPI 3 first, for example "
		    "with swagger2openapi, and import the result.");
		error_add_detail(err, "body", "/swagger",
		    "Only OpenAPI 3.0 and 3.1 are supported", "value_error");
		return -1;
	}
	if (version == NULL) {
		error_set(err, ERR_VALIDATION,
		    "The document is not an OpenAPI 3 document.");
		error_hint(err, "An OpenAPI document names its version in "
		    "\"openapi\", such as \"3.1.0\".");
		error_add_detail(err, "body", "/openapi",
		    "Field required", "missing");
		return -1;
	}
	p = version + 4;
	if ((strncmp(version, "3.0.", 4) != 0 &&
	    strncmp(version, "3.1.", 4) != 0) ||
	    !isdigit((unsigned char)*p) ||
	    strlen(version) >= sizeof(info->openapi)) {
		error_set(err, ERR_VALIDATION, "Only OpenAPI 3.0 and 3.1 "
		    "documents are supported.");
		snprintf(msg, sizeof(msg), "Version \"%.*s\" is not 3.0.x or "
		    "3.1.x", (int)utf8_prefix_bytes(version, 32), version);
		error_add_detail(err, "body", "/openapi", msg, "value_error");
		return -1;
	}
	snprintf(info->openapi, sizeof(info->openapi), "%s", version);
	return 0;
}

/* Copy s into buf (size bytes), cut on a UTF-8 boundary.  Can't fail. */
static void
copy_cut(char *buf, size_t size, const char *s)
{
	size_t len = utf8_prefix_bytes(s, size - 1);

	memcpy(buf, s, len);
	buf[len] = '\0';
}

/*
 * Read info.title, info.version and the first server's URL, its
 * {variables} replaced by their defaults, into info.  A URL that does
 * not fit is left out with a warning.  Returns 0, or -1 with err set.
 */
static int
info_read(struct oas_ctx *ctx, json_object *doc, struct oas_info *info)
{
	json_object *obj, *servers, *server, *variables, *variable;
	const char *s, *p, *close, *value;
	char name[256], *url = info->server_url;
	size_t len = 0, n, mark, size = sizeof(info->server_url);
	int r;

	if ((obj = get_object(doc, "info")) != NULL) {
		if ((s = get_string(obj, "title")) != NULL)
			copy_cut(info->title, sizeof(info->title), s);
		if ((s = get_string(obj, "version")) != NULL)
			copy_cut(info->version, sizeof(info->version), s);
	}
	if (!json_object_object_get_ex(doc, "servers", &servers) ||
	    !json_object_is_type(servers, json_type_array) ||
	    json_object_array_length(servers) == 0)
		return 0;
	server = json_object_array_get_idx(servers, 0);
	if (!json_object_is_type(server, json_type_object) ||
	    (s = get_string(server, "url")) == NULL)
		return 0;
	variables = get_object(server, "variables");
	for (p = s; *p != '\0'; p++) {
		value = NULL;
		n = 1;
		if (*p == '{' && (close = strchr(p, '}')) != NULL &&
		    (size_t)(close - p - 1) < sizeof(name)) {
			memcpy(name, p + 1, (size_t)(close - p - 1));
			name[close - p - 1] = '\0';
			if (variables != NULL &&
			    (variable = get_object(variables, name)) != NULL)
				value = get_string(variable, "default");
			if (value != NULL)
				p = close;
		}
		if (value == NULL)
			value = p;
		else
			n = strlen(value);
		if (len + n >= size) {
			url[0] = '\0';
			mark = where_push(ctx, "servers");
			where_push(ctx, "0");
			where_push(ctx, "url");
			r = warn(ctx, "The server URL is longer than %zu "
			    "bytes; it is left out.", size - 1);
			where_pop(ctx, mark);
			return r;
		}
		memcpy(url + len, value, n);
		len += n;
	}
	url[len] = '\0';
	return 0;
}

/*
 * Read one path item (at the pointer being read): its parameters, then
 * each operation in the document's order.  Returns 0, or -1 with err
 * set.
 */
static int
path_read(struct oas_ctx *ctx, const char *path, json_object *item,
    json_object *used, json_object *ops)
{
	struct oas_params shared = { NULL, 0, 0 };
	json_object *value;
	char *where = NULL, *saved = NULL;
	size_t mark;
	int r, rc = -1;

	if (path[0] != '/')
		return warn(ctx, "A path must start with \"/\"; this one is "
		    "skipped.");
	r = ref_follow(ctx, item, &item, &where);
	if (r != 0)
		return r == 1 ? 0 : -1;
	if (where_set(ctx, where, &saved) == -1)
		goto out;
	if (!json_object_is_type(item, json_type_object)) {
		rc = warn(ctx, "The path item is not an object; it is "
		    "skipped.");
		goto out;
	}
	if (json_object_object_get_ex(item, "parameters", &value)) {
		mark = where_push(ctx, "parameters");
		r = params_read(ctx, value, &shared);
		where_pop(ctx, mark);
		if (r == -1)
			goto out;
	}
	{
		json_object_object_foreach(item, method, op) {
			if (strcmp(method, "trace") == 0) {
				mark = where_push(ctx, method);
				r = warn(ctx, "TRACE operations are skipped.");
				where_pop(ctx, mark);
				if (r == -1)
					goto out;
				continue;
			}
			if (!word_in(method, http_methods))
				continue;
			if (json_object_array_length(ops) ==
			    OAS_OPERATIONS_MAX) {
				error_set(ctx->err, ERR_VALIDATION, "The "
				    "document has more than %d operations.",
				    OAS_OPERATIONS_MAX);
				error_hint(ctx->err, "Import a smaller part "
				    "of the API.");
				error_add_detail(ctx->err, "body", "/paths",
				    "Too many operations", "too_long");
				goto out;
			}
			mark = where_push(ctx, method);
			r = operation_build(ctx, path, method, op, &shared,
			    used, ops);
			where_pop(ctx, mark);
			if (r == -1)
				goto out;
		}
	}
	rc = 0;
out:
	if (saved != NULL)
		where_restore(ctx, saved);
	free(where);
	oas_params_free(&shared);
	return rc;
}

int
oas_discover(json_object *doc, json_object **operations,
    json_object **warnings, struct oas_info *info, struct error *err)
{
	struct oas_ctx ctx;
	json_object *paths, *ops = NULL, *used = NULL;
	size_t mark;
	int rc = -1;

	*operations = NULL;
	*warnings = NULL;
	memset(info, 0, sizeof(*info));
	memset(&ctx, 0, sizeof(ctx));
	ctx.doc = doc;
	ctx.err = err;
	if (!json_object_is_type(doc, json_type_object)) {
		error_set(err, ERR_VALIDATION,
		    "The document is not a JSON object.");
		error_add_detail(err, "body", "", "Input should be an object",
		    "dict_type");
		return -1;
	}
	if (version_check(doc, info, err) == -1)
		return -1;
	ctx.v31 = strncmp(info->openapi, "3.1.", 4) == 0;
	if (!json_object_object_get_ex(doc, "paths", &paths) ||
	    !json_object_is_type(paths, json_type_object)) {
		error_set(err, ERR_VALIDATION, paths == NULL ?
		    "The document has no \"paths\"." :
		    "The document's \"paths\" is not an object.");
		error_add_detail(err, "body", "/paths", paths == NULL ?
		    "Field required" : "Input should be an object",
		    paths == NULL ? "missing" : "dict_type");
		return -1;
	}
	ctx.warnings = json_object_new_array();
	ops = json_object_new_array();
	used = json_object_new_object();
	if (ctx.warnings == NULL || ops == NULL || used == NULL) {
		oom(&ctx);
		goto out;
	}
	if (info_read(&ctx, doc, info) == -1)
		goto out;
	mark = where_push(&ctx, "paths");
	{
		json_object_object_foreach(paths, path, item) {
			size_t mark2;
			int r;

			if (strncmp(path, "x-", 2) == 0)
				continue;
			mark2 = where_push(&ctx, path);
			r = path_read(&ctx, path, item, used, ops);
			where_pop(&ctx, mark2);
			if (r == -1)
				goto out;
		}
	}
	where_pop(&ctx, mark);
	*operations = ops;
	*warnings = ctx.warnings;
	ops = NULL;
	ctx.warnings = NULL;
	rc = 0;
out:
	json_object_put(ops);
	json_object_put(used);
	json_object_put(ctx.warnings);
	return rc;
}

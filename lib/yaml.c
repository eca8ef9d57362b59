/*
 * yaml.c: YAML to JSON and back on top of libyaml (see yaml.h for the
 * rules).  Reading walks libyaml's event stream and builds json-c values
 * with an explicit stack, so nothing here recurses on the input; writing
 * walks the JSON value (its depth bounded) and feeds libyaml's emitter,
 * choosing for each string a style that reads back as the same string.
 *
 * Locale: strtod() and snprintf("%g") read and write numbers with the
 * C locale's decimal point; drio never calls setlocale(), like json-c,
 * which makes the same assumption.
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "yaml.h"
#include "utf8.h"

/* The tags of the core schema, as libyaml expands !!str and the rest. */
#define TAG_PREFIX "tag:yaml.org,2002:"
#define TAG_STR    TAG_PREFIX "str"
#define TAG_NULL   TAG_PREFIX "null"
#define TAG_BOOL   TAG_PREFIX "bool"
#define TAG_INT    TAG_PREFIX "int"
#define TAG_FLOAT  TAG_PREFIX "float"
#define TAG_MERGE  TAG_PREFIX "merge"

/*
 * Room for a double's digits from "%.16e" ("-1.2345678901234567e-308",
 * 24 characters) and for the double as written (at most "-0.00001" and
 * 17 digits, 25).
 */
#define DOUBLE_DIGITS_SIZE 32
#define DOUBLE_TEXT_SIZE   40

/*
 * What a plain scalar is under the core schema.  The emitter asks the
 * same question to know whether a string may be written plain.
 */
enum plain_kind {
	PLAIN_NULL,
	PLAIN_TRUE,
	PLAIN_FALSE,
	PLAIN_INT_DECIMAL,
	PLAIN_INT_OCTAL,
	PLAIN_INT_HEX,
	PLAIN_FLOAT,
	PLAIN_INFINITY,
	PLAIN_NAN,
	PLAIN_STRING
};

/* Is s (len bytes) exactly one of the NULL-terminated words? */
static bool
is_one_of(const char *s, size_t len, const char *const *words)
{
	for (; *words != NULL; words++)
		if (strlen(*words) == len && memcmp(s, *words, len) == 0)
			return true;
	return false;
}

/* Is c a digit in base 8, 10 or 16? */
static bool
is_digit_in(char c, int base)
{
	if (base == 8)
		return c >= '0' && c <= '7';
	if (base == 10)
		return c >= '0' && c <= '9';
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

/* Are the len bytes at s one or more digits in base? */
static bool
all_digits(const char *s, size_t len, int base)
{
	size_t i;

	if (len == 0)
		return false;
	for (i = 0; i < len; i++)
		if (!is_digit_in(s[i], base))
			return false;
	return true;
}

/*
 * Does s match the core schema's float,
 * [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
 */
static bool
is_core_float(const char *s, size_t len)
{
	size_t i = 0, digits;

	if (i < len && (s[i] == '-' || s[i] == '+'))
		i++;
	if (i < len && s[i] == '.') {
		i++;
		for (digits = 0; i < len && is_digit_in(s[i], 10); i++)
			digits++;
		if (digits == 0)
			return false;
	} else {
		for (digits = 0; i < len && is_digit_in(s[i], 10); i++)
			digits++;
		if (digits == 0)
			return false;
		if (i < len && s[i] == '.')
			for (i++; i < len && is_digit_in(s[i], 10); i++)
				continue;
	}
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < len && (s[i] == '-' || s[i] == '+'))
			i++;
		for (digits = 0; i < len && is_digit_in(s[i], 10); i++)
			digits++;
		if (digits == 0)
			return false;
	}
	return i == len;
}

/* Resolve the text of a plain scalar by the core schema.  Can't fail. */
static enum plain_kind
plain_kind(const char *s, size_t len)
{
	static const char *const nulls[] = { "null", "Null", "NULL", "~", NULL };
	static const char *const trues[] = { "true", "True", "TRUE", NULL };
	static const char *const falses[] = { "false", "False", "FALSE", NULL };
	static const char *const infinities[] = { ".inf", ".Inf", ".INF", NULL };
	static const char *const nans[] = { ".nan", ".NaN", ".NAN", NULL };
	size_t sign;

	if (len == 0 || is_one_of(s, len, nulls))
		return PLAIN_NULL;
	if (is_one_of(s, len, trues))
		return PLAIN_TRUE;
	if (is_one_of(s, len, falses))
		return PLAIN_FALSE;
	if (is_one_of(s, len, nans))
		return PLAIN_NAN;
	sign = s[0] == '-' || s[0] == '+';
	if (is_one_of(s + sign, len - sign, infinities))
		return PLAIN_INFINITY;
	if (len > 2 && s[0] == '0' && s[1] == 'o' &&
	    all_digits(s + 2, len - 2, 8))
		return PLAIN_INT_OCTAL;
	if (len > 2 && s[0] == '0' && s[1] == 'x' &&
	    all_digits(s + 2, len - 2, 16))
		return PLAIN_INT_HEX;
	if (all_digits(s + sign, len - sign, 10))
		return PLAIN_INT_DECIMAL;
	if (is_core_float(s, len))
		return PLAIN_FLOAT;
	return PLAIN_STRING;
}

/* ------------------------------------------------------------------ */
/* Reading                                                             */
/* ------------------------------------------------------------------ */

/*
 * An anchor seen so far.  An alias shares node (a reference this entry
 * owns); nodes and height are what the anchored node adds to the count
 * and depth of whatever contains the alias.
 */
struct anchor {
	json_object *node;   /* owned reference; NULL for JSON null */
	char *text;          /* a scalar's text, for use as a key; owned */
	size_t text_len;
	bool scalar;         /* text is set */
	bool open;           /* still being read: aliasing it is recursive */
	size_t nodes;        /* JSON nodes it holds, aliases expanded */
	size_t height;       /* levels of mappings and sequences it holds */
};

/* A mapping or sequence being read. */
struct frame {
	json_object *node;   /* the object or array being filled; owned */
	bool mapping;
	size_t anchor;       /* index of its anchor in anchors + 1, or 0 */
	size_t nodes_start;  /* parse.nodes before it was counted */
	size_t level;        /* 1 for the outermost */
	size_t deepest;      /* deepest level inside, aliases expanded */
	yaml_mark_t mark;    /* where it starts */
	/* Mappings only. */
	char *key;           /* the key waiting for its value, or NULL */
	bool key_is_merge;   /* that key is << */
	bool merged;         /* a << key was seen */
	json_object *merges; /* mappings to merge in, or NULL; owned */
};

/* The state of one yaml_parse_json() call. */
struct parse {
	const char *text;
	size_t len;
	yaml_parser_t parser;
	struct frame frames[YAML_JSON_MAX_DEPTH];
	size_t depth;               /* frames in use */
	struct anchor *anchors;
	size_t nanchors;
	size_t anchors_size;
	json_object *anchor_index;  /* name -> index in anchors */
	size_t nodes;               /* JSON nodes so far, aliases expanded */
	json_object *root;
	int documents;
	struct error *err;
};

/*
 * Report a problem at mark (libyaml's 0-based line and column):
 * ERR_BAD_REQUEST, the 1-based position in the message and as
 * {"line", "column"} in details.  Always returns -1.
 */
static int
parse_fail_at(struct parse *p, size_t line, size_t column,
    const char *fmt, ...) __attribute__((__format__(printf, 4, 5)));

static int
parse_fail_at(struct parse *p, size_t line, size_t column,
    const char *fmt, ...)
{
	char problem[200];
	json_object *details;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(problem, sizeof(problem), fmt, ap);
	va_end(ap);
	error_set(p->err, ERR_BAD_REQUEST,
	    "YAML parse error at line %zu, column %zu: %s", line + 1,
	    column + 1, problem);
	if (p->err == NULL)
		return -1;
	/* Without memory the message alone still says where. */
	if ((details = json_object_new_object()) == NULL)
		return -1;
	if (json_object_object_add(details, "line",
	    json_object_new_int64((int64_t)line + 1)) != 0 ||
	    json_object_object_add(details, "column",
	    json_object_new_int64((int64_t)column + 1)) != 0) {
		json_object_put(details);
		return -1;
	}
	p->err->details = details;
	return -1;
}

#define parse_fail(p, mark, ...) \
	parse_fail_at((p), (mark)->line, (mark)->column, __VA_ARGS__)

/* Report memory exhaustion.  Always returns -1. */
static int
parse_oom(struct parse *p)
{
	return error_set(p->err, ERR_INTERNAL,
	    "Out of memory while reading YAML.");
}

/*
 * The 0-based line and column of byte offset in the input, for libyaml's
 * reader errors, which give only an offset.  Lines end at LF, CRLF or a
 * lone CR; columns count characters, as libyaml's marks do.
 */
static void
offset_position(const struct parse *p, size_t offset, size_t *line,
    size_t *column)
{
	size_t i;

	*line = 0;
	*column = 0;
	for (i = 0; i < offset && i < p->len; i++) {
		unsigned char c = (unsigned char)p->text[i];

		if (c == '\n' || (c == '\r' &&
		    (i + 1 >= p->len || p->text[i + 1] != '\n'))) {
			(*line)++;
			*column = 0;
		} else if (c != '\r' && (c & 0xc0) != 0x80) {
			(*column)++;
		}
	}
}

/* Turn libyaml's failure into err.  Always returns -1. */
static int
parse_libyaml_error(struct parse *p)
{
	const yaml_parser_t *y = &p->parser;
	size_t line, column;
	int rc;

	switch (y->error) {
	case YAML_READER_ERROR:
		offset_position(p, y->problem_offset, &line, &column);
		if (y->problem_value != -1)
			return parse_fail_at(p, line, column, "%s (#x%X)",
			    y->problem, (unsigned)y->problem_value);
		return parse_fail_at(p, line, column, "%s", y->problem);
	case YAML_SCANNER_ERROR:
	case YAML_PARSER_ERROR:
		rc = parse_fail(p, &y->problem_mark, "%s",
		    y->problem != NULL ? y->problem : "malformed YAML");
		if (y->context != NULL && p->err != NULL)
			error_hint(p->err, "Check the indentation and quoting "
			    "from line %zu, column %zu (the error was found %s "
			    "that starts there).", y->context_mark.line + 1,
			    y->context_mark.column + 1, y->context);
		return rc;
	case YAML_MEMORY_ERROR:
		return parse_oom(p);
	default:
		return error_set(p->err, ERR_INTERNAL,
		    "libyaml failed while reading YAML.");
	}
}

/*
 * Count n more JSON nodes at mark.  Returns 0, or -1 and err when the
 * document now holds more than YAML_JSON_MAX_NODES.
 */
static int
parse_count(struct parse *p, size_t n, const yaml_mark_t *mark)
{
	if (n > YAML_JSON_MAX_NODES - p->nodes)
		return parse_fail(p, mark, "the document expands to more "
		    "than %d values (through aliases?)", YAML_JSON_MAX_NODES);
	p->nodes += n;
	return 0;
}

/*
 * Copy up to 60 bytes of a key into out (at least 64 bytes) for a
 * message: cut at a character boundary, control characters as '?', and
 * "..." when it was cut, so the message stays one valid UTF-8 line.
 * Can't fail.
 */
static void
key_for_message(const char *key, char *out)
{
	size_t i = 0, o = 0;

	while (key[i] != '\0' && o < 60) {
		unsigned char c = (unsigned char)key[i];
		size_t width = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;

		if (o + width > 60)
			break;
		if (c < 0x20 || c == 0x7f) {
			out[o++] = '?';
			i++;
			continue;
		}
		memcpy(out + o, key + i, width);
		o += width;
		i += width;
	}
	if (key[i] != '\0' && o <= 60) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

/*
 * Start an anchor named name: a new entry, which the index now finds
 * instead of any earlier anchor of that name (YAML lets a name be
 * reused).  Sets *index.  Returns 0, or -1 and err.
 */
static int
anchor_start(struct parse *p, const char *name, size_t *index)
{
	struct anchor *grown;
	json_object *slot;
	size_t size;

	if (p->nanchors == p->anchors_size) {
		size = p->anchors_size == 0 ? 16 : p->anchors_size * 2;
		grown = reallocarray(p->anchors, size, sizeof(*grown));
		if (grown == NULL)
			return parse_oom(p);
		p->anchors = grown;
		p->anchors_size = size;
	}
	if (p->anchor_index == NULL &&
	    (p->anchor_index = json_object_new_object()) == NULL)
		return parse_oom(p);
	if ((slot = json_object_new_int64((int64_t)p->nanchors)) == NULL)
		return parse_oom(p);
	if (json_object_object_add(p->anchor_index, name, slot) != 0) {
		json_object_put(slot);
		return parse_oom(p);
	}
	*index = p->nanchors++;
	memset(&p->anchors[*index], 0, sizeof(p->anchors[*index]));
	p->anchors[*index].open = true;
	return 0;
}

/*
 * Hand a finished node to what holds it: the document, the array being
 * filled, or the mapping being filled, as a key or as a value.  Takes the
 * reference to value on every path.  text and len are a scalar's text
 * (text NULL for a mapping or sequence), used when the node is a key;
 * merge says the node is a plain, untagged <<.  mark is where the node
 * starts.  Returns 0, or -1 and err.
 */
static int
parse_add(struct parse *p, json_object *value, const char *text, size_t len,
    bool merge, const yaml_mark_t *mark)
{
	struct frame *f;
	size_t i, n = 0;
	int rc = -1;

	if (p->depth == 0) {
		p->root = value;
		return 0;
	}
	f = &p->frames[p->depth - 1];
	if (!f->mapping) {
		if (json_object_array_add(f->node, value) != 0) {
			json_object_put(value);
			return parse_oom(p);
		}
		return 0;
	}
	if (f->key == NULL) {
		/* A key: only its text matters. */
		if (text == NULL) {
			parse_fail(p, mark, "a mapping key must be a scalar, "
			    "not a mapping or sequence");
			goto out;
		}
		if (memchr(text, '\0', len) != NULL) {
			parse_fail(p, mark, "a mapping key contains a NUL "
			    "character");
			goto out;
		}
		if (merge ? f->merged :
		    json_object_object_get_ex(f->node, text, NULL)) {
			char shown[64];

			key_for_message(text, shown);
			parse_fail(p, mark, "duplicate key \"%s\"", shown);
			goto out;
		}
		if ((f->key = strdup(text)) == NULL) {
			parse_oom(p);
			goto out;
		}
		f->key_is_merge = merge;
		f->merged = f->merged || merge;
		rc = 0;
		goto out;
	}
	if (f->key_is_merge) {
		/* << takes a mapping or a sequence of mappings. */
		bool mappings = json_object_is_type(value, json_type_object);

		if (json_object_is_type(value, json_type_array)) {
			mappings = true;
			n = json_object_array_length(value);
			for (i = 0; i < n; i++)
				if (!json_object_is_type(json_object_array_get_idx(
				    value, i), json_type_object))
					mappings = false;
		}
		if (!mappings) {
			parse_fail(p, mark, "the merge key << takes a mapping "
			    "or a sequence of mappings");
			goto out;
		}
		if (f->merges == NULL &&
		    (f->merges = json_object_new_array()) == NULL) {
			parse_oom(p);
			goto out;
		}
		if (json_object_is_type(value, json_type_object)) {
			if (json_object_array_add(f->merges,
			    json_object_get(value)) != 0) {
				json_object_put(value);
				parse_oom(p);
				goto out;
			}
		} else {
			for (i = 0; i < n; i++) {
				json_object *m = json_object_array_get_idx(value,
				    i);

				if (json_object_array_add(f->merges,
				    json_object_get(m)) != 0) {
					json_object_put(m);
					parse_oom(p);
					goto out;
				}
			}
		}
	} else {
		if (json_object_object_add_ex(f->node, f->key, value,
		    JSON_C_OBJECT_ADD_KEY_IS_NEW) != 0) {
			parse_oom(p);
			goto out;
		}
		value = NULL;
	}
	free(f->key);
	f->key = NULL;
	f->key_is_merge = false;
	rc = 0;
out:
	json_object_put(value);
	return rc;
}

/*
 * Put the merged mappings of f (<<) into its object: merged keys first,
 * in the order of the merged mappings, each taking its value from the
 * mapping's own key of that name if there is one, else from the first
 * merged mapping that has it; then the mapping's own other keys.
 * Returns 0, or -1 and err.
 */
static int
parse_merge(struct parse *p, struct frame *f)
{
	json_object *result, *own;
	size_t i, n;

	if ((result = json_object_new_object()) == NULL)
		return parse_oom(p);
	n = json_object_array_length(f->merges);
	for (i = 0; i < n; i++) {
		json_object_object_foreach(json_object_array_get_idx(f->merges,
		    i), key, merged) {
			if (json_object_object_get_ex(result, key, NULL))
				continue;
			if (!json_object_object_get_ex(f->node, key, &own))
				own = merged;
			if (json_object_object_add(result, key,
			    json_object_get(own)) != 0) {
				json_object_put(own);
				goto fail;
			}
		}
	}
	json_object_object_foreach(f->node, key, value) {
		if (json_object_object_get_ex(result, key, NULL))
			continue;
		if (json_object_object_add_ex(result, key,
		    json_object_get(value), JSON_C_OBJECT_ADD_KEY_IS_NEW) != 0) {
			json_object_put(value);
			goto fail;
		}
	}
	json_object_put(f->node);
	f->node = result;
	json_object_put(f->merges);
	f->merges = NULL;
	return 0;
fail:
	json_object_put(result);
	return parse_oom(p);
}

/* Release what a frame owns.  Can't fail. */
static void
frame_free(struct frame *f)
{
	json_object_put(f->node);
	json_object_put(f->merges);
	free(f->key);
	memset(f, 0, sizeof(*f));
}

/* Open a mapping or sequence.  Returns 0, or -1 and err. */
static int
parse_open(struct parse *p, const yaml_event_t *ev, bool mapping)
{
	const yaml_char_t *anchor = mapping ?
	    ev->data.mapping_start.anchor : ev->data.sequence_start.anchor;
	struct frame *f;
	size_t index;

	if (p->depth > 0 && p->frames[p->depth - 1].mapping &&
	    p->frames[p->depth - 1].key == NULL)
		return parse_fail(p, &ev->start_mark, "a mapping key must be "
		    "a scalar, not a mapping or sequence");
	if (p->depth == YAML_JSON_MAX_DEPTH)
		return parse_fail(p, &ev->start_mark, "mappings and sequences "
		    "are nested deeper than %d levels", YAML_JSON_MAX_DEPTH);
	f = &p->frames[p->depth];
	memset(f, 0, sizeof(*f));
	f->mapping = mapping;
	f->level = p->depth + 1;
	f->deepest = f->level;
	f->mark = ev->start_mark;
	f->nodes_start = p->nodes;
	if (parse_count(p, 1, &ev->start_mark) != 0)
		return -1;
	f->node = mapping ? json_object_new_object() : json_object_new_array();
	if (f->node == NULL)
		return parse_oom(p);
	p->depth++;
	if (anchor != NULL) {
		if (anchor_start(p, (const char *)anchor, &index) != 0)
			return -1;
		f->anchor = index + 1;
	}
	return 0;
}

/* Close the innermost mapping or sequence.  Returns 0, or -1 and err. */
static int
parse_close(struct parse *p)
{
	struct frame *f = &p->frames[p->depth - 1];
	struct anchor *a;
	json_object *node;
	yaml_mark_t mark = f->mark;

	if (f->merges != NULL && parse_merge(p, f) != 0)
		return -1;
	if (f->anchor != 0) {
		a = &p->anchors[f->anchor - 1];
		a->node = json_object_get(f->node);
		a->nodes = p->nodes - f->nodes_start;
		a->height = f->deepest - f->level + 1;
		a->open = false;
	}
	if (p->depth > 1 && p->frames[p->depth - 2].deepest < f->deepest)
		p->frames[p->depth - 2].deepest = f->deepest;
	node = f->node;
	f->node = NULL;
	frame_free(f);
	p->depth--;
	return parse_add(p, node, NULL, 0, false, &mark);
}

/*
 * Convert the text of an integer of the given kind (already matched).
 * int64 when it fits, else uint64 when it is positive and fits, else the
 * nearest double.  Sets *out.  Returns 0, or -1 and err when even a
 * double cannot hold it.
 */
static int
parse_integer(struct parse *p, enum plain_kind kind, const char *s,
    const yaml_mark_t *mark, json_object **out)
{
	unsigned long long u;
	long long v;
	long double sum;
	double d;
	const char *c;

	errno = 0;
	if (kind == PLAIN_INT_DECIMAL) {
		v = strtoll(s, NULL, 10);
		if (errno == 0) {
			*out = json_object_new_int64(v);
			goto done;
		}
		errno = 0;
		if (s[0] != '-') {
			u = strtoull(s, NULL, 10);
			if (errno == 0) {
				*out = json_object_new_uint64(u);
				goto done;
			}
		}
		d = strtod(s, NULL);
	} else {
		u = strtoull(s + 2, NULL, kind == PLAIN_INT_HEX ? 16 : 8);
		if (errno == 0) {
			*out = u <= INT64_MAX ?
			    json_object_new_int64((int64_t)u) :
			    json_object_new_uint64(u);
			goto done;
		}
		if (kind == PLAIN_INT_HEX) {
			d = strtod(s, NULL);  /* reads 0x... exactly */
		} else {
			for (sum = 0, c = s + 2; *c != '\0'; c++)
				sum = sum * 8 + (*c - '0');
			d = (double)sum;
		}
	}
	if (!isfinite(d))
		return parse_fail(p, mark, "the number %.40s%s is too large",
		    s, strlen(s) > 40 ? "..." : "");
	*out = json_object_new_double(d);
done:
	if (*out == NULL)
		return parse_oom(p);
	return 0;
}

/*
 * Convert the text of a number to a double (for floats, and for !!float
 * on an integer).  Sets *out.  Returns 0, or -1 and err for infinity, NaN
 * and overflow, which JSON cannot hold.
 */
static int
parse_double(struct parse *p, enum plain_kind kind, const char *s,
    const yaml_mark_t *mark, json_object **out)
{
	json_object *integer = NULL;
	double d;

	switch (kind) {
	case PLAIN_INFINITY:
	case PLAIN_NAN:
		return parse_fail(p, mark, "%s cannot be represented in JSON, "
		    "which has no infinity or NaN", s);
	case PLAIN_INT_OCTAL:
		if (parse_integer(p, kind, s, mark, &integer) != 0)
			return -1;
		d = json_object_get_double(integer);
		json_object_put(integer);
		break;
	default:
		d = strtod(s, NULL);
		break;
	}
	if (!isfinite(d))
		return parse_fail(p, mark, "the number %.40s%s is too large "
		    "for a double", s, strlen(s) > 40 ? "..." : "");
	if ((*out = json_object_new_double(d)) == NULL)
		return parse_oom(p);
	return 0;
}

/*
 * The JSON value of a scalar event, by its tag and style (see yaml.h).
 * Sets *out (NULL for null).  Returns 0, or -1 and err.
 */
static int
parse_scalar_value(struct parse *p, const yaml_event_t *ev,
    json_object **out)
{
	const char *s = (const char *)ev->data.scalar.value;
	const char *tag = (const char *)ev->data.scalar.tag;
	size_t len = ev->data.scalar.length;
	const yaml_mark_t *mark = &ev->start_mark;
	enum plain_kind kind;

	*out = NULL;
	if (tag == NULL) {
		if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
			goto string;
		kind = plain_kind(s, len);
		switch (kind) {
		case PLAIN_NULL:
			return 0;
		case PLAIN_TRUE:
		case PLAIN_FALSE:
			goto boolean;
		case PLAIN_INT_DECIMAL:
		case PLAIN_INT_OCTAL:
		case PLAIN_INT_HEX:
			return parse_integer(p, kind, s, mark, out);
		case PLAIN_FLOAT:
		case PLAIN_INFINITY:
		case PLAIN_NAN:
			return parse_double(p, kind, s, mark, out);
		case PLAIN_STRING:
			break;
		}
		goto string;
	}
	kind = plain_kind(s, len);
	if (strcmp(tag, TAG_NULL) == 0) {
		if (kind != PLAIN_NULL)
			return parse_fail(p, mark, "a !!null value must be "
			    "null, ~ or empty");
		return 0;
	}
	if (strcmp(tag, TAG_BOOL) == 0) {
		if (kind != PLAIN_TRUE && kind != PLAIN_FALSE)
			return parse_fail(p, mark, "a !!bool value must be "
			    "true or false");
		goto boolean;
	}
	if (strcmp(tag, TAG_INT) == 0) {
		if (kind != PLAIN_INT_DECIMAL && kind != PLAIN_INT_OCTAL &&
		    kind != PLAIN_INT_HEX)
			return parse_fail(p, mark, "a !!int value must be an "
			    "integer");
		return parse_integer(p, kind, s, mark, out);
	}
	if (strcmp(tag, TAG_FLOAT) == 0) {
		if (kind != PLAIN_INT_DECIMAL && kind != PLAIN_INT_OCTAL &&
		    kind != PLAIN_INT_HEX && kind != PLAIN_FLOAT &&
		    kind != PLAIN_INFINITY && kind != PLAIN_NAN)
			return parse_fail(p, mark, "a !!float value must be a "
			    "number");
		return parse_double(p, kind, s, mark, out);
	}
	/* !!str, the non-specific !, and tags drio does not know. */
string:
	if ((*out = json_object_new_string_len(s, (int)len)) == NULL)
		return parse_oom(p);
	return 0;
boolean:
	if ((*out = json_object_new_boolean(kind == PLAIN_TRUE)) == NULL)
		return parse_oom(p);
	return 0;
}

/* Read a scalar event.  Returns 0, or -1 and err. */
static int
parse_scalar(struct parse *p, const yaml_event_t *ev)
{
	const char *s = (const char *)ev->data.scalar.value;
	const char *tag = (const char *)ev->data.scalar.tag;
	size_t len = ev->data.scalar.length, index;
	json_object *value;
	struct anchor *a;
	bool merge;

	if (len > INT_MAX)
		return parse_fail(p, &ev->start_mark, "a scalar is longer "
		    "than %d bytes", INT_MAX);
	if (parse_count(p, 1, &ev->start_mark) != 0)
		return -1;
	if (parse_scalar_value(p, ev, &value) != 0)
		return -1;
	if (ev->data.scalar.anchor != NULL) {
		if (anchor_start(p, (const char *)ev->data.scalar.anchor,
		    &index) != 0) {
			json_object_put(value);
			return -1;
		}
		a = &p->anchors[index];
		if ((a->text = malloc(len + 1)) == NULL) {
			json_object_put(value);
			return parse_oom(p);
		}
		memcpy(a->text, s, len);
		a->text[len] = '\0';
		a->text_len = len;
		a->scalar = true;
		a->node = json_object_get(value);
		a->nodes = 1;
		a->height = 0;
		a->open = false;
	}
	merge = len == 2 && memcmp(s, "<<", 2) == 0 &&
	    ((tag == NULL && ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) ||
	    (tag != NULL && strcmp(tag, TAG_MERGE) == 0));
	return parse_add(p, value, s, len, merge, &ev->start_mark);
}

/* Read an alias event.  Returns 0, or -1 and err. */
static int
parse_alias(struct parse *p, const yaml_event_t *ev)
{
	const char *name = (const char *)ev->data.alias.anchor;
	json_object *slot;
	struct anchor *a;
	struct frame *top;

	if (p->anchor_index == NULL ||
	    !json_object_object_get_ex(p->anchor_index, name, &slot))
		return parse_fail(p, &ev->start_mark, "the alias *%.60s has "
		    "no anchor &%.60s before it", name, name);
	a = &p->anchors[json_object_get_int64(slot)];
	if (a->open)
		return parse_fail(p, &ev->start_mark, "the alias *%.60s is "
		    "inside the node it refers to", name);
	if (p->depth + a->height > YAML_JSON_MAX_DEPTH)
		return parse_fail(p, &ev->start_mark, "mappings and sequences "
		    "are nested deeper than %d levels (through the alias "
		    "*%.60s)", YAML_JSON_MAX_DEPTH, name);
	if (parse_count(p, a->nodes, &ev->start_mark) != 0)
		return -1;
	if (p->depth > 0) {
		top = &p->frames[p->depth - 1];
		if (top->deepest < p->depth + a->height)
			top->deepest = p->depth + a->height;
	}
	return parse_add(p, json_object_get(a->node),
	    a->scalar ? a->text : NULL, a->text_len, false, &ev->start_mark);
}

/* Read one event.  Returns 0, or -1 and err. */
static int
parse_event(struct parse *p, const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (++p->documents > 1) {
			parse_fail(p, &ev->start_mark, "multiple documents");
			if (p->err != NULL)
				error_hint(p->err, "Send one YAML document: "
				    "remove the second \"---\" and what follows "
				    "it.");
			return -1;
		}
		return 0;
	case YAML_SCALAR_EVENT:
		return parse_scalar(p, ev);
	case YAML_ALIAS_EVENT:
		return parse_alias(p, ev);
	case YAML_SEQUENCE_START_EVENT:
		return parse_open(p, ev, false);
	case YAML_MAPPING_START_EVENT:
		return parse_open(p, ev, true);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		return parse_close(p);
	default:
		return 0;
	}
}

/* Release everything a parse holds but its result.  Can't fail. */
static void
parse_free(struct parse *p)
{
	size_t i;

	if (p == NULL)
		return;
	while (p->depth > 0)
		frame_free(&p->frames[--p->depth]);
	for (i = 0; i < p->nanchors; i++) {
		json_object_put(p->anchors[i].node);
		free(p->anchors[i].text);
	}
	free(p->anchors);
	json_object_put(p->anchor_index);
	json_object_put(p->root);
	yaml_parser_delete(&p->parser);
	free(p);
}

int
yaml_parse_json(const char *text, size_t len, json_object **out,
    struct error *err)
{
	struct parse *p;
	yaml_event_t ev;
	yaml_event_type_t type;
	int rc = -1;

	*out = NULL;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return error_set(err, ERR_INTERNAL,
		    "Out of memory while reading YAML.");
	p->text = text;
	p->len = len;
	p->err = err;
	if (!yaml_parser_initialize(&p->parser)) {
		free(p);
		return error_set(err, ERR_INTERNAL,
		    "Out of memory while reading YAML.");
	}
	yaml_parser_set_input_string(&p->parser,
	    (const unsigned char *)(len > 0 ? text : ""), len);
	yaml_parser_set_encoding(&p->parser, YAML_UTF8_ENCODING);
	do {
		if (!yaml_parser_parse(&p->parser, &ev)) {
			rc = parse_libyaml_error(p);
			goto out;
		}
		type = ev.type;
		rc = parse_event(p, &ev);
		yaml_event_delete(&ev);
		if (rc != 0)
			goto out;
	} while (type != YAML_STREAM_END_EVENT);
	*out = p->root;
	p->root = NULL;
	rc = 0;
out:
	parse_free(p);
	return rc == 0 ? 0 : -1;
}

/* ------------------------------------------------------------------ */
/* Writing                                                             */
/* ------------------------------------------------------------------ */

/* The growing text libyaml's emitter writes into. */
struct emit_buffer {
	char *data;
	size_t len;
	size_t size;
};

/* libyaml's write handler: append.  Returns 1, or 0 out of memory. */
static int
emit_write(void *data, unsigned char *buffer, size_t size)
{
	struct emit_buffer *b = data;
	size_t want;
	char *grown;

	if (size >= SIZE_MAX / 2 - b->len)
		return 0;
	if (b->len + size + 1 > b->size) {
		want = b->size == 0 ? 256 : b->size;
		while (want < b->len + size + 1)
			want *= 2;
		if ((grown = realloc(b->data, want)) == NULL)
			return 0;
		b->data = grown;
		b->size = want;
	}
	memcpy(b->data + b->len, buffer, size);
	b->len += size;
	b->data[b->len] = '\0';
	return 1;
}

/*
 * Hand one event to the emitter (which takes it on every path).
 * Returns 0, or -1 and err.
 */
static int
emit_event(yaml_emitter_t *emitter, yaml_event_t *ev, struct error *err)
{
	if (yaml_emitter_emit(emitter, ev))
		return 0;
	if (emitter->error == YAML_EMITTER_ERROR)
		return error_set(err, ERR_INTERNAL,
		    "libyaml could not write YAML: %s",
		    emitter->problem != NULL ? emitter->problem : "unknown");
	return error_set(err, ERR_INTERNAL,
	    "Out of memory while writing YAML.");
}

/*
 * May s be written as a plain scalar, as far as its meaning goes?  Only
 * when it reads back as a string under the core schema and under YAML
 * 1.1 as PyYAML reads it (Dify reads what drio writes): no null, boolean
 * or number look-alike in either (yes, on, 0123, 1_000, 0b1, 1:20,
 * 2024-01-01 and 0x1 with a sign all are, under 1.1), no merge key <<
 * and no = (1.1's value key).  Whether its characters allow a plain
 * scalar at all (": ", " #", leading "- ", ...) is libyaml's call.
 */
static bool
emit_plain_keeps_meaning(const char *s, size_t len)
{
	static const char *const yaml11[] = {
		"y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
		"on", "On", "ON", "off", "Off", "OFF", "<<", "=", NULL
	};

	if (plain_kind(s, len) != PLAIN_STRING || is_one_of(s, len, yaml11))
		return false;
	/* 1.1's numbers, timestamps and sexagesimals start like this. */
	if (is_digit_in(s[0], 10))
		return false;
	if (len > 1 && (s[0] == '-' || s[0] == '+' || s[0] == '.') &&
	    (is_digit_in(s[1], 10) || s[1] == '.' || s[1] == '_'))
		return false;
	return true;
}

/*
 * Write one string (a value or a key).  A single line goes plain when
 * that keeps its meaning, else quoted (libyaml picks single or double
 * quotes as its characters allow).  A string with line breaks goes as a
 * literal block when its only breaks are LF (CR, NEL, LS and PS would
 * not read back as themselves), and libyaml falls back to double quotes
 * when a block cannot carry it (trailing spaces, a space before a break,
 * control characters, in a simple key); otherwise double quotes, whose
 * escapes carry anything.  Returns 0, or -1 and err.
 */
static int
emit_string(yaml_emitter_t *emitter, const char *s, size_t len,
    struct error *err)
{
	yaml_scalar_style_t style = YAML_ANY_SCALAR_STYLE;
	yaml_event_t ev;
	bool breaks = false, only_lf = true;
	int plain = 0;
	size_t i;

	/*
	 * libyaml's own check lets surrogates and code points above
	 * U+10FFFF through, which its emitter then writes as escapes its
	 * parser refuses.
	 */
	if (!utf8_valid(s, len))
		return error_set(err, ERR_BAD_REQUEST,
		    "The value cannot be written as YAML: a string is not "
		    "valid UTF-8.");
	if (len > INT_MAX)
		return error_set(err, ERR_BAD_REQUEST,
		    "The value cannot be written as YAML: a string is longer "
		    "than %d bytes.", INT_MAX);
	for (i = 0; i < len; i++) {
		if (s[i] == '\n') {
			breaks = true;
		} else if (s[i] == '\r' ||
		    (i + 1 < len && memcmp(s + i, "\xc2\x85", 2) == 0) ||
		    (i + 2 < len && (memcmp(s + i, "\xe2\x80\xa8", 3) == 0 ||
		    memcmp(s + i, "\xe2\x80\xa9", 3) == 0))) {
			breaks = true;
			only_lf = false;
		}
	}
	if (breaks)
		style = only_lf ? YAML_LITERAL_SCALAR_STYLE :
		    YAML_DOUBLE_QUOTED_SCALAR_STYLE;
	else
		plain = emit_plain_keeps_meaning(s, len);
	if (!yaml_scalar_event_initialize(&ev, NULL, NULL,
	    (const yaml_char_t *)s, (int)len, plain, 1, style))
		return error_set(err, ERR_INTERNAL,
		    "Out of memory while writing YAML.");
	return emit_event(emitter, &ev, err);
}

/* Write text as a plain scalar (null, a boolean, a number). */
static int
emit_plain(yaml_emitter_t *emitter, const char *text, struct error *err)
{
	yaml_event_t ev;

	if (!yaml_scalar_event_initialize(&ev, NULL, NULL,
	    (const yaml_char_t *)text, (int)strlen(text), 1, 0,
	    YAML_PLAIN_SCALAR_STYLE))
		return error_set(err, ERR_INTERNAL,
		    "Out of memory while writing YAML.");
	return emit_event(emitter, &ev, err);
}

/*
 * Print d with the fewest significant digits that read back as d, in
 * positional form when its decimal exponent is in [-5, 16] (1000.0,
 * 0.0001) and in exponent form otherwise (1.5e+300), and make sure it
 * looks like a float to every YAML reader: always a dot, and a signed
 * exponent, which YAML 1.1 requires.  d must be finite.  Can't fail.
 */
static void
format_double(double d, char out[DOUBLE_TEXT_SIZE])
{
	char scientific[DOUBLE_DIGITS_SIZE], digits[DOUBLE_DIGITS_SIZE];
	const char *c;
	size_t ndigits = 0, o = 0;
	int precision, exponent;
	long i;

	/* "-d.ddde+XX": the shortest that reads back. */
	for (precision = 0; precision < 17; precision++) {
		snprintf(scientific, sizeof(scientific), "%.*e", precision, d);
		if (strtod(scientific, NULL) == d)
			break;
	}
	for (c = scientific; *c != 'e'; c++)
		if (*c >= '0' && *c <= '9')
			digits[ndigits++] = *c;
	exponent = atoi(c + 1);
	while (ndigits > 1 && digits[ndigits - 1] == '0')
		ndigits--;
	if (scientific[0] == '-')
		out[o++] = '-';
	if (exponent >= -5 && exponent <= 16) {
		if (exponent < 0) {
			out[o++] = '0';
			out[o++] = '.';
			for (i = -1; i > exponent; i--)
				out[o++] = '0';
			for (i = 0; i < (long)ndigits; i++)
				out[o++] = digits[i];
		} else {
			for (i = 0; i <= exponent; i++)
				out[o++] = i < (long)ndigits ? digits[i] : '0';
			out[o++] = '.';
			if ((long)ndigits <= exponent + 1)
				out[o++] = '0';
			for (; i < (long)ndigits; i++)
				out[o++] = digits[i];
		}
		out[o] = '\0';
		return;
	}
	out[o++] = digits[0];
	out[o++] = '.';
	if (ndigits == 1)
		out[o++] = '0';
	for (i = 1; i < (long)ndigits; i++)
		out[o++] = digits[i];
	snprintf(out + o, DOUBLE_TEXT_SIZE - o, "e%c%02d",
	    exponent < 0 ? '-' : '+', abs(exponent));
}

/* Write one JSON value, depth levels in.  Returns 0, or -1 and err. */
static int
emit_value(yaml_emitter_t *emitter, json_object *value, size_t depth,
    struct error *err)
{
	char text[DOUBLE_TEXT_SIZE];
	yaml_event_t ev;
	int64_t i64;
	double d;
	size_t i, n;

	switch (json_object_get_type(value)) {
	case json_type_null:
		return emit_plain(emitter, "null", err);
	case json_type_boolean:
		return emit_plain(emitter,
		    json_object_get_boolean(value) ? "true" : "false", err);
	case json_type_int:
		/* json-c holds an int64 or a uint64; INT64_MAX is either. */
		i64 = json_object_get_int64(value);
		if (i64 == INT64_MAX)
			snprintf(text, sizeof(text), "%" PRIu64,
			    json_object_get_uint64(value));
		else
			snprintf(text, sizeof(text), "%" PRId64, i64);
		return emit_plain(emitter, text, err);
	case json_type_double:
		d = json_object_get_double(value);
		if (!isfinite(d))
			return error_set(err, ERR_BAD_REQUEST,
			    "The value cannot be written as YAML: a number is "
			    "infinite or NaN, which JSON cannot hold.");
		format_double(d, text);
		return emit_plain(emitter, text, err);
	case json_type_string:
		return emit_string(emitter, json_object_get_string(value),
		    (size_t)json_object_get_string_len(value), err);
	case json_type_array:
	case json_type_object:
		break;
	}
	if (depth >= YAML_JSON_MAX_DEPTH)
		return error_set(err, ERR_BAD_REQUEST,
		    "The value cannot be written as YAML: it is nested deeper "
		    "than %d levels.", YAML_JSON_MAX_DEPTH);
	if (json_object_is_type(value, json_type_array)) {
		if (!yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
		    YAML_BLOCK_SEQUENCE_STYLE))
			goto oom;
		if (emit_event(emitter, &ev, err) != 0)
			return -1;
		n = json_object_array_length(value);
		for (i = 0; i < n; i++)
			if (emit_value(emitter, json_object_array_get_idx(value,
			    i), depth + 1, err) != 0)
				return -1;
		if (!yaml_sequence_end_event_initialize(&ev))
			goto oom;
		return emit_event(emitter, &ev, err);
	}
	if (!yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
	    YAML_BLOCK_MAPPING_STYLE))
		goto oom;
	if (emit_event(emitter, &ev, err) != 0)
		return -1;
	json_object_object_foreach(value, key, member) {
		if (emit_string(emitter, key, strlen(key), err) != 0 ||
		    emit_value(emitter, member, depth + 1, err) != 0)
			return -1;
	}
	if (!yaml_mapping_end_event_initialize(&ev))
		goto oom;
	return emit_event(emitter, &ev, err);
oom:
	return error_set(err, ERR_INTERNAL,
	    "Out of memory while writing YAML.");
}

int
yaml_emit_json(json_object *value, char **out, size_t *out_len,
    struct error *err)
{
	yaml_emitter_t emitter;
	yaml_event_t ev;
	struct emit_buffer buffer = { NULL, 0, 0 };
	int rc = -1;

	*out = NULL;
	*out_len = 0;
	if (!yaml_emitter_initialize(&emitter))
		return error_set(err, ERR_INTERNAL,
		    "Out of memory while writing YAML.");
	yaml_emitter_set_output(&emitter, emit_write, &buffer);
	yaml_emitter_set_encoding(&emitter, YAML_UTF8_ENCODING);
	yaml_emitter_set_unicode(&emitter, 1);
	yaml_emitter_set_indent(&emitter, 2);
	yaml_emitter_set_width(&emitter, -1);
	yaml_emitter_set_break(&emitter, YAML_LN_BREAK);

	if (!yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING))
		goto oom;
	if (emit_event(&emitter, &ev, err) != 0)
		goto out;
	if (!yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1))
		goto oom;
	if (emit_event(&emitter, &ev, err) != 0)
		goto out;
	if (emit_value(&emitter, value, 0, err) != 0)
		goto out;
	if (!yaml_document_end_event_initialize(&ev, 1))
		goto oom;
	if (emit_event(&emitter, &ev, err) != 0)
		goto out;
	if (!yaml_stream_end_event_initialize(&ev))
		goto oom;
	if (emit_event(&emitter, &ev, err) != 0)
		goto out;
	if (buffer.data == NULL && emit_write(&buffer,
	    (unsigned char *)"", 0) == 0)
		goto oom;
	*out = buffer.data;
	*out_len = buffer.len;
	buffer.data = NULL;
	rc = 0;
	goto out;
oom:
	error_set(err, ERR_INTERNAL, "Out of memory while writing YAML.");
out:
	free(buffer.data);
	yaml_emitter_delete(&emitter);
	return rc;
}

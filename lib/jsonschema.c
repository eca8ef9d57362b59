/*
 * jsonschema.c: checking tool arguments against an input schema (see
 * jsonschema.h).
 *
 * One recursive walk, check_value(), takes a schema and the part of the
 * arguments it applies to.  Problems are reported by fault() as they are
 * found, with the path of the place in the arguments kept in struct
 * check.  Below anyOf, oneOf and not the walk runs "quiet": a branch only
 * needs to know whether it matches, so faults are not formatted and the
 * branch gives up at the first one.
 *
 * Three bounds keep a hostile or broken schema from taking the process
 * down: the nesting depth (JSONSCHEMA_DEPTH_MAX, which also bounds the C
 * stack), the number of schemas visited (JSONSCHEMA_STEPS_MAX, against
 * combinators that fan out), and a $ref that comes back to itself
 * without moving into the arguments, which is cut.
 *
 * SPDX-License-Identifier: MIT
 */
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonschema.h"
#include "utf8.h"

#define JSONSCHEMA_ROOT        "arguments" /* what a path starts from */
#define JSONSCHEMA_PATH_MAX    160  /* bytes of a path kept */
#define JSONSCHEMA_MSG_MAX     256  /* bytes of one message */
#define JSONSCHEMA_QUOTE_MAX   48   /* bytes of a quoted schema string */
#define JSONSCHEMA_LIST_MAX    120  /* bytes of an enum's listing */
#define JSONSCHEMA_PATTERN_MAX 1024 /* bytes of a pattern translated */
#define JSONSCHEMA_BRACKET_MAX 512  /* bytes of one bracket expression */
#define JSONSCHEMA_REGEX_CACHE 16   /* patterns kept compiled in a check */
#define JSONSCHEMA_POINTER_MAX 1024 /* bytes of a decoded $ref */

/* One pattern compiled during a check. */
struct check_regex {
	const char *pattern;       /* the schema's text, borrowed: the key */
	bool usable;               /* compiled; if not, it is ignored */
	unsigned long max_chars;   /* longest match, or PATTERN_UNBOUNDED */
	regex_t re;
};

/* A $ref being followed: where it leads, and for which value. */
struct check_ref {
	json_object *target;
	json_object *instance;
};

/* The state of one jsonschema_check(), about 4 KB on its stack. */
struct check {
	json_object *root;         /* the schema, for $refs */
	struct error found;        /* details collected so far */
	size_t faults;             /* problems reported in details */
	char first[JSONSCHEMA_MSG_MAX]; /* the first one's message */
	unsigned quiet;            /* > 0: under anyOf, oneOf or not */
	bool stop;                 /* give up: details full, steps, memory */
	bool more;                 /* more problems than details */
	bool too_complex;          /* ran out of steps */
	bool no_memory;
	long steps;
	char path[JSONSCHEMA_PATH_MAX]; /* ".rows[2].name" */
	size_t path_len;
	unsigned path_cut;         /* segments that did not fit */
	struct check_ref refs[JSONSCHEMA_DEPTH_MAX];
	size_t nrefs;
	struct check_regex regex[JSONSCHEMA_REGEX_CACHE];
	size_t nregex;
	locale_t locale;           /* "C", made at the first pattern */
};

/* A JSON number, exactly when it is an integer. */
struct number {
	bool is_int;
	int64_t i;
	long double d;             /* when !is_int */
};

static bool check_value(struct check *, json_object *, json_object *,
    unsigned);

/*
 * Does the walk go on after a fault, to find the next?  Not when quiet
 * (one fault settles a branch) or stopped.
 */
static bool
goes_on(const struct check *c)
{
	return c->quiet == 0 && !c->stop;
}

/*
 * Cut s, which may have been truncated, after its last complete UTF-8
 * character, so that a message never ends in half a character.  Can't
 * fail.
 */
static void
utf8_cut_end(char *s)
{
	size_t len = strlen(s), lead, need;
	unsigned char c;

	if (len == 0)
		return;
	lead = len;
	while (lead > 0 && ((unsigned char)s[lead - 1] & 0xc0) == 0x80 &&
	    len - lead < 3)
		lead--;
	if (lead == 0)
		return;
	c = (unsigned char)s[lead - 1];
	if (c < 0x80)
		return;
	need = (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 :
	    (c & 0xf8) == 0xf0 ? 4 : 1;
	if (len - (lead - 1) < need)
		s[lead - 1] = '\0';
}

/* Write code point cp as UTF-8 into out (4 bytes); returns the length. */
static size_t
utf8_put(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * Copy len bytes of text into out (size bytes, at least 4,
 * NUL-terminated) fit for a one-line message: control characters and
 * broken UTF-8 become '?', quote (when not NUL) and backslash are
 * escaped, and a text that does not fit in size - 4 bytes is cut and
 * ends with "...".  Returns the bytes written.  Can't fail.
 */
static size_t
text_clean(const char *text, size_t len, char quote, char *out, size_t size)
{
	size_t i = 0, o = 0, n, need;
	uint32_t cp = 0;
	bool bad, escape;

	if (size < 4) {
		if (size > 0)
			out[0] = '\0';
		return 0;
	}
	while (i < len) {
		n = utf8_char(text + i, len - i, &cp);
		bad = n == 0 || cp < 0x20 || cp == 0x7f;
		escape = !bad && quote != '\0' &&
		    (cp == (unsigned char)quote || cp == '\\');
		need = bad ? 1 : escape ? 2 : n;
		if (o + need + 4 > size) {
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		if (bad)
			out[o++] = '?';
		else if (escape) {
			out[o++] = '\\';
			out[o++] = (char)cp;
		} else {
			memcpy(out + o, text + i, n);
			o += n;
		}
		i += n == 0 ? 1 : n;
	}
	out[o] = '\0';
	return o;
}

/*
 * Path segments.  path_push_key() and path_push_index() add one and
 * return a mark for path_pop(); a segment that does not fit (and every
 * one after it) is counted in path_cut, and the path is shown with "..."
 * at its end.  Can't fail.
 */
static bool
key_is_simple(const char *key)
{
	const char *p;

	if (!((*key >= 'A' && *key <= 'Z') || (*key >= 'a' && *key <= 'z') ||
	    *key == '_' || *key == '$'))
		return false;
	for (p = key + 1; *p != '\0'; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '_' || *p == '$' ||
		    *p == '-'))
			return false;
	return true;
}

static size_t
path_push(struct check *c, const char *segment, size_t len)
{
	size_t mark = c->path_len;

	if (c->path_cut > 0 || c->path_len + len >= sizeof(c->path)) {
		c->path_cut++;
		return SIZE_MAX;
	}
	memcpy(c->path + c->path_len, segment, len);
	c->path_len += len;
	c->path[c->path_len] = '\0';
	return mark;
}

static size_t
path_push_key(struct check *c, const char *key)
{
	char segment[JSONSCHEMA_PATH_MAX];
	size_t room = sizeof(c->path) - c->path_len, len;

	if (c->quiet > 0)
		return c->path_len; /* nothing is reported: skip the work */
	if (c->path_cut > 0 || room < 16) {
		c->path_cut++;
		return SIZE_MAX;
	}
	/* A long key is cut to what is left of the path, with "...". */
	if (key_is_simple(key)) {
		segment[0] = '.';
		len = 1 + text_clean(key, strlen(key), '\0', segment + 1,
		    room - 1);
	} else {
		memcpy(segment, "[\"", 2);
		len = 2 + text_clean(key, strlen(key), '"', segment + 2,
		    room - 4);
		memcpy(segment + len, "\"]", 3);
		len += 2;
	}
	return path_push(c, segment, len);
}

static size_t
path_push_index(struct check *c, size_t index)
{
	char segment[32];
	int len;

	if (c->quiet > 0)
		return c->path_len;
	len = snprintf(segment, sizeof(segment), "[%zu]", index);
	return path_push(c, segment, (size_t)len);
}

static void
path_pop(struct check *c, size_t mark)
{
	if (mark == SIZE_MAX) {
		c->path_cut--;
		return;
	}
	c->path_len = mark;
	c->path[mark] = '\0';
}

/*
 * Report one problem at the current path: text (printf format) is what is
 * wrong ("must be at most 100"), type the keyword that failed.  Quiet, it
 * does nothing; once JSONSCHEMA_DETAILS_MAX are listed, it stops the
 * walk.  Always returns false (the value is invalid), so a check can
 * `return fault(...)`.
 */
static bool
fault(struct check *c, const char *type, const char *fmt, ...)
    __attribute__((__format__(printf, 3, 4)));

static bool
fault(struct check *c, const char *type, const char *fmt, ...)
{
	char text[JSONSCHEMA_MSG_MAX], msg[JSONSCHEMA_MSG_MAX];
	char where[JSONSCHEMA_PATH_MAX + 4];
	const char *cut = c->path_cut > 0 ? "..." : "";
	va_list ap;

	if (!goes_on(c))
		return false;
	if (c->faults == JSONSCHEMA_DETAILS_MAX) {
		c->more = true;
		c->stop = true;
		return false;
	}
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	utf8_cut_end(text);
	if (snprintf(msg, sizeof(msg), "%s%s%s %s", JSONSCHEMA_ROOT, c->path,
	    cut, text) >= (int)sizeof(msg))
		utf8_cut_end(msg);
	snprintf(where, sizeof(where), "%s%s",
	    c->path[0] == '.' ? c->path + 1 : c->path, cut);
	if (error_add_detail(&c->found, JSONSCHEMA_ROOT,
	    where[0] == '\0' ? NULL : where, msg, type) == -1) {
		c->no_memory = true;
		c->stop = true;
		return false;
	}
	if (c->faults == 0)
		snprintf(c->first, sizeof(c->first), "%s", msg);
	c->faults++;
	return false;
}

/* Count a visit against JSONSCHEMA_STEPS_MAX; false when it is spent. */
static bool
step(struct check *c)
{
	if (++c->steps <= JSONSCHEMA_STEPS_MAX)
		return true;
	c->too_complex = true;
	c->stop = true;
	return false;
}

/*
 * Numbers.  number_get() reads a JSON number (false for anything else,
 * and for json-c's NaN and infinities, which JSON does not have);
 * number_compare() orders two exactly when both are integers.
 */
static bool
number_get(json_object *value, struct number *n)
{
	double d;

	memset(n, 0, sizeof(*n));
	if (json_object_is_type(value, json_type_int)) {
		n->i = json_object_get_int64(value);
		if (n->i == INT64_MAX &&
		    json_object_get_uint64(value) > (uint64_t)INT64_MAX) {
			n->d = (long double)json_object_get_uint64(value);
			return true;
		}
		n->is_int = true;
		return true;
	}
	if (!json_object_is_type(value, json_type_double))
		return false;
	d = json_object_get_double(value);
	if (!isfinite(d))
		return false;
	n->d = d;
	return true;
}

static int
number_compare(const struct number *a, const struct number *b)
{
	long double x, y;

	if (a->is_int && b->is_int)
		return a->i < b->i ? -1 : a->i > b->i;
	x = a->is_int ? (long double)a->i : a->d;
	y = b->is_int ? (long double)b->i : b->d;
	return x < y ? -1 : x > y;
}

/* Is n a whole number (1 and 1.0 are; 1.5 is not)? */
static bool
number_is_integer(const struct number *n)
{
	if (n->is_int)
		return true;
	/* Every long double this large is whole; below, compare. */
	if (n->d >= 9007199254740992.0L || n->d <= -9007199254740992.0L)
		return true;
	return n->d == (long double)(int64_t)n->d;
}

/* Write a bound into out for a message ("100", "0.5").  Can't fail. */
static void
number_text(const struct number *n, char *out, size_t size)
{
	if (n->is_int)
		snprintf(out, size, "%lld", (long long)n->i);
	else
		snprintf(out, size, "%.15Lg", n->d);
}

/*
 * Read a count (minLength, maxItems, ...): a non-negative whole number.
 * Returns false, and the keyword is ignored, for anything else.
 */
static bool
count_get(json_object *value, size_t *out)
{
	struct number n;

	if (!number_get(value, &n) || !number_is_integer(&n))
		return false;
	if (n.is_int) {
		if (n.i < 0)
			return false;
		*out = (uint64_t)n.i > SIZE_MAX ? SIZE_MAX : (size_t)n.i;
		return true;
	}
	if (n.d < 0)
		return false;
	*out = n.d >= (long double)SIZE_MAX ? SIZE_MAX : (size_t)n.d;
	return true;
}

/*
 * Are a and b the same JSON value, as JSON Schema compares for enum and
 * const: numbers by value (1 equals 1.0), objects whatever their key
 * order?  Values nesting deeper than JSONSCHEMA_DEPTH_MAX are unequal.
 */
static bool
json_equal(json_object *a, json_object *b, unsigned depth)
{
	struct number x, y;
	size_t i, n;

	if (depth > JSONSCHEMA_DEPTH_MAX)
		return false;
	if (number_get(a, &x) && number_get(b, &y))
		return number_compare(&x, &y) == 0;
	if (json_object_get_type(a) != json_object_get_type(b))
		return false;
	switch (json_object_get_type(a)) {
	case json_type_null:
		return true;
	case json_type_boolean:
		return json_object_get_boolean(a) == json_object_get_boolean(b);
	case json_type_string:
		return json_object_get_string_len(a) ==
		    json_object_get_string_len(b) &&
		    memcmp(json_object_get_string(a), json_object_get_string(b),
		    (size_t)json_object_get_string_len(a)) == 0;
	case json_type_array:
		n = json_object_array_length(a);
		if (n != json_object_array_length(b))
			return false;
		for (i = 0; i < n; i++)
			if (!json_equal(json_object_array_get_idx(a, i),
			    json_object_array_get_idx(b, i), depth + 1))
				return false;
		return true;
	case json_type_object:
		if (json_object_object_length(a) !=
		    json_object_object_length(b))
			return false;
		json_object_object_foreach(a, key, value) {
			json_object *other;

			if (!json_object_object_get_ex(b, key, &other) ||
			    !json_equal(value, other, depth + 1))
				return false;
		}
		return true;
	default:
		return false; /* numbers that are not finite */
	}
}

/*
 * Write a schema value into out for a message: scalars as JSON (a long
 * string cut with "..."), arrays and objects as [...] and {...}.  Can't
 * fail.
 */
static void
value_text(json_object *value, char *out, size_t size)
{
	char quoted[JSONSCHEMA_QUOTE_MAX];
	struct number n;

	if (number_get(value, &n)) {
		number_text(&n, out, size);
		return;
	}
	switch (json_object_get_type(value)) {
	case json_type_null:
		snprintf(out, size, "null");
		break;
	case json_type_boolean:
		snprintf(out, size, "%s",
		    json_object_get_boolean(value) ? "true" : "false");
		break;
	case json_type_string:
		text_clean(json_object_get_string(value),
		    (size_t)json_object_get_string_len(value), '"', quoted,
		    sizeof(quoted));
		snprintf(out, size, "\"%s\"", quoted);
		break;
	case json_type_array:
		snprintf(out, size, "[...]");
		break;
	default:
		snprintf(out, size, "{...}");
		break;
	}
}

/*
 * The value of schema's member key: member() any value (NULL when absent
 * or JSON null), member_of_type() one of type only; member_is_true()
 * says whether it is the boolean true.
 */
static json_object *
member(json_object *schema, const char *key)
{
	json_object *value;

	if (!json_object_object_get_ex(schema, key, &value))
		return NULL;
	return value;
}

static json_object *
member_of_type(json_object *schema, const char *key, enum json_type type)
{
	json_object *value = member(schema, key);

	return json_object_is_type(value, type) ? value : NULL;
}

static bool
member_is_true(json_object *schema, const char *key)
{
	json_object *value = member_of_type(schema, key, json_type_boolean);

	return value != NULL && json_object_get_boolean(value);
}

/*
 * Patterns: ECMA-262 translated into POSIX extended syntax, to run in the
 * C locale, where regcomp() and regexec() see bytes.  ECMA works on
 * characters, so what could take one of several bytes takes a whole
 * UTF-8 character instead: '.' and negated classes take any character
 * outside ASCII as a group of its bytes (PATTERN_NON_ASCII), and a
 * character outside ASCII written in the pattern becomes a group, so
 * that a quantifier after it repeats all of it.  The parts that have no
 * such form make the translation fail, and the pattern is then ignored:
 * lookaround, backreferences, \b, \p{...}, \D \W \S inside brackets,
 * ranges of characters outside ASCII, and negated brackets that list
 * one.  \s takes ASCII white space only; '.' takes U+2028 and U+2029.
 *
 * glibc's regcomp() copies a repeated atom once per count, and its
 * regexec() slows down with the width of a range {n,m} (0.08 s for
 * ^[a-zA-Z0-9_-]{1,512}$ against 512 letters).  So the translation
 * counts the bytes the expanded expression takes (PATTERN_COST_MAX),
 * hands regcomp() no range wider than PATTERN_RANGE_EXACT (a wider one
 * becomes {n,}), and works out the longest string a pattern anchored at
 * both ends can match, which regex_run() enforces itself.
 */

/* Bounds on a pattern's translation, so that regcomp() stays cheap. */
#define PATTERN_GROUPS_MAX  32     /* groups open at once */
#define PATTERN_COST_MAX    16384  /* bytes once counts are expanded */
#define PATTERN_RANGE_EXACT 8      /* widest {n,m} handed to regcomp() */
#define PATTERN_UNBOUNDED   ULONG_MAX

/* One character outside ASCII, as UTF-8, in the C locale. */
#define PATTERN_NON_ASCII \
	"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|" \
	"[\xf0-\xf4][\x80-\xbf]{3}"

/* An output buffer that notices when it is full. */
struct text_out {
	char *buf;
	size_t len, size;
	bool full;
};

static void
out_put(struct text_out *o, const char *s, size_t n)
{
	if (o->full || o->len + n >= o->size) {
		o->full = true;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

static void
out_str(struct text_out *o, const char *s)
{
	out_put(o, s, strlen(s));
}

/* The value of n hex digits at s, or -1. */
static long
hex_value(const char *s, size_t n)
{
	long v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		char h = s[i];

		if (h >= '0' && h <= '9')
			v = v * 16 + (h - '0');
		else if (h >= 'a' && h <= 'f')
			v = v * 16 + (h - 'a' + 10);
		else if (h >= 'A' && h <= 'F')
			v = v * 16 + (h - 'A' + 10);
		else
			return -1;
	}
	return v;
}

/*
 * One ECMA escape that stands for a character, at s (just after the
 * backslash): \n \t \r \f \v, \xHH, \uHHHH, or a punctuation character
 * escaped.  Sets *cp and returns the bytes read, or 0 when it is not
 * one (a class, a backreference, \b, \p, \0, an unknown letter...).
 */
static size_t
escape_char(const char *s, uint32_t *cp)
{
	long v;

	switch (*s) {
	case 'n':
		*cp = '\n';
		return 1;
	case 't':
		*cp = '\t';
		return 1;
	case 'r':
		*cp = '\r';
		return 1;
	case 'f':
		*cp = '\f';
		return 1;
	case 'v':
		*cp = '\v';
		return 1;
	case 'x':
		if ((v = hex_value(s + 1, 2)) <= 0)
			return 0;
		*cp = (uint32_t)v;
		return 3;
	case 'u':
		if ((v = hex_value(s + 1, 4)) <= 0 ||
		    (v >= 0xd800 && v <= 0xdfff))
			return 0;
		*cp = (uint32_t)v;
		return 5;
	default:
		if (*s == '\0' || (unsigned char)*s >= 0x80 ||
		    (*s >= '0' && *s <= '9') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= 'a' && *s <= 'z'))
			return 0;
		*cp = (unsigned char)*s;
		return 1;
	}
}

/*
 * The ASCII characters of a class escape (\d \w \s, and \D \W \S with
 * *negated set), as a bracket's inside; NULL when letter is none.
 */
static const char *
escape_class(char letter, bool *negated)
{
	*negated = letter == 'D' || letter == 'W' || letter == 'S';
	switch (letter) {
	case 'd':
	case 'D':
		return "0-9";
	case 'w':
	case 'W':
		return "A-Za-z0-9_";
	case 's':
	case 'S':
		return "\t\n\v\f\r ";
	default:
		return NULL;
	}
}

/*
 * Write the negation of a set of ASCII characters (a bracket's inside,
 * set) into o: any other ASCII character or any character outside ASCII.
 * close, open, caret and hyphen ask for ']', '[', '^' and '-' too, put
 * where POSIX reads them as themselves.
 */
static void
put_negated(struct text_out *o, const char *set, size_t len, bool close,
    bool open, bool caret, bool hyphen)
{
	out_str(o, "([^");
	if (close)
		out_put(o, "]", 1);
	out_put(o, set, len);
	out_str(o, "\x80-\xff");
	if (open)
		out_put(o, "[", 1);
	if (caret)
		out_put(o, "^", 1);
	if (hyphen)
		out_put(o, "-", 1);
	out_str(o, "]|" PATTERN_NON_ASCII ")");
}

/* Write the literal character cp, escaped or grouped if need be. */
static void
put_literal(struct text_out *o, uint32_t cp)
{
	char bytes[4];

	if (cp < 0x80 && strchr(".[]()*+?{}|^$\\", (int)cp) != NULL) {
		out_put(o, "\\", 1);
		bytes[0] = (char)cp;
		out_put(o, bytes, 1);
	} else if (cp < 0x80) {
		bytes[0] = (char)cp;
		out_put(o, bytes, 1);
	} else {
		out_put(o, "(", 1);
		out_put(o, bytes, utf8_put(cp, bytes));
		out_put(o, ")", 1);
	}
}

/* One item of a bracket expression: a character or a class. */
struct bracket_item {
	const char *class;         /* "0-9"..., or NULL for a character */
	uint32_t cp;
};

/*
 * Read one bracket item at s.  Returns the bytes read, or 0 when it has
 * no POSIX form (a negated class inside brackets, \b, broken UTF-8...).
 */
static size_t
bracket_item(const char *s, struct bracket_item *item)
{
	bool negated;
	size_t n;

	memset(item, 0, sizeof(*item));
	if (*s != '\\')
		return utf8_char(s, strlen(s), &item->cp);
	if ((item->class = escape_class(s[1], &negated)) != NULL)
		return negated ? 0 : 2;
	if (s[1] == 'b') {
		item->cp = '\b';   /* in brackets, \b is a backspace */
		return 2;
	}
	n = escape_char(s + 1, &item->cp);
	return n == 0 ? 0 : n + 1;
}

/* Is cp one of the characters that have a place of their own in POSIX
 * brackets? */
static bool
bracket_special(uint32_t cp)
{
	return cp == ']' || cp == '[' || cp == '^' || cp == '-';
}

/*
 * Translate the bracket expression at s (at its '[') into o.  POSIX has
 * no escapes in brackets, so the characters that mean something there
 * are moved where they mean themselves: ']' first, then '[', '^' and '-'
 * last.  The ASCII part becomes one bracket expression; characters
 * outside ASCII are alternatives beside it.  Returns the bytes read, or
 * 0 when there is no POSIX form.
 */
static size_t
bracket_translate(const char *s, struct text_out *o)
{
	char set_buf[JSONSCHEMA_BRACKET_MAX], wide_buf[JSONSCHEMA_BRACKET_MAX];
	struct text_out set = { set_buf, 0, sizeof(set_buf), false };
	struct text_out wide = { wide_buf, 0, sizeof(wide_buf), false };
	struct bracket_item item, end;
	bool negated = false, close = false, open = false, caret = false,
	    hyphen = false, ascii;
	size_t i = 1, n, m;
	char bytes[4];

	set_buf[0] = wide_buf[0] = '\0';
	if (s[i] == '^') {
		negated = true;
		i++;
	}
	if (s[i] == ']')
		return 0; /* [] and [^]: nothing and anything */
	while (s[i] != ']') {
		if (s[i] == '\0' || (n = bracket_item(s + i, &item)) == 0)
			return 0;
		i += n;
		if (item.class != NULL) {
			out_str(&set, item.class);
			continue;
		}
		if (s[i] == '-' && s[i + 1] != ']' && s[i + 1] != '\0') {
			if ((m = bracket_item(s + i + 1, &end)) == 0 ||
			    end.class != NULL || end.cp < item.cp ||
			    end.cp >= 0x80 || bracket_special(item.cp) ||
			    bracket_special(end.cp))
				return 0;
			i += 1 + m;
			bytes[0] = (char)item.cp;
			bytes[1] = '-';
			bytes[2] = (char)end.cp;
			out_put(&set, bytes, 3);
			continue;
		}
		if (item.cp >= 0x80) {
			if (negated)
				return 0;
			out_put(&wide, "|", 1);
			out_put(&wide, bytes, utf8_put(item.cp, bytes));
			continue;
		}
		switch (item.cp) {
		case ']':
			close = true;
			break;
		case '[':
			open = true;
			break;
		case '^':
			caret = true;
			break;
		case '-':
			hyphen = true;
			break;
		default:
			bytes[0] = (char)item.cp;
			out_put(&set, bytes, 1);
			break;
		}
	}
	if (set.full || wide.full)
		return 0;
	if (negated) {
		put_negated(o, set_buf, set.len, close, open, caret, hyphen);
		return i + 1;
	}
	ascii = close || open || caret || hyphen || set.len > 0;
	if (wide.len > 0)
		out_put(o, "(", 1);
	if (!ascii) {
		/* Only characters outside ASCII. */
	} else if (!close && !open && set.len == 0) {
		/* "[^...]" would negate: the caret goes after a hyphen. */
		out_str(o, hyphen && caret ? "[-^]" : caret ? "\\^" : "-");
	} else {
		out_put(o, "[", 1);
		if (close)
			out_put(o, "]", 1);
		out_put(o, set_buf, set.len);
		if (open)
			out_put(o, "[", 1);
		if (caret)
			out_put(o, "^", 1);
		if (hyphen)
			out_put(o, "-", 1);
		out_put(o, "]", 1);
	}
	if (wide.len > 0) {
		/* Skip the first '|' when there is no ASCII part. */
		out_put(o, wide_buf + (ascii ? 0 : 1), wide.len - !ascii);
		out_put(o, ")", 1);
	}
	return i + 1;
}

/*
 * Read a quantifier {n}, {n,} or {n,m} at s into *min and *max (max is
 * PATTERN_UNBOUNDED for {n,}).  Returns its length; 0 when s does not start
 * one (ECMA then reads the '{' as itself); SIZE_MAX when a count is
 * beyond what regcomp takes.
 */
static size_t
brace_quantifier(const char *s, unsigned long *min, unsigned long *max)
{
	size_t i = 1, digits = 0;
	unsigned long *at = min;

	*min = *max = 0;
	for (; s[i] >= '0' && s[i] <= '9'; i++, digits++)
		*at = *at * 10 + (unsigned long)(s[i] - '0');
	if (digits == 0)
		return 0;
	if (s[i] == ',') {
		at = max;
		digits = 0;
		for (i++; s[i] >= '0' && s[i] <= '9'; i++, digits++)
			if (digits < 6)
				*at = *at * 10 + (unsigned long)(s[i] - '0');
		if (digits == 0)
			*max = PATTERN_UNBOUNDED;
	} else
		*max = *min;
	if (s[i] != '}')
		return 0;
	if (*min > RE_DUP_MAX ||
	    (*max != PATTERN_UNBOUNDED && *max > RE_DUP_MAX))
		return SIZE_MAX;
	return i + 1;
}

/* a + b, and a * b, saturating at PATTERN_UNBOUNDED. */
static unsigned long
sat_add(unsigned long a, unsigned long b)
{
	return a > PATTERN_UNBOUNDED - b ? PATTERN_UNBOUNDED : a + b;
}

static unsigned long
sat_mul(unsigned long a, unsigned long b)
{
	return b != 0 && a > PATTERN_UNBOUNDED / b ? PATTERN_UNBOUNDED : a * b;
}

/*
 * What pattern_translate() knows while it reads: for each group open,
 * the bytes its translation will take once regcomp() has expanded the
 * counts (cost), and the most characters the current alternative and
 * the ones before it can take (max, alt_max).
 */
struct pattern_group {
	unsigned long cost, max, alt_max;
};

struct pattern_state {
	struct pattern_group group[PATTERN_GROUPS_MAX + 1];
	size_t depth;
	unsigned long atom_cost;   /* the last atom, for its quantifier */
	unsigned long atom_max;
	bool atom;                 /* a quantifier may follow */
	bool quantified;           /* a quantifier came last */
};

/* Count the atom written since mark (a length of o) in st. */
static void
pattern_atom(struct pattern_state *st, const struct text_out *o, size_t mark,
    unsigned long chars)
{
	struct pattern_group *g = &st->group[st->depth];

	st->atom_cost = o->len - mark;
	st->atom_max = chars;
	g->cost = sat_add(g->cost, st->atom_cost);
	g->max = sat_add(g->max, chars);
	st->atom = true;
	st->quantified = false;
}

/*
 * Apply a quantifier of at most max repeats (PATTERN_UNBOUNDED: no limit) to
 * the last atom, which regcomp() expands to copies copies.
 */
static void
pattern_repeat(struct pattern_state *st, unsigned long max,
    unsigned long copies)
{
	struct pattern_group *g = &st->group[st->depth];

	if (copies > 1)
		g->cost = sat_add(g->cost, sat_mul(st->atom_cost, copies - 1));
	if (max == PATTERN_UNBOUNDED)
		g->max = PATTERN_UNBOUNDED;
	else if (g->max != PATTERN_UNBOUNDED)
		g->max = g->max - st->atom_max + sat_mul(st->atom_max, max);
	st->atom = false;
	st->quantified = true;
}

/*
 * Translate the ECMA-262 pattern src into a POSIX extended regular
 * expression for the C locale, in o.  *max_chars is set to the most
 * characters a string it matches can have when that is known (the
 * pattern is anchored at both ends), else to PATTERN_UNBOUNDED.  Returns 0,
 * or -1 when the pattern has no such form or is too costly for
 * regcomp() (PATTERN_COST_MAX).
 */
static int
pattern_translate(const char *src, struct text_out *o,
    unsigned long *max_chars)
{
	struct pattern_state st;
	struct pattern_group *g, *parent;
	const char *class;
	bool negated, anchored_end = false, alternation = false;
	unsigned long min, max;
	size_t i = 0, n, mark;
	uint32_t cp;
	char number[48];

	memset(&st, 0, sizeof(st));
	*max_chars = PATTERN_UNBOUNDED;
	while (src[i] != '\0') {
		char ch = src[i];

		mark = o->len;
		switch (ch) {
		case '\\':
			if ((class = escape_class(src[i + 1], &negated)) !=
			    NULL && negated) {
				put_negated(o, class, strlen(class), false,
				    false, false, false);
				i += 2;
			} else if (class != NULL) {
				out_put(o, "[", 1);
				out_str(o, class);
				out_put(o, "]", 1);
				i += 2;
			} else if ((n = escape_char(src + i + 1, &cp)) != 0) {
				put_literal(o, cp);
				i += 1 + n;
			} else
				return -1;
			pattern_atom(&st, o, mark, 1);
			break;
		case '[':
			if ((n = bracket_translate(src + i, o)) == 0)
				return -1;
			i += n;
			pattern_atom(&st, o, mark, 1);
			break;
		case '(':
			if (src[i + 1] == '?') {
				if (src[i + 2] != ':')
					return -1; /* lookaround, names */
				i += 2;
			}
			if (st.depth == PATTERN_GROUPS_MAX)
				return -1;
			out_put(o, "(", 1);
			i++;
			memset(&st.group[++st.depth], 0, sizeof(st.group[0]));
			st.atom = st.quantified = false;
			break;
		case ')':
			if (st.depth == 0)
				return -1;
			g = &st.group[st.depth--];
			out_put(o, ")", 1);
			i++;
			/* The group is one atom: "(" and ")" and its inside. */
			max = g->max > g->alt_max ? g->max : g->alt_max;
			parent = &st.group[st.depth];
			st.atom_cost = sat_add(g->cost, 2);
			parent->cost = sat_add(parent->cost, st.atom_cost);
			parent->max = sat_add(parent->max, max);
			st.atom_max = max;
			st.atom = true;
			st.quantified = false;
			break;
		case '|':
			g = &st.group[st.depth];
			if (g->max > g->alt_max)
				g->alt_max = g->max;
			g->max = 0;
			alternation |= st.depth == 0;
			out_put(o, "|", 1);
			i++;
			st.atom = st.quantified = false;
			break;
		case '^':
		case '$':
			/* Assertions: no character, and no quantifier. */
			anchored_end = ch == '$' && src[i + 1] == '\0' &&
			    st.depth == 0;
			out_put(o, &ch, 1);
			i++;
			st.atom = st.quantified = false;
			break;
		case '*':
		case '+':
		case '?':
			i++;
			if (ch == '?' && st.quantified) {
				/* Lazy: the same strings match. */
				st.quantified = false;
				break;
			}
			if (!st.atom)
				return -1; /* nothing to repeat, or a++ */
			out_put(o, &ch, 1);
			pattern_repeat(&st, ch == '?' ? 1 : PATTERN_UNBOUNDED,
			    ch == '+' ? 2 : 1);
			break;
		case '{':
			if ((n = brace_quantifier(src + i, &min, &max)) == 0) {
				out_str(o, "\\{");
				i++;
				pattern_atom(&st, o, mark, 1);
				break;
			}
			if (n == SIZE_MAX || !st.atom ||
			    (max != PATTERN_UNBOUNDED && max < min))
				return -1;
			i += n;
			/* regcomp() runs a wide range {n,m} slowly, so it
			 * gets {n,}; the full count stays in max_chars. */
			if (max == PATTERN_UNBOUNDED ||
			    max - min > PATTERN_RANGE_EXACT) {
				snprintf(number, sizeof(number), "{%lu,}", min);
				pattern_repeat(&st, max, min + 1);
			} else {
				snprintf(number, sizeof(number), "{%lu,%lu}",
				    min, max);
				pattern_repeat(&st, max, max);
			}
			out_str(o, number);
			break;
		case '.':
			/* Any character but a line feed or return. */
			out_str(o, "([^\n\r\x80-\xff]|" PATTERN_NON_ASCII ")");
			i++;
			pattern_atom(&st, o, mark, 1);
			break;
		default:
			if ((unsigned char)ch < 0x80) {
				out_put(o, &ch, 1);
				i++;
			} else if ((n = utf8_char(src + i, strlen(src + i),
			    &cp)) == 0) {
				return -1;
			} else {
				put_literal(o, cp);
				i += n;
			}
			pattern_atom(&st, o, mark, 1);
			break;
		}
		if (st.group[st.depth].cost > PATTERN_COST_MAX)
			return -1;
	}
	if (st.depth != 0 || o->full || st.group[0].cost > PATTERN_COST_MAX)
		return -1;
	if (src[0] == '^' && anchored_end && !alternation)
		*max_chars = st.group[0].max;
	return 0;
}

/*
 * Compile pattern into entry (usable says whether it could be; when not,
 * the pattern is ignored: no POSIX form, too long or costly, refused by
 * regcomp).  Returns 0, or -1 when memory ran out (no_memory is then
 * set, and entry is not usable).
 */
static int
regex_compile(struct check *c, const char *pattern,
    struct check_regex *entry)
{
	struct text_out o = { NULL, 0, 0, false };
	size_t len = strlen(pattern);
	locale_t saved;

	memset(entry, 0, sizeof(*entry));
	entry->pattern = pattern;
	if (len > JSONSCHEMA_PATTERN_MAX)
		return 0;
	if (c->locale == (locale_t)0 &&
	    (c->locale = newlocale(LC_ALL_MASK, "C", (locale_t)0)) ==
	    (locale_t)0)
		goto fail;
	/* The longest translation of one byte is 49 bytes ("."). */
	o.size = len * 64 + 16;
	if ((o.buf = malloc(o.size)) == NULL)
		goto fail;
	o.buf[0] = '\0';
	if (pattern_translate(pattern, &o, &entry->max_chars) == 0) {
		saved = uselocale(c->locale);
		entry->usable = regcomp(&entry->re, o.buf,
		    REG_EXTENDED | REG_NOSUB) == 0;
		uselocale(saved);
	}
	free(o.buf);
	return 0;
fail:
	c->no_memory = true;
	c->stop = true;
	return -1;
}

/*
 * Does the usable entry match somewhere in len bytes of text?  A text
 * longer than the pattern can match is refused without running it.
 */
static bool
regex_run(struct check *c, struct check_regex *entry, const char *text,
    size_t len)
{
	regmatch_t range[1] = { { 0, (regoff_t)len } };
	locale_t saved;
	int flags = 0;
	bool matched;

	if (entry->max_chars != PATTERN_UNBOUNDED &&
	    utf8_count(text, len) > entry->max_chars)
		return false;
#ifdef REG_STARTEND
	/* The whole string, even past a "\u0000" inside it. */
	flags = REG_STARTEND;
#endif
	saved = uselocale(c->locale);
	matched = regexec(&entry->re, text, 1, range, flags) == 0;
	uselocale(saved);
	return matched;
}

/*
 * Does pattern match somewhere in len bytes of text?  Returns 1 or 0, or
 * -1 when the pattern cannot be used (or memory ran out), and the
 * keyword is ignored.  A compiled pattern is kept for the rest of the
 * check, up to JSONSCHEMA_REGEX_CACHE of them; others are compiled at
 * each use.
 */
static int
regex_match(struct check *c, const char *pattern, const char *text,
    size_t len)
{
	struct check_regex *entry, single;
	size_t i;
	int r;

	for (i = 0; i < c->nregex; i++) {
		entry = &c->regex[i];
		if (entry->pattern == pattern)
			return !entry->usable ? -1 :
			    regex_run(c, entry, text, len) ? 1 : 0;
	}
	if (c->nregex < JSONSCHEMA_REGEX_CACHE)
		entry = &c->regex[c->nregex];
	else {
		memset(&single, 0, sizeof(single));
		entry = &single;
	}
	if (regex_compile(c, pattern, entry) == -1)
		return -1;
	if (entry != &single)
		c->nregex++;
	if (!entry->usable)
		return -1;
	r = regex_run(c, entry, text, len) ? 1 : 0;
	if (entry == &single)
		regfree(&single.re);
	return r;
}

/*
 * Resolve ref, a $ref, within the root schema: "#" or "#/a/b" (a JSON
 * Pointer in a URI fragment: %-escapes decoded first, then ~1 and ~0).
 * Returns the schema it names, or NULL when it names none here.
 */
static json_object *
ref_resolve(json_object *root, const char *ref)
{
	char pointer[JSONSCHEMA_POINTER_MAX], token[JSONSCHEMA_POINTER_MAX];
	json_object *at = root;
	size_t i, o = 0, t;
	long v;

	if (ref[0] != '#')
		return NULL;
	for (i = 1; ref[i] != '\0'; i++) {
		if (o + 1 >= sizeof(pointer))
			return NULL;
		if (ref[i] == '%' && (v = hex_value(ref + i + 1, 2)) > 0) {
			pointer[o++] = (char)v;
			i += 2;
		} else
			pointer[o++] = ref[i];
	}
	pointer[o] = '\0';
	if (o == 0)
		return root;
	if (pointer[0] != '/')
		return NULL; /* "#name": an anchor, not supported */
	for (i = 1; ; i++) {
		t = 0;
		for (; pointer[i] != '\0' && pointer[i] != '/'; i++) {
			if (pointer[i] == '~' && pointer[i + 1] == '1') {
				token[t++] = '/';
				i++;
			} else if (pointer[i] == '~' && pointer[i + 1] == '0') {
				token[t++] = '~';
				i++;
			} else
				token[t++] = pointer[i];
		}
		token[t] = '\0';
		if (json_object_is_type(at, json_type_object)) {
			if (!json_object_object_get_ex(at, token, &at))
				return NULL;
		} else if (json_object_is_type(at, json_type_array)) {
			char *end;
			unsigned long index;

			if (t == 0 || (t > 1 && token[0] == '0') ||
			    token[0] < '0' || token[0] > '9')
				return NULL;
			index = strtoul(token, &end, 10);
			if (*end != '\0' ||
			    index >= json_object_array_length(at))
				return NULL;
			at = json_object_array_get_idx(at, index);
		} else
			return NULL;
		if (pointer[i] == '\0')
			break;
	}
	return at;
}

/*
 * Follow a $ref for instance.  A reference that leaves the schema, or
 * comes back to a schema already being checked for this same value (a
 * cycle that would never end), is ignored.  Returns whether instance is
 * valid.
 */
static bool
check_ref(struct check *c, const char *ref, json_object *instance,
    unsigned depth)
{
	json_object *target;
	size_t i;
	bool valid;

	if ((target = ref_resolve(c->root, ref)) == NULL)
		return true;
	for (i = 0; i < c->nrefs; i++)
		if (c->refs[i].target == target &&
		    c->refs[i].instance == instance)
			return true;
	if (c->nrefs == JSONSCHEMA_DEPTH_MAX)
		return fault(c, "depth", "is nested too deeply to be checked"
		    " (more than %d levels)", JSONSCHEMA_DEPTH_MAX);
	c->refs[c->nrefs].target = target;
	c->refs[c->nrefs].instance = instance;
	c->nrefs++;
	valid = check_value(c, target, instance, depth + 1);
	c->nrefs--;
	return valid;
}

/* The phrase for a type name in a message, or NULL if it is not one. */
static const char *
type_phrase(const char *name)
{
	static const char *const phrases[][2] = {
		{ "null", "null" }, { "boolean", "a boolean" },
		{ "object", "an object" }, { "array", "an array" },
		{ "number", "a number" }, { "string", "a string" },
		{ "integer", "an integer" },
	};
	size_t i;

	for (i = 0; i < sizeof(phrases) / sizeof(phrases[0]); i++)
		if (strcmp(name, phrases[i][0]) == 0)
			return phrases[i][1];
	return NULL;
}

/* Is instance of the named type?  (The name is a known one.) */
static bool
type_matches(const char *name, json_object *instance)
{
	struct number n;

	if (strcmp(name, "null") == 0)
		return instance == NULL;
	if (strcmp(name, "boolean") == 0)
		return json_object_is_type(instance, json_type_boolean);
	if (strcmp(name, "object") == 0)
		return json_object_is_type(instance, json_type_object);
	if (strcmp(name, "array") == 0)
		return json_object_is_type(instance, json_type_array);
	if (strcmp(name, "string") == 0)
		return json_object_is_type(instance, json_type_string);
	if (!number_get(instance, &n))
		return false;
	return strcmp(name, "number") == 0 || number_is_integer(&n);
}

/*
 * Check the "type" keyword, types (a name or an array of names).  Names
 * it does not know are skipped; a keyword without a known one is
 * ignored.  Returns whether instance is valid.
 */
static bool
check_type(struct check *c, json_object *types, json_object *instance)
{
	char list[JSONSCHEMA_MSG_MAX];
	const char *names[8];
	size_t i, n = 0, count, o = 0;

	if (json_object_is_type(types, json_type_string)) {
		names[n++] = json_object_get_string(types);
	} else if (json_object_is_type(types, json_type_array)) {
		count = json_object_array_length(types);
		for (i = 0; i < count && n < 8; i++) {
			json_object *name = json_object_array_get_idx(types, i);

			if (json_object_is_type(name, json_type_string))
				names[n++] = json_object_get_string(name);
		}
	}
	count = 0;
	for (i = 0; i < n; i++) {
		if (type_phrase(names[i]) == NULL)
			continue;
		if (type_matches(names[i], instance))
			return true;
		names[count++] = names[i];
	}
	if (count == 0 || !goes_on(c))
		return count == 0;
	list[0] = '\0';
	for (i = 0; i < count && o < sizeof(list); i++)
		o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s",
		    i == 0 ? "" : i + 1 == count ? " or " : ", ",
		    type_phrase(names[i]));
	return fault(c, "type", "must be %s", list);
}

/* Check "enum" (an array of values); returns whether instance is valid. */
static bool
check_enum(struct check *c, json_object *values, json_object *instance)
{
	char list[JSONSCHEMA_MSG_MAX], one[JSONSCHEMA_QUOTE_MAX + 8];
	size_t i, n = json_object_array_length(values), o = 0;

	for (i = 0; i < n; i++)
		if (json_equal(json_object_array_get_idx(values, i), instance,
		    0))
			return true;
	if (!goes_on(c))
		return false;
	list[0] = '\0';
	for (i = 0; i < n; i++) {
		value_text(json_object_array_get_idx(values, i), one,
		    sizeof(one));
		if (o + strlen(one) + 2 > JSONSCHEMA_LIST_MAX) {
			snprintf(list + o, sizeof(list) - o, ", ...");
			break;
		}
		o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s",
		    i == 0 ? "" : ", ", one);
	}
	if (n == 1)
		return fault(c, "enum", "must be %s", list);
	return fault(c, "enum", "must be one of %s", list);
}

/*
 * Check the bounds of a number: minimum and maximum (exclusive when
 * OpenAPI 3.0's boolean exclusiveMinimum/exclusiveMaximum is true) and
 * 2020-12's numeric exclusiveMinimum and exclusiveMaximum.  Returns
 * whether n is within them.
 */
static bool
check_number(struct check *c, json_object *schema, const struct number *n)
{
	static const struct {
		const char *bound, *exclusive;
		int sign;                  /* -1: a lower bound */
	} sides[] = {
		{ "minimum", "exclusiveMinimum", -1 },
		{ "maximum", "exclusiveMaximum", 1 },
	};
	char text[64] = "";
	struct number limit;
	json_object *exclusive;
	bool valid = true;
	size_t i;
	int cmp;

	for (i = 0; i < sizeof(sides) / sizeof(sides[0]); i++) {
		exclusive = member(schema, sides[i].exclusive);
		if (number_get(member(schema, sides[i].bound), &limit)) {
			bool strict = json_object_is_type(exclusive,
			    json_type_boolean) &&
			    json_object_get_boolean(exclusive);

			cmp = number_compare(n, &limit) * sides[i].sign;
			if (cmp > 0 || (strict && cmp == 0)) {
				if (goes_on(c))
					number_text(&limit, text, sizeof(text));
				valid = fault(c, strict ? sides[i].exclusive :
				    sides[i].bound, "must be %s %s", strict ?
				    (sides[i].sign < 0 ? "greater than" :
				    "less than") : (sides[i].sign < 0 ?
				    "at least" : "at most"), text);
				if (!goes_on(c))
					return false;
			}
		}
		if (number_get(exclusive, &limit)) {
			cmp = number_compare(n, &limit) * sides[i].sign;
			if (cmp >= 0) {
				if (goes_on(c))
					number_text(&limit, text, sizeof(text));
				valid = fault(c, sides[i].exclusive,
				    "must be %s %s", sides[i].sign < 0 ?
				    "greater than" : "less than", text);
				if (!goes_on(c))
					return false;
			}
		}
	}
	return valid;
}

/* Check minLength, maxLength and pattern; returns whether valid. */
static bool
check_string(struct check *c, json_object *schema, json_object *instance)
{
	char quoted[JSONSCHEMA_QUOTE_MAX * 2] = "";
	const char *text = json_object_get_string(instance);
	size_t bytes = (size_t)json_object_get_string_len(instance), length,
	    bound;
	json_object *pattern;
	bool valid = true;

	length = utf8_count(text, bytes);
	if (count_get(member(schema, "minLength"), &bound) &&
	    length < bound) {
		valid = fault(c, "minLength", "must be at least %zu "
		    "character%s long", bound, bound == 1 ? "" : "s");
		if (!goes_on(c))
			return false;
	}
	if (count_get(member(schema, "maxLength"), &bound) &&
	    length > bound) {
		valid = fault(c, "maxLength", "must be at most %zu "
		    "character%s long", bound, bound == 1 ? "" : "s");
		if (!goes_on(c))
			return false;
	}
	pattern = member_of_type(schema, "pattern", json_type_string);
	if (pattern != NULL && regex_match(c, json_object_get_string(pattern),
	    text, bytes) == 0) {
		if (goes_on(c))
			text_clean(json_object_get_string(pattern),
			    (size_t)json_object_get_string_len(pattern), '\0',
			    quoted, sizeof(quoted));
		valid = fault(c, "pattern", "must match the pattern \"%s\"",
		    quoted);
	}
	return valid;
}

/*
 * Check prefixItems (or an array "items"), items, minItems and maxItems.
 * Returns whether instance, an array, is valid.
 */
static bool
check_array(struct check *c, json_object *schema, json_object *instance,
    unsigned depth)
{
	json_object *prefix, *items;
	size_t n = json_object_array_length(instance), i, first = 0, bound,
	    mark;
	bool valid = true, ok;

	items = member(schema, "items");
	prefix = member_of_type(schema, "prefixItems", json_type_array);
	if (prefix == NULL && json_object_is_type(items, json_type_array)) {
		prefix = items;    /* draft 2019 and before: a tuple */
		items = NULL;
	}
	if (prefix != NULL) {
		first = json_object_array_length(prefix);
		for (i = 0; i < first && i < n; i++) {
			mark = path_push_index(c, i);
			ok = check_value(c, json_object_array_get_idx(prefix,
			    i), json_object_array_get_idx(instance, i),
			    depth + 1);
			path_pop(c, mark);
			if (!ok) {
				valid = false;
				if (!goes_on(c))
					return false;
			}
		}
	}
	if (items != NULL) {
		for (i = first; i < n; i++) {
			mark = path_push_index(c, i);
			ok = check_value(c, items,
			    json_object_array_get_idx(instance, i), depth + 1);
			path_pop(c, mark);
			if (!ok) {
				valid = false;
				if (!goes_on(c))
					return false;
			}
		}
	}
	if (count_get(member(schema, "minItems"), &bound) && n < bound) {
		valid = fault(c, "minItems", "must have at least %zu item%s",
		    bound, bound == 1 ? "" : "s");
		if (!goes_on(c))
			return false;
	}
	if (count_get(member(schema, "maxItems"), &bound) && n > bound)
		valid = fault(c, "maxItems", "must have at most %zu item%s",
		    bound, bound == 1 ? "" : "s");
	return valid;
}

/*
 * Check required, properties, patternProperties and
 * additionalProperties.  A property is additional when properties does
 * not name it and no patternProperties pattern matches it; when one of
 * those patterns cannot be used, nothing is taken as additional.
 * Returns whether instance, an object, is valid.
 */
static bool
check_object(struct check *c, json_object *schema, json_object *instance,
    unsigned depth)
{
	json_object *required, *properties, *patterns, *additional;
	json_object *sub = NULL;
	size_t i, n, mark;
	bool valid = true, ok, named, matched, unusable = false;
	int r;

	required = member_of_type(schema, "required", json_type_array);
	n = required == NULL ? 0 : json_object_array_length(required);
	for (i = 0; i < n; i++) {
		json_object *name = json_object_array_get_idx(required, i);

		if (!json_object_is_type(name, json_type_string) ||
		    json_object_object_get_ex(instance,
		    json_object_get_string(name), NULL))
			continue;
		mark = path_push_key(c, json_object_get_string(name));
		valid = fault(c, "required", "is required");
		path_pop(c, mark);
		if (!goes_on(c))
			return false;
	}
	properties = member_of_type(schema, "properties", json_type_object);
	patterns = member_of_type(schema, "patternProperties",
	    json_type_object);
	additional = member(schema, "additionalProperties");
	if (properties == NULL && patterns == NULL && additional == NULL)
		return valid;
	json_object_object_foreach(instance, key, value) {
		mark = path_push_key(c, key);
		named = properties != NULL &&
		    json_object_object_get_ex(properties, key, &sub);
		ok = !named || check_value(c, sub, value, depth + 1);
		matched = false;
		if (patterns != NULL) {
			json_object_object_foreach(patterns, pattern, psub) {
				if (!ok && !goes_on(c))
					break;
				r = regex_match(c, pattern, key, strlen(key));
				if (r == -1)
					unusable = true;
				if (r != 1)
					continue;
				matched = true;
				if (!check_value(c, psub, value, depth + 1))
					ok = false;
			}
		}
		if (!named && !matched && !unusable && additional != NULL &&
		    (ok || goes_on(c))) {
			if (json_object_is_type(additional,
			    json_type_boolean)) {
				if (!json_object_get_boolean(additional))
					ok = fault(c, "additionalProperties",
					    "is not allowed");
			} else if (!check_value(c, additional, value,
			    depth + 1))
				ok = false;
		}
		path_pop(c, mark);
		if (!ok) {
			valid = false;
			if (!goes_on(c))
				return false;
		}
	}
	return valid;
}

/*
 * Check allOf, anyOf, oneOf and not.  Branches of anyOf, oneOf and not
 * are checked quietly: only the keyword itself is reported.  Returns
 * whether instance is valid.
 */
static bool
check_combinators(struct check *c, json_object *schema,
    json_object *instance, unsigned depth)
{
	json_object *list, *negated;
	size_t i, n, matches;
	bool valid = true, ok;

	if ((list = member_of_type(schema, "allOf", json_type_array)) !=
	    NULL) {
		n = json_object_array_length(list);
		for (i = 0; i < n; i++) {
			if (check_value(c, json_object_array_get_idx(list, i),
			    instance, depth + 1))
				continue;
			valid = false;
			if (!goes_on(c))
				return false;
		}
	}
	if ((list = member_of_type(schema, "anyOf", json_type_array)) !=
	    NULL) {
		n = json_object_array_length(list);
		ok = n == 0;
		c->quiet++;
		for (i = 0; i < n && !ok && !c->stop; i++)
			ok = check_value(c, json_object_array_get_idx(list, i),
			    instance, depth + 1);
		c->quiet--;
		if (!ok) {
			valid = fault(c, "anyOf", "must match at least one of "
			    "the schemas listed in anyOf");
			if (!goes_on(c))
				return false;
		}
	}
	if ((list = member_of_type(schema, "oneOf", json_type_array)) !=
	    NULL) {
		n = json_object_array_length(list);
		matches = 0;
		c->quiet++;
		for (i = 0; i < n && !c->stop; i++)
			if (check_value(c, json_object_array_get_idx(list, i),
			    instance, depth + 1))
				matches++;
		c->quiet--;
		if (c->stop)
			return false;
		if (matches != 1 && n > 0) {
			if (matches == 0)
				valid = fault(c, "oneOf", "must match exactly "
				    "one of the schemas listed in oneOf, but "
				    "matches none");
			else
				valid = fault(c, "oneOf", "must match exactly "
				    "one of the schemas listed in oneOf, but "
				    "matches %zu", matches);
			if (!goes_on(c))
				return false;
		}
	}
	if (json_object_object_get_ex(schema, "not", &negated) &&
	    (json_object_is_type(negated, json_type_object) ||
	    json_object_is_type(negated, json_type_boolean))) {
		c->quiet++;
		ok = check_value(c, negated, instance, depth + 1);
		c->quiet--;
		if (c->stop)
			return false;
		if (ok)
			valid = fault(c, "not", "must not match the schema "
			    "given in not");
	}
	return valid;
}

/*
 * Check instance against schema, depth schemas down from the root.
 * Reports every problem found (through fault()) unless quiet.  Returns
 * whether instance is valid.
 */
static bool
check_value(struct check *c, json_object *schema, json_object *instance,
    unsigned depth)
{
	json_object *value;
	struct number n;
	bool valid = true;

	if (c->stop)
		return false;
	if (json_object_is_type(schema, json_type_boolean))
		return json_object_get_boolean(schema) ? true :
		    fault(c, "false", "is not allowed");
	if (!json_object_is_type(schema, json_type_object))
		return true;
	if (!step(c))
		return false;
	if (depth >= JSONSCHEMA_DEPTH_MAX)
		return fault(c, "depth", "is nested too deeply to be checked"
		    " (more than %d levels)", JSONSCHEMA_DEPTH_MAX);
	/* OpenAPI 3.0: null is a value of a nullable schema, enum or not. */
	if (instance == NULL && member_is_true(schema, "nullable"))
		return true;
	if ((value = member_of_type(schema, "$ref", json_type_string)) !=
	    NULL && !check_ref(c, json_object_get_string(value), instance,
	    depth)) {
		valid = false;
		if (!goes_on(c))
			return false;
	}
	/* A value of the wrong type fails nothing else worth saying. */
	if ((value = member(schema, "type")) != NULL &&
	    !check_type(c, value, instance))
		return false;
	if ((value = member_of_type(schema, "enum", json_type_array)) !=
	    NULL && !check_enum(c, value, instance)) {
		valid = false;
		if (!goes_on(c))
			return false;
	}
	if (json_object_object_get_ex(schema, "const", &value) &&
	    !json_equal(value, instance, 0)) {
		char text[JSONSCHEMA_QUOTE_MAX + 8] = "";

		if (goes_on(c))
			value_text(value, text, sizeof(text));
		valid = fault(c, "const", "must be %s", text);
		if (!goes_on(c))
			return false;
	}
	if (number_get(instance, &n)) {
		if (!check_number(c, schema, &n))
			valid = false;
	} else if (json_object_is_type(instance, json_type_string)) {
		if (!check_string(c, schema, instance))
			valid = false;
	} else if (json_object_is_type(instance, json_type_array)) {
		if (!check_array(c, schema, instance, depth))
			valid = false;
	} else if (json_object_is_type(instance, json_type_object)) {
		if (!check_object(c, schema, instance, depth))
			valid = false;
	}
	if (!valid && !goes_on(c))
		return false;
	if (!check_combinators(c, schema, instance, depth))
		valid = false;
	return valid;
}

/* Release what a check holds (compiled patterns, locale, details). */
static void
check_release(struct check *c)
{
	size_t i;

	for (i = 0; i < c->nregex; i++)
		if (c->regex[i].usable)
			regfree(&c->regex[i].re);
	c->nregex = 0;
	if (c->locale != (locale_t)0)
		freelocale(c->locale);
	c->locale = (locale_t)0;
	error_clear(&c->found);
}

int
jsonschema_check(json_object *schema, json_object *instance,
    struct error *err)
{
	struct check c;
	char suffix[64] = "";
	size_t room;
	bool valid;
	int rc = -1;

	if (!json_object_is_type(schema, json_type_object))
		return 0;
	memset(&c, 0, sizeof(c));
	c.root = schema;
	valid = check_value(&c, schema, instance, 0);
	if (c.no_memory) {
		error_set(err, ERR_INTERNAL, NULL);
		goto out;
	}
	if (c.too_complex) {
		/* Say so at the top level, in place of the last detail if
		 * the list is full: it is the one that explains the rest. */
		if (c.faults == JSONSCHEMA_DETAILS_MAX) {
			json_object_array_del_idx(c.found.details,
			    JSONSCHEMA_DETAILS_MAX - 1, 1);
			c.faults--;
			c.more = true;
		}
		c.stop = false;
		c.quiet = 0;
		c.path[0] = '\0';
		c.path_len = 0;
		c.path_cut = 0;
		fault(&c, "complexity", "could not be checked: the schema "
		    "needs more than %ld steps", (long)JSONSCHEMA_STEPS_MAX);
		if (c.no_memory) {
			error_set(err, ERR_INTERNAL, NULL);
			goto out;
		}
	} else if (valid) {
		rc = 0;
		goto out;
	}
	if (c.faults == 0) {
		/* Cannot happen: every false comes from a fault.  Still, an
		 * invalid value is never let through. */
		snprintf(c.first, sizeof(c.first), "%s do not match the input "
		    "schema", JSONSCHEMA_ROOT);
	}
	if (c.more)
		snprintf(suffix, sizeof(suffix), " (and more problems)");
	else if (c.faults > 1)
		snprintf(suffix, sizeof(suffix), " (and %zu more problem%s)",
		    c.faults - 1, c.faults == 2 ? "" : "s");
	room = sizeof(err->message) - strlen(suffix) - 1;
	if (strlen(c.first) > room) {
		c.first[room] = '\0';
		utf8_cut_end(c.first);
	}
	error_set(err, ERR_VALIDATION, "%s%s", c.first, suffix);
	error_hint(err, "Correct the arguments to fit the tool's input "
	    "schema and call the tool again.");
	if (err != NULL) {
		err->details = c.found.details;
		c.found.details = NULL;
	}
out:
	check_release(&c);
	return rc;
}

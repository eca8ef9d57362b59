/*
 * multipart.c: multipart/form-data request bodies (RFC 7578 on RFC 2046
 * 5.1.1), split into parts without copying their data (see
 * multipart.h).
 *
 * The body is read once, front to back.  A part's headers are read line
 * by line within MULTIPART_HEADERS_MAX bytes; its data runs to the next
 * CRLF "--" boundary, found with memmem(), so a part of any size costs
 * one linear search and nothing is copied.  The strings the parts carry
 * (name, filename, content type) go into one buffer that grows; while it
 * grows they are kept as offsets, and turned into pointers only when the
 * body has been read whole.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "multipart.h"
#include "utf8.h"

/* An offset that names no string. */
#define NO_STRING SIZE_MAX

/* The strings of one part, as offsets into reader.strings. */
struct part_strings {
	size_t name;
	size_t filename;
	size_t content_type;
};

/* One body being read: where it is, and the parts read so far. */
struct reader {
	const char *body;
	const char *end;
	char delimiter[4 + MULTIPART_BOUNDARY_MAX + 1]; /* CRLF "--" boundary */
	size_t delimiter_len;
	struct multipart_part *parts;  /* nparts, room for cap */
	struct part_strings *offsets;  /* one per part */
	size_t nparts;
	size_t cap;
	char *strings;                 /* slen bytes used, room for scap */
	size_t slen;
	size_t scap;
};

/* What a delimiter line does: start another part, or close the body. */
enum delimiter {
	DELIMITER_PART,
	DELIMITER_CLOSE
};

/* One parameter of a header value: name=value, the value as written. */
struct param {
	const char *name;
	size_t name_len;
	const char *value;  /* without the quotes when quoted */
	size_t value_len;
	bool quoted;
};

/* Is c one of RFC 2046's bchars (the characters of a boundary)? */
static bool
is_bchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z') ||
	    (c != '\0' && strchr("'()+_,-./:=? ", c) != NULL);
}

/* Is c a tchar (RFC 9110 5.6.2), a character of a header name? */
static bool
is_tchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z') ||
	    (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* Is c a control character: C0, or DEL? */
static bool
is_control(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

/* Does the len bytes at s equal word, ignoring case? */
static bool
equal_nocase(const char *s, size_t len, const char *word)
{
	return strlen(word) == len && strncasecmp(s, word, len) == 0;
}

/*
 * Read the next parameter of a header value at *pp (which ends at end):
 * OWS ";" OWS name OWS "=" OWS value OWS, where value is a quoted-string
 * or a run of characters other than ';', '"', spaces and controls.
 * Spaces around "=" are taken, as Go's mime package takes them; a
 * trailing ";" is allowed.  Returns 1 with param filled and *pp moved
 * past it, 0 at the end of the header value, or -1 when it is
 * malformed.
 */
static int
param_next(const char **pp, const char *end, struct param *param)
{
	const char *p = *pp;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p == end)
		return 0;
	if (*p++ != ';')
		return -1;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p == end)
		return 0;
	param->name = p;
	while (p < end && is_tchar((unsigned char)*p))
		p++;
	param->name_len = (size_t)(p - param->name);
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (param->name_len == 0 || p == end || *p++ != '=')
		return -1;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p < end && *p == '"') {
		param->quoted = true;
		param->value = ++p;
		for (;;) {
			if (p == end || is_control((unsigned char)*p))
				return -1;
			if (*p == '"')
				break;
			if (*p == '\\' && end - p >= 2 &&
			    (p[1] == '"' || p[1] == '\\'))
				p++;
			p++;
		}
		param->value_len = (size_t)(p - param->value);
		p++;
	} else {
		param->quoted = false;
		param->value = p;
		while (p < end && *p != ';' && *p != '"' && *p != ' ' &&
		    !is_control((unsigned char)*p))
			p++;
		param->value_len = (size_t)(p - param->value);
		if (param->value_len == 0)
			return -1;
	}
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p < end && *p != ';')
		return -1;
	*pp = p;
	return 1;
}

/*
 * Copy param's value into out, without its quotes and escapes, and
 * NUL-terminate it.  A backslash escapes only '"' and '\': browsers
 * send Windows paths unescaped (HTML's form encoding percent-encodes
 * quotes instead), so "C:\dir\a.txt" must keep its backslashes.  out
 * has room for value_len + 1 bytes.  Returns the length copied.  Can't
 * fail.
 */
static size_t
param_copy(const struct param *param, char *out)
{
	size_t i, o = 0;

	for (i = 0; i < param->value_len; i++) {
		if (param->quoted && param->value[i] == '\\' &&
		    i + 1 < param->value_len &&
		    (param->value[i + 1] == '"' || param->value[i + 1] == '\\'))
			i++;
		out[o++] = param->value[i];
	}
	out[o] = '\0';
	return o;
}

int
multipart_boundary(const char *content_type, char *out, size_t size,
    struct error *err)
{
	static const char type[] = "multipart/form-data";
	const size_t type_len = sizeof(type) - 1;
	const char *p, *end;
	char value[MULTIPART_BOUNDARY_MAX + 2];
	struct param param;
	size_t len = 0, i;
	bool found = false;
	int more;

	if (content_type == NULL)
		return error_set(err, ERR_UNSUPPORTED_MEDIA,
		    "The request body must be multipart/form-data.");
	p = content_type;
	end = p + strlen(p);
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if ((size_t)(end - p) < type_len ||
	    strncasecmp(p, type, type_len) != 0 ||
	    (p + type_len < end && p[type_len] != ';' &&
	    p[type_len] != ' ' && p[type_len] != '\t'))
		return error_set(err, ERR_UNSUPPORTED_MEDIA,
		    "The request body must be multipart/form-data.");
	p += type_len;
	while ((more = param_next(&p, end, &param)) == 1) {
		if (!equal_nocase(param.name, param.name_len, "boundary"))
			continue;
		if (found)
			return error_set(err, ERR_BAD_REQUEST,
			    "The Content-Type gives the boundary twice.");
		found = true;
		if (param.value_len > MULTIPART_BOUNDARY_MAX + 1) {
			len = param.value_len; /* too long even unescaped */
			continue;
		}
		len = param_copy(&param, value);
	}
	if (more == -1)
		return error_set(err, ERR_BAD_REQUEST,
		    "The Content-Type has a malformed parameter.");
	if (!found) {
		error_set(err, ERR_BAD_REQUEST,
		    "The multipart/form-data Content-Type has no boundary.");
		error_hint(err, "Send Content-Type: multipart/form-data; "
		    "boundary=...");
		return -1;
	}
	for (i = 0; i < len && len <= MULTIPART_BOUNDARY_MAX; i++)
		if (!is_bchar((unsigned char)value[i]))
			break;
	if (len == 0 || len > MULTIPART_BOUNDARY_MAX || i < len ||
	    value[len - 1] == ' ')
		return error_set(err, ERR_BAD_REQUEST, "The boundary must be "
		    "1 to 70 letters, digits or '()+_,-./:=? characters, not "
		    "ending in a space (RFC 2046 5.1.1).");
	if (len >= size)
		return error_set(err, ERR_INTERNAL,
		    "no room for the boundary");
	memcpy(out, value, len + 1);
	return 0;
}

/*
 * Make room for more bytes at the end of r's strings.  Returns 0, or -1
 * with err set when memory is exhausted.
 */
static int
strings_reserve(struct reader *r, size_t more, struct error *err)
{
	size_t cap = r->scap > 0 ? r->scap : 256;
	char *grown;

	if (r->scap - r->slen >= more)
		return 0;
	while (cap - r->slen < more) {
		if (cap > SIZE_MAX / 2)
			return error_set(err, ERR_INTERNAL, "out of memory");
		cap *= 2;
	}
	if ((grown = realloc(r->strings, cap)) == NULL)
		return error_set(err, ERR_INTERNAL, "out of memory");
	r->strings = grown;
	r->scap = cap;
	return 0;
}

/*
 * Append the len bytes at s, NUL-terminated, to r's strings, or param's
 * value when param is not NULL, and set *offset to where it starts.
 * Returns 0, or -1 with err set when memory is exhausted.
 */
static int
strings_add(struct reader *r, const char *s, size_t len,
    const struct param *param, size_t *offset, struct error *err)
{
	if (param != NULL)
		len = param->value_len;
	if (strings_reserve(r, len + 1, err) == -1)
		return -1;
	*offset = r->slen;
	if (param != NULL)
		len = param_copy(param, r->strings + r->slen);
	else {
		memcpy(r->strings + r->slen, s, len);
		r->strings[r->slen + len] = '\0';
	}
	r->slen += len + 1;
	return 0;
}

/*
 * Is s UTF-8 text without control characters (C0, DEL or C1)?  Names
 * and filenames end up in PostgreSQL, JSON and Content-Disposition
 * headers of downloads; none of them should carry either.
 */
static bool
is_text(const char *s)
{
	size_t len = strlen(s), n;
	uint32_t cp;

	while (len > 0) {
		if ((n = utf8_char(s, len, &cp)) == 0 || cp < 0x20 ||
		    (cp >= 0x7f && cp <= 0x9f))
			return false;
		s += n;
		len -= n;
	}
	return true;
}

/* The value 0 to 15 of hexadecimal digit c, or -1. */
static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Decode the RFC 5987 ext-value s (charset "'" language "'" value, the
 * value percent-encoded) in place into NUL-terminated UTF-8.  The
 * decoded text is never longer than what it is decoded from, and is
 * written from s's start while read further on, so in place is safe.
 * Part n is named in messages.  Returns 0, or -1 with err set
 * (ERR_BAD_REQUEST) when it is malformed or not in UTF-8 or ISO-8859-1.
 */
static int
ext_value_decode(char *s, size_t n, struct error *err)
{
	char *language, *in, *out = s;
	bool latin1;
	int high, low;
	unsigned char c;

	if ((language = strchr(s, '\'')) == NULL ||
	    (in = strchr(language + 1, '\'')) == NULL)
		return error_set(err, ERR_BAD_REQUEST, "Part %zu has a "
		    "malformed filename* (RFC 5987: charset'language'value).",
		    n);
	if (equal_nocase(s, (size_t)(language - s), "UTF-8"))
		latin1 = false;
	else if (equal_nocase(s, (size_t)(language - s), "ISO-8859-1"))
		latin1 = true;
	else
		return error_set(err, ERR_BAD_REQUEST, "Part %zu has a "
		    "filename* in a charset other than UTF-8 or ISO-8859-1.",
		    n);
	for (in++; *in != '\0'; in++) {
		if (*in == '%') {
			if ((high = hex_value(in[1])) == -1 ||
			    (low = hex_value(in[2])) == -1)
				return error_set(err, ERR_BAD_REQUEST,
				    "Part %zu has a malformed "
				    "percent-encoding in its filename*.", n);
			c = (unsigned char)(high << 4 | low);
			in += 2;
		} else if (is_tchar((unsigned char)*in) && *in != '\'' &&
		    *in != '*') /* RFC 5987's attr-char */
			c = (unsigned char)*in;
		else
			return error_set(err, ERR_BAD_REQUEST, "Part %zu has a "
			    "character in its filename* that must be "
			    "percent-encoded.", n);
		if (latin1 && c >= 0x80) {
			*out++ = (char)(0xc0 | c >> 6);
			*out++ = (char)(0x80 | (c & 0x3f));
		} else
			*out++ = (char)c;
	}
	/* A %00 would end the string early: count what was written. */
	if (memchr(s, '\0', (size_t)(out - s)) != NULL)
		return error_set(err, ERR_BAD_REQUEST,
		    "Part %zu has a NUL in its filename*.", n);
	*out = '\0';
	return 0;
}

/*
 * Keep only what follows the last '/' or '\' of filename s, in place:
 * a filename is a name, never a path (RFC 7578 4.2), and old browsers
 * send the whole path.  Part n is named in messages.  Returns 0, or -1
 * with err set (ERR_BAD_REQUEST) when what is left is "." or "..".
 */
static int
filename_strip(char *s, size_t n, struct error *err)
{
	char *base = s, *p;

	for (p = s; *p != '\0'; p++)
		if (*p == '/' || *p == '\\')
			base = p + 1;
	memmove(s, base, strlen(base) + 1);
	if (strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return error_set(err, ERR_BAD_REQUEST,
		    "Part %zu has a filename that is not a file name.", n);
	return 0;
}

/*
 * Read the Content-Disposition value [v, end) of part n into its
 * strings: form-data, a name, maybe a filename and a filename*.  Other
 * parameters are ignored.  Returns 0, or -1 with err set
 * (ERR_BAD_REQUEST for a bad header, ERR_INTERNAL when memory is
 * exhausted).
 */
static int
disposition_read(struct reader *r, size_t n, const char *v,
    const char *end, struct part_strings *strings, struct error *err)
{
	static const char type[] = "form-data";
	const size_t type_len = sizeof(type) - 1;
	size_t ext = NO_STRING, *to;
	struct param param;
	const char *p;
	int more;

	if ((size_t)(end - v) < type_len ||
	    strncasecmp(v, type, type_len) != 0 ||
	    (v + type_len < end && v[type_len] != ';' &&
	    v[type_len] != ' ' && v[type_len] != '\t'))
		return error_set(err, ERR_BAD_REQUEST, "Part %zu has a "
		    "Content-Disposition other than form-data.", n);
	p = v + type_len;
	while ((more = param_next(&p, end, &param)) == 1) {
		if (equal_nocase(param.name, param.name_len, "name"))
			to = &strings->name;
		else if (equal_nocase(param.name, param.name_len, "filename"))
			to = &strings->filename;
		else if (equal_nocase(param.name, param.name_len, "filename*"))
			to = &ext;
		else
			continue;
		if (*to != NO_STRING)
			return error_set(err, ERR_BAD_REQUEST, "Part %zu's "
			    "Content-Disposition gives a parameter twice.", n);
		if (strings_add(r, NULL, 0, &param, to, err) == -1)
			return -1;
	}
	if (more == -1)
		return error_set(err, ERR_BAD_REQUEST,
		    "Part %zu has a malformed Content-Disposition.", n);
	if (strings->name == NO_STRING)
		return error_set(err, ERR_BAD_REQUEST,
		    "Part %zu has no name in its Content-Disposition.", n);
	if (!is_text(r->strings + strings->name))
		return error_set(err, ERR_BAD_REQUEST, "Part %zu has a name "
		    "that is not UTF-8 text without control characters.", n);
	if (ext != NO_STRING) {
		if (ext_value_decode(r->strings + ext, n, err) == -1)
			return -1;
		strings->filename = ext; /* RFC 6266 4.3: it wins */
	}
	if (strings->filename == NO_STRING)
		return 0;
	if (!is_text(r->strings + strings->filename))
		return error_set(err, ERR_BAD_REQUEST, "Part %zu has a "
		    "filename that is not UTF-8 text without control "
		    "characters.", n);
	return filename_strip(r->strings + strings->filename, n, err);
}

/*
 * Find the end of the header line of part n that starts at line: set
 * *eol to its CRLF, which must end before limit.  Returns 0, or -1 with
 * err set (ERR_BAD_REQUEST) for a control character, a bare LF or CR,
 * headers over MULTIPART_HEADERS_MAX bytes, or a body that ends first.
 */
static int
header_line_end(const struct reader *r, size_t n, const char *line,
    const char *limit, const char **eol, struct error *err)
{
	const char *p;

	for (p = line; p < limit && *p != '\r' && *p != '\n'; p++)
		if (is_control((unsigned char)*p) && *p != '\t')
			return error_set(err, ERR_BAD_REQUEST, "Part %zu has "
			    "a control character in its headers.", n);
	if (p < limit && *p == '\n')
		return error_set(err, ERR_BAD_REQUEST, "Part %zu has a header "
		    "line ended by a bare LF; lines must end with CRLF.", n);
	if (limit - p < 2 && limit < r->end)
		return error_set(err, ERR_BAD_REQUEST, "Part %zu has more "
		    "than %d bytes of headers.", n, MULTIPART_HEADERS_MAX);
	if (limit - p < 2)
		return error_set(err, ERR_BAD_REQUEST, "The multipart body "
		    "ends inside the headers of part %zu.", n);
	if (p[1] != '\n')
		return error_set(err, ERR_BAD_REQUEST,
		    "Part %zu has a header line with a bare CR.", n);
	*eol = p;
	return 0;
}

/*
 * Read the header field line [line, eol) of part n, name ":" OWS value
 * OWS, into its strings if it is Content-Disposition (then setting
 * *disposition) or Content-Type; other fields are ignored.  Returns 0,
 * or -1 with err set (ERR_BAD_REQUEST for a bad field, ERR_INTERNAL
 * when memory is exhausted).
 */
static int
header_field(struct reader *r, size_t n, const char *line,
    const char *eol, struct part_strings *strings, bool *disposition,
    struct error *err)
{
	const char *colon, *value, *end;

	for (colon = line; colon < eol && is_tchar((unsigned char)*colon);
	    colon++)
		continue;
	if (colon == line || colon == eol || *colon != ':')
		return error_set(err, ERR_BAD_REQUEST,
		    "Part %zu has a malformed header line.", n);
	for (value = colon + 1; value < eol &&
	    (*value == ' ' || *value == '\t'); value++)
		continue;
	for (end = eol; end > value && (end[-1] == ' ' || end[-1] == '\t');
	    end--)
		continue;
	if (equal_nocase(line, (size_t)(colon - line),
	    "Content-Disposition")) {
		if (*disposition)
			return error_set(err, ERR_BAD_REQUEST, "Part %zu has "
			    "two Content-Disposition headers.", n);
		*disposition = true;
		return disposition_read(r, n, value, end, strings, err);
	}
	if (!equal_nocase(line, (size_t)(colon - line), "Content-Type"))
		return 0;
	if (strings->content_type != NO_STRING)
		return error_set(err, ERR_BAD_REQUEST,
		    "Part %zu has two Content-Type headers.", n);
	if (value == end)
		return error_set(err, ERR_BAD_REQUEST,
		    "Part %zu has an empty Content-Type.", n);
	if (!utf8_valid(value, (size_t)(end - value)))
		return error_set(err, ERR_BAD_REQUEST,
		    "Part %zu has a Content-Type that is not UTF-8.", n);
	return strings_add(r, value, (size_t)(end - value), NULL,
	    &strings->content_type, err);
}

/*
 * Read the headers of part n, which start at p, into its strings, and
 * set *data to where its data starts.  Returns 0, or -1 with err set
 * (ERR_BAD_REQUEST for bad headers, ERR_INTERNAL when memory is
 * exhausted).
 */
static int
headers_read(struct reader *r, size_t n, const char *p,
    struct part_strings *strings, const char **data, struct error *err)
{
	const char *limit, *line, *eol = NULL;
	bool disposition = false;

	limit = r->end - p > MULTIPART_HEADERS_MAX ?
	    p + MULTIPART_HEADERS_MAX : r->end;
	for (line = p; ; line = eol + 2) {
		if (header_line_end(r, n, line, limit, &eol, err) == -1)
			return -1;
		if (eol == line)
			break;
		/* A line that continues this one (obs-fold, RFC 9110 5.5). */
		if (*line == ' ' || *line == '\t' || (limit - eol > 2 &&
		    (eol[2] == ' ' || eol[2] == '\t')))
			return error_set(err, ERR_BAD_REQUEST, "Part %zu has a "
			    "folded header line, which is not accepted.", n);
		if ((size_t)(eol - line) >= r->delimiter_len - 2 &&
		    memcmp(line, r->delimiter + 2, r->delimiter_len - 2) == 0)
			return error_set(err, ERR_BAD_REQUEST, "Part %zu has "
			    "no empty line after its headers.", n);
		if (header_field(r, n, line, eol, strings, &disposition,
		    err) == -1)
			return -1;
	}
	if (!disposition) {
		error_set(err, ERR_BAD_REQUEST,
		    "Part %zu has no Content-Disposition header.", n);
		error_hint(err, "Every part of multipart/form-data needs "
		    "Content-Disposition: form-data; name=\"...\".");
		return -1;
	}
	*data = eol + 2;
	return 0;
}

/*
 * Read the rest of a delimiter line whose boundary ends at p: "--"
 * closes the body (what follows is the epilogue), optional spaces then
 * CRLF start another part at *next.  Anything else is refused: RFC 2046
 * 5.1.1 makes every line that starts with the boundary a delimiter line
 * ("it is sufficient that the boundary appear in its entirety following
 * the CRLF"), so it cannot be taken as data.  after is the number of the
 * part the line ends (0 for the preamble).  Returns 0, or -1 with err
 * set (ERR_BAD_REQUEST).
 */
static int
delimiter_rest(const struct reader *r, const char *p, size_t after,
    const char **next, enum delimiter *kind, struct error *err)
{
	if (r->end - p >= 2 && p[0] == '-' && p[1] == '-') {
		*kind = DELIMITER_CLOSE;
		*next = p + 2;
		return 0;
	}
	if (r->end - p == 1 && p[0] == '-')
		p++; /* cut short: reported below */
	while (p < r->end && (*p == ' ' || *p == '\t'))
		p++;
	if (r->end - p >= 2 && p[0] == '\r' && p[1] == '\n') {
		*kind = DELIMITER_PART;
		*next = p + 2;
		return 0;
	}
	if (p == r->end || (r->end - p == 1 && *p == '\r'))
		return error_set(err, ERR_BAD_REQUEST,
		    "The multipart body ends inside a delimiter line.");
	if (*p == '\n')
		return error_set(err, ERR_BAD_REQUEST, "The multipart body "
		    "has a delimiter line ended by a bare LF; lines must end "
		    "with CRLF.");
	if (after == 0)
		return error_set(err, ERR_BAD_REQUEST, "The first delimiter "
		    "line of the multipart body has text after the boundary.");
	return error_set(err, ERR_BAD_REQUEST, "The delimiter line after "
	    "part %zu has text after the boundary.", after);
}

/*
 * Find the first delimiter line: "--" boundary at the very start of the
 * body, or after a CRLF (anything before it is the preamble).  Sets
 * *next and *kind as delimiter_rest() does.  Returns 0, or -1 with err
 * set (ERR_BAD_REQUEST).
 */
static int
delimiter_first(const struct reader *r, const char **next,
    enum delimiter *kind, struct error *err)
{
	size_t len = (size_t)(r->end - r->body);
	const char *hit;

	if (len >= r->delimiter_len - 2 &&
	    memcmp(r->body, r->delimiter + 2, r->delimiter_len - 2) == 0)
		return delimiter_rest(r, r->body + r->delimiter_len - 2, 0,
		    next, kind, err);
	hit = memmem(r->body, len, r->delimiter, r->delimiter_len);
	if (hit != NULL)
		return delimiter_rest(r, hit + r->delimiter_len, 0, next,
		    kind, err);
	if (memmem(r->body, len, r->delimiter + 1, r->delimiter_len - 1) !=
	    NULL)
		return error_set(err, ERR_BAD_REQUEST, "The multipart body "
		    "has lines ended by a bare LF; lines must end with CRLF.");
	error_set(err, ERR_BAD_REQUEST,
	    "The multipart body has no delimiter line with its boundary.");
	error_hint(err, "Each part starts with a line of \"--\" and the "
	    "boundary of the Content-Type.");
	return -1;
}

/*
 * Add a part, with its strings and data, to r.  Returns 0, or -1 with
 * err set when memory is exhausted.
 */
static int
parts_add(struct reader *r, const struct part_strings *strings,
    const char *data, size_t len, struct error *err)
{
	struct multipart_part *parts;
	struct part_strings *offsets;
	size_t cap;

	if (r->nparts == r->cap) {
		cap = r->cap > 0 ? r->cap * 2 : 4;
		if ((parts = reallocarray(r->parts, cap, sizeof(*parts))) ==
		    NULL)
			return error_set(err, ERR_INTERNAL, "out of memory");
		r->parts = parts;
		if ((offsets = reallocarray(r->offsets, cap,
		    sizeof(*offsets))) == NULL)
			return error_set(err, ERR_INTERNAL, "out of memory");
		r->offsets = offsets;
		r->cap = cap;
	}
	r->parts[r->nparts].name = NULL;
	r->parts[r->nparts].filename = NULL;
	r->parts[r->nparts].content_type = NULL;
	r->parts[r->nparts].data = data;
	r->parts[r->nparts].len = len;
	r->offsets[r->nparts] = *strings;
	r->nparts++;
	return 0;
}

/*
 * Read part number r->nparts + 1, whose headers start at p, and the
 * delimiter line after it, setting *next and *kind as delimiter_rest()
 * does.  Returns 0, or -1 with err set (ERR_BAD_REQUEST, or
 * ERR_INTERNAL when memory is exhausted).
 */
static int
part_read(struct reader *r, const char *p, const char **next,
    enum delimiter *kind, struct error *err)
{
	struct part_strings strings = { NO_STRING, NO_STRING, NO_STRING };
	size_t n = r->nparts + 1;
	const char *data = NULL, *hit;

	if (headers_read(r, n, p, &strings, &data, err) == -1)
		return -1;
	/*
	 * A part with no data whose empty line also serves as the
	 * delimiter's CRLF: the line after it starts with the boundary, so
	 * it is a delimiter line (RFC 2046 5.1.1 compares "the beginning of
	 * each candidate line"), not data.
	 */
	if ((size_t)(r->end - data) >= r->delimiter_len - 2 &&
	    memcmp(data, r->delimiter + 2, r->delimiter_len - 2) == 0) {
		if (parts_add(r, &strings, data, 0, err) == -1)
			return -1;
		return delimiter_rest(r, data + r->delimiter_len - 2, n, next,
		    kind, err);
	}
	hit = memmem(data, (size_t)(r->end - data), r->delimiter,
	    r->delimiter_len);
	if (hit == NULL) {
		error_set(err, ERR_BAD_REQUEST, "The multipart body ends in "
		    "part %zu, without its closing delimiter.", n);
		error_hint(err, "A multipart body ends with a line of \"--\", "
		    "the boundary and \"--\".");
		return -1;
	}
	if (parts_add(r, &strings, data, (size_t)(hit - data), err) == -1)
		return -1;
	return delimiter_rest(r, hit + r->delimiter_len, n, next, kind, err);
}

/* A string of r at offset, or NULL for NO_STRING. */
static const char *
string_at(const struct reader *r, size_t offset)
{
	return offset == NO_STRING ? NULL : r->strings + offset;
}

int
multipart_parse(const char *body, size_t len, const char *boundary,
    size_t max_parts, struct multipart *out, struct error *err)
{
	struct reader r;
	enum delimiter kind;
	const char *p;
	size_t boundary_len, i;
	int rc = -1;

	memset(&r, 0, sizeof(r));
	out->parts = NULL;
	out->nparts = 0;
	out->strings = NULL;
	boundary_len = boundary != NULL ? strlen(boundary) : 0;
	if (boundary_len == 0 || boundary_len > MULTIPART_BOUNDARY_MAX ||
	    (body == NULL && len > 0)) {
		error_set(err, ERR_INTERNAL, "invalid multipart boundary");
		goto out;
	}
	r.body = body != NULL ? body : "";
	r.end = r.body + len;
	memcpy(r.delimiter, "\r\n--", 4);
	memcpy(r.delimiter + 4, boundary, boundary_len + 1);
	r.delimiter_len = 4 + boundary_len;

	if (delimiter_first(&r, &p, &kind, err) == -1)
		goto out;
	while (kind == DELIMITER_PART) {
		if (r.nparts == max_parts) {
			error_set(err, ERR_BAD_REQUEST, "The multipart body "
			    "has more than %zu parts.", max_parts);
			goto out;
		}
		if (part_read(&r, p, &p, &kind, err) == -1)
			goto out;
	}

	/* The strings stop moving: point the parts at them. */
	for (i = 0; i < r.nparts; i++) {
		r.parts[i].name = string_at(&r, r.offsets[i].name);
		r.parts[i].filename = string_at(&r, r.offsets[i].filename);
		r.parts[i].content_type = string_at(&r,
		    r.offsets[i].content_type);
	}
	out->parts = r.parts;
	out->nparts = r.nparts;
	out->strings = r.strings;
	r.parts = NULL;
	r.strings = NULL;
	rc = 0;
out:
	free(r.parts);
	free(r.offsets);
	free(r.strings);
	return rc;
}

const struct multipart_part *
multipart_find(const struct multipart *m, const char *name)
{
	size_t i;

	if (m == NULL || name == NULL)
		return NULL;
	for (i = 0; i < m->nparts; i++)
		if (strcmp(m->parts[i].name, name) == 0)
			return &m->parts[i];
	return NULL;
}

void
multipart_free(struct multipart *m)
{
	if (m == NULL)
		return;
	free(m->parts);
	free(m->strings);
	m->parts = NULL;
	m->nparts = 0;
	m->strings = NULL;
}

/*
 * multipart.h: reading a multipart/form-data request body (RFC 7578 on
 * RFC 2046 5.1), pure: no I/O, no HTTP, no FastCGI.  A responder takes
 * the boundary from the request's Content-Type with multipart_boundary(),
 * splits the body with multipart_parse(), and looks its fields up with
 * multipart_find():
 *
 *     char boundary[MULTIPART_BOUNDARY_MAX + 1];
 *     struct multipart form = { NULL, 0, NULL };
 *
 *     if (multipart_boundary(http_header(req, "Content-Type"), boundary,
 *         sizeof(boundary), err) == -1 ||
 *         multipart_parse(req->body, req->body_len, boundary, 8, &form,
 *         err) == -1)
 *             goto out;
 *     file = multipart_find(&form, "file");
 *     ...
 *     out:
 *     multipart_free(&form);
 *
 * Part data is not copied: it points into the body, which must outlive
 * the struct multipart.  Names, filenames and content types are copied,
 * NUL-terminated, and owned by the struct multipart.
 *
 * Decisions the RFCs leave open (the reasoning is in multipart.c):
 *   - Line endings must be CRLF, as RFC 2046 requires and curl and every
 *     browser send.  A body written with bare LFs is refused with a
 *     message that says so: accepting LF would let a LF followed by
 *     "--boundary" inside binary data end a part early.
 *   - A line that starts with "--" and the boundary is a delimiter line
 *     (RFC 2046 5.1.1's note to implementors); if what follows is not
 *     "--", or optional spaces and CRLF, the body is refused rather than
 *     the line taken as data.
 *   - Everything after the closing delimiter (the epilogue) is ignored,
 *     as is the preamble before the first delimiter.
 *   - A body with no parts ("--boundary--" alone, what a browser sends
 *     for a form with nothing to submit) is accepted, with nparts 0.
 *   - Names and filenames must be UTF-8 without control characters.
 *     Quoted values take a backslash as an escape only before '"' or
 *     '\' (so "C:\dir\a.txt" keeps its backslashes, as browsers send
 *     it); browsers' %22, %0D and %0A are kept as sent, since a literal
 *     "%22" in a filename is sent the same way.
 *   - filename* (RFC 5987) in UTF-8 or ISO-8859-1 is read and wins over
 *     filename (RFC 6266 4.3); any other charset is refused.
 *   - A filename keeps only what follows its last '/' or '\'; one that
 *     is then "." or ".." is refused.  filename="" (a file input with
 *     no file chosen) gives the empty string, not NULL.
 *   - Headers other than Content-Disposition and Content-Type are
 *     checked for syntax and ignored; either of those two given twice
 *     is refused.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef DRIO_MULTIPART_H
#define DRIO_MULTIPART_H

#include <stddef.h>

#include "error.h"

/* The longest boundary RFC 2046 5.1.1 allows. */
#define MULTIPART_BOUNDARY_MAX 70

/*
 * The most bytes of headers one part may have: its header lines with
 * their CRLFs and the empty line that ends them.
 */
#define MULTIPART_HEADERS_MAX 8192

struct multipart_part {
	const char *name;         /* the Content-Disposition name */
	const char *filename;     /* its filename without any path, or NULL
	                           * when the part has none */
	const char *content_type; /* the part's Content-Type as sent, or
	                           * NULL (text/plain, RFC 7578 4.4) */
	const char *data;         /* the part's bytes, inside the body */
	size_t len;
};

struct multipart {
	struct multipart_part *parts; /* nparts of them, in body order */
	size_t nparts;
	char *strings;                /* the names, filenames and types the
	                               * parts point to */
};

/*
 * Copy the boundary parameter of content_type (a request's Content-Type,
 * or NULL when it has none) into out, which has room for size bytes
 * (MULTIPART_BOUNDARY_MAX + 1 always suffice).  The type must be
 * multipart/form-data (any case); the boundary may be quoted and must be
 * 1 to 70 of RFC 2046's bchars, not ending in a space.  Returns 0, or -1
 * with err set: ERR_UNSUPPORTED_MEDIA when the type is not
 * multipart/form-data, ERR_BAD_REQUEST when the boundary is missing,
 * given twice or invalid, ERR_INTERNAL when it does not fit in out.
 */
int multipart_boundary(const char *content_type, char *out, size_t size,
    struct error *err);

/*
 * Split the len bytes of body (binary; NULL only when len is 0) at
 * boundary (as multipart_boundary() gives it) into out's parts, in
 * order, at most max_parts of them.  out is overwritten, not freed
 * first.  On success the caller owns out and releases it with
 * multipart_free(); the parts' data points into body, which is
 * borrowed.  Returns 0, or -1 with out left empty and err set:
 * ERR_BAD_REQUEST with a message that names the part and what is wrong
 * for a malformed body (no delimiter, no closing delimiter, bare LF or
 * CR, folded or malformed header lines, over MULTIPART_HEADERS_MAX bytes
 * of headers, no or a bad Content-Disposition, more than max_parts
 * parts), ERR_INTERNAL for an invalid boundary or when memory is
 * exhausted.
 */
int multipart_parse(const char *body, size_t len, const char *boundary,
    size_t max_parts, struct multipart *out, struct error *err);

/*
 * The first part of m called name (compared byte for byte), or NULL
 * when there is none.  Borrows both.  Can't fail.
 */
const struct multipart_part *multipart_find(const struct multipart *m,
    const char *name);

/*
 * Release what m owns and leave it empty.  m may be NULL, or empty.
 * Can't fail.
 */
void multipart_free(struct multipart *m);

#endif

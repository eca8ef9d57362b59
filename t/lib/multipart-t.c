/*
 * multipart-t.c: tests for lib/multipart.c, printing TAP.  Checks the
 * promises of multipart.h on bodies written out byte for byte as curl,
 * Chrome and Firefox send them: the boundary of a Content-Type (quoted
 * or not, its length and characters, the media type); every part in
 * order with its name, filename (paths stripped, escapes, filename*)
 * and Content-Type; binary data with NULs, CRLFs and boundary look-alikes
 * kept whole; preamble and epilogue; and each malformed body refused
 * with ERR_BAD_REQUEST and a message that names the part: no closing
 * delimiter, no Content-Disposition, too many bytes of headers, too many
 * parts, bare LF line endings, folded headers.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "multipart.h"
#include "t/tap/basic.h"

/* A string literal as the two arguments body, len (NULs included). */
#define BODY(literal) (literal), sizeof(literal) - 1

/* curl 8's boundary for `curl -F`, and Chrome's and Firefox's. */
#define CURL_B    "------------------------d74496d66958873e"
#define CHROME_B  "----WebKitFormBoundaryePkpFF7tjBAqx29L"
#define FIREFOX_B "----geckoformboundary4f6c1d0e8b7a9e2c3d5f"

/* Skip the n tests that depend on something that failed. */
static void
skip_block(unsigned n, const char *why)
{
	while (n-- > 0)
		skip("%s", why);
}

/* One test: content_type gives boundary. */
static void
boundary_is(const char *content_type, const char *boundary,
    const char *what)
{
	struct error err = { 0 };
	char out[MULTIPART_BOUNDARY_MAX + 1] = "untouched";

	if (multipart_boundary(content_type, out, sizeof(out), &err) != 0) {
		ok(false, "%s", what);
		diag("refused: %s", err.message);
	} else
		is_string(boundary, out, "%s", what);
	error_clear(&err);
}

/* Two tests: content_type is refused with code and message. */
static void
boundary_refused(const char *content_type, enum error_code code,
    const char *message, const char *what)
{
	struct error err = { 0 };
	char out[MULTIPART_BOUNDARY_MAX + 1];
	int rc;

	rc = multipart_boundary(content_type, out, sizeof(out), &err);
	ok(rc == -1 && err.code == code, "%s: refused with %s", what,
	    error_code_string(code));
	is_string(message, err.message, "%s: message", what);
	error_clear(&err);
}

/* One test: body is read into m with at most max_parts parts. */
static bool
parsed(const char *body, size_t len, const char *boundary,
    size_t max_parts, struct multipart *m, const char *what)
{
	struct error err = { 0 };
	bool good;

	good = ok(multipart_parse(body, len, boundary, max_parts, m, &err) ==
	    0, "%s: read", what);
	if (!good)
		diag("refused: %s", err.message);
	error_clear(&err);
	return good;
}

/*
 * Three tests: body is refused with ERR_BAD_REQUEST (or code) and
 * message, and out is left empty.
 */
static void
refused(const char *body, size_t len, const char *boundary,
    size_t max_parts, enum error_code code, const char *message,
    const char *what)
{
	struct error err = { 0 };
	struct multipart m;
	int dummy, rc;

	/* Anything but empty, to see that a failure leaves it empty. */
	m.parts = (struct multipart_part *)(void *)&dummy;
	m.nparts = 99;
	m.strings = (char *)&dummy;
	rc = multipart_parse(body, len, boundary, max_parts, &m, &err);
	is_int(code, rc == -1 ? err.code : ERR_NONE, "%s: refused with %s",
	    what, error_code_string(code));
	is_string(message, err.message, "%s: message", what);
	ok(m.parts == NULL && m.nparts == 0 && m.strings == NULL,
	    "%s: nothing is handed back", what);
	error_clear(&err);
}

/* Four tests: part p has name, filename and content_type. */
static void
part_is(const struct multipart_part *p, const char *name,
    const char *filename, const char *content_type, const char *what)
{
	if (p == NULL) {
		ok(false, "%s: the part exists", what);
		skip("no part");
		skip("no part");
		skip("no part");
		return;
	}
	ok(true, "%s: the part exists", what);
	is_string(name, p->name, "%s: name", what);
	is_string(filename, p->filename, "%s: filename", what);
	is_string(content_type, p->content_type, "%s: content type", what);
}

/* One test: part p holds exactly the len bytes of data. */
static void
data_is(const struct multipart_part *p, const char *data, size_t len,
    const char *what)
{
	if (!ok(p != NULL && p->len == len && memcmp(p->data, data, len) ==
	    0, "%s: data", what) && p != NULL)
		diag("length %zu, expected %zu", p->len, len);
}

/* One test: the filename of the only part of a body with filename_param. */
static void
filename_is(const char *disposition_params, const char *filename,
    const char *what)
{
	struct error err = { 0 };
	struct multipart m = { NULL, 0, NULL };
	char body[512];
	int n;

	n = snprintf(body, sizeof(body), "--b\r\nContent-Disposition: "
	    "form-data; name=\"file\"; %s\r\n\r\nx\r\n--b--\r\n",
	    disposition_params);
	if (n < 0 || (size_t)n >= sizeof(body))
		bail("test body too long");
	if (multipart_parse(body, (size_t)n, "b", 4, &m, &err) != 0) {
		ok(false, "%s", what);
		diag("refused: %s", err.message);
	} else
		is_string(filename, m.nparts == 1 ? m.parts[0].filename :
		    "(not one part)", "%s", what);
	multipart_free(&m);
	error_clear(&err);
}

/* Two tests: the Content-Disposition params are refused with message. */
static void
filename_refused(const char *disposition_params, const char *message,
    const char *what)
{
	char body[512];
	int n;

	n = snprintf(body, sizeof(body), "--b\r\nContent-Disposition: "
	    "form-data; name=\"file\"; %s\r\n\r\nx\r\n--b--\r\n",
	    disposition_params);
	if (n < 0 || (size_t)n >= sizeof(body))
		bail("test body too long");
	refused(body, (size_t)n, "b", 4, ERR_BAD_REQUEST, message, what);
}

static void
test_boundary(void)
{
	char seventy[71], seventy_one[72], content_type[128], small[4];
	struct error err = { 0 };

	boundary_is("multipart/form-data; boundary=" CURL_B, CURL_B,
	    "curl's unquoted boundary");
	boundary_is("multipart/form-data; boundary=" CHROME_B, CHROME_B,
	    "Chrome's boundary");
	boundary_is("multipart/form-data; boundary=\"simple boundary\"",
	    "simple boundary", "a quoted boundary with a space");
	boundary_is("Multipart/Form-Data; charset=utf-8; BOUNDARY=xyz",
	    "xyz", "type and parameter names in any case, other "
	    "parameters skipped");
	boundary_is("multipart/form-data ; boundary = \"----=_Part_0_1.2\"",
	    "----=_Part_0_1.2",
	    "spaces around ; and =, quoted = and . (JavaMail's boundary)");
	boundary_is("multipart/form-data;boundary=abc;", "abc",
	    "no space after ;, a trailing ;");
	boundary_is("multipart/form-data; boundary=a'()+_,-./:=?z",
	    "a'()+_,-./:=?z", "every punctuation bchar");
	memset(seventy, 'x', 70);
	seventy[70] = '\0';
	snprintf(content_type, sizeof(content_type),
	    "multipart/form-data; boundary=%s", seventy);
	boundary_is(content_type, seventy, "a boundary of 70 characters");

	boundary_refused(NULL, ERR_UNSUPPORTED_MEDIA,
	    "The request body must be multipart/form-data.",
	    "no Content-Type");
	boundary_refused("application/json", ERR_UNSUPPORTED_MEDIA,
	    "The request body must be multipart/form-data.", "JSON");
	boundary_refused("multipart/mixed; boundary=x", ERR_UNSUPPORTED_MEDIA,
	    "The request body must be multipart/form-data.",
	    "multipart/mixed");
	boundary_refused("multipart/form-datax; boundary=x",
	    ERR_UNSUPPORTED_MEDIA,
	    "The request body must be multipart/form-data.",
	    "a longer type that starts the same");
	boundary_refused("multipart/form-data", ERR_BAD_REQUEST,
	    "The multipart/form-data Content-Type has no boundary.",
	    "no boundary");
	boundary_refused("multipart/form-data; boundary=", ERR_BAD_REQUEST,
	    "The Content-Type has a malformed parameter.",
	    "an empty unquoted boundary");
	boundary_refused("multipart/form-data; boundary=a b", ERR_BAD_REQUEST,
	    "The Content-Type has a malformed parameter.",
	    "an unquoted boundary with a space");
	boundary_refused("multipart/form-data; boundary=\"abc",
	    ERR_BAD_REQUEST, "The Content-Type has a malformed parameter.",
	    "an unterminated quoted boundary");
	boundary_refused("multipart/form-data; boundary=a; boundary=b",
	    ERR_BAD_REQUEST, "The Content-Type gives the boundary twice.",
	    "two boundaries");
	boundary_refused("multipart/form-data; boundary=\"\"",
	    ERR_BAD_REQUEST, "The boundary must be 1 to 70 letters, digits "
	    "or '()+_,-./:=? characters, not ending in a space (RFC 2046 "
	    "5.1.1).", "an empty quoted boundary");
	boundary_refused("multipart/form-data; boundary=\"abc \"",
	    ERR_BAD_REQUEST, "The boundary must be 1 to 70 letters, digits "
	    "or '()+_,-./:=? characters, not ending in a space (RFC 2046 "
	    "5.1.1).", "a boundary ending in a space");
	boundary_refused("multipart/form-data; boundary=ab@cd",
	    ERR_BAD_REQUEST, "The boundary must be 1 to 70 letters, digits "
	    "or '()+_,-./:=? characters, not ending in a space (RFC 2046 "
	    "5.1.1).", "a boundary with @");
	memset(seventy_one, 'x', 71);
	seventy_one[71] = '\0';
	snprintf(content_type, sizeof(content_type),
	    "multipart/form-data; boundary=%s", seventy_one);
	boundary_refused(content_type, ERR_BAD_REQUEST, "The boundary must "
	    "be 1 to 70 letters, digits or '()+_,-./:=? characters, not "
	    "ending in a space (RFC 2046 5.1.1).",
	    "a boundary of 71 characters");

	ok(multipart_boundary("multipart/form-data; boundary=abcd", small,
	    sizeof(small), &err) == -1 && err.code == ERR_INTERNAL,
	    "a boundary that does not fit the caller's buffer is an "
	    "internal error");
	error_clear(&err);
}

static void
test_real_bodies(void)
{
	/* curl -F user=alice -F file=@hello.txt (curl 8.x). */
	static const char curl[] =
	    "--" CURL_B "\r\n"
	    "Content-Disposition: form-data; name=\"user\"\r\n"
	    "\r\n"
	    "alice\r\n"
	    "--" CURL_B "\r\n"
	    "Content-Disposition: form-data; name=\"file\"; "
	    "filename=\"hello.txt\"\r\n"
	    "Content-Type: text/plain\r\n"
	    "\r\n"
	    "hello, world\n\r\n"
	    "--" CURL_B "--\r\n";
	/* Chrome: a file input and a text input, in form order. */
	static const char chrome[] =
	    "--" CHROME_B "\r\n"
	    "Content-Disposition: form-data; name=\"file\"; "
	    "filename=\"report.pdf\"\r\n"
	    "Content-Type: application/pdf\r\n"
	    "\r\n"
	    "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\r\n"
	    "--" CHROME_B "\r\n"
	    "Content-Disposition: form-data; name=\"user\"\r\n"
	    "\r\n"
	    "bob\r\n"
	    "--" CHROME_B "--\r\n";
	/* Firefox, with a preamble and an epilogue added (RFC 2046 5.1.1). */
	static const char firefox[] =
	    "This is the preamble.  It is to be ignored.\r\n"
	    "--" FIREFOX_B "\r\n"
	    "Content-Disposition: form-data; name=\"notes\"; "
	    "filename=\"notes.csv\"\r\n"
	    "Content-Type: text/csv\r\n"
	    "\r\n"
	    "a,b\r\n1,2\r\n"
	    "\r\n"
	    "--" FIREFOX_B "--\r\n"
	    "This is the epilogue.  It is also to be ignored.\r\n"
	    "--" FIREFOX_B "\r\n"
	    "Content-Disposition: form-data; name=\"ghost\"\r\n";
	struct multipart m = { NULL, 0, NULL };
	const struct multipart_part *p;

	if (parsed(BODY(curl), CURL_B, 8, &m, "curl's two parts")) {
		is_int(2, (long long)m.nparts, "curl: two parts");
		part_is(&m.parts[0], "user", NULL, NULL, "curl: the field");
		data_is(&m.parts[0], BODY("alice"), "curl: the field");
		part_is(&m.parts[1], "file", "hello.txt", "text/plain",
		    "curl: the file");
		data_is(&m.parts[1], BODY("hello, world\n"), "curl: the file");
		ok(m.parts[1].data > curl && m.parts[1].data +
		    m.parts[1].len < curl + sizeof(curl),
		    "curl: data points into the body, not a copy");
		ok(multipart_find(&m, "file") == &m.parts[1],
		    "find gives the part by name");
		ok(multipart_find(&m, "File") == NULL,
		    "find compares names exactly");
		ok(multipart_find(&m, "nope") == NULL,
		    "find gives NULL for a name not sent");
	} else
		skip_block(15, "curl's body was not read");
	multipart_free(&m);
	ok(m.parts == NULL && m.nparts == 0 && m.strings == NULL,
	    "free leaves the struct empty");
	multipart_free(&m);
	multipart_free(NULL);
	ok(true, "free of an empty struct and of NULL is harmless");

	if (parsed(BODY(chrome), CHROME_B, 8, &m, "Chrome's two parts")) {
		is_int(2, (long long)m.nparts, "Chrome: two parts");
		p = multipart_find(&m, "file");
		part_is(p, "file", "report.pdf", "application/pdf",
		    "Chrome: the file");
		data_is(p, BODY("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj"),
		    "Chrome: the file, 8-bit bytes and a bare LF inside");
		data_is(multipart_find(&m, "user"), BODY("bob"),
		    "Chrome: the field");
	} else
		skip_block(7, "Chrome's body was not read");
	multipart_free(&m);

	if (parsed(BODY(firefox), FIREFOX_B, 8, &m,
	    "Firefox with a preamble and an epilogue")) {
		is_int(1, (long long)m.nparts,
		    "Firefox: the preamble and epilogue are no parts");
		part_is(&m.parts[0], "notes", "notes.csv", "text/csv",
		    "Firefox: the file");
		data_is(&m.parts[0], BODY("a,b\r\n1,2\r\n"),
		    "Firefox: data ending in CRLF keeps it");
	} else
		skip_block(6, "Firefox's body was not read");
	multipart_free(&m);
}

static void
test_data(void)
{
	/*
	 * A binary payload: NULs, CRLFs, "--b" and "--boundary" not after
	 * a CRLF, CRLF "--boun" (a prefix), CRLF "-boundary", CRLF
	 * "--Boundary" (other case), and a line that is the boundary with
	 * a character missing.
	 */
#define PAYLOAD "\0\x01\xff\r\n\0--boundary\r\n--boun\r\n-boundary" \
	"\r\n--Boundary\r\n--boundar\r\n\r\n\0"
	static const char binary[] =
	    "--boundary\r\n"
	    "Content-Disposition: form-data; name=\"file\"; "
	    "filename=\"blob.bin\"\r\n"
	    "Content-Type: application/octet-stream\r\n"
	    "\r\n"
	    PAYLOAD "\r\n"
	    "--boundary--";
	/* Chrome, for a file input with no file chosen. */
	static const char empty[] =
	    "--" CHROME_B "\r\n"
	    "Content-Disposition: form-data; name=\"file\"; filename=\"\"\r\n"
	    "Content-Type: application/octet-stream\r\n"
	    "\r\n"
	    "\r\n"
	    "--" CHROME_B "--\r\n";
	/* An empty part whose empty line is also the delimiter's CRLF. */
	static const char shared_crlf[] =
	    "--b\r\n"
	    "Content-Disposition: form-data; name=\"a\"\r\n"
	    "\r\n"
	    "--b\r\n"
	    "Content-Disposition: form-data; name=\"c\"\r\n"
	    "\r\n"
	    "x\r\n"
	    "--b--\r\n";
	static const char several[] =
	    "--b\r\nContent-Disposition: form-data; name=\"one\"\r\n\r\n1\r\n"
	    "--b\r\nContent-Disposition: form-data; name=\"two\"\r\n\r\n2\r\n"
	    "--b\r\nContent-Disposition: form-data; name=\"one\"\r\n\r\n3\r\n"
	    "--b\r\nContent-Disposition: form-data; name=\"\"\r\n\r\n4\r\n"
	    "--b\r\nContent-Disposition: form-data; name=five\r\n\r\n5\r\n"
	    "--b--\r\n";
	static const char padded[] =
	    "--b \t\r\n"
	    "content-disposition: FORM-DATA; NAME=\"x\"; FileName=\"y.txt\""
	    "\r\n"
	    "CONTENT-TYPE:text/csv; charset=utf-8  \r\n"
	    "X-Other: ignored\r\n"
	    "\r\n"
	    "z\r\n"
	    "--b  \r\n"
	    "Content-Disposition:form-data;name=\"w\"\r\n"
	    "\r\n"
	    "\r\n"
	    "--b--";
	struct multipart m = { NULL, 0, NULL };
	size_t i;

	if (parsed(BODY(binary), "boundary", 1, &m, "a binary payload")) {
		is_int(1, (long long)m.nparts,
		    "binary: boundary look-alikes split nothing");
		data_is(&m.parts[0], PAYLOAD, sizeof(PAYLOAD) - 1,
		    "binary: every byte kept, NULs and CRLFs included");
	} else
		skip_block(2, "the binary body was not read");
	multipart_free(&m);

	if (parsed(BODY(empty), CHROME_B, 8, &m, "an empty file")) {
		part_is(&m.parts[0], "file", "", "application/octet-stream",
		    "empty file: filename \"\" is the empty string, not NULL");
		is_int(0, (long long)m.parts[0].len, "empty file: no bytes");
	} else
		skip_block(5, "the empty file was not read");
	multipart_free(&m);

	if (parsed(BODY(shared_crlf), "b", 8, &m,
	    "an empty part without its own CRLF before the delimiter")) {
		is_int(2, (long long)m.nparts, "shared CRLF: two parts");
		is_int(0, (long long)m.parts[0].len,
		    "shared CRLF: the first is empty");
		data_is(multipart_find(&m, "c"), BODY("x"),
		    "shared CRLF: the second is whole");
	} else
		skip_block(3, "the shared CRLF body was not read");
	multipart_free(&m);

	if (parsed(BODY(several), "b", 5, &m, "five parts, limit five")) {
		is_int(5, (long long)m.nparts, "several: five parts");
		for (i = 0; i < 5; i++)
			ok(i < m.nparts && m.parts[i].len == 1 &&
			    m.parts[i].data[0] == (char)('1' + i),
			    "several: part %zu in order", i + 1);
		data_is(multipart_find(&m, "one"), BODY("1"),
		    "several: find gives the first of a repeated name");
		data_is(multipart_find(&m, ""), BODY("4"),
		    "several: an empty name is a name");
		data_is(multipart_find(&m, "five"), BODY("5"),
		    "several: an unquoted name");
	} else
		skip_block(9, "the five parts were not read");
	multipart_free(&m);

	if (parsed(BODY(padded), "b", 8, &m,
	    "padding after the boundary, headers in any case")) {
		part_is(&m.parts[0], "x", "y.txt", "text/csv; charset=utf-8",
		    "any case: names and parameters");
		data_is(&m.parts[1], BODY(""),
		    "padding: a field with an empty value");
	} else
		skip_block(5, "the padded body was not read");
	multipart_free(&m);

	if (parsed(BODY("preamble only\r\n--b--\r\n"), "b", 8, &m,
	    "a body with no parts (an empty form)"))
		ok(m.nparts == 0 && m.parts == NULL, "no parts: none given");
	else
		skip_block(1, "the empty form was not read");
	multipart_free(&m);
}

static void
test_filenames(void)
{
	filename_is("filename=\"C:\\Users\\alice\\report.pdf\"", "report.pdf",
	    "a Windows path (sent unescaped) is stripped");
	filename_is("filename=\"/home/alice/notes.txt\"", "notes.txt",
	    "a POSIX path is stripped");
	filename_is("filename=\"a\\\\b.txt\"", "b.txt",
	    "an escaped backslash is a path separator too");
	filename_is("filename=\"say \\\"hi\\\".txt\"", "say \"hi\".txt",
	    "escaped quotes are unescaped");
	filename_is("filename=\"%22quoted%22.txt\"", "%22quoted%22.txt",
	    "HTML's %22 is kept as sent");
	filename_is("filename=\"caf\xc3\xa9.txt\"", "caf\xc3\xa9.txt",
	    "a raw UTF-8 filename, as browsers send it");
	filename_is("filename=plain.txt", "plain.txt",
	    "an unquoted filename");
	filename_is("filename=\"dir/\"", "",
	    "a filename that is only a directory leaves nothing");
	filename_is("filename=\"euro.txt\"; "
	    "filename*=UTF-8''%e2%82%ac%20rates.txt",
	    "\xe2\x82\xac rates.txt", "filename* in UTF-8 wins over filename");
	filename_is("filename*=utf-8'en'..%2F..%2Fetc%2Fpasswd", "passwd",
	    "filename* with a language; its path is stripped too");
	filename_is("filename*=ISO-8859-1''%A3%20rates.txt",
	    "\xc2\xa3 rates.txt", "filename* in ISO-8859-1 becomes UTF-8");

	filename_refused("filename*=KOI8-R''%C1", "Part 1 has a filename* in "
	    "a charset other than UTF-8 or ISO-8859-1.",
	    "filename* in another charset");
	filename_refused("filename*=UTF-8''%zz", "Part 1 has a malformed "
	    "percent-encoding in its filename*.",
	    "filename* with a bad percent-encoding");
	filename_refused("filename*=UTF-8''a%00b", "Part 1 has a NUL in its "
	    "filename*.", "filename* with %00");
	filename_refused("filename*=UTF-8''%ff", "Part 1 has a filename that "
	    "is not UTF-8 text without control characters.",
	    "filename* that decodes to bad UTF-8");
	filename_refused("filename*=UTF-8''%0a", "Part 1 has a filename that "
	    "is not UTF-8 text without control characters.",
	    "filename* that decodes to a newline");
	filename_refused("filename*=abc", "Part 1 has a malformed filename* "
	    "(RFC 5987: charset'language'value).",
	    "filename* without its quotes");
	filename_refused("filename=\"../..\"", "Part 1 has a filename that "
	    "is not a file name.", "a filename that ends in ..");
	filename_refused("filename=\"a\"; filename=\"b\"", "Part 1's "
	    "Content-Disposition gives a parameter twice.",
	    "two filenames");
	filename_refused("filename=\"caf\xe9.txt\"", "Part 1 has a filename "
	    "that is not UTF-8 text without control characters.",
	    "a Latin-1 filename");
}

static void
test_malformed(void)
{
	static const char closing_missing[] =
	    "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n"
	    "--b\r\nContent-Disposition: form-data; name=\"c\"\r\n\r\n2\r\n";
	static const char no_disposition[] =
	    "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n"
	    "--b\r\nContent-Type: text/plain\r\n\r\n2\r\n"
	    "--b--\r\n";
	static const char lf_only[] =
	    "--b\nContent-Disposition: form-data; name=\"a\"\n\n1\n--b--\n";
	static const char lf_headers[] =
	    "--b\r\nContent-Disposition: form-data; name=\"a\"\n\n1\r\n"
	    "--b--\r\n";
	static const char folded[] =
	    "--b\r\nContent-Disposition: form-data;\r\n name=\"a\"\r\n\r\n1\r\n"
	    "--b--\r\n";
	static const char three[] =
	    "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n"
	    "--b\r\nContent-Disposition: form-data; name=\"c\"\r\n\r\n2\r\n"
	    "--b\r\nContent-Disposition: form-data; name=\"d\"\r\n\r\n3\r\n"
	    "--b--\r\n";
	char *body;
	size_t len, head, pad;
	struct multipart m = { NULL, 0, NULL };
	static const char pad_head[] =
	    "--b\r\nContent-Disposition: form-data; name=\"a\"\r\nX-Pad: ";
	static const char pad_tail[] = "\r\n\r\n1\r\n--b--\r\n";

	refused(BODY(closing_missing), "b", 8, ERR_BAD_REQUEST,
	    "The multipart body ends in part 2, without its closing "
	    "delimiter.", "a body cut before its closing delimiter");
	refused(BODY("--b\r\nContent-Disposition: form-data; name=\"a\"\r\n"
	    "\r\n1\r\n--b-"), "b", 8, ERR_BAD_REQUEST,
	    "The multipart body ends inside a delimiter line.",
	    "a body cut inside its closing delimiter");
	refused(BODY(no_disposition), "b", 8, ERR_BAD_REQUEST,
	    "Part 2 has no Content-Disposition header.",
	    "a part without Content-Disposition");
	refused(BODY(lf_only), "b", 8, ERR_BAD_REQUEST,
	    "The multipart body has a delimiter line ended by a bare LF; "
	    "lines must end with CRLF.", "a body with LF line endings");
	refused(BODY("preamble\n--b\nContent-Disposition: form-data; "
	    "name=\"a\"\n\n1\n--b--\n"), "b", 8, ERR_BAD_REQUEST,
	    "The multipart body has lines ended by a bare LF; lines must end "
	    "with CRLF.", "a body with LF line endings after a preamble");
	refused(BODY(lf_headers), "b", 8, ERR_BAD_REQUEST,
	    "Part 1 has a header line ended by a bare LF; lines must end "
	    "with CRLF.", "headers with LF line endings");
	refused(BODY("--b\r\nContent-Disposition: form-data; name=\"a\"\r\r\n"
	    "\r\n1\r\n--b--"), "b", 8, ERR_BAD_REQUEST,
	    "Part 1 has a header line with a bare CR.", "a bare CR");
	refused(BODY(folded), "b", 8, ERR_BAD_REQUEST,
	    "Part 1 has a folded header line, which is not accepted.",
	    "a folded header line");
	refused(BODY(three), "b", 2, ERR_BAD_REQUEST,
	    "The multipart body has more than 2 parts.",
	    "three parts when two are allowed");
	if (parsed(BODY(three), "b", 3, &m, "three parts when three are "
	    "allowed"))
		is_int(3, (long long)m.nparts, "three parts: all read");
	else
		skip_block(1, "three parts were not read");
	multipart_free(&m);
	refused(BODY("--b\r\nContent-Disposition: form-data; name=\"a\"\r\n"
	    "\r\n1\r\n--b--\r\n"), "b", 0, ERR_BAD_REQUEST,
	    "The multipart body has more than 0 parts.",
	    "any part when none are allowed");

	/* Headers of exactly MULTIPART_HEADERS_MAX bytes, then one more. */
	head = sizeof(pad_head) - 1 - strlen("--b\r\n");
	pad = MULTIPART_HEADERS_MAX - head - strlen("\r\n\r\n");
	len = sizeof(pad_head) - 1 + pad + 1 + sizeof(pad_tail) - 1;
	if ((body = malloc(len)) == NULL)
		sysbail("malloc");
	memcpy(body, pad_head, sizeof(pad_head) - 1);
	memset(body + sizeof(pad_head) - 1, 'x', pad + 1);
	memcpy(body + sizeof(pad_head) - 1 + pad, pad_tail,
	    sizeof(pad_tail) - 1);
	if (parsed(body, len - 1, "b", 8, &m,
	    "exactly 8192 bytes of headers"))
		data_is(&m.parts[0], BODY("1"), "8192 bytes of headers: data");
	else
		skip_block(1, "8192 bytes of headers were not read");
	multipart_free(&m);
	body[sizeof(pad_head) - 1 + pad] = 'x';
	memcpy(body + sizeof(pad_head) - 1 + pad + 1, pad_tail,
	    sizeof(pad_tail) - 1);
	refused(body, len, "b", 8, ERR_BAD_REQUEST,
	    "Part 1 has more than 8192 bytes of headers.",
	    "8193 bytes of headers");
	free(body);

	refused(BODY("--b\r\nContent-Disposition: form-data; name=\"a\"\r\n"
	    "X-Long: xxxx"), "b", 8, ERR_BAD_REQUEST,
	    "The multipart body ends inside the headers of part 1.",
	    "a body cut inside headers");
	refused(BODY("nothing here\r\n--c\r\n"), "b", 8, ERR_BAD_REQUEST,
	    "The multipart body has no delimiter line with its boundary.",
	    "a body without the boundary");
	refused(BODY(""), "b", 8, ERR_BAD_REQUEST,
	    "The multipart body has no delimiter line with its boundary.",
	    "an empty body");
	refused(BODY("--b\r\nContent-Disposition: form-data; name=\"a\"\r\n"
	    "\r\n1\r\n--bc\r\n--b--"), "b", 8, ERR_BAD_REQUEST,
	    "The delimiter line after part 1 has text after the boundary.",
	    "a line that starts with the boundary and goes on");
	refused(BODY("--bc\r\n--b--"), "b", 8, ERR_BAD_REQUEST,
	    "The first delimiter line of the multipart body has text after "
	    "the boundary.", "a first line that starts with the boundary "
	    "and goes on");
	refused(BODY("--b\r\nContent-Disposition: form-data; name=\"a\"\r\n"
	    "--b--\r\n"), "b", 8, ERR_BAD_REQUEST,
	    "Part 1 has no empty line after its headers.",
	    "headers without their empty line");
	refused(BODY("--b\r\nContent-Disposition: attachment; "
	    "name=\"a\"\r\n\r\n1\r\n--b--"), "b", 8, ERR_BAD_REQUEST,
	    "Part 1 has a Content-Disposition other than form-data.",
	    "a Content-Disposition that is not form-data");
	refused(BODY("--b\r\nContent-Disposition: form-data; "
	    "filename=\"a\"\r\n\r\n1\r\n--b--"), "b", 8, ERR_BAD_REQUEST,
	    "Part 1 has no name in its Content-Disposition.",
	    "a part without a name");
	refused(BODY("--b\r\nContent-Disposition: form-data; name=\"a\r\n"
	    "\r\n1\r\n--b--"), "b", 8, ERR_BAD_REQUEST,
	    "Part 1 has a malformed Content-Disposition.",
	    "an unterminated quoted name");
	refused(BODY("--b\r\nContent-Disposition: form-data; name=\"\xff\""
	    "\r\n\r\n1\r\n--b--"), "b", 8, ERR_BAD_REQUEST,
	    "Part 1 has a name that is not UTF-8 text without control "
	    "characters.", "a name that is not UTF-8");
	refused(BODY("--b\r\nContent-Disposition: form-data; name=\"a\"\r\n"
	    "Content-Disposition: form-data; name=\"c\"\r\n\r\n1\r\n--b--"),
	    "b", 8, ERR_BAD_REQUEST,
	    "Part 1 has two Content-Disposition headers.",
	    "two Content-Disposition headers");
	refused(BODY("--b\r\nContent-Disposition: form-data; name=\"a\"\r\n"
	    "Content-Type: a/b\r\nContent-Type: c/d\r\n\r\n1\r\n--b--"),
	    "b", 8, ERR_BAD_REQUEST, "Part 1 has two Content-Type headers.",
	    "two Content-Type headers");
	refused(BODY("--b\r\nContent-Disposition: form-data; name=\"a\"\r\n"
	    "Content-Type: \r\n\r\n1\r\n--b--"), "b", 8, ERR_BAD_REQUEST,
	    "Part 1 has an empty Content-Type.", "an empty Content-Type");
	refused(BODY("--b\r\nContent-Disposition: form-data; name=\"a\"\r\n"
	    "Bad Header: x\r\n\r\n1\r\n--b--"), "b", 8, ERR_BAD_REQUEST,
	    "Part 1 has a malformed header line.",
	    "a header name with a space");
	refused(BODY("--b\r\nContent-Disposition: form-data; name=\"a\"\r\n"
	    "X-Nul: a\0b\r\n\r\n1\r\n--b--"), "b", 8, ERR_BAD_REQUEST,
	    "Part 1 has a control character in its headers.",
	    "a NUL in a header");
	refused(BODY("--b\r\n\r\n1\r\n--b--"), "b", 8, ERR_BAD_REQUEST,
	    "Part 1 has no Content-Disposition header.",
	    "a part with no headers at all");
	refused(BODY("--b--"), "", 8, ERR_INTERNAL,
	    "invalid multipart boundary", "an empty boundary from the caller");
}

int
main(void)
{
	plan(225);

	test_boundary();
	test_real_bodies();
	test_data();
	test_filenames();
	test_malformed();
	return 0;
}

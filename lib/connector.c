/*
 * connector.c: checking, listing and reading connector manifests, and
 * building and judging their verify requests (see connector.h and
 * docs/connectors.md).
 *
 * connector_check() stops at the first fault and names it with a JSON
 * Pointer, so an operator can find it in the file.  What it cannot check
 * (that a verify request is the service's real cheapest authenticated
 * call) is the manifest author's, who cites the service's documentation
 * in docs_url.
 *
 * The verify request is built from submitted values, which are untrusted:
 * in a URL they are percent-encoded (a value can never add a path
 * segment, a query or change the host), a value that fills a host name
 * label must be a DNS label (so https://{{site}}.atlassian.net stays on
 * atlassian.net), header values refuse CR and LF, and body values are
 * escaped as JSON string content.
 *
 * SPDX-License-Identifier: MIT
 */
#include <ctype.h>
#include <regex.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "connector.h"
#include "installsync.h"
#include "db.h"
#include "jsonutil.h"
#include "page.h"
#include "valid.h"
#include "utf8.h"

const char *const connector_categories[] = {
	"developer-tools", "project-management", "productivity",
	"communication", "crm", "payments", "database", "monitoring", "data",
	"other", NULL
};

const char *const connector_auth_modes[] = {
	"pat", "conn_string", "mcp_oauth", "byo_oauth", "none", NULL
};

static const char *const field_types[] = {
	"text", "password", "url", "textarea", "select", NULL
};

static const char *const verify_methods[] = { "GET", "POST", "HEAD", NULL };

/* Headers drio sets itself, which a manifest may not. */
static const char *const reserved_headers[] = {
	"host", "content-length", "transfer-encoding", "connection", NULL
};

#define POINTER_MAX 512
#define FIELDS_MAX 50
#define HEADERS_MAX 20
#define KEY_MAX 64
#define REDACTED "[redacted]"

/* ---------------------------------------------------------------- */
/* Small helpers                                                    */

/* A growing NUL-terminated string. */
struct text {
	char *s;
	size_t len;
	size_t cap;
	bool failed;               /* memory ran out; s is unusable */
};

/* Append n bytes of p to t.  Can't fail: sets t->failed instead. */
static void
text_add(struct text *t, const char *p, size_t n)
{
	char *grown;
	size_t cap;

	if (t->failed)
		return;
	if (t->len + n + 1 > t->cap) {
		cap = t->cap == 0 ? 64 : t->cap;
		while (cap < t->len + n + 1)
			cap *= 2;
		if ((grown = realloc(t->s, cap)) == NULL) {
			t->failed = true;
			return;
		}
		t->s = grown;
		t->cap = cap;
	}
	memcpy(t->s + t->len, p, n);
	t->len += n;
	t->s[t->len] = '\0';
}

static void
text_adds(struct text *t, const char *s)
{
	text_add(t, s, strlen(s));
}

/*
 * Take t's string (the caller frees), or NULL when memory ran out; t is
 * empty again afterwards.
 */
static char *
text_take(struct text *t)
{
	char *s = t->s;
	bool failed = t->failed;

	memset(t, 0, sizeof(*t));
	if (failed) {
		free(s);
		return NULL;
	}
	return s != NULL ? s : strdup("");
}

/* Report the fault at pointer.  Always returns -1. */
static int __attribute__((__format__(printf, 3, 4)))
fault(struct error *err, const char *pointer, const char *fmt, ...)
{
	char message[sizeof(err->message)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	error_set(err, ERR_VALIDATION, "%s", message);
	error_add_detail(err, "body", pointer[0] == '\0' ? "/" : pointer,
	    message, "connector_format");
	return -1;
}

/* Set at to base, "/" and token escaped as JSON Pointer says.  Can't fail. */
static void
pointer_join(char *at, size_t size, const char *base, const char *token)
{
	size_t o = strlen(base);

	if (o >= size)
		o = size - 1;
	memcpy(at, base, o);
	at[o] = '\0';
	if (o + 1 >= size)
		return;
	at[o++] = '/';
	for (; *token != '\0' && o + 2 < size; token++) {
		if (*token == '/' || *token == '~') {
			at[o++] = '~';
			at[o++] = *token == '/' ? '1' : '0';
		} else {
			at[o++] = *token;
		}
	}
	at[o] = '\0';
}

/* Set at to base "/" index.  Can't fail. */
static void
pointer_index(char *at, size_t size, const char *base, size_t i)
{
	char index[24];

	snprintf(index, sizeof(index), "%zu", i);
	pointer_join(at, size, base, index);
}

/* Length of a UTF-8 string in characters.  Can't fail. */
static size_t
chars(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

static bool
in_list(const char *s, const char *const *list)
{
	size_t i;

	for (i = 0; list[i] != NULL; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}

/* Is s an id: ^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$ */
static bool
is_id(const char *s)
{
	size_t i, n = strlen(s);

	if (n < 1 || n > 63 || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (i = 0; i < n; i++)
		if (!islower((unsigned char)s[i]) &&
		    !isdigit((unsigned char)s[i]) && s[i] != '-')
			return false;
	return true;
}

/* Is s a field key: ^[a-z][a-z0-9_]{0,63}$ */
static bool
is_field_key(const char *s, size_t n)
{
	size_t i;

	if (n < 1 || n > KEY_MAX || !islower((unsigned char)s[0]))
		return false;
	for (i = 1; i < n; i++)
		if (!islower((unsigned char)s[i]) &&
		    !isdigit((unsigned char)s[i]) && s[i] != '_')
			return false;
	return true;
}

/* Is s a DNS label: 1 to 63 letters, digits and inner hyphens? */
static bool
is_dns_label(const char *s)
{
	size_t i, n = strlen(s);

	if (n < 1 || n > 63 || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-')
			return false;
	return true;
}

/* Is s a colour #RRGGBB? */
static bool
is_color(const char *s)
{
	size_t i;

	if (strlen(s) != 7 || s[0] != '#')
		return false;
	for (i = 1; i < 7; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* Is s an https URL (or http, when allow_http) of at most 2048 bytes? */
static bool
is_web_url(const char *s, bool allow_http)
{
	if (strlen(s) > 2048 || !valid_is_http_url(s))
		return false;
	return strncmp(s, "https://", 8) == 0 ||
	    (allow_http && strncmp(s, "http://", 7) == 0);
}

/* Is s an HTTP header name (RFC 9110 token) of 1 to 64 characters? */
static bool
is_header_name(const char *s)
{
	size_t i, n = strlen(s);

	if (n < 1 || n > 64)
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) &&
		    strchr("!#$%&'*+-.^_`|~", s[i]) == NULL)
			return false;
	return true;
}

/* Does s hold a control character (C0 or DEL)? */
static bool
has_control(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f)
			return true;
	return false;
}

/* The declared field of manifest with key, or NULL.  Can't fail. */
static json_object *
field_of(json_object *manifest, const char *key)
{
	json_object *fields = json_get_array(manifest, "fields");
	size_t i;

	for (i = 0; fields != NULL && i < json_object_array_length(fields);
	    i++) {
		json_object *f = json_object_array_get_idx(fields, i);
		const char *k = json_get_string(f, "key");

		if (k != NULL && strcmp(k, key) == 0)
			return f;
	}
	return NULL;
}

/* Refuse members of obj not in allowed. */
static int
only_members(json_object *obj, const char *const *allowed,
    const char *pointer, struct error *err)
{
	char at[POINTER_MAX];

	json_object_object_foreach(obj, key, value) {
		(void)value;
		if (in_list(key, allowed))
			continue;
		pointer_join(at, sizeof(at), pointer, key);
		return fault(err, at, "Unknown member \"%.64s\".", key);
	}
	return 0;
}

/*
 * Member key of obj as a string of min..max characters into *out.  An
 * absent member is a fault unless optional (then *out is NULL).
 */
static int
want_string(json_object *obj, const char *key, const char *pointer,
    size_t min, size_t max, bool optional, const char **out,
    struct error *err)
{
	char at[POINTER_MAX];
	json_object *value;
	size_t n;

	*out = NULL;
	pointer_join(at, sizeof(at), pointer, key);
	if (!json_object_object_get_ex(obj, key, &value)) {
		if (optional)
			return 0;
		return fault(err, at, "\"%s\" is required.", key);
	}
	if (!json_object_is_type(value, json_type_string))
		return fault(err, at, "\"%s\" must be a string.", key);
	*out = json_object_get_string(value);
	n = chars(*out);
	if (n < min || n > max)
		return fault(err, at, "\"%s\" must have %zu to %zu"
		    " characters.", key, min, max);
	return 0;
}

/*
 * Member key of obj as a value of type into *out.  An absent member is a
 * fault unless optional (then *out is NULL).
 */
static int
want_type(json_object *obj, const char *key, const char *pointer,
    json_type type, const char *type_name, bool optional, json_object **out,
    struct error *err)
{
	char at[POINTER_MAX];

	*out = NULL;
	pointer_join(at, sizeof(at), pointer, key);
	if (!json_object_object_get_ex(obj, key, out)) {
		*out = NULL;
		if (optional)
			return 0;
		return fault(err, at, "\"%s\" is required.", key);
	}
	if (!json_object_is_type(*out, type))
		return fault(err, at, "\"%s\" must be %s.", key, type_name);
	return 0;
}

/* A URL member: an https (or allowed http) URL without placeholders. */
static int
want_url(json_object *obj, const char *key, const char *pointer,
    bool optional, bool allow_http, const char **out, struct error *err)
{
	char at[POINTER_MAX];

	if (want_string(obj, key, pointer, 1, 2048, optional, out, err) != 0)
		return -1;
	pointer_join(at, sizeof(at), pointer, key);
	if (*out != NULL && !is_web_url(*out, allow_http))
		return fault(err, at, "\"%s\" must be an %s URL.", key,
		    allow_http ? "http or https" : "https");
	return 0;
}

/* ---------------------------------------------------------------- */
/* Placeholders                                                     */

/*
 * Find the next placeholder in s: returns 1 with *start at its "{{",
 * *end after its "}}" and its key in key (size > KEY_MAX), 0 when there
 * is no "{{" left, -1 when a "{{" does not start a well-formed
 * placeholder.  Can't fail otherwise.
 */
static int
next_placeholder(const char *s, const char **start, const char **end,
    char *key)
{
	const char *open, *k;
	size_t n;

	if ((open = strstr(s, "{{")) == NULL)
		return 0;
	k = open + 2;
	for (n = 0; k[n] != '\0' && k[n] != '}'; n++)
		continue;
	if (k[n] != '}' || k[n + 1] != '}' || !is_field_key(k, n))
		return -1;
	memcpy(key, k, n);
	key[n] = '\0';
	*start = open;
	*end = k + n + 2;
	return 1;
}

/*
 * Offset of the end of a URL's authority (the first / ? # after "://"),
 * or 0 when s has no "://".  Can't fail.
 */
static size_t
authority_end(const char *s)
{
	const char *p = strstr(s, "://");

	if (p == NULL)
		return 0;
	p += 3;
	return (size_t)(p - s) + strcspn(p, "/?#");
}

/*
 * Check the placeholders of template s (at pointer): each well-formed and
 * naming a declared field of manifest.  When url, a placeholder inside
 * the authority must be a whole host name label (between "://" or "."
 * and "."), and its field must declare a pattern.  Returns 0, or -1 and
 * err.
 */
static int
check_placeholders(json_object *manifest, const char *s, bool url,
    const char *pointer, struct error *err)
{
	char key[KEY_MAX + 1];
	const char *start, *end, *p = s;
	size_t host_end = url ? authority_end(s) : 0;
	json_object *field;
	int found;

	while ((found = next_placeholder(p, &start, &end, key)) == 1) {
		if ((field = field_of(manifest, key)) == NULL)
			return fault(err, pointer, "The placeholder {{%s}}"
			    " names no field of \"fields\".", key);
		if (url && (size_t)(start - s) < host_end) {
			bool after_dot_or_scheme = start > s &&
			    (start[-1] == '.' || start[-1] == '/');
			bool before_dot = *end == '.';

			if (!after_dot_or_scheme || !before_dot)
				return fault(err, pointer, "A placeholder in"
				    " the host must be a whole name label"
				    " followed by the service's domain.");
			if (json_get_string(field, "pattern") == NULL)
				return fault(err, pointer, "The field {{%s}}"
				    " fills the host, so it must declare a"
				    " pattern.", key);
		}
		p = end;
	}
	if (found < 0)
		return fault(err, pointer, "\"{{\" starts no placeholder"
		    " {{key}} of a declared field.");
	return 0;
}

/* Copy template s with every placeholder replaced by "x".  NULL on OOM. */
static char *
placeholders_blanked(const char *s)
{
	char key[KEY_MAX + 1];
	const char *start, *end;
	struct text t = { 0 };

	while (next_placeholder(s, &start, &end, key) == 1) {
		text_add(&t, s, (size_t)(start - s));
		text_adds(&t, "x");
		s = end;
	}
	text_adds(&t, s);
	return text_take(&t);
}

/* A URL template: a URL once placeholders are filled, with checked ones. */
static int
check_url_template(json_object *manifest, const char *url, bool allow_http,
    const char *pointer, struct error *err)
{
	char *blank;
	bool ok;

	if (check_placeholders(manifest, url, true, pointer, err) != 0)
		return -1;
	if ((blank = placeholders_blanked(url)) == NULL)
		return error_set(err, ERR_INTERNAL, "out of memory");
	ok = is_web_url(blank, allow_http);
	free(blank);
	if (!ok)
		return fault(err, pointer, "The URL must be an %s URL.",
		    allow_http ? "http or https" : "https");
	return 0;
}

/* ---------------------------------------------------------------- */
/* Checking                                                         */

/* Compile pattern as the whole-value regex it is used as.  0 or -1. */
static int
pattern_compile(const char *pattern, regex_t *re)
{
	struct text t = { 0 };
	char *anchored;
	int rc;

	text_adds(&t, "^(");
	text_adds(&t, pattern);
	text_adds(&t, ")$");
	if ((anchored = text_take(&t)) == NULL)
		return -1;
	rc = regcomp(re, anchored, REG_EXTENDED | REG_NOSUB);
	free(anchored);
	return rc == 0 ? 0 : -1;
}

static int
check_field(json_object *f, const char *pointer, json_object *fields,
    size_t index, struct error *err)
{
	static const char *const keys[] = { "key", "label", "type", "secret",
	    "required", "pattern", "help", "placeholder", "options", NULL };
	char at[POINTER_MAX];
	json_object *secret, *required, *options;
	const char *key, *type, *s;
	regex_t re;
	size_t i;

	if (!json_object_is_type(f, json_type_object))
		return fault(err, pointer, "A field is an object.");
	if (only_members(f, keys, pointer, err) != 0 ||
	    want_string(f, "key", pointer, 1, KEY_MAX, false, &key,
	    err) != 0)
		return -1;
	pointer_join(at, sizeof(at), pointer, "key");
	if (!is_field_key(key, strlen(key)))
		return fault(err, at, "A field key matches"
		    " ^[a-z][a-z0-9_]{0,63}$.");
	for (i = 0; i < index; i++)
		if (strcmp(json_get_string(json_object_array_get_idx(fields,
		    i), "key"), key) == 0)
			return fault(err, at, "Two fields have the key"
			    " \"%s\".", key);
	if (want_string(f, "label", pointer, 1, 255, false, &s, err) != 0 ||
	    want_string(f, "type", pointer, 1, 16, false, &type, err) != 0)
		return -1;
	pointer_join(at, sizeof(at), pointer, "type");
	if (!in_list(type, field_types))
		return fault(err, at, "\"type\" is one of text, password, url,"
		    " textarea, select.");
	if (want_type(f, "secret", pointer, json_type_boolean, "a boolean",
	    false, &secret, err) != 0 ||
	    want_type(f, "required", pointer, json_type_boolean, "a boolean",
	    false, &required, err) != 0)
		return -1;
	pointer_join(at, sizeof(at), pointer, "secret");
	if (strcmp(type, "password") == 0 && !json_object_get_boolean(secret))
		return fault(err, at, "A password field is secret.");
	if (want_string(f, "pattern", pointer, 1, 512, true, &s, err) != 0)
		return -1;
	if (s != NULL) {
		pointer_join(at, sizeof(at), pointer, "pattern");
		if (pattern_compile(s, &re) != 0)
			return fault(err, at, "\"pattern\" is not a POSIX"
			    " extended regular expression.");
		regfree(&re);
	}
	if (want_string(f, "help", pointer, 0, 1000, true, &s, err) != 0 ||
	    want_string(f, "placeholder", pointer, 0, 255, true, &s,
	    err) != 0 ||
	    want_type(f, "options", pointer, json_type_array, "an array",
	    true, &options, err) != 0)
		return -1;
	pointer_join(at, sizeof(at), pointer, "options");
	if ((options != NULL) != (strcmp(type, "select") == 0))
		return fault(err, at, "A select field has \"options\", and"
		    " only a select field.");
	if (options == NULL)
		return 0;
	if (json_object_array_length(options) < 1 ||
	    json_object_array_length(options) > 100)
		return fault(err, at, "\"options\" has 1 to 100 entries.");
	for (i = 0; i < json_object_array_length(options); i++) {
		json_object *o = json_object_array_get_idx(options, i);
		char at_option[POINTER_MAX];

		pointer_index(at_option, sizeof(at_option), at, i);
		if (!json_object_is_type(o, json_type_string) ||
		    json_object_get_string_len(o) < 1 ||
		    chars(json_object_get_string(o)) > 255)
			return fault(err, at_option, "An option is a string"
			    " of 1 to 255 characters.");
	}
	return 0;
}

static int
check_fields(json_object *manifest, json_object *fields, size_t *nsecret,
    struct error *err)
{
	char at[POINTER_MAX];
	size_t i;

	*nsecret = 0;
	if (json_object_array_length(fields) > FIELDS_MAX)
		return fault(err, "/fields", "A manifest has at most %d"
		    " fields.", FIELDS_MAX);
	for (i = 0; i < json_object_array_length(fields); i++) {
		json_object *f = json_object_array_get_idx(fields, i);

		pointer_index(at, sizeof(at), "/fields", i);
		if (check_field(f, at, fields, i, err) != 0)
			return -1;
		if (json_get_true(f, "secret"))
			(*nsecret)++;
	}
	(void)manifest;
	return 0;
}

static int
check_verify(json_object *manifest, json_object *verify, bool allow_http,
    struct error *err)
{
	static const char *const keys[] = { "method", "url", "headers",
	    "body", "basic_auth", "ok_statuses", NULL };
	static const char *const basic_keys[] = { "username", "password",
	    NULL };
	char at[POINTER_MAX];
	json_object *headers, *basic, *statuses;
	const char *method, *url, *body, *s;
	size_t i, j;

	if (only_members(verify, keys, "/verify", err) != 0 ||
	    want_string(verify, "method", "/verify", 1, 8, false, &method,
	    err) != 0)
		return -1;
	if (!in_list(method, verify_methods))
		return fault(err, "/verify/method", "\"method\" is GET, POST"
		    " or HEAD.");
	if (want_string(verify, "url", "/verify", 1, 2048, false, &url,
	    err) != 0 ||
	    check_url_template(manifest, url, allow_http, "/verify/url",
	    err) != 0)
		return -1;
	if (want_type(verify, "headers", "/verify", json_type_object,
	    "an object", true, &headers, err) != 0)
		return -1;
	if (headers != NULL && json_object_object_length(headers) >
	    HEADERS_MAX)
		return fault(err, "/verify/headers", "At most %d headers.",
		    HEADERS_MAX);
	if (headers != NULL) {
		json_object_object_foreach(headers, name, value) {
			pointer_join(at, sizeof(at), "/verify/headers", name);
			if (!is_header_name(name))
				return fault(err, at, "A header name is an"
				    " HTTP token of 1 to 64 characters.");
			for (j = 0; reserved_headers[j] != NULL; j++)
				if (strcasecmp(name, reserved_headers[j]) == 0)
					return fault(err, at, "drio sets the"
					    " %s header itself.", name);
			if (!json_object_is_type(value, json_type_string) ||
			    json_object_get_string_len(value) > 2048 ||
			    has_control(json_object_get_string(value)))
				return fault(err, at, "A header value is a"
				    " string of at most 2048 bytes without"
				    " control characters.");
			if (check_placeholders(manifest,
			    json_object_get_string(value), false, at,
			    err) != 0)
				return -1;
		}
	}
	if (want_string(verify, "body", "/verify", 0, 65536, true, &body,
	    err) != 0)
		return -1;
	if (body != NULL && strcmp(method, "POST") != 0)
		return fault(err, "/verify/body", "Only a POST has a body.");
	if (body != NULL && check_placeholders(manifest, body, false,
	    "/verify/body", err) != 0)
		return -1;
	if (want_type(verify, "basic_auth", "/verify", json_type_object,
	    "an object", true, &basic, err) != 0)
		return -1;
	if (basic != NULL) {
		if (only_members(basic, basic_keys, "/verify/basic_auth",
		    err) != 0)
			return -1;
		for (i = 0; basic_keys[i] != NULL; i++) {
			pointer_join(at, sizeof(at), "/verify/basic_auth",
			    basic_keys[i]);
			if (want_string(basic, basic_keys[i],
			    "/verify/basic_auth", 1, 1024, false, &s,
			    err) != 0 || check_placeholders(manifest, s, false,
			    at, err) != 0)
				return -1;
			if (has_control(s))
				return fault(err, at, "No control"
				    " characters.");
		}
		if (headers != NULL) {
			json_object_object_foreach(headers, name, value) {
				(void)value;
				pointer_join(at, sizeof(at), "/verify/headers",
				    name);
				if (strcasecmp(name, "authorization") == 0)
					return fault(err, at, "basic_auth"
					    " makes the Authorization"
					    " header.");
			}
		}
	}
	if (want_type(verify, "ok_statuses", "/verify", json_type_array,
	    "an array", false, &statuses, err) != 0)
		return -1;
	if (json_object_array_length(statuses) < 1 ||
	    json_object_array_length(statuses) > 20)
		return fault(err, "/verify/ok_statuses", "\"ok_statuses\" has"
		    " 1 to 20 entries.");
	for (i = 0; i < json_object_array_length(statuses); i++) {
		json_object *st = json_object_array_get_idx(statuses, i);

		pointer_index(at, sizeof(at), "/verify/ok_statuses", i);
		if (!json_object_is_type(st, json_type_int) ||
		    json_object_get_int64(st) < 100 ||
		    json_object_get_int64(st) > 599)
			return fault(err, at, "A status is an integer from 100"
			    " to 599.");
	}
	return 0;
}

static int
check_oauth(json_object *oauth, bool allow_http, struct error *err)
{
	static const char *const keys[] = { "authorize_url", "token_url",
	    "scopes", "scope_separator", "pkce", NULL };
	char at[POINTER_MAX];
	json_object *scopes, *pkce;
	const char *s;
	size_t i;

	if (only_members(oauth, keys, "/oauth", err) != 0 ||
	    want_url(oauth, "authorize_url", "/oauth", false, allow_http, &s,
	    err) != 0 ||
	    want_url(oauth, "token_url", "/oauth", false, allow_http, &s,
	    err) != 0 ||
	    want_type(oauth, "scopes", "/oauth", json_type_array, "an array",
	    false, &scopes, err) != 0)
		return -1;
	if (json_object_array_length(scopes) > 100)
		return fault(err, "/oauth/scopes", "At most 100 scopes.");
	for (i = 0; i < json_object_array_length(scopes); i++) {
		json_object *scope = json_object_array_get_idx(scopes, i);
		const char *v = json_object_get_string(scope);
		size_t j;

		pointer_index(at, sizeof(at), "/oauth/scopes", i);
		if (!json_object_is_type(scope, json_type_string) ||
		    json_object_get_string_len(scope) < 1 ||
		    json_object_get_string_len(scope) > 255)
			return fault(err, at, "A scope is a string of 1 to 255"
			    " bytes.");
		for (j = 0; v[j] != '\0'; j++)
			if ((unsigned char)v[j] <= 0x20 || v[j] == ',' ||
			    v[j] == '"' || v[j] == '\\' || v[j] == 0x7f)
				return fault(err, at, "A scope has no blanks,"
				    " commas, quotes or backslashes.");
	}
	if (want_string(oauth, "scope_separator", "/oauth", 1, 1, true, &s,
	    err) != 0)
		return -1;
	if (s != NULL && strcmp(s, " ") != 0 && strcmp(s, ",") != 0)
		return fault(err, "/oauth/scope_separator", "The scope"
		    " separator is \" \" (the default) or \",\".");
	return want_type(oauth, "pkce", "/oauth", json_type_boolean,
	    "a boolean", false, &pkce, err);
}

static int
check_mcp(json_object *mcp, bool allow_http, struct error *err)
{
	static const char *const keys[] = { "server_url", NULL };
	const char *s;

	if (only_members(mcp, keys, "/mcp", err) != 0)
		return -1;
	return want_url(mcp, "server_url", "/mcp", false, allow_http, &s, err);
}

/*
 * An inline document must give a catalog as install reads it
 * (installsync_openapi_operations: OpenAPI 3.0 or 3.1 within oas's
 * bounds), so a manifest that would fail every install is refused when
 * it is loaded.  Returns 0, or -1 and err.
 */
static int
check_inline_document(json_object *document, struct error *err)
{
	char base_url[INSTALLSYNC_URL_MAX];
	json_object *operations = NULL;
	struct error why = { 0 };
	int rc = 0;

	if (installsync_openapi_operations(document, &operations, base_url,
	    NULL, &why) != 0)
		rc = fault(err, "/openapi/document", "The inline document is"
		    " not an OpenAPI 3.0 or 3.1 document drio can read: %s",
		    why.message);
	json_object_put(operations);
	error_clear(&why);
	return rc;
}

static int
check_openapi(json_object *openapi, bool allow_http, struct error *err)
{
	static const char *const keys[] = { "url", "document", NULL };
	json_object *document;
	const char *url;

	if (only_members(openapi, keys, "/openapi", err) != 0 ||
	    want_url(openapi, "url", "/openapi", true, allow_http, &url,
	    err) != 0 ||
	    want_type(openapi, "document", "/openapi", json_type_object,
	    "an object", true, &document, err) != 0)
		return -1;
	if ((url == NULL) == (document == NULL))
		return fault(err, "/openapi", "\"openapi\" has a \"url\" or"
		    " an inline \"document\", not both.");
	if (document != NULL)
		return check_inline_document(document, err);
	return 0;
}

/* What each auth mode needs and refuses. */
static int
check_auth_mode(json_object *m, const char *mode, size_t nsecret,
    struct error *err)
{
	bool has_verify = json_object_object_get_ex(m, "verify", NULL);
	bool has_oauth = json_object_object_get_ex(m, "oauth", NULL);
	bool has_mcp = json_object_object_get_ex(m, "mcp", NULL);
	bool has_openapi = json_object_object_get_ex(m, "openapi", NULL);
	size_t nfields = json_object_array_length(json_get_array(m, "fields"));
	json_object *f;

	if (has_mcp && has_openapi)
		return fault(err, "/openapi", "Operations come from \"openapi\""
		    " or from \"mcp\", not both.");
	if (has_oauth && strcmp(mode, "byo_oauth") != 0)
		return fault(err, "/oauth", "Only a byo_oauth connector has an"
		    " \"oauth\" block.");
	if (has_verify && strcmp(mode, "pat") != 0 &&
	    strcmp(mode, "conn_string") != 0)
		return fault(err, "/verify", "Only pat and conn_string"
		    " connectors have a \"verify\" block; the others are"
		    " checked by their OAuth flow.");
	if (strcmp(mode, "pat") == 0 || strcmp(mode, "conn_string") == 0) {
		if (nsecret == 0)
			return fault(err, "/fields", "A %s connector has at"
			    " least one secret field.", mode);
		if (strcmp(mode, "pat") == 0 && !has_openapi && !has_mcp)
			return fault(err, "", "A pat connector names where its"
			    " operations come from: \"openapi\" or \"mcp\".");
	} else if (strcmp(mode, "none") == 0 ||
	    strcmp(mode, "mcp_oauth") == 0) {
		if (nfields != 0)
			return fault(err, "/fields", "A %s connector has no"
			    " fields.", mode);
		if (strcmp(mode, "mcp_oauth") == 0 && !has_mcp)
			return fault(err, "/mcp", "An mcp_oauth connector"
			    " has an \"mcp\" block.");
		if (strcmp(mode, "mcp_oauth") == 0 && has_openapi)
			return fault(err, "/openapi", "An mcp_oauth connector's"
			    " operations come from its MCP server.");
		if (strcmp(mode, "none") == 0 && !has_openapi && !has_mcp)
			return fault(err, "", "A none connector names where"
			    " its operations come from: \"openapi\" or"
			    " \"mcp\".");
	} else { /* byo_oauth */
		if (!has_oauth)
			return fault(err, "/oauth", "A byo_oauth connector has"
			    " an \"oauth\" block.");
		if ((f = field_of(m, "client_id")) == NULL ||
		    !json_get_true(f, "required"))
			return fault(err, "/fields", "A byo_oauth connector"
			    " has a required field \"client_id\".");
		if ((f = field_of(m, "client_secret")) == NULL ||
		    !json_get_true(f, "required") ||
		    !json_get_true(f, "secret"))
			return fault(err, "/fields", "A byo_oauth connector"
			    " has a required secret field"
			    " \"client_secret\".");
		if (!has_openapi && !has_mcp)
			return fault(err, "", "A byo_oauth connector names"
			    " where its operations come from: \"openapi\""
			    " or \"mcp\".");
	}
	return 0;
}

int
connector_check(json_object *manifest, const char *expected_id,
    struct error *err)
{
	return connector_check_with(manifest, expected_id, 0, err);
}

int
connector_check_with(json_object *m, const char *expected_id,
    unsigned int flags, struct error *err)
{
	static const char *const keys[] = { "id", "version", "name",
	    "description", "category", "auth_mode", "brand_logo",
	    "brand_color", "docs_url", "fields", "verify", "oauth", "mcp",
	    "openapi", NULL };
	bool allow_http = (flags & CONNECTOR_ALLOW_HTTP) != 0;
	json_object *version, *fields, *verify, *oauth, *mcp, *openapi;
	const char *id, *s, *mode;
	size_t nsecret;
	int64_t v;

	if (!json_object_is_type(m, json_type_object))
		return fault(err, "", "A manifest is a JSON object.");
	if (only_members(m, keys, "", err) != 0 ||
	    want_string(m, "id", "", 1, 63, false, &id, err) != 0)
		return -1;
	if (!is_id(id))
		return fault(err, "/id", "An id is 1 to 63 of a-z, 0-9 and"
		    " inner dashes.");
	if (expected_id != NULL && strcmp(id, expected_id) != 0)
		return fault(err, "/id", "The id must be the file name without"
		    " .json (%.64s).", expected_id);
	if (want_type(m, "version", "", json_type_int, "an integer", false,
	    &version, err) != 0)
		return -1;
	v = json_object_get_int64(version);
	if (v < 1 || v > 2147483647)
		return fault(err, "/version", "\"version\" is an integer"
		    " >= 1.");
	if (want_string(m, "name", "", 1, 255, false, &s, err) != 0 ||
	    want_string(m, "description", "", 1, 4000, false, &s, err) != 0 ||
	    want_string(m, "category", "", 1, 64, false, &s, err) != 0)
		return -1;
	if (!in_list(s, connector_categories))
		return fault(err, "/category", "\"category\" is one of"
		    " developer-tools, project-management, productivity,"
		    " communication, crm, payments, database, monitoring,"
		    " data, other.");
	if (want_string(m, "auth_mode", "", 1, 16, false, &mode, err) != 0)
		return -1;
	if (!in_list(mode, connector_auth_modes))
		return fault(err, "/auth_mode", "\"auth_mode\" is one of pat,"
		    " conn_string, mcp_oauth, byo_oauth, none.");
	/* A logo and the documentation are shown to people: https only. */
	if (want_url(m, "brand_logo", "", false, false, &s, err) != 0 ||
	    want_string(m, "brand_color", "", 7, 7, false, &s, err) != 0)
		return -1;
	if (!is_color(s))
		return fault(err, "/brand_color", "A colour is #RRGGBB.");
	if (want_url(m, "docs_url", "", false, false, &s, err) != 0 ||
	    want_type(m, "fields", "", json_type_array, "an array", false,
	    &fields, err) != 0 ||
	    check_fields(m, fields, &nsecret, err) != 0 ||
	    want_type(m, "verify", "", json_type_object, "an object", true,
	    &verify, err) != 0 ||
	    want_type(m, "oauth", "", json_type_object, "an object", true,
	    &oauth, err) != 0 ||
	    want_type(m, "mcp", "", json_type_object, "an object", true, &mcp,
	    err) != 0 ||
	    want_type(m, "openapi", "", json_type_object, "an object", true,
	    &openapi, err) != 0)
		return -1;
	if ((verify != NULL && check_verify(m, verify, allow_http,
	    err) != 0) ||
	    (oauth != NULL && check_oauth(oauth, allow_http, err) != 0) ||
	    (mcp != NULL && check_mcp(mcp, allow_http, err) != 0) ||
	    (openapi != NULL && check_openapi(openapi, allow_http, err) != 0))
		return -1;
	return check_auth_mode(m, mode, nsecret, err);
}

/* ---------------------------------------------------------------- */
/* Reading                                                          */

static json_object *
item_from_row(const PGresult *res, int row)
{
	json_object *c = json_object_new_object();

	json_put_string(c, "id", db_value(res, row, 0));
	json_put_string(c, "name", db_value(res, row, 1));
	json_put_string(c, "description", db_value(res, row, 2));
	json_put_string(c, "category", db_value(res, row, 3));
	json_put_string(c, "auth_mode", db_value(res, row, 4));
	json_put_string(c, "brand_logo", db_value(res, row, 5));
	json_put_string(c, "brand_color", db_value(res, row, 6));
	return c;
}

#define CONNECTOR_WHERE                                                   \
	" WHERE ($1::text IS NULL OR category = $1)"                      \
	"   AND ($2::text IS NULL OR auth_mode = $2)"                     \
	"   AND ($3::text IS NULL OR strpos(lower(id || ' ' || name"      \
	"        || ' ' || description), lower($3)) > 0)"

static const struct db_statement connectors_page = {
	"connector_page",
	"SELECT id, name, description, category, auth_mode, brand_logo,"
	"       brand_color, count(*) OVER ()"
	"  FROM connectors" CONNECTOR_WHERE
	" ORDER BY lower(name), id LIMIT $4 OFFSET $5"
};

static const struct db_statement connectors_count = {
	"connector_count",
	"SELECT count(*) FROM connectors" CONNECTOR_WHERE
};

int
connector_list(const struct connector_filter *f, json_object **list,
    long long *total, struct error *err)
{
	const char *params[] = { f->category, f->auth_mode, f->q, NULL,
	    NULL };

	return page_fetch_list(&connectors_page, &connectors_count, params, 5,
	    f->page, f->limit, item_from_row, list, total, err);
}

static const struct db_statement connector_one = {
	"connector_one",
	"SELECT manifest FROM connectors WHERE id = $1"
};

int
connector_get(const char *id, json_object **manifest, struct error *err)
{
	const char *params[] = { id };
	PGresult *res;

	*manifest = NULL;
	if (id == NULL || !is_id(id))
		goto missing;
	if (db_exec(&connector_one, 1, params, &res, err) != 0)
		return -1;
	if (PQntuples(res) != 1) {
		PQclear(res);
		goto missing;
	}
	*manifest = json_from_db(db_value(res, 0, 0));
	PQclear(res);
	if (*manifest == NULL)
		return error_set(err, ERR_INTERNAL,
		    "connector row is not JSON");
	return 0;
missing:
	error_set(err, ERR_CONNECTOR_NOT_FOUND, "No connector has the id"
	    " '%.64s'.", id != NULL && is_id(id) ? id : "");
	error_hint(err, "GET /api/v1/connectors lists the catalog.");
	return -1;
}

/* ---------------------------------------------------------------- */
/* Submitted values                                                 */

/* Add a 400 detail on body field "fields.KEY".  Returns -1. */
static int
bad_field(struct error *err, const char *key, const char *msg,
    const char *type)
{
	char name[KEY_MAX + 16];

	if (err->code != ERR_BAD_REQUEST)
		error_set(err, ERR_BAD_REQUEST, "The submitted fields do not"
		    " fit the connector's form.");
	snprintf(name, sizeof(name), "fields.%.*s", KEY_MAX + 4, key);
	error_add_detail(err, "body", name, msg, type);
	return -1;
}

/* Is value one of field's options? */
static bool
is_option(json_object *field, const char *value)
{
	json_object *options = json_get_array(field, "options");
	size_t i;

	for (i = 0; options != NULL && i < json_object_array_length(options);
	    i++)
		if (strcmp(json_object_get_string(
		    json_object_array_get_idx(options, i)), value) == 0)
			return true;
	return false;
}

int
connector_fields_check(json_object *manifest, json_object *values,
    struct error *err)
{
	json_object *declared = json_get_array(manifest, "fields");
	size_t i;
	regex_t re;
	int rc = 0;

	if (values != NULL && !json_object_is_type(values, json_type_object))
		return bad_field(err, "", "\"fields\" must be an object.",
		    "type");
	if (values != NULL) {
		json_object_object_foreach(values, key, value) {
			json_object *field = field_of(manifest, key);
			const char *v;

			if (field == NULL) {
				rc = bad_field(err, key, "The connector has no"
				    " such field.", "unknown_field");
				continue;
			}
			if (!json_object_is_type(value, json_type_string)) {
				rc = bad_field(err, key, "A value is a"
				    " string.", "type");
				continue;
			}
			v = json_object_get_string(value);
			if ((size_t)json_object_get_string_len(value) !=
			    strlen(v) || strlen(v) > CONNECTOR_VALUE_MAX ||
			    has_control(v)) {
				rc = bad_field(err, key, "A value has at most"
				    " 4096 bytes and no control characters.",
				    "value");
				continue;
			}
			if (strcmp(json_get_string(field, "type"), "url") == 0 &&
			    v[0] != '\0' && !valid_is_http_url(v)) {
				rc = bad_field(err, key, "The value must be an"
				    " http or https URL.", "url");
				continue;
			}
			if (json_get_array(field, "options") != NULL &&
			    !is_option(field, v)) {
				rc = bad_field(err, key, "The value is not one"
				    " of the field's options.", "option");
				continue;
			}
			if (json_get_string(field, "pattern") != NULL &&
			    v[0] != '\0') {
				if (pattern_compile(json_get_string(field,
				    "pattern"), &re) != 0) {
					error_set(err, ERR_INTERNAL, "a loaded"
					    " connector has a bad pattern");
					return -1;
				}
				if (regexec(&re, v, 0, NULL, 0) != 0)
					rc = bad_field(err, key, "The value"
					    " does not have the field's"
					    " format.", "pattern");
				regfree(&re);
			}
		}
	}
	for (i = 0; declared != NULL && i < json_object_array_length(declared);
	    i++) {
		json_object *field = json_object_array_get_idx(declared, i);
		const char *key = json_get_string(field, "key");
		const char *v = values == NULL ? NULL :
		    json_get_string(values, key);

		if (json_get_true(field, "required") &&
		    (v == NULL || v[0] == '\0'))
			rc = bad_field(err, key, "The field is required.",
			    "missing");
	}
	return rc;
}

/* ---------------------------------------------------------------- */
/* The verify request                                               */

enum fill { FILL_URL, FILL_HEADER, FILL_JSON };

/* Append value to t percent-encoded (all but unreserved).  Can't fail. */
static void
add_percent_encoded(struct text *t, const char *v)
{
	static const char hex[] = "0123456789ABCDEF";
	char three[3];

	for (; *v != '\0'; v++) {
		unsigned char c = (unsigned char)*v;

		if (isalnum(c) || c == '-' || c == '.' || c == '_' ||
		    c == '~') {
			text_add(t, v, 1);
			continue;
		}
		three[0] = '%';
		three[1] = hex[c >> 4];
		three[2] = hex[c & 0xf];
		text_add(t, three, 3);
	}
}

/* Append value to t escaped as JSON string content.  Can't fail. */
static void
add_json_escaped(struct text *t, const char *v)
{
	char u[8];

	for (; *v != '\0'; v++) {
		unsigned char c = (unsigned char)*v;

		if (c == '"' || c == '\\') {
			text_adds(t, c == '"' ? "\\\"" : "\\\\");
		} else if (c < 0x20) {
			snprintf(u, sizeof(u), "\\u%04x", c);
			text_adds(t, u);
		} else {
			text_add(t, v, 1);
		}
	}
}

/* The submitted value of key ("" when absent).  Can't fail. */
static const char *
value_of(json_object *values, const char *key)
{
	const char *v = values == NULL ? NULL : json_get_string(values, key);

	return v != NULL ? v : "";
}

/*
 * Fill the placeholders of template s with values the way fill says,
 * into a new string (*out, caller frees).  Returns 0, or -1 and err
 * (ERR_BAD_REQUEST when a host label value is not a DNS label).
 */
static int
fill_template(const char *s, json_object *values, enum fill fill,
    char **out, struct error *err)
{
	char key[KEY_MAX + 1];
	const char *start, *end, *p = s, *v;
	size_t host_end = fill == FILL_URL ? authority_end(s) : 0;
	struct text t = { 0 };

	*out = NULL;
	while (next_placeholder(p, &start, &end, key) == 1) {
		text_add(&t, p, (size_t)(start - p));
		v = value_of(values, key);
		if (fill == FILL_URL && (size_t)(start - s) < host_end) {
			if (!is_dns_label(v)) {
				free(t.s);
				return bad_field(err, key, "The value must be"
				    " a host name label (letters, digits and"
				    " inner hyphens).", "pattern");
			}
			text_adds(&t, v);
		} else if (fill == FILL_URL) {
			add_percent_encoded(&t, v);
		} else if (fill == FILL_JSON) {
			add_json_escaped(&t, v);
		} else {
			if (strchr(v, '\r') != NULL || strchr(v, '\n') != NULL) {
				free(t.s);
				return bad_field(err, key, "A header value"
				    " cannot hold a line break.", "value");
			}
			text_adds(&t, v);
		}
		p = end;
	}
	text_adds(&t, p);
	if ((*out = text_take(&t)) == NULL)
		return error_set(err, ERR_INTERNAL, "out of memory");
	return 0;
}

/* A NULL-terminated list of strings under construction. */
struct strings {
	char **v;
	size_t n;
	size_t cap;
};

/* Add s (taken, may be NULL for OOM) to list.  Returns 0 or -1. */
static int
strings_take(struct strings *list, char *s)
{
	char **grown;

	if (s == NULL)
		return -1;
	if (list->n + 2 > list->cap) {
		size_t cap = list->cap == 0 ? 8 : list->cap * 2;

		if ((grown = realloc(list->v, cap * sizeof(*grown))) == NULL) {
			free(s);
			return -1;
		}
		list->v = grown;
		list->cap = cap;
	}
	list->v[list->n++] = s;
	list->v[list->n] = NULL;
	return 0;
}

static void
strings_free(char **v)
{
	size_t i;

	for (i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

/*
 * Record the forms in which the secret values may come back: as they
 * are, percent-encoded and JSON-escaped.  Returns 0, or -1 on OOM.
 */
static int
collect_secrets(json_object *manifest, json_object *values,
    struct strings *secrets)
{
	json_object *declared = json_get_array(manifest, "fields");
	size_t i;

	for (i = 0; declared != NULL && i < json_object_array_length(declared);
	    i++) {
		json_object *field = json_object_array_get_idx(declared, i);
		const char *v = value_of(values, json_get_string(field,
		    "key"));
		struct text t = { 0 };

		if (!json_get_true(field, "secret") || v[0] == '\0')
			continue;
		if (strings_take(secrets, strdup(v)) != 0)
			return -1;
		add_percent_encoded(&t, v);
		if (strings_take(secrets, text_take(&t)) != 0)
			return -1;
		add_json_escaped(&t, v);
		if (strings_take(secrets, text_take(&t)) != 0)
			return -1;
	}
	return 0;
}

/* "Authorization: Basic base64(user:password)" into *line.  0 or -1. */
static int
basic_auth_header(json_object *basic, json_object *values,
    struct strings *secrets, char **line, struct error *err)
{
	char *user = NULL, *password = NULL, *pair = NULL, *b64 = NULL;
	size_t n;
	int rc = -1;

	*line = NULL;
	if (fill_template(json_get_string(basic, "username"), values,
	    FILL_HEADER, &user, err) != 0 ||
	    fill_template(json_get_string(basic, "password"), values,
	    FILL_HEADER, &password, err) != 0)
		goto out;
	if (strchr(user, ':') != NULL) {
		char key[72] = "";
		const char *t = json_get_string(basic, "username");
		const char *open = t != NULL ? strstr(t, "{{") : NULL;
		const char *close = open != NULL ? strstr(open, "}}") : NULL;

		/* Blame the field the user name comes from. */
		if (close != NULL && (size_t)(close - open - 2) < sizeof(key))
			snprintf(key, sizeof(key), "%.*s",
			    (int)(close - open - 2), open + 2);
		bad_field(err, key, "A basic auth user name cannot hold a"
		    " colon.", "value");
		goto out;
	}
	n = strlen(user) + 1 + strlen(password);
	if ((pair = malloc(n + 1)) == NULL ||
	    (b64 = malloc(4 * ((n + 2) / 3) + 1)) == NULL ||
	    (*line = malloc(4 * ((n + 2) / 3) + 32)) == NULL) {
		error_set(err, ERR_INTERNAL, "out of memory");
		goto out;
	}
	snprintf(pair, n + 1, "%s:%s", user, password);
	EVP_EncodeBlock((unsigned char *)b64, (unsigned char *)pair, (int)n);
	sprintf(*line, "Authorization: Basic %s", b64);
	if (strings_take(secrets, b64) != 0) {
		b64 = NULL;
		error_set(err, ERR_INTERNAL, "out of memory");
		goto out;
	}
	b64 = NULL;
	rc = 0;
out:
	if (rc != 0) {
		free(*line);
		*line = NULL;
	}
	if (pair != NULL)
		explicit_bzero(pair, n + 1);
	free(pair);
	free(b64);
	free(user);
	free(password);
	return rc;
}

/* Does template s name a secret field of manifest? */
static bool
uses_secret(json_object *manifest, const char *s)
{
	char key[KEY_MAX + 1];
	const char *start, *end;

	while (next_placeholder(s, &start, &end, key) == 1) {
		if (json_get_true(field_of(manifest, key), "secret"))
			return true;
		s = end;
	}
	return false;
}

void
connector_request_free(struct connector_request *r)
{
	if (r == NULL)
		return;
	free(r->method);
	free(r->url);
	strings_free(r->headers);
	free(r->body);
	json_object_put(r->ok_statuses);
	strings_free(r->secrets);
	memset(r, 0, sizeof(*r));
}

int
connector_verify_request(json_object *manifest, json_object *values,
    struct connector_request *out, struct error *err)
{
	const char *mode = json_get_string(manifest, "auth_mode");
	json_object *verify = json_get_object(manifest, "verify");
	json_object *headers, *basic;
	struct strings lines = { 0 }, secrets = { 0 };
	char *value = NULL, *line;
	const char *body;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (connector_fields_check(manifest, values, err) != 0)
		return -1;
	if (mode == NULL || verify == NULL ||
	    (strcmp(mode, "pat") != 0 && strcmp(mode, "conn_string") != 0))
		return 1;

	if (collect_secrets(manifest, values, &secrets) != 0 ||
	    (out->method = strdup(json_get_string(verify, "method"))) == NULL) {
		error_set(err, ERR_INTERNAL, "out of memory");
		goto out;
	}
	if (fill_template(json_get_string(verify, "url"), values, FILL_URL,
	    &out->url, err) != 0)
		goto out;
	if ((headers = json_get_object(verify, "headers")) != NULL) {
		json_object_object_foreach(headers, name, template) {
			size_t n;

			if (fill_template(json_object_get_string(template),
			    values, FILL_HEADER, &value, err) != 0)
				goto out;
			n = strlen(name) + 2 + strlen(value) + 1;
			if ((line = malloc(n)) == NULL) {
				error_set(err, ERR_INTERNAL, "out of memory");
				goto out;
			}
			snprintf(line, n, "%s: %s", name, value);
			if (uses_secret(manifest,
			    json_object_get_string(template)) &&
			    strings_take(&secrets, strdup(value)) != 0) {
				free(line);
				error_set(err, ERR_INTERNAL, "out of memory");
				goto out;
			}
			free(value);
			value = NULL;
			if (strings_take(&lines, line) != 0) {
				error_set(err, ERR_INTERNAL, "out of memory");
				goto out;
			}
		}
	}
	if ((basic = json_get_object(verify, "basic_auth")) != NULL) {
		if (basic_auth_header(basic, values, &secrets, &line, err) != 0)
			goto out;
		if (strings_take(&lines, line) != 0) {
			error_set(err, ERR_INTERNAL, "out of memory");
			goto out;
		}
	}
	if ((body = json_get_string(verify, "body")) != NULL) {
		if (fill_template(body, values, FILL_JSON, &out->body,
		    err) != 0)
			goto out;
		out->body_len = strlen(out->body);
	}
	/* An empty list, not NULL, so the struct always has both. */
	if ((lines.v == NULL && strings_take(&lines, strdup("")) != 0) ||
	    (secrets.v == NULL && strings_take(&secrets, strdup("")) != 0)) {
		error_set(err, ERR_INTERNAL, "out of memory");
		goto out;
	}
	if (lines.n == 1 && lines.v[0][0] == '\0') {
		free(lines.v[0]);
		lines.v[0] = NULL;
		lines.n = 0;
	}
	out->headers = lines.v;
	out->secrets = secrets.v;
	lines.v = secrets.v = NULL;
	out->ok_statuses = json_object_get(json_get_array(verify,
	    "ok_statuses"));
	rc = 0;
out:
	free(value);
	strings_free(lines.v);
	strings_free(secrets.v);
	if (rc != 0)
		connector_request_free(out);
	return rc;
}

/* ---------------------------------------------------------------- */
/* The verify answer                                                */

/* Is status one of request's ok statuses? */
static bool
is_ok_status(const struct connector_request *r, long status)
{
	size_t i;

	for (i = 0; r->ok_statuses != NULL &&
	    i < json_object_array_length(r->ok_statuses); i++)
		if (json_object_get_int64(json_object_array_get_idx(
		    r->ok_statuses, i)) == status)
			return true;
	return false;
}

/*
 * Length of the UTF-8 character at p (at most n bytes), or 0 when there
 * is none there or it is a C1 control, which counts as a control.
 */
static size_t
utf8_length(const unsigned char *p, size_t n)
{
	uint32_t cp;
	size_t len;

	if ((len = utf8_char((const char *)p, n, &cp)) == 0 ||
	    (cp >= 0x80 && cp <= 0x9f))
		return 0;
	return len;
}

/*
 * Replace every secret in body (len bytes, may hold NULs) by REDACTED,
 * longest secrets first so a longer form is not left half shown.
 * Returns a new NUL-terminated string of *out_len bytes (NULs inside
 * kept), or NULL on OOM.
 */
static char *
scrub(const char *body, size_t len, char *const *secrets, size_t *out_len)
{
	char *cur, *next;
	size_t cur_len, next_len, i, n = 0;
	const char *longest;

	if ((cur = malloc(len + 1)) == NULL)
		return NULL;
	memcpy(cur, body, len);
	cur[len] = '\0';
	cur_len = len;
	for (i = 0; secrets != NULL && secrets[i] != NULL; i++)
		n++;
	/* n passes, each taking the longest secret not yet taken. */
	{
		bool *done = calloc(n + 1, sizeof(*done));

		if (done == NULL) {
			free(cur);
			return NULL;
		}
		for (;;) {
			size_t best = n, slen;
			struct text t = { 0 };
			const char *p, *hit;

			for (i = 0; i < n; i++)
				if (!done[i] && secrets[i][0] != '\0' &&
				    (best == n || strlen(secrets[i]) >
				    strlen(secrets[best])))
					best = i;
			if (best == n)
				break;
			done[best] = true;
			longest = secrets[best];
			slen = strlen(longest);
			p = cur;
			while ((hit = memmem(p, cur_len - (size_t)(p - cur),
			    longest, slen)) != NULL) {
				text_add(&t, p, (size_t)(hit - p));
				text_adds(&t, REDACTED);
				p = hit + slen;
			}
			text_add(&t, p, cur_len - (size_t)(p - cur));
			next_len = t.len;
			if ((next = text_take(&t)) == NULL) {
				free(done);
				explicit_bzero(cur, cur_len);
				free(cur);
				return NULL;
			}
			explicit_bzero(cur, cur_len);
			free(cur);
			cur = next;
			cur_len = next_len;
		}
		free(done);
	}
	*out_len = cur_len;
	return cur;
}

/*
 * Append s (len bytes, NULs allowed) to t as one line: control
 * characters and invalid UTF-8 become blanks, blanks are squeezed and
 * trimmed.  Can't fail (t->failed says when memory ran out).
 */
static void
add_clean(struct text *t, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n;
	bool blank = false, any = false;

	while (i < len) {
		n = utf8_length(p + i, len - i);
		if (n == 0 || (n == 1 && (p[i] < 0x20 || p[i] == 0x7f ||
		    p[i] == ' '))) {
			blank = any;
			i += n == 0 ? 1 : n;
			continue;
		}
		if (blank)
			text_adds(t, " ");
		blank = false;
		any = true;
		text_add(t, s + i, n);
		i += n;
	}
}

/* Cut s to at most max characters, ending it with "..." if cut. */
static void
cut_chars(char *s, size_t max)
{
	size_t n = 0, i;

	if (chars(s) <= max)
		return;
	for (i = 0; s[i] != '\0'; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80) {
			if (n == max - 3)
				break;
			n++;
		}
	}
	memcpy(s + i, "...", 4);
}

json_object *
connector_verify_result(const struct connector_request *r,
    const struct outbound_response *res)
{
	json_object *result;
	struct text t = { 0 };
	char head[96], *clean, *scrubbed;
	size_t len;

	if ((result = json_object_new_object()) == NULL)
		return NULL;
	if (is_ok_status(r, res->status)) {
		snprintf(head, sizeof(head), "The service accepted the"
		    " credentials (HTTP %ld).", res->status);
		json_put_bool(result, "ok", true);
		json_put_string(result, "message", head);
		return result;
	}
	json_put_bool(result, "ok", false);
	snprintf(head, sizeof(head), "The service answered HTTP %ld",
	    res->status);
	text_adds(&t, head);
	if (res->body == NULL || res->len == 0) {
		text_adds(&t, " with an empty body.");
	} else if ((scrubbed = scrub(res->body, res->len, r->secrets,
	    &len)) == NULL) {
		t.failed = true;
	} else {
		text_adds(&t, ": ");
		add_clean(&t, scrubbed, len);
		explicit_bzero(scrubbed, len);
		free(scrubbed);
	}
	if ((clean = text_take(&t)) == NULL) {
		json_object_put(result);
		return NULL;
	}
	cut_chars(clean, CONNECTOR_MESSAGE_MAX);
	json_put_string(result, "message", clean);
	free(clean);
	return result;
}

json_object *
connector_verify_skipped(json_object *manifest)
{
	const char *mode = json_get_string(manifest, "auth_mode");
	const char *message;
	json_object *result;

	if (mode != NULL && strcmp(mode, "mcp_oauth") == 0)
		message = "No call was made: the MCP server authorizes drio"
		    " through OAuth when the connector is installed.";
	else if (mode != NULL && strcmp(mode, "byo_oauth") == 0)
		message = "No call was made: the service checks the OAuth"
		    " client when you authorize it at install.";
	else if (mode != NULL && strcmp(mode, "none") == 0)
		message = "No call was made: the connector needs no"
		    " credentials.";
	else
		message = "No call was made: the service has no probe; the"
		    " values fit the form and are checked when first used.";
	if ((result = json_object_new_object()) == NULL)
		return NULL;
	json_put_bool(result, "ok", true);
	json_put_string(result, "message", message);
	return result;
}

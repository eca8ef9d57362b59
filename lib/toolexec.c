/*
 * toolexec.c: running one tool call against its upstream (see
 * toolexec.h).  The pure half builds requests, maps answers and resolves
 * chain references; toolexec_run() adds the I/O: the secret from the
 * vault, the token endpoint of a client_credentials connection, and the
 * upstream itself, every call through lib/outbound.
 *
 * Buffers that may hold a secret (a URL with an API key, a header, a
 * token request's body) never realloc: they grow into a new block and
 * wipe the old one, and are wiped before they are freed.
 *
 * SPDX-License-Identifier: MIT
 */
#include <openssl/evp.h>

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "appconfig.h"
#include "authconn.h"
#include "crypto.h"
#include "jsonutil.h"
#include "mcpclient.h"
#include "oauthclient.h"
#include "outbound.h"
#include "sanitise.h"
#include "tokencache.h"
#include "toolexec.h"
#include "upstreamslot.h"
#include "utf8.h"
#include "wicreds.h"

/* Characters of a chain step's prefix, "Step 'NAME' (i of n) failed: ". */
#define PREFIX_MAX 128

/* Characters of a reference, between {{ and }}, that are looked up. */
#define REFERENCE_MAX 256

/* ---------------------------------------------------------------- */
/* Buffers and lists                                                */

/* A growing text that may hold a secret.  Zero it to start. */
struct buf {
	char *s;
	size_t len;
	size_t cap;
	bool failed;               /* memory ran out; s is NULL */
};

/* Wipe and release what b holds, and zero it.  Can't fail. */
static void
buf_free(struct buf *b)
{
	if (b->s != NULL) {
		explicit_bzero(b->s, b->cap);
		free(b->s);
	}
	memset(b, 0, sizeof(*b));
}

/* Append n bytes of p.  On exhaustion, b is wiped and marked failed. */
static void
buf_add(struct buf *b, const char *p, size_t n)
{
	size_t cap;
	char *grown;

	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		cap = b->cap != 0 ? b->cap : 64;
		while (cap < b->len + n + 1)
			cap *= 2;
		if ((grown = malloc(cap)) == NULL) {
			buf_free(b);
			b->failed = true;
			return;
		}
		if (b->s != NULL) {
			memcpy(grown, b->s, b->len);
			explicit_bzero(b->s, b->cap);
			free(b->s);
		}
		b->s = grown;
		b->cap = cap;
	}
	memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

/* Append the string s.  As buf_add. */
static void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

/* Append n bytes of p percent-encoded: all but A-Z a-z 0-9 - . _ ~. */
static void
buf_add_encoded(struct buf *b, const char *p, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	char esc[3];
	size_t i, start = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~')
			continue;
		buf_add(b, p + start, i - start);
		esc[0] = '%';
		esc[1] = hex[c >> 4];
		esc[2] = hex[c & 15];
		buf_add(b, esc, 3);
		start = i + 1;
	}
	buf_add(b, p + start, n - start);
}

/*
 * The text of b, "" when empty, taken from it (the caller frees, wiping
 * first when it may hold a secret); NULL when memory ran out.
 */
static char *
buf_take(struct buf *b)
{
	char *s;

	if (b->failed)
		return NULL;
	if (b->s == NULL)
		buf_add(b, "", 0);
	s = b->s;
	memset(b, 0, sizeof(*b));
	return s;
}

/* A NULL-terminated list of malloc'd strings.  Zero it to start. */
struct strings {
	char **v;
	size_t n;
	size_t cap;
	bool failed;
};

/* Add s (taken; NULL marks the list failed). */
static void
strings_take(struct strings *list, char *s)
{
	char **grown;
	size_t cap;

	if (s == NULL || list->failed) {
		if (s != NULL) {
			explicit_bzero(s, strlen(s));
			free(s);
		}
		list->failed = true;
		return;
	}
	if (list->n + 2 > list->cap) {
		cap = list->cap == 0 ? 8 : list->cap * 2;
		if ((grown = reallocarray(list->v, cap, sizeof(*grown))) ==
		    NULL) {
			explicit_bzero(s, strlen(s));
			free(s);
			list->failed = true;
			return;
		}
		list->v = grown;
		list->cap = cap;
	}
	list->v[list->n++] = s;
	list->v[list->n] = NULL;
}

/* Wipe and release a NULL-terminated list of strings.  Accepts NULL. */
static void
strings_free(char **v)
{
	size_t i;

	for (i = 0; v != NULL && v[i] != NULL; i++) {
		explicit_bzero(v[i], strlen(v[i]));
		free(v[i]);
	}
	free(v);
}

/* Add a buffer's text to list as one string. */
static void
strings_take_buf(struct strings *list, struct buf *b)
{
	strings_take(list, buf_take(b));
	buf_free(b);
}

/* ---------------------------------------------------------------- */
/* Values as text                                                   */

/* Append the text of a scalar v: a string as it is, null as nothing,
 * anything else as JSON. */
static void
value_text(struct buf *b, json_object *v)
{
	if (v == NULL)
		return;
	if (json_object_is_type(v, json_type_string))
		buf_add(b, json_object_get_string(v),
		    (size_t)json_object_get_string_len(v));
	else
		buf_adds(b, json_text(v));
}

/* Append the text of v, percent-encoded. */
static void
value_encoded(struct buf *b, json_object *v)
{
	struct buf raw = { 0 };

	value_text(&raw, v);
	if (raw.failed)
		b->failed = true;
	else
		buf_add_encoded(b, raw.s != NULL ? raw.s : "", raw.len);
	buf_free(&raw);
}

/*
 * Append v in OpenAPI's simple style (path and header values): a
 * scalar's text; an array's items joined with ","; an object's members
 * as "k,v,k,v", or "k=v,k=v" when exploded.  Each part percent-encoded
 * when encode is true.
 */
static void
simple_text(struct buf *b, json_object *v, bool explode, bool encode)
{
	size_t i, n;
	bool first = true;

	if (json_object_is_type(v, json_type_array)) {
		n = json_object_array_length(v);
		for (i = 0; i < n; i++) {
			if (i > 0)
				buf_adds(b, ",");
			if (encode)
				value_encoded(b, json_object_array_get_idx(v,
				    i));
			else
				value_text(b, json_object_array_get_idx(v, i));
		}
		return;
	}
	if (json_object_is_type(v, json_type_object)) {
		json_object_object_foreach(v, key, member) {
			if (!first)
				buf_adds(b, ",");
			first = false;
			if (encode)
				buf_add_encoded(b, key, strlen(key));
			else
				buf_adds(b, key);
			buf_adds(b, explode ? "=" : ",");
			if (encode)
				value_encoded(b, member);
			else
				value_text(b, member);
		}
		return;
	}
	if (encode)
		value_encoded(b, v);
	else
		value_text(b, v);
}

/* Append "name=value" to a query or form, each part percent-encoded. */
static void
query_pair(struct buf *q, const char *name, size_t name_len, json_object *v)
{
	if (q->len > 0)
		buf_adds(q, "&");
	buf_add_encoded(q, name, name_len);
	buf_adds(q, "=");
	value_encoded(q, v);
}

/*
 * Append the query parameter name with value v (not null) by style and
 * explode (OpenAPI 3 parameter serialisation): arrays and objects of the
 * form style as "n=a&n=b" / "k=v&k2=v2" exploded, else "n=a,b" /
 * "n=k,v,k2,v2"; spaceDelimited and pipeDelimited arrays joined with
 * "%20" and "%7C"; deepObject objects as "n%5Bk%5D=v".
 */
static void
query_add(struct buf *q, const char *name, json_object *v, const char *style,
    bool explode)
{
	const char *sep = ",";
	size_t i, n;
	bool first = true;

	if (strcmp(style, "spaceDelimited") == 0)
		sep = "%20";
	else if (strcmp(style, "pipeDelimited") == 0)
		sep = "%7C";
	if (json_object_is_type(v, json_type_array)) {
		n = json_object_array_length(v);
		if (explode) {
			for (i = 0; i < n; i++)
				query_pair(q, name, strlen(name),
				    json_object_array_get_idx(v, i));
			return;
		}
		if (q->len > 0)
			buf_adds(q, "&");
		buf_add_encoded(q, name, strlen(name));
		buf_adds(q, "=");
		for (i = 0; i < n; i++) {
			if (i > 0)
				buf_adds(q, sep);
			value_encoded(q, json_object_array_get_idx(v, i));
		}
		return;
	}
	if (json_object_is_type(v, json_type_object)) {
		if (strcmp(style, "deepObject") == 0) {
			json_object_object_foreach(v, key, member) {
				if (q->len > 0)
					buf_adds(q, "&");
				buf_add_encoded(q, name, strlen(name));
				buf_adds(q, "%5B");
				buf_add_encoded(q, key, strlen(key));
				buf_adds(q, "%5D=");
				value_encoded(q, member);
			}
			return;
		}
		if (explode) {
			json_object_object_foreach(v, k2, m2) {
				query_pair(q, k2, strlen(k2), m2);
			}
			return;
		}
		if (q->len > 0)
			buf_adds(q, "&");
		buf_add_encoded(q, name, strlen(name));
		buf_adds(q, "=");
		json_object_object_foreach(v, k3, m3) {
			if (!first)
				buf_adds(q, ",");
			first = false;
			buf_add_encoded(q, k3, strlen(k3));
			buf_adds(q, ",");
			value_encoded(q, m3);
		}
		return;
	}
	query_pair(q, name, strlen(name), v);
}

/* ---------------------------------------------------------------- */
/* Building a request                                               */

/* Headers an argument may not set: hop-by-hop, framing, or drio's own. */
static const char *const reserved_headers[] = {
	"Accept", "Authorization", "Connection", "Content-Length",
	"Content-Type", "Expect", "Host", "Keep-Alive", "Proxy-Authenticate",
	"Proxy-Authorization", "Proxy-Connection", "TE", "Trailer",
	"Transfer-Encoding", "Upgrade", NULL
};

/* Is s an RFC 9110 token (a header name)? */
static bool
is_token(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (!isalnum((unsigned char)s[i]) &&
		    strchr("!#$%&'*+-.^_`|~", s[i]) == NULL)
			return false;
	return i > 0;
}

/* May len bytes of s go into a header value (no controls but tab)? */
static bool
header_value_ok(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] < 0x20 && s[i] != '\t') ||
		    s[i] == 0x7f)
			return false;
	return true;
}

/* Is name (any case) a header that arguments may not set? */
static bool
header_is_reserved(const char *name)
{
	size_t i;

	for (i = 0; reserved_headers[i] != NULL; i++)
		if (strcasecmp(reserved_headers[i], name) == 0)
			return true;
	return false;
}

/* Is the media type of content_type (any case, parameters ignored) JSON? */
static bool
media_is_json(const char *content_type)
{
	size_t n = strcspn(content_type, "; \t");

	if (n == 16 && strncasecmp(content_type, "application/json", 16) == 0)
		return true;
	return n >= 5 && strncasecmp(content_type + n - 5, "+json", 5) == 0;
}

/* Is the media type of content_type (parameters ignored) exactly type? */
static bool
media_is(const char *content_type, const char *type)
{
	size_t n = strcspn(content_type, "; \t");

	return n == strlen(type) && strncasecmp(content_type, type, n) == 0;
}

/* What the auth connection adds to a request. */
struct auth_parts {
	char *header;              /* "Name: value", or NULL */
	const char *header_name;   /* borrowed; arguments may not set it */
	const char *query_name;    /* api_key in the query: its name */
	const char *query_value;   /* borrowed from the secret */
};

/* Wipe and release what a holds, and zero it.  Can't fail. */
static void
auth_parts_free(struct auth_parts *a)
{
	if (a->header != NULL) {
		explicit_bzero(a->header, strlen(a->header));
		free(a->header);
	}
	memset(a, 0, sizeof(*a));
}

/*
 * The secret member key of an auth connection, or NULL after setting
 * err (ERR_CONFLICT) when it is missing or cannot go into a header.
 */
static const char *
secret_member(json_object *auth, json_object *secret, const char *key,
    struct error *err)
{
	json_object *v;

	if (!json_object_object_get_ex(secret, key, &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    json_object_get_string_len(v) == 0) {
		error_set(err, ERR_CONFLICT, "Auth connection '%s' has no %s"
		    " set.", json_get_string(auth, "name"), key);
		error_hint(err, "Set the connection's secret and publish"
		    " again.");
		return NULL;
	}
	if (!header_value_ok(json_object_get_string(v),
	    (size_t)json_object_get_string_len(v))) {
		error_set(err, ERR_CONFLICT, "The %s of auth connection '%s'"
		    " holds characters that cannot be sent.", key,
		    json_get_string(auth, "name"));
		return NULL;
	}
	return json_object_get_string(v);
}

/*
 * "Basic " and base64 of "user:password" into b (RFC 7617), user and
 * password percent-encoded first when form is true (RFC 6749 2.3.1).
 */
static void
basic_credentials(struct buf *b, const char *user, const char *password,
    bool form)
{
	struct buf pair = { 0 };
	char *b64;
	size_t cap;

	if (form) {
		buf_add_encoded(&pair, user, strlen(user));
		buf_adds(&pair, ":");
		buf_add_encoded(&pair, password, strlen(password));
	} else {
		buf_adds(&pair, user);
		buf_adds(&pair, ":");
		buf_adds(&pair, password);
	}
	if (pair.failed) {
		b->failed = true;
		return;
	}
	cap = 4 * ((pair.len + 2) / 3) + 1;
	if ((b64 = malloc(cap)) == NULL) {
		b->failed = true;
		buf_free(&pair);
		return;
	}
	EVP_EncodeBlock((unsigned char *)b64, (unsigned char *)pair.s,
	    (int)pair.len);
	buf_adds(b, "Basic ");
	buf_adds(b, b64);
	explicit_bzero(b64, cap);
	free(b64);
	buf_free(&pair);
}

/*
 * What the integration's auth connection (NULL: none) adds, from secret.
 * Returns 0 with a filled (release with auth_parts_free), or -1 and err:
 * ERR_CONFLICT, ERR_INTERNAL.
 */
static int
auth_build(json_object *auth, json_object *secret, struct auth_parts *a,
    struct error *err)
{
	json_object *settings = json_get_object(auth, "settings");
	const char *type = json_get_string(auth, "type");
	const char *value, *user, *in, *name;
	struct buf b = { 0 };

	memset(a, 0, sizeof(*a));
	if (auth == NULL || (type != NULL && strcmp(type, "none") == 0))
		return 0;
	if (type == NULL)
		type = "";
	if (strcmp(type, "bearer") == 0 || strcmp(type, "oauth2") == 0) {
		if ((value = secret_member(auth, secret, strcmp(type,
		    "bearer") == 0 ? "token" : "access_token", err)) == NULL)
			return -1;
		buf_adds(&b, "Authorization: Bearer ");
		buf_adds(&b, value);
		a->header_name = "Authorization";
	} else if (strcmp(type, "basic") == 0) {
		user = json_get_string(settings, "username");
		if (user == NULL)
			user = json_get_string(secret, "username");
		if ((value = secret_member(auth, secret, "password", err)) ==
		    NULL)
			return -1;
		if (user == NULL)
			user = "";
		if (strchr(user, ':') != NULL ||
		    !header_value_ok(user, strlen(user)))
			return error_set(err, ERR_CONFLICT, "The user name of"
			    " auth connection '%s' cannot be sent.",
			    json_get_string(auth, "name"));
		buf_adds(&b, "Authorization: ");
		basic_credentials(&b, user, value, false);
		a->header_name = "Authorization";
	} else if (strcmp(type, "api_key") == 0) {
		in = json_get_string(settings, "in");
		name = json_get_string(settings, "name");
		if (in == NULL || name == NULL || !is_token(name) ||
		    (strcmp(in, "header") != 0 && strcmp(in, "query") != 0))
			return error_set(err, ERR_CONFLICT, "Auth connection"
			    " '%s' does not say where its API key goes.",
			    json_get_string(auth, "name"));
		if ((value = secret_member(auth, secret, "value", err)) ==
		    NULL)
			return -1;
		if (strcmp(in, "query") == 0) {
			a->query_name = name;
			a->query_value = value;
			return 0;
		}
		if (header_is_reserved(name))
			return error_set(err, ERR_CONFLICT, "Auth connection"
			    " '%s' puts its API key in the header %s, which"
			    " drio does not send.", json_get_string(auth,
			    "name"), name);
		buf_adds(&b, name);
		buf_adds(&b, ": ");
		buf_adds(&b, value);
		a->header_name = name;
	} else
		return error_set(err, ERR_CONFLICT, "Auth connection '%s' is"
		    " of a type drio cannot send.",
		    json_get_string(auth, "name"));
	if ((a->header = buf_take(&b)) == NULL) {
		buf_free(&b);
		return error_set(err, ERR_INTERNAL, "out of memory");
	}
	return 0;
}

/* The argument property of arguments, NULL when absent or null. */
static json_object *
argument(json_object *arguments, const char *property)
{
	json_object *v;

	if (!json_object_object_get_ex(arguments, property, &v))
		return NULL;
	return v;
}

/*
 * The property bound "in": "path" with name (len bytes), or NULL.
 * *explode is set from the binding.
 */
static const char *
path_property(json_object *binding, const char *name, size_t len,
    bool *explode)
{
	json_object_object_foreach(binding, property, where) {
		const char *in = json_get_string(where, "in");
		const char *pname = json_get_string(where, "name");

		if (in != NULL && pname != NULL && strcmp(in, "path") == 0 &&
		    strlen(pname) == len && strncmp(pname, name, len) == 0) {
			*explode = json_get_true(where, "explode");
			return property;
		}
	}
	return NULL;
}

/*
 * Append path (the operation's template) to url with each {name}
 * replaced.  Returns 0, or -1 and err (ERR_CONFLICT, ERR_VALIDATION).
 */
static int
path_build(struct buf *url, const char *path, json_object *binding,
    json_object *arguments, struct error *err)
{
	const char *open, *close, *property;
	struct buf value = { 0 };
	bool explode = false;
	json_object *v;

	if (path[0] != '/')
		buf_adds(url, "/");
	while ((open = strchr(path, '{')) != NULL &&
	    (close = strchr(open, '}')) != NULL) {
		buf_add(url, path, (size_t)(open - path));
		property = path_property(binding, open + 1,
		    (size_t)(close - open - 1), &explode);
		if (property == NULL)
			return error_set(err, ERR_CONFLICT, "The tool gives no"
			    " value for the path parameter '%.*s'.",
			    (int)(close - open - 1 > 64 ? 64 :
			    close - open - 1), open + 1);
		if ((v = argument(arguments, property)) == NULL)
			return error_set(err, ERR_VALIDATION, "The argument"
			    " '%s' is required: it goes in the URL path.",
			    property);
		simple_text(&value, v, explode, true);
		if (value.failed)
			return error_set(err, ERR_INTERNAL, "out of memory");
		/* An empty value or a dot segment would change the path. */
		if (value.len == 0 || strcmp(value.s, ".") == 0 ||
		    strcmp(value.s, "..") == 0) {
			buf_free(&value);
			return error_set(err, ERR_VALIDATION, "The argument"
			    " '%s' cannot be empty, '.' or '..': it goes in"
			    " the URL path.", property);
		}
		buf_add(url, value.s, value.len);
		buf_free(&value);
		path = close + 1;
	}
	buf_adds(url, path);
	return 0;
}

/*
 * The request's body from the arguments bound "in": "body", written by
 * the operation's body_content_type.  Sets *body (a new string, NULL for
 * none), *len and *content_type (borrowed, for the header).  Returns 0,
 * or -1 and err (ERR_VALIDATION, ERR_CONFLICT, ERR_INTERNAL).
 */
static int
body_build(json_object *operation, json_object *binding,
    json_object *arguments, char **body, size_t *len,
    const char **content_type, struct error *err)
{
	const char *ct = json_get_string(operation, "body_content_type");
	const char *method = json_get_string(operation, "method");
	json_object *whole = NULL, *members = NULL, *value = NULL, *v;
	const char *whole_property = NULL;
	struct buf b = { 0 };
	bool named = false;
	size_t i, n;
	int rc = -1;

	*body = NULL;
	*len = 0;
	*content_type = NULL;
	if ((members = json_object_new_object()) == NULL)
		return error_set(err, ERR_INTERNAL, "out of memory");
	{
		json_object_object_foreach(binding, property, where) {
			const char *in = json_get_string(where, "in");
			const char *name = json_get_string(where, "name");

			if (in == NULL || strcmp(in, "body") != 0)
				continue;
			v = argument(arguments, property);
			if (name == NULL) {
				if (v != NULL) {
					whole = v;
					whole_property = property;
				}
				continue;
			}
			named = true;
			if (v != NULL && json_object_object_add(members, name,
			    json_object_get(v)) != 0) {
				error_set(err, ERR_INTERNAL, "out of memory");
				goto out;
			}
		}
	}
	if (whole != NULL && json_object_object_length(members) > 0) {
		if (!json_object_is_type(whole, json_type_object)) {
			error_set(err, ERR_VALIDATION, "The argument '%s' must"
			    " be an object: other arguments are members of"
			    " the same body.", whole_property);
			goto out;
		}
		if (json_object_deep_copy(whole, &value, NULL) != 0) {
			error_set(err, ERR_INTERNAL, "out of memory");
			goto out;
		}
		json_object_object_foreach(members, name, member)
			if (json_object_object_add(value, name,
			    json_object_get(member)) != 0) {
				error_set(err, ERR_INTERNAL, "out of memory");
				goto out;
			}
	} else if (whole != NULL)
		value = json_object_get(whole);
	else if (json_object_object_length(members) > 0 || (named &&
	    method != NULL && (strcasecmp(method, "POST") == 0 ||
	    strcasecmp(method, "PUT") == 0 || strcasecmp(method, "PATCH") ==
	    0)))
		value = json_object_get(members);
	else {
		rc = 0;                 /* no body */
		goto out;
	}

	if (ct == NULL || ct[0] == '\0')
		ct = "application/json";
	if (!header_value_ok(ct, strlen(ct))) {
		error_set(err, ERR_CONFLICT, "The operation's body type cannot"
		    " be sent.");
		goto out;
	}
	if (media_is_json(ct)) {
		buf_adds(&b, json_text(value));
	} else if (media_is(ct, "application/x-www-form-urlencoded")) {
		if (!json_object_is_type(value, json_type_object)) {
			error_set(err, ERR_VALIDATION, "The argument '%s' must"
			    " be an object: it is sent as a form.",
			    whole_property != NULL ? whole_property : "body");
			goto out;
		}
		json_object_object_foreach(value, key, member) {
			if (member == NULL)
				continue;
			if (!json_object_is_type(member, json_type_array)) {
				query_pair(&b, key, strlen(key), member);
				continue;
			}
			n = json_object_array_length(member);
			for (i = 0; i < n; i++)
				query_pair(&b, key, strlen(key),
				    json_object_array_get_idx(member, i));
		}
	} else if (media_is(ct, "multipart/form-data")) {
		error_set(err, ERR_CONFLICT, "The operation takes a multipart"
		    " body, which drio cannot send.");
		goto out;
	} else
		value_text(&b, value);     /* as given: a string's bytes */
	if (b.failed) {
		error_set(err, ERR_INTERNAL, "out of memory");
		goto out;
	}
	*len = b.len;
	*body = buf_take(&b);
	*content_type = ct;
	rc = 0;
out:
	buf_free(&b);
	json_object_put(value);
	json_object_put(members);
	return rc;
}

void
toolexec_request_free(struct toolexec_request *request)
{
	if (request == NULL)
		return;
	if (request->url != NULL) {
		explicit_bzero(request->url, strlen(request->url));
		free(request->url);
	}
	strings_free(request->headers);
	if (request->body != NULL) {
		explicit_bzero(request->body, request->body_len);
		free(request->body);
	}
	memset(request, 0, sizeof(*request));
}

int
toolexec_request_build(json_object *integration, json_object *operation,
    json_object *binding, json_object *arguments, json_object *secret,
    struct toolexec_request *out, struct error *err)
{
	const char *base = json_get_string(integration, "base_url");
	const char *method = json_get_string(operation, "method");
	const char *path = json_get_string(operation, "path");
	const char *content_type = NULL, *query_start;
	struct buf url = { 0 }, query = { 0 }, line = { 0 };
	struct strings headers = { 0 };
	struct auth_parts auth = { 0 };
	json_object *no_binding = NULL;
	size_t base_len;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (method == NULL || method[0] == '\0' || path == NULL)
		return error_set(err, ERR_CONFLICT, "Operation '%s' has no HTTP"
		    " method and path to call.", json_get_string(operation,
		    "key"));
	if (!is_token(method))
		return error_set(err, ERR_CONFLICT, "Operation '%s' has an"
		    " HTTP method drio cannot send.",
		    json_get_string(operation, "key"));
	if (base == NULL || base[0] == '\0')
		return error_set(err, ERR_CONFLICT, "Integration '%s' has no"
		    " base URL to call.", json_get_string(integration, "name"));
	if (auth_build(json_get_object(integration, "auth"), secret, &auth,
	    err) != 0)
		return -1;
	/* json-c's foreach cannot walk NULL. */
	if (!json_object_is_type(binding, json_type_object) &&
	    (binding = no_binding = json_object_new_object()) == NULL) {
		error_set(err, ERR_INTERNAL, "out of memory");
		goto out;
	}

	/* The base URL without its fragment, its query kept for later. */
	base_len = strcspn(base, "?#");
	query_start = base[base_len] == '?' ? base + base_len + 1 : NULL;
	while (base_len > 0 && base[base_len - 1] == '/')
		base_len--;
	buf_add(&url, base, base_len);
	if (query_start != NULL)
		buf_add(&query, query_start, strcspn(query_start, "#"));
	if (path_build(&url, path, binding, arguments, err) != 0)
		goto out;

	buf_adds(&line, "Accept: application/json");
	strings_take_buf(&headers, &line);
	if (body_build(operation, binding, arguments, &out->body,
	    &out->body_len, &content_type, err) != 0)
		goto out;
	if (content_type != NULL) {
		buf_adds(&line, "Content-Type: ");
		buf_adds(&line, content_type);
		strings_take_buf(&headers, &line);
	}

	{
		json_object_object_foreach(binding, property, where) {
			const char *in = json_get_string(where, "in");
			const char *name = json_get_string(where, "name");
			const char *style = json_get_string(where, "style");
			json_object *explode, *v;
			bool exploded;

			if (in == NULL || (strcmp(in, "path") != 0 &&
			    strcmp(in, "body") != 0 && name == NULL)) {
				error_set(err, ERR_CONFLICT, "The tool binds"
				    " '%s' to no place in the request.",
				    property);
				goto out;
			}
			if (strcmp(in, "path") == 0 || strcmp(in, "body") == 0)
				continue;
			if (strcmp(in, "query") == 0) {
				if (style == NULL)
					style = "form";
				exploded = json_object_object_get_ex(where,
				    "explode", &explode) ?
				    json_object_get_boolean(explode) :
				    strcmp(style, "form") == 0;
				v = argument(arguments, property);
				if (v == NULL || (auth.query_name != NULL &&
				    strcmp(auth.query_name, name) == 0))
					continue;
				query_add(&query, name, v, style, exploded);
				continue;
			}
			if (strcmp(in, "header") != 0) {
				error_set(err, ERR_CONFLICT, "The tool binds"
				    " '%s' to the %s, where drio cannot send"
				    " it.", property, in);
				goto out;
			}
			if (!is_token(name) || header_is_reserved(name)) {
				error_set(err, ERR_CONFLICT, "The tool binds"
				    " '%s' to the header %s, which drio does"
				    " not set from arguments.", property,
				    name);
				goto out;
			}
			v = argument(arguments, property);
			if (v == NULL || (auth.header_name != NULL &&
			    strcasecmp(auth.header_name, name) == 0))
				continue;
			buf_adds(&line, name);
			buf_adds(&line, ": ");
			simple_text(&line, v, json_get_true(where, "explode"),
			    false);
			if (!line.failed && !header_value_ok(line.s +
			    strlen(name) + 2, line.len - strlen(name) - 2)) {
				buf_free(&line);
				error_set(err, ERR_VALIDATION, "The argument"
				    " '%s' cannot hold control characters: it"
				    " goes in a header.", property);
				goto out;
			}
			strings_take_buf(&headers, &line);
		}
	}
	if (auth.header != NULL) {
		strings_take(&headers, auth.header);
		auth.header = NULL;
	}
	if (auth.query_name != NULL) {
		if (query.len > 0)
			buf_adds(&query, "&");
		buf_add_encoded(&query, auth.query_name,
		    strlen(auth.query_name));
		buf_adds(&query, "=");
		buf_add_encoded(&query, auth.query_value,
		    strlen(auth.query_value));
	}
	if (query.len > 0) {
		buf_adds(&url, "?");
		buf_add(&url, query.s, query.len);
	}
	if (url.failed || query.failed || headers.failed) {
		error_set(err, ERR_INTERNAL, "out of memory");
		goto out;
	}
	out->method = method;
	out->url = buf_take(&url);
	out->headers = headers.v;
	headers.v = NULL;
	rc = 0;
out:
	if (rc != 0)
		toolexec_request_free(out);
	strings_free(headers.v);
	auth_parts_free(&auth);
	json_object_put(no_binding);
	buf_free(&url);
	buf_free(&query);
	buf_free(&line);
	return rc;
}

int
toolexec_token_request(json_object *auth, json_object *secret,
    struct toolexec_request *out, struct error *err)
{
	json_object *settings = json_get_object(auth, "settings");
	json_object *scopes = json_get_array(settings, "scopes");
	const char *grant = json_get_string(settings, "grant");
	const char *token_url = json_get_string(settings, "token_url");
	const char *client_id = json_get_string(settings, "client_id");
	const char *client_secret;
	struct buf body = { 0 }, line = { 0 };
	struct strings headers = { 0 };
	bool first = true;
	size_t i, n;

	memset(out, 0, sizeof(*out));
	if (grant == NULL || strcmp(grant, "client_credentials") != 0)
		return error_set(err, ERR_CONFLICT, "Auth connection '%s' has"
		    " no access token: drio keeps none for the %s grant.",
		    json_get_string(auth, "name"), grant != NULL ? grant :
		    "(none)");
	if (token_url == NULL || client_id == NULL ||
	    !header_value_ok(client_id, strlen(client_id)))
		return error_set(err, ERR_CONFLICT, "Auth connection '%s' has"
		    " no token_url or client_id.", json_get_string(auth,
		    "name"));
	if ((client_secret = secret_member(auth, secret, "client_secret",
	    err)) == NULL)
		return -1;

	buf_adds(&body, "grant_type=client_credentials");
	n = scopes != NULL ? json_object_array_length(scopes) : 0;
	for (i = 0; i < n; i++) {
		json_object *scope = json_object_array_get_idx(scopes, i);

		if (!json_object_is_type(scope, json_type_string))
			continue;
		buf_adds(&body, first ? "&scope=" : "%20");
		first = false;
		value_encoded(&body, scope);
	}
	buf_adds(&line, "Accept: application/json");
	strings_take_buf(&headers, &line);
	buf_adds(&line, "Content-Type: application/x-www-form-urlencoded");
	strings_take_buf(&headers, &line);
	buf_adds(&line, "Authorization: ");
	basic_credentials(&line, client_id, client_secret, true);
	strings_take_buf(&headers, &line);
	out->method = "POST";
	out->url = strdup(token_url);
	out->headers = headers.v;
	out->body_len = body.len;
	out->body = buf_take(&body);
	buf_free(&body);
	if (out->url == NULL || out->body == NULL || headers.failed) {
		toolexec_request_free(out);
		return error_set(err, ERR_INTERNAL, "out of memory");
	}
	return 0;
}

/* ---------------------------------------------------------------- */
/* Answers                                                          */

/*
 * The length of the UTF-8 character at s (n bytes left), or 0 when the
 * bytes there are not one.  NUL is not one here.
 */
static size_t
utf8_sequence(const char *s, size_t n)
{
	return n > 0 && s[0] == '\0' ? 0 : utf8_char(s, n, NULL);
}

/* Is len bytes of s valid UTF-8 without NUL? */
static bool
utf8_valid_text(const char *s, size_t len)
{
	return memchr(s, '\0', len) == NULL && utf8_valid(s, len);
}

/*
 * Append len bytes of s to b as UTF-8, each byte that starts no valid
 * sequence (NUL included) as U+FFFD, stopping before b would pass max
 * bytes.  Returns the bytes of s taken.
 */
static size_t
utf8_copy(struct buf *b, const char *s, size_t len, size_t max)
{
	size_t i, k;

	for (i = 0; i < len; i += k) {
		k = utf8_sequence(s + i, len - i);
		if (b->len + (k != 0 ? k : 3) > max)
			break;
		if (k != 0)
			buf_add(b, s + i, k);
		else {
			buf_add(b, "\xef\xbf\xbd", 3);
			k = 1;
		}
	}
	return i;
}

/* Is content_type one whose body is text to show? */
static bool
media_is_text(const char *content_type)
{
	static const char *const suffixes[] = {
		"/xml", "+xml", "/javascript", "/x-www-form-urlencoded",
		"/yaml", "/x-yaml", "/csv", "/html", NULL
	};
	size_t i, n = strcspn(content_type, "; \t"), k;

	if (n >= 5 && strncasecmp(content_type, "text/", 5) == 0)
		return true;
	for (i = 0; suffixes[i] != NULL; i++) {
		k = strlen(suffixes[i]);
		if (n >= k && strncasecmp(content_type + n - k, suffixes[i],
		    k) == 0)
			return true;
	}
	return false;
}

/*
 * Parse len bytes of body as one JSON value.  Returns true with *value
 * (new; NULL for JSON null), or false when it is not JSON or not UTF-8.
 */
static bool
json_answer(const char *body, size_t len, json_object **value)
{
	size_t start = 0, end = len;

	*value = NULL;
	if (!utf8_valid_text(body, len))
		return false;
	while (start < end && strchr(" \t\r\n", body[start]) != NULL)
		start++;
	while (end > start && strchr(" \t\r\n", body[end - 1]) != NULL)
		end--;
	if (end - start == 4 && memcmp(body + start, "null", 4) == 0)
		return true;
	*value = json_parse_exact(body, len, TOOLEXEC_JSON_DEPTH);
	return *value != NULL;
}

/* Set out's content to one text block of len bytes.  0, or -1 on OOM. */
static int
result_text(struct toolexec_result *out, const char *text, size_t len)
{
	json_object *block, *s;

	json_object_put(out->content);
	if ((out->content = json_object_new_array()) == NULL ||
	    (block = json_object_new_object()) == NULL)
		return -1;
	if (json_object_array_add(out->content, block) != 0) {
		json_object_put(block);
		return -1;
	}
	if ((s = json_object_new_string("text")) == NULL ||
	    json_object_object_add(block, "type", s) != 0)
		return -1;
	if ((s = json_object_new_string_len(text, (int)len)) == NULL ||
	    json_object_object_add(block, "text", s) != 0)
		return -1;
	return 0;
}

/*
 * Make out a failed call: is_error, no structured content, and the
 * message prefix + fmt..., sanitised with secrets redacted and cut to
 * TOOLEXEC_MESSAGE_MAX - 1 characters.  Returns 0, or -1 on OOM.
 */
static int result_fail(struct toolexec_result *out,
    const char *const *secrets, const char *prefix, const char *fmt, ...)
    __attribute__((__format__(printf, 4, 5)));

static int
result_fail(struct toolexec_result *out, const char *const *secrets,
    const char *prefix, const char *fmt, ...)
{
	char raw[2 * TOOLEXEC_MESSAGE_MAX], clean[TOOLEXEC_MESSAGE_MAX];
	size_t n;
	va_list ap;

	n = (size_t)snprintf(raw, sizeof(raw), "%s", prefix);
	if (n >= sizeof(raw))
		n = sizeof(raw) - 1;
	va_start(ap, fmt);
	vsnprintf(raw + n, sizeof(raw) - n, fmt, ap);
	va_end(ap);
	sanitise_text(raw, secrets, sizeof(clean) - 1, clean, sizeof(clean));
	explicit_bzero(raw, sizeof(raw));
	out->is_error = true;
	json_object_put(out->structured);
	out->structured = NULL;
	return result_text(out, clean, strlen(clean));
}

/*
 * Does v hold one of secrets (NULL-terminated) in a string or a member
 * name, at any depth?  Strings are compared as they are, not as JSON
 * text, which escapes some characters.  Can't fail.
 */
static bool
shows_secret(json_object *v, const char *const *secrets)
{
	const char *text;
	size_t i, n;

	switch (json_object_get_type(v)) {
	case json_type_string:
		text = json_object_get_string(v);
		for (i = 0; secrets != NULL && secrets[i] != NULL; i++)
			if (secrets[i][0] != '\0' &&
			    strstr(text, secrets[i]) != NULL)
				return true;
		return false;
	case json_type_array:
		n = json_object_array_length(v);
		for (i = 0; i < n; i++)
			if (shows_secret(json_object_array_get_idx(v, i),
			    secrets))
				return true;
		return false;
	case json_type_object: {
		json_object_object_foreach(v, key, member) {
			json_object *name = json_object_new_string(key);
			bool shown = name != NULL && shows_secret(name, secrets);

			json_object_put(name);
			if (shown || shows_secret(member, secrets))
				return true;
		}
		return false;
	}
	default:
		return false;
	}
}

/* Do the len bytes of body hold one of secrets as they are?  Can't fail. */
static bool
body_shows_secret(const char *body, size_t len, const char *const *secrets)
{
	size_t i;

	for (i = 0; secrets != NULL && secrets[i] != NULL; i++)
		if (secrets[i][0] != '\0' && memmem(body, len, secrets[i],
		    strlen(secrets[i])) != NULL)
			return true;
	return false;
}

/*
 * toolexec_answer(), with prefix before a failure's message and the
 * parsed answer in *value when value is not NULL (a new value, the JSON
 * answer, or the text as a JSON string, or NULL for none or on failure).
 */
static int
answer_map(long status, const char *content_type, const char *body,
    size_t len, const char *const *secrets, const char *prefix,
    struct toolexec_result *out, json_object **value, struct error *err)
{
	json_object *parsed = NULL, *wrap;
	struct buf text = { 0 };
	char type[128];
	size_t taken = 0;
	bool is_json;
	int rc = -1;

	if (value != NULL)
		*value = NULL;
	out->upstream_status = status;
	if (body == NULL)
		len = 0;
	if (status < 200 || status > 299) {
		if (status >= 300 && status <= 399)
			rc = result_fail(out, secrets, prefix, "Upstream"
			    " answered HTTP %ld, a redirect, which drio does"
			    " not follow.", status);
		else
			rc = result_fail(out, secrets, prefix, "Upstream"
			    " answered HTTP %ld%s%.*s", status, len > 0 ?
			    ": " : ".", (int)(len > TOOLEXEC_MESSAGE_MAX ?
			    TOOLEXEC_MESSAGE_MAX : len), len > 0 ? body : "");
		goto out;
	}
	if (status == 204 || len == 0) {
		rc = result_text(out, "No content", 10);
		goto out;
	}
	is_json = (content_type == NULL || media_is_json(content_type)) &&
	    json_answer(body, len, &parsed);
	/* An answer that echoes a credential is nobody else's to see. */
	if (body_shows_secret(body, len, secrets) ||
	    (parsed != NULL && shows_secret(parsed, secrets))) {
		rc = result_fail(out, NULL, prefix, "Upstream answered HTTP %ld"
		    " with an answer that shows a credential; it is"
		    " withheld.", status);
		goto out;
	}

	if (content_type == NULL || media_is_json(content_type)) {
		if (is_json) {
			taken = utf8_copy(&text, body, len, TOOLEXEC_TEXT_MAX);
			if (json_object_is_type(parsed, json_type_object))
				out->structured = json_object_get(parsed);
			else {
				if ((wrap = json_object_new_object()) == NULL)
					goto out;
				out->structured = wrap;
				if (json_object_object_add(wrap, "result",
				    json_object_get(parsed)) != 0)
					goto out;
			}
			goto text;
		}
		if (content_type != NULL) {
			rc = result_fail(out, secrets, prefix, "Upstream"
			    " answered HTTP %ld with JSON that does not"
			    " parse: %.*s", status, (int)(len >
			    TOOLEXEC_MESSAGE_MAX ? TOOLEXEC_MESSAGE_MAX : len),
			    body);
			goto out;
		}
	}
	if (content_type != NULL && !media_is_text(content_type) &&
	    !media_is_json(content_type)) {
		sanitise_text(content_type, secrets, sizeof(type) - 1, type,
		    sizeof(type));
		{
			char line[256];
			int n = snprintf(line, sizeof(line), "Upstream answered"
			    " HTTP %ld with %zu bytes of %s, which is not"
			    " text.", status, len, type);

			rc = result_text(out, line, (size_t)n <
			    sizeof(line) ? (size_t)n : sizeof(line) - 1);
		}
		goto out;
	}
	taken = utf8_copy(&text, body, len, TOOLEXEC_TEXT_MAX);
	if (value != NULL && !text.failed && (parsed =
	    json_object_new_string_len(text.s != NULL ? text.s : "",
	    (int)text.len)) == NULL)
		goto out;
text:
	if (taken < len) {
		char note[160];

		snprintf(note, sizeof(note), "\n[cut: the answer has %zu"
		    " bytes; the first %zu are shown]", len, taken);
		buf_adds(&text, note);
	}
	if (text.failed || result_text(out, text.s != NULL ? text.s : "",
	    text.len) != 0)
		goto out;
	rc = 0;
out:
	if (rc == 0 && value != NULL) {
		*value = parsed;
		parsed = NULL;
	}
	json_object_put(parsed);
	buf_free(&text);
	if (rc != 0) {
		toolexec_result_free(out);
		return error_set(err, ERR_INTERNAL, "out of memory");
	}
	return 0;
}

int
toolexec_answer(long status, const char *content_type, const char *body,
    size_t len, const char *const *secrets, struct toolexec_result *out,
    struct error *err)
{
	memset(out, 0, sizeof(*out));
	return answer_map(status, content_type, body, len, secrets, "", out,
	    NULL, err);
}

void
toolexec_result_free(struct toolexec_result *result)
{
	if (result == NULL)
		return;
	json_object_put(result->content);
	json_object_put(result->structured);
	memset(result, 0, sizeof(*result));
}

/* ---------------------------------------------------------------- */
/* Chain references                                                 */

/* What a reference names. */
enum lookup {
	LOOKUP_FOUND,              /* a value (maybe JSON null) */
	LOOKUP_ABSENT,             /* an input the caller did not give */
	LOOKUP_TEXT                /* not a reference: kept as text */
};

/*
 * Walk from value along path ("a.0.b"; "" is value itself): members of
 * objects, decimal indexes of arrays.  Returns true with *found
 * (borrowed), or false when path leads nowhere.
 */
static bool
walk(json_object *value, const char *path, json_object **found)
{
	const char *dot;
	char seg[REFERENCE_MAX], *end;
	unsigned long index;
	size_t n;

	while (*path != '\0') {
		dot = strchr(path, '.');
		n = dot != NULL ? (size_t)(dot - path) : strlen(path);
		memcpy(seg, path, n);     /* n < REFERENCE_MAX: see lookup */
		seg[n] = '\0';
		if (json_object_is_type(value, json_type_object)) {
			if (!json_object_object_get_ex(value, seg, &value))
				return false;
		} else if (json_object_is_type(value, json_type_array) &&
		    n > 0 && isdigit((unsigned char)seg[0])) {
			index = strtoul(seg, &end, 10);
			if (*end != '\0' ||
			    index >= json_object_array_length(value))
				return false;
			value = json_object_array_get_idx(value, index);
		} else
			return false;
		path = dot != NULL ? dot + 1 : path + n;
	}
	*found = value;
	return true;
}

/*
 * Look the reference ref (len bytes, between {{ and }}) up.  Returns 0
 * with *what and, when found, *found (borrowed), or -1 and err
 * (ERR_VALIDATION) for a step reference that names nothing.
 */
static int
lookup(const char *ref, size_t len, json_object *input, json_object *steps,
    enum lookup *what, json_object **found, struct error *err)
{
	char text[REFERENCE_MAX], head[REFERENCE_MAX];
	const char *rest, *dot;
	json_object *start;
	size_t n;

	*what = LOOKUP_TEXT;
	*found = NULL;
	if (len >= sizeof(text))
		return 0;
	memcpy(text, ref, len);
	text[len] = '\0';
	if (strlen(text) != len)
		return 0;
	if (strncmp(text, "input.", 6) == 0)
		rest = text + 6;
	else if (strncmp(text, "steps.", 6) == 0)
		rest = text + 6;
	else
		return 0;
	dot = strchr(rest, '.');
	n = dot != NULL ? (size_t)(dot - rest) : strlen(rest);
	memcpy(head, rest, n);
	head[n] = '\0';
	rest = dot != NULL ? dot + 1 : rest + n;

	if (text[0] == 'i') {
		*what = LOOKUP_ABSENT;
		if (n > 0 && json_object_object_get_ex(input, head, &start) &&
		    walk(start, rest, found))
			*what = LOOKUP_FOUND;
		return 0;
	}
	if (n == 0 || !json_object_object_get_ex(steps, head, &start))
		return error_set(err, ERR_VALIDATION, "{{%s}} names no step"
		    " that ran before this one.", text);
	if (!walk(start, rest, found))
		return error_set(err, ERR_VALIDATION, "{{%s}} names nothing in"
		    " the answer of step '%s'.", text, head);
	*what = LOOKUP_FOUND;
	return 0;
}

/*
 * Resolve one value of a step's arguments into *out (a new reference;
 * NULL for JSON null) or set *absent.  Returns 0, or -1 and err.
 */
static int
resolve_value(json_object *v, json_object *input, json_object *steps,
    json_object **out, bool *absent, struct error *err)
{
	const char *s, *end, *open, *close;
	json_object *r, *found;
	struct buf b = { 0 };
	enum lookup what;
	bool gone;
	size_t i, n, len;

	*out = NULL;
	*absent = false;
	if (json_object_is_type(v, json_type_object)) {
		if ((*out = json_object_new_object()) == NULL)
			return error_set(err, ERR_INTERNAL, "out of memory");
		json_object_object_foreach(v, key, member) {
			if (resolve_value(member, input, steps, &r, &gone,
			    err) != 0)
				goto fail;
			if (!gone && json_object_object_add(*out, key, r) !=
			    0) {
				json_object_put(r);
				error_set(err, ERR_INTERNAL, "out of memory");
				goto fail;
			}
		}
		return 0;
	}
	if (json_object_is_type(v, json_type_array)) {
		if ((*out = json_object_new_array()) == NULL)
			return error_set(err, ERR_INTERNAL, "out of memory");
		n = json_object_array_length(v);
		for (i = 0; i < n; i++) {
			if (resolve_value(json_object_array_get_idx(v, i),
			    input, steps, &r, &gone, err) != 0)
				goto fail;
			if (json_object_array_add(*out, r) != 0) {
				json_object_put(r);
				error_set(err, ERR_INTERNAL, "out of memory");
				goto fail;
			}
		}
		return 0;
	}
	if (!json_object_is_type(v, json_type_string)) {
		*out = json_object_get(v);
		return 0;
	}

	s = json_object_get_string(v);
	len = (size_t)json_object_get_string_len(v);
	end = s + len;
	/* Exactly one reference: the value itself, whatever its type. */
	if (len >= 4 && strncmp(s, "{{", 2) == 0 &&
	    strncmp(end - 2, "}}", 2) == 0 &&
	    memmem(s + 2, len - 4, "{{", 2) == NULL &&
	    memmem(s + 2, len - 4, "}}", 2) == NULL) {
		if (lookup(s + 2, len - 4, input, steps, &what, &found,
		    err) != 0)
			return -1;
		if (what == LOOKUP_FOUND)
			*out = json_object_get(found);
		else if (what == LOOKUP_ABSENT)
			*absent = true;
		else
			*out = json_object_get(v);
		return 0;
	}
	/* References among text: each becomes its value's text. */
	while ((open = memmem(s, (size_t)(end - s), "{{", 2)) != NULL &&
	    (close = memmem(open + 2, (size_t)(end - open - 2), "}}", 2)) !=
	    NULL) {
		if (lookup(open + 2, (size_t)(close - open - 2), input, steps,
		    &what, &found, err) != 0)
			goto fail;
		if (what == LOOKUP_TEXT) {
			buf_add(&b, s, (size_t)(close + 2 - s));
		} else {
			buf_add(&b, s, (size_t)(open - s));
			if (what == LOOKUP_FOUND)
				value_text(&b, found);
		}
		s = close + 2;
	}
	buf_add(&b, s, (size_t)(end - s));
	if (b.failed || (*out = json_object_new_string_len(b.s,
	    (int)b.len)) == NULL) {
		error_set(err, ERR_INTERNAL, "out of memory");
		goto fail;
	}
	buf_free(&b);
	return 0;
fail:
	buf_free(&b);
	json_object_put(*out);
	*out = NULL;
	return -1;
}

int
toolexec_resolve_arguments(json_object *arguments, json_object *input,
    json_object *steps, json_object **out, struct error *err)
{
	bool absent;

	*out = NULL;
	if (arguments == NULL) {
		if ((*out = json_object_new_object()) == NULL)
			return error_set(err, ERR_INTERNAL, "out of memory");
		return 0;
	}
	if (!json_object_is_type(arguments, json_type_object))
		return error_set(err, ERR_CONFLICT, "A chain step's arguments"
		    " are not an object.");
	return resolve_value(arguments, input, steps, out, &absent, err);
}

/* ---------------------------------------------------------------- */
/* Running                                                          */

/* One call in progress. */
struct run {
	struct vault *vault;
	const struct outbound_policy *policy;
	const char *app_id;
	json_object *config;
	long long concurrency;     /* toolexec_call's */
	char prefix[PREFIX_MAX];   /* before a failure's message */
	struct toolexec_result *out;
};

/* Milliseconds on the monotonic clock. */
static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The member of the array list whose "key" is the string value. */
static json_object *
find_by(json_object *list, const char *key, const char *value)
{
	size_t i, n = list != NULL ? json_object_array_length(list) : 0;

	for (i = 0; value != NULL && i < n; i++) {
		json_object *item = json_object_array_get_idx(list, i);
		const char *s = json_get_string(item, key);

		if (s != NULL && strcmp(s, value) == 0)
			return item;
	}
	return NULL;
}

/*
 * The forms in which the secret of auth may come back in an answer: each
 * string value as it is and percent-encoded, and the Basic credentials.
 */
static void
secrets_collect(json_object *auth, json_object *secret,
    struct strings *list)
{
	const char *user, *password;
	struct buf b = { 0 };

	if (secret == NULL)
		return;
	{
		json_object_object_foreach(secret, key, v) {
			(void)key;
			if (!json_object_is_type(v, json_type_string) ||
			    json_object_get_string_len(v) == 0)
				continue;
			strings_take(list, strdup(json_object_get_string(v)));
			value_encoded(&b, v);
			strings_take_buf(list, &b);
		}
	}
	user = json_get_string(json_get_object(auth, "settings"), "username");
	if (user == NULL)
		user = json_get_string(secret, "username");
	password = json_get_string(secret, "password");
	if (password != NULL) {
		basic_credentials(&b, user != NULL ? user : "", password,
		    false);
		if (!b.failed)
			strings_take(list, strdup(b.s + 6));
		buf_free(&b);
	}
}

/*
 * Turn the failure of an outbound call in err into a failed result when
 * it is the upstream's doing, clearing err.  Returns 0 when it was, -1
 * (err kept) when it was not.
 */
static int
outbound_failure(struct run *r, const char *const *secrets,
    const char *what, struct error *err)
{
	int rc;

	switch (err->code) {
	case ERR_DESTINATION_NOT_ALLOWED:
		rc = result_fail(r->out, secrets, r->prefix, "%sThe"
		    " destination is not allowed: %s", what, err->message);
		break;
	case ERR_UPSTREAM_UNAVAILABLE:
	case ERR_TOO_MANY_REQUESTS:     /* every upstream slot is taken */
		rc = result_fail(r->out, secrets, r->prefix, "%s%s", what,
		    err->message);
		break;
	case ERR_UPSTREAM_TOO_LARGE:
		rc = result_fail(r->out, secrets, r->prefix, "%sThe upstream"
		    " answer is larger than %zu bytes.", what,
		    r->policy->max_bytes);
		break;
	default:
		return -1;
	}
	if (rc != 0)
		return error_set(err, ERR_INTERNAL, "out of memory");
	error_clear(err);
	return 0;
}

/*
 * Get an access token for an oauth2 connection with the
 * client_credentials grant and add it to secret as "access_token", with
 * its lifetime in *expires_in (-1: the answer named none).  Returns 1
 * when it was added, 0 when the call failed (r->out says why), or -1 and
 * err.
 */
static int
token_fetch(struct run *r, json_object *auth, json_object *secret,
    const char *const *secrets, long long *expires_in, struct error *err)
{
	struct oauthclient_tokens tokens = { 0 };
	struct outbound_response res = { 0 };
	struct toolexec_request req = { 0 };
	json_object *token;
	long long start;
	int rc = -1;

	if (toolexec_token_request(auth, secret, &req, err) != 0)
		return -1;
	start = now_ms();
	if (outbound_request(r->policy, req.method, req.url,
	    (const char *const *)req.headers, req.body, req.body_len, &res,
	    err) != 0) {
		r->out->upstream_ms += now_ms() - start;
		rc = outbound_failure(r, secrets, "No access token: ", err);
		goto out;
	}
	r->out->upstream_ms += now_ms() - start;
	r->out->upstream_status = res.status;
	if (oauthclient_token_parse(res.status, res.body, res.len, secrets,
	    &tokens, err) != 0) {
		if (err->code == ERR_INTERNAL)
			goto out;
		if (result_fail(r->out, secrets, r->prefix, "No access token:"
		    " %s", err->message) != 0) {
			error_set(err, ERR_INTERNAL, "out of memory");
			goto out;
		}
		error_clear(err);
		rc = 0;
		goto out;
	}
	*expires_in = tokens.expires_in;
	if ((token = json_object_new_string(tokens.access_token)) == NULL ||
	    json_object_object_add(secret, "access_token", token) != 0) {
		error_set(err, ERR_INTERNAL, "out of memory");
		goto out;
	}
	rc = 1;
out:
	oauthclient_tokens_free(&tokens);
	outbound_response_free(&res);
	toolexec_request_free(&req);
	return rc;
}

/*
 * The credentials of one operation's call: its integration's auth
 * connection secret, or those of the workspace integration it is
 * attached to.
 */
struct creds {
	json_object *auth;            /* the auth connection, or NULL */
	json_object *secret;          /* its secret, or NULL */
	struct strings forms;         /* its forms never to show */
	char settings_sha256[CRYPTO_SHA256_HEX_LEN + 1]; /* oauth2: cache key */
	bool cached;                  /* its access token is the cache's */
	struct wicreds attached;      /* an attached integration's */
	bool is_attached;
	const char *bearer;           /* for an MCP server, or NULL */
	const char *const *redact;    /* what no answer may show */
};

/* Release what c holds.  Accepts a zeroed struct. */
static void
creds_free(struct creds *c)
{
	strings_free(c->forms.v);
	json_secret_free(c->secret);
	wicreds_free(&c->attached);
	memset(c, 0, sizeof(*c));
}

/*
 * A failure to get credentials made the call's result, when err is one
 * the caller should see as such.  Returns 0 (r->out says why), or -1.
 */
static int
creds_failure(struct run *r, const char *const *secrets, struct error *err)
{
	if (err->code == ERR_INTERNAL || err->code == ERR_DATABASE_UNAVAILABLE)
		return -1;
	if (result_fail(r->out, secrets, r->prefix, "No credentials for the"
	    " upstream: %s", err->message) != 0)
		return error_set(err, ERR_INTERNAL, "out of memory");
	error_clear(err);
	return 0;
}

/* Point c's bearer at its current token, and redact its current forms. */
static void
creds_settle(struct creds *c)
{
	const char *type = json_get_string(c->auth, "type");

	if (c->is_attached) {
		c->bearer = c->attached.bearer;
		c->redact = (const char *const *)c->attached.secrets;
		return;
	}
	c->redact = (const char *const *)c->forms.v;
	c->bearer = NULL;
	if (type != NULL && strcmp(type, "bearer") == 0)
		c->bearer = json_get_string(c->secret, "token");
	else if (type != NULL && strcmp(type, "oauth2") == 0)
		c->bearer = json_get_string(c->secret, "access_token");
}

/*
 * Give c's oauth2 client_credentials connection an access token: the
 * cached one unless fresh is set, else one got from the provider now and
 * cached.  Returns 1 when it has one, 0 when none could be had (r->out
 * says why), or -1 and err.
 */
static int
creds_token(struct run *r, struct creds *c, bool fresh, struct error *err)
{
	const char *auth_id = json_get_string(c->auth, "id");
	const char *token;
	long long expires_in = -1;
	char *cached = NULL;
	int got;

	c->cached = false;
	if ((token = json_get_string(c->secret, "access_token")) != NULL) {
		explicit_bzero((char *)token, strlen(token));
		json_object_object_del(c->secret, "access_token");
	}
	if (!fresh && tokencache_get(r->vault, r->app_id, auth_id,
	    c->settings_sha256, &cached, err) != 0) {
		if (err->code == ERR_DATABASE_UNAVAILABLE)
			return -1;
		error_clear(err);	/* a token that no longer opens */
	}
	if (cached != NULL) {
		json_put_string(c->secret, "access_token", cached);
		tokencache_free(cached);
		c->cached = true;
	} else {
		if ((got = token_fetch(r, c->auth, c->secret, c->redact,
		    &expires_in, err)) != 1)
			return got;
		/* A token not kept is got again next time: no failure. */
		if (tokencache_put(r->vault, r->app_id, auth_id,
		    c->settings_sha256, json_get_string(c->secret,
		    "access_token"), expires_in, err) != 0)
			error_clear(err);
	}
	strings_take(&c->forms, strdup(json_get_string(c->secret,
	    "access_token")));
	if (c->forms.failed)
		return error_set(err, ERR_INTERNAL, "out of memory");
	creds_settle(c);
	return 1;
}

/*
 * Open the credentials of integration into c (zeroed).  Returns 1 when
 * they are had, 0 when they could not be (r->out says why), or -1 and
 * err.
 */
static int
creds_open(struct run *r, json_object *integration, struct creds *c,
    struct error *err)
{
	json_object *attached = json_get_object(integration,
	    "workspace_integration");
	const char *type, *settings;

	if (attached != NULL) {
		if (wicreds_open(r->vault, r->policy, json_get_string(attached,
		    "workspace_id"), json_get_string(attached, "id"),
		    &c->attached, err) != 0)
			return creds_failure(r, NULL, err) == 0 ? 0 : -1;
		c->is_attached = true;
		creds_settle(c);
		return 1;
	}
	c->auth = json_get_object(integration, "auth");
	type = json_get_string(c->auth, "type");
	if (c->auth != NULL && (type == NULL || strcmp(type, "none") != 0) &&
	    authconn_open_secret(r->vault, r->app_id,
	    json_get_string(c->auth, "id"), &c->secret, err) != 0)
		return -1;
	secrets_collect(c->auth, c->secret, &c->forms);
	if (c->forms.failed)
		return error_set(err, ERR_INTERNAL, "out of memory");
	creds_settle(c);
	if (type != NULL && strcmp(type, "oauth2") == 0 &&
	    json_get_string(c->secret, "access_token") == NULL) {
		settings = json_object_to_json_string_ext(json_get_object(
		    c->auth, "settings"), JSON_C_TO_STRING_PLAIN);
		crypto_sha256_hex(settings, strlen(settings),
		    c->settings_sha256);
		if (c->secret == NULL &&
		    (c->secret = json_object_new_object()) == NULL)
			return error_set(err, ERR_INTERNAL, "out of memory");
		return creds_token(r, c, false, err);
	}
	return 1;
}

/*
 * After the upstream answered 401: new credentials for c, when it has
 * an OAuth token that could be renewed (an attached OAuth integration's,
 * or a cached client_credentials one).  Returns 1 when c has new ones, 2
 * when there is nothing to renew, 0 when renewing failed (r->out says
 * why), or -1 and err.
 */
static int
creds_renew(struct run *r, json_object *integration, struct creds *c,
    struct error *err)
{
	json_object *attached = json_get_object(integration,
	    "workspace_integration");
	const char *token;

	if (c->is_attached && c->attached.oauth) {
		if (wicreds_refresh(r->vault, r->policy, json_get_string(
		    attached, "workspace_id"), json_get_string(attached, "id"),
		    &c->attached, err) != 0)
			return creds_failure(r, c->redact, err) == 0 ? 0 : -1;
		creds_settle(c);
		return 1;
	}
	if (!c->cached)
		return 2;
	token = json_get_string(c->secret, "access_token");
	if (tokencache_drop(r->vault, r->app_id, json_get_string(c->auth,
	    "id"), token, err) != 0) {
		if (err->code == ERR_DATABASE_UNAVAILABLE)
			return -1;
		error_clear(err);
	}
	return creds_token(r, c, true, err);
}

/*
 * Add the lines of extra (NULL-terminated, borrowed) to the headers of
 * req.  Returns 0, or -1 and err.
 */
static int
headers_add(struct toolexec_request *req, char *const *extra,
    struct error *err)
{
	size_t n = 0, k = 0, i;
	char **grown;

	while (req->headers != NULL && req->headers[n] != NULL)
		n++;
	while (extra != NULL && extra[k] != NULL)
		k++;
	if (k == 0)
		return 0;
	if ((grown = realloc(req->headers, (n + k + 1) *
	    sizeof(*grown))) == NULL)
		return error_set(err, ERR_INTERNAL, "out of memory");
	req->headers = grown;
	for (i = 0; i < k; i++) {
		if ((grown[n + i] = strdup(extra[i])) == NULL) {
			grown[n + i] = NULL;
			return error_set(err, ERR_INTERNAL, "out of memory");
		}
		grown[n + i + 1] = NULL;
	}
	return 0;
}

/*
 * Build the request of op (arguments placed by binding, credentials c)
 * into req (zeroed) and send it under r's policy in one of the
 * integration's upstream slots, into *res (zeroed).  Returns 1 when an
 * answer came, 0 when none did or the request could not be built (r->out
 * says why), or -1 and err.
 */
static int
send_operation(struct run *r, json_object *integration, json_object *op,
    json_object *binding, json_object *arguments, const struct creds *c,
    struct toolexec_request *req, struct outbound_response *res,
    struct error *err)
{
	const char *id = json_get_string(integration, "id");
	long long start;
	int slot = -1, rc;

	if (toolexec_request_build(integration, op, binding, arguments,
	    c->secret, req, err) != 0) {
		if (err->code != ERR_VALIDATION)
			return -1;
		if (result_fail(r->out, c->redact, r->prefix, "%s",
		    err->message) != 0)
			return error_set(err, ERR_INTERNAL, "out of memory");
		error_clear(err);
		return 0;
	}
	if (c->is_attached && headers_add(req, c->attached.headers,
	    err) != 0)
		return -1;
	/* A busy upstream is a failure the caller may retry. */
	if (upstreamslot_take(id, r->concurrency, &slot, err) != 0) {
		if (err->code != ERR_TOO_MANY_REQUESTS)
			return -1;
		return outbound_failure(r, c->redact, "", err);
	}
	start = now_ms();
	rc = outbound_request(r->policy, req->method, req->url,
	    (const char *const *)req->headers, req->body, req->body_len, res,
	    err);
	r->out->upstream_ms += now_ms() - start;
	upstreamslot_give(id, slot);
	if (rc != 0)
		return outbound_failure(r, c->redact, "", err);
	return 1;
}

/*
 * Run operation op of an HTTP (openapi or http) integration with
 * arguments placed by binding and credentials c, into r->out.  An OAuth
 * token the upstream refuses (401) is renewed once (creds_renew()) and
 * the call made once more.  *value as run_operation().  Returns 0, or -1
 * and err.
 */
static int
run_http(struct run *r, json_object *integration, json_object *op,
    json_object *binding, json_object *arguments, struct creds *c,
    json_object **value, struct error *err)
{
	struct outbound_response res = { 0 };
	struct toolexec_request req = { 0 };
	char content_type[256];
	int rc, attempt;

	for (attempt = 0; ; attempt++) {
		if ((rc = send_operation(r, integration, op, binding,
		    arguments, c, &req, &res, err)) != 1)
			goto out;
		if (res.status != 401 || attempt > 0)
			break;
		if ((rc = creds_renew(r, integration, c, err)) == 2)
			break;
		if (rc != 1)
			goto out;
		outbound_response_free(&res);
		toolexec_request_free(&req);
		memset(&res, 0, sizeof(res));
	}
	rc = answer_map(res.status, outbound_response_header(&res,
	    "Content-Type", content_type, sizeof(content_type)) == 0 ?
	    content_type : NULL, res.body, res.len, c->redact, r->prefix,
	    r->out, value, err);
out:
	outbound_response_free(&res);
	toolexec_request_free(&req);
	return rc;
}

/*
 * tools/call of operation op's tool on the MCP server at url with c's
 * bearer token, in one of the integration's upstream slots, into
 * *result.  Returns 1 when the server answered, 0 when it did not
 * (r->out says why; *refused tells a 401), or -1 and err.
 */
static int
send_mcp(struct run *r, json_object *integration, json_object *op,
    json_object *arguments, const struct creds *c, json_object **result,
    bool *refused, struct error *err)
{
	const char *id = json_get_string(integration, "id");
	long long start;
	int slot = -1, rc;

	*refused = false;
	if (upstreamslot_take(id, r->concurrency, &slot, err) != 0) {
		if (err->code != ERR_TOO_MANY_REQUESTS)
			return -1;
		return outbound_failure(r, c->redact, "", err);
	}
	start = now_ms();
	rc = mcpclient_call_tool(r->policy, json_get_string(integration,
	    "base_url"), c->bearer, json_get_string(op, "key"), arguments,
	    result, err);
	r->out->upstream_ms += now_ms() - start;
	upstreamslot_give(id, slot);
	if (rc == 0)
		return 1;
	*refused = mcpclient_refused(err);
	if (err->code == ERR_BAD_REQUEST)	/* an unusable token */
		err->code = ERR_UPSTREAM_UNAVAILABLE;
	return outbound_failure(r, c->redact, "", err);
}

/*
 * Run operation op of an mcp_server integration: tools/call of the tool
 * its key names, with the arguments as they are, into r->out: the
 * server's result as it gave it (content, structuredContent, isError),
 * withheld when it shows a credential.  A token the server refuses
 * (401) is renewed once (creds_renew()) and the call made once more.
 * *value as run_operation(): the structuredContent.  Returns 0, or -1
 * and err.
 */
static int
run_mcp(struct run *r, json_object *integration, json_object *op,
    json_object *arguments, struct creds *c, json_object **value,
    struct error *err)
{
	const char *url = json_get_string(integration, "base_url");
	json_object *result = NULL, *content;
	bool refused;
	int rc, attempt;

	if (url == NULL || url[0] == '\0')
		return error_set(err, ERR_CONFLICT, "Integration '%s' has no"
		    " endpoint URL to call.", json_get_string(integration,
		    "name"));
	for (attempt = 0; ; attempt++) {
		if ((rc = send_mcp(r, integration, op, arguments, c, &result,
		    &refused, err)) == 1)
			break;
		if (rc < 0 || !refused || attempt > 0)
			return rc;
		if ((rc = creds_renew(r, integration, c, err)) != 1)
			return rc == 2 ? 0 : rc;
		/* The refusal was the result; the next try replaces it. */
		json_object_put(r->out->content);
		r->out->content = NULL;
		r->out->is_error = false;
	}
	r->out->upstream_status = 200;
	content = json_get_array(result, "content");
	if (content == NULL || shows_secret(result, c->redact)) {
		rc = result_fail(r->out, NULL, r->prefix, "%s",
		    content == NULL ? "The MCP server's result has no"
		    " content." : "The MCP server's result shows a"
		    " credential; it is withheld.");
		json_object_put(result);
		return rc != 0 ? error_set(err, ERR_INTERNAL,
		    "out of memory") : 0;
	}
	r->out->content = json_object_get(content);
	r->out->structured = json_object_get(json_get_object(result,
	    "structuredContent"));
	r->out->is_error = json_get_true(result, "isError");
	if (value != NULL && !r->out->is_error)
		*value = json_object_get(r->out->structured);
	json_object_put(result);
	return 0;
}

/*
 * Run operation op with arguments placed by binding, into r->out (which
 * is replaced).  *value, when value is not NULL, gets the answer for
 * later steps (see answer_map).  Returns 0 (r->out says whether the call
 * failed), or -1 and err.
 */
static int
run_operation(struct run *r, json_object *op, json_object *binding,
    json_object *arguments, json_object **value, struct error *err)
{
	json_object *integration;
	const char *kind;
	struct creds c;
	int rc, got;

	if (value != NULL)
		*value = NULL;
	json_object_put(r->out->content);
	json_object_put(r->out->structured);
	r->out->content = r->out->structured = NULL;
	r->out->is_error = false;

	integration = find_by(json_get_array(r->config, "integrations"), "id",
	    json_get_string(op, "integration_id"));
	if (integration == NULL)
		return error_set(err, ERR_CONFLICT, "Operation '%s' belongs to"
		    " no integration of the app.", json_get_string(op, "key"));
	memset(&c, 0, sizeof(c));
	if ((got = creds_open(r, integration, &c, err)) != 1) {
		creds_free(&c);
		return got;
	}
	kind = json_get_string(integration, "kind");
	if (kind != NULL && strcmp(kind, "mcp_server") == 0)
		rc = run_mcp(r, integration, op, arguments, &c, value, err);
	else
		rc = run_http(r, integration, op, binding, arguments, &c,
		    value, err);
	creds_free(&c);
	return rc;
}

/*
 * Run the steps of chain in order with the tool's arguments as input,
 * into r->out: the last step's answer, or the first failure.  Returns 0,
 * or -1 and err.
 */
static int
run_chain(struct run *r, json_object *tool, json_object *chain,
    json_object *input, struct error *err)
{
	json_object *steps, *step, *op, *arguments = NULL, *value = NULL;
	const char *name;
	size_t i, n = json_object_array_length(chain);
	int rc = -1;

	if (n == 0 || n > APPCONFIG_CHAIN_MAX)
		return error_set(err, ERR_CONFLICT, "Chain tool '%s' has %s"
		    " steps.", json_get_string(tool, "name"), n == 0 ? "no" :
		    "too many");
	if ((steps = json_object_new_object()) == NULL)
		return error_set(err, ERR_INTERNAL, "out of memory");
	for (i = 0; i < n; i++) {
		step = json_object_array_get_idx(chain, i);
		name = json_get_string(step, "name");
		op = json_get_object(step, "operation");
		if (name == NULL || op == NULL) {
			error_set(err, ERR_CONFLICT, "Step %zu of chain tool"
			    " '%s' names no operation of the app.", i + 1,
			    json_get_string(tool, "name"));
			goto out;
		}
		snprintf(r->prefix, sizeof(r->prefix), "Step '%.64s' (%zu of"
		    " %zu) failed: ", name, i + 1, n);
		if (toolexec_resolve_arguments(json_get_object(step,
		    "arguments"), input, steps, &arguments, err) != 0) {
			if (err->code != ERR_VALIDATION)
				goto out;
			if (result_fail(r->out, NULL, r->prefix, "%s",
			    err->message) != 0) {
				error_set(err, ERR_INTERNAL, "out of memory");
				goto out;
			}
			error_clear(err);
			break;
		}
		if (run_operation(r, op, json_get_object(op, "parameters"),
		    arguments, &value, err) != 0)
			goto out;
		json_object_put(arguments);
		arguments = NULL;
		if (r->out->is_error)
			break;
		if (json_object_object_add(steps, name, value) != 0) {
			error_set(err, ERR_INTERNAL, "out of memory");
			goto out;
		}
		value = NULL;
	}
	rc = 0;
out:
	json_object_put(value);
	json_object_put(arguments);
	json_object_put(steps);
	return rc;
}

int
toolexec_run(struct vault *vault, const struct outbound_policy *policy,
    const struct toolexec_call *call, struct toolexec_result *out,
    struct error *err)
{
	struct run r = {
		.vault = vault,
		.policy = policy,
		.app_id = call->app_id,
		.config = call->config,
		.concurrency = call->concurrency,
		.prefix = "",
		.out = out,
	};
	json_object *tool, *op, *chain, *input;
	int rc;

	memset(out, 0, sizeof(*out));
	tool = find_by(json_get_array(call->config, "tools"), "name",
	    call->tool_name);
	if (tool == NULL)
		return error_set(err, ERR_TOOL_NOT_FOUND, "The app has no tool"
		    " named '%.64s'.", call->tool_name != NULL ?
		    call->tool_name : "");
	input = call->arguments != NULL ? json_object_get(call->arguments) :
	    json_object_new_object();
	if (input == NULL)
		return error_set(err, ERR_INTERNAL, "out of memory");
	op = json_get_object(tool, "operation");
	chain = json_get_array(tool, "chain");
	if (op != NULL)
		rc = run_operation(&r, op, json_get_object(tool, "binding"),
		    input, NULL, err);
	else if (chain != NULL)
		rc = run_chain(&r, tool, chain, input, err);
	else
		rc = error_set(err, ERR_CONFLICT, "Tool '%s' has neither an"
		    " operation nor a chain to run.",
		    json_get_string(tool, "name"));
	json_object_put(input);
	if (rc != 0)
		toolexec_result_free(out);
	return rc;
}

/*
 * mcpauth.c: discovering how an MCP server wants to be authorized and
 * registering drio with its authorization server.  mcpauth.h is the
 * contract; the MCP specification's basic/authorization.mdx (2025-06-18,
 * 2025-11-25), RFC 9728 (protected resource metadata), RFC 8414
 * (authorization server metadata), RFC 7591 (dynamic client
 * registration) and RFC 7235 / RFC 6750 (the challenge) are the protocol.
 *
 * The pure parts come first: a small strict URL reader, the challenge
 * parser, the well-known URLs and the readers of the three answers.  The
 * URL reader is deliberately narrower than RFC 3986: what it refuses
 * (user information, percent-encoded or odd host names, zone
 * identifiers, backslashes, "." and ".." segments, non-ASCII) never
 * appears in a sane MCP or OAuth URL, and refusing it leaves no room for
 * two readers to disagree about which host or path a URL names, which
 * the resource check of RFC 9728 3.3 depends on.  Then the two calls,
 * which go through lib/outbound with the answer's size capped.
 *
 * SPDX-License-Identifier: MIT
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include <json-c/json.h>

#include "error.h"
#include "jsonutil.h"
#include "log.h"
#include "mcpauth.h"
#include "mcpclient.h"
#include "oauthclient.h"
#include "outbound.h"
#include "sanitise.h"

#define WELL_KNOWN_PRM  "/.well-known/oauth-protected-resource"
#define WELL_KNOWN_AS   "/.well-known/oauth-authorization-server"
#define WELL_KNOWN_OIDC "/.well-known/openid-configuration"

#define ERROR_NAME_MAX  64     /* characters of a provider's error string */

/* ---------------------------------------------------------------- */
/* URLs                                                             */

/* An http or https URL cut into its parts; pointers into the URL. */
struct url {
	bool https;
	const char *host;          /* as written; "[...]" for IPv6 */
	size_t host_len;
	unsigned long port;        /* the explicit port, else the default */
	const char *path;          /* "" when the URL has none */
	size_t path_len;
	bool has_query;
	bool has_fragment;
};

/* Is c a character of a host name this module takes?  Can't fail. */
static bool
host_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~';
}

/*
 * Is the n bytes at s a "." or ".." path segment, written plainly or
 * with %2e (RFC 3986 2.3, 6.2.2.2)?  Can't fail.
 */
static bool
dot_segment(const char *s, size_t n)
{
	size_t dots = 0;

	while (n > 0) {
		if (*s == '.') {
			s++;
			n--;
		} else if (n >= 3 && s[0] == '%' && s[1] == '2' &&
		    (s[2] == 'e' || s[2] == 'E')) {
			s += 3;
			n -= 3;
		} else
			return false;
		dots++;
	}
	return dots == 1 || dots == 2;
}

/*
 * Cut url into u.  Taken: "http://" or "https://" (any case); a host,
 * either a name of letters, digits, "-", ".", "_" and "~" or an IPv6
 * literal in brackets of hex digits, ":" and "."; an optional port of 1
 * to 65535 (an empty one is the default); then path, query and fragment.
 * The whole URL is at most MCPAUTH_URL_MAX bytes of visible ASCII
 * without "\", and its path has no "." or ".." segment.  So user
 * information, percent-encoded hosts and zone identifiers are refused.
 * Returns 0, or -1 when url is not such a URL.
 */
static int
url_split(const char *url, struct url *u)
{
	const char *p, *end, *s;
	unsigned long port = 0;
	size_t i, n, len;

	memset(u, 0, sizeof(*u));
	if (url == NULL)
		return -1;
	len = strnlen(url, MCPAUTH_URL_MAX + 1);
	if (len == 0 || len > MCPAUTH_URL_MAX)
		return -1;
	for (i = 0; i < len; i++)
		if ((unsigned char)url[i] < 0x21 ||
		    (unsigned char)url[i] > 0x7e || url[i] == '\\')
			return -1;
	if (strncasecmp(url, "https://", 8) == 0) {
		u->https = true;
		p = url + 8;
	} else if (strncasecmp(url, "http://", 7) == 0)
		p = url + 7;
	else
		return -1;
	u->port = u->https ? 443 : 80;

	if (*p == '[') {
		for (end = p + 1; isxdigit((unsigned char)*end) ||
		    *end == ':' || *end == '.'; end++)
			continue;
		if (*end != ']' || end == p + 1)
			return -1;
		end++;
	} else {
		for (end = p; host_char((unsigned char)*end); end++)
			continue;
		if (end == p)
			return -1;
	}
	u->host = p;
	u->host_len = (size_t)(end - p);
	p = end;
	if (*p == ':') {
		p++;
		for (i = 0; p[i] >= '0' && p[i] <= '9'; i++) {
			if (i >= 5)
				return -1;
			port = port * 10 + (unsigned long)(p[i] - '0');
		}
		if (i > 0) {
			if (port == 0 || port > 65535)
				return -1;
			u->port = port;
		}
		p += i;
	}
	if (*p != '\0' && *p != '/' && *p != '?' && *p != '#')
		return -1;

	u->path = p;
	u->path_len = strcspn(p, "?#");
	for (s = p; s < p + u->path_len; s += n) {
		s++;                        /* the "/" */
		for (n = 0; s + n < p + u->path_len && s[n] != '/'; n++)
			continue;
		if (dot_segment(s, n))
			return -1;
	}
	p += u->path_len;
	u->has_query = *p == '?';
	u->has_fragment = strchr(p, '#') != NULL;
	return 0;
}

/* Is port the default port of u's scheme?  Can't fail. */
static bool
default_port(const struct url *u)
{
	return u->port == (u->https ? 443UL : 80UL);
}

/*
 * Write u's origin into buf (size bytes): the scheme and the host in
 * lower case, and ":port" when the port is not the scheme's default.
 * Returns 0, or -1 when it does not fit.
 */
static int
url_origin(const struct url *u, char *buf, size_t size)
{
	size_t i, n;
	int w;

	n = u->https ? 8 : 7;
	if (n + u->host_len >= size)
		return -1;
	memcpy(buf, u->https ? "https://" : "http://", n);
	for (i = 0; i < u->host_len; i++)
		buf[n++] = (char)tolower((unsigned char)u->host[i]);
	buf[n] = '\0';
	if (!default_port(u)) {
		w = snprintf(buf + n, size - n, ":%lu", u->port);
		if (w < 0 || (size_t)w >= size - n)
			return -1;
	}
	return 0;
}

/* The length of u's path without its trailing slashes.  Can't fail. */
static size_t
path_trimmed(const struct url *u)
{
	size_t n = u->path_len;

	while (n > 0 && u->path[n - 1] == '/')
		n--;
	return n;
}

/* Are a and b the same scheme, host (any case) and port?  Can't fail. */
static bool
same_origin(const struct url *a, const struct url *b)
{
	return a->https == b->https && a->port == b->port &&
	    a->host_len == b->host_len &&
	    strncasecmp(a->host, b->host, a->host_len) == 0;
}

/*
 * Is inner's path the path of outer or under it on a "/" boundary?  A
 * trailing "/" of outer's path does not count.  Can't fail.
 */
static bool
path_covers(const struct url *outer, const struct url *inner)
{
	size_t n = path_trimmed(outer);

	if (n == 0)
		return true;
	if (inner->path_len < n || memcmp(inner->path, outer->path, n) != 0)
		return false;
	return inner->path_len == n || inner->path[n] == '/';
}

/* Release the n strings of urls and set *n to 0.  Can't fail. */
static void
urls_free(char **urls, size_t *n)
{
	size_t i;

	for (i = 0; i < *n; i++) {
		free(urls[i]);
		urls[i] = NULL;
	}
	*n = 0;
}

/*
 * Append origin, middle, the path_len bytes of path and last, as a new
 * malloc'd string, to urls (*n entries so far).  Returns 0, 1 when the
 * URL would be longer than MCPAUTH_URL_MAX, or -1 when memory is
 * exhausted.
 */
static int
url_add(char **urls, size_t *n, const char *origin, const char *middle,
    const char *path, size_t path_len, const char *last)
{
	size_t o = strlen(origin), m = strlen(middle), l = strlen(last);
	char *url;

	if (o + m + path_len + l > MCPAUTH_URL_MAX)
		return 1;
	if ((url = malloc(o + m + path_len + l + 1)) == NULL)
		return -1;
	memcpy(url, origin, o);
	memcpy(url + o, middle, m);
	memcpy(url + o + m, path, path_len);
	memcpy(url + o + m + path_len, last, l + 1);
	urls[(*n)++] = url;
	return 0;
}

/* Set err for an MCP server URL this module cannot use.  Returns -1. */
static int
bad_mcp_url(struct error *err)
{
	error_set(err, ERR_BAD_REQUEST, "The MCP server URL is not an http or"
	    " https URL drio can use.");
	error_hint(err, "Give the server's endpoint, e.g."
	    " https://mcp.example.com/mcp: at most %d bytes, no user name or"
	    " password, no \".\" or \"..\" path segments.", MCPAUTH_URL_MAX);
	return -1;
}

/* Set err for an issuer this module cannot use.  Returns -1. */
static int
bad_issuer(struct error *err)
{
	return error_set(err, ERR_UPSTREAM_UNAVAILABLE, "The MCP server names"
	    " an authorization server whose issuer is not an http or https"
	    " URL without query and fragment (RFC 8414 2).");
}

int
mcpauth_prm_urls(const char *mcp_url, char *urls[2], size_t *n,
    struct error *err)
{
	char origin[MCPAUTH_URL_MAX + 1];
	struct url u;
	size_t path_len;
	int r = 0;

	urls[0] = urls[1] = NULL;
	*n = 0;
	if (url_split(mcp_url, &u) != 0 ||
	    url_origin(&u, origin, sizeof(origin)) != 0)
		return bad_mcp_url(err);
	path_len = path_trimmed(&u);
	if (path_len > 0)
		r = url_add(urls, n, origin, WELL_KNOWN_PRM, u.path, path_len,
		    "");
	if (r == 0)
		r = url_add(urls, n, origin, WELL_KNOWN_PRM, "", 0, "");
	if (r == 0)
		return 0;
	urls_free(urls, n);
	if (r > 0)
		return bad_mcp_url(err);
	return error_set(err, ERR_INTERNAL, "out of memory");
}

int
mcpauth_as_urls(const char *issuer, char *urls[3], size_t *n,
    struct error *err)
{
	char origin[MCPAUTH_URL_MAX + 1];
	struct url u;
	size_t path_len;
	int r;

	urls[0] = urls[1] = urls[2] = NULL;
	*n = 0;
	if (url_split(issuer, &u) != 0 || u.has_query || u.has_fragment ||
	    url_origin(&u, origin, sizeof(origin)) != 0)
		return bad_issuer(err);
	path_len = path_trimmed(&u);
	if (path_len > 0) {
		if ((r = url_add(urls, n, origin, WELL_KNOWN_AS, u.path,
		    path_len, "")) == 0 &&
		    (r = url_add(urls, n, origin, WELL_KNOWN_OIDC, u.path,
		    path_len, "")) == 0)
			r = url_add(urls, n, origin, "", u.path, path_len,
			    WELL_KNOWN_OIDC);
	} else {
		if ((r = url_add(urls, n, origin, WELL_KNOWN_AS, "", 0,
		    "")) == 0)
			r = url_add(urls, n, origin, WELL_KNOWN_OIDC, "", 0, "");
	}
	if (r == 0)
		return 0;
	urls_free(urls, n);
	if (r > 0)
		return bad_issuer(err);
	return error_set(err, ERR_INTERNAL, "out of memory");
}

/* ---------------------------------------------------------------- */
/* The challenge (RFC 7235 2.1 and 4.1, RFC 6750 3)                  */

/* Is c a tchar (RFC 7230 3.2.6)?  Can't fail. */
static bool
tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') ||
	    (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* The length of the token at p.  Can't fail. */
static size_t
token_len(const char *p)
{
	size_t n = 0;

	while (tchar((unsigned char)p[n]))
		n++;
	return n;
}

/*
 * The length of the token68 at p: 1*( ALPHA / DIGIT / "-" / "." / "_" /
 * "~" / "+" / "/" ) *"=".  Can't fail.
 */
static size_t
token68_len(const char *p)
{
	size_t n = 0;

	while ((p[n] >= 'a' && p[n] <= 'z') || (p[n] >= 'A' && p[n] <= 'Z') ||
	    (p[n] >= '0' && p[n] <= '9') ||
	    (p[n] != '\0' && strchr("-._~+/", p[n]) != NULL))
		n++;
	if (n == 0)
		return 0;
	while (p[n] == '=')
		n++;
	return n;
}

/* Skip blanks (SP, HTAB).  Can't fail. */
static const char *
skip_blanks(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* Skip blanks and commas: empty list elements (RFC 7230 7).  Can't fail. */
static const char *
skip_separators(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == ',')
		p++;
	return p;
}

/*
 * Read the auth-param value at p, a token or a quoted-string, and copy
 * it, quoted-pairs undone, into out (size bytes) unless out is NULL;
 * clear *fits when it does not fit.  Returns the position after the
 * value, or NULL when there is no value or the quoted-string is
 * malformed (unterminated, or holding a control character).
 */
static const char *
param_value(const char *p, char *out, size_t size, bool *fits)
{
	unsigned char c;
	size_t n = 0;

	if (*p != '"') {
		if ((n = token_len(p)) == 0)
			return NULL;
		if (out != NULL && n >= size)
			*fits = false;
		else if (out != NULL) {
			memcpy(out, p, n);
			out[n] = '\0';
		}
		return p + n;
	}
	for (p++; *p != '"'; p++) {
		c = (unsigned char)*p;
		if (c == '\\')
			c = (unsigned char)*++p;
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return NULL;       /* a control, or the end: malformed */
		if (out != NULL && n + 1 >= size)
			*fits = false;
		else if (out != NULL)
			out[n++] = (char)c;
	}
	if (out != NULL && *fits)
		out[n] = '\0';
	return p + 1;
}

int
mcpauth_challenge_parse(const char *www_authenticate,
    char *resource_metadata, size_t rm_size, char *scope, size_t scope_size)
{
	const char *p, *q;
	char *dest;
	size_t len, dest_size;
	bool bearer_seen = false, in_bearer, first, fits = true;
	bool rm_seen = false, scope_seen = false;

	if (rm_size == 0 || scope_size == 0)
		return -1;
	resource_metadata[0] = scope[0] = '\0';
	if (www_authenticate == NULL)
		return -1;
	p = skip_separators(www_authenticate);
	while (*p != '\0') {
		/* A challenge: its scheme, ... */
		if ((len = token_len(p)) == 0)
			goto malformed;
		in_bearer = !bearer_seen && len == 6 &&
		    strncasecmp(p, "Bearer", 6) == 0;
		bearer_seen = bearer_seen || in_bearer;
		p += len;
		if (*p != ' ' && *p != '\t' && *p != ',' && *p != '\0')
			goto malformed;
		p = skip_blanks(p);
		if (*p == ',' || *p == '\0') {
			p = skip_separators(p);
			continue;
		}
		/* ... then a token68, ... */
		len = token68_len(p);
		q = skip_blanks(p + len);
		if (len > 0 && (*q == ',' || *q == '\0')) {
			p = skip_separators(q);
			continue;
		}
		/* ... or parameters, up to the end or the next challenge. */
		for (first = true;; first = false) {
			len = token_len(p);
			q = skip_blanks(p + len);
			if (len == 0 || *q != '=') {
				if (first)
					goto malformed;
				break;     /* p starts the next challenge */
			}
			dest = NULL;
			dest_size = 0;
			if (in_bearer && len == 17 &&
			    strncasecmp(p, "resource_metadata", 17) == 0) {
				if (rm_seen)
					goto malformed;
				rm_seen = true;
				dest = resource_metadata;
				dest_size = rm_size;
			} else if (in_bearer && len == 5 &&
			    strncasecmp(p, "scope", 5) == 0) {
				if (scope_seen)
					goto malformed;
				scope_seen = true;
				dest = scope;
				dest_size = scope_size;
			}
			q = skip_blanks(q + 1);
			if ((p = param_value(q, dest, dest_size, &fits)) == NULL)
				goto malformed;
			p = skip_blanks(p);
			if (*p == '\0')
				break;
			if (*p != ',')
				goto malformed;
			if (*(p = skip_separators(p)) == '\0')
				break;
		}
	}
	if (!fits || !bearer_seen)
		goto malformed;
	return 0;
malformed:
	resource_metadata[0] = scope[0] = '\0';
	return -1;
}

/* ---------------------------------------------------------------- */
/* Reading answers                                                  */

/*
 * Parse len bytes of body as one JSON object, at most
 * MCPAUTH_JSON_DEPTH deep, with nothing but blanks after it.  Returns a
 * new object, or NULL when body is not that (or memory is exhausted).
 */
static json_object *
parse_object(const char *body, size_t len)
{
	json_object *value = json_parse_exact(body, len, MCPAUTH_JSON_DEPTH);

	if (value != NULL && !json_object_is_type(value, json_type_object)) {
		json_object_put(value);
		value = NULL;
	}
	return value;
}

/*
 * Is value a JSON string without NUL bytes?  Then *s is its text
 * (borrowed from value).  Can't fail.
 */
static bool
string_value(json_object *value, const char **s)
{
	*s = NULL;
	if (value == NULL || !json_object_is_type(value, json_type_string) ||
	    strlen(json_object_get_string(value)) !=
	    (size_t)json_object_get_string_len(value))
		return false;
	*s = json_object_get_string(value);
	return true;
}

/*
 * Member key of obj: 0 when absent or null, 1 with *s (borrowed) when a
 * string without NUL bytes, -1 when anything else.  Can't fail.
 */
static int
member_string(json_object *obj, const char *key, const char **s)
{
	json_object *value;

	*s = NULL;
	if (!json_object_object_get_ex(obj, key, &value) || value == NULL)
		return 0;
	return string_value(value, s) ? 1 : -1;
}

/* Does the JSON array list hold the string s?  Can't fail. */
static bool
array_has_string(json_object *list, const char *s)
{
	const char *item;
	size_t i;

	if (list == NULL || !json_object_is_type(list, json_type_array))
		return false;
	for (i = 0; i < json_object_array_length(list); i++)
		if (string_value(json_object_array_get_idx(list, i), &item) &&
		    strcmp(item, s) == 0)
			return true;
	return false;
}

/* Is c a scope-token character (RFC 6749 3.3)?  Can't fail. */
static bool
scope_char(unsigned char c)
{
	return c == 0x21 || (c >= 0x23 && c <= 0x5b) ||
	    (c >= 0x5d && c <= 0x7e);
}

/* Is s a scope-token (RFC 6749 3.3)?  Can't fail. */
static bool
scope_token(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (!scope_char((unsigned char)s[i]))
			return false;
	return i > 0;
}

/*
 * Is s a usable scope list: scope-tokens and blanks, at least one token,
 * at most MCPAUTH_SCOPE_MAX bytes?  Can't fail.
 */
static bool
scope_list(const char *s)
{
	bool token = false;
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		if (i >= MCPAUTH_SCOPE_MAX)
			return false;
		if (scope_char((unsigned char)s[i]))
			token = true;
		else if (s[i] != ' ')
			return false;
	}
	return token;
}

/* Is s an endpoint URL: http or https, no fragment?  Can't fail. */
static bool
endpoint_url(const char *s)
{
	struct url u;

	return url_split(s, &u) == 0 && !u.has_fragment;
}

/*
 * Is seen the issuer expected, byte for byte but for one trailing "/"
 * more or less?  Can't fail.
 */
static bool
issuer_matches(const char *expected, const char *seen)
{
	size_t a = strlen(expected), b = strlen(seen);

	if (a == b)
		return memcmp(expected, seen, a) == 0;
	if (a == b + 1)
		return expected[b] == '/' && memcmp(expected, seen, b) == 0;
	if (b == a + 1)
		return seen[a] == '/' && memcmp(expected, seen, a) == 0;
	return false;
}

/* Set err: the protected resource metadata breaks a rule.  Returns -1. */
static int
prm_refused(struct error *err, const char *why)
{
	error_set(err, ERR_UPSTREAM_UNAVAILABLE, "The MCP server's protected"
	    " resource metadata %s.", why);
	return -1;
}

/* Set err: the authorization server's metadata breaks a rule.  Returns -1. */
static int
as_refused(struct error *err, const char *why)
{
	error_set(err, ERR_UPSTREAM_UNAVAILABLE, "The authorization server's"
	    " metadata %s.", why);
	return -1;
}

int
mcpauth_prm_parse(const char *body, size_t len, const char *mcp_url,
    char **resource, char **authorization_server, char **scopes,
    struct error *err)
{
	char joined[MCPAUTH_SCOPE_MAX + 1];
	struct url mcp, res, as;
	json_object *prm = NULL, *list;
	const char *s, *first = NULL, *res_text;
	size_t i, n, used = 0, slen;
	int rc = -1;

	*resource = *authorization_server = *scopes = NULL;
	if (url_split(mcp_url, &mcp) != 0)
		return bad_mcp_url(err);
	if ((prm = parse_object(body, len)) == NULL) {
		prm_refused(err, "is not a JSON object");
		goto out;
	}
	if (member_string(prm, "resource", &res_text) != 1) {
		prm_refused(err, "has no resource string");
		goto out;
	}
	if (url_split(res_text, &res) != 0 || res.has_fragment) {
		prm_refused(err, "names a resource that is not an http or https"
		    " URL without a fragment");
		goto out;
	}
	if (!same_origin(&res, &mcp) || !path_covers(&res, &mcp)) {
		prm_refused(err, "is for another resource than the MCP server"
		    " URL (RFC 9728 3.3)");
		error_hint(err, "Its resource must have the MCP server URL's"
		    " scheme, host and port, and its path must be the URL's or"
		    " lead to it; otherwise the metadata could be another"
		    " server's.");
		goto out;
	}

	list = json_get_array(prm, "authorization_servers");
	n = list != NULL ? json_object_array_length(list) : 0;
	if (n == 0) {
		prm_refused(err, "names no authorization server"
		    " (authorization_servers)");
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (!string_value(json_object_array_get_idx(list, i), &s) ||
		    url_split(s, &as) != 0 || as.has_query ||
		    as.has_fragment) {
			prm_refused(err, "lists an authorization server that is"
			    " not an http or https URL without query and"
			    " fragment");
			goto out;
		}
		if (i == 0)
			first = s;
	}

	joined[0] = '\0';
	if (json_object_object_get_ex(prm, "scopes_supported", &list) &&
	    list != NULL) {
		if (!json_object_is_type(list, json_type_array)) {
			prm_refused(err, "has a scopes_supported that is not an"
			    " array");
			goto out;
		}
		for (i = 0; i < json_object_array_length(list); i++) {
			if (!string_value(json_object_array_get_idx(list, i),
			    &s) || !scope_token(s)) {
				prm_refused(err, "lists a scope that is not a"
				    " scope token (RFC 6749 3.3)");
				goto out;
			}
			slen = strlen(s);
			if (used + (used > 0) + slen > MCPAUTH_SCOPE_MAX) {
				error_set(err, ERR_UPSTREAM_UNAVAILABLE, "The"
				    " MCP server's protected resource metadata"
				    " lists more scopes than drio asks for (%d"
				    " bytes).", MCPAUTH_SCOPE_MAX);
				goto out;
			}
			if (used > 0)
				joined[used++] = ' ';
			memcpy(joined + used, s, slen + 1);
			used += slen;
		}
	}

	if ((*resource = strdup(res_text)) == NULL ||
	    (*authorization_server = strdup(first)) == NULL ||
	    (used > 0 && (*scopes = strdup(joined)) == NULL)) {
		error_set(err, ERR_INTERNAL, "out of memory");
		goto out;
	}
	rc = 0;
out:
	if (rc != 0) {
		free(*resource);
		free(*authorization_server);
		free(*scopes);
		*resource = *authorization_server = *scopes = NULL;
	}
	json_object_put(prm);
	return rc;
}

/* Free and clear the members of out that mcpauth_as_parse() sets. */
static void
as_members_free(struct mcpauth_server *out)
{
	free(out->issuer);
	free(out->authorization_endpoint);
	free(out->token_endpoint);
	free(out->registration_endpoint);
	out->issuer = out->authorization_endpoint = out->token_endpoint =
	    out->registration_endpoint = NULL;
}

int
mcpauth_as_parse(const char *body, size_t len, const char *issuer,
    struct mcpauth_server *out, struct error *err)
{
	json_object *md = NULL, *list;
	const char *seen, *authorize, *token, *registration;
	int rc = -1, r;

	as_members_free(out);
	if ((md = parse_object(body, len)) == NULL) {
		as_refused(err, "is not a JSON object");
		goto out;
	}
	if (member_string(md, "issuer", &seen) != 1 || issuer == NULL ||
	    !issuer_matches(issuer, seen)) {
		as_refused(err, "names another issuer than the one the MCP"
		    " server named (RFC 8414 3.3)");
		goto out;
	}
	if (member_string(md, "authorization_endpoint", &authorize) != 1 ||
	    !endpoint_url(authorize)) {
		as_refused(err, "has no authorization_endpoint that is an http"
		    " or https URL");
		goto out;
	}
	if (member_string(md, "token_endpoint", &token) != 1 ||
	    !endpoint_url(token)) {
		as_refused(err, "has no token_endpoint that is an http or https"
		    " URL");
		goto out;
	}
	r = member_string(md, "registration_endpoint", &registration);
	if (r < 0 || (r == 1 && !endpoint_url(registration))) {
		as_refused(err, "has a registration_endpoint that is not an"
		    " http or https URL");
		goto out;
	}
	if (!array_has_string(json_get_array(md,
	    "code_challenge_methods_supported"), "S256")) {
		error_set(err, ERR_UPSTREAM_UNAVAILABLE, "The authorization"
		    " server does not support PKCE with S256.");
		error_hint(err, "The MCP specification requires it: the"
		    " server's metadata must list S256 in"
		    " code_challenge_methods_supported.");
		goto out;
	}
	if (json_object_object_get_ex(md, "response_types_supported",
	    &list) && list != NULL && !array_has_string(list, "code")) {
		error_set(err, ERR_UPSTREAM_UNAVAILABLE, "The authorization"
		    " server does not support the authorization code flow"
		    " (response type code).");
		goto out;
	}
	if ((out->issuer = strdup(seen)) == NULL ||
	    (out->authorization_endpoint = strdup(authorize)) == NULL ||
	    (out->token_endpoint = strdup(token)) == NULL ||
	    (registration != NULL &&
	    (out->registration_endpoint = strdup(registration)) == NULL)) {
		error_set(err, ERR_INTERNAL, "out of memory");
		goto out;
	}
	rc = 0;
out:
	if (rc != 0)
		as_members_free(out);
	json_object_put(md);
	return rc;
}

int
mcpauth_registration_body(const char *redirect_uri, const char *client_name,
    const char *scope, char **body, struct error *err)
{
	json_object *request = NULL, *list;

	*body = NULL;
	if (redirect_uri == NULL || client_name == NULL)
		return error_set(err, ERR_INTERNAL, "a client registration"
		    " needs a redirect URI and a client name");
	if ((request = json_object_new_object()) == NULL)
		goto out;
	json_put_string(request, "client_name", client_name);
	list = json_object_new_array();
	json_object_array_add(list, json_object_new_string(redirect_uri));
	json_object_object_add(request, "redirect_uris", list);
	list = json_object_new_array();
	json_object_array_add(list,
	    json_object_new_string("authorization_code"));
	json_object_array_add(list, json_object_new_string("refresh_token"));
	json_object_object_add(request, "grant_types", list);
	list = json_object_new_array();
	json_object_array_add(list, json_object_new_string("code"));
	json_object_object_add(request, "response_types", list);
	json_put_string(request, "token_endpoint_auth_method", "none");
	if (scope != NULL)
		json_put_string(request, "scope", scope);
	*body = strdup(json_object_to_json_string_ext(request,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
out:
	json_object_put(request);
	if (*body == NULL)
		return error_set(err, ERR_INTERNAL, "out of memory");
	return 0;
}

/*
 * Is s 1 to max printable ASCII characters (VSCHAR, %x20-7E, as RFC
 * 6749 A.1 and A.2 allow in a client_id and client_secret)?  Can't fail.
 */
static bool
vschars(const char *s, size_t max)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (i >= max || (unsigned char)s[i] < 0x20 ||
		    (unsigned char)s[i] > 0x7e)
			return false;
	return i > 0;
}

/*
 * Set err from an RFC 7591 3.2.2 error answer, naming its sanitised
 * error string and description.  Returns -1.
 */
static int
registration_error(json_object *answer, struct error *err)
{
	char name[ERROR_NAME_MAX + 1];
	char description[OAUTHCLIENT_DESCRIPTION_MAX + 1];

	sanitise_text(json_get_string(answer, "error"), NULL, ERROR_NAME_MAX,
	    name, sizeof(name));
	sanitise_text(json_get_string(answer, "error_description"), NULL,
	    OAUTHCLIENT_DESCRIPTION_MAX, description, sizeof(description));
	if (description[0] != '\0')
		error_set(err, ERR_UPSTREAM_UNAVAILABLE, "The authorization"
		    " server refused to register drio: %s (%s).", name,
		    description);
	else
		error_set(err, ERR_UPSTREAM_UNAVAILABLE, "The authorization"
		    " server refused to register drio: %s.", name);
	error_hint(err, "The MCP server's authorization server must let"
	    " drio register as a public client with its redirect URI.");
	return -1;
}

int
mcpauth_registration_parse(long status, const char *body, size_t len,
    struct mcpauth_client *out, struct error *err)
{
	json_object *answer;
	const char *error_name, *id, *secret;
	int rc = -1, r;

	memset(out, 0, sizeof(*out));
	if ((answer = parse_object(body, len)) == NULL)
		goto malformed;
	r = member_string(answer, "error", &error_name);
	if (r == 1 && error_name[0] != '\0') {
		registration_error(answer, err);
		goto out;
	}
	if (r != 0 || (status != 201 && status != 200) ||
	    member_string(answer, "client_id", &id) != 1 ||
	    !vschars(id, MCPAUTH_CLIENT_ID_MAX))
		goto malformed;
	r = member_string(answer, "client_secret", &secret);
	if (r < 0 || (r == 1 && secret[0] != '\0' &&
	    !vschars(secret, MCPAUTH_CLIENT_SECRET_MAX)))
		goto malformed;
	if ((out->client_id = strdup(id)) == NULL ||
	    (r == 1 && secret[0] != '\0' &&
	    (out->client_secret = strdup(secret)) == NULL)) {
		error_set(err, ERR_INTERNAL, "out of memory");
		goto out;
	}
	rc = 0;
	goto out;
malformed:
	error_set(err, ERR_UPSTREAM_UNAVAILABLE, "The authorization server"
	    " answered the client registration with status %ld and no usable"
	    " client.", status);
out:
	if (rc != 0)
		mcpauth_client_free(out);
	json_object_put(answer);
	return rc;
}

void
mcpauth_server_free(struct mcpauth_server *server)
{
	if (server == NULL)
		return;
	as_members_free(server);
	free(server->resource);
	free(server->scope);
	memset(server, 0, sizeof(*server));
}

void
mcpauth_client_free(struct mcpauth_client *client)
{
	if (client == NULL)
		return;
	if (client->client_secret != NULL) {
		OPENSSL_cleanse(client->client_secret,
		    strlen(client->client_secret));
		free(client->client_secret);
	}
	free(client->client_id);
	memset(client, 0, sizeof(*client));
}

/* ---------------------------------------------------------------- */
/* Talking to the servers                                            */

/*
 * Copy policy into small with the answer's size capped at
 * MCPAUTH_ANSWER_MAX.  Can't fail.
 */
static void
small_policy(const struct outbound_policy *policy,
    struct outbound_policy *small)
{
	*small = *policy;
	if (small->max_bytes > MCPAUTH_ANSWER_MAX)
		small->max_bytes = MCPAUTH_ANSWER_MAX;
}

/*
 * The origin of url (scheme://host[:port]) into buf for a log line: the
 * path and query of a URL may carry a secret.  "?" when url is not one
 * this module reads.  Can't fail.
 */
static void
loggable_origin(const char *url, char *buf, size_t size)
{
	struct url u;

	if (url_split(url, &u) != 0 || url_origin(&u, buf, size) != 0)
		snprintf(buf, size, "?");
}

/* The length of url without its query and fragment.  Can't fail. */
static int
loggable_len(const char *url)
{
	return (int)strcspn(url, "?#");
}

/* The initialize request's params.  Returns a new object or NULL. */
static json_object *
initialize_params(void)
{
	json_object *params, *info;

	if ((params = json_object_new_object()) == NULL)
		return NULL;
	json_object_object_add(params, "protocolVersion",
	    json_object_new_string(MCPCLIENT_PROTOCOL_VERSION));
	json_object_object_add(params, "capabilities",
	    json_object_new_object());
	info = json_object_new_object();
	json_object_object_add(info, "name", json_object_new_string("drio"));
	json_object_object_add(info, "version",
	    json_object_new_string(DRIO_VERSION));
	json_object_object_add(params, "clientInfo", info);
	return params;
}

/*
 * Read the Bearer challenges of res's WWW-Authenticate headers: the
 * first challenge with a resource_metadata gives rm, and its scope, or
 * else the first Bearer challenge's scope, gives scope ("" when none).
 * Returns 0, or -1 and err (ERR_INTERNAL).
 */
static int
read_challenges(const struct outbound_response *res,
    char rm[MCPAUTH_URL_MAX + 1], char scope[MCPAUTH_SCOPE_MAX + 1],
    struct error *err)
{
	static const char name[] = "WWW-Authenticate:";
	char line_rm[MCPAUTH_URL_MAX + 1], line_scope[MCPAUTH_SCOPE_MAX + 1];
	const char *line, *end;
	char *value;
	size_t len;

	rm[0] = scope[0] = '\0';
	for (line = res->headers; line != NULL && *line != '\0'; line = end) {
		end = strchr(line, '\n');
		end = end != NULL ? end + 1 : line + strlen(line);
		len = (size_t)(end - line);
		if (len <= sizeof(name) - 1 ||
		    strncasecmp(line, name, sizeof(name) - 1) != 0)
			continue;
		len -= sizeof(name) - 1;
		if ((value = strndup(line + sizeof(name) - 1, len)) == NULL)
			return error_set(err, ERR_INTERNAL, "out of memory");
		while (len > 0 && (value[len - 1] == '\r' ||
		    value[len - 1] == '\n' || value[len - 1] == ' ' ||
		    value[len - 1] == '\t'))
			value[--len] = '\0';
		if (mcpauth_challenge_parse(value, line_rm, sizeof(line_rm),
		    line_scope, sizeof(line_scope)) == 0) {
			if (line_scope[0] != '\0' &&
			    (scope[0] == '\0' || line_rm[0] != '\0'))
				memcpy(scope, line_scope,
				    strlen(line_scope) + 1);
			if (line_rm[0] != '\0') {
				memcpy(rm, line_rm, strlen(line_rm) + 1);
				free(value);
				break;
			}
		}
		free(value);
	}
	return 0;
}

/*
 * Step 1 of discovery: POST an initialize request to mcp_url under
 * policy without credentials and, when the answer is a 401, read its
 * challenges into rm and scope (see read_challenges).  An answer over
 * the size cap counts as one without a challenge.  Returns 0, or -1 and
 * err (outbound_request()'s other errors; ERR_INTERNAL).
 */
static int
probe(const struct outbound_policy *policy, const char *mcp_url,
    char rm[MCPAUTH_URL_MAX + 1], char scope[MCPAUTH_SCOPE_MAX + 1],
    struct error *err)
{
	static const char *const headers[] = {
		"Content-Type: application/json",
		"Accept: application/json, text/event-stream",
		NULL
	};
	struct outbound_response res = { 0 };
	json_object *params;
	char *body = NULL;
	int rc = -1;

	rm[0] = scope[0] = '\0';
	if ((params = initialize_params()) == NULL) {
		error_set(err, ERR_INTERNAL, "out of memory");
		goto out;
	}
	if ((body = mcpclient_frame(1, "initialize", params, err)) == NULL)
		goto out;
	if (outbound_request(policy, "POST", mcp_url, headers, body,
	    strlen(body), &res, err) != 0) {
		if (err->code == ERR_UPSTREAM_TOO_LARGE) {
			error_clear(err);
			rc = 0;
		}
		goto out;
	}
	rc = res.status == 401 ? read_challenges(&res, rm, scope, err) : 0;
out:
	json_object_put(params);
	free(body);
	outbound_response_free(&res);
	return rc;
}

/*
 * GET url under policy, asking for JSON, into res (release with
 * outbound_response_free, also on failure).  Returns 0 whatever the
 * status, or -1 and err (outbound_request()'s).
 */
static int
get_json(const struct outbound_policy *policy, const char *url,
    struct outbound_response *res, struct error *err)
{
	static const char *const headers[] = {
		"Accept: application/json",
		NULL
	};

	outbound_response_free(res);
	return outbound_request(policy, "GET", url, headers, NULL, 0, res,
	    err);
}

/*
 * GET each of the n urls in turn under policy until one answers 200,
 * moving on after a 4xx.  Returns the index of the URL that answered
 * 200, its answer in res; or n when all answered a 4xx; or -1 and err:
 * outbound_request()'s errors, or ERR_UPSTREAM_UNAVAILABLE naming what
 * (e.g. "The authorization server's metadata URL") and the status when
 * one answered anything else.
 */
static long
first_answer(const struct outbound_policy *policy, char *const *urls,
    size_t n, const char *what, struct outbound_response *res,
    struct error *err)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (get_json(policy, urls[i], res, err) != 0)
			return -1;
		if (res->status == 200)
			break;
		if (res->status < 400 || res->status > 499)
			return error_set(err, ERR_UPSTREAM_UNAVAILABLE, "%s"
			    " answered HTTP %ld.", what, res->status);
	}
	return (long)i;
}

int
mcpauth_discover(const struct outbound_policy *policy, const char *mcp_url,
    struct mcpauth_server *out, struct error *err)
{
	struct outbound_policy small;
	struct outbound_response res = { 0 };
	struct url u;
	char rm[MCPAUTH_URL_MAX + 1], scope[MCPAUTH_SCOPE_MAX + 1];
	char mcp_origin[MCPAUTH_URL_MAX + 1], prm_origin[MCPAUTH_URL_MAX + 1];
	char *urls[3] = { NULL, NULL, NULL };
	char *authorization_server = NULL, *prm_scopes = NULL;
	const char *prm_how;
	size_t n = 0;
	long found;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	small_policy(policy, &small);
	if (mcpauth_prm_urls(mcp_url, urls, &n, err) != 0)
		return -1;
	if (probe(policy, mcp_url, rm, scope, err) != 0)
		goto out;

	/* The protected resource metadata: where the challenge says, ... */
	if (rm[0] != '\0') {
		if (url_split(rm, &u) != 0 || u.has_fragment) {
			error_set(err, ERR_UPSTREAM_UNAVAILABLE, "The MCP"
			    " server's challenge names its resource metadata"
			    " at a URL drio cannot use.");
			goto out;
		}
		if (get_json(&small, rm, &res, err) != 0)
			goto out;
		if (res.status != 200) {
			error_set(err, ERR_UPSTREAM_UNAVAILABLE, "The MCP"
			    " server's resource metadata URL (from its"
			    " challenge) answered HTTP %ld.", res.status);
			goto out;
		}
		loggable_origin(rm, prm_origin, sizeof(prm_origin));
		prm_how = "named by the server's challenge";
	} else {
		/* ... or else at the well-known URLs. */
		if ((found = first_answer(&small, urls, n, "The MCP server's"
		    " resource metadata URL", &res, err)) < 0)
			goto out;
		if ((size_t)found == n) {
			error_set(err, ERR_UPSTREAM_UNAVAILABLE, "The MCP server"
			    " publishes no protected resource metadata (RFC"
			    " 9728).");
			error_hint(err, "drio cannot find out where to"
			    " authorize: check that the URL is the MCP"
			    " server's endpoint and that the server supports"
			    " OAuth.");
			goto out;
		}
		loggable_origin(urls[found], prm_origin, sizeof(prm_origin));
		prm_how = (size_t)found + 1 < n ? "the path-aware well-known URL"
		    : "the root well-known URL";
	}
	if (mcpauth_prm_parse(res.body, res.len, mcp_url, &out->resource,
	    &authorization_server, &prm_scopes, err) != 0)
		goto out;

	/* The authorization server's metadata. */
	urls_free(urls, &n);
	if (mcpauth_as_urls(authorization_server, urls, &n, err) != 0)
		goto out;
	if ((found = first_answer(&small, urls, n, "The authorization"
	    " server's metadata URL", &res, err)) < 0)
		goto out;
	if ((size_t)found == n) {
		error_set(err, ERR_UPSTREAM_UNAVAILABLE, "The authorization"
		    " server publishes no metadata (RFC 8414).");
		error_hint(err, "Neither its OAuth nor its OpenID Connect"
		    " well-known URL answered.");
		goto out;
	}
	if (mcpauth_as_parse(res.body, res.len, authorization_server, out,
	    err) != 0)
		goto out;

	/* The scope: the challenge's, else the metadata's. */
	if (scope[0] != '\0' && !scope_list(scope)) {
		log_warn("mcp_oauth: ignoring the challenge's malformed scope");
		scope[0] = '\0';
	}
	if (scope[0] != '\0') {
		if ((out->scope = strdup(scope)) == NULL) {
			error_set(err, ERR_INTERNAL, "out of memory");
			goto out;
		}
	} else {
		out->scope = prm_scopes;
		prm_scopes = NULL;
	}

	loggable_origin(mcp_url, mcp_origin, sizeof(mcp_origin));
	log_info("mcp_oauth: discovered for %s: resource metadata from %s"
	    " (%s), authorization server %.*s, authorization endpoint %.*s,"
	    " token endpoint %.*s, registration endpoint %.*s", mcp_origin,
	    prm_origin, prm_how, loggable_len(out->issuer), out->issuer,
	    loggable_len(out->authorization_endpoint),
	    out->authorization_endpoint, loggable_len(out->token_endpoint),
	    out->token_endpoint,
	    out->registration_endpoint != NULL ?
	    loggable_len(out->registration_endpoint) : 4,
	    out->registration_endpoint != NULL ?
	    out->registration_endpoint : "none");
	rc = 0;
out:
	if (rc != 0)
		mcpauth_server_free(out);
	urls_free(urls, &n);
	free(authorization_server);
	free(prm_scopes);
	outbound_response_free(&res);
	return rc;
}

int
mcpauth_register(const struct outbound_policy *policy,
    const struct mcpauth_server *server, const char *redirect_uri,
    const char *client_name, struct mcpauth_client *out, struct error *err)
{
	static const char *const headers[] = {
		"Content-Type: application/json",
		"Accept: application/json",
		NULL
	};
	struct outbound_policy small;
	struct outbound_response res = { 0 };
	char *body = NULL;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (server->registration_endpoint == NULL) {
		error_set(err, ERR_UPSTREAM_UNAVAILABLE, "The authorization"
		    " server does not offer dynamic client registration (RFC"
		    " 7591).");
		error_hint(err, "drio registers itself with the MCP server's"
		    " authorization server, and this one has no registration"
		    " endpoint.");
		return -1;
	}
	small_policy(policy, &small);
	if (mcpauth_registration_body(redirect_uri, client_name,
	    server->scope, &body, err) != 0)
		goto out;
	if (outbound_request(&small, "POST", server->registration_endpoint,
	    headers, body, strlen(body), &res, err) != 0)
		goto out;
	if ((rc = mcpauth_registration_parse(res.status, res.body, res.len,
	    out, err)) == 0)
		log_info("mcp_oauth: registered as a %s client at %.*s",
		    out->client_secret != NULL ? "confidential" : "public",
		    loggable_len(server->registration_endpoint),
		    server->registration_endpoint);
out:
	if (res.body != NULL)
		OPENSSL_cleanse(res.body, res.len);
	outbound_response_free(&res);
	free(body);
	return rc;
}

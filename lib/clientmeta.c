/*
 * clientmeta.c: the rules of Client ID Metadata Documents (see
 * clientmeta.h): client_id URLs, documents and their cache lifetime.
 *
 * SPDX-License-Identifier: MIT
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clientmeta.h"
#include "jsonutil.h"
#include "outbound.h"
#include "utf8.h"

/* The grants such a client may name (fcgi/oauth.c supports these). */
static const char *const clientmeta_grants[] = { "authorization_code",
    "refresh_token", "urn:ietf:params:oauth:grant-type:device_code", NULL };

bool
clientmeta_is_url(const char *client_id)
{
	return client_id != NULL &&
	    (strncasecmp(client_id, "https://", 8) == 0 ||
	    strncasecmp(client_id, "http://", 7) == 0);
}

bool
clientmeta_content_type_ok(const char *content_type)
{
	size_t len;

	if (content_type == NULL)
		return false;
	content_type += strspn(content_type, " \t");
	len = strcspn(content_type, " \t;");
	if (len == 16 && strncasecmp(content_type, "application/json", 16) == 0)
		return true;
	/* application/<name>+json: at least one character of name. */
	return len > 17 && strncasecmp(content_type, "application/", 12) == 0 &&
	    strncasecmp(content_type + len - 5, "+json", 5) == 0 &&
	    memchr(content_type + 12, '/', len - 12) == NULL;
}

/* Is the address (family, 4 or 16 bytes) inside a network policy allows? */
static bool
clientmeta_allowed(const struct outbound_policy *policy, int family,
    const unsigned char *addr)
{
	size_t i, bits, len = family == AF_INET ? 4 : 16;

	for (i = 0; policy != NULL && i < policy->nallow; i++) {
		const struct outbound_network *net = &policy->allow[i];
		unsigned int mask;

		if (net->family != family)
			continue;
		bits = net->prefix;
		if (bits > len * 8)
			continue;
		if (memcmp(net->addr, addr, bits / 8) != 0)
			continue;
		if (bits % 8 == 0)
			return true;
		mask = (0xffu << (8 - bits % 8)) & 0xffu;
		if ((net->addr[bits / 8] & mask) == (addr[bits / 8] & mask))
			return true;
	}
	return false;
}

/* Is the segment s (len bytes) "." or "..", plainly or percent-encoded? */
static bool
clientmeta_dot_segment(const char *s, size_t len)
{
	size_t dots = 0;

	while (len > 0) {
		if (*s == '.') {
			s++;
			len--;
		} else if (len >= 3 && strncasecmp(s, "%2e", 3) == 0) {
			s += 3;
			len -= 3;
		} else
			return false;
		dots++;
	}
	return dots == 1 || dots == 2;
}

int
clientmeta_url_check(const struct outbound_policy *policy, const char *url,
    struct error *err)
{
	const char *authority, *path, *end, *host, *seg;
	char literal[INET6_ADDRSTRLEN + 1];
	unsigned char addr[16];
	size_t hostlen, len, i;
	bool https;

	len = url != NULL ? strlen(url) : 0;
	if (len == 0 || len > CLIENTMETA_URL_MAX)
		return error_set(err, ERR_OAUTH_INVALID_CLIENT,
		    "A client_id URL is at most %d characters.",
		    CLIENTMETA_URL_MAX);
	for (i = 0; i < len; i++)
		if ((unsigned char)url[i] <= ' ' || url[i] == 0x7f)
			return error_set(err, ERR_OAUTH_INVALID_CLIENT,
			    "A client_id URL has no blank or control "
			    "character.");
	https = strncasecmp(url, "https://", 8) == 0;
	if (!https && strncasecmp(url, "http://", 7) != 0)
		return error_set(err, ERR_OAUTH_INVALID_CLIENT,
		    "A client_id URL must use https.");
	if (strchr(url, '#') != NULL)
		return error_set(err, ERR_OAUTH_INVALID_CLIENT,
		    "A client_id URL has no fragment.");
	authority = url + (https ? 8 : 7);
	path = authority + strcspn(authority, "/?");
	if (memchr(authority, '@', path - authority) != NULL)
		return error_set(err, ERR_OAUTH_INVALID_CLIENT,
		    "A client_id URL has no user name or password.");
	host = authority;
	if (*host == '[') {
		end = memchr(host, ']', path - host);
		if (end == NULL)
			return error_set(err, ERR_OAUTH_INVALID_CLIENT,
			    "The client_id URL's host is malformed.");
		host++;
		hostlen = end - host;
	} else
		hostlen = strcspn(host, ":/?");
	if (hostlen == 0)
		return error_set(err, ERR_OAUTH_INVALID_CLIENT,
		    "A client_id URL names a host.");
	end = path + strcspn(path, "?");
	if (*path != '/' || end - path < 2)
		return error_set(err, ERR_OAUTH_INVALID_CLIENT,
		    "A client_id URL has a path, e.g. "
		    "https://example.com/client.json.");
	for (seg = path + 1; seg <= end; ) {
		size_t seglen = strcspn(seg, "/?");

		if (seg + seglen > end)
			seglen = end - seg;
		if (clientmeta_dot_segment(seg, seglen))
			return error_set(err, ERR_OAUTH_INVALID_CLIENT,
			    "A client_id URL's path has no \".\" or \"..\" "
			    "segment.");
		seg += seglen + 1;
	}
	if (https)
		return 0;
	/* Plain http: only to an address the operator allowed. */
	if (hostlen < sizeof(literal)) {
		memcpy(literal, host, hostlen);
		literal[hostlen] = '\0';
		if (inet_pton(AF_INET, literal, addr) == 1 &&
		    clientmeta_allowed(policy, AF_INET, addr))
			return 0;
		if (inet_pton(AF_INET6, literal, addr) == 1 &&
		    clientmeta_allowed(policy, AF_INET6, addr))
			return 0;
	}
	return error_set(err, ERR_OAUTH_INVALID_CLIENT,
	    "A client_id URL must use https.");
}

/* Is value a JSON array of 1..max non-empty strings? */
static bool
clientmeta_string_array(json_object *value, size_t max)
{
	size_t i, n;

	if (!json_object_is_type(value, json_type_array))
		return false;
	n = json_object_array_length(value);
	if (n < 1 || n > max)
		return false;
	for (i = 0; i < n; i++) {
		json_object *item = json_object_array_get_idx(value, i);

		if (!json_object_is_type(item, json_type_string) ||
		    json_object_get_string_len(item) == 0)
			return false;
	}
	return true;
}

/* Does the string array hold s? */
static bool
clientmeta_array_has(json_object *array, const char *s)
{
	size_t i;

	for (i = 0; i < json_object_array_length(array); i++)
		if (strcmp(json_object_get_string(
		    json_object_array_get_idx(array, i)), s) == 0)
			return true;
	return false;
}

int
clientmeta_document_check(const char *url, const char *text, size_t len,
    json_object **out, struct error *err)
{
	json_object *doc, *value;
	const char *name;
	size_t i, g, n;

	*out = NULL;
	doc = text != NULL ? json_parse_exact(text, len, 10) : NULL;
	if (!json_object_is_type(doc, json_type_object)) {
		json_object_put(doc);
		return error_set(err, ERR_OAUTH_INVALID_CLIENT,
		    "The client metadata document is not a JSON object.");
	}
	if (!json_object_object_get_ex(doc, "client_id", &value) ||
	    !json_object_is_type(value, json_type_string) ||
	    strcmp(json_object_get_string(value), url) != 0) {
		error_set(err, ERR_OAUTH_INVALID_CLIENT, "The client metadata "
		    "document's client_id is not the URL it was fetched from.");
		goto fail;
	}
	name = json_get_string(doc, "client_name");
	if (name == NULL || *name == '\0' ||
	    utf8_count(name, strlen(name)) > 200) {
		error_set(err, ERR_OAUTH_INVALID_CLIENT, "The client metadata "
		    "document needs a client_name of 1 to 200 characters.");
		goto fail;
	}
	if (!json_object_object_get_ex(doc, "redirect_uris", &value) ||
	    !clientmeta_string_array(value, CLIENTMETA_REDIRECT_URIS_MAX)) {
		error_set(err, ERR_OAUTH_INVALID_CLIENT, "The client metadata "
		    "document needs redirect_uris, 1 to %d URIs.",
		    CLIENTMETA_REDIRECT_URIS_MAX);
		goto fail;
	}
	n = json_object_array_length(value);
	for (i = 0; i < n; i++)
		if (strchr(json_object_get_string(
		    json_object_array_get_idx(value, i)), '#') != NULL) {
			error_set(err, ERR_OAUTH_INVALID_CLIENT, "A redirect "
			    "URI has no fragment.");
			goto fail;
		}
	if (json_object_object_get_ex(doc, "token_endpoint_auth_method",
	    &value) && (!json_object_is_type(value, json_type_string) ||
	    strcmp(json_object_get_string(value), "none") != 0)) {
		error_set(err, ERR_OAUTH_INVALID_CLIENT, "drio supports only "
		    "token_endpoint_auth_method \"none\" for clients named "
		    "by a metadata document.");
		goto fail;
	}
	if (json_object_object_get_ex(doc, "client_secret", NULL) ||
	    json_object_object_get_ex(doc, "client_secret_expires_at",
	    NULL)) {
		error_set(err, ERR_OAUTH_INVALID_CLIENT, "A client metadata "
		    "document must not carry a client_secret.");
		goto fail;
	}
	if (json_object_object_get_ex(doc, "response_types", &value) &&
	    (!clientmeta_string_array(value, 10) ||
	    !clientmeta_array_has(value, "code"))) {
		error_set(err, ERR_OAUTH_INVALID_CLIENT, "The client metadata "
		    "document's response_types must include \"code\".");
		goto fail;
	}
	if (json_object_object_get_ex(doc, "grant_types", &value)) {
		if (!clientmeta_string_array(value, 10)) {
			error_set(err, ERR_OAUTH_INVALID_CLIENT, "The client "
			    "metadata document's grant_types is not a list "
			    "of grant types.");
			goto fail;
		}
		for (i = 0; i < json_object_array_length(value); i++) {
			const char *grant = json_object_get_string(
			    json_object_array_get_idx(value, i));

			for (g = 0; clientmeta_grants[g] != NULL; g++)
				if (strcmp(clientmeta_grants[g], grant) == 0)
					break;
			if (clientmeta_grants[g] == NULL) {
				error_set(err, ERR_OAUTH_INVALID_CLIENT,
				    "The client metadata document names an "
				    "unsupported grant type.");
				goto fail;
			}
		}
	}
	*out = doc;
	return 0;
fail:
	json_object_put(doc);
	return -1;
}

/* Parse the delta-seconds after "name=" at s; -1 when malformed. */
static long
clientmeta_delta(const char *s)
{
	long v = 0;

	if (*s == '"')
		s++;
	if (!isdigit((unsigned char)*s))
		return -1;
	for (; isdigit((unsigned char)*s); s++)
		v = v > LONG_MAX / 10 - 1 ? LONG_MAX / 10 : v * 10 + (*s - '0');
	return v;
}

long
clientmeta_cache_seconds(const char *cache_control)
{
	const char *p = cache_control;
	long max_age = -1, s_maxage = -1, seconds;
	bool uncached = false;

	while (p != NULL && *p != '\0') {
		size_t len;

		p += strspn(p, " \t,");
		len = strcspn(p, ",");
		if (len >= 8 && strncasecmp(p, "no-store", 8) == 0 &&
		    (len == 8 || p[8] == ' ' || p[8] == '\t'))
			uncached = true;
		else if (len >= 8 && strncasecmp(p, "no-cache", 8) == 0)
			uncached = true;
		else if (strncasecmp(p, "max-age=", 8) == 0)
			max_age = clientmeta_delta(p + 8);
		else if (strncasecmp(p, "s-maxage=", 9) == 0)
			s_maxage = clientmeta_delta(p + 9);
		p += len;
	}
	seconds = s_maxage >= 0 ? s_maxage : max_age;
	if (uncached || seconds == 0)
		return CLIENTMETA_CACHE_MIN_SECONDS;
	if (seconds < 0)
		return CLIENTMETA_CACHE_DEFAULT_SECONDS;
	if (seconds < CLIENTMETA_CACHE_MIN_SECONDS)
		return CLIENTMETA_CACHE_MIN_SECONDS;
	if (seconds > CLIENTMETA_CACHE_MAX_SECONDS)
		return CLIENTMETA_CACHE_MAX_SECONDS;
	return seconds;
}

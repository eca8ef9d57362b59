/*
 * router.c: matching a method and path against a route table (see
 * router.h).  Tables are small (tens of routes), so a linear scan over
 * pre-split patterns is both simple and fast; nothing is allocated unless
 * a route matches.
 *
 * SPDX-License-Identifier: MIT
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "router.h"

/* Is pat a final {name*} parameter? */
static bool
is_rest(const char *pat)
{
	size_t len = strlen(pat);

	return len >= 4 && pat[0] == '{' && strcmp(pat + len - 2, "*}") == 0 &&
	    strchr(pat, '/') == NULL;
}

/*
 * Match one pattern against path.  On a match returns true and, when
 * params is not NULL, stores the parameters.  Both strings start with '/'.
 */
static bool
pattern_match(const char *pattern, const char *path, struct arena *arena,
    struct http_param *params, size_t *nparams)
{
	const char *pat = pattern, *p = path;
	size_t n = 0;

	while (*pat != '\0') {
		if (is_rest(pat)) {
			/*
			 * {name*}: the rest of the path, possibly empty; after
			 * a literal it starts a new segment, so /v2{rest*}
			 * matches /v2 and /v2/x but not /v20.
			 */
			if (pat != pattern && pat[-1] != '/' && *p != '\0' &&
			    *p != '/')
				return false;
			if (params != NULL) {
				if (n >= HTTP_MAX_PATH_PARAMS)
					return false;
				params[n].name = arena_strndup(arena, pat + 1,
				    strlen(pat) - 3);
				params[n].value = arena_strndup(arena, p,
				    strlen(p));
				if (params[n].name == NULL ||
				    params[n].value == NULL)
					return false;
			}
			n++;
			pat += strlen(pat);
			p += strlen(p);
			break;
		}
		if (*p == '\0')
			break;
		if (*pat == '{') {
			const char *close = strchr(pat, '}');
			const char *colon = memchr(pat, ':', (size_t)(close - pat));
			const char *seg_end = strchr(p, '/');
			size_t seg_len = seg_end != NULL ?
			    (size_t)(seg_end - p) : strlen(p);
			size_t name_len = (size_t)((colon != NULL ? colon :
			    close) - pat - 1);
			bool is_uuid;

			if (seg_len == 0)
				return false;
			if (colon != NULL && strncmp(colon, ":uuid}", 6) == 0) {
				char seg[40];

				if (seg_len != 36)
					return false;
				memcpy(seg, p, 36);
				seg[36] = '\0';
				if (!valid_is_uuid(seg))
					return false;
			}
			is_uuid = colon != NULL &&
			    strncmp(colon, ":uuid}", 6) == 0;
			if (params != NULL) {
				if (n >= HTTP_MAX_PATH_PARAMS)
					return false;
				params[n].name = arena_strndup(arena, pat + 1,
				    name_len);
				params[n].value = arena_strndup(arena, p,
				    seg_len);
				if (params[n].name == NULL ||
				    params[n].value == NULL)
					return false;
				/* UUIDs compare as text later: one case. */
				if (is_uuid) {
					char *v = (char *)params[n].value;

					for (; *v != '\0'; v++)
						*v = (char)tolower(
						    (unsigned char)*v);
				}
			}
			n++;
			pat = close + 1;
			p += seg_len;
		} else {
			if (*pat != *p)
				return false;
			pat++;
			p++;
		}
	}
	if (*pat != '\0' || *p != '\0')
		return false;
	if (nparams != NULL)
		*nparams = n;
	return true;
}

/* Does a route declared for route_method serve method?  HEAD is GET;
 * "*" serves every method. */
static bool
method_matches(const char *route_method, const char *method)
{
	return strcmp(route_method, method) == 0 ||
	    strcmp(route_method, "*") == 0 ||
	    (strcmp(method, "HEAD") == 0 && strcmp(route_method, "GET") == 0);
}

int
router_match(const struct route *routes, size_t nroutes,
    const char *method, const char *path, struct arena *arena,
    struct http_param *params, size_t *nparams, struct error *err)
{
	size_t i, allow_len = 0;
	bool path_known = false;
	char allow[64] = "";

	for (i = 0; i < nroutes; i++) {
		if (!method_matches(routes[i].method, method))
			continue;
		if (pattern_match(routes[i].pattern, path, NULL, NULL, NULL)) {
			if (!pattern_match(routes[i].pattern, path, arena,
			    params, nparams))
				return error_set(err, ERR_INTERNAL,
				    "out of memory");
			return (int)i;
		}
	}
	for (i = 0; i < nroutes; i++) {
		if (!pattern_match(routes[i].pattern, path, NULL, NULL, NULL))
			continue;
		path_known = true;
		if (strstr(allow, routes[i].method) == NULL)
			allow_len += (size_t)snprintf(allow + allow_len,
			    sizeof(allow) - allow_len, "%s%s",
			    allow_len > 0 ? ", " : "", routes[i].method);
		if (allow_len >= sizeof(allow))
			allow_len = sizeof(allow) - 1;
	}
	if (!path_known)
		return error_set(err, ERR_NOT_FOUND, NULL);
	if (strstr(allow, "GET") != NULL && allow_len + 6 < sizeof(allow))
		snprintf(allow + allow_len, sizeof(allow) - allow_len, ", HEAD");
	error_set(err, ERR_METHOD_NOT_ALLOWED, NULL);
	snprintf(err->allow, sizeof(err->allow), "%s", allow);
	return -1;
}

/*
 * auth.c: bearer-token verification, API-session issue, and the
 * resource indicators (RFC 8707) tokens are bound to (see auth.h).
 *
 * SPDX-License-Identifier: MIT
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "auth.h"
#include "crypto.h"
#include "db.h"

/*
 * One read per request: the session, its account, and whether
 * last_used_at is more than a minute old (only then is it written).
 */
static const struct db_statement auth_session_lookup = {
	"auth_session_lookup",
	"SELECT s.id, a.id, a.email, a.name,"
	"       s.last_used_at IS NULL"
	"         OR s.last_used_at < now() - interval '1 minute',"
	"       s.resource"
	"  FROM api_sessions s"
	"  JOIN accounts a ON a.id = s.account_id"
	" WHERE s.token_sha256 = $1"
	"   AND s.revoked_at IS NULL"
	"   AND (s.expires_at IS NULL OR s.expires_at > now())"
	"   AND a.status = 'active'"
};

static const struct db_statement auth_session_touch = {
	"auth_session_touch",
	"UPDATE api_sessions SET last_used_at = now()"
	" WHERE id = $1"
	"   AND (last_used_at IS NULL"
	"        OR last_used_at < now() - interval '1 minute')"
};

static const struct db_statement auth_session_insert = {
	"auth_session_insert",
	"INSERT INTO api_sessions"
	"       (account_id, token_sha256, prefix, client_id, device_label,"
	"        expires_at, grant_id, resource)"
	" VALUES ($1, $2, $3, $4, $5,"
	"         CASE WHEN $6::bigint > 0"
	"              THEN now() + $6::bigint * interval '1 second' END,"
	"         $7, $8)"
	" RETURNING id"
};

/* ---------------------------------------------------------------- */
/* Resource indicators                                              */

/* Is s a slug: [a-z0-9], then [a-z0-9-], not ending in '-', <= 63? */
static bool
slug_is_valid(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > AUTH_SLUG_MAX || s[0] == '-' ||
	    s[len - 1] == '-')
		return false;
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}

/* The length of public_url without its trailing slashes. */
static size_t
origin_length(const char *public_url)
{
	size_t len = strlen(public_url);

	while (len > 0 && public_url[len - 1] == '/')
		len--;
	return len;
}

/*
 * Fill out's uri and metadata_url from the origin (origin_len bytes of
 * public_url) and path ("" or "/mcp/ws/app").  Returns 0, or -1 when
 * they do not fit.
 */
static int
resource_compose(const char *public_url, size_t origin_len,
    const char *path, struct auth_resource *out)
{
	int n, m;

	if (origin_len > AUTH_RESOURCE_MAX)
		return -1;
	n = snprintf(out->uri, sizeof(out->uri), "%.*s%s", (int)origin_len,
	    public_url, path);
	m = snprintf(out->metadata_url, sizeof(out->metadata_url),
	    "%.*s" AUTH_METADATA_PATH "%s", (int)origin_len, public_url, path);
	if (n < 0 || (size_t)n >= sizeof(out->uri) || m < 0 ||
	    (size_t)m >= sizeof(out->metadata_url))
		return -1;
	return 0;
}

/* Does s begin with an RFC 3986 scheme and its ':'? */
static bool
has_scheme(const char *s)
{
	size_t i;

	if (!isalpha((unsigned char)s[0]))
		return false;
	for (i = 1; isalnum((unsigned char)s[i]) || s[i] == '+' ||
	    s[i] == '-' || s[i] == '.'; i++)
		;
	return s[i] == ':';
}

int
auth_resource_parse(const char *public_url, const char *given,
    struct auth_resource *out, struct error *err)
{
	size_t origin_len = origin_length(public_url), len, i;
	const char *rest, *ws, *app;
	char path[sizeof("/mcp//") + 2 * AUTH_SLUG_MAX];
	size_t ws_len, app_len;

	memset(out, 0, sizeof(*out));
	if (given == NULL || given[0] == '\0')
		return error_set(err, ERR_OAUTH_INVALID_TARGET,
		    "The resource is empty.");
	len = strlen(given);
	if (len > AUTH_RESOURCE_MAX)
		return error_set(err, ERR_OAUTH_INVALID_TARGET,
		    "The resource is longer than %d characters.",
		    AUTH_RESOURCE_MAX);
	for (i = 0; i < len; i++)
		if ((unsigned char)given[i] <= ' ' ||
		    (unsigned char)given[i] == 0x7f)
			return error_set(err, ERR_OAUTH_INVALID_TARGET,
			    "The resource is not a URI.");
	if (!has_scheme(given))
		return error_set(err, ERR_OAUTH_INVALID_TARGET,
		    "The resource must be an absolute URI.");
	if (strchr(given, '#') != NULL)
		return error_set(err, ERR_OAUTH_INVALID_TARGET,
		    "The resource must not include a fragment.");

	/* The origin, then nothing or a path: never a longer host or port. */
	if (origin_len == 0 || len < origin_len ||
	    strncasecmp(given, public_url, origin_len) != 0 ||
	    (given[origin_len] != '\0' && given[origin_len] != '/'))
		goto foreign;
	rest = given + origin_len;
	len -= origin_len;
	while (len > 0 && rest[len - 1] == '/')
		len--;
	if (len == 0) {
		out->kind = AUTH_RESOURCE_ORIGIN;
		if (resource_compose(public_url, origin_len, "", out) != 0)
			goto foreign;
		return 0;
	}

	/* /mcp/{workspace_slug}/{app_slug}, nothing more. */
	if (len < 5 || strncmp(rest, "/mcp/", 5) != 0)
		goto foreign;
	ws = rest + 5;
	ws_len = strcspn(ws, "/");
	if ((size_t)(ws - rest) + ws_len >= len)
		goto foreign;
	app = ws + ws_len + 1;
	app_len = len - (size_t)(app - rest);
	if (!slug_is_valid(ws, ws_len) || !slug_is_valid(app, app_len))
		goto foreign;
	out->kind = AUTH_RESOURCE_MCP;
	memcpy(out->workspace_slug, ws, ws_len);
	memcpy(out->app_slug, app, app_len);
	snprintf(path, sizeof(path), "/mcp/%s/%s", out->workspace_slug,
	    out->app_slug);
	if (resource_compose(public_url, origin_len, path, out) != 0)
		goto foreign;
	return 0;
foreign:
	memset(out, 0, sizeof(*out));
	error_set(err, ERR_OAUTH_INVALID_TARGET, "The resource is not this "
	    "server or one of its MCP endpoints.");
	error_hint(err, "Name %.*s or %.*s/mcp/{workspace}/{app}.",
	    (int)origin_len, public_url, (int)origin_len, public_url);
	return -1;
}

int
auth_resource_mcp(const char *public_url, const char *workspace_slug,
    const char *app_slug, struct auth_resource *out, struct error *err)
{
	char path[sizeof("/mcp//") + 2 * AUTH_SLUG_MAX];

	memset(out, 0, sizeof(*out));
	if (workspace_slug == NULL || app_slug == NULL ||
	    !slug_is_valid(workspace_slug, strlen(workspace_slug)) ||
	    !slug_is_valid(app_slug, strlen(app_slug)))
		return error_set(err, ERR_APP_NOT_FOUND, "No MCP endpoint "
		    "here.");
	out->kind = AUTH_RESOURCE_MCP;
	snprintf(out->workspace_slug, sizeof(out->workspace_slug), "%s",
	    workspace_slug);
	snprintf(out->app_slug, sizeof(out->app_slug), "%s", app_slug);
	snprintf(path, sizeof(path), "/mcp/%s/%s", workspace_slug, app_slug);
	if (resource_compose(public_url, origin_length(public_url), path,
	    out) != 0) {
		memset(out, 0, sizeof(*out));
		return error_set(err, ERR_APP_NOT_FOUND, "No MCP endpoint "
		    "here.");
	}
	return 0;
}

/*
 * Is a token's resource (canonical, "" for none) one drio's APIs accept:
 * none, or the origin?  The origin is the one resource without a path,
 * since public_url is an origin and every other resource has one.
 */
static bool
resource_is_api(const char *resource)
{
	const char *authority = strstr(resource, "://");

	if (resource[0] == '\0')
		return true;
	return authority != NULL && strchr(authority + 3, '/') == NULL;
}

/* ---------------------------------------------------------------- */
/* Bearer tokens                                                    */

/*
 * Verify a bearer token; resource NULL: for the APIs (resource_is_api),
 * else for exactly that resource.  Returns 0 and fills identity, or -1
 * and err (identity cleared).
 */
static int
bearer_verify(const char *authorization, const char *resource,
    struct auth_identity *identity, struct error *err)
{
	char hash[CRYPTO_SHA256_HEX_LEN + 1];
	const char *token, *params[1] = { hash };
	PGresult *res = NULL;
	int rc = -1;

	memset(identity, 0, sizeof(*identity));
	if (authorization == NULL || authorization[0] == '\0')
		return error_set(err, ERR_UNAUTHORIZED, NULL);
	if (strncasecmp(authorization, "Bearer ", 7) != 0) {
		error_set(err, ERR_UNAUTHORIZED, NULL);
		error_hint(err, "Send `Authorization: Bearer <token>`.");
		return -1;
	}
	token = authorization + 7;
	while (*token == ' ')
		token++;
	if (!crypto_token_is_well_formed(token))
		return error_set(err, ERR_INVALID_TOKEN, NULL);

	crypto_sha256_hex(token, strlen(token), hash);
	if (db_exec(&auth_session_lookup, 1, params, &res, err) != 0)
		goto out;
	if (PQntuples(res) != 1) {
		error_set(err, ERR_INVALID_TOKEN, NULL);
		goto out;
	}
	snprintf(identity->session_id, sizeof(identity->session_id), "%s",
	    PQgetvalue(res, 0, 0));
	snprintf(identity->account_id, sizeof(identity->account_id), "%s",
	    PQgetvalue(res, 0, 1));
	snprintf(identity->email, sizeof(identity->email), "%s",
	    PQgetvalue(res, 0, 2));
	snprintf(identity->name, sizeof(identity->name), "%s",
	    PQgetvalue(res, 0, 3));
	snprintf(identity->resource, sizeof(identity->resource), "%s",
	    PQgetvalue(res, 0, 5));
	if (resource == NULL ? !resource_is_api(identity->resource) :
	    strcmp(identity->resource, resource) != 0) {
		memset(identity, 0, sizeof(*identity));
		error_set(err, ERR_INVALID_TOKEN, "The bearer token was issued "
		    "for another resource.");
		if (resource != NULL)
			error_hint(err, "Ask drio's authorization server for "
			    "a token with resource=%s.", resource);
		else
			error_hint(err, "The APIs take a token issued for no "
			    "resource or for the server's own URL.");
		goto out;
	}
	if (db_bool(res, 0, 4)) {
		const char *touch[1] = { identity->session_id };

		if (db_exec(&auth_session_touch, 1, touch, NULL, err) != 0)
			goto out;
	}
	rc = 0;
out:
	PQclear(res);
	return rc;
}

int
auth_bearer_verify(const char *authorization,
    struct auth_identity *identity, struct error *err)
{
	return bearer_verify(authorization, NULL, identity, err);
}

int
auth_bearer_verify_resource(const char *authorization,
    const char *resource, struct auth_identity *identity,
    struct error *err)
{
	if (resource == NULL || resource[0] == '\0') {
		memset(identity, 0, sizeof(*identity));
		return error_set(err, ERR_INTERNAL, "no resource to verify a "
		    "token for");
	}
	return bearer_verify(authorization, resource, identity, err);
}

int
auth_session_issue(const char *account_id, const char *client_id,
    const char *device_label, long long expires_seconds,
    const char *grant_id, char *token, size_t token_size,
    char session_id[AUTH_UUID_LEN + 1], struct error *err)
{
	return auth_session_issue_for(account_id, client_id, device_label,
	    expires_seconds, grant_id, NULL, token, token_size, session_id,
	    err);
}

int
auth_session_issue_for(const char *account_id, const char *client_id,
    const char *device_label, long long expires_seconds,
    const char *grant_id, const char *resource, char *token,
    size_t token_size, char session_id[AUTH_UUID_LEN + 1],
    struct error *err)
{
	char hash[CRYPTO_SHA256_HEX_LEN + 1];
	char prefix[CRYPTO_TOKEN_DISPLAY_LEN + 1], seconds[24];
	const char *params[8];
	PGresult *res = NULL;

	if (crypto_token_new(token, token_size, err) != 0)
		return -1;
	crypto_sha256_hex(token, strlen(token), hash);
	snprintf(prefix, sizeof(prefix), "%s", token);
	snprintf(seconds, sizeof(seconds), "%lld", expires_seconds > 0 ?
	    expires_seconds : 0);
	params[0] = account_id;
	params[1] = hash;
	params[2] = prefix;
	params[3] = client_id;
	params[4] = device_label;
	params[5] = seconds;
	params[6] = grant_id;
	params[7] = resource;
	if (db_exec(&auth_session_insert, 8, params, &res, err) != 0) {
		memset(token, 0, token_size);
		return -1;
	}
	snprintf(session_id, AUTH_UUID_LEN + 1, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}

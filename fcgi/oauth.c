/*
 * oauth.c: drio's OAuth 2 authorization server (docs/oauth.md):
 * discovery (RFC 8414, RFC 9728), dynamic client registration (RFC 7591),
 * the sign-in pages and browser sessions, the authorization code flow
 * with PKCE (RFC 7636) and issuer identification (RFC 9207), the token
 * endpoint with refresh-token rotation, and revocation (RFC 7009), plus
 * the archived /api/v1/auth aliases.  Resource indicators (RFC 8707) bind
 * an authorization and its tokens to drio's origin or to one MCP
 * endpoint, whose own protected-resource document (RFC 9728) is served
 * here too.
 *
 * Tokens issued here are API sessions (lib/auth), each tied to an
 * oauth_grants row: the family that reuse of a spent code or refresh
 * token revokes at once.
 *
 * SPDX-License-Identifier: MIT
 */
#include <ctype.h>
#include <fcgiapp.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "drio.h"

/* Client metadata documents one address may make drio fetch a minute. */
#define CIMD_FETCHES_PER_MINUTE 30

#define COOKIE_SIGNIN "drio_signin"
#define COOKIE_CSRF   "drio_csrf"
#define SECRET_BYTES  32          /* codes, refresh tokens, cookies */
#define SECRET_LEN    43          /* their base64url length */
#define REFRESH_PREFIX "drt_"
#define CLIENT_PREFIX  "dc_"

/* Sign-in failures allowed per 15 minutes, per account and per address. */
#define SIGNIN_WINDOW_SECONDS 900
#define SIGNIN_ACCOUNT_LIMIT  10
#define SIGNIN_ADDRESS_LIMIT  50

static const char *const supported_scopes[] = { "api", "offline_access",
    NULL };
#define DEVICE_GRANT "urn:ietf:params:oauth:grant-type:device_code"
static const char *const supported_grants[] = { "authorization_code",
    "refresh_token", DEVICE_GRANT, NULL };

/* ---------------------------------------------------------------- */
/* Small helpers                                                    */

static json_object *
json_string_array(const char *const *items)
{
	json_object *array = json_object_new_array();

	for (; *items != NULL; items++)
		json_object_array_add(array, json_object_new_string(*items));
	return array;
}

/* Percent-encode s for a URL query (everything but unreserved). */
static char *
url_encode(struct arena *arena, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char *out = arena_alloc(arena, strlen(s) * 3 + 1), *o = out;

	if (out == NULL)
		return NULL;
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
			*o++ = (char)c;
		} else {
			*o++ = '%';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
		}
	}
	*o = '\0';
	return out;
}

/* Is host a loopback name or address (127.0.0.0/8, [::1], localhost)? */
static bool
host_is_loopback(const char *host, size_t len)
{
	return (len == 9 && strncasecmp(host, "localhost", 9) == 0) ||
	    (len == 5 && strncmp(host, "[::1]", 5) == 0) ||
	    (len >= 9 && strncmp(host, "127.", 4) == 0 &&
	    strspn(host, "0123456789.") == len);
}

/*
 * Is uri an absolute https URI, or http on a loopback host, with a host
 * and no fragment?  The rule for redirect URIs and client URLs.
 */
static bool
uri_is_acceptable(const char *uri)
{
	const char *rest, *host_end;
	bool https;

	if (strlen(uri) > 2000 || strchr(uri, '#') != NULL ||
	    strpbrk(uri, " \t\r\n<>\"\\") != NULL)
		return false;
	if (strncasecmp(uri, "https://", 8) == 0) {
		https = true;
		rest = uri + 8;
	} else if (strncasecmp(uri, "http://", 7) == 0) {
		https = false;
		rest = uri + 7;
	} else {
		return false;
	}
	if (strchr(rest, '@') != NULL &&
	    strchr(rest, '@') < rest + strcspn(rest, "/?"))
		return false; /* no userinfo */
	host_end = rest[0] == '[' ? strchr(rest, ']') : rest + strcspn(rest,
	    ":/?");
	if (host_end == NULL)
		return false;
	if (rest[0] == '[')
		host_end++;
	if (host_end == rest)
		return false;
	return https || host_is_loopback(rest, (size_t)(host_end - rest));
}

/* Is the issuer plain http on loopback (then cookies cannot be Secure)? */
static bool
issuer_is_plain_loopback(const struct config *config)
{
	const char *url = config->public_url;

	if (strncasecmp(url, "http://", 7) != 0)
		return false;
	url += 7;
	return host_is_loopback(url, url[0] == '[' ? strcspn(url, "]") + 1 :
	    strcspn(url, ":/"));
}

/* Set a cookie; max_age < 0 clears it. */
static int
cookie_set(struct request *req, const char *name, const char *value,
    long long max_age, const char *same_site, struct error *err)
{
	char *line;

	line = arena_printf(req->arena, "%s=%s; Path=/; Max-Age=%lld; "
	    "HttpOnly; SameSite=%s%s", name, max_age < 0 ? "" : value,
	    max_age < 0 ? 0 : max_age, same_site,
	    issuer_is_plain_loopback(req->config) ? "" : "; Secure");
	if (line == NULL)
		return error_set(err, ERR_INTERNAL, "out of memory");
	return http_add_header(req, "Set-Cookie", line, err);
}

/* Is s a secret we made: SECRET_LEN base64url characters? */
static bool
secret_is_well_formed(const char *s)
{
	return s != NULL && strlen(s) == SECRET_LEN &&
	    strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-_") == SECRET_LEN;
}

/*
 * The CSRF token of this browser: the drio_csrf cookie's, or a new one
 * set now.  Forms carry it; csrf_verify() compares (double submit).
 */
static const char *
csrf_token(struct request *req, struct error *err)
{
	const char *token = http_cookie(req, COOKIE_CSRF);
	char *fresh;

	if (secret_is_well_formed(token))
		return token;
	fresh = arena_alloc(req->arena, SECRET_LEN + 2);
	if (fresh == NULL ||
	    crypto_random_urlsafe(fresh, SECRET_LEN + 2, SECRET_BYTES,
	    err) != 0 ||
	    cookie_set(req, COOKIE_CSRF, fresh, 86400, "Strict", err) != 0)
		return NULL;
	return fresh;
}

static int
csrf_verify(struct request *req, const char *submitted, struct error *err)
{
	const char *cookie = http_cookie(req, COOKIE_CSRF);

	if (!secret_is_well_formed(cookie) ||
	    !secret_is_well_formed(submitted) ||
	    !crypto_equal(cookie, submitted, SECRET_LEN))
		return error_set(err, ERR_CSRF, NULL);
	return 0;
}

/* Does the space-separated list hold word? */
static bool
scope_has(const char *list, const char *word)
{
	size_t len = strlen(word);
	const char *p = list;

	while ((p = strstr(p, word)) != NULL) {
		if ((p == list || p[-1] == ' ') &&
		    (p[len] == '\0' || p[len] == ' '))
			return true;
		p += len;
	}
	return false;
}

/*
 * Normalise a requested scope against what is supported and, when not
 * NULL, what is allowed: "api" always, "offline_access" when asked.
 * Returns the scope (in the arena), or NULL when a word is unknown or
 * not allowed.
 */
static const char *
scope_normalise(struct arena *arena, const char *requested,
    const char *allowed)
{
	char *copy, *word, *save = NULL;
	bool offline = false;

	if (requested == NULL || requested[0] == '\0')
		return "api";
	copy = arena_strdup(arena, requested);
	if (copy == NULL)
		return NULL;
	for (word = strtok_r(copy, " ", &save); word != NULL;
	    word = strtok_r(NULL, " ", &save)) {
		if (allowed != NULL && !scope_has(allowed, word))
			return NULL;
		if (strcmp(word, "offline_access") == 0)
			offline = true;
		else if (strcmp(word, "api") != 0)
			return NULL;
	}
	return offline ? "api offline_access" : "api";
}

/* ---------------------------------------------------------------- */
/* Discovery                                                        */

static int
reply_public_json(struct request *req, json_object *body, struct error *err)
{
	if (http_add_header(req, "Cache-Control", "public, max-age=3600",
	    err) != 0) {
		json_object_put(body);
		return -1;
	}
	return http_reply_json(req, 200, body);
}

static int
metadata_authorization_server(struct request *req, struct error *err)
{
	const char *issuer = req->config->public_url;
	static const char *const response_types[] = { "code", NULL };
	static const char *const response_modes[] = { "query", NULL };
	static const char *const auth_methods[] = { "none",
	    "client_secret_basic", "client_secret_post", NULL };
	static const char *const challenge_methods[] = { "S256", NULL };
	json_object *body = json_object_new_object();

	json_put_string(body, "issuer", issuer);
	json_put_string(body, "authorization_endpoint",
	    arena_printf(req->arena, "%s/oauth/authorize", issuer));
	json_put_string(body, "token_endpoint",
	    arena_printf(req->arena, "%s/oauth/token", issuer));
	if (strcmp(req->config->oauth_registration, "open") == 0)
		json_put_string(body, "registration_endpoint",
		    arena_printf(req->arena, "%s/oauth/register", issuer));
	json_put_string(body, "revocation_endpoint",
	    arena_printf(req->arena, "%s/oauth/revoke", issuer));
	json_put_string(body, "device_authorization_endpoint",
	    arena_printf(req->arena, "%s/openapi/v1/oauth/device/code",
	    issuer));
	json_object_object_add(body, "response_types_supported",
	    json_string_array(response_types));
	json_object_object_add(body, "response_modes_supported",
	    json_string_array(response_modes));
	json_object_object_add(body, "grant_types_supported",
	    json_string_array(supported_grants));
	json_object_object_add(body, "token_endpoint_auth_methods_supported",
	    json_string_array(auth_methods));
	json_object_object_add(body,
	    "revocation_endpoint_auth_methods_supported",
	    json_string_array(auth_methods));
	json_object_object_add(body, "code_challenge_methods_supported",
	    json_string_array(challenge_methods));
	json_object_object_add(body, "scopes_supported",
	    json_string_array(supported_scopes));
	json_put_bool(body, "client_id_metadata_document_supported", true);
	json_object_object_add(body,
	    "authorization_response_iss_parameter_supported",
	    json_object_new_boolean(1));
	return reply_public_json(req, body, err);
}

static int
metadata_protected_resource(struct request *req, struct error *err)
{
	const char *issuer = req->config->public_url;
	static const char *const methods[] = { "header", NULL };
	json_object *body = json_object_new_object(), *servers;

	servers = json_object_new_array();
	json_object_array_add(servers, json_object_new_string(issuer));
	json_put_string(body, "resource", issuer);
	json_object_object_add(body, "authorization_servers", servers);
	json_object_object_add(body, "scopes_supported",
	    json_string_array(supported_scopes));
	json_object_object_add(body, "bearer_methods_supported",
	    json_string_array(methods));
	json_put_string(body, "resource_name", "drio");
	return reply_public_json(req, body, err);
}

/* ---------------------------------------------------------------- */
/* Resource indicators (RFC 8707)                                   */

static const struct db_statement resource_app = {
	"resource_app",
	"SELECT a.name FROM workspaces w"
	"  JOIN apps a ON a.workspace_id = w.id AND a.slug = $2"
	" WHERE w.slug = $1"
};

/*
 * The name of the app whose MCP endpoint resource is.  Returns 1 and sets
 * *name (in the arena) when the app exists, 0 when it does not, -1 and
 * err.
 */
static int
resource_app_name(struct request *req, const struct auth_resource *resource,
    const char **name, struct error *err)
{
	const char *params[] = { resource->workspace_slug, resource->app_slug };
	PGresult *res;
	int found;

	*name = NULL;
	if (db_exec(&resource_app, 2, params, &res, err) != 0)
		return -1;
	found = PQntuples(res) == 1;
	if (found) {
		*name = arena_strdup(req->arena, db_value(res, 0, 0));
		if (*name == NULL) {
			PQclear(res);
			return error_set(err, ERR_INTERNAL, "out of memory");
		}
	}
	PQclear(res);
	return found;
}

static const struct db_statement resource_app_usable = {
	"resource_app_usable",
	"SELECT 1 FROM workspaces w"
	"  JOIN apps a ON a.workspace_id = w.id AND a.slug = $2"
	" WHERE w.slug = $1"
	"   AND (a.visibility = 'public' OR EXISTS (SELECT 1 FROM members m"
	"        WHERE m.workspace_id = w.id AND m.account_id = $3))"
};

/*
 * The resource indicator among a query's or a form's parameters.  RFC
 * 8707 lets a client repeat `resource` to ask for several resources; a
 * drio token serves one, so a second is invalid_target rather than the
 * 422 a repeated declared field gets, which is why `resource` is in no
 * field table of these routes.  With app_name, an MCP endpoint's app
 * must exist and *app_name is set to its name; without, nothing is read.
 * Returns 1 with out filled (canonical), 0 when there is none, -1 and
 * err: ERR_OAUTH_INVALID_TARGET, or a database error.
 */
static int
resource_param(struct request *req, const struct http_param *params,
    size_t nparams, struct auth_resource *out, const char **app_name,
    struct error *err)
{
	const char *given = NULL, *name;
	size_t i;
	int found;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < nparams; i++) {
		if (strcmp(params[i].name, "resource") != 0)
			continue;
		if (given != NULL)
			return error_set(err, ERR_OAUTH_INVALID_TARGET, "Name "
			    "one resource: a token here serves only one.");
		given = params[i].value;
	}
	if (given == NULL)
		return 0;
	if (auth_resource_parse(req->config->public_url, given, out,
	    err) != 0)
		return -1;
	if (app_name == NULL || out->kind != AUTH_RESOURCE_MCP)
		return 1;
	found = resource_app_name(req, out, &name, err);
	if (found < 0)
		return -1;
	if (found == 0)
		return error_set(err, ERR_OAUTH_INVALID_TARGET, "There is no "
		    "MCP endpoint at the resource.");
	*app_name = name;
	return 1;
}

/*
 * GET /.well-known/oauth-protected-resource/mcp/{ws}/{app}: the RFC 9728
 * document of one MCP endpoint, at the path-suffixed URL (3.1), whose
 * resource is exactly the endpoint's URL (3.3).
 */
static int
metadata_mcp_resource(struct request *req, struct error *err)
{
	static const char *const methods[] = { "header", NULL };
	const char *issuer = req->config->public_url, *name;
	struct auth_resource endpoint;
	json_object *body, *servers;
	int found;

	if (auth_resource_mcp(issuer, http_path_param(req, "workspace_slug"),
	    http_path_param(req, "app_slug"), &endpoint, err) != 0)
		return -1;
	found = resource_app_name(req, &endpoint, &name, err);
	if (found < 0)
		return -1;
	if (found == 0)
		return error_set(err, ERR_APP_NOT_FOUND, "No MCP endpoint "
		    "here.");
	body = json_object_new_object();
	servers = json_object_new_array();
	json_object_array_add(servers, json_object_new_string(issuer));
	json_put_string(body, "resource", endpoint.uri);
	json_object_object_add(body, "authorization_servers", servers);
	json_object_object_add(body, "scopes_supported",
	    json_string_array(supported_scopes));
	json_object_object_add(body, "bearer_methods_supported",
	    json_string_array(methods));
	json_put_string(body, "resource_name", name);
	return reply_public_json(req, body, err);
}

/* ---------------------------------------------------------------- */
/* Client registration                                              */

static const char *const auth_method_choices[] = { "none",
    "client_secret_basic", "client_secret_post", NULL };
static const struct valid_field register_body[] = {
	{ .name = "redirect_uris", .type = VALID_STRING_ARRAY,
	  .required = true, .min = 1, .max = 10 },
	{ .name = "client_name", .type = VALID_STRING, .min = 1, .max = 200 },
	{ .name = "token_endpoint_auth_method", .type = VALID_ENUM,
	  .choices = auth_method_choices },
	{ .name = "grant_types", .type = VALID_STRING_ARRAY, .min = 1,
	  .max = 3 },
	{ .name = "response_types", .type = VALID_STRING_ARRAY, .min = 1,
	  .max = 1 },
	{ .name = "scope", .type = VALID_STRING, .max = 200 },
	{ .name = "client_uri", .type = VALID_STRING, .max = 2000 },
	{ .name = "logo_uri", .type = VALID_STRING, .max = 2000 },
	{ .name = "contacts", .type = VALID_STRING_ARRAY, .min = 0,
	  .max = 10 },
	{ .name = "software_id", .type = VALID_STRING, .max = 200 },
	{ .name = "software_version", .type = VALID_STRING, .max = 200 },
};
enum { REG_REDIRECT_URIS, REG_CLIENT_NAME, REG_AUTH_METHOD, REG_GRANT_TYPES,
	REG_RESPONSE_TYPES, REG_SCOPE, REG_CLIENT_URI, REG_LOGO_URI,
	REG_CONTACTS, REG_SOFTWARE_ID, REG_SOFTWARE_VERSION, REG__MAX };

static const struct db_statement client_insert = {
	"client_insert",
	"INSERT INTO oauth_clients"
	"       (id, name, redirect_uris, token_endpoint_auth_method,"
	"        secret_sha256, grant_types, scope, client_uri, logo_uri,"
	"        metadata)"
	" VALUES ($1, $2, $3::text[], $4, $5, $6::text[], $7, $8, $9,"
	"         $10::jsonb)"
	" RETURNING extract(epoch FROM created_at)::bigint"
};

/* The first detail's field name of a validation error, or "". */
static const char *
failed_field(const struct error *err)
{
	json_object *detail, *loc;

	if (err->details == NULL || json_object_array_length(err->details) == 0)
		return "";
	detail = json_object_array_get_idx(err->details, 0);
	if (!json_object_object_get_ex(detail, "loc", &loc) ||
	    json_object_array_length(loc) < 2)
		return "";
	return json_object_get_string(json_object_array_get_idx(loc, 1));
}

/* A PostgreSQL text[] literal of a JSON array of strings. */
static char *
pg_array(struct arena *arena, json_object *array)
{
	size_t i, n = json_object_array_length(array), size = 3;
	char *out, *o;

	for (i = 0; i < n; i++)
		size += 3 + 2 * strlen(json_object_get_string(
		    json_object_array_get_idx(array, i)));
	out = arena_alloc(arena, size);
	if (out == NULL)
		return NULL;
	o = out;
	*o++ = '{';
	for (i = 0; i < n; i++) {
		const char *s = json_object_get_string(
		    json_object_array_get_idx(array, i));

		if (i > 0)
			*o++ = ',';
		*o++ = '"';
		for (; *s != '\0'; s++) {
			if (*s == '"' || *s == '\\')
				*o++ = '\\';
			*o++ = *s;
		}
		*o++ = '"';
	}
	*o++ = '}';
	*o = '\0';
	return out;
}

static bool
array_has(json_object *array, const char *value)
{
	size_t i;

	for (i = 0; array != NULL && i < json_object_array_length(array); i++)
		if (strcmp(json_object_get_string(
		    json_object_array_get_idx(array, i)), value) == 0)
			return true;
	return false;
}

static int
client_register(struct request *req, struct error *err)
{
	struct valid_value v[REG__MAX];
	const char *method, *name, *scope;
	json_object *grants, *body, *metadata;
	char id[40], secret[64], secret_hash[CRYPTO_SHA256_HEX_LEN + 1];
	char *uris, *grant_list;
	bool confidential;
	PGresult *res;
	size_t i;

	if (strcmp(req->config->oauth_registration, "open") != 0)
		return error_set(err, ERR_OAUTH_ACCESS_DENIED,
		    "Client registration is closed on this server.");
	if (req->config->oauth_registration_token[0] != '\0') {
		/* RFC 7591 3: registration restricted by an initial token. */
		const char *expected = req->config->oauth_registration_token;
		const char *given = http_header(req, "Authorization");
		char want[CRYPTO_SHA256_HEX_LEN + 1], got[CRYPTO_SHA256_HEX_LEN + 1];

		crypto_sha256_hex(expected, strlen(expected), want);
		crypto_sha256_hex(given != NULL && strncasecmp(given, "Bearer ",
		    7) == 0 ? given + 7 : "", given != NULL &&
		    strncasecmp(given, "Bearer ", 7) == 0 ? strlen(given + 7) :
		    0, got);
		if (!crypto_equal(want, got, CRYPTO_SHA256_HEX_LEN))
			return error_set(err, ERR_INVALID_TOKEN, "Registration "
			    "needs the initial access token of this server.");
	}
	if (valid_body_lenient(req, register_body, REG__MAX, v, err) != 0) {
		const char *field = failed_field(err);
		char message[200];

		if (err->code != ERR_VALIDATION)
			return error_set(err, ERR_OAUTH_INVALID_CLIENT_METADATA,
			    "The body must be a JSON object.");
		snprintf(message, sizeof(message), "%s is not acceptable.",
		    field[0] != '\0' ? field : "The metadata");
		return error_set(err, strcmp(field, "redirect_uris") == 0 ?
		    ERR_OAUTH_INVALID_REDIRECT_URI :
		    ERR_OAUTH_INVALID_CLIENT_METADATA, "%s", message);
	}
	for (i = 0; i < json_object_array_length(v[REG_REDIRECT_URIS].json);
	    i++) {
		const char *uri = json_object_get_string(
		    json_object_array_get_idx(v[REG_REDIRECT_URIS].json, i));

		if (!uri_is_acceptable(uri))
			return error_set(err, ERR_OAUTH_INVALID_REDIRECT_URI,
			    "Redirect URIs must be absolute https URIs (or "
			    "http on a loopback host) without a fragment.");
	}
	if ((v[REG_CLIENT_URI].present &&
	    !uri_is_acceptable(v[REG_CLIENT_URI].str)) ||
	    (v[REG_LOGO_URI].present &&
	    !uri_is_acceptable(v[REG_LOGO_URI].str)))
		return error_set(err, ERR_OAUTH_INVALID_CLIENT_METADATA,
		    "client_uri and logo_uri must be https URLs.");
	if (v[REG_RESPONSE_TYPES].present &&
	    !array_has(v[REG_RESPONSE_TYPES].json, "code"))
		return error_set(err, ERR_OAUTH_INVALID_CLIENT_METADATA,
		    "The only response type is \"code\".");
	grants = v[REG_GRANT_TYPES].json;
	for (i = 0; grants != NULL && i < json_object_array_length(grants);
	    i++) {
		const char *grant = json_object_get_string(
		    json_object_array_get_idx(grants, i));
		size_t g;

		for (g = 0; supported_grants[g] != NULL; g++)
			if (strcmp(supported_grants[g], grant) == 0)
				break;
		if (supported_grants[g] == NULL)
			return error_set(err, ERR_OAUTH_INVALID_CLIENT_METADATA,
			    "Unsupported grant type.");
	}
	scope = scope_normalise(req->arena, v[REG_SCOPE].present ?
	    v[REG_SCOPE].str : "api offline_access", NULL);
	if (scope == NULL)
		return error_set(err, ERR_OAUTH_INVALID_CLIENT_METADATA,
		    "Unknown scope; the scopes are api and offline_access.");

	method = v[REG_AUTH_METHOD].present ? v[REG_AUTH_METHOD].str : "none";
	confidential = strcmp(method, "none") != 0;
	name = v[REG_CLIENT_NAME].present ? v[REG_CLIENT_NAME].str :
	    "Unnamed client";
	memcpy(id, CLIENT_PREFIX, 3);
	if (crypto_random_urlsafe(id + 3, sizeof(id) - 3, 16, err) != 0)
		return -1;
	if (confidential) {
		if (crypto_random_urlsafe(secret, sizeof(secret), SECRET_BYTES,
		    err) != 0)
			return -1;
		crypto_sha256_hex(secret, strlen(secret), secret_hash);
	}
	uris = pg_array(req->arena, v[REG_REDIRECT_URIS].json);
	grant_list = grants != NULL ? pg_array(req->arena, grants) :
	    "{authorization_code,refresh_token}";
	metadata = json_object_new_object();
	if (v[REG_CONTACTS].present)
		json_object_object_add(metadata, "contacts",
		    json_object_get(v[REG_CONTACTS].json));
	if (v[REG_SOFTWARE_ID].present)
		json_put_string(metadata, "software_id", v[REG_SOFTWARE_ID].str);
	if (v[REG_SOFTWARE_VERSION].present)
		json_put_string(metadata, "software_version",
		    v[REG_SOFTWARE_VERSION].str);
	{
		const char *params[] = { id, name, uris, method,
		    confidential ? secret_hash : NULL, grant_list, scope,
		    v[REG_CLIENT_URI].str, v[REG_LOGO_URI].str,
		    json_object_to_json_string(metadata) };
		int rc = db_exec(&client_insert, 10, params, &res, err);

		if (rc != 0) {
			json_object_put(metadata);
			return -1;
		}
	}

	body = metadata; /* the answer echoes the metadata, then some */
	json_put_string(body, "client_id", id);
	json_object_object_add(body, "client_id_issued_at",
	    json_object_new_int64(db_int(res, 0, 0)));
	PQclear(res);
	if (confidential) {
		json_put_string(body, "client_secret", secret);
		json_object_object_add(body, "client_secret_expires_at",
		    json_object_new_int(0));
	}
	json_put_string(body, "client_name", name);
	json_object_object_add(body, "redirect_uris",
	    json_object_get(v[REG_REDIRECT_URIS].json));
	json_put_string(body, "token_endpoint_auth_method", method);
	if (grants != NULL) {
		json_object_object_add(body, "grant_types",
		    json_object_get(grants));
	} else {
		static const char *const defaults[] = { "authorization_code",
		    "refresh_token", NULL };

		json_object_object_add(body, "grant_types",
		    json_string_array(defaults));
	}
	{
		static const char *const code[] = { "code", NULL };

		json_object_object_add(body, "response_types",
		    json_string_array(code));
	}
	json_put_string(body, "scope", scope);
	if (v[REG_CLIENT_URI].present)
		json_put_string(body, "client_uri", v[REG_CLIENT_URI].str);
	if (v[REG_LOGO_URI].present)
		json_put_string(body, "logo_uri", v[REG_LOGO_URI].str);
	(void)http_add_header(req, "Cache-Control", "no-store", NULL);
	return http_reply_json(req, 201, body);
}

/* ---------------------------------------------------------------- */
/* Browser sign-in                                                  */

struct signed_in {
	char account_id[AUTH_UUID_LEN + 1];
	char email[255];
	char name[1024];          /* 255 characters of UTF-8 */
};

static const struct db_statement browser_session_lookup = {
	"browser_session_lookup",
	"SELECT a.id, a.email, a.name"
	"  FROM browser_sessions s JOIN accounts a ON a.id = s.account_id"
	" WHERE s.token_sha256 = $1 AND s.revoked_at IS NULL"
	"   AND s.expires_at > now() AND a.status = 'active'"
};

/*
 * Who this browser is signed in as.  Returns 1 and fills who when signed
 * in, 0 when not, -1 and err on a database error.
 */
static int
signin_current(struct request *req, struct signed_in *who,
    struct error *err)
{
	const char *cookie = http_cookie(req, COOKIE_SIGNIN);
	char hash[CRYPTO_SHA256_HEX_LEN + 1];
	const char *params[] = { hash };
	PGresult *res;
	int found;

	memset(who, 0, sizeof(*who));
	if (!secret_is_well_formed(cookie))
		return 0;
	crypto_sha256_hex(cookie, strlen(cookie), hash);
	if (db_exec(&browser_session_lookup, 1, params, &res, err) != 0)
		return -1;
	found = PQntuples(res) == 1;
	if (found) {
		snprintf(who->account_id, sizeof(who->account_id), "%s",
		    db_value(res, 0, 0));
		snprintf(who->email, sizeof(who->email), "%s",
		    db_value(res, 0, 1));
		snprintf(who->name, sizeof(who->name), "%s",
		    db_value(res, 0, 2));
	}
	PQclear(res);
	return found;
}

/*
 * Where a sign-in may send the browser next: a path on this server that
 * leads to a flow (authorize, device, the signin pages), else the done
 * page.  Never another origin.
 */
static const char *
signin_next(const char *next)
{
	if (next != NULL && next[0] == '/' && next[1] != '/' &&
	    next[1] != '\\' && strpbrk(next, "\r\n\\") == NULL &&
	    (strncmp(next, "/oauth/authorize?", 17) == 0 ||
	    strncmp(next, "/api/v1/auth/authorize?", 23) == 0 ||
	    strncmp(next, "/signin/", 8) == 0 ||
	    strcmp(next, "/device") == 0 ||
	    strncmp(next, "/device?", 8) == 0))
		return next;
	return "/signin/done";
}

/* Render the sign-in page, with an error line when message is set. */
static int
signin_page(struct request *req, int status, const char *next,
    const char *email, const char *message, struct error *err)
{
	const char *csrf = csrf_token(req, err);
	struct html page;

	if (csrf == NULL)
		return -1;
	html_init(&page);
	html_page_begin(&page, "Sign in to drio");
	if (message != NULL) {
		html_raw(&page, "<p class=\"error\" role=\"alert\">");
		html_text(&page, message);
		html_raw(&page, "</p>");
	}
	html_raw(&page, "<form method=\"post\" action=\"/signin\">");
	html_hidden(&page, "csrf", csrf);
	html_hidden(&page, "next", signin_next(next));
	html_raw(&page, "<label for=\"email\">Email</label>"
	    "<input type=\"email\" id=\"email\" name=\"email\" "
	    "autocomplete=\"username\" required value=\"");
	html_text(&page, email != NULL ? email : "");
	html_raw(&page, "\"><label for=\"password\">Password</label>"
	    "<input type=\"password\" id=\"password\" name=\"password\" "
	    "autocomplete=\"current-password\" required>"
	    "<button type=\"submit\">Sign in</button></form>");
	return http_reply_page(req, status, &page, err);
}

static const struct valid_field signin_query[] = {
	{ .name = "next", .type = VALID_STRING, .max = 4000 },
};

static int oidc_start(struct request *req, const char *next,
    struct error *err);

/* The sign-in page, or the upstream provider's when one is configured. */
static int
signin_get(struct request *req, struct error *err)
{
	if (req->config->oidc_issuer[0] != '\0')
		return oidc_start(req, req->query_values[0].str, err);
	return signin_page(req, 200, req->query_values[0].str, NULL, NULL,
	    err);
}

static const struct valid_field signin_form[] = {
	{ .name = "email", .type = VALID_STRING, .max = 254 },
	{ .name = "password", .type = VALID_STRING, .max = 1024 },
	{ .name = "csrf", .type = VALID_STRING, .max = 100 },
	{ .name = "next", .type = VALID_STRING, .max = 4000 },
};
enum { SIGNIN_EMAIL, SIGNIN_PASSWORD, SIGNIN_CSRF, SIGNIN_NEXT };

static const struct db_statement signin_account = {
	"signin_account",
	"SELECT id, password_hash FROM accounts"
	" WHERE lower(email) = lower($1) AND status = 'active'"
};

static const struct db_statement browser_session_insert = {
	"browser_session_insert",
	"INSERT INTO browser_sessions (account_id, token_sha256, expires_at)"
	" VALUES ($1, $2, now() + $3::int * interval '1 hour')"
};

/*
 * Sign this browser in as account_id: a new browser session whose token
 * only the cookie holds.  Returns 0, or -1 and err.
 */
static int
signin_start_session(struct request *req, const char *account_id,
    struct error *err)
{
	char token[SECRET_LEN + 2], hash[CRYPTO_SHA256_HEX_LEN + 1], hours[16];
	const char *params[] = { account_id, hash, hours };

	if (crypto_random_urlsafe(token, sizeof(token), SECRET_BYTES,
	    err) != 0)
		return -1;
	crypto_sha256_hex(token, strlen(token), hash);
	snprintf(hours, sizeof(hours), "%lld",
	    req->config->signin_session_hours);
	if (db_exec(&browser_session_insert, 3, params, NULL, err) != 0)
		return -1;
	return cookie_set(req, COOKIE_SIGNIN, token,
	    req->config->signin_session_hours * 3600, "Lax", err);
}

/*
 * A constant scrypt string to verify against when the account does not
 * exist, so an unknown email costs as much time as a wrong password.
 */
static const char decoy_hash[] = "scrypt$ln=15,r=8,p=1$"
    "AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

static int
signin_post(struct request *req, struct error *err)
{
	const struct valid_value *v = req->body_values;
	const char *email = v[SIGNIN_EMAIL].present ? v[SIGNIN_EMAIL].str : "";
	const char *password = v[SIGNIN_PASSWORD].present ?
	    v[SIGNIN_PASSWORD].str : "";
	const char *next = signin_next(v[SIGNIN_NEXT].str);
	const char *addr = req->fcgi != NULL ?
	    FCGX_GetParam("REMOTE_ADDR", req->fcgi->envp) : NULL;
	char *address_key, *account_key;
	const char *stored = NULL;
	char account_id[AUTH_UUID_LEN + 1] = "";
	PGresult *res;
	int match;

	if (csrf_verify(req, v[SIGNIN_CSRF].str, err) != 0)
		return -1;
	if (req->config->oidc_issuer[0] != '\0')
		return error_set(err, ERR_FORBIDDEN, "This server signs people "
		    "in through its identity provider, not with passwords.");
	address_key = arena_printf(req->arena, "signin-addr:%s",
	    addr != NULL ? addr : "-");
	account_key = arena_printf(req->arena, "signin-account:%s", email);
	if (address_key == NULL || account_key == NULL)
		return error_set(err, ERR_INTERNAL, "out of memory");
	for (char *p = account_key; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	if (ratelimit_check(address_key, SIGNIN_ADDRESS_LIMIT,
	    SIGNIN_WINDOW_SECONDS, err) != 0 ||
	    ratelimit_check(account_key, SIGNIN_ACCOUNT_LIMIT,
	    SIGNIN_WINDOW_SECONDS, err) != 0) {
		char seconds[24];

		if (err->code != ERR_TOO_MANY_REQUESTS)
			return -1;
		snprintf(seconds, sizeof(seconds), "%ld", err->retry_after);
		error_clear(err);
		if (http_add_header(req, "Retry-After", seconds, err) != 0)
			return -1;
		return signin_page(req, 429, next, email, "Too many failed "
		    "sign-ins. Wait a few minutes and try again.", err);
	}

	{
		const char *params[] = { email };

		if (db_exec(&signin_account, 1, params, &res, err) != 0)
			return -1;
	}
	if (PQntuples(res) == 1) {
		snprintf(account_id, sizeof(account_id), "%s",
		    db_value(res, 0, 0));
		stored = db_value(res, 0, 1);
	}
	match = crypto_password_verify(password, stored != NULL ? stored :
	    decoy_hash, err);
	PQclear(res);
	if (match < 0 && stored != NULL)
		return -1;
	if (match != 1 || stored == NULL) {
		error_clear(err);
		if (ratelimit_hit(address_key, SIGNIN_WINDOW_SECONDS, err) != 0 ||
		    ratelimit_hit(account_key, SIGNIN_WINDOW_SECONDS, err) != 0)
			return -1;
		return signin_page(req, 401, next, email,
		    "That email and password do not match an account.", err);
	}

	if (signin_start_session(req, account_id, err) != 0)
		return -1;
	return http_reply_redirect(req, 303, next, err);
}

static const struct valid_field signout_form[] = {
	{ .name = "csrf", .type = VALID_STRING, .max = 100 },
};

static const struct db_statement browser_session_revoke = {
	"browser_session_revoke",
	"UPDATE browser_sessions SET revoked_at = now()"
	" WHERE token_sha256 = $1 AND revoked_at IS NULL"
};

static int
signout_post(struct request *req, struct error *err)
{
	const char *cookie = http_cookie(req, COOKIE_SIGNIN);
	char hash[CRYPTO_SHA256_HEX_LEN + 1];
	const char *params[] = { hash };

	if (csrf_verify(req, req->body_values[0].str, err) != 0)
		return -1;
	if (secret_is_well_formed(cookie)) {
		crypto_sha256_hex(cookie, strlen(cookie), hash);
		if (db_exec(&browser_session_revoke, 1, params, NULL, err) != 0)
			return -1;
	}
	if (cookie_set(req, COOKIE_SIGNIN, "", -1, "Lax", err) != 0)
		return -1;
	return http_reply_redirect(req, 303, "/signin", err);
}

static int
signin_done(struct request *req, struct error *err)
{
	struct signed_in who;
	struct html page;
	const char *csrf;
	int state;

	state = signin_current(req, &who, err);
	if (state < 0)
		return -1;
	if (state == 0)
		return http_reply_redirect(req, 303, "/signin", err);
	csrf = csrf_token(req, err);
	if (csrf == NULL)
		return -1;
	html_init(&page);
	html_page_begin(&page, "You are signed in");
	html_raw(&page, "<p>Signed in to drio as <strong>");
	html_text(&page, who.email);
	html_raw(&page, "</strong>. You can close this page.</p>"
	    "<form method=\"post\" action=\"/signout\">");
	html_hidden(&page, "csrf", csrf);
	html_raw(&page, "<button type=\"submit\">Sign out</button></form>");
	return http_reply_page(req, 200, &page, err);
}

/* ---------------------------------------------------------------- */
/* Signing in through an upstream OpenID Connect provider           */

#define COOKIE_OIDC "drio_oidc"
#define OIDC_LOGIN_SECONDS 600

static bool
oidc_enabled(const struct config *config)
{
	return config->oidc_issuer[0] != '\0';
}

/* The provider's answers are small JSON documents. */
#define OIDC_MAX_BYTES (1024 * 1024)

/*
 * The outbound policy for calls to the provider: the configured one (the
 * provider's network must be allowed if it is a private one), with
 * answers capped at OIDC_MAX_BYTES.  Returns 0, or -1 and err.
 */
static int
oidc_policy(struct request *req, struct outbound_policy *policy,
    struct error *err)
{
	if (outbound_policy_from_config(req->config, policy, err) != 0) {
		log_warn("%s", err->message);
		return error_set(err, ERR_INTERNAL, NULL);
	}
	if (policy->max_bytes > OIDC_MAX_BYTES)
		policy->max_bytes = OIDC_MAX_BYTES;
	return 0;
}

/*
 * Fetch the provider's discovery document and return the string value of
 * key from it (copied into the arena).  Returns NULL and err when the
 * provider cannot be read or lacks the key.
 */
static const char *
oidc_discover(struct request *req, const char *key, struct error *err)
{
	const char *issuer = req->config->oidc_issuer;
	char *url = arena_printf(req->arena,
	    "%s/.well-known/openid-configuration", issuer);
	struct outbound_policy policy;
	struct outbound_response res;
	json_object *doc, *value;
	const char *found = NULL;

	if (url == NULL)
		return NULL;
	if (oidc_policy(req, &policy, err) != 0 ||
	    outbound_request(&policy, "GET", url, NULL, NULL, 0, &res,
	    err) != 0)
		return NULL;
	doc = res.status == 200 ? json_tokener_parse(res.body) : NULL;
	outbound_response_free(&res);
	if (doc != NULL && json_object_object_get_ex(doc, "issuer", &value) &&
	    json_object_is_type(value, json_type_string) &&
	    strcmp(json_object_get_string(value), issuer) == 0 &&
	    json_object_object_get_ex(doc, key, &value) &&
	    json_object_is_type(value, json_type_string))
		found = arena_strdup(req->arena, json_object_get_string(value));
	json_object_put(doc);
	if (found == NULL)
		error_set(err, ERR_UPSTREAM_UNAVAILABLE, "The identity "
		    "provider's configuration could not be read.");
	return found;
}

static const struct db_statement oidc_login_insert = {
	"oidc_login_insert",
	"INSERT INTO oidc_logins"
	"       (state_sha256, nonce, code_verifier, next, expires_at)"
	" VALUES ($1, $2, $3, $4, now() + $5::int * interval '1 second')"
};

/* Send the browser to the provider to sign in, then back to next. */
static int
oidc_start(struct request *req, const char *next, struct error *err)
{
	char state[SECRET_LEN + 2], nonce[SECRET_LEN + 2];
	char verifier[SECRET_LEN + 2], challenge[SECRET_LEN + 2];
	char hash[CRYPTO_SHA256_HEX_LEN + 1], seconds[16];
	unsigned char digest[32];
	unsigned int dlen = 0;
	const char *endpoint;
	char *location;

	endpoint = oidc_discover(req, "authorization_endpoint", err);
	if (endpoint == NULL)
		return -1;
	if (crypto_random_urlsafe(state, sizeof(state), SECRET_BYTES,
	    err) != 0 ||
	    crypto_random_urlsafe(nonce, sizeof(nonce), SECRET_BYTES,
	    err) != 0 ||
	    crypto_random_urlsafe(verifier, sizeof(verifier), SECRET_BYTES,
	    err) != 0)
		return -1;
	EVP_Digest(verifier, strlen(verifier), digest, &dlen, EVP_sha256(),
	    NULL);
	crypto_base64url_encode(digest, sizeof(digest), challenge);
	crypto_sha256_hex(state, strlen(state), hash);
	snprintf(seconds, sizeof(seconds), "%d", OIDC_LOGIN_SECONDS);
	{
		const char *params[] = { hash, nonce, verifier,
		    signin_next(next), seconds };

		if (db_exec(&oidc_login_insert, 5, params, NULL, err) != 0)
			return -1;
	}
	location = arena_printf(req->arena, "%s%sresponse_type=code"
	    "&client_id=%s&redirect_uri=%s&scope=openid%%20email%%20profile"
	    "&state=%s&nonce=%s&code_challenge=%s&code_challenge_method=S256",
	    endpoint, strchr(endpoint, '?') != NULL ? "&" : "?",
	    url_encode(req->arena, req->config->oidc_client_id),
	    url_encode(req->arena, arena_printf(req->arena,
	    "%s/api/v1/auth/callback", req->config->public_url)),
	    state, nonce, challenge);
	if (location == NULL)
		return error_set(err, ERR_INTERNAL, "out of memory");
	/* Lax: the provider's redirect back is a top-level GET. */
	if (cookie_set(req, COOKIE_OIDC, state, OIDC_LOGIN_SECONDS, "Lax",
	    err) != 0)
		return -1;
	return http_reply_redirect(req, 303, location, err);
}

/* A JWT segment decoded as a JSON object, or NULL. */
static json_object *
jwt_part(struct arena *arena, const char *segment, size_t len)
{
	char *text = arena_strndup(arena, segment, len);
	unsigned char *raw = arena_alloc(arena, len + 4);
	long n;

	if (text == NULL || raw == NULL)
		return NULL;
	n = crypto_base64url_decode(text, raw, len + 3);
	if (n < 0)
		return NULL;
	raw[n] = '\0';
	return json_tokener_parse((const char *)raw);
}

static const char *
claim_string(json_object *claims, const char *name)
{
	json_object *value;

	if (!json_object_object_get_ex(claims, name, &value) ||
	    !json_object_is_type(value, json_type_string))
		return NULL;
	return json_object_get_string(value);
}

/*
 * Check an ID token from the provider's token endpoint (OIDC Core
 * 3.1.3.7): an HS256 signature under the client secret is verified; any
 * other algorithm is accepted only when the token came over TLS from an
 * https issuer, which 3.1.3.7 allows in place of the signature.  Then
 * iss, aud, exp, nonce, and a verified email.  Returns the claims (owned
 * by the caller), or NULL and err.
 */
static json_object *
id_token_verify(struct request *req, const char *token, const char *nonce,
    struct error *err)
{
	const struct config *config = req->config;
	const char *dot1 = strchr(token, '.'), *dot2, *alg, *email;
	json_object *header = NULL, *claims = NULL, *value;
	bool audience = false;

	dot2 = dot1 != NULL ? strchr(dot1 + 1, '.') : NULL;
	if (dot2 == NULL || strchr(dot2 + 1, '.') != NULL)
		goto bad;
	header = jwt_part(req->arena, token, (size_t)(dot1 - token));
	claims = jwt_part(req->arena, dot1 + 1, (size_t)(dot2 - dot1 - 1));
	if (header == NULL || claims == NULL)
		goto bad;
	alg = claim_string(header, "alg");
	if (alg != NULL && strcmp(alg, "HS256") == 0) {
		unsigned char mac[32], given[40];
		long n = crypto_base64url_decode(dot2 + 1, given, sizeof(given));

		crypto_hmac_sha256(config->oidc_client_secret,
		    strlen(config->oidc_client_secret), token,
		    (size_t)(dot2 - token), mac);
		if (n != 32 || !crypto_equal(mac, given, 32))
			goto bad;
	} else if (alg == NULL || strcmp(alg, "none") == 0 ||
	    strncmp(config->oidc_issuer, "https://", 8) != 0) {
		goto bad;
	}
	if (claim_string(claims, "iss") == NULL ||
	    strcmp(claim_string(claims, "iss"), config->oidc_issuer) != 0)
		goto bad;
	if (json_object_object_get_ex(claims, "aud", &value)) {
		if (json_object_is_type(value, json_type_string))
			audience = strcmp(json_object_get_string(value),
			    config->oidc_client_id) == 0;
		else if (json_object_is_type(value, json_type_array))
			audience = array_has(value, config->oidc_client_id);
	}
	if (!audience || !json_object_object_get_ex(claims, "exp", &value) ||
	    !json_object_is_type(value, json_type_int) ||
	    json_object_get_int64(value) <= (int64_t)time(NULL) ||
	    claim_string(claims, "nonce") == NULL ||
	    strcmp(claim_string(claims, "nonce"), nonce) != 0)
		goto bad;
	/*
	 * Only JSON true (or the string "true" some providers send) means
	 * verified: json-c would call any non-empty string true.
	 */
	email = claim_string(claims, "email");
	if (email == NULL || !valid_is_email(email) ||
	    !json_object_object_get_ex(claims, "email_verified", &value) ||
	    !((json_object_is_type(value, json_type_boolean) &&
	    json_object_get_boolean(value)) ||
	    (json_object_is_type(value, json_type_string) &&
	    strcmp(json_object_get_string(value), "true") == 0))) {
		json_object_put(header);
		json_object_put(claims);
		error_set(err, ERR_FORBIDDEN, "The identity provider did not "
		    "vouch for an email address.");
		error_hint(err, "Sign in with an account whose email the "
		    "provider has verified.");
		return NULL;
	}
	json_object_put(header);
	return claims;
bad:
	json_object_put(header);
	json_object_put(claims);
	error_set(err, ERR_FORBIDDEN, "The identity provider's answer could "
	    "not be verified.");
	return NULL;
}

static const struct db_statement oidc_login_claim = {
	"oidc_login_claim",
	"UPDATE oidc_logins SET used_at = now()"
	" WHERE state_sha256 = $1 AND used_at IS NULL AND expires_at > now()"
	" RETURNING nonce, code_verifier, next"
};

static const struct db_statement oidc_account_lock = {
	"oidc_account_lock",
	"SELECT id, status FROM accounts WHERE lower(email) = lower($1)"
	" FOR UPDATE"
};

static const struct db_statement oidc_account_activate = {
	"oidc_account_activate",
	"UPDATE accounts SET status = 'active', updated_at = now()"
	" WHERE id = $1"
};

/* A name longer than drio keeps is cut, not refused. */
static const struct db_statement oidc_account_create = {
	"oidc_account_create",
	"INSERT INTO accounts (email, name, status)"
	" VALUES ($1, left(coalesce(nullif($2, ''), split_part($1, '@', 1)),"
	"                  255), 'active')"
	" ON CONFLICT ((lower(email))) DO NOTHING RETURNING id"
};

struct oidc_account {
	const char *email;
	const char *name;
	char id[AUTH_UUID_LEN + 1];
};

/*
 * The drio account for a verified email: the existing one (a pending,
 * invited one is activated) or a new active one.
 */
static int
oidc_account_map(void *ctx, struct error *err)
{
	struct oidc_account *acc = ctx;
	const char *find[] = { acc->email };
	const char *create[] = { acc->email, acc->name != NULL ? acc->name : "" };
	PGresult *res;
	bool pending;

	/* Insert first: two first sign-ins at once cannot both create. */
	if (db_exec(&oidc_account_create, 2, create, &res, err) != 0)
		return -1;
	if (PQntuples(res) == 1) {
		snprintf(acc->id, sizeof(acc->id), "%s", db_value(res, 0, 0));
		PQclear(res);
		return 0;
	}
	PQclear(res);
	if (db_exec(&oidc_account_lock, 1, find, &res, err) != 0)
		return -1;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return error_set(err, ERR_CONFLICT, "The account changed while "
		    "signing in; try again.");
	}
	pending = strcmp(db_value(res, 0, 1), "pending") == 0;
	snprintf(acc->id, sizeof(acc->id), "%s", db_value(res, 0, 0));
	PQclear(res);
	if (pending) {
		const char *params[] = { acc->id };

		return db_exec(&oidc_account_activate, 1, params, NULL, err);
	}
	return 0;
}

static const struct valid_field callback_query[] = {
	{ .name = "code", .type = VALID_STRING, .max = 2000 },
	{ .name = "state", .type = VALID_STRING, .max = 100 },
	{ .name = "error", .type = VALID_STRING, .max = 200 },
};
enum { CB_CODE, CB_STATE, CB_ERROR };

/* The provider sends the browser back here: finish signing in. */
static int
oidc_callback(struct request *req, struct error *err)
{
	const struct valid_value *v = req->query_values;
	const char *cookie = http_cookie(req, COOKIE_OIDC), *endpoint;
	char hash[CRYPTO_SHA256_HEX_LEN + 1], nonce[64], verifier[64];
	char *next, *form, *basic;
	char *credentials;
	struct outbound_policy policy;
	struct outbound_response res;
	struct oidc_account acc;
	json_object *answer = NULL, *claims = NULL;
	const char *id_token;
	PGresult *row;
	int rc = -1;

	if (!oidc_enabled(req->config))
		return error_set(err, ERR_NOT_FOUND, NULL);
	if (!secret_is_well_formed(v[CB_STATE].str) ||
	    !secret_is_well_formed(cookie) ||
	    !crypto_equal(cookie, v[CB_STATE].str, SECRET_LEN))
		return error_set(err, ERR_CSRF, "This sign-in was not started "
		    "in this browser, or it has expired. Start again.");
	crypto_sha256_hex(v[CB_STATE].str, SECRET_LEN, hash);
	{
		const char *params[] = { hash };

		if (db_exec(&oidc_login_claim, 1, params, &row, err) != 0)
			return -1;
	}
	if (PQntuples(row) != 1) {
		PQclear(row);
		return error_set(err, ERR_CSRF, "This sign-in has expired or "
		    "was used already. Start again.");
	}
	snprintf(nonce, sizeof(nonce), "%s", db_value(row, 0, 0));
	snprintf(verifier, sizeof(verifier), "%s", db_value(row, 0, 1));
	next = arena_strdup(req->arena, db_value(row, 0, 2));
	PQclear(row);
	if (cookie_set(req, COOKIE_OIDC, "", -1, "Lax", err) != 0)
		return -1;
	if (v[CB_ERROR].present || !v[CB_CODE].present)
		return error_set(err, ERR_FORBIDDEN, "The identity provider "
		    "did not sign you in.");

	endpoint = oidc_discover(req, "token_endpoint", err);
	if (endpoint == NULL)
		return -1;
	form = arena_printf(req->arena, "grant_type=authorization_code"
	    "&code=%s&redirect_uri=%s&code_verifier=%s",
	    url_encode(req->arena, v[CB_CODE].str),
	    url_encode(req->arena, arena_printf(req->arena,
	    "%s/api/v1/auth/callback", req->config->public_url)), verifier);
	credentials = arena_printf(req->arena, "%s:%s",
	    url_encode(req->arena, req->config->oidc_client_id),
	    url_encode(req->arena, req->config->oidc_client_secret));
	basic = credentials != NULL ? arena_alloc(req->arena,
	    strlen(credentials) * 2 + 32) : NULL;
	if (form == NULL || basic == NULL)
		return error_set(err, ERR_INTERNAL, "out of memory");
	strcpy(basic, "Authorization: Basic ");
	EVP_EncodeBlock((unsigned char *)basic + strlen(basic),
	    (const unsigned char *)credentials, (int)strlen(credentials));
	{
		const char *headers[] = { basic,
		    "Content-Type: application/x-www-form-urlencoded",
		    "Accept: application/json", NULL };

		if (oidc_policy(req, &policy, err) != 0 ||
		    outbound_request(&policy, "POST", endpoint, headers, form,
		    strlen(form), &res, err) != 0)
			return -1;
	}
	answer = res.status == 200 ? json_tokener_parse(res.body) : NULL;
	if (res.status != 200)
		log_warn("upstream token endpoint answered %ld", res.status);
	outbound_response_free(&res);
	id_token = answer != NULL ? claim_string(answer, "id_token") : NULL;
	if (id_token == NULL) {
		error_set(err, ERR_FORBIDDEN, "The identity provider refused "
		    "to complete the sign-in.");
		goto out;
	}
	claims = id_token_verify(req, id_token, nonce, err);
	if (claims == NULL)
		goto out;

	memset(&acc, 0, sizeof(acc));
	acc.email = claim_string(claims, "email");
	acc.name = claim_string(claims, "name");
	if (db_transaction(DB_READ_COMMITTED, oidc_account_map, &acc,
	    err) != 0)
		goto out;
	if (signin_start_session(req, acc.id, err) != 0)
		goto out;
	rc = http_reply_redirect(req, 303, next, err);
out:
	json_object_put(answer);
	json_object_put(claims);
	return rc;
}

/* ---------------------------------------------------------------- */
/* Accepting a workspace invitation (the invite_url of the members API) */

struct invitation {
	char id[AUTH_UUID_LEN + 1];
	char account_id[AUTH_UUID_LEN + 1];
	char workspace_id[AUTH_UUID_LEN + 1];
	char workspace_name[1024];  /* 255 characters of UTF-8 */
	char email[255];
	bool pending;          /* the account has no password yet */
};

static const struct db_statement invite_lookup = {
	"invite_lookup",
	"SELECT i.id, i.account_id, i.workspace_id, w.name, a.email,"
	"       a.status = 'pending'"
	"  FROM member_invites i"
	"  JOIN workspaces w ON w.id = i.workspace_id"
	"  JOIN accounts a ON a.id = i.account_id"
	"  JOIN members m ON m.workspace_id = i.workspace_id"
	"               AND m.account_id = i.account_id"
	" WHERE i.token_sha256 = $1 AND i.accepted_at IS NULL"
	"   AND i.expires_at > now()"
};

/*
 * Find the live invitation a token names.  Returns 1 and fills inv, 0
 * when there is none (unknown, used, expired, or the member was removed),
 * -1 and err.
 */
static int
invitation_find(const char *token, struct invitation *inv, struct error *err)
{
	char hash[CRYPTO_SHA256_HEX_LEN + 1];
	const char *params[] = { hash };
	PGresult *res;
	int found;

	memset(inv, 0, sizeof(*inv));
	if (!secret_is_well_formed(token))
		return 0;
	crypto_sha256_hex(token, strlen(token), hash);
	if (db_exec(&invite_lookup, 1, params, &res, err) != 0)
		return -1;
	found = PQntuples(res) == 1;
	if (found) {
		snprintf(inv->id, sizeof(inv->id), "%s", db_value(res, 0, 0));
		snprintf(inv->account_id, sizeof(inv->account_id), "%s",
		    db_value(res, 0, 1));
		snprintf(inv->workspace_id, sizeof(inv->workspace_id), "%s",
		    db_value(res, 0, 2));
		snprintf(inv->workspace_name, sizeof(inv->workspace_name), "%s",
		    db_value(res, 0, 3));
		snprintf(inv->email, sizeof(inv->email), "%s",
		    db_value(res, 0, 4));
		inv->pending = db_bool(res, 0, 5);
	}
	PQclear(res);
	return found;
}

static int
invite_page(struct request *req, int status, const char *token,
    const struct invitation *inv, const char *message, struct error *err)
{
	const char *csrf = csrf_token(req, err);
	struct html page;

	if (csrf == NULL)
		return -1;
	html_init(&page);
	html_page_begin(&page, "Join a workspace");
	if (message != NULL) {
		html_raw(&page, "<p class=\"error\" role=\"alert\">");
		html_text(&page, message);
		html_raw(&page, "</p>");
	}
	if (inv != NULL) {
		html_raw(&page, "<p>You are invited to <strong>");
		html_text(&page, inv->workspace_name);
		html_raw(&page, "</strong> as <strong>");
		html_text(&page, inv->email);
		html_raw(&page, "</strong>.</p><form method=\"post\" "
		    "action=\"/signin/invite\">");
		html_hidden(&page, "csrf", csrf);
		html_hidden(&page, "token", token);
		if (inv->pending)
			html_raw(&page, "<label for=\"password\">Choose a "
			    "password (at least 8 characters)</label>"
			    "<input type=\"password\" id=\"password\" "
			    "name=\"password\" autocomplete=\"new-password\" "
			    "minlength=\"8\" required>");
		html_raw(&page, "<button type=\"submit\">Join</button></form>");
	}
	return http_reply_page(req, status, &page, err);
}

static const struct valid_field invite_query[] = {
	{ .name = "token", .type = VALID_STRING, .max = 100 },
};

/*
 * An invitation for an existing account is accepted by that account,
 * signed in; a pending account chooses its password here.
 */
static int
invite_get(struct request *req, struct error *err)
{
	const char *token = req->query_values[0].str;
	struct invitation inv;
	struct signed_in who;
	int found, state;

	found = invitation_find(token, &inv, err);
	if (found < 0)
		return -1;
	if (found == 0)
		return invite_page(req, 404, token, NULL, "This invitation is "
		    "not valid: it may have expired or been used already. Ask "
		    "for a new one.", err);
	/* With a provider, invitees sign in there; it activates them. */
	if (!inv.pending || req->config->oidc_issuer[0] != '\0') {
		state = signin_current(req, &who, err);
		if (state < 0)
			return -1;
		if (state == 0 || strcmp(who.account_id, inv.account_id) != 0) {
			char *here = arena_printf(req->arena,
			    "/signin/invite?token=%s", token);
			char *location = here != NULL ? arena_printf(req->arena,
			    "/signin?next=%s", url_encode(req->arena, here)) :
			    NULL;

			if (location == NULL)
				return error_set(err, ERR_INTERNAL,
				    "out of memory");
			return http_reply_redirect(req, 303, location, err);
		}
	}
	return invite_page(req, 200, token, &inv, NULL, err);
}

static const struct valid_field invite_form[] = {
	{ .name = "token", .type = VALID_STRING, .max = 100 },
	{ .name = "password", .type = VALID_STRING, .max = 1024 },
	{ .name = "csrf", .type = VALID_STRING, .max = 100 },
};

static const struct db_statement invite_accept = {
	"invite_accept",
	"UPDATE member_invites SET accepted_at = now()"
	" WHERE id = $1 AND accepted_at IS NULL RETURNING id"
};

static const struct db_statement invite_activate = {
	"invite_activate",
	"UPDATE accounts SET password_hash = $2, status = 'active',"
	"       updated_at = now()"
	" WHERE id = $1 AND status = 'pending'"
};

static const struct db_statement invite_switch = {
	"invite_switch",
	"UPDATE accounts SET current_workspace_id = $2, updated_at = now()"
	" WHERE id = $1"
};

struct invite_acceptance {
	const struct invitation *inv;
	const char *password_hash; /* pending accounts only */
	bool accepted;
};

static int
invite_accept_transaction(void *ctx, struct error *err)
{
	struct invite_acceptance *acc = ctx;
	const char *id[] = { acc->inv->id };
	const char *activate[] = { acc->inv->account_id, acc->password_hash };
	const char *switch_to[] = { acc->inv->account_id,
	    acc->inv->workspace_id };
	PGresult *res;

	if (db_exec(&invite_accept, 1, id, &res, err) != 0)
		return -1;
	acc->accepted = PQntuples(res) == 1;
	PQclear(res);
	if (!acc->accepted)
		return 0;
	if ((acc->password_hash != NULL &&
	    db_exec(&invite_activate, 2, activate, NULL, err) != 0) ||
	    db_exec(&invite_switch, 2, switch_to, NULL, err) != 0)
		return -1;
	return 0;
}

static int
invite_post(struct request *req, struct error *err)
{
	const struct valid_value *v = req->body_values;
	struct invite_acceptance acc;
	struct invitation inv;
	struct signed_in who;
	char *password_hash = NULL;
	int found, state, rc;

	if (csrf_verify(req, v[2].str, err) != 0)
		return -1;
	found = invitation_find(v[0].str, &inv, err);
	if (found < 0)
		return -1;
	if (found == 0)
		return invite_page(req, 404, v[0].str, NULL, "This invitation "
		    "is not valid: it may have expired or been used already.",
		    err);
	if (inv.pending && req->config->oidc_issuer[0] != '\0')
		return http_reply_redirect(req, 303, "/signin", err);
	if (inv.pending) {
		if (!v[1].present || strlen(v[1].str) < 8)
			return invite_page(req, 422, v[0].str, &inv,
			    "Choose a password of at least 8 characters.", err);
		password_hash = crypto_password_hash(v[1].str, err);
		if (password_hash == NULL)
			return -1;
	} else {
		state = signin_current(req, &who, err);
		if (state < 0)
			return -1;
		if (state == 0 || strcmp(who.account_id, inv.account_id) != 0)
			return http_reply_redirect(req, 303, "/signin", err);
	}
	memset(&acc, 0, sizeof(acc));
	acc.inv = &inv;
	acc.password_hash = password_hash;
	rc = db_transaction(DB_READ_COMMITTED, invite_accept_transaction, &acc,
	    err);
	free(password_hash);
	if (rc != 0)
		return -1;
	if (!acc.accepted)
		return invite_page(req, 404, v[0].str, NULL, "This invitation "
		    "was used already.", err);
	/* A new account is signed in at once. */
	if (inv.pending && signin_start_session(req, inv.account_id, err) != 0)
		return -1;
	return http_reply_redirect(req, 303, "/signin/done", err);
}

/* ---------------------------------------------------------------- */
/* Authorization                                                    */

struct client {
	char id[CLIENTMETA_URL_MAX + 1]; /* dc_..., or a document URL */
	char name[801];           /* 200 characters of UTF-8 */
	char method[32];
	char secret_sha256[CRYPTO_SHA256_HEX_LEN + 1];
	char scope[201];
	bool allows_code;
	bool allows_refresh;
	bool allows_device;
	json_object *redirect_uris; /* owned */
};

static const struct db_statement client_lookup = {
	"client_lookup",
	"SELECT name, token_endpoint_auth_method, secret_sha256, scope,"
	"       'authorization_code' = ANY (grant_types),"
	"       'refresh_token' = ANY (grant_types),"
	"       array_to_json(redirect_uris),"
	"       '" DEVICE_GRANT "' = ANY (grant_types)"
	"  FROM oauth_clients WHERE id = $1"
};

/* Is a metadata document client's cached document still fresh? */
static const struct db_statement client_document_fresh = {
	"client_document_fresh",
	"SELECT 1 FROM oauth_clients"
	" WHERE id = $1 AND metadata_expires_at > now()"
};

/*
 * Keep a fetched metadata document: the client's row, created or
 * replaced, fresh for $9 seconds.  Its grants and tokens stay.
 */
static const struct db_statement client_document_store = {
	"client_document_store",
	"INSERT INTO oauth_clients"
	"       (id, name, redirect_uris, token_endpoint_auth_method,"
	"        grant_types, scope, client_uri, logo_uri, metadata,"
	"        metadata_expires_at)"
	" VALUES ($1, $2, $3::text[], 'none', $4::text[], $5, $6, $7,"
	"         $8::jsonb, now() + $9::integer * interval '1 second')"
	" ON CONFLICT (id) DO UPDATE SET"
	"       name = EXCLUDED.name, redirect_uris = EXCLUDED.redirect_uris,"
	"       grant_types = EXCLUDED.grant_types, scope = EXCLUDED.scope,"
	"       client_uri = EXCLUDED.client_uri,"
	"       logo_uri = EXCLUDED.logo_uri, metadata = EXCLUDED.metadata,"
	"       metadata_expires_at = EXCLUDED.metadata_expires_at"
};

/* The string member key of doc when it is an acceptable URL, else NULL. */
static const char *
document_url(json_object *doc, const char *key)
{
	const char *value = json_get_string(doc, key);

	return value != NULL && uri_is_acceptable(value) ? value : NULL;
}

/*
 * Make sure the oauth_clients row of the metadata document client url is
 * fresh: when it is missing or stale, fetch the document through the
 * SSRF-guarded client (CLIENTMETA_MAX_BYTES, CLIENTMETA_TIMEOUT_MS, no
 * redirects), check it (lib/clientmeta) and store it for as long as its
 * Cache-Control allows.  Returns 0, or -1 and err:
 * ERR_OAUTH_INVALID_CLIENT with a description when the URL, the fetch
 * or the document is not acceptable (the SSRF guard's refusals
 * included), or a database error.
 */
static int
client_document_resolve(struct request *req, const char *url,
    struct error *err)
{
	static const char *const accept[] = { "Accept: application/json",
	    NULL };
	struct outbound_policy policy;
	struct outbound_response res;
	json_object *doc = NULL, *grants;
	char cache_control[256], content_type[256], seconds[16];
	char reason[sizeof(err->message)];
	const char *scope, *uris, *grant_list;
	PGresult *found;
	int rc = -1, fresh;

	memset(&res, 0, sizeof(res));
	{
		const char *params[] = { url };

		if (db_exec(&client_document_fresh, 1, params, &found, err)
		    != 0)
			return -1;
		fresh = PQntuples(found);
		PQclear(found);
		if (fresh > 0)
			return 0;
	}
	if (outbound_policy_from_config(req->config, &policy, err) != 0)
		return -1;
	if (clientmeta_url_check(&policy, url, err) != 0)
		return -1;
	/*
	 * Anyone can make drio fetch a document, before signing in: bound
	 * how often one address can, so drio is nobody's fetching robot.
	 */
	{
		const char *addr = req->fcgi != NULL ?
		    FCGX_GetParam("REMOTE_ADDR", req->fcgi->envp) : NULL;
		const char *key = arena_printf(req->arena, "cimd:fetch:%s",
		    addr != NULL ? addr : "-");

		if (key == NULL)
			return error_set(err, ERR_INTERNAL, "out of memory");
		if (ratelimit_take(key, CIMD_FETCHES_PER_MINUTE, 60, err) != 0)
			return -1;
	}
	policy.max_bytes = CLIENTMETA_MAX_BYTES;
	if (policy.timeout_ms > CLIENTMETA_TIMEOUT_MS)
		policy.timeout_ms = CLIENTMETA_TIMEOUT_MS;
	if (policy.connect_timeout_ms > policy.timeout_ms)
		policy.connect_timeout_ms = policy.timeout_ms;
	if (outbound_request(&policy, "GET", url, accept, NULL, 0, &res,
	    err) != 0) {
		if (err->code == ERR_INTERNAL)
			return -1;
		snprintf(reason, sizeof(reason), "%s",
		    err->code == ERR_UPSTREAM_TOO_LARGE ? "it is larger than "
		    "5 KiB" : err->code == ERR_UPSTREAM_UNAVAILABLE ?
		    "no answer came in time" : err->message);
		error_clear(err);
		return error_set(err, ERR_OAUTH_INVALID_CLIENT, "The client "
		    "metadata document could not be fetched: %s", reason);
	}
	if (res.status != 200) {
		error_set(err, ERR_OAUTH_INVALID_CLIENT, "The client metadata "
		    "document could not be fetched: its server answered "
		    "HTTP %ld.", res.status);
		goto done;
	}
	if (!clientmeta_content_type_ok(outbound_response_header(&res,
	    "Content-Type", content_type, sizeof(content_type)) == 0 ?
	    content_type : NULL)) {
		error_set(err, ERR_OAUTH_INVALID_CLIENT, "The client metadata "
		    "document is not served as application/json.");
		goto done;
	}
	if (clientmeta_document_check(url, res.body, res.len, &doc, err) != 0)
		goto done;
	snprintf(seconds, sizeof(seconds), "%ld", clientmeta_cache_seconds(
	    outbound_response_header(&res, "Cache-Control", cache_control,
	    sizeof(cache_control)) == 0 ? cache_control : NULL));
	scope = scope_normalise(req->arena, json_get_string(doc, "scope") !=
	    NULL ? json_get_string(doc, "scope") : "api offline_access", NULL);
	if (scope == NULL) {
		error_set(err, ERR_OAUTH_INVALID_CLIENT, "The client metadata "
		    "document asks for an unknown scope; the scopes are api "
		    "and offline_access.");
		goto done;
	}
	{
		json_object *list = json_get_array(doc, "redirect_uris");
		size_t i;

		for (i = 0; i < json_object_array_length(list); i++)
			if (!uri_is_acceptable(json_object_get_string(
			    json_object_array_get_idx(list, i)))) {
				error_set(err, ERR_OAUTH_INVALID_CLIENT,
				    "The client metadata document's redirect "
				    "URIs must be absolute https URIs (or http "
				    "on a loopback host) without a fragment.");
				goto done;
			}
		uris = pg_array(req->arena, list);
	}
	grants = json_get_array(doc, "grant_types");
	grant_list = grants != NULL ? pg_array(req->arena, grants) :
	    "{authorization_code,refresh_token}";
	if (uris == NULL || grant_list == NULL) {
		error_set(err, ERR_INTERNAL, "out of memory");
		goto done;
	}
	{
		const char *params[] = { url, json_get_string(doc,
		    "client_name"), uris, grant_list, scope,
		    document_url(doc, "client_uri"),
		    document_url(doc, "logo_uri"), json_text(doc), seconds };

		if (params[7] == NULL) {
			error_set(err, ERR_INTERNAL, "out of memory");
			goto done;
		}
		if (db_exec(&client_document_store, 9, params, NULL, err) != 0)
			goto done;
	}
	rc = 0;
done:
	json_object_put(doc);
	outbound_response_free(&res);
	return rc;
}

/*
 * Load client id: a registered client (dc_...), or one named by the URL
 * of its metadata document, fetched first when drio has no fresh copy
 * (client_document_resolve).  Returns 1 when found (release with
 * client_free), 0 when there is no such registered client, -1 and err
 * on a database error or ERR_OAUTH_INVALID_CLIENT when a metadata
 * document cannot be used.
 */
static int
client_load(struct request *req, const char *id, struct client *client,
    struct error *err)
{
	const char *params[] = { id };
	PGresult *res;

	memset(client, 0, sizeof(*client));
	if (id == NULL || strlen(id) >= sizeof(client->id))
		return 0;
	if (clientmeta_is_url(id)) {
		if (client_document_resolve(req, id, err) != 0)
			return -1;
	} else if (strncmp(id, CLIENT_PREFIX, 3) != 0)
		return 0;
	if (db_exec(&client_lookup, 1, params, &res, err) != 0)
		return -1;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return 0;
	}
	snprintf(client->id, sizeof(client->id), "%s", id);
	snprintf(client->name, sizeof(client->name), "%s", db_value(res, 0, 0));
	snprintf(client->method, sizeof(client->method), "%s",
	    db_value(res, 0, 1));
	snprintf(client->secret_sha256, sizeof(client->secret_sha256), "%s",
	    db_value(res, 0, 2) != NULL ? db_value(res, 0, 2) : "");
	snprintf(client->scope, sizeof(client->scope), "%s",
	    db_value(res, 0, 3));
	client->allows_code = db_bool(res, 0, 4);
	client->allows_refresh = db_bool(res, 0, 5);
	client->redirect_uris = json_tokener_parse(db_value(res, 0, 6));
	client->allows_device = db_bool(res, 0, 7);
	PQclear(res);
	if (client->redirect_uris == NULL)
		return error_set(err, ERR_INTERNAL, "out of memory");
	return 1;
}

static void
client_free(struct client *client)
{
	json_object_put(client->redirect_uris);
	client->redirect_uris = NULL;
}

static const struct valid_field authorize_fields[] = {
	{ .name = "response_type", .type = VALID_STRING, .max = 100 },
	{ .name = "client_id", .type = VALID_STRING,
	  .max = CLIENTMETA_URL_MAX },
	{ .name = "redirect_uri", .type = VALID_STRING, .max = 2000 },
	{ .name = "code_challenge", .type = VALID_STRING, .max = 200 },
	{ .name = "code_challenge_method", .type = VALID_STRING, .max = 20 },
	{ .name = "scope", .type = VALID_STRING, .max = 200 },
	{ .name = "state", .type = VALID_STRING, .max = 1000 },
	/* The consent form's own fields; ignored on GET. */
	{ .name = "csrf", .type = VALID_STRING, .max = 100 },
	{ .name = "decision", .type = VALID_STRING, .max = 10 },
};
enum { AZ_RESPONSE_TYPE, AZ_CLIENT_ID, AZ_REDIRECT_URI, AZ_CHALLENGE,
	AZ_CHALLENGE_METHOD, AZ_SCOPE, AZ_STATE, AZ_CSRF, AZ_DECISION,
	AZ__MAX };

/* An authorization request, checked. */
struct authorization {
	struct client client;
	const char *redirect_uri;
	const char *scope;     /* normalised */
	const char *state;     /* NULL when absent */
	const char *challenge;
	/* RFC 8707: the one resource asked for (canonical), or NULL; for an
	 * MCP endpoint, its app's name. */
	const char *resource;
	enum auth_resource_kind resource_kind;
	const char *resource_name;
};

/*
 * Send the client an error by redirect, with state and iss (RFC 9207).
 * Returns what http_reply_redirect returns.
 */
static int
authorize_redirect(struct request *req, const struct authorization *az,
    const char *code, enum error_code error, const char *description,
    struct error *err)
{
	const char *sep = strchr(az->redirect_uri, '?') != NULL ? "&" : "?";
	char *location;

	if (code != NULL)
		location = arena_printf(req->arena, "%s%scode=%s", az->redirect_uri,
		    sep, code);
	else
		location = arena_printf(req->arena,
		    "%s%serror=%s&error_description=%s", az->redirect_uri, sep,
		    error_code_string(error), url_encode(req->arena,
		    description != NULL ? description :
		    error_default_message(error)));
	if (location != NULL && az->state != NULL)
		location = arena_printf(req->arena, "%s&state=%s", location,
		    url_encode(req->arena, az->state));
	if (location != NULL)
		location = arena_printf(req->arena, "%s&iss=%s", location,
		    url_encode(req->arena, req->config->public_url));
	if (location == NULL)
		return error_set(err, ERR_INTERNAL, "out of memory");
	return http_reply_redirect(req, 302, location, err);
}

/* Is s a PKCE code challenge or verifier: 43-128 unreserved characters? */
static bool
pkce_is_well_formed(const char *s)
{
	size_t len = s != NULL ? strlen(s) : 0;

	return len >= 43 && len <= 128 &&
	    strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-._~") == len;
}

/*
 * Check an authorization request (GET or the consent POST).  Returns 1
 * when it is good (az filled; release az->client), 0 when a response was
 * already sent (an error redirect), -1 and err for an error page.
 */
static int
authorize_check(struct request *req, const struct valid_value *v,
    struct authorization *az, struct error *err)
{
	const char *client_id = v[AZ_CLIENT_ID].str;
	size_t i, n;
	int found;

	memset(az, 0, sizeof(*az));
	found = client_load(req, client_id, &az->client, err);
	if (found < 0 && err->code == ERR_OAUTH_INVALID_CLIENT) {
		/* Not a redirect: the redirect URI is not known to be its. */
		char reason[sizeof(err->message)];

		snprintf(reason, sizeof(reason), "%s", err->message);
		error_clear(err);
		error_set(err, ERR_BAD_REQUEST, "%s", reason);
		error_hint(err, "Tell the application's developers; nothing "
		    "was sent back to it.");
		return -1;
	}
	if (found < 0)
		return -1;
	if (found == 0) {
		error_set(err, ERR_BAD_REQUEST,
		    "The application asking for access is not registered here.");
		error_hint(err, "Tell its developers that client_id is unknown.");
		return -1;
	}
	n = json_object_array_length(az->client.redirect_uris);
	if (!v[AZ_REDIRECT_URI].present && n == 1)
		az->redirect_uri = json_object_get_string(
		    json_object_array_get_idx(az->client.redirect_uris, 0));
	for (i = 0; v[AZ_REDIRECT_URI].present && i < n; i++)
		if (strcmp(json_object_get_string(json_object_array_get_idx(
		    az->client.redirect_uris, i)), v[AZ_REDIRECT_URI].str) == 0)
			az->redirect_uri = v[AZ_REDIRECT_URI].str;
	if (az->redirect_uri == NULL) {
		client_free(&az->client);
		error_set(err, ERR_BAD_REQUEST, "The redirect URI is not one "
		    "this application registered.");
		error_hint(err, "Nothing was sent back to the application.");
		return -1;
	}
	/* From here on, problems go back to the client by redirect. */
	az->state = v[AZ_STATE].present ? v[AZ_STATE].str : NULL;
	if (!v[AZ_RESPONSE_TYPE].present ||
	    strcmp(v[AZ_RESPONSE_TYPE].str, "code") != 0) {
		authorize_redirect(req, az, NULL,
		    v[AZ_RESPONSE_TYPE].present ?
		    ERR_OAUTH_UNSUPPORTED_RESPONSE_TYPE :
		    ERR_OAUTH_INVALID_REQUEST, "response_type must be code.",
		    err);
		goto sent;
	}
	if (!az->client.allows_code) {
		authorize_redirect(req, az, NULL, ERR_OAUTH_UNAUTHORIZED_CLIENT,
		    NULL, err);
		goto sent;
	}
	if (!pkce_is_well_formed(v[AZ_CHALLENGE].str) ||
	    !v[AZ_CHALLENGE_METHOD].present ||
	    strcmp(v[AZ_CHALLENGE_METHOD].str, "S256") != 0) {
		authorize_redirect(req, az, NULL, ERR_OAUTH_INVALID_REQUEST,
		    "PKCE is required: code_challenge with "
		    "code_challenge_method=S256.", err);
		goto sent;
	}
	az->challenge = v[AZ_CHALLENGE].str;
	az->scope = scope_normalise(req->arena, v[AZ_SCOPE].str,
	    az->client.scope);
	if (az->scope == NULL) {
		authorize_redirect(req, az, NULL, ERR_OAUTH_INVALID_SCOPE, NULL,
		    err);
		goto sent;
	}
	/* The consent form posts the parameters back as its body. */
	{
		struct auth_resource resource;
		bool post = strcmp(req->method, "POST") == 0;

		found = resource_param(req, post ? req->form : req->query,
		    post ? req->nform : req->nquery, &resource,
		    &az->resource_name, err);
		if (found < 0 && err->code == ERR_OAUTH_INVALID_TARGET) {
			char reason[sizeof(err->message)];

			snprintf(reason, sizeof(reason), "%s", err->message);
			error_clear(err);
			authorize_redirect(req, az, NULL,
			    ERR_OAUTH_INVALID_TARGET, reason, err);
			goto sent;
		}
		if (found < 0) {
			client_free(&az->client);
			return -1;
		}
		if (found == 1) {
			az->resource = arena_strdup(req->arena, resource.uri);
			az->resource_kind = resource.kind;
			if (az->resource == NULL) {
				client_free(&az->client);
				return error_set(err, ERR_INTERNAL,
				    "out of memory");
			}
		}
	}
	return 1;
sent:
	client_free(&az->client);
	return 0;
}

/* The host of a URI, for the consent page. */
static char *
uri_host(struct arena *arena, const char *uri)
{
	const char *start = strstr(uri, "://");

	start = start != NULL ? start + 3 : uri;
	return arena_strndup(arena, start, strcspn(start, "/?#"));
}

static int
consent_page(struct request *req, const struct authorization *az,
    const struct signed_in *who, struct error *err)
{
	const char *csrf = csrf_token(req, err);
	struct html page;

	if (csrf == NULL)
		return -1;
	html_init(&page);
	html_page_begin(&page, "Allow access?");
	html_raw(&page, "<p><strong>");
	html_text(&page, az->client.name);
	if (clientmeta_is_url(az->client.id)) {
		/* A name anyone can write: show who vouches for it. */
		html_raw(&page, "</strong> (described by <code>");
		html_text(&page, uri_host(req->arena, az->client.id));
		html_raw(&page, "</code>, returning to <code>");
	} else
		html_raw(&page, "</strong> (returning to <code>");
	html_text(&page, uri_host(req->arena, az->redirect_uri));
	html_raw(&page, "</code>) asks to use drio as <strong>");
	html_text(&page, who->email);
	html_raw(&page, "</strong>.</p>");
	if (clientmeta_is_url(az->client.id)) {
		const char *host = uri_host(req->arena, az->redirect_uri);
		size_t len = host != NULL ? strcspn(host, ":") : 0;

		/* MCP 2025-11-25 asks to warn of loopback redirects: anyone
		 * can name a well-known client's document. */
		if (host != NULL && host[0] == '[')
			len = strcspn(host, "]") + 1;
		if (host != NULL && host_is_loopback(host, len))
			html_raw(&page, "<p class=\"warning\">It returns to a "
			    "program on this computer, and any program here "
			    "could claim to be it: allow only if you started "
			    "it yourself.</p>");
	}
	html_raw(&page, "<p>It will be able to:</p><ul>");
	if (az->resource_kind == AUTH_RESOURCE_MCP && az->resource != NULL) {
		html_raw(&page, "<li>use the app <strong>");
		html_text(&page, az->resource_name != NULL ?
		    az->resource_name : "");
		html_raw(&page, "</strong> as you, through its MCP endpoint "
		    "<code>");
		html_text(&page, az->resource);
		html_raw(&page, "</code> only</li>");
	} else {
		html_raw(&page, "<li>use the drio APIs as you "
		    "(<code>api</code>)</li>");
	}
	if (scope_has(az->scope, "offline_access"))
		html_raw(&page, "<li>keep access after you sign out "
		    "(<code>offline_access</code>)</li>");
	html_raw(&page, "</ul><form method=\"post\" action=\"");
	html_text(&page, req->path);
	html_raw(&page, "\">");
	html_hidden(&page, "csrf", csrf);
	html_hidden(&page, "response_type", "code");
	html_hidden(&page, "client_id", az->client.id);
	html_hidden(&page, "redirect_uri", az->redirect_uri);
	html_hidden(&page, "code_challenge", az->challenge);
	html_hidden(&page, "code_challenge_method", "S256");
	html_hidden(&page, "scope", az->scope);
	if (az->state != NULL)
		html_hidden(&page, "state", az->state);
	if (az->resource != NULL)
		html_hidden(&page, "resource", az->resource);
	html_raw(&page, "<button type=\"submit\" name=\"decision\" "
	    "value=\"allow\">Allow</button><button type=\"submit\" "
	    "name=\"decision\" value=\"deny\">Deny</button></form>"
	    "<p class=\"muted\">You can revoke access at any time from your "
	    "sessions.</p>");
	return http_reply_page(req, 200, &page, err);
}

/*
 * May account_id use the app whose MCP endpoint resource (canonical, or
 * NULL) names (a public app, or a member of its workspace)?  Anything
 * else than such a resource is usable.  Returns 1 or 0, or -1 and err.
 */
static int
resource_usable(struct request *req, const char *resource_uri,
    const char *account_id, struct error *err)
{
	struct auth_resource resource;
	const char *params[3];
	PGresult *res;
	int usable;

	if (resource_uri == NULL || resource_uri[0] == '\0')
		return 1;
	if (auth_resource_parse(req->config->public_url, resource_uri,
	    &resource, err) != 0)
		return -1;
	if (resource.kind != AUTH_RESOURCE_MCP)
		return 1;
	params[0] = resource.workspace_slug;
	params[1] = resource.app_slug;
	params[2] = account_id;
	if (db_exec(&resource_app_usable, 3, params, &res, err) != 0)
		return -1;
	usable = PQntuples(res) == 1;
	PQclear(res);
	return usable;
}

/*
 * When account_id may not use az's resource: send the client
 * access_denied (no consent page: it would show the app to a stranger).
 * Returns 1 when it may, 0 when the answer was sent, or -1 and err.
 */
static int
authorize_refuse_unusable(struct request *req, const struct authorization *az,
    const char *account_id, struct error *err)
{
	int usable = resource_usable(req, az->resource, account_id, err);

	if (usable != 0)
		return usable;
	return authorize_redirect(req, az, NULL, ERR_OAUTH_ACCESS_DENIED,
	    "The account has no access to the app of the resource.", err) == 0 ?
	    0 : -1;
}

/* Send an unsigned-in browser to sign in, then back here. */
static int
authorize_signin_first(struct request *req, struct error *err)
{
	char *here, *location;

	here = arena_printf(req->arena, "%s?%s", req->path,
	    req->query_string);
	location = here != NULL ? arena_printf(req->arena, "/signin?next=%s",
	    url_encode(req->arena, here)) : NULL;
	if (location == NULL)
		return error_set(err, ERR_INTERNAL, "out of memory");
	return http_reply_redirect(req, 303, location, err);
}

static int
authorize_get(struct request *req, struct error *err)
{
	struct authorization az;
	struct signed_in who;
	int rc, state;

	rc = authorize_check(req, req->query_values, &az, err);
	if (rc <= 0)
		return rc;
	state = signin_current(req, &who, err);
	if (state < 0)
		rc = -1;
	else if (state == 0)
		rc = authorize_signin_first(req, err);
	else if ((rc = authorize_refuse_unusable(req, &az, who.account_id,
	    err)) == 1)
		rc = consent_page(req, &az, &who, err);
	client_free(&az.client);
	return rc;
}

static const struct db_statement code_insert = {
	"code_insert",
	"INSERT INTO oauth_codes"
	"       (code_sha256, client_id, account_id, redirect_uri, scope,"
	"        code_challenge, expires_at, resource)"
	" VALUES ($1, $2, $3, $4, $5, $6,"
	"         now() + $7::int * interval '1 second', $8)"
};

static int
authorize_post(struct request *req, struct error *err)
{
	const struct valid_value *v = req->body_values;
	struct authorization az;
	struct signed_in who;
	char code[SECRET_LEN + 2], hash[CRYPTO_SHA256_HEX_LEN + 1];
	char seconds[16];
	int rc, state;

	if (csrf_verify(req, v[AZ_CSRF].str, err) != 0)
		return -1;
	rc = authorize_check(req, v, &az, err);
	if (rc <= 0)
		return rc;
	state = signin_current(req, &who, err);
	if (state <= 0) {
		client_free(&az.client);
		return state < 0 ? -1 : http_reply_redirect(req, 303, "/signin",
		    err);
	}
	if (!v[AZ_DECISION].present || strcmp(v[AZ_DECISION].str, "allow") != 0) {
		rc = authorize_redirect(req, &az, NULL, ERR_OAUTH_ACCESS_DENIED,
		    "The user denied access.", err);
		client_free(&az.client);
		return rc;
	}
	if ((rc = authorize_refuse_unusable(req, &az, who.account_id,
	    err)) != 1) {
		client_free(&az.client);
		return rc;
	}
	snprintf(seconds, sizeof(seconds), "%lld",
	    req->config->oauth_code_seconds);
	if (crypto_random_urlsafe(code, sizeof(code), SECRET_BYTES, err) != 0)
		goto fail;
	crypto_sha256_hex(code, strlen(code), hash);
	{
		const char *params[] = { hash, az.client.id, who.account_id,
		    az.redirect_uri, az.scope, az.challenge, seconds,
		    az.resource };

		if (db_exec(&code_insert, 8, params, NULL, err) != 0)
			goto fail;
	}
	rc = authorize_redirect(req, &az, code, ERR_NONE, NULL, err);
	client_free(&az.client);
	return rc;
fail:
	client_free(&az.client);
	return -1;
}

/* ---------------------------------------------------------------- */
/* Token endpoint                                                   */

static const struct valid_field token_form[] = {
	{ .name = "grant_type", .type = VALID_STRING, .max = 100 },
	{ .name = "code", .type = VALID_STRING, .max = 100 },
	{ .name = "redirect_uri", .type = VALID_STRING, .max = 2000 },
	{ .name = "code_verifier", .type = VALID_STRING, .max = 200 },
	{ .name = "client_id", .type = VALID_STRING,
	  .max = CLIENTMETA_URL_MAX },
	{ .name = "client_secret", .type = VALID_STRING, .max = 200 },
	{ .name = "refresh_token", .type = VALID_STRING, .max = 100 },
	{ .name = "scope", .type = VALID_STRING, .max = 200 },
	{ .name = "token", .type = VALID_STRING, .max = 200 },
	{ .name = "token_type_hint", .type = VALID_STRING, .max = 50 },
	{ .name = "device_code", .type = VALID_STRING, .max = 100 },
};
enum { TK_GRANT_TYPE, TK_CODE, TK_REDIRECT_URI, TK_VERIFIER, TK_CLIENT_ID,
	TK_CLIENT_SECRET, TK_REFRESH_TOKEN, TK_SCOPE, TK_TOKEN, TK_TOKEN_HINT,
	TK_DEVICE_CODE };

/*
 * Check client id's credentials the way it registered: secret sent with
 * HTTP Basic (basic true) or in the body, or none for a public client.
 * Returns 0 with client loaded (release it), or -1 and
 * ERR_OAUTH_INVALID_CLIENT (or a database error).
 */
static int
client_check(struct request *req, const char *id, const char *secret,
    bool basic, struct client *client, struct error *err)
{
	char hash[CRYPTO_SHA256_HEX_LEN + 1];
	int found;

	if (id == NULL)
		return error_set(err, ERR_OAUTH_INVALID_CLIENT,
		    "Send client_id.");
	found = client_load(req, id, client, err);
	if (found < 0)
		return -1;
	if (found == 0)
		return error_set(err, ERR_OAUTH_INVALID_CLIENT,
		    "Unknown client.");
	if (strcmp(client->method, "none") == 0) {
		if (secret == NULL)
			return 0;
	} else if (secret != NULL && basic ==
	    (strcmp(client->method, "client_secret_basic") == 0)) {
		crypto_sha256_hex(secret, strlen(secret), hash);
		if (crypto_equal(hash, client->secret_sha256,
		    CRYPTO_SHA256_HEX_LEN))
			return 0;
	}
	client_free(client);
	return error_set(err, ERR_OAUTH_INVALID_CLIENT,
	    "Client authentication failed.");
}

/*
 * Authenticate the client at the token or revocation endpoint: HTTP
 * Basic, client_secret in the form, or (public) only client_id.  Same
 * returns as client_check().
 */
static int
client_authenticate(struct request *req, struct client *client,
    struct error *err)
{
	const struct valid_value *v = req->body_values;
	const char *authorization = http_header(req, "Authorization");
	const char *id = v[TK_CLIENT_ID].str;

	if (authorization != NULL &&
	    strncasecmp(authorization, "Basic ", 6) == 0) {
		const char *b64 = authorization + 6;
		size_t len = strlen(b64);
		unsigned char *raw = arena_alloc(req->arena, len + 4);
		char *colon;
		int n;

		if (raw == NULL)
			return error_set(err, ERR_INTERNAL, "out of memory");
		n = len % 4 == 0 ? EVP_DecodeBlock(raw,
		    (const unsigned char *)b64, (int)len) : -1;
		if (n < 0)
			return error_set(err, ERR_OAUTH_INVALID_CLIENT,
			    "The Basic credentials are malformed.");
		while (len > 0 && b64[len - 1] == '=') {
			n--;
			len--;
		}
		raw[n] = '\0';
		colon = strchr((char *)raw, ':');
		if (colon == NULL || strlen((char *)raw) != (size_t)n)
			return error_set(err, ERR_OAUTH_INVALID_CLIENT,
			    "The Basic credentials are malformed.");
		*colon = '\0';
		/* RFC 6749 2.3.1: both parts are form-urlencoded. */
		if (http_percent_decode((char *)raw, true) < 0 ||
		    http_percent_decode(colon + 1, true) < 0 ||
		    (id != NULL && strcmp(id, (char *)raw) != 0))
			return error_set(err, ERR_OAUTH_INVALID_CLIENT,
			    "The Basic credentials are malformed.");
		return client_check(req, (char *)raw, colon + 1, true, client,
		    err);
	}
	return client_check(req, id, v[TK_CLIENT_SECRET].present ?
	    v[TK_CLIENT_SECRET].str : NULL, false, client, err);
}

/* What the token endpoint's transaction decided. */
struct token_work {
	struct request *req;
	const struct client *client;
	enum error_code outcome;      /* ERR_NONE: tokens issued */
	const char *description;
	/* Issued. */
	char access_token[CRYPTO_TOKEN_LEN + 1];
	char refresh_token[64];
	char scope[64];
	char grant_id[AUTH_UUID_LEN + 1];
	const char *device_code;      /* the device grant's code */
	/* RFC 8707: the resource the token request names (canonical), or
	 * NULL; and the one the grant is bound to, "" for none. */
	const char *requested_resource;
	char resource[AUTH_RESOURCE_MAX + 1];
};

/* Fail the grant but keep (commit) what the transaction did. */
static int
token_refuse(struct token_work *work, enum error_code outcome,
    const char *description)
{
	work->outcome = outcome;
	work->description = description;
	return 0;
}

static const struct db_statement grant_insert = {
	"grant_insert",
	"INSERT INTO oauth_grants"
	"       (client_id, account_id, scope, device_label, resource)"
	" VALUES ($1, $2, $3, $4, $5) RETURNING id"
};

/*
 * Bind work to the resource its authorization named (NULL or "": none)
 * and check the token request's own `resource` against it: RFC 8707 2.2
 * lets it name the authorized resource again, and nothing else.  Returns
 * true when they agree.
 */
static bool
token_resource_agrees(struct token_work *work, const char *authorized)
{
	snprintf(work->resource, sizeof(work->resource), "%s",
	    authorized != NULL ? authorized : "");
	return work->requested_resource == NULL ||
	    strcmp(work->requested_resource, work->resource) == 0;
}

static const struct db_statement grant_revoke = {
	"grant_revoke",
	"WITH grant_row AS ("
	"       UPDATE oauth_grants SET revoked_at = coalesce(revoked_at, now())"
	"        WHERE id = $1 RETURNING id),"
	"     sessions AS ("
	"       UPDATE api_sessions SET revoked_at = now()"
	"        WHERE grant_id = $1 AND revoked_at IS NULL RETURNING id)"
	" UPDATE oauth_refresh_tokens SET used_at = coalesce(used_at, now())"
	"  WHERE grant_id = $1"
};

static const struct db_statement refresh_insert = {
	"refresh_insert",
	"INSERT INTO oauth_refresh_tokens (token_sha256, grant_id, expires_at)"
	" VALUES ($1, $2, now() + $3::int * interval '1 day')"
};

/*
 * Issue an access token (and a refresh token when the grant's scope has
 * offline_access) on grant_id for account_id, bound to work->resource.
 * label names the session (NULL: the client's name).  Returns 0, or -1
 * and err.
 */
static int
tokens_issue(struct token_work *work, const char *account_id,
    const char *grant_scope, const char *scope, const char *label,
    struct error *err)
{
	const struct config *config = work->req->config;
	char session_id[AUTH_UUID_LEN + 1], hash[CRYPTO_SHA256_HEX_LEN + 1];
	char days[16];

	if (auth_session_issue_for(account_id, work->client->id,
	    label != NULL ? label : work->client->name,
	    config->oauth_access_minutes * 60, work->grant_id,
	    work->resource[0] != '\0' ? work->resource : NULL,
	    work->access_token, sizeof(work->access_token), session_id,
	    err) != 0)
		return -1;
	snprintf(work->scope, sizeof(work->scope), "%s", scope);
	work->refresh_token[0] = '\0';
	if (!scope_has(grant_scope, "offline_access") ||
	    !work->client->allows_refresh)
		return 0;
	memcpy(work->refresh_token, REFRESH_PREFIX, 4);
	if (crypto_random_urlsafe(work->refresh_token + 4,
	    sizeof(work->refresh_token) - 4, SECRET_BYTES, err) != 0)
		return -1;
	crypto_sha256_hex(work->refresh_token, strlen(work->refresh_token),
	    hash);
	snprintf(days, sizeof(days), "%lld", config->oauth_refresh_days);
	{
		const char *params[] = { hash, work->grant_id, days };

		return db_exec(&refresh_insert, 3, params, NULL, err);
	}
}

static const struct db_statement code_claim = {
	"code_claim",
	"SELECT c.client_id, c.account_id, c.redirect_uri, c.scope,"
	"       c.code_challenge, c.expires_at > now(), c.used_at IS NOT NULL,"
	"       c.grant_id, a.status = 'active', c.resource"
	"  FROM oauth_codes c JOIN accounts a ON a.id = c.account_id"
	" WHERE c.code_sha256 = $1 FOR UPDATE OF c"
};

static const struct db_statement code_spend = {
	"code_spend",
	"UPDATE oauth_codes SET used_at = now(), grant_id = $2"
	" WHERE code_sha256 = $1"
};

static const struct db_statement code_mark_used = {
	"code_mark_used",
	"UPDATE oauth_codes SET used_at = coalesce(used_at, now())"
	" WHERE code_sha256 = $1"
};

/* The authorization_code grant, in one transaction. */
static int
grant_authorization_code(void *ctx, struct error *err)
{
	struct token_work *work = ctx;
	const struct valid_value *v = work->req->body_values;
	char hash[CRYPTO_SHA256_HEX_LEN + 1];
	unsigned char digest[EVP_MAX_MD_SIZE];
	char challenge[64], account_id[AUTH_UUID_LEN + 1], scope[64];
	const char *params[2];
	PGresult *res;
	unsigned int dlen = 0;
	bool resource_agrees;
	int rc;

	if (!v[TK_CODE].present || !v[TK_VERIFIER].present ||
	    !v[TK_REDIRECT_URI].present)
		return token_refuse(work, ERR_OAUTH_INVALID_REQUEST,
		    "Send code, redirect_uri and code_verifier.");
	crypto_sha256_hex(v[TK_CODE].str, strlen(v[TK_CODE].str), hash);
	params[0] = hash;
	if (db_exec(&code_claim, 1, params, &res, err) != 0)
		return -1;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return token_refuse(work, ERR_OAUTH_INVALID_GRANT,
		    "Unknown authorization code.");
	}
	if (strcmp(db_value(res, 0, 0), work->client->id) != 0) {
		PQclear(res);
		return token_refuse(work, ERR_OAUTH_INVALID_GRANT,
		    "The code was issued to another client.");
	}
	if (db_bool(res, 0, 6)) {
		/* Replayed: revoke what the first exchange issued. */
		char grant[AUTH_UUID_LEN + 1] = "";

		if (db_value(res, 0, 7) != NULL)
			snprintf(grant, sizeof(grant), "%s", db_value(res, 0, 7));
		PQclear(res);
		if (grant[0] != '\0') {
			params[0] = grant;
			if (db_exec(&grant_revoke, 1, params, NULL, err) != 0)
				return -1;
		}
		return token_refuse(work, ERR_OAUTH_INVALID_GRANT,
		    "The code was already used; what it issued is revoked.");
	}
	if (!db_bool(res, 0, 5) || !db_bool(res, 0, 8) ||
	    strcmp(db_value(res, 0, 2), v[TK_REDIRECT_URI].str) != 0) {
		bool expired = !db_bool(res, 0, 5);

		PQclear(res);
		if (db_exec(&code_mark_used, 1, params, NULL, err) != 0)
			return -1;
		return token_refuse(work, ERR_OAUTH_INVALID_GRANT, expired ?
		    "The code has expired." :
		    "redirect_uri does not match the authorization request.");
	}
	snprintf(account_id, sizeof(account_id), "%s", db_value(res, 0, 1));
	snprintf(scope, sizeof(scope), "%s", db_value(res, 0, 3));
	snprintf(challenge, sizeof(challenge), "%s", db_value(res, 0, 4));
	resource_agrees = token_resource_agrees(work, db_value(res, 0, 9));
	PQclear(res);

	/* PKCE: BASE64URL(SHA256(verifier)) must equal the challenge. */
	{
		char expected[64];
		size_t len;

		if (!pkce_is_well_formed(v[TK_VERIFIER].str))
			return token_refuse(work, ERR_OAUTH_INVALID_GRANT,
			    "code_verifier is malformed.");
		EVP_Digest(v[TK_VERIFIER].str, strlen(v[TK_VERIFIER].str),
		    digest, &dlen, EVP_sha256(), NULL);
		crypto_base64url_encode(digest, dlen, expected);
		len = strlen(expected);
		if (strlen(challenge) != len ||
		    !crypto_equal(expected, challenge, len)) {
			if (db_exec(&code_mark_used, 1, params, NULL, err) != 0)
				return -1;
			return token_refuse(work, ERR_OAUTH_INVALID_GRANT,
			    "code_verifier does not match the challenge.");
		}
	}
	if (!resource_agrees) {
		if (db_exec(&code_mark_used, 1, params, NULL, err) != 0)
			return -1;
		return token_refuse(work, ERR_OAUTH_INVALID_TARGET,
		    "The resource is not the one the code was authorized "
		    "for.");
	}

	{
		const char *grant_params[] = { work->client->id, account_id,
		    scope, NULL, work->resource[0] != '\0' ? work->resource :
		    NULL };

		if (db_exec(&grant_insert, 5, grant_params, &res, err) != 0)
			return -1;
		snprintf(work->grant_id, sizeof(work->grant_id), "%s",
		    db_value(res, 0, 0));
		PQclear(res);
	}
	{
		const char *spend[] = { hash, work->grant_id };

		if (db_exec(&code_spend, 2, spend, NULL, err) != 0)
			return -1;
	}
	rc = tokens_issue(work, account_id, scope, scope, NULL, err);
	if (rc == 0)
		work->outcome = ERR_NONE;
	return rc;
}

static const struct db_statement refresh_claim = {
	"refresh_claim",
	"SELECT r.grant_id, r.used_at IS NOT NULL, r.expires_at > now(),"
	"       g.client_id, g.account_id, g.scope, g.revoked_at IS NOT NULL,"
	"       a.status = 'active', g.device_label, g.resource"
	"  FROM oauth_refresh_tokens r"
	"  JOIN oauth_grants g ON g.id = r.grant_id"
	"  JOIN accounts a ON a.id = g.account_id"
	" WHERE r.token_sha256 = $1 FOR UPDATE OF r, g"
};

static const struct db_statement refresh_spend = {
	"refresh_spend",
	"UPDATE oauth_refresh_tokens SET used_at = now() WHERE token_sha256 = $1"
};

/* The refresh_token grant, in one transaction: rotate, detect reuse. */
static int
grant_refresh_token(void *ctx, struct error *err)
{
	struct token_work *work = ctx;
	const struct valid_value *v = work->req->body_values;
	char hash[CRYPTO_SHA256_HEX_LEN + 1], account_id[AUTH_UUID_LEN + 1];
	char grant_scope[64], label[401];
	const char *params[1] = { hash }, *scope;
	PGresult *res;
	bool spent, live, revoked, active, resource_agrees;

	if (!v[TK_REFRESH_TOKEN].present)
		return token_refuse(work, ERR_OAUTH_INVALID_REQUEST,
		    "Send refresh_token.");
	if (!work->client->allows_refresh)
		return token_refuse(work, ERR_OAUTH_UNAUTHORIZED_CLIENT, NULL);
	crypto_sha256_hex(v[TK_REFRESH_TOKEN].str,
	    strlen(v[TK_REFRESH_TOKEN].str), hash);
	if (db_exec(&refresh_claim, 1, params, &res, err) != 0)
		return -1;
	if (PQntuples(res) != 1 ||
	    strcmp(db_value(res, 0, 3), work->client->id) != 0) {
		PQclear(res);
		return token_refuse(work, ERR_OAUTH_INVALID_GRANT,
		    "Unknown refresh token.");
	}
	snprintf(work->grant_id, sizeof(work->grant_id), "%s",
	    db_value(res, 0, 0));
	spent = db_bool(res, 0, 1);
	live = db_bool(res, 0, 2);
	revoked = db_bool(res, 0, 6);
	active = db_bool(res, 0, 7);
	snprintf(account_id, sizeof(account_id), "%s", db_value(res, 0, 4));
	snprintf(grant_scope, sizeof(grant_scope), "%s", db_value(res, 0, 5));
	snprintf(label, sizeof(label), "%s", db_value(res, 0, 8) != NULL ?
	    db_value(res, 0, 8) : "");
	resource_agrees = token_resource_agrees(work, db_value(res, 0, 9));
	PQclear(res);
	if (spent && !revoked) {
		/* A spent token came back: someone has a copy.  Revoke all. */
		const char *grant[] = { work->grant_id };

		if (db_exec(&grant_revoke, 1, grant, NULL, err) != 0)
			return -1;
		return token_refuse(work, ERR_OAUTH_INVALID_GRANT,
		    "The refresh token was already used; the whole grant is "
		    "revoked.");
	}
	if (spent || revoked || !live || !active)
		return token_refuse(work, ERR_OAUTH_INVALID_GRANT,
		    "The refresh token is expired or revoked.");
	/* A refresh keeps the grant's resource; it cannot move it. */
	if (!resource_agrees)
		return token_refuse(work, ERR_OAUTH_INVALID_TARGET,
		    "The resource is not the one the refresh token was "
		    "issued for.");
	scope = scope_normalise(work->req->arena, v[TK_SCOPE].present ?
	    v[TK_SCOPE].str : grant_scope, grant_scope);
	if (scope == NULL)
		return token_refuse(work, ERR_OAUTH_INVALID_SCOPE,
		    "The scope is wider than the grant.");
	if (db_exec(&refresh_spend, 1, params, NULL, err) != 0)
		return -1;
	if (tokens_issue(work, account_id, grant_scope, scope,
	    label[0] != '\0' ? label : NULL, err) != 0)
		return -1;
	work->outcome = ERR_NONE;
	return 0;
}

/* Answer a grant that issued tokens (RFC 6749 5.1). */
static int
token_reply(struct request *req, struct token_work *work, struct error *err)
{
	json_object *body = json_object_new_object();

	json_put_string(body, "access_token", work->access_token);
	json_put_string(body, "token_type", "Bearer");
	json_object_object_add(body, "expires_in",
	    json_object_new_int64(req->config->oauth_access_minutes * 60));
	json_put_string(body, "scope", work->scope);
	if (work->refresh_token[0] != '\0')
		json_put_string(body, "refresh_token", work->refresh_token);
	memset(work->access_token, 0, sizeof(work->access_token));
	memset(work->refresh_token, 0, sizeof(work->refresh_token));
	if (http_add_header(req, "Cache-Control", "no-store", err) != 0 ||
	    http_add_header(req, "Pragma", "no-cache", err) != 0) {
		json_object_put(body);
		return -1;
	}
	return http_reply_json(req, 200, body);
}

/*
 * Run grant for an authenticated client in one transaction and answer
 * with its tokens or its refusal.  resource is the token request's
 * resource indicator (canonical), or NULL.  Releases client.
 */
static int
token_run(struct request *req, struct client *client,
    int (*grant)(void *, struct error *), const char *device_code,
    const char *resource, struct error *err)
{
	struct token_work work;

	memset(&work, 0, sizeof(work));
	work.req = req;
	work.client = client;
	work.outcome = ERR_INTERNAL;
	work.device_code = device_code;
	work.requested_resource = resource;
	if (db_transaction(DB_READ_COMMITTED, grant, &work, err) != 0) {
		client_free(client);
		return -1;
	}
	client_free(client);
	if (work.outcome != ERR_NONE) {
		error_set(err, work.outcome, "%s", work.description != NULL ?
		    work.description : error_default_message(work.outcome));
		/* At the token endpoint every refusal is a 400 (RFC 8628 3.5). */
		if (work.outcome == ERR_OAUTH_ACCESS_DENIED)
			err->status = 400;
		return -1;
	}
	return token_reply(req, &work, err);
}

static int grant_device_code(void *ctx, struct error *err);

static int
token_post(struct request *req, struct error *err)
{
	const struct valid_value *v = req->body_values;
	struct client client;
	struct auth_resource resource;
	int (*grant)(void *, struct error *) = NULL;
	const char *type = v[TK_GRANT_TYPE].str;
	bool allowed;
	int found;

	if (!v[TK_GRANT_TYPE].present)
		return error_set(err, ERR_OAUTH_INVALID_REQUEST,
		    "Send grant_type.");
	if (strcmp(type, "authorization_code") == 0)
		grant = grant_authorization_code;
	else if (strcmp(type, "refresh_token") == 0)
		grant = grant_refresh_token;
	else if (strcmp(type, DEVICE_GRANT) == 0)
		grant = grant_device_code;
	else
		return error_set(err, ERR_OAUTH_UNSUPPORTED_GRANT_TYPE, NULL);
	if (client_authenticate(req, &client, err) != 0)
		return -1;
	allowed = grant == grant_authorization_code ? client.allows_code :
	    grant == grant_device_code ? client.allows_device : true;
	if (!allowed) {
		client_free(&client);
		return error_set(err, ERR_OAUTH_UNAUTHORIZED_CLIENT, NULL);
	}
	/* Only compared with the authorized one: no app look-up needed. */
	found = resource_param(req, req->form, req->nform, &resource, NULL,
	    err);
	if (found < 0) {
		client_free(&client);
		return -1;
	}
	return token_run(req, &client, grant, v[TK_DEVICE_CODE].str,
	    found == 1 ? resource.uri : NULL, err);
}

/* ---------------------------------------------------------------- */
/* Revocation                                                       */

static const struct db_statement refresh_grant_of = {
	"refresh_grant_of",
	"SELECT g.id FROM oauth_refresh_tokens r"
	"  JOIN oauth_grants g ON g.id = r.grant_id"
	" WHERE r.token_sha256 = $1 AND g.client_id = $2"
};

static const struct db_statement access_revoke = {
	"access_revoke",
	"UPDATE api_sessions SET revoked_at = now()"
	" WHERE token_sha256 = $1 AND client_id = $2 AND grant_id IS NOT NULL"
	"   AND revoked_at IS NULL"
};

static int
revoke_post(struct request *req, struct error *err)
{
	const struct valid_value *v = req->body_values;
	char hash[CRYPTO_SHA256_HEX_LEN + 1];
	struct client client;
	PGresult *res;
	int rc = -1;

	if (client_authenticate(req, &client, err) != 0)
		return -1;
	if (!v[TK_TOKEN].present) {
		error_set(err, ERR_OAUTH_INVALID_REQUEST, "Send token.");
		goto out;
	}
	crypto_sha256_hex(v[TK_TOKEN].str, strlen(v[TK_TOKEN].str), hash);
	{
		const char *params[] = { hash, client.id };

		/* The hint only orders the look-ups; both kinds are tried. */
		if (db_exec(&refresh_grant_of, 2, params, &res, err) != 0)
			goto out;
		if (PQntuples(res) == 1) {
			const char *grant[] = { db_value(res, 0, 0) };

			if (db_exec(&grant_revoke, 1, grant, NULL, err) != 0) {
				PQclear(res);
				goto out;
			}
		} else if (db_exec(&access_revoke, 2, params, NULL, err) != 0) {
			PQclear(res);
			goto out;
		}
		PQclear(res);
	}
	(void)http_add_header(req, "Cache-Control", "no-store", NULL);
	rc = http_reply_json(req, 200, json_object_new_object());
out:
	client_free(&client);
	return rc;
}

/* ---------------------------------------------------------------- */
/* Device authorization (RFC 8628)                                  */

#define DEVICE_EXPIRES_SECONDS 600
#define DEVICE_INTERVAL_SECONDS 5
#define USER_CODE_ALPHABET "BCDFGHJKLMNPQRSTVWXZ"
#define USER_CODE_LEN 8
/* Wrong user codes allowed per 15 minutes, per account and per address. */
#define DEVICE_GUESS_WINDOW_SECONDS 900
#define DEVICE_GUESS_LIMIT 20

/*
 * Normalise a user code as typed (any case, dashes, spaces) into out
 * (USER_CODE_LEN + 1).  Returns true when it is a well-formed code.
 */
static bool
user_code_normalise(const char *typed, char *out)
{
	size_t n = 0;

	for (; typed != NULL && *typed != '\0'; typed++) {
		char c = (char)toupper((unsigned char)*typed);

		if (c == '-' || c == ' ')
			continue;
		if (strchr(USER_CODE_ALPHABET, c) == NULL || c == '\0' ||
		    n == USER_CODE_LEN)
			return false;
		out[n++] = c;
	}
	out[n] = '\0';
	return n == USER_CODE_LEN;
}

/* A fresh user code, normalised, into out.  Returns 0, or -1 and err. */
static int
user_code_new(char out[USER_CODE_LEN + 1], struct error *err)
{
	unsigned char raw[32];
	size_t i, n = 0;

	/* Rejection sampling keeps every letter equally likely. */
	while (n < USER_CODE_LEN) {
		if (crypto_random(raw, sizeof(raw), err) != 0)
			return -1;
		for (i = 0; i < sizeof(raw) && n < USER_CODE_LEN; i++)
			if (raw[i] < 240)
				out[n++] = USER_CODE_ALPHABET[raw[i] % 20];
	}
	out[n] = '\0';
	return 0;
}

/*
 * The device routes read JSON, as the user-scoped API does, or a form, as
 * RFC 8628 3.1 has clients send it; the Content-Type says which.
 */
static int
device_body(struct request *req, const struct valid_field *fields, size_t n,
    struct valid_value *out, struct error *err)
{
	const char *type = http_header(req, "Content-Type");

	if (type != NULL && strncasecmp(type,
	    "application/x-www-form-urlencoded", 33) == 0)
		return http_parse_form(req, err) != 0 ? -1 :
		    valid_form(req, fields, n, out, err);
	return valid_body_lenient(req, fields, n, out, err);
}

static const struct valid_field device_code_body[] = {
	{ .name = "client_id", .type = VALID_STRING,
	  .max = CLIENTMETA_URL_MAX },
	{ .name = "device_label", .type = VALID_STRING, .min = 1,
	  .max = 100 },
	{ .name = "scope", .type = VALID_STRING, .max = 200 },
	{ .name = "client_secret", .type = VALID_STRING, .max = 200 },
	{ .name = "resource", .type = VALID_STRING, .max = AUTH_RESOURCE_MAX },
};
enum { DC_CLIENT_ID, DC_DEVICE_LABEL, DC_SCOPE, DC_CLIENT_SECRET,
	DC_RESOURCE, DC__MAX };

/*
 * The resource indicator of a device route's body, validated by its
 * table (a string, given once) into value.  Returns 1 with out filled
 * (for an MCP endpoint, its app must exist), 0 when there is none, -1
 * and err: ERR_OAUTH_INVALID_TARGET, or a database error.
 */
static int
device_resource(struct request *req, const struct valid_value *value,
    struct auth_resource *out, bool app_must_exist, struct error *err)
{
	struct http_param param;
	const char *name;

	memset(out, 0, sizeof(*out));
	if (!value->present)
		return 0;
	param.name = "resource";
	param.value = value->str;
	return resource_param(req, &param, 1, out, app_must_exist ? &name :
	    NULL, err);
}

/*
 * A device route's body failed its table: a bad resource is
 * invalid_target (RFC 8707 2), anything else the route's own error.
 * Returns -1.
 */
static int
device_body_refuse(struct error *err, const char *otherwise)
{
	if (err->code == ERR_VALIDATION &&
	    strcmp(failed_field(err), "resource") == 0)
		return error_set(err, ERR_OAUTH_INVALID_TARGET, "Name one "
		    "resource, as a string.");
	return error_set(err, ERR_OAUTH_INVALID_REQUEST, "%s", otherwise);
}

static const struct db_statement device_insert = {
	"device_insert",
	"INSERT INTO device_authorizations"
	"       (device_code_sha256, user_code_sha256, client_id, device_label,"
	"        scope, interval_seconds, expires_at, resource)"
	" VALUES ($1, $2, $3, $4, $5, $6::int,"
	"         now() + $7::int * interval '1 second', $8)"
	" ON CONFLICT (user_code_sha256) DO NOTHING RETURNING id"
};

/* Decided and expired requests are swept now and then. */
static const struct db_statement device_sweep = {
	"device_sweep",
	"DELETE FROM device_authorizations"
	" WHERE expires_at < now() - interval '1 day'"
};

static int
device_code_post(struct request *req, struct error *err)
{
	struct valid_value v[DC__MAX];
	struct client client;
	struct auth_resource resource;
	char device_code[SECRET_LEN + 2], user_code[USER_CODE_LEN + 1];
	char device_hash[CRYPTO_SHA256_HEX_LEN + 1];
	char user_hash[CRYPTO_SHA256_HEX_LEN + 1], interval[8], expires[8];
	const char *scope;
	json_object *body;
	int attempt, rc = -1;

	if (device_body(req, device_code_body, DC__MAX, v, err) != 0)
		return device_body_refuse(err,
		    "device_label must have 1 to 100 characters.");
	if (client_check(req, v[DC_CLIENT_ID].str, v[DC_CLIENT_SECRET].str,
	    false, &client, err) != 0)
		return -1;
	if (!client.allows_device) {
		error_set(err, ERR_OAUTH_UNAUTHORIZED_CLIENT,
		    "The client is not registered for the device grant.");
		goto out;
	}
	scope = scope_normalise(req->arena, v[DC_SCOPE].str, client.scope);
	if (scope == NULL) {
		error_set(err, ERR_OAUTH_INVALID_SCOPE, NULL);
		goto out;
	}
	if (device_resource(req, &v[DC_RESOURCE], &resource, true, err) < 0)
		goto out;
	if (crypto_random_urlsafe(device_code, sizeof(device_code),
	    SECRET_BYTES, err) != 0)
		goto out;
	crypto_sha256_hex(device_code, strlen(device_code), device_hash);
	snprintf(interval, sizeof(interval), "%d", DEVICE_INTERVAL_SECONDS);
	snprintf(expires, sizeof(expires), "%d", DEVICE_EXPIRES_SECONDS);
	for (attempt = 0; ; attempt++) {
		/* Generic RFC 8628 clients name no device: use the client. */
		const char *params[] = { device_hash, user_hash, client.id,
		    v[DC_DEVICE_LABEL].present ? v[DC_DEVICE_LABEL].str :
		    client.name, scope, interval, expires,
		    resource.uri[0] != '\0' ? resource.uri : NULL };
		PGresult *res;
		int inserted;

		if (attempt == 5) {
			error_set(err, ERR_INTERNAL, "no free user code");
			goto out;
		}
		if (user_code_new(user_code, err) != 0)
			goto out;
		crypto_sha256_hex(user_code, USER_CODE_LEN, user_hash);
		if (db_exec(&device_insert, 8, params, &res, err) != 0)
			goto out;
		inserted = PQntuples(res);
		PQclear(res);
		if (inserted == 1)
			break;
	}
	if (rand() % 50 == 0)
		(void)db_exec(&device_sweep, 0, NULL, NULL, NULL);

	body = json_object_new_object();
	json_put_string(body, "device_code", device_code);
	json_put_string(body, "user_code", arena_printf(req->arena,
	    "%.4s-%.4s", user_code, user_code + 4));
	json_put_string(body, "verification_uri", arena_printf(req->arena,
	    "%s/device", req->config->public_url));
	json_put_string(body, "verification_uri_complete",
	    arena_printf(req->arena, "%s/device?user_code=%.4s-%.4s",
	    req->config->public_url, user_code, user_code + 4));
	json_object_object_add(body, "expires_in",
	    json_object_new_int(DEVICE_EXPIRES_SECONDS));
	json_object_object_add(body, "interval",
	    json_object_new_int(DEVICE_INTERVAL_SECONDS));
	(void)http_add_header(req, "Cache-Control", "no-store", NULL);
	rc = http_reply_json(req, 200, body);
out:
	client_free(&client);
	return rc;
}

static const struct db_statement device_claim = {
	"device_claim",
	"SELECT client_id, status, expires_at > now(),"
	"       last_polled_at IS NOT NULL AND last_polled_at >"
	"         now() - interval_seconds * interval '1 second',"
	"       account_id, scope, device_label, resource"
	"  FROM device_authorizations"
	" WHERE device_code_sha256 = $1 FOR UPDATE"
};

static const struct db_statement device_polled = {
	"device_polled",
	"UPDATE device_authorizations"
	"   SET last_polled_at = now(),"
	"       interval_seconds = interval_seconds + CASE WHEN $2 THEN 5 ELSE 0 END"
	" WHERE device_code_sha256 = $1"
};

static const struct db_statement device_consume = {
	"device_consume",
	"UPDATE device_authorizations SET status = 'consumed'"
	" WHERE device_code_sha256 = $1"
};

/* The device_code grant: one poll, in one transaction. */
static int
grant_device_code(void *ctx, struct error *err)
{
	struct token_work *work = ctx;
	char hash[CRYPTO_SHA256_HEX_LEN + 1], account_id[AUTH_UUID_LEN + 1];
	char scope[64], label[401], status[16];
	const char *params[2] = { hash, "false" };
	PGresult *res;
	bool live, too_fast, resource_agrees;

	if (work->device_code == NULL)
		return token_refuse(work, ERR_OAUTH_INVALID_REQUEST,
		    "Send device_code.");
	crypto_sha256_hex(work->device_code, strlen(work->device_code), hash);
	if (db_exec(&device_claim, 1, params, &res, err) != 0)
		return -1;
	if (PQntuples(res) != 1 ||
	    strcmp(db_value(res, 0, 0), work->client->id) != 0) {
		PQclear(res);
		return token_refuse(work, ERR_OAUTH_INVALID_GRANT,
		    "Unknown device code.");
	}
	snprintf(status, sizeof(status), "%s", db_value(res, 0, 1));
	live = db_bool(res, 0, 2);
	too_fast = db_bool(res, 0, 3);
	snprintf(account_id, sizeof(account_id), "%s",
	    db_value(res, 0, 4) != NULL ? db_value(res, 0, 4) : "");
	snprintf(scope, sizeof(scope), "%s", db_value(res, 0, 5));
	snprintf(label, sizeof(label), "%s", db_value(res, 0, 6));
	resource_agrees = token_resource_agrees(work, db_value(res, 0, 7));
	PQclear(res);

	/* A poll may name the requested resource again, and nothing else. */
	if (!resource_agrees)
		return token_refuse(work, ERR_OAUTH_INVALID_TARGET,
		    "The resource is not the one the device asked for.");
	if (strcmp(status, "consumed") == 0)
		return token_refuse(work, ERR_OAUTH_INVALID_GRANT,
		    "The device code was already used.");
	if (strcmp(status, "denied") == 0)
		return token_refuse(work, ERR_OAUTH_ACCESS_DENIED,
		    "The user denied the request.");
	if (!live)
		return token_refuse(work, ERR_OAUTH_EXPIRED_TOKEN, NULL);
	if (strcmp(status, "pending") == 0) {
		params[1] = too_fast ? "true" : "false";
		if (db_exec(&device_polled, 2, params, NULL, err) != 0)
			return -1;
		return token_refuse(work, too_fast ? ERR_OAUTH_SLOW_DOWN :
		    ERR_OAUTH_AUTHORIZATION_PENDING, NULL);
	}
	/* Approved: issue once. */
	{
		const char *grant_params[] = { work->client->id, account_id,
		    scope, label, work->resource[0] != '\0' ? work->resource :
		    NULL };

		if (db_exec(&grant_insert, 5, grant_params, &res, err) != 0)
			return -1;
		snprintf(work->grant_id, sizeof(work->grant_id), "%s",
		    db_value(res, 0, 0));
		PQclear(res);
	}
	if (db_exec(&device_consume, 1, params, NULL, err) != 0 ||
	    tokens_issue(work, account_id, scope, scope, label, err) != 0)
		return -1;
	work->outcome = ERR_NONE;
	return 0;
}

static const struct valid_field device_token_body[] = {
	{ .name = "client_id", .type = VALID_STRING,
	  .max = CLIENTMETA_URL_MAX },
	{ .name = "device_code", .type = VALID_STRING, .required = true,
	  .max = 100 },
	{ .name = "client_secret", .type = VALID_STRING, .max = 200 },
	{ .name = "resource", .type = VALID_STRING, .max = AUTH_RESOURCE_MAX },
};
enum { DT_CLIENT_ID, DT_DEVICE_CODE, DT_CLIENT_SECRET, DT_RESOURCE,
	DT__MAX };

/* POST /openapi/v1/oauth/device/token: the same poll, as JSON. */
static int
device_token_post(struct request *req, struct error *err)
{
	struct valid_value v[DT__MAX];
	struct auth_resource resource;
	struct client client;
	int found;

	if (device_body(req, device_token_body, DT__MAX, v, err) != 0)
		return device_body_refuse(err, "Send device_code.");
	if (client_check(req, v[DT_CLIENT_ID].str, v[DT_CLIENT_SECRET].str,
	    false, &client, err) != 0)
		return -1;
	if (!client.allows_device) {
		client_free(&client);
		return error_set(err, ERR_OAUTH_UNAUTHORIZED_CLIENT, NULL);
	}
	found = device_resource(req, &v[DT_RESOURCE], &resource, false, err);
	if (found < 0) {
		client_free(&client);
		return -1;
	}
	return token_run(req, &client, grant_device_code,
	    v[DT_DEVICE_CODE].str, found == 1 ? resource.uri : NULL, err);
}

/*
 * Refuse when this account or this address has guessed too many wrong
 * user codes.  Returns 0, or -1 and err (429 with retry_after).
 */
static int
device_guess_check(struct request *req, const char *account_id,
    char **account_key, char **address_key, struct error *err)
{
	const char *addr = req->fcgi != NULL ?
	    FCGX_GetParam("REMOTE_ADDR", req->fcgi->envp) : NULL;

	*account_key = arena_printf(req->arena, "device-account:%s",
	    account_id);
	*address_key = arena_printf(req->arena, "device-addr:%s",
	    addr != NULL ? addr : "-");
	if (*account_key == NULL || *address_key == NULL)
		return error_set(err, ERR_INTERNAL, "out of memory");
	if (ratelimit_check(*account_key, DEVICE_GUESS_LIMIT,
	    DEVICE_GUESS_WINDOW_SECONDS, err) != 0 ||
	    ratelimit_check(*address_key, DEVICE_GUESS_LIMIT,
	    DEVICE_GUESS_WINDOW_SECONDS, err) != 0)
		return -1;
	return 0;
}

static int
device_guess_wrong(const char *account_key, const char *address_key,
    struct error *err)
{
	if (ratelimit_hit(account_key, DEVICE_GUESS_WINDOW_SECONDS, err) != 0 ||
	    ratelimit_hit(address_key, DEVICE_GUESS_WINDOW_SECONDS, err) != 0)
		return -1;
	return 0;
}

struct device_request {
	char client_id[40];
	char client_name[801];    /* 200 characters of UTF-8 */
	char device_label[401];   /* 100 characters of UTF-8 */
	long long expires_in;
	char resource[AUTH_RESOURCE_MAX + 1]; /* "" when none */
};

static const struct db_statement device_pending = {
	"device_pending",
	"SELECT d.client_id, c.name, d.device_label,"
	"       greatest(1, ceil(extract(epoch FROM d.expires_at - now()))),"
	"       d.resource"
	"  FROM device_authorizations d"
	"  JOIN oauth_clients c ON c.id = d.client_id"
	" WHERE d.user_code_sha256 = $1 AND d.status = 'pending'"
	"   AND d.expires_at > now()"
};

/*
 * Find the live pending request a typed user code names, counting a
 * wrong code against the account and address.  Returns 1 and fills dr
 * when found, 0 when not, -1 and err (429 included).
 */
static int
device_find(struct request *req, const char *account_id, const char *typed,
    struct device_request *dr, struct error *err)
{
	char code[USER_CODE_LEN + 1], hash[CRYPTO_SHA256_HEX_LEN + 1];
	const char *params[] = { hash };
	char *account_key, *address_key;
	PGresult *res;
	int found = 0;

	memset(dr, 0, sizeof(*dr));
	if (device_guess_check(req, account_id, &account_key, &address_key,
	    err) != 0)
		return -1;
	if (user_code_normalise(typed, code)) {
		crypto_sha256_hex(code, USER_CODE_LEN, hash);
		if (db_exec(&device_pending, 1, params, &res, err) != 0)
			return -1;
		found = PQntuples(res) == 1;
		if (found) {
			snprintf(dr->client_id, sizeof(dr->client_id), "%s",
			    db_value(res, 0, 0));
			snprintf(dr->client_name, sizeof(dr->client_name), "%s",
			    db_value(res, 0, 1));
			snprintf(dr->device_label, sizeof(dr->device_label),
			    "%s", db_value(res, 0, 2));
			dr->expires_in = db_int(res, 0, 3);
			snprintf(dr->resource, sizeof(dr->resource), "%s",
			    db_value(res, 0, 4) != NULL ?
			    db_value(res, 0, 4) : "");
		}
		PQclear(res);
	}
	if (!found && device_guess_wrong(account_key, address_key, err) != 0)
		return -1;
	return found;
}

static const struct db_statement device_decide = {
	"device_decide",
	"UPDATE device_authorizations"
	"   SET status = $2, account_id = CASE WHEN $2 = 'approved' THEN $3::uuid END,"
	"       decided_at = now()"
	" WHERE user_code_sha256 = $1 AND status = 'pending'"
	"   AND expires_at > now()"
	" RETURNING id"
};

static const struct db_statement device_resource_of = {
	"device_resource_of",
	"SELECT resource FROM device_authorizations"
	" WHERE user_code_sha256 = $1 AND status = 'pending'"
	"   AND expires_at > now()"
};

/*
 * Refuse account_id's approval of the pending request whose user code
 * hashes to hash when it names a private app's endpoint the account may
 * not use.  Returns 0, or -1 and err (ERR_FORBIDDEN, or a database
 * error).
 */
static int
device_refuse_unusable(struct request *req, const char *hash,
    const char *account_id, struct error *err)
{
	const char *params[] = { hash };
	PGresult *res;
	int usable = 1;

	if (db_exec(&device_resource_of, 1, params, &res, err) != 0)
		return -1;
	if (PQntuples(res) == 1)
		usable = resource_usable(req, db_value(res, 0, 0), account_id,
		    err);
	PQclear(res);
	if (usable < 0)
		return -1;
	if (usable == 0)
		return error_set(err, ERR_FORBIDDEN, "The account has no access"
		    " to the app this request is for.");
	return 0;
}

/*
 * Approve or deny the request a typed user code names, as account_id.
 * Returns 0, or -1 and err: ERR_DEVICE_CODE_NOT_FOUND, 429,
 * ERR_FORBIDDEN for an approval of a private app's endpoint by a
 * stranger to it, database.
 */
static int
device_set_decision(struct request *req, const char *account_id,
    const char *typed, bool approve, struct error *err)
{
	char code[USER_CODE_LEN + 1], hash[CRYPTO_SHA256_HEX_LEN + 1];
	const char *params[] = { hash, approve ? "approved" : "denied",
	    account_id };
	char *account_key, *address_key;
	PGresult *res;
	int decided = 0;

	if (device_guess_check(req, account_id, &account_key, &address_key,
	    err) != 0)
		return -1;
	if (user_code_normalise(typed, code)) {
		crypto_sha256_hex(code, USER_CODE_LEN, hash);
		if (approve && device_refuse_unusable(req, hash, account_id,
		    err) != 0)
			return -1;
		if (db_exec(&device_decide, 3, params, &res, err) != 0)
			return -1;
		decided = PQntuples(res);
		PQclear(res);
	}
	if (decided == 1)
		return 0;
	if (device_guess_wrong(account_key, address_key, err) != 0)
		return -1;
	return error_set(err, ERR_DEVICE_CODE_NOT_FOUND, NULL);
}

static const struct valid_field device_lookup_query[] = {
	{ .name = "user_code", .type = VALID_STRING, .required = true,
	  .max = 32 },
};

static int
device_lookup(struct request *req, struct error *err)
{
	struct device_request dr;
	json_object *body;
	int found;

	found = device_find(req, req->identity.account_id,
	    req->query_values[0].str, &dr, err);
	if (found < 0)
		return -1;
	body = json_object_new_object();
	json_object_object_add(body, "valid", json_object_new_boolean(found));
	if (found) {
		json_put_string(body, "client_id", dr.client_id);
		json_put_string(body, "client_name", dr.client_name);
		json_put_string(body, "device_label", dr.device_label);
		json_object_object_add(body, "expires_in_remaining",
		    json_object_new_int64(dr.expires_in));
		if (dr.resource[0] != '\0')
			json_put_string(body, "resource", dr.resource);
	}
	return http_reply_json(req, 200, body);
}

static const struct valid_field device_mutate_body[] = {
	{ .name = "user_code", .type = VALID_STRING, .required = true,
	  .max = 32 },
};

static int
device_decision_reply(struct request *req, bool approve, struct error *err)
{
	json_object *body;

	if (device_set_decision(req, req->identity.account_id,
	    req->body_values[0].str, approve, err) != 0)
		return -1;
	body = json_object_new_object();
	json_put_string(body, "status", approve ? "approved" : "denied");
	return http_reply_json(req, 200, body);
}

static int
device_approve(struct request *req, struct error *err)
{
	return device_decision_reply(req, true, err);
}

static int
device_deny(struct request *req, struct error *err)
{
	return device_decision_reply(req, false, err);
}

/* The verification page: enter a code, or decide on the one given. */
static int
device_page(struct request *req, int status, const struct signed_in *who,
    const char *typed, const struct device_request *dr, const char *notice,
    struct error *err)
{
	const char *csrf = csrf_token(req, err);
	struct html page;

	if (csrf == NULL)
		return -1;
	html_init(&page);
	html_page_begin(&page, dr != NULL ? "Connect a device?" :
	    "Connect a device");
	if (notice != NULL) {
		html_raw(&page, status >= 400 ?
		    "<p class=\"error\" role=\"alert\">" : "<p>");
		html_text(&page, notice);
		html_raw(&page, "</p>");
	}
	if (dr != NULL) {
		html_raw(&page, "<p><strong>");
		html_text(&page, dr->client_name);
		html_raw(&page, "</strong> on the device <strong>");
		html_text(&page, dr->device_label);
		html_raw(&page, "</strong> asks to use drio as <strong>");
		html_text(&page, who->email);
		if (dr->resource[0] != '\0') {
			html_raw(&page, "</strong>, for <code>");
			html_text(&page, dr->resource);
			html_raw(&page, "</code> only");
		} else {
			html_raw(&page, "</strong>");
		}
		html_raw(&page, ".</p><p>Only approve if you started "
		    "this on that device and it shows the code <code>");
		html_text(&page, typed);
		html_raw(&page, "</code>.</p><form method=\"post\" "
		    "action=\"/device\">");
		html_hidden(&page, "csrf", csrf);
		html_hidden(&page, "user_code", typed);
		html_raw(&page, "<button type=\"submit\" name=\"decision\" "
		    "value=\"approve\">Approve</button><button type=\"submit\" "
		    "name=\"decision\" value=\"deny\">Deny</button></form>");
	} else if (status < 300 && notice != NULL) {
		/* A decision was made: nothing more to ask. */
	} else {
		html_raw(&page, "<form method=\"get\" action=\"/device\">"
		    "<label for=\"user_code\">The code your device shows"
		    "</label><input type=\"text\" id=\"user_code\" "
		    "name=\"user_code\" autocomplete=\"off\" "
		    "autocapitalize=\"characters\" required value=\"");
		html_text(&page, typed != NULL ? typed : "");
		html_raw(&page, "\"><button type=\"submit\">Continue</button>"
		    "</form>");
	}
	return http_reply_page(req, status, &page, err);
}

static const struct valid_field device_page_query[] = {
	{ .name = "user_code", .type = VALID_STRING, .max = 32 },
};

static int
device_get(struct request *req, struct error *err)
{
	const char *typed = req->query_values[0].str;
	struct device_request dr;
	struct signed_in who;
	int state, found;

	state = signin_current(req, &who, err);
	if (state < 0)
		return -1;
	if (state == 0) {
		char *here = typed != NULL ? arena_printf(req->arena,
		    "/device?user_code=%s", url_encode(req->arena, typed)) :
		    "/device";
		char *location = here != NULL ? arena_printf(req->arena,
		    "/signin?next=%s", url_encode(req->arena, here)) : NULL;

		if (location == NULL)
			return error_set(err, ERR_INTERNAL, "out of memory");
		return http_reply_redirect(req, 303, location, err);
	}
	if (typed == NULL)
		return device_page(req, 200, &who, NULL, NULL, NULL, err);
	found = device_find(req, who.account_id, typed, &dr, err);
	if (found < 0)
		return -1;
	if (found == 0)
		return device_page(req, 404, &who, typed, NULL,
		    "That code is not valid, or it has expired. Check the "
		    "code your device shows.", err);
	return device_page(req, 200, &who, typed, &dr, NULL, err);
}

static const struct valid_field device_page_form[] = {
	{ .name = "user_code", .type = VALID_STRING, .max = 32 },
	{ .name = "decision", .type = VALID_STRING, .max = 10 },
	{ .name = "csrf", .type = VALID_STRING, .max = 100 },
};

static int
device_post(struct request *req, struct error *err)
{
	const struct valid_value *v = req->body_values;
	struct signed_in who;
	bool approve;
	int state;

	if (csrf_verify(req, v[2].str, err) != 0)
		return -1;
	state = signin_current(req, &who, err);
	if (state < 0)
		return -1;
	if (state == 0)
		return http_reply_redirect(req, 303, "/signin?next=%2Fdevice",
		    err);
	approve = v[1].present && strcmp(v[1].str, "approve") == 0;
	if (device_set_decision(req, who.account_id, v[0].str, approve,
	    err) != 0) {
		if (err->code == ERR_FORBIDDEN) {
			error_clear(err);
			return device_page(req, 403, &who, v[0].str, NULL,
			    "Your account has no access to the app this"
			    " device asks for.", err);
		}
		if (err->code != ERR_DEVICE_CODE_NOT_FOUND)
			return -1;
		error_clear(err);
		return device_page(req, 404, &who, v[0].str, NULL,
		    "That code is not valid, or it has expired.", err);
	}
	return device_page(req, 200, &who, NULL, NULL, approve ?
	    "Approved. Your device is connected; you can close this page." :
	    "Denied. The device was not given access.", err);
}

/* ---------------------------------------------------------------- */
/* The route table                                                  */

static const struct route oauth_routes[] = {
	{ "GET", "/.well-known/oauth-authorization-server",
	  metadata_authorization_server, ROUTE_PUBLIC,
	  ROUTE_NO_FIELDS, ROUTE_NO_FIELDS, ROUTE_OAUTH },
	{ "GET", "/.well-known/oauth-protected-resource",
	  metadata_protected_resource, ROUTE_PUBLIC,
	  ROUTE_NO_FIELDS, ROUTE_NO_FIELDS, ROUTE_OAUTH },
	{ "GET", "/.well-known/oauth-protected-resource/mcp/{workspace_slug}"
	  "/{app_slug}", metadata_mcp_resource, ROUTE_PUBLIC,
	  ROUTE_NO_FIELDS, ROUTE_NO_FIELDS, ROUTE_API },
	{ "POST", "/oauth/register", client_register, ROUTE_PUBLIC,
	  ROUTE_NO_FIELDS, ROUTE_NO_FIELDS, ROUTE_OAUTH },
	{ "POST", "/api/v1/auth/register", client_register, ROUTE_PUBLIC,
	  ROUTE_NO_FIELDS, ROUTE_NO_FIELDS, ROUTE_OAUTH },
	{ "GET", "/api/v1/auth/callback", oidc_callback, ROUTE_PUBLIC,
	  ROUTE_FIELDS(callback_query), ROUTE_NO_FIELDS, ROUTE_PAGE },
	{ "GET", "/oauth/authorize", authorize_get, ROUTE_PUBLIC,
	  ROUTE_FIELDS(authorize_fields), ROUTE_NO_FIELDS, ROUTE_PAGE },
	{ "GET", "/api/v1/auth/authorize", authorize_get, ROUTE_PUBLIC,
	  ROUTE_FIELDS(authorize_fields), ROUTE_NO_FIELDS, ROUTE_PAGE },
	{ "POST", "/oauth/authorize", authorize_post, ROUTE_PUBLIC,
	  ROUTE_NO_FIELDS, ROUTE_FIELDS(authorize_fields), ROUTE_PAGE },
	{ "POST", "/api/v1/auth/authorize", authorize_post, ROUTE_PUBLIC,
	  ROUTE_NO_FIELDS, ROUTE_FIELDS(authorize_fields), ROUTE_PAGE },
	{ "POST", "/oauth/token", token_post, ROUTE_PUBLIC,
	  ROUTE_NO_FIELDS, ROUTE_FIELDS(token_form), ROUTE_OAUTH },
	{ "POST", "/api/v1/auth/token", token_post, ROUTE_PUBLIC,
	  ROUTE_NO_FIELDS, ROUTE_FIELDS(token_form), ROUTE_OAUTH },
	{ "POST", "/oauth/revoke", revoke_post, ROUTE_PUBLIC,
	  ROUTE_NO_FIELDS, ROUTE_FIELDS(token_form), ROUTE_OAUTH },
	{ "GET", "/signin", signin_get, ROUTE_PUBLIC,
	  ROUTE_FIELDS(signin_query), ROUTE_NO_FIELDS, ROUTE_PAGE },
	{ "POST", "/signin", signin_post, ROUTE_PUBLIC,
	  ROUTE_NO_FIELDS, ROUTE_FIELDS(signin_form), ROUTE_PAGE },
	{ "GET", "/signin/done", signin_done, ROUTE_PUBLIC,
	  ROUTE_NO_FIELDS, ROUTE_NO_FIELDS, ROUTE_PAGE },
	{ "GET", "/signin/invite", invite_get, ROUTE_PUBLIC,
	  ROUTE_FIELDS(invite_query), ROUTE_NO_FIELDS, ROUTE_PAGE },
	{ "POST", "/signin/invite", invite_post, ROUTE_PUBLIC,
	  ROUTE_NO_FIELDS, ROUTE_FIELDS(invite_form), ROUTE_PAGE },
	{ "POST", "/signout", signout_post, ROUTE_PUBLIC,
	  ROUTE_NO_FIELDS, ROUTE_FIELDS(signout_form), ROUTE_PAGE },
	{ "GET", "/device", device_get, ROUTE_PUBLIC,
	  ROUTE_FIELDS(device_page_query), ROUTE_NO_FIELDS, ROUTE_PAGE },
	{ "POST", "/device", device_post, ROUTE_PUBLIC,
	  ROUTE_NO_FIELDS, ROUTE_FIELDS(device_page_form), ROUTE_PAGE },
	{ "POST", "/openapi/v1/oauth/device/code", device_code_post,
	  ROUTE_PUBLIC, ROUTE_NO_FIELDS, ROUTE_NO_FIELDS, ROUTE_OAUTH },
	{ "POST", "/openapi/v1/oauth/device/token", device_token_post,
	  ROUTE_PUBLIC, ROUTE_NO_FIELDS, ROUTE_NO_FIELDS, ROUTE_OAUTH },
	{ "GET", "/openapi/v1/oauth/device/lookup", device_lookup,
	  ROUTE_BEARER, ROUTE_FIELDS(device_lookup_query), ROUTE_NO_FIELDS,
	  ROUTE_API },
	{ "POST", "/openapi/v1/oauth/device/approve", device_approve,
	  ROUTE_BEARER, ROUTE_NO_FIELDS, ROUTE_FIELDS(device_mutate_body),
	  ROUTE_API },
	{ "POST", "/openapi/v1/oauth/device/deny", device_deny,
	  ROUTE_BEARER, ROUTE_NO_FIELDS, ROUTE_FIELDS(device_mutate_body),
	  ROUTE_API },
};

int
main(int argc, char **argv)
{
	static const struct responder oauth = {
		.name = "oauth",
		.routes = oauth_routes,
		.nroutes = sizeof(oauth_routes) / sizeof(oauth_routes[0]),
	};

	return responder_main(&oauth, argc, argv);
}

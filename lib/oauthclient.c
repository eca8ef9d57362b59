/*
 * oauthclient.c: drio as an OAuth 2 client of connected services (see
 * oauthclient.h): building token requests, reading token answers, the
 * end of an OAuth authorization (the callback) and the refresh of an
 * access token.
 *
 * The network call is never made inside a transaction: a state is
 * claimed (deleted) in one statement, the code is exchanged, and the
 * answer is stored in a transaction of its own that locks the
 * integration's row and reads its sealed secret again, so a concurrent
 * writer's change is merged, not lost.  Plain secrets live in malloc'd
 * memory that is wiped before it is freed; they never reach SQL, a log
 * line, an error or a reply.
 *
 * SPDX-License-Identifier: MIT
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <json-c/json.h>

#include "crypto.h"
#include "db.h"
#include "install.h"
#include "jsonutil.h"
#include "log.h"
#include "oauthclient.h"
#include "outbound.h"
#include "sanitise.h"
#include "vault.h"

#define TOKEN_MAX        8192  /* bytes in an access or refresh token */
#define SCOPE_MAX        4096  /* bytes in a granted scope */
#define TOKEN_TYPE_MAX   64    /* bytes in a token type */
#define ERROR_NAME_MAX   64    /* characters of a provider's error string */
#define STATE_MAX        512   /* bytes in a state we look up */
#define STATUS_MESSAGE_MAX 300 /* characters in a status_message */

/* ---------------------------------------------------------------- */
/* Small helpers                                                    */

/* Wipe and free a NUL-terminated string.  Accepts NULL. */
static void
wipe_free(char *s)
{
	if (s == NULL)
		return;
	OPENSSL_cleanse(s, strlen(s));
	free(s);
}

void
oauthclient_token_free(char *token)
{
	wipe_free(token);
}

/*
 * Are a and b the same secret?  NULL equals only NULL.  The comparison
 * takes the same time wherever two equally long values differ.  Can't
 * fail.
 */
static bool
same_secret(const char *a, const char *b)
{
	size_t len;

	if (a == NULL || b == NULL)
		return a == b;
	len = strlen(a);
	return len == strlen(b) && crypto_equal(a, b, len);
}

/* A growing string; after a failed allocation it stays failed. */
struct buf {
	char *data;
	size_t len;
	size_t cap;
	bool failed;
};

/* Append n bytes of s to b.  Failure is remembered in b->failed. */
static void
buf_add(struct buf *b, const char *s, size_t n)
{
	char *grown;
	size_t cap;

	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		cap = b->cap == 0 ? 256 : b->cap;
		while (cap < b->len + n + 1)
			cap *= 2;
		/* Not realloc: the old buffer may hold a secret to wipe. */
		grown = malloc(cap);
		if (grown == NULL) {
			b->failed = true;
			return;
		}
		if (b->data != NULL) {
			memcpy(grown, b->data, b->len);
			OPENSSL_cleanse(b->data, b->cap);
			free(b->data);
		}
		b->data = grown;
		b->cap = cap;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

/* Append s form-encoded: all but A-Z a-z 0-9 - . _ ~ as %XX. */
static void
buf_add_encoded(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char esc[3];

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (isalnum(c) || c == '-' || c == '.' || c == '_' ||
		    c == '~') {
			buf_add(b, s, 1);
		} else {
			esc[0] = '%';
			esc[1] = hex[c >> 4];
			esc[2] = hex[c & 15];
			buf_add(b, esc, 3);
		}
	}
}

/* Append "&name=value" (no "&" when b is empty), value form-encoded. */
static void
buf_add_pair(struct buf *b, const char *name, const char *value)
{
	if (b->len > 0)
		buf_add(b, "&", 1);
	buf_add(b, name, strlen(name));
	buf_add(b, "=", 1);
	buf_add_encoded(b, value);
}

/* Wipe and release b.  Can't fail. */
static void
buf_free(struct buf *b)
{
	if (b->data != NULL) {
		OPENSSL_cleanse(b->data, b->cap);
		free(b->data);
	}
	memset(b, 0, sizeof(*b));
}

/* ---------------------------------------------------------------- */
/* Token requests                                                   */

void
oauthclient_request_free(struct oauthclient_request *request)
{
	if (request == NULL)
		return;
	if (request->body != NULL) {
		OPENSSL_cleanse(request->body, request->body_len);
		free(request->body);
	}
	wipe_free(request->authorization);
	memset(request, 0, sizeof(*request));
}

/*
 * Finish out from the form in b: take its body, add the Basic header
 * when the client has a secret, and the fixed headers.  Releases b.
 * Returns 0, or -1 and err (out zeroed).
 */
static int
request_finish(const struct oauthclient_client *client, struct buf *b,
    struct oauthclient_request *out, struct error *err)
{
	struct buf credentials = { 0 };
	size_t n = 0;

	if (client->client_secret != NULL) {
		/* RFC 6749 2.3.1: each part form-encoded, then base64. */
		buf_add_encoded(&credentials, client->client_id);
		buf_add(&credentials, ":", 1);
		buf_add_encoded(&credentials, client->client_secret);
		if (!credentials.failed && credentials.len > 0) {
			size_t cap = sizeof("Authorization: Basic ") +
			    4 * (credentials.len / 3 + 1) + 1;

			out->authorization = malloc(cap);
			if (out->authorization != NULL) {
				strcpy(out->authorization,
				    "Authorization: Basic ");
				EVP_EncodeBlock((unsigned char *)
				    out->authorization + 21,
				    (const unsigned char *)credentials.data,
				    (int)credentials.len);
			}
		}
		buf_free(&credentials);
		if (out->authorization == NULL)
			b->failed = true;
	}
	if (b->failed || b->data == NULL) {
		buf_free(b);
		oauthclient_request_free(out);
		return error_set(err, ERR_INTERNAL, "out of memory");
	}
	out->body = b->data;
	out->body_len = b->len;
	memset(b, 0, sizeof(*b));
	if (out->authorization != NULL)
		out->headers[n++] = out->authorization;
	out->headers[n++] = "Content-Type: application/x-www-form-urlencoded";
	out->headers[n++] = "Accept: application/json";
	out->headers[n] = NULL;
	return 0;
}

int
oauthclient_code_request(const struct oauthclient_client *client,
    const char *code, const char *redirect_uri, const char *code_verifier,
    struct oauthclient_request *out, struct error *err)
{
	struct buf b = { 0 };

	memset(out, 0, sizeof(*out));
	buf_add_pair(&b, "grant_type", "authorization_code");
	buf_add_pair(&b, "code", code);
	buf_add_pair(&b, "redirect_uri", redirect_uri);
	buf_add_pair(&b, "client_id", client->client_id);
	if (code_verifier != NULL)
		buf_add_pair(&b, "code_verifier", code_verifier);
	if (client->resource != NULL)
		buf_add_pair(&b, "resource", client->resource);
	return request_finish(client, &b, out, err);
}

int
oauthclient_refresh_request(const struct oauthclient_client *client,
    const char *refresh_token, struct oauthclient_request *out,
    struct error *err)
{
	struct buf b = { 0 };

	memset(out, 0, sizeof(*out));
	buf_add_pair(&b, "grant_type", "refresh_token");
	buf_add_pair(&b, "refresh_token", refresh_token);
	buf_add_pair(&b, "client_id", client->client_id);
	if (client->resource != NULL)
		buf_add_pair(&b, "resource", client->resource);
	return request_finish(client, &b, out, err);
}

/* ---------------------------------------------------------------- */
/* Token answers                                                    */

/* RFC 6749 5.2's error strings a token endpoint may answer. */
static const struct {
	const char *name;
	enum error_code code;
} token_errors[] = {
	{ "invalid_request", ERR_OAUTH_INVALID_REQUEST },
	{ "invalid_client", ERR_OAUTH_INVALID_CLIENT },
	{ "invalid_grant", ERR_OAUTH_INVALID_GRANT },
	{ "unauthorized_client", ERR_OAUTH_UNAUTHORIZED_CLIENT },
	{ "unsupported_grant_type", ERR_OAUTH_UNSUPPORTED_GRANT_TYPE },
	{ "invalid_scope", ERR_OAUTH_INVALID_SCOPE },
};

void
oauthclient_tokens_free(struct oauthclient_tokens *tokens)
{
	if (tokens == NULL)
		return;
	wipe_free(tokens->access_token);
	wipe_free(tokens->refresh_token);
	free(tokens->token_type);
	free(tokens->scope);
	memset(tokens, 0, sizeof(*tokens));
	tokens->expires_in = -1;
}

/*
 * Is value a usable token: 1 to TOKEN_MAX bytes of visible ASCII, so it
 * can go into a header line as it is?  Can't fail.
 */
static bool
token_is_usable(const char *value)
{
	size_t i;

	for (i = 0; value[i] != '\0'; i++)
		if ((unsigned char)value[i] < 0x21 ||
		    (unsigned char)value[i] > 0x7e || i >= TOKEN_MAX)
			return false;
	return i > 0;
}

/*
 * Member key of answer as a copy into *out when it is a string of at
 * most max bytes without control characters; absent or null leaves *out
 * NULL.  Returns 0, 1 when the member is malformed, -1 when memory is
 * exhausted.
 */
static int
optional_string(json_object *answer, const char *key, size_t max,
    char **out)
{
	json_object *value;
	const char *s;
	size_t i;

	*out = NULL;
	if (!json_object_object_get_ex(answer, key, &value) || value == NULL)
		return 0;
	if (!json_object_is_type(value, json_type_string))
		return 1;
	s = json_object_get_string(value);
	for (i = 0; s[i] != '\0'; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f || i >= max)
			return 1;
	*out = strdup(s);
	return *out == NULL ? -1 : 0;
}

/*
 * expires_in of answer into *out (-1 when absent or null).  Returns 0, or
 * 1 when it is not a whole number of seconds in range.
 */
static int
expires_in(json_object *answer, long long *out)
{
	json_object *value;
	const char *s;
	long long n = 0;
	size_t i;

	*out = -1;
	if (!json_object_object_get_ex(answer, "expires_in", &value) ||
	    value == NULL)
		return 0;
	if (json_object_is_type(value, json_type_int)) {
		n = json_object_get_int64(value);
	} else if (json_object_is_type(value, json_type_string)) {
		s = json_object_get_string(value);
		if (s[0] == '\0' || strlen(s) > 12)
			return 1;
		for (i = 0; s[i] != '\0'; i++) {
			if (!isdigit((unsigned char)s[i]))
				return 1;
			n = n * 10 + (s[i] - '0');
		}
	} else
		return 1;
	if (n < 0 || n > OAUTHCLIENT_EXPIRES_IN_MAX)
		return 1;
	*out = n;
	return 0;
}

/*
 * Set err from the error answer of a token endpoint: RFC 6749's codes
 * as theirs, others as ERR_UPSTREAM_UNAVAILABLE, the message naming the
 * sanitised error string and description.  Returns -1.
 */
static int
token_error(json_object *answer, const char *const *secrets,
    struct error *err)
{
	char name[ERROR_NAME_MAX + 1], description[
	    OAUTHCLIENT_DESCRIPTION_MAX + 1];
	enum error_code code = ERR_UPSTREAM_UNAVAILABLE;
	const char *raw = json_get_string(answer, "error");
	size_t i;

	for (i = 0; i < sizeof(token_errors) / sizeof(token_errors[0]); i++)
		if (strcmp(raw, token_errors[i].name) == 0)
			code = token_errors[i].code;
	sanitise_text(raw, secrets, ERROR_NAME_MAX, name, sizeof(name));
	sanitise_text(json_get_string(answer, "error_description"), secrets,
	    OAUTHCLIENT_DESCRIPTION_MAX, description, sizeof(description));
	if (description[0] != '\0')
		return error_set(err, code, "The provider refused the token"
		    " request: %s (%s).", name, description);
	return error_set(err, code, "The provider refused the token request:"
	    " %s.", name);
}

int
oauthclient_token_parse(long status, const char *body, size_t len,
    const char *const *secrets, struct oauthclient_tokens *out,
    struct error *err)
{
	json_object *answer = NULL;
	const char *access;
	int rc = -1, bad = 0;

	memset(out, 0, sizeof(*out));
	out->expires_in = -1;
	if (len > 0)
		answer = json_parse_exact(body, len, JSONUTIL_MAX_DEPTH);
	if (answer == NULL || !json_object_is_type(answer, json_type_object))
		goto malformed;
	if (json_get_string(answer, "error") != NULL) {
		token_error(answer, secrets, err);
		goto out;
	}
	access = json_get_string(answer, "access_token");
	if (status != 200 || access == NULL || !token_is_usable(access))
		goto malformed;
	out->access_token = strdup(access);
	if (out->access_token == NULL)
		goto oom;
	if ((bad = optional_string(answer, "refresh_token", TOKEN_MAX,
	    &out->refresh_token)) != 0 ||
	    (bad = optional_string(answer, "token_type", TOKEN_TYPE_MAX,
	    &out->token_type)) != 0 ||
	    (bad = optional_string(answer, "scope", SCOPE_MAX,
	    &out->scope)) != 0) {
		if (bad < 0)
			goto oom;
		goto malformed;
	}
	if ((out->refresh_token != NULL &&
	    !token_is_usable(out->refresh_token)) ||
	    expires_in(answer, &out->expires_in) != 0)
		goto malformed;
	rc = 0;
	goto out;
malformed:
	error_set(err, ERR_UPSTREAM_UNAVAILABLE, "The provider's token"
	    " endpoint answered status %ld without a usable token answer.",
	    status);
	goto out;
oom:
	error_set(err, ERR_INTERNAL, "out of memory");
out:
	if (rc != 0)
		oauthclient_tokens_free(out);
	json_object_put(answer);
	return rc;
}

/*
 * Send request to token_url under policy and read the answer into out.
 * secrets are redacted from the provider's error text.  Returns 0, or
 * -1 and err (outbound_request()'s errors, oauthclient_token_parse()'s).
 */
static int
token_call(const struct outbound_policy *policy, const char *token_url,
    const struct oauthclient_request *request, const char *const *secrets,
    struct oauthclient_tokens *out, struct error *err)
{
	struct outbound_response res = { 0 };
	int rc;

	memset(out, 0, sizeof(*out));
	out->expires_in = -1;
	if (outbound_request(policy, "POST", token_url, request->headers,
	    request->body, request->body_len, &res, err) != 0)
		return -1;
	rc = oauthclient_token_parse(res.status, res.body, res.len, secrets,
	    out, err);
	if (res.body != NULL)
		OPENSSL_cleanse(res.body, res.len);
	outbound_response_free(&res);
	return rc;
}

/* ---------------------------------------------------------------- */
/* The sealed secret of a workspace integration (lib/install's)      */

/*
 * Copy member key of secret (a string) into *out, or NULL when it has
 * none.  Returns 0, or -1 and err when memory is exhausted.
 */
static int
secret_get(json_object *secret, const char *key, char **out,
    struct error *err)
{
	const char *value = json_get_string(secret, key);

	*out = NULL;
	if (value == NULL || value[0] == '\0')
		return 0;
	*out = strdup(value);
	return *out == NULL ? error_set(err, ERR_INTERNAL, "out of memory") :
	    0;
}

/* ---------------------------------------------------------------- */
/* Statements                                                       */

/*
 * Claim a live state of an OAuth integration: the row goes, so the
 * state serves once.  An expired row stays for the sweeper; it is not
 * claimed.
 */
static const struct db_statement state_claim = {
	"oauthclient_state_claim",
	"DELETE FROM integration_oauth_states s"
	" USING workspace_integrations w"
	" WHERE s.state_hash = $1 AND s.expires_at > now()"
	"   AND w.id = s.integration_id"
	"   AND w.auth_mode IN ('byo_oauth', 'mcp_oauth')"
	" RETURNING w.workspace_id, w.id, w.name, s.code_verifier,"
	"   s.redirect_uri, w.auth_mode"
};

/*
 * What a token call needs of an OAuth integration.  A byo_oauth one
 * takes its client id from its form values and its token endpoint and
 * PKCE from its connector's manifest; an mcp_oauth one has them in its
 * oauth column, where lib/mcpconnect put what discovery and
 * registration found, always uses PKCE and names its resource (RFC
 * 8707).
 */
static const struct db_statement integration_client = {
	"oauthclient_integration_client",
	"SELECT CASE w.auth_mode WHEN 'mcp_oauth' THEN w.oauth->>'client_id'"
	"                        ELSE w.fields->>'client_id' END,"
	"       CASE w.auth_mode WHEN 'mcp_oauth'"
	"            THEN w.oauth->>'token_endpoint'"
	"            ELSE c.manifest->'oauth'->>'token_url' END,"
	"       w.auth_mode = 'mcp_oauth' OR"
	"       coalesce(c.manifest->'oauth'->'pkce' = 'true'::jsonb, false),"
	"       w.status,"
	"       coalesce((w.oauth->>'expires_at')::timestamptz"
	"           <= now() + make_interval(secs => $3::double precision),"
	"           false),"
	"       (w.oauth->>'expires_at')::timestamptz <= now(),"
	"       CASE w.auth_mode WHEN 'mcp_oauth' THEN w.oauth->>'resource'"
	"       END"
	"  FROM workspace_integrations w"
	"  LEFT JOIN connectors c ON c.id = w.connector_id"
	" WHERE w.workspace_id = $1 AND w.id = $2"
	"   AND w.auth_mode IN ('byo_oauth', 'mcp_oauth')"
};
enum { IC_CLIENT_ID, IC_TOKEN_URL, IC_PKCE, IC_STATUS, IC_DUE,
    IC_EXPIRED, IC_RESOURCE };

static const struct db_statement integration_lock = {
	"oauthclient_integration_lock",
	"SELECT id FROM workspace_integrations"
	" WHERE workspace_id = $1 AND id = $2 FOR UPDATE"
};

/*
 * Record what is not secret of stored tokens: the token's type, scope
 * and expiry ($6: a new authorization replaces the type and scope; a
 * refresh keeps what its answer does not name), and status connected.
 */
static const struct db_statement integration_connected = {
	"oauthclient_integration_connected",
	"UPDATE workspace_integrations"
	"   SET oauth = (CASE WHEN $6::boolean"
	"                     THEN oauth - 'token_type' - 'scope'"
	"                     ELSE oauth END) - 'expires_at'"
	"           || jsonb_strip_nulls(jsonb_build_object("
	"                'token_type', $3::text, 'scope', $4::text,"
	"                'expires_at', drio_rfc3339(now() + make_interval("
	"                    secs => $5::double precision)))),"
	"       status = 'connected', status_message = NULL,"
	"       updated_at = now()"
	" WHERE workspace_id = $1 AND id = $2"
};

static const struct db_statement integration_failed = {
	"oauthclient_integration_failed",
	"UPDATE workspace_integrations"
	"   SET status = 'error', status_message = $3, updated_at = now()"
	" WHERE workspace_id = $1 AND id = $2"
};

/*
 * Mark the integration status error with message (already free of
 * secrets), cut to STATUS_MESSAGE_MAX characters.  A failure is logged
 * and otherwise ignored: the caller is already reporting an error.
 */
static void
integration_mark_failed(const char *workspace_id, const char *id,
    const char *message)
{
	char text[STATUS_MESSAGE_MAX + 1];
	const char *params[] = { workspace_id, id, text };
	struct error err = { 0 };

	sanitise_text(message, NULL, STATUS_MESSAGE_MAX, text, sizeof(text));
	if (db_exec(&integration_failed, 3, params, NULL, &err) != 0)
		log_warn("cannot mark integration %s failed: %s", id,
		    err.message);
	error_clear(&err);
}

/* ---------------------------------------------------------------- */
/* Storing tokens                                                   */

struct store {
	struct vault *vault;
	const char *workspace_id;
	const char *integration_id;
	const struct oauthclient_tokens *tokens;
	const char *used_refresh;   /* a refresh: the token sent; else NULL */
	bool stored;                /* out: these tokens were stored */
	char *current_access;       /* out (refused refresh): stored token */
};

/*
 * Lock the integration's row and open its secret into *secret.  Returns
 * 0, or -1 and err (ERR_INTEGRATION_NOT_FOUND when it was removed).
 */
static int
lock_and_open(struct store *st, json_object **secret, struct error *err)
{
	const char *params[] = { st->workspace_id, st->integration_id };
	PGresult *res = NULL;
	int found;

	*secret = NULL;
	if (db_exec(&integration_lock, 2, params, &res, err) != 0)
		return -1;
	found = PQntuples(res);
	PQclear(res);
	if (found != 1)
		return error_set(err, ERR_INTEGRATION_NOT_FOUND, "The"
		    " integration was removed.");
	return install_open_secret(st->vault, st->workspace_id,
	    st->integration_id, secret, err);
}

/*
 * The transaction that stores ctx's tokens (a struct store): lock the
 * row, open its secret again, and, unless a refresh finds that another
 * process replaced the refresh token meanwhile, merge the tokens into
 * the secret (a new authorization without a refresh token removes the
 * old one) and record the metadata.  Returns 0, or -1 and err.
 */
static int
store_body(void *ctx, struct error *err)
{
	struct store *st = ctx;
	const struct oauthclient_tokens *t = st->tokens;
	json_object *secret = NULL, *change = NULL;
	char expires[32];
	int rc = -1;

	st->stored = false;
	if (lock_and_open(st, &secret, err) != 0)
		goto out;
	if (st->used_refresh != NULL &&
	    !same_secret(st->used_refresh,
	    json_get_string(secret, "refresh_token"))) {
		rc = 0;            /* another process refreshed first */
		goto out;
	}
	change = json_object_new_object();
	json_object_object_add(change, "access_token",
	    json_object_new_string(t->access_token));
	if (t->refresh_token != NULL)
		json_object_object_add(change, "refresh_token",
		    json_object_new_string(t->refresh_token));
	else if (st->used_refresh == NULL)
		json_object_object_add(change, "refresh_token", NULL);
	if (install_store_secret(st->vault, st->workspace_id,
	    st->integration_id, change, err) != 0)
		goto out;
	snprintf(expires, sizeof(expires), "%lld", t->expires_in);
	{
		const char *params[] = { st->workspace_id, st->integration_id,
		    t->token_type, t->scope,
		    t->expires_in >= 0 ? expires : NULL,
		    st->used_refresh == NULL ? "true" : "false" };

		if (db_exec(&integration_connected, 6, params, NULL, err) != 0)
			goto out;
	}
	st->stored = true;
	rc = 0;
out:
	json_object_put(change);
	json_object_put(secret);
	return rc;
}

/*
 * The transaction after the provider refused refresh token ctx->
 * used_refresh (a struct store): when the stored refresh token is
 * another, a concurrent refresh won and its access token is taken into
 * current_access; otherwise the integration is marked failed.  Returns
 * 0, or -1 and err.
 */
static int
refused_body(void *ctx, struct error *err)
{
	struct store *st = ctx;
	const char *params[] = { st->workspace_id, st->integration_id,
	    "The provider refused the refresh token; connect the integration"
	    " again." };
	json_object *secret = NULL;
	int rc = -1;

	wipe_free(st->current_access);
	st->current_access = NULL;
	if (lock_and_open(st, &secret, err) != 0)
		goto out;
	if (!same_secret(st->used_refresh,
	    json_get_string(secret, "refresh_token")))
		rc = secret_get(secret, "access_token", &st->current_access,
		    err);
	else
		rc = db_exec(&integration_failed, 3, params, NULL, err);
out:
	json_object_put(secret);
	return rc;
}

/* ---------------------------------------------------------------- */
/* The callback                                                     */

int
oauthclient_finish(struct vault *vault, const struct outbound_policy *policy,
    const struct oauthclient_callback *cb, struct oauthclient_connected *out,
    struct error *err)
{
	struct oauthclient_request request = { 0 };
	struct oauthclient_tokens tokens = { 0 };
	struct oauthclient_client client = { 0 };
	struct store st = { 0 };
	char hash[CRYPTO_SHA256_HEX_LEN + 1], aad[INSTALL_AAD_MAX];
	char name[ERROR_NAME_MAX + 1];
	char description[OAUTHCLIENT_DESCRIPTION_MAX + 1];
	char message[sizeof(err->message)];
	char *verifier = NULL, *client_secret = NULL, *redirect_uri = NULL;
	char *token_url = NULL, *client_id = NULL, *resource = NULL;
	unsigned char *sealed = NULL;
	size_t sealed_len = 0, verifier_len = 0;
	json_object *secret = NULL;
	PGresult *res = NULL;
	enum error_code code;
	bool pkce, claimed = false;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (vault == NULL)
		return error_set(err, ERR_INTERNAL, "no vault to open a secret"
		    " with");
	if (cb->state == NULL || cb->state[0] == '\0' ||
	    strlen(cb->state) > STATE_MAX) {
		error_set(err, ERR_BAD_REQUEST, "This authorization link is"
		    " unknown, used or expired.");
		error_hint(err, "Start connecting the integration again.");
		return -1;
	}
	crypto_sha256_hex(cb->state, strlen(cb->state), hash);
	{
		const char *params[] = { hash };

		if (db_exec(&state_claim, 1, params, &res, err) != 0)
			return -1;
	}
	if (PQntuples(res) != 1) {
		error_set(err, ERR_BAD_REQUEST, "This authorization link is"
		    " unknown, used or expired.");
		error_hint(err, "Start connecting the integration again.");
		goto out;
	}
	claimed = true;
	snprintf(out->workspace_id, sizeof(out->workspace_id), "%s",
	    db_value(res, 0, 0));
	snprintf(out->integration_id, sizeof(out->integration_id), "%s",
	    db_value(res, 0, 1));
	snprintf(out->name, sizeof(out->name), "%s", db_value(res, 0, 2));
	snprintf(out->auth_mode, sizeof(out->auth_mode), "%s",
	    db_value(res, 0, 5));
	sealed = PQunescapeBytea((const unsigned char *)db_value(res, 0, 3),
	    &sealed_len);
	redirect_uri = strdup(db_value(res, 0, 4));
	PQclear(res);
	res = NULL;
	if (sealed == NULL || redirect_uri == NULL) {
		error_set(err, ERR_INTERNAL, "out of memory");
		goto out;
	}

	if (cb->error != NULL) {
		sanitise_text(cb->error, NULL, ERROR_NAME_MAX, name,
		    sizeof(name));
		sanitise_text(cb->error_description, NULL,
		    OAUTHCLIENT_DESCRIPTION_MAX, description,
		    sizeof(description));
		code = strcmp(cb->error, "access_denied") == 0 ?
		    ERR_OAUTH_ACCESS_DENIED : ERR_UPSTREAM_UNAVAILABLE;
		if (description[0] != '\0')
			error_set(err, code, "The provider did not authorize"
			    " drio: %s (%s).", name, description);
		else
			error_set(err, code, "The provider did not authorize"
			    " drio: %s.", name);
		goto out;
	}
	if (cb->code == NULL || cb->code[0] == '\0') {
		error_set(err, ERR_UPSTREAM_UNAVAILABLE, "The provider sent no"
		    " authorization code.");
		goto out;
	}

	{
		const char *params[] = { out->workspace_id,
		    out->integration_id, "0" };

		if (db_exec(&integration_client, 3, params, &res, err) != 0)
			goto out;
	}
	if (PQntuples(res) != 1 || db_value(res, 0, IC_CLIENT_ID) == NULL ||
	    db_value(res, 0, IC_TOKEN_URL) == NULL) {
		error_set(err, ERR_UPSTREAM_UNAVAILABLE, "The connector has no"
		    " token endpoint or the integration no client id.");
		goto out;
	}
	pkce = db_bool(res, 0, IC_PKCE);
	client_id = strdup(db_value(res, 0, IC_CLIENT_ID));
	token_url = strdup(db_value(res, 0, IC_TOKEN_URL));
	if (db_value(res, 0, IC_RESOURCE) != NULL)
		resource = strdup(db_value(res, 0, IC_RESOURCE));
	if (client_id == NULL || token_url == NULL ||
	    (resource == NULL && db_value(res, 0, IC_RESOURCE) != NULL)) {
		error_set(err, ERR_INTERNAL, "out of memory");
		goto out;
	}
	if (install_open_secret(vault, out->workspace_id,
	    out->integration_id, &secret, err) != 0 ||
	    secret_get(secret, "client_secret", &client_secret, err) != 0)
		goto out;
	json_object_put(secret);
	secret = NULL;
	install_verifier_aad(out->workspace_id, out->integration_id, aad);
	if (vault_open(vault, aad, sealed, sealed_len, &verifier,
	    &verifier_len, err) != 0)
		goto out;

	client.token_url = token_url;
	client.client_id = client_id;
	client.client_secret = client_secret;
	client.resource = resource;
	if (oauthclient_code_request(&client, cb->code, redirect_uri,
	    pkce ? verifier : NULL, &request, err) != 0)
		goto out;
	{
		const char *secrets[] = { cb->code, verifier,
		    client_secret != NULL ? client_secret : "", NULL };

		if (token_call(policy, token_url, &request, secrets, &tokens,
		    err) != 0) {
			if (err->code != ERR_INTERNAL &&
			    err->code != ERR_DESTINATION_NOT_ALLOWED)
				err->code = ERR_UPSTREAM_UNAVAILABLE;
			goto out;
		}
	}
	st.vault = vault;
	st.workspace_id = out->workspace_id;
	st.integration_id = out->integration_id;
	st.tokens = &tokens;
	if (db_transaction(DB_READ_COMMITTED, store_body, &st, err) != 0)
		goto out;
	claimed = false;           /* connected: nothing to mark failed */
	rc = 0;
out:
	if (rc != 0 && claimed && err->code != ERR_INTERNAL &&
	    err->code != ERR_DATABASE_UNAVAILABLE) {
		snprintf(message, sizeof(message), "%s", err->message);
		log_warn("%s authorization of integration %s failed: %s",
		    out->auth_mode, out->integration_id, message);
		integration_mark_failed(out->workspace_id, out->integration_id,
		    message);
	}
	if (rc != 0)
		memset(out, 0, sizeof(*out));
	oauthclient_tokens_free(&tokens);
	oauthclient_request_free(&request);
	vault_plain_free(verifier, verifier_len);
	wipe_free(client_secret);
	json_object_put(secret);
	free(client_id);
	free(token_url);
	free(resource);
	free(redirect_uri);
	PQfreemem(sealed);
	PQclear(res);
	return rc;
}

/* ---------------------------------------------------------------- */
/* Refreshing                                                       */

/* What a token call needs of a connected OAuth integration. */
struct integration {
	char *token_url;
	char *client_id;
	char *resource;            /* RFC 8707; NULL: none */
	json_object *secret;
	bool due;
	bool expired;
};

/* Release what in holds.  Accepts a zeroed struct.  Can't fail. */
static void
integration_free(struct integration *in)
{
	free(in->token_url);
	free(in->client_id);
	free(in->resource);
	json_object_put(in->secret);
	memset(in, 0, sizeof(*in));
}

/*
 * Read into in (release with integration_free) what a token call needs
 * of the integration: the client, the opened secret object, and whether
 * the access token is due for a refresh or already expired.  Returns 0,
 * or -1 and err (ERR_INTEGRATION_NOT_FOUND; ERR_CONFLICT when it is not
 * connected or has no client).
 */
static int
integration_read(struct vault *vault, const char *workspace_id,
    const char *integration_id, struct integration *in, struct error *err)
{
	char margin[24];
	const char *params[] = { workspace_id, integration_id, margin };
	PGresult *res = NULL;
	int rc = -1;

	memset(in, 0, sizeof(*in));
	snprintf(margin, sizeof(margin), "%d",
	    OAUTHCLIENT_REFRESH_MARGIN_SECONDS);
	if (db_exec(&integration_client, 3, params, &res, err) != 0)
		return -1;
	if (PQntuples(res) != 1) {
		error_set(err, ERR_INTEGRATION_NOT_FOUND, "No such OAuth"
		    " integration in this workspace.");
		goto out;
	}
	if (strcmp(db_value(res, 0, IC_STATUS), "connected") != 0) {
		error_set(err, ERR_CONFLICT, "The integration is not"
		    " connected.");
		error_hint(err, "Connect the integration again.");
		goto out;
	}
	in->due = db_bool(res, 0, IC_DUE);
	in->expired = db_bool(res, 0, IC_EXPIRED);
	if (db_value(res, 0, IC_TOKEN_URL) == NULL ||
	    db_value(res, 0, IC_CLIENT_ID) == NULL) {
		error_set(err, ERR_CONFLICT, "The connector has no token"
		    " endpoint or the integration no client id.");
		goto out;
	}
	in->token_url = strdup(db_value(res, 0, IC_TOKEN_URL));
	in->client_id = strdup(db_value(res, 0, IC_CLIENT_ID));
	if (db_value(res, 0, IC_RESOURCE) != NULL)
		in->resource = strdup(db_value(res, 0, IC_RESOURCE));
	if (in->token_url == NULL || in->client_id == NULL ||
	    (in->resource == NULL && db_value(res, 0, IC_RESOURCE) != NULL)) {
		error_set(err, ERR_INTERNAL, "out of memory");
		goto out;
	}
	if (install_open_secret(vault, workspace_id, integration_id,
	    &in->secret, err) != 0)
		goto out;
	rc = 0;
out:
	if (rc != 0)
		integration_free(in);
	PQclear(res);
	return rc;
}

/* oauthclient_refresh() on an integration already read. */
static int
refresh(struct vault *vault, const struct outbound_policy *policy,
    const char *workspace_id, const char *integration_id,
    struct integration *in, char **token, struct error *err)
{
	struct oauthclient_request request = { 0 };
	struct oauthclient_tokens tokens = { 0 };
	struct oauthclient_client client = { 0 };
	struct store st = { 0 };
	struct error refused = { 0 };
	char *refresh_token = NULL, *client_secret = NULL;
	int rc = -1;

	*token = NULL;
	if (secret_get(in->secret, "refresh_token", &refresh_token, err) != 0 ||
	    secret_get(in->secret, "client_secret", &client_secret, err) != 0)
		goto out;
	if (refresh_token == NULL) {
		error_set(err, ERR_CONFLICT, "The integration's access token"
		    " cannot be refreshed: the provider gave no refresh"
		    " token.");
		error_hint(err, "Connect the integration again.");
		goto out;
	}
	client.token_url = in->token_url;
	client.client_id = in->client_id;
	client.client_secret = client_secret;
	client.resource = in->resource;
	if (oauthclient_refresh_request(&client, refresh_token, &request,
	    err) != 0)
		goto out;
	st.vault = vault;
	st.workspace_id = workspace_id;
	st.integration_id = integration_id;
	st.tokens = &tokens;
	st.used_refresh = refresh_token;
	{
		const char *secrets[] = { refresh_token,
		    client_secret != NULL ? client_secret : "", NULL };

		if (token_call(policy, in->token_url, &request, secrets,
		    &tokens, err) != 0) {
			if (err->code != ERR_OAUTH_INVALID_GRANT)
				goto out;
			if (db_transaction(DB_READ_COMMITTED, refused_body,
			    &st, &refused) != 0) {
				log_warn("cannot record a refused refresh of"
				    " integration %s: %s", integration_id,
				    refused.message);
				goto out;
			}
			if (st.current_access == NULL)
				goto out;
			/* Another process refreshed first: use its token. */
			error_clear(err);
			*token = st.current_access;
			st.current_access = NULL;
			rc = 0;
			goto out;
		}
	}
	if (db_transaction(DB_READ_COMMITTED, store_body, &st, err) != 0)
		goto out;
	*token = tokens.access_token;
	tokens.access_token = NULL;
	rc = 0;
out:
	error_clear(&refused);
	wipe_free(st.current_access);
	oauthclient_tokens_free(&tokens);
	oauthclient_request_free(&request);
	wipe_free(refresh_token);
	wipe_free(client_secret);
	return rc;
}

int
oauthclient_refresh(struct vault *vault, const struct outbound_policy *policy,
    const char *workspace_id, const char *integration_id, char **token,
    struct error *err)
{
	struct integration in;
	int rc;

	*token = NULL;
	if (integration_read(vault, workspace_id, integration_id, &in,
	    err) != 0)
		return -1;
	rc = refresh(vault, policy, workspace_id, integration_id, &in, token,
	    err);
	integration_free(&in);
	return rc;
}

int
oauthclient_access_token(struct vault *vault,
    const struct outbound_policy *policy, const char *workspace_id,
    const char *integration_id, char **token, struct error *err)
{
	struct integration in;
	int rc = -1;

	*token = NULL;
	if (integration_read(vault, workspace_id, integration_id, &in,
	    err) != 0)
		return -1;
	if (in.due && json_get_string(in.secret, "refresh_token") != NULL) {
		rc = refresh(vault, policy, workspace_id, integration_id, &in,
		    token, err);
		goto out;
	}
	if (in.expired) {
		error_set(err, ERR_CONFLICT, "The integration's access token"
		    " has expired and cannot be refreshed.");
		error_hint(err, "Connect the integration again.");
		goto out;
	}
	if (secret_get(in.secret, "access_token", token, err) != 0)
		goto out;
	if (*token == NULL) {
		error_set(err, ERR_CONFLICT, "The integration has no access"
		    " token.");
		error_hint(err, "Connect the integration again.");
		goto out;
	}
	rc = 0;
out:
	integration_free(&in);
	return rc;
}

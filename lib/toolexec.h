/*
 * toolexec.h: running one tool call of an app's resolved configuration
 * (appconfig.h) against its upstream: the MCP endpoint's tools/call, and
 * any other caller (workflow runs) that runs a tool the same way.  No
 * HTTP of our own and no JSON-RPC here: the caller maps the outcome.
 *
 * A tool runs an operation or a chain.  An operation is one HTTP request
 * built from the tool's binding (where each argument goes: the URL path,
 * the query, a header or the body; toolwrite.h), the integration's
 * base_url and its auth connection, whose secret is opened from the vault
 * for the call and wiped after it.  A chain runs its steps in order, each
 * an operation called with arguments in whose strings {{input.X}} stands
 * for the tool's argument X and {{steps.NAME.path}} for part of the
 * answer of an earlier step NAME (docs/api-v1/tools.md); the first step
 * that fails stops the chain, and the last step's answer is the tool's.
 *
 * What the upstream does is the tool's outcome, never an error of these
 * functions: an HTTP error, a redirect, a timeout, an address the SSRF
 * guard refuses, an answer over the size cap or an argument that cannot
 * be sent is a result with is_error and a short message in its text,
 * sanitised (sanitise.h: printable ASCII, bounded, the secrets of the call
 * redacted; never a header value or the URL, which may carry a key).
 *
 * Every request goes through outbound_request() under the caller's
 * policy, with Accept: application/json.  Redirects are not followed.
 *
 * What is not done here: refreshing an OAuth token (an oauth2 connection
 * with the client_credentials grant gets a fresh token for every call;
 * with authorization_code there is no stored token to use yet), calling
 * the tools of an MCP server integration (an operation without an HTTP
 * method), cookies (no binding can put an argument in one), multipart
 * bodies.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef DRIO_TOOLEXEC_H
#define DRIO_TOOLEXEC_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "error.h"

struct outbound_policy;
struct vault;

/* Bytes of the message of a failed call (its text content). */
#define TOOLEXEC_MESSAGE_MAX 2048

/* Bytes of an answer's text before it is cut (with a note saying so). */
#define TOOLEXEC_TEXT_MAX (64 * 1024)

/* How deep an upstream's JSON answer may nest. */
#define TOOLEXEC_JSON_DEPTH 64

/* What to run; every pointer is borrowed. */
struct toolexec_call {
	json_object *config;        /* the release's resolved configuration */
	const char *app_id;         /* whose auth connections' secrets to open */
	const char *tool_name;
	json_object *arguments;     /* an object, NULL for {}; the caller has
	                             * validated it against the inputSchema */
	long long concurrency;      /* calls that may wait on one integration
	                             * at once, over every instance
	                             * (lib/upstreamslot); 0: no bound */
};

/*
 * The outcome of a call.  Owned by the struct; release with
 * toolexec_result_free().
 */
struct toolexec_result {
	json_object *content;       /* the MCP content array:
	                             * [{"type": "text", "text": ...}] */
	json_object *structured;    /* structuredContent: the upstream's JSON
	                             * answer when it is an object, any other
	                             * JSON value wrapped as {"result": ...};
	                             * NULL when the answer is not JSON or the
	                             * call failed */
	bool is_error;              /* the call ran but failed */
	long upstream_status;       /* the last upstream HTTP status, 0 when
	                             * none was had */
	long long upstream_ms;      /* milliseconds spent upstream */
};

/*
 * One upstream HTTP request, ready for outbound_request().  Owned by the
 * struct: url, headers and body may carry a secret (an API key in the
 * query, an Authorization header), so toolexec_request_free() wipes them
 * before releasing them.
 */
struct toolexec_request {
	const char *method;         /* borrowed from the configuration */
	char *url;
	char **headers;             /* NULL-terminated "Name: value" lines */
	char *body;                 /* NULL for none */
	size_t body_len;
};

/*
 * Run the tool call->tool_name of call->config with call->arguments:
 * open the secrets of the auth connections it needs with vault (as
 * authconn_open_secret(): app call->app_id), send its request (each
 * step's, for a chain) under policy, and map the answer into out:
 *
 *   2xx JSON       text: the JSON (cut at TOOLEXEC_TEXT_MAX with a note);
 *                  structured: the JSON as an object (see above)
 *   2xx other      text: the body as text (invalid UTF-8 replaced), or a
 *                  line saying what it is when it is not text
 *   2xx empty      text: "No content"
 *   anything else  is_error; "Upstream answered HTTP 404: <the start of
 *                  the body>"
 *
 * and the failures of the call, each is_error: "Upstream did not answer
 * in time" (or could not be reached), "The destination is not allowed:
 * <why>", "The upstream answer is larger than N bytes", "The argument
 * 'x' ..." when an argument cannot be sent, "No access token: ..." when
 * the OAuth token endpoint refuses; for a chain, the message starts
 * "Step 'NAME' (i of n) failed: ".
 *
 * Returns 0 with out filled (release with toolexec_result_free), or -1
 * and err, out zeroed, for what is not the tool's outcome:
 *   ERR_TOOL_NOT_FOUND when the configuration has no such tool;
 *   ERR_CONFLICT when the configuration cannot run it: the tool has
 *     neither operation nor chain, a chain has no steps or more than
 *     APPCONFIG_CHAIN_MAX, an operation has no method or path or names
 *     an integration the configuration lacks, the integration has no
 *     base_url, a binding puts an argument where drio cannot send it
 *     (an unknown location, a reserved header), a body type drio cannot
 *     write, an auth connection without the secret its type needs;
 *   ERR_AUTH_CONNECTION_NOT_FOUND when the connection is gone;
 *   ERR_INTERNAL (a secret that does not open, memory) and
 *     ERR_DATABASE_UNAVAILABLE.
 */
int toolexec_run(struct vault *vault, const struct outbound_policy *policy,
    const struct toolexec_call *call, struct toolexec_result *out,
    struct error *err);

/* Release what a result owns and zero it.  Accepts NULL.  Can't fail. */
void toolexec_result_free(struct toolexec_result *result);

/* ---------------------------------------------------------------- */
/* The pure parts, for toolexec_run() and for tests                   */

/*
 * Build the request of operation (borrowed; as appconfig writes it) of
 * integration (borrowed, with its auth) for arguments (borrowed; NULL is
 * {}) placed by binding ({property: {in, name[, style, explode]}};
 * borrowed, NULL is {}), authenticated with secret (the auth
 * connection's opened secret object, borrowed, NULL for none; an oauth2
 * connection's access token is its member "access_token"):
 *
 *   url      base_url (its query kept) + path, each {name} replaced by
 *            the percent-encoded argument bound "in": "path" with that
 *            name (an array or object as OpenAPI's simple style: "a,b");
 *            then the query: each argument bound "in": "query", absent
 *            and null ones left out, arrays and objects by the binding's
 *            style (form, spaceDelimited, pipeDelimited, deepObject) and
 *            explode (default: true for form, else false);
 *   headers  Accept: application/json; Content-Type when there is a
 *            body; each argument bound "in": "header"; the auth's;
 *   body     the argument bound "in": "body" without a name as the whole
 *            body, with those bound "in": "body" with a name as its
 *            members ({} for POST, PUT and PATCH when there are such
 *            bindings but none of those arguments is given), written as
 *            the operation's body_content_type says: JSON (the default),
 *            application/x-www-form-urlencoded, or any other type as the
 *            string given;
 *   auth     by the auth connection's type: none; bearer (secret token)
 *            and oauth2 (access_token) as "Authorization: Bearer";
 *            basic (settings or secret username, secret password);
 *            api_key (secret value) as the header or query parameter
 *            its settings name, which arguments cannot also set.
 *
 * Arguments the binding does not name are ignored.  Returns 0 with out
 * filled (release with toolexec_request_free), or -1 and err, out
 * zeroed: ERR_VALIDATION when an argument cannot be sent (a path
 * argument that is missing, empty, "." or ".."; a header argument with
 * control characters; a whole body that is not an object beside body
 * members; a form body that is not an object), its message naming the
 * argument and never its value; ERR_CONFLICT as toolexec_run() says;
 * ERR_INTERNAL when memory is exhausted.
 */
int toolexec_request_build(json_object *integration, json_object *operation,
    json_object *binding, json_object *arguments, json_object *secret,
    struct toolexec_request *out, struct error *err);

/*
 * Build the token request of an oauth2 auth connection with the
 * client_credentials grant (auth as appconfig writes it, secret its
 * opened secret; both borrowed): POST settings.token_url with
 * grant_type=client_credentials and the scopes, the client
 * authenticating with HTTP Basic (RFC 6749 2.3.1 and 4.4).  Returns 0
 * with out filled (release with toolexec_request_free), or -1 and err:
 * ERR_CONFLICT when the connection is not of that grant or lacks its
 * token_url, client_id or client_secret; ERR_INTERNAL when memory is
 * exhausted.
 */
int toolexec_token_request(json_object *auth, json_object *secret,
    struct toolexec_request *out, struct error *err);

/* Wipe and release what a request owns, and zero it.  Accepts NULL. */
void toolexec_request_free(struct toolexec_request *request);

/*
 * Map an upstream answer (status, its Content-Type or NULL, body of len
 * bytes) into out as toolexec_run() describes; secrets (NULL-terminated,
 * may be NULL) are redacted from any message.  Returns 0 with out
 * filled (upstream_status set, upstream_ms 0; release with
 * toolexec_result_free), or -1 and err (ERR_INTERNAL) when memory is
 * exhausted.
 */
int toolexec_answer(long status, const char *content_type, const char *body,
    size_t len, const char *const *secrets, struct toolexec_result *out,
    struct error *err);

/*
 * Resolve the references in a chain step's arguments (borrowed; an
 * object, NULL is {}) against input, the tool's arguments, and steps,
 * {name: answer} of the steps run so far (both borrowed, may be NULL).
 * A reference is {{input.X}} or {{steps.NAME}}, either followed by
 * ".member" or ".index" parts that walk into the value.  A string that
 * is exactly one reference becomes the value it names, whatever its
 * type; a reference inside a longer string becomes the value's text (a
 * string as it is, anything else as JSON, nothing for null).  An input
 * the caller did not give is absent: the member it alone makes up is
 * left out (an array element becomes null), and in a longer string it
 * is "".  Other "{{...}}" text is kept as it is.  Keys are never
 * resolved.  Returns 0 with *out a new object (json_object_put it), or
 * -1 and err: ERR_VALIDATION when a step reference names no earlier step
 * or nothing in its answer (the message quotes the reference);
 * ERR_CONFLICT when arguments is not an object; ERR_INTERNAL when memory
 * is exhausted.
 */
int toolexec_resolve_arguments(json_object *arguments, json_object *input,
    json_object *steps, json_object **out, struct error *err);

#endif

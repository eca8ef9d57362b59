/*
 * install.h: installing connectors, and the workspace integrations that
 * installing makes (sql/006_connectors.sql, docs/api-v1/installs.md).
 *
 * An install checks the submitted form values against the connector's
 * manifest, seals the secret ones in the vault and stores the others
 * plainly, and, for byo_oauth, starts the authorization: an
 * integration_oauth_states row and the URL to open.  Every secret of a
 * workspace integration (submitted secret fields, an OAuth client
 * secret, access and refresh tokens) lives in ONE sealed JSON object per
 * row, whose vault additional data is
 *
 *     "workspace_integrations.secret:" <workspace_id> ":" <id>
 *
 * and a PKCE verifier is sealed under
 *
 *     "integration_oauth_states.code_verifier:" <workspace_id> ":"
 *     <integration_id>
 *
 * (uuids in lower case), exactly as drio-admin vault-rotate builds them
 * in SQL.  Nothing secret is ever put in a reply, an error or a log.
 *
 * The JSON shape of a workspace integration: {id, workspace_id, crew_id,
 * connector_id, connector_version, name, kind, auth_mode, url, status,
 * status_message, fields, secret_fields, oauth, catalog_size, created_by,
 * created_at, updated_at}; install_get() adds catalog.
 *
 * These are model functions: they trust the caller to have checked the
 * acting account's role in the workspace.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef DRIO_INSTALL_H
#define DRIO_INSTALL_H

#include <stdbool.h>

#include <json-c/json.h>

#include "auth.h"
#include "crypto.h"
#include "error.h"
#include "vault.h"

#define INSTALL_SECRET_AAD_PREFIX   "workspace_integrations.secret:"
#define INSTALL_VERIFIER_AAD_PREFIX "integration_oauth_states.code_verifier:"
#define INSTALL_AAD_MAX             128
#define INSTALL_NAME_MAX            255   /* characters in a name */
#define INSTALL_OAUTH_STATE_SECONDS 600   /* a started OAuth flow's life */
#define INSTALL_OAUTH_CALLBACK_PATH "/api/v1/connectors/oauth/callback"
#define INSTALL_STATE_TEXT_MAX      48    /* a state's text, with the NUL */

/* The statuses a workspace integration has, NULL-terminated. */
extern const char *const install_statuses[];

/* What to install.  Every member is borrowed. */
struct install_request {
	const char *workspace_id;
	const char *account_id;    /* the installer (created_by), may be NULL */
	const char *connector_id;
	const char *crew_id;       /* NULL: workspace scope */
	const char *name;          /* NULL: the manifest's name, made unique */
	json_object *fields;       /* submitted form values; NULL is {} */
	const char *public_url;    /* drio's origin, for the OAuth redirect */
};

/* What an install made.  Release with install_result_free(). */
struct install_result {
	char integration_id[AUTH_UUID_LEN + 1];
	const char *next_step;     /* static: "", "oauth" or "mcp_oauth" */
	char *oauth_url;           /* malloc'd; NULL unless next_step "oauth" */
};

/* Filters of a list; NULL members do not filter. */
struct install_filter {
	const char *crew_id;
	const char *connector_id;
	const char *status;
	long long page;
	long long limit;
};

/*
 * A change to a workspace integration; NULL members change nothing.
 * fields is merged into the stored form values: a string sets a value
 * (a secret field's is sealed again), null removes an optional one; the
 * merged values are checked against the connector's manifest.
 */
struct install_update {
	const char *name;
	json_object *fields;       /* borrowed */
	const char *status;        /* "connected" or "disabled" */
};

/*
 * Install connector r->connector_id in r->workspace_id, in a transaction
 * of its own: check the crew (of the same workspace) and the submitted
 * values (connector_fields_check), seal the secret values, insert the
 * row (a defaulted name that is taken gets " 2", " 3", ...), and for
 * byo_oauth store a new OAuth state and build the authorization URL.
 * Returns 0 with out filled (release with install_result_free), or -1
 * and err: ERR_CONNECTOR_NOT_FOUND, ERR_BAD_REQUEST (a submitted value,
 * details per field), ERR_CREW_NOT_FOUND, ERR_NAME_TAKEN (a given name
 * that is taken), or a database or vault error; out is then zeroed.
 */
int install_connector(struct vault *v, const struct install_request *r,
    struct install_result *out, struct error *err);

/* Release what out owns and zero it.  Accepts a zeroed struct. */
void install_result_free(struct install_result *out);

/*
 * The authorization URL of a byo_oauth manifest (borrowed): its
 * oauth.authorize_url with response_type=code, client_id, redirect_uri,
 * scope (the manifest's scopes joined by its scope_separator, default a
 * blank), state and, when oauth.pkce is true, code_challenge and
 * code_challenge_method=S256, every value percent-encoded (all but A-Z
 * a-z 0-9 - . _ ~).  Pure.  Returns 0 with a malloc'd *url (the caller
 * frees it), or -1 and err (ERR_INTERNAL: no oauth block, or memory).
 */
int install_oauth_url(json_object *manifest, const char *client_id,
    const char *redirect_uri, const char *state, const char *code_challenge,
    char **url, struct error *err);

/* An authorization request's parameters; borrowed strings. */
struct install_authorize {
	const char *authorize_url;  /* the authorization endpoint */
	const char *client_id;
	const char *redirect_uri;
	const char *scope;          /* NULL: no scope parameter */
	const char *state;
	const char *code_challenge; /* NULL: no PKCE */
	const char *resource;       /* RFC 8707; NULL: none */
};

/*
 * The authorization URL of a: authorize_url with response_type=code,
 * client_id, redirect_uri, scope (when not NULL), state, code_challenge
 * and code_challenge_method=S256 (when code_challenge is not NULL) and
 * resource (when not NULL), each value percent-encoded as
 * install_oauth_url() says, appended with "?" or "&" as the endpoint's
 * own query needs.  Pure.  Returns 0 with a malloc'd *url, or -1 and err
 * (ERR_INTERNAL: no endpoint, or memory).
 */
int install_authorize_url(const struct install_authorize *a, char **url,
    struct error *err);

/*
 * A started authorization: the state that goes in the URL (only there:
 * the row keeps its SHA-256), the PKCE challenge, and the verifier sealed
 * for integration_oauth_states.  Release with install_oauth_start_free(),
 * which wipes it.
 */
struct install_oauth_start {
	char state[INSTALL_STATE_TEXT_MAX];
	char challenge[44];
	char hash[CRYPTO_SHA256_HEX_LEN + 1];
	char *verifier_bytea;      /* the sealed verifier as bytea text */
};

/*
 * Make a fresh state and PKCE verifier for integration_id of
 * workspace_id and seal the verifier under install_verifier_aad().
 * Returns 0 with out filled, or -1 and err (ERR_INTERNAL without a
 * vault; a vault or memory error); out is then zeroed.
 */
int install_oauth_begin(struct vault *v, const char *workspace_id,
    const char *integration_id, struct install_oauth_start *out,
    struct error *err);

/*
 * Insert s as a live state of integration_id, started by account_id
 * (may be NULL) with redirect_uri, for INSTALL_OAUTH_STATE_SECONDS, and
 * delete every expired state: inside the caller's transaction.  Returns 0, or -1 and err (a
 * database error).
 */
int install_oauth_state_store(const struct install_oauth_start *s,
    const char *integration_id, const char *account_id,
    const char *redirect_uri, struct error *err);

/* Wipe and release s.  Accepts a zeroed struct.  Can't fail. */
void install_oauth_start_free(struct install_oauth_start *s);

/*
 * The PKCE S256 challenge of verifier: base64url of its SHA-256, without
 * padding, into challenge (44 bytes with the NUL).  Can't fail.
 */
void install_pkce_challenge(const char *verifier, char challenge[44]);

/*
 * The vault additional data of the row's secret, and of its OAuth
 * states' verifiers, with the uuids in lower case.  Can't fail (ids
 * longer than a uuid are cut).
 */
void install_secret_aad(const char *workspace_id, const char *integration_id,
    char aad[INSTALL_AAD_MAX]);
void install_verifier_aad(const char *workspace_id,
    const char *integration_id, char aad[INSTALL_AAD_MAX]);

/*
 * The workspace of integration_id into workspace_id.  Returns 0, or -1
 * and err: ERR_INTEGRATION_NOT_FOUND, or a database error.
 */
int install_workspace_of(const char *integration_id,
    char workspace_id[AUTH_UUID_LEN + 1], struct error *err);

/*
 * One page of the workspace's integrations by name (crew-scoped ones
 * too).  Returns 0 with a new *list and *total, or -1 and err (*list is
 * then NULL).
 */
int install_list(const char *workspace_id, const struct install_filter *f,
    json_object **list, long long *total, struct error *err);

/*
 * The integration with its catalog.  Returns 0 with a new *out, or -1
 * and err: ERR_INTEGRATION_NOT_FOUND (none in this workspace), or a
 * database error.
 */
int install_get(const char *workspace_id, const char *integration_id,
    json_object **out, struct error *err);

/*
 * Apply u to the integration, inside the caller's transaction (the row
 * is locked FOR UPDATE); updated_at moves only when something changes.
 * Returns 0 with *changed, or -1 and err: ERR_INTEGRATION_NOT_FOUND,
 * ERR_BAD_REQUEST (a merged value, or fields for an integration made
 * without a connector), ERR_CONNECTOR_NOT_FOUND, ERR_NAME_TAKEN,
 * ERR_CONFLICT (status connected before its OAuth flow finished), or a
 * database or vault error.
 */
int install_update(struct vault *v, const char *workspace_id,
    const char *integration_id, const struct install_update *u,
    bool *changed, struct error *err);

/*
 * Delete the integration (its OAuth states go with it), inside the
 * caller's transaction.  Returns 0, or -1 and err:
 * ERR_INTEGRATION_NOT_FOUND, ERR_IN_USE with one detail per app
 * integration attached to it (loc ["apps", app_id]), or a database
 * error.
 */
int install_delete(const char *workspace_id, const char *integration_id,
    struct error *err);

/*
 * Open the integration's sealed secret.  Usable inside a caller's
 * transaction.  Returns 0 with a new JSON object in *secret (empty when
 * the row has no secret; the caller releases it with json_object_put and
 * must never show it), or -1 and err: ERR_INTEGRATION_NOT_FOUND, a vault
 * error (a value moved from another row, changed, or under an unknown
 * key), or a database error; *secret is then NULL.
 */
int install_open_secret(struct vault *v, const char *workspace_id,
    const char *integration_id, json_object **secret, struct error *err);

/*
 * Merge secret (borrowed; a string member sets that key, null removes
 * it) into the integration's sealed secret and seal the result again,
 * setting secret_fields to its keys: how token exchange and refresh
 * store tokens.  Locks the row FOR UPDATE: run it inside the caller's
 * transaction so the read and the write are one.  Returns 0, or -1 and
 * err as install_open_secret().
 */
int install_store_secret(struct vault *v, const char *workspace_id,
    const char *integration_id, json_object *secret, struct error *err);

#endif

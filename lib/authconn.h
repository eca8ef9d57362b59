/*
 * authconn.h: an app's auth connections, which say how calls to its
 * integrations authenticate.  A connection has a name (unique in the
 * app), a type (none, api_key, bearer, basic, oauth2), settings that may
 * be shown (checked per type: authconn_check()) and a secret that is
 * never shown: a JSON object holding the type's secret fields, sealed
 * with the vault (vault.h) under the additional data
 *
 *     "auth_connections.secret:" <app id> ":" <connection id>
 *
 * (lower-case uuids, as drio-admin vault-rotate rebuilds it), with the
 * names of the fields it holds kept beside it in secret_fields.
 *
 * Replies show secret_set and secret_fields instead of the secret, and
 * used_by, the ids of the integrations that use the connection.  Reads
 * take ids the caller has already checked access to (access.h); every
 * lookup is scoped by the app.  Writes run inside draft_write() (draft.h).
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef DRIO_AUTHCONN_H
#define DRIO_AUTHCONN_H

#include <stdbool.h>

#include <json-c/json.h>

#include "auth.h"
#include "error.h"

struct vault;

#define AUTHCONN_NAME_MAX   255    /* characters in a name */
#define AUTHCONN_SECRET_MAX 16384  /* characters in one secret value */

/* What a create or update sets. */
struct authconn_fields {
	const char *name;          /* create: required; update: NULL keeps */
	const char *type;          /* create: required; update: NULL keeps */
	json_object *settings;     /* borrowed; NULL: {} on create, keeps on update */
	json_object *secret;       /* borrowed; NULL: none on create, keeps on update */
	bool clear_secret;         /* update: remove the stored secret */
};

/*
 * Is type one of the auth connection types?  NULL is not.  Can't fail.
 */
bool authconn_type_is_valid(const char *type);

/*
 * Check settings and secret (either may be NULL: not checked) against
 * type: the members each type allows, which are required and their
 * shapes (see docs/api-v1/auth.md).  Every problem becomes a detail
 * under "body" and the field name.  Pure.  Returns 0, or -1 and err
 * (ERR_VALIDATION with details).
 */
int authconn_check(const char *type, json_object *settings,
    json_object *secret, struct error *err);

/*
 * The app's auth connections by name, page and limit as in page.h.
 * Returns 0 with a new *list of connection objects and *total, or -1 and
 * err.
 */
int authconn_list(const char *app_id, long long page, long long limit,
    json_object **list, long long *total, struct error *err);

/*
 * One auth connection of app_id: {id, name, type, settings, secret_set,
 * secret_fields, used_by, created_at, updated_at}.  Returns 0 with a new
 * *conn, or -1 and err (ERR_AUTH_CONNECTION_NOT_FOUND).
 */
int authconn_get(const char *app_id, const char *auth_id, json_object **conn,
    struct error *err);

/*
 * Inside a draft write: create an auth connection of app_id from fields
 * (checked with authconn_check(); name and type required), sealing
 * fields->secret with vault.  vault may be NULL only when fields->secret
 * is NULL.  Returns 0 with the new connection's id in id, or -1 and err:
 * ERR_VALIDATION, ERR_NAME_TAKEN, or a vault or database error.
 */
int authconn_create(const char *app_id, struct vault *vault,
    const struct authconn_fields *fields, char id[AUTH_UUID_LEN + 1],
    struct error *err);

/*
 * Inside a draft write: change the auth connection auth_id of app_id.
 * NULL members keep what is stored.  A new type starts from settings {}
 * unless settings are given, and drops the stored secret unless a secret
 * is given; clear_secret drops it too (with a secret as well is
 * ERR_VALIDATION).  A given secret replaces the stored one as a whole.
 * vault may be NULL only when fields->secret is NULL.  Sets *changed to
 * whether anything differs from before.  Returns 0, or -1 and err:
 * ERR_AUTH_CONNECTION_NOT_FOUND, ERR_VALIDATION, ERR_NAME_TAKEN, or a
 * vault or database error.
 */
int authconn_update(const char *app_id, const char *auth_id,
    struct vault *vault, const struct authconn_fields *fields,
    bool *changed, struct error *err);

/*
 * Inside a draft write: delete the auth connection auth_id of app_id.
 * Returns 0, or -1 and err: ERR_AUTH_CONNECTION_NOT_FOUND, or ERR_IN_USE
 * with one detail {loc, msg, type, integration_id, name} per integration
 * that uses it.
 */
int authconn_delete(const char *app_id, const char *auth_id,
    struct error *err);

/*
 * For the runtime (MCP tool calls): the connection's secret object,
 * opened with the vault.  Returns 0 with a new *secret (NULL when none is
 * set; release it with json_object_put), or -1 and err
 * (ERR_AUTH_CONNECTION_NOT_FOUND, or ERR_INTERNAL when the stored value
 * does not open).  Never logs the secret.
 */
int authconn_open_secret(struct vault *vault, const char *app_id,
    const char *auth_id, json_object **secret, struct error *err);

#endif

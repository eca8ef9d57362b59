/*
 * access.h: who may do what in a workspace.  Roles rank owner > admin >
 * manager > normal.  Reading an app needs membership of its workspace;
 * changing it needs manager or above.  Anything in a workspace the caller
 * is not a member of answers exactly like something that does not exist.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef DRIO_ACCESS_H
#define DRIO_ACCESS_H

#include <stdbool.h>

#include <json-c/json.h>

#include "auth.h"
#include "error.h"

/* Roles, strongest first, as stored in members.role. */
enum role { ROLE_OWNER, ROLE_ADMIN, ROLE_MANAGER, ROLE_NORMAL, ROLE_NONE };

/* The role named by text, or ROLE_NONE.  Can't fail. */
enum role role_parse(const char *text);

/* The name of a role ("owner"), or NULL for ROLE_NONE.  Can't fail. */
const char *role_name(enum role role);

/* Does role rank at least as high as minimum?  ROLE_NONE never does. */
bool role_at_least(enum role role, enum role minimum);

/* An app the caller may reach, and what the caller is in its workspace. */
struct app_access {
	char app_id[AUTH_UUID_LEN + 1];
	char workspace_id[AUTH_UUID_LEN + 1];
	enum role role;
};

/*
 * Check that account_id may act on app_id with at least role minimum
 * (ROLE_NORMAL to read, ROLE_MANAGER to write).  Returns 0 and fills out,
 * or -1 and err: ERR_APP_NOT_FOUND when the app does not exist or is in
 * a workspace the account is not a member of, ERR_INSUFFICIENT_ROLE when
 * the role is too low, or a database error.
 */
int access_app(const char *account_id, const char *app_id,
    enum role minimum, struct app_access *out, struct error *err);

/*
 * Check that account_id is a member of workspace_id with at least role
 * minimum.  Returns 0 and the role in *role (may be NULL), or -1 and err:
 * ERR_WORKSPACE_NOT_FOUND for no such workspace or not a member,
 * ERR_INSUFFICIENT_ROLE, or a database error.
 */
int access_workspace(const char *account_id, const char *workspace_id,
    enum role minimum, enum role *role, struct error *err);

/*
 * The caller as the management APIs show it: {account: {id, email,
 * name}, workspaces: [{id, name, slug, role, app_count}]} for identity.
 * Returns 0 with a new *out, or -1 and err.
 */
int access_me(const struct auth_identity *identity, json_object **out,
    struct error *err);

#endif

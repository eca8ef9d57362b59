/*
 * access.c: roles and the membership checks every workspace-scoped route
 * makes (see access.h).
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>

#include "access.h"
#include "db.h"
#include "jsonutil.h"

static const char *const role_names[] = {
	[ROLE_OWNER] = "owner",
	[ROLE_ADMIN] = "admin",
	[ROLE_MANAGER] = "manager",
	[ROLE_NORMAL] = "normal",
};

enum role
role_parse(const char *text)
{
	int r;

	if (text == NULL)
		return ROLE_NONE;
	for (r = ROLE_OWNER; r < ROLE_NONE; r++)
		if (strcmp(text, role_names[r]) == 0)
			return (enum role)r;
	return ROLE_NONE;
}

const char *
role_name(enum role role)
{
	return role < ROLE_NONE ? role_names[role] : NULL;
}

bool
role_at_least(enum role role, enum role minimum)
{
	return role != ROLE_NONE && role <= minimum;
}

static const struct db_statement app_role = {
	"access_app_role",
	"SELECT a.workspace_id, m.role"
	"  FROM apps a"
	"  JOIN members m ON m.workspace_id = a.workspace_id"
	"   AND m.account_id = $2"
	" WHERE a.id = $1"
};

int
access_app(const char *account_id, const char *app_id, enum role minimum,
    struct app_access *out, struct error *err)
{
	const char *params[] = { app_id, account_id };
	PGresult *res;
	int rc = -1;

	if (db_exec(&app_role, 2, params, &res, err) != 0)
		return -1;
	if (PQntuples(res) != 1) {
		error_set(err, ERR_APP_NOT_FOUND, NULL);
		goto out;
	}
	memset(out, 0, sizeof(*out));
	snprintf(out->app_id, sizeof(out->app_id), "%s", app_id);
	snprintf(out->workspace_id, sizeof(out->workspace_id), "%s",
	    db_value(res, 0, 0));
	out->role = role_parse(db_value(res, 0, 1));
	if (!role_at_least(out->role, minimum)) {
		error_set(err, ERR_INSUFFICIENT_ROLE,
		    "Changing an app needs the role %s or above in its"
		    " workspace.", role_name(minimum));
		goto out;
	}
	rc = 0;
out:
	PQclear(res);
	return rc;
}

static const struct db_statement workspace_role = {
	"access_workspace_role",
	"SELECT role FROM members WHERE workspace_id = $1 AND account_id = $2"
};

int
access_workspace(const char *account_id, const char *workspace_id,
    enum role minimum, enum role *role, struct error *err)
{
	const char *params[] = { workspace_id, account_id };
	enum role found;
	PGresult *res;

	if (db_exec(&workspace_role, 2, params, &res, err) != 0)
		return -1;
	found = PQntuples(res) == 1 ? role_parse(db_value(res, 0, 0)) :
	    ROLE_NONE;
	PQclear(res);
	if (found == ROLE_NONE)
		return error_set(err, ERR_WORKSPACE_NOT_FOUND, NULL);
	if (!role_at_least(found, minimum))
		return error_set(err, ERR_INSUFFICIENT_ROLE,
		    "This needs the role %s or above in the workspace.",
		    role_name(minimum));
	if (role != NULL)
		*role = found;
	return 0;
}

static const struct db_statement me_workspaces = {
	"access_me_workspaces",
	"SELECT w.id, w.name, w.slug, m.role,"
	"       (SELECT count(*) FROM apps a WHERE a.workspace_id = w.id)"
	"  FROM members m JOIN workspaces w ON w.id = m.workspace_id"
	" WHERE m.account_id = $1 ORDER BY w.name, w.id"
};

int
access_me(const struct auth_identity *identity, json_object **out,
    struct error *err)
{
	const char *params[] = { identity->account_id };
	json_object *account, *workspaces;
	PGresult *res;
	int i;

	if (db_exec(&me_workspaces, 1, params, &res, err) != 0)
		return -1;
	workspaces = json_object_new_array();
	for (i = 0; i < PQntuples(res); i++) {
		json_object *w = json_object_new_object();

		json_put_string(w, "id", db_value(res, i, 0));
		json_put_string(w, "name", db_value(res, i, 1));
		json_put_string(w, "slug", db_value(res, i, 2));
		json_put_string(w, "role", db_value(res, i, 3));
		json_put_int(w, "app_count", db_int(res, i, 4));
		json_object_array_add(workspaces, w);
	}
	PQclear(res);
	account = json_object_new_object();
	json_put_string(account, "id", identity->account_id);
	json_put_string(account, "email", identity->email);
	json_put_string(account, "name", identity->name);
	*out = json_object_new_object();
	json_object_object_add(*out, "account", account);
	json_object_object_add(*out, "workspaces", workspaces);
	return 0;
}

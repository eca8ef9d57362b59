/*
 * appshare.c: apps shared with other workspaces, and the user-scoped
 * API's app listings (see appshare.h).
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>

#include "appshare.h"
#include "db.h"
#include "jsonutil.h"
#include "page.h"

/* ---------------------------------------------------------------- */
/* Shares                                                           */

#define SHARE_COLUMNS                                                     \
	"s.workspace_id, w.name, s.created_by, drio_rfc3339(s.created_at)"

static json_object *
share_from_row(const PGresult *res, int row)
{
	json_object *s = json_object_new_object();

	json_put_string(s, "workspace_id", db_value(res, row, 0));
	json_put_string(s, "workspace_name", db_value(res, row, 1));
	json_put_string(s, "created_by", db_value(res, row, 2));
	json_put_string(s, "created_at", db_value(res, row, 3));
	return s;
}

static const struct db_statement shares_of_app = {
	"appshare_list",
	"SELECT " SHARE_COLUMNS
	"  FROM app_shares s JOIN workspaces w ON w.id = s.workspace_id"
	" WHERE s.app_id = $1 ORDER BY w.name, s.workspace_id"
};

int
appshare_list(const char *app_id, json_object **list, struct error *err)
{
	const char *params[] = { app_id };
	PGresult *res;
	int i;

	*list = NULL;
	if (db_exec(&shares_of_app, 1, params, &res, err) != 0)
		return -1;
	*list = json_object_new_array();
	for (i = 0; i < PQntuples(res); i++)
		json_object_array_add(*list, share_from_row(res, i));
	PQclear(res);
	return 0;
}

/*
 * One statement: the target's existence and whether it is the app's own
 * workspace, and the insert when neither stands in the way.
 */
static const struct db_statement share_put = {
	"appshare_put",
	"WITH target AS (SELECT w.id, w.id = a.workspace_id AS own"
	"                  FROM workspaces w, apps a"
	"                 WHERE w.id = $2 AND a.id = $1),"
	"     added AS (INSERT INTO app_shares (app_id, workspace_id,"
	"                      created_by)"
	"               SELECT $1, id, $3 FROM target WHERE NOT own"
	"               ON CONFLICT DO NOTHING RETURNING workspace_id)"
	"SELECT (SELECT count(*) FROM target),"
	"       coalesce((SELECT own FROM target), false),"
	"       (SELECT count(*) FROM added)"
};

static const struct db_statement share_one = {
	"appshare_one",
	"SELECT " SHARE_COLUMNS
	"  FROM app_shares s JOIN workspaces w ON w.id = s.workspace_id"
	" WHERE s.app_id = $1 AND s.workspace_id = $2"
};

int
appshare_put(const char *app_id, const char *workspace_id,
    const char *account_id, bool *created, json_object **share,
    struct error *err)
{
	const char *params[] = { app_id, workspace_id, account_id };
	PGresult *res;
	bool exists, own;

	*share = NULL;
	*created = false;
	if (db_exec(&share_put, 3, params, &res, err) != 0)
		return -1;
	exists = db_int(res, 0, 0) == 1;
	own = db_bool(res, 0, 1);
	*created = db_int(res, 0, 2) == 1;
	PQclear(res);
	if (!exists)
		return error_set(err, ERR_WORKSPACE_NOT_FOUND, NULL);
	if (own) {
		error_set(err, ERR_VALIDATION, "An app is not shared with its"
		    " own workspace.");
		error_add_detail(err, "path", "workspace_id", "The app's own"
		    " workspace", "own_workspace");
		return -1;
	}
	if (db_exec(&share_one, 2, params, &res, err) != 0)
		return -1;
	if (PQntuples(res) == 1)
		*share = share_from_row(res, 0);
	PQclear(res);
	/* Unshared again between the two statements: as not found. */
	return *share != NULL ? 0 : error_set(err, ERR_WORKSPACE_NOT_FOUND,
	    NULL);
}

static const struct db_statement share_delete = {
	"appshare_delete",
	"DELETE FROM app_shares WHERE app_id = $1 AND workspace_id = $2"
	" RETURNING workspace_id"
};

int
appshare_delete(const char *app_id, const char *workspace_id,
    struct error *err)
{
	const char *params[] = { app_id, workspace_id };
	PGresult *res;
	int found;

	if (db_exec(&share_delete, 2, params, &res, err) != 0)
		return -1;
	found = PQntuples(res);
	PQclear(res);
	if (found == 1)
		return 0;
	return error_set(err, ERR_SHARE_NOT_FOUND, NULL);
}

static const struct db_statement may_use = {
	"appshare_may_use",
	"SELECT a.workspace_id FROM apps a"
	" WHERE a.id = $1"
	"   AND (EXISTS (SELECT 1 FROM members m"
	"                 WHERE m.workspace_id = a.workspace_id"
	"                   AND m.account_id = $2)"
	"        OR EXISTS (SELECT 1 FROM app_shares s"
	"                     JOIN members m ON m.workspace_id = s.workspace_id"
	"                    WHERE s.app_id = a.id AND m.account_id = $2))"
};

int
appshare_may_use(const char *app_id, const char *account_id,
    char workspace_id[AUTH_UUID_LEN + 1], struct error *err)
{
	const char *params[] = { app_id, account_id };
	PGresult *res;
	int found;

	workspace_id[0] = '\0';
	if (db_exec(&may_use, 2, params, &res, err) != 0)
		return -1;
	found = PQntuples(res);
	if (found == 1)
		snprintf(workspace_id, AUTH_UUID_LEN + 1, "%s",
		    db_value(res, 0, 0));
	PQclear(res);
	return found == 1 ? 0 : error_set(err, ERR_APP_NOT_FOUND, NULL);
}

/* ---------------------------------------------------------------- */
/* Listings                                                         */

#define ROW_COLUMNS                                                       \
	"a.id, a.name, a.description, a.mode, to_jsonb(a.tags),"          \
	" drio_rfc3339(a.updated_at), a.workspace_id, w.name, c.name"
#define ROW_JOINS                                                         \
	"  JOIN workspaces w ON w.id = a.workspace_id"                     \
	"  LEFT JOIN accounts c ON c.id = a.created_by"
#define ROW_FILTERS                                                       \
	"   AND ($2::text IS NULL OR strpos(lower(a.name), lower($2)) > 0)" \
	"   AND ($3::text IS NULL OR a.mode = $3)"

/* {"name": tag} for each tag of the text[] (as jsonb) at res:row:col. */
static json_object *
tags_of(const PGresult *res, int row, int col)
{
	json_object *names = json_from_db(db_value(res, row, col));
	json_object *tags = json_object_new_array();
	size_t i, n = names != NULL ? json_object_array_length(names) : 0;

	for (i = 0; i < n; i++) {
		json_object *tag = json_object_new_object();

		json_object_object_add(tag, "name", json_object_get(
		    json_object_array_get_idx(names, i)));
		json_object_array_add(tags, tag);
	}
	json_object_put(names);
	return tags;
}

static json_object *
row_from_result(const PGresult *res, int row)
{
	json_object *o = json_object_new_object();

	json_put_string(o, "id", db_value(res, row, 0));
	json_put_string(o, "name", db_value(res, row, 1));
	json_put_string(o, "description", db_value(res, row, 2));
	json_put_string(o, "mode", db_value(res, row, 3));
	json_object_object_add(o, "tags", tags_of(res, row, 4));
	json_put_string(o, "updated_at", db_value(res, row, 5));
	json_put_string(o, "workspace_id", db_value(res, row, 6));
	json_put_string(o, "workspace_name", db_value(res, row, 7));
	json_put_string(o, "created_by_name", db_value(res, row, 8));
	return o;
}

static const struct db_statement workspace_page = {
	"applist_workspace_page",
	"SELECT " ROW_COLUMNS ", count(*) OVER ()"
	"  FROM apps a" ROW_JOINS
	" WHERE a.workspace_id = $1" ROW_FILTERS
	"   AND ($4::text IS NULL OR a.tags @> ARRAY[$4::text])"
	" ORDER BY a.updated_at DESC, a.id LIMIT $5 OFFSET $6"
};

static const struct db_statement workspace_count = {
	"applist_workspace_count",
	"SELECT count(*) FROM apps a"
	" WHERE a.workspace_id = $1" ROW_FILTERS
	"   AND ($4::text IS NULL OR a.tags @> ARRAY[$4::text])"
};

int
applist_workspace(const struct applist_filter *f, json_object **list,
    long long *total, struct error *err)
{
	const char *params[] = { f->workspace_id, f->name, f->mode, f->tag,
	    NULL, NULL };

	return page_fetch_list(&workspace_page, &workspace_count, params, 6,
	    f->page, f->limit, row_from_result, list, total, err);
}

/* Shared with one of the caller's workspaces, and not in any of them. */
#define PERMITTED                                                         \
	" WHERE EXISTS (SELECT 1 FROM app_shares s"                        \
	"                 JOIN members m ON m.workspace_id = s.workspace_id" \
	"                WHERE s.app_id = a.id AND m.account_id = $1)"      \
	"   AND NOT EXISTS (SELECT 1 FROM members m"                       \
	"                    WHERE m.workspace_id = a.workspace_id"        \
	"                      AND m.account_id = $1)"

static const struct db_statement permitted_page = {
	"applist_permitted_page",
	"SELECT " ROW_COLUMNS ", count(*) OVER ()"
	"  FROM apps a" ROW_JOINS PERMITTED ROW_FILTERS
	" ORDER BY a.updated_at DESC, a.id LIMIT $4 OFFSET $5"
};

static const struct db_statement permitted_count = {
	"applist_permitted_count",
	"SELECT count(*) FROM apps a" PERMITTED ROW_FILTERS
};

int
applist_permitted(const struct applist_filter *f, json_object **list,
    long long *total, struct error *err)
{
	const char *params[] = { f->account_id, f->name, f->mode, NULL,
	    NULL };

	return page_fetch_list(&permitted_page, &permitted_count, params, 5,
	    f->page, f->limit, row_from_result, list, total, err);
}

static const struct db_statement describe_info = {
	"applist_describe_info",
	"SELECT a.id, a.name, a.description, a.mode, c.name,"
	"       to_jsonb(a.tags), drio_rfc3339(a.updated_at),"
	"       EXISTS (SELECT 1 FROM releases r WHERE r.app_id = a.id)"
	"  FROM apps a LEFT JOIN accounts c ON c.id = a.created_by"
	" WHERE a.id = $1"
};

int
applist_describe_info(const char *app_id, json_object **info,
    struct error *err)
{
	const char *params[] = { app_id };
	const char *mode;
	PGresult *res;

	*info = NULL;
	if (db_exec(&describe_info, 1, params, &res, err) != 0)
		return -1;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return error_set(err, ERR_APP_NOT_FOUND, NULL);
	}
	mode = db_value(res, 0, 3);
	*info = json_object_new_object();
	json_put_string(*info, "id", db_value(res, 0, 0));
	json_put_string(*info, "name", db_value(res, 0, 1));
	json_put_string(*info, "description", db_value(res, 0, 2));
	json_put_string(*info, "mode", mode);
	json_put_string(*info, "author", db_value(res, 0, 4));
	json_object_object_add(*info, "tags", tags_of(res, 0, 5));
	json_put_string(*info, "updated_at", db_value(res, 0, 6));
	json_put_bool(*info, "service_api_enabled", db_bool(res, 0, 7));
	json_put_bool(*info, "is_agent", strcmp(mode, "agent") == 0 ||
	    strcmp(mode, "agent-chat") == 0);
	PQclear(res);
	return 0;
}

/*
 * appshare.h: apps shared with other workspaces (sql/014_app_shares.sql),
 * and the listings of the user-scoped API (/openapi/v1): a workspace's
 * apps, the apps other workspaces share with the caller, and an app's
 * describe info.
 *
 * An account may use an app (describe, export, run) when it is a member
 * of the app's workspace or of a workspace the app is shared with.
 * These are model functions: the share writes trust the caller to have
 * checked the acting account's role in the app's workspace.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef DRIO_APPSHARE_H
#define DRIO_APPSHARE_H

#include <stdbool.h>

#include <json-c/json.h>

#include "auth.h"
#include "error.h"

/*
 * The workspaces app_id is shared with, by workspace name: a new array of
 * {workspace_id, workspace_name, created_by, created_at}.  Returns 0, or
 * -1 and err.
 */
int appshare_list(const char *app_id, json_object **list, struct error *err);

/*
 * Share app_id with workspace_id as account_id.  *created says whether
 * it was not shared yet (a second share changes nothing).  Returns 0
 * with *share (a new object, as appshare_list's items), or -1 and err:
 * ERR_WORKSPACE_NOT_FOUND when there is no such workspace,
 * ERR_VALIDATION when it is the app's own, or a database error.
 */
int appshare_put(const char *app_id, const char *workspace_id,
    const char *account_id, bool *created, json_object **share,
    struct error *err);

/*
 * Stop sharing app_id with workspace_id.  Returns 0, or -1 and err:
 * ERR_SHARE_NOT_FOUND when it was not shared with it, or a database
 * error.
 */
int appshare_delete(const char *app_id, const char *workspace_id,
    struct error *err);

/*
 * May account_id use app_id (a member of its workspace, or of one it is
 * shared with)?  Returns 0 with the app's workspace in workspace_id, or
 * -1 and err: ERR_APP_NOT_FOUND (also for an app the account may not
 * use: its existence is not told), or a database error.
 */
int appshare_may_use(const char *app_id, const char *account_id,
    char workspace_id[AUTH_UUID_LEN + 1], struct error *err);

/* What the user-scoped app listings select. */
struct applist_filter {
	const char *account_id;    /* the caller */
	const char *workspace_id;  /* applist_workspace: the workspace */
	const char *name;          /* substring, case-insensitive, or NULL */
	const char *mode;          /* or NULL */
	const char *tag;           /* or NULL */
	long long page;
	long long limit;
};

/*
 * The apps of f->workspace_id (the caller checked membership), newest
 * change first, as the user-scoped API's AppListRow: {id, name,
 * description, mode, tags: [{name}], updated_at, workspace_id,
 * workspace_name, created_by_name}.  Returns 0 with a new *list and
 * *total, or -1 and err.
 */
int applist_workspace(const struct applist_filter *f, json_object **list,
    long long *total, struct error *err);

/*
 * The apps shared with a workspace f->account_id is a member of, other
 * than those of its own workspaces (f->workspace_id and f->tag are
 * ignored), as applist_workspace's rows.  Returns 0 with a new *list and
 * *total, or -1 and err.
 */
int applist_permitted(const struct applist_filter *f, json_object **list,
    long long *total, struct error *err);

/*
 * The describe info of app_id: {id, name, description, mode, author,
 * tags: [{name}], updated_at, service_api_enabled (it has a release to
 * run), is_agent}.  Returns 0 with a new *info, or -1 and err
 * (ERR_APP_NOT_FOUND, or a database error).
 */
int applist_describe_info(const char *app_id, json_object **info,
    struct error *err);

#endif

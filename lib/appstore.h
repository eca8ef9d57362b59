/*
 * appstore.h: reading and writing the app model, shared by the
 * management APIs (v3 and v1 see and change the same rows through these
 * functions) and by anything else that creates apps.  Replies are JSON
 * objects the caller owns; reads take ids the caller has already checked
 * access to (access.h), and every id lookup is scoped by the app, so an
 * id from another app is "not found".
 *
 * Writes run inside draft_write() (draft.h): the caller opens the write,
 * these functions make the change.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef DRIO_APPSTORE_H
#define DRIO_APPSTORE_H

#include <stdbool.h>

#include <json-c/json.h>

#include "auth.h"
#include "error.h"

/* Filters of an app list; NULL members do not filter. */
struct app_filter {
	const char *account_id;    /* apps in this account's workspaces */
	const char *workspace_id;
	const char *name;          /* substring, case-insensitive */
	const char *mode;
	const char *tag;
	long long page;
	long long limit;
};

/*
 * The apps filter selects, newest change first.  Returns 0 with a new
 * *list of app objects and *total, or -1 and err.
 */
int appstore_apps_list(const struct app_filter *filter, json_object **list,
    long long *total, struct error *err);

/*
 * One app, with its draft ({id, revision, based_on_release, updated_at})
 * and latest release ({number, checksum, published_at} or null).
 * Returns 0 with a new *app, or -1 and err (ERR_APP_NOT_FOUND).
 */
int appstore_app_get(const char *app_id, json_object **app,
    struct error *err);

/*
 * The compact authoring state: draft, integrations with operation counts
 * and auth summary, tools with their operation references, the last
 * validation (with "current": whether it is of this revision) and the
 * latest release.  Returns 0 with a new *state, or -1 and err.
 */
int appstore_authoring_state(const char *app_id, json_object **state,
    struct error *err);

/* The app's integrations by name.  Returns 0 with *list, or -1 and err. */
int appstore_integrations_list(const char *app_id, json_object **list,
    struct error *err);

/*
 * One page of them (page and limit as in page.h).  Returns 0 with *list
 * and *total, or -1 and err.
 */
int appstore_integrations_page(const char *app_id, long long page,
    long long limit, json_object **list, long long *total, struct error *err);

/*
 * One integration of app_id.  Returns 0 with *integration, or -1 and err
 * (ERR_INTEGRATION_NOT_FOUND).
 */
int appstore_integration_get(const char *app_id, const char *integration_id,
    json_object **integration, struct error *err);

/* Filters of an operation list. */
struct operation_filter {
	const char *app_id;
	const char *integration_id;
	const char *status;        /* "active", "removed" or NULL for both */
	const char *query;         /* substring of key, path or summary */
	long long page;
	long long limit;
};

/*
 * The operations of an integration, by path and method, each with the
 * ids of the tools that use it.  ERR_INTEGRATION_NOT_FOUND when the
 * integration is not the app's.  Returns 0 with *list and *total, or -1
 * and err.
 */
int appstore_operations_list(const struct operation_filter *filter,
    json_object **list, long long *total, struct error *err);

/*
 * One operation of app_id.  Returns 0 with *operation, or -1 and err
 * (ERR_OPERATION_NOT_FOUND).
 */
int appstore_operation_get(const char *app_id, const char *operation_id,
    json_object **operation, struct error *err);

/*
 * The tools of the draft by name (page and limit as in page.h), each
 * with its effective annotations and operation reference.  Returns 0 with
 * *list and *total, or -1 and err.
 */
int appstore_tools_list(const char *app_id, long long page, long long limit,
    json_object **list, long long *total, struct error *err);

/*
 * One tool of app_id.  Returns 0 with *tool, or -1 and err
 * (ERR_TOOL_NOT_FOUND).
 */
int appstore_tool_get(const char *app_id, const char *tool_id,
    json_object **tool, struct error *err);

/*
 * Check explicit annotations a client sent: an object whose members are
 * only readOnlyHint, destructiveHint, idempotentHint and openWorldHint,
 * each a boolean.  NULL passes.  Returns 0, or -1 and err (422).
 */
int appstore_check_annotations(json_object *annotations, struct error *err);

/* What a tool made from an operation may override of the derived one. */
struct tool_overrides {
	const char *name;          /* NULL: derived from the operation key */
	const char *title;
	const char *description;
	json_object *annotations;  /* explicit hints, borrowed; may be NULL */
	const char *widget_id;
	bool disabled;
};

/*
 * Inside a draft write: create a tool from operation_id (an operation of
 * app_id) with everything derived from the operation but what overrides
 * sets.  Returns 0 with the new tool's id in tool_id, or -1 and err:
 * ERR_OPERATION_NOT_FOUND, ERR_VALIDATION when the operation was removed
 * by discovery, ERR_NAME_TAKEN, ERR_WIDGET_NOT_FOUND.
 */
int appstore_tool_create_from_operation(const char *app_id,
    const char *operation_id, const struct tool_overrides *overrides,
    char tool_id[AUTH_UUID_LEN + 1], struct error *err);

/*
 * Inside a draft write: make tools from operations of one integration:
 * those listed in refs (a JSON array of operation ids or keys, borrowed),
 * or every active one when refs is NULL.  Operations that already back a
 * tool are skipped; problems with one operation (unknown, removed, name
 * taken) are reported for it without failing the others.  Returns 0 with
 * a new *report {created: [tool], skipped: [{operation_id, key, tool_id,
 * reason}], failed: [{ref, operation_id, key, code, message}]}, or -1 and
 * err (database errors, ERR_INTEGRATION_NOT_FOUND).
 */
int appstore_import_tools(const char *app_id, const char *integration_id,
    json_object *refs, json_object **report, struct error *err);

#endif

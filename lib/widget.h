/*
 * widget.h: an app's widgets, the HTML templates an MCP client renders a
 * tool's result with (MCP Apps' ui:// resources, OpenAI Apps SDK output
 * templates).  A widget has a name (unique in the app; its resource is
 * ui://widget/<name>.html), a title and description, the template, its
 * content-security settings (csp: the origins it may connect to, load
 * resources from and frame), whether it prefers a border, and its actions:
 * buttons that call a tool of the app.
 *
 * An action names its tool by name and nothing checks at write time that
 * the tool exists (a widget is often written before its tools, and a tool
 * may be deleted later): validation (appconfig.h) reports actions whose
 * tool the draft lacks as widget_action_tool_unknown.
 *
 * Reads take ids the caller has already checked access to (access.h);
 * every lookup is scoped by the app.  Writes run inside draft_write().
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef DRIO_WIDGET_H
#define DRIO_WIDGET_H

#include <stdbool.h>

#include <json-c/json.h>

#include "auth.h"
#include "error.h"

#define WIDGET_TITLE_MAX        255     /* characters */
#define WIDGET_DESCRIPTION_MAX  4000    /* characters */
#define WIDGET_TEMPLATE_MAX     524288  /* characters: 512 Ki */
#define WIDGET_ACTIONS_MAX      32
#define WIDGET_ACTION_LABEL_MAX 64      /* characters */
#define WIDGET_CSP_DOMAINS_MAX  64      /* origins in one csp list */

/* What a create or update sets; NULL (or -1) members keep. */
struct widget_fields {
	const char *name; const char *title; const char *description; const char *template;
	json_object *csp;          /* borrowed; NULL keeps / {} */
	json_object *actions;      /* borrowed; NULL keeps / [] */
	int prefers_border;        /* -1 keeps (false on create), 0, 1 */
};

/*
 * Check the members of fields that are set (create: name and template
 * are required): name ^[A-Za-z0-9_-]{1,64}$, the lengths, csp and
 * actions (see docs/api-v1/widgets.md).  Every problem becomes a detail
 * under "body".  Pure.  Returns 0, or -1 and err (ERR_VALIDATION with
 * details).
 */
int widget_check(const struct widget_fields *fields, bool create,
    struct error *err);

/*
 * The app's widgets by name, page and limit as in page.h, without their
 * templates (template_length and template_sha256 stand for them).
 * Returns 0 with a new *list and *total, or -1 and err.
 */
int widget_list(const char *app_id, long long page, long long limit,
    json_object **list, long long *total, struct error *err);

/*
 * One widget of app_id: {id, name, uri, title, description, template,
 * template_length, template_sha256, csp, prefers_border, actions,
 * used_by, created_at, updated_at}.  Returns 0 with a new *widget, or -1
 * and err (ERR_WIDGET_NOT_FOUND).
 */
int widget_get(const char *app_id, const char *widget_id,
    json_object **widget, struct error *err);

/*
 * Inside a draft write: create a widget of app_id from fields (checked
 * with widget_check(); actions stored with type "tool_call").  Returns 0
 * with the new widget's id in id, or -1 and err: ERR_VALIDATION,
 * ERR_NAME_TAKEN, or a database error.
 */
int widget_create(const char *app_id, const struct widget_fields *fields,
    char id[AUTH_UUID_LEN + 1], struct error *err);

/*
 * Inside a draft write: change the widget widget_id of app_id; actions,
 * when given, replace the whole list.  Sets *changed to whether anything
 * differs from before (nothing is written otherwise).  Returns 0, or -1
 * and err: ERR_WIDGET_NOT_FOUND, ERR_VALIDATION, ERR_NAME_TAKEN, or a
 * database error.
 */
int widget_update(const char *app_id, const char *widget_id,
    const struct widget_fields *fields, bool *changed, struct error *err);

/*
 * Inside a draft write: delete the widget widget_id of app_id.  The tools
 * that used it keep working without one.  Returns 0 with a new
 * *detached_tools, the ids of those tools by name, or -1 and err
 * (ERR_WIDGET_NOT_FOUND, database errors).
 */
int widget_delete(const char *app_id, const char *widget_id,
    json_object **detached_tools, struct error *err);

#endif

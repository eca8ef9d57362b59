/*
 * toolwrite.h: writing an app's tools the low-level way, as the
 * management API v1 (and templates, imports, anything that builds a
 * draft) does: a tool made from an operation with everything derived,
 * or with a hand-set input schema and binding; a chain tool, whose steps
 * call operations of the app in turn; changing any of that; deleting a
 * tool.
 *
 * A tool runs either an operation or a chain, never both (appconfig
 * resolves an operation tool's chain to nothing).  A binding belongs to
 * an operation tool: NULL means "derived from the operation's
 * parameters".  A chain is [{name, operation_id, arguments}]; the
 * arguments' {{input.X}} and {{steps.NAME...}} references are judged by
 * validation (appconfig), like everything else that depends on other
 * rows that can change later.
 *
 * What these functions check is the shape of what is written and what
 * it names now: tool and step names, the input schema (modestly), the
 * binding's entries, the chain's steps, annotations, and that the
 * operations and widget named are the app's.  Refusals are 422
 * ERR_VALIDATION with details whose loc is "body", the field, then the
 * members and array indexes (as strings) leading to the wrong value,
 * e.g. ["body", "chain", "1", "operation_id"].
 *
 * Every write function runs inside a draft write (draft.h): the caller
 * opens the transaction, these functions make the change.  Ids are
 * borrowed, and scoped by app_id: another app's tool, operation or
 * widget is "not found".
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef DRIO_TOOLWRITE_H
#define DRIO_TOOLWRITE_H

#include <stdbool.h>

#include <json-c/json.h>

#include "appconfig.h"
#include "auth.h"
#include "error.h"

#define TOOLWRITE_CHAIN_MAX APPCONFIG_CHAIN_MAX /* steps in a chain */

/*
 * A tool's fields as one write gives them; every pointer is borrowed.
 * NULL members (and enabled -1) are not given: a create derives them or
 * takes the column default, an update keeps them.  Start from
 * TOOL_FIELDS_INIT.
 */
struct tool_fields {
	const char *name;
	const char *title;
	const char *description;
	json_object *input_schema; /* a JSON Schema of type object */
	json_object *annotations;  /* explicit hints; replaces the old ones */
	const char *operation_id;
	const char *widget_id;
	json_object *binding;      /* create only: {property: {in, name}} */
	json_object *chain;        /* create only: [{name, operation_id,
	                            * arguments}] */
	int enabled;               /* 1, 0, or -1: not given */
	bool clear_annotations;    /* back to all derived */
	bool clear_widget;         /* detach the widget */
};

#define TOOL_FIELDS_INIT { .enabled = -1 }

/*
 * Check a tool's input schema: an object whose type is "object", whose
 * properties, when present, is an object of schemas (objects or
 * booleans), and whose required, when present, is an array of strings.
 * Nothing more of JSON Schema is checked.  Pure.  Returns 0, or -1 and
 * err (ERR_VALIDATION with details under "input_schema").
 */
int toolwrite_check_input_schema(json_object *schema, struct error *err);

/*
 * Check a binding's shape: an object mapping input properties to
 * {in, name[, style, explode]}, in one of path, query, header and body,
 * name a non-empty string (optional for body: the whole body), style a
 * string and explode a boolean; nothing else.  When input_schema is not
 * NULL, every property bound must be one of its properties.  Pure.
 * Returns 0, or -1 and err (ERR_VALIDATION with details under
 * "binding").
 */
int toolwrite_check_binding(json_object *binding, json_object *input_schema,
    struct error *err);

/*
 * Check a chain's shape: an array of 1 to TOOLWRITE_CHAIN_MAX steps,
 * each {name, operation_id, arguments?} and nothing else, names valid
 * tool names (so {{steps.NAME.x}} can name them) and distinct,
 * operation_id a UUID, arguments an object.  Whether the operations are
 * the app's is toolwrite_create's and toolwrite_set_chain's to check.
 * Pure.  Returns 0, or -1 and err (ERR_VALIDATION with details under
 * "chain").
 */
int toolwrite_check_chain(json_object *chain, struct error *err);

/*
 * Inside a draft write: create a tool of app_id.  With f->operation_id
 * and no chain, the tool is made from the operation (as
 * appstore_tool_create_from_operation does), then f->input_schema and
 * f->binding, when given, replace the derived ones.  With f->chain and
 * no operation_id, it is a chain tool, which needs f->name and
 * f->input_schema.  Every field is checked first, all problems reported
 * at once.  Returns 0 with the new tool's id in tool_id, or -1 and err:
 * ERR_VALIDATION, ERR_OPERATION_NOT_FOUND (f->operation_id),
 * ERR_WIDGET_NOT_FOUND, ERR_NAME_TAKEN (with a detail on "name"), or a
 * database error.
 */
int toolwrite_create(const char *app_id, const struct tool_fields *f,
    char tool_id[AUTH_UUID_LEN + 1], struct error *err);

/*
 * Inside a draft write: change tool_id of app_id: the fields of f that
 * are given (f->binding and f->chain are not read; see below).  A new
 * operation_id re-points an operation tool, keeping its input schema and
 * binding; a chain tool cannot be given one.  *changed tells whether
 * anything differs from before (when not, nothing was written).
 * Returns 0, or -1 and err: ERR_TOOL_NOT_FOUND, ERR_VALIDATION,
 * ERR_OPERATION_NOT_FOUND, ERR_WIDGET_NOT_FOUND, ERR_NAME_TAKEN, or a
 * database error.
 */
int toolwrite_update(const char *app_id, const char *tool_id,
    const struct tool_fields *f, bool *changed, struct error *err);

/*
 * Inside a draft write: replace the binding of tool_id, an operation
 * tool, by binding (borrowed), checked against the tool's input schema;
 * NULL goes back to the binding derived from the operation.  *changed
 * as for toolwrite_update.  Returns 0, or -1 and err:
 * ERR_TOOL_NOT_FOUND, ERR_VALIDATION (also when the tool runs no
 * operation), or a database error.
 */
int toolwrite_set_binding(const char *app_id, const char *tool_id,
    json_object *binding, bool *changed, struct error *err);

/*
 * Inside a draft write: replace the chain of tool_id, which must not run
 * an operation, by chain (borrowed), whose steps' operations must be
 * active operations of app_id; NULL removes the chain.  *changed as for
 * toolwrite_update.  Returns 0, or -1 and err: ERR_TOOL_NOT_FOUND,
 * ERR_VALIDATION, or a database error.
 */
int toolwrite_set_chain(const char *app_id, const char *tool_id,
    json_object *chain, bool *changed, struct error *err);

/*
 * Inside a draft write: delete tool_id of app_id.  Widget actions that
 * call it are left for validation to report.  Returns 0, or -1 and err:
 * ERR_TOOL_NOT_FOUND or a database error.
 */
int toolwrite_delete(const char *app_id, const char *tool_id,
    struct error *err);

#endif

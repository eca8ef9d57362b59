/*
 * template.h: app templates (docs/templates.md is the contract).  A
 * template is a JSON file that drio-admin load-templates checks with
 * template_check() and stores in the templates table; the management API
 * lists the stored ones and creates apps from them with
 * template_instantiate(), never from the files.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef DRIO_TEMPLATE_H
#define DRIO_TEMPLATE_H

#include <json-c/json.h>

#include "error.h"

#define TEMPLATE_FILE_MAX (1024 * 1024)  /* bytes in one template file */

/* The categories a template may have, NULL-terminated. */
extern const char *const template_categories[];

/* Filters of a template list; NULL members do not filter. */
struct template_filter {
	const char *category;
	const char *tag;
	long long page;
	long long limit;
};

/*
 * The loaded templates by name, as summaries {id, name, description,
 * category, mode, icon, icon_background, tags, version, loaded_at,
 * tool_count, needs_secrets}.  Returns 0 with a new *list and *total, or
 * -1 and err.
 */
int template_list(const struct template_filter *filter, json_object **list,
    long long *total, struct error *err);

/*
 * One loaded template: its summary plus what an app made from it gets
 * (app, auth_connections, integrations with their operation keys but not
 * their documents, tools, widgets without their HTML).  Returns 0 with a
 * new *template, or -1 and err (ERR_TEMPLATE_NOT_FOUND).
 */
int template_get(const char *id, json_object **template, struct error *err);

/*
 * The stored definition (the whole file) of template id.  Returns 0 with
 * a new *definition, or -1 and err (ERR_TEMPLATE_NOT_FOUND).
 */
int template_definition(const char *id, json_object **definition,
    struct error *err);

/*
 * Check doc (borrowed) against every rule of the template format,
 * including that each inline OpenAPI document is read by oas_discover()
 * without a warning and that every tool names an operation of it.  When
 * expected_id is not NULL the template's id must equal it (the file
 * name).  Pure.  Returns 0, or -1 and err: ERR_VALIDATION whose message
 * says what is wrong and whose one detail's loc is ["body", pointer],
 * pointer a JSON Pointer into doc.
 */
int template_check(json_object *doc, const char *expected_id,
    struct error *err);

/*
 * Inside the transaction that created app_id: create the content of a
 * checked definition (borrowed): its auth connections without secrets,
 * its integrations with the operations discovered from their inline
 * documents, its widgets and its tools.  Returns 0, or -1 and err.
 */
int template_instantiate(const char *app_id, json_object *definition,
    struct error *err);

#endif

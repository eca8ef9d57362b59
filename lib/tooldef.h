/*
 * tooldef.h: deriving an MCP tool from an upstream operation (as
 * oas_discover() describes one): a valid tool name, a title, a
 * description, the input schema, the behaviour hints MCP calls
 * annotations, and the binding that says where each argument goes in
 * the HTTP request.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef DRIO_TOOLDEF_H
#define DRIO_TOOLDEF_H

#include <stdbool.h>

#include <json-c/json.h>

#include "error.h"

#define TOOLDEF_NAME_MAX  64  /* bytes in an MCP tool name */
#define TOOLDEF_TITLE_MAX 255 /* characters in a tool's title */

/* Is name a valid MCP tool name, ^[A-Za-z0-9_-]{1,64}$ ?  NULL is not. */
bool tooldef_name_is_valid(const char *name);

/*
 * Make a valid tool name from an operation key into out: every byte but
 * A-Z, a-z, 0-9, "_" and "-" becomes "_", runs of "_" become one, none
 * at the ends, at most TOOLDEF_NAME_MAX bytes; "" (or NULL) becomes
 * "tool".  Two keys can make the same name; telling them apart is the
 * caller's.  Can't fail.
 */
void tooldef_name_from_key(const char *key, char out[TOOLDEF_NAME_MAX + 1]);

/*
 * The MCP annotations for an HTTP method (any case; NULL for an
 * operation of an MCP server, which says nothing about its effects):
 *
 *     GET HEAD OPTIONS  readOnly, not destructive, idempotent
 *     POST              not readOnly, not destructive, not idempotent
 *     PUT DELETE        not readOnly, destructive, idempotent
 *     PATCH             not readOnly, destructive, not idempotent
 *
 * as readOnlyHint, destructiveHint and idempotentHint, with
 * openWorldHint true for all (they call an outside system); a NULL or
 * unknown method gets openWorldHint only.  Each boolean member of
 * explicit_hints (borrowed, may be NULL) named readOnlyHint,
 * destructiveHint, idempotentHint or openWorldHint overrides the derived
 * one; other members are ignored.  Returns a new object, or NULL when
 * memory is exhausted.
 */
json_object *tooldef_annotations(const char *method,
    json_object *explicit_hints);

/*
 * The method a chain tool's annotations derive from, given the methods
 * of its steps in order (NULL entries for steps without one are
 * skipped): the first step's, unless a later step is not read-only (GET,
 * HEAD, OPTIONS); then the last such step's up to the first DELETE, which
 * ends the search.  A chain is only as safe as its most dangerous step.
 * Returns NULL when no step has a method.  Can't fail.
 */
const char *tooldef_chain_method(const char *const *methods, size_t n);

/*
 * Derive a tool from operation (an object as oas_discover() makes;
 * borrowed): {"name", "title", "description", "input_schema",
 * "annotations", "binding"}.  The name comes from the key; the title is
 * the summary, else the key made readable ("get_users_by_id" is "Get
 * users by id"), at most TOOLDEF_TITLE_MAX characters; the description
 * is the description, else the summary, else "METHOD path" (the key for
 * an MCP server's tool, which has neither method nor path);
 * input_schema and binding are copies of the operation's input_schema
 * and parameters; the annotations are the method's, and the operation's
 * own (an MCP server's tool's) when it has them.  Returns 0 with *tool a
 * new object (release with json_object_put), or -1 with *tool NULL and
 * err set: ERR_VALIDATION when operation lacks a string key, has a
 * method without a path or a path without a method, or lacks an object
 * input_schema or parameters; ERR_INTERNAL when memory is exhausted.
 */
int tooldef_from_operation(json_object *operation, json_object **tool,
    struct error *err);

#endif

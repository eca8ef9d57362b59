/*
 * toolwrite.c: creating, changing and deleting an app's tools the
 * low-level way: hand-set input schemas, bindings and chains (see
 * toolwrite.h).  The pure shape checks come first, then the writes;
 * every statement is scoped by the app id.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "appstore.h"
#include "db.h"
#include "jsonutil.h"
#include "tooldef.h"
#include "toolwrite.h"
#include "valid.h"

/* ---------------------------------------------------------------- */
/* Details                                                          */

/*
 * Add a detail {loc: ["body", field, part...], msg, type} to err; the
 * parts are strings, the list ends with NULL.  Can't fail (a detail
 * that does not fit in memory is dropped).
 */
/* Ends the parts of a detail's loc (a plain NULL may be an int). */
#define LOC_END ((const char *)NULL)

static void detail(struct error *err, const char *type, const char *msg,
    const char *field, ...) __attribute__((__sentinel__));

static void
detail(struct error *err, const char *type, const char *msg,
    const char *field, ...)
{
	json_object *last, *loc;
	const char *part;
	va_list ap;

	if (error_add_detail(err, "body", field, msg, type) != 0)
		return;
	last = json_object_array_get_idx(err->details,
	    json_object_array_length(err->details) - 1);
	if (!json_object_object_get_ex(last, "loc", &loc))
		return;
	va_start(ap, field);
	while ((part = va_arg(ap, const char *)) != NULL)
		json_object_array_add(loc, json_object_new_string(part));
	va_end(ap);
}

/*
 * Turn the details collected in err into a 422 ERR_VALIDATION (error_set
 * alone would drop them).  Returns -1.
 */
static int
invalid(struct error *err)
{
	json_object *details = err->details;

	err->details = NULL;
	error_set(err, ERR_VALIDATION, NULL);
	err->details = details;
	return -1;
}

/* Set err to ERR_NAME_TAKEN for name, with a detail on "name".  -1. */
static int
name_taken(struct error *err, const char *name)
{
	error_set(err, ERR_NAME_TAKEN, "The draft already has a tool named"
	    " '%s'.", name);
	error_hint(err, "Give the tool another name.");
	error_add_detail(err, "body", "name", "Another tool of the app has"
	    " this name", "name_taken");
	return -1;
}

/* ---------------------------------------------------------------- */
/* Pure checks                                                      */

/* Is s one of the NULL-terminated list? */
static bool
one_of(const char *s, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

/* Add the details of an input schema's problems; true when none. */
static bool
input_schema_ok(json_object *schema, struct error *err)
{
	json_object *props, *required;
	const char *type;
	bool ok = true;
	size_t i;

	if (!json_object_is_type(schema, json_type_object)) {
		detail(err, "dict_type", "An input schema is a JSON object",
		    "input_schema", LOC_END);
		return false;
	}
	type = json_get_string(schema, "type");
	if (type == NULL || strcmp(type, "object") != 0) {
		detail(err, "schema_type", "An input schema has type"
		    " \"object\"", "input_schema", "type", LOC_END);
		ok = false;
	}
	if (json_object_object_get_ex(schema, "properties", &props)) {
		if (!json_object_is_type(props, json_type_object)) {
			detail(err, "dict_type", "properties is an object of"
			    " schemas", "input_schema", "properties", LOC_END);
			ok = false;
		} else {
			json_object_object_foreach(props, name, value) {
				if (json_object_is_type(value,
				    json_type_object) ||
				    json_object_is_type(value,
				    json_type_boolean))
					continue;
				detail(err, "dict_type", "A property's schema"
				    " is an object", "input_schema",
				    "properties", name, LOC_END);
				ok = false;
			}
		}
	}
	if (json_object_object_get_ex(schema, "required", &required)) {
		bool strings = json_object_is_type(required,
		    json_type_array);

		for (i = 0; strings &&
		    i < json_object_array_length(required); i++)
			if (!json_object_is_type(json_object_array_get_idx(
			    required, i), json_type_string))
				strings = false;
		if (!strings) {
			detail(err, "list_type", "required is a list of"
			    " property names", "input_schema", "required",
			    LOC_END);
			ok = false;
		}
	}
	return ok;
}

int
toolwrite_check_input_schema(json_object *schema, struct error *err)
{
	return input_schema_ok(schema, err) ? 0 : invalid(err);
}

/*
 * Add the details of a binding's problems; true when none.  props, when
 * not NULL, is the object of input properties the binding may bind;
 * check_props false skips that check (the schema is not known yet).
 */
static bool
binding_ok(json_object *binding, json_object *props, bool check_props,
    struct error *err)
{
	static const char *const places[] = { "path", "query", "header",
	    "body", NULL };
	static const char *const members[] = { "in", "name", "style",
	    "explode", NULL };
	bool ok = true;

	if (!json_object_is_type(binding, json_type_object)) {
		detail(err, "dict_type", "A binding is an object of"
		    " {in, name} by input property", "binding", LOC_END);
		return false;
	}
	json_object_object_foreach(binding, prop, where) {
		json_object *value;
		const char *in = NULL;

		if (check_props && (props == NULL ||
		    !json_object_object_get_ex(props, prop, NULL))) {
			detail(err, "binding_unknown_property", "The input"
			    " schema has no such property", "binding", prop,
			    LOC_END);
			ok = false;
		}
		if (!json_object_is_type(where, json_type_object)) {
			detail(err, "dict_type", "Each property binds to"
			    " {in, name}", "binding", prop, LOC_END);
			ok = false;
			continue;
		}
		json_object_object_foreach(where, key, unused) {
			(void)unused;
			if (one_of(key, members))
				continue;
			detail(err, "extra_forbidden", "Only in, name, style"
			    " and explode can be set", "binding", prop, key,
			    LOC_END);
			ok = false;
		}
		if (!json_object_object_get_ex(where, "in", &value)) {
			detail(err, "missing", "Say where the property goes:"
			    " path, query, header or body", "binding", prop,
			    "in", LOC_END);
			ok = false;
		} else if (!json_object_is_type(value, json_type_string) ||
		    !one_of(json_object_get_string(value), places)) {
			detail(err, "enum", "Input should be 'path', 'query',"
			    " 'header' or 'body'", "binding", prop, "in",
			    LOC_END);
			ok = false;
		} else
			in = json_object_get_string(value);
		if (!json_object_object_get_ex(where, "name", &value)) {
			if (in == NULL || strcmp(in, "body") != 0) {
				detail(err, "missing", "A path, query or"
				    " header binding names its parameter",
				    "binding", prop, "name", LOC_END);
				ok = false;
			}
		} else if (!json_object_is_type(value, json_type_string) ||
		    json_object_get_string_len(value) == 0) {
			detail(err, "string_type", "The parameter name is a"
			    " non-empty string", "binding", prop, "name",
			    LOC_END);
			ok = false;
		}
		if (json_object_object_get_ex(where, "style", &value) &&
		    !json_object_is_type(value, json_type_string)) {
			detail(err, "string_type", "style is a string",
			    "binding", prop, "style", LOC_END);
			ok = false;
		}
		if (json_object_object_get_ex(where, "explode", &value) &&
		    !json_object_is_type(value, json_type_boolean)) {
			detail(err, "bool_type", "explode is a boolean",
			    "binding", prop, "explode", LOC_END);
			ok = false;
		}
	}
	return ok;
}

int
toolwrite_check_binding(json_object *binding, json_object *input_schema,
    struct error *err)
{
	return binding_ok(binding, json_get_object(input_schema,
	    "properties"), input_schema != NULL, err) ? 0 : invalid(err);
}

/* Add the details of a chain's problems; true when none. */
static bool
chain_ok(json_object *chain, struct error *err)
{
	static const char *const members[] = { "name", "operation_id",
	    "arguments", NULL };
	size_t i, j, n;
	bool ok = true;
	char index[24], msg[64];

	if (!json_object_is_type(chain, json_type_array)) {
		detail(err, "list_type", "A chain is a list of steps",
		    "chain", LOC_END);
		return false;
	}
	n = json_object_array_length(chain);
	if (n < 1 || n > TOOLWRITE_CHAIN_MAX) {
		snprintf(msg, sizeof(msg), "A chain has 1 to %d steps",
		    TOOLWRITE_CHAIN_MAX);
		detail(err, n < 1 ? "too_short" : "too_long", msg, "chain",
		    LOC_END);
		return false;
	}
	for (i = 0; i < n; i++) {
		json_object *step = json_object_array_get_idx(chain, i);
		json_object *value;
		const char *name = json_get_string(step, "name");

		snprintf(index, sizeof(index), "%zu", i);
		if (!json_object_is_type(step, json_type_object)) {
			detail(err, "dict_type", "A step is an object {name,"
			    " operation_id, arguments}", "chain", index,
			    LOC_END);
			ok = false;
			continue;
		}
		json_object_object_foreach(step, key, unused) {
			(void)unused;
			if (one_of(key, members))
				continue;
			detail(err, "extra_forbidden", "Only name,"
			    " operation_id and arguments can be set", "chain",
			    index, key, LOC_END);
			ok = false;
		}
		if (!json_object_object_get_ex(step, "name", &value)) {
			detail(err, "missing", "Each step has a name", "chain",
			    index, "name", LOC_END);
			ok = false;
		} else if (!tooldef_name_is_valid(name)) {
			detail(err, "string_pattern_mismatch", "A step name is"
			    " 1 to 64 letters, digits, '_' or '-'", "chain",
			    index, "name", LOC_END);
			ok = false;
		} else {
			for (j = 0; j < i; j++) {
				const char *other = json_get_string(
				    json_object_array_get_idx(chain, j),
				    "name");

				if (other != NULL && strcmp(other, name) == 0)
					break;
			}
			if (j < i) {
				detail(err, "duplicate", "An earlier step has"
				    " this name", "chain", index, "name",
				    LOC_END);
				ok = false;
			}
		}
		if (!json_object_object_get_ex(step, "operation_id", &value)) {
			detail(err, "missing", "Each step names the operation"
			    " it calls", "chain", index, "operation_id", LOC_END);
			ok = false;
		} else if (!json_object_is_type(value, json_type_string) ||
		    !valid_is_uuid(json_object_get_string(value))) {
			detail(err, "uuid_parsing", "Input should be a valid"
			    " UUID", "chain", index, "operation_id", LOC_END);
			ok = false;
		}
		if (json_object_object_get_ex(step, "arguments", &value) &&
		    !json_object_is_type(value, json_type_object)) {
			detail(err, "dict_type", "arguments is an object of"
			    " the operation's inputs", "chain", index,
			    "arguments", LOC_END);
			ok = false;
		}
	}
	return ok;
}

int
toolwrite_check_chain(json_object *chain, struct error *err)
{
	return chain_ok(chain, err) ? 0 : invalid(err);
}

/*
 * Check what of f needs no database: names, annotations, the input
 * schema, and for a create, which kind of tool it is and the shapes of
 * its binding and chain.  Returns 0, or -1 and err (ERR_VALIDATION).
 */
static int
fields_check(const struct tool_fields *f, bool create, struct error *err)
{
	bool ok = true;

	if (f->name != NULL && !tooldef_name_is_valid(f->name)) {
		detail(err, "string_pattern_mismatch", "A tool name is 1 to"
		    " 64 letters, digits, '_' or '-'", "name", LOC_END);
		ok = false;
	}
	if (appstore_check_annotations(f->annotations, err) != 0)
		ok = false;
	if (f->input_schema != NULL && !input_schema_ok(f->input_schema, err))
		ok = false;
	if (!create)
		return ok ? 0 : invalid(err);
	if (f->operation_id == NULL && f->chain == NULL) {
		detail(err, "missing", "Give operation_id for an operation"
		    " tool, or chain for a chain tool", "operation_id", LOC_END);
		ok = false;
	}
	if (f->operation_id != NULL && f->chain != NULL) {
		detail(err, "operation_and_chain", "A tool runs an operation"
		    " or a chain, not both", "chain", LOC_END);
		ok = false;
	}
	if (f->operation_id == NULL && f->binding != NULL) {
		detail(err, "binding_without_operation", "Only a tool that"
		    " runs an operation has a binding", "binding", LOC_END);
		ok = false;
	} else if (f->binding != NULL && !binding_ok(f->binding,
	    json_get_object(f->input_schema, "properties"),
	    f->input_schema != NULL, err))
		ok = false;
	if (f->chain != NULL) {
		if (!chain_ok(f->chain, err))
			ok = false;
		if (f->operation_id == NULL && f->name == NULL) {
			detail(err, "missing", "A chain tool needs a name",
			    "name", LOC_END);
			ok = false;
		}
		if (f->operation_id == NULL && f->input_schema == NULL) {
			detail(err, "missing", "A chain tool needs an input"
			    " schema", "input_schema", LOC_END);
			ok = false;
		}
	}
	return ok ? 0 : invalid(err);
}

/* ---------------------------------------------------------------- */
/* What a write names                                               */

static const struct db_statement operation_status = {
	"toolwrite_operation_status",
	"SELECT status FROM operations WHERE app_id = $1 AND id = $2"
};

enum operation_state { OPERATION_MISSING, OPERATION_ACTIVE,
    OPERATION_REMOVED };

/*
 * Whether operation_id (a UUID) is an operation of app_id, and active.
 * Returns 0 with *state, or -1 and err.
 */
static int
operation_state(const char *app_id, const char *operation_id,
    enum operation_state *state, struct error *err)
{
	const char *params[] = { app_id, operation_id };
	PGresult *res;

	if (db_exec(&operation_status, 2, params, &res, err) != 0)
		return -1;
	if (PQntuples(res) != 1)
		*state = OPERATION_MISSING;
	else if (strcmp(db_value(res, 0, 0), "removed") == 0)
		*state = OPERATION_REMOVED;
	else
		*state = OPERATION_ACTIVE;
	PQclear(res);
	return 0;
}

/*
 * Check the operation a tool is pointed at: ERR_OPERATION_NOT_FOUND
 * (404) when it is not the app's, ERR_VALIDATION on "operation_id" when
 * it was removed by discovery, as appstore does.  Returns 0, or -1 and
 * err.
 */
static int
operation_check(const char *app_id, const char *operation_id,
    struct error *err)
{
	enum operation_state state;

	if (operation_state(app_id, operation_id, &state, err) != 0)
		return -1;
	if (state == OPERATION_MISSING)
		return error_set(err, ERR_OPERATION_NOT_FOUND, NULL);
	if (state == OPERATION_REMOVED) {
		detail(err, "operation_removed", "The operation was removed"
		    " from its API", "operation_id", LOC_END);
		return invalid(err);
	}
	return 0;
}

/*
 * Check that every step of chain (already of the right shape) calls an
 * active operation of app_id.  Returns 0, or -1 and err (ERR_VALIDATION
 * with a detail per step that does not).
 */
static int
chain_operations_check(const char *app_id, json_object *chain,
    struct error *err)
{
	size_t i, n = json_object_array_length(chain);
	bool ok = true;
	char index[24];

	for (i = 0; i < n; i++) {
		const char *op = json_get_string(json_object_array_get_idx(
		    chain, i), "operation_id");
		enum operation_state state;

		if (operation_state(app_id, op, &state, err) != 0)
			return -1;
		snprintf(index, sizeof(index), "%zu", i);
		if (state == OPERATION_MISSING) {
			detail(err, "operation_not_found", "No operation of"
			    " this app has this id", "chain", index,
			    "operation_id", LOC_END);
			ok = false;
		} else if (state == OPERATION_REMOVED) {
			detail(err, "operation_removed", "The operation was"
			    " removed from its API", "chain", index,
			    "operation_id", LOC_END);
			ok = false;
		}
	}
	return ok ? 0 : invalid(err);
}

static const struct db_statement widget_of_app = {
	"toolwrite_widget_of_app",
	"SELECT 1 FROM widgets WHERE app_id = $1 AND id = $2"
};

/* Is widget_id a widget of app_id?  Returns 0, or -1 and err (404). */
static int
widget_check(const char *app_id, const char *widget_id, struct error *err)
{
	const char *params[] = { app_id, widget_id };
	PGresult *res;
	int found;

	if (db_exec(&widget_of_app, 2, params, &res, err) != 0)
		return -1;
	found = PQntuples(res);
	PQclear(res);
	return found == 1 ? 0 : error_set(err, ERR_WIDGET_NOT_FOUND, NULL);
}

/* A tool as a write needs to know it. */
struct tool_row {
	PGresult *res;            /* holds the strings below */
	const char *operation_id; /* NULL for none */
	const char *widget_id;
	bool has_chain;
	json_object *input_schema;
};

static const struct db_statement tool_current = {
	"toolwrite_tool_current",
	"SELECT operation_id, widget_id, chain IS NOT NULL, input_schema"
	"  FROM tools WHERE app_id = $1 AND id = $2 FOR UPDATE"
};

/* Release what tool_load filled.  Accepts a row never loaded. */
static void
tool_row_free(struct tool_row *row)
{
	PQclear(row->res);
	json_object_put(row->input_schema);
	row->res = NULL;
	row->input_schema = NULL;
}

/*
 * Read (and lock) tool_id of app_id into row; free it with
 * tool_row_free.  Returns 0, or -1 and err (ERR_TOOL_NOT_FOUND).
 */
static int
tool_load(const char *app_id, const char *tool_id, struct tool_row *row,
    struct error *err)
{
	const char *params[] = { app_id, tool_id };

	memset(row, 0, sizeof(*row));
	if (db_exec(&tool_current, 2, params, &row->res, err) != 0)
		return -1;
	if (PQntuples(row->res) != 1) {
		tool_row_free(row);
		return error_set(err, ERR_TOOL_NOT_FOUND, NULL);
	}
	row->operation_id = db_value(row->res, 0, 0);
	row->widget_id = db_value(row->res, 0, 1);
	row->has_chain = db_bool(row->res, 0, 2);
	row->input_schema = json_from_db(db_value(row->res, 0, 3));
	return 0;
}

/*
 * Turn a failed write's unique violation into ERR_NAME_TAKEN for name;
 * other errors stay.  Returns -1.
 */
static int
write_failed(struct error *err, const char *name)
{
	if (err->code == ERR_CONFLICT &&
	    strcmp(db_last_sqlstate(), "23505") == 0 && name != NULL)
		return name_taken(err, name);
	return -1;
}

/* ---------------------------------------------------------------- */
/* Writes                                                           */

static const struct db_statement tool_set_schema_binding = {
	"toolwrite_set_schema_binding",
	"UPDATE tools SET input_schema = coalesce($3::jsonb, input_schema),"
	"       binding = $4::jsonb, updated_at = now()"
	" WHERE app_id = $1 AND id = $2"
};

/* Create an operation tool (see toolwrite_create). */
static int
create_from_operation(const char *app_id, const struct tool_fields *f,
    char tool_id[AUTH_UUID_LEN + 1], struct error *err)
{
	struct tool_overrides overrides = {
		.name = f->name,
		.title = f->title,
		.description = f->description,
		.annotations = f->clear_annotations ? NULL : f->annotations,
		.widget_id = f->widget_id,
		.disabled = f->enabled == 0,
	};
	struct tool_row row = { .res = NULL };
	int rc = -1;

	if (appstore_tool_create_from_operation(app_id, f->operation_id,
	    &overrides, tool_id, err) != 0) {
		if (err->code == ERR_NAME_TAKEN && err->details == NULL)
			error_add_detail(err, "body", "name", "Another tool"
			    " of the app has this name", "name_taken");
		goto out;
	}
	if (f->input_schema == NULL && f->binding == NULL) {
		rc = 0;
		goto out;
	}
	if (f->binding != NULL && f->input_schema == NULL) {
		/* Bind against the schema derived from the operation. */
		if (tool_load(app_id, tool_id, &row, err) != 0)
			goto out;
		if (!binding_ok(f->binding, json_get_object(row.input_schema,
		    "properties"), true, err)) {
			invalid(err);
			goto out;
		}
	}
	{
		const char *params[] = { app_id, tool_id,
		    f->input_schema != NULL ? json_text(f->input_schema) :
		    NULL,
		    f->binding != NULL ? json_text(f->binding) : NULL };

		if (db_exec(&tool_set_schema_binding, 4, params, NULL,
		    err) != 0)
			goto out;
	}
	rc = 0;
out:
	tool_row_free(&row);
	return rc;
}

static const struct db_statement chain_tool_insert = {
	"toolwrite_chain_tool_insert",
	"INSERT INTO tools (app_id, name, title, description, input_schema,"
	"       annotations, chain, widget_id, enabled)"
	" VALUES ($1, $2, coalesce($3, ''), coalesce($4, ''), $5::jsonb,"
	"         coalesce($6::jsonb, '{}'), $7::jsonb, $8, $9::boolean)"
	" ON CONFLICT (app_id, name) DO NOTHING"
	" RETURNING id"
};

/* Create a chain tool (see toolwrite_create). */
static int
create_chain(const char *app_id, const struct tool_fields *f,
    char tool_id[AUTH_UUID_LEN + 1], struct error *err)
{
	const char *params[] = { app_id, f->name, f->title, f->description,
	    json_text(f->input_schema),
	    f->annotations != NULL && !f->clear_annotations ?
	    json_text(f->annotations) : NULL,
	    json_text(f->chain), f->widget_id,
	    f->enabled == 0 ? "false" : "true" };
	PGresult *res;

	if (chain_operations_check(app_id, f->chain, err) != 0)
		return -1;
	if (f->widget_id != NULL && widget_check(app_id, f->widget_id,
	    err) != 0)
		return -1;
	if (db_exec(&chain_tool_insert, 9, params, &res, err) != 0)
		return -1;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return name_taken(err, f->name);
	}
	snprintf(tool_id, AUTH_UUID_LEN + 1, "%s", db_value(res, 0, 0));
	PQclear(res);
	return 0;
}

int
toolwrite_create(const char *app_id, const struct tool_fields *f,
    char tool_id[AUTH_UUID_LEN + 1], struct error *err)
{
	tool_id[0] = '\0';
	if (fields_check(f, true, err) != 0)
		return -1;
	if (f->chain != NULL)
		return create_chain(app_id, f, tool_id, err);
	return create_from_operation(app_id, f, tool_id, err);
}

/*
 * The new values computed from the old ones, then written only when they
 * differ, so a write that changes nothing returns no row.
 */
static const struct db_statement tool_update = {
	"toolwrite_tool_update",
	"WITH n AS ("
	"  SELECT t.id,"
	"         coalesce($3, t.name) AS name,"
	"         coalesce($4, t.title) AS title,"
	"         coalesce($5, t.description) AS description,"
	"         coalesce($6::jsonb, t.input_schema) AS input_schema,"
	"         CASE WHEN $7::boolean THEN '{}'::jsonb"
	"              ELSE coalesce($8::jsonb, t.annotations) END"
	"           AS annotations,"
	"         coalesce($9::uuid, t.operation_id) AS operation_id,"
	"         CASE WHEN $10::boolean THEN NULL"
	"              ELSE coalesce($11::uuid, t.widget_id) END AS widget_id,"
	"         coalesce($12::boolean, t.enabled) AS enabled"
	"    FROM tools t WHERE t.app_id = $1 AND t.id = $2)"
	"UPDATE tools t SET name = n.name, title = n.title,"
	"       description = n.description, input_schema = n.input_schema,"
	"       annotations = n.annotations, operation_id = n.operation_id,"
	"       widget_id = n.widget_id, enabled = n.enabled,"
	"       updated_at = now()"
	"  FROM n"
	" WHERE t.id = n.id"
	"   AND (t.name, t.title, t.description, t.input_schema,"
	"        t.annotations, t.operation_id, t.widget_id, t.enabled)"
	"       IS DISTINCT FROM"
	"       (n.name, n.title, n.description, n.input_schema,"
	"        n.annotations, n.operation_id, n.widget_id, n.enabled)"
	" RETURNING t.id"
};

int
toolwrite_update(const char *app_id, const char *tool_id,
    const struct tool_fields *f, bool *changed, struct error *err)
{
	struct tool_row row;
	PGresult *res = NULL;
	int rc = -1;

	*changed = false;
	if (fields_check(f, false, err) != 0)
		return -1;
	if (tool_load(app_id, tool_id, &row, err) != 0)
		return -1;
	if (f->operation_id != NULL && (row.operation_id == NULL ||
	    strcmp(row.operation_id, f->operation_id) != 0)) {
		if (row.has_chain) {
			detail(err, "operation_and_chain", "A chain tool runs"
			    " no operation; remove its chain first",
			    "operation_id", LOC_END);
			invalid(err);
			goto out;
		}
		if (operation_check(app_id, f->operation_id, err) != 0)
			goto out;
	}
	if (f->widget_id != NULL && !f->clear_widget &&
	    (row.widget_id == NULL ||
	    strcmp(row.widget_id, f->widget_id) != 0) &&
	    widget_check(app_id, f->widget_id, err) != 0)
		goto out;
	{
		const char *params[] = { app_id, tool_id, f->name, f->title,
		    f->description,
		    f->input_schema != NULL ? json_text(f->input_schema) :
		    NULL,
		    f->clear_annotations ? "true" : "false",
		    f->annotations != NULL ? json_text(f->annotations) : NULL,
		    f->operation_id,
		    f->clear_widget ? "true" : "false", f->widget_id,
		    f->enabled < 0 ? NULL : f->enabled ? "true" : "false" };

		if (db_exec(&tool_update, 12, params, &res, err) != 0) {
			write_failed(err, f->name);
			goto out;
		}
		*changed = PQntuples(res) == 1;
	}
	rc = 0;
out:
	PQclear(res);
	tool_row_free(&row);
	return rc;
}

static const struct db_statement tool_binding_update = {
	"toolwrite_binding_update",
	"UPDATE tools SET binding = $3::jsonb, updated_at = now()"
	" WHERE app_id = $1 AND id = $2"
	"   AND binding IS DISTINCT FROM $3::jsonb"
	" RETURNING id"
};

int
toolwrite_set_binding(const char *app_id, const char *tool_id,
    json_object *binding, bool *changed, struct error *err)
{
	struct tool_row row;
	PGresult *res = NULL;
	int rc = -1;

	*changed = false;
	if (tool_load(app_id, tool_id, &row, err) != 0)
		return -1;
	if (binding != NULL && row.operation_id == NULL) {
		detail(err, "binding_without_operation", "The tool runs no"
		    " operation; a chain step's arguments say where inputs"
		    " go", "binding", LOC_END);
		invalid(err);
		goto out;
	}
	if (binding != NULL && !binding_ok(binding, json_get_object(
	    row.input_schema, "properties"), true, err)) {
		invalid(err);
		goto out;
	}
	{
		const char *params[] = { app_id, tool_id,
		    binding != NULL ? json_text(binding) : NULL };

		if (db_exec(&tool_binding_update, 3, params, &res, err) != 0)
			goto out;
		*changed = PQntuples(res) == 1;
	}
	rc = 0;
out:
	PQclear(res);
	tool_row_free(&row);
	return rc;
}

static const struct db_statement tool_chain_update = {
	"toolwrite_chain_update",
	"UPDATE tools SET chain = $3::jsonb, updated_at = now()"
	" WHERE app_id = $1 AND id = $2"
	"   AND chain IS DISTINCT FROM $3::jsonb"
	" RETURNING id"
};

int
toolwrite_set_chain(const char *app_id, const char *tool_id,
    json_object *chain, bool *changed, struct error *err)
{
	struct tool_row row;
	PGresult *res = NULL;
	int rc = -1;

	*changed = false;
	if (tool_load(app_id, tool_id, &row, err) != 0)
		return -1;
	if (chain != NULL && row.operation_id != NULL) {
		detail(err, "operation_and_chain", "The tool runs an"
		    " operation; a tool runs an operation or a chain, not"
		    " both", "chain", LOC_END);
		invalid(err);
		goto out;
	}
	if (chain != NULL && (toolwrite_check_chain(chain, err) != 0 ||
	    chain_operations_check(app_id, chain, err) != 0))
		goto out;
	{
		const char *params[] = { app_id, tool_id,
		    chain != NULL ? json_text(chain) : NULL };

		if (db_exec(&tool_chain_update, 3, params, &res, err) != 0)
			goto out;
		*changed = PQntuples(res) == 1;
	}
	rc = 0;
out:
	PQclear(res);
	tool_row_free(&row);
	return rc;
}

static const struct db_statement tool_delete = {
	"toolwrite_tool_delete",
	"DELETE FROM tools WHERE app_id = $1 AND id = $2 RETURNING id"
};

int
toolwrite_delete(const char *app_id, const char *tool_id, struct error *err)
{
	const char *params[] = { app_id, tool_id };
	PGresult *res;
	int found;

	if (db_exec(&tool_delete, 2, params, &res, err) != 0)
		return -1;
	found = PQntuples(res);
	PQclear(res);
	return found == 1 ? 0 : error_set(err, ERR_TOOL_NOT_FOUND, NULL);
}

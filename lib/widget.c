/*
 * widget.c: an app's widgets (see widget.h): checking their fields, the
 * content-security settings and the actions, reading them (lists without
 * the template, which may be large) and writing them.
 *
 * The csp object uses the names the OpenAI Apps SDK gives its widget CSP
 * (openai/widgetCSP: connect_domains, resource_domains, frame_domains);
 * MCP Apps (ui/csp: connectDomains, resourceDomains, frameDomains) means
 * the same three lists, so the runtime can serve either from one object.
 * Each list holds origins, not URLs: a scheme, a host (optionally
 * "*." and a domain for its subdomains) and an optional port.
 *
 * SPDX-License-Identifier: MIT
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "jsonutil.h"
#include "page.h"
#include "tooldef.h"
#include "widget.h"

/* ---------------------------------------------------------------- */
/* Checking                                                         */

/*
 * Append {loc: ["body", field, index?, member?], msg, type} to err's
 * details (index < 0 and member NULL leave them out).  Without memory
 * the detail is lost; the 422 stands.
 */
static void
detail(struct error *err, const char *field, long index, const char *member,
    const char *msg, const char *type)
{
	json_object *entry, *loc;

	if (err == NULL)
		return;
	if (err->details == NULL)
		err->details = json_object_new_array();
	entry = json_object_new_object();
	loc = json_object_new_array();
	json_object_array_add(loc, json_object_new_string("body"));
	json_object_array_add(loc, json_object_new_string(field));
	if (index >= 0) {
		char text[24];

		/* Indexes as strings, as every other loc has them. */
		snprintf(text, sizeof(text), "%ld", index);
		json_object_array_add(loc, json_object_new_string(text));
	}
	if (member != NULL)
		json_object_array_add(loc, json_object_new_string(member));
	json_object_object_add(entry, "loc", loc);
	json_put_string(entry, "msg", msg);
	json_put_string(entry, "type", type);
	json_object_array_add(err->details, entry);
}

/* Turn the details collected in err into ERR_VALIDATION.  Returns -1. */
static int
validation_failed(struct error *err)
{
	json_object *details = err->details;

	err->details = NULL;
	error_set(err, ERR_VALIDATION, NULL);
	err->details = details;
	return -1;
}

/* The length of s in characters (UTF-8, as the database counts). */
static size_t
characters(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/* Check that s (may be NULL: not given) has at most max characters. */
static void
check_length(const char *s, const char *field, size_t max, bool *failed,
    struct error *err)
{
	char msg[96];

	if (s == NULL || characters(s) <= max)
		return;
	snprintf(msg, sizeof(msg), "String should have at most %zu"
	    " characters", max);
	detail(err, field, -1, NULL, msg, "string_too_long");
	*failed = true;
}

/*
 * Is s an origin csp accepts: scheme "https://" (or "wss://" when
 * websocket), a lower-case host of dot-separated labels of a-z 0-9 and
 * '-' (not at either end of a label), optionally starting "*." for all
 * its subdomains, and an optional ":port" (1..65535); nothing after.
 */
static bool
is_origin(const char *s, bool websocket)
{
	const char *p, *label, *host;
	size_t labels = 0;
	long port;
	char *end;

	if (strncmp(s, "https://", 8) == 0)
		p = s + 8;
	else if (websocket && strncmp(s, "wss://", 6) == 0)
		p = s + 6;
	else
		return false;
	host = p;
	if (strncmp(p, "*.", 2) == 0)
		p += 2;
	for (;;) {
		label = p;
		while ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    *p == '-')
			p++;
		if (p == label || p - label > 63 || *label == '-' ||
		    p[-1] == '-')
			return false;
		labels++;
		if (*p != '.')
			break;
		p++;
	}
	if ((size_t)(p - host) > 253)
		return false;
	if (*p == ':') {
		if (!isdigit((unsigned char)p[1]))
			return false;
		port = strtol(p + 1, &end, 10);
		if (*end != '\0' || port < 1 || port > 65535)
			return false;
		return true;
	}
	return *p == '\0' && labels >= 1;
}

static const char *const csp_lists[] = { "connect_domains",
    "resource_domains", "frame_domains", NULL };

/* Check a csp object.  Sets *failed and adds details. */
static void
check_csp(json_object *csp, bool *failed, struct error *err)
{
	char msg[160];
	size_t i, j, k, n;

	if (!json_object_is_type(csp, json_type_object)) {
		detail(err, "csp", -1, NULL, "Input should be an object",
		    "dict_type");
		*failed = true;
		return;
	}
	json_object_object_foreach(csp, key, list) {
		bool websocket = strcmp(key, "connect_domains") == 0;

		for (k = 0; csp_lists[k] != NULL; k++)
			if (strcmp(csp_lists[k], key) == 0)
				break;
		if (csp_lists[k] == NULL) {
			detail(err, "csp", -1, key, "Only connect_domains,"
			    " resource_domains and frame_domains can be set",
			    "extra_forbidden");
			*failed = true;
			continue;
		}
		if (!json_object_is_type(list, json_type_array) ||
		    json_object_array_length(list) > WIDGET_CSP_DOMAINS_MAX) {
			snprintf(msg, sizeof(msg), "Input should be an array of"
			    " at most %d origins", WIDGET_CSP_DOMAINS_MAX);
			detail(err, "csp", -1, key, msg, "list_type");
			*failed = true;
			continue;
		}
		n = json_object_array_length(list);
		for (i = 0; i < n; i++) {
			json_object *v = json_object_array_get_idx(list, i);
			const char *origin = json_object_get_string(v);

			if (!json_object_is_type(v, json_type_string) ||
			    !is_origin(origin, websocket)) {
				snprintf(msg, sizeof(msg), "Each entry is an"
				    " origin: https://%s, a lower-case host"
				    " (or *.domain) and an optional port",
				    websocket ? " (or wss://)" : "");
				detail(err, "csp", -1, key, msg,
				    "string_pattern_mismatch");
				*failed = true;
				break;
			}
			for (j = 0; j < i; j++)
				if (strcmp(origin, json_object_get_string(
				    json_object_array_get_idx(list, j))) == 0)
					break;
			if (j < i) {
				detail(err, "csp", -1, key, "Origins must be"
				    " unique", "value_error");
				*failed = true;
				break;
			}
		}
	}
}

static const char *const action_members[] = { "name", "label", "type",
    "tool", "arguments", NULL };

/* Check one action (index i of actions).  Sets *failed, adds details. */
static void
check_action(json_object *actions, size_t i, bool *failed,
    struct error *err)
{
	json_object *a = json_object_array_get_idx(actions, i);
	json_object *v;
	const char *name;
	size_t j, k;

	if (!json_object_is_type(a, json_type_object)) {
		detail(err, "actions", (long)i, NULL, "Input should be an"
		    " object", "dict_type");
		*failed = true;
		return;
	}
	json_object_object_foreach(a, key, value) {
		(void)value;
		for (k = 0; action_members[k] != NULL; k++)
			if (strcmp(action_members[k], key) == 0)
				break;
		if (action_members[k] == NULL) {
			detail(err, "actions", (long)i, key, "Extra inputs are"
			    " not permitted", "extra_forbidden");
			*failed = true;
		}
	}
	name = json_get_string(a, "name");
	if (!tooldef_name_is_valid(name)) {
		detail(err, "actions", (long)i, "name", "An action name is 1 to"
		    " 64 letters, digits, '_' or '-'", name == NULL &&
		    !json_object_object_get_ex(a, "name", NULL) ? "missing" :
		    "string_pattern_mismatch");
		*failed = true;
	} else {
		for (j = 0; j < i; j++) {
			const char *other = json_get_string(
			    json_object_array_get_idx(actions, j), "name");

			if (other != NULL && strcmp(name, other) == 0) {
				detail(err, "actions", (long)i, "name", "Action"
				    " names must be unique in the widget",
				    "value_error");
				*failed = true;
				break;
			}
		}
	}
	v = json_object_object_get(a, "label");
	if (!json_object_is_type(v, json_type_string) ||
	    json_object_get_string_len(v) == 0 ||
	    characters(json_object_get_string(v)) > WIDGET_ACTION_LABEL_MAX) {
		detail(err, "actions", (long)i, "label", "A label is 1 to 64"
		    " characters", v == NULL ? "missing" :
		    !json_object_is_type(v, json_type_string) ? "string_type" :
		    json_object_get_string_len(v) == 0 ? "string_too_short" :
		    "string_too_long");
		*failed = true;
	}
	if (json_object_object_get_ex(a, "type", &v) &&
	    (!json_object_is_type(v, json_type_string) ||
	    strcmp(json_object_get_string(v), "tool_call") != 0)) {
		detail(err, "actions", (long)i, "type", "Input should be"
		    " 'tool_call'", "enum");
		*failed = true;
	}
	if (!tooldef_name_is_valid(json_get_string(a, "tool"))) {
		detail(err, "actions", (long)i, "tool", "The name of a tool of"
		    " the app", !json_object_object_get_ex(a, "tool", NULL) ?
		    "missing" : "string_pattern_mismatch");
		*failed = true;
	}
	if (json_object_object_get_ex(a, "arguments", &v) &&
	    !json_object_is_type(v, json_type_object)) {
		detail(err, "actions", (long)i, "arguments", "Input should be an"
		    " object", "dict_type");
		*failed = true;
	}
}

int
widget_check(const struct widget_fields *f, bool create, struct error *err)
{
	bool failed = false;
	size_t i, n;

	if (create && f->name == NULL) {
		detail(err, "name", -1, NULL, "Field required", "missing");
		failed = true;
	} else if (f->name != NULL && !tooldef_name_is_valid(f->name)) {
		detail(err, "name", -1, NULL, "A widget name is 1 to 64"
		    " letters, digits, '_' or '-'", "string_pattern_mismatch");
		failed = true;
	}
	if (create && f->template == NULL) {
		detail(err, "template", -1, NULL, "Field required", "missing");
		failed = true;
	} else if (f->template != NULL && f->template[0] == '\0') {
		detail(err, "template", -1, NULL, "String should have at"
		    " least 1 character", "string_too_short");
		failed = true;
	}
	check_length(f->title, "title", WIDGET_TITLE_MAX, &failed, err);
	check_length(f->description, "description", WIDGET_DESCRIPTION_MAX,
	    &failed, err);
	check_length(f->template, "template", WIDGET_TEMPLATE_MAX, &failed,
	    err);
	if (f->prefers_border < -1 || f->prefers_border > 1) {
		detail(err, "prefers_border", -1, NULL, "Input should be a"
		    " valid boolean", "bool_type");
		failed = true;
	}
	if (f->csp != NULL)
		check_csp(f->csp, &failed, err);
	if (f->actions != NULL) {
		if (!json_object_is_type(f->actions, json_type_array) ||
		    json_object_array_length(f->actions) > WIDGET_ACTIONS_MAX) {
			detail(err, "actions", -1, NULL, "Input should be an"
			    " array of at most 32 actions", "list_type");
			failed = true;
		} else {
			n = json_object_array_length(f->actions);
			for (i = 0; i < n; i++)
				check_action(f->actions, i, &failed, err);
		}
	}
	return failed ? validation_failed(err) : 0;
}

/*
 * The actions as stored: a copy of checked actions with type "tool_call"
 * made explicit (validation reads it).  Returns a new array, or NULL when
 * actions is NULL.
 */
static json_object *
actions_stored(json_object *actions)
{
	json_object *copy = NULL;
	size_t i, n;

	if (actions == NULL)
		return NULL;
	if (json_object_deep_copy(actions, &copy, NULL) != 0)
		return NULL;
	n = json_object_array_length(copy);
	for (i = 0; i < n; i++)
		json_put_string(json_object_array_get_idx(copy, i), "type",
		    "tool_call");
	return copy;
}

/* ---------------------------------------------------------------- */
/* Reading                                                          */

#define WIDGET_COLUMNS                                                    \
	"w.id, w.name, w.title, w.description, w.csp, w.prefers_border,"  \
	" w.actions, length(w.template),"                                 \
	" encode(sha256(convert_to(w.template, 'UTF8')), 'hex'),"         \
	" coalesce((SELECT jsonb_agg(t.id ORDER BY t.name)"               \
	"   FROM tools t WHERE t.widget_id = w.id), '[]'),"               \
	" drio_rfc3339(w.created_at), drio_rfc3339(w.updated_at)"

/* A widget from a row of WIDGET_COLUMNS (and the template at col 12). */
static json_object *
widget_from_row(const PGresult *res, int row, bool with_template)
{
	json_object *w = json_object_new_object();
	char uri[96];

	json_put_string(w, "id", db_value(res, row, 0));
	json_put_string(w, "name", db_value(res, row, 1));
	snprintf(uri, sizeof(uri), "ui://widget/%s.html",
	    db_value(res, row, 1));
	json_put_string(w, "uri", uri);
	json_put_string(w, "title", db_value(res, row, 2));
	json_put_string(w, "description", db_value(res, row, 3));
	if (with_template)
		json_put_string(w, "template", db_value(res, row, 12));
	json_put_int(w, "template_length", db_int(res, row, 7));
	json_put_string(w, "template_sha256", db_value(res, row, 8));
	json_put_db(w, "csp", db_value(res, row, 4));
	json_put_bool(w, "prefers_border", db_bool(res, row, 5));
	json_put_db(w, "actions", db_value(res, row, 6));
	json_put_db(w, "used_by", db_value(res, row, 9));
	json_put_string(w, "created_at", db_value(res, row, 10));
	json_put_string(w, "updated_at", db_value(res, row, 11));
	return w;
}

/* A widget as lists show it: without its template. */
static json_object *
widget_summary_from_row(const PGresult *res, int row)
{
	return widget_from_row(res, row, false);
}

static const struct db_statement widgets_page = {
	"widget_page",
	"SELECT " WIDGET_COLUMNS ", count(*) OVER ()"
	"  FROM widgets w"
	" WHERE w.app_id = $1 ORDER BY w.name LIMIT $2 OFFSET $3"
};

static const struct db_statement widgets_count = {
	"widget_count",
	"SELECT count(*) FROM widgets WHERE app_id = $1"
};

int
widget_list(const char *app_id, long long page, long long limit,
    json_object **list, long long *total, struct error *err)
{
	const char *params[] = { app_id, NULL, NULL };

	return page_fetch_list(&widgets_page, &widgets_count, params, 3, page,
	    limit, widget_summary_from_row, list, total, err);
}

static const struct db_statement widget_one = {
	"widget_one",
	"SELECT " WIDGET_COLUMNS ", w.template"
	"  FROM widgets w WHERE w.app_id = $1 AND w.id = $2"
};

int
widget_get(const char *app_id, const char *widget_id, json_object **widget,
    struct error *err)
{
	const char *params[] = { app_id, widget_id };
	PGresult *res;

	*widget = NULL;
	if (db_exec(&widget_one, 2, params, &res, err) != 0)
		return -1;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return error_set(err, ERR_WIDGET_NOT_FOUND, NULL);
	}
	*widget = widget_from_row(res, 0, true);
	PQclear(res);
	return 0;
}

/* ---------------------------------------------------------------- */
/* Writing                                                          */

/* Set err to ERR_NAME_TAKEN for name.  Returns -1. */
static int
name_taken(struct error *err, const char *name)
{
	error_set(err, ERR_NAME_TAKEN, "The app already has a widget named"
	    " '%s'.", name);
	error_hint(err, "Give the widget another name.");
	error_add_detail(err, "body", "name", "A widget of this app already"
	    " has this name", "name_taken");
	return -1;
}

static const char *
bool_text(int value)
{
	return value < 0 ? NULL : value ? "true" : "false";
}

static const struct db_statement widget_insert = {
	"widget_insert",
	"INSERT INTO widgets (app_id, name, title, description, template,"
	"       csp, prefers_border, actions)"
	" VALUES ($1, $2, coalesce($3, ''), coalesce($4, ''), $5,"
	"         coalesce($6::jsonb, '{}'), coalesce($7::boolean, false),"
	"         coalesce($8::jsonb, '[]'))"
	" ON CONFLICT (app_id, name) DO NOTHING"
	" RETURNING id"
};

int
widget_create(const char *app_id, const struct widget_fields *f,
    char id[AUTH_UUID_LEN + 1], struct error *err)
{
	json_object *actions = NULL;
	PGresult *res = NULL;
	int rc = -1;

	if (widget_check(f, true, err) != 0)
		return -1;
	actions = actions_stored(f->actions);
	{
		const char *params[] = { app_id, f->name, f->title,
		    f->description, f->template,
		    f->csp != NULL ? json_text(f->csp) : NULL,
		    bool_text(f->prefers_border),
		    actions != NULL ? json_text(actions) : NULL };

		if (db_exec(&widget_insert, 8, params, &res, err) != 0)
			goto out;
		if (PQntuples(res) != 1) {
			name_taken(err, f->name);
			goto out;
		}
		snprintf(id, AUTH_UUID_LEN + 1, "%s", db_value(res, 0, 0));
	}
	rc = 0;
out:
	PQclear(res);
	json_object_put(actions);
	return rc;
}

static const struct db_statement widget_lock = {
	"widget_lock",
	"SELECT name FROM widgets WHERE app_id = $1 AND id = $2 FOR UPDATE"
};

static const struct db_statement widget_name_used = {
	"widget_name_used",
	"SELECT 1 FROM widgets WHERE app_id = $1 AND name = $2 AND id <> $3"
};

/* Writes only when something differs; returns the row when it did. */
static const struct db_statement widget_change = {
	"widget_change",
	"UPDATE widgets w"
	"   SET name = coalesce($3, w.name), title = coalesce($4, w.title),"
	"       description = coalesce($5, w.description),"
	"       template = coalesce($6, w.template),"
	"       csp = coalesce($7::jsonb, w.csp),"
	"       prefers_border = coalesce($8::boolean, w.prefers_border),"
	"       actions = coalesce($9::jsonb, w.actions),"
	"       updated_at = now()"
	" WHERE w.app_id = $1 AND w.id = $2"
	"   AND (w.name, w.title, w.description, w.template, w.csp,"
	"        w.prefers_border, w.actions) IS DISTINCT FROM"
	"       (coalesce($3, w.name), coalesce($4, w.title),"
	"        coalesce($5, w.description), coalesce($6, w.template),"
	"        coalesce($7::jsonb, w.csp),"
	"        coalesce($8::boolean, w.prefers_border),"
	"        coalesce($9::jsonb, w.actions))"
	" RETURNING w.id"
};

int
widget_update(const char *app_id, const char *widget_id,
    const struct widget_fields *f, bool *changed, struct error *err)
{
	json_object *actions = NULL;
	PGresult *res = NULL;
	int rc = -1;

	*changed = false;
	if (widget_check(f, false, err) != 0)
		return -1;
	{
		const char *params[] = { app_id, widget_id };

		if (db_exec(&widget_lock, 2, params, &res, err) != 0)
			goto out;
		if (PQntuples(res) != 1) {
			error_set(err, ERR_WIDGET_NOT_FOUND, NULL);
			goto out;
		}
		PQclear(res);
		res = NULL;
	}
	if (f->name != NULL) {
		const char *params[] = { app_id, f->name, widget_id };

		if (db_exec(&widget_name_used, 3, params, &res, err) != 0)
			goto out;
		if (PQntuples(res) != 0) {
			name_taken(err, f->name);
			goto out;
		}
		PQclear(res);
		res = NULL;
	}
	actions = actions_stored(f->actions);
	{
		const char *params[] = { app_id, widget_id, f->name, f->title,
		    f->description, f->template,
		    f->csp != NULL ? json_text(f->csp) : NULL,
		    bool_text(f->prefers_border),
		    actions != NULL ? json_text(actions) : NULL };

		if (db_exec(&widget_change, 9, params, &res, err) != 0) {
			if (err->code == ERR_CONFLICT)
				name_taken(err, f->name);
			goto out;
		}
		*changed = PQntuples(res) == 1;
	}
	rc = 0;
out:
	PQclear(res);
	json_object_put(actions);
	return rc;
}

/*
 * Detach the widget from its tools (what ON DELETE SET NULL would do,
 * but touching the tools and saying which they were), by tool name.
 */
static const struct db_statement widget_detach = {
	"widget_detach",
	"WITH d AS (UPDATE tools SET widget_id = NULL, updated_at = now()"
	"            WHERE app_id = $1 AND widget_id = $2 RETURNING id, name)"
	"SELECT coalesce(jsonb_agg(id ORDER BY name), '[]') FROM d"
};

static const struct db_statement widget_remove = {
	"widget_remove",
	"DELETE FROM widgets WHERE app_id = $1 AND id = $2"
};

int
widget_delete(const char *app_id, const char *widget_id,
    json_object **detached_tools, struct error *err)
{
	const char *params[] = { app_id, widget_id };
	PGresult *res = NULL;
	int rc = -1;

	*detached_tools = NULL;
	if (db_exec(&widget_lock, 2, params, &res, err) != 0)
		goto out;
	if (PQntuples(res) != 1) {
		error_set(err, ERR_WIDGET_NOT_FOUND, NULL);
		goto out;
	}
	PQclear(res);
	res = NULL;
	if (db_exec(&widget_detach, 2, params, &res, err) != 0)
		goto out;
	*detached_tools = json_from_db(db_value(res, 0, 0));
	if (*detached_tools == NULL) {
		error_set(err, ERR_INTERNAL, "detached tools are not JSON");
		goto out;
	}
	if (db_exec(&widget_remove, 2, params, NULL, err) != 0) {
		json_object_put(*detached_tools);
		*detached_tools = NULL;
		goto out;
	}
	rc = 0;
out:
	PQclear(res);
	return rc;
}

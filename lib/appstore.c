/*
 * appstore.c: the app model's reads and its tool writes (see
 * appstore.h).  Every statement is scoped by the app id, so an object of
 * another app is never found through this one.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>

#include "appconfig.h"
#include "appstore.h"
#include "db.h"
#include "jsonutil.h"
#include "page.h"
#include "tooldef.h"
#include "valid.h"

/* ---------------------------------------------------------------- */
/* Apps                                                             */

#define APP_COLUMNS                                                       \
	"a.id, a.workspace_id, a.slug, a.name, a.mode, a.description,"    \
	" a.icon_type, a.icon, a.icon_background, a.branding,"            \
	" to_jsonb(a.tags), a.visibility, a.template_id, a.created_by,"   \
	" drio_rfc3339(a.created_at), drio_rfc3339(a.updated_at),"        \
	" d.id, d.revision, d.based_on_release, drio_rfc3339(d.updated_at),"\
	" lr.number, lr.checksum, drio_rfc3339(lr.published_at), w.slug"
#define APP_JOINS                                                         \
	" JOIN drafts d ON d.app_id = a.id"                               \
	" JOIN workspaces w ON w.id = a.workspace_id"                     \
	" LEFT JOIN LATERAL (SELECT number, checksum, published_at"       \
	"   FROM releases r WHERE r.app_id = a.id"                        \
	"  ORDER BY number DESC LIMIT 1) lr ON true"

static json_object *
app_from_row(const PGresult *res, int row)
{
	json_object *app = json_object_new_object();
	json_object *draft = json_object_new_object();
	json_object *release = NULL;

	json_put_string(app, "id", db_value(res, row, 0));
	json_put_string(app, "workspace_id", db_value(res, row, 1));
	json_put_string(app, "workspace_slug", db_value(res, row, 23));
	json_put_string(app, "slug", db_value(res, row, 2));
	json_put_string(app, "name", db_value(res, row, 3));
	json_put_string(app, "mode", db_value(res, row, 4));
	json_put_string(app, "description", db_value(res, row, 5));
	json_put_string(app, "icon_type", db_value(res, row, 6));
	json_put_string(app, "icon", db_value(res, row, 7));
	json_put_string(app, "icon_background", db_value(res, row, 8));
	json_put_db(app, "branding", db_value(res, row, 9));
	json_put_db(app, "tags", db_value(res, row, 10));
	json_put_string(app, "visibility", db_value(res, row, 11));
	json_put_string(app, "template_id", db_value(res, row, 12));
	json_put_string(app, "created_by", db_value(res, row, 13));
	json_put_string(app, "created_at", db_value(res, row, 14));
	json_put_string(app, "updated_at", db_value(res, row, 15));
	json_put_string(draft, "id", db_value(res, row, 16));
	json_put_int(draft, "revision", db_int(res, row, 17));
	if (db_value(res, row, 18) != NULL)
		json_put_int(draft, "based_on_release", db_int(res, row, 18));
	else
		json_object_object_add(draft, "based_on_release", NULL);
	json_put_string(draft, "updated_at", db_value(res, row, 19));
	json_object_object_add(app, "draft", draft);
	if (db_value(res, row, 20) != NULL) {
		release = json_object_new_object();
		json_put_int(release, "number", db_int(res, row, 20));
		json_put_string(release, "checksum", db_value(res, row, 21));
		json_put_string(release, "published_at", db_value(res, row, 22));
	}
	json_object_object_add(app, "latest_release", release);
	return app;
}

static const struct db_statement apps_page = {
	"appstore_apps_page",
	"SELECT " APP_COLUMNS ", count(*) OVER ()"
	"  FROM apps a"
	"  JOIN members m ON m.workspace_id = a.workspace_id"
	"   AND m.account_id = $1"
	APP_JOINS
	" WHERE ($2::uuid IS NULL OR a.workspace_id = $2)"
	"   AND ($3::text IS NULL OR strpos(lower(a.name), lower($3)) > 0)"
	"   AND ($4::text IS NULL OR a.mode = $4)"
	"   AND ($5::text IS NULL OR a.tags @> ARRAY[$5::text])"
	" ORDER BY a.updated_at DESC, a.id"
	" LIMIT $6 OFFSET $7"
};

static const struct db_statement apps_count = {
	"appstore_apps_count",
	"SELECT count(*)"
	"  FROM apps a"
	"  JOIN members m ON m.workspace_id = a.workspace_id"
	"   AND m.account_id = $1"
	" WHERE ($2::uuid IS NULL OR a.workspace_id = $2)"
	"   AND ($3::text IS NULL OR strpos(lower(a.name), lower($3)) > 0)"
	"   AND ($4::text IS NULL OR a.mode = $4)"
	"   AND ($5::text IS NULL OR a.tags @> ARRAY[$5::text])"
};

int
appstore_apps_list(const struct app_filter *f, json_object **list,
    long long *total, struct error *err)
{
	const char *params[] = { f->account_id, f->workspace_id, f->name,
	    f->mode, f->tag, NULL, NULL };

	return page_fetch_list(&apps_page, &apps_count, params, 7, f->page,
	    f->limit, app_from_row, list, total, err);
}

static const struct db_statement app_one = {
	"appstore_app_one",
	"SELECT " APP_COLUMNS " FROM apps a" APP_JOINS " WHERE a.id = $1"
};

int
appstore_app_get(const char *app_id, json_object **app, struct error *err)
{
	const char *params[] = { app_id };
	PGresult *res;

	*app = NULL;
	if (db_exec(&app_one, 1, params, &res, err) != 0)
		return -1;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return error_set(err, ERR_APP_NOT_FOUND, NULL);
	}
	*app = app_from_row(res, 0);
	PQclear(res);
	return 0;
}

/* ---------------------------------------------------------------- */
/* Integrations and operations                                      */

#define INTEGRATION_COLUMNS                                               \
	"i.id, i.name, i.description, i.kind, i.base_url, i.status,"      \
	" c.id, c.name, c.type, to_jsonb(c.secret_fields),"               \
	" i.spec_url, i.spec_title, i.spec_version, i.spec_sha256,"       \
	" drio_rfc3339(i.discovered_at), i.discovery_error,"              \
	" (SELECT count(*) FROM operations o WHERE o.integration_id = i.id" \
	"     AND o.status = 'active'),"                                  \
	" (SELECT count(*) FROM operations o WHERE o.integration_id = i.id" \
	"     AND o.status = 'removed'),"                                 \
	" drio_rfc3339(i.created_at), drio_rfc3339(i.updated_at),"         \
	" w.id, w.name, w.auth_mode, w.status"

/* The joins INTEGRATION_COLUMNS reads from, after "FROM integrations i". */
#define INTEGRATION_JOINS                                                 \
	"  LEFT JOIN auth_connections c ON c.id = i.auth_connection_id"    \
	"  LEFT JOIN workspace_integrations w"                             \
	"         ON w.id = i.workspace_integration_id"

static json_object *
integration_from_row(const PGresult *res, int row)
{
	json_object *it = json_object_new_object();
	json_object *auth = NULL, *attached = NULL;
	json_object *spec = json_object_new_object();
	json_object *ops = json_object_new_object();

	json_put_string(it, "id", db_value(res, row, 0));
	json_put_string(it, "name", db_value(res, row, 1));
	json_put_string(it, "description", db_value(res, row, 2));
	json_put_string(it, "kind", db_value(res, row, 3));
	json_put_string(it, "base_url", db_value(res, row, 4));
	json_put_string(it, "status", db_value(res, row, 5));
	if (db_value(res, row, 6) != NULL) {
		auth = json_object_new_object();
		json_put_string(auth, "id", db_value(res, row, 6));
		json_put_string(auth, "name", db_value(res, row, 7));
		json_put_string(auth, "type", db_value(res, row, 8));
		json_put_db(auth, "secret_fields", db_value(res, row, 9));
	}
	json_object_object_add(it, "auth_connection", auth);
	json_put_string(spec, "url", db_value(res, row, 10));
	json_put_string(spec, "title", db_value(res, row, 11));
	json_put_string(spec, "version", db_value(res, row, 12));
	json_put_string(spec, "sha256", db_value(res, row, 13));
	json_put_string(spec, "discovered_at", db_value(res, row, 14));
	json_put_string(spec, "error", db_value(res, row, 15));
	json_object_object_add(it, "discovery", spec);
	json_put_int(ops, "active", db_int(res, row, 16));
	json_put_int(ops, "removed", db_int(res, row, 17));
	json_object_object_add(it, "operations", ops);
	json_put_string(it, "created_at", db_value(res, row, 18));
	json_put_string(it, "updated_at", db_value(res, row, 19));
	if (db_value(res, row, 20) != NULL) {
		attached = json_object_new_object();
		json_put_string(attached, "id", db_value(res, row, 20));
		json_put_string(attached, "name", db_value(res, row, 21));
		json_put_string(attached, "auth_mode", db_value(res, row, 22));
		json_put_string(attached, "status", db_value(res, row, 23));
	}
	json_object_object_add(it, "workspace_integration", attached);
	return it;
}

static const struct db_statement integrations_of_app = {
	"appstore_integrations",
	"SELECT " INTEGRATION_COLUMNS
	"  FROM integrations i"
	INTEGRATION_JOINS
	" WHERE i.app_id = $1 ORDER BY i.name, i.id"
};

static const struct db_statement integrations_page = {
	"appstore_integrations_page",
	"SELECT " INTEGRATION_COLUMNS ", count(*) OVER ()"
	"  FROM integrations i"
	INTEGRATION_JOINS
	" WHERE i.app_id = $1 ORDER BY i.name, i.id LIMIT $2 OFFSET $3"
};

static const struct db_statement integrations_count = {
	"appstore_integrations_count",
	"SELECT count(*) FROM integrations WHERE app_id = $1"
};

int
appstore_integrations_page(const char *app_id, long long page,
    long long limit, json_object **list, long long *total, struct error *err)
{
	const char *params[] = { app_id, NULL, NULL };

	return page_fetch_list(&integrations_page, &integrations_count, params,
	    3, page, limit, integration_from_row, list, total, err);
}

int
appstore_integrations_list(const char *app_id, json_object **list,
    struct error *err)
{
	const char *params[] = { app_id };
	PGresult *res;
	int i;

	if (db_exec(&integrations_of_app, 1, params, &res, err) != 0)
		return -1;
	*list = json_object_new_array();
	for (i = 0; i < PQntuples(res); i++)
		json_object_array_add(*list, integration_from_row(res, i));
	PQclear(res);
	return 0;
}

static const struct db_statement integration_one = {
	"appstore_integration_one",
	"SELECT " INTEGRATION_COLUMNS
	"  FROM integrations i"
	INTEGRATION_JOINS
	" WHERE i.app_id = $1 AND i.id = $2"
};

int
appstore_integration_get(const char *app_id, const char *integration_id,
    json_object **integration, struct error *err)
{
	const char *params[] = { app_id, integration_id };
	PGresult *res;

	*integration = NULL;
	if (db_exec(&integration_one, 2, params, &res, err) != 0)
		return -1;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return error_set(err, ERR_INTEGRATION_NOT_FOUND, NULL);
	}
	*integration = integration_from_row(res, 0);
	PQclear(res);
	return 0;
}

#define OPERATION_COLUMNS                                                 \
	"o.id, o.integration_id, o.key, o.operation_id, o.method, o.path," \
	" o.summary, o.description, o.input_schema, o.parameters,"        \
	" o.body_content_type, o.deprecated, o.source, o.status,"         \
	" drio_rfc3339(o.created_at), drio_rfc3339(o.updated_at),"        \
	" drio_rfc3339(o.removed_at),"                                    \
	" coalesce((SELECT jsonb_agg(t.id ORDER BY t.name) FROM tools t"  \
	"   WHERE t.operation_id = o.id), '[]')"

static json_object *
operation_from_row(const PGresult *res, int row)
{
	json_object *op = json_object_new_object();

	json_put_string(op, "id", db_value(res, row, 0));
	json_put_string(op, "integration_id", db_value(res, row, 1));
	json_put_string(op, "key", db_value(res, row, 2));
	json_put_string(op, "operation_id", db_value(res, row, 3));
	json_put_string(op, "method", db_value(res, row, 4));
	json_put_string(op, "path", db_value(res, row, 5));
	json_put_string(op, "summary", db_value(res, row, 6));
	json_put_string(op, "description", db_value(res, row, 7));
	json_put_db(op, "input_schema", db_value(res, row, 8));
	json_put_db(op, "parameters", db_value(res, row, 9));
	json_put_string(op, "body_content_type", db_value(res, row, 10));
	json_put_bool(op, "deprecated", db_bool(res, row, 11));
	json_put_string(op, "source", db_value(res, row, 12));
	json_put_string(op, "status", db_value(res, row, 13));
	json_put_string(op, "created_at", db_value(res, row, 14));
	json_put_string(op, "updated_at", db_value(res, row, 15));
	json_put_string(op, "removed_at", db_value(res, row, 16));
	json_put_db(op, "tool_ids", db_value(res, row, 17));
	return op;
}

static const struct db_statement integration_exists = {
	"appstore_integration_exists",
	"SELECT 1 FROM integrations WHERE app_id = $1 AND id = $2"
};

static const struct db_statement operations_page = {
	"appstore_operations_page",
	"SELECT " OPERATION_COLUMNS ", count(*) OVER ()"
	"  FROM operations o"
	" WHERE o.app_id = $1 AND o.integration_id = $2"
	"   AND ($3::text IS NULL OR o.status = $3)"
	"   AND ($4::text IS NULL OR strpos(lower(o.key), lower($4)) > 0"
	"        OR strpos(lower(coalesce(o.path, '')), lower($4)) > 0"
	"        OR strpos(lower(o.summary), lower($4)) > 0)"
	" ORDER BY o.path NULLS LAST, o.method, o.key"
	" LIMIT $5 OFFSET $6"
};

static const struct db_statement operations_count = {
	"appstore_operations_count",
	"SELECT count(*) FROM operations o"
	" WHERE o.app_id = $1 AND o.integration_id = $2"
	"   AND ($3::text IS NULL OR o.status = $3)"
	"   AND ($4::text IS NULL OR strpos(lower(o.key), lower($4)) > 0"
	"        OR strpos(lower(coalesce(o.path, '')), lower($4)) > 0"
	"        OR strpos(lower(o.summary), lower($4)) > 0)"
};

/* Is integration_id one of app_id's?  Returns 0, or -1 and err. */
static int
integration_check(const char *app_id, const char *integration_id,
    struct error *err)
{
	const char *params[] = { app_id, integration_id };
	PGresult *res;
	int found;

	if (db_exec(&integration_exists, 2, params, &res, err) != 0)
		return -1;
	found = PQntuples(res);
	PQclear(res);
	return found == 1 ? 0 : error_set(err, ERR_INTEGRATION_NOT_FOUND, NULL);
}

int
appstore_operations_list(const struct operation_filter *f,
    json_object **list, long long *total, struct error *err)
{
	const char *params[] = { f->app_id, f->integration_id, f->status,
	    f->query, NULL, NULL };

	if (integration_check(f->app_id, f->integration_id, err) != 0)
		return -1;
	return page_fetch_list(&operations_page, &operations_count, params, 6,
	    f->page, f->limit, operation_from_row, list, total, err);
}

static const struct db_statement operation_one = {
	"appstore_operation_one",
	"SELECT " OPERATION_COLUMNS
	"  FROM operations o WHERE o.app_id = $1 AND o.id = $2"
};

int
appstore_operation_get(const char *app_id, const char *operation_id,
    json_object **operation, struct error *err)
{
	const char *params[] = { app_id, operation_id };
	PGresult *res;

	*operation = NULL;
	if (db_exec(&operation_one, 2, params, &res, err) != 0)
		return -1;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return error_set(err, ERR_OPERATION_NOT_FOUND, NULL);
	}
	*operation = operation_from_row(res, 0);
	PQclear(res);
	return 0;
}

/* ---------------------------------------------------------------- */
/* Tools                                                            */

#define TOOL_COLUMNS                                                      \
	"t.id, t.name, t.title, t.description, t.input_schema,"           \
	" t.annotations, t.enabled, o.method,"                            \
	" coalesce(t.binding, o.parameters), t.binding IS NULL, t.chain," \
	" o.id, o.key, o.integration_id, o.path, o.status, t.widget_id,"  \
	" wd.name, drio_rfc3339(t.created_at), drio_rfc3339(t.updated_at)," \
	" (SELECT jsonb_agg(so.method ORDER BY s.ord)"                     \
	"    FROM jsonb_array_elements(t.chain) WITH ORDINALITY s(step, ord)" \
	"    LEFT JOIN operations so ON so.app_id = t.app_id"              \
	"     AND so.id::text = s.step->>'operation_id')"
#define TOOL_JOINS                                                        \
	" LEFT JOIN operations o ON o.id = t.operation_id"                \
	" LEFT JOIN widgets wd ON wd.id = t.widget_id"

/*
 * A tool's effective annotations: explicit (borrowed) over those derived
 * from its operation's method, or for a chain from the method
 * tooldef_chain_method() picks among its steps' (column 20, a JSON
 * array), as appconfig does for the runtime config.
 */
static json_object *
tool_annotations(const PGresult *res, int row, json_object *explicit)
{
	const char *methods[APPCONFIG_CHAIN_MAX];
	const char *text = db_value(res, row, 20);
	json_object *list, *annotations;
	size_t i, n;

	if (db_value(res, row, 11) != NULL || text == NULL)
		return tooldef_annotations(db_value(res, row, 7), explicit);
	list = json_from_db(text);
	n = json_object_is_type(list, json_type_array) ?
	    json_object_array_length(list) : 0;
	if (n > APPCONFIG_CHAIN_MAX)
		n = APPCONFIG_CHAIN_MAX;
	for (i = 0; i < n; i++)
		methods[i] = json_object_get_string(
		    json_object_array_get_idx(list, i));
	annotations = tooldef_annotations(tooldef_chain_method(methods, n),
	    explicit);
	json_object_put(list);
	return annotations;
}

static json_object *
tool_from_row(const PGresult *res, int row)
{
	json_object *tool = json_object_new_object();
	json_object *explicit = json_from_db(db_value(res, row, 5));
	json_object *op = NULL, *widget = NULL;

	json_put_string(tool, "id", db_value(res, row, 0));
	json_put_string(tool, "name", db_value(res, row, 1));
	json_put_string(tool, "title", db_value(res, row, 2));
	json_put_string(tool, "description", db_value(res, row, 3));
	json_put_db(tool, "input_schema", db_value(res, row, 4));
	json_object_object_add(tool, "annotations",
	    tool_annotations(res, row, explicit));
	json_object_object_add(tool, "explicit_annotations", explicit);
	json_put_bool(tool, "enabled", db_bool(res, row, 6));
	if (db_value(res, row, 11) != NULL) {
		op = json_object_new_object();
		json_put_string(op, "id", db_value(res, row, 11));
		json_put_string(op, "key", db_value(res, row, 12));
		json_put_string(op, "integration_id", db_value(res, row, 13));
		json_put_string(op, "method", db_value(res, row, 7));
		json_put_string(op, "path", db_value(res, row, 14));
		json_put_string(op, "status", db_value(res, row, 15));
	}
	json_object_object_add(tool, "operation", op);
	json_put_db(tool, "binding", db_value(res, row, 8));
	json_put_bool(tool, "binding_derived", db_bool(res, row, 9));
	json_put_db(tool, "chain", db_value(res, row, 10));
	if (db_value(res, row, 16) != NULL) {
		widget = json_object_new_object();
		json_put_string(widget, "id", db_value(res, row, 16));
		json_put_string(widget, "name", db_value(res, row, 17));
	}
	json_object_object_add(tool, "widget", widget);
	json_put_string(tool, "created_at", db_value(res, row, 18));
	json_put_string(tool, "updated_at", db_value(res, row, 19));
	return tool;
}

static const struct db_statement tools_page = {
	"appstore_tools_page",
	"SELECT " TOOL_COLUMNS ", count(*) OVER ()"
	"  FROM tools t" TOOL_JOINS
	" WHERE t.app_id = $1 ORDER BY t.name LIMIT $2 OFFSET $3"
};

static const struct db_statement tools_count = {
	"appstore_tools_count",
	"SELECT count(*) FROM tools WHERE app_id = $1"
};

int
appstore_tools_list(const char *app_id, long long page, long long limit,
    json_object **list, long long *total, struct error *err)
{
	const char *params[] = { app_id, NULL, NULL };

	return page_fetch_list(&tools_page, &tools_count, params, 3, page,
	    limit, tool_from_row, list, total, err);
}

static const struct db_statement tool_one = {
	"appstore_tool_one",
	"SELECT " TOOL_COLUMNS " FROM tools t" TOOL_JOINS
	" WHERE t.app_id = $1 AND t.id = $2"
};

int
appstore_tool_get(const char *app_id, const char *tool_id,
    json_object **tool, struct error *err)
{
	const char *params[] = { app_id, tool_id };
	PGresult *res;

	*tool = NULL;
	if (db_exec(&tool_one, 2, params, &res, err) != 0)
		return -1;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return error_set(err, ERR_TOOL_NOT_FOUND, NULL);
	}
	*tool = tool_from_row(res, 0);
	PQclear(res);
	return 0;
}

int
appstore_check_annotations(json_object *annotations, struct error *err)
{
	static const char *const hints[] = { "readOnlyHint",
	    "destructiveHint", "idempotentHint", "openWorldHint", NULL };
	json_object *details;
	bool failed = false;
	size_t i;

	if (annotations == NULL)
		return 0;
	json_object_object_foreach(annotations, key, value) {
		for (i = 0; hints[i] != NULL; i++)
			if (strcmp(hints[i], key) == 0)
				break;
		if (hints[i] == NULL) {
			error_add_detail(err, "body", "annotations", "Only"
			    " readOnlyHint, destructiveHint, idempotentHint and"
			    " openWorldHint can be set", "extra_forbidden");
			failed = true;
		} else if (!json_object_is_type(value, json_type_boolean)) {
			error_add_detail(err, "body", "annotations", "Hints"
			    " are booleans", "bool_type");
			failed = true;
		}
	}
	if (!failed)
		return 0;
	details = err->details;   /* error_set would drop them */
	err->details = NULL;
	error_set(err, ERR_VALIDATION, NULL);
	err->details = details;
	return -1;
}

/* The operation fields tooldef_from_operation reads. */
static const struct db_statement operation_for_tool = {
	"appstore_operation_for_tool",
	"SELECT jsonb_build_object('key', key, 'operation_id', operation_id,"
	"       'method', method, 'path', path, 'summary', summary,"
	"       'description', description, 'deprecated', deprecated,"
	"       'input_schema', input_schema, 'parameters', parameters,"
	"       'body_content_type', body_content_type),"
	"       status, id"
	"  FROM operations WHERE app_id = $1 AND id = $2"
};

static const struct db_statement widget_exists = {
	"appstore_widget_exists",
	"SELECT 1 FROM widgets WHERE app_id = $1 AND id = $2"
};

static const struct db_statement tool_insert = {
	"appstore_tool_insert",
	"INSERT INTO tools (app_id, name, title, description, input_schema,"
	"       annotations, operation_id, widget_id, enabled)"
	" VALUES ($1, $2, $3, $4, $5::jsonb, coalesce($6::jsonb, '{}'),"
	"         $7, $8, $9::boolean)"
	" ON CONFLICT (app_id, name) DO NOTHING"
	" RETURNING id"
};

int
appstore_tool_create_from_operation(const char *app_id,
    const char *operation_id, const struct tool_overrides *o,
    char tool_id[AUTH_UUID_LEN + 1], struct error *err)
{
	json_object *operation = NULL, *tool = NULL;
	PGresult *res = NULL;
	int rc = -1;

	{
		const char *params[] = { app_id, operation_id };

		if (db_exec(&operation_for_tool, 2, params, &res, err) != 0)
			goto out;
		if (PQntuples(res) != 1) {
			error_set(err, ERR_OPERATION_NOT_FOUND, NULL);
			goto out;
		}
		if (strcmp(db_value(res, 0, 1), "removed") == 0) {
			error_set(err, ERR_VALIDATION, "Operation '%s' was"
			    " removed by the last discovery.",
			    db_value(res, 0, 2));
			error_add_detail(err, "body", "operation_id",
			    "The operation was removed from its API",
			    "operation_removed");
			goto out;
		}
		operation = json_from_db(db_value(res, 0, 0));
		PQclear(res);
		res = NULL;
	}
	if (operation == NULL) {
		error_set(err, ERR_INTERNAL, "operation row is not JSON");
		goto out;
	}
	if (tooldef_from_operation(operation, &tool, err) != 0)
		goto out;
	if (o->widget_id != NULL) {
		const char *params[] = { app_id, o->widget_id };

		if (db_exec(&widget_exists, 2, params, &res, err) != 0)
			goto out;
		if (PQntuples(res) != 1) {
			error_set(err, ERR_WIDGET_NOT_FOUND, NULL);
			goto out;
		}
		PQclear(res);
		res = NULL;
	}
	{
		const char *name = o->name != NULL ? o->name :
		    json_get_string(tool, "name");
		const char *params[] = { app_id, name,
		    o->title != NULL ? o->title : json_get_string(tool, "title"),
		    o->description != NULL ? o->description :
		    json_get_string(tool, "description"),
		    json_text(json_get_object(tool, "input_schema")),
		    o->annotations != NULL ? json_text(o->annotations) : NULL,
		    operation_id, o->widget_id,
		    o->disabled ? "false" : "true" };

		if (db_exec(&tool_insert, 9, params, &res, err) != 0)
			goto out;
		if (PQntuples(res) != 1) {
			error_set(err, ERR_NAME_TAKEN, "The draft already has"
			    " a tool named '%s'.", name);
			error_hint(err, "Give the tool another name.");
			goto out;
		}
		snprintf(tool_id, AUTH_UUID_LEN + 1, "%s", db_value(res, 0, 0));
	}
	rc = 0;
out:
	PQclear(res);
	json_object_put(operation);
	json_object_put(tool);
	return rc;
}

/*
 * The operations of an integration an import considers: those named by
 * $3 (a JSON array of ids or keys; NULL for all), each with the ref it
 * was named by (NULL for all), its status and the tool already made from
 * it.  A ref that names nothing comes back with a NULL id.
 */
static const struct db_statement import_candidates = {
	"appstore_import_candidates",
	"WITH refs AS ("
	"  SELECT r.value AS ref, r.ord"
	"    FROM jsonb_array_elements_text($3::jsonb) WITH ORDINALITY r(value, ord))"
	"SELECT ref, id, key, status, tool_id FROM ("
	"  SELECT refs.ord, refs.ref, o.id, o.key, o.status,"
	"         (SELECT t.id FROM tools t WHERE t.operation_id = o.id"
	"           ORDER BY t.created_at LIMIT 1) AS tool_id"
	"    FROM refs"
	"    LEFT JOIN operations o ON o.app_id = $1 AND o.integration_id = $2"
	"     AND (o.id::text = lower(refs.ref) OR o.key = refs.ref)"
	"   WHERE $3::jsonb IS NOT NULL"
	"  UNION ALL"
	"  SELECT row_number() OVER (ORDER BY o.path, o.method, o.key),"
	"         NULL, o.id, o.key, o.status,"
	"         (SELECT t.id FROM tools t WHERE t.operation_id = o.id"
	"           ORDER BY t.created_at LIMIT 1)"
	"    FROM operations o"
	"   WHERE $3::jsonb IS NULL AND o.app_id = $1"
	"     AND o.integration_id = $2 AND o.status = 'active') c"
	" ORDER BY ord"
};

/* Run import_candidates.  Returns 0 with *res, or -1 and err. */
static int
import_candidates_fetch(const char *app_id, const char *integration_id,
    json_object *refs, PGresult **res, struct error *err)
{
	const char *params[] = { app_id, integration_id,
	    refs != NULL ? json_text(refs) : NULL };

	if (integration_check(app_id, integration_id, err) != 0)
		return -1;
	return db_exec(&import_candidates, 3, params, res, err);
}

/* The id of the tool in created made from operation op_id, or NULL. */
static const char *
imported_now(json_object *created, const char *op_id)
{
	size_t i;

	for (i = 0; i < json_object_array_length(created); i++) {
		json_object *tool = json_object_array_get_idx(created, i);
		const char *id = json_get_string(json_get_object(tool,
		    "operation"), "id");

		if (id != NULL && strcmp(id, op_id) == 0)
			return json_get_string(tool, "id");
	}
	return NULL;
}

/* Add {ref, operation_id, key, code, message} to failed. */
static void
import_failed(json_object *failed, const PGresult *res, int row,
    const char *code, const char *message)
{
	json_object *entry = json_object_new_object();

	json_put_string(entry, "ref", db_value(res, row, 0));
	json_put_string(entry, "operation_id", db_value(res, row, 1));
	json_put_string(entry, "key", db_value(res, row, 2));
	json_put_string(entry, "code", code);
	json_put_string(entry, "message", message);
	json_object_array_add(failed, entry);
}

int
appstore_import_tools(const char *app_id, const char *integration_id,
    json_object *refs, json_object **report, struct error *err)
{
	json_object *created = json_object_new_array();
	json_object *skipped = json_object_new_array();
	json_object *failed = json_object_new_array();
	struct tool_overrides none = { .name = NULL };
	PGresult *res = NULL;
	int i, rc = -1;

	*report = NULL;
	if (import_candidates_fetch(app_id, integration_id, refs, &res,
	    err) != 0)
		goto out;
	for (i = 0; i < PQntuples(res); i++) {
		const char *op_id = db_value(res, i, 1);
		char tool_id[AUTH_UUID_LEN + 1];
		json_object *tool;
		struct error one = { .code = ERR_NONE };

		if (op_id == NULL) {
			import_failed(failed, res, i, "operation_not_found",
			    "No operation of this integration has that id or"
			    " key.");
			continue;
		}
		if (strcmp(db_value(res, i, 3), "removed") == 0) {
			import_failed(failed, res, i, "operation_removed",
			    "The operation was removed by the last"
			    " discovery.");
			continue;
		}
		if (db_value(res, i, 4) != NULL ||
		    imported_now(created, op_id) != NULL) {
			json_object *entry = json_object_new_object();
			const char *existing = db_value(res, i, 4);

			if (existing == NULL)
				existing = imported_now(created, op_id);
			json_put_string(entry, "operation_id", op_id);
			json_put_string(entry, "key", db_value(res, i, 2));
			json_put_string(entry, "tool_id", existing);
			json_put_string(entry, "reason", "already_imported");
			json_object_array_add(skipped, entry);
			continue;
		}
		if (appstore_tool_create_from_operation(app_id, op_id, &none,
		    tool_id, &one) != 0) {
			if (one.code != ERR_NAME_TAKEN) {
				error_set(err, one.code, "%s", one.message);
				error_clear(&one);
				goto out;
			}
			import_failed(failed, res, i, "name_taken",
			    one.message);
			error_clear(&one);
			continue;
		}
		if (appstore_tool_get(app_id, tool_id, &tool, err) != 0)
			goto out;
		json_object_array_add(created, tool);
	}
	*report = json_object_new_object();
	json_object_object_add(*report, "created", json_object_get(created));
	json_object_object_add(*report, "skipped", json_object_get(skipped));
	json_object_object_add(*report, "failed", json_object_get(failed));
	rc = 0;
out:
	PQclear(res);
	json_object_put(created);
	json_object_put(skipped);
	json_object_put(failed);
	return rc;
}

/* ---------------------------------------------------------------- */
/* Authoring state                                                  */

static const struct db_statement authoring_draft = {
	"appstore_authoring_draft",
	"SELECT d.id, d.revision, d.based_on_release,"
	"       drio_rfc3339(d.updated_at), d.updated_by, d.validation,"
	"       d.validated_revision, drio_rfc3339(d.validated_at),"
	"       a.name, a.slug, a.mode,"
	"       (SELECT count(*) FROM tools t WHERE t.app_id = a.id),"
	"       (SELECT count(*) FROM widgets x WHERE x.app_id = a.id)"
	"  FROM apps a JOIN drafts d ON d.app_id = a.id WHERE a.id = $1"
};

static const struct db_statement authoring_tools = {
	"appstore_authoring_tools",
	"SELECT t.id, t.name, t.enabled, o.id, o.key, o.integration_id,"
	"       o.method, o.path, o.status, jsonb_array_length(t.chain)"
	"  FROM tools t LEFT JOIN operations o ON o.id = t.operation_id"
	" WHERE t.app_id = $1 ORDER BY t.name"
};

int
appstore_authoring_state(const char *app_id, json_object **state,
    struct error *err)
{
	const char *params[] = { app_id };
	json_object *draft, *tools, *integrations, *validation = NULL;
	json_object *app, *release = NULL;
	PGresult *res;
	int i;

	*state = NULL;
	if (db_exec(&authoring_draft, 1, params, &res, err) != 0)
		return -1;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return error_set(err, ERR_APP_NOT_FOUND, NULL);
	}
	app = json_object_new_object();
	json_put_string(app, "id", app_id);
	json_put_string(app, "name", db_value(res, 0, 8));
	json_put_string(app, "slug", db_value(res, 0, 9));
	json_put_string(app, "mode", db_value(res, 0, 10));
	draft = json_object_new_object();
	json_put_string(draft, "id", db_value(res, 0, 0));
	json_put_int(draft, "revision", db_int(res, 0, 1));
	if (db_value(res, 0, 2) != NULL)
		json_put_int(draft, "based_on_release", db_int(res, 0, 2));
	else
		json_object_object_add(draft, "based_on_release", NULL);
	json_put_string(draft, "updated_at", db_value(res, 0, 3));
	json_put_string(draft, "updated_by", db_value(res, 0, 4));
	json_put_int(draft, "tool_count", db_int(res, 0, 11));
	json_put_int(draft, "widget_count", db_int(res, 0, 12));
	if (db_value(res, 0, 5) != NULL) {
		validation = json_from_db(db_value(res, 0, 5));
		json_put_int(validation, "draft_revision", db_int(res, 0, 6));
		json_put_string(validation, "validated_at",
		    db_value(res, 0, 7));
		json_put_bool(validation, "current",
		    db_int(res, 0, 6) == db_int(res, 0, 1));
	}
	PQclear(res);

	if (db_exec(&authoring_tools, 1, params, &res, err) != 0) {
		json_object_put(app);
		json_object_put(draft);
		json_object_put(validation);
		return -1;
	}
	tools = json_object_new_array();
	for (i = 0; i < PQntuples(res); i++) {
		json_object *t = json_object_new_object(), *op = NULL;

		json_put_string(t, "id", db_value(res, i, 0));
		json_put_string(t, "name", db_value(res, i, 1));
		json_put_bool(t, "enabled", db_bool(res, i, 2));
		if (db_value(res, i, 3) != NULL) {
			op = json_object_new_object();
			json_put_string(op, "id", db_value(res, i, 3));
			json_put_string(op, "key", db_value(res, i, 4));
			json_put_string(op, "integration_id",
			    db_value(res, i, 5));
			json_put_string(op, "method", db_value(res, i, 6));
			json_put_string(op, "path", db_value(res, i, 7));
			json_put_string(op, "status", db_value(res, i, 8));
		}
		json_object_object_add(t, "operation", op);
		if (db_value(res, i, 9) != NULL)
			json_put_int(t, "chain_steps", db_int(res, i, 9));
		json_object_array_add(tools, t);
	}
	PQclear(res);

	if (appstore_integrations_list(app_id, &integrations, err) != 0 ||
	    appstore_app_get(app_id, &release, err) != 0) {
		json_object_put(app);
		json_object_put(draft);
		json_object_put(validation);
		json_object_put(tools);
		return -1;
	}
	*state = json_object_new_object();
	json_object_object_add(*state, "app", app);
	json_object_object_add(*state, "draft", draft);
	json_object_object_add(*state, "integrations", integrations);
	json_object_object_add(*state, "tools", tools);
	json_object_object_add(*state, "last_validation", validation);
	json_object_object_add(*state, "latest_release", json_object_get(
	    json_get_object(release, "latest_release")));
	json_object_put(release);
	return 0;
}

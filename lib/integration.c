/*
 * integration.c: integrations, their operations, and the discovery of
 * operations from OpenAPI documents (see integration.h).
 *
 * Every statement is scoped by the app id, so an object of another app
 * is never found through this one.  Discovery compares the operations of
 * the new document with the stored ones in SQL (jsonb equality, which
 * ignores key order and spacing), then writes each difference as its own
 * small statement; the draft write around it makes them one change.
 *
 * SPDX-License-Identifier: MIT
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "crew.h"
#include "crypto.h"
#include "db.h"
#include "integration.h"
#include "jsonutil.h"
#include "oas.h"
#include "outbound.h"
#include "utf8.h"
#include "valid.h"
#include "yaml.h"

/* Are a and b the same string, or both NULL?  Can't fail. */
static bool
same_text(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/*
 * Turn a unique violation err holds into ERR_NAME_TAKEN for field
 * (a name unique in its scope); leave any other error as it is.
 * Returns -1.
 */
static int
name_taken(struct error *err, const char *field, const char *what,
    const char *value)
{
	if (err->code != ERR_CONFLICT ||
	    strcmp(db_last_sqlstate(), "23505") != 0)
		return -1;
	error_set(err, ERR_NAME_TAKEN, "%s '%s' is taken.", what, value);
	error_hint(err, "Choose another %s.", field);
	error_add_detail(err, "body", field, "Must be unique", "name_taken");
	return -1;
}

/* Set err to ERR_VALIDATION with one detail on body.field.  Returns -1. */
static int
invalid(struct error *err, const char *field, const char *msg,
    const char *type)
{
	error_set(err, ERR_VALIDATION, NULL);
	error_add_detail(err, "body", field, msg, type);
	return -1;
}

/* ---------------------------------------------------------------- */
/* Integrations                                                     */

static const char *const integration_kinds[] = {
	"openapi", "http", "mcp_server", NULL
};
static const char *const integration_statuses[] = {
	"active", "disabled", "error", NULL
};

/* Is s one of the NULL-terminated list?  Can't fail. */
static bool
one_of(const char *s, const char *const *list)
{
	size_t i;

	for (i = 0; list[i] != NULL; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}

/*
 * Check the values set in f (the kcgi tables of the responder check
 * them too; other callers, such as templates, come here directly).
 * Returns 0, or -1 and err (ERR_VALIDATION with details).
 */
static int
integration_fields_check(const struct integration_fields *f, bool creating,
    struct error *err)
{
	if (creating && f->name == NULL)
		return invalid(err, "name", "Field required", "missing");
	if (creating && f->kind == NULL)
		return invalid(err, "kind", "Field required", "missing");
	if (f->name != NULL && (f->name[0] == '\0' || strlen(f->name) > 1020))
		return invalid(err, "name", "A name is 1 to 255 characters",
		    "string_too_long");
	if (f->description != NULL && strlen(f->description) > 16000)
		return invalid(err, "description", "A description is at most"
		    " 4000 characters", "string_too_long");
	if (f->kind != NULL && !one_of(f->kind, integration_kinds))
		return invalid(err, "kind", "Input should be 'openapi',"
		    " 'http' or 'mcp_server'", "enum");
	if (f->base_url != NULL && (strlen(f->base_url) > 2048 ||
	    !valid_is_http_url(f->base_url)))
		return invalid(err, "base_url", "Input should be an absolute"
		    " http or https URL", "url_parsing");
	if (f->auth_connection_id != NULL &&
	    !valid_is_uuid(f->auth_connection_id))
		return invalid(err, "auth_connection_id", "Input should be a"
		    " valid UUID", "uuid_parsing");
	if (f->status != NULL && !one_of(f->status, integration_statuses))
		return invalid(err, "status", "Input should be 'active' or"
		    " 'disabled'", "enum");
	if (f->workspace_integration_id != NULL &&
	    !valid_is_uuid(f->workspace_integration_id))
		return invalid(err, "workspace_integration_id", "Input should"
		    " be a valid UUID", "uuid_parsing");
	if (f->workspace_integration_id != NULL &&
	    f->auth_connection_id != NULL)
		return invalid(err, "auth_connection_id", "An attached"
		    " integration takes its credentials from its workspace"
		    " integration", "conflict");
	return 0;
}

static const struct db_statement auth_connection_exists = {
	"integration_auth_connection_exists",
	"SELECT 1 FROM auth_connections WHERE app_id = $1 AND id = $2"
};

/*
 * Is auth_connection_id (may be NULL: nothing to check) one of app_id's
 * auth connections?  Returns 0, or -1 and err
 * (ERR_AUTH_CONNECTION_NOT_FOUND, also for another app's).
 */
static int
auth_connection_check(const char *app_id, const char *auth_connection_id,
    struct error *err)
{
	const char *params[] = { app_id, auth_connection_id };
	PGresult *res;
	int found;

	if (auth_connection_id == NULL)
		return 0;
	if (db_exec(&auth_connection_exists, 2, params, &res, err) != 0)
		return -1;
	found = PQntuples(res);
	PQclear(res);
	if (found == 1)
		return 0;
	error_set(err, ERR_AUTH_CONNECTION_NOT_FOUND, NULL);
	error_add_detail(err, "body", "auth_connection_id", "No such auth"
	    " connection in this app", "not_found");
	return -1;
}

static const struct db_statement integration_insert = {
	"integration_insert",
	"INSERT INTO integrations (app_id, name, description, kind, base_url,"
	"       auth_connection_id, status, workspace_integration_id)"
	" VALUES ($1, $2, coalesce($3, ''), $4, $5, $6,"
	"         coalesce($7, 'active'), $8)"
	" RETURNING id"
};

/*
 * The workspace integration an app attaches: one of the app's
 * workspace, held against a concurrent delete until the write commits.
 */
static const struct db_statement attach_source = {
	"integration_attach_source",
	"SELECT w.kind, w.url, w.name, w.crew_id, w.workspace_id,"
	"       a.created_by"
	"  FROM apps a"
	"  JOIN workspace_integrations w ON w.workspace_id = a.workspace_id"
	" WHERE a.id = $1 AND w.id = $2"
	"   FOR SHARE OF w"
};
enum { AS_KIND, AS_URL, AS_NAME, AS_CREW, AS_WORKSPACE, AS_APP_CREATOR };

/*
 * Find the workspace integration f names for app_id and complete f from
 * it: kind (which f may repeat but not contradict), name and base_url
 * unless given.  A crew-scoped one is usable only by an app its crew's
 * member created.  Returns 0 with *res (the caller clears it after the
 * insert: f points into it), or -1 and err: ERR_INTEGRATION_NOT_FOUND
 * (detail on workspace_integration_id), ERR_FORBIDDEN for the crew rule,
 * ERR_VALIDATION for a contradicting kind.
 */
static int
attach_prepare(const char *app_id, struct integration_fields *f,
    PGresult **res, struct error *err)
{
	const char *params[] = { app_id, f->workspace_integration_id };
	const char *crew;
	bool member = false;

	if (db_exec(&attach_source, 2, params, res, err) != 0)
		return -1;
	if (PQntuples(*res) != 1) {
		error_set(err, ERR_INTEGRATION_NOT_FOUND, "No workspace"
		    " integration %s in the app's workspace.",
		    f->workspace_integration_id);
		error_add_detail(err, "body", "workspace_integration_id",
		    "No such workspace integration in this app's workspace",
		    "not_found");
		goto fail;
	}
	if ((crew = db_value(*res, 0, AS_CREW)) != NULL) {
		if (db_value(*res, 0, AS_APP_CREATOR) != NULL &&
		    crew_has_member(db_value(*res, 0, AS_WORKSPACE), crew,
		    db_value(*res, 0, AS_APP_CREATOR), &member, err) != 0)
			goto fail;
		if (!member) {
			error_set(err, ERR_FORBIDDEN, "The integration is"
			    " installed for a crew: only apps created by its"
			    " members may attach it.");
			error_add_detail(err, "body",
			    "workspace_integration_id", "Installed for a crew"
			    " the app's creator is not in", "crew_scope");
			goto fail;
		}
	}
	if (f->kind != NULL && strcmp(f->kind, db_value(*res, 0, AS_KIND)) != 0) {
		invalid(err, "kind", "An attached integration has its"
		    " workspace integration's kind", "kind_mismatch");
		goto fail;
	}
	f->kind = db_value(*res, 0, AS_KIND);
	if (f->name == NULL)
		f->name = db_value(*res, 0, AS_NAME);
	if (f->base_url == NULL)
		f->base_url = db_value(*res, 0, AS_URL);
	return 0;
fail:
	PQclear(*res);
	*res = NULL;
	return -1;
}

int
integration_create(const char *app_id, const struct integration_fields *f,
    char id[AUTH_UUID_LEN + 1], struct error *err)
{
	struct integration_fields g = *f;
	PGresult *source = NULL, *res;
	const char *params[8];
	int rc = -1;

	id[0] = '\0';
	if (g.workspace_integration_id != NULL &&
	    (integration_fields_check(&g, false, err) != 0 ||
	    attach_prepare(app_id, &g, &source, err) != 0))
		return -1;
	params[0] = app_id;
	params[1] = g.name;
	params[2] = g.description;
	params[3] = g.kind;
	params[4] = g.base_url;
	params[5] = g.clear_auth_connection ? NULL : g.auth_connection_id;
	params[6] = g.status;
	params[7] = g.workspace_integration_id;
	if (integration_fields_check(&g, true, err) != 0 ||
	    auth_connection_check(app_id, params[5], err) != 0)
		goto out;
	if (db_exec(&integration_insert, 8, params, &res, err) != 0) {
		name_taken(err, "name", "The integration name", g.name);
		goto out;
	}
	snprintf(id, AUTH_UUID_LEN + 1, "%s", db_value(res, 0, 0));
	PQclear(res);
	rc = 0;
out:
	PQclear(source);
	return rc;
}

static const struct db_statement integration_lock = {
	"integration_lock",
	"SELECT kind, base_url, status, spec_url, spec_title, spec_version,"
	"       spec_sha256, workspace_integration_id"
	"  FROM integrations WHERE app_id = $1 AND id = $2 FOR UPDATE"
};

/*
 * Lock app_id's integration integration_id for the rest of the
 * transaction.  Returns 0 with *res (the caller clears it; columns as
 * integration_lock), or -1 and err (ERR_INTEGRATION_NOT_FOUND).
 */
static int
integration_lock_row(const char *app_id, const char *integration_id,
    PGresult **res, struct error *err)
{
	const char *params[] = { app_id, integration_id };

	if (db_exec(&integration_lock, 2, params, res, err) != 0)
		return -1;
	if (PQntuples(*res) == 1)
		return 0;
	PQclear(*res);
	*res = NULL;
	return error_set(err, ERR_INTEGRATION_NOT_FOUND, NULL);
}

/* Changes only what differs; a row that comes back was changed. */
static const struct db_statement integration_change = {
	"integration_change",
	"UPDATE integrations SET name = n.name, description = n.description,"
	"       kind = n.kind, base_url = n.base_url,"
	"       auth_connection_id = n.auth_connection_id, status = n.status,"
	"       updated_at = now()"
	"  FROM (SELECT i.id, coalesce($3, i.name) AS name,"
	"               coalesce($4, i.description) AS description,"
	"               coalesce($5, i.kind) AS kind,"
	"               coalesce($6, i.base_url) AS base_url,"
	"               CASE WHEN $8::boolean THEN NULL"
	"                    ELSE coalesce($7::uuid, i.auth_connection_id)"
	"               END AS auth_connection_id,"
	"               coalesce($9, i.status) AS status"
	"          FROM integrations i WHERE i.app_id = $1 AND i.id = $2) n"
	" WHERE integrations.id = n.id"
	"   AND (integrations.name, integrations.description,"
	"        integrations.kind, integrations.base_url,"
	"        integrations.auth_connection_id, integrations.status)"
	"       IS DISTINCT FROM"
	"       (n.name, n.description, n.kind, n.base_url,"
	"        n.auth_connection_id, n.status)"
	" RETURNING integrations.id"
};

int
integration_update(const char *app_id, const char *integration_id,
    const struct integration_fields *f, bool *changed, struct error *err)
{
	const char *params[] = { app_id, integration_id, f->name,
	    f->description, f->kind, f->base_url, f->auth_connection_id,
	    f->clear_auth_connection ? "true" : "false", f->status };
	PGresult *res = NULL;
	bool attached, kind_differs;

	*changed = false;
	if (integration_fields_check(f, false, err) != 0 ||
	    integration_lock_row(app_id, integration_id, &res, err) != 0)
		return -1;
	attached = db_value(res, 0, 7) != NULL;
	kind_differs = f->kind != NULL &&
	    strcmp(f->kind, db_value(res, 0, 0)) != 0;
	PQclear(res);
	if (attached && kind_differs)
		return invalid(err, "kind", "An attached integration has its"
		    " workspace integration's kind", "kind_mismatch");
	if (attached && f->auth_connection_id != NULL)
		return invalid(err, "auth_connection_id", "An attached"
		    " integration takes its credentials from its workspace"
		    " integration", "conflict");
	if (!f->clear_auth_connection &&
	    auth_connection_check(app_id, f->auth_connection_id, err) != 0)
		return -1;
	if (db_exec(&integration_change, 9, params, &res, err) != 0)
		return name_taken(err, "name", "The integration name", f->name);
	*changed = PQntuples(res) == 1;
	PQclear(res);
	return 0;
}

/*
 * The tools that use an operation of integration $2 ($3 NULL) or the
 * operation $3, directly or as a step of a chain, with the key of the
 * operation they use.
 */
static const struct db_statement tools_using = {
	"integration_tools_using",
	"SELECT t.id, t.name, o.key, t.operation_id = o.id"
	"  FROM operations o JOIN tools t ON t.app_id = o.app_id"
	" WHERE o.app_id = $1"
	"   AND (($3::uuid IS NULL AND o.integration_id = $2) OR o.id = $3)"
	"   AND (t.operation_id = o.id OR EXISTS (SELECT 1"
	"        FROM jsonb_array_elements(coalesce(t.chain, '[]')) s(step)"
	"       WHERE s.step->>'operation_id' = o.id::text))"
	" ORDER BY t.name, o.key"
};

/*
 * Refuse with ERR_IN_USE, naming each tool, when tools use the
 * integration's operations (operation_id NULL) or the one operation.
 * Returns 0 when none does, or -1 and err.
 */
static int
check_unused(const char *app_id, const char *integration_id,
    const char *operation_id, struct error *err)
{
	const char *params[] = { app_id, integration_id, operation_id };
	char msg[512];
	PGresult *res;
	int i, n;

	if (db_exec(&tools_using, 3, params, &res, err) != 0)
		return -1;
	n = PQntuples(res);
	if (n > 0) {
		error_set(err, ERR_IN_USE, "%d tool%s use%s %s.", n,
		    n == 1 ? "" : "s", n == 1 ? "s" : "", operation_id ==
		    NULL ? "operations of this integration" :
		    "this operation");
		error_hint(err, "Delete the tools or point them at other"
		    " operations first.");
		for (i = 0; i < n; i++) {
			snprintf(msg, sizeof(msg), "Tool '%s' uses operation"
			    " '%s'%s", db_value(res, i, 1), db_value(res, i, 2),
			    db_bool(res, i, 3) ? "" : " in a chain step");
			error_add_detail(err, "tools", db_value(res, i, 0), msg,
			    "in_use");
		}
	}
	PQclear(res);
	return n > 0 ? -1 : 0;
}

static const struct db_statement integration_remove = {
	"integration_remove",
	"DELETE FROM integrations WHERE app_id = $1 AND id = $2 RETURNING id"
};

int
integration_delete(const char *app_id, const char *integration_id,
    struct error *err)
{
	const char *params[] = { app_id, integration_id };
	PGresult *res = NULL;
	int found;

	if (integration_lock_row(app_id, integration_id, &res, err) != 0)
		return -1;
	PQclear(res);
	if (check_unused(app_id, integration_id, NULL, err) != 0)
		return -1;
	if (db_exec(&integration_remove, 2, params, &res, err) != 0)
		return -1;
	found = PQntuples(res);
	PQclear(res);
	return found == 1 ? 0 : error_set(err, ERR_INTEGRATION_NOT_FOUND,
	    NULL);
}

/* ---------------------------------------------------------------- */
/* Reading a document                                               */


int
integration_parse_spec(const char *text, size_t len, size_t max_len,
    json_object **document, char sha256[65], struct error *err)
{
	json_object *value = NULL;
	size_t i = 0;

	*document = NULL;
	sha256[0] = '\0';
	if (len > max_len) {
		error_set(err, ERR_PAYLOAD_TOO_LARGE, "The OpenAPI document is"
		    " larger than %zu bytes.", max_len);
		return -1;
	}
	crypto_sha256_hex(text, len, sha256);
	while (i < len && isspace((unsigned char)text[i]))
		i++;
	/* JSON first (strict, fast); YAML, a superset, otherwise. */
	if (i < len && (text[i] == '{' || text[i] == '['))
		value = json_parse_exact(text, len, JSONUTIL_MAX_DEPTH);
	if (value == NULL && yaml_parse_json(text, len, &value, err) != 0) {
		char message[256];

		if (err->code == ERR_INTERNAL)
			return -1;
		snprintf(message, sizeof(message), "%s", err->message);
		error_set(err, ERR_INVALID_OPENAPI, "The document is neither"
		    " JSON nor YAML: %s", message);
		return -1;
	}
	if (!json_object_is_type(value, json_type_object)) {
		json_object_put(value);
		return error_set(err, ERR_INVALID_OPENAPI, "The document is"
		    " not a JSON or YAML object.");
	}
	*document = value;
	return 0;
}

int
integration_fetch_spec(const struct outbound_policy *policy, const char *url,
    size_t max_bytes, json_object **document, char sha256[65],
    struct error *err)
{
	static const char *const headers[] = {
		"Accept: application/json, application/yaml, text/yaml;q=0.9,"
		" */*;q=0.1",
		NULL
	};
	struct outbound_policy capped = *policy;
	struct outbound_response res;
	int rc = -1;

	*document = NULL;
	sha256[0] = '\0';
	memset(&res, 0, sizeof(res));
	if (capped.max_bytes > max_bytes)
		capped.max_bytes = max_bytes;
	if (outbound_request(&capped, "GET", url, headers, NULL, 0, &res,
	    err) != 0)
		goto out;
	if (res.status < 200 || res.status > 299) {
		error_set(err, ERR_UPSTREAM_UNAVAILABLE, "The OpenAPI"
		    " document's URL answered HTTP %ld.", res.status);
		error_hint(err, "Check that the URL serves the OpenAPI"
		    " document without a redirect or sign-in.");
		goto out;
	}
	rc = integration_parse_spec(res.body, res.len, capped.max_bytes,
	    document, sha256, err);
out:
	outbound_response_free(&res);
	return rc;
}

/* ---------------------------------------------------------------- */
/* Discovery                                                        */

/*
 * Each operation of the new document ($2, a JSON array as oas_discover
 * makes) beside the stored one with its key, and each stored discovered
 * operation the document no longer has: the key, the stored id, what
 * happens to it (added, manual, unchanged, updated, restored, removed),
 * whether its input schema changes, and the operation from the document.
 */
static const struct db_statement discover_plan = {
	"integration_discover_plan",
	"WITH n AS (SELECT e.op->>'key' AS key, e.op, e.ord"
	"             FROM jsonb_array_elements($2::jsonb)"
	"                  WITH ORDINALITY e(op, ord))"
	"SELECT n.key, o.id,"
	"       CASE WHEN o.id IS NULL THEN 'added'"
	"            WHEN o.source = 'manual' THEN 'manual'"
	"            WHEN o.status = 'removed' THEN 'restored'"
	"            WHEN (o.operation_id, o.method, o.path, o.summary,"
	"                  o.description, o.input_schema, o.parameters,"
	"                  o.body_content_type, o.deprecated)"
	"                 IS NOT DISTINCT FROM"
	"                 (n.op->>'operation_id', n.op->>'method',"
	"                  n.op->>'path', coalesce(n.op->>'summary', ''),"
	"                  coalesce(n.op->>'description', ''),"
	"                  n.op->'input_schema',"
	"                  coalesce(n.op->'parameters', '{}'),"
	"                  n.op->>'body_content_type',"
	"                  coalesce((n.op->>'deprecated')::boolean, false))"
	"            THEN 'unchanged' ELSE 'updated' END,"
	"       o.input_schema IS DISTINCT FROM n.op->'input_schema',"
	"       n.op, n.ord"
	"  FROM n LEFT JOIN operations o"
	"    ON o.app_id = $3 AND o.integration_id = $1 AND o.key = n.key"
	" UNION ALL"
	" SELECT o.key, o.id, 'removed', false, NULL, NULL"
	"   FROM operations o"
	"  WHERE o.app_id = $3 AND o.integration_id = $1"
	"    AND o.source = 'discovered' AND o.status = 'active'"
	"    AND NOT EXISTS (SELECT 1 FROM n WHERE n.key = o.key)"
	" ORDER BY 6 NULLS LAST, 1"
};
enum { PLAN_KEY, PLAN_ID, PLAN_ACTION, PLAN_SCHEMA_CHANGED, PLAN_OP };

static const struct db_statement operation_insert_discovered = {
	"integration_operation_insert_discovered",
	"INSERT INTO operations (integration_id, app_id, key, operation_id,"
	"       method, path, summary, description, input_schema, parameters,"
	"       body_content_type, deprecated, source)"
	" SELECT $1, $2, j->>'key', j->>'operation_id', j->>'method',"
	"        j->>'path', coalesce(j->>'summary', ''),"
	"        coalesce(j->>'description', ''), j->'input_schema',"
	"        coalesce(j->'parameters', '{}'), j->>'body_content_type',"
	"        coalesce((j->>'deprecated')::boolean, false), 'discovered'"
	"   FROM (SELECT $3::jsonb AS j) x"
};

static const struct db_statement operation_rewrite_discovered = {
	"integration_operation_rewrite_discovered",
	"UPDATE operations SET operation_id = j->>'operation_id',"
	"       method = j->>'method', path = j->>'path',"
	"       summary = coalesce(j->>'summary', ''),"
	"       description = coalesce(j->>'description', ''),"
	"       input_schema = j->'input_schema',"
	"       parameters = coalesce(j->'parameters', '{}'),"
	"       body_content_type = j->>'body_content_type',"
	"       deprecated = coalesce((j->>'deprecated')::boolean, false),"
	"       status = 'active', removed_at = NULL, updated_at = now()"
	"  FROM (SELECT $3::jsonb AS j) x"
	" WHERE app_id = $1 AND id = $2"
};

static const struct db_statement operation_mark_removed = {
	"integration_operation_mark_removed",
	"UPDATE operations SET status = 'removed', removed_at = now(),"
	"       updated_at = now()"
	" WHERE app_id = $1 AND id = $2"
};

/*
 * The tools that use operation $2 and do not simply follow it: a
 * binding of their own, an input schema that is not the operation's,
 * or the operation as a chain step.  The tools that follow it are
 * updated by tools_follow.
 */
static const struct db_statement tools_not_following = {
	"integration_tools_not_following",
	"SELECT t.id, t.name,"
	"       CASE WHEN t.operation_id IS DISTINCT FROM o.id"
	"            THEN 'chain_step_uses_operation'"
	"            WHEN t.binding IS NOT NULL THEN 'binding_overridden'"
	"            ELSE 'input_schema_edited' END"
	"  FROM operations o JOIN tools t ON t.app_id = o.app_id"
	" WHERE o.app_id = $1 AND o.id = $2"
	"   AND ((t.operation_id = o.id AND (t.binding IS NOT NULL"
	"         OR t.input_schema <> o.input_schema))"
	"     OR EXISTS (SELECT 1"
	"         FROM jsonb_array_elements(coalesce(t.chain, '[]')) s(step)"
	"        WHERE s.step->>'operation_id' = o.id::text))"
	" ORDER BY t.name"
};

/* Give the tools derived from operation $2 its new input schema $3. */
static const struct db_statement tools_follow = {
	"integration_tools_follow",
	"UPDATE tools t SET input_schema = $3::jsonb, updated_at = now()"
	"  FROM operations o"
	" WHERE o.app_id = $1 AND o.id = $2 AND t.app_id = o.app_id"
	"   AND t.operation_id = o.id AND t.binding IS NULL"
	"   AND t.input_schema = o.input_schema"
	"   AND t.input_schema <> $3::jsonb"
	" RETURNING t.id"
};

/* The tools that use operation $2 at all, for a removed operation. */
static const struct db_statement tools_of_operation = {
	"integration_tools_of_operation",
	"SELECT t.id, t.name FROM tools t"
	" WHERE t.app_id = $1 AND (t.operation_id = $2 OR EXISTS (SELECT 1"
	"        FROM jsonb_array_elements(coalesce(t.chain, '[]')) s(step)"
	"       WHERE s.step->>'operation_id' = $2::text))"
	" ORDER BY t.name"
};

/* Add {tool_id, name, operation_key, reason} to list.  Can't fail. */
static void
attention_add(json_object *list, const char *tool_id, const char *name,
    const char *key, const char *reason)
{
	json_object *entry = json_object_new_object();

	json_put_string(entry, "tool_id", tool_id);
	json_put_string(entry, "name", name);
	json_put_string(entry, "operation_key", key);
	json_put_string(entry, "reason", reason);
	json_object_array_add(list, entry);
}

/*
 * Before operation_id (key) takes new_schema: update the tools that
 * follow it and list those that do not.  Returns 0, or -1 and err.
 */
static int
tools_follow_schema(const char *app_id, const char *operation_id,
    const char *key, const char *new_schema, json_object *updated,
    json_object *attention, struct error *err)
{
	const char *params[] = { app_id, operation_id, new_schema };
	PGresult *res;
	int i;

	if (db_exec(&tools_not_following, 2, params, &res, err) != 0)
		return -1;
	for (i = 0; i < PQntuples(res); i++)
		attention_add(attention, db_value(res, i, 0),
		    db_value(res, i, 1), key, db_value(res, i, 2));
	PQclear(res);
	if (db_exec(&tools_follow, 3, params, &res, err) != 0)
		return -1;
	for (i = 0; i < PQntuples(res); i++)
		json_object_array_add(updated,
		    json_object_new_string(db_value(res, i, 0)));
	PQclear(res);
	return 0;
}

/* List the tools that use a removed operation.  Returns 0, or -1. */
static int
tools_of_removed(const char *app_id, const char *operation_id,
    const char *key, json_object *attention, struct error *err)
{
	const char *params[] = { app_id, operation_id };
	PGresult *res;
	int i;

	if (db_exec(&tools_of_operation, 2, params, &res, err) != 0)
		return -1;
	for (i = 0; i < PQntuples(res); i++)
		attention_add(attention, db_value(res, i, 0),
		    db_value(res, i, 1), key, "operation_removed");
	PQclear(res);
	return 0;
}

static const struct db_statement integration_discovered = {
	"integration_discovered",
	"UPDATE integrations SET spec_url = $3, spec_title = $4,"
	"       spec_version = $5, spec_sha256 = $6, base_url = $7,"
	"       status = $8, discovered_at = now(), discovery_error = NULL,"
	"       updated_at = now()"
	" WHERE app_id = $1 AND id = $2"
};

/* The parts of a discovery report, each a new array but unchanged. */
struct report_lists {
	json_object *added, *updated, *removed, *restored;
	json_object *tools_updated, *attention, *warnings;
	long long unchanged;
};

/*
 * Apply one row of discover_plan to the operations and their tools,
 * recording it in lists.  Returns 0 with *changed set when something was
 * written, or -1 and err.
 */
static int
discover_apply(const char *app_id, const char *integration_id,
    const PGresult *plan, int row, struct report_lists *l, bool *changed,
    struct error *err)
{
	const char *key = db_value(plan, row, PLAN_KEY);
	const char *id = db_value(plan, row, PLAN_ID);
	const char *action = db_value(plan, row, PLAN_ACTION);
	const char *op = db_value(plan, row, PLAN_OP);
	json_object *doc_op, *schema;
	char message[512];
	int rc;

	if (strcmp(action, "unchanged") == 0) {
		l->unchanged++;
		return 0;
	}
	if (strcmp(action, "manual") == 0) {
		json_object *warning = json_object_new_object();

		snprintf(message, sizeof(message), "Operation '%s' was written"
		    " by hand; discovery leaves it as it is.", key);
		json_put_string(warning, "pointer", "");
		json_put_string(warning, "message", message);
		json_object_array_add(l->warnings, warning);
		return 0;
	}
	*changed = true;
	if (strcmp(action, "removed") == 0) {
		const char *params[] = { app_id, id };

		json_object_array_add(l->removed, json_object_new_string(key));
		if (db_exec(&operation_mark_removed, 2, params, NULL, err) != 0)
			return -1;
		return tools_of_removed(app_id, id, key, l->attention, err);
	}
	if (strcmp(action, "added") == 0) {
		const char *params[] = { integration_id, app_id, op };

		json_object_array_add(l->added, json_object_new_string(key));
		return db_exec(&operation_insert_discovered, 3, params, NULL,
		    err);
	}
	/* updated or restored */
	json_object_array_add(strcmp(action, "restored") == 0 ? l->restored :
	    l->updated, json_object_new_string(key));
	if (db_bool(plan, row, PLAN_SCHEMA_CHANGED)) {
		doc_op = json_from_db(op);
		schema = json_get_object(doc_op, "input_schema");
		rc = schema == NULL ? error_set(err, ERR_INTERNAL,
		    "discovered operation without an input schema") :
		    tools_follow_schema(app_id, id, key, json_text(schema),
		    l->tools_updated, l->attention, err);
		json_object_put(doc_op);
		if (rc != 0)
			return -1;
	}
	{
		const char *params[] = { app_id, id, op };

		return db_exec(&operation_rewrite_discovered, 3, params, NULL,
		    err);
	}
}

/* Release the lists of l.  Can't fail. */
static void
report_lists_free(struct report_lists *l)
{
	json_object_put(l->added);
	json_object_put(l->updated);
	json_object_put(l->removed);
	json_object_put(l->restored);
	json_object_put(l->tools_updated);
	json_object_put(l->attention);
	json_object_put(l->warnings);
	memset(l, 0, sizeof(*l));
}

/*
 * The values integration_discovered writes and whether any differs
 * from the locked row: params[2..7].
 */
static bool
discovered_values(const PGresult *row, const struct oas_info *info,
    const char *spec_url, const char *sha256, const char **params)
{
	const char *base_url = db_value(row, 0, 1);
	const char *status = db_value(row, 0, 2);

	/* servers[0].url fills a missing base URL when it is absolute. */
	if (base_url == NULL && info->server_url[0] != '\0' &&
	    valid_is_http_url(info->server_url))
		base_url = info->server_url;
	if (strcmp(status, "error") == 0)
		status = "active";
	params[2] = spec_url;
	params[3] = info->title;
	params[4] = info->version;
	params[5] = sha256;
	params[6] = base_url;
	params[7] = status;
	return !same_text(base_url, db_value(row, 0, 1)) ||
	    !same_text(status, db_value(row, 0, 2)) ||
	    !same_text(spec_url, db_value(row, 0, 3)) ||
	    !same_text(info->title, db_value(row, 0, 4)) ||
	    !same_text(info->version, db_value(row, 0, 5)) ||
	    !same_text(sha256, db_value(row, 0, 6));
}

/*
 * Match operations (found in a document or a catalog) against the
 * locked row's stored ones and write the differences, then the row's
 * discovery values (discovered_values()).  Takes warnings.  Returns 0
 * with a new *report and *changed, or -1 and err.
 */
static int
discover_write(const char *app_id, const char *integration_id,
    const PGresult *row, json_object *operations, json_object *warnings,
    const struct oas_info *info, const char *spec_url, const char *sha256,
    json_object **report, bool *changed, struct error *err)
{
	const char *params[8] = { app_id, integration_id };
	const char *plan_params[] = { integration_id, json_text(operations),
	    app_id };
	struct report_lists l;
	PGresult *plan = NULL;
	int i, rc = -1;

	memset(&l, 0, sizeof(l));
	l.added = json_object_new_array();
	l.updated = json_object_new_array();
	l.removed = json_object_new_array();
	l.restored = json_object_new_array();
	l.tools_updated = json_object_new_array();
	l.attention = json_object_new_array();
	l.warnings = warnings != NULL ? warnings : json_object_new_array();
	if (db_exec(&discover_plan, 3, plan_params, &plan, err) != 0)
		goto out;
	for (i = 0; i < PQntuples(plan); i++)
		if (discover_apply(app_id, integration_id, plan, i, &l, changed,
		    err) != 0)
			goto out;
	if (discovered_values(row, info, spec_url, sha256, params))
		*changed = true;
	if (*changed && db_exec(&integration_discovered, 8, params, NULL,
	    err) != 0)
		goto out;

	*report = json_object_new_object();
	json_object_object_add(*report, "added", l.added);
	json_object_object_add(*report, "updated", l.updated);
	json_put_int(*report, "unchanged", l.unchanged);
	json_object_object_add(*report, "removed", l.removed);
	json_object_object_add(*report, "restored", l.restored);
	json_object_object_add(*report, "tools_updated", l.tools_updated);
	json_object_object_add(*report, "tools_needing_attention",
	    l.attention);
	json_object_object_add(*report, "warnings", l.warnings);
	memset(&l, 0, sizeof(l));   /* the report owns them now */
	rc = 0;
out:
	report_lists_free(&l);
	PQclear(plan);
	return rc;
}

int
integration_discover(const char *app_id, const char *integration_id,
    json_object *document, const char *spec_url, const char *spec_sha256,
    json_object **report, bool *changed, struct error *err)
{
	struct oas_info info;
	json_object *operations = NULL, *warnings = NULL;
	PGresult *row = NULL;
	char sha256[CRYPTO_SHA256_HEX_LEN + 1];
	int rc = -1;

	*report = NULL;
	*changed = false;
	if (integration_lock_row(app_id, integration_id, &row, err) != 0)
		goto out;
	if (db_value(row, 0, 7) != NULL) {
		invalid(err, "spec", "An attached integration takes its"
		    " operations from its workspace integration's catalog",
		    "conflict");
		goto out;
	}
	if (strcmp(db_value(row, 0, 0), "openapi") != 0) {
		error_set(err, ERR_VALIDATION, "Only openapi integrations"
		    " discover operations.");
		error_add_detail(err, "body", "kind", "Operations are"
		    " discovered for kind 'openapi' only", "kind_mismatch");
		goto out;
	}
	if (oas_discover(document, &operations, &warnings, &info, err) != 0) {
		if (err->code == ERR_VALIDATION)
			err->code = ERR_INVALID_OPENAPI;
		goto out;
	}
	if (spec_sha256 == NULL) {
		const char *text = json_object_to_json_string_ext(document,
		    JSON_C_TO_STRING_PLAIN);

		crypto_sha256_hex(text, strlen(text), sha256);
		spec_sha256 = sha256;
	}
	rc = discover_write(app_id, integration_id, row, operations, warnings,
	    &info, spec_url, spec_sha256, report, changed, err);
	warnings = NULL;	/* discover_write took them */
out:
	PQclear(row);
	json_object_put(operations);
	json_object_put(warnings);
	return rc;
}

static const struct db_statement attached_catalog = {
	"integration_attached_catalog",
	"SELECT w.name, w.catalog FROM workspace_integrations w"
	" WHERE w.id = $1"
};

int
integration_import_catalog(const char *app_id, const char *integration_id,
    json_object **report, bool *changed, struct error *err)
{
	struct oas_info info;
	json_object *catalog = NULL;
	PGresult *row = NULL, *source = NULL;
	const char *params[1], *text, *name;
	char sha256[CRYPTO_SHA256_HEX_LEN + 1];
	int rc = -1;

	*report = NULL;
	*changed = false;
	memset(&info, 0, sizeof(info));
	if (integration_lock_row(app_id, integration_id, &row, err) != 0)
		goto out;
	if ((params[0] = db_value(row, 0, 7)) == NULL) {
		invalid(err, "rediscover", "The integration is not attached to"
		    " a workspace integration", "not_attached");
		goto out;
	}
	if (db_exec(&attached_catalog, 1, params, &source, err) != 0)
		goto out;
	if (PQntuples(source) != 1) {
		error_set(err, ERR_INTEGRATION_NOT_FOUND, NULL);
		goto out;
	}
	text = db_value(source, 0, 1);
	if ((catalog = json_parse_exact(text, strlen(text),
	    JSONUTIL_MAX_DEPTH)) == NULL) {
		error_set(err, ERR_INTERNAL, "A stored catalog is not JSON.");
		goto out;
	}
	name = db_value(source, 0, 0);
	memcpy(info.title, name, utf8_prefix(name, strlen(name),
	    sizeof(info.title) - 1));
	crypto_sha256_hex(text, strlen(text), sha256);
	rc = discover_write(app_id, integration_id, row, catalog, NULL, &info,
	    NULL, sha256, report, changed, err);
out:
	PQclear(row);
	PQclear(source);
	json_object_put(catalog);
	return rc;
}

/* ---------------------------------------------------------------- */
/* Operations written by hand                                       */

static const char *const http_methods[] = {
	"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", NULL
};
static const char *const parameter_places[] = {
	"path", "query", "header", "body", NULL
};

/* An operation as it will be stored, for checking it whole. */
struct operation_value {
	const char *key;
	const char *operation_id;
	const char *method;
	const char *path;
	const char *summary;
	const char *description;
	json_object *input_schema;   /* borrowed */
	json_object *parameters;     /* borrowed */
	const char *body_content_type;
	bool deprecated;
};

/*
 * Does a parameter's place have only the members a binding may have:
 * in, name, style (a string) and explode (a boolean)?  Can't fail.
 */
static bool
parameter_members_ok(json_object *where)
{
	json_object_object_foreach(where, key, value) {
		if (strcmp(key, "in") == 0 || strcmp(key, "name") == 0)
			continue;
		if (strcmp(key, "style") == 0 &&
		    json_object_is_type(value, json_type_string))
			continue;
		if (strcmp(key, "explode") == 0 &&
		    json_object_is_type(value, json_type_boolean))
			continue;
		return false;
	}
	return true;
}

/*
 * Check that every {variable} of path is bound by a parameter
 * {in: "path", name: variable}.  Adds a detail per unbound one; returns
 * whether all are.
 */
static bool
path_variables_bound(const char *path, json_object *parameters,
    struct error *err)
{
	const char *p = path, *open, *close;
	char name[256], msg[384];
	bool ok = true;

	while ((open = strchr(p, '{')) != NULL) {
		bool found = false;
		size_t len;

		close = strchr(open, '}');
		if (close == NULL || close == open + 1 ||
		    (len = (size_t)(close - open - 1)) >= sizeof(name)) {
			error_add_detail(err, "body", "path", "A path variable"
			    " is written {name}", "path_template");
			return false;
		}
		memcpy(name, open + 1, len);
		name[len] = '\0';
		json_object_object_foreach(parameters, property, where) {
			(void)property;
			if (same_text(json_get_string(where, "in"), "path") &&
			    same_text(json_get_string(where, "name"), name))
				found = true;
		}
		if (!found) {
			snprintf(msg, sizeof(msg), "Path variable {%s} is not"
			    " bound by a parameter with in 'path'", name);
			error_add_detail(err, "body", "parameters", msg,
			    "path_parameter_unbound");
			ok = false;
		}
		p = close + 1;
	}
	return ok;
}

/* Does path (may be NULL) have the variable {name}?  Can't fail. */
static bool
path_has_variable(const char *path, const char *name)
{
	const char *p = path;
	size_t len = strlen(name);

	while (p != NULL && (p = strchr(p, '{')) != NULL) {
		if (strncmp(p + 1, name, len) == 0 && p[len + 1] == '}')
			return true;
		p++;
	}
	return false;
}

/*
 * Check an operation as a whole: method and path both or neither, the
 * path a template starting with '/', the input schema a JSON Schema of
 * type object, and each parameter {in, name} naming a property of the
 * input schema, the path's variables all bound.  Returns 0, or -1 and
 * err (ERR_VALIDATION with a detail per problem).
 */
static int
operation_value_check(const struct operation_value *v, struct error *err)
{
	json_object *details, *properties, *type;
	char msg[384];
	bool ok = true;

	error_clear(err);
	if (v->key == NULL || v->key[0] == '\0' || strlen(v->key) > 1020) {
		error_add_detail(err, "body", "key", "A key is 1 to 255"
		    " characters", "string_too_long");
		ok = false;
	}
	if ((v->method == NULL) != (v->path == NULL)) {
		error_add_detail(err, "body", v->method == NULL ? "method" :
		    "path", "Give method and path together, or neither",
		    "missing");
		ok = false;
	}
	if (v->method != NULL && !one_of(v->method, http_methods)) {
		error_add_detail(err, "body", "method", "Input should be an"
		    " HTTP method in capitals", "enum");
		ok = false;
	}
	if (v->path != NULL && (v->path[0] != '/' ||
	    strlen(v->path) > 2048)) {
		error_add_detail(err, "body", "path", "A path starts with '/'"
		    " and is at most 2048 characters", "path_template");
		ok = false;
	}
	type = NULL;
	if (v->input_schema == NULL ||
	    !json_object_object_get_ex(v->input_schema, "type", &type) ||
	    !same_text(json_object_get_string(type), "object") ||
	    !json_object_is_type(type, json_type_string)) {
		error_add_detail(err, "body", "input_schema", "The input"
		    " schema is a JSON Schema of type 'object'",
		    "input_schema_invalid");
		ok = false;
	}
	properties = json_get_object(v->input_schema, "properties");
	if (v->input_schema != NULL && properties == NULL &&
	    json_object_object_get_ex(v->input_schema, "properties", NULL)) {
		error_add_detail(err, "body", "input_schema", "properties is"
		    " an object", "input_schema_invalid");
		ok = false;
	}
	json_object_object_foreach(v->parameters, property, where) {
		const char *in = json_get_string(where, "in");
		const char *name = json_get_string(where, "name");

		if (!json_object_is_type(where, json_type_object) ||
		    in == NULL || !one_of(in, parameter_places) ||
		    (strcmp(in, "body") != 0 && (name == NULL ||
		    name[0] == '\0'))) {
			snprintf(msg, sizeof(msg), "Parameter '%.200s' is"
			    " {in: path|query|header|body, name}", property);
			error_add_detail(err, "body", "parameters", msg,
			    "binding_location_invalid");
			ok = false;
		} else if (!parameter_members_ok(where)) {
			snprintf(msg, sizeof(msg), "Parameter '%.200s' has only"
			    " in, name, style (a string) and explode (a"
			    " boolean)", property);
			error_add_detail(err, "body", "parameters", msg,
			    "binding_location_invalid");
			ok = false;
		} else if (properties == NULL ||
		    !json_object_object_get_ex(properties, property, NULL)) {
			snprintf(msg, sizeof(msg), "Parameter '%.200s' is not"
			    " a property of the input schema", property);
			error_add_detail(err, "body", "parameters", msg,
			    "binding_unknown_property");
			ok = false;
		} else if (strcmp(in, "path") == 0 &&
		    !path_has_variable(v->path, name)) {
			snprintf(msg, sizeof(msg), "Parameter '%.200s' goes"
			    " into the path, which has no {%.100s}", property,
			    name);
			error_add_detail(err, "body", "parameters", msg,
			    "path_parameter_unknown");
			ok = false;
		}
	}
	if (v->path != NULL && v->path[0] == '/' &&
	    !path_variables_bound(v->path, v->parameters, err))
		ok = false;
	if (v->method == NULL && v->body_content_type != NULL) {
		error_add_detail(err, "body", "body_content_type", "Only an"
		    " operation with a method has a body", "missing");
		ok = false;
	}
	if (ok)
		return 0;
	details = err->details;   /* error_set would drop them */
	err->details = NULL;
	error_set(err, ERR_VALIDATION, NULL);
	err->details = details;
	return -1;
}

static const struct db_statement operation_insert_manual = {
	"integration_operation_insert_manual",
	"INSERT INTO operations (integration_id, app_id, key, operation_id,"
	"       method, path, summary, description, input_schema, parameters,"
	"       body_content_type, deprecated, source)"
	" VALUES ($1, $2, $3, $4, $5, $6, coalesce($7, ''), coalesce($8, ''),"
	"         $9::jsonb, $10::jsonb, $11, $12::boolean, 'manual')"
	" RETURNING id"
};

int
integration_operation_create(const char *app_id, const char *integration_id,
    const struct operation_fields *f, char id[AUTH_UUID_LEN + 1],
    struct error *err)
{
	json_object *empty = json_object_new_object();
	struct operation_value v = {
		.key = f->key,
		.operation_id = f->clear_operation_id ? NULL : f->operation_id,
		.method = f->clear_method_path ? NULL : f->method,
		.path = f->clear_method_path ? NULL : f->path,
		.summary = f->summary,
		.description = f->description,
		.input_schema = f->input_schema,
		.parameters = f->parameters != NULL ? f->parameters : empty,
		.body_content_type = f->clear_body_content_type ? NULL :
		    f->body_content_type,
		.deprecated = f->deprecated == 1,
	};
	PGresult *res = NULL;
	int rc = -1;

	id[0] = '\0';
	if (integration_lock_row(app_id, integration_id, &res, err) != 0)
		goto out;
	PQclear(res);
	res = NULL;
	if (operation_value_check(&v, err) != 0)
		goto out;
	{
		const char *params[] = { integration_id, app_id, v.key,
		    v.operation_id, v.method, v.path, v.summary,
		    v.description, json_text(v.input_schema),
		    json_text(v.parameters), v.body_content_type,
		    v.deprecated ? "true" : "false" };

		if (db_exec(&operation_insert_manual, 12, params, &res,
		    err) != 0) {
			name_taken(err, "key", "The operation key", v.key);
			goto out;
		}
	}
	snprintf(id, AUTH_UUID_LEN + 1, "%s", db_value(res, 0, 0));
	rc = 0;
out:
	PQclear(res);
	json_object_put(empty);
	return rc;
}

static const struct db_statement operation_lock = {
	"integration_operation_lock",
	"SELECT key, operation_id, method, path, summary, description,"
	"       input_schema, parameters, body_content_type, deprecated,"
	"       source"
	"  FROM operations WHERE app_id = $1 AND id = $2 FOR UPDATE"
};

static const struct db_statement operation_change = {
	"integration_operation_change",
	"UPDATE operations SET key = $3, operation_id = $4, method = $5,"
	"       path = $6, summary = $7, description = $8,"
	"       input_schema = $9::jsonb, parameters = $10::jsonb,"
	"       body_content_type = $11, deprecated = $12::boolean,"
	"       updated_at = now()"
	" WHERE app_id = $1 AND id = $2"
	"   AND (key, operation_id, method, path, summary, description,"
	"        input_schema, parameters, body_content_type, deprecated)"
	"       IS DISTINCT FROM"
	"       ($3, $4, $5, $6, $7, $8, $9::jsonb, $10::jsonb, $11,"
	"        $12::boolean)"
	" RETURNING id"
};

/*
 * Refuse, for a discovered operation, every field but summary and
 * description.  Returns 0, or -1 and err (ERR_VALIDATION).
 */
static int
discovered_fields_check(const struct operation_fields *f, struct error *err)
{
	static const char msg[] = "A discovered operation takes this from"
	    " its OpenAPI document";
	json_object *details;
	bool ok = true;

#define REFUSE(cond, field) do {                                          \
	if (cond) {                                                       \
		error_add_detail(err, "body", field, msg,                 \
		    "discovered_read_only");                              \
		ok = false;                                               \
	}                                                                 \
} while (0)
	error_clear(err);
	REFUSE(f->key != NULL, "key");
	REFUSE(f->operation_id != NULL || f->clear_operation_id,
	    "operation_id");
	REFUSE(f->method != NULL || f->clear_method_path, "method");
	REFUSE(f->path != NULL, "path");
	REFUSE(f->input_schema != NULL, "input_schema");
	REFUSE(f->parameters != NULL, "parameters");
	REFUSE(f->body_content_type != NULL || f->clear_body_content_type,
	    "body_content_type");
	REFUSE(f->deprecated != -1, "deprecated");
#undef REFUSE
	if (ok)
		return 0;
	details = err->details;
	err->details = NULL;
	error_set(err, ERR_VALIDATION, "Only the summary and description of"
	    " a discovered operation can be changed.");
	error_hint(err, "Change the OpenAPI document and discover again, or"
	    " write a manual operation.");
	err->details = details;
	return -1;
}

int
integration_operation_update(const char *app_id, const char *operation_id,
    const struct operation_fields *f, bool *changed, struct error *err)
{
	const char *params[] = { app_id, operation_id };
	json_object *schema = NULL, *parameters = NULL;
	struct operation_value v;
	PGresult *row = NULL, *res = NULL;
	int rc = -1;

	*changed = false;
	if (db_exec(&operation_lock, 2, params, &row, err) != 0)
		goto out;
	if (PQntuples(row) != 1) {
		error_set(err, ERR_OPERATION_NOT_FOUND, NULL);
		goto out;
	}
	if (strcmp(db_value(row, 0, 10), "discovered") == 0 &&
	    discovered_fields_check(f, err) != 0)
		goto out;
	schema = json_from_db(db_value(row, 0, 6));
	parameters = json_from_db(db_value(row, 0, 7));
	v.key = f->key != NULL ? f->key : db_value(row, 0, 0);
	v.operation_id = f->clear_operation_id ? NULL : f->operation_id !=
	    NULL ? f->operation_id : db_value(row, 0, 1);
	v.method = f->clear_method_path ? NULL : f->method != NULL ?
	    f->method : db_value(row, 0, 2);
	v.path = f->clear_method_path ? NULL : f->path != NULL ? f->path :
	    db_value(row, 0, 3);
	v.summary = f->summary != NULL ? f->summary : db_value(row, 0, 4);
	v.description = f->description != NULL ? f->description :
	    db_value(row, 0, 5);
	v.input_schema = f->input_schema != NULL ? f->input_schema : schema;
	v.parameters = f->parameters != NULL ? f->parameters : parameters;
	v.body_content_type = f->clear_body_content_type ? NULL :
	    f->body_content_type != NULL ? f->body_content_type :
	    db_value(row, 0, 8);
	v.deprecated = f->deprecated == -1 ? db_bool(row, 0, 9) :
	    f->deprecated == 1;
	if (operation_value_check(&v, err) != 0)
		goto out;
	if (f->input_schema != NULL) {
		/* Tools derived from the operation follow its schema. */
		json_object *updated = json_object_new_array();
		json_object *attention = json_object_new_array();
		int followed = tools_follow_schema(app_id, operation_id, v.key,
		    json_text(v.input_schema), updated, attention, err);

		json_object_put(updated);
		json_object_put(attention);
		if (followed != 0)
			goto out;
	}
	{
		const char *change[] = { app_id, operation_id, v.key,
		    v.operation_id, v.method, v.path, v.summary,
		    v.description, json_text(v.input_schema),
		    json_text(v.parameters), v.body_content_type,
		    v.deprecated ? "true" : "false" };

		if (db_exec(&operation_change, 12, change, &res, err) != 0) {
			name_taken(err, "key", "The operation key", v.key);
			goto out;
		}
	}
	*changed = PQntuples(res) == 1;
	rc = 0;
out:
	PQclear(row);
	PQclear(res);
	json_object_put(schema);
	json_object_put(parameters);
	return rc;
}

static const struct db_statement operation_remove = {
	"integration_operation_remove",
	"DELETE FROM operations WHERE app_id = $1 AND id = $2 RETURNING id"
};

int
integration_operation_delete(const char *app_id, const char *operation_id,
    struct error *err)
{
	const char *params[] = { app_id, operation_id };
	PGresult *res;
	int found;

	if (db_exec(&operation_lock, 2, params, &res, err) != 0)
		return -1;
	found = PQntuples(res);
	PQclear(res);
	if (found != 1)
		return error_set(err, ERR_OPERATION_NOT_FOUND, NULL);
	if (check_unused(app_id, NULL, operation_id, err) != 0)
		return -1;
	if (db_exec(&operation_remove, 2, params, NULL, err) != 0)
		return -1;
	return 0;
}

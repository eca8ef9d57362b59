/*
 * api_v3.c: the management API v3 under /api/v3, intent level: inspect
 * apps, their drafts and releases, integrations and discovered
 * operations; make tools from operations (the bindings are derived, never
 * managed); validate and preview the draft; publish releases; see the
 * tool calls agents made.  Also answers /api/v2, which is gone.
 *
 * A route table plus handlers over lib/appstore, lib/appconfig and
 * lib/release, which v1 shares, so both APIs see one model.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>

#include "drio.h"

/* Check the caller may read (min ROLE_NORMAL) or write the app. */
static int
app_access(struct request *req, enum role minimum, struct app_access *access,
    struct error *err)
{
	return access_app(req->identity.account_id,
	    http_path_param(req, "app_id"), minimum, access, err);
}

/* Reply with a list envelope. */
static int
reply_page(struct request *req, json_object *data, long long page,
    long long limit, long long total)
{
	return http_reply_json(req, 200, page_envelope(data, page, limit,
	    total));
}

/* Reply with body and the draft's revision as ETag. */
static int
reply_with_etag(struct request *req, int status, json_object *body,
    long long revision, struct error *err)
{
	if (draft_etag(req, revision, err) != 0) {
		json_object_put(body);
		return -1;
	}
	return http_reply_json(req, status, body);
}

/* ---------------------------------------------------------------- */
/* The caller                                                       */

static int
me_get(struct request *req, struct error *err)
{
	json_object *body;

	if (access_me(&req->identity, &body, err) != 0)
		return -1;
	json_put_string(body, "api_version", "v3");
	return http_reply_json(req, 200, body);
}

/* ---------------------------------------------------------------- */
/* Apps                                                             */

static const char *const app_modes[] = {
	"advanced-chat", "agent", "agent-chat", "channel", "chat",
	"completion", "rag-pipeline", "workflow", NULL
};

static const struct valid_field apps_query[] = {
	PAGE_QUERY_FIELDS(20),
	{ .name = "workspace_id", .type = VALID_UUID },
	{ .name = "name", .type = VALID_STRING, .min = 1, .max = 255 },
	{ .name = "mode", .type = VALID_ENUM, .choices = app_modes },
	{ .name = "tag", .type = VALID_STRING, .min = 1, .max = 64 },
};
enum { APPS_PAGE, APPS_LIMIT, APPS_WORKSPACE, APPS_NAME, APPS_MODE,
    APPS_TAG };

static int
apps_list(struct request *req, struct error *err)
{
	const struct valid_value *q = req->query_values;
	struct app_filter filter = {
		.account_id = req->identity.account_id,
		.workspace_id = q[APPS_WORKSPACE].str,
		.name = q[APPS_NAME].str,
		.mode = q[APPS_MODE].str,
		.tag = q[APPS_TAG].str,
		.page = q[APPS_PAGE].integer,
		.limit = q[APPS_LIMIT].integer,
	};
	json_object *list;
	long long total;

	if (filter.workspace_id != NULL &&
	    access_workspace(req->identity.account_id, filter.workspace_id,
	    ROLE_NORMAL, NULL, err) != 0)
		return -1;
	if (appstore_apps_list(&filter, &list, &total, err) != 0)
		return -1;
	return reply_page(req, list, filter.page, filter.limit, total);
}

static int
app_get(struct request *req, struct error *err)
{
	struct app_access access;
	json_object *app;

	if (app_access(req, ROLE_NORMAL, &access, err) != 0 ||
	    appstore_app_get(access.app_id, &app, err) != 0)
		return -1;
	return reply_with_etag(req, 200, app, json_object_get_int64(
	    json_object_object_get(json_get_object(app, "draft"), "revision")),
	    err);
}

static int
authoring_state_get(struct request *req, struct error *err)
{
	struct app_access access;
	json_object *state;

	if (app_access(req, ROLE_NORMAL, &access, err) != 0 ||
	    appstore_authoring_state(access.app_id, &state, err) != 0)
		return -1;
	return reply_with_etag(req, 200, state, json_object_get_int64(
	    json_object_object_get(json_get_object(state, "draft"),
	    "revision")), err);
}

/* ---------------------------------------------------------------- */
/* Integrations and operations                                      */

static const struct valid_field integrations_query[] = {
	PAGE_QUERY_FIELDS(50),
};
enum { INTEGRATIONS_PAGE, INTEGRATIONS_LIMIT };

static int
integrations_list(struct request *req, struct error *err)
{
	long long page = req->query_values[INTEGRATIONS_PAGE].integer;
	long long limit = req->query_values[INTEGRATIONS_LIMIT].integer;
	struct app_access access;
	json_object *list;
	long long total;

	if (app_access(req, ROLE_NORMAL, &access, err) != 0 ||
	    appstore_integrations_page(access.app_id, page, limit, &list,
	    &total, err) != 0)
		return -1;
	return reply_page(req, list, page, limit, total);
}

static const char *const operation_statuses[] = {
	"active", "removed", "all", NULL
};
static const struct valid_field operations_query[] = {
	PAGE_QUERY_FIELDS(50),
	{ .name = "status", .type = VALID_ENUM, .choices = operation_statuses },
	{ .name = "q", .type = VALID_STRING, .min = 1, .max = 255 },
};
enum { OPS_PAGE, OPS_LIMIT, OPS_STATUS, OPS_Q };

static int
operations_list(struct request *req, struct error *err)
{
	const struct valid_value *q = req->query_values;
	struct operation_filter filter = {
		.integration_id = http_path_param(req, "integration_id"),
		.status = q[OPS_STATUS].str != NULL ? q[OPS_STATUS].str :
		    "active",
		.query = q[OPS_Q].str,
		.page = q[OPS_PAGE].integer,
		.limit = q[OPS_LIMIT].integer,
	};
	struct app_access access;
	json_object *list;
	long long total;

	if (app_access(req, ROLE_NORMAL, &access, err) != 0)
		return -1;
	filter.app_id = access.app_id;
	if (strcmp(filter.status, "all") == 0)
		filter.status = NULL;
	if (appstore_operations_list(&filter, &list, &total, err) != 0)
		return -1;
	return reply_page(req, list, filter.page, filter.limit, total);
}

/* ---------------------------------------------------------------- */
/* Tools                                                            */

static const struct valid_field tools_query[] = {
	PAGE_QUERY_FIELDS(100),
};
enum { TOOLS_PAGE, TOOLS_LIMIT };

static int
tools_list(struct request *req, struct error *err)
{
	long long page = req->query_values[TOOLS_PAGE].integer;
	long long limit = req->query_values[TOOLS_LIMIT].integer;
	struct app_access access;
	json_object *list;
	long long total;

	if (app_access(req, ROLE_NORMAL, &access, err) != 0 ||
	    appstore_tools_list(access.app_id, page, limit, &list, &total,
	    err) != 0)
		return -1;
	return reply_page(req, list, page, limit, total);
}

static const struct valid_field tool_create_body[] = {
	{ .name = "operation_id", .type = VALID_UUID, .required = true },
	{ .name = "name", .type = VALID_STRING, .min = 1, .max = 64 },
	{ .name = "title", .type = VALID_STRING, .max = 255 },
	{ .name = "description", .type = VALID_STRING, .max = 8000 },
	{ .name = "annotations", .type = VALID_OBJECT },
	{ .name = "enabled", .type = VALID_BOOL },
	{ .name = "draft_revision", .type = VALID_INT, .min = 1,
	  .max = 1000000000000LL },
};
enum { TC_OPERATION, TC_NAME, TC_TITLE, TC_DESCRIPTION, TC_ANNOTATIONS,
    TC_ENABLED, TC_REVISION };

struct tool_create {
	const char *app_id;
	const char *operation_id;
	struct tool_overrides overrides;
	char tool_id[AUTH_UUID_LEN + 1];
};

static int
tool_create_body_run(void *ctx, const struct draft_state *draft,
    struct error *err)
{
	struct tool_create *tc = ctx;

	(void)draft;
	return appstore_tool_create_from_operation(tc->app_id,
	    tc->operation_id, &tc->overrides, tc->tool_id, err);
}

static int
tool_create(struct request *req, struct error *err)
{
	const struct valid_value *b = req->body_values;
	struct tool_create tc = {
		.operation_id = b[TC_OPERATION].str,
		.overrides = {
			.name = b[TC_NAME].str,
			.title = b[TC_TITLE].str,
			.description = b[TC_DESCRIPTION].str,
			.annotations = b[TC_ANNOTATIONS].json,
			.disabled = b[TC_ENABLED].present &&
			    !b[TC_ENABLED].boolean,
		},
	};
	struct draft_write w = { .account_id = req->identity.account_id,
	    .body = tool_create_body_run, .ctx = &tc };
	struct app_access access;
	struct draft_state state;
	json_object *tool;

	if (app_access(req, ROLE_MANAGER, &access, err) != 0)
		return -1;
	if (tc.overrides.name != NULL &&
	    !tooldef_name_is_valid(tc.overrides.name)) {
		error_set(err, ERR_VALIDATION, NULL);
		error_add_detail(err, "body", "name", "A tool name is 1 to 64"
		    " letters, digits, '_' or '-'", "string_pattern_mismatch");
		return -1;
	}
	if (appstore_check_annotations(tc.overrides.annotations, err) != 0)
		return -1;
	if (draft_expected_revision(req, &b[TC_REVISION], &w.expected,
	    err) != 0)
		return -1;
	tc.app_id = access.app_id;
	w.app_id = access.app_id;
	if (draft_write(&w, &state, err) != 0)
		return -1;
	if (appstore_tool_get(access.app_id, tc.tool_id, &tool, err) != 0)
		return -1;
	json_put_int(tool, "draft_revision", state.revision);
	return reply_with_etag(req, 201, tool, state.revision, err);
}

static const struct valid_field import_body[] = {
	{ .name = "operation_ids", .type = VALID_STRING_ARRAY, .min = 1,
	  .max = 5000 },
	{ .name = "all", .type = VALID_BOOL },
	{ .name = "draft_revision", .type = VALID_INT, .min = 1,
	  .max = 1000000000000LL },
};
enum { IMPORT_IDS, IMPORT_ALL, IMPORT_REVISION };

struct tool_import {
	const char *app_id;
	const char *integration_id;
	json_object *refs;
	json_object *report;
};

static int
tool_import_body_run(void *ctx, const struct draft_state *draft,
    struct error *err)
{
	struct tool_import *ti = ctx;

	(void)draft;
	json_object_put(ti->report);  /* a retried transaction starts over */
	ti->report = NULL;
	if (appstore_import_tools(ti->app_id, ti->integration_id, ti->refs,
	    &ti->report, err) != 0)
		return -1;
	/* Nothing created: no new revision (the report stands). */
	return json_object_array_length(json_get_array(ti->report,
	    "created")) == 0 ? 1 : 0;
}

static int
tools_import(struct request *req, struct error *err)
{
	const struct valid_value *b = req->body_values;
	struct tool_import ti = {
		.integration_id = http_path_param(req, "integration_id"),
		.refs = b[IMPORT_IDS].json,
	};
	struct draft_write w = { .account_id = req->identity.account_id,
	    .body = tool_import_body_run, .ctx = &ti };
	struct app_access access;
	struct draft_state state;
	bool all = b[IMPORT_ALL].present && b[IMPORT_ALL].boolean;

	if (app_access(req, ROLE_MANAGER, &access, err) != 0)
		return -1;
	if (all == (ti.refs != NULL)) {
		error_set(err, ERR_VALIDATION, NULL);
		error_add_detail(err, "body", "operation_ids", "Give either"
		    " operation_ids or all: true", "missing");
		return -1;
	}
	if (draft_expected_revision(req, &b[IMPORT_REVISION], &w.expected,
	    err) != 0)
		return -1;
	ti.app_id = access.app_id;
	w.app_id = access.app_id;
	if (draft_write(&w, &state, err) != 0) {
		json_object_put(ti.report);
		return -1;
	}
	json_put_int(ti.report, "draft_revision", state.revision);
	return reply_with_etag(req, 200, ti.report, state.revision, err);
}

/* ---------------------------------------------------------------- */
/* Draft and releases                                               */

static int
draft_validate(struct request *req, struct error *err)
{
	struct app_access access;
	json_object *result;

	if (app_access(req, ROLE_NORMAL, &access, err) != 0 ||
	    release_validate_draft(access.app_id, &result, err) != 0)
		return -1;
	return reply_with_etag(req, 200, result, json_object_get_int64(
	    json_object_object_get(result, "draft_revision")), err);
}

static int
draft_preview(struct request *req, struct error *err)
{
	struct app_access access;
	struct appconfig_draft draft;
	json_object *config, *body;

	if (app_access(req, ROLE_NORMAL, &access, err) != 0 ||
	    appconfig_resolve(access.app_id, &config, &draft, err) != 0)
		return -1;
	body = json_object_new_object();
	json_put_string(body, "draft_id", draft.id);
	json_put_int(body, "draft_revision", draft.revision);
	json_object_object_add(body, "config", config);
	return reply_with_etag(req, 200, body, draft.revision, err);
}

static const struct valid_field publish_body[] = {
	{ .name = "notes", .type = VALID_STRING, .max = 4000 },
	{ .name = "draft_revision", .type = VALID_INT, .min = 1,
	  .max = 1000000000000LL },
};
enum { PUBLISH_NOTES, PUBLISH_REVISION };

static int
release_create(struct request *req, struct error *err)
{
	const struct valid_value *b = req->body_values;
	struct release_request rq = {
		.account_id = req->identity.account_id,
		.notes = b[PUBLISH_NOTES].str,
	};
	struct app_access access;
	json_object *release;

	if (app_access(req, ROLE_MANAGER, &access, err) != 0)
		return -1;
	if (draft_expected_revision(req, &b[PUBLISH_REVISION], &rq.expected,
	    err) != 0)
		return -1;
	rq.app_id = access.app_id;
	if (release_publish(&rq, &release, err) != 0)
		return -1;
	return reply_with_etag(req, 201, release, json_object_get_int64(
	    json_object_object_get(json_get_object(release, "draft"),
	    "revision")), err);
}

static const struct valid_field releases_query[] = {
	PAGE_QUERY_FIELDS(20),
};
enum { RELEASES_PAGE, RELEASES_LIMIT };

static int
releases_list(struct request *req, struct error *err)
{
	long long page = req->query_values[RELEASES_PAGE].integer;
	long long limit = req->query_values[RELEASES_LIMIT].integer;
	struct app_access access;
	json_object *list;
	long long total;

	if (app_access(req, ROLE_NORMAL, &access, err) != 0 ||
	    release_list(access.app_id, page, limit, &list, &total, err) != 0)
		return -1;
	return reply_page(req, list, page, limit, total);
}

static int
release_get_one(struct request *req, struct error *err)
{
	const char *text = http_path_param(req, "number");
	struct app_access access;
	json_object *release;
	long long number = 0;
	size_t i;

	/* The app first: a stranger learns nothing from the number. */
	if (app_access(req, ROLE_NORMAL, &access, err) != 0)
		return -1;
	for (i = 0; text[i] != '\0'; i++) {
		if (text[i] < '0' || text[i] > '9' || i >= 9)
			return error_set(err, ERR_RELEASE_NOT_FOUND, NULL);
		number = number * 10 + (text[i] - '0');
	}
	if (number < 1)
		return error_set(err, ERR_RELEASE_NOT_FOUND, NULL);
	if (release_get(access.app_id, number, &release, err) != 0)
		return -1;
	return http_reply_json(req, 200, release);
}

/* ---------------------------------------------------------------- */
/* Tool calls                                                       */

static const char *const toolcall_statuses[] = {
	"ok", "error", "invalid", NULL
};
static const struct valid_field toolcalls_query[] = {
	PAGE_QUERY_FIELDS(50),
	{ .name = "tool", .type = VALID_STRING, .min = 1, .max = 64 },
	{ .name = "status", .type = VALID_ENUM, .choices = toolcall_statuses },
};
enum { CALLS_PAGE, CALLS_LIMIT, CALLS_TOOL, CALLS_STATUS };

static int
toolcalls_list_get(struct request *req, struct error *err)
{
	const struct valid_value *q = req->query_values;
	struct toolcall_filter filter = {
		.tool = q[CALLS_TOOL].str,
		.status = q[CALLS_STATUS].str,
		.page = q[CALLS_PAGE].integer,
		.limit = q[CALLS_LIMIT].integer,
	};
	struct app_access access;
	json_object *list;
	long long total;

	if (app_access(req, ROLE_NORMAL, &access, err) != 0 ||
	    toolcalls_list(access.app_id, &filter, &list, &total, err) != 0)
		return -1;
	return reply_page(req, list, filter.page, filter.limit, total);
}

/* ---------------------------------------------------------------- */
/* Shares                                                           */

static int
shares_list(struct request *req, struct error *err)
{
	struct app_access access;
	json_object *list, *body;

	if (app_access(req, ROLE_NORMAL, &access, err) != 0 ||
	    appshare_list(access.app_id, &list, err) != 0)
		return -1;
	body = json_object_new_object();
	json_object_object_add(body, "data", list);
	return http_reply_json(req, 200, body);
}

static int
share_put(struct request *req, struct error *err)
{
	struct app_access access;
	json_object *share;
	bool created;

	if (app_access(req, ROLE_MANAGER, &access, err) != 0 ||
	    appshare_put(access.app_id, http_path_param(req, "workspace_id"),
	    req->identity.account_id, &created, &share, err) != 0)
		return -1;
	return http_reply_json(req, created ? 201 : 200, share);
}

static int
share_delete(struct request *req, struct error *err)
{
	const char *workspace_id = http_path_param(req, "workspace_id");
	struct app_access access;
	json_object *body;

	if (app_access(req, ROLE_MANAGER, &access, err) != 0 ||
	    appshare_delete(access.app_id, workspace_id, err) != 0)
		return -1;
	body = json_object_new_object();
	json_put_bool(body, "deleted", true);
	json_put_string(body, "workspace_id", workspace_id);
	return http_reply_json(req, 200, body);
}

/* ---------------------------------------------------------------- */
/* The OpenAPI document and v2                                      */

/* docs/openapi/api-v3.json, built in by scripts/embed. */
extern const char api_v3_openapi[];
extern const size_t api_v3_openapi_len;

static int
openapi_get(struct request *req, struct error *err)
{
	(void)err;
	return http_reply(req, 200, "application/json", api_v3_openapi,
	    api_v3_openapi_len);
}

static int
v2_gone(struct request *req, struct error *err)
{
	(void)req;
	error_set(err, ERR_GONE, "API v2 has been removed.");
	error_hint(err, "Use /api/v3 instead; its description is at"
	    " /api/v3/openapi.json.");
	return -1;
}

/* ---------------------------------------------------------------- */
/* The route table                                                  */

#define V3 "/api/v3"
#define APP V3 "/apps/{app_id:uuid}"

static const struct route v3_routes[] = {
	{ "GET", V3 "/openapi.json", openapi_get, ROUTE_PUBLIC,
	  ROUTE_NO_FIELDS, ROUTE_NO_FIELDS, ROUTE_API },
	{ "GET", V3 "/me", me_get, ROUTE_BEARER,
	  ROUTE_NO_FIELDS, ROUTE_NO_FIELDS, ROUTE_API },
	{ "GET", V3 "/apps", apps_list, ROUTE_BEARER,
	  ROUTE_FIELDS(apps_query), ROUTE_NO_FIELDS, ROUTE_API },
	{ "GET", APP, app_get, ROUTE_BEARER,
	  ROUTE_NO_FIELDS, ROUTE_NO_FIELDS, ROUTE_API },
	{ "GET", APP "/authoring-state", authoring_state_get, ROUTE_BEARER,
	  ROUTE_NO_FIELDS, ROUTE_NO_FIELDS, ROUTE_API },
	{ "GET", APP "/integrations", integrations_list, ROUTE_BEARER,
	  ROUTE_FIELDS(integrations_query), ROUTE_NO_FIELDS, ROUTE_API },
	{ "GET", APP "/integrations/{integration_id:uuid}/operations",
	  operations_list, ROUTE_BEARER,
	  ROUTE_FIELDS(operations_query), ROUTE_NO_FIELDS, ROUTE_API },
	{ "POST", APP "/integrations/{integration_id:uuid}/operations/"
	  "import-tools", tools_import, ROUTE_BEARER,
	  ROUTE_NO_FIELDS, ROUTE_FIELDS(import_body), ROUTE_API },
	{ "GET", APP "/tools", tools_list, ROUTE_BEARER,
	  ROUTE_FIELDS(tools_query), ROUTE_NO_FIELDS, ROUTE_API },
	{ "POST", APP "/tools", tool_create, ROUTE_BEARER,
	  ROUTE_NO_FIELDS, ROUTE_FIELDS(tool_create_body), ROUTE_API },
	{ "POST", APP "/draft/validate", draft_validate, ROUTE_BEARER,
	  ROUTE_NO_FIELDS, ROUTE_NO_FIELDS, ROUTE_API },
	{ "GET", APP "/draft/runtime-preview", draft_preview, ROUTE_BEARER,
	  ROUTE_NO_FIELDS, ROUTE_NO_FIELDS, ROUTE_API },
	{ "GET", APP "/releases", releases_list, ROUTE_BEARER,
	  ROUTE_FIELDS(releases_query), ROUTE_NO_FIELDS, ROUTE_API },
	{ "POST", APP "/releases", release_create, ROUTE_BEARER,
	  ROUTE_NO_FIELDS, ROUTE_FIELDS(publish_body), ROUTE_API },
	{ "GET", APP "/releases/{number}", release_get_one, ROUTE_BEARER,
	  ROUTE_NO_FIELDS, ROUTE_NO_FIELDS, ROUTE_API },
	{ "GET", APP "/tool-calls", toolcalls_list_get, ROUTE_BEARER,
	  ROUTE_FIELDS(toolcalls_query), ROUTE_NO_FIELDS, ROUTE_API },
	{ "GET", APP "/shares", shares_list, ROUTE_BEARER,
	  ROUTE_NO_FIELDS, ROUTE_NO_FIELDS, ROUTE_API },
	{ "PUT", APP "/shares/{workspace_id:uuid}", share_put, ROUTE_BEARER,
	  ROUTE_NO_FIELDS, ROUTE_NO_FIELDS, ROUTE_API },
	{ "DELETE", APP "/shares/{workspace_id:uuid}", share_delete,
	  ROUTE_BEARER, ROUTE_NO_FIELDS, ROUTE_NO_FIELDS, ROUTE_API },
	{ "*", "/api/v2{rest*}", v2_gone, ROUTE_PUBLIC,
	  ROUTE_NO_FIELDS, ROUTE_NO_FIELDS, ROUTE_RETIRED },
};

int
main(int argc, char **argv)
{
	static const struct responder api_v3 = {
		.name = "api-v3",
		.routes = v3_routes,
		.nroutes = sizeof(v3_routes) / sizeof(v3_routes[0]),
	};

	return responder_main(&api_v3, argc, argv);
}

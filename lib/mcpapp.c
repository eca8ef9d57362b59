/*
 * mcpapp.c: the app an MCP endpoint serves (see mcpapp.h): one
 * statement finds the app by its slugs with the release to serve.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "appconfig.h"
#include "db.h"
#include "jsonutil.h"
#include "mcpapp.h"

/*
 * The app and, in the same row, its release $3 (0: the latest).  An app
 * without that release still answers, with NULL release columns, so
 * "no app" and "no release" are told apart.
 */
static const struct db_statement mcpapp_select = {
	"mcpapp_select",
	"SELECT a.id, a.workspace_id, a.visibility = 'public',"
	"       w.mcp_log_arguments, r.number, r.config"
	"  FROM workspaces w"
	"  JOIN apps a ON a.workspace_id = w.id AND a.slug = $2"
	"  LEFT JOIN LATERAL ("
	"       SELECT number, config FROM releases"
	"        WHERE app_id = a.id AND ($3::integer = 0 OR number = $3)"
	"        ORDER BY number DESC LIMIT 1) r ON true"
	" WHERE w.slug = $1"
};
enum { MA_ID, MA_WORKSPACE, MA_PUBLIC, MA_LOG_ARGUMENTS, MA_NUMBER,
    MA_CONFIG };

/* The app alone, for the preview of its draft. */
static const struct db_statement mcpapp_select_app = {
	"mcpapp_select_app",
	"SELECT a.id, a.workspace_id, a.visibility = 'public',"
	"       w.mcp_log_arguments"
	"  FROM workspaces w"
	"  JOIN apps a ON a.workspace_id = w.id AND a.slug = $2"
	" WHERE w.slug = $1"
};

/*
 * Fill out's app members from row 0 of res (mcpapp_select's first
 * columns) and the slugs.  Can't fail.
 */
static void
app_from_row(const PGresult *res, const char *workspace_slug,
    const char *app_slug, struct mcpapp *out)
{
	snprintf(out->app_id, sizeof(out->app_id), "%s",
	    db_value(res, 0, MA_ID));
	snprintf(out->workspace_id, sizeof(out->workspace_id), "%s",
	    db_value(res, 0, MA_WORKSPACE));
	snprintf(out->workspace_slug, sizeof(out->workspace_slug), "%s",
	    workspace_slug);
	snprintf(out->app_slug, sizeof(out->app_slug), "%s", app_slug);
	out->public = db_bool(res, 0, MA_PUBLIC);
	out->log_arguments = db_bool(res, 0, MA_LOG_ARGUMENTS);
}

/* Are the slugs ones an app could have?  Can't fail. */
static bool
slugs_fit(const struct mcpapp *out, const char *workspace_slug,
    const char *app_slug)
{
	return strlen(workspace_slug) < sizeof(out->workspace_slug) &&
	    strlen(app_slug) < sizeof(out->app_slug);
}

int
mcpapp_find_draft(const char *workspace_slug, const char *app_slug,
    struct mcpapp *out, struct error *err)
{
	const char *params[] = { workspace_slug, app_slug };
	PGresult *res = NULL;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (!slugs_fit(out, workspace_slug, app_slug))
		return error_set(err, ERR_APP_NOT_FOUND, "No MCP endpoint"
		    " here.");
	if (db_exec(&mcpapp_select_app, 2, params, &res, err) != 0)
		return -1;
	if (PQntuples(res) != 1) {
		error_set(err, ERR_APP_NOT_FOUND, "No MCP endpoint here.");
		goto out;
	}
	app_from_row(res, workspace_slug, app_slug, out);
	if (appconfig_resolve(out->app_id, &out->config, NULL, err) != 0)
		goto out;
	rc = 0;
out:
	if (rc != 0)
		mcpapp_free(out);
	PQclear(res);
	return rc;
}

void
mcpapp_free(struct mcpapp *out)
{
	if (out == NULL)
		return;
	json_object_put(out->config);
	memset(out, 0, sizeof(*out));
}

int
mcpapp_find(const char *workspace_slug, const char *app_slug,
    long long release, struct mcpapp *out, struct error *err)
{
	char number[24];
	const char *params[] = { workspace_slug, app_slug, number };
	PGresult *res = NULL;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (!slugs_fit(out, workspace_slug, app_slug) || release < 0 ||
	    release > 2147483647LL)
		return error_set(err, ERR_APP_NOT_FOUND, "No MCP endpoint"
		    " here.");
	snprintf(number, sizeof(number), "%lld", release);
	if (db_exec(&mcpapp_select, 3, params, &res, err) != 0)
		return -1;
	if (PQntuples(res) != 1) {
		error_set(err, ERR_APP_NOT_FOUND, "No MCP endpoint here.");
		goto out;
	}
	if (db_value(res, 0, MA_NUMBER) == NULL) {
		if (release == 0) {
			error_set(err, ERR_RELEASE_NOT_FOUND, "The app has no"
			    " release yet.");
			error_hint(err, "Publish a release of the app; its"
			    " endpoint serves the latest one.");
		} else
			error_set(err, ERR_RELEASE_NOT_FOUND, "The app has no"
			    " release %lld.", release);
		goto out;
	}
	out->config = json_from_db(db_value(res, 0, MA_CONFIG));
	if (out->config == NULL) {
		error_set(err, ERR_INTERNAL, "a release's configuration is not"
		    " JSON");
		goto out;
	}
	app_from_row(res, workspace_slug, app_slug, out);
	out->release = strtoll(db_value(res, 0, MA_NUMBER), NULL, 10);
	rc = 0;
out:
	if (rc != 0)
		mcpapp_free(out);
	PQclear(res);
	return rc;
}

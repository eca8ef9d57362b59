/*
 * mcpapp.c: the app an MCP endpoint serves (see mcpapp.h): one
 * statement finds the app by its slugs with the release to serve, and
 * the release's parsed configuration comes from the process's cache
 * (lib/releasecache) when it is there, so that a call does not move and
 * parse the whole configuration every time; a second statement reads it
 * when it is not.
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
#include "releasecache.h"

/*
 * How many release configurations a process keeps parsed, and how much
 * JSON text they may come to together (parsed, they take a few times
 * that): an endpoint's latest release and a few pinned ones of a few
 * apps, per worker.
 */
#define MCPAPP_CACHE_ENTRIES RELEASECACHE_ENTRIES
#define MCPAPP_CACHE_BYTES   (4 * 1024 * 1024)

/*
 * The app and, in the same row, its release $3 (0: the latest): its id
 * and the checksum of its configuration, which together name the
 * configuration in the cache.  An app without that release still
 * answers, with NULL release columns, so "no app" and "no release" are
 * told apart.
 */
static const struct db_statement mcpapp_select = {
	"mcpapp_select",
	"SELECT a.id, a.workspace_id, a.visibility = 'public',"
	"       w.mcp_log_arguments, r.number, r.id, r.checksum"
	"  FROM workspaces w"
	"  JOIN apps a ON a.workspace_id = w.id AND a.slug = $2"
	"  LEFT JOIN LATERAL ("
	"       SELECT number, id, checksum FROM releases"
	"        WHERE app_id = a.id AND ($3::integer = 0 OR number = $3)"
	"        ORDER BY number DESC LIMIT 1) r ON true"
	" WHERE w.slug = $1"
};
enum { MA_ID, MA_WORKSPACE, MA_PUBLIC, MA_LOG_ARGUMENTS, MA_NUMBER,
    MA_RELEASE_ID, MA_CHECKSUM };

/*
 * A release's configuration, when the cache has not got it.  The
 * checksum is matched too: what is read is what the checksum names.
 */
static const struct db_statement mcpapp_select_config = {
	"mcpapp_select_config",
	"SELECT config FROM releases WHERE id = $1 AND checksum = $2"
};

/*
 * The process's parsed release configurations.  Process state, like the
 * database connection: each worker has its own, and nothing in it can be
 * wrong, since a release never changes (see releasecache.h).
 */
static struct releasecache cache;

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

/*
 * The configuration of release release_id whose checksum is checksum:
 * the cache's, or read, parsed and kept.  Returns 0 with *config (a
 * reference the caller releases), or -1 and err: ERR_RELEASE_NOT_FOUND
 * when the release went (its app deleted meanwhile), or a database or
 * internal error.
 */
static int
release_config(const char *release_id, const char *checksum,
    json_object **config, struct error *err)
{
	const char *params[] = { release_id, checksum };
	PGresult *res = NULL;
	int rc = -1;

	if (cache.max_entries == 0)
		releasecache_init(&cache, MCPAPP_CACHE_ENTRIES,
		    MCPAPP_CACHE_BYTES);
	if ((*config = releasecache_find(&cache, release_id, checksum)) !=
	    NULL)
		return 0;
	if (db_exec(&mcpapp_select_config, 2, params, &res, err) != 0)
		return -1;
	if (PQntuples(res) != 1) {
		error_set(err, ERR_RELEASE_NOT_FOUND, "The release is gone.");
		goto out;
	}
	if ((*config = json_from_db(db_value(res, 0, 0))) == NULL) {
		error_set(err, ERR_INTERNAL, "a release's configuration is not"
		    " JSON");
		goto out;
	}
	(void)releasecache_put(&cache, release_id, checksum, *config,
	    (size_t)PQgetlength(res, 0, 0));
	rc = 0;
out:
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
	if (release_config(db_value(res, 0, MA_RELEASE_ID),
	    db_value(res, 0, MA_CHECKSUM), &out->config, err) != 0)
		goto out;
	app_from_row(res, workspace_slug, app_slug, out);
	out->release = strtoll(db_value(res, 0, MA_NUMBER), NULL, 10);
	rc = 0;
out:
	if (rc != 0)
		mcpapp_free(out);
	PQclear(res);
	return rc;
}

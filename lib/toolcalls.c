/*
 * toolcalls.c: recording MCP tool calls and listing them for the app's
 * builders (see toolcalls.h).
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>

#include "db.h"
#include "jsonutil.h"
#include "log.h"
#include "page.h"
#include "toolcalls.h"

static const struct db_statement toolcall_insert = {
	"toolcall_insert",
	"INSERT INTO tool_calls (app_id, release_number, tool, account_id,"
	"       client_id, client_name, era, protocol_version, status,"
	"       upstream_status, duration_ms, arguments)"
	" VALUES ($1, nullif($2::integer, 0), $3, $4,"
	"         coalesce($5, (SELECT client_id FROM api_sessions"
	"                        WHERE id = $13::uuid)),"
	"         left($6, 255), $7, $8, $9, nullif($10::integer, 0), $11,"
	"         $12::jsonb)"
};

void
toolcalls_record(const struct toolcall *c)
{
	char release[24], upstream[24], duration[24];
	const char *params[] = { c->app_id, release, c->tool, c->account_id,
	    c->client_id, c->client_name, c->era, c->protocol_version,
	    c->status, upstream, duration,
	    c->arguments != NULL ? json_text(c->arguments) : NULL,
	    c->session_id };
	struct error err = { 0 };

	snprintf(release, sizeof(release), "%lld", c->release);
	snprintf(upstream, sizeof(upstream), "%ld", c->upstream_status);
	snprintf(duration, sizeof(duration), "%lld", c->duration_ms < 0 ? 0 :
	    c->duration_ms);
	if (db_exec(&toolcall_insert, 13, params, NULL, &err) != 0)
		log_warn("cannot record a call of tool %s of app %s: %s",
		    c->tool, c->app_id, err.message);
	error_clear(&err);
}

#define TOOLCALL_COLUMNS                                                  \
	"c.id, c.tool, c.release_number, c.status, c.upstream_status,"    \
	" c.duration_ms, c.era, c.protocol_version, c.account_id,"        \
	" c.client_id, c.client_name, c.arguments,"                       \
	" drio_rfc3339(c.created_at)"

/*
 * All four walk tool_calls_app_list (app_id, id DESC).  Listing by tool
 * has statements of its own, where tool is a plain equality: in the
 * "$n IS NULL OR" form a generic plan could not use an index on
 * (app_id, tool, id DESC) if one is added for apps with many calls.
 */
#define TOOLCALLS_WHERE                                                   \
	" WHERE c.app_id = $1"                                            \
	"   AND ($2::text IS NULL OR c.status = $2)"

static const struct db_statement toolcalls_page = {
	"toolcalls_page",
	"SELECT " TOOLCALL_COLUMNS ", count(*) OVER ()"
	"  FROM tool_calls c" TOOLCALLS_WHERE
	" ORDER BY c.id DESC"
	" LIMIT $3 OFFSET $4"
};

static const struct db_statement toolcalls_count = {
	"toolcalls_count",
	"SELECT count(*) FROM tool_calls c" TOOLCALLS_WHERE
};

static const struct db_statement toolcalls_page_of_tool = {
	"toolcalls_page_of_tool",
	"SELECT " TOOLCALL_COLUMNS ", count(*) OVER ()"
	"  FROM tool_calls c" TOOLCALLS_WHERE
	"   AND c.tool = $3"
	" ORDER BY c.id DESC"
	" LIMIT $4 OFFSET $5"
};

static const struct db_statement toolcalls_count_of_tool = {
	"toolcalls_count_of_tool",
	"SELECT count(*) FROM tool_calls c" TOOLCALLS_WHERE
	"   AND c.tool = $3"
};

/* Add key: the integer at (row, col), or null when it is SQL NULL. */
static void
put_int_or_null(json_object *obj, const char *key, const PGresult *res,
    int row, int col)
{
	if (db_value(res, row, col) == NULL)
		json_object_object_add(obj, key, NULL);
	else
		json_put_int(obj, key, db_int(res, row, col));
}

/* One row of a page statement as a new object.  Can't fail. */
static json_object *
toolcall_from_row(const PGresult *res, int row)
{
	json_object *call = json_object_new_object();

	json_put_string(call, "id", db_value(res, row, 0));
	json_put_string(call, "tool", db_value(res, row, 1));
	put_int_or_null(call, "release", res, row, 2);
	json_put_string(call, "status", db_value(res, row, 3));
	put_int_or_null(call, "upstream_status", res, row, 4);
	json_put_int(call, "duration_ms", db_int(res, row, 5));
	json_put_string(call, "era", db_value(res, row, 6));
	json_put_string(call, "protocol_version", db_value(res, row, 7));
	json_put_string(call, "account_id", db_value(res, row, 8));
	json_put_string(call, "client_id", db_value(res, row, 9));
	json_put_string(call, "client_name", db_value(res, row, 10));
	/* Absent, not null, when the workspace did not keep them. */
	if (db_value(res, row, 11) != NULL)
		json_put_db(call, "arguments", db_value(res, row, 11));
	json_put_string(call, "created_at", db_value(res, row, 12));
	return call;
}

int
toolcalls_list(const char *app_id, const struct toolcall_filter *filter,
    json_object **list, long long *total, struct error *err)
{
	const char *params[] = { app_id, filter->status, filter->tool, NULL,
	    NULL };

	if (filter->tool == NULL) {
		/* page_fetch() fills the limit and offset: $3 and $4 here. */
		return page_fetch_list(&toolcalls_page, &toolcalls_count,
		    params, 4, filter->page, filter->limit, toolcall_from_row,
		    list, total, err);
	}
	return page_fetch_list(&toolcalls_page_of_tool,
	    &toolcalls_count_of_tool, params, 5, filter->page, filter->limit,
	    toolcall_from_row, list, total, err);
}

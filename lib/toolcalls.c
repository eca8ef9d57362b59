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
 * A page of calls, newest first, without a count: tool_calls_app_list
 * (app_id, id DESC) serves it, or tool_calls_app_tool (app_id, tool, id
 * DESC) when listing one tool.  Listing by tool has a statement of its
 * own, where tool is a plain equality: in the "$n IS NULL OR" form a
 * generic plan could not use the second index.
 */
#define TOOLCALLS_WHERE                                                   \
	" WHERE c.app_id = $1"                                            \
	"   AND ($2::text IS NULL OR c.status = $2)"

static const struct db_statement toolcalls_page = {
	"toolcalls_page",
	"SELECT " TOOLCALL_COLUMNS
	"  FROM tool_calls c" TOOLCALLS_WHERE
	" ORDER BY c.id DESC"
	" LIMIT $3 OFFSET $4"
};

static const struct db_statement toolcalls_page_of_tool = {
	"toolcalls_page_of_tool",
	"SELECT " TOOLCALL_COLUMNS
	"  FROM tool_calls c" TOOLCALLS_WHERE
	"   AND c.tool = $3"
	" ORDER BY c.id DESC"
	" LIMIT $4 OFFSET $5"
};

/*
 * The capped counts: at most $n matching calls, so an app with millions
 * of them pays for $n index entries, not for every call.  The ORDER BY
 * asks for an index's order, which keeps the planner off a sequential
 * scan that would read the whole table for a rarely called app; without
 * a status, the count reads the index alone.  One statement per filter
 * combination: a generic plan of the "$n IS NULL OR" form reads every
 * row to test the status, even when there is none to test.  Measured on
 * a table of a million calls, nearly all of one app (PostgreSQL 15,
 * custom and generic plans): 2-8 ms to count 10,001 of that app's calls
 * (all of them, or one tool's), under 1 ms for an app with 500, where
 * count(*) OVER () took 0.9-1.5 s a page.  A rare status is found only
 * by reading the app's calls, as status is in no index: 100-600 ms for
 * 10,000 of a million; an index on (app_id, status, id DESC) made that
 * 3-8 ms.
 */
static const struct db_statement toolcalls_count = {
	"toolcalls_count",
	"SELECT count(*) FROM (SELECT FROM tool_calls c"
	"  WHERE c.app_id = $1"
	"  ORDER BY c.app_id, c.id DESC LIMIT $2) n"
};

static const struct db_statement toolcalls_count_of_status = {
	"toolcalls_count_of_status",
	"SELECT count(*) FROM (SELECT FROM tool_calls c"
	"  WHERE c.app_id = $1 AND c.status = $3"
	"  ORDER BY c.app_id, c.id DESC LIMIT $2) n"
};

static const struct db_statement toolcalls_count_of_tool = {
	"toolcalls_count_of_tool",
	"SELECT count(*) FROM (SELECT FROM tool_calls c"
	"  WHERE c.app_id = $1 AND c.tool = $3"
	"  ORDER BY c.app_id, c.tool, c.id DESC LIMIT $2) n"
};

static const struct db_statement toolcalls_count_of_tool_status = {
	"toolcalls_count_of_tool_status",
	"SELECT count(*) FROM (SELECT FROM tool_calls c"
	"  WHERE c.app_id = $1 AND c.tool = $3 AND c.status = $4"
	"  ORDER BY c.app_id, c.tool, c.id DESC LIMIT $2) n"
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

/*
 * The total of a list whose page (from 1, of limit calls) came back with
 * rows calls, as toolcalls.h promises: exact when the page is the last
 * one, else counted up to the bound.  Returns 0 with *total, or -1 and
 * err.
 */
static int
toolcalls_total(const char *app_id, const struct toolcall_filter *filter,
    long long rows, long long *total, struct error *err)
{
	char cap_text[24];
	const char *params[4] = { app_id, cap_text, NULL, NULL };
	const struct db_statement *stmt;
	long long end = filter->page * filter->limit, bound;
	PGresult *res;
	int nparams = 2;

	/* A page with calls but not full is the last: no count needed. */
	if (rows > 0 && rows < filter->limit) {
		*total = end - filter->limit + rows;
		return 0;
	}
	if (rows == 0 && filter->page == 1) {
		*total = 0;
		return 0;
	}
	bound = end > TOOLCALLS_TOTAL_CAP ? end : TOOLCALLS_TOTAL_CAP;
	snprintf(cap_text, sizeof(cap_text), "%lld", bound + 1);
	if (filter->tool != NULL)
		params[nparams++] = filter->tool;
	if (filter->status != NULL)
		params[nparams++] = filter->status;
	if (filter->tool != NULL)
		stmt = filter->status != NULL ?
		    &toolcalls_count_of_tool_status : &toolcalls_count_of_tool;
	else
		stmt = filter->status != NULL ?
		    &toolcalls_count_of_status : &toolcalls_count;
	if (db_exec(stmt, nparams, params, &res, err) != 0)
		return -1;
	*total = db_int(res, 0, 0);
	PQclear(res);
	return 0;
}

int
toolcalls_list(const char *app_id, const struct toolcall_filter *filter,
    json_object **list, long long *total, struct error *err)
{
	char limit_text[24], offset_text[24];
	const char *params[] = { app_id, filter->status, filter->tool,
	    limit_text, offset_text };
	PGresult *res;
	int i, rc = -1;

	*list = NULL;
	snprintf(limit_text, sizeof(limit_text), "%lld", filter->limit);
	snprintf(offset_text, sizeof(offset_text), "%lld",
	    page_offset(filter->page, filter->limit));
	if (filter->tool == NULL) {
		/* No $3 for the tool: limit and offset move up by one. */
		params[2] = limit_text;
		params[3] = offset_text;
		if (db_exec(&toolcalls_page, 4, params, &res, err) != 0)
			return -1;
	} else if (db_exec(&toolcalls_page_of_tool, 5, params, &res,
	    err) != 0)
		return -1;
	if (toolcalls_total(app_id, filter, PQntuples(res), total, err) != 0)
		goto out;
	*list = json_object_new_array();
	for (i = 0; i < PQntuples(res); i++)
		json_object_array_add(*list, toolcall_from_row(res, i));
	rc = 0;
out:
	PQclear(res);
	return rc;
}

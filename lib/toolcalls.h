/*
 * toolcalls.h: the record of every MCP tools/call (sql/007_mcp.sql
 * tool_calls): which app, release and tool, who called through which
 * client, in which era and protocol version, how it ended, the upstream
 * status and how long it took.  Arguments are kept only when the app's
 * workspace turned argument logging on; never a secret or an upstream
 * answer.  Builders list them through API v3.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef DRIO_TOOLCALLS_H
#define DRIO_TOOLCALLS_H

#include <json-c/json.h>

#include "error.h"

/* One call to record; borrowed strings, NULL for unknown. */
struct toolcall {
	const char *app_id;
	long long release;
	const char *tool;
	const char *account_id;
	const char *client_id;     /* the OAuth client, for a private app;
	                            * NULL: session_id's, when given */
	const char *session_id;    /* the caller's API session, or NULL */
	const char *client_name;   /* what the MCP client calls itself */
	const char *era;           /* "legacy" or "modern" */
	const char *protocol_version;
	const char *status;        /* "ok", "error" or "invalid" */
	long upstream_status;      /* 0: none */
	long long duration_ms;
	json_object *arguments;    /* NULL: not kept */
};

/*
 * Record c.  A failure is logged and otherwise ignored: the call itself
 * has been answered and its record must not turn it into an error.
 * Can't fail.
 */
void toolcalls_record(const struct toolcall *c);

/* Filters of a tool call list; borrowed strings, NULL for any. */
struct toolcall_filter {
	const char *tool;          /* the tool's name, exactly */
	const char *status;        /* "ok", "error" or "invalid" */
	long long page;            /* from 1, as in page.h */
	long long limit;
};

/*
 * How many matching calls a list counts at least before it stops
 * counting (see toolcalls_list).
 */
#define TOOLCALLS_TOTAL_CAP 10000

/*
 * The recorded calls of app_id that match filter, newest first (by id),
 * one page of them: each {id (the bigint as a string), tool, release,
 * status, upstream_status, duration_ms, era, protocol_version,
 * account_id, client_id, client_name, created_at}, with arguments only
 * when they were recorded.  The caller has checked that app_id may be
 * read.
 *
 * *total is the number of matching calls, counted only up to a bound so
 * that an app with millions of calls does not pay for all of them on
 * every page: the bound is TOOLCALLS_TOTAL_CAP or the end of this page
 * (page * limit), whichever is larger.  When more calls match, *total is
 * the bound plus one, meaning "more than the bound"; either way
 * page * limit < *total exactly when there is a next page.
 *
 * Returns 0 with a new *list (the caller puts it) and *total, or -1 and
 * err (then *list is NULL).
 */
int toolcalls_list(const char *app_id, const struct toolcall_filter *filter,
    json_object **list, long long *total, struct error *err);

#endif

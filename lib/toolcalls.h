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
	const char *client_id;     /* the OAuth client, for a private app */
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

#endif

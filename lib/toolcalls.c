/*
 * toolcalls.c: recording MCP tool calls (see toolcalls.h).
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>

#include "db.h"
#include "jsonutil.h"
#include "log.h"
#include "toolcalls.h"

static const struct db_statement toolcall_insert = {
	"toolcall_insert",
	"INSERT INTO tool_calls (app_id, release_number, tool, account_id,"
	"       client_id, client_name, era, protocol_version, status,"
	"       upstream_status, duration_ms, arguments)"
	" VALUES ($1, nullif($2::integer, 0), $3, $4, $5, left($6, 255), $7,"
	"         $8, $9, nullif($10::integer, 0), $11, $12::jsonb)"
};

void
toolcalls_record(const struct toolcall *c)
{
	char release[24], upstream[24], duration[24];
	const char *params[] = { c->app_id, release, c->tool, c->account_id,
	    c->client_id, c->client_name, c->era, c->protocol_version,
	    c->status, upstream, duration,
	    c->arguments != NULL ? json_text(c->arguments) : NULL };
	struct error err = { 0 };

	snprintf(release, sizeof(release), "%lld", c->release);
	snprintf(upstream, sizeof(upstream), "%ld", c->upstream_status);
	snprintf(duration, sizeof(duration), "%lld", c->duration_ms < 0 ? 0 :
	    c->duration_ms);
	if (db_exec(&toolcall_insert, 12, params, NULL, &err) != 0)
		log_warn("cannot record a call of tool %s of app %s: %s",
		    c->tool, c->app_id, err.message);
	error_clear(&err);
}

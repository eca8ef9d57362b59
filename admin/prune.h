/*
 * prune.h: drio-admin's prune command, which deletes what drio keeps but
 * no longer needs, in bounded batches while the service runs:
 *
 *   drio-admin [-c PATH] prune tool-calls --older-than DAYS [--batch N]
 *   drio-admin [-c PATH] prune client-metadata [--older-than DAYS]
 *       [--batch N]
 *
 * tool-calls: the record of MCP tool calls (tool_calls) older than DAYS;
 * nothing else refers to them.  client-metadata: the oauth_clients rows
 * of clients named by a Client ID Metadata Document whose document
 * expired more than DAYS ago (default 30) and that hold nothing alive: no
 * unexpired access token or refresh token, authorization code or device
 * authorization.  Such a row is made again by the client's next sign-in.
 *
 * docs/mcp.md ("What is recorded") and docs/oauth.md describe them.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef DRIO_ADMIN_PRUNE_H
#define DRIO_ADMIN_PRUNE_H

#include "error.h"

/* The batch sizes unless --batch says otherwise, and its bound. */
#define PRUNE_TOOL_CALLS_BATCH 5000
#define PRUNE_CLIENTS_BATCH 100
#define PRUNE_BATCH_MAX 100000

/* How long an expired metadata document's client is kept by default. */
#define PRUNE_CLIENT_METADATA_DAYS 30

/* The most days --older-than takes (a hundred years). */
#define PRUNE_DAYS_MAX 36500

/*
 * prune WHAT [options]: delete in batches of one statement (and so one
 * transaction) each, and print one line saying how many rows went, before
 * which time, in how many batches; client-metadata adds how many expired
 * clients it kept because they hold something alive.  argv[0] is the
 * command ("prune").  err is scratch space.  Returns the exit status: 0
 * done, 1 failed (said on stderr; the batches before the failure stay
 * deleted), 2 usage.
 */
int admin_prune(int argc, char **argv, struct error *err);

#endif

/*
 * mcpapp.h: the app an MCP endpoint serves.  An endpoint is
 * /mcp/{workspace_slug}/{app_slug}; it serves the app's latest release,
 * or the release a client pinned (?release=N), never the draft.  The
 * release's configuration is the resolved one appconfig.h describes,
 * frozen when it was published.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef DRIO_MCPAPP_H
#define DRIO_MCPAPP_H

#include <stdbool.h>

#include <json-c/json.h>

#include "auth.h"
#include "error.h"

/* An endpoint's app and the release it serves.  mcpapp_free() it. */
struct mcpapp {
	char app_id[AUTH_UUID_LEN + 1];
	char workspace_id[AUTH_UUID_LEN + 1];
	char workspace_slug[64];
	char app_slug[64];
	bool public;               /* visibility public: no token needed */
	bool log_arguments;        /* the workspace records tool arguments */
	long long release;         /* the release served; 0: the draft */
	json_object *config;       /* its configuration: one reference,
	                            * owned; read-only, as a release's is
	                            * shared with the process's cache */
};

/*
 * Find the app at workspace_slug/app_slug and its release number
 * release, or its latest when release is 0.  The release's configuration
 * comes parsed from the process's cache when it has it (keyed by the
 * release's id and checksum, so never stale), and is read and kept
 * there when not.  Returns 0 with out filled,
 * or -1 and err: ERR_APP_NOT_FOUND when no app is there (a malformed
 * slug included), ERR_RELEASE_NOT_FOUND when it has no such release
 * (or, for 0, none yet: the message says to publish one), or a
 * database error; out is then zeroed.
 */
int mcpapp_find(const char *workspace_slug, const char *app_slug,
    long long release, struct mcpapp *out, struct error *err);

/*
 * Find the app at workspace_slug/app_slug with its current draft,
 * resolved as a release would freeze it (appconfig_resolve): what the
 * editors' preview serves.  release is 0.  Returns 0 with out filled, or
 * -1 and err: ERR_APP_NOT_FOUND, or a database error; out is then
 * zeroed.
 */
int mcpapp_find_draft(const char *workspace_slug, const char *app_slug,
    struct mcpapp *out, struct error *err);

/* Release what out holds and zero it.  Accepts a zeroed struct. */
void mcpapp_free(struct mcpapp *out);

#endif

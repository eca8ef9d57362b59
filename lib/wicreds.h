/*
 * wicreds.h: the credentials of a workspace integration (install.h) for
 * the upstream calls of an app integration attached to it
 * (integration.h): what each request carries, and what no answer shown
 * to anyone may repeat.
 *
 * By auth mode:
 *   byo_oauth, mcp_oauth: the access token, refreshed first when it
 *     expires within OAUTHCLIENT_REFRESH_MARGIN_SECONDS
 *     (oauthclient_access_token()), as "Authorization: Bearer";
 *   pat, conn_string: the headers (and Basic credentials) of the
 *     connector's verify request with the form's values put in
 *     (connector_verify_request()): the manifest says there how the
 *     service takes its credentials; a custom MCP server's token as
 *     "Authorization: Bearer";
 *   none: nothing.
 * Only a connected workspace integration gives credentials.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef DRIO_WICREDS_H
#define DRIO_WICREDS_H

#include <stdbool.h>

#include "error.h"

struct outbound_policy;
struct vault;

/* The credentials of one call; every member is owned. */
struct wicreds {
	char **headers;     /* NULL-terminated "Name: value" lines */
	char *bearer;       /* the bearer token alone, or NULL */
	char **secrets;     /* NULL-terminated forms never to show */
	bool oauth;         /* an OAuth access token: wicreds_refresh() */
};

/*
 * The credentials of workspace integration integration_id of
 * workspace_id, refreshing an OAuth access token under policy when it is
 * due.  Returns 0 with out filled (headers and secrets never NULL;
 * release with wicreds_free), or -1 and err: ERR_INTEGRATION_NOT_FOUND;
 * ERR_CONFLICT when it is not connected or its tokens cannot be had
 * (its message says which, fit to show the caller); the errors of
 * oauthclient_access_token() and install_open_secret().  Messages hold
 * no secret.
 */
int wicreds_open(struct vault *vault, const struct outbound_policy *policy,
    const char *workspace_id, const char *integration_id,
    struct wicreds *out, struct error *err);

/*
 * After the upstream refused out's OAuth access token: refresh it
 * whatever its expiry (oauthclient_refresh()) and put the new one in
 * out.  Returns 0, or -1 and err as oauthclient_refresh() (out is then
 * unchanged).
 */
int wicreds_refresh(struct vault *vault, const struct outbound_policy *policy,
    const char *workspace_id, const char *integration_id,
    struct wicreds *out, struct error *err);

/* Wipe and release what out holds.  Accepts a zeroed struct. */
void wicreds_free(struct wicreds *out);

#endif

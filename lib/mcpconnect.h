/*
 * mcpconnect.h: connecting an mcp_oauth workspace integration, the
 * follow-up of an install that answered next_step "mcp_oauth"
 * (docs/api-v1/installs.md).  The MCP server drives the authorization:
 * drio discovers the server's authorization server (lib/mcpauth: RFC
 * 9728 protected resource metadata, then RFC 8414), registers itself
 * there as a client (RFC 7591) unless it already has one for that
 * server and redirect URI, and starts the authorization code flow with
 * PKCE S256 and the resource the server named (RFC 8707).  The browser
 * comes back to the callback install's byo_oauth flow uses;
 * lib/oauthclient exchanges the code there and keeps the tokens fresh.
 *
 * What discovery and registration found is kept in the integration's
 * oauth column, none of it secret:
 *
 *     {"issuer", "authorization_endpoint", "token_endpoint",
 *      "registration_endpoint", "resource", "client_id", "redirect_uri"}
 *
 * beside the token metadata lib/oauthclient records there; a client
 * secret the registration issued joins the sealed secret object as
 * client_secret.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef DRIO_MCPCONNECT_H
#define DRIO_MCPCONNECT_H

#include "error.h"
#include "install.h"

struct outbound_policy;
struct vault;

/* The client name drio registers under (RFC 7591 client_name). */
#define MCPCONNECT_CLIENT_NAME "drio"

/* What to connect; borrowed strings. */
struct mcpconnect_request {
	const char *workspace_id;
	const char *integration_id;
	const char *account_id;    /* who connects (the state's account) */
	const char *public_url;    /* drio's origin, for the redirect URI */
};

/*
 * Start connecting r's integration (an mcp_oauth one of r's workspace,
 * not disabled): discover, register when the stored client is not for
 * the discovered issuer and registration endpoint and drio's redirect
 * URI, then in one transaction store the oauth metadata (and a new
 * client's secret, sealed, or none), a new OAuth state, and status
 * pending_mcp_oauth unless the integration is connected (a connected
 * one stays usable until the new authorization replaces its tokens).
 * No transaction is held while calling out.  Returns 0 with out filled
 * (next_step "oauth", oauth_url the URL to open; release with
 * install_result_free), or -1 and err:
 *   ERR_INTEGRATION_NOT_FOUND when there is no such integration in the
 *     workspace (or it went meanwhile);
 *   ERR_CONFLICT when it is not an mcp_oauth one, has no server URL, or
 *     is disabled;
 *   lib/mcpauth's errors (ERR_UPSTREAM_UNAVAILABLE when the server or
 *     its authorization server does not follow the specification,
 *     ERR_DESTINATION_NOT_ALLOWED when the guard refuses a URL);
 *   ERR_INTERNAL, ERR_DATABASE_UNAVAILABLE, vault errors.
 */
int mcpconnect_start(struct vault *v, const struct outbound_policy *policy,
    const struct mcpconnect_request *r, struct install_result *out,
    struct error *err);

#endif

/*
 * auth-t.c: tests for the resource indicators of lib/auth.c (RFC 8707),
 * the part that reads no database: auth_resource_parse accepts drio's
 * origin and its MCP endpoints in their canonical form (trailing slash
 * dropped, scheme and host in public_url's spelling) with the RFC 9728
 * 3.1 metadata URL beside them, and refuses everything else with
 * invalid_target; auth_resource_mcp builds the same resource from two
 * slugs and refuses what is not one.  Bearer verification needs
 * PostgreSQL and is tested end to end (t/62-oauth-resource.t).
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "t/tap/basic.h"

#define ORIGIN "https://drio.example:8443"

/* Accepted: kind, canonical uri, metadata URL and slugs. */
static void
test_accepted(void)
{
	struct auth_resource r;
	struct error err = { 0 };

	is_int(0, auth_resource_parse(ORIGIN, ORIGIN, &r, &err),
	    "the origin is a resource");
	is_int(AUTH_RESOURCE_ORIGIN, r.kind, "... of the origin's kind");
	is_string(ORIGIN, r.uri, "... whose canonical form is the origin");
	is_string(ORIGIN "/.well-known/oauth-protected-resource",
	    r.metadata_url, "... with the root metadata URL");
	is_string("", r.workspace_slug, "... and no slugs");

	is_int(0, auth_resource_parse(ORIGIN "/", ORIGIN "/", &r, &err),
	    "a public_url with a trailing slash names the same origin");
	is_string(ORIGIN, r.uri, "... stored without the slash");

	is_int(0, auth_resource_parse(ORIGIN, ORIGIN "/mcp/acme/crm", &r,
	    &err), "an MCP endpoint is a resource");
	is_int(AUTH_RESOURCE_MCP, r.kind, "... of the MCP kind");
	is_string(ORIGIN "/mcp/acme/crm", r.uri, "... kept as given");
	is_string(ORIGIN "/.well-known/oauth-protected-resource/mcp/acme/crm",
	    r.metadata_url, "... with the path-suffixed metadata URL");
	is_string("acme", r.workspace_slug, "... its workspace slug");
	is_string("crm", r.app_slug, "... and its app slug");

	is_int(0, auth_resource_parse(ORIGIN, ORIGIN "/mcp/acme/crm//", &r,
	    &err), "trailing slashes are allowed");
	is_string(ORIGIN "/mcp/acme/crm", r.uri, "... and dropped");

	is_int(0, auth_resource_parse(ORIGIN, "HTTPS://DRIO.Example:8443/mcp/"
	    "a-1/b-2-c", &r, &err),
	    "scheme and host compare without regard to case");
	is_string(ORIGIN "/mcp/a-1/b-2-c", r.uri,
	    "... and take public_url's spelling");
	is_int(ERR_NONE, err.code, "no error is left behind");
}

/* Refused: every one is invalid_target and leaves out empty. */
static void
test_refused(void)
{
	static const char *const refused[][2] = {
		{ "", "an empty resource" },
		{ "/mcp/acme/crm", "a relative reference" },
		{ "drio.example:8443/mcp/acme/crm", "a URI without a scheme "
		  "(its scheme would be drio.example)" },
		{ ORIGIN "/mcp/acme/crm#top", "a fragment" },
		{ ORIGIN "#", "an empty fragment" },
		{ ORIGIN "/mcp/acme/crm?x=1", "a query" },
		{ ORIGIN "?x=1", "a query on the origin" },
		{ "https://drio.example/mcp/acme/crm", "another port" },
		{ "http://drio.example:8443/mcp/acme/crm", "another scheme" },
		{ ORIGIN "0/mcp/acme/crm", "a longer port" },
		{ ORIGIN ".evil.example/mcp/acme/crm", "a longer host" },
		{ "https://evil.example/?" ORIGIN, "the origin in a query" },
		{ ORIGIN "/api/v3", "another path" },
		{ ORIGIN "/mcp", "/mcp alone" },
		{ ORIGIN "/mcp/acme", "a workspace without an app" },
		{ ORIGIN "/mcp/acme/", "an empty app slug" },
		{ ORIGIN "/mcp//crm", "an empty workspace slug" },
		{ ORIGIN "/mcp/acme/crm/tools", "a path below an endpoint" },
		{ ORIGIN "/mcp/Acme/crm", "a slug with a capital" },
		{ ORIGIN "/mcp/acme/-crm", "a slug starting with a dash" },
		{ ORIGIN "/mcp/acme/crm-", "a slug ending with a dash" },
		{ ORIGIN "/mcp/acme/%63rm", "a percent-encoded slug" },
		{ ORIGIN "/mcp/../mcp/acme/crm", "a path with dot segments" },
		{ ORIGIN "/mcp/acme/c rm", "a space" },
		{ ORIGIN "/mcp/acme/crm\n", "a control character" },
		{ ORIGIN "/MCP/acme/crm", "another case of the path" },
	};
	struct auth_resource r;
	struct error err = { 0 };
	size_t i;

	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		memset(&r, 'x', sizeof(r));
		error_clear(&err);
		ok(auth_resource_parse(ORIGIN, refused[i][0], &r, &err) == -1 &&
		    err.code == ERR_OAUTH_INVALID_TARGET && r.uri[0] == '\0' &&
		    err.message[0] != '\0',
		    "%s is invalid_target", refused[i][1]);
	}

	/* A slug of 64 characters is one too many. */
	{
		char given[200], slug[65];

		memset(slug, 'a', 64);
		slug[64] = '\0';
		snprintf(given, sizeof(given), ORIGIN "/mcp/acme/%s", slug);
		error_clear(&err);
		is_int(-1, auth_resource_parse(ORIGIN, given, &r, &err),
		    "a slug of 64 characters is refused");
		slug[63] = '\0';
		snprintf(given, sizeof(given), ORIGIN "/mcp/acme/%s", slug);
		is_int(0, auth_resource_parse(ORIGIN, given, &r, &err),
		    "a slug of 63 characters is taken");
	}
	/* Longer than AUTH_RESOURCE_MAX. */
	{
		static char given[AUTH_RESOURCE_MAX + 2];

		memset(given, 'a', sizeof(given) - 1);
		memcpy(given, ORIGIN "/", strlen(ORIGIN "/"));
		given[sizeof(given) - 1] = '\0';
		error_clear(&err);
		ok(auth_resource_parse(ORIGIN, given, &r, &err) == -1 &&
		    err.code == ERR_OAUTH_INVALID_TARGET,
		    "a resource over AUTH_RESOURCE_MAX is invalid_target");
	}
	error_clear(&err);
	ok(auth_resource_parse(ORIGIN, NULL, &r, &err) == -1 &&
	    err.code == ERR_OAUTH_INVALID_TARGET, "NULL is invalid_target");
	error_clear(&err);
}

/* auth_resource_mcp: the resource an endpoint's tokens must carry. */
static void
test_mcp(void)
{
	struct auth_resource r, parsed;
	struct error err = { 0 };

	is_int(0, auth_resource_mcp(ORIGIN "/", "acme", "crm", &r, &err),
	    "an endpoint's resource is built from its slugs");
	is_string(ORIGIN "/mcp/acme/crm", r.uri,
	    "... on public_url without its trailing slash");
	is_string(ORIGIN "/.well-known/oauth-protected-resource/mcp/acme/crm",
	    r.metadata_url, "... with its metadata URL");
	is_int(0, auth_resource_parse(ORIGIN "/", ORIGIN "/mcp/acme/crm/",
	    &parsed, &err), "the same endpoint given by a client parses");
	is_string(r.uri, parsed.uri,
	    "... to exactly the resource the endpoint builds");
	ok(auth_resource_mcp(ORIGIN, "acme", "Crm", &r, &err) == -1 &&
	    err.code == ERR_APP_NOT_FOUND && r.uri[0] == '\0',
	    "a slug that is not a slug is app_not_found");
	error_clear(&err);
	ok(auth_resource_mcp(ORIGIN, "acme/x", "crm", &r, &err) == -1 &&
	    err.code == ERR_APP_NOT_FOUND,
	    "a slug with a slash is app_not_found");
	error_clear(&err);
	ok(auth_resource_mcp(ORIGIN, NULL, "crm", &r, &err) == -1 &&
	    err.code == ERR_APP_NOT_FOUND, "a NULL slug is app_not_found");
	error_clear(&err);
}

int
main(void)
{
	plan(18 + 30 + 8);
	test_accepted();
	test_refused();
	test_mcp();
	return 0;
}

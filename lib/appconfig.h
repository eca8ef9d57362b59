/*
 * appconfig.h: an app's runtime configuration, which is what the MCP
 * endpoint serves.  appconfig_resolve() builds it from the current draft
 * (the runtime preview; a release freezes exactly this), and
 * appconfig_validate() says whether it can be published.
 *
 * The configuration is one JSON object (format 1):
 *   app           id, workspace, slug, name, description, mode, icon, branding
 *   integrations  [{id, name, kind, base_url, status,
 *                   auth: {id, name, type, settings, secret_fields} | null}]
 *   tools         [{id, name, title, description, inputSchema, annotations,
 *                   operation: {id, integration_id, key, method, path,
 *                               body_content_type, status, deprecated} | null,
 *                   binding: {property: {in, name}},
 *                   chain: [{name, operation, arguments}] | null,
 *                   widget: name | null}]
 *   widgets       [{id, name, title, description, uri, template, csp,
 *                   prefers_border, actions}]
 *   workflow      the workflow graph, or null
 * Arrays are ordered by name, so the same draft always resolves to the
 * same text (jsonb's own key order), and a release's checksum is that
 * text's SHA-256.  Secrets are never part of it: the runtime reads them
 * from the vault by auth connection id.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef DRIO_APPCONFIG_H
#define DRIO_APPCONFIG_H

#include <json-c/json.h>

#include "auth.h"
#include "error.h"

struct appconfig_draft {
	char id[AUTH_UUID_LEN + 1];
	long long revision;
};


/* The most steps a chain tool may have (writes refuse longer chains). */
#define APPCONFIG_CHAIN_MAX 32

/*
 * Resolve the current draft of app_id.  Returns 0 with a new *config
 * (caller releases) and, when draft is not NULL, the draft it was made
 * from; or -1 and err (ERR_APP_NOT_FOUND, database errors).  Inside a
 * transaction that has locked the draft, the result is exactly what the
 * transaction can freeze.
 */
int appconfig_resolve(const char *app_id, json_object **config,
    struct appconfig_draft *draft, struct error *err);

/*
 * Validate a resolved configuration (borrowed).  Returns a new object
 * {valid, errors: [...], warnings: [...]}, each entry {code, message,
 * pointer} where pointer is a JSON Pointer into config and code is one of
 * the stable codes listed in docs/validation.md.  Pure; can't fail.
 */
json_object *appconfig_validate(json_object *config);

/* The secret fields an auth connection type needs ("token"...); NULL-
 * terminated, empty for none.  NULL for an unknown type. */
const char *const *appconfig_auth_secret_fields(const char *type);

#endif

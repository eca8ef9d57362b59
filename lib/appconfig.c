/*
 * appconfig.c: resolving an app's draft into its runtime configuration,
 * and validating that configuration (see appconfig.h).  PostgreSQL
 * builds the JSON in one statement; C derives the tools' annotations and
 * checks the result.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "appconfig.h"
#include "db.h"
#include "jsonutil.h"
#include "tooldef.h"
#include "valid.h"
#include "wfgraph.h"

/*
 * The fields of an operation as a tool refers to it; a chain step also
 * needs the operation's own input schema and parameter locations, since
 * its arguments are the operation's inputs.
 */
#define OPERATION_REF(o)                                                  \
	"jsonb_build_object('id', " o ".id, 'integration_id', "           \
	o ".integration_id, 'key', " o ".key, 'method', " o ".method,"    \
	" 'path', " o ".path, 'body_content_type', " o ".body_content_type,"\
	" 'status', " o ".status, 'deprecated', " o ".deprecated)"
#define STEP_OPERATION_REF(o)                                             \
	OPERATION_REF(o) " || jsonb_build_object('input_schema', "        \
	o ".input_schema, 'parameters', " o ".parameters)"

static const struct db_statement resolve_draft = {
	"appconfig_resolve",
	"SELECT jsonb_build_object("
	"  'format', 1,"
	"  'app', jsonb_build_object('id', a.id, 'workspace_id', a.workspace_id,"
	"    'workspace_slug', w.slug, 'slug', a.slug, 'name', a.name,"
	"    'description', a.description, 'mode', a.mode,"
	"    'icon_type', a.icon_type, 'icon', a.icon,"
	"    'icon_background', a.icon_background, 'branding', a.branding,"
	"    'visibility', a.visibility),"
	"  'integrations', coalesce((SELECT jsonb_agg(jsonb_build_object("
	"      'id', i.id, 'name', i.name, 'kind', i.kind,"
	"      'base_url', i.base_url, 'status', i.status,"
	"      'auth', CASE WHEN c.id IS NULL THEN NULL ELSE jsonb_build_object("
	"        'id', c.id, 'name', c.name, 'type', c.type,"
	"        'settings', c.settings,"
	"        'secret_fields', to_jsonb(c.secret_fields)) END,"
	"      'workspace_integration', CASE WHEN wi.id IS NULL THEN NULL"
	"        ELSE jsonb_build_object('id', wi.id,"
	"        'workspace_id', wi.workspace_id, 'name', wi.name,"
	"        'kind', wi.kind, 'auth_mode', wi.auth_mode,"
	"        'connector_id', wi.connector_id, 'status', wi.status) END)"
	"      ORDER BY i.name, i.id)"
	"    FROM integrations i"
	"    LEFT JOIN auth_connections c ON c.id = i.auth_connection_id"
	"    LEFT JOIN workspace_integrations wi"
	"           ON wi.id = i.workspace_integration_id"
	"   WHERE i.app_id = a.id), '[]'),"
	"  'tools', coalesce((SELECT jsonb_agg(jsonb_build_object("
	"      'id', t.id, 'name', t.name, 'title', t.title,"
	"      'description', t.description, 'inputSchema', t.input_schema,"
	"      'annotations', t.annotations,"
	"      'operation', CASE WHEN o.id IS NULL THEN NULL ELSE "
	       OPERATION_REF("o") " END,"
	"      'binding', coalesce(t.binding, o.parameters, '{}'),"
	"      'chain', (SELECT jsonb_agg((s.step - 'operation_id')"
	"          || jsonb_build_object('operation', (SELECT "
	             STEP_OPERATION_REF("so")
	"              FROM operations so"
	"             WHERE so.app_id = a.id"
	"               AND so.id::text = s.step->>'operation_id'))"
	"          ORDER BY s.ord)"
	"        FROM jsonb_array_elements(t.chain) WITH ORDINALITY s(step, ord)),"
	"      'widget', wd.name)"
	"      ORDER BY t.name)"
	"    FROM tools t"
	"    LEFT JOIN operations o ON o.id = t.operation_id"
	"    LEFT JOIN widgets wd ON wd.id = t.widget_id"
	"   WHERE t.app_id = a.id AND t.enabled), '[]'),"
	"  'widgets', coalesce((SELECT jsonb_agg(jsonb_build_object("
	"      'id', x.id, 'name', x.name, 'title', x.title,"
	"      'description', x.description,"
	"      'uri', 'ui://widget/' || x.name || '.html',"
	"      'template', x.template, 'csp', x.csp,"
	"      'prefers_border', x.prefers_border, 'actions', x.actions)"
	"      ORDER BY x.name)"
	"    FROM widgets x WHERE x.app_id = a.id), '[]'),"
	"  'workflow', d.workflow),"
	"  d.id, d.revision"
	"  FROM apps a"
	"  JOIN workspaces w ON w.id = a.workspace_id"
	"  JOIN drafts d ON d.app_id = a.id"
	" WHERE a.id = $1"
};

/*
 * Replace each tool's explicit annotations by the effective ones, derived
 * from its operation's method (the first step's for a chain: a chain is
 * only as safe as its most dangerous step, so a chain with any step that
 * is not read-only derives from that step instead).
 */
static void
derive_annotations(json_object *config)
{
	json_object *tools = json_get_array(config, "tools");
	size_t i, j, steps, n = tools != NULL ?
	    json_object_array_length(tools) : 0;

	for (i = 0; i < n; i++) {
		json_object *tool = json_object_array_get_idx(tools, i);
		json_object *op = json_get_object(tool, "operation");
		json_object *chain = json_get_array(tool, "chain");
		json_object *derived;
		const char *method = json_get_string(op, "method");

		if (op == NULL && chain != NULL) {
			const char *methods[APPCONFIG_CHAIN_MAX];

			steps = json_object_array_length(chain);
			if (steps > APPCONFIG_CHAIN_MAX)
				steps = APPCONFIG_CHAIN_MAX;
			for (j = 0; j < steps; j++)
				methods[j] = json_get_string(json_get_object(
				    json_object_array_get_idx(chain, j),
				    "operation"), "method");
			method = tooldef_chain_method(methods, steps);
		}
		derived = tooldef_annotations(method,
		    json_get_object(tool, "annotations"));
		json_object_object_add(tool, "annotations", derived);
	}
}

int
appconfig_resolve(const char *app_id, json_object **config,
    struct appconfig_draft *draft, struct error *err)
{
	const char *params[] = { app_id };
	PGresult *res;
	json_object *value;

	*config = NULL;
	if (db_exec(&resolve_draft, 1, params, &res, err) != 0)
		return -1;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return error_set(err, ERR_APP_NOT_FOUND, NULL);
	}
	value = json_from_db(db_value(res, 0, 0));
	if (value == NULL) {
		PQclear(res);
		return error_set(err, ERR_INTERNAL,
		    "the resolved configuration is not JSON");
	}
	if (draft != NULL) {
		snprintf(draft->id, sizeof(draft->id), "%s",
		    db_value(res, 0, 1));
		draft->revision = db_int(res, 0, 2);
	}
	PQclear(res);
	derive_annotations(value);
	*config = value;
	return 0;
}

/* ---------------------------------------------------------------- */
/* Validation                                                       */

static const char *const secrets_none[] = { NULL };
static const char *const secrets_api_key[] = { "value", NULL };
static const char *const secrets_bearer[] = { "token", NULL };
static const char *const secrets_basic[] = { "password", NULL };
static const char *const secrets_oauth2[] = { "client_secret", NULL };

const char *const *
appconfig_auth_secret_fields(const char *type)
{
	if (type == NULL)
		return NULL;
	if (strcmp(type, "none") == 0)
		return secrets_none;
	if (strcmp(type, "api_key") == 0)
		return secrets_api_key;
	if (strcmp(type, "bearer") == 0)
		return secrets_bearer;
	if (strcmp(type, "basic") == 0)
		return secrets_basic;
	if (strcmp(type, "oauth2") == 0)
		return secrets_oauth2;
	return NULL;
}

struct report {
	json_object *errors;
	json_object *warnings;
};

/* Append {code, message, pointer} to list; the message is printf'd. */
static void report_add(json_object *list, const char *code,
    const char *pointer, const char *fmt, ...)
    __attribute__((__format__(printf, 4, 5)));

static void
report_add(json_object *list, const char *code, const char *pointer,
    const char *fmt, ...)
{
	json_object *entry = json_object_new_object();
	char message[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	json_put_string(entry, "code", code);
	json_put_string(entry, "message", message);
	json_put_string(entry, "pointer", pointer);
	json_object_array_add(list, entry);
}

/*
 * Write s escaped as one JSON Pointer reference token (~ as ~0, / as ~1)
 * into out, cut to fit.  Can't fail.
 */
static void
pointer_token(const char *s, char *out, size_t size)
{
	size_t o = 0;

	for (; *s != '\0' && o + 3 < size; s++) {
		if (*s == '~' || *s == '/') {
			out[o++] = '~';
			out[o++] = *s == '~' ? '0' : '1';
		} else
			out[o++] = *s;
	}
	out[o] = '\0';
}

/* Does the JSON array of strings hold s? */
static bool
array_has_string(json_object *array, const char *s)
{
	size_t i, n = array != NULL ? json_object_array_length(array) : 0;

	for (i = 0; i < n; i++) {
		json_object *v = json_object_array_get_idx(array, i);

		if (json_object_is_type(v, json_type_string) &&
		    strcmp(json_object_get_string(v), s) == 0)
			return true;
	}
	return false;
}

/* The integration with that id in config, and its index. */
static json_object *
find_integration(json_object *config, const char *id, size_t *index)
{
	json_object *list = json_get_array(config, "integrations");
	size_t i, n = list != NULL ? json_object_array_length(list) : 0;

	for (i = 0; id != NULL && i < n; i++) {
		json_object *it = json_object_array_get_idx(list, i);
		const char *iid = json_get_string(it, "id");

		if (iid != NULL && strcmp(iid, id) == 0) {
			*index = i;
			return it;
		}
	}
	return NULL;
}

static void
check_integrations(json_object *config, struct report *r)
{
	json_object *list = json_get_array(config, "integrations");
	size_t i, j, n = list != NULL ? json_object_array_length(list) : 0;
	char ptr[96];

	for (i = 0; i < n; i++) {
		json_object *it = json_object_array_get_idx(list, i);
		json_object *auth = json_get_object(it, "auth");
		json_object *attached = json_get_object(it,
		    "workspace_integration");
		const char *name = json_get_string(it, "name");
		const char *kind = json_get_string(it, "kind");
		const char *base = json_get_string(it, "base_url");
		const char *const *needed;

		if (kind != NULL && (base == NULL || base[0] == '\0')) {
			snprintf(ptr, sizeof(ptr), "/integrations/%zu/base_url",
			    i);
			report_add(r->errors, "integration_base_url_missing", ptr,
			    "Integration '%s' has no base URL to call.", name);
		} else if (base != NULL && !valid_is_http_url(base)) {
			snprintf(ptr, sizeof(ptr), "/integrations/%zu/base_url",
			    i);
			report_add(r->errors, "integration_base_url_invalid",
			    ptr, "The base URL of integration '%s' is not an"
			    " absolute http or https URL.", name);
		}
		if (attached != NULL && strcmp(json_get_string(attached,
		    "status"), "connected") != 0) {
			snprintf(ptr, sizeof(ptr), "/integrations/%zu/"
			    "workspace_integration/status", i);
			report_add(r->errors, "integration_not_connected", ptr,
			    "Integration '%s' uses workspace integration '%s',"
			    " which is %s, not connected.", name,
			    json_get_string(attached, "name"),
			    json_get_string(attached, "status"));
		}
		if (auth == NULL)
			continue;
		needed = appconfig_auth_secret_fields(
		    json_get_string(auth, "type"));
		for (j = 0; needed != NULL && needed[j] != NULL; j++) {
			if (array_has_string(json_get_array(auth,
			    "secret_fields"), needed[j]))
				continue;
			snprintf(ptr, sizeof(ptr),
			    "/integrations/%zu/auth/secret_fields", i);
			report_add(r->errors, "auth_secret_missing", ptr,
			    "Auth connection '%s' of integration '%s' has no"
			    " %s set.", json_get_string(auth, "name"), name,
			    needed[j]);
		}
	}
}

/* Is a JSON Schema an object schema with an object of properties? */
static bool
schema_is_object(json_object *schema)
{
	const char *type = json_get_string(schema, "type");
	json_object *props;

	if (type == NULL || strcmp(type, "object") != 0)
		return false;
	if (!json_object_object_get_ex(schema, "properties", &props))
		return true;
	return json_object_is_type(props, json_type_object);
}

/* Check a binding against the tool's input schema and its operation. */
static void
check_binding(json_object *tool, size_t t, json_object *op,
    struct report *r)
{
	json_object *schema = json_get_object(tool, "inputSchema");
	json_object *props = json_get_object(schema, "properties");
	json_object *required = json_get_array(schema, "required");
	json_object *binding = json_get_object(tool, "binding");
	const char *name = json_get_string(tool, "name");
	const char *path = json_get_string(op, "path");
	char ptr[512], token[256];

	if (binding == NULL)
		binding = json_object_new_object(); /* freed below */
	else
		json_object_get(binding);
	json_object_object_foreach(binding, prop, where) {
		const char *in = json_get_string(where, "in");
		const char *pname = json_get_string(where, "name");

		pointer_token(prop, token, sizeof(token));
		snprintf(ptr, sizeof(ptr), "/tools/%zu/binding/%s", t, token);
		if (props == NULL ||
		    !json_object_object_get_ex(props, prop, NULL))
			report_add(r->errors, "binding_unknown_property", ptr,
			    "Tool '%s' binds '%s', which its input schema does"
			    " not have.", name, prop);
		if (in == NULL || (strcmp(in, "path") != 0 &&
		    strcmp(in, "query") != 0 && strcmp(in, "header") != 0 &&
		    strcmp(in, "body") != 0)) {
			report_add(r->errors, "binding_location_invalid", ptr,
			    "Tool '%s' binds '%s' to no valid location (path,"
			    " query, header or body).", name, prop);
			continue;
		}
		if (strcmp(in, "body") != 0 && (pname == NULL ||
		    pname[0] == '\0')) {
			report_add(r->errors, "binding_location_invalid", ptr,
			    "Tool '%s' binds '%s' to the %s without a"
			    " parameter name.", name, prop, in);
			continue;
		}
		if (strcmp(in, "path") == 0 &&
		    !array_has_string(required, prop))
			report_add(r->errors, "path_parameter_not_required",
			    ptr, "Tool '%s' puts '%s' in the URL path, so its"
			    " input schema must require it.", name, prop);
	}
	if (props != NULL) {
		json_object_object_foreach(props, input, unused) {
			(void)unused;
			if (json_object_object_get_ex(binding, input, NULL))
				continue;
			pointer_token(input, token, sizeof(token));
			snprintf(ptr, sizeof(ptr),
			    "/tools/%zu/inputSchema/properties/%s", t, token);
			report_add(r->errors, "binding_property_unbound", ptr,
			    "Tool '%s' takes '%s' but does not say where it"
			    " goes in the request.", name, input);
		}
	}
	/* Every {parameter} of the path template needs a value. */
	while (path != NULL && (path = strchr(path, '{')) != NULL) {
		const char *end = strchr(path, '}');
		char param[256];
		bool bound = false;

		if (end == NULL || (size_t)(end - path - 1) >= sizeof(param))
			break;
		memcpy(param, path + 1, (size_t)(end - path - 1));
		param[end - path - 1] = '\0';
		json_object_object_foreach(binding, p2, w2) {
			const char *in = json_get_string(w2, "in");
			const char *pn = json_get_string(w2, "name");

			(void)p2;
			if (in != NULL && pn != NULL &&
			    strcmp(in, "path") == 0 &&
			    strcmp(pn, param) == 0)
				bound = true;
		}
		if (!bound) {
			snprintf(ptr, sizeof(ptr), "/tools/%zu/binding", t);
			report_add(r->errors, "path_parameter_unbound", ptr,
			    "Tool '%s' gives no value for the path parameter"
			    " '%s'.", name, param);
		}
		path = end + 1;
	}
	json_object_put(binding);
}

/* Check an operation a tool or chain step uses; ptr points at it. */
static void
check_operation_use(json_object *config, json_object *op, const char *ptr,
    const char *tool_name, struct report *r)
{
	json_object *integration;
	const char *status;
	size_t index = 0;

	status = json_get_string(op, "status");
	if (status != NULL && strcmp(status, "removed") == 0)
		report_add(r->errors, "operation_removed", ptr,
		    "Tool '%s' uses operation '%s', which the last discovery"
		    " no longer found.", tool_name, json_get_string(op, "key"));
	if (json_get_true(op, "deprecated"))
		report_add(r->warnings, "operation_deprecated", ptr,
		    "Tool '%s' uses operation '%s', which its API marks"
		    " deprecated.", tool_name, json_get_string(op, "key"));
	integration = find_integration(config,
	    json_get_string(op, "integration_id"), &index);
	status = json_get_string(integration, "status");
	if (status != NULL && strcmp(status, "disabled") == 0)
		report_add(r->errors, "integration_disabled", ptr,
		    "Tool '%s' uses integration '%s', which is disabled.",
		    tool_name, json_get_string(integration, "name"));
	else if (status != NULL && strcmp(status, "error") == 0)
		report_add(r->warnings, "integration_error", ptr,
		    "Tool '%s' uses integration '%s', whose last discovery"
		    " failed.", tool_name, json_get_string(integration, "name"));
}

/*
 * Check the {{...}} references in a chain step's argument value: input.X
 * must be an input property, steps.NAME... an earlier step.
 */
static void
check_references(json_object *value, json_object *props,
    json_object *chain, size_t step, const char *ptr, const char *tool,
    struct report *r)
{
	const char *s, *open, *close;
	size_t i;

	if (json_object_is_type(value, json_type_object)) {
		json_object_object_foreach(value, k, v) {
			(void)k;
			check_references(v, props, chain, step, ptr, tool, r);
		}
		return;
	}
	if (json_object_is_type(value, json_type_array)) {
		for (i = 0; i < json_object_array_length(value); i++)
			check_references(json_object_array_get_idx(value, i),
			    props, chain, step, ptr, tool, r);
		return;
	}
	if (!json_object_is_type(value, json_type_string))
		return;
	for (s = json_object_get_string(value);
	    (open = strstr(s, "{{")) != NULL; s = close + 2) {
		char ref[256], head[128];
		const char *dot;
		bool ok = false;
		size_t len;

		close = strstr(open + 2, "}}");
		if (close == NULL) {
			report_add(r->errors, "chain_reference_invalid", ptr,
			    "Tool '%s' has an unclosed {{ in a chain"
			    " argument.", tool);
			return;
		}
		len = (size_t)(close - open - 2);
		if (len >= sizeof(ref))
			len = sizeof(ref) - 1;
		memcpy(ref, open + 2, len);
		ref[len] = '\0';
		if (strncmp(ref, "input.", 6) == 0) {
			dot = strchr(ref + 6, '.');
			len = dot != NULL ? (size_t)(dot - ref - 6) :
			    strlen(ref + 6);
			snprintf(head, sizeof(head), "%.*s", (int)len, ref + 6);
			ok = props != NULL &&
			    json_object_object_get_ex(props, head, NULL);
		} else if (strncmp(ref, "steps.", 6) == 0) {
			dot = strchr(ref + 6, '.');
			len = dot != NULL ? (size_t)(dot - ref - 6) :
			    strlen(ref + 6);
			snprintf(head, sizeof(head), "%.*s", (int)len, ref + 6);
			for (i = 0; i < step; i++) {
				const char *n = json_get_string(
				    json_object_array_get_idx(chain, i),
				    "name");

				if (n != NULL && strcmp(n, head) == 0)
					ok = true;
			}
		}
		if (!ok)
			report_add(r->errors, "chain_reference_invalid", ptr,
			    "Tool '%s' refers to {{%s}}, which is neither an"
			    " input property nor an earlier step.", tool, ref);
	}
}

static void
check_chain(json_object *config, json_object *tool, size_t t,
    struct report *r)
{
	json_object *chain = json_get_array(tool, "chain");
	json_object *props = json_get_object(json_get_object(tool,
	    "inputSchema"), "properties");
	const char *name = json_get_string(tool, "name");
	size_t i, j, n = json_object_array_length(chain);
	char ptr[128];

	if (n == 0) {
		snprintf(ptr, sizeof(ptr), "/tools/%zu/chain", t);
		report_add(r->errors, "chain_empty", ptr,
		    "Chain tool '%s' has no steps.", name);
		return;
	}
	for (i = 0; i < n; i++) {
		json_object *step = json_object_array_get_idx(chain, i);
		json_object *op = json_get_object(step, "operation");
		json_object *args = json_get_object(step, "arguments");
		json_object *op_schema = json_get_object(op, "input_schema");
		json_object *op_props = json_get_object(op_schema,
		    "properties");
		json_object *op_required = json_get_array(op_schema,
		    "required");
		const char *step_name = json_get_string(step, "name");

		snprintf(ptr, sizeof(ptr), "/tools/%zu/chain/%zu", t, i);
		for (j = 0; step_name != NULL && j < i; j++) {
			const char *other = json_get_string(
			    json_object_array_get_idx(chain, j), "name");

			if (other != NULL && strcmp(other, step_name) == 0)
				report_add(r->errors,
				    "chain_step_name_duplicate", ptr,
				    "Chain tool '%s' has two steps named"
				    " '%s'.", name, step_name);
		}
		if (op == NULL) {
			report_add(r->errors, "chain_step_operation_missing",
			    ptr, "Step %zu of chain tool '%s' names no"
			    " operation of this app.", i + 1, name);
			continue;
		}
		check_operation_use(config, op, ptr, name, r);
		if (args != NULL) {
			json_object_object_foreach(args, arg, v) {
				char aptr[512], token[256];

				pointer_token(arg, token, sizeof(token));
				snprintf(aptr, sizeof(aptr),
				    "/tools/%zu/chain/%zu/arguments/%s", t, i,
				    token);
				if (op_props == NULL ||
				    !json_object_object_get_ex(op_props, arg,
				    NULL))
					report_add(r->errors,
					    "chain_argument_unknown", aptr,
					    "Step %zu of chain tool '%s' sets"
					    " '%s', which operation '%s' does"
					    " not take.", i + 1, name, arg,
					    json_get_string(op, "key"));
				check_references(v, props, chain, i, aptr,
				    name, r);
			}
		}
		for (j = 0; op_required != NULL &&
		    j < json_object_array_length(op_required); j++) {
			const char *req = json_object_get_string(
			    json_object_array_get_idx(op_required, j));

			if (req != NULL && (args == NULL ||
			    !json_object_object_get_ex(args, req, NULL)))
				report_add(r->errors,
				    "chain_argument_missing", ptr,
				    "Step %zu of chain tool '%s' does not set"
				    " '%s', which operation '%s' requires.",
				    i + 1, name, req,
				    json_get_string(op, "key"));
		}
	}
}

static void
check_tools(json_object *config, struct report *r)
{
	json_object *list = json_get_array(config, "tools");
	size_t i, n = list != NULL ? json_object_array_length(list) : 0;
	char ptr[96];

	if (n == 0 && json_get_object(config, "workflow") == NULL)
		report_add(r->errors, "no_tools", "/tools",
		    "The draft has no enabled tools, so an MCP client would"
		    " see nothing.");
	for (i = 0; i < n; i++) {
		json_object *tool = json_object_array_get_idx(list, i);
		json_object *op = json_get_object(tool, "operation");
		const char *name = json_get_string(tool, "name");
		const char *desc = json_get_string(tool, "description");

		if (!schema_is_object(json_get_object(tool, "inputSchema"))) {
			snprintf(ptr, sizeof(ptr), "/tools/%zu/inputSchema", i);
			report_add(r->errors, "input_schema_invalid", ptr,
			    "The input schema of tool '%s' must be a JSON"
			    " Schema of type object.", name);
		}
		if (desc == NULL || desc[0] == '\0') {
			snprintf(ptr, sizeof(ptr), "/tools/%zu/description", i);
			report_add(r->warnings, "tool_description_missing", ptr,
			    "Tool '%s' has no description; models choose tools"
			    " by their descriptions.", name);
		}
		if (op != NULL) {
			snprintf(ptr, sizeof(ptr), "/tools/%zu/operation", i);
			check_operation_use(config, op, ptr, name, r);
			if (json_get_string(op, "method") != NULL)
				check_binding(tool, i, op, r);
		} else if (json_get_array(tool, "chain") != NULL) {
			check_chain(config, tool, i, r);
		} else {
			snprintf(ptr, sizeof(ptr), "/tools/%zu/operation", i);
			report_add(r->errors, "tool_operation_missing", ptr,
			    "Tool '%s' has neither an operation nor a chain to"
			    " run.", name);
		}
	}
}

/* Is there a tool named name in config? */
static bool
tool_exists(json_object *config, const char *name)
{
	json_object *list = json_get_array(config, "tools");
	size_t i, n = list != NULL ? json_object_array_length(list) : 0;

	for (i = 0; name != NULL && i < n; i++) {
		const char *t = json_get_string(
		    json_object_array_get_idx(list, i), "name");

		if (t != NULL && strcmp(t, name) == 0)
			return true;
	}
	return false;
}

static void
check_widgets(json_object *config, struct report *r)
{
	json_object *list = json_get_array(config, "widgets");
	json_object *tools = json_get_array(config, "tools");
	size_t i, j, n = list != NULL ? json_object_array_length(list) : 0;
	char ptr[96];

	for (i = 0; i < n; i++) {
		json_object *w = json_object_array_get_idx(list, i);
		json_object *actions = json_get_array(w, "actions");
		const char *name = json_get_string(w, "name");
		bool used = false;

		for (j = 0; tools != NULL &&
		    j < json_object_array_length(tools); j++) {
			const char *wn = json_get_string(
			    json_object_array_get_idx(tools, j), "widget");

			if (wn != NULL && name != NULL && strcmp(wn, name) == 0)
				used = true;
		}
		if (!used) {
			snprintf(ptr, sizeof(ptr), "/widgets/%zu", i);
			report_add(r->warnings, "widget_unused", ptr,
			    "Widget '%s' is not used by any tool.", name);
		}
		for (j = 0; actions != NULL &&
		    j < json_object_array_length(actions); j++) {
			json_object *a = json_object_array_get_idx(actions, j);
			const char *type = json_get_string(a, "type");
			const char *tool = json_get_string(a, "tool");

			if (type == NULL || strcmp(type, "tool_call") != 0 ||
			    tool_exists(config, tool))
				continue;
			snprintf(ptr, sizeof(ptr),
			    "/widgets/%zu/actions/%zu/tool", i, j);
			report_add(r->errors, "widget_action_tool_unknown", ptr,
			    "Action '%s' of widget '%s' calls tool '%s', which"
			    " the draft does not have.",
			    json_get_string(a, "name"), name,
			    tool != NULL ? tool : "(none)");
		}
	}
}

/*
 * The graph of the workflow (Dify's workflow mapping: graph, features,
 * ...): lib/wfgraph's checks, pointers under /workflow/graph.
 */
static void
check_workflow(json_object *config, struct report *r)
{
	json_object *graph = json_get_object(json_get_object(config,
	    "workflow"), "graph");
	struct error err = { 0 };

	if (graph == NULL)
		return;
	/* Only memory can fail here; the report is then shorter. */
	if (wfgraph_check(graph, "/workflow/graph", r->errors, r->warnings,
	    &err) != 0)
		error_clear(&err);
}

json_object *
appconfig_validate(json_object *config)
{
	struct report r = {
		.errors = json_object_new_array(),
		.warnings = json_object_new_array(),
	};
	json_object *result = json_object_new_object();
	const char *desc = json_get_string(json_get_object(config, "app"),
	    "description");

	check_integrations(config, &r);
	check_tools(config, &r);
	check_widgets(config, &r);
	check_workflow(config, &r);
	if (desc == NULL || desc[0] == '\0')
		report_add(r.warnings, "app_description_missing",
		    "/app/description", "The app has no description.");
	json_put_bool(result, "valid",
	    json_object_array_length(r.errors) == 0);
	json_object_object_add(result, "errors", r.errors);
	json_object_object_add(result, "warnings", r.warnings);
	return result;
}

/*
 * template.c: checking, listing and instantiating app templates (see
 * template.h and docs/templates.md).
 *
 * template_check() stops at the first fault and names it with a JSON
 * Pointer, so an operator can find it in the file.  The rules it cannot
 * check (that a document is a faithful subset of the real API, that it
 * validates against the OpenAPI schema of its version) are the template
 * author's, as docs/templates.md says.
 *
 * SPDX-License-Identifier: MIT
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "appconfig.h"
#include "appstore.h"
#include "appwrite.h"
#include "db.h"
#include "jsonutil.h"
#include "oas.h"
#include "page.h"
#include "template.h"
#include "valid.h"

#include "authconn.h"
#include "integration.h"
#include "widget.h"

const char *const template_categories[] = {
	"developer-tools", "productivity", "data", "communication",
	"commerce", "other", NULL
};

static const char *const auth_types[] = {
	"none", "api_key", "bearer", "basic", "oauth2", NULL
};

#define POINTER_MAX 512

/* ---------------------------------------------------------------- */
/* Checking                                                         */

/* Report the fault at pointer.  Always returns -1. */
static int __attribute__((__format__(printf, 3, 4)))
fault(struct error *err, const char *pointer, const char *fmt, ...)
{
	char message[sizeof(err->message)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	error_set(err, ERR_VALIDATION, "%s", message);
	error_add_detail(err, "body", pointer[0] == '\0' ? "/" : pointer,
	    message, "template_format");
	return -1;
}

/* Append "/" and token, escaped as JSON Pointer says, to at.  Can't fail. */
static void
pointer_append(char *at, size_t size, const char *token)
{
	size_t o = strlen(at);

	if (o + 1 >= size)
		return;
	at[o++] = '/';
	for (; *token != '\0' && o + 2 < size; token++) {
		if (*token == '/' || *token == '~') {
			at[o++] = '~';
			at[o++] = *token == '/' ? '1' : '0';
		} else {
			at[o++] = *token;
		}
	}
	at[o] = '\0';
}

/*
 * Format a pointer into at, cut to size (a pointer only names a place in
 * an error message; a cut one still points near).  Can't fail.
 */
static void __attribute__((__format__(printf, 3, 4)))
pointer_printf(char *at, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(at, size, fmt, ap);
	va_end(ap);
}

/* Set at to the pointer base followed by the token key.  Can't fail. */
static void
pointer_join(char *at, size_t size, const char *base, const char *key)
{
	size_t n = strlen(base);

	if (n >= size)
		n = size - 1;
	memcpy(at, base, n);
	at[n] = '\0';
	pointer_append(at, size, key);
}

/* Length of a UTF-8 string in characters.  Can't fail. */
static size_t
chars(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

static bool
in_list(const char *s, const char *const *list)
{
	size_t i;

	for (i = 0; list[i] != NULL; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}

/* Is s a name of [A-Za-z0-9_-]{1,64}? */
static bool
is_short_name(const char *s)
{
	size_t i, n = strlen(s);

	if (n < 1 || n > 64)
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' &&
		    s[i] != '-')
			return false;
	return true;
}

/* Is s an id: ^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$ */
static bool
is_id(const char *s)
{
	size_t i, n = strlen(s);

	if (n < 1 || n > 63 || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (i = 0; i < n; i++)
		if (!islower((unsigned char)s[i]) &&
		    !isdigit((unsigned char)s[i]) && s[i] != '-')
			return false;
	return true;
}

/* Is s a lower-case word: ^[a-z0-9]+(-[a-z0-9]+)*$ */
static bool
is_word(const char *s)
{
	return is_id(s) && strstr(s, "--") == NULL;
}

/* Is s a colour #RRGGBB? */
static bool
is_color(const char *s)
{
	size_t i;

	if (strlen(s) != 7 || s[0] != '#')
		return false;
	for (i = 1; i < 7; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* Is s an https URL of at most 2048 characters? */
static bool
is_https_url(const char *s)
{
	return strncmp(s, "https://", 8) == 0 && strlen(s) <= 2048 &&
	    valid_is_http_url(s);
}

/* Refuse members of obj not in allowed. */
static int
only_members(json_object *obj, const char *const *allowed,
    const char *pointer, struct error *err)
{
	char at[POINTER_MAX];

	json_object_object_foreach(obj, key, value) {
		(void)value;
		if (in_list(key, allowed))
			continue;
		pointer_join(at, sizeof(at), pointer, key);
		return fault(err, at, "Unknown field \"%.64s\".", key);
	}
	return 0;
}

/*
 * Member key of obj as a string of min..max characters into *out.  An
 * absent member is a fault unless optional (then *out is NULL).
 */
static int
want_string(json_object *obj, const char *key, const char *pointer,
    size_t min, size_t max, bool optional, const char **out,
    struct error *err)
{
	char at[POINTER_MAX];
	json_object *value;
	size_t n;

	*out = NULL;
	pointer_join(at, sizeof(at), pointer, key);
	if (!json_object_object_get_ex(obj, key, &value)) {
		if (optional)
			return 0;
		return fault(err, at, "\"%s\" is required.", key);
	}
	if (!json_object_is_type(value, json_type_string))
		return fault(err, at, "\"%s\" must be a string.", key);
	*out = json_object_get_string(value);
	n = chars(*out);
	if (n < min || n > max)
		return fault(err, at, "\"%s\" must have %zu to %zu"
		    " characters.", key, min, max);
	return 0;
}

/* Member key of obj as a value of type into *out (required). */
static int
want_type(json_object *obj, const char *key, const char *pointer,
    json_type type, const char *type_name, json_object **out,
    struct error *err)
{
	char at[POINTER_MAX];

	pointer_join(at, sizeof(at), pointer, key);
	if (!json_object_object_get_ex(obj, key, out))
		return fault(err, at, "\"%s\" is required.", key);
	if (!json_object_is_type(*out, type))
		return fault(err, at, "\"%s\" must be %s.", key, type_name);
	return 0;
}

/*
 * Is member key of obj a string or null (*out NULL)?  Required.
 */
static int
want_string_or_null(json_object *obj, const char *key, const char *pointer,
    const char **out, struct error *err)
{
	char at[POINTER_MAX];
	json_object *value;

	*out = NULL;
	pointer_join(at, sizeof(at), pointer, key);
	if (!json_object_object_get_ex(obj, key, &value))
		return fault(err, at, "\"%s\" is required (null for none).",
		    key);
	if (value == NULL)
		return 0;
	if (!json_object_is_type(value, json_type_string))
		return fault(err, at, "\"%s\" must be a string or null.", key);
	*out = json_object_get_string(value);
	return 0;
}

/* Index of the entry of array whose "name" is name, or -1. */
static int
find_named(json_object *array, const char *name)
{
	size_t i;

	for (i = 0; i < json_object_array_length(array); i++) {
		const char *n = json_get_string(
		    json_object_array_get_idx(array, i), "name");

		if (n != NULL && strcmp(n, name) == 0)
			return (int)i;
	}
	return -1;
}

/* Is entry i of array named like an earlier one? */
static bool
named_before(json_object *array, size_t i, const char *name)
{
	int first = find_named(array, name);

	return first >= 0 && (size_t)first < i;
}

static int
check_branding(json_object *branding, const char *pointer,
    struct error *err)
{
	static const char *const keys[] = { "primary_color", "logo_url",
	    "website_url", "privacy_policy_url", "terms_of_service_url",
	    NULL };
	char at[POINTER_MAX];

	if (only_members(branding, keys, pointer, err) != 0)
		return -1;
	json_object_object_foreach(branding, key, value) {
		const char *s = json_object_is_type(value, json_type_string) ?
		    json_object_get_string(value) : NULL;

		pointer_join(at, sizeof(at), pointer, key);
		if (strcmp(key, "primary_color") == 0) {
			if (s == NULL || !is_color(s))
				return fault(err, at, "A colour is #RRGGBB.");
		} else if (s == NULL || !is_https_url(s)) {
			return fault(err, at, "\"%s\" must be an https URL.",
			    key);
		}
	}
	return 0;
}

static int
check_app(json_object *app, struct error *err)
{
	static const char *const keys[] = { "description", "branding", NULL };
	json_object *branding;
	const char *s;

	if (only_members(app, keys, "/app", err) != 0 ||
	    want_string(app, "description", "/app", 0, 4000, false, &s,
	    err) != 0 ||
	    want_type(app, "branding", "/app", json_type_object, "an object",
	    &branding, err) != 0)
		return -1;
	return check_branding(branding, "/app/branding", err);
}

/*
 * Turn the first detail of a failed model check (sub) into a template
 * fault at base plus the detail's loc after its first skip parts, so a
 * template is held to exactly the rules the API applies.  Clears sub.
 * Returns -1.
 */
static int
fault_from_check(struct error *err, struct error *sub, const char *base,
    size_t skip)
{
	json_object *detail = NULL, *loc;
	char at[POINTER_MAX];
	const char *msg;
	size_t i;

	if (sub->details != NULL &&
	    json_object_array_length(sub->details) > 0)
		detail = json_object_array_get_idx(sub->details, 0);
	pointer_printf(at, sizeof(at), "%s", base);
	loc = json_get_array(detail, "loc");
	for (i = skip; loc != NULL && i < json_object_array_length(loc); i++)
		pointer_append(at, sizeof(at), json_object_get_string(
		    json_object_array_get_idx(loc, i)));
	msg = json_get_string(detail, "msg");
	fault(err, at, "%.300s", msg != NULL ? msg : sub->message);
	error_clear(sub);
	return -1;
}

/*
 * The settings of an auth connection of type, by authconn_check(): a
 * template can never make a connection the API would refuse.
 */
static int
check_settings(const char *type, json_object *settings, const char *pointer,
    struct error *err)
{
	static const char *const urls[] = { "token_url", "authorize_url",
	    NULL };
	struct error sub = { 0 };
	char at[POINTER_MAX];
	const char *url;
	size_t i;

	/* Details are at ["body", "settings", member...]. */
	if (authconn_check(type, settings, NULL, &sub) != 0)
		return fault_from_check(err, &sub, pointer, 2);
	/* The services templates are for take OAuth over TLS only. */
	for (i = 0; urls[i] != NULL; i++) {
		url = json_get_string(settings, urls[i]);
		pointer_join(at, sizeof(at), pointer, urls[i]);
		if (url != NULL && !is_https_url(url))
			return fault(err, at, "\"%s\" must be an https URL.",
			    urls[i]);
	}
	return 0;
}

static int
check_auth_connections(json_object *list, struct error *err)
{
	static const char *const keys[] = { "name", "type", "settings",
	    "help", NULL };
	char at[POINTER_MAX];
	json_object *settings;
	const char *name, *type, *help;
	size_t i;

	for (i = 0; i < json_object_array_length(list); i++) {
		json_object *c = json_object_array_get_idx(list, i);

		snprintf(at, sizeof(at), "/auth_connections/%zu", i);
		if (!json_object_is_type(c, json_type_object))
			return fault(err, at, "An auth connection is an"
			    " object.");
		if (only_members(c, keys, at, err) != 0 ||
		    want_string(c, "name", at, 1, 255, false, &name,
		    err) != 0 ||
		    want_string(c, "type", at, 1, 16, false, &type,
		    err) != 0 ||
		    want_type(c, "settings", at, json_type_object,
		    "an object", &settings, err) != 0 ||
		    want_string(c, "help", at, 1, 1000, false, &help,
		    err) != 0)
			return -1;
		if (named_before(list, i, name))
			return fault(err, at, "Two auth connections are named"
			    " \"%.64s\".", name);
		if (!in_list(type, auth_types))
			return fault(err, at, "\"type\" is none, api_key,"
			    " bearer, basic or oauth2.");
		snprintf(at, sizeof(at), "/auth_connections/%zu/settings", i);
		if (check_settings(type, settings, at, err) != 0)
			return -1;
	}
	return 0;
}

/* Is the OpenAPI method name one oas_discover reads? */
static bool
is_method(const char *key)
{
	static const char *const methods[] = { "get", "put", "post",
	    "delete", "options", "head", "patch", "trace", NULL };

	return in_list(key, methods);
}

/*
 * Check an integration's inline document and discover its operations:
 * every operation has an operationId, discovery warns about nothing.
 * Returns 0 with a new *operations, or -1 and err.
 */
static int
check_document(json_object *doc, const char *base_url, const char *pointer,
    json_object **operations, struct error *err)
{
	char at[POINTER_MAX];
	json_object *info, *servers, *paths, *warnings = NULL;
	struct oas_info oas;
	struct error discovery = { .code = ERR_NONE };
	const char *version, *s;
	size_t i;

	*operations = NULL;
	if (want_string(doc, "openapi", pointer, 1, 15, false, &version,
	    err) != 0)
		return -1;
	pointer_join(at, sizeof(at), pointer, "openapi");
	if (strncmp(version, "3.0.", 4) != 0 &&
	    strncmp(version, "3.1.", 4) != 0)
		return fault(err, at, "The document must be OpenAPI 3.0.x or"
		    " 3.1.x.");
	if (want_type(doc, "info", pointer, json_type_object, "an object",
	    &info, err) != 0)
		return -1;
	pointer_join(at, sizeof(at), pointer, "info");
	if (want_string(info, "title", at, 1, 255, false, &s, err) != 0 ||
	    want_string(info, "version", at, 1, 63, false, &s, err) != 0)
		return -1;
	if (want_type(doc, "servers", pointer, json_type_array, "an array",
	    &servers, err) != 0)
		return -1;
	pointer_printf(at, sizeof(at), "%s/servers/0/url", pointer);
	s = json_get_string(json_object_array_get_idx(servers, 0), "url");
	if (s == NULL || strcmp(s, base_url) != 0)
		return fault(err, at, "servers[0].url must equal the"
		    " integration's base_url.");
	if (want_type(doc, "paths", pointer, json_type_object, "an object",
	    &paths, err) != 0)
		return -1;
	json_object_object_foreach(paths, path, item) {
		if (!json_object_is_type(item, json_type_object))
			continue;
		json_object_object_foreach(item, method, op) {
			if (!is_method(method))
				continue;
			if (json_get_string(op, "operationId") != NULL)
				continue;
			pointer_join(at, sizeof(at), pointer, "paths");
			pointer_append(at, sizeof(at), path);
			pointer_append(at, sizeof(at), method);
			return fault(err, at, "Every operation needs an"
			    " operationId.");
		}
	}
	if (oas_discover(doc, operations, &warnings, &oas, &discovery) != 0) {
		const char *inner = "";
		json_object *d = NULL, *loc = NULL;

		if (json_object_is_type(discovery.details, json_type_array) &&
		    json_object_array_length(discovery.details) > 0)
			d = json_object_array_get_idx(discovery.details, 0);
		if (d != NULL && json_object_object_get_ex(d, "loc", &loc) &&
		    json_object_is_type(loc, json_type_array) &&
		    json_object_array_length(loc) >= 2)
			inner = json_object_get_string(
			    json_object_array_get_idx(loc, 1));
		pointer_printf(at, sizeof(at), "%s%s", pointer,
		    strcmp(inner, "/") == 0 ? "" : inner);
		fault(err, at, "OpenAPI discovery refuses the document:"
		    " %.180s", discovery.message);
		error_clear(&discovery);
		return -1;
	}
	if (json_object_array_length(warnings) > 0) {
		json_object *w = json_object_array_get_idx(warnings, 0);
		const char *inner = json_get_string(w, "pointer");

		pointer_printf(at, sizeof(at), "%s%s", pointer,
		    inner != NULL ? inner : "");
		fault(err, at, "OpenAPI discovery warns: %.200s",
		    json_get_string(w, "message") != NULL ?
		    json_get_string(w, "message") : "?");
		json_object_put(warnings);
		json_object_put(*operations);
		*operations = NULL;
		return -1;
	}
	json_object_put(warnings);
	for (i = 0; i < json_object_array_length(*operations); i++)
		if (json_get_string(json_object_array_get_idx(*operations, i),
		    "operation_id") == NULL) {
			json_object_put(*operations);
			*operations = NULL;
			return fault(err, pointer, "Every operation needs an"
			    " operationId.");
		}
	return 0;
}

/*
 * Check the integrations; fill ops (an object, integration name ->
 * array of discovered operations).
 */
static int
check_integrations(json_object *list, json_object *auth,
    json_object *ops, struct error *err)
{
	static const char *const keys[] = { "name", "kind", "base_url",
	    "auth_connection", "openapi", NULL };
	char at[POINTER_MAX];
	json_object *doc, *found;
	const char *name, *kind, *base_url, *connection;
	size_t i, n;

	for (i = 0; i < json_object_array_length(list); i++) {
		json_object *it = json_object_array_get_idx(list, i);

		snprintf(at, sizeof(at), "/integrations/%zu", i);
		if (!json_object_is_type(it, json_type_object))
			return fault(err, at, "An integration is an object.");
		if (only_members(it, keys, at, err) != 0 ||
		    want_string(it, "name", at, 1, 255, false, &name,
		    err) != 0 ||
		    want_string(it, "kind", at, 1, 16, false, &kind,
		    err) != 0 ||
		    want_string(it, "base_url", at, 1, 2048, false, &base_url,
		    err) != 0 ||
		    want_string_or_null(it, "auth_connection", at,
		    &connection, err) != 0 ||
		    want_type(it, "openapi", at, json_type_object,
		    "an object", &doc, err) != 0)
			return -1;
		if (named_before(list, i, name))
			return fault(err, at, "Two integrations are named"
			    " \"%.64s\".", name);
		snprintf(at, sizeof(at), "/integrations/%zu/kind", i);
		if (strcmp(kind, "openapi") != 0)
			return fault(err, at, "\"kind\" is openapi.");
		snprintf(at, sizeof(at), "/integrations/%zu/base_url", i);
		n = strlen(base_url);
		if (!is_https_url(base_url) || base_url[n - 1] == '/')
			return fault(err, at, "\"base_url\" is an https URL"
			    " without a trailing slash.");
		snprintf(at, sizeof(at), "/integrations/%zu/auth_connection",
		    i);
		if (connection != NULL && find_named(auth, connection) < 0)
			return fault(err, at, "No auth connection is named"
			    " \"%.64s\".", connection);
		snprintf(at, sizeof(at), "/integrations/%zu/openapi", i);
		if (check_document(doc, base_url, at, &found, err) != 0)
			return -1;
		json_object_object_add(ops, name, found);
	}
	for (i = 0; i < json_object_array_length(auth); i++) {
		const char *used = json_get_string(
		    json_object_array_get_idx(auth, i), "name");
		size_t k;
		bool is_used = false;

		for (k = 0; k < json_object_array_length(list); k++) {
			const char *c = json_get_string(
			    json_object_array_get_idx(list, k),
			    "auth_connection");

			if (c != NULL && strcmp(c, used) == 0)
				is_used = true;
		}
		snprintf(at, sizeof(at), "/auth_connections/%zu", i);
		if (!is_used)
			return fault(err, at, "No integration uses auth"
			    " connection \"%.64s\".", used);
	}
	return 0;
}

/* Does the attribute value or CSS url at v start with an absolute URL? */
static bool
is_remote_reference(const char *v)
{
	while (*v == ' ' || *v == '\t' || *v == '\n' || *v == '\r' ||
	    *v == '"' || *v == '\'')
		v++;
	return strncasecmp(v, "http:", 5) == 0 ||
	    strncasecmp(v, "https:", 6) == 0 || strncmp(v, "//", 2) == 0;
}

/* Is p (in html) inside a tag: after a '<' with no '>' since? */
static bool
in_tag(const char *html, const char *p)
{
	while (p > html) {
		p--;
		if (*p == '>')
			return false;
		if (*p == '<')
			return true;
	}
	return false;
}

/*
 * Does html load nothing from elsewhere?  No <link>, no @import, no
 * attribute that loads or sends (src, srcset, href, poster, data,
 * action, formaction) with an absolute URL, spaces around '=' or not,
 * every srcset candidate included, and no CSS url() of one.  A check for
 * the templates drio ships, not a sandbox: the client's CSP is that.
 */
static bool
html_is_self_contained(const char *html)
{
	static const char *const attributes[] = { "src", "srcset", "href",
	    "poster", "data", "action", "formaction", NULL };
	const char *p, *v;
	size_t i, n;

	if (strcasestr(html, "<link") != NULL ||
	    strcasestr(html, "@import") != NULL)
		return false;
	for (p = html; (p = strcasestr(p, "url(")) != NULL; p++)
		if (is_remote_reference(p + 4))
			return false;
	for (i = 0; attributes[i] != NULL; i++) {
		n = strlen(attributes[i]);
		for (p = html; (p = strcasestr(p, attributes[i])) != NULL;
		    p++) {
			if (p == html || strchr(" \t\r\n\"'/", p[-1]) == NULL ||
			    !in_tag(html, p))
				continue;
			v = p + n;
			while (*v == ' ' || *v == '\t' || *v == '\n' ||
			    *v == '\r')
				v++;
			if (*v != '=')
				continue;
			v++;
			if (is_remote_reference(v))
				return false;
			if (strcmp(attributes[i], "srcset") != 0)
				continue;
			/* Every candidate of a srcset counts. */
			for (; *v != '\0' && *v != '>'; v++)
				if (*v == ',' && is_remote_reference(v + 1))
					return false;
		}
	}
	return true;
}

/*
 * Widget w (at pointer at) by widget_check(), the API's own rules (csp
 * origins, lengths, actions), so instantiating it cannot fail on them.
 */
static int
check_widget_fields(json_object *w, const char *at, struct error *err)
{
	struct widget_fields fields = {
		.name = json_get_string(w, "name"),
		.title = json_get_string(w, "title"),
		.description = json_get_string(w, "description"),
		.template = json_get_string(w, "template"),
		.csp = json_get_object(w, "csp"),
		.actions = json_get_array(w, "actions"),
		.prefers_border = json_get_true(w, "prefers_border") ? 1 : 0,
	};
	struct error sub = { 0 };

	if (widget_check(&fields, true, &sub) == 0)
		return 0;
	/* Details are at ["body", field, member...]. */
	return fault_from_check(err, &sub, at, 1);
}

static int
check_widgets(json_object *list, json_object *tools, struct error *err)
{
	static const char *const keys[] = { "name", "title", "description",
	    "template", "actions", "csp", "prefers_border", NULL };
	static const char *const action_keys[] = { "name", "label", "type",
	    "tool", NULL };
	char at[POINTER_MAX], pat[POINTER_MAX];
	json_object *actions, *value;
	const char *name, *s, *html;
	size_t i, k;

	for (i = 0; i < json_object_array_length(list); i++) {
		json_object *w = json_object_array_get_idx(list, i);

		snprintf(at, sizeof(at), "/widgets/%zu", i);
		if (!json_object_is_type(w, json_type_object))
			return fault(err, at, "A widget is an object.");
		if (only_members(w, keys, at, err) != 0 ||
		    want_string(w, "name", at, 1, 64, false, &name,
		    err) != 0 ||
		    want_string(w, "title", at, 0, 255, false, &s,
		    err) != 0 ||
		    want_string(w, "description", at, 0, 4000, false, &s,
		    err) != 0 ||
		    want_string(w, "template", at, 1, 524288, false, &html,
		    err) != 0 ||
		    want_type(w, "actions", at, json_type_array, "an array",
		    &actions, err) != 0)
			return -1;
		if (!is_short_name(name) || named_before(list, i, name))
			return fault(err, at, "A widget name is 1 to 64 of"
			    " A-Z, a-z, 0-9, _ and -, unique in the"
			    " template.");
		pointer_join(pat, sizeof(pat), at, "template");
		while (isspace((unsigned char)*html))
			html++;
		if (strlen(html) > 524288 ||
		    strncasecmp(html, "<!doctype html>", 15) != 0)
			return fault(err, pat, "A widget template is a whole"
			    " HTML document (<!doctype html>) of at most"
			    " 512 KiB.");
		if (!html_is_self_contained(html))
			return fault(err, pat, "A widget template loads"
			    " nothing from elsewhere: inline CSS and script"
			    " only.");
		pointer_join(pat, sizeof(pat), at, "csp");
		if (json_object_object_get_ex(w, "csp", &value) &&
		    !json_object_is_type(value, json_type_object))
			return fault(err, pat, "\"csp\" is an object.");
		pointer_join(pat, sizeof(pat), at, "prefers_border");
		if (json_object_object_get_ex(w, "prefers_border", &value) &&
		    !json_object_is_type(value, json_type_boolean))
			return fault(err, pat, "\"prefers_border\" is a"
			    " boolean.");
		for (k = 0; k < json_object_array_length(actions); k++) {
			json_object *a = json_object_array_get_idx(actions,
			    k);

			pointer_printf(pat, sizeof(pat), "%s/actions/%zu", at, k);
			if (!json_object_is_type(a, json_type_object))
				return fault(err, pat, "An action is an"
				    " object.");
			if (only_members(a, action_keys, pat, err) != 0 ||
			    want_string(a, "name", pat, 1, 64, false, &s,
			    err) != 0)
				return -1;
			if (!is_short_name(s) || named_before(actions, k, s))
				return fault(err, pat, "An action name is 1 to"
				    " 64 of A-Z, a-z, 0-9, _ and -, unique in"
				    " the widget.");
			if (want_string(a, "label", pat, 1, 64, false, &s,
			    err) != 0 ||
			    want_string(a, "type", pat, 1, 64, false, &s,
			    err) != 0)
				return -1;
			if (strcmp(s, "tool_call") != 0)
				return fault(err, pat, "An action's \"type\""
				    " is tool_call.");
			if (want_string(a, "tool", pat, 1, 64, false, &s,
			    err) != 0)
				return -1;
			if (find_named(tools, s) < 0)
				return fault(err, pat, "No tool is named"
				    " \"%.64s\".", s);
		}
		if (check_widget_fields(w, at, err) != 0)
			return -1;
	}
	return 0;
}

static int
check_tools(json_object *list, json_object *integrations, json_object *ops,
    json_object *widgets, struct error *err)
{
	static const char *const keys[] = { "integration", "operation",
	    "name", "title", "description", "widget", NULL };
	char at[POINTER_MAX];
	const char *integration, *operation, *name, *s, *widget;
	json_object *found;
	size_t i, k;

	for (i = 0; i < json_object_array_length(list); i++) {
		json_object *t = json_object_array_get_idx(list, i);
		bool known = false;

		snprintf(at, sizeof(at), "/tools/%zu", i);
		if (!json_object_is_type(t, json_type_object))
			return fault(err, at, "A tool is an object.");
		if (only_members(t, keys, at, err) != 0 ||
		    want_string(t, "integration", at, 1, 255, false,
		    &integration, err) != 0 ||
		    want_string(t, "operation", at, 1, 255, false, &operation,
		    err) != 0 ||
		    want_string(t, "name", at, 1, 64, false, &name,
		    err) != 0 ||
		    want_string(t, "title", at, 1, 255, false, &s,
		    err) != 0 ||
		    want_string(t, "description", at, 0, 8000, false, &s,
		    err) != 0 ||
		    want_string_or_null(t, "widget", at, &widget, err) != 0)
			return -1;
		if (!is_short_name(name) || named_before(list, i, name))
			return fault(err, at, "A tool name is 1 to 64 of A-Z,"
			    " a-z, 0-9, _ and -, unique in the template.");
		snprintf(at, sizeof(at), "/tools/%zu/integration", i);
		if (find_named(integrations, integration) < 0 ||
		    !json_object_object_get_ex(ops, integration, &found))
			return fault(err, at, "No integration is named"
			    " \"%.64s\".", integration);
		for (k = 0; k < json_object_array_length(found); k++) {
			const char *key = json_get_string(
			    json_object_array_get_idx(found, k), "key");

			if (key != NULL && strcmp(key, operation) == 0)
				known = true;
		}
		snprintf(at, sizeof(at), "/tools/%zu/operation", i);
		if (!known)
			return fault(err, at, "Integration \"%.64s\" has no"
			    " operation \"%.64s\".", integration, operation);
		snprintf(at, sizeof(at), "/tools/%zu/widget", i);
		if (widget != NULL && find_named(widgets, widget) < 0)
			return fault(err, at, "No widget is named \"%.64s\".",
			    widget);
	}
	for (i = 0; i < json_object_array_length(widgets); i++) {
		const char *w = json_get_string(
		    json_object_array_get_idx(widgets, i), "name");
		bool used = false;

		for (k = 0; k < json_object_array_length(list); k++) {
			s = json_get_string(json_object_array_get_idx(list, k),
			    "widget");
			if (s != NULL && strcmp(s, w) == 0)
				used = true;
		}
		snprintf(at, sizeof(at), "/widgets/%zu", i);
		if (!used)
			return fault(err, at, "No tool uses widget \"%.64s\".",
			    w);
	}
	return 0;
}

static int
check_tags(json_object *tags, struct error *err)
{
	char at[POINTER_MAX];
	size_t i, k;

	if (json_object_array_length(tags) > 8)
		return fault(err, "/tags", "At most 8 tags.");
	for (i = 0; i < json_object_array_length(tags); i++) {
		json_object *tag = json_object_array_get_idx(tags, i);

		snprintf(at, sizeof(at), "/tags/%zu", i);
		if (!json_object_is_type(tag, json_type_string) ||
		    !is_word(json_object_get_string(tag)))
			return fault(err, at, "A tag is a lower-case word"
			    " (a-z, 0-9, inner dashes).");
		for (k = 0; k < i; k++)
			if (strcmp(json_object_get_string(tag),
			    json_object_get_string(json_object_array_get_idx(
			    tags, k))) == 0)
				return fault(err, at, "Tags are unique.");
	}
	return 0;
}

int
template_check(json_object *doc, const char *expected_id, struct error *err)
{
	static const char *const keys[] = { "id", "version", "name",
	    "description", "category", "mode", "icon", "icon_background",
	    "tags", "app", "auth_connections", "integrations", "tools",
	    "widgets", NULL };
	json_object *version, *tags, *app, *auth, *integrations, *tools;
	json_object *widgets, *ops = NULL;
	const char *id, *s;
	int64_t v;
	int rc = -1;

	if (!json_object_is_type(doc, json_type_object))
		return fault(err, "", "A template is a JSON object.");
	if (only_members(doc, keys, "", err) != 0 ||
	    want_string(doc, "id", "", 1, 63, false, &id, err) != 0)
		return -1;
	if (!is_id(id))
		return fault(err, "/id", "An id is 1 to 63 of a-z, 0-9 and"
		    " inner dashes.");
	if (expected_id != NULL && strcmp(id, expected_id) != 0)
		return fault(err, "/id", "The id must be the file name without"
		    " .json (%.64s).", expected_id);
	if (want_type(doc, "version", "", json_type_int, "an integer",
	    &version, err) != 0)
		return -1;
	v = json_object_get_int64(version);
	if (v < 1 || v > 2147483647)
		return fault(err, "/version", "\"version\" is an integer"
		    " >= 1.");
	if (want_string(doc, "name", "", 1, 255, false, &s, err) != 0 ||
	    want_string(doc, "description", "", 1, 4000, false, &s,
	    err) != 0 ||
	    want_string(doc, "category", "", 1, 64, false, &s, err) != 0)
		return -1;
	if (!in_list(s, template_categories))
		return fault(err, "/category", "\"category\" is one of"
		    " developer-tools, productivity, data, communication,"
		    " commerce, other.");
	if (want_string(doc, "mode", "", 1, 64, false, &s, err) != 0)
		return -1;
	if (!in_list(s, appwrite_modes))
		return fault(err, "/mode", "\"mode\" is an app mode.");
	if (want_string(doc, "icon", "", 1, 2048, false, &s, err) != 0 ||
	    want_string(doc, "icon_background", "", 7, 7, false, &s,
	    err) != 0)
		return -1;
	if (!is_color(s))
		return fault(err, "/icon_background", "A colour is #RRGGBB.");
	if (want_type(doc, "tags", "", json_type_array, "an array", &tags,
	    err) != 0 || check_tags(tags, err) != 0 ||
	    want_type(doc, "app", "", json_type_object, "an object", &app,
	    err) != 0 || check_app(app, err) != 0 ||
	    want_type(doc, "auth_connections", "", json_type_array,
	    "an array", &auth, err) != 0 ||
	    want_type(doc, "integrations", "", json_type_array, "an array",
	    &integrations, err) != 0 ||
	    want_type(doc, "tools", "", json_type_array, "an array", &tools,
	    err) != 0 ||
	    want_type(doc, "widgets", "", json_type_array, "an array",
	    &widgets, err) != 0)
		return -1;
	if (json_object_array_length(integrations) == 0)
		return fault(err, "/integrations", "A template has at least"
		    " one integration.");
	if (json_object_array_length(tools) == 0)
		return fault(err, "/tools", "A template has at least one"
		    " tool.");
	ops = json_object_new_object();
	if (check_auth_connections(auth, err) != 0 ||
	    check_integrations(integrations, auth, ops, err) != 0 ||
	    check_tools(tools, integrations, ops, widgets, err) != 0 ||
	    check_widgets(widgets, tools, err) != 0)
		goto out;
	rc = 0;
out:
	json_object_put(ops);
	return rc;
}

/* ---------------------------------------------------------------- */
/* Reading                                                          */

#define TEMPLATE_COLUMNS                                                  \
	"id, name, description, category, mode, icon,"                    \
	" coalesce(definition->>'icon_background', ''), to_jsonb(tags),"  \
	" version, drio_rfc3339(loaded_at),"                              \
	" jsonb_array_length(coalesce(definition->'tools', '[]')),"       \
	" EXISTS (SELECT 1 FROM jsonb_array_elements("                    \
	"   coalesce(definition->'auth_connections', '[]')) c"            \
	"   WHERE c->>'type' <> 'none')"

static json_object *
summary_from_row(const PGresult *res, int row)
{
	json_object *t = json_object_new_object();

	json_put_string(t, "id", db_value(res, row, 0));
	json_put_string(t, "name", db_value(res, row, 1));
	json_put_string(t, "description", db_value(res, row, 2));
	json_put_string(t, "category", db_value(res, row, 3));
	json_put_string(t, "mode", db_value(res, row, 4));
	json_put_string(t, "icon", db_value(res, row, 5));
	json_put_string(t, "icon_background", db_value(res, row, 6));
	json_put_db(t, "tags", db_value(res, row, 7));
	json_put_int(t, "version", db_int(res, row, 8));
	json_put_string(t, "loaded_at", db_value(res, row, 9));
	json_put_int(t, "tool_count", db_int(res, row, 10));
	json_put_bool(t, "needs_secrets", db_bool(res, row, 11));
	return t;
}

static const struct db_statement templates_page = {
	"template_page",
	"SELECT " TEMPLATE_COLUMNS ", count(*) OVER ()"
	"  FROM templates"
	" WHERE ($1::text IS NULL OR category = $1)"
	"   AND ($2::text IS NULL OR tags @> ARRAY[$2::text])"
	" ORDER BY name, id LIMIT $3 OFFSET $4"
};

static const struct db_statement templates_count = {
	"template_count",
	"SELECT count(*) FROM templates"
	" WHERE ($1::text IS NULL OR category = $1)"
	"   AND ($2::text IS NULL OR tags @> ARRAY[$2::text])"
};

int
template_list(const struct template_filter *f, json_object **list,
    long long *total, struct error *err)
{
	const char *params[] = { f->category, f->tag, NULL, NULL };

	return page_fetch_list(&templates_page, &templates_count, params, 4,
	    f->page, f->limit, summary_from_row, list, total, err);
}

static const struct db_statement template_one = {
	"template_one",
	"SELECT " TEMPLATE_COLUMNS ", definition FROM templates WHERE id = $1"
};

/* The operationIds of an OpenAPI document, in document order. */
static json_object *
operation_keys(json_object *doc)
{
	json_object *keys = json_object_new_array();
	json_object *paths = json_get_object(doc, "paths");

	if (paths == NULL)
		return keys;
	json_object_object_foreach(paths, path, item) {
		(void)path;
		if (!json_object_is_type(item, json_type_object))
			continue;
		json_object_object_foreach(item, method, op) {
			const char *id = json_get_string(op, "operationId");

			if (is_method(method) && id != NULL)
				json_object_array_add(keys,
				    json_object_new_string(id));
		}
	}
	return keys;
}

/* The length of array, 0 when it is not one.  Can't fail. */
static size_t
length_of(json_object *array)
{
	return json_object_is_type(array, json_type_array) ?
	    json_object_array_length(array) : 0;
}

/* Copy member key of from to to (null when absent). */
static void
copy_member(json_object *to, json_object *from, const char *key)
{
	json_object *value = NULL;

	json_object_object_get_ex(from, key, &value);
	json_object_object_add(to, key, json_object_get(value));
}

/* What an app made from definition gets, added to t. */
static void
describe_content(json_object *t, json_object *def)
{
	json_object *list, *out, *entry;
	size_t i, k;

	entry = json_object_new_object();
	copy_member(entry, json_get_object(def, "app"), "description");
	copy_member(entry, json_get_object(def, "app"), "branding");
	json_object_object_add(t, "app", entry);

	list = json_get_array(def, "auth_connections");
	out = json_object_new_array();
	for (i = 0; i < length_of(list); i++) {
		json_object *c = json_object_array_get_idx(list, i);
		const char *const *fields = appconfig_auth_secret_fields(
		    json_get_string(c, "type"));
		json_object *secrets = json_object_new_array();

		entry = json_object_new_object();
		copy_member(entry, c, "name");
		copy_member(entry, c, "type");
		copy_member(entry, c, "settings");
		copy_member(entry, c, "help");
		for (k = 0; fields != NULL && fields[k] != NULL; k++)
			json_object_array_add(secrets,
			    json_object_new_string(fields[k]));
		json_object_object_add(entry, "secret_fields", secrets);
		json_object_array_add(out, entry);
	}
	json_object_object_add(t, "auth_connections", out);

	list = json_get_array(def, "integrations");
	out = json_object_new_array();
	for (i = 0; i < length_of(list); i++) {
		json_object *it = json_object_array_get_idx(list, i);
		json_object *doc = json_get_object(it, "openapi");
		json_object *spec = json_object_new_object();

		entry = json_object_new_object();
		copy_member(entry, it, "name");
		copy_member(entry, it, "kind");
		copy_member(entry, it, "base_url");
		copy_member(entry, it, "auth_connection");
		copy_member(spec, doc, "openapi");
		copy_member(spec, json_get_object(doc, "info"), "title");
		copy_member(spec, json_get_object(doc, "info"), "version");
		json_object_object_add(entry, "spec", spec);
		json_object_object_add(entry, "operations",
		    operation_keys(doc));
		json_object_array_add(out, entry);
	}
	json_object_object_add(t, "integrations", out);

	list = json_get_array(def, "tools");
	json_object_object_add(t, "tools", json_object_get(list));

	list = json_get_array(def, "widgets");
	out = json_object_new_array();
	for (i = 0; i < length_of(list); i++) {
		json_object *w = json_object_array_get_idx(list, i);

		entry = json_object_new_object();
		copy_member(entry, w, "name");
		copy_member(entry, w, "title");
		copy_member(entry, w, "description");
		copy_member(entry, w, "actions");
		if (json_get_object(w, "csp") == NULL)
			json_object_object_add(entry, "csp",
			    json_object_new_object());
		else
			copy_member(entry, w, "csp");
		json_put_bool(entry, "prefers_border",
		    json_get_true(w, "prefers_border"));
		json_object_array_add(out, entry);
	}
	json_object_object_add(t, "widgets", out);
}

int
template_get(const char *id, json_object **template, struct error *err)
{
	const char *params[] = { id };
	json_object *def;
	PGresult *res;

	*template = NULL;
	if (db_exec(&template_one, 1, params, &res, err) != 0)
		return -1;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return error_set(err, ERR_TEMPLATE_NOT_FOUND, NULL);
	}
	*template = summary_from_row(res, 0);
	def = json_from_db(db_value(res, 0, 12));
	PQclear(res);
	if (def == NULL) {
		json_object_put(*template);
		*template = NULL;
		return error_set(err, ERR_INTERNAL,
		    "template row is not JSON");
	}
	describe_content(*template, def);
	json_object_put(def);
	return 0;
}

static const struct db_statement template_definition_one = {
	"template_definition",
	"SELECT definition FROM templates WHERE id = $1"
};

int
template_definition(const char *id, json_object **definition,
    struct error *err)
{
	const char *params[] = { id };
	PGresult *res;

	*definition = NULL;
	if (db_exec(&template_definition_one, 1, params, &res, err) != 0)
		return -1;
	if (PQntuples(res) != 1) {
		PQclear(res);
		error_set(err, ERR_TEMPLATE_NOT_FOUND, "No template has the"
		    " id '%.64s'.", id);
		error_hint(err, "GET /api/v1/templates lists the loaded"
		    " templates.");
		return -1;
	}
	*definition = json_from_db(db_value(res, 0, 0));
	PQclear(res);
	if (*definition == NULL)
		return error_set(err, ERR_INTERNAL,
		    "template row is not JSON");
	return 0;
}

/* ---------------------------------------------------------------- */
/* Instantiating                                                    */


static const struct db_statement operation_by_key = {
	"template_operation_by_key",
	"SELECT id FROM operations"
	" WHERE app_id = $1 AND integration_id = $2 AND key = $3"
	"   AND status = 'active'"
};

static int
instantiate_auth(const char *app_id, json_object *def, json_object *ids,
    struct error *err)
{
	json_object *list = json_get_array(def, "auth_connections");
	size_t i;

	for (i = 0; i < length_of(list); i++) {
		json_object *c = json_object_array_get_idx(list, i);
		struct authconn_fields f = {
			.name = json_get_string(c, "name"),
			.type = json_get_string(c, "type"),
			.settings = json_get_object(c, "settings"),
			.secret = NULL,
			.clear_secret = false,
		};
		char id[AUTH_UUID_LEN + 1];

		if (authconn_create(app_id, NULL, &f, id, err) != 0)
			return -1;
		json_object_object_add(ids, f.name,
		    json_object_new_string(id));
	}
	return 0;
}

static int
instantiate_integrations(const char *app_id, json_object *def,
    json_object *auth_ids, json_object *ids, struct error *err)
{
	json_object *list = json_get_array(def, "integrations");
	size_t i;

	for (i = 0; i < length_of(list); i++) {
		json_object *it = json_object_array_get_idx(list, i);
		json_object *doc = json_get_object(it, "openapi");
		const char *connection = json_get_string(it,
		    "auth_connection");
		struct integration_fields f = {
			.name = json_get_string(it, "name"),
			.description = "",
			.kind = json_get_string(it, "kind"),
			.base_url = json_get_string(it, "base_url"),
			.auth_connection_id = connection == NULL ? NULL :
			    json_get_string(auth_ids, connection),
			.clear_auth_connection = false,
			.status = NULL,
		};
		char id[AUTH_UUID_LEN + 1];
		json_object *report = NULL;
		bool changed;

		if (integration_create(app_id, &f, id, err) != 0)
			return -1;
		/* The SHA-256 is the document's plain JSON text's. */
		if (integration_discover(app_id, id, doc, NULL, NULL,
		    &report, &changed, err) != 0)
			return -1;
		json_object_put(report);
		json_object_object_add(ids, f.name,
		    json_object_new_string(id));
	}
	return 0;
}

static int
instantiate_widgets(const char *app_id, json_object *def, json_object *ids,
    struct error *err)
{
	json_object *list = json_get_array(def, "widgets");
	json_object *empty = json_object_new_object();
	size_t i;
	int rc = -1;

	for (i = 0; i < length_of(list); i++) {
		json_object *w = json_object_array_get_idx(list, i);
		struct widget_fields f = {
			.name = json_get_string(w, "name"),
			.title = json_get_string(w, "title"),
			.description = json_get_string(w, "description"),
			.template = json_get_string(w, "template"),
			.csp = json_get_object(w, "csp") != NULL ?
			    json_get_object(w, "csp") : empty,
			.actions = json_get_array(w, "actions"),
			.prefers_border = json_get_true(w, "prefers_border"),
		};
		char id[AUTH_UUID_LEN + 1];

		if (widget_create(app_id, &f, id, err) != 0)
			goto out;
		json_object_object_add(ids, f.name,
		    json_object_new_string(id));
	}
	rc = 0;
out:
	json_object_put(empty);
	return rc;
}

static int
instantiate_tools(const char *app_id, json_object *def,
    json_object *integration_ids, json_object *widget_ids, struct error *err)
{
	json_object *list = json_get_array(def, "tools");
	size_t i;

	for (i = 0; i < length_of(list); i++) {
		json_object *t = json_object_array_get_idx(list, i);
		const char *widget = json_get_string(t, "widget");
		struct tool_overrides o = {
			.name = json_get_string(t, "name"),
			.title = json_get_string(t, "title"),
			.description = json_get_string(t, "description"),
			.widget_id = widget == NULL ? NULL :
			    json_get_string(widget_ids, widget),
		};
		const char *params[] = { app_id,
		    json_get_string(integration_ids,
		    json_get_string(t, "integration")),
		    json_get_string(t, "operation") };
		char operation_id[AUTH_UUID_LEN + 1];
		char tool_id[AUTH_UUID_LEN + 1];
		PGresult *res;

		if (params[1] == NULL)
			return error_set(err, ERR_INTERNAL, "template tool %s"
			    " names no integration", o.name);
		if (db_exec(&operation_by_key, 3, params, &res, err) != 0)
			return -1;
		if (PQntuples(res) != 1) {
			PQclear(res);
			return error_set(err, ERR_INTERNAL, "template tool %s:"
			    " no operation %s", o.name, params[2]);
		}
		snprintf(operation_id, sizeof(operation_id), "%s",
		    db_value(res, 0, 0));
		PQclear(res);
		if (appstore_tool_create_from_operation(app_id, operation_id,
		    &o, tool_id, err) != 0)
			return -1;
	}
	return 0;
}

int
template_instantiate(const char *app_id, json_object *def,
    struct error *err)
{
	json_object *auth = json_object_new_object();
	json_object *integrations = json_object_new_object();
	json_object *widgets = json_object_new_object();
	int rc = -1;

	if (instantiate_auth(app_id, def, auth, err) != 0 ||
	    instantiate_integrations(app_id, def, auth, integrations,
	    err) != 0 ||
	    instantiate_widgets(app_id, def, widgets, err) != 0 ||
	    instantiate_tools(app_id, def, integrations, widgets, err) != 0)
		goto out;
	rc = 0;
out:
	json_object_put(auth);
	json_object_put(integrations);
	json_object_put(widgets);
	return rc;
}

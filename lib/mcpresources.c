/*
 * mcpresources.c: an app's widgets as MCP Apps resources and Apps SDK
 * output templates (see mcpresources.h).
 *
 * The resources share their strings and arrays with the configuration
 * (json_object_get) rather than copying them: a template may be 2 MiB,
 * and every read of a widget would otherwise copy it once more.
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "jsonutil.h"
#include "mcpresources.h"

/* The two resources a widget is. */
enum form {
	FORM_MCP_APP,   /* MCP Apps, ui://widget/<name>.html */
	FORM_SKYBRIDGE, /* Apps SDK, ui://widget/<name>.html+skybridge */
	FORM__MAX
};

static const struct form_info {
	const char *mime_type;
	const char *suffix;   /* appended to the widget's own URI */
} forms[FORM__MAX] = {
	[FORM_MCP_APP] = { MCPRESOURCES_MIME_MCP_APP, "" },
	[FORM_SKYBRIDGE] = { MCPRESOURCES_MIME_SKYBRIDGE,
	    MCPRESOURCES_SKYBRIDGE_SUFFIX },
};

/* Room for a widget's URI in any form, NUL included. */
#define FORM_URI_SIZE (MCPRESOURCES_URI_MAX + \
	sizeof(MCPRESOURCES_SKYBRIDGE_SUFFIX))

/*
 * The lists of a widget's csp: drio's names, which are the Apps SDK's
 * too, and MCP Apps' names.  The first two are always written (an empty
 * list says "none", as leaving it out would); frame domains only when
 * there are some.
 */
static const struct csp_list {
	const char *name;
	const char *mcp_apps_name;
	bool always;
} csp_lists[] = {
	{ "connect_domains", "connectDomains", true },
	{ "resource_domains", "resourceDomains", true },
	{ "frame_domains", "frameDomains", false },
};

/*
 * Add key: value (taken over) to obj.  Returns 0, or -1 when value is
 * NULL (json-c could not make it) or could not be added, value released.
 */
static int
put(json_object *obj, const char *key, json_object *value)
{
	if (value == NULL)
		return -1;
	if (json_object_object_add(obj, key, value) != 0) {
		json_object_put(value);
		return -1;
	}
	return 0;
}

/* Add key: from's member (shared, not copied).  As put(). */
static int
put_shared(json_object *obj, const char *key, json_object *from,
    const char *member)
{
	json_object *value;

	if (!json_object_object_get_ex(from, member, &value) || value == NULL)
		return -1;
	return put(obj, key, json_object_get(value));
}

/*
 * Add key: from's string member (shared) when it is there and not
 * empty.  As put().
 */
static int
put_unless_empty(json_object *obj, const char *key, json_object *from,
    const char *member)
{
	const char *s = json_get_string(from, member);

	if (s == NULL || s[0] == '\0')
		return 0;
	return put_shared(obj, key, from, member);
}

/*
 * The URI of widget (an entry of the configuration's widgets) when drio
 * can serve it: it has a string name, template and uri, and the uri is a
 * ui:// URI (MCP Apps requires the scheme) of at most
 * MCPRESOURCES_URI_MAX bytes.  Else NULL.
 */
static const char *
widget_uri(json_object *widget)
{
	const char *uri = json_get_string(widget, "uri");

	if (uri == NULL || strncmp(uri, "ui://", 5) != 0 ||
	    strlen(uri) > MCPRESOURCES_URI_MAX ||
	    json_get_string(widget, "name") == NULL ||
	    json_get_string(widget, "template") == NULL)
		return NULL;
	return uri;
}

/* The URI of form of the widget whose own URI is own, into out. */
static void
form_uri(const char *own, enum form form, char out[FORM_URI_SIZE])
{
	size_t len = strlen(own);

	memcpy(out, own, len);
	strcpy(out + len, forms[form].suffix);
}

/* The widgets of config, or NULL. */
static json_object *
widgets_of(json_object *config)
{
	return json_get_array(config, "widgets");
}

/* The servable widget of config named name, or NULL. */
static json_object *
widget_named(json_object *config, const char *name)
{
	json_object *widgets = widgets_of(config);
	size_t i, n = widgets != NULL ? json_object_array_length(widgets) : 0;

	for (i = 0; name != NULL && i < n; i++) {
		json_object *w = json_object_array_get_idx(widgets, i);
		const char *s = json_get_string(w, "name");

		if (s != NULL && strcmp(s, name) == 0 && widget_uri(w) != NULL)
			return w;
	}
	return NULL;
}

/* Does an action of one of config's servable widgets call tool name? */
static bool
widget_action_calls(json_object *config, const char *name)
{
	json_object *widgets = widgets_of(config), *actions;
	size_t i, j, n = widgets != NULL ?
	    json_object_array_length(widgets) : 0;

	for (i = 0; name != NULL && i < n; i++) {
		json_object *w = json_object_array_get_idx(widgets, i);

		if (widget_uri(w) == NULL ||
		    (actions = json_get_array(w, "actions")) == NULL)
			continue;
		for (j = 0; j < json_object_array_length(actions); j++) {
			json_object *action =
			    json_object_array_get_idx(actions, j);
			const char *type = json_get_string(action, "type");
			const char *tool = json_get_string(action, "tool");

			/* tool_call is the only type, and the default. */
			if ((type == NULL || strcmp(type, "tool_call") == 0) &&
			    tool != NULL && strcmp(tool, name) == 0)
				return true;
		}
	}
	return false;
}

/*
 * The CSP of widget in form's names: a new object, or NULL when memory
 * is exhausted.  A list that is missing or not an array counts as empty.
 */
static json_object *
csp_json(json_object *widget, enum form form)
{
	json_object *csp = json_get_object(widget, "csp");
	json_object *out, *list;
	size_t i;

	if ((out = json_object_new_object()) == NULL)
		return NULL;
	for (i = 0; i < sizeof(csp_lists) / sizeof(csp_lists[0]); i++) {
		const struct csp_list *l = &csp_lists[i];
		const char *name = form == FORM_MCP_APP ?
		    l->mcp_apps_name : l->name;

		list = json_get_array(csp, l->name);
		if (list == NULL || json_object_array_length(list) == 0) {
			if (l->always && put(out, name,
			    json_object_new_array()) != 0)
				goto fail;
		} else if (put(out, name, json_object_get(list)) != 0)
			goto fail;
	}
	return out;
fail:
	json_object_put(out);
	return NULL;
}

/*
 * The _meta of widget's resource in form: a new object, or NULL when
 * memory is exhausted.
 */
static json_object *
meta_json(json_object *widget, enum form form)
{
	json_object *meta, *ui;
	bool border = json_get_true(widget, "prefers_border");

	if ((meta = json_object_new_object()) == NULL)
		return NULL;
	if (form == FORM_MCP_APP) {
		if (put(meta, "ui", ui = json_object_new_object()) != 0 ||
		    put(ui, "csp", csp_json(widget, form)) != 0 ||
		    put(ui, "prefersBorder",
		    json_object_new_boolean(border)) != 0)
			goto fail;
	} else {
		if (put(meta, "openai/widgetCSP",
		    csp_json(widget, form)) != 0 ||
		    put(meta, "openai/widgetPrefersBorder",
		    json_object_new_boolean(border)) != 0 ||
		    put_unless_empty(meta, "openai/widgetDescription", widget,
		    "description") != 0)
			goto fail;
	}
	return meta;
fail:
	json_object_put(meta);
	return NULL;
}

/*
 * The resources/list entry of widget (servable, at uri) in form: a new
 * object, or NULL when memory is exhausted.
 */
static json_object *
resource_json(json_object *widget, const char *uri, enum form form)
{
	char resource_uri[FORM_URI_SIZE];
	json_object *out, *template;

	if ((out = json_object_new_object()) == NULL)
		return NULL;
	form_uri(uri, form, resource_uri);
	template = json_object_object_get(widget, "template");
	if (put(out, "uri", json_object_new_string(resource_uri)) != 0 ||
	    put_shared(out, "name", widget, "name") != 0 ||
	    put_unless_empty(out, "title", widget, "title") != 0 ||
	    put_unless_empty(out, "description", widget,
	    "description") != 0 ||
	    put(out, "mimeType",
	    json_object_new_string(forms[form].mime_type)) != 0 ||
	    put(out, "size", json_object_new_int64(
	    json_object_get_string_len(template))) != 0 ||
	    put(out, "_meta", meta_json(widget, form)) != 0) {
		json_object_put(out);
		return NULL;
	}
	return out;
}

bool
mcpresources_any(json_object *config)
{
	json_object *widgets = widgets_of(config);
	size_t i, n = widgets != NULL ? json_object_array_length(widgets) : 0;

	for (i = 0; i < n; i++)
		if (widget_uri(json_object_array_get_idx(widgets, i)) != NULL)
			return true;
	return false;
}

json_object *
mcpresources_list(json_object *config)
{
	json_object *widgets = widgets_of(config), *list, *entry;
	size_t i, n = widgets != NULL ? json_object_array_length(widgets) : 0;
	enum form form;

	if ((list = json_object_new_array()) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		json_object *w = json_object_array_get_idx(widgets, i);
		const char *uri = widget_uri(w);

		if (uri == NULL)
			continue;
		for (form = 0; form < FORM__MAX; form++) {
			if ((entry = resource_json(w, uri, form)) == NULL)
				goto fail;
			if (json_object_array_add(list, entry) != 0) {
				json_object_put(entry);
				goto fail;
			}
		}
	}
	return list;
fail:
	json_object_put(list);
	return NULL;
}

/*
 * The widget of config whose resource in some form is uri, with that
 * form in *form; or NULL.
 */
static json_object *
widget_of_uri(json_object *config, const char *uri, enum form *form)
{
	json_object *widgets = widgets_of(config);
	size_t i, len, n = widgets != NULL ?
	    json_object_array_length(widgets) : 0;

	for (i = 0; i < n; i++) {
		json_object *w = json_object_array_get_idx(widgets, i);
		const char *own = widget_uri(w);

		if (own == NULL)
			continue;
		len = strlen(own);
		if (strncmp(uri, own, len) != 0)
			continue;
		for (*form = 0; *form < FORM__MAX; (*form)++)
			if (strcmp(uri + len, forms[*form].suffix) == 0)
				return w;
	}
	return NULL;
}

/*
 * The resources/read result of widget's resource uri in form: a new
 * {contents: [...]}, or NULL when memory is exhausted.
 */
static json_object *
read_json(json_object *widget, const char *uri, enum form form)
{
	json_object *answer, *contents, *item;

	if ((answer = json_object_new_object()) == NULL)
		return NULL;
	if (put(answer, "contents", contents = json_object_new_array()) != 0 ||
	    (item = json_object_new_object()) == NULL)
		goto fail;
	if (json_object_array_add(contents, item) != 0) {
		json_object_put(item);
		goto fail;
	}
	if (put(item, "uri", json_object_new_string(uri)) != 0 ||
	    put(item, "mimeType",
	    json_object_new_string(forms[form].mime_type)) != 0 ||
	    put_shared(item, "text", widget, "template") != 0 ||
	    put(item, "_meta", meta_json(widget, form)) != 0)
		goto fail;
	return answer;
fail:
	json_object_put(answer);
	return NULL;
}

int
mcpresources_read(json_object *config, const char *uri,
    json_object **result, struct error *err)
{
	json_object *widget;
	enum form form;

	*result = NULL;
	if (uri == NULL ||
	    (widget = widget_of_uri(config, uri, &form)) == NULL)
		return error_set(err, ERR_NOT_FOUND,
		    "Resource not found: %.128s", uri != NULL ? uri : "");
	if ((*result = read_json(widget, uri, form)) == NULL)
		return error_set(err, ERR_INTERNAL, "out of memory");
	return 0;
}

void
mcpresources_tool_meta(json_object *config, json_object *tool,
    json_object *listed_tool)
{
	json_object *widget = widget_named(config,
	    json_get_string(tool, "widget"));
	bool accessible = widget_action_calls(config,
	    json_get_string(tool, "name"));
	json_object *meta, *ui;
	char template_uri[FORM_URI_SIZE];
	const char *uri;

	if (widget == NULL && !accessible)
		return;
	if ((meta = json_get_object(listed_tool, "_meta")) == NULL &&
	    put(listed_tool, "_meta", meta = json_object_new_object()) != 0)
		return;
	if (widget != NULL) {
		uri = widget_uri(widget);
		form_uri(uri, FORM_SKYBRIDGE, template_uri);
		if ((ui = json_get_object(meta, "ui")) == NULL &&
		    put(meta, "ui", ui = json_object_new_object()) != 0)
			return;
		if (put(ui, "resourceUri", json_object_new_string(uri)) != 0 ||
		    put(meta, "ui/resourceUri",
		    json_object_new_string(uri)) != 0 ||
		    put(meta, "openai/outputTemplate",
		    json_object_new_string(template_uri)) != 0)
			return;
	}
	if (accessible)
		put(meta, "openai/widgetAccessible",
		    json_object_new_boolean(1));
}

/*
 * mcpresources.h: an app's widgets as MCP resources, in the two forms
 * clients render them in: MCP Apps (the io.modelcontextprotocol/ui
 * extension, SEP-1865, stable 2026-01-26) and the OpenAI Apps SDK's
 * output templates (ChatGPT's "skybridge").
 *
 * A resource has one MIME type and the two formats need different ones,
 * so each widget of a release's configuration (appconfig.h) is two
 * resources:
 *
 *   ui://widget/<name>.html             text/html;profile=mcp-app
 *   ui://widget/<name>.html+skybridge   text/html+skybridge
 *
 * The first URI is the widget's own ("uri" in the configuration); the
 * second appends "+skybridge", the suffix the MCP Apps SDK's
 * registerAppResource() gave the Apps SDK copy when it registered both.
 * Both serve the widget's template as stored (drio checks that it is
 * self-contained when it is written).  Their _meta, on the resources/list
 * entry and on the resources/read contents alike, says what each format
 * reads:
 *
 *   MCP Apps  ui: {csp: {connectDomains, resourceDomains[, frameDomains]},
 *                  prefersBorder}
 *   Apps SDK  openai/widgetCSP: {connect_domains, resource_domains
 *                                [, frame_domains]},
 *             openai/widgetPrefersBorder, openai/widgetDescription
 *
 * from the widget's csp (frame domains only when it has some, since
 * asking for frames makes hosts review an app more strictly),
 * prefers_border and description.
 *
 * A tool with a widget points at both: _meta.ui.resourceUri (and the
 * flat "ui/resourceUri" that hosts from before the nested form read) at
 * the first, "openai/outputTemplate" at the second.  A tool that a
 * widget's action calls is marked "openai/widgetAccessible", which
 * ChatGPT needs before a widget may call it; MCP Apps hosts let a widget
 * call any tool that does not say otherwise.
 *
 * Every function is pure: it reads a configuration the caller owns and
 * does no I/O.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef DRIO_MCPRESOURCES_H
#define DRIO_MCPRESOURCES_H

#include <stdbool.h>

#include <json-c/json.h>

#include "error.h"

#define MCPRESOURCES_MIME_MCP_APP    "text/html;profile=mcp-app"
#define MCPRESOURCES_MIME_SKYBRIDGE  "text/html+skybridge"
#define MCPRESOURCES_SKYBRIDGE_SUFFIX "+skybridge"
#define MCPRESOURCES_URI_MAX         1024 /* bytes in a widget's own URI */

/*
 * Does config (borrowed) have a widget to serve, one with a string name,
 * template and uri, the uri a ui:// URI of at most MCPRESOURCES_URI_MAX
 * bytes?  The MCP endpoint announces the resources capability only then.
 * Can't fail.
 */
bool mcpresources_any(json_object *config);

/*
 * The resources of config's widgets (config borrowed), for
 * resources/list: a new array holding, for each widget in the
 * configuration's order, its MCP Apps resource and then its Apps SDK
 * one, each {uri, name, title, description, mimeType, size, _meta}
 * (title and description only when not empty; size is the template's
 * length in bytes).  Widgets that mcpresources_any() would not count are
 * left out.  Returns the array (empty without widgets; release with
 * json_object_put), or NULL when memory is exhausted.
 */
json_object *mcpresources_list(json_object *config);

/*
 * Read the resource uri of config (both borrowed), for resources/read.
 * Returns 0 with *result a new {contents: [{uri, mimeType, text,
 * _meta}]} (release with json_object_put), or -1 with *result NULL and
 * err set: ERR_NOT_FOUND when config has no resource uri (MCP answers
 * -32002 before 2026-07-28 and -32602 since); ERR_INTERNAL when memory
 * is exhausted.
 */
int mcpresources_read(json_object *config, const char *uri,
    json_object **result, struct error *err);

/*
 * Add to listed_tool, the tools/list entry made from the configuration's
 * tool (config and tool borrowed), the _meta members above: the widget's
 * two URIs when the tool has a widget config can serve, and
 * "openai/widgetAccessible": true when an action of one of config's
 * widgets calls the tool.  Members listed_tool already has under _meta
 * are kept, except those it sets.  A tool without either is left as it
 * is.  When memory is exhausted listed_tool may lack some of these
 * members.  Can't otherwise fail.
 */
void mcpresources_tool_meta(json_object *config, json_object *tool,
    json_object *listed_tool);

#endif

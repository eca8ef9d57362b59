/*
 * mcpresources-t.c: tests for lib/mcpresources.c, an app's widgets as
 * MCP Apps resources and OpenAI Apps SDK output templates.  From a
 * release configuration with two widgets (one with a title, description,
 * connect domains and an action; one with neither but resource and frame
 * domains and a border) and tools with and without a widget, checks the
 * promises of mcpresources.h: the exact resources/list entries (URIs,
 * MIME types, sizes in bytes, _meta of each format), resources/read of
 * each of the four URIs with the template as stored, unknown and
 * near-miss URIs answered ERR_NOT_FOUND, the _meta a listed tool gains
 * (and keeps), widgets that cannot be served, and a configuration
 * without widgets.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdlib.h>
#include <string.h>

#include "mcpresources.h"
#include "t/tap/basic.h"

/*
 * Parse text, JSON written with ' for ", into a new value.  Bails when it
 * is not JSON, since that is a bug in the test.
 */
static json_object *
doc(const char *text)
{
	json_object *obj;
	char *copy, *p;

	if ((copy = strdup(text)) == NULL)
		sysbail("strdup");
	for (p = copy; *p != '\0'; p++)
		if (*p == '\'')
			*p = '"';
	if ((obj = json_tokener_parse(copy)) == NULL)
		bail("test JSON is not JSON: %s", copy);
	free(copy);
	return obj;
}

/* Compare seen with expected (as doc() reads it).  One test. */
static bool
json_is(const char *expected, json_object *seen, const char *description)
{
	char *copy, *p;
	bool same;

	if ((copy = strdup(expected)) == NULL)
		sysbail("strdup");
	for (p = copy; *p != '\0'; p++)
		if (*p == '\'')
			*p = '"';
	same = is_json(copy, seen, "%s", description);
	free(copy);
	return same;
}

/* The weather widget's template: 28 bytes, 27 characters. */
#define WEATHER_HTML "<!doctype html><p>18 \xc2\xb0" "C</p>"
#define CHART_HTML   "<!doctype html><canvas></canvas>"

/*
 * A release configuration as appconfig_resolve() makes it, cut to what
 * the resources read: widgets by name, tools with widget names.
 */
static const char config_text[] =
    "{'format':1,"
    " 'app':{'slug':'weather','name':'Weather'},"
    " 'tools':["
    "  {'name':'delete_city','widget':'gone'},"
    "  {'name':'get_current','title':'Current weather',"
    "   'widget':'current_weather'},"
    "  {'name':'get_forecast','widget':'forecast_chart'},"
    "  {'name':'list_cities','widget':null}],"
    " 'widgets':["
    "  {'id':'0d3a','name':'current_weather',"
    "   'title':'Current weather',"
    "   'description':'A card with the current temperature.',"
    "   'uri':'ui://widget/current_weather.html',"
    "   'template':'" WEATHER_HTML "',"
    "   'csp':{'connect_domains':['https://api.open-meteo.com',"
    "          'wss://live.example.com:8443']},"
    "   'prefers_border':false,"
    "   'actions':[{'name':'refresh','label':'Refresh',"
    "               'type':'tool_call','tool':'get_forecast',"
    "               'arguments':{'days':3}}]},"
    "  {'id':'7e41','name':'forecast_chart','title':'','description':'',"
    "   'uri':'ui://widget/forecast_chart.html',"
    "   'template':'" CHART_HTML "',"
    "   'csp':{'connect_domains':[],"
    "          'resource_domains':['https://*.cdn.example.com'],"
    "          'frame_domains':['https://www.youtube.com']},"
    "   'prefers_border':true,'actions':[]}],"
    " 'workflow':null}";

/* The four resources of config_text, as resources/list lists them. */
static const char list_text[] =
    "[{'uri':'ui://widget/current_weather.html',"
    "  'name':'current_weather','title':'Current weather',"
    "  'description':'A card with the current temperature.',"
    "  'mimeType':'text/html;profile=mcp-app','size':28,"
    "  '_meta':{'ui':{'csp':{'connectDomains':"
    "    ['https://api.open-meteo.com','wss://live.example.com:8443'],"
    "    'resourceDomains':[]},'prefersBorder':false}}},"
    " {'uri':'ui://widget/current_weather.html+skybridge',"
    "  'name':'current_weather','title':'Current weather',"
    "  'description':'A card with the current temperature.',"
    "  'mimeType':'text/html+skybridge','size':28,"
    "  '_meta':{'openai/widgetCSP':{'connect_domains':"
    "    ['https://api.open-meteo.com','wss://live.example.com:8443'],"
    "    'resource_domains':[]},'openai/widgetPrefersBorder':false,"
    "    'openai/widgetDescription':"
    "    'A card with the current temperature.'}},"
    " {'uri':'ui://widget/forecast_chart.html',"
    "  'name':'forecast_chart',"
    "  'mimeType':'text/html;profile=mcp-app','size':32,"
    "  '_meta':{'ui':{'csp':{'connectDomains':[],"
    "    'resourceDomains':['https://*.cdn.example.com'],"
    "    'frameDomains':['https://www.youtube.com']},"
    "    'prefersBorder':true}}},"
    " {'uri':'ui://widget/forecast_chart.html+skybridge',"
    "  'name':'forecast_chart',"
    "  'mimeType':'text/html+skybridge','size':32,"
    "  '_meta':{'openai/widgetCSP':{'connect_domains':[],"
    "    'resource_domains':['https://*.cdn.example.com'],"
    "    'frame_domains':['https://www.youtube.com']},"
    "    'openai/widgetPrefersBorder':true}}]";

/* The configuration's tool named name; bails when there is none. */
static json_object *
tool_named(json_object *config, const char *name)
{
	json_object *tools, *tool, *value;
	size_t i;

	if (!json_object_object_get_ex(config, "tools", &tools))
		bail("the test configuration has no tools");
	for (i = 0; i < json_object_array_length(tools); i++) {
		tool = json_object_array_get_idx(tools, i);
		if (json_object_object_get_ex(tool, "name", &value) &&
		    strcmp(json_object_get_string(value), name) == 0)
			return tool;
	}
	bail("the test configuration has no tool %s", name);
}

/*
 * Read uri from config and compare the answer with expected, one test;
 * a second checks that it succeeded with no error.
 */
static void
read_is(json_object *config, const char *uri, const char *expected,
    const char *description)
{
	struct error err;
	json_object *result = NULL;
	int rc;

	memset(&err, 0, sizeof(err));
	rc = mcpresources_read(config, uri, &result, &err);
	ok(rc == 0 && err.code == ERR_NONE, "%s is read", uri);
	if (rc != 0)
		diag("error: %s", err.message);
	json_is(expected, result, description);
	json_object_put(result);
	error_clear(&err);
}

/* Reading uri from config is ERR_NOT_FOUND with no result.  One test. */
static void
read_not_found(json_object *config, const char *uri,
    const char *description)
{
	struct error err;
	json_object *result = (json_object *)&err; /* must become NULL */
	int rc;

	memset(&err, 0, sizeof(err));
	rc = mcpresources_read(config, uri, &result, &err);
	ok(rc == -1 && err.code == ERR_NOT_FOUND && result == NULL, "%s",
	    description);
	if (rc == 0)
		json_object_put(result);
	error_clear(&err);
}

static void
test_list(json_object *config)
{
	json_object *list = mcpresources_list(config);
	json_object *empty;

	ok(mcpresources_any(config),
	    "a configuration with widgets has resources to announce");
	json_is(list_text, list,
	    "each widget is listed as an MCP Apps resource, then as an Apps "
	    "SDK template, with its title, description, size in bytes and "
	    "the CSP and border each format names its own way");
	json_object_put(list);

	empty = doc("{'format':1,'tools':[{'name':'list_cities',"
	    "'widget':null}],'widgets':[]}");
	ok(!mcpresources_any(empty),
	    "a configuration without widgets has no resources to announce");
	list = mcpresources_list(empty);
	json_is("[]", list, "and lists none");
	json_object_put(list);
	read_not_found(empty, "ui://widget/current_weather.html",
	    "and has none to read");
	json_object_put(empty);

	empty = doc("{'format':1}");
	ok(!mcpresources_any(empty),
	    "neither has one without a widgets member");
	list = mcpresources_list(empty);
	json_is("[]", list, "which lists none either");
	json_object_put(list);
	json_object_put(empty);
}

static void
test_read(json_object *config)
{
	read_is(config, "ui://widget/current_weather.html",
	    "{'contents':[{'uri':'ui://widget/current_weather.html',"
	    "  'mimeType':'text/html;profile=mcp-app',"
	    "  'text':'" WEATHER_HTML "',"
	    "  '_meta':{'ui':{'csp':{'connectDomains':"
	    "    ['https://api.open-meteo.com',"
	    "     'wss://live.example.com:8443'],"
	    "    'resourceDomains':[]},'prefersBorder':false}}}]}",
	    "the MCP Apps resource is the template as stored, with its MIME "
	    "type and _meta.ui");
	read_is(config, "ui://widget/current_weather.html+skybridge",
	    "{'contents':[{'uri':"
	    "  'ui://widget/current_weather.html+skybridge',"
	    "  'mimeType':'text/html+skybridge',"
	    "  'text':'" WEATHER_HTML "',"
	    "  '_meta':{'openai/widgetCSP':{'connect_domains':"
	    "    ['https://api.open-meteo.com',"
	    "     'wss://live.example.com:8443'],"
	    "    'resource_domains':[]},'openai/widgetPrefersBorder':false,"
	    "    'openai/widgetDescription':"
	    "    'A card with the current temperature.'}}]}",
	    "the Apps SDK template is the same HTML with the skybridge MIME "
	    "type and the openai/ keys");
	read_is(config, "ui://widget/forecast_chart.html",
	    "{'contents':[{'uri':'ui://widget/forecast_chart.html',"
	    "  'mimeType':'text/html;profile=mcp-app',"
	    "  'text':'" CHART_HTML "',"
	    "  '_meta':{'ui':{'csp':{'connectDomains':[],"
	    "    'resourceDomains':['https://*.cdn.example.com'],"
	    "    'frameDomains':['https://www.youtube.com']},"
	    "    'prefersBorder':true}}}]}",
	    "the second widget's MCP Apps resource carries its frame "
	    "domains and border");
	read_is(config, "ui://widget/forecast_chart.html+skybridge",
	    "{'contents':[{'uri':'ui://widget/forecast_chart.html+skybridge',"
	    "  'mimeType':'text/html+skybridge',"
	    "  'text':'" CHART_HTML "',"
	    "  '_meta':{'openai/widgetCSP':{'connect_domains':[],"
	    "    'resource_domains':['https://*.cdn.example.com'],"
	    "    'frame_domains':['https://www.youtube.com']},"
	    "    'openai/widgetPrefersBorder':true}}]}",
	    "and its Apps SDK template too, without an empty description");

	read_not_found(config, "ui://widget/unknown.html",
	    "an unknown URI is not found");
	read_not_found(config, "ui://widget/current_weather",
	    "a widget's URI without .html is not found");
	read_not_found(config, "ui://widget/current_weather.html+",
	    "nor with half a suffix");
	read_not_found(config, "ui://widget/current_weather.html+skybridgex",
	    "nor with more than the suffix");
	read_not_found(config, "UI://widget/current_weather.html",
	    "URIs are compared exactly");
	read_not_found(config, "", "the empty URI is not found");
	read_not_found(config, NULL, "nor is a missing one");
}

/* The _meta mcpresources_tool_meta() gives tool name, listed bare. */
static json_object *
listed_meta(json_object *config, const char *name, json_object *listed)
{
	json_object *tool = tool_named(config, name), *meta = NULL;

	mcpresources_tool_meta(config, tool, listed);
	json_object_object_get_ex(listed, "_meta", &meta);
	return meta;
}

static void
test_tool_meta(json_object *config)
{
	json_object *listed;

	listed = doc("{'name':'get_current','title':'Current weather'}");
	json_is("{'ui':{'resourceUri':'ui://widget/current_weather.html'},"
	    "'ui/resourceUri':'ui://widget/current_weather.html',"
	    "'openai/outputTemplate':"
	    "'ui://widget/current_weather.html+skybridge'}",
	    listed_meta(config, "get_current", listed),
	    "a tool with a widget names its MCP Apps resource (nested and "
	    "flat) and its Apps SDK template");
	json_is("{'name':'get_current','title':'Current weather',"
	    "'_meta':{'ui':{'resourceUri':"
	    "'ui://widget/current_weather.html'},"
	    "'ui/resourceUri':'ui://widget/current_weather.html',"
	    "'openai/outputTemplate':"
	    "'ui://widget/current_weather.html+skybridge'}}", listed,
	    "and nothing else of the listed tool changes");
	json_object_put(listed);

	listed = doc("{'name':'get_forecast'}");
	json_is("{'ui':{'resourceUri':'ui://widget/forecast_chart.html'},"
	    "'ui/resourceUri':'ui://widget/forecast_chart.html',"
	    "'openai/outputTemplate':"
	    "'ui://widget/forecast_chart.html+skybridge',"
	    "'openai/widgetAccessible':true}",
	    listed_meta(config, "get_forecast", listed),
	    "a tool a widget's action calls may be called from widgets");
	json_object_put(listed);

	listed = doc("{'name':'list_cities'}");
	ok(listed_meta(config, "list_cities", listed) == NULL,
	    "a tool without a widget gets no _meta");
	json_object_put(listed);

	listed = doc("{'name':'delete_city'}");
	ok(listed_meta(config, "delete_city", listed) == NULL,
	    "nor does one whose widget the configuration lacks");
	json_object_put(listed);

	listed = doc("{'name':'get_current','_meta':{'x':1,"
	    "'ui':{'visibility':['model','app']}}}");
	json_is("{'x':1,'ui':{'visibility':['model','app'],"
	    "'resourceUri':'ui://widget/current_weather.html'},"
	    "'ui/resourceUri':'ui://widget/current_weather.html',"
	    "'openai/outputTemplate':"
	    "'ui://widget/current_weather.html+skybridge'}",
	    listed_meta(config, "get_current", listed),
	    "members the listed tool's _meta and _meta.ui had are kept");
	json_object_put(listed);
}

static void
test_unservable(void)
{
	json_object *config, *list, *listed;

	config = doc("{'tools':[{'name':'t','widget':'no_template'},"
	    "{'name':'u','widget':'ftp'}],"
	    "'widgets':[{'name':'no_template',"
	    "'uri':'ui://widget/no_template.html','template':null,"
	    "'actions':[{'name':'a','label':'A','type':'tool_call',"
	    "'tool':'t'}]},"
	    "{'name':'ftp','uri':'ftp://widget/ftp.html','template':'<p>'},"
	    "{'name':'no_uri','template':'<p>'}]}");
	ok(!mcpresources_any(config), "widgets without a template, with a "
	    "URI that is not ui:// or without one are not served");
	list = mcpresources_list(config);
	json_is("[]", list, "nor listed");
	json_object_put(list);
	read_not_found(config, "ui://widget/no_template.html",
	    "nor read");
	read_not_found(config, "ftp://widget/ftp.html", "in any form");
	listed = doc("{'name':'t'}");
	ok(listed_meta(config, "t", listed) == NULL,
	    "and neither tools nor actions refer to them");
	json_object_put(listed);
	listed = doc("{'name':'u'}");
	ok(listed_meta(config, "u", listed) == NULL,
	    "whichever way the widget is unservable");
	json_object_put(listed);
	json_object_put(config);
}

int
main(void)
{
	json_object *config;

	plan(34);
	config = doc(config_text);
	test_list(config);
	test_read(config);
	test_tool_meta(config);
	test_unservable();
	json_object_put(config);
	return 0;
}

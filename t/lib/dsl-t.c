/*
 * dsl-t.c: tests for lib/dsl.c, Dify's app DSL.  Checks the promises of
 * dsl.h: the version table of Dify's _check_version_compatibility with
 * numeric comparison; every fixture in t/fixtures/dify (one per DSL
 * version Dify has shipped, and broken and newer ones) with its status,
 * mode, version and warnings, or its failure with the reason and place;
 * each import step's failure, in Dify's order, with a JSON Pointer; the
 * defaults for version and kind; pending files held unjudged and read
 * on confirmation; the export's YAML (keys sorted at every level, the
 * version quoted) read back to an equal document for every fixture; and
 * secret stripping as Dify's exporter does it.
 *
 * Fixtures are read from $DRIO_SRCDIR/t/fixtures/dify, or
 * t/fixtures/dify under the current directory.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsl.h"
#include "jsonutil.h"
#include "yaml.h"
#include "t/tap/basic.h"

static struct error err;

/* ---------------------------------------------------------------- */
/* Helpers                                                          */

/* Read t/fixtures/dify/name into a malloc'd string.  Bails on failure. */
static char *
fixture(const char *name, size_t *len)
{
	const char *srcdir = getenv("DRIO_SRCDIR");
	char *path, *text;
	long size;
	FILE *f;

	if (asprintf(&path, "%s/t/fixtures/dify/%s", srcdir != NULL ?
	    srcdir : ".", name) == -1)
		bail("out of memory");
	if ((f = fopen(path, "rb")) == NULL)
		sysbail("cannot open %s", path);
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0)
		sysbail("cannot size %s", path);
	if ((text = malloc((size_t)size + 1)) == NULL)
		bail("out of memory");
	if (fread(text, 1, (size_t)size, f) != (size_t)size)
		sysbail("cannot read %s", path);
	text[size] = '\0';
	fclose(f);
	free(path);
	*len = (size_t)size;
	return text;
}

/* Read NUL-terminated text with dsl_read.  Returns its result. */
static int
read_text(const char *text, struct dsl_import *imp)
{
	error_clear(&err);
	return dsl_read(text, strlen(text), imp, &err);
}

/*
 * The warnings as one line, "code@path, code@path", into buf, for
 * comparing with is_string.
 */
static const char *
warning_summary(json_object *warnings, char *buf, size_t size)
{
	size_t i, n, used = 0;

	buf[0] = '\0';
	if (warnings == NULL)
		return "(no warnings array)";
	n = json_object_array_length(warnings);
	for (i = 0; i < n; i++) {
		json_object *w = json_object_array_get_idx(warnings, i);

		used += (size_t)snprintf(buf + used, size - used, "%s%s@%s",
		    i > 0 ? ", " : "", json_get_string(w, "code"),
		    json_get_string(w, "path"));
		if (used >= size)
			bail("warning summary too long");
	}
	return buf;
}

/*
 * Are the keys of every object in value in ascending order (strcmp)?
 * On the first that is not, says where with diag.
 */
static bool
keys_sorted(json_object *value, const char *where)
{
	const char *previous = NULL;
	size_t i, n;

	if (json_object_is_type(value, json_type_array)) {
		n = json_object_array_length(value);
		for (i = 0; i < n; i++)
			if (!keys_sorted(json_object_array_get_idx(value, i),
			    where))
				return false;
		return true;
	}
	if (!json_object_is_type(value, json_type_object))
		return true;
	json_object_object_foreach(value, key, member) {
		if (previous != NULL && strcmp(previous, key) >= 0) {
			diag("%s: key \"%s\" comes after \"%s\"", where, key,
			    previous);
			return false;
		}
		previous = key;
		if (!keys_sorted(member, where))
			return false;
	}
	return true;
}

/* The value at JSON Pointer pointer in doc, or NULL when there is none. */
static json_object *
at(json_object *doc, const char *pointer)
{
	json_object *value = NULL;

	if (json_pointer_get(doc, pointer, &value) != 0)
		return NULL;
	return value;
}

/* ---------------------------------------------------------------- */
/* Versions                                                         */

static const struct {
	const char *version;
	enum dsl_status status;
} versions[] = {
	{ "0.1.0", DSL_COMPLETED_WITH_WARNINGS },
	{ "0.1.3", DSL_COMPLETED_WITH_WARNINGS },
	{ "0.1.5", DSL_COMPLETED_WITH_WARNINGS },
	{ "0.2.0", DSL_COMPLETED_WITH_WARNINGS },
	{ "0.3.1", DSL_COMPLETED_WITH_WARNINGS },
	{ "0.4.0", DSL_COMPLETED_WITH_WARNINGS },
	{ "0.5.0", DSL_COMPLETED_WITH_WARNINGS },
	{ "0.5.9", DSL_COMPLETED_WITH_WARNINGS },
	{ "0.5.10", DSL_COMPLETED_WITH_WARNINGS }, /* not "0.5.10" > "0.6" */
	{ "0.6.0", DSL_COMPLETED },
	{ "0.6", DSL_COMPLETED },           /* 0.6 == 0.6.0 */
	{ "v0.6.0", DSL_COMPLETED },
	{ " 0.6.0  ", DSL_COMPLETED },
	{ "0.6.1", DSL_PENDING },
	{ "0.6.0.1", DSL_PENDING },
	{ "0.7.0", DSL_PENDING },
	{ "0.10.0", DSL_PENDING },          /* numeric: 10 > 6 */
	{ "1.0.0", DSL_PENDING },
	{ "1", DSL_PENDING },
	{ "0", DSL_COMPLETED_WITH_WARNINGS }, /* 0.0.0: same major */
	{ "abc", DSL_FAILED },
	{ "", DSL_FAILED },
	{ "0.6.", DSL_FAILED },
	{ ".6.0", DSL_FAILED },
	{ "0..6", DSL_FAILED },
	{ "0.6.0rc1", DSL_FAILED },
	{ "-1.0.0", DSL_FAILED },
	{ "1.2.3.4.5.6.7.8.9", DSL_FAILED },
	{ "0.1234567890", DSL_FAILED },
};

static void
test_versions(void)
{
	enum dsl_status status;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
		error_clear(&err);
		rc = dsl_version_status(versions[i].version, &status, &err);
		is_string(dsl_status_string(versions[i].status),
		    dsl_status_string(status), "version \"%s\" is %s",
		    versions[i].version,
		    dsl_status_string(versions[i].status));
		if (versions[i].status == DSL_FAILED)
			ok(rc == -1 && err.code == ERR_BAD_REQUEST &&
			    strstr(err.message, "Invalid DSL version") != NULL,
			    "version \"%s\" is refused as invalid",
			    versions[i].version);
		else
			ok(rc == 0 && err.code == ERR_NONE,
			    "version \"%s\" is judged without error",
			    versions[i].version);
	}
	is_string("completed", dsl_status_string(DSL_COMPLETED),
	    "completed has Dify's name");
	is_string("completed-with-warnings",
	    dsl_status_string(DSL_COMPLETED_WITH_WARNINGS),
	    "completed-with-warnings has Dify's name");
	is_string("pending", dsl_status_string(DSL_PENDING),
	    "pending has Dify's name");
	is_string("failed", dsl_status_string(DSL_FAILED),
	    "failed has Dify's name");
}

#define VERSION_TESTS (2 * (sizeof(versions) / sizeof(versions[0])) + 4)

/* ---------------------------------------------------------------- */
/* Fixtures                                                         */

static const struct {
	const char *file;
	enum dsl_status status;
	const char *mode;
	const char *version;
	const char *warnings;   /* summary; or, when failed, the message */
	const char *details;    /* when failed: err.details as JSON */
} fixtures[] = {
	{ "workflow-0.1.0.yml", DSL_COMPLETED_WITH_WARNINGS, "workflow",
	  "0.1.0", "dsl_version_older@/version", NULL },
	{ "workflow-0.1.3.yml", DSL_COMPLETED_WITH_WARNINGS, "workflow",
	  "0.1.3", "dsl_version_older@/version, "
	  "node_type_unsupported@/workflow/graph/nodes/1", NULL },
	{ "chat-0.1.5.yml", DSL_COMPLETED_WITH_WARNINGS, "chat", "0.1.5",
	  "dsl_version_older@/version", NULL },
	{ "workflow-0.2.0.yml", DSL_COMPLETED_WITH_WARNINGS, "workflow",
	  "0.2.0", "dsl_version_older@/version, "
	  "node_type_unsupported@/workflow/graph/nodes/3", NULL },
	{ "completion-0.3.0.yml", DSL_COMPLETED_WITH_WARNINGS, "completion",
	  "0.3.0", "dsl_version_older@/version", NULL },
	{ "advanced-chat-0.3.1.yml", DSL_COMPLETED_WITH_WARNINGS,
	  "advanced-chat", "0.3.1", "dsl_version_older@/version, "
	  "node_type_unsupported@/workflow/graph/nodes/1, "
	  "node_type_unsupported@/workflow/graph/nodes/2", NULL },
	{ "workflow-0.4.0.yml", DSL_COMPLETED_WITH_WARNINGS, "workflow",
	  "0.4.0", "dsl_version_older@/version, "
	  "node_type_unsupported@/workflow/graph/nodes/1, "
	  "node_type_unsupported@/workflow/graph/nodes/2, "
	  "node_type_unsupported@/workflow/graph/nodes/3, "
	  "node_type_unsupported@/workflow/graph/nodes/4", NULL },
	{ "workflow-0.5.0.yml", DSL_COMPLETED_WITH_WARNINGS, "workflow",
	  "0.5.0", "dsl_version_older@/version, "
	  "node_type_unsupported@/workflow/graph/nodes/3", NULL },
	{ "workflow-0.6.0.yml", DSL_COMPLETED, "workflow", "0.6.0", "",
	  NULL },
	{ "agent-chat-0.6.0.yml", DSL_COMPLETED, "agent-chat", "0.6.0", "",
	  NULL },
	{ "newer-0.7.0.yml", DSL_PENDING, "agent", "0.7.0", "", NULL },
	{ "newer-1.0.0.yml", DSL_PENDING, "workflow", "1.0.0", "", NULL },
	{ "broken-malformed.yml", DSL_FAILED, "", "",
	  "YAML parse error at line 17, column 8: did not find expected key",
	  "{\"line\": 17, \"column\": 8}" },
	{ "broken-float-version.yml", DSL_FAILED, "", "",
	  "Invalid version type: expected a string, got a float",
	  "{\"pointer\": \"/version\"}" },
	{ "broken-missing-app.yml", DSL_FAILED, "", "0.5.0",
	  "Missing app data in the DSL file", "{\"pointer\": \"/app\"}" },
	{ "broken-unknown-mode.yml", DSL_FAILED, "", "0.3.1",
	  "Unknown app mode \"chatbot\"", "{\"pointer\": \"/app/mode\"}" },
};

#define FIXTURE_COUNT (sizeof(fixtures) / sizeof(fixtures[0]))
#define FIXTURE_TESTS (5 * FIXTURE_COUNT)

static void
test_fixtures(void)
{
	struct dsl_import imp;
	char summary[1024];
	size_t i, len;
	char *text;
	int rc;

	for (i = 0; i < FIXTURE_COUNT; i++) {
		text = fixture(fixtures[i].file, &len);
		error_clear(&err);
		rc = dsl_read(text, len, &imp, &err);
		is_string(dsl_status_string(fixtures[i].status),
		    dsl_status_string(imp.status), "%s imports as %s",
		    fixtures[i].file, dsl_status_string(fixtures[i].status));
		if (fixtures[i].status == DSL_FAILED) {
			ok(rc == -1 && imp.document == NULL &&
			    imp.warnings == NULL, "%s: nothing is kept",
			    fixtures[i].file);
			is_int(ERR_BAD_REQUEST, err.code,
			    "%s fails as a bad request", fixtures[i].file);
			is_string(fixtures[i].warnings, err.message,
			    "%s: the reason is given", fixtures[i].file);
			is_json(fixtures[i].details, err.details,
			    "%s: the place is given", fixtures[i].file);
		} else {
			ok(rc == 0 && imp.document != NULL,
			    "%s: the document is kept", fixtures[i].file);
			is_string(fixtures[i].mode, imp.mode, "%s: mode %s",
			    fixtures[i].file, fixtures[i].mode);
			is_string(fixtures[i].version, imp.version,
			    "%s: version %s", fixtures[i].file,
			    fixtures[i].version);
			is_string(fixtures[i].warnings,
			    warning_summary(imp.warnings, summary,
			    sizeof(summary)), "%s: the expected warnings",
			    fixtures[i].file);
		}
		if (rc != 0 && err.code != ERR_BAD_REQUEST)
			diag("%s: %s", fixtures[i].file, err.message);
		dsl_import_free(&imp);
		free(text);
	}
}

/*
 * One warning in full, and the things Dify files do that must read as
 * they are: iteration children, UUID handles, lowercase methods, notes.
 */
static void
test_fixture_details(void)
{
	struct dsl_import imp;
	size_t len;
	char *text;

	text = fixture("workflow-0.1.3.yml", &len);
	if (dsl_read(text, len, &imp, &err) != 0)
		bail("workflow-0.1.3.yml: %s", err.message);
	is_json("{\"code\": \"node_type_unsupported\","
	    " \"path\": \"/workflow/graph/nodes/1\","
	    " \"message\": \"Node \\\"Summarise\\\" (1731990000002) is of"
	    " type llm, which drio cannot run yet; it is kept as it is\","
	    " \"details\": {\"node_id\": \"1731990000002\","
	    " \"title\": \"Summarise\", \"type\": \"llm\"}}",
	    json_object_array_get_idx(imp.warnings, 1),
	    "an unsupported node is named by id, title and type");
	is_json("{\"code\": \"dsl_version_older\", \"path\": \"/version\","
	    " \"message\": \"The file's DSL version 0.1.3 is older than"
	    " drio's 0.6.0; some features may differ\"}",
	    json_object_array_get_idx(imp.warnings, 0),
	    "the version warning says both versions");
	is_string("llm", json_get_string(at(imp.document,
	    "/workflow/graph/nodes/1/data"), "type"),
	    "the unsupported node is kept in the document");
	dsl_import_free(&imp);
	free(text);

	text = fixture("workflow-0.4.0.yml", &len);
	if (dsl_read(text, len, &imp, &err) != 0)
		bail("workflow-0.4.0.yml: %s", err.message);
	is_json("{\"node_id\": \"1756300000004\", \"title\": \"Translate\","
	    " \"type\": \"llm\", \"parent_id\": \"1756300000003\"}",
	    json_object_object_get(json_object_array_get_idx(imp.warnings,
	    4), "details"), "an iteration child is named with its parent");
	is_string("", json_get_string(at(imp.document,
	    "/workflow/graph/nodes/6/data"), "type"),
	    "the sticky note is kept, without a warning");
	dsl_import_free(&imp);
	free(text);

	text = fixture("workflow-0.6.0.yml", &len);
	if (dsl_read(text, len, &imp, &err) != 0)
		bail("workflow-0.6.0.yml: %s", err.message);
	is_string("post", json_get_string(at(imp.document,
	    "/workflow/graph/nodes/1/data"), "method"),
	    "a lowercase HTTP method reads as it is");
	is_string("d4c3b2a1-0f9e-4d8c-b7a6-5e4d3c2b1a09",
	    json_get_string(at(imp.document, "/workflow/graph/edges/3"),
	    "sourceHandle"), "a UUID case_id handle reads as it is");
	is_string("day", json_get_string(at(imp.document,
	    "/workflow/graph/nodes/2/data"), "timeout_unit"),
	    "the human-input node reads whole");
	dsl_import_free(&imp);
	free(text);
}

#define FIXTURE_DETAIL_TESTS 8

/* ---------------------------------------------------------------- */
/* Each step of the import, inline                                  */

static const struct {
	const char *what;
	const char *text;
	const char *message;
	const char *details;
} failures[] = {
	{ "a list is not a DSL file", "- app\n- kind\n",
	  "Invalid YAML format: the content is a list, not a mapping",
	  "{\"pointer\": \"\"}" },
	{ "a plain string is not a DSL file", "hello\n",
	  "Invalid YAML format: the content is a string, not a mapping",
	  "{\"pointer\": \"\"}" },
	{ "an empty file is not a DSL file", "",
	  "Invalid YAML format: the content is null, not a mapping",
	  "{\"pointer\": \"\"}" },
	{ "an integer version is refused", "version: 1\napp: {mode: chat}\n",
	  "Invalid version type: expected a string, got an integer",
	  "{\"pointer\": \"/version\"}" },
	{ "a list version is refused", "version: [0, 6]\napp: {}\n",
	  "Invalid version type: expected a string, got a list",
	  "{\"pointer\": \"/version\"}" },
	{ "an invalid version string fails", "version: abc\n"
	  "app: {mode: workflow}\nworkflow: {graph: {}}\n",
	  "Invalid DSL version \"abc\"", "{\"pointer\": \"/version\"}" },
	{ "the version is checked before the app block", "version: '0.x'\n",
	  "Invalid DSL version \"0.x\"", "{\"pointer\": \"/version\"}" },
	{ "an empty app block is missing", "version: 0.6.0\napp: {}\n",
	  "Missing app data in the DSL file", "{\"pointer\": \"/app\"}" },
	{ "a null app block is missing", "version: 0.6.0\napp:\n",
	  "Missing app data in the DSL file", "{\"pointer\": \"/app\"}" },
	{ "a string app block is refused", "version: 0.6.0\napp: chat\n",
	  "The app block is a string, not a mapping",
	  "{\"pointer\": \"/app\"}" },
	{ "an app without a mode fails", "version: 0.6.0\n"
	  "app: {name: x}\n", "The app has no mode",
	  "{\"pointer\": \"/app/mode\"}" },
	{ "an empty mode fails", "version: 0.6.0\napp: {mode: ''}\n",
	  "The app has no mode", "{\"pointer\": \"/app/mode\"}" },
	{ "a channel app cannot be imported", "version: 0.6.0\n"
	  "app: {mode: channel}\n",
	  "An app of mode channel cannot be imported",
	  "{\"pointer\": \"/app/mode\"}" },
	{ "a rag-pipeline app cannot be imported", "version: 0.6.0\n"
	  "app: {mode: rag-pipeline}\nworkflow: {graph: {}}\n",
	  "An app of mode rag-pipeline cannot be imported",
	  "{\"pointer\": \"/app/mode\"}" },
	{ "a number is not a mode", "version: 0.6.0\napp: {mode: 3}\n",
	  "Unknown app mode \"3\"", "{\"pointer\": \"/app/mode\"}" },
	{ "a workflow app needs its workflow", "version: 0.6.0\n"
	  "app: {mode: workflow}\nmodel_config: {model: {}}\n",
	  "Missing workflow data for a workflow or advanced-chat app",
	  "{\"pointer\": \"/workflow\"}" },
	{ "an advanced-chat app needs a workflow mapping", "version: 0.6.0\n"
	  "app: {mode: advanced-chat}\nworkflow: [graph]\n",
	  "Missing workflow data for a workflow or advanced-chat app",
	  "{\"pointer\": \"/workflow\"}" },
	{ "a chat app needs its model_config", "version: 0.6.0\n"
	  "app: {mode: chat}\nworkflow: {graph: {}}\n",
	  "Missing model_config for a chat, agent-chat or completion app",
	  "{\"pointer\": \"/model_config\"}" },
	{ "a completion app needs a non-empty model_config",
	  "version: 0.6.0\napp: {mode: completion}\nmodel_config: {}\n",
	  "Missing model_config for a chat, agent-chat or completion app",
	  "{\"pointer\": \"/model_config\"}" },
	{ "a graph must be a mapping", "version: 0.6.0\n"
	  "app: {mode: workflow}\nworkflow: {graph: [x]}\n",
	  "The workflow graph is a list, not a mapping",
	  "{\"pointer\": \"/workflow/graph\"}" },
	{ "nodes must be a list", "version: 0.6.0\n"
	  "app: {mode: workflow}\nworkflow: {graph: {nodes: {a: 1}}}\n",
	  "The graph's nodes are a mapping, not a list",
	  "{\"pointer\": \"/workflow/graph/nodes\"}" },
	{ "a node must be a mapping", "version: 0.6.0\n"
	  "app: {mode: workflow}\nworkflow: {graph: {nodes: [x]}}\n",
	  "Node 0 is a string, not a mapping",
	  "{\"pointer\": \"/workflow/graph/nodes/0\"}" },
	{ "a node needs an id", "version: 0.6.0\n"
	  "app: {mode: workflow}\n"
	  "workflow: {graph: {nodes: [{data: {type: start}}]}}\n",
	  "Node 0 has no id",
	  "{\"pointer\": \"/workflow/graph/nodes/0/id\"}" },
	{ "a node id is a string", "version: 0.6.0\n"
	  "app: {mode: workflow}\n"
	  "workflow: {graph: {nodes: [{id: 17, data: {type: start}}]}}\n",
	  "The id of node 0 is an integer, not a string",
	  "{\"pointer\": \"/workflow/graph/nodes/0/id\"}" },
	{ "a node needs data", "version: 0.6.0\n"
	  "app: {mode: workflow}\n"
	  "workflow: {graph: {nodes: [{id: 'a'}, {id: 'b', data: x}]}}\n",
	  "Node \"a\" has no data mapping",
	  "{\"pointer\": \"/workflow/graph/nodes/0/data\"}" },
	{ "a node needs a type", "version: 0.6.0\n"
	  "app: {mode: workflow}\n"
	  "workflow: {graph: {nodes: [{id: '1', data: {type: 7}}]}}\n",
	  "Node \"1\" has no type",
	  "{\"pointer\": \"/workflow/graph/nodes/0/data/type\"}" },
};

#define FAILURE_COUNT (sizeof(failures) / sizeof(failures[0]))
#define FAILURE_TESTS (3 * FAILURE_COUNT)

static void
test_failures(void)
{
	struct dsl_import imp;
	size_t i;
	int rc;

	for (i = 0; i < FAILURE_COUNT; i++) {
		rc = read_text(failures[i].text, &imp);
		ok(rc == -1 && imp.status == DSL_FAILED &&
		    err.code == ERR_BAD_REQUEST, "%s", failures[i].what);
		is_string(failures[i].message, err.message,
		    "%s: the reason", failures[i].what);
		is_json(failures[i].details, err.details, "%s: the place",
		    failures[i].what);
		dsl_import_free(&imp);
	}
}

/* Dify's defaults and tolerances, and the pending path. */
static void
test_defaults(void)
{
	struct dsl_import imp;
	char summary[256];
	size_t len;
	char *text;

	/* A missing version is 0.1.0 and a missing kind app. */
	if (read_text("app: {mode: chat}\nmodel_config: {model: {}}\n",
	    &imp) != 0)
		bail("no version: %s", err.message);
	is_string("0.1.0", imp.version, "a missing version is 0.1.0");
	is_int(DSL_COMPLETED_WITH_WARNINGS, imp.status,
	    "so it imports with warnings");
	is_json("{\"app\": {\"mode\": \"chat\"}, \"model_config\":"
	    " {\"model\": {}}, \"version\": \"0.1.0\", \"kind\": \"app\"}",
	    imp.document, "the document gets version and kind");
	dsl_import_free(&imp);

	/* Empty values are missing too, as Python's falsiness says. */
	if (read_text("version: ''\nkind: workflow\napp: {mode: chat}\n"
	    "model_config: {model: {}}\n", &imp) != 0)
		bail("empty version: %s", err.message);
	is_string("0.1.0", imp.version, "an empty version is 0.1.0");
	is_string("app", json_get_string(imp.document, "kind"),
	    "a kind other than app becomes app");
	dsl_import_free(&imp);
	if (read_text("version: 0\napp: {mode: chat}\n"
	    "model_config: {model: {}}\n", &imp) != 0)
		bail("zero version: %s", err.message);
	is_string("0.1.0", imp.version,
	    "version 0 (an integer, false to Python) is 0.1.0");
	dsl_import_free(&imp);

	/* Aliases are copied, so the document can be changed freely. */
	if (read_text("version: 0.6.0\napp: {mode: workflow}\n"
	    "defaults: &d {name: k, value: s3cret, value_type: secret}\n"
	    "workflow:\n  environment_variables: [*d]\n", &imp) != 0)
		bail("alias: %s", err.message);
	dsl_strip_secrets(imp.document);
	is_string("", json_get_string(at(imp.document,
	    "/workflow/environment_variables/0"), "value"),
	    "an aliased secret is stripped");
	is_string("s3cret", json_get_string(at(imp.document, "/defaults"),
	    "value"), "without changing the anchored original");
	dsl_import_free(&imp);

	/* A workflow without a graph reads: validation judges it later. */
	ok(read_text("version: 0.6.0\napp: {mode: workflow}\n"
	    "workflow: {features: {}}\n", &imp) == 0 &&
	    imp.status == DSL_COMPLETED, "a workflow without a graph reads");
	dsl_import_free(&imp);

	/* Pending: not judged, even with a mode drio does not know. */
	text = fixture("newer-0.7.0.yml", &len);
	error_clear(&err);
	ok(dsl_read_confirmed(text, len, &imp, &err) == -1 &&
	    strcmp(err.message, "Unknown app mode \"agent\"") == 0,
	    "a confirmed pending file is judged: an unknown mode fails");
	dsl_import_free(&imp);
	free(text);
	ok(read_text("version: 0.9.0\napp: {mode: workflow}\n", &imp) == 0 &&
	    imp.status == DSL_PENDING && imp.document != NULL,
	    "a pending workflow without its workflow block is held");
	dsl_import_free(&imp);
	ok(read_text("version: 0.9.0\n", &imp) == -1 &&
	    strcmp(err.message, "Missing app data in the DSL file") == 0,
	    "a pending file still needs an app block");
	dsl_import_free(&imp);

	text = fixture("newer-1.0.0.yml", &len);
	error_clear(&err);
	if (dsl_read_confirmed(text, len, &imp, &err) != 0)
		bail("confirm 1.0.0: %s", err.message);
	is_int(DSL_COMPLETED, imp.status,
	    "a confirmed newer file is completed, as in Dify");
	is_string("dsl_version_newer@/version", warning_summary(imp.warnings,
	    summary, sizeof(summary)), "with a warning about its version");
	is_string("1.0.0", imp.version, "keeping its version");
	dsl_import_free(&imp);

	/* The confirmed read of a current file is the plain read. */
	free(text);
	text = fixture("workflow-0.5.0.yml", &len);
	error_clear(&err);
	ok(dsl_read_confirmed(text, len, &imp, &err) == 0 &&
	    imp.status == DSL_COMPLETED_WITH_WARNINGS,
	    "confirming an older file changes nothing");
	dsl_import_free(&imp);
	free(text);

	dsl_import_free(NULL);
	ok(true, "dsl_import_free accepts NULL");
}

#define DEFAULT_TESTS 17

/* ---------------------------------------------------------------- */
/* Writing                                                          */

static void
test_round_trips(void)
{
	struct dsl_import first, second;
	char summary1[1024], summary2[1024];
	json_object *written;
	size_t i, len, yaml_len;
	char *text, *yaml, version_line[96];

	for (i = 0; i < FIXTURE_COUNT; i++) {
		if (fixtures[i].status == DSL_FAILED)
			continue;
		text = fixture(fixtures[i].file, &len);
		if (dsl_read(text, len, &first, &err) != 0)
			bail("%s: %s", fixtures[i].file, err.message);
		error_clear(&err);
		ok(dsl_write(first.document, &yaml, &yaml_len, &err) == 0 &&
		    yaml != NULL && strlen(yaml) == yaml_len,
		    "%s is written", fixtures[i].file);
		if (yaml == NULL)
			bail("%s: %s", fixtures[i].file, err.message);
		snprintf(version_line, sizeof(version_line),
		    "\nversion: '%s'\n", fixtures[i].version);
		ok(strstr(yaml, version_line) != NULL,
		    "%s: the version is quoted", fixtures[i].file);
		if (yaml_parse_json(yaml, yaml_len, &written, &err) != 0)
			bail("%s: written YAML: %s", fixtures[i].file,
			    err.message);
		ok(keys_sorted(written, fixtures[i].file),
		    "%s: keys are sorted at every level", fixtures[i].file);
		json_object_put(written);
		error_clear(&err);
		ok(dsl_read(yaml, yaml_len, &second, &err) == 0,
		    "%s: the written text reads back", fixtures[i].file);
		ok(json_object_equal(first.document, second.document),
		    "%s: to an equal document", fixtures[i].file);
		is_int(first.status, second.status,
		    "%s: with the same status", fixtures[i].file);
		is_string(warning_summary(first.warnings, summary1,
		    sizeof(summary1)), warning_summary(second.warnings,
		    summary2, sizeof(summary2)),
		    "%s: and the same warnings", fixtures[i].file);
		dsl_import_free(&first);
		dsl_import_free(&second);
		free(yaml);
		free(text);
	}
}

#define ROUND_TRIP_TESTS (7 * 12)

/* The exact text of a small document: Dify's key order. */
static void
test_write_text(void)
{
	json_object *doc;
	size_t len;
	char *yaml;

	doc = json_tokener_parse("{\"workflow\": {\"graph\": {\"nodes\": [],"
	    " \"edges\": []}}, \"version\": \"0.6.0\", \"kind\": \"app\","
	    " \"dependencies\": [], \"app\": {\"name\": \"A\", \"mode\":"
	    " \"workflow\", \"icon\": \"☀\", \"description\": \"\"}}");
	if (doc == NULL)
		bail("test document");
	if (dsl_write(doc, &yaml, &len, &err) != 0)
		bail("write: %s", err.message);
	is_string("app:\n  description: ''\n  icon: ☀\n  mode: workflow\n"
	    "  name: A\ndependencies: []\nkind: app\nversion: '0.6.0'\n"
	    "workflow:\n  graph:\n    edges: []\n    nodes: []\n", yaml,
	    "a document is written with sorted keys and a quoted version");
	free(yaml);
	is_string("0.6.0", json_get_string(doc, "version"),
	    "the document written is not changed");
	json_object_put(doc);

	doc = json_tokener_parse("{\"version\": \"next one\", \"z\": 1,"
	    " \"a\": {\"version\": \"1.0\"}}");
	if (dsl_write(doc, &yaml, &len, &err) != 0)
		bail("write: %s", err.message);
	is_string("a:\n  version: '1.0'\nversion: next one\nz: 1\n", yaml,
	    "only the top-level version of the safe alphabet is requoted");
	free(yaml);
	json_object_put(doc);

	doc = json_object_new_double(1.0 / 0.0);
	ok(dsl_write(doc, &yaml, &len, &err) == -1 && yaml == NULL &&
	    err.code == ERR_BAD_REQUEST, "what YAML cannot carry is refused");
	json_object_put(doc);
}

#define WRITE_TEXT_TESTS 4

/* ---------------------------------------------------------------- */
/* Secrets                                                          */

static void
test_strip_secrets(void)
{
	struct dsl_import imp;
	json_object *before;
	size_t len, yaml_len;
	char *text, *yaml;

	text = fixture("workflow-0.5.0.yml", &len);
	if (dsl_read(text, len, &imp, &err) != 0)
		bail("workflow-0.5.0.yml: %s", err.message);
	ok(strstr(text, "ldg_9b8a7c6d5e4f3a2b") != NULL &&
	    strstr(text, "credential_id") != NULL,
	    "the 0.5.0 fixture holds a secret and credential ids");
	dsl_strip_secrets(imp.document);
	is_string("", json_get_string(at(imp.document,
	    "/workflow/environment_variables/0"), "value"),
	    "a secret environment variable's value is blanked");
	is_json("500", at(imp.document,
	    "/workflow/environment_variables/1/value"),
	    "a number environment variable is kept");
	ok(at(imp.document, "/workflow/graph/nodes/2/data/credential_id") ==
	    NULL, "the tool node loses its credential_id");
	is_string("tavily_search", json_get_string(at(imp.document,
	    "/workflow/graph/nodes/2/data"), "tool_name"),
	    "and keeps the rest");
	ok(at(imp.document, "/workflow/graph/nodes/3/data/agent_parameters/"
	    "tools/value/0/credential_id") == NULL,
	    "the agent node's tool loses its credential_id");
	is_string("tavily_extract", json_get_string(at(imp.document,
	    "/workflow/graph/nodes/3/data/agent_parameters/tools/value/0"),
	    "tool_name"), "and keeps the rest");
	if (dsl_write(imp.document, &yaml, &yaml_len, &err) != 0)
		bail("write: %s", err.message);
	ok(strstr(yaml, "ldg_9b8a7c6d5e4f3a2b") == NULL &&
	    strstr(yaml, "credential_id") == NULL,
	    "the exported text holds no secret and no credential id");
	free(yaml);
	dsl_import_free(&imp);
	free(text);

	text = fixture("workflow-0.6.0.yml", &len);
	if (dsl_read(text, len, &imp, &err) != 0)
		bail("workflow-0.6.0.yml: %s", err.message);
	dsl_strip_secrets(imp.document);
	is_string("", json_get_string(at(imp.document,
	    "/workflow/environment_variables/0"), "value"),
	    "the 0.6.0 secret is blanked");
	is_string("https://helpdesk.example.com/api/v2",
	    json_get_string(at(imp.document,
	    "/workflow/environment_variables/1"), "value"),
	    "a string environment variable is kept");
	dsl_import_free(&imp);
	free(text);

	text = fixture("agent-chat-0.6.0.yml", &len);
	if (dsl_read(text, len, &imp, &err) != 0)
		bail("agent-chat-0.6.0.yml: %s", err.message);
	dsl_strip_secrets(imp.document);
	ok(at(imp.document, "/model_config/agent_mode/tools/0/credential_id")
	    == NULL, "an agent-chat tool loses its credential_id");
	is_string("weather", json_get_string(at(imp.document,
	    "/model_config/agent_mode/tools/0"), "tool_name"),
	    "and keeps the rest");
	dsl_import_free(&imp);
	free(text);

	/* Nothing to strip: nothing changes. */
	text = fixture("chat-0.1.5.yml", &len);
	if (dsl_read(text, len, &imp, &err) != 0)
		bail("chat-0.1.5.yml: %s", err.message);
	before = NULL;
	if (json_object_deep_copy(imp.document, &before, NULL) != 0)
		bail("out of memory");
	dsl_strip_secrets(imp.document);
	ok(json_object_equal(before, imp.document),
	    "a file without secrets is left as it is");
	json_object_put(before);
	dsl_import_free(&imp);
	free(text);

	/* Odd shapes are left alone. */
	before = json_tokener_parse("{\"workflow\": {\"environment_variables\":"
	    " [1, {\"value_type\": 2}], \"graph\": {\"nodes\": [null,"
	    " {\"data\": {\"type\": \"agent\", \"agent_parameters\":"
	    " {\"tools\": {\"value\": [\"x\"]}}}}]}}, \"model_config\": []}");
	dsl_strip_secrets(before);
	is_json("{\"workflow\": {\"environment_variables\":"
	    " [1, {\"value_type\": 2}], \"graph\": {\"nodes\": [null,"
	    " {\"data\": {\"type\": \"agent\", \"agent_parameters\":"
	    " {\"tools\": {\"value\": [\"x\"]}}}}]}}, \"model_config\": []}",
	    before, "members of other types are left alone");
	json_object_put(before);
	dsl_strip_secrets(NULL);
	ok(true, "stripping NULL does nothing");
}

#define STRIP_TESTS 15

int
main(void)
{
	plan(VERSION_TESTS + FIXTURE_TESTS + FIXTURE_DETAIL_TESTS +
	    FAILURE_TESTS + DEFAULT_TESTS + ROUND_TRIP_TESTS +
	    WRITE_TEXT_TESTS + STRIP_TESTS);
	test_versions();
	test_fixtures();
	test_fixture_details();
	test_failures();
	test_defaults();
	test_round_trips();
	test_write_text();
	test_strip_secrets();
	error_clear(&err);
	return 0;
}

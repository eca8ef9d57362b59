/*
 * dsl.c: reading and writing Dify's app DSL (see dsl.h): the version
 * rules, the import pipeline's checks in Dify's order, the export's
 * sorted YAML and its secret stripping.
 *
 * SPDX-License-Identifier: MIT
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsl.h"
#include "jsonutil.h"
#include "wfgraph.h"
#include "yaml.h"

/* A version as numbers: parts[0] is the major, parts[1] the minor. */
struct dsl_version {
	unsigned long parts[DSL_VERSION_PARTS];
	size_t count;
};

const char *
dsl_status_string(enum dsl_status status)
{
	switch (status) {
	case DSL_COMPLETED:
		return "completed";
	case DSL_COMPLETED_WITH_WARNINGS:
		return "completed-with-warnings";
	case DSL_PENDING:
		return "pending";
	case DSL_FAILED:
		break;
	}
	return "failed";
}

/*
 * Parse text as a version by the rules in dsl.h into out.  Returns 0, or
 * -1 when text is not a version.  Can't fail otherwise.
 */
static int
version_parse(const char *text, struct dsl_version *out)
{
	const char *p = text, *end;
	unsigned long number;
	size_t digits;

	memset(out, 0, sizeof(*out));
	while (isspace((unsigned char)*p))
		p++;
	end = p + strlen(p);
	while (end > p && isspace((unsigned char)end[-1]))
		end--;
	if (p < end && (*p == 'v' || *p == 'V'))
		p++;
	for (;;) {
		if (out->count == DSL_VERSION_PARTS)
			return -1;
		number = 0;
		for (digits = 0; p < end && isdigit((unsigned char)*p);
		    p++, digits++) {
			if (digits == 9)
				return -1;
			number = number * 10 + (unsigned long)(*p - '0');
		}
		if (digits == 0)
			return -1;
		out->parts[out->count++] = number;
		if (p == end)
			return 0;
		if (*p != '.')
			return -1;
		p++;
	}
}

/* Compare two versions part by part, missing parts as 0: <0, 0 or >0. */
static int
version_compare(const struct dsl_version *a, const struct dsl_version *b)
{
	size_t i;

	/* version_parse zeroes the parts it does not fill. */
	for (i = 0; i < DSL_VERSION_PARTS; i++)
		if (a->parts[i] != b->parts[i])
			return a->parts[i] < b->parts[i] ? -1 : 1;
	return 0;
}

int
dsl_version_status(const char *imported, enum dsl_status *out,
    struct error *err)
{
	struct dsl_version current, file;

	*out = DSL_FAILED;
	if (version_parse(DSL_VERSION, &current) != 0 ||
	    version_parse(imported, &file) != 0) {
		error_set(err, ERR_BAD_REQUEST, "Invalid DSL version \"%.64s\"",
		    imported);
		error_hint(err, "A DSL version is numbers separated by dots,"
		    " such as \"%s\".", DSL_VERSION);
		return -1;
	}
	if (version_compare(&file, &current) > 0)
		*out = DSL_PENDING;
	else if (file.parts[0] < current.parts[0])
		*out = DSL_PENDING;
	else if (file.parts[1] < current.parts[1])
		*out = DSL_COMPLETED_WITH_WARNINGS;
	else
		*out = DSL_COMPLETED;
	return 0;
}

void
dsl_import_free(struct dsl_import *imp)
{
	if (imp == NULL)
		return;
	json_object_put(imp->document);
	json_object_put(imp->warnings);
	memset(imp, 0, sizeof(*imp));
}

/* ---------------------------------------------------------------- */
/* Reading                                                          */

/*
 * Fail a read: ERR_BAD_REQUEST with the message and {"pointer": pointer}
 * as details.  Always returns -1.
 */
static int
read_fail(struct error *err, const char *pointer, const char *fmt, ...)
    __attribute__((__format__(printf, 3, 4)));

static int
read_fail(struct error *err, const char *pointer, const char *fmt, ...)
{
	char message[sizeof(err->message)];
	json_object *details;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	error_set(err, ERR_BAD_REQUEST, "%s", message);
	if (err != NULL && (details = json_object_new_object()) != NULL) {
		json_put_string(details, "pointer", pointer);
		err->details = details;
	}
	return -1;
}

/* Is value what Python's bool() finds false (None, "", 0, [], {})? */
static bool
is_falsy(json_object *value)
{
	switch (json_object_get_type(value)) {
	case json_type_null:
		return true;
	case json_type_boolean:
		return !json_object_get_boolean(value);
	case json_type_int:
		return json_object_get_int64(value) == 0 &&
		    json_object_get_uint64(value) == 0;
	case json_type_double:
		return json_object_get_double(value) == 0.0;
	case json_type_string:
		return json_object_get_string_len(value) == 0;
	case json_type_array:
		return json_object_array_length(value) == 0;
	case json_type_object:
		return json_object_object_length(value) == 0;
	}
	return false;
}

/* The name of value's type as a DSL author knows it, with its article. */
static const char *
type_name(json_object *value)
{
	switch (json_object_get_type(value)) {
	case json_type_null:
		return "null";
	case json_type_boolean:
		return "a boolean";
	case json_type_int:
		return "an integer";
	case json_type_double:
		return "a float";
	case json_type_string:
		return "a string";
	case json_type_array:
		return "a list";
	case json_type_object:
		return "a mapping";
	}
	return "a value";
}

/*
 * Append a warning {code, path, message[, details]} to list; details
 * (may be NULL) is taken over.  Returns 0, or -1 with err when memory is
 * exhausted.
 */
static int
warning_add(json_object *list, json_object *details, const char *code,
    const char *path, struct error *err, const char *fmt, ...)
    __attribute__((__format__(printf, 6, 7)));

static int
warning_add(json_object *list, json_object *details, const char *code,
    const char *path, struct error *err, const char *fmt, ...)
{
	json_object *entry;
	char message[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	if ((entry = json_object_new_object()) == NULL) {
		json_object_put(details);
		return error_set(err, ERR_INTERNAL, NULL);
	}
	json_put_string(entry, "code", code);
	json_put_string(entry, "path", path);
	json_put_string(entry, "message", message);
	if (details != NULL)
		json_object_object_add(entry, "details", details);
	if (json_object_array_add(list, entry) != 0) {
		json_object_put(entry);
		return error_set(err, ERR_INTERNAL, NULL);
	}
	return 0;
}

/*
 * Check the graph of workflow (step 8 in dsl.h) and list every node drio
 * cannot run in warnings.  Returns 0, or -1 with err: ERR_BAD_REQUEST
 * with the pointer of a malformed part, ERR_INTERNAL.
 */
static int
read_graph(json_object *workflow, json_object *warnings, struct error *err)
{
	json_object *graph, *nodes, *node, *data, *details, *member;
	const char *id, *type, *title;
	char path[64];
	size_t i, n;

	if (!json_object_object_get_ex(workflow, "graph", &graph) ||
	    graph == NULL)
		return 0;
	if (!json_object_is_type(graph, json_type_object))
		return read_fail(err, "/workflow/graph",
		    "The workflow graph is %s, not a mapping",
		    type_name(graph));
	if (!json_object_object_get_ex(graph, "nodes", &nodes) ||
	    nodes == NULL)
		return 0;
	if (!json_object_is_type(nodes, json_type_array))
		return read_fail(err, "/workflow/graph/nodes",
		    "The graph's nodes are %s, not a list",
		    type_name(nodes));
	n = json_object_array_length(nodes);
	for (i = 0; i < n; i++) {
		node = json_object_array_get_idx(nodes, i);
		snprintf(path, sizeof(path), "/workflow/graph/nodes/%zu", i);
		if (!json_object_is_type(node, json_type_object))
			return read_fail(err, path,
			    "Node %zu is %s, not a mapping", i,
			    type_name(node));
		/* Sticky notes: not part of the flow. */
		if ((type = json_get_string(node, "type")) != NULL &&
		    strcmp(type, "custom-note") == 0)
			continue;
		if (!json_object_object_get_ex(node, "id", &member) ||
		    is_falsy(member)) {
			snprintf(path, sizeof(path),
			    "/workflow/graph/nodes/%zu/id", i);
			return read_fail(err, path, "Node %zu has no id", i);
		}
		if ((id = json_get_string(node, "id")) == NULL) {
			snprintf(path, sizeof(path),
			    "/workflow/graph/nodes/%zu/id", i);
			return read_fail(err, path, "The id of node %zu is %s,"
			    " not a string", i, type_name(member));
		}
		if ((data = json_get_object(node, "data")) == NULL) {
			snprintf(path, sizeof(path),
			    "/workflow/graph/nodes/%zu/data", i);
			return read_fail(err, path,
			    "Node \"%.64s\" has no data mapping", id);
		}
		if ((type = json_get_string(data, "type")) == NULL) {
			snprintf(path, sizeof(path),
			    "/workflow/graph/nodes/%zu/data/type", i);
			return read_fail(err, path,
			    "Node \"%.64s\" has no type", id);
		}
		if (*type == '\0' || wfgraph_type_runs(type))
			continue;
		if ((title = json_get_string(data, "title")) == NULL)
			title = "";
		if ((details = json_object_new_object()) == NULL)
			return error_set(err, ERR_INTERNAL, NULL);
		json_put_string(details, "node_id", id);
		json_put_string(details, "title", title);
		json_put_string(details, "type", type);
		if (json_object_object_get_ex(node, "parentId", &member) &&
		    json_object_is_type(member, json_type_string))
			json_put_string(details, "parent_id",
			    json_object_get_string(member));
		if (warning_add(warnings, details, "node_type_unsupported",
		    path, err, "Node \"%.64s\" (%.64s) is of type %.64s,"
		    " which drio cannot run yet; it is kept as it is",
		    title, id, type) != 0)
			return -1;
	}
	return 0;
}

/*
 * Check app.mode and the block it needs (step 7 in dsl.h), then the
 * graph, filling warnings.  Returns 0, or -1 with err.
 */
static int
read_app(json_object *doc, json_object *app, struct dsl_import *out,
    struct error *err)
{
	json_object *mode, *block;
	const char *name;

	if (!json_object_object_get_ex(app, "mode", &mode) || is_falsy(mode))
		return read_fail(err, "/app/mode", "The app has no mode");
	name = json_object_is_type(mode, json_type_string) ?
	    json_object_get_string(mode) : json_object_to_json_string(mode);
	if (strcmp(name, "channel") == 0 ||
	    strcmp(name, "rag-pipeline") == 0) {
		read_fail(err, "/app/mode",
		    "An app of mode %s cannot be imported", name);
		error_hint(err, "Only workflow, advanced-chat, chat,"
		    " agent-chat and completion apps can be imported.");
		return -1;
	}
	if (strcmp(name, "workflow") == 0 ||
	    strcmp(name, "advanced-chat") == 0) {
		if (!json_object_object_get_ex(doc, "workflow", &block) ||
		    !json_object_is_type(block, json_type_object) ||
		    is_falsy(block))
			return read_fail(err, "/workflow", "Missing workflow"
			    " data for a workflow or advanced-chat app");
		if (read_graph(block, out->warnings, err) != 0)
			return -1;
	} else if (strcmp(name, "chat") == 0 ||
	    strcmp(name, "agent-chat") == 0 ||
	    strcmp(name, "completion") == 0) {
		if (!json_object_object_get_ex(doc, "model_config", &block) ||
		    !json_object_is_type(block, json_type_object) ||
		    is_falsy(block))
			return read_fail(err, "/model_config", "Missing"
			    " model_config for a chat, agent-chat or"
			    " completion app");
	} else {
		read_fail(err, "/app/mode", "Unknown app mode \"%.64s\"",
		    name);
		error_hint(err, "The mode is one of workflow, advanced-chat,"
		    " chat, agent-chat and completion.");
		return -1;
	}
	snprintf(out->mode, sizeof(out->mode), "%s", name);
	return 0;
}

/*
 * The whole read; confirmed says the import was pending and is now
 * confirmed (dsl_read_confirmed).  Returns as dsl_read.
 */
static int
read_document(const char *text, size_t len, bool confirmed,
    struct dsl_import *out, struct error *err)
{
	json_object *parsed = NULL, *doc = NULL, *version, *kind, *app,
	    *value;
	const char *imported;
	enum dsl_status status;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	out->status = DSL_FAILED;
	if ((out->warnings = json_object_new_array()) == NULL) {
		error_set(err, ERR_INTERNAL, NULL);
		goto out;
	}

	/* 1. YAML whose top is a mapping. */
	if (yaml_parse_json(text, len, &parsed, err) != 0)
		goto out;
	if (!json_object_is_type(parsed, json_type_object)) {
		read_fail(err, "", "Invalid YAML format: the content is %s,"
		    " not a mapping", type_name(parsed));
		goto out;
	}
	/* Aliases share nodes (yaml.h): give the caller a tree of its own. */
	if (json_object_deep_copy(parsed, &doc, NULL) != 0) {
		error_set(err, ERR_INTERNAL, NULL);
		goto out;
	}

	/* 2. Defaults for version and kind. */
	if (!json_object_object_get_ex(doc, "version", &version) ||
	    is_falsy(version)) {
		if ((value = json_object_new_string(DSL_VERSION_DEFAULT)) ==
		    NULL || json_object_object_add(doc, "version",
		    value) != 0) {
			json_object_put(value);
			error_set(err, ERR_INTERNAL, NULL);
			goto out;
		}
		version = value;
	}
	if (!json_object_object_get_ex(doc, "kind", &kind) ||
	    !json_object_is_type(kind, json_type_string) ||
	    strcmp(json_object_get_string(kind), "app") != 0) {
		if ((value = json_object_new_string("app")) == NULL ||
		    json_object_object_add(doc, "kind", value) != 0) {
			json_object_put(value);
			error_set(err, ERR_INTERNAL, NULL);
			goto out;
		}
	}

	/* 3. and 4. The version: a string, and one drio can judge. */
	if (!json_object_is_type(version, json_type_string)) {
		read_fail(err, "/version", "Invalid version type: expected a"
		    " string, got %s", type_name(version));
		error_hint(err, "Quote the version, as in version: '%s'.",
		    DSL_VERSION);
		goto out;
	}
	imported = json_object_get_string(version);
	snprintf(out->version, sizeof(out->version), "%s", imported);
	if (dsl_version_status(imported, &status, err) != 0) {
		/* Keep the message and hint; say where. */
		if (err != NULL &&
		    (value = json_object_new_object()) != NULL) {
			json_put_string(value, "pointer", "/version");
			err->details = value;
		}
		goto out;
	}

	/* 5. The app block. */
	if (!json_object_object_get_ex(doc, "app", &app) || is_falsy(app)) {
		read_fail(err, "/app", "Missing app data in the DSL file");
		goto out;
	}
	if (!json_object_is_type(app, json_type_object)) {
		read_fail(err, "/app", "The app block is %s, not a mapping",
		    type_name(app));
		goto out;
	}

	/* 6. A pending file is kept for confirmation, unjudged. */
	if (status == DSL_PENDING && !confirmed) {
		if (json_object_object_get_ex(app, "mode", &value) &&
		    json_object_is_type(value, json_type_string))
			snprintf(out->mode, sizeof(out->mode), "%s",
			    json_object_get_string(value));
		out->status = status;
		out->document = doc;
		doc = NULL;
		rc = 0;
		goto out;
	}

	/* The version's warning first, then the nodes' (7. and 8.). */
	if (status == DSL_COMPLETED_WITH_WARNINGS &&
	    warning_add(out->warnings, NULL, "dsl_version_older", "/version",
	    err, "The file's DSL version %.64s is older than drio's %s;"
	    " some features may differ", imported, DSL_VERSION) != 0)
		goto out;
	if (status == DSL_PENDING) {
		if (warning_add(out->warnings, NULL, "dsl_version_newer",
		    "/version", err, "The file's DSL version %.64s is newer"
		    " than drio's %s or of an older major version; it was"
		    " imported on confirmation", imported, DSL_VERSION) != 0)
			goto out;
		status = DSL_COMPLETED;
	}
	if (read_app(doc, app, out, err) != 0)
		goto out;
	out->status = status;
	out->document = doc;
	doc = NULL;
	rc = 0;
out:
	json_object_put(parsed);
	json_object_put(doc);
	if (rc != 0) {
		json_object_put(out->warnings);
		out->warnings = NULL;
		out->document = NULL;
		out->status = DSL_FAILED;
	}
	return rc;
}

int
dsl_read(const char *text, size_t len, struct dsl_import *out,
    struct error *err)
{
	return read_document(text, len, false, out, err);
}

int
dsl_read_confirmed(const char *text, size_t len, struct dsl_import *out,
    struct error *err)
{
	return read_document(text, len, true, out, err);
}

/* ---------------------------------------------------------------- */
/* Writing                                                          */

/* qsort comparator of object keys, by code point (UTF-8 byte order). */
static int
key_compare(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * A copy of value with every object's keys in sorted order, into *out
 * (a new reference; NULL for JSON null).  depth counts the nesting.
 * Returns 0, or -1 with err: ERR_BAD_REQUEST when value is nested deeper
 * than YAML_JSON_MAX_DEPTH, ERR_INTERNAL when memory is exhausted.
 */
static int
sorted_copy(json_object *value, int depth, json_object **out,
    struct error *err)
{
	json_object *copy = NULL, *child;
	const char **keys = NULL;
	size_t i, n;
	int rc = -1;

	*out = NULL;
	if (depth > YAML_JSON_MAX_DEPTH)
		return error_set(err, ERR_BAD_REQUEST,
		    "The document is nested too deeply");
	switch (json_object_get_type(value)) {
	case json_type_object:
		n = (size_t)json_object_object_length(value);
		if ((copy = json_object_new_object()) == NULL ||
		    (n > 0 && (keys = calloc(n, sizeof(*keys))) == NULL)) {
			error_set(err, ERR_INTERNAL, NULL);
			goto out;
		}
		i = 0;
		json_object_object_foreach(value, key, member) {
			(void)member;
			keys[i++] = key;
		}
		if (n > 1)
			qsort(keys, n, sizeof(*keys), key_compare);
		for (i = 0; i < n; i++) {
			if (sorted_copy(json_object_object_get(value, keys[i]),
			    depth + 1, &child, err) != 0)
				goto out;
			if (json_object_object_add(copy, keys[i],
			    child) != 0) {
				json_object_put(child);
				error_set(err, ERR_INTERNAL, NULL);
				goto out;
			}
		}
		break;
	case json_type_array:
		n = json_object_array_length(value);
		if ((copy = json_object_new_array()) == NULL) {
			error_set(err, ERR_INTERNAL, NULL);
			goto out;
		}
		for (i = 0; i < n; i++) {
			if (sorted_copy(json_object_array_get_idx(value, i),
			    depth + 1, &child, err) != 0)
				goto out;
			if (json_object_array_add(copy, child) != 0) {
				json_object_put(child);
				error_set(err, ERR_INTERNAL, NULL);
				goto out;
			}
		}
		break;
	default:
		/* Scalars are shared: the copy is only read. */
		copy = json_object_get(value);
		break;
	}
	*out = copy;
	copy = NULL;
	rc = 0;
out:
	free(keys);
	json_object_put(copy);
	return rc;
}

/*
 * Quote the top-level "version: X" line of text (len bytes, malloc'd) as
 * version: 'X' when X is plain and made of digits, letters, ".", "+" and
 * "-".  A line starting at column 0 with "version: " is the top-level
 * key: the emitter indents everything nested and writes no line wrapped.
 * Returns 0 with *text and *len updated, or -1 with err when memory is
 * exhausted (text is then unchanged).
 */
static int
quote_version(char **text, size_t *len, struct error *err)
{
	static const char key[] = "version: ";
	const size_t klen = sizeof(key) - 1;
	char *line, *value, *end, *grown;
	size_t at, vlen;
	const char *p;

	for (line = *text; line != NULL; line = strchr(line, '\n')) {
		if (*line == '\n')
			line++;
		if (strncmp(line, key, klen) == 0)
			break;
	}
	if (line == NULL)
		return 0;
	value = line + klen;
	end = strchr(value, '\n');
	vlen = end != NULL ? (size_t)(end - value) : strlen(value);
	if (vlen == 0)
		return 0;
	for (p = value; p < value + vlen; p++)
		if (!isalnum((unsigned char)*p) && *p != '.' && *p != '+' &&
		    *p != '-')
			return 0;
	at = (size_t)(value - *text);
	if ((grown = realloc(*text, *len + 3)) == NULL)
		return error_set(err, ERR_INTERNAL, NULL);
	/* 'value' then the rest, NUL included. */
	memmove(grown + at + vlen + 2, grown + at + vlen, *len - at - vlen + 1);
	memmove(grown + at + 1, grown + at, vlen);
	grown[at] = '\'';
	grown[at + vlen + 1] = '\'';
	*text = grown;
	*len += 2;
	return 0;
}

int
dsl_write(json_object *doc, char **yaml, size_t *len, struct error *err)
{
	json_object *sorted = NULL;
	char *text = NULL;
	size_t text_len = 0;
	int rc = -1;

	*yaml = NULL;
	*len = 0;
	if (sorted_copy(doc, 0, &sorted, err) != 0)
		goto out;
	if (yaml_emit_json(sorted, &text, &text_len, err) != 0)
		goto out;
	if (json_object_is_type(sorted, json_type_object) &&
	    quote_version(&text, &text_len, err) != 0)
		goto out;
	*yaml = text;
	*len = text_len;
	text = NULL;
	rc = 0;
out:
	free(text);
	json_object_put(sorted);
	return rc;
}

/* ---------------------------------------------------------------- */
/* Secrets                                                          */

/* Delete credential_id from each object in the array list (may be NULL). */
static void
strip_credentials(json_object *list)
{
	size_t i, n;

	if (list == NULL)
		return;
	n = json_object_array_length(list);
	for (i = 0; i < n; i++) {
		json_object *item = json_object_array_get_idx(list, i);

		if (json_object_is_type(item, json_type_object))
			json_object_object_del(item, "credential_id");
	}
}

void
dsl_strip_secrets(json_object *doc)
{
	json_object *workflow, *list, *item, *data, *tools, *mode_config;
	const char *type;
	size_t i, n;

	workflow = json_get_object(doc, "workflow");
	if ((list = json_get_array(workflow, "environment_variables")) !=
	    NULL) {
		n = json_object_array_length(list);
		for (i = 0; i < n; i++) {
			item = json_object_array_get_idx(list, i);
			if ((type = json_get_string(item, "value_type")) ==
			    NULL || strcmp(type, "secret") != 0)
				continue;
			/* On OOM the value becomes null: still no secret. */
			json_object_object_add(item, "value",
			    json_object_new_string(""));
		}
	}
	if ((list = json_get_array(json_get_object(workflow, "graph"),
	    "nodes")) != NULL) {
		n = json_object_array_length(list);
		for (i = 0; i < n; i++) {
			data = json_get_object(json_object_array_get_idx(list,
			    i), "data");
			if ((type = json_get_string(data, "type")) == NULL)
				continue;
			if (strcmp(type, "tool") == 0)
				json_object_object_del(data, "credential_id");
			else if (strcmp(type, "agent") == 0) {
				tools = json_get_object(json_get_object(data,
				    "agent_parameters"), "tools");
				strip_credentials(json_get_array(tools,
				    "value"));
			}
		}
	}
	mode_config = json_get_object(json_get_object(doc, "model_config"),
	    "agent_mode");
	strip_credentials(json_get_array(mode_config, "tools"));
}

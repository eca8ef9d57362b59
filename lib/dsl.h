/*
 * dsl.h: reading and writing Dify's app DSL, the YAML file an app is
 * exported to and imported from.  This is the pure part of import and
 * export: no database, no network.  The rules are Dify's own, as read
 * from its source (AppDslService in api/services/app_dsl_service.py), so
 * a file Dify accepts is accepted here with the same status, and a file
 * drio writes reads in Dify.
 *
 * Versions.  drio writes DSL_VERSION.  A file's version is compared with
 * it numerically, as Dify does with packaging.version:
 *
 *     an invalid version string            failed
 *     imported > current                   pending
 *     imported major < current major       pending
 *     imported minor < current minor       completed-with-warnings
 *     otherwise                            completed
 *
 * A version is read as packaging.version reads the forms Dify writes:
 * surrounding blanks are ignored, a leading "v" or "V" is allowed, then
 * one to DSL_VERSION_PARTS numbers of at most 9 digits each, separated
 * by dots ("0.6.0", "0.6", "1", "0.6.0.1").  Missing parts count as 0, so
 * "0.6" equals "0.6.0".  Deliberately narrower than packaging.version,
 * which also accepts pre-, post- and dev-releases, epochs and local
 * labels ("0.6.0rc1", "1!0.6", "0.6.0+x"): Dify never writes them, so
 * here they are invalid, and such a file fails where Dify would read it.
 *
 * Reading (dsl_read) follows AppDslService.import_app step by step:
 *   1. the text must be YAML (yaml.h), whose top is a mapping;
 *   2. a missing or empty version (anything Python finds false: absent,
 *      null, "", 0, false, [], {}) becomes "0.1.0"; a kind that is not
 *      "app" becomes "app", silently;
 *   3. a version that is not a string (version: 0.6 is a float) fails;
 *   4. the version is checked as above (an invalid one fails);
 *   5. a missing or empty app block fails;
 *   6. a pending file stops here: nothing more is checked (a newer file
 *      may use modes and nodes this drio does not know), as in Dify,
 *      where only confirming the import creates the app;
 *   7. app.mode must be one of workflow, advanced-chat, chat, agent-chat
 *      and completion (channel and rag-pipeline are modes Dify has but
 *      does not import); workflow and advanced-chat need a workflow
 *      mapping, the other three a model_config mapping;
 *   8. a workflow's graph, when present, is a mapping whose nodes are a
 *      list of mappings, each with a string id and a data mapping whose
 *      type is a string.  Sticky notes (node type custom-note, data.type
 *      "") are skipped.  Every node whose data.type drio cannot run (it runs
 *      start, end, tool, http-request, template-transform, if-else and
 *      human-input) is kept in the document as it is and listed as a
 *      warning.  Nothing else in the graph is judged here (lib/wfgraph
 *      checks edges, handles and variables): lowercase HTTP methods,
 *      iteration children with parentId and if-else case_id handles
 *      that are UUIDs all read as they are.
 *
 * A failure is ERR_BAD_REQUEST (Dify answers 400 "failed") with the
 * reason as the message and where it is as err->details: a YAML error
 * carries yaml.h's {"line": n, "column": m}, a structural one
 * {"pointer": "/app/mode"} (a JSON Pointer into the document).
 *
 * Warnings are a JSON array of objects
 *
 *     {"code": "node_type_unsupported",
 *      "path": "/workflow/graph/nodes/3",
 *      "message": "Node \"LLM\" (1718...) is of type llm, which drio
 *                  cannot run yet; it is kept as it is",
 *      "details": {"node_id": "1718...", "title": "LLM", "type": "llm"}}
 *
 * with the codes dsl_version_older (path /version: a completed-with-
 * warnings file), dsl_version_newer (path /version: a pending file read
 * by dsl_read_confirmed) and node_type_unsupported.  The status stays
 * the version's, as in Dify: a 0.6.0 file with an llm node is completed,
 * with one warning.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef DRIO_DSL_H
#define DRIO_DSL_H

#include <stddef.h>

#include <json-c/json.h>

#include "error.h"

/* The DSL version drio writes and compares imported files with. */
#define DSL_VERSION "0.6.0"

/* The version a file without one is taken to be (Dify's rule). */
#define DSL_VERSION_DEFAULT "0.1.0"

/* The most dot-separated numbers a version may have. */
#define DSL_VERSION_PARTS 8

/* The longest imported version kept in struct dsl_import, NUL excluded. */
#define DSL_VERSION_MAX 63

/* The status of an import, as Dify's ImportStatus. */
enum dsl_status {
	DSL_COMPLETED = 0,           /* "completed" */
	DSL_COMPLETED_WITH_WARNINGS, /* "completed-with-warnings" */
	DSL_PENDING,                 /* "pending": confirm to import */
	DSL_FAILED                   /* "failed" */
};

/*
 * What dsl_read made of a file.  version and mode are empty strings when
 * the file failed before they were known; version is cut to
 * DSL_VERSION_MAX bytes.  document and warnings are owned by the struct
 * (release with dsl_import_free); both are NULL after a failure.
 */
struct dsl_import {
	enum dsl_status status;
	char version[DSL_VERSION_MAX + 1]; /* as imported, or "0.1.0" */
	char mode[32];               /* app.mode, when it was read */
	json_object *document;       /* the whole file, version and kind
	                              * filled in as step 2 says */
	json_object *warnings;       /* array of {code, path, message,
	                              * details} */
};

/*
 * The status's string in Dify's Import body: "completed",
 * "completed-with-warnings", "pending" or "failed".  Can't fail.
 */
const char *dsl_status_string(enum dsl_status status);

/*
 * Judge an imported version against DSL_VERSION by the table above.
 * Returns 0 with *out DSL_COMPLETED, DSL_COMPLETED_WITH_WARNINGS or
 * DSL_PENDING, or -1 with *out DSL_FAILED and err ERR_BAD_REQUEST when
 * imported is not a version.
 */
int dsl_version_status(const char *imported, enum dsl_status *out,
    struct error *err);

/*
 * Read len bytes of text (need not be NUL-terminated) as a Dify DSL file,
 * by the steps above.  Returns 0 with out filled (status completed,
 * completed-with-warnings or pending; release with dsl_import_free), or
 * -1 with out->status DSL_FAILED, no document or warnings, and err set:
 * ERR_BAD_REQUEST with the reason and its place in err->details, or
 * ERR_INTERNAL when memory is exhausted.
 */
int dsl_read(const char *text, size_t len, struct dsl_import *out,
    struct error *err);

/*
 * Read a file whose import was pending and is now confirmed, as Dify's
 * confirm_import does: like dsl_read, but a version that would be
 * pending is accepted with status completed (and a dsl_version_newer
 * warning) and steps 7 and 8 are run.  An invalid version still fails.
 * Returns as dsl_read.
 */
int dsl_read_confirmed(const char *text, size_t len, struct dsl_import *out,
    struct error *err);

/* Release what imp owns and zero it.  Accepts NULL and a zeroed struct. */
void dsl_import_free(struct dsl_import *imp);

/*
 * Write doc (a DSL document; borrowed, not modified) as YAML the way
 * Dify's exporter does (yaml.dump): keys sorted at every level, by code
 * point, and the top-level version, when it is a string of digits,
 * letters, dots, "+" and "-", single-quoted ('0.6.0') so no reader takes
 * it for a number.  The text reads back through dsl_read to an equal
 * document.  Returns 0 with *yaml malloc'd, NUL-terminated text the
 * caller frees with free() and *len its length, or -1 with *yaml NULL
 * and err: ERR_BAD_REQUEST when doc cannot be written (see
 * yaml_emit_json), ERR_INTERNAL when memory is exhausted.
 */
int dsl_write(json_object *doc, char **yaml, size_t *len,
    struct error *err);

/*
 * Remove what an export leaves out unless secrets are asked for, in
 * place, as Dify's exporter does: environment variables whose value_type
 * is secret get the value "", tool nodes lose data.credential_id, agent
 * nodes lose credential_id from each of data.agent_parameters.tools.value,
 * and model_config.agent_mode.tools lose credential_id (Dify always drops
 * those).  Members that are absent or of another type are left alone.
 * doc is modified: it must not share nodes with a value that must stay
 * as it is (dsl_read's document does not).  Can't fail.
 */
void dsl_strip_secrets(json_object *doc);

#endif

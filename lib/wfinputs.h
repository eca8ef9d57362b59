/*
 * wfinputs.h: a workflow's run inputs, as its start node declares them.
 *
 * A workflow graph (Dify's DSL: {nodes, edges}) has one node whose
 * data.type is "start"; its data.variables list the inputs a run takes,
 * each {variable, label, description, type, required, max_length,
 * options, default, hide, allowed_file_types, allowed_file_extensions,
 * allowed_file_upload_methods, json_schema}.  The types are Dify's:
 * text-input, paragraph, select, number, file, file-list, and the newer
 * checkbox and json_object.  This module describes those inputs the way
 * Dify's parameters endpoint does (wfinputs_parameters), as a JSON Schema
 * of a run's `inputs` (wfinputs_schema), and checks a run's inputs the
 * way Dify's BaseAppGenerator does (wfinputs_check), with the
 * deviations listed at wfinputs_check.
 *
 * Everything here is pure: no database, no network.  Whether a file
 * input's upload_file_id names an upload of the app, and whether that
 * upload's type and extension fit the variable, is for the caller
 * (wfinputs_file_allowed answers the second).
 *
 * A declaration drio cannot read (no name, a repeated name, an unknown
 * type, options that are not strings, ...) makes wfinputs_schema and
 * wfinputs_check fail with ERR_DRAFT_INVALID; wfinputs_declarations()
 * lists those problems for the draft's validation report.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef DRIO_WFINPUTS_H
#define DRIO_WFINPUTS_H

#include <stdbool.h>

#include <json-c/json.h>

#include "error.h"

/*
 * The upload limits a parameters answer states in system_parameters, in
 * megabytes as Dify states them, with Dify's defaults.  The upload route
 * enforces them; a caller without configured limits passes NULL to
 * wfinputs_parameters and gets these.
 */
#define WFINPUTS_FILE_SIZE_LIMIT          15 /* MB, any file */
#define WFINPUTS_IMAGE_FILE_SIZE_LIMIT    10 /* MB, an image */
#define WFINPUTS_VIDEO_FILE_SIZE_LIMIT   100 /* MB, a video */
#define WFINPUTS_AUDIO_FILE_SIZE_LIMIT    50 /* MB, an audio file */
#define WFINPUTS_WORKFLOW_FILE_UPLOAD_LIMIT 10 /* files in one file-list */

/* The most problems wfinputs_check lists in an error's details. */
#define WFINPUTS_DETAILS_MAX 50

struct wfinputs_limits {
	long long file_size_limit;
	long long image_file_size_limit;
	long long video_file_size_limit;
	long long audio_file_size_limit;
	long long workflow_file_upload_limit;
};

/*
 * The start node of graph (borrowed): the first member of graph.nodes
 * whose data.type is "start", as Dify picks it.  Returns that node,
 * borrowed from graph, or NULL when there is none (or graph is not a
 * graph).  Can't fail.
 */
json_object *wfinputs_start_node(json_object *graph);

/*
 * List, in errors (an array, borrowed), one {code, message, pointer}
 * entry per start variable declaration drio cannot read, in the form
 * appconfig_validate() reports: code "start_variable_invalid", pointer
 * the JSON Pointer of the declaration, prefix followed by
 * "/nodes/<i>/data/variables/<j>" (prefix "" when graph is the root).
 * A graph without a start node has no declarations.  Returns how many
 * entries it added.  Can't fail (an entry memory does not allow is left
 * out).
 */
int wfinputs_declarations(json_object *graph, const char *prefix,
    json_object *errors);

/*
 * Build the answer of Dify's parameters endpoint for a workflow app whose
 * graph is graph (borrowed): opening_statement, suggested_questions and
 * the other chat features at Dify's defaults (a workflow has none),
 * user_input_form as [{"<type>": <the declaration as written>}, ...] in
 * the start node's order, file_upload derived from the file and
 * file-list variables, and system_parameters from limits (NULL: the
 * WFINPUTS_* defaults).  Declarations are echoed as they are, as Dify
 * does; one that is not an object with a string type is left out.
 * Returns 0 and a new *out (caller releases), or -1 and err
 * (ERR_INTERNAL: memory ran out).
 */
int wfinputs_parameters(json_object *graph,
    const struct wfinputs_limits *limits, json_object **out,
    struct error *err);

/*
 * Build a JSON Schema (the 2020-12 subset lib/jsonschema.h checks) of a
 * run's `inputs` object for graph (borrowed): one property per start
 * variable, titled by its label and described by its description;
 * text-input and paragraph are strings (maxLength from max_length),
 * select a string enum of its options, number a number, checkbox a
 * boolean, json_object its json_schema (or any object), file a file
 * mapping {type, transfer_method, upload_file_id, url} whose enums
 * follow the variable's allowed types and methods, file-list an array
 * of them (maxItems from max_length).  Required variables are listed in
 * required; additionalProperties is false.  Returns 0 and a new *out
 * (caller releases), or -1 and err: ERR_DRAFT_INVALID when a declaration
 * cannot be read, ERR_INTERNAL when memory ran out.
 */
int wfinputs_schema(json_object *graph, json_object **out,
    struct error *err);

/*
 * Check inputs (a run's `inputs`, borrowed; NULL counts as {}) against
 * the start variables of graph (borrowed), in their order, as Dify's
 * BaseAppGenerator._validate_inputs does:
 *   - absent or null: refused when required ("x is required in input
 *     form"), else the variable's default is used and checked like a
 *     given value; no default leaves the input out of *normalised;
 *   - text-input, paragraph, select: a string; text at most max_length
 *     characters (code points, when max_length > 0); select one of the
 *     options;
 *   - number: a JSON number, or a string that is one (with a '.' it is
 *     read as a float, else as an integer, surrounding blanks allowed,
 *     as Python's float() and int() read them), given back as a number;
 *   - file: a file mapping; file-list: an array of them, at most
 *     max_length (when > 0); an optional one given as "" counts as not
 *     given.  A mapping is an object whose transfer_method is local_file
 *     (with an upload_file_id that is a UUID) or remote_url (with an
 *     http or https url, or an upload_file_id), whose optional type is
 *     image, document, audio, video or custom, and whose method and type
 *     the variable allows (allowed_file_upload_methods,
 *     allowed_file_types; empty lists allow all).  Only its type,
 *     transfer_method, upload_file_id and url are kept;
 *   - checkbox: a boolean, or "true"/"1"/"yes"/"on" and
 *     "false"/"0"/"no"/"off" (any case), or 1 and 0, given back as a
 *     boolean;
 *   - json_object: an object, which must also fit the variable's
 *     json_schema when it has one.
 * Members of inputs that no variable declares are ignored and left out,
 * as Dify drops them.  NUL characters are removed from text inputs once
 * checked, as Dify's _sanitize_value does.
 *
 * Where drio is stricter than Dify: a JSON boolean is not a number; a
 * number given as "" (or blanks) counts as not given, so a required one
 * is refused and an optional one takes its default; a checkbox value
 * other than those above, and a json_object value that is not an object
 * (Dify lets "", 0 and [] through), are refused; the transfer method is
 * checked for images too (Dify checks an image's against an image
 * config a start variable never has); integers outside 64 bits are
 * refused.
 *
 * Returns 0 and a new *normalised (the inputs as the run sees them:
 * declared names only, defaults filled in, numbers as numbers; caller
 * releases), or -1 and err:
 *   - ERR_VALIDATION: one detail per problem (the first
 *     WFINPUTS_DETAILS_MAX of them), {loc: ["body", "inputs",
 *     name] (and the index of a file-list's item), msg, type} with Dify's
 *     messages and pydantic-like types ("missing", "string_type",
 *     "string_too_long", "string_unicode", "enum", "float_parsing",
 *     "bool_parsing", "dict_type", "file_type", "file_list_type",
 *     "too_long", "file_transfer_method", "file_upload_file_id",
 *     "file_url", "file_type_unknown", "file_type_not_allowed",
 *     "json_schema"); the message repeats the first one's msg, with
 *     "(and N more problems)";
 *   - ERR_DRAFT_INVALID: a declaration cannot be read;
 *   - ERR_INTERNAL: memory ran out.
 */
int wfinputs_check(json_object *graph, json_object *inputs,
    json_object **normalised, struct error *err);

/*
 * Does an upload of file_type (image, document, audio, video or custom,
 * as drio classified it; NULL counts as custom) and extension (with or
 * without its dot, any case; NULL counts as none) fit variable, a file
 * or file-list declaration (borrowed)?  As Dify's newest
 * _is_file_valid_with_config: an empty allowed_file_types allows every
 * type; a type it does not list fits only when it lists "custom"; and a
 * file of type custom, or one let in as custom that way, must have one
 * of allowed_file_extensions when that list is not empty.  false for a
 * declaration that is not a readable file or file-list.  Can't fail.
 */
bool wfinputs_file_allowed(json_object *variable, const char *file_type,
    const char *extension);

#endif

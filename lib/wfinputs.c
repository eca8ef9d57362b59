/*
 * wfinputs.c: a workflow's run inputs: reading the start node's variable
 * declarations, describing them (Dify's parameters answer and a JSON
 * Schema) and checking a run's inputs against them (see wfinputs.h).
 *
 * The rules follow Dify's own code: the declaration is graphon's
 * VariableEntity, the parameters answer is
 * controllers/common/helpers.py get_parameters_from_feature_dict() with
 * Workflow.user_input_form(to_old_structure=True), and the checks are
 * BaseAppGenerator._validate_inputs() and _prepare_user_inputs(), the
 * file mappings' shape file_factory.build_from_mapping(), and a
 * json_object's schema the start node's own check.  Where drio is
 * stricter, wfinputs.h says so.
 *
 * SPDX-License-Identifier: MIT
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "jsonschema.h"
#include "jsonutil.h"
#include "utf8.h"
#include "valid.h"
#include "wfinputs.h"

/* The variable types of a start node, as Dify's VariableEntityType. */
enum wfvar_type {
	WFVAR_TEXT_INPUT,
	WFVAR_PARAGRAPH,
	WFVAR_SELECT,
	WFVAR_NUMBER,
	WFVAR_FILE,
	WFVAR_FILE_LIST,
	WFVAR_CHECKBOX,
	WFVAR_JSON_OBJECT,
	WFVAR__MAX
};

static const char *const wfvar_type_names[WFVAR__MAX] = {
	"text-input",
	"paragraph",
	"select",
	"number",
	"file",
	"file-list",
	"checkbox",
	"json_object",
};

/* Dify's FileType values. */
static const char *const file_types[] = {
	"image", "document", "audio", "video", "custom", NULL
};

/* Dify's FileTransferMethod values a declaration may list. */
static const char *const file_methods[] = {
	"local_file", "remote_url", "tool_file", "datasource_file", NULL
};

/* The transfer methods a run's input may use. */
static const char *const input_methods[] = {
	"local_file", "remote_url", NULL
};

/* One start variable, read.  Members are borrowed from the graph. */
struct wfvar {
	json_object *decl;        /* the declaration */
	const char *name;         /* its variable */
	enum wfvar_type type;
	bool required;
	long long max_length;     /* 0: no limit */
	json_object *options;     /* select: strings; NULL: none */
	json_object *default_value; /* NULL: none (absent or null) */
	json_object *allowed_types;   /* NULL or []: all */
	json_object *allowed_extensions;
	json_object *allowed_methods; /* NULL or []: all */
	json_object *json_schema; /* a reference held (json_object_get or a
	                           * parse): released by wfvars_free */
};

struct wfvars {
	struct wfvar *v;
	size_t n;
};

/* One problem found in a run's inputs. */
struct problem {
	char msg[384];
	const char *type;
};

static void
wfvars_free(struct wfvars *vars)
{
	size_t i;

	if (vars == NULL)
		return;
	for (i = 0; i < vars->n; i++)
		json_object_put(vars->v[i].json_schema);
	free(vars->v);
	vars->v = NULL;
	vars->n = 0;
}

/* Is s one of the NULL-terminated list?  Can't fail. */
static bool
in_list(const char *const *list, const char *s)
{
	size_t i;

	for (i = 0; list[i] != NULL; i++)
		if (strcmp(list[i], s) == 0)
			return true;
	return false;
}

/* Is s a string member of array (NULL: none)?  Can't fail. */
static bool
in_array(json_object *array, const char *s)
{
	size_t i, n = array != NULL ? json_object_array_length(array) : 0;

	for (i = 0; i < n; i++) {
		json_object *item = json_object_array_get_idx(array, i);

		if (json_object_is_type(item, json_type_string) &&
		    strcmp(json_object_get_string(item), s) == 0)
			return true;
	}
	return false;
}

/* The length of array, 0 for NULL.  Can't fail. */
static size_t
array_length(json_object *array)
{
	return array != NULL ? json_object_array_length(array) : 0;
}

json_object *
wfinputs_start_node(json_object *graph)
{
	json_object *nodes = json_get_array(graph, "nodes");
	size_t i, n = array_length(nodes);

	for (i = 0; i < n; i++) {
		json_object *node = json_object_array_get_idx(nodes, i);
		const char *type = json_get_string(json_get_object(node,
		    "data"), "type");

		if (type != NULL && strcmp(type, "start") == 0)
			return node;
	}
	return NULL;
}

/* The index of the start node in graph.nodes; only when there is one. */
static size_t
start_node_index(json_object *graph, json_object *start)
{
	json_object *nodes = json_get_array(graph, "nodes");
	size_t i, n = array_length(nodes);

	for (i = 0; i < n; i++)
		if (json_object_array_get_idx(nodes, i) == start)
			break;
	return i;
}

/*
 * Read member key of decl as an optional array of strings, each one of
 * allowed when allowed is not NULL.  Returns 0 with *out (NULL when
 * absent or null), or -1 with why filled.
 */
static int
read_string_array(json_object *decl, const char *key,
    const char *const *allowed, json_object **out, char *why, size_t size)
{
	json_object *array;
	size_t i, n;

	*out = NULL;
	if (!json_object_object_get_ex(decl, key, &array) || array == NULL)
		return 0;
	if (!json_object_is_type(array, json_type_array)) {
		snprintf(why, size, "%s is not an array", key);
		return -1;
	}
	n = json_object_array_length(array);
	for (i = 0; i < n; i++) {
		json_object *item = json_object_array_get_idx(array, i);

		if (!json_object_is_type(item, json_type_string)) {
			snprintf(why, size, "%s[%zu] is not a string", key, i);
			return -1;
		}
		if (allowed != NULL &&
		    !in_list(allowed, json_object_get_string(item))) {
			snprintf(why, size, "%s[%zu] \"%.64s\" is not one drio "
			    "knows", key, i, json_object_get_string(item));
			return -1;
		}
	}
	*out = array;
	return 0;
}

/*
 * Read max_length: absent, null or "" is no limit; otherwise an integer
 * at least 0, written as a JSON integer (or an integral float, or a
 * string of digits, which pydantic's lax mode also reads).  Returns 0
 * with *out, or -1 with why filled.
 */
static int
read_max_length(json_object *decl, long long *out, char *why, size_t size)
{
	json_object *value;
	const char *s;
	char *end;
	double d;

	*out = 0;
	if (!json_object_object_get_ex(decl, "max_length", &value) ||
	    value == NULL)
		return 0;
	switch (json_object_get_type(value)) {
	case json_type_int:
		*out = json_object_get_int64(value);
		break;
	case json_type_double:
		d = json_object_get_double(value);
		if (d != floor(d) || d < 0 || d > 1e15)
			goto bad;
		*out = (long long)d;
		break;
	case json_type_string:
		s = json_object_get_string(value);
		if (*s == '\0')
			return 0;
		if (!isdigit((unsigned char)*s))
			goto bad;
		errno = 0;
		*out = strtoll(s, &end, 10);
		if (*end != '\0' || errno != 0)
			goto bad;
		break;
	default:
		goto bad;
	}
	if (*out < 0)
		goto bad;
	return 0;
bad:
	snprintf(why, size, "max_length is not a whole number at least 0");
	return -1;
}

/*
 * Read one declaration into var (var->json_schema, when set, holds a
 * reference the caller releases).  Returns 0, or -1 with why filled
 * (what is wrong, naming the member) and nothing held.  A json_schema
 * written as text that cannot be parsed, for want of memory too, makes
 * the declaration unreadable.
 */
static int
wfvar_read(json_object *decl, struct wfvar *var, char *why, size_t size)
{
	json_object *value;
	const char *type;
	size_t i, n;
	int t;

	memset(var, 0, sizeof(*var));
	var->decl = decl;
	if (!json_object_is_type(decl, json_type_object)) {
		snprintf(why, size, "the declaration is not an object");
		return -1;
	}
	var->name = json_get_string(decl, "variable");
	if (var->name == NULL || var->name[0] == '\0') {
		snprintf(why, size, "variable (its name) is missing or not "
		    "a string");
		return -1;
	}
	if ((type = json_get_string(decl, "type")) == NULL) {
		snprintf(why, size, "type is missing or not a string");
		return -1;
	}
	for (t = 0; t < WFVAR__MAX; t++)
		if (strcmp(wfvar_type_names[t], type) == 0)
			break;
	if (t == WFVAR__MAX) {
		snprintf(why, size, "type \"%.64s\" is not one drio knows "
		    "(text-input, paragraph, select, number, file, file-list, "
		    "checkbox, json_object)", type);
		return -1;
	}
	var->type = (enum wfvar_type)t;
	if (json_object_object_get_ex(decl, "required", &value) &&
	    value != NULL) {
		if (!json_object_is_type(value, json_type_boolean)) {
			snprintf(why, size, "required is not a boolean");
			return -1;
		}
		var->required = json_object_get_boolean(value);
	}
	if (read_max_length(decl, &var->max_length, why, size) == -1 ||
	    read_string_array(decl, "options", NULL, &var->options, why,
	    size) == -1 ||
	    read_string_array(decl, "allowed_file_types", file_types,
	    &var->allowed_types, why, size) == -1 ||
	    read_string_array(decl, "allowed_file_extensions", NULL,
	    &var->allowed_extensions, why, size) == -1 ||
	    read_string_array(decl, "allowed_file_upload_methods",
	    file_methods, &var->allowed_methods, why, size) == -1)
		return -1;
	if (json_object_object_get_ex(decl, "default", &value))
		var->default_value = value;
	if (json_object_object_get_ex(decl, "json_schema", &value) &&
	    value != NULL) {
		if (json_object_is_type(value, json_type_object))
			var->json_schema = json_object_get(value);
		else if (json_object_is_type(value, json_type_string)) {
			const char *text = json_object_get_string(value);

			n = (size_t)json_object_get_string_len(value);
			for (i = 0; i < n && isspace((unsigned char)text[i]);
			    i++)
				continue;
			if (i < n) {
				var->json_schema = json_parse_exact(text, n,
				    JSONUTIL_MAX_DEPTH);
				if (!json_object_is_type(var->json_schema,
				    json_type_object)) {
					json_object_put(var->json_schema);
					var->json_schema = NULL;
					snprintf(why, size, "json_schema is "
					    "not a JSON object");
					return -1;
				}
			}
		} else {
			snprintf(why, size, "json_schema is not an object");
			return -1;
		}
	}
	return 0;
}

/*
 * Read the start variables of graph into vars (emptied first).  A graph
 * without a start node, or a start node without variables, has none.
 * Returns 0 (caller releases vars with wfvars_free), or -1 and err
 * (ERR_DRAFT_INVALID naming the first unreadable declaration, or
 * ERR_INTERNAL), vars then empty.
 */
static int
wfvars_read(json_object *graph, struct wfvars *vars, struct error *err)
{
	json_object *start = wfinputs_start_node(graph);
	json_object *decls = json_get_array(json_get_object(start, "data"),
	    "variables");
	size_t i, j, n = array_length(decls);
	char why[256];

	vars->v = NULL;
	vars->n = 0;
	if (n == 0)
		return 0;
	if ((vars->v = calloc(n, sizeof(*vars->v))) == NULL)
		return error_set(err, ERR_INTERNAL, NULL);
	for (i = 0; i < n; i++) {
		if (wfvar_read(json_object_array_get_idx(decls, i),
		    &vars->v[i], why, sizeof(why)) == -1) {
			json_object_put(vars->v[i].json_schema);
			goto bad;
		}
		vars->n++;
		for (j = 0; j < i; j++)
			if (strcmp(vars->v[j].name, vars->v[i].name) == 0) {
				snprintf(why, sizeof(why), "the name \"%.64s\" "
				    "is declared twice", vars->v[i].name);
				goto bad;
			}
	}
	return 0;
bad:
	wfvars_free(vars);
	error_set(err, ERR_DRAFT_INVALID, "The workflow's start node "
	    "declares an input drio cannot read: input %zu: %s", i, why);
	error_hint(err, "Validate the app's draft; its report names every "
	    "such declaration.");
	return -1;
}

/*
 * Does a readable declaration before the i-th of decls have name?
 * Can't fail.
 */
static bool
declared_before(json_object *decls, size_t i, const char *name)
{
	struct wfvar other;
	char why[256];
	bool found = false;
	size_t j;

	for (j = 0; j < i && !found; j++) {
		if (wfvar_read(json_object_array_get_idx(decls, j), &other,
		    why, sizeof(why)) == -1)
			continue;
		found = strcmp(other.name, name) == 0;
		json_object_put(other.json_schema);
	}
	return found;
}

int
wfinputs_declarations(json_object *graph, const char *prefix,
    json_object *errors)
{
	json_object *start = wfinputs_start_node(graph);
	json_object *decls = json_get_array(json_get_object(start, "data"),
	    "variables");
	size_t i, n = array_length(decls), node;
	struct wfvar var;
	char why[256], pointer[128], message[512];
	const char *node_id;
	json_object *entry;
	int added = 0;

	if (n == 0)
		return 0;
	node = start_node_index(graph, start);
	node_id = json_get_string(start, "id");
	for (i = 0; i < n; i++) {
		if (wfvar_read(json_object_array_get_idx(decls, i), &var,
		    why, sizeof(why)) == 0) {
			json_object_put(var.json_schema);
			if (!declared_before(decls, i, var.name))
				continue;
			snprintf(why, sizeof(why), "the name \"%.64s\" is "
			    "declared twice", var.name);
		}
		snprintf(pointer, sizeof(pointer),
		    "%s/nodes/%zu/data/variables/%zu",
		    prefix != NULL ? prefix : "", node, i);
		snprintf(message, sizeof(message), "Start node %.64s declares "
		    "input %zu in a way drio cannot read: %s",
		    node_id != NULL ? node_id : "(without id)", i, why);
		if ((entry = json_object_new_object()) == NULL)
			continue;
		json_put_string(entry, "code", "start_variable_invalid");
		json_put_string(entry, "message", message);
		json_put_string(entry, "pointer", pointer);
		if (json_object_array_add(errors, entry) != 0) {
			json_object_put(entry);
			continue;
		}
		added++;
	}
	return added;
}

/* A new array of the strings of list.  NULL when memory ran out. */
static json_object *
array_of(const char *const *list)
{
	json_object *array = json_object_new_array();
	size_t i;

	for (i = 0; array != NULL && list[i] != NULL; i++)
		json_object_array_add(array, json_object_new_string(list[i]));
	return array;
}

/*
 * Add each string of add (or of all, when add is NULL or empty) to
 * union_ unless it is there already.  Can't fail (what memory does not
 * allow is left out).
 */
static void
union_add(json_object *union_, json_object *add, const char *const *all)
{
	size_t i, n = array_length(add);

	if (n == 0 && all != NULL) {
		for (i = 0; all[i] != NULL; i++)
			if (!in_array(union_, all[i]))
				json_object_array_add(union_,
				    json_object_new_string(all[i]));
		return;
	}
	for (i = 0; i < n; i++) {
		const char *s = json_object_get_string(
		    json_object_array_get_idx(add, i));

		if (!in_array(union_, s))
			json_object_array_add(union_,
			    json_object_new_string(s));
	}
}

/* A new {"enabled": false}, or NULL when memory ran out. */
static json_object *
disabled(void)
{
	json_object *o = json_object_new_object();

	if (o != NULL)
		json_put_bool(o, "enabled", false);
	return o;
}

/*
 * Dify's file_upload for a workflow: its default when no variable takes
 * files, else what the file and file-list variables allow together (an
 * empty list of types or methods counting as all of them, and only
 * local_file and remote_url serving a run).  A new object, or NULL when
 * memory ran out.
 */
static json_object *
file_upload_of(json_object *decls, const struct wfinputs_limits *limits)
{
	json_object *upload = NULL, *image, *types, *extensions, *methods;
	json_object *usable;
	size_t i, n = array_length(decls);
	long long limit = 0;
	struct wfvar var;
	char why[256];

	image = json_object_new_object();
	types = json_object_new_array();
	extensions = json_object_new_array();
	methods = json_object_new_array();
	usable = json_object_new_array();
	if (image == NULL || types == NULL || extensions == NULL ||
	    methods == NULL || usable == NULL ||
	    (upload = json_object_new_object()) == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		if (wfvar_read(json_object_array_get_idx(decls, i), &var, why,
		    sizeof(why)) == -1)
			continue;
		json_object_put(var.json_schema);
		if (var.type == WFVAR_FILE) {
			if (limit < 1)
				limit = 1;
		} else if (var.type == WFVAR_FILE_LIST) {
			long long most = var.max_length > 0 ? var.max_length :
			    limits->workflow_file_upload_limit;

			if (limit < most)
				limit = most;
		} else
			continue;
		union_add(types, var.allowed_types, file_types);
		union_add(extensions, var.allowed_extensions, NULL);
		union_add(methods, var.allowed_methods, input_methods);
	}
	for (i = 0; i < array_length(methods); i++) {
		json_object *m = json_object_array_get_idx(methods, i);

		if (in_list(input_methods, json_object_get_string(m)))
			json_object_array_add(usable, json_object_get(m));
	}
	if (limit == 0) {
		/* Dify's default when a workflow has no file_upload. */
		json_put_bool(image, "enabled", false);
		json_put_int(image, "number_limits", 3);
		json_put_string(image, "detail", "high");
		json_object_array_put_idx(usable, 0,
		    json_object_new_string("remote_url"));
		json_object_array_put_idx(usable, 1,
		    json_object_new_string("local_file"));
		json_object_object_add(image, "transfer_methods", usable);
		usable = NULL;
		json_object_object_add(upload, "image", image);
		image = NULL;
		goto out;
	}
	json_put_bool(upload, "enabled", true);
	json_put_int(upload, "number_limits", limit);
	json_put_bool(image, "enabled", in_array(types, "image"));
	json_put_int(image, "number_limits", limit);
	json_put_string(image, "detail", "high");
	json_object_object_add(image, "transfer_methods",
	    json_object_get(usable));
	json_object_object_add(upload, "allowed_file_types", types);
	types = NULL;
	json_object_object_add(upload, "allowed_file_extensions", extensions);
	extensions = NULL;
	json_object_object_add(upload, "allowed_file_upload_methods", usable);
	usable = NULL;
	json_object_object_add(upload, "image", image);
	image = NULL;
out:
	json_object_put(image);
	json_object_put(types);
	json_object_put(extensions);
	json_object_put(methods);
	json_object_put(usable);
	return upload;
}

int
wfinputs_parameters(json_object *graph,
    const struct wfinputs_limits *limits, json_object **out,
    struct error *err)
{
	static const struct wfinputs_limits defaults = {
		WFINPUTS_FILE_SIZE_LIMIT,
		WFINPUTS_IMAGE_FILE_SIZE_LIMIT,
		WFINPUTS_VIDEO_FILE_SIZE_LIMIT,
		WFINPUTS_AUDIO_FILE_SIZE_LIMIT,
		WFINPUTS_WORKFLOW_FILE_UPLOAD_LIMIT,
	};
	json_object *start = wfinputs_start_node(graph);
	json_object *decls = json_get_array(json_get_object(start, "data"),
	    "variables");
	json_object *params = NULL, *form = NULL, *system = NULL, *upload;
	json_object *avoidance = NULL, *entry, *copy;
	size_t i, n = array_length(decls);
	int rc = -1;

	*out = NULL;
	if (limits == NULL)
		limits = &defaults;
	if ((params = json_object_new_object()) == NULL ||
	    (form = json_object_new_array()) == NULL ||
	    (system = json_object_new_object()) == NULL ||
	    (avoidance = json_object_new_object()) == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		json_object *decl = json_object_array_get_idx(decls, i);
		const char *type = json_get_string(decl, "type");

		/* Dify would fail on these; drio leaves them out. */
		if (type == NULL)
			continue;
		copy = NULL;
		if (json_object_deep_copy(decl, &copy, NULL) != 0 ||
		    (entry = json_object_new_object()) == NULL) {
			json_object_put(copy);
			goto out;
		}
		json_object_object_add(entry, type, copy);
		json_object_array_add(form, entry);
	}
	if ((upload = file_upload_of(decls, limits)) == NULL)
		goto out;

	json_object_object_add(params, "opening_statement", NULL);
	json_object_object_add(params, "suggested_questions",
	    json_object_new_array());
	json_object_object_add(params, "suggested_questions_after_answer",
	    disabled());
	json_object_object_add(params, "speech_to_text", disabled());
	json_object_object_add(params, "text_to_speech", disabled());
	json_object_object_add(params, "retriever_resource", disabled());
	json_object_object_add(params, "annotation_reply", disabled());
	json_object_object_add(params, "more_like_this", disabled());
	json_object_object_add(params, "user_input_form", form);
	form = NULL;
	json_put_bool(avoidance, "enabled", false);
	json_put_string(avoidance, "type", "");
	json_object_object_add(avoidance, "configs", json_object_new_array());
	json_object_object_add(params, "sensitive_word_avoidance", avoidance);
	avoidance = NULL;
	json_object_object_add(params, "file_upload", upload);
	json_put_int(system, "image_file_size_limit",
	    limits->image_file_size_limit);
	json_put_int(system, "video_file_size_limit",
	    limits->video_file_size_limit);
	json_put_int(system, "audio_file_size_limit",
	    limits->audio_file_size_limit);
	json_put_int(system, "file_size_limit", limits->file_size_limit);
	json_put_int(system, "workflow_file_upload_limit",
	    limits->workflow_file_upload_limit);
	json_object_object_add(params, "system_parameters", system);
	system = NULL;
	*out = params;
	params = NULL;
	rc = 0;
out:
	if (rc == -1)
		error_set(err, ERR_INTERNAL, NULL);
	json_object_put(params);
	json_object_put(form);
	json_object_put(system);
	json_object_put(avoidance);
	return rc;
}

/*
 * The schema of one file mapping that var accepts.  A new object, or
 * NULL when memory ran out.
 */
static json_object *
file_mapping_schema(const struct wfvar *var)
{
	json_object *schema, *props, *prop, *types, *methods, *required;
	size_t i;

	schema = json_object_new_object();
	props = json_object_new_object();
	required = json_object_new_array();
	types = array_length(var->allowed_types) > 0 ?
	    json_object_new_array() : array_of(file_types);
	methods = json_object_new_array();
	if (schema == NULL || props == NULL || required == NULL ||
	    types == NULL || methods == NULL) {
		json_object_put(schema);
		json_object_put(props);
		json_object_put(required);
		json_object_put(types);
		json_object_put(methods);
		return NULL;
	}
	for (i = 0; i < array_length(var->allowed_types); i++)
		json_object_array_add(types, json_object_get(
		    json_object_array_get_idx(var->allowed_types, i)));
	for (i = 0; input_methods[i] != NULL; i++)
		if (array_length(var->allowed_methods) == 0 ||
		    in_array(var->allowed_methods, input_methods[i]))
			json_object_array_add(methods,
			    json_object_new_string(input_methods[i]));

	json_put_string(schema, "type", "object");
	json_put_string(schema, "description", "A file: an upload of the "
	    "app (transfer_method local_file, upload_file_id) or a URL "
	    "(transfer_method remote_url, url).");
	if ((prop = json_object_new_object()) != NULL) {
		json_put_string(prop, "type", "string");
		json_object_object_add(prop, "enum", types);
		types = NULL;
		json_object_object_add(props, "type", prop);
	}
	if ((prop = json_object_new_object()) != NULL) {
		json_put_string(prop, "type", "string");
		json_object_object_add(prop, "enum", methods);
		methods = NULL;
		json_object_object_add(props, "transfer_method", prop);
	}
	if ((prop = json_object_new_object()) != NULL) {
		json_put_string(prop, "type", "string");
		json_put_string(prop, "description", "The id of an upload "
		    "(POST /apps/{app_id}/files/upload), with local_file.");
		json_object_object_add(props, "upload_file_id", prop);
	}
	if ((prop = json_object_new_object()) != NULL) {
		json_put_string(prop, "type", "string");
		json_put_string(prop, "description", "An http or https URL, "
		    "with remote_url.");
		json_object_object_add(props, "url", prop);
	}
	json_object_put(types);
	json_object_put(methods);
	json_object_object_add(schema, "properties", props);
	json_object_array_add(required,
	    json_object_new_string("transfer_method"));
	json_object_object_add(schema, "required", required);
	return schema;
}

/* The schema of var's value.  A new object, or NULL when memory ran out. */
static json_object *
variable_schema(const struct wfvar *var)
{
	json_object *schema = NULL, *value;
	const char *label, *description;

	switch (var->type) {
	case WFVAR_TEXT_INPUT:
	case WFVAR_PARAGRAPH:
	case WFVAR_SELECT:
	case WFVAR_NUMBER:
	case WFVAR_CHECKBOX:
		if ((schema = json_object_new_object()) == NULL)
			return NULL;
		json_put_string(schema, "type",
		    var->type == WFVAR_NUMBER ? "number" :
		    var->type == WFVAR_CHECKBOX ? "boolean" : "string");
		if (var->type == WFVAR_SELECT) {
			value = NULL;
			if (var->options != NULL)
				json_object_deep_copy(var->options, &value,
				    NULL);
			else
				value = json_object_new_array();
			json_object_object_add(schema, "enum", value);
		} else if (var->type != WFVAR_NUMBER &&
		    var->type != WFVAR_CHECKBOX && var->max_length > 0)
			json_put_int(schema, "maxLength", var->max_length);
		break;
	case WFVAR_FILE:
		schema = file_mapping_schema(var);
		break;
	case WFVAR_FILE_LIST:
		if ((schema = json_object_new_object()) == NULL)
			return NULL;
		json_put_string(schema, "type", "array");
		json_object_object_add(schema, "items",
		    file_mapping_schema(var));
		if (var->max_length > 0)
			json_put_int(schema, "maxItems", var->max_length);
		break;
	case WFVAR_JSON_OBJECT:
		if (var->json_schema != NULL) {
			if (json_object_deep_copy(var->json_schema, &schema,
			    NULL) != 0)
				return NULL;
		} else if ((schema = json_object_new_object()) != NULL)
			json_put_string(schema, "type", "object");
		break;
	case WFVAR__MAX:
		break;
	}
	if (schema == NULL)
		return NULL;
	/* A file's own description stays; a label or description wins. */
	label = json_get_string(var->decl, "label");
	description = json_get_string(var->decl, "description");
	if (label != NULL && label[0] != '\0')
		json_put_string(schema, "title", label);
	if (description != NULL && description[0] != '\0')
		json_put_string(schema, "description", description);
	value = NULL;
	if (var->default_value != NULL &&
	    json_object_deep_copy(var->default_value, &value, NULL) == 0)
		json_object_object_add(schema, "default", value);
	return schema;
}

int
wfinputs_schema(json_object *graph, json_object **out, struct error *err)
{
	json_object *schema = NULL, *props = NULL, *required = NULL, *prop;
	struct wfvars vars;
	size_t i;
	int rc = -1;

	*out = NULL;
	if (wfvars_read(graph, &vars, err) == -1)
		return -1;
	if ((schema = json_object_new_object()) == NULL ||
	    (props = json_object_new_object()) == NULL ||
	    (required = json_object_new_array()) == NULL)
		goto oom;
	for (i = 0; i < vars.n; i++) {
		if ((prop = variable_schema(&vars.v[i])) == NULL)
			goto oom;
		json_object_object_add(props, vars.v[i].name, prop);
		if (vars.v[i].required)
			json_object_array_add(required,
			    json_object_new_string(vars.v[i].name));
	}
	json_put_string(schema, "type", "object");
	json_object_object_add(schema, "properties", props);
	props = NULL;
	json_object_object_add(schema, "required", required);
	required = NULL;
	json_put_bool(schema, "additionalProperties", false);
	*out = schema;
	schema = NULL;
	rc = 0;
	goto out;
oom:
	error_set(err, ERR_INTERNAL, NULL);
out:
	json_object_put(schema);
	json_object_put(props);
	json_object_put(required);
	wfvars_free(&vars);
	return rc;
}

/* Fill p.  Always returns -1, so a check can `return problem(...)`. */
static int problem(struct problem *p, const char *type, const char *fmt,
    ...) __attribute__((__format__(printf, 3, 4)));

static int
problem(struct problem *p, const char *type, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->msg, sizeof(p->msg), fmt, ap);
	va_end(ap);
	p->type = type;
	return -1;
}

/*
 * Read text (a number input given as a string) as Python's int() or,
 * when it has a '.', float() would, without underscores, infinities or
 * NaN.  Returns 1 when text is only blanks (not given), 0 with a new
 * *out, -1 when it is not a number, or -2 when memory ran out.
 */
static int
number_from_text(const char *text, json_object **out)
{
	const char *s = text, *e;
	char buf[128], *end;
	size_t len, i;
	bool digits = false;
	double d;
	long long ll;

	*out = NULL;
	while (*s != '\0' && isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		e--;
	if (e == s)
		return 1;
	if ((len = (size_t)(e - s)) >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	i = (buf[0] == '+' || buf[0] == '-') ? 1 : 0;
	if (memchr(buf, '.', len) == NULL) {
		for (; i < len; i++)
			if (!isdigit((unsigned char)buf[i]))
				return -1;
		if (len == 1 && (buf[0] == '+' || buf[0] == '-'))
			return -1;
		errno = 0;
		ll = strtoll(buf, &end, 10);
		if (errno != 0 || *end != '\0')
			return -1;
		*out = json_object_new_int64(ll);
		return *out != NULL ? 0 : -2;
	}
	/* digits [. digits] | . digits, then an optional exponent */
	for (; i < len && isdigit((unsigned char)buf[i]); i++)
		digits = true;
	if (buf[i] == '.')
		for (i++; i < len && isdigit((unsigned char)buf[i]); i++)
			digits = true;
	if (!digits)
		return -1;
	if (i < len && (buf[i] == 'e' || buf[i] == 'E')) {
		i++;
		if (i < len && (buf[i] == '+' || buf[i] == '-'))
			i++;
		if (i == len || !isdigit((unsigned char)buf[i]))
			return -1;
		while (i < len && isdigit((unsigned char)buf[i]))
			i++;
	}
	if (i != len)
		return -1;
	errno = 0;
	d = strtod(buf, &end);
	if (*end != '\0' || !isfinite(d))
		return -1;
	*out = json_object_new_double(d);
	return *out != NULL ? 0 : -2;
}

/*
 * A copy of the string value without NUL characters.  A new string, or
 * NULL when memory ran out.
 */
static json_object *
string_sanitised(json_object *value)
{
	const char *s = json_object_get_string(value);
	size_t i, o, len = (size_t)json_object_get_string_len(value);
	json_object *copy;
	char *buf;

	if (memchr(s, '\0', len) == NULL)
		return json_object_new_string_len(s, (int)len);
	if ((buf = malloc(len + 1)) == NULL)
		return NULL;
	for (i = o = 0; i < len; i++)
		if (s[i] != '\0')
			buf[o++] = s[i];
	copy = json_object_new_string_len(buf, (int)o);
	free(buf);
	return copy;
}

/*
 * Check one file mapping of var.  Returns 0 with a new *out (type,
 * transfer_method, upload_file_id, url as given), -1 with p filled, or
 * -2 when memory ran out.
 */
static int
file_mapping_check(const struct wfvar *var, json_object *value,
    json_object **out, struct problem *p)
{
	const char *method, *type, *id, *url;
	json_object *mapping, *member;

	*out = NULL;
	if (!json_object_object_get_ex(value, "transfer_method", &member) ||
	    !json_object_is_type(member, json_type_string))
		return problem(p, "file_transfer_method",
		    "Invalid file transfer method: the mapping has no "
		    "transfer_method string");
	method = json_object_get_string(member);
	if (!in_list(input_methods, method))
		return problem(p, "file_transfer_method",
		    "Invalid file transfer method: '%.64s' (local_file or "
		    "remote_url)", method);
	if (array_length(var->allowed_methods) > 0 &&
	    !in_array(var->allowed_methods, method))
		return problem(p, "file_transfer_method",
		    "File validation failed: %s does not accept files by "
		    "%s", var->name, method);
	type = NULL;
	if (json_object_object_get_ex(value, "type", &member) &&
	    member != NULL) {
		if (!json_object_is_type(member, json_type_string) ||
		    !in_list(file_types, json_object_get_string(member)))
			return problem(p, "file_type_unknown", "'%.64s' is not "
			    "a valid FileType (image, document, audio, video "
			    "or custom)", json_object_get_string(member));
		type = json_object_get_string(member);
		if (array_length(var->allowed_types) > 0 &&
		    strcmp(type, "custom") != 0 &&
		    !in_array(var->allowed_types, type) &&
		    !in_array(var->allowed_types, "custom"))
			return problem(p, "file_type_not_allowed",
			    "File validation failed: %s does not accept "
			    "files of type %s", var->name, type);
	}
	id = json_get_string(value, "upload_file_id");
	url = json_get_string(value, "url");
	if (url == NULL || url[0] == '\0')
		url = json_get_string(value, "remote_url");
	if (url != NULL && url[0] == '\0')
		url = NULL;
	if (id != NULL && id[0] == '\0')
		id = NULL;
	if (strcmp(method, "local_file") == 0 || id != NULL) {
		if (id == NULL)
			return problem(p, "file_upload_file_id",
			    "Invalid upload file id");
		if (!valid_is_uuid(id))
			return problem(p, "file_upload_file_id",
			    "Invalid upload file id format");
		url = NULL;
	} else {
		if (url == NULL)
			return problem(p, "file_url", "Invalid file url");
		if (!valid_is_http_url(url))
			return problem(p, "file_url", "Invalid file url: "
			    "it must be an absolute http or https URL");
		id = NULL;
	}
	if ((mapping = json_object_new_object()) == NULL)
		return -2;
	if (type != NULL)
		json_put_string(mapping, "type", type);
	json_put_string(mapping, "transfer_method", method);
	if (id != NULL)
		json_put_string(mapping, "upload_file_id", id);
	if (url != NULL)
		json_put_string(mapping, "url", url);
	*out = mapping;
	return 0;
}

/*
 * Add {loc: ["body", "inputs", name(, index)], msg, type} to problems,
 * unless it holds WFINPUTS_DETAILS_MAX already.  Returns 0, or -1 when
 * memory ran out.
 */
static int
problem_add(json_object *problems, const char *name, long long index,
    const struct problem *p)
{
	json_object *detail, *loc;

	if (json_object_array_length(problems) >= WFINPUTS_DETAILS_MAX)
		return 0;
	detail = json_object_new_object();
	loc = json_object_new_array();
	if (detail == NULL || loc == NULL) {
		json_object_put(detail);
		json_object_put(loc);
		return -1;
	}
	json_object_array_add(loc, json_object_new_string("body"));
	json_object_array_add(loc, json_object_new_string("inputs"));
	if (name != NULL)
		json_object_array_add(loc, json_object_new_string(name));
	if (index >= 0)
		json_object_array_add(loc, json_object_new_int64(index));
	json_object_object_add(detail, "loc", loc);
	json_put_string(detail, "msg", p->msg);
	json_put_string(detail, "type", p->type);
	if (json_object_array_add(problems, detail) != 0) {
		json_object_put(detail);
		return -1;
	}
	return 0;
}

/*
 * Check one value of var (given, or its default) and make its
 * normalised form.  Returns 0 with a new *out (NULL: leave the input
 * out), -1 after adding its problems to problems, or -2 when memory ran
 * out.
 */
static int
value_check(const struct wfvar *var, json_object *value, bool from_default,
    json_object **out, json_object *problems)
{
	struct problem p;
	json_object *copy = NULL, *item;
	const char *s;
	size_t i, n, len;
	int rc, bad;

	*out = NULL;
	p.type = NULL;
	/* An optional file given as "" is not given (the web form's). */
	if ((var->type == WFVAR_FILE || var->type == WFVAR_FILE_LIST) &&
	    !var->required && json_object_is_type(value, json_type_string) &&
	    json_object_get_string_len(value) == 0)
		return 0;
	switch (var->type) {
	case WFVAR_TEXT_INPUT:
	case WFVAR_PARAGRAPH:
	case WFVAR_SELECT:
		if (!json_object_is_type(value, json_type_string)) {
			problem(&p, "string_type", "(type '%s') %s in input "
			    "form must be a string",
			    wfvar_type_names[var->type], var->name);
			break;
		}
		s = json_object_get_string(value);
		len = (size_t)json_object_get_string_len(value);
		if (!utf8_valid(s, len)) {
			problem(&p, "string_unicode", "%s in input form must "
			    "be a valid UTF-8 string", var->name);
			break;
		}
		if (var->type == WFVAR_SELECT) {
			char list[256];
			size_t o = 0;

			if (in_array(var->options, s) &&
			    memchr(s, '\0', len) == NULL) {
				copy = string_sanitised(value);
				break;
			}
			/* The options as Python prints a list of str. */
			n = array_length(var->options);
			o += (size_t)snprintf(list, sizeof(list), "[");
			for (i = 0; i < n && o < sizeof(list); i++)
				o += (size_t)snprintf(list + o,
				    sizeof(list) - o, "%s'%s'",
				    i > 0 ? ", " : "",
				    json_object_get_string(
				    json_object_array_get_idx(var->options,
				    i)));
			if (o < sizeof(list))
				snprintf(list + o, sizeof(list) - o, "]");
			else
				memcpy(list + sizeof(list) - 5, "...]", 5);
			problem(&p, "enum", "%s in input form must be one of "
			    "the following: %s", var->name, list);
			break;
		}
		if (var->max_length > 0 &&
		    utf8_count(s, len) > (size_t)var->max_length) {
			problem(&p, "string_too_long", "%s in input form must "
			    "be less than %lld characters", var->name,
			    var->max_length);
			break;
		}
		copy = string_sanitised(value);
		break;
	case WFVAR_NUMBER:
		if (json_object_is_type(value, json_type_int) ||
		    (json_object_is_type(value, json_type_double) &&
		    isfinite(json_object_get_double(value)))) {
			if (json_object_deep_copy(value, &copy, NULL) != 0)
				copy = NULL;
			break;
		}
		if (json_object_is_type(value, json_type_string)) {
			if (memchr(json_object_get_string(value), '\0',
			    (size_t)json_object_get_string_len(value)) != NULL)
				rc = -1;
			else
				rc = number_from_text(
				    json_object_get_string(value), &copy);
			if (rc == 1) {
				/* Blanks are no number; see wfinputs.h. */
				if (var->required)
					problem(&p, "missing", "%s is required "
					    "in input form", var->name);
				else if (!from_default &&
				    var->default_value != NULL)
					return value_check(var,
					    var->default_value, true, out,
					    problems);
				else
					return 0;
				break;
			}
			if (rc == 0)
				break;
			if (rc == -2)
				return -2;
		}
		problem(&p, "float_parsing", "%s in input form must be a "
		    "valid number", var->name);
		break;
	case WFVAR_CHECKBOX:
		if (json_object_is_type(value, json_type_boolean)) {
			copy = json_object_new_boolean(
			    json_object_get_boolean(value));
			break;
		}
		bad = -1;
		if (json_object_is_type(value, json_type_string)) {
			static const char *const yes[] = {
				"true", "1", "yes", "on", NULL
			};
			static const char *const no[] = {
				"false", "0", "no", "off", NULL
			};
			char word[8];
			const char *t = json_object_get_string(value);

			while (isspace((unsigned char)*t))
				t++;
			len = strlen(t);
			while (len > 0 && isspace((unsigned char)t[len - 1]))
				len--;
			if (len < sizeof(word) && (size_t)
			    json_object_get_string_len(value) == strlen(
			    json_object_get_string(value))) {
				for (i = 0; i < len; i++)
					word[i] = (char)tolower(
					    (unsigned char)t[i]);
				word[len] = '\0';
				bad = in_list(yes, word) ? 1 :
				    in_list(no, word) ? 0 : -1;
			}
		} else if (json_object_is_type(value, json_type_int) ||
		    json_object_is_type(value, json_type_double)) {
			double d = json_object_get_double(value);

			bad = d == 1 ? 1 : d == 0 ? 0 : -1;
		}
		if (bad == -1) {
			problem(&p, "bool_parsing", "%s in input form must be "
			    "a boolean", var->name);
			break;
		}
		copy = json_object_new_boolean(bad == 1);
		break;
	case WFVAR_JSON_OBJECT:
		if (!json_object_is_type(value, json_type_object)) {
			problem(&p, "dict_type", "%s in input form must be a "
			    "dict", var->name);
			break;
		}
		if (var->json_schema != NULL) {
			struct error sub = { .code = ERR_NONE };

			if (jsonschema_check(var->json_schema, value,
			    &sub) == -1) {
				json_object *first = sub.details != NULL ?
				    json_object_array_get_idx(sub.details, 0) :
				    NULL;

				if (sub.code == ERR_INTERNAL) {
					error_clear(&sub);
					return -2;
				}
				const char *why = first != NULL ?
				    json_get_string(first, "msg") : NULL;

				if (why == NULL)
					why = sub.message;
				/* Its messages speak of a tool's arguments. */
				if (strncmp(why, "arguments.", 10) == 0)
					why += 10;
				problem(&p, "json_schema", "JSON object for "
				    "'%s' does not match schema: %s", var->name,
				    why);
				error_clear(&sub);
				break;
			}
		}
		if (json_object_deep_copy(value, &copy, NULL) != 0)
			copy = NULL;
		break;
	case WFVAR_FILE:
		if (!json_object_is_type(value, json_type_object)) {
			problem(&p, "file_type", "%s in input form must be a "
			    "file", var->name);
			break;
		}
		if ((rc = file_mapping_check(var, value, &copy, &p)) == -2)
			return -2;
		break;
	case WFVAR_FILE_LIST:
		n = json_object_is_type(value, json_type_array) ?
		    json_object_array_length(value) : 0;
		for (i = 0; i < n; i++)
			if (!json_object_is_type(json_object_array_get_idx(
			    value, i), json_type_object))
				break;
		if (!json_object_is_type(value, json_type_array) || i < n) {
			problem(&p, "file_list_type", "%s in input form must "
			    "be a list of files", var->name);
			break;
		}
		if (var->max_length > 0 && n > (size_t)var->max_length) {
			problem(&p, "too_long", "%s in input form must be less "
			    "than %lld files", var->name, var->max_length);
			break;
		}
		if ((copy = json_object_new_array()) == NULL)
			return -2;
		bad = 0;
		for (i = 0; i < n; i++) {
			rc = file_mapping_check(var,
			    json_object_array_get_idx(value, i), &item, &p);
			if (rc == -2) {
				json_object_put(copy);
				return -2;
			}
			if (rc == -1) {
				if (problem_add(problems, var->name,
				    (long long)i, &p) == -1) {
					json_object_put(copy);
					return -2;
				}
				bad = 1;
				continue;
			}
			json_object_array_add(copy, item);
		}
		if (bad) {
			json_object_put(copy);
			return -1;
		}
		*out = copy;
		return 0;
	case WFVAR__MAX:
		break;
	}
	if (p.type != NULL) {
		json_object_put(copy);
		return problem_add(problems, var->name, -1, &p) == -1 ?
		    -2 : -1;
	}
	if (copy == NULL)
		return -2;
	*out = copy;
	return 0;
}

int
wfinputs_check(json_object *graph, json_object *inputs,
    json_object **normalised, struct error *err)
{
	json_object *result = NULL, *problems = NULL, *value, *copy, *first;
	struct problem p;
	struct wfvars vars;
	size_t i, n;
	int rc = -1, r;

	*normalised = NULL;
	if (wfvars_read(graph, &vars, err) == -1)
		return -1;
	if ((result = json_object_new_object()) == NULL ||
	    (problems = json_object_new_array()) == NULL)
		goto oom;
	if (inputs != NULL && !json_object_is_type(inputs, json_type_object)) {
		problem(&p, "dict_type", "Input should be a valid dictionary");
		if (problem_add(problems, NULL, -1, &p) == -1)
			goto oom;
		goto refuse;
	}
	for (i = 0; i < vars.n; i++) {
		const struct wfvar *var = &vars.v[i];
		bool from_default = false;

		value = NULL;
		if (inputs != NULL)
			json_object_object_get_ex(inputs, var->name, &value);
		if (value == NULL) {
			if (var->required) {
				problem(&p, "missing", "%s is required in "
				    "input form", var->name);
				if (problem_add(problems, var->name, -1,
				    &p) == -1)
					goto oom;
				continue;
			}
			if ((value = var->default_value) == NULL)
				continue;
			from_default = true;
		}
		r = value_check(var, value, from_default, &copy, problems);
		if (r == -2)
			goto oom;
		if (r == 0 && copy != NULL)
			json_object_object_add(result, var->name, copy);
	}
	if (json_object_array_length(problems) > 0)
		goto refuse;
	*normalised = result;
	result = NULL;
	rc = 0;
	goto out;
refuse:
	n = json_object_array_length(problems);
	first = json_object_array_get_idx(problems, 0);
	if (n == 1)
		error_set(err, ERR_VALIDATION, "%s",
		    json_get_string(first, "msg"));
	else
		error_set(err, ERR_VALIDATION, "%s (and %zu more problem%s)",
		    json_get_string(first, "msg"), n - 1, n > 2 ? "s" : "");
	error_hint(err, "Give the inputs the workflow's start node declares; "
	    "GET /apps/{app_id}/describe?fields=input_schema lists them.");
	err->details = problems;
	problems = NULL;
	goto out;
oom:
	error_set(err, ERR_INTERNAL, NULL);
out:
	json_object_put(result);
	json_object_put(problems);
	wfvars_free(&vars);
	return rc;
}

/*
 * Does extension (with or without its dot, any case) match one of
 * extensions?  Can't fail.
 */
static bool
extension_in(json_object *extensions, const char *extension)
{
	size_t i, n = array_length(extensions);

	while (*extension == '.')
		extension++;
	for (i = 0; i < n; i++) {
		const char *e = json_object_get_string(
		    json_object_array_get_idx(extensions, i));

		while (*e == '.')
			e++;
		if (strcasecmp(e, extension) == 0)
			return true;
	}
	return false;
}

bool
wfinputs_file_allowed(json_object *variable, const char *file_type,
    const char *extension)
{
	struct wfvar var;
	char why[256];
	bool type_allowed, custom_allowed, allowed = false;

	if (file_type == NULL)
		file_type = "custom";
	if (wfvar_read(variable, &var, why, sizeof(why)) == -1)
		return false;
	if (var.type != WFVAR_FILE && var.type != WFVAR_FILE_LIST)
		goto out;
	type_allowed = array_length(var.allowed_types) == 0 ||
	    in_array(var.allowed_types, file_type);
	custom_allowed = in_array(var.allowed_types, "custom");
	if (!type_allowed && !custom_allowed)
		goto out;
	if ((strcmp(file_type, "custom") == 0 || !type_allowed) &&
	    array_length(var.allowed_extensions) > 0 &&
	    !extension_in(var.allowed_extensions,
	    extension != NULL ? extension : ""))
		goto out;
	allowed = true;
out:
	json_object_put(var.json_schema);
	return allowed;
}

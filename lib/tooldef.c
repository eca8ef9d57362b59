/*
 * tooldef.c: MCP tools from upstream operations (see tooldef.h).
 *
 * SPDX-License-Identifier: MIT
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "jsonutil.h"
#include "tooldef.h"

/* The annotations one HTTP method implies. */
struct tooldef_hints {
	const char *method;
	bool read_only;
	bool destructive;
	bool idempotent;
};

static const struct tooldef_hints tooldef_method_hints[] = {
	{ "GET", true, false, true },
	{ "HEAD", true, false, true },
	{ "OPTIONS", true, false, true },
	{ "POST", false, false, false },
	{ "PUT", false, true, true },
	{ "PATCH", false, true, false },
	{ "DELETE", false, true, true },
};

/* The annotation names, in the order they are written. */
static const char *const tooldef_hint_names[] = {
	"readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint",
	NULL
};

/* May c appear in an MCP tool name? */
static bool
name_char_is_valid(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '-';
}

bool
tooldef_name_is_valid(const char *name)
{
	size_t len;

	if (name == NULL)
		return false;
	len = strlen(name);
	if (len == 0 || len > TOOLDEF_NAME_MAX)
		return false;
	for (; *name != '\0'; name++)
		if (!name_char_is_valid(*name))
			return false;
	return true;
}

void
tooldef_name_from_key(const char *key, char out[TOOLDEF_NAME_MAX + 1])
{
	size_t len = 0;
	bool gap = false;

	/* A "_" is written only before the next other character, so runs
	 * collapse and neither end has one. */
	for (; key != NULL && *key != '\0'; key++) {
		if (!name_char_is_valid(*key) || *key == '_') {
			gap = true;
			continue;
		}
		if (len + (gap && len > 0) >= TOOLDEF_NAME_MAX)
			break;
		if (gap && len > 0)
			out[len++] = '_';
		out[len++] = *key;
		gap = false;
	}
	out[len] = '\0';
	if (len == 0)
		snprintf(out, TOOLDEF_NAME_MAX + 1, "tool");
}

json_object *
tooldef_annotations(const char *method, json_object *explicit_hints)
{
	const struct tooldef_hints *hints = NULL;
	json_object *out, *value;
	size_t i;

	if ((out = json_object_new_object()) == NULL)
		return NULL;
	for (i = 0; method != NULL && i < sizeof(tooldef_method_hints) /
	    sizeof(tooldef_method_hints[0]); i++)
		if (strcasecmp(method, tooldef_method_hints[i].method) == 0)
			hints = &tooldef_method_hints[i];
	if (hints != NULL && (
	    json_object_object_add(out, "readOnlyHint",
	    json_object_new_boolean(hints->read_only)) != 0 ||
	    json_object_object_add(out, "destructiveHint",
	    json_object_new_boolean(hints->destructive)) != 0 ||
	    json_object_object_add(out, "idempotentHint",
	    json_object_new_boolean(hints->idempotent)) != 0))
		goto fail;
	if (json_object_object_add(out, "openWorldHint",
	    json_object_new_boolean(1)) != 0)
		goto fail;
	for (i = 0; explicit_hints != NULL && tooldef_hint_names[i] != NULL;
	    i++) {
		if (!json_object_object_get_ex(explicit_hints,
		    tooldef_hint_names[i], &value) ||
		    !json_object_is_type(value, json_type_boolean))
			continue;
		if (json_object_object_add(out, tooldef_hint_names[i],
		    json_object_new_boolean(
		    json_object_get_boolean(value))) != 0)
			goto fail;
	}

	/* A value json-c could not allocate was added as null. */
	{
		json_object_object_foreach(out, name, hint) {
			(void)name;
			if (hint == NULL)
				goto fail;
		}
	}
	return out;
fail:
	json_object_put(out);
	return NULL;
}

/* The length in bytes of the first max_chars characters of s. */
static size_t
utf8_prefix_chars(const char *s, size_t max_chars)
{
	size_t i, chars = 0;

	for (i = 0; s[i] != '\0'; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80 &&
		    chars++ == max_chars)
			break;
	return i;
}

/*
 * Finish the word that starts at word in out: a capitalised word other
 * than the first ("Access" in "CreateAccessToken") is lower-cased; an
 * acronym ("HTTP") stays.
 */
static void
humanise_word_end(char *out, size_t word, size_t end)
{
	size_t i;

	if (word == 0 || end == word ||
	    !isupper((unsigned char)out[word]))
		return;
	for (i = word + 1; i < end; i++)
		if (isupper((unsigned char)out[i]))
			return;
	out[word] = (char)tolower((unsigned char)out[word]);
}

/*
 * The key made readable, as a title: words split at "_", "-" and other
 * punctuation and where camelCase changes case, joined with spaces,
 * the first capitalised ("get_users_by_id" is "Get users by id",
 * "CreateAccessToken" is "Create access token").  Returns a new string
 * (caller frees), or NULL when memory is exhausted.
 */
static char *
humanise(const char *key)
{
	size_t i, o = 0, word = 0, len = strlen(key);
	bool in_word = false;
	char *out;

	if ((out = malloc(2 * len + 1)) == NULL)
		return NULL;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)key[i];
		unsigned char prev = i > 0 ? (unsigned char)key[i - 1] : 0;
		unsigned char next = (unsigned char)key[i + 1];

		if (c < 0x80 && !isalnum(c)) {
			if (in_word)
				humanise_word_end(out, word, o);
			in_word = false;
			continue;
		}
		if (in_word && isupper(c) && (islower(prev) ||
		    isdigit(prev) || (isupper(prev) && islower(next)))) {
			humanise_word_end(out, word, o);
			in_word = false;
		}
		if (!in_word) {
			if (o > 0)
				out[o++] = ' ';
			word = o;
			in_word = true;
		}
		out[o++] = (char)c;
	}
	if (in_word)
		humanise_word_end(out, word, o);
	out[o] = '\0';
	if (o > 0 && islower((unsigned char)out[0]))
		out[0] = (char)toupper((unsigned char)out[0]);
	return out;
}

/* The string member key of object obj, or NULL. */
static const char *
get_string(json_object *obj, const char *key)
{
	json_object *value;

	if (!json_object_object_get_ex(obj, key, &value) ||
	    !json_object_is_type(value, json_type_string))
		return NULL;
	return json_object_get_string(value);
}

int
tooldef_from_operation(json_object *operation, json_object **tool,
    struct error *err)
{
	json_object *out = NULL, *input_schema, *parameters, *value;
	const char *key, *method, *path, *summary, *description;
	char name[TOOLDEF_NAME_MAX + 1], *title = NULL, *fallback = NULL;
	const char *missing = NULL;
	size_t len;
	int rc = -1;

	*tool = NULL;
	if (!json_object_is_type(operation, json_type_object))
		missing = "";
	else if ((key = get_string(operation, "key")) == NULL)
		missing = "key";
	/* Both, or neither: an MCP server's tool has no HTTP request. */
	else if ((method = get_string(operation, "method")) == NULL &&
	    (path = get_string(operation, "path")) != NULL)
		missing = "method";
	else if (method != NULL &&
	    (path = get_string(operation, "path")) == NULL)
		missing = "path";
	else if (!json_object_object_get_ex(operation, "input_schema",
	    &input_schema) ||
	    !json_object_is_type(input_schema, json_type_object))
		missing = "input_schema";
	else if (!json_object_object_get_ex(operation, "parameters",
	    &parameters) ||
	    !json_object_is_type(parameters, json_type_object))
		missing = "parameters";
	if (missing != NULL) {
		error_set(err, ERR_VALIDATION, "The operation is incomplete.");
		error_add_detail(err, "body", missing[0] != '\0' ? missing :
		    NULL, missing[0] != '\0' ? "Field required or of the "
		    "wrong type" : "Input should be an object", missing[0] !=
		    '\0' ? "missing" : "dict_type");
		return -1;
	}
	summary = get_string(operation, "summary");
	if (summary != NULL && summary[0] == '\0')
		summary = NULL;
	description = get_string(operation, "description");
	if (description != NULL && description[0] == '\0')
		description = NULL;

	tooldef_name_from_key(key, name);
	if (summary == NULL && (title = humanise(key)) == NULL)
		goto out;
	if (description == NULL && summary == NULL) {
		if ((method != NULL ? asprintf(&fallback, "%s %s", method,
		    path) : asprintf(&fallback, "%s", key)) == -1) {
			fallback = NULL;
			goto out;
		}
		description = fallback;
	} else if (description == NULL)
		description = summary;
	if (summary != NULL && (title = strdup(summary)) == NULL)
		goto out;
	len = utf8_prefix_chars(title, TOOLDEF_TITLE_MAX);
	while (len > 0 && title[len - 1] == ' ')
		len--;
	title[len] = '\0';

	if ((out = json_object_new_object()) == NULL)
		goto out;
	if (json_object_object_add(out, "name",
	    json_object_new_string(name)) != 0 ||
	    json_object_object_add(out, "title",
	    json_object_new_string(title)) != 0 ||
	    json_object_object_add(out, "description",
	    json_object_new_string(description)) != 0)
		goto out;
	value = NULL;
	if (json_object_deep_copy(input_schema, &value, NULL) != 0 ||
	    json_object_object_add(out, "input_schema", value) != 0) {
		json_object_put(value);
		goto out;
	}
	if (json_object_object_add(out, "annotations",
	    tooldef_annotations(method, json_get_object(operation,
	    "annotations"))) != 0)
		goto out;
	value = NULL;
	if (json_object_deep_copy(parameters, &value, NULL) != 0 ||
	    json_object_object_add(out, "binding", value) != 0) {
		json_object_put(value);
		goto out;
	}
	{
		json_object_object_foreach(out, member, member_value) {
			(void)member;
			if (member_value == NULL)
				goto out;
		}
	}
	*tool = out;
	out = NULL;
	rc = 0;
out:
	/* Past the checks above, only memory can run out. */
	if (rc == -1)
		error_set(err, ERR_INTERNAL, "out of memory");
	json_object_put(out);
	free(title);
	free(fallback);
	return rc;
}

const char *
tooldef_chain_method(const char *const *methods, size_t n)
{
	const char *method = NULL;
	size_t i;

	for (i = 0; i < n; i++) {
		const char *m = methods[i];

		if (m == NULL)
			continue;
		if (method == NULL || (strcmp(m, "GET") != 0 &&
		    strcmp(m, "HEAD") != 0 && strcmp(m, "OPTIONS") != 0))
			method = m;
		if (strcmp(m, "DELETE") == 0)
			break;
	}
	return method;
}

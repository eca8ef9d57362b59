/*
 * appwrite.c: creating apps and changing their fields (see appwrite.h).
 *
 * A create is one transaction: the app row (its slug made unique with a
 * suffix when it was derived from the name), its draft at revision 1 and,
 * from a template, the template's content.  Slug clashes are found with
 * ON CONFLICT DO NOTHING rather than a failed statement, so the
 * transaction stays usable for the next attempt.
 *
 * SPDX-License-Identifier: MIT
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "appwrite.h"
#include "db.h"
#include "jsonutil.h"
#include "template.h"
#include "valid.h"

#define SLUG_ATTEMPTS 100

const char *const appwrite_modes[] = {
	"advanced-chat", "agent", "agent-chat", "channel", "chat",
	"completion", "rag-pipeline", "workflow", NULL
};
const char *const appwrite_icon_types[] = { "emoji", "image", "link", NULL };
const char *const appwrite_visibilities[] = { "private", "public", NULL };

static const char *const branding_keys[] = { "primary_color", "logo_url",
	"website_url", "privacy_policy_url", "terms_of_service_url", NULL };

/* ---------------------------------------------------------------- */
/* Checking                                                         */

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

/* Is s a slug: ^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$ */
static bool
is_slug(const char *s)
{
	size_t i, n = strlen(s);

	if (n < 1 || n > APPWRITE_SLUG_MAX || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (i = 0; i < n; i++)
		if (!islower((unsigned char)s[i]) &&
		    !isdigit((unsigned char)s[i]) && s[i] != '-')
			return false;
	return true;
}

/* Is s "#RRGGBB"? */
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

/* Add a detail on body field name; remember that the check failed. */
static void
bad(struct error *err, bool *failed, const char *name, const char *msg,
    const char *type)
{
	error_add_detail(err, "body", name, msg, type);
	*failed = true;
}

static void
check_text(struct error *err, bool *failed, const char *name,
    const char *value, size_t min, size_t max)
{
	size_t n;
	char msg[96];

	if (value == NULL)
		return;
	n = chars(value);
	if (n < min) {
		snprintf(msg, sizeof(msg), "String should have at least %zu"
		    " characters", min);
		bad(err, failed, name, msg, "string_too_short");
	} else if (n > max) {
		snprintf(msg, sizeof(msg), "String should have at most %zu"
		    " characters", max);
		bad(err, failed, name, msg, "string_too_long");
	}
}

static void
check_branding(struct error *err, bool *failed, json_object *branding)
{
	if (branding == NULL)
		return;
	if (!json_object_is_type(branding, json_type_object)) {
		bad(err, failed, "branding", "Input should be an object",
		    "dict_type");
		return;
	}
	json_object_object_foreach(branding, key, value) {
		const char *s = json_object_is_type(value, json_type_string) ?
		    json_object_get_string(value) : NULL;
		char msg[200];

		if (!in_list(key, branding_keys)) {
			snprintf(msg, sizeof(msg), "Unknown branding key"
			    " '%.64s'; the keys are primary_color, logo_url,"
			    " website_url, privacy_policy_url,"
			    " terms_of_service_url", key);
			bad(err, failed, "branding", msg, "extra_forbidden");
		} else if (strcmp(key, "primary_color") == 0) {
			if (s == NULL || !is_color(s))
				bad(err, failed, "branding", "primary_color"
				    " is a colour #RRGGBB",
				    "string_pattern_mismatch");
		} else if (s == NULL || strncmp(s, "https://", 8) != 0 ||
		    strlen(s) > 2048 || !valid_is_http_url(s)) {
			snprintf(msg, sizeof(msg), "%s is an https URL of at"
			    " most 2048 characters", key);
			bad(err, failed, "branding", msg, "url_parsing");
		}
	}
}

static void
check_tags(struct error *err, bool *failed, json_object *tags)
{
	size_t i, k, n;

	if (tags == NULL)
		return;
	if (!json_object_is_type(tags, json_type_array)) {
		bad(err, failed, "tags", "Input should be a list of strings",
		    "list_type");
		return;
	}
	n = json_object_array_length(tags);
	if (n > APPWRITE_TAGS_MAX)
		bad(err, failed, "tags", "At most 32 tags", "too_long");
	for (i = 0; i < n; i++) {
		json_object *tag = json_object_array_get_idx(tags, i);
		const char *s = json_object_is_type(tag, json_type_string) ?
		    json_object_get_string(tag) : NULL;

		if (s == NULL || chars(s) < 1 || chars(s) > APPWRITE_TAG_MAX) {
			bad(err, failed, "tags", "A tag is a string of 1 to"
			    " 64 characters", "string_type");
			continue;
		}
		for (k = 0; k < i; k++)
			if (strcmp(s, json_object_get_string(
			    json_object_array_get_idx(tags, k))) == 0) {
				bad(err, failed, "tags", "Tags are unique",
				    "duplicate");
				break;
			}
	}
}

int
appwrite_check(const struct app_fields *f, bool create, struct error *err)
{
	json_object *details;
	bool failed = false;

	if (create && f->workspace_id == NULL)
		bad(err, &failed, "workspace_id", "Field required", "missing");
	if (f->workspace_id != NULL && !valid_is_uuid(f->workspace_id))
		bad(err, &failed, "workspace_id", "Input should be a UUID",
		    "uuid_parsing");
	if (create && f->name == NULL)
		bad(err, &failed, "name", "Field required", "missing");
	check_text(err, &failed, "name", f->name, 1, 255);
	if (f->slug != NULL && !is_slug(f->slug))
		bad(err, &failed, "slug", "A slug is 1 to 63 of a-z, 0-9 and"
		    " inner dashes", "string_pattern_mismatch");
	if (f->mode != NULL && !in_list(f->mode, appwrite_modes))
		bad(err, &failed, "mode", "Input should be an app mode",
		    "enum");
	check_text(err, &failed, "description", f->description, 0, 4000);
	if (f->icon_type != NULL && !in_list(f->icon_type,
	    appwrite_icon_types))
		bad(err, &failed, "icon_type", "Input should be 'emoji',"
		    " 'image' or 'link'", "enum");
	check_text(err, &failed, "icon", f->icon, 0, 2048);
	if (f->icon != NULL && f->icon_type != NULL &&
	    strcmp(f->icon_type, "link") == 0 && f->icon[0] != '\0' &&
	    !valid_is_http_url(f->icon))
		bad(err, &failed, "icon", "A link icon is an http or https"
		    " URL", "url_parsing");
	if (f->icon_background != NULL && f->icon_background[0] != '\0' &&
	    !is_color(f->icon_background))
		bad(err, &failed, "icon_background", "A colour is #RRGGBB, or"
		    " empty", "string_pattern_mismatch");
	check_branding(err, &failed, f->branding);
	check_tags(err, &failed, f->tags);
	if (f->visibility != NULL && !in_list(f->visibility,
	    appwrite_visibilities))
		bad(err, &failed, "visibility", "Input should be 'private' or"
		    " 'public'", "enum");
	if (f->template_id != NULL && !is_slug(f->template_id))
		bad(err, &failed, "template_id", "A template id is 1 to 63 of"
		    " a-z, 0-9 and inner dashes", "string_pattern_mismatch");
	if (!failed)
		return 0;
	details = err->details;   /* error_set would drop them */
	err->details = NULL;
	error_set(err, ERR_VALIDATION, NULL);
	err->details = details;
	return -1;
}

void
appwrite_slug_from_name(const char *name, char *slug, size_t size)
{
	size_t o = 0, max = size - 1;
	bool dash = false;

	if (max > APPWRITE_SLUG_MAX)
		max = APPWRITE_SLUG_MAX;
	for (; *name != '\0' && o < max; name++) {
		unsigned char c = (unsigned char)*name;

		if (c < 0x80 && isalnum(c)) {
			if (dash && o > 0) {
				/* No room for "-x": end at the last word. */
				if (o + 2 > max)
					break;
				slug[o++] = '-';
			}
			slug[o++] = (char)tolower(c);
			dash = false;
		} else {
			dash = true;
		}
	}
	while (o > 0 && slug[o - 1] == '-')
		o--;
	slug[o] = '\0';
	if (o == 0)
		snprintf(slug, size, "app");
}

/* ---------------------------------------------------------------- */
/* Creating                                                         */

static const struct db_statement app_insert = {
	"appwrite_app_insert",
	"INSERT INTO apps (workspace_id, slug, name, mode, description,"
	"       icon_type, icon, icon_background, branding, tags, visibility,"
	"       template_id, created_by)"
	" VALUES ($1, $2, $3, coalesce($4, 'workflow'), coalesce($5, ''),"
	"         coalesce($6, 'emoji'), coalesce($7, ''), coalesce($8, ''),"
	"         coalesce($9::jsonb, '{}'),"
	"         ARRAY(SELECT jsonb_array_elements_text($10::jsonb)),"
	"         coalesce($11, 'private'), $12, $13)"
	" ON CONFLICT (workspace_id, slug) DO NOTHING"
	" RETURNING id"
};

static const struct db_statement draft_insert = {
	"appwrite_draft_insert",
	"INSERT INTO drafts (app_id, revision, updated_by) VALUES ($1, 1, $2)"
};

struct app_create {
	const struct app_fields *fields;  /* with the template's filled in */
	const char *account_id;
	json_object *definition;          /* the template's, or NULL */
	char slug[APPWRITE_SLUG_MAX + 1];
	bool slug_given;
	char id[AUTH_UUID_LEN + 1];
};

/* Set err to ERR_NAME_TAKEN for slug.  Returns -1. */
static int
slug_taken(struct error *err, const char *slug)
{
	error_set(err, ERR_NAME_TAKEN, "The workspace already has an app"
	    " with the slug '%s'.", slug);
	error_hint(err, "Choose another slug, or leave it out to have one"
	    " made from the name.");
	error_add_detail(err, "body", "slug", "The slug is taken in this"
	    " workspace", "name_taken");
	return -1;
}

static int
app_create_transaction(void *ctx, struct error *err)
{
	struct app_create *c = ctx;
	const struct app_fields *f = c->fields;
	char slug[APPWRITE_SLUG_MAX + 1], suffix[16];
	PGresult *res;
	int attempt;

	c->id[0] = '\0';
	for (attempt = 1; attempt <= SLUG_ATTEMPTS; attempt++) {
		const char *params[] = { f->workspace_id, slug, f->name,
		    f->mode, f->description, f->icon_type, f->icon,
		    f->icon_background,
		    f->branding != NULL ? json_text(f->branding) : NULL,
		    f->tags != NULL ? json_text(f->tags) : NULL,
		    f->visibility, f->template_id, c->account_id };

		if (attempt == 1) {
			snprintf(slug, sizeof(slug), "%s", c->slug);
		} else {
			int room;

			snprintf(suffix, sizeof(suffix), "-%d", attempt);
			room = APPWRITE_SLUG_MAX - (int)strlen(suffix);
			snprintf(slug, sizeof(slug), "%.*s", room, c->slug);
			while (slug[0] != '\0' &&
			    slug[strlen(slug) - 1] == '-')
				slug[strlen(slug) - 1] = '\0';
			strncat(slug, suffix, sizeof(slug) - strlen(slug) - 1);
		}
		if (db_exec(&app_insert, 13, params, &res, err) != 0)
			return -1;
		if (PQntuples(res) == 1) {
			snprintf(c->id, sizeof(c->id), "%s",
			    db_value(res, 0, 0));
			PQclear(res);
			break;
		}
		PQclear(res);
		if (c->slug_given)
			return slug_taken(err, c->slug);
	}
	if (c->id[0] == '\0')
		return error_set(err, ERR_NAME_TAKEN, "No free slug is left"
		    " for '%s'.", c->slug);
	{
		const char *params[] = { c->id, c->account_id };

		if (db_exec(&draft_insert, 2, params, NULL, err) != 0)
			return -1;
	}
	if (c->definition != NULL &&
	    template_instantiate(c->id, c->definition, err) != 0)
		return -1;
	return 0;
}

int
appwrite_create(const struct app_fields *fields, const char *account_id,
    char id[AUTH_UUID_LEN + 1], struct error *err)
{
	struct app_fields f = *fields;
	struct app_create c = { .account_id = account_id };
	json_object *app;
	int rc = -1;

	if (appwrite_check(fields, true, err) != 0)
		return -1;
	if (f.template_id != NULL) {
		if (template_definition(f.template_id, &c.definition,
		    err) != 0)
			return -1;
		app = json_get_object(c.definition, "app");
		if (f.mode == NULL)
			f.mode = json_get_string(c.definition, "mode");
		if (f.icon == NULL && f.icon_type == NULL) {
			f.icon = json_get_string(c.definition, "icon");
			f.icon_type = "emoji";
		}
		if (f.icon_background == NULL)
			f.icon_background = json_get_string(c.definition,
			    "icon_background");
		if (f.tags == NULL)
			f.tags = json_get_array(c.definition, "tags");
		if (f.description == NULL) {
			f.description = json_get_string(app, "description");
			if (f.description == NULL || f.description[0] == '\0')
				f.description = json_get_string(c.definition,
				    "description");
		}
		if (f.branding == NULL)
			f.branding = json_get_object(app, "branding");
		/* A template loaded with rules of its own still fits ours. */
		if (appwrite_check(&f, true, err) != 0)
			goto out;
	}
	c.fields = &f;
	c.slug_given = f.slug != NULL;
	if (c.slug_given)
		snprintf(c.slug, sizeof(c.slug), "%s", f.slug);
	else
		appwrite_slug_from_name(f.name, c.slug, sizeof(c.slug));
	if (db_transaction(DB_READ_COMMITTED, app_create_transaction, &c,
	    err) != 0)
		goto out;
	snprintf(id, AUTH_UUID_LEN + 1, "%s", c.id);
	rc = 0;
out:
	json_object_put(c.definition);
	return rc;
}

/* ---------------------------------------------------------------- */
/* Changing                                                         */

/*
 * Set every field given, and only when something differs, so that a
 * change to nothing updates no row.
 */
static const struct db_statement app_update = {
	"appwrite_app_update",
	"WITH new AS ("
	"  SELECT coalesce($2, a.name) AS name, coalesce($3, a.slug) AS slug,"
	"         coalesce($4, a.mode) AS mode,"
	"         coalesce($5, a.description) AS description,"
	"         coalesce($6, a.icon_type) AS icon_type,"
	"         coalesce($7, a.icon) AS icon,"
	"         coalesce($8, a.icon_background) AS icon_background,"
	"         coalesce($9::jsonb, a.branding) AS branding,"
	"         CASE WHEN $10::jsonb IS NULL THEN a.tags"
	"              ELSE ARRAY(SELECT"
	"                  jsonb_array_elements_text($10::jsonb))"
	"         END AS tags,"
	"         coalesce($11, a.visibility) AS visibility"
	"    FROM apps a WHERE a.id = $1)"
	"UPDATE apps SET name = new.name, slug = new.slug, mode = new.mode,"
	"       description = new.description, icon_type = new.icon_type,"
	"       icon = new.icon, icon_background = new.icon_background,"
	"       branding = new.branding, tags = new.tags,"
	"       visibility = new.visibility, updated_at = now()"
	"  FROM new"
	" WHERE apps.id = $1"
	"   AND (apps.name, apps.slug, apps.mode, apps.description,"
	"        apps.icon_type, apps.icon, apps.icon_background,"
	"        apps.branding, apps.tags, apps.visibility)"
	"       IS DISTINCT FROM"
	"       (new.name, new.slug, new.mode, new.description,"
	"        new.icon_type, new.icon, new.icon_background,"
	"        new.branding, new.tags, new.visibility)"
	" RETURNING apps.id"
};

static const struct db_statement app_exists = {
	"appwrite_app_exists",
	"SELECT 1 FROM apps WHERE id = $1"
};

static const struct db_statement slug_owner = {
	"appwrite_slug_owner",
	"SELECT 1 FROM apps a JOIN apps b ON b.workspace_id = a.workspace_id"
	" WHERE a.id = $1 AND b.slug = $2 AND b.id <> a.id"
};

int
appwrite_update(const char *app_id, const struct app_fields *f,
    bool *changed, struct error *err)
{
	PGresult *res;

	*changed = false;
	if (f->workspace_id != NULL || f->template_id != NULL)
		return error_set(err, ERR_INTERNAL, "an app's workspace and"
		    " template are not changed");
	if (appwrite_check(f, false, err) != 0)
		return -1;
	if (f->slug != NULL) {
		const char *params[] = { app_id, f->slug };
		int taken;

		if (db_exec(&slug_owner, 2, params, &res, err) != 0)
			return -1;
		taken = PQntuples(res);
		PQclear(res);
		if (taken > 0)
			return slug_taken(err, f->slug);
	}
	{
		const char *params[] = { app_id, f->name, f->slug, f->mode,
		    f->description, f->icon_type, f->icon, f->icon_background,
		    f->branding != NULL ? json_text(f->branding) : NULL,
		    f->tags != NULL ? json_text(f->tags) : NULL,
		    f->visibility };

		if (db_exec(&app_update, 11, params, &res, err) != 0) {
			/* Another writer took the slug since the check. */
			if (strcmp(db_last_sqlstate(), "23505") == 0)
				return slug_taken(err, f->slug);
			return -1;
		}
		*changed = PQntuples(res) == 1;
		PQclear(res);
	}
	if (!*changed) {
		const char *params[] = { app_id };
		int found;

		if (db_exec(&app_exists, 1, params, &res, err) != 0)
			return -1;
		found = PQntuples(res);
		PQclear(res);
		if (found != 1)
			return error_set(err, ERR_APP_NOT_FOUND, NULL);
	}
	return 0;
}

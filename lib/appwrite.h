/*
 * appwrite.h: creating apps and changing their own fields (name, slug,
 * mode, description, icon, branding, tags, visibility), shared by the
 * management APIs and anything else that makes apps (templates, imports).
 *
 * An app is created with its draft at revision 1, in one transaction,
 * optionally from a loaded template (template.h), whose content is
 * created in the same transaction.  Changing an app's fields is a draft
 * write like any other (draft.h): appwrite_update() runs inside one.
 *
 * Every rule of sql/005_apps.sql is checked here first, so a bad value
 * is a 422 with one detail per fault, never a database error.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef DRIO_APPWRITE_H
#define DRIO_APPWRITE_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "auth.h"
#include "error.h"

#define APPWRITE_SLUG_MAX 63
#define APPWRITE_TAGS_MAX 32
#define APPWRITE_TAG_MAX  64    /* characters in one tag */

/* The closed sets of apps.mode, icon_type and visibility, NULL-ended. */
extern const char *const appwrite_modes[];
extern const char *const appwrite_icon_types[];
extern const char *const appwrite_visibilities[];

/*
 * An app's fields as a caller gives them.  NULL members are absent: a
 * create takes the column's default (or the template's value), an update
 * leaves them as they are.  Everything is borrowed.
 */
struct app_fields {
	const char *workspace_id;  /* create only; required there */
	const char *name;          /* required on create: 1..255 chars */
	const char *slug;          /* create: derived from name if NULL */
	const char *mode;          /* an apps.mode */
	const char *description;   /* at most 4000 chars */
	const char *icon_type;     /* emoji, image or link */
	const char *icon;          /* at most 2048 chars */
	const char *icon_background; /* "#RRGGBB" or "" */
	json_object *branding;     /* object: primary_color, logo_url,
	                            * website_url, privacy_policy_url,
	                            * terms_of_service_url */
	json_object *tags;         /* array of at most 32 unique strings */
	const char *visibility;    /* private or public */
	const char *template_id;   /* create only: a loaded template */
};

/*
 * Check fields against the rules of an app (create: name and
 * workspace_id required).  Pure.  Returns 0, or -1 and err
 * (ERR_VALIDATION with one "body" detail per fault).
 */
int appwrite_check(const struct app_fields *fields, bool create,
    struct error *err);

/*
 * Make a slug from name: ASCII letters and digits lower-cased, every run
 * of anything else one '-', at most size - 1 (and 63) characters; "app"
 * when nothing is left.  Can't fail.
 */
void appwrite_slug_from_name(const char *name, char *slug, size_t size);

/*
 * Create an app in fields->workspace_id, created by account_id, with its
 * draft at revision 1, in one transaction.  With fields->template_id the
 * template's fields fill what fields leaves out and its content (auth
 * connections, integrations with their operations, widgets, tools) is
 * created too (template_instantiate).  A slug derived from the name is
 * made unique in the workspace with -2, -3, ...; a slug given that is
 * taken is refused.  The caller has checked the account may create apps
 * in the workspace.  Returns 0 with the app's id in id, or -1 and err:
 * ERR_VALIDATION, ERR_NAME_TAKEN (detail on slug), ERR_TEMPLATE_NOT_FOUND
 * or a database error.
 */
int appwrite_create(const struct app_fields *fields, const char *account_id,
    char id[AUTH_UUID_LEN + 1], struct error *err);

/*
 * Inside a draft write: change app_id's fields to what fields gives
 * (workspace_id and template_id must be NULL).  *changed says whether
 * any value differs from before.  Returns 0, or -1 and err:
 * ERR_VALIDATION, ERR_NAME_TAKEN (the slug is another app's in the
 * workspace), ERR_APP_NOT_FOUND or a database error.
 */
int appwrite_update(const char *app_id, const struct app_fields *fields,
    bool *changed, struct error *err);

#endif

/*
 * authconn.c: an app's auth connections (see authconn.h): checking their
 * settings and secrets per type, reading them without their secrets, and
 * writing them with the secret sealed by the vault.  The plain secret
 * never reaches SQL, a log or a reply: only its sealed bytes and the
 * names of its fields are stored.
 *
 * SPDX-License-Identifier: MIT
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "appconfig.h"
#include "authconn.h"
#include "db.h"
#include "jsonutil.h"
#include "page.h"
#include "sealed.h"
#include "valid.h"
#include "vault.h"

#define AAD_PREFIX   "auth_connections.secret:"
#define AAD_MAX      (sizeof(AAD_PREFIX) + 2 * AUTH_UUID_LEN + 2)
#define URL_MAX      2048
#define SCOPES_MAX   100

/* ---------------------------------------------------------------- */
/* Checking settings and secrets                                    */

/*
 * Append {loc: ["body", field, member], msg, type} to err's details
 * (member may be NULL).  Can't fail in a way that matters: without
 * memory the detail is lost, the 422 stands.
 */
static void
detail(struct error *err, const char *field, const char *member,
    const char *msg, const char *type)
{
	json_object *entry, *loc;

	if (err == NULL)
		return;
	if (err->details == NULL)
		err->details = json_object_new_array();
	entry = json_object_new_object();
	loc = json_object_new_array();
	json_object_array_add(loc, json_object_new_string("body"));
	json_object_array_add(loc, json_object_new_string(field));
	if (member != NULL)
		json_object_array_add(loc, json_object_new_string(member));
	json_object_object_add(entry, "loc", loc);
	json_put_string(entry, "msg", msg);
	json_put_string(entry, "type", type);
	json_object_array_add(err->details, entry);
}

/*
 * Turn the details collected in err into ERR_VALIDATION (error_set
 * would drop them).  Returns -1.
 */
static int
validation_failed(struct error *err)
{
	json_object *details = err->details;

	err->details = NULL;
	error_set(err, ERR_VALIDATION, NULL);
	err->details = details;
	return -1;
}

/* Is s an RFC 9110 token (header and parameter names), 1..255 long? */
static bool
is_token(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (!isalnum((unsigned char)s[i]) &&
		    strchr("!#$%&'*+-.^_`|~", s[i]) == NULL)
			return false;
	return i >= 1 && i <= AUTHCONN_NAME_MAX;
}

/* Is s an RFC 6749 scope token (printable ASCII but space, " and \)? */
static bool
is_scope_token(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e ||
		    s[i] == '"' || s[i] == '\\')
			return false;
	return i >= 1 && i <= AUTHCONN_NAME_MAX;
}

/* Is name one of the NULL-terminated list? */
static bool
in_list(const char *const *list, const char *name)
{
	size_t i;

	for (i = 0; list[i] != NULL; i++)
		if (strcmp(list[i], name) == 0)
			return true;
	return false;
}

/*
 * Member key of obj as a string of 1..max characters without controls,
 * or NULL after adding a detail (absent is a detail only when required).
 * *present says whether the member was there at all.
 */
static const char *
string_member(json_object *obj, const char *field, const char *key,
    size_t max, bool required, bool *failed, struct error *err)
{
	json_object *v;
	const char *s;
	size_t i, len;

	if (!json_object_object_get_ex(obj, key, &v)) {
		if (required) {
			detail(err, field, key, "Field required", "missing");
			*failed = true;
		}
		return NULL;
	}
	if (!json_object_is_type(v, json_type_string)) {
		detail(err, field, key, "Input should be a valid string",
		    "string_type");
		*failed = true;
		return NULL;
	}
	s = json_object_get_string(v);
	len = 0;    /* in characters, as the limits are */
	for (i = 0; s[i] != '\0'; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			break;
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			len++;
	}
	if (i < (size_t)json_object_get_string_len(v)) {
		detail(err, field, key, "Control characters are not allowed",
		    "string_pattern_mismatch");
		*failed = true;
		return NULL;
	}
	if (len == 0 || len > max) {
		detail(err, field, key, len == 0 ? "String should have at"
		    " least 1 character" : "String is too long",
		    len == 0 ? "string_too_short" : "string_too_long");
		*failed = true;
		return NULL;
	}
	return s;
}

/* Refuse members of obj that allowed does not list. */
static void
refuse_unknown(json_object *obj, const char *field,
    const char *const *allowed, const char *type, bool *failed,
    struct error *err)
{
	char msg[128];

	json_object_object_foreach(obj, key, value) {
		(void)value;
		if (in_list(allowed, key))
			continue;
		snprintf(msg, sizeof(msg), "Extra inputs are not permitted"
		    " for type %s", type);
		detail(err, field, key, msg, "extra_forbidden");
		*failed = true;
	}
}

static const char *const settings_api_key[] = { "in", "name", NULL };
static const char *const settings_basic[] = { "username", NULL };
static const char *const settings_oauth2[] = { "grant", "token_url",
    "authorize_url", "client_id", "scopes", NULL };
static const char *const settings_nothing[] = { NULL };

/* Check oauth2 settings.  Sets *failed and adds details. */
static void
check_oauth2(json_object *settings, bool *failed, struct error *err)
{
	const char *grant, *url;
	json_object *scopes;
	size_t i, j, n;

	grant = string_member(settings, "settings", "grant", 64, true,
	    failed, err);
	if (grant != NULL && strcmp(grant, "authorization_code") != 0 &&
	    strcmp(grant, "client_credentials") != 0) {
		detail(err, "settings", "grant", "Input should be"
		    " 'authorization_code' or 'client_credentials'", "enum");
		*failed = true;
		grant = NULL;
	}
	url = string_member(settings, "settings", "token_url", URL_MAX, true,
	    failed, err);
	if (url != NULL && !valid_is_http_url(url)) {
		detail(err, "settings", "token_url", "Input should be an"
		    " absolute http or https URL", "url_parsing");
		*failed = true;
	}
	url = string_member(settings, "settings", "authorize_url", URL_MAX,
	    grant != NULL && strcmp(grant, "authorization_code") == 0,
	    failed, err);
	if (url != NULL && !valid_is_http_url(url)) {
		detail(err, "settings", "authorize_url", "Input should be an"
		    " absolute http or https URL", "url_parsing");
		*failed = true;
	} else if (url != NULL && grant != NULL &&
	    strcmp(grant, "client_credentials") == 0) {
		detail(err, "settings", "authorize_url", "The"
		    " client_credentials grant has no authorization endpoint",
		    "extra_forbidden");
		*failed = true;
	}
	(void)string_member(settings, "settings", "client_id",
	    AUTHCONN_NAME_MAX, false, failed, err);
	if (!json_object_object_get_ex(settings, "scopes", &scopes))
		return;
	if (!json_object_is_type(scopes, json_type_array) ||
	    json_object_array_length(scopes) > SCOPES_MAX) {
		detail(err, "settings", "scopes", "Input should be an array of"
		    " at most 100 scopes", "list_type");
		*failed = true;
		return;
	}
	n = json_object_array_length(scopes);
	for (i = 0; i < n; i++) {
		json_object *s = json_object_array_get_idx(scopes, i);

		if (!json_object_is_type(s, json_type_string) ||
		    !is_scope_token(json_object_get_string(s))) {
			detail(err, "settings", "scopes", "Each scope is 1 to"
			    " 255 printable characters without spaces",
			    "string_pattern_mismatch");
			*failed = true;
			return;
		}
		for (j = 0; j < i; j++)
			if (strcmp(json_object_get_string(s),
			    json_object_get_string(
			    json_object_array_get_idx(scopes, j))) == 0) {
				detail(err, "settings", "scopes", "Scopes"
				    " must be unique", "value_error");
				*failed = true;
				return;
			}
	}
}

/* Check the settings of type.  Sets *failed and adds details. */
static void
check_settings(const char *type, json_object *settings, bool *failed,
    struct error *err)
{
	const char *s;

	if (!json_object_is_type(settings, json_type_object)) {
		detail(err, "settings", NULL, "Input should be an object",
		    "dict_type");
		*failed = true;
		return;
	}
	if (strcmp(type, "api_key") == 0) {
		refuse_unknown(settings, "settings", settings_api_key, type,
		    failed, err);
		s = string_member(settings, "settings", "in", 16, true, failed,
		    err);
		if (s != NULL && strcmp(s, "header") != 0 &&
		    strcmp(s, "query") != 0) {
			detail(err, "settings", "in", "Input should be"
			    " 'header' or 'query'", "enum");
			*failed = true;
		}
		s = string_member(settings, "settings", "name",
		    AUTHCONN_NAME_MAX, true, failed, err);
		if (s != NULL && !is_token(s)) {
			detail(err, "settings", "name", "A header or parameter"
			    " name is letters, digits and !#$%&'*+-.^_`|~",
			    "string_pattern_mismatch");
			*failed = true;
		}
	} else if (strcmp(type, "basic") == 0) {
		refuse_unknown(settings, "settings", settings_basic, type,
		    failed, err);
		s = string_member(settings, "settings", "username",
		    AUTHCONN_NAME_MAX, false, failed, err);
		if (s != NULL && strchr(s, ':') != NULL) {
			detail(err, "settings", "username", "A basic user name"
			    " cannot contain ':'", "string_pattern_mismatch");
			*failed = true;
		}
	} else if (strcmp(type, "oauth2") == 0) {
		refuse_unknown(settings, "settings", settings_oauth2, type,
		    failed, err);
		check_oauth2(settings, failed, err);
	} else {
		refuse_unknown(settings, "settings", settings_nothing, type,
		    failed, err);
	}
}

/* Check a secret object of type.  Sets *failed and adds details. */
static void
check_secret(const char *type, json_object *settings, json_object *secret,
    bool *failed, struct error *err)
{
	const char *const *needed = appconfig_auth_secret_fields(type);
	const char *allowed[3] = { NULL, NULL, NULL };
	const char *s;
	size_t i;

	if (!json_object_is_type(secret, json_type_object)) {
		detail(err, "secret", NULL, "Input should be an object",
		    "dict_type");
		*failed = true;
		return;
	}
	if (needed == NULL || needed[0] == NULL) {
		detail(err, "secret", NULL, "This type of connection takes no"
		    " secret", "extra_forbidden");
		*failed = true;
		return;
	}
	allowed[0] = needed[0];
	/* Basic: the user name is a secret too when settings do not show
	 * one. */
	if (strcmp(type, "basic") == 0 &&
	    !json_object_object_get_ex(settings, "username", NULL))
		allowed[1] = "username";
	refuse_unknown(secret, "secret", allowed, type, failed, err);
	for (i = 0; allowed[i] != NULL; i++) {
		s = string_member(secret, "secret", allowed[i],
		    AUTHCONN_SECRET_MAX, i == 0, failed, err);
		if (s != NULL && i == 1 && strchr(s, ':') != NULL) {
			detail(err, "secret", allowed[i], "A basic user name"
			    " cannot contain ':'", "string_pattern_mismatch");
			*failed = true;
		}
	}
}

bool
authconn_type_is_valid(const char *type)
{
	return appconfig_auth_secret_fields(type) != NULL;
}

int
authconn_check(const char *type, json_object *settings, json_object *secret,
    struct error *err)
{
	bool failed = false;

	if (!authconn_type_is_valid(type)) {
		detail(err, "type", NULL, "Input should be 'none', 'api_key',"
		    " 'bearer', 'basic' or 'oauth2'", "enum");
		return validation_failed(err);
	}
	if (settings != NULL)
		check_settings(type, settings, &failed, err);
	if (secret != NULL)
		check_secret(type, settings, secret, &failed, err);
	return failed ? validation_failed(err) : 0;
}

/* ---------------------------------------------------------------- */
/* Reading                                                          */

#define CONN_COLUMNS                                                      \
	"c.id, c.name, c.type, c.settings, c.secret IS NOT NULL,"         \
	" to_jsonb(c.secret_fields),"                                     \
	" coalesce((SELECT jsonb_agg(i.id ORDER BY i.name, i.id)"         \
	"   FROM integrations i WHERE i.auth_connection_id = c.id), '[]'),"\
	" drio_rfc3339(c.created_at), drio_rfc3339(c.updated_at)"

static json_object *
conn_from_row(const PGresult *res, int row)
{
	json_object *conn = json_object_new_object();

	json_put_string(conn, "id", db_value(res, row, 0));
	json_put_string(conn, "name", db_value(res, row, 1));
	json_put_string(conn, "type", db_value(res, row, 2));
	json_put_db(conn, "settings", db_value(res, row, 3));
	json_put_bool(conn, "secret_set", db_bool(res, row, 4));
	json_put_db(conn, "secret_fields", db_value(res, row, 5));
	json_put_db(conn, "used_by", db_value(res, row, 6));
	json_put_string(conn, "created_at", db_value(res, row, 7));
	json_put_string(conn, "updated_at", db_value(res, row, 8));
	return conn;
}

static const struct db_statement conns_page = {
	"authconn_page",
	"SELECT " CONN_COLUMNS ", count(*) OVER ()"
	"  FROM auth_connections c"
	" WHERE c.app_id = $1 ORDER BY c.name, c.id LIMIT $2 OFFSET $3"
};

static const struct db_statement conns_count = {
	"authconn_count",
	"SELECT count(*) FROM auth_connections WHERE app_id = $1"
};

int
authconn_list(const char *app_id, long long page, long long limit,
    json_object **list, long long *total, struct error *err)
{
	const char *params[] = { app_id, NULL, NULL };

	return page_fetch_list(&conns_page, &conns_count, params, 3, page,
	    limit, conn_from_row, list, total, err);
}

static const struct db_statement conn_one = {
	"authconn_one",
	"SELECT " CONN_COLUMNS
	"  FROM auth_connections c WHERE c.app_id = $1 AND c.id = $2"
};

int
authconn_get(const char *app_id, const char *auth_id, json_object **conn,
    struct error *err)
{
	const char *params[] = { app_id, auth_id };
	PGresult *res;

	*conn = NULL;
	if (db_exec(&conn_one, 2, params, &res, err) != 0)
		return -1;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return error_set(err, ERR_AUTH_CONNECTION_NOT_FOUND, NULL);
	}
	*conn = conn_from_row(res, 0);
	PQclear(res);
	return 0;
}

/* ---------------------------------------------------------------- */
/* Sealing                                                          */

/*
 * The vault's additional data for the secret of connection id of app_id,
 * as drio-admin vault-rotate builds it in SQL (uuids in lower case).
 * Can't fail: both are uuids, checked by the caller.
 */
static void
secret_aad(const char *app_id, const char *id, char aad[AAD_MAX])
{
	size_t i;

	snprintf(aad, AAD_MAX, AAD_PREFIX "%s:%s", app_id, id);
	for (i = sizeof(AAD_PREFIX) - 1; aad[i] != '\0'; i++)
		aad[i] = (char)tolower((unsigned char)aad[i]);
}

/*
 * A sealed secret ready for SQL: the bytea text of the ciphertext and
 * the JSON array of the secret's field names, sorted.
 */
struct sealed_secret {
	char *bytea;               /* malloc'd */
	json_object *fields;
};

static void
sealed_secret_free(struct sealed_secret *s)
{
	free(s->bytea);
	s->bytea = NULL;
	json_object_put(s->fields);
	s->fields = NULL;
}

static int
compare_strings(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * Seal secret (an object of strings, checked) for connection id of
 * app_id into out.  Returns 0 (release out with sealed_secret_free), or
 * -1 and err.
 */
static int
seal_secret(struct vault *vault, const char *app_id, const char *id,
    json_object *secret, struct sealed_secret *out, struct error *err)
{
	const char *names[8];
	size_t n = 0, i;
	char aad[AAD_MAX];

	out->bytea = NULL;
	out->fields = NULL;
	json_object_object_foreach(secret, key, value) {
		(void)value;
		if (n < sizeof(names) / sizeof(names[0]))
			names[n++] = key;
	}
	qsort(names, n, sizeof(names[0]), compare_strings);
	secret_aad(app_id, id, aad);
	if (sealed_json_seal(vault, aad, secret, &out->bytea, err) != 0)
		return -1;
	out->fields = json_object_new_array();
	for (i = 0; i < n; i++)
		json_object_array_add(out->fields,
		    json_object_new_string(names[i]));
	return 0;
}

/* ---------------------------------------------------------------- */
/* Writing                                                          */

static const struct db_statement new_id = {
	"authconn_new_id",
	"SELECT gen_random_uuid()"
};

static const struct db_statement conn_insert = {
	"authconn_insert",
	"INSERT INTO auth_connections (id, app_id, name, type, settings,"
	"       secret, secret_fields)"
	" VALUES ($1, $2, $3, $4, $5::jsonb, $6::bytea,"
	"         ARRAY(SELECT jsonb_array_elements_text($7::jsonb)))"
	" ON CONFLICT (app_id, name) DO NOTHING"
	" RETURNING id"
};

/* Set err to ERR_NAME_TAKEN for name.  Returns -1. */
static int
name_taken(struct error *err, const char *name)
{
	error_set(err, ERR_NAME_TAKEN, "The app already has an auth"
	    " connection named '%s'.", name);
	error_hint(err, "Give the auth connection another name.");
	error_add_detail(err, "body", "name", "An auth connection of this app"
	    " already has this name", "name_taken");
	return -1;
}

/* Check a name: 1..255 characters (UTF-8, as the database counts). */
static int
check_name(const char *name, struct error *err)
{
	size_t i, len = 0;

	for (i = 0; name[i] != '\0'; i++)
		if (((unsigned char)name[i] & 0xc0) != 0x80)
			len++;
	if (len == 0 || len > AUTHCONN_NAME_MAX) {
		detail(err, "name", NULL, "String should have 1 to 255"
		    " characters", len == 0 ? "string_too_short" :
		    "string_too_long");
		return validation_failed(err);
	}
	return 0;
}

int
authconn_create(const char *app_id, struct vault *vault,
    const struct authconn_fields *f, char id[AUTH_UUID_LEN + 1],
    struct error *err)
{
	struct sealed_secret sealed = { NULL, NULL };
	json_object *empty = NULL, *settings = f->settings;
	PGresult *res = NULL;
	int rc = -1;

	if (f->name == NULL || f->type == NULL) {
		detail(err, f->name == NULL ? "name" : "type", NULL,
		    "Field required", "missing");
		return validation_failed(err);
	}
	if (settings == NULL)
		settings = empty = json_object_new_object();
	if (check_name(f->name, err) != 0 ||
	    authconn_check(f->type, settings, f->secret, err) != 0)
		goto out;
	if (db_exec(&new_id, 0, NULL, &res, err) != 0)
		goto out;
	snprintf(id, AUTH_UUID_LEN + 1, "%s", db_value(res, 0, 0));
	PQclear(res);
	res = NULL;
	if (f->secret != NULL &&
	    seal_secret(vault, app_id, id, f->secret, &sealed, err) != 0)
		goto out;
	{
		const char *params[] = { id, app_id, f->name, f->type,
		    json_text(settings), sealed.bytea,
		    sealed.fields != NULL ? json_text(sealed.fields) : "[]" };

		if (db_exec(&conn_insert, 7, params, &res, err) != 0)
			goto out;
		if (PQntuples(res) != 1) {
			name_taken(err, f->name);
			goto out;
		}
	}
	rc = 0;
out:
	PQclear(res);
	sealed_secret_free(&sealed);
	json_object_put(empty);
	return rc;
}

static const struct db_statement conn_lock = {
	"authconn_lock",
	"SELECT name, type, settings, secret IS NOT NULL"
	"  FROM auth_connections WHERE app_id = $1 AND id = $2 FOR UPDATE"
};

static const struct db_statement conn_name_used = {
	"authconn_name_used",
	"SELECT 1 FROM auth_connections"
	" WHERE app_id = $1 AND name = $2 AND id <> $3"
};

/*
 * $5 says what happens to the secret: "keep" it, or store $6 (NULL to
 * clear) with the field names $7.
 */
static const struct db_statement conn_update = {
	"authconn_update",
	"WITH dropped AS (DELETE FROM auth_connection_tokens"
	"                  WHERE auth_connection_id = $2 AND $6::text <> 'keep')"
	"UPDATE auth_connections"
	"   SET name = $3, type = $4, settings = $5::jsonb,"
	"       secret = CASE WHEN $6::text = 'keep' THEN secret"
	"                ELSE $7::bytea END,"
	"       secret_fields = CASE WHEN $6::text = 'keep' THEN secret_fields"
	"                ELSE ARRAY(SELECT jsonb_array_elements_text($8::jsonb))"
	"                END,"
	"       updated_at = now()"
	" WHERE app_id = $1 AND id = $2"
};

int
authconn_update(const char *app_id, const char *auth_id,
    struct vault *vault, const struct authconn_fields *f, bool *changed,
    struct error *err)
{
	struct sealed_secret sealed = { NULL, NULL };
	json_object *stored = NULL, *settings;
	PGresult *res = NULL;
	const char *name, *type, *secret_action = "keep";
	char old_name[4 * AUTHCONN_NAME_MAX + 1], old_type[16];
	bool had_secret, type_changed;
	int rc = -1;

	*changed = false;
	if (f->secret != NULL && f->clear_secret) {
		detail(err, "secret", NULL, "Give a new secret or clear it,"
		    " not both", "value_error");
		return validation_failed(err);
	}
	if (f->name != NULL && check_name(f->name, err) != 0)
		return -1;
	{
		const char *params[] = { app_id, auth_id };

		if (db_exec(&conn_lock, 2, params, &res, err) != 0)
			goto out;
		if (PQntuples(res) != 1) {
			error_set(err, ERR_AUTH_CONNECTION_NOT_FOUND, NULL);
			goto out;
		}
		snprintf(old_name, sizeof(old_name), "%s", db_value(res, 0, 0));
		snprintf(old_type, sizeof(old_type), "%s", db_value(res, 0, 1));
		stored = json_from_db(db_value(res, 0, 2));
		had_secret = db_bool(res, 0, 3);
		PQclear(res);
		res = NULL;
	}
	name = f->name != NULL ? f->name : old_name;
	type = f->type != NULL ? f->type : old_type;
	type_changed = strcmp(type, old_type) != 0;
	/* Settings of one type mean nothing to another. */
	if (f->settings != NULL)
		settings = f->settings;
	else if (type_changed) {
		json_object_put(stored);
		stored = settings = json_object_new_object();
	} else
		settings = stored;
	if (authconn_check(type, settings, f->secret, err) != 0)
		goto out;
	if (strcmp(name, old_name) != 0) {
		const char *params[] = { app_id, name, auth_id };

		if (db_exec(&conn_name_used, 3, params, &res, err) != 0)
			goto out;
		if (PQntuples(res) != 0) {
			name_taken(err, name);
			goto out;
		}
		PQclear(res);
		res = NULL;
		*changed = true;
	}
	if (type_changed || !json_object_equal(settings, stored))
		*changed = true;
	if (f->secret != NULL) {
		if (seal_secret(vault, app_id, auth_id, f->secret, &sealed,
		    err) != 0)
			goto out;
		secret_action = "set";
		*changed = true;
	} else if ((f->clear_secret || type_changed) && had_secret) {
		secret_action = "clear";
		*changed = true;
	}
	if (!*changed) {
		rc = 0;
		goto out;
	}
	{
		const char *params[] = { app_id, auth_id, name, type,
		    json_text(settings), secret_action, sealed.bytea,
		    sealed.fields != NULL ? json_text(sealed.fields) : "[]" };

		if (db_exec(&conn_update, 8, params, NULL, err) != 0) {
			if (err->code == ERR_CONFLICT)
				name_taken(err, name);
			goto out;
		}
	}
	rc = 0;
out:
	PQclear(res);
	sealed_secret_free(&sealed);
	json_object_put(stored);
	return rc;
}

static const struct db_statement conn_users = {
	"authconn_users",
	"SELECT i.id, i.name FROM integrations i"
	" WHERE i.auth_connection_id = $1 ORDER BY i.name, i.id"
};

static const struct db_statement conn_delete = {
	"authconn_delete",
	"DELETE FROM auth_connections WHERE app_id = $1 AND id = $2"
};

int
authconn_delete(const char *app_id, const char *auth_id, struct error *err)
{
	const char *params[] = { app_id, auth_id };
	json_object *details;
	PGresult *res = NULL;
	int i, rc = -1;

	if (db_exec(&conn_lock, 2, params, &res, err) != 0)
		goto out;
	if (PQntuples(res) != 1) {
		error_set(err, ERR_AUTH_CONNECTION_NOT_FOUND, NULL);
		goto out;
	}
	PQclear(res);
	res = NULL;
	if (db_exec(&conn_users, 1, &auth_id, &res, err) != 0)
		goto out;
	if (PQntuples(res) > 0) {
		details = json_object_new_array();
		for (i = 0; i < PQntuples(res); i++) {
			json_object *entry = json_object_new_object();
			json_object *loc = json_object_new_array();
			char msg[320];

			json_object_array_add(loc,
			    json_object_new_string("path"));
			json_object_array_add(loc,
			    json_object_new_string("auth_id"));
			json_object_object_add(entry, "loc", loc);
			snprintf(msg, sizeof(msg), "Integration '%s' uses this"
			    " auth connection", db_value(res, i, 1));
			json_put_string(entry, "msg", msg);
			json_put_string(entry, "type", "in_use");
			json_put_string(entry, "integration_id",
			    db_value(res, i, 0));
			json_put_string(entry, "name", db_value(res, i, 1));
			json_object_array_add(details, entry);
		}
		error_set(err, ERR_IN_USE, "%d integration%s use%s this auth"
		    " connection.", PQntuples(res), PQntuples(res) == 1 ?
		    "" : "s", PQntuples(res) == 1 ? "s" : "");
		error_hint(err, "Give those integrations another auth"
		    " connection (or none) first.");
		err->details = details;
		goto out;
	}
	PQclear(res);
	res = NULL;
	if (db_exec(&conn_delete, 2, params, NULL, err) != 0)
		goto out;
	rc = 0;
out:
	PQclear(res);
	return rc;
}

/* ---------------------------------------------------------------- */
/* The runtime's view                                               */

static const struct db_statement conn_secret = {
	"authconn_secret",
	"SELECT secret FROM auth_connections WHERE app_id = $1 AND id = $2"
};

int
authconn_open_secret(struct vault *vault, const char *app_id,
    const char *auth_id, json_object **secret, struct error *err)
{
	const char *params[] = { app_id, auth_id };
	PGresult *res = NULL;
	char aad[AAD_MAX];
	int rc = -1;

	*secret = NULL;
	if (db_exec(&conn_secret, 2, params, &res, err) != 0)
		return -1;
	if (PQntuples(res) != 1) {
		error_set(err, ERR_AUTH_CONNECTION_NOT_FOUND, NULL);
		goto out;
	}
	if (db_value(res, 0, 0) == NULL) {
		rc = 0;
		goto out;
	}
	secret_aad(app_id, auth_id, aad);
	rc = sealed_json_open(vault, aad, db_value(res, 0, 0), secret, err);
out:
	PQclear(res);
	return rc;
}

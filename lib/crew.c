/*
 * crew.c: crews, the teams inside a workspace, and their members (see
 * crew.h).  Every statement names the workspace next to the crew, so a
 * crew id from another workspace matches no row.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>

#include "crew.h"
#include "db.h"
#include "jsonutil.h"
#include "page.h"

/* The columns of a crew, in the order crew_from_row() reads them. */
#define CREW_COLUMNS                                                   \
	"c.id, c.name, c.description,"                                 \
	" (SELECT count(*) FROM crew_members cm WHERE cm.crew_id = c.id),"\
	" c.created_by, drio_rfc3339(c.created_at),"                   \
	" drio_rfc3339(c.updated_at)"

/* A crew from columns 0 to 6 of row.  Returns a new object. */
static json_object *
crew_from_row(const PGresult *res, int row)
{
	json_object *crew = json_object_new_object();

	json_put_string(crew, "id", db_value(res, row, 0));
	json_put_string(crew, "name", db_value(res, row, 1));
	json_put_string(crew, "description", db_value(res, row, 2));
	json_put_int(crew, "member_count", db_int(res, row, 3));
	json_put_string(crew, "created_by", db_value(res, row, 4));
	json_put_string(crew, "created_at", db_value(res, row, 5));
	json_put_string(crew, "updated_at", db_value(res, row, 6));
	return crew;
}

/* A crew member from columns 0 to 4 of row.  Returns a new object. */
static json_object *
member_from_row(const PGresult *res, int row)
{
	json_object *member = json_object_new_object();

	json_put_string(member, "account_id", db_value(res, row, 0));
	json_put_string(member, "email", db_value(res, row, 1));
	json_put_string(member, "name", db_value(res, row, 2));
	json_put_string(member, "role", db_value(res, row, 3));
	json_put_string(member, "added_at", db_value(res, row, 4));
	return member;
}

/*
 * Turn a unique violation err holds into ERR_NAME_TAKEN for the crew's
 * name; leave any other error as it is.  Returns -1.
 */
static int
name_taken(struct error *err, const char *name)
{
	if (err->code != ERR_CONFLICT ||
	    strcmp(db_last_sqlstate(), "23505") != 0)
		return -1;
	error_set(err, ERR_NAME_TAKEN,
	    "The workspace already has a crew named '%s'.", name);
	error_hint(err, "Choose another name.");
	error_add_detail(err, "body", "name", "Must be unique in the"
	    " workspace", "name_taken");
	return -1;
}

/*
 * The crew's row, locked: FOR UPDATE before it changes or goes (which
 * also waits for installs naming it), FOR SHARE while members are added
 * or removed.
 */
static const struct db_statement crew_lock_update = {
	"crew_lock_update",
	"SELECT id FROM crews WHERE workspace_id = $1 AND id = $2 FOR UPDATE"
};

static const struct db_statement crew_lock_share = {
	"crew_lock_share",
	"SELECT id FROM crews WHERE workspace_id = $1 AND id = $2 FOR SHARE"
};

/* Lock the crew with stmt.  Returns 0, or -1 and err (not found). */
static int
crew_lock(const struct db_statement *stmt, const char *workspace_id,
    const char *crew_id, struct error *err)
{
	const char *params[] = { workspace_id, crew_id };
	PGresult *res;
	int found;

	if (db_exec(stmt, 2, params, &res, err) != 0)
		return -1;
	found = PQntuples(res);
	PQclear(res);
	return found == 1 ? 0 : error_set(err, ERR_CREW_NOT_FOUND, NULL);
}

/* ---------------------------------------------------------------- */
/* Crews                                                            */

static const struct db_statement crew_insert = {
	"crew_insert",
	"INSERT INTO crews (workspace_id, name, description, created_by)"
	" VALUES ($1, $2, coalesce($3, ''), $4)"
	" RETURNING id"
};

int
crew_create(const char *workspace_id, const char *created_by,
    const struct crew_fields *fields, char id[AUTH_UUID_LEN + 1],
    struct error *err)
{
	const char *params[] = { workspace_id, fields->name,
	    fields->description, created_by };
	PGresult *res;

	if (fields->name == NULL) {
		error_set(err, ERR_VALIDATION, NULL);
		error_add_detail(err, "body", "name", "Field required",
		    "missing");
		return -1;
	}
	if (db_exec(&crew_insert, 4, params, &res, err) != 0)
		return name_taken(err, fields->name);
	snprintf(id, AUTH_UUID_LEN + 1, "%s", db_value(res, 0, 0));
	PQclear(res);
	return 0;
}

/* Only a value that differs moves updated_at. */
static const struct db_statement crew_change = {
	"crew_change",
	"UPDATE crews SET name = coalesce($3, name),"
	"       description = coalesce($4, description), updated_at = now()"
	" WHERE workspace_id = $1 AND id = $2"
	"   AND (name IS DISTINCT FROM coalesce($3, name)"
	"        OR description IS DISTINCT FROM coalesce($4, description))"
	" RETURNING id"
};

int
crew_update(const char *workspace_id, const char *crew_id,
    const struct crew_fields *fields, bool *changed, struct error *err)
{
	const char *params[] = { workspace_id, crew_id, fields->name,
	    fields->description };
	PGresult *res;

	*changed = false;
	if (crew_lock(&crew_lock_update, workspace_id, crew_id, err) != 0)
		return -1;
	if (db_exec(&crew_change, 4, params, &res, err) != 0)
		return fields->name != NULL ? name_taken(err, fields->name) :
		    -1;
	*changed = PQntuples(res) == 1;
	PQclear(res);
	return 0;
}

/* The installs that keep a crew from being deleted. */
static const struct db_statement crew_installs = {
	"crew_installs",
	"SELECT id, name FROM workspace_integrations"
	" WHERE workspace_id = $1 AND crew_id = $2"
	" ORDER BY name, id"
};

static const struct db_statement crew_remove = {
	"crew_remove",
	"DELETE FROM crews WHERE workspace_id = $1 AND id = $2"
};

int
crew_delete(const char *workspace_id, const char *crew_id,
    struct error *err)
{
	const char *params[] = { workspace_id, crew_id };
	char msg[512];
	PGresult *res;
	int i, n;

	if (crew_lock(&crew_lock_update, workspace_id, crew_id, err) != 0)
		return -1;
	if (db_exec(&crew_installs, 2, params, &res, err) != 0)
		return -1;
	n = PQntuples(res);
	if (n > 0) {
		error_set(err, ERR_IN_USE, "%d integration%s %s installed for"
		    " this crew.", n, n == 1 ? "" : "s", n == 1 ? "is" :
		    "are");
		error_hint(err, "Remove those integrations first.");
		for (i = 0; i < n; i++) {
			snprintf(msg, sizeof(msg), "Integration '%s' is"
			    " installed for this crew", db_value(res, i, 1));
			error_add_detail(err, "integrations",
			    db_value(res, i, 0), msg, "in_use");
		}
		PQclear(res);
		return -1;
	}
	PQclear(res);
	return db_exec(&crew_remove, 2, params, NULL, err);
}

static const struct db_statement crews_page = {
	"crews_page",
	"SELECT " CREW_COLUMNS ", count(*) OVER ()"
	"  FROM crews c"
	" WHERE c.workspace_id = $1"
	" ORDER BY c.name, c.id"
	" LIMIT $2 OFFSET $3"
};

static const struct db_statement crews_count = {
	"crews_count",
	"SELECT count(*) FROM crews WHERE workspace_id = $1"
};

int
crew_list(const char *workspace_id, long long page, long long limit,
    json_object **list, long long *total, struct error *err)
{
	const char *params[] = { workspace_id, NULL, NULL };

	return page_fetch_list(&crews_page, &crews_count, params, 3, page,
	    limit, crew_from_row, list, total, err);
}

static const struct db_statement crew_one = {
	"crew_one",
	"SELECT " CREW_COLUMNS
	"  FROM crews c"
	" WHERE c.workspace_id = $1 AND c.id = $2"
};

/* The columns of a crew member, in the order member_from_row() reads. */
#define MEMBER_COLUMNS                                                 \
	"a.id, a.email, a.name, m.role, drio_rfc3339(cm.created_at)"

static const struct db_statement crew_members_all = {
	"crew_members_all",
	"SELECT " MEMBER_COLUMNS
	"  FROM crew_members cm"
	"  JOIN members m ON m.workspace_id = cm.workspace_id"
	"   AND m.account_id = cm.account_id"
	"  JOIN accounts a ON a.id = cm.account_id"
	" WHERE cm.workspace_id = $1 AND cm.crew_id = $2"
	" ORDER BY cm.created_at, cm.account_id"
};

int
crew_get(const char *workspace_id, const char *crew_id, json_object **out,
    struct error *err)
{
	const char *params[] = { workspace_id, crew_id };
	json_object *crew = NULL, *members;
	PGresult *res = NULL;
	int i, rc = -1;

	*out = NULL;
	if (db_exec(&crew_one, 2, params, &res, err) != 0)
		goto out;
	if (PQntuples(res) != 1) {
		error_set(err, ERR_CREW_NOT_FOUND, NULL);
		goto out;
	}
	crew = crew_from_row(res, 0);
	PQclear(res);
	res = NULL;
	if (db_exec(&crew_members_all, 2, params, &res, err) != 0)
		goto out;
	members = json_object_new_array();
	for (i = 0; i < PQntuples(res); i++)
		json_object_array_add(members, member_from_row(res, i));
	json_object_object_add(crew, "members", members);
	*out = crew;
	crew = NULL;
	rc = 0;
out:
	json_object_put(crew);
	PQclear(res);
	return rc;
}

/* ---------------------------------------------------------------- */
/* Crew members                                                     */

/*
 * The account's membership of the workspace, kept from changing until
 * the transaction ends (the removal of a member waits).
 */
static const struct db_statement crew_workspace_member = {
	"crew_workspace_member",
	"SELECT account_id FROM members"
	" WHERE workspace_id = $1 AND account_id = $2 FOR SHARE"
};

static const struct db_statement crew_member_insert = {
	"crew_member_insert",
	"INSERT INTO crew_members (crew_id, workspace_id, account_id, added_by)"
	" VALUES ($2, $1, $3, $4)"
	" ON CONFLICT (crew_id, account_id) DO NOTHING"
	" RETURNING account_id"
};

static const struct db_statement crew_member_one = {
	"crew_member_one",
	"SELECT " MEMBER_COLUMNS
	"  FROM crew_members cm"
	"  JOIN members m ON m.workspace_id = cm.workspace_id"
	"   AND m.account_id = cm.account_id"
	"  JOIN accounts a ON a.id = cm.account_id"
	" WHERE cm.workspace_id = $1 AND cm.crew_id = $2"
	"   AND cm.account_id = $3"
};

int
crew_member_add(const char *workspace_id, const char *crew_id,
    const char *account_id, const char *added_by, json_object **member,
    bool *added, struct error *err)
{
	const char *params[] = { workspace_id, crew_id, account_id,
	    added_by };
	const char *member_params[] = { workspace_id, account_id };
	PGresult *res = NULL;
	int rc = -1;

	*added = false;
	if (member != NULL)
		*member = NULL;
	if (crew_lock(&crew_lock_share, workspace_id, crew_id, err) != 0)
		goto out;
	if (db_exec(&crew_workspace_member, 2, member_params, &res,
	    err) != 0)
		goto out;
	if (PQntuples(res) != 1) {
		error_set(err, ERR_VALIDATION, "Only members of the workspace"
		    " can join its crews.");
		error_hint(err, "Invite the account to the workspace first.");
		error_add_detail(err, "body", "account_id", "No member of the"
		    " workspace has this account id", "not_a_member");
		goto out;
	}
	PQclear(res);
	res = NULL;
	if (db_exec(&crew_member_insert, 4, params, &res, err) != 0)
		goto out;
	*added = PQntuples(res) == 1;
	PQclear(res);
	res = NULL;
	if (member != NULL) {
		if (db_exec(&crew_member_one, 3, params, &res, err) != 0)
			goto out;
		if (PQntuples(res) != 1) {
			/* Locked above: it cannot have gone. */
			error_set(err, ERR_INTERNAL, NULL);
			goto out;
		}
		*member = member_from_row(res, 0);
	}
	rc = 0;
out:
	PQclear(res);
	return rc;
}

static const struct db_statement crew_member_delete = {
	"crew_member_delete",
	"DELETE FROM crew_members"
	" WHERE workspace_id = $1 AND crew_id = $2 AND account_id = $3"
	" RETURNING account_id"
};

int
crew_member_remove(const char *workspace_id, const char *crew_id,
    const char *account_id, struct error *err)
{
	const char *params[] = { workspace_id, crew_id, account_id };
	PGresult *res;
	int found;

	if (crew_lock(&crew_lock_share, workspace_id, crew_id, err) != 0)
		return -1;
	if (db_exec(&crew_member_delete, 3, params, &res, err) != 0)
		return -1;
	found = PQntuples(res);
	PQclear(res);
	if (found != 1)
		return error_set(err, ERR_MEMBER_NOT_FOUND,
		    "That account is not a member of this crew.");
	return 0;
}

/* One row when the crew is in the workspace; column 0 answers. */
static const struct db_statement crew_member_exists = {
	"crew_member_exists",
	"SELECT EXISTS (SELECT 1 FROM crew_members cm"
	"                WHERE cm.crew_id = c.id AND cm.account_id = $3)"
	"  FROM crews c"
	" WHERE c.workspace_id = $1 AND c.id = $2"
};

int
crew_has_member(const char *workspace_id, const char *crew_id,
    const char *account_id, bool *yes, struct error *err)
{
	const char *params[] = { workspace_id, crew_id, account_id };
	PGresult *res;
	int rc = -1;

	*yes = false;
	if (db_exec(&crew_member_exists, 3, params, &res, err) != 0)
		return -1;
	if (PQntuples(res) != 1) {
		error_set(err, ERR_CREW_NOT_FOUND, NULL);
		goto out;
	}
	*yes = db_bool(res, 0, 0);
	rc = 0;
out:
	PQclear(res);
	return rc;
}

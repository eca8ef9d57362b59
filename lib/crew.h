/*
 * crew.h: crews, the teams inside a workspace (sql/006_connectors.sql,
 * docs/crews.md).  A crew has a name unique in its workspace, a
 * description and members, who are members of the same workspace:
 * leaving the workspace leaves its crews (the foreign keys cascade).  A
 * connector installed at crew scope is usable by the apps its members
 * create, which is what crew_has_member() is for.
 *
 * These are model functions only: they take the workspace and trust the
 * caller to have checked the acting account's role in it.  Every crew is
 * looked up by workspace and id together, so a crew of another
 * workspace is ERR_CREW_NOT_FOUND like one that does not exist.  The
 * writes are meant to run inside the caller's transaction
 * (db_transaction), after it has locked the acting member's row.
 *
 * The JSON shapes: a crew is {id, name, description, member_count,
 * created_by, created_at, updated_at}; crew_get() adds members, each
 * {account_id, email, name, role, added_at} with the workspace role.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef DRIO_CREW_H
#define DRIO_CREW_H

#include <stdbool.h>

#include <json-c/json.h>

#include "auth.h"
#include "error.h"

/* The bounds the schema puts on a crew's texts, in characters. */
#define CREW_NAME_MAX        255
#define CREW_DESCRIPTION_MAX 4000

/* A crew's fields as a write sets them; NULL keeps a field on update. */
struct crew_fields {
	const char *name;         /* 1 to CREW_NAME_MAX characters */
	const char *description;  /* NULL on create: "" */
};

/*
 * Create a crew in workspace_id, made by created_by (an account id, may
 * be NULL).  fields->name is required.  Returns 0 with the new crew's id
 * in id, or -1 and err: ERR_NAME_TAKEN (a detail on body.name) when the
 * workspace has a crew of that name, or a database error.
 */
int crew_create(const char *workspace_id, const char *created_by,
    const struct crew_fields *fields, char id[AUTH_UUID_LEN + 1],
    struct error *err);

/*
 * Change the fields set in fields; updated_at moves only when a value
 * differs.  Returns 0 with *changed saying whether one did, or -1 and
 * err: ERR_CREW_NOT_FOUND, ERR_NAME_TAKEN, or a database error.
 */
int crew_update(const char *workspace_id, const char *crew_id,
    const struct crew_fields *fields, bool *changed, struct error *err);

/*
 * Delete a crew and its memberships.  Returns 0, or -1 and err:
 * ERR_CREW_NOT_FOUND, ERR_IN_USE with one detail per workspace
 * integration installed at the crew's scope (loc ["integrations", id]),
 * or a database error.
 */
int crew_delete(const char *workspace_id, const char *crew_id,
    struct error *err);

/*
 * One page of the workspace's crews, by name.  Returns 0 with a new
 * json-c array in *list (the caller releases it) and the number of crews
 * in *total, or -1 and err (then *list is NULL).  Does not check that the
 * workspace exists: an unknown one has no crews.
 */
int crew_list(const char *workspace_id, long long page, long long limit,
    json_object **list, long long *total, struct error *err);

/*
 * The crew with its members, in the order they were added.  Returns 0
 * with a new object in *out (the caller releases it), or -1 and err:
 * ERR_CREW_NOT_FOUND, or a database error (then *out is NULL).
 */
int crew_get(const char *workspace_id, const char *crew_id,
    json_object **out, struct error *err);

/*
 * Add account_id to the crew, added by added_by (may be NULL).  Adding a
 * member already there changes nothing and succeeds.  Returns 0 with
 * *added saying whether the account was added now, and, when member is
 * not NULL, a new object {account_id, email, name, role, added_at} in
 * *member (the caller releases it); or -1 and err: ERR_CREW_NOT_FOUND,
 * ERR_VALIDATION (a detail on body.account_id) when the account is not a
 * member of the workspace, or a database error.
 */
int crew_member_add(const char *workspace_id, const char *crew_id,
    const char *account_id, const char *added_by, json_object **member,
    bool *added, struct error *err);

/*
 * Remove account_id from the crew.  Returns 0, or -1 and err:
 * ERR_CREW_NOT_FOUND, ERR_MEMBER_NOT_FOUND when the account is not in
 * the crew, or a database error.
 */
int crew_member_remove(const char *workspace_id, const char *crew_id,
    const char *account_id, struct error *err);

/*
 * Is account_id a member of the crew?  Returns 0 with the answer in
 * *yes, or -1 and err: ERR_CREW_NOT_FOUND when the workspace has no such
 * crew, or a database error.
 */
int crew_has_member(const char *workspace_id, const char *crew_id,
    const char *account_id, bool *yes, struct error *err);

#endif

/*
 * release.c: validating and publishing drafts, and reading releases (see
 * release.h).
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>

#include "appconfig.h"
#include "db.h"
#include "draft.h"
#include "jsonutil.h"
#include "page.h"
#include "release.h"

/* The columns of a release reply, in the order release_from_row reads. */
#define RELEASE_COLUMNS                                                   \
	"r.id, r.app_id, r.number, r.checksum, r.draft_id,"               \
	" r.draft_revision, r.notes, r.published_by, r.published_by_email," \
	" drio_rfc3339(r.published_at)"

static json_object *
release_from_row(const PGresult *res, int row)
{
	json_object *release = json_object_new_object();
	json_object *by = json_object_new_object();

	json_put_string(release, "id", db_value(res, row, 0));
	json_put_string(release, "app_id", db_value(res, row, 1));
	json_put_int(release, "number", db_int(res, row, 2));
	json_put_string(release, "checksum", db_value(res, row, 3));
	json_put_string(release, "draft_id", db_value(res, row, 4));
	json_put_int(release, "draft_revision", db_int(res, row, 5));
	json_put_string(release, "notes", db_value(res, row, 6));
	json_put_string(by, "id", db_value(res, row, 7));
	json_put_string(by, "email", db_value(res, row, 8));
	json_object_object_add(release, "published_by", by);
	json_put_string(release, "published_at", db_value(res, row, 9));
	return release;
}

static const struct db_statement draft_current = {
	"release_draft_current",
	"SELECT id, revision FROM drafts WHERE app_id = $1"
};

static const struct db_statement draft_lock = {
	"release_draft_lock",
	"SELECT revision FROM drafts WHERE app_id = $1 AND id = $2 FOR UPDATE"
};

static const struct db_statement latest_checksum = {
	"release_latest_checksum",
	"SELECT number, checksum = encode(sha256(convert_to($2::jsonb::text,"
	"       'UTF8')), 'hex')"
	"  FROM releases WHERE app_id = $1 ORDER BY number DESC LIMIT 1"
};

static const struct db_statement release_insert = {
	"release_insert",
	"INSERT INTO releases AS r (app_id, number, draft_id, draft_revision,"
	"       config, checksum, notes, published_by, published_by_email)"
	" SELECT $1, coalesce((SELECT max(number) FROM releases"
	"                       WHERE app_id = $1), 0) + 1,"
	"        $2, $3, $4::jsonb,"
	"        encode(sha256(convert_to($4::jsonb::text, 'UTF8')), 'hex'),"
	"        coalesce($5, ''), $6, (SELECT email FROM accounts WHERE id = $6)"
	" RETURNING " RELEASE_COLUMNS
};

static const struct db_statement draft_rotate = {
	"release_draft_rotate",
	"UPDATE drafts SET id = gen_random_uuid(), revision = revision + 1,"
	"       based_on_release = $2, updated_at = now(), updated_by = $3,"
	"       validation = $4::jsonb, validated_revision = revision + 1,"
	"       validated_at = now()"
	" WHERE app_id = $1"
	" RETURNING id, revision"
};

struct publish {
	const struct release_request *rq;
	json_object *release;      /* the result */
};

static int
publish_transaction(void *ctx, struct error *err)
{
	struct publish *p = ctx;
	const struct release_request *rq = p->rq;
	struct appconfig_draft draft;
	json_object *config = NULL, *validation = NULL, *successor;
	char draft_id[64], revision_text[24], number_text[24];
	PGresult *res = NULL;
	int rc = -1;

	/* The draft as this request found it... */
	{
		const char *params[] = { rq->app_id };

		if (db_exec(&draft_current, 1, params, &res, err) != 0)
			goto out;
		if (PQntuples(res) != 1) {
			error_set(err, ERR_APP_NOT_FOUND, NULL);
			goto out;
		}
		snprintf(draft_id, sizeof(draft_id), "%s", db_value(res, 0, 0));
		PQclear(res);
		res = NULL;
	}
	/* ...locked by id: a publish that got there first has replaced it. */
	{
		const char *params[] = { rq->app_id, draft_id };

		if (db_exec(&draft_lock, 2, params, &res, err) != 0)
			goto out;
		if (PQntuples(res) != 1) {
			error_set(err, ERR_DRAFT_ALREADY_PUBLISHED, NULL);
			error_hint(err, "GET the app's releases to see the"
			    " release it made.");
			goto out;
		}
		if (rq->expected >= 0 && db_int(res, 0, 0) != rq->expected) {
			draft_conflict(err, rq->expected, db_int(res, 0, 0));
			goto out;
		}
		PQclear(res);
		res = NULL;
	}
	if (appconfig_resolve(rq->app_id, &config, &draft, err) != 0)
		goto out;
	validation = appconfig_validate(config);
	if (!json_get_true(validation, "valid")) {
		error_set(err, ERR_DRAFT_INVALID, NULL);
		error_hint(err, "POST draft/validate lists the same errors;"
		    " fix them and publish again.");
		json_object_put(err->details);
		err->details = json_object_get(validation);
		goto out;
	}
	{
		const char *params[] = { rq->app_id, json_text(config) };

		if (db_exec(&latest_checksum, 2, params, &res, err) != 0)
			goto out;
		if (PQntuples(res) == 1 && db_bool(res, 0, 1)) {
			error_set(err, ERR_RELEASE_UNCHANGED, "The draft is"
			    " the same as release %lld.", db_int(res, 0, 0));
			goto out;
		}
		PQclear(res);
		res = NULL;
	}
	snprintf(revision_text, sizeof(revision_text), "%lld",
	    draft.revision);
	{
		const char *params[] = { rq->app_id, draft.id, revision_text,
		    json_text(config), rq->notes, rq->account_id };

		if (db_exec(&release_insert, 6, params, &res, err) != 0)
			goto out;
		p->release = release_from_row(res, 0);
		snprintf(number_text, sizeof(number_text), "%lld",
		    db_int(res, 0, 2));
		PQclear(res);
		res = NULL;
	}
	{
		const char *params[] = { rq->app_id, number_text,
		    rq->account_id, json_text(validation) };

		if (db_exec(&draft_rotate, 4, params, &res, err) != 0)
			goto out;
		successor = json_object_new_object();
		json_put_string(successor, "id", db_value(res, 0, 0));
		json_put_int(successor, "revision", db_int(res, 0, 1));
		json_object_object_add(p->release, "draft", successor);
		json_object_object_add(p->release, "warnings", json_object_get(
		    json_get_array(validation, "warnings")));
	}
	rc = 0;
out:
	if (rc != 0) {
		json_object_put(p->release);
		p->release = NULL;
	}
	PQclear(res);
	json_object_put(config);
	json_object_put(validation);
	return rc;
}

int
release_publish(const struct release_request *rq, json_object **release,
    struct error *err)
{
	struct publish p = { .rq = rq };

	*release = NULL;
	if (db_transaction(DB_READ_COMMITTED, publish_transaction, &p,
	    err) != 0)
		return -1;
	*release = p.release;
	return 0;
}

static const struct db_statement validation_store = {
	"release_validation_store",
	"UPDATE drafts SET validation = $2::jsonb, validated_revision = $3,"
	"       validated_at = now()"
	" WHERE app_id = $1 AND revision = $3"
};

int
release_validate_draft(const char *app_id, json_object **result,
    struct error *err)
{
	struct appconfig_draft draft;
	json_object *config, *validation;
	char revision_text[24];

	*result = NULL;
	if (appconfig_resolve(app_id, &config, &draft, err) != 0)
		return -1;
	validation = appconfig_validate(config);
	json_object_put(config);
	snprintf(revision_text, sizeof(revision_text), "%lld",
	    draft.revision);
	{
		const char *params[] = { app_id, json_text(validation),
		    revision_text };

		/* A write that raced ahead simply leaves this unstored. */
		if (db_exec(&validation_store, 3, params, NULL, err) != 0) {
			json_object_put(validation);
			return -1;
		}
	}
	json_put_int(validation, "draft_revision", draft.revision);
	*result = validation;
	return 0;
}

static const struct db_statement releases_page = {
	"release_list_page",
	"SELECT " RELEASE_COLUMNS ", count(*) OVER ()"
	"  FROM releases r WHERE r.app_id = $1"
	" ORDER BY r.number DESC LIMIT $2 OFFSET $3"
};

static const struct db_statement releases_count = {
	"release_list_count",
	"SELECT count(*) FROM releases WHERE app_id = $1"
};

int
release_list(const char *app_id, long long page, long long limit,
    json_object **list, long long *total, struct error *err)
{
	const char *params[] = { app_id, NULL, NULL };

	return page_fetch_list(&releases_page, &releases_count, params, 3,
	    page, limit, release_from_row, list, total, err);
}

static const struct db_statement release_one = {
	"release_get",
	"SELECT " RELEASE_COLUMNS ", r.config"
	"  FROM releases r WHERE r.app_id = $1 AND r.number = $2"
};

int
release_get(const char *app_id, long long number, json_object **release,
    struct error *err)
{
	char number_text[24];
	const char *params[] = { app_id, number_text };
	PGresult *res;

	*release = NULL;
	snprintf(number_text, sizeof(number_text), "%lld", number);
	if (db_exec(&release_one, 2, params, &res, err) != 0)
		return -1;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return error_set(err, ERR_RELEASE_NOT_FOUND, NULL);
	}
	*release = release_from_row(res, 0);
	json_put_db(*release, "config", db_value(res, 0, 10));
	PQclear(res);
	return 0;
}

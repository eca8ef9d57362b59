/*
 * draft.c: expected revisions and the write lock on an app's draft (see
 * draft.h).
 *
 * SPDX-License-Identifier: MIT
 */
#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "draft.h"
#include "http.h"
#include "valid.h"

/*
 * Parse an If-Match value: "7", W/"7", 7 or *.  Returns 0 with *revision
 * (-1 for *), or -1 when it is none of those.
 */
static int
parse_if_match(const char *value, long long *revision)
{
	char digits[24];
	const char *p = value;
	size_t n = 0;
	char *end;

	while (*p == ' ' || *p == '\t')
		p++;
	if (strcmp(p, "*") == 0) {
		*revision = -1;
		return 0;
	}
	if (strncmp(p, "W/", 2) == 0)
		p += 2;
	if (*p == '"')
		p++;
	while (n < sizeof(digits) - 1 && isdigit((unsigned char)p[n])) {
		digits[n] = p[n];
		n++;
	}
	digits[n] = '\0';
	p += n;
	if (n == 0 || n > 18)
		return -1;
	if (*p == '"')
		p++;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != '\0')
		return -1;
	errno = 0;
	*revision = strtoll(digits, &end, 10);
	return errno == 0 && *revision >= 1 ? 0 : -1;
}

int
draft_expected_revision(const struct request *req,
    const struct valid_value *body_value, long long *expected,
    struct error *err)
{
	const char *header = http_header(req, "If-Match");
	long long from_header = -1;

	*expected = -1;
	if (header != NULL && parse_if_match(header, &from_header) != 0) {
		error_set(err, ERR_BAD_REQUEST,
		    "If-Match must name one draft revision.");
		error_hint(err, "Send If-Match: \"<revision>\", as the ETag"
		    " of the last reply said.");
		return -1;
	}
	if (body_value != NULL && body_value->present) {
		if (from_header != -1 && from_header != body_value->integer)
			return error_set(err, ERR_BAD_REQUEST,
			    "If-Match and draft_revision name different"
			    " revisions.");
		*expected = body_value->integer;
		return 0;
	}
	*expected = from_header;
	return 0;
}

static const struct db_statement draft_bump = {
	"draft_bump",
	"WITH d AS ("
	"  UPDATE drafts SET revision = revision + 1, updated_at = now(),"
	"         updated_by = $3"
	"   WHERE app_id = $1 AND ($2::bigint IS NULL OR revision = $2)"
	"  RETURNING id, revision),"
	" a AS ("
	"  UPDATE apps SET updated_at = now() FROM d WHERE apps.id = $1)"
	"SELECT id, revision FROM d"
};

static const struct db_statement draft_revision_of = {
	"draft_revision_of",
	"SELECT revision FROM drafts WHERE app_id = $1"
};

int
draft_begin_write(const char *app_id, long long expected,
    const char *account_id, struct draft_state *out, struct error *err)
{
	char expected_text[24];
	const char *params[] = { app_id, expected >= 0 ? expected_text : NULL,
	    account_id };
	PGresult *res;
	long long current;

	snprintf(expected_text, sizeof(expected_text), "%lld", expected);
	if (db_exec(&draft_bump, 3, params, &res, err) != 0)
		return -1;
	if (PQntuples(res) == 1) {
		if (out != NULL) {
			snprintf(out->id, sizeof(out->id), "%s",
			    db_value(res, 0, 0));
			out->revision = db_int(res, 0, 1);
		}
		PQclear(res);
		return 0;
	}
	PQclear(res);
	if (db_exec(&draft_revision_of, 1, params, &res, err) != 0)
		return -1;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return error_set(err, ERR_APP_NOT_FOUND, NULL);
	}
	current = db_int(res, 0, 0);
	PQclear(res);
	return draft_conflict(err, expected, current);
}

int
draft_conflict(struct error *err, long long expected, long long current)
{
	json_object *details;

	error_set(err, ERR_REVISION_CONFLICT, "The draft is at revision %lld,"
	    " not %lld.", current, expected);
	error_hint(err, "Read the draft again, reapply your change and send"
	    " the new revision.");
	details = json_object_new_object();
	json_object_object_add(details, "expected_revision",
	    json_object_new_int64(expected));
	json_object_object_add(details, "current_revision",
	    json_object_new_int64(current));
	json_object_put(err->details);
	err->details = details;
	return -1;
}

struct draft_write_run {
	const struct draft_write *w;
	struct draft_state state;
	bool unchanged;            /* body found nothing to change */
};

static int
draft_write_transaction(void *ctx, struct error *err)
{
	struct draft_write_run *run = ctx;
	const struct draft_write *w = run->w;

	int rc;

	run->unchanged = false;
	if (draft_begin_write(w->app_id, w->expected, w->account_id,
	    &run->state, err) != 0)
		return -1;
	rc = w->body(w->ctx, &run->state, err);
	if (rc == 1) {
		/* Roll the revision back with everything else. */
		run->unchanged = true;
		return error_set(err, ERR_CONFLICT, "nothing changed");
	}
	return rc;
}

int
draft_write(const struct draft_write *w, struct draft_state *out,
    struct error *err)
{
	struct draft_write_run run = { .w = w };

	if (db_transaction(DB_READ_COMMITTED, draft_write_transaction, &run,
	    err) != 0) {
		if (!run.unchanged)
			return -1;
		error_clear(err);
		run.state.revision--;   /* the lock held it there */
	}
	if (out != NULL)
		*out = run.state;
	return 0;
}

int
draft_etag(struct request *req, long long revision, struct error *err)
{
	char value[32];

	snprintf(value, sizeof(value), "\"%lld\"", revision);
	return http_add_header(req, "ETag", value, err);
}

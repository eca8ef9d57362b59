/*
 * draft.h: an app's one mutable draft.  Every write to an app (its
 * fields, auth connections, integrations, operations, tools, widgets)
 * runs in one transaction that starts with draft_begin_write(): it checks
 * the revision the client expects, when it sent one, and increments the
 * revision.  The draft row is locked until the transaction ends, so
 * writers to one app queue, and a stale expectation is a 409 whichever
 * order they commit in.
 *
 * A client states its expectation with If-Match ("7", W/"7" or 7; * for
 * any) or a body field draft_revision; replies that change or show the
 * draft carry ETag: "<revision>".
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef DRIO_DRAFT_H
#define DRIO_DRAFT_H

#include "auth.h"
#include "error.h"

struct request;
struct valid_value;

/* The draft after a write. */
struct draft_state {
	char id[AUTH_UUID_LEN + 1];
	long long revision;
};

/*
 * The revision the client expects: from If-Match and/or body_value (a
 * VALID_INT body field, may be NULL).  *expected is -1 when neither was
 * given (or If-Match is *).  Returns 0, or -1 and err: 400 for a
 * malformed If-Match or two expectations that differ.
 */
int draft_expected_revision(const struct request *req,
    const struct valid_value *body_value, long long *expected,
    struct error *err);

/*
 * Inside a transaction: check that app_id's draft is at revision
 * expected (-1: any), increment it, record account_id as its last
 * writer and touch the app's updated_at.  Returns 0 and the new state in
 * out (may be NULL), or -1 and err: ERR_REVISION_CONFLICT with details
 * {expected_revision, current_revision}, ERR_APP_NOT_FOUND, or a
 * database error.
 */
int draft_begin_write(const char *app_id, long long expected,
    const char *account_id, struct draft_state *out, struct error *err);

/* One write to an app's draft. */
struct draft_write {
	const char *app_id;
	long long expected;        /* expected revision, -1: any */
	const char *account_id;    /* the writer */
	int (*body)(void *ctx, const struct draft_state *draft,
	    struct error *err);    /* the change itself: 0 done, 1 nothing
	                            * changed, -1 failed */
	void *ctx;
};

/*
 * Run one write in its own transaction: draft_begin_write(), then
 * w->body.  When body fails nothing of the write remains, the revision
 * included.  When body returns 1 (it found nothing to change) the
 * transaction is rolled back too and the draft keeps its revision: a
 * write that changes nothing does not make a new revision.  Returns 0
 * with the resulting state in out (may be NULL), or -1 and err.
 */
int draft_write(const struct draft_write *w, struct draft_state *out,
    struct error *err);

/*
 * Set err to ERR_REVISION_CONFLICT for a draft at current when expected
 * was sent, with details {expected_revision, current_revision}.
 * Returns -1.
 */
int draft_conflict(struct error *err, long long expected, long long current);

/*
 * Set the reply's ETag to the revision.  Returns 0, or -1 and err.
 */
int draft_etag(struct request *req, long long revision, struct error *err);

#endif

/*
 * upstreamslot.c: upstream concurrency slots as advisory locks (see
 * upstreamslot.h).
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>

#include "db.h"
#include "log.h"
#include "upstreamslot.h"

/*
 * A free slot: the slots are tried from a random one on, so concurrent
 * calls rarely try the same ones, and the scan stops at the first lock
 * it gets, so it holds at most one.  generate_series runs in the select
 * list, where it yields one row at a time (in FROM it would make every
 * row of a large bound first).  The lock space is (hash of the key,
 * slot).
 */
static const struct db_statement slot_take = {
	"upstreamslot_take",
	"SELECT s FROM (SELECT ($3::integer + generate_series(0,"
	"                 $2::integer - 1)) % $2::integer AS s) g"
	" WHERE pg_try_advisory_lock(hashtext('upstream:' || $1), s)"
	" LIMIT 1"
};

static const struct db_statement slot_give = {
	"upstreamslot_give",
	"SELECT pg_advisory_unlock(hashtext('upstream:' || $1), $2::integer)"
};

int
upstreamslot_take(const char *key, long long limit, int *slot,
    struct error *err)
{
	char n[24], start[24];
	const char *params[] = { key, n, start };
	PGresult *res;
	int found;

	*slot = -1;
	if (limit <= 0)
		return 0;
	snprintf(n, sizeof(n), "%lld", limit);
	snprintf(start, sizeof(start), "%lld", (long long)rand() % limit);
	if (db_exec(&slot_take, 3, params, &res, err) != 0)
		return -1;
	found = PQntuples(res) == 1;
	if (found)
		*slot = atoi(db_value(res, 0, 0));
	PQclear(res);
	if (!found) {
		error_set(err, ERR_TOO_MANY_REQUESTS, "%lld calls to this"
		    " upstream are under way already; try again shortly.",
		    limit);
		err->retry_after = 1;
		return -1;
	}
	return 0;
}

void
upstreamslot_give(const char *key, int slot)
{
	char n[24];
	const char *params[] = { key, n };
	struct error err = { 0 };

	if (slot < 0)
		return;
	snprintf(n, sizeof(n), "%d", slot);
	if (db_exec(&slot_give, 2, params, NULL, &err) != 0)
		log_warn("cannot give back upstream slot %d of %s: %s", slot,
		    key, err.message);
	error_clear(&err);
}

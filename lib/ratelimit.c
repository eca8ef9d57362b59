/*
 * ratelimit.c: fixed-window counters in the rate_limits table (see
 * ratelimit.h).  A window starts at a multiple of its length since the
 * epoch, so every instance agrees on it without coordination.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>

#include "db.h"
#include "ratelimit.h"

/*
 * The hits of the current window and of the one before it, and how far
 * into the current window now is (seconds).  A fixed window alone would
 * let twice the limit through across a boundary (and forget a run of
 * failures that straddles one); weighting the previous window by the
 * part of it still inside a sliding window closes that.
 */
static const struct db_statement ratelimit_count = {
	"ratelimit_count",
	"WITH w AS (SELECT to_timestamp(floor(extract(epoch FROM now())"
	"                  / $2::bigint) * $2::bigint) AS current)"
	"SELECT coalesce(sum(r.hits) FILTER (WHERE r.window_start = w.current),"
	"                0),"
	"       coalesce(sum(r.hits) FILTER (WHERE r.window_start = w.current"
	"                - $2::bigint * interval '1 second'), 0),"
	"       floor(extract(epoch FROM now() - w.current))"
	"  FROM w LEFT JOIN rate_limits r ON r.key = $1"
	"   AND r.window_start >= w.current - $2::bigint * interval '1 second'"
	" GROUP BY w.current"
};

static const struct db_statement ratelimit_add = {
	"ratelimit_add",
	"INSERT INTO rate_limits (key, window_start, hits)"
	" VALUES ($1, to_timestamp("
	"         floor(extract(epoch FROM now()) / $2::bigint) * $2::bigint), 1)"
	" ON CONFLICT (key, window_start)"
	" DO UPDATE SET hits = rate_limits.hits + 1"
};

/* Old windows are swept now and then by whoever happens to count. */
static const struct db_statement ratelimit_sweep = {
	"ratelimit_sweep",
	"DELETE FROM rate_limits WHERE window_start < now() - interval '1 day'"
};

int
ratelimit_check(const char *key, long long limit, long long window_seconds,
    struct error *err)
{
	char window[24];
	const char *params[] = { key, window };
	PGresult *res;
	long long current = 0, previous = 0, elapsed = 0, hits, retry;

	snprintf(window, sizeof(window), "%lld", window_seconds);
	if (db_exec(&ratelimit_count, 2, params, &res, err) != 0)
		return -1;
	if (PQntuples(res) == 1) {
		current = db_int(res, 0, 0);
		previous = db_int(res, 0, 1);
		elapsed = db_int(res, 0, 2);
	}
	PQclear(res);
	if (elapsed < 0 || elapsed >= window_seconds)
		elapsed = 0;
	/* The previous window's share, rounded up: doubt refuses. */
	hits = current + (previous * (window_seconds - elapsed) +
	    window_seconds - 1) / window_seconds;
	if (hits < limit)
		return 0;
	/* Until the current window ends; never more than one window. */
	retry = window_seconds - elapsed;
	error_set(err, ERR_TOO_MANY_REQUESTS, NULL);
	err->retry_after = (long)(retry > 0 ? retry : 1);
	return -1;
}

int
ratelimit_hit(const char *key, long long window_seconds, struct error *err)
{
	char window[24];
	const char *params[] = { key, window };

	snprintf(window, sizeof(window), "%lld", window_seconds);
	if (db_exec(&ratelimit_add, 2, params, NULL, err) != 0)
		return -1;
	if (rand() % 100 == 0)
		(void)db_exec(&ratelimit_sweep, 0, NULL, NULL, NULL);
	return 0;
}

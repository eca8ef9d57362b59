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

/* Rows one ratelimit_take() key is counted over. */
#define RATELIMIT_SHARDS 16

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

/*
 * Count a request in the current window and read, in the same statement,
 * the counts before it of this window and the previous one, and how far
 * into this window now is.  A limit checked on every request would have
 * every request of a busy key update one row, one after the other; so
 * the count is spread over RATELIMIT_SHARDS rows, "<key>#<n>", a random
 * one taking each request, and the check sums them.  (The sums see the
 * rows as they were before this statement's own update.)
 */
static const struct db_statement ratelimit_take_stmt = {
	"ratelimit_take",
	"WITH w AS (SELECT to_timestamp(floor(extract(epoch FROM now())"
	"                  / $2::bigint) * $2::bigint) AS current),"
	" up AS (INSERT INTO rate_limits (key, window_start, hits)"
	"        SELECT $1 || '#' || $3, current, 1 FROM w"
	"        ON CONFLICT (key, window_start)"
	"        DO UPDATE SET hits = rate_limits.hits + 1"
	"        RETURNING hits),"
	" sums AS (SELECT"
	"     coalesce(sum(r.hits) FILTER (WHERE r.window_start = w.current),"
	"              0) AS current,"
	"     coalesce(sum(r.hits) FILTER (WHERE r.window_start = w.current"
	"              - $2::bigint * interval '1 second'), 0) AS previous"
	"   FROM w LEFT JOIN rate_limits r"
	"     ON r.key IN (SELECT $1 || '#' || g"
	"                    FROM generate_series(0, $4::integer - 1) g)"
	"    AND r.window_start >= w.current - $2::bigint * interval '1 second')"
	"SELECT sums.current, sums.previous,"
	"       (SELECT floor(extract(epoch FROM now() - current)) FROM w),"
	"       (SELECT count(*) FROM up)"
	"  FROM sums"
};

/* Old windows are swept now and then by whoever happens to count. */
static const struct db_statement ratelimit_sweep = {
	"ratelimit_sweep",
	"DELETE FROM rate_limits WHERE window_start < now() - interval '1 day'"
};

/*
 * Whether current hits in this window, previous in the one before and
 * elapsed seconds into this one reach limit (the previous window
 * weighed by its share of a window ending now, rounded up: doubt
 * refuses); when they do, set err with the Retry-After.  Returns 0 or -1.
 */
static int
over_limit(long long current, long long previous, long long elapsed,
    long long limit, long long window_seconds, struct error *err)
{
	long long hits, retry;

	if (elapsed < 0 || elapsed >= window_seconds)
		elapsed = 0;
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

/*
 * Run stmt with params and judge the counts it answers (this window's,
 * the previous one's, seconds into this one) against limit.  Returns 0
 * when allowed, or -1 and err.
 */
static int
judge(const struct db_statement *stmt, int nparams,
    const char *const *params, long long limit, long long window_seconds,
    struct error *err)
{
	PGresult *res;
	long long current = 0, previous = 0, elapsed = 0;

	if (db_exec(stmt, nparams, params, &res, err) != 0)
		return -1;
	if (PQntuples(res) == 1) {
		current = db_int(res, 0, 0);
		previous = db_int(res, 0, 1);
		elapsed = db_int(res, 0, 2);
	}
	PQclear(res);
	return over_limit(current, previous, elapsed, limit, window_seconds,
	    err);
}

int
ratelimit_take(const char *key, long long limit, long long window_seconds,
    struct error *err)
{
	char window[24], shard[16], shards[16];
	const char *params[] = { key, window, shard, shards };

	snprintf(window, sizeof(window), "%lld", window_seconds);
	snprintf(shard, sizeof(shard), "%d", rand() % RATELIMIT_SHARDS);
	snprintf(shards, sizeof(shards), "%d", RATELIMIT_SHARDS);
	if (rand() % 1000 == 0)
		(void)db_exec(&ratelimit_sweep, 0, NULL, NULL, NULL);
	/* The counts before this request: reaching limit refuses it. */
	return judge(&ratelimit_take_stmt, 4, params, limit, window_seconds,
	    err);
}

int
ratelimit_check(const char *key, long long limit, long long window_seconds,
    struct error *err)
{
	char window[24];
	const char *params[] = { key, window };

	snprintf(window, sizeof(window), "%lld", window_seconds);
	return judge(&ratelimit_count, 2, params, limit, window_seconds, err);
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

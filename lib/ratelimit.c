/*
 * ratelimit.c: fixed-window counters in the rate_limits table (see
 * ratelimit.h).  A window starts at a multiple of its length since the
 * epoch, so every instance agrees on it without coordination.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "ratelimit.h"

/*
 * Rows one ratelimit_take_each() key is counted over.  Fewer would be
 * cheaper to sum, but not by much: with 4 the statement ran in 0.125 ms
 * instead of 0.155 ms (bench/run, 2 instances of 2 workers), while the
 * busy backends were found waiting on a shard's row lock twice as often
 * (4.7% of samples instead of 2.1%), with only four workers to collide;
 * more workers on one app would queue longer.
 */
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
 * Count a request against up to RATELIMIT_TAKE_MAX keys (the unused
 * ones NULL) in the current window and read, in the same statement, for
 * each key the counts before it of this window and the previous one, and
 * how far into this window now is.  A limit checked on every request
 * would have every request of a busy key update one row, one after the
 * other; so the count is spread over RATELIMIT_SHARDS rows, "<key>#<n>",
 * a random one ($6) taking each request, and the check sums them.  (The
 * sums see the rows as they were before this statement's own update.)
 *
 * A key is counted only when no key before it refuses the request: the
 * statement weighs the two windows as over_limit() does (which judges
 * the answer), and the rows are updated in the keys' order, so two
 * requests never take the same two row locks in opposite orders.
 *
 * The shard count is part of the text, not a parameter: with it the
 * planner knows every row count in advance, so the prepared statement
 * settles on its generic plan instead of being planned anew on every
 * run (a generate_series over a parameter made it plan each time,
 * 0.28 ms, more than it ran).
 */
#define RATELIMIT_STRING(x) #x
#define RATELIMIT_SHARDS_TEXT(x) RATELIMIT_STRING(x)
static const struct db_statement ratelimit_take_stmt = {
	"ratelimit_take_each",
	"WITH w AS (SELECT to_timestamp(floor(extract(epoch FROM now())"
	"                  / $1::bigint) * $1::bigint) AS current,"
	"                  floor(extract(epoch FROM now()))::bigint"
	"                  % $1::bigint AS elapsed),"
	" k (ord, key, lim) AS (SELECT * FROM (VALUES"
	"                           (1, $2::text, $3::bigint),"
	"                           (2, $4::text, $5::bigint)) v"
	"                        WHERE v.column2 IS NOT NULL),"
	" sums AS (SELECT k.ord, k.key, k.lim,"
	"     coalesce(sum(r.hits) FILTER (WHERE r.window_start = w.current),"
	"              0) AS current,"
	"     coalesce(sum(r.hits) FILTER (WHERE r.window_start = w.current"
	"              - $1::bigint * interval '1 second'), 0) AS previous"
	"   FROM k CROSS JOIN w"
	"   CROSS JOIN generate_series(0, "
	RATELIMIT_SHARDS_TEXT(RATELIMIT_SHARDS) " - 1) g"
	"   LEFT JOIN rate_limits r ON r.key = k.key || '#' || g"
	"    AND r.window_start >= w.current - $1::bigint * interval '1 second'"
	"  GROUP BY k.ord, k.key, k.lim),"
	" judged AS (SELECT s.*, s.current + (s.previous * ($1::bigint"
	"                   - w.elapsed) + $1::bigint - 1) / $1::bigint"
	"                   >= s.lim AS over"
	"              FROM sums s, w),"
	" up AS (INSERT INTO rate_limits (key, window_start, hits)"
	"        SELECT j.key || '#' || $6, w.current, 1 FROM judged j, w"
	"         WHERE NOT EXISTS (SELECT FROM judged p"
	"                            WHERE p.ord < j.ord AND p.over)"
	"         ORDER BY j.ord"
	"        ON CONFLICT (key, window_start)"
	"        DO UPDATE SET hits = rate_limits.hits + 1"
	"        RETURNING hits)"
	"SELECT j.ord, j.current, j.previous, w.elapsed,"
	"       (SELECT count(*) FROM up)"
	"  FROM judged j, w"
	" ORDER BY j.ord"
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
ratelimit_take_each(const struct ratelimit_limit *limits, size_t n,
    long long window_seconds, size_t *refused, struct error *err)
{
	char window[24], shard[16], limit[RATELIMIT_TAKE_MAX][24];
	const char *params[6] = { window };
	PGresult *res;
	size_t i;
	int rc = -1;

	*refused = n;
	if (n == 0 || n > RATELIMIT_TAKE_MAX)
		return error_set(err, ERR_INTERNAL, "%zu rate limits at once",
		    n);
	/* One row would be counted twice, which the upsert refuses. */
	if (n == 2 && strcmp(limits[0].key, limits[1].key) == 0)
		return error_set(err, ERR_INTERNAL, "one rate limit key twice");
	snprintf(window, sizeof(window), "%lld", window_seconds);
	for (i = 0; i < n; i++) {
		snprintf(limit[i], sizeof(limit[i]), "%lld", limits[i].limit);
		params[1 + 2 * i] = limits[i].key;
		params[2 + 2 * i] = limit[i];
	}
	snprintf(shard, sizeof(shard), "%d", rand() % RATELIMIT_SHARDS);
	params[5] = shard;
	if (rand() % 1000 == 0)
		(void)db_exec(&ratelimit_sweep, 0, NULL, NULL, NULL);
	if (db_exec(&ratelimit_take_stmt, 6, params, &res, err) != 0)
		return -1;
	if ((size_t)PQntuples(res) != n) {
		error_set(err, ERR_INTERNAL, "the rate limits answered %d rows,"
		    " not %zu", PQntuples(res), n);
		goto out;
	}
	/* The counts before this request: reaching a limit refuses it. */
	for (i = 0; i < n; i++)
		if (over_limit(db_int(res, (int)i, 1), db_int(res, (int)i, 2),
		    db_int(res, (int)i, 3), limits[i].limit, window_seconds,
		    err) != 0) {
			*refused = i;
			goto out;
		}
	rc = 0;
out:
	PQclear(res);
	return rc;
}

int
ratelimit_take(const char *key, long long limit, long long window_seconds,
    struct error *err)
{
	const struct ratelimit_limit one = { key, limit };
	size_t refused;

	return ratelimit_take_each(&one, 1, window_seconds, &refused, err);
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

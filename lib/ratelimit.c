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

static const struct db_statement ratelimit_count = {
	"ratelimit_count",
	"SELECT hits,"
	"       greatest(1, ceil(extract(epoch FROM"
	"           window_start + $2::bigint * interval '1 second' - now())))"
	"  FROM rate_limits"
	" WHERE key = $1"
	"   AND window_start = to_timestamp("
	"         floor(extract(epoch FROM now()) / $2::bigint) * $2::bigint)"
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
	long long hits = 0, retry = 0;

	snprintf(window, sizeof(window), "%lld", window_seconds);
	if (db_exec(&ratelimit_count, 2, params, &res, err) != 0)
		return -1;
	if (PQntuples(res) == 1) {
		hits = db_int(res, 0, 0);
		retry = db_int(res, 0, 1);
	}
	PQclear(res);
	if (hits < limit)
		return 0;
	error_set(err, ERR_TOO_MANY_REQUESTS, NULL);
	err->retry_after = (long)retry;
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

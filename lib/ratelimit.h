/*
 * ratelimit.h: counting failed attempts (sign-ins, device-code guesses)
 * per key in windows kept in PostgreSQL, so a limit holds across every
 * instance on every host.  Hits are counted in fixed windows; a check
 * weighs the previous window by how much of it a window ending now still
 * covers (a sliding window), so a boundary neither doubles the limit nor
 * forgets the failures just before it.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef DRIO_RATELIMIT_H
#define DRIO_RATELIMIT_H

#include <stddef.h>

#include "error.h"

/*
 * Refuse when key has reached limit hits in the window_seconds up to now
 * (estimated as above, rounded up).  Returns 0 when allowed, or -1 and err:
 * ERR_TOO_MANY_REQUESTS with retry_after set, or a database error.
 */
int ratelimit_check(const char *key, long long limit,
    long long window_seconds, struct error *err);

/*
 * Count one request for key and refuse it when, with it, key has had
 * more than limit in the window_seconds up to now (estimated as above):
 * one statement, for limits checked on every request, whose count is
 * spread over a few rows so that concurrent requests of one key do not
 * queue on one row's lock.  A refused request
 * counts too, so a client that keeps hammering stays refused.  Returns 0
 * when allowed, or -1 and err: ERR_TOO_MANY_REQUESTS with retry_after
 * set, or a database error.
 */
int ratelimit_take(const char *key, long long limit,
    long long window_seconds, struct error *err);

/* How many limits ratelimit_take_each() counts at once. */
#define RATELIMIT_TAKE_MAX 2

/* One key and its limit, for ratelimit_take_each(). */
struct ratelimit_limit {
	const char *key;
	long long limit;
};

/*
 * Count one request against each of the n (1 to RATELIMIT_TAKE_MAX)
 * limits, in order, as ratelimit_take() does for one, all in one
 * statement: the first limit the request reaches refuses it, and the
 * limits after that one are left uncounted, as if each had been taken
 * only after the ones before it allowed the request.  The keys must
 * differ.  Returns 0 when every limit allows the request, or -1 and err:
 * ERR_TOO_MANY_REQUESTS with retry_after set and *refused the index of
 * the limit that refused it; a database error (*refused n); or
 * ERR_INTERNAL for an n out of range or one key twice.
 */
int ratelimit_take_each(const struct ratelimit_limit *limits, size_t n,
    long long window_seconds, size_t *refused, struct error *err);

/* Count one hit for key in the current window.  Returns 0, or -1 and err. */
int ratelimit_hit(const char *key, long long window_seconds,
    struct error *err);

#endif

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

/* Count one hit for key in the current window.  Returns 0, or -1 and err. */
int ratelimit_hit(const char *key, long long window_seconds,
    struct error *err);

#endif

/*
 * ratelimit.h: counting failed attempts (sign-ins, device-code guesses)
 * per key in fixed windows kept in PostgreSQL, so a limit holds across
 * every instance on every host.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef DRIO_RATELIMIT_H
#define DRIO_RATELIMIT_H

#include "error.h"

/*
 * Refuse when key has reached limit hits in the current window of
 * window_seconds.  Returns 0 when allowed, or -1 and err:
 * ERR_TOO_MANY_REQUESTS with retry_after set, or a database error.
 */
int ratelimit_check(const char *key, long long limit,
    long long window_seconds, struct error *err);

/* Count one hit for key in the current window.  Returns 0, or -1 and err. */
int ratelimit_hit(const char *key, long long window_seconds,
    struct error *err);

#endif

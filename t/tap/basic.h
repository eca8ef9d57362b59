/*
 * basic.h: the TAP helpers drio's C unit tests speak, in the c-tap-harness
 * tradition.  A test program calls plan() first (or skip_all() when it
 * cannot run here), then one ok()/is_*() per promise, each with a
 * description that reads as a sentence.  When the program exits, the
 * number of tests run is checked against the plan: a short or long run,
 * or any failure, makes the exit status non-zero.
 *
 * Comparators take the expected value first, then the value seen, then
 * a printf description, and print both on failure:
 *
 *     not ok 3 - an unknown key is refused
 *     #   expected: 422
 *     #       seen: 200
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef DRIO_TAP_BASIC_H
#define DRIO_TAP_BASIC_H

#include <json-c/json.h>
#include <stdbool.h>

/*
 * Print the plan, "1..count", and arrange for the count to be checked at
 * exit.  Call it before anything else prints.
 */
void plan(unsigned long count);

/*
 * Say why the whole program cannot run here ("1..0 # skip reason") and
 * exit successfully.  Call it instead of plan(), never after it.
 */
void skip_all(const char *fmt, ...)
    __attribute__((__format__(printf, 1, 2), __noreturn__));

/* One test that passes when success is true.  Returns success. */
bool ok(bool success, const char *fmt, ...)
    __attribute__((__format__(printf, 2, 3)));

/* One test that is skipped, with the reason.  It counts toward the plan. */
void skip(const char *fmt, ...) __attribute__((__format__(printf, 1, 2)));

/* One test that passes when the two integers are equal.  Returns that. */
bool is_int(long long expected, long long seen, const char *fmt, ...)
    __attribute__((__format__(printf, 3, 4)));

/*
 * One test that passes when the two strings are equal.  Either may be
 * NULL; NULL equals only NULL.  Returns whether they are equal.
 */
bool is_string(const char *expected, const char *seen, const char *fmt, ...)
    __attribute__((__format__(printf, 3, 4)));

/*
 * One test that passes when seen is the JSON value written in expected
 * (compared as values: object key order and whitespace do not matter).
 * A NULL seen is JSON null.  Both are printed with sorted keys on
 * failure.  Bails when expected is not JSON, since that is a bug in the
 * test.  Borrows seen.  Returns whether they are equal.
 */
bool is_json(const char *expected, json_object *seen, const char *fmt, ...)
    __attribute__((__format__(printf, 3, 4)));

/* Print a diagnostic line, "# ...", to stderr.  Can't fail. */
void diag(const char *fmt, ...) __attribute__((__format__(printf, 1, 2)));

/*
 * Stop the whole program with "Bail out! reason" and exit status 255,
 * for a setup step that failed.  sysbail() appends strerror(errno).
 */
void bail(const char *fmt, ...)
    __attribute__((__format__(printf, 1, 2), __noreturn__));
void sysbail(const char *fmt, ...)
    __attribute__((__format__(printf, 1, 2), __noreturn__));

#endif

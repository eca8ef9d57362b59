/*
 * basic.c: a small TAP library for drio's C unit tests, after
 * c-tap-harness: plan, ok, skip, the is_* comparators, diag and bail,
 * and the check at exit that the program ran exactly the tests it
 * planned.  See basic.h for the contract of each function.
 *
 * Test lines go to stdout; diagnostics go to stderr, with stdout flushed
 * first so the two read in order when merged.
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "basic.h"

/*
 * LeakSanitizer's entry point, present only in a sanitizer build.  The
 * exit check below may have to end the process with _exit(), which skips
 * LeakSanitizer's own exit handler, so it runs the leak check first.
 */
extern void __lsan_do_leak_check(void) __attribute__((__weak__));

static unsigned long planned;  /* from plan(); 0 before it */
static unsigned long testnum;  /* tests reported so far */
static unsigned long failed;   /* of which failed */
static bool bailed;            /* bail() was called */
static pid_t planner;          /* the process that called plan() */

static void
vdiag(const char *fmt, va_list args)
{
	fflush(stdout);
	fputs("# ", stderr);
	vfprintf(stderr, fmt, args);
	fputc('\n', stderr);
	fflush(stderr);
}

void
diag(const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vdiag(fmt, args);
	va_end(args);
}

/*
 * Print one result line: "ok N - description" or "not ok N - ...", and
 * count it.
 */
static void
report(bool success, const char *fmt, va_list args)
{
	fflush(stderr);
	testnum++;
	if (!success)
		failed++;
	printf("%sok %lu", success ? "" : "not ", testnum);
	if (fmt != NULL) {
		fputs(" - ", stdout);
		vprintf(fmt, args);
	}
	putchar('\n');
	fflush(stdout);
}

/*
 * The exit check: compare the count with the plan, say how it went, and
 * make the exit status non-zero when anything went wrong.  Only the
 * process that planned reports, so a forked child does not.
 */
static void
finish(void)
{
	bool success;

	if (planner != getpid() || bailed)
		return;
	success = (testnum == planned && failed == 0);
	if (testnum < planned)
		diag("Looks like you planned %lu test%s but only ran %lu",
		    planned, planned == 1 ? "" : "s", testnum);
	else if (testnum > planned)
		diag("Looks like you planned %lu test%s but ran %lu extra",
		    planned, planned == 1 ? "" : "s", testnum - planned);
	else if (failed > 0)
		diag("Looks like you failed %lu test%s of %lu", failed,
		    failed == 1 ? "" : "s", planned);
	if (success)
		return;
	fflush(stdout);
	fflush(stderr);
	if (__lsan_do_leak_check != NULL)
		__lsan_do_leak_check();
	_exit(1);
}

void
plan(unsigned long count)
{
	setvbuf(stdout, NULL, _IOLBF, BUFSIZ);
	fflush(stderr);
	printf("1..%lu\n", count);
	fflush(stdout);
	planned = count;
	testnum = 0;
	failed = 0;
	planner = getpid();
	if (atexit(finish) != 0)
		bail("cannot register the exit check");
}

void
skip_all(const char *fmt, ...)
{
	va_list args;

	fflush(stderr);
	fputs("1..0 # skip ", stdout);
	va_start(args, fmt);
	vprintf(fmt, args);
	va_end(args);
	putchar('\n');
	fflush(stdout);
	exit(0);
}

bool
ok(bool success, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	report(success, fmt, args);
	va_end(args);
	return success;
}

void
skip(const char *fmt, ...)
{
	va_list args;

	fflush(stderr);
	testnum++;
	printf("ok %lu # skip ", testnum);
	va_start(args, fmt);
	vprintf(fmt, args);
	va_end(args);
	putchar('\n');
	fflush(stdout);
}

bool
is_int(long long expected, long long seen, const char *fmt, ...)
{
	va_list args;
	bool success = (expected == seen);

	va_start(args, fmt);
	report(success, fmt, args);
	va_end(args);
	if (!success) {
		diag("  expected: %lld", expected);
		diag("      seen: %lld", seen);
	}
	return success;
}

bool
is_string(const char *expected, const char *seen, const char *fmt, ...)
{
	va_list args;
	bool success;

	if (expected == NULL || seen == NULL)
		success = (expected == seen);
	else
		success = (strcmp(expected, seen) == 0);
	va_start(args, fmt);
	report(success, fmt, args);
	va_end(args);
	if (!success) {
		if (expected == NULL)
			diag("  expected: NULL");
		else
			diag("  expected: \"%s\"", expected);
		if (seen == NULL)
			diag("      seen: NULL");
		else
			diag("      seen: \"%s\"", seen);
	}
	return success;
}

static int
compare_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * A deep copy of value whose objects hold their keys in sorted order, so
 * that two equal values print the same.  Returns a new reference (NULL
 * for JSON null); bails when memory is exhausted.
 */
static json_object *
sorted_copy(json_object *value)
{
	json_object *copy;
	size_t i, n;

	switch (json_object_get_type(value)) {
	case json_type_object: {
		const char **keys;

		n = (size_t)json_object_object_length(value);
		if ((copy = json_object_new_object()) == NULL ||
		    (keys = calloc(n + 1, sizeof(*keys))) == NULL)
			bail("out of memory");
		i = 0;
		json_object_object_foreach(value, key, child) {
			(void)child;
			keys[i++] = key;
		}
		qsort(keys, n, sizeof(*keys), compare_keys);
		for (i = 0; i < n; i++)
			if (json_object_object_add(copy, keys[i],
			    sorted_copy(json_object_object_get(value,
			    keys[i]))) != 0)
				bail("out of memory");
		free(keys);
		return copy;
	}
	case json_type_array:
		n = json_object_array_length(value);
		if ((copy = json_object_new_array()) == NULL)
			bail("out of memory");
		for (i = 0; i < n; i++)
			if (json_object_array_add(copy, sorted_copy(
			    json_object_array_get_idx(value, i))) != 0)
				bail("out of memory");
		return copy;
	default:
		return json_object_get(value);
	}
}

/* Print value as one line of JSON with sorted keys, after label. */
static void
diag_json(const char *label, json_object *value)
{
	json_object *sorted = sorted_copy(value);

	diag("%s%s", label, json_object_to_json_string_ext(sorted,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(sorted);
}

bool
is_json(const char *expected, json_object *seen, const char *fmt, ...)
{
	va_list args;
	json_tokener *tokener;
	json_object *wanted;
	bool success;

	if ((tokener = json_tokener_new()) == NULL)
		bail("out of memory");
	wanted = json_tokener_parse_ex(tokener, expected, -1);
	if (json_tokener_get_error(tokener) != json_tokener_success ||
	    expected[json_tokener_get_parse_end(tokener) +
	    strspn(expected + json_tokener_get_parse_end(tokener),
	    " \t\r\n")] != '\0')
		bail("is_json: expected value is not JSON: %s", expected);
	json_tokener_free(tokener);

	success = json_object_equal(wanted, seen);
	va_start(args, fmt);
	report(success, fmt, args);
	va_end(args);
	if (!success) {
		diag_json("  expected: ", wanted);
		diag_json("      seen: ", seen);
	}
	json_object_put(wanted);
	return success;
}

void
bail(const char *fmt, ...)
{
	va_list args;

	bailed = true;
	fflush(stderr);
	fputs("Bail out! ", stdout);
	va_start(args, fmt);
	vprintf(fmt, args);
	va_end(args);
	putchar('\n');
	fflush(stdout);
	exit(255);
}

void
sysbail(const char *fmt, ...)
{
	va_list args;
	int saved = errno;

	bailed = true;
	fflush(stderr);
	fputs("Bail out! ", stdout);
	va_start(args, fmt);
	vprintf(fmt, args);
	va_end(args);
	printf(": %s\n", strerror(saved));
	fflush(stdout);
	exit(255);
}

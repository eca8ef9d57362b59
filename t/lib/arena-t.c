/*
 * arena-t.c: tests for lib/arena.c, request-scoped memory.  Checks the
 * promises of arena.h: allocations are zeroed and aligned for any type,
 * survive past the first chunk without overlapping, large requests work,
 * the string helpers copy, size 0 gives NULL, and arena_free(NULL) is
 * harmless.  Leaks show under the sanitizer build.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "t/tap/basic.h"

/* Is every byte of p[0..len) zero? */
static bool
all_zero(const unsigned char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != 0)
			return false;
	return true;
}

static bool
is_aligned(const void *p)
{
	return (uintptr_t)p % alignof(max_align_t) == 0;
}

/*
 * Make many allocations of varied sizes, well past any one chunk, fill
 * each with its own byte, and then check that none was overwritten and
 * each was zeroed and aligned when it was handed out.
 */
static void
test_many(void)
{
	enum { COUNT = 20000 };
	static unsigned char *blocks[COUNT];
	static size_t sizes[COUNT];
	struct arena *arena;
	bool zeroed = true, aligned = true, intact = true, allocated = true;
	size_t i, total = 0;

	if ((arena = arena_new()) == NULL)
		bail("arena_new failed");
	for (i = 0; i < COUNT; i++) {
		sizes[i] = 1 + (i * 37) % 300;
		if ((blocks[i] = arena_alloc(arena, sizes[i])) == NULL) {
			allocated = false;
			break;
		}
		total += sizes[i];
		if (!all_zero(blocks[i], sizes[i]))
			zeroed = false;
		if (!is_aligned(blocks[i]))
			aligned = false;
		memset(blocks[i], (int)(i % 251) + 1, sizes[i]);
	}
	ok(allocated, "%d allocations (%zu bytes) all succeed", COUNT, total);
	ok(zeroed, "every allocation is zeroed, also after the first chunk");
	ok(aligned, "every allocation is aligned for any type");
	for (i = 0; allocated && i < COUNT; i++) {
		size_t j;

		for (j = 0; j < sizes[i]; j++)
			if (blocks[i][j] != (unsigned char)(i % 251) + 1)
				intact = false;
	}
	ok(allocated && intact, "no allocation overlaps another");
	arena_free(arena);
}

static void
test_large(void)
{
	struct arena *arena;
	unsigned char *small, *big, *after;
	size_t big_size = 4 * 1024 * 1024 + 3;

	if ((arena = arena_new()) == NULL)
		bail("arena_new failed");
	small = arena_alloc(arena, 10);
	big = arena_alloc(arena, big_size);
	ok(big != NULL, "a 4 MiB allocation succeeds");
	ok(big != NULL && all_zero(big, big_size) && is_aligned(big),
	    "a large allocation is zeroed and aligned");
	if (big != NULL)
		memset(big, 0xAB, big_size);
	after = arena_alloc(arena, 16);
	ok(small != NULL && after != NULL && all_zero(small, 10) &&
	    all_zero(after, 16),
	    "allocations around a large one are untouched by it");
	arena_free(arena);
}

static void
test_strings(void)
{
	struct arena *arena;
	char source[] = "hello, arena";
	char *copy, *part, *empty, *printed, *longer;
	char big[5000];

	if ((arena = arena_new()) == NULL)
		bail("arena_new failed");

	copy = arena_strdup(arena, source);
	is_string("hello, arena", copy, "arena_strdup copies the string");
	ok(copy != source, "arena_strdup returns a new copy");
	source[0] = 'j';
	is_string("hello, arena", copy,
	    "the copy does not change with the original");

	part = arena_strndup(arena, "hello, arena", 5);
	is_string("hello", part, "arena_strndup copies len bytes and ends "
	    "them with NUL");
	part = arena_strndup(arena, "hello", 0);
	is_string("", part, "arena_strndup of 0 bytes is the empty string");

	empty = arena_strdup(arena, "");
	is_string("", empty, "arena_strdup of \"\" is an empty string");

	printed = arena_printf(arena, "%s=%d/%05.1f", "limit", 20, 2.5);
	is_string("limit=20/002.5", printed, "arena_printf formats");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	longer = arena_printf(arena, "<%s>", big);
	ok(longer != NULL && strlen(longer) == sizeof(big) + 1 &&
	    longer[0] == '<' && longer[sizeof(big)] == '>',
	    "arena_printf output longer than a typical buffer is complete");
	printed = arena_printf(arena, "%s", "");
	is_string("", printed, "arena_printf of nothing is the empty string");

	arena_free(arena);
}

int
main(void)
{
	struct arena *arena;
	unsigned char *p;
	void *zero;

	plan(22);

	arena = arena_new();
	ok(arena != NULL, "arena_new returns an arena");
	if (arena == NULL)
		bail("arena_new failed");
	p = arena_alloc(arena, 64);
	ok(p != NULL && all_zero(p, 64), "a fresh allocation is zeroed");
	p = arena_alloc(arena, 1);
	ok(p != NULL && is_aligned(p), "a 1-byte allocation is aligned");
	p = arena_alloc(arena, 3);
	ok(p != NULL && is_aligned(p),
	    "the allocation after an odd-sized one is aligned");
	zero = arena_alloc(arena, 0);
	ok(zero == NULL, "a 0-byte allocation is refused with NULL");
	arena_free(arena);

	test_many();
	test_large();
	test_strings();

	arena_free(NULL);
	ok(true, "arena_free(NULL) does nothing");
	return 0;
}

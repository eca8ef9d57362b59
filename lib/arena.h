/*
 * arena.h: request-scoped memory.
 *
 * Everything a request allocates while it is being served (decoded query
 * values, header copies, path parameters, strings built for the response)
 * comes from one arena and is released in one call when the response has
 * been written, as nginx does with its request pools.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef DRIO_ARENA_H
#define DRIO_ARENA_H

#include <stddef.h>

struct arena;

/*
 * Create an empty arena.  Returns the arena, to be released with
 * arena_free(), or NULL when memory is exhausted.
 */
struct arena *arena_new(void);

/* Release an arena and everything allocated from it.  Accepts NULL. */
void arena_free(struct arena *arena);

/*
 * Allocate size bytes (zeroed, aligned for any type) from the arena.
 * Returns NULL when memory is exhausted or size is 0.
 */
void *arena_alloc(struct arena *arena, size_t size)
    __attribute__((__malloc__, __warn_unused_result__));

/* Copy a NUL-terminated string, or len bytes of one, into the arena. */
char *arena_strdup(struct arena *arena, const char *s)
    __attribute__((__malloc__));
char *arena_strndup(struct arena *arena, const char *s, size_t len)
    __attribute__((__malloc__));

/* printf into the arena.  Returns NULL when memory is exhausted. */
char *arena_printf(struct arena *arena, const char *fmt, ...)
    __attribute__((__format__(printf, 2, 3), __malloc__));

#endif

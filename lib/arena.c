/*
 * arena.c: request-scoped memory (see arena.h).  A list of chunks; each
 * allocation is carved from the newest chunk, and one that does not fit
 * gets a chunk of its own size.  Nothing is freed until arena_free().
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

#define ARENA_CHUNK_SIZE 8192
#define ARENA_ALIGN      _Alignof(max_align_t)

struct arena_chunk {
	struct arena_chunk *next;
	size_t size;   /* usable bytes in data */
	size_t used;
	max_align_t data[];
};

struct arena {
	struct arena_chunk *chunks; /* newest first */
};

static struct arena_chunk *
chunk_new(size_t size)
{
	struct arena_chunk *chunk;

	chunk = malloc(sizeof(*chunk) + size);
	if (chunk == NULL)
		return NULL;
	chunk->next = NULL;
	chunk->size = size;
	chunk->used = 0;
	return chunk;
}

struct arena *
arena_new(void)
{
	struct arena *arena;

	arena = calloc(1, sizeof(*arena));
	if (arena == NULL)
		return NULL;
	arena->chunks = chunk_new(ARENA_CHUNK_SIZE);
	if (arena->chunks == NULL) {
		free(arena);
		return NULL;
	}
	return arena;
}

void
arena_free(struct arena *arena)
{
	struct arena_chunk *chunk, *next;

	if (arena == NULL)
		return;
	for (chunk = arena->chunks; chunk != NULL; chunk = next) {
		next = chunk->next;
		free(chunk);
	}
	free(arena);
}

void *
arena_alloc(struct arena *arena, size_t size)
{
	struct arena_chunk *chunk;
	size_t rounded;
	void *p;

	if (size == 0 || size > SIZE_MAX / 2)
		return NULL;
	rounded = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	chunk = arena->chunks;
	if (chunk->size - chunk->used < rounded) {
		/*
		 * A large request gets a chunk of its own, linked behind the
		 * current one so the current chunk's free space stays usable.
		 */
		if (rounded > ARENA_CHUNK_SIZE / 4) {
			struct arena_chunk *big = chunk_new(rounded);

			if (big == NULL)
				return NULL;
			big->used = rounded;
			big->next = chunk->next;
			chunk->next = big;
			memset(big->data, 0, rounded);
			return big->data;
		}
		chunk = chunk_new(ARENA_CHUNK_SIZE);
		if (chunk == NULL)
			return NULL;
		chunk->next = arena->chunks;
		arena->chunks = chunk;
	}
	p = (char *)chunk->data + chunk->used;
	chunk->used += rounded;
	memset(p, 0, rounded);
	return p;
}

char *
arena_strndup(struct arena *arena, const char *s, size_t len)
{
	char *copy;

	copy = arena_alloc(arena, len + 1);
	if (copy == NULL)
		return NULL;
	memcpy(copy, s, len);
	copy[len] = '\0';
	return copy;
}

char *
arena_strdup(struct arena *arena, const char *s)
{
	return arena_strndup(arena, s, strlen(s));
}

char *
arena_printf(struct arena *arena, const char *fmt, ...)
{
	va_list ap;
	int len;
	char *out;

	va_start(ap, fmt);
	len = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (len < 0)
		return NULL;
	out = arena_alloc(arena, (size_t)len + 1);
	if (out == NULL)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(out, (size_t)len + 1, fmt, ap);
	va_end(ap);
	return out;
}

/*
 * releasecache.c: a bounded, least-recently-used cache of parsed
 * release configurations (see releasecache.h).  A handful of entries,
 * so a linear scan is all the index it needs.
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "releasecache.h"

void
releasecache_init(struct releasecache *c, size_t max_entries,
    size_t max_bytes)
{
	memset(c, 0, sizeof(*c));
	if (max_entries < 1)
		max_entries = 1;
	if (max_entries > RELEASECACHE_ENTRIES)
		max_entries = RELEASECACHE_ENTRIES;
	c->max_entries = max_entries;
	c->max_bytes = max_bytes;
}

/* Release entry e's configuration and mark it free.  Can't fail. */
static void
entry_drop(struct releasecache *c, struct releasecache_entry *e)
{
	if (e->config == NULL)
		return;
	json_object_put(e->config);
	c->bytes -= e->bytes;
	memset(e, 0, sizeof(*e));
}

/* The entry kept for release_id and checksum, or NULL.  Can't fail. */
static struct releasecache_entry *
entry_find(struct releasecache *c, const char *release_id,
    const char *checksum)
{
	struct releasecache_entry *e;
	size_t i;

	for (i = 0; i < c->max_entries; i++) {
		e = &c->entries[i];
		if (e->config != NULL &&
		    strcmp(e->release_id, release_id) == 0 &&
		    strcmp(e->checksum, checksum) == 0)
			return e;
	}
	return NULL;
}

/* The least recently used entry that holds something, or NULL. */
static struct releasecache_entry *
entry_oldest(struct releasecache *c)
{
	struct releasecache_entry *e, *oldest = NULL;
	size_t i;

	for (i = 0; i < c->max_entries; i++) {
		e = &c->entries[i];
		if (e->config != NULL && (oldest == NULL ||
		    e->used < oldest->used))
			oldest = e;
	}
	return oldest;
}

json_object *
releasecache_find(struct releasecache *c, const char *release_id,
    const char *checksum)
{
	struct releasecache_entry *e;

	if (release_id == NULL || checksum == NULL ||
	    (e = entry_find(c, release_id, checksum)) == NULL)
		return NULL;
	e->used = ++c->clock;
	return json_object_get(e->config);
}

bool
releasecache_put(struct releasecache *c, const char *release_id,
    const char *checksum, json_object *config, size_t bytes)
{
	struct releasecache_entry *e;
	size_t i;

	if (config == NULL || release_id == NULL || checksum == NULL ||
	    strlen(release_id) != AUTH_UUID_LEN ||
	    strlen(checksum) != RELEASECACHE_CHECKSUM_LEN ||
	    bytes > c->max_bytes)
		return false;
	if ((e = entry_find(c, release_id, checksum)) != NULL)
		entry_drop(c, e);
	/* Room in bytes first, then a free entry. */
	while (c->bytes > c->max_bytes - bytes &&
	    (e = entry_oldest(c)) != NULL)
		entry_drop(c, e);
	e = NULL;
	for (i = 0; i < c->max_entries && e == NULL; i++)
		if (c->entries[i].config == NULL)
			e = &c->entries[i];
	if (e == NULL && (e = entry_oldest(c)) != NULL)
		entry_drop(c, e);
	if (e == NULL)
		return false;  /* a cache releasecache_init never made */
	memcpy(e->release_id, release_id, AUTH_UUID_LEN + 1);
	memcpy(e->checksum, checksum, RELEASECACHE_CHECKSUM_LEN + 1);
	e->config = json_object_get(config);
	e->bytes = bytes;
	e->used = ++c->clock;
	c->bytes += bytes;
	return true;
}

void
releasecache_clear(struct releasecache *c)
{
	size_t i;

	for (i = 0; i < RELEASECACHE_ENTRIES; i++)
		entry_drop(c, &c->entries[i]);
}

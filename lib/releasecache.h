/*
 * releasecache.h: a process's cache of parsed release configurations.
 *
 * A release never changes once published (sql/005_apps.sql refuses
 * every UPDATE of one), so the configuration parsed from a release row,
 * kept under the release's id and the checksum of its configuration, is
 * right for as long as it is kept: a lookup that reads the id and the
 * checksum from the release row finds exactly that configuration or
 * nothing, never another.  This is the read-only data a responder may
 * cache (DESIGN.md, "State lives in PostgreSQL").
 *
 * The cache is bounded twice: at most max_entries configurations
 * (RELEASECACHE_ENTRIES at most), and at most max_bytes of their JSON
 * text together; when a new one does not fit, the least recently used
 * go first.  A configuration larger than max_bytes on its own is never
 * kept.  Pure: no I/O; one process uses it, from one thread.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef DRIO_RELEASECACHE_H
#define DRIO_RELEASECACHE_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "auth.h"

/* The most entries a cache can hold. */
#define RELEASECACHE_ENTRIES 16

/* Length of a checksum: SHA-256 in hex. */
#define RELEASECACHE_CHECKSUM_LEN 64

struct releasecache_entry {
	char release_id[AUTH_UUID_LEN + 1];
	char checksum[RELEASECACHE_CHECKSUM_LEN + 1];
	json_object *config;        /* one reference, owned; NULL: free */
	size_t bytes;               /* the length of its JSON text */
	unsigned long long used;    /* the cache's clock when last used */
};

/*
 * A cache.  Plain data: releasecache_init() it, releasecache_clear() it
 * to release what it holds.
 */
struct releasecache {
	struct releasecache_entry entries[RELEASECACHE_ENTRIES];
	size_t max_entries;         /* 1..RELEASECACHE_ENTRIES */
	size_t max_bytes;           /* bound on the entries' bytes */
	size_t bytes;               /* the entries' bytes now */
	unsigned long long clock;   /* counts finds and puts */
};

/*
 * Make c an empty cache of at most max_entries entries (clamped to
 * 1..RELEASECACHE_ENTRIES) and max_bytes bytes.  c must not hold
 * anything (a new or cleared cache).  Can't fail.
 */
void releasecache_init(struct releasecache *c, size_t max_entries,
    size_t max_bytes);

/*
 * The configuration kept for the release release_id whose configuration
 * has checksum checksum, as a new reference the caller releases with
 * json_object_put(), or NULL when the cache has none.  A found entry
 * becomes the most recently used.  The configuration is shared with the
 * cache: callers must not change it.  Can't fail.
 */
json_object *releasecache_find(struct releasecache *c,
    const char *release_id, const char *checksum);

/*
 * Keep config (a new reference is taken; the caller keeps its own), the
 * configuration of release release_id with checksum checksum, whose JSON
 * text is bytes long, as the most recently used entry, making room by
 * dropping the least recently used ones.  An entry already kept under
 * the same id and checksum is replaced.  Returns true when config is
 * kept, false when it is not (bytes over max_bytes, an id or checksum of
 * the wrong length); the cache is unchanged then.  Can't fail otherwise.
 */
bool releasecache_put(struct releasecache *c, const char *release_id,
    const char *checksum, json_object *config, size_t bytes);

/* Drop every entry, keeping the bounds.  Can't fail. */
void releasecache_clear(struct releasecache *c);

#endif

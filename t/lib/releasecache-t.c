/*
 * releasecache-t.c: tests for lib/releasecache.c, the bounded cache of
 * parsed release configurations.  Checks the promises of
 * releasecache.h: a configuration is found only under both its
 * release's id and its checksum; the least recently used entry goes
 * first when the entries or the bytes run out, a find counting as a
 * use; a configuration larger than the byte bound is never kept; a put
 * under a key already kept replaces it; and every reference the cache
 * takes is given back when an entry goes (json_object_put() reports
 * the last reference's release, so a leak or a double release shows).
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>

#include "releasecache.h"
#include "t/tap/basic.h"

#define ID_A "00000000-0000-4000-8000-00000000000a"
#define ID_B "00000000-0000-4000-8000-00000000000b"
#define ID_C "00000000-0000-4000-8000-00000000000c"
#define ID_D "00000000-0000-4000-8000-00000000000d"
#define SUM_1 \
	"1111111111111111111111111111111111111111111111111111111111111111"
#define SUM_2 \
	"2222222222222222222222222222222222222222222222222222222222222222"

/* A configuration that names itself, to tell them apart. */
static json_object *
config_named(const char *name)
{
	json_object *o = json_object_new_object();

	if (o == NULL || json_object_object_add(o, "name",
	    json_object_new_string(name)) != 0)
		bail("out of memory");
	return o;
}

/*
 * Is release id with checksum sum kept, as the configuration named
 * name?  The reference the find hands out is given back.
 */
static bool
kept_as(struct releasecache *c, const char *id, const char *sum,
    const char *name)
{
	json_object *found = releasecache_find(c, id, sum), *v;
	bool same;

	same = found != NULL && json_object_object_get_ex(found, "name",
	    &v) && strcmp(json_object_get_string(v), name) == 0;
	json_object_put(found);
	return same;
}

static void
test_keys(void)
{
	struct releasecache c;
	json_object *a = config_named("a"), *found;

	releasecache_init(&c, 4, 1000);
	ok(releasecache_find(&c, ID_A, SUM_1) == NULL,
	    "an empty cache finds nothing");
	ok(releasecache_put(&c, ID_A, SUM_1, a, 10), "a configuration is kept");
	found = releasecache_find(&c, ID_A, SUM_1);
	ok(found == a, "it is found under its release's id and checksum,"
	    " as the same object");
	json_object_put(found);
	ok(releasecache_find(&c, ID_A, SUM_2) == NULL,
	    "the same release id with another checksum finds nothing");
	ok(releasecache_find(&c, ID_B, SUM_1) == NULL,
	    "another release id with the same checksum finds nothing");
	ok(releasecache_find(&c, NULL, SUM_1) == NULL &&
	    releasecache_find(&c, ID_A, NULL) == NULL,
	    "a missing id or checksum finds nothing");
	ok(!releasecache_put(&c, "not-a-uuid", SUM_1, a, 10) &&
	    !releasecache_put(&c, ID_B, "abc", a, 10),
	    "an id or a checksum of the wrong length is not kept");
	is_int(10, (long long)c.bytes, "the bytes count the one entry");
	releasecache_clear(&c);
	is_int(0, (long long)c.bytes, "clearing empties the cache");
	ok(releasecache_find(&c, ID_A, SUM_1) == NULL,
	    "... and it finds nothing after");
	is_int(1, json_object_put(a), "... having given back its reference");
}

static void
test_entries(void)
{
	struct releasecache c;
	json_object *a = config_named("a"), *b = config_named("b");
	json_object *cc = config_named("c"), *d = config_named("d");
	json_object *a2 = config_named("a2");

	releasecache_init(&c, 3, 1000);
	releasecache_put(&c, ID_A, SUM_1, a, 10);
	releasecache_put(&c, ID_B, SUM_1, b, 10);
	releasecache_put(&c, ID_C, SUM_1, cc, 10);
	ok(kept_as(&c, ID_A, SUM_1, "a"), "three entries fit in three");
	/* A was just used: B is now the least recently used. */
	ok(releasecache_put(&c, ID_D, SUM_1, d, 10), "a fourth is kept");
	ok(releasecache_find(&c, ID_B, SUM_1) == NULL,
	    "... in place of the least recently used (B; A was found since)");
	ok(kept_as(&c, ID_A, SUM_1, "a") && kept_as(&c, ID_C, SUM_1, "c") &&
	    kept_as(&c, ID_D, SUM_1, "d"), "... the others stay");
	is_int(30, (long long)c.bytes, "... and the bytes count three");
	is_int(1, json_object_put(b),
	    "the dropped entry's reference was given back");

	ok(releasecache_put(&c, ID_A, SUM_1, a2, 12),
	    "a put under a kept id and checksum is kept");
	ok(kept_as(&c, ID_A, SUM_1, "a2"), "... replacing the entry");
	is_int(32, (long long)c.bytes, "... whose bytes count once");
	ok(kept_as(&c, ID_C, SUM_1, "c") && kept_as(&c, ID_D, SUM_1, "d"),
	    "... and evicting nothing else");
	is_int(1, json_object_put(a), "the replaced one's reference was"
	    " given back");

	releasecache_put(&c, ID_B, SUM_2, b = config_named("b2"), 10);
	ok(releasecache_find(&c, ID_A, SUM_1) == NULL,
	    "the next new entry pushes out the least recently used (A)");
	releasecache_clear(&c);
	is_int(4, json_object_put(a2) + json_object_put(cc) +
	    json_object_put(d) + json_object_put(b),
	    "clearing gives back every reference");
}

static void
test_bytes(void)
{
	struct releasecache c;
	json_object *a = config_named("a"), *b = config_named("b");
	json_object *cc = config_named("c"), *big = config_named("big");

	releasecache_init(&c, 16, 100);
	releasecache_put(&c, ID_A, SUM_1, a, 40);
	releasecache_put(&c, ID_B, SUM_1, b, 40);
	ok(releasecache_put(&c, ID_C, SUM_1, cc, 40),
	    "an entry over the byte bound with the others is kept");
	ok(releasecache_find(&c, ID_A, SUM_1) == NULL,
	    "... in place of the least recently used");
	ok(kept_as(&c, ID_B, SUM_1, "b") && kept_as(&c, ID_C, SUM_1, "c"),
	    "... the others stay");
	is_int(80, (long long)c.bytes, "... within the bound");

	ok(!releasecache_put(&c, ID_D, SUM_1, big, 101),
	    "a configuration larger than the bound alone is not kept");
	ok(kept_as(&c, ID_B, SUM_1, "b") && kept_as(&c, ID_C, SUM_1, "c") &&
	    c.bytes == 80, "... and the cache is unchanged");
	ok(releasecache_put(&c, ID_D, SUM_1, big, 100),
	    "one exactly at the bound is kept");
	ok(releasecache_find(&c, ID_B, SUM_1) == NULL &&
	    releasecache_find(&c, ID_C, SUM_1) == NULL &&
	    kept_as(&c, ID_D, SUM_1, "big"), "... alone");
	releasecache_clear(&c);
	is_int(4, json_object_put(a) + json_object_put(b) +
	    json_object_put(cc) + json_object_put(big),
	    "every reference was given back");
}

static void
test_init(void)
{
	struct releasecache c;
	json_object *a = config_named("a");

	releasecache_init(&c, 0, 100);
	is_int(1, (long long)c.max_entries, "no entries is clamped to one");
	releasecache_init(&c, RELEASECACHE_ENTRIES + 5, 100);
	is_int(RELEASECACHE_ENTRIES, (long long)c.max_entries,
	    "too many entries is clamped to RELEASECACHE_ENTRIES");
	memset(&c, 0, sizeof(c));
	ok(!releasecache_put(&c, ID_A, SUM_1, a, 0),
	    "a cache never initialised keeps nothing");
	is_int(1, json_object_put(a), "... and takes no reference");
}

int
main(void)
{
	plan(37);
	test_keys();
	test_entries();
	test_bytes();
	test_init();
	return 0;
}

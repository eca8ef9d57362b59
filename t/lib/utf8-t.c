/*
 * utf8-t.c: unit tests of lib/utf8.c, printing TAP: every boundary of
 * RFC 3629's table of well-formed byte sequences, both sides.
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "utf8.h"
#include "t/tap/basic.h"

/* Two tests: bytes (len of them) start a character of n bytes, code cp. */
static void
char_is(const char *bytes, size_t len, size_t n, uint32_t cp,
    const char *what)
{
	uint32_t got = 0xffffffff;

	is_int((long)n, (long)utf8_char(bytes, len, &got), "%s: length", what);
	is_int((long)cp, (long)got, "%s: code point", what);
}

/* One test: bytes (len of them) start no character. */
static void
char_bad(const char *bytes, size_t len, const char *what)
{
	uint32_t got = 0x12345;

	ok(utf8_char(bytes, len, &got) == 0 && got == 0x12345,
	    "%s: refused, code point untouched", what);
}

int
main(void)
{
	plan(50);

	char_is("A", 1, 1, 'A', "ASCII");
	char_is("\0x", 2, 1, 0, "NUL is a character");
	char_is("\x7f", 1, 1, 0x7f, "last one-byte");
	char_is("\xc2\x80", 2, 2, 0x80, "first two-byte");
	char_is("\xdf\xbf", 2, 2, 0x7ff, "last two-byte");
	char_is("\xe0\xa0\x80", 3, 3, 0x800, "first three-byte");
	char_is("\xed\x9f\xbf", 3, 3, 0xd7ff, "last before the surrogates");
	char_is("\xee\x80\x80", 3, 3, 0xe000, "first after the surrogates");
	char_is("\xef\xbf\xbf", 3, 3, 0xffff, "last three-byte");
	char_is("\xf0\x90\x80\x80", 4, 4, 0x10000, "first four-byte");
	char_is("\xf4\x8f\xbf\xbf", 4, 4, 0x10ffff, "U+10FFFF");

	char_bad("", 0, "nothing");
	char_bad("\x80", 1, "a stray continuation byte");
	char_bad("\xc0\xaf", 2, "overlong two-byte (C0)");
	char_bad("\xc1\xbf", 2, "overlong two-byte (C1)");
	char_bad("\xe0\x9f\xbf", 3, "overlong three-byte");
	char_bad("\xed\xa0\x80", 3, "a high surrogate");
	char_bad("\xed\xbf\xbf", 3, "a low surrogate");
	char_bad("\xf0\x8f\xbf\xbf", 4, "overlong four-byte");
	char_bad("\xf4\x90\x80\x80", 4, "above U+10FFFF");
	char_bad("\xf5\x80\x80\x80", 4, "a lead byte past F4");
	char_bad("\xff", 1, "FF");
	char_bad("\xe2\x82", 2, "cut short");
	char_bad("\xe2\x82\xac", 2, "cut short by len, not by the bytes");
	char_bad("\xe2\x28\xac", 3, "a second byte that continues nothing");
	char_bad("\xf0\x9f\x98\x28", 4, "a last byte that continues nothing");

	ok(utf8_valid("", 0), "empty text is valid");
	ok(utf8_valid("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 14),
	    "mixed widths are valid");
	ok(utf8_valid("a\0b", 3), "NUL inside is valid UTF-8");
	ok(!utf8_valid("caf\xc3", 4), "a text ending inside a character");
	ok(!utf8_valid("a\xed\xa0\x80z", 5), "a surrogate inside");

	is_int(0, (long)utf8_count("", 0), "count: empty");
	is_int(8, (long)utf8_count("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
	    14), "count: code points, not bytes");
	is_int(1, (long)utf8_count("\xf0\x9f\x98\x80\xf0\x9f\x98\x80", 4),
	    "count: only the len bytes");

	is_int(3, (long)utf8_prefix("abc", 3, 10), "prefix: all of a short text");
	is_int(2, (long)utf8_prefix("abc", 3, 2), "prefix: ASCII cut anywhere");
	is_int(2, (long)utf8_prefix("ab\xe2\x82\xac", 5, 4),
	    "prefix: a cut inside a character backs off to its start");
	is_int(5, (long)utf8_prefix("ab\xe2\x82\xacz", 6, 5),
	    "prefix: a cut after a character keeps it");
	is_int(0, (long)utf8_prefix("\xf0\x9f\x98\x80", 4, 3),
	    "prefix: nothing when the first character does not fit");
	return 0;
}

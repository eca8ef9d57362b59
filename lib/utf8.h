/*
 * utf8.h: reading UTF-8 as RFC 3629 defines it: no stray continuation
 * bytes, no overlong forms, no surrogates, nothing above U+10FFFF.
 * PostgreSQL, JSON and libyaml's emitter all need exactly this, and
 * every check of text drio takes in is one of these three functions.
 * NUL is a character here (U+0000); callers that refuse it say so.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef DRIO_UTF8_H
#define DRIO_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The length in bytes of the well-formed character that starts the len
 * bytes at s, with its code point in *cp when cp is not NULL; 0 when
 * they start with none (or len is 0).  Can't fail.
 */
size_t	utf8_char(const char *s, size_t len, uint32_t *cp);

/* Are the len bytes at s well-formed UTF-8?  Can't fail. */
bool	utf8_valid(const char *s, size_t len);

/*
 * The characters (code points) of the len bytes at s, which should be
 * well-formed: every byte that does not continue a sequence counts
 * one.  Can't fail.
 */
size_t	utf8_count(const char *s, size_t len);

/*
 * The length of the longest start of the len bytes at s that is at most
 * max bytes and does not end inside a character: a cut of well-formed
 * text that stays well-formed.  Can't fail.
 */
size_t	utf8_prefix(const char *s, size_t len, size_t max);

#endif

/*
 * utf8.c: reading UTF-8 as RFC 3629 defines it (see utf8.h).
 *
 * SPDX-License-Identifier: MIT
 */
#include "utf8.h"

size_t
utf8_char(const char *s, size_t len, uint32_t *cp)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned char lo = 0x80, hi = 0xbf;	/* the second byte's range */
	uint32_t v;
	size_t need, i;

	if (len == 0)
		return 0;
	if (p[0] < 0x80) {
		v = p[0];
		need = 1;
		goto out;
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		need = 2;
		v = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		need = 3;
		v = p[0] & 0x0f;
		if (p[0] == 0xe0)
			lo = 0xa0;	/* not overlong */
		else if (p[0] == 0xed)
			hi = 0x9f;	/* not a surrogate */
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		need = 4;
		v = p[0] & 0x07;
		if (p[0] == 0xf0)
			lo = 0x90;	/* not overlong */
		else if (p[0] == 0xf4)
			hi = 0x8f;	/* not above U+10FFFF */
	} else
		return 0;
	if (len < need || p[1] < lo || p[1] > hi)
		return 0;
	for (i = 1; i < need; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (p[i] & 0x3f);
	}
out:
	if (cp != NULL)
		*cp = v;
	return need;
}

bool
utf8_valid(const char *s, size_t len)
{
	size_t i, n;

	for (i = 0; i < len; i += n)
		if ((n = utf8_char(s + i, len - i, NULL)) == 0)
			return false;
	return true;
}

size_t
utf8_count(const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return n;
}

size_t
utf8_prefix(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return len;
	/* Back off the continuation bytes of a character cut short. */
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	return max;
}

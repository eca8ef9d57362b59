/*
 * sanitise-t.c: unit tests of lib/sanitise.c, printing TAP.
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "sanitise.h"
#include "t/tap/basic.h"

/* One test: text with secrets, max and an out of size bytes gives want. */
static void
gives(const char *text, const char *const *secrets, size_t max,
    size_t size, const char *want, const char *what)
{
	char out[64];

	memset(out, 'X', sizeof(out));
	sanitise_text(text, secrets, max, out, size);
	is_string(want, out, "%s", what);
}

int
main(void)
{
	const char *const secrets[] = { "s3cret-token", "", "pa ss", NULL };
	char untouched[2] = { 'X', 'X' };

	plan(13);
	gives("plain text", NULL, 100, 64, "plain text", "plain text stays");
	gives(NULL, secrets, 100, 64, "", "NULL is empty");
	gives("  a\t\r\n b\x01\x7f c  ", NULL, 100, 64, "a b c",
	    "control characters and blank runs become one blank, none at"
	    " either end");
	gives("caf\xc3\xa9 ok", NULL, 100, 64, "caf ok",
	    "bytes outside ASCII become a blank");
	gives("bad s3cret-token here, s3cret-token again", secrets, 100, 64,
	    "bad [redacted] here, [redacted] again",
	    "every occurrence of a secret is redacted");
	gives("with pa ss inside", secrets, 100, 64, "with [redacted] inside",
	    "a secret with a blank is matched before blanks are squeezed");
	gives("cut at s3cr", secrets, 100, 64, "cut at [redacted]",
	    "an end that begins a secret is redacted");
	gives("cut at s3c", secrets, 100, 64, "cut at s3c",
	    "... but not when shorter than SANITISE_TAIL_MIN");
	gives("0123456789", NULL, 4, 64, "0123", "max characters are kept");
	gives("0123456789", NULL, 100, 5, "0123",
	    "an out smaller than max bounds the copy");
	gives("ab s3cret-token", secrets, 6, 64, "ab [re",
	    "the redaction counts against max too");
	gives("a    ", NULL, 3, 64, "a", "a blank kept at the cut is dropped");
	sanitise_text("text", NULL, 10, untouched, 0);
	ok(untouched[0] == 'X', "an out of size 0 is not written");
	return 0;
}

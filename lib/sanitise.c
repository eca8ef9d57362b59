/*
 * sanitise.c: text from elsewhere made fit to show (see sanitise.h).
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdbool.h>
#include <string.h>

#include "sanitise.h"

/*
 * The length of the secret of secrets that text starts with, or of
 * text itself when it is SANITISE_TAIL_MIN or more characters that
 * begin a secret, or 0.  Can't fail.
 */
static size_t
secret_at(const char *text, const char *const *secrets)
{
	size_t len, rest = strlen(text);

	for (; secrets != NULL && *secrets != NULL; secrets++) {
		len = strlen(*secrets);
		if (len == 0)
			continue;
		if (rest >= len && strncmp(text, *secrets, len) == 0)
			return len;
		if (rest < len && rest >= SANITISE_TAIL_MIN &&
		    strncmp(text, *secrets, rest) == 0)
			return rest;
	}
	return 0;
}

void
sanitise_text(const char *text, const char *const *secrets, size_t max,
    char *out, size_t size)
{
	static const char redacted[] = SANITISE_REDACTED;
	size_t i = 0, n = 0, len, k;
	bool blank = false;

	if (size == 0)
		return;
	if (max > size - 1)
		max = size - 1;
	while (text != NULL && text[i] != '\0' && n < max) {
		unsigned char c;

		if ((len = secret_at(text + i, secrets)) > 0) {
			for (k = 0; redacted[k] != '\0' && n < max; k++)
				out[n++] = redacted[k];
			i += len;
			blank = false;
			continue;
		}
		c = (unsigned char)text[i++];
		if (c < 0x21 || c > 0x7e) {
			if (!blank && n > 0)
				out[n++] = ' ';
			blank = true;
			continue;
		}
		out[n++] = (char)c;
		blank = false;
	}
	while (n > 0 && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
}

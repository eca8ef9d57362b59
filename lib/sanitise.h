/*
 * sanitise.h: text that came from elsewhere (a provider's error
 * description, an upstream's message) made fit to show in an error, a
 * status message or a log line: the secrets the caller knows of
 * redacted, nothing but printable ASCII, bounded.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef DRIO_SANITISE_H
#define DRIO_SANITISE_H

#include <stddef.h>

/* What a secret becomes. */
#define SANITISE_REDACTED "[redacted]"

/*
 * The shortest end of a text that is redacted for beginning a secret: a
 * text cut short inside a secret still shows none of it, once four of
 * its characters remain.
 */
#define SANITISE_TAIL_MIN 4

/*
 * Copy text (NULL is "") into out (size bytes; nothing is written when
 * size is 0): every occurrence of one of secrets (NULL-terminated, may
 * be NULL; empty strings are skipped) becomes SANITISE_REDACTED, as
 * does an end of text of SANITISE_TAIL_MIN or more characters that a
 * secret begins with; every run of bytes outside printable ASCII
 * (blanks included) becomes one blank, with none at either end; at most
 * max characters are kept, fewer when out is smaller.  Can't fail.
 */
void sanitise_text(const char *text, const char *const *secrets,
    size_t max, char *out, size_t size);

#endif

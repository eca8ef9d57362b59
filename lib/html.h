/*
 * html.h: building the few server-rendered pages drio has (sign-in,
 * consent, device verification, error pages).  Text is escaped by
 * html_text(); only literal markup from the program goes through
 * html_raw().  Pages use no JavaScript and no outside resources, so the
 * strict Content-Security-Policy that http_reply_html() sends holds.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef DRIO_HTML_H
#define DRIO_HTML_H

#include <stdbool.h>
#include <stddef.h>

/* A growing page.  After a failed allocation it stays failed (and empty). */
struct html {
	char *data;
	size_t len;
	size_t cap;
	bool failed;
};

/* Start an empty page buffer.  Can't fail. */
void html_init(struct html *h);

/* Release the buffer.  Accepts an initialised, empty or failed buffer. */
void html_free(struct html *h);

/* Append program markup as is. */
void html_raw(struct html *h, const char *markup);

/* Append text, escaping & < > " ' so it is inert in text and attributes. */
void html_text(struct html *h, const char *text);

/* Append program markup from a format; never pass user text here. */
void html_rawf(struct html *h, const char *fmt, ...)
    __attribute__((__format__(printf, 2, 3)));

/* The document head and an <h1> with title (escaped). */
void html_page_begin(struct html *h, const char *title);

/* Close the document. */
void html_page_end(struct html *h);

/* A hidden form field; name and value are escaped. */
void html_hidden(struct html *h, const char *name, const char *value);

#endif

/*
 * html.c: escaping and the common page frame (see html.h).
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"

void
html_init(struct html *h)
{
	memset(h, 0, sizeof(*h));
}

void
html_free(struct html *h)
{
	free(h->data);
	html_init(h);
}

static void
html_append(struct html *h, const char *s, size_t len)
{
	if (h->failed)
		return;
	if (h->len + len + 1 > h->cap) {
		size_t cap = h->cap > 0 ? h->cap : 1024;
		char *grown;

		while (cap < h->len + len + 1)
			cap *= 2;
		grown = realloc(h->data, cap);
		if (grown == NULL) {
			free(h->data);
			h->data = NULL;
			h->len = h->cap = 0;
			h->failed = true;
			return;
		}
		h->data = grown;
		h->cap = cap;
	}
	memcpy(h->data + h->len, s, len);
	h->len += len;
	h->data[h->len] = '\0';
}

void
html_raw(struct html *h, const char *markup)
{
	html_append(h, markup, strlen(markup));
}

void
html_text(struct html *h, const char *text)
{
	const char *p, *run = text;

	for (p = text; *p != '\0'; p++) {
		const char *entity;

		switch (*p) {
		case '&': entity = "&amp;"; break;
		case '<': entity = "&lt;"; break;
		case '>': entity = "&gt;"; break;
		case '"': entity = "&quot;"; break;
		case '\'': entity = "&#39;"; break;
		default: continue;
		}
		html_append(h, run, (size_t)(p - run));
		html_raw(h, entity);
		run = p + 1;
	}
	html_append(h, run, (size_t)(p - run));
}

void
html_rawf(struct html *h, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf)) {
		h->failed = true;
		return;
	}
	html_append(h, buf, (size_t)n);
}

void
html_page_begin(struct html *h, const char *title)
{
	html_raw(h, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\">"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\"><title>");
	html_text(h, title);
	html_raw(h, " - drio</title><style>"
	    "body{font:16px/1.5 system-ui,sans-serif;max-width:28rem;"
	    "margin:3rem auto;padding:0 1rem;color:#1d1d1f}"
	    "h1{font-size:1.4rem}label{display:block;margin:.8rem 0 .2rem}"
	    "input[type=email],input[type=password],input[type=text]{"
	    "width:100%;padding:.5rem;box-sizing:border-box}"
	    "button{margin:1rem .5rem 0 0;padding:.5rem 1.2rem}"
	    ".error{color:#b00020}.muted{color:#666;font-size:.9rem}"
	    "code{background:#f2f2f2;padding:0 .2rem}"
	    "</style></head><body><h1>");
	html_text(h, title);
	html_raw(h, "</h1>\n");
}

void
html_page_end(struct html *h)
{
	html_raw(h, "\n</body></html>\n");
}

void
html_hidden(struct html *h, const char *name, const char *value)
{
	html_raw(h, "<input type=\"hidden\" name=\"");
	html_text(h, name);
	html_raw(h, "\" value=\"");
	html_text(h, value);
	html_raw(h, "\">");
}

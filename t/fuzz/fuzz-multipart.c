/*
 * fuzz-multipart.c: libFuzzer harness for lib/multipart, which reads the
 * Content-Type and every byte of a multipart/form-data upload: take the
 * boundary, split the body, look the parts up, and check that what comes
 * back stays inside the body.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "multipart.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * The input is the Content-Type, a LF, then the body; without a LF the
 * whole input is the body of "multipart/form-data; boundary=b".
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct error err = { 0 };
	struct multipart m = { NULL, 0, NULL };
	const struct multipart_part *p;
	const char *body = (const char *)data;
	char line[256] = "multipart/form-data; boundary=b";
	char boundary[MULTIPART_BOUNDARY_MAX + 1];
	const uint8_t *nl = memchr(data, '\n', size < 255 ? size : 255);
	size_t i;

	if (nl != NULL) {
		memcpy(line, data, (size_t)(nl - data));
		line[nl - data] = '\0';
		body = (const char *)nl + 1;
		size -= (size_t)(nl - data) + 1;
	}
	if (multipart_boundary(line, boundary, sizeof(boundary), &err) == 0 &&
	    strlen(boundary) - 1 >= MULTIPART_BOUNDARY_MAX)
		abort(); /* a boundary of 1 to 70 characters, or an error */
	else if (err.code == ERR_NONE &&
	    multipart_parse(body, size, boundary, 8, &m, &err) == 0) {
		if (m.nparts > 8)
			abort();
		for (i = 0; i < m.nparts; i++) {
			p = &m.parts[i];
			if (p->name == NULL || p->data < body ||
			    p->len > size || p->data + p->len > body + size)
				abort();
			if (p->filename != NULL &&
			    (strchr(p->filename, '/') != NULL ||
			    strchr(p->filename, '\\') != NULL))
				abort(); /* paths are stripped */
			if (multipart_find(&m, p->name) == NULL)
				abort();
			/* Owned strings are whole and NUL-terminated. */
			(void)strlen(p->content_type != NULL ?
			    p->content_type : "");
		}
	} else if (err.code == ERR_NONE || (m.parts != NULL || m.nparts != 0))
		abort(); /* a failure says why and hands nothing back */
	multipart_free(&m);
	error_clear(&err);
	return 0;
}

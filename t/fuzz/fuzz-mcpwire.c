/*
 * fuzz-mcpwire.c: libFuzzer harness for lib/mcpwire, which reads every
 * byte an MCP client POSTs: parse the body, classify it with headers
 * taken from the input's first line, and build the answer.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "drio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * The input is "VERSION|METHOD|NAME\n" then the body; a missing part is
 * an absent header.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mcpwire_message msg = { 0 };
	struct mcpwire_fault fault = { 0 };
	struct mcpwire_headers h = { NULL, NULL, NULL };
	enum mcpwire_era era;
	const char *body = (const char *)data, *version;
	char line[256], *fields[3] = { NULL, NULL, NULL }, *p, *next;
	size_t n = 0;
	json_object *answer = NULL;
	const uint8_t *nl = memchr(data, '\n', size < 255 ? size : 255);

	if (nl != NULL) {
		memcpy(line, data, (size_t)(nl - data));
		line[nl - data] = '\0';
		body = (const char *)nl + 1;
		size -= (size_t)(nl - data) + 1;
		for (p = line; n < 3 && p != NULL; p = next) {
			next = strchr(p, '|');
			if (next != NULL)
				*next++ = '\0';
			fields[n++] = p[0] != '\0' ? p : NULL;
		}
		h.protocol_version = fields[0];
		h.method = fields[1];
		h.name = fields[2];
	}
	if (mcpwire_parse(body, size, &msg, &fault) == 0 &&
	    mcpwire_classify(&msg, &h, &era, &fault) == 0) {
		if (era == MCPWIRE_LEGACY && mcpwire_check_legacy(&msg,
		    h.protocol_version, NULL, &version, &fault) != 0)
			answer = mcpwire_fault_response(&fault);
		else if (msg.id != NULL)
			answer = mcpwire_error_response(msg.id,
			    MCPWIRE_METHOD_NOT_FOUND, "x", NULL);
	} else
		answer = mcpwire_fault_response(&fault);
	if (answer != NULL)
		(void)json_object_to_json_string(answer);
	json_object_put(answer);
	mcpwire_fault_clear(&fault);
	mcpwire_message_clear(&msg);
	return 0;
}

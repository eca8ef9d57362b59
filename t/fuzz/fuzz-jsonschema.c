/*
 * fuzz-jsonschema.c: libFuzzer harness for lib/jsonschema, which checks
 * every tools/call's arguments (from any MCP client) against a schema (a
 * tool builder's): the input is a schema and an instance, both JSON,
 * separated by the first newline.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "drio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	const uint8_t *nl = memchr(data, '\n', size);
	json_object *schema, *instance;
	struct error err = { 0 };

	if (nl == NULL)
		return 0;
	schema = json_parse_exact(text, (size_t)(nl - data), 32);
	instance = json_parse_exact((const char *)nl + 1,
	    size - (size_t)(nl - data) - 1, 32);
	if (schema != NULL)
		(void)jsonschema_check(schema, instance, &err);
	error_clear(&err);
	json_object_put(instance);
	json_object_put(schema);
	return 0;
}

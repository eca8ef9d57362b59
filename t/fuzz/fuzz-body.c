/*
 * fuzz-body.c: libFuzzer harness for JSON body validation, which parses
 * every byte a client sends as a request body.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "drio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const roles[] = { "admin", "normal", NULL };
static const struct valid_field fields[] = {
	{ .name = "email", .type = VALID_EMAIL, .required = true },
	{ .name = "role", .type = VALID_ENUM, .required = true,
	  .choices = roles },
	{ .name = "count", .type = VALID_INT, .min = -5, .max = 5 },
	{ .name = "flag", .type = VALID_BOOL },
	{ .name = "label", .type = VALID_STRING, .min = 1, .max = 8 },
};
#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct request req;
	struct valid_value values[NFIELDS];
	struct error err = { 0 };

	memset(&req, 0, sizeof(req));
	req.arena = arena_new();
	req.body = arena_strndup(req.arena, (const char *)data, size);
	req.body_len = size;
	if (req.body != NULL)
		(void)valid_body(&req, fields, NFIELDS, values, &err);
	error_clear(&err);
	http_request_end(&req);
	return 0;
}

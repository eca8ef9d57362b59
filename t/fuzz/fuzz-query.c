/*
 * fuzz-query.c: libFuzzer harness for the query-string parser and the
 * query validator, which see every byte a client puts after '?'.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "drio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const colours[] = { "red", "green", NULL };
static const struct valid_field fields[] = {
	PAGE_QUERY_FIELDS(20),
	{ .name = "name", .type = VALID_STRING, .max = 16 },
	{ .name = "colour", .type = VALID_ENUM, .choices = colours },
	{ .name = "id", .type = VALID_UUID },
	{ .name = "flag", .type = VALID_BOOL },
	{ .name = "email", .type = VALID_EMAIL },
};
#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct request req;
	struct valid_value values[NFIELDS];
	struct error err = { 0 };
	char *raw;

	memset(&req, 0, sizeof(req));
	req.arena = arena_new();
	raw = arena_strndup(req.arena, (const char *)data, size);
	if (raw != NULL && http_parse_query(req.arena, raw, &req.query,
	    &req.nquery, &err) == 0)
		(void)valid_query(&req, fields, NFIELDS, values, &err);
	error_clear(&err);
	http_request_end(&req);
	return 0;
}

/*
 * fuzz-router.c: libFuzzer harness for path decoding and routing, which
 * see every request path.  The first byte picks the method.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "drio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
handler(struct request *req, struct error *err)
{
	(void)req;
	(void)err;
	return 0;
}

static const struct route routes[] = {
	{ "GET", "/v1/a", handler, ROUTE_PUBLIC, NULL, 0, NULL, 0, ROUTE_API },
	{ "GET", "/v1/w/{id:uuid}", handler, ROUTE_PUBLIC, NULL, 0, NULL, 0, ROUTE_API },
	{ "POST", "/v1/w/{id:uuid}/m/{m}", handler, ROUTE_PUBLIC, NULL, 0,
	  NULL, 0, ROUTE_API },
	{ "DELETE", "/v1/w/{id:uuid}/m/{m}", handler, ROUTE_PUBLIC, NULL, 0,
	  NULL, 0, ROUTE_API },
	{ "PUT", "/v1/{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}/{i}", handler,
	  ROUTE_PUBLIC, NULL, 0, NULL, 0, ROUTE_API },
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const methods[] = { "GET", "POST", "DELETE", "PUT" };
	struct http_param params[HTTP_MAX_PATH_PARAMS];
	struct error err = { 0 };
	struct arena *arena;
	size_t nparams = 0;
	char *path;

	if (size < 1)
		return 0;
	arena = arena_new();
	path = arena_strndup(arena, (const char *)data + 1, size - 1);
	if (path != NULL && http_percent_decode(path, false) >= 0)
		(void)router_match(routes, sizeof(routes) / sizeof(routes[0]),
		    methods[data[0] % 4], path, arena, params, &nparams, &err);
	error_clear(&err);
	arena_free(arena);
	return 0;
}

/*
 * router.h: a responder's route table and the matcher over it.
 *
 * A route is a method, a path pattern and a handler, plus what the
 * handler needs checked before it runs: authentication and the declared
 * query and body fields.  Patterns are literal segments and {name}
 * parameters; {name:uuid} matches only a UUID, so a malformed id is a 404
 * like any other unknown path; a final {name*} matches the rest of the
 * path, slashes included, even when empty.  The method "*" serves every
 * method.  A path that matches some pattern under
 * another method is a 405 with Allow.  HEAD is served by GET routes (the
 * reply then carries headers only), and Allow names it beside GET.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef DRIO_ROUTER_H
#define DRIO_ROUTER_H

#include <stddef.h>

#include "error.h"
#include "http.h"
#include "valid.h"

enum route_auth {
	ROUTE_PUBLIC = 0, /* no credentials needed or read */
	ROUTE_BEARER      /* a valid bearer token, else 401 */
};

/* What a route speaks: it decides how inputs are read and errors shown. */
enum route_kind {
	ROUTE_API = 0, /* JSON body; unknown inputs refused; ErrorBody */
	ROUTE_OAUTH,   /* form body; unknown inputs ignored; RFC 6749 errors */
	ROUTE_PAGE,    /* form body; unknown inputs ignored; HTML error page */
	ROUTE_RETIRED, /* a retired API: inputs never read; ErrorBody */
	ROUTE_RAW,     /* the handler reads the body; unknown query
	                * parameters ignored; ErrorBody (MCP's JSON-RPC) */
	ROUTE_UPLOAD   /* a file upload: the body (up to upload_max_bytes,
	                * not max_body_bytes) is the handler's to read;
	                * unknown query parameters refused; ErrorBody */
};

struct route {
	const char *method;
	const char *pattern;
	int (*handler)(struct request *req, struct error *err);
	enum route_auth auth;
	const struct valid_field *query;  /* declared query fields */
	size_t nquery;
	const struct valid_field *body;   /* declared body fields */
	size_t nbody;
	enum route_kind kind;
};

/* Declare a field table for a route: ROUTE_FIELDS(table). */
#define ROUTE_FIELDS(table) (table), (sizeof(table) / sizeof((table)[0]))
#define ROUTE_NO_FIELDS NULL, 0

/*
 * Find the route for method and path.  On a match, returns its index and
 * writes its path parameters (copied into arena, percent-decoded already
 * since path is) to params/nparams.  Otherwise returns -1 with err set to
 * ERR_NOT_FOUND, or ERR_METHOD_NOT_ALLOWED with err->allow listing the
 * methods that path accepts.
 */
int router_match(const struct route *routes, size_t nroutes,
    const char *method, const char *path, struct arena *arena,
    struct http_param *params, size_t *nparams, struct error *err);

#endif

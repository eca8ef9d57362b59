/*
 * http.h: one HTTP request as a responder sees it, and the only ways to
 * answer it.
 *
 * http_request_begin() reads the FastCGI parameters into a struct request
 * whose strings live in the request's arena: method, path, the query
 * string split and percent-decoded, the request id.  The body is read on
 * demand with a cap.  Handlers answer with http_reply_json(); errors are
 * turned into ErrorBody responses by http_reply_error() and nowhere else.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef DRIO_HTTP_H
#define DRIO_HTTP_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "auth.h"
#include "error.h"

#define HTTP_MAX_PATH_PARAMS 8
#define HTTP_REQUEST_ID_MAX  64

struct config;
struct route;
struct valid_value;
typedef struct FCGX_Request FCGX_Request;

/* A name and its (decoded) value; both live in the request arena. */
struct http_param {
	const char *name;
	const char *value;
};

struct request {
	struct arena *arena;         /* freed when the response is written */
	FCGX_Request *fcgi;          /* NULL outside a FastCGI request */
	const struct config *config; /* the process's configuration */

	const char *method;          /* "GET", "POST", ... */
	const char *path;            /* percent-decoded, no query string */
	struct http_param *query;    /* decoded query parameters, in order */
	size_t nquery;
	struct http_param params[HTTP_MAX_PATH_PARAMS]; /* from the route */
	size_t nparams;
	char *body;                  /* NUL-terminated; NULL until read */
	size_t body_len;
	char request_id[HTTP_REQUEST_ID_MAX + 1];

	/* Filled by the responder before the handler runs. */
	const struct route *route;
	struct valid_value *query_values; /* one per route->query field */
	struct valid_value *body_values;  /* one per route->body field */
	json_object *body_json;           /* parsed body, owned here */
	bool authenticated;
	struct auth_identity identity;

	/* Response state. */
	int status;                  /* 0 until a response is written */
	long long start_us;          /* monotonic start, for the log line */
};

/*
 * Fill req from a FastCGI request: method, path, query, request id.  The
 * caller owns req->arena (already created) and frees it after the reply.
 * Returns 0, or -1 and err (400 for a malformed query string).
 */
int http_request_begin(struct request *req, FCGX_Request *fcgi,
    const struct config *config, struct error *err);

/* Release what the request holds (parsed body, arena).  Can't fail. */
void http_request_end(struct request *req);

/*
 * The value of request header name ("Authorization", "Content-Type"), or
 * NULL.  Header names are matched as FastCGI passes them (HTTP_*).
 */
const char *http_header(const struct request *req, const char *name);

/* The value of path parameter name from the matched route, or NULL. */
const char *http_path_param(const struct request *req, const char *name);

/*
 * Read the request body, refusing more than max_bytes with 413.  Sets
 * req->body (NUL-terminated, in the arena) and body_len.  Returns 0, or
 * -1 and err.
 */
int http_read_body(struct request *req, long long max_bytes,
    struct error *err);

/*
 * Split a raw query string into decoded parameters allocated in arena.
 * '+' means space; a malformed %-escape or a NUL byte is an error.
 * Returns 0 with out and count set (count may be 0), or -1 and err (400).
 */
int http_parse_query(struct arena *arena, const char *raw,
    struct http_param **out, size_t *count, struct error *err);

/*
 * Percent-decode s in place.  plus_is_space turns '+' into ' '.  Returns
 * the decoded length, or -1 when an escape is malformed or decodes to NUL.
 */
long http_percent_decode(char *s, bool plus_is_space);

/*
 * Answer with status and body as compact JSON.  Takes ownership of body
 * (released on every path).  Adds X-Request-Id, and Cache-Control:
 * no-store when the request was authenticated or asked for it.
 * Returns 0, or -1 when the client has gone.
 */
int http_reply_json(struct request *req, int status, json_object *body);

/*
 * Answer with an ErrorBody built from err: its status, code, message,
 * hint and details, plus Allow (405) and WWW-Authenticate (401).  The one
 * place an error becomes a response.  Returns 0, or -1 when the client
 * has gone.
 */
int http_reply_error(struct request *req, const struct error *err);

/* Name of an HTTP status ("Not Found").  Can't fail. */
const char *http_status_text(int status);

#endif

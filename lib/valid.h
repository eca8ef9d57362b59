/*
 * valid.h: declarative input validation, as kcgi does it.  A route
 * declares its query and body fields in a static table; valid_query() and
 * valid_body() check the request against the table and hand the handler
 * typed values.  Unknown fields are refused.  Every failure is collected
 * into one 422 ErrorBody whose details say where ({loc}), what (msg) and
 * which rule (type), so a client can fix all of them at once.
 *
 * Validators are pure: no I/O and no database.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef DRIO_VALID_H
#define DRIO_VALID_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "error.h"

struct request;

enum valid_type {
	VALID_STRING, /* length in [min, max] characters (max 0: 1024) */
	VALID_INT,    /* integer in [min, max] */
	VALID_BOOL,   /* true/false (query: true, false, 1, 0) */
	VALID_ENUM,   /* one of choices */
	VALID_UUID,   /* canonical 8-4-4-4-12 hex */
	VALID_EMAIL,  /* local@domain, at most 254 characters */
	VALID_STRING_ARRAY, /* JSON bodies: [min, max] strings, each of at
	                     * most 2000 characters (json holds the array) */
	VALID_OBJECT,  /* JSON bodies: any object (json holds it) */
	VALID_ARRAY,   /* JSON bodies: an array of [min, max] items (max 0:
	                * any number; json holds it) */
	VALID_URL      /* an absolute http or https URL with a host, no
	                * spaces, at most max (0: 2048) characters */
};

struct valid_field {
	const char *name;
	enum valid_type type;
	bool required;
	long long min;              /* INT value / STRING length bounds */
	long long max;
	const char *const *choices; /* ENUM: NULL-terminated list */
	bool has_default;           /* INT: use default_int when absent */
	long long default_int;
};

/* A validated value.  str lives in the request arena (or the body JSON). */
struct valid_value {
	bool present;      /* given by the client (or defaulted) */
	const char *str;   /* STRING, ENUM, UUID, EMAIL */
	long long integer; /* INT */
	bool boolean;      /* BOOL */
	json_object *json; /* STRING_ARRAY, OBJECT, ARRAY: the value, owned
	                    * by the body */
};

/*
 * Validate req's query parameters against fields into out (n entries, in
 * the table's order).  Unknown and repeated parameters are refused, and
 * values must be valid UTF-8.
 * Returns 0, or -1 and err (422 with details).
 */
int valid_query(const struct request *req, const struct valid_field *fields,
    size_t n, struct valid_value *out, struct error *err);

/*
 * Parse req->body as a JSON object and validate it against fields into
 * out.  An empty body counts as {} (so required fields are reported
 * missing); null for an optional field counts as absent; text must be
 * valid UTF-8.  Sets req->body_json (owned by the request).  Returns 0,
 * or -1 and err: 415 when the Content-Type is not JSON, 400 invalid_json
 * when the body is not a JSON object, 422 otherwise.
 */
int valid_body(struct request *req, const struct valid_field *fields,
    size_t n, struct valid_value *out, struct error *err);

/*
 * The lenient forms, for OAuth endpoints and pages, whose protocols say
 * unknown parameters are ignored: valid_query_lenient() is valid_query()
 * that skips unknown names; valid_form() validates req->form (see
 * http_parse_form) the same way, reporting under "body";
 * valid_body_lenient() is valid_body() that skips unknown members.
 * Repeated parameters are still refused.  Same returns as above.
 */
int valid_query_lenient(const struct request *req,
    const struct valid_field *fields, size_t n, struct valid_value *out,
    struct error *err);
int valid_form(const struct request *req, const struct valid_field *fields,
    size_t n, struct valid_value *out, struct error *err);
int valid_body_lenient(struct request *req, const struct valid_field *fields,
    size_t n, struct valid_value *out, struct error *err);

/* Is s a canonical UUID (36 characters, hex and dashes)? */
bool valid_is_uuid(const char *s);

/* Is s an email address drio accepts (local@domain.tld, no spaces)? */
bool valid_is_email(const char *s);

/* Is s an absolute http(s) URL with a host and no spaces or controls? */
bool valid_is_http_url(const char *s);

#endif

/*
 * page.h: the one shape of every list response,
 * {data, page, limit, total, has_more}, and the query fields that ask for
 * a page.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef DRIO_PAGE_H
#define DRIO_PAGE_H

#include <json-c/json.h>

#include "db.h"

#define PAGE_MAX      100000
#define PAGE_LIMIT_MAX 200

/* The page and limit query fields, for a route's query table. */
#define PAGE_QUERY_FIELDS(default_limit)                                   \
	{ .name = "page", .type = VALID_INT, .min = 1, .max = PAGE_MAX,    \
	  .has_default = true, .default_int = 1 },                         \
	{ .name = "limit", .type = VALID_INT, .min = 1,                    \
	  .max = PAGE_LIMIT_MAX, .has_default = true,                      \
	  .default_int = (default_limit) }

/*
 * Wrap data (a json-c array, ownership taken) into the list envelope.
 * Returns a new object, or NULL when memory is exhausted (data released).
 */
json_object *page_envelope(json_object *data, long long page,
    long long limit, long long total);

/* The row offset of a page: (page - 1) * limit.  Can't fail. */
long long page_offset(long long page, long long limit);

/*
 * Run page_stmt, whose last column is count(*) OVER () and whose last two
 * of nparams parameters are filled here with limit and offset, and find
 * the total even past the end (then count_stmt, taking the first
 * nparams - 2 parameters, tells).  The last two entries of params point
 * at this function's own buffers afterwards: do not use them.  Returns 0
 * with *res (caller clears) and *total, or -1 and err.
 */
int page_fetch(const struct db_statement *page_stmt,
    const struct db_statement *count_stmt, const char **params, int nparams,
    long long page, long long limit, PGresult **res, long long *total,
    struct error *err);

/*
 * page_fetch(), then one JSON object per row made by from_row (which
 * reads row of res and returns a new object).  Returns 0 with a new
 * *list and *total, or -1 and err (then *list is NULL).
 */
int page_fetch_list(const struct db_statement *page_stmt,
    const struct db_statement *count_stmt, const char **params, int nparams,
    long long page, long long limit,
    json_object *(*from_row)(const PGresult *res, int row),
    json_object **list, long long *total, struct error *err);

#endif

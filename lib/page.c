/*
 * page.c: the list envelope and paged queries (see page.h).
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>

#include "page.h"

json_object *
page_envelope(json_object *data, long long page, long long limit,
    long long total)
{
	json_object *body;

	body = json_object_new_object();
	if (body == NULL) {
		json_object_put(data);
		return NULL;
	}
	json_object_object_add(body, "data", data);
	json_object_object_add(body, "page", json_object_new_int64(page));
	json_object_object_add(body, "limit", json_object_new_int64(limit));
	json_object_object_add(body, "total", json_object_new_int64(total));
	json_object_object_add(body, "has_more",
	    json_object_new_boolean(page * limit < total));
	return body;
}

long long
page_offset(long long page, long long limit)
{
	return (page - 1) * limit;
}

/*
 * Run a page statement whose last column is count(*) OVER () and whose
 * last two parameters are limit and offset, and find the total even past
 * the end (then count_stmt, with the same first nparams - 2 parameters,
 * tells).  Returns 0 with *res and *total, or -1 and err.
 */
int
page_fetch(const struct db_statement *page_stmt,
    const struct db_statement *count_stmt, const char **params, int nparams,
    long long page, long long limit, PGresult **res, long long *total,
    struct error *err)
{
	char limit_text[24], offset_text[24];
	PGresult *count_res;

	snprintf(limit_text, sizeof(limit_text), "%lld", limit);
	snprintf(offset_text, sizeof(offset_text), "%lld",
	    page_offset(page, limit));
	params[nparams - 2] = limit_text;
	params[nparams - 1] = offset_text;
	if (db_exec(page_stmt, nparams, params, res, err) != 0)
		return -1;
	*total = 0;
	if (PQntuples(*res) > 0) {
		*total = db_int(*res, 0, PQnfields(*res) - 1);
		return 0;
	}
	if (page == 1)
		return 0;
	if (db_exec(count_stmt, nparams - 2, params, &count_res, err) != 0) {
		PQclear(*res);
		*res = NULL;
		return -1;
	}
	*total = db_int(count_res, 0, 0);
	PQclear(count_res);
	return 0;
}

int
page_fetch_list(const struct db_statement *page_stmt,
    const struct db_statement *count_stmt, const char **params, int nparams,
    long long page, long long limit,
    json_object *(*from_row)(const PGresult *res, int row),
    json_object **list, long long *total, struct error *err)
{
	PGresult *res;
	int i;

	*list = NULL;
	if (page_fetch(page_stmt, count_stmt, params, nparams, page, limit,
	    &res, total, err) != 0)
		return -1;
	*list = json_object_new_array();
	for (i = 0; i < PQntuples(res); i++)
		json_object_array_add(*list, from_row(res, i));
	PQclear(res);
	return 0;
}

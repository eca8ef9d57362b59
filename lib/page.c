/*
 * page.c: the list envelope (see page.h).
 *
 * SPDX-License-Identifier: MIT
 */
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

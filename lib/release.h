/*
 * release.h: publishing.  A release is an immutable, numbered snapshot
 * of an app's resolved runtime configuration (appconfig.h) with its
 * SHA-256, publisher and time.  Publishing validates the current draft,
 * freezes release N+1 and rotates the app to a successor draft that
 * holds the same content under a new draft id and the next revision.
 *
 * Two publishes of the same draft never both succeed: the draft row is
 * locked by id, so the one that waited finds the draft already replaced
 * (ERR_DRAFT_ALREADY_PUBLISHED).  A draft that resolves to the latest
 * release's configuration is not published again (ERR_RELEASE_UNCHANGED).
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef DRIO_RELEASE_H
#define DRIO_RELEASE_H

#include <json-c/json.h>

#include "error.h"

struct release_request {
	const char *app_id;
	const char *account_id;   /* the publisher */
	long long expected;       /* expected draft revision, -1: any */
	const char *notes;        /* may be NULL */
};

/*
 * Publish app_id's current draft in its own transaction.  Returns 0 with
 * a new *release (release_json's shape, with the successor draft under
 * "draft": {id, revision}), or -1 and err: ERR_DRAFT_INVALID with
 * details {valid, errors, warnings}, ERR_REVISION_CONFLICT,
 * ERR_DRAFT_ALREADY_PUBLISHED, ERR_RELEASE_UNCHANGED, ERR_APP_NOT_FOUND
 * or a database error.
 */
int release_publish(const struct release_request *rq, json_object **release,
    struct error *err);

/*
 * Validate app_id's current draft and remember the result on the draft
 * (authoring state shows it).  Returns 0 with a new *result ({valid,
 * errors, warnings, draft_revision}), or -1 and err.
 */
int release_validate_draft(const char *app_id, json_object **result,
    struct error *err);

/*
 * The releases of app_id, newest first, without their configurations,
 * paged.  Returns 0 with a new *list and *total, or -1 and err.
 */
int release_list(const char *app_id, long long page, long long limit,
    json_object **list, long long *total, struct error *err);

/*
 * Release number of app_id, with its configuration.  Returns 0 with a new
 * *release, or -1 and err (ERR_RELEASE_NOT_FOUND).
 */
int release_get(const char *app_id, long long number, json_object **release,
    struct error *err);

#endif

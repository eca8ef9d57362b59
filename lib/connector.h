/*
 * connector.h: the connector catalog (docs/connectors.md is the
 * contract).  A connector is a JSON manifest shipped in connectors/ that
 * says how a workspace connects to one service: the form it fills in,
 * how its credentials are checked (the verify request), how OAuth runs,
 * and where the service's operations come from.  drio-admin
 * load-connectors checks each file with connector_check() and stores it
 * in the connectors table; the management API lists the stored ones and
 * builds verify requests from them, never from the files.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef DRIO_CONNECTOR_H
#define DRIO_CONNECTOR_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "error.h"
#include "outbound.h"

#define CONNECTOR_FILE_MAX (256 * 1024)  /* bytes in one manifest file */
#define CONNECTOR_VALUE_MAX 4096         /* bytes in one submitted value */
#define CONNECTOR_MESSAGE_MAX 300        /* characters in a verify message */

/* The categories and auth modes a manifest may have, NULL-terminated. */
extern const char *const connector_categories[];
extern const char *const connector_auth_modes[];

/* connector_check_with() flags. */
#define CONNECTOR_ALLOW_HTTP 0x1  /* http:// verify, OAuth, MCP and
                                   * OpenAPI URLs pass (tests, local
                                   * development); https otherwise */

/* Filters of a connector list; NULL members do not filter. */
struct connector_filter {
	const char *category;
	const char *auth_mode;
	const char *q;             /* words in the name or description */
	long long page;
	long long limit;
};

/*
 * A verify request resolved from a manifest and submitted values: what
 * outbound_request() takes, and the submitted secret values (in the
 * forms they may come back in) that an answer's snippet must never show.
 * Everything is owned by the struct; release with
 * connector_request_free().
 */
struct connector_request {
	char *method;
	char *url;
	char **headers;            /* NULL-terminated "Name: value" lines */
	char *body;                /* NULL when the request has none */
	size_t body_len;
	json_object *ok_statuses;  /* the manifest's, a reference */
	char **secrets;            /* NULL-terminated; never shown */
};

/*
 * Check manifest (borrowed) against every rule of the manifest format
 * with flags 0.  See connector_check_with().
 */
int connector_check(json_object *manifest, const char *expected_id,
    struct error *err);

/*
 * Check manifest (borrowed) against every rule of the manifest format:
 * its members and their types, the closed lists, that each pattern
 * compiles as a POSIX extended regular expression, that each {{key}}
 * placeholder names a declared field, what each auth mode needs and
 * refuses, and that URLs are https (http too with CONNECTOR_ALLOW_HTTP).
 * When expected_id is not NULL the manifest's id must equal it (the file
 * name).  Pure.  Returns 0, or -1 and err: ERR_VALIDATION whose message
 * says what is wrong and whose one detail's loc is ["body", pointer],
 * pointer a JSON Pointer into manifest.
 */
int connector_check_with(json_object *manifest, const char *expected_id,
    unsigned int flags, struct error *err);

/*
 * The loaded connectors by name, as the list items {id, name,
 * description, category, auth_mode, brand_logo, brand_color}.  Returns 0
 * with a new *list and *total, or -1 and err.
 */
int connector_list(const struct connector_filter *filter, json_object **list,
    long long *total, struct error *err);

/*
 * The full manifest of loaded connector id.  Returns 0 with a new
 * *manifest, or -1 and err (ERR_CONNECTOR_NOT_FOUND).
 */
int connector_get(const char *id, json_object **manifest,
    struct error *err);

/*
 * Check the submitted values fields (a JSON object, borrowed; NULL is
 * {}) against the form of a checked manifest (borrowed): every key
 * declared, every value a string of at most CONNECTOR_VALUE_MAX bytes
 * without control characters, every required field present and not
 * empty, every value matching its field's pattern (whole value) and, for
 * a select, one of its options.  Pure.  Returns 0, or -1 and err:
 * ERR_BAD_REQUEST with one detail per fault, loc ["body",
 * "fields.KEY"]; a message never quotes a value.
 */
int connector_fields_check(json_object *manifest, json_object *fields,
    struct error *err);

/*
 * connector_fields_check(), then resolve the manifest's verify request
 * with the values: {{key}} in the URL percent-encoded (everything but
 * A-Z a-z 0-9 - . _ ~; a placeholder that is a host name label must be
 * a DNS label), in header values as they are, in the body escaped as
 * JSON string content, basic_auth made into an Authorization header.
 * An absent optional field resolves to "".  Pure.  Returns 0 with out
 * filled (release with connector_request_free), 1 when the manifest has
 * no probe to make (auth mode mcp_oauth, byo_oauth or none, or no verify
 * block; out is then zeroed), or -1 and err (ERR_BAD_REQUEST as above,
 * or ERR_INTERNAL when memory is exhausted; out zeroed).
 */
int connector_verify_request(json_object *manifest, json_object *fields,
    struct connector_request *out, struct error *err);

/* Release what a connector_request owns.  Accepts a zeroed struct. */
void connector_request_free(struct connector_request *request);

/*
 * The verify answer for the provider's response to request: {ok: true,
 * message: "..."} when its status is one of the manifest's ok_statuses,
 * else {ok: false, message} with the status and a snippet of the answer:
 * every secret of request replaced by "[redacted]", control characters
 * and invalid UTF-8 turned into blanks, blanks squeezed, the whole
 * message at most CONNECTOR_MESSAGE_MAX characters.  Returns a new
 * object, or NULL when memory is exhausted.
 */
json_object *connector_verify_result(const struct connector_request *request,
    const struct outbound_response *response);

/*
 * The verify answer of a manifest with no probe to make (see
 * connector_verify_request()): {ok: true, message}, the message saying
 * why no call was made.  Returns a new object, or NULL when memory is
 * exhausted.
 */
json_object *connector_verify_skipped(json_object *manifest);

#endif

/*
 * wicreds.c: the credentials of a workspace integration for one call
 * (see wicreds.h).
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "connector.h"
#include "db.h"
#include "install.h"
#include "jsonutil.h"
#include "oauthclient.h"
#include "wicreds.h"

/* How a header line carrying a bearer token begins. */
#define BEARER_LINE "Authorization: Bearer "

/* Wipe and free a NULL-terminated list of strings.  Accepts NULL. */
static void
lines_free(char **v)
{
	size_t i;

	for (i = 0; v != NULL && v[i] != NULL; i++) {
		explicit_bzero(v[i], strlen(v[i]));
		free(v[i]);
	}
	free(v);
}

void
wicreds_free(struct wicreds *out)
{
	if (out == NULL)
		return;
	lines_free(out->headers);
	lines_free(out->secrets);
	if (out->bearer != NULL) {
		explicit_bzero(out->bearer, strlen(out->bearer));
		free(out->bearer);
	}
	memset(out, 0, sizeof(*out));
}

/* A new NULL-terminated list of the one string s, or of none. */
static char **
lines_of(const char *s)
{
	char **v = calloc(2, sizeof(*v));

	if (v != NULL && s != NULL && (v[0] = strdup(s)) == NULL) {
		free(v);
		return NULL;
	}
	return v;
}

/* Make out carry no credential.  Returns 0, or -1 and err. */
static int
use_nothing(struct wicreds *out, struct error *err)
{
	if ((out->headers = lines_of(NULL)) == NULL ||
	    (out->secrets = lines_of(NULL)) == NULL)
		return error_set(err, ERR_INTERNAL, "out of memory");
	return 0;
}

/*
 * Make out carry bearer token as its only credential.  Returns 0, or -1
 * and err (ERR_INTERNAL).
 */
static int
use_bearer(struct wicreds *out, const char *token, struct error *err)
{
	size_t n = strlen(BEARER_LINE) + strlen(token) + 1;
	char *line = malloc(n);
	char **headers = NULL, **secrets = NULL, *bearer = NULL;

	if (line != NULL) {
		snprintf(line, n, BEARER_LINE "%s", token);
		headers = lines_of(line);
		explicit_bzero(line, n);
		free(line);
	}
	secrets = lines_of(token);
	bearer = strdup(token);
	if (headers == NULL || secrets == NULL || bearer == NULL) {
		lines_free(headers);
		lines_free(secrets);
		free(bearer);
		return error_set(err, ERR_INTERNAL, "out of memory");
	}
	lines_free(out->headers);
	lines_free(out->secrets);
	if (out->bearer != NULL) {
		explicit_bzero(out->bearer, strlen(out->bearer));
		free(out->bearer);
	}
	out->headers = headers;
	out->secrets = secrets;
	out->bearer = bearer;
	return 0;
}

/*
 * The headers of the verify request of manifest with the form's values
 * (fields, then secret, which wins) put in: a pat or conn_string
 * connector's way of taking its credentials.  Returns 0, or -1 and err.
 */
static int
use_manifest(struct wicreds *out, json_object *manifest, json_object *fields,
    json_object *secret, struct error *err)
{
	struct connector_request req = { 0 };
	json_object *values = json_object_new_object();
	size_t i;
	int rc = -1, got;

	if (values == NULL)
		return error_set(err, ERR_INTERNAL, "out of memory");
	{
		json_object_object_foreach(fields, k1, v1) {
			json_object_object_add(values, k1, json_object_get(v1));
		}
	}
	if (secret != NULL) {
		json_object_object_foreach(secret, k2, v2) {
			json_object_object_add(values, k2, json_object_get(v2));
		}
	}
	if ((got = connector_verify_request(manifest, values, &req,
	    err)) < 0) {
		/* Stored values the manifest no longer takes. */
		if (err->code == ERR_BAD_REQUEST)
			error_set(err, ERR_CONFLICT, "The integration's"
			    " stored values no longer fit its connector:"
			    " install it again.");
		goto out;
	}
	if (got == 1) {		/* no verify request: nothing to send */
		rc = use_nothing(out, err);
		goto out;
	}
	out->headers = req.headers;
	out->secrets = req.secrets;
	req.headers = req.secrets = NULL;
	/* An MCP server takes the bearer token alone. */
	for (i = 0; out->headers[i] != NULL; i++) {
		if (strncasecmp(out->headers[i], BEARER_LINE,
		    strlen(BEARER_LINE)) != 0)
			continue;
		if ((out->bearer = strdup(out->headers[i] +
		    strlen(BEARER_LINE))) == NULL) {
			error_set(err, ERR_INTERNAL, "out of memory");
			goto out;
		}
		break;
	}
	rc = 0;
out:
	connector_request_free(&req);
	json_object_put(values);
	return rc;
}

static const struct db_statement wicreds_row = {
	"wicreds_row",
	"SELECT w.name, w.auth_mode, w.status, w.fields, c.manifest"
	"  FROM workspace_integrations w"
	"  LEFT JOIN connectors c ON c.id = w.connector_id"
	" WHERE w.workspace_id = $1 AND w.id = $2"
};
enum { WR_NAME, WR_MODE, WR_STATUS, WR_FIELDS, WR_MANIFEST };

int
wicreds_open(struct vault *vault, const struct outbound_policy *policy,
    const char *workspace_id, const char *integration_id,
    struct wicreds *out, struct error *err)
{
	const char *params[] = { workspace_id, integration_id };
	json_object *fields = NULL, *manifest = NULL, *secret = NULL;
	const char *mode, *status, *text;
	char *token = NULL;
	PGresult *res = NULL;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (db_exec(&wicreds_row, 2, params, &res, err) != 0)
		return -1;
	if (PQntuples(res) != 1) {
		error_set(err, ERR_INTEGRATION_NOT_FOUND, "The workspace"
		    " integration is gone.");
		goto out;
	}
	mode = db_value(res, 0, WR_MODE);
	status = db_value(res, 0, WR_STATUS);
	if (strcmp(status, "connected") != 0) {
		error_set(err, ERR_CONFLICT, "Workspace integration '%s' is"
		    " %s, not connected.", db_value(res, 0, WR_NAME), status);
		goto out;
	}
	if (strcmp(mode, "byo_oauth") == 0 || strcmp(mode, "mcp_oauth") == 0) {
		if (oauthclient_access_token(vault, policy, workspace_id,
		    integration_id, &token, err) != 0 ||
		    use_bearer(out, token, err) != 0)
			goto out;
		out->oauth = true;
	} else if (strcmp(mode, "none") == 0) {
		if (use_nothing(out, err) != 0)
			goto out;
	} else {
		if (install_open_secret(vault, workspace_id, integration_id,
		    &secret, err) != 0)
			goto out;
		if ((text = db_value(res, 0, WR_MANIFEST)) == NULL) {
			/* A custom MCP server: its token, if it has one. */
			const char *t = json_get_string(secret, "token");

			if ((t != NULL ? use_bearer(out, t, err) :
			    use_nothing(out, err)) != 0)
				goto out;
		} else {
			manifest = json_parse_exact(text, strlen(text),
			    JSONUTIL_MAX_DEPTH);
			text = db_value(res, 0, WR_FIELDS);
			fields = json_parse_exact(text, strlen(text),
			    JSONUTIL_MAX_DEPTH);
			if (manifest == NULL || fields == NULL) {
				error_set(err, ERR_INTERNAL, "A stored manifest"
				    " or form is not JSON.");
				goto out;
			}
			if (use_manifest(out, manifest, fields, secret,
			    err) != 0)
				goto out;
		}
	}
	rc = 0;
out:
	if (rc != 0)
		wicreds_free(out);
	oauthclient_token_free(token);
	json_secret_free(secret);
	json_object_put(manifest);
	json_object_put(fields);
	PQclear(res);
	return rc;
}

int
wicreds_refresh(struct vault *vault, const struct outbound_policy *policy,
    const char *workspace_id, const char *integration_id,
    struct wicreds *out, struct error *err)
{
	char *token = NULL;
	int rc;

	if (oauthclient_refresh(vault, policy, workspace_id, integration_id,
	    &token, err) != 0)
		return -1;
	rc = use_bearer(out, token, err);
	oauthclient_token_free(token);
	return rc;
}

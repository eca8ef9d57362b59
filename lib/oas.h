/*
 * oas.h: discovering an upstream API's operations from its OpenAPI 3.0 or
 * 3.1 document, so that each can become an MCP tool (see tooldef.h).
 *
 * The caller has parsed the document (JSON or YAML) into json-c already;
 * oas_discover() only reads it.  Each operation comes back as a JSON
 * object with a stable key, its method and path, texts cut to size, and
 * one JSON Schema (2020-12, as MCP clients expect) for all its inputs,
 * with a map saying where each input goes in the HTTP request:
 *
 *     {"key": "get_users_by_id", "operation_id": null,
 *      "method": "GET", "path": "/users/{id}",
 *      "summary": "", "description": "", "deprecated": false,
 *      "input_schema": {"type": "object",
 *          "properties": {"id": {"type": "integer"}},
 *          "required": ["id"], "additionalProperties": false},
 *      "parameters": {"id": {"in": "path", "name": "id"}},
 *      "body_content_type": null}
 *
 * Every local $ref is resolved into a copy; cycles and nesting deeper
 * than OAS_SCHEMA_DEPTH_MAX are cut.  OAS_NODES_MAX bounds what a
 * hostile document can make drio build: each JSON value costs some 400
 * bytes, so a document that expands past it fails having used about
 * 400 MB at most.  What cannot be used (cookie parameters, references to
 * other files, unknown media types, TRACE operations) or has to be
 * changed (duplicate keys, recursive schemas, undeclared path variables)
 * gets a warning that points into the document.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef DRIO_OAS_H
#define DRIO_OAS_H

#include <json-c/json.h>

#include "error.h"

#define OAS_OPERATIONS_MAX   5000    /* operations per document */
#define OAS_PARAMETERS_MAX   1000    /* kept from one "parameters" */
#define OAS_NODES_MAX        1000000 /* JSON values built per document */
#define OAS_SCHEMA_DEPTH_MAX 32      /* schema nesting kept */
#define OAS_KEY_MAX          255     /* bytes in an operation key */
#define OAS_SUMMARY_MAX      1000    /* characters in a summary */
#define OAS_DESCRIPTION_MAX  8000    /* characters in a description */
#define OAS_WARNINGS_MAX     1000    /* warnings kept; then one more
                                      * says the rest were left out */

struct oas_info {
	char openapi[16];        /* "3.0.3", "3.1.0" */
	char title[256];         /* info.title, truncated on a UTF-8
	                          * boundary */
	char version[64];        /* info.version */
	char server_url[2048];   /* servers[0].url with its variables'
	                          * defaults substituted, "" if none */
};

/*
 * Discover the operations of the OpenAPI 3.0 or 3.1 document doc
 * (borrowed, not changed) and describe the document in info.
 *
 * An operation's key is its operationId, trimmed, or else derived from
 * method and path ("GET /users/{id}/repos" is get_users_by_id_repos); a
 * key already taken gets "_2", "_3", ...  Its inputs are the path item's
 * parameters merged with its own (the operation's win), cookies and the
 * Accept, Content-Type and Authorization headers left out, a name used
 * twice becoming "<in>_<name>" the second time; then the request body,
 * in the first of JSON, a URL-encoded form, multipart and anything else:
 * a plain object's properties become inputs of their own (required when
 * the schema and the body both say so), any other body one input
 * "body" (or "request_body").  Schemas become JSON Schema 2020-12:
 * nullable joins the type, example becomes examples, xml, externalDocs
 * and discriminator go, readOnly properties leave request bodies.
 *
 * Returns 0 with *operations a new JSON array of operation objects (the
 * keys of each are listed above; "parameters" maps every input_schema
 * property to {"in": "path"|"query"|"header"|"body", "name": ...}, query
 * parameters may add "style" and "explode", and a whole-body property has
 * no name) and *warnings a new JSON array of {"pointer": JSON Pointer
 * into doc, "message": ...}; the caller releases both with
 * json_object_put().  Returns -1 with both NULL and err set:
 * ERR_VALIDATION when doc is not an OpenAPI 3.0/3.1 document (a Swagger
 * 2.0 one gets a hint to convert it), has no "paths" object, has more
 * than OAS_OPERATIONS_MAX operations or expands past OAS_NODES_MAX; the
 * details locate the problem with a JSON Pointer under "body".
 * ERR_INTERNAL when memory is exhausted.
 */
int oas_discover(json_object *doc, json_object **operations,
    json_object **warnings, struct oas_info *info, struct error *err);

#endif

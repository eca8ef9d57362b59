/*
 * sealed.c: JSON objects sealed by the vault in bytea columns (see
 * sealed.h).
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "db.h"
#include "sealed.h"
#include "vault.h"

int
sealed_json_seal(struct vault *v, const char *aad, json_object *obj,
    char **bytea, struct error *err)
{
	const char *plain;
	unsigned char *sealed = NULL;
	size_t sealed_len;

	*bytea = NULL;
	if (v == NULL)
		return error_set(err, ERR_INTERNAL, "no vault to seal a secret"
		    " with");
	plain = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN);
	if (vault_seal(v, aad, plain, strlen(plain), &sealed, &sealed_len,
	    err) != 0)
		return -1;
	*bytea = db_bytea_text(sealed, sealed_len, err);
	free(sealed);
	return *bytea == NULL ? -1 : 0;
}

int
sealed_json_open(struct vault *v, const char *aad, const char *bytea,
    json_object **out, struct error *err)
{
	unsigned char *sealed;
	char *plain = NULL;
	size_t sealed_len, plain_len = 0;
	int rc = -1;

	*out = NULL;
	if (v == NULL)
		return error_set(err, ERR_INTERNAL, "no vault to open a secret"
		    " with");
	sealed = PQunescapeBytea((const unsigned char *)bytea, &sealed_len);
	if (sealed == NULL)
		return error_set(err, ERR_INTERNAL, "out of memory");
	if (vault_open(v, aad, sealed, sealed_len, &plain, &plain_len,
	    err) != 0)
		goto out;
	*out = json_tokener_parse(plain);
	if (*out == NULL || !json_object_is_type(*out, json_type_object)) {
		json_object_put(*out);
		*out = NULL;
		error_set(err, ERR_INTERNAL, "a stored secret is not a JSON"
		    " object");
		goto out;
	}
	rc = 0;
out:
	vault_plain_free(plain, plain_len);
	PQfreemem(sealed);
	return rc;
}

/*
 * sealed.h: a JSON object sealed by the vault (vault.h) and kept in a
 * bytea column: every secret drio stores (auth connection secrets,
 * workspace integration secrets and tokens, cached access tokens) goes
 * through these two, so sealing and opening are one code path.
 *
 * The associated data names the column and the row ("table.column:"
 * ids...), so a value moved to another row does not open; drio-admin
 * vault-rotate (admin/vault.c) builds the same strings in SQL.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef DRIO_SEALED_H
#define DRIO_SEALED_H

#include <json-c/json.h>

#include "error.h"

struct vault;

/*
 * Seal the JSON text of obj under aad: *bytea is the bytea text for a
 * query parameter (malloc'd; the caller frees).  Returns 0, or -1 and
 * err (ERR_INTERNAL without a vault, or the vault's errors).
 */
int sealed_json_seal(struct vault *v, const char *aad, json_object *obj,
    char **bytea, struct error *err);

/*
 * Open bytea (the bytea text PostgreSQL returned) under aad as a JSON
 * object into *out (a new object; wipe it with json_secret_free).
 * Returns 0, or -1 and err: ERR_INTERNAL without a vault, for a value
 * that is not a JSON object, or the vault's errors (a value moved from
 * another row, changed, or under an unknown key).
 */
int sealed_json_open(struct vault *v, const char *aad, const char *bytea,
    json_object **out, struct error *err);

#endif

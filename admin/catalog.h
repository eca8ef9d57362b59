/*
 * catalog.h: loading a directory of versioned JSON files (app templates,
 * connector manifests) into their table: every *.json file, named after
 * the id inside it, checked whole before it is stored; idempotent; a
 * changed file must raise its version.  One line per file on stdout
 * ("loaded ID (version N)", "unchanged ID (version N)", "refused FILE:
 * POINTER: MESSAGE"); a summary of refusals on stderr.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef DRIO_ADMIN_CATALOG_H
#define DRIO_ADMIN_CATALOG_H

#include <stddef.h>

#include <json-c/json.h>

#include "crypto.h"
#include "db.h"
#include "error.h"

/* One file on its way to the database. */
struct catalog_file {
	const char *file;          /* the file name */
	char id[64];               /* the file name without .json */
	char *text;                /* its bytes, NUL-terminated */
	size_t len;
	char sha256[CRYPTO_SHA256_HEX_LEN + 1];
	json_object *doc;          /* the parsed, checked document */
	long long version;
};

/* What is loaded, and how. */
struct catalog_kind {
	const char *plural;        /* "templates", for messages */
	const char *lock_key;      /* the advisory lock loaders share */
	size_t file_max;           /* bytes in one file */
	const struct db_statement *stored; /* version, sha256 WHERE id = $1 */
	/* Check doc, the file of id; 0, or -1 and err (a JSON Pointer in
	 * the first detail's loc[1] names the fault). */
	int (*check)(json_object *doc, const char *id, unsigned int flags,
	    struct error *err);
	/* Insert or update the row of a checked file.  0, or -1 and err. */
	int (*upsert)(const struct catalog_file *file, struct error *err);
};

/*
 * Load every *.json file of dir as kind, passing flags to its check.
 * Returns the exit status: 0 when every file loaded or was unchanged, 1
 * when one was refused or the database failed (said on stderr).
 */
int catalog_load(const struct catalog_kind *kind, const char *dir,
    unsigned int flags);

#endif

/*
 * connectors.c: drio-admin load-connectors (see admin/connectors.h): the
 * connector manifests of connectors_dir, checked with
 * connector_check_with() and loaded by admin/catalog.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>

#include "drio.h"
#include "admin/catalog.h"
#include "admin/connectors.h"

static const struct db_statement connector_stored = {
	"connector_stored",
	"SELECT version, sha256 FROM connectors WHERE id = $1"
};

static const struct db_statement connector_upsert = {
	"connector_upsert",
	"INSERT INTO connectors (id, version, name, description, category,"
	"       auth_mode, brand_logo, brand_color, manifest, sha256,"
	"       loaded_at)"
	" VALUES ($1, $2::integer, $3, $4, $5, $6, $7, $8, $9::jsonb, $10,"
	"         now())"
	" ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version,"
	"       name = EXCLUDED.name, description = EXCLUDED.description,"
	"       category = EXCLUDED.category,"
	"       auth_mode = EXCLUDED.auth_mode,"
	"       brand_logo = EXCLUDED.brand_logo,"
	"       brand_color = EXCLUDED.brand_color,"
	"       manifest = EXCLUDED.manifest,"
	"       sha256 = EXCLUDED.sha256, loaded_at = now()"
};

static int
connector_upsert_file(const struct catalog_file *f, struct error *err)
{
	char version[24];
	const char *params[] = { f->id, version,
	    json_get_string(f->doc, "name"),
	    json_get_string(f->doc, "description"),
	    json_get_string(f->doc, "category"),
	    json_get_string(f->doc, "auth_mode"),
	    json_get_string(f->doc, "brand_logo"),
	    json_get_string(f->doc, "brand_color"),
	    f->text, f->sha256 };

	snprintf(version, sizeof(version), "%lld", f->version);
	return db_exec(&connector_upsert, 10, params, NULL, err);
}

int
admin_load_connectors(const struct config *cfg, int argc, char **argv,
    struct error *err)
{
	static const struct catalog_kind connectors = {
		.plural = "connectors",
		.lock_key = "drio-admin load-connectors",
		.file_max = CONNECTOR_FILE_MAX,
		.stored = &connector_stored,
		.check = connector_check_with,
		.upsert = connector_upsert_file,
	};
	unsigned int flags = 0;

	(void)err;
	if (argc == 2 && strcmp(argv[1], "--allow-http") == 0) {
		flags |= CONNECTOR_ALLOW_HTTP;
	} else if (argc != 1) {
		fprintf(stderr, "usage: drio-admin load-connectors"
		    " [--allow-http]\n");
		return 2;
	}
	return catalog_load(&connectors, cfg->connectors_dir, flags);
}

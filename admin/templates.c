/*
 * templates.c: drio-admin load-templates (see admin/templates.h): the
 * app templates of templates_dir, checked with template_check() and
 * loaded by admin/catalog.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>

#include "drio.h"
#include "admin/catalog.h"
#include "admin/templates.h"

static const struct db_statement template_stored = {
	"template_stored",
	"SELECT version, sha256 FROM templates WHERE id = $1"
};

static const struct db_statement template_upsert = {
	"template_upsert",
	"INSERT INTO templates (id, name, description, category, mode, icon,"
	"       tags, version, definition, sha256, loaded_at)"
	" VALUES ($1, $2, $3, $4, $5, $6,"
	"         ARRAY(SELECT jsonb_array_elements_text($7::jsonb)),"
	"         $8::integer, $9::jsonb, $10, now())"
	" ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name,"
	"       description = EXCLUDED.description,"
	"       category = EXCLUDED.category, mode = EXCLUDED.mode,"
	"       icon = EXCLUDED.icon, tags = EXCLUDED.tags,"
	"       version = EXCLUDED.version,"
	"       definition = EXCLUDED.definition,"
	"       sha256 = EXCLUDED.sha256, loaded_at = now()"
};

static int
template_upsert_file(const struct catalog_file *f, struct error *err)
{
	char version[24];
	const char *params[] = { f->id,
	    json_get_string(f->doc, "name"),
	    json_get_string(f->doc, "description"),
	    json_get_string(f->doc, "category"),
	    json_get_string(f->doc, "mode"),
	    json_get_string(f->doc, "icon"),
	    json_text(json_get_array(f->doc, "tags")),
	    version, f->text, f->sha256 };

	snprintf(version, sizeof(version), "%lld", f->version);
	return db_exec(&template_upsert, 10, params, NULL, err);
}

static int
template_check_file(json_object *doc, const char *id, unsigned int flags,
    struct error *err)
{
	(void)flags;
	return template_check(doc, id, err);
}

int
admin_load_templates(const struct config *cfg, struct error *err)
{
	static const struct catalog_kind templates = {
		.plural = "templates",
		.lock_key = "drio-admin load-templates",
		.file_max = TEMPLATE_FILE_MAX,
		.stored = &template_stored,
		.check = template_check_file,
		.upsert = template_upsert_file,
	};

	(void)err;
	return catalog_load(&templates, cfg->templates_dir, 0);
}

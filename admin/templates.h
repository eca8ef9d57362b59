/*
 * templates.h: drio-admin's load-templates command, which checks every
 * *.json file of the configured templates directory (config key
 * templates_dir) against the template format and stores each in the
 * templates table:
 *
 *   drio-admin [-c PATH] load-templates
 *
 * docs/templates.md describes the format and the loader.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef DRIO_ADMIN_TEMPLATES_H
#define DRIO_ADMIN_TEMPLATES_H

#include "config.h"
#include "error.h"

/*
 * load-templates: check and store every template file of
 * cfg->templates_dir, printing one line per file: "loaded ID (version
 * N)", "unchanged ID (version N)" or "refused FILE: POINTER: MESSAGE".
 * A refused file changes nothing; the others are still loaded.  err is
 * scratch space.  Returns the exit status: 0 when none was refused, 1
 * when one was or the directory cannot be read (said on stderr).
 */
int admin_load_templates(const struct config *cfg, struct error *err);

#endif

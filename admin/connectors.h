/*
 * connectors.h: drio-admin's load-connectors command, which checks every
 * *.json file of the configured connectors directory (config key
 * connectors_dir) against the manifest format and stores each in the
 * connectors table:
 *
 *   drio-admin [-c PATH] load-connectors [--allow-http]
 *
 * docs/connectors.md describes the format and the loader.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef DRIO_ADMIN_CONNECTORS_H
#define DRIO_ADMIN_CONNECTORS_H

#include "config.h"
#include "error.h"

/*
 * load-connectors: check and store every manifest file of
 * cfg->connectors_dir, printing one line per file: "loaded ID (version
 * N)", "unchanged ID (version N)" or "refused FILE: POINTER: MESSAGE".
 * A refused file changes nothing; the others are still loaded.  argv[0]
 * is the command; the one option, --allow-http, lets verify, OAuth, MCP
 * and OpenAPI URLs be http as well as https (tests and local
 * development only).  err is scratch space.  Returns the exit status: 0
 * when none was refused, 1 when one was or the directory cannot be read
 * (said on stderr), 2 on a usage error.
 */
int admin_load_connectors(const struct config *cfg, int argc, char **argv,
    struct error *err);

#endif

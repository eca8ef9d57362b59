/*
 * vault.h: drio-admin's vault commands, which look after the key file
 * (config key vault_key_file) and the secrets sealed under its keys:
 *
 *   drio-admin [-c PATH] vault-init
 *   drio-admin [-c PATH] vault-add-key
 *   drio-admin [-c PATH] vault-rotate [--current-key]
 *
 * docs/vault.md is the operator's guide.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef DRIO_ADMIN_VAULT_H
#define DRIO_ADMIN_VAULT_H

#include "config.h"
#include "error.h"

/*
 * vault-init: create cfg->vault_key_file with one fresh key (mode 0600;
 * its directory must exist; an existing file is never touched) and print
 * the key's id, never the key.  err is scratch space.  Returns the exit
 * status: 0 done, 1 failed (said on stderr).
 */
int admin_vault_init(const struct config *cfg, struct error *err);

/*
 * vault-add-key: append a fresh key to cfg->vault_key_file, which makes
 * it the current key, and print its id.  err is scratch space.  Returns
 * the exit status: 0 done, 1 failed (said on stderr).
 */
int admin_vault_add_key(const struct config *cfg, struct error *err);

/*
 * vault-rotate [--current-key]: append a fresh key (unless --current-key
 * is given), then re-encrypt every stored secret that another key sealed
 * under the current key, in batches of one transaction each, so that the
 * service keeps running.  Prints counts per column.  argv[0] is the
 * command.  err is scratch space.  Returns the exit status: 0 done, 1
 * failed or some values could not be opened (said on stderr), 2 usage.
 */
int admin_vault_rotate(const struct config *cfg, int argc, char **argv,
    struct error *err);

#endif

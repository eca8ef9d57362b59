/*
 * upstreamslot.h: bounding how many calls wait on one upstream at once,
 * over every instance.  A slot is a PostgreSQL session-level advisory
 * lock on (the integration, a slot number below the bound), held on the
 * process's connection while the call runs: no table, no write, and a
 * process that dies mid-call frees its slot with its connection.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef DRIO_UPSTREAMSLOT_H
#define DRIO_UPSTREAMSLOT_H

#include "error.h"

/*
 * Take a free one of the limit slots of key (an integration id) into
 * *slot.  Returns 0, or -1 and err: ERR_TOO_MANY_REQUESTS when every slot
 * is taken (retry_after 1), or a database error.  limit <= 0 takes no
 * slot (*slot -1) and always succeeds.
 */
int upstreamslot_take(const char *key, long long limit, int *slot,
    struct error *err);

/*
 * Give back slot of key (from upstreamslot_take; -1 does nothing).  A
 * failure is logged: the slot is freed with the connection at the
 * latest.  Can't fail.
 */
void upstreamslot_give(const char *key, int slot);

#endif

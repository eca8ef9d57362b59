/*
 * responder.h: the life of a responder process, shared by every fcgi/
 * program.  A responder is a name and a route table; responder_main()
 * does the rest: options (-c PATH, --listen PATH, --workers N), the
 * listening socket (fd 0 as spawn-fcgi hands it, systemd's LISTEN_FDS, or
 * a unix socket it makes), worker processes, the accept loop, routing,
 * authentication, validation, the handler, the reply and the log line.
 *
 * SIGTERM or SIGINT lets the request in flight finish, then the worker
 * exits; the parent waits for its workers.  A worker that dies is
 * replaced.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef DRIO_RESPONDER_H
#define DRIO_RESPONDER_H

#include <stdbool.h>
#include <stddef.h>

#include "router.h"

struct responder {
	const char *name;            /* "openapi": logs and usage */
	const struct route *routes;
	size_t nroutes;
	bool uses_vault;             /* load vault_key_file at start */
	bool async_commit;           /* every write is bookkeeping:
	                              * db_async_commit() */
};

/* Run the responder; returns the process exit status. */
int responder_main(const struct responder *responder, int argc,
    char **argv);

#endif

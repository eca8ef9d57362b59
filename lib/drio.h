/*
 * drio.h: the whole public interface of drio's shared library, for
 * responders and tools.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef DRIO_DRIO_H
#define DRIO_DRIO_H

#include "arena.h"
#include "auth.h"
#include "config.h"
#include "crypto.h"
#include "db.h"
#include "error.h"
#include "http.h"
#include "log.h"
#include "html.h"
#include "outbound.h"
#include "page.h"
#include "ratelimit.h"
#include "responder.h"
#include "router.h"
#include "valid.h"

#endif

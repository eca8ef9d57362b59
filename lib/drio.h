/*
 * drio.h: the whole public interface of drio's shared library, for
 * responders and tools.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef DRIO_DRIO_H
#define DRIO_DRIO_H

#include "access.h"
#include "appconfig.h"
#include "appstore.h"
#include "appwrite.h"
#include "arena.h"
#include "auth.h"
#include "authconn.h"
#include "config.h"
#include "connector.h"
#include "crew.h"
#include "crypto.h"
#include "db.h"
#include "draft.h"
#include "error.h"
#include "http.h"
#include "integration.h"
#include "log.h"
#include "mcpauth.h"
#include "mcpapp.h"
#include "mcpclient.h"
#include "mcpconnect.h"
#include "mcpresources.h"
#include "mcpsession.h"
#include "mcpwire.h"
#include "html.h"
#include "install.h"
#include "installsync.h"
#include "jsonschema.h"
#include "jsonutil.h"
#include "oas.h"
#include "oauthclient.h"
#include "outbound.h"
#include "page.h"
#include "ratelimit.h"
#include "release.h"
#include "responder.h"
#include "sanitise.h"
#include "router.h"
#include "template.h"
#include "toolcalls.h"
#include "tooldef.h"
#include "toolexec.h"
#include "toolwrite.h"
#include "valid.h"
#include "vault.h"
#include "widget.h"
#include "yaml.h"

#endif

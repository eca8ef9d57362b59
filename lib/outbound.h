/*
 * outbound.h: the one way drio calls out over HTTP.  libcurl with
 * connect and total timeouts, a cap on the answer's size, no redirects
 * followed, no proxy taken from the environment, only http and https,
 * and TLS verification on.
 *
 * XXX: the SSRF guard (refusing private, loopback and metadata addresses
 * unless allowed by config, pinning the checked address) belongs here
 * and lands with the connector catalog.  Until then, callers must only
 * reach URLs the operator configured (the upstream OpenID provider).
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef DRIO_OUTBOUND_H
#define DRIO_OUTBOUND_H

#include <stddef.h>

#include "error.h"

#define OUTBOUND_MAX_BODY (1024 * 1024)

struct outbound_response {
	long status;         /* HTTP status */
	char *body;          /* NUL-terminated; malloc'd */
	size_t len;
};

/*
 * Send method to url with extra header lines (NULL-terminated list of
 * "Name: value", or NULL) and body (NULL for none).  Returns 0 and fills
 * out (release with outbound_response_free) whatever the status, or -1
 * and err when no answer came: ERR_UPSTREAM_UNAVAILABLE (502), with the
 * reason in the log.
 */
int outbound_request(const char *method, const char *url,
    const char *const *headers, const char *body, size_t body_len,
    struct outbound_response *out, struct error *err);

/* Release a response's body.  Accepts a zeroed struct. */
void outbound_response_free(struct outbound_response *out);

#endif

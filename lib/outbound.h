/*
 * outbound.h: the one way drio calls out over HTTP.  libcurl with
 * connect and total timeouts, a cap on the answer's size, no redirects
 * followed, no proxy taken from the environment, only http and https,
 * and TLS verification on; and the SSRF guard, which keeps drio from
 * being used to reach what sits next to it.
 *
 * The guard works in two places.  Before anything is resolved, the URL
 * itself is checked: http or https only, no user name or password in it,
 * not a cloud metadata host name, not an address literal of a refused
 * class.  Then, at connect time, every address libcurl is about to
 * connect to is checked from inside libcurl's socket callback, so the
 * address checked is the address connected to: a host name that resolves
 * to a public address once and to 127.0.0.1 the next time (DNS
 * rebinding) gains nothing.  Refused are loopback, unspecified, private
 * (RFC 1918), carrier-grade NAT, link-local, unique-local, site-local,
 * multicast, broadcast, reserved, documentation, benchmarking, IETF
 * protocol assignment and discard-only addresses, the cloud metadata
 * addresses, local-use NAT64 (64:ff9b:1::/48), and the IPv6 forms that
 * embed a refused IPv4 address (IPv4-mapped, IPv4-compatible,
 * IPv4-translated, NAT64 64:ff9b::/96 and 6to4 2002::/16).  An address
 * inside one of the networks the operator lists in
 * outbound_allow_networks passes whatever its class; the metadata host
 * names are refused whatever the list.  docs/outbound.md says the same
 * for operators.
 *
 * A caller builds a policy from the configuration (which cannot fail
 * once startup has checked the list) and passes it:
 *
 *     struct outbound_policy policy;
 *     struct outbound_response res;
 *
 *     if (outbound_policy_from_config(req->config, &policy, err) != 0)
 *             return -1;
 *     if (outbound_request(&policy, "GET", url, NULL, NULL, 0, &res,
 *         err) != 0)
 *             return -1;
 *     ...
 *     outbound_response_free(&res);
 *
 * A policy is a plain value that owns nothing: copy it and lower
 * max_bytes or timeout_ms for one call when that call wants less.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef DRIO_OUTBOUND_H
#define DRIO_OUTBOUND_H

#include <sys/socket.h>

#include <stddef.h>

#include "error.h"

struct config;

/* How many networks outbound_allow_networks may list. */
#define OUTBOUND_MAX_NETWORKS 32

/* The connect timeout, unless the total timeout is shorter. */
#define OUTBOUND_CONNECT_TIMEOUT_MS 5000

/* Room for a refusal's reason, e.g. "::ffff:127.0.0.1 is a loopback ...". */
#define OUTBOUND_WHY_SIZE 128

/* One allowed network: family, network address and prefix length. */
struct outbound_network {
	int family;                /* AF_INET or AF_INET6 */
	unsigned char addr[16];    /* network byte order; 4 bytes for IPv4 */
	unsigned int prefix;       /* 0..32 or 0..128 */
};

/*
 * What outbound calls may reach and how much they may take.  Plain data:
 * no pointers, nothing to free.  Build it with
 * outbound_policy_from_config; outbound_request refuses a policy whose
 * timeouts are not positive rather than call without them.
 */
struct outbound_policy {
	struct outbound_network allow[OUTBOUND_MAX_NETWORKS];
	size_t nallow;             /* entries used in allow */
	long timeout_ms;           /* whole transfer, connect included */
	long connect_timeout_ms;   /* connection set-up */
	size_t max_bytes;          /* cap on an answer's body */
};

struct outbound_response {
	long status;         /* HTTP status */
	char *body;          /* NUL-terminated; malloc'd */
	size_t len;
	char *headers;       /* the final answer's header lines as sent,
	                      * "Name: value\r\n"..., NUL-terminated, at
	                      * most OUTBOUND_HEADERS_MAX bytes kept;
	                      * malloc'd, may be NULL */
};

/* Bytes of an answer's header lines outbound_request keeps. */
#define OUTBOUND_HEADERS_MAX (32 * 1024)

/*
 * Fill policy from cfg: the networks of outbound_allow_networks, the total
 * timeout of outbound_timeout_seconds (the connect timeout is
 * OUTBOUND_CONNECT_TIMEOUT_MS or the total, whichever is shorter) and
 * the cap of outbound_max_bytes.  Responders call it per request (it
 * only parses a short string) and drio should call it once at startup so
 * a malformed list stops the program there.  Returns 0, or -1 and err
 * (ERR_BAD_REQUEST naming the bad entry) when the list is malformed.
 */
int outbound_policy_from_config(const struct config *cfg,
    struct outbound_policy *policy, struct error *err);

/*
 * Parse networks, a comma-separated list of CIDRs ("10.0.0.0/8,
 * fd00::/8"; blanks around entries are ignored; an empty or blank list
 * is no network), and replace policy's allow list with it.  Strict:
 * each entry is an IPv4 dotted quad or an IPv6 address, a slash and a
 * decimal prefix length in range, with no bits set after the prefix.
 * Returns 0, or -1 and err (ERR_BAD_REQUEST; the message quotes the bad
 * entry) leaving the allow list empty.
 */
int outbound_policy_allow(struct outbound_policy *policy,
    const char *networks, struct error *err);

/*
 * The guard's verdict on one address, sa (struct sockaddr_in or
 * struct sockaddr_in6; the port is ignored): 0 when an outbound call may
 * connect to it, -1 when it may not, with the reason written to why
 * (size why_size, OUTBOUND_WHY_SIZE is enough; may be NULL when
 * why_size is 0), e.g. "127.0.0.1 is a loopback address".  Pure: no I/O.
 */
int outbound_address_check(const struct sockaddr *sa,
    const struct outbound_policy *policy, char *why, size_t why_size);

/*
 * The checks that need no network on url: http or https, no user name
 * or password, a host that is not a cloud metadata host name
 * (metadata.google.internal, metadata.goog, metadata, instance-data,
 * instance-data.ec2.internal; any case, trailing dot or not), and, when
 * the host is an address literal, outbound_address_check.  Callers may
 * use it to refuse a URL when it is submitted; outbound_request runs it
 * again.  Returns 0, or -1 and err: ERR_DESTINATION_NOT_ALLOWED with a
 * message saying why (never quoting the URL, which may hold secrets).
 */
int outbound_url_check(const struct outbound_policy *policy,
    const char *url, struct error *err);

/*
 * Send method to url under policy, with extra header lines (a
 * NULL-terminated list of "Name: value", or NULL) and body (NULL for
 * none).  Redirects are not followed: a 3xx is an answer like any other.
 * Returns 0 and fills out (release with outbound_response_free) whatever
 * the status, or -1 and err:
 *   ERR_DESTINATION_NOT_ALLOWED (422) when the guard refuses the URL or
 *     every address the host resolved to; the message says why;
 *   ERR_UPSTREAM_TOO_LARGE (502) when the answer's body exceeds
 *     policy->max_bytes (the transfer stops as soon as it does);
 *   ERR_UPSTREAM_UNAVAILABLE (502) when no answer came in time or at
 *     all, with the reason in the log (scheme, host and port only);
 *   ERR_INTERNAL when memory is exhausted or the policy has no timeouts.
 */
int outbound_request(const struct outbound_policy *policy,
    const char *method, const char *url, const char *const *headers,
    const char *body, size_t body_len, struct outbound_response *out,
    struct error *err);

/*
 * Copy the value of the answer's header name (any case; the first when
 * it came several times), without surrounding blanks, into buf (size
 * bytes).  Returns 0, or -1 when the answer has no such header or its
 * value does not fit in buf.  Pure.
 */
int outbound_response_header(const struct outbound_response *res,
    const char *name, char *buf, size_t size);

/* Release a response's body and headers.  Accepts a zeroed struct. */
void outbound_response_free(struct outbound_response *out);

#endif

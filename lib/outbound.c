/*
 * outbound.c: HTTP calls out through libcurl, behind the SSRF guard (see
 * outbound.h).
 *
 * The guard's connect-time half is libcurl's CURLOPT_OPENSOCKETFUNCTION:
 * libcurl resolves the host itself and, for each address it tries, asks
 * us for a socket, handing over the exact sockaddr it will connect() to.
 * We check that address and return CURL_SOCKET_BAD when it is refused,
 * so no connection is ever made to an address that was not checked, and
 * no second resolution happens between the check and the connect.  The
 * URL is parsed once, checked, and handed to libcurl as that same parsed
 * handle (CURLOPT_CURLU), so our reading of the host is libcurl's.
 *
 * A process keeps one libcurl handle from call to call (see
 * handle_take), so that a call finds the connection the last one to the
 * same host left open instead of opening a new one every time.
 *
 * SPDX-License-Identifier: MIT
 */
#include <sys/socket.h>
#include <sys/types.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <curl/curl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "outbound.h"

/*
 * The refused classes.  The first entry that contains an address names
 * its class, so the metadata addresses come before the link-local,
 * carrier-grade NAT and unique-local networks that hold them, and the
 * broadcast address before the reserved network.
 */
struct address_class {
	unsigned char net[16];
	unsigned int prefix;
	const char *what;       /* "a loopback address": "X is <what>" */
};

static const struct address_class v4_classes[] = {
	{ { 169, 254, 169, 254 }, 32, "a cloud metadata address" },
	{ { 100, 100, 100, 200 }, 32, "a cloud metadata address" },
	{ { 0 }, 8, "an unspecified address" },
	{ { 127 }, 8, "a loopback address" },
	{ { 10 }, 8, "a private address" },
	{ { 172, 16 }, 12, "a private address" },
	{ { 192, 168 }, 16, "a private address" },
	{ { 100, 64 }, 10, "a carrier-grade NAT address" },
	{ { 169, 254 }, 16, "a link-local address" },
	{ { 192, 0, 0 }, 24, "an IETF protocol assignment address" },
	{ { 192, 0, 2 }, 24, "a documentation address" },
	{ { 198, 51, 100 }, 24, "a documentation address" },
	{ { 203, 0, 113 }, 24, "a documentation address" },
	{ { 198, 18 }, 15, "a benchmarking address" },
	{ { 224 }, 4, "a multicast address" },
	{ { 255, 255, 255, 255 }, 32, "the broadcast address" },
	{ { 240 }, 4, "a reserved address" },
};

static const struct address_class v6_classes[] = {
	{ { 0xfd, 0x00, 0x0e, 0xc2, [14] = 0x02, [15] = 0x54 }, 128,
	    "a cloud metadata address" },
	{ { 0 }, 128, "an unspecified address" },
	{ { [15] = 1 }, 128, "a loopback address" },
	{ { 0xfe, 0x80 }, 10, "a link-local address" },
	{ { 0xfe, 0xc0 }, 10, "a site-local address" },
	{ { 0xfc }, 7, "a unique-local address" },
	{ { 0xff }, 8, "a multicast address" },
	{ { 0x20, 0x01, 0x0d, 0xb8 }, 32, "a documentation address" },
	{ { 0x01, 0x00 }, 64, "a discard-only address" },
	{ { 0x00, 0x64, 0xff, 0x9b, 0x00, 0x01 }, 48,
	    "a local-use NAT64 address" },
};

/*
 * The IPv6 forms that carry an IPv4 address, and where: an address is in
 * a form when its first prefix bits are net's; the IPv4 address is the
 * four bytes at offset.  A form whose IPv4 address is public is allowed
 * unless refuse_public says why not.
 */
struct embedding {
	unsigned char net[16];
	unsigned int prefix;
	size_t offset;
	const char *name;          /* "IPv4-mapped" */
	const char *refuse_public; /* NULL, or the class of every address */
};

static const struct embedding v6_embeddings[] = {
	{ { [10] = 0xff, [11] = 0xff }, 96, 12, "IPv4-mapped", NULL },
	{ { [8] = 0xff, [9] = 0xff }, 96, 12, "IPv4-translated", NULL },
	{ { 0x00, 0x64, 0xff, 0x9b }, 96, 12, "NAT64", NULL },
	{ { 0x20, 0x02 }, 16, 2, "6to4", NULL },
	{ { 0 }, 96, 12, "IPv4-compatible",
	    "a deprecated IPv4-compatible address" },
};

/* Host names of cloud metadata services, refused before resolving. */
static const char *const metadata_names[] = {
	"metadata.google.internal", "metadata.goog", "metadata",
	"instance-data", "instance-data.ec2.internal",
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* What the check of an address found. */
enum verdict {
	VERDICT_PUBLIC,         /* in no refused class */
	VERDICT_LISTED,         /* inside an allowed network */
	VERDICT_REFUSED         /* in a refused class; why says which */
};

/* Do the first prefix bits of addr equal those of net? */
static bool
prefix_matches(const unsigned char *net, unsigned int prefix,
    const unsigned char *addr)
{
	unsigned int whole = prefix / 8, rest = prefix % 8;
	unsigned char mask;

	if (memcmp(net, addr, whole) != 0)
		return false;
	if (rest == 0)
		return true;
	mask = (unsigned char)(0xff << (8 - rest));
	return (addr[whole] & mask) == (net[whole] & mask);
}

/* Is addr (family's length) inside one of policy's allowed networks? */
static bool
policy_lists(const struct outbound_policy *policy, int family,
    const unsigned char *addr)
{
	size_t i;

	for (i = 0; i < policy->nallow; i++)
		if (policy->allow[i].family == family &&
		    prefix_matches(policy->allow[i].addr,
		    policy->allow[i].prefix, addr))
			return true;
	return false;
}

/* Classify an IPv4 address; on VERDICT_REFUSED *what is its class. */
static enum verdict
v4_verdict(const unsigned char *addr, const struct outbound_policy *policy,
    const char **what)
{
	size_t i;

	if (policy_lists(policy, AF_INET, addr))
		return VERDICT_LISTED;
	for (i = 0; i < NELEM(v4_classes); i++)
		if (prefix_matches(v4_classes[i].net, v4_classes[i].prefix,
		    addr)) {
			*what = v4_classes[i].what;
			return VERDICT_REFUSED;
		}
	return VERDICT_PUBLIC;
}

/*
 * Classify an IPv6 address, writing the reason of a refusal to why.
 * text is the address as inet_ntop writes it.
 */
static enum verdict
v6_verdict(const unsigned char *addr, const char *text,
    const struct outbound_policy *policy, char *why, size_t why_size)
{
	const struct embedding *e;
	const char *what = NULL;
	char v4text[INET_ADDRSTRLEN];
	enum verdict verdict;
	size_t i;

	if (policy_lists(policy, AF_INET6, addr))
		return VERDICT_LISTED;
	for (i = 0; i < NELEM(v6_classes); i++)
		if (prefix_matches(v6_classes[i].net, v6_classes[i].prefix,
		    addr)) {
			snprintf(why, why_size, "%s is %s", text,
			    v6_classes[i].what);
			return VERDICT_REFUSED;
		}
	for (i = 0; i < NELEM(v6_embeddings); i++) {
		e = &v6_embeddings[i];
		if (!prefix_matches(e->net, e->prefix, addr))
			continue;
		verdict = v4_verdict(addr + e->offset, policy, &what);
		if (verdict == VERDICT_LISTED)
			return VERDICT_LISTED;
		if (inet_ntop(AF_INET, addr + e->offset, v4text,
		    sizeof(v4text)) == NULL)
			snprintf(v4text, sizeof(v4text), "?");
		if (verdict == VERDICT_REFUSED) {
			snprintf(why, why_size, "%s is %s (%s form of %s)",
			    text, what, e->name, v4text);
			return VERDICT_REFUSED;
		}
		if (e->refuse_public != NULL) {
			snprintf(why, why_size, "%s is %s", text,
			    e->refuse_public);
			return VERDICT_REFUSED;
		}
		return VERDICT_PUBLIC;
	}
	return VERDICT_PUBLIC;
}

int
outbound_address_check(const struct sockaddr *sa,
    const struct outbound_policy *policy, char *why, size_t why_size)
{
	const struct sockaddr_in *sin;
	const struct sockaddr_in6 *sin6;
	char text[INET6_ADDRSTRLEN];
	const char *what = NULL;
	char none[1];

	if (why == NULL || why_size == 0) {
		why = none;
		why_size = sizeof(none);
	}
	why[0] = '\0';
	switch (sa->sa_family) {
	case AF_INET:
		sin = (const struct sockaddr_in *)sa;
		if (v4_verdict((const unsigned char *)&sin->sin_addr, policy,
		    &what) != VERDICT_REFUSED)
			return 0;
		if (inet_ntop(AF_INET, &sin->sin_addr, text,
		    sizeof(text)) == NULL)
			snprintf(text, sizeof(text), "?");
		snprintf(why, why_size, "%s is %s", text, what);
		return -1;
	case AF_INET6:
		sin6 = (const struct sockaddr_in6 *)sa;
		if (inet_ntop(AF_INET6, &sin6->sin6_addr, text,
		    sizeof(text)) == NULL)
			snprintf(text, sizeof(text), "?");
		if (v6_verdict(sin6->sin6_addr.s6_addr, text, policy, why,
		    why_size) != VERDICT_REFUSED)
			return 0;
		return -1;
	default:
		snprintf(why, why_size, "address family %d is not IP",
		    (int)sa->sa_family);
		return -1;
	}
}

/* ---------------------------------------------------------------- */
/* The policy                                                       */

/*
 * Parse one CIDR, entry (len bytes, not NUL-terminated), into n.
 * Returns 0, or -1 and err quoting the entry.
 */
static int
network_parse(const char *entry, size_t len, struct outbound_network *n,
    struct error *err)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *p;
	unsigned int prefix = 0, max;
	size_t i;

	memset(n, 0, sizeof(*n));
	if (len >= sizeof(buf))
		return error_set(err, ERR_BAD_REQUEST, "outbound_allow_networks:"
		    " \"%.*s...\" is not a network (ADDRESS/PREFIX)", 40, entry);
	memcpy(buf, entry, len);
	buf[len] = '\0';
	if ((slash = strchr(buf, '/')) == NULL)
		return error_set(err, ERR_BAD_REQUEST, "outbound_allow_networks:"
		    " \"%s\" has no prefix length (write ADDRESS/PREFIX)", buf);
	*slash = '\0';
	n->family = strchr(buf, ':') != NULL ? AF_INET6 : AF_INET;
	max = n->family == AF_INET6 ? 128 : 32;
	if (inet_pton(n->family, buf, n->addr) != 1) {
		*slash = '/';
		return error_set(err, ERR_BAD_REQUEST, "outbound_allow_networks:"
		    " \"%s\" is not an IPv4 or IPv6 network", buf);
	}
	*slash = '/';
	/* One to three digits, no sign, no leading zero, within max. */
	p = slash + 1;
	for (i = 0; p[i] != '\0'; i++) {
		if (p[i] < '0' || p[i] > '9' || i == 3)
			break;
		prefix = prefix * 10 + (unsigned int)(p[i] - '0');
	}
	if (i == 0 || p[i] != '\0' || (p[0] == '0' && i > 1) || prefix > max)
		return error_set(err, ERR_BAD_REQUEST, "outbound_allow_networks:"
		    " \"%s\" needs a prefix length from 0 to %u", buf, max);
	n->prefix = prefix;
	/* No bits set after the prefix: 10.0.0.1/8 is a typo, not a net. */
	for (i = 0; i < max / 8; i++) {
		unsigned int bit = (unsigned int)i * 8;
		unsigned char keep = bit + 8 <= prefix ? 0xff : bit >= prefix ?
		    0 : (unsigned char)(0xff << (8 - (prefix - bit)));

		if ((n->addr[i] & ~keep & 0xff) != 0)
			return error_set(err, ERR_BAD_REQUEST,
			    "outbound_allow_networks: \"%s\" has bits set "
			    "after the prefix length", buf);
	}
	return 0;
}

int
outbound_policy_allow(struct outbound_policy *policy, const char *networks,
    struct error *err)
{
	const char *p = networks, *start, *end;
	struct outbound_network n;

	policy->nallow = 0;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0')
		return 0; /* a blank list is no network */
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		start = p;
		while (*p != ',' && *p != '\0')
			p++;
		end = p;
		while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		if (end == start) {
			error_set(err, ERR_BAD_REQUEST,
			    "outbound_allow_networks: an entry is empty");
			goto fail;
		}
		if (network_parse(start, (size_t)(end - start), &n, err) != 0)
			goto fail;
		if (policy->nallow == OUTBOUND_MAX_NETWORKS) {
			error_set(err, ERR_BAD_REQUEST, "outbound_allow_networks:"
			    " more than %d networks", OUTBOUND_MAX_NETWORKS);
			goto fail;
		}
		policy->allow[policy->nallow++] = n;
		if (*p == '\0')
			return 0;
		p++;
	}
fail:
	policy->nallow = 0;
	return -1;
}

int
outbound_policy_from_config(const struct config *cfg,
    struct outbound_policy *policy, struct error *err)
{
	memset(policy, 0, sizeof(*policy));
	policy->timeout_ms = (long)cfg->outbound_timeout_seconds * 1000;
	policy->connect_timeout_ms =
	    policy->timeout_ms < OUTBOUND_CONNECT_TIMEOUT_MS ?
	    policy->timeout_ms : OUTBOUND_CONNECT_TIMEOUT_MS;
	policy->max_bytes = (size_t)cfg->outbound_max_bytes;
	return outbound_policy_allow(policy, cfg->outbound_allow_networks,
	    err);
}

/* ---------------------------------------------------------------- */
/* The URL                                                          */

/*
 * Parse url into a new handle in *parsed (release with
 * curl_url_cleanup) and apply the checks that need no network.  Returns
 * 0, or -1 and err with *parsed NULL.
 */
static int
url_parse(const struct outbound_policy *policy, const char *url,
    CURLU **parsed, struct error *err)
{
	char *scheme = NULL, *user = NULL, *password = NULL, *host = NULL;
	char why[OUTBOUND_WHY_SIZE];
	struct sockaddr_in6 sin6;
	struct sockaddr_in sin;
	CURLUcode uc;
	CURLU *u;
	size_t len, i;
	int rc = -1;

	*parsed = NULL;
	if ((u = curl_url()) == NULL)
		return error_set(err, ERR_INTERNAL, "out of memory");
	uc = curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME);
	if (uc == CURLUE_OUT_OF_MEMORY) {
		error_set(err, ERR_INTERNAL, "out of memory");
		goto out;
	}
	if (uc != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK) {
		error_set(err, ERR_DESTINATION_NOT_ALLOWED,
		    "The URL is not a valid http or https URL.");
		goto out;
	}
	if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0) {
		error_set(err, ERR_DESTINATION_NOT_ALLOWED, "%.32s URLs are not "
		    "allowed; only http and https are.", scheme);
		goto out;
	}
	if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PASSWORD, &password, 0) == CURLUE_OK) {
		error_set(err, ERR_DESTINATION_NOT_ALLOWED, "URLs with a user "
		    "name or password are not allowed.");
		error_hint(err, "Pass credentials in a header instead.");
		goto out;
	}
	if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    host[0] == '\0') {
		error_set(err, ERR_DESTINATION_NOT_ALLOWED,
		    "The URL has no host.");
		goto out;
	}

	len = strlen(host);
	if (host[len - 1] == '.')
		len--;
	for (i = 0; i < NELEM(metadata_names); i++)
		if (strlen(metadata_names[i]) == len &&
		    strncasecmp(host, metadata_names[i], len) == 0) {
			error_set(err, ERR_DESTINATION_NOT_ALLOWED, "%s is a "
			    "cloud metadata host name.", metadata_names[i]);
			goto out;
		}

	/* An address literal can be judged now; names at connect time. */
	memset(&sin, 0, sizeof(sin));
	memset(&sin6, 0, sizeof(sin6));
	sin.sin_family = AF_INET;
	sin6.sin6_family = AF_INET6;
	len = strlen(host);
	if (host[0] == '[' && host[len - 1] == ']') {
		host[len - 1] = '\0';
		if (inet_pton(AF_INET6, host + 1, &sin6.sin6_addr) == 1 &&
		    outbound_address_check((struct sockaddr *)&sin6, policy,
		    why, sizeof(why)) != 0) {
			error_set(err, ERR_DESTINATION_NOT_ALLOWED, "%s.", why);
			goto out;
		}
	} else if (inet_pton(AF_INET, host, &sin.sin_addr) == 1 &&
	    outbound_address_check((struct sockaddr *)&sin, policy, why,
	    sizeof(why)) != 0) {
		error_set(err, ERR_DESTINATION_NOT_ALLOWED, "%s.", why);
		goto out;
	}
	*parsed = u;
	u = NULL;
	rc = 0;
out:
	curl_free(scheme);
	curl_free(user);
	curl_free(password);
	curl_free(host);
	curl_url_cleanup(u);
	return rc;
}

int
outbound_url_check(const struct outbound_policy *policy, const char *url,
    struct error *err)
{
	CURLU *parsed;

	if (url_parse(policy, url, &parsed, err) != 0)
		return -1;
	curl_url_cleanup(parsed);
	return 0;
}

/*
 * "scheme://host:port" of a parsed URL into buf, for the log: never the
 * path or query, which may carry secrets.  Can't fail.
 */
static void
url_origin(CURLU *u, char *buf, size_t size)
{
	char *scheme = NULL, *host = NULL, *port = NULL;

	curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
	curl_url_get(u, CURLUPART_HOST, &host, 0);
	curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT);
	snprintf(buf, size, "%s://%s:%s", scheme != NULL ? scheme : "?",
	    host != NULL ? host : "?", port != NULL ? port : "?");
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
}

/* ---------------------------------------------------------------- */
/* The transfer                                                     */

/* One transfer's state, shared with libcurl's callbacks. */
struct transfer {
	const struct outbound_policy *policy;
	char *data;             /* the body so far, NUL-terminated */
	size_t len, cap;
	bool too_large;         /* the body went over policy->max_bytes */
	bool no_memory;
	bool refused;           /* the guard refused an address; why says */
	char why[OUTBOUND_WHY_SIZE];
	char *headers;          /* the last answer's header lines so far */
	size_t headers_len;
};

/*
 * CURLOPT_OPENSOCKETFUNCTION: check the address libcurl is about to
 * connect to and make its socket, or refuse with CURL_SOCKET_BAD (libcurl
 * then tries the host's next address, if any).  The first refusal's
 * reason is kept for the error.
 */
static curl_socket_t
guard_open_socket(void *clientp, curlsocktype purpose,
    struct curl_sockaddr *address)
{
	struct transfer *t = clientp;
	struct sockaddr_storage ss;
	char why[OUTBOUND_WHY_SIZE];

	memset(&ss, 0, sizeof(ss));
	if (purpose != CURLSOCKTYPE_IPCXN ||
	    address->addrlen > sizeof(ss) ||
	    (address->family == AF_INET &&
	    address->addrlen < sizeof(struct sockaddr_in)) ||
	    (address->family == AF_INET6 &&
	    address->addrlen < sizeof(struct sockaddr_in6))) {
		snprintf(why, sizeof(why), "an unexpected kind of socket");
		goto refuse;
	}
	memcpy(&ss, &address->addr, address->addrlen);
	if (outbound_address_check((struct sockaddr *)&ss, t->policy, why,
	    sizeof(why)) != 0)
		goto refuse;
	return socket(address->family, address->socktype | SOCK_CLOEXEC,
	    address->protocol);
refuse:
	if (!t->refused) {
		snprintf(t->why, sizeof(t->why), "%s", why);
		t->refused = true;
	}
	return CURL_SOCKET_BAD;
}

/* CURLOPT_WRITEFUNCTION: keep the body, up to policy->max_bytes. */
static size_t
transfer_write(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct transfer *t = userdata;
	size_t n = size * nmemb, cap;
	char *grown;

	if (n > t->policy->max_bytes - t->len) {
		t->too_large = true;
		return 0; /* makes libcurl stop with CURLE_WRITE_ERROR */
	}
	if (t->len + n + 1 > t->cap) {
		cap = t->cap != 0 ? t->cap : 4096;
		while (cap < t->len + n + 1)
			cap *= 2;
		if (cap - 1 > t->policy->max_bytes)
			cap = t->policy->max_bytes + 1;
		if ((grown = realloc(t->data, cap)) == NULL) {
			t->no_memory = true;
			return 0;
		}
		t->data = grown;
		t->cap = cap;
	}
	memcpy(t->data + t->len, ptr, n);
	t->len += n;
	t->data[t->len] = '\0';
	return n;
}

/*
 * CURLOPT_HEADERFUNCTION: keep the header lines of the last answer (a
 * status line starts an answer anew: 1xx answers come before the final
 * one), up to OUTBOUND_HEADERS_MAX bytes; lines past that are dropped.
 */
static size_t
transfer_header(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct transfer *t = userdata;
	size_t n = size * nmemb;
	char *grown;

	if (n >= 5 && strncmp(ptr, "HTTP/", 5) == 0) {
		t->headers_len = 0;
		if (t->headers != NULL)
			t->headers[0] = '\0';
		return n;
	}
	if (n > OUTBOUND_HEADERS_MAX - t->headers_len)
		return n;
	if (t->headers == NULL &&
	    (t->headers = malloc(OUTBOUND_HEADERS_MAX + 1)) == NULL) {
		t->no_memory = true;
		return 0;
	}
	grown = t->headers;
	memcpy(grown + t->headers_len, ptr, n);
	t->headers_len += n;
	grown[t->headers_len] = '\0';
	return n;
}

int
outbound_response_header(const struct outbound_response *res,
    const char *name, char *buf, size_t size)
{
	const char *line, *end, *value;
	size_t name_len = strlen(name), len;

	for (line = res->headers; line != NULL && *line != '\0'; line = end) {
		end = strchr(line, '\n');
		end = end != NULL ? end + 1 : line + strlen(line);
		if ((size_t)(end - line) <= name_len ||
		    strncasecmp(line, name, name_len) != 0 ||
		    line[name_len] != ':')
			continue;
		value = line + name_len + 1;
		while (value < end && (*value == ' ' || *value == '\t'))
			value++;
		len = (size_t)(end - value);
		while (len > 0 && (value[len - 1] == '\r' ||
		    value[len - 1] == '\n' || value[len - 1] == ' ' ||
		    value[len - 1] == '\t'))
			len--;
		if (len >= size)
			return -1;
		memcpy(buf, value, len);
		buf[len] = '\0';
		return 0;
	}
	return -1;
}

/*
 * Set every option the guard and the limits depend on.  Returns
 * CURLE_OK, or the first option's failure (an old or odd libcurl:
 * better no call than an unguarded one).
 */
static CURLcode
transfer_setup(CURL *curl, CURLU *url, struct transfer *t)
{
	const struct outbound_policy *p = t->policy;
	CURLcode c;

	if ((c = curl_easy_setopt(curl, CURLOPT_CURLU, url)) != CURLE_OK ||
	    (c = curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR,
	    "http,https")) != CURLE_OK ||
	    (c = curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR,
	    "http,https")) != CURLE_OK ||
	    (c = curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L)) !=
	    CURLE_OK ||
	    (c = curl_easy_setopt(curl, CURLOPT_PROXY, "")) != CURLE_OK ||
	    (c = curl_easy_setopt(curl, CURLOPT_NOPROXY, "*")) != CURLE_OK ||
	    (c = curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L)) !=
	    CURLE_OK ||
	    (c = curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L)) !=
	    CURLE_OK ||
	    (c = curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION,
	    guard_open_socket)) != CURLE_OK ||
	    (c = curl_easy_setopt(curl, CURLOPT_OPENSOCKETDATA, t)) !=
	    CURLE_OK ||
	    (c = curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L)) != CURLE_OK ||
	    (c = curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
	    p->connect_timeout_ms)) != CURLE_OK ||
	    (c = curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, p->timeout_ms)) !=
	    CURLE_OK ||
	    (c = curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)p->max_bytes)) != CURLE_OK ||
	    (c = curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION,
	    transfer_write)) != CURLE_OK ||
	    (c = curl_easy_setopt(curl, CURLOPT_WRITEDATA, t)) != CURLE_OK ||
	    (c = curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION,
	    transfer_header)) != CURLE_OK ||
	    (c = curl_easy_setopt(curl, CURLOPT_HEADERDATA, t)) != CURLE_OK ||
	    (c = curl_easy_setopt(curl, CURLOPT_USERAGENT,
	    "drio/" DRIO_VERSION)) != CURLE_OK)
		return c;
	return CURLE_OK;
}

/* ---------------------------------------------------------------- */
/* The handle kept between calls                                    */

/*
 * The process's libcurl handle while no call uses it, and what its
 * connections were checked against.  libcurl keeps a handle's open
 * connections in a cache and hands one to a later transfer only for the
 * same scheme, host name and port (and TLS settings): reuse never lets
 * a connection to one host serve another.  Every connection in the cache
 * was made through guard_open_socket, under the allow list kept here; a
 * call whose policy allows other networks gets a new handle, so a
 * connection the guard let through under a wider list never serves a
 * call under a narrower one.  Options are per call: curl_easy_reset()
 * before and after each, so nothing of one call (URL, headers and the
 * credentials in them, body, callbacks) is left for the next.  The
 * handle lives as long as its process (pid: a worker forked from a
 * process that had one makes its own rather than share sockets).
 */
static struct {
	CURL *curl;
	pid_t pid;
	struct outbound_network allow[OUTBOUND_MAX_NETWORKS];
	size_t nallow;
} kept;

/* Do policy's allowed networks equal those kept?  Can't fail. */
static bool
kept_allow_matches(const struct outbound_policy *policy)
{
	size_t i;

	if (policy->nallow != kept.nallow)
		return false;
	for (i = 0; i < policy->nallow; i++)
		if (policy->allow[i].family != kept.allow[i].family ||
		    policy->allow[i].prefix != kept.allow[i].prefix ||
		    memcmp(policy->allow[i].addr, kept.allow[i].addr,
		    sizeof(kept.allow[i].addr)) != 0)
			return false;
	return true;
}

/*
 * A handle for a call under policy, without options: the kept one when
 * its connections were made under the same allow list, else a new one
 * (the kept one, with its connections, closed).  The caller owns it
 * until handle_give.  Returns NULL when memory is exhausted.
 */
static CURL *
handle_take(const struct outbound_policy *policy)
{
	CURL *curl = NULL;

	if (kept.curl != NULL && kept.pid == getpid()) {
		if (kept_allow_matches(policy)) {
			curl = kept.curl;
			curl_easy_reset(curl);
		} else
			curl_easy_cleanup(kept.curl);
	}
	/* A handle of the parent's is left alone: its sockets are shared. */
	kept.curl = NULL;
	return curl != NULL ? curl : curl_easy_init();
}

/*
 * Keep curl (may be NULL), used under policy, for the next call, its
 * options cleared.  Can't fail.
 */
static void
handle_give(CURL *curl, const struct outbound_policy *policy)
{
	if (curl == NULL)
		return;
	curl_easy_reset(curl);
	if (kept.curl != NULL && kept.pid == getpid())
		curl_easy_cleanup(kept.curl);
	kept.curl = curl;
	kept.pid = getpid();
	kept.nallow = policy->nallow;
	memcpy(kept.allow, policy->allow, sizeof(kept.allow));
}

void
outbound_response_free(struct outbound_response *out)
{
	free(out->body);
	free(out->headers);
	memset(out, 0, sizeof(*out));
}

int
outbound_request(const struct outbound_policy *policy, const char *method,
    const char *url, const char *const *headers, const char *body,
    size_t body_len, struct outbound_response *out, struct error *err)
{
	/* libcurl's global state: set up once per process, before use. */
	static bool initialised;
	struct curl_slist *list = NULL, *grown;
	struct transfer t;
	char origin[300];
	CURLU *parsed = NULL;
	CURL *curl = NULL;
	CURLcode code;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	memset(&t, 0, sizeof(t));
	t.policy = policy;
	if (!initialised) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
			return error_set(err, ERR_INTERNAL,
			    "cannot initialise libcurl");
		initialised = true;
	}
	if (policy->timeout_ms <= 0 || policy->connect_timeout_ms <= 0)
		return error_set(err, ERR_INTERNAL,
		    "outbound policy without timeouts");
	if (url_parse(policy, url, &parsed, err) != 0) {
		log_warn("outbound %s refused: %s", method,
		    err != NULL ? err->message : "");
		return -1;
	}
	url_origin(parsed, origin, sizeof(origin));
	if ((curl = handle_take(policy)) == NULL) {
		error_set(err, ERR_INTERNAL, "out of memory");
		goto out;
	}
	for (; headers != NULL && *headers != NULL; headers++) {
		if ((grown = curl_slist_append(list, *headers)) == NULL) {
			error_set(err, ERR_INTERNAL, "out of memory");
			goto out;
		}
		list = grown;
	}
	if ((code = transfer_setup(curl, parsed, &t)) != CURLE_OK ||
	    (code = curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method)) !=
	    CURLE_OK ||
	    (code = curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list)) !=
	    CURLE_OK ||
	    /* A HEAD answer has no body, whatever its Content-Length. */
	    (strcmp(method, "HEAD") == 0 && (code = curl_easy_setopt(curl,
	    CURLOPT_NOBODY, 1L)) != CURLE_OK) ||
	    (body != NULL && ((code = curl_easy_setopt(curl,
	    CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len)) != CURLE_OK ||
	    (code = curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body)) !=
	    CURLE_OK))) {
		log_warn("outbound %s %s: cannot set up libcurl: %s", method,
		    origin, curl_easy_strerror(code));
		error_set(err, ERR_INTERNAL, "cannot set up an outbound call");
		goto out;
	}

	code = curl_easy_perform(curl);
	if (code != CURLE_OK) {
		if (t.no_memory || code == CURLE_OUT_OF_MEMORY) {
			error_set(err, ERR_INTERNAL, "out of memory");
		} else if (t.refused) {
			log_warn("outbound %s %s refused: %s", method, origin,
			    t.why);
			error_set(err, ERR_DESTINATION_NOT_ALLOWED, "%s.", t.why);
		} else if (t.too_large || code == CURLE_FILESIZE_EXCEEDED) {
			log_warn("outbound %s %s: answer over %zu bytes",
			    method, origin, policy->max_bytes);
			error_set(err, ERR_UPSTREAM_TOO_LARGE, NULL);
		} else {
			log_warn("outbound %s %s: %s", method, origin,
			    curl_easy_strerror(code));
			error_set(err, ERR_UPSTREAM_UNAVAILABLE, "%s",
			    code == CURLE_OPERATION_TIMEDOUT ?
			    "The upstream service did not answer in time." :
			    "The upstream service could not be reached.");
		}
		goto out;
	}
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &out->status);
	out->body = t.data != NULL ? t.data : calloc(1, 1);
	out->len = t.len;
	t.data = NULL;
	if (out->body == NULL) {
		error_set(err, ERR_INTERNAL, "out of memory");
		goto out;
	}
	out->headers = t.headers;
	t.headers = NULL;
	rc = 0;
out:
	free(t.data);
	free(t.headers);
	handle_give(curl, policy);
	curl_slist_free_all(list);
	curl_url_cleanup(parsed);
	return rc;
}

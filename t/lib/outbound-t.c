/*
 * outbound-t.c: tests for lib/outbound.c, the outbound HTTP client and
 * its SSRF guard.  Checks the promises of outbound.h: every refused
 * address class, IPv4 and IPv6, is refused with a reason naming it, and
 * so is every IPv6 form that embeds a refused IPv4 address; public
 * addresses pass; an allowed network overrides a class and nothing else;
 * allow lists are parsed strictly; metadata host names, other schemes
 * and credentials in the URL are refused before any network use.  Then
 * real transfers against a small HTTP server this program forks on
 * 127.0.0.1: refused (and never connected to) when loopback is not
 * allowed, by address and by the name "localhost"; served when it is,
 * with proxies from the environment ignored; answers over the cap
 * stopped; redirects not followed; and the total timeout honoured.
 *
 * SPDX-License-Identifier: MIT
 */
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "outbound.h"
#include "t/tap/basic.h"

/* The test server stops by itself after this long, whatever happens. */
#define SERVER_LIFETIME 30
/* The size of /big and /big-unsized, well over the caps used below. */
#define BIG_BYTES (1024 * 1024)
/* The pause between two 64 KiB chunks of those: 1.6 s for all of it. */
#define BIG_PAUSE_US 100000

/* ---------------------------------------------------------------- */
/* Classification                                                    */

/* Run the guard on an address written as text (IPv4 or IPv6). */
static int
check_text(const struct outbound_policy *p, const char *text, char *why,
    size_t size)
{
	struct sockaddr_in6 sin6;
	struct sockaddr_in sin;

	memset(&sin, 0, sizeof(sin));
	memset(&sin6, 0, sizeof(sin6));
	if (inet_pton(AF_INET, text, &sin.sin_addr) == 1) {
		sin.sin_family = AF_INET;
		sin.sin_port = htons(80);
		return outbound_address_check((struct sockaddr *)&sin, p, why,
		    size);
	}
	if (inet_pton(AF_INET6, text, &sin6.sin6_addr) != 1)
		bail("the test's address %s is not an address", text);
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons(443);
	return outbound_address_check((struct sockaddr *)&sin6, p, why, size);
}

/* One test: text is refused, and the reason is "<text> is <what>". */
static void
is_refused(const struct outbound_policy *p, const char *text,
    const char *what)
{
	char why[OUTBOUND_WHY_SIZE], expected[OUTBOUND_WHY_SIZE * 2];

	snprintf(expected, sizeof(expected), "%s is %s", text, what);
	if (check_text(p, text, why, sizeof(why)) != -1) {
		ok(false, "%s is refused as %s", text, what);
		diag("it was allowed");
		return;
	}
	is_string(expected, why, "%s is refused as %s", text, what);
}

/* One test: text is allowed. */
static void
is_allowed(const struct outbound_policy *p, const char *text,
    const char *because)
{
	char why[OUTBOUND_WHY_SIZE];

	if (!ok(check_text(p, text, why, sizeof(why)) == 0,
	    "%s is allowed (%s)", text, because))
		diag("refused: %s", why);
}

/* IPv4 addresses of every refused class, and the class. */
static const struct {
	const char *addr;
	const char *what;
} v4_refused[] = {
	{ "127.0.0.1", "a loopback address" },
	{ "127.255.255.254", "a loopback address" },
	{ "0.1.2.3", "an unspecified address" },
	{ "0.255.255.255", "an unspecified address" },
	{ "10.0.0.1", "a private address" },
	{ "10.255.255.255", "a private address" },
	{ "172.16.0.1", "a private address" },
	{ "172.31.255.255", "a private address" },
	{ "192.168.0.1", "a private address" },
	{ "192.168.255.255", "a private address" },
	{ "169.254.0.1", "a link-local address" },
	{ "169.254.255.255", "a link-local address" },
	{ "100.64.0.1", "a carrier-grade NAT address" },
	{ "100.127.255.255", "a carrier-grade NAT address" },
	{ "224.0.0.1", "a multicast address" },
	{ "239.255.255.255", "a multicast address" },
	{ "255.255.255.255", "the broadcast address" },
	{ "240.0.0.1", "a reserved address" },
	{ "169.254.169.254", "a cloud metadata address" },
	{ "100.100.100.200", "a cloud metadata address" },
	{ "192.0.0.8", "an IETF protocol assignment address" },
	{ "192.0.2.1", "a documentation address" },
	{ "198.51.100.255", "a documentation address" },
	{ "203.0.113.7", "a documentation address" },
	{ "198.18.0.1", "a benchmarking address" },
	{ "198.19.255.255", "a benchmarking address" },
};
#define NV4_REFUSED (sizeof(v4_refused) / sizeof(v4_refused[0]))

/* Public IPv4 addresses, several just outside a refused network. */
static const char *const v4_public[] = {
	"8.8.8.8", "1.1.1.1", "9.255.255.255", "11.0.0.0",
	"126.255.255.255", "128.0.0.0", "172.15.255.255", "172.32.0.0",
	"192.167.255.255", "192.169.0.0", "169.253.255.255", "169.255.0.0",
	"100.63.255.255", "100.128.0.0", "223.255.255.255", "1.0.0.0",
	"192.0.3.0", "192.0.1.255", "198.17.255.255", "198.20.0.0",
	"203.0.114.0", "198.51.101.0",
};
#define NV4_PUBLIC (sizeof(v4_public) / sizeof(v4_public[0]))

/* The IPv6 forms that embed an IPv4 address: prefix bytes and offset. */
static const struct {
	const char *name;
	unsigned char prefix[16];
	size_t offset;
} forms[] = {
	{ "IPv4-mapped", { [10] = 0xff, [11] = 0xff }, 12 },
	{ "IPv4-compatible", { 0 }, 12 },
	{ "IPv4-translated", { [8] = 0xff, [9] = 0xff }, 12 },
	{ "NAT64", { 0x00, 0x64, 0xff, 0x9b }, 12 },
	{ "6to4", { 0x20, 0x02, [15] = 0x01 }, 2 },
};
#define NFORMS (sizeof(forms) / sizeof(forms[0]))

/* Write the IPv6 text of form f embedding the IPv4 address v4. */
static void
embed(size_t f, const char *v4, char *text, size_t size)
{
	unsigned char addr[16];

	memcpy(addr, forms[f].prefix, sizeof(addr));
	if (inet_pton(AF_INET, v4, addr + forms[f].offset) != 1 ||
	    inet_ntop(AF_INET6, addr, text, (socklen_t)size) == NULL)
		bail("cannot embed %s", v4);
}

static void
test_classes(void)
{
	struct outbound_policy none;
	char text[INET6_ADDRSTRLEN], what[OUTBOUND_WHY_SIZE];
	struct sockaddr sa;
	char why[OUTBOUND_WHY_SIZE];
	size_t i, f;

	memset(&none, 0, sizeof(none));
	for (i = 0; i < NV4_REFUSED; i++)
		is_refused(&none, v4_refused[i].addr, v4_refused[i].what);
	for (i = 0; i < NV4_PUBLIC; i++)
		is_allowed(&none, v4_public[i], "public");

	/* 0.0.0.0 is apart: its IPv4-compatible form is ::. */
	is_refused(&none, "0.0.0.0", "an unspecified address");
	is_refused(&none, "::", "an unspecified address");
	is_refused(&none, "::1", "a loopback address");
	is_refused(&none, "fe80::1", "a link-local address");
	is_refused(&none, "febf:ffff::1", "a link-local address");
	is_refused(&none, "fec0::1", "a site-local address");
	is_refused(&none, "fc00::1", "a unique-local address");
	is_refused(&none, "fdff:ffff::1", "a unique-local address");
	is_refused(&none, "ff02::1", "a multicast address");
	is_refused(&none, "ff0e::1", "a multicast address");
	is_refused(&none, "fd00:ec2::254", "a cloud metadata address");
	is_refused(&none, "64:ff9b:1::a00:1", "a local-use NAT64 address");
	is_refused(&none, "2001:db8::1", "a documentation address");
	is_refused(&none, "100::1", "a discard-only address");
	is_refused(&none, "::8.8.8.8",
	    "a deprecated IPv4-compatible address");
	is_refused(&none, "::ffff:127.0.0.1",
	    "a loopback address (IPv4-mapped form of 127.0.0.1)");
	is_refused(&none, "2002:a9fe:a9fe::",
	    "a cloud metadata address (6to4 form of 169.254.169.254)");

	/* Every refused IPv4 class, in every IPv6 form that embeds it. */
	for (i = 0; i < NV4_REFUSED; i++)
		for (f = 0; f < NFORMS; f++) {
			embed(f, v4_refused[i].addr, text, sizeof(text));
			snprintf(what, sizeof(what), "%s (%s form of %s)",
			    v4_refused[i].what, forms[f].name,
			    v4_refused[i].addr);
			is_refused(&none, text, what);
		}

	is_allowed(&none, "2001:4860:4860::8888", "public");
	is_allowed(&none, "2606:4700:4700::1111", "public");
	is_allowed(&none, "2001:db9::1", "just above 2001:db8::/32");
	is_allowed(&none, "fbff:ffff::1", "just below fc00::/7");
	is_allowed(&none, "fe00::1", "between fc00::/7 and fe80::/10");
	is_allowed(&none, "::ffff:8.8.8.8", "IPv4-mapped public");
	is_allowed(&none, "64:ff9b::808:808", "NAT64 of a public address");
	is_allowed(&none, "2002:808:808::1", "6to4 of a public address");

	memset(&sa, 0, sizeof(sa));
	sa.sa_family = AF_UNIX;
	is_int(-1, outbound_address_check(&sa, &none, why, sizeof(why)),
	    "an address that is not IP is refused");
	is_int(-1, check_text(&none, "127.0.0.1", NULL, 0),
	    "the verdict needs no room for a reason");
	is_int(-1, check_text(&none, "::ffff:127.0.0.1", why, 8),
	    "a short reason buffer still refuses");
	is_int(7, strlen(why), "... and the reason is cut to fit");
}

/* ---------------------------------------------------------------- */
/* The allow list                                                    */

static void
test_allow(void)
{
	struct outbound_policy p;
	struct error err;

	memset(&p, 0, sizeof(p));
	memset(&err, 0, sizeof(err));
	if (outbound_policy_allow(&p, "127.0.0.0/8, 10.1.0.0/16, "
	    "169.254.169.254/32, fd00::/8, ::1/128", &err) != 0)
		bail("cannot parse the allow list: %s", err.message);
	is_allowed(&p, "127.0.0.1", "127.0.0.0/8 is listed");
	is_allowed(&p, "127.1.2.3", "127.0.0.0/8 is listed");
	is_allowed(&p, "::ffff:127.0.0.1", "IPv4-mapped, 127.0.0.0/8 listed");
	is_allowed(&p, "64:ff9b::7f00:1", "NAT64, 127.0.0.0/8 listed");
	is_allowed(&p, "10.1.2.3", "10.1.0.0/16 is listed");
	is_refused(&p, "10.2.0.1", "a private address");
	is_allowed(&p, "169.254.169.254", "169.254.169.254/32 is listed");
	is_refused(&p, "169.254.169.253", "a link-local address");
	is_allowed(&p, "fd12:3456::1", "fd00::/8 is listed");
	is_refused(&p, "fc00::1", "a unique-local address");
	is_allowed(&p, "::1", "::1/128 is listed");
	is_refused(&p, "192.168.1.1", "a private address");
	is_allowed(&p, "8.8.8.8", "public, listed or not");

	if (outbound_policy_allow(&p, "0.0.0.0/0", &err) != 0)
		bail("cannot parse 0.0.0.0/0: %s", err.message);
	is_allowed(&p, "192.168.1.1", "0.0.0.0/0 lists every IPv4 address");
	is_allowed(&p, "::ffff:10.0.0.1", "0.0.0.0/0, IPv4-mapped");
	is_refused(&p, "::1", "a loopback address");
	is_allowed(&p, "127.0.0.1", "0.0.0.0/0 lists loopback too");
}

/* outbound_policy_allow on bad with err naming bad; nothing listed. */
static void
is_bad_list(const char *bad, const char *named)
{
	struct outbound_policy p;
	struct error err;
	int rc;

	memset(&p, 0, sizeof(p));
	memset(&err, 0, sizeof(err));
	p.nallow = 3;
	rc = outbound_policy_allow(&p, bad, &err);
	if (!ok(rc == -1 && err.code == ERR_BAD_REQUEST && p.nallow == 0 &&
	    strstr(err.message, named) != NULL,
	    "\"%s\" is refused, naming \"%s\"", bad, named))
		diag("rc %d, code %d, nallow %zu, message: %s", rc,
		    (int)err.code, p.nallow, err.message);
}

static void
test_parse(void)
{
	static const unsigned char fd00[16] = { 0xfd };
	static const unsigned char ten[4] = { 10 };
	struct outbound_policy p;
	struct error err;
	char many[40 * 16], *w;
	int i;

	memset(&p, 0, sizeof(p));
	memset(&err, 0, sizeof(err));
	is_int(0, outbound_policy_allow(&p, "", &err), "an empty list parses");
	is_int(0, p.nallow, "... to no network");
	is_int(0, outbound_policy_allow(&p, " \t ", &err),
	    "a blank list parses");
	is_int(0, p.nallow, "... to no network");
	is_int(0, outbound_policy_allow(&p, " 10.0.0.0/8 ,fd00::/8,"
	    "1.2.3.4/32,::/0, 0.0.0.0/0 ,2001:db8::/32", &err),
	    "a list of IPv4 and IPv6 CIDRs parses");
	is_int(6, p.nallow, "... to six networks");
	ok(p.allow[0].family == AF_INET && p.allow[0].prefix == 8 &&
	    memcmp(p.allow[0].addr, ten, 4) == 0,
	    "... the first is 10.0.0.0/8");
	ok(p.allow[1].family == AF_INET6 && p.allow[1].prefix == 8 &&
	    memcmp(p.allow[1].addr, fd00, 16) == 0,
	    "... the second is fd00::/8");
	ok(p.allow[3].family == AF_INET6 && p.allow[3].prefix == 0,
	    "... ::/0 is a network of prefix 0");

	is_bad_list("10.0.0.0", "\"10.0.0.0\" has no prefix length");
	is_bad_list("10.0.0.0/33", "\"10.0.0.0/33\"");
	is_bad_list("::/129", "\"::/129\"");
	is_bad_list("10.0.0.1/8", "\"10.0.0.1/8\" has bits set");
	is_bad_list("fd00::1/8", "\"fd00::1/8\" has bits set");
	is_bad_list("10.0.0.128/25, 10.0.0.64/25", "\"10.0.0.64/25\"");
	is_bad_list("10.0.0.0/08", "\"10.0.0.0/08\"");
	is_bad_list("10.0.0.0/+8", "\"10.0.0.0/+8\"");
	is_bad_list("10.0.0.0/-8", "\"10.0.0.0/-8\"");
	is_bad_list("10.0.0.0/", "\"10.0.0.0/\"");
	is_bad_list("/8", "\"/8\"");
	is_bad_list("10.0.0.0/0008", "\"10.0.0.0/0008\"");
	is_bad_list("10.0.0/8", "\"10.0.0/8\" is not an IPv4 or IPv6");
	is_bad_list("010.0.0.0/8", "\"010.0.0.0/8\"");
	is_bad_list("256.0.0.0/8", "\"256.0.0.0/8\"");
	is_bad_list("0x7f.0.0.0/8", "\"0x7f.0.0.0/8\"");
	is_bad_list("fe80::1%eth0/128", "\"fe80::1%eth0/128\"");
	is_bad_list("example.com/8", "\"example.com/8\"");
	is_bad_list("10.0.0.0 /8", "\"10.0.0.0 /8\"");
	is_bad_list("10.0.0.0/8 fd00::/8", "\"10.0.0.0/8 fd00::/8\"");
	is_bad_list("10.0.0.0/8;fd00::/8", "\"10.0.0.0/8;fd00::/8\"");
	is_bad_list("10.0.0.0/8,", "an entry is empty");
	is_bad_list(",10.0.0.0/8", "an entry is empty");
	is_bad_list("10.0.0.0/8, ,fd00::/8", "an entry is empty");
	is_bad_list(",", "an entry is empty");
	is_bad_list("1111:2222:3333:4444:5555:6666:7777:8888:9999:0000/128",
	    "is not an IPv4 or IPv6 network");
	is_bad_list("1111:2222:3333:4444:5555:6666:7777:8888:9999:aaaa:bbbb"
	    "/128", "\"1111:2222:3333:4444:5555:6666:7777:8888:...\" is "
	    "not a network");

	w = many;
	for (i = 0; i <= OUTBOUND_MAX_NETWORKS; i++)
		w += sprintf(w, "%s10.%d.0.0/16", i > 0 ? "," : "", i);
	is_bad_list(many, "more than 32 networks");
}

static void
test_from_config(void)
{
	struct outbound_policy p;
	struct config cfg;
	struct error err;

	memset(&cfg, 0, sizeof(cfg));
	memset(&err, 0, sizeof(err));
	cfg.outbound_allow_networks = "10.0.0.0/8, ::1/128";
	cfg.outbound_timeout_seconds = 20;
	cfg.outbound_max_bytes = 4096;
	is_int(0, outbound_policy_from_config(&cfg, &p, &err),
	    "a policy is built from the configuration");
	is_int(2, p.nallow, "... with the configured networks");
	is_int(20000, p.timeout_ms, "... the total timeout in ms");
	is_int(OUTBOUND_CONNECT_TIMEOUT_MS, p.connect_timeout_ms,
	    "... the connect timeout at its default");
	is_int(4096, p.max_bytes, "... and the cap");
	cfg.outbound_timeout_seconds = 2;
	outbound_policy_from_config(&cfg, &p, &err);
	is_int(2000, p.connect_timeout_ms,
	    "a total timeout under the connect timeout shortens it");
	cfg.outbound_allow_networks = "10.0.0.0/8, 10.0.0.1/32x";
	is_int(-1, outbound_policy_from_config(&cfg, &p, &err),
	    "a malformed allow list is a configuration error");
	is_string("outbound_allow_networks: \"10.0.0.1/32x\" needs a prefix "
	    "length from 0 to 32", err.message, "... naming the bad entry");
	error_clear(&err);
}

/* ---------------------------------------------------------------- */
/* URLs                                                              */

/* One test: url is refused before any network use, the message as said. */
static void
is_url_refused(const struct outbound_policy *p, const char *url,
    const char *message)
{
	struct error err;
	int rc;

	memset(&err, 0, sizeof(err));
	rc = outbound_url_check(p, url, &err);
	if (rc != -1 || err.code != ERR_DESTINATION_NOT_ALLOWED) {
		ok(false, "%s is refused: %s", url, message);
		diag("rc %d, code %d", rc, (int)err.code);
	} else {
		is_string(message, err.message, "%s is refused", url);
	}
	error_clear(&err);
}

static void
test_urls(void)
{
	static const char *const not_by_name[] = {
		"https://example.com/metadata", "http://metadata.example.com/",
		"http://metadatas/", "http://my-metadata/",
		"https://instance-data.example/", "http://8.8.8.8/",
		"http://[2001:4860:4860::8888]:8443/x?y=z",
	};
	struct outbound_policy none, loopback;
	struct error err;
	size_t i;

	memset(&none, 0, sizeof(none));
	memset(&loopback, 0, sizeof(loopback));
	memset(&err, 0, sizeof(err));
	if (outbound_policy_allow(&loopback, "127.0.0.0/8,::1/128", &err) != 0)
		bail("cannot parse the loopback list");

	is_url_refused(&none, "http://metadata.google.internal/computeMetadata"
	    "/v1/", "metadata.google.internal is a cloud metadata host name.");
	is_url_refused(&none, "http://METADATA.Google.Internal./",
	    "metadata.google.internal is a cloud metadata host name.");
	is_url_refused(&none, "https://metadata.goog/",
	    "metadata.goog is a cloud metadata host name.");
	is_url_refused(&none, "http://metadata/",
	    "metadata is a cloud metadata host name.");
	is_url_refused(&none, "http://Metadata.:80/",
	    "metadata is a cloud metadata host name.");
	is_url_refused(&none, "http://instance-data/latest/meta-data/",
	    "instance-data is a cloud metadata host name.");
	is_url_refused(&none, "http://instance-data.ec2.internal/",
	    "instance-data.ec2.internal is a cloud metadata host name.");
	is_url_refused(&none, "http://instance-data.EC2.internal./",
	    "instance-data.ec2.internal is a cloud metadata host name.");
	is_url_refused(&none, "http://metadata%2egoog/",
	    "metadata.goog is a cloud metadata host name.");
	is_url_refused(&loopback, "http://metadata/",
	    "metadata is a cloud metadata host name.");
	for (i = 0; i < sizeof(not_by_name) / sizeof(not_by_name[0]); i++)
		is_int(0, outbound_url_check(&none, not_by_name[i], &err),
		    "%s is not refused by name", not_by_name[i]);

	is_url_refused(&none, "ftp://example.com/",
	    "ftp URLs are not allowed; only http and https are.");
	is_url_refused(&none, "file:///etc/passwd",
	    "file URLs are not allowed; only http and https are.");
	is_url_refused(&none, "gopher://example.com/",
	    "gopher URLs are not allowed; only http and https are.");
	is_url_refused(&none, "dict://example.com:11211/",
	    "dict URLs are not allowed; only http and https are.");
	is_url_refused(&none, "example.com/x",
	    "The URL is not a valid http or https URL.");
	is_url_refused(&none, "",
	    "The URL is not a valid http or https URL.");
	is_url_refused(&none, "http://exa mple.com/",
	    "The URL is not a valid http or https URL.");
	is_url_refused(&none, "http://user:s3cret@example.com/",
	    "URLs with a user name or password are not allowed.");
	is_url_refused(&none, "https://user@example.com/",
	    "URLs with a user name or password are not allowed.");
	is_url_refused(&none, "http://:s3cret@example.com/",
	    "URLs with a user name or password are not allowed.");
	is_url_refused(&none, "http://@example.com/",
	    "URLs with a user name or password are not allowed.");

	is_url_refused(&none, "http://127.0.0.1:8080/",
	    "127.0.0.1 is a loopback address.");
	is_url_refused(&none, "http://127.1/",
	    "127.0.0.1 is a loopback address.");
	is_url_refused(&none, "http://2130706433/",
	    "127.0.0.1 is a loopback address.");
	is_url_refused(&none, "http://0x7f.1/",
	    "127.0.0.1 is a loopback address.");
	is_url_refused(&none, "http://0/", "0.0.0.0 is an unspecified address.");
	is_url_refused(&none, "http://[::1]/", "::1 is a loopback address.");
	is_url_refused(&none, "http://[::ffff:a9fe:a9fe]/latest",
	    "::ffff:169.254.169.254 is a cloud metadata address (IPv4-mapped "
	    "form of 169.254.169.254).");
	is_url_refused(&none, "http://[fe80::1%25eth0]/",
	    "fe80::1 is a link-local address.");
	is_url_refused(&loopback, "http://10.0.0.1/",
	    "10.0.0.1 is a private address.");
	is_int(0, outbound_url_check(&loopback, "http://127.0.0.1:8080/x",
	    &err), "an allowed address literal passes");
	is_int(0, outbound_url_check(&loopback, "https://[::1]/", &err),
	    "an allowed IPv6 literal passes");
}

/* ---------------------------------------------------------------- */
/* Transfers against a forked server on 127.0.0.1                    */

struct server {
	pid_t pid;
	int port;
	int hits_fd;            /* one byte per request the server read */
	int hits;
};

/* The running server, killed at exit even when a test bails. */
static pid_t server_pid = -1;

static void
server_kill(void)
{
	if (server_pid > 0) {
		kill(server_pid, SIGKILL);
		waitpid(server_pid, NULL, 0);
		server_pid = -1;
	}
}

/* Write all of len bytes.  Returns 0, or -1 at the first error. */
static int
write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Answer one request (req: what came in, headers at least). */
static void
server_answer(int fd, const char *req)
{
	static char chunk[64 * 1024];
	char head[256];
	size_t sent;

	if (strncmp(req, "GET /ok ", 8) == 0) {
		snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\n"
		    "Content-Length: 5\r\nConnection: close\r\n\r\nhello");
		write_all(fd, head, strlen(head));
	} else if (strncmp(req, "HEAD /ok ", 9) == 0) {
		/* The length a GET would have, and no body. */
		snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\n"
		    "Content-Length: 5\r\n\r\n");
		write_all(fd, head, strlen(head));
	} else if (strncmp(req, "GET /redirect ", 14) == 0) {
		snprintf(head, sizeof(head), "HTTP/1.1 302 Found\r\n"
		    "Location: /ok\r\nContent-Length: 5\r\n"
		    "Connection: close\r\n\r\nmoved");
		write_all(fd, head, strlen(head));
	} else if (strncmp(req, "GET /big ", 9) == 0 ||
	    strncmp(req, "GET /big-unsized ", 17) == 0) {
		if (req[8] == ' ')
			snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\n"
			    "Content-Length: %d\r\nConnection: close\r\n\r\n",
			    BIG_BYTES);
		else
			snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\n"
			    "Connection: close\r\n\r\n");
		write_all(fd, head, strlen(head));
		/* Slowly, so that reading it all would take seconds. */
		memset(chunk, 'a', sizeof(chunk));
		for (sent = 0; sent < BIG_BYTES; sent += sizeof(chunk)) {
			if (write_all(fd, chunk, sizeof(chunk)) != 0)
				break;
			usleep(BIG_PAUSE_US);
		}
	} else if (strncmp(req, "GET /slow ", 10) == 0) {
		sleep(SERVER_LIFETIME);   /* never answers */
	} else {
		snprintf(head, sizeof(head), "HTTP/1.1 404 Not Found\r\n"
		    "Content-Length: 0\r\nConnection: close\r\n\r\n");
		write_all(fd, head, strlen(head));
	}
}

/* The server process: answer requests one at a time until killed. */
static void __attribute__((__noreturn__))
server_run(int listener, int hits)
{
	char req[8192];
	ssize_t n;
	size_t len;
	int fd;

	signal(SIGPIPE, SIG_IGN);
	alarm(SERVER_LIFETIME);
	for (;;) {
		if ((fd = accept(listener, NULL, NULL)) < 0) {
			if (errno == EINTR)
				continue;
			_exit(1);
		}
		len = 0;
		req[0] = '\0';
		while (len < sizeof(req) - 1 &&
		    (n = read(fd, req + len, sizeof(req) - 1 - len)) > 0) {
			len += (size_t)n;
			req[len] = '\0';
			if (strstr(req, "\r\n\r\n") != NULL)
				break;
		}
		write_all(hits, "x", 1);
		server_answer(fd, req);
		close(fd);
	}
}

static void
server_start(struct server *s)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int listener, pipefd[2], one = 1;

	memset(s, 0, sizeof(*s));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((listener = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one,
	    sizeof(one)) != 0 ||
	    bind(listener, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
	    listen(listener, 16) != 0 ||
	    getsockname(listener, (struct sockaddr *)&sin, &len) != 0)
		sysbail("cannot listen on 127.0.0.1");
	if (pipe(pipefd) != 0)
		sysbail("pipe");
	s->port = ntohs(sin.sin_port);
	if ((s->pid = fork()) < 0)
		sysbail("fork");
	if (s->pid == 0) {
		close(pipefd[0]);
		server_run(listener, pipefd[1]);
	}
	server_pid = s->pid;
	close(listener);
	close(pipefd[1]);
	s->hits_fd = pipefd[0];
	if (fcntl(s->hits_fd, F_SETFL, O_NONBLOCK) != 0)
		sysbail("fcntl");
}

/* How many requests the server has read so far. */
static int
server_hits(struct server *s)
{
	char buf[64];
	ssize_t n;

	while ((n = read(s->hits_fd, buf, sizeof(buf))) > 0)
		s->hits += (int)n;
	return s->hits;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A port on 127.0.0.1 where nothing listens (bound, then closed). */
static int
closed_port(void)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd, port;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) != 0)
		sysbail("cannot bind on 127.0.0.1");
	port = ntohs(sin.sin_port);
	close(fd);
	return port;
}

static void
test_transfers(void)
{
	struct outbound_policy none, loopback, small;
	struct outbound_response res;
	struct server s;
	struct error err;
	char url[128], proxy[64];
	double started, took;
	int rc, before;

	memset(&err, 0, sizeof(err));
	memset(&res, 0, sizeof(res));
	memset(&none, 0, sizeof(none));
	none.timeout_ms = 5000;
	none.connect_timeout_ms = 2000;
	none.max_bytes = 65536;
	loopback = none;
	if (outbound_policy_allow(&loopback, "127.0.0.0/8", &err) != 0)
		bail("cannot parse 127.0.0.0/8");

	/* A proxy from the environment would make every call below fail. */
	snprintf(proxy, sizeof(proxy), "http://127.0.0.1:%d", closed_port());
	setenv("http_proxy", proxy, 1);
	setenv("HTTPS_PROXY", proxy, 1);
	setenv("ALL_PROXY", proxy, 1);

	server_start(&s);

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/ok", s.port);
	rc = outbound_request(&none, "GET", url, NULL, NULL, 0, &res, &err);
	is_int(ERR_DESTINATION_NOT_ALLOWED, rc == -1 ? err.code : ERR_NONE,
	    "a call to 127.0.0.1 is refused when nothing is allowed");
	is_string("127.0.0.1 is a loopback address.", err.message,
	    "... saying why");
	is_int(0, server_hits(&s), "... and the server saw no request");
	ok(res.body == NULL, "... and no response is returned");
	error_clear(&err);

	snprintf(url, sizeof(url), "http://localhost:%d/ok", s.port);
	rc = outbound_request(&none, "GET", url, NULL, NULL, 0, &res, &err);
	is_int(ERR_DESTINATION_NOT_ALLOWED, rc == -1 ? err.code : ERR_NONE,
	    "a call to localhost is refused at connect time");
	ok(strstr(err.message, " is a loopback address.") != NULL,
	    "... saying the address it resolved to is loopback (%s)",
	    err.message);
	is_int(0, server_hits(&s), "... and the server saw no request");
	error_clear(&err);

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/ok", s.port);
	rc = outbound_request(&loopback, "GET", url, NULL, NULL, 0, &res,
	    &err);
	is_int(0, rc, "a call to 127.0.0.1 succeeds when 127.0.0.0/8 is "
	    "allowed, a proxy in the environment notwithstanding");
	if (rc != 0)
		diag("%s", err.message);
	is_int(200, res.status, "... with the server's status");
	is_string("hello", res.body, "... and its body");
	is_int(5, res.len, "... and the body's length");
	is_int(1, server_hits(&s), "... from one request");
	outbound_response_free(&res);
	ok(res.body == NULL && res.len == 0,
	    "outbound_response_free leaves a zeroed response");
	outbound_response_free(&res);

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/ok", s.port);
	started = now();
	rc = outbound_request(&loopback, "HEAD", url, NULL, NULL, 0, &res,
	    &err);
	took = now() - started;
	is_int(0, rc, "a HEAD is answered");
	ok(rc == 0 && res.status == 200 && res.len == 0,
	    "... with its status and no body");
	ok(took < 2.0, "... at once, not reading the Content-Length's bytes"
	    " (%.2f s)", took);
	outbound_response_free(&res);
	error_clear(&err);

	snprintf(url, sizeof(url), "http://localhost:%d/ok", s.port);
	rc = outbound_request(&loopback, "GET", url, NULL, NULL, 0, &res,
	    &err);
	is_int(0, rc, "localhost is reached when loopback is allowed");
	if (rc != 0)
		diag("%s", err.message);
	outbound_response_free(&res);
	error_clear(&err);

	small = loopback;
	small.max_bytes = 5;
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/ok", s.port);
	rc = outbound_request(&small, "GET", url, NULL, NULL, 0, &res, &err);
	is_int(0, rc, "an answer exactly at the cap is accepted");
	outbound_response_free(&res);
	small.max_bytes = 4;
	rc = outbound_request(&small, "GET", url, NULL, NULL, 0, &res, &err);
	is_int(ERR_UPSTREAM_TOO_LARGE, rc == -1 ? err.code : ERR_NONE,
	    "an answer one byte over the cap is refused");
	error_clear(&err);

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/big", s.port);
	started = now();
	rc = outbound_request(&loopback, "GET", url, NULL, NULL, 0, &res,
	    &err);
	took = now() - started;
	is_int(ERR_UPSTREAM_TOO_LARGE, rc == -1 ? err.code : ERR_NONE,
	    "an answer whose Content-Length is over the cap is refused");
	ok(took < 1.0, "... without reading it (%.2f s)", took);
	is_string("The answer from the remote service is larger than drio "
	    "accepts.", err.message, "... with the code's message");
	ok(res.body == NULL, "... and no body is returned");
	error_clear(&err);

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/big-unsized", s.port);
	started = now();
	rc = outbound_request(&loopback, "GET", url, NULL, NULL, 0, &res,
	    &err);
	took = now() - started;
	is_int(ERR_UPSTREAM_TOO_LARGE, rc == -1 ? err.code : ERR_NONE,
	    "an answer of unannounced size is stopped once over the cap");
	ok(took < 1.0, "... as soon as it is, not after all of it (%.2f s)",
	    took);
	error_clear(&err);

	before = server_hits(&s);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/redirect", s.port);
	rc = outbound_request(&loopback, "GET", url, NULL, NULL, 0, &res,
	    &err);
	is_int(0, rc, "a redirect is an answer");
	is_int(302, res.status, "... with its own status");
	is_string("moved", res.body, "... and body: it was not followed");
	is_int(before + 1, server_hits(&s), "... and the server saw one "
	    "request");
	outbound_response_free(&res);

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/ok", closed_port());
	rc = outbound_request(&loopback, "GET", url, NULL, NULL, 0, &res,
	    &err);
	is_int(ERR_UPSTREAM_UNAVAILABLE, rc == -1 ? err.code : ERR_NONE,
	    "an allowed address where nothing listens is unavailable");
	is_string("The upstream service could not be reached.", err.message,
	    "... saying so");
	error_clear(&err);

	memset(&small, 0, sizeof(small));
	rc = outbound_request(&small, "GET", url, NULL, NULL, 0, &res, &err);
	is_int(ERR_INTERNAL, rc == -1 ? err.code : ERR_NONE,
	    "a policy without timeouts is refused, not run without them");
	error_clear(&err);

	small = loopback;
	small.timeout_ms = 1000;
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/slow", s.port);
	started = now();
	rc = outbound_request(&small, "GET", url, NULL, NULL, 0, &res, &err);
	took = now() - started;
	is_int(ERR_UPSTREAM_UNAVAILABLE, rc == -1 ? err.code : ERR_NONE,
	    "a server that never answers is unavailable");
	is_string("The upstream service did not answer in time.", err.message,
	    "... saying it did not answer in time");
	ok(took >= 0.9 && took < 3.0, "... after the 1 s total timeout "
	    "(%.2f s)", took);
	error_clear(&err);

	server_kill();
	close(s.hits_fd);
}

int
main(void)
{
	plan(343);
	atexit(server_kill);
	test_classes();
	test_allow();
	test_parse();
	test_from_config();
	test_urls();
	test_transfers();
	return 0;
}

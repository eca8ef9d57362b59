/*
 * outbound-reuse-t.c: the promises of lib/outbound.c's kept handle,
 * against a keep-alive HTTP server this program forks on 127.0.0.1:
 * a second call to the same host reuses the connection; a call under a
 * policy that does not allow loopback is refused even though a
 * connection to it is open; a call to another host name makes its own
 * connection; headers and bodies of one call never reach the next.
 *
 * SPDX-License-Identifier: MIT
 */
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "outbound.h"
#include "t/tap/basic.h"

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

/*
 * The server: keeps each connection open and answers every request on
 * it with its connection number and the request's bytes (headers and
 * body) as the body; one connection at a time; the log pipe gets one
 * byte per accepted connection.
 */
static void __attribute__((__noreturn__))
server_run(int listener, int log)
{
	char req[8192], head[256];
	int fd, conn = 0;
	ssize_t n;
	size_t len;

	signal(SIGPIPE, SIG_IGN);
	signal(SIGCHLD, SIG_IGN);
	alarm(30);
	for (;;) {
		if ((fd = accept(listener, NULL, NULL)) < 0)
			_exit(1);
		conn++;
		(void)write(log, "c", 1);
		if (fork() != 0) {
			close(fd);
			continue;
		}
		close(listener);
		for (;;) {
			char *end, *cl;
			size_t want = 0;

			len = 0;
			req[0] = '\0';
			while (len < sizeof(req) - 1) {
				n = read(fd, req + len, sizeof(req) - 1 - len);
				if (n <= 0)
					goto next;
				len += (size_t)n;
				req[len] = '\0';
				if ((end = strstr(req, "\r\n\r\n")) != NULL) {
					cl = strcasestr(req, "Content-Length:");
					want = (size_t)(end + 4 - req) +
					    (cl != NULL && cl < end ?
					    strtoul(cl + 15, NULL, 10) : 0);
					if (len >= want)
						break;
				}
			}
			snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\n"
			    "Content-Length: %zu\r\n\r\n%d\n", len + 2 +
			    (conn >= 10 ? 1 : 0), conn);
			(void)write(fd, head, strlen(head));
			(void)write(fd, req, len);
		}
next:
		_exit(0);
	}
}

int
main(void)
{
	struct outbound_policy none, loopback, wider;
	struct outbound_response res = { 0 };
	struct error err = { 0 };
	struct sockaddr_in sin;
	socklen_t slen = sizeof(sin);
	const char *secret[] = { "Authorization: Bearer s3cret", NULL };
	char url[128], url2[128], buf[64];
	int listener, logp[2], one = 1, rc, port;
	ssize_t n;

	plan(13);
	atexit(server_kill);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((listener = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one,
	    sizeof(one)) != 0 ||
	    bind(listener, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
	    listen(listener, 16) != 0 ||
	    getsockname(listener, (struct sockaddr *)&sin, &slen) != 0 ||
	    pipe(logp) != 0)
		sysbail("server setup");
	port = ntohs(sin.sin_port);
	if ((server_pid = fork()) == 0) {
		close(logp[0]);
		server_run(listener, logp[1]);
	}
	close(listener);
	close(logp[1]);

	memset(&none, 0, sizeof(none));
	none.timeout_ms = 5000;
	none.connect_timeout_ms = 2000;
	none.max_bytes = 65536;
	loopback = none;
	wider = none;
	if (outbound_policy_allow(&loopback, "127.0.0.0/8", &err) != 0 ||
	    outbound_policy_allow(&wider, "127.0.0.0/8,10.0.0.0/8", &err) != 0)
		bail("allow lists");
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/a", port);
	snprintf(url2, sizeof(url2), "http://localhost:%d/b", port);

	rc = outbound_request(&loopback, "POST", url, secret, "body-one", 8,
	    &res, &err);
	ok(rc == 0 && res.body != NULL && strncmp(res.body, "1\n", 2) == 0,
	    "the first call opens connection 1");
	ok(rc == 0 && strstr(res.body, "s3cret") != NULL &&
	    strstr(res.body, "body-one") != NULL,
	    "... and sends its header and body");
	outbound_response_free(&res);

	rc = outbound_request(&loopback, "GET", url, NULL, NULL, 0, &res, &err);
	ok(rc == 0 && strncmp(res.body, "1\n", 2) == 0,
	    "a second call to the same host reuses connection 1");
	ok(rc == 0 && strstr(res.body, "s3cret") == NULL,
	    "... without the first call's Authorization header");
	ok(rc == 0 && strstr(res.body, "body-one") == NULL &&
	    strncmp(res.body + 2, "GET ", 4) == 0,
	    "... or its body or method");
	if (rc == 0)
		diag("%s", res.body);
	outbound_response_free(&res);

	rc = outbound_request(&loopback, "GET", url2, NULL, NULL, 0, &res,
	    &err);
	ok(rc == 0 && strncmp(res.body, "2\n", 2) == 0,
	    "a call to another host name (localhost) makes its own"
	    " connection (2), not 127.0.0.1's");
	if (rc != 0)
		diag("%s", err.message);
	outbound_response_free(&res);
	error_clear(&err);

	rc = outbound_request(&none, "GET", url2, NULL, NULL, 0, &res, &err);
	is_int(ERR_DESTINATION_NOT_ALLOWED, rc == -1 ? err.code : ERR_NONE,
	    "a call to localhost under a policy that refuses loopback is"
	    " refused at connect time, though a connection to localhost is"
	    " open");
	ok(res.body == NULL, "... and gets no answer");
	outbound_response_free(&res);
	error_clear(&err);

	rc = outbound_request(&loopback, "GET", url, NULL, NULL, 0, &res, &err);
	ok(rc == 0 && strncmp(res.body, "3\n", 2) == 0,
	    "after a call under another allow list, a new connection (3)");
	outbound_response_free(&res);

	rc = outbound_request(&wider, "GET", url, NULL, NULL, 0, &res, &err);
	ok(rc == 0 && strncmp(res.body, "4\n", 2) == 0,
	    "a wider allow list makes its own connection (4)");
	outbound_response_free(&res);

	if (fork() == 0) {
		/* A child process makes its own connection. */
		rc = outbound_request(&wider, "GET", url, NULL, NULL, 0, &res,
		    &err);
		_exit(rc == 0 && strncmp(res.body, "5\n", 2) == 0 ? 0 : 1);
	}
	{
		int status;

		wait(&status);
		ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		    "a forked child makes its own connection (5)");
	}
	rc = outbound_request(&wider, "GET", url, NULL, NULL, 0, &res, &err);
	ok(rc == 0 && strncmp(res.body, "4\n", 2) == 0,
	    "the parent's connection (4) still serves it after the child's"
	    " call");
	outbound_response_free(&res);
	server_kill();
	n = read(logp[0], buf, sizeof(buf));
	is_int(5, n, "the server saw 5 connections in all");
	return 0;
}

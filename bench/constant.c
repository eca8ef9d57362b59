/*
 * constant.c: the benchmark's baseline, a FastCGI responder that does
 * nothing but answer {"ok":true}.  It is shaped like a drio responder
 * (libfcgi, a unix socket made with --listen, N prefork workers accepting
 * on it), so running it behind the same nginx as drio-openapi shows what
 * nginx, FastCGI and the process model cost on their own; bench/run
 * reports drio's numbers against it.
 *
 * Built by bench/run with the system compiler, not by the build system:
 *     cc -O2 -Wall -Wextra -Werror -o constant bench/constant.c -lfcgi
 * Usage: constant --listen PATH [--workers N]
 *
 * SIGTERM or SIGINT stops the workers and removes the socket.  Workers are
 * not graceful (bench/run stops nginx first, so nothing is in flight).
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <fcgiapp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_WORKERS 256

static const char response[] =
    "Status: 200 OK\r\n"
    "Content-Type: application/json\r\n"
    "Content-Length: 12\r\n"
    "\r\n"
    "{\"ok\":true}\n";

static volatile sig_atomic_t stopping;

static void
on_stop(int signo)
{
	(void)signo;
	stopping = 1;
}

/* A worker: accept and answer until killed.  Returns the exit status. */
static int
worker(int listen_fd)
{
	FCGX_Request request;

	if (FCGX_InitRequest(&request, listen_fd, 0) != 0) {
		fprintf(stderr, "constant: FCGX_InitRequest failed\n");
		return 1;
	}
	while (FCGX_Accept_r(&request) >= 0) {
		FCGX_PutStr(response, (int)sizeof(response) - 1, request.out);
		FCGX_Finish_r(&request);
	}
	return 0;
}

static int
usage(void)
{
	fprintf(stderr, "usage: constant --listen PATH [--workers N]\n");
	return 2;
}

int
main(int argc, char **argv)
{
	const char *path = NULL;
	long workers = 2;
	pid_t pids[MAX_WORKERS];
	struct sigaction sa;
	int listen_fd, i, status = 0;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--listen") == 0 && i + 1 < argc) {
			path = argv[++i];
		} else if (strcmp(argv[i], "--workers") == 0 && i + 1 < argc) {
			char *end;

			workers = strtol(argv[++i], &end, 10);
			if (*end != '\0' || workers < 1 || workers > MAX_WORKERS)
				return usage();
		} else {
			return usage();
		}
	}
	if (path == NULL)
		return usage();

	if (FCGX_Init() != 0) {
		fprintf(stderr, "constant: FCGX_Init failed\n");
		return 1;
	}
	if (unlink(path) != 0 && errno != ENOENT) {
		fprintf(stderr, "constant: unlink %s: %s\n", path, strerror(errno));
		return 1;
	}
	listen_fd = FCGX_OpenSocket(path, 1024);
	if (listen_fd < 0) {
		fprintf(stderr, "constant: cannot listen on %s\n", path);
		return 1;
	}
	if (chmod(path, 0660) != 0) {
		fprintf(stderr, "constant: chmod %s: %s\n", path, strerror(errno));
		return 1;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	for (i = 0; i < workers; i++) {
		pids[i] = fork();
		if (pids[i] < 0) {
			fprintf(stderr, "constant: fork: %s\n", strerror(errno));
			workers = i;
			stopping = 1;
			status = 1;
			break;
		}
		if (pids[i] == 0) {
			signal(SIGTERM, SIG_DFL);
			signal(SIGINT, SIG_DFL);
			_exit(worker(listen_fd));
		}
	}
	fprintf(stderr, "constant: serving on %s with %ld workers\n", path,
	    workers);

	/* Wait for a signal; a worker that dies is an error. */
	while (!stopping) {
		pid_t pid = wait(NULL);

		if (pid < 0 && errno == EINTR)
			continue;
		fprintf(stderr, "constant: a worker exited; stopping\n");
		status = 1;
		break;
	}
	for (i = 0; i < workers; i++)
		kill(pids[i], SIGTERM);
	while (wait(NULL) > 0 || errno == EINTR)
		;
	unlink(path);
	return status;
}

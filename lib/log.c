/*
 * log.c: key=value log lines on stderr (see log.h).  Each line is built in
 * a buffer and written with one write(2), so lines from several worker
 * processes sharing stderr never interleave.
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define LOG_LINE_MAX 2048

void
log_time_rfc3339(char *buf, unsigned long size)
{
	struct timeval tv;
	struct tm tm;
	char base[32];

	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, size, "%s.%03ldZ", base, (long)(tv.tv_usec / 1000));
}

/* A line being built; len never exceeds LOG_LINE_MAX - 2. */
struct line {
	char text[LOG_LINE_MAX];
	size_t len;
};

static void
line_append(struct line *line, const char *fmt, ...)
    __attribute__((__format__(printf, 2, 3)));

static void
line_append(struct line *line, const char *fmt, ...)
{
	va_list ap;
	size_t room = LOG_LINE_MAX - 1 - line->len;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line->text + line->len, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	line->len += (size_t)n < room ? (size_t)n : room - 1;
}

/*
 * Append value, quoted and escaped when it holds anything but plain
 * characters, so a hostile path cannot forge a field or a line.
 */
static void
line_append_value(struct line *line, const char *value)
{
	const char *p;
	int needs_quotes = value[0] == '\0';

	for (p = value; *p != '\0'; p++)
		if (*p <= ' ' || *p == '"' || *p == '=' || *p == '\\' ||
		    (unsigned char)*p >= 0x7f)
			needs_quotes = 1;
	if (!needs_quotes) {
		line_append(line, "%s", value);
		return;
	}
	line_append(line, "\"");
	for (p = value; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '"' || c == '\\')
			line_append(line, "\\%c", c);
		else if (c < ' ' || c == 0x7f)
			line_append(line, "\\x%02x", c);
		else
			line_append(line, "%c", c);
	}
	line_append(line, "\"");
}

static void
line_write(struct line *line)
{
	ssize_t n;

	line->text[line->len++] = '\n';
	do
		n = write(STDERR_FILENO, line->text, line->len);
	while (n < 0 && errno == EINTR);
}

void
log_request(const char *request_id, const char *method, const char *path,
    int status, long long microseconds)
{
	struct line line = { .len = 0 };
	char now[40];

	log_time_rfc3339(now, sizeof(now));
	line_append(&line, "time=%s request_id=", now);
	line_append_value(&line, request_id);
	line_append(&line, " method=");
	line_append_value(&line, method);
	line_append(&line, " path=");
	line_append_value(&line, path);
	line_append(&line, " status=%d us=%lld", status, microseconds);
	line_write(&line);
}

static void
log_message(const char *level, int errnum, const char *fmt, va_list ap)
{
	struct line line = { .len = 0 };
	char now[40], text[1024];

	vsnprintf(text, sizeof(text), fmt, ap);
	if (errnum != 0) {
		size_t tlen = strlen(text);

		snprintf(text + tlen, sizeof(text) - tlen, ": %s",
		    strerror(errnum));
	}
	log_time_rfc3339(now, sizeof(now));
	line_append(&line, "time=%s level=%s pid=%ld msg=", now, level,
	    (long)getpid());
	line_append_value(&line, text);
	line_write(&line);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_message("warn", 0, fmt, ap);
	va_end(ap);
}

void
log_warn_errno(int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_message("warn", errnum, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_message("info", 0, fmt, ap);
	va_end(ap);
}

/*
 * log.h: drio's log lines.  One key=value line per request on stderr, and
 * warnings in the same shape.  Values are quoted when they need it and
 * never carry a secret: callers log paths without query strings and never
 * pass tokens, passwords or bodies.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef DRIO_LOG_H
#define DRIO_LOG_H

/*
 * Log one served request: time, request id, method, path (no query),
 * status and the microseconds it took.  Can't fail (a line that cannot be
 * written is dropped).
 */
void log_request(const char *request_id, const char *method,
    const char *path, int status, long long microseconds);

/* Log a warning: `level=warn msg="..."` plus the errno text if errnum. */
void log_warn(const char *fmt, ...) __attribute__((__format__(printf, 1, 2)));
void log_warn_errno(int errnum, const char *fmt, ...)
    __attribute__((__format__(printf, 2, 3)));
/* Log an informational line (startup, shutdown). */
void log_info(const char *fmt, ...) __attribute__((__format__(printf, 1, 2)));

/* Write the current time as RFC 3339 UTC with milliseconds into buf. */
void log_time_rfc3339(char *buf, unsigned long size);

#endif

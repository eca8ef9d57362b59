/*
 * prune.c: drio-admin prune (see admin/prune.h): delete old tool call
 * records and stale metadata document clients in bounded batches.
 *
 * Each batch is one statement, and so one short transaction: the
 * responders keep writing while a prune runs, and a prune that stops
 * half-way is finished by running it again.
 *
 * Tool calls are deleted oldest first, walking the primary key: ids are
 * handed out in the order calls are recorded, so the old calls are the
 * ones with the lowest ids, and no index on created_at is needed (one
 * would cost every recorded call).  The walk stops at the first batch
 * holding a call recorded after the cutoff.  Calls recorded in the same
 * instant by concurrent transactions may leave a few old calls just past
 * that point; the next prune takes them.
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drio.h"
#include "admin/prune.h"

#define EXIT_USAGE 2

/* The usage of prune, on stderr.  Returns EXIT_USAGE. */
static int
prune_usage(void)
{
	fputs("usage: drio-admin [-c PATH] prune tool-calls --older-than DAYS"
	    " [--batch N]\n"
	    "       drio-admin [-c PATH] prune client-metadata"
	    " [--older-than DAYS] [--batch N]\n", stderr);
	return EXIT_USAGE;
}

/* Say what err says on stderr, as drio-admin does.  Returns 1. */
static int
report(const struct error *err)
{
	fprintf(stderr, "drio-admin: %s\n", err->message);
	if (err->hint[0] != '\0')
		fprintf(stderr, "hint: %s\n", err->hint);
	return 1;
}

/*
 * Read a whole number from text into *out when it lies in min..max.
 * Returns true when it does.
 */
static bool
parse_count(const char *text, long long min, long long max, long long *out)
{
	char *end;
	long long n;

	errno = 0;
	n = strtoll(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || n < min || n > max)
		return false;
	*out = n;
	return true;
}

/* The cutoff: now less $1 days, to the second, as RFC 3339 text. */
static const struct db_statement prune_cutoff = {
	"prune_cutoff",
	"SELECT drio_rfc3339(date_trunc('second', now())"
	"                    - make_interval(days => $1::integer))"
};

/*
 * One batch of tool calls: the $3 calls after id $2 in id order, those
 * of them recorded before $1 deleted.  Returns how many were deleted and
 * the highest id deleted (0 for none).  The ids go to the DELETE as an
 * array: as a join, a generic plan (which knows no batch size) chose to
 * read the whole table for each batch; this way both statements walk
 * the primary key (5,000 of a million calls: 16 ms).
 */
static const struct db_statement prune_tool_calls_batch = {
	"prune_tool_calls_batch",
	"WITH batch AS ("
	"       SELECT id, created_at < $1::timestamptz AS old"
	"         FROM tool_calls WHERE id > $2::bigint"
	"        ORDER BY id LIMIT $3::integer),"
	"     gone AS ("
	"       DELETE FROM tool_calls"
	"        WHERE id = ANY (ARRAY(SELECT id FROM batch WHERE old))"
	"       RETURNING id)"
	" SELECT count(*), coalesce(max(id), 0) FROM gone"
};

/*
 * One batch of metadata document clients: up to $2 whose document
 * expired before $1 and that hold nothing alive, locked, and deleted.
 * Deleting one cascades to its grants (and their sessions and refresh
 * tokens), codes and device authorizations (sql/002, sql/003), so
 * "alive" is checked on each of them: an access token (api_sessions,
 * which name the client) not revoked and not expired, a refresh token
 * not spent and not expired, an authorization code not used and not
 * expired, a device authorization not expired.  A row another
 * transaction has locked, such as a sign-in refreshing the document or
 * adding a grant, is skipped (SKIP LOCKED), and one whose document was
 * refreshed meanwhile no longer matches.  Registered clients have no
 * metadata_expires_at and never match.  Returns how many were deleted.
 */
static const struct db_statement prune_clients_batch = {
	"prune_clients_batch",
	"WITH batch AS ("
	"       SELECT c.id FROM oauth_clients c"
	"        WHERE c.metadata_expires_at < $1::timestamptz"
	"          AND NOT EXISTS (SELECT 1 FROM api_sessions s"
	"               WHERE s.client_id = c.id AND s.revoked_at IS NULL"
	"                 AND (s.expires_at IS NULL OR s.expires_at > now()))"
	"          AND NOT EXISTS (SELECT 1 FROM oauth_grants g"
	"               JOIN oauth_refresh_tokens r ON r.grant_id = g.id"
	"               WHERE g.client_id = c.id AND r.used_at IS NULL"
	"                 AND r.expires_at > now())"
	"          AND NOT EXISTS (SELECT 1 FROM oauth_codes o"
	"               WHERE o.client_id = c.id AND o.used_at IS NULL"
	"                 AND o.expires_at > now())"
	"          AND NOT EXISTS (SELECT 1 FROM device_authorizations d"
	"               WHERE d.client_id = c.id AND d.expires_at > now())"
	"        ORDER BY c.metadata_expires_at"
	"        LIMIT $2::integer"
	"          FOR UPDATE OF c SKIP LOCKED),"
	"     gone AS ("
	"       DELETE FROM oauth_clients"
	"        WHERE id = ANY (ARRAY(SELECT id FROM batch)) RETURNING 1)"
	" SELECT count(*) FROM gone"
};

/* The metadata document clients expired before $1 that are left. */
static const struct db_statement prune_clients_left = {
	"prune_clients_left",
	"SELECT count(*) FROM oauth_clients"
	" WHERE metadata_expires_at < $1::timestamptz"
};

/* Options of both prunes. */
struct prune_options {
	long long days;     /* --older-than; -1 when not given */
	long long batch;    /* --batch; -1 when not given */
};

/*
 * Parse the options of a prune; argv[0] is what it prunes.  Returns 0,
 * or EXIT_USAGE after saying why.
 */
static int
prune_options_parse(int argc, char **argv, struct prune_options *o)
{
	static const struct option options[] = {
		{ "older-than", required_argument, NULL, 'o' },
		{ "batch", required_argument, NULL, 'b' },
		{ NULL, 0, NULL, 0 }
	};
	int opt;

	o->days = -1;
	o->batch = -1;
	optind = 0; /* glibc: re-initialise for this argv */
	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		if (opt == 'o') {
			if (!parse_count(optarg, 1, PRUNE_DAYS_MAX, &o->days)) {
				fprintf(stderr, "drio-admin: --older-than "
				    "takes 1 to %d days\n", PRUNE_DAYS_MAX);
				return EXIT_USAGE;
			}
		} else if (opt == 'b') {
			if (!parse_count(optarg, 1, PRUNE_BATCH_MAX,
			    &o->batch)) {
				fprintf(stderr, "drio-admin: --batch takes 1 "
				    "to %d rows\n", PRUNE_BATCH_MAX);
				return EXIT_USAGE;
			}
		} else {
			return prune_usage();
		}
	}
	if (optind != argc)
		return prune_usage();
	return 0;
}

/*
 * The cutoff days before now, into cutoff (RFC 3339, size bytes).
 * Returns 0, or -1 and err.
 */
static int
prune_cutoff_get(long long days, char *cutoff, size_t size,
    struct error *err)
{
	char days_text[24];
	const char *params[] = { days_text };
	PGresult *res;

	snprintf(days_text, sizeof(days_text), "%lld", days);
	if (db_exec(&prune_cutoff, 1, params, &res, err) != 0)
		return -1;
	snprintf(cutoff, size, "%s", db_value(res, 0, 0));
	PQclear(res);
	return 0;
}

/* "batch" or "batches" after n. */
static const char *
batches_word(long long n)
{
	return n == 1 ? "batch" : "batches";
}

/* prune tool-calls.  Returns the exit status. */
static int
prune_tool_calls(const struct prune_options *o, struct error *err)
{
	char cutoff[32], after[24], batch[24];
	const char *params[] = { cutoff, after, batch };
	long long size, deleted = 0, batches = 0, n;
	PGresult *res;

	if (o->days < 0) {
		fprintf(stderr, "drio-admin: prune tool-calls needs "
		    "--older-than DAYS\n");
		return prune_usage();
	}
	if (prune_cutoff_get(o->days, cutoff, sizeof(cutoff), err) != 0)
		return report(err);
	snprintf(after, sizeof(after), "0");
	size = o->batch > 0 ? o->batch : PRUNE_TOOL_CALLS_BATCH;
	snprintf(batch, sizeof(batch), "%lld", size);
	do {
		if (db_exec(&prune_tool_calls_batch, 3, params, &res,
		    err) != 0) {
			fprintf(stderr, "drio-admin: deleted %lld tool calls "
			    "before the failure\n", deleted);
			return report(err);
		}
		n = db_int(res, 0, 0);
		snprintf(after, sizeof(after), "%s", db_value(res, 0, 1));
		PQclear(res);
		deleted += n;
		if (n > 0)
			batches++;
	} while (n == size);
	printf("deleted %lld tool calls recorded before %s (%lld %s)\n",
	    deleted, cutoff, batches, batches_word(batches));
	return 0;
}

/* prune client-metadata.  Returns the exit status. */
static int
prune_client_metadata(const struct prune_options *o, struct error *err)
{
	char cutoff[32], batch[24];
	const char *params[] = { cutoff, batch };
	long long size, deleted = 0, batches = 0, n, left;
	PGresult *res;

	if (prune_cutoff_get(o->days > 0 ? o->days :
	    PRUNE_CLIENT_METADATA_DAYS, cutoff, sizeof(cutoff), err) != 0)
		return report(err);
	size = o->batch > 0 ? o->batch : PRUNE_CLIENTS_BATCH;
	snprintf(batch, sizeof(batch), "%lld", size);
	do {
		if (db_exec(&prune_clients_batch, 2, params, &res, err) != 0) {
			fprintf(stderr, "drio-admin: deleted %lld clients "
			    "before the failure\n", deleted);
			return report(err);
		}
		n = db_int(res, 0, 0);
		PQclear(res);
		deleted += n;
		if (n > 0)
			batches++;
	} while (n == size);
	if (db_exec(&prune_clients_left, 1, params, &res, err) != 0)
		return report(err);
	left = db_int(res, 0, 0);
	PQclear(res);
	printf("deleted %lld metadata document clients expired before %s "
	    "(%lld %s); kept %lld that hold live tokens, codes or device "
	    "authorizations\n", deleted, cutoff, batches,
	    batches_word(batches), left);
	return 0;
}

int
admin_prune(int argc, char **argv, struct error *err)
{
	struct prune_options o;
	int rc;

	if (argc < 2)
		return prune_usage();
	/* From here on argv[0] is what is pruned, as getopt expects. */
	argc--;
	argv++;
	if ((rc = prune_options_parse(argc, argv, &o)) != 0)
		return rc;
	if (strcmp(argv[0], "tool-calls") == 0)
		return prune_tool_calls(&o, err);
	if (strcmp(argv[0], "client-metadata") == 0)
		return prune_client_metadata(&o, err);
	return prune_usage();
}

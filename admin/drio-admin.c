/*
 * drio-admin.c: the operator's command-line tool.  Applies migrations,
 * checks that the database is reachable and current, creates the first
 * accounts, workspaces and API tokens, and prunes old records.
 *
 *   drio-admin [-c PATH] migrate
 *   drio-admin [-c PATH] check
 *   drio-admin [-c PATH] create-account EMAIL [--name NAME] [--password-stdin]
 *   drio-admin [-c PATH] create-workspace NAME --owner EMAIL [--slug SLUG]
 *   drio-admin [-c PATH] issue-token EMAIL --label LABEL [--expires-days N]
 *   drio-admin [-c PATH] vault-init
 *   drio-admin [-c PATH] vault-add-key
 *   drio-admin [-c PATH] vault-rotate [--current-key]
 *   drio-admin [-c PATH] load-templates
 *   drio-admin [-c PATH] load-connectors [--allow-http]
 *   drio-admin [-c PATH] prune tool-calls --older-than DAYS [--batch N]
 *   drio-admin [-c PATH] prune client-metadata [--older-than DAYS]
 *       [--batch N]
 *
 * Exit status: 0 on success, 1 on failure, 2 on a usage error.
 *
 * SPDX-License-Identifier: MIT
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "drio.h"
#include "admin/connectors.h"
#include "admin/prune.h"
#include "admin/templates.h"
#include "admin/vault.h"

#define EXIT_USAGE 2
#define MIGRATIONS_MAX 1000
#define MIGRATION_SIZE_MAX (4 * 1024 * 1024)

static const char usage_text[] =
    "usage: drio-admin [-c PATH] COMMAND [ARGS]\n"
    "commands:\n"
    "  migrate                     apply pending migrations from sql_dir\n"
    "  check                       database reachable and migrations current\n"
    "  create-account EMAIL [--name NAME] [--password-stdin]\n"
    "  create-workspace NAME --owner EMAIL [--slug SLUG]\n"
    "  issue-token EMAIL --label LABEL [--expires-days N]\n"
    "  vault-init                  create the vault key file\n"
    "  vault-add-key               add a key; it seals from now on\n"
    "  vault-rotate [--current-key] re-encrypt stored secrets under a new\n"
    "                              key (or the current one)\n"
    "  load-templates              check and load the app templates of\n"
    "                              templates_dir\n"
    "  load-connectors [--allow-http] check and load the connector\n"
    "                              manifests of connectors_dir\n"
    "  prune tool-calls --older-than DAYS [--batch N]\n"
    "                              delete tool call records older than DAYS\n"
    "  prune client-metadata [--older-than DAYS] [--batch N]\n"
    "                              delete metadata document clients expired\n"
    "                              over DAYS (30) ago that hold nothing live\n";

static int
usage(void)
{
	fputs(usage_text, stderr);
	return EXIT_USAGE;
}

static int
fail(const struct error *err)
{
	fprintf(stderr, "drio-admin: %s\n", err->message);
	if (err->hint[0] != '\0')
		fprintf(stderr, "hint: %s\n", err->hint);
	return 1;
}

/* ---------------------------------------------------------------- */
/* Migrations                                                       */

struct migration {
	char version[4];   /* "001" */
	char *name;        /* "001_identity.sql" */
	char *sql;
	char sha256[CRYPTO_SHA256_HEX_LEN + 1];
};

struct migrations {
	struct migration list[MIGRATIONS_MAX];
	size_t count;
};

static bool
migration_file_name(const char *name)
{
	size_t len = strlen(name), i;

	if (len < 9 || strcmp(name + len - 4, ".sql") != 0 ||
	    !isdigit((unsigned char)name[0]) ||
	    !isdigit((unsigned char)name[1]) ||
	    !isdigit((unsigned char)name[2]) || name[3] != '_')
		return false;
	for (i = 4; i < len - 4; i++)
		if (!islower((unsigned char)name[i]) &&
		    !isdigit((unsigned char)name[i]) && name[i] != '_')
			return false;
	return true;
}

static int
migration_compare(const void *a, const void *b)
{
	return strcmp(((const struct migration *)a)->name,
	    ((const struct migration *)b)->name);
}

static void
migrations_free(struct migrations *m)
{
	size_t i;

	for (i = 0; i < m->count; i++) {
		free(m->list[i].name);
		free(m->list[i].sql);
	}
	m->count = 0;
}

/* Read dir/NNN_name.sql in order.  Returns 0, or -1 and err. */
static int
migrations_read(const char *dir, struct migrations *m, struct error *err)
{
	DIR *d;
	struct dirent *entry;
	size_t i;

	m->count = 0;
	d = opendir(dir);
	if (d == NULL)
		return error_set(err, ERR_INTERNAL, "cannot read %s: %s", dir,
		    strerror(errno));
	while ((entry = readdir(d)) != NULL) {
		if (!migration_file_name(entry->d_name))
			continue;
		if (m->count == MIGRATIONS_MAX) {
			closedir(d);
			return error_set(err, ERR_INTERNAL,
			    "too many migrations in %s", dir);
		}
		m->list[m->count].name = strdup(entry->d_name);
		m->list[m->count].sql = NULL;
		if (m->list[m->count].name == NULL) {
			closedir(d);
			return error_set(err, ERR_INTERNAL, "out of memory");
		}
		memcpy(m->list[m->count].version, entry->d_name, 3);
		m->list[m->count].version[3] = '\0';
		m->count++;
	}
	closedir(d);
	qsort(m->list, m->count, sizeof(m->list[0]), migration_compare);

	for (i = 0; i < m->count; i++) {
		struct migration *mig = &m->list[i];
		char path[4096];
		FILE *fp;
		long size;

		if (i > 0 && strcmp(mig->version, m->list[i - 1].version) == 0)
			return error_set(err, ERR_INTERNAL,
			    "two migrations share version %s", mig->version);
		snprintf(path, sizeof(path), "%s/%s", dir, mig->name);
		fp = fopen(path, "rb");
		if (fp == NULL)
			return error_set(err, ERR_INTERNAL, "cannot read %s: %s",
			    path, strerror(errno));
		if (fseek(fp, 0, SEEK_END) != 0 || (size = ftell(fp)) < 0 ||
		    size > MIGRATION_SIZE_MAX || fseek(fp, 0, SEEK_SET) != 0 ||
		    (mig->sql = malloc((size_t)size + 1)) == NULL ||
		    fread(mig->sql, 1, (size_t)size, fp) != (size_t)size) {
			fclose(fp);
			return error_set(err, ERR_INTERNAL,
			    "cannot read %s", path);
		}
		fclose(fp);
		mig->sql[size] = '\0';
		crypto_sha256_hex(mig->sql, (size_t)size, mig->sha256);
	}
	return 0;
}

static const struct db_statement migrations_table = {
	"migrations_table",
	"CREATE TABLE IF NOT EXISTS schema_migrations ("
	"  version    text PRIMARY KEY,"
	"  name       text NOT NULL,"
	"  sha256     text NOT NULL,"
	"  applied_at timestamptz NOT NULL DEFAULT now())"
};

static const struct db_statement migrations_lock = {
	"migrations_lock",
	"SELECT pg_advisory_xact_lock(hashtext('drio-admin migrate'))"
};

static const struct db_statement migration_applied = {
	"migration_applied",
	"SELECT sha256 FROM schema_migrations WHERE version = $1"
};

static const struct db_statement migration_record = {
	"migration_record",
	"INSERT INTO schema_migrations (version, name, sha256)"
	" VALUES ($1, $2, $3)"
};

struct migrate_step {
	const struct migration *migration;
	bool applied_now;
};

/*
 * Apply one migration in its own transaction, under an advisory lock so
 * two operators running migrate at once apply each migration once.
 */
static int
migrate_one(void *ctx, struct error *err)
{
	struct migrate_step *step = ctx;
	const struct migration *mig = step->migration;
	const char *version[] = { mig->version };
	const char *record[] = { mig->version, mig->name, mig->sha256 };
	PGresult *res;

	step->applied_now = false;
	if (db_exec(&migrations_lock, 0, NULL, NULL, err) != 0 ||
	    db_exec(&migration_applied, 1, version, &res, err) != 0)
		return -1;
	if (PQntuples(res) == 1) {
		bool same = strcmp(db_value(res, 0, 0), mig->sha256) == 0;

		PQclear(res);
		if (!same) {
			error_set(err, ERR_CONFLICT, "migration %s was changed "
			    "after it was applied", mig->name);
			error_hint(err, "Never edit an applied migration; add "
			    "a new one.");
			return -1;
		}
		return 0;
	}
	PQclear(res);
	if (db_exec_script(mig->sql, err) != 0) {
		char message[sizeof(err->message)];

		snprintf(message, sizeof(message), "%s", err->message);
		snprintf(err->message, sizeof(err->message), "%.60s: %.190s",
		    mig->name, message);
		return -1;
	}
	if (db_exec(&migration_record, 3, record, NULL, err) != 0)
		return -1;
	step->applied_now = true;
	return 0;
}

static int
command_migrate(const struct config *cfg, struct error *err)
{
	struct migrations *m = calloc(1, sizeof(*m));
	size_t i, applied = 0;
	int rc = 1;

	if (m == NULL)
		return error_set(err, ERR_INTERNAL, "out of memory"), fail(err);
	if (migrations_read(cfg->sql_dir, m, err) != 0 ||
	    db_exec(&migrations_table, 0, NULL, NULL, err) != 0) {
		rc = fail(err);
		goto out;
	}
	for (i = 0; i < m->count; i++) {
		struct migrate_step step = { &m->list[i], false };

		if (db_transaction(DB_READ_COMMITTED, migrate_one, &step,
		    err) != 0) {
			rc = fail(err);
			goto out;
		}
		if (step.applied_now) {
			printf("applied %s\n", m->list[i].name);
			applied++;
		}
	}
	if (applied == 0)
		printf("up to date (%zu migrations)\n", m->count);
	rc = 0;
out:
	migrations_free(m);
	free(m);
	return rc;
}

static const struct db_statement migrations_applied_all = {
	"migrations_applied_all",
	"SELECT version, sha256 FROM schema_migrations ORDER BY version"
};

static const struct db_statement migrations_table_exists = {
	"migrations_table_exists",
	"SELECT to_regclass('schema_migrations') IS NOT NULL"
};

static int
command_check(const struct config *cfg, struct error *err)
{
	struct migrations *m = calloc(1, sizeof(*m));
	PGresult *res = NULL;
	size_t i, pending = 0;
	int rc = 1, row;

	if (m == NULL)
		return error_set(err, ERR_INTERNAL, "out of memory"), fail(err);
	if (db_ping(err) != 0) {
		error_hint(err, "Is PostgreSQL running, and is database_url "
		    "right?");
		rc = fail(err);
		goto out;
	}
	if (migrations_read(cfg->sql_dir, m, err) != 0 ||
	    db_exec(&migrations_table_exists, 0, NULL, &res, err) != 0) {
		rc = fail(err);
		goto out;
	}
	if (!db_bool(res, 0, 0)) {
		fprintf(stderr, "drio-admin: no migrations applied; "
		    "run `drio-admin migrate`\n");
		goto out;
	}
	PQclear(res);
	res = NULL;
	if (db_exec(&migrations_applied_all, 0, NULL, &res, err) != 0) {
		rc = fail(err);
		goto out;
	}
	for (i = 0; i < m->count; i++) {
		bool found = false;

		for (row = 0; row < PQntuples(res); row++)
			if (strcmp(db_value(res, row, 0),
			    m->list[i].version) == 0) {
				found = true;
				if (strcmp(db_value(res, row, 1),
				    m->list[i].sha256) != 0) {
					fprintf(stderr, "drio-admin: %s differs "
					    "from the applied migration\n",
					    m->list[i].name);
					goto out;
				}
			}
		if (!found) {
			fprintf(stderr, "drio-admin: pending migration %s\n",
			    m->list[i].name);
			pending++;
		}
	}
	if (pending > 0) {
		fprintf(stderr, "drio-admin: %zu pending; run "
		    "`drio-admin migrate`\n", pending);
		goto out;
	}
	printf("ok: database reachable, %zu migrations applied\n", m->count);
	rc = 0;
out:
	PQclear(res);
	migrations_free(m);
	free(m);
	return rc;
}

/* ---------------------------------------------------------------- */
/* Accounts, workspaces, tokens                                     */

static const struct db_statement account_insert = {
	"account_insert",
	"INSERT INTO accounts (email, name, password_hash, status)"
	" VALUES ($1, $2, $3, 'active') RETURNING id"
};

/* Read one line from stdin as the password, without its newline. */
static int
password_from_stdin(char *buf, size_t size, struct error *err)
{
	size_t len;

	if (fgets(buf, (int)size, stdin) == NULL)
		return error_set(err, ERR_BAD_REQUEST,
		    "no password on standard input");
	len = strlen(buf);
	if (len > 0 && buf[len - 1] != '\n' && !feof(stdin))
		return error_set(err, ERR_BAD_REQUEST, "password too long");
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		buf[--len] = '\0';
	if (len < 8)
		return error_set(err, ERR_BAD_REQUEST,
		    "password must have at least 8 characters");
	return 0;
}

static int
command_create_account(int argc, char **argv, struct error *err)
{
	static const struct option options[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "password-stdin", no_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 }
	};
	const char *email, *name = NULL;
	char password[1024], local[256], *hash = NULL;
	bool with_password = false;
	PGresult *res;
	int opt, rc = 1;

	optind = 0; /* glibc: re-initialise for this argv */
	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		if (opt == 'n')
			name = optarg;
		else if (opt == 'p')
			with_password = true;
		else
			return usage();
	}
	if (argc - optind != 1)
		return usage();
	email = argv[optind];
	if (!valid_is_email(email)) {
		fprintf(stderr, "drio-admin: \"%s\" is not an email address\n",
		    email);
		return EXIT_USAGE;
	}
	if (name == NULL) {
		snprintf(local, sizeof(local), "%.*s",
		    (int)(strchr(email, '@') - email), email);
		name = local;
	}
	if (strlen(name) > 255) {
		fprintf(stderr, "drio-admin: name too long\n");
		return EXIT_USAGE;
	}
	if (with_password) {
		if (password_from_stdin(password, sizeof(password), err) != 0)
			return fail(err);
		hash = crypto_password_hash(password, err);
		OPENSSL_cleanse(password, sizeof(password));
		if (hash == NULL)
			return fail(err);
	}
	{
		const char *params[] = { email, name, hash };

		if (db_exec(&account_insert, 3, params, &res, err) != 0) {
			if (err->code == ERR_CONFLICT)
				error_set(err, ERR_CONFLICT, "an account with "
				    "email %s already exists", email);
			rc = fail(err);
			goto out;
		}
	}
	printf("%s\n", PQgetvalue(res, 0, 0));
	PQclear(res);
	rc = 0;
out:
	free(hash);
	return rc;
}

static const struct db_statement account_by_email = {
	"account_by_email",
	"SELECT id, status FROM accounts WHERE lower(email) = lower($1)"
};

static const struct db_statement workspace_insert = {
	"workspace_insert",
	"INSERT INTO workspaces (name, slug) VALUES ($1, $2)"
	" ON CONFLICT (slug) DO NOTHING RETURNING id"
};

static const struct db_statement owner_insert = {
	"owner_insert",
	"INSERT INTO members (workspace_id, account_id, role)"
	" VALUES ($1, $2, 'owner')"
};

static const struct db_statement owner_current_workspace = {
	"owner_current_workspace",
	"UPDATE accounts SET current_workspace_id = $1, updated_at = now()"
	" WHERE id = $2 AND current_workspace_id IS NULL"
};

struct new_workspace {
	const char *name;
	const char *owner_email;
	char slug[64];
	bool slug_given;
	char id[AUTH_UUID_LEN + 1];
};

/* Make a URL slug from a name: lower-case letters, digits and dashes. */
static void
slug_from_name(const char *name, char *slug, size_t size)
{
	size_t o = 0;
	bool dash = false;

	for (; *name != '\0' && o < size - 1; name++) {
		unsigned char c = (unsigned char)*name;

		if (isalnum(c) && c < 0x80) {
			if (dash && o > 0)
				slug[o++] = '-';
			if (o < size - 1)
				slug[o++] = (char)tolower(c);
			dash = false;
		} else {
			dash = true;
		}
	}
	while (o > 0 && slug[o - 1] == '-')
		o--;
	slug[o] = '\0';
	if (o == 0)
		snprintf(slug, size, "workspace");
}

static int
create_workspace_transaction(void *ctx, struct error *err)
{
	struct new_workspace *ws = ctx;
	const char *find[] = { ws->owner_email };
	char account_id[AUTH_UUID_LEN + 1], slug[80];
	PGresult *res;
	int attempt;

	if (db_exec(&account_by_email, 1, find, &res, err) != 0)
		return -1;
	if (PQntuples(res) != 1 || strcmp(db_value(res, 0, 1), "active") != 0) {
		PQclear(res);
		return error_set(err, ERR_BAD_REQUEST,
		    "no active account with email %s", ws->owner_email);
	}
	snprintf(account_id, sizeof(account_id), "%s", db_value(res, 0, 0));
	PQclear(res);

	/* A taken slug gets -2, -3, ... unless the operator chose it. */
	for (attempt = 1; attempt <= 100; attempt++) {
		const char *params[] = { ws->name, slug };

		if (attempt == 1)
			snprintf(slug, sizeof(slug), "%s", ws->slug);
		else
			snprintf(slug, sizeof(slug), "%.56s-%d", ws->slug,
			    attempt);
		if (db_exec(&workspace_insert, 2, params, &res, err) != 0)
			return -1;
		if (PQntuples(res) == 1) {
			snprintf(ws->id, sizeof(ws->id), "%s",
			    db_value(res, 0, 0));
			PQclear(res);
			break;
		}
		PQclear(res);
		if (ws->slug_given)
			return error_set(err, ERR_CONFLICT,
			    "the slug %s is taken", ws->slug);
	}
	if (ws->id[0] == '\0')
		return error_set(err, ERR_CONFLICT, "no free slug for %s",
		    ws->slug);
	{
		const char *params[] = { ws->id, account_id };

		if (db_exec(&owner_insert, 2, params, NULL, err) != 0 ||
		    db_exec(&owner_current_workspace, 2, params, NULL,
		    err) != 0)
			return -1;
	}
	return 0;
}

static bool
slug_is_valid(const char *slug)
{
	size_t len = strlen(slug), i;

	if (len == 0 || len > 63 || slug[0] == '-' || slug[len - 1] == '-')
		return false;
	for (i = 0; i < len; i++)
		if (!(islower((unsigned char)slug[i]) ||
		    isdigit((unsigned char)slug[i]) || slug[i] == '-'))
			return false;
	return true;
}

static int
command_create_workspace(int argc, char **argv, struct error *err)
{
	static const struct option options[] = {
		{ "owner", required_argument, NULL, 'o' },
		{ "slug", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 }
	};
	struct new_workspace ws;
	const char *slug = NULL;
	int opt;

	memset(&ws, 0, sizeof(ws));
	optind = 0; /* glibc: re-initialise for this argv */
	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		if (opt == 'o')
			ws.owner_email = optarg;
		else if (opt == 's')
			slug = optarg;
		else
			return usage();
	}
	if (argc - optind != 1 || ws.owner_email == NULL)
		return usage();
	ws.name = argv[optind];
	if (ws.name[0] == '\0' || strlen(ws.name) > 255) {
		fprintf(stderr, "drio-admin: a workspace name has 1 to 255 "
		    "characters\n");
		return EXIT_USAGE;
	}
	if (slug != NULL) {
		if (!slug_is_valid(slug)) {
			fprintf(stderr, "drio-admin: a slug is 1 to 63 of "
			    "a-z, 0-9 and inner dashes\n");
			return EXIT_USAGE;
		}
		snprintf(ws.slug, sizeof(ws.slug), "%s", slug);
		ws.slug_given = true;
	} else {
		slug_from_name(ws.name, ws.slug, sizeof(ws.slug));
	}
	if (db_transaction(DB_READ_COMMITTED, create_workspace_transaction,
	    &ws, err) != 0)
		return fail(err);
	printf("%s\n", ws.id);
	return 0;
}

static int
command_issue_token(const struct config *cfg, int argc, char **argv,
    struct error *err)
{
	static const struct option options[] = {
		{ "label", required_argument, NULL, 'l' },
		{ "expires-days", required_argument, NULL, 'e' },
		{ NULL, 0, NULL, 0 }
	};
	const char *label = NULL, *find[1];
	char token[CRYPTO_TOKEN_LEN + 1], session_id[AUTH_UUID_LEN + 1];
	char account_id[AUTH_UUID_LEN + 1];
	long long days = cfg->session_days;
	PGresult *res;
	int opt;

	optind = 0; /* glibc: re-initialise for this argv */
	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		char *end;

		if (opt == 'l') {
			label = optarg;
		} else if (opt == 'e') {
			errno = 0;
			days = strtoll(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || days < 0 ||
			    days > 3650) {
				fprintf(stderr, "drio-admin: --expires-days "
				    "must be 0 (never) to 3650\n");
				return EXIT_USAGE;
			}
		} else {
			return usage();
		}
	}
	if (argc - optind != 1 || label == NULL)
		return usage();
	if (label[0] == '\0' || strlen(label) > 255) {
		fprintf(stderr, "drio-admin: a label has 1 to 255 characters\n");
		return EXIT_USAGE;
	}
	find[0] = argv[optind];
	if (db_exec(&account_by_email, 1, find, &res, err) != 0)
		return fail(err);
	if (PQntuples(res) != 1 || strcmp(db_value(res, 0, 1), "active") != 0) {
		PQclear(res);
		error_set(err, ERR_BAD_REQUEST, "no active account with email %s",
		    find[0]);
		return fail(err);
	}
	snprintf(account_id, sizeof(account_id), "%s", db_value(res, 0, 0));
	PQclear(res);
	if (auth_session_issue(account_id, "drio-admin", label, days * 86400,
	    NULL, token, sizeof(token), session_id, err) != 0)
		return fail(err);
	printf("%s\n", token);
	OPENSSL_cleanse(token, sizeof(token));
	return 0;
}

int
main(int argc, char **argv)
{
	const char *config_path = NULL, *command;
	struct config cfg;
	struct error err = { 0 };
	int opt, rc;

	/* Options before the command only ("+"), then the command's own. */
	while ((opt = getopt(argc, argv, "+c:h")) != -1) {
		if (opt == 'c')
			config_path = optarg;
		else if (opt == 'h') {
			fputs(usage_text, stdout);
			return 0;
		} else
			return usage();
	}
	if (optind >= argc)
		return usage();
	command = argv[optind];
	argc -= optind;
	argv += optind;

	if (config_load(&cfg, config_path, &err) != 0) {
		rc = fail(&err);
		error_clear(&err);
		return rc;
	}
	db_configure(cfg.database_url, 0);

	if (strcmp(command, "migrate") == 0 && argc == 1)
		rc = command_migrate(&cfg, &err);
	else if (strcmp(command, "check") == 0 && argc == 1)
		rc = command_check(&cfg, &err);
	else if (strcmp(command, "create-account") == 0)
		rc = command_create_account(argc, argv, &err);
	else if (strcmp(command, "create-workspace") == 0)
		rc = command_create_workspace(argc, argv, &err);
	else if (strcmp(command, "issue-token") == 0)
		rc = command_issue_token(&cfg, argc, argv, &err);
	else if (strcmp(command, "vault-init") == 0 && argc == 1)
		rc = admin_vault_init(&cfg, &err);
	else if (strcmp(command, "vault-add-key") == 0 && argc == 1)
		rc = admin_vault_add_key(&cfg, &err);
	else if (strcmp(command, "vault-rotate") == 0)
		rc = admin_vault_rotate(&cfg, argc, argv, &err);
	else if (strcmp(command, "load-templates") == 0 && argc == 1)
		rc = admin_load_templates(&cfg, &err);
	else if (strcmp(command, "load-connectors") == 0)
		rc = admin_load_connectors(&cfg, argc, argv, &err);
	else if (strcmp(command, "prune") == 0)
		rc = admin_prune(argc, argv, &err);
	else
		rc = usage();

	error_clear(&err);
	db_disconnect();
	config_free(&cfg);
	return rc;
}

/*
 * vault-t.c: tests for lib/vault.c.  Checks the promises of vault.h: a
 * key file that is missing, readable by others, not a regular file,
 * malformed, without keys or with a key id twice is refused with the
 * file and line and without the key material; sealed values open again
 * byte for byte (empty, binary, 1 MiB), have the documented layout and a
 * fresh nonce each time, and do not open with another aad, after any bit
 * flip, truncated or under a key the vault lacks; a key appended by
 * another process is found by re-reading the file, and values sealed
 * before still open; new key files are 0600 and never overwritten.
 *
 * Every file is made in a temporary directory removed at exit.
 *
 * SPDX-License-Identifier: MIT
 */
#include <sys/stat.h>

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "vault.h"
#include "t/tap/basic.h"

/* Two keys and some near misses, all base64 (RFC 4648 section 4). */
#define KEY_A "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
#define KEY_B "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8="
#define KEY_C_UNPADDED "QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaW1xdXl8"
#define KEY_16_BYTES "AAECAwQFBgcICQoLDA0ODw=="
#define KEY_33_BYTES "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8g"

#define AAD "auth_connections.secret:0b5c4c1e-0000-4000-8000-000000000001:" \
    "0b5c4c1e-0000-4000-8000-000000000002"

/* The temporary directory, for the exit handler that removes it. */
static char tmpdir[] = "/tmp/vault-t.XXXXXX";

static void
tmpdir_remove(void)
{
	char path[PATH_MAX];
	struct dirent *entry;
	DIR *d;

	d = opendir(tmpdir);
	if (d == NULL)
		return;
	while ((entry = readdir(d)) != NULL) {
		if (strcmp(entry->d_name, ".") == 0 ||
		    strcmp(entry->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", tmpdir, entry->d_name);
		if (unlink(path) != 0)
			rmdir(path);
	}
	closedir(d);
	rmdir(tmpdir);
}

/* The path of name in the temporary directory, into path. */
static void
path_of(const char *name, char *path, size_t size)
{
	snprintf(path, size, "%s/%s", tmpdir, name);
}

/* Write text to name in the temporary directory with mode; bail on error. */
static void
file_write(const char *name, const char *text, mode_t mode, char *path,
    size_t size)
{
	FILE *fp;

	path_of(name, path, size);
	fp = fopen(path, "w");
	if (fp == NULL || fputs(text, fp) == EOF || fclose(fp) != 0)
		sysbail("cannot write %s", path);
	if (chmod(path, mode) != 0)
		sysbail("cannot chmod %s", path);
}

/* The contents of path, malloc'd; bail on error. */
static char *
file_read(const char *path)
{
	char *text;
	FILE *fp;
	long size;

	fp = fopen(path, "r");
	if (fp == NULL || fseek(fp, 0, SEEK_END) != 0 ||
	    (size = ftell(fp)) < 0 || fseek(fp, 0, SEEK_SET) != 0)
		sysbail("cannot read %s", path);
	text = malloc((size_t)size + 1);
	if (text == NULL || fread(text, 1, (size_t)size, fp) != (size_t)size)
		sysbail("cannot read %s", path);
	text[size] = '\0';
	fclose(fp);
	return text;
}

/* Load path, bailing when that fails. */
static struct vault *
load_or_bail(const char *path)
{
	struct error err = { 0 };
	struct vault *v;

	if (vault_load(path, &v, &err) != 0)
		bail("cannot load %s: %s", path, err.message);
	return v;
}

/*
 * Does loading the key file text (mode 0600) fail with a message that
 * contains want (when not NULL) and none of the key material?
 */
static void
is_load_refused(const char *text, const char *want, const char *what)
{
	struct error err = { 0 };
	struct vault *v = (struct vault *)&err; /* must become NULL */
	char path[PATH_MAX];
	int rc;

	file_write("refused.key", text, 0600, path, sizeof(path));
	rc = vault_load(path, &v, &err);
	ok(rc == -1 && v == NULL && err.code == ERR_INTERNAL &&
	    strstr(err.message, path) != NULL &&
	    (want == NULL || strstr(err.message, want) != NULL) &&
	    strstr(err.message, "AAECAwQF") == NULL &&
	    strstr(err.message, "ICEiIyQl") == NULL &&
	    strstr(err.hint, "AAECAwQF") == NULL,
	    "%s is refused; the error names the file%s%s%s", what,
	    want != NULL ? " and says \"" : "", want != NULL ? want : "",
	    want != NULL ? "\"" : "");
	if (rc == 0)
		vault_free(v);
	else if (want != NULL && strstr(err.message, want) == NULL)
		diag("message: %s", err.message);
	error_clear(&err);
}

static void
test_load(void)
{
	struct error err = { 0 };
	struct vault *v;
	char path[PATH_MAX];

	path_of("missing.key", path, sizeof(path));
	is_int(-1, vault_load(path, &v, &err), "a missing key file is refused");
	ok(strstr(err.message, path) != NULL &&
	    strstr(err.hint, "vault-init") != NULL,
	    "the error names the missing file and says how to make one");
	error_clear(&err);

	file_write("0644.key", "k1 " KEY_A "\n", 0644, path, sizeof(path));
	is_int(-1, vault_load(path, &v, &err),
	    "a key file that others may read (0644) is refused");
	ok(strstr(err.message, path) != NULL &&
	    strstr(err.hint, "chmod 600") != NULL,
	    "the error names the file and hints at chmod 600");
	error_clear(&err);

	file_write("0640.key", "k1 " KEY_A "\n", 0640, path, sizeof(path));
	is_int(-1, vault_load(path, &v, &err),
	    "a key file that its group may read (0640) is refused");
	error_clear(&err);

	file_write("0601.key", "k1 " KEY_A "\n", 0601, path, sizeof(path));
	is_int(-1, vault_load(path, &v, &err),
	    "a key file that others may write (0601) is refused");
	error_clear(&err);

	path_of("dir.key", path, sizeof(path));
	if (mkdir(path, 0700) != 0)
		sysbail("mkdir %s", path);
	is_int(-1, vault_load(path, &v, &err),
	    "a directory is refused as a key file");
	ok(strstr(err.message, "not a regular file") != NULL,
	    "the error says it is not a regular file");
	error_clear(&err);

	is_load_refused("# keys\n\nk1\n", "line 3",
	    "a line with a key id and no key");
	is_load_refused("k1 " KEY_A " extra\n", "line 1",
	    "a line with three fields");
	is_load_refused(KEY_A "\n", "line 1", "a line with a key but no id");
	is_load_refused("k1 " KEY_A "\nbad.id " KEY_B "\n", "line 2",
	    "a key id with a dot");
	is_load_refused("k123456789012345678901234567890123 " KEY_A "\n",
	    "line 1", "a key id of 33 characters");
	is_load_refused("k1 " KEY_A "\nk2 AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGB!"
	    "aGxwdHh8=\n", "line 2: the key is not base64",
	    "a key with a character outside base64");
	is_load_refused("k1 AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8==\n",
	    "line 1", "a key with too much padding");
	is_load_refused("k1 " KEY_16_BYTES "\n",
	    "line 1: the key is not 32 bytes", "a key of 16 bytes");
	is_load_refused("k1 " KEY_33_BYTES "\n",
	    "line 1: the key is not 32 bytes", "a key of 33 bytes");
	is_load_refused("k1 " KEY_A "\n# again\nk1 " KEY_B "\n",
	    "line 3: key id k1 is used twice", "a key id used twice");
	is_load_refused("# only comments\n\n   \n", "holds no keys",
	    "a key file without keys");
	is_load_refused("", "holds no keys", "an empty key file");

	file_write("good.key", "# drio vault keys\r\n\r\n  old-1\t" KEY_A
	    "  \r\n# the current one:\nk_2 " KEY_C_UNPADDED, 0600, path,
	    sizeof(path));
	if (!ok(vault_load(path, &v, &err) == 0, "a key file with comments, "
	    "blank lines, CRLF, tabs and an unpadded key loads"))
		diag("%s", err.message);
	else {
		is_string("k_2", vault_current_key_id(v),
		    "the last key is the current one");
		vault_free(v);
	}
	error_clear(&err);
	vault_free(NULL);
}

/* Seal len bytes of plain and open them again; ok when they match. */
static void
is_round_trip(struct vault *v, const void *plain, size_t len,
    const char *what)
{
	struct error err = { 0 };
	unsigned char *sealed = NULL;
	size_t sealed_len = 0, opened_len = 0;
	char *opened = NULL;
	bool same = false;

	if (vault_seal(v, AAD, plain, len, &sealed, &sealed_len, &err) == 0 &&
	    vault_open(v, AAD, sealed, sealed_len, &opened, &opened_len,
	    &err) == 0)
		same = opened_len == len && memcmp(opened, plain, len) == 0 &&
		    opened[len] == '\0' &&
		    sealed_len == 2 + strlen(vault_current_key_id(v)) +
		    VAULT_NONCE_LEN + len + VAULT_TAG_LEN;
	if (!ok(same, "%s opens to the same bytes, NUL-terminated", what))
		diag("%s", err.message);
	vault_plain_free(opened, opened_len);
	free(sealed);
	error_clear(&err);
}

static void
test_seal_open(void)
{
	struct error err = { 0 };
	struct vault *v;
	struct stat st;
	unsigned char binary[256], *big, *sealed, *other, *broken;
	size_t sealed_len, other_len, i, bit, opened_len, id_len;
	char path[PATH_MAX], id[VAULT_KEY_ID_MAX + 1], *before, *opened;
	int refused, rc;

	path_of("vault.key", path, sizeof(path));
	is_int(0, vault_create_key_file(path, &err), "a new key file is made");
	ok(stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	    (st.st_mode & 07777) == 0600, "a new key file has mode 0600");
	before = file_read(path);
	is_int(-1, vault_create_key_file(path, &err),
	    "an existing key file is never overwritten");
	is_int(ERR_CONFLICT, err.code, "creating over a key file is a conflict");
	{
		char *after = file_read(path);

		is_string(before, after, "the existing key file is unchanged");
		free(after);
	}
	free(before);
	error_clear(&err);

	v = load_or_bail(path);
	id_len = strlen(vault_current_key_id(v));
	ok(id_len == 15 && vault_current_key_id(v)[0] == 'k' &&
	    strspn(vault_current_key_id(v) + 1, "0123456789") == 14,
	    "a new key is called k and the UTC time, YYYYMMDDhhmmss");

	is_round_trip(v, "", 0, "an empty value");
	for (i = 0; i < sizeof(binary); i++)
		binary[i] = (unsigned char)i;
	is_round_trip(v, binary, sizeof(binary),
	    "a binary value with every byte, NUL included,");
	big = malloc(1024 * 1024);
	if (big == NULL || RAND_bytes(big, 1024 * 1024) != 1)
		bail("cannot make 1 MiB of random bytes");
	is_round_trip(v, big, 1024 * 1024, "a 1 MiB value");
	free(big);

	is_int(-1, vault_seal(v, AAD, binary, (size_t)VAULT_PLAIN_MAX + 1,
	    &sealed, &sealed_len, &err), "a value over VAULT_PLAIN_MAX is "
	    "refused");
	is_int(ERR_PAYLOAD_TOO_LARGE, err.code,
	    "a value over the cap is too large, not internal");
	error_clear(&err);

	if (vault_seal(v, AAD, "s3cret", 6, &sealed, &sealed_len, &err) != 0 ||
	    vault_seal(v, AAD, "s3cret", 6, &other, &other_len, &err) != 0)
		bail("cannot seal: %s", err.message);
	ok(sealed[0] == VAULT_VERSION && sealed[1] == id_len &&
	    memcmp(sealed + 2, vault_current_key_id(v), id_len) == 0,
	    "a sealed value starts with version 1, the key id length and "
	    "the key id");
	ok(memmem(sealed, sealed_len, "s3cret", 6) == NULL,
	    "a sealed value does not hold the plain value");
	ok(sealed_len == other_len &&
	    memcmp(sealed + 2 + id_len, other + 2 + id_len,
	    VAULT_NONCE_LEN) != 0 && memcmp(sealed, other, sealed_len) != 0,
	    "two seals of the same value have different nonces and bytes");
	is_int(0, vault_sealed_key_id(sealed, sealed_len, id, sizeof(id)),
	    "the key id of a sealed value can be read");
	is_string(vault_current_key_id(v), id,
	    "the key id of a sealed value is the current key's");
	is_int(-1, vault_sealed_key_id(sealed, sealed_len, id, id_len),
	    "reading a key id into a buffer one byte too small fails");
	is_int(-1, vault_sealed_key_id(sealed, 1, id, sizeof(id)),
	    "reading the key id of a truncated value fails");

	rc = vault_open(v, AAD, sealed, sealed_len, &opened, &opened_len, &err);
	ok(rc == 0 && opened_len == 6 && strcmp(opened, "s3cret") == 0,
	    "a sealed value opens with its aad");
	vault_plain_free(opened, opened_len);
	rc = vault_open(v, AAD "3", sealed, sealed_len, &opened, &opened_len,
	    &err);
	ok(rc == -1 && opened == NULL && opened_len == 0,
	    "a sealed value does not open with another aad");
	ok(strstr(err.message, "s3cret") == NULL,
	    "the error does not show the value");
	error_clear(&err);
	is_int(-1, vault_open(v, "", sealed, sealed_len, &opened, &opened_len,
	    &err), "a sealed value does not open with an empty aad");
	error_clear(&err);

	/* Every single bit flip, anywhere, must make it refuse to open. */
	broken = malloc(sealed_len + 1);
	if (broken == NULL)
		sysbail("malloc");
	refused = 0;
	for (i = 0; i < sealed_len; i++)
		for (bit = 0; bit < 8; bit++) {
			memcpy(broken, sealed, sealed_len);
			broken[i] ^= (unsigned char)(1u << bit);
			if (vault_open(v, AAD, broken, sealed_len, &opened,
			    &opened_len, &err) == -1 && opened == NULL)
				refused++;
			else
				vault_plain_free(opened, opened_len);
			error_clear(&err);
		}
	is_int((long long)(sealed_len * 8), refused,
	    "a sealed value with any one bit flipped does not open");

	refused = 0;
	for (i = 0; i < sealed_len; i++) {
		if (vault_open(v, AAD, sealed, i, &opened, &opened_len,
		    &err) == -1)
			refused++;
		else
			vault_plain_free(opened, opened_len);
		error_clear(&err);
	}
	is_int((long long)sealed_len, refused,
	    "a sealed value cut short anywhere does not open");
	memcpy(broken, sealed, sealed_len);
	broken[sealed_len] = 0;
	is_int(-1, vault_open(v, AAD, broken, sealed_len + 1, &opened,
	    &opened_len, &err), "a sealed value with a byte appended does "
	    "not open");
	error_clear(&err);
	is_int(-1, vault_open(v, AAD, NULL, 0, &opened, &opened_len, &err),
	    "an empty sealed value does not open");
	error_clear(&err);

	/* The same key id but other key material: authentication fails. */
	{
		char forged_path[PATH_MAX], text[128];
		struct vault *forged;
		unsigned char *forged_sealed;
		size_t forged_len;

		snprintf(text, sizeof(text), "%s " KEY_B "\n",
		    vault_current_key_id(v));
		file_write("forged.key", text, 0600, forged_path,
		    sizeof(forged_path));
		forged = load_or_bail(forged_path);
		if (vault_seal(forged, AAD, "s3cret", 6, &forged_sealed,
		    &forged_len, &err) != 0)
			bail("cannot seal: %s", err.message);
		is_int(-1, vault_open(v, AAD, forged_sealed, forged_len,
		    &opened, &opened_len, &err), "a value sealed under the "
		    "same key id but another key does not open");
		error_clear(&err);
		free(forged_sealed);
		vault_free(forged);
	}

	free(broken);
	free(sealed);
	free(other);
	vault_free(v);
	vault_plain_free(NULL, 0);
}

static void
test_keys(void)
{
	struct error err = { 0 };
	struct vault *old, *fresh, *stranger;
	struct stat st;
	unsigned char *sealed_old, *sealed_new, *sealed_stranger;
	size_t old_len, new_len, stranger_len, opened_len;
	char path[PATH_MAX], other_path[PATH_MAX], *opened, *text, *p;
	char first[VAULT_KEY_ID_MAX + 1], second[VAULT_KEY_ID_MAX + 1];
	char third[VAULT_KEY_ID_MAX + 1], id[VAULT_KEY_ID_MAX + 1];
	int lines;

	path_of("rotate.key", path, sizeof(path));
	if (vault_create_key_file(path, &err) != 0)
		bail("cannot create %s: %s", path, err.message);
	old = load_or_bail(path);
	snprintf(first, sizeof(first), "%s", vault_current_key_id(old));
	if (vault_seal(old, AAD, "before", 6, &sealed_old, &old_len,
	    &err) != 0)
		bail("cannot seal: %s", err.message);

	/* "Another process" appends a key through its own path handle. */
	is_int(0, vault_append_key(path, second, sizeof(second), &err),
	    "a key is appended to the key file");
	is_int(0, vault_append_key(path, third, sizeof(third), &err),
	    "a second key is appended at once");
	ok(strcmp(first, second) != 0 && strcmp(second, third) != 0 &&
	    strcmp(first, third) != 0 && strncmp(third, "k", 1) == 0,
	    "keys made in the same second still get distinct ids");
	ok(stat(path, &st) == 0 && (st.st_mode & 07777) == 0600,
	    "appending keeps the key file's mode 0600");
	text = file_read(path);
	lines = 0;
	for (p = text; p != NULL && *p != '\0'; p = strchr(p, '\n'),
	    p = p != NULL ? p + 1 : NULL)
		if (*p != '#')
			lines++;
	ok(lines == 3 && strstr(text, second) != NULL &&
	    strstr(text, third) != NULL && text[strlen(text) - 1] == '\n',
	    "the key file holds three keys, one a line, the new ones last");
	free(text);

	fresh = load_or_bail(path);
	is_string(third, vault_current_key_id(fresh),
	    "the last appended key is the current one");
	if (vault_seal(fresh, AAD, "after", 5, &sealed_new, &new_len,
	    &err) != 0)
		bail("cannot seal: %s", err.message);
	ok(vault_sealed_key_id(sealed_new, new_len, id, sizeof(id)) == 0 &&
	    strcmp(id, third) == 0, "a new value is sealed under the new key");

	ok(vault_open(fresh, AAD, sealed_old, old_len, &opened, &opened_len,
	    &err) == 0 && strcmp(opened, "before") == 0,
	    "a value sealed before a key was appended still opens");
	vault_plain_free(opened, opened_len);
	error_clear(&err);

	is_string(first, vault_current_key_id(old),
	    "a vault loaded before the append still seals with its key");
	ok(vault_open(old, AAD, sealed_new, new_len, &opened, &opened_len,
	    &err) == 0 && strcmp(opened, "after") == 0,
	    "a vault loaded before the append opens a value under the new "
	    "key by re-reading the key file");
	vault_plain_free(opened, opened_len);
	error_clear(&err);
	is_string(third, vault_current_key_id(old),
	    "after re-reading, the newest key is current");

	/* A key from another key file is unknown even after a re-read. */
	file_write("stranger.key", "stranger " KEY_A "\n", 0600, other_path,
	    sizeof(other_path));
	stranger = load_or_bail(other_path);
	if (vault_seal(stranger, AAD, "alien", 5, &sealed_stranger,
	    &stranger_len, &err) != 0)
		bail("cannot seal: %s", err.message);
	is_int(-1, vault_open(fresh, AAD, sealed_stranger, stranger_len,
	    &opened, &opened_len, &err),
	    "a value sealed under a key the file lacks does not open");
	ok(strstr(err.message, "stranger") != NULL && err.hint[0] != '\0',
	    "the error names the unknown key id and hints at copying the "
	    "key file");
	error_clear(&err);
	is_string(third, vault_current_key_id(fresh),
	    "an unknown key does not change the current key");

	/* Appending: a file without a final newline, a bad file. */
	file_write("nonewline.key", "k1 " KEY_A, 0600, other_path,
	    sizeof(other_path));
	is_int(0, vault_append_key(other_path, id, sizeof(id), &err),
	    "a key is appended to a file without a final newline");
	{
		struct vault *v = NULL;

		ok(vault_load(other_path, &v, &err) == 0 &&
		    strcmp(vault_current_key_id(v), id) == 0,
		    "that file then loads with the new key current");
		vault_free(v);
		error_clear(&err);
	}
	file_write("append-0644.key", "k1 " KEY_A "\n", 0644, other_path,
	    sizeof(other_path));
	is_int(-1, vault_append_key(other_path, id, sizeof(id), &err),
	    "no key is appended to a key file that others may read");
	error_clear(&err);
	path_of("append-missing.key", other_path, sizeof(other_path));
	is_int(-1, vault_append_key(other_path, id, sizeof(id), &err),
	    "no key is appended to a missing key file");
	ok(access(other_path, F_OK) != 0,
	    "appending to a missing key file does not create it");
	error_clear(&err);
	path_of("no-such-dir/vault.key", other_path, sizeof(other_path));
	is_int(-1, vault_create_key_file(other_path, &err),
	    "no key file is created in a missing directory");
	error_clear(&err);

	free(sealed_old);
	free(sealed_new);
	free(sealed_stranger);
	vault_free(old);
	vault_free(fresh);
	vault_free(stranger);
}

int
main(void)
{
	plan(69);
	/* Registered after plan(), so it runs before the exit check, which
	 * may end the process with _exit(). */
	if (mkdtemp(tmpdir) == NULL)
		sysbail("mkdtemp");
	if (atexit(tmpdir_remove) != 0)
		bail("cannot register the clean-up");
	test_load();
	test_seal_open();
	test_keys();
	return 0;
}

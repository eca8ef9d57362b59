/*
 * vault.c: the credential vault (see vault.h).  Keys come from a key
 * file; values are sealed with AES-256-GCM through OpenSSL's EVP
 * interface.  Key material lives only in struct vault_key arrays and in
 * the buffer a key file is read into, and both are zeroised before they
 * are freed.  Nothing here logs or reports a key or a plain value.
 *
 * SPDX-License-Identifier: MIT
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "log.h"
#include "vault.h"

#define VAULT_KEY_LEN       32              /* AES-256 */
#define VAULT_KEY_B64_LEN   44              /* base64 of 32 bytes, padded */
#define VAULT_FILE_MAX      (1024 * 1024)   /* a key file is small */
#define VAULT_AAD_MAX       4096            /* an aad names a row */
/* Version, key id length, key id, nonce and tag around the ciphertext. */
#define VAULT_OVERHEAD(id_len) (2 + (id_len) + VAULT_NONCE_LEN + VAULT_TAG_LEN)

struct vault_key {
	char id[VAULT_KEY_ID_MAX + 1];
	unsigned char key[VAULT_KEY_LEN];
};

struct vault {
	char *path;              /* the key file, re-read on an unknown id */
	struct vault_key *keys;  /* in file order; the last is current */
	size_t nkeys;
};

static const char base64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Zeroise and free an array of n keys.  Accepts NULL.  Can't fail. */
static void
keys_free(struct vault_key *keys, size_t n)
{
	if (keys == NULL)
		return;
	OPENSSL_cleanse(keys, n * sizeof(*keys));
	free(keys);
}

/* Is s (len bytes) a key id, 1 to 32 of A-Z a-z 0-9 _ -? */
static bool
key_id_is_valid(const char *s, size_t len)
{
	size_t i;

	if (len < 1 || len > VAULT_KEY_ID_MAX)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return false;
	}
	return true;
}

/* The key called id among n keys, or NULL.  Can't fail. */
static const struct vault_key *
keys_find(const struct vault_key *keys, size_t n, const char *id,
    size_t id_len)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strlen(keys[i].id) == id_len &&
		    memcmp(keys[i].id, id, id_len) == 0)
			return &keys[i];
	return NULL;
}

/*
 * Decode in (len characters of standard base64, RFC 4648 section 4,
 * padding optional) into out, which must hold exactly VAULT_KEY_LEN
 * bytes.  Returns 0, 1 when in is base64 of another length, or -1 when
 * it is not base64.
 */
static int
key_decode(const char *in, size_t len, unsigned char out[VAULT_KEY_LEN])
{
	size_t data = len, i, o = 0;
	unsigned int acc = 0;
	int bits = 0;

	while (data > 0 && len - data < 2 && in[data - 1] == '=')
		data--;
	if ((data < len && len % 4 != 0) || data % 4 == 1)
		return -1;
	for (i = 0; i < data; i++)
		if (in[i] == '\0' || strchr(base64_alphabet, in[i]) == NULL)
			return -1;
	if (data * 6 / 8 != VAULT_KEY_LEN)
		return 1;
	for (i = 0; i < data; i++) {
		acc = (acc << 6 |
		    (unsigned int)(strchr(base64_alphabet, in[i]) -
		    base64_alphabet)) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(acc >> bits & 0xff);
		}
	}
	return 0;
}

/*
 * Check that the open key file fd is a regular file that only its owner
 * may access.  Returns 0, or -1 and err naming path.
 */
static int
keyfile_check(int fd, const char *path, struct stat *st, struct error *err)
{
	if (fstat(fd, st) != 0)
		return error_set(err, ERR_INTERNAL,
		    "cannot read vault key file %s: %s", path, strerror(errno));
	if (!S_ISREG(st->st_mode)) {
		error_set(err, ERR_INTERNAL,
		    "vault key file %s is not a regular file", path);
		error_hint(err, "Point vault_key_file at the file "
		    "`drio-admin vault-init` made.");
		return -1;
	}
	if ((st->st_mode & 077) != 0) {
		error_set(err, ERR_INTERNAL, "vault key file %s may be read "
		    "by group or others (mode %04o)", path,
		    (unsigned int)(st->st_mode & 07777));
		error_hint(err, "Run `chmod 600 %s` (and check who saw it).",
		    path);
		return -1;
	}
	if (st->st_size > VAULT_FILE_MAX)
		return error_set(err, ERR_INTERNAL,
		    "vault key file %s is too large", path);
	return 0;
}

/*
 * Parse one line of a key file (NUL-terminated, without its newline) as
 * `<id> <base64 key>`, or nothing for a blank or comment line, into
 * keys[*nkeys] (the array has slots entries).  Errors name path and lineno, never the key material.
 * Returns 0, or -1 and err.
 */
static int
keyfile_line(char *line, const char *path, size_t lineno,
    struct vault_key *keys, size_t *nkeys, size_t slots, struct error *err)
{
	char *id, *key, *end;
	size_t id_len, key_len;
	int rc;

	end = line + strlen(line);
	while (end > line && (end[-1] == ' ' || end[-1] == '\t' ||
	    end[-1] == '\r'))
		*--end = '\0';
	id = line + strspn(line, " \t");
	if (*id == '\0' || *id == '#')
		return 0;
	id_len = strcspn(id, " \t");
	key = id + id_len + strspn(id + id_len, " \t");
	key_len = strcspn(key, " \t");
	if (key_len == 0 || key[key_len] != '\0') {
		error_set(err, ERR_INTERNAL, "vault key file %s, line %zu: "
		    "expected a key id and a base64 key", path, lineno);
		error_hint(err, "Each line is `<key-id> <base64 of 32 "
		    "bytes>`; lines starting with # are comments.");
		return -1;
	}
	if (!key_id_is_valid(id, id_len)) {
		error_set(err, ERR_INTERNAL, "vault key file %s, line %zu: "
		    "a key id is 1 to %d of A-Z a-z 0-9 _ -", path, lineno,
		    VAULT_KEY_ID_MAX);
		return -1;
	}
	if (*nkeys == slots)
		return error_set(err, ERR_INTERNAL, "vault key file %s, line "
		    "%zu: more keys than lines", path, lineno);
	if (keys_find(keys, *nkeys, id, id_len) != NULL)
		return error_set(err, ERR_INTERNAL, "vault key file %s, line "
		    "%zu: key id %.*s is used twice", path, lineno,
		    (int)id_len, id);
	rc = key_decode(key, key_len, keys[*nkeys].key);
	if (rc != 0)
		return error_set(err, ERR_INTERNAL, "vault key file %s, line "
		    "%zu: %s", path, lineno, rc < 0 ? "the key is not base64" :
		    "the key is not 32 bytes long");
	memcpy(keys[*nkeys].id, id, id_len);
	keys[*nkeys].id[id_len] = '\0';
	(*nkeys)++;
	return 0;
}

/*
 * Read and parse the key file open at fd into v->keys and v->nkeys (both
 * empty on entry).  A file without keys is refused unless allow_empty.
 * Sets *ends_with_newline when the file is empty or ends with a newline.
 * Returns 0, or -1 and err (v then holds no keys).
 */
static int
keyfile_read(int fd, const char *path, bool allow_empty, struct vault *v,
    bool *ends_with_newline, struct error *err)
{
	struct stat st;
	char *text = NULL, *line, *next;
	size_t size, got = 0, lineno = 0, slots = 0;
	ssize_t n;
	int rc = -1;

	if (keyfile_check(fd, path, &st, err) != 0)
		return -1;
	size = (size_t)st.st_size;
	text = malloc(size + 1);
	if (text == NULL)
		return error_set(err, ERR_INTERNAL, "out of memory");
	while (got < size) {
		n = read(fd, text + got, size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			error_set(err, ERR_INTERNAL, "cannot read vault key "
			    "file %s: %s", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break; /* shrunk under us: parse what is there */
		got += (size_t)n;
	}
	text[got] = '\0';
	if (memchr(text, '\0', got) != NULL) {
		error_set(err, ERR_INTERNAL,
		    "vault key file %s is not a text file", path);
		goto out;
	}
	*ends_with_newline = got == 0 || text[got - 1] == '\n';

	/* Every line but blanks and comments must be a key: count them. */
	for (line = text; line != NULL; line = next) {
		size_t skip = strspn(line, " \t");

		next = strchr(line, '\n');
		if (next != NULL)
			next++;
		if (line[skip] != '\n' && line[skip] != '\r' &&
		    line[skip] != '\0' && line[skip] != '#')
			slots++;
	}
	v->keys = calloc(slots > 0 ? slots : 1, sizeof(*v->keys));
	if (v->keys == NULL) {
		error_set(err, ERR_INTERNAL, "out of memory");
		goto out;
	}
	for (line = text; line != NULL; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		lineno++;
		if (keyfile_line(line, path, lineno, v->keys, &v->nkeys,
		    slots, err) != 0)
			goto out;
	}
	if (v->nkeys == 0 && !allow_empty) {
		error_set(err, ERR_INTERNAL, "vault key file %s holds no keys",
		    path);
		error_hint(err, "Add one with `drio-admin vault-add-key`, or "
		    "restore the file from a backup.");
		goto out;
	}
	rc = 0;
out:
	if (rc != 0) {
		keys_free(v->keys, slots);
		v->keys = NULL;
		v->nkeys = 0;
	}
	OPENSSL_cleanse(text, size + 1);
	free(text);
	return rc;
}

/*
 * Open the key file at path for reading (flags O_RDONLY) or appending
 * (O_RDWR | O_APPEND) and lock it (LOCK_SH or LOCK_EX).  Returns the
 * descriptor, or -1 and err.
 */
static int
keyfile_open(const char *path, int flags, int lock, struct error *err)
{
	int fd;

	/* O_NONBLOCK: a FIFO put in the key file's place must not hang us;
	 * keyfile_check refuses it. */
	fd = open(path, flags | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd == -1) {
		int saved = errno;

		error_set(err, ERR_INTERNAL, "cannot open vault key file %s: "
		    "%s", path, strerror(saved));
		if (saved == ENOENT)
			error_hint(err, "Create it with `drio-admin "
			    "vault-init`, or set vault_key_file.");
		return -1;
	}
	/* A reader waits for an appender to finish its line. */
	while (flock(fd, lock) != 0) {
		if (errno == EINTR)
			continue;
		if (lock == LOCK_SH)
			break; /* a reader can live without the lock */
		error_set(err, ERR_INTERNAL, "cannot lock vault key file %s: "
		    "%s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int
vault_load(const char *path, struct vault **out, struct error *err)
{
	struct vault *v;
	bool newline;
	int fd, rc = -1;

	*out = NULL;
	v = calloc(1, sizeof(*v));
	if (v == NULL)
		return error_set(err, ERR_INTERNAL, "out of memory");
	v->path = strdup(path);
	if (v->path == NULL) {
		error_set(err, ERR_INTERNAL, "out of memory");
		goto out;
	}
	fd = keyfile_open(path, O_RDONLY, LOCK_SH, err);
	if (fd == -1)
		goto out;
	rc = keyfile_read(fd, path, false, v, &newline, err);
	close(fd);
out:
	if (rc != 0)
		vault_free(v);
	else
		*out = v;
	return rc;
}

void
vault_free(struct vault *v)
{
	if (v == NULL)
		return;
	keys_free(v->keys, v->nkeys);
	free(v->path);
	free(v);
}

const char *
vault_current_key_id(const struct vault *v)
{
	return v->keys[v->nkeys - 1].id;
}

/* Log why OpenSSL failed at what, and clear its error queue. */
static void
log_openssl(const char *what)
{
	char reason[256];
	unsigned long code = ERR_get_error();

	if (code != 0)
		ERR_error_string_n(code, reason, sizeof(reason));
	else
		snprintf(reason, sizeof(reason), "no reason given");
	log_warn("vault: %s failed: %s", what, reason);
	ERR_clear_error();
}

/*
 * Run AES-256-GCM over in (len bytes) into out, under key and nonce, with
 * the additional data header (header_len bytes) then aad.  When sealing,
 * the tag is written to tag; when opening, it is checked against tag.
 * Returns 1 on success, 0 when opening finds a wrong tag, and -1 when
 * OpenSSL fails (logged).
 */
static int
gcm_run(bool seal, const unsigned char *key, const unsigned char *nonce,
    const unsigned char *header, size_t header_len, const char *aad,
    const unsigned char *in, size_t len, unsigned char *out,
    unsigned char *tag)
{
	EVP_CIPHER_CTX *ctx;
	int n, rc = -1;
	size_t aad_len = strlen(aad);

	ctx = EVP_CIPHER_CTX_new();
	if (ctx == NULL) {
		log_openssl("EVP_CIPHER_CTX_new");
		return -1;
	}
	if (EVP_CipherInit_ex2(ctx, EVP_aes_256_gcm(), key, nonce, seal ? 1 : 0,
	    NULL) != 1 ||
	    EVP_CipherUpdate(ctx, NULL, &n, header, (int)header_len) != 1 ||
	    (aad_len > 0 && EVP_CipherUpdate(ctx, NULL, &n,
	    (const unsigned char *)aad, (int)aad_len) != 1) ||
	    (len > 0 && EVP_CipherUpdate(ctx, out, &n, in, (int)len) != 1)) {
		log_openssl(seal ? "AES-256-GCM seal" : "AES-256-GCM open");
		goto out;
	}
	if (seal) {
		if (EVP_CipherFinal_ex(ctx, out + len, &n) != 1 ||
		    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG,
		    VAULT_TAG_LEN, tag) != 1) {
			log_openssl("AES-256-GCM seal");
			goto out;
		}
		rc = 1;
	} else {
		if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG,
		    VAULT_TAG_LEN, tag) != 1) {
			log_openssl("AES-256-GCM open");
			goto out;
		}
		/* A failed final step is a wrong tag, not a fault. */
		rc = EVP_CipherFinal_ex(ctx, out + len, &n) == 1 ? 1 : 0;
		ERR_clear_error();
	}
out:
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}

int
vault_seal(const struct vault *v, const char *aad, const void *plain,
    size_t len, unsigned char **out, size_t *out_len, struct error *err)
{
	const struct vault_key *key = &v->keys[v->nkeys - 1];
	size_t id_len = strlen(key->id), header_len = 2 + id_len;
	unsigned char *sealed;

	*out = NULL;
	*out_len = 0;
	if (aad == NULL || strlen(aad) > VAULT_AAD_MAX)
		return error_set(err, ERR_INTERNAL, "vault: bad aad");
	if (len > VAULT_PLAIN_MAX) {
		error_set(err, ERR_PAYLOAD_TOO_LARGE,
		    "a secret value may have at most %d bytes",
		    VAULT_PLAIN_MAX);
		return -1;
	}
	sealed = malloc(len + VAULT_OVERHEAD(id_len));
	if (sealed == NULL)
		return error_set(err, ERR_INTERNAL, "out of memory");
	sealed[0] = VAULT_VERSION;
	sealed[1] = (unsigned char)id_len;
	memcpy(sealed + 2, key->id, id_len);
	if (RAND_bytes(sealed + header_len, VAULT_NONCE_LEN) != 1) {
		log_openssl("RAND_bytes");
		free(sealed);
		return error_set(err, ERR_INTERNAL,
		    "the random number generator failed");
	}
	if (gcm_run(true, key->key, sealed + header_len, sealed, header_len,
	    aad, plain, len, sealed + header_len + VAULT_NONCE_LEN,
	    sealed + header_len + VAULT_NONCE_LEN + len) != 1) {
		free(sealed);
		return error_set(err, ERR_INTERNAL,
		    "a secret value could not be encrypted");
	}
	*out = sealed;
	*out_len = len + VAULT_OVERHEAD(id_len);
	return 0;
}

/*
 * Find where the key id of a sealed value is, checking the whole layout.
 * Returns 0 and the id's place and length, or -1 when malformed.
 */
static int
sealed_parse(const unsigned char *sealed, size_t len, const char **id,
    size_t *id_len)
{
	size_t n;

	if (sealed == NULL || len < 2 || sealed[0] != VAULT_VERSION)
		return -1;
	n = sealed[1];
	if (n < 1 || n > VAULT_KEY_ID_MAX || len < VAULT_OVERHEAD(n) ||
	    len - VAULT_OVERHEAD(n) > VAULT_PLAIN_MAX ||
	    !key_id_is_valid((const char *)sealed + 2, n))
		return -1;
	*id = (const char *)sealed + 2;
	*id_len = n;
	return 0;
}

int
vault_sealed_key_id(const unsigned char *sealed, size_t len, char *out,
    size_t size)
{
	const char *id;
	size_t id_len;

	if (sealed_parse(sealed, len, &id, &id_len) != 0 || size <= id_len)
		return -1;
	memcpy(out, id, id_len);
	out[id_len] = '\0';
	return 0;
}

/*
 * Read v's key file again and, when that works, replace v's keys with
 * what it holds now.  Returns 0, or -1 and err (v is then unchanged).
 */
static int
vault_reload(struct vault *v, struct error *err)
{
	struct vault *fresh;
	struct vault_key *keys;
	size_t nkeys;

	if (vault_load(v->path, &fresh, err) != 0)
		return -1;
	keys = v->keys;
	nkeys = v->nkeys;
	v->keys = fresh->keys;
	v->nkeys = fresh->nkeys;
	fresh->keys = keys;
	fresh->nkeys = nkeys;
	vault_free(fresh);
	return 0;
}

int
vault_open(struct vault *v, const char *aad, const unsigned char *sealed,
    size_t len, char **plain, size_t *plain_len, struct error *err)
{
	const struct vault_key *key;
	const char *id;
	size_t id_len, header_len, text_len;
	char *text;
	int rc;

	*plain = NULL;
	*plain_len = 0;
	if (aad == NULL || strlen(aad) > VAULT_AAD_MAX)
		return error_set(err, ERR_INTERNAL, "vault: bad aad");
	if (sealed_parse(sealed, len, &id, &id_len) != 0)
		return error_set(err, ERR_INTERNAL,
		    "a stored secret value is malformed");
	key = keys_find(v->keys, v->nkeys, id, id_len);
	if (key == NULL) {
		struct error reload = { 0 };

		if (vault_reload(v, &reload) != 0)
			log_warn("vault: cannot re-read the key file for key "
			    "%.*s: %s", (int)id_len, id, reload.message);
		error_clear(&reload);
		key = keys_find(v->keys, v->nkeys, id, id_len);
	}
	if (key == NULL) {
		error_set(err, ERR_INTERNAL, "a stored secret value was sealed "
		    "under key %.*s, which the vault key file lacks",
		    (int)id_len, id);
		error_hint(err, "Copy the newest vault key file to every host "
		    "running drio.");
		return -1;
	}
	header_len = 2 + id_len;
	text_len = len - VAULT_OVERHEAD(id_len);
	text = malloc(text_len + 1);
	if (text == NULL)
		return error_set(err, ERR_INTERNAL, "out of memory");
	rc = gcm_run(false, key->key, sealed + header_len, sealed, header_len,
	    aad, sealed + header_len + VAULT_NONCE_LEN, text_len,
	    (unsigned char *)text,
	    (unsigned char *)sealed + header_len + VAULT_NONCE_LEN + text_len);
	if (rc != 1) {
		vault_plain_free(text, text_len);
		if (rc < 0)
			return error_set(err, ERR_INTERNAL,
			    "a stored secret value could not be decrypted");
		return error_set(err, ERR_INTERNAL, "a stored secret value "
		    "failed authentication: it was changed or belongs "
		    "elsewhere");
	}
	text[text_len] = '\0';
	*plain = text;
	*plain_len = text_len;
	return 0;
}

void
vault_plain_free(char *plain, size_t len)
{
	if (plain == NULL)
		return;
	OPENSSL_cleanse(plain, len + 1);
	free(plain);
}

/*
 * Make a fresh key and its key file line, "<id> <base64>\n", into line
 * (at least VAULT_KEY_ID_MAX + VAULT_KEY_B64_LEN + 3 bytes).  The id is
 * "k" and the UTC time, made unique among keys (n of them) with "-2",
 * "-3", ...  Returns 0, or -1 and err.
 */
static int
key_line_make(const struct vault_key *keys, size_t n, char *id,
    size_t id_size, char *line, size_t line_size, struct error *err)
{
	unsigned char key[VAULT_KEY_LEN];
	unsigned char b64[VAULT_KEY_B64_LEN + 1];
	char base[16];  /* "k" and 14 digits */
	struct tm tm;
	time_t now = time(NULL);
	int suffix;

	if (gmtime_r(&now, &tm) == NULL ||
	    strftime(base, sizeof(base), "k%Y%m%d%H%M%S", &tm) == 0)
		return error_set(err, ERR_INTERNAL, "cannot read the clock");
	snprintf(id, id_size, "%s", base);
	for (suffix = 2; keys_find(keys, n, id, strlen(id)) != NULL;
	    suffix++)
		snprintf(id, id_size, "%s-%d", base, suffix);
	if (RAND_priv_bytes(key, sizeof(key)) != 1) {
		log_openssl("RAND_priv_bytes");
		return error_set(err, ERR_INTERNAL,
		    "the random number generator failed");
	}
	EVP_EncodeBlock(b64, key, sizeof(key));
	snprintf(line, line_size, "%s %s\n", id, (const char *)b64);
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(b64, sizeof(b64));
	return 0;
}

/* Write all of buf to fd.  Returns 0, or -1 with errno set. */
static int
write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static const char keyfile_preamble[] =
    "# drio vault keys: one `<key-id> <base64 key>` a line; the last one\n"
    "# seals, every one opens.  Keep this file secret (mode 0600), back\n"
    "# it up, and copy it to every host running drio (docs/vault.md).\n";

int
vault_create_key_file(const char *path, struct error *err)
{
	char id[VAULT_KEY_ID_MAX + 1];
	char line[VAULT_KEY_ID_MAX + VAULT_KEY_B64_LEN + 3];
	int fd, rc = -1;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd == -1) {
		int saved = errno;

		if (saved == EEXIST) {
			error_set(err, ERR_CONFLICT,
			    "vault key file %s already exists", path);
			error_hint(err, "`drio-admin vault-add-key` adds a key "
			    "to it; never replace a key file that sealed "
			    "secrets.");
			return -1;
		}
		error_set(err, ERR_INTERNAL, "cannot create vault key file "
		    "%s: %s", path, strerror(saved));
		if (saved == ENOENT)
			error_hint(err, "Create its directory first.");
		return -1;
	}
	/* 0600 whatever the umask, so that vault_load accepts it. */
	if (fchmod(fd, 0600) != 0) {
		error_set(err, ERR_INTERNAL, "cannot set the mode of %s: %s",
		    path, strerror(errno));
		goto out;
	}
	if (key_line_make(NULL, 0, id, sizeof(id), line, sizeof(line),
	    err) != 0)
		goto out;
	if (write_all(fd, keyfile_preamble, strlen(keyfile_preamble)) != 0 ||
	    write_all(fd, line, strlen(line)) != 0 || fsync(fd) != 0) {
		error_set(err, ERR_INTERNAL, "cannot write vault key file %s: "
		    "%s", path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	OPENSSL_cleanse(line, sizeof(line));
	if (close(fd) != 0 && rc == 0) {
		error_set(err, ERR_INTERNAL, "cannot write vault key file %s: "
		    "%s", path, strerror(errno));
		rc = -1;
	}
	if (rc != 0)
		unlink(path); /* no half-made key file is left behind */
	return rc;
}

int
vault_append_key(const char *path, char *new_key_id_out, size_t size,
    struct error *err)
{
	struct vault v = { NULL, NULL, 0 };
	char id[VAULT_KEY_ID_MAX + 1];
	char line[VAULT_KEY_ID_MAX + VAULT_KEY_B64_LEN + 3];
	bool newline = true;
	int fd, rc = -1;

	line[0] = '\0';
	fd = keyfile_open(path, O_RDWR | O_APPEND, LOCK_EX, err);
	if (fd == -1)
		return -1;
	if (keyfile_read(fd, path, true, &v, &newline, err) != 0)
		goto out;
	if (key_line_make(v.keys, v.nkeys, id, sizeof(id), line,
	    sizeof(line), err) != 0)
		goto out;
	if (strlen(id) >= size) {
		error_set(err, ERR_INTERNAL, "key id buffer too small");
		goto out;
	}
	if ((!newline && write_all(fd, "\n", 1) != 0) ||
	    write_all(fd, line, strlen(line)) != 0 || fsync(fd) != 0) {
		error_set(err, ERR_INTERNAL, "cannot write vault key file %s: "
		    "%s", path, strerror(errno));
		goto out;
	}
	memcpy(new_key_id_out, id, strlen(id) + 1);
	rc = 0;
out:
	OPENSSL_cleanse(line, sizeof(line));
	keys_free(v.keys, v.nkeys);
	close(fd); /* releases the lock */
	return rc;
}

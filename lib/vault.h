/*
 * vault.h: the credential vault.  Secret values (API keys, bearer tokens,
 * basic passwords, OAuth client secrets and tokens, connection strings)
 * are stored sealed: encrypted and authenticated with AES-256-GCM under a
 * key from the vault key file (config key vault_key_file).
 *
 * The key file is text.  Blank lines and lines starting with `#` are
 * ignored; every other line is
 *
 *     <key-id> <base64 of exactly 32 bytes>
 *
 * where a key id is 1 to 32 of A-Z a-z 0-9 _ - and is unique in the file.
 * The last key is the current one: it seals.  Every key opens.  The file
 * must be a regular file that neither group nor others may access (mode
 * 0600 or stricter).
 *
 * A sealed value is self-describing:
 *
 *     offset        length   content
 *     0             1        version, 1
 *     1             1        n, the length of the key id (1..32)
 *     2             n        the key id that sealed it
 *     2 + n         12       the GCM nonce, fresh and random per seal
 *     14 + n        len      the ciphertext, as long as the plain value
 *     14 + n + len  16       the GCM tag
 *
 * The GCM additional data is the header (bytes 0 .. 2 + n) followed by the
 * caller's aad string (without its NUL), so a sealed value opens only with
 * the key and version it names and only for the row its aad names: a
 * value copied to another row, or another column, does not open.
 *
 * A struct vault belongs to one thread: vault_open may re-read the key
 * file into it.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef DRIO_VAULT_H
#define DRIO_VAULT_H

#include <stddef.h>

#include "error.h"

#define VAULT_VERSION        1
#define VAULT_KEY_ID_MAX     32   /* characters in a key id */
#define VAULT_NONCE_LEN      12
#define VAULT_TAG_LEN        16
/* The largest value vault_seal takes (secrets are small; this is a cap). */
#define VAULT_PLAIN_MAX      (16 * 1024 * 1024)

struct vault;

/*
 * Read the key file at path.  Refuses a file that is not a regular file
 * or that group or others may access, a malformed line (naming the file
 * and line, never the key material), a key that is not 32 bytes, a key id
 * used twice, and a file without keys.  Copies path.  Returns 0 and
 * stores a vault in *out (release with vault_free), or -1 and err.
 */
int vault_load(const char *path, struct vault **out, struct error *err);

/* Zeroise the keys and release v.  Accepts NULL.  Can't fail. */
void vault_free(struct vault *v);

/* The id of the current key, the one vault_seal uses.  Can't fail. */
const char *vault_current_key_id(const struct vault *v);

/*
 * Seal plain (len bytes, at most VAULT_PLAIN_MAX) under the current key,
 * with a fresh random nonce, bound to aad: a NUL-terminated string naming
 * the value's place, e.g. "auth_connections.secret:<app_id>:<id>".
 * Returns 0 and stores a malloc'd sealed value in *out (the caller frees
 * it) and its length in *out_len, or -1 and err.
 */
int vault_seal(const struct vault *v, const char *aad, const void *plain,
    size_t len, unsigned char **out, size_t *out_len, struct error *err);

/*
 * Open a value sealed by vault_seal with the same aad.  When the key id
 * it names is not loaded, the key file is read again once (another host
 * or process may have added a key since this one loaded it: that is how
 * keys rotate without downtime) before giving up.  Returns 0 and stores
 * the plain value in *plain (malloc'd, NUL-terminated after *plain_len
 * bytes; release it with vault_plain_free), or -1 and err when the value
 * is malformed, names an unknown key, was sealed with another aad or was
 * changed in any way.  Never logs the value.
 */
int vault_open(struct vault *v, const char *aad, const unsigned char *sealed,
    size_t len, char **plain, size_t *plain_len, struct error *err);

/*
 * Zeroise len bytes of plain (and its NUL) and free it.  Accepts NULL.
 * Can't fail.
 */
void vault_plain_free(char *plain, size_t len);

/*
 * Copy the id of the key that sealed a value into out (size bytes, at
 * least VAULT_KEY_ID_MAX + 1 is always enough).  Does not open the value.
 * Returns 0, or -1 when the value is malformed or out too small.
 */
int vault_sealed_key_id(const unsigned char *sealed, size_t len, char *out,
    size_t size);

/*
 * Create a key file at path holding one fresh key: mode 0600, never
 * overwriting (an existing file is ERR_CONFLICT).  The directory must
 * exist.  Returns 0, or -1 and err.
 */
int vault_create_key_file(const char *path, struct error *err);

/*
 * Append a fresh key to the key file at path; it becomes the current
 * key.  The file must load as vault_load requires.  Its id is "k" and the
 * UTC time, YYYYMMDDhhmmss, with "-2", "-3", ... when that is taken; it
 * is copied into new_key_id_out (size bytes; VAULT_KEY_ID_MAX + 1 is
 * always enough).  Appenders on one host are serialised with flock(2).
 * Returns 0, or -1 and err.
 */
int vault_append_key(const char *path, char *new_key_id_out, size_t size,
    struct error *err);

#endif

/*
 * crypto.h: the few primitives drio needs, all from OpenSSL: random
 * bytes, bearer tokens, SHA-256, constant-time comparison and password
 * hashing with scrypt.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef DRIO_CRYPTO_H
#define DRIO_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

/* A bearer token: "drio_" and 43 base64url characters (256 bits). */
#define CRYPTO_TOKEN_PREFIX      "drio_"
#define CRYPTO_TOKEN_LEN         48   /* strlen of a token */
#define CRYPTO_TOKEN_DISPLAY_LEN 12   /* characters kept as `prefix` */
#define CRYPTO_SHA256_HEX_LEN    64

/* Fill buf with len bytes from the CSPRNG.  Returns 0, or -1 and err. */
int crypto_random(unsigned char *buf, size_t len, struct error *err);

/*
 * Make a new bearer token into out (at least CRYPTO_TOKEN_LEN + 1 bytes).
 * Returns 0, or -1 and err.
 */
int crypto_token_new(char *out, size_t size, struct error *err);

/*
 * Make a random URL-safe string of nbytes random bytes, base64url without
 * padding, into out (size >= 4 * nbytes / 3 + 2).  Returns 0 or -1 and err.
 */
int crypto_random_urlsafe(char *out, size_t size, size_t nbytes,
    struct error *err);

/* SHA-256 of data as 64 lower-case hex digits plus NUL.  Can't fail. */
void crypto_sha256_hex(const void *data, size_t len,
    char out[CRYPTO_SHA256_HEX_LEN + 1]);

/*
 * Decode base64url (padding optional) into out.  Returns the decoded
 * length, or -1 when in is malformed or out is too small.
 */
long crypto_base64url_decode(const char *in, unsigned char *out,
    size_t size);

/* base64url without padding of len bytes into out (4 * len / 3 + 2). */
void crypto_base64url_encode(const unsigned char *in, size_t len, char *out);

/* HMAC-SHA256 of data under key into out.  Can't fail. */
void crypto_hmac_sha256(const void *key, size_t key_len, const void *data,
    size_t len, unsigned char out[32]);

/* Compare two buffers of equal length in constant time. */
bool crypto_equal(const void *a, const void *b, size_t len);

/* Is s a well-formed drio bearer token (prefix, length, alphabet)? */
bool crypto_token_is_well_formed(const char *s);

/*
 * Hash a password with scrypt and a fresh salt into a self-describing
 * string "scrypt$ln=15,r=8,p=1$<salt>$<hash>" (base64url).  Returns a
 * malloc'd string the caller frees, or NULL and err.
 */
char *crypto_password_hash(const char *password, struct error *err);

/*
 * Check a password against a string made by crypto_password_hash.  Returns
 * 1 when it matches, 0 when it does not, -1 and err when the stored string
 * is malformed or hashing fails.
 */
int crypto_password_verify(const char *password, const char *stored,
    struct error *err);

#endif

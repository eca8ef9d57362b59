/*
 * crypto.c: random tokens, SHA-256, constant-time comparison and scrypt
 * password hashing, all from OpenSSL (see crypto.h).
 *
 * SPDX-License-Identifier: MIT
 */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"

/*
 * scrypt cost: N = 2^15, r = 8, p = 1 uses 32 MiB and tens of
 * milliseconds, the parameters RFC 7914 and OWASP suggest for interactive
 * logins.
 */
#define SCRYPT_LOG_N    15
#define SCRYPT_R        8
#define SCRYPT_P        1
#define SCRYPT_SALT_LEN 16
#define SCRYPT_HASH_LEN 32
#define SCRYPT_MAXMEM   (64 * 1024 * 1024)

static const char b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* base64url without padding of len bytes into out (size >= 4*len/3+2). */
static void
base64url_encode(const unsigned char *in, size_t len, char *out)
{
	size_t i, o = 0;

	for (i = 0; i + 2 < len; i += 3) {
		unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 |
		    in[i + 2];

		out[o++] = b64url[v >> 18 & 63];
		out[o++] = b64url[v >> 12 & 63];
		out[o++] = b64url[v >> 6 & 63];
		out[o++] = b64url[v & 63];
	}
	if (len - i == 1) {
		unsigned v = (unsigned)in[i] << 16;

		out[o++] = b64url[v >> 18 & 63];
		out[o++] = b64url[v >> 12 & 63];
	} else if (len - i == 2) {
		unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8;

		out[o++] = b64url[v >> 18 & 63];
		out[o++] = b64url[v >> 12 & 63];
		out[o++] = b64url[v >> 6 & 63];
	}
	out[o] = '\0';
}

/* Decode base64url, padding optional; returns the length or -1. */
static long
base64url_decode(const char *in, unsigned char *out, size_t size)
{
	size_t len = strlen(in), i, o = 0;
	unsigned v = 0;
	int bits = 0;

	while (len > 0 && in[len - 1] == '=')
		len--;
	if (len % 4 == 1)
		return -1;
	for (i = 0; i < len; i++) {
		const char *p = strchr(b64url, in[i]);

		if (p == NULL || in[i] == '\0')
			return -1;
		v = v << 6 | (unsigned)(p - b64url);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o >= size)
				return -1;
			out[o++] = (unsigned char)(v >> bits & 0xff);
		}
	}
	return (long)o;
}

int
crypto_random(unsigned char *buf, size_t len, struct error *err)
{
	if (RAND_bytes(buf, (int)len) != 1)
		return error_set(err, ERR_INTERNAL,
		    "the random number generator failed");
	return 0;
}

int
crypto_random_urlsafe(char *out, size_t size, size_t nbytes,
    struct error *err)
{
	unsigned char raw[128];

	if (nbytes > sizeof(raw) || size < (nbytes * 4 + 2) / 3 + 1)
		return error_set(err, ERR_INTERNAL, "token buffer too small");
	if (crypto_random(raw, nbytes, err) != 0)
		return -1;
	base64url_encode(raw, nbytes, out);
	OPENSSL_cleanse(raw, sizeof(raw));
	return 0;
}

int
crypto_token_new(char *out, size_t size, struct error *err)
{
	size_t plen = strlen(CRYPTO_TOKEN_PREFIX);

	if (size < CRYPTO_TOKEN_LEN + 1)
		return error_set(err, ERR_INTERNAL, "token buffer too small");
	memcpy(out, CRYPTO_TOKEN_PREFIX, plen);
	return crypto_random_urlsafe(out + plen, size - plen, 32, err);
}

bool
crypto_token_is_well_formed(const char *s)
{
	size_t plen = strlen(CRYPTO_TOKEN_PREFIX), i;

	if (s == NULL || strlen(s) != CRYPTO_TOKEN_LEN ||
	    strncmp(s, CRYPTO_TOKEN_PREFIX, plen) != 0)
		return false;
	for (i = plen; s[i] != '\0'; i++)
		if (strchr(b64url, s[i]) == NULL)
			return false;
	return true;
}

void
crypto_sha256_hex(const void *data, size_t len,
    char out[CRYPTO_SHA256_HEX_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char digest[32];
	unsigned int dlen = 0;
	size_t i;

	EVP_Digest(data, len, digest, &dlen, EVP_sha256(), NULL);
	for (i = 0; i < 32; i++) {
		out[2 * i] = hex[digest[i] >> 4];
		out[2 * i + 1] = hex[digest[i] & 15];
	}
	out[CRYPTO_SHA256_HEX_LEN] = '\0';
}

void
crypto_base64url_encode(const unsigned char *in, size_t len, char *out)
{
	base64url_encode(in, len, out);
}

long
crypto_base64url_decode(const char *in, unsigned char *out, size_t size)
{
	return base64url_decode(in, out, size);
}

void
crypto_hmac_sha256(const void *key, size_t key_len, const void *data,
    size_t len, unsigned char out[32])
{
	unsigned int out_len = 32;

	HMAC(EVP_sha256(), key, (int)key_len, data, len, out, &out_len);
}

bool
crypto_equal(const void *a, const void *b, size_t len)
{
	return CRYPTO_memcmp(a, b, len) == 0;
}

static int
scrypt_derive(const char *password, const unsigned char *salt,
    size_t salt_len, int log_n, int r, int p, unsigned char *out,
    size_t out_len, struct error *err)
{
	if (EVP_PBE_scrypt(password, strlen(password), salt, salt_len,
	    (uint64_t)1 << log_n, (uint64_t)r, (uint64_t)p, SCRYPT_MAXMEM,
	    out, out_len) != 1)
		return error_set(err, ERR_INTERNAL, "password hashing failed");
	return 0;
}

char *
crypto_password_hash(const char *password, struct error *err)
{
	unsigned char salt[SCRYPT_SALT_LEN], hash[SCRYPT_HASH_LEN];
	char salt64[32], hash64[64], *out;
	size_t size = 128;

	if (crypto_random(salt, sizeof(salt), err) != 0)
		return NULL;
	if (scrypt_derive(password, salt, sizeof(salt), SCRYPT_LOG_N,
	    SCRYPT_R, SCRYPT_P, hash, sizeof(hash), err) != 0)
		return NULL;
	base64url_encode(salt, sizeof(salt), salt64);
	base64url_encode(hash, sizeof(hash), hash64);
	OPENSSL_cleanse(hash, sizeof(hash));
	out = malloc(size);
	if (out == NULL) {
		error_set(err, ERR_INTERNAL, "out of memory");
		return NULL;
	}
	snprintf(out, size, "scrypt$ln=%d,r=%d,p=%d$%s$%s", SCRYPT_LOG_N,
	    SCRYPT_R, SCRYPT_P, salt64, hash64);
	return out;
}

int
crypto_password_verify(const char *password, const char *stored,
    struct error *err)
{
	unsigned char salt[64], expected[64], seen[64];
	char salt64[128], hash64[128];
	int log_n, r, p, consumed = 0, rc;
	long salt_len, hash_len;

	if (sscanf(stored, "scrypt$ln=%d,r=%d,p=%d$%100[A-Za-z0-9_-]$%100[A-Za-z0-9_-]%n",
	    &log_n, &r, &p, salt64, hash64, &consumed) != 5 ||
	    stored[consumed] != '\0' || log_n < 1 || log_n > 20 || r < 1 ||
	    r > 32 || p < 1 || p > 16)
		return error_set(err, ERR_INTERNAL,
		    "stored password hash is malformed");
	salt_len = base64url_decode(salt64, salt, sizeof(salt));
	hash_len = base64url_decode(hash64, expected, sizeof(expected));
	if (salt_len < 8 || hash_len < 16)
		return error_set(err, ERR_INTERNAL,
		    "stored password hash is malformed");
	if (scrypt_derive(password, salt, (size_t)salt_len, log_n, r, p, seen,
	    (size_t)hash_len, err) != 0)
		return -1;
	rc = crypto_equal(expected, seen, (size_t)hash_len) ? 1 : 0;
	OPENSSL_cleanse(seen, sizeof(seen));
	return rc;
}

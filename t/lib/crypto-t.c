/*
 * crypto-t.c: tests for lib/crypto.c.  Checks the promises of crypto.h:
 * bearer tokens are "drio_" plus base64url and never repeat, malformed
 * tokens are recognised, SHA-256 matches the FIPS 180-2 vectors, the
 * comparison is exact, and scrypt password hashes verify the right
 * password, refuse a wrong one, are salted, and refuse a malformed
 * stored string.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "t/tap/basic.h"

#define PASSWORD_PREFIX "scrypt$ln=15,r=8,p=1$"

/* Is every character of s in the base64url alphabet? */
static bool
is_base64url(const char *s)
{
	return s[strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-_")] == '\0';
}

static void
test_tokens(void)
{
	struct error err;
	char token[CRYPTO_TOKEN_LEN + 1], other[CRYPTO_TOKEN_LEN + 1];
	char bad[CRYPTO_TOKEN_LEN + 2];
	int rc;

	memset(&err, 0, sizeof(err));
	rc = crypto_token_new(token, sizeof(token), &err);
	is_int(0, rc, "crypto_token_new succeeds");
	if (rc != 0)
		bail("cannot make a token: %s", err.message);
	is_int(CRYPTO_TOKEN_LEN, strlen(token),
	    "a token is CRYPTO_TOKEN_LEN characters long");
	ok(strncmp(token, CRYPTO_TOKEN_PREFIX,
	    strlen(CRYPTO_TOKEN_PREFIX)) == 0,
	    "a token starts with \"drio_\"");
	ok(is_base64url(token + strlen(CRYPTO_TOKEN_PREFIX)),
	    "the rest of a token is base64url");
	ok(crypto_token_is_well_formed(token), "a new token is well-formed");
	crypto_token_new(other, sizeof(other), &err);
	ok(strcmp(token, other) != 0, "two tokens differ");

	ok(!crypto_token_is_well_formed(""), "the empty string is no token");
	memcpy(bad, token, sizeof(token));
	memcpy(bad, "drib_", 5);
	ok(!crypto_token_is_well_formed(bad),
	    "a token with the wrong prefix is refused");
	memcpy(bad, token, sizeof(token));
	bad[CRYPTO_TOKEN_LEN - 1] = '\0';
	ok(!crypto_token_is_well_formed(bad), "a token one character short "
	    "is refused");
	memcpy(bad, token, sizeof(token));
	bad[CRYPTO_TOKEN_LEN] = 'A';
	bad[CRYPTO_TOKEN_LEN + 1] = '\0';
	ok(!crypto_token_is_well_formed(bad), "a token one character long "
	    "is refused");
	memcpy(bad, token, sizeof(token));
	bad[20] = '+';
	ok(!crypto_token_is_well_formed(bad),
	    "a token with a character outside base64url ('+') is refused");
	memcpy(bad, token, sizeof(token));
	bad[CRYPTO_TOKEN_LEN - 1] = '=';
	ok(!crypto_token_is_well_formed(bad),
	    "a token with base64 padding is refused");
	ok(!crypto_token_is_well_formed(CRYPTO_TOKEN_PREFIX),
	    "the prefix alone is no token");
}

static void
test_random(void)
{
	struct error err;
	unsigned char a[32], b[32];
	char text[64], short_text[64];

	memset(&err, 0, sizeof(err));
	is_int(0, crypto_random(a, sizeof(a), &err), "crypto_random succeeds");
	crypto_random(b, sizeof(b), &err);
	ok(memcmp(a, b, sizeof(a)) != 0, "two random draws differ");

	is_int(0, crypto_random_urlsafe(text, sizeof(text), 32, &err),
	    "crypto_random_urlsafe succeeds");
	ok(strlen(text) == 43 && is_base64url(text),
	    "32 random bytes are 43 base64url characters without padding");
	crypto_random_urlsafe(short_text, 4 * 1 / 3 + 2, 1, &err);
	ok(strlen(short_text) == 2 && is_base64url(short_text),
	    "1 random byte is 2 base64url characters in the smallest buffer "
	    "the contract allows");
}

static void
test_sha256(void)
{
	char hex[CRYPTO_SHA256_HEX_LEN + 1];
	static const char million_a_prefix[] = "abcdbcdecdefdefgefghfghighijhi"
	    "jkijkljklmklmnlmnomnopnopq";

	crypto_sha256_hex("", 0, hex);
	is_string("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b"
	    "7852b855", hex, "SHA-256 of \"\" is the known vector");
	crypto_sha256_hex("abc", 3, hex);
	is_string("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61"
	    "f20015ad", hex, "SHA-256 of \"abc\" is the known vector");
	crypto_sha256_hex(million_a_prefix, strlen(million_a_prefix), hex);
	is_string("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd4"
	    "19db06c1", hex, "SHA-256 of the 448-bit vector is the known one");
	crypto_sha256_hex("abc\0def", 7, hex);
	ok(strcmp(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410"
	    "ff61f20015ad") != 0, "SHA-256 hashes len bytes, past a NUL");
}

static void
test_equal(void)
{
	ok(crypto_equal("secret-value", "secret-value", 12),
	    "equal buffers compare equal");
	ok(!crypto_equal("secret-value", "secret-valuf", 12),
	    "buffers differing in the last byte compare unequal");
	ok(!crypto_equal("xecret-value", "secret-value", 12),
	    "buffers differing in the first byte compare unequal");
	ok(crypto_equal("a", "b", 0), "zero-length buffers compare equal");
}

static void
test_passwords(void)
{
	struct error err;
	char *hash, *again, *empty;
	char *broken;
	size_t len;

	memset(&err, 0, sizeof(err));
	hash = crypto_password_hash("correct horse battery staple", &err);
	ok(hash != NULL, "crypto_password_hash succeeds");
	if (hash == NULL)
		bail("cannot hash a password: %s", err.message);
	ok(strncmp(hash, PASSWORD_PREFIX, strlen(PASSWORD_PREFIX)) == 0,
	    "a password hash says scrypt and its parameters");
	is_int(1, crypto_password_verify("correct horse battery staple", hash,
	    &err), "the right password verifies");
	is_int(0, crypto_password_verify("correct horse battery stapler", hash,
	    &err), "a wrong password does not verify");
	is_int(0, crypto_password_verify("", hash, &err),
	    "the empty password does not verify against another's hash");

	again = crypto_password_hash("correct horse battery staple", &err);
	ok(again != NULL && strcmp(hash, again) != 0,
	    "two hashes of the same password differ (they are salted)");
	is_int(1, crypto_password_verify("correct horse battery staple", again,
	    &err), "the second hash verifies too");

	empty = crypto_password_hash("", &err);
	ok(empty != NULL && crypto_password_verify("", empty, &err) == 1,
	    "the empty password hashes and verifies");

	memset(&err, 0, sizeof(err));
	is_int(-1, crypto_password_verify("x", "", &err),
	    "an empty stored string is malformed");
	ok(err.code != ERR_NONE, "a malformed stored string sets the error");
	is_int(-1, crypto_password_verify("x", "plaintext", &err),
	    "a stored string without fields is malformed");
	is_int(-1, crypto_password_verify("x",
	    "bcrypt$ln=15,r=8,p=1$AAAA$AAAA", &err),
	    "a stored string of another scheme is malformed");
	len = strlen(hash);
	broken = strdup(hash);
	if (broken == NULL)
		sysbail("strdup");
	*strrchr(broken, '$') = '\0';
	is_int(-1, crypto_password_verify("correct horse battery staple",
	    broken, &err), "a stored string without its hash is malformed");
	memcpy(broken, hash, len + 1);
	broken[strlen(PASSWORD_PREFIX) + 2] = '!';
	is_int(-1, crypto_password_verify("correct horse battery staple",
	    broken, &err), "a stored string whose salt is not base64url is "
	    "malformed");

	free(broken);
	free(empty);
	free(again);
	free(hash);
}

int
main(void)
{
	plan(40);
	test_tokens();
	test_random();
	test_sha256();
	test_equal();
	test_passwords();
	return 0;
}

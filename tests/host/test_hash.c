// SPDX-License-Identifier: MIT
/*
 * ea_hash (SHA-256 by OpenSSL) against known answers: FIPS 180-4's examples
 * (NIST's "abc", the two-block 448-bit and 896-bit messages), the empty
 * message and a million 'a's, whole and streamed in odd piece sizes across
 * block boundaries; then a GGUF file's data hash against the hash of its
 * bytes after the data offset; and OpenSSL's failure, reported.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ea_gguf.h"
#include "ea_hash.h"
#include "ea_tap.h"

#define CORPUS "tests/fuzz/corpus/gguf"
#define MILLION 1000000

struct known {
	const char *name;
	const char *message;
	const char *digest;
};

static const struct known known[] = {
	{ "the empty message", "",
	  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
	{ "\"abc\" (one block)", "abc",
	  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
	{ "448 bits (padding needs a second block)",
	  "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	{ "896 bits (two blocks)",
	  "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqr"
	  "lmnopqrsmnopqrstnopqrstu",
	  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
};

static const char million_a_digest[] =
	"cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";

static void to_hex(const uint8_t digest[EA_SHA256_BYTES], char hex[2 * EA_SHA256_BYTES + 1])
{
	for (int i = 0; i < EA_SHA256_BYTES; i++)
		snprintf(hex + 2 * i, 3, "%02x", digest[i]);
}

static bool digest_is(const uint8_t digest[EA_SHA256_BYTES], const char *want)
{
	char hex[2 * EA_SHA256_BYTES + 1];

	to_hex(digest, hex);
	if (strcmp(hex, want) == 0)
		return true;
	tap_diag("got  %s", hex);
	tap_diag("want %s", want);
	return false;
}

/* @data streamed in pieces of sizes cycling through @sizes. */
static bool streamed_is(const uint8_t *data, size_t bytes, const size_t *sizes, size_t n_sizes,
			const char *want)
{
	uint8_t digest[EA_SHA256_BYTES];
	struct ea_error err = { 0 };
	struct ea_sha256 h;

	ea_sha256_init(&h);
	for (size_t at = 0, i = 0; at < bytes; i++) {
		size_t take = sizes[i % n_sizes] < bytes - at ? sizes[i % n_sizes] : bytes - at;

		ea_sha256_update(&h, data + at, take);
		at += take;
	}
	if (ea_sha256_final(&h, digest, &err) != EA_OK) {
		tap_diag("%s", err.msg);
		return false;
	}
	return digest_is(digest, want);
}

static bool whole_is(const void *data, size_t bytes, const char *want)
{
	uint8_t digest[EA_SHA256_BYTES];
	struct ea_error err = { 0 };

	if (ea_sha256(data, bytes, digest, &err) != EA_OK) {
		tap_diag("%s", err.msg);
		return false;
	}
	return digest_is(digest, want);
}

static bool check_known(const struct known *k)
{
	static const size_t one[] = { 1 };
	size_t bytes = strlen(k->message);

	return whole_is(k->message, bytes, k->digest) &&
	       streamed_is((const uint8_t *)k->message, bytes, one, 1, k->digest);
}

/* A file's bytes from @offset to its end, malloc'd; NULL if it cannot be read. */
static uint8_t *read_tail(const char *path, uint64_t offset, size_t *bytes)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long end;

	if (f && fseek(f, 0, SEEK_END) == 0 && (end = ftell(f)) >= (long)offset &&
	    fseek(f, (long)offset, SEEK_SET) == 0) {
		*bytes = (size_t)end - offset;
		buf = malloc(*bytes + 1);
		if (buf && fread(buf, 1, *bytes, f) != *bytes) {
			free(buf);
			buf = NULL;
		}
	}
	if (f)
		fclose(f);
	return buf;
}

/* ea_gguf_data_hash() of @name: the SHA-256 of its bytes after the data offset. */
static bool check_data_hash(const char *name)
{
	uint8_t got[EA_GGUF_DATA_HASH_BYTES], want[EA_SHA256_BYTES];
	struct ea_error err = { 0 };
	struct ea_gguf *g = NULL;
	uint8_t *tail = NULL;
	size_t bytes = 0;
	ea_status status;
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", CORPUS, name);
	status = ea_gguf_open(path, &g, &err);
	if (status == EA_OK && ea_gguf_n_tensors(g)) {
		tail = read_tail(path, ea_gguf_data_offset(g), &bytes);
		if (!tail)
			status = ea_error_set(&err, EA_ERR_IO, "cannot read %s", path);
	}
	if (status == EA_OK)
		status = ea_sha256(tail, bytes, want, &err);
	if (status == EA_OK)
		status = ea_gguf_data_hash(g, got, &err);
	if (status != EA_OK)
		tap_diag("%s", err.msg);
	else
		tap_diag("%s: %zu bytes of tensor data", name, bytes);
	free(tail);
	ea_gguf_close(g);
	return status == EA_OK && memcmp(got, want, sizeof(want)) == 0;
}

/*
 * With an OpenSSL config that asks for FIPS-approved algorithms and loads no
 * FIPS provider, there is no SHA-256 to fetch: hashing must fail with
 * EA_ERR_UNSUPPORTED and OpenSSL's reason. OpenSSL reads its config once per
 * process, so a child does it before this process has used OpenSSL.
 */
static bool check_openssl_failure(void)
{
	static const char conf[] = "openssl_conf = init\n[init]\nalg_section = evp\n"
				   "[evp]\ndefault_properties = fips=yes\n";
	char path[] = "/tmp/test_hash-XXXXXX";
	int fd = mkstemp(path), status = -1;
	bool written = fd >= 0 && write(fd, conf, sizeof(conf) - 1) == sizeof(conf) - 1;
	pid_t pid;

	if (fd >= 0)
		close(fd);
	fflush(stdout);
	pid = written ? fork() : -1;
	if (pid == 0) {
		uint8_t digest[EA_SHA256_BYTES];
		struct ea_error err = { 0 };
		ea_status st;

		setenv("OPENSSL_CONF", path, 1);
		st = ea_sha256("abc", 3, digest, &err);
		tap_diag("%s: %s", ea_strerror(st), err.msg);
		fflush(stdout);
		_exit(st == EA_ERR_UNSUPPORTED && strstr(err.msg, "SHA-256 (OpenSSL)") &&
		      strstr(err.msg, "unsupported") ? 0 : 1);
	}
	if (pid > 0)
		waitpid(pid, &status, 0);
	unlink(path);
	return pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int main(void)
{
	/* Piece sizes around the 64-byte block: partial blocks, whole ones, both. */
	static const size_t odd[] = { 1, 3, 7, 63, 64, 65, 127, 4093 };
	uint8_t *a = malloc(MILLION);
	struct tap t = { 0 };
	size_t n = sizeof(known) / sizeof(known[0]);

	tap_plan(&t, (int)n + 5);
	tap_ok(&t, check_openssl_failure(),
	       "no SHA-256 in OpenSSL: EA_ERR_UNSUPPORTED with OpenSSL's reason");
	for (size_t i = 0; i < n; i++)
		tap_ok(&t, check_known(&known[i]), "%s, whole and a byte at a time", known[i].name);
	if (a)
		memset(a, 'a', MILLION);
	tap_ok(&t, a && whole_is(a, MILLION, million_a_digest), "a million 'a's in one call");
	tap_ok(&t, a && streamed_is(a, MILLION, odd, sizeof(odd) / sizeof(odd[0]),
				    million_a_digest),
	       "a million 'a's in pieces of 1, 3, 7, 63, 64, 65, 127 and 4093 bytes");
	free(a);
	/* The corpus is relative to the repository root, where tests/run-all runs. */
	tap_ok(&t, check_data_hash("good-all-types.gguf"),
	       "ea_gguf_data_hash: the SHA-256 of the bytes after the data offset");
	tap_ok(&t, check_data_hash("good-no-tensors.gguf"),
	       "ea_gguf_data_hash: a file without tensors hashes no bytes");
	return tap_done(&t);
}

/* SPDX-License-Identifier: MIT */
/*
 * ea_hash - SHA-256 by OpenSSL's libcrypto (EVP), which uses the CPU's SHA
 * instructions where there are some: the name of a model's weights in the
 * module's shared-buffer table (a 32-byte key) is the digest of their bytes,
 * so equal files share one buffer and different ones never collide in
 * practice.
 *
 * A streaming hash keeps the first failure of init or update and reports it
 * from ea_sha256_final(), so a caller checks one status after feeding every
 * piece; final always frees what init took.
 */
#ifndef EA_HASH_H
#define EA_HASH_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>

#include "ea_error.h"

#define EA_SHA256_BYTES 32

struct ea_sha256 {
	EVP_MD_CTX *ctx;		/* NULL when init failed */
	const char *failed;		/* the first step that failed, NULL while none has */
	ea_status status;		/* that failure's */
	unsigned long ssl_error;	/* OpenSSL's code for it, 0 when none was queued */
};

void ea_sha256_init(struct ea_sha256 *h);
void ea_sha256_update(struct ea_sha256 *h, const void *data, size_t bytes);
/*
 * The digest; on a failure since init, EA_ERR_NO_MEMORY (no context) or
 * EA_ERR_UNSUPPORTED (OpenSSL would not digest: e.g. no provider of SHA-256)
 * with the step and OpenSSL's reason in @err.
 */
ea_status ea_sha256_final(struct ea_sha256 *h, uint8_t digest[EA_SHA256_BYTES],
			  struct ea_error *err);

/* The digest of @bytes at @data in one call; fails as ea_sha256_final() does. */
ea_status ea_sha256(const void *data, size_t bytes, uint8_t digest[EA_SHA256_BYTES],
		    struct ea_error *err);

#endif /* EA_HASH_H */

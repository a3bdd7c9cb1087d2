/* SPDX-License-Identifier: MIT */
/*
 * ea_hash - SHA-256 (FIPS 180-4), written from the standard: the name of a
 * model's weights in the module's shared-buffer table (a 32-byte key) is the
 * digest of their bytes, so equal files share one buffer and different ones
 * never collide in practice.
 */
#ifndef EA_HASH_H
#define EA_HASH_H

#include <stddef.h>
#include <stdint.h>

#define EA_SHA256_BYTES 32

struct ea_sha256 {
	uint32_t state[8];
	uint64_t total;		/* bytes hashed so far */
	uint8_t block[64];	/* a partial block waiting for more bytes */
	uint32_t used;		/* bytes in block */
};

void ea_sha256_init(struct ea_sha256 *h);
void ea_sha256_update(struct ea_sha256 *h, const void *data, size_t bytes);
void ea_sha256_final(struct ea_sha256 *h, uint8_t digest[EA_SHA256_BYTES]);

/* The digest of @bytes at @data in one call. */
void ea_sha256(const void *data, size_t bytes, uint8_t digest[EA_SHA256_BYTES]);

#endif /* EA_HASH_H */

// SPDX-License-Identifier: MIT
/* ea_gguf_hash - the SHA-256 of a GGUF file's tensor data section (ea_gguf.h). */
#include "ea_gguf.h"
#include "ea_hash.h"

_Static_assert(EA_GGUF_DATA_HASH_BYTES == EA_SHA256_BYTES, "the data hash is a SHA-256");

ea_status ea_gguf_data_hash(const struct ea_gguf *g, uint8_t hash[EA_GGUF_DATA_HASH_BYTES],
			    struct ea_error *err)
{
	const struct ea_gguf_tensor *t0 = ea_gguf_n_tensors(g) ? ea_gguf_tensor_at(g, 0) : NULL;
	uint64_t bytes = ea_gguf_file_size(g) - ea_gguf_data_offset(g);

	if (!t0)
		bytes = 0;
	return ea_sha256(t0 ? (const uint8_t *)t0->data - t0->offset : NULL, bytes, hash, err);
}

// SPDX-License-Identifier: MIT
/*
 * ea_gguf_tokenizer_hash - the identity of a model's tokenizer: SHA-256 of
 * the GGUF metadata that defines it (ea_gguf.h), so that two engines can
 * tell whether they turn text into the same token ids.
 */
#include <string.h>

#include "ea_gguf.h"
#include "ea_hash.h"

/* Every key llama.cpp's tokenizers read, in this order; absent ones count
 * as absent. */
static const char *const keys[] = {
	"tokenizer.ggml.model", "tokenizer.ggml.pre", "tokenizer.ggml.tokens",
	"tokenizer.ggml.token_type", "tokenizer.ggml.scores", "tokenizer.ggml.merges",
	"tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id",
	"tokenizer.ggml.unknown_token_id", "tokenizer.ggml.padding_token_id",
	"tokenizer.ggml.add_bos_token", "tokenizer.ggml.add_eos_token",
};

static size_t element_bytes(enum ea_gguf_vtype t)
{
	switch (t) {
	case EA_GGUF_U8: case EA_GGUF_I8: case EA_GGUF_BOOL:
		return 1;
	case EA_GGUF_U16: case EA_GGUF_I16:
		return 2;
	case EA_GGUF_U32: case EA_GGUF_I32: case EA_GGUF_F32:
		return 4;
	case EA_GGUF_U64: case EA_GGUF_I64: case EA_GGUF_F64:
		return 8;
	default:
		return 0;
	}
}

static void hash_u64(struct ea_sha256 *h, uint64_t v)
{
	ea_sha256_update(h, &v, sizeof(v));
}

static void hash_array(struct ea_sha256 *h, const struct ea_gguf_array *a)
{
	hash_u64(h, a->type);
	hash_u64(h, a->n);
	if (a->type == EA_GGUF_STRING) {
		const struct ea_gguf_str *s = a->data;

		for (uint64_t i = 0; i < a->n; i++) {
			hash_u64(h, s[i].len);
			ea_sha256_update(h, s[i].s, s[i].len);
		}
	} else if (a->type == EA_GGUF_ARRAY) {
		const struct ea_gguf_array *inner = a->data;

		for (uint64_t i = 0; i < a->n; i++)
			hash_array(h, &inner[i]);
	} else if (a->n) {
		ea_sha256_update(h, a->data, a->n * element_bytes(a->type));
	}
}

static void hash_value(struct ea_sha256 *h, const struct ea_gguf_value *v)
{
	hash_u64(h, v->type);
	switch (v->type) {
	case EA_GGUF_STRING:
		hash_u64(h, v->str.len);
		ea_sha256_update(h, v->str.s, v->str.len);
		break;
	case EA_GGUF_ARRAY:
		hash_array(h, &v->arr);
		break;
	case EA_GGUF_F32: case EA_GGUF_F64:
		ea_sha256_update(h, &v->f, sizeof(v->f));
		break;
	case EA_GGUF_BOOL:
		hash_u64(h, v->b);
		break;
	case EA_GGUF_I8: case EA_GGUF_I16: case EA_GGUF_I32: case EA_GGUF_I64:
		hash_u64(h, (uint64_t)v->i);
		break;
	default:
		hash_u64(h, v->u);
	}
}

ea_status ea_gguf_tokenizer_hash(const struct ea_gguf *g, uint8_t hash[EA_SHA256_BYTES],
				 struct ea_error *err)
{
	static const char domain[] = "edgeai tokenizer 1";
	struct ea_sha256 h;

	ea_sha256_init(&h);
	ea_sha256_update(&h, domain, sizeof(domain));
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const struct ea_gguf_kv *kv = ea_gguf_find_key(g, keys[i]);

		ea_sha256_update(&h, keys[i], strlen(keys[i]) + 1);
		hash_u64(&h, kv != NULL);
		if (kv)
			hash_value(&h, &kv->value);
	}
	return ea_sha256_final(&h, hash, err);
}

/* SPDX-License-Identifier: MIT */
/*
 * ea_gguf - a validating reader of GGUF files (llama.cpp's model format),
 * versions 2 and 3.
 *
 * A file is: magic "GGUF", u32 version, u64 tensor count, u64 key count, the
 * key/value pairs of metadata, the tensor infos (name, dims, type, offset),
 * padding to general.alignment (default 32), then the tensor data; every
 * number little-endian, every string a u64 length and that many bytes.
 *
 * ea_gguf_open() maps the file and checks all of it before returning: every
 * length and count against the bytes left, every value type, nested arrays,
 * duplicate keys and tensor names, tensor types, dimensions (1 to 4, each > 0,
 * no overflow of their product, rows whole blocks of the type), offsets
 * aligned and data inside the file. A bad file gets EA_ERR_FORMAT and a
 * message naming the field and its byte offset in the file. After a
 * successful open nothing needs checking again: every pointer below is valid
 * until ea_gguf_close().
 *
 * Metadata is copied out of the mapping when the file is opened: strings are
 * NUL-terminated (they may still hold NUL bytes of their own: use len) and
 * numeric arrays are aligned native arrays. Tensor data stays in the mapping.
 *
 * Thread safety: an open struct ea_gguf is read-only; any number of threads
 * may read it at once.
 */
#ifndef EA_GGUF_H
#define EA_GGUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ea_error.h"
#include "ea_quant.h"
#include "edgeai.h"

#define EA_GGUF_MAGIC "GGUF"
#define EA_GGUF_DEFAULT_ALIGNMENT 32
#define EA_GGUF_MAX_DIMS 4

/* The type of a metadata value, with GGUF's numeric ids. */
enum ea_gguf_vtype {
	EA_GGUF_U8 = 0,
	EA_GGUF_I8 = 1,
	EA_GGUF_U16 = 2,
	EA_GGUF_I16 = 3,
	EA_GGUF_U32 = 4,
	EA_GGUF_I32 = 5,
	EA_GGUF_F32 = 6,
	EA_GGUF_BOOL = 7,
	EA_GGUF_STRING = 8,
	EA_GGUF_ARRAY = 9,
	EA_GGUF_U64 = 10,
	EA_GGUF_I64 = 11,
	EA_GGUF_F64 = 12,
};

/* A string of the file, copied and NUL-terminated. */
struct ea_gguf_str {
	const char *s;
	uint64_t len;
};

/*
 * An array of @n elements of type @type. @data points to:
 *  - numeric and bool types: n native values (uint8_t .. double, bool as
 *    uint8_t 0/1), aligned for their type;
 *  - EA_GGUF_STRING: n struct ea_gguf_str;
 *  - EA_GGUF_ARRAY: n struct ea_gguf_array (nested arrays).
 * @data is NULL when n is 0.
 */
struct ea_gguf_array {
	enum ea_gguf_vtype type;
	uint64_t n;
	const void *data;
};

struct ea_gguf_value {
	enum ea_gguf_vtype type;
	union {
		uint64_t u;	/* U8, U16, U32, U64 */
		int64_t i;	/* I8, I16, I32, I64 */
		double f;	/* F32, F64 (F32 widened exactly) */
		bool b;		/* BOOL */
		struct ea_gguf_str str;
		struct ea_gguf_array arr;
	};
};

struct ea_gguf_kv {
	struct ea_gguf_str key;
	struct ea_gguf_value value;
	uint64_t offset;	/* of the key in the file */
};

struct ea_gguf_tensor {
	const char *name;
	enum ea_type type;
	uint32_t n_dims;			/* 1 .. 4 */
	uint64_t ne[EA_GGUF_MAX_DIMS];		/* ne[0]: values per row (innermost); unused dims 1 */
	uint64_t n_values;			/* product of ne */
	uint64_t offset;			/* of the data, from the start of the data section */
	const void *data;			/* in the mapping */
	size_t nbytes;
};

struct ea_gguf;

/*
 * Open and validate the GGUF file at @path (mapped read-only). On success
 * *@out holds it (free with ea_gguf_close()). On failure *@out is NULL, the
 * status is EA_ERR_IO (cannot open/map), EA_ERR_FORMAT (malformed),
 * EA_ERR_UNSUPPORTED (e.g. version 1, a tensor type edgeai lacks) or
 * EA_ERR_NO_MEMORY, and @err holds a message, e.g.
 * "tensor 3 ('blk.0.attn_q.weight'): ne[1] = 0 at offset 1234".
 */
ea_status ea_gguf_open(const char *path, struct ea_gguf **out, struct ea_error *err);

/* The same over @size bytes at @data, which must stay valid and unchanged
 * until ea_gguf_close() (tensor data points into it). */
ea_status ea_gguf_open_memory(const void *data, size_t size, struct ea_gguf **out,
				     struct ea_error *err);

/* Unmap and free. NULL is a no-op. */
void ea_gguf_close(struct ea_gguf *g);

uint32_t ea_gguf_version(const struct ea_gguf *g);
uint32_t ea_gguf_alignment(const struct ea_gguf *g);
/* Where the data section starts in the file, and the file's size. */
uint64_t ea_gguf_data_offset(const struct ea_gguf *g);
uint64_t ea_gguf_file_size(const struct ea_gguf *g);

/* "u8" .. "f64", "string", "array", "bool"; "?" if unknown. */
const char *ea_gguf_vtype_name(enum ea_gguf_vtype type);

/* Metadata: in file order, or by key (NULL when absent). */
uint64_t ea_gguf_n_keys(const struct ea_gguf *g);
const struct ea_gguf_kv *ea_gguf_key_at(const struct ea_gguf *g, uint64_t i);
const struct ea_gguf_kv *ea_gguf_find_key(const struct ea_gguf *g, const char *key);

/*
 * Typed getters. Each returns EA_OK, EA_ERR_NOT_FOUND when the key is absent,
 * or EA_ERR_FORMAT when its value has another type or does not fit the result
 * (never clamped). Integer getters accept any integer type whose value fits;
 * ea_gguf_get_f32 accepts F32 and F64. On failure *out is unchanged, so a
 * default can be stored there first for an optional key.
 */
ea_status ea_gguf_get_u32(const struct ea_gguf *g, const char *key, uint32_t *out);
ea_status ea_gguf_get_i32(const struct ea_gguf *g, const char *key, int32_t *out);
ea_status ea_gguf_get_u64(const struct ea_gguf *g, const char *key, uint64_t *out);
ea_status ea_gguf_get_f32(const struct ea_gguf *g, const char *key, float *out);
ea_status ea_gguf_get_bool(const struct ea_gguf *g, const char *key, bool *out);
/* The NUL-terminated string (its length by ea_gguf_find_key() if it may hold NULs). */
ea_status ea_gguf_get_str(const struct ea_gguf *g, const char *key, const char **out);

/* Arrays: *items points to the *n elements; EA_ERR_FORMAT if the value is not
 * an array of exactly that element type (the data is the file's, unconverted). */
ea_status ea_gguf_get_arr_str(const struct ea_gguf *g, const char *key,
				     const struct ea_gguf_str **items, uint64_t *n);
ea_status ea_gguf_get_arr_i32(const struct ea_gguf *g, const char *key,
				     const int32_t **items, uint64_t *n);
ea_status ea_gguf_get_arr_f32(const struct ea_gguf *g, const char *key,
				     const float **items, uint64_t *n);

/* Tensors: in file order, or by name (NULL when absent). */
uint64_t ea_gguf_n_tensors(const struct ea_gguf *g);
const struct ea_gguf_tensor *ea_gguf_tensor_at(const struct ea_gguf *g, uint64_t i);
const struct ea_gguf_tensor *ea_gguf_find_tensor(const struct ea_gguf *g,
							 const char *name);

/*
 * SHA-256 of the tensor data section (from ea_gguf_data_offset() to the end
 * of the file): the identity of a model's weights, whatever its metadata
 * (ea_gguf_hash.c). A file without tensors hashes no bytes. Fails only as
 * ea_sha256() does (OpenSSL's failure, in @err).
 */
#define EA_GGUF_DATA_HASH_BYTES 32
ea_status ea_gguf_data_hash(const struct ea_gguf *g,
			    uint8_t hash[EA_GGUF_DATA_HASH_BYTES], struct ea_error *err);

/*
 * The identity of the model's tokenizer: SHA-256 of the tokenizer.ggml.*
 * metadata llama.cpp's tokenizers read (model, pre, tokens, types, scores,
 * merges, special ids and flags; ea_gguf_tokenizer_hash.c), whatever the
 * rest of the file: two files with the same hash turn text into the same
 * ids. Fails only as ea_sha256() does.
 */
ea_status ea_gguf_tokenizer_hash(const struct ea_gguf *g, uint8_t hash[32], struct ea_error *err);

#endif /* EA_GGUF_H */

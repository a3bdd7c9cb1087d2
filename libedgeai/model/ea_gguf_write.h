/* SPDX-License-Identifier: MIT */
/*
 * ea_gguf_write - write a GGUF v3 file, streaming the tensor data.
 *
 * Declare every metadata key and every tensor first (their sizes fix the
 * layout), then give each tensor's data in declaration order, in as many
 * pieces as suits (e.g. one row at a time), and finish. Only the header is
 * held in memory, so a multi-gigabyte file costs no more memory than its
 * largest piece. general.alignment is written as a key.
 */
#ifndef EA_GGUF_WRITE_H
#define EA_GGUF_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ea_error.h"
#include "ea_quant.h"
#include "edgeai.h"

struct ea_gguf_writer;

/* Create @path (truncating it). @alignment: a power of two, 0 for 32. */
ea_status ea_gguf_writer_open(const char *path, uint32_t alignment,
				     struct ea_gguf_writer **out, struct ea_error *err);

/* Metadata, in the order given. Keys must be unique. */
ea_status ea_gguf_writer_u32(struct ea_gguf_writer *w, const char *key, uint32_t v);
ea_status ea_gguf_writer_i32(struct ea_gguf_writer *w, const char *key, int32_t v);
ea_status ea_gguf_writer_f32(struct ea_gguf_writer *w, const char *key, float v);
ea_status ea_gguf_writer_bool(struct ea_gguf_writer *w, const char *key, bool v);
ea_status ea_gguf_writer_str(struct ea_gguf_writer *w, const char *key, const char *v);
/* Arrays: strings of lengths lens[i] (NULL: each NUL-terminated), i32, f32. */
ea_status ea_gguf_writer_arr_str(struct ea_gguf_writer *w, const char *key,
					const char *const *v, const size_t *lens, size_t n);
ea_status ea_gguf_writer_arr_i32(struct ea_gguf_writer *w, const char *key,
					const int32_t *v, size_t n);
ea_status ea_gguf_writer_arr_f32(struct ea_gguf_writer *w, const char *key,
					const float *v, size_t n);

/* Declare a tensor of @n_dims (1..4) dims @ne (ne[0] innermost) and @type. */
ea_status ea_gguf_writer_tensor(struct ea_gguf_writer *w, const char *name,
				       enum ea_type type, uint32_t n_dims, const uint64_t *ne);

/* Data of the declared tensors, in order: the first call writes the header;
 * a piece may end a tensor and never crosses into the next one. */
ea_status ea_gguf_writer_data(struct ea_gguf_writer *w, const void *bytes, size_t n);

/* Bytes of the whole file once finished (known after the last declaration). */
uint64_t ea_gguf_writer_total_bytes(const struct ea_gguf_writer *w);

/* Check every tensor got all its data, flush and close. Frees @w whatever happens.
 * On failure the partial file is removed and @err says why. */
ea_status ea_gguf_writer_finish(struct ea_gguf_writer *w, struct ea_error *err);

/* Give up: close and remove the file. NULL is a no-op. */
void ea_gguf_writer_abort(struct ea_gguf_writer *w);

/* The message of the writer's last failure (of any call but open and finish). */
const char *ea_gguf_writer_error(const struct ea_gguf_writer *w);

#endif /* EA_GGUF_WRITE_H */

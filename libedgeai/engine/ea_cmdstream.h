/* SPDX-License-Identifier: MIT */
/*
 * ea_cmdstream - a model's decode step, and its prompt program, as lists of
 * ops over numbered buffers: the ABI between the client that builds it and
 * the executor that runs it (in this process now, through the kernel module
 * later).
 *
 * A stream is one contiguous block of little-endian, fixed-size records with
 * no pointers, so it can be copied, stored or passed through an ioctl as is:
 *
 *   struct ea_cs_header                header_bytes
 *   struct ea_cs_buffer   [n_buffers]  the buffers the ops name, by index
 *   struct ea_cs_upload   [n_uploads]  what to copy into weight buffers, once
 *   struct ea_cs_op       [n_ops]      the decode step's ops, in order
 *   struct ea_cs_op       [n_prompt_ops]  the prompt program's ops, in order
 *   struct ea_cs_op       [n_score_ops]   the score program's ops, in order
 *
 * Three programs share the buffers: the decode step (one token) and the
 * prompt program (up to prompt_tokens tokens at once: matmuls and causal
 * attention over the batch; none when prompt_tokens is 0) end with the logits
 * of their last real token and its argmax. The score program (perplexity) is
 * the prompt program's layers followed by the logits of score_rows rows from
 * step.score_row on and the negative log-likelihood of the token after each
 * (the output's nll span: score_rows floats, 0 past the run's tokens); the
 * host sums them, so a window of text is one run and a few floats back.
 *
 * Buffers: weights (filled once from the model file's tensor data by the
 * uploads), a KV cache per layer (keys, then values), activations, the
 * per-step parameter block and the output (logits and the argmax id). Every
 * offset is a multiple of EA_CS_ALIGN, the largest alignment Vulkan lets a
 * device ask of storage buffer offsets, so any device can bind any span.
 *
 * The per-step parameter block (EA_CS_BUF_STEP): struct ea_cs_step at offset
 * 0 (the position and the number of real tokens, read by rope, the KV store,
 * attention and last_row) and the token ids, uint32s, at offset EA_CS_ALIGN
 * (read by the embedding: one for a decode step, up to prompt_tokens for a
 * prompt run). Replaying a program means writing these and running the same
 * ops again. A prompt run of n < prompt_tokens tokens computes all
 * prompt_tokens rows (the ids past n are stale but valid) and stores and
 * attends to only the first n.
 *
 * Versions: 1 had one program and MATVEC without flags; 2 added the prompt
 * program, step.n_tokens, fused ops (MATVEC flags, ROPE_STORE) and MATMUL,
 * LAST_ROW, and let uploads start at any byte of a weight buffer (so that
 * q/k/v and gate/up are each one matrix); 3 adds the score program,
 * step.score_row, SCORE_ROWS and TOKEN_NLL, and the header's score fields; 4
 * (this) MATVEC's scratch for x quantized to int8 (ref 4).
 *
 * Built once per session from an ea_model; the executor (ea_vk_exec.h) checks
 * it with ea_cs_validate() before trusting any index, offset or size.
 */
#ifndef EA_CMDSTREAM_H
#define EA_CMDSTREAM_H

#include <stddef.h>
#include <stdint.h>

#include "ea_error.h"
#include "ea_model.h"

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "command streams are little-endian records written natively");

#define EA_CS_MAGIC	0x53434145u	/* "EACS" */
#define EA_CS_VERSION	4u
#define EA_CS_ALIGN	256u		/* of every buffer offset and size */
#define EA_CS_MAX_REFS	6		/* buffer spans one op binds */
#define EA_CS_MAX_ARGS	8		/* scalar arguments of one op */

enum ea_cs_buffer_kind {
	EA_CS_BUF_WEIGHTS = 1,	/* read-only, filled by the uploads */
	EA_CS_BUF_KV = 2,	/* a layer's KV cache: device memory, kept across steps */
	EA_CS_BUF_ACT = 3,	/* activations: scratch within a step */
	EA_CS_BUF_STEP = 4,	/* the per-step parameter block, written by the host */
	EA_CS_BUF_OUTPUT = 5,	/* logits and argmax, read by the host */
};

/* A span of a buffer: bytes at offset of buffer number `buffer`. */
struct ea_cs_ref {
	uint32_t buffer;
	uint32_t reserved;	/* zero */
	uint64_t offset;	/* a multiple of EA_CS_ALIGN */
	uint64_t bytes;
};

struct ea_cs_buffer {
	uint32_t kind;		/* enum ea_cs_buffer_kind */
	uint32_t reserved;	/* zero */
	uint64_t bytes;		/* a multiple of EA_CS_ALIGN */
};

/* Copy @bytes from the model file's tensor data section at @src_offset into
 * buffer @buffer at @offset. */
struct ea_cs_upload {
	uint32_t buffer;
	uint32_t reserved;	/* zero */
	uint64_t offset;
	uint64_t src_offset;
	uint64_t bytes;
};

/*
 * The ops, with the spans (ref[]) and scalar arguments (arg[]) each takes;
 * each is the ea_vk_op_* (ea_vk_ops.h) of the same name, whose comment says
 * what it computes. Floats in arg[] are their IEEE-754 bits.
 */
enum ea_cs_opcode {
	EA_CS_EMBED = 1,	/* ref table, ids, out; arg cols, n_tokens; type: the table's */
	EA_CS_MATVEC = 2,	/* ref w, x, y, norm (with EA_CS_MV_NORM), xq (optional: all
				 * zero for none); arg rows, cols, flags (EA_CS_MV_*), eps (f32);
				 * type: w's. xq: scratch an executor may quantize x into (an
				 * int8 matvec, ea_vk_op_matvec_ex()): an EA_CS_ALIGN-rounded
				 * cols bytes, then cols / 2 + 8 */
	EA_CS_RMSNORM = 3,	/* ref x, weight, out; arg n, n_rows, eps (f32) */
	EA_CS_ROPE = 4,		/* ref x, step; arg n_heads, head_dim, n_tokens, freq_base (f32),
				 * mode (enum ea_rope_mode) */
	EA_CS_SWIGLU = 5,	/* ref gate, up, out; arg n, n_rows: with n_rows non-zero, gate
				 * holds n_rows rows of [gate | up] (ea_vk_op_swiglu_rows) */
	EA_CS_ADD = 6,		/* ref a, b, out; arg n, n_b */
	EA_CS_STORE_ROWS = 7,	/* ref src, cache, step; arg n, n_tokens, cache_rows */
	EA_CS_ATTENTION = 8,	/* ref q, k_cache, v_cache, partial, out, step;
				 * arg n_heads, n_kv_heads, head_dim, n_tokens, n_ctx */
	EA_CS_ARGMAX = 9,	/* ref x, out; arg n */
	EA_CS_ROPE_STORE = 10,	/* ref qkv, q_out, k_cache, v_cache, step; arg n_heads, n_kv_heads,
				 * head_dim, n_tokens, freq_base (f32), mode, cache_rows */
	EA_CS_MATMUL = 11,	/* ref w, x, y; arg rows, cols, n_tokens; type: w's */
	EA_CS_LAST_ROW = 12,	/* ref src, out, step; arg n, n_rows */
	EA_CS_SCORE_ROWS = 13,	/* ref src, out, step; arg n, n_rows, n_out */
	EA_CS_TOKEN_NLL = 14,	/* ref logits, ids, nll, step; arg n_vocab, n_rows, n_tokens */
};

/* EA_CS_MATVEC's flags (the EA_VK_MV_* of ea_vk_ops.h). */
#define EA_CS_MV_NORM	1u	/* RMSNorm x with ref[3] and eps first */
#define EA_CS_MV_ACC	2u	/* y += W x */
#define EA_CS_MV_SWIGLU	4u	/* W holds 2 x rows rows, gate then up: y = silu(gate x) * up x */

struct ea_cs_op {
	uint32_t opcode;	/* enum ea_cs_opcode */
	uint32_t type;		/* enum ea_type of the weights, for embed and matvec; else 0 */
	uint32_t arg[EA_CS_MAX_ARGS];
	struct ea_cs_ref ref[EA_CS_MAX_REFS];	/* unused ones zero */
};

/* The per-step parameter block's first record (the layout of struct ea_vk_step). */
struct ea_cs_step {
	uint32_t pos;		/* position of the first token */
	uint32_t n_tokens;	/* real tokens of this run: 1 for a decode step */
	uint32_t score_row;	/* the score program's first row; else zero */
	uint32_t reserved;	/* zero */
};

struct ea_cs_header {
	uint32_t magic;		/* EA_CS_MAGIC */
	uint32_t version;	/* EA_CS_VERSION */
	uint32_t header_bytes;	/* sizeof(struct ea_cs_header): where the buffers start */
	uint32_t reserved;	/* zero */
	uint64_t total_bytes;	/* of the whole stream */
	uint32_t n_buffers, n_uploads, n_ops;	/* n_ops: the decode step's */
	uint32_t n_vocab;	/* logits per step */
	uint32_t n_ctx;		/* positions the KV caches hold: pos < n_ctx */
	uint32_t n_prompt_ops;	/* the prompt program's, after the decode step's */
	uint32_t prompt_tokens;	/* tokens one prompt run takes at most; 0: no prompt program */
	uint32_t reserved2;	/* zero */
	struct ea_cs_ref step;	/* the struct ea_cs_step of the parameter block */
	struct ea_cs_ref token;	/* the token ids (max(1, prompt_tokens) uint32s) */
	struct ea_cs_ref logits;	/* n_vocab floats */
	struct ea_cs_ref argmax;	/* one uint32: the index of the largest logit */
	uint32_t n_score_ops;	/* the score program's, after the prompt program's */
	uint32_t score_rows;	/* rows it scores at most; 0: no score program */
	struct ea_cs_ref nll;	/* score_rows floats (a zero span without the program) */
};

static inline const struct ea_cs_buffer *ea_cs_buffers(const struct ea_cs_header *h)
{
	return (const struct ea_cs_buffer *)((const uint8_t *)h + h->header_bytes);
}

static inline const struct ea_cs_upload *ea_cs_uploads(const struct ea_cs_header *h)
{
	return (const struct ea_cs_upload *)(ea_cs_buffers(h) + h->n_buffers);
}

static inline const struct ea_cs_op *ea_cs_ops(const struct ea_cs_header *h)
{
	return (const struct ea_cs_op *)(ea_cs_uploads(h) + h->n_uploads);
}

/* The prompt program's n_prompt_ops ops. */
static inline const struct ea_cs_op *ea_cs_prompt_ops(const struct ea_cs_header *h)
{
	return ea_cs_ops(h) + h->n_ops;
}

/* The score program's n_score_ops ops. */
static inline const struct ea_cs_op *ea_cs_score_ops(const struct ea_cs_header *h)
{
	return ea_cs_prompt_ops(h) + h->n_prompt_ops;
}

/*
 * Changed buffers, for an executor that keeps its own copy of a buffer (a
 * discrete GPU's device memory; kmod mode, ea_kmod_job.h): with each run the
 * client passes a mask of EA_CS_DIRTY_WORDS words in which bit i (word i / 64,
 * bit i % 64) says that the host changed buffer i since the previous run, so
 * the copy must be refreshed before the run. The client sets the step
 * buffer's bit on every run that wrote the step block, and a weight buffer's
 * on the first run after filling it. Buffers the host never writes (KV
 * caches, activations) may live only in the executor's copy. Output buffers
 * are the other way round: the executor writes them back after every run.
 * Streams of more than EA_CS_MAX_BUFFERS buffers cannot say which changed.
 */
#define EA_CS_MAX_BUFFERS	256u
#define EA_CS_DIRTY_WORDS	(EA_CS_MAX_BUFFERS / 64)

static inline void ea_cs_mark_dirty(uint64_t *mask, uint32_t buffer)
{
	mask[buffer / 64] |= 1ull << (buffer % 64);
}

static inline int ea_cs_is_dirty(const uint64_t *mask, uint32_t buffer)
{
	return (mask[buffer / 64] >> (buffer % 64)) & 1;
}

/* Tokens a prompt run takes at most, when the model's context allows. */
#define EA_CS_PROMPT_TOKENS 512u

/*
 * The decode step of @m (one token at the position in the step block), its
 * prompt program (min(EA_CS_PROMPT_TOKENS, n_ctx) tokens a run) and its score
 * program (half as many rows, the second half of a window) as a stream
 * in one malloc'd block (free() it). Fails with EA_ERR_NO_MEMORY, or
 * EA_ERR_UNSUPPORTED when a size does not fit the stream's 32-bit fields.
 */
ea_status ea_cs_build(const struct ea_model *m, struct ea_cs_header **out, struct ea_error *err);

/*
 * Check @bytes of @data as a stream: magic, version, sizes and counts adding
 * up to total_bytes == @bytes, known buffer kinds and opcodes, every reference
 * naming a buffer and lying inside it at an aligned offset, every upload
 * inside its weight buffer (at any byte) and inside the @src_bytes of tensor
 * data it reads.
 * The ops' own shapes are checked by the executor's kernels.
 */
ea_status ea_cs_validate(const void *data, size_t bytes, uint64_t src_bytes,
			 struct ea_error *err);

/* The name of an opcode ("matvec"), or "?" for an unknown one. */
const char *ea_cs_opcode_name(uint32_t opcode);

#endif /* EA_CMDSTREAM_H */

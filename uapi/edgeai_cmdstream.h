/* SPDX-License-Identifier: MIT */
/*
 * edgeai command streams: a model's programs as lists of ops over numbered
 * buffers, the ABI between the client that builds them (libedgeai's engine)
 * and the executor that runs them (libedgeai's exec layer, in the client's
 * process in direct mode or in edgeaid behind the module in kmod mode).
 */

#ifndef __UAPI_EDGEAI_CMDSTREAM_H__
#define __UAPI_EDGEAI_CMDSTREAM_H__

#include <linux/types.h>

#if defined(__cplusplus)
extern "C" {
#endif

/**
 * DOC: layout and version
 *
 * A stream is one contiguous block of little-endian, fixed-size records
 * with no pointers, so it can be copied, stored or passed through a buffer
 * object as it is:
 *
 *   struct ea_cs_header                   header_bytes
 *   struct ea_cs_buffer [n_buffers]       the buffers the ops name, by index
 *   struct ea_cs_upload [n_uploads]       what to copy into weight buffers, once
 *   struct ea_cs_op     [n_ops]           the decode step's ops, in order
 *   struct ea_cs_op     [n_prompt_ops]    the prompt program's, in order
 *   struct ea_cs_op     [n_score_ops]     the score program's, in order
 *
 * The stream carries one version, %EA_CS_VERSION; an executor runs only
 * the version it was built for and refuses any other with a message.
 * Versions: 1 had one program and MATVEC without flags; 2 added the prompt
 * program, step.n_tokens, fused ops (MATVEC flags, ROPE_STORE), MATMUL and
 * LAST_ROW, and uploads at any byte of a weight buffer; 3 the score
 * program, step.score_row, SCORE_ROWS, TOKEN_NLL and the header's score
 * fields; 4 MATVEC's scratch for x quantized to int8 (ref 4); 5 (this)
 * SOFTMAX, and the header moved here from the library.
 */
#define EA_CS_MAGIC		0x53434145u	/* "EACS" */
#define EA_CS_VERSION		5u

/**
 * DOC: programs
 *
 * Three programs share the buffers. The decode step runs one token at the
 * position in the step block; the prompt program runs up to prompt_tokens
 * tokens at once (matmuls, causal attention over the batch; absent when
 * prompt_tokens is 0). Both end with the logits of their last real token
 * and its argmax in the output buffer. The score program is the prompt
 * program's layers followed by the logits of score_rows rows from
 * step.score_row on and the negative log-likelihood of the token after
 * each (the header's nll span: score_rows floats, 0 past the run's tokens),
 * so a window of text is scored by one run and a few floats come back.
 *
 * Replaying a program means writing the step block and the token ids and
 * running the same ops again. A prompt run of n < prompt_tokens tokens
 * computes all prompt_tokens rows (the ids past n are stale but valid) and
 * stores and attends to only the first n.
 */

/*
 * Every buffer offset and size is a multiple of EA_CS_ALIGN: the largest
 * alignment Vulkan lets a device ask of storage buffer offsets.
 */
#define EA_CS_ALIGN		256u
#define EA_CS_MAX_REFS		6	/* buffer spans one op binds */
#define EA_CS_MAX_ARGS		8	/* scalar arguments of one op */

/**
 * enum ea_cs_buffer_kind - what a buffer holds, which says where an
 * executor keeps it and who writes it.
 *
 * @EA_CS_BUF_WEIGHTS: read-only, filled once by the uploads.
 * @EA_CS_BUF_KV: a layer's KV cache, kept across runs, written by kernels.
 * @EA_CS_BUF_ACT: activations, scratch within a run.
 * @EA_CS_BUF_STEP: the per-step parameter block, written by the host.
 * @EA_CS_BUF_OUTPUT: logits, argmax and nll, read by the host.
 */
enum ea_cs_buffer_kind {
	EA_CS_BUF_WEIGHTS = 1,
	EA_CS_BUF_KV = 2,
	EA_CS_BUF_ACT = 3,
	EA_CS_BUF_STEP = 4,
	EA_CS_BUF_OUTPUT = 5,
};

/**
 * struct ea_cs_ref - a span of a buffer.
 *
 * @buffer: the buffer's index in the stream's buffer table.
 * @reserved: must be zero.
 * @offset: bytes from the buffer's start, a multiple of %EA_CS_ALIGN.
 * @bytes: the span's length; an optional span left out is all zero.
 */
struct ea_cs_ref {
	__u32 buffer;
	__u32 reserved;
	__u64 offset;
	__u64 bytes;
};

/**
 * struct ea_cs_buffer - one buffer of the stream.
 *
 * @kind: an &enum ea_cs_buffer_kind.
 * @reserved: must be zero.
 * @bytes: its size, a non-zero multiple of %EA_CS_ALIGN.
 */
struct ea_cs_buffer {
	__u32 kind;
	__u32 reserved;
	__u64 bytes;
};

/**
 * struct ea_cs_upload - bytes of the model file copied into a weight
 * buffer before the first run.
 *
 * @buffer: the weight buffer's index.
 * @reserved: must be zero.
 * @offset: where in the buffer (any byte; several tensors may share a span).
 * @src_offset: where in the model file's tensor data section.
 * @bytes: how many bytes.
 */
struct ea_cs_upload {
	__u32 buffer;
	__u32 reserved;
	__u64 offset;
	__u64 src_offset;
	__u64 bytes;
};

/**
 * enum ea_cs_opcode - the ops. Which spans (ref[]) and scalar arguments
 * (arg[]) each takes, which spans it writes, its kernels and its dispatch
 * are described once, in libedgeai's op table (libedgeai/exec/ea_op_table.c);
 * the comments here name them in order. Floats in arg[] are their IEEE-754
 * bits.
 *
 * @EA_CS_EMBED: ref table, ids, out; arg cols, n_tokens; type: the table's.
 * @EA_CS_MATVEC: ref w, x, y, norm (with %EA_CS_MV_NORM), xq (optional: a
 *	scratch span an executor may quantize x into for an int8 matvec: cols
 *	rounded up to %EA_CS_ALIGN bytes, then cols / 2 + 8); arg rows, cols,
 *	flags (EA_CS_MV_*), eps; type: w's.
 * @EA_CS_RMSNORM: ref x, weight, out; arg n, n_rows, eps.
 * @EA_CS_ROPE: ref x, step; arg n_heads, head_dim, n_tokens, freq_base, mode.
 * @EA_CS_SWIGLU: ref gate, up, out; arg n, n_rows: with n_rows non-zero,
 *	gate holds n_rows rows of [gate | up].
 * @EA_CS_ADD: ref a, b, out; arg n, n_b (b repeats every n_b values).
 * @EA_CS_STORE_ROWS: ref src, cache, step; arg n, n_tokens, cache_rows.
 * @EA_CS_ATTENTION: ref q, k_cache, v_cache, partial, out, step;
 *	arg n_heads, n_kv_heads, head_dim, n_tokens, n_ctx.
 * @EA_CS_ARGMAX: ref x, out; arg n.
 * @EA_CS_ROPE_STORE: ref qkv, q_out, k_cache, v_cache, step; arg n_heads,
 *	n_kv_heads, head_dim, n_tokens, freq_base, mode, cache_rows.
 * @EA_CS_MATMUL: ref w, x, y; arg rows, cols, n_tokens, out_stride (values
 *	from one token's rows of y to the next's, at least rows; 0: rows, y
 *	packed); type: w's. With a stride, y is one part of a wider row (q, k
 *	or v of a fused q|k|v layout when their matrices differ in type).
 * @EA_CS_LAST_ROW: ref src, out, step; arg n, n_rows.
 * @EA_CS_SCORE_ROWS: ref src, out, step; arg n, n_rows, n_out.
 * @EA_CS_TOKEN_NLL: ref logits, ids, nll, step; arg n_vocab, n_rows, n_tokens.
 * @EA_CS_SOFTMAX: ref x, out; arg n, n_rows.
 * @EA_CS_OPCODE_COUNT: one past the last opcode.
 */
enum ea_cs_opcode {
	EA_CS_EMBED = 1,
	EA_CS_MATVEC = 2,
	EA_CS_RMSNORM = 3,
	EA_CS_ROPE = 4,
	EA_CS_SWIGLU = 5,
	EA_CS_ADD = 6,
	EA_CS_STORE_ROWS = 7,
	EA_CS_ATTENTION = 8,
	EA_CS_ARGMAX = 9,
	EA_CS_ROPE_STORE = 10,
	EA_CS_MATMUL = 11,
	EA_CS_LAST_ROW = 12,
	EA_CS_SCORE_ROWS = 13,
	EA_CS_TOKEN_NLL = 14,
	EA_CS_SOFTMAX = 15,
	EA_CS_OPCODE_COUNT
};

/* EA_CS_MATVEC's flags. */
#define EA_CS_MV_NORM		1u	/* RMSNorm x with ref[3] and eps first */
#define EA_CS_MV_ACC		2u	/* y += W x */
#define EA_CS_MV_SWIGLU		4u	/* W: gate rows, then as many up rows */

/**
 * struct ea_cs_op - one op of a program.
 *
 * @opcode: an &enum ea_cs_opcode.
 * @type: the weights' tensor type (libedgeai's enum ea_type, GGUF's
 *	numbering) for EMBED, MATVEC and MATMUL; else zero.
 * @arg: scalar arguments, unused ones zero.
 * @ref: spans, unused ones zero.
 */
struct ea_cs_op {
	__u32 opcode;
	__u32 type;
	__u32 arg[EA_CS_MAX_ARGS];
	struct ea_cs_ref ref[EA_CS_MAX_REFS];
};

/**
 * struct ea_cs_step - the per-step parameter block's first record, at the
 * header's step span; the token ids (uint32s) follow at its token span.
 *
 * @pos: the position of the run's first token.
 * @n_tokens: the run's real tokens: 1 for a decode step.
 * @score_row: the score program's first row; else zero.
 * @reserved: must be zero.
 */
struct ea_cs_step {
	__u32 pos;
	__u32 n_tokens;
	__u32 score_row;
	__u32 reserved;
};

/**
 * struct ea_cs_header - the stream's first record.
 *
 * @magic: %EA_CS_MAGIC.
 * @version: %EA_CS_VERSION.
 * @header_bytes: sizeof(struct ea_cs_header): where the buffer table starts.
 * @reserved: must be zero.
 * @total_bytes: of the whole stream.
 * @n_buffers: entries of the buffer table.
 * @n_uploads: entries of the upload table.
 * @n_ops: the decode step's ops.
 * @n_vocab: logits per run.
 * @n_ctx: positions the KV caches hold: every pos < n_ctx.
 * @n_prompt_ops: the prompt program's ops, after the decode step's.
 * @prompt_tokens: tokens one prompt run takes at most; 0: no prompt program.
 * @reserved2: must be zero.
 * @step: the &struct ea_cs_step in a %EA_CS_BUF_STEP buffer.
 * @token: the token ids, max(1, prompt_tokens) uint32s, in the same buffer.
 * @logits: n_vocab floats in a %EA_CS_BUF_OUTPUT buffer.
 * @argmax: one uint32, the index of the largest logit, in the output.
 * @n_score_ops: the score program's ops, after the prompt program's.
 * @score_rows: rows the score program scores at most; 0: no score program.
 * @nll: score_rows floats in the output (all zero without the program).
 */
struct ea_cs_header {
	__u32 magic;
	__u32 version;
	__u32 header_bytes;
	__u32 reserved;
	__u64 total_bytes;
	__u32 n_buffers;
	__u32 n_uploads;
	__u32 n_ops;
	__u32 n_vocab;
	__u32 n_ctx;
	__u32 n_prompt_ops;
	__u32 prompt_tokens;
	__u32 reserved2;
	struct ea_cs_ref step;
	struct ea_cs_ref token;
	struct ea_cs_ref logits;
	struct ea_cs_ref argmax;
	__u32 n_score_ops;
	__u32 score_rows;
	struct ea_cs_ref nll;
};

static inline const struct ea_cs_buffer *
ea_cs_buffers(const struct ea_cs_header *h)
{
	return (const struct ea_cs_buffer *)((const __u8 *)h + h->header_bytes);
}

static inline const struct ea_cs_upload *
ea_cs_uploads(const struct ea_cs_header *h)
{
	return (const struct ea_cs_upload *)(ea_cs_buffers(h) + h->n_buffers);
}

static inline const struct ea_cs_op *ea_cs_ops(const struct ea_cs_header *h)
{
	return (const struct ea_cs_op *)(ea_cs_uploads(h) + h->n_uploads);
}

/* The prompt program's n_prompt_ops ops. */
static inline const struct ea_cs_op *
ea_cs_prompt_ops(const struct ea_cs_header *h)
{
	return ea_cs_ops(h) + h->n_ops;
}

/* The score program's n_score_ops ops. */
static inline const struct ea_cs_op *
ea_cs_score_ops(const struct ea_cs_header *h)
{
	return ea_cs_prompt_ops(h) + h->n_prompt_ops;
}

/**
 * DOC: changed buffers
 *
 * For an executor that keeps its own copy of a buffer (a discrete GPU's
 * device memory; kmod mode, edgeai_job.h): with each run the client passes
 * a mask of %EA_CS_DIRTY_WORDS words in which bit i (word i / 64, bit
 * i % 64) says that the host changed buffer i since the previous run, so
 * the copy must be refreshed before the run. The client sets the step
 * buffer's bit on every run that wrote the step block, and a weight
 * buffer's on the first run after filling it. Buffers the host never
 * writes (KV caches, activations) may live only in the executor's copy.
 * Output buffers are the other way round: the executor writes them back
 * after every run. Streams of more than %EA_CS_MAX_BUFFERS buffers cannot
 * say which changed and are refused.
 */
#define EA_CS_MAX_BUFFERS	256u
#define EA_CS_DIRTY_WORDS	(EA_CS_MAX_BUFFERS / 64)

static inline void ea_cs_mark_dirty(__u64 *mask, __u32 buffer)
{
	mask[buffer / 64] |= 1ull << (buffer % 64);
}

static inline int ea_cs_is_dirty(const __u64 *mask, __u32 buffer)
{
	return (mask[buffer / 64] >> (buffer % 64)) & 1;
}

#if defined(__cplusplus)
}
#endif

#endif /* __UAPI_EDGEAI_CMDSTREAM_H__ */

/* SPDX-License-Identifier: MIT */
/*
 * ea_vk_ops - one function per engine kernel (a shaders/ .comp file) that records it
 * into an ea_vk_rec over ea_vk buffers.
 *
 * Recording is separate from running: a command stream records every op of a
 * forward pass into one recording once, then for each token writes the new
 * position into a per-step buffer (struct ea_vk_step), the token ids into
 * their buffer, and submits the same recording again. Sizes are push
 * constants, fixed when recorded; anything that changes per step is read from
 * a buffer by the kernels.
 *
 * Conventions are those of the CPU reference (ea_ref.h): fp32 activations,
 * row-major; weights as GGUF stores them, `rows` rows of `cols` values each
 * in an ea_type. Every op checks its shapes and the sizes of the spans it
 * binds, and fails with EA_ERR_INVALID_ARGUMENT and a message rather than
 * read or write out of bounds. Buffers of weights must be readable up to a
 * multiple of 4 bytes past the tensor's end (kernels read 32-bit words).
 */
#ifndef EA_VK_OPS_H
#define EA_VK_OPS_H

#include "ea_quant.h"
#include "ea_ref.h"
#include "ea_vk_compute.h"

/* Which build of the kernels with reductions to use. */
enum ea_vk_variant {
	EA_VK_VARIANT_AUTO,	/* subgroup when the device has subgroup arithmetic */
	EA_VK_VARIANT_SUBGROUP,	/* the _sg kernels: subgroup adds, then shared memory */
	EA_VK_VARIANT_SHARED,	/* shared-memory reductions only: runs everywhere */
};

struct ea_vk_ops {
	struct ea_vk *vk;
	bool subgroup;		/* the _sg kernels are used */
	bool int8_dot;		/* Q4_0 / Q8_0 matvecs use the _i8 kernels (int8 x,
				 * packed int8 dot products) where their shape allows */
	bool cpu_shape;		/* the prompt's matmuls use the _cpu kernels, shaped for
				 * a device that runs shaders on the CPU (lavapipe) */
	struct ea_error *err;	/* where failures are described */
};

/* Whether @vk's device has subgroup arithmetic in compute shaders. */
bool ea_vk_has_subgroup_arithmetic(const struct ea_vk *vk);

/* Lanes of the CPU-shaped kernels' workgroup: one subgroup
 * (matmul_cpu_main.glsl, attention_cpu_main.glsl); tokens of one attention
 * workgroup. */
#define EA_VK_CPU_LANES 8
#define EA_VK_CPU_TOKENS 8

/* Whether @vk's device runs the CPU-shaped prompt kernels: subgroups of at
 * least EA_VK_CPU_LANES invocations with ballot and arithmetic in compute. */
bool ea_vk_can_cpu_shape(const struct ea_vk *vk);

/* Whether @vk's device is a CPU (lavapipe). */
bool ea_vk_is_cpu(const struct ea_vk *vk);

/* Whether @vk's device was created with packed int8 dot products in shaders
 * (shaderIntegerDotProduct); *@accelerated (may be NULL): whether its signed
 * 4x8 packed form is accelerated. */
bool ea_vk_has_int8_dot(const struct ea_vk *vk, bool *accelerated);

/* Set up @ops for @vk. Asking for the subgroup variant on a device without
 * subgroup arithmetic fails with EA_ERR_UNSUPPORTED.
 *
 * The int8-dot matvec (ops->int8_dot) is chosen where the device has int8 dot
 * products and reports them accelerated: it quantizes x to int8 per block of
 * 32 (as Q8_0 does) into a scratch span the caller gives, which changes the
 * numerics (an output may move by up to half a quantization step of x times
 * sum |W|; see tests/host/test_kernels.c).
 * EDGEAI_MATVEC=int8 asks for it on any device with the feature,
 * EDGEAI_MATVEC=float never uses it. A caller may also set ops->int8_dot afterwards (only where
 * ea_vk_has_int8_dot()).
 *
 * The CPU-shaped prompt kernels (ops->cpu_shape) are chosen where the device
 * is a CPU (VK_PHYSICAL_DEVICE_TYPE_CPU) and ea_vk_can_cpu_shape();
 * EDGEAI_PROMPT_KERNELS=cpu|gpu overrides, and a caller may set
 * ops->cpu_shape afterwards (only where ea_vk_can_cpu_shape()). */
ea_status ea_vk_ops_init(struct ea_vk_ops *ops, struct ea_vk *vk, enum ea_vk_variant variant,
			 struct ea_error *err);

/* The per-step parameter block the kernels read (rope, attention, KV store). */
struct ea_vk_step {
	uint32_t pos;		/* position of the first token of this step */
	uint32_t n_tokens;	/* tokens of this step that are real (a prompt batch
				 * recorded for more); 0: all the op was recorded for */
	uint32_t score_row;	/* the first row score_rows and token_nll take */
	uint32_t reserved;	/* zero; the block is 16 bytes */
};

/* y[r] = W[r] . x for r < rows (decode). cols: a multiple of the type's block. */
ea_status ea_vk_op_matvec(struct ea_vk_ops *ops, struct ea_vk_rec *rec, enum ea_type type,
			  struct ea_vk_span w, struct ea_vk_span x, struct ea_vk_span y,
			  uint32_t rows, uint32_t cols);

/* What ea_vk_op_matvec_ex() fuses into the matvec (flags). */
#define EA_VK_MV_NORM	1u	/* x := x / sqrt(mean(x^2) + eps) * norm first (RMSNorm) */
#define EA_VK_MV_ACC	2u	/* y += W x (the residual add) instead of y = W x */
#define EA_VK_MV_SWIGLU	4u	/* W has 2 * rows rows, gate then up: y = silu(gate x) * (up x) */

/* ea_vk_op_matvec() with @flags (EA_VK_MV_*); @norm (cols floats) is read
 * with EA_VK_MV_NORM only, @eps likewise. One dispatch; on the int8 path two:
 * where ops->int8_dot and the weights are Q4_0 or Q8_0, and @xq is a span
 * (not { 0 }) of ea_vk_matvec_xq_bytes(cols) bytes of scratch, x is
 * quantized into it first (ea_vk_op_quantize_x()); otherwise the float
 * matvec runs. */
ea_status ea_vk_op_matvec_ex(struct ea_vk_ops *ops, struct ea_vk_rec *rec, enum ea_type type,
			     struct ea_vk_span w, struct ea_vk_span x, struct ea_vk_span y,
			     struct ea_vk_span norm, struct ea_vk_span xq, uint32_t rows,
			     uint32_t cols, uint32_t flags, float eps);

/* Bytes of the int8 x of a matvec of @cols columns (cols / 16 units of 16
 * int8 values, then at the next 256 bytes their scales and one more). */
VkDeviceSize ea_vk_matvec_xq_bytes(uint32_t cols);

/* x (cols values, a multiple of 32; with EA_VK_MV_NORM, RMS-normalized
 * with @norm and @eps first) quantized to int8 per block of 32 as Q8_0 does,
 * into @xq (ea_vk_matvec_xq_bytes(cols) bytes) in the layout the int8 matvec
 * of @type (Q4_0 or Q8_0) reads. One dispatch of one workgroup. */
ea_status ea_vk_op_quantize_x(struct ea_vk_ops *ops, struct ea_vk_rec *rec, enum ea_type type,
			      struct ea_vk_span x, struct ea_vk_span norm, struct ea_vk_span xq,
			      uint32_t cols, uint32_t flags, float eps);

/* Y[t][r] = W[r] . X[t] for t < n_tokens (prompt); X n_tokens x cols, Y n_tokens x rows. */
ea_status ea_vk_op_matmul(struct ea_vk_ops *ops, struct ea_vk_rec *rec, enum ea_type type,
			  struct ea_vk_span w, struct ea_vk_span x, struct ea_vk_span y,
			  uint32_t rows, uint32_t cols, uint32_t n_tokens);

/* out[t] = row ids[t] of @table (cols values a row), dequantized; ids are
 * uint32 in a buffer. The ids are trusted: the caller keeps them < n_vocab. */
ea_status ea_vk_op_embed(struct ea_vk_ops *ops, struct ea_vk_rec *rec, enum ea_type type,
			 struct ea_vk_span table, struct ea_vk_span ids, struct ea_vk_span out,
			 uint32_t cols, uint32_t n_tokens);

/* Each of n_rows rows of n values: out = x / sqrt(mean(x^2) + eps) * weight. */
ea_status ea_vk_op_rmsnorm(struct ea_vk_ops *ops, struct ea_vk_rec *rec, struct ea_vk_span x,
			   struct ea_vk_span weight, struct ea_vk_span out, uint32_t n,
			   uint32_t n_rows, float eps);

/* Softmax of each of n_rows rows of n values; out may be x. */
ea_status ea_vk_op_softmax(struct ea_vk_ops *ops, struct ea_vk_rec *rec, struct ea_vk_span x,
			   struct ea_vk_span out, uint32_t n, uint32_t n_rows);

/* RoPE in place on n_tokens x n_heads x head_dim values; token t is at
 * position step.pos + t. */
ea_status ea_vk_op_rope(struct ea_vk_ops *ops, struct ea_vk_rec *rec, struct ea_vk_span x,
			struct ea_vk_span step, uint32_t n_heads, uint32_t head_dim,
			uint32_t n_tokens, float freq_base, enum ea_rope_mode mode);

/* out[i] = silu(gate[i]) * up[i], i < n; out may be gate. */
ea_status ea_vk_op_swiglu(struct ea_vk_ops *ops, struct ea_vk_rec *rec, struct ea_vk_span gate,
			  struct ea_vk_span up, struct ea_vk_span out, uint32_t n);

/* n_rows rows: out[t][i] = silu(gu[t][i]) * gu[t][n + i], i < n, rows of gu
 * 2n values [gate | up] (a fused gate/up matmul's output). */
ea_status ea_vk_op_swiglu_rows(struct ea_vk_ops *ops, struct ea_vk_rec *rec, struct ea_vk_span gu,
			       struct ea_vk_span out, uint32_t n, uint32_t n_rows);

/* RoPE and the KV store in one dispatch, over n_tokens rows of [q | k | v]
 * (n_heads, n_kv_heads, n_kv_heads heads of head_dim): rotated queries to
 * @q_out (n_tokens x n_heads x head_dim), rotated keys and the values to
 * cache row step.pos + t, t < n_tokens, of caches of @cache_rows rows of
 * n_kv_heads x head_dim. Rows at or past step.n_tokens (when non-zero) or
 * cache_rows are not stored. */
ea_status ea_vk_op_rope_store(struct ea_vk_ops *ops, struct ea_vk_rec *rec, struct ea_vk_span qkv,
			      struct ea_vk_span q_out, struct ea_vk_span k_cache,
			      struct ea_vk_span v_cache, struct ea_vk_span step, uint32_t n_heads,
			      uint32_t n_kv_heads, uint32_t head_dim, uint32_t n_tokens,
			      float freq_base, enum ea_rope_mode mode, uint32_t cache_rows);

/* out (n values) = row step.n_tokens - 1 of @src (n_rows rows of n; the last
 * row when step.n_tokens is 0 or more than n_rows). */
ea_status ea_vk_op_last_row(struct ea_vk_ops *ops, struct ea_vk_rec *rec, struct ea_vk_span src,
			    struct ea_vk_span out, struct ea_vk_span step, uint32_t n,
			    uint32_t n_rows);

/* Rows step.score_row .. step.score_row + n_out - 1 of @src (n_rows rows of
 * n values; the last row past them) to @out (n_out rows). */
ea_status ea_vk_op_score_rows(struct ea_vk_ops *ops, struct ea_vk_rec *rec, struct ea_vk_span src,
			      struct ea_vk_span out, struct ea_vk_span step, uint32_t n,
			      uint32_t n_rows, uint32_t n_out);

/*
 * For each of n_rows rows of @logits (n_vocab values a row; row i those of
 * position t = step.score_row + i): nll[i] = -log softmax(row)[ids[t + 1]],
 * or 0 where t + 1 is not below step.n_tokens (n_tokens when that is 0).
 * @ids holds n_tokens uint32 token ids, trusted to be < n_vocab.
 */
ea_status ea_vk_op_token_nll(struct ea_vk_ops *ops, struct ea_vk_rec *rec, struct ea_vk_span logits,
			     struct ea_vk_span ids, struct ea_vk_span nll, struct ea_vk_span step,
			     uint32_t n_vocab, uint32_t n_rows, uint32_t n_tokens);

/* out[i] = a[i] + b[i % n_b], i < n: n_b = n is the residual add, n_b = the
 * row length adds a bias to every row. out may be a. */
ea_status ea_vk_op_add(struct ea_vk_ops *ops, struct ea_vk_rec *rec, struct ea_vk_span a,
		       struct ea_vk_span b, struct ea_vk_span out, uint32_t n, uint32_t n_b);

/* out (one uint32) = the index of the largest of x[0..n), the first on ties. */
ea_status ea_vk_op_argmax(struct ea_vk_ops *ops, struct ea_vk_rec *rec, struct ea_vk_span x,
			  struct ea_vk_span out, uint32_t n);

/* cache row step.pos + t = src row t, t < n_tokens, rows of n values: writes
 * the new keys or values into a KV cache of @cache_rows rows. The caller keeps
 * step.pos + n_tokens <= cache_rows (the kernel cannot report an error). */
ea_status ea_vk_op_store_rows(struct ea_vk_ops *ops, struct ea_vk_rec *rec, struct ea_vk_span src,
			      struct ea_vk_span cache, struct ea_vk_span step, uint32_t n,
			      uint32_t n_tokens, uint32_t cache_rows);

/* The shape of an attention op. */
struct ea_vk_attention {
	uint32_t n_heads;
	uint32_t n_kv_heads;	/* divides n_heads */
	uint32_t head_dim;	/* even, at most 256 */
	uint32_t n_tokens;	/* 1 for decode, the prompt's length otherwise */
	uint32_t n_ctx;		/* cache rows: the splits cover step.pos + n_tokens <= n_ctx */
};

/* Positions one attention workgroup scores (flash-decoding split). */
#define EA_VK_ATTENTION_SPLIT 128

/* Bytes of the scratch buffer ea_vk_op_attention() needs for @shape. */
VkDeviceSize ea_vk_attention_partial_bytes(const struct ea_vk_attention *shape);

/*
 * Causal grouped-query attention of n_tokens queries (q: n_tokens x n_heads x
 * head_dim) at positions step.pos + t over the KV caches (n_ctx rows of
 * n_kv_heads x head_dim fp32 each), which already hold positions up to
 * step.pos + n_tokens - 1; out like q. Two dispatches: the splits of the
 * context, then their combination, through @partial. Both read the position
 * from @step and skip the splits past it, and the tokens at or past
 * step.n_tokens when that is non-zero. With ops->cpu_shape, a prompt
 * (n_tokens > 1) of head_dim 32 or 64 runs one dispatch of the
 * CPU-shaped kernel instead, which leaves @partial untouched.
 */
ea_status ea_vk_op_attention(struct ea_vk_ops *ops, struct ea_vk_rec *rec,
			     const struct ea_vk_attention *shape, struct ea_vk_span q,
			     struct ea_vk_span k_cache, struct ea_vk_span v_cache,
			     struct ea_vk_span partial, struct ea_vk_span out,
			     struct ea_vk_span step);

#endif /* EA_VK_OPS_H */

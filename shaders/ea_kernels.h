/* SPDX-License-Identifier: MIT */
/*
 * ea_kernels.h - what the kernels (shaders/ *.comp) and the C code that
 * dispatches them (libedgeai/exec/ea_op_table.c) must agree on: each
 * kernel's push constants, field by field, and the workgroup shapes the
 * dispatches count in. Both sides include this one file, so they cannot
 * drift apart.
 *
 * In C it declares every push-constant block as struct ea_push_<name>. In
 * GLSL (glslc defines VULKAN) a shader first defines EA_PUSH_<NAME> for the
 * one block it reads and gets it as the push-constant block `p`.
 */
#ifndef EA_KERNELS_H
#define EA_KERNELS_H

#ifdef VULKAN
#define EA_U32 uint
#define EA_F32 float
#define EA_PUSH(name) layout(push_constant) uniform ea_push_##name
#define EA_PUSH_END p
#else
#include <stdint.h>
#define EA_U32 uint32_t
#define EA_F32 float
#define EA_PUSH(name) struct ea_push_##name
#define EA_PUSH_END
#endif

/* Workgroup shapes. */
#define EA_STREAM_WG		256u	/* stream_read, stream_copy */
#define EA_WG_FLAT		256u	/* one invocation a value: embed, rope, swiglu, add,
					 * store_rows, rope_store, last_row, score_rows */
#define EA_MATVEC_WG		128u	/* matvec_head.glsl */
#define EA_MATVEC_ROWS		8u	/* rows a float matvec workgroup computes */
#define EA_MATVEC_I8_ROWS	2u	/* rows an int8 matvec workgroup computes */
#ifndef EA_MATVEC_I8X_ROWS
#define EA_MATVEC_I8X_ROWS	4u	/* the same, quantizing x itself (_i8x) */
#endif
#define EA_MATVEC_I8X_MAX_COLS	8192u	/* the most x an _i8x workgroup quantizes */
#define EA_MATMUL_TILE		32u	/* matmul_head.glsl: rows x tokens a workgroup */
#ifndef EA_MATMUL_CM_ROWS
#define EA_MATMUL_CM_ROWS	64u	/* matmul_cm_main.glsl: weight rows a workgroup (128: not yet run on a GPU) */
#endif
#define EA_MATMUL_CM_TOKENS	64u	/* matmul_cm_main.glsl: tokens a workgroup */
#define EA_CPU_LANES		8u	/* the CPU-shaped kernels: one subgroup a workgroup */
#define EA_MATMUL_CPU_ROWS	4u	/* rows a lane of matmul_*_cpu computes */
#define EA_MATMUL_CPU_TOKENS	32u	/* tokens a matmul_*_cpu workgroup computes */
#define EA_ATTENTION_CPU_TOKENS	8u	/* queries an attention_cpu workgroup takes */
/* Tokens an attention_prompt_d<head_dim> workgroup takes. */
#define EA_ATTENTION_PROMPT_TOKENS(head_dim)	((head_dim) > 64u ? 32u : 64u)
#define EA_ATTENTION_SPLIT	128u	/* positions one attention workgroup scores */
#define EA_MAX_HEAD_DIM		256u	/* attention.comp */
/* The int8 matvec's x (quantize_x_main.glsl): per unit of 16 values an int8
 * uvec4; at the next EA_XQ_ALIGN bytes a vec2 of scales a unit and one more. */
#define EA_XQ_ALIGN		256u
#define EA_XQ_UNIT_BYTES	16u
#define EA_XQ_SCALE_BYTES	8u

/* EA_CS_MATVEC's flags as the kernels read them (edgeai_cmdstream.h). */
#define EA_MV_NORM		1u
#define EA_MV_ACC		2u
#define EA_MV_SWIGLU		4u

#if !defined(VULKAN) || defined(EA_PUSH_MATVEC)	/* matvec_*, matvec_*_i8 */
EA_PUSH(matvec) {
	EA_U32 rows;
	EA_U32 cols;
	EA_U32 flags;		/* EA_MV_* */
	EA_F32 eps;
} EA_PUSH_END;
#endif

#if !defined(VULKAN) || defined(EA_PUSH_QUANTIZE_X)
EA_PUSH(quantize_x) {
	EA_U32 cols;		/* a multiple of 32 */
	EA_U32 flags;		/* EA_MV_NORM or 0 */
	EA_F32 eps;
} EA_PUSH_END;
#endif

#if !defined(VULKAN) || defined(EA_PUSH_MATMUL)	/* matmul_*, matmul_*_cpu */
EA_PUSH(matmul) {
	EA_U32 rows;
	EA_U32 cols;
	EA_U32 n_tokens;
	EA_U32 out_stride;	/* values from one token's rows of Y to the next's (>= rows) */
} EA_PUSH_END;
#endif

#if !defined(VULKAN) || defined(EA_PUSH_EMBED)
EA_PUSH(embed) {
	EA_U32 cols;
	EA_U32 n_tokens;
} EA_PUSH_END;
#endif

#if !defined(VULKAN) || defined(EA_PUSH_RMSNORM)
EA_PUSH(rmsnorm) {
	EA_U32 n;		/* values a row */
	EA_F32 eps;
} EA_PUSH_END;
#endif

#if !defined(VULKAN) || defined(EA_PUSH_SOFTMAX)
EA_PUSH(softmax) {
	EA_U32 n;		/* values a row */
} EA_PUSH_END;
#endif

#if !defined(VULKAN) || defined(EA_PUSH_ROPE)
EA_PUSH(rope) {
	EA_U32 n_heads;
	EA_U32 head_dim;
	EA_U32 n_tokens;
	EA_U32 mode;		/* enum ea_rope_mode */
	EA_F32 freq_base;
} EA_PUSH_END;
#endif

#if !defined(VULKAN) || defined(EA_PUSH_ROPE_STORE)
EA_PUSH(rope_store) {
	EA_U32 n_heads;
	EA_U32 n_kv_heads;
	EA_U32 head_dim;
	EA_U32 n_tokens;
	EA_U32 mode;
	EA_F32 freq_base;
	EA_U32 cache_rows;
} EA_PUSH_END;
#endif

#if !defined(VULKAN) || defined(EA_PUSH_ADD)
EA_PUSH(add) {
	EA_U32 n;
	EA_U32 n_b;		/* b repeats every n_b values */
} EA_PUSH_END;
#endif

#if !defined(VULKAN) || defined(EA_PUSH_LAST_ROW)
EA_PUSH(last_row) {
	EA_U32 n;
	EA_U32 n_rows;
} EA_PUSH_END;
#endif

#if !defined(VULKAN) || defined(EA_PUSH_SWIGLU)
EA_PUSH(swiglu) {
	EA_U32 n;
	EA_U32 n_rows;		/* 0: gate and up apart */
} EA_PUSH_END;
#endif

#if !defined(VULKAN) || defined(EA_PUSH_STORE_ROWS)
EA_PUSH(store_rows) {
	EA_U32 n;
	EA_U32 n_tokens;
} EA_PUSH_END;
#endif

#if !defined(VULKAN) || defined(EA_PUSH_SCORE_ROWS)
EA_PUSH(score_rows) {
	EA_U32 n;
	EA_U32 n_rows;
	EA_U32 n_out;
} EA_PUSH_END;
#endif

#if !defined(VULKAN) || defined(EA_PUSH_TOKEN_NLL)
EA_PUSH(token_nll) {
	EA_U32 n_vocab;
	EA_U32 n_rows;
	EA_U32 n_tokens;	/* the ids there are */
} EA_PUSH_END;
#endif

#if !defined(VULKAN) || defined(EA_PUSH_ARGMAX)
EA_PUSH(argmax) {
	EA_U32 n;
} EA_PUSH_END;
#endif

#if !defined(VULKAN) || defined(EA_PUSH_ATTENTION)
EA_PUSH(attention) {
	EA_U32 n_heads;
	EA_U32 n_kv_heads;
	EA_U32 head_dim;
	EA_U32 split_len;	/* at most 256 */
	EA_U32 n_splits;
	EA_F32 scale;		/* 1 / sqrt(head_dim) */
} EA_PUSH_END;
#endif

#if !defined(VULKAN) || defined(EA_PUSH_ATTENTION_PROMPT)
EA_PUSH(attention_prompt) {
	EA_U32 n_heads;
	EA_U32 n_kv_heads;
	EA_U32 n_tokens;	/* recorded */
	EA_F32 scale;		/* 1 / sqrt(HEAD_DIM) */
} EA_PUSH_END;
#endif

#if !defined(VULKAN) || defined(EA_PUSH_DEQUANT)
EA_PUSH(dequant) {
	EA_U32 n_values;	/* a multiple of 32 */
} EA_PUSH_END;
#endif

#if !defined(VULKAN) || defined(EA_PUSH_STREAM)	/* stream_read, stream_copy */
EA_PUSH(stream) {
	EA_U32 n_words;		/* 16-byte words of the buffer */
	EA_U32 never;		/* stream_read writes only when its fold equals this */
} EA_PUSH_END;
#endif

#endif /* EA_KERNELS_H */

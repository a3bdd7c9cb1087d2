/* SPDX-License-Identifier: MIT */
/*
 * ea_ref - the CPU reference of every op of the engine, in plain C.
 *
 * These are the definitions the Vulkan kernels are tested against, so they
 * favour being obviously right over being fast. Conventions, for every op:
 *  - activations are fp32, row-major, contiguous;
 *  - a weight matrix W of `rows` x `cols` is stored as GGUF stores it: `rows`
 *    rows of `cols` values each (ggml's ne[0] = cols, ne[1] = rows), every row
 *    encoded in tensor type `type` (F32, F16 or a block quantization, whose
 *    block size must divide `cols`), rows back to back;
 *  - every sum is accumulated in fp32;
 *  - outputs never alias inputs unless the op says it works in place;
 *  - arguments are trusted (shapes were checked when the model was loaded):
 *    no op fails, none allocates.
 */
#ifndef EA_REF_H
#define EA_REF_H

#include "ea_model.h"
#include "ea_quant.h"
#include "edgeai.h"

/* out[i] = x[i] / sqrt(mean(x^2) + eps) * w[i], i < n. out may be x. */
void ea_ref_rmsnorm(float *out, const float *x, const float *w, int n, float eps);

/* out[r] = sum_c W[r][c] * x[c] for r < rows; x has cols values. */
void ea_ref_matvec(float *out, const void *W, enum ea_type type, const float *x,
			  int rows, int cols);

/* out[t][r] = sum_c W[r][c] * X[t][c] for t < n_tokens: X is n_tokens x cols,
 * out is n_tokens x rows. Same result as n_tokens calls of ea_ref_matvec(). */
void ea_ref_matmul(float *out, const void *W, enum ea_type type, const float *X,
			  int rows, int cols, int n_tokens);

/* ea_ref_matmul() of rows row_begin .. row_end - 1 only (of out's rows per
 * token): each output value is computed exactly as by ea_ref_matmul(), so
 * rows split among threads give the same bits. */
void ea_ref_matmul_rows(float *out, const void *W, enum ea_type type, const float *X,
			       int rows, int cols, int n_tokens, int row_begin, int row_end);

/* out[i] = a[i] + b[i], i < n (the residual add; also adds a bias). out may be a or b. */
void ea_ref_add(float *out, const float *a, const float *b, int n);

/* Rotate, in place, each of the n_heads heads of head_dim values in x (head h
 * at x + h * head_dim) by the angles of position pos: pair i (i < head_dim/2),
 * chosen by mode, turns by pos * freq_base^(-2i / head_dim). */
void ea_ref_rope(float *x, int n_heads, int head_dim, int pos, float freq_base,
			enum ea_rope_mode mode);

/* x[i] = exp(x[i] - max(x)) / sum_j exp(x[j] - max(x)), i < n, in place. */
void ea_ref_softmax(float *x, int n);

/* out[i] = silu(gate[i]) * up[i] with silu(g) = g / (1 + exp(-g)), i < n. out may be gate. */
void ea_ref_swiglu(float *out, const float *gate, const float *up, int n);

/* out[0..dim) = row `token` of the embedding table (n_vocab rows of dim values), dequantized. */
void ea_ref_embed(float *out, const void *table, enum ea_type type, int token, int dim);

/*
 * Grouped-query attention of one query (the token being decoded) over the
 * n_pos cached positions 0 .. n_pos-1, each head separately:
 *   out_h = sum_p softmax_p(q_h . k_p,g / sqrt(head_dim)) * v_p,g
 * q and out hold n_heads heads of head_dim values; query head h reads kv head
 * g = h / (n_heads / n_kv_heads). Position p's keys are k_cache + p * kv_row_stride
 * (kv head g at + g * head_dim), its values likewise in v_cache.
 * scratch holds n_pos floats (the attention weights of one head).
 */
void ea_ref_attention_decode(float *out, const float *q, const float *k_cache,
				    const float *v_cache, int n_heads, int n_kv_heads,
				    int head_dim, int n_pos, int kv_row_stride, float *scratch);

/*
 * Causal attention of a prompt: n_tokens queries at positions pos0 .. pos0 +
 * n_tokens - 1, whose keys and values are already in the caches. Query t (row
 * t of Q and of out, n_heads * head_dim values each) attends to positions
 * 0 .. pos0 + t, exactly as ea_ref_attention_decode() with n_pos = pos0 + t + 1.
 * scratch holds pos0 + n_tokens floats.
 */
void ea_ref_attention_prompt(float *out, const float *Q, const float *k_cache,
				    const float *v_cache, int n_heads, int n_kv_heads,
				    int head_dim, int n_tokens, int pos0, int kv_row_stride,
				    float *scratch);

/* The index of the largest of x[0..n), the first one on ties; n >= 1. */
int ea_ref_argmax(const float *x, int n);

#endif /* EA_REF_H */

// SPDX-License-Identifier: MIT
/* ea_ref - the CPU reference ops; ea_ref.h states what each computes. */
#include <math.h>

#include "ea_ref.h"

/*
 * Weight rows are dequantized a piece at a time into a small buffer on the
 * stack, so that no op allocates. 256 values is a multiple of every block
 * size (32 for Q4_0/Q8_0, 256 for the K-quants), so a row whose length is a
 * multiple of its block size splits into whole blocks.
 */
#define ROW_PIECE 256

/* Tokens that share one dequantized piece of a weight row in ea_ref_matmul(). */
#define TOKEN_TILE 32

void ea_ref_rmsnorm(float *out, const float *x, const float *w, int n, float eps)
{
	float sum_sq = 0.0f;

	for (int i = 0; i < n; i++)
		sum_sq += x[i] * x[i];
	float scale = 1.0f / sqrtf(sum_sq / (float)n + eps);

	for (int i = 0; i < n; i++)
		out[i] = x[i] * scale * w[i];
}

/* Eight running sums rather than one, so that the loop vectorizes. */
static float dot_scalar(const float *a, const float *b, int n)
{
	float part[8] = { 0 };
	int i = 0;

	for (; i + 8 <= n; i += 8)
		for (int j = 0; j < 8; j++)
			part[j] += a[i + j] * b[i + j];
	float sum = ((part[0] + part[1]) + (part[2] + part[3])) +
		    ((part[4] + part[5]) + (part[6] + part[7]));
	for (; i < n; i++)
		sum += a[i] * b[i];
	return sum;
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

/* dot_scalar() with its eight sums in one AVX register: the same products
 * and additions in the same order (no fused multiply-add), so the same bits. */
__attribute__((target("avx"))) static float dot_avx(const float *a, const float *b, int n)
{
	__m256 acc = _mm256_setzero_ps();
	float part[8];
	int i = 0;

	for (; i + 8 <= n; i += 8)
		acc = _mm256_add_ps(acc, _mm256_mul_ps(_mm256_loadu_ps(a + i),
						       _mm256_loadu_ps(b + i)));
	_mm256_storeu_ps(part, acc);
	float sum = ((part[0] + part[1]) + (part[2] + part[3])) +
		    ((part[4] + part[5]) + (part[6] + part[7]));
	for (; i < n; i++)
		sum += a[i] * b[i];
	return sum;
}

static float dot(const float *a, const float *b, int n)
{
	/* A load and a test of the CPU model libgcc reads at start-up. */
	return __builtin_cpu_supports("avx") ? dot_avx(a, b, n) : dot_scalar(a, b, n);
}
#else
static float dot(const float *a, const float *b, int n)
{
	return dot_scalar(a, b, n);
}
#endif

/*
 * One row of W against a tile of up to TOKEN_TILE tokens: each piece of the
 * row is dequantized once and used by every token of the tile.
 */
static void row_times_tokens(float *out, const void *W, enum ea_type type, const float *X,
			     int row, int rows, int cols, int n_tokens)
{
	const unsigned char *w_row = (const unsigned char *)W + ea_type_row_bytes(type, cols) * (size_t)row;
	float sums[TOKEN_TILE] = { 0 };
	float piece[ROW_PIECE];

	for (int c = 0; c < cols; c += ROW_PIECE) {
		int len = cols - c < ROW_PIECE ? cols - c : ROW_PIECE;

		ea_dequant_row(type, w_row + ea_type_row_bytes(type, c), piece, len);
		for (int t = 0; t < n_tokens; t++)
			sums[t] += dot(piece, X + (size_t)t * cols + c, len);
	}
	for (int t = 0; t < n_tokens; t++)
		out[(size_t)t * rows + row] = sums[t];
}

void ea_ref_matmul(float *out, const void *W, enum ea_type type, const float *X,
		   int rows, int cols, int n_tokens)
{
	ea_ref_matmul_rows(out, W, type, X, rows, cols, n_tokens, 0, rows);
}

void ea_ref_matmul_rows(float *out, const void *W, enum ea_type type, const float *X,
			int rows, int cols, int n_tokens, int row_begin, int row_end)
{
	for (int t0 = 0; t0 < n_tokens; t0 += TOKEN_TILE) {
		int tile = n_tokens - t0 < TOKEN_TILE ? n_tokens - t0 : TOKEN_TILE;

		for (int r = row_begin; r < row_end; r++)
			row_times_tokens(out + (size_t)t0 * rows, W, type, X + (size_t)t0 * cols,
					 r, rows, cols, tile);
	}
}

void ea_ref_matvec(float *out, const void *W, enum ea_type type, const float *x,
		   int rows, int cols)
{
	ea_ref_matmul(out, W, type, x, rows, cols, 1);
}

void ea_ref_add(float *out, const float *a, const float *b, int n)
{
	for (int i = 0; i < n; i++)
		out[i] = a[i] + b[i];
}

void ea_ref_rope(float *x, int n_heads, int head_dim, int pos, float freq_base,
		 enum ea_rope_mode mode)
{
	int half = head_dim / 2;

	for (int h = 0; h < n_heads; h++) {
		float *head = x + (size_t)h * head_dim;

		for (int i = 0; i < half; i++) {
			float angle = (float)pos * powf(freq_base, -2.0f * (float)i / (float)head_dim);
			float c = cosf(angle), s = sinf(angle);
			/* The two values of pair i. */
			float *a = mode == EA_ROPE_NEOX ? &head[i] : &head[2 * i];
			float *b = mode == EA_ROPE_NEOX ? &head[i + half] : &head[2 * i + 1];
			float a0 = *a, b0 = *b;

			*a = a0 * c - b0 * s;
			*b = a0 * s + b0 * c;
		}
	}
}

void ea_ref_softmax(float *x, int n)
{
	float max = x[0], sum = 0.0f;

	for (int i = 1; i < n; i++)
		if (x[i] > max)
			max = x[i];
	for (int i = 0; i < n; i++) {
		x[i] = expf(x[i] - max);
		sum += x[i];
	}
	for (int i = 0; i < n; i++)
		x[i] /= sum;
}

void ea_ref_swiglu(float *out, const float *gate, const float *up, int n)
{
	for (int i = 0; i < n; i++) {
		float g = gate[i];

		out[i] = g / (1.0f + expf(-g)) * up[i];
	}
}

void ea_ref_embed(float *out, const void *table, enum ea_type type, int token, int dim)
{
	const unsigned char *row = (const unsigned char *)table +
				   ea_type_row_bytes(type, dim) * (size_t)token;

	ea_dequant_row(type, row, out, dim);
}

void ea_ref_attention_decode(float *out, const float *q, const float *k_cache,
			     const float *v_cache, int n_heads, int n_kv_heads,
			     int head_dim, int n_pos, int kv_row_stride, float *scratch)
{
	int heads_per_kv = n_heads / n_kv_heads;
	float scale = 1.0f / sqrtf((float)head_dim);
	float *weights = scratch;

	for (int h = 0; h < n_heads; h++) {
		const float *q_h = q + (size_t)h * head_dim;
		size_t kv_offset = (size_t)(h / heads_per_kv) * head_dim;
		float *out_h = out + (size_t)h * head_dim;

		for (int p = 0; p < n_pos; p++) {
			const float *k = k_cache + (size_t)p * kv_row_stride + kv_offset;

			weights[p] = dot(q_h, k, head_dim) * scale;
		}
		ea_ref_softmax(weights, n_pos);

		for (int i = 0; i < head_dim; i++)
			out_h[i] = 0.0f;
		for (int p = 0; p < n_pos; p++) {
			const float *v = v_cache + (size_t)p * kv_row_stride + kv_offset;

			for (int i = 0; i < head_dim; i++)
				out_h[i] += weights[p] * v[i];
		}
	}
}

void ea_ref_attention_prompt(float *out, const float *Q, const float *k_cache,
			     const float *v_cache, int n_heads, int n_kv_heads,
			     int head_dim, int n_tokens, int pos0, int kv_row_stride,
			     float *scratch)
{
	size_t q_dim = (size_t)n_heads * head_dim;

	for (int t = 0; t < n_tokens; t++)
		ea_ref_attention_decode(out + t * q_dim, Q + t * q_dim, k_cache, v_cache,
					n_heads, n_kv_heads, head_dim, pos0 + t + 1,
					kv_row_stride, scratch);
}

int ea_ref_argmax(const float *x, int n)
{
	int best = 0;

	for (int i = 1; i < n; i++)
		if (x[i] > x[best])
			best = i;
	return best;
}

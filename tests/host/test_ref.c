// SPDX-License-Identifier: MIT
/* The CPU reference ops (ea_ref.h) against small cases worked out by hand. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ea_ref.h"
#include "ea_tap.h"

#define TOL 1e-5f

static bool close_to(const float *got, const float *want, int n, float tol)
{
	for (int i = 0; i < n; i++) {
		if (!(fabsf(got[i] - want[i]) <= tol * (1.0f + fabsf(want[i])))) {
			tap_diag("value %d: got %.9g, want %.9g", i, (double)got[i], (double)want[i]);
			return false;
		}
	}
	return true;
}

static bool check_rmsnorm(void)
{
	/* mean(x^2) = (9 + 16) / 2 = 12.5; eps 0 so scale = 1/sqrt(12.5). */
	float x[2] = { 3.0f, -4.0f }, w[2] = { 1.0f, 2.0f }, out[2];
	float s = 1.0f / sqrtf(12.5f), want[2] = { 3.0f * s, -8.0f * s };

	ea_ref_rmsnorm(out, x, w, 2, 0.0f);
	return close_to(out, want, 2, TOL);
}

/* W = [[1 2 3] [4 5 6]] in F32 and F16 (exact in both), x = [1 0 -1]. */
static bool check_matvec_small(enum ea_type type)
{
	float w32[6] = { 1, 2, 3, 4, 5, 6 }, x[3] = { 1, 0, -1 }, out[2], want[2] = { -2, -2 };
	uint16_t w16[6];

	for (int i = 0; i < 6; i++)
		w16[i] = ea_fp32_to_fp16(w32[i]);
	ea_ref_matvec(out, type == EA_TYPE_F16 ? (const void *)w16 : (const void *)w32, type,
		      x, 2, 3);
	return close_to(out, want, 2, 0.0f);
}

/*
 * A Q8_0 matrix of 3 rows x 64 values (two blocks a row): row r has scale
 * r + 1 and q[j] = 1 for every j, so with x[j] = j the row's dot is
 * (r + 1) * sum(j < 64) = (r + 1) * 2016.
 */
static bool check_matvec_q8_0(void)
{
	uint8_t w[3 * 2 * EA_BLOCK_Q8_0_BYTES];
	float x[64], out[3], want[3] = { 2016, 4032, 6048 };

	for (int j = 0; j < 64; j++)
		x[j] = (float)j;
	for (int b = 0; b < 6; b++) {
		uint16_t d = ea_fp32_to_fp16((float)(b / 2 + 1));
		uint8_t *block = w + b * EA_BLOCK_Q8_0_BYTES;

		block[0] = (uint8_t)d;
		block[1] = (uint8_t)(d >> 8);
		memset(block + 2, 1, EA_QK_0);
	}
	ea_ref_matvec(out, w, EA_TYPE_Q8_0, x, 3, 64);
	return close_to(out, want, 3, 0.0f);
}

/* matmul of n tokens equals n matvecs, for a row longer than one dequant piece
 * (600 values) and more tokens than one tile (37). */
static bool check_matmul_equals_matvec(void)
{
	enum { ROWS = 5, COLS = 600, TOKENS = 37 };
	float *w = malloc(sizeof(float) * ROWS * COLS), *x = malloc(sizeof(float) * TOKENS * COLS);
	float *out = malloc(sizeof(float) * TOKENS * ROWS), one[ROWS];
	bool ok = w && x && out;

	for (int i = 0; ok && i < ROWS * COLS; i++)
		w[i] = (float)((i * 37) % 101 - 50) / 50.0f;
	for (int i = 0; ok && i < TOKENS * COLS; i++)
		x[i] = (float)((i * 53) % 97 - 48) / 48.0f;
	if (ok)
		ea_ref_matmul(out, w, EA_TYPE_F32, x, ROWS, COLS, TOKENS);
	for (int t = 0; ok && t < TOKENS; t++) {
		double want[ROWS] = { 0 };

		ea_ref_matvec(one, w, EA_TYPE_F32, x + t * COLS, ROWS, COLS);
		ok = close_to(out + t * ROWS, one, ROWS, 0.0f);
		for (int r = 0; r < ROWS; r++) {
			for (int c = 0; c < COLS; c++)
				want[r] += (double)w[r * COLS + c] * x[t * COLS + c];
			ok = ok && fabs(one[r] - want[r]) < 1e-3;
		}
	}
	free(w);
	free(x);
	free(out);
	return ok;
}

static bool check_add_swiglu(void)
{
	float a[3] = { 1, 2, 3 }, b[3] = { 0.5f, -2, 10 }, sum[3], want_sum[3] = { 1.5f, 0, 13 };
	float gate[3] = { 0, 1, -2 }, up[3] = { 5, 2, 3 }, out[3];
	/* silu(0) = 0; silu(1) = 1/(1+e^-1); silu(-2) = -2/(1+e^2). */
	float want[3] = { 0, 2.0f / (1.0f + expf(-1.0f)), 3.0f * -2.0f / (1.0f + expf(2.0f)) };

	ea_ref_add(sum, a, b, 3);
	ea_ref_swiglu(out, gate, up, 3);
	return close_to(sum, want_sum, 3, 0.0f) && close_to(out, want, 3, TOL);
}

static bool check_softmax(void)
{
	/* softmax of [0, ln 3] is [1/4, 3/4]; the shift by 1000 must not overflow. */
	float x[2] = { 1000.0f, 1000.0f + logf(3.0f) }, want[2] = { 0.25f, 0.75f };

	ea_ref_softmax(x, 2);
	return close_to(x, want, 2, TOL);
}

/*
 * Two heads of 4 values at position 2, base 100: pair 0 turns by 2 radians,
 * pair 1 by 2 * 100^(-2/4) = 0.2. Normal mode pairs (0,1) (2,3); neox pairs
 * (0,2) (1,3).
 */
static bool check_rope(enum ea_rope_mode mode)
{
	float x[8] = { 1, 2, 3, 4, -1, 0.5f, 0, 2 }, want[8];
	int a0 = 0, b0 = mode == EA_ROPE_NEOX ? 2 : 1, a1 = mode == EA_ROPE_NEOX ? 1 : 2, b1 = 3;
	double angle[2] = { 2.0, 0.2 };

	for (int h = 0; h < 2; h++) {
		const float *in = x + 4 * h;
		float *w = want + 4 * h;
		int a[2] = { a0, a1 }, b[2] = { b0, b1 };

		for (int p = 0; p < 2; p++) {
			w[a[p]] = (float)(in[a[p]] * cos(angle[p]) - in[b[p]] * sin(angle[p]));
			w[b[p]] = (float)(in[a[p]] * sin(angle[p]) + in[b[p]] * cos(angle[p]));
		}
	}
	ea_ref_rope(x, 2, 4, 2, 100.0f, mode);
	return close_to(x, want, 8, TOL);
}

static bool check_embed(void)
{
	/* Rows of Q8_0 with scale 0.5 and q[j] = token: row 2 is 32 x 1.0. */
	uint8_t table[3 * EA_BLOCK_Q8_0_BYTES];
	float out[EA_QK_0], want[EA_QK_0];
	uint16_t d = ea_fp32_to_fp16(0.5f);

	for (int r = 0; r < 3; r++) {
		table[r * EA_BLOCK_Q8_0_BYTES] = (uint8_t)d;
		table[r * EA_BLOCK_Q8_0_BYTES + 1] = (uint8_t)(d >> 8);
		memset(table + r * EA_BLOCK_Q8_0_BYTES + 2, r, EA_QK_0);
	}
	for (int j = 0; j < EA_QK_0; j++)
		want[j] = 1.0f;
	ea_ref_embed(out, table, EA_TYPE_Q8_0, 2, EA_QK_0);
	return close_to(out, want, EA_QK_0, 0.0f);
}

/*
 * Grouped-query decode: 2 query heads share 1 kv head of 2 values, 2 cached
 * positions with k0 = [1 0], k1 = [0 1], v0 = [1 2], v1 = [3 4]; the cache rows
 * have a stride of 3 (a spare value) to check kv_row_stride. q0 = [0 0] weighs
 * the positions equally: out0 = [2 3]. q1 = [ln 3 * sqrt 2, 0] gives scores
 * [ln 3, 0], weights [3/4, 1/4]: out1 = [1.5 2.5].
 */
static bool check_attention_decode(void)
{
	float k[6] = { 1, 0, 99, 0, 1, 99 }, v[6] = { 1, 2, 99, 3, 4, 99 };
	float q[4] = { 0, 0, logf(3.0f) * sqrtf(2.0f), 0 }, out[4], scratch[2];
	float want[4] = { 2, 3, 1.5f, 2.5f };

	ea_ref_attention_decode(out, q, k, v, 2, 1, 2, 2, 3, scratch);
	return close_to(out, want, 4, TOL);
}

/* The prompt form is causal: query 0 sees only position 0 (out = v0), query 1
 * sees both (as above). */
static bool check_attention_prompt(void)
{
	float k[4] = { 1, 0, 0, 1 }, v[4] = { 1, 2, 3, 4 };
	float q[4] = { 5, -7, 0, 0 }, out[4], scratch[2], want[4] = { 1, 2, 2, 3 };

	ea_ref_attention_prompt(out, q, k, v, 1, 1, 2, 2, 0, 2, scratch);
	return close_to(out, want, 4, TOL);
}

static bool check_argmax(void)
{
	float x[5] = { -1, 7, 3, 7, -9 }, one = -5;

	return ea_ref_argmax(x, 5) == 1 && ea_ref_argmax(&one, 1) == 0;
}

int main(void)
{
	struct tap t = { 0 };

	tap_plan(&t, 13);
	tap_ok(&t, check_rmsnorm(), "rmsnorm of [3 -4] with weights [1 2]");
	tap_ok(&t, check_matvec_small(EA_TYPE_F32), "matvec f32 2x3");
	tap_ok(&t, check_matvec_small(EA_TYPE_F16), "matvec f16 2x3");
	tap_ok(&t, check_matvec_q8_0(), "matvec q8_0 3x64 (two blocks a row)");
	tap_ok(&t, check_matmul_equals_matvec(), "matmul of 37 tokens = 37 matvecs (600 columns), "
	       "within 1e-3 of a double dot");
	tap_ok(&t, check_add_swiglu(), "add and swiglu");
	tap_ok(&t, check_softmax(), "softmax [0, ln 3] shifted by 1000");
	tap_ok(&t, check_rope(EA_ROPE_NORMAL), "rope normal (interleaved pairs), 2 heads, pos 2");
	tap_ok(&t, check_rope(EA_ROPE_NEOX), "rope neox (halves), 2 heads, pos 2");
	tap_ok(&t, check_embed(), "embedding row 2 of a q8_0 table");
	tap_ok(&t, check_attention_decode(), "attention decode, 2 query heads on 1 kv head, "
	       "row stride 3");
	tap_ok(&t, check_attention_prompt(), "attention prompt is causal");
	tap_ok(&t, check_argmax(), "argmax takes the first of equal maxima");
	return tap_done(&t);
}

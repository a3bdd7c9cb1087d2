// SPDX-License-Identifier: MIT
/*
 * Tensor types: dequantization of blocks built by hand (each layout restated
 * here from ggml's block definitions), quantize -> dequantize error bounds per
 * type, and the trained edge model's quantized files against its F16 file.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ea_models.h"
#include "ea_tap.h"
#include "ea_gguf.h"
#include "ea_quant.h"

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static bool check_values(const char *what, const float *got, const float *want, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (got[i] != want[i]) {
			tap_diag("%s: value %zu is %g, want %g", what, i, (double)got[i],
				 (double)want[i]);
			return false;
		}
	}
	return true;
}

static bool hand_f16(void)
{
	uint8_t b[8];
	float got[4], want[4] = { 1.0f, -2.0f, 65504.0f, 0x1p-24f };

	put16(b, 0x3c00);
	put16(b + 2, 0xc000);
	put16(b + 4, 0x7bff);
	put16(b + 6, 0x0001);
	ea_dequant_row(EA_TYPE_F16, b, got, 4);
	return check_values("f16", got, want, 4);
}

/* d = 0.5; byte j holds value j (low nibble) and value j + 16 (high nibble). */
static bool hand_q4_0(void)
{
	uint8_t b[EA_BLOCK_Q4_0_BYTES];
	float got[32], want[32];

	put16(b, 0x3800);
	for (int j = 0; j < 16; j++) {
		b[2 + j] = (uint8_t)(j | (15 - j) << 4);
		want[j] = 0.5f * (float)(j - 8);
		want[j + 16] = 0.5f * (float)(15 - j - 8);
	}
	ea_dequant_row(EA_TYPE_Q4_0, b, got, 32);
	return check_values("q4_0", got, want, 32);
}

static bool hand_q8_0(void)
{
	uint8_t b[EA_BLOCK_Q8_0_BYTES];
	float got[32], want[32];

	put16(b, 0xc000); /* -2 */
	for (int j = 0; j < 32; j++) {
		b[2 + j] = (uint8_t)(int8_t)(j * 8 - 128);
		want[j] = -2.0f * (float)(j * 8 - 128);
	}
	ea_dequant_row(EA_TYPE_Q8_0, b, got, 32);
	return check_values("q8_0", got, want, 32);
}

/* Scales and mins above 15 exercise the bits kept in bytes 0-7's top two bits. */
static bool hand_q4_k(void)
{
	static const uint8_t sc[8] = { 1, 2, 3, 4, 40, 50, 60, 63 };
	static const uint8_t m[8] = { 0, 1, 2, 3, 33, 44, 55, 62 };
	uint8_t b[EA_BLOCK_Q4_K_BYTES];
	float got[256], want[256], d = 1.0f, dmin = 0.5f;

	put16(b, 0x3c00);
	put16(b + 2, 0x3800);
	for (int j = 0; j < 4; j++) {
		b[4 + j] = (uint8_t)(sc[j] | (sc[j + 4] >> 4) << 6);
		b[4 + j + 4] = (uint8_t)(m[j] | (m[j + 4] >> 4) << 6);
		b[4 + j + 8] = (uint8_t)((sc[j + 4] & 15) | (m[j + 4] & 15) << 4);
	}
	for (int i = 0; i < 128; i++)
		b[16 + i] = (uint8_t)(i * 7 + 3);
	for (int v = 0; v < 256; v++) {
		int s = v / 32, l = v % 32;
		uint8_t byte = b[16 + 32 * (s / 2) + l];
		int q = s % 2 ? byte >> 4 : byte & 15;

		want[v] = d * sc[s] * (float)q - dmin * m[s];
	}
	ea_dequant_row(EA_TYPE_Q4_K, b, got, 256);
	return check_values("q4_k", got, want, 256);
}

/* Value r of half h: low four bits in ql (byte l or l + 32, nibble by quarter),
 * high two bits in qh byte l at bit 2 * quarter, scale r / 16 of the half. */
static bool hand_q6_k(void)
{
	uint8_t b[EA_BLOCK_Q6_K_BYTES];
	float got[256], want[256], d = 0.25f;

	for (int i = 0; i < 192; i++)
		b[i] = (uint8_t)(i * 37 + 11);
	for (int i = 0; i < 16; i++)
		b[192 + i] = (uint8_t)(int8_t)(i * 9 - 70);
	put16(b + 208, 0x3400);
	for (int v = 0; v < 256; v++) {
		int h = v / 128, r = v % 128, quarter = r / 32, l = r % 32;
		uint8_t low = b[64 * h + l + (quarter & 1) * 32];
		int lo = quarter >= 2 ? low >> 4 : low & 15;
		int hi = (b[128 + 32 * h + l] >> (2 * quarter)) & 3;
		int8_t scale = (int8_t)b[192 + 8 * h + r / 16];

		want[v] = d * scale * (float)((lo | hi << 4) - 32);
	}
	ea_dequant_row(EA_TYPE_Q6_K, b, got, 256);
	return check_values("q6_k", got, want, 256);
}

/* A deterministic N(0, 1) sequence (xorshift and Box-Muller). */
static float gaussian(uint64_t *state)
{
	double u1, u2;

	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	u1 = ((*state >> 11) + 1.0) * 0x1p-53;
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	u2 = (*state >> 11) * 0x1p-53;
	return (float)(sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2));
}

static double relative_rms(const float *got, const float *want, size_t n)
{
	double err = 0.0, ref = 0.0;

	for (size_t i = 0; i < n; i++) {
		err += ((double)got[i] - want[i]) * ((double)got[i] - want[i]);
		ref += (double)want[i] * want[i];
	}
	return ref ? sqrt(err / ref) : sqrt(err);
}

/* Relative RMS error of quantize -> dequantize on 64 Gaussian rows of 1024. */
static bool round_trip(enum ea_type type, double bound)
{
	const size_t n = 1024, rows = 64;
	float *x = malloc(n * rows * sizeof(float)), *y = malloc(n * rows * sizeof(float));
	void *q = malloc(ea_type_row_bytes(type, n));
	uint64_t state = 0x9e3779b97f4a7c15ull + type;
	double worst = 0.0;

	for (size_t i = 0; i < n * rows; i++)
		x[i] = gaussian(&state) * (float)(1 + i / n);	/* rows of growing scale */
	x[5] = 0.0f;
	for (size_t r = 0; r < rows; r++) {
		double e;

		ea_quantize_row(type, x + r * n, q, n);
		ea_dequant_row(type, q, y + r * n, n);
		e = relative_rms(y + r * n, x + r * n, n);
		worst = e > worst ? e : worst;
	}
	tap_diag("%s round trip: worst relative RMS error %.5f (bound %.3f)", ea_type_name(type),
		 worst, bound);
	free(x);
	free(y);
	free(q);
	return worst <= bound;
}

static bool zero_row(enum ea_type type)
{
	float x[256] = { 0 }, y[256];
	uint8_t q[256 * 4];

	ea_quantize_row(type, x, q, 256);
	ea_dequant_row(type, q, y, 256);
	for (int i = 0; i < 256; i++)
		if (y[i] != 0.0f)
			return false;
	return true;
}

static bool sizes(void)
{
	enum ea_type t;

	return ea_type_row_bytes(EA_TYPE_F32, 3) == 12 && ea_type_row_bytes(EA_TYPE_F16, 3) == 6 &&
	       ea_type_row_bytes(EA_TYPE_Q4_0, 64) == 36 && ea_type_row_bytes(EA_TYPE_Q8_0, 64) == 68 &&
	       ea_type_row_bytes(EA_TYPE_Q4_K, 512) == 288 &&
	       ea_type_row_bytes(EA_TYPE_Q6_K, 256) == 210 &&
	       ea_type_row_bytes(EA_TYPE_Q4_0, 33) == 0 && ea_type_row_bytes(EA_TYPE_Q6_K, 128) == 0 &&
	       !ea_type_valid(3) && ea_type_valid(14) && ea_type_from_name("Q4_K", &t) &&
	       t == EA_TYPE_Q4_K && !ea_type_from_name("q3_k", &t);
}

/* Per type of the quantized tensor: the largest relative RMS error allowed
 * against the F16 original (llama.cpp's quantizers do better than these). */
static double file_tolerance(enum ea_type type)
{
	switch (type) {
	case EA_TYPE_F32:
	case EA_TYPE_F16:
		return 0.0;	/* unquantized tensors (the norms) are copied exactly */
	case EA_TYPE_BF16:
		return 0.005;
	case EA_TYPE_Q8_0:
		return 0.01;
	case EA_TYPE_Q5_0:
	case EA_TYPE_Q5_K:
		return 0.06;
	case EA_TYPE_Q6_K:
		return 0.03;
	case EA_TYPE_Q4_K:
	case EA_TYPE_Q4_0:
		return 0.10;
	}
	return 0.0;
}

static bool dequant_tensor(const struct ea_gguf_tensor *t, float *out)
{
	size_t row = ea_type_row_bytes(t->type, t->ne[0]);
	const uint8_t *src = t->data;

	for (uint64_t r = 0; r < t->n_values / t->ne[0]; r++)
		ea_dequant_row(t->type, src + r * row, out + r * t->ne[0], t->ne[0]);
	return true;
}

/* Every tensor of @file close to the same tensor of the F16 file. */
static void check_file(struct tap *t, const struct ea_gguf *f16, const char *file)
{
	struct ea_error err;
	char path[4096];
	struct ea_gguf *g;
	double worst[16] = { 0 };	/* by ggml type id */
	bool ok = true;

	if (!ea_model_path(file, path, sizeof(path))) {
		tap_ok(t, true, "# SKIP %s not found (set EDGEAI_MODELS)", file);
		return;
	}
	if (ea_gguf_open(path, &g, &err) != EA_OK) {
		tap_ok(t, false, "%s opens: %s", file, err.msg);
		return;
	}
	for (uint64_t i = 0; i < ea_gguf_n_tensors(g); i++) {
		const struct ea_gguf_tensor *q = ea_gguf_tensor_at(g, i);
		const struct ea_gguf_tensor *ref = ea_gguf_find_tensor(f16, q->name);
		float *a, *b;
		double e;

		if (!ref || ref->n_values != q->n_values) {
			tap_diag("%s: %s missing or shaped differently in the f16 file", file, q->name);
			ok = false;
			continue;
		}
		a = malloc(q->n_values * sizeof(float));
		b = malloc(q->n_values * sizeof(float));
		dequant_tensor(q, a);
		dequant_tensor(ref, b);
		e = relative_rms(a, b, q->n_values);
		if (e > worst[q->type])
			worst[q->type] = e;
		if (e > file_tolerance(q->type)) {
			tap_diag("%s: %s (%s) relative RMS error %.5f > %.3f", file, q->name,
				 ea_type_name(q->type), e, file_tolerance(q->type));
			ok = false;
		}
		free(a);
		free(b);
	}
	for (int type = 0; type < 16; type++)
		if (worst[type] > 0)
			tap_diag("%s: worst relative RMS error of its %s tensors %.5f (tolerance %.3f)",
				 file, ea_type_name((enum ea_type)type), worst[type],
				 file_tolerance((enum ea_type)type));
	tap_ok(t, ok, "%s: every tensor within its type's tolerance of edge-f16.gguf", file);
	ea_gguf_close(g);
}

static void check_files(struct tap *t)
{
	static const char *const files[] = {
		"quantized/edge-Q8_0.gguf", "quantized/edge-Q6_K.gguf",
		"quantized/edge-Q4_K_M.gguf", "quantized/edge-Q4_0.gguf",
	};
	struct ea_error err;
	char path[4096];
	struct ea_gguf *f16 = NULL;

	if (!ea_model_path("edge-f16.gguf", path, sizeof(path)) ||
	    ea_gguf_open(path, &f16, &err) != EA_OK) {
		for (size_t i = 0; i < 4; i++)
			tap_ok(t, true, "# SKIP edge-f16.gguf not found (set EDGEAI_MODELS)");
		return;
	}
	for (size_t i = 0; i < 4; i++)
		check_file(t, f16, files[i]);
	ea_gguf_close(f16);
}

/* Q5_0 by hand: d 0.5; byte 0 = 0xa3 (value 0's nibble 3, value 16's 10),
 * byte 1 = 0xf0 (value 1's 0, value 17's 15); fifth bits of values 0 and 17
 * set: value 0 = (3 + 16 - 16) / 2 = 1.5, value 16 = (10 - 16) / 2 = -3,
 * value 1 = -8, value 17 = (15 + 16 - 16) / 2 = 7.5, the rest -8. */
static bool hand_q5_0(void)
{
	uint8_t b[22] = { 0x00, 0x38, 0x01, 0x00, 0x02, 0x00, 0xa3, 0xf0 };
	float y[32];
	bool ok;

	ea_dequant_row(EA_TYPE_Q5_0, b, y, 32);
	ok = y[0] == 1.5f && y[16] == -3.0f && y[1] == -8.0f && y[17] == 7.5f &&
	     ea_type_row_bytes(EA_TYPE_Q5_0, 64) == 44;
	for (int j = 2; j < 16; j++)
		ok = ok && y[j] == -8.0f && y[j + 16] == -8.0f;
	return ok;
}

/* Q5_K by hand, ggml's layout: d 1, dmin 0, sub-block scales 1, 2, 3 (the
 * rest 0); nibbles at byte 48 on, fifth bits at byte 16 on (byte l, bit
 * 2g + h for value 64g + 32h + l). qs[0] 0x21 and qh[0] bits 0, 1, 2: value 0
 * = 1 * (1 | 16) = 17, value 32 = 2 * (2 | 16) = 36; qs[1] 0 and qh[1] bit
 * 1: value 1 = 0, value 33 = 2 * 16 = 32; qs[32] 0x05: value 64 = 3 * (5 | 16)
 * = 63. */
static bool hand_q5_k(void)
{
	uint8_t b[176] = { 0x00, 0x3c, 0x00, 0x00, 1, 2, 3 };
	float y[256];

	b[16] = 0x07;
	b[17] = 0x02;
	b[48] = 0x21;
	b[80] = 0x05;
	ea_dequant_row(EA_TYPE_Q5_K, b, y, 256);
	return y[0] == 17.0f && y[32] == 36.0f && y[1] == 0.0f && y[33] == 32.0f &&
	       y[64] == 63.0f && y[2] == 0.0f && y[128] == 0.0f &&
	       ea_type_row_bytes(EA_TYPE_Q5_K, 256) == 176;
}

/* BF16 by hand: 1.0 is 0x3f80; 1 + 2^-8 lies halfway between 0x3f80 and
 * 0x3f81 and goes to the even one; 1 + 3 * 2^-8 halfway to 0x3f82 (even); a
 * NaN stays one. */
static bool hand_bf16(void)
{
	const float in[4] = { 1.0f, 1.0f + 1.0f / 256, 1.0f + 3.0f / 256, NAN };
	uint8_t b[8];
	float out[4];

	ea_quantize_row(EA_TYPE_BF16, in, b, 4);
	ea_dequant_row(EA_TYPE_BF16, b, out, 4);
	return b[0] == 0x80 && b[1] == 0x3f && b[2] == 0x80 && b[3] == 0x3f && b[4] == 0x82 &&
	       b[5] == 0x3f && out[0] == 1.0f && out[2] == 1.0f + 2.0f / 128 && isnan(out[3]) &&
	       ea_type_row_bytes(EA_TYPE_BF16, 3) == 6;
}

int main(void)
{
	struct tap t = { 0 };
	static const enum ea_type all[] = {
		EA_TYPE_F32, EA_TYPE_F16, EA_TYPE_Q4_0, EA_TYPE_Q8_0, EA_TYPE_Q4_K, EA_TYPE_Q6_K,
		EA_TYPE_BF16, EA_TYPE_Q5_0, EA_TYPE_Q5_K,
	};
	/* Round-trip bounds: half precision, 8 bits, 6 bits, 4 bits (ggml's RTN does
	 * similar); bf16 keeps 8 bits of mantissa. */
	static const double bound[] = { 0.0, 0.001, 0.12, 0.01, 0.12, 0.04, 0.005, 0.06, 0.06 };

	tap_plan(&t, 9 + 9 + 9 + 4);
	tap_ok(&t, sizes(), "row sizes, block sizes and names");
	tap_ok(&t, hand_f16(), "f16 by hand");
	tap_ok(&t, hand_bf16(), "bf16 by hand: upper halves, rounded to the nearest even, NaN kept");
	tap_ok(&t, hand_q5_0(), "q5_0 block by hand (fifth bits from the 32-bit high word)");
	tap_ok(&t, hand_q5_k(), "q5_k block by hand (Q4_K's scales, fifth bits at bit 2g + h)");
	tap_ok(&t, hand_q4_0(), "q4_0 block by hand");
	tap_ok(&t, hand_q8_0(), "q8_0 block by hand");
	tap_ok(&t, hand_q4_k(), "q4_k block by hand (6-bit scales and mins)");
	tap_ok(&t, hand_q6_k(), "q6_k block by hand");
	for (size_t i = 0; i < 9; i++)
		tap_ok(&t, round_trip(all[i], bound[i]), "%s quantize -> dequantize within %.3f relative RMS",
		       ea_type_name(all[i]), bound[i]);
	for (size_t i = 0; i < 9; i++)
		tap_ok(&t, zero_row(all[i]), "%s: a zero row stays zero", ea_type_name(all[i]));
	check_files(&t);
	return tap_done(&t);
}

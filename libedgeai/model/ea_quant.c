// SPDX-License-Identifier: MIT
/* ea_quant - GGUF tensor types: sizes, dequantization, round-to-nearest quantization. */
#include <math.h>
#include <string.h>
#include <strings.h>

#include "ea_fp16.h"
#include "ea_quant.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <cpuid.h>
#include <immintrin.h>

/* Halves to floats with the CPU's F16C instructions, 8 at a time: the same
 * values as ea_fp16_to_fp32(), several times faster (the CPU reference's
 * matrix products spend most of their time here on F16 models). */
__attribute__((target("avx,f16c"))) static void fp16_row_f16c(const uint8_t *b, float *dst,
							     size_t n)
{
	size_t i = 0;

	for (; i + 8 <= n; i += 8)
		_mm256_storeu_ps(dst + i, _mm256_cvtph_ps(_mm_loadu_si128((const void *)(b + 2 * i))));
	for (; i < n; i++)
		dst[i] = ea_fp16_to_fp32((uint16_t)(b[2 * i] | b[2 * i + 1] << 8));
}

/* F16C and AVX, and an OS that saves the YMM registers (OSXSAVE, XCR0 bits 1
 * and 2); asked once (CPUID traps to the hypervisor in a VM). cpuid.h rather
 * than __builtin_cpu_supports(), whose "f16c" older clang does not know. */
static bool ask_cpu_f16c(void)
{
	unsigned int a, b, c, d, xcr0_lo, xcr0_hi;

	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_F16C) || !(c & bit_AVX) ||
	    !(c & bit_OSXSAVE))
		return false;
	__asm__("xgetbv" : "=a"(xcr0_lo), "=d"(xcr0_hi) : "c"(0));
	(void)xcr0_hi;
	return (xcr0_lo & 6) == 6;
}

static bool have_f16c(void)
{
	static int known; /* 0 not asked yet, 1 no, 2 yes */
	int k = __atomic_load_n(&known, __ATOMIC_RELAXED);

	if (!k) {
		k = ask_cpu_f16c() ? 2 : 1;
		__atomic_store_n(&known, k, __ATOMIC_RELAXED);
	}
	return k == 2;
}
#else
static bool have_f16c(void)
{
	return false;
}

static void fp16_row_f16c(const uint8_t *b, float *dst, size_t n)
{
	(void)b, (void)dst, (void)n;
}
#endif

struct type_traits {
	enum ea_type type;
	const char *name;
	size_t block_values;
	size_t block_bytes;
};

static const struct type_traits traits[] = {
	{ EA_TYPE_F32, "f32", 1, 4 },
	{ EA_TYPE_F16, "f16", 1, 2 },
	{ EA_TYPE_Q4_0, "q4_0", EA_QK_0, EA_BLOCK_Q4_0_BYTES },
	{ EA_TYPE_Q5_0, "q5_0", EA_QK_0, EA_BLOCK_Q5_0_BYTES },
	{ EA_TYPE_Q8_0, "q8_0", EA_QK_0, EA_BLOCK_Q8_0_BYTES },
	{ EA_TYPE_Q4_K, "q4_k", EA_QK_K, EA_BLOCK_Q4_K_BYTES },
	{ EA_TYPE_Q5_K, "q5_k", EA_QK_K, EA_BLOCK_Q5_K_BYTES },
	{ EA_TYPE_Q6_K, "q6_k", EA_QK_K, EA_BLOCK_Q6_K_BYTES },
	{ EA_TYPE_BF16, "bf16", 1, 2 },
};

#define N_TYPES (sizeof(traits) / sizeof(traits[0]))

static const struct type_traits *find_traits(uint32_t id)
{
	for (size_t i = 0; i < N_TYPES; i++)
		if ((uint32_t)traits[i].type == id)
			return &traits[i];
	return NULL;
}

bool ea_type_valid(uint32_t id)
{
	return find_traits(id) != NULL;
}

const char *ea_type_name(enum ea_type type)
{
	const struct type_traits *t = find_traits((uint32_t)type);

	return t ? t->name : "?";
}

bool ea_type_from_name(const char *name, enum ea_type *type)
{
	for (size_t i = 0; i < N_TYPES; i++) {
		if (strcasecmp(name, traits[i].name) == 0) {
			*type = traits[i].type;
			return true;
		}
	}
	return false;
}

size_t ea_type_block_values(enum ea_type type)
{
	const struct type_traits *t = find_traits((uint32_t)type);

	return t ? t->block_values : 0;
}

size_t ea_type_block_bytes(enum ea_type type)
{
	const struct type_traits *t = find_traits((uint32_t)type);

	return t ? t->block_bytes : 0;
}

size_t ea_type_row_bytes(enum ea_type type, size_t n)
{
	const struct type_traits *t = find_traits((uint32_t)type);

	if (!t || n % t->block_values)
		return 0;
	return n / t->block_values * t->block_bytes;
}

uint16_t ea_fp32_to_fp16(float f)
{
	uint32_t bits, sign, mantissa;
	int exponent;

	memcpy(&bits, &f, sizeof(bits));
	sign = (bits >> 16) & 0x8000u;
	exponent = (int)((bits >> 23) & 0xffu);
	mantissa = bits & 0x7fffffu;
	if (exponent == 0xff)
		return (uint16_t)(sign | 0x7c00u | (mantissa ? 0x200u | (mantissa >> 13) : 0));
	exponent -= 127 - 15;
	if (exponent >= 31)
		return (uint16_t)(sign | 0x7c00u);
	if (exponent <= 0) {
		/* Subnormal half (or zero): shift the full mantissa into place. */
		uint32_t full = mantissa | 0x800000u, shift = (uint32_t)(14 - exponent), half, rest;

		if (shift > 24)
			return (uint16_t)sign;
		half = full >> shift;
		rest = full & ((1u << shift) - 1);
		if (rest > (1u << (shift - 1)) || (rest == (1u << (shift - 1)) && (half & 1)))
			half++;
		return (uint16_t)(sign | half);
	}
	{
		uint32_t half = ((uint32_t)exponent << 10) | (mantissa >> 13);
		uint32_t rest = mantissa & 0x1fffu;

		/* A carry out of the mantissa correctly bumps the exponent (to inf at most). */
		if (rest > 0x1000u || (rest == 0x1000u && (half & 1)))
			half++;
		return (uint16_t)(sign | half);
	}
}

static float load_fp16(const uint8_t *p)
{
	return ea_fp16_to_fp32((uint16_t)(p[0] | p[1] << 8));
}

static void store_fp16(uint8_t *p, float f)
{
	uint16_t h = ea_fp32_to_fp16(f);

	p[0] = (uint8_t)h;
	p[1] = (uint8_t)(h >> 8);
}

/* Scale and min j (< 8) of a Q4_K block's 12 packed bytes: six bits each,
 * the first four in the low bits of bytes 0-7, the last four split between
 * bytes 8-11 (low four bits) and the top two bits of bytes 0-7. */
static void q4_k_scale_min(const uint8_t *s, int j, uint8_t *scale, uint8_t *min)
{
	if (j < 4) {
		*scale = s[j] & 63;
		*min = s[j + 4] & 63;
	} else {
		*scale = (uint8_t)((s[j + 4] & 0xf) | ((s[j - 4] >> 6) << 4));
		*min = (uint8_t)((s[j + 4] >> 4) | ((s[j] >> 6) << 4));
	}
}

static void dequant_q4_0(const uint8_t *b, float *y, size_t n)
{
	for (size_t i = 0; i < n; i += EA_QK_0, b += EA_BLOCK_Q4_0_BYTES, y += EA_QK_0) {
		float d = load_fp16(b);

		for (int j = 0; j < EA_QK_0 / 2; j++) {
			y[j] = (float)((b[2 + j] & 0xf) - 8) * d;
			y[j + EA_QK_0 / 2] = (float)((b[2 + j] >> 4) - 8) * d;
		}
	}
}

/* Q5_0: an fp16 scale, 32 fifth bits (bit j for value j), Q4_0's nibbles. */
static uint32_t load_u32(const uint8_t *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static void dequant_q5_0(const uint8_t *b, float *y, size_t n)
{
	for (size_t i = 0; i < n; i += EA_QK_0, b += EA_BLOCK_Q5_0_BYTES, y += EA_QK_0) {
		float d = load_fp16(b);
		uint32_t high = load_u32(b + 2);

		for (int j = 0; j < EA_QK_0 / 2; j++) {
			int lo = (b[6 + j] & 0xf) | (int)((high >> j) & 1) << 4;
			int hi = (b[6 + j] >> 4) | (int)((high >> (j + 16)) & 1) << 4;

			y[j] = (float)(lo - 16) * d;
			y[j + EA_QK_0 / 2] = (float)(hi - 16) * d;
		}
	}
}

static void dequant_q8_0(const uint8_t *b, float *y, size_t n)
{
	for (size_t i = 0; i < n; i += EA_QK_0, b += EA_BLOCK_Q8_0_BYTES, y += EA_QK_0) {
		float d = load_fp16(b);

		for (int j = 0; j < EA_QK_0; j++)
			y[j] = d * (float)(int8_t)b[2 + j];
	}
}

/*
 * Q4_K and Q5_K: fp16 d and dmin, the packed scales, for Q5_K 32 bytes of
 * fifth bits (value 32 s + l's at bit s of byte l), then the nibbles: 64
 * values at a time, the low nibbles of 32 bytes, then their high nibbles.
 */
static void dequant_k(const uint8_t *b, float *y, size_t n, bool fifth)
{
	size_t block = fifth ? EA_BLOCK_Q5_K_BYTES : EA_BLOCK_Q4_K_BYTES;

	for (size_t i = 0; i < n; i += EA_QK_K, b += block) {
		float d = load_fp16(b), dmin = load_fp16(b + 2);
		const uint8_t *scales = b + 4, *qh = b + 16, *q = b + (fifth ? 48 : 16);

		for (int s = 0; s < 8; s += 2, q += 32) {
			uint8_t sc, m;
			float d1, m1, d2, m2;

			q4_k_scale_min(scales, s, &sc, &m);
			d1 = d * sc;
			m1 = dmin * m;
			q4_k_scale_min(scales, s + 1, &sc, &m);
			d2 = d * sc;
			m2 = dmin * m;
			for (int l = 0; l < 32; l++)
				*y++ = d1 * (float)((q[l] & 0xf) |
						    (fifth ? ((qh[l] >> s) & 1) << 4 : 0)) - m1;
			for (int l = 0; l < 32; l++)
				*y++ = d2 * (float)((q[l] >> 4) |
						    (fifth ? ((qh[l] >> (s + 1)) & 1) << 4 : 0)) - m2;
		}
	}
}

static void dequant_q6_k(const uint8_t *b, float *y, size_t n)
{
	for (size_t i = 0; i < n; i += EA_QK_K, b += EA_BLOCK_Q6_K_BYTES) {
		const uint8_t *ql = b, *qh = b + 128;
		const int8_t *sc = (const int8_t *)(b + 192);
		float d = load_fp16(b + 208);

		/* Two halves of 128 values; value l of each quarter takes four bits
		 * from ql and two from qh. */
		for (int half = 0; half < 2; half++, ql += 64, qh += 32, sc += 8, y += 128) {
			for (int l = 0; l < 32; l++) {
				int is = l / 16;
				int q1 = ((ql[l] & 0xf) | (((qh[l] >> 0) & 3) << 4)) - 32;
				int q2 = ((ql[l + 32] & 0xf) | (((qh[l] >> 2) & 3) << 4)) - 32;
				int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
				int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;

				y[l] = d * sc[is] * (float)q1;
				y[l + 32] = d * sc[is + 2] * (float)q2;
				y[l + 64] = d * sc[is + 4] * (float)q3;
				y[l + 96] = d * sc[is + 6] * (float)q4;
			}
		}
	}
}

/* BF16: a float's upper half; rounded to the nearest, ties to even, NaN kept. */
static float load_bf16(const uint8_t *b)
{
	uint32_t bits = (uint32_t)(b[0] | b[1] << 8) << 16;
	float f;

	memcpy(&f, &bits, sizeof(f));
	return f;
}

static void store_bf16(uint8_t *b, float f)
{
	uint32_t bits;

	memcpy(&bits, &f, sizeof(bits));
	if ((bits & 0x7fffffffu) > 0x7f800000u)
		bits |= 0x00400000u;	/* a NaN stays a (quiet) NaN */
	else
		bits += 0x7fffu + ((bits >> 16) & 1u);
	b[0] = (uint8_t)(bits >> 16);
	b[1] = (uint8_t)(bits >> 24);
}

void ea_dequant_row(enum ea_type type, const void *src, float *dst, size_t n)
{
	const uint8_t *b = src;

	switch (type) {
	case EA_TYPE_F32:
		memcpy(dst, src, n * sizeof(float));
		break;
	case EA_TYPE_F16:
		if (have_f16c()) {
			fp16_row_f16c(b, dst, n);
			break;
		}
		for (size_t i = 0; i < n; i++)
			dst[i] = load_fp16(b + 2 * i);
		break;
	case EA_TYPE_BF16:
		for (size_t i = 0; i < n; i++)
			dst[i] = load_bf16(b + 2 * i);
		break;
	case EA_TYPE_Q4_0:
		dequant_q4_0(b, dst, n);
		break;
	case EA_TYPE_Q5_0:
		dequant_q5_0(b, dst, n);
		break;
	case EA_TYPE_Q8_0:
		dequant_q8_0(b, dst, n);
		break;
	case EA_TYPE_Q4_K:
		dequant_k(b, dst, n, false);
		break;
	case EA_TYPE_Q5_K:
		dequant_k(b, dst, n, true);
		break;
	case EA_TYPE_Q6_K:
		dequant_q6_k(b, dst, n);
		break;
	}
}

static float max_abs(const float *x, size_t n)
{
	float m = 0.0f;

	for (size_t i = 0; i < n; i++)
		if (fabsf(x[i]) > m)
			m = fabsf(x[i]);
	return m;
}

static int clamp_int(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static void quantize_q8_0(const float *x, uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i += EA_QK_0, x += EA_QK_0, b += EA_BLOCK_Q8_0_BYTES) {
		float d = max_abs(x, EA_QK_0) / 127.0f, id = d ? 1.0f / d : 0.0f;

		store_fp16(b, d);
		for (int j = 0; j < EA_QK_0; j++)
			b[2 + j] = (uint8_t)(int8_t)clamp_int((int)lroundf(x[j] * id), -127, 127);
	}
}

/* As ggml: the value of largest magnitude maps to -8, so its sign is kept exactly. */
static void quantize_q4_0(const float *x, uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i += EA_QK_0, x += EA_QK_0, b += EA_BLOCK_Q4_0_BYTES) {
		float amax = 0.0f, max = 0.0f, d, id;

		for (int j = 0; j < EA_QK_0; j++) {
			if (fabsf(x[j]) > amax) {
				amax = fabsf(x[j]);
				max = x[j];
			}
		}
		d = max / -8.0f;
		id = d ? 1.0f / d : 0.0f;
		store_fp16(b, d);
		for (int j = 0; j < EA_QK_0 / 2; j++) {
			int lo = clamp_int((int)lroundf(x[j] * id) + 8, 0, 15);
			int hi = clamp_int((int)lroundf(x[j + EA_QK_0 / 2] * id) + 8, 0, 15);

			b[2 + j] = (uint8_t)(lo | hi << 4);
		}
	}
}

/* Q5_0 as ggml scales it: d from the value of largest magnitude, which maps
 * to -16; the others rounded to the nearest of -16 .. 15. */
static void quantize_q5_0(const float *x, uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i += EA_QK_0, x += EA_QK_0, b += EA_BLOCK_Q5_0_BYTES) {
		float amax = 0.0f, max = 0.0f, d, id;
		uint32_t high = 0;

		for (int j = 0; j < EA_QK_0; j++) {
			if (fabsf(x[j]) > amax) {
				amax = fabsf(x[j]);
				max = x[j];
			}
		}
		d = max / -16.0f;
		id = d ? 1.0f / d : 0.0f;
		store_fp16(b, d);
		for (int j = 0; j < EA_QK_0 / 2; j++) {
			int lo = clamp_int((int)lroundf(x[j] * id) + 16, 0, 31);
			int hi = clamp_int((int)lroundf(x[j + EA_QK_0 / 2] * id) + 16, 0, 31);

			b[6 + j] = (uint8_t)((lo & 0xf) | (hi & 0xf) << 4);
			high |= (uint32_t)(lo >> 4) << j | (uint32_t)(hi >> 4) << (j + 16);
		}
		for (int k = 0; k < 4; k++)
			b[2 + k] = (uint8_t)(high >> (8 * k));
	}
}

static void pack_q4_k_scales(uint8_t *s, const uint8_t *sc, const uint8_t *m)
{
	memset(s, 0, 12);
	for (int j = 0; j < 8; j++) {
		if (j < 4) {
			s[j] |= sc[j];
			s[j + 4] |= m[j];
		} else {
			s[j + 4] = (uint8_t)((sc[j] & 0xf) | (m[j] & 0xf) << 4);
			s[j - 4] |= (uint8_t)((sc[j] >> 4) << 6);
			s[j] |= (uint8_t)((m[j] >> 4) << 6);
		}
	}
}

/*
 * The K-quants' scales of one block of 256 values (Q4_K: @levels 15, Q5_K:
 * 31): per sub-block of 32 a scale (max - min) / levels and a min -min,
 * each as a 6-bit multiple of the block's fp16 d and dmin, which go to @b,
 * the packed scales after them; the scales as they decode into @ds, @ms.
 */
static void k_scales(const float *x, uint8_t *b, int levels, float *ds, float *ms)
{
	float scale[8], min[8], max_scale = 0.0f, max_min = 0.0f, d, dmin;
	uint8_t ls[8], lm[8];

	for (int s = 0; s < 8; s++) {
		float lo = 0.0f, hi = 0.0f;

		for (int l = 0; l < 32; l++) {
			lo = fminf(lo, x[32 * s + l]);
			hi = fmaxf(hi, x[32 * s + l]);
		}
		scale[s] = (hi - lo) / (float)levels;
		min[s] = -lo;
		max_scale = fmaxf(max_scale, scale[s]);
		max_min = fmaxf(max_min, min[s]);
	}
	store_fp16(b, max_scale / 63.0f);
	store_fp16(b + 2, max_min / 63.0f);
	d = load_fp16(b);
	dmin = load_fp16(b + 2);
	for (int s = 0; s < 8; s++) {
		ls[s] = (uint8_t)(d ? clamp_int((int)lroundf(scale[s] / d), 0, 63) : 0);
		lm[s] = (uint8_t)(dmin ? clamp_int((int)lroundf(min[s] / dmin), 0, 63) : 0);
		ds[s] = d * ls[s];
		ms[s] = dmin * lm[s];
	}
	pack_q4_k_scales(b + 4, ls, lm);
}

/* A value's level in a sub-block of scale @ds and min @ms: 0 .. @levels. */
static int k_level(float x, float ds, float ms, int levels)
{
	return ds ? clamp_int((int)lroundf((x + ms) / ds), 0, levels) : 0;
}

/* Q4_K (levels 0 .. 15) and Q5_K (0 .. 31, the fifth bits apart): the
 * layout dequant_k() reads. */
static void quantize_k(const float *x, uint8_t *b, size_t n, bool fifth)
{
	size_t block = fifth ? EA_BLOCK_Q5_K_BYTES : EA_BLOCK_Q4_K_BYTES;
	int levels = fifth ? 31 : 15;

	for (size_t i = 0; i < n; i += EA_QK_K, x += EA_QK_K, b += block) {
		uint8_t *qh = b + 16, *qs = b + (fifth ? 48 : 16);
		float ds[8], ms[8];

		k_scales(x, b, levels, ds, ms);
		if (fifth)
			memset(qh, 0, 32);
		for (int s = 0; s < 8; s++) {
			uint8_t *q = qs + 32 * (s / 2);

			for (int l = 0; l < 32; l++) {
				int v = k_level(x[32 * s + l], ds[s], ms[s], levels);

				if (s % 2 == 0)
					q[l] = (uint8_t)(v & 0xf);
				else
					q[l] |= (uint8_t)((v & 0xf) << 4);
				if (fifth)
					qh[l] |= (uint8_t)((v >> 4) << s);
			}
		}
	}
}

static void pack_q6_k(uint8_t *ql, uint8_t *qh, const uint8_t *q)
{
	for (int half = 0; half < 2; half++, ql += 64, qh += 32, q += 128) {
		for (int l = 0; l < 32; l++) {
			uint8_t q1 = q[l], q2 = q[l + 32], q3 = q[l + 64], q4 = q[l + 96];

			ql[l] = (uint8_t)((q1 & 0xf) | (q3 & 0xf) << 4);
			ql[l + 32] = (uint8_t)((q2 & 0xf) | (q4 & 0xf) << 4);
			qh[l] = (uint8_t)((q1 >> 4) | (q2 >> 4) << 2 | (q3 >> 4) << 4 | (q4 >> 4) << 6);
		}
	}
}

/* Sixteen sub-blocks of 16 with an int8 scale each against one fp16 d. */
static void quantize_q6_k(const float *x, uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i += EA_QK_K, x += EA_QK_K, b += EA_BLOCK_Q6_K_BYTES) {
		float scale[16], max_scale = 0.0f, d;
		int8_t *sc = (int8_t *)(b + 192);
		uint8_t q[EA_QK_K];

		for (int s = 0; s < 16; s++) {
			scale[s] = max_abs(x + 16 * s, 16) / 31.0f;
			max_scale = fmaxf(max_scale, scale[s]);
		}
		store_fp16(b + 208, max_scale / 127.0f);
		d = load_fp16(b + 208);
		for (int s = 0; s < 16; s++) {
			float ds;

			sc[s] = (int8_t)(d ? clamp_int((int)lroundf(scale[s] / d), 0, 127) : 0);
			ds = d * sc[s];
			for (int l = 0; l < 16; l++) {
				int v = ds ? clamp_int((int)lroundf(x[16 * s + l] / ds), -32, 31) : 0;

				q[16 * s + l] = (uint8_t)(v + 32);
			}
		}
		pack_q6_k(b, b + 128, q);
	}
}

void ea_quantize_row(enum ea_type type, const float *src, void *dst, size_t n)
{
	uint8_t *b = dst;

	switch (type) {
	case EA_TYPE_F32:
		memcpy(dst, src, n * sizeof(float));
		break;
	case EA_TYPE_F16:
		for (size_t i = 0; i < n; i++)
			store_fp16(b + 2 * i, src[i]);
		break;
	case EA_TYPE_BF16:
		for (size_t i = 0; i < n; i++)
			store_bf16(b + 2 * i, src[i]);
		break;
	case EA_TYPE_Q4_0:
		quantize_q4_0(src, b, n);
		break;
	case EA_TYPE_Q5_0:
		quantize_q5_0(src, b, n);
		break;
	case EA_TYPE_Q8_0:
		quantize_q8_0(src, b, n);
		break;
	case EA_TYPE_Q4_K:
		quantize_k(src, b, n, false);
		break;
	case EA_TYPE_Q5_K:
		quantize_k(src, b, n, true);
		break;
	case EA_TYPE_Q6_K:
		quantize_q6_k(src, b, n);
		break;
	}
}

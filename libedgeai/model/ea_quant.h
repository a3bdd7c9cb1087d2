/* SPDX-License-Identifier: MIT */
/*
 * ea_quant - the tensor types of GGUF files: their ids, block layouts, sizes,
 * dequantization and (round-to-nearest) quantization, on the CPU.
 *
 * Every type stores a row of values as blocks of ea_type_block_values() values
 * in ea_type_block_bytes() bytes, laid out exactly as ggml's blocks (all
 * multi-byte fields little-endian, fp16 as IEEE half):
 *  - F32, F16, BF16: one value per "block" (BF16: a float's upper 16 bits).
 *  - Q8_0 (32 values, 34 bytes): fp16 d, int8 q[32]; x[j] = d * q[j].
 *  - Q4_0 (32 values, 18 bytes): fp16 d, uint8 qs[16]; x[j] = d * ((qs[j] & 15) - 8)
 *    and x[j + 16] = d * ((qs[j] >> 4) - 8) for j < 16.
 *  - Q5_0 (32 values, 22 bytes): fp16 d, uint32 qh (bit j: value j's fifth bit),
 *    qs[16] as Q4_0's; x = d * ((nibble | bit << 4) - 16).
 *  - Q4_K (256 values, 144 bytes): fp16 d, fp16 dmin, uint8 scales[12] (eight
 *    6-bit scales and eight 6-bit mins), uint8 qs[128]; sub-block s of 32 values
 *    is d * sc[s] * q - dmin * m[s].
 *  - Q5_K (256 values, 176 bytes): Q4_K's d, dmin and scales, uint8 qh[32] (bit s
 *    of byte l: value 32 s + l's fifth bit), then Q4_K's qs[128].
 *  - Q6_K (256 values, 210 bytes): uint8 ql[128] (low 4 bits), uint8 qh[64]
 *    (high 2 bits), int8 scales[16] (one per 16 values), fp16 d;
 *    x = d * scales[i] * (q - 32).
 */
#ifndef EA_QUANT_H
#define EA_QUANT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "edgeai.h"

/* The tensor types edgeai supports, with ggml's numeric ids (GGUF's ggml_type). */
enum ea_type {
	EA_TYPE_F32 = 0,
	EA_TYPE_F16 = 1,
	EA_TYPE_Q4_0 = 2,
	EA_TYPE_Q5_0 = 6,
	EA_TYPE_Q8_0 = 8,
	EA_TYPE_Q4_K = 12,
	EA_TYPE_Q5_K = 13,
	EA_TYPE_Q6_K = 14,
	EA_TYPE_BF16 = 30,
};

#define EA_QK_0 32	/* values per block of Q4_0, Q5_0 and Q8_0 */
#define EA_QK_K 256	/* values per block of Q4_K, Q5_K and Q6_K */
#define EA_BLOCK_Q4_0_BYTES 18
#define EA_BLOCK_Q5_0_BYTES 22
#define EA_BLOCK_Q8_0_BYTES 34
#define EA_BLOCK_Q4_K_BYTES 144
#define EA_BLOCK_Q5_K_BYTES 176
#define EA_BLOCK_Q6_K_BYTES 210

/* Whether @id (a ggml_type read from a file) is one of enum ea_type. */
bool ea_type_valid(uint32_t id);

/* "f32", "f16", "q4_0", "q5_0", "q8_0", "q4_k", "q5_k", "q6_k", "bf16"; "?" if invalid. */
const char *ea_type_name(enum ea_type type);

/* The type named @name (as ea_type_name() spells it, case-insensitive).
 * Returns false when no type has that name. */
bool ea_type_from_name(const char *name, enum ea_type *type);

/* Values per block (1 for F32, F16, BF16) and bytes per block; 0 if invalid. */
size_t ea_type_block_values(enum ea_type type);
size_t ea_type_block_bytes(enum ea_type type);

/* Bytes of a row of @n values; 0 when @n is not a multiple of the block size
 * or the type is invalid. */
size_t ea_type_row_bytes(enum ea_type type, size_t n);

/* Decode the row of @n values (a multiple of the block size) at @src into
 * @dst. Trusted arguments: the caller checked type and n. */
void ea_dequant_row(enum ea_type type, const void *src, float *dst, size_t n);

/* Encode @n values (a multiple of the block size) of @src into @dst, which
 * holds ea_type_row_bytes(type, n) bytes: round-to-nearest, meant for
 * synthesized models and tests, not for the best quality. */
void ea_quantize_row(enum ea_type type, const float *src, void *dst, size_t n);

/* fp32 to IEEE half, round to nearest even (overflow gives inf, NaN stays NaN). */
uint16_t ea_fp32_to_fp16(float f);

#endif /* EA_QUANT_H */

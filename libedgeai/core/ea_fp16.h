/* SPDX-License-Identifier: MIT */
/* ea_fp16 - IEEE half precision on the CPU, exact for every bit pattern. */
#ifndef EA_FP16_H
#define EA_FP16_H

#include <stdint.h>
#include <string.h>

/* fp16 bits to fp32: every half, subnormals included, is exact in fp32. */
static inline float ea_fp16_to_fp32(uint16_t h)
{
	uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
	uint32_t exponent = (h >> 10) & 0x1fu;
	uint32_t mantissa = h & 0x3ffu;
	uint32_t bits;
	float f;

	if (exponent == 0) {
		f = (float)mantissa * 0x1p-24f;
		return sign ? -f : f;
	}
	if (exponent == 31)
		bits = sign | 0x7f800000u | (mantissa << 13);
	else
		bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
	memcpy(&f, &bits, sizeof(f));
	return f;
}

#endif /* EA_FP16_H */

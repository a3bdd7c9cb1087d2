// F16 weights (rows 2-byte aligned): row_bytes() and w_at().
uint row_bytes(uint cols)
{
	return cols * 2u;
}

float w_at(uint row, uint k)
{
	return w_half(row + 2u * k);
}

// Values k and k + 1 (k even) from one 32-bit load where the row is aligned.
#define W_PAIR
vec2 w_pair(uint row, uint k)
{
	uint word = w_u32(row + 2u * k);

	return vec2(half_to_float(word & 0xffffu), half_to_float(word >> 16));
}

// A matmul unit: 16 bytes (matmul_unit16.glsl).
#define PAIR(word) unpackHalf2x16(word)
#include "matmul_unit16.glsl"

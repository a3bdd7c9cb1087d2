// BF16 weights (a float's upper 16 bits; rows 2-byte aligned): row_bytes() and w_at().
uint row_bytes(uint cols)
{
	return cols * 2u;
}

float w_at(uint row, uint k)
{
	return uintBitsToFloat(w_u16(row + 2u * k) << 16);
}

// The two bf16 values of a word as floats.
vec2 bf16_pair(uint word)
{
	return vec2(uintBitsToFloat(word << 16), uintBitsToFloat(word & 0xffff0000u));
}

// Values k and k + 1 (k even) from one 32-bit load where the row is aligned.
#define W_PAIR
vec2 w_pair(uint row, uint k)
{
	return bf16_pair(w_u32(row + 2u * k));
}

// A matmul unit: 16 bytes (matmul_unit16.glsl).
#define PAIR(word) bf16_pair(word)
#include "matmul_unit16.glsl"

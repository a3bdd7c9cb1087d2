// Q4_0 weights, ggml's block_q4_0: 18 bytes per 32 values, an fp16 scale d and
// 16 bytes of nibbles; byte j holds value j in its low nibble and value j + 16
// in its high one; a value is d * (nibble - 8).
#define Q4_0_BYTES 18u

uint row_bytes(uint cols)
{
	return cols / 32u * Q4_0_BYTES;
}

float w_at(uint row, uint k)
{
	uint block = row + k / 32u * Q4_0_BYTES;
	uint j = k % 32u;
	uint byte = w_byte(block + 2u + j % 16u);

	return w_half(block) * (float(j < 16u ? byte & 0xfu : byte >> 4) - 8.0);
}

// A matmul unit (matmul_unit_d8.glsl): values k .. k + 7 are the low (k % 32 <
// 16) or high nibbles of 8 bytes from byte k % 16 of the block's nibbles.
#define BLOCK_BYTES Q4_0_BYTES
#define UNIT_AT(k) (2u + (k) % 16u)

void unit_values(uvec2 q, float d, uint k, out vec4 lo, out vec4 hi)
{
	q >>= k % 32u / 16u * 4u;	// values 16 .. 31: the high nibbles
	lo = d * (low_nibbles(q.x) - 8.0);
	hi = d * (low_nibbles(q.y) - 8.0);
}

#include "matmul_unit_d8.glsl"

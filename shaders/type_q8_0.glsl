// Q8_0 weights, ggml's block_q8_0: 34 bytes per 32 values, an fp16 scale d and
// 32 int8 q; value j is d * q[j].
#define Q8_0_BYTES 34u

uint row_bytes(uint cols)
{
	return cols / 32u * Q8_0_BYTES;
}

float w_at(uint row, uint k)
{
	uint block = row + k / 32u * Q8_0_BYTES;

	return w_half(block) * float(bitfieldExtract(int(w_byte(block + 2u + k % 32u)), 0, 8));
}

// A matmul unit (matmul_unit_d8.glsl): values k .. k + 7 are 8 bytes from byte
// k % 32 of the block's q.
#define BLOCK_BYTES Q8_0_BYTES
#define UNIT_AT(k) (2u + (k) % 32u)

void unit_values(uvec2 q, float d, uint k, out vec4 lo, out vec4 hi)
{
	lo = d * signed_bytes(q.x);
	hi = d * signed_bytes(q.y);
}

#include "matmul_unit_d8.glsl"

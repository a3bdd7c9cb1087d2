// Q4_K weights, ggml's block_q4_K: 144 bytes per 256 values: fp16 d, fp16
// dmin, 12 bytes of 6-bit scales and mins for 8 sub-blocks of 32, then 128
// bytes of nibbles. Values 64g .. 64g+31 are the low nibbles of bytes
// 32g .. 32g+31 (sub-block 2g), values 64g+32 .. 64g+63 their high nibbles
// (sub-block 2g+1); a value is d * scale * nibble - dmin * min.
#define Q4_K_BYTES 144u

uint row_bytes(uint cols)
{
	return cols / 256u * Q4_K_BYTES;
}

#include "k_scales.glsl"

float w_at(uint row, uint k)
{
	uint block = row + k / 256u * Q4_K_BYTES;
	uint r = k % 256u;
	uint g = r / 64u;
	bool high = (r % 64u) >= 32u;
	uint byte = w_byte(block + 16u + 32u * g + r % 32u);
	vec2 sm = k_scale_min(block, 2u * g + (high ? 1u : 0u));
	float q = float(high ? byte >> 4 : byte & 0xfu);

	return w_half(block) * sm.x * q - w_half(block + 2u) * sm.y;
}

// Q5_K weights, ggml's block_q5_K: 176 bytes per 256 values: fp16 d, fp16
// dmin, the 12 bytes of scales and mins Q4_K has, 32 bytes of fifth bits, then
// 128 bytes of nibbles laid out as Q4_K's. Value 64g + 32h + l (sub-block
// 2g + h) has its fifth bit at bit 2g + h of high byte l; a value is
// d * scale * (nibble | bit << 4) - dmin * min.
#define Q5_K_BYTES 176u

#include "k_scales.glsl"

uint row_bytes(uint cols)
{
	return cols / 256u * Q5_K_BYTES;
}

float w_at(uint row, uint k)
{
	uint block = row + k / 256u * Q5_K_BYTES;
	uint r = k % 256u;
	uint g = r / 64u;
	uint h = (r % 64u) >= 32u ? 1u : 0u;
	uint byte = w_byte(block + 48u + 32u * g + r % 32u);
	uint bit = (w_byte(block + 16u + r % 32u) >> (2u * g + h)) & 1u;
	vec2 sm = k_scale_min(block, 2u * g + h);
	float q = float((h == 1u ? byte >> 4 : byte & 0xfu) | bit << 4);

	return w_half(block) * sm.x * q - w_half(block + 2u) * sm.y;
}

// Bit @bit of each of the four bytes of @word, as 16 or 0.
vec4 byte_bits(uint word, uint bit)
{
	return vec4((word >> bit) & 1u, (word >> (8u + bit)) & 1u, (word >> (16u + bit)) & 1u,
		    (word >> (24u + bit)) & 1u) * 16.0;
}

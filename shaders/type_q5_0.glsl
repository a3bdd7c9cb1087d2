// Q5_0 weights, ggml's block_q5_0: 22 bytes per 32 values: an fp16 scale d,
// 32 high bits (bit j is value j's fifth bit, little-endian) and 16 bytes of
// nibbles laid out as Q4_0's (byte j: value j low, value j + 16 high); a value
// is d * (q - 16) with q = nibble | high bit << 4.
#define Q5_0_BYTES 22u

uint row_bytes(uint cols)
{
	return cols / 32u * Q5_0_BYTES;
}

float w_at(uint row, uint k)
{
	uint block = row + k / 32u * Q5_0_BYTES;
	uint j = k % 32u;
	uint byte = w_byte(block + 6u + j % 16u);
	uint high = (w_u32(block + 2u) >> j) & 1u;

	return w_half(block) * (float((j < 16u ? byte & 0xfu : byte >> 4) | high << 4) - 16.0);
}

// Four fifth bits (bits 0..3 of @bits) as 16 or 0 each.
vec4 fifth_bits(uint bits)
{
	return vec4(bits & 1u, (bits >> 1) & 1u, (bits >> 2) & 1u, (bits >> 3) & 1u) * 16.0;
}

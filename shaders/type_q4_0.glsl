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

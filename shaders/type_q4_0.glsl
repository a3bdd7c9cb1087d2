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

// A matmul unit (matmul_unit.glsl): values k .. k + 7 are the low (k % 32 <
// 16) or high nibbles of 8 bytes from byte k % 16 of the block's nibbles.
#define W_UNIT
struct w_raw {
	uvec3 q;	// the words holding the 8 bytes
	uint d;		// the word holding d
};

w_raw w_unit_load(uint row, uint k)
{
	uint block = row + k / 32u * Q4_0_BYTES;
	w_raw r;

	r.q = w_words8(block + 2u + k % 16u);
	r.d = w.words[block >> 2];
	return r;
}

void w_unit_decode(w_raw r, uint row, uint k, out vec4 lo, out vec4 hi)
{
	uint block = row + k / 32u * Q4_0_BYTES;
	uvec2 q = w_join8(r.q, block + 2u + k % 16u) >> (k % 32u / 16u * 4u);
	float d = w_half_in(r.d, block);

	lo = d * (low_nibbles(q.x) - 8.0);
	hi = d * (low_nibbles(q.y) - 8.0);
}

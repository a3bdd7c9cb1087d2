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

// A matmul unit (matmul_unit.glsl): values k .. k + 7 are 8 bytes from byte
// k % 32 of the block's q.
#define W_UNIT
struct w_raw {
	uvec3 q;	// the words holding the 8 bytes
	uint d;		// the word holding d
};

w_raw w_unit_load(uint row, uint k)
{
	uint block = row + k / 32u * Q8_0_BYTES;
	w_raw r;

	r.q = w_words8(block + 2u + k % 32u);
	r.d = w.words[block >> 2];
	return r;
}

void w_unit_decode(w_raw r, uint row, uint k, out vec4 lo, out vec4 hi)
{
	uint block = row + k / 32u * Q8_0_BYTES;
	uvec2 q = w_join8(r.q, block + 2u + k % 32u);
	float d = w_half_in(r.d, block);

	lo = d * signed_bytes(q.x);
	hi = d * signed_bytes(q.y);
}

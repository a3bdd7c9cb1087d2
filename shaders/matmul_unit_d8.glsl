// The matmul unit (matmul_unit.glsl) of the blocks of 32 with an fp16 d at
// their start and a byte a value or two, Q4_0 and Q8_0: a unit's values come
// from 8 bytes of the block (from an even offset: three words at most) and
// d. The type file defines BLOCK_BYTES, UNIT_AT(k) (the byte of the block its
// unit of values k .. k + 7 starts at) and unit_values(q, d, k, lo, hi) (the
// values of the unit's 8 bytes q).
#define W_UNIT
struct w_raw {
	uvec3 q;	// the words holding the 8 bytes
	uint d;		// the word holding d
};

w_raw w_unit_load(uint row, uint k)
{
	uint block = row + k / 32u * BLOCK_BYTES;
	w_raw r;

	r.q = w_words8(block + UNIT_AT(k));
	r.d = w.words[block >> 2];
	return r;
}

void w_unit_decode(w_raw r, uint row, uint k, out vec4 lo, out vec4 hi)
{
	uint block = row + k / 32u * BLOCK_BYTES;

	unit_values(w_join8(r.q, block + UNIT_AT(k)), w_half_in(r.d, block), k, lo, hi);
}

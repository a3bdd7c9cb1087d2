// F32 weights: row_bytes() and w_at(), the value at column k of the row at
// byte offset row.
uint row_bytes(uint cols)
{
	return cols * 4u;
}

float w_at(uint row, uint k)
{
	return uintBitsToFloat(w.words[(row >> 2) + k]);
}

// A matmul unit (matmul_unit.glsl): 8 words.
#define W_UNIT
struct w_raw {
	uvec4 lo, hi;
};

w_raw w_unit_load(uint row, uint k)
{
	uint o = (row >> 2) + k;
	w_raw r;

	r.lo = uvec4(w.words[o], w.words[o + 1u], w.words[o + 2u], w.words[o + 3u]);
	r.hi = uvec4(w.words[o + 4u], w.words[o + 5u], w.words[o + 6u], w.words[o + 7u]);
	return r;
}

void w_unit_decode(w_raw r, uint row, uint k, out vec4 lo, out vec4 hi)
{
	lo = uintBitsToFloat(r.lo);
	hi = uintBitsToFloat(r.hi);
}

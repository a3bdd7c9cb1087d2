// Weights 8 values at a time for the prompt matmuls (matmul_main.glsl,
// matmul_cm_main.glsl). A type file that defines W_UNIT gives
//   struct w_raw                          what a unit is decoded from
//   w_raw w_unit_load(uint row, uint k)   the unit's loads only
//   void w_unit_decode(w_raw r, uint row, uint k, out vec4 lo, out vec4 hi)
// for values k .. k + 7 of the row at byte offset row (k a multiple of 8,
// k + 8 <= cols): a kernel issues the loads of its next step, works on this
// one, and decodes after, so that its loads are in flight while it works.
// Every load of a unit is as wide as the type's alignment allows, and a block's
// scale is decoded once a unit rather than once a value.
//
// Without W_UNIT, a unit is eight w_at() calls, decoded when loaded.

#ifndef W_UNIT
struct w_raw {
	vec4 lo;
	vec4 hi;
};

w_raw w_unit_load(uint row, uint k)
{
	w_raw r;

	[[unroll]] for (uint i = 0u; i < 4u; i++) {
		r.lo[i] = w_at(row, k + i);
		r.hi[i] = w_at(row, k + 4u + i);
	}
	return r;
}

void w_unit_decode(w_raw r, uint row, uint k, out vec4 lo, out vec4 hi)
{
	lo = r.lo;
	hi = r.hi;
}
#endif

// Values k .. k + 7 of a weight row, zero past the row's end (row_ok false)
// or past cols (only types with any cols: F32, F16, BF16).
void w_unit_or_tail(w_raw r, bool row_ok, uint row, uint k, out vec4 lo, out vec4 hi)
{
	lo = vec4(0.0);
	hi = vec4(0.0);
	if (!row_ok || k >= p.cols)
		return;
	if (k + 8u <= p.cols) {
		w_unit_decode(r, row, k, lo, hi);
		return;
	}
	for (uint i = 0u; i < 4u; i++) {
		if (k + i < p.cols)
			lo[i] = w_at(row, k + i);
		if (k + 4u + i < p.cols)
			hi[i] = w_at(row, k + 4u + i);
	}
}

// The body of every matvec_<type>_i8*.comp (see matvec_i8_head.glsl).

#include "matvec_rows.glsl"

#ifdef EA_I8_OWN_X
#define X_QUAD(i) xv.values[i]
#define NORM_QUAD(i) nrm4.values[i]
#define QX_STORE(u, v) own_qx[u] = (v)
#define QD_STORE(u, v) own_qd[u] = (v)
#include "quantize_x_block.glsl"
#include "ea_reduce.glsl"

// x quantized into shared memory by the whole workgroup; returns the scale
// of every sum (1 / rms with MV_NORM, else 1).
float quantize_own_x()
{
	bool norm_on = (p.flags & EA_MV_NORM) != 0u;
	float ss = 0.0;

	for (uint b = gl_LocalInvocationID.x; b < p.cols / 32u; b += WG)
		ss += quantize_block(b, norm_on);
	ss = reduce_add(ss);	// its barriers also publish own_qx and own_qd
	return norm_on ? inversesqrt(ss / float(p.cols) + p.eps) : 1.0;
}
#endif

void main()
{
	uint group = gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x;
	bool swiglu = (p.flags & MV_SWIGLU) != 0u;
	uint per_group = swiglu ? MATVEC_ROWS / 2u : MATVEC_ROWS;	// rows of y
	uint row0 = group * per_group;
	uint n_units = p.cols / 16u;
	uint stride = p.cols / 32u * BLOCK_BYTES;
	uint id = gl_LocalInvocationID.x;
	uint n_out = min(per_group, p.rows - min(row0, p.rows));
#ifdef EA_I8_OWN_X
	float x_scale = quantize_own_x();
#else
	float x_scale = qd.values[n_units].x;
#endif
	float acc[MATVEC_ROWS];
	uint at[MATVEC_ROWS];	// byte offset of the weight row each accumulator reads

	for (uint r = 0u; r < MATVEC_ROWS; r++) {
		uint out_row = min(row0 + r % per_group, p.rows - 1u);

		acc[r] = 0.0;
		at[r] = (out_row + (r / per_group) * p.rows) * stride;
	}
	// A short last group repeats its last row: the same loads, results unused.
	for (uint u = id; u < n_units; u += WG) {
		uvec4 xq = XQ(u);
		vec2 xd = XD(u);
		uint off = (u >> 1) * BLOCK_BYTES;
		uint half_at = 2u + (u & 1u) * UNIT_HALF;

		for (uint r = 0u; r < MATVEC_ROWS; r++) {
			uint block = at[r] + off;
			unit_w q = load_unit(block, block + half_at);
			float dw = w_scale(q.dw, block);
			int sumi = unit_sumi(q, block + half_at, xq);

			acc[r] += dw * (xd.x * float(sumi) - xd.y);
		}
	}
#ifdef EA_SUBGROUP
	for (uint r = 0u; r < MATVEC_ROWS; r++)
		acc[r] = subgroupAdd(acc[r]);
	if (subgroupElect())
		for (uint r = 0u; r < MATVEC_ROWS; r++)
			partial[r][gl_SubgroupID] = acc[r];
	barrier();
#else
	for (uint r = 0u; r < MATVEC_ROWS; r++)
		partial[r][id] = acc[r];
	barrier();
	for (uint half_size = WG / 2u; half_size > 0u; half_size >>= 1) {
		if (id < half_size)
			for (uint r = 0u; r < MATVEC_ROWS; r++)
				partial[r][id] += partial[r][id + half_size];
		barrier();
	}
#endif
	if (id < n_out) {
		float scale = x_scale;
		float v = row_total(id) * scale;

		if (swiglu) {
			float u = row_total(id + per_group) * scale;

			v = v / (1.0 + exp(-v)) * u;
		}
		if ((p.flags & MV_ACC) != 0u)
			v += y.values[row0 + id];
		y.values[row0 + id] = v;
	}
}

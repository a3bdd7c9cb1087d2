// The body of every matvec_<type>_i8*.comp (see matvec_i8_head.glsl).

#include "matvec_rows.glsl"

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
	float acc[MATVEC_ROWS];
	uint at[MATVEC_ROWS];	// byte offset of the weight row each accumulator reads

	for (uint r = 0u; r < MATVEC_ROWS; r++) {
		uint out_row = min(row0 + r % per_group, p.rows - 1u);

		acc[r] = 0.0;
		at[r] = (out_row + (r / per_group) * p.rows) * stride;
	}
	// A short last group repeats its last row: the same loads, results unused.
	for (uint u = id; u < n_units; u += WG) {
		uvec4 xq = qx.values[u];
		vec2 xd = qd.values[u];
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
		float scale = qd.values[n_units].x;
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

// The body of every matvec_<type>.comp (see matvec_head.glsl).

shared float partial[MATVEC_ROWS][WG];

// The sum of x[k]^2 over the row, in every invocation (uniform control flow).
float sum_squares(uint id)
{
	float ss = 0.0;

	for (uint k = id; k < p.cols; k += WG)
		ss += x.values[k] * x.values[k];
#ifdef EA_SUBGROUP
	ss = subgroupAdd(ss);
	if (subgroupElect())
		partial[0][gl_SubgroupID] = ss;
	barrier();
	ss = 0.0;
	for (uint i = 0u; i < gl_NumSubgroups; i++)
		ss += partial[0][i];
#else
	partial[0][id] = ss;
	barrier();
	for (uint half_size = WG / 2u; half_size > 0u; half_size >>= 1) {
		if (id < half_size)
			partial[0][id] += partial[0][id + half_size];
		barrier();
	}
	ss = partial[0][0];
#endif
	barrier();	// partial[] is reused below
	return ss;
}

#include "matvec_rows.glsl"

void main()
{
	uint group = gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x;
	bool swiglu = (p.flags & MV_SWIGLU) != 0u;
	uint per_group = swiglu ? MATVEC_ROWS / 2u : MATVEC_ROWS;	// rows of y
	uint row0 = group * per_group;
	uint n_units = units_per_row(p.cols);
	uint stride = row_bytes(p.cols);
	uint id = gl_LocalInvocationID.x;
	uint n_out = min(per_group, p.rows - min(row0, p.rows));
	float scale = 1.0;
	float acc[MATVEC_ROWS];
	uint at[MATVEC_ROWS];	// byte offset of the weight row each accumulator reads

	norm_on = (p.flags & MV_NORM) != 0u;
	if (norm_on)
		scale = inversesqrt(sum_squares(id) / float(p.cols) + p.eps);
	for (uint r = 0u; r < MATVEC_ROWS; r++) {
		uint out_row = min(row0 + r % per_group, p.rows - 1u);

		acc[r] = 0.0;
		at[r] = (out_row + (r / per_group) * p.rows) * stride;
	}
	// A short last group repeats its last row: the same loads, results unused.
	for (uint u = id; u < n_units; u += WG) {
#ifdef UNIT_X
		unit_x(u);
#endif
		for (uint r = 0u; r < MATVEC_ROWS; r++)
			acc[r] += unit_dot(at[r], u);
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

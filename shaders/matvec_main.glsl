// The body of every matvec_<type>.comp (see matvec_head.glsl).

shared float partial[MATVEC_ROWS][WG];

void main()
{
	uint group = gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x;
	uint row0 = group * MATVEC_ROWS;
	uint n_units = units_per_row(p.cols);
	uint stride = row_bytes(p.cols);
	uint id = gl_LocalInvocationID.x;
	uint n_rows = min(MATVEC_ROWS, p.rows - min(row0, p.rows));
	float acc[MATVEC_ROWS];

	for (uint r = 0u; r < MATVEC_ROWS; r++)
		acc[r] = 0.0;
	if (n_rows == MATVEC_ROWS) {
		for (uint u = id; u < n_units; u += WG)
			for (uint r = 0u; r < MATVEC_ROWS; r++)
				acc[r] += unit_dot((row0 + r) * stride, u);
	} else {
		for (uint u = id; u < n_units; u += WG)
			for (uint r = 0u; r < n_rows; r++)
				acc[r] += unit_dot((row0 + r) * stride, u);
	}
#ifdef EA_SUBGROUP
	for (uint r = 0u; r < MATVEC_ROWS; r++)
		acc[r] = subgroupAdd(acc[r]);
	if (subgroupElect())
		for (uint r = 0u; r < MATVEC_ROWS; r++)
			partial[r][gl_SubgroupID] = acc[r];
	barrier();
	if (id < n_rows) {
		float sum = 0.0;

		for (uint i = 0u; i < gl_NumSubgroups; i++)
			sum += partial[id][i];
		y.values[row0 + id] = sum;
	}
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
	if (id < n_rows)
		y.values[row0 + id] = partial[id][0];
#endif
}

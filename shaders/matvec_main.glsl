// The body of every matvec_<type>.comp (see matvec_head.glsl).

void main()
{
	uint group = gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x;
	uint row0 = group * MATVEC_ROWS;
	uint n_units = units_per_row(p.cols);
	uint stride = row_bytes(p.cols);
	float acc[MATVEC_ROWS];

	for (uint r = 0u; r < MATVEC_ROWS; r++)
		acc[r] = 0.0;
	for (uint u = gl_LocalInvocationID.x; u < n_units; u += WG)
		for (uint r = 0u; r < MATVEC_ROWS; r++)
			if (row0 + r < p.rows)
				acc[r] += unit_dot((row0 + r) * stride, u);
	for (uint r = 0u; r < MATVEC_ROWS; r++) {
		float sum = reduce_add(acc[r]);

		if (gl_LocalInvocationID.x == 0u && row0 + r < p.rows)
			y.values[row0 + r] = sum;
	}
}

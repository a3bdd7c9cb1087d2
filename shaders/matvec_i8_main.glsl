// The body of every matvec_<type>_i8*.comp (see matvec_i8_head.glsl).

// Quantize block b of x (times the norm weight with norm_on) into the shared
// arrays; returns the sum of the squares of its x values.
float quantize_block(uint b, bool norm_on)
{
	vec4 v[8];
	float amax = 0.0, ss = 0.0;

	for (uint i = 0u; i < 8u; i++) {
		vec4 xi = xv.values[b * 8u + i];

		ss += dot(xi, xi);
		v[i] = norm_on ? xi * nrm4.values[b * 8u + i] : xi;
		vec4 a = abs(v[i]);
		amax = max(amax, max(max(a.x, a.y), max(a.z, a.w)));
	}
	float d = amax / 127.0;
	float inv = d > 0.0 ? 1.0 / d : 0.0;
	uint q[8];

	for (uint i = 0u; i < 8u; i++)
		q[i] = pack_q(v[i], inv);
#ifdef Q4_0_ORDER
	// unit h takes values 8h .. 8h+7 (low nibbles) and 16+8h .. 16+8h+7 (high)
	for (uint h = 0u; h < 2u; h++) {
		int s = sum_q(v[2u * h], inv) + sum_q(v[2u * h + 1u], inv) +
			sum_q(v[4u + 2u * h], inv) + sum_q(v[5u + 2u * h], inv);

		qx[2u * b + h] = uvec4(q[2u * h], q[2u * h + 1u], q[4u + 2u * h], q[5u + 2u * h]);
		qd[2u * b + h] = vec2(d, 8.0 * d * float(s));
	}
#else
	qx[2u * b] = uvec4(q[0], q[1], q[2], q[3]);
	qx[2u * b + 1u] = uvec4(q[4], q[5], q[6], q[7]);
	qd[2u * b] = vec2(d, 0.0);
	qd[2u * b + 1u] = vec2(d, 0.0);
#endif
	return ss;
}

#include "matvec_rows.glsl"

void main()
{
	uint group = gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x;
	bool swiglu = (p.flags & MV_SWIGLU) != 0u;
	bool norm_on = (p.flags & MV_NORM) != 0u;
	uint per_group = swiglu ? MATVEC_ROWS / 2u : MATVEC_ROWS;	// rows of y
	uint row0 = group * per_group;
	uint n_blocks = p.cols / 32u;
	uint n_units = n_blocks * 2u;
	uint stride = n_blocks * BLOCK_BYTES;
	uint id = gl_LocalInvocationID.x;
	uint n_out = min(per_group, p.rows - min(row0, p.rows));
	float acc[MATVEC_ROWS + 1u];	// + 1: the sum of x^2
	uint at[MATVEC_ROWS];	// byte offset of the weight row each accumulator reads

	for (uint r = 0u; r < MATVEC_ROWS; r++) {
		uint out_row = min(row0 + r % per_group, p.rows - 1u);

		acc[r] = 0.0;
		at[r] = (out_row + (r / per_group) * p.rows) * stride;
	}
	// A short last group repeats its last row: the same loads, results unused.
	acc[MATVEC_ROWS] = 0.0;
	for (uint b = id; b < n_blocks; b += WG)
		acc[MATVEC_ROWS] += quantize_block(b, norm_on);
	barrier();
	for (uint u = id; u < n_units; u += WG) {
		uvec4 xq = qx[u];
		vec2 xd = qd[u];
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
	for (uint r = 0u; r <= MATVEC_ROWS; r++)
		acc[r] = subgroupAdd(acc[r]);
	if (subgroupElect())
		for (uint r = 0u; r <= MATVEC_ROWS; r++)
			partial[r][gl_SubgroupID] = acc[r];
	barrier();
#else
	for (uint r = 0u; r <= MATVEC_ROWS; r++)
		partial[r][id] = acc[r];
	barrier();
	for (uint half_size = WG / 2u; half_size > 0u; half_size >>= 1) {
		if (id < half_size)
			for (uint r = 0u; r <= MATVEC_ROWS; r++)
				partial[r][id] += partial[r][id + half_size];
		barrier();
	}
#endif
	if (id < n_out) {
		float scale = norm_on ?
			inversesqrt(row_total(MATVEC_ROWS) / float(p.cols) + p.eps) : 1.0;
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

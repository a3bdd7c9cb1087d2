// The body of every matmul_<type>_cpu (the build with EA_CPU_SHAPE) for
// devices that run shaders on the CPU (lavapipe): see matmul_head.glsl.
//
// Such a device runs a subgroup as the SIMD lanes of one CPU thread. There a
// storage buffer load whose address is not a constant or push constant is a
// loop over the lanes with a bounds check each (~100 instructions), while a
// subgroupBroadcast() of a lane's register to all is one extract and splat.
// So each load must feed many multiplies: the workgroup is one subgroup of
// CPU_LANES invocations; each owns CPU_ROWS weight rows and the workgroup's
// CPU_TOKENS tokens; per chunk of CPU_LANES columns, lane i loads column
// k0 + i of each token's X row once and the broadcasts hand it to every lane,
// which multiplies it into its rows' weights (dequantized once a chunk). No
// shared memory and no barrier (a barrier is a coroutine switch there).

#define CPU_LANES EA_CPU_LANES
#define CPU_ROWS EA_MATMUL_CPU_ROWS
#define CPU_TOKENS EA_MATMUL_CPU_TOKENS

#ifndef W_PAIR
vec2 w_pair(uint row, uint k)
{
	return vec2(w_at(row, k), w_at(row, k + 1u));
}
#endif

void main()
{
	uint lane = gl_SubgroupInvocationID;
	uint row0 = (gl_WorkGroupID.x * CPU_LANES + lane) * CPU_ROWS;
	uint token0 = gl_WorkGroupID.y * CPU_TOKENS;
	uint stride = row_bytes(p.cols);
	uint base[CPU_ROWS];
	uint x_row[CPU_TOKENS];
	float acc[CPU_ROWS][CPU_TOKENS];

	[[unroll]] for (uint r = 0u; r < CPU_ROWS; r++) {
		base[r] = min(row0 + r, p.rows - 1u) * stride;	// past the end: a copy
		[[unroll]] for (uint t = 0u; t < CPU_TOKENS; t++)
			acc[r][t] = 0.0;
	}
	[[unroll]] for (uint t = 0u; t < CPU_TOKENS; t++)
		x_row[t] = min(token0 + t, p.n_tokens - 1u) * p.cols;
	for (uint k0 = 0u; k0 < p.cols; k0 += CPU_LANES) {
		bool whole = k0 + CPU_LANES <= p.cols;
		uint k = k0 + lane % CPU_LANES;
		float wk[CPU_ROWS][CPU_LANES];
		float xk[CPU_TOKENS];

		[[unroll]] for (uint t = 0u; t < CPU_TOKENS; t++)
			xk[t] = k < p.cols ? x.values[x_row[t] + k] : 0.0;
		[[unroll]] for (uint r = 0u; r < CPU_ROWS; r++) {
			if (whole) {
				[[unroll]] for (uint j = 0u; j < CPU_LANES; j += 2u) {
					vec2 pair = w_pair(base[r], k0 + j);

					wk[r][j] = pair.x;
					wk[r][j + 1u] = pair.y;
				}
			} else {
				[[unroll]] for (uint j = 0u; j < CPU_LANES; j++)
					wk[r][j] = k0 + j < p.cols ? w_at(base[r], k0 + j) : 0.0;
			}
		}
		[[unroll]] for (uint j = 0u; j < CPU_LANES; j++) {
			[[unroll]] for (uint t = 0u; t < CPU_TOKENS; t++) {
				float xj = subgroupBroadcast(xk[t], j);

				[[unroll]] for (uint r = 0u; r < CPU_ROWS; r++)
					acc[r][t] += wk[r][j] * xj;
			}
		}
	}
	[[unroll]] for (uint r = 0u; r < CPU_ROWS; r++)
		[[unroll]] for (uint t = 0u; t < CPU_TOKENS; t++)
			if (row0 + r < p.rows && token0 + t < p.n_tokens)
				y.values[(token0 + t) * p.out_stride + row0 + r] = acc[r][t];
}

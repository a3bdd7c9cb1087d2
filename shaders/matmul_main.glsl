// The body of every matmul_<type>.comp (see matmul_head.glsl).

#ifdef EA_CPU_SHAPE
#include "matmul_cpu_main.glsl"
#elif defined(EA_COOPMAT)
#include "matmul_cm_main.glsl"
#else
#include "matmul_unit.glsl"

shared float w_tile[TILE][TILE + 1u];
shared float x_tile[TILE][TILE + 1u];

void main()
{
	uint id = gl_LocalInvocationID.x;
	uint row0 = gl_WorkGroupID.x * TILE;
	uint token0 = gl_WorkGroupID.y * TILE;
	uint r = id % (TILE / 2u);
	uint t = id / (TILE / 2u);
	uint stride = row_bytes(p.cols);
	float acc[2][2] = { { 0.0, 0.0 }, { 0.0, 0.0 } };

	for (uint k0 = 0u; k0 < p.cols; k0 += TILE) {
		for (uint u = id; u < TILE * TILE / 8u; u += WG) {
			uint line = u / (TILE / 8u), at = u % (TILE / 8u) * 8u;
			uint row = (row0 + line) * stride, k = k0 + at;
			bool row_ok = row0 + line < p.rows;
			w_raw raw;
			vec4 lo, hi;

			if (row_ok && k + 8u <= p.cols)
				raw = w_unit_load(row, k);
			w_unit_or_tail(raw, row_ok, row, k, lo, hi);
			for (uint i = 0u; i < 4u; i++) {
				w_tile[line][at + i] = lo[i];
				w_tile[line][at + 4u + i] = hi[i];
			}
		}
		for (uint i = id; i < TILE * TILE; i += WG) {
			uint line = i / TILE;
			uint k = k0 + i % TILE;
			bool in_token = token0 + line < p.n_tokens && k < p.cols;

			x_tile[line][i % TILE] = in_token ? x.values[(token0 + line) * p.cols + k] : 0.0;
		}
		barrier();
		for (uint kk = 0u; kk < TILE; kk++) {
			float w0 = w_tile[r][kk];
			float w1 = w_tile[r + TILE / 2u][kk];
			float x0 = x_tile[t][kk];
			float x1 = x_tile[t + TILE / 2u][kk];

			acc[0][0] += w0 * x0;
			acc[0][1] += w0 * x1;
			acc[1][0] += w1 * x0;
			acc[1][1] += w1 * x1;
		}
		barrier();
	}
	for (uint i = 0u; i < 2u; i++)
		for (uint j = 0u; j < 2u; j++) {
			uint row = row0 + r + i * (TILE / 2u);
			uint token = token0 + t + j * (TILE / 2u);

			if (row < p.rows && token < p.n_tokens)
				y.values[token * p.out_stride + row] = acc[i][j];
		}
}
#endif

// The body of every matmul_<type>_cm (matmul_main.glsl with EA_COOPMAT): Y = X W^T
// for a prompt on the matrix units, through GL_NV_cooperative_matrix.
//
// A workgroup computes a tile of TOKENS tokens by ROWS weight rows (64 x 128:
// X, read as fp32, is read once a ROWS rows, so the wider the row tile the
// less of it crosses the memory system), K_STEP columns a step, a subgroup of
// 32 invocations a 32 x 32 block of it. Per step, the invocations issue the loads
// of the next step's W units (matmul_unit.glsl: 8 values each, as wide as the
// type allows) and X quads (4 floats) into registers, then the matrix units
// work on this step from shared memory while those loads are in flight; the
// next step decodes the registers and stores them to shared memory as fp16.
// Each subgroup multiplies its 32 x 32 block of the tile as 2 x 2 fragments
// of 16 x 16 (fp16 A = X, B = W^T, fp32 C), K_STEP / 16 times a step. The
// fragments go through shared memory to Y so that tiles at the edges write
// only what is inside. The library picks these kernels only where the device
// offers exactly that shape (libedgeai/vk/ea_vk_coopmat.c).

#include "matmul_unit.glsl"

#define K_STEP 64u	// 64 beat 128 on the H200 (Q4_0 prompt matmuls 18.5 vs 22.6 ms)
#define LINE (K_STEP + 8u)	// fp16 values per line in shared memory: padded
#define FRAG 16u
#define W_UNITS (ROWS * K_STEP / 8u / WG)	// W units an invocation loads a step
#define X_QUADS (TOKENS * K_STEP / 4u / WG)	// X quads an invocation loads a step

layout(std430, binding = 1) readonly buffer X4 { vec4 v[]; } x4;

shared float16_t x_tile[TOKENS * LINE];	// [token][k]
shared float16_t w_tile[ROWS * LINE];	// [row][k]
shared float out_frag[WG / 32u][FRAG * FRAG];

w_raw w_next[W_UNITS];
vec4 x_next[X_QUADS];

// X values k .. k + 3 of a token, zero outside.
vec4 x_quad(uint token, uint k)
{
	uint at = token * p.cols + k;
	vec4 v = vec4(0.0);

	if (token >= p.n_tokens || k >= p.cols)
		return v;
	if (p.cols % 4u == 0u)
		return x4.v[at >> 2];
	for (uint i = 0u; i < 4u && k + i < p.cols; i++)
		v[i] = x.values[at + i];
	return v;
}

// Issue the loads of step k0 (only the loads: nothing here waits for them).
void fetch(uint k0, uint row0, uint token0, uint stride)
{
	[[unroll]] for (uint j = 0u; j < W_UNITS; j++) {
		uint u = gl_LocalInvocationID.x + j * WG;
		uint row = row0 + u / (K_STEP / 8u), k = k0 + u % (K_STEP / 8u) * 8u;

		if (row < p.rows && k + 8u <= p.cols)
			w_next[j] = w_unit_load(row * stride, k);
	}
	[[unroll]] for (uint j = 0u; j < X_QUADS; j++) {
		uint u = gl_LocalInvocationID.x + j * WG;

		x_next[j] = x_quad(token0 + u / (K_STEP / 4u), k0 + u % (K_STEP / 4u) * 4u);
	}
}

// Decode the registers of step k0 into shared memory as fp16.
void store(uint k0, uint row0, uint stride)
{
	[[unroll]] for (uint j = 0u; j < W_UNITS; j++) {
		uint u = gl_LocalInvocationID.x + j * WG;
		uint line = u / (K_STEP / 8u), at = u % (K_STEP / 8u) * 8u;
		uint row = row0 + line;
		vec4 lo, hi;

		w_unit_or_tail(w_next[j], row < p.rows, row * stride, k0 + at, lo, hi);
		at += line * LINE;
		[[unroll]] for (uint i = 0u; i < 4u; i++) {
			w_tile[at + i] = float16_t(lo[i]);
			w_tile[at + 4u + i] = float16_t(hi[i]);
		}
	}
	[[unroll]] for (uint j = 0u; j < X_QUADS; j++) {
		uint u = gl_LocalInvocationID.x + j * WG;
		uint at = u / (K_STEP / 4u) * LINE + u % (K_STEP / 4u) * 4u;

		[[unroll]] for (uint i = 0u; i < 4u; i++)
			x_tile[at + i] = float16_t(x_next[j][i]);
	}
}

void main()
{
	uint id = gl_LocalInvocationID.x;
	uint sg = id / 32u, lane = id % 32u;
	uint row0 = gl_WorkGroupID.x * ROWS;
	uint token0 = gl_WorkGroupID.y * TOKENS;
	uint sg_token = (sg / (ROWS / 32u)) * 32u, sg_row = (sg % (ROWS / 32u)) * 32u;
	uint stride = row_bytes(p.cols);
	fcoopmatNV<32, gl_ScopeSubgroup, FRAG, FRAG> acc[2][2];

	for (uint i = 0u; i < 2u; i++)
		for (uint j = 0u; j < 2u; j++)
			acc[i][j] = fcoopmatNV<32, gl_ScopeSubgroup, FRAG, FRAG>(0.0);
	fetch(0u, row0, token0, stride);
	for (uint k0 = 0u; k0 < p.cols; k0 += K_STEP) {
		store(k0, row0, stride);
		barrier();
		if (k0 + K_STEP < p.cols)
			fetch(k0 + K_STEP, row0, token0, stride);
		for (uint kk = 0u; kk < K_STEP; kk += FRAG) {
			fcoopmatNV<16, gl_ScopeSubgroup, FRAG, FRAG> a[2], b[2];

			for (uint i = 0u; i < 2u; i++) {
				coopMatLoadNV(a[i], x_tile, (sg_token + i * FRAG) * LINE + kk, LINE, false);
				// B (k x rows) is column-major in w_tile's [row][k] lines.
				coopMatLoadNV(b[i], w_tile, (sg_row + i * FRAG) * LINE + kk, LINE, true);
			}
			for (uint i = 0u; i < 2u; i++)
				for (uint j = 0u; j < 2u; j++)
					acc[i][j] = coopMatMulAddNV(a[i], b[j], acc[i][j]);
		}
		barrier();
	}
	for (uint i = 0u; i < 2u; i++)
		for (uint j = 0u; j < 2u; j++) {
			coopMatStoreNV(acc[i][j], out_frag[sg], 0u, FRAG, false);
			subgroupMemoryBarrierShared();
			subgroupBarrier();
			for (uint e = lane; e < FRAG * FRAG; e += 32u) {
				uint token = token0 + sg_token + i * FRAG + e / FRAG;
				uint row = row0 + sg_row + j * FRAG + e % FRAG;

				if (token < p.n_tokens && row < p.rows)
					y.values[token * p.out_stride + row] = out_frag[sg][e];
			}
			subgroupBarrier();
		}
}

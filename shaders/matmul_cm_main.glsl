// The body of every matmul_<type>_cm (matmul_main.glsl with EA_COOPMAT): Y = X W^T
// for a prompt on the matrix units, through GL_NV_cooperative_matrix.
//
// A workgroup of 4 subgroups computes a tile of TILE tokens by TILE weight rows
// (64 x 64). Per step of K_STEP columns, the invocations dequantize the W slice
// (w_at() of the type file) and load the X slice into registers (the next
// step's while this one multiplies), then store both to shared memory as fp16;
// each subgroup then multiplies its 32 x 32 quarter of the tile as 2 x 2
// fragments of 16 x 16 (fp16 A = X, B = W^T, fp32 C), K_STEP / 16 times. The
// fragments go through shared memory to Y so that tiles at the edges write
// only what is inside. The library picks these kernels only where the device
// offers exactly that shape (libedgeai/vk/ea_vk_coopmat.c).

#define K_STEP 32u
#define LINE (K_STEP + 8u)	// fp16 values per line in shared memory: padded
#define FRAG 16u

shared float16_t x_tile[TILE * LINE];	// [token][k]
shared float16_t w_tile[TILE * LINE];	// [row][k]
shared float out_frag[WG / 32u][FRAG * FRAG];

#define PER (TILE * K_STEP / WG)	// values of each slice an invocation loads
float w_next[PER], x_next[PER];

// Load the slices of step k0 into registers: every load issued before any
// is used, so they are in flight together (and, from the second step on,
// while the matrix units work on the step before).
void fetch(uint k0, uint row0, uint token0, uint stride)
{
	[[unroll]] for (uint j = 0u; j < PER; j++) {
		uint i = gl_LocalInvocationID.x + j * WG;
		uint line = i / K_STEP, k = k0 + i % K_STEP;	// neighbours: neighbouring k

		w_next[j] = row0 + line < p.rows && k < p.cols ?
			    w_at((row0 + line) * stride, k) : 0.0;
		x_next[j] = token0 + line < p.n_tokens && k < p.cols ?
			    x.values[(token0 + line) * p.cols + k] : 0.0;
	}
}

void main()
{
	uint id = gl_LocalInvocationID.x;
	uint sg = id / 32u, lane = id % 32u;
	uint row0 = gl_WorkGroupID.x * TILE;
	uint token0 = gl_WorkGroupID.y * TILE;
	uint sg_token = (sg / 2u) * 32u, sg_row = (sg % 2u) * 32u;
	uint stride = row_bytes(p.cols);
	fcoopmatNV<32, gl_ScopeSubgroup, FRAG, FRAG> acc[2][2];

	for (uint i = 0u; i < 2u; i++)
		for (uint j = 0u; j < 2u; j++)
			acc[i][j] = fcoopmatNV<32, gl_ScopeSubgroup, FRAG, FRAG>(0.0);
	fetch(0u, row0, token0, stride);
	for (uint k0 = 0u; k0 < p.cols; k0 += K_STEP) {
		[[unroll]] for (uint j = 0u; j < PER; j++) {
			uint i = id + j * WG;
			uint at = (i / K_STEP) * LINE + i % K_STEP;

			w_tile[at] = float16_t(w_next[j]);
			x_tile[at] = float16_t(x_next[j]);
		}
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

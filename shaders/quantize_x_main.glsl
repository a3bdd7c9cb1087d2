// The body of quantize_x_q4_0.comp and quantize_x_q8_0.comp: x quantized
// once for the int8 matvec (matvec_i8_head.glsl), which then only reads it.
//
// x (times the norm weight and divided by its rms with QX_NORM: the RMSNorm
// fused as in the float matvec) becomes int8 per block of 32 values as Q8_0
// does (d = max|x| / 127, q = round(x / d)), stored per unit of 16 values, a
// unit being what one invocation of the matvec takes from a weight row:
//   qx[u]  its 16 int8 values as one uvec4, in the order its weights take
//          them (Q4_0_ORDER: low nibbles 8h .. 8h+7, high ones 16+8h ..; else
//          in order);
//   qd[u]  (d, 8 d sum q): the second term is Q4_0's - 8, whose nibbles enter
//          the dot unsigned: sum (n - 8) q = sum n q - 8 sum q;
// and after the last unit, qd[cols / 16].x, the scale of every product: 1 /
// rms with QX_NORM, else 1. Quantization is scale-invariant, so the blocks of
// x * norm are quantized before the rms is known, and the matvec applies the
// 1 / rms to its sums. The rms needs x^2 summed over all of x: that is why
// this is one workgroup (cols / 32 blocks are little work).

#include "ea_common.glsl"

#define WG 256u

layout(local_size_x = 256) in;

layout(std430, binding = 0) readonly buffer X4 { vec4 values[]; } xv;
layout(std430, binding = 1) readonly buffer Norm4 { vec4 values[]; } nrm4;
layout(std430, binding = 2) writeonly buffer QX { uvec4 values[]; } qx;
layout(std430, binding = 3) writeonly buffer QD { vec2 values[]; } qd;

#define EA_PUSH_QUANTIZE_X
#include "ea_kernels.h"

#define QX_NORM EA_MV_NORM

#include "ea_reduce.glsl"

#define X_QUAD(i) xv.values[i]
#define NORM_QUAD(i) nrm4.values[i]
#define QX_STORE(u, v) qx.values[u] = (v)
#define QD_STORE(u, v) qd.values[u] = (v)
#include "quantize_x_block.glsl"

void main()
{
	uint id = gl_LocalInvocationID.x;
	uint n_blocks = p.cols / 32u;
	bool norm_on = (p.flags & QX_NORM) != 0u;
	float ss = 0.0;

	for (uint b = id; b < n_blocks; b += WG)
		ss += quantize_block(b, norm_on);
	if (norm_on)
		ss = reduce_add(ss);
	if (id == 0u)
		qd.values[2u * n_blocks] = vec2(norm_on ? inversesqrt(ss / float(p.cols) + p.eps) : 1.0,
						0.0);
}

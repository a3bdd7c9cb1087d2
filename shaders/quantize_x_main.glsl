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

// Round v / d to int8 lanes packed into a word (inv = 1 / d, or 0).
uint pack_q(vec4 v, float inv)
{
	ivec4 q = ivec4(round(v * inv));

	return uint(q.x & 0xff) | (uint(q.y & 0xff) << 8) | (uint(q.z & 0xff) << 16) |
	       (uint(q.w & 0xff) << 24);
}

int sum_q(vec4 v, float inv)
{
	vec4 r = round(v * inv);

	return int(r.x + r.y + r.z + r.w);
}

// Quantize block b of x (times the norm weight with norm_on) into units 2b
// and 2b + 1; returns the sum of the squares of its x values.
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
	for (uint h = 0u; h < 2u; h++) {
		int s = sum_q(v[2u * h], inv) + sum_q(v[2u * h + 1u], inv) +
			sum_q(v[4u + 2u * h], inv) + sum_q(v[5u + 2u * h], inv);

		qx.values[2u * b + h] = uvec4(q[2u * h], q[2u * h + 1u], q[4u + 2u * h],
					      q[5u + 2u * h]);
		qd.values[2u * b + h] = vec2(d, 8.0 * d * float(s));
	}
#else
	qx.values[2u * b] = uvec4(q[0], q[1], q[2], q[3]);
	qx.values[2u * b + 1u] = uvec4(q[4], q[5], q[6], q[7]);
	qd.values[2u * b] = vec2(d, 0.0);
	qd.values[2u * b + 1u] = vec2(d, 0.0);
#endif
	return ss;
}

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

#version 450
#extension GL_GOOGLE_include_directive : require
// variants: subgroup
// Softmax of each row, one workgroup per row, in place or not.

#include "ea_common.glsl"

#define WG 128u

layout(local_size_x = 128) in;

layout(std430, binding = 0) readonly buffer X { float values[]; } x;
layout(std430, binding = 1) buffer Out { float values[]; } o;

#define EA_PUSH_SOFTMAX
#include "ea_kernels.h"

#include "ea_reduce.glsl"

void main()
{
	uint base = gl_WorkGroupID.x * p.n;
	float best = -1.0 / 0.0;
	float sum = 0.0;
	float inv_total;

	for (uint i = gl_LocalInvocationID.x; i < p.n; i += WG)
		best = max(best, x.values[base + i]);
	best = reduce_max(best);
	for (uint i = gl_LocalInvocationID.x; i < p.n; i += WG) {
		float e = exp(x.values[base + i] - best);

		o.values[base + i] = e;
		sum += e;
	}
	inv_total = 1.0 / reduce_add(sum);
	// Each invocation rescales only the values it wrote itself.
	for (uint i = gl_LocalInvocationID.x; i < p.n; i += WG)
		o.values[base + i] *= inv_total;
}

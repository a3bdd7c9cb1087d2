#version 450
#extension GL_GOOGLE_include_directive : require
// variants: subgroup
// RMSNorm, one workgroup per row: out = x / sqrt(mean(x^2) + eps) * weight.

#include "ea_common.glsl"

#define WG 128u

layout(local_size_x = 128) in;

layout(std430, binding = 0) readonly buffer X { float values[]; } x;
layout(std430, binding = 1) readonly buffer Weight { float values[]; } weight;
layout(std430, binding = 2) writeonly buffer Out { float values[]; } o;

layout(push_constant) uniform Params {
	uint n;		// values per row
	float eps;
} p;

#include "ea_reduce.glsl"

void main()
{
	uint base = gl_WorkGroupID.x * p.n;
	float sum = 0.0;
	float scale;

	for (uint i = gl_LocalInvocationID.x; i < p.n; i += WG)
		sum += x.values[base + i] * x.values[base + i];
	scale = 1.0 / sqrt(reduce_add(sum) / float(p.n) + p.eps);
	for (uint i = gl_LocalInvocationID.x; i < p.n; i += WG)
		o.values[base + i] = x.values[base + i] * scale * weight.values[i];
}

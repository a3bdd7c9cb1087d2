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
// The same spans as vec4s, used when rows are whole vec4s (n % 4 == 0): a
// quarter of the dependent loads of one workgroup's loop.
layout(std430, binding = 0) readonly buffer X4 { vec4 values[]; } x4;
layout(std430, binding = 1) readonly buffer Weight4 { vec4 values[]; } weight4;
layout(std430, binding = 2) writeonly buffer Out4 { vec4 values[]; } o4;

#define EA_PUSH_RMSNORM
#include "ea_kernels.h"

#include "ea_reduce.glsl"

void main()
{
	uint base = gl_WorkGroupID.x * p.n;
	float sum = 0.0;
	float scale;

	if (p.n % 4u == 0u) {
		uint base4 = base / 4u;

		for (uint i = gl_LocalInvocationID.x; i < p.n / 4u; i += WG)
			sum += dot(x4.values[base4 + i], x4.values[base4 + i]);
		scale = 1.0 / sqrt(reduce_add(sum) / float(p.n) + p.eps);
		for (uint i = gl_LocalInvocationID.x; i < p.n / 4u; i += WG)
			o4.values[base4 + i] = x4.values[base4 + i] * scale * weight4.values[i];
		return;
	}
	for (uint i = gl_LocalInvocationID.x; i < p.n; i += WG)
		sum += x.values[base + i] * x.values[base + i];
	scale = 1.0 / sqrt(reduce_add(sum) / float(p.n) + p.eps);
	for (uint i = gl_LocalInvocationID.x; i < p.n; i += WG)
		o.values[base + i] = x.values[base + i] * scale * weight.values[i];
}

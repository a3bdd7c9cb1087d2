#version 450
// SwiGLU: out = silu(gate) * up, silu(g) = g / (1 + exp(-g)). With n_rows
// non-zero, gate holds n_rows rows of 2n values, [gate | up] (a fused gate/up
// matmul's output; up is not read) and out n_rows rows of n.

layout(local_size_x = 256) in;

layout(std430, binding = 0) readonly buffer Gate { float values[]; } gate;
layout(std430, binding = 1) readonly buffer Up { float values[]; } up;
layout(std430, binding = 2) writeonly buffer Out { float values[]; } o;

#define EA_PUSH_SWIGLU
#include "ea_kernels.h"

void main()
{
	uint group = gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x;
	uint i = group * gl_WorkGroupSize.x + gl_LocalInvocationID.x;
	float g;

	if (p.n_rows != 0u) {
		uint row = i / p.n, col = i % p.n;

		if (row >= p.n_rows)
			return;
		g = gate.values[row * 2u * p.n + col];
		o.values[i] = g / (1.0 + exp(-g)) * gate.values[row * 2u * p.n + p.n + col];
		return;
	}
	if (i >= p.n)
		return;
	g = gate.values[i];
	o.values[i] = g / (1.0 + exp(-g)) * up.values[i];
}

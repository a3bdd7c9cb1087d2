#version 450
// out = a + b, b repeating every n_b values: n_b = n is the residual add,
// n_b = the row length adds a bias to every row (qwen2's q/k/v bias).

layout(local_size_x = 256) in;

layout(std430, binding = 0) readonly buffer A { float values[]; } a;
layout(std430, binding = 1) readonly buffer B { float values[]; } b;
layout(std430, binding = 2) writeonly buffer Out { float values[]; } o;

#define EA_PUSH_ADD
#include "ea_kernels.h"

void main()
{
	uint group = gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x;
	uint i = group * gl_WorkGroupSize.x + gl_LocalInvocationID.x;

	if (i < p.n)
		o.values[i] = a.values[i] + b.values[i % p.n_b];
}

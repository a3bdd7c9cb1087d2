#version 450
// out = row (step.n_tokens - 1) of src, rows of n values (row n_rows - 1 when
// step.n_tokens is 0 or larger): the last prompt token's hidden state, whose
// logits the prompt program computes.

layout(local_size_x = 256) in;

layout(std430, binding = 0) readonly buffer Src { float values[]; } src;
layout(std430, binding = 1) writeonly buffer Out { float values[]; } o;
layout(std430, binding = 2) readonly buffer Step { uint pos; uint n_tokens; } step;

#define EA_PUSH_LAST_ROW
#include "ea_kernels.h"

void main()
{
	uint group = gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x;
	uint i = group * gl_WorkGroupSize.x + gl_LocalInvocationID.x;
	uint last = step.n_tokens == 0u ? p.n_rows : min(step.n_tokens, p.n_rows);

	if (i < p.n)
		o.values[i] = src.values[(last - 1u) * p.n + i];
}

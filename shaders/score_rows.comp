#version 450
// out row i = src row (step.score_row + i), i < n_out, rows of n values (the
// last source row past n_rows): the hidden states of the positions whose next
// tokens the score program scores (token_nll.comp).

layout(local_size_x = 256) in;

layout(std430, binding = 0) readonly buffer Src { float values[]; } src;
layout(std430, binding = 1) writeonly buffer Out { float values[]; } o;
layout(std430, binding = 2) readonly buffer Step { uint pos; uint n_tokens; uint score_row; } step;

#define EA_PUSH_SCORE_ROWS
#include "ea_kernels.h"

void main()
{
	uint group = gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x;
	uint i = group * gl_WorkGroupSize.x + gl_LocalInvocationID.x;
	uint row = i / p.n;

	if (row < p.n_out)
		o.values[i] = src.values[min(step.score_row + row, p.n_rows - 1u) * p.n + i % p.n];
}

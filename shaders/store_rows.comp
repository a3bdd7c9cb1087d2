#version 450
// Store n_tokens rows of n values into a cache at row step.pos + t: how the
// keys and values of new tokens enter the KV cache. The position comes from
// the per-step buffer, so a recorded command buffer replays at a new one.

layout(local_size_x = 256) in;

layout(std430, binding = 0) readonly buffer Src { float values[]; } src;
layout(std430, binding = 1) buffer Cache { float values[]; } cache;
layout(std430, binding = 2) readonly buffer Step { uint pos; } step;

#define EA_PUSH_STORE_ROWS
#include "ea_kernels.h"

void main()
{
	uint group = gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x;
	uint i = group * gl_WorkGroupSize.x + gl_LocalInvocationID.x;

	if (i < p.n * p.n_tokens)
		cache.values[step.pos * p.n + i] = src.values[i];
}

#version 450
// Rotary position embedding in place over n_tokens x n_heads x head_dim
// values, one invocation per rotated pair. Token t is at position step.pos + t
// (the per-step buffer, so a recorded command buffer replays at a new
// position). Pair i of a head turns by pos * freq_base^(-2i / head_dim); mode
// 0 (normal) pairs neighbours (2i, 2i+1), mode 2 (neox) pairs (i, i + half).

layout(local_size_x = 256) in;

layout(std430, binding = 0) buffer X { float values[]; } x;
layout(std430, binding = 1) readonly buffer Step { uint pos; } step;

#define EA_PUSH_ROPE
#include "ea_kernels.h"

const uint MODE_NEOX = 2u;

void main()
{
	uint group = gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x;
	uint id = group * gl_WorkGroupSize.x + gl_LocalInvocationID.x;
	uint half_dim = p.head_dim / 2u;
	uint i = id % half_dim;
	uint head = id / half_dim;		// over all tokens
	uint base = head * p.head_dim;
	uint a = p.mode == MODE_NEOX ? base + i : base + 2u * i;
	uint b = p.mode == MODE_NEOX ? base + i + half_dim : a + 1u;
	float pos, theta, c, s, x0, x1;

	if (head >= p.n_tokens * p.n_heads)
		return;
	pos = float(step.pos + head / p.n_heads);
	theta = pos * pow(p.freq_base, -2.0 * float(i) / float(p.head_dim));
	c = cos(theta);
	s = sin(theta);
	x0 = x.values[a];
	x1 = x.values[b];
	x.values[a] = x0 * c - x1 * s;
	x.values[b] = x0 * s + x1 * c;
}

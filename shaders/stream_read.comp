#version 450
// The memory system's streaming read limit (edgeai bench's roofline): every
// invocation reads 16-byte words of the buffer, a grid's width apart, and
// folds them; nothing is written unless the fold hits one value, so the
// loads cannot be dropped and no write traffic is counted.

layout(local_size_x = 256) in;

layout(std430, binding = 0) readonly buffer Src { uvec4 words[]; } src;
layout(std430, binding = 1) writeonly buffer Sink { uint values[]; } sink;

#define EA_PUSH_STREAM
#include "ea_kernels.h"

void main()
{
	uint stride = gl_NumWorkGroups.x * gl_WorkGroupSize.x;
	uvec4 acc = uvec4(0u);

	for (uint i = gl_GlobalInvocationID.x; i < p.n_words; i += stride)
		acc ^= src.words[i];
	if ((acc.x ^ acc.y ^ acc.z ^ acc.w) == p.never)
		sink.values[0] = acc.x;
}

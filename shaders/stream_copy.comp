#version 450
// The memory system's streaming read + write limit (edgeai bench): every
// invocation copies 16-byte words, a grid's width apart.

layout(local_size_x = 256) in;

layout(std430, binding = 0) readonly buffer Src { uvec4 words[]; } src;
layout(std430, binding = 1) writeonly buffer Dst { uvec4 words[]; } dst;

#define EA_PUSH_STREAM
#include "ea_kernels.h"

void main()
{
	uint stride = gl_NumWorkGroups.x * gl_WorkGroupSize.x;

	for (uint i = gl_GlobalInvocationID.x; i < p.n_words; i += stride)
		dst.words[i] = src.words[i];
}

#version 450
// SwiGLU: out = silu(gate) * up, silu(g) = g / (1 + exp(-g)).

layout(local_size_x = 256) in;

layout(std430, binding = 0) readonly buffer Gate { float values[]; } gate;
layout(std430, binding = 1) readonly buffer Up { float values[]; } up;
layout(std430, binding = 2) writeonly buffer Out { float values[]; } o;

layout(push_constant) uniform Params {
	uint n;
} p;

void main()
{
	uint group = gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x;
	uint i = group * gl_WorkGroupSize.x + gl_LocalInvocationID.x;
	float g;

	if (i >= p.n)
		return;
	g = gate.values[i];
	o.values[i] = g / (1.0 + exp(-g)) * up.values[i];
}

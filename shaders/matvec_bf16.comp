#version 450
#extension GL_GOOGLE_include_directive : require
// variants: subgroup
// Decode matvec y = W x, BF16 weights. Where cols is a multiple of 8, a unit
// is 8 values read as one 16-byte load (as matvec_f16.comp); otherwise one.

#include "matvec_head.glsl"
#include "type_bf16.glsl"

layout(std430, binding = 0) readonly buffer Weights16 { uvec4 v[]; } w16;

bool wide()
{
	return p.cols % 8u == 0u;
}

uint units_per_row(uint cols)
{
	return wide() ? cols / 8u : cols;
}

#define UNIT_X
void unit_x(uint u)
{
	if (wide()) {
		ux[0] = x4(8u * u);
		ux[1] = x4(8u * u + 4u);
	} else {
		ux[0].x = x1(u);
	}
}

// The two bf16 values of a word as floats.
vec2 bf16_pair(uint word)
{
	return vec2(uintBitsToFloat(word << 16), uintBitsToFloat(word & 0xffff0000u));
}

float unit_dot(uint row, uint u)
{
	if (wide()) {
		uvec4 q = w16.v[(row >> 4) + u];

		return dot(vec4(bf16_pair(q.x), bf16_pair(q.y)), ux[0]) +
		       dot(vec4(bf16_pair(q.z), bf16_pair(q.w)), ux[1]);
	}
	return w_at(row, u) * ux[0].x;
}

#include "matvec_main.glsl"

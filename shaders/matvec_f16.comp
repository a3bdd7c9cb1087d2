#version 450
#extension GL_GOOGLE_include_directive : require
// variants: subgroup
// Decode matvec y = W x, F16 weights. Where cols is a multiple of 8 (every
// usual model), a unit is 8 values read as one 16-byte load (rows of 16 * k
// bytes from a 256-byte aligned span stay aligned); otherwise one value.

#include "matvec_head.glsl"
#include "type_f16.glsl"

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

float unit_dot(uint row, uint u)
{
	if (wide()) {
		uvec4 q = w16.v[(row >> 4) + u];

		return dot(vec4(unpackHalf2x16(q.x), unpackHalf2x16(q.y)), ux[0]) +
		       dot(vec4(unpackHalf2x16(q.z), unpackHalf2x16(q.w)), ux[1]);
	}
	return w_at(row, u) * ux[0].x;
}

#include "matvec_main.glsl"

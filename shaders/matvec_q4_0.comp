#version 450
#extension GL_GOOGLE_include_directive : require
// variants: subgroup
// Decode matvec y = W x, Q4_0 weights; a unit is half a block's nibbles, 8
// bytes: values 8h .. 8h+7 (low nibbles) and 16+8h .. 16+8h+7 (high ones).

#include "matvec_head.glsl"
#include "type_q4_0.glsl"

uint units_per_row(uint cols)
{
	return cols / 32u * 2u;
}

#define UNIT_X
void unit_x(uint u)
{
	uint k = (u / 2u) * 32u + (u % 2u) * 8u;

	ux[0] = x4(k);
	ux[1] = x4(k + 4u);
	ux[2] = x4(k + 16u);
	ux[3] = x4(k + 20u);
}

float unit_dot(uint row, uint u)
{
	uint block = row + (u / 2u) * Q4_0_BYTES;
	uint h = u % 2u;
	uint q0 = w_u32(block + 2u + h * 8u);
	uint q1 = w_u32(block + 6u + h * 8u);

	return w_half(block) * (dot(low_nibbles(q0) - 8.0, ux[0]) +
				dot(low_nibbles(q1) - 8.0, ux[1]) +
				dot(high_nibbles(q0) - 8.0, ux[2]) +
				dot(high_nibbles(q1) - 8.0, ux[3]));
}

#include "matvec_main.glsl"

#version 450
#extension GL_GOOGLE_include_directive : require
// variants: subgroup
// Decode matvec y = W x, Q8_0 weights; a unit is a quarter block (8 values).

#include "matvec_head.glsl"
#include "type_q8_0.glsl"

uint units_per_row(uint cols)
{
	return cols / 32u * 4u;
}

#define UNIT_X
void unit_x(uint u)
{
	uint k = (u / 4u) * 32u + (u % 4u) * 8u;

	ux[0] = x4(k);
	ux[1] = x4(k + 4u);
}

float unit_dot(uint row, uint u)
{
	uint block = row + (u / 4u) * Q8_0_BYTES;
	uint quarter = u % 4u;
	uint q = block + 2u + quarter * 8u;

	return w_half(block) * (dot(signed_bytes(w_u32(q)), ux[0]) +
				dot(signed_bytes(w_u32(q + 4u)), ux[1]));
}

#include "matvec_main.glsl"

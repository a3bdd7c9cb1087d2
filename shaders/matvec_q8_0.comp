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

float unit_dot(uint row, uint u)
{
	uint block = row + (u / 4u) * Q8_0_BYTES;
	uint quarter = u % 4u;
	uint k = (u / 4u) * 32u + quarter * 8u;
	uint q = block + 2u + quarter * 8u;

	return w_half(block) * (dot(signed_bytes(w_u32(q)), x4(k)) +
				dot(signed_bytes(w_u32(q + 4u)), x4(k + 4u)));
}

#include "matvec_main.glsl"

#version 450
#extension GL_GOOGLE_include_directive : require
// variants: subgroup
// Decode matvec y = W x, Q5_0 weights; a unit is half a block, as Q4_0's:
// values 8h .. 8h+7 (low nibbles) and 16+8h .. 16+8h+7 (high ones), each with
// its fifth bit from the block's 32 high bits.

#include "matvec_head.glsl"
#include "type_q5_0.glsl"

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
	uint block = row + (u / 2u) * Q5_0_BYTES;
	uint h = u % 2u;
	uint qh = w_u32(block + 2u) >> (8u * h);
	uint q0 = w_u32(block + 6u + h * 8u);
	uint q1 = w_u32(block + 10u + h * 8u);

	return w_half(block) * (dot(low_nibbles(q0) + fifth_bits(qh) - 16.0, ux[0]) +
				dot(low_nibbles(q1) + fifth_bits(qh >> 4) - 16.0, ux[1]) +
				dot(high_nibbles(q0) + fifth_bits(qh >> 16) - 16.0, ux[2]) +
				dot(high_nibbles(q1) + fifth_bits(qh >> 20) - 16.0, ux[3]));
}

#include "matvec_main.glsl"

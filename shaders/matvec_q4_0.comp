#version 450
#extension GL_GOOGLE_include_directive : require
// variants: subgroup
// Decode matvec y = W x, Q4_0 weights; a unit is 4 bytes of a block: 4 low and 4 high nibbles.

#include "matvec_head.glsl"
#include "type_q4_0.glsl"

uint units_per_row(uint cols)
{
	return cols / 32u * 4u;
}

float unit_dot(uint row, uint u)
{
	uint block = row + (u / 4u) * Q4_0_BYTES;
	uint quarter = u % 4u;
	uint k = (u / 4u) * 32u + quarter * 4u;
	uint q = w_u32(block + 2u + quarter * 4u);

	return w_half(block) * (dot(low_nibbles(q) - 8.0, x4(k)) +
				dot(high_nibbles(q) - 8.0, x4(k + 16u)));
}

#include "matvec_main.glsl"

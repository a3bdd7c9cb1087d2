#version 450
#extension GL_GOOGLE_include_directive : require
// variants: subgroup
// Decode matvec y = W x, Q6_K weights; a unit is 4 positions l of a half block (16 values).

#include "matvec_head.glsl"
#include "type_q6_k.glsl"

uint units_per_row(uint cols)
{
	return cols / 256u * 16u;
}

float unit_dot(uint row, uint u)
{
	uint block = row + (u / 16u) * Q6_K_BYTES;
	uint h = (u % 16u) / 8u;
	uint l = 4u * (u % 8u);
	uint k = (u / 16u) * 256u + 128u * h + l;
	uint ql0 = w_u32(block + 64u * h + l);
	uint ql1 = w_u32(block + 64u * h + l + 32u);
	uint qh = w_u32(block + 128u + 32u * h + l);
	uint s = 8u * h + l / 16u;
	vec4 q0 = vec4(low_nibbles(ql0)) + 16.0 * low_nibbles(qh & 0x03030303u) - 32.0;
	vec4 q1 = vec4(low_nibbles(ql1)) + 16.0 * low_nibbles((qh >> 2) & 0x03030303u) - 32.0;
	vec4 q2 = vec4(high_nibbles(ql0)) + 16.0 * low_nibbles((qh >> 4) & 0x03030303u) - 32.0;
	vec4 q3 = vec4(high_nibbles(ql1)) + 16.0 * low_nibbles((qh >> 6) & 0x03030303u) - 32.0;

	return w_half(block + 208u) *
	       (q6_k_scale(block, s) * dot(q0, x4(k)) +
		q6_k_scale(block, s + 2u) * dot(q1, x4(k + 32u)) +
		q6_k_scale(block, s + 4u) * dot(q2, x4(k + 64u)) +
		q6_k_scale(block, s + 6u) * dot(q3, x4(k + 96u)));
}

#include "matvec_main.glsl"

#version 450
#extension GL_GOOGLE_include_directive : require
// variants: subgroup
// Decode matvec y = W x, Q4_K weights; a unit is 4 bytes of nibbles (8 values).

#include "matvec_head.glsl"
#include "type_q4_k.glsl"

uint units_per_row(uint cols)
{
	return cols / 256u * 32u;
}

float unit_dot(uint row, uint u)
{
	uint block = row + (u / 32u) * Q4_K_BYTES;
	uint g = (u % 32u) / 8u;
	uint i = u % 8u;
	uint k = (u / 32u) * 256u + 64u * g + 4u * i;
	// Blocks are 144 bytes, so these words are aligned.
	uint q = w.words[(block + 16u + 32u * g + 4u * i) >> 2];
	vec2 lo = k_scale_min(block, 2u * g);
	vec2 hi = k_scale_min(block, 2u * g + 1u);
	float d = w_half(block);
	float dmin = w_half(block + 2u);
	vec4 x_lo = x4(k);
	vec4 x_hi = x4(k + 32u);

	return d * (lo.x * dot(low_nibbles(q), x_lo) + hi.x * dot(high_nibbles(q), x_hi)) -
	       dmin * (lo.y * dot(x_lo, vec4(1.0)) + hi.y * dot(x_hi, vec4(1.0)));
}

#include "matvec_main.glsl"

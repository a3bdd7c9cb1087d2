#version 450
#extension GL_GOOGLE_include_directive : require
// variants: subgroup
// Decode matvec y = W x, BF16 weights: 8 values a 16-byte unit where cols
// allows, else one (matvec_x8.glsl).

#include "matvec_head.glsl"
#include "type_bf16.glsl"

vec4 unpack4(uint a, uint b)
{
	return vec4(bf16_pair(a), bf16_pair(b));
}

#include "matvec_x8.glsl"
#include "matvec_main.glsl"

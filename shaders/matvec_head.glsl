// The start of every matvec_<type>.comp: y = W x for one decode token.
//
// Each workgroup computes MATVEC_ROWS consecutive rows of y. A row is cut into
// units of a few values (a quarter or half block); the invocations stride
// over the units, so neighbours read neighbouring words of the row, and every
// row of the group reuses the x values just loaded (as vec4s). Sums are fp32,
// reduced for all the rows at once at the end: subgroup adds and one barrier
// with EA_SUBGROUP, one shared-memory tree otherwise. The type file then
// defines units_per_row() and unit_dot(); matvec_main.glsl is the body.

#include "ea_common.glsl"

#define WG 128u
#define MATVEC_ROWS 4u

layout(local_size_x = 128) in;

layout(std430, binding = 0) readonly buffer Weights { uint words[]; } w;
layout(std430, binding = 1) readonly buffer X { float values[]; } x;
layout(std430, binding = 1) readonly buffer X4 { vec4 values[]; } xv;
layout(std430, binding = 2) writeonly buffer Y { float values[]; } y;

layout(push_constant) uniform Params {
	uint rows;
	uint cols;
} p;

#include "ea_words.glsl"
#ifdef EA_SUBGROUP
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_arithmetic : require
#endif

// x[k .. k+3]; k is a multiple of 4 (the span's offset is 256-byte aligned).
vec4 x4(uint k)
{
	return xv.values[k >> 2];
}

// The start of every matvec_<type>.comp: y = W x for one decode token.
//
// Each workgroup computes MATVEC_ROWS consecutive rows of y. A row is cut into
// units of a few values (a quarter block, a 4-byte run of nibbles); the
// invocations stride over the units, so neighbours read neighbouring words of
// the row, and every row of the group reuses the x values just loaded. Sums
// are fp32 and reduced over the workgroup at the end. The type file then
// defines units_per_row() and unit_dot(); matvec_main.glsl is the body.

#include "ea_common.glsl"

#define WG 128u
#define MATVEC_ROWS 2u

layout(local_size_x = 128) in;

layout(std430, binding = 0) readonly buffer Weights { uint words[]; } w;
layout(std430, binding = 1) readonly buffer X { float values[]; } x;
layout(std430, binding = 2) writeonly buffer Y { float values[]; } y;

layout(push_constant) uniform Params {
	uint rows;
	uint cols;
} p;

#include "ea_words.glsl"
#include "ea_reduce.glsl"

vec4 x4(uint k)
{
	return vec4(x.values[k], x.values[k + 1u], x.values[k + 2u], x.values[k + 3u]);
}

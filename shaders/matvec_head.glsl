// The start of every matvec_<type>.comp: y = W x for one decode token.
//
// Each workgroup computes MATVEC_ROWS consecutive rows of y (MATVEC_ROWS / 2
// with MV_SWIGLU, each from a gate and an up row). A row is cut into
// units of a few values (a quarter or half block); the invocations stride
// over the units, so neighbours read neighbouring words of the row, and every
// row of the group reuses the x values just loaded (as vec4s). Sums are fp32,
// reduced for all the rows at once at the end: subgroup adds and one barrier
// with EA_SUBGROUP, one shared-memory tree otherwise. The type file then
// defines units_per_row() and unit_dot(); matvec_main.glsl is the body. A
// type file that defines UNIT_X also defines unit_x(u), which loads the x
// values of unit u into ux[] once for all the rows; its unit_dot() reads ux[]
// (x loads, not weight loads, bounded the matvec before: 4 rows re-read x
// for every row).
//
// p.flags fuses the ops around a matvec into it (ea_vk_op_matvec_ex()):
//   MV_NORM    x is RMS-normalized first: y = W (x * norm / rms(x)); every
//              workgroup sums x^2 itself (x is small and in cache), scales the
//              products by the norm weight through x4()/x1() and the sum by
//              1 / rms at the end.
//   MV_ACC     y += W x (the residual add).
//   MV_SWIGLU  W holds 2 * rows rows, gate then up: y = silu(gate x) * (up x).

#include "ea_common.glsl"

#define WG 128u
#define MATVEC_ROWS EA_MATVEC_ROWS

layout(local_size_x = 128) in;

layout(std430, binding = 0) readonly buffer Weights { uint words[]; } w;
layout(std430, binding = 1) readonly buffer X { float values[]; } x;
layout(std430, binding = 1) readonly buffer X4 { vec4 values[]; } xv;
layout(std430, binding = 2) buffer Y { float values[]; } y;
layout(std430, binding = 3) readonly buffer Norm { float values[]; } nrm;
layout(std430, binding = 3) readonly buffer Norm4 { vec4 values[]; } nrm4;

#define EA_PUSH_MATVEC
#include "ea_kernels.h"

#define MV_NORM EA_MV_NORM
#define MV_ACC EA_MV_ACC
#define MV_SWIGLU EA_MV_SWIGLU

vec4 ux[4];	// unit_x()'s x values of the current unit
bool norm_on;	// set by main() from p.flags before any x4()/x1()

#include "ea_words.glsl"
#ifdef EA_SUBGROUP
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_arithmetic : require
#endif

// x[k .. k+3] (times the norm weight with MV_NORM); k is a multiple of 4
// (the span's offset is 256-byte aligned).
vec4 x4(uint k)
{
	vec4 v = xv.values[k >> 2];

	return norm_on ? v * nrm4.values[k >> 2] : v;
}

// x[k] (times the norm weight with MV_NORM).
float x1(uint k)
{
	float v = x.values[k];

	return norm_on ? v * nrm.values[k] : v;
}

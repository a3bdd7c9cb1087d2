// The start of every matvec_<type>_i8*.comp: y = W x for one decode token
// with packed int8 dot products (OpSDot, SPV_KHR_integer_dot_product), for
// Q4_0 and Q8_0 weights on devices that report the feature (the library picks
// these kernels where it is also accelerated; see ea_vk_ops_init()).
//
// Each workgroup first quantizes x (times the norm weight with MV_NORM) to
// int8 per block of 32 values, as Q8_0 does (d = max|x| / 127, q = round(x /
// d)), into shared memory, summing x^2 on the way for MV_NORM (quantization is
// scale-invariant, so 1 / rms multiplies the sums at the end). Then the
// invocations stride over units of half a block (16 values) and every row of
// the group: a unit's weights are read as 32-bit words (blocks are only 2-byte
// aligned: a misaligned slice is shifted out of one word more), its int8 x
// values are one uvec4 from shared memory for all the rows, and 4 OpSDot of
// 4 int8 lanes each accumulate an int32 that d_w * d_x scales into fp32.
// Q4_0 nibbles (0..15) enter the dot unsigned, and the - 8 comes from the
// unit's sum of x, computed once when quantizing: sum (n - 8) q = sum n q -
// 8 sum q. Results are reduced as in matvec_main.glsl.
//
// The type file defines UNIT_HALF (bytes of weights a unit reads), BLOCK_BYTES,
// struct unit_w and load_unit(block, o) (the words of the unit whose weights
// start at byte o, in the block at byte `block`), and unit_sumi(q, o, xq) (its
// int32 dot with the int8 x values xq); it defines Q4_0_ORDER when its units
// take x in Q4_0's nibble order.
//
// Tried on the H100 (docs/PERFORMANCE.md): 16 rows a group (fewer groups;
// Q4_0 525 tok/s against 561 with 8), and loading the next unit's weights
// ahead, before the quantization too (557).
//
// x is quantized only once per workgroup, so each group does cols / 32 blocks
// of quantization next to MATVEC_ROWS * cols weights: MATVEC_ROWS is set by
// the .comp (8 by default).
//
// p.flags as in matvec_head.glsl: MV_NORM, MV_ACC, MV_SWIGLU.

#extension GL_EXT_spirv_intrinsics : require

#define WG 128u
#ifndef MATVEC_ROWS
#define MATVEC_ROWS 8u
#endif
// The longest row these kernels take (shared memory holds its int8 x); the
// library uses the float kernels past it (ea_vk_ops.c: I8_MAX_COLS).
#define MAX_COLS 8192u
#define MAX_UNITS (MAX_COLS / 16u)

layout(local_size_x = 128) in;

layout(std430, binding = 0) readonly buffer Weights { uint words[]; } w;
layout(std430, binding = 1) readonly buffer X4 { vec4 values[]; } xv;
layout(std430, binding = 2) buffer Y { float values[]; } y;
layout(std430, binding = 3) readonly buffer Norm4 { vec4 values[]; } nrm4;

layout(push_constant) uniform Params {
	uint rows;
	uint cols;
	uint flags;
	float eps;
} p;

#define MV_NORM 1u
#define MV_ACC 2u
#define MV_SWIGLU 4u

#ifdef EA_SUBGROUP
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_arithmetic : require
#endif

// OpSDot with PackedVectorFormat4x8Bit (literal 0): the sum of the products
// of the four signed bytes of a and b. Capabilities DotProduct (6019) and
// DotProductInput4x8BitPacked (6018); glslang 12 lacks
// GL_EXT_integer_dot_product, so the instruction is declared by hand.
spirv_instruction(extensions = ["SPV_KHR_integer_dot_product"], capabilities = [6019, 6018],
		  id = 4450)
int sdot4x8(uint a, uint b, spirv_literal int packed_format);

int dot4(uint a, uint b)
{
	return sdot4x8(a, b, 0);
}

shared uvec4 qx[MAX_UNITS];	// int8 x of unit u, in the order its weights take them
shared vec2 qd[MAX_UNITS];	// d_x of the unit's block; 8 * d_x * sum of its q (Q4_0)
shared float partial[MATVEC_ROWS + 1u][WG];	// + 1: the sum of x^2

// Four bytes at byte offset o (even) of the weights, from the words at o >> 2;
// a and b are words o >> 2 and (o >> 2) + 1.
uint funnel(uint a, uint b, uint o)
{
	return (o & 2u) == 0u ? a : (a >> 16) | (b << 16);
}

// The fp16 scale at byte offset o (even) of the weights, from its word.
float w_scale(uint word, uint o)
{
	return unpackHalf2x16(word >> ((o & 2u) * 8u)).x;
}

// Round v / d to int8 lanes packed into a word (inv = 1 / d, or 0).
uint pack_q(vec4 v, float inv)
{
	ivec4 q = ivec4(round(v * inv));

	return uint(q.x & 0xff) | (uint(q.y & 0xff) << 8) | (uint(q.z & 0xff) << 16) |
	       (uint(q.w & 0xff) << 24);
}

int sum_q(vec4 v, float inv)
{
	vec4 r = round(v * inv);

	return int(r.x + r.y + r.z + r.w);
}

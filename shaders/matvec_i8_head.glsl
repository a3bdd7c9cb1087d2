// The start of every matvec_<type>_i8*.comp: y = W x for one decode token
// with packed int8 dot products (OpSDot, SPV_KHR_integer_dot_product), for
// Q4_0 and Q8_0 weights on devices that report the feature (the library picks
// these kernels where it is also accelerated; see ea_vk_ops_init()).
//
// x comes quantized to int8 per block of 32 values, by quantize_x_<type>.comp
// just before (with the RMSNorm folded into its scales), as units of half a
// block (16 values): qx[u] the unit's int8 values as one uvec4 in the order
// its weights take them, qd[u] = (d_x, 8 d_x sum q_x), and after them the
// scale of every sum (1 / rms with the RMSNorm). The invocations stride
// over the units and every row of the group: a unit's weights are read as
// 32-bit words (blocks are only 2-byte aligned: a misaligned slice is shifted
// out of one word more), and 4 OpSDot of 4 int8 lanes each accumulate an
// int32 that d_w * d_x scales into fp32. Q4_0 nibbles (0..15) enter the dot
// unsigned; qd's second term is the - 8. Results are reduced as in
// matvec_main.glsl.
//
// The type file defines UNIT_HALF (bytes of weights a unit reads), BLOCK_BYTES,
// struct unit_w and load_unit(block, o) (the words of the unit whose weights
// start at byte o, in the block at byte `block`), and unit_sumi(q, o, xq) (its
// int32 dot with the int8 x values xq).
//
// p.flags as in matvec_head.glsl: MV_ACC, MV_SWIGLU; MV_NORM was the
// quantization's.
//
// With EA_I8_OWN_X (matvec_<type>_i8x.comp), a workgroup quantizes x itself
// into shared memory first (quantize_x_block.glsl: the same values as
// quantize_x's), from x and the norm weight bound where the float matvec
// has them, and MV_NORM is honoured here: one dispatch rather than two,
// which is what a decode step on a large GPU waits on (each dispatch costs a
// few microseconds whatever it does), for every workgroup reading all of x.
//
// With x quantized once, a group has little to do before its weight loads,
// so small groups and many of them win: on the H100 (docs/PERFORMANCE.md),
// Q4_0 TinyLlama 597 tok/s with 2 rows of 128 invocations a group, 560 with
// 4, 508 with 8, 499 with 16; 2 rows of 32, 64 or 256 invocations 538, 570,
// 566; 4 rows of 32 or 64, 550 and 521.

#extension GL_EXT_spirv_intrinsics : require

#define WG 128u
#ifndef MATVEC_ROWS
#define MATVEC_ROWS EA_MATVEC_I8_ROWS
#endif

layout(local_size_x = 128) in;

layout(std430, binding = 0) readonly buffer Weights { uint words[]; } w;
layout(std430, binding = 2) buffer Y { float values[]; } y;

#define EA_PUSH_MATVEC
#include "ea_kernels.h"

#ifdef EA_I8_OWN_X
layout(std430, binding = 1) readonly buffer X4 { vec4 values[]; } xv;
layout(std430, binding = 3) readonly buffer Norm4 { vec4 values[]; } nrm4;
shared uvec4 own_qx[EA_MATVEC_I8X_MAX_COLS / 16u];
shared vec2 own_qd[EA_MATVEC_I8X_MAX_COLS / 16u];
#define XQ(u) own_qx[u]
#define XD(u) own_qd[u]
#else
layout(std430, binding = 1) readonly buffer QX { uvec4 values[]; } qx;
layout(std430, binding = 3) readonly buffer QD { vec2 values[]; } qd;
#define XQ(u) qx.values[u]
#define XD(u) qd.values[u]
#endif

#define MV_ACC EA_MV_ACC
#define MV_SWIGLU EA_MV_SWIGLU

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

shared float partial[MATVEC_ROWS][WG];

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

// The start of every matmul_<type>.comp: Y = X W^T for a prompt, X holding
// n_tokens rows of cols values, Y n_tokens rows of `rows` values.
//
// A workgroup computes a tile of TILE weight rows by TILE tokens: it
// dequantizes a TILE x TILE slice of W and loads the same slice of X into
// shared memory, then every invocation accumulates a 2 x 2 block of the tile
// in fp32. The type file supplies row_bytes() and w_at(). Built a second time
// with EA_CPU_SHAPE (matmul_<type>_cpu) for devices that run shaders on the
// CPU, with the body of matmul_cpu_main.glsl, and a third with EA_COOPMAT
// (matmul_<type>_cm) for the matrix units, with matmul_cm_main.glsl.

#extension GL_EXT_control_flow_attributes : require

#include "ea_common.glsl"

#define EA_PUSH_MATMUL
#include "ea_kernels.h"

#ifdef EA_CPU_SHAPE
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_ballot : require
layout(local_size_x = 8) in;	// CPU_LANES: one subgroup
#elif defined(EA_COOPMAT)
#extension GL_NV_cooperative_matrix : require
#extension GL_KHR_memory_scope_semantics : require
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require
#extension GL_KHR_shader_subgroup_basic : require
#define ROWS EA_MATMUL_CM_ROWS
#define TOKENS EA_MATMUL_CM_TOKENS
#define WG (ROWS * TOKENS / 32u)	// a subgroup of 32 a 32 x 32 quarter
layout(local_size_x = WG) in;
#else
#define TILE EA_MATMUL_TILE
#define WG 256u
layout(local_size_x = 256) in;
#endif

layout(std430, binding = 0) readonly buffer Weights { uint words[]; } w;
layout(std430, binding = 1) readonly buffer X { float values[]; } x;
layout(std430, binding = 2) writeonly buffer Y { float values[]; } y;

#include "ea_words.glsl"

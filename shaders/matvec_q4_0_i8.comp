#version 450
#extension GL_GOOGLE_include_directive : require
// variants: subgroup
// Decode matvec y = W x, Q4_0 weights, int8 x (quantize_x_q4_0.comp) and packed
// int8 dot products, 2 rows per workgroup (matvec_i8_head.glsl).

#define MATVEC_ROWS 2u
#include "matvec_i8_head.glsl"
#include "type_q4_0_i8.glsl"
#include "matvec_i8_main.glsl"

#version 450
#extension GL_GOOGLE_include_directive : require
// variants: subgroup
// Decode matvec y = W x, Q8_0 weights, packed int8 dot products, x quantized
// by each workgroup itself (matvec_i8_head.glsl with EA_I8_OWN_X):
// EA_MATVEC_I8X_ROWS rows a workgroup.

#define EA_I8_OWN_X
#define MATVEC_ROWS EA_MATVEC_I8X_ROWS
#include "matvec_i8_head.glsl"
#include "type_q8_0_i8.glsl"
#include "matvec_i8_main.glsl"

#version 450
#extension GL_GOOGLE_include_directive : require
// variants: subgroup
// x quantized to int8 once for the int8-dot matvec of Q4_0 weights
// (quantize_x_main.glsl).

#define Q4_0_ORDER
#include "quantize_x_main.glsl"

#version 450
#extension GL_GOOGLE_include_directive : require
// variants: cpu, coopmat
// Prompt matmul Y = X W^T, Q8_0 weights.

#include "matmul_head.glsl"
#include "type_q8_0.glsl"
#include "matmul_main.glsl"

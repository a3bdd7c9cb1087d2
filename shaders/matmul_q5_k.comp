#version 450
#extension GL_GOOGLE_include_directive : require
// variants: cpu, coopmat
// Prompt matmul Y = X W^T, Q5_K weights.

#include "matmul_head.glsl"
#include "type_q5_k.glsl"
#include "matmul_main.glsl"

#version 450
#extension GL_GOOGLE_include_directive : require
// variants: cpu, coopmat
// Prompt matmul Y = X W^T, Q6_K weights.

#include "matmul_head.glsl"
#include "type_q6_k.glsl"
#include "matmul_main.glsl"

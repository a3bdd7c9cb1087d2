#version 450
#extension GL_GOOGLE_include_directive : require
// variants: cpu, coopmat
// Prompt matmul Y = X W^T, BF16 weights.

#include "matmul_head.glsl"
#include "type_bf16.glsl"
#include "matmul_main.glsl"

#version 450
#extension GL_GOOGLE_include_directive : require
// Embedding lookup with dequantization, BF16 table.

#include "embed_head.glsl"
#include "type_bf16.glsl"
#include "embed_main.glsl"

#version 450
#extension GL_GOOGLE_include_directive : require
// Embedding lookup with dequantization, Q6_K table.

#include "embed_head.glsl"
#include "type_q6_k.glsl"
#include "embed_main.glsl"

#version 450
#extension GL_GOOGLE_include_directive : require
// Embedding lookup with dequantization, Q5_K table.

#include "embed_head.glsl"
#include "type_q5_k.glsl"
#include "embed_main.glsl"

#version 450
#extension GL_GOOGLE_include_directive : require
// Embedding lookup with dequantization, Q4_0 table.

#include "embed_head.glsl"
#include "type_q4_0.glsl"
#include "embed_main.glsl"

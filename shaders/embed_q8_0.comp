#version 450
#extension GL_GOOGLE_include_directive : require
// Embedding lookup with dequantization, Q8_0 table.

#include "embed_head.glsl"
#include "type_q8_0.glsl"
#include "embed_main.glsl"

#version 450
#extension GL_GOOGLE_include_directive : require
// Embedding lookup with dequantization, F32 table.

#include "embed_head.glsl"
#include "type_f32.glsl"
#include "embed_main.glsl"

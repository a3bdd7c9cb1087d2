#version 450
#extension GL_GOOGLE_include_directive : require
// Prompt attention for GPUs (attention_prompt_main.glsl), head_dim 128.

#define HEAD_DIM 128u
#include "attention_prompt_main.glsl"

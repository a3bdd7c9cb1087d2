// The start of every embed_<type>.comp: out[t] = the dequantized row ids[t]
// of the embedding table W (cols values per row), one value per invocation.
// Token ids come from a buffer so that a recorded command buffer can be
// replayed with new tokens.

#include "ea_common.glsl"

layout(local_size_x = 256) in;

layout(std430, binding = 0) readonly buffer Weights { uint words[]; } w;
layout(std430, binding = 1) readonly buffer Ids { uint ids[]; } tokens;
layout(std430, binding = 2) writeonly buffer Out { float values[]; } o;

#define EA_PUSH_EMBED
#include "ea_kernels.h"

#include "ea_words.glsl"

// The start of every matmul_<type>.comp: Y = X W^T for a prompt, X holding
// n_tokens rows of cols values, Y n_tokens rows of `rows` values.
//
// A workgroup computes a tile of TILE weight rows by TILE tokens: it
// dequantizes a TILE x TILE slice of W and loads the same slice of X into
// shared memory, then every invocation accumulates a 2 x 2 block of the tile
// in fp32. The type file supplies row_bytes() and w_at().

#include "ea_common.glsl"

#define TILE 32u
#define WG 256u

layout(local_size_x = 256) in;

layout(std430, binding = 0) readonly buffer Weights { uint words[]; } w;
layout(std430, binding = 1) readonly buffer X { float values[]; } x;
layout(std430, binding = 2) writeonly buffer Y { float values[]; } y;

layout(push_constant) uniform Params {
	uint rows;
	uint cols;
	uint n_tokens;
} p;

#include "ea_words.glsl"

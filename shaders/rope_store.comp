#version 450
// RoPE and the KV store of one layer in one pass, over n_tokens rows of
// [q | k | v] (n_heads, n_kv_heads and n_kv_heads heads of head_dim values:
// the fused q/k/v projection's output). Token t is at position step.pos + t.
// The rotated queries go to q_out (n_tokens x n_heads x head_dim, as attention
// reads them); the rotated keys and the values go straight into the caches at
// row step.pos + t. Rows at or past step.n_tokens (when non-zero: a prompt
// shorter than the recorded batch) or past the cache's cache_rows are not
// stored. Rotation as rope.comp: pair i of a head turns by
// pos * freq_base^(-2i / head_dim); mode 0 pairs (2i, 2i+1), mode 2 (neox)
// pairs (i, i + half).

layout(local_size_x = 256) in;

layout(std430, binding = 0) readonly buffer Qkv { float values[]; } qkv;
layout(std430, binding = 1) writeonly buffer QOut { float values[]; } q_out;
layout(std430, binding = 2) buffer KCache { float values[]; } k_cache;
layout(std430, binding = 3) buffer VCache { float values[]; } v_cache;
layout(std430, binding = 4) readonly buffer Step { uint pos; uint n_tokens; } step;

#define EA_PUSH_ROPE_STORE
#include "ea_kernels.h"

const uint MODE_NEOX = 2u;

void main()
{
	uint group = gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x;
	uint id = group * gl_WorkGroupSize.x + gl_LocalInvocationID.x;
	uint half_dim = p.head_dim / 2u;
	uint kvd = p.n_kv_heads * p.head_dim;
	uint row = p.n_heads * p.head_dim + 2u * kvd;	// a token's [q | k | v]
	uint per_token = (p.n_heads + p.n_kv_heads) * half_dim + kvd;
	uint t = id / per_token;
	uint j = id % per_token;
	uint n_valid = step.n_tokens == 0u ? p.n_tokens : min(step.n_tokens, p.n_tokens);
	uint pos = step.pos + t;
	bool store = t < n_valid && pos < p.cache_rows;

	if (t >= p.n_tokens)
		return;
	if (j < (p.n_heads + p.n_kv_heads) * half_dim) {	// a q or k pair
		uint head = j / half_dim;	// q heads, then k heads
		uint i = j % half_dim;
		uint base = t * row + head * p.head_dim;
		uint a = p.mode == MODE_NEOX ? i : 2u * i;
		uint b = p.mode == MODE_NEOX ? i + half_dim : a + 1u;
		float theta = float(pos) * pow(p.freq_base, -2.0 * float(i) / float(p.head_dim));
		float c = cos(theta), s = sin(theta);
		float x0 = qkv.values[base + a], x1 = qkv.values[base + b];
		float r0 = x0 * c - x1 * s, r1 = x0 * s + x1 * c;

		if (head < p.n_heads) {
			uint o = (t * p.n_heads + head) * p.head_dim;

			q_out.values[o + a] = r0;
			q_out.values[o + b] = r1;
		} else if (store) {
			uint o = pos * kvd + (head - p.n_heads) * p.head_dim;

			k_cache.values[o + a] = r0;
			k_cache.values[o + b] = r1;
		}
	} else if (store) {					// a value
		uint d = j - (p.n_heads + p.n_kv_heads) * half_dim;

		v_cache.values[pos * kvd + d] = qkv.values[t * row + p.n_heads * p.head_dim + kvd + d];
	}
}

#version 450
#extension GL_GOOGLE_include_directive : require
// Attention over a prompt in one pass (flash-attention style), for GPUs:
// workgroup (x, y) takes queries x * QUERIES .. + QUERIES - 1 of the batch and
// head y. It walks the keys from position 0 to the last query's position in
// chunks of KEYS, each chunk's keys and values staged in shared memory, and
// keeps per query a running maximum m, a running sum l of exp(score - m) and
// the weighted values, rescaled when m grows; token t at position step.pos +
// t sees keys 0 .. step.pos + t (causal). Four invocations share a query: each
// scores KEYS / 4 keys of a chunk and accumulates head_dim / 4 of the output.
// Caches are [position][kv head][head_dim] in fp32 (rope_store.comp wrote
// this batch's keys and values before); q and the output [token][head]
// [head_dim]. Grouped-query attention as attention.comp. Tokens at or past
// step.n_tokens (when non-zero) write nothing. decode (one token) keeps
// attention.comp's splits of the context, which spread one query wide.

#include "ea_common.glsl"

#define QUERIES EA_ATTENTION_PROMPT_QUERIES
#define KEYS 16u
#define MAX_DIM EA_ATTENTION_PROMPT_MAX_DIM
#define WG 128u	// 4 invocations a query

layout(local_size_x = 128) in;

layout(std430, binding = 0) readonly buffer Q { vec4 values[]; } q;
layout(std430, binding = 1) readonly buffer K { vec4 values[]; } k;
layout(std430, binding = 2) readonly buffer V { vec4 values[]; } v;
layout(std430, binding = 3) writeonly buffer Out { vec4 values[]; } o;
layout(std430, binding = 4) readonly buffer Step { uint pos; uint n_tokens; } step;

#define EA_PUSH_ATTENTION_PROMPT
#include "ea_kernels.h"

shared vec4 q_tile[QUERIES][MAX_DIM / 4u];
shared vec4 k_tile[KEYS][MAX_DIM / 4u];
shared vec4 v_tile[KEYS][MAX_DIM / 4u];
shared float score[QUERIES][KEYS + 1u];

void main()
{
	uint id = gl_LocalInvocationID.x;
	uint head = gl_WorkGroupID.y;
	uint kv_head = head / (p.n_heads / p.n_kv_heads);
	uint first = gl_WorkGroupID.x * QUERIES;
	uint n_valid = step.n_tokens == 0u ? p.n_tokens : min(step.n_tokens, p.n_tokens);
	uint dim4 = p.head_dim / 4u;
	uint mine = id / 4u, part = id % 4u;	// this invocation's query and quarter
	uint token = first + mine;
	uint my_pos = step.pos + token;
	uint parts4 = (dim4 + 3u) / 4u;	// vec4s of the output a quarter takes
	vec4 acc[MAX_DIM / 16u];
	float m = -1.0 / 0.0, l = 0.0;

	if (first >= n_valid)
		return;	// uniform: the whole workgroup
	for (uint i = id; i < QUERIES * dim4; i += WG) {
		uint t = min(first + i / dim4, n_valid - 1u);	// past the last: its copy, unused

		q_tile[i / dim4][i % dim4] = q.values[(t * p.n_heads + head) * dim4 + i % dim4];
	}
	for (uint j = 0u; j < parts4; j++)
		acc[j] = vec4(0.0);
	uint last = step.pos + min(first + QUERIES, n_valid) - 1u;	// the last key any query sees

	for (uint c0 = 0u; c0 <= last; c0 += KEYS) {
		barrier();	// the chunk before is used up (and q_tile written)
		for (uint i = id; i < KEYS * dim4; i += WG) {
			// Keys past the last read the last (and are masked below): no
			// load behind a branch, so the loads go out together.
			uint key = min(c0 + i / dim4, last);
			uint at = (key * p.n_kv_heads + kv_head) * dim4 + i % dim4;

			k_tile[i / dim4][i % dim4] = k.values[at];
			v_tile[i / dim4][i % dim4] = v.values[at];
		}
		barrier();
		for (uint j = 0u; j < KEYS / 4u; j++) {
			uint kj = part * (KEYS / 4u) + j;
			float s = 0.0;

			for (uint d = 0u; d < dim4; d++)
				s += dot(q_tile[mine][d], k_tile[kj][d]);
			score[mine][kj] = c0 + kj <= my_pos ? s * p.scale : -1.0 / 0.0;
		}
		barrier();
		float m_new = m;

		for (uint j = 0u; j < KEYS; j++)
			m_new = max(m_new, score[mine][j]);
		if (m_new != -1.0 / 0.0) {	// else no key yet is visible to this query
			float rescale = exp(m - m_new);

			l *= rescale;
			for (uint j = 0u; j < parts4; j++)
				acc[j] *= rescale;
			for (uint kj = 0u; kj < KEYS; kj++) {
				float e = exp(score[mine][kj] - m_new);

				l += e;
				for (uint j = 0u; j < parts4; j++) {
					uint d = part * parts4 + j;

					if (d < dim4)
						acc[j] += e * v_tile[kj][d];
				}
			}
		}
		m = m_new;
	}
	if (token < n_valid)
		for (uint j = 0u; j < parts4; j++) {
			uint d = part * parts4 + j;

			if (d < dim4)
				o.values[(token * p.n_heads + head) * dim4 + d] = acc[j] / l;
		}
}

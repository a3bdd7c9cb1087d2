#version 450
#extension GL_GOOGLE_include_directive : require
// variants: subgroup
// Attention by splits of the context (flash-decoding): workgroup (x = token *
// n_heads + head, y = split) scores the query against the cached keys of
// positions [split * split_len, min((split + 1) * split_len, n_kv)), where
// token t at position step.pos + t sees n_kv = step.pos + t + 1 keys
// (causal). It writes the unnormalized sum of exp(score - m) * value, the
// maximum score m and the sum l of exp(score - m) to its slot of the partial
// buffer, then counts itself done on the (token, head)'s counter (after the
// slots, in the same buffer); the last of its splits to arrive merges them
// all into the output (with M the largest split maximum: sum_s exp(m_s - M)
// o_s / sum_s exp(m_s - M) l_s) and sets the counter back to zero: one
// dispatch, where a second pass cost a dispatch a layer. Counters start at
// zero as every buffer does (ea_vk_buffer_create_local()). One token is
// decode, several are a prompt (head sizes attention_prompt_d* is not built
// for). Grouped-query attention: head h reads kv head h / (n_heads /
// n_kv_heads). Caches are [position][kv head][head_dim] in fp32.
//
// The dispatch covers the whole context; splits past a token's keys write
// l = 0 and only count themselves, and tokens at or past step.n_tokens (when
// non-zero: a prompt shorter than the recorded batch) do nothing, so the work
// follows the current position.

#include "ea_common.glsl"

#define WG 128u
#define MAX_HEAD_DIM EA_MAX_HEAD_DIM
#define MAX_SPLIT 256u

layout(local_size_x = 128) in;

layout(std430, binding = 0) readonly buffer Q { float values[]; } q;
layout(std430, binding = 1) readonly buffer K { float values[]; } k;
layout(std430, binding = 1) readonly buffer K4 { vec4 values[]; } k4;
layout(std430, binding = 2) readonly buffer V { float values[]; } v;
layout(std430, binding = 2) readonly buffer V4 { vec4 values[]; } v4;
layout(std430, binding = 3) coherent buffer Partial { float values[]; } partial;
layout(std430, binding = 3) coherent buffer Counters { uint values[]; } counters;
layout(std430, binding = 4) writeonly buffer Out { float values[]; } o;
layout(std430, binding = 5) readonly buffer Step { uint pos; uint n_tokens; } step;

#define EA_PUSH_ATTENTION
#include "ea_kernels.h"

#include "ea_reduce.glsl"

shared float query[MAX_HEAD_DIM];
shared float weight[MAX_SPLIT];
shared vec4 sums[WG];	// the weighted values of each group of positions
shared uint arrived;	// splits of this (token, head) done before this one

// The last split of workgroup x's (token, head) merges the n_splits splits
// that hold the token's keys; any that saw none (l = 0) is skipped.
void merge(uint x, uint token)
{
	uint stride = p.head_dim + 2u;
	uint base = x * p.n_splits * stride;
	uint n_splits = min(p.n_splits, (step.pos + token + p.split_len) / p.split_len);
	float best = -1.0 / 0.0, total = 0.0;

	for (uint s = 0u; s < n_splits; s++)
		if (partial.values[base + s * stride + p.head_dim + 1u] > 0.0)
			best = max(best, partial.values[base + s * stride + p.head_dim]);
	for (uint s = 0u; s < n_splits; s++) {
		float l = partial.values[base + s * stride + p.head_dim + 1u];

		if (l > 0.0)
			total += exp(partial.values[base + s * stride + p.head_dim] - best) * l;
	}
	for (uint d = gl_LocalInvocationID.x; d < p.head_dim; d += WG) {
		float acc = 0.0;

		for (uint s = 0u; s < n_splits; s++) {
			uint at = base + s * stride;

			if (partial.values[at + p.head_dim + 1u] > 0.0)
				acc += exp(partial.values[at + p.head_dim] - best) * partial.values[at + d];
		}
		o.values[x * p.head_dim + d] = acc / total;
	}
}

// Score split `split` of the token's keys into its slot at out_base (uniform
// in the workgroup: it has barriers).
void attend_split(uint token, uint head, uint split, uint n_kv, uint out_base)
{
	uint id = gl_LocalInvocationID.x;
	uint kv_head = head / (p.n_heads / p.n_kv_heads);
	uint start = split * p.split_len;
	uint end = min(start + p.split_len, n_kv);
	uint kv_stride = p.n_kv_heads * p.head_dim;
	float m = -1.0 / 0.0;
	float l = 0.0;

	for (uint d = id; d < p.head_dim; d += WG)
		query[d] = q.values[gl_WorkGroupID.x * p.head_dim + d];
	barrier();
	for (uint pos = start + id; pos < end; pos += WG) {
		uint key = pos * kv_stride + kv_head * p.head_dim;
		float score = 0.0;

		if (p.head_dim % 4u == 0u) {	// keys as vec4s: 16-byte aligned rows
			for (uint d = 0u; d < p.head_dim; d += 4u)
				score += dot(vec4(query[d], query[d + 1u], query[d + 2u],
						  query[d + 3u]), k4.values[(key + d) >> 2]);
		} else {
			for (uint d = 0u; d < p.head_dim; d++)
				score += query[d] * k.values[key + d];
		}
		score *= p.scale;
		weight[pos - start] = score;
		m = max(m, score);
	}
	m = reduce_max(m);
	for (uint pos = start + id; pos < end; pos += WG) {
		float e = exp(weight[pos - start] - m);

		weight[pos - start] = e;
		l += e;
	}
	l = reduce_add(l);	// its barriers also publish weight[]
	if (p.head_dim % 4u == 0u) {
		// Values as vec4s: invocation id takes column c (4 values) of the
		// positions start + g, start + g + n_groups, ...; the groups' sums
		// meet in shared memory. Every invocation loads independently, where
		// one invocation a value walked all split_len positions in turn.
		uint cols = p.head_dim / 4u;
		uint n_groups = WG / cols;
		uint c = id % cols, g = id / cols;
		vec4 acc = vec4(0.0);

		if (g < n_groups)
			for (uint pos = start + g; pos < end; pos += n_groups)
				acc += weight[pos - start] *
				       v4.values[(pos * kv_stride + kv_head * p.head_dim) / 4u + c];
		sums[id] = acc;
		barrier();
		if (id < cols) {
			for (uint i = 1u; i < n_groups; i++)
				acc += sums[i * cols + id];
			partial.values[out_base + 4u * id] = acc.x;
			partial.values[out_base + 4u * id + 1u] = acc.y;
			partial.values[out_base + 4u * id + 2u] = acc.z;
			partial.values[out_base + 4u * id + 3u] = acc.w;
		}
	} else {
		for (uint d = id; d < p.head_dim; d += WG) {
			float acc = 0.0;

			for (uint pos = start; pos < end; pos++)
				acc += weight[pos - start] *
				       v.values[pos * kv_stride + kv_head * p.head_dim + d];
			partial.values[out_base + d] = acc;
		}
	}
	if (id == 0u) {
		partial.values[out_base + p.head_dim] = m;
		partial.values[out_base + p.head_dim + 1u] = l;
	}
}

void main()
{
	uint id = gl_LocalInvocationID.x;
	uint token = gl_WorkGroupID.x / p.n_heads;
	uint head = gl_WorkGroupID.x % p.n_heads;
	uint split = gl_WorkGroupID.y;
	uint n_kv = step.pos + token + 1u;
	uint out_base = (gl_WorkGroupID.x * p.n_splits + split) * (p.head_dim + 2u);
	uint counter = gl_NumWorkGroups.x * p.n_splits * (p.head_dim + 2u) + gl_WorkGroupID.x;
	uint n_valid = step.n_tokens == 0u ? gl_NumWorkGroups.x / p.n_heads : step.n_tokens;

	if (token >= n_valid)	// uniform in the workgroup, and in the token's splits
		return;
	if (split * p.split_len < n_kv)	// uniform in the workgroup
		attend_split(token, head, split, n_kv, out_base);
	else if (id == 0u)
		partial.values[out_base + p.head_dim + 1u] = 0.0;
	memoryBarrierBuffer();
	barrier();
	if (id == 0u)
		arrived = atomicAdd(counters.values[counter], 1u);
	barrier();
	if (arrived != p.n_splits - 1u)
		return;
	memoryBarrierBuffer();
	merge(gl_WorkGroupID.x, token);
	if (id == 0u)
		counters.values[counter] = 0u;	// for the next run
}

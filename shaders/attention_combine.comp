#version 450
// Attention, second pass: merge the splits of attention.comp for workgroup
// (token * n_heads + head): with M the largest split maximum, the output is
// sum_s exp(m_s - M) * o_s / sum_s exp(m_s - M) * l_s. Only the splits
// that hold the token's keys (positions < step.pos + token + 1) are read; of
// those, any that saw none (l = 0) is skipped. Tokens at or past
// step.n_tokens (when non-zero) are left alone.

layout(local_size_x = 64) in;

layout(std430, binding = 0) readonly buffer Partial { float values[]; } partial;
layout(std430, binding = 1) writeonly buffer Out { float values[]; } o;
layout(std430, binding = 2) readonly buffer Step { uint pos; uint n_tokens; } step;

#define EA_PUSH_ATTENTION_COMBINE
#include "ea_kernels.h"

void main()
{
	uint stride = p.head_dim + 2u;
	uint base = gl_WorkGroupID.x * p.n_splits * stride;
	float best = -1.0 / 0.0;
	float total = 0.0;
	uint token = gl_WorkGroupID.x / p.n_heads;
	uint n_valid = step.n_tokens == 0u ? gl_NumWorkGroups.x / p.n_heads : step.n_tokens;
	uint n_splits = min(p.n_splits, (step.pos + token + p.split_len) / p.split_len);

	if (token >= n_valid)
		return;

	for (uint s = 0u; s < n_splits; s++)
		if (partial.values[base + s * stride + p.head_dim + 1u] > 0.0)
			best = max(best, partial.values[base + s * stride + p.head_dim]);
	for (uint s = 0u; s < n_splits; s++) {
		float l = partial.values[base + s * stride + p.head_dim + 1u];

		if (l > 0.0)
			total += exp(partial.values[base + s * stride + p.head_dim] - best) * l;
	}
	for (uint d = gl_LocalInvocationID.x; d < p.head_dim; d += gl_WorkGroupSize.x) {
		float acc = 0.0;

		for (uint s = 0u; s < n_splits; s++) {
			uint at = base + s * stride;

			if (partial.values[at + p.head_dim + 1u] > 0.0)
				acc += exp(partial.values[at + p.head_dim] - best) * partial.values[at + d];
		}
		o.values[gl_WorkGroupID.x * p.head_dim + d] = acc / total;
	}
}

#version 450
#extension GL_GOOGLE_include_directive : require
// variants: subgroup
// The negative log-likelihood of the next token from each of n_rows rows of
// logits (n_vocab values a row): workgroup i takes row i, the logits of
// position t = step.score_row + i, and writes
//   nll[i] = log(sum_v exp(logits[v] - m)) + m - logits[ids[t + 1]]
// (m the row's largest logit), or 0 where t + 1 is not a real token of the run
// (t + 1 >= step.n_tokens, or the recorded n_tokens when that is 0). ids are
// the run's token ids.

#include "ea_common.glsl"

#define WG 128u

layout(local_size_x = 128) in;

layout(std430, binding = 0) readonly buffer Logits { float values[]; } logits;
layout(std430, binding = 1) readonly buffer Ids { uint values[]; } ids;
layout(std430, binding = 2) writeonly buffer Nll { float values[]; } nll;
layout(std430, binding = 3) readonly buffer Step { uint pos; uint n_tokens; uint score_row; } step;

#define EA_PUSH_TOKEN_NLL
#include "ea_kernels.h"

#include "ea_reduce.glsl"

void main()
{
	uint id = gl_LocalInvocationID.x;
	uint row = gl_WorkGroupID.x;
	uint base = row * p.n_vocab;
	uint next = step.score_row + row + 1u;
	uint n_valid = step.n_tokens == 0u ? p.n_tokens : min(step.n_tokens, p.n_tokens);
	float m = -1.0 / 0.0;
	float sum = 0.0;

	if (next >= n_valid) {	// uniform in the workgroup
		if (id == 0u)
			nll.values[row] = 0.0;
		return;
	}
	for (uint v = id; v < p.n_vocab; v += WG)
		m = max(m, logits.values[base + v]);
	m = reduce_max(m);
	for (uint v = id; v < p.n_vocab; v += WG)
		sum += exp(logits.values[base + v] - m);
	sum = reduce_add(sum);
	if (id == 0u)
		nll.values[row] = log(sum) + m - logits.values[base + ids.values[next]];
}

// Causal attention of a prompt, shaped for devices that run shaders on the CPU
// (lavapipe; see matmul_cpu_main.glsl for why: a storage buffer load costs a
// loop over the lanes, a subgroupBroadcast() an extract). The includer
// defines HEAD_DIM (a multiple of LANES).
//
// Workgroup (x = block of QT tokens, y = head) is one subgroup of LANES
// invocations and needs no barrier. Token t at position step.pos + t sees keys
// 0 .. step.pos + t (grouped-query: head h reads kv head h / (n_heads /
// n_kv_heads)); caches are [position][kv head][HEAD_DIM] fp32. Lane i holds
// dimensions c * LANES + i of the QT queries and of their outputs, and walks
// the keys LANES at a time with an online softmax: lane i loads key kb + i
// (its HEAD_DIM values), the broadcasts of the query dimensions give every
// lane its key's QT scores, the subgroup max and sum update each token's
// running max and sum, and the broadcasts of the weights give every lane
// its dimensions of the weighted values. Tokens at or past step.n_tokens
// (when non-zero) are skipped.

#extension GL_EXT_control_flow_attributes : require
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_arithmetic : require
#extension GL_KHR_shader_subgroup_ballot : require

#define LANES EA_CPU_LANES
#define QT EA_ATTENTION_CPU_TOKENS	// tokens a workgroup
#define DC (HEAD_DIM / LANES)

layout(local_size_x = 8) in;

layout(std430, binding = 0) readonly buffer Q { float values[]; } q;
layout(std430, binding = 1) readonly buffer K { float values[]; } k;
layout(std430, binding = 2) readonly buffer V { float values[]; } v;
layout(std430, binding = 3) writeonly buffer Out { float values[]; } o;
layout(std430, binding = 4) readonly buffer Step { uint pos; uint n_tokens; } step;

#define EA_PUSH_ATTENTION_PROMPT
#include "ea_kernels.h"

void main()
{
	uint lane = gl_SubgroupInvocationID;
	uint token0 = gl_WorkGroupID.x * QT;
	uint head = gl_WorkGroupID.y;
	uint kv_base = head / (p.n_heads / p.n_kv_heads) * HEAD_DIM;
	uint kv_stride = p.n_kv_heads * HEAD_DIM;
	uint n_valid = step.n_tokens == 0u ? p.n_tokens : min(step.n_tokens, p.n_tokens);
	uint last;	// the last key any token of the block sees
	float qd[QT][DC], acc[QT][DC], m[QT], l[QT];

	if (token0 >= n_valid)
		return;
	last = step.pos + min(token0 + QT, n_valid) - 1u;
	[[unroll]] for (uint t = 0u; t < QT; t++) {
		uint row = (min(token0 + t, n_valid - 1u) * p.n_heads + head) * HEAD_DIM;

		[[unroll]] for (uint c = 0u; c < DC; c++) {
			qd[t][c] = q.values[row + c * LANES + lane] * p.scale;
			acc[t][c] = 0.0;
		}
		m[t] = -1.0 / 0.0;
		l[t] = 0.0;
	}
	for (uint kb = 0u; kb <= last; kb += LANES) {
		uint key = min(kb + lane, last);	// past the last: a copy, weight 0
		float kd[HEAD_DIM];
		float s[QT];

		[[unroll]] for (uint d = 0u; d < HEAD_DIM; d++)
			kd[d] = k.values[key * kv_stride + kv_base + d];
		[[unroll]] for (uint t = 0u; t < QT; t++) {
			s[t] = 0.0;
			[[unroll]] for (uint c = 0u; c < DC; c++)
				[[unroll]] for (uint j = 0u; j < LANES; j++)
					s[t] += subgroupBroadcast(qd[t][c], j) * kd[c * LANES + j];
		}
		[[unroll]] for (uint t = 0u; t < QT; t++) {
			bool seen = kb + lane <= step.pos + token0 + t;
			float score = seen ? s[t] : -1.0 / 0.0;
			float m_new = max(m[t], subgroupMax(score));
			float weight = seen ? exp(score - m_new) : 0.0;
			float rescale = exp(m[t] - m_new);	// 0 on the first keys

			l[t] = l[t] * rescale + subgroupAdd(weight);
			m[t] = m_new;
			s[t] = weight;
			[[unroll]] for (uint c = 0u; c < DC; c++)
				acc[t][c] *= rescale;
		}
		[[unroll]] for (uint j = 0u; j < LANES; j++) {
			uint vrow = min(kb + j, last) * kv_stride + kv_base + lane;

			[[unroll]] for (uint c = 0u; c < DC; c++) {
				float vd = v.values[vrow + c * LANES];

				[[unroll]] for (uint t = 0u; t < QT; t++)
					acc[t][c] += subgroupBroadcast(s[t], j) * vd;
			}
		}
	}
	[[unroll]] for (uint t = 0u; t < QT; t++) {
		uint row = ((token0 + t) * p.n_heads + head) * HEAD_DIM;

		if (token0 + t < n_valid)
			[[unroll]] for (uint c = 0u; c < DC; c++)
				o.values[row + c * LANES + lane] = acc[t][c] / l[t];
	}
}

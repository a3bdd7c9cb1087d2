// Causal attention of a prompt for GPUs, in one pass (flash-attention style,
// fp32): the body of attention_prompt_d<HEAD_DIM>.comp.
//
// Workgroup (x = block of QB tokens, y = head) holds its QB queries in
// registers, one an invocation per part: SPLITS invocations share a query,
// invocation (s, t) taking keys kb + j with j % SPLITS == s of every block
// (so a subgroup's invocations all read the same key: shared-memory
// broadcasts). Keys and values are staged in shared memory KB positions at a
// time, as vec4s; each invocation keeps an online softmax (running max m, sum
// l, weighted values acc) over its keys; at the end the SPLITS parts of a
// query merge through shared memory, one part after another. Token t at
// position step.pos + t sees keys 0 .. step.pos + t (grouped-query: head h
// reads kv head h / (n_heads / n_kv_heads)); caches are [position][kv head]
// [HEAD_DIM] fp32. Tokens at or past step.n_tokens (when non-zero) are
// skipped. Against the splits of attention.comp, every key is read from
// memory once a block of QB queries rather than once a query.
//
// The includer defines HEAD_DIM (a multiple of 4).

#extension GL_EXT_control_flow_attributes : require

#define EA_PUSH_ATTENTION_PROMPT
#include "ea_kernels.h"

#define QB EA_ATTENTION_PROMPT_TOKENS(HEAD_DIM)
#define SPLITS 4u
#define WG (QB * SPLITS)
#define DV (HEAD_DIM / 4u)		// vec4s a row
#define KB (2048u / HEAD_DIM)		// positions staged a block: 8 KiB of keys

layout(local_size_x = WG) in;

layout(std430, binding = 0) readonly buffer Q { vec4 values[]; } q;
layout(std430, binding = 1) readonly buffer K { vec4 values[]; } k;
layout(std430, binding = 2) readonly buffer V { vec4 values[]; } v;
layout(std430, binding = 3) writeonly buffer Out { vec4 values[]; } o;
layout(std430, binding = 4) readonly buffer Step { uint pos; uint n_tokens; } step;

// Keys at [0, KB * DV), values after them; at the end, the parts' acc
// (QB <= 2 KB for every HEAD_DIM built).
shared vec4 stage[2u * KB * DV];
shared vec2 merge_ml[QB];
#define KEY(i) stage[i]
#define VAL(i) stage[KB * DV + (i)]

void main()
{
	uint id = gl_LocalInvocationID.x;
	uint part = id / QB, t = id % QB;
	uint token0 = gl_WorkGroupID.x * QB, token = token0 + t;
	uint head = gl_WorkGroupID.y;
	uint kv_base = head / (p.n_heads / p.n_kv_heads) * DV;
	uint kv_stride = p.n_kv_heads * DV;
	uint n_valid = step.n_tokens == 0u ? p.n_tokens : min(step.n_tokens, p.n_tokens);
	bool in_prompt = token < n_valid;
	uint n_keys, seen;	// keys the block's last token sees; this token's
	vec4 qv[DV], acc[DV];
	float m = -1.0 / 0.0, l = 0.0;

	if (token0 >= n_valid)
		return;
	n_keys = step.pos + min(token0 + QB, n_valid);
	seen = step.pos + token + 1u;
	[[unroll]] for (uint c = 0u; c < DV; c++) {
		qv[c] = in_prompt ? q.values[(token * p.n_heads + head) * DV + c] * p.scale : vec4(0.0);
		acc[c] = vec4(0.0);
	}
	for (uint kb = 0u; kb < n_keys; kb += KB) {
		barrier();	// the last block is read
		for (uint i = id; i < KB * DV; i += WG) {
			uint key = kb + i / DV;
			uint at = key * kv_stride + kv_base + i % DV;

			KEY(i) = key < n_keys ? k.values[at] : vec4(0.0);
			VAL(i) = key < n_keys ? v.values[at] : vec4(0.0);
		}
		barrier();
		float s[KB / SPLITS];
		float block_max = -1.0 / 0.0;

		if (in_prompt && kb < seen)
			[[unroll]] for (uint j = 0u; j < KB / SPLITS; j++) {
				uint key = j * SPLITS + part;
				float score = 0.0;

				[[unroll]] for (uint c = 0u; c < DV; c++)
					score += dot(qv[c], KEY(key * DV + c));
				s[j] = kb + key < seen ? score : -1.0 / 0.0;
				block_max = max(block_max, s[j]);
			}
		if (block_max != -1.0 / 0.0) {	// some of this part's keys are seen
			float m_new = max(m, block_max);
			float rescale = exp(m - m_new);	// 0 on the first keys

			l *= rescale;
			[[unroll]] for (uint c = 0u; c < DV; c++)
				acc[c] *= rescale;
			[[unroll]] for (uint j = 0u; j < KB / SPLITS; j++) {
				float weight = exp(s[j] - m_new);	// 0 for keys not seen
				uint key = j * SPLITS + part;

				l += weight;
				[[unroll]] for (uint c = 0u; c < DV; c++)
					acc[c] += weight * VAL(key * DV + c);
			}
			m = m_new;
		}
	}
	// Merge the parts into part 0, one after another.
	for (uint from = 1u; from < SPLITS; from++) {
		barrier();
		if (part == from) {
			merge_ml[t] = vec2(m, l);
			[[unroll]] for (uint c = 0u; c < DV; c++)
				stage[t * DV + c] = acc[c];
		}
		barrier();
		if (part == 0u) {
			vec2 other = merge_ml[t];
			float m_new = max(m, other.x);

			if (m_new != -1.0 / 0.0) {
				float a = exp(m - m_new), b = exp(other.x - m_new);

				l = l * a + other.y * b;
				[[unroll]] for (uint c = 0u; c < DV; c++)
					acc[c] = acc[c] * a + stage[t * DV + c] * b;
				m = m_new;
			}
		}
	}
	if (part == 0u && in_prompt)
		[[unroll]] for (uint c = 0u; c < DV; c++)
			o.values[(token * p.n_heads + head) * DV + c] = acc[c] / l;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * cascade: the small local model answers first; a request whose caller
 * reports a local confidence below the floor (per mille: the pinned
 * "cascade_floor" map's value, which `edgeai-sched set cascade-floor N`
 * changes at run time; 0 or unset: EDGEAI_POLICY_CONFIDENCE_FLOOR)
 * escalates to the cloud.  No estimate means local.  Sensitive requests stay.
 * The rule is edgeai_policy_cascade() (uapi/edgeai_policy.h), which the
 * library's cascade applies in direct mode.
 *
 * Good when the caller can score the local answer (token log-probabilities)
 * and most requests are easy.  Not good for hard requests that always
 * escalate: they pay the local attempt and the cloud.
 */
#include "policy.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct edgeai_cascade_state);
} cascade_floor SEC(".maps");

SEC("struct_ops/route")
s32 BPF_PROG(cascade_route, struct edgeai_route_ctx *req)
{
	struct edgeai_cascade_state *c;
	u32 reason = 0, priority = 0, key = 0, floor = EDGEAI_POLICY_CONFIDENCE_FLOOR;
	u32 d;

	c = bpf_map_lookup_elem(&cascade_floor, &key);
	if (c && c->floor)
		floor = c->floor;
	d = edgeai_policy_cascade(req->privacy, req->deadline_ms, req->confidence,
				  floor, &reason, &priority);

	req->reason = reason;
	req->priority = priority;
	return d;
}

SEC(".struct_ops.link")
struct edgeai_sched_ops cascade = {
	.route = (void *)cascade_route,
	.name = "cascade",
};

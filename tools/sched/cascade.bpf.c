// SPDX-License-Identifier: GPL-2.0-only
/*
 * cascade: the small local model answers first; a request whose caller
 * reports a local confidence below EDGEAI_POLICY_CONFIDENCE_FLOOR (per mille)
 * escalates to the cloud.  No estimate means local.  Sensitive requests stay.
 * The rule is edgeai_policy_cascade() (uapi/edgeai_policy.h), which the
 * library's cascade applies in direct mode.
 *
 * Good when the caller can score the local answer (token log-probabilities)
 * and most requests are easy.  Not good for hard requests that always
 * escalate: they pay the local attempt and the cloud.
 */
#include "policy.bpf.h"

SEC("struct_ops/route")
s32 BPF_PROG(cascade_route, struct edgeai_route_ctx *req)
{
	u32 reason = 0, priority = 0;
	u32 d = edgeai_policy_cascade(req->privacy, req->deadline_ms, req->confidence,
				      EDGEAI_POLICY_CONFIDENCE_FLOOR, &reason, &priority);

	req->reason = reason;
	req->priority = priority;
	return d;
}

SEC(".struct_ops.link")
struct edgeai_sched_ops cascade = {
	.route = (void *)cascade_route,
	.name = "cascade",
};

// SPDX-License-Identifier: GPL-2.0-only
/*
 * cascade: the small local model answers first; a request whose caller
 * reports a local confidence below CONFIDENCE_FLOOR (per mille) escalates
 * to the cloud.  No estimate means local.  Sensitive requests stay.
 *
 * Good when the caller can score the local answer (token log-probabilities)
 * and most requests are easy.  Not good for hard requests that always
 * escalate: they pay the local attempt and the cloud.
 */
#include "policy.bpf.h"

#define CONFIDENCE_FLOOR	500

SEC("struct_ops/route")
s32 BPF_PROG(cascade_route, struct edgeai_route_ctx *req)
{
	req->priority = edgeai_policy_priority(req->deadline_ms);
	if (req->privacy == EDGEAI_PRIVACY_SENSITIVE) {
		req->reason = EDGEAI_REASON_PRIVACY;
		return EDGEAI_ROUTE_LOCAL;
	}
	if (req->confidence != EDGEAI_CONFIDENCE_NONE &&
	    req->confidence < CONFIDENCE_FLOOR) {
		req->reason = EDGEAI_REASON_LOW_CONFIDENCE;
		return EDGEAI_ROUTE_CLOUD;
	}
	req->reason = EDGEAI_REASON_CONFIDENT;
	return EDGEAI_ROUTE_LOCAL;
}

SEC(".struct_ops.link")
struct edgeai_sched_ops cascade = {
	.route = (void *)cascade_route,
	.name = "cascade",
};

// SPDX-License-Identifier: GPL-2.0-only
/*
 * privacy: a request of the sensitive class never leaves the device, even
 * when no executor is attached: its jobs wait for one, and fail with
 * -ETIMEDOUT when none comes within job_timeout_ms; every other request
 * goes where the latency estimate says.
 *
 * Good on devices handling personal data next to ordinary requests.  Not
 * good when the device is too small for the sensitive requests' models:
 * they are never offloaded, only queued.
 */
#include "policy.bpf.h"

SEC("struct_ops/route")
s32 BPF_PROG(privacy_route, struct edgeai_route_ctx *req)
{
	struct edgeai_policy_facts facts;

	route_facts(req, &facts);
	return edgeai_policy_privacy(&facts, &req->reason, &req->priority);
}

SEC(".struct_ops.link")
struct edgeai_sched_ops privacy = {
	.route = (void *)privacy_route,
	.name = "privacy",
};

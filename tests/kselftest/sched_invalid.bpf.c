// SPDX-License-Identifier: GPL-2.0-only
/* A policy that answers outside the valid set: a test of the fallback. */
#include "policy.bpf.h"

SEC("struct_ops/route")
s32 BPF_PROG(invalid_route, struct edgeai_route_ctx *req)
{
	return EDGEAI_ROUTE_DECISION_COUNT + 4;
}

SEC(".struct_ops.link")
struct edgeai_sched_ops invalid = {
	.route = (void *)invalid_route,
	.name = "invalid",
};

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What every edgeai policy shares: the kernel's types (from the module's
 * BTF), the uapi constants, the kfuncs, the maps, and the policies'
 * arithmetic (uapi/edgeai_policy.h) with the facts it decides on.
 */
#ifndef EDGEAI_POLICY_BPF_H
#define EDGEAI_POLICY_BPF_H

#include "vmlinux.h"
#include "edgeai_consts.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "edgeai_policy.h"
#include "sched_maps.h"

char _license[] SEC("license") = "GPL";

extern u64 edgeai_route_model_avg_ns(struct edgeai_route_ctx *ctx,
				     u32 model_id) __ksym;
extern u32 edgeai_route_queued_from(struct edgeai_route_ctx *ctx,
				    u32 priority) __ksym;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct edgeai_cloud_state);
} cloud SEC(".maps");

/*
 * The request and the device from the ctx, the queue and the model's job
 * time from the kfuncs (as route() runs), the cloud from the "cloud" map.
 */
static __always_inline void route_facts(struct edgeai_route_ctx *ctx,
					struct edgeai_policy_facts *f)
{
	u32 key = 0;
	struct edgeai_cloud_state *c = bpf_map_lookup_elem(&cloud, &key);

	f->privacy = ctx->privacy;
	f->deadline_ms = ctx->deadline_ms;
	f->prompt_tokens = ctx->prompt_tokens;
	f->max_new_tokens = ctx->max_new_tokens;
	f->executor_alive = ctx->executor_alive;
	f->queued = edgeai_route_queued_from(ctx, EDGEAI_PRIORITY_LOW);
	f->mem_used = ctx->mem_used;
	f->mem_limit = ctx->mem_limit;
	f->model_avg_ns = edgeai_route_model_avg_ns(ctx, ctx->model_id);
	f->cloud_rtt_ms = c ? c->rtt_ms : 0;
	f->cloud_tokens_per_s = c ? c->tokens_per_s : 0;
}

/* edgeai_policy_latency(), which several policies fall back on. */
static __always_inline s32 route_by_latency(struct edgeai_route_ctx *ctx)
{
	struct edgeai_policy_facts facts;

	route_facts(ctx, &facts);
	return edgeai_policy_latency(&facts, &ctx->reason, &ctx->priority);
}

#endif

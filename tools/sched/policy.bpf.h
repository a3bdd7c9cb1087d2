/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What every edgeai policy shares: the kernel's types (from the module's
 * BTF), the uapi constants, the kfuncs, the maps and the latency estimate
 * that several policies fall back on.
 */
#ifndef EDGEAI_POLICY_BPF_H
#define EDGEAI_POLICY_BPF_H

#include "vmlinux.h"
#include "edgeai_consts.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
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

/* Local cost of a token before the model has a measured job time. */
#define DEFAULT_LOCAL_NS_PER_TOKEN	(20 * 1000 * 1000ULL)
/* The prompt is evaluated in batches of this many tokens per job. */
#define PROMPT_TOKENS_PER_JOB		8

static __always_inline u32 urgent_priority(struct edgeai_route_ctx *ctx)
{
	return ctx->deadline_ms && ctx->deadline_ms <= EDGEAI_ROUTE_URGENT_MS ?
	       EDGEAI_PRIORITY_HIGH : EDGEAI_PRIORITY_NORMAL;
}

/*
 * local = (jobs queued + jobs of the request) x the model's job time;
 * cloud = round trip + new tokens / cloud throughput.  No cloud figures
 * or no executor decide by themselves.
 */
static __always_inline s32 route_by_latency(struct edgeai_route_ctx *ctx)
{
	struct edgeai_cloud_state *c;
	u64 per_job, local_ns, cloud_ns, jobs;
	u32 key = 0;

	ctx->priority = urgent_priority(ctx);
	if (!ctx->executor_alive) {
		ctx->reason = EDGEAI_REASON_NO_EXECUTOR;
		return EDGEAI_ROUTE_CLOUD;
	}
	c = bpf_map_lookup_elem(&cloud, &key);
	if (!c || !c->tokens_per_s) {
		ctx->reason = EDGEAI_REASON_DEFAULT;
		return EDGEAI_ROUTE_LOCAL;
	}
	per_job = edgeai_route_model_avg_ns(ctx, ctx->model_id);
	if (!per_job)
		per_job = DEFAULT_LOCAL_NS_PER_TOKEN;
	jobs = edgeai_route_queued_from(ctx, EDGEAI_PRIORITY_LOW) +
	       ctx->prompt_tokens / PROMPT_TOKENS_PER_JOB + ctx->max_new_tokens;
	local_ns = jobs * per_job;
	cloud_ns = c->rtt_ms * 1000000ULL +
		   ctx->max_new_tokens * 1000000000ULL / c->tokens_per_s;
	if (local_ns <= cloud_ns) {
		ctx->reason = EDGEAI_REASON_LOCAL_FASTER;
		return EDGEAI_ROUTE_LOCAL;
	}
	ctx->reason = EDGEAI_REASON_CLOUD_FASTER;
	return EDGEAI_ROUTE_CLOUD;
}

#endif

// SPDX-License-Identifier: MIT
/*
 * ea_policy.c - the routing policies for direct mode. Each function is the
 * same arithmetic, in the same order and integer widths, as its kernel or
 * BPF original, so a table of features gives the same decisions on both
 * sides (tests/host/test_route_policy; the kernel side in the VM).
 */
#include "ea_policy.h"

/* tools/sched/policy.bpf.h: a token's local cost before any job was timed. */
#define LOCAL_NS_PER_TOKEN_DEFAULT	(20 * 1000 * 1000ULL)
/* tools/sched/policy.bpf.h: prompt tokens evaluated per job. */
#define PROMPT_TOKENS_PER_JOB		8

static uint32_t queued_total(const struct ea_policy_ctx *ctx)
{
	uint32_t total = 0;

	for (int prio = 0; prio < EDGEAI_PRIORITY_COUNT; prio++)
		total += ctx->queued[prio];
	return total;
}

static uint32_t urgent_priority(const struct ea_policy_ctx *ctx)
{
	return ctx->deadline_ms && ctx->deadline_ms <= EDGEAI_ROUTE_URGENT_MS ?
	       EDGEAI_PRIORITY_HIGH : EDGEAI_PRIORITY_NORMAL;
}

uint32_t ea_policy_builtin(struct ea_policy_ctx *ctx)
{
	uint32_t queued = queued_total(ctx);
	uint64_t local_ms;

	ctx->priority = urgent_priority(ctx);
	ctx->reason = EDGEAI_REASON_PRIVACY;
	if (ctx->privacy == EDGEAI_PRIVACY_SENSITIVE)
		return EDGEAI_ROUTE_LOCAL;
	ctx->reason = EDGEAI_REASON_NO_EXECUTOR;
	if (!ctx->executor_alive)
		return EDGEAI_ROUTE_CLOUD;
	ctx->reason = EDGEAI_REASON_OVERLOAD;
	if (queued >= EDGEAI_ROUTE_MAX_QUEUED ||
	    ctx->mem_used >= ctx->mem_limit - ctx->mem_limit / 16)
		return EDGEAI_ROUTE_CLOUD;
	local_ms = (uint64_t)(queued + 1) * ctx->model_avg_ns / 1000000u;
	ctx->reason = EDGEAI_REASON_DEADLINE;
	if (ctx->deadline_ms && local_ms > ctx->deadline_ms)
		return EDGEAI_ROUTE_CLOUD;
	ctx->reason = EDGEAI_REASON_DEFAULT;
	return EDGEAI_ROUTE_LOCAL;
}

uint32_t ea_policy_latency(struct ea_policy_ctx *ctx, const struct ea_policy_cloud *cloud)
{
	uint64_t per_job, local_ns, cloud_ns, jobs;

	ctx->priority = urgent_priority(ctx);
	if (!ctx->executor_alive) {
		ctx->reason = EDGEAI_REASON_NO_EXECUTOR;
		return EDGEAI_ROUTE_CLOUD;
	}
	if (!cloud || !cloud->tokens_per_s) {
		ctx->reason = EDGEAI_REASON_DEFAULT;
		return EDGEAI_ROUTE_LOCAL;
	}
	per_job = ctx->model_avg_ns;
	if (!per_job)
		per_job = LOCAL_NS_PER_TOKEN_DEFAULT;
	/* edgeai_route_queued_from(LOW): every priority from low up, i.e. all. */
	jobs = queued_total(ctx) + ctx->prompt_tokens / PROMPT_TOKENS_PER_JOB +
	       ctx->max_new_tokens;
	local_ns = jobs * per_job;
	cloud_ns = cloud->rtt_ms * 1000000ULL +
		   ctx->max_new_tokens * 1000000000ULL / cloud->tokens_per_s;
	if (local_ns <= cloud_ns) {
		ctx->reason = EDGEAI_REASON_LOCAL_FASTER;
		return EDGEAI_ROUTE_LOCAL;
	}
	ctx->reason = EDGEAI_REASON_CLOUD_FASTER;
	return EDGEAI_ROUTE_CLOUD;
}

uint32_t ea_policy_privacy(struct ea_policy_ctx *ctx, const struct ea_policy_cloud *cloud)
{
	if (ctx->privacy == EDGEAI_PRIVACY_SENSITIVE) {
		ctx->priority = urgent_priority(ctx);
		ctx->reason = EDGEAI_REASON_PRIVACY;
		return EDGEAI_ROUTE_LOCAL;
	}
	return ea_policy_latency(ctx, cloud);
}

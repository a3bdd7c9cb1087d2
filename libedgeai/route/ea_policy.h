/* SPDX-License-Identifier: MIT */
/*
 * ea_policy - the module's routing policies, in userspace, for direct mode
 * (no module to ask): the built-in policy of DRM_IOCTL_EDGEAI_ROUTE exactly
 * as kmod/edgeai_sched.c decides it (its formula is in uapi/edgeai_accel.h),
 * and the latency and privacy policies of tools/sched as their BPF programs
 * decide. The context mirrors the kernel's struct edgeai_route_ctx field by
 * field; tests/host/test_route_policy checks both sides on one table.
 */
#ifndef EA_POLICY_H
#define EA_POLICY_H

#include <stdint.h>

#include "edgeai_accel.h"

/* What a policy sees: the request's features and the device's state. */
struct ea_policy_ctx {
	uint32_t model_id;
	uint32_t prompt_tokens;
	uint32_t max_new_tokens;
	uint32_t privacy;		/* EDGEAI_PRIVACY_* */
	uint32_t deadline_ms;		/* 0: none */
	uint32_t confidence;		/* per mille, or EDGEAI_CONFIDENCE_NONE */
	uint32_t queued[EDGEAI_PRIORITY_COUNT];
	uint32_t jobs_in_flight;
	uint32_t executor_alive;
	uint64_t mem_used;
	uint64_t mem_limit;
	uint64_t model_avg_ns;		/* 0 before the model's first job */
	uint32_t priority;		/* out: EDGEAI_PRIORITY_* */
	uint32_t reason;		/* out: EDGEAI_REASON_* */
};

/* The "cloud" map of tools/sched/sched_maps.h: tokens_per_s 0 = no cloud. */
struct ea_policy_cloud {
	uint32_t rtt_ms;
	uint32_t tokens_per_s;
};

/* The built-in policy; returns EDGEAI_ROUTE_*, sets priority and reason. */
uint32_t ea_policy_builtin(struct ea_policy_ctx *ctx);

/* tools/sched/latency.bpf.c: where the request finishes first. */
uint32_t ea_policy_latency(struct ea_policy_ctx *ctx, const struct ea_policy_cloud *cloud);

/* tools/sched/privacy.bpf.c: sensitive stays local, else latency. */
uint32_t ea_policy_privacy(struct ea_policy_ctx *ctx, const struct ea_policy_cloud *cloud);

#endif /* EA_POLICY_H */

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * edgeai routing: the per-request decision (local, cloud, reject) made by
 * a BPF struct_ops policy or, when none is attached, the built-in one.
 * The formula of the built-in policy is in uapi/edgeai_accel.h ("routing"),
 * its arithmetic in uapi/edgeai_policy.h, shared with the BPF policies and
 * the library.
 */

#ifndef __EDGEAI_SCHED_H__
#define __EDGEAI_SCHED_H__

#include <linux/atomic.h>
#include <linux/types.h>

#include "edgeai_accel.h"

struct drm_device;
struct drm_file;
struct edgeai_device;
struct edgeai_job;

/**
 * struct edgeai_route_ctx - What a policy's route() sees
 * @model_id: model of the request (caller)
 * @prompt_tokens: tokens in the prompt (caller)
 * @max_new_tokens: most tokens to generate (caller)
 * @privacy: EDGEAI_PRIVACY_* class (caller)
 * @deadline_ms: wanted answer time, 0 for none (caller)
 * @confidence: local-confidence estimate per mille or
 *	%EDGEAI_CONFIDENCE_NONE (caller)
 * @queued: jobs submitted and not ended, per priority (device)
 * @jobs_in_flight: jobs held by the executor right now (device)
 * @executor_alive: 1 while an executor is attached (device)
 * @mem_used: accelerator memory in use, bytes (device)
 * @mem_limit: the device's memory limit, bytes (device)
 * @model_avg_ns: moving-average device time of the model's jobs, 0 before
 *	the first (device)
 * @priority: EDGEAI_PRIORITY_* for the request; the policy may write it
 * @reason: EDGEAI_REASON_* code; the policy may write it
 *
 * Every field but @priority and @reason is read-only to the program; its
 * return value is the decision.
 */
struct edgeai_route_ctx {
	u32 model_id;
	u32 prompt_tokens;
	u32 max_new_tokens;
	u32 privacy;
	u32 deadline_ms;
	u32 confidence;
	u32 queued[EDGEAI_PRIORITY_COUNT];
	u32 jobs_in_flight;
	u32 executor_alive;
	u64 mem_used;
	u64 mem_limit;
	u64 model_avg_ns;
	u32 priority;
	u32 reason;
};

/**
 * struct edgeai_job_stats - What a policy's job_done() sees; read-only
 * @job_id: the job
 * @device_time_ns: device time the executor reported, 0 when it failed
 * @model_id: model the job was submitted for
 * @priority: priority of its queue
 * @status: 0 or the negative errno it ended with
 */
struct edgeai_job_stats {
	u64 job_id;
	u64 device_time_ns;
	u32 model_id;
	u32 priority;
	s32 status;
};

/**
 * struct edgeai_sched_ops - A routing policy (BPF struct_ops)
 * @route: returns an EDGEAI_ROUTE_* decision and may set the ctx's
 *	priority and reason; anything out of range is an error and the
 *	built-in policy decides
 * @job_done: told every job's end
 * @init: called when the policy is attached; non-zero refuses it
 * @exit: called once the policy is detached and no call is left in it
 * @name: the policy's name, shown by ROUTE, sysfs and debugfs
 */
struct edgeai_sched_ops {
	s32 (*route)(struct edgeai_route_ctx *ctx);
	void (*job_done)(struct edgeai_job_stats *stats);
	s32 (*init)(void);
	void (*exit)(void);
	char name[EDGEAI_POLICY_NAME_LEN];
};

#define EDGEAI_ROUTE_RING_SIZE	64

/**
 * struct edgeai_route_record - One decision, as the debugfs ring keeps it
 * @seq: its number
 * @time_ns: when it was taken, CLOCK_MONOTONIC_COARSE (tick resolution;
 *	the order is @seq's)
 * @model_id: the request's model
 * @decision: the decision
 * @priority: the priority
 * @reason: the reason
 * @policy: EDGEAI_POLICY_BUILTIN or EDGEAI_POLICY_BPF
 * @fallback: the BPF policy's answer was invalid
 */
struct edgeai_route_record {
	u64 seq;
	u64 time_ns;
	u32 model_id;
	u8 decision;
	u8 priority;
	u8 reason;
	u8 policy;
	u8 fallback;
};

/**
 * struct edgeai_route_counts - One CPU's share of the decision counters
 * @decisions: decisions taken on it, by decision and reason
 */
struct edgeai_route_counts {
	u64 decisions[EDGEAI_ROUTE_DECISION_COUNT][EDGEAI_REASON_COUNT];
};

/**
 * struct edgeai_route - A device's routing state
 * @queued: jobs submitted and not ended, per priority
 * @model_avg_ns: moving-average job time per model
 * @seq: last decision number handed out
 * @counts: decisions taken, by decision and reason, per CPU
 * @errors: invalid answers from BPF policies
 * @ring: the last %EDGEAI_ROUTE_RING_SIZE decisions, by seq; lock-free
 *	(edgeai_sched.c says how)
 */
struct edgeai_route {
	atomic_t queued[EDGEAI_PRIORITY_COUNT];
	u64 model_avg_ns[EDGEAI_MODEL_COUNT];
	atomic64_t seq;
	struct edgeai_route_counts __percpu *counts;
	atomic64_t errors;
	struct edgeai_route_record ring[EDGEAI_ROUTE_RING_SIZE];
};

int edgeai_sched_register(void);
int edgeai_sched_init(struct edgeai_device *edev);
void edgeai_sched_job_queued(struct edgeai_device *edev,
			     struct edgeai_job *job);
void edgeai_sched_job_ended(struct edgeai_device *edev,
			    struct edgeai_job *job, int status);
int edgeai_route_ioctl(struct drm_device *dev, void *data,
		       struct drm_file *file);

#endif /* __EDGEAI_SCHED_H__ */

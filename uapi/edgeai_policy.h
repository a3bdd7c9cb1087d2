/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * edgeai routing policies: their arithmetic and the names of their answers,
 * written once for the module (kmod/edgeai_sched.c), the BPF policies
 * (tools/sched/policy.bpf.h) and the library's direct mode
 * (libedgeai/route/ea_route_decide.c).  Each gathers the facts its own way
 * and calls the same function.
 */

#ifndef __UAPI_EDGEAI_POLICY_H__
#define __UAPI_EDGEAI_POLICY_H__

/*
 * The kernel and userspace get the types and constants here.  A BPF
 * program cannot have drm/drm.h next to its vmlinux.h: it includes, before
 * this header, vmlinux.h (the types, struct edgeai_policy_facts too, from
 * the module's BTF), the uapi's constants (edgeai_consts.h) and
 * bpf/bpf_helpers.h (__always_inline).
 */
#ifndef __VMLINUX_H__
#include <linux/types.h>

#include "edgeai_accel.h"

/**
 * struct edgeai_policy_facts - What a policy decides on
 * @privacy: EDGEAI_PRIVACY_* class of the request
 * @deadline_ms: time the answer is wanted in, 0 for none
 * @prompt_tokens: tokens in the prompt
 * @max_new_tokens: most tokens the request generates
 * @executor_alive: non-zero while something can run the request locally
 * @queued: jobs submitted and not ended, all priorities
 * @mem_used: accelerator memory in use, bytes
 * @mem_limit: the accelerator memory limit, bytes
 * @model_avg_ns: moving-average job time of the request's model, 0 before
 *	its first job
 * @cloud_rtt_ms: round trip to the cloud endpoint
 * @cloud_tokens_per_s: the cloud's generation rate, 0 when no cloud is known
 */
struct edgeai_policy_facts {
	__u32 privacy;
	__u32 deadline_ms;
	__u32 prompt_tokens;
	__u32 max_new_tokens;
	__u32 executor_alive;
	__u32 queued;
	__u64 mem_used;
	__u64 mem_limit;
	__u64 model_avg_ns;
	__u32 cloud_rtt_ms;
	__u32 cloud_tokens_per_s;
};

/* As sysfs, debugfs and the tools print them; BPF programs print none. */
static const char *const edgeai_decision_names[EDGEAI_ROUTE_DECISION_COUNT] = {
	[EDGEAI_ROUTE_LOCAL] = "local",
	[EDGEAI_ROUTE_CLOUD] = "cloud",
	[EDGEAI_ROUTE_REJECT] = "reject",
};

static const char *const edgeai_reason_names[EDGEAI_REASON_COUNT] = {
	[EDGEAI_REASON_DEFAULT] = "default",
	[EDGEAI_REASON_PRIVACY] = "privacy",
	[EDGEAI_REASON_NO_EXECUTOR] = "no_executor",
	[EDGEAI_REASON_OVERLOAD] = "overload",
	[EDGEAI_REASON_DEADLINE] = "deadline",
	[EDGEAI_REASON_LOCAL_FASTER] = "local_faster",
	[EDGEAI_REASON_CLOUD_FASTER] = "cloud_faster",
	[EDGEAI_REASON_CONFIDENT] = "confident",
	[EDGEAI_REASON_LOW_CONFIDENCE] = "low_confidence",
	[EDGEAI_REASON_POWER] = "power",
	[EDGEAI_REASON_POLICY] = "policy",
};
#endif /* __VMLINUX_H__ */

/**
 * DOC: policy arithmetic
 *
 * Each policy is a function of struct edgeai_policy_facts that returns an
 * EDGEAI_ROUTE_* decision and stores an EDGEAI_REASON_* reason and an
 * EDGEAI_PRIORITY_* priority; the order of the rules and the integer
 * widths are part of the behaviour.  The built-in policy, the one the
 * module runs, divides 64-bit values by powers of two only: 32-bit kernels
 * have no 64-bit division.
 *
 * edgeai_policy_builtin() is the built-in policy of DRM_IOCTL_EDGEAI_ROUTE
 * ("routing" in edgeai_accel.h).  edgeai_policy_latency() runs the request
 * where it finishes first: locally (jobs queued + prompt tokens /
 * %EDGEAI_POLICY_PROMPT_TOKENS_PER_JOB + new tokens) times the model's job
 * time, %EDGEAI_POLICY_JOB_NS_DEFAULT before its first job; in the cloud
 * the round trip plus new tokens / its tokens per second.  No executor
 * sends the request to the cloud, no known cloud keeps it local.
 * edgeai_policy_privacy() keeps sensitive requests local, even with no
 * executor, and asks edgeai_policy_latency() about the others.
 */

/* A job's local time before the model has a measured one, ns. */
#define EDGEAI_POLICY_JOB_NS_DEFAULT		20000000ULL
/* Prompt tokens evaluated by one job. */
#define EDGEAI_POLICY_PROMPT_TOKENS_PER_JOB	8
#define EDGEAI_POLICY_NS_PER_MS			1000000ULL
#define EDGEAI_POLICY_NS_PER_S			1000000000ULL

/**
 * edgeai_policy_priority() - The queue priority every policy starts from
 * @deadline_ms: the request's deadline, 0 for none
 *
 * Return: %EDGEAI_PRIORITY_HIGH for a deadline of at most
 * %EDGEAI_ROUTE_URGENT_MS, %EDGEAI_PRIORITY_NORMAL otherwise.
 */
static __always_inline __u32 edgeai_policy_priority(__u32 deadline_ms)
{
	return deadline_ms && deadline_ms <= EDGEAI_ROUTE_URGENT_MS ?
	       EDGEAI_PRIORITY_HIGH : EDGEAI_PRIORITY_NORMAL;
}

/**
 * edgeai_policy_builtin() - The module's built-in policy
 * @f: the facts
 * @reason: set to the EDGEAI_REASON_* of the decision
 * @priority: set to the request's EDGEAI_PRIORITY_*
 *
 * Return: the EDGEAI_ROUTE_* decision.
 */
static __always_inline __u32
edgeai_policy_builtin(const struct edgeai_policy_facts *f, __u32 *reason,
		      __u32 *priority)
{
	__u64 local_ns;

	*priority = edgeai_policy_priority(f->deadline_ms);
	*reason = EDGEAI_REASON_PRIVACY;
	if (f->privacy == EDGEAI_PRIVACY_SENSITIVE)
		return EDGEAI_ROUTE_LOCAL;
	*reason = EDGEAI_REASON_NO_EXECUTOR;
	if (!f->executor_alive)
		return EDGEAI_ROUTE_CLOUD;
	*reason = EDGEAI_REASON_OVERLOAD;
	if (f->queued >= EDGEAI_ROUTE_MAX_QUEUED ||
	    f->mem_used >= f->mem_limit - f->mem_limit / 16)
		return EDGEAI_ROUTE_CLOUD;
	/* local_ns / NS_PER_MS > deadline_ms, without the division */
	local_ns = (__u64)(f->queued + 1) * f->model_avg_ns;
	*reason = EDGEAI_REASON_DEADLINE;
	if (f->deadline_ms &&
	    local_ns >= ((__u64)f->deadline_ms + 1) * EDGEAI_POLICY_NS_PER_MS)
		return EDGEAI_ROUTE_CLOUD;
	*reason = EDGEAI_REASON_DEFAULT;
	return EDGEAI_ROUTE_LOCAL;
}

/**
 * edgeai_policy_latency() - Where the request finishes first
 * @f: the facts
 * @reason: set to the EDGEAI_REASON_* of the decision
 * @priority: set to the request's EDGEAI_PRIORITY_*
 *
 * Return: the EDGEAI_ROUTE_* decision.
 */
static __always_inline __u32
edgeai_policy_latency(const struct edgeai_policy_facts *f, __u32 *reason,
		      __u32 *priority)
{
	__u64 job_ns, jobs, local_ns, cloud_ns;

	*priority = edgeai_policy_priority(f->deadline_ms);
	if (!f->executor_alive) {
		*reason = EDGEAI_REASON_NO_EXECUTOR;
		return EDGEAI_ROUTE_CLOUD;
	}
	if (!f->cloud_tokens_per_s) {
		*reason = EDGEAI_REASON_DEFAULT;
		return EDGEAI_ROUTE_LOCAL;
	}
	job_ns = f->model_avg_ns ? f->model_avg_ns : EDGEAI_POLICY_JOB_NS_DEFAULT;
	jobs = f->queued + f->prompt_tokens / EDGEAI_POLICY_PROMPT_TOKENS_PER_JOB +
	       f->max_new_tokens;
	local_ns = jobs * job_ns;
	cloud_ns = f->cloud_rtt_ms * EDGEAI_POLICY_NS_PER_MS +
		   f->max_new_tokens * EDGEAI_POLICY_NS_PER_S / f->cloud_tokens_per_s;
	if (local_ns <= cloud_ns) {
		*reason = EDGEAI_REASON_LOCAL_FASTER;
		return EDGEAI_ROUTE_LOCAL;
	}
	*reason = EDGEAI_REASON_CLOUD_FASTER;
	return EDGEAI_ROUTE_CLOUD;
}

/**
 * edgeai_policy_privacy() - Sensitive requests local, the others by latency
 * @f: the facts
 * @reason: set to the EDGEAI_REASON_* of the decision
 * @priority: set to the request's EDGEAI_PRIORITY_*
 *
 * Return: the EDGEAI_ROUTE_* decision.
 */
static __always_inline __u32
edgeai_policy_privacy(const struct edgeai_policy_facts *f, __u32 *reason,
		      __u32 *priority)
{
	if (f->privacy == EDGEAI_PRIVACY_SENSITIVE) {
		*priority = edgeai_policy_priority(f->deadline_ms);
		*reason = EDGEAI_REASON_PRIVACY;
		return EDGEAI_ROUTE_LOCAL;
	}
	return edgeai_policy_latency(f, reason, priority);
}

/* The router's default ceiling of a prompt's surprisal, milli-nats a token. */
#define EDGEAI_POLICY_SURPRISAL_CEILING		4000

/**
 * edgeai_policy_router() - Decide from the prompt alone
 * @privacy: the request's EDGEAI_PRIVACY_*
 * @deadline_ms: its deadline, 0 for none
 * @prompt_tokens: the prompt's length in tokens
 * @surprisal: the local model's mean surprisal of the prompt, milli-nats a
 *	token (the mean negative log-likelihood of its tokens)
 * @ceiling: the surprisal above which the prompt goes to the cloud
 * @max_prompt: the length above which it goes to the cloud; 0: none
 * @reason: set to the EDGEAI_REASON_* of the decision
 * @priority: set to the request's EDGEAI_PRIORITY_*
 *
 * A prompt the local model finds surprising is one it knows little about:
 * its answer is likely poor. Sensitive requests stay local.
 *
 * Return: the EDGEAI_ROUTE_* decision.
 */
static __always_inline __u32
edgeai_policy_router(__u32 privacy, __u32 deadline_ms, __u32 prompt_tokens, __u32 surprisal,
		     __u32 ceiling, __u32 max_prompt, __u32 *reason, __u32 *priority)
{
	*priority = edgeai_policy_priority(deadline_ms);
	if (privacy == EDGEAI_PRIVACY_SENSITIVE) {
		*reason = EDGEAI_REASON_PRIVACY;
		return EDGEAI_ROUTE_LOCAL;
	}
	if (surprisal > ceiling || (max_prompt && prompt_tokens > max_prompt)) {
		*reason = EDGEAI_REASON_LOW_CONFIDENCE;
		return EDGEAI_ROUTE_CLOUD;
	}
	*reason = EDGEAI_REASON_CONFIDENT;
	return EDGEAI_ROUTE_LOCAL;
}

/* The cascade's floor of a local answer's confidence, per mille. */
#define EDGEAI_POLICY_CONFIDENCE_FLOOR		500

/**
 * edgeai_policy_cascade() - The local answer stays unless it is doubtful
 * @privacy: the request's EDGEAI_PRIVACY_*
 * @deadline_ms: its deadline, 0 for none
 * @confidence: the local answer's confidence, per mille, or
 *	%EDGEAI_CONFIDENCE_NONE before there is one
 * @floor: the confidence below which it escalates, per mille
 * @reason: set to the EDGEAI_REASON_* of the decision
 * @priority: set to the request's EDGEAI_PRIORITY_*
 *
 * Sensitive requests stay local; a confidence below @floor goes to the
 * cloud; no confidence yet, or enough, stays local.
 *
 * Return: the EDGEAI_ROUTE_* decision.
 */
static __always_inline __u32
edgeai_policy_cascade(__u32 privacy, __u32 deadline_ms, __u32 confidence, __u32 floor,
		      __u32 *reason, __u32 *priority)
{
	*priority = edgeai_policy_priority(deadline_ms);
	if (privacy == EDGEAI_PRIVACY_SENSITIVE) {
		*reason = EDGEAI_REASON_PRIVACY;
		return EDGEAI_ROUTE_LOCAL;
	}
	if (confidence != EDGEAI_CONFIDENCE_NONE && confidence < floor) {
		*reason = EDGEAI_REASON_LOW_CONFIDENCE;
		return EDGEAI_ROUTE_CLOUD;
	}
	*reason = EDGEAI_REASON_CONFIDENT;
	return EDGEAI_ROUTE_LOCAL;
}

#endif /* __UAPI_EDGEAI_POLICY_H__ */

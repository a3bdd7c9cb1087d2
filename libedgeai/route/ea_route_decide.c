// SPDX-License-Identifier: MIT
/*
 * ea_route_decide.c - where a request runs: DRM_IOCTL_EDGEAI_ROUTE in kmod
 * mode (the attached BPF policy or the built-in one); in direct mode the same
 * arithmetic (uapi/edgeai_policy.h) on this router's own state (see edgeai.h,
 * routed generation).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <xf86drm.h>

#include "ea_clock.h"
#include "ea_device.h"
#include "ea_route.h"

/* The caller's answer to "forced": no policy asked. */
static void decide_forced(const struct ea_route_ask *ask, struct ea_route_result *res)
{
	res->decision = ask->params->force == EA_ROUTE_FORCE_CLOUD ? EA_ROUTE_CLOUD : EA_ROUTE_LOCAL;
	res->reason = EA_ROUTE_REASON_FORCED;
	res->priority = EDGEAI_PRIORITY_NORMAL;
	snprintf(res->policy, sizeof(res->policy), "caller");
}

static uint32_t confidence(const struct ea_route_params *p)
{
	return p->has_confidence ? p->confidence : EDGEAI_CONFIDENCE_NONE;
}

/* *@seq: the module's number of the decision, which its edgeai_route tracepoint carries. */
static ea_status decide_kernel(struct ea_router *r, const struct ea_route_ask *ask,
			       struct ea_route_result *res, uint64_t *seq)
{
	struct drm_edgeai_route args = {
		.model_id = r->model_id,
		.prompt_tokens = ask->prompt_tokens,
		.max_new_tokens = ask->max_new_tokens,
		.privacy = ask->privacy,
		.deadline_ms = ask->params->deadline_ms,
		.confidence = confidence(ask->params),
	};

	if (drmIoctl(r->dev->kmod.fd, DRM_IOCTL_EDGEAI_ROUTE, &args))
		return ea_error_set(&r->error, EA_ERR_ACCEL, "DRM_IOCTL_EDGEAI_ROUTE: %s",
				    strerror(errno));
	res->decision = args.decision;
	res->reason = args.reason;
	res->priority = args.priority;
	res->decided_in_kernel = true;
	*seq = args.seq;
	snprintf(res->policy, sizeof(res->policy), "%.*s", (int)sizeof(args.policy_name),
		 args.policy_name);
	return EA_OK;
}

/* Direct mode: no queue, no memory limit, the executor is the session. */
static void decide_direct(struct ea_router *r, const struct ea_route_ask *ask,
			  struct ea_route_result *res)
{
	const struct edgeai_policy_facts facts = {
		.privacy = ask->privacy,
		.deadline_ms = ask->params->deadline_ms,
		.prompt_tokens = ask->prompt_tokens,
		.max_new_tokens = ask->max_new_tokens,
		.executor_alive = ask->has_local,
		.mem_limit = UINT64_MAX,
		.model_avg_ns = r->local_avg_ns,
		.cloud_rtt_ms = r->figures.rtt_ms,
		.cloud_tokens_per_s = r->figures.tokens_per_s,
	};

	if (ask->params->collab == EA_COLLAB_CASCADE) {
		uint32_t floor = ask->params->cascade_threshold ? ask->params->cascade_threshold :
				 EDGEAI_POLICY_CONFIDENCE_FLOOR;

		res->decision = edgeai_policy_cascade(ask->privacy, ask->params->deadline_ms,
						      confidence(ask->params), floor, &res->reason,
						      &res->priority);
		snprintf(res->policy, sizeof(res->policy), "cascade");
		return;
	}
	switch (r->policy) {
	case EA_ROUTE_POLICY_LATENCY:
		res->decision = edgeai_policy_latency(&facts, &res->reason, &res->priority);
		break;
	case EA_ROUTE_POLICY_PRIVACY:
		res->decision = edgeai_policy_privacy(&facts, &res->reason, &res->priority);
		break;
	default:
		res->decision = edgeai_policy_builtin(&facts, &res->reason, &res->priority);
		break;
	}
	snprintf(res->policy, sizeof(res->policy), "%s", ea_route_policy_name(r->policy));
}

ea_status ea_route_decide(struct ea_router *r, const struct ea_route_ask *ask,
			  struct ea_route_result *res)
{
	double start_ms = ea_now_ms();
	ea_status st = EA_OK;
	uint64_t seq = 0;

	if (ask->params->force != EA_ROUTE_ASK)
		decide_forced(ask, res);
	else if (r->dev && ea_device_mode(r->dev) == EA_MODE_KMOD)
		st = decide_kernel(r, ask, res, &seq);
	else
		decide_direct(r, ask, res);
	if (st == EA_OK)
		ea_trace_span(r->trace, "route", "decide", start_ms, ea_now_ms(),
			      "\"decision\":\"%s\",\"reason\":\"%s\",\"seq\":%llu",
			      ea_route_decision_name(res->decision), ea_route_reason_name(res->reason),
			      (unsigned long long)seq);
	return st;
}

void ea_route_local_sample(struct ea_router *r, double generate_s, int n_tokens)
{
	int64_t sample, old = (int64_t)r->local_avg_ns;

	if (n_tokens <= 0 || generate_s <= 0)
		return;
	sample = (int64_t)(generate_s * 1e9 / n_tokens);
	r->local_avg_ns = (uint64_t)(old + (sample - old) / 8);
}

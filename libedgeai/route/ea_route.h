/* SPDX-License-Identifier: MIT */
/*
 * ea_route - the public struct ea_router (edgeai.h: routed generation) and
 * its parts: ea_route.c runs a request where it is sent and falls back,
 * ea_route_decide.c asks for the decision (the module, or in direct mode
 * the policies of uapi/edgeai_policy.h, the module's and BPF policies'
 * arithmetic), ea_route_cloud.c keeps the cloud's figures (probe, the
 * scheduler's pinned map, the cache file).
 */
#ifndef EA_ROUTE_H
#define EA_ROUTE_H

#include "ea_cloud.h"
#include "ea_error.h"
#include "edgeai_policy.h"

/* The value of the scheduler's "cloud" map (tools/sched/sched_maps.h,
 * struct edgeai_cloud_state): tokens_per_s 0 means no cloud known. */
struct ea_route_figures {
	uint32_t rtt_ms;
	uint32_t tokens_per_s;
};

struct ea_router {
	struct ea_device *dev;			/* NULL or direct: edgeai_policy.h decides here */
	struct ea_cloud_endpoint *endpoints;	/* from the config file */
	size_t n_endpoints;
	const struct ea_cloud_endpoint *cloud;	/* the one used; NULL: none */
	bool redact;
	enum ea_route_policy policy;
	uint32_t model_id;
	char *probe_cache;			/* NULL: none */
	struct ea_route_figures figures;	/* what the policies see */
	uint64_t local_avg_ns;			/* a local token's time, moving average */
	char *text;				/* the last answer */
	size_t text_len, text_cap;
	struct ea_error error;
};

/* What the decision needs to know of a request, and what it decided. */
struct ea_route_ask {
	uint32_t prompt_tokens;
	uint32_t max_new_tokens;
	uint32_t privacy;		/* EDGEAI_PRIVACY_* */
	const struct ea_route_params *params;
	bool has_local;			/* a local session is there */
};

/* Ask the module (kmod mode) or edgeai_policy.h (direct mode) for @ask; fills
 * @res's decision, reason, priority, policy and decided_in_kernel. */
ea_status ea_route_decide(struct ea_router *r, const struct ea_route_ask *ask,
			  struct ea_route_result *res);

/* Fold a local request's per-token time into the direct-mode average. */
void ea_route_local_sample(struct ea_router *r, double generate_s, int n_tokens);

/* Read the probe cache file into r->figures, when there is one. */
void ea_route_cloud_load_cache(struct ea_router *r);

#endif /* EA_ROUTE_H */

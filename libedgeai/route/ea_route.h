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
#include "ea_trace.h"
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
	/* A cloud that failed is marked down: the policies see tokens_per_s 0
	 * until a probe answers, tried once down_until (Unix time, s) passes;
	 * up holds its last good figures, backoff_ms the next wait. */
	bool down;
	double down_until;
	long backoff_ms;
	struct ea_route_figures up;
	uint64_t local_avg_ns;			/* a local token's time, moving average */
	char *text;				/* the last answer */
	size_t text_len, text_cap;
	struct ea_trace *trace;			/* EDGEAI_TRACE's recorder (ea_trace.h) */
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

/* The cloud's figures as a monitor finds them (edgeai top). */
enum ea_route_seen_from {
	EA_ROUTE_SEEN_NONE = 0,		/* neither the map nor a cache file */
	EA_ROUTE_SEEN_MAP = 1,		/* the scheduler's pinned "cloud" map */
	EA_ROUTE_SEEN_CACHE = 2,	/* the probe cache file */
};

struct ea_route_seen {
	enum ea_route_seen_from from;
	struct ea_route_figures figures;	/* as the policies see them */
	struct ea_route_figures last_good;	/* the cache's figures of a cloud marked down */
	double down_until;			/* Unix time, s; 0: not marked down */
};

/* The figures from the pinned map when it can be read (bpffs is normally
 * root's), else from the probe cache file @cache (NULL: none). */
void ea_route_cloud_seen(const char *cache, struct ea_route_seen *out);

#define EA_ROUTE_BACKOFF_MIN_MS 1000
#define EA_ROUTE_BACKOFF_MAX_MS 300000
#define EA_ROUTE_PROBE_DEADLINE_MS 5000	/* a probe of a cloud marked down */

/* The cloud failed a request or a probe: marked down (the router's figures,
 * the pinned map, the probe cache) for the backoff, which doubles each time
 * (EA_ROUTE_BACKOFF_MIN_MS .. EA_ROUTE_BACKOFF_MAX_MS). */
void ea_route_cloud_down(struct ea_router *r);

/* The cloud answered: up again with its last good figures. */
void ea_route_cloud_up(struct ea_router *r);

/* Before a decision: a cloud marked down whose backoff has passed is probed
 * once (within EA_ROUTE_PROBE_DEADLINE_MS); up again when it answers, else
 * down for the next, longer backoff. */
void ea_route_cloud_check(struct ea_router *r);

#endif /* EA_ROUTE_H */

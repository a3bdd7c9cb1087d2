// SPDX-License-Identifier: GPL-2.0-only
/*
 * latency: run the request where it finishes first.  The local estimate is
 * (jobs queued + the request's jobs) x the model's moving-average job time
 * from the module; the cloud estimate is the round trip plus new tokens /
 * throughput, from the "cloud" map that userspace keeps current
 * (edgeai-sched set cloud-rtt / cloud-tps).
 *
 * Good when the cloud figures are fresh and answers are interchangeable.
 * Not good for private data (see privacy) or when measurements are stale:
 * with no cloud throughput set it keeps everything local.
 */
#include "policy.bpf.h"

__u64 jobs_done;

SEC("struct_ops/route")
s32 BPF_PROG(latency_route, struct edgeai_route_ctx *req)
{
	return route_by_latency(req);
}

SEC("struct_ops/job_done")
void BPF_PROG(latency_job_done, struct edgeai_job_stats *stats)
{
	__sync_fetch_and_add(&jobs_done, 1);
}

SEC(".struct_ops.link")
struct edgeai_sched_ops latency = {
	.route = (void *)latency_route,
	.job_done = (void *)latency_job_done,
	.name = "latency",
};

// SPDX-License-Identifier: GPL-2.0-only
/*
 * power: when the battery is low or the device is hot (the "power" map,
 * from edgeai-sched set battery / thermal), offload everything that may
 * leave the device; sensitive requests stay.  Otherwise, the latency
 * estimate decides.
 *
 * Good on phones and boards that throttle.  Not good without a cloud link:
 * a hot device then sends requests nowhere useful.
 */
#include "policy.bpf.h"

#define LOW_BATTERY_PCT		20
#define HOT_CELSIUS		80

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct edgeai_power_state);
} power SEC(".maps");

static bool device_strained(void)
{
	struct edgeai_power_state *p;
	u32 key = 0;

	p = bpf_map_lookup_elem(&power, &key);
	if (!p)
		return false;
	return (p->battery_pct && p->battery_pct < LOW_BATTERY_PCT) ||
	       p->thermal_c >= HOT_CELSIUS;
}

SEC("struct_ops/route")
s32 BPF_PROG(power_route, struct edgeai_route_ctx *req)
{
	if (req->privacy == EDGEAI_PRIVACY_SENSITIVE) {
		req->reason = EDGEAI_REASON_PRIVACY;
		return EDGEAI_ROUTE_LOCAL;
	}
	if (device_strained()) {
		req->priority = EDGEAI_PRIORITY_LOW;
		req->reason = EDGEAI_REASON_POWER;
		return EDGEAI_ROUTE_CLOUD;
	}
	return route_by_latency(req);
}

SEC(".struct_ops.link")
struct edgeai_sched_ops power_ops = {
	.route = (void *)power_route,
	.name = "power",
};

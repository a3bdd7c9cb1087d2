/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Values of the maps the policies read and edgeai-sched writes; each map
 * has one entry, key 0, pinned under /sys/fs/bpf/edgeai/.
 */
#ifndef EDGEAI_SCHED_MAPS_H
#define EDGEAI_SCHED_MAPS_H

/* "cloud": measured by userspace; tokens_per_s 0 means no cloud known. */
struct edgeai_cloud_state {
	__u32 rtt_ms;
	__u32 tokens_per_s;
};

/* "power": hints; 0 in a field means unknown. */
struct edgeai_power_state {
	__u32 battery_pct;
	__u32 thermal_c;
};

/* "cascade_floor": the cascade policy's floor of a local answer's
 * confidence, per mille; 0 means EDGEAI_POLICY_CONFIDENCE_FLOOR. */
struct edgeai_cascade_state {
	__u32 floor;
};

#define EDGEAI_SCHED_PIN_DIR "/sys/fs/bpf/edgeai"

#endif

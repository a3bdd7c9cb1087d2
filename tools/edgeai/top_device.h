/* SPDX-License-Identifier: MIT */
/*
 * top_device - the edgeai device as a whole, from the module's sysfs files
 * (docs/edgeai.ko.md, SYSFS; readable by every user): the executor's state,
 * the queue depths by priority, memory, the routing policy and its decision
 * counters; and the cloud's figures where the routing policies read them
 * (the scheduler's pinned map, else the probe cache: ea_route_cloud_seen).
 */
#ifndef TOP_DEVICE_H
#define TOP_DEVICE_H

#include <stdbool.h>
#include <stdint.h>

#include "edgeai_accel.h"
#include "ea_route.h"

/* The files' names: queues/<name>, and how top shows a priority. */
extern const char *const top_priority_names[EDGEAI_PRIORITY_COUNT];

struct top_device {
	bool present;			/* an edgeai device was found */
	char name[32];			/* its accel node, "accel0" */
	char exec_state[16];		/* "detached", "idle", "busy" */
	int exec_pid;			/* 0: none */
	char exec_comm[32];		/* the executor's command, "" when unknown */
	uint64_t jobs_held, jobs_waiting, exec_epoch;
	uint64_t queued[EDGEAI_PRIORITY_COUNT];
	uint64_t mem_used, mem_limit;
	char policy[32];		/* the attached routing policy, or "builtin" */
	uint64_t route_errors;
	uint64_t decisions[EDGEAI_ROUTE_DECISION_COUNT][EDGEAI_REASON_COUNT];
	struct ea_route_seen cloud;
};

/*
 * The first edgeai device under @sys (normally "/sys"), its executor's
 * command from @proc, and the cloud's figures (@cache: the probe cache file,
 * NULL for none). No device is not an error: out->present is false. False,
 * with the reason in @why, when a device is there but one of its files cannot
 * be read or parsed (a module older than this tool).
 */
bool top_device_read(const char *sys, const char *proc, const char *cache,
		     struct top_device *out, char *why, size_t why_size);

#endif /* TOP_DEVICE_H */

/* SPDX-License-Identifier: MIT */
/*
 * top_scan - the edgeai module's clients as /proc shows them: every open
 * file of the device with its fdinfo (docs/edgeai.ko.md: drm-driver edgeai,
 * drm-client-id, drm-engine-edgeai, drm-*-memory, edgeai-jobs-*), one entry
 * a DRM client (a file dup'ed or passed on is counted once).
 */
#ifndef TOP_SCAN_H
#define TOP_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct top_client {
	uint64_t client_id;
	int pid;
	char comm[32];
	uint64_t engine_ns;		/* drm-engine-edgeai */
	uint64_t total_bytes, shared_bytes, resident_bytes;
	uint64_t jobs_submitted, jobs_completed, jobs_failed;
};

struct top_sample {
	struct top_client *clients;
	int n, cap;
	double at_ms;			/* when it was taken (monotonic) */
	int unreadable;			/* processes whose fdinfo could not be read */
};

/* Every edgeai client under @proc (normally "/proc"); false when out of
 * memory. Processes a normal user may not read are counted, not fatal. */
bool top_scan(const char *proc, struct top_sample *out);
void top_sample_free(struct top_sample *s);

/* The command name of process @pid under @proc into @comm (n bytes); "" when
 * it cannot be read. */
void top_read_comm(const char *proc, const char *pid, char *comm, size_t n);

/* The client of @id in @s, or NULL. */
const struct top_client *top_find(const struct top_sample *s, uint64_t id);

#endif /* TOP_SCAN_H */

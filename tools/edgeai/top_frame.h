/* SPDX-License-Identifier: MIT */
/*
 * top_frame - what edgeai top shows, made of two snapshots an interval
 * apart: each client's engine busy share and jobs a second (fdinfo deltas),
 * the routing decisions a second by decision and reason (sched/decisions
 * deltas), and the device's state as the later snapshot has it. The views
 * (top_view.h) only print a frame.
 */
#ifndef TOP_FRAME_H
#define TOP_FRAME_H

#include "top_device.h"
#include "top_scan.h"

/* Where a snapshot is read from (the defaults: /proc, /sys). */
struct top_sources {
	const char *proc, *sys;
	const char *cache;		/* the probe cache file; NULL: none */
};

struct top_snapshot {
	struct top_sample clients;
	struct top_device dev;
};

enum top_sort { TOP_SORT_BUSY, TOP_SORT_MEMORY, TOP_SORT_PID, TOP_SORT_JOBS, TOP_SORT_COUNT };

/* "busy", "memory", "pid", "jobs": --sort's values. */
extern const char *const top_sort_names[TOP_SORT_COUNT];

/* A client between two snapshots. */
struct top_row {
	const struct top_client *c;
	double busy_pct, jobs_per_s;
};

struct top_frame {
	const struct top_snapshot *now;
	struct top_row *rows;		/* sorted by sort */
	int n_rows;
	enum top_sort sort;
	double interval_s;		/* between the two snapshots */
	double busy_pct;		/* the clients' together */
	double routes_per_s;		/* all decisions together */
	double decisions_per_s[EDGEAI_ROUTE_DECISION_COUNT][EDGEAI_REASON_COUNT];
};

/* Take a snapshot; false with the reason in @why (out of memory, a device
 * file that cannot be read). */
bool top_snapshot_take(const struct top_sources *src, struct top_snapshot *out, char *why,
		       size_t why_size);
void top_snapshot_free(struct top_snapshot *s);

/* The frame of @now after @before, its rows sorted by @sort; false when out
 * of memory. The frame points into @now, which must outlive it. */
bool top_frame_make(const struct top_snapshot *before, const struct top_snapshot *now,
		    enum top_sort sort, struct top_frame *f);
/* Sort the rows again, by @sort. */
void top_frame_sort(struct top_frame *f, enum top_sort sort);
void top_frame_free(struct top_frame *f);

#endif /* TOP_FRAME_H */

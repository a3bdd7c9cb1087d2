/* SPDX-License-Identifier: MIT */
/*
 * prof_merge - what edgeai prof -- CMD puts in its trace: the events the
 * library wrote (ea_trace.h: a libedgeai-PID-N.jsonl a recorder, ts on
 * CLOCK_MONOTONIC) moved to the trace's origin, and the module's tracepoint
 * events of the jobs and routing decisions they name (a "job" span's job id,
 * a "decide" span's seq), each job a span from submit to done with its three
 * phases inside, on lanes of the "kernel" process where jobs overlap.
 */
#ifndef PROF_MERGE_H
#define PROF_MERGE_H

#include <stdint.h>

#include "prof_kernel.h"
#include "prof_trace.h"

#define PROF_KERNEL_PID 4194304		/* no process has it (PID_MAX_LIMIT) */

/* The library's events of one run, as they were written. */
struct prof_lib {
	json_object *events;		/* an array; ts in microseconds of CLOCK_MONOTONIC */
	int n_files, malformed;		/* files read; lines that were not an event */
	uint64_t *jobs, *seqs;		/* the job ids and decision numbers they name */
	int n_jobs, n_seqs;
};

/* What the kernel's events of the run came to. */
struct prof_kernel_stats {
	int jobs;			/* the run's jobs with at least one event */
	int complete;			/* of them, all four events, in order */
	int out_of_order;		/* of them, events in another order */
	int routes;			/* the run's routing decisions */
};

/* Read every libedgeai-*.jsonl in @dir; false with the reason in @why. */
bool prof_lib_read(const char *dir, struct prof_lib *out, char *why, size_t why_size);
void prof_lib_free(struct prof_lib *lib);

/* The library's events into @t (each process's name once). */
void prof_merge_lib(struct prof_trace *t, const struct prof_lib *lib);
/* The kernel's events of @lib's jobs and decisions into @t. */
void prof_merge_kernel(struct prof_trace *t, const struct prof_lib *lib,
		       const struct prof_kernel_record *k, struct prof_kernel_stats *stats);

#endif /* PROF_MERGE_H */

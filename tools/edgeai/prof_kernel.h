/* SPDX-License-Identifier: MIT */
/*
 * prof_kernel - the edgeai module's tracepoints (docs/edgeai.ko.md,
 * TRACEPOINTS) recorded over one run of edgeai prof -- CMD: in a tracefs
 * instance of prof's own (TRACEFS/instances/edgeai-prof-PID: the global
 * buffer and other tracers are left alone), on trace_clock "mono", which is
 * CLOCK_MONOTONIC, the clock libedgeai records on (ea_trace.h); read back
 * as text when the run ends, and the instance removed. Needs root.
 */
#ifndef PROF_KERNEL_H
#define PROF_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROF_TRACEFS "/sys/kernel/tracing"

struct prof_kernel {
	char dir[256];			/* the instance's folder; "" when none */
};

/* One event as the trace file prints it:
 * "TASK-PID [CPU] FLAGS SECONDS: EVENT: key=value key=value". */
struct prof_kernel_event {
	double at_ms;			/* CLOCK_MONOTONIC */
	int pid;			/* the thread it fired in */
	char task[32];
	char name[40];			/* edgeai_job_submit ... edgeai_route */
	char fields[200];		/* "job=3 model=0 priority=1" */
};

struct prof_kernel_record {
	struct prof_kernel_event *events;
	int n;
	long lost;			/* events the buffer overwrote */
};

/* Make the instance under @tracefs and start recording the edgeai events;
 * false with the reason in @why (no tracefs, not root, no module). */
bool prof_kernel_start(struct prof_kernel *k, const char *tracefs, char *why, size_t why_size);

/* Stop, read what was recorded into @out (free it with prof_kernel_free) and
 * remove the instance; false with the reason in @why. */
bool prof_kernel_stop(struct prof_kernel *k, struct prof_kernel_record *out, char *why,
		      size_t why_size);
void prof_kernel_free(struct prof_kernel_record *r);

/* The value of @key= in @e's fields; false when it has none. */
bool prof_kernel_field(const struct prof_kernel_event *e, const char *key, char *out, size_t n);
/* The same as a number; @fallback when absent or not one. */
long long prof_kernel_number(const struct prof_kernel_event *e, const char *key,
			     long long fallback);

#endif /* PROF_KERNEL_H */

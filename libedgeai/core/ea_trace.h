/* SPDX-License-Identifier: MIT */
/*
 * ea_trace - what the library did, recorded for `edgeai prof -- CMD`
 * (tools/edgeai/prof_run.c), which sets EDGEAI_TRACE to a folder and merges
 * what is written there into one Chrome trace-event / Perfetto file.
 *
 * With EDGEAI_TRACE set, each recorder (a session's, a router's) writes to a
 * file of its own in that folder, libedgeai-PID-N.jsonl, one trace event a
 * line: first a "process_name" metadata event ("ph":"M"), then complete
 * events ("ph":"X") with name, cat, ts and dur in microseconds of
 * CLOCK_MONOTONIC, pid, tid and args. CLOCK_MONOTONIC is the clock of the
 * kernel's tracepoints under trace_clock "mono", so prof puts both on one
 * time line. A GPU op of a host thread T goes on the track T +
 * EA_TRACE_GPU_TID (above every pid the kernel hands out).
 *
 * Without EDGEAI_TRACE there is no recorder (NULL), and every call on NULL
 * does nothing. A recorder that cannot write its file makes no trace: prof
 * then reports that the program left no events. A recorder belongs to one
 * thread at a time, as the object that owns it does.
 */
#ifndef EA_TRACE_H
#define EA_TRACE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define EA_TRACE_ENV "EDGEAI_TRACE"
#define EA_TRACE_GPU_TID 4194304	/* PID_MAX_LIMIT: no thread has this id */

struct ea_trace;

/* EDGEAI_PROFILE set and not "0": executors take a GPU timestamp before the
 * first op and after each (direct mode's own, edgeaid's by EA_KJOB_TIMES). */
static inline bool ea_profile_wanted(void)
{
	const char *v = getenv("EDGEAI_PROFILE");

	return v && strcmp(v, "0") != 0;
}

/* A recorder when EDGEAI_TRACE names a folder it can write in; else NULL. */
struct ea_trace *ea_trace_open(void);
/* Write out what is buffered and close the file. NULL is a no-op. */
void ea_trace_close(struct ea_trace *t);
/* Write out what is buffered (after a request: a program may exit without closing). */
void ea_trace_flush(struct ea_trace *t);

/*
 * A span from @start_ms to @end_ms (ea_now_ms()) on the calling thread.
 * @name and @cat are the library's own words (no quotes or backslashes);
 * @args_fmt, when not NULL, prints the members of the event's "args" object
 * ("\"job\":%llu").
 */
void ea_trace_span(struct ea_trace *t, const char *cat, const char *name, double start_ms,
		   double end_ms, const char *args_fmt, ...) __attribute__((format(printf, 6, 7)));

/* What a GPU op's event says besides its name and time: the bytes it binds
 * and the flops of a matrix op (ea_op_cost(); 0: not known) and its layer
 * (ea_cs_layers(); -1: in none), each left out when not known. */
struct ea_trace_op {
	double bytes, flops;
	int layer;
};

/* A GPU op of the calling thread's work, on its GPU track (category "gpu"). */
void ea_trace_gpu_op(struct ea_trace *t, const char *name, double start_ms, double dur_ms,
		     const struct ea_trace_op *op);
/* A layer's ops, as one span around them on the same track (category
 * "layer", name "layer N"). */
void ea_trace_gpu_layer(struct ea_trace *t, int layer, double start_ms, double dur_ms);

#endif /* EA_TRACE_H */

/* SPDX-License-Identifier: MIT */
/*
 * prof_trace - a Chrome trace-event / Perfetto JSON document as edgeai prof
 * writes it: {"traceEvents": [...], "displayTimeUnit": "ms"}, events with ts
 * and dur in microseconds from the trace's origin.
 */
#ifndef PROF_TRACE_H
#define PROF_TRACE_H

#include <json-c/json.h>
#include <stdbool.h>

struct prof_trace {
	json_object *events;
	double origin_ms;		/* what ts 0 is, on CLOCK_MONOTONIC */
};

void prof_trace_init(struct prof_trace *t, double origin_ms);
void prof_trace_free(struct prof_trace *t);

/* A complete event ("X") from @start_ms, lasting @dur_ms; @args (taken, may be NULL). */
void prof_trace_span(struct prof_trace *t, const char *name, const char *cat, int pid, int tid,
		     double start_ms, double dur_ms, json_object *args);
/* An instant event ("i", thread scope) at @at_ms; @args (taken, may be NULL). */
void prof_trace_instant(struct prof_trace *t, const char *name, const char *cat, int pid, int tid,
			double at_ms, json_object *args);
/* A metadata event naming a process ("process_name") or a thread ("thread_name"). */
void prof_trace_name(struct prof_trace *t, const char *what, int pid, int tid, const char *name);
/* Add an event as it is (taken). */
void prof_trace_add(struct prof_trace *t, json_object *event);

/* Write the document to @path; false when it cannot be written. */
bool prof_trace_write(struct prof_trace *t, const char *path);

#endif /* PROF_TRACE_H */

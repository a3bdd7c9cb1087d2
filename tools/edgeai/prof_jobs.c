// SPDX-License-Identifier: MIT
/*
 * prof_jobs - the module's tracepoint events of a run's jobs and routing
 * decisions into the trace (prof_merge.h). A job is a span from its submit
 * to its done event holding its phases; jobs that overlap in time go on
 * separate lanes (threads of the kernel's process), so that every lane's
 * spans nest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prof_merge.h"

enum phase { SUBMIT, SCHEDULE, FETCH, DONE, N_PHASES };

static const char *const event_names[N_PHASES] = {
	"edgeai_job_submit", "edgeai_job_schedule", "edgeai_job_fetch", "edgeai_job_done",
};

/* The time between one event and the next is a phase of the job. */
static const char *const phase_names[N_PHASES - 1] = {
	"queued", "waiting for the executor", "on the executor",
};

#define ROUTE_TID 0

struct job {
	uint64_t id;
	const struct prof_kernel_event *ev[N_PHASES];
};

static bool listed(const uint64_t *ids, int n, uint64_t id)
{
	for (int i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

static int phase_of(const char *name)
{
	for (int p = 0; p < N_PHASES; p++)
		if (!strcmp(name, event_names[p]))
			return p;
	return -1;
}

static double first_at(const struct job *j)
{
	for (int p = 0; p < N_PHASES; p++)
		if (j->ev[p])
			return j->ev[p]->at_ms;
	return 0;
}

static int by_start(const void *a, const void *b)
{
	double x = first_at(a), y = first_at(b);

	return (x > y) - (x < y);
}

/* The run's jobs, each with the events the kernel recorded of it, by start. */
static int collect_jobs(const struct prof_lib *lib, const struct prof_kernel_record *k,
			struct job *jobs)
{
	int n = 0;

	for (int i = 0; i < k->n; i++) {
		const struct prof_kernel_event *e = &k->events[i];
		int phase = phase_of(e->name), j;
		long long id = prof_kernel_number(e, "job", -1);

		if (phase < 0 || id < 0 || !listed(lib->jobs, lib->n_jobs, (uint64_t)id))
			continue;
		for (j = 0; j < n && jobs[j].id != (uint64_t)id; j++)
			;
		if (j == n)
			jobs[n++] = (struct job){ .id = (uint64_t)id };
		if (!jobs[j].ev[phase])
			jobs[j].ev[phase] = e;
	}
	qsort(jobs, (size_t)n, sizeof(*jobs), by_start);
	return n;
}

static json_object *job_args(const struct job *j)
{
	json_object *a = json_object_new_object();
	const struct prof_kernel_event *first = j->ev[SUBMIT] ? j->ev[SUBMIT] : j->ev[SCHEDULE];

	json_object_object_add(a, "job", json_object_new_int64((int64_t)j->id));
	if (first) {
		json_object_object_add(a, "model",
				       json_object_new_int64(prof_kernel_number(first, "model", -1)));
		json_object_object_add(a, "priority",
				       json_object_new_int64(prof_kernel_number(first, "priority", -1)));
	}
	if (j->ev[SUBMIT])
		json_object_object_add(a, "submitted by", json_object_new_string(j->ev[SUBMIT]->task));
	if (j->ev[FETCH])
		json_object_object_add(a, "executor", json_object_new_string(j->ev[FETCH]->task));
	if (j->ev[DONE]) {
		json_object_object_add(a, "status",
				       json_object_new_int64(prof_kernel_number(j->ev[DONE], "status", 0)));
		json_object_object_add(a, "device_ns",
				       json_object_new_int64(prof_kernel_number(j->ev[DONE], "device_ns", 0)));
	}
	return a;
}

/* One job on lane @tid: its span, then a span for each phase whose two ends are there. */
static void emit_job(struct prof_trace *t, const struct job *j, int tid)
{
	char name[48];

	snprintf(name, sizeof(name), "job %llu", (unsigned long long)j->id);
	if (j->ev[SUBMIT] && j->ev[DONE])
		prof_trace_span(t, name, "kernel", PROF_KERNEL_PID, tid, j->ev[SUBMIT]->at_ms,
				j->ev[DONE]->at_ms - j->ev[SUBMIT]->at_ms, job_args(j));
	for (int p = 0; p + 1 < N_PHASES; p++)
		if (j->ev[p] && j->ev[p + 1])
			prof_trace_span(t, phase_names[p], "kernel", PROF_KERNEL_PID, tid,
					j->ev[p]->at_ms, j->ev[p + 1]->at_ms - j->ev[p]->at_ms,
					NULL);
}

static bool complete_in_order(const struct job *j, bool *out_of_order)
{
	*out_of_order = false;
	for (int p = 0; p < N_PHASES; p++) {
		if (!j->ev[p])
			return false;
		if (p && j->ev[p]->at_ms < j->ev[p - 1]->at_ms)
			*out_of_order = true;
	}
	return !*out_of_order;
}

static double last_at(const struct job *j)
{
	for (int p = N_PHASES - 1; p >= 0; p--)
		if (j->ev[p])
			return j->ev[p]->at_ms;
	return 0;
}

static void emit_jobs(struct prof_trace *t, struct job *jobs, int n, struct prof_kernel_stats *s)
{
	double *lane_end = calloc((size_t)(n ? n : 1), sizeof(*lane_end));
	int lanes = 0;

	if (!lane_end)
		return;
	for (int i = 0; i < n; i++) {
		bool disorder;
		int lane = 0;
		char name[32];

		while (lane < lanes && lane_end[lane] > first_at(&jobs[i]))
			lane++;
		if (lane == lanes) {
			snprintf(name, sizeof(name), "jobs (lane %d)", ++lanes);
			prof_trace_name(t, "thread_name", PROF_KERNEL_PID, lane + 1, name);
		}
		lane_end[lane] = last_at(&jobs[i]);
		emit_job(t, &jobs[i], lane + 1);
		s->complete += complete_in_order(&jobs[i], &disorder);
		s->out_of_order += disorder;
	}
	s->jobs = n;
	free(lane_end);
}

static void emit_routes(struct prof_trace *t, const struct prof_lib *lib,
			const struct prof_kernel_record *k, struct prof_kernel_stats *s)
{
	for (int i = 0; i < k->n; i++) {
		const struct prof_kernel_event *e = &k->events[i];
		long long seq = prof_kernel_number(e, "seq", -1);
		json_object *args;

		if (strcmp(e->name, "edgeai_route") || seq < 0 ||
		    !listed(lib->seqs, lib->n_seqs, (uint64_t)seq))
			continue;
		if (!s->routes++)
			prof_trace_name(t, "thread_name", PROF_KERNEL_PID, ROUTE_TID,
					"routing decisions");
		args = json_object_new_object();
		json_object_object_add(args, "fields", json_object_new_string(e->fields));
		json_object_object_add(args, "task", json_object_new_string(e->task));
		prof_trace_instant(t, "route", "kernel", PROF_KERNEL_PID, ROUTE_TID, e->at_ms, args);
	}
}

void prof_merge_kernel(struct prof_trace *t, const struct prof_lib *lib,
		       const struct prof_kernel_record *k, struct prof_kernel_stats *stats)
{
	struct job *jobs = calloc((size_t)(lib->n_jobs ? lib->n_jobs : 1), sizeof(*jobs));

	memset(stats, 0, sizeof(*stats));
	if (!jobs)
		return;
	prof_trace_name(t, "process_name", PROF_KERNEL_PID, 1, "kernel: edgeai tracepoints");
	emit_jobs(t, jobs, collect_jobs(lib, k, jobs), stats);
	emit_routes(t, lib, k, stats);
	free(jobs);
}

// SPDX-License-Identifier: MIT
/* top_frame - two snapshots made into what edgeai top shows (see the header). */
#include "top_frame.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const top_sort_names[TOP_SORT_COUNT] = {
	[TOP_SORT_BUSY] = "busy",
	[TOP_SORT_MEMORY] = "memory",
	[TOP_SORT_PID] = "pid",
	[TOP_SORT_JOBS] = "jobs",
};

bool top_snapshot_take(const struct top_sources *src, struct top_snapshot *out, char *why,
		       size_t why_size)
{
	memset(out, 0, sizeof(*out));
	if (!top_scan(src->proc, &out->clients)) {
		snprintf(why, why_size, "out of memory");
		return false;
	}
	if (!top_device_read(src->sys, src->proc, src->cache, &out->dev, why, why_size)) {
		top_sample_free(&out->clients);
		return false;
	}
	return true;
}

void top_snapshot_free(struct top_snapshot *s)
{
	top_sample_free(&s->clients);
}

/* The increase of a counter, 0 when it went back (a client or module anew). */
static double delta(uint64_t before, uint64_t now)
{
	return now >= before ? (double)(now - before) : 0;
}

static int compare_desc(double a, double b)
{
	return (b > a) - (b < a);
}

static int by_key(const void *a, const void *b, void *sort)
{
	const struct top_row *x = a, *y = b;

	switch (*(const enum top_sort *)sort) {
	case TOP_SORT_PID:
		return x->c->pid - y->c->pid;
	case TOP_SORT_MEMORY:
		return compare_desc((double)x->c->total_bytes, (double)y->c->total_bytes);
	case TOP_SORT_JOBS:
		return compare_desc(x->jobs_per_s, y->jobs_per_s);
	default:
		return compare_desc(x->busy_pct, y->busy_pct);
	}
}

void top_frame_sort(struct top_frame *f, enum top_sort sort)
{
	f->sort = sort;
	qsort_r(f->rows, (size_t)f->n_rows, sizeof(*f->rows), by_key, &f->sort);
}

static void routing_rates(const struct top_device *before, const struct top_device *now,
			  double dt_s, struct top_frame *f)
{
	for (int d = 0; d < EDGEAI_ROUTE_DECISION_COUNT; d++)
		for (int r = 0; r < EDGEAI_REASON_COUNT; r++) {
			double n = before->present ? delta(before->decisions[d][r],
							   now->decisions[d][r]) : 0;

			f->decisions_per_s[d][r] = dt_s > 0 ? n / dt_s : 0;
			f->routes_per_s += f->decisions_per_s[d][r];
		}
}

bool top_frame_make(const struct top_snapshot *before, const struct top_snapshot *now,
		    enum top_sort sort, struct top_frame *f)
{
	double dt_ms = now->clients.at_ms - before->clients.at_ms;

	memset(f, 0, sizeof(*f));
	f->now = now;
	f->interval_s = dt_ms / 1e3;
	f->rows = calloc((size_t)(now->clients.n ? now->clients.n : 1), sizeof(*f->rows));
	if (!f->rows)
		return false;
	for (int i = 0; i < now->clients.n; i++) {
		const struct top_client *c = &now->clients.clients[i];
		const struct top_client *p = top_find(&before->clients, c->client_id);
		double busy_ns = p ? delta(p->engine_ns, c->engine_ns) : 0;
		double jobs = p ? delta(p->jobs_completed, c->jobs_completed) : 0;

		f->rows[i] = (struct top_row){ c, dt_ms > 0 ? 100.0 * busy_ns / (dt_ms * 1e6) : 0,
					       dt_ms > 0 ? jobs * 1e3 / dt_ms : 0 };
		f->busy_pct += f->rows[i].busy_pct;
	}
	f->n_rows = now->clients.n;
	routing_rates(&before->dev, &now->dev, f->interval_s, f);
	top_frame_sort(f, sort);
	return true;
}

void top_frame_free(struct top_frame *f)
{
	free(f->rows);
	memset(f, 0, sizeof(*f));
}

// SPDX-License-Identifier: MIT
/* top_lines - a frame of edgeai top as lines of text (see top_view.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "edgeai_policy.h"
#include "top_view.h"

/* Appends to a line, keeping what fits. */
struct line {
	char *s;
	size_t n, len;
};

static void add(struct line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add(struct line *l, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (l->len + 1 >= l->n)
		return;
	va_start(ap, fmt);
	w = vsnprintf(l->s + l->len, l->n - l->len, fmt, ap);
	va_end(ap);
	if (w > 0)
		l->len = l->len + (size_t)w < l->n ? l->len + (size_t)w : l->n - 1;
}

static double mib(uint64_t bytes)
{
	return bytes / 1048576.0;
}

void top_line_title(const struct top_frame *f, char *out, size_t n)
{
	const struct top_snapshot *s = f->now;
	struct line l = { out, n, 0 };

	out[0] = '\0';
	add(&l, "edgeai top - %s - %d client%s - engine %.1f%% busy - every %.1f s",
	    s->dev.present ? s->dev.name : "no device", f->n_rows, f->n_rows == 1 ? "" : "s",
	    f->busy_pct, f->interval_s);
	if (s->clients.unreadable)
		add(&l, " - %d process%s not readable (root sees every client)",
		    s->clients.unreadable, s->clients.unreadable == 1 ? "" : "es");
}

static void executor_line(const struct top_device *d, struct line *l)
{
	add(l, "executor  %-8s", d->exec_state);
	if (!strcmp(d->exec_state, "detached")) {
		add(l, " no executor attached: jobs wait, then fail (start edgeaid)");
		return;
	}
	if (d->exec_pid > 0)
		add(l, " pid %d (%s)", d->exec_pid, d->exec_comm[0] ? d->exec_comm : "?");
	add(l, "  jobs held %llu, waiting %llu  epoch %llu", (unsigned long long)d->jobs_held,
	    (unsigned long long)d->jobs_waiting, (unsigned long long)d->exec_epoch);
}

static void queues_line(const struct top_device *d, struct line *l)
{
	add(l, "queues   ");
	for (int p = EDGEAI_PRIORITY_COUNT - 1; p >= 0; p--)
		add(l, " %s %llu", top_priority_names[p], (unsigned long long)d->queued[p]);
	add(l, "  (jobs submitted, not ended)");
}

static void routing_line(const struct top_frame *f, struct line *l)
{
	const struct top_device *d = &f->now->dev;
	bool any = false;

	add(l, "routing   %s: %.1f decisions/s", d->policy, f->routes_per_s);
	for (int dec = 0; dec < EDGEAI_ROUTE_DECISION_COUNT; dec++)
		for (int r = 0; r < EDGEAI_REASON_COUNT; r++) {
			if (f->decisions_per_s[dec][r] <= 0)
				continue;
			add(l, "%s %s/%s %.1f", any ? "," : "  ", edgeai_decision_names[dec],
			    edgeai_reason_names[r], f->decisions_per_s[dec][r]);
			any = true;
		}
	if (d->route_errors)
		add(l, "  (%llu invalid policy answers)", (unsigned long long)d->route_errors);
}

static void cloud_line(const struct ea_route_seen *c, struct line *l)
{
	add(l, "cloud     ");
	if (c->from == EA_ROUTE_SEEN_NONE) {
		add(l, "not known (no readable scheduler map, no probe cache: edgeai probe "
		       "measures it)");
		return;
	}
	if (c->down_until > 0) {
		time_t until = (time_t)c->down_until;
		struct tm tm;
		char at[16] = "?";

		if (localtime_r(&until, &tm))
			strftime(at, sizeof(at), "%H:%M:%S", &tm);
		add(l, "marked down until %s; last measured round trip %u ms, %u tokens/s", at,
		    c->last_good.rtt_ms, c->last_good.tokens_per_s);
	} else if (!c->figures.tokens_per_s) {
		add(l, "none known (round trip %u ms, 0 tokens/s)", c->figures.rtt_ms);
	} else {
		add(l, "round trip %u ms, %u tokens/s", c->figures.rtt_ms,
		    c->figures.tokens_per_s);
	}
	add(l, "  (%s)", c->from == EA_ROUTE_SEEN_MAP ? "scheduler map" : "probe cache");
}

int top_lines_panel(const struct top_frame *f, char lines[TOP_PANEL_LINES][TOP_LINE])
{
	const struct top_device *d = &f->now->dev;
	struct line l[TOP_PANEL_LINES];
	int n = 0;

	for (int i = 0; i < TOP_PANEL_LINES; i++) {
		l[i] = (struct line){ lines[i], TOP_LINE, 0 };
		lines[i][0] = '\0';
	}
	if (!d->present) {
		add(&l[n++], "device    none: the edgeai module is not loaded (clients run in "
			     "direct mode, unseen here)");
	} else {
		executor_line(d, &l[n++]);
		queues_line(d, &l[n++]);
		add(&l[n++], "memory    %.1f MiB used of %.1f MiB", mib(d->mem_used),
		    mib(d->mem_limit));
		routing_line(f, &l[n++]);
	}
	cloud_line(&d->cloud, &l[n++]);
	return n;
}

void top_line_columns(char *out, size_t n)
{
	snprintf(out, n, "%7s %-16s %6s %6s %7s %6s %9s %9s %9s", "PID", "COMMAND", "CLIENT",
		 "BUSY%", "JOBS/S", "FAILED", "MEM MiB", "SHARED", "RESIDENT");
}

void top_line_row(const struct top_row *row, char *out, size_t n)
{
	const struct top_client *c = row->c;

	snprintf(out, n, "%7d %-16.16s %6llu %6.1f %7.1f %6llu %9.1f %9.1f %9.1f", c->pid,
		 c->comm, (unsigned long long)c->client_id, row->busy_pct, row->jobs_per_s,
		 (unsigned long long)c->jobs_failed, mib(c->total_bytes), mib(c->shared_bytes),
		 mib(c->resident_bytes));
}

void top_line_keys(const struct top_frame *f, char *out, size_t n)
{
	snprintf(out, n, "q quit  b busy  m memory  p pid  j jobs/s    sorted by %s",
		 top_sort_names[f->sort]);
}

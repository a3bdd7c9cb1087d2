// SPDX-License-Identifier: MIT
/* top_device - the edgeai device's sysfs state and the cloud's figures (see the header). */
#include "top_device.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "edgeai_policy.h"
#include "top_scan.h"

const char *const top_priority_names[EDGEAI_PRIORITY_COUNT] = {
	[EDGEAI_PRIORITY_LOW] = "low",
	[EDGEAI_PRIORITY_NORMAL] = "normal",
	[EDGEAI_PRIORITY_HIGH] = "high",
	[EDGEAI_PRIORITY_REALTIME] = "realtime",
};

/* A device's folder and what went wrong reading it. */
struct reader {
	char dir[512];
	char *why;
	size_t why_size;
	bool ok;
};

static void fail(struct reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fail(struct reader *r, const char *fmt, ...)
{
	va_list ap;

	if (!r->ok)
		return;		/* the first reason is the one to tell */
	r->ok = false;
	va_start(ap, fmt);
	vsnprintf(r->why, r->why_size, fmt, ap);
	va_end(ap);
}

/* The first line of @dir/@file into @out; false (and noted) when unreadable. */
static bool read_line(struct reader *r, const char *file, char *out, size_t n)
{
	char path[700];
	FILE *f;
	bool ok;

	snprintf(path, sizeof(path), "%s/%s", r->dir, file);
	f = fopen(path, "r");
	if (!f) {
		fail(r, "%s: %s", path, strerror(errno));
		return false;
	}
	ok = fgets(out, (int)n, f) != NULL;
	fclose(f);
	if (!ok) {
		fail(r, "%s: empty", path);
		return false;
	}
	out[strcspn(out, "\n")] = '\0';
	return true;
}

static uint64_t read_u64(struct reader *r, const char *file)
{
	char line[64], *end;
	unsigned long long v;

	if (!read_line(r, file, line, sizeof(line)))
		return 0;
	errno = 0;
	v = strtoull(line, &end, 10);
	if (errno || end == line || *end)
		fail(r, "%s/%s: '%s' is not a count", r->dir, file, line);
	return v;
}

static int index_of(const char *const *names, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return i;
	return -1;
}

/* sched/decisions: "DECISION REASON COUNT" lines. */
static void read_decisions(struct reader *r, struct top_device *d)
{
	char path[700], decision[32], reason[32];
	unsigned long long n;
	FILE *f;
	int got;

	snprintf(path, sizeof(path), "%s/sched/decisions", r->dir);
	f = fopen(path, "r");
	if (!f) {
		fail(r, "%s: %s", path, strerror(errno));
		return;
	}
	while ((got = fscanf(f, "%31s %31s %llu", decision, reason, &n)) == 3) {
		int di = index_of(edgeai_decision_names, EDGEAI_ROUTE_DECISION_COUNT, decision);
		int ri = index_of(edgeai_reason_names, EDGEAI_REASON_COUNT, reason);

		if (di < 0 || ri < 0) {
			fail(r, "%s: unknown decision or reason '%s %s'", path, decision, reason);
			break;
		}
		d->decisions[di][ri] = n;
	}
	if (got != EOF && r->ok)
		fail(r, "%s: not 'DECISION REASON COUNT' lines", path);
	fclose(f);
}

/* The first accel node whose device has the edgeai sysfs group. */
static bool find_device(const char *sys, struct reader *r, char *name, size_t n)
{
	char dir[256];
	struct dirent *e;
	DIR *d;
	bool found = false;

	snprintf(dir, sizeof(dir), "%s/class/accel", sys);
	d = opendir(dir);
	if (!d)
		return false;
	while (!found && (e = readdir(d))) {
		char probe[700];

		if (strncmp(e->d_name, "accel", 5) || strlen(e->d_name) >= n ||
		    (size_t)snprintf(r->dir, sizeof(r->dir), "%s/%s/device", dir,
				     e->d_name) >= sizeof(r->dir))
			continue;
		snprintf(probe, sizeof(probe), "%s/edgeai/mem_limit", r->dir);
		found = access(probe, F_OK) == 0;
		if (found)
			memcpy(name, e->d_name, strlen(e->d_name) + 1);
	}
	closedir(d);
	return found;
}

bool top_device_read(const char *sys, const char *proc, const char *cache,
		     struct top_device *out, char *why, size_t why_size)
{
	struct reader r = { .why = why, .why_size = why_size, .ok = true };
	char file[64];

	memset(out, 0, sizeof(*out));
	ea_route_cloud_seen(cache, &out->cloud);
	if (!find_device(sys, &r, out->name, sizeof(out->name)))
		return true;
	out->present = true;
	read_line(&r, "executor/state", out->exec_state, sizeof(out->exec_state));
	out->exec_pid = (int)read_u64(&r, "executor/pid");
	out->jobs_held = read_u64(&r, "executor/jobs_held");
	out->jobs_waiting = read_u64(&r, "executor/jobs_waiting");
	out->exec_epoch = read_u64(&r, "executor/epoch");
	for (int p = 0; p < EDGEAI_PRIORITY_COUNT; p++) {
		snprintf(file, sizeof(file), "queues/%s", top_priority_names[p]);
		out->queued[p] = read_u64(&r, file);
	}
	out->mem_used = read_u64(&r, "edgeai/mem_used");
	out->mem_limit = read_u64(&r, "edgeai/mem_limit");
	read_line(&r, "sched/policy", out->policy, sizeof(out->policy));
	out->route_errors = read_u64(&r, "sched/errors");
	read_decisions(&r, out);
	if (out->exec_pid > 0) {
		char pid[16];

		snprintf(pid, sizeof(pid), "%d", out->exec_pid);
		top_read_comm(proc, pid, out->exec_comm, sizeof(out->exec_comm));
	}
	return r.ok;
}

// SPDX-License-Identifier: MIT
/* prof_kernel - the module's tracepoints over one run (see the header). */
#include "prof_kernel.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Write @value to @file of the instance; false with the reason in @why. */
static bool put(const struct prof_kernel *k, const char *file, const char *value, char *why,
		size_t why_size)
{
	char path[512];
	FILE *f;
	bool ok;

	snprintf(path, sizeof(path), "%s/%s", k->dir, file);
	f = fopen(path, "w");
	if (!f) {
		snprintf(why, why_size, "%s: %s", path, strerror(errno));
		return false;
	}
	ok = fputs(value, f) >= 0;
	ok = fclose(f) == 0 && ok;
	if (!ok)
		snprintf(why, why_size, "%s: cannot write '%s': %s", path, value, strerror(errno));
	return ok;
}

static void remove_instance(struct prof_kernel *k)
{
	if (k->dir[0])
		rmdir(k->dir);
	k->dir[0] = '\0';
}

bool prof_kernel_start(struct prof_kernel *k, const char *tracefs, char *why, size_t why_size)
{
	char path[512];

	k->dir[0] = '\0';
	snprintf(path, sizeof(path), "%s/events/edgeai", tracefs);
	if (access(tracefs, F_OK)) {
		snprintf(why, why_size, "%s: %s", tracefs, strerror(errno));
		return false;
	}
	if (access(path, F_OK)) {
		snprintf(why, why_size, "%s: %s%s", path, strerror(errno),
			 errno == ENOENT ? " (the edgeai module is not loaded)" :
			 errno == EACCES ? " (kernel events need root)" : "");
		return false;
	}
	snprintf(k->dir, sizeof(k->dir), "%s/instances/edgeai-prof-%d", tracefs, (int)getpid());
	if (mkdir(k->dir, 0700)) {
		snprintf(why, why_size, "%s: %s", k->dir, strerror(errno));
		k->dir[0] = '\0';
		return false;
	}
	if (put(k, "trace_clock", "mono", why, why_size) &&
	    put(k, "events/edgeai/enable", "1", why, why_size) &&
	    put(k, "tracing_on", "1", why, why_size))
		return true;
	remove_instance(k);
	return false;
}

/* "TASK-PID [CPU] FLAGS SECONDS: EVENT: FIELDS" into @e; false for other lines. */
static bool parse_line(const char *line, struct prof_kernel_event *e)
{
	const char *open = strstr(line, " ["), *close, *p, *colon;
	const char *dash;
	char *end;
	double s;
	int task_len;

	if (line[0] == '#' || !open || !(close = strchr(open, ']')))
		return false;
	for (p = line; *p == ' '; p++)
		;
	for (dash = open; dash > p && *dash != '-'; dash--)
		;
	if (dash == p)
		return false;
	e->pid = atoi(dash + 1);
	task_len = (int)(dash - p) < (int)sizeof(e->task) ? (int)(dash - p) :
		   (int)sizeof(e->task) - 1;
	memcpy(e->task, p, (size_t)task_len);
	e->task[task_len] = '\0';
	/* after "]": the flags (when the irq-info option is on), then "SECONDS:" */
	for (p = close + 1;;) {
		while (*p == ' ')
			p++;
		s = strtod(p, &end);
		if (end != p && *end == ':')
			break;
		p += strcspn(p, " ");
		if (!*p)
			return false;
	}
	e->at_ms = s * 1e3;
	for (p = end + 1; *p == ' '; p++)
		;
	colon = strchr(p, ':');
	if (!colon || (size_t)(colon - p) >= sizeof(e->name))
		return false;
	memcpy(e->name, p, (size_t)(colon - p));
	e->name[colon - p] = '\0';
	for (p = colon + 1; *p == ' '; p++)
		;
	snprintf(e->fields, sizeof(e->fields), "%.*s", (int)strcspn(p, "\n"), p);
	return true;
}

static bool add(struct prof_kernel_record *r, const struct prof_kernel_event *e, int *cap)
{
	if (r->n == *cap) {
		int grown_cap = *cap ? 2 * *cap : 256;
		struct prof_kernel_event *grown = realloc(r->events, (size_t)grown_cap * sizeof(*grown));

		if (!grown)
			return false;
		r->events = grown;
		*cap = grown_cap;
	}
	r->events[r->n++] = *e;
	return true;
}

static bool read_trace(const struct prof_kernel *k, struct prof_kernel_record *out, char *why,
		       size_t why_size)
{
	char path[512], line[512];
	long in_buffer, written;
	int cap = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/trace", k->dir);
	f = fopen(path, "r");
	if (!f) {
		snprintf(why, why_size, "%s: %s", path, strerror(errno));
		return false;
	}
	while (fgets(line, sizeof(line), f)) {
		struct prof_kernel_event e;

		if (sscanf(line, "# entries-in-buffer/entries-written: %ld/%ld", &in_buffer,
			   &written) == 2)
			out->lost = written - in_buffer;
		if (!parse_line(line, &e))
			continue;
		if (!add(out, &e, &cap)) {
			snprintf(why, why_size, "out of memory for the kernel's events");
			fclose(f);
			return false;
		}
	}
	fclose(f);
	return true;
}

bool prof_kernel_stop(struct prof_kernel *k, struct prof_kernel_record *out, char *why,
		      size_t why_size)
{
	bool ok;

	memset(out, 0, sizeof(*out));
	if (!k->dir[0]) {
		snprintf(why, why_size, "not recording");
		return false;
	}
	ok = put(k, "tracing_on", "0", why, why_size) && read_trace(k, out, why, why_size);
	/* the events off first: an instance with enabled events cannot be removed */
	put(k, "events/edgeai/enable", "0", why, why_size);
	remove_instance(k);
	return ok;
}

void prof_kernel_free(struct prof_kernel_record *r)
{
	free(r->events);
	memset(r, 0, sizeof(*r));
}

bool prof_kernel_field(const struct prof_kernel_event *e, const char *key, char *out, size_t n)
{
	size_t len = strlen(key);

	for (const char *p = e->fields; *p; p += strcspn(p, " "), p += strspn(p, " ")) {
		if (!strncmp(p, key, len) && p[len] == '=') {
			snprintf(out, n, "%.*s", (int)strcspn(p + len + 1, " "), p + len + 1);
			return true;
		}
	}
	return false;
}

long long prof_kernel_number(const struct prof_kernel_event *e, const char *key,
			     long long fallback)
{
	char v[32], *end;
	long long n;

	if (!prof_kernel_field(e, key, v, sizeof(v)))
		return fallback;
	n = strtoll(v, &end, 10);
	return end == v || *end ? fallback : n;
}

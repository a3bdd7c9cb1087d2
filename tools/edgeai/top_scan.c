// SPDX-License-Identifier: MIT
/* top_scan - the edgeai module's clients from /proc/PID/fdinfo (see the header). */
#include "top_scan.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ea_clock.h"

/* "12", "12 ns", "3 KiB", "2 MiB", "1 GiB" -> a count (bytes or ns). */
static uint64_t value_of(const char *v)
{
	char *end;
	unsigned long long n = strtoull(v, &end, 10);

	while (*end == ' ' || *end == '\t')
		end++;
	if (!strncmp(end, "KiB", 3))
		return (uint64_t)n << 10;
	if (!strncmp(end, "MiB", 3))
		return (uint64_t)n << 20;
	if (!strncmp(end, "GiB", 3))
		return (uint64_t)n << 30;
	return n;
}

/* One fdinfo file: true, with its keys in @c, when it is an edgeai client's. */
static bool read_fdinfo(const char *path, struct top_client *c)
{
	FILE *f = fopen(path, "r");
	char line[256];
	bool ours = false;

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':'), *v;

		if (!colon)
			continue;
		*colon = '\0';
		for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
			;
		v[strcspn(v, "\n")] = '\0';
		if (!strcmp(line, "drm-driver"))
			ours = !strcmp(v, "edgeai");
		else if (!strcmp(line, "drm-client-id"))
			c->client_id = value_of(v);
		else if (!strcmp(line, "drm-engine-edgeai"))
			c->engine_ns = value_of(v);
		else if (!strcmp(line, "drm-total-memory"))
			c->total_bytes = value_of(v);
		else if (!strcmp(line, "drm-shared-memory"))
			c->shared_bytes = value_of(v);
		else if (!strcmp(line, "drm-resident-memory"))
			c->resident_bytes = value_of(v);
		else if (!strcmp(line, "edgeai-jobs-submitted"))
			c->jobs_submitted = value_of(v);
		else if (!strcmp(line, "edgeai-jobs-completed"))
			c->jobs_completed = value_of(v);
		else if (!strcmp(line, "edgeai-jobs-failed"))
			c->jobs_failed = value_of(v);
	}
	fclose(f);
	return ours;
}

const struct top_client *top_find(const struct top_sample *s, uint64_t id)
{
	for (int i = 0; i < s->n; i++)
		if (s->clients[i].client_id == id)
			return &s->clients[i];
	return NULL;
}

static bool add(struct top_sample *s, const struct top_client *c)
{
	if (top_find(s, c->client_id))
		return true;	/* the same file through another descriptor */
	if (s->n == s->cap) {
		int cap = s->cap ? 2 * s->cap : 16;
		struct top_client *grown = realloc(s->clients, (size_t)cap * sizeof(*grown));

		if (!grown)
			return false;
		s->clients = grown;
		s->cap = cap;
	}
	s->clients[s->n++] = *c;
	return true;
}

void top_read_comm(const char *proc, const char *pid, char *comm, size_t n)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/comm", proc, pid);
	comm[0] = '\0';
	f = fopen(path, "r");
	if (!f)
		return;
	if (fgets(comm, (int)n, f))
		comm[strcspn(comm, "\n")] = '\0';
	fclose(f);
}

bool top_scan(const char *proc, struct top_sample *out)
{
	DIR *d = opendir(proc);
	struct dirent *e;
	bool ok = true;

	memset(out, 0, sizeof(*out));
	out->at_ms = ea_now_ms();
	if (!d)
		return true;
	while (ok && (e = readdir(d))) {
		char path[512], comm[32];
		struct dirent *fe;
		DIR *fds;

		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "%s/%s/fdinfo", proc, e->d_name);
		fds = opendir(path);
		if (!fds) {
			out->unreadable++;
			continue;
		}
		comm[0] = '\0';
		while (ok && (fe = readdir(fds))) {
			struct top_client c = { 0 };
			char file[800];

			if (!isdigit((unsigned char)fe->d_name[0]))
				continue;
			snprintf(file, sizeof(file), "%s/%s", path, fe->d_name);
			if (!read_fdinfo(file, &c))
				continue;
			if (!comm[0])
				top_read_comm(proc, e->d_name, comm, sizeof(comm));
			c.pid = atoi(e->d_name);
			snprintf(c.comm, sizeof(c.comm), "%s", comm);
			ok = add(out, &c);
		}
		closedir(fds);
	}
	closedir(d);
	return ok;
}

void top_sample_free(struct top_sample *s)
{
	free(s->clients);
	memset(s, 0, sizeof(*s));
}

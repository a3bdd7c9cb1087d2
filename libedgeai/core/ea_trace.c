// SPDX-License-Identifier: MIT
/* ea_trace - the library's record for edgeai prof (see the header). */
#include "ea_trace.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct ea_trace {
	FILE *f;
	int pid;
	bool gpu_named;		/* the GPU track's name is written */
};

/* The folder's next free libedgeai-PID-N.jsonl, created; NULL when none. */
static FILE *create_file(const char *dir, int pid)
{
	char path[4096];

	for (int n = 0; n < 1000; n++) {
		int fd;

		if ((size_t)snprintf(path, sizeof(path), "%s/libedgeai-%d-%d.jsonl", dir, pid, n) >=
		    sizeof(path))
			return NULL;
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd >= 0)
			return fdopen(fd, "w");
		if (errno != EEXIST)
			return NULL;
	}
	return NULL;
}

/* The process's name: its command, as /proc has it. */
static void process_name(char *out, size_t n)
{
	FILE *f = fopen("/proc/self/comm", "r");

	snprintf(out, n, "pid %d", (int)getpid());
	if (!f)
		return;
	if (fgets(out, (int)n, f))
		out[strcspn(out, "\n")] = '\0';
	fclose(f);
}

static void metadata(struct ea_trace *t, const char *what, int tid, const char *name)
{
	fprintf(t->f, "{\"name\":\"%s\",\"ph\":\"M\",\"pid\":%d,\"tid\":%d,\"args\":{\"name\":\"",
		what, t->pid, tid);
	for (const char *c = name; *c; c++) {	/* a command may hold anything */
		if ((unsigned char)*c < 0x20 || *c == '"' || *c == '\\')
			fprintf(t->f, "\\u%04x", (unsigned char)*c);
		else
			fputc(*c, t->f);
	}
	fprintf(t->f, "\"}}\n");
}

struct ea_trace *ea_trace_open(void)
{
	const char *dir = getenv(EA_TRACE_ENV);
	struct ea_trace *t;
	char comm[64];

	if (!dir || !*dir || !(t = calloc(1, sizeof(*t))))
		return NULL;
	t->pid = (int)getpid();
	t->f = create_file(dir, t->pid);
	if (!t->f) {
		free(t);
		return NULL;
	}
	process_name(comm, sizeof(comm));
	metadata(t, "process_name", t->pid, comm);
	return t;
}

void ea_trace_flush(struct ea_trace *t)
{
	if (t)
		fflush(t->f);
}

void ea_trace_close(struct ea_trace *t)
{
	if (!t)
		return;
	fclose(t->f);
	free(t);
}

static void event_head(struct ea_trace *t, const char *cat, const char *name, int tid,
		       double start_ms, double dur_ms)
{
	fprintf(t->f, "{\"name\":\"%s\",\"cat\":\"%s\",\"ph\":\"X\",\"ts\":%.3f,\"dur\":%.3f,"
		"\"pid\":%d,\"tid\":%d", name, cat, start_ms * 1e3, dur_ms > 0 ? dur_ms * 1e3 : 0,
		t->pid, tid);
}

void ea_trace_span(struct ea_trace *t, const char *cat, const char *name, double start_ms,
		   double end_ms, const char *args_fmt, ...)
{
	va_list ap;

	if (!t)
		return;
	event_head(t, cat, name, gettid(), start_ms, end_ms - start_ms);
	if (args_fmt) {
		fprintf(t->f, ",\"args\":{");
		va_start(ap, args_fmt);
		vfprintf(t->f, args_fmt, ap);
		va_end(ap);
		fprintf(t->f, "}");
	}
	fprintf(t->f, "}\n");
}

/* The calling thread's GPU track, named on first use. */
static int gpu_track(struct ea_trace *t)
{
	int tid = EA_TRACE_GPU_TID + gettid();
	char track[64];

	if (!t->gpu_named) {
		snprintf(track, sizeof(track), "GPU ops (Vulkan timestamps, thread %d)", gettid());
		metadata(t, "thread_name", tid, track);
		t->gpu_named = true;
	}
	return tid;
}

void ea_trace_gpu_op(struct ea_trace *t, const char *name, double start_ms, double dur_ms,
		     const struct ea_trace_op *op)
{
	const char *sep = "";

	if (!t)
		return;
	event_head(t, "gpu", name, gpu_track(t), start_ms, dur_ms);
	fprintf(t->f, ",\"args\":{");
	if (op->bytes > 0) {
		fprintf(t->f, "\"bytes\":%.0f", op->bytes);
		sep = ",";
	}
	if (op->flops > 0) {
		fprintf(t->f, "%s\"flops\":%.0f", sep, op->flops);
		sep = ",";
	}
	if (op->layer >= 0)
		fprintf(t->f, "%s\"layer\":%d", sep, op->layer);
	fprintf(t->f, "}}\n");
}

void ea_trace_gpu_layer(struct ea_trace *t, int layer, double start_ms, double dur_ms)
{
	char name[32];

	if (!t)
		return;
	snprintf(name, sizeof(name), "layer %d", layer);
	event_head(t, "layer", name, gpu_track(t), start_ms, dur_ms);
	fprintf(t->f, ",\"args\":{\"layer\":%d}}\n", layer);
}

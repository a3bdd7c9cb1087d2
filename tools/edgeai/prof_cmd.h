/* SPDX-License-Identifier: MIT */
/*
 * prof_cmd - edgeai prof -o TRACE.json -- CMD ARG...: runs any program that
 * links libedgeai with EDGEAI_TRACE set to a folder of prof's (and
 * EDGEAI_PROFILE=1 unless set: every run's GPU ops, in direct mode from the
 * process's own executor, in kmod mode from edgeaid's), the
 * module's tracepoints recorded meanwhile (prof_kernel, when it can), and
 * merges both into one trace-event file: the library's events of every
 * process (their own pids and threads), and the kernel's events of the jobs
 * and routing decisions those processes made, on one clock, each job a span
 * from submit to done holding its three phases (queued, waiting for the
 * executor, on the executor). Prints a summary: count, total and mean time
 * of each kind of span, then the GPU ops against the roofline (prof_summary).
 */
#ifndef PROF_CMD_H
#define PROF_CMD_H

#include <stdbool.h>

enum prof_kernel_mode {
	PROF_KERNEL_AUTO,		/* when tracefs and the module are there */
	PROF_KERNEL_REQUIRED,		/* fail when they are not */
	PROF_KERNEL_OFF,
};

/* Run @argv (NULL-terminated; its stdout sent to stderr when @text_to_stderr,
 * leaving stdout to prof's report) and write @out; CMD's exit status, or 1 (2
 * for a command that cannot be run) when prof itself fails. */
int prof_cmd(char **argv, const char *out, enum prof_kernel_mode kernel, bool text_to_stderr);

#endif /* PROF_CMD_H */

// SPDX-License-Identifier: MIT
/* prof_cmd - edgeai prof -- CMD: any libedgeai program, recorded (see the header). */
#include "prof_cmd.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ea_clock.h"
#include "ea_device.h"
#include "ea_trace.h"
#include "ea_vk_compute.h"
#include "prof_merge.h"
#include "prof_summary.h"

#define EXIT_NOT_RUN 127	/* as a shell's: the command could not be run */

/* The run's folder for the library's files: $TMPDIR, else /tmp. */
static bool make_folder(char *dir, size_t n)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, n, "%s/edgeai-prof.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	return mkdtemp(dir) != NULL;
}

static void remove_folder(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4096];

	if (d) {
		while ((e = readdir(d)))
			if (e->d_name[0] != '.') {
				snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
				unlink(path);
			}
		closedir(d);
	}
	rmdir(dir);
}

/* Run @argv with the library recording into @dir (its output on stderr when
 * @text_to_stderr); its exit status as a shell gives it. */
static int run(char **argv, const char *dir, bool text_to_stderr)
{
	struct sigaction ignore = { .sa_handler = SIG_IGN }, old_int, old_quit;
	int status = 0;
	pid_t pid;

	/* Ctrl-C is the command's to take; prof goes on to write the trace. */
	sigemptyset(&ignore.sa_mask);
	sigaction(SIGINT, &ignore, &old_int);
	sigaction(SIGQUIT, &ignore, &old_quit);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGQUIT, &old_quit, NULL);
		setenv(EA_TRACE_ENV, dir, 1);
		setenv("EDGEAI_PROFILE", "1", 0);	/* GPU ops; 0 turns them off */
		if (text_to_stderr)
			dup2(STDERR_FILENO, STDOUT_FILENO);
		execvp(argv[0], argv);
		fprintf(stderr, "edgeai prof: %s: %s\n", argv[0], strerror(errno));
		_exit(EXIT_NOT_RUN);
	}
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);
	if (pid < 0) {
		fprintf(stderr, "edgeai prof: cannot start %s: %s\n", argv[0], strerror(errno));
		return EXIT_NOT_RUN;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Start the kernel's recording as @mode says; false when it is required and cannot be. */
static bool kernel_start(struct prof_kernel *k, enum prof_kernel_mode mode, bool *on)
{
	char why[512];

	*on = false;
	if (mode == PROF_KERNEL_OFF)
		return true;
	*on = prof_kernel_start(k, PROF_TRACEFS, why, sizeof(why));
	if (!*on && mode == PROF_KERNEL_REQUIRED) {
		fprintf(stderr, "edgeai prof: --kernel: cannot record the module's tracepoints: "
			"%s\n", why);
		return false;
	}
	if (!*on)
		fprintf(stderr, "edgeai prof: kernel events not recorded: %s\n", why);
	return true;
}

static void kernel_report(const struct prof_kernel_record *k, const struct prof_kernel_stats *s,
			  const struct prof_lib *lib)
{
	printf("kernel: %d of the run's %d jobs traced, %d with submit, schedule, fetch and "
	       "done in order", s->jobs, lib->n_jobs, s->complete);
	if (s->out_of_order)
		printf(", %d out of order", s->out_of_order);
	printf("; %d of its %d routing decisions\n", s->routes, lib->n_seqs);
	if (k->lost > 0)
		fprintf(stderr, "edgeai prof: the kernel's trace buffer lost %ld events\n", k->lost);
}

/* Whether the trace holds GPU ops. */
static bool has_gpu_ops(const struct prof_trace *t)
{
	for (size_t i = 0; i < json_object_array_length(t->events); i++) {
		json_object *e = json_object_array_get_idx(t->events, i), *cat;

		if (json_object_object_get_ex(e, "cat", &cat) &&
		    !strcmp(json_object_get_string(cat), "gpu"))
			return true;
	}
	return false;
}

/* The Vulkan device's roofline, a compute shader's streaming read (the same
 * kernel as edgeai bench's, over 64 MiB 4 times where bench reads 512 MiB 20
 * times: enough to pass a GPU's L2, short enough for the VM's tests), taken
 * after the run so as not to disturb it; 0 (said why) without a device. */
static double roofline_gbps(void)
{
	struct ea_open_options options = { .mode = EA_MODE_DIRECT };
	struct ea_device *dev = NULL;
	struct ea_error err = { { 0 } };
	double read_gbps = 0, copy_gbps = 0;
	char why[512] = "";

	if (ea_open(&options, &dev, why, sizeof(why)) != EA_OK || !dev->vk)
		fprintf(stderr, "edgeai prof: no roofline: no Vulkan device here (%s)\n",
			dev ? dev->vk_missing.msg : why);
	else if (ea_vk_stream_bandwidth(dev->vk, 64ull << 20, 4, &read_gbps, &copy_gbps, &err) !=
		 EA_OK)
		fprintf(stderr, "edgeai prof: no roofline: %s\n", err.msg);
	ea_close(dev);
	return read_gbps;
}

/* Merge and write; false (said why) when there is nothing to write or it fails. */
static bool write_trace(const char *out, double origin_ms, const struct prof_lib *lib,
			const struct prof_kernel_record *k, bool kernel_on, char *const *argv,
			int status)
{
	struct prof_trace t;
	struct prof_kernel_stats stats;
	bool ok;

	if (!json_object_array_length(lib->events)) {
		fprintf(stderr, "edgeai prof: %s left no libedgeai events: %s\n", argv[0],
			status ? "it failed before it ran anything" :
			"it does not link libedgeai, or opened no session or router");
		return false;
	}
	prof_trace_init(&t, origin_ms);
	prof_merge_lib(&t, lib);
	if (kernel_on)
		prof_merge_kernel(&t, lib, k, &stats);
	ok = prof_trace_write(&t, out);
	if (!ok) {
		fprintf(stderr, "edgeai prof: %s: cannot write it\n", out);
	} else {
		printf("trace: %s (ui.perfetto.dev or chrome://tracing opens it)\n", out);
		printf("libedgeai: %d recorder file(s)", lib->n_files);
		if (lib->malformed)
			printf(", %d line(s) that were not events left out", lib->malformed);
		printf("\n");
		if (kernel_on)
			kernel_report(k, &stats, lib);
		prof_summary_print(&t, has_gpu_ops(&t) ? roofline_gbps() : 0);
	}
	prof_trace_free(&t);
	return ok;
}

int prof_cmd(char **argv, const char *out, enum prof_kernel_mode kernel, bool text_to_stderr)
{
	struct prof_kernel k = { { 0 } };
	struct prof_kernel_record record = { 0 };
	struct prof_lib lib = { 0 };
	char dir[4096], why[512];
	bool kernel_on, ok;
	double origin_ms;
	int status;

	if (!make_folder(dir, sizeof(dir))) {
		fprintf(stderr, "edgeai prof: cannot make a folder for the trace (%s): %s\n", dir,
			strerror(errno));
		return 1;
	}
	if (!kernel_start(&k, kernel, &kernel_on)) {
		remove_folder(dir);
		return 1;
	}
	origin_ms = ea_now_ms();
	status = run(argv, dir, text_to_stderr);
	if (kernel_on && !prof_kernel_stop(&k, &record, why, sizeof(why))) {
		fprintf(stderr, "edgeai prof: the kernel's events: %s\n", why);
		kernel_on = false;
	}
	ok = prof_lib_read(dir, &lib, why, sizeof(why));
	if (!ok)
		fprintf(stderr, "edgeai prof: %s\n", why);
	ok = ok && write_trace(out, origin_ms, &lib, &record, kernel_on, argv, status);
	if (status)
		fprintf(stderr, "edgeai prof: %s exited with status %d\n", argv[0], status);
	prof_lib_free(&lib);
	prof_kernel_free(&record);
	remove_folder(dir);
	return status ? status : ok ? 0 : 1;
}

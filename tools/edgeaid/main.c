// SPDX-License-Identifier: MIT
/*
 * edgeaid - the edgeai executor daemon.  It attaches to the module as the
 * accelerator's executor and runs the jobs the kernel's scheduler hands it:
 * kmod-mode command streams on libedgeai's executor (exec/ea_exec_kmod.h), or, with --null,
 * nothing at all (every job completes at once, for tests and benchmarks).
 * It attaches again whenever it can: at start it waits for the device to
 * appear and for a previous executor to let go.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "ea_exec_kmod.h"
#include "ea_vk.h"
#include "ea_exec_jobs.h"

#define EDGEAID_DEFAULT_DEVICE	"/dev/accel/accel0"
#define EDGEAID_POLL_NS		200000000ll
#define EDGEAID_RETRY_US	200000
#define EDGEAID_DEFAULT_IDLE_MS	10000

static volatile sig_atomic_t edgeaid_stop;

static void edgeaid_on_signal(int sig)
{
	(void)sig;
	edgeaid_stop = 1;
}

static void edgeaid_usage(FILE *out)
{
	fprintf(out,
		"usage: edgeaid [--null] [--device PATH] [--jobs N] [--memory auto|import|copy]\n"
		"               [--idle-ms MS] [--vk-device SEL] [--verbose]\n"
		"\n"
		"Attach to the edgeai module as its executor and run its jobs on Vulkan.\n"
		"Waits for the device and for a previous executor to go, and attaches\n"
		"again if it is detached.\n"
		"\n"
		"  --null          complete every job at once, computing nothing\n"
		"  --device PATH   accel node of the module (default %s)\n"
		"  --jobs N        exit after N jobs (default: run until SIGINT/SIGTERM)\n"
		"  --memory MODE   import: run on the jobs' mapped pages in place\n"
		"                  (VK_EXT_external_memory_host); copy: keep device copies,\n"
		"                  refreshed where a job marks a buffer changed; auto (the\n"
		"                  default): import unless the device is a discrete GPU\n"
		"  --idle-ms MS    drop what a stream kept (mappings, device copies,\n"
		"                  recordings) after MS ms without a job (default %d)\n"
		"  --vk-device SEL Vulkan device: index or name substring (default:\n"
		"                  EDGEAI_VK_DEVICE, else the best one)\n"
		"  --verbose       a line per stream recorded and per failed job\n"
		"  --help          this text\n"
		"  --version       edgeaid's version\n",
		EDGEAID_DEFAULT_DEVICE, EDGEAID_DEFAULT_IDLE_MS);
}

struct edgeaid_options {
	const char *device;
	const char *vk_device;
	const char *memory;
	unsigned long long jobs;	/* 0: no limit */
	unsigned long long idle_ms;
	int null;
	int verbose;
};

static int parse_count(const char *name, const char *arg, unsigned long long *out)
{
	char *end;

	errno = 0;
	*out = strtoull(arg, &end, 10);
	if (errno || *end || !*arg || arg[0] == '-') {
		fprintf(stderr, "edgeaid: %s wants a count, not '%s'\n", name, arg);
		return 2;
	}
	return 0;
}

static int edgeaid_parse(int argc, char **argv, struct edgeaid_options *opt)
{
	static const struct option longopts[] = {
		{ "null", no_argument, NULL, 'n' },
		{ "device", required_argument, NULL, 'd' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "memory", required_argument, NULL, 'm' },
		{ "idle-ms", required_argument, NULL, 'i' },
		{ "vk-device", required_argument, NULL, 'k' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c, ret = 0;

	while (!ret && (c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			opt->null = 1;
			break;
		case 'd':
			opt->device = optarg;
			break;
		case 'j':
			ret = parse_count("--jobs", optarg, &opt->jobs);
			break;
		case 'i':
			ret = parse_count("--idle-ms", optarg, &opt->idle_ms);
			break;
		case 'm':
			opt->memory = optarg;
			if (strcmp(optarg, "auto") && strcmp(optarg, "import") &&
			    strcmp(optarg, "copy")) {
				fprintf(stderr, "edgeaid: --memory is auto, import or copy, not "
					"'%s'\n", optarg);
				ret = 2;
			}
			break;
		case 'k':
			opt->vk_device = optarg;
			break;
		case 'v':
			opt->verbose = 1;
			break;
		case 'h':
			edgeaid_usage(stdout);
			return 1;
		case 'V':
			printf("edgeaid %s\n", EDGEAI_VERSION);
			return 1;
		default:
			edgeaid_usage(stderr);
			return 2;
		}
	}
	if (!ret && optind < argc) {
		fprintf(stderr, "edgeaid: unexpected argument '%s'\n", argv[optind]);
		ret = 2;
	}
	return ret;
}

/*
 * Open the device and attach, retrying while it is missing or another
 * executor is attached; -1 when stopped or for good (no permission).
 */
static int edgeaid_attach(const struct edgeaid_options *opt)
{
	int said = 0;

	while (!edgeaid_stop) {
		int fd = open(opt->device, O_RDWR | O_CLOEXEC), ret;

		if (fd < 0) {
			ret = -errno;
		} else {
			ret = ea_kmod_exec_attach(fd);
			if (!ret)
				return fd;
			close(fd);
		}
		if (ret == -EPERM || ret == -EACCES) {
			fprintf(stderr, "edgeaid: attach to %s: %s (needs CAP_SYS_ADMIN or the "
				"module's exec_gid group)\n", opt->device, strerror(-ret));
			return -1;
		}
		if (!said++)
			fprintf(stderr, "edgeaid: %s: %s; retrying\n", opt->device,
				ret == -EBUSY ? "another executor is attached" : strerror(-ret));
		usleep(EDGEAID_RETRY_US);
	}
	return -1;
}

/* Run a fetched job and complete it, saying why it failed when verbose. */
static int run_job(int fd, struct ea_exec_jobs *ex, const struct ea_exec_job *job,
		   const struct edgeaid_options *opt)
{
	struct ea_error why = { 0 };
	int status, ret = ea_kmod_exec_run(fd, ex, job, &status, &why);

	if (status && opt->verbose)
		fprintf(stderr, "edgeaid: job %llu: %s: %s\n", (unsigned long long)job->id,
			strerror(-status), why.msg);
	return ret;
}

/* Serve jobs until stopped, the job count is reached or the device fails. */
static int edgeaid_serve(int fd, struct ea_exec_jobs *ex, const struct edgeaid_options *opt,
			 unsigned long long *done)
{
	uint64_t idle_ns = opt->idle_ms * 1000000ull;
	uint64_t recorded = 0;
	struct ea_exec_job job;
	int ret;

	while (!edgeaid_stop && (!opt->jobs || *done < opt->jobs)) {
		ret = ea_kmod_exec_fetch(fd, EDGEAID_POLL_NS, &job);
		if (ret == -ETIME || ret == -EINTR) {
			if (ex)
				ea_exec_jobs_evict(ex, idle_ns);
			continue;
		}
		if (ret) {
			fprintf(stderr, "edgeaid: fetch: %s\n", strerror(-ret));
			return ret;
		}
		ret = ex ? run_job(fd, ex, &job, opt) : ea_kmod_exec_complete(fd, job.id, 0, 0);
		/* -EINVAL: the job ended meanwhile (its timeout); not ours to fail. */
		if (ret && ret != -EINVAL) {
			fprintf(stderr, "edgeaid: complete job %llu: %s\n",
				(unsigned long long)job.id, strerror(-ret));
			return ret;
		}
		if (ex) {
			ea_exec_jobs_evict(ex, idle_ns);
			if (opt->verbose && ea_exec_jobs_stats(ex)->recordings != recorded)
				fprintf(stderr, "edgeaid: recorded a stream (%llu so far)\n",
					(unsigned long long)++recorded);
		}
		(*done)++;
	}
	return 0;
}

static enum ea_exec_memory edgeaid_memory_mode(const struct edgeaid_options *opt,
					       const struct ea_vk *vk,
					       const struct ea_device_info *info)
{
	if (opt->memory && strcmp(opt->memory, "import") == 0)
		return EA_EXEC_MEMORY_IMPORT;
	if (opt->memory && strcmp(opt->memory, "copy") == 0)
		return EA_EXEC_MEMORY_COPY;
	return vk->host_import && info->vk_type != EA_VK_DEVICE_DISCRETE_GPU ?
	       EA_EXEC_MEMORY_IMPORT : EA_EXEC_MEMORY_COPY;
}

int main(int argc, char **argv)
{
	struct edgeaid_options opt = { .device = EDGEAID_DEFAULT_DEVICE,
				       .idle_ms = EDGEAID_DEFAULT_IDLE_MS };
	struct sigaction sa = { .sa_handler = edgeaid_on_signal };
	struct ea_device_info info = { 0 };
	enum ea_exec_memory memory = EA_EXEC_MEMORY_COPY;
	unsigned long long done = 0;
	struct ea_vk *vk = NULL;
	struct ea_error err = { 0 };
	int ret = 0;

	ret = edgeaid_parse(argc, argv, &opt);
	if (ret)
		return ret == 1 ? 0 : 2;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (!opt.null) {
		const char *sel = opt.vk_device ? opt.vk_device : getenv("EDGEAI_VK_DEVICE");

		if (sel && !*sel)
			sel = NULL;
		if (ea_vk_open(sel, opt.vk_device ? "--vk-device" : "EDGEAI_VK_DEVICE", &vk,
			       &info, &err) != EA_OK) {
			fprintf(stderr, "edgeaid: no Vulkan device: %s\n", err.msg);
			return 1;
		}
		memory = edgeaid_memory_mode(&opt, vk, &info);
		if (memory == EA_EXEC_MEMORY_IMPORT && !vk->host_import) {
			fprintf(stderr, "edgeaid: --memory import: %s lacks "
				"VK_EXT_external_memory_host\n", info.vk_name);
			ea_vk_close(vk);
			return 1;
		}
	}
	while (!edgeaid_stop && (!opt.jobs || done < opt.jobs)) {
		int fd = edgeaid_attach(&opt);
		struct ea_job_mapper mapper = ea_kmod_mapper(fd);
		struct ea_exec_jobs *ex = NULL;

		if (fd < 0) {
			ret = edgeaid_stop ? 0 : 1;
			break;
		}
		if (vk && !(ex = ea_exec_jobs_new(vk, memory, &mapper))) {
			fprintf(stderr, "edgeaid: out of memory\n");
			close(fd);
			ret = 1;
			break;
		}
		if (opt.verbose)
			fprintf(stderr, "edgeaid: attached to %s (pid %d): %s%s%s\n", opt.device,
				(int)getpid(), vk ? info.vk_name : "null executor",
				vk ? ", memory " : "", vk ? (memory == EA_EXEC_MEMORY_IMPORT ?
				"imported" : "copied") : "");
		ret = edgeaid_serve(fd, ex, &opt, &done);
		ea_exec_jobs_free(ex);
		close(fd);
		if (ret == -EPERM || ret == -ENODEV)	/* detached: attach again */
			ret = 0;
		else if (ret)
			break;
	}
	ea_vk_close(vk);
	return ret ? 1 : 0;
}

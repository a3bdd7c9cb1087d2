// SPDX-License-Identifier: MIT
/*
 * edgeaid - the edgeai executor daemon.  It attaches to the module as the
 * accelerator's executor and runs the jobs the kernel's scheduler hands it.
 * This build has the null executor only: --null completes every job with
 * status 0 without computing, for tests and benchmarks.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ea_kmod_exec.h"

#define EDGEAID_DEFAULT_DEVICE	"/dev/accel/accel0"
#define EDGEAID_POLL_NS		200000000ll

static volatile sig_atomic_t edgeaid_stop;

static void edgeaid_on_signal(int sig)
{
	(void)sig;
	edgeaid_stop = 1;
}

static void edgeaid_usage(FILE *out)
{
	fprintf(out,
		"usage: edgeaid --null [--device PATH] [--jobs N]\n"
		"\n"
		"Attach to the edgeai module as its executor and run its jobs.\n"
		"\n"
		"  --null         complete every job at once, computing nothing\n"
		"  --device PATH  accel node of the module (default %s)\n"
		"  --jobs N       exit after N jobs (default: run until SIGINT/SIGTERM)\n"
		"  --help         this text\n",
		EDGEAID_DEFAULT_DEVICE);
}

struct edgeaid_options {
	const char *device;
	unsigned long long jobs;	/* 0: no limit */
	int null;
};

static int edgeaid_parse(int argc, char **argv, struct edgeaid_options *opt)
{
	static const struct option longopts[] = {
		{ "null", no_argument, NULL, 'n' },
		{ "device", required_argument, NULL, 'd' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			opt->null = 1;
			break;
		case 'd':
			opt->device = optarg;
			break;
		case 'j':
			errno = 0;
			opt->jobs = strtoull(optarg, &end, 10);
			if (errno || *end || !*optarg || optarg[0] == '-') {
				fprintf(stderr, "edgeaid: --jobs wants a count, not '%s'\n", optarg);
				return 2;
			}
			break;
		case 'h':
			edgeaid_usage(stdout);
			return 1;
		default:
			edgeaid_usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "edgeaid: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (!opt->null) {
		fprintf(stderr, "edgeaid: this build runs only the null executor: pass --null\n");
		return 2;
	}
	return 0;
}

static int edgeaid_run_null(int fd, unsigned long long limit)
{
	unsigned long long done = 0;
	struct ea_exec_job job;
	int ret;

	while (!edgeaid_stop && (!limit || done < limit)) {
		ret = ea_kmod_exec_fetch(fd, EDGEAID_POLL_NS, &job);
		if (ret == -ETIME || ret == -EINTR)
			continue;
		if (ret) {
			fprintf(stderr, "edgeaid: fetch: %s\n", strerror(-ret));
			return 1;
		}
		ret = ea_kmod_exec_complete(fd, job.id, 0, 0);
		if (ret && ret != -EINVAL) {
			fprintf(stderr, "edgeaid: complete job %llu: %s\n",
				(unsigned long long)job.id, strerror(-ret));
			return 1;
		}
		done++;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct edgeaid_options opt = { .device = EDGEAID_DEFAULT_DEVICE };
	struct sigaction sa = { .sa_handler = edgeaid_on_signal };
	int fd, ret;

	ret = edgeaid_parse(argc, argv, &opt);
	if (ret)
		return ret == 1 ? 0 : 2;

	fd = open(opt.device, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "edgeaid: open %s: %s (is edgeai.ko loaded?)\n",
			opt.device, strerror(errno));
		return 1;
	}
	ret = ea_kmod_exec_attach(fd);
	if (ret) {
		fprintf(stderr, "edgeaid: attach to %s: %s%s\n", opt.device, strerror(-ret),
			ret == -EBUSY ? " (another executor is attached)" :
			ret == -EPERM ? " (needs CAP_SYS_ADMIN or the module's exec_gid group)" : "");
		close(fd);
		return 1;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	ret = edgeaid_run_null(fd, opt.jobs);
	close(fd);
	return ret;
}

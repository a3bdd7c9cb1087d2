// SPDX-License-Identifier: GPL-2.0-only
/*
 * sched_bench: latency of DRM_IOCTL_EDGEAI_ROUTE with a BPF policy
 * (latency, which reads a map and calls both kfuncs), with the built-in
 * policy, and of GET_PARAM as the no-op ioctl baseline, in one run.
 * Rounds alternate between the BPF policy attached and detached; within a
 * round, ROUTE and the no-op take turns call by call (which goes first
 * alternates too), so that the host's load, which moves a lot under TCG,
 * hits both sides of the ratio alike.  The process is pinned to one CPU.
 * Each call is timed alone; the clock's own cost (two clock_gettime calls,
 * the same for every call) is printed, not subtracted.  Prints median and
 * p99 per mode and ends with one JSON line.  Needs root and the module
 * (run it in the VM).
 */

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "edgeai_accel.h"
#include "latency.skel.h"
#include "sched_maps.h"

#define ROUNDS		20
#define CALLS		5000
#define SAMPLES		(ROUNDS * CALLS)

enum mode { MODE_BPF, MODE_BUILTIN, MODE_NOOP, MODE_COUNT };

static const char *const mode_names[] = { "bpf", "builtin", "noop" };

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int one_call(int fd, enum mode mode)
{
	struct drm_edgeai_route route = {
		.model_id = 1,
		.prompt_tokens = 32,
		.max_new_tokens = 16,
		.confidence = EDGEAI_CONFIDENCE_NONE,
	};
	struct drm_edgeai_get_param param = {
		.param = EDGEAI_PARAM_ABI_VERSION,
	};

	if (mode == MODE_NOOP)
		return ioctl(fd, DRM_IOCTL_EDGEAI_GET_PARAM, &param);
	return ioctl(fd, DRM_IOCTL_EDGEAI_ROUTE, &route);
}

/* Pins the process to the last CPU it may run on; returns that CPU. */
static int pin_cpu(void)
{
	cpu_set_t set;
	int cpu;

	if (sched_getaffinity(0, sizeof(set), &set))
		return -1;
	for (cpu = CPU_SETSIZE - 1; cpu >= 0; cpu--)
		if (CPU_ISSET(cpu, &set))
			break;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -1 : cpu;
}

static int cmp_ull(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a;
	unsigned long long y = *(const unsigned long long *)b;

	return x < y ? -1 : x > y;
}

static int timed_call(int fd, enum mode mode, unsigned long long *out)
{
	unsigned long long t0 = now_ns();

	if (one_call(fd, mode))
		return -errno;
	*out = now_ns() - t0;
	return 0;
}

/*
 * One round: @mode (BPF, with the policy attached around the round, or
 * built-in) and the no-op in turns, CALLS of each.
 */
static int run_round(int fd, enum mode mode, struct latency_bpf *skel,
		     unsigned long long *out, unsigned long long *noop)
{
	struct bpf_link *link = NULL;
	int i, err = 0;

	if (mode == MODE_BPF) {
		link = bpf_map__attach_struct_ops(skel->maps.latency);
		if (!link)
			return -errno;
	}
	for (i = 0; i < CALLS && !err; i++) {
		if (i & 1) {
			err = timed_call(fd, mode, &out[i]);
			if (!err)
				err = timed_call(fd, MODE_NOOP, &noop[i]);
		} else {
			err = timed_call(fd, MODE_NOOP, &noop[i]);
			if (!err)
				err = timed_call(fd, mode, &out[i]);
		}
	}
	bpf_link__destroy(link);
	return err;
}

int main(void)
{
	/* The no-op runs in every round, twice as often as either ROUTE. */
	static unsigned long long samples[MODE_COUNT][2 * SAMPLES];
	int count[MODE_COUNT] = { SAMPLES, SAMPLES, 2 * SAMPLES };
	struct edgeai_cloud_state cloud = { .rtt_ms = 80, .tokens_per_s = 100 };
	unsigned long long median[MODE_COUNT], p99[MODE_COUNT];
	struct latency_bpf *skel;
	unsigned long long t0;
	int fd, round, m, err, i, cpu;
	__u32 key = 0;

	cpu = pin_cpu();
	fd = open("/dev/accel/accel0", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		perror("sched_bench: /dev/accel/accel0");
		return 1;
	}
	skel = latency_bpf__open_and_load();
	if (!skel ||
	    bpf_map__update_elem(skel->maps.cloud, &key, sizeof(key), &cloud,
				 sizeof(cloud), 0)) {
		fprintf(stderr, "sched_bench: cannot load the latency policy\n");
		return 1;
	}
	for (m = 0; m < MODE_COUNT; m++)	/* warm up */
		for (i = 0; i < 1000; i++)
			one_call(fd, m);
	for (i = 0; i < CALLS; i++) {	/* the clock alone */
		t0 = now_ns();
		samples[0][i] = now_ns() - t0;
	}
	qsort(samples[0], CALLS, sizeof(samples[0][0]), cmp_ull);
	printf("# pinned to cpu %d; timing two clock reads alone: median %llu ns\n",
	       cpu, samples[0][CALLS / 2]);
	for (round = 0; round < ROUNDS; round++)
		for (m = MODE_BPF; m <= MODE_BUILTIN; m++) {
			err = run_round(fd, m, skel, &samples[m][round * CALLS],
					&samples[MODE_NOOP][(2 * round + m) * CALLS]);
			if (err) {
				fprintf(stderr, "sched_bench: %s: %s\n",
					mode_names[m], strerror(-err));
				return 1;
			}
		}
	for (m = 0; m < MODE_COUNT; m++) {
		qsort(samples[m], count[m], sizeof(samples[m][0]), cmp_ull);
		median[m] = samples[m][count[m] / 2];
		p99[m] = samples[m][count[m] * 99 / 100];
		printf("# %-8s median %llu ns, p99 %llu ns (%d calls)\n",
		       mode_names[m], median[m], p99[m], count[m]);
	}
	printf("{\"bench\":\"sched\",\"bpf_median_ns\":%llu,\"bpf_p99_ns\":%llu,"
	       "\"builtin_median_ns\":%llu,\"noop_median_ns\":%llu,"
	       "\"ratio\":%.2f}\n", median[MODE_BPF], p99[MODE_BPF],
	       median[MODE_BUILTIN], median[MODE_NOOP],
	       (double)median[MODE_BPF] / (double)median[MODE_NOOP]);
	latency_bpf__destroy(skel);
	close(fd);
	return 0;
}

// SPDX-License-Identifier: MIT
/*
 * kmod_bench - the edgeai module's figures, run in the VM by make bench-kmod:
 * null-job round trip (submit -> edgeaid --null fetches and completes ->
 * the client's WAIT returns) beside an eventfd ping-pong between two
 * processes (the floor), null-job throughput with 4 client processes, and
 * BO create + mmap + close cycles per second. Ends with one JSON line.
 * EDGEAI_BENCH_SECONDS (default 1) sets each throughput run's length.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "edgeai_accel.h"

#define DEV		"/dev/accel/accel0"
#define RT_SAMPLES	300
#define CLIENTS		4
#define PIPELINE	32

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void die(const char *what)
{
	fprintf(stderr, "kmod_bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static double pingpong_median_us(void)
{
	int ping = eventfd(0, 0), pong = eventfd(0, 0), i;
	double t[RT_SAMPLES], start;
	uint64_t v = 1;
	pid_t pid;

	if (ping < 0 || pong < 0)
		die("eventfd");
	pid = fork();
	if (!pid) {
		for (i = 0; i < RT_SAMPLES; i++)
			if (read(ping, &v, 8) != 8 || write(pong, &v, 8) != 8)
				_exit(1);
		_exit(0);
	}
	for (i = 0; i < RT_SAMPLES; i++) {
		start = now_us();
		if (write(ping, &v, 8) != 8 || read(pong, &v, 8) != 8)
			die("ping-pong");
		t[i] = now_us() - start;
	}
	waitpid(pid, NULL, 0);
	qsort(t, RT_SAMPLES, sizeof(t[0]), cmp_double);
	return t[RT_SAMPLES / 2];
}

struct client {
	int fd;
	__u32 queue, cmd;
};

static void client_open(struct client *c)
{
	struct drm_edgeai_queue_create q = { .priority = EDGEAI_PRIORITY_NORMAL };
	struct drm_edgeai_bo_create b = { .size = 4096 };

	c->fd = open(DEV, O_RDWR | O_CLOEXEC);
	if (c->fd < 0 || ioctl(c->fd, DRM_IOCTL_EDGEAI_QUEUE_CREATE, &q) ||
	    ioctl(c->fd, DRM_IOCTL_EDGEAI_BO_CREATE, &b))
		die("client setup");
	c->queue = q.queue_id;
	c->cmd = b.handle;
}

static __u64 submit(struct client *c)
{
	struct drm_edgeai_submit s = {
		.queue_id = c->queue, .cmd_handle = c->cmd, .cmd_size = 8,
	};

	if (ioctl(c->fd, DRM_IOCTL_EDGEAI_SUBMIT, &s))
		die("submit");
	return s.job_id;
}

static void wait_job(struct client *c, __u64 id)
{
	struct drm_edgeai_wait w = { .job_id = id, .timeout_ns = 10000000000ll };

	if (ioctl(c->fd, DRM_IOCTL_EDGEAI_WAIT, &w) || w.status)
		die("wait");
}

static void round_trip(double *median, double *p99)
{
	static double t[RT_SAMPLES];
	struct client c;
	double start;
	int i;

	client_open(&c);
	for (i = 0; i < 20; i++)
		wait_job(&c, submit(&c));
	for (i = 0; i < RT_SAMPLES; i++) {
		start = now_us();
		wait_job(&c, submit(&c));
		t[i] = now_us() - start;
	}
	close(c.fd);
	qsort(t, RT_SAMPLES, sizeof(t[0]), cmp_double);
	*median = t[RT_SAMPLES / 2];
	*p99 = t[RT_SAMPLES * 99 / 100];
}

/* One client process: keeps PIPELINE jobs in flight for @seconds. */
static void throughput_client(int out, double seconds)
{
	__u64 ids[PIPELINE], done = 0;
	struct client c;
	double end;
	int i;

	client_open(&c);
	end = now_us() + seconds * 1e6;
	for (i = 0; i < PIPELINE; i++)
		ids[i] = submit(&c);
	while (now_us() < end) {
		i = done % PIPELINE;
		wait_job(&c, ids[i]);
		ids[i] = submit(&c);
		done++;
	}
	for (i = 0; i < PIPELINE; i++)
		wait_job(&c, ids[(done + i) % PIPELINE]);
	done += PIPELINE;
	if (write(out, &done, sizeof(done)) != sizeof(done))
		_exit(1);
	_exit(0);
}

static double jobs_per_s(double seconds)
{
	pid_t pids[CLIENTS];
	__u64 total = 0, n;
	int p[2], i;
	double start;

	if (pipe(p))
		die("pipe");
	start = now_us();
	for (i = 0; i < CLIENTS; i++) {
		pids[i] = fork();
		if (!pids[i])
			throughput_client(p[1], seconds);
	}
	for (i = 0; i < CLIENTS; i++) {
		if (read(p[0], &n, sizeof(n)) != sizeof(n))
			die("client");
		total += n;
	}
	for (i = 0; i < CLIENTS; i++)
		waitpid(pids[i], NULL, 0);
	return total / ((now_us() - start) / 1e6);
}

static double bo_cycles_per_s(double seconds)
{
	int fd = open(DEV, O_RDWR | O_CLOEXEC);
	double start = now_us(), end = start + seconds * 1e6;
	unsigned long n = 0;

	if (fd < 0)
		die("open");
	while (now_us() < end) {
		struct drm_edgeai_bo_create b = { .size = 65536, .flags = EDGEAI_BO_HOST_VISIBLE };
		struct drm_edgeai_bo_info info = { 0 };
		struct drm_gem_close cl = { 0 };
		char *p;

		if (ioctl(fd, DRM_IOCTL_EDGEAI_BO_CREATE, &b))
			die("bo create");
		info.handle = cl.handle = b.handle;
		if (ioctl(fd, DRM_IOCTL_EDGEAI_BO_INFO, &info))
			die("bo info");
		p = mmap(NULL, b.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, info.mmap_offset);
		if (p == MAP_FAILED)
			die("mmap");
		p[0] = 1;
		munmap(p, b.size);
		if (ioctl(fd, DRM_IOCTL_GEM_CLOSE, &cl))
			die("gem close");
		n++;
	}
	close(fd);
	return n / ((now_us() - start) / 1e6);
}

int main(void)
{
	const char *env = getenv("EDGEAI_BENCH_SECONDS");
	double seconds = env ? atof(env) : 1.0, pp, rt_med, rt_p99, jps, bo;
	pid_t exec;

	if (seconds <= 0) {
		fprintf(stderr, "kmod_bench: EDGEAI_BENCH_SECONDS must be > 0\n");
		return 2;
	}
	exec = fork();
	if (!exec) {
		execl("build/bin/edgeaid", "edgeaid", "--null", (char *)NULL);
		die("exec build/bin/edgeaid");
	}
	usleep(300000);
	pp = pingpong_median_us();
	fprintf(stderr, "kmod_bench: ping-pong done\n");
	round_trip(&rt_med, &rt_p99);
	fprintf(stderr, "kmod_bench: round trip done\n");
	jps = jobs_per_s(seconds);
	kill(exec, SIGTERM);
	waitpid(exec, NULL, 0);
	bo = bo_cycles_per_s(seconds);

	printf("eventfd ping-pong median: %.1f us\n", pp);
	printf("null-job round trip: median %.1f us, p99 %.1f us (%.2fx ping-pong)\n",
	       rt_med, rt_p99, rt_med / pp);
	printf("null-job throughput, %d clients: %.0f jobs/s\n", CLIENTS, jps);
	printf("BO create+mmap+close (64 KiB): %.0f /s\n", bo);
	printf("{\"bench\":\"kmod\",\"rt_median_us\":%.1f,\"rt_p99_us\":%.1f,"
	       "\"pingpong_median_us\":%.1f,\"jobs_per_s\":%.0f,\"bo_cycles_per_s\":%.0f}\n",
	       rt_med, rt_p99, pp, jps, bo);
	return 0;
}

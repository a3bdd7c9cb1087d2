// SPDX-License-Identifier: GPL-2.0-only
/*
 * Routing in the VM: the built-in policy and each BPF policy through
 * DRM_IOCTL_EDGEAI_ROUTE, table by table; a policy answering out of range
 * (counted error, built-in decides); attach and detach while processes
 * route (one decision per call); module unload refused while attached;
 * the attached policy listed by edgeai-sched status and by bpftool (ours,
 * fixed for module struct_ops, and the packaged one).
 */

#include <bpf/libbpf.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "edgeai_test.h"
#include "sched_maps.h"

#include "cascade.skel.h"
#include "invalid.skel.h"
#include "latency.skel.h"
#include "power.skel.h"
#include "privacy.skel.h"

#define SCHED_SYSFS	"/sys/devices/platform/edgeai/sched"
#define NONE		EDGEAI_CONFIDENCE_NONE

/* One row: the request, whether an executor is attached, the answer. */
struct route_row {
	__u32 privacy, prompt, new_tokens, deadline_ms, confidence;
	int executor;
	__u32 decision, reason, priority;
};

static int route(int fd, const struct route_row *row,
		 struct drm_edgeai_route *out)
{
	memset(out, 0, sizeof(*out));
	out->model_id = 3;
	out->privacy = row->privacy;
	out->prompt_tokens = row->prompt;
	out->max_new_tokens = row->new_tokens;
	out->deadline_ms = row->deadline_ms;
	out->confidence = row->confidence;
	return edgeai_ioctl(fd, DRM_IOCTL_EDGEAI_ROUTE, out);
}

static long long read_sysfs_ll(const char *name)
{
	char path[128];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", SCHED_SYSFS, name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%lld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

FIXTURE(sched) {
	int fd;
	int exec_fd;
};

FIXTURE_SETUP(sched)
{
	self->fd = edgeai_open_dev();
	ASSERT_GE(self->fd, 0);
	self->exec_fd = -1;
}

FIXTURE_TEARDOWN(sched)
{
	if (self->exec_fd >= 0)
		close(self->exec_fd);
	close(self->fd);
}

static void set_executor(struct __test_metadata *_metadata,
			 FIXTURE_DATA(sched) *self, int on)
{
	if (on && self->exec_fd < 0) {
		self->exec_fd = edgeai_open_dev();
		ASSERT_GE(self->exec_fd, 0);
		ASSERT_EQ(0, edgeai_exec_attach(self->exec_fd));
	} else if (!on && self->exec_fd >= 0) {
		close(self->exec_fd);
		self->exec_fd = -1;
	}
}

static void check_table(struct __test_metadata *_metadata,
			FIXTURE_DATA(sched) *self, const char *policy,
			const struct route_row *rows, int n)
{
	struct drm_edgeai_route r;
	int i;

	for (i = 0; i < n; i++) {
		set_executor(_metadata, self, rows[i].executor);
		ASSERT_EQ(0, route(self->fd, &rows[i], &r));
		TH_LOG("%s row %d: decision %u reason %u priority %u", policy,
		       i, r.decision, r.reason, r.priority);
		EXPECT_EQ(rows[i].decision, r.decision);
		EXPECT_EQ(rows[i].reason, r.reason);
		EXPECT_EQ(rows[i].priority, r.priority);
		EXPECT_EQ(0, r.fallback);
		EXPECT_STREQ(policy, r.policy_name);
	}
}

static void set_cloud(struct __test_metadata *_metadata, struct bpf_map *map,
		      __u32 rtt_ms, __u32 tps)
{
	struct edgeai_cloud_state c = { .rtt_ms = rtt_ms, .tokens_per_s = tps };
	__u32 key = 0;

	ASSERT_EQ(0, bpf_map__update_elem(map, &key, sizeof(key), &c,
					  sizeof(c), 0));
}

#define L EDGEAI_ROUTE_LOCAL
#define C EDGEAI_ROUTE_CLOUD
#define PUB EDGEAI_PRIVACY_PUBLIC
#define SENS EDGEAI_PRIVACY_SENSITIVE
#define NORM EDGEAI_PRIORITY_NORMAL
#define HIGH EDGEAI_PRIORITY_HIGH
#define ROWS(a) (int)(sizeof(a) / sizeof((a)[0]))

TEST_F(sched, builtin_table)
{
	static const struct route_row rows[] = {
		{ PUB, 10, 10, 0, NONE, 0, C, EDGEAI_REASON_NO_EXECUTOR, NORM },
		{ SENS, 10, 10, 0, NONE, 0, L, EDGEAI_REASON_PRIVACY, NORM },
		{ PUB, 10, 10, 0, NONE, 1, L, EDGEAI_REASON_DEFAULT, NORM },
		{ PUB, 10, 10, 500, NONE, 1, L, EDGEAI_REASON_DEFAULT, HIGH },
		{ PUB, 10, 10, 5000, 100, 1, L, EDGEAI_REASON_DEFAULT, NORM },
	};

	check_table(_metadata, self, "builtin", rows, ROWS(rows));
}

TEST_F(sched, bad_features)
{
	struct drm_edgeai_route r = { .model_id = EDGEAI_MODEL_COUNT };

	EXPECT_EQ(-EINVAL, edgeai_ioctl(self->fd, DRM_IOCTL_EDGEAI_ROUTE, &r));
	r = (struct drm_edgeai_route){ .privacy = EDGEAI_PRIVACY_COUNT };
	EXPECT_EQ(-EINVAL, edgeai_ioctl(self->fd, DRM_IOCTL_EDGEAI_ROUTE, &r));
	r = (struct drm_edgeai_route){ .confidence = EDGEAI_CONFIDENCE_MAX + 1 };
	EXPECT_EQ(-EINVAL, edgeai_ioctl(self->fd, DRM_IOCTL_EDGEAI_ROUTE, &r));
	r = (struct drm_edgeai_route){ .flags = 1 };
	EXPECT_EQ(-EINVAL, edgeai_ioctl(self->fd, DRM_IOCTL_EDGEAI_ROUTE, &r));
	r = (struct drm_edgeai_route){ .pad2 = 1 };
	EXPECT_EQ(-EINVAL, edgeai_ioctl(self->fd, DRM_IOCTL_EDGEAI_ROUTE, &r));
}

TEST_F(sched, latency_table)
{
	/* Local: 20 ms a job (no average yet); cloud: 100 ms + 5 ms a token. */
	static const struct route_row rows[] = {
		{ PUB, 0, 10, 0, NONE, 0, C, EDGEAI_REASON_NO_EXECUTOR, NORM },
		{ PUB, 0, 2, 0, NONE, 1, L, EDGEAI_REASON_LOCAL_FASTER, NORM },
		{ PUB, 0, 10, 0, NONE, 1, C, EDGEAI_REASON_CLOUD_FASTER, NORM },
		{ PUB, 16, 5, 300, NONE, 1, C, EDGEAI_REASON_CLOUD_FASTER, HIGH },
		{ SENS, 0, 10, 0, NONE, 1, C, EDGEAI_REASON_CLOUD_FASTER, NORM },
	};
	struct latency_bpf *skel = latency_bpf__open_and_load();
	struct bpf_link *link;

	ASSERT_NE(NULL, skel);
	link = bpf_map__attach_struct_ops(skel->maps.latency);
	ASSERT_NE(NULL, link);
	set_cloud(_metadata, skel->maps.cloud, 100, 200);
	check_table(_metadata, self, "latency", rows, ROWS(rows));
	set_cloud(_metadata, skel->maps.cloud, 0, 0);
	check_table(_metadata, self, "latency", (const struct route_row[]){
		{ PUB, 0, 100, 0, NONE, 1, L, EDGEAI_REASON_DEFAULT, NORM } }, 1);
	bpf_link__destroy(link);
	latency_bpf__destroy(skel);
}

TEST_F(sched, privacy_table)
{
	static const struct route_row rows[] = {
		{ SENS, 0, 10, 0, NONE, 0, L, EDGEAI_REASON_PRIVACY, NORM },
		{ SENS, 0, 10, 200, NONE, 1, L, EDGEAI_REASON_PRIVACY, HIGH },
		{ EDGEAI_PRIVACY_PERSONAL, 0, 10, 0, NONE, 1, C,
		  EDGEAI_REASON_CLOUD_FASTER, NORM },
		{ PUB, 0, 2, 0, NONE, 1, L, EDGEAI_REASON_LOCAL_FASTER, NORM },
		{ PUB, 0, 2, 0, NONE, 0, C, EDGEAI_REASON_NO_EXECUTOR, NORM },
	};
	struct privacy_bpf *skel = privacy_bpf__open_and_load();
	struct bpf_link *link;

	ASSERT_NE(NULL, skel);
	link = bpf_map__attach_struct_ops(skel->maps.privacy);
	ASSERT_NE(NULL, link);
	set_cloud(_metadata, skel->maps.cloud, 100, 200);
	check_table(_metadata, self, "privacy", rows, ROWS(rows));
	bpf_link__destroy(link);
	privacy_bpf__destroy(skel);
}

static void set_power(struct __test_metadata *_metadata, struct bpf_map *map,
		      __u32 battery, __u32 thermal)
{
	struct edgeai_power_state p = { battery, thermal };
	__u32 key = 0;

	ASSERT_EQ(0, bpf_map__update_elem(map, &key, sizeof(key), &p,
					  sizeof(p), 0));
}

TEST_F(sched, power_table)
{
	static const struct route_row strained[] = {
		{ PUB, 0, 2, 0, NONE, 1, C, EDGEAI_REASON_POWER,
		  EDGEAI_PRIORITY_LOW },
		{ SENS, 0, 2, 0, NONE, 1, L, EDGEAI_REASON_PRIVACY, NORM },
	};
	static const struct route_row fine[] = {
		{ PUB, 0, 2, 0, NONE, 1, L, EDGEAI_REASON_DEFAULT, NORM },
	};
	struct power_bpf *skel = power_bpf__open_and_load();
	struct bpf_link *link;

	ASSERT_NE(NULL, skel);
	link = bpf_map__attach_struct_ops(skel->maps.power_ops);
	ASSERT_NE(NULL, link);
	check_table(_metadata, self, "power", fine, ROWS(fine));
	set_power(_metadata, skel->maps.power, 10, 40);
	check_table(_metadata, self, "power", strained, ROWS(strained));
	set_power(_metadata, skel->maps.power, 90, 85);
	check_table(_metadata, self, "power", strained, ROWS(strained));
	set_power(_metadata, skel->maps.power, 90, 40);
	check_table(_metadata, self, "power", fine, ROWS(fine));
	bpf_link__destroy(link);
	power_bpf__destroy(skel);
}

TEST_F(sched, cascade_table)
{
	static const struct route_row rows[] = {
		{ PUB, 0, 10, 0, 300, 1, C, EDGEAI_REASON_LOW_CONFIDENCE, NORM },
		{ PUB, 0, 10, 0, 800, 1, L, EDGEAI_REASON_CONFIDENT, NORM },
		{ PUB, 0, 10, 100, NONE, 0, L, EDGEAI_REASON_CONFIDENT, HIGH },
		{ SENS, 0, 10, 0, 0, 1, L, EDGEAI_REASON_PRIVACY, NORM },
	};
	/* The floor raised to 900 at run time: 800 is doubtful now; lowered to
	 * 200: 300 is confident. */
	static const struct route_row strict[] = {
		{ PUB, 0, 10, 0, 800, 1, C, EDGEAI_REASON_LOW_CONFIDENCE, NORM },
	};
	static const struct route_row lenient[] = {
		{ PUB, 0, 10, 0, 300, 1, L, EDGEAI_REASON_CONFIDENT, NORM },
	};
	struct cascade_bpf *skel = cascade_bpf__open_and_load();
	struct edgeai_cascade_state floor;
	struct bpf_link *link;
	__u32 key = 0;

	ASSERT_NE(NULL, skel);
	link = bpf_map__attach_struct_ops(skel->maps.cascade);
	ASSERT_NE(NULL, link);
	check_table(_metadata, self, "cascade", rows, ROWS(rows));
	floor.floor = 900;
	ASSERT_EQ(0, bpf_map__update_elem(skel->maps.cascade_floor, &key, sizeof(key), &floor,
					  sizeof(floor), 0));
	check_table(_metadata, self, "cascade", strict, ROWS(strict));
	floor.floor = 200;
	ASSERT_EQ(0, bpf_map__update_elem(skel->maps.cascade_floor, &key, sizeof(key), &floor,
					  sizeof(floor), 0));
	check_table(_metadata, self, "cascade", lenient, ROWS(lenient));
	bpf_link__destroy(link);
	cascade_bpf__destroy(skel);
}

TEST_F(sched, one_policy_at_a_time)
{
	struct cascade_bpf *a = cascade_bpf__open_and_load();
	struct latency_bpf *b = latency_bpf__open_and_load();
	struct bpf_link *link, *second;

	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);
	link = bpf_map__attach_struct_ops(a->maps.cascade);
	ASSERT_NE(NULL, link);
	second = bpf_map__attach_struct_ops(b->maps.latency);
	EXPECT_EQ(NULL, second);
	EXPECT_EQ(EEXIST, errno);
	bpf_link__destroy(link);
	cascade_bpf__destroy(a);
	latency_bpf__destroy(b);
}

TEST_F(sched, invalid_decision_falls_back)
{
	static const struct route_row row = { PUB, 0, 10, 0, NONE, 0, 0, 0, 0 };
	struct invalid_bpf *skel = invalid_bpf__open_and_load();
	struct drm_edgeai_route r;
	struct bpf_link *link;
	long long errors;

	ASSERT_NE(NULL, skel);
	link = bpf_map__attach_struct_ops(skel->maps.invalid);
	ASSERT_NE(NULL, link);
	errors = read_sysfs_ll("errors");
	ASSERT_GE(errors, 0);
	ASSERT_EQ(0, route(self->fd, &row, &r));
	EXPECT_EQ(1, r.fallback);
	EXPECT_EQ(EDGEAI_ROUTE_CLOUD, r.decision);
	EXPECT_EQ(EDGEAI_REASON_NO_EXECUTOR, r.reason);
	EXPECT_EQ(EDGEAI_POLICY_BUILTIN, r.policy);
	EXPECT_EQ(errors + 1, read_sysfs_ll("errors"));
	bpf_link__destroy(link);
	invalid_bpf__destroy(skel);
}

#define ROUTERS		4
#define ROUTES_EACH	2000
#define ATTACH_LOOPS	40

/* A child: routes, checks each answer, exits 0 when all were good. */
static int route_many(void)
{
	static const struct route_row row = { PUB, 0, 10, 0, 300, 0, 0, 0, 0 };
	struct drm_edgeai_route r;
	__u64 last = 0;
	int fd = edgeai_open_dev(), i;

	if (fd < 0)
		return 1;
	for (i = 0; i < ROUTES_EACH; i++) {
		if (route(fd, &row, &r) || r.decision >= EDGEAI_ROUTE_DECISION_COUNT ||
		    r.fallback || r.seq <= last)
			return 2;
		last = r.seq;
	}
	close(fd);
	return 0;
}

TEST_F(sched, attach_detach_while_routing)
{
	static const struct route_row probe = { PUB, 0, 0, 0, NONE, 0, 0, 0, 0 };
	struct drm_edgeai_route r;
	struct cascade_bpf *skel = cascade_bpf__open_and_load();
	long long errors = read_sysfs_ll("errors");
	pid_t pids[ROUTERS];
	__u64 first;
	int i, status;

	ASSERT_NE(NULL, skel);
	ASSERT_EQ(0, route(self->fd, &probe, &r));
	first = r.seq;
	for (i = 0; i < ROUTERS; i++) {
		pids[i] = fork();
		ASSERT_GE(pids[i], 0);
		if (!pids[i])
			_exit(route_many());
	}
	for (i = 0; i < ATTACH_LOOPS; i++) {
		struct bpf_link *link;

		link = bpf_map__attach_struct_ops(skel->maps.cascade);
		ASSERT_NE(NULL, link);
		usleep(1000);
		bpf_link__destroy(link);
	}
	for (i = 0; i < ROUTERS; i++) {
		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	ASSERT_EQ(0, route(self->fd, &probe, &r));
	EXPECT_EQ(first + 1 + ROUTERS * ROUTES_EACH, r.seq);
	EXPECT_EQ(errors, read_sysfs_ll("errors"));
	cascade_bpf__destroy(skel);
}

TEST_F(sched, unload_refused_while_attached)
{
	struct cascade_bpf *skel = cascade_bpf__open_and_load();
	struct bpf_link *link;
	char policy[32] = "";
	FILE *f;

	ASSERT_NE(NULL, skel);
	link = bpf_map__attach_struct_ops(skel->maps.cascade);
	ASSERT_NE(NULL, link);
	f = fopen(SCHED_SYSFS "/policy", "r");
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(policy, sizeof(policy), f));
	fclose(f);
	EXPECT_STREQ("cascade\n", policy);
	EXPECT_EQ(-1, syscall(SYS_delete_module, EDGEAI_MODULE_NAME,
			      O_NONBLOCK));
	EXPECT_TRUE(errno == EWOULDBLOCK || errno == EBUSY);
	EXPECT_EQ(0, access(SCHED_SYSFS "/policy", R_OK));
	bpf_link__destroy(link);
	cascade_bpf__destroy(skel);
}

/* Runs @cmd (sh), its output in @out; returns its wait status. */
static int run_capture(const char *cmd, char *out, size_t size)
{
	size_t n = 0, got;
	FILE *p = popen(cmd, "r");

	out[0] = '\0';
	if (!p)
		return -1;
	while (n + 1 < size && (got = fread(out + n, 1, size - 1 - n, p)) > 0)
		n += got;
	out[n] = '\0';
	return pclose(p);
}

/* A line of @text holding both @a and @b. */
static int has_line(const char *text, const char *a, const char *b)
{
	const char *line = text, *end;
	char buf[512];
	size_t len;

	for (; *line; line = *end ? end + 1 : end) {
		end = strchrnul(line, '\n');
		len = (size_t)(end - line) < sizeof(buf) - 1 ?
		      (size_t)(end - line) : sizeof(buf) - 1;
		memcpy(buf, line, len);
		buf[len] = '\0';
		if (strstr(buf, a) && strstr(buf, b))
			return 1;
	}
	return 0;
}

/* @rel, a path under build/, from this test's own build/tests/kselftest/. */
static int build_path(char *path, size_t size, const char *rel)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0)
		return -1;
	exe[n] = '\0';
	n = snprintf(path, size, "%s/../../%s", dirname(exe), rel);
	return n > 0 && (size_t)n < size ? 0 : -1;
}

/* sh reports a crashed child as 128 + its signal. */
static int died_of_sigsegv(int status)
{
	return (WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV) ||
	       (WIFEXITED(status) && WEXITSTATUS(status) == 128 + SIGSEGV);
}

/*
 * `bpftool struct_ops list` shows the attached policy: build/bpftool/bpftool,
 * bpftool with our fix for struct_ops types of modules (tools/sched/bpftool/),
 * lists it and dumps it, and `unregister` names it in its error (a policy
 * attached through a link is detached through the link). A packaged bpftool,
 * if there is one, lists it too or dies of SIGSEGV, the bug that patch fixes
 * (docs/PERFORMANCE.md, Scheduler); then `bpftool map show` lists its map.
 * edgeai-sched status lists it as well.
 */
TEST_F(sched, struct_ops_listed)
{
	struct latency_bpf *skel = latency_bpf__open_and_load();
	char sched[PATH_MAX], bpftool[PATH_MAX], cmd[PATH_MAX + 64], out[16384];
	struct bpf_link *link;
	int status;

	ASSERT_NE(NULL, skel);
	link = bpf_map__attach_struct_ops(skel->maps.latency);
	ASSERT_NE(NULL, link);
	ASSERT_EQ(0, build_path(sched, sizeof(sched), "bin/edgeai-sched"));
	ASSERT_EQ(0, build_path(bpftool, sizeof(bpftool), "bpftool/bpftool"));

	snprintf(cmd, sizeof(cmd), "%s status 2>&1", sched);
	status = run_capture(cmd, out, sizeof(out));
	TH_LOG("edgeai-sched status:\n%s", out);
	EXPECT_EQ(0, status);
	EXPECT_TRUE(has_line(out, "policy: latency", ""));
	EXPECT_TRUE(has_line(out, " latency ", "edgeai_sched_ops link "));

	snprintf(cmd, sizeof(cmd), "%s struct_ops list 2>&1", bpftool);
	status = run_capture(cmd, out, sizeof(out));
	TH_LOG("build/bpftool/bpftool struct_ops list:\n%s", out);
	EXPECT_EQ(0, status);
	EXPECT_TRUE(has_line(out, ": latency ", " edgeai_sched_ops"));

	snprintf(cmd, sizeof(cmd), "%s struct_ops dump name latency 2>&1", bpftool);
	status = run_capture(cmd, out, sizeof(out));
	TH_LOG("build/bpftool/bpftool struct_ops dump name latency:\n%s", out);
	EXPECT_EQ(0, status);
	EXPECT_TRUE(has_line(out, "\"bpf_struct_ops_edgeai_sched_ops\"", ""));
	EXPECT_TRUE(has_line(out, "\"route\"", "latency_route/prog_id:"));

	snprintf(cmd, sizeof(cmd), "%s struct_ops unregister name latency 2>&1",
		 bpftool);
	status = run_capture(cmd, out, sizeof(out));
	TH_LOG("build/bpftool/bpftool struct_ops unregister name latency:\n%s", out);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) != 0);
	EXPECT_TRUE(has_line(out, "edgeai_sched_ops latency", "not supported"));

	status = run_capture("command -v bpftool >/dev/null || exit 127; "
			     "bpftool struct_ops list 2>&1", out, sizeof(out));
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
		TH_LOG("no packaged bpftool; its checks skipped");
	} else if (died_of_sigsegv(status)) {
		TH_LOG("packaged bpftool: SIGSEGV, the bug our patch fixes; bpftool map show:");
		status = run_capture("bpftool map show 2>&1", out, sizeof(out));
		TH_LOG("%s", out);
		EXPECT_EQ(0, status);
		EXPECT_TRUE(has_line(out, "struct_ops", "name latency"));
	} else {
		TH_LOG("packaged bpftool struct_ops list:\n%s", out);
		EXPECT_EQ(0, status);
		EXPECT_TRUE(has_line(out, ": latency ", " edgeai_sched_ops"));
	}
	bpf_link__destroy(link);
	latency_bpf__destroy(skel);
}

TEST_HARNESS_MAIN

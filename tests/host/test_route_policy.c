// SPDX-License-Identifier: MIT
/*
 * test_route_policy.c - the routing policies' arithmetic (uapi/edgeai_policy.h,
 * which the module, the BPF policies and direct mode share) on tables of
 * expected answers: the built-in policy through every rule of its formula
 * (uapi/edgeai_accel.h), the latency and privacy policies on the rows
 * tests/kselftest/edgeai_sched_test drives through their BPF programs; and
 * a name for every decision and reason. Where the module's accel device is
 * there (in the VM: tests/net/run runs this binary there), the built-in rows
 * whose device state a test can set (executor attached or not, nothing queued,
 * no job timed yet) also go through DRM_IOCTL_EDGEAI_ROUTE, and the kernel's
 * answer must be the row's.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "ea_kmod.h"
#include "ea_tap.h"
#include "edgeai_policy.h"

#define L EDGEAI_ROUTE_LOCAL
#define C EDGEAI_ROUTE_CLOUD
#define PUB EDGEAI_PRIVACY_PUBLIC
#define PERS EDGEAI_PRIVACY_PERSONAL
#define SENS EDGEAI_PRIVACY_SENSITIVE
#define NORM EDGEAI_PRIORITY_NORMAL
#define HIGH EDGEAI_PRIORITY_HIGH
#define NONE EDGEAI_CONFIDENCE_NONE
#define GIB (1ULL << 30)
#define MS 1000000ULL
#define ROWS(a) (sizeof(a) / sizeof((a)[0]))

/* Model id of the rows: one no test submits jobs for, so no average. */
#define ROW_MODEL 3

struct row {
	uint32_t privacy, prompt, new_tokens, deadline_ms, confidence;
	uint32_t queued_normal, executor;
	uint64_t mem_used, mem_limit, avg_ns;
	uint32_t decision, reason, priority;
	bool in_kernel;		/* the device state is one a test can set */
};

static const struct row builtin_rows[] = {
	{ PUB, 10, 10, 0, NONE, 0, 0, 0, GIB, 0, C, EDGEAI_REASON_NO_EXECUTOR, NORM, true },
	{ SENS, 10, 10, 0, NONE, 0, 0, 0, GIB, 0, L, EDGEAI_REASON_PRIVACY, NORM, true },
	{ SENS, 10, 10, 300, NONE, 99, 1, GIB, GIB, 0, L, EDGEAI_REASON_PRIVACY, HIGH, false },
	{ PERS, 10, 10, 0, NONE, 0, 1, 0, GIB, 0, L, EDGEAI_REASON_DEFAULT, NORM, true },
	{ PUB, 10, 10, 0, NONE, 0, 1, 0, GIB, 0, L, EDGEAI_REASON_DEFAULT, NORM, true },
	{ PUB, 10, 10, 500, NONE, 0, 1, 0, GIB, 0, L, EDGEAI_REASON_DEFAULT, HIGH, true },
	{ PUB, 10, 10, 1000, NONE, 0, 1, 0, GIB, 0, L, EDGEAI_REASON_DEFAULT, HIGH, true },
	{ PUB, 10, 10, 1001, NONE, 0, 1, 0, GIB, 0, L, EDGEAI_REASON_DEFAULT, NORM, true },
	{ PUB, 10, 10, 5000, 100, 0, 1, 0, GIB, 0, L, EDGEAI_REASON_DEFAULT, NORM, true },
	{ PUB, 10, 10, 0, NONE, 15, 1, 0, GIB, 0, L, EDGEAI_REASON_DEFAULT, NORM, false },
	{ PUB, 10, 10, 0, NONE, 16, 1, 0, GIB, 0, C, EDGEAI_REASON_OVERLOAD, NORM, false },
	{ PUB, 10, 10, 0, NONE, 0, 1, GIB - GIB / 16 - 1, GIB, 0, L, EDGEAI_REASON_DEFAULT,
	  NORM, false },
	{ PUB, 10, 10, 0, NONE, 0, 1, GIB - GIB / 16, GIB, 0, C, EDGEAI_REASON_OVERLOAD, NORM,
	  false },
	{ PUB, 10, 10, 100, NONE, 3, 1, 0, GIB, 25 * MS, L, EDGEAI_REASON_DEFAULT, HIGH, false },
	{ PUB, 10, 10, 100, NONE, 4, 1, 0, GIB, 25 * MS, C, EDGEAI_REASON_DEADLINE, HIGH, false },
	{ PUB, 10, 10, 0, NONE, 4, 1, 0, GIB, 25 * MS, L, EDGEAI_REASON_DEFAULT, NORM, false },
	/* the estimate in whole ms: 100.999999 ms is not over a 100 ms deadline, 101 is */
	{ PUB, 10, 10, 100, NONE, 0, 1, 0, GIB, 101 * MS - 1, L, EDGEAI_REASON_DEFAULT, HIGH,
	  false },
	{ PUB, 10, 10, 100, NONE, 0, 1, 0, GIB, 101 * MS, C, EDGEAI_REASON_DEADLINE, HIGH, false },
	/* direct mode's state: no limit, nothing queued */
	{ PUB, 10, 10, 0, NONE, 0, 1, 0, UINT64_MAX, 2 * MS, L, EDGEAI_REASON_DEFAULT, NORM,
	  false },
	{ PUB, 10, 10, 1, NONE, 0, 1, 0, UINT64_MAX, 2 * MS, C, EDGEAI_REASON_DEADLINE, HIGH,
	  false },
};

/* Cloud 100 ms + 5 ms a token (200 tokens/s); local 20 ms a job before an average. */
static const struct row latency_rows[] = {
	{ PUB, 0, 10, 0, NONE, 0, 0, 0, GIB, 0, C, EDGEAI_REASON_NO_EXECUTOR, NORM, false },
	{ PUB, 0, 2, 0, NONE, 0, 1, 0, GIB, 0, L, EDGEAI_REASON_LOCAL_FASTER, NORM, false },
	{ PUB, 0, 10, 0, NONE, 0, 1, 0, GIB, 0, C, EDGEAI_REASON_CLOUD_FASTER, NORM, false },
	{ PUB, 16, 5, 300, NONE, 0, 1, 0, GIB, 0, C, EDGEAI_REASON_CLOUD_FASTER, HIGH, false },
	{ SENS, 0, 10, 0, NONE, 0, 1, 0, GIB, 0, C, EDGEAI_REASON_CLOUD_FASTER, NORM, false },
	/* measured 2 ms a token: 100 tokens locally 200 ms < 100 + 500 ms */
	{ PUB, 0, 100, 0, NONE, 0, 1, 0, GIB, 2 * MS, L, EDGEAI_REASON_LOCAL_FASTER, NORM, false },
	/* a queue of 500 jobs: 1000 + 200 ms > 600 ms */
	{ PUB, 0, 100, 0, NONE, 500, 1, 0, GIB, 2 * MS, C, EDGEAI_REASON_CLOUD_FASTER, NORM,
	  false },
};

static const struct row privacy_rows[] = {
	{ SENS, 0, 10, 0, NONE, 0, 0, 0, GIB, 0, L, EDGEAI_REASON_PRIVACY, NORM, false },
	{ SENS, 0, 10, 200, NONE, 0, 1, 0, GIB, 0, L, EDGEAI_REASON_PRIVACY, HIGH, false },
	{ PERS, 0, 10, 0, NONE, 0, 1, 0, GIB, 0, C, EDGEAI_REASON_CLOUD_FASTER, NORM, false },
	{ PUB, 0, 2, 0, NONE, 0, 1, 0, GIB, 0, L, EDGEAI_REASON_LOCAL_FASTER, NORM, false },
	{ PUB, 0, 2, 0, NONE, 0, 0, 0, GIB, 0, C, EDGEAI_REASON_NO_EXECUTOR, NORM, false },
};

/* The rows' cloud: 100 ms, 200 tokens/s (@cloud), or none known. */
static struct edgeai_policy_facts facts_of(const struct row *r, bool cloud)
{
	return (struct edgeai_policy_facts){
		.privacy = r->privacy, .deadline_ms = r->deadline_ms, .prompt_tokens = r->prompt,
		.max_new_tokens = r->new_tokens, .executor_alive = r->executor,
		.queued = r->queued_normal, .mem_used = r->mem_used, .mem_limit = r->mem_limit,
		.model_avg_ns = r->avg_ns, .cloud_rtt_ms = cloud ? 100 : 0,
		.cloud_tokens_per_s = cloud ? 200 : 0,
	};
}

enum which { BUILTIN, LATENCY, PRIVACY };

static void check_rows(struct tap *t, enum which w, const struct row *rows, size_t n)
{
	static const char *const names[] = { "builtin", "latency", "privacy" };

	for (size_t i = 0; i < n; i++) {
		struct edgeai_policy_facts f = facts_of(&rows[i], true);
		uint32_t reason, priority;
		uint32_t d = w == BUILTIN ? edgeai_policy_builtin(&f, &reason, &priority) :
			     w == LATENCY ? edgeai_policy_latency(&f, &reason, &priority) :
			     edgeai_policy_privacy(&f, &reason, &priority);

		tap_ok(t, d == rows[i].decision && reason == rows[i].reason &&
		       priority == rows[i].priority,
		       "%s row %zu: decision %u reason %u priority %u (want %u %u %u)", names[w],
		       i, d, reason, priority, rows[i].decision, rows[i].reason, rows[i].priority);
	}
}

static void check_no_cloud(struct tap *t)
{
	struct edgeai_policy_facts f = facts_of(&latency_rows[2], false);
	uint32_t reason, priority;
	uint32_t d = edgeai_policy_latency(&f, &reason, &priority);

	tap_ok(t, d == L && reason == EDGEAI_REASON_DEFAULT,
	       "latency without cloud figures keeps the request local");
}

/* Every decision and reason has a name of its own (sysfs prints them all). */
static bool names_distinct(const char *const *names, int n)
{
	for (int i = 0; i < n; i++) {
		if (!names[i] || !names[i][0])
			return false;
		for (int j = 0; j < i; j++)
			if (!strcmp(names[i], names[j]))
				return false;
	}
	return true;
}

static void check_names(struct tap *t)
{
	tap_ok(t, names_distinct(edgeai_decision_names, EDGEAI_ROUTE_DECISION_COUNT),
	       "a distinct name for each decision");
	tap_ok(t, names_distinct(edgeai_reason_names, EDGEAI_REASON_COUNT),
	       "a distinct name for each reason");
}

/* ---- the kernel's built-in on the same rows ----------------------------- */

static bool kernel_row(int fd, int *exec_fd, const struct row *r, const char *accel_path,
		       struct drm_edgeai_route *out)
{
	struct drm_edgeai_exec_attach attach = { 0 };

	if (r->executor && *exec_fd < 0) {
		*exec_fd = open(accel_path, O_RDWR | O_CLOEXEC);
		if (*exec_fd < 0 || ioctl(*exec_fd, DRM_IOCTL_EDGEAI_EXEC_ATTACH, &attach))
			return false;
	} else if (!r->executor && *exec_fd >= 0) {
		close(*exec_fd);
		*exec_fd = -1;
	}
	*out = (struct drm_edgeai_route){
		.model_id = ROW_MODEL, .prompt_tokens = r->prompt, .max_new_tokens = r->new_tokens,
		.privacy = r->privacy, .deadline_ms = r->deadline_ms, .confidence = r->confidence,
	};
	return ioctl(fd, DRM_IOCTL_EDGEAI_ROUTE, out) == 0;
}

static void check_kernel(struct tap *t, const struct ea_kmod *kmod)
{
	int exec_fd = -1;

	for (size_t i = 0; i < ROWS(builtin_rows); i++) {
		const struct row *r = &builtin_rows[i];
		struct drm_edgeai_route k;
		bool ok;

		if (!r->in_kernel)
			continue;
		ok = kernel_row(kmod->fd, &exec_fd, r, kmod->path, &k);
		tap_ok(t, ok && k.decision == r->decision && k.reason == r->reason &&
		       k.priority == r->priority && !strcmp(k.policy_name, "builtin"),
		       "kernel builtin row %zu: decision %u reason %u priority %u (want %u %u %u)",
		       i, k.decision, k.reason, k.priority, r->decision, r->reason, r->priority);
	}
	if (exec_fd >= 0)
		close(exec_fd);
}

static size_t kernel_rows(void)
{
	size_t n = 0;

	for (size_t i = 0; i < ROWS(builtin_rows); i++)
		n += builtin_rows[i].in_kernel;
	return n;
}

int main(void)
{
	struct tap t = { 0 };
	struct ea_kmod kmod = { .fd = -1 };
	struct ea_error err;
	bool have_kmod = ea_kmod_open("/dev/accel", &kmod, &err) == EA_OK;
	size_t n_kernel = kernel_rows();

	tap_plan(&t, (int)(ROWS(builtin_rows) + ROWS(latency_rows) + ROWS(privacy_rows) + 3 +
			   (have_kmod ? n_kernel : 1)));
	check_rows(&t, BUILTIN, builtin_rows, ROWS(builtin_rows));
	check_rows(&t, LATENCY, latency_rows, ROWS(latency_rows));
	check_rows(&t, PRIVACY, privacy_rows, ROWS(privacy_rows));
	check_no_cloud(&t);
	check_names(&t);
	if (have_kmod) {
		if (geteuid() != 0)
			tap_diag("not root: attaching an executor may fail (EPERM)");
		check_kernel(&t, &kmod);
		ea_kmod_close(&kmod);
	} else {
		tap_ok(&t, true, "# SKIP the kernel's built-in: no edgeai accel device "
		       "(tests/net/run checks it in the VM)");
	}
	return tap_done(&t);
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * edgeai queues, jobs and the executor interface: every ioctl's happy path
 * and bad inputs, then clients and an executor in separate processes:
 * priorities, the job timeout, an executor SIGKILLed mid-job, poll(), and
 * the device's memory back to zero.  Runs as root in the VM.
 */

#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "kselftest_harness.h"

#include "edgeai_test.h"

#define SEC_NS		1000000000ll

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ll + ts.tv_nsec / 1000000;
}

FIXTURE(job) {
	int fd;
	__u32 queue;
	__u32 cmd;
	__u32 data;
};

FIXTURE_SETUP(job)
{
	self->fd = edgeai_open_dev();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, edgeai_queue_create(self->fd, EDGEAI_PRIORITY_NORMAL,
					 &self->queue));
	ASSERT_EQ(0, edgeai_bo_create(self->fd, 4096, EDGEAI_BO_HOST_VISIBLE,
				      &self->cmd));
	ASSERT_EQ(0, edgeai_bo_create(self->fd, 4096, 0, &self->data));
}

FIXTURE_TEARDOWN(job)
{
	close(self->fd);
}

/* A null executor in a child: completes @count jobs with @status. */
static pid_t spawn_executor(int count, int status)
{
	pid_t pid = fork();

	if (pid)
		return pid;
	{
		struct drm_edgeai_exec_fetch f;
		__u32 handles[EDGEAI_MAX_JOB_BOS];
		int fd = edgeai_open_dev(), i;

		if (fd < 0 || edgeai_exec_attach(fd))
			_exit(10);
		for (i = 0; i < count; i++) {
			if (edgeai_exec_fetch(fd, 20 * SEC_NS, &f, handles))
				_exit(11);
			if (edgeai_exec_complete(fd, f.job_id, status))
				_exit(12);
		}
		_exit(0);
	}
}

static int reap(pid_t pid)
{
	int status = -1;

	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 100 + status;
}

TEST_F(job, queue_create_destroy)
{
	struct drm_edgeai_queue_destroy d = { .queue_id = self->queue };
	__u32 id;
	int p;

	for (p = 0; p < EDGEAI_PRIORITY_COUNT; p++) {
		ASSERT_EQ(0, edgeai_queue_create(self->fd, p, &id));
		EXPECT_NE(0, id);
	}
	EXPECT_EQ(0, edgeai_ioctl(self->fd, DRM_IOCTL_EDGEAI_QUEUE_DESTROY, &d));
	EXPECT_EQ(-ENOENT, edgeai_ioctl(self->fd, DRM_IOCTL_EDGEAI_QUEUE_DESTROY, &d));
}

TEST_F(job, queue_bad_input)
{
	struct drm_edgeai_queue_create c = { .priority = EDGEAI_PRIORITY_COUNT };
	struct drm_edgeai_queue_destroy d = { .queue_id = self->queue, .pad = 1 };
	__u64 max = 0;
	__u32 id, n;
	int other;

	EXPECT_EQ(-EINVAL, edgeai_ioctl(self->fd, DRM_IOCTL_EDGEAI_QUEUE_CREATE, &c));
	c = (struct drm_edgeai_queue_create){ .flags = 1 };
	EXPECT_EQ(-EINVAL, edgeai_ioctl(self->fd, DRM_IOCTL_EDGEAI_QUEUE_CREATE, &c));
	c = (struct drm_edgeai_queue_create){ .pad = 1 };
	EXPECT_EQ(-EINVAL, edgeai_ioctl(self->fd, DRM_IOCTL_EDGEAI_QUEUE_CREATE, &c));
	EXPECT_EQ(-EINVAL, edgeai_ioctl(self->fd, DRM_IOCTL_EDGEAI_QUEUE_DESTROY, &d));

	/* Another client's queue is unknown here. */
	other = edgeai_open_dev();
	ASSERT_LE(0, other);
	d = (struct drm_edgeai_queue_destroy){ .queue_id = self->queue };
	EXPECT_EQ(-ENOENT, edgeai_ioctl(other, DRM_IOCTL_EDGEAI_QUEUE_DESTROY, &d));

	ASSERT_EQ(0, edgeai_get_param(other, EDGEAI_PARAM_MAX_QUEUES, &max));
	for (n = 0; n < max; n++)
		ASSERT_EQ(0, edgeai_queue_create(other, EDGEAI_PRIORITY_LOW, &id));
	EXPECT_EQ(-ENOSPC, edgeai_queue_create(other, EDGEAI_PRIORITY_LOW, &id));
	close(other);
}

TEST_F(job, realtime_needs_cap_sys_nice)
{
	pid_t pid;
	__u32 id;

	ASSERT_EQ(0, edgeai_queue_create(self->fd, EDGEAI_PRIORITY_REALTIME, &id));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (setgid(65534) || setuid(65534))
			_exit(2);
		_exit(edgeai_queue_create(self->fd, EDGEAI_PRIORITY_REALTIME,
					  &id) == -EPERM ? 0 : 1);
	}
	EXPECT_EQ(0, reap(pid));
}

TEST_F(job, submit_bad_input)
{
	__u32 bos[EDGEAI_MAX_JOB_BOS + 1] = { 0 };
	struct drm_edgeai_submit s;
	__u32 closed, sync = 12345;
	__u64 id;
	int other;

	EXPECT_EQ(-ENOENT, edgeai_submit_simple(self->fd, 999, self->cmd, NULL, 0, &id));
	EXPECT_EQ(-ENOENT, edgeai_submit_simple(self->fd, self->queue, 999, NULL, 0, &id));
	bos[0] = 999;
	EXPECT_EQ(-ENOENT, edgeai_submit_simple(self->fd, self->queue, self->cmd, bos, 1, &id));
	ASSERT_EQ(0, edgeai_bo_create(self->fd, 4096, 0, &closed));
	ASSERT_EQ(0, edgeai_bo_close(self->fd, closed));
	bos[0] = closed;
	EXPECT_EQ(-ENOENT, edgeai_submit_simple(self->fd, self->queue, self->cmd, bos, 1, &id));
	EXPECT_EQ(-ENOENT, edgeai_submit_simple(self->fd, self->queue, closed, NULL, 0, &id));

	other = edgeai_open_dev();
	ASSERT_LE(0, other);
	EXPECT_EQ(-ENOENT, edgeai_submit_simple(other, self->queue, self->cmd, NULL, 0, &id));
	close(other);

	s = (struct drm_edgeai_submit){ .queue_id = self->queue, .cmd_handle = self->cmd };
	EXPECT_EQ(-EINVAL, edgeai_ioctl(self->fd, DRM_IOCTL_EDGEAI_SUBMIT, &s));
	s.cmd_size = 8;
	s.cmd_offset = 4;
	EXPECT_EQ(-EINVAL, edgeai_ioctl(self->fd, DRM_IOCTL_EDGEAI_SUBMIT, &s));
	s.cmd_offset = 0;
	s.cmd_size = 12;
	EXPECT_EQ(-EINVAL, edgeai_ioctl(self->fd, DRM_IOCTL_EDGEAI_SUBMIT, &s));
	s.cmd_size = 8;
	s.cmd_offset = 4096;
	EXPECT_EQ(-EINVAL, edgeai_ioctl(self->fd, DRM_IOCTL_EDGEAI_SUBMIT, &s));
	s.cmd_offset = ~7ull;
	EXPECT_EQ(-EINVAL, edgeai_ioctl(self->fd, DRM_IOCTL_EDGEAI_SUBMIT, &s));
	s.cmd_offset = 0;
	s.flags = 1u << 5;
	EXPECT_EQ(-EINVAL, edgeai_ioctl(self->fd, DRM_IOCTL_EDGEAI_SUBMIT, &s));
	s.flags = 0;
	s.bo_count = EDGEAI_MAX_JOB_BOS + 1;
	s.bo_handles = (__u64)(unsigned long)bos;
	EXPECT_EQ(-EINVAL, edgeai_ioctl(self->fd, DRM_IOCTL_EDGEAI_SUBMIT, &s));
	s.bo_count = 0;
	s.in_syncobj_count = EDGEAI_MAX_IN_SYNCOBJS + 1;
	EXPECT_EQ(-EINVAL, edgeai_ioctl(self->fd, DRM_IOCTL_EDGEAI_SUBMIT, &s));
	s.in_syncobj_count = 1;
	s.in_syncobjs = (__u64)(unsigned long)&sync;
	EXPECT_EQ(-ENOENT, edgeai_ioctl(self->fd, DRM_IOCTL_EDGEAI_SUBMIT, &s));
	s.in_syncobj_count = 0;
	s.out_syncobj = sync;
	EXPECT_EQ(-ENOENT, edgeai_ioctl(self->fd, DRM_IOCTL_EDGEAI_SUBMIT, &s));
}

TEST_F(job, wait_bad_input)
{
	struct drm_edgeai_wait w = { 0 };
	int status;

	EXPECT_EQ(-EINVAL, edgeai_ioctl(self->fd, DRM_IOCTL_EDGEAI_WAIT, &w));
	w = (struct drm_edgeai_wait){ .job_id = 1, .syncobj = 1 };
	EXPECT_EQ(-EINVAL, edgeai_ioctl(self->fd, DRM_IOCTL_EDGEAI_WAIT, &w));
	w = (struct drm_edgeai_wait){ .job_id = 1, .flags = 1 };
	EXPECT_EQ(-EINVAL, edgeai_ioctl(self->fd, DRM_IOCTL_EDGEAI_WAIT, &w));
	w = (struct drm_edgeai_wait){ .job_id = 1, .pad = 1 };
	EXPECT_EQ(-EINVAL, edgeai_ioctl(self->fd, DRM_IOCTL_EDGEAI_WAIT, &w));
	w = (struct drm_edgeai_wait){ .job_id = 1, .timeout_ns = -1 };
	EXPECT_EQ(-EINVAL, edgeai_ioctl(self->fd, DRM_IOCTL_EDGEAI_WAIT, &w));
	EXPECT_EQ(-ENOENT, edgeai_wait_job(self->fd, 1ull << 60, 0, &status));
	w = (struct drm_edgeai_wait){ .syncobj = 4321 };
	EXPECT_EQ(-ENOENT, edgeai_ioctl(self->fd, DRM_IOCTL_EDGEAI_WAIT, &w));
}

TEST_F(job, executor_bad_input)
{
	struct drm_edgeai_exec_attach a = { .flags = 1 };
	struct drm_edgeai_exec_fetch f;
	__u32 handles[EDGEAI_MAX_JOB_BOS];
	int second;

	EXPECT_EQ(-EPERM, edgeai_exec_fetch(self->fd, 0, &f, handles));
	EXPECT_EQ(-EPERM, edgeai_exec_complete(self->fd, 1, 0));
	EXPECT_EQ(-EINVAL, edgeai_ioctl(self->fd, DRM_IOCTL_EDGEAI_EXEC_ATTACH, &a));
	a = (struct drm_edgeai_exec_attach){ .pad = 1 };
	EXPECT_EQ(-EINVAL, edgeai_ioctl(self->fd, DRM_IOCTL_EDGEAI_EXEC_ATTACH, &a));

	ASSERT_EQ(0, edgeai_exec_attach(self->fd));
	second = edgeai_open_dev();
	ASSERT_LE(0, second);
	EXPECT_EQ(-EBUSY, edgeai_exec_attach(second));
	EXPECT_EQ(-EBUSY, edgeai_exec_attach(self->fd));
	EXPECT_EQ(-EPERM, edgeai_exec_fetch(second, 0, &f, handles));

	EXPECT_EQ(-ETIME, edgeai_exec_fetch(self->fd, 0, &f, handles));
	EXPECT_EQ(-ETIME, edgeai_exec_fetch(self->fd, SEC_NS / 100, &f, handles));
	f.bo_capacity = EDGEAI_MAX_JOB_BOS - 1;
	EXPECT_EQ(-EINVAL, edgeai_ioctl(self->fd, DRM_IOCTL_EDGEAI_EXEC_FETCH, &f));
	EXPECT_EQ(-EINVAL, edgeai_exec_complete(self->fd, 12345, 0));
	EXPECT_EQ(-EINVAL, edgeai_exec_complete(self->fd, 12345, 1));
	/* The first executor closes; the second attaches right away. */
	close(self->fd);
	self->fd = second;
	EXPECT_EQ(0, edgeai_exec_attach(second));
}

/* Each attach that succeeds raises the executor epoch by one; a refused
 * attach, a fetch or a detach does not. */
TEST_F(job, exec_epoch_counts_attaches)
{
	__u64 before = 0, value = 0;
	int second;

	ASSERT_EQ(0, edgeai_get_param(self->fd, EDGEAI_PARAM_EXEC_EPOCH, &before));
	ASSERT_EQ(0, edgeai_exec_attach(self->fd));
	EXPECT_EQ(0, edgeai_get_param(self->fd, EDGEAI_PARAM_EXEC_EPOCH, &value));
	EXPECT_EQ(before + 1, value);
	second = edgeai_open_dev();
	ASSERT_LE(0, second);
	EXPECT_EQ(-EBUSY, edgeai_exec_attach(second));
	EXPECT_EQ(0, edgeai_get_param(second, EDGEAI_PARAM_EXEC_EPOCH, &value));
	EXPECT_EQ(before + 1, value);
	close(self->fd);
	EXPECT_EQ(0, edgeai_get_param(second, EDGEAI_PARAM_EXEC_EPOCH, &value));
	EXPECT_EQ(before + 1, value);
	EXPECT_EQ(0, edgeai_exec_attach(second));
	EXPECT_EQ(0, edgeai_get_param(second, EDGEAI_PARAM_EXEC_EPOCH, &value));
	EXPECT_EQ(before + 2, value);
	self->fd = second;
}

/* Client and executor in one process: the whole round trip, step by step. */
TEST_F(job, round_trip_with_bos_and_syncobj)
{
	struct drm_syncobj_create sc = { 0 };
	struct drm_syncobj_wait sw = { 0 };
	struct drm_edgeai_submit s;
	struct drm_edgeai_exec_fetch f;
	__u32 handles[EDGEAI_MAX_JOB_BOS], bos[1] = { self->data };
	struct drm_edgeai_wait w = { 0 };
	int exec_fd, status = 1;
	char *p;

	exec_fd = edgeai_open_dev();
	ASSERT_LE(0, exec_fd);
	ASSERT_EQ(0, edgeai_exec_attach(exec_fd));
	ASSERT_EQ(0, edgeai_ioctl(self->fd, DRM_IOCTL_SYNCOBJ_CREATE, &sc));

	s = (struct drm_edgeai_submit){
		.queue_id = self->queue, .cmd_handle = self->cmd,
		.cmd_offset = 64, .cmd_size = 128,
		.bo_handles = (__u64)(unsigned long)bos, .bo_count = 1,
		.out_syncobj = sc.handle,
	};
	ASSERT_EQ(0, edgeai_ioctl(self->fd, DRM_IOCTL_EDGEAI_SUBMIT, &s));
	EXPECT_NE(0, s.job_id);
	EXPECT_EQ(-ETIME, edgeai_wait_job(self->fd, s.job_id, 0, &status));

	ASSERT_EQ(0, edgeai_exec_fetch(exec_fd, 5 * SEC_NS, &f, handles));
	EXPECT_EQ(s.job_id, f.job_id);
	EXPECT_EQ(64, f.cmd_offset);
	EXPECT_EQ(128, f.cmd_size);
	EXPECT_EQ(1, f.bo_count);
	EXPECT_EQ(EDGEAI_PRIORITY_NORMAL, f.priority);
	/* The executor maps the device-only BO and writes the result. */
	p = edgeai_bo_map(exec_fd, handles[0], 4096);
	ASSERT_NE(MAP_FAILED, p);
	strcpy(p, "result");
	munmap(p, 4096);

	ASSERT_EQ(0, edgeai_exec_complete(exec_fd, f.job_id, 0));
	EXPECT_EQ(-EINVAL, edgeai_exec_complete(exec_fd, f.job_id, 0));
	/* The job's handles left the executor's file with the job. */
	EXPECT_EQ(-EINVAL, edgeai_bo_close(exec_fd, handles[0]));

	ASSERT_EQ(0, edgeai_wait_job(self->fd, s.job_id, SEC_NS, &status));
	EXPECT_EQ(0, status);
	EXPECT_EQ(-ENOENT, edgeai_wait_job(self->fd, s.job_id, 0, &status));
	sw.handles = (__u64)(unsigned long)&sc.handle;
	sw.count_handles = 1;
	sw.timeout_nsec = INT64_MAX;
	EXPECT_EQ(0, edgeai_ioctl(self->fd, DRM_IOCTL_SYNCOBJ_WAIT, &sw));
	w.syncobj = sc.handle;
	EXPECT_EQ(0, edgeai_ioctl(self->fd, DRM_IOCTL_EDGEAI_WAIT, &w));
	EXPECT_EQ(0, w.status);
	close(exec_fd);
}

/* The executor's error reaches the client; a syncobj chains two jobs. */
TEST_F(job, executor_status_and_in_fence)
{
	struct drm_syncobj_create sc = { 0 };
	struct drm_edgeai_submit s;
	pid_t exec;
	__u64 second;
	int status = 0;

	exec = spawn_executor(2, -EPROTO);
	ASSERT_EQ(0, edgeai_ioctl(self->fd, DRM_IOCTL_SYNCOBJ_CREATE, &sc));
	s = (struct drm_edgeai_submit){
		.queue_id = self->queue, .cmd_handle = self->cmd, .cmd_size = 8,
		.out_syncobj = sc.handle,
	};
	ASSERT_EQ(0, edgeai_ioctl(self->fd, DRM_IOCTL_EDGEAI_SUBMIT, &s));
	s.out_syncobj = 0;
	s.in_syncobjs = (__u64)(unsigned long)&sc.handle;
	s.in_syncobj_count = 1;
	ASSERT_EQ(0, edgeai_ioctl(self->fd, DRM_IOCTL_EDGEAI_SUBMIT, &s));
	second = s.job_id;
	ASSERT_EQ(0, edgeai_wait_job(self->fd, second, 20 * SEC_NS, &status));
	EXPECT_EQ(-EPROTO, status);
	EXPECT_EQ(0, reap(exec));
}

/* A high-priority job submitted behind low ones is fetched first. */
TEST_F(job, priority_respected)
{
	struct drm_edgeai_exec_fetch f;
	__u32 handles[EDGEAI_MAX_JOB_BOS], low, high;
	__u64 ids[4], high_id;
	int i, exec_fd, status;

	ASSERT_EQ(0, edgeai_queue_create(self->fd, EDGEAI_PRIORITY_LOW, &low));
	ASSERT_EQ(0, edgeai_queue_create(self->fd, EDGEAI_PRIORITY_HIGH, &high));
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, edgeai_submit_simple(self->fd, low, self->cmd, NULL, 0, &ids[i]));
	ASSERT_EQ(0, edgeai_submit_simple(self->fd, high, self->cmd, NULL, 0, &high_id));
	usleep(200000);

	exec_fd = edgeai_open_dev();
	ASSERT_LE(0, exec_fd);
	ASSERT_EQ(0, edgeai_exec_attach(exec_fd));
	ASSERT_EQ(0, edgeai_exec_fetch(exec_fd, SEC_NS, &f, handles));
	EXPECT_EQ(high_id, f.job_id);
	EXPECT_EQ(EDGEAI_PRIORITY_HIGH, f.priority);
	ASSERT_EQ(0, edgeai_exec_complete(exec_fd, f.job_id, 0));
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, edgeai_exec_fetch(exec_fd, SEC_NS, &f, handles));
		EXPECT_EQ(ids[i], f.job_id);
		ASSERT_EQ(0, edgeai_exec_complete(exec_fd, f.job_id, 0));
	}
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, edgeai_wait_job(self->fd, ids[i], SEC_NS, &status));
		EXPECT_EQ(0, status);
	}
	close(exec_fd);
}

TEST_F(job, queue_destroy_with_jobs_ebusy)
{
	struct drm_edgeai_queue_destroy d = { .queue_id = self->queue };
	__u64 id;
	pid_t exec;
	int status;

	ASSERT_EQ(0, edgeai_submit_simple(self->fd, self->queue, self->cmd, NULL, 0, &id));
	EXPECT_EQ(-EBUSY, edgeai_ioctl(self->fd, DRM_IOCTL_EDGEAI_QUEUE_DESTROY, &d));
	exec = spawn_executor(1, 0);
	ASSERT_EQ(0, edgeai_wait_job(self->fd, id, 20 * SEC_NS, &status));
	EXPECT_EQ(0, status);
	EXPECT_EQ(0, edgeai_ioctl(self->fd, DRM_IOCTL_EDGEAI_QUEUE_DESTROY, &d));
	EXPECT_EQ(0, reap(exec));
}

/* No executor: the job fails with -ETIMEDOUT, and the device keeps serving. */
TEST_F(job, timeout_then_device_serves)
{
	__u64 timeout_ms = 0, id;
	long long start, took;
	int status = 0;
	pid_t exec;

	ASSERT_EQ(0, edgeai_get_param(self->fd, EDGEAI_PARAM_JOB_TIMEOUT_MS, &timeout_ms));
	start = now_ms();
	ASSERT_EQ(0, edgeai_submit_simple(self->fd, self->queue, self->cmd, NULL, 0, &id));
	EXPECT_EQ(-ETIME, edgeai_wait_job(self->fd, id, SEC_NS / 100, &status));
	ASSERT_EQ(0, edgeai_wait_job(self->fd, id, (timeout_ms * 2 + 2000) * 1000000ll,
				     &status));
	took = now_ms() - start;
	EXPECT_EQ(-ETIMEDOUT, status);
	EXPECT_LE((long long)timeout_ms, took);
	EXPECT_GE((long long)timeout_ms * 3 / 2 + 500, took);

	exec = spawn_executor(1, 0);
	ASSERT_EQ(0, edgeai_submit_simple(self->fd, self->queue, self->cmd, NULL, 0, &id));
	ASSERT_EQ(0, edgeai_wait_job(self->fd, id, 20 * SEC_NS, &status));
	EXPECT_EQ(0, status);
	EXPECT_EQ(0, reap(exec));
}

/* The executor dies holding a job: it fails with -EIO at once. */
TEST_F(job, executor_sigkilled_mid_job)
{
	int ready[2], status = 0, exec_fd;
	long long start;
	pid_t pid;
	__u64 id;
	char c;

	ASSERT_EQ(0, pipe(ready));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct drm_edgeai_exec_fetch f;
		__u32 handles[EDGEAI_MAX_JOB_BOS];
		int fd = edgeai_open_dev();

		if (fd < 0 || edgeai_exec_attach(fd) ||
		    edgeai_exec_fetch(fd, 20 * SEC_NS, &f, handles))
			_exit(1);
		if (write(ready[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	usleep(100000);
	ASSERT_EQ(0, edgeai_submit_simple(self->fd, self->queue, self->cmd, NULL, 0, &id));
	ASSERT_EQ(1, read(ready[0], &c, 1));
	start = now_ms();
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	ASSERT_EQ(0, edgeai_wait_job(self->fd, id, 20 * SEC_NS, &status));
	EXPECT_EQ(-EIO, status);
	EXPECT_GT(1000, now_ms() - start);

	exec_fd = edgeai_open_dev();
	ASSERT_LE(0, exec_fd);
	EXPECT_EQ(0, edgeai_exec_attach(exec_fd));
	close(exec_fd);
	close(ready[0]);
	close(ready[1]);
}

/* poll() on the executor's file wakes when another process submits. */
TEST_F(job, executor_poll)
{
	struct pollfd pfd = { .events = POLLIN };
	struct drm_edgeai_exec_fetch f;
	__u32 handles[EDGEAI_MAX_JOB_BOS];
	int exec_fd, status;
	pid_t pid;
	__u64 id;

	exec_fd = edgeai_open_dev();
	ASSERT_LE(0, exec_fd);
	ASSERT_EQ(0, edgeai_exec_attach(exec_fd));
	pfd.fd = exec_fd;
	EXPECT_EQ(0, poll(&pfd, 1, 0));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		usleep(100000);
		if (edgeai_submit_simple(self->fd, self->queue, self->cmd, NULL, 0, &id) ||
		    edgeai_wait_job(self->fd, id, 20 * SEC_NS, &status) || status)
			_exit(1);
		_exit(0);
	}
	ASSERT_EQ(1, poll(&pfd, 1, 10000));
	EXPECT_TRUE(pfd.revents & POLLIN);
	ASSERT_EQ(0, edgeai_exec_fetch(exec_fd, 0, &f, handles));
	ASSERT_EQ(0, edgeai_exec_complete(exec_fd, f.job_id, 0));
	EXPECT_EQ(0, reap(pid));
	close(exec_fd);
}

/* Four clients in their own processes, one executor process. */
TEST(four_clients_one_executor)
{
	pid_t exec, clients[4];
	int i;

	exec = spawn_executor(4 * 50, 0);
	for (i = 0; i < 4; i++) {
		clients[i] = fork();
		ASSERT_LE(0, clients[i]);
		if (!clients[i]) {
			int fd = edgeai_open_dev(), n, status;
			__u32 q, cmd;
			__u64 id;

			if (fd < 0 || edgeai_queue_create(fd, i % EDGEAI_PRIORITY_COUNT, &q) ||
			    edgeai_bo_create(fd, 4096, 0, &cmd))
				_exit(1);
			for (n = 0; n < 50; n++)
				if (edgeai_submit_simple(fd, q, cmd, NULL, 0, &id) ||
				    edgeai_wait_job(fd, id, 20 * SEC_NS, &status) || status)
					_exit(2);
			_exit(0);
		}
	}
	for (i = 0; i < 4; i++)
		EXPECT_EQ(0, reap(clients[i]));
	EXPECT_EQ(0, reap(exec));
}

TEST(debugfs_and_fdinfo)
{
	static const char *const files[] = { "memory", "executor", "queues" };
	static const char *const keys[] = {
		"drm-driver:", "drm-client-id:", "drm-engine-edgeai:",
		"drm-total-memory:", "drm-shared-memory:", "drm-resident-memory:",
		"edgeai-jobs-submitted:", "edgeai-jobs-completed:",
		"edgeai-jobs-failed:",
	};
	char path[128], text[4096];
	size_t i, n;
	__u32 h;
	FILE *f;
	int fd;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "/sys/kernel/debug/accel/edgeai/%s", files[i]);
		f = fopen(path, "r");
		ASSERT_NE(NULL, f) TH_LOG("%s", path);
		fclose(f);
	}
	/* The memory keys appear once the client has a BO. */
	fd = edgeai_open_dev();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, edgeai_bo_create(fd, 4096, 0, &h));
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	ASSERT_NE(NULL, f);
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = 0;
	fclose(f);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		EXPECT_TRUE(strstr(text, keys[i]) != NULL) TH_LOG("%s in:\n%s", keys[i], text);
	EXPECT_TRUE(strstr(text, "drm-driver:\tedgeai") != NULL);
	close(fd);
}

TEST(memory_back_to_zero)
{
	EXPECT_EQ(0, edgeai_mem_used());
}

TEST_HARNESS_MAIN

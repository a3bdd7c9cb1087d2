// SPDX-License-Identifier: GPL-2.0-only
/*
 * edgeai buffer objects: create, info, mmap, close, PRIME, named shared
 * buffers, quotas and the device limit, every bad input, and the device's
 * memory back to zero once every file is closed.  Runs as root in the VM.
 */

#include <string.h>
#include <sys/wait.h>

#include "kselftest_harness.h"

#include "edgeai_test.h"

#define PAGE		4096ull

FIXTURE(bo) {
	int fd;
	int other;
	__u64 used_before;
};

FIXTURE_SETUP(bo)
{
	self->used_before = edgeai_mem_used();
	self->fd = edgeai_open_dev();
	self->other = edgeai_open_dev();
	ASSERT_LE(0, self->fd);
	ASSERT_LE(0, self->other);
}

FIXTURE_TEARDOWN(bo)
{
	close(self->fd);
	close(self->other);
	EXPECT_EQ(self->used_before, edgeai_mem_used());
}

static void key_of(__u8 *key, const char *name)
{
	memset(key, 0, EDGEAI_SHARE_KEY_SIZE);
	strncpy((char *)key, name, EDGEAI_SHARE_KEY_SIZE);
}

/* Value of an fdinfo key of @fd in this process, or -1. */
static long long fdinfo_value(int fd, const char *key)
{
	char path[64], line[256];
	long long value = -1;
	size_t len = strlen(key);
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, len) && line[len] == ':')
			value = strtoll(line + len + 1, NULL, 10);
	fclose(f);
	return value;
}

TEST_F(bo, create_info_mmap_close)
{
	struct drm_edgeai_bo_create create = {
		.size = 5000, .flags = EDGEAI_BO_HOST_VISIBLE,
	};
	struct drm_edgeai_bo_info info = { 0 };
	char *p;

	ASSERT_EQ(0, edgeai_ioctl(self->fd, DRM_IOCTL_EDGEAI_BO_CREATE, &create));
	EXPECT_EQ(2 * PAGE, create.size);
	EXPECT_NE(0, create.handle);
	EXPECT_EQ(self->used_before + 2 * PAGE, edgeai_mem_used());

	info.handle = create.handle;
	ASSERT_EQ(0, edgeai_ioctl(self->fd, DRM_IOCTL_EDGEAI_BO_INFO, &info));
	EXPECT_EQ(2 * PAGE, info.size);
	EXPECT_EQ(EDGEAI_BO_HOST_VISIBLE, info.flags);
	EXPECT_NE(0, info.mmap_offset);

	p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd,
		 info.mmap_offset);
	ASSERT_NE(MAP_FAILED, p);
	strcpy(p + PAGE, "edgeai");
	EXPECT_STREQ("edgeai", p + PAGE);
	munmap(p, 2 * PAGE);

	ASSERT_EQ(0, edgeai_bo_close(self->fd, create.handle));
	EXPECT_EQ(-ENOENT, edgeai_ioctl(self->fd, DRM_IOCTL_EDGEAI_BO_INFO, &info));
	EXPECT_EQ(self->used_before, edgeai_mem_used());
}

TEST_F(bo, bad_sizes_and_flags_einval)
{
	__u64 max_bo = 0;
	__u32 h;

	ASSERT_EQ(0, edgeai_get_param(self->fd, EDGEAI_PARAM_MAX_BO_SIZE, &max_bo));
	EXPECT_EQ(-EINVAL, edgeai_bo_create(self->fd, 0, 0, &h));
	EXPECT_EQ(-EINVAL, edgeai_bo_create(self->fd, ~0ull, 0, &h));
	EXPECT_EQ(-EINVAL, edgeai_bo_create(self->fd, ~0ull - PAGE + 2, 0, &h));
	EXPECT_EQ(-EINVAL, edgeai_bo_create(self->fd, max_bo + 1, 0, &h));
	EXPECT_EQ(-EINVAL, edgeai_bo_create(self->fd, PAGE, 1u << 2, &h));
	EXPECT_EQ(-EINVAL, edgeai_bo_create(self->fd, PAGE, 1u << 31, &h));
	EXPECT_EQ(self->used_before, edgeai_mem_used());
}

TEST_F(bo, info_bad_input)
{
	struct drm_edgeai_bo_info info = { .handle = 12345 };
	__u32 h;

	EXPECT_EQ(-ENOENT, edgeai_ioctl(self->fd, DRM_IOCTL_EDGEAI_BO_INFO, &info));
	ASSERT_EQ(0, edgeai_bo_create(self->fd, PAGE, 0, &h));
	info = (struct drm_edgeai_bo_info){ .handle = h, .pad = 1 };
	EXPECT_EQ(-EINVAL, edgeai_ioctl(self->fd, DRM_IOCTL_EDGEAI_BO_INFO, &info));
	info = (struct drm_edgeai_bo_info){ .handle = h, .pad2 = 1 };
	EXPECT_EQ(-EINVAL, edgeai_ioctl(self->fd, DRM_IOCTL_EDGEAI_BO_INFO, &info));
	/* A handle means nothing in another client's file. */
	info = (struct drm_edgeai_bo_info){ .handle = h };
	EXPECT_EQ(-ENOENT, edgeai_ioctl(self->other, DRM_IOCTL_EDGEAI_BO_INFO, &info));
}

TEST_F(bo, device_only_bo_not_mappable)
{
	__u32 h;

	ASSERT_EQ(0, edgeai_bo_create(self->fd, PAGE, EDGEAI_BO_DEVICE_RESIDENT, &h));
	EXPECT_EQ(MAP_FAILED, edgeai_bo_map(self->fd, h, PAGE));
	EXPECT_EQ(EACCES, errno);
}

TEST_F(bo, fdinfo_reports_memory)
{
	__u32 h;

	ASSERT_EQ(0, edgeai_bo_create(self->fd, 4 * PAGE, EDGEAI_BO_DEVICE_RESIDENT, &h));
	EXPECT_EQ(16, fdinfo_value(self->fd, "drm-total-memory"));
	EXPECT_EQ(16, fdinfo_value(self->fd, "drm-resident-memory"));
	EXPECT_EQ(0, fdinfo_value(self->fd, "drm-shared-memory"));
	EXPECT_LE(0, fdinfo_value(self->fd, "drm-client-id"));
	EXPECT_EQ(0, fdinfo_value(self->fd, "drm-engine-edgeai"));
	EXPECT_EQ(0, fdinfo_value(self->fd, "edgeai-jobs-submitted"));
}

TEST_F(bo, client_quota_edquot)
{
	__u64 quota = 0, max_bo = 0, total = 0, used;
	__u32 h;

	ASSERT_EQ(0, edgeai_get_param(self->fd, EDGEAI_PARAM_CLIENT_QUOTA, &quota));
	ASSERT_EQ(0, edgeai_get_param(self->fd, EDGEAI_PARAM_MAX_BO_SIZE, &max_bo));
	while (total + max_bo <= quota) {
		ASSERT_EQ(0, edgeai_bo_create(self->fd, max_bo, 0, &h));
		total += max_bo;
	}
	if (total < quota)
		ASSERT_EQ(0, edgeai_bo_create(self->fd, quota - total, 0, &h));
	used = edgeai_mem_used();
	EXPECT_EQ(-EDQUOT, edgeai_bo_create(self->fd, PAGE, 0, &h));
	EXPECT_EQ(used, edgeai_mem_used());
	/* Another client still has its own quota. */
	ASSERT_EQ(0, edgeai_bo_create(self->other, PAGE, 0, &h));
}

TEST_F(bo, device_limit_enospc)
{
	__u64 limit = 0, quota = 0, max_bo = 0, total = 0, used;
	int fds[64], nfd = 0, i;
	__u32 h;

	ASSERT_EQ(0, edgeai_get_param(self->fd, EDGEAI_PARAM_MEM_LIMIT, &limit));
	ASSERT_EQ(0, edgeai_get_param(self->fd, EDGEAI_PARAM_CLIENT_QUOTA, &quota));
	ASSERT_EQ(0, edgeai_get_param(self->fd, EDGEAI_PARAM_MAX_BO_SIZE, &max_bo));
	ASSERT_EQ(0, quota % max_bo);
	total = self->used_before;
	while (total < limit && nfd < 64) {
		__u64 mine = 0;

		fds[nfd] = edgeai_open_dev();
		ASSERT_LE(0, fds[nfd]);
		while (mine < quota && total < limit) {
			__u64 size = limit - total < max_bo ? limit - total : max_bo;

			ASSERT_EQ(0, edgeai_bo_create(fds[nfd], size, 0, &h));
			mine += size;
			total += size;
		}
		nfd++;
	}
	used = edgeai_mem_used();
	EXPECT_EQ(limit, used);
	EXPECT_EQ(-ENOSPC, edgeai_bo_create(self->other, PAGE, 0, &h));
	EXPECT_EQ(used, edgeai_mem_used());
	for (i = 0; i < nfd; i++)
		close(fds[i]);
}

TEST_F(bo, prime_export_import_same_object)
{
	struct drm_prime_handle exp = { .flags = DRM_CLOEXEC | DRM_RDWR };
	struct drm_prime_handle imp = { 0 };
	__u32 h;
	char *a, *b;

	ASSERT_EQ(0, edgeai_bo_create(self->fd, PAGE, EDGEAI_BO_HOST_VISIBLE, &h));
	exp.handle = h;
	ASSERT_EQ(0, edgeai_ioctl(self->fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &exp));
	imp.fd = exp.fd;
	ASSERT_EQ(0, edgeai_ioctl(self->other, DRM_IOCTL_PRIME_FD_TO_HANDLE, &imp));
	EXPECT_EQ(self->used_before + PAGE, edgeai_mem_used());

	a = edgeai_bo_map(self->fd, h, PAGE);
	b = edgeai_bo_map(self->other, imp.handle, PAGE);
	ASSERT_NE(MAP_FAILED, a);
	ASSERT_NE(MAP_FAILED, b);
	strcpy(a, "shared page");
	EXPECT_STREQ("shared page", b);
	/* The dma-buf and the other handle keep it alive past this one. */
	ASSERT_EQ(0, edgeai_bo_close(self->fd, h));
	EXPECT_STREQ("shared page", b);
	munmap(a, PAGE);
	munmap(b, PAGE);
	close(exp.fd);
}

TEST_F(bo, shared_buffer_counted_once)
{
	struct drm_edgeai_bo_publish pub = { 0 };
	struct drm_edgeai_bo_open op = { 0 };
	__u32 h;
	char *a, *b;

	ASSERT_EQ(0, edgeai_bo_create(self->fd, 8 * PAGE, EDGEAI_BO_HOST_VISIBLE, &h));
	pub.handle = h;
	key_of(pub.key, "model-weights-counted-once");
	ASSERT_EQ(0, edgeai_ioctl(self->fd, DRM_IOCTL_EDGEAI_BO_PUBLISH, &pub));
	memcpy(op.key, pub.key, sizeof(op.key));
	ASSERT_EQ(0, edgeai_ioctl(self->other, DRM_IOCTL_EDGEAI_BO_OPEN, &op));
	EXPECT_EQ(self->used_before + 8 * PAGE, edgeai_mem_used());
	EXPECT_EQ(32, fdinfo_value(self->other, "drm-shared-memory"));
	EXPECT_EQ(32, fdinfo_value(self->other, "drm-total-memory"));

	a = edgeai_bo_map(self->fd, h, 8 * PAGE);
	b = edgeai_bo_map(self->other, op.handle, 8 * PAGE);
	ASSERT_NE(MAP_FAILED, a);
	ASSERT_NE(MAP_FAILED, b);
	strcpy(a + 7 * PAGE, "weights");
	EXPECT_STREQ("weights", b + 7 * PAGE);
	munmap(a, 8 * PAGE);

	/* The creator lets go; the opener's handle keeps the object. */
	ASSERT_EQ(0, edgeai_bo_close(self->fd, h));
	EXPECT_STREQ("weights", b + 7 * PAGE);
	EXPECT_EQ(self->used_before + 8 * PAGE, edgeai_mem_used());
	munmap(b, 8 * PAGE);
	ASSERT_EQ(0, edgeai_bo_close(self->other, op.handle));
	EXPECT_EQ(self->used_before, edgeai_mem_used());
	/* Freed with its last handle: the name is gone. */
	EXPECT_EQ(-ENOENT, edgeai_ioctl(self->other, DRM_IOCTL_EDGEAI_BO_OPEN, &op));
}

TEST_F(bo, shared_buffer_bad_input)
{
	struct drm_edgeai_bo_publish pub = { 0 };
	struct drm_edgeai_bo_open op = { 0 };
	__u32 h, h2;

	ASSERT_EQ(0, edgeai_bo_create(self->fd, PAGE, 0, &h));
	ASSERT_EQ(0, edgeai_bo_create(self->fd, PAGE, 0, &h2));
	pub.handle = h;
	EXPECT_EQ(-EINVAL, edgeai_ioctl(self->fd, DRM_IOCTL_EDGEAI_BO_PUBLISH, &pub));
	key_of(pub.key, "bad-input");
	pub.flags = 1;
	EXPECT_EQ(-EINVAL, edgeai_ioctl(self->fd, DRM_IOCTL_EDGEAI_BO_PUBLISH, &pub));
	pub.flags = 0;
	pub.handle = 999;
	EXPECT_EQ(-ENOENT, edgeai_ioctl(self->fd, DRM_IOCTL_EDGEAI_BO_PUBLISH, &pub));
	pub.handle = h;
	EXPECT_EQ(0, edgeai_ioctl(self->fd, DRM_IOCTL_EDGEAI_BO_PUBLISH, &pub));
	pub.handle = h2;
	EXPECT_EQ(-EEXIST, edgeai_ioctl(self->fd, DRM_IOCTL_EDGEAI_BO_PUBLISH, &pub));
	pub.handle = h;
	key_of(pub.key, "bad-input-2");
	EXPECT_EQ(-EBUSY, edgeai_ioctl(self->fd, DRM_IOCTL_EDGEAI_BO_PUBLISH, &pub));

	EXPECT_EQ(-EINVAL, edgeai_ioctl(self->other, DRM_IOCTL_EDGEAI_BO_OPEN, &op));
	key_of(op.key, "no-such-key");
	EXPECT_EQ(-ENOENT, edgeai_ioctl(self->other, DRM_IOCTL_EDGEAI_BO_OPEN, &op));
	key_of(op.key, "bad-input");
	op.flags = 1;
	EXPECT_EQ(-EINVAL, edgeai_ioctl(self->other, DRM_IOCTL_EDGEAI_BO_OPEN, &op));
}

/* Two processes open one published buffer; it counts once on the device. */
TEST_F(bo, shared_buffer_two_processes)
{
	struct drm_edgeai_bo_publish pub = { 0 };
	int ready[2], status, i;
	pid_t pids[2];
	__u32 h;
	char c;

	ASSERT_EQ(0, edgeai_bo_create(self->fd, 16 * PAGE, 0, &h));
	pub.handle = h;
	key_of(pub.key, "two-processes");
	ASSERT_EQ(0, edgeai_ioctl(self->fd, DRM_IOCTL_EDGEAI_BO_PUBLISH, &pub));
	ASSERT_EQ(0, pipe(ready));
	for (i = 0; i < 2; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (!pids[i]) {
			struct drm_edgeai_bo_open op = { 0 };
			int fd = edgeai_open_dev();

			memcpy(op.key, pub.key, sizeof(op.key));
			if (fd < 0 || edgeai_ioctl(fd, DRM_IOCTL_EDGEAI_BO_OPEN, &op))
				_exit(1);
			if (write(ready[1], "x", 1) != 1)
				_exit(1);
			pause();
			_exit(0);
		}
	}
	for (i = 0; i < 2; i++)
		ASSERT_EQ(1, read(ready[0], &c, 1));
	EXPECT_EQ(self->used_before + 16 * PAGE, edgeai_mem_used());
	for (i = 0; i < 2; i++) {
		kill(pids[i], SIGTERM);
		waitpid(pids[i], &status, 0);
	}
	close(ready[0]);
	close(ready[1]);
}

TEST(memory_back_to_zero)
{
	EXPECT_EQ(0, edgeai_mem_used());
}

TEST_HARNESS_MAIN

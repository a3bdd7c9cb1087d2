// SPDX-License-Identifier: GPL-2.0-only
/*
 * edgeai GET_PARAM: the device answers with its ABI version and the limits
 * set by its module parameters, and rejects every malformed request; its
 * sysfs attributes report the same limits and the memory in use.
 * Runs as root inside the VM, with edgeai.ko loaded.
 */

#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include "edgeai_test.h"

FIXTURE(device) {
	int fd;
};

FIXTURE_SETUP(device)
{
	self->fd = open(EDGEAI_DEV_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", EDGEAI_DEV_PATH,
				       strerror(errno));
}

FIXTURE_TEARDOWN(device)
{
	close(self->fd);
}

TEST_F(device, version_name_is_edgeai)
{
	char name[64] = { 0 };
	struct drm_version version = {
		.name = name,
		.name_len = sizeof(name) - 1,
	};

	ASSERT_EQ(0, ioctl(self->fd, DRM_IOCTL_VERSION, &version));
	ASSERT_EQ(strlen(EDGEAI_MODULE_NAME), version.name_len);
	ASSERT_STREQ(EDGEAI_MODULE_NAME, name);
}

TEST_F(device, abi_version)
{
	__u64 value = 0;

	ASSERT_EQ(0, edgeai_get_param(self->fd, EDGEAI_PARAM_ABI_VERSION,
				      &value));
	ASSERT_EQ(EDGEAI_ABI_VERSION, value);
}

TEST_F(device, every_param_readable)
{
	__u64 value = 0;
	__u32 param;

	for (param = 0; param < EDGEAI_PARAM_COUNT; param++)
		EXPECT_EQ(0, edgeai_get_param(self->fd, param, &value))
			TH_LOG("param %u", param);
}

TEST_F(device, limits_match_module_params)
{
	unsigned long long expected = 0;
	__u64 value = 0;
	size_t i;

	for (i = 0; i < EDGEAI_LIMIT_COUNT; i++) {
		const struct edgeai_limit_param *limit = &edgeai_limit_params[i];

		ASSERT_EQ(0, edgeai_read_module_param(limit->name, &expected))
			TH_LOG("module parameter %s", limit->name);
		ASSERT_EQ(0, edgeai_get_param(self->fd, limit->param, &value));
		EXPECT_NE(0, value) TH_LOG("%s is zero", limit->name);
		EXPECT_EQ(expected, value) TH_LOG("%s", limit->name);
	}
}

/* The device's sysfs attributes report what GET_PARAM does. */
TEST_F(device, sysfs_limits_match_get_param)
{
	unsigned long long attr = 0;
	__u64 value = 0;
	size_t i;

	for (i = 0; i < EDGEAI_LIMIT_COUNT; i++) {
		const struct edgeai_limit_param *limit = &edgeai_limit_params[i];

		ASSERT_EQ(0, edgeai_read_device_attr(limit->name, &attr))
			TH_LOG("%s/%s", EDGEAI_SYSFS_DEVICE, limit->name);
		ASSERT_EQ(0, edgeai_get_param(self->fd, limit->param, &value));
		EXPECT_EQ(value, attr) TH_LOG("%s", limit->name);
	}
}

/* mem_used follows the BOs that come and go. */
TEST_F(device, sysfs_mem_used_follows_bos)
{
	unsigned long long before = 0, during = 0, after = 0;
	__u32 handle;

	ASSERT_EQ(0, edgeai_read_device_attr("mem_used", &before));
	ASSERT_EQ(0, edgeai_bo_create(self->fd, 2 * 4096, 0, &handle));
	ASSERT_EQ(0, edgeai_read_device_attr("mem_used", &during));
	ASSERT_EQ(0, edgeai_bo_close(self->fd, handle));
	ASSERT_EQ(0, edgeai_read_device_attr("mem_used", &after));
	EXPECT_EQ(before + 2 * 4096, during);
	EXPECT_EQ(before, after);
}

/* Every attribute is read-only, even for root. */
TEST_F(device, sysfs_attrs_read_only)
{
	static const char *const names[] = {
		"mem_limit", "client_quota", "max_bo_size", "max_queues",
		"job_timeout_ms", "mem_used",
	};
	char path[256];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", EDGEAI_SYSFS_DEVICE,
			 names[i]);
		EXPECT_EQ(-1, open(path, O_WRONLY)) TH_LOG("%s", path);
		EXPECT_EQ(EACCES, errno) TH_LOG("%s", path);
	}
}

TEST_F(device, unknown_param_einval)
{
	__u64 value = 0;

	EXPECT_EQ(-EINVAL, edgeai_get_param(self->fd, EDGEAI_PARAM_COUNT,
					    &value));
	EXPECT_EQ(-EINVAL, edgeai_get_param(self->fd, 0xffffffffu, &value));
}

TEST_F(device, nonzero_flags_einval)
{
	static const __u32 bad_flags[] = { 1u, 1u << 31, 0xffffffffu };
	struct drm_edgeai_get_param args;
	size_t i;

	for (i = 0; i < sizeof(bad_flags) / sizeof(bad_flags[0]); i++) {
		args = (struct drm_edgeai_get_param){
			.param = EDGEAI_PARAM_ABI_VERSION,
			.flags = bad_flags[i],
		};
		EXPECT_EQ(-1, ioctl(self->fd, DRM_IOCTL_EDGEAI_GET_PARAM, &args));
		EXPECT_EQ(EINVAL, errno) TH_LOG("flags 0x%x", bad_flags[i]);
	}
}

TEST_F(device, nonzero_pad_einval)
{
	static const __u64 bad_pad[] = { 1, 1ull << 63 };
	struct drm_edgeai_get_param args;
	size_t i;

	for (i = 0; i < sizeof(bad_pad) / sizeof(bad_pad[0]); i++) {
		args = (struct drm_edgeai_get_param){
			.param = EDGEAI_PARAM_ABI_VERSION,
			.pad = bad_pad[i],
		};
		EXPECT_EQ(-1, ioctl(self->fd, DRM_IOCTL_EDGEAI_GET_PARAM, &args));
		EXPECT_EQ(EINVAL, errno);
	}
}

/* The DRM core rejects driver ioctl numbers past the driver's table. */
TEST_F(device, unknown_driver_ioctl_einval)
{
	static const unsigned int bad_nr[] = {
		DRM_EDGEAI_ROUTE + 1,
		DRM_COMMAND_END - DRM_COMMAND_BASE - 1,
	};
	struct drm_edgeai_get_param args = { 0 };
	size_t i;

	for (i = 0; i < sizeof(bad_nr) / sizeof(bad_nr[0]); i++) {
		unsigned long cmd = DRM_IOWR(DRM_COMMAND_BASE + bad_nr[i],
					     struct drm_edgeai_get_param);

		EXPECT_EQ(-1, ioctl(self->fd, cmd, &args));
		EXPECT_EQ(EINVAL, errno) TH_LOG("driver ioctl 0x%x", bad_nr[i]);
	}
}

/* An ioctl of another type than DRM's ('d') never reaches the driver. */
TEST_F(device, non_drm_ioctl_enotty)
{
	struct drm_edgeai_get_param args = { 0 };

	EXPECT_EQ(-1, ioctl(self->fd, _IOWR('x', DRM_COMMAND_BASE, args), &args));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->fd, TCGETS, &args));
	EXPECT_EQ(ENOTTY, errno);
}

/*
 * The DRM core accepts a GET_PARAM number with another size: it copies in
 * what the caller gave, zero-fills the rest (so a caller built before @pad
 * existed still works) and copies out no more than the caller's size.
 */
struct get_param_short {
	__u32 param;
	__u32 flags;
	__u64 value;
};

TEST_F(device, shorter_size_zero_extended)
{
	struct get_param_short args = { .param = EDGEAI_PARAM_ABI_VERSION };
	unsigned long cmd = DRM_IOWR(DRM_COMMAND_BASE + DRM_EDGEAI_GET_PARAM,
				     struct get_param_short);

	ASSERT_EQ(0, ioctl(self->fd, cmd, &args));
	EXPECT_EQ(EDGEAI_ABI_VERSION, args.value);
}

TEST_F(device, truncated_size_writes_nothing_past_it)
{
	struct drm_edgeai_get_param args = {
		.param = EDGEAI_PARAM_ABI_VERSION,
		.value = 0xdeadbeefull,
	};
	unsigned long cmd = _IOC(_IOC_READ | _IOC_WRITE, DRM_IOCTL_BASE,
				 DRM_COMMAND_BASE + DRM_EDGEAI_GET_PARAM,
				 offsetof(struct drm_edgeai_get_param, value));

	ASSERT_EQ(0, ioctl(self->fd, cmd, &args));
	EXPECT_EQ(0xdeadbeefull, args.value);
}

struct get_param_long {
	struct drm_edgeai_get_param args;
	__u64 tail;
};

TEST_F(device, longer_size_tail_ignored)
{
	struct get_param_long big = {
		.args.param = EDGEAI_PARAM_ABI_VERSION,
		.tail = 0x5a5a5a5a5a5a5a5aull,
	};
	unsigned long cmd = DRM_IOWR(DRM_COMMAND_BASE + DRM_EDGEAI_GET_PARAM,
				     struct get_param_long);

	ASSERT_EQ(0, ioctl(self->fd, cmd, &big));
	EXPECT_EQ(EDGEAI_ABI_VERSION, big.args.value);
	EXPECT_EQ(0x5a5a5a5a5a5a5a5aull, big.tail);
}

/* No buffer objects exist yet, so there is nothing to map. */
TEST_F(device, mmap_without_buffer_einval)
{
	void *p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, self->fd, 0);

	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
}

TEST_HARNESS_MAIN

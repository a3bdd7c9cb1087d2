/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers shared by the edgeai kselftests: the device node, GET_PARAM, the
 * module parameters that set each limit, and one-line wrappers of the
 * ioctls that return 0 or -errno.
 */

#ifndef EDGEAI_TEST_H
#define EDGEAI_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "edgeai_accel.h"

#define EDGEAI_DEV_PATH		"/dev/accel/accel0"
#define EDGEAI_MODULE_NAME	"edgeai"
#define EDGEAI_SYSFS_PARAMS	"/sys/module/edgeai/parameters"
/* The device's own attributes: its limits and the memory in use. */
#define EDGEAI_SYSFS_DEVICE	"/sys/class/accel/accel0/device/edgeai"

/* Each limit reported by GET_PARAM and the module parameter that sets it. */
static const struct edgeai_limit_param {
	__u32 param;
	const char *name;
} edgeai_limit_params[] = {
	{ EDGEAI_PARAM_MEM_LIMIT, "mem_limit" },
	{ EDGEAI_PARAM_CLIENT_QUOTA, "client_quota" },
	{ EDGEAI_PARAM_MAX_QUEUES, "max_queues" },
	{ EDGEAI_PARAM_JOB_TIMEOUT_MS, "job_timeout_ms" },
	{ EDGEAI_PARAM_MAX_BO_SIZE, "max_bo_size" },
};

#define EDGEAI_LIMIT_COUNT \
	(sizeof(edgeai_limit_params) / sizeof(edgeai_limit_params[0]))

/* GET_PARAM; returns 0 or -errno. */
static inline int edgeai_get_param(int fd, __u32 param, __u64 *value)
{
	struct drm_edgeai_get_param args = { .param = param };

	if (ioctl(fd, DRM_IOCTL_EDGEAI_GET_PARAM, &args))
		return -errno;
	*value = args.value;
	return 0;
}

/* Reads one number from DIR/NAME (a sysfs file); returns 0 or -errno. */
static inline int edgeai_read_sysfs_u64(const char *dir, const char *name,
					unsigned long long *value)
{
	char path[256];
	FILE *f;
	int n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	n = fscanf(f, "%llu", value);
	fclose(f);
	return n == 1 ? 0 : -EINVAL;
}

/* Reads /sys/module/edgeai/parameters/NAME; returns 0 or -errno. */
static inline int edgeai_read_module_param(const char *name,
					   unsigned long long *value)
{
	return edgeai_read_sysfs_u64(EDGEAI_SYSFS_PARAMS, name, value);
}

/* Reads the device attribute EDGEAI_SYSFS_DEVICE/NAME; 0 or -errno. */
static inline int edgeai_read_device_attr(const char *name,
					  unsigned long long *value)
{
	return edgeai_read_sysfs_u64(EDGEAI_SYSFS_DEVICE, name, value);
}

/* Opens the device; returns the fd or -errno. */
static inline int edgeai_open_dev(void)
{
	int fd = open(EDGEAI_DEV_PATH, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

/* The ioctl's result as 0 or -errno. */
static inline int edgeai_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

/* BO_CREATE; returns 0 or -errno, the handle in *handle. */
static inline int edgeai_bo_create(int fd, __u64 size, __u32 flags,
				   __u32 *handle)
{
	struct drm_edgeai_bo_create args = { .size = size, .flags = flags };
	int ret = edgeai_ioctl(fd, DRM_IOCTL_EDGEAI_BO_CREATE, &args);

	if (!ret)
		*handle = args.handle;
	return ret;
}

static inline int edgeai_bo_close(int fd, __u32 handle)
{
	struct drm_gem_close args = { .handle = handle };

	return edgeai_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &args);
}

/* Maps a whole BO; returns MAP_FAILED on error. */
static inline void *edgeai_bo_map(int fd, __u32 handle, size_t size)
{
	struct drm_edgeai_bo_info info = { .handle = handle };

	if (ioctl(fd, DRM_IOCTL_EDGEAI_BO_INFO, &info))
		return MAP_FAILED;
	return mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		    info.mmap_offset);
}

/* Device memory in use (EDGEAI_PARAM_MEM_USED), or ~0 on error. */
static inline __u64 edgeai_mem_used(void)
{
	__u64 used = ~0ull;
	int fd = open(EDGEAI_DEV_PATH, O_RDWR | O_CLOEXEC);

	if (fd >= 0) {
		if (edgeai_get_param(fd, EDGEAI_PARAM_MEM_USED, &used))
			used = ~0ull;
		close(fd);
	}
	return used;
}

static inline int edgeai_queue_create(int fd, __u32 priority, __u32 *id)
{
	struct drm_edgeai_queue_create args = { .priority = priority };
	int ret = edgeai_ioctl(fd, DRM_IOCTL_EDGEAI_QUEUE_CREATE, &args);

	if (!ret)
		*id = args.queue_id;
	return ret;
}

/* Submits a job whose command stream is the first 8 bytes of @cmd. */
static inline int edgeai_submit_simple(int fd, __u32 queue, __u32 cmd,
				       __u32 *bos, __u32 bo_count,
				       __u64 *job_id)
{
	struct drm_edgeai_submit args = {
		.queue_id = queue,
		.cmd_handle = cmd,
		.cmd_size = EDGEAI_CMD_ALIGN,
		.bo_handles = (__u64)(unsigned long)bos,
		.bo_count = bo_count,
	};
	int ret = edgeai_ioctl(fd, DRM_IOCTL_EDGEAI_SUBMIT, &args);

	if (!ret)
		*job_id = args.job_id;
	return ret;
}

/* WAIT for a job; returns 0 or -errno, the job's status in *status. */
static inline int edgeai_wait_job(int fd, __u64 job_id, __s64 timeout_ns,
				  int *status)
{
	struct drm_edgeai_wait args = {
		.job_id = job_id,
		.timeout_ns = timeout_ns,
	};
	int ret = edgeai_ioctl(fd, DRM_IOCTL_EDGEAI_WAIT, &args);

	if (!ret)
		*status = args.status;
	return ret;
}

static inline int edgeai_exec_attach(int fd)
{
	struct drm_edgeai_exec_attach args = { 0 };

	return edgeai_ioctl(fd, DRM_IOCTL_EDGEAI_EXEC_ATTACH, &args);
}

/* EXEC_FETCH into @args, with room for EDGEAI_MAX_JOB_BOS handles. */
static inline int edgeai_exec_fetch(int fd, __s64 timeout_ns,
				    struct drm_edgeai_exec_fetch *args,
				    __u32 *handles)
{
	*args = (struct drm_edgeai_exec_fetch){
		.timeout_ns = timeout_ns,
		.bo_handles = (__u64)(unsigned long)handles,
		.bo_capacity = EDGEAI_MAX_JOB_BOS,
	};
	return edgeai_ioctl(fd, DRM_IOCTL_EDGEAI_EXEC_FETCH, args);
}

static inline int edgeai_exec_complete(int fd, __u64 job_id, int status)
{
	struct drm_edgeai_exec_complete args = {
		.job_id = job_id,
		.status = status,
		.device_time_ns = 1000,
	};

	return edgeai_ioctl(fd, DRM_IOCTL_EDGEAI_EXEC_COMPLETE, &args);
}

#endif /* EDGEAI_TEST_H */

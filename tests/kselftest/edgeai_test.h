/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers shared by the edgeai kselftests: the device node, GET_PARAM, and
 * the module parameters that set each limit.
 */

#ifndef EDGEAI_TEST_H
#define EDGEAI_TEST_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>

#include "edgeai_accel.h"

#define EDGEAI_DEV_PATH		"/dev/accel/accel0"
#define EDGEAI_MODULE_NAME	"edgeai"
#define EDGEAI_SYSFS_PARAMS	"/sys/module/edgeai/parameters"

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

/* Reads /sys/module/edgeai/parameters/NAME; returns 0 or -errno. */
static inline int edgeai_read_module_param(const char *name,
					   unsigned long long *value)
{
	char path[256];
	FILE *f;
	int n;

	snprintf(path, sizeof(path), "%s/%s", EDGEAI_SYSFS_PARAMS, name);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	n = fscanf(f, "%llu", value);
	fclose(f);
	return n == 1 ? 0 : -EINVAL;
}

#endif /* EDGEAI_TEST_H */

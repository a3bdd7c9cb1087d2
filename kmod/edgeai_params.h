/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * edgeai device parameters: the limits set by module parameters and the
 * GET_PARAM ioctl that reports them.
 */

#ifndef __EDGEAI_PARAMS_H__
#define __EDGEAI_PARAMS_H__

#include <linux/types.h>
#include <linux/uidgid.h>

struct drm_device;
struct drm_file;
struct edgeai_device;

/**
 * struct edgeai_limits - Limits of one device, fixed while it exists
 * @mem_limit: accelerator memory of the whole device, in bytes
 * @client_quota: accelerator memory of one client, in bytes
 * @max_bo_size: size of the largest buffer object, in bytes
 * @max_queues: job queues one client may create
 * @job_timeout_ms: time a job may run before it fails, in milliseconds
 */
struct edgeai_limits {
	u64 mem_limit;
	u64 client_quota;
	u64 max_bo_size;
	u32 max_queues;
	u32 job_timeout_ms;
};

int edgeai_params_check(void);
void edgeai_params_get_limits(struct edgeai_limits *limits);
kgid_t edgeai_params_exec_gid(void);
u64 edgeai_params_mem_used(struct edgeai_device *edev);
int edgeai_get_param_ioctl(struct drm_device *dev, void *data,
			   struct drm_file *file);

#endif /* __EDGEAI_PARAMS_H__ */

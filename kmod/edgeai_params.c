// SPDX-License-Identifier: GPL-2.0-only
/*
 * The device's limits come from module parameters, are checked once at
 * load and are read back through DRM_IOCTL_EDGEAI_GET_PARAM.  They are
 * read-only in sysfs, so what userspace reads never changes under it.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/moduleparam.h>
#include <linux/printk.h>
#include <linux/sizes.h>
#include <linux/uidgid.h>

#include <drm/drm_device.h>
#include <drm/drm_file.h>

#include "edgeai_accel.h"
#include "edgeai_drv.h"
#include "edgeai_params.h"

static unsigned long long mem_limit = SZ_2G;
module_param(mem_limit, ullong, 0444);
MODULE_PARM_DESC(mem_limit, "Accelerator memory of the whole device, bytes (default 2 GiB)");

static unsigned long long client_quota = SZ_1G;
module_param(client_quota, ullong, 0444);
MODULE_PARM_DESC(client_quota, "Accelerator memory of one client, bytes (default 1 GiB)");

static unsigned long long max_bo_size = SZ_512M;
module_param(max_bo_size, ullong, 0444);
MODULE_PARM_DESC(max_bo_size, "Size of the largest buffer object, bytes (default 512 MiB)");

static unsigned int max_queues = 16;
module_param(max_queues, uint, 0444);
MODULE_PARM_DESC(max_queues, "Job queues one client may create (default 16)");

static unsigned int job_timeout_ms = 5000;
module_param(job_timeout_ms, uint, 0444);
MODULE_PARM_DESC(job_timeout_ms, "Time a job may run before it fails, ms (default 5000)");

static int exec_gid = -1;
module_param(exec_gid, int, 0444);
MODULE_PARM_DESC(exec_gid, "Group whose members may attach as executor besides CAP_SYS_ADMIN (default -1: none)");

static int edgeai_params_check_nonzero(void)
{
	if (!mem_limit || !client_quota || !max_bo_size || !max_queues ||
	    !job_timeout_ms) {
		pr_err("every limit must be greater than zero\n");
		return -EINVAL;
	}
	return 0;
}

static int edgeai_params_check_order(void)
{
	if (client_quota > mem_limit) {
		pr_err("client_quota %llu exceeds mem_limit %llu\n",
		       client_quota, mem_limit);
		return -EINVAL;
	}
	if (max_bo_size > client_quota) {
		pr_err("max_bo_size %llu exceeds client_quota %llu\n",
		       max_bo_size, client_quota);
		return -EINVAL;
	}
	return 0;
}

/**
 * edgeai_params_check() - Reject module parameters that make no device
 *
 * Return: 0 when every limit is non-zero and max_bo_size <= client_quota
 * <= mem_limit, -EINVAL otherwise (with the reason in the kernel log).
 */
int edgeai_params_check(void)
{
	int ret;

	ret = edgeai_params_check_nonzero();
	if (ret)
		return ret;
	return edgeai_params_check_order();
}

/**
 * edgeai_params_get_limits() - Copy the module parameters into @limits
 * @limits: limits of a new device
 */
void edgeai_params_get_limits(struct edgeai_limits *limits)
{
	limits->mem_limit = mem_limit;
	limits->client_quota = client_quota;
	limits->max_bo_size = max_bo_size;
	limits->max_queues = max_queues;
	limits->job_timeout_ms = job_timeout_ms;
}

/**
 * edgeai_params_exec_gid() - The group allowed to attach as executor
 *
 * Return: the group, or INVALID_GID when only CAP_SYS_ADMIN may attach.
 */
kgid_t edgeai_params_exec_gid(void)
{
	return exec_gid < 0 ? INVALID_GID : make_kgid(&init_user_ns, exec_gid);
}

/**
 * edgeai_params_mem_used() - Accelerator memory held right now
 * @edev: the device
 *
 * Return: bytes of BOs alive on the device, each counted once.
 */
u64 edgeai_params_mem_used(struct edgeai_device *edev)
{
	u64 used;

	spin_lock(&edev->mem_lock);
	used = edev->mem_used;
	spin_unlock(&edev->mem_lock);
	return used;
}

static int edgeai_param_value(struct edgeai_device *edev, u32 param,
			      u64 *value)
{
	const struct edgeai_limits *limits = &edev->limits;

	switch (param) {
	case EDGEAI_PARAM_ABI_VERSION:
		*value = EDGEAI_ABI_VERSION;
		return 0;
	case EDGEAI_PARAM_MEM_LIMIT:
		*value = limits->mem_limit;
		return 0;
	case EDGEAI_PARAM_CLIENT_QUOTA:
		*value = limits->client_quota;
		return 0;
	case EDGEAI_PARAM_MAX_QUEUES:
		*value = limits->max_queues;
		return 0;
	case EDGEAI_PARAM_JOB_TIMEOUT_MS:
		*value = limits->job_timeout_ms;
		return 0;
	case EDGEAI_PARAM_MAX_BO_SIZE:
		*value = limits->max_bo_size;
		return 0;
	case EDGEAI_PARAM_MEM_USED:
		*value = edgeai_params_mem_used(edev);
		return 0;
	case EDGEAI_PARAM_EXEC_EPOCH:
		*value = edgeai_exec_epoch(&edev->exec);
		return 0;
	default:
		return -EINVAL;
	}
}

/**
 * edgeai_get_param_ioctl() - DRM_IOCTL_EDGEAI_GET_PARAM
 * @dev: the device
 * @data: struct drm_edgeai_get_param, copied in by the DRM core
 * @file: the caller's file
 *
 * Return: 0 with the parameter in @data->value, or -EINVAL for an unknown
 * parameter, a flag or a non-zero pad.
 */
int edgeai_get_param_ioctl(struct drm_device *dev, void *data,
			   struct drm_file *file)
{
	struct drm_edgeai_get_param *args = data;

	if (args->flags || args->pad)
		return -EINVAL;
	return edgeai_param_value(to_edgeai_device(dev), args->param,
				  &args->value);
}

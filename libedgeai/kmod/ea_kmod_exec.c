// SPDX-License-Identifier: MIT
/* ea_kmod_exec - executor ioctls of the edgeai module (see ea_kmod_exec.h). */
#include "ea_kmod_exec.h"

#include <errno.h>
#include <sys/ioctl.h>

static int ea_exec_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

int ea_kmod_exec_attach(int fd)
{
	struct drm_edgeai_exec_attach args = { 0 };

	return ea_exec_ioctl(fd, DRM_IOCTL_EDGEAI_EXEC_ATTACH, &args);
}

int ea_kmod_exec_fetch(int fd, int64_t timeout_ns, struct ea_exec_job *job)
{
	struct drm_edgeai_exec_fetch args = {
		.timeout_ns = timeout_ns,
		.bo_handles = (uint64_t)(uintptr_t)job->bo_handles,
		.bo_capacity = EDGEAI_MAX_JOB_BOS,
	};
	int ret = ea_exec_ioctl(fd, DRM_IOCTL_EDGEAI_EXEC_FETCH, &args);

	if (ret)
		return ret;
	job->id = args.job_id;
	job->cmd_offset = args.cmd_offset;
	job->cmd_size = args.cmd_size;
	job->cmd_handle = args.cmd_handle;
	job->bo_count = args.bo_count;
	job->priority = args.priority;
	return 0;
}

int ea_kmod_exec_complete(int fd, uint64_t job_id, int status,
			  uint64_t device_time_ns)
{
	struct drm_edgeai_exec_complete args = {
		.job_id = job_id,
		.status = status,
		.device_time_ns = device_time_ns,
	};

	return ea_exec_ioctl(fd, DRM_IOCTL_EDGEAI_EXEC_COMPLETE, &args);
}

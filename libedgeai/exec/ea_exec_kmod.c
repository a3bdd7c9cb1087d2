// SPDX-License-Identifier: MIT
/* ea_exec_kmod - the executor's side of the edgeai module (see the header). */
#include <errno.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "ea_exec_kmod.h"

static int exec_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

int ea_kmod_exec_attach(int fd)
{
	struct drm_edgeai_exec_attach args = { 0 };

	return exec_ioctl(fd, DRM_IOCTL_EDGEAI_EXEC_ATTACH, &args);
}

int ea_kmod_exec_fetch(int fd, int64_t timeout_ns, struct ea_exec_job *job)
{
	struct drm_edgeai_exec_fetch args = {
		.timeout_ns = timeout_ns,
		.bo_handles = (uint64_t)(uintptr_t)job->bo_handles,
		.bo_capacity = EDGEAI_MAX_JOB_BOS,
	};
	int ret = exec_ioctl(fd, DRM_IOCTL_EDGEAI_EXEC_FETCH, &args);

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

	return exec_ioctl(fd, DRM_IOCTL_EDGEAI_EXEC_COMPLETE, &args);
}

static void *map_bo(void *ctx, const struct ea_job_bo *bo)
{
	int fd = (int)(intptr_t)ctx;
	void *map = mmap(NULL, bo->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)bo->id);

	return map == MAP_FAILED ? NULL : map;
}

static void unmap_bo(void *ctx, void *map, uint64_t size)
{
	(void)ctx;
	munmap(map, size);
}

struct ea_job_mapper ea_kmod_mapper(int fd)
{
	return (struct ea_job_mapper){ map_bo, unmap_bo, (void *)(intptr_t)fd };
}

/* The BO behind the executor's @handle: its mmap offset names it. */
static int describe(int fd, uint32_t handle, struct ea_job_bo *bo)
{
	struct drm_edgeai_bo_info info = { .handle = handle };
	int ret = exec_ioctl(fd, DRM_IOCTL_EDGEAI_BO_INFO, &info);

	if (!ret)
		*bo = (struct ea_job_bo){ .id = info.mmap_offset, .size = info.size,
					  .handle = handle };
	return ret;
}

int ea_kmod_exec_run(int fd, struct ea_exec_jobs *jobs, const struct ea_exec_job *job,
		     int *status, struct ea_error *why)
{
	struct ea_job_bo cmd, bos[EDGEAI_MAX_JOB_BOS];
	uint64_t device_ns = 0;

	*status = job->bo_count > EDGEAI_MAX_JOB_BOS ? -EINVAL :
		  describe(fd, job->cmd_handle, &cmd);
	if (*status)
		ea_error_set(why, EA_ERR_ACCEL, "the job's command BO cannot be described");
	for (uint32_t i = 0; !*status && i < job->bo_count; i++)
		if ((*status = describe(fd, job->bo_handles[i], &bos[i])))
			ea_error_set(why, EA_ERR_ACCEL, "the job's BO %u cannot be described", i);
	if (!*status)
		*status = ea_exec_jobs_job(jobs, &cmd, job->cmd_offset, job->cmd_size, bos,
					   job->bo_count, &device_ns, why);
	return ea_kmod_exec_complete(fd, job->id, *status, device_ns);
}

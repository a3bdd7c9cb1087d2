/* SPDX-License-Identifier: MIT */
/*
 * ea_kmod_exec - the executor side of the edgeai module: attach to the
 * device, fetch the jobs its scheduler runs, complete them.  Thin wrappers
 * of DRM_IOCTL_EDGEAI_EXEC_*; each returns 0 or a negative errno.
 */
#ifndef EA_KMOD_EXEC_H
#define EA_KMOD_EXEC_H

#include <stdint.h>

#include "edgeai_accel.h"

/* One fetched job; its handles belong to the job (the module closes them). */
struct ea_exec_job {
	uint64_t id;
	uint64_t cmd_offset;
	uint64_t cmd_size;
	uint32_t cmd_handle;
	uint32_t bo_count;
	uint32_t priority;
	uint32_t bo_handles[EDGEAI_MAX_JOB_BOS];
};

/* Attach @fd as the device's executor: -EBUSY when one is, -EPERM. */
int ea_kmod_exec_attach(int fd);

/* Take the next job, waiting up to @timeout_ns: -ETIME when none came. */
int ea_kmod_exec_fetch(int fd, int64_t timeout_ns, struct ea_exec_job *job);

/* End a fetched job with @status (0 or a negative errno). */
int ea_kmod_exec_complete(int fd, uint64_t job_id, int status,
			  uint64_t device_time_ns);

#endif /* EA_KMOD_EXEC_H */

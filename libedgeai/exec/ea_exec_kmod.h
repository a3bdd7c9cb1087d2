/* SPDX-License-Identifier: MIT */
/*
 * ea_exec_kmod - the executor's binding to the edgeai module: attach to the
 * device, fetch the jobs its scheduler runs, map their buffer objects, run
 * them (ea_exec_jobs.h) and complete them. The ioctl wrappers return 0 or a
 * negative errno. edgeaid is this binding's loop, options and signals.
 */
#ifndef EA_EXEC_KMOD_H
#define EA_EXEC_KMOD_H

#include <stdint.h>

#include "edgeai_accel.h"
#include "ea_error.h"
#include "ea_exec_jobs.h"

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
int ea_kmod_exec_complete(int fd, uint64_t job_id, int status, uint64_t device_time_ns);

/* How the job runner maps the BOs of the device open at @fd (mmap at the
 * offset that names each; valid while @fd is open). */
struct ea_job_mapper ea_kmod_mapper(int fd);

/*
 * Run @job, fetched from @fd, on @jobs and complete it with its status
 * (*@status: 0 or the negative errno it ended with, why in @why). Returns
 * what completing it returned (-EINVAL when the job had already ended:
 * its timeout).
 */
int ea_kmod_exec_run(int fd, struct ea_exec_jobs *jobs, const struct ea_exec_job *job,
		     int *status, struct ea_error *why);

#endif /* EA_EXEC_KMOD_H */

/* SPDX-License-Identifier: MIT */
/*
 * ea_exec_jobs - runs kmod-mode jobs (uapi/edgeai_job.h) on the executor
 * (ea_exec.h): the buffer residency of kmod mode, which edgeaid drives.
 *
 * What a stream needs is built on its first job and kept: the job's buffer
 * objects stay mapped, each with its Vulkan buffer, and the stream's
 * recordings (an ea_exec over those buffers) are replayed by later jobs that
 * name the same command BO, stream id, BOs and bindings. How a BO reaches the
 * device:
 *  - import (lavapipe, integrated GPUs: VK_EXT_external_memory_host): the
 *    mapped pages are the device's memory, nothing is copied;
 *  - copy (discrete GPUs): a device-local copy, uploaded on first use and
 *    refreshed where a job's dirty mask says the host changed a buffer; BOs
 *    holding step blocks or outputs get a host-visible copy, the outputs
 *    written back after every job; a KV cache's copy is written back to its
 *    BO before it is dropped, so nothing is lost when it idles out.
 * What no job used for the idle time is dropped (ea_exec_jobs_evict()), and a
 * RELEASE job drops its stream at once: the mappings hold the BOs alive, so
 * this is what gives the memory of a finished or dead client back.
 */
#ifndef EA_EXEC_JOBS_H
#define EA_EXEC_JOBS_H

#include <stdint.h>

#include "ea_error.h"
#include "ea_vk.h"

enum ea_exec_memory {
	EA_EXEC_MEMORY_IMPORT,
	EA_EXEC_MEMORY_COPY,
};

/* A job's BO as the caller knows it. */
struct ea_job_bo {
	uint64_t id;		/* the same for every handle to the BO while it is mapped */
	uint64_t size;
	uint32_t handle;	/* for the mapper */
};

/* How BOs are mapped and unmapped (mmap of the device; memory in tests). */
struct ea_job_mapper {
	void *(*map)(void *ctx, const struct ea_job_bo *bo);	/* NULL on failure */
	void (*unmap)(void *ctx, void *map, uint64_t size);
	void *ctx;
};

struct ea_exec_jobs_stats {
	uint64_t jobs, recordings, replays, bos_mapped, bytes_uploaded;
};

struct ea_exec_jobs;

struct ea_exec_jobs *ea_exec_jobs_new(struct ea_vk *vk, enum ea_exec_memory memory,
				      const struct ea_job_mapper *mapper);
void ea_exec_jobs_free(struct ea_exec_jobs *ex);

/*
 * Run the job whose record is at @cmd_offset (@cmd_size bytes) of @cmd, over
 * the @n_bos BOs of its list; *@device_ns is the time its program took.
 * Returns 0, or the negative errno to end the job with (-EINVAL for a bad
 * record or stream, -ENOMEM, -EIO for a device failure), with why in @why.
 */
int ea_exec_jobs_job(struct ea_exec_jobs *ex, const struct ea_job_bo *cmd, uint64_t cmd_offset,
		     uint64_t cmd_size, const struct ea_job_bo *bos, uint32_t n_bos,
		     uint64_t *device_ns, struct ea_error *why);

/* Drop the streams and BOs no job used for @idle_ns. */
void ea_exec_jobs_evict(struct ea_exec_jobs *ex, uint64_t idle_ns);

const struct ea_exec_jobs_stats *ea_exec_jobs_stats(const struct ea_exec_jobs *ex);

#endif /* EA_EXEC_JOBS_H */

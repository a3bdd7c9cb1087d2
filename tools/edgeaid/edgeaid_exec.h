/* SPDX-License-Identifier: MIT */
/*
 * edgeaid_exec - runs kmod-mode jobs (libedgeai/kmod/ea_kmod_job.h) on Vulkan.
 *
 * What a stream needs is built on its first job and kept: the job's buffer
 * objects stay mapped, each with its Vulkan buffer, and the stream's
 * recordings (ea_vk_exec over those buffers) are replayed by later jobs that
 * name the same command BO, stream id, BOs and bindings. How a BO reaches the
 * device:
 *  - import (lavapipe, integrated GPUs: VK_EXT_external_memory_host): the
 *    mapped pages are the device's memory, nothing is copied;
 *  - copy (discrete GPUs): a device-local copy, uploaded on first use and
 *    refreshed where a job's dirty mask says the host changed a buffer; BOs
 *    holding step blocks or outputs get a host-visible copy, the outputs
 *    written back after every job; a KV cache's copy is written back to its
 *    BO before it is dropped, so nothing is lost when it idles out.
 * What no job used for the idle time is dropped (edgeaid_exec_evict()), and a
 * RELEASE job drops its stream at once: the mappings hold the BOs alive, so
 * this is what gives the memory of a finished or dead client back.
 */
#ifndef EDGEAID_EXEC_H
#define EDGEAID_EXEC_H

#include <stdint.h>

#include "ea_error.h"
#include "ea_vk.h"

enum edgeaid_memory {
	EDGEAID_MEMORY_IMPORT,
	EDGEAID_MEMORY_COPY,
};

/* A job's BO as the caller knows it. */
struct edgeaid_bo {
	uint64_t id;		/* the same for every handle to the BO while it is mapped */
	uint64_t size;
	uint32_t handle;	/* for the mapper */
};

/* How BOs are mapped and unmapped (mmap of the device; memory in tests). */
struct edgeaid_mapper {
	void *(*map)(void *ctx, const struct edgeaid_bo *bo);	/* NULL on failure */
	void (*unmap)(void *ctx, void *map, uint64_t size);
	void *ctx;
};

struct edgeaid_stats {
	uint64_t jobs, recordings, replays, bos_mapped, bytes_uploaded;
};

struct edgeaid_exec;

struct edgeaid_exec *edgeaid_exec_new(struct ea_vk *vk, enum edgeaid_memory memory,
				      const struct edgeaid_mapper *mapper);
void edgeaid_exec_free(struct edgeaid_exec *ex);

/*
 * Run the job whose record is at @cmd_offset (@cmd_size bytes) of @cmd, over
 * the @n_bos BOs of its list; *@device_ns is the time its program took.
 * Returns 0, or the negative errno to end the job with (-EINVAL for a bad
 * record or stream, -ENOMEM, -EIO for a device failure), with why in @why.
 */
int edgeaid_exec_job(struct edgeaid_exec *ex, const struct edgeaid_bo *cmd, uint64_t cmd_offset,
		     uint64_t cmd_size, const struct edgeaid_bo *bos, uint32_t n_bos,
		     uint64_t *device_ns, struct ea_error *why);

/* Drop the streams and BOs no job used for @idle_ns. */
void edgeaid_exec_evict(struct edgeaid_exec *ex, uint64_t idle_ns);

const struct edgeaid_stats *edgeaid_exec_stats(const struct edgeaid_exec *ex);

#endif /* EDGEAID_EXEC_H */

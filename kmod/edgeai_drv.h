/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * edgeai driver core: the device, the per-client state and registration.
 */

#ifndef __EDGEAI_DRV_H__
#define __EDGEAI_DRV_H__

#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/xarray.h>

#include <drm/drm_device.h>
#include <drm/gpu_scheduler.h>

#include "edgeai_exec.h"
#include "edgeai_params.h"
#include "edgeai_sched.h"
#include "edgeai_share.h"

#define EDGEAI_DRIVER_NAME	"edgeai"

/**
 * struct edgeai_device - One virtual edge accelerator
 * @drm: the DRM device, registered as an accel node
 * @limits: limits taken from the module parameters when the device was created
 * @mem_lock: protects @mem_used and every client's &edgeai_file.mem_used
 * @mem_used: bytes of BOs alive on the device, each counted once
 * @share: the named shared buffers
 * @sched: the one scheduler that feeds the executor
 * @fence_context: dma-fence context of the executor's job fences
 * @fence_lock: lock of those fences
 * @next_job_id: last job id handed out
 * @exec: the executor and the jobs it has to run
 * @route: routing counters, averages and recent decisions
 */
struct edgeai_device {
	struct drm_device drm;
	struct edgeai_limits limits;
	spinlock_t mem_lock;
	u64 mem_used;
	struct edgeai_share share;
	struct drm_gpu_scheduler sched;
	u64 fence_context;
	spinlock_t fence_lock;
	atomic64_t next_job_id;
	struct edgeai_exec exec;
	struct edgeai_route route;
};

/**
 * struct edgeai_file - State of one client (one open file)
 * @ref: held by the file and by every BO charged to it and job it submitted
 * @edev: the device
 * @mem_used: bytes of BOs charged to this client, under &edgeai_device.mem_lock
 * @lock: serializes queue creation, destruction and submission
 * @queues: the client's queues by id
 * @queue_count: number of entries in @queues
 * @jobs: finished fences of the jobs not yet reported by a wait, by job id
 * @jobs_tracked: number of entries in @jobs
 * @jobs_submitted: jobs submitted
 * @jobs_completed: jobs that ended with status 0
 * @jobs_failed: jobs that ended with an error
 * @busy_ns: device time of the client's jobs, as the executor reported it
 */
struct edgeai_file {
	struct kref ref;
	struct edgeai_device *edev;
	u64 mem_used;
	struct mutex lock;
	struct xarray queues;
	u32 queue_count;
	struct xarray jobs;
	atomic_t jobs_tracked;
	atomic64_t jobs_submitted;
	atomic64_t jobs_completed;
	atomic64_t jobs_failed;
	atomic64_t busy_ns;
};

static inline struct edgeai_device *to_edgeai_device(struct drm_device *drm)
{
	return container_of(drm, struct edgeai_device, drm);
}

void edgeai_file_get(struct edgeai_file *efile);
void edgeai_file_put(struct edgeai_file *efile);

#endif /* __EDGEAI_DRV_H__ */

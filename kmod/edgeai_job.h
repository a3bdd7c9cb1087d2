/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * edgeai jobs: submission, the scheduler that runs them, and waiting.
 */

#ifndef __EDGEAI_JOB_H__
#define __EDGEAI_JOB_H__

#include <linux/jiffies.h>
#include <linux/list.h>
#include <linux/sched.h>

#include <drm/gpu_scheduler.h>

struct drm_device;
struct drm_file;
struct drm_gem_object;
struct edgeai_device;
struct edgeai_file;
struct edgeai_queue;

/**
 * enum edgeai_job_state - Where a job is, under &edgeai_exec.lock
 * @EDGEAI_JOB_NEW: not yet handed to the executor interface
 * @EDGEAI_JOB_WAITING: run by the scheduler, waiting to be fetched
 * @EDGEAI_JOB_HELD: fetched by the executor
 * @EDGEAI_JOB_ENDED: its fence has been or is being signalled
 */
enum edgeai_job_state {
	EDGEAI_JOB_NEW,
	EDGEAI_JOB_WAITING,
	EDGEAI_JOB_HELD,
	EDGEAI_JOB_ENDED,
};

/**
 * struct edgeai_job - One submitted job
 * @base: the scheduler's job
 * @id: device-wide id
 * @client: the client that submitted it
 * @queue: the queue it was submitted to
 * @priority: the queue's priority
 * @cmd_bo: the BO with the command stream
 * @cmd_offset: start of the command stream in @cmd_bo
 * @cmd_size: size of the command stream
 * @bos: the BOs the job uses
 * @bo_count: number of entries in @bos
 * @exec_handles: while held, the executor's handles to @cmd_bo and @bos
 * @done: the fence the executor's completion signals; initialized when the
 *	scheduler runs the job
 * @exec_link: entry in the executor interface's lists
 * @state: where the job is
 * @deadline: jiffies at which the job fails with -ETIMEDOUT
 * @model_id: model the job runs, for the routing averages
 * @device_time_ns: device time the executor reported on completion
 */
struct edgeai_job {
	struct drm_sched_job base;
	u64 id;
	struct edgeai_file *client;
	struct edgeai_queue *queue;
	u32 priority;
	struct drm_gem_object *cmd_bo;
	u64 cmd_offset;
	u64 cmd_size;
	struct drm_gem_object **bos;
	u32 bo_count;
	u32 *exec_handles;
	struct dma_fence *done;
	struct list_head exec_link;
	enum edgeai_job_state state;
	unsigned long deadline;
	u32 model_id;
	u64 device_time_ns;
};

/* A relative timeout from userspace in jiffies; @ns >= 0. */
static inline long edgeai_timeout_jiffies(s64 ns)
{
	u64 j;

	if (!ns)
		return 0;
	j = nsecs_to_jiffies64(ns);
	return j >= MAX_SCHEDULE_TIMEOUT ? MAX_SCHEDULE_TIMEOUT : (long)j + 1;
}

int edgeai_job_sched_init(struct edgeai_device *edev);
void edgeai_job_sched_fini(struct edgeai_device *edev);
void edgeai_job_end(struct edgeai_job *job, int status);
void edgeai_job_forget_all(struct edgeai_file *efile);
int edgeai_submit_ioctl(struct drm_device *dev, void *data,
			struct drm_file *file);
int edgeai_wait_ioctl(struct drm_device *dev, void *data,
		      struct drm_file *file);

#endif /* __EDGEAI_JOB_H__ */

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * edgeai executor interface: the userspace process that plays the
 * accelerator's firmware attaches, fetches the jobs the scheduler runs and
 * completes them.
 */

#ifndef __EDGEAI_EXEC_H__
#define __EDGEAI_EXEC_H__

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "edgeai_accel.h"

struct drm_device;
struct drm_file;
struct edgeai_file;
struct edgeai_job;
struct pid;

/**
 * struct edgeai_exec - The executor and the jobs it is given
 * @lock: protects everything below but @epoch, @wq and @sweep, and every job's
 *	&edgeai_job.state, &edgeai_job.exec_link and &edgeai_job.exec_handles
 * @file: the attached executor's file, or NULL
 * @pid: process that attached @file
 * @waiting: jobs run by the scheduler and not yet fetched, by priority
 * @held: jobs fetched and not yet ended
 * @waiting_count: number of jobs in @waiting
 * @held_count: number of jobs in @held
 * @epoch: attaches that succeeded since load (%EDGEAI_PARAM_EXEC_EPOCH); an
 *	atomic: clients read it after each job, without taking @lock
 * @timeout: jiffies a job may take from reaching @waiting to its end
 * @wq: where fetches wait for jobs and poll() for EPOLLIN
 * @sweep: fails the jobs past their deadline
 */
struct edgeai_exec {
	struct mutex lock;
	struct drm_file *file;
	struct pid *pid;
	struct list_head waiting[EDGEAI_PRIORITY_COUNT];
	struct list_head held;
	u32 waiting_count;
	u32 held_count;
	atomic64_t epoch;
	unsigned long timeout;
	wait_queue_head_t wq;
	struct delayed_work sweep;
};

void edgeai_exec_init(struct edgeai_exec *exec, unsigned int timeout_ms);
void edgeai_exec_fini(struct edgeai_exec *exec);
u64 edgeai_exec_epoch(struct edgeai_exec *exec);
bool edgeai_exec_is_executor(struct edgeai_exec *exec, struct drm_file *file);
void edgeai_exec_push(struct edgeai_exec *exec, struct edgeai_job *job);
void edgeai_exec_cancel_client(struct edgeai_exec *exec,
			       struct edgeai_file *efile);
void edgeai_exec_release(struct edgeai_exec *exec, struct drm_file *file);
__poll_t edgeai_exec_poll(struct edgeai_exec *exec, struct file *filp,
			  poll_table *wait);
int edgeai_exec_attach_ioctl(struct drm_device *dev, void *data,
			     struct drm_file *file);
int edgeai_exec_fetch_ioctl(struct drm_device *dev, void *data,
			    struct drm_file *file);
int edgeai_exec_complete_ioctl(struct drm_device *dev, void *data,
			       struct drm_file *file);

#endif /* __EDGEAI_EXEC_H__ */

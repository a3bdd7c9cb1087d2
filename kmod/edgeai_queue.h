/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * edgeai job queues: one drm_sched entity per queue, with the queue's
 * priority, all feeding the device's one scheduler.
 */

#ifndef __EDGEAI_QUEUE_H__
#define __EDGEAI_QUEUE_H__

#include <linux/atomic.h>
#include <linux/kref.h>

#include <drm/gpu_scheduler.h>

struct drm_device;
struct drm_file;
struct edgeai_file;

/**
 * struct edgeai_queue - One job queue of a client
 * @ref: held by the client's queue table and by every job of the queue
 * @entity: the scheduler entity the queue's jobs go through
 * @id: id of the queue in its client's table
 * @priority: EDGEAI_PRIORITY_* value
 * @unfinished: jobs submitted to the queue that have not ended
 */
struct edgeai_queue {
	struct kref ref;
	struct drm_sched_entity entity;
	u32 id;
	u32 priority;
	atomic_t unfinished;
};

struct edgeai_queue *edgeai_queue_get(struct edgeai_file *efile, u32 id);
void edgeai_queue_put(struct edgeai_queue *queue);
void edgeai_queue_destroy_all(struct edgeai_file *efile);
int edgeai_queue_create_ioctl(struct drm_device *dev, void *data,
			      struct drm_file *file);
int edgeai_queue_destroy_ioctl(struct drm_device *dev, void *data,
			       struct drm_file *file);

#endif /* __EDGEAI_QUEUE_H__ */

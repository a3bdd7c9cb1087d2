// SPDX-License-Identifier: GPL-2.0-only
/*
 * Job queues.  A queue is a drm_sched entity on the device's scheduler at
 * the run queue of its priority.  Its memory lives while a job refers to
 * it, but its entity is torn down when it is destroyed, which the client
 * may do only once every job of the queue has ended.
 */

#include <linux/capability.h>
#include <linux/slab.h>

#include <drm/drm_file.h>

#include "edgeai_accel.h"
#include "edgeai_drv.h"
#include "edgeai_queue.h"

static const enum drm_sched_priority edgeai_queue_sched_priority[] = {
	[EDGEAI_PRIORITY_LOW] = DRM_SCHED_PRIORITY_LOW,
	[EDGEAI_PRIORITY_NORMAL] = DRM_SCHED_PRIORITY_NORMAL,
	[EDGEAI_PRIORITY_HIGH] = DRM_SCHED_PRIORITY_HIGH,
	[EDGEAI_PRIORITY_REALTIME] = DRM_SCHED_PRIORITY_KERNEL,
};

static void edgeai_queue_free(struct kref *ref)
{
	kfree(container_of(ref, struct edgeai_queue, ref));
}

/**
 * edgeai_queue_put() - Drop a reference to a queue
 * @queue: the queue
 */
void edgeai_queue_put(struct edgeai_queue *queue)
{
	kref_put(&queue->ref, edgeai_queue_free);
}

/**
 * edgeai_queue_get() - Look up a queue of a client
 * @efile: the client, whose lock the caller holds
 * @id: id of the queue
 *
 * Return: the queue with a reference, or NULL.
 */
struct edgeai_queue *edgeai_queue_get(struct edgeai_file *efile, u32 id)
{
	struct edgeai_queue *queue;

	lockdep_assert_held(&efile->lock);
	queue = xa_load(&efile->queues, id);
	if (queue)
		kref_get(&queue->ref);
	return queue;
}

static struct edgeai_queue *edgeai_queue_new(struct edgeai_device *edev,
					     u32 priority)
{
	struct drm_gpu_scheduler *sched = &edev->sched;
	struct edgeai_queue *queue;
	int ret;

	queue = kzalloc(sizeof(*queue), GFP_KERNEL);
	if (!queue)
		return ERR_PTR(-ENOMEM);
	kref_init(&queue->ref);
	queue->priority = priority;
	ret = drm_sched_entity_init(&queue->entity,
				    edgeai_queue_sched_priority[priority],
				    &sched, 1, NULL);
	if (ret) {
		kfree(queue);
		return ERR_PTR(ret);
	}
	return queue;
}

static int edgeai_queue_add(struct edgeai_file *efile, u32 priority, u32 *id)
{
	struct edgeai_queue *queue;
	int ret;

	mutex_lock(&efile->lock);
	if (efile->queue_count >= efile->edev->limits.max_queues) {
		ret = -ENOSPC;
		goto unlock;
	}
	queue = edgeai_queue_new(efile->edev, priority);
	if (IS_ERR(queue)) {
		ret = PTR_ERR(queue);
		goto unlock;
	}
	ret = xa_alloc(&efile->queues, &queue->id, queue, xa_limit_32b,
		       GFP_KERNEL);
	if (ret) {
		drm_sched_entity_destroy(&queue->entity);
		edgeai_queue_put(queue);
		goto unlock;
	}
	efile->queue_count++;
	*id = queue->id;
unlock:
	mutex_unlock(&efile->lock);
	return ret;
}

static void edgeai_queue_remove(struct edgeai_file *efile,
				struct edgeai_queue *queue)
{
	xa_erase(&efile->queues, queue->id);
	efile->queue_count--;
	drm_sched_entity_destroy(&queue->entity);
	edgeai_queue_put(queue);
}

/**
 * edgeai_queue_destroy_all() - Destroy every queue of a closing client
 * @efile: the client
 *
 * Jobs still in a queue are handed to the scheduler first (the wait is
 * bounded by drm_sched_entity_destroy()); jobs already handed over keep
 * running and end as usual.
 */
void edgeai_queue_destroy_all(struct edgeai_file *efile)
{
	struct edgeai_queue *queue;
	unsigned long id;

	mutex_lock(&efile->lock);
	xa_for_each(&efile->queues, id, queue)
		edgeai_queue_remove(efile, queue);
	mutex_unlock(&efile->lock);
}

/**
 * edgeai_queue_create_ioctl() - DRM_IOCTL_EDGEAI_QUEUE_CREATE
 * @dev: the device
 * @data: struct drm_edgeai_queue_create
 * @file: the caller's file
 *
 * Return: 0 with the new queue's id, or a negative errno.
 */
int edgeai_queue_create_ioctl(struct drm_device *dev, void *data,
			      struct drm_file *file)
{
	struct drm_edgeai_queue_create *args = data;

	if (args->flags || args->pad || args->priority >= EDGEAI_PRIORITY_COUNT)
		return -EINVAL;
	if (args->priority == EDGEAI_PRIORITY_REALTIME && !capable(CAP_SYS_NICE))
		return -EPERM;
	return edgeai_queue_add(file->driver_priv, args->priority,
				&args->queue_id);
}

/**
 * edgeai_queue_destroy_ioctl() - DRM_IOCTL_EDGEAI_QUEUE_DESTROY
 * @dev: the device
 * @data: struct drm_edgeai_queue_destroy
 * @file: the caller's file
 *
 * Return: 0, -EINVAL for a non-zero pad, -ENOENT for an unknown queue,
 * -EBUSY while the queue has unfinished jobs.
 */
int edgeai_queue_destroy_ioctl(struct drm_device *dev, void *data,
			       struct drm_file *file)
{
	struct drm_edgeai_queue_destroy *args = data;
	struct edgeai_file *efile = file->driver_priv;
	struct edgeai_queue *queue;
	int ret = 0;

	if (args->pad)
		return -EINVAL;
	mutex_lock(&efile->lock);
	queue = xa_load(&efile->queues, args->queue_id);
	if (!queue)
		ret = -ENOENT;
	else if (atomic_read(&queue->unfinished))
		ret = -EBUSY;
	else
		edgeai_queue_remove(efile, queue);
	mutex_unlock(&efile->lock);
	return ret;
}

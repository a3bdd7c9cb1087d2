// SPDX-License-Identifier: GPL-2.0-only
/*
 * Jobs.  SUBMIT looks up what the job names, adds its input fences as
 * scheduler dependencies and pushes it to its queue's entity.  When the
 * scheduler runs it, the job goes to the executor interface (edgeai_exec.c)
 * and the scheduler waits on the job's done fence, which the executor's
 * completion, a timeout or a cancellation signals.
 *
 * Timeouts are not left to drm_sched: its timer covers the oldest job of
 * the whole scheduler and restarts whenever a job starts, so under steady
 * load a stuck job would never expire.  The executor interface gives each
 * job its own deadline instead.
 */

#include <linux/dma-fence.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_syncobj.h>

#include "edgeai_accel.h"
#include "edgeai_drv.h"
#include "edgeai_exec.h"
#include "edgeai_sched.h"
#include "edgeai_job.h"
#include "edgeai_queue.h"
#include "edgeai_trace.h"

/* Jobs the executor may hold or have waiting, summed over all clients. */
#define EDGEAI_SCHED_CREDITS		4096
/* Jobs a client may have that it has not waited for. */
#define EDGEAI_MAX_TRACKED_JOBS		65536

static inline struct edgeai_job *to_edgeai_job(struct drm_sched_job *sched_job)
{
	return container_of(sched_job, struct edgeai_job, base);
}

static const char *edgeai_fence_driver_name(struct dma_fence *fence)
{
	return "edgeai";
}

static const char *edgeai_fence_timeline_name(struct dma_fence *fence)
{
	return "edgeai-exec";
}

static const struct dma_fence_ops edgeai_fence_ops = {
	.get_driver_name = edgeai_fence_driver_name,
	.get_timeline_name = edgeai_fence_timeline_name,
};

/**
 * edgeai_job_end() - Signal a job's done fence with its status
 * @job: a job that its caller has taken out of the executor's lists
 * @status: 0 or a negative errno
 *
 * The scheduler may free @job as soon as this returns.
 */
void edgeai_job_end(struct edgeai_job *job, int status)
{
	struct edgeai_file *client = job->client;

	atomic_dec(&job->queue->unfinished);
	trace_edgeai_job_done(job->id, status, status ? 0 : job->device_time_ns);
	edgeai_sched_job_ended(client->edev, job, status);
	atomic64_inc(status ? &client->jobs_failed : &client->jobs_completed);
	if (status)
		dma_fence_set_error(job->done, status);
	dma_fence_signal(job->done);
}

static void edgeai_job_free(struct edgeai_job *job)
{
	u32 i;

	if (job->base.s_fence)
		drm_sched_job_cleanup(&job->base);
	for (i = 0; job->bos && i < job->bo_count; i++)
		if (job->bos[i])
			drm_gem_object_put(job->bos[i]);
	kvfree(job->bos);
	if (job->cmd_bo)
		drm_gem_object_put(job->cmd_bo);
	if (job->done && job->done->ops)
		dma_fence_put(job->done);
	else
		kfree(job->done);
	if (job->queue)
		edgeai_queue_put(job->queue);
	kfree(job->exec_handles);
	edgeai_file_put(job->client);
	kfree(job);
}

static struct dma_fence *edgeai_job_run(struct drm_sched_job *sched_job)
{
	struct edgeai_job *job = to_edgeai_job(sched_job);
	struct edgeai_device *edev = job->client->edev;
	int error = sched_job->s_fence->finished.error;

	dma_fence_init(job->done, &edgeai_fence_ops, &edev->fence_lock,
		       edev->fence_context, job->id);
	trace_edgeai_job_schedule(job->id, job->model_id, job->priority);
	if (unlikely(error)) {
		job->state = EDGEAI_JOB_ENDED;
		edgeai_job_end(job, error);
	} else {
		edgeai_exec_push(&edev->exec, job);
	}
	return dma_fence_get(job->done);
}

static void edgeai_job_free_sched(struct drm_sched_job *sched_job)
{
	edgeai_job_free(to_edgeai_job(sched_job));
}

static const struct drm_sched_backend_ops edgeai_sched_ops = {
	.run_job = edgeai_job_run,
	.free_job = edgeai_job_free_sched,
};

/**
 * edgeai_job_sched_init() - Start the device's scheduler
 * @edev: the device
 *
 * Return: 0 or a negative errno.
 */
int edgeai_job_sched_init(struct edgeai_device *edev)
{
	const struct drm_sched_init_args args = {
		.ops = &edgeai_sched_ops,
		.num_rqs = DRM_SCHED_PRIORITY_COUNT,
		.credit_limit = EDGEAI_SCHED_CREDITS,
		.timeout = MAX_SCHEDULE_TIMEOUT,
		.name = "edgeai",
		.dev = edev->drm.dev,
	};

	edev->fence_context = dma_fence_context_alloc(1);
	spin_lock_init(&edev->fence_lock);
	return drm_sched_init(&edev->sched, &args);
}

/**
 * edgeai_job_sched_fini() - Stop the device's scheduler
 * @edev: the device, with no client left
 */
void edgeai_job_sched_fini(struct edgeai_device *edev)
{
	drm_sched_fini(&edev->sched);
}

static struct edgeai_job *edgeai_job_alloc(struct edgeai_file *efile,
					   u32 bo_count)
{
	struct edgeai_job *job;

	job = kzalloc(sizeof(*job), GFP_KERNEL);
	if (!job)
		return NULL;
	edgeai_file_get(efile);
	job->client = efile;
	INIT_LIST_HEAD(&job->exec_link);
	job->done = kzalloc(sizeof(*job->done), GFP_KERNEL);
	job->exec_handles = kcalloc(bo_count + 1, sizeof(u32), GFP_KERNEL);
	if (!job->done || !job->exec_handles) {
		edgeai_job_free(job);
		return NULL;
	}
	return job;
}

static int edgeai_job_lookup_cmd(struct edgeai_job *job, struct drm_file *file,
				 const struct drm_edgeai_submit *args)
{
	u64 end;

	job->cmd_bo = drm_gem_object_lookup(file, args->cmd_handle);
	if (!job->cmd_bo)
		return -ENOENT;
	if (check_add_overflow(args->cmd_offset, args->cmd_size, &end) ||
	    end > job->cmd_bo->size)
		return -EINVAL;
	job->cmd_offset = args->cmd_offset;
	job->cmd_size = args->cmd_size;
	return 0;
}

static int edgeai_job_lookup_bos(struct edgeai_job *job, struct drm_file *file,
				 const struct drm_edgeai_submit *args)
{
	job->bo_count = args->bo_count;
	return drm_gem_objects_lookup(file, u64_to_user_ptr(args->bo_handles),
				      args->bo_count, &job->bos);
}

/* Called with the job initialized on its queue's entity. */
static int edgeai_job_add_in_fences(struct edgeai_job *job,
				    struct drm_file *file,
				    const struct drm_edgeai_submit *args)
{
	u32 handles[EDGEAI_MAX_IN_SYNCOBJS];
	u32 i;
	int ret;

	if (copy_from_user(handles, u64_to_user_ptr(args->in_syncobjs),
			   args->in_syncobj_count * sizeof(u32)))
		return -EFAULT;
	for (i = 0; i < args->in_syncobj_count; i++) {
		ret = drm_sched_job_add_syncobj_dependency(&job->base, file,
							   handles[i], 0);
		if (ret)
			return ret;
	}
	return 0;
}

/* Reserves the job's entry for WAIT, so storing it later cannot fail. */
static int edgeai_job_track_reserve(struct edgeai_file *efile,
				    struct edgeai_job *job)
{
	int ret;

	if (atomic_inc_return(&efile->jobs_tracked) > EDGEAI_MAX_TRACKED_JOBS) {
		atomic_dec(&efile->jobs_tracked);
		return -EBUSY;
	}
	ret = xa_reserve(&efile->jobs, job->id, GFP_KERNEL);
	if (ret)
		atomic_dec(&efile->jobs_tracked);
	return ret;
}

/* The point of no return: arm the job, publish its fence, hand it over. */
static void edgeai_job_push(struct edgeai_file *efile, struct edgeai_job *job,
			    bool tracked, struct drm_syncobj *out)
{
	struct dma_fence *finished;

	drm_sched_job_arm(&job->base);
	finished = &job->base.s_fence->finished;
	if (tracked)
		xa_store(&efile->jobs, job->id, dma_fence_get(finished),
			 GFP_NOWAIT);
	if (out)
		drm_syncobj_replace_fence(out, finished);
	atomic_inc(&job->queue->unfinished);
	trace_edgeai_job_submit(job->id, job->model_id, job->priority);
	edgeai_sched_job_queued(efile->edev, job);
	atomic64_inc(&efile->jobs_submitted);
	drm_sched_entity_push_job(&job->base);
}

/* On success the job belongs to the scheduler and may be gone already. */
static int edgeai_job_queue(struct edgeai_job *job, struct drm_file *file,
			    struct drm_edgeai_submit *args)
{
	bool tracked = !(args->flags & EDGEAI_SUBMIT_UNTRACKED);
	struct edgeai_file *efile = file->driver_priv;
	struct drm_syncobj *out = NULL;
	int ret;

	job->queue = edgeai_queue_get(efile, args->queue_id);
	if (!job->queue)
		return -ENOENT;
	job->priority = job->queue->priority;
	job->model_id = args->model_id;
	ret = drm_sched_job_init(&job->base, &job->queue->entity, 1, efile,
				 file->client_id);
	if (ret)
		return ret;
	ret = edgeai_job_add_in_fences(job, file, args);
	if (ret)
		return ret;
	if (args->out_syncobj) {
		out = drm_syncobj_find(file, args->out_syncobj);
		if (!out)
			return -ENOENT;
	}
	job->id = atomic64_inc_return(&efile->edev->next_job_id);
	ret = tracked ? edgeai_job_track_reserve(efile, job) : 0;
	if (!ret) {
		args->job_id = job->id;
		edgeai_job_push(efile, job, tracked, out);
	}
	if (out)
		drm_syncobj_put(out);
	return ret;
}

static int edgeai_job_submit(struct drm_file *file,
			     struct drm_edgeai_submit *args)
{
	struct edgeai_file *efile = file->driver_priv;
	struct edgeai_job *job;
	int ret;

	job = edgeai_job_alloc(efile, args->bo_count);
	if (!job)
		return -ENOMEM;
	ret = edgeai_job_lookup_cmd(job, file, args);
	if (!ret)
		ret = edgeai_job_lookup_bos(job, file, args);
	if (ret)
		goto err_free;

	mutex_lock(&efile->lock);
	ret = edgeai_job_queue(job, file, args);
	mutex_unlock(&efile->lock);
	if (ret)
		goto err_free;
	return 0;

err_free:
	edgeai_job_free(job);
	return ret;
}

/**
 * edgeai_submit_ioctl() - DRM_IOCTL_EDGEAI_SUBMIT
 * @dev: the device
 * @data: struct drm_edgeai_submit
 * @file: the caller's file
 *
 * Return: 0 with the job's id, or a negative errno (see the uapi header).
 */
int edgeai_submit_ioctl(struct drm_device *dev, void *data,
			struct drm_file *file)
{
	struct drm_edgeai_submit *args = data;

	if (args->flags & ~EDGEAI_SUBMIT_FLAGS)
		return -EINVAL;
	if (!args->cmd_size || !IS_ALIGNED(args->cmd_offset, EDGEAI_CMD_ALIGN) ||
	    !IS_ALIGNED(args->cmd_size, EDGEAI_CMD_ALIGN))
		return -EINVAL;
	if (args->bo_count > EDGEAI_MAX_JOB_BOS ||
	    args->in_syncobj_count > EDGEAI_MAX_IN_SYNCOBJS)
		return -EINVAL;
	if (args->model_id >= EDGEAI_MODEL_COUNT || args->pad2)
		return -EINVAL;
	return edgeai_job_submit(file, args);
}

static struct dma_fence *edgeai_wait_fence(struct drm_file *file,
					   const struct drm_edgeai_wait *args)
{
	struct edgeai_file *efile = file->driver_priv;
	struct dma_fence *fence;

	if (!args->job_id)
		return drm_syncobj_find_fence(file, args->syncobj, 0, 0, &fence) ?
		       ERR_PTR(-ENOENT) : fence;

	xa_lock(&efile->jobs);
	fence = dma_fence_get(xa_load(&efile->jobs, args->job_id));
	xa_unlock(&efile->jobs);
	return fence ?: ERR_PTR(-ENOENT);
}

static void edgeai_job_forget(struct edgeai_file *efile, u64 id)
{
	struct dma_fence *fence = xa_erase(&efile->jobs, id);

	if (fence) {
		dma_fence_put(fence);
		atomic_dec(&efile->jobs_tracked);
	}
}

/**
 * edgeai_job_forget_all() - Drop the jobs a closing client did not wait for
 * @efile: the client
 */
void edgeai_job_forget_all(struct edgeai_file *efile)
{
	struct dma_fence *fence;
	unsigned long id;

	xa_for_each(&efile->jobs, id, fence)
		edgeai_job_forget(efile, id);
	xa_destroy(&efile->jobs);
}

static int edgeai_wait(struct drm_file *file, struct drm_edgeai_wait *args)
{
	struct dma_fence *fence;
	long left;

	fence = edgeai_wait_fence(file, args);
	if (IS_ERR(fence))
		return PTR_ERR(fence);
	left = 1;
	if (!dma_fence_is_signaled(fence))
		left = args->timeout_ns ?
		       dma_fence_wait_timeout(fence, true,
					      edgeai_timeout_jiffies(args->timeout_ns)) : 0;
	if (left > 0) {
		args->status = min(dma_fence_get_status(fence), 0);
		if (args->job_id)
			edgeai_job_forget(file->driver_priv, args->job_id);
	}
	dma_fence_put(fence);
	if (!left)
		return -ETIME;
	return left < 0 ? left : 0;
}

/**
 * edgeai_wait_ioctl() - DRM_IOCTL_EDGEAI_WAIT
 * @dev: the device
 * @data: struct drm_edgeai_wait
 * @file: the caller's file
 *
 * Return: 0 with the job's status, or a negative errno (see the uapi header).
 */
int edgeai_wait_ioctl(struct drm_device *dev, void *data,
		      struct drm_file *file)
{
	struct drm_edgeai_wait *args = data;

	if (args->flags || args->pad || args->timeout_ns < 0 ||
	    !args->job_id == !args->syncobj)
		return -EINVAL;
	return edgeai_wait(file, args);
}

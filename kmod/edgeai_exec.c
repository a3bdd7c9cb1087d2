// SPDX-License-Identifier: GPL-2.0-only
/*
 * The executor interface.  Jobs the scheduler runs wait here, by priority,
 * until the attached executor fetches them; a fetched job is held until
 * the executor completes it.  Every job ends exactly once: whoever takes it
 * out of these lists under the lock (completion, the deadline sweep, the
 * executor's exit, its client's exit) signals its done fence, after
 * dropping the lock.
 */

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/pid.h>
#include <linux/uaccess.h>

#include <drm/drm_file.h>
#include <drm/drm_gem.h>

#include "edgeai_accel.h"
#include "edgeai_drv.h"
#include "edgeai_exec.h"
#include "edgeai_job.h"
#include "edgeai_params.h"
#include "edgeai_trace.h"

static void edgeai_exec_sweep(struct work_struct *work);

/**
 * edgeai_exec_init() - Start with no executor and no job
 * @exec: the executor interface
 * @timeout_ms: time a job may take once the scheduler has run it
 */
void edgeai_exec_init(struct edgeai_exec *exec, unsigned int timeout_ms)
{
	int prio;

	mutex_init(&exec->lock);
	for (prio = 0; prio < EDGEAI_PRIORITY_COUNT; prio++)
		INIT_LIST_HEAD(&exec->waiting[prio]);
	INIT_LIST_HEAD(&exec->held);
	atomic64_set(&exec->epoch, 0);
	exec->timeout = msecs_to_jiffies(timeout_ms);
	init_waitqueue_head(&exec->wq);
	INIT_DELAYED_WORK(&exec->sweep, edgeai_exec_sweep);
}

/**
 * edgeai_exec_fini() - Stop the deadline sweep
 * @exec: the executor interface, with no job left
 */
void edgeai_exec_fini(struct edgeai_exec *exec)
{
	cancel_delayed_work_sync(&exec->sweep);
}

/**
 * edgeai_exec_is_executor() - Whether a file is the attached executor
 * @exec: the executor interface
 * @file: the file
 *
 * Return: true when @file is attached as executor.
 */
bool edgeai_exec_is_executor(struct edgeai_exec *exec, struct drm_file *file)
{
	return READ_ONCE(exec->file) == file;
}

/* A job ends between 1 and 1.25 timeouts after it reached the executor. */
static void edgeai_exec_arm_sweep(struct edgeai_exec *exec)
{
	schedule_delayed_work(&exec->sweep, max(exec->timeout / 4, 1UL));
}

static void edgeai_exec_close_handles(struct edgeai_exec *exec,
				      struct edgeai_job *job)
{
	u32 i;

	for (i = 0; i <= job->bo_count; i++) {
		if (exec->file && job->exec_handles[i])
			drm_gem_handle_delete(exec->file, job->exec_handles[i]);
		job->exec_handles[i] = 0;
	}
}

/* Moves @job, waiting or held, to @ended; the caller then ends it. */
static void edgeai_exec_take(struct edgeai_exec *exec, struct edgeai_job *job,
			     struct list_head *ended)
{
	lockdep_assert_held(&exec->lock);
	if (job->state == EDGEAI_JOB_HELD) {
		edgeai_exec_close_handles(exec, job);
		exec->held_count--;
	} else {
		exec->waiting_count--;
	}
	job->state = EDGEAI_JOB_ENDED;
	list_move_tail(&job->exec_link, ended);
}

static void edgeai_exec_end_all(struct list_head *ended, int status)
{
	struct edgeai_job *job, *next;

	list_for_each_entry_safe(job, next, ended, exec_link) {
		list_del_init(&job->exec_link);
		edgeai_job_end(job, status);
	}
}

static void edgeai_exec_take_expired(struct edgeai_exec *exec,
				     struct list_head *jobs,
				     struct list_head *ended)
{
	struct edgeai_job *job, *next;

	list_for_each_entry_safe(job, next, jobs, exec_link)
		if (time_after_eq(jiffies, job->deadline))
			edgeai_exec_take(exec, job, ended);
}

static void edgeai_exec_sweep(struct work_struct *work)
{
	struct edgeai_exec *exec = container_of(to_delayed_work(work),
						struct edgeai_exec, sweep);
	LIST_HEAD(ended);
	int prio;

	mutex_lock(&exec->lock);
	for (prio = 0; prio < EDGEAI_PRIORITY_COUNT; prio++)
		edgeai_exec_take_expired(exec, &exec->waiting[prio], &ended);
	edgeai_exec_take_expired(exec, &exec->held, &ended);
	if (exec->waiting_count || exec->held_count)
		edgeai_exec_arm_sweep(exec);
	mutex_unlock(&exec->lock);
	edgeai_exec_end_all(&ended, -ETIMEDOUT);
}

/**
 * edgeai_exec_push() - Give the executor a job the scheduler runs
 * @exec: the executor interface
 * @job: the job; its deadline starts now
 */
void edgeai_exec_push(struct edgeai_exec *exec, struct edgeai_job *job)
{
	mutex_lock(&exec->lock);
	job->deadline = jiffies + exec->timeout;
	job->state = EDGEAI_JOB_WAITING;
	list_add_tail(&job->exec_link, &exec->waiting[job->priority]);
	exec->waiting_count++;
	edgeai_exec_arm_sweep(exec);
	mutex_unlock(&exec->lock);
	wake_up_interruptible(&exec->wq);
}

/**
 * edgeai_exec_cancel_client() - End a closing client's unfetched jobs
 * @exec: the executor interface
 * @efile: the client
 *
 * They end with -ECANCELED; jobs the executor holds run to their end.
 */
void edgeai_exec_cancel_client(struct edgeai_exec *exec,
			       struct edgeai_file *efile)
{
	struct edgeai_job *job, *next;
	LIST_HEAD(ended);
	int prio;

	mutex_lock(&exec->lock);
	for (prio = 0; prio < EDGEAI_PRIORITY_COUNT; prio++)
		list_for_each_entry_safe(job, next, &exec->waiting[prio],
					 exec_link)
			if (job->client == efile)
				edgeai_exec_take(exec, job, &ended);
	mutex_unlock(&exec->lock);
	edgeai_exec_end_all(&ended, -ECANCELED);
}

/**
 * edgeai_exec_release() - Detach a closing file if it is the executor
 * @exec: the executor interface
 * @file: the file, before its GEM handles are released
 *
 * The jobs it holds end with -EIO; waiting jobs wait for the next one.
 */
void edgeai_exec_release(struct edgeai_exec *exec, struct drm_file *file)
{
	struct edgeai_job *job, *next;
	LIST_HEAD(ended);

	mutex_lock(&exec->lock);
	if (exec->file != file) {
		mutex_unlock(&exec->lock);
		return;
	}
	WRITE_ONCE(exec->file, NULL);
	put_pid(exec->pid);
	exec->pid = NULL;
	list_for_each_entry_safe(job, next, &exec->held, exec_link)
		edgeai_exec_take(exec, job, &ended);
	mutex_unlock(&exec->lock);
	edgeai_exec_end_all(&ended, -EIO);
}

/**
 * edgeai_exec_poll() - poll() on a device file
 * @exec: the executor interface
 * @filp: the file
 * @wait: poll table
 *
 * Return: EPOLLIN when @filp is the executor and a job is waiting.
 */
__poll_t edgeai_exec_poll(struct edgeai_exec *exec, struct file *filp,
			  poll_table *wait)
{
	if (!edgeai_exec_is_executor(exec, filp->private_data))
		return 0;
	poll_wait(filp, &exec->wq, wait);
	return READ_ONCE(exec->waiting_count) ? EPOLLIN | EPOLLRDNORM : 0;
}

/**
 * edgeai_exec_epoch() - Number of attaches since load
 * @exec: the executor interface
 *
 * Return: the attaches that succeeded, %EDGEAI_PARAM_EXEC_EPOCH.
 */
u64 edgeai_exec_epoch(struct edgeai_exec *exec)
{
	return atomic64_read(&exec->epoch);
}

static bool edgeai_exec_permitted(void)
{
	kgid_t gid = edgeai_params_exec_gid();

	return capable(CAP_SYS_ADMIN) || (gid_valid(gid) && in_group_p(gid));
}

static int edgeai_exec_attach(struct edgeai_exec *exec, struct drm_file *file)
{
	int ret = 0;

	mutex_lock(&exec->lock);
	if (exec->file) {
		ret = -EBUSY;
	} else {
		WRITE_ONCE(exec->file, file);
		exec->pid = get_pid(task_tgid(current));
		atomic64_inc(&exec->epoch);
	}
	mutex_unlock(&exec->lock);
	return ret;
}

/**
 * edgeai_exec_attach_ioctl() - DRM_IOCTL_EDGEAI_EXEC_ATTACH
 * @dev: the device
 * @data: struct drm_edgeai_exec_attach
 * @file: the caller's file
 *
 * Return: 0, -EINVAL for a flag or pad, -EPERM without the right, -EBUSY
 * while an executor is attached.
 */
int edgeai_exec_attach_ioctl(struct drm_device *dev, void *data,
			     struct drm_file *file)
{
	struct drm_edgeai_exec_attach *args = data;

	if (args->flags || args->pad)
		return -EINVAL;
	if (!edgeai_exec_permitted())
		return -EPERM;
	return edgeai_exec_attach(&to_edgeai_device(dev)->exec, file);
}

static struct edgeai_job *edgeai_exec_next(struct edgeai_exec *exec)
{
	int prio;

	for (prio = EDGEAI_PRIORITY_COUNT - 1; prio >= 0; prio--)
		if (!list_empty(&exec->waiting[prio]))
			return list_first_entry(&exec->waiting[prio],
						struct edgeai_job, exec_link);
	return NULL;
}

static int edgeai_exec_open_handles(struct edgeai_exec *exec,
				    struct edgeai_job *job)
{
	u32 i;
	int ret;

	ret = drm_gem_handle_create(exec->file, job->cmd_bo,
				    &job->exec_handles[0]);
	for (i = 0; !ret && i < job->bo_count; i++)
		ret = drm_gem_handle_create(exec->file, job->bos[i],
					    &job->exec_handles[i + 1]);
	if (ret)
		edgeai_exec_close_handles(exec, job);
	return ret;
}

/* Return: the job now held, NULL when none is waiting, or an ERR_PTR. */
static struct edgeai_job *edgeai_exec_hand_over(struct edgeai_exec *exec,
						struct drm_file *file)
{
	struct edgeai_job *job;
	int ret;

	lockdep_assert_held(&exec->lock);
	if (exec->file != file)
		return ERR_PTR(-EPERM);
	job = edgeai_exec_next(exec);
	if (!job)
		return NULL;
	ret = edgeai_exec_open_handles(exec, job);
	if (ret)
		return ERR_PTR(ret);
	list_move_tail(&job->exec_link, &exec->held);
	exec->waiting_count--;
	exec->held_count++;
	job->state = EDGEAI_JOB_HELD;
	return job;
}

static void edgeai_exec_describe(const struct edgeai_job *job,
				 struct drm_edgeai_exec_fetch *args,
				 u32 *handles)
{
	args->job_id = job->id;
	args->cmd_offset = job->cmd_offset;
	args->cmd_size = job->cmd_size;
	args->cmd_handle = job->exec_handles[0];
	args->bo_count = job->bo_count;
	args->priority = job->priority;
	memcpy(handles, &job->exec_handles[1], job->bo_count * sizeof(u32));
}

static int edgeai_exec_fetch(struct edgeai_exec *exec, struct drm_file *file,
			     struct drm_edgeai_exec_fetch *args)
{
	long timeout = edgeai_timeout_jiffies(args->timeout_ns);
	u32 handles[EDGEAI_MAX_JOB_BOS];
	struct edgeai_job *job;

	for (;;) {
		mutex_lock(&exec->lock);
		job = edgeai_exec_hand_over(exec, file);
		if (!IS_ERR_OR_NULL(job)) {
			edgeai_exec_describe(job, args, handles);
			trace_edgeai_job_fetch(job->id, job->model_id, job->priority);
		}
		mutex_unlock(&exec->lock);
		if (job)
			break;
		if (!timeout)
			return -ETIME;
		timeout = wait_event_interruptible_timeout(exec->wq,
							   READ_ONCE(exec->waiting_count),
							   timeout);
		if (timeout < 0)
			return timeout;
	}
	if (IS_ERR(job))
		return PTR_ERR(job);
	if (copy_to_user(u64_to_user_ptr(args->bo_handles), handles,
			 args->bo_count * sizeof(u32)))
		return -EFAULT;
	return 0;
}

/**
 * edgeai_exec_fetch_ioctl() - DRM_IOCTL_EDGEAI_EXEC_FETCH
 * @dev: the device
 * @data: struct drm_edgeai_exec_fetch
 * @file: the caller's file
 *
 * Return: 0 with a job, or a negative errno (see the uapi header).
 */
int edgeai_exec_fetch_ioctl(struct drm_device *dev, void *data,
			    struct drm_file *file)
{
	struct drm_edgeai_exec_fetch *args = data;

	if (args->flags || args->pad || args->timeout_ns < 0 ||
	    args->bo_capacity < EDGEAI_MAX_JOB_BOS)
		return -EINVAL;
	return edgeai_exec_fetch(&to_edgeai_device(dev)->exec, file, args);
}

static struct edgeai_job *edgeai_exec_find_held(struct edgeai_exec *exec,
						u64 id)
{
	struct edgeai_job *job;

	list_for_each_entry(job, &exec->held, exec_link)
		if (job->id == id)
			return job;
	return NULL;
}

static int edgeai_exec_complete(struct edgeai_exec *exec, struct drm_file *file,
				const struct drm_edgeai_exec_complete *args)
{
	struct edgeai_job *job = NULL;
	LIST_HEAD(ended);
	int ret = 0;

	mutex_lock(&exec->lock);
	if (exec->file != file)
		ret = -EPERM;
	else
		job = edgeai_exec_find_held(exec, args->job_id);
	if (job)
		edgeai_exec_take(exec, job, &ended);
	else if (!ret)
		ret = -EINVAL;
	mutex_unlock(&exec->lock);
	if (ret)
		return ret;
	atomic64_add(args->device_time_ns, &job->client->busy_ns);
	job->device_time_ns = args->device_time_ns;
	edgeai_exec_end_all(&ended, args->status);
	return 0;
}

/**
 * edgeai_exec_complete_ioctl() - DRM_IOCTL_EDGEAI_EXEC_COMPLETE
 * @dev: the device
 * @data: struct drm_edgeai_exec_complete
 * @file: the caller's file
 *
 * Return: 0, -EPERM when @file is not the executor, -EINVAL for a flag, a
 * bad status or a job the executor does not hold.
 */
int edgeai_exec_complete_ioctl(struct drm_device *dev, void *data,
			       struct drm_file *file)
{
	struct drm_edgeai_exec_complete *args = data;

	if (args->flags || args->status > 0 || args->status < -MAX_ERRNO)
		return -EINVAL;
	return edgeai_exec_complete(&to_edgeai_device(dev)->exec, file, args);
}

/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * edgeai: a virtual edge accelerator exposed as a DRM accel device.
 */

#ifndef __UAPI_EDGEAI_ACCEL_H__
#define __UAPI_EDGEAI_ACCEL_H__

#include <drm/drm.h>

#if defined(__cplusplus)
extern "C" {
#endif

/**
 * DOC: device and ABI version
 *
 * The edgeai module registers one DRM accel device, normally
 * /dev/accel/accel0, whose DRM_IOCTL_VERSION name is "edgeai".
 *
 * The ABI described here carries a single version number, returned by
 * the %EDGEAI_PARAM_ABI_VERSION parameter.  It is raised whenever an
 * ioctl, a parameter or a field is added, so userspace can tell which
 * features a running module has.  Existing ioctls and fields never
 * change meaning: structures only grow by adding fields at their end,
 * and fields that a given version does not use must be zero.
 *
 * The DRM core copies an ioctl argument by the size encoded in the ioctl
 * number, not by the size the module expects: a shorter argument (from a
 * program built against an older header) is zero-extended, bytes past the
 * end of the structure the module knows are ignored, and nothing is
 * written back past the caller's size.  A field added later is therefore
 * defined so that zero keeps the behaviour of the version before it.
 */
#define EDGEAI_ABI_VERSION		4

#define DRM_EDGEAI_GET_PARAM		0x00
#define DRM_EDGEAI_BO_CREATE		0x01
#define DRM_EDGEAI_BO_INFO		0x02
#define DRM_EDGEAI_BO_PUBLISH		0x03
#define DRM_EDGEAI_BO_OPEN		0x04
#define DRM_EDGEAI_QUEUE_CREATE		0x05
#define DRM_EDGEAI_QUEUE_DESTROY	0x06
#define DRM_EDGEAI_SUBMIT		0x07
#define DRM_EDGEAI_WAIT			0x08
#define DRM_EDGEAI_EXEC_ATTACH		0x09
#define DRM_EDGEAI_EXEC_FETCH		0x0a
#define DRM_EDGEAI_EXEC_COMPLETE	0x0b
#define DRM_EDGEAI_ROUTE		0x0c

#define DRM_IOCTL_EDGEAI_GET_PARAM					\
	DRM_IOWR(DRM_COMMAND_BASE + DRM_EDGEAI_GET_PARAM,		\
		 struct drm_edgeai_get_param)
#define DRM_IOCTL_EDGEAI_BO_CREATE					\
	DRM_IOWR(DRM_COMMAND_BASE + DRM_EDGEAI_BO_CREATE,		\
		 struct drm_edgeai_bo_create)
#define DRM_IOCTL_EDGEAI_BO_INFO					\
	DRM_IOWR(DRM_COMMAND_BASE + DRM_EDGEAI_BO_INFO,			\
		 struct drm_edgeai_bo_info)
#define DRM_IOCTL_EDGEAI_BO_PUBLISH					\
	DRM_IOW(DRM_COMMAND_BASE + DRM_EDGEAI_BO_PUBLISH,		\
		struct drm_edgeai_bo_publish)
#define DRM_IOCTL_EDGEAI_BO_OPEN					\
	DRM_IOWR(DRM_COMMAND_BASE + DRM_EDGEAI_BO_OPEN,			\
		 struct drm_edgeai_bo_open)
#define DRM_IOCTL_EDGEAI_QUEUE_CREATE					\
	DRM_IOWR(DRM_COMMAND_BASE + DRM_EDGEAI_QUEUE_CREATE,		\
		 struct drm_edgeai_queue_create)
#define DRM_IOCTL_EDGEAI_QUEUE_DESTROY					\
	DRM_IOW(DRM_COMMAND_BASE + DRM_EDGEAI_QUEUE_DESTROY,		\
		struct drm_edgeai_queue_destroy)
#define DRM_IOCTL_EDGEAI_SUBMIT						\
	DRM_IOWR(DRM_COMMAND_BASE + DRM_EDGEAI_SUBMIT,			\
		 struct drm_edgeai_submit)
#define DRM_IOCTL_EDGEAI_WAIT						\
	DRM_IOWR(DRM_COMMAND_BASE + DRM_EDGEAI_WAIT,			\
		 struct drm_edgeai_wait)
#define DRM_IOCTL_EDGEAI_EXEC_ATTACH					\
	DRM_IOW(DRM_COMMAND_BASE + DRM_EDGEAI_EXEC_ATTACH,		\
		struct drm_edgeai_exec_attach)
#define DRM_IOCTL_EDGEAI_EXEC_FETCH					\
	DRM_IOWR(DRM_COMMAND_BASE + DRM_EDGEAI_EXEC_FETCH,		\
		 struct drm_edgeai_exec_fetch)
#define DRM_IOCTL_EDGEAI_EXEC_COMPLETE					\
	DRM_IOW(DRM_COMMAND_BASE + DRM_EDGEAI_EXEC_COMPLETE,		\
		struct drm_edgeai_exec_complete)
#define DRM_IOCTL_EDGEAI_ROUTE						\
	DRM_IOWR(DRM_COMMAND_BASE + DRM_EDGEAI_ROUTE,			\
		 struct drm_edgeai_route)

/**
 * DOC: parameters
 *
 * DRM_IOCTL_EDGEAI_GET_PARAM reads one device parameter.  Parameters are
 * numbered densely from 0 to %EDGEAI_PARAM_COUNT - 1, so userspace can
 * read all of them with a loop.  The limits are set when the module is
 * loaded (module parameters of the same names, visible under
 * /sys/module/edgeai/parameters/) and stay fixed while it is loaded.
 * The device's limits and its memory in use are also read-only files of
 * its sysfs group, /sys/class/accel/accelN/device/edgeai/: mem_limit,
 * client_quota, max_bo_size, max_queues, job_timeout_ms and mem_used.
 * Next to it, executor/ holds the executor's state (state, pid,
 * jobs_held, jobs_waiting, epoch) and queues/ the jobs submitted and not
 * ended at each priority (low, normal, high, realtime); every user may
 * read them (docs/edgeai.ko.md, SYSFS).
 *
 * %EDGEAI_PARAM_ABI_VERSION:
 *	ABI version implemented by the module (%EDGEAI_ABI_VERSION).
 *
 * %EDGEAI_PARAM_MEM_LIMIT:
 *	Accelerator memory the whole device may hold, in bytes, summed over
 *	all clients; a shared buffer is counted once.
 *
 * %EDGEAI_PARAM_CLIENT_QUOTA:
 *	Accelerator memory one open file (client) may hold, in bytes.
 *
 * %EDGEAI_PARAM_MAX_QUEUES:
 *	Number of job queues one client may create.
 *
 * %EDGEAI_PARAM_JOB_TIMEOUT_MS:
 *	Time a job may run before it fails with a timeout, in milliseconds.
 *
 * %EDGEAI_PARAM_MAX_BO_SIZE:
 *	Size of the largest single buffer object, in bytes.
 *
 * %EDGEAI_PARAM_MEM_USED (ABI version 2):
 *	Accelerator memory held right now by all clients together, in bytes;
 *	a shared buffer is counted once.  It changes as buffers come and go.
 *
 * %EDGEAI_PARAM_EXEC_EPOCH (ABI version 4):
 *	Number of times an executor has attached since the module was
 *	loaded: 0 before the first attach, raised by one at each
 *	DRM_IOCTL_EDGEAI_EXEC_ATTACH that succeeds.  An executor may keep
 *	copies of buffers in its own device memory (a discrete GPU); a new
 *	one starts without them, so state that jobs kept only there (a KV
 *	cache) is gone.  A client that reads a different value than when
 *	it built such state must build it again; one read after its job's
 *	fence has signalled tells whether that job may have run on a newer
 *	executor than the one before it.
 */
#define EDGEAI_PARAM_ABI_VERSION	0
#define EDGEAI_PARAM_MEM_LIMIT		1
#define EDGEAI_PARAM_CLIENT_QUOTA	2
#define EDGEAI_PARAM_MAX_QUEUES		3
#define EDGEAI_PARAM_JOB_TIMEOUT_MS	4
#define EDGEAI_PARAM_MAX_BO_SIZE	5
#define EDGEAI_PARAM_MEM_USED		6
#define EDGEAI_PARAM_EXEC_EPOCH		7

/* Number of parameters: every value below it is a valid parameter. */
#define EDGEAI_PARAM_COUNT		8

/**
 * struct drm_edgeai_get_param - Read one device parameter
 *
 * Argument of DRM_IOCTL_EDGEAI_GET_PARAM.  The ioctl fails with -EINVAL
 * when @param is not below %EDGEAI_PARAM_COUNT, when @flags holds any bit,
 * or when @pad is not zero.
 */
struct drm_edgeai_get_param {
	/**
	 * @param: [in] Parameter to read, one of the EDGEAI_PARAM_* values.
	 */
	__u32 param;

	/**
	 * @flags: [in] Must be zero; no flags are defined.
	 */
	__u32 flags;

	/**
	 * @value: [out] Value of the parameter.
	 */
	__u64 value;

	/**
	 * @pad: [in] Must be zero; reserved for later ABI versions.
	 */
	__u64 pad;
};

/**
 * DOC: buffer objects
 *
 * Accelerator memory is held in buffer objects (BOs), GEM objects backed
 * by shmem.  DRM_IOCTL_EDGEAI_BO_CREATE makes one and returns a GEM handle
 * local to the open file; DRM_IOCTL_GEM_CLOSE (from drm.h) drops the
 * handle, and the object is freed once no handle, dma-buf or job holds it.
 * DRM_IOCTL_EDGEAI_BO_INFO reports a BO's size, placement and the offset
 * to pass to mmap() on the device file.  DRM_IOCTL_PRIME_HANDLE_TO_FD and
 * DRM_IOCTL_PRIME_FD_TO_HANDLE (from drm.h) export and import dma-bufs.
 *
 * Sizes are rounded up to whole pages.  A BO is charged to the client that
 * created it: creating it fails with -EINVAL when its size is zero, when
 * rounding it up overflows or when it exceeds %EDGEAI_PARAM_MAX_BO_SIZE,
 * with -EDQUOT when the client would hold more than
 * %EDGEAI_PARAM_CLIENT_QUOTA and with -ENOSPC when the device would hold
 * more than %EDGEAI_PARAM_MEM_LIMIT.  Nothing is allocated when it fails.
 *
 * Placement flags:
 *
 * %EDGEAI_BO_HOST_VISIBLE:
 *	Clients may map the BO with mmap().  Without it only the executor
 *	may, and mmap() by a client fails with -EACCES.
 *
 * %EDGEAI_BO_DEVICE_RESIDENT:
 *	The BO's pages are allocated and pinned when it is created rather
 *	than on first use, and stay until it is freed.
 */
#define EDGEAI_BO_HOST_VISIBLE		(1u << 0)
#define EDGEAI_BO_DEVICE_RESIDENT	(1u << 1)
#define EDGEAI_BO_FLAGS			(EDGEAI_BO_HOST_VISIBLE | \
					 EDGEAI_BO_DEVICE_RESIDENT)

/**
 * struct drm_edgeai_bo_create - Create a buffer object
 *
 * Argument of DRM_IOCTL_EDGEAI_BO_CREATE.  Fails with -EINVAL for a flag
 * outside %EDGEAI_BO_FLAGS or a bad size (see "buffer objects").
 */
struct drm_edgeai_bo_create {
	/**
	 * @size: [in/out] Size wanted in bytes; on return, the size of the
	 * BO, rounded up to whole pages.
	 */
	__u64 size;

	/** @flags: [in] Placement, EDGEAI_BO_* flags. */
	__u32 flags;

	/** @handle: [out] GEM handle of the new BO. */
	__u32 handle;
};

/**
 * struct drm_edgeai_bo_info - Describe a buffer object
 *
 * Argument of DRM_IOCTL_EDGEAI_BO_INFO.  Fails with -ENOENT when @handle
 * names no BO of the caller's file, -EINVAL when @pad is not zero.
 */
struct drm_edgeai_bo_info {
	/** @handle: [in] GEM handle of the BO. */
	__u32 handle;

	/** @pad: [in] Must be zero. */
	__u32 pad;

	/** @size: [out] Size of the BO in bytes. */
	__u64 size;

	/** @mmap_offset: [out] Offset to give mmap() to map the BO. */
	__u64 mmap_offset;

	/**
	 * @flags: [out] Placement the BO was created with (EDGEAI_BO_*);
	 * zero for a BO imported from another device.
	 */
	__u32 flags;

	/** @pad2: [in] Must be zero. */
	__u32 pad2;
};

/**
 * DOC: named shared buffers
 *
 * Clients that use the same data (the weights of one model) share one BO:
 * a client publishes a BO under a key of %EDGEAI_SHARE_KEY_SIZE bytes with
 * DRM_IOCTL_EDGEAI_BO_PUBLISH, and any client gets a handle to the same
 * object with DRM_IOCTL_EDGEAI_BO_OPEN.  The BO stays charged to the client
 * that created it and counts once in %EDGEAI_PARAM_MEM_USED; the other
 * clients see it as shared memory in their fdinfo.  The name does not
 * keep the BO alive: once the last handle, dma-buf and job let go of it,
 * it is freed and its key is free again.
 *
 * A key of all zero bytes is invalid (-EINVAL).  Publishing fails with
 * -EEXIST when the key names another BO, and with -EBUSY when the BO is
 * already published under another key.  Opening an unknown key fails
 * with -ENOENT.
 */
#define EDGEAI_SHARE_KEY_SIZE		32

/**
 * struct drm_edgeai_bo_publish - Publish a buffer object under a key
 *
 * Argument of DRM_IOCTL_EDGEAI_BO_PUBLISH.
 */
struct drm_edgeai_bo_publish {
	/** @handle: [in] GEM handle of the BO to publish. */
	__u32 handle;

	/** @flags: [in] Must be zero. */
	__u32 flags;

	/** @key: [in] Name of the BO; not all zero. */
	__u8 key[EDGEAI_SHARE_KEY_SIZE];
};

/**
 * struct drm_edgeai_bo_open - Open a published buffer object
 *
 * Argument of DRM_IOCTL_EDGEAI_BO_OPEN.
 */
struct drm_edgeai_bo_open {
	/** @key: [in] Name the BO was published under. */
	__u8 key[EDGEAI_SHARE_KEY_SIZE];

	/** @flags: [in] Must be zero. */
	__u32 flags;

	/** @handle: [out] New GEM handle to the published BO. */
	__u32 handle;
};

/**
 * DOC: queues and jobs
 *
 * A client submits jobs to queues it creates with
 * DRM_IOCTL_EDGEAI_QUEUE_CREATE; at most %EDGEAI_PARAM_MAX_QUEUES each
 * (-ENOSPC past that).  Queue ids are local to the open file.  The jobs of
 * one queue run in order; among queues, the executor is given the job of
 * the highest priority first.  %EDGEAI_PRIORITY_REALTIME needs
 * CAP_SYS_NICE (-EPERM otherwise).  DRM_IOCTL_EDGEAI_QUEUE_DESTROY fails
 * with -EBUSY while the queue has unfinished jobs.
 *
 * A job (DRM_IOCTL_EDGEAI_SUBMIT) names its command stream, a range of a
 * BO, and the BOs it reads or writes; it holds all of them until it ends.
 * It starts once every input fence (drm_syncobj handles) has signalled,
 * and on its end the output syncobj, when given, is given its fence.
 * Each job has an id, unique on the device, that DRM_IOCTL_EDGEAI_WAIT
 * waits on; the accel node also supports the DRM_IOCTL_SYNCOBJ_* ioctls.
 *
 * A job ends with a status: 0 when the executor completed it, the
 * executor's negative errno when it failed it, -ETIMEDOUT when it did not
 * end within %EDGEAI_PARAM_JOB_TIMEOUT_MS of reaching the executor's
 * queue, -EIO when the executor holding it went away, -ECANCELED when its
 * client closed the device before the executor took it.
 */
#define EDGEAI_PRIORITY_LOW		0
#define EDGEAI_PRIORITY_NORMAL		1
#define EDGEAI_PRIORITY_HIGH		2
#define EDGEAI_PRIORITY_REALTIME	3
#define EDGEAI_PRIORITY_COUNT		4

/* The command stream's offset and size are multiples of this. */
#define EDGEAI_CMD_ALIGN		8
/* Most BOs one job may name in drm_edgeai_submit.bo_handles. */
#define EDGEAI_MAX_JOB_BOS		64
/* Most input fences of one job. */
#define EDGEAI_MAX_IN_SYNCOBJS		16

/**
 * struct drm_edgeai_queue_create - Create a job queue
 *
 * Argument of DRM_IOCTL_EDGEAI_QUEUE_CREATE.  Fails with -EINVAL for an
 * unknown priority, a flag or a non-zero pad.
 */
struct drm_edgeai_queue_create {
	/** @priority: [in] One of the EDGEAI_PRIORITY_* values. */
	__u32 priority;

	/** @flags: [in] Must be zero. */
	__u32 flags;

	/** @queue_id: [out] Id of the new queue, never zero. */
	__u32 queue_id;

	/** @pad: [in] Must be zero. */
	__u32 pad;
};

/**
 * struct drm_edgeai_queue_destroy - Destroy a job queue
 *
 * Argument of DRM_IOCTL_EDGEAI_QUEUE_DESTROY.  Fails with -ENOENT for a
 * queue the caller's file does not have.
 */
struct drm_edgeai_queue_destroy {
	/** @queue_id: [in] Queue to destroy. */
	__u32 queue_id;

	/** @pad: [in] Must be zero. */
	__u32 pad;
};

/*
 * The job gets no entry for DRM_IOCTL_EDGEAI_WAIT (whose callers use the
 * output syncobj instead); a client may have at most 65536 jobs that it
 * has not waited for otherwise (-EBUSY).
 */
#define EDGEAI_SUBMIT_UNTRACKED		(1u << 0)
#define EDGEAI_SUBMIT_FLAGS		EDGEAI_SUBMIT_UNTRACKED

/**
 * struct drm_edgeai_submit - Submit a job to a queue
 *
 * Argument of DRM_IOCTL_EDGEAI_SUBMIT.  Fails with -ENOENT for an unknown
 * queue, BO handle or syncobj handle, and with -EINVAL for an unknown
 * flag, a non-zero pad, a command range that is empty, misaligned (see
 * %EDGEAI_CMD_ALIGN) or outside its BO, or too many BOs or fences.
 */
struct drm_edgeai_submit {
	/** @queue_id: [in] Queue of the caller's file to run the job on. */
	__u32 queue_id;

	/** @flags: [in] EDGEAI_SUBMIT_* flags. */
	__u32 flags;

	/** @cmd_handle: [in] GEM handle of the BO with the command stream. */
	__u32 cmd_handle;

	/** @bo_count: [in] Number of handles at @bo_handles, at most 64. */
	__u32 bo_count;

	/** @cmd_offset: [in] Start of the command stream in its BO. */
	__u64 cmd_offset;

	/** @cmd_size: [in] Size of the command stream in bytes, not zero. */
	__u64 cmd_size;

	/** @bo_handles: [in] Pointer to an array of __u32 GEM handles. */
	__u64 bo_handles;

	/** @in_syncobjs: [in] Pointer to an array of __u32 syncobj handles. */
	__u64 in_syncobjs;

	/** @in_syncobj_count: [in] Number of handles at @in_syncobjs. */
	__u32 in_syncobj_count;

	/**
	 * @out_syncobj: [in] Syncobj that receives the job's fence, or 0
	 * for none.
	 */
	__u32 out_syncobj;

	/** @job_id: [out] Id of the new job, never zero. */
	__u64 job_id;

	/**
	 * @model_id: [in] (ABI version 3) Model the job runs, below
	 * %EDGEAI_MODEL_COUNT (-EINVAL otherwise); its device time feeds that
	 * model's moving average (see "routing").  0 for callers that do not
	 * say.
	 */
	__u32 model_id;

	/** @pad2: [in] Must be zero. */
	__u32 pad2;
};

/**
 * struct drm_edgeai_wait - Wait for a job or a syncobj
 *
 * Argument of DRM_IOCTL_EDGEAI_WAIT.  Exactly one of @job_id and @syncobj
 * is non-zero (-EINVAL otherwise).  Returns 0 once the job or the syncobj's
 * fence has ended, with its status; -ETIME when it has not ended within
 * @timeout_ns; -ENOENT for a job id the caller does not have (unknown,
 * submitted with %EDGEAI_SUBMIT_UNTRACKED, or already reported by a wait)
 * or a syncobj with no fence.  Waiting for a job id reports its end once:
 * the id is forgotten after a wait that returned 0.
 */
struct drm_edgeai_wait {
	/** @job_id: [in] Job of the caller's file to wait for, or 0. */
	__u64 job_id;

	/** @syncobj: [in] Syncobj whose fence to wait for, or 0. */
	__u32 syncobj;

	/** @flags: [in] Must be zero. */
	__u32 flags;

	/** @timeout_ns: [in] Longest wait, relative; 0 only checks. */
	__s64 timeout_ns;

	/** @status: [out] 0, or the negative errno the job failed with. */
	__s32 status;

	/** @pad: [in] Must be zero. */
	__u32 pad;
};

/**
 * DOC: executor
 *
 * The accelerator's firmware is a userspace process, the executor.  One
 * file at a time attaches as executor with DRM_IOCTL_EDGEAI_EXEC_ATTACH
 * (-EBUSY while another is attached); it needs CAP_SYS_ADMIN or membership
 * of the group given by the module parameter exec_gid (-EPERM).  Only the
 * attached file may fetch and complete jobs (-EPERM otherwise).
 *
 * DRM_IOCTL_EDGEAI_EXEC_FETCH hands over the next job, highest priority
 * first, waiting up to a timeout; poll() on the executor's file reports
 * EPOLLIN while a job is waiting.  The job's BOs appear in the executor's
 * file as new GEM handles that the executor may map whatever their
 * placement.  They belong to the job: the module closes them when the job
 * ends, and the executor must not close them itself.
 * DRM_IOCTL_EDGEAI_EXEC_COMPLETE ends a fetched job with a status and the
 * device time it took (-EINVAL for a job that is not held by the
 * executor: unknown, never fetched, or already ended).
 *
 * When the executor's file closes, the jobs it holds end with -EIO at
 * once; jobs not yet fetched wait for the next executor, up to their
 * timeout.
 */

/**
 * struct drm_edgeai_exec_attach - Attach the caller's file as executor
 *
 * Argument of DRM_IOCTL_EDGEAI_EXEC_ATTACH.
 */
struct drm_edgeai_exec_attach {
	/** @flags: [in] Must be zero. */
	__u32 flags;

	/** @pad: [in] Must be zero. */
	__u32 pad;
};

/**
 * struct drm_edgeai_exec_fetch - Take the next job
 *
 * Argument of DRM_IOCTL_EDGEAI_EXEC_FETCH.  Fails with -ETIME when no job
 * came within @timeout_ns, and with -EINVAL for a flag, a non-zero pad or
 * a @bo_capacity below %EDGEAI_MAX_JOB_BOS.
 */
struct drm_edgeai_exec_fetch {
	/** @timeout_ns: [in] Longest wait, relative; 0 only checks. */
	__s64 timeout_ns;

	/**
	 * @bo_handles: [in] Pointer to an array of @bo_capacity __u32 that
	 * receives the executor's handles to the job's BOs, in the order of
	 * drm_edgeai_submit.bo_handles.
	 */
	__u64 bo_handles;

	/** @bo_capacity: [in] Entries at @bo_handles, at least 64. */
	__u32 bo_capacity;

	/** @flags: [in] Must be zero. */
	__u32 flags;

	/** @job_id: [out] Id of the job. */
	__u64 job_id;

	/** @cmd_offset: [out] Start of the command stream in its BO. */
	__u64 cmd_offset;

	/** @cmd_size: [out] Size of the command stream in bytes. */
	__u64 cmd_size;

	/** @cmd_handle: [out] Executor's handle to the command stream BO. */
	__u32 cmd_handle;

	/** @bo_count: [out] Number of handles written to @bo_handles. */
	__u32 bo_count;

	/** @priority: [out] Priority of the job's queue. */
	__u32 priority;

	/** @pad: [in] Must be zero. */
	__u32 pad;
};

/**
 * struct drm_edgeai_exec_complete - End a fetched job
 *
 * Argument of DRM_IOCTL_EDGEAI_EXEC_COMPLETE.  Fails with -EINVAL for a
 * flag, a @status outside [-4095, 0] or a job the executor does not hold.
 */
struct drm_edgeai_exec_complete {
	/** @job_id: [in] Job to end. */
	__u64 job_id;

	/** @status: [in] 0 for success, or a negative errno. */
	__s32 status;

	/** @flags: [in] Must be zero. */
	__u32 flags;

	/** @device_time_ns: [in] Time the job took on the device. */
	__u64 device_time_ns;
};

/**
 * DOC: routing
 *
 * Before it runs a request, a client asks the module where to run it with
 * DRM_IOCTL_EDGEAI_ROUTE: on the device (%EDGEAI_ROUTE_LOCAL), on a cloud
 * model (%EDGEAI_ROUTE_CLOUD) or not at all (%EDGEAI_ROUTE_REJECT).  The
 * caller gives the request's features; the module adds the device's state
 * (jobs queued per priority, jobs held by the executor, whether an
 * executor is attached, memory in use and its limit, the moving average
 * of the model's job time) and asks the routing policy.  Every call gets
 * exactly one decision, with a priority for the job queue, a reason and
 * the policy that decided.
 *
 * The policy is a BPF struct_ops program of type edgeai_sched_ops that
 * the administrator attaches (tools/sched, edgeai-sched); one at a time.
 * A decision, priority or reason outside the values below is counted as
 * a policy error, and the built-in policy decides instead (@fallback).
 *
 * The built-in policy, used when no program is attached, decides in this
 * order, with queued = jobs submitted and not ended, all priorities, and
 * avg_ms = the model's moving-average job time (0 before its first job):
 *
 * 1. privacy %EDGEAI_PRIVACY_SENSITIVE: LOCAL, %EDGEAI_REASON_PRIVACY;
 * 2. no executor attached: CLOUD, %EDGEAI_REASON_NO_EXECUTOR;
 * 3. queued >= %EDGEAI_ROUTE_MAX_QUEUED or memory in use >= 15/16 of the
 *    limit: CLOUD, %EDGEAI_REASON_OVERLOAD;
 * 4. a deadline and (queued + 1) * avg_ms > deadline: CLOUD,
 *    %EDGEAI_REASON_DEADLINE;
 * 5. otherwise LOCAL, %EDGEAI_REASON_DEFAULT.
 *
 * Its priority is %EDGEAI_PRIORITY_HIGH for a deadline of at most
 * %EDGEAI_ROUTE_URGENT_MS, %EDGEAI_PRIORITY_NORMAL otherwise.  Its
 * arithmetic is edgeai_policy_builtin() in edgeai_policy.h, which the BPF
 * policies and the library's direct mode share with the module.
 *
 * The moving average of a model moves by 1/8 of the difference towards
 * each completed job's device time (drm_edgeai_exec_complete), for jobs
 * submitted with that model id.
 */
#define EDGEAI_ROUTE_LOCAL		0
#define EDGEAI_ROUTE_CLOUD		1
#define EDGEAI_ROUTE_REJECT		2
#define EDGEAI_ROUTE_DECISION_COUNT	3

/* Why a decision was taken; policies pick the one that fits. */
#define EDGEAI_REASON_DEFAULT		0	/* the device can take it */
#define EDGEAI_REASON_PRIVACY		1	/* the data must stay local */
#define EDGEAI_REASON_NO_EXECUTOR	2	/* no executor attached */
#define EDGEAI_REASON_OVERLOAD		3	/* queues or memory full */
#define EDGEAI_REASON_DEADLINE		4	/* local would miss it */
#define EDGEAI_REASON_LOCAL_FASTER	5	/* estimates favour local */
#define EDGEAI_REASON_CLOUD_FASTER	6	/* estimates favour cloud */
#define EDGEAI_REASON_CONFIDENT		7	/* local answer is good */
#define EDGEAI_REASON_LOW_CONFIDENCE	8	/* local answer is doubtful */
#define EDGEAI_REASON_POWER		9	/* battery or heat */
#define EDGEAI_REASON_POLICY		10	/* the policy's own rule */
#define EDGEAI_REASON_COUNT		11

#define EDGEAI_PRIVACY_PUBLIC		0	/* may go anywhere */
#define EDGEAI_PRIVACY_PERSONAL		1	/* personal data, redactable */
#define EDGEAI_PRIVACY_SENSITIVE	2	/* never leaves the device */
#define EDGEAI_PRIVACY_COUNT		3

/* Model ids are below this; the module keeps one average per id. */
#define EDGEAI_MODEL_COUNT		16
/* Local-confidence estimates are per mille, or this for "none". */
#define EDGEAI_CONFIDENCE_MAX		1000
#define EDGEAI_CONFIDENCE_NONE		0xffffffffu
/* Built-in policy: queued jobs past which it offloads. */
#define EDGEAI_ROUTE_MAX_QUEUED		16
/* Built-in policy: deadlines up to this get a high priority. */
#define EDGEAI_ROUTE_URGENT_MS		1000

#define EDGEAI_POLICY_BUILTIN		0
#define EDGEAI_POLICY_BPF		1
#define EDGEAI_POLICY_NAME_LEN		16

/**
 * struct drm_edgeai_route - Ask where a request runs
 *
 * Argument of DRM_IOCTL_EDGEAI_ROUTE (ABI version 3).  Fails with -EINVAL
 * for a @model_id not below %EDGEAI_MODEL_COUNT, a @privacy not below
 * %EDGEAI_PRIVACY_COUNT, a @confidence above %EDGEAI_CONFIDENCE_MAX that
 * is not %EDGEAI_CONFIDENCE_NONE, a flag or a non-zero pad.
 */
struct drm_edgeai_route {
	/** @model_id: [in] Model the request would run locally. */
	__u32 model_id;

	/** @prompt_tokens: [in] Tokens in the prompt. */
	__u32 prompt_tokens;

	/** @max_new_tokens: [in] Most tokens the request generates. */
	__u32 max_new_tokens;

	/** @privacy: [in] One of the EDGEAI_PRIVACY_* classes. */
	__u32 privacy;

	/** @deadline_ms: [in] Time the answer is wanted in, 0 for none. */
	__u32 deadline_ms;

	/**
	 * @confidence: [in] Caller's estimate that the local model answers
	 * well, per mille, or %EDGEAI_CONFIDENCE_NONE.
	 */
	__u32 confidence;

	/** @flags: [in] Must be zero. */
	__u32 flags;

	/** @pad: [in] Must be zero. */
	__u32 pad;

	/** @decision: [out] One of the EDGEAI_ROUTE_* decisions. */
	__u32 decision;

	/** @priority: [out] EDGEAI_PRIORITY_* for the request's queue. */
	__u32 priority;

	/** @reason: [out] One of the EDGEAI_REASON_* codes. */
	__u32 reason;

	/** @policy: [out] EDGEAI_POLICY_BUILTIN or EDGEAI_POLICY_BPF. */
	__u32 policy;

	/**
	 * @fallback: [out] 1 when a BPF policy is attached but its answer was
	 * invalid, so the built-in policy decided; 0 otherwise.
	 */
	__u32 fallback;

	/** @pad2: [in] Must be zero. */
	__u32 pad2;

	/** @seq: [out] Number of the decision, device-wide, from 1. */
	__u64 seq;

	/** @policy_name: [out] Name of the deciding policy, NUL-terminated. */
	char policy_name[EDGEAI_POLICY_NAME_LEN];
};

#if defined(__cplusplus)
}
#endif

#endif /* __UAPI_EDGEAI_ACCEL_H__ */

// SPDX-License-Identifier: GPL-2.0-only
/*
 * edgeai random-ioctl tester: several client processes and one executor
 * process issue random ioctl sequences on the device, most of them well
 * typed and built from the handles, queues, jobs and syncobjs the process
 * holds, the rest deliberately wrong (a changed field, a bad pointer, a
 * stranger's handle, raw random bytes under a random ioctl number).  Runs
 * as root in the VM, which fails the run on any WARN or oops.
 *
 * Each process draws from its own generator, seeded from a base seed that
 * is printed (EDGEAI_RANDOM_SEED sets it).  The run stops after
 * EDGEAI_RANDOM_CALLS calls in all (default 100000) or EDGEAI_RANDOM_SECONDS
 * (default 60), whichever comes first.  Afterwards every process must have
 * exited normally and, with every file closed, the device must hold no
 * memory and no job.  Calls per process and per operation, with their
 * errno histograms, are printed as TAP diagnostics.
 */

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdbool.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "kselftest.h"

#include "edgeai_test.h"

#define RANDOM_CLIENTS		4
#define RANDOM_PROCS		(RANDOM_CLIENTS + 1)
#define RANDOM_DEFAULT_CALLS	100000
#define RANDOM_DEFAULT_SECONDS	60
#define RANDOM_FDS		2
#define RANDOM_MAX_BOS		48
#define RANDOM_MAX_QUEUES	8
#define RANDOM_MAX_SYNCOBJS	8
#define RANDOM_MAX_JOBS		64
#define RANDOM_MAX_HELD		32
#define RANDOM_KEYS		16
#define RANDOM_ERRNO_MAX	134
#define RANDOM_MAX_WAIT_NS	200000ll
#define RANDOM_RESIDENT_MAX	(256 * 1024)
#define RANDOM_MAP_MAX		(1024 * 1024)
#define RANDOM_DRAIN_MS		15000
#define RANDOM_DEBUGFS_EXEC	"/sys/kernel/debug/accel/edgeai/executor"

enum random_op {
	OP_GET_PARAM,
	OP_BO_CREATE,
	OP_GEM_CLOSE,
	OP_BO_INFO,
	OP_MMAP,
	OP_BO_PUBLISH,
	OP_BO_OPEN,
	OP_PRIME_EXPORT,
	OP_PRIME_IMPORT,
	OP_QUEUE_CREATE,
	OP_QUEUE_DESTROY,
	OP_SYNCOBJ_CREATE,
	OP_SYNCOBJ_DESTROY,
	OP_SUBMIT,
	OP_WAIT,
	OP_EXEC_ATTACH,
	OP_EXEC_FETCH,
	OP_EXEC_COMPLETE,
	OP_POLL,
	OP_REOPEN,
	OP_GARBAGE,
	OP_COUNT
};

static const char *const op_names[OP_COUNT] = {
	[OP_GET_PARAM] = "GET_PARAM",
	[OP_BO_CREATE] = "BO_CREATE",
	[OP_GEM_CLOSE] = "GEM_CLOSE",
	[OP_BO_INFO] = "BO_INFO",
	[OP_MMAP] = "mmap",
	[OP_BO_PUBLISH] = "BO_PUBLISH",
	[OP_BO_OPEN] = "BO_OPEN",
	[OP_PRIME_EXPORT] = "PRIME_HANDLE_TO_FD",
	[OP_PRIME_IMPORT] = "PRIME_FD_TO_HANDLE",
	[OP_QUEUE_CREATE] = "QUEUE_CREATE",
	[OP_QUEUE_DESTROY] = "QUEUE_DESTROY",
	[OP_SYNCOBJ_CREATE] = "SYNCOBJ_CREATE",
	[OP_SYNCOBJ_DESTROY] = "SYNCOBJ_DESTROY",
	[OP_SUBMIT] = "SUBMIT",
	[OP_WAIT] = "WAIT",
	[OP_EXEC_ATTACH] = "EXEC_ATTACH",
	[OP_EXEC_FETCH] = "EXEC_FETCH",
	[OP_EXEC_COMPLETE] = "EXEC_COMPLETE",
	[OP_POLL] = "poll",
	[OP_REOPEN] = "close+open",
	[OP_GARBAGE] = "random ioctl",
};

/* Relative frequency of each operation for a client and for the executor. */
static const unsigned int client_weights[OP_COUNT] = {
	[OP_GET_PARAM] = 3, [OP_BO_CREATE] = 12, [OP_GEM_CLOSE] = 8,
	[OP_BO_INFO] = 4, [OP_MMAP] = 4, [OP_BO_PUBLISH] = 3,
	[OP_BO_OPEN] = 3, [OP_PRIME_EXPORT] = 2, [OP_PRIME_IMPORT] = 2,
	[OP_QUEUE_CREATE] = 3, [OP_QUEUE_DESTROY] = 2,
	[OP_SYNCOBJ_CREATE] = 2, [OP_SYNCOBJ_DESTROY] = 1,
	[OP_SUBMIT] = 20, [OP_WAIT] = 12, [OP_EXEC_ATTACH] = 1,
	[OP_EXEC_FETCH] = 1, [OP_EXEC_COMPLETE] = 1, [OP_POLL] = 1,
	[OP_REOPEN] = 1, [OP_GARBAGE] = 6,
};

static const unsigned int executor_weights[OP_COUNT] = {
	[OP_GET_PARAM] = 1, [OP_BO_CREATE] = 4, [OP_GEM_CLOSE] = 3,
	[OP_BO_INFO] = 2, [OP_MMAP] = 3, [OP_BO_PUBLISH] = 1,
	[OP_BO_OPEN] = 1, [OP_PRIME_EXPORT] = 1, [OP_PRIME_IMPORT] = 1,
	[OP_QUEUE_CREATE] = 1, [OP_QUEUE_DESTROY] = 1,
	[OP_SYNCOBJ_CREATE] = 1, [OP_SYNCOBJ_DESTROY] = 1,
	[OP_SUBMIT] = 4, [OP_WAIT] = 2, [OP_EXEC_ATTACH] = 3,
	[OP_EXEC_FETCH] = 30, [OP_EXEC_COMPLETE] = 25, [OP_POLL] = 4,
	[OP_REOPEN] = 1, [OP_GARBAGE] = 4,
};

/* What one process reports to the parent, in memory shared with it. */
struct random_stats {
	uint64_t seed;
	uint64_t calls;
	uint64_t op_calls[OP_COUNT];
	uint64_t op_ns[OP_COUNT];
	uint32_t op_errno[OP_COUNT][RANDOM_ERRNO_MAX + 1];
};

/* One open file of the device and what the process holds through it. */
struct random_file {
	int fd;
	__u32 bos[RANDOM_MAX_BOS];
	int bo_count;
	__u32 queues[RANDOM_MAX_QUEUES];
	int queue_count;
	__u32 syncobjs[RANDOM_MAX_SYNCOBJS];
	int syncobj_count;
	__u64 jobs[RANDOM_MAX_JOBS];
	int job_count;
	__u64 held[RANDOM_MAX_HELD];
	int held_count;
	__u64 ended_job;
	bool executor;
};

struct random_limits {
	__u64 max_bo_size;
	__u64 max_queues;
};

/* One process of the run: its generator, budget, files and counters. */
struct random_proc {
	int index;
	bool is_executor;
	uint64_t rng;
	uint64_t max_calls;
	struct timespec deadline;
	struct random_limits limits;
	struct random_file files[RANDOM_FDS];
	struct random_stats *stats;
	__u32 fetch_handles[EDGEAI_MAX_JOB_BOS];
};

static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t rnd(struct random_proc *p)
{
	return splitmix64(&p->rng);
}

/* A number below @n (n > 0). */
static uint32_t rnd_below(struct random_proc *p, uint32_t n)
{
	return (uint32_t)(rnd(p) % n);
}

/* True with probability 1/@n. */
static bool one_in(struct random_proc *p, uint32_t n)
{
	return rnd_below(p, n) == 0;
}

static void record(struct random_proc *p, enum random_op op, int ret)
{
	int err = ret < 0 ? -ret : 0;

	if (err > RANDOM_ERRNO_MAX)
		err = RANDOM_ERRNO_MAX;
	p->stats->calls++;
	p->stats->op_calls[op]++;
	p->stats->op_errno[op][err]++;
}

/* The ioctl, counted under @op; returns 0 or -errno. */
static int call(struct random_proc *p, enum random_op op, int fd,
		unsigned long cmd, void *arg)
{
	int ret = ioctl(fd, cmd, arg) ? -errno : 0;

	record(p, op, ret);
	return ret;
}

/*
 * A deliberately wrong argument: one random bit flipped in one byte of
 * @arg outside [@keep, @keep_end), where its pointers lie (an address
 * off by a bit could point into this process's own memory).
 */
static void flip_bit(struct random_proc *p, void *arg, size_t size,
		     size_t keep, size_t keep_end)
{
	size_t byte;

	do {
		byte = rnd_below(p, size);
	} while (byte >= keep && byte < keep_end);
	((unsigned char *)arg)[byte] ^= 1u << rnd_below(p, 8);
}

#define MAYBE_FLIP(p, arg) \
	do { if (one_in(p, 8)) flip_bit(p, &(arg), sizeof(arg), 0, 0); } while (0)

/* A handle this file has, one of another file, or a number made up. */
static __u32 pick_handle(struct random_proc *p, const __u32 *own, int count)
{
	if (count && !one_in(p, 8))
		return own[rnd_below(p, count)];
	switch (rnd_below(p, 3)) {
	case 0:
		return 0;
	case 1:
		return 1 + rnd_below(p, 4 * RANDOM_MAX_BOS);
	default:
		return (__u32)rnd(p);
	}
}

static int pick_index(struct random_proc *p, int count)
{
	return count ? (int)rnd_below(p, count) : -1;
}

static void remove_at(void *array, int *count, int i, size_t elem)
{
	unsigned char *a = array;

	(*count)--;
	memmove(a + i * elem, a + (*count) * elem, elem);
}

static struct random_file *pick_file(struct random_proc *p)
{
	return &p->files[rnd_below(p, RANDOM_FDS)];
}

static __u64 pick_bo_size(struct random_proc *p)
{
	switch (rnd_below(p, 64)) {
	case 0:
		return 0;
	case 1:
		return ~0ull - rnd_below(p, 4096);
	case 2:
		return p->limits.max_bo_size;
	case 3:
		return p->limits.max_bo_size + 1;
	case 4:
		return p->limits.max_bo_size / 2 + 1;
	default:
		return 1 + rnd_below(p, one_in(p, 4) ? 1 << 20 : 16384);
	}
}

static void op_get_param(struct random_proc *p, struct random_file *f)
{
	struct drm_edgeai_get_param args = {
		.param = one_in(p, 8) ? (__u32)rnd(p) :
			 rnd_below(p, EDGEAI_PARAM_COUNT + 1),
	};

	MAYBE_FLIP(p, args);
	call(p, OP_GET_PARAM, f->fd, DRM_IOCTL_EDGEAI_GET_PARAM, &args);
}

static void op_bo_create(struct random_proc *p, struct random_file *f)
{
	struct drm_edgeai_bo_create args = {
		.size = pick_bo_size(p),
		.flags = one_in(p, 16) ? (__u32)rnd(p) : rnd_below(p, 4),
	};

	/* Pinning allocates at once: keep big BOs lazy so the VM has room. */
	if (args.size > RANDOM_RESIDENT_MAX)
		args.flags &= ~EDGEAI_BO_DEVICE_RESIDENT;
	if (call(p, OP_BO_CREATE, f->fd, DRM_IOCTL_EDGEAI_BO_CREATE, &args))
		return;
	if (f->bo_count == RANDOM_MAX_BOS) {
		struct drm_gem_close close_args = { .handle = args.handle };

		call(p, OP_GEM_CLOSE, f->fd, DRM_IOCTL_GEM_CLOSE, &close_args);
		return;
	}
	f->bos[f->bo_count++] = args.handle;
}

static void op_gem_close(struct random_proc *p, struct random_file *f)
{
	int i = one_in(p, 8) ? -1 : pick_index(p, f->bo_count);
	struct drm_gem_close args = {
		.handle = i < 0 ? pick_handle(p, NULL, 0) : f->bos[i],
		.pad = one_in(p, 16) ? (__u32)rnd(p) : 0,
	};

	if (call(p, OP_GEM_CLOSE, f->fd, DRM_IOCTL_GEM_CLOSE, &args) == 0 &&
	    i >= 0)
		remove_at(f->bos, &f->bo_count, i, sizeof(f->bos[0]));
}

static void op_bo_info(struct random_proc *p, struct random_file *f)
{
	struct drm_edgeai_bo_info args = {
		.handle = pick_handle(p, f->bos, f->bo_count),
	};

	MAYBE_FLIP(p, args);
	call(p, OP_BO_INFO, f->fd, DRM_IOCTL_EDGEAI_BO_INFO, &args);
}

/* Maps a BO (sometimes at a wrong offset or past its end), writes, unmaps. */
static void op_mmap(struct random_proc *p, struct random_file *f)
{
	struct drm_edgeai_bo_info info = {
		.handle = pick_handle(p, f->bos, f->bo_count),
	};
	size_t len = 4096;
	void *map;
	int ret;

	/* Mapping allocates every page of the BO: only the small ones. */
	if (call(p, OP_BO_INFO, f->fd, DRM_IOCTL_EDGEAI_BO_INFO, &info) ||
	    info.size > RANDOM_MAP_MAX)
		return;
	if (one_in(p, 8))
		info.mmap_offset += 4096 * (1 + rnd_below(p, 4));
	if (one_in(p, 8))
		len = info.size + 4096;
	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, f->fd,
		   info.mmap_offset);
	ret = map == MAP_FAILED ? -errno : 0;
	record(p, OP_MMAP, ret);
	if (ret)
		return;
	*(volatile unsigned char *)map = (unsigned char)rnd(p);
	munmap(map, len);
}

static void random_key(struct random_proc *p, __u8 *key)
{
	memset(key, 0, EDGEAI_SHARE_KEY_SIZE);
	/* A small key space, so processes meet on the same names. */
	if (!one_in(p, 16))
		key[0] = 1 + rnd_below(p, RANDOM_KEYS);
}

static void op_bo_publish(struct random_proc *p, struct random_file *f)
{
	struct drm_edgeai_bo_publish args = {
		.handle = pick_handle(p, f->bos, f->bo_count),
	};

	random_key(p, args.key);
	MAYBE_FLIP(p, args);
	call(p, OP_BO_PUBLISH, f->fd, DRM_IOCTL_EDGEAI_BO_PUBLISH, &args);
}

static void op_bo_open(struct random_proc *p, struct random_file *f)
{
	struct drm_edgeai_bo_open args = { 0 };

	random_key(p, args.key);
	MAYBE_FLIP(p, args);
	if (call(p, OP_BO_OPEN, f->fd, DRM_IOCTL_EDGEAI_BO_OPEN, &args))
		return;
	if (f->bo_count < RANDOM_MAX_BOS)
		f->bos[f->bo_count++] = args.handle;
}

static void op_prime_export(struct random_proc *p, struct random_file *f)
{
	struct drm_prime_handle args = {
		.handle = pick_handle(p, f->bos, f->bo_count),
		.flags = one_in(p, 8) ? (__u32)rnd(p) : DRM_CLOEXEC | DRM_RDWR,
	};

	if (!call(p, OP_PRIME_EXPORT, f->fd, DRM_IOCTL_PRIME_HANDLE_TO_FD,
		  &args))
		close(args.fd);
}

/* Exports from one file and imports into the other (or a wrong fd). */
static void op_prime_import(struct random_proc *p, struct random_file *f)
{
	struct random_file *to = &p->files[rnd_below(p, RANDOM_FDS)];
	struct drm_prime_handle args = {
		.handle = pick_handle(p, f->bos, f->bo_count),
		.flags = DRM_CLOEXEC | DRM_RDWR,
	};
	int dmabuf;

	if (call(p, OP_PRIME_EXPORT, f->fd, DRM_IOCTL_PRIME_HANDLE_TO_FD,
		  &args))
		return;
	dmabuf = args.fd;
	args = (struct drm_prime_handle){ .fd = dmabuf };
	if (one_in(p, 8))
		args.fd = one_in(p, 2) ? to->fd : -1;
	if (!call(p, OP_PRIME_IMPORT, to->fd, DRM_IOCTL_PRIME_FD_TO_HANDLE,
		  &args) && to->bo_count < RANDOM_MAX_BOS) {
		bool known = false;
		int i;

		/* Importing a BO the file has gives its existing handle. */
		for (i = 0; i < to->bo_count; i++)
			known |= to->bos[i] == args.handle;
		if (!known)
			to->bos[to->bo_count++] = args.handle;
	}
	close(dmabuf);
}

static void op_queue_create(struct random_proc *p, struct random_file *f)
{
	struct drm_edgeai_queue_create args = {
		.priority = rnd_below(p, EDGEAI_PRIORITY_COUNT + 1),
	};

	MAYBE_FLIP(p, args);
	if (call(p, OP_QUEUE_CREATE, f->fd, DRM_IOCTL_EDGEAI_QUEUE_CREATE,
		 &args))
		return;
	if (f->queue_count < RANDOM_MAX_QUEUES)
		f->queues[f->queue_count++] = args.queue_id;
}

static void op_queue_destroy(struct random_proc *p, struct random_file *f)
{
	int i = one_in(p, 8) ? -1 : pick_index(p, f->queue_count);
	struct drm_edgeai_queue_destroy args = {
		.queue_id = i < 0 ? (__u32)rnd_below(p, 64) : f->queues[i],
	};

	MAYBE_FLIP(p, args);
	if (!call(p, OP_QUEUE_DESTROY, f->fd, DRM_IOCTL_EDGEAI_QUEUE_DESTROY,
		  &args) && i >= 0 && args.queue_id == f->queues[i])
		remove_at(f->queues, &f->queue_count, i, sizeof(f->queues[0]));
}

static void op_syncobj_create(struct random_proc *p, struct random_file *f)
{
	struct drm_syncobj_create args = {
		.flags = one_in(p, 8) ? (__u32)rnd(p) :
			 rnd_below(p, 2) * DRM_SYNCOBJ_CREATE_SIGNALED,
	};

	if (call(p, OP_SYNCOBJ_CREATE, f->fd, DRM_IOCTL_SYNCOBJ_CREATE, &args))
		return;
	if (f->syncobj_count < RANDOM_MAX_SYNCOBJS) {
		f->syncobjs[f->syncobj_count++] = args.handle;
	} else {
		struct drm_syncobj_destroy d = { .handle = args.handle };

		call(p, OP_SYNCOBJ_DESTROY, f->fd, DRM_IOCTL_SYNCOBJ_DESTROY, &d);
	}
}

static void op_syncobj_destroy(struct random_proc *p, struct random_file *f)
{
	int i = one_in(p, 8) ? -1 : pick_index(p, f->syncobj_count);
	struct drm_syncobj_destroy args = {
		.handle = i < 0 ? (__u32)rnd_below(p, 64) : f->syncobjs[i],
	};

	if (!call(p, OP_SYNCOBJ_DESTROY, f->fd, DRM_IOCTL_SYNCOBJ_DESTROY,
		  &args) && i >= 0)
		remove_at(f->syncobjs, &f->syncobj_count, i,
			  sizeof(f->syncobjs[0]));
}

static __u64 bad_pointer(struct random_proc *p)
{
	static const __u64 bad[] = { 0, 1, 0xffff888000000000ull, ~0ull };

	return bad[rnd_below(p, sizeof(bad) / sizeof(bad[0]))];
}

static void fill_submit(struct random_proc *p, struct random_file *f,
			struct drm_edgeai_submit *args, __u32 *bos,
			__u32 *fences)
{
	int cmd = pick_index(p, f->bo_count);
	__u32 i;

	args->queue_id = f->queue_count && !one_in(p, 16) ?
			 f->queues[rnd_below(p, f->queue_count)] :
			 rnd_below(p, 32);
	args->flags = rnd_below(p, 2) * EDGEAI_SUBMIT_UNTRACKED;
	args->cmd_handle = cmd >= 0 ? f->bos[cmd] : pick_handle(p, NULL, 0);
	args->cmd_size = EDGEAI_CMD_ALIGN * (1 + rnd_below(p, 4));
	if (one_in(p, 8))
		args->cmd_offset = EDGEAI_CMD_ALIGN * rnd_below(p, 1024);
	args->bo_count = rnd_below(p, one_in(p, 16) ? EDGEAI_MAX_JOB_BOS + 2 : 5);
	for (i = 0; i < args->bo_count; i++)
		bos[i] = pick_handle(p, f->bos, f->bo_count);
	args->bo_handles = (__u64)(unsigned long)bos;
	args->in_syncobj_count = one_in(p, 3) ? rnd_below(p, 3) : 0;
	if (one_in(p, 32))
		args->in_syncobj_count = EDGEAI_MAX_IN_SYNCOBJS + 1;
	for (i = 0; i < args->in_syncobj_count; i++)
		fences[i] = pick_handle(p, f->syncobjs, f->syncobj_count);
	args->in_syncobjs = (__u64)(unsigned long)fences;
	if (f->syncobj_count && one_in(p, 3))
		args->out_syncobj = f->syncobjs[rnd_below(p, f->syncobj_count)];
}

static void op_submit(struct random_proc *p, struct random_file *f)
{
	__u32 bos[EDGEAI_MAX_JOB_BOS + 2] = { 0 };
	__u32 fences[EDGEAI_MAX_IN_SYNCOBJS + 1] = { 0 };
	struct drm_edgeai_submit args = { 0 };

	fill_submit(p, f, &args, bos, fences);
	if (one_in(p, 8))
		flip_bit(p, &args, sizeof(args),
			 offsetof(struct drm_edgeai_submit, bo_handles),
			 offsetof(struct drm_edgeai_submit, in_syncobj_count));
	if (one_in(p, 64))
		args.bo_handles = bad_pointer(p);
	if (one_in(p, 64))
		args.in_syncobjs = bad_pointer(p);
	if (call(p, OP_SUBMIT, f->fd, DRM_IOCTL_EDGEAI_SUBMIT, &args) ||
	    (args.flags & EDGEAI_SUBMIT_UNTRACKED))
		return;
	if (f->job_count == RANDOM_MAX_JOBS)
		f->job_count--;
	f->jobs[f->job_count++] = args.job_id;
}

static void op_wait(struct random_proc *p, struct random_file *f)
{
	int i = pick_index(p, f->job_count);
	struct drm_edgeai_wait args = {
		.timeout_ns = rnd_below(p, 2) ? 0 :
			      (__s64)rnd_below(p, RANDOM_MAX_WAIT_NS),
	};

	if (i >= 0 && !one_in(p, 4))
		args.job_id = f->jobs[i];
	else if (f->syncobj_count && one_in(p, 2))
		args.syncobj = f->syncobjs[rnd_below(p, f->syncobj_count)];
	else
		args.job_id = rnd(p) % 4 ? rnd_below(p, 1 << 20) : 0;
	MAYBE_FLIP(p, args);
	/* A wrong argument, not a long sleep. */
	if (args.timeout_ns > RANDOM_MAX_WAIT_NS)
		args.timeout_ns = RANDOM_MAX_WAIT_NS;
	if (!call(p, OP_WAIT, f->fd, DRM_IOCTL_EDGEAI_WAIT, &args) &&
	    i >= 0 && args.job_id == f->jobs[i])
		remove_at(f->jobs, &f->job_count, i, sizeof(f->jobs[0]));
}

static bool op_exec_attach(struct random_proc *p, struct random_file *f)
{
	struct drm_edgeai_exec_attach args = { 0 };

	MAYBE_FLIP(p, args);
	if (call(p, OP_EXEC_ATTACH, f->fd, DRM_IOCTL_EDGEAI_EXEC_ATTACH, &args))
		return false;
	f->executor = true;
	return true;
}

static void op_exec_fetch(struct random_proc *p, struct random_file *f)
{
	struct drm_edgeai_exec_fetch args = {
		.timeout_ns = rnd_below(p, 2) ? 0 :
			      (__s64)rnd_below(p, RANDOM_MAX_WAIT_NS),
		.bo_handles = (__u64)(unsigned long)p->fetch_handles,
		.bo_capacity = EDGEAI_MAX_JOB_BOS,
	};

	if (one_in(p, 8))
		flip_bit(p, &args, sizeof(args),
			 offsetof(struct drm_edgeai_exec_fetch, bo_handles),
			 offsetof(struct drm_edgeai_exec_fetch, bo_capacity));
	if (args.timeout_ns > RANDOM_MAX_WAIT_NS)
		args.timeout_ns = RANDOM_MAX_WAIT_NS;
	if (call(p, OP_EXEC_FETCH, f->fd, DRM_IOCTL_EDGEAI_EXEC_FETCH, &args))
		return;
	if (f->held_count < RANDOM_MAX_HELD)
		f->held[f->held_count++] = args.job_id;
	/* Sometimes the executor looks at the command stream. */
	if (one_in(p, 4)) {
		struct drm_edgeai_bo_info info = { .handle = args.cmd_handle };
		void *map;

		if (call(p, OP_BO_INFO, f->fd, DRM_IOCTL_EDGEAI_BO_INFO, &info) ||
		    info.size > RANDOM_MAP_MAX)
			return;
		map = mmap(NULL, 4096, PROT_READ, MAP_SHARED, f->fd,
			   info.mmap_offset);
		record(p, OP_MMAP, map == MAP_FAILED ? -errno : 0);
		if (map != MAP_FAILED)
			munmap(map, 4096);
	}
}

static void op_exec_complete(struct random_proc *p, struct random_file *f)
{
	int i = one_in(p, 8) ? -1 : pick_index(p, f->held_count);
	struct drm_edgeai_exec_complete args = {
		.job_id = i >= 0 ? f->held[i] :
			  one_in(p, 2) ? f->ended_job : rnd_below(p, 1 << 20),
		.status = one_in(p, 4) ? -(int)(1 + rnd_below(p, 133)) : 0,
		.device_time_ns = rnd_below(p, 100000),
	};

	if (one_in(p, 16))
		args.status = one_in(p, 2) ? 1 + (int)rnd_below(p, 10) : -5000;
	MAYBE_FLIP(p, args);
	if (!call(p, OP_EXEC_COMPLETE, f->fd, DRM_IOCTL_EDGEAI_EXEC_COMPLETE,
		  &args) && i >= 0 && args.job_id == f->held[i]) {
		f->ended_job = f->held[i];
		remove_at(f->held, &f->held_count, i, sizeof(f->held[0]));
	}
}

static void op_poll(struct random_proc *p, struct random_file *f)
{
	struct pollfd pfd = { .fd = f->fd, .events = POLLIN };
	int ret = poll(&pfd, 1, 0);

	record(p, OP_POLL, ret < 0 ? -errno : 0);
}

static void file_forget(struct random_file *f)
{
	int fd = f->fd;

	memset(f, 0, sizeof(*f));
	f->fd = fd;
}

/* Closes the file (dropping all it has, detaching an executor), reopens. */
static void op_reopen(struct random_proc *p, struct random_file *f)
{
	close(f->fd);
	f->fd = edgeai_open_dev();
	record(p, OP_REOPEN, f->fd < 0 ? f->fd : 0);
	file_forget(f);
}

/* Random bytes under a random driver or GEM/PRIME/syncobj ioctl number. */
static void op_garbage(struct random_proc *p, struct random_file *f)
{
	static const unsigned int core_nr[] = { 0x09, 0x2d, 0x2e, 0xbf, 0xc0 };
	unsigned char buf[128];
	unsigned int nr, size = rnd_below(p, sizeof(buf) + 1), i;
	unsigned int dir = rnd_below(p, 4);

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)rnd(p);
	if (one_in(p, 4))
		nr = core_nr[rnd_below(p, sizeof(core_nr) / sizeof(core_nr[0]))];
	else
		nr = DRM_COMMAND_BASE + rnd_below(p, DRM_EDGEAI_ROUTE + 3);
	call(p, OP_GARBAGE, f->fd, _IOC(dir, DRM_IOCTL_BASE, nr, size), buf);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void run_op(struct random_proc *p, enum random_op op)
{
	struct random_file *f = pick_file(p);
	uint64_t start = now_ns();

	/*
	 * The executor works through its first file, where attaching again
	 * is a second executor; its other file is a client.
	 */
	if (p->is_executor && (op == OP_EXEC_ATTACH || !one_in(p, 16)) &&
	    (op == OP_EXEC_ATTACH || op == OP_EXEC_FETCH ||
	     op == OP_EXEC_COMPLETE || op == OP_POLL))
		f = &p->files[0];
	switch (op) {
	case OP_GET_PARAM: op_get_param(p, f); break;
	case OP_BO_CREATE: op_bo_create(p, f); break;
	case OP_GEM_CLOSE: op_gem_close(p, f); break;
	case OP_BO_INFO: op_bo_info(p, f); break;
	case OP_MMAP: op_mmap(p, f); break;
	case OP_BO_PUBLISH: op_bo_publish(p, f); break;
	case OP_BO_OPEN: op_bo_open(p, f); break;
	case OP_PRIME_EXPORT: op_prime_export(p, f); break;
	case OP_PRIME_IMPORT: op_prime_import(p, f); break;
	case OP_QUEUE_CREATE: op_queue_create(p, f); break;
	case OP_QUEUE_DESTROY: op_queue_destroy(p, f); break;
	case OP_SYNCOBJ_CREATE: op_syncobj_create(p, f); break;
	case OP_SYNCOBJ_DESTROY: op_syncobj_destroy(p, f); break;
	case OP_SUBMIT: op_submit(p, f); break;
	case OP_WAIT: op_wait(p, f); break;
	case OP_EXEC_ATTACH:
		/* A client that became the executor lets go soon after. */
		if (op_exec_attach(p, f) && !p->is_executor)
			op_reopen(p, f);
		break;
	case OP_EXEC_FETCH: op_exec_fetch(p, f); break;
	case OP_EXEC_COMPLETE: op_exec_complete(p, f); break;
	case OP_POLL: op_poll(p, f); break;
	case OP_REOPEN: op_reopen(p, f); break;
	case OP_GARBAGE: op_garbage(p, f); break;
	case OP_COUNT: break;
	}
	p->stats->op_ns[op] += now_ns() - start;
}

static enum random_op pick_op(struct random_proc *p)
{
	const unsigned int *w = p->is_executor ? executor_weights :
				client_weights;
	unsigned int total = 0, r;
	int op;

	for (op = 0; op < OP_COUNT; op++)
		total += w[op];
	r = rnd_below(p, total);
	for (op = 0; r >= w[op]; op++)
		r -= w[op];
	return op;
}

static bool past(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > deadline->tv_sec ||
	       (now.tv_sec == deadline->tv_sec &&
		now.tv_nsec >= deadline->tv_nsec);
}

static int run_proc(struct random_proc *p)
{
	int i;

	for (i = 0; i < RANDOM_FDS; i++) {
		p->files[i].fd = edgeai_open_dev();
		if (p->files[i].fd < 0)
			return 1;
	}
	while (p->stats->calls < p->max_calls && !past(&p->deadline)) {
		/* The executor attaches again whenever it has been detached. */
		if (p->is_executor && !p->files[0].executor)
			op_exec_attach(p, &p->files[0]);
		run_op(p, pick_op(p));
	}
	for (i = 0; i < RANDOM_FDS; i++)
		close(p->files[i].fd);
	return 0;
}

static uint64_t env_u64(const char *name, uint64_t fallback)
{
	const char *s = getenv(name);

	return s && *s ? strtoull(s, NULL, 0) : fallback;
}

static pid_t spawn(struct random_proc *p)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(run_proc(p));
	return pid;
}

static const char *errno_name(int e)
{
	const char *name = e ? strerrorname_np(e) : "ok";

	return name ? name : "?";
}

static void print_histogram(const char *what, const uint64_t *calls,
			    const uint64_t *ns,
			    uint32_t (*errnos)[RANDOM_ERRNO_MAX + 1])
{
	char line[1024];
	int op, e;

	for (op = 0; op < OP_COUNT; op++) {
		size_t n = 0;

		if (!calls[op])
			continue;
		n += snprintf(line + n, sizeof(line) - n, "%s%-18s %7" PRIu64
			      " %7.0f us:", what, op_names[op], calls[op],
			      ns[op] / 1e3 / calls[op]);
		for (e = 0; e <= RANDOM_ERRNO_MAX && n < sizeof(line); e++)
			if (errnos[op][e])
				n += snprintf(line + n, sizeof(line) - n,
					      " %s=%u", errno_name(e),
					      errnos[op][e]);
		ksft_print_msg("%s\n", line);
	}
}

static void report_stats(struct random_stats *stats)
{
	uint32_t errnos[OP_COUNT][RANDOM_ERRNO_MAX + 1] = { { 0 } };
	uint64_t calls[OP_COUNT] = { 0 }, ns[OP_COUNT] = { 0 }, total = 0;
	int i, op, e;

	for (i = 0; i < RANDOM_PROCS; i++) {
		ksft_print_msg("process %d (%s, seed 0x%016" PRIx64 "): %" PRIu64
			       " calls\n", i, i < RANDOM_CLIENTS ? "client" :
			       "executor", stats[i].seed, stats[i].calls);
		total += stats[i].calls;
		for (op = 0; op < OP_COUNT; op++) {
			calls[op] += stats[i].op_calls[op];
			ns[op] += stats[i].op_ns[op];
			for (e = 0; e <= RANDOM_ERRNO_MAX; e++)
				errnos[op][e] += stats[i].op_errno[op][e];
		}
	}
	ksft_print_msg("per operation, all processes: calls, mean time of the operation (its calls together), result=count:\n");
	print_histogram("  ", calls, ns, errnos);
	ksft_print_msg("total: %" PRIu64 " calls\n", total);
}

/* Device memory in use once every file is closed and every job has ended. */
static __u64 drained_mem_used(void)
{
	__u64 used = edgeai_mem_used();
	int ms;

	for (ms = 0; used && ms < RANDOM_DRAIN_MS; ms += 50) {
		usleep(50000);
		used = edgeai_mem_used();
	}
	return used;
}

/* "jobs_held: 0" and "jobs_waiting: 0" in debugfs; -1 without debugfs. */
static int executor_idle(void)
{
	unsigned int held = ~0u, waiting = ~0u;
	char line[128];
	FILE *f = fopen(RANDOM_DEBUGFS_EXEC, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		sscanf(line, "jobs_held: %u", &held);
		sscanf(line, "jobs_waiting: %u", &waiting);
	}
	fclose(f);
	return held == 0 && waiting == 0;
}

static int read_limits(struct random_limits *limits)
{
	int fd = edgeai_open_dev(), ret;

	if (fd < 0)
		return fd;
	ret = edgeai_get_param(fd, EDGEAI_PARAM_MAX_BO_SIZE,
			       &limits->max_bo_size);
	if (!ret)
		ret = edgeai_get_param(fd, EDGEAI_PARAM_MAX_QUEUES,
				       &limits->max_queues);
	close(fd);
	return ret;
}

int main(void)
{
	uint64_t seed = env_u64("EDGEAI_RANDOM_SEED",
				(uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32));
	uint64_t max_calls = env_u64("EDGEAI_RANDOM_CALLS", RANDOM_DEFAULT_CALLS);
	uint64_t seconds = env_u64("EDGEAI_RANDOM_SECONDS", RANDOM_DEFAULT_SECONDS);
	struct random_proc procs[RANDOM_PROCS];
	struct random_limits limits;
	struct random_stats *stats;
	struct timespec start, end;
	pid_t pids[RANDOM_PROCS];
	uint64_t total = 0;
	double elapsed;
	__u64 used;
	int i, idle;

	ksft_print_header();
	ksft_set_plan(RANDOM_PROCS + 3);
	ksft_print_msg("seed 0x%016" PRIx64 " (EDGEAI_RANDOM_SEED), %" PRIu64
		       " calls (EDGEAI_RANDOM_CALLS), at most %" PRIu64
		       " s (EDGEAI_RANDOM_SECONDS), %d clients + 1 executor\n",
		       seed, max_calls, seconds, RANDOM_CLIENTS);
	if (read_limits(&limits))
		ksft_exit_fail_msg("cannot open %s\n", EDGEAI_DEV_PATH);
	stats = mmap(NULL, RANDOM_PROCS * sizeof(*stats), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (stats == MAP_FAILED)
		ksft_exit_fail_perror("mmap");

	clock_gettime(CLOCK_MONOTONIC, &start);
	fflush(stdout);
	for (i = 0; i < RANDOM_PROCS; i++) {
		struct random_proc *p = &procs[i];
		uint64_t s = seed + (uint64_t)i;

		memset(p, 0, sizeof(*p));
		p->index = i;
		p->is_executor = i == RANDOM_CLIENTS;
		p->rng = splitmix64(&s);
		p->max_calls = max_calls / RANDOM_PROCS +
			       (i < (int)(max_calls % RANDOM_PROCS));
		p->deadline = start;
		p->deadline.tv_sec += seconds;
		p->limits = limits;
		p->stats = &stats[i];
		stats[i].seed = p->rng;
		pids[i] = spawn(p);
	}
	for (i = 0; i < RANDOM_PROCS; i++) {
		int status = 0;

		waitpid(pids[i], &status, 0);
		ksft_test_result(WIFEXITED(status) && WEXITSTATUS(status) == 0,
				 "process %d (%s) exited normally (status 0x%x)\n",
				 i, i < RANDOM_CLIENTS ? "client" : "executor",
				 status);
		total += stats[i].calls;
	}
	clock_gettime(CLOCK_MONOTONIC, &end);
	elapsed = (end.tv_sec - start.tv_sec) + (end.tv_nsec - start.tv_nsec) / 1e9;

	report_stats(stats);
	ksft_print_msg("%.1f s, %.0f calls/s\n", elapsed, total / elapsed);
	ksft_test_result(total >= max_calls,
			 "%" PRIu64 " calls of %" PRIu64 " within %" PRIu64 " s\n",
			 total, max_calls, seconds);

	used = drained_mem_used();
	ksft_test_result(used == 0, "device memory in use after every close: %llu\n",
			 (unsigned long long)used);
	idle = executor_idle();
	if (idle < 0)
		ksft_test_result_skip("no %s\n", RANDOM_DEBUGFS_EXEC);
	else
		ksft_test_result(idle, "no job held or waiting (debugfs)\n");
	ksft_finished();
}

// SPDX-License-Identifier: MIT
/*
 * ea_backend_kmod - the kmod engine: a model's command stream run by the
 * module's executor (edgeaid), one SUBMIT a run.
 *
 * Buffers, all GEM objects of the edgeai device:
 *  - the weights: one named shared BO, keyed by a SHA-256 of the model's
 *    tensor data and of the stream's weight layout, so every process that
 *    runs the same file holds the same BO (counted once). The first process
 *    creates, fills and publishes it; a later one, or one that loses the
 *    race to publish (-EEXIST), opens it.
 *  - this engine's own: the KV caches, the activations, the I/O BO (step
 *    block and outputs, mapped here) and the command BO (uapi/edgeai_job.h).
 * A run writes the step block and the job record, submits the job and waits
 * for it: an executor that dies or never answers fails the run (EA_ERR_ACCEL)
 * within the module's job timeout, and the next run may succeed again.
 *
 * An executor may keep the KV cache in its own device memory (edgeaid's copy
 * mode), and a new one starts without it. The engine notes the module's
 * executor epoch (EDGEAI_PARAM_EXEC_EPOCH) its cache was built under: a run
 * from position 0 starts afresh, a later run that ends under another epoch
 * fails (its job may have read a cache that was gone), and kv_lost() says so
 * before a cached prefix is reused.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <xf86drm.h>

#include "edgeai_accel.h"
#include "ea_clock.h"
#include "ea_gguf.h"
#include "ea_hash.h"
#include "edgeai_job.h"
#include "ea_cs_build.h"
#include "ea_backend_stream.h"

/* The job's BOs, in the order of its BO list. */
enum job_bo { BO_WEIGHTS, BO_KV, BO_ACT, BO_IO, N_JOB_BOS };

/* Slack on top of the module's job timeout before a wait gives up: the
 * module ends every job between 1 and 1.25 timeouts after the executor's
 * queue got it (its deadline sweep runs every quarter timeout), so this
 * only covers a module that does not. */
#define WAIT_SLACK_MS 2000
/* How long closing a session waits for the executor to drop its copies. */
#define RELEASE_WAIT_MS 1000

static const struct ea_backend_ops kmod_ops;

struct kmod {
	struct ea_backend_stream s;
	int fd;
	uint32_t queue;
	uint32_t bo[N_JOB_BOS];
	uint32_t cmd;
	uint8_t *io, *cmd_map;
	uint64_t io_bytes, cmd_bytes;
	struct ea_kjob *job;		/* in cmd_map */
	const struct ea_cs_header *cs;	/* in cmd_map, after the job record */
	__u64 pending_dirty[EA_CS_DIRTY_WORDS];
	int64_t wait_ns;
	uint8_t key[EDGEAI_SHARE_KEY_SIZE];
	uint64_t epoch;			/* the executor the KV cache was built by */
	bool profile;			/* EDGEAI_PROFILE: op times of traced jobs */
	uint64_t times_offset, times_bytes;	/* their room in the command BO */
	bool ok;			/* the last job succeeded */
};

static void kmod_free(struct ea_backend *e);
static void *io_at(const struct kmod *k, struct ea_cs_ref ref);
static ea_status run(struct ea_backend_stream *s, uint32_t program, uint32_t pos);

static enum job_bo bo_of_kind(uint32_t kind)
{
	switch (kind) {
	case EA_CS_BUF_WEIGHTS:
		return BO_WEIGHTS;
	case EA_CS_BUF_KV:
		return BO_KV;
	case EA_CS_BUF_ACT:
		return BO_ACT;
	default:
		return BO_IO;
	}
}

static uint64_t align_up(uint64_t n, uint64_t to)
{
	return (n + to - 1) / to * to;
}

static ea_status ioctl_fail(struct ea_error *err, const char *what)
{
	int e = errno;

	return ea_error_set(err, EA_ERR_ACCEL, "edgeai device: %s: %s", what, strerror(e));
}

/* The module's executor epoch, attaches since load; 0 where it cannot be read. */
static uint64_t exec_epoch(const struct kmod *k)
{
	struct drm_edgeai_get_param args = { .param = EDGEAI_PARAM_EXEC_EPOCH };

	return drmIoctl(k->fd, DRM_IOCTL_EDGEAI_GET_PARAM, &args) ? 0 : args.value;
}

static int bo_create(int fd, uint64_t bytes, uint32_t flags, uint32_t *handle)
{
	struct drm_edgeai_bo_create args = { .size = bytes, .flags = flags };

	if (drmIoctl(fd, DRM_IOCTL_EDGEAI_BO_CREATE, &args))
		return -1;
	*handle = args.handle;
	return 0;
}

static void bo_close(int fd, uint32_t handle)
{
	struct drm_gem_close args = { .handle = handle };

	if (handle)
		drmIoctl(fd, DRM_IOCTL_GEM_CLOSE, &args);
}

static void *bo_map(int fd, uint32_t handle, uint64_t bytes)
{
	struct drm_edgeai_bo_info info = { .handle = handle };
	void *map;

	if (drmIoctl(fd, DRM_IOCTL_EDGEAI_BO_INFO, &info))
		return NULL;
	map = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)info.mmap_offset);
	return map == MAP_FAILED ? NULL : map;
}

/* Where each stream buffer lives: its BO and offset, and each BO's size. */
static void lay_out(const struct ea_cs_header *cs, struct ea_kjob_binding *bind,
		    uint64_t bo_bytes[N_JOB_BOS])
{
	const struct ea_cs_buffer *bufs = ea_cs_buffers(cs);

	memset(bo_bytes, 0, N_JOB_BOS * sizeof(*bo_bytes));
	for (uint32_t i = 0; i < cs->n_buffers; i++) {
		enum job_bo bo = bo_of_kind(bufs[i].kind);

		bind[i] = (struct ea_kjob_binding){ .bo = bo, .offset = bo_bytes[bo] };
		bo_bytes[bo] += align_up(bufs[i].bytes, EA_KJOB_BO_ALIGN);
	}
}

/* The weights' name: the model's tensor data and how the stream lays it out. */
static ea_status weights_key(const struct ea_model *m, const struct ea_cs_header *cs,
			     const struct ea_kjob_binding *bind, uint8_t key[EDGEAI_SHARE_KEY_SIZE],
			     struct ea_error *err)
{
	static const char domain[] = "edgeai weights, ea_kjob 1";
	uint8_t data_hash[EA_GGUF_DATA_HASH_BYTES];
	struct ea_sha256 h;
	ea_status status = ea_gguf_data_hash(m->gguf, data_hash, err);

	if (status != EA_OK)
		return status;
	ea_sha256_init(&h);
	ea_sha256_update(&h, domain, sizeof(domain));
	ea_sha256_update(&h, data_hash, sizeof(data_hash));
	ea_sha256_update(&h, ea_cs_uploads(cs), cs->n_uploads * sizeof(struct ea_cs_upload));
	for (uint32_t i = 0; i < cs->n_buffers; i++)
		if (ea_cs_buffers(cs)[i].kind == EA_CS_BUF_WEIGHTS) {
			ea_sha256_update(&h, &ea_cs_buffers(cs)[i], sizeof(struct ea_cs_buffer));
			ea_sha256_update(&h, &bind[i].offset, sizeof(bind[i].offset));
		}
	return ea_sha256_final(&h, key, err);
}

/* A new weights BO of @bytes, filled from the model file by the stream's uploads. */
static ea_status fill_weights(struct kmod *k, const struct ea_model *m,
			      const struct ea_cs_header *cs, const struct ea_kjob_binding *bind,
			      uint64_t bytes, struct ea_error *err)
{
	const struct ea_gguf_tensor *t0 = ea_gguf_tensor_at(m->gguf, 0);
	const uint8_t *src = (const uint8_t *)t0->data - t0->offset;
	const struct ea_cs_upload *up = ea_cs_uploads(cs);
	uint8_t *map;

	if (bo_create(k->fd, bytes, EDGEAI_BO_HOST_VISIBLE, &k->bo[BO_WEIGHTS]))
		return ioctl_fail(err, "creating the weights' buffer");
	map = bo_map(k->fd, k->bo[BO_WEIGHTS], bytes);
	if (!map)
		return ioctl_fail(err, "mapping the weights' buffer");
	for (uint32_t i = 0; i < cs->n_uploads; i++)
		memcpy(map + bind[up[i].buffer].offset + up[i].offset, src + up[i].src_offset,
		       up[i].bytes);
	munmap(map, bytes);
	return EA_OK;
}

static int open_by_key(int fd, const uint8_t *key, uint32_t *handle)
{
	struct drm_edgeai_bo_open args = { 0 };

	memcpy(args.key, key, sizeof(args.key));
	if (drmIoctl(fd, DRM_IOCTL_EDGEAI_BO_OPEN, &args))
		return -1;
	*handle = args.handle;
	return 0;
}

/*
 * The shared weights: open them by key, or create, fill and publish them.
 * Publishing only a filled BO means that whoever opens it finds it whole; a
 * process that loses the race to publish (-EEXIST) drops its copy and opens
 * the winner's.
 */
static ea_status share_weights(struct kmod *k, const struct ea_model *m,
			       const struct ea_cs_header *cs, const struct ea_kjob_binding *bind,
			       uint64_t bytes, struct ea_error *err)
{
	struct drm_edgeai_bo_publish publish = { 0 };
	ea_status status;

	status = weights_key(m, cs, bind, k->key, err);
	if (status != EA_OK)
		return status;
	if (open_by_key(k->fd, k->key, &k->bo[BO_WEIGHTS]) == 0)
		return EA_OK;
	if (errno != ENOENT)
		return ioctl_fail(err, "opening the model's shared weights");
	status = fill_weights(k, m, cs, bind, bytes, err);
	if (status != EA_OK)
		return status;
	publish.handle = k->bo[BO_WEIGHTS];
	memcpy(publish.key, k->key, sizeof(publish.key));
	if (drmIoctl(k->fd, DRM_IOCTL_EDGEAI_BO_PUBLISH, &publish) == 0) {
		for (uint32_t i = 0; i < cs->n_buffers; i++)
			if (ea_cs_buffers(cs)[i].kind == EA_CS_BUF_WEIGHTS)
				ea_cs_mark_dirty(k->pending_dirty, i);
		return EA_OK;
	}
	if (errno != EEXIST)
		return ioctl_fail(err, "publishing the model's weights");
	bo_close(k->fd, k->bo[BO_WEIGHTS]);
	k->bo[BO_WEIGHTS] = 0;
	if (open_by_key(k->fd, k->key, &k->bo[BO_WEIGHTS]))
		return ioctl_fail(err, "opening the model's shared weights after losing the race "
				  "to publish them");
	return EA_OK;
}

/* The command BO: the job record, its bindings and the stream. */
static ea_status write_commands(struct kmod *k, const struct ea_cs_header *cs,
				const struct ea_kjob_binding *bind, struct ea_error *err)
{
	uint64_t stream_at = align_up(ea_kjob_bytes(cs->n_buffers), 64);
	uint64_t times_at = align_up(stream_at + cs->total_bytes, 8);
	uint32_t most_ops = cs->n_ops;
	uint8_t digest[EA_SHA256_BYTES];
	ea_status status;

	most_ops = cs->n_prompt_ops > most_ops ? cs->n_prompt_ops : most_ops;
	most_ops = cs->n_score_ops > most_ops ? cs->n_score_ops : most_ops;
	k->cmd_bytes = align_up(times_at + ea_kjob_times_bytes(most_ops), EA_KJOB_BO_ALIGN);
	if (bo_create(k->fd, k->cmd_bytes, EDGEAI_BO_HOST_VISIBLE, &k->cmd))
		return ioctl_fail(err, "creating the command buffer");
	k->cmd_map = bo_map(k->fd, k->cmd, k->cmd_bytes);
	if (!k->cmd_map)
		return ioctl_fail(err, "mapping the command buffer");
	k->job = (struct ea_kjob *)k->cmd_map;
	status = ea_sha256(cs, cs->total_bytes, digest, err);
	if (status != EA_OK)
		return status;
	*k->job = (struct ea_kjob){ .magic = EA_KJOB_MAGIC, .version = EA_KJOB_VERSION,
				    .n_buffers = cs->n_buffers, .stream_offset = stream_at,
				    .stream_bytes = cs->total_bytes };
	k->times_offset = times_at;
	k->times_bytes = ea_kjob_times_bytes(most_ops);
	memcpy(&k->job->stream_id, digest, sizeof(k->job->stream_id));
	memcpy(ea_kjob_bindings(k->job), bind, cs->n_buffers * sizeof(*bind));
	memcpy(k->cmd_map + stream_at, cs, cs->total_bytes);
	k->cs = (const struct ea_cs_header *)(k->cmd_map + stream_at);
	return EA_OK;
}

static ea_status own_buffers(struct kmod *k, const uint64_t bo_bytes[N_JOB_BOS],
			     struct ea_error *err)
{
	struct drm_edgeai_queue_create queue = { .priority = EDGEAI_PRIORITY_NORMAL };

	if (bo_create(k->fd, bo_bytes[BO_KV], 0, &k->bo[BO_KV]) ||
	    bo_create(k->fd, bo_bytes[BO_ACT], 0, &k->bo[BO_ACT]) ||
	    bo_create(k->fd, bo_bytes[BO_IO], EDGEAI_BO_HOST_VISIBLE, &k->bo[BO_IO]))
		return ioctl_fail(err, "creating the session's buffers");
	k->io_bytes = bo_bytes[BO_IO];
	k->io = bo_map(k->fd, k->bo[BO_IO], k->io_bytes);
	if (!k->io)
		return ioctl_fail(err, "mapping the session's step and output buffer");
	if (drmIoctl(k->fd, DRM_IOCTL_EDGEAI_QUEUE_CREATE, &queue))
		return ioctl_fail(err, "creating a job queue");
	k->queue = queue.queue_id;
	return EA_OK;
}

ea_status ea_backend_kmod_new(int fd, uint32_t job_timeout_ms, const struct ea_model *m,
			     struct ea_backend **out, struct ea_error *err)
{
	struct kmod *k = calloc(1, sizeof(*k));
	struct ea_kjob_binding *bind = NULL;
	uint64_t bo_bytes[N_JOB_BOS];
	struct ea_cs_header *cs = NULL;
	ea_status status;

	*out = NULL;
	if (!k)
		return ea_error_set(err, EA_ERR_NO_MEMORY, "out of memory for a session");
	k->fd = fd;
	k->wait_ns = ((int64_t)job_timeout_ms * 5 / 4 + WAIT_SLACK_MS) * 1000000;
	status = ea_cs_build(m, &cs, err);
	if (status == EA_OK && cs->n_buffers > EA_CS_MAX_BUFFERS)
		status = ea_error_set(err, EA_ERR_UNSUPPORTED, "a stream of %u buffers: kmod mode "
				      "takes at most %u", cs->n_buffers, EA_CS_MAX_BUFFERS);
	if (status == EA_OK && !(bind = calloc(cs->n_buffers, sizeof(*bind))))
		status = ea_error_set(err, EA_ERR_NO_MEMORY, "out of memory for a session");
	if (status == EA_OK) {
		lay_out(cs, bind, bo_bytes);
		status = share_weights(k, m, cs, bind, bo_bytes[BO_WEIGHTS], err);
	}
	if (status == EA_OK)
		status = own_buffers(k, bo_bytes, err);
	if (status == EA_OK)
		status = write_commands(k, cs, bind, err);
	if (status == EA_OK) {
		k->s.base.ops = &kmod_ops;
		k->s.cs = k->cs;
		k->s.step = io_at(k, k->cs->step);
		k->s.token = io_at(k, k->cs->token);
		k->s.logits = io_at(k, k->cs->logits);
		k->s.argmax = io_at(k, k->cs->argmax);
		k->s.nll = k->cs->n_score_ops ? io_at(k, k->cs->nll) : NULL;
		k->s.run = run;
		k->epoch = exec_epoch(k);
		k->profile = ea_profile_wanted();
		k->ok = true;
		*out = &k->s.base;
	} else {
		kmod_free(&k->s.base);
	}
	free(cs);
	free(bind);
	return status;
}

static bool epoch_changed(struct kmod *k)
{
	uint64_t now = exec_epoch(k);
	bool lost = now != k->epoch;

	k->epoch = now;
	return lost;
}

/* Why a job ended with @status, the module's errno for it. */
static ea_status job_failed(struct ea_error *err, int status, uint64_t job_id)
{
	const char *why = status == -EIO ? "the executor (edgeaid) went away while running it" :
			  status == -ETIMEDOUT ? "no executor finished it within the module's "
						 "job timeout (is edgeaid running?)" :
			  status == -ECANCELED ? "it was cancelled" : "the executor failed it";

	return ea_error_set(err, EA_ERR_ACCEL, "edgeai device: job %llu: %s (%s)",
			    (unsigned long long)job_id, why, strerror(-status));
}

static const char *program_name(uint32_t program)
{
	switch (program) {
	case EA_KJOB_DECODE:
		return "decode";
	case EA_KJOB_PROMPT:
		return "prompt";
	case EA_KJOB_RELEASE:
		return "release";
	case EA_KJOB_SCORE:
		return "score";
	}
	return "unknown";
}

/* The job's span in the session's trace: its id is what edgeai prof finds
 * the kernel's tracepoint events of the job by. */
static void trace_job(struct kmod *k, uint64_t job_id, uint32_t program, double start_ms,
		      int status)
{
	ea_trace_span(k->s.base.trace, "kmod", "job", start_ms, ea_now_ms(),
		      "\"job\":%llu,\"program\":\"%s\",\"status\":%d",
		      (unsigned long long)job_id, program_name(program), status);
}

/* A traced job's op times (EA_KJOB_TIMES) on the trace's GPU track, placed
 * where the executor submitted them (CLOCK_MONOTONIC, as ea_now_ms()). */
static void trace_job_ops(struct kmod *k, uint32_t program)
{
	const struct ea_kjob_times *t =
		(const struct ea_kjob_times *)(k->cmd_map + k->times_offset);
	uint32_t n = t->n_times, n_ops;
	double *ns;

	ea_kjob_program_ops(k->cs, program, &n_ops);
	if (!n || n != n_ops + 1 || ea_kjob_times_bytes(n_ops) > k->times_bytes ||
	    !(ns = malloc(n * sizeof(*ns))))
		return;
	for (uint32_t i = 0; i < n; i++)
		ns[i] = (double)t->ns[i];
	ea_backend_stream_trace_ops(&k->s, program, (double)t->submit_ns * 1e-6, ns, n);
	free(ns);
}

/*
 * Submit the job record as it stands, for a run from position @pos, and wait
 * for its end. A run from a later position reads the KV cache of the runs
 * before it: when another executor attached since they ran, that cache may
 * have been in the old one's device memory, so the run fails (EA_ERR_ACCEL)
 * even where its job succeeded. A run from 0 starts the cache afresh.
 */
static ea_status submit_and_wait(struct kmod *k, uint32_t program, uint32_t pos,
				 int64_t wait_ns, struct ea_error *err)
{
	struct drm_edgeai_submit submit = {
		.queue_id = k->queue, .cmd_handle = k->cmd, .bo_count = N_JOB_BOS,
		.cmd_size = ea_kjob_bytes(k->cs->n_buffers),
		.bo_handles = (uint64_t)(uintptr_t)k->bo,
	};
	struct drm_edgeai_wait wait = { .timeout_ns = wait_ns };
	double start_ms;

	k->job->program = program;
	k->job->flags = k->profile && k->s.base.trace ? EA_KJOB_TIMES : 0;
	k->job->times_offset = k->job->flags ? k->times_offset : 0;
	k->job->times_bytes = k->job->flags ? k->times_bytes : 0;
	memcpy(k->job->dirty, k->pending_dirty, sizeof(k->job->dirty));
	ea_cs_mark_dirty(k->job->dirty, k->cs->step.buffer);
	k->ok = false;
	if (pos == 0)
		epoch_changed(k);
	start_ms = ea_now_ms();
	if (drmIoctl(k->fd, DRM_IOCTL_EDGEAI_SUBMIT, &submit))
		return ioctl_fail(err, "submitting a job");
	memset(k->pending_dirty, 0, sizeof(k->pending_dirty));
	wait.job_id = submit.job_id;
	if (drmIoctl(k->fd, DRM_IOCTL_EDGEAI_WAIT, &wait)) {
		int e = errno;

		trace_job(k, submit.job_id, program, start_ms, -e);
		errno = e;
		if (errno == ETIME)
			return ea_error_set(err, EA_ERR_ACCEL, "edgeai device: job %llu did not end "
					    "within %lld ms", (unsigned long long)submit.job_id,
					    (long long)(wait_ns / 1000000));
		return ioctl_fail(err, "waiting for a job");
	}
	trace_job(k, submit.job_id, program, start_ms, wait.status);
	if (wait.status)
		return job_failed(err, wait.status, submit.job_id);
	if (k->job->flags & EA_KJOB_TIMES)
		trace_job_ops(k, program);
	k->ok = true;
	if (pos > 0 && epoch_changed(k))
		return ea_error_set(err, EA_ERR_ACCEL, "edgeai device: job %llu: edgeaid "
				    "restarted while the request ran, so the KV cache it "
				    "continued from may be gone; run the request again",
				    (unsigned long long)submit.job_id);
	return EA_OK;
}

/* A view of span @ref of the I/O BO. */
static void *io_at(const struct kmod *k, struct ea_cs_ref ref)
{
	return k->io + ea_kjob_bindings(k->job)[ref.buffer].offset + ref.offset;
}

static ea_status run(struct ea_backend_stream *s, uint32_t program, uint32_t pos)
{
	struct kmod *k = (struct kmod *)s;

	return submit_and_wait(k, program, pos, k->wait_ns, &s->base.error);
}

static bool kv_lost(struct ea_backend *e)
{
	return epoch_changed((struct kmod *)e);
}

static void kmod_free(struct ea_backend *e)
{
	struct kmod *k = (struct kmod *)e;

	struct drm_edgeai_queue_destroy queue;
	struct ea_error ignored;

	if (!k)
		return;
	/* Let a live executor drop its copies now rather than when they idle out. */
	if (k->job && k->ok && k->queue)
		submit_and_wait(k, EA_KJOB_RELEASE, 0, RELEASE_WAIT_MS * 1000000ll, &ignored);
	if (k->io)
		munmap(k->io, k->io_bytes);
	if (k->cmd_map)
		munmap(k->cmd_map, k->cmd_bytes);
	for (int i = 0; i < N_JOB_BOS; i++)
		bo_close(k->fd, k->bo[i]);
	bo_close(k->fd, k->cmd);
	/* -EBUSY while a job of it has not ended: the queue then goes with the file. */
	queue = (struct drm_edgeai_queue_destroy){ .queue_id = k->queue };
	if (k->queue)
		drmIoctl(k->fd, DRM_IOCTL_EDGEAI_QUEUE_DESTROY, &queue);
	free(k);
}

static const struct ea_backend_ops kmod_ops = {
	.name = "Vulkan (edgeaid)",
	EA_BACKEND_STREAM_OPS,
	.kv_lost = kv_lost,
	.free = kmod_free,
};

// SPDX-License-Identifier: MIT
/* ea_kmod_session - a model's command stream run through the edgeai module (see the header). */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <xf86drm.h>

#include "edgeai_accel.h"
#include "ea_gguf.h"
#include "ea_hash.h"
#include "ea_kmod_job.h"
#include "ea_kmod_session.h"

/* The job's BOs, in the order of its BO list. */
enum job_bo { BO_WEIGHTS, BO_KV, BO_ACT, BO_IO, N_JOB_BOS };

/* Slack on top of the module's job timeout before a wait gives up: the
 * module ends every job between 1 and 1.25 timeouts after the executor's
 * queue got it (its deadline sweep runs every quarter timeout), so this
 * only covers a module that does not. */
#define WAIT_SLACK_MS 2000
/* How long closing a session waits for the executor to drop its copies. */
#define RELEASE_WAIT_MS 1000

struct ea_kmod_session {
	int fd;
	uint32_t queue;
	uint32_t bo[N_JOB_BOS];
	uint32_t cmd;
	uint8_t *io, *cmd_map;
	uint64_t io_bytes, cmd_bytes;
	struct ea_kjob *job;		/* in cmd_map */
	const struct ea_cs_header *cs;	/* in cmd_map, after the job record */
	uint64_t step_at, token_at, logits_at;	/* in io */
	uint64_t pending_dirty[EA_CS_DIRTY_WORDS];
	int64_t wait_ns;
	uint8_t key[EDGEAI_SHARE_KEY_SIZE];
	uint64_t epoch;			/* the executor the KV cache was built by */
	bool ok;			/* the last job succeeded */
};

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
static uint64_t exec_epoch(const struct ea_kmod_session *k)
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
static ea_status fill_weights(struct ea_kmod_session *k, const struct ea_model *m,
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
static ea_status share_weights(struct ea_kmod_session *k, const struct ea_model *m,
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
static ea_status write_commands(struct ea_kmod_session *k, const struct ea_cs_header *cs,
				const struct ea_kjob_binding *bind, struct ea_error *err)
{
	uint64_t stream_at = align_up(ea_kjob_bytes(cs->n_buffers), 64);
	uint8_t digest[EA_SHA256_BYTES];
	ea_status status;

	k->cmd_bytes = align_up(stream_at + cs->total_bytes, EA_KJOB_BO_ALIGN);
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
	memcpy(&k->job->stream_id, digest, sizeof(k->job->stream_id));
	memcpy(ea_kjob_bindings(k->job), bind, cs->n_buffers * sizeof(*bind));
	memcpy(k->cmd_map + stream_at, cs, cs->total_bytes);
	k->cs = (const struct ea_cs_header *)(k->cmd_map + stream_at);
	return EA_OK;
}

static ea_status own_buffers(struct ea_kmod_session *k, const uint64_t bo_bytes[N_JOB_BOS],
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

ea_status ea_kmod_session_new(int fd, uint32_t job_timeout_ms, const struct ea_model *m,
			      struct ea_kmod_session **out, struct ea_error *err)
{
	struct ea_kmod_session *k = calloc(1, sizeof(*k));
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
		const struct ea_kjob_binding *b = ea_kjob_bindings(k->job);

		k->step_at = b[k->cs->step.buffer].offset + k->cs->step.offset;
		k->token_at = b[k->cs->token.buffer].offset + k->cs->token.offset;
		k->logits_at = b[k->cs->logits.buffer].offset + k->cs->logits.offset;
		k->epoch = exec_epoch(k);
		k->ok = true;
		*out = k;
	} else {
		ea_kmod_session_free(k);
	}
	free(cs);
	free(bind);
	return status;
}

bool ea_kmod_session_kv_lost(struct ea_kmod_session *k)
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

/*
 * Submit the job record as it stands, for a run from position @pos, and wait
 * for its end. A run from a later position reads the KV cache of the runs
 * before it: when another executor attached since they ran, that cache may
 * have been in the old one's device memory, so the run fails (EA_ERR_ACCEL)
 * even where its job succeeded. A run from 0 starts the cache afresh.
 */
static ea_status submit_and_wait(struct ea_kmod_session *k, uint32_t program, uint32_t pos,
				 int64_t wait_ns, struct ea_error *err)
{
	struct drm_edgeai_submit submit = {
		.queue_id = k->queue, .cmd_handle = k->cmd, .bo_count = N_JOB_BOS,
		.cmd_size = ea_kjob_bytes(k->cs->n_buffers),
		.bo_handles = (uint64_t)(uintptr_t)k->bo,
	};
	struct drm_edgeai_wait wait = { .timeout_ns = wait_ns };

	k->job->program = program;
	memcpy(k->job->dirty, k->pending_dirty, sizeof(k->job->dirty));
	ea_cs_mark_dirty(k->job->dirty, k->cs->step.buffer);
	k->ok = false;
	if (pos == 0)
		ea_kmod_session_kv_lost(k);
	if (drmIoctl(k->fd, DRM_IOCTL_EDGEAI_SUBMIT, &submit))
		return ioctl_fail(err, "submitting a job");
	memset(k->pending_dirty, 0, sizeof(k->pending_dirty));
	wait.job_id = submit.job_id;
	if (drmIoctl(k->fd, DRM_IOCTL_EDGEAI_WAIT, &wait)) {
		if (errno == ETIME)
			return ea_error_set(err, EA_ERR_ACCEL, "edgeai device: job %llu did not end "
					    "within %lld ms", (unsigned long long)submit.job_id,
					    (long long)(wait_ns / 1000000));
		return ioctl_fail(err, "waiting for a job");
	}
	if (wait.status)
		return job_failed(err, wait.status, submit.job_id);
	k->ok = true;
	if (pos > 0 && ea_kmod_session_kv_lost(k))
		return ea_error_set(err, EA_ERR_ACCEL, "edgeai device: job %llu: edgeaid "
				    "restarted while the request ran, so the KV cache it "
				    "continued from may be gone; run the request again",
				    (unsigned long long)submit.job_id);
	return EA_OK;
}

ea_status ea_kmod_session_step(struct ea_kmod_session *k, uint32_t token, uint32_t pos,
			       struct ea_error *err)
{
	struct ea_cs_step step = { .pos = pos, .n_tokens = 1 };

	if (pos >= k->cs->n_ctx || token >= k->cs->n_vocab)
		return ea_error_set(err, EA_ERR_INVALID_ARGUMENT, "token %u at position %u: "
				    "outside the vocabulary of %u or the context of %u", token, pos,
				    k->cs->n_vocab, k->cs->n_ctx);
	memcpy(k->io + k->step_at, &step, sizeof(step));
	memcpy(k->io + k->token_at, &token, sizeof(token));
	return submit_and_wait(k, EA_KJOB_DECODE, pos, k->wait_ns, err);
}

ea_status ea_kmod_session_prompt(struct ea_kmod_session *k, const uint32_t *tokens, uint32_t n,
				 uint32_t pos0, struct ea_error *err)
{
	uint32_t batch = k->cs->prompt_tokens;
	ea_status status = EA_OK;

	if (n == 0 || pos0 >= k->cs->n_ctx || n > k->cs->n_ctx - pos0)
		return ea_error_set(err, EA_ERR_INVALID_ARGUMENT, "a prompt of %u tokens at "
				    "position %u does not fit the context of %u tokens", n, pos0,
				    k->cs->n_ctx);
	for (uint32_t i = 0; i < n; i++)
		if (tokens[i] >= k->cs->n_vocab)
			return ea_error_set(err, EA_ERR_INVALID_ARGUMENT, "prompt token %u is %u, "
					    "not in the vocabulary of %u", i, tokens[i],
					    k->cs->n_vocab);
	if (!k->cs->n_prompt_ops) {
		for (uint32_t i = 0; i < n && status == EA_OK; i++)
			status = ea_kmod_session_step(k, tokens[i], pos0 + i, err);
		return status;
	}
	for (uint32_t done = 0; done < n && status == EA_OK;) {
		uint32_t run = n - done < batch ? n - done : batch;
		struct ea_cs_step step = { .pos = pos0 + done, .n_tokens = run };

		memcpy(k->io + k->step_at, &step, sizeof(step));
		memcpy(k->io + k->token_at, tokens + done, run * sizeof(*tokens));
		status = submit_and_wait(k, EA_KJOB_PROMPT, pos0 + done, k->wait_ns, err);
		done += run;
	}
	return status;
}

const float *ea_kmod_session_logits(const struct ea_kmod_session *k)
{
	return (const float *)(k->io + k->logits_at);
}

const uint8_t *ea_kmod_session_weights_key(const struct ea_kmod_session *k)
{
	return k->key;
}

void ea_kmod_session_free(struct ea_kmod_session *k)
{
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

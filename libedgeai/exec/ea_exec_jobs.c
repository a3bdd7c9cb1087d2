// SPDX-License-Identifier: MIT
/* ea_exec_jobs - kmod-mode jobs on the executor, with what each stream needs kept (see the header). */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "edgeai_accel.h"
#include "edgeai_job.h"
#include "ea_vk_compute.h"
#include "ea_cs_validate.h"
#include "ea_exec.h"
#include "ea_vk_hostmem.h"
#include "ea_exec_jobs.h"

enum bo_copy {
	COPY_NONE,	/* mapped only (a command BO) */
	COPY_IMPORTED,	/* the mapping is the device's memory */
	COPY_HOST,	/* a host-visible copy: step blocks and outputs */
	COPY_LOCAL,	/* a device-local copy */
};

struct cached_bo {
	uint64_t id, size;
	uint8_t *map;
	enum bo_copy copy;
	struct ea_vk_buffer buf;
	bool uploaded;		/* the copy holds the BO's bytes */
	bool holds_kv;		/* kernels keep state in it: write back before dropping */
	uint32_t users;		/* streams bound to it */
	uint64_t last_used;
};

struct cached_stream {
	struct cached_bo *cmd;
	uint64_t stream_id;
	uint32_t n_bos, n_buffers;
	struct cached_bo *bos[EDGEAI_MAX_JOB_BOS];	/* by index in the job's list */
	struct ea_kjob_binding *bind;
	struct ea_cs_header *cs;	/* our validated copy */
	struct ea_exec *x;
	uint64_t last_used;
};

struct ea_exec_jobs {
	struct ea_vk *vk;
	enum ea_exec_memory memory;
	struct ea_job_mapper mapper;
	struct cached_bo **bos;
	uint32_t n_bos, cap_bos;
	struct cached_stream **streams;
	uint32_t n_streams, cap_streams;
	struct ea_exec_jobs_stats stats;
	struct ea_kjob_binding bind[EA_CS_MAX_BUFFERS];	/* the job's, copied */
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static bool grow(void **array, uint32_t n, uint32_t *cap)
{
	void *bigger;

	if (n < *cap)
		return true;
	bigger = realloc(*array, (*cap ? *cap * 2 : 16) * sizeof(void *));
	if (!bigger)
		return false;
	*array = bigger;
	*cap = *cap ? *cap * 2 : 16;
	return true;
}

struct ea_exec_jobs *ea_exec_jobs_new(struct ea_vk *vk, enum ea_exec_memory memory,
				      const struct ea_job_mapper *mapper)
{
	struct ea_exec_jobs *ex = calloc(1, sizeof(*ex));

	if (!ex)
		return NULL;
	ex->vk = vk;
	ex->memory = memory;
	ex->mapper = *mapper;
	return ex;
}

/* The BO @desc, mapped on first sight. */
static struct cached_bo *get_bo(struct ea_exec_jobs *ex, const struct ea_job_bo *desc)
{
	struct cached_bo *bo;

	for (uint32_t i = 0; i < ex->n_bos; i++)
		if (ex->bos[i]->id == desc->id && ex->bos[i]->size == desc->size)
			return ex->bos[i];
	if (!grow((void **)&ex->bos, ex->n_bos, &ex->cap_bos) || !(bo = calloc(1, sizeof(*bo))))
		return NULL;
	bo->map = ex->mapper.map(ex->mapper.ctx, desc);
	if (!bo->map) {
		free(bo);
		return NULL;
	}
	bo->id = desc->id;
	bo->size = desc->size;
	ex->bos[ex->n_bos++] = bo;
	ex->stats.bos_mapped++;
	return bo;
}

/* Forget @bo: its device copy (written back first when it keeps state) and its mapping. */
static void drop_bo(struct ea_exec_jobs *ex, struct cached_bo *bo, bool write_back)
{
	struct ea_error ignored;

	if (write_back && bo->copy == COPY_LOCAL && bo->holds_kv && bo->uploaded)
		ea_vk_buffer_read(ex->vk, &bo->buf, 0, bo->map, bo->size, &ignored);
	if (bo->buf.buffer)
		ea_vk_buffer_destroy(ex->vk, &bo->buf);
	ex->mapper.unmap(ex->mapper.ctx, bo->map, bo->size);
	for (uint32_t i = 0; i < ex->n_bos; i++)
		if (ex->bos[i] == bo) {
			ex->bos[i] = ex->bos[--ex->n_bos];
			break;
		}
	free(bo);
}

static void free_stream(struct ea_exec_jobs *ex, struct cached_stream *s)
{
	ea_exec_free(s->x);
	for (uint32_t i = 0; i < s->n_bos; i++)
		if (s->bos[i])
			s->bos[i]->users--;
	s->cmd->users--;
	for (uint32_t i = 0; i < ex->n_streams; i++)
		if (ex->streams[i] == s) {
			ex->streams[i] = ex->streams[--ex->n_streams];
			break;
		}
	free(s->bind);
	free(s->cs);
	free(s);
}

void ea_exec_jobs_evict(struct ea_exec_jobs *ex, uint64_t idle_ns)
{
	uint64_t now = now_ns();

	for (uint32_t i = ex->n_streams; i-- > 0;)
		if (now - ex->streams[i]->last_used >= idle_ns)
			free_stream(ex, ex->streams[i]);
	for (uint32_t i = ex->n_bos; i-- > 0;)
		if (!ex->bos[i]->users && now - ex->bos[i]->last_used >= idle_ns)
			drop_bo(ex, ex->bos[i], true);
}

void ea_exec_jobs_free(struct ea_exec_jobs *ex)
{
	if (!ex)
		return;
	while (ex->n_streams)
		free_stream(ex, ex->streams[0]);
	while (ex->n_bos)
		drop_bo(ex, ex->bos[0], false);
	free(ex->streams);
	free(ex->bos);
	free(ex);
}

const struct ea_exec_jobs_stats *ea_exec_jobs_stats(const struct ea_exec_jobs *ex)
{
	return &ex->stats;
}

static struct cached_stream *find_stream(struct ea_exec_jobs *ex, const struct cached_bo *cmd,
					 const struct ea_kjob *job,
					 const struct ea_kjob_binding *bind,
					 struct cached_bo *const *bos, uint32_t n_bos)
{
	for (uint32_t i = 0; i < ex->n_streams; i++) {
		struct cached_stream *s = ex->streams[i];

		if (s->cmd == cmd && s->stream_id == job->stream_id && s->n_bos == n_bos &&
		    s->n_buffers == job->n_buffers &&
		    memcmp(s->bos, bos, n_bos * sizeof(*bos)) == 0 &&
		    memcmp(s->bind, bind, job->n_buffers * sizeof(*bind)) == 0)
			return s;
	}
	return NULL;
}

/* The device copy of @bo for the stream buffers of @kinds bound to it. */
static int set_up_copy(struct ea_exec_jobs *ex, struct cached_bo *bo, uint32_t kinds,
		       struct ea_error *why)
{
	bool host = kinds & (1u << EA_CS_BUF_STEP | 1u << EA_CS_BUF_OUTPUT);

	bo->holds_kv |= (kinds >> EA_CS_BUF_KV) & 1;
	if (bo->copy != COPY_NONE)
		return 0;
	if (ex->memory == EA_EXEC_MEMORY_IMPORT &&
	    ea_vk_buffer_import_host(ex->vk, bo->map, bo->size, &bo->buf, why) == EA_OK) {
		bo->copy = COPY_IMPORTED;
		return 0;
	}
	if ((host ? ea_vk_buffer_create(ex->vk, bo->size, &bo->buf, why) :
		    ea_vk_buffer_create_local(ex->vk, bo->size, &bo->buf, why)) != EA_OK)
		return -ENOMEM;
	bo->copy = host ? COPY_HOST : COPY_LOCAL;
	return 0;
}

/* Check the stream and its bindings, bind its buffers and record it. */
static int build_stream(struct ea_exec_jobs *ex, struct cached_bo *cmd, const struct ea_kjob *job,
			const struct ea_kjob_binding *bind, struct cached_bo *const *bos,
			uint32_t n_bos, struct cached_stream **out, struct ea_error *why)
{
	struct ea_vk_span *spans = NULL;
	uint32_t kinds[EDGEAI_MAX_JOB_BOS] = { 0 };
	const struct ea_cs_buffer *bufs;
	struct cached_stream *s;
	int ret = -EINVAL;

	if (job->stream_offset % 8 || job->stream_offset > cmd->size ||
	    job->stream_bytes > cmd->size - job->stream_offset ||
	    job->stream_bytes < sizeof(struct ea_cs_header)) {
		ea_error_set(why, EA_ERR_FORMAT, "the stream (%llu bytes at %llu) is not inside "
			     "its command BO of %llu", (unsigned long long)job->stream_bytes,
			     (unsigned long long)job->stream_offset,
			     (unsigned long long)cmd->size);
		return -EINVAL;
	}
	s = calloc(1, sizeof(*s));
	if (!s || !(s->cs = malloc(job->stream_bytes)) ||
	    !(s->bind = malloc(job->n_buffers * sizeof(*bind)))) {
		ret = -ENOMEM;
		goto fail;
	}
	memcpy(s->cs, cmd->map + job->stream_offset, job->stream_bytes);
	memcpy(s->bind, bind, job->n_buffers * sizeof(*bind));
	if (ea_cs_validate(s->cs, job->stream_bytes, UINT64_MAX, why) != EA_OK)
		goto fail;
	if (s->cs->n_buffers != job->n_buffers) {
		ea_error_set(why, EA_ERR_FORMAT, "%u bindings for a stream of %u buffers",
			     job->n_buffers, s->cs->n_buffers);
		goto fail;
	}
	bufs = ea_cs_buffers(s->cs);
	for (uint32_t i = 0; i < job->n_buffers; i++) {
		const struct ea_kjob_binding *b = &bind[i];

		if (b->bo >= n_bos || b->reserved || b->offset % EA_KJOB_BO_ALIGN ||
		    b->offset > bos[b->bo]->size || bufs[i].bytes > bos[b->bo]->size - b->offset) {
			ea_error_set(why, EA_ERR_FORMAT, "buffer %u (%llu bytes) is not inside BO %u "
				     "at offset %llu", i, (unsigned long long)bufs[i].bytes, b->bo,
				     (unsigned long long)b->offset);
			goto fail;
		}
		kinds[b->bo] |= 1u << bufs[i].kind;
	}
	spans = calloc(job->n_buffers, sizeof(*spans));
	if (!spans) {
		ret = -ENOMEM;
		goto fail;
	}
	for (uint32_t i = 0; i < n_bos; i++)
		if (kinds[i] && (ret = set_up_copy(ex, bos[i], kinds[i], why)))
			goto fail;
	for (uint32_t i = 0; i < job->n_buffers; i++)
		spans[i] = (struct ea_vk_span){ .buf = &bos[bind[i].bo]->buf,
						.offset = bind[i].offset,
						.size = bufs[i].bytes };
	ret = -EINVAL;
	if (ea_exec_new_bound(ex->vk, s->cs, spans, &s->x, why) != EA_OK)
		goto fail;
	free(spans);
	spans = NULL;
	if (!grow((void **)&ex->streams, ex->n_streams, &ex->cap_streams)) {
		ret = -ENOMEM;
		goto fail;
	}
	s->cmd = cmd;
	s->stream_id = job->stream_id;
	s->n_bos = n_bos;
	s->n_buffers = job->n_buffers;
	for (uint32_t i = 0; i < n_bos; i++) {
		s->bos[i] = kinds[i] ? bos[i] : NULL;
		if (s->bos[i])
			s->bos[i]->users++;
	}
	cmd->users++;
	ex->streams[ex->n_streams++] = s;
	ex->stats.recordings++;
	*out = s;
	return 0;
fail:
	free(spans);
	if (s) {
		ea_exec_free(s->x);
		free(s->bind);
		free(s->cs);
		free(s);
	}
	return ret;
}

/* Copy mode: first uploads, then the buffers the job marks changed. */
static int copy_in(struct ea_exec_jobs *ex, struct cached_stream *s, const __u64 *dirty,
		   struct ea_error *why)
{
	bool fresh[EDGEAI_MAX_JOB_BOS] = { false };
	const struct ea_cs_buffer *bufs = ea_cs_buffers(s->cs);

	for (uint32_t i = 0; i < s->n_bos; i++) {
		struct cached_bo *bo = s->bos[i];

		if (!bo || bo->copy == COPY_IMPORTED || bo->uploaded)
			continue;
		if (bo->copy == COPY_HOST)
			memcpy(bo->buf.map, bo->map, bo->size);
		else if (ea_vk_buffer_write(ex->vk, &bo->buf, 0, bo->map, bo->size, why) != EA_OK)
			return -EIO;
		bo->uploaded = fresh[i] = true;
		ex->stats.bytes_uploaded += bo->size;
	}
	for (uint32_t i = 0; i < s->n_buffers; i++) {
		struct cached_bo *bo = s->bos[s->bind[i].bo];
		uint64_t at = s->bind[i].offset;

		if (!ea_cs_is_dirty(dirty, i) || fresh[s->bind[i].bo] || bo->copy == COPY_IMPORTED)
			continue;
		if (bo->copy == COPY_HOST)
			memcpy((uint8_t *)bo->buf.map + at, bo->map + at, bufs[i].bytes);
		else if (ea_vk_buffer_write(ex->vk, &bo->buf, at, bo->map + at, bufs[i].bytes,
					    why) != EA_OK)
			return -EIO;
		ex->stats.bytes_uploaded += bufs[i].bytes;
	}
	return 0;
}

/* Copy mode: the outputs back into their BOs. */
static int copy_out(struct ea_exec_jobs *ex, struct cached_stream *s, struct ea_error *why)
{
	const struct ea_cs_buffer *bufs = ea_cs_buffers(s->cs);

	for (uint32_t i = 0; i < s->n_buffers; i++) {
		struct cached_bo *bo = s->bos[s->bind[i].bo];
		uint64_t at = s->bind[i].offset;

		if (bufs[i].kind != EA_CS_BUF_OUTPUT || bo->copy == COPY_IMPORTED)
			continue;
		if (bo->copy == COPY_HOST)
			memcpy(bo->map + at, (uint8_t *)bo->buf.map + at, bufs[i].bytes);
		else if (ea_vk_buffer_read(ex->vk, &bo->buf, at, bo->map + at, bufs[i].bytes,
					   why) != EA_OK)
			return -EIO;
	}
	return 0;
}

/* @s and its BOs were used at @when: idle time counts from the end of a job. */
static void touch(struct cached_stream *s, uint64_t when)
{
	s->last_used = when;
	s->cmd->last_used = when;
	for (uint32_t i = 0; i < s->n_bos; i++)
		if (s->bos[i])
			s->bos[i]->last_used = when;
}

/* The record and its bindings, copied out of the command BO (the client may write it). */
static int read_record(const struct cached_bo *cmd, uint64_t cmd_offset, uint64_t cmd_size,
		       struct ea_kjob *job, struct ea_kjob_binding *bind, struct ea_error *why)
{
	if (cmd_offset > cmd->size || cmd_size > cmd->size - cmd_offset ||
	    cmd_size < sizeof(*job)) {
		ea_error_set(why, EA_ERR_FORMAT, "a command of %llu bytes at %llu: no job record",
			     (unsigned long long)cmd_size, (unsigned long long)cmd_offset);
		return -EINVAL;
	}
	memcpy(job, cmd->map + cmd_offset, sizeof(*job));
	if (job->magic != EA_KJOB_MAGIC || job->version != EA_KJOB_VERSION ||
	    job->program < EA_KJOB_DECODE || job->program > EA_KJOB_SCORE ||
	    job->n_buffers > EA_CS_MAX_BUFFERS || cmd_size < ea_kjob_bytes(job->n_buffers)) {
		ea_error_set(why, EA_ERR_FORMAT, "not an edgeai job record of version %u (magic "
			     "%#x, version %u, program %u, %u buffers in %llu bytes)",
			     EA_KJOB_VERSION, job->magic, job->version, job->program,
			     job->n_buffers, (unsigned long long)cmd_size);
		return -EINVAL;
	}
	if ((job->flags & ~EA_KJOB_TIMES) || job->reserved ||
	    (!(job->flags & EA_KJOB_TIMES) && (job->times_offset || job->times_bytes)) ||
	    ((job->flags & EA_KJOB_TIMES) &&
	     (job->times_offset % 8 || job->times_offset > cmd->size ||
	      job->times_bytes > cmd->size - job->times_offset ||
	      job->times_bytes < sizeof(struct ea_kjob_times)))) {
		ea_error_set(why, EA_ERR_FORMAT, "a job record with flags %#x, reserved %u and "
			     "op times of %llu bytes at %llu in a command BO of %llu bytes",
			     job->flags, job->reserved, (unsigned long long)job->times_bytes,
			     (unsigned long long)job->times_offset, (unsigned long long)cmd->size);
		return -EINVAL;
	}
	memcpy(bind, cmd->map + cmd_offset + sizeof(*job), job->n_buffers * sizeof(*bind));
	return 0;
}

/* EA_KJOB_TIMES: the run's op times into the command BO (without timestamps
 * when the program's do not fit the room the record gives). */
static void write_times(struct cached_bo *cmd, const struct ea_kjob *job, struct ea_exec *x,
			uint64_t submit_ns, uint64_t end_ns)
{
	struct ea_kjob_times t = { .submit_ns = submit_ns, .end_ns = end_ns };
	uint8_t *at = cmd->map + job->times_offset;
	const struct ea_cs_op *ops;
	double *ns = NULL;
	uint32_t n;

	t.n_ops = ea_exec_program_ops(x, job->program, &ops);
	n = t.n_ops + 1;
	if (ea_kjob_times_bytes(t.n_ops) <= job->times_bytes && (ns = malloc(n * sizeof(*ns))) &&
	    ea_exec_program_times(x, job->program, ns, n)) {
		for (uint32_t i = 0; i < n; i++) {
			uint64_t v = (uint64_t)(ns[i] + 0.5);

			memcpy(at + sizeof(t) + i * sizeof(v), &v, sizeof(v));
		}
		t.n_times = n;
	}
	free(ns);
	memcpy(at, &t, sizeof(t));
}

/* A RELEASE job: drop the stream, and the BOs no other stream uses. */
static void release_stream(struct ea_exec_jobs *ex, struct cached_stream *s)
{
	struct cached_bo *bos[EDGEAI_MAX_JOB_BOS + 1];
	uint32_t n = 0;

	bos[n++] = s->cmd;
	for (uint32_t i = 0; i < s->n_bos; i++)
		if (s->bos[i])
			bos[n++] = s->bos[i];
	free_stream(ex, s);
	for (uint32_t i = 0; i < n; i++) {
		bool seen = false;

		for (uint32_t j = 0; j < i; j++)
			seen |= bos[j] == bos[i];
		if (!seen && !bos[i]->users)
			drop_bo(ex, bos[i], false);
	}
}

int ea_exec_jobs_job(struct ea_exec_jobs *ex, const struct ea_job_bo *cmd_desc,
		     uint64_t cmd_offset, uint64_t cmd_size, const struct ea_job_bo *descs,
		     uint32_t n_bos, uint64_t *device_ns, struct ea_error *why)
{
	struct ea_kjob_binding *bind = ex->bind;
	struct cached_bo *bos[EDGEAI_MAX_JOB_BOS], *cmd;
	struct cached_stream *s;
	struct ea_kjob job;
	uint64_t start;
	int ret;

	*device_ns = 0;
	ex->stats.jobs++;
	if (n_bos > EDGEAI_MAX_JOB_BOS)
		return -EINVAL;
	cmd = get_bo(ex, cmd_desc);
	for (uint32_t i = 0; cmd && i < n_bos; i++)
		if (!(bos[i] = get_bo(ex, &descs[i])))
			cmd = NULL;
	if (!cmd) {
		ea_error_set(why, EA_ERR_NO_MEMORY, "cannot map the job's buffer objects");
		return -ENOMEM;
	}
	start = now_ns();
	cmd->last_used = start;
	for (uint32_t i = 0; i < n_bos; i++)
		bos[i]->last_used = start;
	ret = read_record(cmd, cmd_offset, cmd_size, &job, bind, why);
	if (ret)
		return ret;
	s = find_stream(ex, cmd, &job, bind, bos, n_bos);
	if (job.program == EA_KJOB_RELEASE) {
		if (s)
			release_stream(ex, s);
		return 0;
	}
	if (s)
		ex->stats.replays++;
	else if ((ret = build_stream(ex, cmd, &job, bind, bos, n_bos, &s, why)))
		return ret;
	s->last_used = start;
	if ((ret = copy_in(ex, s, job.dirty, why)))
		return ret;
	if (ea_exec_set_profile(s->x, job.flags & EA_KJOB_TIMES) != EA_OK) {
		ea_error_set(why, EA_ERR_VULKAN, "recording the stream %s timestamps: %s",
			     job.flags & EA_KJOB_TIMES ? "with" : "without", ea_exec_error(s->x));
		free_stream(ex, s);
		return -EIO;
	}
	start = now_ns();
	if (ea_exec_run(s->x, job.program) != EA_OK) {
		ea_error_set(why, EA_ERR_VULKAN, "%s", ea_exec_error(s->x));
		return -EIO;
	}
	*device_ns = now_ns() - start;
	if (job.flags & EA_KJOB_TIMES)
		write_times(cmd, &job, s->x, start, start + *device_ns);
	ret = copy_out(ex, s, why);
	touch(s, now_ns());
	return ret;
}

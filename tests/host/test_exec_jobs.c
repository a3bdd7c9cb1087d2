// SPDX-License-Identifier: MIT
/*
 * The executor's kmod-mode job runner (libedgeai/exec/ea_exec_jobs.h) on the
 * host, without the module: a model's stream laid out over four "BOs" of
 * plain memory as the kmod backend lays it out (weights, KV caches,
 * activations, step block and outputs), a command BO holding the job record
 * (uapi/edgeai_job.h) and the stream, and jobs run by ea_exec_jobs_job() as
 * edgeaid runs them after a fetch. In both residency modes (import: the BOs'
 * pages are the device's memory; copy: device copies refreshed by the dirty
 * mask) a prompt, decode steps and a score job give the very logits and NLL
 * of the direct backend, which runs the same executor over its own buffers;
 * later jobs replay the recording, RELEASE drops it, and a broken record
 * fails with -EINVAL and a message. A job that asks for its op times
 * (EA_KJOB_TIMES) gets one device timestamp an op boundary in the command
 * BO and the same logits.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "edgeai_job.h"
#include "ea_backend.h"
#include "ea_cs_build.h"
#include "ea_device.h"
#include "ea_exec_jobs.h"
#include "ea_tap.h"
#include "ea_test_logits.h"
#include "ea_test_tool.h"

enum { BO_WEIGHTS, BO_KV, BO_ACT, BO_IO, N_BOS };

struct mem_bo {
	struct ea_job_bo desc;
	uint8_t *mem;
};

/* The command BO, then the job's BOs; ids are their indices + 1. */
struct layout {
	struct mem_bo cmd, bo[N_BOS];
	struct ea_kjob *job;
	const struct ea_cs_header *cs;	/* in the command BO */
	uint64_t record_bytes;
	uint64_t times_at, times_room;	/* room for op times after the stream */
};

static void *map_mem(void *ctx, const struct ea_job_bo *bo)
{
	struct layout *l = ctx;

	if (bo->id == l->cmd.desc.id)
		return l->cmd.mem;
	return bo->id >= 2 && bo->id < 2 + N_BOS ? l->bo[bo->id - 2].mem : NULL;
}

static void unmap_mem(void *ctx, void *map, uint64_t size)
{
	(void)ctx;
	(void)map;
	(void)size;
}

static uint64_t align_up(uint64_t n, uint64_t to)
{
	return (n + to - 1) / to * to;
}

static bool bo_alloc(struct mem_bo *b, uint64_t id, uint64_t bytes)
{
	bytes = align_up(bytes ? bytes : 1, EA_KJOB_BO_ALIGN);
	b->mem = aligned_alloc(EA_KJOB_BO_ALIGN, bytes);
	b->desc = (struct ea_job_bo){ .id = id, .size = bytes, .handle = (uint32_t)id };
	if (b->mem)
		memset(b->mem, 0, bytes);
	return b->mem != NULL;
}

static int kind_bo(uint32_t kind)
{
	return kind == EA_CS_BUF_WEIGHTS ? BO_WEIGHTS : kind == EA_CS_BUF_KV ? BO_KV :
	       kind == EA_CS_BUF_ACT ? BO_ACT : BO_IO;
}

/* @m's stream laid out as the kmod backend lays it out, the weights uploaded. */
static bool lay_out(const struct ea_model *m, struct layout *l)
{
	struct ea_cs_header *cs = NULL;
	struct ea_error err;
	struct ea_kjob_binding *bind;
	uint64_t bytes[N_BOS] = { 0 }, stream_at, src_bytes, most_ops;
	const uint8_t *src = ea_cs_tensor_data(m, &src_bytes);
	const struct ea_cs_upload *up;
	bool ok = ea_cs_build(m, &cs, &err) == EA_OK;

	if (!ok)
		return false;
	stream_at = align_up(ea_kjob_bytes(cs->n_buffers), 64);
	most_ops = cs->n_ops > cs->n_prompt_ops ? cs->n_ops : cs->n_prompt_ops;
	l->times_at = align_up(stream_at + cs->total_bytes, 8);
	l->times_room = ea_kjob_times_bytes((uint32_t)most_ops);
	ok = bo_alloc(&l->cmd, 1, l->times_at + l->times_room);
	l->job = (struct ea_kjob *)l->cmd.mem;
	bind = ok ? ea_kjob_bindings(l->job) : NULL;
	for (uint32_t i = 0; ok && i < cs->n_buffers; i++) {
		int b = kind_bo(ea_cs_buffers(cs)[i].kind);

		bind[i] = (struct ea_kjob_binding){ .bo = (uint32_t)b, .offset = bytes[b] };
		bytes[b] += align_up(ea_cs_buffers(cs)[i].bytes, EA_KJOB_BO_ALIGN);
	}
	for (int b = 0; ok && b < N_BOS; b++)
		ok = bo_alloc(&l->bo[b], 2 + (uint64_t)b, bytes[b]);
	if (ok) {
		*l->job = (struct ea_kjob){ .magic = EA_KJOB_MAGIC, .version = EA_KJOB_VERSION,
					    .n_buffers = cs->n_buffers, .stream_offset = stream_at,
					    .stream_bytes = cs->total_bytes, .stream_id = 42 };
		memcpy(l->cmd.mem + stream_at, cs, cs->total_bytes);
		l->cs = (const struct ea_cs_header *)(l->cmd.mem + stream_at);
		l->record_bytes = ea_kjob_bytes(cs->n_buffers);
		up = ea_cs_uploads(l->cs);
		for (uint32_t i = 0; i < l->cs->n_uploads; i++)
			memcpy(l->bo[BO_WEIGHTS].mem + bind[up[i].buffer].offset + up[i].offset,
			       src + up[i].src_offset, up[i].bytes);
		for (uint32_t i = 0; i < l->cs->n_buffers; i++)	/* all new to the executor */
			ea_cs_mark_dirty(l->job->dirty, i);
	}
	free(cs);
	return ok;
}

static void layout_free(struct layout *l)
{
	free(l->cmd.mem);
	for (int b = 0; b < N_BOS; b++)
		free(l->bo[b].mem);
}

static void *io(struct layout *l, struct ea_cs_ref ref)
{
	return l->bo[BO_IO].mem + ea_kjob_bindings(l->job)[ref.buffer].offset + ref.offset;
}

/* One job of @program over the step block as written; the dirty mask then cleared
 * but for the step buffer, which the next job writes again. */
static int run(struct ea_exec_jobs *jobs, struct layout *l, uint32_t program, struct ea_error *why)
{
	struct ea_job_bo bos[N_BOS];
	uint64_t ns;
	int ret;

	for (int b = 0; b < N_BOS; b++)
		bos[b] = l->bo[b].desc;
	l->job->program = program;
	ret = ea_exec_jobs_job(jobs, &l->cmd.desc, 0, l->record_bytes, bos, N_BOS, &ns, why);
	memset(l->job->dirty, 0, sizeof(l->job->dirty));
	ea_cs_mark_dirty(l->job->dirty, l->cs->step.buffer);
	return ret;
}

/* A prompt, 8 greedy steps and a score job through the job runner in
 * @memory mode against the direct backend; then replays, RELEASE and a
 * broken record. */
static void jobs_match_direct(struct tap *t, struct ea_vk *vk, const struct ea_model *m,
			      enum ea_exec_memory memory, const char *name)
{
	enum { N_PROMPT = 70, N_STEPS = 8 };
	struct layout l = { 0 };
	struct ea_job_mapper mapper = { map_mem, unmap_mem, &l };
	struct ea_exec_jobs *jobs = NULL;
	struct ea_backend *direct = NULL;
	struct ea_error err = { { 0 } }, why = { { 0 } };
	uint32_t tokens[N_PROMPT + N_STEPS], n_vocab = (uint32_t)m->cfg.n_vocab;
	double worst = 0.0, nll_jobs = 0.0, nll_direct = 0.0;
	bool same = true;
	int ret = 0;

	for (uint32_t i = 0; i < N_PROMPT; i++)
		tokens[i] = 1 + (i * 7919u) % (n_vocab - 1);
	if (!lay_out(m, &l) || !(jobs = ea_exec_jobs_new(vk, memory, &mapper)) ||
	    ea_backend_direct_new(m, vk, &direct, &err) != EA_OK) {
		tap_ok(t, false, "%s: set up (%s)", name, err.msg);
		goto out;
	}
	*(struct ea_cs_step *)io(&l, l.cs->step) = (struct ea_cs_step){ .n_tokens = N_PROMPT };
	memcpy(io(&l, l.cs->token), tokens, sizeof(uint32_t) * N_PROMPT);
	ret = run(jobs, &l, EA_KJOB_PROMPT, &why);
	if (!ret && direct->ops->prompt(direct, tokens, N_PROMPT, 0) != EA_OK)
		ret = -EIO;
	for (uint32_t i = 0; !ret && i < N_STEPS; i++) {
		uint32_t a = *(uint32_t *)io(&l, l.cs->argmax), b = direct->ops->argmax(direct);

		worst = fmax(worst, ea_test_rel_diff(io(&l, l.cs->logits), direct->ops->logits(direct),
					     (int)n_vocab));
		same &= a == b;
		tokens[N_PROMPT + i] = b;
		*(struct ea_cs_step *)io(&l, l.cs->step) =
			(struct ea_cs_step){ .pos = N_PROMPT + i, .n_tokens = 1 };
		*(uint32_t *)io(&l, l.cs->token) = b;
		ret = run(jobs, &l, EA_KJOB_DECODE, &why);
		if (!ret && direct->ops->step(direct, b, N_PROMPT + i) != EA_OK)
			ret = -EIO;
	}
	tap_ok(t, !ret && same && worst == 0.0, "%s: a prompt of %d and %d decode jobs give the "
	       "direct backend's logits bit for bit and its greedy tokens (worst %.2e)", name,
	       N_PROMPT, N_STEPS, worst);
	if (ret)
		tap_diag("job: %s (%s)", strerror(-ret), why.msg);

	/* A score job: tokens 40 .. 69 of the first 70, as the direct backend scores them. */
	*(struct ea_cs_step *)io(&l, l.cs->step) =
		(struct ea_cs_step){ .n_tokens = N_PROMPT, .score_row = 39 };
	memcpy(io(&l, l.cs->token), tokens, sizeof(uint32_t) * N_PROMPT);
	ret = l.cs->score_rows >= 30 ? run(jobs, &l, EA_KJOB_SCORE, &why) : -ERANGE;
	for (int i = 0; !ret && i < 30; i++)
		nll_jobs += ((const float *)io(&l, l.cs->nll))[i];
	if (!ret && direct->ops->score(direct, tokens, N_PROMPT, 40, &nll_direct) != EA_OK)
		ret = -EIO;
	tap_ok(t, !ret && nll_jobs == nll_direct && nll_jobs > 0.0, "%s: a score job's NLL is the "
	       "direct backend's (%.6f, %.6f)", name, nll_jobs, nll_direct);

	tap_ok(t, ea_exec_jobs_stats(jobs)->recordings == 1 &&
	       ea_exec_jobs_stats(jobs)->replays == N_STEPS + 1,
	       "%s: one recording, replayed by every later job (%llu recordings, %llu replays)",
	       name, (unsigned long long)ea_exec_jobs_stats(jobs)->recordings,
	       (unsigned long long)ea_exec_jobs_stats(jobs)->replays);
	ret = run(jobs, &l, EA_KJOB_RELEASE, &why);
	ret = ret ? ret : run(jobs, &l, EA_KJOB_DECODE, &why);	/* recorded again */
	same = ea_exec_jobs_stats(jobs)->recordings == 2;
	l.job->stream_bytes -= 8;	/* no longer the stream's size, */
	l.job->stream_id++;		/* as a changed stream's new id says */
	ret = ret ? ret : run(jobs, &l, EA_KJOB_DECODE, &why);
	tap_ok(t, same && ret == -EINVAL && *why.msg, "%s: RELEASE drops the recording (the next "
	       "job records again); a record whose stream is cut short fails with -EINVAL: %s",
	       name, why.msg);
out:
	ea_backend_free(direct);
	ea_exec_jobs_free(jobs);
	layout_free(&l);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Whether the op times of a job of @n_ops ops run from @before to @after are whole and in order. */
static bool times_whole(const struct ea_kjob_times *t, uint32_t n_ops, uint64_t before,
			uint64_t after)
{
	bool ok = t->n_ops == n_ops && t->n_times == n_ops + 1 && t->ns[0] == 0 &&
		  before <= t->submit_ns && t->submit_ns <= t->end_ns && t->end_ns <= after;

	for (uint32_t i = 1; ok && i < t->n_times; i++)
		ok = t->ns[i] >= t->ns[i - 1];
	return ok && t->ns[n_ops] > 0;
}

/* Run @program of @n_ops ops; with @timed, whether it wrote its op times whole. */
static int run_timed(struct ea_exec_jobs *jobs, struct layout *l, uint32_t program,
		     uint32_t n_ops, bool timed, bool *whole, struct ea_error *why)
{
	uint64_t before = mono_ns();
	int ret = run(jobs, l, program, why);

	if (!ret && timed)
		*whole = times_whole((struct ea_kjob_times *)(l->cmd.mem + l->times_at), n_ops,
				     before, mono_ns());
	return ret;
}

/* EA_KJOB_TIMES: a prompt and a decode job write their op times and give the
 * logits of plain jobs; too little room gives none; broken records fail. */
static void job_times(struct tap *t, struct ea_vk *vk, const struct ea_model *m)
{
	enum { N_PROMPT = 70 };
	struct layout l = { 0 };
	struct ea_job_mapper mapper = { map_mem, unmap_mem, &l };
	struct ea_exec_jobs *jobs = NULL;
	struct ea_error why = { { 0 } };
	struct ea_kjob_times *times;
	uint32_t n_vocab = (uint32_t)m->cfg.n_vocab, token = 0;
	float *plain = malloc(n_vocab * sizeof(float));
	bool prompt_ok = false, step_ok = false, same = false;
	int ret = -ENOMEM;

	if (!plain || !lay_out(m, &l) || !(jobs = ea_exec_jobs_new(vk, EA_EXEC_MEMORY_COPY, &mapper))) {
		for (int i = 0; i < 3; i++)
			tap_ok(t, false, "times: set up");
		goto out;
	}
	times = (struct ea_kjob_times *)(l.cmd.mem + l.times_at);
	for (int pass = 0; pass < 2; pass++) {	/* plain, then with times */
		l.job->flags = pass ? EA_KJOB_TIMES : 0;
		l.job->times_offset = pass ? l.times_at : 0;
		l.job->times_bytes = pass ? l.times_room : 0;
		*(struct ea_cs_step *)io(&l, l.cs->step) = (struct ea_cs_step){ .n_tokens = N_PROMPT };
		for (uint32_t i = 0; i < N_PROMPT; i++)
			((uint32_t *)io(&l, l.cs->token))[i] = 1 + (i * 7919u) % (n_vocab - 1);
		ret = run_timed(jobs, &l, EA_KJOB_PROMPT, l.cs->n_prompt_ops, pass, &prompt_ok,
				&why);
		if (ret)
			break;
		token = *(uint32_t *)io(&l, l.cs->argmax);
		*(struct ea_cs_step *)io(&l, l.cs->step) =
			(struct ea_cs_step){ .pos = N_PROMPT, .n_tokens = 1 };
		*(uint32_t *)io(&l, l.cs->token) = token;
		ret = run_timed(jobs, &l, EA_KJOB_DECODE, l.cs->n_ops, pass, &step_ok, &why);
		if (ret)
			break;
		if (pass)
			same = memcmp(plain, io(&l, l.cs->logits), n_vocab * sizeof(float)) == 0;
		else
			memcpy(plain, io(&l, l.cs->logits), n_vocab * sizeof(float));
	}
	tap_ok(t, !ret && prompt_ok && step_ok && same, "times: a prompt job and a decode job "
	       "with EA_KJOB_TIMES write n_ops + 1 ordered device timestamps (%u and %u ops, "
	       "a step %.1f us) inside the call, and the logits of plain jobs bit for bit",
	       l.cs ? l.cs->n_prompt_ops : 0, l.cs ? l.cs->n_ops : 0,
	       l.cs && step_ok ? times->ns[l.cs->n_ops] * 1e-3 : 0.0);
	if (ret)
		tap_diag("job: %s (%s)", strerror(-ret), why.msg);

	l.job->times_bytes = ea_kjob_times_bytes(l.cs->n_ops - 1);
	memset(times, 0xff, sizeof(*times));
	ret = run(jobs, &l, EA_KJOB_DECODE, &why);
	tap_ok(t, !ret && times->n_ops == l.cs->n_ops && times->n_times == 0 &&
	       times->submit_ns <= times->end_ns, "times: room for one timestamp too few: the "
	       "job runs and says it took none (n_ops %u, n_times %u)", times->n_ops,
	       times->n_times);

	{
		static const char *const what[] = { "an unknown flag", "times past the BO's end",
						    "times not 8-aligned", "a room smaller than "
						    "the header", "a room without the flag" };
		int failed = 0;

		for (int i = 0; i < 5; i++) {
			l.job->flags = i == 0 ? EA_KJOB_TIMES | 2u : i == 4 ? 0 : EA_KJOB_TIMES;
			l.job->times_offset = i == 1 ? l.cmd.desc.size - 8 : i == 2 ? l.times_at + 4 :
					      l.times_at;
			l.job->times_bytes = i == 3 ? sizeof(struct ea_kjob_times) - 8 : l.times_room;
			why.msg[0] = 0;
			ret = run(jobs, &l, EA_KJOB_DECODE, &why);
			if (ret == -EINVAL && *why.msg)
				failed++;
			else
				tap_diag("%s: %d (%s)", what[i], ret, why.msg);
		}
		tap_ok(t, failed == 5, "times: %d of 5 broken records (%s, ...) fail with -EINVAL and "
		       "a message: %s", failed, what[0], why.msg);
	}
out:
	free(plain);
	ea_exec_jobs_free(jobs);
	layout_free(&l);
}

int main(void)
{
	enum { N_TESTS = 11 };
	char dir[] = "/tmp/edgeai-test-jobs-XXXXXX", path[PATH_MAX], edgeai[PATH_MAX];
	struct ea_open_options options = { .mode = EA_MODE_DIRECT };
	struct ea_device *dev = NULL;
	struct ea_model *m = NULL;
	struct tap t = { 0 };
	char why[1024];

	tap_plan(&t, N_TESTS);
	unsetenv("EDGEAI_VK_DEVICE");
	snprintf(path, sizeof(path), "%s/tiny.gguf", dir);
	if (!ea_test_edgeai_path(edgeai, sizeof(edgeai)) || !mkdtemp(dir) ||
	    ea_open(&options, &dev, why, sizeof(why)) != EA_OK || ea_device_need_vk(dev) != EA_OK) {
		for (int i = 0; i < N_TESTS; i++)
			tap_ok(&t, true, "# SKIP no build/bin/edgeai or no Vulkan device");
		ea_close(dev);
		return tap_done(&t);
	}
	snprintf(path, sizeof(path), "%s/tiny.gguf", dir);
	if (!ea_test_synth(edgeai, path, "--preset tiny --type q8_0") ||
	    ea_model_open(path, NULL, NULL, &m, why, sizeof(why)) != EA_OK) {
		tap_ok(&t, false, "synthesize and open a tiny model");
	} else {
		tap_diag("Vulkan device: %s", ea_device_info(dev)->vk_name);
		if (dev->vk->host_import)
			jobs_match_direct(&t, dev->vk, m, EA_EXEC_MEMORY_IMPORT, "import");
		else
			for (int i = 0; i < 4; i++)
				tap_ok(&t, true, "# SKIP no VK_EXT_external_memory_host");
		jobs_match_direct(&t, dev->vk, m, EA_EXEC_MEMORY_COPY, "copy");
		job_times(&t, dev->vk, m);
	}
	ea_model_close(m);
	unlink(path);
	rmdir(dir);
	ea_close(dev);
	return tap_done(&t);
}

// SPDX-License-Identifier: MIT
/* ea_session - one interface over the Vulkan executor and the CPU reference. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ea_cmdstream.h"
#include "ea_device.h"
#include "ea_kmod_session.h"
#include "ea_ref_forward.h"
#include "ea_ref_pool.h"
#include "ea_session.h"
#include "ea_vk_exec.h"

/* Prompt tokens per step of the CPU reference: enough to share each weight row. */
#define CPU_BATCH 64

/*
 * Fewer tokens than this go through the decode step one at a time rather than
 * the prompt program: a prompt submit costs about the same for any number of
 * tokens up to its batch (on lavapipe, edge-f16, CPU-shaped prompt kernels:
 * ~0.5-0.8 s for 1 or 512 tokens; a decode step 40-60 ms), so short prompts
 * are faster stepped.
 */
#define VK_PROMPT_MIN_TOKENS 64

/* The model file's tensor data section, which the stream's uploads read. */
static const uint8_t *tensor_data(const struct ea_gguf *g, uint64_t *bytes)
{
	const struct ea_gguf_tensor *t0 = ea_gguf_tensor_at(g, 0);

	*bytes = ea_gguf_file_size(g) - ea_gguf_data_offset(g);
	return (const uint8_t *)t0->data - t0->offset;
}

static ea_status vk_session(struct ea_session *s, struct ea_vk *vk)
{
	struct ea_cs_header *cs;
	uint64_t src_bytes;
	const uint8_t *src = tensor_data(s->model->gguf, &src_bytes);
	ea_status status = ea_cs_build(s->model, &cs, &s->error);

	if (status != EA_OK)
		return status;
	status = ea_vk_exec_new(vk, cs, src, src_bytes, &s->exec, &s->error);
	free(cs);
	return status;
}

/* A session on @vk, through the module of @kmod (a device in kmod mode), or on
 * the CPU reference with @n_threads (0: the default). */
static ea_status session_new(const struct ea_model *m, struct ea_vk *vk, struct ea_device *kmod,
			     int n_threads, struct ea_session **out, char *err, size_t errsz)
{
	struct ea_session *s = calloc(1, sizeof(*s));
	ea_status status;

	*out = NULL;
	if (s)
		s->history = calloc((size_t)m->cfg.n_ctx, sizeof(*s->history));
	if (!s || !s->history) {
		free(s);
		if (err && errsz)
			snprintf(err, errsz, "out of memory for a session");
		return EA_ERR_NO_MEMORY;
	}
	s->model = m;
	if (kmod)
		status = ea_kmod_session_new(kmod->kmod.fd, kmod->info.job_timeout_ms, m, &s->kmod,
					     &s->error);
	else if (vk)
		status = vk_session(s, vk);
	else
		status = ea_ref_state_new_threads(m, CPU_BATCH, n_threads, &s->ref, s->error.msg,
						  sizeof(s->error.msg));
	if (status != EA_OK) {
		if (err && errsz)
			snprintf(err, errsz, "%s", s->error.msg);
		ea_session_free(s);
		return status;
	}
	*out = s;
	return EA_OK;
}

ea_status ea_session_new(const struct ea_model *m, struct ea_vk *vk, struct ea_session **out,
			 char *err, size_t errsz)
{
	return session_new(m, vk, NULL, 0, out, err, errsz);
}

void ea_session_free(struct ea_session *s)
{
	if (!s)
		return;
	ea_vk_exec_free(s->exec);
	ea_kmod_session_free(s->kmod);
	ea_ref_state_free(s->ref);
	free(s->history);
	free(s->text);
	free(s);
}

const char *ea_engine_name(enum ea_engine engine)
{
	switch (engine) {
	case EA_ENGINE_VULKAN:
		return "Vulkan";
	case EA_ENGINE_CPU:
		return "CPU reference";
	default:
		return "auto";
	}
}

static ea_status open_fail(char *errmsg, size_t errmsg_size, ea_status status, const char *fmt,
			   ...) __attribute__((format(printf, 4, 5)));
static ea_status open_fail(char *errmsg, size_t errmsg_size, ea_status status, const char *fmt,
			   ...)
{
	va_list ap;

	if (errmsg && errmsg_size) {
		va_start(ap, fmt);
		vsnprintf(errmsg, errmsg_size, fmt, ap);
		va_end(ap);
	}
	return status;
}

/* The Vulkan device of @dev for a session, or why there is none. */
static ea_status session_vk(struct ea_device *dev, struct ea_vk **vk, char *errmsg,
			    size_t errmsg_size)
{
	if (!dev)
		return open_fail(errmsg, errmsg_size, EA_ERR_INVALID_ARGUMENT, "a Vulkan session "
				 "needs a device (ea_open()); without one, ask for EA_ENGINE_CPU");
	if (!dev->vk)
		return open_fail(errmsg, errmsg_size, EA_ERR_NO_VULKAN_DEVICE, "%s",
				 dev->vk_missing.msg);
	*vk = dev->vk;
	return EA_OK;
}

ea_status ea_session_open(struct ea_device *dev, const struct ea_model *model,
			  const struct ea_session_options *options, struct ea_session **out,
			  char *errmsg, size_t errmsg_size)
{
	struct ea_session_options defaults = { 0 };
	const struct ea_session_options *o = options ? options : &defaults;
	enum ea_engine engine = o->engine;
	struct ea_vk *vk = NULL;
	struct ea_device *kmod = NULL;
	uint64_t weight_bytes = 0;
	ea_status status;

	if (out)
		*out = NULL;
	if (!out || !model)
		return open_fail(errmsg, errmsg_size, EA_ERR_INVALID_ARGUMENT, "ea_session_open: "
				 "%s is NULL", out ? "the model" : "the session's pointer");
	if (engine != EA_ENGINE_AUTO && engine != EA_ENGINE_VULKAN && engine != EA_ENGINE_CPU)
		return open_fail(errmsg, errmsg_size, EA_ERR_INVALID_ARGUMENT, "ea_session_open: "
				 "engine %d is not one of enum ea_engine", (int)engine);
	if (o->n_threads < 0 || o->n_threads > EA_REF_MAX_THREADS)
		return open_fail(errmsg, errmsg_size, EA_ERR_INVALID_ARGUMENT, "ea_session_open: "
				 "%d threads: must be 0 (the default) .. %d", o->n_threads,
				 EA_REF_MAX_THREADS);
	if (engine == EA_ENGINE_AUTO)
		engine = dev ? EA_ENGINE_VULKAN : EA_ENGINE_CPU;
	if (engine == EA_ENGINE_VULKAN && dev && dev->info.mode == EA_MODE_KMOD)
		kmod = dev;
	if (engine == EA_ENGINE_VULKAN) {
		status = kmod ? EA_OK : session_vk(dev, &vk, errmsg, errmsg_size);
		if (status != EA_OK)
			return status;
		tensor_data(model->gguf, &weight_bytes);
		if (o->progress)
			o->progress(0, weight_bytes, o->progress_user);
	}
	status = session_new(model, vk, kmod, o->n_threads, out, errmsg, errmsg_size);
	if (status == EA_OK && (vk || kmod) && o->progress)
		o->progress(weight_bytes, weight_bytes, o->progress_user);
	return status;
}

void ea_session_close(struct ea_session *session)
{
	ea_session_free(session);
}

void ea_session_reset(struct ea_session *session)
{
	session->n_history = 0;
}

static ea_status check_tokens(struct ea_session *s, const int32_t *tokens, int n, int pos0)
{
	const struct ea_model_config *c = &s->model->cfg;

	if (n < 1 || pos0 < 0)
		return ea_error_set(&s->error, EA_ERR_INVALID_ARGUMENT, "%d tokens at position "
				    "%d: not a valid step", n, pos0);
	if (pos0 > c->n_ctx - n)
		return ea_error_set(&s->error, EA_ERR_INVALID_ARGUMENT, "positions %d .. %d pass "
				    "the model's context of %d tokens", pos0, pos0 + n - 1,
				    c->n_ctx);
	for (int t = 0; t < n; t++)
		if (tokens[t] < 0 || tokens[t] >= c->n_vocab)
			return ea_error_set(&s->error, EA_ERR_INVALID_ARGUMENT, "token %d is not "
					    "in the vocabulary of %d", (int)tokens[t], c->n_vocab);
	return EA_OK;
}

/* The KV cache now holds @tokens at pos0 .. pos0 + n - 1 after what it held
 * before pos0 (nothing known when that leaves a gap). */
static void remember(struct ea_session *s, const int32_t *tokens, int n, int pos0)
{
	if (pos0 > s->n_history) {
		s->n_history = 0;
		return;
	}
	memcpy(s->history + pos0, tokens, (size_t)n * sizeof(*tokens));
	s->n_history = pos0 + n;
}

/* As vk_eval(), each run a job of the module's executor; errors in s->error. */
static ea_status kmod_eval(struct ea_session *s, const int32_t *tokens, int n, int pos0)
{
	ea_status status = EA_OK;

	if (n >= VK_PROMPT_MIN_TOKENS)
		return ea_kmod_session_prompt(s->kmod, (const uint32_t *)tokens, (uint32_t)n,
					      (uint32_t)pos0, &s->error);
	for (int t = 0; t < n && status == EA_OK; t++)
		status = ea_kmod_session_step(s->kmod, (uint32_t)tokens[t], (uint32_t)(pos0 + t),
					      &s->error);
	return status;
}

static ea_status vk_eval(struct ea_session *s, const int32_t *tokens, int n, int pos0)
{
	ea_status status = EA_OK;

	/* Tokens are checked to be >= 0: the same values as uint32_t. */
	if (s->kmod)
		return kmod_eval(s, tokens, n, pos0);
	if (n >= VK_PROMPT_MIN_TOKENS)
		return ea_vk_exec_prompt(s->exec, (const uint32_t *)tokens, (uint32_t)n,
					 (uint32_t)pos0);
	for (int t = 0; t < n && status == EA_OK; t++)
		status = ea_vk_exec_step(s->exec, (uint32_t)tokens[t], (uint32_t)(pos0 + t));
	return status;
}

ea_status ea_session_eval(struct ea_session *s, const int32_t *tokens, int n, int pos0,
			  float *logits)
{
	ea_status status = check_tokens(s, tokens, n, pos0);

	if (status != EA_OK)
		return status;
	if (s->ref) {
		status = ea_ref_forward_batch(s->model, s->ref, tokens, n, pos0, logits, 1);
		if (status != EA_OK)
			s->error = s->ref->error;
	} else {
		status = vk_eval(s, tokens, n, pos0);
		if (status != EA_OK && !s->kmod)
			ea_error_set(&s->error, status, "%s", ea_vk_exec_error(s->exec));
		else if (status == EA_OK)
			memcpy(logits, s->kmod ? ea_kmod_session_logits(s->kmod) :
						 ea_vk_exec_logits(s->exec),
			       (size_t)s->model->cfg.n_vocab * sizeof(float));
	}
	if (status != EA_OK) {
		s->n_history = 0;
		return status;
	}
	remember(s, tokens, n, pos0);
	return EA_OK;
}

ea_status ea_session_prefill(struct ea_session *s, const int32_t *tokens, int n, float *logits,
			     int *n_reused)
{
	int same = 0;

	if (s->kmod && ea_kmod_session_kv_lost(s->kmod))
		s->n_history = 0;
	while (same < n - 1 && same < s->n_history && s->history[same] == tokens[same])
		same++;
	*n_reused = same;
	return ea_session_eval(s, tokens + same, n - same, same, logits);
}

/* As vk_window_nll(), through runs of the score program, each scoring up to
 * its rows of tokens (and running the window up to them). */
static ea_status vk_score_window(struct ea_session *s, const int32_t *tokens, int n, int first,
				 double *nll)
{
	int rows = (int)ea_vk_exec_score_rows(s->exec);
	double sum = 0.0;
	ea_status status = EA_OK;

	/* Tokens are checked to be >= 0: the same values as uint32_t. */
	for (int at = first; at < n && status == EA_OK; at += rows) {
		int count = n - at < rows ? n - at : rows;

		status = ea_vk_exec_score(s->exec, (const uint32_t *)tokens, (uint32_t)(at + count),
					  (uint32_t)at, (uint32_t)count, &sum);
	}
	if (status != EA_OK) {
		s->n_history = 0;
		return ea_error_set(&s->error, status, "%s", ea_vk_exec_error(s->exec));
	}
	*nll += sum;
	remember(s, tokens, n, 0);
	return EA_OK;
}

/* Tokens first .. n - 1 of a window on Vulkan: with a score program (direct
 * mode, the window within one prompt run) on the device; else the prompt
 * program for tokens 0 .. first - 1 and a decode step per token after, each
 * step's logits scored here. */
static ea_status vk_window_nll(struct ea_session *s, const int32_t *tokens, int n, int first,
			       double *nll)
{
	int n_vocab = s->model->cfg.n_vocab;
	float *logits;
	double sum = 0.0;
	ea_status status;

	if (s->exec && ea_vk_exec_score_rows(s->exec) &&
	    (uint32_t)n <= ea_vk_exec_prompt_batch(s->exec))
		return vk_score_window(s, tokens, n, first, nll);
	logits = malloc((size_t)n_vocab * sizeof(float));
	if (!logits)
		return ea_error_set(&s->error, EA_ERR_NO_MEMORY, "out of memory for %d logits",
				    n_vocab);
	/* The logits of token i - 1 predict token i. */
	status = ea_session_eval(s, tokens, first, 0, logits);
	for (int i = first; i < n && status == EA_OK; i++) {
		sum += ea_ref_token_nll(logits, n_vocab, tokens[i]);
		if (i + 1 < n)
			status = ea_session_eval(s, &tokens[i], 1, i, logits);
	}
	if (status == EA_OK)
		*nll += sum;
	free(logits);
	return status;
}

ea_status ea_session_window_nll(struct ea_session *s, const int32_t *tokens, int n, int first,
				double *nll, int *n_scored)
{
	ea_status status;

	if (first < 1 || first >= n)
		return ea_error_set(&s->error, EA_ERR_INVALID_ARGUMENT, "cannot score tokens "
				    "%d .. %d of a window", first, n - 1);
	status = check_tokens(s, tokens, n, 0);
	if (status != EA_OK)
		return status;
	if (s->exec || s->kmod) {
		status = vk_window_nll(s, tokens, n, first, nll);
	} else {
		s->n_history = 0;
		status = ea_ref_window_nll(s->model, s->ref, tokens, n, first, nll, n_scored);
		if (status != EA_OK)
			s->error = s->ref->error;
		else
			remember(s, tokens, n, 0);
		return status;
	}
	if (status == EA_OK)
		*n_scored += n - first;
	return status;
}

int ea_session_threads(const struct ea_session *s)
{
	return s->ref ? ea_ref_pool_threads(s->ref->pool) : 0;
}

const char *ea_session_engine(const struct ea_session *s)
{
	return s->kmod ? "Vulkan (edgeaid)" : s->exec ? "Vulkan" : "CPU reference";
}

const char *ea_session_error(const struct ea_session *s)
{
	return s->error.msg;
}

// SPDX-License-Identifier: MIT
/* ea_session - a model on the engine chosen when it opens (see the header). */
#include <stdlib.h>
#include <string.h>

#include "ea_cs_build.h"
#include "ea_device.h"
#include "ea_ref_forward.h"
#include "ea_ref_pool.h"
#include "ea_session.h"

ea_status ea_session_of_backend(const struct ea_model *m, struct ea_backend *engine,
			       struct ea_session **out, struct ea_error *err)
{
	struct ea_session *s = calloc(1, sizeof(*s));

	*out = NULL;
	if (s)
		s->history = calloc((size_t)m->cfg.n_ctx, sizeof(*s->history));
	if (!s || !s->history) {
		free(s);
		ea_backend_free(engine);
		return ea_error_set(err, EA_ERR_NO_MEMORY, "out of memory for a session");
	}
	s->model = m;
	s->engine = engine;
	s->trace = ea_trace_open();
	engine->trace = s->trace;
	*out = s;
	return EA_OK;
}

static void session_free(struct ea_session *s)
{
	if (!s)
		return;
	ea_backend_free(s->engine);	/* may record its last job */
	ea_trace_close(s->trace);
	free(s->history);
	free(s->lp);
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

/* The Vulkan device of @dev for a session, or why there is none. */
static ea_status session_vk(struct ea_device *dev, struct ea_vk **vk, struct ea_error *err)
{
	if (!dev)
		return ea_error_set(err, EA_ERR_INVALID_ARGUMENT, "a Vulkan session needs a "
				    "device (ea_open()); without one, ask for EA_ENGINE_CPU");
	if (!dev->vk)
		return ea_error_pass(err, &dev->vk_missing, EA_ERR_NO_VULKAN_DEVICE);
	*vk = dev->vk;
	return EA_OK;
}

static ea_status session_open(struct ea_device *dev, const struct ea_model *model,
			      const struct ea_session_options *options, struct ea_session **out,
			      struct ea_error *err)
{
	struct ea_session_options defaults = { 0 };
	const struct ea_session_options *o = options ? options : &defaults;
	enum ea_engine engine = o->engine;
	struct ea_vk *vk = NULL;
	struct ea_device *kmod = NULL;
	uint64_t weight_bytes = 0;
	struct ea_backend *backend = NULL;
	ea_status status;

	if (out)
		*out = NULL;
	if (!out || !model)
		return ea_error_set(err, EA_ERR_INVALID_ARGUMENT, "ea_session_open: %s is NULL",
				    out ? "the model" : "the session's pointer");
	if (engine != EA_ENGINE_AUTO && engine != EA_ENGINE_VULKAN && engine != EA_ENGINE_CPU)
		return ea_error_set(err, EA_ERR_INVALID_ARGUMENT, "ea_session_open: engine %d "
				    "is not one of enum ea_engine", (int)engine);
	if (o->n_threads < 0 || o->n_threads > EA_REF_MAX_THREADS)
		return ea_error_set(err, EA_ERR_INVALID_ARGUMENT, "ea_session_open: %d threads: "
				    "must be 0 (the default) .. %d", o->n_threads,
				    EA_REF_MAX_THREADS);
	if (engine == EA_ENGINE_AUTO)
		engine = dev ? EA_ENGINE_VULKAN : EA_ENGINE_CPU;
	if (engine == EA_ENGINE_VULKAN && dev && dev->info.mode == EA_MODE_KMOD)
		kmod = dev;
	if (engine == EA_ENGINE_VULKAN) {
		status = kmod ? EA_OK : session_vk(dev, &vk, err);
		if (status != EA_OK)
			return status;
		ea_cs_tensor_data(model, &weight_bytes);
		if (o->progress)
			o->progress(0, weight_bytes, o->progress_user);
	}
	if (kmod)
		status = ea_backend_kmod_new(kmod->kmod.fd, kmod->info.job_timeout_ms, model, &backend,
					    err);
	else if (vk)
		status = ea_backend_direct_new(model, vk, &backend, err);
	else
		status = ea_backend_ref_new(model, o->n_threads, &backend, err);
	if (status == EA_OK)
		status = ea_session_of_backend(model, backend, out, err);
	if (status == EA_OK && (vk || kmod) && o->progress)
		o->progress(weight_bytes, weight_bytes, o->progress_user);
	return status;
}

ea_status ea_session_open(struct ea_device *dev, const struct ea_model *model,
			  const struct ea_session_options *options, struct ea_session **out,
			  char *errmsg, size_t errmsg_size)
{
	struct ea_error err = { { 0 } };
	ea_status status = session_open(dev, model, options, out, &err);

	ea_error_copy_out(&err, errmsg, errmsg_size);
	return status;
}

void ea_session_close(struct ea_session *session)
{
	session_free(session);
}

void ea_session_reset(struct ea_session *session)
{
	session->n_history = 0;
	session->n_lp = 0;
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
	/* A position's log-probability holds while the tokens up to it do. */
	if (s->n_lp > pos0)
		s->n_lp = pos0 + (s->lp[pos0].token == tokens[0]);
	if (pos0 > s->n_history) {
		s->n_history = 0;
		s->n_lp = 0;
		return;
	}
	memcpy(s->history + pos0, tokens, (size_t)n * sizeof(*tokens));
	s->n_history = pos0 + n;
}

ea_status ea_session_eval(struct ea_session *s, const int32_t *tokens, int n, int pos0,
			  float *logits)
{
	struct ea_backend *e = s->engine;
	ea_status status = check_tokens(s, tokens, n, pos0);

	if (status != EA_OK)
		return status;
	/* Tokens are checked to be >= 0: the same values as uint32_t. */
	status = n == 1 ? e->ops->step(e, (uint32_t)tokens[0], (uint32_t)pos0) :
			  e->ops->prompt(e, (const uint32_t *)tokens, (uint32_t)n, (uint32_t)pos0);
	if (status != EA_OK) {
		ea_session_reset(s);
		return ea_error_pass(&s->error, &e->error, status);
	}
	memcpy(logits, e->ops->logits(e), (size_t)s->model->cfg.n_vocab * sizeof(float));
	remember(s, tokens, n, pos0);
	return EA_OK;
}

ea_status ea_session_eval_all(struct ea_session *s, const int32_t *tokens, int n, int pos0,
			      float *logits)
{
	struct ea_backend *e = s->engine;
	ea_status status;

	if (!e->ops->prompt_all)
		return EA_ERR_UNSUPPORTED;
	status = check_tokens(s, tokens, n, pos0);
	if (status != EA_OK)
		return status;
	status = e->ops->prompt_all(e, (const uint32_t *)tokens, (uint32_t)n, (uint32_t)pos0,
				    logits);
	if (status != EA_OK) {
		ea_session_reset(s);
		return ea_error_pass(&s->error, &e->error, status);
	}
	remember(s, tokens, n, pos0);
	return EA_OK;
}

int ea_session_cached(struct ea_session *s, const int32_t *tokens, int n)
{
	int same = 0;

	if (s->engine->ops->kv_lost(s->engine))
		ea_session_reset(s);
	while (same < n - 1 && same < s->n_history && s->history[same] == tokens[same])
		same++;
	return same;
}

ea_status ea_session_prefill(struct ea_session *s, const int32_t *tokens, int n, float *logits,
			     int *n_reused)
{
	int same = ea_session_cached(s, tokens, n);

	*n_reused = same;
	return ea_session_eval(s, tokens + same, n - same, same, logits);
}

/* Tokens first .. n - 1 of a window where the engine cannot score it in one
 * go: tokens 0 .. first - 1 as a prompt, then a step per token, each step's
 * logits scored here. */
static ea_status window_by_steps(struct ea_session *s, const int32_t *tokens, int n, int first,
				 double *nll)
{
	int n_vocab = s->model->cfg.n_vocab;
	float *logits = malloc((size_t)n_vocab * sizeof(float));
	double sum = 0.0;
	ea_status status;

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
	ea_session_reset(s);
	status = s->engine->ops->score(s->engine, (const uint32_t *)tokens, (uint32_t)n,
				       (uint32_t)first, nll);
	if (status == EA_ERR_UNSUPPORTED)
		status = window_by_steps(s, tokens, n, first, nll);
	else if (status != EA_OK)
		return ea_error_pass(&s->error, &s->engine->error, status);
	if (status != EA_OK)
		return status;
	remember(s, tokens, n, 0);
	*n_scored += n - first;
	return EA_OK;
}

int ea_session_threads(const struct ea_session *s)
{
	return s->engine->ops->threads(s->engine);
}

const char *ea_session_engine(const struct ea_session *s)
{
	return s->engine->ops->name;
}

const char *ea_session_error(const struct ea_session *s)
{
	return s->error.msg;
}

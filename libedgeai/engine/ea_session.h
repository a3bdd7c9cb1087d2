/* SPDX-License-Identifier: MIT */
/*
 * ea_session - a model running on an engine: tokens in at positions, logits
 * out; the public struct ea_session (edgeai.h). Two engines behind one
 * interface:
 *  - Vulkan (direct mode): the model's decode step and its batched prompt
 *    program are built once as a command stream (ea_cmdstream.h) and run by
 *    the executor (ea_vk_exec.h): several tokens at once go through the prompt
 *    program, one token through the decode step.
 *  - the CPU reference (ea_ref_forward.h), prompts in batches, its matrix
 *    products on a pool of threads.
 * The session remembers which tokens its KV cache holds, so that a prompt
 * that starts with them only runs the rest (ea_session_prefill()).
 *
 * Thread safety: a session belongs to one thread at a time.
 */
#ifndef EA_SESSION_H
#define EA_SESSION_H

#include <stdint.h>

#include "ea_error.h"
#include "ea_model.h"
#include "ea_vk.h"

struct ea_session {
	const struct ea_model *model;
	struct ea_vk_exec *exec;	/* Vulkan, or NULL */
	struct ea_kmod_session *kmod;	/* Vulkan through the module (kmod mode), or NULL */
	struct ea_ref_state *ref;	/* the CPU reference, or NULL */
	int32_t *history;		/* the tokens in the KV cache, n_ctx */
	int n_history;			/* positions 0 .. n_history - 1 hold history[] */
	char *text;			/* the last generation's text (ea_generate.c) */
	size_t text_cap;
	struct ea_error error;
};

/* A session of @m on @vk, or on the CPU reference when @vk is NULL (on
 * ea_ref_default_threads() threads). @m (and @vk) must outlive it. On failure
 * *@out is NULL and @err holds why. */
EA_API ea_status ea_session_new(const struct ea_model *m, struct ea_vk *vk,
				struct ea_session **out, char *err, size_t errsz);
EA_API void ea_session_free(struct ea_session *s);

/*
 * Run @n tokens at positions pos0 .. pos0 + n - 1 (the earlier positions
 * already run) and write the last one's logits (n_vocab values) to @logits.
 * Positions past the model's context or a token outside the vocabulary fail
 * with EA_ERR_INVALID_ARGUMENT before anything runs.
 */
EA_API ea_status ea_session_eval(struct ea_session *s, const int32_t *tokens, int n,
				 int pos0, float *logits);

/*
 * Make the KV cache hold exactly @tokens (@n >= 1) and write the last one's
 * logits to @logits: the longest prefix of them already in the cache is kept
 * (*@n_reused tokens, at most n - 1), the rest run from there.
 */
EA_API ea_status ea_session_prefill(struct ea_session *s, const int32_t *tokens, int n,
				    float *logits, int *n_reused);

/*
 * The perplexity method of llama.cpp over one window, as ea_ref_window_nll():
 * run @n tokens from position 0 and add to *@nll the negative log-likelihood
 * of tokens first .. n - 1 given those before; *@n_scored grows by their
 * count. On Vulkan in direct mode a window that fits one prompt run is
 * scored on the device by the score program (ea_vk_exec_score(): one run per
 * score_rows scored tokens, a few floats back each); otherwise (kmod mode,
 * longer windows) tokens 0 .. first - 1 go through the prompt program and
 * the rest one decode step each.
 */
EA_API ea_status ea_session_window_nll(struct ea_session *s, const int32_t *tokens, int n,
				       int first, double *nll, int *n_scored);

/* Threads of the CPU reference's matrix products (0 on Vulkan). */
EA_API int ea_session_threads(const struct ea_session *s);

#endif /* EA_SESSION_H */

/* SPDX-License-Identifier: MIT */
/*
 * ea_session - a model running on an engine (ea_backend.h: Vulkan direct,
 * kmod, or the CPU reference, chosen once when the session opens): tokens
 * in at positions, logits out; the public struct ea_session (edgeai.h).
 * The session checks tokens and positions, and remembers which tokens its
 * KV cache holds, so that a prompt that starts with them only runs the rest
 * (ea_session_prefill()).
 *
 * Thread safety: a session belongs to one thread at a time.
 */
#ifndef EA_SESSION_H
#define EA_SESSION_H

#include <stdint.h>

#include "ea_error.h"
#include "ea_model.h"
#include "ea_backend.h"

struct ea_session {
	const struct ea_model *model;
	struct ea_backend *engine;	/* chosen once, when it opens */
	int32_t *history;		/* the tokens in the KV cache, n_ctx */
	int n_history;			/* positions 0 .. n_history - 1 hold history[] */
	/* Log-probability records of the cached positions (ea_generate.c), n_ctx
	 * of them once a request asks for logprobs: valid for positions
	 * 0 .. n_lp - 1, each with at least lp_top alternatives. */
	struct ea_token_logprob *lp;
	int n_lp, lp_top;
	char *text;			/* the last generation's text (ea_generate.c) */
	size_t text_cap;
	struct ea_trace *trace;		/* EDGEAI_TRACE's recorder (ea_trace.h), shared with engine */
	struct ea_error error;
};

/* A session of @m on @backend, which it owns from now on (freed on failure
 * too). ea_session_open() (edgeai.h) chooses the backend from a device. */
ea_status ea_session_of_backend(const struct ea_model *m, struct ea_backend *backend,
			       struct ea_session **out, struct ea_error *err);

/*
 * Run @n tokens at positions pos0 .. pos0 + n - 1 (the earlier positions
 * already run) and write the last one's logits (n_vocab values) to @logits.
 * Positions past the model's context or a token outside the vocabulary fail
 * with EA_ERR_INVALID_ARGUMENT before anything runs.
 */
ea_status ea_session_eval(struct ea_session *s, const int32_t *tokens, int n, int pos0,
			  float *logits);

/*
 * The same, writing every token's logits to @logits (n x n_vocab: row i
 * predicts the token after tokens[i]). EA_ERR_UNSUPPORTED, with nothing
 * run, where the engine keeps only the last token's logits.
 */
ea_status ea_session_eval_all(struct ea_session *s, const int32_t *tokens, int n, int pos0,
			      float *logits);

/* How many of @tokens' first tokens the KV cache holds and may keep (at
 * most n - 1, so that the last one runs and gives logits); 0 after another
 * executor lost the cache. */
int ea_session_cached(struct ea_session *s, const int32_t *tokens, int n);

/*
 * Make the KV cache hold exactly @tokens (@n >= 1) and write the last one's
 * logits to @logits: the longest prefix of them already in the cache is kept
 * (*@n_reused tokens, at most n - 1), the rest run from there.
 */
ea_status ea_session_prefill(struct ea_session *s, const int32_t *tokens, int n,
			     float *logits, int *n_reused);

/*
 * The perplexity method of llama.cpp over one window, as ea_ref_window_nll():
 * run @n tokens from position 0 and add to *@nll the negative log-likelihood
 * of tokens first .. n - 1 given those before; *@n_scored grows by their
 * count. The engine scores it in one go where it can (on Vulkan, a window
 * that fits one prompt run: the score program, a few floats back a run);
 * otherwise tokens 0 .. first - 1 run as a prompt and the rest one step
 * each, scored here.
 */
ea_status ea_session_window_nll(struct ea_session *s, const int32_t *tokens, int n,
				int first, double *nll, int *n_scored);

/* Threads of the CPU reference's matrix products (0 on Vulkan). */
int ea_session_threads(const struct ea_session *s);

#endif /* EA_SESSION_H */

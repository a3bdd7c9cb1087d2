/* SPDX-License-Identifier: MIT */
/*
 * ea_ref_forward - the whole forward pass of a model on the CPU, built from
 * the ops of ea_ref.h, with an fp32 KV cache. It is the reference the Vulkan
 * engine is checked against end to end, and it runs perplexity on its own.
 *
 * Thread safety: a state belongs to one thread at a time (its matrix products
 * run on its own threads, ea_ref_pool.h); the model is only read, so states of
 * one model may run on different threads at once.
 */
#ifndef EA_REF_FORWARD_H
#define EA_REF_FORWARD_H

#include <stdint.h>

#include "ea_error.h"
#include "ea_model.h"

struct ea_ref_pool;

/* The activations of up to max_batch tokens and the KV cache of n_ctx positions. */
struct ea_ref_state {
	int max_batch;
	float *x;		/* residual stream, max_batch x dim */
	float *xb;		/* normalized x, max_batch x dim */
	float *xb2;		/* a projection back to dim, max_batch x dim */
	float *q;		/* queries, max_batch x n_heads * head_dim */
	float *att;		/* attention output, max_batch x n_heads * head_dim */
	float *hb, *hb2;	/* feed-forward gate and up, max_batch x ffn_dim */
	float *att_weights;	/* one head's attention weights, n_ctx */
	float *key_cache;	/* n_layers x n_ctx x n_kv_heads * head_dim */
	float *value_cache;	/* likewise */
	float *logits;		/* the logits ea_ref_forward() returns, n_vocab */
	struct ea_ref_pool *pool; /* the threads of the matrix products */
	struct ea_error error;	/* why the last call failed */
};

/* A state for @m that takes up to @max_batch tokens per step (>= 1), its
 * matrix products on ea_ref_default_threads() threads. */
ea_status ea_ref_state_new(const struct ea_model *m, int max_batch,
				  struct ea_ref_state **out, struct ea_error *err);

/* The same on @n_threads threads (0: ea_ref_default_threads()). The results
 * have the same bits for any number of threads. */
ea_status ea_ref_state_new_threads(const struct ea_model *m, int max_batch,
					  int n_threads, struct ea_ref_state **out,
					  struct ea_error *err);
void ea_ref_state_free(struct ea_ref_state *s);

/*
 * Run @n_tokens tokens at positions pos0 .. pos0 + n_tokens - 1 (keys and
 * values of positions before pos0 must be in the cache already; pos0 = 0
 * starts a new sequence) and write the logits of the last @n_logits tokens
 * (0 .. n_tokens) to @logits, n_logits x n_vocab. Any number of tokens: more
 * than max_batch run in several steps. Fails with EA_ERR_INVALID_ARGUMENT
 * (message in s->error) when a token is out of the vocabulary or the
 * positions pass the context.
 */
ea_status ea_ref_forward_batch(const struct ea_model *m, struct ea_ref_state *s,
				      const int32_t *tokens, int n_tokens, int pos0,
				      float *logits, int n_logits);

/* One token at @pos: its logits (s->logits, n_vocab values), or NULL on error. */
float *ea_ref_forward(const struct ea_model *m, struct ea_ref_state *s, int32_t token,
			     int pos);

/* -log softmax(@logits)[@target] (natural log), in double so that long sums
 * stay exact enough. */
double ea_ref_token_nll(const float *logits, int n_vocab, int target);

/*
 * The perplexity method of llama.cpp over one window: run @n_tokens tokens
 * from position 0 and add to *@nll the negative log-likelihood (natural log)
 * of each token first .. n_tokens - 1 given the tokens before it; *@n_scored
 * grows by their count. 1 <= first < n_tokens.
 */
ea_status ea_ref_window_nll(const struct ea_model *m, struct ea_ref_state *s,
				   const int32_t *tokens, int n_tokens, int first, double *nll,
				   int *n_scored);

#endif /* EA_REF_FORWARD_H */

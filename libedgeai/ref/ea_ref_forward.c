// SPDX-License-Identifier: MIT
/* ea_ref_forward - a llama-family transformer on the CPU, top to bottom. */
#include <math.h>
#include <stdlib.h>

#include "ea_ref_forward.h"
#include "ea_ref_pool.h"

static int q_dim(const struct ea_model_config *c)
{
	return c->n_heads * c->head_dim;
}

static int kv_dim(const struct ea_model_config *c)
{
	return c->n_kv_heads * c->head_dim;
}

ea_status ea_ref_state_new(const struct ea_model *m, int max_batch, struct ea_ref_state **out,
			   struct ea_error *err)
{
	return ea_ref_state_new_threads(m, max_batch, 0, out, err);
}

ea_status ea_ref_state_new_threads(const struct ea_model *m, int max_batch, int n_threads,
				   struct ea_ref_state **out, struct ea_error *err)
{
	const struct ea_model_config *c = &m->cfg;
	size_t batch = (size_t)max_batch;
	size_t cache = (size_t)c->n_layers * c->n_ctx * kv_dim(c);
	struct ea_ref_state *s = calloc(1, sizeof(*s));

	*out = NULL;
	if (max_batch < 1) {
		free(s);
		return ea_error_set(err, EA_ERR_INVALID_ARGUMENT,
				    "a batch holds at least one token, not %d", max_batch);
	}
	if (n_threads == 0) {
		ea_status status = ea_ref_default_threads(&n_threads, err);

		if (status != EA_OK) {
			free(s);
			return status;
		}
	}
	if (s) {
		ea_status status = ea_ref_pool_new(n_threads, &s->pool, err);

		if (status != EA_OK) {
			free(s);
			return status;
		}
		s->max_batch = max_batch;
		s->x = calloc(batch * c->dim, sizeof(float));
		s->xb = calloc(batch * c->dim, sizeof(float));
		s->xb2 = calloc(batch * c->dim, sizeof(float));
		s->q = calloc(batch * q_dim(c), sizeof(float));
		s->att = calloc(batch * q_dim(c), sizeof(float));
		s->hb = calloc(batch * c->ffn_dim, sizeof(float));
		s->hb2 = calloc(batch * c->ffn_dim, sizeof(float));
		s->att_weights = calloc((size_t)c->n_ctx, sizeof(float));
		s->key_cache = calloc(cache, sizeof(float));
		s->value_cache = calloc(cache, sizeof(float));
		s->logits = calloc((size_t)c->n_vocab, sizeof(float));
	}
	if (!s || !s->x || !s->xb || !s->xb2 || !s->q || !s->att || !s->hb || !s->hb2 ||
	    !s->att_weights || !s->key_cache || !s->value_cache || !s->logits) {
		ea_ref_state_free(s);
		return ea_error_set(err, EA_ERR_NO_MEMORY, "out of memory for the activations "
				    "of %d tokens and a KV cache of %zu MiB", max_batch,
				    2 * cache * sizeof(float) >> 20);
	}
	*out = s;
	return EA_OK;
}

void ea_ref_state_free(struct ea_ref_state *s)
{
	if (!s)
		return;
	free(s->x);
	free(s->xb);
	free(s->xb2);
	free(s->q);
	free(s->att);
	free(s->hb);
	free(s->hb2);
	free(s->att_weights);
	free(s->key_cache);
	free(s->value_cache);
	free(s->logits);
	ea_ref_pool_free(s->pool);
	free(s);
}

/* out = W X for @n tokens, on the state's threads. */
static void matmul(struct ea_ref_state *s, float *out, const struct ea_weight *w, const float *X,
		   int rows, int cols, int n)
{
	ea_ref_pool_matmul(s->pool, out, w->data, w->type, X, rows, cols, n);
}

/* Layer @l over the @n tokens in s->x, at positions pos0 .. pos0 + n - 1. */
static void transformer_block(const struct ea_model *m, struct ea_ref_state *s, int l, int n,
			      int pos0)
{
	const struct ea_model_config *c = &m->cfg;
	const struct ea_layer *w = &m->layers[l];
	int dim = c->dim, qd = q_dim(c), kvd = kv_dim(c), hd = c->head_dim;
	size_t layer_cache = (size_t)l * c->n_ctx * kvd;
	float *k_cache = s->key_cache + layer_cache, *v_cache = s->value_cache + layer_cache;
	/* This step's keys and values go straight into the cache. */
	float *k = k_cache + (size_t)pos0 * kvd, *v = v_cache + (size_t)pos0 * kvd;

	/* Attention: x += Wo . attention(rope(Wq xb), rope(Wk xb), Wv xb), xb = rmsnorm(x). */
	for (int t = 0; t < n; t++)
		ea_ref_rmsnorm(s->xb + t * dim, s->x + t * dim, w->attn_norm, dim, c->norm_eps);
	matmul(s, s->q, &w->wq, s->xb, qd, dim, n);
	matmul(s, k, &w->wk, s->xb, kvd, dim, n);
	matmul(s, v, &w->wv, s->xb, kvd, dim, n);
	for (int t = 0; t < n && w->bq; t++) {
		ea_ref_add(s->q + t * qd, s->q + t * qd, w->bq, qd);
		ea_ref_add(k + t * kvd, k + t * kvd, w->bk, kvd);
		ea_ref_add(v + t * kvd, v + t * kvd, w->bv, kvd);
	}
	for (int t = 0; t < n; t++) {
		ea_ref_rope(s->q + t * qd, c->n_heads, hd, pos0 + t, c->rope_freq_base, c->rope_mode);
		ea_ref_rope(k + t * kvd, c->n_kv_heads, hd, pos0 + t, c->rope_freq_base,
			    c->rope_mode);
	}
	ea_ref_attention_prompt(s->att, s->q, k_cache, v_cache, c->n_heads, c->n_kv_heads, hd,
				n, pos0, kvd, s->att_weights);
	matmul(s, s->xb2, &w->wo, s->att, dim, qd, n);
	ea_ref_add(s->x, s->x, s->xb2, n * dim);

	/* Feed-forward: x += W_down . (silu(W_gate xb) * W_up xb), xb = rmsnorm(x). */
	for (int t = 0; t < n; t++)
		ea_ref_rmsnorm(s->xb + t * dim, s->x + t * dim, w->ffn_norm, dim, c->norm_eps);
	matmul(s, s->hb, &w->w_gate, s->xb, c->ffn_dim, dim, n);
	matmul(s, s->hb2, &w->w_up, s->xb, c->ffn_dim, dim, n);
	ea_ref_swiglu(s->hb, s->hb, s->hb2, n * c->ffn_dim);
	matmul(s, s->xb2, &w->w_down, s->hb, dim, c->ffn_dim, n);
	ea_ref_add(s->x, s->x, s->xb2, n * dim);
}

/* @n <= max_batch tokens through the whole model; the logits of the last
 * @n_logits of them into @logits. */
static void forward_step(const struct ea_model *m, struct ea_ref_state *s,
			 const int32_t *tokens, int n, int pos0, float *logits, int n_logits)
{
	const struct ea_model_config *c = &m->cfg;
	int dim = c->dim, first = n - n_logits;

	for (int t = 0; t < n; t++)
		ea_ref_embed(s->x + t * dim, m->token_embd.data, m->token_embd.type, tokens[t], dim);
	for (int l = 0; l < c->n_layers; l++)
		transformer_block(m, s, l, n, pos0);
	if (n_logits == 0)
		return;
	for (int t = first; t < n; t++)
		ea_ref_rmsnorm(s->xb + t * dim, s->x + t * dim, m->output_norm, dim, c->norm_eps);
	matmul(s, logits, &m->output, s->xb + first * dim, c->n_vocab, dim, n_logits);
}

ea_status ea_ref_forward_batch(const struct ea_model *m, struct ea_ref_state *s,
			       const int32_t *tokens, int n_tokens, int pos0, float *logits,
			       int n_logits)
{
	const struct ea_model_config *c = &m->cfg;

	if (n_tokens < 1 || pos0 < 0 || n_logits < 0 || n_logits > n_tokens)
		return ea_error_set(&s->error, EA_ERR_INVALID_ARGUMENT, "%d tokens at position "
				    "%d with %d logits: not a valid step", n_tokens, pos0, n_logits);
	if (pos0 > c->n_ctx - n_tokens)
		return ea_error_set(&s->error, EA_ERR_INVALID_ARGUMENT, "positions %d .. %d pass "
				    "the model's context of %d tokens", pos0, pos0 + n_tokens - 1,
				    c->n_ctx);
	for (int t = 0; t < n_tokens; t++)
		if (tokens[t] < 0 || tokens[t] >= c->n_vocab)
			return ea_error_set(&s->error, EA_ERR_INVALID_ARGUMENT, "token %d is not "
					    "in the vocabulary of %d", (int)tokens[t], c->n_vocab);

	/* Steps of up to max_batch tokens; each emits the logits of its tokens
	 * from first_logit on. */
	int first_logit = n_tokens - n_logits;

	for (int done = 0; done < n_tokens; ) {
		int n = n_tokens - done < s->max_batch ? n_tokens - done : s->max_batch;
		int step_first = done > first_logit ? done : first_logit;
		int step_logits = done + n > step_first ? done + n - step_first : 0;
		float *out = logits + (size_t)(step_first - first_logit) * c->n_vocab;

		forward_step(m, s, tokens + done, n, pos0 + done, out, step_logits);
		done += n;
	}
	return EA_OK;
}

float *ea_ref_forward(const struct ea_model *m, struct ea_ref_state *s, int32_t token, int pos)
{
	if (ea_ref_forward_batch(m, s, &token, 1, pos, s->logits, 1) != EA_OK)
		return NULL;
	return s->logits;
}

double ea_ref_token_nll(const float *logits, int n_vocab, int target)
{
	double max = logits[0], sum = 0.0;

	for (int i = 1; i < n_vocab; i++)
		if (logits[i] > max)
			max = logits[i];
	for (int i = 0; i < n_vocab; i++)
		sum += exp(logits[i] - max);
	return log(sum) - (logits[target] - max);
}

ea_status ea_ref_window_nll(const struct ea_model *m, struct ea_ref_state *s,
			    const int32_t *tokens, int n_tokens, int first, double *nll,
			    int *n_scored)
{
	int n_vocab = m->cfg.n_vocab;
	/* Token i is predicted by the logits of token i - 1: those of first - 1 .. n - 2. */
	int n_logits = n_tokens - first + 1;
	float *logits;
	ea_status status;

	if (first < 1 || first >= n_tokens)
		return ea_error_set(&s->error, EA_ERR_INVALID_ARGUMENT, "cannot score tokens "
				    "%d .. %d of a window", first, n_tokens - 1);
	logits = malloc((size_t)n_logits * n_vocab * sizeof(float));
	if (!logits)
		return ea_error_set(&s->error, EA_ERR_NO_MEMORY, "out of memory for %d x %d logits",
				    n_logits, n_vocab);
	status = ea_ref_forward_batch(m, s, tokens, n_tokens, 0, logits, n_logits);
	for (int i = first; i < n_tokens && status == EA_OK; i++)
		*nll += ea_ref_token_nll(logits + (size_t)(i - first) * n_vocab, n_vocab, tokens[i]);
	if (status == EA_OK)
		*n_scored += n_tokens - first;
	free(logits);
	return status;
}

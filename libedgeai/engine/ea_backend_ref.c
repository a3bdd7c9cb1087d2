// SPDX-License-Identifier: MIT
/* ea_backend_ref - the CPU reference (ref/ea_ref_forward.h) as an engine. */
#include <stdlib.h>
#include <string.h>

#include "ea_backend.h"
#include "ea_ref_forward.h"
#include "ea_ref_pool.h"

/* Prompt tokens per step of the CPU reference: enough to share each weight row. */
#define CPU_BATCH 64

struct ref {
	struct ea_backend base;
	const struct ea_model *m;
	struct ea_ref_state *state;
	float *logits;		/* the last run's, n_vocab */
};

static struct ref *ref_of(struct ea_backend *e)
{
	return (struct ref *)e;
}

/* Token ids below n_vocab are the same values as int32_t. */
static ea_status ref_prompt(struct ea_backend *e, const uint32_t *tokens, uint32_t n,
			    uint32_t pos0)
{
	struct ref *r = ref_of(e);
	ea_status status = ea_ref_forward_batch(r->m, r->state, (const int32_t *)tokens, (int)n,
						(int)pos0, r->logits, 1);

	if (status != EA_OK)
		e->error = r->state->error;
	return status;
}

static ea_status ref_prompt_all(struct ea_backend *e, const uint32_t *tokens, uint32_t n,
				uint32_t pos0, float *logits)
{
	struct ref *r = ref_of(e);
	ea_status status = ea_ref_forward_batch(r->m, r->state, (const int32_t *)tokens, (int)n,
						(int)pos0, logits, (int)n);

	if (status != EA_OK) {
		e->error = r->state->error;
		return status;
	}
	memcpy(r->logits, logits + (size_t)(n - 1) * (size_t)r->m->cfg.n_vocab,
	       (size_t)r->m->cfg.n_vocab * sizeof(float));
	return EA_OK;
}

static ea_status ref_step(struct ea_backend *e, uint32_t token, uint32_t pos)
{
	return ref_prompt(e, &token, 1, pos);
}

static const float *ref_logits(struct ea_backend *e)
{
	return ref_of(e)->logits;
}

static uint32_t ref_argmax(struct ea_backend *e)
{
	struct ref *r = ref_of(e);
	uint32_t best = 0;

	for (uint32_t i = 1; i < (uint32_t)r->m->cfg.n_vocab; i++)
		if (r->logits[i] > r->logits[best])
			best = i;
	return best;
}

static ea_status ref_score(struct ea_backend *e, const uint32_t *tokens, uint32_t n,
			   uint32_t first, double *nll)
{
	struct ref *r = ref_of(e);
	int scored = 0;
	ea_status status = ea_ref_window_nll(r->m, r->state, (const int32_t *)tokens, (int)n,
					     (int)first, nll, &scored);

	if (status != EA_OK)
		e->error = r->state->error;
	return status;
}

static bool ref_kv_lost(struct ea_backend *e)
{
	(void)e;
	return false;
}

static int ref_threads(const struct ea_backend *e)
{
	return ea_ref_pool_threads(((const struct ref *)e)->state->pool);
}

static void ref_free(struct ea_backend *e)
{
	struct ref *r = ref_of(e);

	ea_ref_state_free(r->state);
	free(r->logits);
	free(r);
}

static const struct ea_backend_ops ref_ops = {
	.name = "CPU reference",
	.prompt = ref_prompt,
	.prompt_all = ref_prompt_all,
	.step = ref_step,
	.logits = ref_logits,
	.argmax = ref_argmax,
	.score = ref_score,
	.kv_lost = ref_kv_lost,
	.threads = ref_threads,
	.free = ref_free,
};

ea_status ea_backend_ref_new(const struct ea_model *m, int n_threads, struct ea_backend **out,
			    struct ea_error *err)
{
	struct ref *r = calloc(1, sizeof(*r));
	ea_status status;

	*out = NULL;
	if (r)
		r->logits = calloc((size_t)m->cfg.n_vocab, sizeof(float));
	if (!r || !r->logits) {
		free(r);
		return ea_error_set(err, EA_ERR_NO_MEMORY, "out of memory for an engine");
	}
	status = ea_ref_state_new_threads(m, CPU_BATCH, n_threads, &r->state, err);
	if (status != EA_OK) {
		free(r->logits);
		free(r);
		return status;
	}
	r->base.ops = &ref_ops;
	r->m = m;
	*out = &r->base;
	return EA_OK;
}

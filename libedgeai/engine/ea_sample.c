// SPDX-License-Identifier: MIT
/* ea_sample - token sampling and stop rules; ea_sample.h says what they do. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ea_ref.h"
#include "ea_sample.h"

ea_status ea_sampler_init(struct ea_sampler *s, const struct ea_sample_params *params,
			  int n_vocab, struct ea_error *err)
{
	memset(s, 0, sizeof(*s));
	if (!(params->temperature >= 0.0f) || isinf(params->temperature))
		return ea_error_set(err, EA_ERR_INVALID_ARGUMENT,
				    "temperature must be a finite number >= 0");
	if (params->top_k < 0)
		return ea_error_set(err, EA_ERR_INVALID_ARGUMENT,
				    "top-k must be >= 0 (0: all tokens)");
	if (!(params->top_p > 0.0f))
		return ea_error_set(err, EA_ERR_INVALID_ARGUMENT,
				    "top-p must be > 0 (1: all tokens)");
	if (n_vocab <= 0)
		return ea_error_set(err, EA_ERR_INVALID_ARGUMENT, "the vocabulary is empty");

	s->candidates = malloc((size_t)n_vocab * sizeof(*s->candidates));
	if (!s->candidates)
		return ea_error_set(err, EA_ERR_NO_MEMORY, "out of memory for %d candidates",
				    n_vocab);
	s->params = *params;
	s->n_vocab = n_vocab;
	/* xorshift64* must not start from 0; any other seed is fine as it is. */
	s->rng = params->seed ? params->seed : 0x9e3779b97f4a7c15ull;
	return EA_OK;
}

void ea_sampler_free(struct ea_sampler *s)
{
	free(s->candidates);
	s->candidates = NULL;
}

/* xorshift64* (Vigna): 64 bits of state, good enough to draw tokens. */
static uint64_t next_u64(struct ea_sampler *s)
{
	s->rng ^= s->rng >> 12;
	s->rng ^= s->rng << 25;
	s->rng ^= s->rng >> 27;
	return s->rng * 0x2545f4914f6cdd1dull;
}

float ea_sampler_random(struct ea_sampler *s)
{
	return (float)(next_u64(s) >> 40) * 0x1p-24f;
}

/* Most likely first; equal probabilities by token id, so the order is fixed. */
static int by_prob_desc(const void *pa, const void *pb)
{
	const struct ea_token_prob *a = pa, *b = pb;

	if (a->prob != b->prob)
		return a->prob > b->prob ? -1 : 1;
	return a->token - b->token;
}

/* Draw from candidates[0..n), whose probabilities sum to @total. */
static int draw(struct ea_sampler *s, int n, float total)
{
	float r = ea_sampler_random(s) * total, cumulative = 0.0f;

	for (int i = 0; i < n; i++) {
		cumulative += s->candidates[i].prob;
		if (r < cumulative)
			return s->candidates[i].token;
	}
	return s->candidates[n - 1].token; /* r fell in the rounding gap at the end */
}

/* candidates[i] = softmax(logits / temperature)[i], token i. */
static void tempered_softmax(struct ea_sampler *s, const float *logits, int n)
{
	float max = -INFINITY, sum = 0.0f;

	for (int i = 0; i < n; i++) {
		float x = logits[i] / s->params.temperature;

		s->candidates[i] = (struct ea_token_prob){ .prob = x, .token = i };
		max = fmaxf(max, x);
	}
	for (int i = 0; i < n; i++) {
		s->candidates[i].prob = expf(s->candidates[i].prob - max);
		sum += s->candidates[i].prob;
	}
	for (int i = 0; i < n; i++)
		s->candidates[i].prob /= sum;
}

int ea_sampler_next(struct ea_sampler *s, const float *logits)
{
	const struct ea_sample_params *p = &s->params;
	int n = s->n_vocab;
	float total = 0.0f;

	if (p->temperature == 0.0f || p->top_k == 1)
		return ea_ref_argmax(logits, n);

	tempered_softmax(s, logits, n);

	if (p->top_k > 0 || p->top_p < 1.0f)
		qsort(s->candidates, (size_t)n, sizeof(*s->candidates), by_prob_desc);
	if (p->top_k > 0 && p->top_k < n)
		n = p->top_k;

	for (int i = 0; i < n; i++)
		total += s->candidates[i].prob;
	if (p->top_p < 1.0f) {
		float kept = 0.0f, target = p->top_p * total;

		for (int i = 0; i < n; i++) {
			kept += s->candidates[i].prob;
			if (kept >= target) {
				n = i + 1;
				break;
			}
		}
		total = kept;
	}
	return draw(s, n, total);
}

/* The length of the longest tail of text[0..len) that begins some stop string. */
static size_t partial_stop_tail(const struct ea_stop_rules *rules, const char *text, size_t len)
{
	size_t longest = 0;

	for (int i = 0; i < rules->n_stop; i++) {
		size_t stop_len = strlen(rules->stop[i]);

		for (size_t tail = stop_len ? stop_len - 1 : 0; tail > longest; tail--) {
			if (tail <= len && memcmp(text + len - tail, rules->stop[i], tail) == 0) {
				longest = tail;
				break;
			}
		}
	}
	return longest;
}

enum ea_stop_reason ea_stop_check(const struct ea_stop_rules *rules, int n_generated,
				  int last_token, const char *text, size_t len, size_t *show)
{
	size_t first_stop = len;

	for (int i = 0; i < rules->n_stop; i++) {
		const char *found = rules->stop[i][0] ? memmem(text, len, rules->stop[i],
							       strlen(rules->stop[i])) : NULL;

		if (found && (size_t)(found - text) < first_stop)
			first_stop = (size_t)(found - text);
	}
	if (first_stop < len) {
		*show = first_stop;
		return EA_STOP_STRING;
	}
	*show = len;
	if (rules->eos_token >= 0 && last_token == rules->eos_token)
		return EA_STOP_EOS;
	if (rules->max_tokens > 0 && n_generated >= rules->max_tokens)
		return EA_STOP_MAX_TOKENS;
	*show = len - partial_stop_tail(rules, text, len);
	return EA_STOP_NONE;
}

/* SPDX-License-Identifier: MIT */
/*
 * ea_sample - choosing the next token from the logits, and deciding when a
 * generation stops.
 *
 * Sampling, in this order: temperature 0 (or top_k 1) is greedy (the argmax,
 * no randomness). Otherwise the logits are divided by the temperature and
 * turned into probabilities; top_k > 0 keeps the k most likely tokens; top_p
 * < 1 keeps the smallest set of most likely tokens whose probability reaches
 * top_p; a token is drawn from what is left, renormalized. The random numbers
 * come from the sampler's own generator, seeded by `seed`: the same seed and
 * logits give the same tokens, on any thread.
 */
#ifndef EA_SAMPLE_H
#define EA_SAMPLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ea_error.h"
#include "edgeai.h"

struct ea_sample_params {
	float temperature;	/* 0: greedy */
	int top_k;		/* 0: all tokens */
	float top_p;		/* 1 (or more): all tokens; must be > 0 */
	uint64_t seed;
};

/* A token and its probability, for sorting. */
struct ea_token_prob {
	float prob;
	int token;
};

struct ea_sampler {
	struct ea_sample_params params;
	int n_vocab;
	uint64_t rng;			/* the generator's state */
	struct ea_token_prob *candidates; /* n_vocab entries */
};

/* Check @params (temperature >= 0, top_k >= 0, top_p > 0, n_vocab > 0) and
 * set up @s; free it with ea_sampler_free(). On a bad parameter, returns
 * EA_ERR_INVALID_ARGUMENT with the reason in @err. */
ea_status ea_sampler_init(struct ea_sampler *s, const struct ea_sample_params *params,
				 int n_vocab, struct ea_error *err);
void ea_sampler_free(struct ea_sampler *s);

/* The next token for @logits (n_vocab values, left as they are: the caller
 * still reads them, e.g. for the token's log-probability). */
int ea_sampler_next(struct ea_sampler *s, const float *logits);

/* A uniform random float in [0, 1) from the sampler's generator. */
float ea_sampler_random(struct ea_sampler *s);

/* When a generation ends. */
struct ea_stop_rules {
	int max_tokens;			/* stop after this many tokens; 0: no limit */
	int eos_token;			/* stop when this token comes; -1: none */
	const char *const *stop;	/* stop strings, not part of the output */
	int n_stop;
};

enum ea_stop_reason {
	EA_STOP_NONE = 0,	/* go on */
	EA_STOP_MAX_TOKENS,	/* max_tokens reached */
	EA_STOP_EOS,		/* the end-of-sequence token came */
	EA_STOP_STRING,		/* a stop string appeared in the text */
};

/*
 * After the n_generated-th token (@last_token), with @text (@len bytes) all the
 * text generated so far: whether to stop, and in *@show how many bytes of
 * @text may be shown. On EA_STOP_STRING that is everything before the first
 * stop string; while going on it holds back a tail that could still become a
 * stop string, so that a stop string never reaches the output.
 */
enum ea_stop_reason ea_stop_check(const struct ea_stop_rules *rules, int n_generated,
					 int last_token, const char *text, size_t len,
					 size_t *show);

#endif /* EA_SAMPLE_H */

/* SPDX-License-Identifier: MIT */
/*
 * ea_route_prompt - what the local model says of a prompt before anything
 * is generated: each token's surprisal (for EA_COLLAB_ROUTER and the
 * cascade's confidence) and a shorter prompt without the least surprising
 * tokens (EA_COLLAB_COMPRESS).
 */
#ifndef EA_ROUTE_PROMPT_H
#define EA_ROUTE_PROMPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ea_error.h"
#include "edgeai.h"

/* The records of @p's prompt on @s (ea_generate() with prompt_only, echo and
 * logprobs: session-owned, valid until its next request); the KV cache then
 * holds the prompt. */
ea_status ea_route_score_prompt(struct ea_session *s, const struct ea_generate_params *p,
				struct ea_generate_result *r, struct ea_error *err);

/* The mean surprisal of the scored tokens (all but the first), milli-nats. */
uint32_t ea_route_surprisal(const struct ea_generate_result *r);

/*
 * A cascade's confidence in a local answer, per mille: exp(-sqrt(s_p * s_a)),
 * the geometric mean of two surprisals (nats a token) as a probability: s_p
 * the prompt's mean (@surprisal, milli-nats, as ea_route_surprisal() gives
 * it; @prompt_scored false when the prompt had no token to score, and then
 * the answer's counts alone) and s_a = -@logprob_sum / @n the answer's. A
 * request is doubtful when the local model is both surprised by the prompt
 * and unsure of its answer. With @n the answer's token budget instead of its
 * tokens so far, it is the most the answer's final confidence can still be:
 * log-probabilities are never above 0.
 */
uint32_t ea_route_confidence(uint32_t surprisal, bool prompt_scored, double logprob_sum, int n);

/*
 * The prompt of @r's records without the least surprising of them: drop
 * @drop per mille of the tokens, never the first token, those of the first
 * line, a line's break or its label (its tokens up to a colon among its
 * first few: "Description:") or personal data (ea_pii_scan() of the tokens'
 * text). A @random_seed other than 0 drops as many of the same droppable
 * tokens in a random order instead (the baseline eval-collab measures
 * against). *@text: the kept tokens' text (malloc'd, NUL-terminated),
 * *@kept how many.
 */
ea_status ea_route_compress(const struct ea_model *m, const struct ea_generate_result *r,
			    uint32_t drop, uint64_t random_seed, char **text, size_t *len,
			    int *kept, struct ea_error *err);

#endif /* EA_ROUTE_PROMPT_H */

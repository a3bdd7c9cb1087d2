/* SPDX-License-Identifier: MIT */
/*
 * ea_logprob - a token's log-probability record (struct ea_token_logprob,
 * edgeai.h) from the logits that predicted it: the model's own distribution,
 * log softmax in double, and the most likely tokens there.
 */
#ifndef EA_LOGPROB_H
#define EA_LOGPROB_H

#include <stdint.h>

#include "edgeai.h"

/* Fill @out for @token from @n_vocab @logits, with the @n_top (0 ..
 * EA_MAX_LOGPROBS) most likely tokens, most likely first, ties by lower id. */
void ea_logprob_of(const float *logits, int n_vocab, int32_t token, int n_top,
		   struct ea_token_logprob *out);

#endif /* EA_LOGPROB_H */

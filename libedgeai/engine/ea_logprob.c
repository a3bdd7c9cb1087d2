// SPDX-License-Identifier: MIT
/* ea_logprob - log-probability records from logits (see the header). */
#include <math.h>

#include "ea_logprob.h"

/* Whether logit @a of token @ia ranks before logit @b of token @ib. */
static int before(float a, int32_t ia, float b, int32_t ib)
{
	return a > b || (a == b && ia < ib);
}

void ea_logprob_of(const float *logits, int n_vocab, int32_t token, int n_top,
		   struct ea_token_logprob *out)
{
	float max = logits[0];
	double sum = 0.0, log_z;
	int n = 0;

	for (int i = 1; i < n_vocab; i++)
		if (logits[i] > max)
			max = logits[i];
	for (int i = 0; i < n_vocab; i++)
		sum += exp((double)logits[i] - max);
	log_z = max + log(sum);
	out->token = token;
	out->logprob = (float)((double)logits[token] - log_z);
	/* The n_top best by insertion into a sorted list: n_top is small. */
	for (int i = 0; i < n_vocab && n_top > 0; i++) {
		int at = n < n_top ? n : n_top;

		if (at == n_top && !before(logits[i], i, logits[out->top_token[n_top - 1]],
					   out->top_token[n_top - 1]))
			continue;
		while (at > 0 && before(logits[i], i, logits[out->top_token[at - 1]],
					out->top_token[at - 1])) {
			if (at < n_top)
				out->top_token[at] = out->top_token[at - 1];
			at--;
		}
		out->top_token[at] = i;
		if (n < n_top)
			n++;
	}
	out->n_top = n;
	for (int i = 0; i < n; i++)
		out->top_logprob[i] = (float)((double)logits[out->top_token[i]] - log_z);
}

// SPDX-License-Identifier: MIT
/* ea_spec_pace - the draft length of speculative decoding (see the header). */
#include <math.h>

#include "ea_spec_pace.h"

#define EA_PACE_WEIGHT 0.3	/* of the newest call in the moving averages */

static double blend(double old, double sample, int calls)
{
	return calls ? old + EA_PACE_WEIGHT * (sample - old) : sample;
}

void ea_spec_pace_add(struct ea_spec_pace *pc, int agree, int n_draft, double call_ms,
		      double draft_ms)
{
	if (n_draft <= 0)
		return;
	pc->agreed = blend(pc->agreed, agree, pc->calls);
	pc->disagreed = blend(pc->disagreed, agree < n_draft, pc->calls);
	if (call_ms >= 0) {
		double keep = 1.0 - EA_PACE_WEIGHT, k = n_draft;

		pc->sw = pc->sw * keep + 1.0;
		pc->sk = pc->sk * keep + k;
		pc->skk = pc->skk * keep + k * k;
		pc->st = pc->st * keep + call_ms;
		pc->skt = pc->skt * keep + k * call_ms;
	}
	if (draft_ms >= 0)
		pc->draft_ms = pc->draft_ms > 0 ? pc->draft_ms + EA_PACE_WEIGHT *
			       (draft_ms - pc->draft_ms) : draft_ms;
	pc->calls++;
}

void ea_spec_pace_call(const struct ea_spec_pace *pc, double *base, double *per_token)
{
	/* The weighted spread of k: a fit needs calls of different lengths
	 * (a spread of a tenth of a token squared, or the line is a guess). */
	double spread = pc->sw > 0 ? pc->skk * pc->sw - pc->sk * pc->sk : 0;
	double slope = 0, mean = pc->sw > 0 ? pc->st / pc->sw : 0;

	if (pc->sw > 0 && spread > 0.1 * pc->sw * pc->sw)
		slope = (pc->skt * pc->sw - pc->sk * pc->st) / spread;
	if (!(slope > 0))
		slope = 0;
	*base = pc->sw > 0 ? mean - slope * pc->sk / pc->sw : 0;
	if (!(*base > 0)) {	/* a fit below the origin: the time is all per token */
		*base = 0;
		slope = pc->sk > 0 ? pc->st / pc->sk : 0;
	}
	*per_token = slope;
}

int ea_spec_best_k(double a, double call_ms, double per_token_ms, double draft_ms)
{
	double best = -1.0;
	int best_k = 1;

	if (!(a >= 0))
		a = 0;
	if (a > 0.999)
		a = 0.999;
	if (!(call_ms >= 0))
		call_ms = 0;
	if (!(per_token_ms >= 0))
		per_token_ms = 0;
	if (!(draft_ms > 0))
		draft_ms = 1e-3;
	for (int k = 1; k <= EA_SPEC_MAX_DRAFT; k++) {
		double kept = (1.0 - pow(a, k + 1)) / (1.0 - a);
		double rate = kept / (call_ms + k * (per_token_ms + draft_ms));

		/* Ties (within a part in a thousand) go to the shorter draft. */
		if (rate > best * 1.001) {
			best = rate;
			best_k = k;
		}
	}
	return best_k;
}

int ea_spec_pace_k(const struct ea_spec_pace *pc)
{
	double runs = pc->agreed + pc->disagreed, base, per_token;

	if (!pc->calls)
		return EA_SPEC_FIRST_DRAFT;
	ea_spec_pace_call(pc, &base, &per_token);
	return ea_spec_best_k(runs > 0 ? pc->agreed / runs : 0.5, base, per_token, pc->draft_ms);
}

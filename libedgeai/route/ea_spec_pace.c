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
	if (call_ms >= 0)
		pc->call_ms = blend(pc->call_ms, call_ms, pc->calls);
	if (draft_ms >= 0)
		pc->draft_ms = pc->draft_ms > 0 ? pc->draft_ms + EA_PACE_WEIGHT *
			       (draft_ms - pc->draft_ms) : draft_ms;
	pc->calls++;
}

int ea_spec_best_k(double a, double call_ms, double draft_ms)
{
	double best = -1.0;
	int best_k = 1;

	if (!(a >= 0))
		a = 0;
	if (a > 0.999)
		a = 0.999;
	if (!(call_ms >= 0))
		call_ms = 0;
	if (!(draft_ms > 0))
		draft_ms = 1e-3;
	for (int k = 1; k <= EA_SPEC_MAX_DRAFT; k++) {
		double kept = (1.0 - pow(a, k + 1)) / (1.0 - a);
		double rate = kept / (call_ms + k * draft_ms);

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
	double runs = pc->agreed + pc->disagreed;

	if (!pc->calls)
		return EA_SPEC_FIRST_DRAFT;
	return ea_spec_best_k(runs > 0 ? pc->agreed / runs : 0.5, pc->call_ms, pc->draft_ms);
}

/* SPDX-License-Identifier: MIT */
/*
 * ea_spec_pace - the draft length of speculative decoding, from what the
 * request has measured so far: how often the cloud agrees with a drafted
 * token, how long a verify call takes (the round trip and the cloud's
 * work) and how long the local model takes to draft a token.
 */
#ifndef EA_SPEC_PACE_H
#define EA_SPEC_PACE_H

#define EA_SPEC_MAX_DRAFT 16
#define EA_SPEC_FIRST_DRAFT 4	/* before anything is measured */

/*
 * A verify call's time is fitted as call_ms(k) = base + per_token * k (the
 * round trip, and the cloud's work growing with the tokens it checks) by
 * least squares over the calls so far, each weighted (1 - EA_PACE_WEIGHT)
 * less a call: the sums below. Until k has varied, per_token is 0.
 */
struct ea_spec_pace {
	double agreed, disagreed;	/* moving averages, a verify call's */
	double sw, sk, skk, st, skt;	/* weighted sums of 1, k, k^2, ms, k ms */
	double draft_ms;		/* moving average of drafting one token */
	int calls;
};

/* A verify call's outcome: @agree of @n_draft drafted tokens agreed, the
 * call took @call_ms, drafting took @draft_ms a token (< 0: not measured). */
void ea_spec_pace_add(struct ea_spec_pace *pc, int agree, int n_draft, double call_ms,
		      double draft_ms);

/*
 * The draft length 1..EA_SPEC_MAX_DRAFT with the most tokens a millisecond:
 * with a the chance that a drafted token agrees (agreements over agreements
 * and first disagreements, so a draft cut by a disagreement counts as the
 * geometric run it is), a call of k drafts keeps (1 - a^(k+1)) / (1 - a)
 * tokens (the agreeing run and the cloud's token after it) and costs
 * base + per_token k + k draft_ms. A long round trip or a cheap draft gives
 * a longer k; a disagreeing edge model, or a cloud whose verify grows with
 * k (a CPU cloud), a shorter one.
 */
int ea_spec_pace_k(const struct ea_spec_pace *pc);

/* The fitted call time: *@base and *@per_token (ms; both >= 0). */
void ea_spec_pace_call(const struct ea_spec_pace *pc, double *base, double *per_token);

/* The same choice from the figures themselves (for tests, docs). */
int ea_spec_best_k(double agree_rate, double call_ms, double call_per_token_ms,
		   double draft_ms);

#endif /* EA_SPEC_PACE_H */

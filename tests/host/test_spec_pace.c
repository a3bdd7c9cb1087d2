// SPDX-License-Identifier: MIT
/*
 * ea_spec_pace: the draft length speculative decoding chooses from the
 * agreement rate, the verify call's time and a drafted token's time, against
 * figures worked by hand (kept tokens (1 - a^(k+1)) / (1 - a) over
 * call_ms + k draft_ms), and as a request's measurements move it.
 */
#include "ea_spec_pace.h"
#include "ea_tap.h"

struct worked {
	double a, call_ms, per_token_ms, draft_ms;
	int k;
	const char *why;
};

static const struct worked worked[] = {
	{ 0.6, 14, 0, 5, 1, "a 14 ms call (loopback), drafts at 5 ms: one token" },
	{ 0.6, 60, 0, 5, 3, "the same with a 60 ms call: 3" },
	{ 0.6, 110, 0, 5, 4, "110 ms: 4" },
	{ 0.8, 60, 0, 5, 6, "agreeing more (0.8), 60 ms: 6" },
	{ 0.8, 60, 10, 5, 3, "the same, the cloud's verify 10 ms more a token: 3" },
	{ 0.8, 60, 30, 5, 1, "30 ms more a token: 1" },
	{ 0.9, 60, 0, 2, 15, "0.9 and cheap drafts: 15" },
	{ 0.0, 50, 0, 1, 1, "an edge model that never agrees: 1" },
};

int main(void)
{
	size_t n = sizeof(worked) / sizeof(worked[0]);
	struct ea_spec_pace pace = { 0 };
	struct tap t = { 0 };
	struct ea_spec_pace line = { 0 };
	int k_far, k_near, k_bad;
	double base, per_token;

	tap_plan(&t, (int)n + 6);
	for (size_t i = 0; i < n; i++) {
		int k = ea_spec_best_k(worked[i].a, worked[i].call_ms, worked[i].per_token_ms,
				       worked[i].draft_ms);

		tap_ok(&t, k == worked[i].k, "%s (k %d)", worked[i].why, k);
	}
	tap_ok(&t, ea_spec_pace_k(&pace) == EA_SPEC_FIRST_DRAFT,
	       "nothing measured yet: k %d", EA_SPEC_FIRST_DRAFT);
	/* Calls where 3 of 4 drafted tokens agree (a = 3 / (3 + 1)), 80 ms
	 * each, drafts at 2 ms: k 8 by hand; then 3 ms calls: k 1. */
	for (int i = 0; i < 20; i++)
		ea_spec_pace_add(&pace, 3, 4, 80.0, 2.0);
	k_far = ea_spec_pace_k(&pace);
	tap_ok(&t, k_far == 8, "3 of 4 drafts kept, 80 ms calls: k grows to %d", k_far);
	for (int i = 0; i < 20; i++)
		ea_spec_pace_add(&pace, 3, 4, 3.0, 2.0);
	k_near = ea_spec_pace_k(&pace);
	tap_ok(&t, k_near == 1, "the same agreement over 3 ms calls: k %d", k_near);
	for (int i = 0; i < 12; i++)
		ea_spec_pace_add(&pace, 0, 4, 80.0, 2.0);
	k_bad = ea_spec_pace_k(&pace);
	tap_ok(&t, k_bad == 1, "then every first drafted token rejected: k %d", k_bad);
	/* Calls of 2 and 6 drafts taking 10 + 5 k ms: the fit finds the line,
	 * and with 4 of every 5 drafts agreeing and 5 ms drafts, k is what the
	 * line gives (ea_spec_best_k(0.8, 10, 5, 5)), not what a flat 30 ms
	 * average would. */
	for (int i = 0; i < 12; i++) {
		int k = i % 2 ? 6 : 2;

		ea_spec_pace_add(&line, k * 4 / 5, k, 10.0 + 5.0 * k, 5.0);
	}
	ea_spec_pace_call(&line, &base, &per_token);
	tap_ok(&t, base > 9.99 && base < 10.01 && per_token > 4.99 && per_token < 5.01,
	       "calls of 10 + 5 k ms: fitted %.3f + %.3f k", base, per_token);
	tap_ok(&t, ea_spec_pace_k(&line) == ea_spec_best_k(line.agreed / (line.agreed +
							    line.disagreed), 10, 5, 5) &&
	       ea_spec_pace_k(&line) != ea_spec_best_k(line.agreed / (line.agreed +
							    line.disagreed), 30, 0, 5),
	       "k from the line: %d (a flat 30 ms: %d)", ea_spec_pace_k(&line),
	       ea_spec_best_k(line.agreed / (line.agreed + line.disagreed), 30, 0, 5));
	return tap_done(&t);
}

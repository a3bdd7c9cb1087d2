/* SPDX-License-Identifier: MIT */
/*
 * eval_frontier - a routing policy's frontier for edgeai eval-collab: the
 * quality of the test split (the odd requests) against the fraction of it
 * offloaded, the policy's thresholds set on the calibration split (the even
 * requests) or, for policies that are an order rather than a rule (random,
 * the oracle), on the test split's own order.
 *
 * A calibrated threshold meant for 30% lands near 30% on the test split,
 * not on it (27-34% on 200 requests): policies compared at their own
 * fractions would be compared at different budgets. So the share of the
 * cloud's gain a policy recovers "at 30%" is read off its frontier at
 * exactly 30% offloaded, linearly between the two calibrated points around
 * it (what a deployment gets by switching between those two thresholds at
 * random in the right proportion).
 */
#ifndef EDGEAI_EVAL_FRONTIER_H
#define EDGEAI_EVAL_FRONTIER_H

#include <stdbool.h>

/* The frontier's targets: 0, 5, .. 100% offloaded. */
#define EVAL_TARGETS 21

struct eval_frontier {
	const char *name;
	const double *score;	/* a request's; the higher, the sooner it is offloaded */
	bool calibrated;	/* thresholds from the calibration split */
	/* At each target, on the test split: the fraction offloaded, the quality. */
	double offloaded[EVAL_TARGETS], quality[EVAL_TARGETS];
};

/*
 * @fr's points over @n requests, whose quality (lower is better) is
 * @q_local[i] served locally and @q_cloud[i] offloaded.
 */
void eval_frontier_run(struct eval_frontier *fr, const double *q_local, const double *q_cloud,
		       int n);

/* The quality on @fr's frontier at exactly @offloaded (0 .. 1), interpolated. */
double eval_frontier_at(const struct eval_frontier *fr, double offloaded);

/* The score above which fraction @f of @split's scores lie (0: the
 * calibration split, 1: the test split). */
double eval_threshold(const double *score, int n, int split, double f);

/* Every point of @n_fr frontiers, tab-separated, a gnuplot data set each. */
int eval_frontier_write(const char *path, const struct eval_frontier *fr, int n_fr);

#endif /* EDGEAI_EVAL_FRONTIER_H */

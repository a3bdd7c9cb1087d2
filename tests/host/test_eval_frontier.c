// SPDX-License-Identifier: MIT
/*
 * The routing frontier of edgeai eval-collab (tools/edgeai/eval_frontier.c,
 * built into this test): on a hand-made split of 4 calibration and 4 test
 * requests, an order on the test split offloads its exact shares, a
 * calibrated threshold lands where the calibration split puts it, and the
 * frontier is read at exactly 30% offloaded between the points around it.
 */
#include <math.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../tools/edgeai/eval_frontier.c"

#include "ea_tap.h"

#define N 8

/* Test requests (odd) gain 0.4, 0.3, 0.2, 0.1 offloaded; calibration ones nothing. */
static const double q_local[N] = { 1, 1, 1, 1, 1, 1, 1, 1 };
static const double q_cloud[N] = { 1, 0.6, 1, 0.7, 1, 0.8, 1, 0.9 };

static bool near(double a, double b)
{
	return fabs(a - b) < 1e-12;
}

int main(void)
{
	static const double gain[N] = { 0, 0.4, 0, 0.3, 0, 0.2, 0, 0.1 };
	/* Calibration scores 10..40; the two best test requests score above 30. */
	static const double score[N] = { 10, 36, 20, 35, 30, 6, 40, 5 };
	struct eval_frontier oracle = { .name = "oracle", .score = gain };
	struct eval_frontier rule = { .name = "rule", .score = score, .calibrated = true };
	struct eval_frontier both[2];
	char path[] = "/tmp/ea-frontier-XXXXXX", line[128];
	struct tap t = { 0 };
	int fd, lines = 0;
	FILE *f;

	tap_plan(&t, 4);
	eval_frontier_run(&oracle, q_local, q_cloud, N);
	tap_ok(&t, near(oracle.offloaded[5], 0.25) && near(oracle.quality[5], 0.9) &&
	       near(oracle.offloaded[8], 0.5) && near(oracle.quality[8], 0.825) &&
	       near(oracle.offloaded[0], 0) && near(oracle.quality[0], 1) &&
	       near(oracle.offloaded[20], 1) && near(oracle.quality[20], 0.75),
	       "an order on the test split: 0, 25, 50 and 100%% offloaded, the best first");
	tap_ok(&t, near(eval_frontier_at(&oracle, 0.3), 0.885) &&
	       near(eval_frontier_at(&oracle, 0.25), 0.9) && near(eval_frontier_at(&oracle, 0), 1) &&
	       near(eval_frontier_at(&oracle, 1), 0.75),
	       "read at 30%%: a fifth of the way from 25%% to 50%% (%.4f)",
	       eval_frontier_at(&oracle, 0.3));

	eval_frontier_run(&rule, q_local, q_cloud, N);
	tap_ok(&t, near(eval_threshold(score, N, 0, 0.3), 30) && near(rule.offloaded[6], 0.5) &&
	       near(rule.quality[6], 0.825) && near(rule.offloaded[2], 0) &&
	       near(rule.offloaded[3], 0.5) && near(eval_frontier_at(&rule, 0.3), 0.895),
	       "calibrated for 30%%: threshold 30, 50%% of the test split offloaded; read at "
	       "30%%: 0.6 of the way from its 0%% point (%.4f)", eval_frontier_at(&rule, 0.3));

	both[0] = oracle;
	both[1] = rule;
	fd = mkstemp(path);
	if (fd >= 0)
		close(fd);
	f = fd >= 0 && eval_frontier_write(path, both, 2) == 0 ? fopen(path, "r") : NULL;
	while (f && fgets(line, sizeof(line), f))
		lines += line[0] != '\n';
	if (f)
		fclose(f);
	unlink(path);
	tap_ok(&t, lines == 1 + 2 * EVAL_TARGETS, "the plot's data: a header and %d points a "
	       "policy (%d lines)", EVAL_TARGETS, lines);
	return tap_done(&t);
}

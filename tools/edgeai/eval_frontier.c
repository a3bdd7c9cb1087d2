// SPDX-License-Identifier: MIT
/* eval_frontier - a routing policy's frontier (see the header). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "eval_frontier.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double eval_threshold(const double *score, int n, int split, double f)
{
	double *sorted = malloc((size_t)n * sizeof(*sorted));
	int m = 0, at;
	double t;

	for (int i = split; i < n && sorted; i += 2)
		sorted[m++] = score[i];
	if (!sorted || !m) {
		free(sorted);
		return INFINITY;
	}
	qsort(sorted, (size_t)m, sizeof(*sorted), cmp_double);
	at = (int)lround((1.0 - f) * m) - 1;
	t = at < 0 ? -INFINITY : at >= m ? INFINITY : sorted[at];
	free(sorted);
	return t;
}

void eval_frontier_run(struct eval_frontier *fr, const double *q_local, const double *q_cloud,
		       int n)
{
	for (int k = 0; k < EVAL_TARGETS; k++) {
		double t = eval_threshold(fr->score, n, fr->calibrated ? 0 : 1,
					  (double)k / (EVAL_TARGETS - 1)), q = 0.0;
		int m = 0, off = 0;

		for (int i = 1; i < n; i += 2, m++) {
			bool cloud = fr->score[i] > t;

			q += cloud ? q_cloud[i] : q_local[i];
			off += cloud;
		}
		fr->offloaded[k] = m ? (double)off / m : 0.0;
		fr->quality[k] = m ? q / m : NAN;
	}
}

double eval_frontier_at(const struct eval_frontier *fr, double offloaded)
{
	/* Higher targets offload no fewer: the points are in order of offloaded. */
	for (int k = 0; k + 1 < EVAL_TARGETS; k++) {
		double a = fr->offloaded[k], b = fr->offloaded[k + 1];

		if (b < offloaded)
			continue;
		if (b == a || offloaded <= a)
			return offloaded <= a ? fr->quality[k] : fr->quality[k + 1];
		return fr->quality[k] + (fr->quality[k + 1] - fr->quality[k]) *
		       (offloaded - a) / (b - a);
	}
	return fr->quality[EVAL_TARGETS - 1];
}

int eval_frontier_write(const char *path, const struct eval_frontier *fr, int n_fr)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		fprintf(stderr, "edgeai eval-collab: %s: cannot create\n", path);
		return -1;
	}
	fprintf(f, "# policy\ttarget\toffloaded\tquality\n");
	for (int p = 0; p < n_fr; p++) {
		for (int k = 0; k < EVAL_TARGETS; k++)
			fprintf(f, "%s\t%.2f\t%.4f\t%.4f\n", fr[p].name,
				(double)k / (EVAL_TARGETS - 1), fr[p].offloaded[k], fr[p].quality[k]);
		fprintf(f, "\n\n");	/* a gnuplot data set a policy */
	}
	if (fclose(f) != 0) {
		fprintf(stderr, "edgeai eval-collab: %s: cannot write\n", path);
		return -1;
	}
	return 0;
}

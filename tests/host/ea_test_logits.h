/* SPDX-License-Identifier: MIT */
/* ea_test_logits - comparing two engines' logits in the engine tests. */
#ifndef EA_TEST_LOGITS_H
#define EA_TEST_LOGITS_H

#include <math.h>

/* max|got - want| / max|want| over @n logits (the absolute difference when
 * want is all zero). */
static inline double ea_test_rel_diff(const float *got, const float *want, int n)
{
	double diff = 0.0, scale = 0.0;

	for (int i = 0; i < n; i++) {
		diff = fmax(diff, fabs((double)got[i] - want[i]));
		scale = fmax(scale, fabs((double)want[i]));
	}
	return scale > 0.0 ? diff / scale : diff;
}

#endif /* EA_TEST_LOGITS_H */

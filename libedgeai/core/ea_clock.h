/* SPDX-License-Identifier: MIT */
/* ea_clock - the monotonic clock in milliseconds, for timings and deadlines. */
#ifndef EA_CLOCK_H
#define EA_CLOCK_H

#include <time.h>

static inline double ea_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

#endif /* EA_CLOCK_H */

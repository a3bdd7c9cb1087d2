/* SPDX-License-Identifier: MIT */
/*
 * ea_tap.h - a minimal TAP producer for the host tests: "1..N", then one
 * "ok N - name" or "not ok N - name" per check, diagnostics as "# ...".
 */
#ifndef EA_TAP_H
#define EA_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

struct tap {
	int planned;
	int run;
	int failed;
};

static inline void tap_plan(struct tap *t, int n)
{
	t->planned = n;
	printf("1..%d\n", n);
	fflush(stdout);
}

static inline void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline void tap_diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* Report one check; returns @ok so a test can add diagnostics on failure. */
static inline bool tap_ok(struct tap *t, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static inline bool tap_ok(struct tap *t, bool ok, const char *fmt, ...)
{
	va_list ap;

	t->run++;
	if (!ok)
		t->failed++;
	printf("%sok %d - ", ok ? "" : "not ", t->run);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	return ok;
}

/* The exit status: 0 only when every planned check ran and passed. */
static inline int tap_done(const struct tap *t)
{
	if (t->run != t->planned)
		tap_diag("planned %d checks, ran %d", t->planned, t->run);
	return (t->failed || t->run != t->planned) ? 1 : 0;
}

#endif /* EA_TAP_H */

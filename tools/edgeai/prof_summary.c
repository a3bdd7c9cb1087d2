// SPDX-License-Identifier: MIT
/* prof_summary - the time of each kind of span in a trace (see the header). */
#include "prof_summary.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct kind {
	char cat[32], name[48];
	int count;
	double total_us;
};

static const char *str_of(json_object *e, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(e, key, &v) ? json_object_get_string(v) : "";
}

/* "job 12" counts as "job": the kernel names each job's span by its id. */
static void kind_name(const char *cat, const char *name, char *out, size_t n)
{
	if (!strcmp(cat, "kernel") && !strncmp(name, "job ", 4))
		snprintf(out, n, "job");
	else
		snprintf(out, n, "%s", name);
}

static int by_total(const void *a, const void *b)
{
	const struct kind *x = a, *y = b;

	return (y->total_us > x->total_us) - (y->total_us < x->total_us);
}

void prof_summary_print(const struct prof_trace *t)
{
	size_t n = json_object_array_length(t->events);
	struct kind *kinds = calloc(n ? n : 1, sizeof(*kinds));
	int n_kinds = 0;

	if (!kinds)
		return;
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(t->events, i), *dur;
		char name[48];
		int k;

		if (strcmp(str_of(e, "ph"), "X") || !json_object_object_get_ex(e, "dur", &dur))
			continue;
		kind_name(str_of(e, "cat"), str_of(e, "name"), name, sizeof(name));
		for (k = 0; k < n_kinds; k++)
			if (!strcmp(kinds[k].cat, str_of(e, "cat")) && !strcmp(kinds[k].name, name))
				break;
		if (k == n_kinds) {
			snprintf(kinds[k].cat, sizeof(kinds[k].cat), "%s", str_of(e, "cat"));
			snprintf(kinds[k].name, sizeof(kinds[k].name), "%s", name);
			n_kinds++;
		}
		kinds[k].count++;
		kinds[k].total_us += json_object_get_double(dur);
	}
	qsort(kinds, (size_t)n_kinds, sizeof(*kinds), by_total);
	printf("%-8s %-26s %7s %12s %12s\n", "cat", "span", "count", "total ms", "mean ms");
	for (int k = 0; k < n_kinds; k++)
		printf("%-8s %-26s %7d %12.3f %12.3f\n", kinds[k].cat, kinds[k].name, kinds[k].count,
		       kinds[k].total_us / 1e3, kinds[k].total_us / 1e3 / kinds[k].count);
	free(kinds);
}

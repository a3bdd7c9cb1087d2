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
	double bytes, bytes_us;		/* GPU ops: bytes bound, by the ops that say */
	double flops, flops_us;		/* multiply-adds x 2, likewise */
};

static const char *str_of(json_object *e, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(e, key, &v) ? json_object_get_string(v) : "";
}

/* "job 12" counts as "job": the kernel names each job's span by its id; the
 * layers are one kind here and have a table of their own. */
static void kind_name(const char *cat, const char *name, char *out, size_t n)
{
	if (!strcmp(cat, "kernel") && !strncmp(name, "job ", 4))
		snprintf(out, n, "job");
	else if (!strcmp(cat, "layer"))
		snprintf(out, n, "layer");
	else
		snprintf(out, n, "%s", name);
}

/* args.@key of @e, 0 when it has none. */
static double arg_of(json_object *e, const char *key)
{
	json_object *args, *v;

	return json_object_object_get_ex(e, "args", &args) &&
	       json_object_object_get_ex(args, key, &v) ? json_object_get_double(v) : 0;
}

static int by_total(const void *a, const void *b)
{
	const struct kind *x = a, *y = b;

	return (y->total_us > x->total_us) - (y->total_us < x->total_us);
}

/* The GPU ops (category "gpu") again: share of the GPU's time, GB/s of the
 * bytes they bind against the roofline, GFLOP/s of the matrix ops. */
static void gpu_table(const struct kind *kinds, int n_kinds, double gpu_us,
		      double roofline_gbps)
{
	char gbps[16], share[16], gflops[16];

	if (gpu_us <= 0)
		return;
	printf("\nGPU ops: %.3f ms in all", gpu_us / 1e3);
	if (roofline_gbps > 0)
		printf("; roofline %.1f GB/s (a compute shader's streaming read of 64 MiB, measured now)",
		       roofline_gbps);
	printf("\n%-14s %7s %10s %7s %10s %10s %9s\n", "op", "count", "mean us", "share",
	       "GB/s", "GFLOP/s", "roofline");
	for (int k = 0; k < n_kinds; k++) {
		const struct kind *o = &kinds[k];
		double g = o->bytes_us > 0 ? o->bytes / (o->bytes_us * 1e3) : 0;

		if (strcmp(o->cat, "gpu"))
			continue;
		snprintf(gbps, sizeof(gbps), g > 0 ? "%.2f" : "-", g);
		snprintf(gflops, sizeof(gflops), o->flops_us > 0 ? "%.2f" : "-",
			 o->flops_us > 0 ? o->flops / (o->flops_us * 1e3) : 0);
		snprintf(share, sizeof(share), g > 0 && roofline_gbps > 0 ? "%.3f" : "-",
			 roofline_gbps > 0 ? g / roofline_gbps : 0);
		printf("%-14s %7d %10.1f %6.1f%% %10s %10s %9s\n", o->name, o->count,
		       o->total_us / o->count, 100 * o->total_us / gpu_us, gbps, gflops, share);
	}
}

/* The GPU time of each layer (category "layer"): runs, mean and share. */
static void layer_table(const struct prof_trace *t, double gpu_us)
{
	size_t n = json_object_array_length(t->events);
	int n_layers = 0;
	double *us;
	int *count;

	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(t->events, i);

		double l = arg_of(e, "layer");

		if (!strcmp(str_of(e, "cat"), "layer") && l + 1 > n_layers && l < 100000)
			n_layers = (int)l + 1;
	}
	us = calloc((size_t)n_layers + 1, sizeof(*us));
	count = calloc((size_t)n_layers + 1, sizeof(*count));
	if (n_layers && us && count && gpu_us > 0) {
		for (size_t i = 0; i < n; i++) {
			json_object *e = json_object_array_get_idx(t->events, i), *dur;
			int l = (int)arg_of(e, "layer");

			if (strcmp(str_of(e, "cat"), "layer") || l < 0 || l >= n_layers ||
			    !json_object_object_get_ex(e, "dur", &dur))
				continue;
			us[l] += json_object_get_double(dur);
			count[l]++;
		}
		printf("\n%-8s %7s %10s %7s\n", "layer", "runs", "mean us", "share");
		for (int l = 0; l < n_layers; l++)
			if (count[l])
				printf("%-8d %7d %10.1f %6.1f%%\n", l, count[l], us[l] / count[l],
				       100 * us[l] / gpu_us);
	}
	free(us);
	free(count);
}

void prof_summary_print(const struct prof_trace *t, double roofline_gbps)
{
	size_t n = json_object_array_length(t->events);
	struct kind *kinds = calloc(n ? n : 1, sizeof(*kinds));
	double gpu_us = 0;
	int n_kinds = 0;

	if (!kinds)
		return;
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(t->events, i), *dur;
		double bytes, flops;
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
		if ((bytes = arg_of(e, "bytes")) > 0) {
			kinds[k].bytes += bytes;
			kinds[k].bytes_us += json_object_get_double(dur);
		}
		if ((flops = arg_of(e, "flops")) > 0) {
			kinds[k].flops += flops;
			kinds[k].flops_us += json_object_get_double(dur);
		}
	}
	qsort(kinds, (size_t)n_kinds, sizeof(*kinds), by_total);
	printf("%-8s %-26s %7s %12s %12s\n", "cat", "span", "count", "total ms", "mean ms");
	for (int k = 0; k < n_kinds; k++)
		printf("%-8s %-26s %7d %12.3f %12.3f\n", kinds[k].cat, kinds[k].name, kinds[k].count,
		       kinds[k].total_us / 1e3, kinds[k].total_us / 1e3 / kinds[k].count);
	for (int k = 0; k < n_kinds; k++)
		if (!strcmp(kinds[k].cat, "gpu"))
			gpu_us += kinds[k].total_us;
	gpu_table(kinds, n_kinds, gpu_us, roofline_gbps);
	layer_table(t, gpu_us);
	free(kinds);
}

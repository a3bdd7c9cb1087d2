// SPDX-License-Identifier: MIT
/*
 * edgeai probe - measure a cloud endpoint's round trip and throughput and
 * store them where the routing policies read them: the scheduler's pinned
 * "cloud" map (kmod mode, when edgeai-sched has pinned it) and the probe
 * cache file (direct mode: edgeai ask and every router opened with it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "route_cli.h"

bool route_cli_cache_path(char *out, size_t n)
{
	const char *env = getenv("EDGEAI_PROBE_CACHE"), *home = getenv("HOME");
	char dir[4096];

	if (env && *env)
		return (size_t)snprintf(out, n, "%s", env) < n;
	if (!home || !*home)
		return false;
	snprintf(dir, sizeof(dir), "%s/.cache", home);
	mkdir(dir, 0755);
	snprintf(dir, sizeof(dir), "%s/.cache/edgeai", home);
	mkdir(dir, 0755);
	return (size_t)snprintf(out, n, "%s/cloud-probe.json", dir) < n;
}

static int run_probe(int argc, char **argv)
{
	struct ea_router_options o = { 0 };
	struct ea_cloud_figures fig;
	struct ea_router *r;
	char cache[4096], why[1024];
	long rounds = 5;

	if (route_cli_cache_path(cache, sizeof(cache)))
		o.probe_cache = cache;
	for (int i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!v) {
			fprintf(stderr, "edgeai probe: %s: unknown or missing its value\n", argv[i]);
			return 2;
		} else if (!strcmp(argv[i], "-c") || !strcmp(argv[i], "--config")) {
			o.cloud_config = v;
		} else if (!strcmp(argv[i], "--endpoint")) {
			o.endpoint = v;
		} else if (!strcmp(argv[i], "--cache")) {
			o.probe_cache = v;
		} else if (!strcmp(argv[i], "--rounds")) {
			rounds = strtol(v, NULL, 10);
		} else {
			fprintf(stderr, "edgeai probe: unknown option '%s'\n", argv[i]);
			return 2;
		}
		i++;
	}
	if (!o.cloud_config || rounds < 1 || rounds > 32) {
		fprintf(stderr, "edgeai probe: -c CLOUD.json is needed; --rounds 1..32\n");
		return 2;
	}
	if (ea_router_open(NULL, &o, &r, why, sizeof(why)) != EA_OK) {
		fprintf(stderr, "edgeai probe: %s\n", why);
		return 1;
	}
	if (ea_router_probe(r, (int)rounds, &fig) != EA_OK) {
		fprintf(stderr, "edgeai probe: %s\n", ea_router_error(r));
		ea_router_close(r);
		return 1;
	}
	printf("rtt: %.1f ms\nthroughput: %.1f tokens/s\nscheduler map: %s\ncache: %s\n",
	       fig.rtt_ms, fig.tokens_per_s,
	       fig.in_scheduler_map ? "/sys/fs/bpf/edgeai/cloud" : "not pinned (direct mode)",
	       o.probe_cache ? o.probe_cache : "none");
	ea_router_close(r);
	return 0;
}

const struct cli_command cli_probe = {
	.name = "probe",
	.summary = "measure a cloud endpoint's round trip and tokens/s for the routing policies",
	.usage = "-c CLOUD.json [--endpoint NAME] [--rounds N] [--cache FILE]\n"
		 "  Round trip: median of N (5) GET /models; throughput: one 32-token completion.\n"
		 "  Written to the scheduler's pinned map /sys/fs/bpf/edgeai/cloud when it is\n"
		 "  there, and to the cache file (default $EDGEAI_PROBE_CACHE, else\n"
		 "  ~/.cache/edgeai/cloud-probe.json) that edgeai ask reads.",
	.run = run_probe,
};

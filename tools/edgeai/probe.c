// SPDX-License-Identifier: MIT
/*
 * edgeai probe - measure a cloud endpoint's round trip and throughput and
 * store them where the routing policies read them: the scheduler's pinned
 * "cloud" map (kmod mode, when edgeai-sched has pinned it) and the probe
 * cache file (direct mode: edgeai ask and every router opened with it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "cli.h"
#include "route_cli.h"

bool route_cli_cache_path(char *out, size_t n, bool make_dir)
{
	const char *env = getenv("EDGEAI_PROBE_CACHE"), *home = getenv("HOME");
	char dir[4096];

	if (env && *env)
		return (size_t)snprintf(out, n, "%s", env) < n;
	if (!home || !*home)
		return false;
	snprintf(dir, sizeof(dir), "%s/.cache", home);
	if (make_dir)
		mkdir(dir, 0755);
	snprintf(dir, sizeof(dir), "%s/.cache/edgeai", home);
	if (make_dir)
		mkdir(dir, 0755);
	return (size_t)snprintf(out, n, "%s/cloud-probe.json", dir) < n;
}

enum { OPT_ENDPOINT = CLI_OPT_OWN, OPT_CACHE, OPT_ROUNDS };

static const struct option long_options[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "endpoint", required_argument, NULL, OPT_ENDPOINT },
	{ "cache", required_argument, NULL, OPT_CACHE },
	{ "rounds", required_argument, NULL, OPT_ROUNDS },
	CLI_OPTIONS_END
};

static void parse_option(struct cli_parser *p, struct ea_router_options *o, int *rounds)
{
	switch (p->option) {
	case 'c':
		o->cloud_config = optarg;
		break;
	case OPT_ENDPOINT:
		o->endpoint = optarg;
		break;
	case OPT_CACHE:
		o->probe_cache = optarg;
		break;
	case OPT_ROUNDS:
		cli_int(p, 1, 32, rounds);
		break;
	}
}

static int run_probe(int argc, char **argv)
{
	struct ea_router_options o = { 0 };
	struct ea_cloud_figures fig;
	struct cli_parser p;
	struct ea_router *r;
	char cache[4096], why[1024];
	int rounds = 5;

	if (route_cli_cache_path(cache, sizeof(cache), true))
		o.probe_cache = cache;
	cli_parser_init(&p, &cli_probe, argc, argv, "c:", long_options);
	while (cli_next(&p) != -1)
		parse_option(&p, &o, &rounds);
	if (p.exit_status != CLI_CONTINUE)
		return p.exit_status;
	if (!o.cloud_config) {
		fprintf(stderr, "edgeai probe: -c CLOUD.json is needed\n");
		return 2;
	}
	if (ea_router_open(NULL, &o, &r, why, sizeof(why)) != EA_OK) {
		fprintf(stderr, "edgeai probe: %s\n", why);
		return 1;
	}
	if (ea_router_probe(r, rounds, &fig) != EA_OK) {
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

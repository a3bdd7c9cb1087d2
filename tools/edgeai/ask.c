// SPDX-License-Identifier: MIT
/*
 * edgeai ask - routed generation from the command line: the request runs on
 * the local model or the cloud endpoint as the policy decides (the module's
 * in kmod mode), falls back to local when the cloud fails, streams the text,
 * then prints the decision, its reason, where it ran, TTFT and tokens/s. A
 * client of edgeai.h alone (ea_router_open, ea_generate_routed).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "route_cli.h"

struct ask_options {
	const char *model;
	struct ea_open_options device;
	struct ea_session_options session;
	struct ea_router_options router;
	struct ea_route_params route;
	struct ea_generate_params gen;
	bool json;
	char cache[4096];
};

static int print_text(const char *text, size_t len, void *user)
{
	(void)user;
	fwrite(text, 1, len, stdout);
	fflush(stdout);
	return 0;
}

static void report(const struct ask_options *o, const struct ea_route_result *r)
{
	FILE *out = stderr;

	if (o->json) {
		fprintf(out, "{\"decision\":\"%s\",\"reason\":\"%s\",\"policy\":\"%s\","
			"\"kernel\":%s,\"where\":\"%s\",\"cut\":%s,\"redacted\":%s,"
			"\"ttft_ms\":%.2f,\"total_ms\":%.2f,\"tokens\":%d,\"tokens_per_s\":%.2f}\n",
			ea_route_decision_name(r->decision), ea_route_reason_name(r->reason),
			r->policy, r->decided_in_kernel ? "true" : "false",
			ea_route_where_name(r->where), r->cut ? "true" : "false",
			r->redacted ? "true" : "false", r->ttft_ms, r->total_ms,
			r->n_generated_tokens, r->tokens_per_s);
		return;
	}
	fprintf(out, "\n\ndecision: %s (reason: %s, policy: %s%s)\n",
		ea_route_decision_name(r->decision), ea_route_reason_name(r->reason), r->policy,
		r->decided_in_kernel ? ", in the module" : "");
	fprintf(out, "ran: %s%s%s\n", ea_route_where_name(r->where),
		r->fallback_reason[0] ? " — " : "", r->fallback_reason);
	if (r->n_personal)
		fprintf(out, "personal data: %zu span(s), %s\n", r->n_personal,
			r->redacted ? "sent as placeholders" : "not sent");
	fprintf(out, "TTFT %.1f ms, total %.1f ms, %d tokens, %.1f tokens/s (%s)\n", r->ttft_ms,
		r->total_ms, r->n_generated_tokens, r->tokens_per_s,
		ea_finish_reason_name(r->finish_reason));
}

static int ask(struct ask_options *o)
{
	struct ea_model *model = NULL;
	struct ea_device *dev = NULL;
	struct ea_session *session = NULL;
	struct ea_router *router = NULL;
	struct ea_route_result r;
	char why[1024];
	int rc = 1;

	if (ea_model_open(o->model, NULL, NULL, &model, why, sizeof(why)) != EA_OK) {
		fprintf(stderr, "edgeai ask: %s\n", why);
		return 1;
	}
	if (o->session.engine != EA_ENGINE_CPU || o->device.mode == EA_MODE_KMOD) {
		dev = cli_open(&o->device);
		if (!dev)
			goto out;
	}
	if (ea_session_open(o->session.engine == EA_ENGINE_CPU ? NULL : dev, model, &o->session,
			    &session, why, sizeof(why)) != EA_OK ||
	    ea_router_open(dev, &o->router, &router, why, sizeof(why)) != EA_OK) {
		fprintf(stderr, "edgeai ask: %s\n", why);
		goto out;
	}
	if (ea_generate_routed(router, session, &o->gen, &o->route, print_text, NULL, &r) != EA_OK) {
		fprintf(stderr, "\nedgeai ask: %s\n", ea_router_error(router));
		goto out;
	}
	report(o, &r);
	rc = 0;
out:
	ea_router_close(router);
	ea_session_close(session);
	ea_close(dev);
	ea_model_close(model);
	return rc;
}

static bool parse_flag(struct ask_options *o, const char *arg)
{
	if (!strcmp(arg, "--redact"))
		o->router.redact = true;
	else if (!strcmp(arg, "--local"))
		o->route.force = EA_ROUTE_FORCE_LOCAL;
	else if (!strcmp(arg, "--cloud"))
		o->route.force = EA_ROUTE_FORCE_CLOUD;
	else if (!strcmp(arg, "--cpu"))
		o->session.engine = EA_ENGINE_CPU;
	else if (!strcmp(arg, "--json"))
		o->json = true;
	else
		return false;
	return true;
}

static bool parse_enum(const char *v, const char *const *names, int n, int *out)
{
	for (int i = 0; i < n; i++) {
		if (!strcmp(v, names[i])) {
			*out = i;
			return true;
		}
	}
	return false;
}

static bool parse_number(const char *v, long max, long *out)
{
	char *end;

	*out = strtol(v, &end, 10);
	return *v && !*end && *out >= 0 && *out <= max;
}

/* Options with a value; false on a bad or unknown one. */
static bool parse_value(struct ask_options *o, const char *arg, const char *v)
{
	static const char *const policies[] = { "builtin", "latency", "privacy" };
	static const char *const classes[] = { "detect", "public", "personal", "sensitive" };
	long n;
	int e;

	if (!strcmp(arg, "-m") || !strcmp(arg, "--model"))
		o->model = v;
	else if (!strcmp(arg, "-p") || !strcmp(arg, "--prompt"))
		o->gen.prompt = v;
	else if (!strcmp(arg, "-c") || !strcmp(arg, "--config"))
		o->router.cloud_config = v;
	else if (!strcmp(arg, "--endpoint"))
		o->router.endpoint = v;
	else if (!strcmp(arg, "--cache"))
		o->router.probe_cache = v;
	else if (!strcmp(arg, "--policy") && parse_enum(v, policies, 3, &e))
		o->router.policy = (enum ea_route_policy)e;
	else if (!strcmp(arg, "--privacy") && parse_enum(v, classes, 4, &e))
		o->route.privacy = (enum ea_privacy)e;
	else if (!strcmp(arg, "--deadline") && parse_number(v, UINT32_MAX, &n))
		o->route.deadline_ms = (uint32_t)n;
	else if (!strcmp(arg, "--confidence") && parse_number(v, 1000, &n))
		o->route.has_confidence = true, o->route.confidence = (uint32_t)n;
	else if (!strcmp(arg, "--model-id") && parse_number(v, 15, &n))
		o->router.model_id = (uint32_t)n;
	else if (!strcmp(arg, "-n") && parse_number(v, 1 << 30, &n) && n > 0)
		o->gen.max_tokens = (int)n;
	else if (!strcmp(arg, "--temp"))
		o->gen.temperature = strtof(v, NULL);
	else if (!strcmp(arg, "--seed") && parse_number(v, __LONG_MAX__, &n))
		o->gen.seed = (uint64_t)n;
	else if (!strcmp(arg, "--threads") && parse_number(v, 256, &n) && n > 0)
		o->session.n_threads = (int)n;
	else
		return false;
	return true;
}

static int run_ask(int argc, char **argv)
{
	struct ask_options o = { .device = { .mode = EA_MODE_DIRECT },
				 .gen = { .max_tokens = 128, .top_p = 1 } };

	if (route_cli_cache_path(o.cache, sizeof(o.cache)))
		o.router.probe_cache = o.cache;
	for (int i = 1; i < argc; i++) {
		int parsed = cli_parse_device_option(argc, argv, &i, &o.device);

		if (parsed < 0)
			return 2;
		if (parsed || parse_flag(&o, argv[i]))
			continue;
		if (i + 1 >= argc || !parse_value(&o, argv[i], argv[i + 1])) {
			fprintf(stderr, "edgeai ask: bad or unknown option '%s%s%s'\n", argv[i],
				i + 1 < argc ? " " : "", i + 1 < argc ? argv[i + 1] : "");
			return 2;
		}
		i++;
	}
	if (!o.model || !o.gen.prompt) {
		fprintf(stderr, "edgeai ask: -m MODEL and -p PROMPT are needed\n");
		return 2;
	}
	return ask(&o);
}

const struct cli_command cli_ask = {
	.name = "ask",
	.summary = "routed generation: local or cloud as the policy decides, with fallback",
	.usage = "-m LOCAL.gguf -p PROMPT [-c CLOUD.json [--endpoint NAME]] [--redact]\n"
		 "  [--policy builtin|latency|privacy] [--local|--cloud]\n"
		 "  [--privacy detect|public|personal|sensitive] [--deadline MS] [--confidence N]\n"
		 "  [--model-id N] [--cache FILE] [-n TOKENS] [--temp T] [--seed S]\n"
		 "  [--cpu [--threads N]] [--mode MODE] [--device SEL] [--json]\n"
		 "  Prints the text, then the decision, its reason, where it ran, TTFT and\n"
		 "  tokens/s (--json: one JSON line on stderr). The decision is the module's in\n"
		 "  kmod mode, else --policy's (builtin by default) with the figures of\n"
		 "  edgeai probe (--cache, default ~/.cache/edgeai/cloud-probe.json).\n"
		 "  --local/--cloud force the place (sensitive data still never leaves).\n"
		 "  --redact: personal data goes to the cloud as placeholders, restored in the\n"
		 "  answer; without it, a prompt with personal data is sensitive.",
	.run = run_ask,
};

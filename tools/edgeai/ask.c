// SPDX-License-Identifier: MIT
/*
 * edgeai ask - routed generation from the command line: the request runs on
 * the local model or the cloud endpoint as the policy decides (the module's
 * in kmod mode), falls back to local when the cloud fails, streams the text,
 * then prints the decision, its reason, where it ran, TTFT and tokens/s. A
 * client of edgeai.h alone (ea_router_open, ea_generate_routed).
 */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "ea_utf8.h"
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

/* @s as valid UTF-8 (a cloud's error body may be anything): bad bytes as '?'. */
static json_object *text_or_null(const char *s)
{
	char clean[sizeof(((struct ea_route_result *)0)->fallback_reason)];
	size_t n = 0, len = strlen(s);

	if (!len)
		return NULL;
	for (size_t i = 0, k; i < len && n + 4 < sizeof(clean); i += k ? k : 1) {
		k = ea_utf8_char_len((const unsigned char *)s + i, len - i);
		if (k)
			memcpy(clean + n, s + i, k);
		else
			clean[n] = '?';
		n += k ? k : 1;
	}
	return json_object_new_string_len(clean, (int)n);
}

/* One JSON line: the decision, where the request ran, any fallback and why. */
static void report_json(FILE *out, const struct ea_route_result *r)
{
	json_object *o = json_object_new_object();

#define ADD(key, value) json_object_object_add(o, key, value)
	ADD("decision", json_object_new_string(ea_route_decision_name(r->decision)));
	ADD("reason", json_object_new_string(ea_route_reason_name(r->reason)));
	ADD("policy", json_object_new_string(r->policy));
	ADD("kernel", json_object_new_boolean(r->decided_in_kernel));
	ADD("where", json_object_new_string(ea_route_where_name(r->where)));
	ADD("fallback", json_object_new_boolean(r->fallback_reason[0] != '\0'));
	ADD("fallback_reason", text_or_null(r->fallback_reason));
	ADD("cut", json_object_new_boolean(r->cut));
	ADD("redacted", json_object_new_boolean(r->redacted));
	ADD("ttft_ms", json_object_new_double(r->ttft_ms));
	ADD("total_ms", json_object_new_double(r->total_ms));
	ADD("tokens", json_object_new_int(r->n_generated_tokens));
	ADD("tokens_per_s", json_object_new_double(r->tokens_per_s));
	ADD("finish_reason", json_object_new_string(ea_finish_reason_name(r->finish_reason)));
	ADD("speculative", json_object_new_boolean(r->speculative));
	ADD("verify_calls", json_object_new_int(r->verify_calls));
	ADD("drafted", json_object_new_int(r->drafted));
	ADD("accepted", json_object_new_int(r->accepted));
	ADD("cascaded", json_object_new_boolean(r->cascaded));
	ADD("escalated", json_object_new_boolean(r->escalated));
	ADD("local_tokens", json_object_new_int(r->local_tokens));
	ADD("confidence", json_object_new_int64(r->confidence));
	ADD("answer_confidence", json_object_new_int64(r->answer_confidence));
	ADD("surprisal_mnats", json_object_new_int64(r->surprisal));
#undef ADD
	fprintf(out, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							     JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

static void report(const struct ask_options *o, const struct ea_route_result *r)
{
	FILE *out = stderr;

	if (o->json) {
		report_json(out, r);
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
	if (r->prompt_tokens && !r->cascaded)
		fprintf(out, "prompt: %d tokens, surprisal %.3f nats a token\n", r->prompt_tokens,
			r->surprisal / 1000.0);
	if (r->sent_tokens)
		fprintf(out, "compressed: %d of %d tokens sent, %zu of %zu bytes\n", r->sent_tokens,
			r->prompt_tokens, r->sent_bytes, r->prompt_bytes);
	if (r->cascaded)
		fprintf(out, "cascade: %d local tokens, confidence %u per mille (prompt %d tokens, "
			"surprisal %.3f nats a token; answer %u per mille): %s\n", r->local_tokens,
			r->confidence, r->prompt_tokens, r->surprisal / 1000.0,
			r->answer_confidence, r->escalated ? "escalated to the cloud" :
			"the local answer kept");
	if (r->speculative)
		fprintf(out, "speculative: %d cloud calls for %d tokens, %d of %d drafted tokens "
			"accepted, %d drafts made during a verify\n", r->verify_calls,
			r->n_generated_tokens, r->accepted, r->drafted, r->pipelined);
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

enum {
	OPT_ENDPOINT = CLI_OPT_OWN, OPT_CACHE, OPT_POLICY, OPT_PRIVACY, OPT_DEADLINE,
	OPT_CONFIDENCE, OPT_MODEL_ID, OPT_TEMP, OPT_SEED, OPT_THREADS, OPT_REDACT, OPT_LOCAL,
	OPT_CLOUD, OPT_CPU, OPT_JSON, OPT_SPECULATIVE, OPT_DRAFT, OPT_CASCADE, OPT_THRESHOLD,
	OPT_ROUTER, OPT_CEILING, OPT_MAX_PROMPT, OPT_COMPRESS,
};

static const struct option long_options[] = {
	{ "model", required_argument, NULL, 'm' },
	{ "prompt", required_argument, NULL, 'p' },
	{ "config", required_argument, NULL, 'c' },
	{ "endpoint", required_argument, NULL, OPT_ENDPOINT },
	{ "cache", required_argument, NULL, OPT_CACHE },
	{ "policy", required_argument, NULL, OPT_POLICY },
	{ "privacy", required_argument, NULL, OPT_PRIVACY },
	{ "deadline", required_argument, NULL, OPT_DEADLINE },
	{ "confidence", required_argument, NULL, OPT_CONFIDENCE },
	{ "model-id", required_argument, NULL, OPT_MODEL_ID },
	{ "temp", required_argument, NULL, OPT_TEMP },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "threads", required_argument, NULL, OPT_THREADS },
	{ "redact", no_argument, NULL, OPT_REDACT },
	{ "local", no_argument, NULL, OPT_LOCAL },
	{ "cloud", no_argument, NULL, OPT_CLOUD },
	{ "cpu", no_argument, NULL, OPT_CPU },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "speculative", no_argument, NULL, OPT_SPECULATIVE },
	{ "draft", required_argument, NULL, OPT_DRAFT },
	{ "cascade", no_argument, NULL, OPT_CASCADE },
	{ "threshold", required_argument, NULL, OPT_THRESHOLD },
	{ "router", no_argument, NULL, OPT_ROUTER },
	{ "ceiling", required_argument, NULL, OPT_CEILING },
	{ "max-prompt", required_argument, NULL, OPT_MAX_PROMPT },
	{ "compress", required_argument, NULL, OPT_COMPRESS },
	CLI_DEVICE_OPTIONS,
	CLI_OPTIONS_END
};

/* The route's options, those that name a policy or a class included. */
static void parse_route_option(struct cli_parser *p, struct ask_options *o)
{
	static const char *const policies[] = { "builtin", "latency", "privacy" };
	static const char *const classes[] = { "detect", "public", "personal", "sensitive" };
	int e;

	switch (p->option) {
	case OPT_POLICY:
		if (cli_choice(p, policies, 3, &e))
			o->router.policy = (enum ea_route_policy)e;
		break;
	case OPT_PRIVACY:
		if (cli_choice(p, classes, 4, &e))
			o->route.privacy = (enum ea_privacy)e;
		break;
	case OPT_DEADLINE:
		cli_u32(p, 0, UINT32_MAX, &o->route.deadline_ms);
		break;
	case OPT_CONFIDENCE:
		if (cli_u32(p, 0, 1000, &o->route.confidence))
			o->route.has_confidence = true;
		break;
	case OPT_MODEL_ID:
		cli_u32(p, 0, 15, &o->router.model_id);
		break;
	case OPT_REDACT:
		o->router.redact = true;
		break;
	case OPT_LOCAL:
		o->route.force = EA_ROUTE_FORCE_LOCAL;
		break;
	case OPT_CLOUD:
		o->route.force = EA_ROUTE_FORCE_CLOUD;
		break;
	case OPT_SPECULATIVE:
		o->route.collab = EA_COLLAB_SPECULATIVE;
		break;
	case OPT_DRAFT:
		cli_int(p, 0, 16, &o->route.draft_tokens);
		break;
	case OPT_CASCADE:
		o->route.collab = EA_COLLAB_CASCADE;
		break;
	case OPT_THRESHOLD:
		cli_u32(p, 1, 1000, &o->route.cascade_threshold);
		break;
	case OPT_ROUTER:
		o->route.collab = EA_COLLAB_ROUTER;
		break;
	case OPT_CEILING:
		cli_u32(p, 1, 1000000, &o->route.router_ceiling);
		break;
	case OPT_MAX_PROMPT:
		cli_u32(p, 0, 1 << 20, &o->route.router_max_prompt);
		break;
	case OPT_COMPRESS:
		if (cli_u32(p, 0, 900, &o->route.compress_drop))
			o->route.collab = EA_COLLAB_COMPRESS;
		break;
	}
}

static void parse_option(struct cli_parser *p, struct ask_options *o)
{
	switch (p->option) {
	case 'm':
		o->model = optarg;
		break;
	case 'p':
		o->gen.prompt = optarg;
		break;
	case 'c':
		o->router.cloud_config = optarg;
		break;
	case OPT_ENDPOINT:
		o->router.endpoint = optarg;
		break;
	case OPT_CACHE:
		o->router.probe_cache = optarg;
		break;
	case 'n':
		cli_int(p, 1, 1 << 30, &o->gen.max_tokens);
		break;
	case OPT_TEMP:
		cli_float(p, &o->gen.temperature);
		break;
	case OPT_SEED:
		cli_seed(p, &o->gen.seed);
		break;
	case OPT_THREADS:
		cli_int(p, 1, 256, &o->session.n_threads);
		break;
	case OPT_CPU:
		o->session.engine = EA_ENGINE_CPU;
		break;
	case OPT_JSON:
		o->json = true;
		break;
	case CLI_OPT_MODE:
	case CLI_OPT_DEVICE:
		cli_device_option(p, &o->device);
		break;
	default:
		parse_route_option(p, o);
	}
}

static int run_ask(int argc, char **argv)
{
	struct ask_options o = { .device = { .mode = EA_MODE_DIRECT },
				 .gen = { .max_tokens = 128, .top_p = 1 } };
	struct cli_parser p;

	if (route_cli_cache_path(o.cache, sizeof(o.cache), true))
		o.router.probe_cache = o.cache;
	cli_parser_init(&p, &cli_ask, argc, argv, "m:p:c:n:", long_options);
	while (cli_next(&p) != -1)
		parse_option(&p, &o);
	if (p.exit_status != CLI_CONTINUE)
		return p.exit_status;
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
		 "  [--speculative [--draft K] | --cascade [--threshold N] |\n"
		 "  --router [--ceiling MNATS] [--max-prompt N] | --compress PERMILLE]\n"
		 "  [--cpu [--threads N]] [--mode MODE] [--device SEL] [--json]\n"
		 "  Prints the text, then the decision, its reason, where it ran, TTFT and\n"
		 "  tokens/s (--json: one JSON line on stderr). The decision is the module's in\n"
		 "  kmod mode, else --policy's (builtin by default) with the figures of\n"
		 "  edgeai probe (--cache, default ~/.cache/edgeai/cloud-probe.json).\n"
		 "  --local/--cloud force the place (sensitive data still never leaves).\n"
		 "  --redact: personal data goes to the cloud as placeholders, restored in the\n"
		 "  answer; without it, a prompt with personal data is sensitive.\n"
		 "  --speculative: the local model drafts K tokens at a time (--draft, 1-16;\n"
		 "  default adaptive), the cloud verifies them: the cloud model's greedy text\n"
		 "  (needs --temp 0 and a cloud with the local tokenizer, else plain offload).\n"
		 "  --cascade: the local model answers first, held back; a confidence under\n"
		 "  the policy's floor (--threshold in direct mode, default 500) sends it to\n"
		 "  the cloud, as soon as that is certain. Confidence, per mille:\n"
		 "  exp(-sqrt(prompt surprisal x answer surprisal)), nats a token.\n"
		 "  --router: the local model's surprisal of the prompt (milli-nats a token)\n"
		 "  over --ceiling (default 4000), or a prompt over --max-prompt tokens, goes\n"
		 "  to the cloud. --compress P: offload the prompt without the P per mille\n"
		 "  least surprising of its tokens (first line and personal data kept).",
	.run = run_ask,
};

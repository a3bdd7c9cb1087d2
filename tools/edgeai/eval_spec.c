// SPDX-License-Identifier: MIT
/*
 * edgeai eval-spec - speculative decoding against a cloud, measured: the test
 * split's prompts (eval_docs.h) are each run twice through the router, first
 * speculatively (the edge model drafts, the cloud verifies) and then offloaded
 * plainly (the cloud decodes alone), greedy, the same number of tokens. The
 * speculative request goes first so that the cloud's prefix cache does not
 * hold the answer it is about to verify.
 *
 * Figures: mismatches of the speculative text against the cloud-alone text
 * (each must be 0), tokens accepted a verify call (the drafted tokens kept,
 * plus the cloud's own), cloud calls a generated token, the tokens the cloud
 * computed a generated token with its prefix cache (prompt tokens sent less
 * those its usage says were cached) and without one (all sent), and the
 * tokens/s of each mode (generated tokens over the requests' whole time).
 * The round trip to the cloud is whatever the network has: make eval-collab
 * shapes it (tests/bench/eval-collab). Ends with one JSON line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "edgeai.h"
#include "eval_docs.h"

struct spec_options {
	const char *edge, *config, *text;
	int requests, tokens, draft, threads, rtt_ms;
	bool json;
};

struct spec_totals {
	int requests, mismatches, tokens, plain_tokens, calls, drafted, accepted, pipelined;
	long sent, cached;
	double spec_ms, plain_ms;
};

/* The text a request streamed, kept whole. */
struct answer {
	char *text;
	size_t len, cap;
};

static int keep_text(const char *text, size_t len, void *user)
{
	struct answer *a = user;

	if (a->len + len + 1 > a->cap) {
		size_t cap = (a->len + len + 1) * 2;
		char *grown = realloc(a->text, cap);

		if (!grown)
			return 1;
		a->text = grown;
		a->cap = cap;
	}
	memcpy(a->text + a->len, text, len);
	a->len += len;
	a->text[a->len] = '\0';
	return 0;
}

static ea_status ask(struct ea_router *r, struct ea_session *s, const char *prompt,
		     const struct spec_options *o, bool speculative, struct answer *a,
		     struct ea_route_result *res)
{
	struct ea_generate_params p = { .prompt = prompt, .max_tokens = o->tokens };
	struct ea_route_params rp = { .collab = speculative ? EA_COLLAB_SPECULATIVE :
							      EA_COLLAB_ROUTE,
				      .draft_tokens = o->draft,
				      .force = speculative ? EA_ROUTE_ASK : EA_ROUTE_FORCE_CLOUD };

	a->len = 0;
	return ea_generate_routed(r, s, &p, &rp, keep_text, a, res);
}

/* One request both ways into @t; false when either failed (the why printed). */
static bool measure(struct ea_router *r, struct ea_session *s, const char *prompt,
		    const struct spec_options *o, struct spec_totals *t)
{
	struct answer spec = { 0 }, plain = { 0 };
	struct ea_route_result a, b;
	bool ok = false;

	if (ask(r, s, prompt, o, true, &spec, &a) != EA_OK ||
	    ask(r, s, prompt, o, false, &plain, &b) != EA_OK) {
		fprintf(stderr, "edgeai eval-spec: %s\n", ea_router_error(r));
		goto out;
	}
	if (!a.speculative || a.where != EA_RAN_CLOUD || b.where != EA_RAN_CLOUD) {
		fprintf(stderr, "edgeai eval-spec: the cloud did not answer both ways (%s)\n",
			a.fallback_reason[0] ? a.fallback_reason : b.fallback_reason);
		goto out;
	}
	if (spec.len != plain.len || (spec.len && memcmp(spec.text, plain.text, spec.len)) ||
	    a.n_generated_tokens != b.n_generated_tokens) {
		t->mismatches++;
		fprintf(stderr, "edgeai eval-spec: mismatch on %.60s...\n  cloud: %s\n"
			"  speculative: %s\n", prompt, plain.text ? plain.text : "",
			spec.text ? spec.text : "");
	}
	t->requests++;
	t->tokens += a.n_generated_tokens;
	t->plain_tokens += b.n_generated_tokens;
	t->calls += a.verify_calls;
	t->drafted += a.drafted;
	t->accepted += a.accepted;
	t->pipelined += a.pipelined;
	t->sent += a.cloud_prompt_tokens;
	t->cached += a.cloud_cached_tokens;
	t->spec_ms += a.total_ms;
	t->plain_ms += b.total_ms;
	ok = true;
out:
	free(spec.text);
	free(plain.text);
	return ok;
}

static double ratio(double a, double b)
{
	return b > 0 ? a / b : 0.0;
}

static void report(const struct spec_options *o, const struct spec_totals *t)
{
	double spec_tps = ratio(t->tokens, t->spec_ms / 1000.0);
	double plain_tps = ratio(t->plain_tokens, t->plain_ms / 1000.0);

	if (!o->json) {
		printf("%d requests, %d tokens each, draft %s%d, round trip %d ms\n",
		       t->requests, o->tokens, o->draft ? "" : "adaptive, at most ",
		       o->draft ? o->draft : 16, o->rtt_ms);
		printf("  mismatches against the cloud alone: %d\n", t->mismatches);
		printf("  tokens a verify call: %.2f (%d of %d drafted accepted, mean draft %.2f, "
		       "%d pipelined)\n", ratio(t->tokens, t->calls), t->accepted, t->drafted,
		       ratio(t->drafted, t->calls), t->pipelined);
		printf("  cloud calls a generated token: %.3f\n", ratio(t->calls, t->tokens));
		printf("  cloud tokens computed a generated token: %.2f with its prefix cache, "
		       "%.2f without\n", ratio((double)(t->sent - t->cached), t->tokens),
		       ratio((double)t->sent, t->tokens));
		printf("  tokens/s: speculative %.1f, cloud alone %.1f (%.2fx)\n", spec_tps,
		       plain_tps, ratio(spec_tps, plain_tps));
	}
	printf("{\"bench\":\"spec\",\"requests\":%d,\"tokens\":%d,\"draft\":%d,\"rtt_ms\":%d,"
	       "\"mismatches\":%d,\"tokens_per_verify\":%.3f,\"cloud_calls_per_token\":%.3f,"
	       "\"cloud_tokens_per_token_cached\":%.3f,\"cloud_tokens_per_token_uncached\":%.3f,"
	       "\"accepted\":%d,\"drafted\":%d,\"mean_draft\":%.3f,\"pipelined\":%d,"
	       "\"spec_tokens_per_s\":%.2f,\"cloud_tokens_per_s\":%.2f}\n", t->requests, t->tokens,
	       o->draft, o->rtt_ms, t->mismatches, ratio(t->tokens, t->calls),
	       ratio(t->calls, t->tokens), ratio((double)(t->sent - t->cached), t->tokens),
	       ratio((double)t->sent, t->tokens), t->accepted, t->drafted,
	       ratio(t->drafted, t->calls), t->pipelined, spec_tps, plain_tps);
	fflush(stdout);
}

static int eval_spec(const struct spec_options *o)
{
	struct ea_session_options so = { .engine = EA_ENGINE_CPU, .n_threads = o->threads };
	struct ea_router_options ro = { .cloud_config = o->config };
	struct spec_totals t = { 0 };
	struct ea_model *em = NULL;
	struct ea_session *edge = NULL;
	struct ea_router *router = NULL;
	char why[512], prompt[512], body[EVAL_DOC_LINE * 4];
	FILE *f = fopen(o->text, "r");
	int doc = 0, rc = 1;

	if (!f) {
		fprintf(stderr, "edgeai eval-spec: %s: cannot open\n", o->text);
		return 1;
	}
	if (ea_model_open(o->edge, NULL, NULL, &em, why, sizeof(why)) != EA_OK ||
	    ea_session_open(NULL, em, &so, &edge, why, sizeof(why)) != EA_OK ||
	    ea_router_open(NULL, &ro, &router, why, sizeof(why)) != EA_OK) {
		fprintf(stderr, "edgeai eval-spec: %s\n", why);
		goto out;
	}
	while (t.requests < o->requests &&
	       eval_next_document(f, prompt, sizeof(prompt), body, sizeof(body))) {
		if (doc++ % 2 == 0)
			continue;	/* the calibration split */
		if (!measure(router, edge, prompt, o, &t))
			goto out;
		if (!o->json)
			fprintf(stderr, "\r%d/%d requests", t.requests, o->requests);
	}
	if (!o->json)
		fprintf(stderr, "\n");
	if (!t.requests) {
		fprintf(stderr, "edgeai eval-spec: %s: no documents\n", o->text);
		goto out;
	}
	report(o, &t);
	rc = t.mismatches ? 1 : 0;
out:
	fclose(f);
	ea_router_close(router);
	ea_session_close(edge);
	ea_model_close(em);
	return rc;
}

enum { OPT_EDGE = CLI_OPT_OWN, OPT_CLOUD, OPT_TEXT, OPT_REQUESTS, OPT_TOKENS, OPT_DRAFT,
       OPT_THREADS, OPT_RTT, OPT_JSON };

static const struct option long_options[] = {
	{ "edge", required_argument, NULL, OPT_EDGE },
	{ "cloud", required_argument, NULL, OPT_CLOUD },
	{ "text", required_argument, NULL, OPT_TEXT },
	{ "requests", required_argument, NULL, OPT_REQUESTS },
	{ "tokens", required_argument, NULL, OPT_TOKENS },
	{ "draft", required_argument, NULL, OPT_DRAFT },
	{ "threads", required_argument, NULL, OPT_THREADS },
	{ "rtt", required_argument, NULL, OPT_RTT },
	{ "json", no_argument, NULL, OPT_JSON },
	CLI_OPTIONS_END
};

static int run_eval_spec(int argc, char **argv)
{
	struct spec_options o = { .requests = 20, .tokens = 40, .draft = 4, .threads = 1 };
	struct cli_parser p;

	cli_parser_init(&p, &cli_eval_spec, argc, argv, "", long_options);
	while (cli_next(&p) != -1) {
		switch (p.option) {
		case OPT_EDGE:
			o.edge = optarg;
			break;
		case OPT_CLOUD:
			o.config = optarg;
			break;
		case OPT_TEXT:
			o.text = optarg;
			break;
		case OPT_REQUESTS:
			cli_int(&p, 1, 1 << 20, &o.requests);
			break;
		case OPT_TOKENS:
			cli_int(&p, 1, 256, &o.tokens);
			break;
		case OPT_DRAFT:
			cli_int(&p, 0, 16, &o.draft);
			break;
		case OPT_THREADS:
			cli_int(&p, 1, 256, &o.threads);
			break;
		case OPT_RTT:
			cli_int(&p, 0, 100000, &o.rtt_ms);
			break;
		case OPT_JSON:
			o.json = true;
			break;
		}
	}
	if (p.exit_status != CLI_CONTINUE)
		return p.exit_status;
	if (!o.edge || !o.config || !o.text) {
		fprintf(stderr, "edgeai eval-spec: --edge, --cloud and --text are needed\n");
		return 2;
	}
	return eval_spec(&o);
}

const struct cli_command cli_eval_spec = {
	.name = "eval-spec",
	.summary = "measure speculative decoding against a cloud",
	.usage = "--edge EDGE.gguf --cloud CLOUD.json --text DOCS.txt [--requests N]\n"
		 "  [--tokens N] [--draft K] [--threads N] [--rtt MS] [--json]\n"
		 "  Runs the test split's prompts (odd documents: Package/Description lines)\n"
		 "  speculatively (the edge model drafts --draft K tokens, 4; 0: adaptive;\n"
		 "  the cloud of the config CLOUD.json verifies) and then offloaded plainly,\n"
		 "  greedy, --tokens (40) each, --requests (20) of them. Prints mismatches\n"
		 "  against the cloud alone, tokens a verify, cloud calls and tokens computed\n"
		 "  a generated token, and both modes' tokens/s; ends with a JSON line.\n"
		 "  --rtt only labels the figures: the network sets the round trip.\n"
		 "  Exits 1 on any mismatch.",
	.run = run_eval_spec,
};

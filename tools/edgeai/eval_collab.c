// SPDX-License-Identifier: MIT
/*
 * edgeai eval-collab - how much the edge and cloud models gain by working
 * together, measured on a text of documents (heldout.txt of the trained pair):
 * each document "Package: NAME\nDescription: SUMMARY\nBODY" is a request
 * whose prompt is its first two lines and whose reference is its body (the
 * first --ref tokens). Quality of an answer = the mean negative log-likelihood
 * of the reference, teacher-forced, under the model that served it (lower is
 * better; for compression, under the cloud model given the compressed
 * prompt). Requests alternate between a calibration split (even) and a test
 * split (odd): every threshold is set on the first and measured on the second.
 *
 * Routing frontier on the test split (eval_frontier.h), read at exactly
 * 10/20/30% of requests offloaded: always-local, always-cloud, random (a
 * fixed shuffle), router (the edge model's surprisal of the prompt),
 * cascade (the edge model's confidence in its own greedy answer of
 * --answer tokens to the prompt, ea_route_confidence() of the prompt's
 * surprisal and the answer's log-probabilities, as the library's cascade
 * decides: its early escalation stops only answers whose final confidence
 * would be under the floor) and the oracle (the requests the cloud improves
 * most). The router's ceiling and the cascade's floor that offload 30% of
 * the calibration split are printed for `edgeai ask`, with what they
 * offload on the test split. The share of the cloud's gain a policy
 * recovers at offload fraction f: (Q_local - Q) / (Q_local -
 * Q_cloud). Compression: the cloud's loss of quality when 20/40/60% of the
 * prompt's tokens are dropped by the edge model's surprisal
 * (ea_route_compress(), the EA_COLLAB_COMPRESS path) against dropping the
 * same number at random, and the bytes saved.
 *
 * Both models run in this process on the CPU reference (the quality is a
 * property of the models, not of where they run). Ends with one JSON line.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "eval_docs.h"
#include "eval_frontier.h"
#include "ea_model.h"
#include "ea_route_prompt.h"
#include "ea_session.h"

#define N_FRACTIONS 3

static const double fractions[N_FRACTIONS] = { 0.1, 0.2, 0.3 };

struct eval_options {
	const char *edge, *cloud, *text, *data, *frontier;
	int requests, skip, ref_tokens, answer_tokens, threads;
	bool json;
};

/* One request and what each model makes of it. */
struct request {
	char prompt[512];
	int32_t *tokens;		/* prompt then reference */
	int n_prompt, n;
	double q_local, q_cloud;	/* mean NLL of the reference */
	double surprisal;		/* the edge model's, of the prompt, nats a token */
	uint32_t confidence;		/* the cascade's, per mille (ea_route_confidence()) */
	uint32_t answer_confidence;	/* exp(the answer's mean log-probability), per mille */
	double comp_loss[N_FRACTIONS], rand_loss[N_FRACTIONS], any_loss[N_FRACTIONS];
	size_t bytes, comp_bytes[N_FRACTIONS];
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int32_t *tokenize(const struct ea_model *m, const char *text, unsigned flags, int *n)
{
	size_t count = 0;
	int32_t *t;

	if (ea_tokenize(m, text, strlen(text), flags, NULL, 0, &count) != EA_OK || !count)
		return NULL;
	t = malloc(count * sizeof(*t));
	if (t && ea_tokenize(m, text, strlen(text), flags, t, count, &count) != EA_OK) {
		free(t);
		return NULL;
	}
	*n = (int)count;
	return t;
}

/* Mean NLL of tokens[first .. n) given those before, under @s. */
static double mean_nll(struct ea_session *s, const int32_t *tokens, int n, int first)
{
	double nll = 0.0;
	int scored = 0;

	if (ea_session_window_nll(s, tokens, n, first, &nll, &scored) != EA_OK || !scored)
		return NAN;
	return nll / scored;
}

/* The cascade's confidence in the edge model's greedy answer of @n tokens to
 * @rq's prompt, per mille; *@answer: the answer's alone. False when none came. */
static bool answer_confidence(struct ea_session *s, const struct request *rq, int n,
			      uint32_t *confidence, uint32_t *answer)
{
	struct ea_generate_params p = { .prompt = rq->prompt, .max_tokens = n, .logprobs = true,
					.ignore_eos = true };
	struct ea_generate_result r;
	double sum = 0.0;

	if (ea_generate(s, &p, NULL, NULL, &r) != EA_OK || !r.n_logprobs)
		return false;
	for (int i = 0; i < r.n_logprobs; i++)
		sum += r.logprobs[i].logprob;
	*confidence = ea_route_confidence((uint32_t)lround(1000.0 * rq->surprisal),
					  rq->n_prompt > 1, sum, r.n_logprobs);
	*answer = (uint32_t)lround(1000.0 * exp(sum / r.n_logprobs));
	return true;
}

/* The cloud's quality of the reference given @text as the prompt. */
static double cloud_given(struct ea_session *cloud, const struct request *rq, const char *text)
{
	int n_p = 0, n;
	int32_t *p = tokenize(cloud->model, text, 0, &n_p), *all;
	double q;

	if (!p)
		return NAN;
	n = n_p + rq->n - rq->n_prompt;
	all = malloc((size_t)n * sizeof(*all));
	if (!all || n > cloud->model->cfg.n_ctx) {
		free(p);
		free(all);
		return NAN;
	}
	memcpy(all, p, (size_t)n_p * sizeof(*all));
	memcpy(all + n_p, rq->tokens + rq->n_prompt, (size_t)(rq->n - rq->n_prompt) * sizeof(*all));
	q = mean_nll(cloud, all, n, n_p);
	free(p);
	free(all);
	return q;
}

static uint64_t next_random(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* The prompt without @drop of its tokens after the first line at random:
 * a baseline that, unlike ea_route_compress(), may drop a line's label. */
static char *drop_randomly(const struct ea_model *m, const struct ea_generate_result *r, int drop,
			   uint64_t *seed)
{
	int n = r->n_echoed, first_line = n, droppable = 0;
	bool *keep = calloc((size_t)n, sizeof(*keep));
	char *text = malloc(4096);
	size_t len = 0;

	if (!keep || !text) {
		free(keep);
		free(text);
		return NULL;
	}
	for (int i = 0; i < n; i++) {
		char piece[64];
		size_t plen = 0;

		keep[i] = true;
		if (ea_detokenize(m, &r->logprobs[i].token, 1, 0, piece, sizeof(piece), &plen) ==
		    EA_OK && memchr(piece, '\n', plen < sizeof(piece) ? plen : sizeof(piece) - 1) &&
		    first_line == n)
			first_line = i;
	}
	droppable = n - first_line - 1;
	for (int k = 0; k < drop && droppable > 0; k++) {
		int pick;

		do
			pick = first_line + 1 + (int)(next_random(seed) % (uint64_t)(n - first_line - 1));
		while (!keep[pick]);
		keep[pick] = false;
		droppable--;
	}
	for (int i = 0; i < n; i++) {
		size_t plen = 0;

		if (keep[i] && ea_detokenize(m, &r->logprobs[i].token, 1, 0, text + len,
					     4096 - len, &plen) == EA_OK && len + plen < 4095)
			len += plen;
	}
	text[len] = '\0';
	free(keep);
	return text;
}

/* The cloud's loss of quality when @r's prompt loses @drop per mille of its
 * tokens by @seed's order (0: the least surprising first). */
static double compressed_loss(struct ea_session *edge, struct ea_session *cloud,
			      const struct request *rq, const struct ea_generate_result *r,
			      uint32_t drop, uint64_t seed, size_t *bytes, int *kept)
{
	struct ea_error err;
	char *text = NULL;
	double q;

	if (ea_route_compress(edge->model, r, drop, seed, &text, bytes, kept, &err) != EA_OK)
		return NAN;
	q = cloud_given(cloud, rq, text) - rq->q_cloud;
	free(text);
	return q;
}

static void compression(struct ea_session *edge, struct ea_session *cloud, struct request *rq,
			uint64_t *seed)
{
	struct ea_generate_params p = { .prompt = rq->prompt };
	struct ea_generate_result scored;
	struct ea_error err;

	rq->bytes = strlen(rq->prompt);
	for (int f = 0; f < N_FRACTIONS; f++)
		rq->comp_loss[f] = rq->rand_loss[f] = rq->any_loss[f] = NAN;
	if (ea_route_score_prompt(edge, &p, &scored, &err) != EA_OK)
		return;
	for (int f = 0; f < N_FRACTIONS; f++) {
		uint32_t drop = (uint32_t)(200 * (f + 1));
		size_t random_bytes;
		int kept = 0, random_kept;
		char *any;

		rq->comp_loss[f] = compressed_loss(edge, cloud, rq, &scored, drop, 0,
						   &rq->comp_bytes[f], &kept);
		rq->rand_loss[f] = compressed_loss(edge, cloud, rq, &scored, drop,
						   next_random(seed), &random_bytes, &random_kept);
		any = drop_randomly(edge->model, &scored, scored.n_echoed - kept, seed);
		rq->any_loss[f] = any ? cloud_given(cloud, rq, any) - rq->q_cloud : NAN;
		free(any);
	}
}

/* The share of the cloud's gain a quality @q recovers. */
static double gain_of(double q, double q_local, double q_cloud)
{
	return q_local > q_cloud ? (q_local - q) / (q_local - q_cloud) : NAN;
}

/* Of the targets 5 .. 95%, how many @fr beats random at (more of the gain). */
static int beats_random(const struct eval_frontier *fr, const struct eval_frontier *random)
{
	int won = 0;

	for (int k = 1; k < EVAL_TARGETS - 1; k++) {
		double f = (double)k / (EVAL_TARGETS - 1);

		won += eval_frontier_at(fr, f) < eval_frontier_at(random, f);
	}
	return won;
}

/* One line a request: what the figures are made of (for plots and checks). */
static int write_data(const char *path, const struct request *rq, int n)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		fprintf(stderr, "edgeai eval-collab: %s: cannot create\n", path);
		return -1;
	}
	fprintf(f, "# split\tprompt_tokens\tsurprisal\tconfidence\tanswer_confidence\tq_local\t"
		"q_cloud\tcomp20\tcomp40\tcomp60\trand20\trand40\trand60\n");
	for (int i = 0; i < n; i++)
		fprintf(f, "%s\t%d\t%.4f\t%u\t%u\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f\t"
			"%.4f\t%.4f\n", i % 2 ? "test" : "calibration", rq[i].n_prompt,
			rq[i].surprisal, rq[i].confidence, rq[i].answer_confidence, rq[i].q_local,
			rq[i].q_cloud, rq[i].comp_loss[0], rq[i].comp_loss[1], rq[i].comp_loss[2],
			rq[i].rand_loss[0], rq[i].rand_loss[1], rq[i].rand_loss[2]);
	if (fclose(f) != 0) {
		fprintf(stderr, "edgeai eval-collab: %s: cannot write\n", path);
		return -1;
	}
	return 0;
}

static int eval(const struct eval_options *o)
{
	struct ea_session_options so = { .engine = EA_ENGINE_CPU, .n_threads = o->threads };
	struct ea_model *em = NULL, *cm = NULL;
	struct ea_session *edge = NULL, *cloud = NULL;
	struct request *rq = calloc((size_t)o->requests, sizeof(*rq));
	double *router = calloc((size_t)o->requests, sizeof(double));
	double *cascade = calloc((size_t)o->requests, sizeof(double));
	double *oracle = calloc((size_t)o->requests, sizeof(double));
	double *random = calloc((size_t)o->requests, sizeof(double));
	double q_local = 0, q_cloud = 0, comp[N_FRACTIONS] = { 0 }, rnd[N_FRACTIONS] = { 0 };
	double any[N_FRACTIONS] = { 0 };
	double saved[N_FRACTIONS] = { 0 }, start = now_s(), router_ceiling, cascade_floor;
	double *ql = calloc((size_t)o->requests, sizeof(double));
	double *qc = calloc((size_t)o->requests, sizeof(double));
	double gain[4][N_FRACTIONS];
	struct eval_frontier fr[4] = { { .name = "random", .score = random },
				       { .name = "router", .score = router, .calibrated = true },
				       { .name = "cascade", .score = cascade, .calibrated = true },
				       { .name = "oracle", .score = oracle } };
	enum { AT_30 = 6 };	/* the target of 30% */
	char why[512], body[EVAL_DOC_LINE * 4];
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	FILE *f = fopen(o->text, "r");
	int n = 0, m_test = 0, rc = 1;

	if (!f || !rq || !router || !cascade || !oracle || !random || !ql || !qc) {
		fprintf(stderr, "edgeai eval-collab: %s: %s\n", o->text, f ? "out of memory" :
			"cannot open");
		goto out;
	}
	if (ea_model_open(o->edge, NULL, NULL, &em, why, sizeof(why)) != EA_OK ||
	    ea_model_open(o->cloud, NULL, NULL, &cm, why, sizeof(why)) != EA_OK ||
	    ea_session_open(NULL, em, &so, &edge, why, sizeof(why)) != EA_OK ||
	    ea_session_open(NULL, cm, &so, &cloud, why, sizeof(why)) != EA_OK) {
		fprintf(stderr, "edgeai eval-collab: %s\n", why);
		goto out;
	}
	for (int skipped = 0; skipped < o->skip; skipped++)
		if (!eval_next_document(f, rq[0].prompt, sizeof(rq[0].prompt), body, sizeof(body)))
			break;
	while (n < o->requests && eval_next_document(f, rq[n].prompt, sizeof(rq[n].prompt), body,
						 sizeof(body))) {
		struct request *r = &rq[n];
		int n_ref = 0;
		int32_t *ref = tokenize(em, body, EA_TEXT_NO_BOS, &n_ref);

		r->tokens = ref ? tokenize(em, r->prompt, 0, &r->n_prompt) : NULL;
		if (!ref || !r->tokens || n_ref < 4) {
			free(ref);
			free(r->tokens);
			r->tokens = NULL;
			continue;
		}
		if (n_ref > o->ref_tokens)
			n_ref = o->ref_tokens;
		r->n = r->n_prompt + n_ref;
		r->tokens = realloc(r->tokens, (size_t)r->n * sizeof(*r->tokens));
		memcpy(r->tokens + r->n_prompt, ref, (size_t)n_ref * sizeof(*ref));
		free(ref);
		r->q_local = mean_nll(edge, r->tokens, r->n, r->n_prompt);
		r->q_cloud = mean_nll(cloud, r->tokens, r->n, r->n_prompt);
		r->surprisal = mean_nll(edge, r->tokens, r->n_prompt, 1);
		if (n % 2)
			compression(edge, cloud, r, &seed);
		if (isnan(r->q_local) || isnan(r->q_cloud) || isnan(r->surprisal) ||
		    !answer_confidence(edge, r, o->answer_tokens, &r->confidence,
				       &r->answer_confidence)) {
			free(r->tokens);
			r->tokens = NULL;
			continue;
		}
		router[n] = r->surprisal;
		/* The library's rule: escalate when the confidence is under the floor. */
		cascade[n] = -(double)r->confidence;
		oracle[n] = r->q_local - r->q_cloud;
		ql[n] = r->q_local;
		qc[n] = r->q_cloud;
		random[n] = (double)(next_random(&seed) % 1000000);
		if (!o->json)
			fprintf(stderr, "\r%d/%d requests (%.0f s)", n + 1, o->requests,
				now_s() - start);
		n++;
	}
	if (!o->json)
		fprintf(stderr, "\n");
	for (int i = 1; i < n; i += 2, m_test++) {
		q_local += rq[i].q_local;
		q_cloud += rq[i].q_cloud;
		for (int k = 0; k < N_FRACTIONS; k++) {
			comp[k] += rq[i].comp_loss[k];
			rnd[k] += rq[i].rand_loss[k];
			any[k] += rq[i].any_loss[k];
			saved[k] += 1.0 - (double)rq[i].comp_bytes[k] / (double)rq[i].bytes;
		}
	}
	if (o->data && write_data(o->data, rq, n) != 0)
		goto out;
	if (m_test < 2) {
		fprintf(stderr, "edgeai eval-collab: %d test requests: too few\n", m_test);
		goto out;
	}
	q_local /= m_test;
	q_cloud /= m_test;
	for (int p = 0; p < 4; p++) {
		eval_frontier_run(&fr[p], ql, qc, n);
		for (int k = 0; k < N_FRACTIONS; k++)
			gain[p][k] = gain_of(eval_frontier_at(&fr[p], fractions[k]), q_local,
					     q_cloud);
	}
	if (o->frontier && eval_frontier_write(o->frontier, fr, 4) != 0)
		goto out;
	printf("%d requests (%d calibration, %d test), reference %d tokens, %.0f s\n", n,
	       n - m_test, m_test, o->ref_tokens, now_s() - start);
	printf("quality (mean NLL of the reference, nats a token; lower is better): "
	       "always-local %.4f, always-cloud %.4f\n\n", q_local, q_cloud);
	printf("share of the cloud's gain recovered at 10/20/30%% of the test split offloaded\n"
	       "(each policy's frontier of calibrated thresholds, read at the fraction)\n");
	printf("%-8s %8s %8s %8s   %s\n", "policy", "10%", "20%", "30%",
	       "beats random at 5..95%");
	for (int p = 0; p < 4; p++) {
		printf("%-8s", fr[p].name);
		for (int k = 0; k < N_FRACTIONS; k++)
			printf(" %8.3f", gain[p][k]);
		if (p == 1 || p == 2)
			printf("   %d of %d", beats_random(&fr[p], &fr[0]), EVAL_TARGETS - 2);
		printf("\n");
	}
	router_ceiling = 1000.0 * eval_threshold(router, n, 0, fractions[N_FRACTIONS - 1]);
	cascade_floor = -eval_threshold(cascade, n, 0, fractions[N_FRACTIONS - 1]);
	printf("calibrated for 30%% offloaded (calibration split): router ceiling %.0f mnats "
	       "(ask --router --ceiling), cascade floor %.0f per mille (ask --cascade "
	       "--threshold);\non the test split they offload %.1f%% (gain %.3f) and %.1f%% "
	       "(gain %.3f)\n", router_ceiling, cascade_floor, 100 * fr[1].offloaded[AT_30],
	       gain_of(fr[1].quality[AT_30], q_local, q_cloud), 100 * fr[2].offloaded[AT_30],
	       gain_of(fr[2].quality[AT_30], q_local, q_cloud));
	printf("\ncompression: the cloud's quality loss (nats a token) when the edge model drops\n"
	       "the least surprising tokens / the same droppable tokens at random / any\n"
	       "token after the first line at random; the prompt's bytes saved\n");
	for (int k = 0; k < N_FRACTIONS; k++)
		printf("  %d%% dropped: %.4f / %.4f / %.4f (ours / random: %.2f), %.0f%% of the "
		       "bytes\n", 20 * (k + 1), comp[k] / m_test, rnd[k] / m_test, any[k] / m_test,
		       rnd[k] != 0 ? comp[k] / rnd[k] : NAN, 100 * saved[k] / m_test);
	printf("{\"bench\":\"collab\",\"requests\":%d,\"test\":%d,\"q_local\":%.4f,\"q_cloud\":%.4f,"
	       "\"gain_at_30\":{\"cascade\":%.3f,\"router\":%.3f,\"random\":%.3f,\"oracle\":%.3f},"
	       "\"gain\":{\"fractions\":[0.1,0.2,0.3],\"random\":[%.3f,%.3f,%.3f],\"router\":"
	       "[%.3f,%.3f,%.3f],\"cascade\":[%.3f,%.3f,%.3f],\"oracle\":[%.3f,%.3f,%.3f]},"
	       "\"compress_loss_ratio_at_40\":%.3f,\"compress_loss_ratio_any_at_40\":%.3f,"
	       "\"compress_bytes_saved_at_40\":%.3f,\"router_ceiling_mnats_at_30\":%.0f,"
	       "\"cascade_floor_at_30\":%.0f,\"calibrated_at_30\":{\"router\":{\"offloaded\":"
	       "%.3f,\"gain\":%.3f},\"cascade\":{\"offloaded\":%.3f,\"gain\":%.3f}},"
	       "\"beats_random_of_19\":{\"router\":%d,\"cascade\":%d}}\n", n,
	       m_test, q_local, q_cloud, gain[2][2], gain[1][2], gain[0][2], gain[3][2],
	       gain[0][0], gain[0][1], gain[0][2], gain[1][0], gain[1][1], gain[1][2],
	       gain[2][0], gain[2][1], gain[2][2], gain[3][0], gain[3][1], gain[3][2],
	       rnd[1] != 0 ? comp[1] / rnd[1] : NAN, any[1] != 0 ? comp[1] / any[1] : NAN,
	       saved[1] / m_test, router_ceiling, cascade_floor, fr[1].offloaded[AT_30],
	       gain_of(fr[1].quality[AT_30], q_local, q_cloud), fr[2].offloaded[AT_30],
	       gain_of(fr[2].quality[AT_30], q_local, q_cloud), beats_random(&fr[1], &fr[0]),
	       beats_random(&fr[2], &fr[0]));
	rc = 0;
out:
	if (f)
		fclose(f);
	for (int i = 0; rq && i < o->requests; i++)
		free(rq[i].tokens);
	free(rq);
	free(router);
	free(cascade);
	free(oracle);
	free(random);
	free(ql);
	free(qc);
	ea_session_close(edge);
	ea_session_close(cloud);
	ea_model_close(em);
	ea_model_close(cm);
	return rc;
}

enum { OPT_EDGE = CLI_OPT_OWN, OPT_CLOUD, OPT_TEXT, OPT_REQUESTS, OPT_SKIP, OPT_REF, OPT_ANSWER,
       OPT_THREADS, OPT_JSON, OPT_DATA, OPT_FRONTIER };

static const struct option long_options[] = {
	{ "edge", required_argument, NULL, OPT_EDGE },
	{ "cloud", required_argument, NULL, OPT_CLOUD },
	{ "text", required_argument, NULL, OPT_TEXT },
	{ "requests", required_argument, NULL, OPT_REQUESTS },
	{ "skip", required_argument, NULL, OPT_SKIP },
	{ "ref", required_argument, NULL, OPT_REF },
	{ "answer", required_argument, NULL, OPT_ANSWER },
	{ "threads", required_argument, NULL, OPT_THREADS },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "data", required_argument, NULL, OPT_DATA },
	{ "frontier", required_argument, NULL, OPT_FRONTIER },
	CLI_OPTIONS_END
};

static int run_eval(int argc, char **argv)
{
	struct eval_options o = { .requests = 60, .ref_tokens = 48, .answer_tokens = 16 };
	struct cli_parser p;

	cli_parser_init(&p, &cli_eval_collab, argc, argv, "", long_options);
	while (cli_next(&p) != -1) {
		switch (p.option) {
		case OPT_EDGE:
			o.edge = optarg;
			break;
		case OPT_CLOUD:
			o.cloud = optarg;
			break;
		case OPT_TEXT:
			o.text = optarg;
			break;
		case OPT_REQUESTS:
			cli_int(&p, 4, 1 << 20, &o.requests);
			break;
		case OPT_SKIP:
			cli_int(&p, 0, 1 << 20, &o.skip);
			break;
		case OPT_REF:
			cli_int(&p, 4, 256, &o.ref_tokens);
			break;
		case OPT_ANSWER:
			cli_int(&p, 1, 256, &o.answer_tokens);
			break;
		case OPT_THREADS:
			cli_int(&p, 1, 256, &o.threads);
			break;
		case OPT_JSON:
			o.json = true;
			break;
		case OPT_DATA:
			o.data = optarg;
			break;
		case OPT_FRONTIER:
			o.frontier = optarg;
			break;
		}
	}
	if (p.exit_status != CLI_CONTINUE)
		return p.exit_status;
	if (!o.edge || !o.cloud || !o.text) {
		fprintf(stderr, "edgeai eval-collab: --edge, --cloud and --text are needed\n");
		return 2;
	}
	return eval(&o);
}

const struct cli_command cli_eval_collab = {
	.name = "eval-collab",
	.summary = "measure routing, cascade, router and compression on a text of documents",
	.usage = "--edge EDGE.gguf --cloud CLOUD.gguf --text DOCS.txt [--requests N]\n"
		 "  [--skip N] [--ref TOKENS] [--answer TOKENS] [--threads N] [--data FILE]\n"
		 "  [--frontier FILE] [--json]\n"
		 "  Each document (Package/Description lines, then a body) is a request\n"
		 "  (--requests of them, 60 by default, after the first --skip, 0):\n"
		 "  prompt = its first two lines, reference = the first --ref (48) tokens of\n"
		 "  its body; quality = the reference's mean NLL under the model serving it.\n"
		 "  Even requests calibrate the thresholds, odd ones measure. Prints the\n"
		 "  share of the cloud's gain each policy recovers at 10/20/30% offloaded\n"
		 "  (its frontier read at the fraction), whether it beats random at 5..95%,\n"
		 "  and compression's loss against random dropping; ends with a JSON line.\n"
		 "  --data: a line of figures a request; --frontier: each policy's quality\n"
		 "  at 0, 5, .. 100% offloaded (tab-separated, for plots).",
	.run = run_eval,
};

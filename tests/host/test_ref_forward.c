// SPDX-License-Identifier: MIT
/*
 * The CPU reference forward pass on the trained models of ../shared/models:
 * greedy decoding is deterministic, the batched prompt path agrees with
 * token-by-token decoding, and perplexity on heldout.txt matches the README.
 *
 * A quick perplexity over the first QUICK_WINDOWS windows always runs and must
 * match the figure this reference gave when its full run matched the README; the
 * full held-out run (294 windows, minutes per model on one core) runs when
 * EDGEAI_FULL_PPL=1 and must land within 1% of the README's figures.
 * Skips without the models.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ea_models.h"
#include "ea_ref.h"
#include "ea_ref_forward.h"
#include "ea_tap.h"
#include "ea_tokenizer.h"

#define N_CHECKS 6
#define GREEDY_TOKENS 32
/*
 * Windows differ a lot (8 windows spread over the text give 11.3 on edge-f16),
 * so a few cannot be held to the README's figure: the first 4 (lists of TeX
 * package names, hard to predict) gave 47.468 on edge-f16 when the whole text
 * gave 16.397 (README 16.38, +0.1%). They must stay within 1% of that.
 */
#define QUICK_WINDOWS 4
#define QUICK_EDGE_PPL 47.468
#define QUICK_TOLERANCE 0.01
#define FULL_TOLERANCE 0.01
#define EDGE_PPL 16.38
#define CLOUD_PPL 13.83

struct loaded {
	struct ea_model *model;
	struct ea_tokenizer *tok;
	struct ea_ref_state *state;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static bool load(const char *file, struct loaded *l)
{
	struct ea_error why;
	char path[4096];

	if (!ea_model_path(file, path, sizeof(path)))
		return false;
	if (ea_model_open(path, NULL, NULL, &l->model, why.msg, sizeof(why.msg)) != EA_OK ||
	    ea_tokenizer_load(l->model->gguf, &l->tok, &why) != EA_OK ||
	    ea_ref_state_new(l->model, l->model->cfg.n_ctx, &l->state, &why) != EA_OK) {
		tap_diag("%s: %s", path, why.msg);
		return false;
	}
	return true;
}

static void unload(struct loaded *l)
{
	ea_ref_state_free(l->state);
	ea_tokenizer_free(l->tok);
	ea_model_free(l->model);
}

/* Greedy tokens after @prompt: the prompt as one batch, then one token a step. */
static bool greedy(struct loaded *l, const char *prompt, int32_t *out, int n)
{
	int32_t *ids;
	size_t n_ids;
	float *logits = l->state->logits;
	bool ok;

	if (ea_tokenizer_encode(l->tok, prompt, strlen(prompt), 0, &ids, &n_ids) != EA_OK)
		return false;
	ok = ea_ref_forward_batch(l->model, l->state, ids, (int)n_ids, 0, logits, 1) == EA_OK;
	for (int i = 0; i < n && ok; i++) {
		out[i] = ea_ref_argmax(logits, l->model->cfg.n_vocab);
		ok = ea_ref_forward(l->model, l->state, out[i], (int)n_ids + i) != NULL;
	}
	free(ids);
	return ok;
}

static bool check_greedy(struct loaded *l, const char *prompt)
{
	int32_t first[GREEDY_TOKENS], second[GREEDY_TOKENS];
	char *text;
	size_t len;

	if (!greedy(l, prompt, first, GREEDY_TOKENS) || !greedy(l, prompt, second, GREEDY_TOKENS))
		return false;
	if (ea_tokenizer_detokenize(l->tok, first, GREEDY_TOKENS, 0, &text, &len) == EA_OK) {
		tap_diag("greedy: %s", text);
		free(text);
	}
	return memcmp(first, second, sizeof(first)) == 0;
}

/*
 * The logits of a prompt's last token from one batch and from token-by-token
 * decoding: the same sums in the same order, so equal to fp32 rounding.
 */
static bool check_batch_matches_decode(struct loaded *l, const char *prompt)
{
	int n_vocab = l->model->cfg.n_vocab;
	float *batch = malloc((size_t)n_vocab * sizeof(float));
	float *step = NULL;
	double max_diff = 0;
	int32_t *ids = NULL;
	size_t n_ids = 0;
	bool ok = batch && ea_tokenizer_encode(l->tok, prompt, strlen(prompt), 0, &ids, &n_ids) ==
			   EA_OK;

	ok = ok && ea_ref_forward_batch(l->model, l->state, ids, (int)n_ids, 0, batch, 1) == EA_OK;
	for (size_t i = 0; ok && i < n_ids; i++)
		ok = (step = ea_ref_forward(l->model, l->state, ids[i], (int)i)) != NULL;
	for (int i = 0; ok && i < n_vocab; i++)
		if (fabs(batch[i] - step[i]) > max_diff)
			max_diff = fabs(batch[i] - step[i]);
	tap_diag("%zu prompt tokens: largest logit difference %g", n_ids, max_diff);
	free(batch);
	free(ids);
	return ok && max_diff <= 1e-4;
}

static int32_t *heldout_tokens(const struct loaded *l, size_t *n)
{
	char path[4096];
	FILE *f;
	char *text = NULL;
	long size;
	int32_t *ids = NULL;

	if (!ea_model_path("heldout.txt", path, sizeof(path)) || !(f = fopen(path, "rb")))
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (text = malloc((size_t)size)) && fread(text, 1, (size_t)size, f) == (size_t)size &&
	    ea_tokenizer_encode(l->tok, text, (size_t)size, 0, &ids, n) != EA_OK)
		ids = NULL;
	fclose(f);
	free(text);
	return ids;
}

/* Perplexity over the first @max_windows windows (0: all) of heldout.txt. */
static bool perplexity(struct loaded *l, int max_windows, double *ppl)
{
	int ctx = l->model->cfg.n_ctx, n_scored = 0, n_windows, n_run;
	size_t n_tokens;
	int32_t *tokens = heldout_tokens(l, &n_tokens);
	double nll = 0, start = now_s();
	bool ok = tokens != NULL;

	n_windows = tokens ? (int)(n_tokens / (size_t)ctx) : 0;
	n_run = max_windows && max_windows < n_windows ? max_windows : n_windows;
	for (int w = 0; ok && w < n_run; w++)
		ok = ea_ref_window_nll(l->model, l->state, tokens + (size_t)w * ctx, ctx, ctx / 2,
				       &nll, &n_scored) == EA_OK;
	*ppl = ok ? exp(nll / n_scored) : 0;
	tap_diag("%d of %d windows, %d tokens scored in %.1f s: mean NLL %.5f, PPL %.4f", n_run,
		 n_windows, n_scored, now_s() - start, ok ? nll / n_scored : 0, *ppl);
	free(tokens);
	return ok;
}

static bool within(double got, double want, double tolerance)
{
	tap_diag("PPL %.4f vs %.3f: %+.2f%% (tolerance %.0f%%)", got, want,
		 100 * (got / want - 1), 100 * tolerance);
	return fabs(got / want - 1) <= tolerance;
}

static void skip(struct tap *t, int n, const char *why)
{
	for (int i = 0; i < n; i++)
		printf("ok %d # SKIP %s\n", ++t->run, why);
}

int main(void)
{
	const char *prompt = "Package: vim\nDescription:";
	const char *full = getenv("EDGEAI_FULL_PPL");
	bool run_full = full && strcmp(full, "1") == 0;
	struct tap t = { 0 };
	struct loaded edge = { 0 }, cloud = { 0 };
	double ppl;

	tap_plan(&t, N_CHECKS);
	if (!load("edge-f16.gguf", &edge)) {
		skip(&t, N_CHECKS, "edge-f16.gguf not found (set EDGEAI_MODELS)");
		return tap_done(&t);
	}
	tap_ok(&t, check_greedy(&edge, prompt), "edge-f16: %d greedy tokens after "
	       "'Package: vim\\nDescription:' are the same twice", GREEDY_TOKENS);
	tap_ok(&t, check_batch_matches_decode(&edge, prompt),
	       "edge-f16: prompt logits batched = token by token (1e-4)");
	tap_ok(&t, perplexity(&edge, QUICK_WINDOWS, &ppl) &&
	       within(ppl, QUICK_EDGE_PPL, QUICK_TOLERANCE),
	       "edge-f16: perplexity of the first %d windows of heldout.txt within 1%% of %.3f",
	       QUICK_WINDOWS, QUICK_EDGE_PPL);

	if (!run_full) {
		skip(&t, 3, "full held-out perplexity: set EDGEAI_FULL_PPL=1 (minutes)");
		unload(&edge);
		return tap_done(&t);
	}
	tap_ok(&t, perplexity(&edge, 0, &ppl) && within(ppl, EDGE_PPL, FULL_TOLERANCE),
	       "edge-f16: perplexity of heldout.txt within 1%% of %.2f", EDGE_PPL);
	unload(&edge);
	if (!load("cloud-f16.gguf", &cloud)) {
		skip(&t, 2, "cloud-f16.gguf not found");
		return tap_done(&t);
	}
	tap_ok(&t, check_greedy(&cloud, prompt), "cloud-f16: greedy tokens are the same twice");
	tap_ok(&t, perplexity(&cloud, 0, &ppl) && within(ppl, CLOUD_PPL, FULL_TOLERANCE),
	       "cloud-f16: perplexity of heldout.txt within 1%% of %.2f", CLOUD_PPL);
	unload(&cloud);
	return tap_done(&t);
}

// SPDX-License-Identifier: MIT
/*
 * The trained edge model of ../shared/models (edge-f16.gguf) through the
 * public API and the session, on Vulkan (lavapipe in CI) and on the CPU
 * reference:
 *  - the same greedy continuation of "Package: vim\nDescription:" for 32
 *    tokens on both engines (ea_generate);
 *  - perplexity of the whole of heldout.txt on the CPU reference, on every
 *    online CPU (EDGEAI_THREADS to change), within 1% of the README's 16.38;
 *  - on Vulkan, the first VK_WINDOWS windows within 0.1% of the CPU
 *    reference's figure for them: the scored half of a window is a decode
 *    step per token (the prompt program keeps only its last token's logits),
 *    about 15 s a window on lavapipe, 70+ minutes for the whole text. With
 *    EDGEAI_FULL_PPL=1 Vulkan runs the whole text too.
 * Skips without the models.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ea_models.h"
#include "ea_session.h"
#include "ea_tap.h"
#include "ea_tokenizer.h"

#define N_CHECKS 4
#define GREEDY_TOKENS 32
#define EDGE_PPL 16.38
#define PPL_TOLERANCE 0.01
#define VK_WINDOWS 2
#define VK_TOLERANCE 0.001

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The greedy continuation of @prompt on @s, into @text. */
static bool greedy(struct ea_session *s, const char *prompt, char *text, size_t size)
{
	struct ea_generate_params p = { .prompt = prompt, .max_tokens = GREEDY_TOKENS,
					.ignore_eos = true };
	struct ea_generate_result r;

	if (ea_generate(s, &p, NULL, NULL, &r) != EA_OK) {
		tap_diag("%s: %s", ea_session_engine(s), ea_session_error(s));
		return false;
	}
	snprintf(text, size, "%s", r.text);
	tap_diag("%s: %d tokens at %.1f tok/s: '%s'", ea_session_engine(s), r.n_generated_tokens,
		 r.generate_tok_s, r.text);
	return r.n_generated_tokens == GREEDY_TOKENS;
}

/* The tokens of heldout.txt (no BOS), malloc'd. */
static int32_t *heldout_tokens(const struct ea_model *m, size_t *n)
{
	char path[4096];
	FILE *f;
	char *text = NULL;
	long size = -1;
	int32_t *ids = NULL;

	if (!ea_model_path("heldout.txt", path, sizeof(path)) || !(f = fopen(path, "rb")))
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0)
		text = malloc((size_t)size);
	if (text && fread(text, 1, (size_t)size, f) == (size_t)size &&
	    ea_tokenizer_encode(m->tokenizer, text, (size_t)size, 0, &ids, n) != EA_OK)
		ids = NULL;
	fclose(f);
	free(text);
	return ids;
}

/* Perplexity of the first @n_windows windows of @tokens on @s (0: all). */
static bool perplexity(struct ea_session *s, const int32_t *tokens, size_t n_tokens,
		       int n_windows, double *ppl)
{
	int ctx = s->model->cfg.n_ctx, n_scored = 0, all = (int)(n_tokens / (size_t)ctx);
	int n_run = n_windows && n_windows < all ? n_windows : all;
	double nll = 0, start = now_s();
	bool ok = true;

	for (int w = 0; ok && w < n_run; w++)
		ok = ea_session_window_nll(s, tokens + (size_t)w * ctx, ctx, ctx / 2, &nll,
					   &n_scored) == EA_OK;
	if (!ok)
		tap_diag("%s", ea_session_error(s));
	*ppl = ok ? exp(nll / n_scored) : 0;
	tap_diag("%s (%d CPU threads): %d of %d windows, %d tokens scored in %.1f s (%.2f s a "
		 "window): PPL %.4f", ea_session_engine(s), ea_session_threads(s), n_run, all,
		 n_scored, now_s() - start, (now_s() - start) / n_run, *ppl);
	return ok;
}

static bool within(double got, double want, double tolerance)
{
	tap_diag("PPL %.4f vs %.4f: %+.3f%% (tolerance %.1f%%)", got, want,
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
	struct ea_open_options direct = { .mode = EA_MODE_DIRECT };
	struct ea_session_options cpu_options = { .engine = EA_ENGINE_CPU };
	struct tap t = { 0 };
	struct ea_model *m = NULL;
	struct ea_device *dev = NULL;
	struct ea_session *cpu = NULL, *gpu = NULL;
	char path[4096], why[1024], cpu_text[1024], gpu_text[1024];
	int32_t *tokens = NULL;
	size_t n_tokens = 0;
	double cpu_ppl, cpu_head_ppl, gpu_ppl;

	tap_plan(&t, N_CHECKS);
	if (!ea_model_path("edge-f16.gguf", path, sizeof(path))) {
		skip(&t, N_CHECKS, "edge-f16.gguf not found (set EDGEAI_MODELS)");
		return tap_done(&t);
	}
	if (ea_model_open(path, NULL, NULL, &m, why, sizeof(why)) != EA_OK ||
	    ea_session_open(NULL, m, &cpu_options, &cpu, why, sizeof(why)) != EA_OK) {
		tap_diag("%s", why);
		return tap_done(&t);
	}
	if (ea_open(&direct, &dev, why, sizeof(why)) != EA_OK ||
	    ea_session_open(dev, m, NULL, &gpu, why, sizeof(why)) != EA_OK)
		tap_diag("no Vulkan session: %s", why);

	if (gpu)
		tap_ok(&t, greedy(cpu, prompt, cpu_text, sizeof(cpu_text)) &&
		       greedy(gpu, prompt, gpu_text, sizeof(gpu_text)) &&
		       strcmp(cpu_text, gpu_text) == 0, "edge-f16: the same %d greedy tokens "
		       "after 'Package: vim\\nDescription:' on Vulkan and the CPU reference",
		       GREEDY_TOKENS);
	else
		skip(&t, 1, "no Vulkan device");

	tokens = heldout_tokens(m, &n_tokens);
	tap_ok(&t, tokens && perplexity(cpu, tokens, n_tokens, 0, &cpu_ppl) &&
	       within(cpu_ppl, EDGE_PPL, PPL_TOLERANCE),
	       "edge-f16: perplexity of heldout.txt on the CPU reference within 1%% of %.2f",
	       EDGE_PPL);
	if (!gpu || !tokens) {
		skip(&t, 2, "no Vulkan device or no heldout.txt");
		goto out;
	}
	tap_ok(&t, perplexity(cpu, tokens, n_tokens, VK_WINDOWS, &cpu_head_ppl) &&
	       perplexity(gpu, tokens, n_tokens, VK_WINDOWS, &gpu_ppl) &&
	       within(gpu_ppl, cpu_head_ppl, VK_TOLERANCE),
	       "edge-f16: perplexity of the first %d windows on Vulkan within 0.1%% of the "
	       "CPU reference's", VK_WINDOWS);
	if (!full || strcmp(full, "1") != 0)
		skip(&t, 1, "Vulkan perplexity of the whole text: EDGEAI_FULL_PPL=1 (70+ min on "
		     "lavapipe)");
	else
		tap_ok(&t, perplexity(gpu, tokens, n_tokens, 0, &gpu_ppl) &&
		       within(gpu_ppl, EDGE_PPL, PPL_TOLERANCE),
		       "edge-f16: perplexity of heldout.txt on Vulkan within 1%% of %.2f",
		       EDGE_PPL);
out:
	free(tokens);
	ea_session_close(gpu);
	ea_close(dev);
	ea_session_close(cpu);
	ea_model_close(m);
	return tap_done(&t);
}

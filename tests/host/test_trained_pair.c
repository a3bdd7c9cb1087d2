// SPDX-License-Identifier: MIT
/*
 * The trained edge model of ../shared/models (edge-f16.gguf) through the
 * public API and the session, on Vulkan (lavapipe in CI) and on the CPU
 * reference:
 *  - the same greedy continuation of "Package: vim\nDescription:" for 32
 *    tokens on both engines (ea_generate);
 *  - perplexity of the whole of heldout.txt (294 windows of 512 tokens, the
 *    second half of each scored) on the CPU reference, on every online CPU
 *    (EDGEAI_THREADS to change), within 1% of the README's 16.38;
 *  - the same on Vulkan, each window one run of the score program
 *    (the score program: logits and -log softmax of the scored rows on the
 *    device), within 1% of 16.38 and within 0.1% of the CPU reference's
 *    figure (fp32 sums in other orders; they agree to ~1e-7);
 *  - quantized/edge-Q4_K_M.gguf, as llama.cpp's quantize wrote it (Q4_K with
 *    Q6_K for attn_v and ffn_down of some layers): the same greedy tokens on
 *    Vulkan and the CPU reference (q, k and v of different types run apart).
 * Both print their figure and time (2 shared cores: ~3-4 min each, lavapipe
 * for Vulkan). Skips without the models.
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

#define N_CHECKS 5
#define GREEDY_TOKENS 32
#define EDGE_PPL 16.38
#define PPL_TOLERANCE 0.01
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

/* Perplexity of the whole of @tokens on @s. */
static bool perplexity(struct ea_session *s, const int32_t *tokens, size_t n_tokens, double *ppl)
{
	int ctx = s->model->cfg.n_ctx, n_scored = 0, n_run = (int)(n_tokens / (size_t)ctx);
	double nll = 0, start = now_s();
	bool ok = true;

	for (int w = 0; ok && w < n_run; w++)
		ok = ea_session_window_nll(s, tokens + (size_t)w * ctx, ctx, ctx / 2, &nll,
					   &n_scored) == EA_OK;
	if (!ok)
		tap_diag("%s", ea_session_error(s));
	*ppl = ok ? exp(nll / n_scored) : 0;
	if (ea_session_threads(s))
		tap_diag("%s (%d CPU threads): %d windows, %d tokens scored in %.1f s (%.2f s a "
			 "window): PPL %.4f", ea_session_engine(s), ea_session_threads(s), n_run,
			 n_scored, now_s() - start, (now_s() - start) / n_run, *ppl);
	else
		tap_diag("%s: %d windows, %d tokens scored in %.1f s (%.2f s a window): PPL %.4f",
			 ea_session_engine(s), n_run, n_scored, now_s() - start,
			 (now_s() - start) / n_run, *ppl);
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

/* llama.cpp's Q4_K_M file: the same greedy text on Vulkan and the CPU reference. */
static void mixed_types(struct tap *t, struct ea_device *dev, const char *prompt)
{
	struct ea_session_options cpu_options = { .engine = EA_ENGINE_CPU };
	struct ea_session *cpu = NULL, *gpu = NULL;
	char path[4096], why[1024] = "", cpu_text[1024], gpu_text[1024];
	struct ea_model *m = NULL;
	bool ok;

	if (!ea_model_path("quantized/edge-Q4_K_M.gguf", path, sizeof(path))) {
		skip(t, 1, "quantized/edge-Q4_K_M.gguf not found");
		return;
	}
	ok = ea_model_open(path, NULL, NULL, &m, why, sizeof(why)) == EA_OK &&
	     ea_session_open(NULL, m, &cpu_options, &cpu, why, sizeof(why)) == EA_OK &&
	     ea_session_open(dev, m, NULL, &gpu, why, sizeof(why)) == EA_OK &&
	     greedy(cpu, prompt, cpu_text, sizeof(cpu_text)) &&
	     greedy(gpu, prompt, gpu_text, sizeof(gpu_text)) && strcmp(cpu_text, gpu_text) == 0;
	if (!tap_ok(t, ok, "edge-Q4_K_M (llama.cpp's mix of Q4_K and Q6_K): the same %d greedy "
		    "tokens on Vulkan and the CPU reference", GREEDY_TOKENS))
		tap_diag("%s", why);
	ea_session_close(gpu);
	ea_session_close(cpu);
	ea_model_close(m);
}

int main(void)
{
	const char *prompt = "Package: vim\nDescription:";
	struct ea_open_options direct = { .mode = EA_MODE_DIRECT };
	struct ea_session_options cpu_options = { .engine = EA_ENGINE_CPU };
	struct tap t = { 0 };
	struct ea_model *m = NULL;
	struct ea_device *dev = NULL;
	struct ea_session *cpu = NULL, *gpu = NULL;
	char path[4096], why[1024], cpu_text[1024], gpu_text[1024];
	int32_t *tokens = NULL;
	size_t n_tokens = 0;
	double cpu_ppl = 0, gpu_ppl = 0;

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
	tap_ok(&t, tokens && perplexity(cpu, tokens, n_tokens, &cpu_ppl) &&
	       within(cpu_ppl, EDGE_PPL, PPL_TOLERANCE),
	       "edge-f16: perplexity of heldout.txt on the CPU reference within 1%% of %.2f",
	       EDGE_PPL);
	if (!gpu || !tokens) {
		skip(&t, 2, "no Vulkan device or no heldout.txt");
		goto out;
	}
	tap_ok(&t, perplexity(gpu, tokens, n_tokens, &gpu_ppl) &&
	       within(gpu_ppl, EDGE_PPL, PPL_TOLERANCE),
	       "edge-f16: perplexity of heldout.txt on Vulkan within 1%% of %.2f", EDGE_PPL);
	tap_ok(&t, gpu_ppl > 0 && cpu_ppl > 0 && within(gpu_ppl, cpu_ppl, VK_TOLERANCE),
	       "edge-f16: Vulkan's perplexity of heldout.txt within 0.1%% of the CPU "
	       "reference's");
	mixed_types(&t, dev, prompt);
	goto done;
out:
	skip(&t, 1, "no Vulkan device");
done:
	free(tokens);
	ea_session_close(gpu);
	ea_close(dev);
	ea_session_close(cpu);
	ea_model_close(m);
	return tap_done(&t);
}

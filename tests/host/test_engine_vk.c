// SPDX-License-Identifier: MIT
/*
 * The Vulkan engine end to end: tiny models from `edgeai synth` (build/bin/edgeai)
 * in every tensor type, and a qwen2 one (neox rope, q/k/v biases), run through
 * the command stream and the executor, against the CPU reference: the same
 * greedy tokens for 32 tokens after a 5-token prompt, and at every step logits
 * within LOGIT_TOL x max|reference logit|. Both engines dequantize the same
 * weights and accumulate in fp32; only the order of the sums differs, so the
 * tolerance is that of fp32 sums over a few hundred terms, per layer (lavapipe:
 * worst ~2e-6).
 * The prompt program (ea_backend_stream_batches(): matmuls and causal attention over a
 * batch) against the decode step token by token: the same last logits after
 * two prompts (the second at a later position), then the same greedy tokens.
 * Also: a step past the context is refused with a clear error, and the stream
 * validator rejects a broken stream.
 * The matvecs run in fp32 here (EDGEAI_MATVEC=float): the int8-dot matvec,
 * which the library picks where int8 dot products are accelerated, quantizes
 * x to int8 per block, which moves logits by ~3e-2 x max|logit| and, on these
 * random-weight models with their near ties, the greedy tokens after ~10 steps
 * (lavapipe with EDGEAI_MATVEC=int8 forced); tests/host/test_kernels.c checks
 * that path, fused flags too, against the reference within its stated bound.
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ea_backend_stream.h"
#include "ea_cs_build.h"
#include "ea_cs_validate.h"
#include "ea_device.h"
#include "ea_sample.h"
#include "ea_session.h"
#include "ea_tap.h"
#include "ea_test_logits.h"
#include "ea_test_tool.h"

#define N_GENERATE 32
#define LOGIT_TOL 1e-4

static char edgeai[PATH_MAX];

static bool find_edgeai(void)
{
	return ea_test_edgeai_path(edgeai, sizeof(edgeai));
}

static bool synth(const char *out, const char *args)
{
	return ea_test_synth(edgeai, out, args);
}

static int argmax(const float *x, int n)
{
	int best = 0;

	for (int i = 1; i < n; i++)
		if (x[i] > x[best])
			best = i;
	return best;
}

/* A session of @m on the direct backend on @vk, or on the CPU reference
 * when @vk is NULL. */
static ea_status new_session(const struct ea_model *m, struct ea_vk *vk, struct ea_session **out,
			     struct ea_error *err)
{
	struct ea_backend *b = NULL;
	ea_status status = vk ? ea_backend_direct_new(m, vk, &b, err) :
				ea_backend_ref_new(m, 0, &b, err);

	if (status == EA_OK)
		status = ea_session_of_backend(m, b, out, err);
	return status;
}

/* Greedy generation on both engines, token for token. */
static bool same_greedy(struct tap *t, const char *path, struct ea_vk *vk, const char *name)
{
	static const int32_t prompt[] = { 1, 17, 42, 99, 3 };
	int n_prompt = (int)(sizeof(prompt) / sizeof(prompt[0]));
	struct ea_session *cpu = NULL, *gpu = NULL;
	struct ea_model *m = NULL;
	float *want = NULL, *got = NULL;
	double worst = 0.0;
	int matched = 0;
	struct ea_error err = { { 0 } };
	char why[1024] = "";
	bool ok = false;

	if (ea_model_open(path, NULL, NULL, &m, err.msg, sizeof(err.msg)) != EA_OK ||
	    new_session(m, NULL, &cpu, &err) != EA_OK ||
	    new_session(m, vk, &gpu, &err) != EA_OK) {
		snprintf(why, sizeof(why), "%s", err.msg);
		goto out;
	}
	want = malloc((size_t)m->cfg.n_vocab * sizeof(float));
	got = malloc((size_t)m->cfg.n_vocab * sizeof(float));
	if (!want || !got ||
	    ea_session_eval(cpu, prompt, n_prompt, 0, want) != EA_OK ||
	    ea_session_eval(gpu, prompt, n_prompt, 0, got) != EA_OK) {
		snprintf(why, sizeof(why), "prompt: %s %s", ea_session_error(cpu),
			 ea_session_error(gpu));
		goto out;
	}
	for (int i = 0; i < N_GENERATE; i++) {
		int32_t token = argmax(want, m->cfg.n_vocab);

		worst = fmax(worst, ea_test_rel_diff(got, want, m->cfg.n_vocab));
		if (argmax(got, m->cfg.n_vocab) != token) {
			snprintf(why, sizeof(why), "token %d: Vulkan %d, CPU %d", i,
				 argmax(got, m->cfg.n_vocab), token);
			goto out;
		}
		matched++;
		if (i + 1 < N_GENERATE &&
		    (ea_session_eval(cpu, &token, 1, n_prompt + i, want) != EA_OK ||
		     ea_session_eval(gpu, &token, 1, n_prompt + i, got) != EA_OK)) {
			snprintf(why, sizeof(why), "step %d: %s %s", i, ea_session_error(cpu),
				 ea_session_error(gpu));
			goto out;
		}
	}
	ok = worst <= LOGIT_TOL;
out:
	tap_ok(t, ok, "%s: %d of %d greedy tokens match the CPU reference, logits within "
	       "%.1e (worst %.2e)", name, matched, N_GENERATE, LOGIT_TOL, worst);
	if (!ok && *why)
		tap_diag("%s", why);
	free(want);
	free(got);
	ea_session_close(gpu);
	ea_session_close(cpu);
	ea_model_free(m);
	return ok;
}

/* Prompts of 37 then 20 tokens through the prompt program against the same
 * tokens one decode step at a time, then 8 greedy steps on both. */
static bool prompt_matches_steps(struct tap *t, const char *path, struct ea_vk *vk,
				 const char *name)
{
	enum { N1 = 37, N2 = 20, N_AFTER = 8 };
	struct ea_backend *batch = NULL, *steps = NULL;
	struct ea_model *m = NULL;
	struct ea_error err = { 0 };
	uint32_t tokens[N1 + N2];
	double worst = 0.0;
	char why[1024] = "";
	bool ok = false;
	int n_vocab = 0;

	if (ea_model_open(path, NULL, NULL, &m, err.msg, sizeof(err.msg)) != EA_OK ||
	    ea_backend_direct_new(m, vk, &batch, &err) != EA_OK ||
	    ea_backend_direct_new(m, vk, &steps, &err) != EA_OK) {
		snprintf(why, sizeof(why), "%s", err.msg);
		goto out;
	}
	n_vocab = m->cfg.n_vocab;
	for (int i = 0; i < N1 + N2; i++)
		tokens[i] = (uint32_t)(1 + (i * 7919) % (n_vocab - 1));
	for (int part = 0; part < 2; part++) {
		uint32_t pos0 = part ? N1 : 0, n = part ? N2 : N1;

		if (ea_backend_stream_batches(batch, tokens + pos0, n, pos0) != EA_OK) {
			snprintf(why, sizeof(why), "prompt: %.1000s", batch->error.msg);
			goto out;
		}
		for (uint32_t i = 0; i < n; i++)
			if (steps->ops->step(steps, tokens[pos0 + i], pos0 + i) != EA_OK) {
				snprintf(why, sizeof(why), "step: %.1000s", steps->error.msg);
				goto out;
			}
		worst = fmax(worst, ea_test_rel_diff(batch->ops->logits(batch), steps->ops->logits(steps),
					     n_vocab));
	}
	for (int i = 0; i < N_AFTER; i++) {
		uint32_t a = batch->ops->argmax(batch), b = steps->ops->argmax(steps);

		if (a != b || a != (uint32_t)argmax(steps->ops->logits(steps), n_vocab)) {
			snprintf(why, sizeof(why), "token %d: prompt path %u, steps %u", i, a, b);
			goto out;
		}
		if (batch->ops->step(batch, a, N1 + N2 + i) != EA_OK ||
		    steps->ops->step(steps, b, N1 + N2 + i) != EA_OK)
			goto out;
		worst = fmax(worst, ea_test_rel_diff(batch->ops->logits(batch), steps->ops->logits(steps),
					     n_vocab));
	}
	ok = worst <= LOGIT_TOL;
out:
	tap_ok(t, ok, "%s: prompt program (batch %u) = decode steps: logits within %.1e "
	       "(worst %.2e), %d greedy tokens after", name,
	       batch ? ((struct ea_backend_stream *)batch)->cs->prompt_tokens : 0, LOGIT_TOL,
	       worst, N_AFTER);
	if (!ok && *why)
		tap_diag("%s", why);
	ea_backend_free(batch);
	ea_backend_free(steps);
	ea_model_free(m);
	return ok;
}

/* Past the context: refused before anything runs, saying so. */
static bool context_refused(const char *path, struct ea_vk *vk)
{
	struct ea_model *m = NULL;
	struct ea_session *s = NULL;
	int32_t tokens[2] = { 1, 2 };
	float *logits = NULL;
	struct ea_error err;
	bool ok = false;

	if (ea_model_open(path, NULL, NULL, &m, err.msg, sizeof(err.msg)) == EA_OK &&
	    new_session(m, vk, &s, &err) == EA_OK &&
	    (logits = malloc((size_t)m->cfg.n_vocab * sizeof(float)))) {
		ok = ea_session_eval(s, tokens, 2, m->cfg.n_ctx - 1, logits) ==
		     EA_ERR_INVALID_ARGUMENT && strstr(ea_session_error(s), "context");
		tap_diag("%s", ea_session_error(s));
	}
	free(logits);
	ea_session_close(s);
	ea_model_free(m);
	return ok;
}

/* A stream with a bad magic, an op that reaches past its buffer, a span
 * smaller than its op's shape needs, an argument past the op's own. */
static bool broken_streams_rejected(const char *path)
{
	struct ea_model *m = NULL;
	struct ea_cs_header *cs = NULL;
	struct ea_error err;
	bool ok = false;

	if (ea_model_open(path, NULL, NULL, &m, err.msg, sizeof(err.msg)) == EA_OK &&
	    ea_cs_build(m, &cs, &err) == EA_OK) {
		struct ea_cs_op *op = (struct ea_cs_op *)ea_cs_ops(cs);
		uint64_t offset = op[1].ref[0].offset;

		ok = ea_cs_validate(cs, cs->total_bytes, UINT64_MAX, &err) == EA_OK;
		op[1].ref[0].offset = ea_cs_buffers(cs)[op[1].ref[0].buffer].bytes;
		ok = ok && ea_cs_validate(cs, cs->total_bytes, UINT64_MAX, &err) == EA_ERR_FORMAT;
		tap_diag("%s", err.msg);
		op[1].ref[0].offset = offset;
		op[1].ref[0].bytes -= EA_CS_ALIGN;	/* too small for the op's shape */
		ok = ok && ea_cs_validate(cs, cs->total_bytes, UINT64_MAX, &err) == EA_ERR_FORMAT &&
		     strstr(err.msg, "needs");
		tap_diag("%s", err.msg);
		op[1].ref[0].bytes += EA_CS_ALIGN;
		op[1].arg[EA_CS_MAX_ARGS - 1] = 1;	/* an argument the op does not take */
		ok = ok && ea_cs_validate(cs, cs->total_bytes, UINT64_MAX, &err) == EA_ERR_FORMAT;
		tap_diag("%s", err.msg);
		op[1].arg[EA_CS_MAX_ARGS - 1] = 0;
		ok = ok && ea_cs_validate(cs, cs->total_bytes, UINT64_MAX, &err) == EA_OK;
		cs->magic ^= 1;
		ok = ok && ea_cs_validate(cs, cs->total_bytes, UINT64_MAX, &err) == EA_ERR_FORMAT;
		tap_diag("%s", err.msg);
	}
	free(cs);
	ea_model_free(m);
	return ok;
}

int main(void)
{
	static const char *const types[] = { "f32", "f16", "bf16", "q8_0", "q4_0", "q5_0", "q4_k", "q4_k_m", "q5_k", "q5_k_m", "q6_k" };
	enum { N_TYPES = sizeof(types) / sizeof(types[0]), N_TESTS = 2 * N_TYPES + 5 };
	char dir[] = "/tmp/edgeai-test-engine-XXXXXX", path[PATH_MAX], args[96];
	struct ea_open_options options = { .mode = EA_MODE_DIRECT };
	struct ea_device *dev = NULL;
	struct tap t = { 0 };
	char why[1024];

	tap_plan(&t, N_TESTS);
	unsetenv("EDGEAI_VK_DEVICE");
	setenv("EDGEAI_MATVEC", "float", 1);
	if (!find_edgeai() || !mkdtemp(dir) || ea_open(&options, &dev, why, sizeof(why)) != EA_OK ||
	    ea_device_need_vk(dev) != EA_OK) {
		for (int i = 0; i < N_TESTS; i++)
			tap_ok(&t, true, "# SKIP no build/bin/edgeai or no Vulkan device");
		ea_close(dev);
		return tap_done(&t);
	}
	tap_diag("Vulkan device: %s", ea_device_info(dev)->vk_name);
	for (int i = 0; i < N_TYPES; i++) {
		snprintf(path, sizeof(path), "%s/tiny-%s.gguf", dir, types[i]);
		snprintf(args, sizeof(args), "--preset tiny --type %s", types[i]);
		if (!synth(path, args)) {
			tap_ok(&t, false, "synth %s", args);
			continue;
		}
		same_greedy(&t, path, dev->vk, types[i]);
		prompt_matches_steps(&t, path, dev->vk, types[i]);
		if (i < N_TYPES - 1)
			unlink(path);
	}
	snprintf(path, sizeof(path), "%s/qwen2.gguf", dir);
	tap_ok(&t, synth(path, "--preset tiny --type q8_0 --arch qwen2") &&
	       same_greedy(&t, path, dev->vk, "qwen2 q8_0 (neox rope, q/k/v biases)") &&
	       prompt_matches_steps(&t, path, dev->vk, "qwen2 q8_0 prompt"),
	       "qwen2 model synthesized and run");
	snprintf(path, sizeof(path), "%s/tiny-%s.gguf", dir, types[N_TYPES - 1]);
	tap_ok(&t, context_refused(path, dev->vk),
	       "a step past the context fails with EA_ERR_INVALID_ARGUMENT naming the context");
	tap_ok(&t, broken_streams_rejected(path),
	       "ea_cs_validate accepts a built stream, rejects a bad magic, an op past its buffer, "
	       "a span too small for its op's shape and an argument the op does not take");
	unlink(path);
	snprintf(path, sizeof(path), "%s/qwen2.gguf", dir);
	unlink(path);
	rmdir(dir);
	ea_close(dev);
	return tap_done(&t);
}

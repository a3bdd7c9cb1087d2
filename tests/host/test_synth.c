// SPDX-License-Identifier: MIT
/*
 * edgeai synth (build/bin/edgeai, next to this test's folder): for every
 * tensor type the tiny preset reads back with the llama keys, the tensors of
 * llama.cpp's names and shapes, norms near 1, matrices of scale 1/sqrt(fan_in),
 * a tokenizer that loads; qwen2 has q/k/v biases; the same seed gives the same
 * file and another seed another one.
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ea_gguf.h"
#include "ea_tap.h"
#include "ea_test_tool.h"
#include "ea_tokenizer.h"

static char edgeai[PATH_MAX];

static bool find_edgeai(void)
{
	return ea_test_edgeai_path(edgeai, sizeof(edgeai));
}

static bool synth(const char *out, const char *args)
{
	return ea_test_synth(edgeai, out, args);
}

static double mean_of(const struct ea_gguf_tensor *t, bool squares)
{
	size_t row = ea_type_row_bytes(t->type, t->ne[0]);
	float *x = malloc(t->ne[0] * sizeof(float));
	double sum = 0.0;

	for (uint64_t r = 0; r < t->n_values / t->ne[0]; r++) {
		ea_dequant_row(t->type, (const uint8_t *)t->data + r * row, x, t->ne[0]);
		for (uint64_t i = 0; i < t->ne[0]; i++)
			sum += squares ? (double)x[i] * x[i] : x[i];
	}
	free(x);
	return sum / (double)t->n_values;
}

static bool has(const struct ea_gguf *g, const char *name, enum ea_type type, uint64_t ne0,
		uint64_t ne1)
{
	const struct ea_gguf_tensor *t = ea_gguf_find_tensor(g, name);

	if (!t || t->type != type || t->ne[0] != ne0 || t->ne[1] != ne1) {
		tap_diag("%s: %s", name, t ? "wrong type or shape" : "missing");
		return false;
	}
	return true;
}

/* The tiny preset: 2 layers, dim 256, 4 heads, 2 kv heads, ffn 512, vocab 512. */
static bool check_tiny(const char *path, enum ea_type type)
{
	struct ea_gguf *g;
	struct ea_tokenizer *tok;
	struct ea_error err;
	char name[64];
	uint32_t u;
	float eps;
	const char *arch;
	double norm, var;
	bool ok;

	if (ea_gguf_open(path, &g, &err) != EA_OK) {
		tap_diag("%s", err.msg);
		return false;
	}
	ok = ea_gguf_get_str(g, "general.architecture", &arch) == EA_OK && !strcmp(arch, "llama") &&
	     ea_gguf_get_u32(g, "llama.block_count", &u) == EA_OK && u == 2 &&
	     ea_gguf_get_u32(g, "llama.embedding_length", &u) == EA_OK && u == 256 &&
	     ea_gguf_get_u32(g, "llama.feed_forward_length", &u) == EA_OK && u == 512 &&
	     ea_gguf_get_u32(g, "llama.attention.head_count", &u) == EA_OK && u == 4 &&
	     ea_gguf_get_u32(g, "llama.attention.head_count_kv", &u) == EA_OK && u == 2 &&
	     ea_gguf_get_u32(g, "llama.context_length", &u) == EA_OK && u == 128 &&
	     ea_gguf_get_f32(g, "llama.rope.freq_base", &eps) == EA_OK &&
	     ea_gguf_get_f32(g, "llama.attention.layer_norm_rms_epsilon", &eps) == EA_OK &&
	     ea_gguf_get_u32(g, "general.alignment", &u) == EA_OK && u == 32 &&
	     ea_gguf_n_tensors(g) == 2 + 2 * 9 + 1 &&
	     has(g, "token_embd.weight", type, 256, 512) && has(g, "output.weight", type, 256, 512) &&
	     has(g, "output_norm.weight", EA_TYPE_F32, 256, 1);
	for (int l = 0; ok && l < 2; l++) {
#define HAS(suffix, ty, a, b) (snprintf(name, sizeof(name), "blk.%d." suffix, l), has(g, name, ty, a, b))
		ok = HAS("attn_norm.weight", EA_TYPE_F32, 256, 1) && HAS("attn_q.weight", type, 256, 256) &&
		     HAS("attn_k.weight", type, 256, 128) && HAS("attn_v.weight", type, 256, 128) &&
		     HAS("attn_output.weight", type, 256, 256) && HAS("ffn_norm.weight", EA_TYPE_F32, 256, 1) &&
		     HAS("ffn_gate.weight", type, 256, 512) && HAS("ffn_up.weight", type, 256, 512) &&
		     HAS("ffn_down.weight", type, 512, 256);
#undef HAS
	}
	if (ok) {
		norm = mean_of(ea_gguf_find_tensor(g, "blk.1.ffn_norm.weight"), false);
		var = mean_of(ea_gguf_find_tensor(g, "blk.0.attn_q.weight"), true) * 256;
		ok = fabs(norm - 1.0) < 0.01 && fabs(var - 1.0) < 0.1;
		tap_diag("%s: mean of a norm %.4f, fan_in * variance of attn_q %.4f", ea_type_name(type),
			 norm, var);
	}
	if (ok && ea_tokenizer_load(g, &tok, &err) == EA_OK) {
		ok = ea_tokenizer_n_vocab(tok) == 512;
		ea_tokenizer_free(tok);
	} else if (ok) {
		tap_diag("tokenizer: %s", err.msg);
		ok = false;
	}
	ea_gguf_close(g);
	return ok;
}

static bool check_qwen2(const char *path)
{
	struct ea_gguf *g;
	struct ea_error err;
	const char *arch;
	uint32_t u;
	bool ok;

	if (ea_gguf_open(path, &g, &err) != EA_OK)
		return false;
	ok = ea_gguf_get_str(g, "general.architecture", &arch) == EA_OK && !strcmp(arch, "qwen2") &&
	     ea_gguf_get_u32(g, "qwen2.block_count", &u) == EA_OK && u == 1 &&
	     has(g, "blk.0.attn_q.bias", EA_TYPE_F32, 256, 1) &&
	     has(g, "blk.0.attn_k.bias", EA_TYPE_F32, 128, 1) &&
	     has(g, "blk.0.attn_v.bias", EA_TYPE_F32, 128, 1);
	ea_gguf_close(g);
	return ok;
}

static bool same_files(const char *a, const char *b)
{
	char cmd[3 * PATH_MAX + 64];

	snprintf(cmd, sizeof(cmd), "cmp -s '%s' '%s'", a, b);
	return system(cmd) == 0;
}

int main(void)
{
	static const char *const types[] = { "f32", "f16", "q8_0", "q4_0", "q4_k", "q6_k" };
	char dir[] = "/tmp/edgeai-test-synth-XXXXXX", a[PATH_MAX], b[PATH_MAX];
	struct tap t = { 0 };

	tap_plan(&t, 6 + 3);
	if (!find_edgeai() || !mkdtemp(dir)) {
		for (int i = 0; i < 9; i++)
			tap_ok(&t, true, "# SKIP build/bin/edgeai not built");
		return tap_done(&t);
	}
	for (size_t i = 0; i < 6; i++) {
		char args[64];
		enum ea_type type;

		snprintf(a, sizeof(a), "%s/tiny-%s.gguf", dir, types[i]);
		snprintf(args, sizeof(args), "--preset tiny --type %s", types[i]);
		ea_type_from_name(types[i], &type);
		tap_ok(&t, synth(a, args) && check_tiny(a, type),
		       "synth --preset tiny --type %s reads back as written", types[i]);
		unlink(a);
	}
	snprintf(a, sizeof(a), "%s/qwen2.gguf", dir);
	tap_ok(&t, synth(a, "--type q8_0 --arch qwen2 --layers 1") && check_qwen2(a),
	       "--arch qwen2 writes q/k/v biases and qwen2.* keys");
	unlink(a);
	snprintf(a, sizeof(a), "%s/a.gguf", dir);
	snprintf(b, sizeof(b), "%s/b.gguf", dir);
	tap_ok(&t, synth(a, "--type q4_0 --seed 7") && synth(b, "--type q4_0 --seed 7") &&
		   same_files(a, b), "the same seed writes the same bytes");
	tap_ok(&t, synth(b, "--type q4_0 --seed 8") && !same_files(a, b),
	       "another seed writes other weights");
	unlink(a);
	unlink(b);
	rmdir(dir);
	return tap_done(&t);
}

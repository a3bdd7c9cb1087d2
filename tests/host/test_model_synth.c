// SPDX-License-Identifier: MIT
/*
 * ea_model and the CPU forward pass on tiny GGUF files written here: llama
 * and qwen2 (q/k/v biases, neox RoPE), tied and separate output, and the
 * errors for a missing bias and for norms that are not F32. Needs no models.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ea_gguf_write.h"
#include "ea_ref_forward.h"
#include "ea_tap.h"

enum { LAYERS = 2, DIM = 64, FFN = 96, HEADS = 4, KV_HEADS = 2, VOCAB = 50, CTX = 16 };
#define HEAD_DIM (DIM / HEADS)

/* What to write. */
struct shape {
	const char *arch;
	bool biases;		/* attn_{q,k,v}.bias */
	bool output;		/* a separate output.weight */
	enum ea_type matrix_type;
	enum ea_type norm_type;
};

struct tensor {
	char name[64];
	enum ea_type type;
	uint64_t ne[2];
	uint32_t n_dims;
};

static int list_tensors(const struct shape *s, struct tensor *t)
{
	int n = 0;

#define ADD(type_, ne0, ne1, ...) do { \
		snprintf(t[n].name, sizeof(t[n].name), __VA_ARGS__); \
		t[n].type = (type_); \
		t[n].ne[0] = (ne0); \
		t[n].ne[1] = (ne1); \
		t[n].n_dims = (ne1) ? 2 : 1; \
		n++; \
	} while (0)
	ADD(s->matrix_type, DIM, VOCAB, "token_embd.weight");
	ADD(s->norm_type, DIM, 0, "output_norm.weight");
	if (s->output)
		ADD(s->matrix_type, DIM, VOCAB, "output.weight");
	for (int l = 0; l < LAYERS; l++) {
		ADD(s->norm_type, DIM, 0, "blk.%d.attn_norm.weight", l);
		ADD(s->matrix_type, DIM, HEADS * HEAD_DIM, "blk.%d.attn_q.weight", l);
		ADD(s->matrix_type, DIM, KV_HEADS * HEAD_DIM, "blk.%d.attn_k.weight", l);
		ADD(s->matrix_type, DIM, KV_HEADS * HEAD_DIM, "blk.%d.attn_v.weight", l);
		if (s->biases) {
			ADD(EA_TYPE_F32, HEADS * HEAD_DIM, 0, "blk.%d.attn_q.bias", l);
			ADD(EA_TYPE_F32, KV_HEADS * HEAD_DIM, 0, "blk.%d.attn_k.bias", l);
			ADD(EA_TYPE_F32, KV_HEADS * HEAD_DIM, 0, "blk.%d.attn_v.bias", l);
		}
		ADD(s->matrix_type, HEADS * HEAD_DIM, DIM, "blk.%d.attn_output.weight", l);
		ADD(s->norm_type, DIM, 0, "blk.%d.ffn_norm.weight", l);
		ADD(s->matrix_type, DIM, FFN, "blk.%d.ffn_gate.weight", l);
		ADD(s->matrix_type, DIM, FFN, "blk.%d.ffn_up.weight", l);
		ADD(s->matrix_type, FFN, DIM, "blk.%d.ffn_down.weight", l);
	}
#undef ADD
	return n;
}

/* Deterministic values in [-0.5, 0.5): norms near 1, everything else small. */
static float value(uint32_t *state, bool norm)
{
	*state = *state * 1664525u + 1013904223u;
	return (norm ? 1.0f : 0.0f) + (float)(*state >> 8) / (float)(1 << 24) - 0.5f;
}

static bool write_model(const char *path, const struct shape *s)
{
	struct tensor t[3 + LAYERS * 12];
	int n = list_tensors(s, t);
	struct ea_gguf_writer *w;
	struct ea_error err;
	uint32_t state = 1;
	bool ok;

	if (ea_gguf_writer_open(path, 0, &w, &err) != EA_OK)
		return false;
	char key[64];
#define KEY(suffix) (snprintf(key, sizeof(key), "%s.%s", s->arch, suffix), key)
	ok = ea_gguf_writer_str(w, "general.architecture", s->arch) == EA_OK &&
	     ea_gguf_writer_u32(w, KEY("block_count"), LAYERS) == EA_OK &&
	     ea_gguf_writer_u32(w, KEY("embedding_length"), DIM) == EA_OK &&
	     ea_gguf_writer_u32(w, KEY("feed_forward_length"), FFN) == EA_OK &&
	     ea_gguf_writer_u32(w, KEY("attention.head_count"), HEADS) == EA_OK &&
	     ea_gguf_writer_u32(w, KEY("attention.head_count_kv"), KV_HEADS) == EA_OK &&
	     ea_gguf_writer_u32(w, KEY("context_length"), CTX) == EA_OK &&
	     ea_gguf_writer_f32(w, KEY("attention.layer_norm_rms_epsilon"), 1e-6f) == EA_OK &&
	     ea_gguf_writer_f32(w, KEY("rope.freq_base"), 1000000.0f) == EA_OK;
#undef KEY
	for (int i = 0; ok && i < n; i++)
		ok = ea_gguf_writer_tensor(w, t[i].name, t[i].type, t[i].n_dims, t[i].ne) == EA_OK;
	for (int i = 0; ok && i < n; i++) {
		size_t count = (size_t)t[i].ne[0] * (t[i].n_dims == 2 ? t[i].ne[1] : 1);
		size_t bytes = ea_type_row_bytes(t[i].type, count);
		float *values = malloc(count * sizeof(float));
		void *encoded = malloc(bytes);

		ok = values && encoded;
		for (size_t j = 0; ok && j < count; j++)
			values[j] = value(&state, t[i].n_dims == 1 && !strstr(t[i].name, "bias"));
		if (ok) {
			ea_quantize_row(t[i].type, values, encoded, count);
			ok = ea_gguf_writer_data(w, encoded, bytes) == EA_OK;
		}
		free(values);
		free(encoded);
	}
	if (!ok) {
		ea_gguf_writer_abort(w);
		return false;
	}
	return ea_gguf_writer_finish(w, &err) == EA_OK;
}

/* Write @s to a temporary file and load its weights (it has no tokenizer:
 * ea_model_from_gguf()); the status and message of the load. *@g is the open
 * file, closed by drop(). */
static ea_status write_and_load(const struct shape *s, struct ea_gguf **g, struct ea_model **m,
				struct ea_error *why)
{
	char path[] = "/tmp/edgeai-test-model-XXXXXX";
	int fd = mkstemp(path);
	ea_status status = ea_error_set(why, EA_ERR_IO, "cannot write a model");

	*m = NULL;
	*g = NULL;
	if (fd >= 0) {
		close(fd);
		if (write_model(path, s))
			status = ea_gguf_open(path, g, why);
		if (status == EA_OK)
			status = ea_model_from_gguf(*g, m, why);
		unlink(path); /* the mapping stays valid */
	}
	return status;
}

static void drop(struct ea_gguf *g, struct ea_model *m)
{
	ea_model_free(m);
	ea_gguf_close(g);
}

/* Prompt logits in one batch equal those of token-by-token decoding, and are finite. */
static bool forward_consistent(const struct ea_model *m)
{
	int32_t tokens[CTX];
	float batch[VOCAB], *step = NULL;
	struct ea_ref_state *s;
	struct ea_error why;
	bool ok;

	for (int i = 0; i < CTX; i++)
		tokens[i] = (i * 7 + 3) % VOCAB;
	if (ea_ref_state_new(m, 5, &s, &why) != EA_OK)
		return false;
	/* 16 tokens through a batch of 5: four steps, the last one partial. */
	ok = ea_ref_forward_batch(m, s, tokens, CTX, 0, batch, 1) == EA_OK;
	for (int i = 0; ok && i < CTX; i++)
		ok = (step = ea_ref_forward(m, s, tokens[i], i)) != NULL;
	for (int i = 0; ok && i < VOCAB; i++)
		ok = isfinite(batch[i]) && fabsf(batch[i] - step[i]) <= 1e-5f;
	/* One position past the context is refused, with a message. */
	ok = ok && !ea_ref_forward(m, s, 1, CTX) && strstr(s->error.msg, "context");
	ea_ref_state_free(s);
	return ok;
}

int main(void)
{
	struct tap t = { 0 };
	struct ea_model *m;
	struct ea_gguf *g;
	struct ea_error why;
	struct shape llama = { "llama", false, false, EA_TYPE_Q8_0, EA_TYPE_F32 };
	struct shape qwen2 = { "qwen2", true, true, EA_TYPE_F16, EA_TYPE_F32 };
	struct shape no_bias = { "qwen2", false, true, EA_TYPE_F32, EA_TYPE_F32 };
	struct shape f16_norms = { "llama", false, false, EA_TYPE_F32, EA_TYPE_F16 };

	tap_plan(&t, 6);
	if (!tap_ok(&t, write_and_load(&llama, &g, &m, &why) == EA_OK && m->cfg.tied_output &&
		    !m->cfg.qkv_bias && m->cfg.rope_mode == EA_ROPE_NORMAL &&
		    m->cfg.rope_freq_base == 1000000.0f && m->cfg.n_vocab == VOCAB,
		    "llama, q8_0, tied output: loads with its hyperparameters"))
		tap_diag("%s", why.msg);
	tap_ok(&t, m && forward_consistent(m), "llama: batched = decoded logits, context enforced");
	drop(g, m);

	if (!tap_ok(&t, write_and_load(&qwen2, &g, &m, &why) == EA_OK && !m->cfg.tied_output &&
		    m->cfg.qkv_bias && m->layers[1].bv && m->cfg.rope_mode == EA_ROPE_NEOX,
		    "qwen2, f16, separate output: biases and neox RoPE"))
		tap_diag("%s", why.msg);
	tap_ok(&t, m && forward_consistent(m), "qwen2: batched = decoded logits, context enforced");
	drop(g, m);

	tap_ok(&t, write_and_load(&no_bias, &g, &m, &why) == EA_ERR_FORMAT &&
	       strstr(why.msg, "tensor 'blk.0.attn_q.bias' is missing"), "qwen2 without biases: %s",
	       why.msg);
	drop(g, m);
	tap_ok(&t, write_and_load(&f16_norms, &g, &m, &why) == EA_ERR_UNSUPPORTED &&
	       strstr(why.msg, "output_norm.weight' is f16"), "f16 norms: %s", why.msg);
	drop(g, m);
	return tap_done(&t);
}

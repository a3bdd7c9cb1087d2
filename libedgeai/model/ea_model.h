/* SPDX-License-Identifier: MIT */
/*
 * ea_model - a llama-family model of a GGUF file: its hyperparameters from the
 * metadata and its weight tensors, each looked up by name and its shape checked.
 *
 * Architectures (general.architecture):
 *  - "llama": RMSNorm, RoPE on interleaved pairs, grouped-query attention, SwiGLU.
 *  - "qwen2": the same with RoPE on halves (neox) and biases on q, k and v.
 * The output projection is output.weight, or token_embd.weight when the file
 * has no output.weight (tied embeddings).
 *
 * The model points into the GGUF file's mapping: it holds no copy of the weights.
 * ea_model_open() (edgeai.h), the one constructor, loads it with its
 * tokenizer and information; the struct is the public, opaque struct ea_model.
 */
#ifndef EA_MODEL_H
#define EA_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include "ea_error.h"
#include "ea_gguf.h"
#include "edgeai.h"

enum ea_arch {
	EA_ARCH_LLAMA,
	EA_ARCH_QWEN2,
};

/* How RoPE pairs the values of a head before rotating each pair. */
enum ea_rope_mode {
	EA_ROPE_NORMAL = 0,	/* interleaved pairs (2i, 2i+1): llama */
	EA_ROPE_NEOX = 2,	/* halves (i, i + head_dim/2): qwen2 (ggml's value 2) */
};

/* The hyperparameters, from the metadata keys named in the comments
 * (ARCH.key, ARCH being general.architecture). */
struct ea_model_config {
	enum ea_arch arch;
	int n_layers;		/* ARCH.block_count */
	int dim;		/* ARCH.embedding_length */
	int ffn_dim;		/* ARCH.feed_forward_length */
	int n_heads;		/* ARCH.attention.head_count */
	int n_kv_heads;		/* ARCH.attention.head_count_kv; default n_heads */
	int head_dim;		/* ARCH.attention.key_length; default dim / n_heads */
	int n_ctx;		/* ARCH.context_length: the longest sequence */
	int n_vocab;		/* rows of token_embd.weight */
	float rope_freq_base;	/* ARCH.rope.freq_base; default 10000 */
	float norm_eps;		/* ARCH.attention.layer_norm_rms_epsilon */
	enum ea_rope_mode rope_mode; /* from the architecture */
	bool qkv_bias;		/* attn_{q,k,v}.bias present (qwen2) */
	bool tied_output;	/* no output.weight: the output is token_embd.weight */
};

/* One weight tensor: its type and data in the mapping. */
struct ea_weight {
	enum ea_type type;
	const void *data;
};

/* The weights of transformer block N, from the tensors blk.N.NAME. Norms and
 * biases are F32; matrices are any supported type. */
struct ea_layer {
	const float *attn_norm;		/* attn_norm.weight [dim] */
	struct ea_weight wq;		/* attn_q.weight [dim] x n_heads * head_dim rows */
	struct ea_weight wk;		/* attn_k.weight [dim] x n_kv_heads * head_dim rows */
	struct ea_weight wv;		/* attn_v.weight, as attn_k */
	const float *bq, *bk, *bv;	/* attn_{q,k,v}.bias; NULL without qkv_bias */
	struct ea_weight wo;		/* attn_output.weight [n_heads * head_dim] x dim rows */
	const float *ffn_norm;		/* ffn_norm.weight [dim] */
	struct ea_weight w_gate;	/* ffn_gate.weight [dim] x ffn_dim rows */
	struct ea_weight w_up;		/* ffn_up.weight, as ffn_gate */
	struct ea_weight w_down;	/* ffn_down.weight [ffn_dim] x dim rows */
};

struct ea_tokenizer;

struct ea_model {
	struct ea_model_config cfg;
	struct ea_weight token_embd;	/* token_embd.weight [dim] x n_vocab rows */
	const float *output_norm;	/* output_norm.weight [dim] */
	struct ea_weight output;	/* output.weight [dim] x n_vocab, or token_embd */
	struct ea_layer *layers;	/* n_layers */
	struct ea_gguf *gguf;		/* the file the weights live in */
	bool owns_gguf;			/* ea_model_free() closes it */
	/* Set by ea_model_open() only (ea_generate() needs them). */
	struct ea_tokenizer *tokenizer;	/* NULL from ea_model_from_gguf() */
	struct ea_model_info info;
};

/* "llama" or "qwen2". */
const char *ea_arch_name(enum ea_arch arch);

/*
 * The model in an open GGUF file, its weights only (no tokenizer), for files
 * that are not models to generate with: built in memory by tests and the
 * fuzzer. @g must outlive the model (ea_model_free() does not close it).
 * Models are opened from a path with ea_model_open() (edgeai.h), the one
 * constructor. On failure *@out is NULL and @err names what is wrong: an
 * unsupported architecture, a missing or invalid key, a missing tensor or
 * one of the wrong shape or type.
 */
ea_status ea_model_from_gguf(struct ea_gguf *g, struct ea_model **out, struct ea_error *err);

/* Free the model (and close its file and tokenizer if ea_model_open() opened
 * them). NULL is a no-op. The public ea_model_close() is this. */
void ea_model_free(struct ea_model *m);

#endif /* EA_MODEL_H */

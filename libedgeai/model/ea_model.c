// SPDX-License-Identifier: MIT
/* ea_model - hyperparameters and weight tensors of a llama-family GGUF model. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ea_model.h"
#include "ea_tokenizer.h"

#define KEY_MAX 128

/* What a load needs at hand to look things up and to say what went wrong. */
struct loader {
	struct ea_gguf *g;
	const char *arch;	/* general.architecture, the prefix of the keys */
	struct ea_error *err;
};

const char *ea_arch_name(enum ea_arch arch)
{
	return arch == EA_ARCH_QWEN2 ? "qwen2" : "llama";
}

/* ARCH.@suffix as a positive int. Absent: *@out keeps its default, unless @required. */
static ea_status get_count(struct loader *l, const char *suffix, bool required, int *out)
{
	char key[KEY_MAX];
	uint32_t value;
	ea_status status;

	snprintf(key, sizeof(key), "%s.%s", l->arch, suffix);
	status = ea_gguf_get_u32(l->g, key, &value);
	if (status == EA_ERR_NOT_FOUND && !required)
		return EA_OK;
	if (status == EA_ERR_NOT_FOUND)
		return ea_error_set(l->err, EA_ERR_FORMAT, "metadata key '%s' is missing", key);
	if (status != EA_OK || value == 0 || value > INT32_MAX)
		return ea_error_set(l->err, EA_ERR_FORMAT, "metadata key '%s' must be an "
				    "integer from 1 to %d", key, INT32_MAX);
	*out = (int)value;
	return EA_OK;
}

/* ARCH.@suffix as a positive float; absent: *@out keeps its default, unless @required. */
static ea_status get_positive(struct loader *l, const char *suffix, bool required, float *out)
{
	char key[KEY_MAX];
	float value;
	ea_status status;

	snprintf(key, sizeof(key), "%s.%s", l->arch, suffix);
	status = ea_gguf_get_f32(l->g, key, &value);
	if (status == EA_ERR_NOT_FOUND && !required)
		return EA_OK;
	if (status == EA_ERR_NOT_FOUND)
		return ea_error_set(l->err, EA_ERR_FORMAT, "metadata key '%s' is missing", key);
	if (status != EA_OK || !(value > 0.0f) || value > 1e30f)
		return ea_error_set(l->err, EA_ERR_FORMAT, "metadata key '%s' must be a "
				    "positive number", key);
	*out = value;
	return EA_OK;
}

static ea_status read_arch(struct loader *l, struct ea_model_config *cfg)
{
	const char *arch;

	if (ea_gguf_get_str(l->g, "general.architecture", &arch) != EA_OK)
		return ea_error_set(l->err, EA_ERR_FORMAT, "metadata key "
				    "'general.architecture' is missing or not a string");
	if (strcmp(arch, "llama") == 0) {
		cfg->arch = EA_ARCH_LLAMA;
		cfg->rope_mode = EA_ROPE_NORMAL;
	} else if (strcmp(arch, "qwen2") == 0) {
		cfg->arch = EA_ARCH_QWEN2;
		cfg->rope_mode = EA_ROPE_NEOX;
	} else {
		return ea_error_set(l->err, EA_ERR_UNSUPPORTED, "architecture '%s' is not "
				    "supported (edgeai runs llama and qwen2)", arch);
	}
	l->arch = arch;
	return EA_OK;
}

static ea_status read_config(struct loader *l, struct ea_model_config *cfg)
{
	ea_status status;

	cfg->rope_freq_base = 10000.0f;
	if ((status = read_arch(l, cfg)) ||
	    (status = get_count(l, "block_count", true, &cfg->n_layers)) ||
	    (status = get_count(l, "embedding_length", true, &cfg->dim)) ||
	    (status = get_count(l, "feed_forward_length", true, &cfg->ffn_dim)) ||
	    (status = get_count(l, "attention.head_count", true, &cfg->n_heads)) ||
	    (status = get_count(l, "context_length", true, &cfg->n_ctx)) ||
	    (status = get_positive(l, "attention.layer_norm_rms_epsilon", true, &cfg->norm_eps)) ||
	    (status = get_positive(l, "rope.freq_base", false, &cfg->rope_freq_base)))
		return status;

	cfg->n_kv_heads = cfg->n_heads;
	cfg->head_dim = cfg->dim / cfg->n_heads;
	if ((status = get_count(l, "attention.head_count_kv", false, &cfg->n_kv_heads)) ||
	    (status = get_count(l, "attention.key_length", false, &cfg->head_dim)))
		return status;

	if (cfg->n_heads % cfg->n_kv_heads)
		return ea_error_set(l->err, EA_ERR_FORMAT, "%d attention heads do not split "
				    "into groups of %d kv heads", cfg->n_heads, cfg->n_kv_heads);
	if (cfg->head_dim % 2)
		return ea_error_set(l->err, EA_ERR_FORMAT, "head size %d is odd: RoPE needs pairs",
				    cfg->head_dim);
	if ((int64_t)cfg->n_heads * cfg->head_dim > INT32_MAX / 4)
		return ea_error_set(l->err, EA_ERR_FORMAT, "%d heads of %d values are too many",
				    cfg->n_heads, cfg->head_dim);
	return EA_OK;
}

static void shape_string(char *buf, size_t size, const uint64_t *ne, uint32_t n_dims)
{
	size_t used = (size_t)snprintf(buf, size, "[");

	for (uint32_t d = 0; d < n_dims && used < size; d++)
		used += (size_t)snprintf(buf + used, size - used, "%s%llu", d ? ", " : "",
					 (unsigned long long)ne[d]);
	if (used < size)
		snprintf(buf + used, size - used, "]");
}

/*
 * The tensor @name, which must have shape [ne0] (ne1 == 0) or [ne0, ne1]. When
 * @optional, a missing tensor gives EA_OK and *@out = NULL.
 */
static ea_status find_tensor(struct loader *l, const char *name, uint64_t ne0, uint64_t ne1,
			     bool optional, const struct ea_gguf_tensor **out)
{
	const struct ea_gguf_tensor *t = ea_gguf_find_tensor(l->g, name);
	uint64_t want[2] = { ne0, ne1 };
	uint32_t want_dims = ne1 ? 2 : 1;
	char got_shape[96], want_shape[64];

	*out = NULL;
	if (!t && optional)
		return EA_OK;
	if (!t)
		return ea_error_set(l->err, EA_ERR_FORMAT, "tensor '%s' is missing", name);
	if (t->n_dims != want_dims || t->ne[0] != ne0 || (ne1 && t->ne[1] != ne1)) {
		shape_string(got_shape, sizeof(got_shape), t->ne, t->n_dims);
		shape_string(want_shape, sizeof(want_shape), want, want_dims);
		return ea_error_set(l->err, EA_ERR_FORMAT, "tensor '%s' has shape %s, "
				    "expected %s", name, got_shape, want_shape);
	}
	*out = t;
	return EA_OK;
}

/* A matrix of @rows rows of @cols values, any type. */
static ea_status find_matrix(struct loader *l, const char *name, int cols, int rows,
			     bool optional, struct ea_weight *out)
{
	const struct ea_gguf_tensor *t;
	ea_status status = find_tensor(l, name, (uint64_t)cols, (uint64_t)rows, optional, &t);

	if (status == EA_OK && t)
		*out = (struct ea_weight){ .type = t->type, .data = t->data };
	return status;
}

/* A vector of @n F32 values (a norm's weights or a bias). */
static ea_status find_vector(struct loader *l, const char *name, int n, bool optional,
			     const float **out)
{
	const struct ea_gguf_tensor *t;
	ea_status status = find_tensor(l, name, (uint64_t)n, 0, optional, &t);

	*out = NULL;
	if (status != EA_OK || !t)
		return status;
	if (t->type != EA_TYPE_F32)
		return ea_error_set(l->err, EA_ERR_UNSUPPORTED, "tensor '%s' is %s; edgeai "
				    "needs norms and biases in f32", name, ea_type_name(t->type));
	*out = t->data;
	return EA_OK;
}

static ea_status load_layer(struct loader *l, const struct ea_model_config *cfg, int n,
			    struct ea_layer *layer)
{
	int q_dim = cfg->n_heads * cfg->head_dim, kv_dim = cfg->n_kv_heads * cfg->head_dim;
	char name[KEY_MAX];
	ea_status status;

/* blk.N.SUFFIX, the name of one of this layer's tensors. */
#define LAYER_TENSOR(suffix) (snprintf(name, sizeof(name), "blk.%d.%s", n, suffix), name)
	if ((status = find_vector(l, LAYER_TENSOR("attn_norm.weight"), cfg->dim, false,
				  &layer->attn_norm)) ||
	    (status = find_matrix(l, LAYER_TENSOR("attn_q.weight"), cfg->dim, q_dim, false,
				  &layer->wq)) ||
	    (status = find_matrix(l, LAYER_TENSOR("attn_k.weight"), cfg->dim, kv_dim, false,
				  &layer->wk)) ||
	    (status = find_matrix(l, LAYER_TENSOR("attn_v.weight"), cfg->dim, kv_dim, false,
				  &layer->wv)) ||
	    (status = find_matrix(l, LAYER_TENSOR("attn_output.weight"), q_dim, cfg->dim, false,
				  &layer->wo)) ||
	    (status = find_vector(l, LAYER_TENSOR("ffn_norm.weight"), cfg->dim, false,
				  &layer->ffn_norm)) ||
	    (status = find_matrix(l, LAYER_TENSOR("ffn_gate.weight"), cfg->dim, cfg->ffn_dim,
				  false, &layer->w_gate)) ||
	    (status = find_matrix(l, LAYER_TENSOR("ffn_up.weight"), cfg->dim, cfg->ffn_dim,
				  false, &layer->w_up)) ||
	    (status = find_matrix(l, LAYER_TENSOR("ffn_down.weight"), cfg->ffn_dim, cfg->dim,
				  false, &layer->w_down)))
		return status;
	if (!cfg->qkv_bias)
		return EA_OK;
	if ((status = find_vector(l, LAYER_TENSOR("attn_q.bias"), q_dim, false, &layer->bq)) ||
	    (status = find_vector(l, LAYER_TENSOR("attn_k.bias"), kv_dim, false, &layer->bk)) ||
	    (status = find_vector(l, LAYER_TENSOR("attn_v.bias"), kv_dim, false, &layer->bv)))
		return status;
#undef LAYER_TENSOR
	return EA_OK;
}

static ea_status load_weights(struct loader *l, struct ea_model *m)
{
	struct ea_model_config *cfg = &m->cfg;
	const struct ea_gguf_tensor *embd = ea_gguf_find_tensor(l->g, "token_embd.weight");
	ea_status status;

	if (!embd)
		return ea_error_set(l->err, EA_ERR_FORMAT, "tensor 'token_embd.weight' is missing");
	if (embd->n_dims != 2 || embd->ne[1] > INT32_MAX)
		return ea_error_set(l->err, EA_ERR_FORMAT, "tensor 'token_embd.weight' must "
				    "be a matrix of n_vocab rows of %d values", cfg->dim);
	cfg->n_vocab = (int)embd->ne[1];
	if ((status = find_matrix(l, "token_embd.weight", cfg->dim, cfg->n_vocab, false,
				  &m->token_embd)) ||
	    (status = find_vector(l, "output_norm.weight", cfg->dim, false, &m->output_norm)))
		return status;

	cfg->tied_output = !ea_gguf_find_tensor(l->g, "output.weight");
	m->output = m->token_embd;
	if ((status = find_matrix(l, "output.weight", cfg->dim, cfg->n_vocab, true, &m->output)))
		return status;

	/* qwen2 has q/k/v biases; a llama file may too (the loader takes what is there). */
	cfg->qkv_bias = cfg->arch == EA_ARCH_QWEN2 || ea_gguf_find_tensor(l->g, "blk.0.attn_q.bias");
	m->layers = calloc((size_t)cfg->n_layers, sizeof(*m->layers));
	if (!m->layers)
		return ea_error_set(l->err, EA_ERR_NO_MEMORY, "out of memory for %d layers",
				    cfg->n_layers);
	for (int i = 0; i < cfg->n_layers; i++)
		if ((status = load_layer(l, cfg, i, &m->layers[i])))
			return status;
	return EA_OK;
}

ea_status ea_model_from_gguf(struct ea_gguf *g, struct ea_model **out, struct ea_error *err)
{
	struct loader l = { .g = g, .err = err };
	struct ea_model *m = calloc(1, sizeof(*m));
	ea_status status;

	*out = NULL;
	if (!m)
		return ea_error_set(l.err, EA_ERR_NO_MEMORY, "out of memory");
	m->gguf = g;
	status = read_config(&l, &m->cfg);
	if (status == EA_OK)
		status = load_weights(&l, m);
	if (status != EA_OK) {
		ea_model_free(m);
		return status;
	}
	*out = m;
	return EA_OK;
}

/* The model of the GGUF file at @path, which it closes when freed. */
static ea_status load_file(const char *path, struct ea_model **out, struct ea_error *err)
{
	struct ea_gguf *g;
	struct ea_error why;
	ea_status status;

	*out = NULL;
	status = ea_gguf_open(path, &g, &why);
	if (status == EA_OK) {
		status = ea_model_from_gguf(g, out, &why);
		if (status != EA_OK)
			ea_gguf_close(g);
	}
	/* I/O errors of the reader already name the file. */
	if (status != EA_OK)
		return ea_error_set(err, status, "%s%s%s", status == EA_ERR_IO ? "" : path,
				    status == EA_ERR_IO ? "" : ": ", why.msg);
	(*out)->owns_gguf = true;
	return EA_OK;
}

/* Fill in m->info from the configuration, the tokenizer and the file. */
static void describe(struct ea_model *m, const char *path)
{
	struct ea_model_info *info = &m->info;
	const char *name = NULL, *slash = strrchr(path, '/');

	if (ea_gguf_get_str(m->gguf, "general.name", &name) != EA_OK || !*name)
		name = slash ? slash + 1 : path;
	snprintf(info->name, sizeof(info->name), "%s", name);
	snprintf(info->arch, sizeof(info->arch), "%s", ea_arch_name(m->cfg.arch));
	snprintf(info->type, sizeof(info->type), "%s", ea_type_name(m->layers[0].wq.type));
	info->n_ctx = m->cfg.n_ctx;
	info->n_vocab = m->cfg.n_vocab;
	info->n_layers = m->cfg.n_layers;
	info->dim = m->cfg.dim;
	info->n_heads = m->cfg.n_heads;
	info->n_kv_heads = m->cfg.n_kv_heads;
	for (uint64_t i = 0; i < ea_gguf_n_tensors(m->gguf); i++)
		info->n_params += ea_gguf_tensor_at(m->gguf, i)->n_values;
	info->bos_token = ea_tokenizer_bos(m->tokenizer);
	info->eos_token = ea_tokenizer_eos(m->tokenizer);
	info->adds_bos = ea_tokenizer_adds_bos(m->tokenizer);
}

/* Bytes read between two progress reports while paging the weights in. */
#define PROGRESS_STEP (4u << 20)

/* Read every page of the tensor data, so that the file is in memory before
 * the first session needs it, reporting progress. */
static void page_in(const struct ea_model *m, ea_progress_fn progress, void *user)
{
	const struct ea_gguf_tensor *t0 = ea_gguf_tensor_at(m->gguf, 0);
	const volatile uint8_t *data = (const uint8_t *)t0->data - t0->offset;
	uint64_t total = ea_gguf_file_size(m->gguf) - ea_gguf_data_offset(m->gguf);
	long page = sysconf(_SC_PAGESIZE);
	uint64_t step = page > 0 ? (uint64_t)page : 4096;

	if (progress)
		progress(0, total ? total : 1, user);
	for (uint64_t done = 0; done < total; ) {
		uint64_t end = total - done < PROGRESS_STEP ? total : done + PROGRESS_STEP;

		for (uint64_t at = done; at < end; at += step)
			(void)data[at];
		done = end;
		if (progress && done < total)
			progress(done, total, user);
	}
	if (progress && total)
		progress(total, total, user);
}

/* ea_model_open() but the paging in: the model and its tokenizer, checked
 * against each other. */
static ea_status model_open(const char *path, struct ea_model **out, struct ea_error *err)
{
	struct ea_error why;
	ea_status status;

	if (!out || !path) {
		if (out)
			*out = NULL;
		return ea_error_set(err, EA_ERR_INVALID_ARGUMENT, "ea_model_open: %s is NULL",
				    out ? "the path" : "the model's pointer");
	}
	status = load_file(path, out, err);
	if (status != EA_OK)
		return status;
	status = ea_tokenizer_load((*out)->gguf, &(*out)->tokenizer, &why);
	if (status != EA_OK)
		ea_error_set(err, status, "%s: the tokenizer: %s", path, why.msg);
	else if (ea_tokenizer_n_vocab((*out)->tokenizer) > (uint32_t)(*out)->cfg.n_vocab)
		status = ea_error_set(err, EA_ERR_FORMAT, "%s: the tokenizer has %u tokens, more "
				      "than the %d rows of token_embd.weight", path,
				      ea_tokenizer_n_vocab((*out)->tokenizer), (*out)->cfg.n_vocab);
	if (status != EA_OK) {
		ea_model_free(*out);
		*out = NULL;
	}
	return status;
}

ea_status ea_model_open(const char *path, ea_progress_fn progress, void *user,
			struct ea_model **out, char *errmsg, size_t errmsg_size)
{
	struct ea_error err = { { 0 } };
	ea_status status = model_open(path, out, &err);

	ea_error_copy_out(&err, errmsg, errmsg_size);
	if (status != EA_OK)
		return status;
	describe(*out, path);
	page_in(*out, progress, user);
	return EA_OK;
}

void ea_model_close(struct ea_model *model)
{
	ea_model_free(model);
}

const struct ea_model_info *ea_model_info(const struct ea_model *model)
{
	return &model->info;
}

void ea_model_free(struct ea_model *m)
{
	if (!m)
		return;
	ea_tokenizer_free(m->tokenizer);
	if (m->owns_gguf)
		ea_gguf_close(m->gguf);
	free(m->layers);
	free(m);
}

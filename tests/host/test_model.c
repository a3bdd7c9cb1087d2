// SPDX-License-Identifier: MIT
/*
 * ea_model on the trained edge model of ../shared/models: its hyperparameters,
 * and clear errors for copies of it broken on purpose (a tensor renamed, a
 * shape changed, an unknown architecture, a key missing). Skips without the model.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ea_model.h"
#include "ea_models.h"
#include "ea_tap.h"

#define N_CHECKS 6

struct file {
	unsigned char *bytes;
	size_t size;
};

static bool read_whole(const char *path, struct file *f)
{
	FILE *in = fopen(path, "rb");
	long size;
	bool ok;

	if (!in)
		return false;
	ok = fseek(in, 0, SEEK_END) == 0 && (size = ftell(in)) > 0 && fseek(in, 0, SEEK_SET) == 0;
	if (ok) {
		f->size = (size_t)size;
		f->bytes = malloc(f->size);
		ok = f->bytes && fread(f->bytes, 1, f->size, in) == f->size;
	}
	fclose(in);
	return ok;
}

/* Where a length-prefixed string of the header (a key or tensor name) starts:
 * its u64 length, then its bytes. */
static unsigned char *find_string(struct file *f, const char *s)
{
	size_t len = strlen(s), limit = f->size < (1 << 20) ? f->size : (1 << 20);

	for (size_t i = 8; i + len <= limit; i++)
		if (memcmp(f->bytes + i, s, len) == 0 && f->bytes[i - 8] == len &&
		    f->bytes[i + len] != '.')
			return f->bytes + i;
	return NULL;
}

/*
 * Load a copy of the model with the string @from of its header replaced by
 * @to (same length), and with ne[1] of tensor @tensor set to @ne1 when
 * @tensor is not NULL. The load must fail with @want_status and a message
 * containing @want_msg.
 */
static bool broken_copy_fails(const struct file *model, const char *from, const char *to,
			      const char *tensor, uint64_t ne1, ea_status want_status,
			      const char *want_msg)
{
	struct file f = { .bytes = malloc(model->size), .size = model->size };
	struct ea_gguf *g = NULL;
	struct ea_model *m = NULL;
	struct ea_error why = { { 0 } };
	ea_status status = EA_OK;
	unsigned char *at;
	bool ok = false;

	if (!f.bytes)
		return false;
	memcpy(f.bytes, model->bytes, f.size);
	if (from) {
		at = find_string(&f, from);
		if (!at)
			goto out;
		memcpy(at, to, strlen(to));
	}
	if (tensor) {
		at = find_string(&f, tensor);
		if (!at)
			goto out;
		/* name, u32 n_dims, u64 ne[0], u64 ne[1] */
		memcpy(at + strlen(tensor) + 4 + 8, &ne1, 8);
	}
	status = ea_gguf_open_memory(f.bytes, f.size, &g, &why);
	if (status == EA_OK)
		status = ea_model_from_gguf(g, &m, &why);
	tap_diag("%s", why.msg);
	ok = status == want_status && strstr(why.msg, want_msg) && !m;
out:
	ea_model_free(m);
	ea_gguf_close(g);
	free(f.bytes);
	return ok;
}

static bool check_edge_config(const struct ea_model *m)
{
	const struct ea_model_config *c = &m->cfg;

	tap_diag("%s: %d layers, dim %d, ffn %d, %d heads / %d kv heads of %d, ctx %d, vocab %d, "
		 "rope base %g, eps %g, %s output", ea_arch_name(c->arch), c->n_layers, c->dim,
		 c->ffn_dim, c->n_heads, c->n_kv_heads, c->head_dim, c->n_ctx, c->n_vocab,
		 (double)c->rope_freq_base, (double)c->norm_eps, c->tied_output ? "tied" : "separate");
	return c->arch == EA_ARCH_LLAMA && c->n_layers == 6 && c->dim == 256 && c->ffn_dim == 768 &&
	       c->n_heads == 8 && c->n_kv_heads == 4 && c->head_dim == 32 && c->n_ctx == 512 &&
	       c->n_vocab == 4096 && c->rope_freq_base == 10000.0f && c->norm_eps == 1e-5f &&
	       c->rope_mode == EA_ROPE_NORMAL && c->tied_output && !c->qkv_bias &&
	       m->output.data == m->token_embd.data && m->layers[5].w_down.type == EA_TYPE_F16;
}

int main(void)
{
	struct tap t = { 0 };
	struct ea_model *m = NULL;
	struct file model = { 0 };
	struct ea_error why = { { 0 } };
	char path[4096];
	ea_status status;

	tap_plan(&t, N_CHECKS);
	if (!ea_model_path("edge-f16.gguf", path, sizeof(path)) || !read_whole(path, &model)) {
		for (int i = 0; i < N_CHECKS; i++)
			printf("ok %d # SKIP edge-f16.gguf not found (set EDGEAI_MODELS)\n", i + 1);
		return 0;
	}
	status = ea_model_open(path, NULL, NULL, &m, why.msg, sizeof(why.msg));
	if (!tap_ok(&t, status == EA_OK, "load %s", path))
		tap_diag("%s", why.msg);
	tap_ok(&t, m && check_edge_config(m), "edge-f16: hyperparameters of the README, tied output");
	ea_model_free(m);

	tap_ok(&t, broken_copy_fails(&model, "blk.3.ffn_up.weight", "blk.3.ffn_up.weighx", NULL, 0,
				     EA_ERR_FORMAT, "tensor 'blk.3.ffn_up.weight' is missing"),
	       "a missing tensor is named");
	tap_ok(&t, broken_copy_fails(&model, NULL, NULL, "blk.3.ffn_up.weight", 384, EA_ERR_FORMAT,
				     "tensor 'blk.3.ffn_up.weight' has shape [256, 384], "
				     "expected [256, 768]"),
	       "a tensor of the wrong shape is named, with both shapes");
	tap_ok(&t, broken_copy_fails(&model, "llama", "llamx", NULL, 0, EA_ERR_UNSUPPORTED,
				     "architecture 'llamx' is not supported"),
	       "an unknown architecture is rejected");
	tap_ok(&t, broken_copy_fails(&model, "llama.block_count", "llama.block_counx", NULL, 0,
				     EA_ERR_FORMAT, "metadata key 'llama.block_count' is missing"),
	       "a missing hyperparameter is named");
	free(model.bytes);
	return tap_done(&t);
}

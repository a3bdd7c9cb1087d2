// SPDX-License-Identifier: MIT
/* ea_cs_build - a model's programs as a command stream (edgeai_cmdstream.h). */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ea_cs_build.h"
#include "ea_op_table.h"
#include "ea_quant.h"

/* Buffers apart from the per-layer ones: global weights, decode and prompt
 * activations, the score program's logits, step, output. */
#define FIXED_BUFFERS 6
/* Ops of one layer at most, the three programs together: decode 3 matvecs, a
 * bias add, rope_store, attention, 2 matvecs; prompt and score each 2 norms,
 * 4 matmuls, a bias add, rope_store, attention, 2 residual adds, swiglu. */
#define OPS_PER_LAYER 48	/* 40, and 8 more when q, k, v or gate, up come apart */
/* Ops outside the layers: decode 3, prompt 4, score 5. */
#define OPS_FIXED 12
/* The score program's logits take at most this many bytes (fewer rows for a
 * large vocabulary). */
#define SCORE_LOGITS_MAX (64ull << 20)
/* Uploads of one layer at most: 2 norms, 7 matrices, 3 biases. */
#define UPLOADS_PER_LAYER 12

static uint64_t align_up(uint64_t n)
{
	return (n + EA_CS_ALIGN - 1) / EA_CS_ALIGN * EA_CS_ALIGN;
}

/* The stream as it grows: arrays sized for the worst case up front. */
struct builder {
	const uint8_t *src_base;	/* the model file's tensor data section */
	struct ea_cs_buffer *buffers;
	struct ea_cs_upload *uploads;
	struct ea_cs_op *ops;
	uint32_t n_buffers, n_uploads, n_ops;
	uint32_t mismatch;	/* an opcode emitted unlike its table entry */
};

static uint32_t add_buffer(struct builder *b, enum ea_cs_buffer_kind kind)
{
	b->buffers[b->n_buffers] = (struct ea_cs_buffer){ .kind = kind };
	return b->n_buffers++;
}

/* A span of @bytes at the end of @buffer, which grows by it (aligned). */
static struct ea_cs_ref take(struct builder *b, uint32_t buffer, uint64_t bytes)
{
	struct ea_cs_ref ref = { .buffer = buffer, .offset = b->buffers[buffer].bytes,
				 .bytes = bytes };

	b->buffers[buffer].bytes += align_up(bytes);
	return ref;
}

/* A tensor of the model file copied into @buffer; its span covers the bytes
 * up to the next word, which kernels may read. */
static struct ea_cs_ref weight(struct builder *b, uint32_t buffer, const void *data,
			       uint64_t bytes)
{
	struct ea_cs_ref ref = take(b, buffer, (bytes + 3) & ~(uint64_t)3);

	b->uploads[b->n_uploads++] = (struct ea_cs_upload){
		.buffer = buffer, .offset = ref.offset,
		.src_offset = (uint64_t)((const uint8_t *)data - b->src_base), .bytes = bytes };
	return ref;
}

static struct ea_cs_ref matrix(struct builder *b, uint32_t buffer, struct ea_weight w,
			       int rows, int cols)
{
	return weight(b, buffer, w.data, (uint64_t)rows * ea_type_row_bytes(w.type, cols));
}

/* @n tensors one after the other in one span (uploads at any byte): the
 * matrices of q, k and v (or gate and up) as one matrix of their rows
 * together, or their biases as one vector. */
static struct ea_cs_ref concat(struct builder *b, uint32_t buffer, int n, const void *const *data,
			       const uint64_t *bytes)
{
	uint64_t total = 0, at;
	struct ea_cs_ref ref;

	for (int i = 0; i < n; i++)
		total += bytes[i];
	ref = take(b, buffer, (total + 3) & ~(uint64_t)3);
	at = ref.offset;
	for (int i = 0; i < n; i++) {
		b->uploads[b->n_uploads++] = (struct ea_cs_upload){
			.buffer = buffer, .offset = at,
			.src_offset = (uint64_t)((const uint8_t *)data[i] - b->src_base),
			.bytes = bytes[i] };
		at += bytes[i];
	}
	return ref;
}

static struct ea_cs_ref floats(struct builder *b, uint32_t buffer, const float *data, int n)
{
	return weight(b, buffer, data, (uint64_t)n * sizeof(float));
}

static void emit(struct builder *b, enum ea_cs_opcode opcode, uint32_t type,
		 const uint32_t *args, int n_args, const struct ea_cs_ref *refs, int n_refs)
{
	const struct ea_op_desc *d = ea_op_desc(opcode);
	struct ea_cs_op *op = &b->ops[b->n_ops++];

	/* Every op as the table describes it: no arguments past its own (the rest
	 * zero), every span it must bind. */
	if (!d || n_args > d->n_args || n_refs > d->n_refs ||
	    n_refs < d->n_refs - __builtin_popcount(d->optional))
		b->mismatch = opcode;
	memset(op, 0, sizeof(*op));
	op->opcode = opcode;
	op->type = type;
	memcpy(op->arg, args, n_args * sizeof(*args));
	memcpy(op->ref, refs, n_refs * sizeof(*refs));
}

#define EMIT(b, opcode, type, refs, ...)						\
	do {										\
		const uint32_t args_[] = { __VA_ARGS__ };				\
		const struct ea_cs_ref refs_[] = refs;					\
		emit(b, opcode, type, args_, sizeof(args_) / sizeof(args_[0]), refs_,	\
		     sizeof(refs_) / sizeof(refs_[0]));					\
	} while (0)
#define REFS(...) { __VA_ARGS__ }
#define NO_REF ((struct ea_cs_ref){ 0 })

/* The first @bytes of @ref. */
static struct ea_cs_ref head_of(struct ea_cs_ref ref, uint64_t bytes)
{
	ref.bytes = bytes;
	return ref;
}

/* The activations of the decode step (one token) or of a prompt run (P). */
struct acts {
	struct ea_cs_ref x, xb, xb2, qkv, q, att, gu, h, partial, last, xq;
};

/* The weights of one layer as the programs bind them. */
struct layer_weights {
	struct ea_cs_ref attn_norm, wqkv, bqkv, wo, ffn_norm, wgu, down, k_cache, v_cache;
	uint32_t qkv_type, wo_type, gu_type, down_type;
	bool bias;
	/* Matrices of different types (llama.cpp's Q4_K_M: v in Q6_K, q and k
	 * in Q4_K) cannot be one matrix: each is its own, and each matvec or
	 * matmul writes its part of the fused layout (q k v; gate up). */
	bool qkv_apart, gu_apart;
	struct ea_cs_ref w3[3], w2[2];
	uint32_t t3[3], t2[2];
};

/* Whether q, k and v (gate and up) differ in type and so cannot be one matrix. */
static bool qkv_mixed(const struct ea_layer *w)
{
	return w->wq.type != w->wk.type || w->wk.type != w->wv.type;
}

static bool gu_mixed(const struct ea_layer *w)
{
	return w->w_gate.type != w->w_up.type;
}

static void layer_weights(struct builder *b, const struct ea_model *m, int l,
			  struct layer_weights *lw)
{
	const struct ea_model_config *c = &m->cfg;
	const struct ea_layer *w = &m->layers[l];
	uint32_t dim = c->dim, qd = c->n_heads * c->head_dim, kvd = c->n_kv_heads * c->head_dim;
	uint32_t ffn = c->ffn_dim, ctx = c->n_ctx;
	uint32_t wb = add_buffer(b, EA_CS_BUF_WEIGHTS), kvb = add_buffer(b, EA_CS_BUF_KV);
	const void *qkv[] = { w->wq.data, w->wk.data, w->wv.data };
	const uint64_t qkv_bytes[] = { (uint64_t)qd * ea_type_row_bytes(w->wq.type, dim),
				       (uint64_t)kvd * ea_type_row_bytes(w->wk.type, dim),
				       (uint64_t)kvd * ea_type_row_bytes(w->wv.type, dim) };
	const void *gu[] = { w->w_gate.data, w->w_up.data };
	const uint64_t gu_bytes[] = { (uint64_t)ffn * ea_type_row_bytes(w->w_gate.type, dim),
				      (uint64_t)ffn * ea_type_row_bytes(w->w_up.type, dim) };

	lw->k_cache = take(b, kvb, (uint64_t)ctx * kvd * sizeof(float));
	lw->v_cache = take(b, kvb, (uint64_t)ctx * kvd * sizeof(float));
	lw->attn_norm = floats(b, wb, w->attn_norm, dim);
	lw->qkv_apart = qkv_mixed(w);
	lw->gu_apart = gu_mixed(w);
	if (lw->qkv_apart) {
		lw->w3[0] = matrix(b, wb, w->wq, qd, dim);
		lw->w3[1] = matrix(b, wb, w->wk, kvd, dim);
		lw->w3[2] = matrix(b, wb, w->wv, kvd, dim);
		lw->t3[0] = w->wq.type;
		lw->t3[1] = w->wk.type;
		lw->t3[2] = w->wv.type;
	} else {
		lw->wqkv = concat(b, wb, 3, qkv, qkv_bytes);
	}
	lw->wo = matrix(b, wb, w->wo, dim, qd);
	lw->ffn_norm = floats(b, wb, w->ffn_norm, dim);
	if (lw->gu_apart) {
		lw->w2[0] = matrix(b, wb, w->w_gate, ffn, dim);
		lw->w2[1] = matrix(b, wb, w->w_up, ffn, dim);
		lw->t2[0] = w->w_gate.type;
		lw->t2[1] = w->w_up.type;
	} else {
		lw->wgu = concat(b, wb, 2, gu, gu_bytes);
	}
	lw->down = matrix(b, wb, w->w_down, dim, ffn);
	lw->bias = w->bq != NULL;
	if (lw->bias) {
		const void *bias[] = { w->bq, w->bk, w->bv };
		const uint64_t bias_bytes[] = { qd * 4ull, kvd * 4ull, kvd * 4ull };

		lw->bqkv = concat(b, wb, 3, bias, bias_bytes);
	}
	lw->qkv_type = w->wq.type;
	lw->wo_type = w->wo.type;
	lw->gu_type = w->w_gate.type;
	lw->down_type = w->w_down.type;
}

/* Matrices apart write into the fused layout at the offsets of their parts,
 * which must fall on EA_CS_ALIGN (head_dim and ffn of usual models do). */
static bool parts_aligned(const struct ea_model_config *c, const struct ea_layer *w)
{
	uint64_t qd = (uint64_t)c->n_heads * c->head_dim * 4;
	uint64_t kvd = (uint64_t)c->n_kv_heads * c->head_dim * 4;

	if (qkv_mixed(w) && (qd % EA_CS_ALIGN || kvd % EA_CS_ALIGN))
		return false;
	return !gu_mixed(w) || (c->ffn_dim * 4ull) % EA_CS_ALIGN == 0;
}

/* @ref from byte @at on (a part of a fused layout). */
static struct ea_cs_ref from(struct ea_cs_ref ref, uint64_t at)
{
	ref.offset += at;
	ref.bytes -= at;
	return ref;
}

/* One layer of the decode step: 5 dispatches of matvecs and the fused
 * rope/KV store, plus attention's two (and a bias add for qwen2). */
static void emit_layer(struct builder *b, const struct ea_model *m, const struct layer_weights *lw,
		       const struct acts *a, struct ea_cs_ref step)
{
	const struct ea_model_config *c = &m->cfg;
	uint32_t dim = c->dim, qd = c->n_heads * c->head_dim, kvd = c->n_kv_heads * c->head_dim;
	uint32_t ffn = c->ffn_dim, ctx = c->n_ctx, eps = ea_op_f32(c->norm_eps);

	if (lw->qkv_apart) {
		const uint32_t rows[3] = { qd, kvd, kvd }, at[3] = { 0, qd, qd + kvd };

		for (int i = 0; i < 3; i++)
			EMIT(b, EA_CS_MATVEC, lw->t3[i], REFS(lw->w3[i], a->x,
			     head_of(from(a->qkv, at[i] * 4ull), rows[i] * 4ull), lw->attn_norm,
			     a->xq), rows[i], dim, EA_CS_MV_NORM, eps);
	} else {
		EMIT(b, EA_CS_MATVEC, lw->qkv_type, REFS(lw->wqkv, a->x, a->qkv, lw->attn_norm,
		     a->xq), qd + 2 * kvd, dim, EA_CS_MV_NORM, eps);
	}
	if (lw->bias)
		EMIT(b, EA_CS_ADD, 0, REFS(a->qkv, lw->bqkv, a->qkv), qd + 2 * kvd, qd + 2 * kvd);
	EMIT(b, EA_CS_ROPE_STORE, 0, REFS(a->qkv, a->q, lw->k_cache, lw->v_cache, step),
	     c->n_heads, c->n_kv_heads, c->head_dim, 1, ea_op_f32(c->rope_freq_base), c->rope_mode,
	     ctx);
	EMIT(b, EA_CS_ATTENTION, 0, REFS(a->q, lw->k_cache, lw->v_cache, a->partial, a->att, step),
	     c->n_heads, c->n_kv_heads, c->head_dim, 1, ctx);
	EMIT(b, EA_CS_MATVEC, lw->wo_type, REFS(lw->wo, a->att, a->x, NO_REF, a->xq), dim, qd,
	     EA_CS_MV_ACC);
	if (lw->gu_apart) {
		for (int i = 0; i < 2; i++)
			EMIT(b, EA_CS_MATVEC, lw->t2[i], REFS(lw->w2[i], a->x,
			     head_of(from(a->gu, i * ffn * 4ull), ffn * 4ull), lw->ffn_norm, a->xq),
			     ffn, dim, EA_CS_MV_NORM, eps);
		EMIT(b, EA_CS_SWIGLU, 0, REFS(a->gu, a->gu, a->h), ffn, 1);
	} else {
		EMIT(b, EA_CS_MATVEC, lw->gu_type, REFS(lw->wgu, a->x, a->h, lw->ffn_norm, a->xq),
		     ffn, dim, EA_CS_MV_NORM | EA_CS_MV_SWIGLU, eps);
	}
	EMIT(b, EA_CS_MATVEC, lw->down_type, REFS(lw->down, a->h, a->x, NO_REF, a->xq), dim, ffn,
	     EA_CS_MV_ACC);
}

/* One layer of the prompt program over @n tokens: matmuls, causal attention. */
static void emit_prompt_layer(struct builder *b, const struct ea_model *m,
			      const struct layer_weights *lw, const struct acts *a,
			      struct ea_cs_ref step, uint32_t n)
{
	const struct ea_model_config *c = &m->cfg;
	uint32_t dim = c->dim, qd = c->n_heads * c->head_dim, kvd = c->n_kv_heads * c->head_dim;
	uint32_t ffn = c->ffn_dim, ctx = c->n_ctx, eps = ea_op_f32(c->norm_eps);
	uint32_t qkvd = qd + 2 * kvd;

	EMIT(b, EA_CS_RMSNORM, 0, REFS(a->x, lw->attn_norm, a->xb), dim, n, eps);
	if (lw->qkv_apart) {
		const uint32_t rows[3] = { qd, kvd, kvd }, at[3] = { 0, qd, qd + kvd };

		for (int i = 0; i < 3; i++)
			EMIT(b, EA_CS_MATMUL, lw->t3[i], REFS(lw->w3[i], a->xb,
			     from(a->qkv, at[i] * 4ull)), rows[i], dim, n, qkvd);
	} else {
		EMIT(b, EA_CS_MATMUL, lw->qkv_type, REFS(lw->wqkv, a->xb, a->qkv), qkvd, dim, n);
	}
	if (lw->bias)
		EMIT(b, EA_CS_ADD, 0, REFS(a->qkv, lw->bqkv, a->qkv), qkvd * n, qkvd);
	EMIT(b, EA_CS_ROPE_STORE, 0, REFS(a->qkv, a->q, lw->k_cache, lw->v_cache, step),
	     c->n_heads, c->n_kv_heads, c->head_dim, n, ea_op_f32(c->rope_freq_base), c->rope_mode,
	     ctx);
	EMIT(b, EA_CS_ATTENTION, 0, REFS(a->q, lw->k_cache, lw->v_cache, a->partial, a->att, step),
	     c->n_heads, c->n_kv_heads, c->head_dim, n, ctx);
	EMIT(b, EA_CS_MATMUL, lw->wo_type, REFS(lw->wo, a->att, a->xb2), dim, qd, n);
	EMIT(b, EA_CS_ADD, 0, REFS(a->x, a->xb2, a->x), dim * n, dim * n);
	EMIT(b, EA_CS_RMSNORM, 0, REFS(a->x, lw->ffn_norm, a->xb), dim, n, eps);
	if (lw->gu_apart) {
		for (int i = 0; i < 2; i++)
			EMIT(b, EA_CS_MATMUL, lw->t2[i], REFS(lw->w2[i], a->xb,
			     from(a->gu, i * ffn * 4ull)), ffn, dim, n, 2 * ffn);
	} else {
		EMIT(b, EA_CS_MATMUL, lw->gu_type, REFS(lw->wgu, a->xb, a->gu), 2 * ffn, dim, n);
	}
	EMIT(b, EA_CS_SWIGLU, 0, REFS(a->gu, a->gu, a->h), ffn, n);
	EMIT(b, EA_CS_MATMUL, lw->down_type, REFS(lw->down, a->h, a->xb2), dim, ffn, n);
	EMIT(b, EA_CS_ADD, 0, REFS(a->x, a->xb2, a->x), dim * n, dim * n);
}

/* Scratch of attention over @n tokens, for the whole context. */
static uint64_t partial_bytes(const struct ea_model_config *c, uint32_t n)
{
	return ea_op_attention_partial_bytes(n, c->n_heads, c->head_dim, c->n_ctx);
}

/* The longest x of a matvec: dim, the attention's output or ffn. */
static uint32_t max_cols(const struct ea_model_config *c)
{
	uint32_t dim = c->dim, qd = c->n_heads * c->head_dim, ffn = c->ffn_dim;
	uint32_t most = dim > qd ? dim : qd;

	return ffn > most ? ffn : most;
}

/* Activations for @n tokens in a new buffer. */
static void alloc_acts(struct builder *b, const struct ea_model_config *c, uint32_t n,
		       struct acts *a)
{
	uint32_t ab = add_buffer(b, EA_CS_BUF_ACT);
	uint64_t dim = c->dim * 4ull * n, qd = (uint64_t)c->n_heads * c->head_dim * 4 * n;
	uint64_t kvd = (uint64_t)c->n_kv_heads * c->head_dim * 4 * n, ffn = c->ffn_dim * 4ull * n;

	a->x = take(b, ab, dim);
	a->xb = take(b, ab, dim);
	a->xb2 = take(b, ab, dim);
	a->qkv = take(b, ab, qd + 2 * kvd);
	a->q = take(b, ab, qd);
	a->att = take(b, ab, qd);
	a->gu = take(b, ab, 2 * ffn);
	a->h = take(b, ab, ffn);
	a->partial = take(b, ab, partial_bytes(c, n));
	a->last = take(b, ab, c->dim * 4ull);
	a->xq = take(b, ab, ea_op_matvec_xq_bytes(max_cols(c)));
}

/* Tokens of a prompt run: EA_CS_PROMPT_TOKENS or the context, fewer while
 * attention's scratch would pass 256 MiB. */
static uint32_t prompt_tokens(const struct ea_model_config *c)
{
	uint32_t n = (uint32_t)c->n_ctx < EA_CS_PROMPT_TOKENS ? (uint32_t)c->n_ctx :
							       EA_CS_PROMPT_TOKENS;

	while (n > 1 && partial_bytes(c, n) > (256ull << 20))
		n /= 2;
	return n;
}

/* Rows the score program takes: half a prompt run (the second half of a
 * window, as the perplexity method scores), fewer while their logits would
 * pass SCORE_LOGITS_MAX; 0 (no score program) for a run of one token. */
static uint32_t score_rows(const struct ea_model_config *c, uint32_t n_prompt)
{
	uint64_t fit = SCORE_LOGITS_MAX / ((uint64_t)c->n_vocab * sizeof(float));
	uint32_t n = n_prompt / 2;

	return fit < n ? (uint32_t)fit : n;
}

/* Pack the builder's arrays behind a header into one block. */
static struct ea_cs_header *pack(const struct builder *b, const struct ea_cs_header *fields)
{
	size_t nb = b->n_buffers * sizeof(*b->buffers), nu = b->n_uploads * sizeof(*b->uploads);
	size_t no = b->n_ops * sizeof(*b->ops), total = sizeof(*fields) + nb + nu + no;
	struct ea_cs_header *h = malloc(total);
	uint8_t *p = (uint8_t *)(h + 1);

	if (!h)
		return NULL;
	*h = *fields;
	h->total_bytes = total;
	memcpy(p, b->buffers, nb);
	memcpy(p + nb, b->uploads, nu);
	memcpy(p + nb + nu, b->ops, no);
	return h;
}

static bool fits_u32(const struct ea_model_config *c)
{
	uint64_t biggest = (uint64_t)c->n_ctx * c->n_kv_heads * c->head_dim;

	return biggest < UINT32_MAX && c->n_vocab > 0 && c->n_ctx > 0;
}

ea_status ea_cs_build(const struct ea_model *m, struct ea_cs_header **out, struct ea_error *err)
{
	const struct ea_model_config *c = &m->cfg;
	const struct ea_gguf_tensor *t0 = ea_gguf_tensor_at(m->gguf, 0);
	struct builder b = { .src_base = (const uint8_t *)t0->data - t0->offset };
	struct ea_cs_header h = { .magic = EA_CS_MAGIC, .version = EA_CS_VERSION,
				  .header_bytes = sizeof(h), .n_vocab = c->n_vocab,
				  .n_ctx = c->n_ctx };
	uint32_t dim = c->dim, globals, step_buf, out_buf, n_prompt, eps = ea_op_f32(c->norm_eps);
	uint32_t n_score;
	struct ea_cs_ref embd, out_norm, output, score_logits;
	struct layer_weights *lw = NULL;
	struct acts a, pa;

	*out = NULL;
	if (!fits_u32(c))
		return ea_error_set(err, EA_ERR_UNSUPPORTED, "a KV cache of %d positions x %d "
				    "values does not fit a command stream", c->n_ctx,
				    c->n_kv_heads * c->head_dim);
	for (int l = 0; l < c->n_layers; l++)
		if (!parts_aligned(c, &m->layers[l]))
			return ea_error_set(err, EA_ERR_UNSUPPORTED, "layer %d: q, k and v (or gate "
					    "and up) of different types, in a shape whose parts do "
					    "not start on %u bytes", l, EA_CS_ALIGN);
	n_prompt = prompt_tokens(c);
	n_score = score_rows(c, n_prompt);
	b.buffers = calloc(FIXED_BUFFERS + 2 * (size_t)c->n_layers, sizeof(*b.buffers));
	b.uploads = calloc(3 + UPLOADS_PER_LAYER * (size_t)c->n_layers, sizeof(*b.uploads));
	b.ops = calloc(OPS_FIXED + OPS_PER_LAYER * (size_t)c->n_layers, sizeof(*b.ops));
	lw = calloc((size_t)c->n_layers, sizeof(*lw));
	if (!b.buffers || !b.uploads || !b.ops || !lw)
		goto no_memory;

	globals = add_buffer(&b, EA_CS_BUF_WEIGHTS);
	embd = matrix(&b, globals, m->token_embd, c->n_vocab, dim);
	out_norm = floats(&b, globals, m->output_norm, dim);
	output = c->tied_output ? embd : matrix(&b, globals, m->output, c->n_vocab, dim);
	for (int l = 0; l < c->n_layers; l++)
		layer_weights(&b, m, l, &lw[l]);
	alloc_acts(&b, c, 1, &a);
	alloc_acts(&b, c, n_prompt, &pa);
	score_logits = take(&b, add_buffer(&b, EA_CS_BUF_ACT),
			    (uint64_t)(n_score ? n_score : 1) * c->n_vocab * sizeof(float));
	step_buf = add_buffer(&b, EA_CS_BUF_STEP);
	h.step = take(&b, step_buf, sizeof(struct ea_cs_step));
	h.token = take(&b, step_buf, (uint64_t)n_prompt * sizeof(uint32_t));
	out_buf = add_buffer(&b, EA_CS_BUF_OUTPUT);
	h.logits = take(&b, out_buf, (uint64_t)c->n_vocab * sizeof(float));
	h.argmax = take(&b, out_buf, sizeof(uint32_t));
	if (n_score)
		h.nll = take(&b, out_buf, (uint64_t)n_score * sizeof(float));

	/* The decode step. */
	EMIT(&b, EA_CS_EMBED, m->token_embd.type, REFS(embd, head_of(h.token, 4), a.x), dim, 1);
	for (int l = 0; l < c->n_layers; l++)
		emit_layer(&b, m, &lw[l], &a, h.step);
	EMIT(&b, EA_CS_MATVEC, m->output.type, REFS(output, a.x, h.logits, out_norm, a.xq),
	     c->n_vocab, dim, EA_CS_MV_NORM, eps);
	EMIT(&b, EA_CS_ARGMAX, 0, REFS(h.logits, h.argmax), c->n_vocab);
	h.n_ops = b.n_ops;

	/* The prompt program, appended to the decode step's ops. */
	EMIT(&b, EA_CS_EMBED, m->token_embd.type, REFS(embd, h.token, pa.x), dim, n_prompt);
	for (int l = 0; l < c->n_layers; l++)
		emit_prompt_layer(&b, m, &lw[l], &pa, h.step, n_prompt);
	EMIT(&b, EA_CS_LAST_ROW, 0, REFS(pa.x, pa.last, h.step), dim, n_prompt);
	EMIT(&b, EA_CS_MATVEC, m->output.type, REFS(output, pa.last, h.logits, out_norm, pa.xq),
	     c->n_vocab, dim, EA_CS_MV_NORM, eps);
	EMIT(&b, EA_CS_ARGMAX, 0, REFS(h.logits, h.argmax), c->n_vocab);
	h.n_prompt_ops = b.n_ops - h.n_ops;
	h.prompt_tokens = n_prompt;

	/* The score program, after the prompt program's ops. */
	if (n_score) {
		EMIT(&b, EA_CS_EMBED, m->token_embd.type, REFS(embd, h.token, pa.x), dim, n_prompt);
		for (int l = 0; l < c->n_layers; l++)
			emit_prompt_layer(&b, m, &lw[l], &pa, h.step, n_prompt);
		EMIT(&b, EA_CS_SCORE_ROWS, 0, REFS(pa.x, pa.xb, h.step), dim, n_prompt, n_score);
		EMIT(&b, EA_CS_RMSNORM, 0, REFS(pa.xb, out_norm, pa.xb2), dim, n_score, eps);
		EMIT(&b, EA_CS_MATMUL, m->output.type, REFS(output, pa.xb2, score_logits),
		     c->n_vocab, dim, n_score);
		EMIT(&b, EA_CS_TOKEN_NLL, 0, REFS(score_logits, h.token, h.nll, h.step), c->n_vocab,
		     n_score, n_prompt);
		h.n_score_ops = b.n_ops - h.n_ops - h.n_prompt_ops;
		h.score_rows = n_score;
	}

	if (b.mismatch) {
		free(b.buffers);
		free(b.uploads);
		free(b.ops);
		free(lw);
		return ea_error_set(err, EA_ERR_UNSUPPORTED, "command stream: the builder emitted "
				    "%s unlike the op table describes it", ea_op_name(b.mismatch));
	}
	h.n_buffers = b.n_buffers;
	h.n_uploads = b.n_uploads;
	*out = pack(&b, &h);
	if (!*out)
		goto no_memory;
	free(b.buffers);
	free(b.uploads);
	free(b.ops);
	free(lw);
	return EA_OK;
no_memory:
	free(b.buffers);
	free(b.uploads);
	free(b.ops);
	free(lw);
	return ea_error_set(err, EA_ERR_NO_MEMORY, "out of memory for the command stream of %d "
			    "layers", c->n_layers);
}

const uint8_t *ea_cs_tensor_data(const struct ea_model *m, uint64_t *bytes)
{
	const struct ea_gguf_tensor *t0 = ea_gguf_tensor_at(m->gguf, 0);

	*bytes = ea_gguf_file_size(m->gguf) - ea_gguf_data_offset(m->gguf);
	return (const uint8_t *)t0->data - t0->offset;
}

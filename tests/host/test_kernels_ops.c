// SPDX-License-Identifier: MIT
/*
 * The activation kernels against the CPU reference: rmsnorm, softmax, rope
 * (normal and neox), swiglu, add (residual and bias), argmax, the KV-cache
 * store, and attention for decode and for a prompt (causal), over both builds
 * where a kernel has two, and the prompt's in its CPU shape too; then a recording replayed at new positions through
 * the per-step buffer, as a command stream replays a token.
 *
 * Tolerances, all relative to the largest magnitude of the reference output
 * (|ref| max), since every op here is fp32 on both sides:
 *  - elementwise ops (swiglu, add, store): 1e-6, a few roundings and exp();
 *  - reductions over n values (rmsnorm, softmax): 1e-5 * sqrt(n) / 10;
 *  - rope: 1e-6 * (1 + last position), the error of an angle pos * f grows with pos;
 *  - attention over n_pos positions: 1e-5 * sqrt(n_pos + head_dim).
 */
#include "ea_ref_forward.h"
#include "test_kernels.h"

/* An attention op's shape: its arguments in the command stream's order. */
struct attn_shape {
	uint32_t n_heads, n_kv_heads, head_dim, n_tokens, n_ctx;
};

static ea_status attention(struct ea_vk_ops *ops, struct ea_vk_rec *rec,
			   const struct attn_shape *s, const struct ea_vk_span spans[EA_CS_MAX_REFS])
{
	const uint32_t args[] = { s->n_heads, s->n_kv_heads, s->head_dim, s->n_tokens, s->n_ctx };

	return record_op(ops, rec, EA_CS_ATTENTION, 0, spans, args, 5);
}

/* Whether got is within tol * max|want| of want. */
static bool close_to(const float *got, const float *want, size_t n, double tol)
{
	float *scale = malloc(n * sizeof(float));
	float biggest = 0.0f;
	bool ok;

	if (!scale)
		return false;
	for (size_t i = 0; i < n; i++)
		biggest = fmaxf(biggest, fabsf(want[i]));
	for (size_t i = 0; i < n; i++)
		scale[i] = biggest;
	ok = within(got, want, scale, n, tol);
	free(scale);
	return ok;
}

static bool rmsnorm_matches(struct fixture *fx, struct ea_vk_ops *ops, uint32_t n, uint32_t rows)
{
	size_t count = (size_t)n * rows;
	float *x = malloc(count * sizeof(float)), *w = malloc(n * sizeof(float));
	float *want = malloc(count * sizeof(float));
	struct ea_vk_buffer *xb = NULL, *wb = NULL, *ob = NULL;
	struct ea_vk_rec rec;
	bool ok = false;

	if (!x || !w || !want)
		goto out;
	random_floats(x, count, n);
	random_floats(w, n, n + 1);
	for (uint32_t r = 0; r < rows; r++)
		ea_ref_rmsnorm(want + (size_t)r * n, x + (size_t)r * n, w, (int)n, 1e-5f);
	xb = upload(fx, x, count * sizeof(float));
	wb = upload(fx, w, n * sizeof(float));
	ob = upload(fx, NULL, count * sizeof(float));
	if (xb && wb && ob && begin(fx, &rec) &&
	    end_and_run(fx, &rec, OP(ops, &rec, EA_CS_RMSNORM, 0, SPANS(ea_vk_whole(xb),
				  ea_vk_whole(wb), ea_vk_whole(ob)), n, rows, ea_op_f32(1e-5f))))
		ok = close_to(ob->map, want, count, 1e-6 * sqrt(n));
out:
	release(fx, xb);
	release(fx, wb);
	release(fx, ob);
	free(x);
	free(w);
	free(want);
	return ok;
}

/* In place on the GPU, as sampling uses it. */
static bool softmax_matches(struct fixture *fx, struct ea_vk_ops *ops, uint32_t n, uint32_t rows)
{
	size_t count = (size_t)n * rows;
	float *want = malloc(count * sizeof(float));
	struct ea_vk_buffer *xb = NULL;
	struct ea_vk_rec rec;
	bool ok = false;

	if (!want)
		return false;
	random_floats(want, count, 77 + n);
	for (size_t i = 0; i < count; i++)
		want[i] *= 20.0f;
	xb = upload(fx, want, count * sizeof(float));
	for (uint32_t r = 0; r < rows; r++)
		ea_ref_softmax(want + (size_t)r * n, (int)n);
	if (xb && begin(fx, &rec) &&
	    end_and_run(fx, &rec, OP(ops, &rec, EA_CS_SOFTMAX, 0, SPANS(ea_vk_whole(xb),
				  ea_vk_whole(xb)), n, rows)))
		ok = close_to(xb->map, want, count, 1e-6 * sqrt(n));
	release(fx, xb);
	free(want);
	return ok;
}

static bool rope_matches(struct fixture *fx, struct ea_vk_ops *ops, enum ea_rope_mode mode,
			 uint32_t pos, uint32_t n_tokens)
{
	const uint32_t n_heads = 3, head_dim = 64;
	size_t per_token = n_heads * head_dim, count = per_token * n_tokens;
	float *want = malloc(count * sizeof(float));
	struct ea_cs_step step = { .pos = pos };
	struct ea_vk_buffer *xb = NULL, *sb = NULL;
	struct ea_vk_rec rec;
	bool ok = false;

	if (!want)
		return false;
	random_floats(want, count, 5 + pos);
	xb = upload(fx, want, count * sizeof(float));
	sb = upload(fx, &step, sizeof(step));
	for (uint32_t t = 0; t < n_tokens; t++)
		ea_ref_rope(want + t * per_token, (int)n_heads, (int)head_dim, (int)(pos + t), 10000.0f,
			    mode);
	if (xb && sb && begin(fx, &rec) &&
	    end_and_run(fx, &rec, OP(ops, &rec, EA_CS_ROPE, 0, SPANS(ea_vk_whole(xb),
				  ea_vk_whole(sb)), n_heads, head_dim, n_tokens,
				  ea_op_f32(10000.0f), (uint32_t)mode)))
		ok = close_to(xb->map, want, count, 1e-6 * (1 + pos + n_tokens));
	release(fx, xb);
	release(fx, sb);
	free(want);
	return ok;
}

static bool swiglu_matches(struct fixture *fx, struct ea_vk_ops *ops, uint32_t n)
{
	float *gate = malloc(n * sizeof(float)), *up = malloc(n * sizeof(float));
	float *want = malloc(n * sizeof(float));
	struct ea_vk_buffer *gb = NULL, *ub = NULL;
	struct ea_vk_rec rec;
	bool ok = false;

	if (!gate || !up || !want)
		goto out;
	random_floats(gate, n, 11);
	random_floats(up, n, 12);
	for (uint32_t i = 0; i < n; i++)
		gate[i] *= 8.0f;
	ea_ref_swiglu(want, gate, up, (int)n);
	gb = upload(fx, gate, n * sizeof(float));
	ub = upload(fx, up, n * sizeof(float));
	/* In place into gate, as the feed-forward block does. */
	if (gb && ub && begin(fx, &rec) &&
	    end_and_run(fx, &rec, OP(ops, &rec, EA_CS_SWIGLU, 0, SPANS(ea_vk_whole(gb),
				  ea_vk_whole(ub), ea_vk_whole(gb)), n, 0)))
		ok = close_to(gb->map, want, n, 1e-6);
out:
	release(fx, gb);
	release(fx, ub);
	free(gate);
	free(up);
	free(want);
	return ok;
}

/* a += b with b of n_b values repeated (n_b == n: residual; else a bias per row). */
static bool add_matches(struct fixture *fx, struct ea_vk_ops *ops, uint32_t n, uint32_t n_b)
{
	float *a = malloc(n * sizeof(float)), *b = malloc(n_b * sizeof(float));
	float *want = malloc(n * sizeof(float));
	struct ea_vk_buffer *ab = NULL, *bb = NULL;
	struct ea_vk_rec rec;
	bool ok = false;

	if (!a || !b || !want)
		goto out;
	random_floats(a, n, 21);
	random_floats(b, n_b, 22);
	for (uint32_t r = 0; r < n / n_b; r++)
		ea_ref_add(want + (size_t)r * n_b, a + (size_t)r * n_b, b, (int)n_b);
	ab = upload(fx, a, n * sizeof(float));
	bb = upload(fx, b, n_b * sizeof(float));
	if (ab && bb && begin(fx, &rec) &&
	    end_and_run(fx, &rec, OP(ops, &rec, EA_CS_ADD, 0, SPANS(ea_vk_whole(ab),
				  ea_vk_whole(bb), ea_vk_whole(ab)), n, n_b)))
		ok = close_to(ab->map, want, n, 1e-6);
out:
	release(fx, ab);
	release(fx, bb);
	free(a);
	free(b);
	free(want);
	return ok;
}

/* @tie_at >= 0 plants two equal maxima there and later: the first must win. */
static bool argmax_matches(struct fixture *fx, struct ea_vk_ops *ops, uint32_t n, int tie_at)
{
	float *x = malloc(n * sizeof(float));
	struct ea_vk_buffer *xb = NULL, *ob = NULL;
	struct ea_vk_rec rec;
	bool ok = false;
	int want;

	if (!x)
		return false;
	random_floats(x, n, n * 3u);
	if (tie_at >= 0) {
		x[tie_at] = 2.0f;
		x[n - 1] = 2.0f;
	}
	want = ea_ref_argmax(x, (int)n);
	xb = upload(fx, x, n * sizeof(float));
	ob = upload(fx, NULL, sizeof(uint32_t));
	if (xb && ob && begin(fx, &rec) &&
	    end_and_run(fx, &rec, OP(ops, &rec, EA_CS_ARGMAX, 0, SPANS(ea_vk_whole(xb),
				  ea_vk_whole(ob)), n))) {
		ok = *(uint32_t *)ob->map == (uint32_t)want;
		if (!ok)
			tap_diag("got %u, want %d", *(uint32_t *)ob->map, want);
	}
	release(fx, xb);
	release(fx, ob);
	free(x);
	return ok;
}

/*
 * The score program's tail: score_rows takes n_out rows from step.score_row
 * (the last past the end), token_nll the -log softmax of the next token of
 * each, 0 past step.n_tokens. Logits spread over [-8, 8] so that the softmax
 * is peaked; tolerance 1e-5 * sqrt(n_vocab) absolute (a log-sum-exp in fp32).
 */
#define NLL_VOCAB 4099u
#define NLL_ROWS 5u
#define NLL_IDS 9u

static ea_status record_score_tail(struct ea_vk_ops *ops, struct ea_vk_rec *rec,
				   const struct ea_vk_buffer *logits, const struct ea_vk_buffer *rows,
				   const struct ea_vk_buffer *ids, const struct ea_vk_buffer *nll,
				   const struct ea_vk_buffer *step)
{
	ea_status status = OP(ops, rec, EA_CS_SCORE_ROWS, 0, SPANS(ea_vk_whole(logits),
			      ea_vk_whole(rows), ea_vk_whole(step)), NLL_VOCAB, NLL_IDS, NLL_ROWS);

	if (status != EA_OK)
		return status;
	return OP(ops, rec, EA_CS_TOKEN_NLL, 0, SPANS(ea_vk_whole(rows), ea_vk_whole(ids),
		  ea_vk_whole(nll), ea_vk_whole(step)), NLL_VOCAB, NLL_ROWS, NLL_IDS);
}

static bool score_tail_matches(struct fixture *fx, struct ea_vk_ops *ops)
{
	static const uint32_t ids[NLL_IDS] = { 7, 4098, 0, 1234, 99, 3, 4000, 17, 5 };
	struct ea_cs_step step = { .pos = 0, .n_tokens = 7, .score_row = 3 };
	size_t n = (size_t)NLL_IDS * NLL_VOCAB;
	float *logits = malloc(n * sizeof(float));
	struct ea_vk_buffer *lb = NULL, *rb = NULL, *ib = NULL, *nb = NULL, *sb = NULL;
	struct ea_vk_rec rec;
	bool ok = false;

	if (!logits)
		return false;
	random_floats(logits, n, 77);
	for (size_t i = 0; i < n; i++)
		logits[i] *= 8.0f;
	lb = upload(fx, logits, n * sizeof(float));
	rb = upload(fx, NULL, (size_t)NLL_ROWS * NLL_VOCAB * sizeof(float));
	ib = upload(fx, ids, sizeof(ids));
	nb = upload(fx, NULL, NLL_ROWS * sizeof(float));
	sb = upload(fx, &step, sizeof(step));
	if (lb && rb && ib && nb && sb && begin(fx, &rec) &&
	    end_and_run(fx, &rec, record_score_tail(ops, &rec, lb, rb, ib, nb, sb))) {
		const float *got = nb->map;

		ok = memcmp(rb->map, logits + (size_t)step.score_row * NLL_VOCAB,
			    (size_t)NLL_ROWS * NLL_VOCAB * sizeof(float)) == 0;
		for (uint32_t i = 0; i < NLL_ROWS; i++) {
			uint32_t next = step.score_row + i + 1;
			double want = next < step.n_tokens ?
				ea_ref_token_nll(logits + (size_t)(next - 1) * NLL_VOCAB,
						 NLL_VOCAB, (int)ids[next]) : 0.0;

			if (fabs(got[i] - want) > 1e-5 * sqrt(NLL_VOCAB)) {
				tap_diag("row %u: nll %.7f, want %.7f", i, got[i], want);
				ok = false;
			}
		}
	}
	release(fx, lb);
	release(fx, rb);
	release(fx, ib);
	release(fx, nb);
	release(fx, sb);
	free(logits);
	return ok;
}

struct attention_case {
	uint32_t n_heads, n_kv_heads, head_dim, n_ctx;
	uint32_t pos;		/* of the first query */
	uint32_t n_tokens;	/* queries recorded */
	uint32_t n_step;	/* step.n_tokens: the queries run (0: all) */
};

/* Caches filled at random for every position; queries at pos .. pos + n_tokens - 1. */
static bool attention_matches(struct fixture *fx, struct ea_vk_ops *ops,
			      const struct attention_case *c)
{
	struct attn_shape shape = { c->n_heads, c->n_kv_heads, c->head_dim, c->n_tokens,
					 c->n_ctx };
	size_t kv = (size_t)c->n_ctx * c->n_kv_heads * c->head_dim;
	size_t nq = (size_t)c->n_tokens * c->n_heads * c->head_dim;
	uint32_t n_pos = c->pos + c->n_tokens;
	float *k = malloc(kv * sizeof(float)), *v = malloc(kv * sizeof(float));
	float *q = malloc(nq * sizeof(float)), *want = malloc(nq * sizeof(float));
	float *scratch = malloc(n_pos * sizeof(float));
	struct ea_cs_step step = { .pos = c->pos, .n_tokens = c->n_step };
	size_t n_run = (size_t)(c->n_step ? c->n_step : c->n_tokens) * c->n_heads * c->head_dim;
	struct ea_vk_buffer *kb = NULL, *vb = NULL, *qb = NULL, *pb = NULL, *ob = NULL, *sb = NULL;
	struct ea_vk_rec rec;
	bool ok = false;

	if (!k || !v || !q || !want || !scratch)
		goto out;
	random_floats(k, kv, 31);
	random_floats(v, kv, 32);
	random_floats(q, nq, 33 + c->pos);
	for (size_t i = 0; i < nq; i++)
		q[i] *= 4.0f;	/* peakier weights than uniform */
	ea_ref_attention_prompt(want, q, k, v, (int)c->n_heads, (int)c->n_kv_heads,
				(int)c->head_dim, (int)c->n_tokens, (int)c->pos,
				(int)(c->n_kv_heads * c->head_dim), scratch);
	kb = upload(fx, k, kv * sizeof(float));
	vb = upload(fx, v, kv * sizeof(float));
	qb = upload(fx, q, nq * sizeof(float));
	pb = upload(fx, NULL, ea_op_attention_partial_bytes(shape.n_tokens, shape.n_heads, shape.head_dim, shape.n_ctx));
	ob = upload(fx, NULL, nq * sizeof(float));
	sb = upload(fx, &step, sizeof(step));
	if (kb && vb && qb && pb && ob && sb && begin(fx, &rec) &&
	    end_and_run(fx, &rec, attention(ops, &rec, &shape, SPANS(ea_vk_whole(qb),
				  ea_vk_whole(kb), ea_vk_whole(vb), ea_vk_whole(pb),
				  ea_vk_whole(ob), ea_vk_whole(sb)))))
		ok = close_to(ob->map, want, n_run, 1e-5 * sqrt(n_pos + c->head_dim));
out:
	release(fx, kb);
	release(fx, vb);
	release(fx, qb);
	release(fx, pb);
	release(fx, ob);
	release(fx, sb);
	free(k);
	free(v);
	free(q);
	free(want);
	free(scratch);
	return ok;
}

/*
 * One decode step recorded once (store the new key and value rows at step.pos,
 * then attend), replayed for positions 0 .. n_steps-1 with only the step
 * buffer and the new rows rewritten between submits: the last output must
 * match the reference over every stored row.
 */
static bool replay_matches(struct fixture *fx, struct ea_vk_ops *ops)
{
	enum { N_HEADS = 4, N_KV = 1, HEAD_DIM = 32, N_CTX = 140, N_STEPS = 131 };
	struct attn_shape shape = { N_HEADS, N_KV, HEAD_DIM, 1, N_CTX };
	const size_t row = N_KV * HEAD_DIM, nq = N_HEADS * HEAD_DIM;
	static float k[N_CTX * N_KV * HEAD_DIM], v[N_CTX * N_KV * HEAD_DIM];
	float q[N_HEADS * HEAD_DIM], want[N_HEADS * HEAD_DIM], scratch[N_CTX];
	struct ea_vk_buffer *kb, *vb, *nkb, *nvb, *qb, *pb, *ob, *sb;
	struct ea_vk_rec rec;
	ea_status status = EA_OK;
	bool ok = false;

	random_floats(k, sizeof(k) / sizeof(k[0]), 41);
	random_floats(v, sizeof(v) / sizeof(v[0]), 42);
	random_floats(q, nq, 43);
	kb = upload(fx, NULL, sizeof(k));
	vb = upload(fx, NULL, sizeof(v));
	nkb = upload(fx, NULL, row * sizeof(float));
	nvb = upload(fx, NULL, row * sizeof(float));
	qb = upload(fx, q, sizeof(q));
	pb = upload(fx, NULL, ea_op_attention_partial_bytes(shape.n_tokens, shape.n_heads, shape.head_dim, shape.n_ctx));
	ob = upload(fx, NULL, sizeof(q));
	sb = upload(fx, NULL, sizeof(struct ea_cs_step));
	if (!kb || !vb || !nkb || !nvb || !qb || !pb || !ob || !sb || !begin(fx, &rec))
		goto out;
	status = OP(ops, &rec, EA_CS_STORE_ROWS, 0, SPANS(ea_vk_whole(nkb), ea_vk_whole(kb),
		    ea_vk_whole(sb)), (uint32_t)row, 1, N_CTX);
	if (status == EA_OK)
		status = OP(ops, &rec, EA_CS_STORE_ROWS, 0, SPANS(ea_vk_whole(nvb),
			    ea_vk_whole(vb), ea_vk_whole(sb)), (uint32_t)row, 1, N_CTX);
	if (status == EA_OK)
		status = attention(ops, &rec, &shape, SPANS(ea_vk_whole(qb), ea_vk_whole(kb),
				   ea_vk_whole(vb), ea_vk_whole(pb), ea_vk_whole(ob),
				   ea_vk_whole(sb)));
	if (status == EA_OK)
		status = ea_vk_rec_end(&rec, &fx->err);
	for (uint32_t pos = 0; pos < N_STEPS && status == EA_OK; pos++) {
		((struct ea_cs_step *)sb->map)->pos = pos;
		memcpy(nkb->map, k + pos * row, row * sizeof(float));
		memcpy(nvb->map, v + pos * row, row * sizeof(float));
		status = ea_vk_rec_submit(&rec, &fx->err);
	}
	ea_vk_rec_destroy(&rec);
	if (status != EA_OK) {
		tap_diag("%s: %s", ea_strerror(status), fx->err.msg);
		goto out;
	}
	ea_ref_attention_decode(want, q, k, v, N_HEADS, N_KV, HEAD_DIM, N_STEPS, (int)row, scratch);
	ok = close_to(ob->map, want, nq, 1e-5 * sqrt(N_STEPS + HEAD_DIM)) &&
	     memcmp(kb->map, k, N_STEPS * row * sizeof(float)) == 0 &&
	     memcmp(vb->map, v, N_STEPS * row * sizeof(float)) == 0;
out:
	release(fx, kb);
	release(fx, vb);
	release(fx, nkb);
	release(fx, nvb);
	release(fx, qb);
	release(fx, pb);
	release(fx, ob);
	release(fx, sb);
	return ok;
}

int main(void)
{
	static const struct attention_case attention[] = {
		/* decode: 1 key; a split exactly full; one past it; several splits */
		{ 4, 2, 64, 300, 0, 1, 0 },
		{ 4, 2, 64, 300, 127, 1, 0 },
		{ 4, 2, 64, 300, 128, 1, 0 },
		{ 8, 2, 80, 600, 299, 1, 0 },
		/* prompt: from the start, a second chunk after cached tokens, more
		 * tokens than a split, and head sizes 80 and 128 */
		{ 4, 4, 64, 300, 0, 7, 0 },
		{ 6, 2, 64, 300, 125, 9, 0 },
		{ 8, 4, 32, 512, 0, 37, 0 },
		{ 8, 2, 80, 600, 100, 40, 0 },
		{ 2, 1, 128, 64, 3, 17, 0 },
		/* prompts of several blocks of queries (attention_prompt_d*:
		 * 64 a block, 32 with head_dim 128), one run shorter than recorded */
		{ 4, 2, 64, 300, 5, 150, 0 },
		{ 4, 2, 64, 300, 5, 150, 70 },
		{ 2, 1, 128, 128, 0, 70, 0 },
	};
	/* The CPU-shaped prompt attention: blocks of 8 tokens and 8 keys, one
	 * partial; a chunk after cached tokens; each head size it is built for. */
	static const struct attention_case attention_cpu[] = {
		{ 8, 4, 32, 512, 0, 37, 0 },
		{ 6, 2, 64, 300, 125, 9, 0 },
		{ 2, 1, 128, 64, 3, 17, 0 },	/* not built for 128: the general kernels */
	};
	const int n_attention = (int)(sizeof(attention) / sizeof(attention[0]));
	const int n_attention_cpu = (int)(sizeof(attention_cpu) / sizeof(attention_cpu[0]));
	struct fixture fx;
	struct tap t = { 0 };

	tap_plan(&t, 1 + 2 * (3 + 2 + n_attention + 1 + 1) + n_attention_cpu + 4 + 3 + 3);
	if (!fixture_open(&t, &fx))
		return 1;
	/* The kernels with a reduction, in both builds. */
	for (int v = 0; v < 2; v++) {
		struct ea_vk_ops *ops = &fx.variants[v < fx.n_variants ? v : 0];
		const char *name = v < fx.n_variants ? fx.variant_names[v] : NULL;

		ops->cpu_shape = false;	/* the general kernels; the CPU shape below */

		if (!name) {
			for (int i = 0; i < 3 + 2 + n_attention + 1 + 1; i++)
				tap_ok(&t, true, "# SKIP no subgroup arithmetic");
			continue;
		}
		tap_ok(&t, rmsnorm_matches(&fx, ops, 1, 1), "rmsnorm (%s): 1 x 1", name);
		tap_ok(&t, rmsnorm_matches(&fx, ops, 2048, 1), "rmsnorm (%s): 1 x 2048", name);
		tap_ok(&t, rmsnorm_matches(&fx, ops, 1001, 7), "rmsnorm (%s): 7 x 1001", name);
		tap_ok(&t, softmax_matches(&fx, ops, 3, 2), "softmax (%s): 2 x 3", name);
		tap_ok(&t, softmax_matches(&fx, ops, 32003, 1), "softmax (%s): 1 x 32003", name);
		for (int i = 0; i < n_attention; i++) {
			const struct attention_case *c = &attention[i];

			tap_ok(&t, attention_matches(&fx, ops, c),
			       "attention (%s): %u tokens at %u (%u run), %u/%u heads of %u, "
			       "context %u", name, c->n_tokens, c->pos,
			       c->n_step ? c->n_step : c->n_tokens, c->n_heads, c->n_kv_heads,
			       c->head_dim, c->n_ctx);
		}
		tap_ok(&t, score_tail_matches(&fx, ops), "score_rows 5 of 9 rows of %u from row 3, "
		       "token_nll of their next tokens, 0 past step.n_tokens 7 (%s)", NLL_VOCAB,
		       name);
		tap_ok(&t, replay_matches(&fx, ops),
		       "one recorded decode step (store k, v; attend) replayed for 131 positions (%s)",
		       name);
	}
	for (int i = 0; i < n_attention_cpu; i++) {
		const struct attention_case *c = &attention_cpu[i];
		struct ea_vk_ops ops = fx.variants[0];

		ops.cpu_shape = true;
		if (!ea_vk_can_cpu_shape(fx.vk)) {
			tap_ok(&t, true, "# SKIP no CPU-shaped kernels here");
			continue;
		}
		tap_ok(&t, attention_matches(&fx, &ops, c),
		       "attention (CPU shape): %u tokens at %u, %u/%u heads of %u, context %u",
		       c->n_tokens, c->pos, c->n_heads, c->n_kv_heads, c->head_dim, c->n_ctx);
	}
	tap_ok(&t, rope_matches(&fx, &fx.variants[0], EA_ROPE_NORMAL, 0, 1), "rope normal at 0");
	tap_ok(&t, rope_matches(&fx, &fx.variants[0], EA_ROPE_NORMAL, 37, 5),
	       "rope normal, 5 tokens at 37");
	tap_ok(&t, rope_matches(&fx, &fx.variants[0], EA_ROPE_NEOX, 1, 1), "rope neox at 1");
	tap_ok(&t, rope_matches(&fx, &fx.variants[0], EA_ROPE_NEOX, 300, 3),
	       "rope neox, 3 tokens at 300");
	tap_ok(&t, swiglu_matches(&fx, &fx.variants[0], 5633), "swiglu: 5633 values, in place");
	tap_ok(&t, add_matches(&fx, &fx.variants[0], 1001, 1001), "add: residual of 1001");
	tap_ok(&t, add_matches(&fx, &fx.variants[0], 7 * 96, 96), "add: bias of 96 on 7 rows");
	tap_ok(&t, argmax_matches(&fx, &fx.variants[0], 1, -1), "argmax of 1 value");
	tap_ok(&t, argmax_matches(&fx, &fx.variants[0], 32003, -1), "argmax of 32003 values");
	tap_ok(&t, argmax_matches(&fx, &fx.variants[0], 1000, 517), "argmax: the first of a tie");
	fixture_close(&fx);
	return tap_done(&t);
}

// SPDX-License-Identifier: MIT
/*
 * The weight kernels against the CPU reference, for every tensor type and
 * both builds (shared-memory and subgroup reductions): matvec (decode),
 * matmul (prompt; every shape: 32 x 32 tiles, the CPU shape of 8 lanes x
 * 4 rows x 32 tokens in chunks of 8 columns, and 64 x 64 tiles on the matrix
 * units where the device has cooperative matrices) and embedding lookup, at shapes
 * that are not multiples of the workgroup (128 invocations, 8 rows per group).
 *
 * Tolerance: both sides accumulate in fp32, in different orders, so an output
 * may differ from the reference by 1e-5 * sqrt(cols) * sum_c |W[r][c] x[c]|
 * (about a hundred fp32 roundings, grown like a random walk). Embedding
 * lookup only dequantizes: within 1e-6 relative of the reference.
 *
 * The int8-dot matvec (Q4_0, Q8_0; ops->int8_dot, where the device has packed
 * int8 dot products, accelerated or not) quantizes x to int8 per block of 32
 * (d = max|x| / 127, q = round(x / d)): each x[c] moves by at most d / 2, so
 * its tolerance against ea_ref_matvec() in fp32 is that bound,
 * 1.01 * sum_c |W[r][c]| * max|x in c's block| / 254 (1% for the fp32 of
 * x / d), plus the fp32 term above. Fused flags (RMSNorm folded in, the
 * residual add, SwiGLU) are checked for both paths against ea_ref_rmsnorm(),
 * ea_ref_matvec() and silu, the bound carried through silu(g) * u. The
 * quantization itself (quantize_x, once per matvec into a scratch span) is
 * checked block by block against the same rule.
 */
#include "test_kernels.h"

static const enum ea_type types[] = { EA_TYPE_F32, EA_TYPE_F16, EA_TYPE_Q8_0,
				      EA_TYPE_Q4_0, EA_TYPE_Q4_K, EA_TYPE_Q6_K };
#define N_TYPES (sizeof(types) / sizeof(types[0]))

/* Columns: a multiple of the block, not of the 128 invocations' units; F16 has
 * one count that is not a multiple of 8 (one value a unit) and one that is
 * (8 values a 16-byte unit). */
static const uint32_t cols_of[][2] = {
	{ 37, 1001 }, { 37, 1000 }, { 96, 1184 }, { 96, 1184 }, { 256, 2304 }, { 256, 2304 },
};
static const uint32_t matvec_rows[] = { 1, 7, 129, 1000 };
#define N_ROWS (sizeof(matvec_rows) / sizeof(matvec_rows[0]))

/* A random rows x cols matrix in @type, and its dequantized values. */
struct weights {
	void *raw;
	size_t bytes;
	float *values;
};

static bool make_weights(struct weights *w, enum ea_type type, uint32_t rows, uint32_t cols,
			 uint64_t seed)
{
	size_t row_bytes = ea_type_row_bytes(type, cols);
	float *row = malloc(cols * sizeof(float));

	w->bytes = row_bytes * rows;
	w->raw = malloc(w->bytes);
	w->values = malloc((size_t)rows * cols * sizeof(float));
	if (!row || !w->raw || !w->values) {
		free(row);
		return false;
	}
	for (uint32_t r = 0; r < rows; r++) {
		random_floats(row, cols, seed + r);
		ea_quantize_row(type, row, (uint8_t *)w->raw + r * row_bytes, cols);
		ea_dequant_row(type, (uint8_t *)w->raw + r * row_bytes, w->values + (size_t)r * cols,
			       cols);
	}
	free(row);
	return true;
}

static void free_weights(struct weights *w)
{
	free(w->raw);
	free(w->values);
}

/* scale[t * rows + r] = 1e-5-tolerance scale: sqrt(cols) * sum_c |W[r][c] X[t][c]|. */
static void product_scales(float *scale, const float *W, const float *X, uint32_t rows,
			   uint32_t cols, uint32_t n_tokens)
{
	for (uint32_t t = 0; t < n_tokens; t++)
		for (uint32_t r = 0; r < rows; r++) {
			double sum = 0.0;

			for (uint32_t c = 0; c < cols; c++)
				sum += fabs((double)W[(size_t)r * cols + c] * X[(size_t)t * cols + c]);
			scale[(size_t)t * rows + r] = (float)(sum * sqrt((double)cols));
		}
}

/* matvec when n_tokens is 0, else matmul of n_tokens tokens. With
 * ops->coopmat, X and W enter the matrix units as fp16: each product moves by
 * at most 2^-10 of itself (two roundings of 2^-11), on top of the fp32 term. */
static bool product_matches(struct fixture *fx, struct ea_vk_ops *ops, enum ea_type type,
			    uint32_t rows, uint32_t cols, uint32_t n_tokens)
{
	double tol = 1e-5 + (n_tokens && ops->coopmat ? 1.0 / 1024 / sqrt((double)cols) : 0.0);
	uint32_t n = n_tokens ? n_tokens : 1;
	float *x = malloc((size_t)n * cols * sizeof(float));
	float *want = malloc((size_t)n * rows * sizeof(float));
	float *scale = malloc((size_t)n * rows * sizeof(float));
	struct ea_vk_buffer *wb = NULL, *xb = NULL, *yb = NULL;
	struct weights w = { 0 };
	struct ea_vk_rec rec;
	bool ok = false;

	if (!x || !want || !scale || !make_weights(&w, type, rows, cols, rows * 7919u + cols))
		goto out;
	random_floats(x, (size_t)n * cols, cols * 31u + n);
	ea_ref_matmul(want, w.raw, type, x, (int)rows, (int)cols, (int)n);
	product_scales(scale, w.values, x, rows, cols, n);
	wb = upload(fx, w.raw, w.bytes);
	xb = upload(fx, x, (size_t)n * cols * sizeof(float));
	yb = upload(fx, NULL, (size_t)n * rows * sizeof(float));
	if (!wb || !xb || !yb || !begin(fx, &rec))
		goto out;
	if (!end_and_run(fx, &rec, n_tokens ?
			 OP(ops, &rec, EA_CS_MATMUL, type, SPANS(ea_vk_whole(wb), ea_vk_whole(xb),
			    ea_vk_whole(yb)), rows, cols, n_tokens) :
			 OP(ops, &rec, EA_CS_MATVEC, type, SPANS(ea_vk_whole(wb), ea_vk_whole(xb),
			    ea_vk_whole(yb)), rows, cols, 0, 0)))
		goto out;
	ok = within(yb->map, want, scale, (size_t)n * rows, tol);
out:
	release(fx, wb);
	release(fx, xb);
	release(fx, yb);
	free_weights(&w);
	free(x);
	free(want);
	free(scale);
	return ok;
}

static bool embed_matches(struct fixture *fx, struct ea_vk_ops *ops, enum ea_type type,
			  uint32_t cols)
{
	static const uint32_t ids[] = { 3, 0, 6, 3, 5 };
	const uint32_t n_vocab = 7, n_tokens = sizeof(ids) / sizeof(ids[0]);
	float *want = malloc((size_t)n_tokens * cols * sizeof(float));
	struct ea_vk_buffer *tb = NULL, *ib = NULL, *ob = NULL;
	struct weights w = { 0 };
	struct ea_vk_rec rec;
	bool ok = false;

	if (!want || !make_weights(&w, type, n_vocab, cols, 4242))
		goto out;
	for (uint32_t t = 0; t < n_tokens; t++)
		ea_ref_embed(want + (size_t)t * cols, w.raw, type, (int)ids[t], (int)cols);
	tb = upload(fx, w.raw, w.bytes);
	ib = upload(fx, ids, sizeof(ids));
	ob = upload(fx, NULL, (size_t)n_tokens * cols * sizeof(float));
	if (!tb || !ib || !ob || !begin(fx, &rec))
		goto out;
	if (!end_and_run(fx, &rec, OP(ops, &rec, EA_CS_EMBED, type, SPANS(ea_vk_whole(tb),
				      ea_vk_whole(ib), ea_vk_whole(ob)), cols, n_tokens)))
		goto out;
	for (size_t i = 0; i < (size_t)n_tokens * cols; i++)
		want[i] = fabsf(want[i]) > 1e-30f ? want[i] : 0.0f;
	ok = within(ob->map, want, NULL, (size_t)n_tokens * cols, 1e-6);
out:
	release(fx, tb);
	release(fx, ib);
	release(fx, ob);
	free_weights(&w);
	free(want);
	return ok;
}

static float silu(float v)
{
	return v / (1.0f + expf(-v));
}

/*
 * MATVEC with @flags on @ops (its int8_dot says which path)
 * against the CPU: y = [y0 +] W xn, xn = rmsnorm(x) * norm with EA_MV_NORM,
 * W of 2 * rows rows and y = silu(gate) * up with EA_MV_SWIGLU. The
 * tolerance is the header's, per pre-activation, carried through silu(g) * u
 * as |silu'| <= 1.1 bounds it.
 */
static bool fused_matvec_matches(struct fixture *fx, struct ea_vk_ops *ops, enum ea_type type,
				 uint32_t rows, uint32_t cols, uint32_t flags)
{
	const float eps = 1e-5f;
	bool swiglu = flags & EA_MV_SWIGLU;
	uint32_t w_rows = swiglu ? 2 * rows : rows;
	float *x = malloc(cols * sizeof(float)), *norm = malloc(cols * sizeof(float));
	float *xn = malloc(cols * sizeof(float)), *pre = malloc(w_rows * sizeof(float));
	float *err = malloc(w_rows * sizeof(float)), *y0 = malloc(rows * sizeof(float));
	float *want = malloc(rows * sizeof(float)), *bound = malloc(rows * sizeof(float));
	struct ea_vk_buffer *wb = NULL, *xb = NULL, *yb = NULL, *nb = NULL, *qb = NULL;
	struct ea_vk_ops path = *ops;
	struct weights w = { 0 };
	struct ea_vk_rec rec;
	bool ok = false;

	if (!x || !norm || !xn || !pre || !err || !y0 || !want || !bound ||
	    !make_weights(&w, type, w_rows, cols, w_rows * 131u + cols + flags))
		goto out;
	random_floats(x, cols, cols * 17u + flags);
	random_floats(norm, cols, cols * 19u + 1);
	random_floats(y0, rows, rows * 23u + 2);
	for (uint32_t c = 0; c < cols; c++)
		norm[c] = 1.0f + 0.5f * norm[c];
	if (flags & EA_MV_NORM)
		ea_ref_rmsnorm(xn, x, norm, (int)cols, eps);
	else
		memcpy(xn, x, cols * sizeof(float));
	ea_ref_matvec(pre, w.raw, type, xn, (int)w_rows, (int)cols);
	for (uint32_t r = 0; r < w_rows; r++) {
		double fp = 0.0, q8 = 0.0;

		for (uint32_t b = 0; b < cols; b += 32) {
			double amax = 0.0, sum_w = 0.0;

			for (uint32_t c = b; c < b + 32 && c < cols; c++) {
				double wc = fabs((double)w.values[(size_t)r * cols + c]);

				amax = fmax(amax, fabs((double)xn[c]));
				sum_w += wc;
				fp += wc * fabs((double)xn[c]);
			}
			q8 += sum_w * amax / 254.0 * 1.01;
		}
		err[r] = (float)(1e-5 * fp * sqrt((double)cols) + (path.int8_dot ? q8 : 0.0));
	}
	for (uint32_t r = 0; r < rows; r++) {
		float g = pre[r];

		want[r] = g;
		bound[r] = err[r];
		if (swiglu) {
			float u = pre[rows + r], eg = err[r], eu = err[rows + r];

			want[r] = silu(g) * u;
			bound[r] = 1.1f * eg * (fabsf(u) + eu) + (fabsf(silu(g)) + 1.1f * eg) * eu;
		}
		if (flags & EA_MV_ACC)
			want[r] += y0[r];
		bound[r] += 1e-6f * (fabsf(want[r]) + 1e-3f);
	}
	wb = upload(fx, w.raw, w.bytes);
	xb = upload(fx, x, cols * sizeof(float));
	nb = upload(fx, norm, cols * sizeof(float));
	yb = upload(fx, y0, rows * sizeof(float));
	qb = upload(fx, NULL, ea_op_matvec_xq_bytes(cols));
	if (!wb || !xb || !nb || !yb || !qb || !begin(fx, &rec))
		goto out;
	if (!end_and_run(fx, &rec, OP(&path, &rec, EA_CS_MATVEC, type,
				      SPANS(ea_vk_whole(wb), ea_vk_whole(xb), ea_vk_whole(yb),
					    ea_vk_whole(nb), ea_vk_whole(qb)),
				      rows, cols, flags, ea_op_f32(eps))))
		goto out;
	ok = within(yb->map, want, bound, rows, 1.0);
out:
	release(fx, wb);
	release(fx, xb);
	release(fx, nb);
	release(fx, yb);
	release(fx, qb);
	free_weights(&w);
	free(x);
	free(norm);
	free(xn);
	free(pre);
	free(err);
	free(y0);
	free(want);
	free(bound);
	return ok;
}

/* Value k (0..15) of unit u's uvec4 as quantize_x writes it: its index in x. */
static uint32_t unit_value(enum ea_type type, uint32_t u, uint32_t k)
{
	uint32_t b = u / 2, h = u % 2, word = k / 4;

	if (type == EA_TYPE_Q8_0)
		return b * 32 + 16 * h + k;
	/* Q4_0: the words of values 8h .. 8h+7, then those of 16+8h .. 16+8h+7 */
	return b * 32 + (word < 2 ? 8 * h + 4 * word : 16 + 8 * h + 4 * (word - 2)) + k % 4;
}

/*
 * ea_op_quantize_x() against the CPU: for each block of 32 of xn (x, or
 * x * norm with EA_MV_NORM), d = max|xn| / 127 within 1e-5 relative, each
 * int8 q within d / 2 (1% for the fp32 of x / d) of xn / d, in the unit order
 * of @type's matvec, and the second scale 8 d sum q over the unit for Q4_0 (0
 * for Q8_0); after the units, the scale of all: 1 / sqrt(mean(x^2) + eps)
 * with EA_MV_NORM within 1e-5 relative (the RMSNorm of ea_ref_rmsnorm()),
 * else 1.
 */
static bool quantize_matches(struct fixture *fx, struct ea_vk_ops *ops, enum ea_type type,
			     uint32_t cols, uint32_t flags)
{
	const float eps = 1e-5f;
	uint32_t n_units = cols / 16;
	size_t scales_at = (cols + 255) / 256 * 256;
	float *x = malloc(cols * sizeof(float)), *norm = malloc(cols * sizeof(float));
	float *xn = malloc(cols * sizeof(float));
	struct ea_vk_buffer *xb = NULL, *nb = NULL, *qb = NULL;
	const float *qd;
	double ss = 0.0, want_scale = 1.0;
	struct ea_vk_rec rec;
	bool ok = false;

	if (!x || !norm || !xn)
		goto out;
	random_floats(x, cols, cols * 13u + flags);
	random_floats(norm, cols, cols * 11u + 3);
	for (uint32_t c = 0; c < cols; c++) {
		xn[c] = flags & EA_MV_NORM ? x[c] * norm[c] : x[c];
		ss += (double)x[c] * x[c];
	}
	if (flags & EA_MV_NORM)
		want_scale = 1.0 / sqrt(ss / cols + eps);
	xb = upload(fx, x, cols * sizeof(float));
	nb = upload(fx, norm, cols * sizeof(float));
	qb = upload(fx, NULL, ea_op_matvec_xq_bytes(cols));
	if (!xb || !nb || !qb || !begin(fx, &rec) ||
	    !end_and_run(fx, &rec, ea_op_quantize_x(ops, &rec, type, ea_vk_whole(xb),
						       ea_vk_whole(nb), ea_vk_whole(qb), cols,
						       flags, eps)))
		goto out;
	qd = (const float *)((const uint8_t *)qb->map + scales_at);
	ok = fabs(qd[2 * n_units] - want_scale) <= 1e-5 * want_scale;
	if (!ok)
		tap_diag("scale %g, want %g", qd[2 * n_units], want_scale);
	for (uint32_t u = 0; u < n_units && ok; u++) {
		const int8_t *q = (const int8_t *)qb->map + (size_t)u * 16;
		double amax = 0.0, sum = 0.0, d = qd[2 * u];

		for (uint32_t c = u / 2 * 32; c < u / 2 * 32 + 32; c++)
			amax = fmax(amax, fabs((double)xn[c]));
		ok = fabs(d - amax / 127.0) <= 1e-5 * amax / 127.0;
		for (uint32_t k = 0; k < 16 && ok; k++) {
			double v = xn[unit_value(type, u, k)];

			ok = fabs(q[k] * d - v) <= 0.505 * d + 1e-6 * fabs(v);
			sum += q[k];
		}
		if (ok)
			ok = type == EA_TYPE_Q8_0 ? qd[2 * u + 1] == 0.0f :
			     fabs(qd[2 * u + 1] - 8.0 * d * sum) <= 1e-5 * 8.0 * d * 16 * 127;
		if (!ok)
			tap_diag("unit %u: d %g (want %g), second scale %g", u, d, amax / 127.0,
				 qd[2 * u + 1]);
	}
out:
	release(fx, xb);
	release(fx, nb);
	release(fx, qb);
	free(x);
	free(norm);
	free(xn);
	return ok;
}

/* Weights, x and y in device-local memory, filled and read by copies; the
 * weights at an offset inside a larger buffer, as a model's tensors are. */
static bool local_matvec_matches(struct fixture *fx, enum ea_type type, uint32_t rows,
				 uint32_t cols)
{
	const VkDeviceSize at = fx->vk->limits.minStorageBufferOffsetAlignment * 3;
	float *x = malloc(cols * sizeof(float)), *want = malloc(rows * sizeof(float));
	float *got = malloc(rows * sizeof(float)), *scale = malloc(rows * sizeof(float));
	struct ea_vk_buffer wb = { 0 }, xb = { 0 }, yb = { 0 };
	struct ea_vk_span w_span;
	struct weights w = { 0 };
	struct ea_vk_rec rec;
	ea_status status;
	bool ok = false;

	if (!x || !want || !got || !scale || !make_weights(&w, type, rows, cols, 99))
		goto out;
	random_floats(x, cols, 98);
	ea_ref_matvec(want, w.raw, type, x, (int)rows, (int)cols);
	product_scales(scale, w.values, x, rows, cols, 1);
	status = ea_vk_buffer_create_local(fx->vk, at + ((w.bytes + 3) & ~(size_t)3), &wb, &fx->err);
	if (status == EA_OK)
		status = ea_vk_buffer_create_local(fx->vk, cols * sizeof(float), &xb, &fx->err);
	if (status == EA_OK)
		status = ea_vk_buffer_create_local(fx->vk, rows * sizeof(float), &yb, &fx->err);
	if (status == EA_OK)
		status = ea_vk_buffer_write(fx->vk, &wb, at, w.raw, w.bytes, &fx->err);
	if (status == EA_OK)
		status = ea_vk_buffer_write(fx->vk, &xb, 0, x, cols * sizeof(float), &fx->err);
	if (status == EA_OK && begin(fx, &rec)) {
		w_span = (struct ea_vk_span){ .buf = &wb, .offset = at, .size = VK_WHOLE_SIZE };
		if (end_and_run(fx, &rec, OP(&fx->variants[fx->n_variants - 1], &rec,
					     EA_CS_MATVEC, type, SPANS(w_span, ea_vk_whole(&xb),
					     ea_vk_whole(&yb)), rows, cols, 0, 0)))
			status = ea_vk_buffer_read(fx->vk, &yb, 0, got, rows * sizeof(float),
						   &fx->err);
		else
			status = EA_ERR_VULKAN;
	}
	if (status != EA_OK)
		tap_diag("%s: %s", ea_strerror(status), fx->err.msg);
	else
		ok = within(got, want, scale, rows, 1e-5);
out:
	ea_vk_buffer_destroy(fx->vk, &wb);
	ea_vk_buffer_destroy(fx->vk, &xb);
	ea_vk_buffer_destroy(fx->vk, &yb);
	free_weights(&w);
	free(x);
	free(want);
	free(got);
	free(scale);
	return ok;
}

/* Bad shapes and short spans are refused with a message, nothing recorded. */
static bool rejects_bad_shapes(struct fixture *fx)
{
	struct ea_vk_ops *ops = &fx->variants[0];
	struct ea_vk_buffer *small = upload(fx, NULL, 64);
	struct ea_vk_rec rec;
	bool ok;

	if (!small || !begin(fx, &rec)) {
		release(fx, small);
		return false;
	}
	ok = OP(ops, &rec, EA_CS_MATVEC, EA_TYPE_Q4_0, SPANS(ea_vk_whole(small),
		ea_vk_whole(small), ea_vk_whole(small)), 1, 33, 0, 0) == EA_ERR_INVALID_ARGUMENT;
	tap_diag("cols 33 for q4_0: %s", fx->err.msg);
	ok &= OP(ops, &rec, EA_CS_MATVEC, EA_TYPE_Q8_0, SPANS(ea_vk_whole(small),
		 ea_vk_whole(small), ea_vk_whole(small)), 4, 32, 0, 0) == EA_ERR_INVALID_ARGUMENT;
	tap_diag("4 x 32 q8_0 in 64 bytes: %s", fx->err.msg);
	ok &= rec.n_dispatches == 0;
	ea_vk_rec_destroy(&rec);
	release(fx, small);
	return ok;
}

/* Fused flags of the matvec (EA_CS_MATVEC's). */
static const uint32_t fused_flags[] = {
	0, EA_MV_NORM, EA_MV_NORM | EA_MV_ACC, EA_MV_NORM | EA_MV_SWIGLU,
	EA_MV_ACC,
};
#define N_FUSED (sizeof(fused_flags) / sizeof(fused_flags[0]))
static const enum ea_type i8_types[] = { EA_TYPE_Q8_0, EA_TYPE_Q4_0 };
/* Shapes of the int8 path: short groups, units past the 128 invocations, a
 * row of TinyLlama's ffn, 8192 (the most an _i8x workgroup quantizes itself)
 * and past it (x quantized first even with own_x). */
static const uint32_t i8_shapes[][2] = { { 7, 96 }, { 129, 1184 }, { 21, 5632 }, { 9, 8192 },
					 { 3, 8224 } };
#define N_I8_SHAPES (sizeof(i8_shapes) / sizeof(i8_shapes[0]))

/* x quantized for the int8 matvec: 1 and 3 blocks, a row of TinyLlama, and
 * more blocks (320) than the workgroup's 256 invocations. */
static const uint32_t quantize_cols[] = { 32, 96, 2048, 10240 };
#define N_QUANTIZE (sizeof(quantize_cols) / sizeof(quantize_cols[0]))

/* ea_op_quantize_x for both types and builds, with and without the norm:
 * 2 * 2 * 2 * N_QUANTIZE tests. */
static void test_quantize(struct tap *t, struct fixture *fx)
{
	for (size_t i = 0; i < 2; i++)
		for (int v = 0; v < 2; v++)
			for (uint32_t norm = 0; norm < 2; norm++)
				for (size_t c = 0; c < N_QUANTIZE; c++) {
					if (v >= fx->n_variants) {
						tap_ok(t, true, "# SKIP no subgroup arithmetic");
						continue;
					}
					tap_ok(t, quantize_matches(fx, &fx->variants[v], i8_types[i],
								   quantize_cols[c],
								   norm ? EA_MV_NORM : 0),
					       "quantize_x %s (%s)%s: %u values",
					       ea_type_name(i8_types[i]), fx->variant_names[v],
					       norm ? " with the norm" : "", quantize_cols[c]);
				}
}

/* The fused flags on both paths, and the int8 one at every shape; tests in
 * all: N_FUSED * 2 * 2 * (1 + 2 * N_I8_SHAPES). */
static void test_fused_and_int8(struct tap *t, struct fixture *fx)
{
	for (size_t i = 0; i < 2; i++)
		for (int v = 0; v < 2; v++)
			for (size_t f = 0; f < N_FUSED; f++) {
				const char *type = ea_type_name(i8_types[i]);
				struct ea_vk_ops ops;

				if (v >= fx->n_variants) {
					for (size_t k = 0; k < 1 + 2 * N_I8_SHAPES; k++)
						tap_ok(t, true, "# SKIP no subgroup arithmetic");
					continue;
				}
				ops = fx->variants[v];
				tap_ok(t, fused_matvec_matches(fx, &ops, i8_types[i], 129, 1184,
							       fused_flags[f]),
				       "matvec %s (%s, float) flags %#x: 129 x 1184", type,
				       fx->variant_names[v], fused_flags[f]);
				ops.int8_dot = true;
				for (size_t s = 0; s < 2 * N_I8_SHAPES; s++) {
					const uint32_t *shape = i8_shapes[s / 2];

					if (!fx->int8_dot) {
						tap_ok(t, true, "# SKIP no int8 dot product");
						continue;
					}
					ops.own_x = s % 2;
					tap_ok(t, fused_matvec_matches(fx, &ops, i8_types[i], shape[0],
								       shape[1], fused_flags[f]),
					       "matvec %s (%s, int8 dot, x quantized %s) flags %#x: "
					       "%u x %u", type, fx->variant_names[v],
					       ops.own_x ? "by each workgroup" : "first",
					       fused_flags[f], shape[0], shape[1]);
				}
			}
}

int main(void)
{
	static const uint32_t matmul_tokens[] = { 1, 5, 33 };
	static const uint32_t matmul_rows[] = { 7, 129 };
	struct fixture fx;
	struct tap t = { 0 };

	tap_plan(&t, 1 + (int)N_TYPES * (2 * 2 * (int)N_ROWS + 3 * 2 * 3 * 2 + 1) + 2 +
		     (int)(N_FUSED * 2 * 2 * (1 + 2 * N_I8_SHAPES)) + (int)(2 * 2 * 2 * N_QUANTIZE));
	if (!fixture_open(&t, &fx))
		return 1;
	for (size_t i = 0; i < N_TYPES; i++) {
		const char *type = ea_type_name(types[i]);

		/* matvec has both builds; matmul and embed have no reductions. */
		for (int v = 0; v < 2; v++)
			for (int c = 0; c < 2; c++)
				for (size_t r = 0; r < N_ROWS; r++) {
					if (v >= fx.n_variants) {
						tap_ok(&t, true, "# SKIP no subgroup arithmetic");
						continue;
					}
					tap_ok(&t, product_matches(&fx, &fx.variants[v], types[i],
								   matvec_rows[r], cols_of[i][c], 0),
					       "matvec %s (%s): %u x %u", type, fx.variant_names[v],
					       matvec_rows[r], cols_of[i][c]);
				}
		for (int shape = 0; shape < 3; shape++)
			for (size_t k = 0; k < 3 * 2; k++)
				for (size_t r = 0; r < 2; r++) {
					struct ea_vk_ops ops = fx.variants[0];
					static const char *const shapes[] = { "GPU", "CPU",
									      "matrix-unit" };

					ops.cpu_shape = shape == 1;
					ops.coopmat = shape == 2;
					if (shape == 1 && !ea_vk_can_cpu_shape(fx.vk)) {
						tap_ok(&t, true, "# SKIP no CPU-shaped kernels here");
						continue;
					}
					if (shape == 2 && !fx.vk->coopmat) {
						tap_ok(&t, true, "# SKIP no cooperative matrices here");
						continue;
					}
					tap_ok(&t, product_matches(&fx, &ops, types[i], matmul_rows[r],
								   cols_of[i][k % 2], matmul_tokens[k / 2]),
					       "matmul %s (%s shape): %u tokens x %u x %u", type,
					       shapes[shape], matmul_tokens[k / 2], matmul_rows[r],
					       cols_of[i][k % 2]);
				}
		tap_ok(&t, embed_matches(&fx, &fx.variants[0], types[i], cols_of[i][1]),
		       "embed %s: 5 tokens of %u values", type, cols_of[i][1]);
	}
	tap_ok(&t, local_matvec_matches(&fx, EA_TYPE_Q4_0, 129, 1184),
	       "matvec q4_0 129 x 1184 on device-local buffers, weights at an offset");
	tap_ok(&t, rejects_bad_shapes(&fx), "bad shapes and short buffers are refused");
	test_fused_and_int8(&t, &fx);
	test_quantize(&t, &fx);
	fixture_close(&fx);
	return tap_done(&t);
}

// SPDX-License-Identifier: MIT
/* ea_op_table - every command-stream op described once: the table and each op's shape rule. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ea_kernels.h"
#include "ea_op_table.h"
#include "ea_model.h"
#include "ea_quant.h"

static uint64_t div_up(uint64_t a, uint64_t b)
{
	return (a + b - 1) / b;
}

static uint64_t floats(uint64_t n)
{
	return n * sizeof(float);
}

static ea_status bad(struct ea_error *err, const struct ea_cs_op *op, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static ea_status bad(struct ea_error *err, const struct ea_cs_op *op, const char *fmt, ...)
{
	char why[EA_ERROR_MAX / 2];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return ea_error_set(err, EA_ERR_INVALID_ARGUMENT, "%s: %s", ea_op_name(op->opcode), why);
}

#define PUSH(plan, type, ...)							\
	do {									\
		const struct ea_push_##type p_ = { __VA_ARGS__ };		\
		_Static_assert(sizeof(p_) <= sizeof((plan)->push), "push");	\
		memcpy((plan)->push, &p_, sizeof(p_));				\
	} while (0)

/* Bytes of @rows rows of @cols values of @type, rounded up to whole words
 * (the kernels read 32-bit words); 0 for a shape the type cannot hold. */
static uint64_t weight_bytes(uint32_t type, uint64_t rows, uint32_t cols)
{
	uint64_t row = ea_type_valid(type) ? ea_type_row_bytes(type, cols) : 0;

	return row ? (rows * row + 3) & ~(uint64_t)3 : 0;
}

static ea_status check_weights(const struct ea_cs_op *op, uint32_t type, uint64_t rows,
			       uint32_t cols, uint64_t *need, struct ea_error *err)
{
	*need = weight_bytes(type, rows, cols);
	if (rows == 0 || *need == 0)
		return bad(err, op, "%llu x %u weights of type %s: a type edgeai supports and "
			   "cols a non-zero multiple of its block are needed",
			   (unsigned long long)rows, cols, ea_type_name(type));
	return EA_OK;
}

/* MATVEC: ref w, x, y, norm, xq; arg rows, cols, flags, eps. */
static ea_status plan_matvec(const struct ea_cs_op *op, const struct ea_vk_ops *ops,
			     struct ea_op_plan *plan, struct ea_error *err)
{
	uint32_t rows = op->arg[0], cols = op->arg[1], flags = op->arg[2];
	bool swiglu = flags & EA_MV_SWIGLU;
	ea_status status;

	(void)ops;
	if (flags & ~(EA_MV_NORM | EA_MV_ACC | EA_MV_SWIGLU))
		return bad(err, op, "flags %#x", flags);
	status = check_weights(op, op->type, swiglu ? 2ull * rows : rows, cols, &plan->need[0],
			       err);
	if (status != EA_OK)
		return status;
	plan->need[1] = floats(cols);
	plan->need[2] = floats(rows);
	plan->need[3] = flags & EA_MV_NORM ? floats(cols) : 0;
	plan->need[4] = op->ref[4].bytes ? ea_op_matvec_xq_bytes(cols) : 0;
	PUSH(plan, matvec, rows, cols, flags, ea_op_f32_of(op->arg[3]));
	plan->groups_x = div_up(rows, swiglu ? EA_MATVEC_ROWS / 2 : EA_MATVEC_ROWS);
	plan->groups_y = 1;
	return EA_OK;
}

/* MATMUL: ref w, x, y; arg rows, cols, n_tokens, out_stride (0: rows). */
static ea_status plan_matmul(const struct ea_cs_op *op, const struct ea_vk_ops *ops,
			     struct ea_op_plan *plan, struct ea_error *err)
{
	uint32_t rows = op->arg[0], cols = op->arg[1], n_tokens = op->arg[2];
	uint32_t stride = op->arg[3] ? op->arg[3] : rows;
	bool cpu = ops && ops->cpu_shape;
	bool cm = ops && ops->coopmat && !cpu;
	ea_status status = check_weights(op, op->type, rows, cols, &plan->need[0], err);

	if (status != EA_OK)
		return status;
	if (n_tokens == 0)
		return bad(err, op, "no tokens");
	if (stride < rows)
		return bad(err, op, "an output stride of %u values for rows of %u", stride, rows);
	plan->need[1] = floats((uint64_t)cols * n_tokens);
	plan->need[2] = floats((uint64_t)stride * (n_tokens - 1) + rows);
	PUSH(plan, matmul, rows, cols, n_tokens, stride);
	plan->groups_x = div_up(rows, cpu ? EA_CPU_LANES * EA_MATMUL_CPU_ROWS :
				cm ? EA_MATMUL_CM_ROWS : EA_MATMUL_TILE);
	plan->groups_y = div_up(n_tokens, cpu ? EA_MATMUL_CPU_TOKENS :
				cm ? EA_MATMUL_CM_TOKENS : EA_MATMUL_TILE);
	return EA_OK;
}

/* EMBED: ref table, ids, out; arg cols, n_tokens. */
static ea_status plan_embed(const struct ea_cs_op *op, const struct ea_vk_ops *ops,
			    struct ea_op_plan *plan, struct ea_error *err)
{
	uint32_t cols = op->arg[0], n_tokens = op->arg[1];
	ea_status status = check_weights(op, op->type, 1, cols, &plan->need[0], err);

	(void)ops;
	if (status != EA_OK)
		return status;
	if (n_tokens == 0)
		return bad(err, op, "no tokens");
	plan->need[1] = (uint64_t)n_tokens * sizeof(uint32_t);
	plan->need[2] = floats((uint64_t)cols * n_tokens);
	PUSH(plan, embed, cols, n_tokens);
	plan->flat = (uint64_t)cols * n_tokens;
	return EA_OK;
}

/* RMSNORM: ref x, weight, out; arg n, n_rows, eps. One workgroup a row. */
static ea_status plan_rmsnorm(const struct ea_cs_op *op, const struct ea_vk_ops *ops,
			      struct ea_op_plan *plan, struct ea_error *err)
{
	uint32_t n = op->arg[0], n_rows = op->arg[1];

	(void)ops;
	if (n == 0 || n_rows == 0)
		return bad(err, op, "%u rows of %u values", n_rows, n);
	plan->need[0] = plan->need[2] = floats((uint64_t)n * n_rows);
	plan->need[1] = floats(n);
	PUSH(plan, rmsnorm, n, ea_op_f32_of(op->arg[2]));
	plan->groups_x = n_rows;
	plan->groups_y = 1;
	return EA_OK;
}

/* SOFTMAX: ref x, out; arg n, n_rows. One workgroup a row. */
static ea_status plan_softmax(const struct ea_cs_op *op, const struct ea_vk_ops *ops,
			      struct ea_op_plan *plan, struct ea_error *err)
{
	uint32_t n = op->arg[0], n_rows = op->arg[1];

	(void)ops;
	if (n == 0 || n_rows == 0)
		return bad(err, op, "%u rows of %u values", n_rows, n);
	plan->need[0] = plan->need[1] = floats((uint64_t)n * n_rows);
	PUSH(plan, softmax, n);
	plan->groups_x = n_rows;
	plan->groups_y = 1;
	return EA_OK;
}

static bool rope_ok(uint32_t head_dim, uint32_t mode, float freq_base)
{
	return head_dim && head_dim % 2 == 0 && (mode == EA_ROPE_NORMAL || mode == EA_ROPE_NEOX) &&
	       freq_base > 0.0f;
}

/* ROPE: ref x, step; arg n_heads, head_dim, n_tokens, freq_base, mode. */
static ea_status plan_rope(const struct ea_cs_op *op, const struct ea_vk_ops *ops,
			   struct ea_op_plan *plan, struct ea_error *err)
{
	const uint32_t *a = op->arg;
	uint64_t n = (uint64_t)a[0] * a[1] * a[2];
	float base = ea_op_f32_of(a[3]);

	(void)ops;
	if (n == 0 || !rope_ok(a[1], a[4], base))
		return bad(err, op, "%u tokens x %u heads x %u (even) values, mode %u, base %g",
			   a[2], a[0], a[1], a[4], (double)base);
	plan->need[0] = floats(n);
	plan->need[1] = sizeof(struct ea_cs_step);
	PUSH(plan, rope, a[0], a[1], a[2], a[4], base);
	plan->flat = n / 2;
	return EA_OK;
}

/* SWIGLU: ref gate, up, out; arg n, n_rows (0: gate and up apart). */
static ea_status plan_swiglu(const struct ea_cs_op *op, const struct ea_vk_ops *ops,
			     struct ea_op_plan *plan, struct ea_error *err)
{
	uint32_t n = op->arg[0], n_rows = op->arg[1];
	uint64_t rows = n_rows ? n_rows : 1;

	(void)ops;
	if (n == 0)
		return bad(err, op, "%u rows of %u values", n_rows, n);
	plan->need[0] = floats((n_rows ? 2 : 1) * rows * n);
	plan->need[1] = n_rows ? 0 : floats(n);
	plan->need[2] = floats(rows * n);
	PUSH(plan, swiglu, n, n_rows);
	plan->flat = rows * n;
	return EA_OK;
}

/* ADD: ref a, b, out; arg n, n_b. */
static ea_status plan_add(const struct ea_cs_op *op, const struct ea_vk_ops *ops,
			  struct ea_op_plan *plan, struct ea_error *err)
{
	uint32_t n = op->arg[0], n_b = op->arg[1];

	(void)ops;
	if (n == 0 || n_b == 0 || n % n_b)
		return bad(err, op, "%u values with b of %u (a non-zero divisor)", n, n_b);
	plan->need[0] = plan->need[2] = floats(n);
	plan->need[1] = floats(n_b);
	PUSH(plan, add, n, n_b);
	plan->flat = n;
	return EA_OK;
}

/* STORE_ROWS: ref src, cache, step; arg n, n_tokens, cache_rows. */
static ea_status plan_store_rows(const struct ea_cs_op *op, const struct ea_vk_ops *ops,
				 struct ea_op_plan *plan, struct ea_error *err)
{
	uint32_t n = op->arg[0], n_tokens = op->arg[1], cache_rows = op->arg[2];

	(void)ops;
	if (n == 0 || n_tokens == 0 || n_tokens > cache_rows)
		return bad(err, op, "%u rows of %u values into a cache of %u rows", n_tokens, n,
			   cache_rows);
	plan->need[0] = floats((uint64_t)n * n_tokens);
	plan->need[1] = floats((uint64_t)n * cache_rows);
	plan->need[2] = sizeof(struct ea_cs_step);
	PUSH(plan, store_rows, n, n_tokens);
	plan->flat = (uint64_t)n * n_tokens;
	return EA_OK;
}

/* ARGMAX: ref x, out; arg n. One workgroup. */
static ea_status plan_argmax(const struct ea_cs_op *op, const struct ea_vk_ops *ops,
			     struct ea_op_plan *plan, struct ea_error *err)
{
	(void)ops;
	if (op->arg[0] == 0)
		return bad(err, op, "no values");
	plan->need[0] = floats(op->arg[0]);
	plan->need[1] = sizeof(uint32_t);
	PUSH(plan, argmax, op->arg[0]);
	plan->groups_x = plan->groups_y = 1;
	return EA_OK;
}

/* ROPE_STORE: ref qkv, q_out, k_cache, v_cache, step; arg n_heads, n_kv_heads,
 * head_dim, n_tokens, freq_base, mode, cache_rows. */
static ea_status plan_rope_store(const struct ea_cs_op *op, const struct ea_vk_ops *ops,
				 struct ea_op_plan *plan, struct ea_error *err)
{
	const uint32_t *a = op->arg;
	uint32_t n_heads = a[0], n_kv = a[1], head_dim = a[2], n_tokens = a[3], rows = a[6];
	uint64_t kvd = (uint64_t)n_kv * head_dim, qd = (uint64_t)n_heads * head_dim;
	float base = ea_op_f32_of(a[4]);

	(void)ops;
	if (n_tokens == 0 || n_heads == 0 || n_kv == 0 || rows == 0 ||
	    !rope_ok(head_dim, a[5], base))
		return bad(err, op, "%u tokens x %u + 2 x %u heads x %u (even) values, %u cache "
			   "rows, mode %u, base %g", n_tokens, n_heads, n_kv, head_dim, rows, a[5],
			   (double)base);
	plan->need[0] = floats((qd + 2 * kvd) * n_tokens);
	plan->need[1] = floats(qd * n_tokens);
	plan->need[2] = plan->need[3] = floats(kvd * rows);
	plan->need[4] = sizeof(struct ea_cs_step);
	PUSH(plan, rope_store, n_heads, n_kv, head_dim, n_tokens, a[5], base, rows);
	plan->flat = ((n_heads + (uint64_t)n_kv) * (head_dim / 2) + kvd) * n_tokens;
	return EA_OK;
}

/* LAST_ROW: ref src, out, step; arg n, n_rows. */
static ea_status plan_last_row(const struct ea_cs_op *op, const struct ea_vk_ops *ops,
			       struct ea_op_plan *plan, struct ea_error *err)
{
	uint32_t n = op->arg[0], n_rows = op->arg[1];

	(void)ops;
	if (n == 0 || n_rows == 0)
		return bad(err, op, "%u rows of %u", n_rows, n);
	plan->need[0] = floats((uint64_t)n * n_rows);
	plan->need[1] = floats(n);
	plan->need[2] = sizeof(struct ea_cs_step);
	PUSH(plan, last_row, n, n_rows);
	plan->flat = n;
	return EA_OK;
}

/* SCORE_ROWS: ref src, out, step; arg n, n_rows, n_out. */
static ea_status plan_score_rows(const struct ea_cs_op *op, const struct ea_vk_ops *ops,
				 struct ea_op_plan *plan, struct ea_error *err)
{
	uint32_t n = op->arg[0], n_rows = op->arg[1], n_out = op->arg[2];

	(void)ops;
	if (n == 0 || n_rows == 0 || n_out == 0)
		return bad(err, op, "%u of %u rows of %u", n_out, n_rows, n);
	plan->need[0] = floats((uint64_t)n * n_rows);
	plan->need[1] = floats((uint64_t)n * n_out);
	plan->need[2] = sizeof(struct ea_cs_step);
	PUSH(plan, score_rows, n, n_rows, n_out);
	plan->flat = (uint64_t)n * n_out;
	return EA_OK;
}

/* TOKEN_NLL: ref logits, ids, nll, step; arg n_vocab, n_rows, n_tokens. One
 * workgroup a row. */
static ea_status plan_token_nll(const struct ea_cs_op *op, const struct ea_vk_ops *ops,
				struct ea_op_plan *plan, struct ea_error *err)
{
	uint32_t n_vocab = op->arg[0], n_rows = op->arg[1], n_tokens = op->arg[2];

	(void)ops;
	if (n_vocab == 0 || n_rows == 0 || n_tokens == 0)
		return bad(err, op, "%u rows of %u logits, %u tokens", n_rows, n_vocab, n_tokens);
	plan->need[0] = floats((uint64_t)n_vocab * n_rows);
	plan->need[1] = (uint64_t)n_tokens * sizeof(uint32_t);
	plan->need[2] = floats(n_rows);
	plan->need[3] = sizeof(struct ea_cs_step);
	PUSH(plan, token_nll, n_vocab, n_rows, n_tokens);
	plan->groups_x = n_rows;
	plan->groups_y = 1;
	return EA_OK;
}

uint64_t ea_op_attention_partial_bytes(uint32_t n_tokens, uint32_t n_heads, uint32_t head_dim,
				       uint32_t n_ctx)
{
	/* Each split's slot, then a counter per token and head (attention.comp). */
	return (uint64_t)n_tokens * n_heads * div_up(n_ctx, EA_ATTENTION_SPLIT) *
	       (head_dim + 2) * sizeof(float) + (uint64_t)n_tokens * n_heads * sizeof(uint32_t);
}

/* ATTENTION: ref q, k_cache, v_cache, partial, out, step; arg n_heads,
 * n_kv_heads, head_dim, n_tokens, n_ctx. Dispatch: a workgroup per token,
 * head and split of the context, then their combination (ea_op_record.c). */
static ea_status plan_attention(const struct ea_cs_op *op, const struct ea_vk_ops *ops,
				struct ea_op_plan *plan, struct ea_error *err)
{
	const uint32_t *a = op->arg;
	uint32_t n_heads = a[0], n_kv = a[1], head_dim = a[2], n_tokens = a[3], n_ctx = a[4];
	uint64_t n_q = (uint64_t)n_tokens * n_heads * head_dim;
	uint32_t splits = (uint32_t)div_up(n_ctx, EA_ATTENTION_SPLIT);

	(void)ops;
	if (n_heads == 0 || n_kv == 0 || n_heads % n_kv || head_dim == 0 || head_dim % 2 ||
	    head_dim > EA_MAX_HEAD_DIM || n_tokens == 0 || n_tokens > n_ctx)
		return bad(err, op, "%u heads over %u kv heads (a divisor), head_dim %u (even, at "
			   "most %u), %u tokens in a context of %u", n_heads, n_kv, head_dim,
			   EA_MAX_HEAD_DIM, n_tokens, n_ctx);
	plan->need[0] = plan->need[4] = floats(n_q);
	plan->need[1] = plan->need[2] = floats((uint64_t)n_ctx * n_kv * head_dim);
	plan->need[3] = ea_op_attention_partial_bytes(n_tokens, n_heads, head_dim, n_ctx);
	plan->need[5] = sizeof(struct ea_cs_step);
	PUSH(plan, attention, n_heads, n_kv, head_dim, EA_ATTENTION_SPLIT, splits,
	     1.0f / sqrtf((float)head_dim));
	plan->groups_x = (uint64_t)n_tokens * n_heads;
	plan->groups_y = splits;
	return EA_OK;
}

/* The int8 matvec's x: its int8 values, then (at the next EA_XQ_ALIGN bytes)
 * a vec2 of scales a unit of 16 and one for all. */
static uint64_t xq_scales_at(uint32_t cols)
{
	uint64_t q = (uint64_t)cols / 16 * EA_XQ_UNIT_BYTES;

	return (q + EA_XQ_ALIGN - 1) / EA_XQ_ALIGN * EA_XQ_ALIGN;
}

uint64_t ea_op_matvec_xq_bytes(uint32_t cols)
{
	return xq_scales_at(cols) + ((uint64_t)cols / 16 + 1) * EA_XQ_SCALE_BYTES;
}

static void xq_spans(struct ea_vk_span xq, uint32_t cols, struct ea_vk_span *q,
		     struct ea_vk_span *d)
{
	*q = (struct ea_vk_span){ .buf = xq.buf, .offset = xq.offset,
				  .size = (VkDeviceSize)cols / 16 * EA_XQ_UNIT_BYTES };
	*d = (struct ea_vk_span){ .buf = xq.buf, .offset = xq.offset + xq_scales_at(cols),
				  .size = ((VkDeviceSize)cols / 16 + 1) * EA_XQ_SCALE_BYTES };
}

static bool is_i8_type(uint32_t type)
{
	return type == EA_TYPE_Q4_0 || type == EA_TYPE_Q8_0;
}

ea_status ea_op_quantize_x(struct ea_vk_ops *ops, struct ea_vk_rec *rec, uint32_t type,
			   struct ea_vk_span x, struct ea_vk_span norm, struct ea_vk_span xq,
			   uint32_t cols, uint32_t flags, float eps)
{
	struct ea_push_quantize_x push = { cols, flags, eps };
	struct ea_vk_span spans[4] = { x, flags & EA_MV_NORM ? norm : x };
	struct ea_op_plan plan = { .groups_x = 1, .groups_y = 1 };
	char name[32];

	if (!is_i8_type(type) || cols == 0 || cols % 32 || flags & ~EA_MV_NORM)
		return ea_error_set(ops->err, EA_ERR_INVALID_ARGUMENT, "quantize_x: %u values (a "
				    "multiple of 32) for %s weights (q4_0 or q8_0), flags %#x",
				    cols, ea_type_name(type), flags);
	if (!x.buf || ea_vk_span_bytes(x) < cols * sizeof(float) ||
	    (flags & EA_MV_NORM && (!norm.buf || ea_vk_span_bytes(norm) < cols * sizeof(float))) ||
	    !xq.buf || ea_vk_span_bytes(xq) < ea_op_matvec_xq_bytes(cols))
		return ea_error_set(ops->err, EA_ERR_INVALID_ARGUMENT, "quantize_x: x, the norm "
				    "weight (%u floats each) or the int8 x (%llu bytes) missing or "
				    "too small", cols,
				    (unsigned long long)ea_op_matvec_xq_bytes(cols));
	xq_spans(xq, cols, &spans[2], &spans[3]);
	snprintf(name, sizeof(name), "quantize_x_%s", ea_type_name(type));
	return ea_op_dispatch(ops, rec, name, EA_OP_SUBGROUP, type, spans, 4, &push, sizeof(push),
			&plan);
}

/* MATVEC: float x, or where the device has int8 dot products, Q4_0 / Q8_0
 * weights and an xq span, the int8 kernel: quantizing x itself (_i8x) where
 * ops->own_x and cols allow, else after x quantized into the xq span. */
static ea_status record_matvec(struct ea_vk_ops *ops, struct ea_vk_rec *rec,
			       const struct ea_cs_op *op, const struct ea_vk_span *span,
			       const struct ea_op_plan *plan)
{
	uint32_t rows = op->arg[0], cols = op->arg[1], flags = op->arg[2];
	struct ea_vk_span spans[4] = { span[0], span[1], span[2],
				       flags & EA_MV_NORM ? span[3] : span[1] };
	struct ea_op_plan i8 = *plan;
	char name[32];
	ea_status status;

	if (!(ops->int8_dot && is_i8_type(op->type) && span[4].buf))
		return ea_op_dispatch(ops, rec, "matvec", EA_OP_TYPED | EA_OP_SUBGROUP, op->type, spans,
				4, plan->push, sizeof(struct ea_push_matvec), plan);
	if (ops->own_x && cols <= EA_MATVEC_I8X_MAX_COLS) {
		uint32_t per = EA_MATVEC_I8X_ROWS / (flags & EA_MV_SWIGLU ? 2 : 1);

		i8.groups_x = div_up(rows, per);
		snprintf(name, sizeof(name), "matvec_%s_i8x", ea_type_name(op->type));
		return ea_op_dispatch(ops, rec, name, EA_OP_SUBGROUP, op->type, spans, 4,
				      plan->push, sizeof(struct ea_push_matvec), &i8);
	}
	status = ea_op_quantize_x(ops, rec, op->type, span[1], span[3], span[4], cols,
				  flags & EA_MV_NORM, ea_op_f32_of(op->arg[3]));
	if (status != EA_OK)
		return status;
	if (rec->manual_barriers)	/* the matvec reads what the quantization wrote */
		ea_vk_rec_barrier(rec);
	xq_spans(span[4], cols, &spans[1], &spans[3]);
	i8.groups_x = (rows + EA_MATVEC_I8_ROWS / (flags & EA_MV_SWIGLU ? 2 : 1) - 1) /
		      (EA_MATVEC_I8_ROWS / (flags & EA_MV_SWIGLU ? 2 : 1));
	snprintf(name, sizeof(name), "matvec_%s_i8", ea_type_name(op->type));
	return ea_op_dispatch(ops, rec, name, EA_OP_SUBGROUP, op->type, spans, 4, plan->push,
			sizeof(struct ea_push_matvec), &i8);
}

/* ATTENTION: a prompt of head_dim 32 or 64 (128 on a GPU) in one dispatch
 * of attention_cpu_d* on a CPU device, of attention_prompt_d* on a GPU;
 * otherwise by splits of the context, the last split of each token and
 * head merging them (attention.comp). */
static ea_status record_attention(struct ea_vk_ops *ops, struct ea_vk_rec *rec,
				const struct ea_cs_op *op, const struct ea_vk_span *span,
				const struct ea_op_plan *plan)
{
	struct ea_push_attention p;
	uint32_t n_tokens = op->arg[3], head_dim = op->arg[2];

	memcpy(&p, plan->push, sizeof(p));
	if (n_tokens > 1 && (head_dim == 32 || head_dim == 64 ||
			     (!ops->cpu_shape && head_dim == 128))) {
		struct ea_push_attention_prompt one_pass = { p.n_heads, p.n_kv_heads, n_tokens,
							     p.scale };
		struct ea_vk_span spans[] = { span[0], span[1], span[2], span[4], span[5] };
		struct ea_op_plan one = {
			.groups_x = div_up(n_tokens, ops->cpu_shape ? EA_ATTENTION_CPU_TOKENS :
					   EA_ATTENTION_PROMPT_TOKENS(head_dim)),
			.groups_y = p.n_heads };
		char name[32];

		snprintf(name, sizeof(name), "attention_%s_d%u",
			 ops->cpu_shape ? "cpu" : "prompt", head_dim);
		return ea_op_dispatch(ops, rec, name, 0, 0, spans, 5, &one_pass, sizeof(one_pass),
				      &one);
	}
	return ea_op_dispatch(ops, rec, "attention", EA_OP_SUBGROUP, 0, span, 6, &p, sizeof(p), plan);
}

#define W(i) (1u << (i))

static const struct ea_op_desc table[EA_CS_OPCODE_COUNT] = {
	[EA_CS_EMBED] = {
		"embed", 3, 0, W(2), 2, EA_OP_TYPED, true, sizeof(struct ea_push_embed),
		{ "the table", "the token ids", "out" }, plan_embed, NULL },
	[EA_CS_MATVEC] = {
		"matvec", 5, W(3) | W(4), W(2) | W(4), 4, EA_OP_TYPED | EA_OP_SUBGROUP, true,
		sizeof(struct ea_push_matvec),
		{ "the weights", "x", "y", "the norm weight", "the int8 x" }, plan_matvec,
		record_matvec },
	[EA_CS_RMSNORM] = {
		"rmsnorm", 3, 0, W(2), 3, EA_OP_SUBGROUP, false, sizeof(struct ea_push_rmsnorm),
		{ "x", "the weight", "out" }, plan_rmsnorm, NULL },
	[EA_CS_ROPE] = {
		"rope", 2, 0, W(0), 5, 0, false, sizeof(struct ea_push_rope),
		{ "x", "the step parameters" }, plan_rope, NULL },
	[EA_CS_SWIGLU] = {
		"swiglu", 3, 0, W(2), 2, 0, false, sizeof(struct ea_push_swiglu),
		{ "gate", "up", "out" }, plan_swiglu, NULL },
	[EA_CS_ADD] = {
		"add", 3, 0, W(2), 2, 0, false, sizeof(struct ea_push_add),
		{ "a", "b", "out" }, plan_add, NULL },
	[EA_CS_STORE_ROWS] = {
		"store_rows", 3, 0, W(1), 3, 0, false, sizeof(struct ea_push_store_rows),
		{ "src", "the cache", "the step parameters" }, plan_store_rows, NULL },
	[EA_CS_ATTENTION] = {
		"attention", 6, 0, W(3) | W(4), 5, EA_OP_SUBGROUP, false,
		sizeof(struct ea_push_attention),
		{ "q", "the key cache", "the value cache", "the partial results", "out",
		  "the step parameters" }, plan_attention, record_attention },
	[EA_CS_ARGMAX] = {
		"argmax", 2, 0, W(1), 1, 0, false, sizeof(struct ea_push_argmax),
		{ "x", "out" }, plan_argmax, NULL },
	[EA_CS_ROPE_STORE] = {
		"rope_store", 5, 0, W(1) | W(2) | W(3), 7, 0, false,
		sizeof(struct ea_push_rope_store),
		{ "q, k and v", "q out", "the key cache", "the value cache",
		  "the step parameters" }, plan_rope_store, NULL },
	[EA_CS_MATMUL] = {
		"matmul", 3, 0, W(2), 4, EA_OP_TYPED | EA_OP_CPU | EA_OP_COOPMAT, true,
		sizeof(struct ea_push_matmul), { "the weights", "X", "Y" }, plan_matmul, NULL },
	[EA_CS_LAST_ROW] = {
		"last_row", 3, 0, W(1), 2, 0, false, sizeof(struct ea_push_last_row),
		{ "src", "out", "the step parameters" }, plan_last_row, NULL },
	[EA_CS_SCORE_ROWS] = {
		"score_rows", 3, 0, W(1), 3, 0, false, sizeof(struct ea_push_score_rows),
		{ "src", "out", "the step parameters" }, plan_score_rows, NULL },
	[EA_CS_TOKEN_NLL] = {
		"token_nll", 4, 0, W(2), 3, EA_OP_SUBGROUP, false,
		sizeof(struct ea_push_token_nll),
		{ "the logits", "the token ids", "nll", "the step parameters" }, plan_token_nll,
		NULL },
	[EA_CS_SOFTMAX] = {
		"softmax", 2, 0, W(1), 2, EA_OP_SUBGROUP, false, sizeof(struct ea_push_softmax),
		{ "x", "out" }, plan_softmax, NULL },
};

const struct ea_op_desc *ea_op_desc(uint32_t opcode)
{
	if (opcode >= EA_CS_OPCODE_COUNT || !table[opcode].name)
		return NULL;
	return &table[opcode];
}

const char *ea_op_name(uint32_t opcode)
{
	const struct ea_op_desc *d = ea_op_desc(opcode);

	return d ? d->name : "?";
}

bool ea_op_writes(const struct ea_cs_op *op, int i)
{
	const struct ea_op_desc *d = ea_op_desc(op->opcode);

	return d && ((d->writes >> i) & 1);
}

void ea_op_cost(const struct ea_cs_op *op, double *bytes, double *flops)
{
	*bytes = 0;
	*flops = 0;
	if (op->opcode == EA_CS_MATVEC)	/* gate and up: twice the rows */
		*flops = 2.0 * op->arg[0] * op->arg[1] * (op->arg[2] & EA_CS_MV_SWIGLU ? 2 : 1);
	else if (op->opcode == EA_CS_MATMUL)
		*flops = 2.0 * op->arg[0] * op->arg[1] * op->arg[2];
	if (op->opcode == EA_CS_ATTENTION || op->opcode == EA_CS_EMBED ||
	    op->opcode == EA_CS_ROPE_STORE)
		return;
	for (int r = 0; r < EA_CS_MAX_REFS; r++)
		*bytes += (double)op->ref[r].bytes;
}

struct ea_cs_op ea_op_make(uint32_t opcode, uint32_t type, const uint32_t *args, int n_args)
{
	struct ea_cs_op op = { .opcode = opcode, .type = type };

	memcpy(op.arg, args, (size_t)n_args * sizeof(*args));
	return op;
}

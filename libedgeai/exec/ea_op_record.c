// SPDX-License-Identifier: MIT
/* ea_op_record - an op of the table turned into its dispatches; the ops of several dispatches. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ea_kernels.h"
#include "ea_op_table.h"
#include "ea_quant.h"

/* The kernel @base of @type (when typed), in the variant @ops chose among @variants. */
static ea_status get_kernel(struct ea_vk_ops *ops, const char *base, uint32_t variants,
			    uint32_t type, uint32_t n_buffers, uint32_t push_bytes,
			    struct ea_vk_kernel **out)
{
	char name[64];

	snprintf(name, sizeof(name), "%s%s%s%s%s", base, variants & EA_OP_TYPED ? "_" : "",
		 variants & EA_OP_TYPED ? ea_type_name(type) : "",
		 variants & EA_OP_CPU && ops->cpu_shape ? "_cpu" : "",
		 variants & EA_OP_SUBGROUP && ops->subgroup ? "_sg" : "");
	return ea_vk_kernel_get(ops->vk, name, n_buffers, push_bytes, out, ops->err);
}

/* x by y workgroups within the device's limits; a flat count folds into y
 * rows of at most the x limit (the kernels number groups y * num_x + x and
 * ignore those past the end). */
static ea_status groups_of(struct ea_vk_ops *ops, const char *name, const struct ea_op_plan *plan,
			   uint32_t *x, uint32_t *y)
{
	const uint32_t *max = ops->vk->limits.maxComputeWorkGroupCount;
	uint64_t gx = plan->groups_x, gy = plan->groups_y;

	if (plan->flat) {
		uint64_t n = (plan->flat + EA_WG_FLAT - 1) / EA_WG_FLAT;

		if (plan->flat > UINT32_MAX)
			return ea_error_set(ops->err, EA_ERR_INVALID_ARGUMENT, "%s: %llu values, "
					    "more than one dispatch indexes", name,
					    (unsigned long long)plan->flat);
		gx = n < max[0] ? n : max[0];
		gy = (n + gx - 1) / gx;
	}
	if (gx == 0 || gy == 0 || gx > max[0] || gy > max[1])
		return ea_error_set(ops->err, EA_ERR_INVALID_ARGUMENT, "%s: %llu x %llu "
				    "workgroups, past the device's %u x %u", name,
				    (unsigned long long)gx, (unsigned long long)gy, max[0], max[1]);
	*x = (uint32_t)gx;
	*y = (uint32_t)gy;
	return EA_OK;
}

static ea_status dispatch(struct ea_vk_ops *ops, struct ea_vk_rec *rec, const char *base,
			  uint32_t variants, uint32_t type, const struct ea_vk_span *spans,
			  uint32_t n_spans, const void *push, uint32_t push_bytes,
			  const struct ea_op_plan *plan)
{
	struct ea_vk_kernel *kernel;
	uint32_t x = 0, y = 0;
	ea_status status = groups_of(ops, base, plan, &x, &y);

	if (status == EA_OK)
		status = get_kernel(ops, base, variants, type, n_spans, push_bytes, &kernel);
	if (status != EA_OK)
		return status;
	return ea_vk_rec_dispatch(rec, kernel, spans, push, x, y, ops->err);
}

/* Each span the op needs is there and large enough. */
static ea_status check_spans(struct ea_vk_ops *ops, const struct ea_op_desc *d,
			     const struct ea_vk_span *span, const struct ea_op_plan *plan)
{
	for (uint32_t i = 0; i < d->n_refs; i++) {
		bool present = span[i].buf && span[i].offset <= span[i].buf->size;

		if (!span[i].buf && (d->optional >> i & 1) && plan->need[i] == 0)
			continue;
		if (!present)
			return ea_error_set(ops->err, EA_ERR_INVALID_ARGUMENT, "%s: no buffer for %s",
					    d->name, d->refs[i]);
		if (ea_vk_span_bytes(span[i]) < plan->need[i])
			return ea_error_set(ops->err, EA_ERR_INVALID_ARGUMENT, "%s: %s needs %llu "
					    "bytes, its span has %llu", d->name, d->refs[i],
					    (unsigned long long)plan->need[i],
					    (unsigned long long)ea_vk_span_bytes(span[i]));
	}
	return EA_OK;
}

ea_status ea_op_record(struct ea_vk_ops *ops, struct ea_vk_rec *rec, const struct ea_cs_op *op,
		       const struct ea_vk_span *span)
{
	const struct ea_op_desc *d = ea_op_desc(op->opcode);
	struct ea_op_plan plan = { 0 };
	ea_status status;

	if (!d)
		return ea_error_set(ops->err, EA_ERR_INVALID_ARGUMENT, "unknown opcode %u",
				    op->opcode);
	status = d->plan(op, ops, &plan, ops->err);
	if (status == EA_OK)
		status = check_spans(ops, d, span, &plan);
	if (status != EA_OK)
		return status;
	if (d->record)
		return d->record(ops, rec, op, span, &plan);
	return dispatch(ops, rec, d->name, d->variants, op->type, span, d->n_refs, plan.push,
			d->push_bytes, &plan);
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
	return dispatch(ops, rec, name, EA_OP_SUBGROUP, type, spans, 4, &push, sizeof(push),
			&plan);
}

/* MATVEC: float x, or where the device has int8 dot products, Q4_0 / Q8_0
 * weights and an xq span, x quantized into it first and the int8 kernel. */
ea_status ea_op_record_matvec(struct ea_vk_ops *ops, struct ea_vk_rec *rec,
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
		return dispatch(ops, rec, "matvec", EA_OP_TYPED | EA_OP_SUBGROUP, op->type, spans,
				4, plan->push, sizeof(struct ea_push_matvec), plan);
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
	return dispatch(ops, rec, name, EA_OP_SUBGROUP, op->type, spans, 4, plan->push,
			sizeof(struct ea_push_matvec), &i8);
}

/* ATTENTION: the splits of the context, then their combination; on a CPU
 * device a prompt of head_dim 32 or 64 in one dispatch of attention_cpu. */
ea_status ea_op_record_attention(struct ea_vk_ops *ops, struct ea_vk_rec *rec,
				 const struct ea_cs_op *op, const struct ea_vk_span *span,
				 const struct ea_op_plan *plan)
{
	struct ea_push_attention p;
	uint32_t n_tokens = op->arg[3], head_dim = op->arg[2];
	struct ea_op_plan second = { .groups_x = plan->groups_x, .groups_y = 1 };
	ea_status status;

	memcpy(&p, plan->push, sizeof(p));
	if (ops->cpu_shape && n_tokens > 1 && (head_dim == 32 || head_dim == 64)) {
		struct ea_push_attention_cpu cpu = { p.n_heads, p.n_kv_heads, n_tokens, p.scale };
		struct ea_vk_span spans[] = { span[0], span[1], span[2], span[4], span[5] };
		struct ea_op_plan one = {
			.groups_x = (n_tokens + EA_ATTENTION_CPU_TOKENS - 1) /
				    EA_ATTENTION_CPU_TOKENS,
			.groups_y = p.n_heads };
		char name[32];

		snprintf(name, sizeof(name), "attention_cpu_d%u", head_dim);
		return dispatch(ops, rec, name, 0, 0, spans, 5, &cpu, sizeof(cpu), &one);
	}
	{
		struct ea_vk_span first_spans[] = { span[0], span[1], span[2], span[3], span[5] };
		struct ea_vk_span combine_spans[] = { span[3], span[4], span[5] };
		struct ea_push_attention_combine combine = { p.head_dim, p.n_splits, p.n_heads,
							     p.split_len };

		status = dispatch(ops, rec, "attention", EA_OP_SUBGROUP, 0, first_spans, 5, &p,
				  sizeof(p), plan);
		if (status != EA_OK)
			return status;
		if (rec->manual_barriers)	/* the combination reads what the splits wrote */
			ea_vk_rec_barrier(rec);
		return dispatch(ops, rec, "attention_combine", 0, 0, combine_spans, 3, &combine,
				sizeof(combine), &second);
	}
}

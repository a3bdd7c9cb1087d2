// SPDX-License-Identifier: MIT
/* ea_op_record - an op checked against its table entry, then recorded (see ea_op_table.h). */
#include "ea_op_table.h"

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
	return ea_op_dispatch(ops, rec, d->name, d->variants, op->type, span, d->n_refs, plan.push,
			d->push_bytes, &plan);
}

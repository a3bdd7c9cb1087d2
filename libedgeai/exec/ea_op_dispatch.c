// SPDX-License-Identifier: MIT
/* ea_op_dispatch - one dispatch of a kernel in the build a device runs (see the header). */
#include <stdio.h>

#include "ea_kernels.h"
#include "ea_op_dispatch.h"
#include "ea_quant.h"

/* The kernel @base of @type (when typed), in the variant @ops chose among @variants. */
static ea_status get_kernel(struct ea_vk_ops *ops, const char *base, uint32_t variants,
			    uint32_t type, uint32_t n_buffers, uint32_t push_bytes,
			    struct ea_vk_kernel **out)
{
	char name[64];

	snprintf(name, sizeof(name), "%s%s%s%s%s%s", base, variants & EA_OP_TYPED ? "_" : "",
		 variants & EA_OP_TYPED ? ea_type_name(type) : "",
		 variants & EA_OP_CPU && ops->cpu_shape ? "_cpu" : "",
		 variants & EA_OP_COOPMAT && ops->coopmat && !ops->cpu_shape ? "_cm" : "",
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

ea_status ea_op_dispatch(struct ea_vk_ops *ops, struct ea_vk_rec *rec, const char *base,
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

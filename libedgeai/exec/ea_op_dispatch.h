/* SPDX-License-Identifier: MIT */
/*
 * ea_op_dispatch - the step below the op table (ea_op_table.h): one dispatch
 * of a kernel, by its base name, in the variant a device's build of the
 * kernels (ea_vk_ops.h) picks among those the kernel is built in, with the
 * workgroups an op's plan counts checked against the device's limits.
 */
#ifndef EA_OP_DISPATCH_H
#define EA_OP_DISPATCH_H

#include <stdint.h>
#include <string.h>

#include "edgeai_cmdstream.h"
#include "ea_error.h"
#include "ea_vk_compute.h"
#include "ea_vk_ops.h"

/* Kernel variants an op's kernel is built in (shaders/shaders.mk). */
#define EA_OP_TYPED	1u	/* one kernel per weight type: <kernel>_<type> */
#define EA_OP_SUBGROUP	2u	/* also <kernel>_sg, used where the device has subgroups */
#define EA_OP_CPU	4u	/* also <kernel>_cpu, used on CPU devices (lavapipe) */
#define EA_OP_COOPMAT	8u	/* also <kernel>_cm, used with ops->coopmat (matrix units) */

/*
 * What an op's arguments ask of its spans and its kernel, as its shape rule
 * (struct ea_op_desc.plan) works it out without a device: how many bytes
 * each span must hold, the push constants, and the dispatch.
 */
struct ea_op_plan {
	uint64_t need[EA_CS_MAX_REFS];	/* bytes span i must hold; 0: unchecked */
	uint8_t push[32];		/* the kernel's push constants */
	uint64_t flat;			/* invocations of a flat dispatch (EA_WG_FLAT a group), */
	uint64_t groups_x, groups_y;	/* or workgroups, when flat is 0 */
};

/*
 * Record one dispatch of kernel @base (of weight type @type where the kernel
 * is typed) in @ops' variant among @variants, binding @n_spans spans, with
 * @push_bytes of push constants, over the workgroups @plan counts (its flat
 * count, or groups_x by groups_y). EA_ERR_INVALID_ARGUMENT in ops->err for
 * workgroups past the device's limits; the kernel's errors otherwise.
 */
ea_status ea_op_dispatch(struct ea_vk_ops *ops, struct ea_vk_rec *rec, const char *base,
			 uint32_t variants, uint32_t type, const struct ea_vk_span *spans,
			 uint32_t n_spans, const void *push, uint32_t push_bytes,
			 const struct ea_op_plan *plan);

/* A float argument's bits, and back. */
static inline uint32_t ea_op_f32(float f)
{
	uint32_t u;

	memcpy(&u, &f, sizeof(u));
	return u;
}

static inline float ea_op_f32_of(uint32_t bits)
{
	float f;

	memcpy(&f, &bits, sizeof(f));
	return f;
}

#endif /* EA_OP_DISPATCH_H */

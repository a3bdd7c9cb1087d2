/* SPDX-License-Identifier: MIT */
/*
 * ea_vk_ops - which build of the engine's kernels (shaders/) a Vulkan device
 * runs: subgroup reductions, int8 dot products, CPU-shaped prompt kernels.
 * The op table (exec/ea_op_table.h) records the kernels of each op in the
 * build chosen here.
 */
#ifndef EA_VK_OPS_H
#define EA_VK_OPS_H

#include "ea_vk_compute.h"

/* Which build of the kernels with reductions to use. */
enum ea_vk_variant {
	EA_VK_VARIANT_AUTO,	/* subgroup when the device has subgroup arithmetic */
	EA_VK_VARIANT_SUBGROUP,	/* the _sg kernels: subgroup adds, then shared memory */
	EA_VK_VARIANT_SHARED,	/* shared-memory reductions only: runs everywhere */
};

struct ea_vk_ops {
	struct ea_vk *vk;
	bool subgroup;		/* the _sg kernels are used */
	bool int8_dot;		/* Q4_0 / Q8_0 matvecs use the _i8 kernels (int8 x,
				 * packed int8 dot products) where their shape allows */
	bool cpu_shape;		/* the prompt's matmuls use the _cpu kernels, shaped for
				 * a device that runs shaders on the CPU (lavapipe) */
	bool own_x;		/* with int8_dot, the matvec quantizes x itself (_i8x:
				 * one dispatch) where cols allows */
	bool coopmat;		/* the prompt's matmuls use the _cm kernels: fp16 tiles
				 * on the matrix units (vk->coopmat; not with cpu_shape) */
	struct ea_error *err;	/* where failures are described */
};

/* Whether @vk's device has subgroup arithmetic in compute shaders. */
bool ea_vk_has_subgroup_arithmetic(const struct ea_vk *vk);

/* Whether @vk's device runs the CPU-shaped prompt kernels: subgroups of at
 * least EA_CPU_LANES (shaders/ea_kernels.h) invocations with ballot and arithmetic in compute. */
bool ea_vk_can_cpu_shape(const struct ea_vk *vk);

/* Whether @vk's device is a CPU (lavapipe). */
bool ea_vk_is_cpu(const struct ea_vk *vk);

/* Whether @vk's device was created with packed int8 dot products in shaders
 * (shaderIntegerDotProduct); *@accelerated (may be NULL): whether its signed
 * 4x8 packed form is accelerated. */
bool ea_vk_has_int8_dot(const struct ea_vk *vk, bool *accelerated);

/* Set up @ops for @vk. Asking for the subgroup variant on a device without
 * subgroup arithmetic fails with EA_ERR_UNSUPPORTED.
 *
 * The int8-dot matvec (ops->int8_dot) is chosen where the device has int8 dot
 * products and reports them accelerated: it quantizes x to int8 per block of
 * 32 (as Q8_0 does) into a scratch span the caller gives, which changes the
 * numerics (an output may move by up to half a quantization step of x times
 * sum |W|; see tests/host/test_kernels.c).
 * EDGEAI_MATVEC=int8 asks for it on any device with the feature,
 * EDGEAI_MATVEC=float never uses it. A caller may also set ops->int8_dot afterwards (only where
 * ea_vk_has_int8_dot()).
 *
 * The CPU-shaped prompt kernels (ops->cpu_shape) are chosen where the device
 * is a CPU (VK_PHYSICAL_DEVICE_TYPE_CPU) and ea_vk_can_cpu_shape();
 * EDGEAI_PROMPT_KERNELS=cpu|gpu overrides, and a caller may set
 * ops->cpu_shape afterwards (only where ea_vk_can_cpu_shape()).
 *
 * The cooperative-matrix prompt kernels (ops->coopmat) are chosen where the
 * device was opened with them (vk->coopmat) and the CPU shape is not used:
 * X and W enter the matrix units as fp16 (relative rounding 2^-11 each), sums
 * stay fp32. EDGEAI_PROMPT_KERNELS=gpu (or cpu) keeps the fp32 tiles; a
 * caller may set ops->coopmat afterwards (only where vk->coopmat). */
ea_status ea_vk_ops_init(struct ea_vk_ops *ops, struct ea_vk *vk, enum ea_vk_variant variant,
			 struct ea_error *err);

#endif /* EA_VK_OPS_H */

// SPDX-License-Identifier: MIT
/* ea_vk_ops - which build of the kernels a device runs; see ea_vk_ops.h. */
#include <stdlib.h>
#include <string.h>

#include "ea_vk_info.h"
#include "ea_kernels.h"
#include "ea_vk_ops.h"

bool ea_vk_has_subgroup_arithmetic(const struct ea_vk *vk)
{
	VkPhysicalDeviceSubgroupProperties subgroup = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES,
	};
	VkPhysicalDeviceProperties2 props = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2,
		.pNext = &subgroup,
	};
	const VkSubgroupFeatureFlags need = VK_SUBGROUP_FEATURE_BASIC_BIT |
					    VK_SUBGROUP_FEATURE_ARITHMETIC_BIT;

	vkGetPhysicalDeviceProperties2(vk->physical, &props);
	return (subgroup.supportedStages & VK_SHADER_STAGE_COMPUTE_BIT) &&
	       (subgroup.supportedOperations & need) == need;
}

bool ea_vk_can_cpu_shape(const struct ea_vk *vk)
{
	VkPhysicalDeviceSubgroupProperties subgroup = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES,
	};
	VkPhysicalDeviceProperties2 props = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2,
		.pNext = &subgroup,
	};
	const VkSubgroupFeatureFlags need = VK_SUBGROUP_FEATURE_BASIC_BIT |
					    VK_SUBGROUP_FEATURE_ARITHMETIC_BIT |
					    VK_SUBGROUP_FEATURE_BALLOT_BIT;

	vkGetPhysicalDeviceProperties2(vk->physical, &props);
	return (subgroup.supportedStages & VK_SHADER_STAGE_COMPUTE_BIT) &&
	       (subgroup.supportedOperations & need) == need &&
	       subgroup.subgroupSize >= EA_CPU_LANES;
}

bool ea_vk_is_cpu(const struct ea_vk *vk)
{
	VkPhysicalDeviceProperties props;

	vkGetPhysicalDeviceProperties(vk->physical, &props);
	return props.deviceType == VK_PHYSICAL_DEVICE_TYPE_CPU;
}

bool ea_vk_has_int8_dot(const struct ea_vk *vk, bool *accelerated)
{
	struct ea_device_info info;

	memset(&info, 0, sizeof(info));
	ea_vk_query_info(vk->physical, 0, &info);	/* what ea_vk_open() enabled */
	if (accelerated)
		*accelerated = info.int8_dot_product && info.int8_dot_product_accelerated;
	return info.int8_dot_product;
}

ea_status ea_vk_ops_init(struct ea_vk_ops *ops, struct ea_vk *vk, enum ea_vk_variant variant,
			 struct ea_error *err)
{
	bool has_subgroup = ea_vk_has_subgroup_arithmetic(vk);
	const char *mode = getenv("EDGEAI_MATVEC");
	const char *prompt_kernels = getenv("EDGEAI_PROMPT_KERNELS");
	bool accelerated;
	bool has_dot = ea_vk_has_int8_dot(vk, &accelerated);

	ops->vk = vk;
	ops->err = err;
	if (mode && (strcmp(mode, "int8") == 0 || strcmp(mode, "int8-split") == 0))
		ops->int8_dot = has_dot;
	else if (mode && strcmp(mode, "float") == 0)
		ops->int8_dot = false;
	else
		ops->int8_dot = accelerated;
	ops->own_x = !(mode && strcmp(mode, "int8-split") == 0);
	if (prompt_kernels && strcmp(prompt_kernels, "cpu") == 0)
		ops->cpu_shape = ea_vk_can_cpu_shape(vk);
	else if (prompt_kernels && strcmp(prompt_kernels, "gpu") == 0)
		ops->cpu_shape = false;
	else
		ops->cpu_shape = ea_vk_is_cpu(vk) && ea_vk_can_cpu_shape(vk);
	ops->coopmat = vk->coopmat && !ops->cpu_shape &&
		       !(prompt_kernels && strcmp(prompt_kernels, "gpu") == 0);
	if (variant == EA_VK_VARIANT_SUBGROUP && !has_subgroup)
		return ea_error_set(err, EA_ERR_UNSUPPORTED,
				    "the subgroup kernels need subgroup arithmetic in compute "
				    "shaders, which this device lacks");
	ops->subgroup = variant == EA_VK_VARIANT_SUBGROUP ||
			(variant == EA_VK_VARIANT_AUTO && has_subgroup);
	return EA_OK;
}

// SPDX-License-Identifier: MIT
/* ea_vk_coopmat - the cooperative-matrix shape the prompt matmul needs (see the header). */
#include <string.h>

#include "ea_vk_coopmat.h"
#include "ea_vk_info.h"

/* Shapes a device lists: a handful in practice. */
#define MAX_SHAPES 64

static bool has_feature(VkPhysicalDevice physical)
{
	VkPhysicalDeviceCooperativeMatrixFeaturesNV coop = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_COOPERATIVE_MATRIX_FEATURES_NV,
	};
	VkPhysicalDeviceFeatures2 features = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2,
		.pNext = &coop,
	};

	vkGetPhysicalDeviceFeatures2(physical, &features);
	return coop.cooperativeMatrix;
}

static bool is_f16_16x16x16(const VkCooperativeMatrixPropertiesNV *s)
{
	return s->MSize == 16 && s->NSize == 16 && s->KSize == 16 &&
	       s->AType == VK_COMPONENT_TYPE_FLOAT16_NV && s->BType == VK_COMPONENT_TYPE_FLOAT16_NV &&
	       s->CType == VK_COMPONENT_TYPE_FLOAT32_NV && s->DType == VK_COMPONENT_TYPE_FLOAT32_NV &&
	       s->scope == VK_SCOPE_SUBGROUP_NV;
}

bool ea_vk_coopmat_probe(VkInstance instance, VkPhysicalDevice physical, bool shader_float16,
			 uint32_t subgroup_size)
{
	PFN_vkGetPhysicalDeviceCooperativeMatrixPropertiesNV shapes_of;
	VkCooperativeMatrixPropertiesNV shapes[MAX_SHAPES];
	uint32_t n = MAX_SHAPES;

	if (!shader_float16 || subgroup_size != 32 ||
	    !ea_vk_has_extension(physical, VK_NV_COOPERATIVE_MATRIX_EXTENSION_NAME) ||
	    !has_feature(physical))
		return false;
	shapes_of = (PFN_vkGetPhysicalDeviceCooperativeMatrixPropertiesNV)vkGetInstanceProcAddr(
		instance, "vkGetPhysicalDeviceCooperativeMatrixPropertiesNV");
	if (!shapes_of)
		return false;
	for (uint32_t i = 0; i < MAX_SHAPES; i++)
		shapes[i] = (VkCooperativeMatrixPropertiesNV){
			.sType = VK_STRUCTURE_TYPE_COOPERATIVE_MATRIX_PROPERTIES_NV };
	if (shapes_of(physical, &n, shapes) < 0)
		return false;
	for (uint32_t i = 0; i < n && i < MAX_SHAPES; i++)
		if (is_f16_16x16x16(&shapes[i]))
			return true;
	return false;
}

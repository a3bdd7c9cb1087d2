// SPDX-License-Identifier: MIT
/* ea_vk_info - what a Vulkan physical device is and which features it has. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ea_vk_info.h"

/* Not in the 1.3.239 headers that Debian bookworm ships. */
#define EA_VK_KHR_COOPERATIVE_MATRIX "VK_KHR_cooperative_matrix"

bool ea_vk_has_extension(VkPhysicalDevice physical, const char *name)
{
	VkExtensionProperties *exts;
	uint32_t count = 0;
	bool found = false;

	if (vkEnumerateDeviceExtensionProperties(physical, NULL, &count, NULL) < 0)
		return false;
	exts = calloc(count ? count : 1, sizeof(*exts));
	if (!exts)
		return false;
	if (vkEnumerateDeviceExtensionProperties(physical, NULL, &count, exts) >= 0)
		for (uint32_t i = 0; i < count && !found; i++)
			found = strcmp(exts[i].extensionName, name) == 0;
	free(exts);
	return found;
}

static enum ea_vk_device_type device_type(VkPhysicalDeviceType type)
{
	switch (type) {
	case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU:
		return EA_VK_DEVICE_INTEGRATED_GPU;
	case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU:
		return EA_VK_DEVICE_DISCRETE_GPU;
	case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU:
		return EA_VK_DEVICE_VIRTUAL_GPU;
	case VK_PHYSICAL_DEVICE_TYPE_CPU:
		return EA_VK_DEVICE_CPU;
	default:
		return EA_VK_DEVICE_OTHER;
	}
}

static bool has_integer_dot_product(VkPhysicalDevice physical, uint32_t api_version)
{
	return api_version >= VK_API_VERSION_1_3 ||
	       ea_vk_has_extension(physical, VK_KHR_SHADER_INTEGER_DOT_PRODUCT_EXTENSION_NAME);
}

static void query_properties(VkPhysicalDevice physical, bool dot_product,
			     struct ea_device_info *info)
{
	VkPhysicalDeviceShaderIntegerDotProductProperties dot = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_INTEGER_DOT_PRODUCT_PROPERTIES,
	};
	VkPhysicalDeviceSubgroupProperties subgroup = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES,
		.pNext = dot_product ? &dot : NULL,
	};
	VkPhysicalDeviceDriverProperties driver = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES,
		.pNext = &subgroup,
	};
	VkPhysicalDeviceProperties2 props = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2,
		.pNext = &driver,
	};

	vkGetPhysicalDeviceProperties2(physical, &props);
	snprintf(info->vk_name, sizeof(info->vk_name), "%s", props.properties.deviceName);
	info->vk_type = device_type(props.properties.deviceType);
	info->vk_vendor_id = props.properties.vendorID;
	info->vk_device_id = props.properties.deviceID;
	info->vk_api_version = props.properties.apiVersion;
	snprintf(info->vk_driver_name, sizeof(info->vk_driver_name), "%s", driver.driverName);
	snprintf(info->vk_driver_info, sizeof(info->vk_driver_info), "%s", driver.driverInfo);
	info->subgroup_size = subgroup.subgroupSize;
	info->int8_dot_product_accelerated =
		dot_product && dot.integerDotProduct4x8BitPackedSignedAccelerated;
}

static void query_features(VkPhysicalDevice physical, bool dot_product,
			   struct ea_device_info *info)
{
	VkPhysicalDeviceShaderIntegerDotProductFeatures dot = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_INTEGER_DOT_PRODUCT_FEATURES,
	};
	VkPhysicalDeviceVulkan12Features v12 = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES,
		.pNext = dot_product ? &dot : NULL,
	};
	VkPhysicalDeviceVulkan11Features v11 = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES,
		.pNext = &v12,
	};
	VkPhysicalDeviceFeatures2 features = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2,
		.pNext = &v11,
	};

	vkGetPhysicalDeviceFeatures2(physical, &features);
	info->storage_16bit = v11.storageBuffer16BitAccess;
	info->shader_float16 = v12.shaderFloat16;
	info->shader_int8 = v12.shaderInt8;
	info->storage_8bit = v12.storageBuffer8BitAccess;
	info->int8_dot_product = dot_product && dot.shaderIntegerDotProduct;
	if (!info->int8_dot_product)
		info->int8_dot_product_accelerated = false;
}

void ea_vk_query_info(VkPhysicalDevice physical, uint32_t index, struct ea_device_info *info)
{
	VkPhysicalDeviceProperties props;
	bool dot_product;

	vkGetPhysicalDeviceProperties(physical, &props);
	dot_product = has_integer_dot_product(physical, props.apiVersion);

	info->vk_available = true;
	info->vk_index = index;
	query_properties(physical, dot_product, info);
	query_features(physical, dot_product, info);
	info->coop_matrix_khr = ea_vk_has_extension(physical, EA_VK_KHR_COOPERATIVE_MATRIX);
	info->coop_matrix_nv = ea_vk_has_extension(physical, VK_NV_COOPERATIVE_MATRIX_EXTENSION_NAME);
}

// SPDX-License-Identifier: MIT
/*
 * ea_vk - create and destroy the Vulkan instance, the logical device with one
 * compute queue, and the objects each dispatch reuses.
 */
#include <stdlib.h>

#include "ea_vk.h"
#include "ea_vk_coopmat.h"
#include "ea_vk_compute.h"
#include "ea_vk_hostmem.h"
#include "ea_vk_info.h"
#include "ea_vk_select.h"

/* Descriptor sets live only while a dispatch runs, so a small pool suffices. */
#define EA_VK_MAX_SETS 8
#define EA_VK_MAX_SET_BUFFERS (EA_VK_MAX_SETS * EA_VK_MAX_BINDINGS)

const char *ea_vk_result_name(VkResult result)
{
	switch (result) {
#define EA_VK_RESULT(r) case r: return #r
	EA_VK_RESULT(VK_SUCCESS);
	EA_VK_RESULT(VK_NOT_READY);
	EA_VK_RESULT(VK_TIMEOUT);
	EA_VK_RESULT(VK_INCOMPLETE);
	EA_VK_RESULT(VK_ERROR_OUT_OF_HOST_MEMORY);
	EA_VK_RESULT(VK_ERROR_OUT_OF_DEVICE_MEMORY);
	EA_VK_RESULT(VK_ERROR_INITIALIZATION_FAILED);
	EA_VK_RESULT(VK_ERROR_DEVICE_LOST);
	EA_VK_RESULT(VK_ERROR_MEMORY_MAP_FAILED);
	EA_VK_RESULT(VK_ERROR_LAYER_NOT_PRESENT);
	EA_VK_RESULT(VK_ERROR_EXTENSION_NOT_PRESENT);
	EA_VK_RESULT(VK_ERROR_FEATURE_NOT_PRESENT);
	EA_VK_RESULT(VK_ERROR_INCOMPATIBLE_DRIVER);
	EA_VK_RESULT(VK_ERROR_TOO_MANY_OBJECTS);
	EA_VK_RESULT(VK_ERROR_FORMAT_NOT_SUPPORTED);
	EA_VK_RESULT(VK_ERROR_FRAGMENTED_POOL);
	EA_VK_RESULT(VK_ERROR_OUT_OF_POOL_MEMORY);
	EA_VK_RESULT(VK_ERROR_INVALID_SHADER_NV);
	EA_VK_RESULT(VK_ERROR_UNKNOWN);
#undef EA_VK_RESULT
	default:
		return "VkResult (unnamed)";
	}
}

static ea_status create_instance(struct ea_vk *vk, struct ea_error *err)
{
	VkApplicationInfo app = {
		.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO,
		.pApplicationName = "libedgeai",
		.pEngineName = "edgeai",
		.apiVersion = VK_API_VERSION_1_3,
	};
	VkInstanceCreateInfo create = {
		.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO,
		.pApplicationInfo = &app,
	};
	uint32_t version = 0;
	VkResult result;

	if (vkEnumerateInstanceVersion(&version) < 0 || version < EA_VK_MIN_API)
		return ea_error_set(err, EA_ERR_NO_VULKAN_DEVICE,
				    "the Vulkan loader supports version %u.%u; libedgeai needs 1.2",
				    VK_API_VERSION_MAJOR(version), VK_API_VERSION_MINOR(version));
	result = vkCreateInstance(&create, NULL, &vk->instance);
	if (result != VK_SUCCESS)
		return ea_error_set(err, result == VK_ERROR_INCOMPATIBLE_DRIVER ?
				    EA_ERR_NO_VULKAN_DEVICE : EA_ERR_VULKAN,
				    "vkCreateInstance: %s", ea_vk_result_name(result));
	return EA_OK;
}

static ea_status find_compute_queue(struct ea_vk *vk, struct ea_error *err)
{
	VkQueueFamilyProperties families[16];
	uint32_t count = 16;

	vkGetPhysicalDeviceQueueFamilyProperties(vk->physical, &count, families);
	/* A compute-only family, when there is one, is the GPU's async compute engine. */
	for (uint32_t pass = 0; pass < 2; pass++) {
		for (uint32_t i = 0; i < count; i++) {
			VkQueueFlags flags = families[i].queueFlags;

			if (!(flags & VK_QUEUE_COMPUTE_BIT))
				continue;
			if (pass == 0 && (flags & VK_QUEUE_GRAPHICS_BIT))
				continue;
			vk->queue_family = i;
			vk->timestamps = families[i].timestampValidBits > 0;
			return EA_OK;
		}
	}
	return ea_error_set(err, EA_ERR_NO_VULKAN_DEVICE, "the Vulkan device has no compute queue");
}

/* Create the logical device with every feature of @info the shaders may use. */
static ea_status create_device(struct ea_vk *vk, const struct ea_device_info *info,
			       struct ea_error *err)
{
	VkPhysicalDeviceCooperativeMatrixFeaturesNV coop = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_COOPERATIVE_MATRIX_FEATURES_NV,
		.cooperativeMatrix = VK_TRUE,
	};
	VkPhysicalDeviceShaderIntegerDotProductFeatures dot = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_INTEGER_DOT_PRODUCT_FEATURES,
		.pNext = vk->coopmat ? &coop : NULL,
		.shaderIntegerDotProduct = info->int8_dot_product,
	};
	VkPhysicalDeviceVulkan12Features v12 = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES,
		.pNext = info->int8_dot_product ? (void *)&dot : vk->coopmat ? (void *)&coop : NULL,
		.shaderFloat16 = info->shader_float16,
		.shaderInt8 = info->shader_int8,
		.storageBuffer8BitAccess = info->storage_8bit,
	};
	VkPhysicalDeviceVulkan11Features v11 = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES,
		.pNext = &v12,
		.storageBuffer16BitAccess = info->storage_16bit,
	};
	float priority = 1.0f;
	VkDeviceQueueCreateInfo queue = {
		.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO,
		.queueFamilyIndex = vk->queue_family,
		.queueCount = 1,
		.pQueuePriorities = &priority,
	};
	const char *exts[3];
	bool dot_by_ext = info->int8_dot_product && info->vk_api_version < VK_API_VERSION_1_3;
	VkDeviceCreateInfo create = {
		.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO,
		.pNext = &v11,
		.queueCreateInfoCount = 1,
		.pQueueCreateInfos = &queue,
		.ppEnabledExtensionNames = exts,
	};
	VkResult result;

	if (dot_by_ext)
		exts[create.enabledExtensionCount++] = VK_KHR_SHADER_INTEGER_DOT_PRODUCT_EXTENSION_NAME;
	if (vk->coopmat)
		exts[create.enabledExtensionCount++] = VK_NV_COOPERATIVE_MATRIX_EXTENSION_NAME;
	/* For the executor in kmod mode: jobs' buffers used in place. */
	vk->host_import = ea_vk_hostmem_probe(vk->physical, &vk->host_import_align);
	if (vk->host_import)
		exts[create.enabledExtensionCount++] = VK_EXT_EXTERNAL_MEMORY_HOST_EXTENSION_NAME;
	result = vkCreateDevice(vk->physical, &create, NULL, &vk->device);
	if (result != VK_SUCCESS)
		return ea_error_set(err, EA_ERR_VULKAN, "vkCreateDevice(%s): %s",
				    info->vk_name, ea_vk_result_name(result));
	vkGetDeviceQueue(vk->device, vk->queue_family, 0, &vk->queue);
	return EA_OK;
}

static ea_status create_dispatch_objects(struct ea_vk *vk, struct ea_error *err)
{
	VkCommandPoolCreateInfo pool = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
		.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT,
		.queueFamilyIndex = vk->queue_family,
	};
	VkCommandBufferAllocateInfo alloc = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
		.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
		.commandBufferCount = 1,
	};
	VkFenceCreateInfo fence = { .sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO };
	VkDescriptorPoolSize sizes = {
		.type = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
		.descriptorCount = EA_VK_MAX_SET_BUFFERS,
	};
	VkDescriptorPoolCreateInfo descriptors = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO,
		.flags = VK_DESCRIPTOR_POOL_CREATE_FREE_DESCRIPTOR_SET_BIT,
		.maxSets = EA_VK_MAX_SETS,
		.poolSizeCount = 1,
		.pPoolSizes = &sizes,
	};
	VkResult result;

	result = vkCreateCommandPool(vk->device, &pool, NULL, &vk->command_pool);
	if (result != VK_SUCCESS)
		goto fail;
	alloc.commandPool = vk->command_pool;
	result = vkAllocateCommandBuffers(vk->device, &alloc, &vk->command_buffer);
	if (result != VK_SUCCESS)
		goto fail;
	result = vkCreateFence(vk->device, &fence, NULL, &vk->fence);
	if (result != VK_SUCCESS)
		goto fail;
	result = vkCreateDescriptorPool(vk->device, &descriptors, NULL, &vk->descriptor_pool);
	if (result != VK_SUCCESS)
		goto fail;
	return EA_OK;
fail:
	return ea_error_set(err, EA_ERR_VULKAN, "creating the command and descriptor pools: %s",
			    ea_vk_result_name(result));
}

ea_status ea_vk_open(const char *selector, const char *origin, struct ea_vk **out,
		     struct ea_device_info *info, struct ea_error *err)
{
	struct ea_vk *vk;
	uint32_t index;
	ea_status status;

	vk = calloc(1, sizeof(*vk));
	if (!vk)
		return ea_error_set(err, EA_ERR_NO_MEMORY, "allocating the Vulkan context");

	status = create_instance(vk, err);
	if (status == EA_OK)
		status = ea_vk_select(vk->instance, selector, origin, &vk->physical, &index, err);
	if (status == EA_OK) {
		VkPhysicalDeviceProperties props;

		vkGetPhysicalDeviceProperties(vk->physical, &props);
		vk->limits = props.limits;
		vkGetPhysicalDeviceMemoryProperties(vk->physical, &vk->memory);
		ea_vk_query_info(vk->physical, index, info);
		vk->coopmat = ea_vk_coopmat_probe(vk->instance, vk->physical, info->shader_float16,
						  info->subgroup_size);
		status = find_compute_queue(vk, err);
	}
	if (status == EA_OK)
		status = create_device(vk, info, err);
	if (status == EA_OK)
		status = create_dispatch_objects(vk, err);
	if (status != EA_OK) {
		info->vk_available = false;
		ea_vk_close(vk);
		return status;
	}
	*out = vk;
	return EA_OK;
}

void ea_vk_close(struct ea_vk *vk)
{
	if (!vk)
		return;
	if (vk->device) {
		vkDeviceWaitIdle(vk->device);
		for (uint32_t i = 0; i < vk->n_kernels; i++)
			ea_vk_kernel_destroy(vk, vk->kernels[i]);
		vkDestroyDescriptorPool(vk->device, vk->descriptor_pool, NULL);
		vkDestroyFence(vk->device, vk->fence, NULL);
		vkDestroyCommandPool(vk->device, vk->command_pool, NULL);
		vkDestroyDevice(vk->device, NULL);
	}
	if (vk->instance)
		vkDestroyInstance(vk->instance, NULL);
	free(vk);
}

/* SPDX-License-Identifier: MIT */
/*
 * ea_vk - the Vulkan instance and device a struct ea_device runs kernels on,
 * with the objects every dispatch shares (command buffer, fence, descriptors).
 */
#ifndef EA_VK_H
#define EA_VK_H

#include <vulkan/vulkan.h>

#include "ea_error.h"

#define EA_VK_MAX_KERNELS 64

struct ea_vk_kernel;

struct ea_vk {
	VkInstance instance;
	VkPhysicalDevice physical;
	VkDevice device;
	VkQueue queue;
	uint32_t queue_family;
	VkPhysicalDeviceMemoryProperties memory;
	VkPhysicalDeviceLimits limits;
	/* VK_EXT_external_memory_host is enabled (ea_vk_hostmem.h), importing
	 * host ranges aligned to host_import_align. */
	bool host_import;
	VkDeviceSize host_import_align;
	/* VK_NV_cooperative_matrix is enabled with the 16 x 16 x 16 fp16 shape
	 * the prompt matmul's _cm kernels use (ea_vk_coopmat.h). */
	bool coopmat;
	/* The compute queue writes timestamps (timestampValidBits > 0): what
	 * profiles (EDGEAI_PROFILE, EA_KJOB_TIMES) need. */
	bool timestamps;

	VkCommandPool command_pool;
	VkCommandBuffer command_buffer;
	VkFence fence;
	VkDescriptorPool descriptor_pool;

	/* Pipelines built so far, by shader name (ea_vk_compute.c). */
	struct ea_vk_kernel *kernels[EA_VK_MAX_KERNELS];
	uint32_t n_kernels;
};

/*
 * Create an instance, pick a physical device (@selector: NULL for the best,
 * else an index or a name substring; @origin names where the selector came
 * from, for messages), create the logical device, and fill in the Vulkan
 * fields of @info.
 */
ea_status ea_vk_open(const char *selector, const char *origin, struct ea_vk **out,
		     struct ea_device_info *info, struct ea_error *err);

void ea_vk_close(struct ea_vk *vk);

/* The name of a VkResult, such as "VK_ERROR_OUT_OF_DEVICE_MEMORY". */
const char *ea_vk_result_name(VkResult result);

#endif /* EA_VK_H */

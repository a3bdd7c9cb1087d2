/* SPDX-License-Identifier: MIT */
/* ea_vk_info - what a Vulkan physical device is and which features it has. */
#ifndef EA_VK_INFO_H
#define EA_VK_INFO_H

#include <vulkan/vulkan.h>

#include "edgeai.h"

/* Whether @physical offers the device extension @name. */
bool ea_vk_has_extension(VkPhysicalDevice physical, const char *name);

/* Fill in the Vulkan fields of @info for @physical, device @index in
 * enumeration order. The feature flags say what the device supports;
 * ea_vk_open() enables all of them. */
void ea_vk_query_info(VkPhysicalDevice physical, uint32_t index,
		      struct ea_device_info *info);

#endif /* EA_VK_INFO_H */

/* SPDX-License-Identifier: MIT */
/* ea_vk_select - choose the Vulkan physical device libedgeai runs on. */
#ifndef EA_VK_SELECT_H
#define EA_VK_SELECT_H

#include <vulkan/vulkan.h>

#include "ea_error.h"

/* The oldest Vulkan libedgeai runs on; shaders/ target it too. */
#define EA_VK_MIN_API VK_API_VERSION_1_2

/*
 * Pick a physical device of @instance: with @selector NULL, the best kind
 * (discrete GPU, integrated GPU, virtual GPU, CPU); else the device at index
 * @selector, or the best one whose name contains @selector (any case). Only
 * devices with Vulkan 1.2 and a compute queue count. On failure the message
 * names @origin (where the selector came from) and lists every device.
 */
ea_status ea_vk_select(VkInstance instance, const char *selector, const char *origin,
		       VkPhysicalDevice *out, uint32_t *index, struct ea_error *err);

#endif /* EA_VK_SELECT_H */

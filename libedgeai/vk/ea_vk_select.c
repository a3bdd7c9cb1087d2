// SPDX-License-Identifier: MIT
/*
 * ea_vk_select - choose the Vulkan physical device: the best kind of device
 * (discrete GPU, integrated, virtual, CPU), or the one an override names.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "ea_vk.h"
#include "ea_vk_select.h"

#define EA_VK_MAX_DEVICES 32

/* Lower is better. */
static int type_rank(VkPhysicalDeviceType type)
{
	switch (type) {
	case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU:
		return 0;
	case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU:
		return 1;
	case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU:
		return 2;
	case VK_PHYSICAL_DEVICE_TYPE_CPU:
		return 3;
	default:
		return 4;
	}
}

static const char *type_name(VkPhysicalDeviceType type)
{
	switch (type) {
	case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU:
		return "discrete GPU";
	case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU:
		return "integrated GPU";
	case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU:
		return "virtual GPU";
	case VK_PHYSICAL_DEVICE_TYPE_CPU:
		return "CPU";
	default:
		return "other";
	}
}

static bool has_compute_queue(VkPhysicalDevice physical)
{
	VkQueueFamilyProperties families[16];
	uint32_t count = 16;

	vkGetPhysicalDeviceQueueFamilyProperties(physical, &count, families);
	for (uint32_t i = 0; i < count; i++)
		if (families[i].queueFlags & VK_QUEUE_COMPUTE_BIT)
			return true;
	return false;
}

static bool is_usable(VkPhysicalDevice physical)
{
	VkPhysicalDeviceProperties props;

	vkGetPhysicalDeviceProperties(physical, &props);
	return props.apiVersion >= EA_VK_MIN_API && has_compute_queue(physical);
}

static bool is_index(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

static void list_devices(VkPhysicalDevice *devices, uint32_t count, struct ea_error *err)
{
	VkPhysicalDeviceProperties props;

	ea_error_append(err, "; Vulkan devices:");
	for (uint32_t i = 0; i < count; i++) {
		vkGetPhysicalDeviceProperties(devices[i], &props);
		ea_error_append(err, " [%u] %s (%s, Vulkan %u.%u%s)", i, props.deviceName,
				type_name(props.deviceType),
				VK_API_VERSION_MAJOR(props.apiVersion),
				VK_API_VERSION_MINOR(props.apiVersion),
				is_usable(devices[i]) ? "" : ", unusable: needs Vulkan 1.2 and compute");
	}
}

/* The best-ranked usable device whose name contains @substring (any, when NULL). */
static int best_device(VkPhysicalDevice *devices, uint32_t count, const char *substring)
{
	VkPhysicalDeviceProperties props;
	int best = -1, best_rank = 0;

	for (uint32_t i = 0; i < count; i++) {
		vkGetPhysicalDeviceProperties(devices[i], &props);
		if (!is_usable(devices[i]))
			continue;
		if (substring && !strcasestr(props.deviceName, substring))
			continue;
		if (best < 0 || type_rank(props.deviceType) < best_rank) {
			best = (int)i;
			best_rank = type_rank(props.deviceType);
		}
	}
	return best;
}

ea_status ea_vk_select(VkInstance instance, const char *selector, const char *origin,
		       VkPhysicalDevice *out, uint32_t *index, struct ea_error *err)
{
	VkPhysicalDevice devices[EA_VK_MAX_DEVICES];
	uint32_t count = EA_VK_MAX_DEVICES;
	VkResult result;
	int chosen;

	result = vkEnumeratePhysicalDevices(instance, &count, devices);
	if (result < 0)
		return ea_error_set(err, EA_ERR_VULKAN, "vkEnumeratePhysicalDevices: %s",
				    ea_vk_result_name(result));
	if (count == 0)
		return ea_error_set(err, EA_ERR_NO_VULKAN_DEVICE,
				    "no Vulkan device found (is a Vulkan driver, e.g. Mesa's lavapipe, installed?)");

	if (!selector) {
		chosen = best_device(devices, count, NULL);
		if (chosen < 0) {
			ea_error_set(err, EA_ERR_NO_VULKAN_DEVICE, "no usable Vulkan device");
			list_devices(devices, count, err);
			return EA_ERR_NO_VULKAN_DEVICE;
		}
	} else if (is_index(selector)) {
		unsigned long i = strtoul(selector, NULL, 10);

		if (i >= count || !is_usable(devices[i])) {
			ea_error_set(err, EA_ERR_NO_VULKAN_DEVICE,
				     "%s=\"%s\": no usable Vulkan device at that index",
				     origin, selector);
			list_devices(devices, count, err);
			return EA_ERR_NO_VULKAN_DEVICE;
		}
		chosen = (int)i;
	} else {
		chosen = best_device(devices, count, selector);
		if (chosen < 0) {
			ea_error_set(err, EA_ERR_NO_VULKAN_DEVICE,
				     "%s=\"%s\" matches no usable Vulkan device "
				     "(give an index or part of a device name)",
				     origin, selector);
			list_devices(devices, count, err);
			return EA_ERR_NO_VULKAN_DEVICE;
		}
	}

	*out = devices[chosen];
	*index = (uint32_t)chosen;
	return EA_OK;
}

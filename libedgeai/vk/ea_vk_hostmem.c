// SPDX-License-Identifier: MIT
/* ea_vk_hostmem - buffers over host memory (VK_EXT_external_memory_host). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ea_vk_hostmem.h"

bool ea_vk_hostmem_probe(VkPhysicalDevice physical, VkDeviceSize *align)
{
	VkPhysicalDeviceExternalMemoryHostPropertiesEXT host = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTERNAL_MEMORY_HOST_PROPERTIES_EXT,
	};
	VkPhysicalDeviceProperties2 props = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2,
		.pNext = &host,
	};
	VkExtensionProperties *exts;
	uint32_t n = 0;
	bool found = false;

	if (vkEnumerateDeviceExtensionProperties(physical, NULL, &n, NULL) != VK_SUCCESS || !n)
		return false;
	exts = calloc(n, sizeof(*exts));
	if (!exts)
		return false;
	if (vkEnumerateDeviceExtensionProperties(physical, NULL, &n, exts) == VK_SUCCESS)
		for (uint32_t i = 0; i < n && !found; i++)
			found = strcmp(exts[i].extensionName,
				       VK_EXT_EXTERNAL_MEMORY_HOST_EXTENSION_NAME) == 0;
	free(exts);
	if (!found)
		return false;
	vkGetPhysicalDeviceProperties2(physical, &props);
	*align = host.minImportedHostPointerAlignment;
	return *align > 0;
}

/* A memory type of @type_bits that the device can use for storage buffers. */
static int import_type(const struct ea_vk *vk, uint32_t type_bits)
{
	for (uint32_t i = 0; i < vk->memory.memoryTypeCount; i++)
		if (type_bits & (1u << i))
			return (int)i;
	return -1;
}

ea_status ea_vk_buffer_import_host(struct ea_vk *vk, void *ptr, VkDeviceSize bytes,
				   struct ea_vk_buffer *buf, struct ea_error *err)
{
	const VkExternalMemoryHandleTypeFlagBits handle =
		VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT;
	PFN_vkGetMemoryHostPointerPropertiesEXT host_props;
	VkMemoryHostPointerPropertiesEXT props = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_HOST_POINTER_PROPERTIES_EXT,
	};
	VkExternalMemoryBufferCreateInfo external = {
		.sType = VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_BUFFER_CREATE_INFO,
		.handleTypes = handle,
	};
	VkBufferCreateInfo create = {
		.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
		.pNext = &external,
		.size = bytes,
		.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
			 VK_BUFFER_USAGE_TRANSFER_DST_BIT,
		.sharingMode = VK_SHARING_MODE_EXCLUSIVE,
	};
	VkImportMemoryHostPointerInfoEXT import = {
		.sType = VK_STRUCTURE_TYPE_IMPORT_MEMORY_HOST_POINTER_INFO_EXT,
		.handleType = handle,
		.pHostPointer = ptr,
	};
	VkMemoryAllocateInfo alloc = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
		.pNext = &import,
		.allocationSize = bytes,
	};
	VkMemoryRequirements needs;
	const char *step;
	VkResult result;
	int type;

	memset(buf, 0, sizeof(*buf));
	if (!vk->host_import || !bytes || (uintptr_t)ptr % vk->host_import_align ||
	    bytes % vk->host_import_align)
		return ea_error_set(err, EA_ERR_UNSUPPORTED, "cannot import %llu bytes of host "
				    "memory at %p: %s", (unsigned long long)bytes, ptr,
				    vk->host_import ? "not aligned to the device's import alignment" :
				    "the device lacks VK_EXT_external_memory_host");
	host_props = (PFN_vkGetMemoryHostPointerPropertiesEXT)
		vkGetDeviceProcAddr(vk->device, "vkGetMemoryHostPointerPropertiesEXT");
	step = "vkGetMemoryHostPointerPropertiesEXT";
	result = host_props ? host_props(vk->device, handle, ptr, &props) :
			      VK_ERROR_EXTENSION_NOT_PRESENT;
	if (result != VK_SUCCESS)
		goto fail;
	buf->size = bytes;
	step = "vkCreateBuffer";
	result = vkCreateBuffer(vk->device, &create, NULL, &buf->buffer);
	if (result != VK_SUCCESS)
		goto fail;
	vkGetBufferMemoryRequirements(vk->device, buf->buffer, &needs);
	type = import_type(vk, props.memoryTypeBits & needs.memoryTypeBits);
	step = "choosing a memory type for imported host memory";
	result = VK_ERROR_FEATURE_NOT_PRESENT;
	if (type < 0)
		goto fail;
	alloc.memoryTypeIndex = (uint32_t)type;
	step = "vkAllocateMemory(host pointer)";
	result = vkAllocateMemory(vk->device, &alloc, NULL, &buf->memory);
	if (result != VK_SUCCESS)
		goto fail;
	step = "vkBindBufferMemory";
	result = vkBindBufferMemory(vk->device, buf->buffer, buf->memory, 0);
	if (result != VK_SUCCESS)
		goto fail;
	return EA_OK;
fail:
	ea_vk_buffer_destroy(vk, buf);
	return ea_error_set(err, EA_ERR_VULKAN, "%s: %s", step, ea_vk_result_name(result));
}

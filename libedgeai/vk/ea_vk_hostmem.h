/* SPDX-License-Identifier: MIT */
/*
 * ea_vk_hostmem - storage buffers over memory the host already has
 * (VK_EXT_external_memory_host): the executor in kmod mode runs kernels on a
 * job's mmapped buffer objects in place where the device can reach host
 * memory (lavapipe, integrated GPUs), instead of copying them.
 */
#ifndef EA_VK_HOSTMEM_H
#define EA_VK_HOSTMEM_H

#include <stdbool.h>

#include "ea_vk_compute.h"

/*
 * Whether @physical offers VK_EXT_external_memory_host, and the alignment of
 * the pointers and sizes it imports (*@align). ea_vk_open() enables the
 * extension when it does (ea_vk.h: host_import).
 */
bool ea_vk_hostmem_probe(VkPhysicalDevice physical, VkDeviceSize *align);

/*
 * A storage buffer whose memory is the @bytes at @ptr (both multiples of
 * vk->host_import_align), read and written by the kernels in place; @ptr must
 * stay mapped until ea_vk_buffer_destroy(). The buffer's map is NULL: the
 * caller has the pointer. EA_ERR_UNSUPPORTED without the extension or for a
 * misaligned range, EA_ERR_VULKAN when the driver refuses the memory.
 */
ea_status ea_vk_buffer_import_host(struct ea_vk *vk, void *ptr, VkDeviceSize bytes,
				   struct ea_vk_buffer *buf, struct ea_error *err);

#endif /* EA_VK_HOSTMEM_H */

/* SPDX-License-Identifier: MIT */
/*
 * ea_vk_compute - buffers, compute kernels (pipelines from embedded SPIR-V)
 * and synchronous dispatch on an ea_vk device.
 */
#ifndef EA_VK_COMPUTE_H
#define EA_VK_COMPUTE_H

#include "ea_vk.h"

/* Storage buffers a kernel may bind, at bindings 0 .. n-1 of set 0. */
#define EA_VK_MAX_BINDINGS 8

/* A storage buffer in host-visible, coherent memory, mapped for its lifetime. */
struct ea_vk_buffer {
	VkBuffer buffer;
	VkDeviceMemory memory;
	VkDeviceSize size;
	void *map;
};

ea_status ea_vk_buffer_create(struct ea_vk *vk, VkDeviceSize size,
			      struct ea_vk_buffer *buf, struct ea_error *err);
void ea_vk_buffer_destroy(struct ea_vk *vk, struct ea_vk_buffer *buf);

struct ea_vk_kernel {
	const char *name;	/* points into the embedded shader table */
	uint32_t n_buffers;
	uint32_t push_size;
	VkShaderModule module;
	VkDescriptorSetLayout set_layout;
	VkPipelineLayout layout;
	VkPipeline pipeline;
};

/*
 * The kernel of the embedded shader @name, which binds @n_buffers storage
 * buffers and takes @push_size bytes of push constants. Built on first use and
 * kept by @vk until ea_vk_close().
 */
ea_status ea_vk_kernel_get(struct ea_vk *vk, const char *name, uint32_t n_buffers,
			   uint32_t push_size, struct ea_vk_kernel **out,
			   struct ea_error *err);
void ea_vk_kernel_destroy(struct ea_vk *vk, struct ea_vk_kernel *kernel);

/*
 * Run @kernel over @groups_x workgroups with @buffers bound in order and
 * @push as its push constants; return once its results are visible to the host.
 */
ea_status ea_vk_run(struct ea_vk *vk, const struct ea_vk_kernel *kernel,
		    struct ea_vk_buffer *const *buffers, const void *push,
		    uint32_t groups_x, struct ea_error *err);

#endif /* EA_VK_COMPUTE_H */

// SPDX-License-Identifier: MIT
/* ea_vk_compute - buffers, kernels and dispatch; see ea_vk_compute.h. */
#include <stdlib.h>
#include <string.h>

#include "ea_shaders.h"
#include "ea_vk_compute.h"

/* Host-visible and coherent: the host writes inputs and reads results directly.
 * Vulkan guarantees such a type exists. */
static int host_memory_type(const struct ea_vk *vk, uint32_t allowed)
{
	const VkMemoryPropertyFlags want = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
					   VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;

	for (uint32_t i = 0; i < vk->memory.memoryTypeCount; i++)
		if ((allowed & (1u << i)) &&
		    (vk->memory.memoryTypes[i].propertyFlags & want) == want)
			return (int)i;
	return -1;
}

ea_status ea_vk_buffer_create(struct ea_vk *vk, VkDeviceSize size,
			      struct ea_vk_buffer *buf, struct ea_error *err)
{
	VkBufferCreateInfo create = {
		.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
		.size = size,
		.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT,
		.sharingMode = VK_SHARING_MODE_EXCLUSIVE,
	};
	VkMemoryAllocateInfo alloc = { .sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO };
	VkMemoryRequirements needs;
	const char *step;
	VkResult result;
	int type;

	memset(buf, 0, sizeof(*buf));
	buf->size = size;
	step = "vkCreateBuffer";
	result = vkCreateBuffer(vk->device, &create, NULL, &buf->buffer);
	if (result != VK_SUCCESS)
		goto fail;

	vkGetBufferMemoryRequirements(vk->device, buf->buffer, &needs);
	type = host_memory_type(vk, needs.memoryTypeBits);
	if (type < 0) {
		ea_vk_buffer_destroy(vk, buf);
		return ea_error_set(err, EA_ERR_VULKAN,
				    "no host-visible coherent memory type for a storage buffer");
	}
	alloc.allocationSize = needs.size;
	alloc.memoryTypeIndex = (uint32_t)type;
	step = "vkAllocateMemory";
	result = vkAllocateMemory(vk->device, &alloc, NULL, &buf->memory);
	if (result != VK_SUCCESS)
		goto fail;
	step = "vkBindBufferMemory";
	result = vkBindBufferMemory(vk->device, buf->buffer, buf->memory, 0);
	if (result != VK_SUCCESS)
		goto fail;
	step = "vkMapMemory";
	result = vkMapMemory(vk->device, buf->memory, 0, VK_WHOLE_SIZE, 0, &buf->map);
	if (result != VK_SUCCESS)
		goto fail;
	return EA_OK;
fail:
	ea_vk_buffer_destroy(vk, buf);
	return ea_error_set(err, EA_ERR_VULKAN, "%s (buffer of %llu bytes): %s", step,
			    (unsigned long long)size, ea_vk_result_name(result));
}

void ea_vk_buffer_destroy(struct ea_vk *vk, struct ea_vk_buffer *buf)
{
	if (buf->map)
		vkUnmapMemory(vk->device, buf->memory);
	vkDestroyBuffer(vk->device, buf->buffer, NULL);
	vkFreeMemory(vk->device, buf->memory, NULL);
	memset(buf, 0, sizeof(*buf));
}

static VkResult create_layouts(struct ea_vk *vk, struct ea_vk_kernel *kernel)
{
	VkDescriptorSetLayoutBinding bindings[EA_VK_MAX_BINDINGS];
	VkDescriptorSetLayoutCreateInfo set = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
		.bindingCount = kernel->n_buffers,
		.pBindings = bindings,
	};
	VkPushConstantRange push = {
		.stageFlags = VK_SHADER_STAGE_COMPUTE_BIT,
		.size = kernel->push_size,
	};
	VkPipelineLayoutCreateInfo layout = {
		.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
		.setLayoutCount = 1,
		.pSetLayouts = &kernel->set_layout,
		.pushConstantRangeCount = kernel->push_size ? 1 : 0,
		.pPushConstantRanges = &push,
	};
	VkResult result;

	for (uint32_t i = 0; i < kernel->n_buffers; i++)
		bindings[i] = (VkDescriptorSetLayoutBinding){
			.binding = i,
			.descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
			.descriptorCount = 1,
			.stageFlags = VK_SHADER_STAGE_COMPUTE_BIT,
		};
	result = vkCreateDescriptorSetLayout(vk->device, &set, NULL, &kernel->set_layout);
	if (result != VK_SUCCESS)
		return result;
	return vkCreatePipelineLayout(vk->device, &layout, NULL, &kernel->layout);
}

static VkResult create_pipeline(struct ea_vk *vk, struct ea_vk_kernel *kernel,
				const struct ea_shader *shader)
{
	VkShaderModuleCreateInfo module = {
		.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO,
		.codeSize = ea_shader_size(shader),
		.pCode = shader->code,
	};
	VkComputePipelineCreateInfo pipeline = {
		.sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
		.stage = {
			.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
			.stage = VK_SHADER_STAGE_COMPUTE_BIT,
			.pName = "main",
		},
		.layout = kernel->layout,
	};
	VkResult result;

	result = vkCreateShaderModule(vk->device, &module, NULL, &kernel->module);
	if (result != VK_SUCCESS)
		return result;
	pipeline.stage.module = kernel->module;
	return vkCreateComputePipelines(vk->device, VK_NULL_HANDLE, 1, &pipeline, NULL,
					&kernel->pipeline);
}

static struct ea_vk_kernel *find_kernel(struct ea_vk *vk, const char *name)
{
	for (uint32_t i = 0; i < vk->n_kernels; i++)
		if (strcmp(vk->kernels[i]->name, name) == 0)
			return vk->kernels[i];
	return NULL;
}

ea_status ea_vk_kernel_get(struct ea_vk *vk, const char *name, uint32_t n_buffers,
			   uint32_t push_size, struct ea_vk_kernel **out,
			   struct ea_error *err)
{
	const struct ea_shader *shader;
	struct ea_vk_kernel *kernel = find_kernel(vk, name);
	VkResult result;

	if (kernel) {
		if (kernel->n_buffers != n_buffers || kernel->push_size != push_size)
			return ea_error_set(err, EA_ERR_INVALID_ARGUMENT,
					    "kernel %s used with %u buffers and %u push bytes, built with %u and %u",
					    name, n_buffers, push_size, kernel->n_buffers,
					    kernel->push_size);
		*out = kernel;
		return EA_OK;
	}
	shader = ea_shader_find(name);
	if (!shader)
		return ea_error_set(err, EA_ERR_NO_SHADER, "no embedded shader named %s", name);
	if (n_buffers > EA_VK_MAX_BINDINGS || vk->n_kernels == EA_VK_MAX_KERNELS)
		return ea_error_set(err, EA_ERR_INVALID_ARGUMENT,
				    "kernel %s: %u buffers (at most %d), %u kernels built (at most %d)",
				    name, n_buffers, EA_VK_MAX_BINDINGS, vk->n_kernels,
				    EA_VK_MAX_KERNELS);

	kernel = calloc(1, sizeof(*kernel));
	if (!kernel)
		return ea_error_set(err, EA_ERR_NO_MEMORY, "allocating kernel %s", name);
	kernel->name = shader->name;
	kernel->n_buffers = n_buffers;
	kernel->push_size = push_size;
	result = create_layouts(vk, kernel);
	if (result == VK_SUCCESS)
		result = create_pipeline(vk, kernel, shader);
	if (result != VK_SUCCESS) {
		ea_vk_kernel_destroy(vk, kernel);
		return ea_error_set(err, EA_ERR_VULKAN, "building kernel %s: %s", name,
				    ea_vk_result_name(result));
	}
	vk->kernels[vk->n_kernels++] = kernel;
	*out = kernel;
	return EA_OK;
}

void ea_vk_kernel_destroy(struct ea_vk *vk, struct ea_vk_kernel *kernel)
{
	vkDestroyPipeline(vk->device, kernel->pipeline, NULL);
	vkDestroyShaderModule(vk->device, kernel->module, NULL);
	vkDestroyPipelineLayout(vk->device, kernel->layout, NULL);
	vkDestroyDescriptorSetLayout(vk->device, kernel->set_layout, NULL);
	free(kernel);
}

static VkResult bind_buffers(struct ea_vk *vk, const struct ea_vk_kernel *kernel,
			     struct ea_vk_buffer *const *buffers, VkDescriptorSet *set)
{
	VkDescriptorBufferInfo infos[EA_VK_MAX_BINDINGS];
	VkWriteDescriptorSet writes[EA_VK_MAX_BINDINGS];
	VkDescriptorSetAllocateInfo alloc = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
		.descriptorPool = vk->descriptor_pool,
		.descriptorSetCount = 1,
		.pSetLayouts = &kernel->set_layout,
	};
	VkResult result;

	result = vkAllocateDescriptorSets(vk->device, &alloc, set);
	if (result != VK_SUCCESS)
		return result;
	for (uint32_t i = 0; i < kernel->n_buffers; i++) {
		infos[i] = (VkDescriptorBufferInfo){
			.buffer = buffers[i]->buffer,
			.range = VK_WHOLE_SIZE,
		};
		writes[i] = (VkWriteDescriptorSet){
			.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET,
			.dstSet = *set,
			.dstBinding = i,
			.descriptorCount = 1,
			.descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
			.pBufferInfo = &infos[i],
		};
	}
	vkUpdateDescriptorSets(vk->device, kernel->n_buffers, writes, 0, NULL);
	return VK_SUCCESS;
}

static VkResult record(struct ea_vk *vk, const struct ea_vk_kernel *kernel,
		       VkDescriptorSet set, const void *push, uint32_t groups_x)
{
	VkCommandBufferBeginInfo begin = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
		.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT,
	};
	VkMemoryBarrier to_host = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
		.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT,
		.dstAccessMask = VK_ACCESS_HOST_READ_BIT,
	};
	VkCommandBuffer cmd = vk->command_buffer;
	VkResult result;

	result = vkBeginCommandBuffer(cmd, &begin);
	if (result != VK_SUCCESS)
		return result;
	vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, kernel->pipeline);
	vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, kernel->layout, 0, 1,
				&set, 0, NULL);
	if (kernel->push_size)
		vkCmdPushConstants(cmd, kernel->layout, VK_SHADER_STAGE_COMPUTE_BIT, 0,
				   kernel->push_size, push);
	vkCmdDispatch(cmd, groups_x, 1, 1);
	vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
			     VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &to_host, 0, NULL, 0, NULL);
	return vkEndCommandBuffer(cmd);
}

static VkResult submit_and_wait(struct ea_vk *vk)
{
	VkSubmitInfo submit = {
		.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO,
		.commandBufferCount = 1,
		.pCommandBuffers = &vk->command_buffer,
	};
	VkResult result;

	result = vkResetFences(vk->device, 1, &vk->fence);
	if (result != VK_SUCCESS)
		return result;
	result = vkQueueSubmit(vk->queue, 1, &submit, vk->fence);
	if (result != VK_SUCCESS)
		return result;
	/* No timeout of our own: a hung GPU job ends in VK_ERROR_DEVICE_LOST when
	 * the kernel driver's scheduler gives up on it. */
	return vkWaitForFences(vk->device, 1, &vk->fence, VK_TRUE, UINT64_MAX);
}

ea_status ea_vk_run(struct ea_vk *vk, const struct ea_vk_kernel *kernel,
		    struct ea_vk_buffer *const *buffers, const void *push,
		    uint32_t groups_x, struct ea_error *err)
{
	VkDescriptorSet set;
	VkResult result;

	if (groups_x == 0 || groups_x > vk->limits.maxComputeWorkGroupCount[0])
		return ea_error_set(err, EA_ERR_INVALID_ARGUMENT,
				    "kernel %s: %u workgroups (the device allows 1 to %u)",
				    kernel->name, groups_x, vk->limits.maxComputeWorkGroupCount[0]);
	result = bind_buffers(vk, kernel, buffers, &set);
	if (result != VK_SUCCESS)
		return ea_error_set(err, EA_ERR_VULKAN, "kernel %s: allocating descriptors: %s",
				    kernel->name, ea_vk_result_name(result));
	result = record(vk, kernel, set, push, groups_x);
	if (result == VK_SUCCESS)
		result = submit_and_wait(vk);
	vkFreeDescriptorSets(vk->device, vk->descriptor_pool, 1, &set);
	if (result != VK_SUCCESS)
		return ea_error_set(err, EA_ERR_VULKAN, "kernel %s: dispatch: %s",
				    kernel->name, ea_vk_result_name(result));
	return EA_OK;
}

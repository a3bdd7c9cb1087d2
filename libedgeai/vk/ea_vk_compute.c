// SPDX-License-Identifier: MIT
/* ea_vk_compute - buffers, kernels and dispatch; see ea_vk_compute.h. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ea_kernels.h"
#include "ea_shaders.h"
#include "ea_vk_compute.h"

static VkResult submit_and_wait(struct ea_vk *vk, VkCommandBuffer cmd);
static VkResult copy_and_wait(struct ea_vk *vk, const struct ea_vk_buffer *src,
			      VkDeviceSize src_offset, const struct ea_vk_buffer *dst,
			      VkDeviceSize dst_offset, VkDeviceSize bytes);

/* A memory type with the properties @want among @allowed, or -1. */
static int memory_type(const struct ea_vk *vk, uint32_t allowed, VkMemoryPropertyFlags want)
{
	for (uint32_t i = 0; i < vk->memory.memoryTypeCount; i++)
		if ((allowed & (1u << i)) &&
		    (vk->memory.memoryTypes[i].propertyFlags & want) == want)
			return (int)i;
	return -1;
}

/* A storage buffer of @size bytes, device-local or host-visible; either way
 * it starts zeroed (kernels may keep state across runs in scratch, e.g.
 * attention.comp's counters, which must start at zero). */
static ea_status create_buffer(struct ea_vk *vk, VkDeviceSize size, bool local,
			       struct ea_vk_buffer *buf, struct ea_error *err)
{
	/* Host-visible and coherent: the host writes inputs and reads results
	 * directly. Vulkan guarantees such a type exists. */
	const VkMemoryPropertyFlags want = local ? VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT :
					   VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
					   VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
	VkBufferCreateInfo create = {
		.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
		.size = size,
		.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
			 VK_BUFFER_USAGE_TRANSFER_DST_BIT,
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
	/* The host reads results back (logits): cached memory where there is
	 * some, since reading write-combined memory is slow. */
	type = local ? -1 : memory_type(vk, needs.memoryTypeBits,
					want | VK_MEMORY_PROPERTY_HOST_CACHED_BIT);
	if (type < 0)
		type = memory_type(vk, needs.memoryTypeBits, want);
	if (type < 0) {
		ea_vk_buffer_destroy(vk, buf);
		return ea_error_set(err, EA_ERR_VULKAN, "no %s memory type for a storage buffer",
				    local ? "device-local" : "host-visible coherent");
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
	if (local) {
		step = "zeroing it";
		result = copy_and_wait(vk, NULL, 0, buf, 0, VK_WHOLE_SIZE);
		if (result != VK_SUCCESS)
			goto fail;
		return EA_OK;
	}
	step = "vkMapMemory";
	result = vkMapMemory(vk->device, buf->memory, 0, VK_WHOLE_SIZE, 0, &buf->map);
	if (result != VK_SUCCESS)
		goto fail;
	memset(buf->map, 0, size);
	return EA_OK;
fail:
	ea_vk_buffer_destroy(vk, buf);
	return ea_error_set(err, EA_ERR_VULKAN, "%s (buffer of %llu bytes): %s", step,
			    (unsigned long long)size, ea_vk_result_name(result));
}

ea_status ea_vk_buffer_create(struct ea_vk *vk, VkDeviceSize size,
			      struct ea_vk_buffer *buf, struct ea_error *err)
{
	return create_buffer(vk, size, false, buf, err);
}

ea_status ea_vk_buffer_create_local(struct ea_vk *vk, VkDeviceSize size,
				    struct ea_vk_buffer *buf, struct ea_error *err)
{
	return create_buffer(vk, size, true, buf, err);
}

/* Record and run one copy of @bytes from @src at @src_offset to @dst at
 * @dst_offset, or with @src NULL a fill of them with zeros. */
static VkResult copy_and_wait(struct ea_vk *vk, const struct ea_vk_buffer *src,
			      VkDeviceSize src_offset, const struct ea_vk_buffer *dst,
			      VkDeviceSize dst_offset, VkDeviceSize bytes)
{
	VkCommandBufferBeginInfo begin = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
		.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT,
	};
	VkBufferCopy region = { .srcOffset = src_offset, .dstOffset = dst_offset, .size = bytes };
	/* Whatever ran before may have written src; the host reads dst after. */
	VkMemoryBarrier all = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
		.srcAccessMask = VK_ACCESS_MEMORY_WRITE_BIT,
		.dstAccessMask = VK_ACCESS_MEMORY_READ_BIT | VK_ACCESS_MEMORY_WRITE_BIT,
	};
	VkCommandBuffer cmd = vk->command_buffer;
	VkResult result;

	result = vkBeginCommandBuffer(cmd, &begin);
	if (result != VK_SUCCESS)
		return result;
	vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT,
			     VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, 0, 1, &all, 0, NULL, 0, NULL);
	if (src)
		vkCmdCopyBuffer(cmd, src->buffer, dst->buffer, 1, &region);
	else
		vkCmdFillBuffer(cmd, dst->buffer, dst_offset, bytes, 0);
	vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT,
			     VK_PIPELINE_STAGE_ALL_COMMANDS_BIT | VK_PIPELINE_STAGE_HOST_BIT, 0, 1,
			     &all, 0, NULL, 0, NULL);
	result = vkEndCommandBuffer(cmd);
	if (result != VK_SUCCESS)
		return result;
	return submit_and_wait(vk, cmd);
}

static ea_status check_range(const struct ea_vk_buffer *buf, VkDeviceSize offset,
			     VkDeviceSize bytes, const char *what, struct ea_error *err)
{
	if (bytes == 0 || offset > buf->size || bytes > buf->size - offset)
		return ea_error_set(err, EA_ERR_INVALID_ARGUMENT,
				    "%s %llu bytes at %llu: outside a buffer of %llu", what,
				    (unsigned long long)bytes, (unsigned long long)offset,
				    (unsigned long long)buf->size);
	return EA_OK;
}

ea_status ea_vk_buffer_write(struct ea_vk *vk, struct ea_vk_buffer *buf, VkDeviceSize offset,
			     const void *data, VkDeviceSize bytes, struct ea_error *err)
{
	struct ea_vk_buffer staging;
	ea_status status;
	VkResult result;

	status = check_range(buf, offset, bytes, "writing", err);
	if (status == EA_OK)
		status = ea_vk_buffer_create(vk, bytes, &staging, err);
	if (status != EA_OK)
		return status;
	memcpy(staging.map, data, bytes);
	result = copy_and_wait(vk, &staging, 0, buf, offset, bytes);
	ea_vk_buffer_destroy(vk, &staging);
	if (result != VK_SUCCESS)
		return ea_error_set(err, EA_ERR_VULKAN, "copying %llu bytes to the device: %s",
				    (unsigned long long)bytes, ea_vk_result_name(result));
	return EA_OK;
}

ea_status ea_vk_buffer_read(struct ea_vk *vk, const struct ea_vk_buffer *buf,
			    VkDeviceSize offset, void *data, VkDeviceSize bytes,
			    struct ea_error *err)
{
	struct ea_vk_buffer staging;
	ea_status status;
	VkResult result;

	status = check_range(buf, offset, bytes, "reading", err);
	if (status == EA_OK)
		status = ea_vk_buffer_create(vk, bytes, &staging, err);
	if (status != EA_OK)
		return status;
	result = copy_and_wait(vk, buf, offset, &staging, 0, bytes);
	if (result == VK_SUCCESS)
		memcpy(data, staging.map, bytes);
	ea_vk_buffer_destroy(vk, &staging);
	if (result != VK_SUCCESS)
		return ea_error_set(err, EA_ERR_VULKAN, "copying %llu bytes from the device: %s",
				    (unsigned long long)bytes, ea_vk_result_name(result));
	return EA_OK;
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

static VkResult submit_and_wait(struct ea_vk *vk, VkCommandBuffer cmd)
{
	VkSubmitInfo submit = {
		.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO,
		.commandBufferCount = 1,
		.pCommandBuffers = &cmd,
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
		result = submit_and_wait(vk, vk->command_buffer);
	vkFreeDescriptorSets(vk->device, vk->descriptor_pool, 1, &set);
	if (result != VK_SUCCESS)
		return ea_error_set(err, EA_ERR_VULKAN, "kernel %s: dispatch: %s",
				    kernel->name, ea_vk_result_name(result));
	return EA_OK;
}

/* Sets per descriptor pool of a recording; a recording adds pools as it grows. */
#define EA_VK_REC_POOL_SETS 64

ea_status ea_vk_rec_begin(struct ea_vk *vk, struct ea_vk_rec *rec, struct ea_error *err)
{
	VkCommandBufferAllocateInfo alloc = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
		.commandPool = vk->command_pool,
		.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
		.commandBufferCount = 1,
	};
	VkCommandBufferBeginInfo begin = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
	};
	VkResult result;

	memset(rec, 0, sizeof(*rec));
	rec->vk = vk;
	result = vkAllocateCommandBuffers(vk->device, &alloc, &rec->cmd);
	if (result == VK_SUCCESS)
		result = vkBeginCommandBuffer(rec->cmd, &begin);
	if (result != VK_SUCCESS) {
		ea_vk_rec_destroy(rec);
		return ea_error_set(err, EA_ERR_VULKAN, "beginning a recording: %s",
				    ea_vk_result_name(result));
	}
	return EA_OK;
}

static VkResult add_pool(struct ea_vk_rec *rec)
{
	VkDescriptorPoolSize size = {
		.type = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
		.descriptorCount = EA_VK_REC_POOL_SETS * EA_VK_MAX_BINDINGS,
	};
	VkDescriptorPoolCreateInfo create = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO,
		.maxSets = EA_VK_REC_POOL_SETS,
		.poolSizeCount = 1,
		.pPoolSizes = &size,
	};
	VkResult result;

	if (rec->n_pools == EA_VK_REC_MAX_POOLS)
		return VK_ERROR_TOO_MANY_OBJECTS;
	result = vkCreateDescriptorPool(rec->vk->device, &create, NULL,
					&rec->pools[rec->n_pools]);
	if (result != VK_SUCCESS)
		return result;
	rec->n_pools++;
	rec->sets_left = EA_VK_REC_POOL_SETS;
	return VK_SUCCESS;
}

static VkResult rec_bind(struct ea_vk_rec *rec, const struct ea_vk_kernel *kernel,
			 const struct ea_vk_span *spans)
{
	VkDescriptorBufferInfo infos[EA_VK_MAX_BINDINGS];
	VkWriteDescriptorSet writes[EA_VK_MAX_BINDINGS];
	VkDescriptorSetAllocateInfo alloc = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
		.descriptorSetCount = 1,
		.pSetLayouts = &kernel->set_layout,
	};
	VkDescriptorSet set;
	VkResult result;

	if (rec->sets_left == 0) {
		result = add_pool(rec);
		if (result != VK_SUCCESS)
			return result;
	}
	alloc.descriptorPool = rec->pools[rec->n_pools - 1];
	result = vkAllocateDescriptorSets(rec->vk->device, &alloc, &set);
	if (result != VK_SUCCESS)
		return result;
	rec->sets_left--;
	for (uint32_t i = 0; i < kernel->n_buffers; i++) {
		infos[i] = (VkDescriptorBufferInfo){
			.buffer = spans[i].buf->buffer,
			.offset = spans[i].offset,
			.range = spans[i].size,
		};
		writes[i] = (VkWriteDescriptorSet){
			.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET,
			.dstSet = set,
			.dstBinding = i,
			.descriptorCount = 1,
			.descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
			.pBufferInfo = &infos[i],
		};
	}
	vkUpdateDescriptorSets(rec->vk->device, kernel->n_buffers, writes, 0, NULL);
	vkCmdBindDescriptorSets(rec->cmd, VK_PIPELINE_BIND_POINT_COMPUTE, kernel->layout, 0, 1,
				&set, 0, NULL);
	return VK_SUCCESS;
}

static ea_status check_spans(const struct ea_vk *vk, const struct ea_vk_kernel *kernel,
			     const struct ea_vk_span *spans, struct ea_error *err)
{
	VkDeviceSize align = vk->limits.minStorageBufferOffsetAlignment;

	for (uint32_t i = 0; i < kernel->n_buffers; i++) {
		const struct ea_vk_span *s = &spans[i];

		if (!s->buf || s->offset % align || s->offset >= s->buf->size ||
		    (s->size != VK_WHOLE_SIZE &&
		     (s->size == 0 || s->size > s->buf->size - s->offset)))
			return ea_error_set(err, EA_ERR_INVALID_ARGUMENT,
					    "kernel %s, binding %u: no buffer, or offset %llu / size %llu "
					    "outside it or not a multiple of %llu",
					    kernel->name, i, (unsigned long long)s->offset,
					    (unsigned long long)s->size, (unsigned long long)align);
		if (ea_vk_span_bytes(*s) > vk->limits.maxStorageBufferRange)
			return ea_error_set(err, EA_ERR_INVALID_ARGUMENT,
					    "kernel %s, binding %u: %llu bytes, more than the device "
					    "binds (%u)", kernel->name, i,
					    (unsigned long long)ea_vk_span_bytes(*s),
					    vk->limits.maxStorageBufferRange);
	}
	return EA_OK;
}

ea_status ea_vk_rec_dispatch(struct ea_vk_rec *rec, const struct ea_vk_kernel *kernel,
			     const struct ea_vk_span *spans, const void *push,
			     uint32_t groups_x, uint32_t groups_y, struct ea_error *err)
{
	/* Every dispatch may read what the one before wrote. */
	VkMemoryBarrier after = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
		.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT,
		.dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT,
	};
	const uint32_t *max = rec->vk->limits.maxComputeWorkGroupCount;
	VkResult result;
	ea_status status;

	if (rec->ended)
		return ea_error_set(err, EA_ERR_INVALID_ARGUMENT,
				    "kernel %s: the recording has ended", kernel->name);
	if (groups_x == 0 || groups_y == 0 || groups_x > max[0] || groups_y > max[1])
		return ea_error_set(err, EA_ERR_INVALID_ARGUMENT,
				    "kernel %s: %u x %u workgroups (the device allows %u x %u)",
				    kernel->name, groups_x, groups_y, max[0], max[1]);
	status = check_spans(rec->vk, kernel, spans, err);
	if (status != EA_OK)
		return status;
	vkCmdBindPipeline(rec->cmd, VK_PIPELINE_BIND_POINT_COMPUTE, kernel->pipeline);
	result = rec_bind(rec, kernel, spans);
	if (result != VK_SUCCESS)
		return ea_error_set(err, EA_ERR_VULKAN, "kernel %s: allocating descriptors: %s",
				    kernel->name, ea_vk_result_name(result));
	if (kernel->push_size)
		vkCmdPushConstants(rec->cmd, kernel->layout, VK_SHADER_STAGE_COMPUTE_BIT, 0,
				   kernel->push_size, push);
	vkCmdDispatch(rec->cmd, groups_x, groups_y, 1);
	if (!rec->manual_barriers)
		vkCmdPipelineBarrier(rec->cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
				     VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, 0, 1, &after, 0, NULL,
				     0, NULL);
	rec->n_dispatches++;
	return EA_OK;
}

void ea_vk_rec_barrier(struct ea_vk_rec *rec)
{
	VkMemoryBarrier after = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
		.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT,
		.dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT,
	};

	vkCmdPipelineBarrier(rec->cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
			     VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, 0, 1, &after, 0, NULL, 0, NULL);
}

ea_status ea_vk_rec_timestamps(struct ea_vk_rec *rec, uint32_t n, struct ea_error *err)
{
	VkQueryPoolCreateInfo create = {
		.sType = VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO,
		.queryType = VK_QUERY_TYPE_TIMESTAMP,
		.queryCount = n,
	};
	VkResult result = vkCreateQueryPool(rec->vk->device, &create, NULL, &rec->queries);

	if (result != VK_SUCCESS)
		return ea_error_set(err, EA_ERR_VULKAN, "vkCreateQueryPool: %s",
				    ea_vk_result_name(result));
	rec->max_queries = n;
	rec->n_queries = 0;
	vkCmdResetQueryPool(rec->cmd, rec->queries, 0, n);
	return EA_OK;
}

bool ea_vk_rec_timestamp(struct ea_vk_rec *rec)
{
	if (!rec->queries || rec->n_queries == rec->max_queries || !rec->vk->timestamps)
		return false;
	vkCmdWriteTimestamp(rec->cmd, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, rec->queries,
			    rec->n_queries++);
	return true;
}

static double timestamp_ns(const struct ea_vk *vk)
{
	VkPhysicalDeviceProperties props;

	vkGetPhysicalDeviceProperties(vk->physical, &props);
	return props.limits.timestampPeriod;
}

ea_status ea_vk_rec_read_timestamps(struct ea_vk_rec *rec, double *ns, uint32_t n,
				    struct ea_error *err)
{
	uint64_t ticks[n ? n : 1];
	double period = timestamp_ns(rec->vk);
	VkResult result;

	if (!rec->queries || n > rec->n_queries)
		return ea_error_set(err, EA_ERR_INVALID_ARGUMENT, "no such timestamps");
	result = vkGetQueryPoolResults(rec->vk->device, rec->queries, 0, n, sizeof(ticks), ticks,
				       sizeof(uint64_t), VK_QUERY_RESULT_64_BIT |
				       VK_QUERY_RESULT_WAIT_BIT);
	if (result != VK_SUCCESS)
		return ea_error_set(err, EA_ERR_VULKAN, "vkGetQueryPoolResults: %s",
				    ea_vk_result_name(result));
	for (uint32_t i = 0; i < n; i++)
		ns[i] = (double)(ticks[i] - ticks[0]) * period;
	return EA_OK;
}

ea_status ea_vk_rec_end(struct ea_vk_rec *rec, struct ea_error *err)
{
	VkMemoryBarrier to_host = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
		.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT,
		.dstAccessMask = VK_ACCESS_HOST_READ_BIT,
	};
	VkResult result;

	if (rec->ended)
		return EA_OK;
	vkCmdPipelineBarrier(rec->cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
			     VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &to_host, 0, NULL, 0, NULL);
	result = vkEndCommandBuffer(rec->cmd);
	if (result != VK_SUCCESS)
		return ea_error_set(err, EA_ERR_VULKAN, "ending a recording of %u dispatches: %s",
				    rec->n_dispatches, ea_vk_result_name(result));
	rec->ended = true;
	return EA_OK;
}

ea_status ea_vk_rec_submit(struct ea_vk_rec *rec, struct ea_error *err)
{
	VkResult result;

	if (!rec->ended)
		return ea_error_set(err, EA_ERR_INVALID_ARGUMENT,
				    "submitting a recording that has not ended");
	result = submit_and_wait(rec->vk, rec->cmd);
	if (result != VK_SUCCESS)
		return ea_error_set(err, EA_ERR_VULKAN, "running a recording of %u dispatches: %s",
				    rec->n_dispatches, ea_vk_result_name(result));
	return EA_OK;
}

void ea_vk_rec_destroy(struct ea_vk_rec *rec)
{
	if (!rec->vk)
		return;
	if (rec->cmd)
		vkFreeCommandBuffers(rec->vk->device, rec->vk->command_pool, 1, &rec->cmd);
	for (uint32_t i = 0; i < rec->n_pools; i++)
		vkDestroyDescriptorPool(rec->vk->device, rec->pools[i], NULL);
	if (rec->queries)
		vkDestroyQueryPool(rec->vk->device, rec->queries, NULL);
	memset(rec, 0, sizeof(*rec));
}

static double wall_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The second timestamp, end, submit and wait: seconds of GPU time between the
 * two stamps into *@seconds (the wall clock's where the queue has none). */
static ea_status end_timed(struct ea_vk_rec *rec, bool stamped, double *seconds,
			   struct ea_error *err)
{
	double ns[2], start;
	ea_status status;

	ea_vk_rec_timestamp(rec);
	status = ea_vk_rec_end(rec, err);
	start = wall_s();
	if (status == EA_OK)
		status = ea_vk_rec_submit(rec, err);
	*seconds = wall_s() - start;
	if (status == EA_OK && stamped &&
	    ea_vk_rec_read_timestamps(rec, ns, 2, err) == EA_OK && ns[1] > 0)
		*seconds = ns[1] * 1e-9;
	return status;
}

/* One submit of @iters copies src -> dst, each after a barrier on the last;
 * seconds of GPU time into *@seconds. */
static ea_status time_copies(struct ea_vk *vk, struct ea_vk_buffer *src, struct ea_vk_buffer *dst,
			     uint32_t iters, double *seconds, struct ea_error *err)
{
	struct ea_vk_rec rec;
	VkBufferCopy region = { .size = src->size };
	VkMemoryBarrier between = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
		.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT,
		.dstAccessMask = VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_TRANSFER_WRITE_BIT,
	};
	bool stamped;
	ea_status status = ea_vk_rec_begin(vk, &rec, err);

	if (status != EA_OK)
		return status;
	status = ea_vk_rec_timestamps(&rec, 2, err);
	if (status != EA_OK)
		goto out;
	stamped = ea_vk_rec_timestamp(&rec);
	for (uint32_t i = 0; i < iters; i++) {
		if (i)
			vkCmdPipelineBarrier(rec.cmd, VK_PIPELINE_STAGE_TRANSFER_BIT,
					     VK_PIPELINE_STAGE_TRANSFER_BIT, 0, 1, &between, 0,
					     NULL, 0, NULL);
		vkCmdCopyBuffer(rec.cmd, src->buffer, dst->buffer, 1, &region);
	}
	status = end_timed(&rec, stamped, seconds, err);
out:
	ea_vk_rec_destroy(&rec);
	return status;
}

/* Two device-local buffers of @bytes, the bandwidth figures' source and
 * destination; free_pair() frees what was made. */
static ea_status buffer_pair(struct ea_vk *vk, VkDeviceSize bytes, struct ea_vk_buffer *src,
			     struct ea_vk_buffer *dst, struct ea_error *err)
{
	ea_status status = ea_vk_buffer_create_local(vk, bytes, src, err);

	return status == EA_OK ? ea_vk_buffer_create_local(vk, bytes, dst, err) : status;
}

static void free_pair(struct ea_vk *vk, struct ea_vk_buffer *src, struct ea_vk_buffer *dst)
{
	if (dst->buffer)
		ea_vk_buffer_destroy(vk, dst);
	if (src->buffer)
		ea_vk_buffer_destroy(vk, src);
}

ea_status ea_vk_copy_bandwidth(struct ea_vk *vk, VkDeviceSize bytes, uint32_t iters,
			       double *gbps, struct ea_error *err)
{
	struct ea_vk_buffer src = { 0 }, dst = { 0 };
	double seconds = 0;
	ea_status status;

	*gbps = 0;
	status = buffer_pair(vk, bytes, &src, &dst, err);
	if (status == EA_OK)	/* warm-up: first touch of the pages, clocks */
		status = time_copies(vk, &src, &dst, 2, &seconds, err);
	if (status == EA_OK)
		status = time_copies(vk, &src, &dst, iters, &seconds, err);
	if (status == EA_OK && seconds > 0)
		*gbps = 2.0 * (double)bytes * iters / seconds * 1e-9;
	free_pair(vk, &src, &dst);
	return status;
}

/* One submit of @iters dispatches of the streaming kernel @k over @src (and
 * @dst), a barrier between them; seconds of GPU time into *@seconds. */
static ea_status time_stream(struct ea_vk *vk, const struct ea_vk_kernel *k,
			     const struct ea_vk_buffer *src, const struct ea_vk_buffer *dst,
			     uint32_t iters, double *seconds, struct ea_error *err)
{
	struct ea_push_stream push = { .n_words = (uint32_t)(src->size / 16), .never = 0x5eed1e55u };
	struct ea_vk_span spans[2] = { ea_vk_whole(src), ea_vk_whole(dst) };
	uint32_t groups = push.n_words / EA_STREAM_WG / 4;
	struct ea_vk_rec rec;
	bool stamped;
	ea_status status = ea_vk_rec_begin(vk, &rec, err);

	if (status != EA_OK)
		return status;
	groups = groups < 1 ? 1 : groups > 65535 ? 65535 : groups;
	status = ea_vk_rec_timestamps(&rec, 2, err);
	stamped = status == EA_OK && ea_vk_rec_timestamp(&rec);
	for (uint32_t i = 0; status == EA_OK && i < iters; i++)
		status = ea_vk_rec_dispatch(&rec, k, spans, &push, groups, 1, err);
	if (status == EA_OK)
		status = end_timed(&rec, stamped, seconds, err);
	ea_vk_rec_destroy(&rec);
	return status;
}

ea_status ea_vk_stream_bandwidth(struct ea_vk *vk, VkDeviceSize bytes, uint32_t iters,
				 double *read_gbps, double *copy_gbps, struct ea_error *err)
{
	struct ea_vk_buffer src = { 0 }, dst = { 0 };
	struct ea_vk_kernel *reader = NULL, *copier = NULL;
	double seconds = 0;
	ea_status status;

	*read_gbps = *copy_gbps = 0;
	if (bytes > vk->limits.maxStorageBufferRange)	/* lavapipe binds 128 MiB at most */
		bytes = vk->limits.maxStorageBufferRange;
	bytes &= ~(VkDeviceSize)15;
	if (bytes / 16 > UINT32_MAX)
		return ea_error_set(err, EA_ERR_INVALID_ARGUMENT, "a stream of %llu bytes is too "
				    "long", (unsigned long long)bytes);
	status = ea_vk_kernel_get(vk, "stream_read", 2, sizeof(struct ea_push_stream), &reader,
				  err);
	if (status == EA_OK)
		status = ea_vk_kernel_get(vk, "stream_copy", 2, sizeof(struct ea_push_stream),
					  &copier, err);
	if (status == EA_OK)
		status = buffer_pair(vk, bytes, &src, &dst, err);
	if (status == EA_OK)	/* warm-up: first touch of the pages, clocks */
		status = time_stream(vk, copier, &src, &dst, 2, &seconds, err);
	if (status == EA_OK)
		status = time_stream(vk, reader, &src, &dst, iters, &seconds, err);
	if (status == EA_OK && seconds > 0)
		*read_gbps = (double)bytes * iters / seconds * 1e-9;
	if (status == EA_OK)
		status = time_stream(vk, copier, &src, &dst, iters, &seconds, err);
	if (status == EA_OK && seconds > 0)
		*copy_gbps = 2.0 * (double)bytes * iters / seconds * 1e-9;
	free_pair(vk, &src, &dst);
	return status;
}

// SPDX-License-Identifier: MIT
/* ea_dequant - ea_dequant_q8_0() (edgeai.h): GGUF Q8_0 dequantized on a device's Vulkan kernel. */
#include <stdlib.h>
#include <string.h>

#include "ea_device.h"
#include "ea_kernels.h"
#include "ea_quant.h"
#include "ea_vk_compute.h"

/* local_size_x of shaders/dequant_q8_0.comp. */
#define DEQUANT_Q8_0_WORKGROUP 256

static bool valid_row(const void *blocks, size_t n_values, const float *out)
{
	return blocks && out && n_values % EA_Q8_0_BLOCK_VALUES == 0;
}

ea_status ea_ref_dequant_q8_0(const void *blocks, size_t n_values, float *out)
{
	if (!valid_row(blocks, n_values, out))
		return EA_ERR_INVALID_ARGUMENT;
	ea_dequant_row(EA_TYPE_Q8_0, blocks, out, n_values);
	return EA_OK;
}

/* Buffers larger than the device's storage-buffer range cannot be bound (the
 * limit is at most 2^32, which also keeps the shader's 32-bit indices in range):
 * reject such rows rather than truncate them. */
static ea_status check_row_fits(struct ea_device *dev, size_t in_bytes, size_t out_bytes,
				size_t n_values)
{
	uint32_t range = dev->vk->limits.maxStorageBufferRange;

	if (out_bytes > range || in_bytes > range)
		return ea_error_set(&dev->error, EA_ERR_INVALID_ARGUMENT,
				    "ea_dequant_q8_0: %zu values do not fit one dispatch "
				    "(buffers are limited to %u bytes)", n_values, range);
	return EA_OK;
}

static uint32_t workgroups(const struct ea_device *dev, size_t n_values)
{
	size_t groups = (n_values + DEQUANT_Q8_0_WORKGROUP - 1) / DEQUANT_Q8_0_WORKGROUP;
	uint32_t max = dev->vk->limits.maxComputeWorkGroupCount[0];

	/* The shader strides over the row, so fewer groups than values is fine. */
	return groups < max ? (uint32_t)groups : max;
}

ea_status ea_dequant_q8_0(struct ea_device *dev, const void *blocks, size_t n_values,
			  float *out)
{
	size_t in_bytes = n_values / EA_Q8_0_BLOCK_VALUES * EA_Q8_0_BLOCK_BYTES;
	size_t out_bytes = n_values * sizeof(float);
	struct ea_push_dequant params = { .n_values = (uint32_t)n_values };
	struct ea_vk_buffer in, values;
	struct ea_vk_buffer *bound[] = { &in, &values };
	struct ea_vk_kernel *kernel;
	ea_status status;

	if (!dev)
		return EA_ERR_INVALID_ARGUMENT;
	if (!valid_row(blocks, n_values, out))
		return ea_error_set(&dev->error, EA_ERR_INVALID_ARGUMENT,
				    "ea_dequant_q8_0: NULL pointer or %zu values, not a multiple of %d",
				    n_values, EA_Q8_0_BLOCK_VALUES);
	if (n_values == 0)
		return EA_OK;
	status = ea_device_need_vk(dev);
	if (status == EA_OK)
		status = check_row_fits(dev, in_bytes, out_bytes, n_values);
	if (status == EA_OK)
		status = ea_vk_kernel_get(dev->vk, "dequant_q8_0", 2, sizeof(params), &kernel,
					  &dev->error);
	if (status != EA_OK)
		return status;

	/* The shader reads whole 32-bit words: round the input up to one. */
	status = ea_vk_buffer_create(dev->vk, (in_bytes + 3) & ~(size_t)3, &in, &dev->error);
	if (status != EA_OK)
		return status;
	status = ea_vk_buffer_create(dev->vk, out_bytes, &values, &dev->error);
	if (status == EA_OK) {
		memcpy(in.map, blocks, in_bytes);	/* the rounding's tail: zero as created */
		status = ea_vk_run(dev->vk, kernel, bound, &params, workgroups(dev, n_values),
				   &dev->error);
		if (status == EA_OK)
			memcpy(out, values.map, out_bytes);
		ea_vk_buffer_destroy(dev->vk, &values);
	}
	ea_vk_buffer_destroy(dev->vk, &in);
	return status;
}

/* SPDX-License-Identifier: MIT */
/*
 * edgeai.h - the public interface of libedgeai.
 *
 * libedgeai runs quantized language-model kernels on an edge accelerator. It
 * works in one of two modes:
 *
 *  - kmod mode: the edgeai kernel module is loaded and its DRM accel device
 *    (/dev/accel/accelN, driver name "edgeai") is open; the module owns
 *    accelerator memory and job queues.
 *  - direct mode: no module; the library runs the Vulkan kernels inside the
 *    calling process. This is the default on a machine without the module.
 *
 * Thread safety: the library holds no global mutable state. A struct ea_device
 * must not be used by two threads at once; separate devices are independent
 * and may be used from different threads concurrently. Functions that take no
 * device (ea_strerror, ea_ref_*) are safe to call from any thread.
 *
 * Errors: every fallible function returns an ea_status. EA_OK is zero and every
 * error is negative; ea_strerror() describes the code, and ea_last_error()
 * gives the message of the device's last failure, with its details.
 */
#ifndef EDGEAI_H
#define EDGEAI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define EA_API __attribute__((visibility("default")))

/* Status codes returned by every fallible function. */
typedef enum ea_status {
	EA_OK = 0,
	EA_ERR_INVALID_ARGUMENT = -1,	/* a NULL pointer, a bad size or option */
	EA_ERR_NO_MEMORY = -2,		/* host memory allocation failed */
	EA_ERR_BAD_ENVIRONMENT = -3,	/* EDGEAI_MODE or EDGEAI_VK_DEVICE is invalid */
	EA_ERR_NO_VULKAN_DEVICE = -4,	/* no (or no matching) usable Vulkan device */
	EA_ERR_VULKAN = -5,		/* a Vulkan call failed */
	EA_ERR_NO_ACCEL_DEVICE = -6,	/* kmod mode asked for, no edgeai accel device */
	EA_ERR_ACCEL = -7,		/* an ioctl on the accel device failed */
	EA_ERR_ABI_MISMATCH = -8,	/* the module speaks an ABI version we do not */
	EA_ERR_NO_SHADER = -9,		/* a kernel's SPIR-V is not in the library */
	EA_ERR_FORMAT = -10,		/* a file (GGUF) is malformed; the message names
					 * the field and its byte offset */
	EA_ERR_IO = -11,		/* a file could not be opened, mapped, read or written */
	EA_ERR_NOT_FOUND = -12,		/* a key, tensor or name is not there */
	EA_ERR_UNSUPPORTED = -13,	/* well-formed but not supported (version,
					 * tensor type, tokenizer model) */
	EA_ERR_CLOUD = -14,		/* the cloud endpoint failed: refused, timed out,
					 * HTTP error, or a malformed or cut answer */
} ea_status;

/* A static description of @status; never NULL, also for unknown codes. */
EA_API const char *ea_strerror(ea_status status);

enum ea_mode {
	EA_MODE_AUTO = 0,	/* kmod when an edgeai accel device exists, else direct */
	EA_MODE_DIRECT = 1,	/* Vulkan in this process, no module */
	EA_MODE_KMOD = 2,	/* through the module's accel device; fails without it */
};

/* "auto", "direct" or "kmod". */
EA_API const char *ea_mode_name(enum ea_mode mode);

/*
 * Options of ea_open(). Zero-initialize it, then set what you need: a zero or
 * NULL field means "from the environment, else the default".
 */
struct ea_open_options {
	/* EA_MODE_AUTO: the EDGEAI_MODE environment variable ("auto", "direct",
	 * "kmod") if set, else automatic. */
	enum ea_mode mode;
	/* Vulkan device: an index into the enumerated physical devices or a
	 * case-insensitive substring of a device's name. NULL: EDGEAI_VK_DEVICE
	 * if set, else the best device (discrete GPU, then integrated GPU, then
	 * virtual GPU, then CPU). */
	const char *vk_device;
	/* Folder scanned for accel nodes. NULL: "/dev/accel". */
	const char *accel_dir;
};

struct ea_device;

/*
 * Open a device. @options may be NULL (all defaults). On success *@out holds
 * the device (free it with ea_close()). On failure *@out is NULL and, when
 * @errmsg is not NULL, a message of at most @errmsg_size bytes (terminated)
 * explains what went wrong, e.g. the list of Vulkan devices when
 * EDGEAI_VK_DEVICE matched none.
 *
 * In direct mode a usable Vulkan device is required. In kmod mode the Vulkan
 * device is optional (the module's executor runs the kernels): when none can
 * be opened, ea_device_info() reports vk_available = false and operations
 * that run kernels in this process fail with EA_ERR_NO_VULKAN_DEVICE.
 */
EA_API ea_status ea_open(const struct ea_open_options *options,
			 struct ea_device **out, char *errmsg, size_t errmsg_size);

/* Close @dev and free everything it holds. NULL is a no-op. */
EA_API void ea_close(struct ea_device *dev);

/* The mode @dev runs in: EA_MODE_DIRECT or EA_MODE_KMOD. */
EA_API enum ea_mode ea_device_mode(const struct ea_device *dev);

/* The message of the last failed call on @dev; "" when none failed yet. */
EA_API const char *ea_last_error(const struct ea_device *dev);

enum ea_vk_device_type {
	EA_VK_DEVICE_OTHER = 0,
	EA_VK_DEVICE_INTEGRATED_GPU = 1,
	EA_VK_DEVICE_DISCRETE_GPU = 2,
	EA_VK_DEVICE_VIRTUAL_GPU = 3,
	EA_VK_DEVICE_CPU = 4,
};

/* "discrete GPU", "integrated GPU", "virtual GPU", "CPU" or "other". */
EA_API const char *ea_vk_device_type_name(enum ea_vk_device_type type);

#define EA_NAME_MAX 256

/* What a device is and can do; filled in by ea_open(), fixed afterwards. */
struct ea_device_info {
	enum ea_mode mode;

	/* kmod mode only (zero in direct mode): the accel node and the
	 * module's ABI version and limits (EDGEAI_PARAM_* in the uapi). */
	char accel_path[EA_NAME_MAX];
	uint32_t abi_version;
	uint64_t mem_limit;		/* bytes, whole device */
	uint64_t client_quota;		/* bytes, per open file */
	uint64_t max_bo_size;		/* bytes, per buffer object */
	uint32_t max_queues;		/* job queues per client */
	uint32_t job_timeout_ms;

	/* The Vulkan device; meaningful only when vk_available is true. */
	bool vk_available;
	uint32_t vk_index;		/* in vkEnumeratePhysicalDevices order */
	char vk_name[EA_NAME_MAX];
	enum ea_vk_device_type vk_type;
	uint32_t vk_vendor_id;
	uint32_t vk_device_id;
	uint32_t vk_api_version;	/* VK_MAKE_API_VERSION encoding */
	char vk_driver_name[EA_NAME_MAX];
	char vk_driver_info[EA_NAME_MAX];
	uint32_t subgroup_size;
	bool shader_float16;		/* fp16 arithmetic in shaders */
	bool shader_int8;		/* int8 arithmetic in shaders */
	bool storage_16bit;		/* 16-bit values in storage buffers */
	bool storage_8bit;		/* 8-bit values in storage buffers */
	bool int8_dot_product;		/* VK_KHR_shader_integer_dot_product */
	bool int8_dot_product_accelerated; /* packed 4x8 signed dot is fast */
	bool coop_matrix_khr;		/* VK_KHR_cooperative_matrix present */
	bool coop_matrix_nv;		/* VK_NV_cooperative_matrix present */
};

/* The information of @dev, valid until ea_close(@dev). */
EA_API const struct ea_device_info *ea_device_info(const struct ea_device *dev);

/*
 * GGUF Q8_0: blocks of 32 values, each an fp16 scale d followed by 32 int8 q
 * (34 bytes, the layout of ggml's block_q8_0); value j is d * q[j].
 */
#define EA_Q8_0_BLOCK_VALUES 32
#define EA_Q8_0_BLOCK_BYTES 34

/*
 * Dequantize @n_values values (a multiple of EA_Q8_0_BLOCK_VALUES) from the
 * Q8_0 blocks at @blocks into @out, on the device's Vulkan device. The result
 * is bit-identical to ea_ref_dequant_q8_0().
 */
EA_API ea_status ea_dequant_q8_0(struct ea_device *dev, const void *blocks,
				 size_t n_values, float *out);

/* The CPU reference of ea_dequant_q8_0(). */
EA_API ea_status ea_ref_dequant_q8_0(const void *blocks, size_t n_values,
				     float *out);

#ifdef __cplusplus
}
#endif

#endif /* EDGEAI_H */

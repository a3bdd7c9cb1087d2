// SPDX-License-Identifier: MIT
/*
 * ea_device - open a device: choose the mode (kmod when the edgeai accel device
 * is there, else direct), then the Vulkan device.
 */
#include <stdlib.h>
#include <string.h>

#include "ea_device.h"

#define EA_DEFAULT_ACCEL_DIR "/dev/accel"

const char *ea_mode_name(enum ea_mode mode)
{
	switch (mode) {
	case EA_MODE_AUTO:
		return "auto";
	case EA_MODE_DIRECT:
		return "direct";
	case EA_MODE_KMOD:
		return "kmod";
	}
	return "unknown";
}

const char *ea_vk_device_type_name(enum ea_vk_device_type type)
{
	switch (type) {
	case EA_VK_DEVICE_INTEGRATED_GPU:
		return "integrated GPU";
	case EA_VK_DEVICE_DISCRETE_GPU:
		return "discrete GPU";
	case EA_VK_DEVICE_VIRTUAL_GPU:
		return "virtual GPU";
	case EA_VK_DEVICE_CPU:
		return "CPU";
	case EA_VK_DEVICE_OTHER:
		break;
	}
	return "other";
}

static ea_status requested_mode(const struct ea_open_options *options, enum ea_mode *mode,
				struct ea_error *err)
{
	const char *env = getenv("EDGEAI_MODE");

	*mode = options->mode;
	if (*mode != EA_MODE_AUTO && *mode != EA_MODE_DIRECT && *mode != EA_MODE_KMOD)
		return ea_error_set(err, EA_ERR_INVALID_ARGUMENT, "options.mode %d is not an ea_mode",
				    (int)*mode);
	if (*mode != EA_MODE_AUTO || !env || !*env)
		return EA_OK;
	for (enum ea_mode m = EA_MODE_AUTO; m <= EA_MODE_KMOD; m++) {
		if (strcmp(env, ea_mode_name(m)) == 0) {
			*mode = m;
			return EA_OK;
		}
	}
	return ea_error_set(err, EA_ERR_BAD_ENVIRONMENT,
			    "EDGEAI_MODE=\"%s\" is not one of auto, direct, kmod", env);
}

/* kmod mode when asked for or when the device is there; direct mode otherwise. */
static ea_status open_kmod(struct ea_device *dev, enum ea_mode mode, const char *accel_dir)
{
	ea_status status;

	if (mode == EA_MODE_DIRECT) {
		dev->info.mode = EA_MODE_DIRECT;
		return EA_OK;
	}
	status = ea_kmod_open(accel_dir ? accel_dir : EA_DEFAULT_ACCEL_DIR, &dev->kmod, &dev->error);
	if (status == EA_ERR_NO_ACCEL_DEVICE && mode == EA_MODE_AUTO) {
		dev->info.mode = EA_MODE_DIRECT;
		return EA_OK;
	}
	if (status != EA_OK)
		return status;
	dev->info.mode = EA_MODE_KMOD;
	return ea_kmod_read_params(&dev->kmod, &dev->info, &dev->error);
}

/*
 * Direct mode runs every kernel here, so it needs Vulkan. In kmod mode the
 * executor does, so a missing Vulkan device only disables in-process kernels,
 * unless the caller named a device.
 */
static ea_status open_vk(struct ea_device *dev, const struct ea_open_options *options)
{
	const char *selector = options->vk_device, *origin = "options.vk_device";
	ea_status status;

	if (!selector) {
		selector = getenv("EDGEAI_VK_DEVICE");
		origin = "EDGEAI_VK_DEVICE";
		if (selector && !*selector)
			selector = NULL;
	}
	status = ea_vk_open(selector, origin, &dev->vk, &dev->info, &dev->vk_missing);
	if (status == EA_OK || (dev->info.mode == EA_MODE_KMOD && !selector))
		return EA_OK;
	dev->error = dev->vk_missing;
	return status;
}

static ea_status open_device(const struct ea_open_options *options, struct ea_device **out,
			     struct ea_error *err)
{
	static const struct ea_open_options defaults;
	struct ea_device *dev;
	enum ea_mode mode;
	ea_status status;

	if (!out)
		return ea_error_set(err, EA_ERR_INVALID_ARGUMENT, "ea_open: out is NULL");
	*out = NULL;
	if (!options)
		options = &defaults;

	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return ea_error_set(err, EA_ERR_NO_MEMORY, "ea_open: out of memory");
	dev->kmod.fd = -1;

	status = requested_mode(options, &mode, &dev->error);
	if (status == EA_OK)
		status = open_kmod(dev, mode, options->accel_dir);
	if (status == EA_OK)
		status = open_vk(dev, options);
	if (status != EA_OK) {
		*err = dev->error;
		ea_close(dev);
		return status;
	}
	*out = dev;
	return EA_OK;
}

ea_status ea_open(const struct ea_open_options *options, struct ea_device **out,
		  char *errmsg, size_t errmsg_size)
{
	struct ea_error err = { { 0 } };
	ea_status status = open_device(options, out, &err);

	ea_error_copy_out(&err, errmsg, errmsg_size);
	return status;
}

void ea_close(struct ea_device *dev)
{
	if (!dev)
		return;
	ea_vk_close(dev->vk);
	ea_kmod_close(&dev->kmod);
	free(dev);
}

enum ea_mode ea_device_mode(const struct ea_device *dev)
{
	return dev->info.mode;
}

const char *ea_last_error(const struct ea_device *dev)
{
	return dev->error.msg;
}

const struct ea_device_info *ea_device_info(const struct ea_device *dev)
{
	return &dev->info;
}

ea_status ea_device_need_vk(struct ea_device *dev)
{
	if (dev->vk)
		return EA_OK;
	return ea_error_set(&dev->error, EA_ERR_NO_VULKAN_DEVICE,
			    "no Vulkan device in this process: %s", dev->vk_missing.msg);
}

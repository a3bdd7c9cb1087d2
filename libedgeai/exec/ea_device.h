/* SPDX-License-Identifier: MIT */
/* ea_device - what a struct ea_device holds; ea_device.c opens and closes it. */
#ifndef EA_DEVICE_H
#define EA_DEVICE_H

#include "ea_error.h"
#include "ea_kmod.h"
#include "ea_vk.h"

struct ea_device {
	struct ea_device_info info;
	struct ea_kmod kmod;		/* fd -1 in direct mode */
	struct ea_vk *vk;		/* NULL when no Vulkan device could be opened */
	struct ea_error vk_missing;	/* why vk is NULL */
	struct ea_error error;		/* the last failure, for ea_last_error() */
};

/* EA_OK when @dev can run kernels in this process, else the error, recorded. */
ea_status ea_device_need_vk(struct ea_device *dev);

#endif /* EA_DEVICE_H */

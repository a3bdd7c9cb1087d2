/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * edgeai driver core: the device and its registration.
 */

#ifndef __EDGEAI_DRV_H__
#define __EDGEAI_DRV_H__

#include <drm/drm_device.h>

#include "edgeai_params.h"

#define EDGEAI_DRIVER_NAME	"edgeai"

/**
 * struct edgeai_device - One virtual edge accelerator
 * @drm: the DRM device, registered as an accel node
 * @limits: limits taken from the module parameters when the device was created
 */
struct edgeai_device {
	struct drm_device drm;
	struct edgeai_limits limits;
};

static inline struct edgeai_device *to_edgeai_device(struct drm_device *drm)
{
	return container_of(drm, struct edgeai_device, drm);
}

#endif /* __EDGEAI_DRV_H__ */

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * edgeai buffer objects: shmem-backed GEM objects charged to the client
 * that created them, within its quota and the device's limit.
 */

#ifndef __EDGEAI_GEM_H__
#define __EDGEAI_GEM_H__

#include <linux/types.h>

#include <drm/drm_gem_shmem_helper.h>

struct drm_device;
struct drm_file;
struct edgeai_file;

/**
 * struct edgeai_bo - One buffer object
 * @base: the shmem GEM object
 * @flags: placement, EDGEAI_BO_* flags; zero for an imported dma-buf
 * @owner: client charged for the BO, NULL for an imported dma-buf
 * @published: the BO has a name in the device's shared-buffer registry,
 *	under &edgeai_share.lock
 */
struct edgeai_bo {
	struct drm_gem_shmem_object base;
	u32 flags;
	struct edgeai_file *owner;
	bool published;
};

static inline struct edgeai_bo *to_edgeai_bo(struct drm_gem_object *obj)
{
	return container_of(to_drm_gem_shmem_obj(obj), struct edgeai_bo, base);
}

struct drm_gem_object *edgeai_gem_create_object(struct drm_device *dev,
						size_t size);
int edgeai_bo_create_ioctl(struct drm_device *dev, void *data,
			   struct drm_file *file);
int edgeai_bo_info_ioctl(struct drm_device *dev, void *data,
			 struct drm_file *file);

#endif /* __EDGEAI_GEM_H__ */

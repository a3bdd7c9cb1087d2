// SPDX-License-Identifier: GPL-2.0-only
/*
 * Buffer objects.  Every BO of the device is an edgeai_bo, including those
 * made by importing a dma-buf (they come through gem_create_object too).
 * A created BO is charged to its client before any memory is allocated, so
 * a request over the quota or the device limit leaves nothing behind.
 */

#include <linux/overflow.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_vma_manager.h>

#include "edgeai_accel.h"
#include "edgeai_drv.h"
#include "edgeai_exec.h"
#include "edgeai_gem.h"
#include "edgeai_share.h"

static int edgeai_gem_charge(struct edgeai_file *efile, u64 size)
{
	struct edgeai_device *edev = efile->edev;
	int ret = 0;

	spin_lock(&edev->mem_lock);
	if (size > edev->limits.client_quota - efile->mem_used)
		ret = -EDQUOT;
	else if (size > edev->limits.mem_limit - edev->mem_used)
		ret = -ENOSPC;
	if (!ret) {
		efile->mem_used += size;
		edev->mem_used += size;
	}
	spin_unlock(&edev->mem_lock);
	return ret;
}

static void edgeai_gem_uncharge(struct edgeai_file *efile, u64 size)
{
	struct edgeai_device *edev = efile->edev;

	spin_lock(&edev->mem_lock);
	efile->mem_used -= size;
	edev->mem_used -= size;
	spin_unlock(&edev->mem_lock);
}

static void edgeai_bo_free(struct drm_gem_object *obj)
{
	struct edgeai_bo *bo = to_edgeai_bo(obj);
	struct edgeai_device *edev = to_edgeai_device(obj->dev);

	if (bo->published)
		edgeai_share_forget(&edev->share, bo);
	if (bo->flags & EDGEAI_BO_DEVICE_RESIDENT)
		drm_gem_shmem_unpin(&bo->base);
	if (bo->owner) {
		edgeai_gem_uncharge(bo->owner, obj->size);
		edgeai_file_put(bo->owner);
	}
	drm_gem_shmem_free(&bo->base);
}

/* Clients map only host-visible BOs; the executor, being the device, any. */
static int edgeai_bo_mmap(struct drm_gem_object *obj, struct vm_area_struct *vma)
{
	struct edgeai_bo *bo = to_edgeai_bo(obj);
	struct drm_file *file = vma->vm_file->private_data;

	if (bo->owner && !(bo->flags & EDGEAI_BO_HOST_VISIBLE) &&
	    !edgeai_exec_is_executor(&to_edgeai_device(obj->dev)->exec, file))
		return -EACCES;
	return drm_gem_shmem_object_mmap(obj, vma);
}

static enum drm_gem_object_status edgeai_bo_status(struct drm_gem_object *obj)
{
	return READ_ONCE(to_drm_gem_shmem_obj(obj)->pages) ?
	       DRM_GEM_OBJECT_RESIDENT : 0;
}

static size_t edgeai_bo_rss(struct drm_gem_object *obj)
{
	return READ_ONCE(to_drm_gem_shmem_obj(obj)->pages) ? obj->size : 0;
}

static const struct drm_gem_object_funcs edgeai_bo_funcs = {
	.free = edgeai_bo_free,
	.print_info = drm_gem_shmem_object_print_info,
	.pin = drm_gem_shmem_object_pin,
	.unpin = drm_gem_shmem_object_unpin,
	.get_sg_table = drm_gem_shmem_object_get_sg_table,
	.vmap = drm_gem_shmem_object_vmap,
	.vunmap = drm_gem_shmem_object_vunmap,
	.mmap = edgeai_bo_mmap,
	.status = edgeai_bo_status,
	.rss = edgeai_bo_rss,
	.vm_ops = &drm_gem_shmem_vm_ops,
};

/**
 * edgeai_gem_create_object() - &drm_driver.gem_create_object
 * @dev: the device
 * @size: size of the object, unused
 *
 * Return: a zeroed edgeai_bo's GEM object, or an ERR_PTR.
 */
struct drm_gem_object *edgeai_gem_create_object(struct drm_device *dev,
						size_t size)
{
	struct edgeai_bo *bo = kzalloc(sizeof(*bo), GFP_KERNEL);

	if (!bo)
		return ERR_PTR(-ENOMEM);
	bo->base.base.funcs = &edgeai_bo_funcs;
	return &bo->base.base;
}

static int edgeai_bo_check_size(struct edgeai_device *edev, u64 size,
				u64 *aligned)
{
	if (!size || check_add_overflow(size, (u64)PAGE_SIZE - 1, aligned))
		return -EINVAL;
	*aligned &= PAGE_MASK;
	if (*aligned > edev->limits.max_bo_size)
		return -EINVAL;
	return 0;
}

static struct edgeai_bo *edgeai_bo_alloc(struct edgeai_file *efile, u64 size,
					 u32 flags)
{
	struct drm_gem_shmem_object *shmem;
	struct edgeai_bo *bo;
	int ret;

	ret = edgeai_gem_charge(efile, size);
	if (ret)
		return ERR_PTR(ret);
	shmem = drm_gem_shmem_create(&efile->edev->drm, size);
	if (IS_ERR(shmem)) {
		edgeai_gem_uncharge(efile, size);
		return ERR_CAST(shmem);
	}
	bo = container_of(shmem, struct edgeai_bo, base);
	edgeai_file_get(efile);
	bo->owner = efile;
	if (flags & EDGEAI_BO_DEVICE_RESIDENT) {
		ret = drm_gem_shmem_pin(shmem);
		if (ret) {
			drm_gem_object_put(&shmem->base);
			return ERR_PTR(ret);
		}
	}
	bo->flags = flags;
	return bo;
}

/**
 * edgeai_bo_create_ioctl() - DRM_IOCTL_EDGEAI_BO_CREATE
 * @dev: the device
 * @data: struct drm_edgeai_bo_create
 * @file: the caller's file
 *
 * Return: 0 with a new handle, or a negative errno (see the uapi header).
 */
int edgeai_bo_create_ioctl(struct drm_device *dev, void *data,
			   struct drm_file *file)
{
	struct drm_edgeai_bo_create *args = data;
	struct edgeai_bo *bo;
	u64 size;
	int ret;

	if (args->flags & ~EDGEAI_BO_FLAGS)
		return -EINVAL;
	ret = edgeai_bo_check_size(to_edgeai_device(dev), args->size, &size);
	if (ret)
		return ret;

	bo = edgeai_bo_alloc(file->driver_priv, size, args->flags);
	if (IS_ERR(bo))
		return PTR_ERR(bo);
	ret = drm_gem_handle_create(file, &bo->base.base, &args->handle);
	drm_gem_object_put(&bo->base.base);
	if (ret)
		return ret;
	args->size = size;
	return 0;
}

/**
 * edgeai_bo_info_ioctl() - DRM_IOCTL_EDGEAI_BO_INFO
 * @dev: the device
 * @data: struct drm_edgeai_bo_info
 * @file: the caller's file
 *
 * Return: 0, -EINVAL for a non-zero pad, -ENOENT for an unknown handle.
 */
int edgeai_bo_info_ioctl(struct drm_device *dev, void *data,
			 struct drm_file *file)
{
	struct drm_edgeai_bo_info *args = data;
	struct drm_gem_object *obj;

	if (args->pad || args->pad2)
		return -EINVAL;
	obj = drm_gem_object_lookup(file, args->handle);
	if (!obj)
		return -ENOENT;
	args->size = obj->size;
	args->mmap_offset = drm_vma_node_offset_addr(&obj->vma_node);
	args->flags = to_edgeai_bo(obj)->flags;
	drm_gem_object_put(obj);
	return 0;
}

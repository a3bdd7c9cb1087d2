// SPDX-License-Identifier: GPL-2.0-only
/*
 * Named shared buffers.  The registry holds no reference on a BO: a name
 * lasts as long as its BO, which removes it when it is freed.  Opening a
 * name whose BO is on its way out (reference count already zero) finds
 * nothing, as if the name were gone.
 */

#include <linux/slab.h>
#include <linux/string.h>

#include <drm/drm_file.h>
#include <drm/drm_gem.h>

#include "edgeai_accel.h"
#include "edgeai_drv.h"
#include "edgeai_gem.h"
#include "edgeai_share.h"

/**
 * struct edgeai_share_name - One published name
 * @link: entry in &edgeai_share.names
 * @bo: the BO it names
 * @key: the name
 */
struct edgeai_share_name {
	struct list_head link;
	struct edgeai_bo *bo;
	u8 key[EDGEAI_SHARE_KEY_SIZE];
};

/**
 * edgeai_share_init() - Start an empty registry
 * @share: the registry
 */
void edgeai_share_init(struct edgeai_share *share)
{
	mutex_init(&share->lock);
	INIT_LIST_HEAD(&share->names);
}

static struct edgeai_share_name *edgeai_share_find(struct edgeai_share *share,
						   const u8 *key)
{
	struct edgeai_share_name *name;

	list_for_each_entry(name, &share->names, link)
		if (!memcmp(name->key, key, EDGEAI_SHARE_KEY_SIZE))
			return name;
	return NULL;
}

/**
 * edgeai_share_forget() - Remove the name of a BO being freed
 * @share: the registry
 * @bo: the BO
 */
void edgeai_share_forget(struct edgeai_share *share, struct edgeai_bo *bo)
{
	struct edgeai_share_name *name;

	mutex_lock(&share->lock);
	list_for_each_entry(name, &share->names, link) {
		if (name->bo == bo) {
			list_del(&name->link);
			kfree(name);
			break;
		}
	}
	mutex_unlock(&share->lock);
}

static int edgeai_share_add(struct edgeai_share *share, struct edgeai_bo *bo,
			    const u8 *key)
{
	struct edgeai_share_name *name;
	int ret = 0;

	name = kzalloc(sizeof(*name), GFP_KERNEL);
	if (!name)
		return -ENOMEM;
	name->bo = bo;
	memcpy(name->key, key, EDGEAI_SHARE_KEY_SIZE);

	mutex_lock(&share->lock);
	if (edgeai_share_find(share, key))
		ret = -EEXIST;
	else if (bo->published)
		ret = -EBUSY;
	if (!ret) {
		list_add(&name->link, &share->names);
		bo->published = true;
	}
	mutex_unlock(&share->lock);
	if (ret)
		kfree(name);
	return ret;
}

/* Return: the named BO with a reference, or NULL. */
static struct drm_gem_object *edgeai_share_lookup(struct edgeai_share *share,
						  const u8 *key)
{
	struct drm_gem_object *obj = NULL;
	struct edgeai_share_name *name;

	mutex_lock(&share->lock);
	name = edgeai_share_find(share, key);
	if (name && kref_get_unless_zero(&name->bo->base.base.refcount))
		obj = &name->bo->base.base;
	mutex_unlock(&share->lock);
	return obj;
}

static bool edgeai_share_key_valid(const u8 *key)
{
	return memchr_inv(key, 0, EDGEAI_SHARE_KEY_SIZE) != NULL;
}

/**
 * edgeai_bo_publish_ioctl() - DRM_IOCTL_EDGEAI_BO_PUBLISH
 * @dev: the device
 * @data: struct drm_edgeai_bo_publish
 * @file: the caller's file
 *
 * Return: 0 or a negative errno (see the uapi header).
 */
int edgeai_bo_publish_ioctl(struct drm_device *dev, void *data,
			    struct drm_file *file)
{
	struct drm_edgeai_bo_publish *args = data;
	struct drm_gem_object *obj;
	int ret;

	if (args->flags || !edgeai_share_key_valid(args->key))
		return -EINVAL;
	obj = drm_gem_object_lookup(file, args->handle);
	if (!obj)
		return -ENOENT;
	ret = edgeai_share_add(&to_edgeai_device(dev)->share, to_edgeai_bo(obj),
			       args->key);
	drm_gem_object_put(obj);
	return ret;
}

/**
 * edgeai_bo_open_ioctl() - DRM_IOCTL_EDGEAI_BO_OPEN
 * @dev: the device
 * @data: struct drm_edgeai_bo_open
 * @file: the caller's file
 *
 * Return: 0 with a new handle, or a negative errno (see the uapi header).
 */
int edgeai_bo_open_ioctl(struct drm_device *dev, void *data,
			 struct drm_file *file)
{
	struct drm_edgeai_bo_open *args = data;
	struct drm_gem_object *obj;
	int ret;

	if (args->flags || !edgeai_share_key_valid(args->key))
		return -EINVAL;
	obj = edgeai_share_lookup(&to_edgeai_device(dev)->share, args->key);
	if (!obj)
		return -ENOENT;
	ret = drm_gem_handle_create(file, obj, &args->handle);
	drm_gem_object_put(obj);
	return ret;
}

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * edgeai named shared buffers: a registry from 32-byte keys to BOs that
 * does not keep the BOs alive.
 */

#ifndef __EDGEAI_SHARE_H__
#define __EDGEAI_SHARE_H__

#include <linux/list.h>
#include <linux/mutex.h>

struct drm_device;
struct drm_file;
struct edgeai_bo;

/**
 * struct edgeai_share - The registry of one device
 * @lock: protects @names and every &edgeai_bo.published
 * @names: the published names, struct edgeai_share_name
 */
struct edgeai_share {
	struct mutex lock;
	struct list_head names;
};

void edgeai_share_init(struct edgeai_share *share);
void edgeai_share_forget(struct edgeai_share *share, struct edgeai_bo *bo);
int edgeai_bo_publish_ioctl(struct drm_device *dev, void *data,
			    struct drm_file *file);
int edgeai_bo_open_ioctl(struct drm_device *dev, void *data,
			 struct drm_file *file);

#endif /* __EDGEAI_SHARE_H__ */

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * edgeai debugfs: the device's state, read-only.
 */

#ifndef __EDGEAI_DEBUGFS_H__
#define __EDGEAI_DEBUGFS_H__

struct edgeai_device;

void edgeai_debugfs_init(struct edgeai_device *edev);

#endif /* __EDGEAI_DEBUGFS_H__ */

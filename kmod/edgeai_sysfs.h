/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * edgeai sysfs: the device's limits and memory in use, read-only.
 */

#ifndef __EDGEAI_SYSFS_H__
#define __EDGEAI_SYSFS_H__

#include <linux/sysfs.h>

extern const struct attribute_group *edgeai_sysfs_groups[];

#endif /* __EDGEAI_SYSFS_H__ */

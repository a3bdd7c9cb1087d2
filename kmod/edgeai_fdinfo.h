/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * edgeai fdinfo: per-client usage in /proc/PID/fdinfo/FD.
 */

#ifndef __EDGEAI_FDINFO_H__
#define __EDGEAI_FDINFO_H__

struct drm_file;
struct drm_printer;

void edgeai_fdinfo_show(struct drm_printer *p, struct drm_file *file);

#endif /* __EDGEAI_FDINFO_H__ */

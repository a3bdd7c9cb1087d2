/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * edgeai: a virtual edge accelerator exposed as a DRM accel device.
 */

#ifndef __UAPI_EDGEAI_ACCEL_H__
#define __UAPI_EDGEAI_ACCEL_H__

#include <drm/drm.h>

#if defined(__cplusplus)
extern "C" {
#endif

/**
 * DOC: device and ABI version
 *
 * The edgeai module registers one DRM accel device, normally
 * /dev/accel/accel0, whose DRM_IOCTL_VERSION name is "edgeai".
 *
 * The ABI described here carries a single version number, returned by
 * the %EDGEAI_PARAM_ABI_VERSION parameter.  It is raised whenever an
 * ioctl, a parameter or a field is added, so userspace can tell which
 * features a running module has.  Existing ioctls and fields never
 * change meaning: structures only grow by adding fields at their end,
 * and fields that a given version does not use must be zero.
 *
 * The DRM core copies an ioctl argument by the size encoded in the ioctl
 * number, not by the size the module expects: a shorter argument (from a
 * program built against an older header) is zero-extended, bytes past the
 * end of the structure the module knows are ignored, and nothing is
 * written back past the caller's size.  A field added later is therefore
 * defined so that zero keeps the behaviour of the version before it.
 */
#define EDGEAI_ABI_VERSION		1

#define DRM_EDGEAI_GET_PARAM		0x00

#define DRM_IOCTL_EDGEAI_GET_PARAM					\
	DRM_IOWR(DRM_COMMAND_BASE + DRM_EDGEAI_GET_PARAM,		\
		 struct drm_edgeai_get_param)

/**
 * DOC: parameters
 *
 * DRM_IOCTL_EDGEAI_GET_PARAM reads one device parameter.  Parameters are
 * numbered densely from 0 to %EDGEAI_PARAM_COUNT - 1, so userspace can
 * read all of them with a loop.  The limits are set when the module is
 * loaded (module parameters of the same names, visible under
 * /sys/module/edgeai/parameters/) and stay fixed while it is loaded.
 *
 * %EDGEAI_PARAM_ABI_VERSION:
 *	ABI version implemented by the module (%EDGEAI_ABI_VERSION).
 *
 * %EDGEAI_PARAM_MEM_LIMIT:
 *	Accelerator memory the whole device may hold, in bytes, summed over
 *	all clients; a shared buffer is counted once.
 *
 * %EDGEAI_PARAM_CLIENT_QUOTA:
 *	Accelerator memory one open file (client) may hold, in bytes.
 *
 * %EDGEAI_PARAM_MAX_QUEUES:
 *	Number of job queues one client may create.
 *
 * %EDGEAI_PARAM_JOB_TIMEOUT_MS:
 *	Time a job may run before it fails with a timeout, in milliseconds.
 *
 * %EDGEAI_PARAM_MAX_BO_SIZE:
 *	Size of the largest single buffer object, in bytes.
 */
#define EDGEAI_PARAM_ABI_VERSION	0
#define EDGEAI_PARAM_MEM_LIMIT		1
#define EDGEAI_PARAM_CLIENT_QUOTA	2
#define EDGEAI_PARAM_MAX_QUEUES		3
#define EDGEAI_PARAM_JOB_TIMEOUT_MS	4
#define EDGEAI_PARAM_MAX_BO_SIZE	5

/* Number of parameters: every value below it is a valid parameter. */
#define EDGEAI_PARAM_COUNT		6

/**
 * struct drm_edgeai_get_param - Read one device parameter
 *
 * Argument of DRM_IOCTL_EDGEAI_GET_PARAM.  The ioctl fails with -EINVAL
 * when @param is not below %EDGEAI_PARAM_COUNT, when @flags holds any bit,
 * or when @pad is not zero.
 */
struct drm_edgeai_get_param {
	/**
	 * @param: [in] Parameter to read, one of the EDGEAI_PARAM_* values.
	 */
	__u32 param;

	/**
	 * @flags: [in] Must be zero; no flags are defined in ABI version 1.
	 */
	__u32 flags;

	/**
	 * @value: [out] Value of the parameter.
	 */
	__u64 value;

	/**
	 * @pad: [in] Must be zero; reserved for later ABI versions.
	 */
	__u64 pad;
};

#if defined(__cplusplus)
}
#endif

#endif /* __UAPI_EDGEAI_ACCEL_H__ */

// SPDX-License-Identifier: MIT
/* ea_kmod - the edgeai accel device; see ea_kmod.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xf86drm.h>

#include "edgeai_accel.h"
#include "ea_kmod.h"

#define EA_KMOD_DRIVER_NAME "edgeai"

/* N for a name "accelN", else -1. */
static int node_number(const char *name)
{
	char *end;
	long n;

	if (strncmp(name, "accel", 5) != 0 || name[5] < '0' || name[5] > '9')
		return -1;
	n = strtol(name + 5, &end, 10);
	return (*end || n > 0xffff) ? -1 : (int)n;
}

static bool is_edgeai(int fd)
{
	drmVersionPtr version = drmGetVersion(fd);
	bool match;

	if (!version)
		return false;
	match = version->name && strcmp(version->name, EA_KMOD_DRIVER_NAME) == 0;
	drmFreeVersion(version);
	return match;
}

ea_status ea_kmod_open(const char *dir, struct ea_kmod *kmod, struct ea_error *err)
{
	char path[EA_NAME_MAX], unopened[EA_ERROR_MAX / 2] = "";
	struct dirent *entry;
	int best = -1;
	DIR *folder;

	kmod->fd = -1;
	folder = opendir(dir);
	if (!folder)
		return ea_error_set(err, EA_ERR_NO_ACCEL_DEVICE,
				    "cannot read %s (%s): is edgeai.ko loaded?",
				    dir, strerror(errno));

	while ((entry = readdir(folder))) {
		int n = node_number(entry->d_name), fd;

		if (n < 0 || (best >= 0 && n > best))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, entry->d_name) >= (int)sizeof(path)) {
			closedir(folder);
			ea_kmod_close(kmod);
			return ea_error_set(err, EA_ERR_INVALID_ARGUMENT,
					    "accel folder path too long: %s", dir);
		}
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0) {
			/* Maybe another driver's node; say so if no edgeai node turns up. */
			if (!unopened[0])
				snprintf(unopened, sizeof(unopened), "; could not open %s: %s",
					 path, strerror(errno));
			continue;
		}
		if (!is_edgeai(fd)) {
			close(fd);
			continue;
		}
		if (kmod->fd >= 0)
			close(kmod->fd);
		kmod->fd = fd;
		best = n;
		snprintf(kmod->path, sizeof(kmod->path), "%s", path);
	}
	closedir(folder);

	if (kmod->fd < 0)
		return ea_error_set(err, EA_ERR_NO_ACCEL_DEVICE,
				    "no accel node of driver \"%s\" in %s%s",
				    EA_KMOD_DRIVER_NAME, dir, unopened);
	return EA_OK;
}

static ea_status get_param(const struct ea_kmod *kmod, uint32_t param, uint64_t *value,
			   struct ea_error *err)
{
	struct drm_edgeai_get_param args;

	memset(&args, 0, sizeof(args));
	args.param = param;
	if (drmIoctl(kmod->fd, DRM_IOCTL_EDGEAI_GET_PARAM, &args) != 0)
		return ea_error_set(err, EA_ERR_ACCEL, "%s: GET_PARAM %u: %s", kmod->path,
				    param, strerror(errno));
	*value = args.value;
	return EA_OK;
}

/* A limit that the library stores in 32 bits must fit there. */
static ea_status get_param_u32(const struct ea_kmod *kmod, uint32_t param, uint32_t *value,
			       struct ea_error *err)
{
	uint64_t wide;
	ea_status status = get_param(kmod, param, &wide, err);

	if (status != EA_OK)
		return status;
	if (wide > UINT32_MAX)
		return ea_error_set(err, EA_ERR_ACCEL, "%s: GET_PARAM %u returned %llu, above 2^32",
				    kmod->path, param, (unsigned long long)wide);
	*value = (uint32_t)wide;
	return EA_OK;
}

ea_status ea_kmod_read_params(const struct ea_kmod *kmod, struct ea_device_info *info,
			      struct ea_error *err)
{
	ea_status status;

	snprintf(info->accel_path, sizeof(info->accel_path), "%s", kmod->path);
	status = get_param_u32(kmod, EDGEAI_PARAM_ABI_VERSION, &info->abi_version, err);
	if (status != EA_OK)
		return status;
	/* Versions only add to the ABI: a newer module serves this library. */
	if (info->abi_version < EDGEAI_ABI_VERSION)
		return ea_error_set(err, EA_ERR_ABI_MISMATCH,
				    "%s: the module has ABI version %u, libedgeai needs %u or later",
				    kmod->path, info->abi_version, EDGEAI_ABI_VERSION);

	status = get_param(kmod, EDGEAI_PARAM_MEM_LIMIT, &info->mem_limit, err);
	if (status == EA_OK)
		status = get_param(kmod, EDGEAI_PARAM_CLIENT_QUOTA, &info->client_quota, err);
	if (status == EA_OK)
		status = get_param(kmod, EDGEAI_PARAM_MAX_BO_SIZE, &info->max_bo_size, err);
	if (status == EA_OK)
		status = get_param_u32(kmod, EDGEAI_PARAM_MAX_QUEUES, &info->max_queues, err);
	if (status == EA_OK)
		status = get_param_u32(kmod, EDGEAI_PARAM_JOB_TIMEOUT_MS,
				       &info->job_timeout_ms, err);
	return status;
}

void ea_kmod_close(struct ea_kmod *kmod)
{
	if (kmod->fd >= 0)
		close(kmod->fd);
	kmod->fd = -1;
}

/* SPDX-License-Identifier: MIT */
/* ea_kmod - the edgeai module's DRM accel device: find it, open it, query it. */
#ifndef EA_KMOD_H
#define EA_KMOD_H

#include "ea_error.h"

struct ea_kmod {
	int fd;			/* -1 when not open */
	char path[EA_NAME_MAX];
};

/*
 * Open the lowest-numbered accel node under @dir whose DRM driver is
 * "edgeai". EA_ERR_NO_ACCEL_DEVICE when there is none.
 */
ea_status ea_kmod_open(const char *dir, struct ea_kmod *kmod, struct ea_error *err);

/* Read the module's ABI version and limits into @info (kmod fields). */
ea_status ea_kmod_read_params(const struct ea_kmod *kmod, struct ea_device_info *info,
			      struct ea_error *err);

void ea_kmod_close(struct ea_kmod *kmod);

#endif /* EA_KMOD_H */

// SPDX-License-Identifier: GPL-2.0-only
/*
 * fdinfo.  The DRM core prints drm-driver and drm-client-id; this adds the
 * engine time, the memory keys of drm_show_memory_stats() (a BO with
 * handles in several files, or exported, counts as shared) and edgeai's
 * job counters.  See Documentation/gpu/drm-usage-stats.rst.
 */

#include <drm/drm_file.h>
#include <drm/drm_print.h>

#include "edgeai_drv.h"
#include "edgeai_fdinfo.h"

/**
 * edgeai_fdinfo_show() - &drm_driver.show_fdinfo
 * @p: where to print
 * @file: the client's file
 */
void edgeai_fdinfo_show(struct drm_printer *p, struct drm_file *file)
{
	struct edgeai_file *efile = file->driver_priv;

	drm_printf(p, "drm-engine-edgeai:\t%lld ns\n",
		   atomic64_read(&efile->busy_ns));
	drm_show_memory_stats(p, file);
	drm_printf(p, "edgeai-jobs-submitted:\t%lld\n",
		   atomic64_read(&efile->jobs_submitted));
	drm_printf(p, "edgeai-jobs-completed:\t%lld\n",
		   atomic64_read(&efile->jobs_completed));
	drm_printf(p, "edgeai-jobs-failed:\t%lld\n",
		   atomic64_read(&efile->jobs_failed));
}

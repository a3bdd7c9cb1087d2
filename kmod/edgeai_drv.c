// SPDX-License-Identifier: GPL-2.0-only
/*
 * edgeai registers a virtual edge accelerator as a DRM accel device.
 *
 * There is no hardware to bind to, so the module registers a platform
 * driver and a platform device of the same name; probing that device
 * creates the DRM device, whose accel node is /dev/accel/accelN.
 */

#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/slab.h>

#include <drm/drm_accel.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_ioctl.h>

#include "edgeai_accel.h"
#include "edgeai_debugfs.h"
#include "edgeai_drv.h"
#include "edgeai_exec.h"
#include "edgeai_fdinfo.h"
#include "edgeai_gem.h"
#include "edgeai_job.h"
#include "edgeai_params.h"
#include "edgeai_queue.h"
#include "edgeai_sched.h"
#include "edgeai_share.h"
#include "edgeai_sysfs.h"

static struct platform_device *edgeai_pdev;

static void edgeai_file_free(struct kref *ref)
{
	struct edgeai_file *efile = container_of(ref, struct edgeai_file, ref);

	mutex_destroy(&efile->lock);
	kfree(efile);
}

/**
 * edgeai_file_get() - Take a reference to a client's state
 * @efile: the client
 */
void edgeai_file_get(struct edgeai_file *efile)
{
	kref_get(&efile->ref);
}

/**
 * edgeai_file_put() - Drop a reference to a client's state
 * @efile: the client
 */
void edgeai_file_put(struct edgeai_file *efile)
{
	kref_put(&efile->ref, edgeai_file_free);
}

static int edgeai_open(struct drm_device *dev, struct drm_file *file)
{
	struct edgeai_file *efile;

	efile = kzalloc(sizeof(*efile), GFP_KERNEL);
	if (!efile)
		return -ENOMEM;
	kref_init(&efile->ref);
	efile->edev = to_edgeai_device(dev);
	mutex_init(&efile->lock);
	xa_init_flags(&efile->queues, XA_FLAGS_ALLOC1);
	xa_init(&efile->jobs);
	file->driver_priv = efile;
	return 0;
}

/* GEM handles are gone by now; BOs and jobs may still hold @efile. */
static void edgeai_postclose(struct drm_device *dev, struct drm_file *file)
{
	struct edgeai_file *efile = file->driver_priv;

	edgeai_queue_destroy_all(efile);
	edgeai_exec_cancel_client(&to_edgeai_device(dev)->exec, efile);
	edgeai_job_forget_all(efile);
	xa_destroy(&efile->queues);
	edgeai_file_put(efile);
}

/* The executor lets go of its jobs before the DRM core drops its handles. */
static int edgeai_release(struct inode *inode, struct file *filp)
{
	struct drm_file *file = filp->private_data;

	edgeai_exec_release(&to_edgeai_device(file->minor->dev)->exec, file);
	return drm_release(inode, filp);
}

static __poll_t edgeai_poll(struct file *filp, poll_table *wait)
{
	struct drm_file *file = filp->private_data;

	return drm_poll(filp, wait) |
	       edgeai_exec_poll(&to_edgeai_device(file->minor->dev)->exec,
				filp, wait);
}

static const struct drm_ioctl_desc edgeai_drm_ioctls[] = {
	DRM_IOCTL_DEF_DRV(EDGEAI_GET_PARAM, edgeai_get_param_ioctl, 0),
	DRM_IOCTL_DEF_DRV(EDGEAI_BO_CREATE, edgeai_bo_create_ioctl, 0),
	DRM_IOCTL_DEF_DRV(EDGEAI_BO_INFO, edgeai_bo_info_ioctl, 0),
	DRM_IOCTL_DEF_DRV(EDGEAI_BO_PUBLISH, edgeai_bo_publish_ioctl, 0),
	DRM_IOCTL_DEF_DRV(EDGEAI_BO_OPEN, edgeai_bo_open_ioctl, 0),
	DRM_IOCTL_DEF_DRV(EDGEAI_QUEUE_CREATE, edgeai_queue_create_ioctl, 0),
	DRM_IOCTL_DEF_DRV(EDGEAI_QUEUE_DESTROY, edgeai_queue_destroy_ioctl, 0),
	DRM_IOCTL_DEF_DRV(EDGEAI_SUBMIT, edgeai_submit_ioctl, 0),
	DRM_IOCTL_DEF_DRV(EDGEAI_WAIT, edgeai_wait_ioctl, 0),
	DRM_IOCTL_DEF_DRV(EDGEAI_EXEC_ATTACH, edgeai_exec_attach_ioctl, 0),
	DRM_IOCTL_DEF_DRV(EDGEAI_EXEC_FETCH, edgeai_exec_fetch_ioctl, 0),
	DRM_IOCTL_DEF_DRV(EDGEAI_EXEC_COMPLETE, edgeai_exec_complete_ioctl, 0),
	DRM_IOCTL_DEF_DRV(EDGEAI_ROUTE, edgeai_route_ioctl, 0),
};

/* DEFINE_DRM_ACCEL_FOPS with the executor's release and poll. */
static const struct file_operations edgeai_fops = {
	.owner = THIS_MODULE,
	.open = accel_open,
	.release = edgeai_release,
	.unlocked_ioctl = drm_ioctl,
	.compat_ioctl = drm_compat_ioctl,
	.poll = edgeai_poll,
	.read = drm_read,
	.llseek = noop_llseek,
	.mmap = drm_gem_mmap,
	.show_fdinfo = drm_show_fdinfo,
	.fop_flags = FOP_UNSIGNED_OFFSET,
};

static const struct drm_driver edgeai_drm_driver = {
	.driver_features = DRIVER_GEM | DRIVER_COMPUTE_ACCEL | DRIVER_SYNCOBJ,
	.open = edgeai_open,
	.postclose = edgeai_postclose,
	.show_fdinfo = edgeai_fdinfo_show,
	.gem_create_object = edgeai_gem_create_object,
	.gem_prime_import_sg_table = drm_gem_shmem_prime_import_sg_table,
	.ioctls = edgeai_drm_ioctls,
	.num_ioctls = ARRAY_SIZE(edgeai_drm_ioctls),
	.fops = &edgeai_fops,
	.name = EDGEAI_DRIVER_NAME,
	.desc = "Virtual edge AI accelerator",
	.date = "20250101",
	.major = EDGEAI_ABI_VERSION,
	.minor = 0,
};

static int edgeai_probe(struct platform_device *pdev)
{
	struct edgeai_device *edev;
	int ret;

	edev = devm_drm_dev_alloc(&pdev->dev, &edgeai_drm_driver,
				  struct edgeai_device, drm);
	if (IS_ERR(edev))
		return PTR_ERR(edev);

	edgeai_params_get_limits(&edev->limits);
	spin_lock_init(&edev->mem_lock);
	edgeai_share_init(&edev->share);
	edgeai_exec_init(&edev->exec, edev->limits.job_timeout_ms);
	ret = edgeai_job_sched_init(edev);
	if (ret)
		return ret;
	platform_set_drvdata(pdev, edev);
	edgeai_debugfs_init(edev);
	ret = edgeai_sched_init(edev);
	if (ret) {
		edgeai_job_sched_fini(edev);
		return ret;
	}

	ret = drm_dev_register(&edev->drm, 0);
	if (ret)
		edgeai_job_sched_fini(edev);
	return ret;
}

static void edgeai_remove(struct platform_device *pdev)
{
	struct edgeai_device *edev = platform_get_drvdata(pdev);

	drm_dev_unregister(&edev->drm);
	edgeai_exec_fini(&edev->exec);
	edgeai_job_sched_fini(edev);
}

static struct platform_driver edgeai_platform_driver = {
	.probe = edgeai_probe,
	.remove = edgeai_remove,
	.driver = {
		.name = EDGEAI_DRIVER_NAME,
		.dev_groups = edgeai_sysfs_groups,
	},
};

static int __init edgeai_init(void)
{
	int ret;

	ret = edgeai_params_check();
	if (ret)
		return ret;

	ret = edgeai_sched_register();
	if (ret)
		return ret;

	ret = platform_driver_register(&edgeai_platform_driver);
	if (ret)
		return ret;

	edgeai_pdev = platform_device_register_simple(EDGEAI_DRIVER_NAME,
						      PLATFORM_DEVID_NONE,
						      NULL, 0);
	if (IS_ERR(edgeai_pdev)) {
		platform_driver_unregister(&edgeai_platform_driver);
		return PTR_ERR(edgeai_pdev);
	}
	return 0;
}

static void __exit edgeai_exit(void)
{
	platform_device_unregister(edgeai_pdev);
	platform_driver_unregister(&edgeai_platform_driver);
}

module_init(edgeai_init);
module_exit(edgeai_exit);

MODULE_DESCRIPTION("Virtual edge AI accelerator (DRM accel)");
MODULE_LICENSE("GPL");

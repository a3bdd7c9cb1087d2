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

#include <drm/drm_accel.h>
#include <drm/drm_drv.h>
#include <drm/drm_gem.h>
#include <drm/drm_ioctl.h>

#include "edgeai_accel.h"
#include "edgeai_drv.h"
#include "edgeai_params.h"

static struct platform_device *edgeai_pdev;

static const struct drm_ioctl_desc edgeai_drm_ioctls[] = {
	DRM_IOCTL_DEF_DRV(EDGEAI_GET_PARAM, edgeai_get_param_ioctl, 0),
};

DEFINE_DRM_ACCEL_FOPS(edgeai_fops);

/*
 * DRIVER_GEM even before the driver has buffers: the accel file operations
 * send mmap() to drm_gem_mmap(), which needs the GEM offset manager that
 * only DRIVER_GEM sets up.
 */
static const struct drm_driver edgeai_drm_driver = {
	.driver_features = DRIVER_GEM | DRIVER_COMPUTE_ACCEL,
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

	edev = devm_drm_dev_alloc(&pdev->dev, &edgeai_drm_driver,
				  struct edgeai_device, drm);
	if (IS_ERR(edev))
		return PTR_ERR(edev);

	edgeai_params_get_limits(&edev->limits);
	platform_set_drvdata(pdev, edev);

	return drm_dev_register(&edev->drm, 0);
}

static void edgeai_remove(struct platform_device *pdev)
{
	struct edgeai_device *edev = platform_get_drvdata(pdev);

	drm_dev_unregister(&edev->drm);
}

static struct platform_driver edgeai_platform_driver = {
	.probe = edgeai_probe,
	.remove = edgeai_remove,
	.driver = {
		.name = EDGEAI_DRIVER_NAME,
	},
};

static int __init edgeai_init(void)
{
	int ret;

	ret = edgeai_params_check();
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

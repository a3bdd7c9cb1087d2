// SPDX-License-Identifier: GPL-2.0-only
/*
 * sysfs, in the group "edgeai" of the platform device
 * (/sys/class/accel/accelN/device/edgeai/): the limits the device was
 * created with, one value a file as GET_PARAM reports them, and the
 * memory in use.  The module parameters hold the values for the next
 * device; these files are those of the device that exists.  Only reports.
 */

#include <linux/device.h>
#include <linux/sysfs.h>

#include "edgeai_drv.h"
#include "edgeai_params.h"
#include "edgeai_sysfs.h"

static const struct edgeai_limits *edgeai_sysfs_limits(struct device *dev)
{
	struct edgeai_device *edev = dev_get_drvdata(dev);

	return &edev->limits;
}

#define EDGEAI_SYSFS_LIMIT(field)					\
static ssize_t field##_show(struct device *dev,				\
			    struct device_attribute *attr, char *buf)	\
{									\
	return sysfs_emit(buf, "%llu\n",				\
			  (unsigned long long)edgeai_sysfs_limits(dev)->field); \
}									\
static DEVICE_ATTR_RO(field)

EDGEAI_SYSFS_LIMIT(mem_limit);
EDGEAI_SYSFS_LIMIT(client_quota);
EDGEAI_SYSFS_LIMIT(max_bo_size);
EDGEAI_SYSFS_LIMIT(max_queues);
EDGEAI_SYSFS_LIMIT(job_timeout_ms);

static ssize_t mem_used_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	return sysfs_emit(buf, "%llu\n",
			  edgeai_params_mem_used(dev_get_drvdata(dev)));
}
static DEVICE_ATTR_RO(mem_used);

static struct attribute *edgeai_sysfs_attrs[] = {
	&dev_attr_mem_limit.attr,
	&dev_attr_client_quota.attr,
	&dev_attr_max_bo_size.attr,
	&dev_attr_max_queues.attr,
	&dev_attr_job_timeout_ms.attr,
	&dev_attr_mem_used.attr,
	NULL,
};

static const struct attribute_group edgeai_sysfs_group = {
	.name = "edgeai",
	.attrs = edgeai_sysfs_attrs,
};

/*
 * &device_driver.dev_groups of the platform driver: the driver core adds
 * them once probe has set the drvdata and removes them before remove.
 */
const struct attribute_group *edgeai_sysfs_groups[] = {
	&edgeai_sysfs_group,
	NULL,
};

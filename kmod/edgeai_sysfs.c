// SPDX-License-Identifier: GPL-2.0-only
/*
 * sysfs, in groups of the platform device (/sys/class/accel/accelN/device/),
 * one value a file, readable by every user (what monitors such as edgeai
 * top show without root):
 *  - "edgeai": the limits the device was created with, as GET_PARAM
 *    reports them, and the memory in use.  The module parameters hold the
 *    values for the next device; these files are those of the device that
 *    exists.
 *  - "executor": whether an executor is attached and what it holds.
 *  - "queues": jobs submitted and not ended, one file a priority.
 * Only reports.
 */

#include <linux/device.h>
#include <linux/mutex.h>
#include <linux/pid.h>
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

/* What the executor state files read, taken together under its lock. */
struct edgeai_sysfs_exec {
	bool attached;
	pid_t pid;
	u32 held;
	u32 waiting;
};

static void edgeai_sysfs_exec_read(struct device *dev,
				   struct edgeai_sysfs_exec *out)
{
	struct edgeai_device *edev = dev_get_drvdata(dev);
	struct edgeai_exec *exec = &edev->exec;

	mutex_lock(&exec->lock);
	out->attached = !!exec->file;
	/* as the reader's pid namespace sees it; 0 where it cannot */
	out->pid = exec->file ? pid_vnr(exec->pid) : 0;
	out->held = exec->held_count;
	out->waiting = exec->waiting_count;
	mutex_unlock(&exec->lock);
}

static ssize_t state_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	struct edgeai_sysfs_exec e;

	edgeai_sysfs_exec_read(dev, &e);
	return sysfs_emit(buf, "%s\n", !e.attached ? "detached" :
					e.held ? "busy" : "idle");
}
static DEVICE_ATTR_RO(state);

#define EDGEAI_SYSFS_EXEC(name, field)					\
static ssize_t name##_show(struct device *dev,				\
			   struct device_attribute *attr, char *buf)	\
{									\
	struct edgeai_sysfs_exec e;					\
									\
	edgeai_sysfs_exec_read(dev, &e);				\
	return sysfs_emit(buf, "%lld\n", (long long)e.field);		\
}									\
static DEVICE_ATTR_RO(name)

EDGEAI_SYSFS_EXEC(pid, pid);
EDGEAI_SYSFS_EXEC(jobs_held, held);
EDGEAI_SYSFS_EXEC(jobs_waiting, waiting);

static ssize_t epoch_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	struct edgeai_device *edev = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%llu\n", edgeai_exec_epoch(&edev->exec));
}
static DEVICE_ATTR_RO(epoch);

#define EDGEAI_SYSFS_QUEUED(name, prio)					\
static ssize_t name##_show(struct device *dev,				\
			   struct device_attribute *attr, char *buf)	\
{									\
	struct edgeai_device *edev = dev_get_drvdata(dev);		\
									\
	return sysfs_emit(buf, "%d\n",					\
			  atomic_read(&edev->route.queued[prio]));	\
}									\
static DEVICE_ATTR_RO(name)

EDGEAI_SYSFS_QUEUED(low, EDGEAI_PRIORITY_LOW);
EDGEAI_SYSFS_QUEUED(normal, EDGEAI_PRIORITY_NORMAL);
EDGEAI_SYSFS_QUEUED(high, EDGEAI_PRIORITY_HIGH);
EDGEAI_SYSFS_QUEUED(realtime, EDGEAI_PRIORITY_REALTIME);

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

static struct attribute *edgeai_sysfs_exec_attrs[] = {
	&dev_attr_state.attr,
	&dev_attr_pid.attr,
	&dev_attr_jobs_held.attr,
	&dev_attr_jobs_waiting.attr,
	&dev_attr_epoch.attr,
	NULL,
};

static const struct attribute_group edgeai_sysfs_exec_group = {
	.name = "executor",
	.attrs = edgeai_sysfs_exec_attrs,
};

static struct attribute *edgeai_sysfs_queues_attrs[] = {
	&dev_attr_low.attr,
	&dev_attr_normal.attr,
	&dev_attr_high.attr,
	&dev_attr_realtime.attr,
	NULL,
};

static const struct attribute_group edgeai_sysfs_queues_group = {
	.name = "queues",
	.attrs = edgeai_sysfs_queues_attrs,
};

/*
 * &device_driver.dev_groups of the platform driver: the driver core adds
 * them once probe has set the drvdata and removes them before remove.
 */
const struct attribute_group *edgeai_sysfs_groups[] = {
	&edgeai_sysfs_group,
	&edgeai_sysfs_exec_group,
	&edgeai_sysfs_queues_group,
	NULL,
};

// SPDX-License-Identifier: GPL-2.0-only
/*
 * debugfs, under /sys/kernel/debug/accel/edgeai/ (named after the platform
 * device): "memory" (use and limits), "executor" (who is attached and the
 * jobs it has), "queues" (every client's queues with the jobs not yet
 * ended in each).  Only reports.
 */

#include <linux/pid.h>
#include <linux/seq_file.h>

#include <drm/drm_debugfs.h>
#include <drm/drm_file.h>

#include "edgeai_accel.h"
#include "edgeai_debugfs.h"
#include "edgeai_drv.h"
#include "edgeai_queue.h"

static const char *const edgeai_debugfs_priority[] = {
	[EDGEAI_PRIORITY_LOW] = "low",
	[EDGEAI_PRIORITY_NORMAL] = "normal",
	[EDGEAI_PRIORITY_HIGH] = "high",
	[EDGEAI_PRIORITY_REALTIME] = "realtime",
};

static struct edgeai_device *edgeai_debugfs_device(struct seq_file *m)
{
	struct drm_debugfs_entry *entry = m->private;

	return to_edgeai_device(entry->dev);
}

static int edgeai_debugfs_memory(struct seq_file *m, void *unused)
{
	struct edgeai_device *edev = edgeai_debugfs_device(m);
	u64 used;

	spin_lock(&edev->mem_lock);
	used = edev->mem_used;
	spin_unlock(&edev->mem_lock);
	seq_printf(m, "used: %llu\n", used);
	seq_printf(m, "limit: %llu\n", edev->limits.mem_limit);
	seq_printf(m, "client_quota: %llu\n", edev->limits.client_quota);
	seq_printf(m, "max_bo_size: %llu\n", edev->limits.max_bo_size);
	return 0;
}

static int edgeai_debugfs_executor(struct seq_file *m, void *unused)
{
	struct edgeai_exec *exec = &edgeai_debugfs_device(m)->exec;
	int prio;

	mutex_lock(&exec->lock);
	if (exec->file)
		seq_printf(m, "state: attached\npid: %d\n", pid_nr(exec->pid));
	else
		seq_puts(m, "state: detached\npid: none\n");
	seq_printf(m, "jobs_held: %u\njobs_waiting: %u\n", exec->held_count,
		   exec->waiting_count);
	for (prio = 0; prio < EDGEAI_PRIORITY_COUNT; prio++)
		seq_printf(m, "jobs_waiting_%s: %zu\n",
			   edgeai_debugfs_priority[prio],
			   list_count_nodes(&exec->waiting[prio]));
	mutex_unlock(&exec->lock);
	return 0;
}

static void edgeai_debugfs_client_queues(struct seq_file *m,
					 struct drm_file *file)
{
	struct edgeai_file *efile = file->driver_priv;
	struct edgeai_queue *queue;
	unsigned long id;

	mutex_lock(&efile->lock);
	xa_for_each(&efile->queues, id, queue)
		seq_printf(m, "%-10llu %-6u %-9s %d\n", file->client_id,
			   queue->id, edgeai_debugfs_priority[queue->priority],
			   atomic_read(&queue->unfinished));
	mutex_unlock(&efile->lock);
}

static int edgeai_debugfs_queues(struct seq_file *m, void *unused)
{
	struct drm_device *dev = &edgeai_debugfs_device(m)->drm;
	struct drm_file *file;

	seq_puts(m, "client     queue  priority  depth\n");
	mutex_lock(&dev->filelist_mutex);
	list_for_each_entry(file, &dev->filelist, lhead)
		edgeai_debugfs_client_queues(m, file);
	mutex_unlock(&dev->filelist_mutex);
	return 0;
}

static const struct drm_debugfs_info edgeai_debugfs_files[] = {
	{ "memory", edgeai_debugfs_memory, 0 },
	{ "executor", edgeai_debugfs_executor, 0 },
	{ "queues", edgeai_debugfs_queues, 0 },
};

/**
 * edgeai_debugfs_init() - Add the debugfs files; before registration
 * @edev: the device
 */
void edgeai_debugfs_init(struct edgeai_device *edev)
{
	drm_debugfs_add_files(&edev->drm, edgeai_debugfs_files,
			      ARRAY_SIZE(edgeai_debugfs_files));
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * edgeai routing: DRM_IOCTL_EDGEAI_ROUTE asks the attached BPF policy
 * (struct_ops type edgeai_sched_ops) or the built-in one where a request
 * runs.  One policy is attached at a time; route() runs under RCU, and
 * detaching waits for a grace period, so a request sees either the policy
 * or the built-in one, never neither.  Counters per decision and reason
 * are in sysfs (.../edgeai/sched/), the last decisions in debugfs
 * (.../accel/edgeai/decisions).
 */

#include <linux/bpf.h>
#include <linux/bpf_verifier.h>
#include <linux/btf.h>
#include <linux/btf_ids.h>
#include <linux/device.h>
#include <linux/ktime.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/seq_file.h>
#include <linux/string.h>

#include <drm/drm_debugfs.h>
#include <drm/drm_file.h>
#include <drm/drm_managed.h>

#include "edgeai_drv.h"
#include "edgeai_job.h"
#include "edgeai_policy.h"
#include "edgeai_sched.h"
#include "edgeai_trace.h"

/*
 * The attached policy; written under edgeai_sched_lock.  Readers hold it with
 * preemption off (rcu_read_lock_sched: inline, where PREEMPT_RCU's
 * rcu_read_lock is a call), which synchronize_rcu() waits for as well.
 */
static struct edgeai_sched_ops __rcu *edgeai_sched_policy;
static DEFINE_MUTEX(edgeai_sched_lock);

/* route()'s context with what the kfuncs need next to it. */
struct edgeai_route_call {
	struct edgeai_route_ctx ctx;
	struct edgeai_device *edev;
};

static const char edgeai_builtin_name[EDGEAI_POLICY_NAME_LEN] = "builtin";

static u32 edgeai_route_queued_total(const struct edgeai_route_ctx *ctx)
{
	u32 total = 0;
	int prio;

	for (prio = 0; prio < EDGEAI_PRIORITY_COUNT; prio++)
		total += ctx->queued[prio];
	return total;
}

/* The built-in policy (uapi/edgeai_policy.h) on the ctx's facts. */
static u32 edgeai_route_builtin(struct edgeai_route_ctx *ctx)
{
	const struct edgeai_policy_facts facts = {
		.privacy = ctx->privacy,
		.deadline_ms = ctx->deadline_ms,
		.prompt_tokens = ctx->prompt_tokens,
		.max_new_tokens = ctx->max_new_tokens,
		.executor_alive = ctx->executor_alive,
		.queued = edgeai_route_queued_total(ctx),
		.mem_used = ctx->mem_used,
		.mem_limit = ctx->mem_limit,
		.model_avg_ns = ctx->model_avg_ns,
	};

	return edgeai_policy_builtin(&facts, &ctx->reason, &ctx->priority);
}

static void edgeai_route_fill(struct edgeai_route_call *call,
			      const struct drm_edgeai_route *args)
{
	struct edgeai_device *edev = call->edev;
	struct edgeai_route_ctx *ctx = &call->ctx;
	int prio;

	ctx->model_id = args->model_id;
	ctx->prompt_tokens = args->prompt_tokens;
	ctx->max_new_tokens = args->max_new_tokens;
	ctx->privacy = args->privacy;
	ctx->deadline_ms = args->deadline_ms;
	ctx->confidence = args->confidence;
	for (prio = 0; prio < EDGEAI_PRIORITY_COUNT; prio++)
		ctx->queued[prio] = atomic_read(&edev->route.queued[prio]);
	/* A snapshot: the counts move on without the executor's lock. */
	ctx->jobs_in_flight = READ_ONCE(edev->exec.held_count);
	ctx->executor_alive = !!READ_ONCE(edev->exec.file);
	ctx->mem_used = READ_ONCE(edev->mem_used);
	ctx->mem_limit = edev->limits.mem_limit;
	ctx->model_avg_ns = READ_ONCE(edev->route.model_avg_ns[args->model_id]);
	ctx->priority = EDGEAI_PRIORITY_NORMAL;
	ctx->reason = EDGEAI_REASON_POLICY;
}

static bool edgeai_route_valid(const struct edgeai_route_ctx *ctx,
			       s32 decision)
{
	return decision >= 0 && decision < EDGEAI_ROUTE_DECISION_COUNT &&
	       ctx->priority < EDGEAI_PRIORITY_COUNT &&
	       ctx->reason < EDGEAI_REASON_COUNT;
}

/* Asks the attached policy; false when there is none. */
static bool edgeai_route_bpf(struct edgeai_route_call *call,
			     struct drm_edgeai_route *args)
{
	struct edgeai_sched_ops *ops;
	s32 decision = 0;

	BUILD_BUG_ON(sizeof(ops->name) != sizeof(args->policy_name));
	rcu_read_lock_sched();
	ops = rcu_dereference_sched(edgeai_sched_policy);
	if (ops) {
		decision = ops->route(&call->ctx);
		/* NUL-padded by edgeai_sched_init_member() */
		memcpy(args->policy_name, ops->name, sizeof(args->policy_name));
	}
	rcu_read_unlock_sched();
	if (!ops)
		return false;
	args->policy = EDGEAI_POLICY_BPF;
	if (edgeai_route_valid(&call->ctx, decision)) {
		args->decision = decision;
		return true;
	}
	atomic64_inc(&call->edev->route.errors);
	args->fallback = 1;
	return false;
}

/*
 * The ring takes no lock: a slot's seq is cleared before its fields are
 * written and set, with release, after them; a reader keeps a record only
 * when the seq it wanted is there before and after its copy.  Preemption is
 * off while a slot is written, so two writers could share a slot only if
 * EDGEAI_ROUTE_RING_SIZE other decisions were taken within those few stores.
 */
static void edgeai_route_record(struct edgeai_route *route,
				const struct drm_edgeai_route *args)
{
	struct edgeai_route_record *rec =
		&route->ring[args->seq % EDGEAI_ROUTE_RING_SIZE];

	this_cpu_inc(route->counts->decisions[args->decision][args->reason]);
	preempt_disable();
	WRITE_ONCE(rec->seq, 0);
	smp_wmb();	/* the cleared seq before the new fields */
	rec->time_ns = ktime_get_coarse_ns();
	rec->model_id = args->model_id;
	rec->decision = args->decision;
	rec->priority = args->priority;
	rec->reason = args->reason;
	rec->policy = args->policy;
	rec->fallback = args->fallback;
	/* Pairs with the acquire in edgeai_route_record_read(). */
	smp_store_release(&rec->seq, args->seq);
	preempt_enable();
}

/* Copies the record of @seq; false when it was overwritten or is being. */
static bool edgeai_route_record_read(struct edgeai_route *route, u64 seq,
				     struct edgeai_route_record *out)
{
	struct edgeai_route_record *rec =
		&route->ring[seq % EDGEAI_ROUTE_RING_SIZE];

	/* Pairs with the release in edgeai_route_record(). */
	if (smp_load_acquire(&rec->seq) != seq)
		return false;
	/* A writer may race this copy; the seq check below drops it then. */
	*out = data_race(*rec);
	smp_rmb();	/* the copy before the second look at seq */
	return READ_ONCE(rec->seq) == seq;
}

static int edgeai_route_check(const struct drm_edgeai_route *args)
{
	if (args->flags || args->pad || args->pad2)
		return -EINVAL;
	if (args->model_id >= EDGEAI_MODEL_COUNT ||
	    args->privacy >= EDGEAI_PRIVACY_COUNT)
		return -EINVAL;
	if (args->confidence > EDGEAI_CONFIDENCE_MAX &&
	    args->confidence != EDGEAI_CONFIDENCE_NONE)
		return -EINVAL;
	return 0;
}

/**
 * edgeai_route_ioctl() - DRM_IOCTL_EDGEAI_ROUTE
 * @dev: the device
 * @data: struct drm_edgeai_route
 * @file: the caller's file
 *
 * Return: 0 with exactly one decision, or -EINVAL for bad features.
 */
int edgeai_route_ioctl(struct drm_device *dev, void *data,
		       struct drm_file *file)
{
	struct drm_edgeai_route *args = data;
	/* Every field is set by edgeai_route_fill(); nothing to zero first. */
	struct edgeai_route_call call __uninitialized;
	int ret;

	ret = edgeai_route_check(args);
	if (ret)
		return ret;
	call.edev = to_edgeai_device(dev);
	args->fallback = 0;
	edgeai_route_fill(&call, args);
	if (!edgeai_route_bpf(&call, args)) {
		args->decision = edgeai_route_builtin(&call.ctx);
		args->policy = EDGEAI_POLICY_BUILTIN;
		memcpy(args->policy_name, edgeai_builtin_name,
		       sizeof(args->policy_name));
	}
	args->priority = call.ctx.priority;
	args->reason = call.ctx.reason;
	args->seq = atomic64_inc_return(&call.edev->route.seq);
	edgeai_route_record(&call.edev->route, args);
	trace_edgeai_route(args->seq, args->policy_name, args->decision, args->reason);
	return 0;
}

/**
 * edgeai_sched_job_queued() - Count a job that was just submitted
 * @edev: the device
 * @job: the job
 */
void edgeai_sched_job_queued(struct edgeai_device *edev,
			     struct edgeai_job *job)
{
	atomic_inc(&edev->route.queued[job->priority]);
}

/**
 * edgeai_sched_job_ended() - Feed a job's end to the averages and policy
 * @edev: the device
 * @job: the job, ending exactly once
 * @status: 0 or its negative errno
 */
void edgeai_sched_job_ended(struct edgeai_device *edev,
			    struct edgeai_job *job, int status)
{
	struct edgeai_job_stats stats = {
		.job_id = job->id,
		.device_time_ns = status ? 0 : job->device_time_ns,
		.model_id = job->model_id,
		.priority = job->priority,
		.status = status,
	};
	struct edgeai_sched_ops *ops;
	u64 *avg = &edev->route.model_avg_ns[job->model_id];
	s64 old;

	atomic_dec(&edev->route.queued[job->priority]);
	if (!status) {
		/* Racing updates may lose one sample; it is an estimate. */
		old = READ_ONCE(*avg);
		WRITE_ONCE(*avg, old + ((s64)stats.device_time_ns - old) / 8);
	}
	rcu_read_lock_sched();
	ops = rcu_dereference_sched(edgeai_sched_policy);
	if (ops && ops->job_done)
		ops->job_done(&stats);
	rcu_read_unlock_sched();
}

__bpf_kfunc_start_defs();

/**
 * edgeai_route_model_avg_ns() - Moving-average job time of any model
 * @ctx: route()'s context
 * @model_id: the model
 *
 * Return: the average in ns, 0 for a model with no job yet or out of range.
 */
__bpf_kfunc u64 edgeai_route_model_avg_ns(struct edgeai_route_ctx *ctx,
					  u32 model_id)
{
	struct edgeai_route_call *call =
		container_of(ctx, struct edgeai_route_call, ctx);

	if (model_id >= EDGEAI_MODEL_COUNT)
		return 0;
	return READ_ONCE(call->edev->route.model_avg_ns[model_id]);
}

/**
 * edgeai_route_queued_from() - Jobs queued at a priority or above
 * @ctx: route()'s context
 * @priority: the lowest priority counted
 *
 * Return: the jobs submitted and not ended at @priority and higher.
 */
__bpf_kfunc u32 edgeai_route_queued_from(struct edgeai_route_ctx *ctx,
					 u32 priority)
{
	u32 total = 0;

	for (; priority < EDGEAI_PRIORITY_COUNT; priority++)
		total += ctx->queued[priority];
	return total;
}

__bpf_kfunc_end_defs();

BTF_KFUNCS_START(edgeai_sched_kfunc_ids)
BTF_ID_FLAGS(func, edgeai_route_model_avg_ns, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, edgeai_route_queued_from, KF_TRUSTED_ARGS)
BTF_KFUNCS_END(edgeai_sched_kfunc_ids)

static const struct btf_kfunc_id_set edgeai_sched_kfunc_set = {
	.owner = THIS_MODULE,
	.set = &edgeai_sched_kfunc_ids,
};

BTF_ID_LIST_SINGLE(edgeai_route_ctx_btf_id, struct, edgeai_route_ctx)

/* Of all a policy can point at, only the ctx's decision fields are writable. */
static int edgeai_sched_btf_struct_access(struct bpf_verifier_log *log,
					  const struct bpf_reg_state *reg,
					  int off, int size)
{
	if (reg->btf_id == edgeai_route_ctx_btf_id[0]) {
		if (off >= offsetof(struct edgeai_route_ctx, priority) &&
		    off + size <= offsetofend(struct edgeai_route_ctx, reason))
			return SCALAR_VALUE;
	}
	bpf_log(log, "edgeai: only ctx->priority and ctx->reason are writable\n");
	return -EACCES;
}

static bool edgeai_sched_is_valid_access(int off, int size,
					 enum bpf_access_type type,
					 const struct bpf_prog *prog,
					 struct bpf_insn_access_aux *info)
{
	return bpf_tracing_btf_ctx_access(off, size, type, prog, info);
}

static const struct bpf_verifier_ops edgeai_sched_verifier_ops = {
	.get_func_proto = bpf_base_func_proto,
	.is_valid_access = edgeai_sched_is_valid_access,
	.btf_struct_access = edgeai_sched_btf_struct_access,
};

static int edgeai_sched_btf_init(struct btf *btf)
{
	return 0;
}

static int edgeai_sched_init_member(const struct btf_type *t,
				    const struct btf_member *member,
				    void *kdata, const void *udata)
{
	const struct edgeai_sched_ops *uops = udata;
	struct edgeai_sched_ops *ops = kdata;
	u32 moff = __btf_member_bit_offset(t, member) / 8;

	if (moff != offsetof(struct edgeai_sched_ops, name))
		return 0;
	if (strscpy_pad(ops->name, uops->name, sizeof(ops->name)) <= 0)
		return -EINVAL;
	return 1;
}

static int edgeai_sched_validate(void *kdata)
{
	const struct edgeai_sched_ops *ops = kdata;

	return ops->route && ops->name[0] ? 0 : -EINVAL;
}

static int edgeai_sched_reg(void *kdata, struct bpf_link *link)
{
	struct edgeai_sched_ops *ops = kdata;
	int ret = 0;

	mutex_lock(&edgeai_sched_lock);
	if (rcu_access_pointer(edgeai_sched_policy))
		ret = -EEXIST;
	else if (ops->init)
		ret = ops->init();
	if (!ret)
		rcu_assign_pointer(edgeai_sched_policy, ops);
	mutex_unlock(&edgeai_sched_lock);
	return ret;
}

static void edgeai_sched_unreg(void *kdata, struct bpf_link *link)
{
	struct edgeai_sched_ops *ops = kdata;

	mutex_lock(&edgeai_sched_lock);
	if (rcu_access_pointer(edgeai_sched_policy) == ops) {
		RCU_INIT_POINTER(edgeai_sched_policy, NULL);
		synchronize_rcu();
		if (ops->exit)
			ops->exit();
	}
	mutex_unlock(&edgeai_sched_lock);
}

static s32 edgeai_sched_stub_route(struct edgeai_route_ctx *ctx)
{
	return EDGEAI_ROUTE_LOCAL;
}

static void edgeai_sched_stub_job_done(struct edgeai_job_stats *stats)
{
}

static s32 edgeai_sched_stub_init(void)
{
	return 0;
}

static void edgeai_sched_stub_exit(void)
{
}

static struct edgeai_sched_ops edgeai_sched_cfi_stubs = {
	.route = edgeai_sched_stub_route,
	.job_done = edgeai_sched_stub_job_done,
	.init = edgeai_sched_stub_init,
	.exit = edgeai_sched_stub_exit,
};

static struct bpf_struct_ops edgeai_sched_bpf_ops = {
	.verifier_ops = &edgeai_sched_verifier_ops,
	.init = edgeai_sched_btf_init,
	.init_member = edgeai_sched_init_member,
	.validate = edgeai_sched_validate,
	.reg = edgeai_sched_reg,
	.unreg = edgeai_sched_unreg,
	.cfi_stubs = &edgeai_sched_cfi_stubs,
	.name = "edgeai_sched_ops",
	.owner = THIS_MODULE,
};

/**
 * edgeai_sched_register() - Register the struct_ops type and the kfuncs
 *
 * An attached policy holds a reference to the module, so the module cannot
 * be unloaded until it is detached.
 *
 * Return: 0 or a negative errno.
 */
int edgeai_sched_register(void)
{
	int ret;

	ret = register_btf_kfunc_id_set(BPF_PROG_TYPE_STRUCT_OPS,
					&edgeai_sched_kfunc_set);
	if (ret)
		return ret;
	return register_bpf_struct_ops(&edgeai_sched_bpf_ops, edgeai_sched_ops);
}

static struct edgeai_device *edgeai_sched_dev(struct device *dev)
{
	return dev_get_drvdata(dev);
}

static ssize_t policy_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	struct edgeai_sched_ops *ops;
	ssize_t len;

	rcu_read_lock();
	ops = rcu_dereference(edgeai_sched_policy);
	len = sysfs_emit(buf, "%s\n", ops ? ops->name : "builtin");
	rcu_read_unlock();
	return len;
}
static DEVICE_ATTR_RO(policy);

static ssize_t errors_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	return sysfs_emit(buf, "%lld\n",
			  atomic64_read(&edgeai_sched_dev(dev)->route.errors));
}
static DEVICE_ATTR_RO(errors);

/* One line per decision and reason: "local privacy 12". */
static ssize_t decisions_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	struct edgeai_route *route = &edgeai_sched_dev(dev)->route;
	int d, r, cpu, len = 0;
	u64 n;

	for (d = 0; d < EDGEAI_ROUTE_DECISION_COUNT; d++)
		for (r = 0; r < EDGEAI_REASON_COUNT; r++) {
			n = 0;
			for_each_possible_cpu(cpu)
				/* a count moving on while summed is fine */
				n += data_race(per_cpu_ptr(route->counts,
							   cpu)->decisions[d][r]);
			len += sysfs_emit_at(buf, len, "%s %s %llu\n",
					     edgeai_decision_names[d],
					     edgeai_reason_names[r], n);
		}
	return len;
}
static DEVICE_ATTR_RO(decisions);

static struct attribute *edgeai_sched_attrs[] = {
	&dev_attr_policy.attr,
	&dev_attr_errors.attr,
	&dev_attr_decisions.attr,
	NULL,
};

static const struct attribute_group edgeai_sched_group = {
	.name = "sched",
	.attrs = edgeai_sched_attrs,
};

static int edgeai_sched_debugfs_decisions(struct seq_file *m, void *unused)
{
	struct drm_debugfs_entry *entry = m->private;
	struct edgeai_route *route = &to_edgeai_device(entry->dev)->route;
	struct edgeai_route_record rec;
	u64 last = atomic64_read(&route->seq), seq;

	seq_puts(m, "seq time_ns model decision priority reason policy fallback\n");
	seq = last > EDGEAI_ROUTE_RING_SIZE ? last - EDGEAI_ROUTE_RING_SIZE + 1 : 1;
	for (; seq <= last; seq++) {
		if (!edgeai_route_record_read(route, seq, &rec))
			continue;
		seq_printf(m, "%llu %llu %u %s %u %s %s %u\n", rec.seq,
			   rec.time_ns, rec.model_id,
			   edgeai_decision_names[rec.decision], rec.priority,
			   edgeai_reason_names[rec.reason],
			   rec.policy == EDGEAI_POLICY_BPF ? "bpf" : "builtin",
			   rec.fallback);
	}
	return 0;
}

static void edgeai_sched_free_counts(struct drm_device *drm, void *counts)
{
	free_percpu(counts);
}

/**
 * edgeai_sched_init() - Set up a device's routing state and its files
 * @edev: the device, before registration, with its drvdata set
 *
 * Return: 0 or a negative errno.
 */
int edgeai_sched_init(struct edgeai_device *edev)
{
	int ret;

	edev->route.counts = alloc_percpu(struct edgeai_route_counts);
	if (!edev->route.counts)
		return -ENOMEM;
	ret = drmm_add_action_or_reset(&edev->drm, edgeai_sched_free_counts,
				       edev->route.counts);
	if (ret)
		return ret;
	drm_debugfs_add_file(&edev->drm, "decisions",
			     edgeai_sched_debugfs_decisions, NULL);
	return devm_device_add_group(edev->drm.dev, &edgeai_sched_group);
}

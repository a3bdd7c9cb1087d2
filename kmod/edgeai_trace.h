/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Tracepoints of edgeai: a job's life (submitted, scheduled, fetched by the
 * executor, ended) and every routing decision.  They show in
 * /sys/kernel/tracing/events/edgeai/ and in `perf list`.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM edgeai

#if !defined(_EDGEAI_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _EDGEAI_TRACE_H

#include <linux/tracepoint.h>

DECLARE_EVENT_CLASS(edgeai_job_class,
	TP_PROTO(u64 job_id, u32 model_id, u32 priority),
	TP_ARGS(job_id, model_id, priority),
	TP_STRUCT__entry(
		__field(u64, job_id)
		__field(u32, model_id)
		__field(u32, priority)
	),
	TP_fast_assign(
		__entry->job_id = job_id;
		__entry->model_id = model_id;
		__entry->priority = priority;
	),
	TP_printk("job=%llu model=%u priority=%u", __entry->job_id,
		  __entry->model_id, __entry->priority)
);

/* A job entered its queue's scheduler entity (DRM_IOCTL_EDGEAI_SUBMIT). */
DEFINE_EVENT(edgeai_job_class, edgeai_job_submit,
	TP_PROTO(u64 job_id, u32 model_id, u32 priority),
	TP_ARGS(job_id, model_id, priority));

/* The scheduler ran it: it waits for the executor. */
DEFINE_EVENT(edgeai_job_class, edgeai_job_schedule,
	TP_PROTO(u64 job_id, u32 model_id, u32 priority),
	TP_ARGS(job_id, model_id, priority));

/* The executor fetched it (DRM_IOCTL_EDGEAI_EXEC_FETCH). */
DEFINE_EVENT(edgeai_job_class, edgeai_job_fetch,
	TP_PROTO(u64 job_id, u32 model_id, u32 priority),
	TP_ARGS(job_id, model_id, priority));

/* It ended: 0 or a negative errno, and the device time the executor reported. */
TRACE_EVENT(edgeai_job_done,
	TP_PROTO(u64 job_id, int status, u64 device_time_ns),
	TP_ARGS(job_id, status, device_time_ns),
	TP_STRUCT__entry(
		__field(u64, job_id)
		__field(int, status)
		__field(u64, device_time_ns)
	),
	TP_fast_assign(
		__entry->job_id = job_id;
		__entry->status = status;
		__entry->device_time_ns = device_time_ns;
	),
	TP_printk("job=%llu status=%d device_ns=%llu", __entry->job_id,
		  __entry->status, __entry->device_time_ns)
);

/* A routing decision (DRM_IOCTL_EDGEAI_ROUTE), uapi/edgeai_policy.h's numbers. */
TRACE_EVENT(edgeai_route,
	TP_PROTO(u64 seq, const char *policy, u32 decision, u32 reason),
	TP_ARGS(seq, policy, decision, reason),
	TP_STRUCT__entry(
		__field(u64, seq)
		__array(char, policy, 16)
		__field(u32, decision)
		__field(u32, reason)
	),
	TP_fast_assign(
		__entry->seq = seq;
		strscpy(__entry->policy, policy, sizeof(__entry->policy));
		__entry->decision = decision;
		__entry->reason = reason;
	),
	TP_printk("seq=%llu policy=%s decision=%u reason=%u", __entry->seq,
		  __entry->policy, __entry->decision, __entry->reason)
);

#endif /* _EDGEAI_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE edgeai_trace
#include <trace/define_trace.h>

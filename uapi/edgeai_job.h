/* SPDX-License-Identifier: MIT */
/*
 * edgeai job records: the command buffer of a kmod-mode job, what a
 * client writes and the executor reads, named by DRM_IOCTL_EDGEAI_SUBMIT's
 * cmd_handle, cmd_offset and cmd_size (edgeai_accel.h). The module never
 * reads it: it is an ABI between the two userspace ends of a job.
 */

#ifndef __UAPI_EDGEAI_JOB_H__
#define __UAPI_EDGEAI_JOB_H__

#include <linux/types.h>

#include "edgeai_cmdstream.h"

#if defined(__cplusplus)
extern "C" {
#endif

/**
 * DOC: job records
 *
 * A client's command BO holds a &struct ea_kjob at the job's cmd_offset,
 * followed by n_buffers &struct ea_kjob_binding, and its command stream
 * (edgeai_cmdstream.h) at stream_offset, written once. Every job rewrites
 * only the record's program and dirty mask. Binding i says where buffer i
 * of the stream lives: at @offset of the job's BO number @bo (an index into
 * drm_edgeai_submit.bo_handles), offsets multiples of %EA_KJOB_BO_ALIGN so
 * that an executor can map, import or copy each on its own. All fields are
 * little-endian, like the stream's.
 *
 * The executor keeps what it built for a stream (buffers, recordings)
 * between jobs, keyed by the command BO, the job's BOs, the bindings and
 * stream_id: a client that changes its stream's bytes gives it a new
 * stream_id.
 *
 * Versions: 1 had the decode, prompt and release programs; 2 added
 * %EA_KJOB_SCORE; 3 (this) the record's flags and %EA_KJOB_TIMES. An
 * executor runs only its own version.
 */
#define EA_KJOB_MAGIC		0x4a4b4145u	/* "EAKJ" */
#define EA_KJOB_VERSION		3u
#define EA_KJOB_BO_ALIGN	4096u

/**
 * enum ea_kjob_program - what a job runs.
 *
 * @EA_KJOB_DECODE: the stream's decode step.
 * @EA_KJOB_PROMPT: its prompt program.
 * @EA_KJOB_RELEASE: nothing: the session ends, drop what was kept for it.
 * @EA_KJOB_SCORE: its score program.
 */
enum ea_kjob_program {
	EA_KJOB_DECODE = 1,
	EA_KJOB_PROMPT = 2,
	EA_KJOB_RELEASE = 3,
	EA_KJOB_SCORE = 4,
};

/*
 * The ops of @program in stream @h, their count in *@n: 0 for RELEASE and
 * for a program the stream lacks.
 */
static inline const struct ea_cs_op *
ea_kjob_program_ops(const struct ea_cs_header *h, __u32 program, __u32 *n)
{
	switch (program) {
	case EA_KJOB_DECODE:
		*n = h->n_ops;
		return ea_cs_ops(h);
	case EA_KJOB_PROMPT:
		*n = h->n_prompt_ops;
		return ea_cs_prompt_ops(h);
	case EA_KJOB_SCORE:
		*n = h->n_score_ops;
		return ea_cs_score_ops(h);
	}
	*n = 0;
	return (const struct ea_cs_op *)0;
}

/**
 * struct ea_kjob_binding - where one buffer of the stream lives.
 *
 * @bo: an index in the job's BO list.
 * @reserved: must be zero.
 * @offset: in that BO, a multiple of %EA_KJOB_BO_ALIGN.
 */
struct ea_kjob_binding {
	__u32 bo;
	__u32 reserved;
	__u64 offset;
};

/**
 * struct ea_kjob - the job record.
 *
 * @magic: %EA_KJOB_MAGIC.
 * @version: %EA_KJOB_VERSION.
 * @program: an &enum ea_kjob_program.
 * @n_buffers: the stream's, at most %EA_CS_MAX_BUFFERS.
 * @stream_offset: of the stream in the command BO, a multiple of 8.
 * @stream_bytes: the stream's length.
 * @stream_id: changes whenever the stream's bytes do.
 * @dirty: buffers the host changed since the last job (see the stream's
 *	"changed buffers").
 * @flags: %EA_KJOB_TIMES or zero.
 * @reserved: must be zero.
 * @times_offset: with %EA_KJOB_TIMES, where in the command BO the executor
 *	writes the job's &struct ea_kjob_times: a multiple of 8; else zero.
 * @times_bytes: the room there, at least sizeof(struct ea_kjob_times);
 *	else zero.
 *
 * n_buffers &struct ea_kjob_binding follow the record.
 */
struct ea_kjob {
	__u32 magic;
	__u32 version;
	__u32 program;
	__u32 n_buffers;
	__u64 stream_offset;
	__u64 stream_bytes;
	__u64 stream_id;
	__u64 dirty[EA_CS_DIRTY_WORDS];
	__u32 flags;
	__u32 reserved;
	__u64 times_offset;
	__u64 times_bytes;
};

/* The record's flags. */
#define EA_KJOB_TIMES		1u	/* write the job's op times (ea_kjob_times) */

/**
 * DOC: op times
 *
 * A job with %EA_KJOB_TIMES asks the executor for the GPU's timestamps of
 * its program's ops, as a profiler wants them (edgeai prof): the executor
 * takes a timestamp before the first op and after each (which serialises
 * the ops: a profiled run is slower than a plain one) and, before it
 * completes the job, writes a &struct ea_kjob_times at @times_offset of the
 * command BO. The client reads it once its wait for the job returned.
 */

/**
 * struct ea_kjob_times - what a job's ops took on the device.
 *
 * @n_ops: ops of the program the job ran.
 * @n_times: entries of @ns written: n_ops + 1, or 0 when the executor took
 *	no timestamps (its device has none, or @times_bytes has no room for
 *	n_ops + 1 of them).
 * @submit_ns: CLOCK_MONOTONIC when the executor submitted the program.
 * @end_ns: CLOCK_MONOTONIC when it saw the program end.
 * @ns: the device's timestamps in nanoseconds from the first (ns[0] = 0):
 *	op i ran from ns[i] to ns[i + 1]. The device's clock has another
 *	origin than the host's: only differences are meaningful.
 */
struct ea_kjob_times {
	__u32 n_ops;
	__u32 n_times;
	__u64 submit_ns;
	__u64 end_ns;
	__u64 ns[];
};

/* Bytes of a &struct ea_kjob_times for a program of @n_ops ops. */
static inline __u64 ea_kjob_times_bytes(__u32 n_ops)
{
	return sizeof(struct ea_kjob_times) + ((__u64)n_ops + 1) * sizeof(__u64);
}

static inline struct ea_kjob_binding *ea_kjob_bindings(struct ea_kjob *job)
{
	return (struct ea_kjob_binding *)(job + 1);
}

/* Bytes of the record with @n_buffers bindings (a multiple of 8). */
static inline __u64 ea_kjob_bytes(__u32 n_buffers)
{
	return sizeof(struct ea_kjob) +
	       (__u64)n_buffers * sizeof(struct ea_kjob_binding);
}

#if defined(__cplusplus)
}
#endif

#endif /* __UAPI_EDGEAI_JOB_H__ */

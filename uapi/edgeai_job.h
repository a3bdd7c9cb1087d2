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
 * Versions: 1 had the decode, prompt and release programs; 2 (this) adds
 * %EA_KJOB_SCORE. An executor runs only its own version.
 */
#define EA_KJOB_MAGIC		0x4a4b4145u	/* "EAKJ" */
#define EA_KJOB_VERSION		2u
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
};

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

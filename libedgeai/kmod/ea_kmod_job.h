/* SPDX-License-Identifier: MIT */
/*
 * ea_kmod_job - the command buffer of a kmod-mode job: what a client session
 * (ea_kmod_session.h) writes and the executor (tools/edgeaid) reads, named by
 * DRM_IOCTL_EDGEAI_SUBMIT's cmd_handle, cmd_offset and cmd_size.
 *
 * A session's command BO holds a struct ea_kjob at the job's cmd_offset,
 * followed by n_buffers struct ea_kjob_binding, and its command stream
 * (ea_cmdstream.h) at stream_offset, written once. Every job rewrites only the
 * record's program and dirty mask. Binding i says where buffer i of the stream
 * lives: at @offset of the job's BO number @bo (an index into
 * drm_edgeai_submit.bo_handles), offsets multiples of EA_KJOB_BO_ALIGN so that
 * an executor can map, import or copy each on its own. All fields are
 * little-endian, like the stream's.
 *
 * The executor keeps what it built for a stream (buffers, recordings) between
 * jobs, keyed by the command BO, the job's BOs, the bindings and stream_id: a
 * client that changes its stream's bytes gives it a new stream_id.
 */
#ifndef EA_KMOD_JOB_H
#define EA_KMOD_JOB_H

#include <stdint.h>

#include "ea_cmdstream.h"

#define EA_KJOB_MAGIC		0x4a4b4145u	/* "EAKJ" */
#define EA_KJOB_VERSION		1u
#define EA_KJOB_BO_ALIGN	4096u

enum ea_kjob_program {
	EA_KJOB_DECODE = 1,	/* the stream's decode step */
	EA_KJOB_PROMPT = 2,	/* its prompt program */
	EA_KJOB_RELEASE = 3,	/* the session ends: drop what was kept for this stream */
};

struct ea_kjob_binding {
	uint32_t bo;		/* index in the job's BO list */
	uint32_t reserved;	/* zero */
	uint64_t offset;	/* a multiple of EA_KJOB_BO_ALIGN */
};

struct ea_kjob {
	uint32_t magic;		/* EA_KJOB_MAGIC */
	uint32_t version;	/* EA_KJOB_VERSION */
	uint32_t program;	/* enum ea_kjob_program */
	uint32_t n_buffers;	/* the stream's, at most EA_CS_MAX_BUFFERS */
	uint64_t stream_offset;	/* in the command BO, a multiple of 8 */
	uint64_t stream_bytes;
	uint64_t stream_id;	/* changes whenever the stream's bytes do */
	uint64_t dirty[EA_CS_DIRTY_WORDS];	/* buffers changed since the last job */
	/* struct ea_kjob_binding binding[n_buffers] follows */
};

static inline struct ea_kjob_binding *ea_kjob_bindings(struct ea_kjob *job)
{
	return (struct ea_kjob_binding *)(job + 1);
}

/* Bytes of the record with @n_buffers bindings (a multiple of 8). */
static inline uint64_t ea_kjob_bytes(uint32_t n_buffers)
{
	return sizeof(struct ea_kjob) + (uint64_t)n_buffers * sizeof(struct ea_kjob_binding);
}

#endif /* EA_KMOD_JOB_H */

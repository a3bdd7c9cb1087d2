/* SPDX-License-Identifier: MIT */
/*
 * ea_vk_compute - buffers, compute kernels (pipelines from embedded SPIR-V),
 * synchronous dispatch, and recordings: command buffers of many dispatches
 * that are recorded once and submitted as often as needed.
 */
#ifndef EA_VK_COMPUTE_H
#define EA_VK_COMPUTE_H

#include "ea_vk.h"

/* Storage buffers a kernel may bind, at bindings 0 .. n-1 of set 0. */
#define EA_VK_MAX_BINDINGS 8

/* A storage buffer in host-visible, coherent memory, mapped for its lifetime. */
struct ea_vk_buffer {
	VkBuffer buffer;
	VkDeviceMemory memory;
	VkDeviceSize size;
	void *map;
};

/* Storage buffers are also transfer sources and destinations, for copies.
 * Every buffer, host-visible or device-local, starts zeroed. */
ea_status ea_vk_buffer_create(struct ea_vk *vk, VkDeviceSize size,
			      struct ea_vk_buffer *buf, struct ea_error *err);
void ea_vk_buffer_destroy(struct ea_vk *vk, struct ea_vk_buffer *buf);

/*
 * A storage buffer in device-local memory (map is NULL): where weights and the
 * KV cache belong on a discrete GPU, whose host-visible memory is slow to the
 * shaders. Filled and read with ea_vk_buffer_write() and ea_vk_buffer_read().
 */
ea_status ea_vk_buffer_create_local(struct ea_vk *vk, VkDeviceSize size,
				    struct ea_vk_buffer *buf, struct ea_error *err);

/* Copy @bytes between the host and @buf at @offset through a staging buffer,
 * waiting for the copy. */
ea_status ea_vk_buffer_write(struct ea_vk *vk, struct ea_vk_buffer *buf, VkDeviceSize offset,
			     const void *data, VkDeviceSize bytes, struct ea_error *err);
ea_status ea_vk_buffer_read(struct ea_vk *vk, const struct ea_vk_buffer *buf,
			    VkDeviceSize offset, void *data, VkDeviceSize bytes,
			    struct ea_error *err);

struct ea_vk_kernel {
	const char *name;	/* points into the embedded shader table */
	uint32_t n_buffers;
	uint32_t push_size;
	VkShaderModule module;
	VkDescriptorSetLayout set_layout;
	VkPipelineLayout layout;
	VkPipeline pipeline;
};

/*
 * The kernel of the embedded shader @name, which binds @n_buffers storage
 * buffers and takes @push_size bytes of push constants. Built on first use and
 * kept by @vk until ea_vk_close().
 */
ea_status ea_vk_kernel_get(struct ea_vk *vk, const char *name, uint32_t n_buffers,
			   uint32_t push_size, struct ea_vk_kernel **out,
			   struct ea_error *err);
void ea_vk_kernel_destroy(struct ea_vk *vk, struct ea_vk_kernel *kernel);

/*
 * Run @kernel over @groups_x workgroups with @buffers bound in order and
 * @push as its push constants; return once its results are visible to the host.
 */
ea_status ea_vk_run(struct ea_vk *vk, const struct ea_vk_kernel *kernel,
		    struct ea_vk_buffer *const *buffers, const void *push,
		    uint32_t groups_x, struct ea_error *err);

/*
 * A range of a buffer as a kernel binds it: @offset a multiple of the device's
 * minStorageBufferOffsetAlignment, @size in bytes or VK_WHOLE_SIZE for the
 * rest of the buffer.
 */
struct ea_vk_span {
	const struct ea_vk_buffer *buf;
	VkDeviceSize offset;
	VkDeviceSize size;
};

/* All of @buf. */
static inline struct ea_vk_span ea_vk_whole(const struct ea_vk_buffer *buf)
{
	return (struct ea_vk_span){ .buf = buf, .offset = 0, .size = VK_WHOLE_SIZE };
}

/* The bytes @span covers. */
static inline VkDeviceSize ea_vk_span_bytes(struct ea_vk_span span)
{
	return span.size == VK_WHOLE_SIZE ? span.buf->size - span.offset : span.size;
}

#define EA_VK_REC_MAX_POOLS 64

/*
 * A recording: a command buffer of dispatches, each followed by a barrier that
 * makes its writes visible to the next, and the descriptor sets they bind,
 * which live as long as the recording. Replaying it with new inputs means
 * writing them into the buffers it binds (a per-step parameter buffer, token
 * ids) and submitting again.
 */
struct ea_vk_rec {
	struct ea_vk *vk;
	VkCommandBuffer cmd;
	VkDescriptorPool pools[EA_VK_REC_MAX_POOLS];
	uint32_t n_pools;
	uint32_t sets_left;	/* in pools[n_pools - 1] */
	uint32_t n_dispatches;
	bool ended;
	/* When set (after ea_vk_rec_begin), dispatches add no barrier of their
	 * own: the recorder calls ea_vk_rec_barrier() where a dispatch reads or
	 * overwrites what an earlier one since the last barrier touched. */
	bool manual_barriers;
	/* Timestamps (ea_vk_rec_timestamp), when ea_vk_rec_timestamps() made a pool. */
	VkQueryPool queries;
	uint32_t n_queries, max_queries;
};

ea_status ea_vk_rec_begin(struct ea_vk *vk, struct ea_vk_rec *rec, struct ea_error *err);

/*
 * Record @kernel over @groups_x x @groups_y workgroups with @spans bound at
 * bindings 0 .. n_buffers-1 and @push as its push constants.
 */
ea_status ea_vk_rec_dispatch(struct ea_vk_rec *rec, const struct ea_vk_kernel *kernel,
			     const struct ea_vk_span *spans, const void *push,
			     uint32_t groups_x, uint32_t groups_y, struct ea_error *err);

/* A barrier making every earlier dispatch's writes visible to later ones. */
void ea_vk_rec_barrier(struct ea_vk_rec *rec);

/* Make room for @n timestamps in @rec (a query pool, reset on each submit). */
ea_status ea_vk_rec_timestamps(struct ea_vk_rec *rec, uint32_t n, struct ea_error *err);

/* Write the next timestamp (after the work recorded so far); false when the
 * pool is full or absent, or the queue has no timestamps (vk->timestamps). */
bool ea_vk_rec_timestamp(struct ea_vk_rec *rec);

/* The timestamps of the last submit, in nanoseconds since the first; @n at most
 * rec->n_queries. */
ea_status ea_vk_rec_read_timestamps(struct ea_vk_rec *rec, double *ns, uint32_t n,
				    struct ea_error *err);

/* Finish recording; results become visible to the host when a submit ends. */
ea_status ea_vk_rec_end(struct ea_vk_rec *rec, struct ea_error *err);

/* Run an ended recording and wait for it; may be called any number of times. */
ea_status ea_vk_rec_submit(struct ea_vk_rec *rec, struct ea_error *err);

/* Free the command buffer and descriptor sets; safe on a zeroed recording. */
void ea_vk_rec_destroy(struct ea_vk_rec *rec);

/*
 * The device's copy bandwidth: @iters vkCmdCopyBuffer of @bytes between two
 * device-local buffers in one submit (after one warm-up submit), timed with
 * timestamp queries (wall clock where the queue has none). Written to @gbps
 * as (bytes read + bytes written) / time = 2 * @bytes * @iters / time, in
 * 1e9 bytes per second: the memory traffic, comparable with bytes read per
 * second by a kernel.
 */
ea_status ea_vk_copy_bandwidth(struct ea_vk *vk, VkDeviceSize bytes, uint32_t iters,
				      double *gbps, struct ea_error *err);

/*
 * The memory system's streaming limits, measured by compute shaders over two
 * device-local buffers of @bytes (at most what the device binds at once;
 * after a warm-up): @iters passes of
 * stream_read (each 16-byte word read once; *@read_gbps = bytes read per
 * second) and of stream_copy (*@copy_gbps = bytes read + written per
 * second), timed with timestamp queries. The roofline a kernel's achieved
 * bandwidth is measured against; the copy engine (ea_vk_copy_bandwidth)
 * may be much slower or faster than what shaders reach.
 */
ea_status ea_vk_stream_bandwidth(struct ea_vk *vk, VkDeviceSize bytes, uint32_t iters,
				 double *read_gbps, double *copy_gbps, struct ea_error *err);

#endif /* EA_VK_COMPUTE_H */

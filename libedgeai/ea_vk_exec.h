/* SPDX-License-Identifier: MIT */
/*
 * ea_vk_exec - the executor in direct mode: runs a command stream
 * (ea_cmdstream.h) on a Vulkan device in this process.
 *
 * ea_vk_exec_new() checks the stream, creates its buffers (weights, KV caches
 * and activations in device-local memory; the step block and the output in
 * host-visible memory), uploads the weights once, and records every op into
 * one recording. Each ea_vk_exec_step() then writes only the step block
 * (position and token) and submits that recording again.
 *
 * Thread safety: an executor belongs to one thread at a time.
 */
#ifndef EA_VK_EXEC_H
#define EA_VK_EXEC_H

#include "ea_cmdstream.h"
#include "ea_vk_ops.h"

struct ea_vk_exec;

/*
 * An executor of @cs (which it copies) on @vk, its uploads reading @src
 * (@src_bytes: the model file's tensor data section). Errors: the stream's
 * (EA_ERR_FORMAT, EA_ERR_UNSUPPORTED), a buffer that cannot be made
 * (EA_ERR_VULKAN), or an op whose shapes the kernels refuse
 * (EA_ERR_INVALID_ARGUMENT), each with a message in @err.
 */
EA_API ea_status ea_vk_exec_new(struct ea_vk *vk, const struct ea_cs_header *cs, const void *src,
			 uint64_t src_bytes, struct ea_vk_exec **out, struct ea_error *err);
EA_API void ea_vk_exec_free(struct ea_vk_exec *x);

/* ea_vk_exec_new() of @m's decode step (ea_cs_build()), its uploads reading
 * the model file's tensor data. */
EA_API ea_status ea_vk_exec_new_model(struct ea_vk *vk, const struct ea_model *m,
				      struct ea_vk_exec **out, struct ea_error *err);

/* What one step reads from device memory: the weights of its matvecs and its
 * embedding row (*@weight_bytes), and the KV cache bytes per position of
 * context (*@kv_bytes_per_pos: keys and values of every layer). */
EA_API void ea_vk_exec_traffic(const struct ea_vk_exec *x, uint64_t *weight_bytes,
			       uint64_t *kv_bytes_per_pos);

/*
 * Profiling: with EDGEAI_PROFILE=1 in the environment when the executor is
 * made, the recording writes a timestamp after each op. After a step,
 * ea_vk_exec_profile() adds each op's GPU time in microseconds to
 * @us[opcode] (EA_CS_* up to @n_opcodes - 1) and matvec time by weight type
 * to @matvec_us[type] (@n_types entries); returns false when not profiling.
 */
EA_API bool ea_vk_exec_profile(struct ea_vk_exec *x, double *us, uint32_t n_opcodes,
			       double *matvec_us, uint32_t n_types);

/* Run one step: @token at position @pos (< the stream's n_ctx, token <
 * n_vocab; else EA_ERR_INVALID_ARGUMENT). Keys and values of positions
 * before @pos must have been written by earlier steps. */
EA_API ea_status ea_vk_exec_step(struct ea_vk_exec *x, uint32_t token, uint32_t pos);

/* The last step's logits (n_vocab values, valid until the next step) and the
 * index of the largest of them, computed on the device. */
EA_API const float *ea_vk_exec_logits(const struct ea_vk_exec *x);
EA_API uint32_t ea_vk_exec_argmax(const struct ea_vk_exec *x);

/* Why the last call failed. */
EA_API const char *ea_vk_exec_error(const struct ea_vk_exec *x);

#endif /* EA_VK_EXEC_H */

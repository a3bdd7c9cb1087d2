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
ea_status ea_vk_exec_new(struct ea_vk *vk, const struct ea_cs_header *cs, const void *src,
			 uint64_t src_bytes, struct ea_vk_exec **out, struct ea_error *err);
void ea_vk_exec_free(struct ea_vk_exec *x);

/* Run one step: @token at position @pos (< the stream's n_ctx, token <
 * n_vocab; else EA_ERR_INVALID_ARGUMENT). Keys and values of positions
 * before @pos must have been written by earlier steps. */
ea_status ea_vk_exec_step(struct ea_vk_exec *x, uint32_t token, uint32_t pos);

/* The last step's logits (n_vocab values, valid until the next step) and the
 * index of the largest of them, computed on the device. */
const float *ea_vk_exec_logits(const struct ea_vk_exec *x);
uint32_t ea_vk_exec_argmax(const struct ea_vk_exec *x);

/* Why the last call failed. */
const char *ea_vk_exec_error(const struct ea_vk_exec *x);

#endif /* EA_VK_EXEC_H */

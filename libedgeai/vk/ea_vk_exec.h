/* SPDX-License-Identifier: MIT */
/*
 * ea_vk_exec - the executor in direct mode: runs a command stream
 * (ea_cmdstream.h) on a Vulkan device in this process.
 *
 * ea_vk_exec_new() checks the stream, creates its buffers (weights, KV caches
 * and activations in device-local memory; the step block and the output in
 * host-visible memory), uploads the weights once, and records each of the
 * stream's two programs (the decode step, the prompt program) into one
 * recording. Each ea_vk_exec_step() then writes only the step block
 * (position and token) and submits the decode recording again;
 * ea_vk_exec_prompt() does the same with the prompt recording, a batch of
 * tokens at a time, and ea_vk_exec_score() with the score program's.
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

/*
 * An executor of @cs over buffers the caller owns (edgeaid in kmod mode):
 * stream buffer i is bound[i].buf at bound[i].offset (aligned for storage
 * buffers; the buffer's whole size must fit there). Nothing is created or
 * uploaded: the caller fills the weights and writes the step block, then
 * runs a program with ea_vk_exec_run(). The buffers must outlive the
 * executor; @bound is copied.
 */
EA_API ea_status ea_vk_exec_new_bound(struct ea_vk *vk, const struct ea_cs_header *cs,
				      const struct ea_vk_span *bound, struct ea_vk_exec **out,
				      struct ea_error *err);

/* Run the decode step, or the prompt program when @prompt, on the step block
 * as its buffer holds it now; returns once the results are in the buffers. */
EA_API ea_status ea_vk_exec_run(struct ea_vk_exec *x, bool prompt);

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

/* The same for the last prompt run (its matmuls' time by weight type in
 * @matmul_us); false too when the stream has no prompt program. */
EA_API bool ea_vk_exec_profile_prompt(struct ea_vk_exec *x, double *us, uint32_t n_opcodes,
				      double *matmul_us, uint32_t n_types);

/* Run one step: @token at position @pos (< the stream's n_ctx, token <
 * n_vocab; else EA_ERR_INVALID_ARGUMENT). Keys and values of positions
 * before @pos must have been written by earlier steps. */
EA_API ea_status ea_vk_exec_step(struct ea_vk_exec *x, uint32_t token, uint32_t pos);

/*
 * Process a prompt: @n tokens at positions @pos0 .. @pos0 + n - 1 in batches
 * of ea_vk_exec_prompt_batch() tokens (matmuls over the batch and causal
 * attention within it; one submit each), writing their keys and values into
 * the KV caches. Afterwards ea_vk_exec_logits() and ea_vk_exec_argmax() are
 * those of the last token, tokens[n - 1], as if it had been decoded by
 * ea_vk_exec_step(); generation goes on with ea_vk_exec_step(x, next,
 * pos0 + n). Keys and values of positions before @pos0 must have been written
 * already (by earlier prompts or steps). Errors: EA_ERR_INVALID_ARGUMENT when
 * n is 0, pos0 + n passes the context (n_ctx) or a token is not < n_vocab,
 * with nothing run; EA_ERR_VULKAN from the device. Logits of the tokens
 * before the last are not kept (ea_vk_exec_score() scores a window's tokens).
 */
EA_API ea_status ea_vk_exec_prompt(struct ea_vk_exec *x, const uint32_t *tokens, uint32_t n,
				   uint32_t pos0);

/*
 * Perplexity of a window, one submit of the score program: run @n tokens
 * (at most ea_vk_exec_prompt_batch()) from position 0, as a prompt, and add
 * to *@nll the negative log-likelihood of tokens first .. first + count - 1
 * (1 <= first, first + count <= n, count <= ea_vk_exec_score_rows()), each
 * given the tokens before it: the device computes the logits of those rows and
 * each token's -log softmax, and only count floats come back. The KV caches
 * then hold the n tokens; ea_vk_exec_logits() is not updated. Errors:
 * EA_ERR_INVALID_ARGUMENT for shapes out of those bounds or a token not below
 * n_vocab (nothing run), EA_ERR_VULKAN from the device.
 */
EA_API ea_status ea_vk_exec_score(struct ea_vk_exec *x, const uint32_t *tokens, uint32_t n,
				  uint32_t first, uint32_t count, double *nll);

/* Rows one score run takes at most (the stream's score_rows; 0 when it has no
 * score program). */
EA_API uint32_t ea_vk_exec_score_rows(const struct ea_vk_exec *x);

/* Tokens one prompt submit processes (the stream's prompt_tokens; 0 when the
 * stream has no prompt program, and ea_vk_exec_prompt() then steps token by
 * token). */
EA_API uint32_t ea_vk_exec_prompt_batch(const struct ea_vk_exec *x);

/* The last step's or prompt's logits (n_vocab values, valid until the next
 * one) and the index of the largest of them, computed on the device. */
EA_API const float *ea_vk_exec_logits(const struct ea_vk_exec *x);
EA_API uint32_t ea_vk_exec_argmax(const struct ea_vk_exec *x);

/* Why the last call failed. */
EA_API const char *ea_vk_exec_error(const struct ea_vk_exec *x);

/* Whether the executor's Q4_0 / Q8_0 matvecs use the int8-dot kernels
 * (ea_vk_ops.h: struct ea_vk_ops, int8_dot). */
EA_API bool ea_vk_exec_int8_matvec(const struct ea_vk_exec *x);

#endif /* EA_VK_EXEC_H */

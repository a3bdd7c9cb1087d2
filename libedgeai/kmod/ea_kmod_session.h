/* SPDX-License-Identifier: MIT */
/*
 * ea_kmod_session - a session's engine in kmod mode: the model's command
 * stream run by the module's executor (edgeaid), one SUBMIT a run.
 *
 * Buffers, all GEM objects of the edgeai device:
 *  - the weights: one named shared BO, keyed by a SHA-256 of the model's
 *    tensor data and of the stream's weight layout, so every process that
 *    runs the same file holds the same BO (counted once). The first process
 *    creates, fills and publishes it; a later one, or one that loses the
 *    race to publish (-EEXIST), opens it.
 *  - this session's own: the KV caches, the activations, the I/O BO (step
 *    block and output, mapped here) and the command BO (ea_kmod_job.h).
 * A run writes the step block and the job record, submits the job and waits
 * for it: an executor that dies or never answers fails the run (EA_ERR_ACCEL)
 * within the module's job timeout, and the next run may succeed again.
 *
 * An executor may keep the KV cache in its own device memory (edgeaid's copy
 * mode), and a new one starts without it. The session notes the module's
 * executor epoch (EDGEAI_PARAM_EXEC_EPOCH) its cache was built under: a run
 * from position 0 starts afresh, a later run that ends under another epoch
 * fails (its job may have read a cache that was gone), and the engine asks
 * ea_kmod_session_kv_lost() before reusing a cached prefix.
 *
 * Thread safety: a session belongs to one thread at a time.
 */
#ifndef EA_KMOD_SESSION_H
#define EA_KMOD_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "ea_error.h"
#include "ea_model.h"

struct ea_kmod_session;

/*
 * A session of @m on the edgeai device open at @fd (not owned; it must
 * outlive the session), whose jobs time out after @job_timeout_ms.
 * EA_ERR_ACCEL with the ioctl's error (-EDQUOT, -ENOSPC ...) in @err.
 */
ea_status ea_kmod_session_new(int fd, uint32_t job_timeout_ms, const struct ea_model *m,
			      struct ea_kmod_session **out, struct ea_error *err);
void ea_kmod_session_free(struct ea_kmod_session *k);

/* One decode step: @token at @pos. */
ea_status ea_kmod_session_step(struct ea_kmod_session *k, uint32_t token, uint32_t pos,
			       struct ea_error *err);

/* @n tokens from @pos0 through the prompt program, a batch a job (as
 * ea_vk_exec_prompt()). */
ea_status ea_kmod_session_prompt(struct ea_kmod_session *k, const uint32_t *tokens, uint32_t n,
				 uint32_t pos0, struct ea_error *err);

/* Whether another executor attached since the KV cache was built: its
 * contents can no longer be reused (they are from now on counted as the new
 * executor's). */
bool ea_kmod_session_kv_lost(struct ea_kmod_session *k);

/* The last run's logits (n_vocab floats, valid until the next run). */
const float *ea_kmod_session_logits(const struct ea_kmod_session *k);

/* The 32-byte key the shared weights are published under. */
const uint8_t *ea_kmod_session_weights_key(const struct ea_kmod_session *k);

#endif /* EA_KMOD_SESSION_H */

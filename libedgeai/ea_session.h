/* SPDX-License-Identifier: MIT */
/*
 * ea_session - a model running on an engine: tokens in at positions, logits
 * out. Two engines behind one interface:
 *  - Vulkan (direct mode): the model's decode step is built once as a command
 *    stream (ea_cmdstream.h) and run by the executor (ea_vk_exec.h). A prompt
 *    goes through that same decode step one token at a time; a batched
 *    (matmul) prompt path is still to come.
 *  - the CPU reference (ea_ref_forward.h), prompts in batches.
 *
 * Thread safety: a session belongs to one thread at a time.
 */
#ifndef EA_SESSION_H
#define EA_SESSION_H

#include <stdint.h>

#include "ea_model.h"
#include "ea_vk.h"

struct ea_session;

/* A session of @m on @vk, or on the CPU reference when @vk is NULL. @m (and
 * @vk) must outlive it. On failure *@out is NULL and @err holds why. */
EA_API ea_status ea_session_new(const struct ea_model *m, struct ea_vk *vk,
				struct ea_session **out, char *err, size_t errsz);
EA_API void ea_session_free(struct ea_session *s);

/*
 * Run @n tokens at positions pos0 .. pos0 + n - 1 (the earlier positions
 * already run) and write the last one's logits (n_vocab values) to @logits.
 * Positions past the model's context or a token outside the vocabulary fail
 * with EA_ERR_INVALID_ARGUMENT before anything runs.
 */
EA_API ea_status ea_session_eval(struct ea_session *s, const int32_t *tokens, int n,
				 int pos0, float *logits);

/* "Vulkan" or "CPU reference". */
EA_API const char *ea_session_engine(const struct ea_session *s);

/* Why the last call failed. */
EA_API const char *ea_session_error(const struct ea_session *s);

#endif /* EA_SESSION_H */

/* SPDX-License-Identifier: MIT */
/*
 * ea_backend - what runs a session's model: one engine interface, three
 * backends, chosen once when the session opens (ea_session.c):
 *  - direct (ea_backend_direct.c): the model's command stream on the executor
 *    (exec/ea_exec.h) in this process, on a Vulkan device;
 *  - kmod (ea_backend_kmod.c): the same stream run by the module's executor
 *    (edgeaid), one job a run, its buffers GEM objects;
 *  - the CPU reference (ea_backend_ref.c).
 * Direct and kmod share how a stream's programs are driven from the host
 * (ea_backend_stream.h); they differ only in where a program runs.
 *
 * Tokens are uint32 ids below the model's n_vocab, positions below its
 * n_ctx: the session checks both before it calls an engine. Every failure
 * leaves its message in engine->error.
 *
 * Thread safety: an engine belongs to one thread at a time.
 */
#ifndef EA_BACKEND_H
#define EA_BACKEND_H

#include <stdbool.h>
#include <stdint.h>

#include "ea_error.h"
#include "ea_model.h"
#include "ea_trace.h"
#include "ea_vk.h"

struct ea_backend;

struct ea_backend_ops {
	const char *name;	/* "Vulkan", "Vulkan (edgeaid)", "CPU reference" */
	/* Run @n tokens at positions @pos0 .. (earlier positions already run);
	 * afterwards logits() are the last token's. */
	ea_status (*prompt)(struct ea_backend *e, const uint32_t *tokens, uint32_t n,
			    uint32_t pos0);
	/* Run as prompt() does and write every token's logits to @logits
	 * (n x n_vocab: row i predicts the token after tokens[i]). NULL where
	 * the engine keeps only the last token's: the session then runs the
	 * tokens one step at a time. */
	ea_status (*prompt_all)(struct ea_backend *e, const uint32_t *tokens, uint32_t n,
				uint32_t pos0, float *logits);
	/* Run one token at @pos. */
	ea_status (*step)(struct ea_backend *e, uint32_t token, uint32_t pos);
	/* The last run's logits (n_vocab floats, valid until the next run), and
	 * the index of the largest of them. */
	const float *(*logits)(struct ea_backend *e);
	uint32_t (*argmax)(struct ea_backend *e);
	/* Score a span: run @n tokens from position 0 and add to *@nll the
	 * negative log-likelihood of tokens first .. n - 1, each given those
	 * before it. EA_ERR_UNSUPPORTED when this engine cannot score such a
	 * window in one go (the session then runs it token by token). */
	ea_status (*score)(struct ea_backend *e, const uint32_t *tokens, uint32_t n,
			   uint32_t first, double *nll);
	/* Whether the KV cache's contents were lost since the last run (a new
	 * executor attached): a cached prefix can no longer be reused. */
	bool (*kv_lost)(struct ea_backend *e);
	/* Threads of the engine's own (0 where the device does the work). */
	int (*threads)(const struct ea_backend *e);
	void (*free)(struct ea_backend *e);
};

struct ea_backend {
	const struct ea_backend_ops *ops;
	struct ea_error error;
	struct ea_trace *trace;	/* where its runs are recorded: the session's; NULL: nowhere */
};

/* The direct engine of @m on @vk (which must outlive it). */
ea_status ea_backend_direct_new(const struct ea_model *m, struct ea_vk *vk,
			       struct ea_backend **out, struct ea_error *err);

/* The kmod engine of @m on the edgeai device open at @fd (not owned; it
 * must outlive the engine), whose jobs time out after @job_timeout_ms. */
ea_status ea_backend_kmod_new(int fd, uint32_t job_timeout_ms, const struct ea_model *m,
			     struct ea_backend **out, struct ea_error *err);

/* The CPU reference of @m on @n_threads threads (0: the default). */
ea_status ea_backend_ref_new(const struct ea_model *m, int n_threads, struct ea_backend **out,
			    struct ea_error *err);

static inline void ea_backend_free(struct ea_backend *e)
{
	if (e)
		e->ops->free(e);
}

#endif /* EA_BACKEND_H */

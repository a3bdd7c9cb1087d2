/* SPDX-License-Identifier: MIT */
/*
 * ea_backend_stream - a model's command stream driven from the host, for the
 * engines that run one (direct and kmod): a run writes the step block and
 * the token ids, runs a program where the engine runs programs, and reads
 * the outputs. How many tokens go through the prompt program rather than
 * decode steps, and which windows the score program takes, is decided here
 * once for both engines.
 */
#ifndef EA_BACKEND_STREAM_H
#define EA_BACKEND_STREAM_H

#include "edgeai_cmdstream.h"
#include "ea_backend.h"

struct ea_backend_stream {
	struct ea_backend base;
	const struct ea_cs_header *cs;	/* the stream as the executor has it */
	struct ea_cs_step *step;	/* the host's view of the step block, */
	uint32_t *token;		/* the token ids, */
	const float *logits;		/* the logits, */
	const uint32_t *argmax;		/* the argmax */
	const float *nll;		/* and the score program's nll */
	/* Run @program (EA_KJOB_*) on the step block as written, for a run
	 * from position @pos; errors in base.error. */
	ea_status (*run)(struct ea_backend_stream *s, uint32_t program, uint32_t pos);
};

/* The stream engine's prompt, step, logits, argmax and score (ea_backend_ops). */
ea_status ea_backend_stream_prompt(struct ea_backend *e, const uint32_t *tokens, uint32_t n,
				  uint32_t pos0);
ea_status ea_backend_stream_step(struct ea_backend *e, uint32_t token, uint32_t pos);
const float *ea_backend_stream_logits(struct ea_backend *e);
uint32_t ea_backend_stream_argmax(struct ea_backend *e);
ea_status ea_backend_stream_score(struct ea_backend *e, const uint32_t *tokens, uint32_t n,
				 uint32_t first, double *nll);

/* Threads of a stream backend's own: none, the device does the work. */
int ea_backend_stream_threads(const struct ea_backend *e);

/* The operations every stream backend shares, for its ea_backend_ops:
 * { .name = ..., EA_BACKEND_STREAM_OPS, .kv_lost = ..., .free = ... }. */
#define EA_BACKEND_STREAM_OPS						\
	.prompt = ea_backend_stream_prompt, .step = ea_backend_stream_step,	\
	.logits = ea_backend_stream_logits, .argmax = ea_backend_stream_argmax,	\
	.score = ea_backend_stream_score, .threads = ea_backend_stream_threads

/* @n tokens from @pos0 through the prompt program, a batch of up to the
 * stream's prompt_tokens a run, however few they are (prompt() steps short
 * prompts instead); token by token for a stream without the program. */
ea_status ea_backend_stream_batches(struct ea_backend *e, const uint32_t *tokens, uint32_t n,
				    uint32_t pos0);

/*
 * A run of @program's ops on the trace's GPU track (EDGEAI_PROFILE): @n =
 * ops + 1 device timestamps in ns, op i from ns[i] to ns[i + 1]. The device's
 * clock has another origin than the host's, so the first op is placed at
 * @start_ms (when the run was submitted, ea_now_ms()); their order and
 * durations are the device's. Nothing without a trace or for another @n.
 */
void ea_backend_stream_trace_ops(struct ea_backend_stream *s, uint32_t program, double start_ms,
				 const double *ns, uint32_t n);

#endif /* EA_BACKEND_STREAM_H */

// SPDX-License-Identifier: MIT
/* ea_backend_stream - a command stream's programs driven from the host (see the header). */
#include <stdlib.h>
#include <string.h>

#include "edgeai_job.h"
#include "ea_backend_stream.h"
#include "ea_cs_layers.h"
#include "ea_op_table.h"
#include "ea_trace.h"

/*
 * Fewer tokens than this go through the decode step one at a time rather than
 * the prompt program: a prompt run costs about the same for any number of
 * tokens up to its batch (on lavapipe, edge-f16, CPU-shaped prompt kernels:
 * ~0.5-0.8 s for 1 or 512 tokens; a decode step 40-60 ms), so short prompts
 * are faster stepped.
 */
#define PROMPT_MIN_TOKENS 64

static struct ea_backend_stream *stream_of(struct ea_backend *e)
{
	return (struct ea_backend_stream *)e;
}

ea_status ea_backend_stream_step(struct ea_backend *e, uint32_t token, uint32_t pos)
{
	struct ea_backend_stream *s = stream_of(e);

	*s->step = (struct ea_cs_step){ .pos = pos, .n_tokens = 1 };
	s->token[0] = token;
	return s->run(s, EA_KJOB_DECODE, pos);
}

ea_status ea_backend_stream_prompt(struct ea_backend *e, const uint32_t *tokens, uint32_t n,
				   uint32_t pos0)
{
	ea_status status = EA_OK;

	if (n >= PROMPT_MIN_TOKENS)
		return ea_backend_stream_batches(e, tokens, n, pos0);
	for (uint32_t i = 0; i < n && status == EA_OK; i++)
		status = ea_backend_stream_step(e, tokens[i], pos0 + i);
	return status;
}

ea_status ea_backend_stream_batches(struct ea_backend *e, const uint32_t *tokens, uint32_t n,
				    uint32_t pos0)
{
	struct ea_backend_stream *s = stream_of(e);
	uint32_t batch = s->cs->prompt_tokens;
	ea_status status = EA_OK;

	if (!s->cs->n_prompt_ops) {
		for (uint32_t i = 0; i < n && status == EA_OK; i++)
			status = ea_backend_stream_step(e, tokens[i], pos0 + i);
		return status;
	}
	for (uint32_t done = 0; done < n && status == EA_OK;) {
		uint32_t run = n - done < batch ? n - done : batch;

		*s->step = (struct ea_cs_step){ .pos = pos0 + done, .n_tokens = run };
		memcpy(s->token, tokens + done, run * sizeof(*tokens));
		status = s->run(s, EA_KJOB_PROMPT, pos0 + done);
		done += run;
	}
	return status;
}

const float *ea_backend_stream_logits(struct ea_backend *e)
{
	return stream_of(e)->logits;
}

uint32_t ea_backend_stream_argmax(struct ea_backend *e)
{
	return *stream_of(e)->argmax;
}

/* A window of up to one prompt run, scored on the device by the score
 * program: one run per score_rows scored tokens, a few floats back each. */
ea_status ea_backend_stream_score(struct ea_backend *e, const uint32_t *tokens, uint32_t n,
				 uint32_t first, double *nll)
{
	struct ea_backend_stream *s = stream_of(e);
	uint32_t rows = s->cs->score_rows;
	double sum = 0.0;
	ea_status status = EA_OK;

	if (!s->cs->n_score_ops || n > s->cs->prompt_tokens || first < 1 || first >= n)
		return ea_error_set(&e->error, EA_ERR_UNSUPPORTED, "the score program takes "
				    "windows of up to %u tokens", s->cs->prompt_tokens);
	for (uint32_t at = first; at < n && status == EA_OK; at += rows) {
		uint32_t count = n - at < rows ? n - at : rows, end = at + count;

		*s->step = (struct ea_cs_step){ .pos = 0, .n_tokens = end, .score_row = at - 1 };
		memcpy(s->token, tokens, end * sizeof(*tokens));
		status = s->run(s, EA_KJOB_SCORE, 0);
		for (uint32_t i = 0; i < count && status == EA_OK; i++)
			sum += s->nll[i];
	}
	if (status == EA_OK)
		*nll += sum;
	return status;
}

int ea_backend_stream_threads(const struct ea_backend *e)
{
	(void)e;
	return 0;
}

void ea_backend_stream_trace_ops(struct ea_backend_stream *s, uint32_t program, double start_ms,
				 const double *ns, uint32_t n)
{
	uint32_t n_ops;
	const struct ea_cs_op *ops = ea_kjob_program_ops(s->cs, program, &n_ops);
	int32_t *layer;
	uint32_t first = 0;

	if (!s->base.trace || n != n_ops + 1 || !(layer = malloc(n_ops * sizeof(*layer))))
		return;
	ea_cs_layers(ops, n_ops, layer);
	for (uint32_t i = 0; i < n_ops; i++) {
		struct ea_trace_op op = { .layer = layer[i] };

		ea_op_cost(&ops[i], &op.bytes, &op.flops);
		ea_trace_gpu_op(s->base.trace, ea_op_name(ops[i].opcode),
				start_ms + (ns[i] - ns[0]) * 1e-6, (ns[i + 1] - ns[i]) * 1e-6, &op);
		if (layer[i] < 0 || (i + 1 < n_ops && layer[i + 1] == layer[i]))
			continue;	/* the layer's span once its last op is out */
		while (layer[first] != layer[i])
			first++;
		ea_trace_gpu_layer(s->base.trace, layer[i], start_ms + (ns[first] - ns[0]) * 1e-6,
				   (ns[i + 1] - ns[first]) * 1e-6);
	}
	free(layer);
}

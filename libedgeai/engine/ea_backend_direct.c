// SPDX-License-Identifier: MIT
/* ea_backend_direct - the model's command stream on the executor in this process. */
#include <stdlib.h>

#include "ea_clock.h"
#include "ea_cs_build.h"
#include "ea_backend_direct.h"
#include "edgeai_job.h"
#include "ea_backend_stream.h"

struct direct {
	struct ea_backend_stream s;
	struct ea_exec *x;
};

/* A run's ops on the trace's GPU track, when the executor took their
 * timestamps (EDGEAI_PROFILE). */
static void trace_gpu_ops(struct direct *d, uint32_t program, double start_ms)
{
	const struct ea_cs_op *ops;
	uint32_t n = ea_exec_program_ops(d->x, program, &ops) + 1;
	double *ns = malloc(n * sizeof(*ns));

	if (ns && ea_exec_program_times(d->x, program, ns, n))
		ea_backend_stream_trace_ops(&d->s, program, start_ms, ns, n);
	free(ns);
}

static ea_status run(struct ea_backend_stream *s, uint32_t program, uint32_t pos)
{
	struct direct *d = (struct direct *)s;
	double start_ms = ea_now_ms();
	ea_status status = ea_exec_run(d->x, program);

	(void)pos;
	if (status != EA_OK)
		ea_error_set(&s->base.error, status, "%s", ea_exec_error(d->x));
	else if (s->base.trace)
		trace_gpu_ops(d, program, start_ms);
	return status;
}

static bool kv_lost(struct ea_backend *e)
{
	(void)e;
	return false;
}

static void direct_free(struct ea_backend *e)
{
	struct direct *d = (struct direct *)e;

	ea_exec_free(d->x);
	free(d);
}

static const struct ea_backend_ops direct_ops = {
	.name = "Vulkan",
	EA_BACKEND_STREAM_OPS,
	.kv_lost = kv_lost,
	.free = direct_free,
};

ea_status ea_backend_direct_new(const struct ea_model *m, struct ea_vk *vk,
			       struct ea_backend **out, struct ea_error *err)
{
	struct direct *d = calloc(1, sizeof(*d));
	struct ea_cs_header *cs = NULL;
	const struct ea_cs_header *h;
	uint64_t src_bytes;
	const uint8_t *src = ea_cs_tensor_data(m, &src_bytes);
	ea_status status;

	*out = NULL;
	if (!d)
		return ea_error_set(err, EA_ERR_NO_MEMORY, "out of memory for an engine");
	status = ea_cs_build(m, &cs, err);
	if (status == EA_OK)
		status = ea_exec_new(vk, cs, src, src_bytes, &d->x, err);
	free(cs);
	if (status != EA_OK) {
		free(d);
		return status;
	}
	h = ea_exec_stream(d->x);
	d->s.base.ops = &direct_ops;
	d->s.cs = h;
	d->s.step = ea_exec_map(d->x, h->step);
	d->s.token = ea_exec_map(d->x, h->token);
	d->s.logits = ea_exec_map(d->x, h->logits);
	d->s.argmax = ea_exec_map(d->x, h->argmax);
	d->s.nll = h->n_score_ops ? ea_exec_map(d->x, h->nll) : NULL;
	d->s.run = run;
	*out = &d->s.base;
	return EA_OK;
}

struct ea_exec *ea_backend_direct_exec(struct ea_backend *e)
{
	return e->ops == &direct_ops ? ((struct direct *)e)->x : NULL;
}

// SPDX-License-Identifier: MIT
/* ea_cs_validate - a command stream checked before it is trusted (see the header). */
#include <stdio.h>

#include "ea_cs_validate.h"
#include "ea_op_table.h"

static ea_status check_ref(const struct ea_cs_header *h, const struct ea_cs_ref *r,
			   const char *what, uint32_t index, struct ea_error *err)
{
	const struct ea_cs_buffer *bufs = ea_cs_buffers(h);

	if (r->buffer >= h->n_buffers || r->reserved || r->offset % EA_CS_ALIGN ||
	    r->bytes == 0 || r->offset > bufs[r->buffer].bytes ||
	    r->bytes > bufs[r->buffer].bytes - r->offset)
		return ea_error_set(err, EA_ERR_FORMAT, "command stream: %s %u: span of %llu "
				    "bytes at %llu of buffer %u is not inside a buffer at an "
				    "aligned offset", what, index, (unsigned long long)r->bytes,
				    (unsigned long long)r->offset, r->buffer);
	return EA_OK;
}

/* @op as the table describes it: its arguments, its shape and its spans. */
static ea_status check_op(const struct ea_cs_header *h, const struct ea_cs_op *op, uint32_t i,
			  struct ea_error *err)
{
	const struct ea_op_desc *d = ea_op_desc(op->opcode);
	struct ea_op_plan plan = { 0 };
	char why[EA_ERROR_MAX];
	ea_status status;

	if (!d)
		return ea_error_set(err, EA_ERR_FORMAT, "command stream: op %u: unknown opcode %u",
				    i, op->opcode);
	for (int a = d->n_args; a < EA_CS_MAX_ARGS; a++)
		if (op->arg[a])
			return ea_error_set(err, EA_ERR_FORMAT, "command stream: op %u (%s): "
					    "argument %d of %d is not zero", i, d->name, a,
					    d->n_args);
	for (int r = d->n_refs; r < EA_CS_MAX_REFS; r++)
		if (op->ref[r].bytes || op->ref[r].buffer || op->ref[r].offset)
			return ea_error_set(err, EA_ERR_FORMAT, "command stream: op %u (%s): span %d "
					    "of %d is not zero", i, d->name, r, d->n_refs);
	if (!d->typed && op->type)
		return ea_error_set(err, EA_ERR_FORMAT, "command stream: op %u (%s) has a type",
				    i, d->name);
	status = d->plan(op, NULL, &plan, err);
	if (status != EA_OK) {
		snprintf(why, sizeof(why), "%s", err->msg);
		return ea_error_set(err, EA_ERR_FORMAT, "command stream: op %u: %s", i, why);
	}
	for (int r = 0; r < d->n_refs; r++) {
		if ((d->optional >> r & 1) && plan.need[r] == 0 && op->ref[r].bytes == 0)
			continue;
		status = check_ref(h, &op->ref[r], "op", i, err);
		if (status != EA_OK)
			return status;
		if (op->ref[r].bytes < plan.need[r])
			return ea_error_set(err, EA_ERR_FORMAT, "command stream: op %u (%s): %s "
					    "needs %llu bytes, its span has %llu", i, d->name,
					    d->refs[r], (unsigned long long)plan.need[r],
					    (unsigned long long)op->ref[r].bytes);
	}
	return EA_OK;
}

static ea_status check_header(const struct ea_cs_header *h, size_t bytes, struct ea_error *err)
{
	uint64_t want;

	if (bytes < sizeof(*h) || h->magic != EA_CS_MAGIC)
		return ea_error_set(err, EA_ERR_FORMAT, "not a command stream (%zu bytes, no "
				    "magic)", bytes);
	if (h->version != EA_CS_VERSION || h->header_bytes != sizeof(*h))
		return ea_error_set(err, EA_ERR_UNSUPPORTED, "command stream version %u with a "
				    "header of %u bytes; this executor reads version %u (%zu)",
				    h->version, h->header_bytes, EA_CS_VERSION, sizeof(*h));
	want = sizeof(*h) + (uint64_t)h->n_buffers * sizeof(struct ea_cs_buffer) +
	       (uint64_t)h->n_uploads * sizeof(struct ea_cs_upload) +
	       ((uint64_t)h->n_ops + h->n_prompt_ops + h->n_score_ops) * sizeof(struct ea_cs_op);
	if (h->total_bytes != bytes || want != bytes)
		return ea_error_set(err, EA_ERR_FORMAT, "command stream: %llu bytes declared, "
				    "%llu for its records, %zu given",
				    (unsigned long long)h->total_bytes, (unsigned long long)want,
				    bytes);
	return EA_OK;
}

/* The header's spans: the step block in the step buffer, logits and argmax in
 * the output, which the host reads and writes. */
static ea_status check_io(const struct ea_cs_header *h, struct ea_error *err)
{
	const struct ea_cs_buffer *bufs = ea_cs_buffers(h);
	const struct { const struct ea_cs_ref *ref; uint32_t kind; uint64_t bytes; } io[] = {
		{ &h->step, EA_CS_BUF_STEP, sizeof(struct ea_cs_step) },
		{ &h->token, EA_CS_BUF_STEP,
		  (h->prompt_tokens ? h->prompt_tokens : 1) * (uint64_t)sizeof(uint32_t) },
		{ &h->logits, EA_CS_BUF_OUTPUT, (uint64_t)h->n_vocab * sizeof(float) },
		{ &h->argmax, EA_CS_BUF_OUTPUT, sizeof(uint32_t) },
		{ &h->nll, EA_CS_BUF_OUTPUT, (uint64_t)h->score_rows * sizeof(float) },
	};
	uint32_t n_io = sizeof(io) / sizeof(io[0]) - (h->n_score_ops ? 0 : 1);

	for (uint32_t i = 0; i < n_io; i++) {
		ea_status status = check_ref(h, io[i].ref, "header span", i, err);

		if (status != EA_OK)
			return status;
		if (bufs[io[i].ref->buffer].kind != io[i].kind || io[i].ref->bytes < io[i].bytes)
			return ea_error_set(err, EA_ERR_FORMAT, "command stream: header span %u is "
					    "not in a buffer of kind %u or too small", i, io[i].kind);
	}
	return EA_OK;
}

ea_status ea_cs_validate(const void *data, size_t bytes, uint64_t src_bytes,
			 struct ea_error *err)
{
	const struct ea_cs_header *h = data;
	const struct ea_cs_buffer *bufs;
	const struct ea_cs_upload *up;
	const struct ea_cs_op *ops;
	ea_status status = check_header(h, bytes, err);

	if (status != EA_OK)
		return status;
	bufs = ea_cs_buffers(h);
	up = ea_cs_uploads(h);
	ops = ea_cs_ops(h);
	if (h->n_buffers > EA_CS_MAX_BUFFERS)
		return ea_error_set(err, EA_ERR_FORMAT, "command stream: %u buffers, more than %u",
				    h->n_buffers, EA_CS_MAX_BUFFERS);
	for (uint32_t i = 0; i < h->n_buffers; i++)
		if (bufs[i].kind < EA_CS_BUF_WEIGHTS || bufs[i].kind > EA_CS_BUF_OUTPUT ||
		    bufs[i].bytes == 0 || bufs[i].bytes % EA_CS_ALIGN)
			return ea_error_set(err, EA_ERR_FORMAT, "command stream: buffer %u: kind "
					    "%u, %llu bytes", i, bufs[i].kind,
					    (unsigned long long)bufs[i].bytes);
	for (uint32_t i = 0; i < h->n_uploads; i++) {	/* at any byte of a weight buffer */
		if (up[i].buffer >= h->n_buffers || up[i].reserved || up[i].bytes == 0 ||
		    bufs[up[i].buffer].kind != EA_CS_BUF_WEIGHTS ||
		    up[i].offset > bufs[up[i].buffer].bytes ||
		    up[i].bytes > bufs[up[i].buffer].bytes - up[i].offset ||
		    up[i].src_offset > src_bytes || up[i].bytes > src_bytes - up[i].src_offset)
			return ea_error_set(err, EA_ERR_FORMAT, "command stream: upload %u: %llu "
					    "bytes to %llu of buffer %u (a weight buffer) from %llu "
					    "of the model's %llu bytes of tensor data does not fit",
					    i, (unsigned long long)up[i].bytes,
					    (unsigned long long)up[i].offset, up[i].buffer,
					    (unsigned long long)up[i].src_offset,
					    (unsigned long long)src_bytes);
	}
	if (h->n_prompt_ops && !h->prompt_tokens)
		return ea_error_set(err, EA_ERR_FORMAT, "command stream: a prompt program of %u "
				    "ops for 0 tokens", h->n_prompt_ops);
	if (h->n_score_ops && (!h->score_rows || !h->prompt_tokens))
		return ea_error_set(err, EA_ERR_FORMAT, "command stream: a score program of %u "
				    "ops for %u rows of runs of %u tokens", h->n_score_ops,
				    h->score_rows, h->prompt_tokens);
	for (uint32_t i = 0; i < h->n_ops + h->n_prompt_ops + h->n_score_ops; i++) {
		status = check_op(h, &ops[i], i, err);
		if (status != EA_OK)
			return status;
	}
	if (h->n_vocab == 0 || h->n_ctx == 0)
		return ea_error_set(err, EA_ERR_FORMAT, "command stream: %u logits, %u positions",
				    h->n_vocab, h->n_ctx);
	return check_io(h, err);
}

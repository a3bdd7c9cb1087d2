// SPDX-License-Identifier: MIT
/* ea_vk_exec - a command stream recorded once into Vulkan dispatches, replayed per step. */
#include <stdlib.h>
#include <string.h>

#include "ea_vk_exec.h"

struct ea_vk_exec {
	struct ea_vk *vk;
	struct ea_cs_header *cs;	/* our copy, validated */
	struct ea_vk_ops ops;
	struct ea_vk_buffer *buffers;	/* cs->n_buffers, by index */
	struct ea_vk_rec rec;
	struct ea_error error;
};

static float f32_of(uint32_t bits)
{
	float f;

	memcpy(&f, &bits, sizeof(f));
	return f;
}

static struct ea_vk_span span(const struct ea_vk_exec *x, struct ea_cs_ref ref)
{
	return (struct ea_vk_span){ .buf = &x->buffers[ref.buffer], .offset = ref.offset,
				    .size = ref.bytes };
}

static bool host_visible(uint32_t kind)
{
	return kind == EA_CS_BUF_STEP || kind == EA_CS_BUF_OUTPUT;
}

static ea_status create_buffers(struct ea_vk_exec *x)
{
	const struct ea_cs_buffer *bufs = ea_cs_buffers(x->cs);
	VkDeviceSize align = x->vk->limits.minStorageBufferOffsetAlignment;

	if (EA_CS_ALIGN % align)
		return ea_error_set(&x->error, EA_ERR_UNSUPPORTED, "the device aligns storage "
				    "buffer offsets to %llu bytes, which does not divide the "
				    "stream's %u", (unsigned long long)align, EA_CS_ALIGN);
	x->buffers = calloc(x->cs->n_buffers, sizeof(*x->buffers));
	if (!x->buffers)
		return ea_error_set(&x->error, EA_ERR_NO_MEMORY, "out of memory");
	for (uint32_t i = 0; i < x->cs->n_buffers; i++) {
		ea_status status = host_visible(bufs[i].kind) ?
			ea_vk_buffer_create(x->vk, bufs[i].bytes, &x->buffers[i], &x->error) :
			ea_vk_buffer_create_local(x->vk, bufs[i].bytes, &x->buffers[i], &x->error);

		if (status != EA_OK)
			return status;
		if (x->buffers[i].map)
			memset(x->buffers[i].map, 0, bufs[i].bytes);
	}
	return EA_OK;
}

static ea_status upload_weights(struct ea_vk_exec *x, const uint8_t *src)
{
	const struct ea_cs_upload *up = ea_cs_uploads(x->cs);

	for (uint32_t i = 0; i < x->cs->n_uploads; i++) {
		ea_status status = ea_vk_buffer_write(x->vk, &x->buffers[up[i].buffer],
						      up[i].offset, src + up[i].src_offset,
						      up[i].bytes, &x->error);
		if (status != EA_OK)
			return status;
	}
	return EA_OK;
}

/* Record @op with the kernel of the same name. */
static ea_status record_op(struct ea_vk_exec *x, const struct ea_cs_op *op)
{
	struct ea_vk_ops *ops = &x->ops;
	struct ea_vk_rec *rec = &x->rec;
	const uint32_t *a = op->arg;
	struct ea_vk_span r[EA_CS_MAX_REFS];
	struct ea_vk_attention shape;

	for (int i = 0; i < EA_CS_MAX_REFS; i++)
		r[i] = span(x, op->ref[i]);
	switch (op->opcode) {
	case EA_CS_EMBED:
		return ea_vk_op_embed(ops, rec, op->type, r[0], r[1], r[2], a[0], a[1]);
	case EA_CS_MATVEC:
		return ea_vk_op_matvec(ops, rec, op->type, r[0], r[1], r[2], a[0], a[1]);
	case EA_CS_RMSNORM:
		return ea_vk_op_rmsnorm(ops, rec, r[0], r[1], r[2], a[0], a[1], f32_of(a[2]));
	case EA_CS_ROPE:
		return ea_vk_op_rope(ops, rec, r[0], r[1], a[0], a[1], a[2], f32_of(a[3]),
				     (enum ea_rope_mode)a[4]);
	case EA_CS_SWIGLU:
		return ea_vk_op_swiglu(ops, rec, r[0], r[1], r[2], a[0]);
	case EA_CS_ADD:
		return ea_vk_op_add(ops, rec, r[0], r[1], r[2], a[0], a[1]);
	case EA_CS_STORE_ROWS:
		return ea_vk_op_store_rows(ops, rec, r[0], r[1], r[2], a[0], a[1], a[2]);
	case EA_CS_ATTENTION:
		shape = (struct ea_vk_attention){ .n_heads = a[0], .n_kv_heads = a[1],
						  .head_dim = a[2], .n_tokens = a[3],
						  .n_ctx = a[4] };
		return ea_vk_op_attention(ops, rec, &shape, r[0], r[1], r[2], r[3], r[4], r[5]);
	case EA_CS_ARGMAX:
		return ea_vk_op_argmax(ops, rec, r[0], r[1], a[0]);
	}
	return ea_error_set(&x->error, EA_ERR_FORMAT, "command stream: unknown opcode %u",
			    op->opcode);
}

static ea_status record(struct ea_vk_exec *x)
{
	const struct ea_cs_op *ops = ea_cs_ops(x->cs);
	ea_status status = ea_vk_rec_begin(x->vk, &x->rec, &x->error);

	for (uint32_t i = 0; i < x->cs->n_ops && status == EA_OK; i++) {
		status = record_op(x, &ops[i]);
		if (status != EA_OK) {
			char why[EA_ERROR_MAX];

			memcpy(why, x->error.msg, sizeof(why));
			why[sizeof(why) - 1] = '\0';
			return ea_error_set(&x->error, status, "op %u (%s): %s", i,
					    ea_cs_opcode_name(ops[i].opcode), why);
		}
	}
	if (status == EA_OK)
		status = ea_vk_rec_end(&x->rec, &x->error);
	return status;
}

ea_status ea_vk_exec_new(struct ea_vk *vk, const struct ea_cs_header *cs, const void *src,
			 uint64_t src_bytes, struct ea_vk_exec **out, struct ea_error *err)
{
	struct ea_vk_exec *x;
	ea_status status;

	*out = NULL;
	status = ea_cs_validate(cs, cs->total_bytes, src_bytes, err);
	if (status != EA_OK)
		return status;
	x = calloc(1, sizeof(*x));
	if (!x || !(x->cs = malloc(cs->total_bytes))) {
		free(x);
		return ea_error_set(err, EA_ERR_NO_MEMORY, "out of memory for an executor");
	}
	memcpy(x->cs, cs, cs->total_bytes);
	x->vk = vk;
	x->ops.err = &x->error;
	status = ea_vk_ops_init(&x->ops, vk, EA_VK_VARIANT_AUTO, &x->error);
	if (status == EA_OK)
		status = create_buffers(x);
	if (status == EA_OK)
		status = upload_weights(x, src);
	if (status == EA_OK)
		status = record(x);
	if (status != EA_OK) {
		ea_error_set(err, status, "%s", x->error.msg);
		ea_vk_exec_free(x);
		return status;
	}
	*out = x;
	return EA_OK;
}

void ea_vk_exec_free(struct ea_vk_exec *x)
{
	if (!x)
		return;
	ea_vk_rec_destroy(&x->rec);
	for (uint32_t i = 0; x->buffers && i < x->cs->n_buffers; i++)
		if (x->buffers[i].buffer)
			ea_vk_buffer_destroy(x->vk, &x->buffers[i]);
	free(x->buffers);
	free(x->cs);
	free(x);
}

static void *mapped(const struct ea_vk_exec *x, struct ea_cs_ref ref)
{
	return (uint8_t *)x->buffers[ref.buffer].map + ref.offset;
}

ea_status ea_vk_exec_step(struct ea_vk_exec *x, uint32_t token, uint32_t pos)
{
	struct ea_cs_step step = { .pos = pos };

	if (pos >= x->cs->n_ctx)
		return ea_error_set(&x->error, EA_ERR_INVALID_ARGUMENT, "position %u is past "
				    "the context of %u tokens", pos, x->cs->n_ctx);
	if (token >= x->cs->n_vocab)
		return ea_error_set(&x->error, EA_ERR_INVALID_ARGUMENT, "token %u is not in the "
				    "vocabulary of %u", token, x->cs->n_vocab);
	memcpy(mapped(x, x->cs->step), &step, sizeof(step));
	memcpy(mapped(x, x->cs->token), &token, sizeof(token));
	return ea_vk_rec_submit(&x->rec, &x->error);
}

const float *ea_vk_exec_logits(const struct ea_vk_exec *x)
{
	return mapped(x, x->cs->logits);
}

uint32_t ea_vk_exec_argmax(const struct ea_vk_exec *x)
{
	uint32_t id;

	memcpy(&id, mapped(x, x->cs->argmax), sizeof(id));
	return id;
}

const char *ea_vk_exec_error(const struct ea_vk_exec *x)
{
	return x->error.msg;
}

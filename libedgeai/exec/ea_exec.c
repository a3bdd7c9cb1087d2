// SPDX-License-Identifier: MIT
/* ea_exec - a command stream recorded once into Vulkan dispatches, replayed per step. */
#include <stdlib.h>
#include <string.h>

#include "edgeai_job.h"
#include "ea_cs_validate.h"
#include "ea_exec.h"
#include "ea_op_table.h"
#include "ea_quant.h"
#include "ea_trace.h"

struct ea_exec {
	struct ea_vk *vk;
	struct ea_cs_header *cs;	/* our copy, validated */
	struct ea_vk_ops ops;
	struct ea_vk_buffer *buffers;	/* cs->n_buffers, by index */
	struct ea_vk_span *bound;	/* instead, the caller's (ea_exec_new_bound()) */
	struct ea_vk_rec rec;		/* the decode step */
	struct ea_vk_rec prompt_rec;	/* the prompt program, when the stream has one */
	struct ea_vk_rec score_rec;	/* the score program, likewise */
	struct ea_error error;
	bool profile;		/* a timestamp after each op (EDGEAI_PROFILE) */
	bool all_barriers;	/* a barrier before every op (EDGEAI_EXEC_BARRIERS=all) */
};

/*
 * Barriers only where needed: an op waits for the ops since the last barrier
 * when it reads or writes a span one of them wrote, or writes a span one of
 * them read. Independent ops (q, k and v; gate and up) then run together.
 */
#define HAZARD_MAX 32

struct hazard_span {
	uint32_t buffer;
	uint64_t lo, hi;
};

struct hazards {
	struct hazard_span read[HAZARD_MAX], written[HAZARD_MAX];
	uint32_t n_read, n_written;
};

static bool overlaps(const struct hazard_span *set, uint32_t n, struct ea_cs_ref ref)
{
	for (uint32_t i = 0; i < n; i++)
		if (set[i].buffer == ref.buffer && set[i].lo < ref.offset + ref.bytes &&
		    ref.offset < set[i].hi)
			return true;
	return false;
}

/* Whether @op must wait for the ops recorded since the last barrier. */
static bool needs_barrier(const struct hazards *h, const struct ea_cs_op *op)
{
	uint32_t n_read = 0, n_written = 0;

	for (int i = 0; i < EA_CS_MAX_REFS; i++) {
		if (op->ref[i].bytes == 0)
			continue;
		if (overlaps(h->written, h->n_written, op->ref[i]))
			return true;
		if (ea_op_writes(op, i)) {
			if (overlaps(h->read, h->n_read, op->ref[i]))
				return true;
			n_written++;
		}
		n_read++;
	}
	return h->n_read + n_read > HAZARD_MAX || h->n_written + n_written > HAZARD_MAX;
}

static void note_accesses(struct hazards *h, const struct ea_cs_op *op)
{
	for (int i = 0; i < EA_CS_MAX_REFS; i++) {
		struct ea_cs_ref r = op->ref[i];
		struct hazard_span span = { r.buffer, r.offset, r.offset + r.bytes };

		if (r.bytes == 0)
			continue;
		h->read[h->n_read++] = span;
		if (ea_op_writes(op, i))
			h->written[h->n_written++] = span;
	}
}

static struct ea_vk_span span(const struct ea_exec *x, struct ea_cs_ref ref)
{
	if (ref.bytes == 0)	/* an optional span left out */
		return (struct ea_vk_span){ 0 };
	if (x->bound)
		return (struct ea_vk_span){ .buf = x->bound[ref.buffer].buf,
					    .offset = x->bound[ref.buffer].offset + ref.offset,
					    .size = ref.bytes };
	return (struct ea_vk_span){ .buf = &x->buffers[ref.buffer], .offset = ref.offset,
				    .size = ref.bytes };
}

static bool host_visible(uint32_t kind)
{
	return kind == EA_CS_BUF_STEP || kind == EA_CS_BUF_OUTPUT;
}

static ea_status create_buffers(struct ea_exec *x)
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

		if (status != EA_OK)	/* created zeroed */
			return status;
	}
	return EA_OK;
}

/* The caller's buffers, each checked to hold its stream buffer at an aligned offset. */
static ea_status bind_buffers(struct ea_exec *x, const struct ea_vk_span *bound)
{
	const struct ea_cs_buffer *bufs = ea_cs_buffers(x->cs);
	VkDeviceSize align = x->vk->limits.minStorageBufferOffsetAlignment;

	x->bound = calloc(x->cs->n_buffers, sizeof(*x->bound));
	if (!x->bound)
		return ea_error_set(&x->error, EA_ERR_NO_MEMORY, "out of memory");
	for (uint32_t i = 0; i < x->cs->n_buffers; i++) {
		const struct ea_vk_span *b = &bound[i];

		if (!b->buf || b->offset % align || EA_CS_ALIGN % align ||
		    b->offset > b->buf->size || bufs[i].bytes > b->buf->size - b->offset)
			return ea_error_set(&x->error, EA_ERR_INVALID_ARGUMENT, "buffer %u of the "
					    "stream (%llu bytes) does not fit at offset %llu of the "
					    "buffer it is bound to", i,
					    (unsigned long long)bufs[i].bytes,
					    (unsigned long long)b->offset);
		x->bound[i] = *b;
	}
	return EA_OK;
}

static ea_status upload_weights(struct ea_exec *x, const uint8_t *src)
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

/* Record @op: its spans as Vulkan spans, then the table's recorder. */
static ea_status record_op(struct ea_exec *x, struct ea_vk_rec *rec, const struct ea_cs_op *op)
{
	struct ea_vk_span r[EA_CS_MAX_REFS];

	for (int i = 0; i < EA_CS_MAX_REFS; i++)
		r[i] = span(x, op->ref[i]);
	return ea_op_record(&x->ops, rec, op, r);
}

/* Record the @n ops at @ops into @rec, with timestamps when @profile. */
static ea_status record(struct ea_exec *x, struct ea_vk_rec *rec, const struct ea_cs_op *ops,
			uint32_t n, bool profile, const char *program)
{
	ea_status status = ea_vk_rec_begin(x->vk, rec, &x->error);
	struct hazards hazards = { 0 };

	if (status == EA_OK && profile)
		status = ea_vk_rec_timestamps(rec, n + 1, &x->error);
	if (status == EA_OK) {
		rec->manual_barriers = true;
		ea_vk_rec_timestamp(rec);
	}
	for (uint32_t i = 0; i < n && status == EA_OK; i++) {
		if (profile || x->all_barriers || needs_barrier(&hazards, &ops[i])) {
			ea_vk_rec_barrier(rec);
			memset(&hazards, 0, sizeof(hazards));
		}
		note_accesses(&hazards, &ops[i]);
		status = record_op(x, rec, &ops[i]);
		if (profile) {
			ea_vk_rec_barrier(rec);
			ea_vk_rec_timestamp(rec);
		}
		if (status != EA_OK) {
			struct ea_error why = x->error;

			return ea_error_set(&x->error, status, "%s op %u (%s): %s", program, i,
					    ea_op_name(ops[i].opcode), why.msg);
		}
	}
	if (status == EA_OK)
		status = ea_vk_rec_end(rec, &x->error);
	return status;
}

/* A program's recording and ops; NULL for a program the stream lacks. */
static struct ea_vk_rec *program_of(struct ea_exec *x, uint32_t program,
				    const struct ea_cs_op **ops, uint32_t *n_ops)
{
	*ops = ea_kjob_program_ops(x->cs, program, n_ops);
	if (!*n_ops && program != EA_KJOB_DECODE)
		return NULL;
	return program == EA_KJOB_DECODE ? &x->rec :
	       program == EA_KJOB_PROMPT ? &x->prompt_rec :
	       program == EA_KJOB_SCORE ? &x->score_rec : NULL;
}

/* Record every program the stream has, with timestamps when x->profile. */
static ea_status record_all(struct ea_exec *x)
{
	static const struct { uint32_t program; const char *name; } programs[] = {
		{ EA_KJOB_DECODE, "decode" }, { EA_KJOB_PROMPT, "prompt" },
		{ EA_KJOB_SCORE, "score" },
	};
	ea_status status = EA_OK;

	for (size_t i = 0; i < sizeof(programs) / sizeof(programs[0]) && status == EA_OK; i++) {
		const struct ea_cs_op *ops;
		uint32_t n;
		struct ea_vk_rec *rec = program_of(x, programs[i].program, &ops, &n);

		if (rec)
			status = record(x, rec, ops, n, x->profile, programs[i].name);
	}
	return status;
}

/* Buffers: ours, created and uploaded from @src, or the caller's @bound. */
static ea_status exec_new(struct ea_vk *vk, const struct ea_cs_header *cs, const void *src,
			  uint64_t src_bytes, const struct ea_vk_span *bound,
			  struct ea_exec **out, struct ea_error *err)
{
	struct ea_exec *x;
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
	x->profile = ea_profile_wanted() && vk->timestamps;
	x->all_barriers = getenv("EDGEAI_EXEC_BARRIERS") &&
			  strcmp(getenv("EDGEAI_EXEC_BARRIERS"), "all") == 0;
	status = ea_vk_ops_init(&x->ops, vk, EA_VK_VARIANT_AUTO, &x->error);
	if (status == EA_OK && bound)
		status = bind_buffers(x, bound);
	if (status == EA_OK && !bound)
		status = create_buffers(x);
	if (status == EA_OK && !bound)
		status = upload_weights(x, src);
	if (status == EA_OK)
		status = record_all(x);
	if (status != EA_OK) {
		*err = x->error;
		ea_exec_free(x);
		return status;
	}
	*out = x;
	return EA_OK;
}

ea_status ea_exec_new(struct ea_vk *vk, const struct ea_cs_header *cs, const void *src,
			 uint64_t src_bytes, struct ea_exec **out, struct ea_error *err)
{
	return exec_new(vk, cs, src, src_bytes, NULL, out, err);
}

ea_status ea_exec_new_bound(struct ea_vk *vk, const struct ea_cs_header *cs,
			       const struct ea_vk_span *bound, struct ea_exec **out,
			       struct ea_error *err)
{
	return exec_new(vk, cs, NULL, UINT64_MAX, bound, out, err);
}

ea_status ea_exec_run(struct ea_exec *x, uint32_t program)
{
	const struct ea_cs_op *ops;
	uint32_t n;
	struct ea_vk_rec *rec = program_of(x, program, &ops, &n);

	if (!rec)
		return ea_error_set(&x->error, EA_ERR_INVALID_ARGUMENT, "the stream has no "
				    "program %u", program);
	if (!rec->cmd)
		return ea_error_set(&x->error, EA_ERR_VULKAN, "program %u is not recorded (a "
				    "failed ea_exec_set_profile())", program);
	return ea_vk_rec_submit(rec, &x->error);
}

static void destroy_recordings(struct ea_exec *x)
{
	ea_vk_rec_destroy(&x->rec);
	ea_vk_rec_destroy(&x->prompt_rec);
	ea_vk_rec_destroy(&x->score_rec);
}

ea_status ea_exec_set_profile(struct ea_exec *x, bool on)
{
	ea_status status;

	on = on && x->vk->timestamps;	/* a queue without them: no profile */
	if (x->profile == on)
		return EA_OK;
	destroy_recordings(x);
	x->profile = on;
	status = record_all(x);
	if (status != EA_OK)	/* nothing half recorded is left to run */
		destroy_recordings(x);
	return status;
}

void ea_exec_free(struct ea_exec *x)
{
	if (!x)
		return;
	destroy_recordings(x);
	for (uint32_t i = 0; x->buffers && i < x->cs->n_buffers; i++)
		if (x->buffers[i].buffer)
			ea_vk_buffer_destroy(x->vk, &x->buffers[i]);
	free(x->buffers);
	free(x->bound);
	free(x->cs);
	free(x);
}

void *ea_exec_map(const struct ea_exec *x, struct ea_cs_ref ref)
{
	if (x->bound)
		return (uint8_t *)x->bound[ref.buffer].buf->map + x->bound[ref.buffer].offset +
		       ref.offset;
	return (uint8_t *)x->buffers[ref.buffer].map + ref.offset;
}

const struct ea_cs_header *ea_exec_stream(const struct ea_exec *x)
{
	return x->cs;
}

bool ea_exec_int8_matvec(const struct ea_exec *x)
{
	return x->ops.int8_dot;
}

const char *ea_exec_prompt_kernels(const struct ea_exec *x)
{
	return x->ops.cpu_shape ? "matmul_cpu" : x->ops.coopmat ? "matmul_cm" : "matmul";
}

const char *ea_exec_error(const struct ea_exec *x)
{
	return x->error.msg;
}

void ea_exec_traffic(const struct ea_exec *x, uint64_t *weight_bytes,
			uint64_t *kv_bytes_per_pos)
{
	const struct ea_cs_op *ops = ea_cs_ops(x->cs);

	*weight_bytes = 0;
	*kv_bytes_per_pos = 0;
	for (uint32_t i = 0; i < x->cs->n_ops; i++) {
		const struct ea_cs_op *op = &ops[i];

		if (op->opcode == EA_CS_MATVEC)	/* gate and up: twice the rows */
			*weight_bytes += (op->arg[2] & EA_CS_MV_SWIGLU ? 2ull : 1ull) * op->arg[0] *
					 ea_type_row_bytes(op->type, op->arg[1]);
		else if (op->opcode == EA_CS_EMBED)
			*weight_bytes += ea_type_row_bytes(op->type, op->arg[0]);
		else if (op->opcode == EA_CS_ATTENTION)	/* keys and values, fp32 */
			*kv_bytes_per_pos += 2ull * op->arg[1] * op->arg[2] * sizeof(float);
	}
}

/* Each op's time in the last run of @rec (the @n ops at @ops), by opcode and
 * by the matrix type of matvecs and matmuls. */
static bool profile_of(struct ea_exec *x, struct ea_vk_rec *rec, const struct ea_cs_op *ops,
		       uint32_t n_ops, double *us, uint32_t n_opcodes, double *matrix_us,
		       uint32_t n_types)
{
	uint32_t n = n_ops + 1;
	double *ns;

	if (!x->profile || !(ns = malloc(n * sizeof(*ns))))
		return false;
	if (ea_vk_rec_read_timestamps(rec, ns, n, &x->error) != EA_OK) {
		free(ns);
		return false;
	}
	for (uint32_t i = 0; i < n_ops; i++) {
		double t = (ns[i + 1] - ns[i]) * 1e-3;

		if (ops[i].opcode < n_opcodes)
			us[ops[i].opcode] += t;
		if ((ops[i].opcode == EA_CS_MATVEC || ops[i].opcode == EA_CS_MATMUL) &&
		    ops[i].type < n_types)
			matrix_us[ops[i].type] += t;
	}
	free(ns);
	return true;
}

bool ea_exec_profile(struct ea_exec *x, double *us, uint32_t n_opcodes,
			double *matvec_us, uint32_t n_types)
{
	return profile_of(x, &x->rec, ea_cs_ops(x->cs), x->cs->n_ops, us, n_opcodes, matvec_us,
			  n_types);
}

uint32_t ea_exec_program_ops(struct ea_exec *x, uint32_t program, const struct ea_cs_op **ops)
{
	uint32_t n;

	program_of(x, program, ops, &n);
	return n;
}

bool ea_exec_program_times(struct ea_exec *x, uint32_t program, double *ns, uint32_t n)
{
	const struct ea_cs_op *ops;
	uint32_t n_ops;
	struct ea_vk_rec *rec = program_of(x, program, &ops, &n_ops);

	return x->profile && rec && n == n_ops + 1 &&
	       ea_vk_rec_read_timestamps(rec, ns, n, &x->error) == EA_OK;
}

void ea_exec_profile_bytes(const struct ea_exec *x, double *bytes, uint32_t n_opcodes,
			   double *matvec_bytes, uint32_t n_types)
{
	const struct ea_cs_op *ops = ea_cs_ops(x->cs);

	for (uint32_t i = 0; i < x->cs->n_ops; i++) {
		double b, flops;

		ea_op_cost(&ops[i], &b, &flops);
		if (ops[i].opcode < n_opcodes)
			bytes[ops[i].opcode] += b;
		if (ops[i].opcode == EA_CS_MATVEC && ops[i].type < n_types)
			matvec_bytes[ops[i].type] += b;
	}
}

bool ea_exec_profile_prompt(struct ea_exec *x, double *us, uint32_t n_opcodes,
			       double *matmul_us, uint32_t n_types)
{
	return x->cs->n_prompt_ops &&
	       profile_of(x, &x->prompt_rec, ea_cs_prompt_ops(x->cs), x->cs->n_prompt_ops, us,
			  n_opcodes, matmul_us, n_types);
}

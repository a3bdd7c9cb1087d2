/* SPDX-License-Identifier: MIT */
/*
 * ea_op_table - the one description of each command-stream op
 * (edgeai_cmdstream.h's enum ea_cs_opcode): its name, the spans it binds and
 * which of them it writes, its arguments, its kernel and that kernel's
 * variants, push constants (shaders/ea_kernels.h) and dispatch shape.
 *
 * Everything that handles ops reads this table: the stream builder
 * (engine/ea_cs_build.c) checks each op it emits against it, the validator
 * (ea_cs_validate.c) checks every span and shape, the executor's hazard
 * tracker (ea_exec.c) asks which spans an op writes, and the recorder
 * (ea_op_record()) turns an op into its dispatches. Adding an op means an
 * entry here, its shader and its test.
 */
#ifndef EA_OP_TABLE_H
#define EA_OP_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "edgeai_cmdstream.h"
#include "ea_error.h"
#include "ea_op_dispatch.h"

struct ea_op_desc {
	const char *name;		/* also the kernel's base name */
	uint8_t n_refs;			/* spans it binds: ref[0 .. n_refs) */
	uint8_t optional;		/* bit i: ref i may be left out (all zero) */
	uint8_t writes;			/* bit i: the op writes ref i */
	uint8_t n_args;			/* arg[0 .. n_args); the rest must be zero */
	uint8_t variants;		/* EA_OP_* */
	bool typed;			/* op->type names the weights' type */
	uint16_t push_bytes;		/* sizeof its struct ea_push_* */
	const char *const refs[EA_CS_MAX_REFS];	/* what each span is, for messages */
	/* Check @op's arguments and fill @plan; EA_ERR_INVALID_ARGUMENT with
	 * why in @err (naming the op) when they do not make a valid shape. */
	ea_status (*plan)(const struct ea_cs_op *op, const struct ea_vk_ops *ops,
			  struct ea_op_plan *plan, struct ea_error *err);
	/* Ops of more than one dispatch record themselves; NULL: one dispatch
	 * of the kernel as planned, binding the spans in order. */
	ea_status (*record)(struct ea_vk_ops *ops, struct ea_vk_rec *rec,
			    const struct ea_cs_op *op, const struct ea_vk_span *span,
			    const struct ea_op_plan *plan);
};

/* The entry of @opcode, or NULL for one the table does not know. */
const struct ea_op_desc *ea_op_desc(uint32_t opcode);

/* The name of an opcode ("matvec"), or "?" for an unknown one. */
const char *ea_op_name(uint32_t opcode);

/* Whether @op writes its ref @i. */
bool ea_op_writes(const struct ea_cs_op *op, int i);

/*
 * What @op costs, for profiles: *@bytes, the bytes of the spans it binds
 * (weights, inputs, outputs), 0 for the ops that bind a whole table and
 * touch a part of it (the embedding: one row; the rope/KV store: one
 * position; attention: the filled positions), which a stream does not say;
 * *@flops, the multiply-adds of a matrix op (MATVEC, MATMUL) counted as two,
 * 0 for the others (a few per value they touch).
 */
void ea_op_cost(const struct ea_cs_op *op, double *bytes, double *flops);

/*
 * Check @op's opcode, arguments and the sizes of the spans of @span (its
 * ref[] as Vulkan spans; optional ones may be { 0 }) against the table,
 * then record its dispatches into @rec with the kernels @ops chose. Errors:
 * EA_ERR_INVALID_ARGUMENT (a shape, a span too small or missing, a dispatch
 * past the device's limits) or the kernel's, each described in ops->err.
 */
ea_status ea_op_record(struct ea_vk_ops *ops, struct ea_vk_rec *rec, const struct ea_cs_op *op,
		       const struct ea_vk_span *span);

/* An op with @n_args arguments @args and @type: the arguments as given,
 * unused ones zero. For building ops by hand (tests). */
struct ea_cs_op ea_op_make(uint32_t opcode, uint32_t type, const uint32_t *args, int n_args);

/* Bytes of the int8 x of a matvec of @cols columns (the xq span). */
uint64_t ea_op_matvec_xq_bytes(uint32_t cols);

/* Bytes of attention's partial results for @n_tokens queries of @n_heads
 * heads of @head_dim over a context of @n_ctx (flash-decoding splits of
 * EA_ATTENTION_SPLIT positions). */
uint64_t ea_op_attention_partial_bytes(uint32_t n_tokens, uint32_t n_heads, uint32_t head_dim,
				       uint32_t n_ctx);

/*
 * Part of an int8 matvec, recorded by MATVEC itself where the device has
 * int8 dot products; apart for its test: x (cols values, a multiple of 32;
 * with EA_MV_NORM RMS-normalized with @norm and @eps first) quantized to
 * int8 per block of 32 into @xq (ea_op_matvec_xq_bytes(cols) bytes) in the
 * layout the int8 matvec of @type (Q4_0 or Q8_0) reads.
 */
ea_status ea_op_quantize_x(struct ea_vk_ops *ops, struct ea_vk_rec *rec, uint32_t type,
			   struct ea_vk_span x, struct ea_vk_span norm, struct ea_vk_span xq,
			   uint32_t cols, uint32_t flags, float eps);

#endif /* EA_OP_TABLE_H */

/* SPDX-License-Identifier: MIT */
/*
 * ea_cs_build - a model's decode step, prompt program and score program as
 * one command stream (uapi/edgeai_cmdstream.h, whose comments say what the
 * programs compute), every op as the op table (ea_op_table.h) describes it.
 * The engines (ea_engine_direct.c, ea_engine_kmod.c) hand the stream to the
 * executor, in this process or through the module.
 */
#ifndef EA_CS_BUILD_H
#define EA_CS_BUILD_H

#include "edgeai_cmdstream.h"
#include "ea_error.h"
#include "ea_model.h"

/* Tokens a prompt run takes at most, when the model's context allows. */
#define EA_CS_PROMPT_TOKENS 512u

/*
 * The decode step of @m (one token at the position in the step block), its
 * prompt program (min(EA_CS_PROMPT_TOKENS, n_ctx) tokens a run) and its score
 * program (half as many rows, the second half of a window) as a stream
 * in one malloc'd block (free() it). Fails with EA_ERR_NO_MEMORY, or
 * EA_ERR_UNSUPPORTED when a size does not fit the stream's 32-bit fields or
 * a layer's fused matrices (q, k and v; gate and up) differ in type.
 */
ea_status ea_cs_build(const struct ea_model *m, struct ea_cs_header **out, struct ea_error *err);

/* The model file's tensor data section, which a stream's uploads read
 * (*@bytes of it). */
const uint8_t *ea_cs_tensor_data(const struct ea_model *m, uint64_t *bytes);

#endif /* EA_CS_BUILD_H */

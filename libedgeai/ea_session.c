// SPDX-License-Identifier: MIT
/* ea_session - one interface over the Vulkan executor and the CPU reference. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ea_cmdstream.h"
#include "ea_ref_forward.h"
#include "ea_session.h"
#include "ea_vk_exec.h"

/* Prompt tokens per step of the CPU reference: enough to share each weight row. */
#define CPU_BATCH 64

struct ea_session {
	const struct ea_model *model;
	struct ea_vk_exec *exec;	/* Vulkan, or NULL */
	struct ea_ref_state *ref;	/* the CPU reference, or NULL */
	struct ea_error error;
};

/* The model file's tensor data section, which the stream's uploads read. */
static const uint8_t *tensor_data(const struct ea_gguf *g, uint64_t *bytes)
{
	const struct ea_gguf_tensor *t0 = ea_gguf_tensor_at(g, 0);

	*bytes = ea_gguf_file_size(g) - ea_gguf_data_offset(g);
	return (const uint8_t *)t0->data - t0->offset;
}

static ea_status vk_session(struct ea_session *s, struct ea_vk *vk)
{
	struct ea_cs_header *cs;
	uint64_t src_bytes;
	const uint8_t *src = tensor_data(s->model->gguf, &src_bytes);
	ea_status status = ea_cs_build(s->model, &cs, &s->error);

	if (status != EA_OK)
		return status;
	status = ea_vk_exec_new(vk, cs, src, src_bytes, &s->exec, &s->error);
	free(cs);
	return status;
}

ea_status ea_session_new(const struct ea_model *m, struct ea_vk *vk, struct ea_session **out,
			 char *err, size_t errsz)
{
	struct ea_session *s = calloc(1, sizeof(*s));
	ea_status status;

	*out = NULL;
	if (!s) {
		snprintf(err, errsz, "out of memory for a session");
		return EA_ERR_NO_MEMORY;
	}
	s->model = m;
	if (vk)
		status = vk_session(s, vk);
	else
		status = ea_ref_state_new(m, CPU_BATCH, &s->ref, s->error.msg,
					  sizeof(s->error.msg));
	if (status != EA_OK) {
		snprintf(err, errsz, "%s", s->error.msg);
		ea_session_free(s);
		return status;
	}
	*out = s;
	return EA_OK;
}

void ea_session_free(struct ea_session *s)
{
	if (!s)
		return;
	ea_vk_exec_free(s->exec);
	ea_ref_state_free(s->ref);
	free(s);
}

static ea_status check_tokens(struct ea_session *s, const int32_t *tokens, int n, int pos0)
{
	const struct ea_model_config *c = &s->model->cfg;

	if (n < 1 || pos0 < 0)
		return ea_error_set(&s->error, EA_ERR_INVALID_ARGUMENT, "%d tokens at position "
				    "%d: not a valid step", n, pos0);
	if (pos0 > c->n_ctx - n)
		return ea_error_set(&s->error, EA_ERR_INVALID_ARGUMENT, "positions %d .. %d pass "
				    "the model's context of %d tokens", pos0, pos0 + n - 1,
				    c->n_ctx);
	for (int t = 0; t < n; t++)
		if (tokens[t] < 0 || tokens[t] >= c->n_vocab)
			return ea_error_set(&s->error, EA_ERR_INVALID_ARGUMENT, "token %d is not "
					    "in the vocabulary of %d", (int)tokens[t], c->n_vocab);
	return EA_OK;
}

ea_status ea_session_eval(struct ea_session *s, const int32_t *tokens, int n, int pos0,
			  float *logits)
{
	ea_status status = check_tokens(s, tokens, n, pos0);

	if (status != EA_OK)
		return status;
	if (s->ref) {
		status = ea_ref_forward_batch(s->model, s->ref, tokens, n, pos0, logits, 1);
		if (status != EA_OK)
			s->error = s->ref->error;
		return status;
	}
	for (int t = 0; t < n && status == EA_OK; t++)
		status = ea_vk_exec_step(s->exec, (uint32_t)tokens[t], (uint32_t)(pos0 + t));
	if (status != EA_OK)
		return ea_error_set(&s->error, status, "%s", ea_vk_exec_error(s->exec));
	memcpy(logits, ea_vk_exec_logits(s->exec), (size_t)s->model->cfg.n_vocab * sizeof(float));
	return EA_OK;
}

const char *ea_session_engine(const struct ea_session *s)
{
	return s->exec ? "Vulkan" : "CPU reference";
}

const char *ea_session_error(const struct ea_session *s)
{
	return s->error.msg;
}

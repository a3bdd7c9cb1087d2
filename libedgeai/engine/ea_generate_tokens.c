// SPDX-License-Identifier: MIT
/* ea_generate_tokens - the public tokenizer calls on an open model. */
#include <stdlib.h>
#include <string.h>

#include "ea_model.h"
#include "ea_tokenizer.h"

static unsigned encode_flags(const struct ea_model *model, unsigned flags)
{
	unsigned out = 0;

	if (flags & EA_TEXT_SPECIAL)
		out |= EA_TOKENIZE_SPECIAL;
	if (!(flags & EA_TEXT_NO_BOS) && ea_tokenizer_adds_bos(model->tokenizer))
		out |= EA_TOKENIZE_ADD_BOS;
	return out;
}

ea_status ea_tokenize(const struct ea_model *model, const char *text, size_t len,
		      unsigned flags, int32_t *tokens, size_t capacity, size_t *n_tokens)
{
	int32_t *ids;
	size_t n;
	ea_status status;

	if (!model || !model->tokenizer || (!text && len) || (!tokens && capacity) || !n_tokens)
		return EA_ERR_INVALID_ARGUMENT;
	status = ea_tokenizer_encode(model->tokenizer, text ? text : "", len,
				     encode_flags(model, flags), &ids, &n);
	if (status != EA_OK)
		return status;
	if (capacity)
		memcpy(tokens, ids, (n < capacity ? n : capacity) * sizeof(*ids));
	*n_tokens = n;
	free(ids);
	return EA_OK;
}

ea_status ea_detokenize(const struct ea_model *model, const int32_t *tokens, size_t n,
			unsigned flags, char *text, size_t capacity, size_t *len)
{
	uint32_t n_vocab;
	char *all;
	size_t n_all;
	ea_status status;

	if (!model || !model->tokenizer || (!tokens && n) || (!text && capacity) || !len)
		return EA_ERR_INVALID_ARGUMENT;
	n_vocab = ea_tokenizer_n_vocab(model->tokenizer);
	for (size_t i = 0; i < n; i++)
		if (tokens[i] < 0 || (uint32_t)tokens[i] >= n_vocab)
			return EA_ERR_INVALID_ARGUMENT;
	status = ea_tokenizer_detokenize(model->tokenizer, tokens, n,
					 flags & EA_TEXT_SPECIAL ? EA_DETOKENIZE_SPECIAL : 0,
					 &all, &n_all);
	if (status != EA_OK)
		return status;
	if (capacity) {
		size_t copy = n_all < capacity - 1 ? n_all : capacity - 1;

		memcpy(text, all, copy);
		text[copy] = '\0';
	}
	*len = n_all;
	free(all);
	return EA_OK;
}

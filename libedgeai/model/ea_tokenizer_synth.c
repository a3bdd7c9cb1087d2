// SPDX-License-Identifier: MIT
/* ea_tokenizer_synth - a deterministic SentencePiece-style vocab of any size. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ea_error.h"
#include "ea_tokenizer_synth.h"

#define SPM_SPACE "\xe2\x96\x81"
#define PIECE_MAX 16		/* "▁" and up to 12 letters */
#define TYPE_NORMAL 1
#define TYPE_UNKNOWN 2
#define TYPE_CONTROL 3
#define TYPE_BYTE 6

struct vocab {
	char *text;		/* n pieces of PIECE_MAX bytes */
	const char **tokens;
	float *scores;
	int32_t *types;
	uint32_t n, cap;
};

static void add(struct vocab *v, const char *piece, int32_t type)
{
	char *slot;

	if (v->n == v->cap)
		return;
	slot = v->text + (size_t)v->n * PIECE_MAX;
	snprintf(slot, PIECE_MAX, "%s", piece);
	v->tokens[v->n] = slot;
	v->types[v->n] = type;
	v->scores[v->n] = type == TYPE_NORMAL ? -(float)v->n : 0.0f;
	v->n++;
}

/* Every lowercase word of @len letters, with or without "▁" in front. */
static void add_words(struct vocab *v, int len, bool space)
{
	char word[PIECE_MAX];
	int digits[8] = { 0 };

	while (v->n < v->cap) {
		size_t at = 0;
		int i;

		if (space) {
			memcpy(word, SPM_SPACE, 3);
			at = 3;
		}
		for (i = 0; i < len; i++)
			word[at++] = (char)('a' + digits[i]);
		word[at] = '\0';
		add(v, word, TYPE_NORMAL);
		for (i = len - 1; i >= 0 && ++digits[i] == 26; i--)
			digits[i] = 0;
		if (i < 0)
			return;
	}
}

static void fill(struct vocab *v)
{
	char piece[PIECE_MAX];

	add(v, "<unk>", TYPE_UNKNOWN);
	add(v, "<s>", TYPE_CONTROL);
	add(v, "</s>", TYPE_CONTROL);
	for (int b = 0; b < 256; b++) {
		snprintf(piece, sizeof(piece), "<0x%02X>", b);
		add(v, piece, TYPE_BYTE);
	}
	add(v, SPM_SPACE, TYPE_NORMAL);
	for (int c = 33; c < 127; c++) {
		piece[0] = (char)c;
		piece[1] = '\0';
		add(v, piece, TYPE_NORMAL);
	}
	for (int c = 0; c < 52; c++) {
		snprintf(piece, sizeof(piece), SPM_SPACE "%c", c < 26 ? 'a' + c : 'A' + c - 26);
		add(v, piece, TYPE_NORMAL);
	}
	for (int len = 2; len <= 12 && v->n < v->cap; len++) {
		add_words(v, len, false);
		add_words(v, len, true);
	}
}

ea_status ea_tokenizer_synth_write(struct ea_gguf_writer *w, uint32_t n_vocab)
{
	struct vocab v = { .cap = n_vocab };
	ea_status status = EA_ERR_NO_MEMORY;

	if (n_vocab < EA_SYNTH_VOCAB_MIN || n_vocab > (1u << 24))
		return EA_ERR_INVALID_ARGUMENT;
	v.text = malloc((size_t)n_vocab * PIECE_MAX);
	v.tokens = malloc(n_vocab * sizeof(*v.tokens));
	v.scores = malloc(n_vocab * sizeof(*v.scores));
	v.types = malloc(n_vocab * sizeof(*v.types));
	if (v.text && v.tokens && v.scores && v.types) {
		fill(&v);
		status = ea_gguf_writer_str(w, "tokenizer.ggml.model", "llama");
		if (status == EA_OK)
			status = ea_gguf_writer_arr_str(w, "tokenizer.ggml.tokens", v.tokens, NULL, v.n);
		if (status == EA_OK)
			status = ea_gguf_writer_arr_f32(w, "tokenizer.ggml.scores", v.scores, v.n);
		if (status == EA_OK)
			status = ea_gguf_writer_arr_i32(w, "tokenizer.ggml.token_type", v.types, v.n);
		if (status == EA_OK)
			status = ea_gguf_writer_u32(w, "tokenizer.ggml.bos_token_id", 1);
		if (status == EA_OK)
			status = ea_gguf_writer_u32(w, "tokenizer.ggml.eos_token_id", 2);
		if (status == EA_OK)
			status = ea_gguf_writer_u32(w, "tokenizer.ggml.unknown_token_id", 0);
		if (status == EA_OK)
			status = ea_gguf_writer_bool(w, "tokenizer.ggml.add_bos_token", true);
	}
	free(v.text);
	free(v.tokens);
	free(v.scores);
	free(v.types);
	return status;
}

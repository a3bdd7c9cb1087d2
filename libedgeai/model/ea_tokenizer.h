/* SPDX-License-Identifier: MIT */
/*
 * ea_tokenizer - text to token ids and back, from a GGUF file's metadata
 * (tokenizer.ggml.*):
 *  - "gpt2": GPT-2 byte-level BPE. Text is split by GPT-2's pre-tokenizer
 *    pattern ('s 't 're 've 'm 'll 'd, ` ?letters`, ` ?digits`, ` ?other`,
 *    whitespace), each piece's bytes are mapped to GPT-2's printable
 *    byte alphabet and merged by the ranks of tokenizer.ggml.merges.
 *  - "llama": SentencePiece-style BPE by tokenizer.ggml.scores: spaces become
 *    U+2581 "▁", a "▁" is put in front of the text, pieces merge highest score
 *    first, and bytes with no token fall back to the <0xXX> byte tokens.
 * Control tokens (tokenizer.ggml.token_type 3), e.g. "<|endoftext|>", are
 * matched in the text as whole units when EA_TOKENIZE_SPECIAL is given, and
 * are otherwise encoded as plain text.
 *
 * Thread safety: a loaded tokenizer is read-only; threads may share it.
 */
#ifndef EA_TOKENIZER_H
#define EA_TOKENIZER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ea_error.h"
#include "ea_gguf.h"
#include "edgeai.h"

enum ea_tokenizer_model {
	EA_TOKENIZER_GPT2 = 1,
	EA_TOKENIZER_LLAMA = 2,
};

/* Flags of ea_tokenizer_encode(). */
#define EA_TOKENIZE_ADD_BOS 1u	/* put the BOS token first (if the vocab has one) */
#define EA_TOKENIZE_SPECIAL 2u	/* match control tokens' text as those tokens */

/* Flags of ea_tokenizer_detokenize(). */
#define EA_DETOKENIZE_SPECIAL 1u /* render control tokens as their text (else nothing) */

struct ea_tokenizer;

/* Build the tokenizer of @g. The tokenizer copies what it needs: @g may be
 * closed afterwards. Errors: EA_ERR_NOT_FOUND (no tokenizer.ggml.model or
 * tokens), EA_ERR_UNSUPPORTED (another model), EA_ERR_FORMAT (inconsistent
 * arrays, a bad merge, ids out of range), with a message in @err. */
ea_status ea_tokenizer_load(const struct ea_gguf *g, struct ea_tokenizer **out,
				   struct ea_error *err);
void ea_tokenizer_free(struct ea_tokenizer *tok);

enum ea_tokenizer_model ea_tokenizer_model(const struct ea_tokenizer *tok);
uint32_t ea_tokenizer_n_vocab(const struct ea_tokenizer *tok);
/* The BOS/EOS token ids, -1 when the vocab has none. */
int32_t ea_tokenizer_bos(const struct ea_tokenizer *tok);
int32_t ea_tokenizer_eos(const struct ea_tokenizer *tok);
/* tokenizer.ggml.add_bos_token (default: true for llama, false for gpt2). */
bool ea_tokenizer_adds_bos(const struct ea_tokenizer *tok);
/* Whether @id is a control token (token_type 3). */
bool ea_tokenizer_is_control(const struct ea_tokenizer *tok, int32_t id);

/*
 * Encode @len bytes of @text (any bytes; invalid UTF-8 is encoded bytewise).
 * On success *@ids is a malloc'd array of *@n_ids ids (free() it; NULL when
 * there are none). EA_ERR_NO_MEMORY is the only failure for valid arguments.
 */
ea_status ea_tokenizer_encode(const struct ea_tokenizer *tok, const char *text,
				     size_t len, unsigned flags, int32_t **ids, size_t *n_ids);

/*
 * The bytes token @id stands for: *@bytes points to *@len bytes owned by the
 * tokenizer (not NUL-terminated). They may be part of a UTF-8 sequence that the
 * next tokens complete: concatenate pieces before printing. For "llama" a
 * piece's "▁" is a space (so the first word comes out with the space the encoder
 * put in front); control tokens give their text. EA_ERR_INVALID_ARGUMENT when
 * @id is out of range.
 */
ea_status ea_tokenizer_decode(const struct ea_tokenizer *tok, int32_t id,
				     const char **bytes, size_t *len);

/*
 * The text of @n ids, as the inverse of ea_tokenizer_encode(): control tokens
 * left out unless EA_DETOKENIZE_SPECIAL, and for "llama" the space the encoder
 * put in front of the text removed. *@text is malloc'd and NUL-terminated,
 * *@len its length.
 */
ea_status ea_tokenizer_detokenize(const struct ea_tokenizer *tok, const int32_t *ids,
					 size_t n, unsigned flags, char **text, size_t *len);

#endif /* EA_TOKENIZER_H */

/* SPDX-License-Identifier: MIT */
/*
 * ea_tokenizer_synth - a deterministic SentencePiece-style ("llama") vocab for
 * synthesized models and tests, so they need no downloaded tokenizer.
 *
 * Ids: 0 <unk> (unknown), 1 <s> (BOS, control), 2 </s> (EOS, control),
 * 3..258 the byte tokens <0x00>..<0xFF>, then "▁", the printable ASCII
 * characters, "▁" + each letter, and lowercase letter pairs, "▁" + pairs,
 * triples, "▁" + triples, ... until the vocab is full. Each normal piece
 * scores -id, so shorter, earlier pieces merge first. Any text encodes (bytes
 * without a piece fall back to byte tokens) and decodes back exactly.
 */
#ifndef EA_TOKENIZER_SYNTH_H
#define EA_TOKENIZER_SYNTH_H

#include <stdint.h>

#include "ea_gguf_write.h"
#include "edgeai.h"

#define EA_SYNTH_VOCAB_MIN 260	/* specials, 256 bytes and "▁" */

/* Add the tokenizer.ggml.* keys of a vocab of @n_vocab tokens to @w:
 * model "llama", tokens, scores, token_type, bos/eos/unknown ids, add_bos_token. */
ea_status ea_tokenizer_synth_write(struct ea_gguf_writer *w, uint32_t n_vocab);

#endif /* EA_TOKENIZER_SYNTH_H */

// SPDX-License-Identifier: MIT
/*
 * libFuzzer target of the GGUF reader: open the input from memory, then touch
 * everything a successful open promises is valid — every key, string and
 * (nested) array, every tensor's data (dequantizing its first row) — and
 * build the tokenizer when the metadata has one, encoding and decoding a text.
 */
#include <stdlib.h>
#include <string.h>

#include "ea_gguf.h"
#include "ea_tokenizer.h"

static volatile uint64_t sink;

static void walk_array(const struct ea_gguf_array *a)
{
	if (a->type == EA_GGUF_STRING) {
		const struct ea_gguf_str *s = a->data;

		for (uint64_t i = 0; i < a->n; i++)
			sink += s[i].len ? (uint8_t)s[i].s[s[i].len - 1] : (uint8_t)s[i].s[0];
	} else if (a->type == EA_GGUF_ARRAY) {
		const struct ea_gguf_array *items = a->data;

		for (uint64_t i = 0; i < a->n; i++)
			walk_array(&items[i]);
	} else if (a->n) {
		sink += ((const uint8_t *)a->data)[0];
	}
}

static void walk_tensor(const struct ea_gguf_tensor *t)
{
	float row[4096];
	const uint8_t *data = t->data;

	sink += data[0] + data[t->nbytes - 1];
	if (t->ne[0] <= sizeof(row) / sizeof(row[0])) {
		ea_dequant_row(t->type, t->data, row, t->ne[0]);
		sink += (uint64_t)(row[0] != row[0]);
	}
}

static void try_tokenizer(const struct ea_gguf *g)
{
	static const char text[] = "Hello <|endoftext|> world's 123 \xe2\x96\x81\xff  \n";
	struct ea_tokenizer *tok;
	struct ea_error err;
	int32_t *ids;
	size_t n, len;
	char *back;

	if (ea_tokenizer_load(g, &tok, &err) != EA_OK)
		return;
	if (ea_tokenizer_encode(tok, text, sizeof(text) - 1, EA_TOKENIZE_SPECIAL, &ids, &n) == EA_OK) {
		if (ea_tokenizer_detokenize(tok, ids, n, EA_DETOKENIZE_SPECIAL, &back, &len) == EA_OK)
			free(back);
		free(ids);
	}
	ea_tokenizer_free(tok);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ea_gguf *g;
	struct ea_error err;

	if (ea_gguf_open_memory(data, size, &g, &err) != EA_OK) {
		sink += strlen(err.msg);
		return 0;
	}
	for (uint64_t i = 0; i < ea_gguf_n_keys(g); i++) {
		const struct ea_gguf_kv *kv = ea_gguf_key_at(g, i);

		if (ea_gguf_find_key(g, kv->key.s) != kv)
			abort();
		if (kv->value.type == EA_GGUF_ARRAY)
			walk_array(&kv->value.arr);
		else if (kv->value.type == EA_GGUF_STRING)
			sink += kv->value.str.len;
	}
	for (uint64_t i = 0; i < ea_gguf_n_tensors(g); i++) {
		const struct ea_gguf_tensor *t = ea_gguf_tensor_at(g, i);

		if (ea_gguf_find_tensor(g, t->name) != t)
			abort();
		walk_tensor(t);
	}
	try_tokenizer(g);
	ea_gguf_close(g);
	return 0;
}

// SPDX-License-Identifier: MIT
/*
 * Tokenizers: the trained models' GPT-2 BPE (../shared/models/edge-f16.gguf)
 * round trips every line of heldout.txt and agrees with the README's token
 * count; control tokens parse whole; a synthesized SentencePiece-style vocab
 * round trips text of every kind, byte fallback included; merge order on a
 * hand-made vocab.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ea_gguf_write.h"
#include "ea_models.h"
#include "ea_tap.h"
#include "ea_tokenizer.h"
#include "ea_tokenizer_synth.h"

static bool round_trips(const struct ea_tokenizer *tok, const char *text, size_t len,
			unsigned flags)
{
	int32_t *ids, *again;
	size_t n, n_again, back_len;
	char *back;
	bool ok;

	if (ea_tokenizer_encode(tok, text, len, flags, &ids, &n) != EA_OK)
		return false;
	if (ea_tokenizer_detokenize(tok, ids, n, (flags & EA_TOKENIZE_SPECIAL) ?
				    EA_DETOKENIZE_SPECIAL : 0, &back, &back_len) != EA_OK) {
		free(ids);
		return false;
	}
	ok = back_len == len && memcmp(back, text, len) == 0;
	if (!ok)
		tap_diag("'%.*s' came back as '%s'", (int)len, text, back);
	/* encode(decode(ids)) == ids: the encoding is a fixed point. */
	if (ok && ea_tokenizer_encode(tok, back, back_len, flags, &again, &n_again) == EA_OK) {
		ok = n_again == n && (n == 0 || memcmp(again, ids, n * sizeof(*ids)) == 0);
		if (!ok)
			tap_diag("'%.*s': re-encoding differs", (int)len, text);
		free(again);
	}
	free(ids);
	free(back);
	return ok;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n + 1)) && fread(buf, 1, (size_t)n, f) == (size_t)n) {
		*len = (size_t)n;
		buf[n] = '\0';
	} else {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static void skip(struct tap *t, int n, const char *why)
{
	for (int i = 0; i < n; i++)
		tap_ok(t, true, "# SKIP %s", why);
}

#define GPT2_CHECKS 6

static void check_gpt2(struct tap *t)
{
	struct ea_error err;
	char path[4096];
	struct ea_gguf *g;
	struct ea_tokenizer *tok;
	int32_t *ids;
	size_t n, len, lines = 0, bad = 0;
	char *text;
	bool ok;

	if (!ea_model_path("edge-f16.gguf", path, sizeof(path))) {
		skip(t, GPT2_CHECKS, "edge-f16.gguf not found (set EDGEAI_MODELS)");
		return;
	}
	if (ea_gguf_open(path, &g, &err) != EA_OK ||
	    ea_tokenizer_load(g, &tok, &err) != EA_OK) {
		tap_ok(t, false, "edge-f16.gguf tokenizer loads: %s", err.msg);
		skip(t, GPT2_CHECKS - 1, "no tokenizer");
		return;
	}
	ea_gguf_close(g);	/* the tokenizer keeps what it needs */
	tap_ok(t, ea_tokenizer_model(tok) == EA_TOKENIZER_GPT2 && ea_tokenizer_n_vocab(tok) == 4096 &&
	       ea_tokenizer_bos(tok) == 0 && ea_tokenizer_eos(tok) == 0 && !ea_tokenizer_adds_bos(tok),
	       "edge-f16.gguf: gpt2, 4096 tokens, <|endoftext|> (0) is BOS and EOS, no BOS added");
	ok = ea_tokenizer_encode(tok, "<|endoftext|>", 13, EA_TOKENIZE_SPECIAL, &ids, &n) == EA_OK &&
	     n == 1 && ids[0] == 0;
	free(ids);
	tap_ok(t, ok, "'<|endoftext|>' parses to id 0 with specials");
	ok = ea_tokenizer_encode(tok, "<|endoftext|>", 13, 0, &ids, &n) == EA_OK && n > 1;
	for (size_t i = 0; ok && i < n; i++)
		ok = ids[i] != 0;
	free(ids);
	tap_ok(t, ok, "'<|endoftext|>' is plain text without specials (%zu tokens)", n);
	tap_ok(t, round_trips(tok, "a<|endoftext|>Package: vim\nDescription:", 38, EA_TOKENIZE_SPECIAL),
	       "text around a control token round trips with specials");

	if (!ea_model_path("heldout.txt", path, sizeof(path)) || !(text = read_file(path, &len))) {
		skip(t, 2, "heldout.txt not found");
		ea_tokenizer_free(tok);
		return;
	}
	for (char *line = text, *end; *line; line = end + (*end != '\0')) {
		end = strchr(line, '\n');
		if (!end)
			end = line + strlen(line);
		lines++;
		bad += !round_trips(tok, line, (size_t)(end - line), 0);
	}
	tap_ok(t, bad == 0, "heldout.txt: %zu of %zu lines round trip (decode(encode(line)) == line, "
	       "encode(decode(ids)) == ids)", lines - bad, lines);
	/* README: tokenized whole, heldout.txt fills 294 windows of 512, the last one partial. */
	ok = ea_tokenizer_encode(tok, text, len, 0, &ids, &n) == EA_OK &&
	     n >= 294 * 512 && n < 295 * 512;
	tap_diag("heldout.txt: %zu tokens (the README's held-out split had 150806)", n);
	free(ids);
	tap_ok(t, ok, "heldout.txt whole: %zu tokens, 294 full windows of 512 as the README says", n);
	free(text);
	ea_tokenizer_free(tok);
}

#define SPM_CHECKS 6

static struct ea_tokenizer *synth_tokenizer(uint32_t n_vocab)
{
	char path[] = "/tmp/edgeai-test-tok-XXXXXX";
	struct ea_gguf_writer *w;
	struct ea_tokenizer *tok = NULL;
	struct ea_gguf *g;
	struct ea_error err;
	int fd = mkstemp(path);

	if (fd < 0)
		return NULL;
	close(fd);
	if (ea_gguf_writer_open(path, 0, &w, &err) == EA_OK &&
	    ea_tokenizer_synth_write(w, n_vocab) == EA_OK &&
	    ea_gguf_writer_finish(w, &err) == EA_OK &&
	    ea_gguf_open(path, &g, &err) == EA_OK) {
		if (ea_tokenizer_load(g, &tok, &err) != EA_OK)
			tap_diag("synthesized vocab: %s", err.msg);
		ea_gguf_close(g);
	}
	unlink(path);
	return tok;
}

static void check_spm(struct tap *t)
{
	static const char *const texts[] = {
		"Hello world", "  leading and trailing spaces  ", "tabs\tand\nnewlines\r\n",
		"caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x99\x82", "digits 0123456789 and !@#$%^&*()",
		"a", "", "\xff\xfe invalid UTF-8 \xc3", "the quick brown fox jumps over the lazy dog",
	};
	struct ea_tokenizer *tok = synth_tokenizer(2000);
	int32_t *ids;
	size_t n, bad = 0;
	bool ok;

	if (!tap_ok(t, tok && ea_tokenizer_model(tok) == EA_TOKENIZER_LLAMA &&
		    ea_tokenizer_n_vocab(tok) == 2000 && ea_tokenizer_bos(tok) == 1 &&
		    ea_tokenizer_eos(tok) == 2 && ea_tokenizer_adds_bos(tok),
		    "synthesized SentencePiece vocab: llama, 2000 tokens, BOS 1, EOS 2")) {
		skip(t, SPM_CHECKS - 1, "no tokenizer");
		ea_tokenizer_free(tok);
		return;
	}
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		bad += !round_trips(tok, texts[i], strlen(texts[i]), 0);
	tap_ok(t, bad == 0, "synthesized vocab: %zu texts round trip (spaces, UTF-8, invalid bytes)",
	       sizeof(texts) / sizeof(texts[0]));
	/* "é" has no piece: its two bytes fall back to <0xC3> <0xA9> (ids 3 + byte). */
	ok = ea_tokenizer_encode(tok, "\xc3\xa9", 2, 0, &ids, &n) == EA_OK && n == 3 &&
	     ids[1] == 3 + 0xc3 && ids[2] == 3 + 0xa9;
	free(ids);
	tap_ok(t, ok, "byte fallback: 'é' is '▁' <0xC3> <0xA9>");
	ok = ea_tokenizer_encode(tok, "hello", 5, EA_TOKENIZE_ADD_BOS, &ids, &n) == EA_OK &&
	     n >= 2 && n < 6 && ids[0] == 1;
	if (ok) {
		const char *piece;
		size_t len;

		ea_tokenizer_decode(tok, ids[1], &piece, &len);
		ok = len >= 2 && piece[0] == ' ' && piece[1] == 'h';
	}
	free(ids);
	tap_ok(t, ok, "'hello' with BOS: <s> then merged pieces, the first starting '▁h'");
	ok = ea_tokenizer_encode(tok, "x</s>y", 6, EA_TOKENIZE_SPECIAL, &ids, &n) == EA_OK;
	for (size_t i = 0, found = 0; ok && i <= n; i++) {
		if (i == n)
			ok = found == 1;
		else
			found += ids[i] == 2;
	}
	free(ids);
	tap_ok(t, ok && round_trips(tok, "x</s>y", 6, EA_TOKENIZE_SPECIAL),
	       "'</s>' inside text parses whole with specials and round trips");
	tap_ok(t, round_trips(tok, "x</s>y", 6, 0), "'</s>' as plain text round trips");
	ea_tokenizer_free(tok);
}

/*
 * Merge order on a hand-made vocab, where the order is the whole answer:
 * "aaaa" is a a a a; the three "aa" pairs tie (score -5) and the leftmost
 * merges first; then "aaa" (score -2) beats the remaining "aa", and the
 * pairs queued before those merges are stale. SentencePiece gives aaa a;
 * merging right to left, or by the queued pairs, would give aa aa.
 */
static void check_merge_order(struct tap *t)
{
	static const char *const tokens[] = { "<unk>", "<s>", "</s>", "a", "aa", "aaa" };
	static const float scores[] = { 0, 0, 0, -1, -5, -2 };
	static const int32_t types[] = { 2, 3, 3, 1, 1, 1 };
	char path[] = "/tmp/edgeai-test-tok-XXXXXX";
	struct ea_error err = { { 0 } };
	struct ea_gguf_writer *w;
	struct ea_tokenizer *tok = NULL;
	struct ea_gguf *g;
	int32_t *ids = NULL;
	size_t n = 0;
	int fd = mkstemp(path);

	if (fd >= 0 && (close(fd), 1) &&
	    ea_gguf_writer_open(path, 0, &w, &err) == EA_OK &&
	    ea_gguf_writer_str(w, "tokenizer.ggml.model", "llama") == EA_OK &&
	    ea_gguf_writer_arr_str(w, "tokenizer.ggml.tokens", tokens, NULL, 6) == EA_OK &&
	    ea_gguf_writer_arr_f32(w, "tokenizer.ggml.scores", scores, 6) == EA_OK &&
	    ea_gguf_writer_arr_i32(w, "tokenizer.ggml.token_type", types, 6) == EA_OK &&
	    ea_gguf_writer_u32(w, "tokenizer.ggml.unknown_token_id", 0) == EA_OK &&
	    ea_gguf_writer_bool(w, "tokenizer.ggml.add_space_prefix", false) == EA_OK &&
	    ea_gguf_writer_finish(w, &err) == EA_OK &&
	    ea_gguf_open(path, &g, &err) == EA_OK) {
		ea_tokenizer_load(g, &tok, &err);
		ea_gguf_close(g);
	}
	if (fd >= 0)
		unlink(path);
	tap_ok(t, tok && ea_tokenizer_encode(tok, "aaaa", 4, 0, &ids, &n) == EA_OK && n == 2 &&
		  ids[0] == 5 && ids[1] == 3,
	       "merge order: 'aaaa' is aaa a (ties leftmost, stale pairs skipped) %s", err.msg);
	free(ids);
	ea_tokenizer_free(tok);
}

int main(void)
{
	struct tap t = { 0 };

	tap_plan(&t, GPT2_CHECKS + SPM_CHECKS + 1);
	check_gpt2(&t);
	check_spm(&t);
	check_merge_order(&t);
	return tap_done(&t);
}

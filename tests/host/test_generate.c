// SPDX-License-Identifier: MIT
/*
 * The public generation API (edgeai.h) on tiny models written here:
 *  - "cycle": weights chosen so that greedy decoding walks a fixed cycle of
 *    tokens, a, <C3> <A9>, <E2> <82> <AC>, <F0> <9F> <98> <80>, b, a, ... :
 *    the text "é€😀ba" again and again, each of its multi-byte characters
 *    split over byte tokens; "x" is followed by the end-of-sequence token.
 *    Streaming, stop strings, max tokens, EOS, cancel, the KV prefix cache,
 *    the context limit and bad parameters are checked on it, on the CPU
 *    reference and (when there is a Vulkan device) on Vulkan.
 *  - "random": random weights, for the CPU reference's thread counts: the
 *    same logits, bit for bit, on 1, 2, 3 and 5 threads; and for
 *    log-probabilities: token-id prompts, echo, top alternatives, records
 *    kept with the cache, prompt_only, the records as on_token sees them.
 * Needs no models.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ea_gguf_write.h"
#include "ea_session.h"
#include "ea_tap.h"

enum { DIM = 32, VOCAB = 32, FFN = 32, HEADS = 2, CTX = 24 };

/* Token ids of the cycle model's vocab. */
enum { T_UNK, T_BOS, T_EOS, T_C3, T_A9, T_E2, T_82, T_AC, T_F0, T_9F, T_98, T_80, T_SPACE,
       T_A, T_B, T_X, T_LETTERS };

static const char *const token_text[T_LETTERS] = {
	"<unk>", "<s>", "</s>", "<0xC3>", "<0xA9>", "<0xE2>", "<0x82>", "<0xAC>", "<0xF0>",
	"<0x9F>", "<0x98>", "<0x80>", "\xe2\x96\x81", "a", "b", "x",
};

/* The token greedy decoding picks after @t. */
static int next_token(int t)
{
	if (t == T_A)
		return T_C3;
	if (t >= T_C3 && t < T_80)
		return t + 1;
	if (t == T_80)
		return T_B;
	if (t == T_X)
		return T_EOS;
	return T_A;
}

#define CYCLE_TEXT "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80" "b"	/* é€😀b */
#define REPLACEMENT "\xef\xbf\xbd"

/* Weight values: the cycle model's, or random ones (state != NULL). */
static float weight(const char *name, size_t row, size_t col, uint32_t *state)
{
	if (state) {
		*state = *state * 1664525u + 1013904223u;
		return (strstr(name, "norm") ? 1.0f : 0.0f) +
		       (float)(*state >> 8) / (float)(1 << 24) - 0.5f;
	}
	if (strstr(name, "norm"))
		return 1.0f;
	if (strcmp(name, "token_embd.weight") == 0)	/* one-hot rows */
		return row == col ? 1.0f : 0.0f;
	if (strcmp(name, "output.weight") == 0)		/* row j: the tokens j follows */
		return (int)row == next_token((int)col) ? 1.0f : 0.0f;
	return 0.0f;	/* blocks add nothing to the residual stream */
}

static bool write_tokenizer(struct ea_gguf_writer *w)
{
	const char *tokens[VOCAB];
	char letters[VOCAB][2];
	float scores[VOCAB];
	int32_t types[VOCAB];

	for (int i = 0; i < VOCAB; i++) {
		if (i < T_LETTERS) {
			tokens[i] = token_text[i];
		} else {
			letters[i][0] = (char)('c' + i - T_LETTERS);
			letters[i][1] = '\0';
			tokens[i] = letters[i];
		}
		scores[i] = (float)-i;
		types[i] = i == T_UNK ? 2 : i == T_BOS || i == T_EOS ? 3 :
			   i >= T_C3 && i <= T_80 ? 6 : 1;
	}
	return ea_gguf_writer_str(w, "tokenizer.ggml.model", "llama") == EA_OK &&
	       ea_gguf_writer_arr_str(w, "tokenizer.ggml.tokens", tokens, NULL, VOCAB) == EA_OK &&
	       ea_gguf_writer_arr_f32(w, "tokenizer.ggml.scores", scores, VOCAB) == EA_OK &&
	       ea_gguf_writer_arr_i32(w, "tokenizer.ggml.token_type", types, VOCAB) == EA_OK &&
	       ea_gguf_writer_u32(w, "tokenizer.ggml.bos_token_id", T_BOS) == EA_OK &&
	       ea_gguf_writer_u32(w, "tokenizer.ggml.eos_token_id", T_EOS) == EA_OK &&
	       ea_gguf_writer_u32(w, "tokenizer.ggml.unknown_token_id", T_UNK) == EA_OK &&
	       ea_gguf_writer_bool(w, "tokenizer.ggml.add_bos_token", false) == EA_OK;
}

struct tensor {
	const char *name;
	uint64_t ne[2];		/* ne[1] 0: a vector */
};

static const struct tensor tensors[] = {
	{ "token_embd.weight", { DIM, VOCAB } },
	{ "output_norm.weight", { DIM, 0 } },
	{ "output.weight", { DIM, VOCAB } },
	{ "blk.0.attn_norm.weight", { DIM, 0 } },
	{ "blk.0.attn_q.weight", { DIM, DIM } },
	{ "blk.0.attn_k.weight", { DIM, DIM } },
	{ "blk.0.attn_v.weight", { DIM, DIM } },
	{ "blk.0.attn_output.weight", { DIM, DIM } },
	{ "blk.0.ffn_norm.weight", { DIM, 0 } },
	{ "blk.0.ffn_gate.weight", { DIM, FFN } },
	{ "blk.0.ffn_up.weight", { DIM, FFN } },
	{ "blk.0.ffn_down.weight", { FFN, DIM } },
};
#define N_TENSORS (sizeof(tensors) / sizeof(tensors[0]))

static bool write_model(const char *path, const char *name, bool random)
{
	struct ea_gguf_writer *w;
	struct ea_error err;
	uint32_t state = 1;
	bool ok;

	if (ea_gguf_writer_open(path, 0, &w, &err) != EA_OK)
		return false;
	ok = ea_gguf_writer_str(w, "general.architecture", "llama") == EA_OK &&
	     ea_gguf_writer_str(w, "general.name", name) == EA_OK &&
	     ea_gguf_writer_u32(w, "llama.block_count", 1) == EA_OK &&
	     ea_gguf_writer_u32(w, "llama.embedding_length", DIM) == EA_OK &&
	     ea_gguf_writer_u32(w, "llama.feed_forward_length", FFN) == EA_OK &&
	     ea_gguf_writer_u32(w, "llama.attention.head_count", HEADS) == EA_OK &&
	     ea_gguf_writer_u32(w, "llama.context_length", CTX) == EA_OK &&
	     ea_gguf_writer_f32(w, "llama.attention.layer_norm_rms_epsilon", 1e-5f) == EA_OK &&
	     write_tokenizer(w);
	for (size_t i = 0; ok && i < N_TENSORS; i++)
		ok = ea_gguf_writer_tensor(w, tensors[i].name, EA_TYPE_F32, tensors[i].ne[1] ? 2 : 1,
					   tensors[i].ne) == EA_OK;
	for (size_t i = 0; ok && i < N_TENSORS; i++) {
		size_t rows = tensors[i].ne[1] ? tensors[i].ne[1] : 1;

		for (size_t r = 0; ok && r < rows; r++)
			for (size_t c = 0; ok && c < tensors[i].ne[0]; c++) {
				float v = weight(tensors[i].name, r, c, random ? &state : NULL);

				ok = ea_gguf_writer_data(w, &v, sizeof(v)) == EA_OK;
			}
	}
	if (!ok) {
		ea_gguf_writer_abort(w);
		return false;
	}
	return ea_gguf_writer_finish(w, &err) == EA_OK;
}

static struct ea_model *open_model(const char *name, bool random)
{
	char path[] = "/tmp/edgeai-test-generate-XXXXXX", why[512];
	struct ea_model *m = NULL;
	int fd = mkstemp(path);

	if (fd < 0)
		return NULL;
	close(fd);
	if (!write_model(path, name, random))
		tap_diag("cannot write %s", path);
	else if (ea_model_open(path, NULL, NULL, &m, why, sizeof(why)) != EA_OK)
		tap_diag("%s", why);
	unlink(path); /* the mapping stays valid */
	return m;
}

/* The pieces a generation streamed, and when to cancel. */
struct stream {
	char pieces[16][64];
	int n_pieces;
	bool split;		/* a piece ended inside a UTF-8 character */
	int cancel_after;	/* pieces; 0: never */
};

/* Whether @len bytes at @s end inside a multi-byte character. */
static bool ends_inside_char(const char *s, size_t len)
{
	for (size_t back = 1; back <= 4 && back <= len; back++) {
		unsigned char c = (unsigned char)s[len - back];

		if ((c & 0xc0) == 0x80)
			continue;
		return back < (c >= 0xf0 ? 4u : c >= 0xe0 ? 3u : c >= 0xc0 ? 2u : 1u);
	}
	return false;
}

static int collect(const char *text, size_t len, void *user)
{
	struct stream *s = user;

	if (len == 0 || ends_inside_char(text, len))
		s->split = true;
	if (s->n_pieces < 16)
		snprintf(s->pieces[s->n_pieces], sizeof(s->pieces[0]), "%.*s", (int)len, text);
	s->n_pieces++;
	return s->cancel_after && s->n_pieces >= s->cancel_after;
}

static const char *joined(const struct stream *s)
{
	static char all[16 * 64];

	all[0] = '\0';
	for (int i = 0; i < s->n_pieces && i < 16; i++)
		strcat(all, s->pieces[i]);
	return all;
}

/* Generate and check the text, the finish reason and the stream. */
static bool expect(struct ea_session *e, const struct ea_generate_params *p, struct stream *st,
		   const char *text, enum ea_finish_reason reason, struct ea_generate_result *r)
{
	ea_status status = ea_generate(e, p, collect, st, r);

	if (status != EA_OK) {
		tap_diag("ea_generate: %s: %s", ea_strerror(status), ea_session_error(e));
		return false;
	}
	if (strcmp(r->text, text) || r->finish_reason != reason || st->split ||
	    strcmp(joined(st), r->text)) {
		tap_diag("text '%s' (want '%s'), %s (want %s), streamed '%s'%s", r->text, text,
			 ea_finish_reason_name(r->finish_reason), ea_finish_reason_name(reason),
			 joined(st), st->split ? ", a piece split a character" : "");
		return false;
	}
	return true;
}

static void check_streaming(struct tap *t, struct ea_session *e, const char *engine)
{
	struct ea_generate_params p = { .prompt = "a", .max_tokens = 10 };
	struct ea_generate_result r;
	struct stream st = { 0 };
	bool ok = expect(e, &p, &st, CYCLE_TEXT, EA_FINISH_LENGTH, &r) && st.n_pieces == 4 &&
		  r.n_generated_tokens == 10 && r.n_prompt_tokens == 2;

	tap_ok(t, ok, "%s: 10 byte tokens stream as 4 whole characters é, €, 😀, b (%d pieces)",
	       engine, st.n_pieces);

	memset(&st, 0, sizeof(st));
	p.max_tokens = 4;
	tap_ok(t, expect(e, &p, &st, "\xc3\xa9" REPLACEMENT, EA_FINISH_LENGTH, &r),
	       "%s: a character cut by max_tokens ends as U+FFFD", engine);

	const char *stops[] = { "zz", "\xf0\x9f\x98\x80" };

	memset(&st, 0, sizeof(st));
	p = (struct ea_generate_params){ .prompt = "a", .stop = stops, .n_stop = 2 };
	ok = expect(e, &p, &st, "\xc3\xa9\xe2\x82\xac", EA_FINISH_STOP, &r) && r.stop_index == 1;
	tap_ok(t, ok, "%s: stop string 😀 (4 byte tokens) ends the text before it, stop_index %d",
	       engine, r.stop_index);

	const char *ba[] = { "ba" };

	memset(&st, 0, sizeof(st));
	p.stop = ba;
	p.n_stop = 1;
	tap_ok(t, expect(e, &p, &st, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", EA_FINISH_STOP, &r),
	       "%s: stop string 'ba' over two tokens: 'b' held back, never streamed", engine);

	memset(&st, 0, sizeof(st));
	p = (struct ea_generate_params){ .prompt = "x", .max_tokens = 5 };
	tap_ok(t, expect(e, &p, &st, "", EA_FINISH_EOS, &r) && r.n_generated_tokens == 1,
	       "%s: end-of-sequence token: finish eos, no text", engine);

	memset(&st, 0, sizeof(st));
	p.ignore_eos = true;
	p.max_tokens = 3;
	tap_ok(t, expect(e, &p, &st, "a" REPLACEMENT, EA_FINISH_LENGTH, &r),
	       "%s: ignore_eos goes on past it", engine);

	memset(&st, 0, sizeof(st));
	st.cancel_after = 2;
	p = (struct ea_generate_params){ .prompt = "a" };
	ok = expect(e, &p, &st, "\xc3\xa9\xe2\x82\xac", EA_FINISH_CANCELLED, &r) &&
	     r.n_generated_tokens == 5;
	tap_ok(t, ok, "%s: the callback cancels after 2 pieces (%d tokens)", engine,
	       r.n_generated_tokens);
}

static void check_cache(struct tap *t, struct ea_session *e)
{
	struct ea_generate_params p = { .prompt = "a", .max_tokens = 10 };
	struct ea_generate_result r1, r2, r3;
	char first[64];
	bool ok;

	ea_session_reset(e);
	ok = ea_generate(e, &p, NULL, NULL, &r1) == EA_OK;
	snprintf(first, sizeof(first), "%s", ok ? r1.text : "");
	ok = ok && r1.n_cached_tokens == 0 && ea_generate(e, &p, NULL, NULL, &r2) == EA_OK &&
	     r2.n_cached_tokens == 1 && strcmp(r2.text, first) == 0;
	ea_session_reset(e);
	ok = ok && ea_generate(e, &p, NULL, NULL, &r3) == EA_OK && r3.n_cached_tokens == 0 &&
	     strcmp(r3.text, first) == 0;
	tap_ok(t, ok, "KV prefix cache: the same prompt again reuses 1 of 2 tokens, the same "
	       "text; none after ea_session_reset()");
}

static bool rejected(struct ea_session *e, const struct ea_generate_params *p, const char *what,
		     const char *word)
{
	ea_status status = ea_generate(e, p, NULL, NULL, NULL);

	tap_diag("%s: %s", what, ea_session_error(e));
	return status == EA_ERR_INVALID_ARGUMENT && strstr(ea_session_error(e), word);
}

static void check_errors(struct tap *t, struct ea_session *e)
{
	char long_prompt[64];
	const char *empty[] = { "" }, *null_stop[] = { NULL }, *many[EA_MAX_STOP_STRINGS + 1];
	struct ea_generate_params base = { .prompt = "a" }, p;
	struct ea_generate_result r;
	bool ok = true;

	memset(long_prompt, 'a', sizeof(long_prompt) - 1);
	long_prompt[sizeof(long_prompt) - 1] = '\0';
	p = base;
	p.prompt = long_prompt;
	tap_ok(t, rejected(e, &p, "63-character prompt", "context"),
	       "a prompt longer than the context: EA_ERR_INVALID_ARGUMENT naming the context");
	p = base;
	p.max_tokens = CTX - 1;
	tap_ok(t, rejected(e, &p, "prompt + max_tokens", "context"),
	       "prompt + max_tokens past the context: EA_ERR_INVALID_ARGUMENT");

	for (int i = 0; i <= EA_MAX_STOP_STRINGS; i++)
		many[i] = "q";
#define BAD(field, value, word) do { \
		p = base; \
		p.field = value; \
		ok = rejected(e, &p, #field " = " #value, word) && ok; \
	} while (0)
	BAD(prompt, NULL, "prompt");
	BAD(temperature, -1.0f, "temperature");
	BAD(temperature, INFINITY, "temperature");
	BAD(top_k, -1, "top_k");
	BAD(top_p, -0.5f, "top_p");
	BAD(top_p, NAN, "top_p");
	BAD(max_tokens, -1, "max_tokens");
	BAD(flags, 0x100u, "flags");
	BAD(n_stop, EA_MAX_STOP_STRINGS + 1, "stop");
	p = base;
	p.stop = empty;
	p.n_stop = 1;
	ok = rejected(e, &p, "empty stop string", "empty") && ok;
	p.stop = null_stop;
	ok = rejected(e, &p, "NULL stop string", "NULL") && ok;
	p = base;
	p.stop = many;
	p.n_stop = EA_MAX_STOP_STRINGS + 1;
	ok = rejected(e, &p, "17 stop strings", "stop") && ok;
	p = base;
	p.prompt = "";
	p.flags = EA_TEXT_NO_BOS;
	ok = rejected(e, &p, "empty prompt", "empty") && ok;
	ok = ea_generate(e, NULL, NULL, NULL, NULL) == EA_ERR_INVALID_ARGUMENT && ok;
#undef BAD
	p = base;
	p.max_tokens = 10;
	ok = ok && ea_generate(e, &p, NULL, NULL, &r) == EA_OK && strcmp(r.text, CYCLE_TEXT) == 0;
	tap_ok(t, ok, "bad parameters: EA_ERR_INVALID_ARGUMENT with a message naming the field; "
	       "the session works afterwards");
}

static void check_open_errors(struct tap *t, struct ea_model *m)
{
	struct ea_session_options o = { .engine = EA_ENGINE_VULKAN };
	struct ea_session *s = NULL;
	struct ea_model *none = NULL;
	char why[256];
	bool ok;

	ok = ea_session_open(NULL, m, &o, &s, why, sizeof(why)) == EA_ERR_INVALID_ARGUMENT && !s;
	tap_diag("Vulkan without a device: %s", why);
	o.engine = (enum ea_engine)7;
	ok = ea_session_open(NULL, m, &o, &s, why, sizeof(why)) == EA_ERR_INVALID_ARGUMENT && ok;
	o = (struct ea_session_options){ .n_threads = -1 };
	ok = ea_session_open(NULL, m, &o, &s, why, sizeof(why)) == EA_ERR_INVALID_ARGUMENT && ok;
	ok = ea_model_open("/nonexistent/model.gguf", NULL, NULL, &none, why,
			   sizeof(why)) == EA_ERR_IO && !none && strstr(why, "/nonexistent") && ok;
	tap_diag("missing file: %s", why);
	tap_ok(t, ok, "ea_session_open: Vulkan without a device, a bad engine, -1 threads are "
	       "EA_ERR_INVALID_ARGUMENT; ea_model_open of a missing file is EA_ERR_IO");
}

static void check_model_api(struct tap *t, struct ea_model *m)
{
	const struct ea_model_info *info = ea_model_info(m);
	int32_t ids[8];
	size_t n = 0, count = 0, len = 0;
	char text[16];
	bool ok = strcmp(info->name, "cycle") == 0 && strcmp(info->arch, "llama") == 0 &&
		  strcmp(info->type, "f32") == 0 && info->n_ctx == CTX && info->n_vocab == VOCAB &&
		  info->eos_token == T_EOS && !info->adds_bos;

	ok = ok && ea_tokenize(m, "ab", 2, 0, NULL, 0, &count) == EA_OK &&
	     ea_tokenize(m, "ab", 2, 0, ids, 8, &n) == EA_OK && n == count && n == 3 &&
	     ids[0] == T_SPACE && ids[1] == T_A && ids[2] == T_B &&
	     ea_detokenize(m, ids, n, 0, text, sizeof(text), &len) == EA_OK &&
	     strcmp(text, "ab") == 0 && len == 2 &&
	     ea_detokenize(m, ids, n, 0, text, 2, &len) == EA_OK && strcmp(text, "a") == 0 &&
	     len == 2;
	tap_ok(t, ok, "model info (name, arch, type, n_ctx, n_vocab, EOS); ea_tokenize counts and "
	       "encodes 'ab', ea_detokenize gives it back, truncating like snprintf");
}

/* The same logits, bit for bit, on 1, 2, 3 and 5 threads. */
static void check_threads(struct tap *t)
{
	static const int counts[] = { 1, 2, 3, 5 };
	struct ea_model *m = open_model("random", true);
	int32_t prompt[CTX - 4];
	float logits[4][VOCAB];
	bool ok = m != NULL;

	for (int i = 0; i < CTX - 4; i++)
		prompt[i] = (int32_t)((i * 7 + 3) % VOCAB);
	for (int c = 0; ok && c < 4; c++) {
		struct ea_session_options o = { .engine = EA_ENGINE_CPU, .n_threads = counts[c] };
		struct ea_session *s = NULL;
		char why[256];

		ok = ea_session_open(NULL, m, &o, &s, why, sizeof(why)) == EA_OK &&
		     ea_session_threads(s) == counts[c] &&
		     ea_session_eval(s, prompt, CTX - 4, 0, logits[c]) == EA_OK &&
		     ea_session_eval(s, prompt, 1, CTX - 4, logits[c]) == EA_OK;
		ea_session_close(s);
		ok = ok && memcmp(logits[c], logits[0], sizeof(logits[0])) == 0;
	}
	tap_ok(t, ok, "CPU reference: the same logits, bit for bit, on 1, 2, 3 and 5 threads");
	ea_model_close(m);
}

/* -log softmax(@logits)[@token], in double. */
static double nll_of(const float *logits, int32_t token)
{
	double max = logits[0], sum = 0.0;

	for (int i = 1; i < VOCAB; i++)
		max = fmax(max, logits[i]);
	for (int i = 0; i < VOCAB; i++)
		sum += exp(logits[i] - max);
	return max + log(sum) - logits[token];
}

/* A record's alternatives: n_top of them, most likely first, the first the
 * argmax of the distribution, the token's own logprob among them when it is. */
static bool sorted_top(const struct ea_token_logprob *r, int n_top)
{
	bool ok = r->n_top == n_top;

	for (int k = 1; ok && k < r->n_top; k++)
		ok = r->top_logprob[k] <= r->top_logprob[k - 1];
	for (int k = 0; ok && k < r->n_top; k++)
		if (r->top_token[k] == r->token)
			ok = r->top_logprob[k] == r->logprob;
	return ok;
}

/*
 * Log-probabilities on the random model, CPU reference: a prompt of token
 * ids echoed with its logprobs (against the logits of each position,
 * evaluated here one at a time), greedy tokens each the top alternative; a
 * longer prompt that extends the first reuses the cached records and KV;
 * prompt_only scores without generating; bad ids and a text-and-ids prompt
 * are refused.
 */
static void check_logprobs(struct tap *t)
{
	static const int32_t ids[] = { 1, 7, 19, 3, 28, 11, 5, 22, 9, 14 };
	enum { N = sizeof(ids) / sizeof(ids[0]), N1 = 6, TOP = 5, GEN = 4 };
	struct ea_model *m = open_model("random", true);
	struct ea_session_options o = { .engine = EA_ENGINE_CPU };
	struct ea_session *s = NULL, *ref = NULL;
	struct ea_generate_params p = { .prompt_tokens = ids, .n_prompt_tokens = N1,
					.max_tokens = GEN, .logprobs = true,
					.top_logprobs = TOP, .echo = true };
	struct ea_generate_result r = { 0 }, r2 = { 0 };
	struct ea_token_logprob kept[N1];
	float logits[VOCAB];
	double worst = 0.0;
	bool ok, greedy = true, same_records;
	char why[256];

	ok = m && ea_session_open(NULL, m, &o, &s, why, sizeof(why)) == EA_OK &&
	     ea_session_open(NULL, m, &o, &ref, why, sizeof(why)) == EA_OK &&
	     ea_generate(s, &p, NULL, NULL, &r) == EA_OK;
	ok = ok && r.n_echoed == N1 && r.n_logprobs == N1 + r.n_generated_tokens &&
	     r.n_generated_tokens == GEN && isnan(r.logprobs[0].logprob) &&
	     r.logprobs[0].token == ids[0] && r.logprobs[0].n_top == 0;
	for (int i = 0; ok && i < N1 + GEN - 1; i++) {
		int32_t next = r.logprobs[i + 1].token;

		ok = ea_session_eval(ref, &r.logprobs[i].token, 1, i, logits) == EA_OK &&
		     (i + 1 >= N1 || next == ids[i + 1]) && sorted_top(&r.logprobs[i + 1], TOP);
		worst = fmax(worst, fabs(-nll_of(logits, next) - r.logprobs[i + 1].logprob));
		if (i + 1 >= N1)
			greedy &= next == r.logprobs[i + 1].top_token[0];
	}
	tap_ok(t, ok && greedy && worst < 1e-5, "logprobs with echo of %d prompt ids and %d "
	       "greedy tokens: each the log softmax of its position's logits (worst %.1e), the "
	       "%d alternatives sorted, every greedy token the first of them", N1, GEN, worst,
	       TOP);
	if (!ok && s)
		tap_diag("%s", ea_session_error(s));

	/* The first prompt and more: its records and KV kept, only the rest run. */
	if (ok)
		memcpy(kept, r.logprobs, sizeof(kept));
	p.n_prompt_tokens = N;
	p.prompt_only = true;
	ok = ok && ea_generate(s, &p, NULL, NULL, &r2) == EA_OK && r2.n_logprobs == N &&
	     r2.n_generated_tokens == 0 && r2.finish_reason == EA_FINISH_LENGTH &&
	     r2.text_len == 0 && r2.n_cached_tokens == N1 - 1;
	same_records = ok && memcmp(kept + 1, r2.logprobs + 1, sizeof(kept[0]) * (N1 - 1)) == 0;
	for (int i = N1 - 1; ok && i < N - 1; i++)
		ok = ea_session_eval(ref, &ids[i], 1, i, logits) == EA_OK &&
		     fabs(-nll_of(logits, ids[i + 1]) - r2.logprobs[i + 1].logprob) < 1e-5;
	tap_ok(t, ok && same_records, "an echo of that prompt with %d more ids, prompt_only: %d "
	       "positions from the cache, their records as before, the rest scored; nothing "
	       "generated", N - N1, r2.n_cached_tokens);

	/* Sampled: the records are of the model's distribution, not the tempered one. */
	p.n_prompt_tokens = N1;
	p.prompt_only = false;
	p.temperature = 0.7f;
	p.seed = 42;
	worst = 0.0;
	ok = ok && ea_generate(s, &p, NULL, NULL, &r2) == EA_OK && r2.n_generated_tokens == GEN;
	for (int i = N1 - 1; ok && i < N1 + GEN - 1; i++) {
		ok = ea_session_eval(ref, &r2.logprobs[i].token, 1, i, logits) == EA_OK &&
		     sorted_top(&r2.logprobs[i + 1], TOP);
		worst = fmax(worst, fabs(-nll_of(logits, r2.logprobs[i + 1].token) -
					 r2.logprobs[i + 1].logprob));
	}
	tap_ok(t, ok && worst < 1e-5, "logprobs of %d tokens sampled at temperature 0.7: the log "
	       "softmax of the untempered logits (worst %.1e)", GEN, worst);

	{
		const int32_t bad[] = { 1, VOCAB }, neg[] = { -1 };
		struct ea_generate_params b = { .prompt_tokens = bad, .n_prompt_tokens = 2 };
		struct ea_generate_params n = { .prompt_tokens = neg, .n_prompt_tokens = 1 };
		struct ea_generate_params both = { .prompt = "a", .prompt_tokens = ids,
						   .n_prompt_tokens = 1 };
		struct ea_generate_params top = { .prompt = "a", .logprobs = true,
						  .top_logprobs = EA_MAX_LOGPROBS + 1 };

		ok = s && rejected(s, &b, "an id past the vocabulary", "vocabulary") &&
		     rejected(s, &n, "a negative id", "vocabulary") &&
		     rejected(s, &both, "text and ids", "one of the two") &&
		     rejected(s, &top, "21 alternatives", "top_logprobs");
		tap_ok(t, ok, "prompt ids outside the vocabulary, a prompt as text and ids, too "
		       "many alternatives: EA_ERR_INVALID_ARGUMENT, saying which");
	}
	ea_session_close(ref);
	ea_session_close(s);
	ea_model_close(m);
}

/* What on_token saw. */
struct seen {
	struct ea_token_logprob records[CTX];
	int n;
};

static int keep_record(const struct ea_token_logprob *token, void *user)
{
	struct seen *seen = user;

	if (seen->n < CTX)
		seen->records[seen->n] = *token;
	seen->n++;
	return 0;
}

/* on_token saw the result's records, each with @n_top alternatives (the first
 * echoed one none). */
static bool seen_all(const struct seen *seen, const struct ea_generate_result *r, int n_top)
{
	bool ok = seen->n == r->n_logprobs;

	for (int i = 0; ok && i < seen->n; i++) {
		const struct ea_token_logprob *a = &seen->records[i], *b = &r->logprobs[i];

		ok = a->token == b->token && a->n_top == b->n_top &&
		     a->n_top == (i == 0 && r->n_echoed ? 0 : n_top) &&
		     (isnan(a->logprob) ? isnan(b->logprob) : a->logprob == b->logprob) &&
		     !memcmp(a->top_token, b->top_token,
			     (size_t)a->n_top * sizeof(a->top_token[0])) &&
		     !memcmp(a->top_logprob, b->top_logprob,
			     (size_t)a->n_top * sizeof(a->top_logprob[0]));
	}
	return ok;
}

/*
 * on_token on the random model: with echo it sees the prompt's records (those
 * kept from the cache cut to the alternatives asked for), then the generated
 * tokens', the result's records all; a request that asks for more
 * alternatives than the cached records have gets them for its own tokens.
 */
static void check_token_callback(struct tap *t)
{
	static const int32_t ids[] = { 1, 7, 19, 3, 28, 11, 5, 22 };
	enum { N = sizeof(ids) / sizeof(ids[0]), GEN = 3 };
	struct ea_model *m = open_model("random", true);
	struct ea_session_options o = { .engine = EA_ENGINE_CPU };
	struct ea_session *s = NULL;
	struct ea_generate_params p = { .prompt_tokens = ids, .n_prompt_tokens = N,
					.logprobs = true, .top_logprobs = 5, .echo = true,
					.prompt_only = true };
	struct ea_generate_result r = { 0 };
	struct seen echoed = { 0 }, generated = { 0 };
	bool ok;
	char why[256];

	ok = m && ea_session_open(NULL, m, &o, &s, why, sizeof(why)) == EA_OK &&
	     ea_generate(s, &p, NULL, NULL, &r) == EA_OK;
	p = (struct ea_generate_params){ .prompt_tokens = ids, .n_prompt_tokens = N,
					 .max_tokens = GEN, .logprobs = true, .top_logprobs = 2,
					 .echo = true, .on_token = keep_record,
					 .token_user = &echoed };
	ok = ok && ea_generate(s, &p, NULL, NULL, &r) == EA_OK && r.n_echoed == N &&
	     r.n_cached_tokens > 0 && seen_all(&echoed, &r, 2);
	tap_ok(t, ok, "on_token with echo: the %d prompt records (from the cache, cut from 5 "
	       "alternatives to 2), then the %d generated, as in the result", N, GEN);

	p.echo = false;
	p.top_logprobs = 4;
	p.token_user = &generated;
	ok = ok && ea_generate(s, &p, NULL, NULL, &r) == EA_OK && r.n_echoed == 0 &&
	     r.n_logprobs == GEN && seen_all(&generated, &r, 4);
	tap_ok(t, ok, "then the same prompt without echo and 4 alternatives: on_token sees "
	       "the %d generated records, each with 4 alternatives, as in the result "
	       "(the cached prompt's have 2)", GEN);
	if (!ok && s)
		tap_diag("%s", ea_session_error(s));
	ea_session_close(s);
	ea_model_close(m);
}

int main(void)
{
	struct tap t = { 0 };
	struct ea_model *m;
	struct ea_session *cpu = NULL, *gpu = NULL;
	struct ea_device *dev = NULL;
	struct ea_open_options direct = { .mode = EA_MODE_DIRECT };
	char why[1024];

	tap_plan(&t, 28);
	m = open_model("cycle", false);
	tap_ok(&t, m && ea_session_open(NULL, m, NULL, &cpu, why, sizeof(why)) == EA_OK,
	       "the cycle model opens (ea_model_open), a CPU session on it");
	if (!cpu) {
		tap_diag("%s", why);
		return tap_done(&t);
	}
	check_model_api(&t, m);
	check_streaming(&t, cpu, "CPU reference");
	check_cache(&t, cpu);
	check_errors(&t, cpu);
	check_open_errors(&t, m);
	check_threads(&t);
	check_logprobs(&t);
	check_token_callback(&t);
	if (ea_open(&direct, &dev, why, sizeof(why)) != EA_OK ||
	    ea_session_open(dev, m, NULL, &gpu, why, sizeof(why)) != EA_OK) {
		for (int i = 0; i < 7; i++)
			printf("ok %d # SKIP no Vulkan session: %s\n", ++t.run, why);
	} else {
		check_streaming(&t, gpu, "Vulkan");
	}
	ea_session_close(gpu);
	ea_close(dev);
	ea_session_close(cpu);
	ea_model_close(m);
	return tap_done(&t);
}

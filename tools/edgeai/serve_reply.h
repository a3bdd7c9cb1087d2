/* SPDX-License-Identifier: MIT */
/*
 * serve_reply.h - the JSON bodies the server sends, in the OpenAI API's
 * shapes (json-c): errors, the model list, completions and streamed chunks.
 * Every function returns a malloc'd NUL-terminated string, NULL when out of
 * memory. Generated text that is not valid UTF-8 has each bad byte replaced
 * by U+FFFD, so that every body is valid JSON.
 */
#ifndef SERVE_REPLY_H
#define SERVE_REPLY_H

#include <stdbool.h>
#include <stddef.h>

#include "serve_request.h"

/* What every completion body and chunk of one request repeats. */
struct serve_reply_meta {
	enum serve_endpoint endpoint;
	const char *id;		/* "chatcmpl-..." or "cmpl-..." */
	long long created;	/* Unix time */
	const char *model;
};

struct serve_usage {
	int prompt_tokens;
	int completion_tokens;
	int cached_tokens;	/* of the prompt's, from a KV cache (usage.prompt_tokens_details) */
};

/* The log-probabilities of an answer, one record a token (edgeai.h): the
 * echoed prompt's first, then the generated tokens'; or of a streamed
 * chunk, its tokens'. */
struct serve_logprobs {
	const struct ea_token_logprob *records;
	int n;
	const struct ea_model *model;	/* whose tokenizer spells each token */
	bool token_ids;			/* each token as "token_id:N" (vLLM's
					 * return_tokens_as_token_ids) */
	size_t text_offset;		/* completions: the first token's text_offset
					 * (a chunk's: the tokens' texts before it) */
};

/* The API's name of @reason: "stop" (a stop string or the end of the text)
 * or "length"; NULL for a cancelled request. */
const char *serve_reply_finish_reason(enum ea_finish_reason reason);

/* {"error":{"message","type","param","code"}} */
char *serve_reply_error(const struct serve_error *e);

/*
 * GET /v1/models: a list of the one model; GET /v1/models/NAME: the model.
 * Besides OpenAI's fields, vLLM's max_model_len and "edgeai": {
 * tokenizer_sha256 (ea_gguf_tokenizer_hash()), n_vocab, n_ctx, bos_token_id,
 * eos_token_id }, by which a client checks that it shares the tokenizer.
 */
char *serve_reply_models(const char *model, long long created, const struct ea_model *m);
char *serve_reply_model(const char *model, long long created, const struct ea_model *m);

/*
 * A whole answer: "chat.completion" with a message, or "text_completion".
 * With @lp (else NULL), choices[0].logprobs: for completions {tokens,
 * token_logprobs, top_logprobs, text_offset} (the first echoed token's
 * logprob and alternatives null; text_offset: each token's byte offset in
 * the concatenation of the tokens' texts), for chat {content: [{token,
 * logprob, bytes, top_logprobs: [{token, logprob, bytes}]}]}.
 */
char *serve_reply_completion(const struct serve_reply_meta *m, const char *text, size_t len,
			     const char *finish_reason, const struct serve_usage *usage,
			     const struct serve_logprobs *lp);

/*
 * One streamed chunk: @len bytes of text (chat: a delta, with the role when
 * @first), and @finish_reason when not NULL (the last chunk); with @lp (else
 * NULL) its tokens' choices[0].logprobs, in the whole answer's shape. With
 * @usage the chunk is the final usage one: no choices, only the counts.
 */
char *serve_reply_chunk(const struct serve_reply_meta *m, const char *text, size_t len,
			bool first, const char *finish_reason, const struct serve_usage *usage,
			const struct serve_logprobs *lp);

/* The text of @token as generation writes it: *@n bytes at *@bytes ("" for a
 * control token). */
void serve_reply_token_bytes(const struct ea_model *m, int32_t token, const char **bytes,
			     size_t *n);

/* The text_offset of the token that follows @lp's last. */
size_t serve_reply_text_end(const struct serve_logprobs *lp);

#endif /* SERVE_REPLY_H */

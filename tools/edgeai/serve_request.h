/* SPDX-License-Identifier: MIT */
/*
 * serve_request.h - the body of a POST to /v1/chat/completions or
 * /v1/completions, parsed (json-c) and checked against the OpenAI API and the
 * server's limits, into the parameters of one ea_generate() request.
 *
 * Chat template: the trained models know plain documents, not roles, so a
 * chat's prompt is the contents of its messages in order, joined by "\n",
 * with no role markers; the answer is the model's continuation.
 */
#ifndef SERVE_REQUEST_H
#define SERVE_REQUEST_H

#include <stdbool.h>
#include <stddef.h>

#include "edgeai.h"

enum serve_endpoint {
	SERVE_CHAT,		/* /v1/chat/completions */
	SERVE_COMPLETIONS,	/* /v1/completions */
};

/* An OpenAI error: the HTTP status and the fields of {"error":{...}}. */
struct serve_error {
	unsigned status;
	const char *type;	/* "invalid_request_error", "server_error", ... */
	char param[64];		/* the request field at fault; "": none (null) */
	const char *code;	/* a machine-readable code, or NULL */
	char message[320];
};

void serve_error_set(struct serve_error *e, unsigned status, const char *type,
		     const char *param, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* What a request asks for, once valid. */
struct serve_request {
	enum serve_endpoint endpoint;
	char *prompt;			/* rendered (chat) or given (completions) */
	size_t prompt_len;
	int max_tokens;			/* 0: not given */
	float temperature;		/* OpenAI's default: 1 */
	float top_p;			/* 1 */
	int top_k;			/* 0: all (llama.cpp's extension) */
	uint64_t seed;
	bool has_seed;
	char *stop[EA_MAX_STOP_STRINGS];
	int n_stop;
	bool stream;
	bool include_usage;		/* stream_options.include_usage */
	int n_prompt_tokens;		/* set by serve_request_fit() */
	/* Completions: the prompt as token ids (prompt then NULL), as OpenAI's
	 * and vLLM's "prompt": [ids]; checked against the vocabulary by
	 * serve_request_fit(). */
	int32_t *prompt_ids;
	int n_prompt_ids;
	bool echo;			/* completions: the prompt's tokens come back first */
	bool logprobs;			/* completions: "logprobs": N; chat: "logprobs": true */
	int top_logprobs;		/* N; chat's "top_logprobs" */
	bool prompt_only;		/* completions: "max_tokens": 0 with echo: score only */
	bool token_ids;			/* vLLM's return_tokens_as_token_ids: tokens as "token_id:N" */
};

/*
 * Parse @len bytes of @body for @endpoint into @req. On failure it returns
 * false with @err set (400, or 404 for a model other than @model_name), and
 * @req holds nothing to free.
 */
bool serve_request_parse(enum serve_endpoint endpoint, const char *body, size_t len,
			 const char *model_name, struct serve_request *req,
			 struct serve_error *err);

/*
 * Count the prompt's tokens (or check its ids: each below the vocabulary's
 * size, else a 400) and settle max_tokens: a given one above
 * @max_tokens_limit, or a prompt and max_tokens that do not fit the model's
 * context, is a 400; when not given it is the smaller of the limit and the
 * room left in the context.
 */
bool serve_request_fit(struct serve_request *req, const struct ea_model *model,
		       int max_tokens_limit, struct serve_error *err);

/* The generation parameters of @req (pointing into it: keep @req alive). */
void serve_request_params(const struct serve_request *req, struct ea_generate_params *p);

/* The prompt's text as echo gives it back (a prompt of token ids
 * detokenized): malloc'd, NUL-terminated, its length in *@len; NULL when out
 * of memory. */
char *serve_request_prompt_text(const struct serve_request *req, const struct ea_model *model,
				size_t *len);

void serve_request_free(struct serve_request *req);

#endif /* SERVE_REQUEST_H */

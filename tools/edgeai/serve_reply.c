// SPDX-License-Identifier: MIT
/* serve_reply - the OpenAI response shapes, built with json-c. */
#include "serve_reply.h"

#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ea_gguf.h"
#include "ea_model.h"
#include "ea_tokenizer.h"
#include "ea_utf8.h"

/* @len bytes of text as a NUL-terminated malloc'd string of valid UTF-8:
 * bad bytes replaced by U+FFFD; *@out its length. */
static char *utf8_clean(const char *text, size_t len, size_t *out_len)
{
	const unsigned char *s = (const unsigned char *)text;
	char *clean;
	size_t out = 0;

	clean = malloc(len * 3 + 1);
	if (!clean)
		return NULL;
	for (size_t i = 0; i < len;) {
		size_t n = ea_utf8_char_len(s + i, len - i);

		if (n) {
			memcpy(clean + out, s + i, n);
			out += n;
			i += n;
		} else {
			memcpy(clean + out, "\xef\xbf\xbd", 3);
			out += 3;
			i++;
		}
	}
	clean[out] = '\0';
	*out_len = out;
	return clean;
}

/* A JSON string of @len bytes of text, bad UTF-8 bytes replaced by U+FFFD. */
static json_object *text_string(const char *text, size_t len)
{
	size_t n;
	char *clean = utf8_clean(text, len, &n);
	json_object *o = clean ? json_object_new_string_len(clean, (int)n) : NULL;

	free(clean);
	return o;
}

static char *to_string(json_object *o)
{
	char *s = o ? strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							    JSON_C_TO_STRING_NOSLASHESCAPE)) :
		      NULL;

	json_object_put(o);
	return s;
}

static json_object *string_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

const char *serve_reply_finish_reason(enum ea_finish_reason reason)
{
	switch (reason) {
	case EA_FINISH_STOP:
	case EA_FINISH_EOS:
		return "stop";
	case EA_FINISH_LENGTH:
		return "length";
	case EA_FINISH_CANCELLED:
		break;
	}
	return NULL;
}

char *serve_reply_error(const struct serve_error *e)
{
	json_object *root = json_object_new_object(), *err = json_object_new_object();

	/* The message may quote the client's bytes: kept valid UTF-8, so the body is JSON. */
	json_object_object_add(err, "message", text_string(e->message, strlen(e->message)));
	json_object_object_add(err, "type", json_object_new_string(e->type));
	json_object_object_add(err, "param", e->param[0] ? text_string(e->param, strlen(e->param)) :
				NULL);
	json_object_object_add(err, "code", string_or_null(e->code));
	json_object_object_add(root, "error", err);
	return to_string(root);
}

/* What a client needs to tell whether it shares the model's tokenizer. */
static json_object *model_details(const struct ea_model *m)
{
	const struct ea_model_info *info = ea_model_info(m);
	json_object *o = json_object_new_object();
	uint8_t hash[32];
	char hex[65];
	struct ea_error err;

	if (ea_gguf_tokenizer_hash(m->gguf, hash, &err) == EA_OK) {
		for (int i = 0; i < 32; i++)
			snprintf(hex + 2 * i, 3, "%02x", hash[i]);
		json_object_object_add(o, "tokenizer_sha256", json_object_new_string(hex));
	}
	json_object_object_add(o, "n_vocab", json_object_new_int(info->n_vocab));
	json_object_object_add(o, "n_ctx", json_object_new_int(info->n_ctx));
	json_object_object_add(o, "bos_token_id", json_object_new_int(info->bos_token));
	json_object_object_add(o, "eos_token_id", json_object_new_int(info->eos_token));
	return o;
}

static json_object *model_object(const char *model, long long created,
				 const struct ea_model *m)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_object_new_string(model));
	json_object_object_add(o, "object", json_object_new_string("model"));
	json_object_object_add(o, "created", json_object_new_int64(created));
	json_object_object_add(o, "owned_by", json_object_new_string("edgeai"));
	json_object_object_add(o, "max_model_len", json_object_new_int(ea_model_info(m)->n_ctx));
	json_object_object_add(o, "edgeai", model_details(m));
	return o;
}

char *serve_reply_models(const char *model, long long created, const struct ea_model *m)
{
	json_object *root = json_object_new_object(), *data = json_object_new_array();

	json_object_array_add(data, model_object(model, created, m));
	json_object_object_add(root, "object", json_object_new_string("list"));
	json_object_object_add(root, "data", data);
	return to_string(root);
}

char *serve_reply_model(const char *model, long long created, const struct ea_model *m)
{
	return to_string(model_object(model, created, m));
}

static json_object *envelope(const struct serve_reply_meta *m, bool chunk)
{
	static const char *const objects[2][2] = {
		{ "chat.completion", "chat.completion.chunk" },
		{ "text_completion", "text_completion" },
	};
	json_object *root = json_object_new_object();

	json_object_object_add(root, "id", json_object_new_string(m->id));
	json_object_object_add(root, "object",
			       json_object_new_string(objects[m->endpoint == SERVE_COMPLETIONS][chunk]));
	json_object_object_add(root, "created", json_object_new_int64(m->created));
	json_object_object_add(root, "model", json_object_new_string(m->model));
	return root;
}

static json_object *usage_object(const struct serve_usage *u)
{
	json_object *o = json_object_new_object(), *details;

	json_object_object_add(o, "prompt_tokens", json_object_new_int(u->prompt_tokens));
	json_object_object_add(o, "completion_tokens", json_object_new_int(u->completion_tokens));
	json_object_object_add(o, "total_tokens",
			       json_object_new_int(u->prompt_tokens + u->completion_tokens));
	details = json_object_new_object();
	json_object_object_add(details, "cached_tokens", json_object_new_int(u->cached_tokens));
	json_object_object_add(o, "prompt_tokens_details", details);
	return o;
}

/* The text of @token as generation spells it ("" for a control token), or
 * with @as_id "token_id:N" in @buf. */
static void token_text(const struct ea_model *m, int32_t token, bool as_id, char buf[24],
		       const char **bytes, size_t *n)
{
	*bytes = "";
	*n = 0;
	if (as_id) {
		*n = (size_t)snprintf(buf, 24, "token_id:%d", (int)token);
		*bytes = buf;
		return;
	}
	if (!ea_tokenizer_is_control(m->tokenizer, token) &&
	    ea_tokenizer_decode(m->tokenizer, token, bytes, n) != EA_OK) {
		*bytes = "";
		*n = 0;
	}
}

void serve_reply_token_bytes(const struct ea_model *m, int32_t token, const char **bytes,
			     size_t *n)
{
	char unused[24];

	token_text(m, token, false, unused, bytes, n);
}

size_t serve_reply_text_end(const struct serve_logprobs *lp)
{
	size_t at = lp->text_offset;

	for (int i = 0; i < lp->n; i++) {
		const char *bytes;
		char id[24];
		size_t n;

		token_text(lp->model, lp->records[i].token, lp->token_ids, id, &bytes, &n);
		at += n;
	}
	return at;
}

/* A logprob as JSON: null for the first token of a text (NAN). */
static json_object *logprob_value(float lp)
{
	return isnan(lp) ? NULL : json_object_new_double(lp);
}

/* The bytes of a token's text, as chat's logprobs give them. */
static json_object *bytes_array(const char *bytes, size_t n)
{
	json_object *a = json_object_new_array();

	for (size_t i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_int((unsigned char)bytes[i]));
	return a;
}

/* Completions: {tokens, token_logprobs, top_logprobs, text_offset}. */
static json_object *completion_logprobs(const struct serve_logprobs *lp)
{
	json_object *o = json_object_new_object(), *tokens = json_object_new_array();
	json_object *values = json_object_new_array(), *tops = json_object_new_array();
	json_object *offsets = json_object_new_array();
	size_t at = lp->text_offset;

	for (int i = 0; i < lp->n; i++) {
		const struct ea_token_logprob *r = &lp->records[i];
		json_object *top = NULL;
		const char *bytes;
		char id[24];
		size_t n;

		token_text(lp->model, r->token, lp->token_ids, id, &bytes, &n);
		json_object_array_add(tokens, text_string(bytes, n));
		json_object_array_add(values, logprob_value(r->logprob));
		json_object_array_add(offsets, json_object_new_int64((int64_t)at));
		at += n;
		if (!isnan(r->logprob)) {
			top = json_object_new_object();
			for (int k = 0; k < r->n_top; k++) {
				char *key;

				token_text(lp->model, r->top_token[k], lp->token_ids, id, &bytes,
					   &n);
				key = utf8_clean(bytes, n, &n);
				if (key)
					json_object_object_add(top, key,
							       json_object_new_double(r->top_logprob[k]));
				free(key);
			}
		}
		json_object_array_add(tops, top);
	}
	json_object_object_add(o, "tokens", tokens);
	json_object_object_add(o, "token_logprobs", values);
	json_object_object_add(o, "top_logprobs", tops);
	json_object_object_add(o, "text_offset", offsets);
	return o;
}

/* One token of chat's logprobs: {token, logprob, bytes}. */
static json_object *chat_token(const struct ea_model *m, bool as_id, int32_t token,
			       float logprob)
{
	json_object *o = json_object_new_object();
	const char *bytes;
	char id[24];
	size_t n;

	token_text(m, token, as_id, id, &bytes, &n);
	json_object_object_add(o, "token", text_string(bytes, n));
	json_object_object_add(o, "logprob", logprob_value(logprob));
	json_object_object_add(o, "bytes", bytes_array(bytes, n));
	return o;
}

/* Chat: {content: [{token, logprob, bytes, top_logprobs}]}. */
static json_object *chat_logprobs(const struct serve_logprobs *lp)
{
	json_object *o = json_object_new_object(), *content = json_object_new_array();

	for (int i = 0; i < lp->n; i++) {
		const struct ea_token_logprob *r = &lp->records[i];
		json_object *t = chat_token(lp->model, lp->token_ids, r->token, r->logprob);
		json_object *top = json_object_new_array();

		for (int k = 0; k < r->n_top; k++)
			json_object_array_add(top, chat_token(lp->model, lp->token_ids,
							      r->top_token[k], r->top_logprob[k]));
		json_object_object_add(t, "top_logprobs", top);
		json_object_array_add(content, t);
	}
	json_object_object_add(o, "content", content);
	return o;
}

/* choices: [ CHOICE ] with index, logprobs and finish_reason set. */
static json_object *one_choice(json_object *choice, const char *finish_reason)
{
	json_object *choices = json_object_new_array();

	json_object_object_add(choice, "index", json_object_new_int(0));
	json_object_object_add(choice, "logprobs", NULL);
	json_object_object_add(choice, "finish_reason", string_or_null(finish_reason));
	json_object_array_add(choices, choice);
	return choices;
}

/* choices[0].logprobs of @lp, in @m's endpoint's shape. */
static json_object *logprobs_object(const struct serve_reply_meta *m,
				    const struct serve_logprobs *lp)
{
	return m->endpoint == SERVE_CHAT ? chat_logprobs(lp) : completion_logprobs(lp);
}

char *serve_reply_completion(const struct serve_reply_meta *m, const char *text, size_t len,
			     const char *finish_reason, const struct serve_usage *usage,
			     const struct serve_logprobs *lp)
{
	json_object *root = envelope(m, false), *choice = json_object_new_object();
	json_object *choices;

	if (m->endpoint == SERVE_CHAT) {
		json_object *msg = json_object_new_object();

		json_object_object_add(msg, "role", json_object_new_string("assistant"));
		json_object_object_add(msg, "content", text_string(text, len));
		json_object_object_add(choice, "message", msg);
	} else {
		json_object_object_add(choice, "text", text_string(text, len));
	}
	choices = one_choice(choice, finish_reason);
	if (lp)
		json_object_object_add(choice, "logprobs", logprobs_object(m, lp));
	json_object_object_add(root, "choices", choices);
	json_object_object_add(root, "usage", usage_object(usage));
	return to_string(root);
}

char *serve_reply_chunk(const struct serve_reply_meta *m, const char *text, size_t len,
			bool first, const char *finish_reason, const struct serve_usage *usage,
			const struct serve_logprobs *lp)
{
	json_object *root = envelope(m, true), *choice;

	if (usage) {
		json_object_object_add(root, "choices", json_object_new_array());
		json_object_object_add(root, "usage", usage_object(usage));
		return to_string(root);
	}
	choice = json_object_new_object();
	if (m->endpoint == SERVE_CHAT) {
		json_object *delta = json_object_new_object();

		if (first)
			json_object_object_add(delta, "role", json_object_new_string("assistant"));
		if (first || len)
			json_object_object_add(delta, "content", text_string(text, len));
		json_object_object_add(choice, "delta", delta);
	} else {
		json_object_object_add(choice, "text", text_string(text, len));
	}
	json_object_object_add(root, "choices", one_choice(choice, finish_reason));
	if (lp)
		json_object_object_add(choice, "logprobs", logprobs_object(m, lp));
	return to_string(root);
}

// SPDX-License-Identifier: MIT
/*
 * serve_request - parse and check the JSON body of a completion request: every
 * field of the OpenAI API we know is type- and range-checked, a field we do
 * not know or a feature we do not have (n > 1, penalties, a logit bias) is a 400
 * naming it, never silently ignored.
 */
#include "serve_request.h"

#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "serve_json_check.h"

#define INVALID "invalid_request_error"

void serve_error_set(struct serve_error *e, unsigned status, const char *type,
		     const char *param, const char *code, const char *fmt, ...)
{
	va_list ap;

	e->status = status;
	e->type = type;
	snprintf(e->param, sizeof(e->param), "%s", param ? param : "");
	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
}

/* A 400 for @param; @fmt has one %s, the parameter's name. */
static bool bad(struct serve_error *e, const char *param, const char *fmt)
{
	serve_error_set(e, 400, INVALID, param, "invalid_value", fmt, param);
	return false;
}

/* Fields we know, per endpoint; anything else is an unrecognized argument. */
static const char *const chat_fields[] = {
	"model", "messages", "max_tokens", "max_completion_tokens", "temperature", "top_p",
	"top_k", "seed", "stop", "stream", "stream_options", "n", "user", "presence_penalty",
	"frequency_penalty", "logprobs", "top_logprobs", "logit_bias",
	"return_tokens_as_token_ids", NULL,
};
static const char *const completion_fields[] = {
	"model", "prompt", "max_tokens", "temperature", "top_p", "top_k", "seed", "stop",
	"stream", "stream_options", "n", "user", "presence_penalty", "frequency_penalty",
	"logprobs", "logit_bias", "echo", "return_tokens_as_token_ids", NULL,
};

static bool known_field(const char *const *fields, const char *key)
{
	for (; *fields; fields++)
		if (strcmp(*fields, key) == 0)
			return true;
	return false;
}

/* Field @key of @root, NULL when absent or null (the API's "not given"). */
static json_object *field(json_object *root, const char *key)
{
	json_object *v = NULL;

	json_object_object_get_ex(root, key, &v);
	return v;
}

static bool is_number(json_object *v)
{
	return json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double);
}

static bool get_number(json_object *root, const char *key, double lo, double hi,
		       float *out, struct serve_error *e)
{
	json_object *v = field(root, key);
	double d;

	if (!v)
		return true;
	if (!is_number(v))
		return bad(e, key, "'%s' must be a number");
	d = json_object_get_double(v);
	if (!(d >= lo && d <= hi)) {
		serve_error_set(e, 400, INVALID, key, "invalid_value",
				"'%s' must be between %g and %g, got %g", key, lo, hi, d);
		return false;
	}
	*out = (float)d;
	return true;
}

/* An integer (a number with no fraction) in [lo, hi]. */
static bool get_int(json_object *root, const char *key, int64_t lo, int64_t hi,
		    int64_t *out, bool *given, struct serve_error *e)
{
	json_object *v = field(root, key);
	int64_t n;

	if (!v)
		return true;
	if (json_object_is_type(v, json_type_double)) {
		double d = json_object_get_double(v);

		if (d != (double)(int64_t)d)
			return bad(e, key, "'%s' must be an integer");
		n = (int64_t)d;
	} else if (json_object_is_type(v, json_type_int)) {
		n = json_object_get_int64(v);
	} else {
		return bad(e, key, "'%s' must be an integer");
	}
	if (n < lo || n > hi) {
		serve_error_set(e, 400, INVALID, key, "invalid_value",
				"'%s' must be between %lld and %lld, got %lld", key,
				(long long)lo, (long long)hi, (long long)n);
		return false;
	}
	*out = n;
	if (given)
		*given = true;
	return true;
}

static bool get_bool(json_object *root, const char *key, bool *out, struct serve_error *e)
{
	json_object *v = field(root, key);

	if (!v)
		return true;
	if (!json_object_is_type(v, json_type_boolean))
		return bad(e, key, "'%s' must be a boolean");
	*out = json_object_get_boolean(v);
	return true;
}

static bool unsupported(struct serve_error *e, const char *param, const char *what)
{
	serve_error_set(e, 400, INVALID, param, "unsupported_parameter",
			"'%s': %s is not supported by this server", param, what);
	return false;
}

/* Growing text: the rendered prompt. */
struct text {
	char *s;
	size_t len;
};

static bool text_add(struct text *t, const char *s, size_t n)
{
	char *grown = realloc(t->s, t->len + n + 1);

	if (!grown)
		return false;
	memcpy(grown + t->len, s, n);
	t->len += n;
	grown[t->len] = '\0';
	t->s = grown;
	return true;
}

static bool no_memory(struct serve_error *e)
{
	serve_error_set(e, 500, "server_error", NULL, NULL, "out of memory");
	return false;
}

/* A message's content: a string, or an array of {"type":"text","text":...}. */
static bool add_content(json_object *content, struct text *t, struct serve_error *e)
{
	if (json_object_is_type(content, json_type_string))
		return text_add(t, json_object_get_string(content),
				(size_t)json_object_get_string_len(content)) || no_memory(e);
	if (!json_object_is_type(content, json_type_array))
		return bad(e, "messages", "'%s': a message's content must be a string or an "
			   "array of text parts");
	for (size_t i = 0; i < json_object_array_length(content); i++) {
		json_object *part = json_object_array_get_idx(content, i);
		json_object *type = field(part, "type"), *text = field(part, "text");

		if (!json_object_is_type(part, json_type_object) || !type ||
		    !json_object_is_type(type, json_type_string) ||
		    strcmp(json_object_get_string(type), "text") != 0 || !text ||
		    !json_object_is_type(text, json_type_string))
			return bad(e, "messages", "'%s': only text parts "
				   "({\"type\":\"text\",\"text\":...}) are supported");
		if (!text_add(t, json_object_get_string(text),
			      (size_t)json_object_get_string_len(text)))
			return no_memory(e);
	}
	return true;
}

static bool known_role(const char *role)
{
	static const char *const roles[] = { "system", "developer", "user", "assistant", NULL };

	for (const char *const *r = roles; *r; r++)
		if (strcmp(role, *r) == 0)
			return true;
	return false;
}

/* The chat template: contents in order, joined by "\n", no role markers. */
static bool render_messages(json_object *msgs, struct text *t, struct serve_error *e)
{
	size_t n;

	if (!msgs || !json_object_is_type(msgs, json_type_array))
		return bad(e, "messages", "'%s' must be an array of messages");
	n = json_object_array_length(msgs);
	if (n == 0)
		return bad(e, "messages", "'%s' must not be empty");
	for (size_t i = 0; i < n; i++) {
		json_object *m = json_object_array_get_idx(msgs, i), *role, *content;

		if (!json_object_is_type(m, json_type_object))
			return bad(e, "messages", "'%s': each message must be an object");
		json_object_object_foreach(m, key, val) {
			(void)val;
			if (strcmp(key, "role") && strcmp(key, "content") && strcmp(key, "name"))
				return unsupported(e, "messages", "a message field other than "
						   "role, content and name");
		}
		role = field(m, "role");
		content = field(m, "content");
		if (field(m, "name") && !json_object_is_type(field(m, "name"), json_type_string))
			return bad(e, "messages", "'%s': a message's name must be a string");
		if (!role || !json_object_is_type(role, json_type_string) ||
		    !known_role(json_object_get_string(role)))
			return bad(e, "messages", "'%s': each message needs a role: system, "
				   "developer, user or assistant");
		if (!content)
			return bad(e, "messages", "'%s': each message needs a content");
		if (i > 0 && !text_add(t, "\n", 1))
			return no_memory(e);
		if (!add_content(content, t, e))
			return false;
	}
	return true;
}

/* Token ids up to EA's context are int32: a larger array cannot fit any model. */
#define MAX_PROMPT_IDS (1 << 20)

/* A completion's prompt as token ids: a non-empty array of integers >= 0
 * (their range is the model's, checked by serve_request_fit()). */
static bool take_prompt_ids(json_object *ids, struct serve_request *req, struct serve_error *e)
{
	size_t n = json_object_array_length(ids);

	if (n > MAX_PROMPT_IDS)
		return bad(e, "prompt", "'%s' holds too many token ids");
	req->prompt_ids = malloc(n * sizeof(*req->prompt_ids));
	if (!req->prompt_ids)
		return no_memory(e);
	for (size_t i = 0; i < n; i++) {
		json_object *v = json_object_array_get_idx(ids, i);
		int64_t id;

		if (!json_object_is_type(v, json_type_int))
			return bad(e, "prompt", "'%s' must be a string or an array of token ids "
				   "(integers)");
		id = json_object_get_int64(v);
		if (id < 0 || id > INT32_MAX) {
			serve_error_set(e, 400, INVALID, "prompt", "invalid_value", "'prompt': "
					"token id %lld at %zu is not a token id", (long long)id, i);
			return false;
		}
		req->prompt_ids[i] = (int32_t)id;
	}
	req->n_prompt_ids = (int)n;
	return true;
}

/* A completion's prompt: a string, an array of one string, or an array of
 * token ids. */
static bool take_prompt(json_object *prompt, struct serve_request *req, struct text *t,
			struct serve_error *e)
{
	if (prompt && json_object_is_type(prompt, json_type_array) &&
	    json_object_array_length(prompt) == 1 &&
	    json_object_is_type(json_object_array_get_idx(prompt, 0), json_type_string))
		prompt = json_object_array_get_idx(prompt, 0);
	if (prompt && json_object_is_type(prompt, json_type_array) &&
	    json_object_array_length(prompt) > 0 &&
	    !json_object_is_type(json_object_array_get_idx(prompt, 0), json_type_string))
		return take_prompt_ids(prompt, req, e);
	if (!prompt || !json_object_is_type(prompt, json_type_string))
		return bad(e, "prompt", "'%s' must be a string, an array of one string or a "
			   "non-empty array of token ids");
	return text_add(t, json_object_get_string(prompt),
			(size_t)json_object_get_string_len(prompt)) || no_memory(e);
}

/* logprobs and echo: completions' "logprobs": N (0 .. EA_MAX_LOGPROBS
 * alternatives) and "echo"; chat's "logprobs": true and "top_logprobs". */
static bool take_logprobs(json_object *root, struct serve_request *req, struct serve_error *e)
{
	int64_t top = 0;
	bool given = false;

	if (req->endpoint == SERVE_COMPLETIONS) {
		if (!get_int(root, "logprobs", 0, EA_MAX_LOGPROBS, &top, &req->logprobs, e) ||
		    !get_bool(root, "echo", &req->echo, e))
			return false;
	} else {
		if (!get_bool(root, "logprobs", &req->logprobs, e) ||
		    !get_int(root, "top_logprobs", 0, EA_MAX_LOGPROBS, &top, &given, e))
			return false;
		if (given && !req->logprobs)
			return bad(e, "top_logprobs", "'%s' needs \"logprobs\": true");
	}
	req->top_logprobs = (int)top;
	return get_bool(root, "return_tokens_as_token_ids", &req->token_ids, e);
}

static bool take_stop(json_object *root, struct serve_request *req, struct serve_error *e)
{
	json_object *stop = field(root, "stop");
	size_t n;

	if (!stop)
		return true;
	if (json_object_is_type(stop, json_type_string)) {
		n = 1;
	} else if (json_object_is_type(stop, json_type_array)) {
		n = json_object_array_length(stop);
		if (n > EA_MAX_STOP_STRINGS)
			return bad(e, "stop", "'%s' takes at most 16 strings");
	} else {
		return bad(e, "stop", "'%s' must be a string or an array of strings");
	}
	for (size_t i = 0; i < n; i++) {
		json_object *s = json_object_is_type(stop, json_type_string) ? stop :
				 json_object_array_get_idx(stop, i);

		if (!json_object_is_type(s, json_type_string) || !json_object_get_string_len(s))
			return bad(e, "stop", "'%s' must hold non-empty strings");
		req->stop[req->n_stop] = strdup(json_object_get_string(s));
		if (!req->stop[req->n_stop])
			return no_memory(e);
		req->n_stop++;
	}
	return true;
}

/* Parameters we accept only at their neutral value. */
static bool check_unsupported(json_object *root, struct serve_error *e)
{
	static const char *const penalties[] = { "presence_penalty", "frequency_penalty" };
	json_object *v;
	int64_t n = 1;
	float penalty = 0;

	if (!get_int(root, "n", 1, 128, &n, NULL, e))
		return false;
	if (n != 1)
		return unsupported(e, "n", "more than one choice");
	for (int i = 0; i < 2; i++) {
		if (!get_number(root, penalties[i], -2, 2, &penalty, e))
			return false;
		if (penalty != 0)
			return unsupported(e, penalties[i], "a non-zero penalty");
	}
	v = field(root, "logit_bias");
	if (v && !(json_object_is_type(v, json_type_object) && !json_object_object_length(v)))
		return unsupported(e, "logit_bias", "a logit bias");
	v = field(root, "user");
	if (v && !json_object_is_type(v, json_type_string))
		return bad(e, "user", "'%s' must be a string");
	return true;
}

static bool take_sampling(json_object *root, struct serve_request *req, struct serve_error *e)
{
	json_object *opts = field(root, "stream_options");
	int64_t v = 0;
	bool given = false;

	if (!get_number(root, "temperature", 0, 2, &req->temperature, e) ||
	    !get_number(root, "top_p", 0, 1, &req->top_p, e) ||
	    !get_int(root, "top_k", 0, 1 << 30, &v, NULL, e))
		return false;
	req->top_k = (int)v;
	if (!get_int(root, "seed", INT64_MIN, INT64_MAX, &v, &req->has_seed, e))
		return false;
	req->seed = (uint64_t)v;
	if (!req->has_seed && getentropy(&req->seed, sizeof(req->seed)) != 0)
		req->seed = (uint64_t)getpid();
	if (!get_bool(root, "stream", &req->stream, e))
		return false;
	if (opts && !json_object_is_type(opts, json_type_null)) {
		if (!json_object_is_type(opts, json_type_object))
			return bad(e, "stream_options", "'%s' must be an object");
		if (!req->stream)
			return bad(e, "stream_options", "'%s' is only allowed when 'stream' is "
				   "true");
		json_object_object_foreach(opts, key, val) {
			(void)val;
			if (strcmp(key, "include_usage") != 0) {
				serve_error_set(e, 400, INVALID, "stream_options", "unknown_parameter",
						"Unrecognized argument in stream_options: %.100s",
						key);
				return false;
			}
		}
		if (!get_bool(opts, "include_usage", &req->include_usage, e))
			return false;
	}
	for (const char *const *k = (const char *const[]){ "max_tokens",
			"max_completion_tokens", NULL }; *k; k++) {
		if (!get_int(root, *k, 0, INT32_MAX, &v, &given, e))
			return false;
		if (given && v == 0 && !req->echo)
			return bad(e, *k, "'%s' of 0 generates nothing: only with echo (to score "
				   "the prompt)");
		if (given && v == 0)
			req->prompt_only = true;
		else if (given)
			req->max_tokens = (int)v;
		given = false;
	}
	return true;
}

/* The body as a JSON object, or a 400 saying why not. */
static json_object *parse_json(const char *body, size_t len, struct serve_error *e)
{
	struct json_tokener *tok = json_tokener_new();
	json_object *root = NULL;
	char why[160];
	size_t end;

	if (!tok) {
		no_memory(e);
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	root = json_tokener_parse_ex(tok, body, (int)len);
	end = json_tokener_get_parse_end(tok);
	while (root && end < len && strchr(" \t\r\n", body[end]) && body[end])
		end++;
	if (!root || end != len) {
		enum json_tokener_error err = json_tokener_get_error(tok);

		serve_error_set(e, 400, INVALID, NULL, "invalid_json",
				"the body is not valid JSON: %s at byte %zu",
				root ? "data after the JSON value" :
				err == json_tokener_continue ? "unexpected end of the body" :
				json_tokener_error_desc(err), end);
		json_object_put(root);
		root = NULL;
	} else if (!json_object_is_type(root, json_type_object)) {
		serve_error_set(e, 400, INVALID, NULL, "invalid_json",
				"the body must be a JSON object");
		json_object_put(root);
		root = NULL;
	} else if (!serve_json_check(body, len, why, sizeof(why))) {
		serve_error_set(e, 400, INVALID, NULL, "invalid_json", "the body is not strict "
				"JSON: %s", why);
		json_object_put(root);
		root = NULL;
	}
	json_tokener_free(tok);
	return root;
}

static bool check_model(json_object *root, const char *model_name, struct serve_error *e)
{
	json_object *model = field(root, "model");

	if (!model)
		return bad(e, "model", "'%s' is required");
	if (!json_object_is_type(model, json_type_string))
		return bad(e, "model", "'%s' must be a string");
	if (strcmp(json_object_get_string(model), model_name) != 0) {
		serve_error_set(e, 404, INVALID, "model", "model_not_found",
				"The model '%.100s' does not exist; this server serves '%.100s'",
				json_object_get_string(model), model_name);
		return false;
	}
	return true;
}

bool serve_request_parse(enum serve_endpoint endpoint, const char *body, size_t len,
			 const char *model_name, struct serve_request *req,
			 struct serve_error *err)
{
	const char *const *fields = endpoint == SERVE_CHAT ? chat_fields : completion_fields;
	json_object *root = parse_json(body, len, err);
	struct text prompt = { 0 };
	bool ok;

	memset(req, 0, sizeof(*req));
	req->endpoint = endpoint;
	req->temperature = 1;
	req->top_p = 1;
	if (!root)
		return false;
	ok = true;
	json_object_object_foreach(root, key, val) {
		(void)val;
		if (ok && !known_field(fields, key)) {
			serve_error_set(err, 400, INVALID, key, "unknown_parameter",
					"Unrecognized request argument supplied: %.100s", key);
			ok = false;
		}
	}
	ok = ok && check_model(root, model_name, err) &&
	     (endpoint == SERVE_CHAT ? render_messages(field(root, "messages"), &prompt, err) :
				       take_prompt(field(root, "prompt"), req, &prompt, err)) &&
	     check_unsupported(root, err) && take_logprobs(root, req, err) &&
	     take_sampling(root, req, err) && take_stop(root, req, err);
	json_object_put(root);
	req->prompt = prompt.s;
	req->prompt_len = prompt.len;
	if (ok && !req->prompt && !req->prompt_ids)
		req->prompt = strdup("");
	if (ok && !req->prompt && !req->prompt_ids)
		ok = no_memory(err);
	if (!ok)
		serve_request_free(req);
	return ok;
}

bool serve_request_fit(struct serve_request *req, const struct ea_model *model,
		       int max_tokens_limit, struct serve_error *err)
{
	const struct ea_model_info *info = ea_model_info(model);
	size_t n = (size_t)req->n_prompt_ids;
	ea_status st = req->prompt_ids ? EA_OK :
		       ea_tokenize(model, req->prompt, req->prompt_len, 0, NULL, 0, &n);

	for (int i = 0; i < req->n_prompt_ids; i++)
		if (req->prompt_ids[i] >= info->n_vocab) {
			serve_error_set(err, 400, INVALID, "prompt", "invalid_value", "'prompt': "
					"token id %d at %d is not below the vocabulary's %d",
					(int)req->prompt_ids[i], i, info->n_vocab);
			return false;
		}
	if (st != EA_OK) {
		serve_error_set(err, 500, "server_error", NULL, NULL, "tokenizing the prompt: %s",
				ea_strerror(st));
		return false;
	}
	req->n_prompt_tokens = (int)n;
	if (n == 0) {
		serve_error_set(err, 400, INVALID, req->endpoint == SERVE_CHAT ? "messages" :
				"prompt", "invalid_value", "the prompt is empty");
		return false;
	}
	if (req->max_tokens > max_tokens_limit) {
		serve_error_set(err, 400, INVALID, "max_tokens", "invalid_value",
				"max_tokens is %d; this server allows at most %d",
				req->max_tokens, max_tokens_limit);
		return false;
	}
	if (n >= (size_t)info->n_ctx) {
		serve_error_set(err, 400, INVALID, "messages", "context_length_exceeded",
				"This model's maximum context length is %d tokens; the prompt "
				"has %zu, and at least one must be left to generate",
				info->n_ctx, n);
		return false;
	}
	if (req->max_tokens && n + (size_t)req->max_tokens > (size_t)info->n_ctx) {
		serve_error_set(err, 400, INVALID, "max_tokens", "context_length_exceeded",
				"This model's maximum context length is %d tokens; you asked "
				"for %zu (%zu in the prompt, %d in the completion)",
				info->n_ctx, n + (size_t)req->max_tokens, n, req->max_tokens);
		return false;
	}
	if (!req->max_tokens && !req->prompt_only) {
		req->max_tokens = info->n_ctx - (int)n;
		if (req->max_tokens > max_tokens_limit)
			req->max_tokens = max_tokens_limit;
	}
	return true;
}

void serve_request_params(const struct serve_request *req, struct ea_generate_params *p)
{
	memset(p, 0, sizeof(*p));
	p->prompt = req->prompt;
	p->prompt_len = req->prompt_len;
	p->max_tokens = req->max_tokens;
	p->temperature = req->temperature;
	p->top_k = req->top_k;
	p->top_p = req->top_p;
	p->seed = req->seed;
	p->stop = (const char *const *)req->stop;
	p->n_stop = req->n_stop;
	if (req->prompt_ids) {
		p->prompt = NULL;
		p->prompt_len = 0;
		p->prompt_tokens = req->prompt_ids;
		p->n_prompt_tokens = req->n_prompt_ids;
	}
	p->logprobs = req->logprobs;
	p->top_logprobs = req->top_logprobs;
	p->echo = req->echo && req->logprobs;
	p->prompt_only = req->prompt_only;
}

char *serve_request_prompt_text(const struct serve_request *req, const struct ea_model *model,
				size_t *len)
{
	size_t n = req->prompt_len;
	char *text;

	if (req->prompt_ids && ea_detokenize(model, req->prompt_ids, (size_t)req->n_prompt_ids,
					     0, NULL, 0, &n) != EA_OK)
		return NULL;
	text = malloc(n + 1);
	if (!text)
		return NULL;
	if (req->prompt_ids) {
		ea_detokenize(model, req->prompt_ids, (size_t)req->n_prompt_ids, 0, text, n + 1,
			      &n);
	} else {
		memcpy(text, req->prompt, n);
		text[n] = '\0';
	}
	*len = n;
	return text;
}

void serve_request_free(struct serve_request *req)
{
	free(req->prompt);
	free(req->prompt_ids);
	for (int i = 0; i < req->n_stop; i++)
		free(req->stop[i]);
	memset(req, 0, sizeof(*req));
}

// SPDX-License-Identifier: MIT
/*
 * ea_generate - one request on a session: tokenize the prompt (or take its
 * token ids), run what of it the KV cache does not hold yet, then sample,
 * stream and evaluate one token at a time until a stop string, the
 * end-of-sequence token, max_tokens, the end of the context or a cancel from
 * the callback. With logprobs, each token's log-probability record is kept
 * with the session's cache (ea_session.h: lp), so that an echo of a prompt
 * that extends an earlier request evaluates only its new tokens.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ea_clock.h"
#include "ea_logprob.h"
#include "ea_sample.h"
#include "ea_session.h"
#include "ea_tokenizer.h"
#include "ea_utf8.h"

/* One request in progress. */
struct generation {
	struct ea_session *s;
	const struct ea_tokenizer *tok;
	ea_text_fn on_text;
	void *user;
	size_t len;		/* bytes of text in s->text */
	size_t shown;		/* of them, passed to on_text */
	bool cancelled;
};

const char *ea_finish_reason_name(enum ea_finish_reason reason)
{
	switch (reason) {
	case EA_FINISH_STOP:
		return "stop";
	case EA_FINISH_LENGTH:
		return "length";
	case EA_FINISH_EOS:
		return "eos";
	case EA_FINISH_CANCELLED:
		return "cancelled";
	}
	return "unknown";
}

static ea_status check_params(struct ea_session *s, const struct ea_generate_params *p)
{
	struct ea_error *e = &s->error;

	if (!p->prompt == !p->prompt_tokens)
		return ea_error_set(e, EA_ERR_INVALID_ARGUMENT, "give the prompt as text or as "
				    "token ids, one of the two");
	if (p->prompt_tokens && p->n_prompt_tokens <= 0)
		return ea_error_set(e, EA_ERR_INVALID_ARGUMENT, "%d prompt tokens: at least one "
				    "is needed", p->n_prompt_tokens);
	if (p->top_logprobs < 0 || p->top_logprobs > EA_MAX_LOGPROBS ||
	    ((p->top_logprobs || p->echo) && !p->logprobs))
		return ea_error_set(e, EA_ERR_INVALID_ARGUMENT, "top_logprobs %d, echo %d: 0 .. %d, "
				    "and only with logprobs", p->top_logprobs, p->echo,
				    EA_MAX_LOGPROBS);
	if (p->flags & ~(EA_TEXT_SPECIAL | EA_TEXT_NO_BOS))
		return ea_error_set(e, EA_ERR_INVALID_ARGUMENT, "unknown flags 0x%x",
				    p->flags & ~(EA_TEXT_SPECIAL | EA_TEXT_NO_BOS));
	if (p->max_tokens < 0)
		return ea_error_set(e, EA_ERR_INVALID_ARGUMENT, "max_tokens %d: must be >= 0 "
				    "(0: up to the context)", p->max_tokens);
	if (!(p->temperature >= 0.0f) || isinf(p->temperature))
		return ea_error_set(e, EA_ERR_INVALID_ARGUMENT, "temperature %g: must be a "
				    "finite number >= 0 (0: greedy)", p->temperature);
	if (p->top_k < 0)
		return ea_error_set(e, EA_ERR_INVALID_ARGUMENT, "top_k %d: must be >= 0 (0: all "
				    "tokens)", p->top_k);
	if (!(p->top_p >= 0.0f))
		return ea_error_set(e, EA_ERR_INVALID_ARGUMENT, "top_p %g: must be >= 0 (0 or "
				    ">= 1: all tokens)", p->top_p);
	if (p->n_stop < 0 || p->n_stop > EA_MAX_STOP_STRINGS || (p->n_stop && !p->stop))
		return ea_error_set(e, EA_ERR_INVALID_ARGUMENT, "%d stop strings%s: at most %d",
				    p->n_stop, p->n_stop && !p->stop ? " at NULL" : "",
				    EA_MAX_STOP_STRINGS);
	for (int i = 0; i < p->n_stop; i++)
		if (!p->stop[i] || !p->stop[i][0])
			return ea_error_set(e, EA_ERR_INVALID_ARGUMENT, "stop string %d is %s", i,
					    p->stop[i] ? "empty" : "NULL");
	return EA_OK;
}

/* The prompt's tokens, checked against the context; *@budget the tokens to
 * generate at most. */
static ea_status prompt_tokens(struct ea_session *s, const struct ea_generate_params *p,
			       int32_t **tokens, int *n_tokens, int *budget)
{
	const struct ea_model *m = s->model;
	size_t n = 0;
	ea_status status;

	*tokens = NULL;
	if (p->prompt_tokens) {
		for (int i = 0; i < p->n_prompt_tokens; i++)
			if (p->prompt_tokens[i] < 0 || p->prompt_tokens[i] >= m->cfg.n_vocab)
				return ea_error_set(&s->error, EA_ERR_INVALID_ARGUMENT, "prompt "
						    "token %d is %d, not an id below the "
						    "vocabulary's %d", i, (int)p->prompt_tokens[i],
						    m->cfg.n_vocab);
		n = (size_t)p->n_prompt_tokens;
		*tokens = malloc(n * sizeof(**tokens));
		if (!*tokens)
			return ea_error_set(&s->error, EA_ERR_NO_MEMORY, "out of memory for %zu "
					    "prompt tokens", n);
		memcpy(*tokens, p->prompt_tokens, n * sizeof(**tokens));
	} else {
		size_t len = p->prompt_len ? p->prompt_len : strlen(p->prompt);

		status = ea_tokenizer_encode(m->tokenizer, p->prompt, len,
					     (p->flags & EA_TEXT_SPECIAL ? EA_TOKENIZE_SPECIAL : 0) |
					     (!(p->flags & EA_TEXT_NO_BOS) && m->info.adds_bos ?
					      EA_TOKENIZE_ADD_BOS : 0), tokens, &n);
		if (status != EA_OK)
			return ea_error_set(&s->error, status, "out of memory tokenizing the "
					    "prompt");
	}
	if (n == 0)
		return ea_error_set(&s->error, EA_ERR_INVALID_ARGUMENT, "the prompt is empty: "
				    "it has no tokens");
	if (n + (size_t)p->max_tokens > (size_t)m->cfg.n_ctx || n >= (size_t)m->cfg.n_ctx)
		return ea_error_set(&s->error, EA_ERR_INVALID_ARGUMENT, "the prompt's %zu tokens "
				    "and max_tokens %d do not fit the model's context of %d "
				    "tokens", n, p->max_tokens, m->cfg.n_ctx);
	*n_tokens = (int)n;
	*budget = p->max_tokens ? p->max_tokens : m->cfg.n_ctx - (int)n;
	return EA_OK;
}

static bool text_append(struct generation *g, const char *bytes, size_t n)
{
	struct ea_session *s = g->s;

	if (g->len + n + 1 > s->text_cap) {
		size_t cap = (g->len + n + 1) * 2;
		char *text = realloc(s->text, cap);

		if (!text)
			return false;
		s->text = text;
		s->text_cap = cap;
	}
	memcpy(s->text + g->len, bytes, n);
	g->len += n;
	s->text[g->len] = '\0';
	return true;
}

/* Pass text up to @upto to the callback; a non-zero answer cancels. */
static void emit(struct generation *g, size_t upto)
{
	if (upto <= g->shown)
		return;
	if (g->on_text && g->on_text(g->s->text + g->shown, upto - g->shown, g->user))
		g->cancelled = true;
	g->shown = upto;
}

/* Which stop string starts at @at in the text. */
static int stop_index(const struct ea_generate_params *p, const char *text, size_t len,
		      size_t at)
{
	for (int i = 0; i < p->n_stop; i++) {
		size_t n = strlen(p->stop[i]);

		if (at + n <= len && memcmp(text + at, p->stop[i], n) == 0)
			return i;
	}
	return -1;
}

static enum ea_finish_reason finish_reason(enum ea_stop_reason reason)
{
	switch (reason) {
	case EA_STOP_STRING:
		return EA_FINISH_STOP;
	case EA_STOP_EOS:
		return EA_FINISH_EOS;
	default:
		return EA_FINISH_LENGTH;
	}
}

/* The end: pass on the text up to @show, a character cut short by the end
 * as U+FFFD (the replacement character). */
static ea_status finish(struct generation *g, size_t show, enum ea_stop_reason reason,
			struct ea_generate_result *r)
{
	size_t whole = ea_utf8_whole(g->s->text, show);

	if (whole < show) {
		g->len = whole;
		if (!text_append(g, "\xef\xbf\xbd", 3))
			return ea_error_set(&g->s->error, EA_ERR_NO_MEMORY, "out of memory");
		show = g->len;
	}
	emit(g, show);
	r->finish_reason = g->cancelled ? EA_FINISH_CANCELLED : finish_reason(reason);
	return EA_OK;
}

/* With logprobs, the record of @token at @pos from the @logits that
 * predicted it; false when on_token cancels. */
static bool note_logprob(struct ea_session *s, const struct ea_generate_params *p,
			 const float *logits, int32_t token, int pos)
{
	if (!p->logprobs)
		return true;
	ea_logprob_of(logits, s->model->cfg.n_vocab, token, p->top_logprobs, &s->lp[pos]);
	if (s->n_lp == pos)
		s->n_lp = pos + 1;
	return !p->on_token || !p->on_token(&s->lp[pos], p->token_user);
}

/* Sample, stream and evaluate until a stop; @logits are the prompt's last. */
static ea_status decode_loop(struct generation *g, const struct ea_generate_params *p,
			     struct ea_sampler *sampler, const struct ea_stop_rules *rules,
			     float *logits, int pos, struct ea_generate_result *r)
{
	ea_status status = EA_OK;

	while (!g->cancelled) {
		double t0 = ea_now_ms();
		int32_t token = ea_sampler_next(sampler, logits);
		const char *bytes = "";
		size_t n_bytes = 0, show;
		enum ea_stop_reason reason;

		if (!note_logprob(g->s, p, logits, token, pos))
			g->cancelled = true;
		ea_trace_span(g->s->trace, "engine", "sample", t0, ea_now_ms(), "\"token\":%d",
			      (int)token);
		r->n_generated_tokens++;
		if (!ea_tokenizer_is_control(g->tok, token) &&
		    ea_tokenizer_decode(g->tok, token, &bytes, &n_bytes) != EA_OK)
			n_bytes = 0;	/* a row of the model beyond the tokenizer's vocab */
		if (!text_append(g, bytes, n_bytes))
			return ea_error_set(&g->s->error, EA_ERR_NO_MEMORY, "out of memory for "
					    "%zu bytes of text", g->len + n_bytes);
		reason = ea_stop_check(rules, r->n_generated_tokens, token, g->s->text, g->len,
				       &show);
		if (reason == EA_STOP_STRING)
			r->stop_index = stop_index(p, g->s->text, g->len, show);
		if (reason != EA_STOP_NONE)
			return finish(g, show, reason, r);
		emit(g, ea_utf8_whole(g->s->text, show));
		if (!g->cancelled) {
			t0 = ea_now_ms();
			status = ea_session_eval(g->s, &token, 1, pos, logits);
			ea_trace_span(g->s->trace, "engine", "step", t0, ea_now_ms(), "\"pos\":%d",
				      pos++);
		}
		if (status != EA_OK)
			return status;
	}
	r->finish_reason = EA_FINISH_CANCELLED;
	return EA_OK;
}

/* The records with logprobs: room for one a position of the context. */
static ea_status logprob_room(struct ea_session *s)
{
	if (!s->lp)
		s->lp = calloc((size_t)s->model->cfg.n_ctx, sizeof(*s->lp));
	if (!s->lp)
		return ea_error_set(&s->error, EA_ERR_NO_MEMORY, "out of memory for %d "
				    "log-probability records", s->model->cfg.n_ctx);
	return EA_OK;
}

/* Prompt tokens whose logits one batch of an echo holds (n_vocab each). */
#define ECHO_BATCH 64

/*
 * Tokens from .. n - 1 of an echoed prompt in batches whose every token's
 * logits score the next token; the last one's into @logits.
 * EA_ERR_UNSUPPORTED, with nothing run, where the engine cannot.
 */
static ea_status echo_batches(struct ea_session *s, const struct ea_generate_params *p,
			      const int32_t *tokens, int from, int n, float *logits)
{
	size_t n_vocab = (size_t)s->model->cfg.n_vocab;
	int batch = n - from < ECHO_BATCH ? n - from : ECHO_BATCH;
	float *all = malloc((size_t)batch * n_vocab * sizeof(*all));
	ea_status status = EA_OK;

	if (!all)
		return ea_error_set(&s->error, EA_ERR_NO_MEMORY, "out of memory for %d x %zu "
				    "logits", batch, n_vocab);
	for (int i = from; i < n && status == EA_OK; i += batch) {
		int m = n - i < batch ? n - i : batch;

		status = ea_session_eval_all(s, &tokens[i], m, i, all);
		for (int k = 0; k < m && status == EA_OK && i + k + 1 < n; k++) {
			ea_logprob_of(all + (size_t)k * n_vocab, (int)n_vocab, tokens[i + k + 1],
				      p->top_logprobs, &s->lp[i + k + 1]);
			s->n_lp = i + k + 2;
		}
		if (status == EA_OK)
			memcpy(logits, all + (size_t)(m - 1) * n_vocab, n_vocab * sizeof(*logits));
	}
	free(all);
	return status;
}

/*
 * The prompt with echo: every token's record. Those the cache holds, with
 * at least the alternatives asked for, are kept; from the first one missing
 * the prompt runs in batches whose every token's logits score the next
 * token, or a token at a time where the engine gives only the last token's
 * logits. *@n_cached: the positions taken from the KV cache as they were.
 */
static ea_status prefill_echo(struct ea_session *s, const struct ea_generate_params *p,
			      const int32_t *tokens, int n, float *logits, int *n_cached)
{
	int same = ea_session_cached(s, tokens, n);
	int keep = s->lp_top >= p->top_logprobs && s->n_lp < same ? s->n_lp :
		   s->lp_top >= p->top_logprobs ? same : 0;
	int from = keep > 1 ? keep - 1 : 0;
	ea_status status;

	*n_cached = from;
	s->lp[0] = (struct ea_token_logprob){ .token = tokens[0], .logprob = NAN };
	status = echo_batches(s, p, tokens, from, n, logits);
	if (status == EA_OK && n == 1)
		s->n_lp = 1;
	if (status != EA_ERR_UNSUPPORTED)
		return status;
	status = EA_OK;
	for (int i = from; i < n && status == EA_OK; i++) {
		status = ea_session_eval(s, &tokens[i], 1, i, logits);
		if (status == EA_OK && i + 1 < n) {
			ea_logprob_of(logits, s->model->cfg.n_vocab, tokens[i + 1],
				      p->top_logprobs, &s->lp[i + 1]);
			s->n_lp = i + 2;
		}
	}
	if (status == EA_OK && n == 1)
		s->n_lp = 1;
	return status;
}

/* With echo, the prompt's records to on_token, each with the alternatives
 * asked for (those kept from the cache may have more); false when it cancels. */
static bool note_prompt(struct ea_session *s, const struct ea_generate_params *p, int n_prompt)
{
	for (int i = 0; i < n_prompt; i++) {
		if (s->lp[i].n_top > p->top_logprobs)
			s->lp[i].n_top = p->top_logprobs;
		if (p->on_token && p->on_token(&s->lp[i], p->token_user))
			return false;
	}
	return true;
}

/* The records of the request, none with more alternatives than it asked for
 * (its generated ones have exactly that many; a prompt's kept from the cache
 * may have fewer, but is returned only with echo, which keeps none such);
 * lp_top: the alternatives every cached record has at least. */
static void logprob_result(struct ea_session *s, const struct ea_generate_params *p,
			   int n_prompt, bool kept_prompt, struct ea_generate_result *r)
{
	int first = p->echo ? 0 : n_prompt, end = n_prompt + r->n_generated_tokens;

	s->lp_top = p->echo || !kept_prompt ? p->top_logprobs :
		    s->lp_top < p->top_logprobs ? s->lp_top : p->top_logprobs;
	for (int i = 0; i < s->n_lp; i++)
		if (s->lp[i].n_top > p->top_logprobs)
			s->lp[i].n_top = p->top_logprobs;
	r->logprobs = s->lp + first;
	r->n_logprobs = end - first;
	r->n_echoed = p->echo ? n_prompt : 0;
}

ea_status ea_generate(struct ea_session *session, const struct ea_generate_params *params,
		      ea_text_fn on_text, void *user, struct ea_generate_result *result)
{
	struct ea_generate_result r = { .stop_index = -1 };
	struct generation g = { .s = session, .on_text = on_text, .user = user };
	struct ea_sample_params sample;
	struct ea_stop_rules rules = { 0 };
	struct ea_sampler sampler;
	int32_t *tokens = NULL;
	float *logits = NULL;
	int n_prompt = 0, budget = 0;
	bool kept_prompt;
	double start, began = ea_now_ms();
	ea_status status;

	if (!session)
		return EA_ERR_INVALID_ARGUMENT;
	if (!params)
		return ea_error_set(&session->error, EA_ERR_INVALID_ARGUMENT, "the parameters "
				    "are NULL");
	if (!session->model->tokenizer)
		return ea_error_set(&session->error, EA_ERR_INVALID_ARGUMENT, "the model has no "
				    "tokenizer: open it with ea_model_open()");
	status = check_params(session, params);
	if (status == EA_OK)
		status = prompt_tokens(session, params, &tokens, &n_prompt, &budget);
	ea_trace_span(session->trace, "engine", "tokenize", began, ea_now_ms(), "\"tokens\":%d",
		      n_prompt);
	if (status != EA_OK) {
		free(tokens);
		return status;
	}
	g.tok = session->model->tokenizer;
	sample = (struct ea_sample_params){ .temperature = params->temperature,
					    .top_k = params->top_k, .seed = params->seed,
					    .top_p = params->top_p > 0.0f && params->top_p < 1.0f ?
						     params->top_p : 1.0f };
	rules = (struct ea_stop_rules){ .max_tokens = budget, .stop = params->stop,
					.n_stop = params->n_stop,
					.eos_token = params->ignore_eos ? -1 :
						     session->model->info.eos_token };
	status = ea_sampler_init(&sampler, &sample, session->model->cfg.n_vocab, &session->error);
	if (status != EA_OK) {
		free(tokens);
		return status;
	}
	logits = malloc((size_t)session->model->cfg.n_vocab * sizeof(float));
	if (!logits || !text_append(&g, "", 0)) {
		status = ea_error_set(&session->error, EA_ERR_NO_MEMORY, "out of memory for the "
				      "logits and text");
		goto out;
	}

	if (params->logprobs)
		status = logprob_room(session);
	if (status != EA_OK)
		goto out;
	kept_prompt = session->n_lp > 1;
	start = ea_now_ms();
	status = params->logprobs && params->echo ?
		 prefill_echo(session, params, tokens, n_prompt, logits, &r.n_cached_tokens) :
		 ea_session_prefill(session, tokens, n_prompt, logits, &r.n_cached_tokens);
	ea_trace_span(session->trace, "engine", "prompt", start, ea_now_ms(),
		      "\"tokens\":%d,\"cached\":%d", n_prompt, r.n_cached_tokens);
	if (status != EA_OK)
		goto out;
	r.n_prompt_tokens = n_prompt;
	r.prompt_s = (ea_now_ms() - start) / 1e3;

	start = ea_now_ms();
	if (params->echo && !note_prompt(session, params, n_prompt))
		r.finish_reason = EA_FINISH_CANCELLED;
	else if (params->prompt_only)
		r.finish_reason = EA_FINISH_LENGTH;
	else
		status = decode_loop(&g, params, &sampler, &rules, logits, n_prompt, &r);
	r.generate_s = (ea_now_ms() - start) / 1e3;
	if (status != EA_OK)
		goto out;
	if (params->logprobs)
		logprob_result(session, params, n_prompt, kept_prompt, &r);
	session->text[g.shown] = '\0';
	r.text = session->text;
	r.text_len = g.shown;
	r.prompt_tok_s = r.prompt_s > 0 ? (n_prompt - r.n_cached_tokens) / r.prompt_s : 0;
	r.generate_tok_s = r.generate_s > 0 ? r.n_generated_tokens / r.generate_s : 0;
	if (result)
		*result = r;
out:
	ea_trace_span(session->trace, "engine", "generate", began, ea_now_ms(),
		      "\"prompt_tokens\":%d,\"generated\":%d,\"status\":%d", n_prompt,
		      r.n_generated_tokens, (int)status);
	ea_trace_flush(session->trace);
	if (status != EA_OK)
		ea_session_reset(session);
	ea_sampler_free(&sampler);
	free(logits);
	free(tokens);
	return status;
}

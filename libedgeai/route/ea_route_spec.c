// SPDX-License-Identifier: MIT
/*
 * ea_route_spec - speculative decoding across the network: the local model
 * drafts k tokens greedily, one /completions call over token ids
 * (ea_cloud_verify()) returns the cloud model's own greedy choice at every
 * draft position and one token more, and the longest agreeing prefix plus
 * the cloud's token after it is kept. Every kept token is the cloud's greedy
 * choice given the ones before it, so the text is the cloud model's greedy
 * text, token for token; the local model only saves the cloud steps its
 * agreeing drafts cover.
 *
 * k adapts to what the request measures (ea_spec_pace.h): the chance that
 * a drafted token agrees, the verify call's time (round trip and the
 * cloud's work) and a drafted token's; it is the k with the most kept
 * tokens a millisecond, between 1 and EA_SPEC_MAX_DRAFT. The verify call
 * runs on its own thread while the local model drafts the next block ahead,
 * on the guess that the whole draft is kept and the cloud's next token is
 * the local model's; when the guess holds, that block is sent next without
 * waiting, else it is thrown away (the KV cache is rewound by the next
 * prefill, which keeps only the positions that match). When the cloud
 * fails mid-request, the text so far is kept and the local model completes
 * it; when it cannot verify at all (another tokenizer, no token ids, echo or
 * logprobs), nothing has been sent to the caller and the router offloads the
 * request plainly instead.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ea_clock.h"
#include "ea_route_spec.h"
#include "ea_sample.h"
#include "ea_session.h"
#include "ea_spec_pace.h"
#include "ea_tokenizer.h"
#include "ea_utf8.h"

/* The request as it grows. */
struct spec {
	struct ea_session *s;
	const struct ea_generate_params *p;
	int32_t *tokens;		/* the prompt, then the kept tokens */
	int n_prompt, n, cap;
	float *logits;			/* the local model's, after tokens[n - 1] */
	char *text;			/* the kept tokens' text */
	size_t len, cap_text, shown;
	struct ea_stop_rules rules;
	ea_spec_text_fn emit;
	void *user;
	bool done;
	struct ea_spec_result *out;
};

static int32_t argmax(const float *x, int n)
{
	int32_t best = 0;

	for (int i = 1; i < n; i++)
		if (x[i] > x[best])
			best = i;
	return best;
}

static bool show_upto(struct spec *sp, size_t upto)
{
	if (upto > sp->shown && !sp->emit(sp->text + sp->shown, upto - sp->shown, sp->user)) {
		sp->out->finish_reason = EA_FINISH_CANCELLED;
		sp->done = true;
	}
	if (upto > sp->shown)
		sp->shown = upto;
	return !sp->done;
}

/* Keep @token: its text, the stop rules, the caller's stream. */
static ea_status keep(struct spec *sp, int32_t token)
{
	const struct ea_tokenizer *tok = sp->s->model->tokenizer;
	const char *bytes = "";
	size_t n = 0, show;
	enum ea_stop_reason why;

	if (sp->n >= sp->cap)
		return EA_ERR_NO_MEMORY;
	sp->tokens[sp->n++] = token;
	sp->out->n_generated_tokens++;
	if (!ea_tokenizer_is_control(tok, token) &&
	    ea_tokenizer_decode(tok, token, &bytes, &n) != EA_OK)
		n = 0;
	if (sp->len + n + 1 > sp->cap_text) {
		size_t cap = (sp->len + n + 1) * 2;
		char *grown = realloc(sp->text, cap);

		if (!grown)
			return EA_ERR_NO_MEMORY;
		sp->text = grown;
		sp->cap_text = cap;
	}
	memcpy(sp->text + sp->len, bytes, n);
	sp->len += n;
	sp->text[sp->len] = '\0';
	why = ea_stop_check(&sp->rules, sp->out->n_generated_tokens, token, sp->text, sp->len,
			    &show);
	if (why != EA_STOP_NONE) {
		sp->out->finish_reason = why == EA_STOP_STRING ? EA_FINISH_STOP :
					 why == EA_STOP_EOS ? EA_FINISH_EOS : EA_FINISH_LENGTH;
		sp->done = true;
		/* A character cut short by the end stays as it is: the pieces are
		 * the cloud's tokens, which the caller may check byte for byte. */
		if (show > sp->shown)
			sp->emit(sp->text + sp->shown, show - sp->shown, sp->user);
		sp->shown = show > sp->shown ? show : sp->shown;
		return EA_OK;
	}
	show_upto(sp, ea_utf8_whole(sp->text, show));
	return EA_OK;
}

/* The local model's logits after every kept token. */
static ea_status catch_up(struct spec *sp)
{
	int reused;
	ea_status st = ea_session_prefill(sp->s, sp->tokens, sp->n, sp->logits, &reused);

	return st;
}

/* Draft up to @k tokens greedily after the kept ones; *@n_draft of them. */
static ea_status draft(struct spec *sp, int k, int32_t *d, int *n_draft)
{
	int n_vocab = sp->s->model->cfg.n_vocab, n_ctx = sp->s->model->cfg.n_ctx;
	int left = sp->rules.max_tokens ? sp->rules.max_tokens - sp->out->n_generated_tokens :
		   n_ctx;
	ea_status st = EA_OK;

	if (k > left)
		k = left;
	if (k > n_ctx - sp->n - 1)
		k = n_ctx - sp->n - 1;
	*n_draft = k > 0 ? k : 0;
	for (int i = 0; i < *n_draft && st == EA_OK; i++) {
		d[i] = argmax(sp->logits, n_vocab);
		if (i + 1 < *n_draft)
			st = ea_session_eval(sp->s, &d[i], 1, sp->n + i, sp->logits);
	}
	return st;
}

/* The local model alone from here (the cloud failed): greedy, as ea_generate(). */
static ea_status finish_locally(struct spec *sp)
{
	int n_ctx = sp->s->model->cfg.n_ctx;
	ea_status st = catch_up(sp);

	while (st == EA_OK && !sp->done) {
		if (sp->n >= n_ctx) {
			sp->out->finish_reason = EA_FINISH_LENGTH;
			break;
		}
		st = keep(sp, argmax(sp->logits, sp->s->model->cfg.n_vocab));
		if (st == EA_OK && !sp->done)
			st = ea_session_eval(sp->s, &sp->tokens[sp->n - 1], 1, sp->n - 1,
					     sp->logits);
	}
	return st;
}

/* A verify call on its own thread. */
struct verify_call {
	const struct ea_cloud_endpoint *cloud;
	const int32_t *ids;
	int n, from;
	int32_t choice[EA_SPEC_MAX_DRAFT], next;
	int cached;
	double ms;			/* the call's time */
	ea_status st;
	struct ea_error why;
	pthread_t thread;
	bool threaded;
};

static void *verify_main(void *arg)
{
	struct verify_call *v = arg;
	double start = ea_now_ms();

	v->st = ea_cloud_verify(v->cloud, v->ids, v->n, v->from, v->choice, &v->next, &v->cached,
				&v->why);
	v->ms = ea_now_ms() - start;
	return NULL;
}

static void verify_start(struct verify_call *v)
{
	v->threaded = pthread_create(&v->thread, NULL, verify_main, v) == 0;
	if (!v->threaded)
		verify_main(v);
}

static void verify_wait(struct verify_call *v)
{
	if (v->threaded)
		pthread_join(v->thread, NULL);
}

/*
 * While the cloud verifies @d (@n_draft tokens after the kept ones), draft
 * the block after it on the guess that all of @d is kept and the cloud's
 * next token is the local model's (*@guess): up to @k tokens into @e.
 * *@n_e is 0 when there is no room (the budget or the context).
 */
static ea_status draft_ahead(struct spec *sp, const int32_t *d, int n_draft, int k,
			     int32_t *guess, int32_t *e, int *n_e)
{
	int n_vocab = sp->s->model->cfg.n_vocab, n_ctx = sp->s->model->cfg.n_ctx;
	int pos = sp->n + n_draft - 1;	/* of d's last token */
	int left = sp->rules.max_tokens - sp->out->n_generated_tokens - n_draft - 1;
	ea_status st;

	*n_e = 0;
	if (k > left)
		k = left;
	if (k > n_ctx - (pos + 2) - 1)
		k = n_ctx - (pos + 2) - 1;
	if (k <= 0)
		return EA_OK;
	st = ea_session_eval(sp->s, &d[n_draft - 1], 1, pos, sp->logits);
	if (st == EA_OK) {
		*guess = argmax(sp->logits, n_vocab);
		st = ea_session_eval(sp->s, guess, 1, pos + 1, sp->logits);
	}
	for (int i = 0; i < k && st == EA_OK; i++) {
		e[i] = argmax(sp->logits, n_vocab);
		if (i + 1 < k)
			st = ea_session_eval(sp->s, &e[i], 1, pos + 2 + i, sp->logits);
	}
	if (st == EA_OK)
		*n_e = k;
	return st;
}

ea_status ea_route_speculative(const struct ea_cloud_endpoint *cloud, struct ea_session *s,
			       const struct ea_generate_params *p, int k,
			       ea_spec_text_fn emit, void *user, struct ea_spec_result *out,
			       struct ea_error *err)
{
	const struct ea_model *m = s->model;
	struct spec sp = { .s = s, .p = p, .emit = emit, .user = user, .out = out };
	int32_t d[EA_SPEC_MAX_DRAFT], ahead[EA_SPEC_MAX_DRAFT], guess = -1;
	int n_ahead = 0;
	struct ea_spec_pace pace = { 0 };
	size_t n_prompt = 0;
	int32_t *prompt = NULL;
	ea_status st;

	memset(out, 0, sizeof(*out));
	out->draft_k = k;
	if (p->temperature != 0.0f)
		return ea_error_set(err, EA_ERR_UNSUPPORTED, "speculative decoding here is "
				    "greedy: temperature %g", p->temperature);
	st = ea_tokenize(m, p->prompt, p->prompt_len ? p->prompt_len : strlen(p->prompt),
			 p->flags, NULL, 0, &n_prompt);
	if (st == EA_OK && (n_prompt == 0 || n_prompt >= (size_t)m->cfg.n_ctx))
		st = ea_error_set(err, EA_ERR_INVALID_ARGUMENT, "a prompt of %zu tokens for a "
				  "context of %d", n_prompt, m->cfg.n_ctx);
	if (st == EA_OK) {
		sp.cap = m->cfg.n_ctx;
		sp.tokens = malloc((size_t)sp.cap * sizeof(*sp.tokens));
		sp.logits = malloc((size_t)m->cfg.n_vocab * sizeof(*sp.logits));
		prompt = sp.tokens;
		if (!sp.tokens || !sp.logits)
			st = ea_error_set(err, EA_ERR_NO_MEMORY, "out of memory");
	}
	if (st == EA_OK)
		st = ea_tokenize(m, p->prompt, p->prompt_len ? p->prompt_len : strlen(p->prompt),
				 p->flags, prompt, (size_t)sp.cap, &n_prompt);
	sp.n = sp.n_prompt = (int)n_prompt;
	sp.rules = (struct ea_stop_rules){ .max_tokens = p->max_tokens ? p->max_tokens :
							 m->cfg.n_ctx - sp.n,
					   .stop = p->stop, .n_stop = p->n_stop,
					   .eos_token = p->ignore_eos ? -1 : m->info.eos_token };
	if (st == EA_OK)
		st = catch_up(&sp);
	if (st != EA_OK && st != EA_ERR_UNSUPPORTED && st != EA_ERR_INVALID_ARGUMENT &&
	    st != EA_ERR_NO_MEMORY)
		st = ea_error_set(err, st, "local: %s", ea_session_error(s));
	k = k > 0 ? (k > EA_SPEC_MAX_DRAFT ? EA_SPEC_MAX_DRAFT : k) : ea_spec_pace_k(&pace);
	while (st == EA_OK && !sp.done) {
		struct verify_call v = { .cloud = cloud, .ids = sp.tokens, .from = sp.n };
		int n_draft, agree = 0, k_ahead = out->draft_k > 0 ? k : ea_spec_pace_k(&pace);
		double draft_ms = -1.0, ahead_ms;
		bool kept_ahead;

		if (n_ahead) {
			memcpy(d, ahead, (size_t)n_ahead * sizeof(*d));
			n_draft = n_ahead;
			n_ahead = 0;
		} else {
			double start = ea_now_ms();

			st = draft(&sp, k, d, &n_draft);
			if (n_draft > 1)	/* the first token's logits were there already */
				draft_ms = (ea_now_ms() - start) / (n_draft - 1);
		}
		if (st != EA_OK) {
			st = ea_error_set(err, st, "local: %s", ea_session_error(s));
			break;
		}
		if (n_draft == 0) {
			out->finish_reason = EA_FINISH_LENGTH;
			break;
		}
		memcpy(sp.tokens + sp.n, d, (size_t)n_draft * sizeof(*d));
		v.n = sp.n + n_draft;
		verify_start(&v);
		/* The next block while the cloud works; its failure only costs the overlap. */
		ahead_ms = ea_now_ms();
		if (draft_ahead(&sp, d, n_draft, k_ahead, &guess, ahead, &n_ahead) != EA_OK)
			n_ahead = 0;
		if (n_ahead && draft_ms < 0)	/* n_ahead + 1 evaluations */
			draft_ms = (ea_now_ms() - ahead_ms) / (n_ahead + 1);
		verify_wait(&v);
		if (v.st != EA_OK) {
			n_ahead = 0;
			st = v.st;
			/* Nothing kept yet: the caller may offload instead. */
			if (st == EA_ERR_UNSUPPORTED || !out->verify_calls) {
				*err = v.why;
				break;
			}
			snprintf(out->fallback_reason, sizeof(out->fallback_reason), "%.250s",
				 v.why.msg);
			out->fell_back = true;
			st = finish_locally(&sp);
			break;
		}
		out->last_cached = v.cached;
		out->sent_tokens += v.n;
		out->cached_tokens += v.cached > 0 ? v.cached : 0;
		out->verify_calls++;
		out->drafted += n_draft;
		while (agree < n_draft && v.choice[agree] == d[agree])
			agree++;
		out->accepted += agree;
		ea_spec_pace_add(&pace, agree, n_draft, v.ms, draft_ms);
		for (int i = 0; i < agree && st == EA_OK && !sp.done; i++)
			st = keep(&sp, d[i]);
		if (st == EA_OK && !sp.done)
			st = keep(&sp, agree < n_draft ? v.choice[agree] : v.next);
		kept_ahead = n_ahead && agree == n_draft && v.next == guess;
		if (!kept_ahead)
			n_ahead = 0;
		else
			out->ahead_kept++;
		if (st == EA_OK && !sp.done && !kept_ahead)
			st = catch_up(&sp);
		/* The next draft (when none was made ahead) from what this call measured. */
		if (out->draft_k <= 0)
			k = ea_spec_pace_k(&pace);
	}
	if (st == EA_ERR_NO_MEMORY && !err->msg[0])
		ea_error_set(err, st, "out of memory");
	out->tokens = sp.tokens + sp.n_prompt;
	out->n_tokens = sp.n - sp.n_prompt;
	out->owned = sp.tokens;
	free(sp.logits);
	free(sp.text);
	return st;
}

void ea_spec_result_free(struct ea_spec_result *r)
{
	free(r->owned);
	memset(r, 0, sizeof(*r));
}

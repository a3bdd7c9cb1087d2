// SPDX-License-Identifier: MIT
/*
 * ea_route.c - routed generation (edgeai.h): classify the request's privacy,
 * ask for a decision, run it on the local session or offload it to the
 * cloud endpoint with its personal data redacted, and complete it locally
 * when the cloud fails, continuing a cut answer from its partial text.
 * Every piece of text reaches the caller through one sink, which keeps the
 * whole answer and the time of its first piece.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ea_clock.h"
#include "ea_pii.h"
#include "ea_route.h"
#include "ea_route_restore.h"
#include "ea_gguf.h"
#include "ea_route_prompt.h"
#include "ea_route_spec.h"
#include "ea_session.h"

_Static_assert(EA_ROUTE_LOCAL == EDGEAI_ROUTE_LOCAL && EA_ROUTE_CLOUD == EDGEAI_ROUTE_CLOUD &&
	       EA_ROUTE_REJECT == EDGEAI_ROUTE_REJECT, "decisions as the module's");
_Static_assert(EA_PRIVACY_SENSITIVE - 1 == EDGEAI_PRIVACY_SENSITIVE &&
	       EA_PRIVACY_PERSONAL - 1 == EDGEAI_PRIVACY_PERSONAL &&
	       EA_PRIVACY_PUBLIC - 1 == EDGEAI_PRIVACY_PUBLIC, "privacy classes as the module's");

EA_API const char *ea_route_reason_name(uint32_t reason)
{
	if (reason == EA_ROUTE_REASON_FORCED)
		return "forced";
	return reason < EDGEAI_REASON_COUNT ? edgeai_reason_names[reason] : "unknown";
}

EA_API const char *ea_route_decision_name(enum ea_route_decision d)
{
	return (unsigned)d < EDGEAI_ROUTE_DECISION_COUNT ? edgeai_decision_names[d] : "unknown";
}

EA_API const char *ea_route_where_name(enum ea_route_where w)
{
	static const char *const names[] = { "nowhere", "local", "cloud",
					     "local after fallback" };

	return (unsigned)w < sizeof(names) / sizeof(names[0]) ? names[w] : "unknown";
}

EA_API const char *ea_route_policy_name(enum ea_route_policy p)
{
	return p == EA_ROUTE_POLICY_LATENCY ? "latency" :
	       p == EA_ROUTE_POLICY_PRIVACY ? "privacy" : "builtin";
}

/* ---- the router -------------------------------------------------------- */

static ea_status pick_endpoint(struct ea_router *r, const char *name)
{
	for (size_t i = 0; i < r->n_endpoints; i++) {
		if (!name || (r->endpoints[i].name && !strcmp(r->endpoints[i].name, name))) {
			r->cloud = &r->endpoints[i];
			return EA_OK;
		}
	}
	return ea_error_set(&r->error, EA_ERR_NOT_FOUND, "no endpoint named '%s'",
			    name ? name : "");
}

static ea_status router_setup(struct ea_router *r, const struct ea_router_options *o)
{
	ea_status st;

	if (o->model_id >= EDGEAI_MODEL_COUNT || (unsigned)o->policy > EA_ROUTE_POLICY_PRIVACY)
		return ea_error_set(&r->error, EA_ERR_INVALID_ARGUMENT,
				    "model_id must be below %d, policy one of the three",
				    EDGEAI_MODEL_COUNT);
	r->redact = o->redact;
	r->policy = o->policy;
	r->model_id = o->model_id;
	if (o->probe_cache && !(r->probe_cache = strdup(o->probe_cache)))
		return ea_error_set(&r->error, EA_ERR_NO_MEMORY, "out of memory");
	ea_route_cloud_load_cache(r);
	if (!o->cloud_config)
		return EA_OK;
	st = ea_cloud_config_load(o->cloud_config, &r->endpoints, &r->n_endpoints, &r->error);
	return st != EA_OK ? st : pick_endpoint(r, o->endpoint);
}

static ea_status router_open(struct ea_device *dev, const struct ea_router_options *options,
			     struct ea_router **out, struct ea_error *err)
{
	static const struct ea_router_options defaults;
	struct ea_router *r;
	ea_status st;

	if (!out)
		return ea_error_set(err, EA_ERR_INVALID_ARGUMENT, "ea_router_open: out is NULL");
	*out = NULL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return ea_error_set(err, EA_ERR_NO_MEMORY, "ea_router_open: out of memory");
	r->dev = dev;
	r->trace = ea_trace_open();
	st = router_setup(r, options ? options : &defaults);
	if (st != EA_OK) {
		*err = r->error;
		ea_router_close(r);
		return st;
	}
	*out = r;
	return EA_OK;
}

EA_API ea_status ea_router_open(struct ea_device *dev, const struct ea_router_options *options,
				struct ea_router **out, char *errmsg, size_t errmsg_size)
{
	struct ea_error err = { { 0 } };
	ea_status st = router_open(dev, options, out, &err);

	ea_error_copy_out(&err, errmsg, errmsg_size);
	return st;
}

EA_API void ea_router_close(struct ea_router *r)
{
	if (!r)
		return;
	ea_trace_close(r->trace);
	ea_cloud_endpoints_free(r->endpoints, r->n_endpoints);
	free(r->probe_cache);
	free(r->text);
	free(r);
}

EA_API const char *ea_router_error(const struct ea_router *r)
{
	return r ? r->error.msg : "";
}

/* ---- one request ------------------------------------------------------- */

/* Where every piece of the answer goes: the caller and the router's copy. */
struct sink {
	struct ea_router *r;
	ea_text_fn on_text;
	void *user;
	double start_ms, ttft_ms;
	bool cancelled, failed;
};

static bool sink_text(const char *text, size_t len, void *user)
{
	struct sink *s = user;
	struct ea_router *r = s->r;

	if (!len)
		return true;
	if (r->text_len + len + 1 > r->text_cap) {
		size_t cap = (r->text_len + len + 1) * 2;
		char *p = realloc(r->text, cap);

		if (!p) {
			s->failed = true;
			return false;
		}
		r->text = p;
		r->text_cap = cap;
	}
	memcpy(r->text + r->text_len, text, len);
	r->text_len += len;
	r->text[r->text_len] = '\0';
	if (s->ttft_ms < 0)
		s->ttft_ms = ea_now_ms() - s->start_ms;
	if (s->on_text && s->on_text(text, len, s->user))
		s->cancelled = true;
	return !s->cancelled;
}

static int sink_local(const char *text, size_t len, void *user)
{
	return !sink_text(text, len, user);
}

/* One request's state between its steps. */
struct job {
	struct ea_router *r;
	struct ea_session *session;
	const struct ea_generate_params *params;
	struct ea_route_result *res;
	struct sink sink;
	struct ea_pii_redaction redaction;
	int cloud_tokens;
	double held_s;		/* a cascade's local answer: its generation time */
	uint32_t deadline_ms;	/* the caller's, from the request's start; 0: none */
};

/* What is left of the request's deadline for a cloud call (0: no deadline). */
static uint32_t deadline_left(const struct job *j)
{
	double left;

	if (!j->deadline_ms)
		return 0;
	left = j->deadline_ms - (ea_now_ms() - j->sink.start_ms);
	return left < 1 ? 1 : (uint32_t)left;
}

static int count_tokens(const struct job *j, const char *text, size_t len, unsigned flags)
{
	size_t n = 0;

	if (!j->session)
		return (int)(len / 4);
	ea_tokenize(j->session->model, text, len, flags, NULL, 0, &n);
	return (int)n;
}

static size_t prompt_len(const struct ea_generate_params *p)
{
	return p->prompt_len ? p->prompt_len : strlen(p->prompt);
}

/* The class the decision sees: the caller's, else the detector's. */
static uint32_t classify(struct job *j, const struct ea_route_params *rp)
{
	j->res->n_personal = ea_pii_scan(j->params->prompt, prompt_len(j->params), NULL, 0);
	if (rp->privacy != EA_PRIVACY_DETECT)
		j->res->privacy = rp->privacy;
	else if (!j->res->n_personal)
		j->res->privacy = EA_PRIVACY_PUBLIC;
	else
		j->res->privacy = j->r->redact ? EA_PRIVACY_PERSONAL : EA_PRIVACY_SENSITIVE;
	return (uint32_t)j->res->privacy - 1;
}

static ea_status run_local(struct job *j, const char *prompt, size_t len, int max_tokens)
{
	struct ea_generate_params gp = *j->params;
	struct ea_generate_result lr;
	ea_status st;

	if (!j->session)
		return ea_error_set(&j->r->error, EA_ERR_INVALID_ARGUMENT,
				    "no local session to run on%s%s",
				    j->res->fallback_reason[0] ? ": " : "", j->res->fallback_reason);
	gp.prompt = prompt;
	gp.prompt_len = len;
	gp.max_tokens = max_tokens;
	st = ea_generate(j->session, &gp, sink_local, &j->sink, &lr);
	if (j->sink.failed)
		return ea_error_set(&j->r->error, EA_ERR_NO_MEMORY, "out of memory");
	if (st != EA_OK)
		return ea_error_set(&j->r->error, st, "local: %s", ea_session_error(j->session));
	j->res->finish_reason = lr.finish_reason;
	j->res->n_generated_tokens += lr.n_generated_tokens;
	ea_route_local_sample(j->r, lr.generate_s, lr.n_generated_tokens);
	return EA_OK;
}

/* The cloud failed: run it all locally, or continue the cut answer. */
static ea_status fall_back(struct job *j)
{
	const struct ea_generate_params *p = j->params;
	size_t plen = prompt_len(p), tlen = j->r->text_len;
	int left = p->max_tokens;
	char *joined;
	ea_status st;

	j->res->where = EA_RAN_LOCAL_AFTER_FALLBACK;
	if (!tlen)
		return run_local(j, p->prompt, plen, p->max_tokens);
	j->cloud_tokens = count_tokens(j, j->r->text, tlen, EA_TEXT_NO_BOS);
	j->res->n_generated_tokens = j->cloud_tokens;
	if (p->max_tokens && (left = p->max_tokens - j->cloud_tokens) <= 0) {
		j->res->finish_reason = EA_FINISH_LENGTH;
		return EA_OK;
	}
	joined = malloc(plen + tlen + 1);
	if (!joined)
		return ea_error_set(&j->r->error, EA_ERR_NO_MEMORY, "out of memory");
	memcpy(joined, p->prompt, plen);
	memcpy(joined + plen, j->r->text, tlen);
	st = run_local(j, joined, plen + tlen, left);
	free(joined);
	return st;
}

static bool cloud_piece(const char *text, size_t len, void *user)
{
	return ea_restore_feed(user, text, len);
}

static enum ea_finish_reason cloud_finish(const struct job *j, const char *reason)
{
	if (j->sink.cancelled)
		return EA_FINISH_CANCELLED;
	return !strcmp(reason, "length") ? EA_FINISH_LENGTH : EA_FINISH_EOS;
}

/* The text that leaves the device: the prompt, or its redaction. */
static const char *cloud_prompt(struct job *j, char **copy, ea_status *st)
{
	*copy = strndup(j->params->prompt, prompt_len(j->params));
	*st = *copy ? EA_OK : EA_ERR_NO_MEMORY;
	if (!*copy || !j->r->redact || !j->res->n_personal)
		return *copy;
	*st = ea_pii_redact(*copy, &j->redaction);
	j->res->redacted = *st == EA_OK;
	return j->redaction.text;
}

static void cloud_done(struct job *j, const struct ea_cloud_result *cr)
{
	j->res->where = EA_RAN_CLOUD;
	j->res->finish_reason = cloud_finish(j, cr->finish_reason);
	j->res->n_generated_tokens = cr->completion_tokens >= 0 ? cr->completion_tokens :
		count_tokens(j, j->r->text ? j->r->text : "", j->r->text_len, EA_TEXT_NO_BOS);
}

static ea_status run_cloud(struct job *j)
{
	const struct ea_generate_params *p = j->params;
	struct ea_cloud_request req = { .stream = true, .max_tokens = p->max_tokens,
					.temperature = p->temperature, .top_p = p->top_p,
					.on_text = cloud_piece,
					.deadline_ms = deadline_left(j) };
	struct ea_cloud_result cr;
	struct ea_restore restore;
	struct ea_error why;
	char *copy;
	double start_ms = ea_now_ms();
	ea_status st;

	req.prompt = cloud_prompt(j, &copy, &st);
	if (st != EA_OK) {
		free(copy);
		return ea_error_set(&j->r->error, st, "out of memory");
	}
	ea_restore_init(&restore, &j->redaction, sink_text, &j->sink);
	req.user = &restore;
	st = ea_cloud_complete(j->r->cloud, &req, &cr, &why);
	ea_trace_span(j->r->trace, "cloud", "cloud request", start_ms, ea_now_ms(),
		      "\"status\":%d,\"completion_tokens\":%d", (int)st, cr.completion_tokens);
	if (st != EA_OK)
		ea_error_copy_out(&why, j->res->fallback_reason, sizeof(j->res->fallback_reason));
	if (!j->sink.cancelled)
		ea_restore_flush(&restore);
	ea_restore_free(&restore);
	free(copy);
	j->res->cut = cr.cut;
	j->res->cloud_bytes = j->r->text_len;
	if (j->sink.failed || restore.failed) {
		st = ea_error_set(&j->r->error, EA_ERR_NO_MEMORY, "out of memory");
	} else if (st == EA_OK) {
		ea_route_cloud_up(j->r);
		cloud_done(j, &cr);
	} else {
		/* Not routed there again until a probe answers. */
		ea_route_cloud_down(j->r);
		st = fall_back(j);
	}
	ea_cloud_result_free(&cr);
	return st;
}

/* Whether the cloud says it shares the local model's tokenizer; else why not. */
static bool tokenizer_shared(struct ea_router *r, const struct ea_session *s, char *why,
			     size_t whysz)
{
	char cloud[65], local[65];
	uint8_t hash[32];
	struct ea_error err;

	if (ea_cloud_tokenizer(r->cloud, cloud, &err) != EA_OK ||
	    ea_gguf_tokenizer_hash(s->model->gguf, hash, &err) != EA_OK) {
		snprintf(why, whysz, "%.190s", err.msg);
		return false;
	}
	for (int i = 0; i < 32; i++)
		snprintf(local + 2 * i, 3, "%02x", hash[i]);
	if (strcmp(cloud, local)) {
		snprintf(why, whysz, "the cloud's tokenizer (%.12s…) is not the local one (%.12s…)",
			 cloud, local);
		return false;
	}
	return true;
}

static bool spec_piece(const char *text, size_t len, void *user)
{
	return sink_text(text, len, user);
}

/* The local model drafts, the cloud verifies; plain offload when it cannot. */
static ea_status run_speculative(struct job *j, const struct ea_route_params *rp)
{
	struct ea_route_result *res = j->res;
	struct ea_spec_result sr;
	struct ea_error err = { { 0 } };
	char why[200];
	ea_status st;

	if (!j->session || !tokenizer_shared(j->r, j->session, why, sizeof(why))) {
		snprintf(res->fallback_reason, sizeof(res->fallback_reason), "speculative: %s; "
			 "offloaded plainly", j->session ? why : "no local session to draft on");
		return run_cloud(j);
	}
	st = ea_route_speculative(j->r->cloud, j->session, j->params, rp->draft_tokens,
				  spec_piece, &j->sink, &sr, &err);
	if (st == EA_ERR_UNSUPPORTED || (st == EA_ERR_CLOUD && !sr.verify_calls)) {
		snprintf(res->fallback_reason, sizeof(res->fallback_reason), "speculative: %.200s; "
			 "offloaded plainly", err.msg);
		ea_spec_result_free(&sr);
		return run_cloud(j);
	}
	res->speculative = true;
	res->verify_calls = sr.verify_calls;
	res->drafted = sr.drafted;
	res->accepted = sr.accepted;
	res->pipelined = sr.ahead_kept;
	res->cloud_prompt_tokens = sr.sent_tokens;
	res->cloud_cached_tokens = sr.cached_tokens;
	res->n_generated_tokens = sr.n_generated_tokens;
	res->finish_reason = j->sink.cancelled ? EA_FINISH_CANCELLED : sr.finish_reason;
	res->where = sr.fell_back ? EA_RAN_LOCAL_AFTER_FALLBACK : EA_RAN_CLOUD;
	if (sr.fell_back)
		snprintf(res->fallback_reason, sizeof(res->fallback_reason), "%s",
			 sr.fallback_reason);
	res->cloud_bytes = j->r->text_len;
	ea_spec_result_free(&sr);
	if (j->sink.failed)
		return ea_error_set(&j->r->error, EA_ERR_NO_MEMORY, "out of memory");
	if (st != EA_OK)
		return ea_error_pass(&j->r->error, &err, st);
	return EA_OK;
}

/* A cascade's local attempt: its text held back, its confidence as it grows. */
struct cascade {
	struct job *j;
	struct ea_route_ask ask;
	struct ea_route_params params;	/* the caller's, with the confidence to decide on */
	uint32_t surprisal;		/* the prompt's, milli-nats a token */
	bool scored;			/* the prompt had a token to score */
	int budget;			/* the answer's tokens at most */
	double sum;			/* the answer's log-probabilities so far */
	int n;
	uint32_t asked;			/* the least bound the policy has seen */
	bool escalate;
	char *text;
	size_t len, cap;
	ea_status status;
};

/* exp(mean log-probability), per mille. */
static uint32_t per_mille(double sum, int n)
{
	double p = n ? exp(sum / n) : 1.0;

	return (uint32_t)lround(1000.0 * (p < 1.0 ? p : 1.0));
}

/* The policy's answer to a local answer of @confidence. */
static bool doubtful(struct cascade *c, uint32_t confidence)
{
	struct ea_route_result d = { 0 };

	c->params.has_confidence = true;
	c->params.confidence = confidence;
	c->status = ea_route_decide(c->j->r, &c->ask, &d);
	if (c->status != EA_OK || d.decision != EA_ROUTE_CLOUD)
		return false;
	c->j->res->reason = d.reason;
	c->j->res->priority = d.priority;
	c->j->res->decided_in_kernel = d.decided_in_kernel;
	snprintf(c->j->res->policy, sizeof(c->j->res->policy), "%s", d.policy);
	return true;
}

/*
 * A token more: the most the answer's confidence can still be at its end
 * (as if every token to come were certain) goes to the policy whenever it
 * falls; when that is below the floor, the answer is doubtful for certain.
 */
static int cascade_token(const struct ea_token_logprob *t, void *user)
{
	struct cascade *c = user;
	uint32_t bound;

	c->sum += t->logprob;
	c->n++;
	bound = ea_route_confidence(c->surprisal, c->scored, c->sum, c->budget);
	if (bound >= c->asked)
		return 0;
	c->asked = bound;
	c->escalate = doubtful(c, bound);
	return c->escalate;
}

static int cascade_text(const char *text, size_t len, void *user)
{
	struct cascade *c = user;

	if (c->len + len + 1 > c->cap) {
		size_t cap = (c->len + len + 1) * 2;
		char *grown = realloc(c->text, cap);

		if (!grown)
			return 1;
		c->text = grown;
		c->cap = cap;
	}
	memcpy(c->text + c->len, text, len);
	c->len += len;
	return 0;
}

static ea_status offload(struct job *j);

/* The prompt scored, then the local answer, held back; doubtful -> the cloud, as
 * early as it is certain. */
static ea_status run_cascade(struct job *j, const struct ea_route_params *rp,
			     const struct ea_route_ask *ask)
{
	struct cascade c = { .j = j, .ask = *ask, .params = *rp, .asked = 1000,
			     .budget = (int)ask->max_new_tokens };
	struct ea_generate_params gp = *j->params;
	struct ea_route_result *res = j->res;
	struct ea_generate_result lr;
	struct ea_error err;
	ea_status st;

	c.ask.params = &c.params;
	if (!j->session) {
		snprintf(res->fallback_reason, sizeof(res->fallback_reason), "cascade: no local "
			 "session to answer first");
		return offload(j);
	}
	st = ea_route_score_prompt(j->session, j->params, &lr, &err);
	if (st != EA_OK)
		return ea_error_pass(&j->r->error, &err, st);
	res->surprisal = c.surprisal = ea_route_surprisal(&lr);
	res->prompt_tokens = lr.n_prompt_tokens;
	c.scored = lr.n_echoed > 1;
	gp.logprobs = true;
	gp.top_logprobs = 0;
	gp.echo = false;
	gp.on_token = cascade_token;
	gp.token_user = &c;
	res->cascaded = true;
	st = ea_generate(j->session, &gp, cascade_text, &c, &lr);
	res->confidence = ea_route_confidence(c.surprisal, c.scored, c.sum, c.n);
	res->answer_confidence = per_mille(c.sum, c.n);
	if (st == EA_OK && c.status == EA_OK && !c.escalate && c.len == lr.text_len &&
	    lr.finish_reason != EA_FINISH_CANCELLED)
		c.escalate = doubtful(&c, res->confidence);
	else if (st == EA_OK && c.status == EA_OK && !c.escalate)
		st = ea_error_set(&j->r->error, EA_ERR_NO_MEMORY, "out of memory for the local "
				  "answer");
	res->local_tokens = lr.n_generated_tokens;
	if (st == EA_OK && c.status != EA_OK)
		st = c.status;
	if (st != EA_OK) {
		free(c.text);
		return st == EA_ERR_NO_MEMORY ? st : ea_error_set(&j->r->error, st, "local: %s",
								   ea_session_error(j->session));
	}
	if (c.escalate) {
		free(c.text);
		res->escalated = true;
		res->decision = EA_ROUTE_CLOUD;
		return offload(j);
	}
	res->decision = EA_ROUTE_LOCAL;
	res->where = EA_RAN_LOCAL;
	res->reason = EDGEAI_REASON_CONFIDENT;
	res->finish_reason = lr.finish_reason;
	res->n_generated_tokens = lr.n_generated_tokens;
	ea_route_local_sample(j->r, lr.generate_s, lr.n_generated_tokens);
	j->held_s = lr.generate_s;
	sink_text(c.text ? c.text : "", c.len, &j->sink);
	free(c.text);
	return j->sink.failed ? ea_error_set(&j->r->error, EA_ERR_NO_MEMORY, "out of memory") :
	       EA_OK;
}

/* Decide from the prompt alone: its length, its surprisal, its class. */
static ea_status run_router(struct job *j, const struct ea_route_params *rp,
			    const struct ea_route_ask *ask)
{
	struct ea_route_result *res = j->res;
	const struct ea_generate_params *p = j->params;
	struct ea_generate_result scored;
	struct ea_error err;
	ea_status st;

	snprintf(res->policy, sizeof(res->policy), "router");
	if (!j->session) {
		snprintf(res->fallback_reason, sizeof(res->fallback_reason), "router: no local "
			 "model to score the prompt");
		res->decision = EA_ROUTE_CLOUD;
		return offload(j);
	}
	st = ea_route_score_prompt(j->session, p, &scored, &err);
	if (st != EA_OK)
		return ea_error_pass(&j->r->error, &err, st);
	res->surprisal = ea_route_surprisal(&scored);
	res->prompt_tokens = scored.n_prompt_tokens;
	res->decision = edgeai_policy_router(ask->privacy, rp->deadline_ms,
					     (uint32_t)scored.n_prompt_tokens, res->surprisal,
					     rp->router_ceiling ? rp->router_ceiling :
					     EDGEAI_POLICY_SURPRISAL_CEILING, rp->router_max_prompt,
					     &res->reason, &res->priority);
	if (res->decision == EA_ROUTE_CLOUD)
		return offload(j);
	res->where = EA_RAN_LOCAL;
	return run_local(j, p->prompt, prompt_len(p), p->max_tokens);
}

/* Offload the prompt without its least surprising tokens. */
static ea_status run_compress(struct job *j, const struct ea_route_params *rp)
{
	struct ea_route_result *res = j->res;
	const struct ea_generate_params *p = j->params;
	struct ea_generate_params shorter = *p;
	struct ea_generate_result scored;
	struct ea_error err;
	char *text = NULL;
	size_t len = 0;
	ea_status st;

	snprintf(res->policy, sizeof(res->policy), "compress");
	res->decision = EA_ROUTE_CLOUD;
	res->reason = EA_ROUTE_REASON_FORCED;
	res->prompt_bytes = res->sent_bytes = prompt_len(p);
	if (!j->session || res->privacy == EA_PRIVACY_SENSITIVE)
		return offload(j);
	st = ea_route_score_prompt(j->session, p, &scored, &err);
	if (st == EA_OK)
		st = ea_route_compress(j->session->model, &scored, rp->compress_drop, 0, &text,
				       &len, &res->sent_tokens, &err);
	if (st != EA_OK)
		return ea_error_pass(&j->r->error, &err, st);
	res->prompt_tokens = scored.n_prompt_tokens;
	res->surprisal = ea_route_surprisal(&scored);
	res->sent_bytes = len;
	shorter.prompt = text;
	shorter.prompt_len = len;
	shorter.flags |= EA_TEXT_NO_BOS;	/* the kept tokens hold it when the prompt did */
	j->params = &shorter;
	j->res->n_personal = ea_pii_scan(text, len, NULL, 0);
	st = offload(j);
	j->params = p;
	free(text);
	return st;
}

/* A cloud decision that cannot or must not leave the device runs here. */
static ea_status offload(struct job *j)
{
	if (j->res->privacy == EA_PRIVACY_SENSITIVE) {
		snprintf(j->res->fallback_reason, sizeof(j->res->fallback_reason),
			 "kept local: sensitive data never leaves the device");
		j->res->where = EA_RAN_LOCAL;
		return run_local(j, j->params->prompt, prompt_len(j->params),
				 j->params->max_tokens);
	}
	if (!j->r->cloud) {
		snprintf(j->res->fallback_reason, sizeof(j->res->fallback_reason),
			 "no cloud endpoint configured");
		return fall_back(j);
	}
	return run_cloud(j);
}

static ea_status route(struct job *j, const struct ea_route_params *rp)
{
	const struct ea_generate_params *p = j->params;
	struct ea_route_ask ask = { .params = rp, .has_local = j->session != NULL };
	int n_ctx = j->session ? ea_model_info(j->session->model)->n_ctx : 0;
	ea_status st;

	ask.privacy = classify(j, rp);
	if (rp->collab == EA_COLLAB_SPECULATIVE) {
		struct ea_route_params forced = *rp;

		forced.force = EA_ROUTE_FORCE_CLOUD;
		ask.params = &forced;
		st = ea_route_decide(j->r, &ask, j->res);
		snprintf(j->res->policy, sizeof(j->res->policy), "speculative");
		if (st != EA_OK)
			return st;
		if (j->res->privacy == EA_PRIVACY_SENSITIVE || !j->r->cloud ||
		    (j->r->redact && j->res->n_personal))
			return offload(j);
		return run_speculative(j, rp);
	}
	ask.prompt_tokens = (uint32_t)count_tokens(j, p->prompt, prompt_len(p), p->flags);
	ask.max_new_tokens = p->max_tokens > 0 ? (uint32_t)p->max_tokens :
			     n_ctx > (int)ask.prompt_tokens ? (uint32_t)(n_ctx - ask.prompt_tokens) : 0;
	if (rp->collab == EA_COLLAB_CASCADE) {
		snprintf(j->res->policy, sizeof(j->res->policy), "cascade");
		return run_cascade(j, rp, &ask);
	}
	if (rp->collab == EA_COLLAB_ROUTER)
		return run_router(j, rp, &ask);
	if (rp->collab == EA_COLLAB_COMPRESS)
		return run_compress(j, rp);
	st = ea_route_decide(j->r, &ask, j->res);
	if (st != EA_OK)
		return st;
	if (j->res->decision == EA_ROUTE_REJECT)
		return EA_OK;
	if (j->res->decision == EA_ROUTE_CLOUD)
		return offload(j);
	j->res->where = EA_RAN_LOCAL;
	return run_local(j, p->prompt, prompt_len(p), p->max_tokens);
}

static void finish(struct job *j)
{
	struct ea_route_result *res = j->res;
	double gen_ms;

	res->text = j->r->text ? j->r->text : "";
	res->text_len = j->r->text_len;
	res->total_ms = ea_now_ms() - j->sink.start_ms;
	res->ttft_ms = j->sink.ttft_ms >= 0 ? j->sink.ttft_ms : res->total_ms;
	/* A held-back local answer comes at once: its rate is its generation's. */
	gen_ms = j->held_s > 0 ? j->held_s * 1e3 : res->total_ms - res->ttft_ms;
	res->tokens_per_s = gen_ms > 0 ? res->n_generated_tokens / (gen_ms / 1e3) : 0;
}

EA_API ea_status ea_generate_routed(struct ea_router *router, struct ea_session *session,
				    const struct ea_generate_params *params,
				    const struct ea_route_params *route_params, ea_text_fn on_text,
				    void *user, struct ea_route_result *result)
{
	static const struct ea_route_params defaults;
	struct ea_route_result scratch;
	struct job j = { .r = router, .session = session, .params = params,
			 .res = result ? result : &scratch,
			 .sink = { router, on_text, user, ea_now_ms(), -1, false, false } };
	ea_status st;

	if (!router)
		return EA_ERR_INVALID_ARGUMENT;
	if (!params || !params->prompt)
		return ea_error_set(&router->error, EA_ERR_INVALID_ARGUMENT, "no prompt");
	memset(j.res, 0, sizeof(*j.res));
	router->error.msg[0] = '\0';
	router->text_len = 0;
	if (router->text)
		router->text[0] = '\0';
	if (!route_params)
		route_params = &defaults;
	j.deadline_ms = route_params->deadline_ms;
	ea_route_cloud_check(router);
	st = route(&j, route_params);
	ea_pii_redaction_free(&j.redaction);
	finish(&j);
	ea_trace_span(router->trace, "route", "routed request", j.sink.start_ms, ea_now_ms(),
		      "\"where\":\"%s\",\"status\":%d", ea_route_where_name(j.res->where), (int)st);
	ea_trace_flush(router->trace);
	return st;
}

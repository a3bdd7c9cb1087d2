// SPDX-License-Identifier: MIT
/*
 * test_collab.c - the edge and cloud models together on the trained pair
 * (../shared/models): `edgeai serve` runs cloud-f16 on loopback (CPU
 * reference), the local session edge-f16 on the CPU reference.
 *
 * Speculative decoding across the OpenAI API. For prompts of
 * heldout.txt's documents, the speculative text is the cloud model's own
 * greedy text (the same request offloaded plainly), token for token, with
 * adaptive drafts and with drafts of 1 and 8, and fewer cloud calls than
 * tokens. A cloud with another tokenizer, and one whose answers lack token
 * ids and logprobs, are offloaded plainly, saying why; a cloud killed after
 * the first verified text leaves the text so far, completed locally.
 *
 * Cascade: a floor no answer reaches escalates after the first local token,
 * and the cloud's answer comes back; a floor every answer passes keeps the
 * local answer (its greedy text), with its confidence (from the prompt's
 * surprisal and the answer's, as ea_route_confidence() says); a floor just
 * above that confidence escalates, as early as the bound allows and not
 * before, and one equal to it keeps the answer; a sensitive prompt never
 * escalates.
 *
 * Router: the prompt's surprisal decides (a ceiling above it: local, below:
 * the cloud; sensitive: local). Compression: 40% of the prompt's tokens
 * dropped, the first line and the personal data (as its placeholder) kept,
 * as a scripted cloud receives it.
 * Skips without the models.
 */
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ea_gguf.h"
#include "ea_model.h"
#include "ea_models.h"
#include "ea_route_prompt.h"
#include "ea_session.h"
#include "ea_tap.h"
#include "ea_test_server.h"
#include "ea_test_tool.h"
#include "edgeai.h"

#define N_PROMPTS 6
#define N_TOKENS 40
#define START_TIMEOUT_MS 60000
#define N_TESTS 14

struct server {
	pid_t pid;
	int port;
	char log[PATH_MAX];
};

static bool serve(struct server *s, const char *edgeai, const char *model, const char *log)
{
	snprintf(s->log, sizeof(s->log), "%s", log);
	s->pid = fork();
	if (s->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (!freopen(s->log, "w", stderr))
			_exit(127);
		execl(edgeai, edgeai, "serve", "-m", model, "--cpu", "--port", "0", "--model-name",
		      "cloud", (char *)NULL);
		_exit(127);
	}
	for (int waited = 0; s->pid > 0 && waited < START_TIMEOUT_MS; waited += 20) {
		if ((s->port = ea_test_read_port(s->log)))
			return true;
		usleep(20000);
	}
	return false;
}

static void stop(struct server *s)
{
	if (s->pid > 0) {
		kill(s->pid, SIGKILL);
		waitpid(s->pid, NULL, 0);
	}
	s->pid = 0;
	unlink(s->log);
}

/* A router whose cloud is 127.0.0.1:@port, without retries. */
static struct ea_router *router_to(const char *dir, int port)
{
	char path[PATH_MAX], why[512];
	struct ea_router_options o = { .cloud_config = path };
	struct ea_router *r = NULL;
	FILE *f;

	snprintf(path, sizeof(path), "%s/cloud-%d.json", dir, port);
	f = fopen(path, "w");
	if (!f)
		return NULL;
	fprintf(f, "{\"endpoints\":[{\"name\":\"cloud\",\"base_url\":\"http://127.0.0.1:%d/v1\","
		"\"model\":\"cloud\",\"retries\":0,\"timeout_ms\":60000}]}", port);
	fclose(f);
	if (ea_router_open(NULL, &o, &r, why, sizeof(why)) != EA_OK)
		tap_diag("ea_router_open: %s", why);
	unlink(path);
	return r;
}

/* What the caller saw, and a server to kill after the first piece. */
struct streamed {
	char text[8192];
	size_t len;
	struct server *kill_after_first;
};

static int on_text(const char *text, size_t len, void *user)
{
	struct streamed *s = user;

	if (s->len + len < sizeof(s->text)) {
		memcpy(s->text + s->len, text, len);
		s->len += len;
		s->text[s->len] = '\0';
	}
	if (s->kill_after_first) {
		stop(s->kill_after_first);
		s->kill_after_first = NULL;
	}
	return 0;
}

/* One request, the text it streamed in @out, its result in @res. */
static ea_status ask(struct ea_router *r, struct ea_session *s, const char *prompt,
		     enum ea_collab collab, int draft, struct streamed *out,
		     struct ea_route_result *res)
{
	struct ea_generate_params p = { .prompt = prompt, .max_tokens = N_TOKENS };
	struct ea_route_params rp = { .collab = collab, .draft_tokens = draft,
				      .force = collab == EA_COLLAB_ROUTE ? EA_ROUTE_FORCE_CLOUD :
									   EA_ROUTE_ASK };

	ea_status st = ea_generate_routed(r, s, &p, &rp, on_text, out, res);

	if (st != EA_OK)
		tap_diag("ea_generate_routed: %s", ea_router_error(r));
	return st;
}

/* "Package: NAME\nDescription:" of the first @n documents of heldout.txt. */
static int heldout_prompts(char prompts[][128], int n)
{
	char path[PATH_MAX], line[512];
	FILE *f;
	int got = 0;

	if (!ea_model_path("heldout.txt", path, sizeof(path)) || !(f = fopen(path, "r")))
		return 0;
	while (got < n && fgets(line, sizeof(line), f))
		if (!strncmp(line, "Package: ", 9)) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(prompts[got++], 128, "%.100s\nDescription:", line);
		}
	fclose(f);
	return got;
}

static void test_identity(struct tap *t, struct ea_router *r, struct ea_session *s,
			  char prompts[][128], int n)
{
	int tokens = 0, calls = 0, drafted = 0, accepted = 0, mismatches = 0, pipelined = 0;
	long sent = 0, cached = 0;
	bool ok = true;

	for (int i = 0; i < n && ok; i++) {
		struct streamed plain = { 0 }, spec = { 0 };
		struct ea_route_result a, b;

		ok = ask(r, s, prompts[i], EA_COLLAB_ROUTE, 0, &plain, &a) == EA_OK &&
		     ask(r, s, prompts[i], EA_COLLAB_SPECULATIVE, 0, &spec, &b) == EA_OK &&
		     b.speculative && b.where == EA_RAN_CLOUD;
		if (ok && strcmp(plain.text, spec.text)) {
			mismatches++;
			tap_diag("prompt %d: cloud '%s'\n#  speculative '%s'", i, plain.text,
				 spec.text);
		}
		if (ok && b.n_generated_tokens != a.n_generated_tokens)
			mismatches++;
		tokens += b.n_generated_tokens;
		calls += b.verify_calls;
		drafted += b.drafted;
		accepted += b.accepted;
		pipelined += b.pipelined;
		sent += b.cloud_prompt_tokens;
		cached += b.cloud_cached_tokens;
	}
	tap_diag("cloud tokens computed a generated token: %.2f with the server's prefix cache, "
		 "%.2f without (%ld prompt tokens sent, %ld of them cached)",
		 tokens ? (double)(sent - cached) / tokens : 0, tokens ? (double)sent / tokens : 0,
		 sent, cached);
	tap_ok(t, ok && !mismatches && calls < tokens && pipelined > 0 && cached > 0 &&
	       cached < sent, "%d prompts of "
	       "heldout.txt: the speculative text is the cloud's greedy text (%d mismatches), %d "
	       "tokens in %d cloud calls (%.2f a token), %d of %d drafted tokens accepted, %d "
	       "drafts made during the previous verify and sent", n, mismatches, tokens, calls,
	       tokens ? (double)calls / tokens : 0, accepted, drafted, pipelined);
}

static void test_fixed_k(struct tap *t, struct ea_router *r, struct ea_session *s,
			 const char *prompt)
{
	struct streamed plain = { 0 }, one = { 0 }, eight = { 0 };
	struct ea_route_result a, b, c;
	bool ok = ask(r, s, prompt, EA_COLLAB_ROUTE, 0, &plain, &a) == EA_OK &&
		  ask(r, s, prompt, EA_COLLAB_SPECULATIVE, 1, &one, &b) == EA_OK &&
		  ask(r, s, prompt, EA_COLLAB_SPECULATIVE, 8, &eight, &c) == EA_OK;

	tap_ok(t, ok && !strcmp(plain.text, one.text) && !strcmp(plain.text, eight.text) &&
	       b.drafted == b.verify_calls && c.drafted <= 8 * c.verify_calls,
	       "drafts of 1 and of 8 tokens: the same text (%d and %d cloud calls)",
	       b.verify_calls, c.verify_calls);
}

/* A cascade with a floor of @threshold per mille. */
static ea_status cascade(struct ea_router *r, struct ea_session *s, const char *prompt,
			 uint32_t threshold, enum ea_privacy privacy, struct streamed *out,
			 struct ea_route_result *res)
{
	struct ea_generate_params p = { .prompt = prompt, .max_tokens = N_TOKENS };
	struct ea_route_params rp = { .collab = EA_COLLAB_CASCADE,
				      .cascade_threshold = threshold, .privacy = privacy };
	ea_status st = ea_generate_routed(r, s, &p, &rp, on_text, out, res);

	if (st != EA_OK)
		tap_diag("ea_generate_routed: %s", ea_router_error(r));
	return st;
}

/* The local greedy answer's log-probabilities: their sum, and the token at which the
 * bound over N_TOKENS first falls below @floor (0: never). */
static int certain_at(const struct ea_token_logprob *lp, int n, uint32_t surprisal,
		      uint32_t floor, double *sum)
{
	int at = 0;

	*sum = 0.0;
	for (int i = 0; i < n; i++) {
		*sum += lp[i].logprob;
		if (!at && ea_route_confidence(surprisal, true, *sum, N_TOKENS) < floor)
			at = i + 1;
	}
	return at;
}

static void test_cascade(struct tap *t, struct ea_router *r, struct ea_session *s,
			 const char *prompt)
{
	struct streamed plain = { 0 }, high = { 0 }, low = { 0 }, kept = { 0 }, above = { 0 },
			equal = { 0 };
	struct ea_route_result a, b, c, d, e, f;
	struct ea_generate_params gp = { .prompt = prompt, .max_tokens = N_TOKENS,
					 .logprobs = true };
	struct ea_generate_result g;
	char local[8192] = "";
	double sum = 0.0;
	uint32_t mid = 0;
	int at = 0;
	bool ok;

	ok = ask(r, s, prompt, EA_COLLAB_ROUTE, 0, &plain, &a) == EA_OK &&
	     cascade(r, s, prompt, 1000, EA_PRIVACY_PUBLIC, &high, &b) == EA_OK &&
	     b.cascaded && b.escalated && b.where == EA_RAN_CLOUD && b.local_tokens == 1 &&
	     !strcmp(high.text, plain.text);
	tap_ok(t, ok, "cascade, floor 1000: escalated after the first local token (confidence "
	       "%u), the cloud's answer", b.confidence);

	ok = ea_generate(s, &gp, NULL, NULL, &g) == EA_OK && g.n_logprobs == N_TOKENS;
	if (ok)
		snprintf(local, sizeof(local), "%s", g.text);
	ok = ok && cascade(r, s, prompt, 1, EA_PRIVACY_PUBLIC, &low, &c) == EA_OK &&
	     c.cascaded && !c.escalated && c.where == EA_RAN_LOCAL && !strcmp(low.text, local) &&
	     c.local_tokens == N_TOKENS && c.prompt_tokens > 1 && c.surprisal > 0;
	if (ok) {
		at = certain_at(g.logprobs, g.n_logprobs, c.surprisal, c.confidence + 1, &sum);
		ok = c.confidence == ea_route_confidence(c.surprisal, true, sum, N_TOKENS) &&
		     c.answer_confidence == (uint32_t)lround(1000.0 * exp(sum / N_TOKENS)) &&
		     c.confidence < 1000 && at > 0;
	}
	tap_ok(t, ok, "cascade, floor 1: the local answer kept, its greedy text, confidence %u "
	       "per mille of a prompt of %d tokens at %.3f nats a token and an answer of %u",
	       c.confidence, c.prompt_tokens, c.surprisal / 1000.0, c.answer_confidence);

	ok = ok && cascade(r, s, prompt, c.confidence + 1, EA_PRIVACY_PUBLIC, &above, &e) ==
		   EA_OK && e.escalated && e.where == EA_RAN_CLOUD && e.local_tokens == at &&
	     !strcmp(above.text, plain.text) &&
	     cascade(r, s, prompt, c.confidence, EA_PRIVACY_PUBLIC, &equal, &f) == EA_OK &&
	     !f.escalated && f.where == EA_RAN_LOCAL && !strcmp(equal.text, local);
	tap_ok(t, ok, "cascade, floor %u: escalated at local token %d of %d, where the answer's "
	       "confidence can no longer reach the floor; floor %u: the local answer kept",
	       c.confidence + 1, e.local_tokens, N_TOKENS, c.confidence);

	/* A floor the bound crosses half-way: escalated there, not before. */
	if (ok) {
		double half = 0.0;

		for (int i = 0; i < N_TOKENS / 2; i++)
			half += g.logprobs[i].logprob;
		mid = ea_route_confidence(c.surprisal, true, half, N_TOKENS) + 1;
		at = certain_at(g.logprobs, N_TOKENS, c.surprisal, mid, &sum);
		above = (struct streamed){ 0 };
		ok = cascade(r, s, prompt, mid, EA_PRIVACY_PUBLIC, &above, &e) == EA_OK &&
		     e.escalated && at > 1 && at <= N_TOKENS / 2 && e.local_tokens == at &&
		     !strcmp(above.text, plain.text);
	}
	tap_ok(t, ok, "cascade, floor %u: escalated early, at local token %d of %d, the first "
	       "whose bound is under the floor", mid, e.local_tokens, N_TOKENS);

	ok = cascade(r, s, prompt, 1000, EA_PRIVACY_SENSITIVE, &kept, &d) == EA_OK &&
	     !d.escalated && d.where == EA_RAN_LOCAL && !strcmp(kept.text, local);
	tap_ok(t, ok, "cascade of a sensitive prompt, floor 1000: never escalates");
}

#define LONG_PROMPT "Package: vim\nDescription: Vi IMproved - enhanced vi editor\nVim is an " \
	"almost compatible version of the UNIX editor Vi. Many new features have been added: " \
	"multi level undo, syntax highlighting, command line history, on-line help, filename " \
	"completion, block operations, folding, Unicode support, etc.\n"

static void test_router(struct tap *t, struct ea_router *r, struct ea_session *s)
{
	struct ea_generate_params p = { .prompt = LONG_PROMPT, .max_tokens = 8 };
	struct ea_route_params high = { .collab = EA_COLLAB_ROUTER, .router_ceiling = 100000 };
	struct ea_route_params low = { .collab = EA_COLLAB_ROUTER, .router_ceiling = 1 };
	struct ea_route_params secret = { .collab = EA_COLLAB_ROUTER, .router_ceiling = 1,
					  .privacy = EA_PRIVACY_SENSITIVE };
	struct streamed o1 = { 0 }, o2 = { 0 }, o3 = { 0 };
	struct ea_route_result a, b, c;
	bool ok = ea_generate_routed(r, s, &p, &high, on_text, &o1, &a) == EA_OK &&
		  ea_generate_routed(r, s, &p, &low, on_text, &o2, &b) == EA_OK &&
		  ea_generate_routed(r, s, &p, &secret, on_text, &o3, &c) == EA_OK;

	tap_ok(t, ok && a.surprisal > 0 && a.surprisal == b.surprisal && a.where == EA_RAN_LOCAL &&
	       b.where == EA_RAN_CLOUD && !strcmp(b.policy, "router") && c.where == EA_RAN_LOCAL,
	       "router: the prompt's surprisal %.3f nats a token (%d tokens): ceiling 100 nats -> "
	       "local, 0.001 -> cloud, sensitive -> local", a.surprisal / 1000.0, a.prompt_tokens);
}

/* Compression as a scripted cloud receives it. */
static void test_compress(struct tap *t, struct ea_session *s, const char *dir)
{
	static const char reply[] = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n"
		"data: {\"choices\":[{\"text\":\" ok\",\"index\":0,\"finish_reason\":\"stop\"}]}\n\n"
		"data: [DONE]\n\n";
	const char *replies[] = { reply };
	struct ea_generate_params p = { .prompt = LONG_PROMPT "Mail jane.doe@example.com.\n",
					.max_tokens = 4 };
	struct ea_route_params rp = { .collab = EA_COLLAB_COMPRESS, .compress_drop = 400 };
	struct ea_router_options o = { .redact = true };
	struct ea_test_server fake;
	struct streamed out = { 0 };
	struct ea_route_result res;
	struct ea_router *r = NULL;
	char path[PATH_MAX], why[256];
	const char *body;
	FILE *f;
	bool ok;

	ea_test_server_start(&fake, replies, 1, 0);
	snprintf(path, sizeof(path), "%s/fake.json", dir);
	f = fopen(path, "w");
	if (f) {
		fprintf(f, "{\"endpoints\":[{\"base_url\":\"http://127.0.0.1:%d/v1\","
			"\"retries\":0}]}", fake.port);
		fclose(f);
	}
	o.cloud_config = path;
	ok = f && ea_router_open(NULL, &o, &r, why, sizeof(why)) == EA_OK &&
	     ea_generate_routed(r, s, &p, &rp, on_text, &out, &res) == EA_OK;
	ea_test_server_stop(&fake);
	body = strstr(fake.last_request, "\r\n\r\n");
	ok = ok && body && strstr(body, "\"prompt\":\"Package: vim\\n") &&
	     strstr(body, "[EMAIL_1]") && !strstr(body, "jane.doe") &&
	     res.sent_bytes < res.prompt_bytes && res.where == EA_RAN_CLOUD &&
	     res.sent_tokens >= res.prompt_tokens - res.prompt_tokens * 4 / 10 &&
	     res.sent_tokens < res.prompt_tokens && !strcmp(out.text, " ok");
	tap_ok(t, ok, "compression, 40%% dropped: %d of %d tokens, %zu of %zu bytes sent, the "
	       "first line kept, the e-mail kept as its placeholder", res.sent_tokens,
	       res.prompt_tokens, res.sent_bytes, res.prompt_bytes);
	if (!ok)
		tap_diag("%.600s", body ? body : fake.last_request);
	ea_router_close(r);
	unlink(path);
}

/* The cloud's answers carry no logprobs: plain completions only. */
static void test_no_logprobs(struct tap *t, struct ea_session *s, const char *dir,
			     const char *prompt)
{
	static const char plain[] = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n"
		"data: {\"choices\":[{\"text\":\" plainly\",\"index\":0}]}\n\n"
		"data: {\"choices\":[{\"text\":\"\",\"index\":0,\"finish_reason\":\"stop\"}]}\n\n"
		"data: [DONE]\n\n";
	static char models[512], verify[256];
	const char *replies[] = { models, verify, plain };
	struct ea_test_server fake;
	struct streamed out = { 0 };
	struct ea_route_result res;
	struct ea_router *r;
	uint8_t hash[32];
	struct ea_error err;
	char hex[65];
	bool ok;

	ea_gguf_tokenizer_hash(s->model->gguf, hash, &err);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", hash[i]);
	snprintf(models, sizeof(models), "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
		 "\r\n{\"object\":\"list\",\"data\":[{\"id\":\"cloud\",\"object\":\"model\","
		 "\"edgeai\":{\"tokenizer_sha256\":\"%s\"}}]}", hex);
	snprintf(verify, sizeof(verify), "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
		 "\r\n{\"choices\":[{\"text\":\" x\",\"index\":0,\"logprobs\":null,"
		 "\"finish_reason\":\"length\"}]}");
	ea_test_server_start(&fake, replies, 3, 0);
	r = router_to(dir, fake.port);
	ok = r && ask(r, s, prompt, EA_COLLAB_SPECULATIVE, 4, &out, &res) == EA_OK &&
	     !res.speculative && res.where == EA_RAN_CLOUD && !strcmp(out.text, " plainly") &&
	     strstr(res.fallback_reason, "logprobs");
	tap_ok(t, ok, "a cloud that answers without logprobs: offloaded plainly (%s)",
	       r ? res.fallback_reason : "");
	ea_router_close(r);
	ea_test_server_stop(&fake);
}

int main(void)
{
	char edgeai[PATH_MAX], edge[PATH_MAX], cloud[PATH_MAX], tiny[PATH_MAX], log[PATH_MAX];
	char dir[] = "/tmp/test_collab.XXXXXX", prompts[N_PROMPTS][128], why[512];
	struct ea_session_options so = { .engine = EA_ENGINE_CPU };
	struct server srv = { 0 }, other = { 0 };
	struct ea_model *model = NULL;
	struct ea_session *s = NULL;
	struct ea_router *r = NULL;
	struct tap t = { 0 };
	bool n_ok;
	int n;

	alarm(600);
	tap_plan(&t, N_TESTS);
	if (!ea_model_path("edge-f16.gguf", edge, sizeof(edge)) ||
	    !ea_model_path("cloud-f16.gguf", cloud, sizeof(cloud)) ||
	    !(n = heldout_prompts(prompts, N_PROMPTS))) {
		for (int i = 0; i < N_TESTS; i++)
			tap_ok(&t, true, "# SKIP the trained pair is not in ../shared/models");
		return tap_done(&t);
	}
	snprintf(log, sizeof(log), "%s/serve.log", mkdtemp(dir));
	n_ok = ea_test_edgeai_path(edgeai, sizeof(edgeai)) && serve(&srv, edgeai, cloud, log) &&
	       ea_model_open(edge, NULL, NULL, &model, why, sizeof(why)) == EA_OK &&
	       ea_session_open(NULL, model, &so, &s, why, sizeof(why)) == EA_OK &&
	       (r = router_to(dir, srv.port));
	if (!tap_ok(&t, n_ok, "edgeai serve runs cloud-f16 on port %d; edge-f16 drafts on the "
		    "CPU", srv.port))
		goto out;
	test_identity(&t, r, s, prompts, n);
	test_fixed_k(&t, r, s, prompts[0]);
	test_cascade(&t, r, s, prompts[0]);
	test_router(&t, r, s);
	test_compress(&t, s, dir);

	{
		struct streamed out = { .kill_after_first = &srv };
		struct ea_route_result res;
		bool ok = ask(r, s, prompts[1], EA_COLLAB_SPECULATIVE, 2, &out, &res) == EA_OK &&
			  res.where == EA_RAN_LOCAL_AFTER_FALLBACK && res.fallback_reason[0] &&
			  out.len > 0 && res.n_generated_tokens == N_TOKENS;

		tap_ok(&t, ok, "the cloud killed after the first verified text: the text kept, the "
		       "local model completes it (%s)", res.fallback_reason);
	}

	snprintf(tiny, sizeof(tiny), "%s/tiny.gguf", dir);
	{
		char *synth[] = { edgeai, "synth", "--preset", "tiny", "--type", "f16", "-o", tiny,
				  NULL };
		struct streamed out = { 0 };
		struct ea_route_result res;
		struct ea_router *r2 = NULL;
		bool ok;

		snprintf(log, sizeof(log), "%s/other.log", dir);
		ok = ea_test_run_wait(synth) == 0 && serve(&other, edgeai, tiny, log) &&
		     (r2 = router_to(dir, other.port)) &&
		     ask(r2, s, prompts[0], EA_COLLAB_SPECULATIVE, 0, &out, &res) == EA_OK &&
		     !res.speculative && res.where == EA_RAN_CLOUD &&
		     strstr(res.fallback_reason, "tokenizer");
		tap_ok(&t, ok, "a cloud with another tokenizer: offloaded plainly (%s)",
		       r2 ? res.fallback_reason : "");
		ea_router_close(r2);
		stop(&other);
		unlink(tiny);
	}
	test_no_logprobs(&t, s, dir, prompts[0]);
	{
		struct streamed out = { 0 };
		struct ea_generate_params p = { .prompt = prompts[0], .max_tokens = 8,
						.temperature = 0.7f, .seed = 1 };
		struct ea_route_params rp = { .collab = EA_COLLAB_SPECULATIVE };
		struct ea_route_result res;
		struct ea_router *dead = router_to(dir, ea_test_dead_port());
		bool ok = dead && ea_generate_routed(dead, s, &p, &rp, on_text, &out, &res) == EA_OK &&
			  !res.speculative && res.where == EA_RAN_LOCAL_AFTER_FALLBACK;

		tap_ok(&t, ok, "a dead cloud: the request completes locally (%s)",
		       dead ? res.fallback_reason : "");
		ea_router_close(dead);
	}
out:
	ea_router_close(r);
	stop(&srv);
	ea_session_close(s);
	ea_model_close(model);
	rmdir(dir);
	return tap_done(&t);
}

// SPDX-License-Identifier: MIT
/*
 * test_route.c - routed generation against a scripted HTTP server on
 * loopback (a thread answering each connection with canned bytes) and a
 * local session on the CPU reference (a tiny synthesized model):
 * placeholders restored at every split of the streamed answer; personal data
 * offloaded only as placeholders with redaction on, kept local with it off
 * (privacy policy and the built-in's rule); a refused port, HTTP 5xx, a
 * timeout and a stream cut mid-answer each complete locally, the cut one
 * continuing from its partial text; the direct-mode policy's decisions and
 * reasons in the result; the probe's figures in the cache file.
 */
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ea_route_restore.h"
#include "ea_clock.h"
#include "edgeai_accel.h"
#include "ea_tap.h"
#include "ea_test_tool.h"
#include "ea_test_server.h"
#include "edgeai.h"

#define PROMPT "Package: vim\nDescription:"
#define PII_PROMPT "Mail jane.doe@example.com about card 4111 1111 1111 1111 today."
#define N_TOKENS 12

#define SSE_HEAD "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Type: text/event-stream\r\n\r\n"
#define CHUNK(t) "data: {\"choices\":[{\"index\":0,\"text\":\"" t "\",\"finish_reason\":null}]}\n\n"
#define LAST "data: {\"choices\":[{\"index\":0,\"text\":\"\",\"finish_reason\":\"stop\"}]}\n\n" \
	     "data: [DONE]\n\n"

static const char *const stream_placeholders[] = {
	SSE_HEAD CHUNK("Sent to [EMA") CHUNK("IL_1] for [") CHUNK("CARD_1") CHUNK("]; [EMAIL_")
	CHUNK("9] stays.") LAST,
};
static const char *const stream_public[] = { SSE_HEAD CHUNK("cloud ") CHUNK("answer") LAST };
static const char *const stream_cut[] = { SSE_HEAD CHUNK("partial ") CHUNK("ans") };
static const char *const server_errors[] = {
	"HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
	"HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
};

/* ---- fixtures ----------------------------------------------------------- */

struct fixture {
	char tmp[64], model_path[128], config[128], cache[128];
	struct ea_model *model;
	struct ea_session *session;
};

/* The answer the callback saw, piece by piece. */
struct streamed {
	char text[4096];
	size_t len;
	int pieces;
};

static int on_text(const char *text, size_t len, void *user)
{
	struct streamed *s = user;

	if (s->len + len < sizeof(s->text)) {
		memcpy(s->text + s->len, text, len);
		s->len += len;
		s->text[s->len] = '\0';
	}
	s->pieces++;
	return 0;
}

static void write_config(struct fixture *f, int port, long timeout_ms)
{
	FILE *c = fopen(f->config, "w");

	fprintf(c, "{\"endpoints\":[{\"name\":\"cloud\",\"base_url\":\"http://127.0.0.1:%d/v1\","
		"\"model\":\"cloud\",\"timeout_ms\":%ld,\"connect_timeout_ms\":1000,"
		"\"retries\":1,\"backoff_ms\":10}]}\n", port, timeout_ms);
	fclose(c);
}

static struct ea_router *router(struct fixture *f, bool redact, enum ea_route_policy policy)
{
	struct ea_router_options o = { .cloud_config = f->config, .redact = redact,
				       .policy = policy, .probe_cache = f->cache };
	struct ea_router *r = NULL;
	char why[512];

	if (ea_router_open(NULL, &o, &r, why, sizeof(why)) != EA_OK)
		tap_diag("ea_router_open: %s", why);
	return r;
}

static struct ea_generate_params params(const char *prompt)
{
	return (struct ea_generate_params){ .prompt = prompt, .max_tokens = N_TOKENS,
					    .ignore_eos = true };
}

/* What the local session alone answers to @prompt. */
static char *local_answer(struct fixture *f, const char *prompt, int max_tokens)
{
	struct ea_generate_params p = params(prompt);
	struct ea_generate_result r;

	p.max_tokens = max_tokens;
	if (ea_generate(f->session, &p, NULL, NULL, &r) != EA_OK)
		return strdup("(failed)");
	return strdup(r.text);
}

static int count_tokens(struct fixture *f, const char *text)
{
	size_t n = 0;

	ea_tokenize(f->model, text, strlen(text), EA_TEXT_NO_BOS, NULL, 0, &n);
	return (int)n;
}

/* ---- tests -------------------------------------------------------------- */

struct collect {
	char text[512];
	size_t len;
};

static bool collect(const char *text, size_t len, void *user)
{
	struct collect *c = user;

	memcpy(c->text + c->len, text, len);
	c->len += len;
	c->text[c->len] = '\0';
	return true;
}

/* Restore @answer fed in pieces ending at @a and @b. */
static bool restored_equal(const struct ea_pii_redaction *red, const char *answer, size_t a,
			   size_t b, const char *want)
{
	struct collect c = { .len = 0 };
	struct ea_restore r;
	size_t n = strlen(answer);

	ea_restore_init(&r, red, collect, &c);
	ea_restore_feed(&r, answer, a);
	ea_restore_feed(&r, answer + a, b - a);
	ea_restore_feed(&r, answer + b, n - b);
	ea_restore_flush(&r);
	ea_restore_free(&r);
	return !strcmp(c.text, want);
}

static void test_restore_splits(struct tap *t)
{
	static const char answer[] = "To [EMAIL_1], [CARD_1][EMAIL_1] but [EMAIL_2] and [EMAI";
	struct ea_pii_redaction red;
	size_t n = strlen(answer), bad = 0, tried = 0;
	char *want;

	ea_pii_redact(PII_PROMPT, &red);
	want = ea_pii_restore(&red, answer);
	for (size_t a = 0; a <= n; a++) {
		for (size_t b = a; b <= n; b++, tried++)
			bad += !restored_equal(&red, answer, a, b, want);
	}
	tap_ok(t, red.count == 2 && !bad,
	       "placeholders restored at all %zu splits into three pieces (%zu wrong)", tried, bad);
	free(want);
	ea_pii_redaction_free(&red);
}

static void test_redacted_offload(struct tap *t, struct fixture *f)
{
	static const char want[] =
		"Sent to jane.doe@example.com for 4111 1111 1111 1111; [EMAIL_9] stays.";
	struct ea_route_params rp = { .force = EA_ROUTE_FORCE_CLOUD };
	struct ea_generate_params p = params(PII_PROMPT);
	struct streamed seen = { .len = 0 };
	struct ea_route_result res;
	struct ea_test_server s;
	struct ea_router *r;
	ea_status st;

	ea_test_server_start(&s, stream_placeholders, 1, 0);
	write_config(f, s.port, 5000);
	r = router(f, true, EA_ROUTE_POLICY_BUILTIN);
	st = ea_generate_routed(r, f->session, &p, &rp, on_text, &seen, &res);
	ea_test_server_stop(&s);
	tap_ok(t, st == EA_OK && res.where == EA_RAN_CLOUD && res.redacted &&
	       res.privacy == EA_PRIVACY_PERSONAL && res.n_personal == 2,
	       "personal data with redaction on: offloaded (%s), redacted, class personal",
	       ea_route_where_name(res.where));
	tap_ok(t, !strstr(s.last_request, "jane.doe") && !strstr(s.last_request, "4111") &&
	       strstr(s.last_request, "[EMAIL_1]") && strstr(s.last_request, "[CARD_1]"),
	       "the cloud saw placeholders only");
	if (!tap_ok(t, !strcmp(seen.text, want) && !strcmp(res.text, want) && seen.pieces >= 3,
		    "placeholders split over streamed chunks are restored (%d pieces)", seen.pieces))
		tap_diag("streamed '%s', result '%s'", seen.text, res.text);
	ea_router_close(r);
}

static void test_privacy_stays(struct tap *t, struct fixture *f)
{
	struct ea_generate_params pii = params(PII_PROMPT), pub = params(PROMPT);
	struct ea_route_result a, b;
	struct ea_test_server s;
	struct ea_router *r;
	bool untouched;

	ea_test_server_start(&s, stream_public, 1, 0);
	write_config(f, s.port, 5000);
	r = router(f, false, EA_ROUTE_POLICY_PRIVACY);
	/* A cloud no local run can beat, however fast this machine: no round
	 * trip and 12 tokens in 12 ns. */
	ea_router_set_cloud(r, 0, 1e9, NULL);
	ea_generate_routed(r, f->session, &pii, NULL, NULL, NULL, &a);
	untouched = !s.last_request[0];
	ea_generate_routed(r, f->session, &pub, NULL, NULL, NULL, &b);
	ea_test_server_stop(&s);
	tap_ok(t, a.where == EA_RAN_LOCAL && a.privacy == EA_PRIVACY_SENSITIVE &&
	       a.reason == EDGEAI_REASON_PRIVACY && untouched,
	       "privacy policy: personal data without redaction stays local (%s, %s)",
	       ea_route_where_name(a.where), ea_route_reason_name(a.reason));
	tap_ok(t, b.where == EA_RAN_CLOUD && b.reason == EDGEAI_REASON_CLOUD_FASTER &&
	       !strcmp(b.text, "cloud answer"),
	       "privacy policy: a public request goes where it is faster (%s, %s)",
	       ea_route_where_name(b.where), ea_route_reason_name(b.reason));
	ea_router_close(r);
}

static void test_sensitive_forced(struct tap *t, struct fixture *f)
{
	struct ea_route_params rp = { .force = EA_ROUTE_FORCE_CLOUD };
	struct ea_generate_params p = params(PII_PROMPT);
	struct ea_route_result res;
	struct ea_router *r;
	char *want = local_answer(f, PII_PROMPT, N_TOKENS);

	write_config(f, ea_test_dead_port(), 5000);
	r = router(f, false, EA_ROUTE_POLICY_BUILTIN);
	ea_generate_routed(r, f->session, &p, &rp, NULL, NULL, &res);
	tap_ok(t, res.where == EA_RAN_LOCAL && !strcmp(res.text, want) &&
	       strstr(res.fallback_reason, "sensitive"),
	       "a sensitive request forced to the cloud still runs locally (%s)",
	       res.fallback_reason);
	ea_router_close(r);
	free(want);
}

/* The cloud fails as @replies say (NULL: a refused port); the answer must be
 * the local session's, and the result must say so. */
static void check_fallback(struct tap *t, struct fixture *f, const char *what,
			   const char *const *replies, int n, int delay_ms, long timeout_ms)
{
	struct ea_route_params rp = { .force = EA_ROUTE_FORCE_CLOUD };
	struct ea_generate_params p = params(PROMPT);
	struct streamed seen = { .len = 0 };
	struct ea_route_result res;
	struct ea_test_server s;
	struct ea_router *r;
	char *want = local_answer(f, PROMPT, N_TOKENS);
	ea_status st;

	if (replies)
		ea_test_server_start(&s, replies, n, delay_ms);
	write_config(f, replies ? s.port : ea_test_dead_port(), timeout_ms);
	r = router(f, false, EA_ROUTE_POLICY_BUILTIN);
	st = ea_generate_routed(r, f->session, &p, &rp, on_text, &seen, &res);
	if (replies)
		ea_test_server_stop(&s);
	if (!tap_ok(t, st == EA_OK && res.where == EA_RAN_LOCAL_AFTER_FALLBACK && !res.cut &&
		    res.fallback_reason[0] && !strcmp(res.text, want) && !strcmp(seen.text, want),
		    "%s: completes locally (%s: %s)", what, ea_route_where_name(res.where),
		    res.fallback_reason))
		tap_diag("got '%s', want '%s'", res.text, want);
	ea_router_close(r);
	free(want);
}

static void test_cut(struct tap *t, struct fixture *f)
{
	struct ea_route_params rp = { .force = EA_ROUTE_FORCE_CLOUD };
	struct ea_generate_params p = params(PROMPT);
	struct streamed seen = { .len = 0 };
	struct ea_route_result res;
	struct ea_test_server s;
	struct ea_router *r;
	char want[1024], *rest;
	ea_status st;

	rest = local_answer(f, PROMPT "partial ans", N_TOKENS - count_tokens(f, "partial ans"));
	snprintf(want, sizeof(want), "partial ans%s", rest);
	ea_test_server_start(&s, stream_cut, 1, 0);
	write_config(f, s.port, 5000);
	r = router(f, false, EA_ROUTE_POLICY_BUILTIN);
	st = ea_generate_routed(r, f->session, &p, &rp, on_text, &seen, &res);
	ea_test_server_stop(&s);
	tap_ok(t, st == EA_OK && res.where == EA_RAN_LOCAL_AFTER_FALLBACK && res.cut &&
	       res.cloud_bytes == strlen("partial ans"),
	       "a stream cut mid-answer is reported (%s, %zu bytes from the cloud)",
	       ea_route_where_name(res.where), res.cloud_bytes);
	if (!tap_ok(t, !strcmp(res.text, want) && !strcmp(seen.text, want) &&
		    res.n_generated_tokens == N_TOKENS,
		    "... and continues locally from the partial text (%d tokens in all)",
		    res.n_generated_tokens))
		tap_diag("got '%s', want '%s'", res.text, want);
	ea_router_close(r);
	free(rest);
}

static void test_decisions(struct tap *t, struct fixture *f)
{
	struct ea_generate_params p = params(PROMPT);
	struct ea_route_result a, b, c;
	struct ea_test_server s;
	struct ea_router *r;
	FILE *cache;
	char json[256] = "";

	ea_test_server_start(&s, stream_public, 1, 0);
	write_config(f, s.port, 5000);
	r = router(f, false, EA_ROUTE_POLICY_BUILTIN);
	ea_generate_routed(r, f->session, &p, NULL, NULL, NULL, &a);
	ea_generate_routed(r, NULL, &p, NULL, NULL, NULL, &b);
	ea_test_server_stop(&s);
	tap_ok(t, a.where == EA_RAN_LOCAL && a.reason == EDGEAI_REASON_DEFAULT &&
	       !strcmp(a.policy, "builtin") && !a.decided_in_kernel && a.ttft_ms > 0 &&
	       a.total_ms >= a.ttft_ms && a.tokens_per_s > 0 && a.n_generated_tokens == N_TOKENS,
	       "built-in, direct mode: local by default; TTFT %.1f ms, %.0f tok/s", a.ttft_ms,
	       a.tokens_per_s);
	tap_ok(t, b.where == EA_RAN_CLOUD && b.reason == EDGEAI_REASON_NO_EXECUTOR &&
	       !strcmp(b.text, "cloud answer"),
	       "built-in without a local session: cloud, no_executor (%s)",
	       ea_route_reason_name(b.reason));
	ea_router_set_cloud(r, 12, 345, NULL);
	ea_router_close(r);
	cache = fopen(f->cache, "r");
	if (cache) {
		json[fread(json, 1, sizeof(json) - 1, cache)] = '\0';
		fclose(cache);
	}
	ea_test_server_start(&s, stream_public, 1, 0);
	write_config(f, s.port, 5000);
	r = router(f, false, EA_ROUTE_POLICY_LATENCY);
	ea_generate_routed(r, f->session, &p, NULL, NULL, NULL, &c);
	ea_test_server_stop(&s);
	if (!tap_ok(t, strstr(json, "\"rtt_ms\": 12") && c.where == EA_RAN_CLOUD &&
		    c.reason == EDGEAI_REASON_CLOUD_FASTER,
		    "the cloud figures go to the cache file and a new router decides with them "
		    "(%s)", ea_route_reason_name(c.reason)))
		tap_diag("cache: %s", json);
	ea_router_close(r);
}

static bool setup(struct fixture *f)
{
	char edgeai[PATH_MAX], why[512];
	int status = -1;
	pid_t pid;

	snprintf(f->tmp, sizeof(f->tmp), "/tmp/test_route.XXXXXX");
	if (!ea_test_edgeai_path(edgeai, sizeof(edgeai)) || !mkdtemp(f->tmp))
		return false;
	snprintf(f->model_path, sizeof(f->model_path), "%s/local.gguf", f->tmp);
	snprintf(f->config, sizeof(f->config), "%s/cloud.json", f->tmp);
	snprintf(f->cache, sizeof(f->cache), "%s/probe.json", f->tmp);
	pid = fork();
	if (pid == 0) {
		execl(edgeai, edgeai, "synth", "--type", "f16", "--ctx", "256", "-o", f->model_path,
		      (char *)NULL);
		_exit(127);
	}
	waitpid(pid, &status, 0);
	if (status || ea_model_open(f->model_path, NULL, NULL, &f->model, why, sizeof(why)) ||
	    ea_session_open(NULL, f->model, &(struct ea_session_options){ .engine = EA_ENGINE_CPU,
		    .n_threads = 1 }, &f->session, why, sizeof(why))) {
		tap_diag("setup: %s", why);
		return false;
	}
	return true;
}

static void teardown(struct fixture *f)
{
	ea_session_close(f->session);
	ea_model_close(f->model);
	unlink(f->model_path);
	unlink(f->config);
	unlink(f->cache);
	rmdir(f->tmp);
}

/* ---- a misbehaving cloud under a deadline -------------------------------- */

#define DEADLINE_MS 1500
/* libcurl asks the progress guard about once a second: the slack a guard
 * (first byte, idle) may take beyond its time; the deadline itself is exact. */
#define GUARD_SLACK_MS 1200

static char flood[8192];

/* A forced offload of PROMPT to a cloud scripted by @reply under a deadline
 * of DEADLINE_MS: falls back locally within it, saying @why (NULL: the
 * deadline, or the first byte's guard, whichever ended it). */
static void check_deadline(struct tap *t, struct fixture *f, const char *what, const char *reply,
			   const char *why)
{
	const char *const replies[] = { reply, reply };
	struct ea_route_params rp = { .force = EA_ROUTE_FORCE_CLOUD, .deadline_ms = DEADLINE_MS };
	struct ea_generate_params p = params(PROMPT);
	struct ea_route_result res;
	struct ea_test_server s;
	struct ea_router *r;
	ea_status st;

	ea_test_server_start(&s, replies, 2, 0);
	write_config(f, s.port, 60000);
	r = router(f, false, EA_ROUTE_POLICY_BUILTIN);
	st = ea_generate_routed(r, f->session, &p, &rp, NULL, NULL, &res);
	ea_test_server_stop(&s);
	tap_ok(t, st == EA_OK && res.where == EA_RAN_LOCAL_AFTER_FALLBACK &&
	       (why ? strstr(res.fallback_reason, why) != NULL :
		      strstr(res.fallback_reason, "deadline") ||
		      strstr(res.fallback_reason, "no answer within")) &&
	       res.total_ms < DEADLINE_MS + GUARD_SLACK_MS &&
	       res.n_generated_tokens == N_TOKENS,
	       "%s, deadline %d ms: local after %.0f ms (%s)", what, DEADLINE_MS, res.total_ms,
	       res.fallback_reason);
	ea_router_close(r);
}

static void test_cloud_faults(struct tap *t, struct fixture *f)
{
	struct ea_route_params rp = { .force = EA_ROUTE_FORCE_CLOUD, .deadline_ms = DEADLINE_MS };
	struct ea_generate_params p = params(PROMPT);
	const char *const replies[] = { flood };
	struct ea_route_result res;
	struct ea_test_server s;
	struct ea_router *r;
	size_t n = (size_t)snprintf(flood, sizeof(flood), "%s", SSE_HEAD);

	check_deadline(t, f, "a cloud that hangs before its headers", EA_TEST_HANG, NULL);
	check_deadline(t, f, "a cloud that hangs after its headers", EA_TEST_HANG SSE_HEAD, NULL);
	check_deadline(t, f, "a cloud that trickles a byte every 100 ms",
		       EA_TEST_TRICKLE SSE_HEAD CHUNK("slow ") CHUNK("slow ") LAST, "deadline");
	check_deadline(t, f, "a cloud whose events are not completions",
		       SSE_HEAD "data: {\"id\":\"x\",\"object\":\"nope\"}\n\n" LAST,
		       "not a completion chunk");
	for (int i = 0; i < 100; i++)
		n += (size_t)snprintf(flood + n, sizeof(flood) - n, CHUNK(" w"));
	snprintf(flood + n, sizeof(flood) - n, LAST);
	ea_test_server_start(&s, replies, 1, 0);
	write_config(f, s.port, 60000);
	r = router(f, false, EA_ROUTE_POLICY_BUILTIN);
	ea_generate_routed(r, f->session, &p, &rp, NULL, NULL, &res);
	ea_test_server_stop(&s);
	tap_ok(t, res.where == EA_RAN_CLOUD && res.text_len == 2 * N_TOKENS &&
	       res.finish_reason == EA_FINISH_LENGTH,
	       "a cloud that floods 100 tokens for %d: cut at them (%zu bytes kept)", N_TOKENS,
	       res.text_len);
	ea_router_close(r);
}

/* `edgeai ask --json` against a cloud that accepts and never answers: the
 * request completes locally within its deadline and the JSON says so, and why. */
static void test_ask_json(struct tap *t, struct fixture *f)
{
	const char *const replies[] = { EA_TEST_HANG };
	char edgeai[PATH_MAX], cmd[4 * PATH_MAX], out[PATH_MAX], json[2048] = "";
	struct ea_test_server s;
	double start;
	int status;
	FILE *j;

	snprintf(out, sizeof(out), "%s/ask.json", f->tmp);
	ea_test_server_start(&s, replies, 1, 0);
	write_config(f, s.port, 60000);
	snprintf(cmd, sizeof(cmd), "'%s' ask --mode direct --cpu -m '%s' -c '%s' --cache '%s' "
		 "-p 'Package: vim' -n 8 --cloud --deadline %d --json >/dev/null 2>'%s'",
		 ea_test_edgeai_path(edgeai, sizeof(edgeai)) ? edgeai : "edgeai", f->model_path,
		 f->config, f->cache, DEADLINE_MS, out);
	start = ea_now_ms();
	status = system(cmd);
	start = ea_now_ms() - start;
	ea_test_server_stop(&s);
	j = fopen(out, "r");
	if (j) {
		json[fread(json, 1, sizeof(json) - 1, j)] = '\0';
		fclose(j);
	}
	if (!tap_ok(t, status == 0 && strstr(json, "\"where\":\"local after fallback\"") &&
		    strstr(json, "\"fallback\":true") && strstr(json, "\"fallback_reason\":\"") &&
		    start < DEADLINE_MS + GUARD_SLACK_MS + 2000,
		    "edgeai ask --json, a cloud that never answers, --deadline %d: local after "
		    "%.0f ms, the JSON says where and why", DEADLINE_MS, start))
		tap_diag("status %d: %.600s", status, json);
	unlink(out);
}

/* A cloud that failed is not chosen again until a probe answers. */
static void test_marked_down(struct tap *t, struct fixture *f)
{
	static const char models[] = "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Type: "
		"application/json\r\n\r\n{\"object\":\"list\",\"data\":[]}";
	static const char probe[] = "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Type: "
		"application/json\r\n\r\n{\"choices\":[{\"index\":0,\"text\":\"x\","
		"\"finish_reason\":\"length\"}],\"usage\":{\"prompt_tokens\":5,"
		"\"completion_tokens\":32}}";
	const char *const replies[] = { models, probe, stream_public[0] };
	struct ea_route_params forced = { .force = EA_ROUTE_FORCE_CLOUD };
	struct ea_generate_params p = params(PROMPT);
	struct ea_route_result a, b, c;
	struct ea_test_server s;
	struct ea_router *r, *r2;
	char cache[512] = "";
	FILE *fc;

	write_config(f, ea_test_dead_port(), 5000);
	unlink(f->cache);
	r = router(f, false, EA_ROUTE_POLICY_LATENCY);
	ea_router_set_cloud(r, 0, 1e9, NULL);	/* a cloud no local run can beat */
	ea_generate_routed(r, f->session, &p, &forced, NULL, NULL, &a);
	ea_generate_routed(r, f->session, &p, NULL, NULL, NULL, &b);
	fc = fopen(f->cache, "r");
	if (fc) {
		cache[fread(cache, 1, sizeof(cache) - 1, fc)] = '\0';
		fclose(fc);
	}
	tap_ok(t, a.where == EA_RAN_LOCAL_AFTER_FALLBACK && b.decision == EA_ROUTE_LOCAL &&
	       strstr(cache, "down_until"),
	       "after the cloud failed, the fastest cloud is not chosen: %s, %s; the cache says "
	       "down", ea_route_decision_name(b.decision), ea_route_reason_name(b.reason));
	ea_router_close(r);
	r2 = router(f, false, EA_ROUTE_POLICY_LATENCY);
	ea_generate_routed(r2, f->session, &p, NULL, NULL, NULL, &b);
	tap_ok(t, b.decision == EA_ROUTE_LOCAL,
	       "... nor by a new router reading the cache (%s)", ea_route_decision_name(b.decision));
	/* The backoff (EA_ROUTE_BACKOFF_MIN_MS) passes; the cloud is back. */
	usleep(1100 * 1000);
	ea_test_server_start(&s, replies, 3, 0);
	write_config(f, s.port, 5000);
	ea_router_close(r2);
	r2 = router(f, false, EA_ROUTE_POLICY_LATENCY);
	ea_generate_routed(r2, f->session, &p, NULL, NULL, NULL, &c);
	ea_test_server_stop(&s);
	fc = fopen(f->cache, "r");
	cache[0] = '\0';
	if (fc) {
		cache[fread(cache, 1, sizeof(cache) - 1, fc)] = '\0';
		fclose(fc);
	}
	tap_ok(t, s.served == 3 && !strstr(cache, "down_until") && c.where == EA_RAN_CLOUD,
	       "after the backoff, a probe that answers brings it back (%d requests served; "
	       "then %s, %s)", s.served, ea_route_decision_name(c.decision),
	       ea_route_reason_name(c.reason));
	ea_router_close(r2);
}

int main(void)
{
	static const char *const timeouts[] = { SSE_HEAD CHUNK("late") LAST, SSE_HEAD LAST };
	struct tap t = { 0 };
	struct fixture f = { .model = NULL };

	alarm(180);
	tap_plan(&t, 25);
	test_restore_splits(&t);
	if (!tap_ok(&t, setup(&f), "a tiny synthesized model on the CPU reference"))
		return tap_done(&t);
	test_redacted_offload(&t, &f);
	test_privacy_stays(&t, &f);
	test_sensitive_forced(&t, &f);
	check_fallback(&t, &f, "connection refused", NULL, 0, 0, 5000);
	check_fallback(&t, &f, "HTTP 503 then 502", server_errors, 2, 0, 5000);
	check_fallback(&t, &f, "a timeout", timeouts, 2, 700, 300);
	test_cut(&t, &f);
	test_decisions(&t, &f);
	test_cloud_faults(&t, &f);
	test_ask_json(&t, &f);
	test_marked_down(&t, &f);
	teardown(&f);
	return tap_done(&t);
}

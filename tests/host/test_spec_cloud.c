// SPDX-License-Identifier: MIT
/*
 * test_spec_cloud.c - speculative decoding against scripted clouds that
 * answer every verify call (the OpenAI completions shape: the prompt's token
 * ids echoed, top_logprobs at every position, one generated token) by rule:
 *
 *   reject: the cloud's choice at every position is the drafted token + 1, so
 *           every first drafted token is rejected and each call keeps one
 *           token, the cloud's;
 *   accept: its choice is the drafted token itself, so every draft is kept,
 *           plus its generated token (the last id again).
 *
 * Each answer comes CALL_MS after its request, a round trip longer than
 * drafting a token takes.
 *
 * With k = 4: the counts of calls, drafted and accepted tokens that follow;
 * the kept text is the rule's (reject: each kept token is the edge model's
 * greedy choice + 1). Adaptive k: it grows past 4 when every draft is kept
 * and falls to 1 when none is. edge-f16 of ../shared/models drafts on the
 * CPU reference; skips without it.
 */
#include <arpa/inet.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ea_gguf.h"
#include "ea_model.h"
#include "ea_models.h"
#include "ea_session.h"
#include "ea_tap.h"
#include "ea_test_server.h"
#include "ea_tokenizer.h"
#include "edgeai.h"

#define N_TESTS 6
#define MAX_IDS 4096
#define REQUEST_CAP (64 * 1024)
#define CALL_MS 30	/* a verify call's round trip: drafting is cheaper than a call */

enum rule { RULE_REJECT, RULE_ACCEPT };

struct fake_cloud {
	int fd, port, n_vocab;
	enum rule rule;
	char tokenizer[65];
	int verify_calls;
	pthread_t thread;
};

/* The prompt's token ids of a completions request body; their count or -1. */
static int request_ids(const char *req, int32_t *ids)
{
	const char *p = strstr(req, "\"prompt\":[");
	int n = 0;

	if (!p)
		return -1;
	p += 10;
	while (*p && *p != ']' && n < MAX_IDS) {
		char *end;
		long v = strtol(p, &end, 10);

		if (end == p)
			return -1;
		ids[n++] = (int32_t)v;
		p = end + strspn(end, " ,");
	}
	return *p == ']' ? n : -1;
}

/* The answer to a verify call over @ids, by the fake's rule. */
static char *verify_answer(const struct fake_cloud *fc, const int32_t *ids, int n)
{
	size_t cap = 256 + (size_t)(n + 1) * 96, used;
	char *a = malloc(cap);
	int32_t next = ids[n - 1];

	if (!a)
		return NULL;
	used = (size_t)snprintf(a, cap, "{\"choices\":[{\"index\":0,\"text\":\"\",\"finish_reason\":"
				"\"length\",\"logprobs\":{\"tokens\":[");
	for (int i = 0; i <= n; i++)
		used += (size_t)snprintf(a + used, cap - used, "%s\"token_id:%d\"", i ? "," : "",
					 i < n ? ids[i] : next);
	used += (size_t)snprintf(a + used, cap - used, "],\"top_logprobs\":[null");
	for (int i = 1; i <= n; i++) {
		int32_t t = i < n ? ids[i] : next;

		if (fc->rule == RULE_REJECT)
			t = (t + 1) % fc->n_vocab;
		used += (size_t)snprintf(a + used, cap - used, ",{\"token_id:%d\":-0.01}", t);
	}
	snprintf(a + used, cap - used, "]}}],\"usage\":{\"prompt_tokens\":%d,"
		 "\"completion_tokens\":1,\"total_tokens\":%d}}", n, n + 1);
	return a;
}

static void reply(int c, const char *type, const char *body)
{
	char head[256];

	snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\nContent-Type: %s\r\nContent-Length: "
		 "%zu\r\nConnection: close\r\n\r\n", type, strlen(body));
	send(c, head, strlen(head), MSG_NOSIGNAL);
	send(c, body, strlen(body), MSG_NOSIGNAL);
}

/* One connection a request, until the listening socket is shut down. */
static void *fake_main(void *arg)
{
	struct fake_cloud *fc = arg;
	char *req = malloc(REQUEST_CAP);
	int32_t *ids = malloc(MAX_IDS * sizeof(*ids));
	int c;

	while (req && ids && (c = accept(fc->fd, NULL, NULL)) >= 0) {
		int n;

		ea_test_read_request(c, req, REQUEST_CAP);
		usleep(CALL_MS * 1000);
		if (!strncmp(req, "GET ", 4)) {
			char body[256];

			snprintf(body, sizeof(body), "{\"object\":\"list\",\"data\":[{\"id\":\"cloud\","
				 "\"object\":\"model\",\"edgeai\":{\"tokenizer_sha256\":\"%s\"}}]}",
				 fc->tokenizer);
			reply(c, "application/json", body);
		} else if ((n = request_ids(req, ids)) > 0) {
			char *a = verify_answer(fc, ids, n);

			fc->verify_calls++;
			reply(c, "application/json", a ? a : "{}");
			free(a);
		} else {
			reply(c, "application/json", "{\"error\":{\"message\":\"not a verify\"}}");
		}
		close(c);
	}
	free(req);
	free(ids);
	return NULL;
}

static bool fake_start(struct fake_cloud *fc, const struct ea_model *m, enum rule rule)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	uint8_t hash[32];
	struct ea_error err;

	memset(fc, 0, sizeof(*fc));
	fc->rule = rule;
	fc->n_vocab = m->cfg.n_vocab;
	if (ea_gguf_tokenizer_hash(m->gguf, hash, &err) != EA_OK)
		return false;
	for (int i = 0; i < 32; i++)
		snprintf(fc->tokenizer + 2 * i, 3, "%02x", hash[i]);
	fc->fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fc->fd < 0 || bind(fc->fd, (struct sockaddr *)&a, sizeof(a)) ||
	    listen(fc->fd, 8) || getsockname(fc->fd, (struct sockaddr *)&a, &len))
		return false;
	fc->port = ntohs(a.sin_port);
	return pthread_create(&fc->thread, NULL, fake_main, fc) == 0;
}

static void fake_stop(struct fake_cloud *fc)
{
	shutdown(fc->fd, SHUT_RDWR);
	pthread_join(fc->thread, NULL);
	close(fc->fd);
}

/* A speculative request of @n tokens with drafts of @k (0: adaptive) against
 * a cloud of @rule; its text in @text. */
static bool run(const struct ea_model *m, struct ea_session *s, const char *dir, enum rule rule,
		int k, int n, struct ea_route_result *res, char *text, size_t cap)
{
	struct ea_generate_params p = { .prompt = "Package: vim\nDescription:", .max_tokens = n,
					.ignore_eos = true };
	struct ea_route_params rp = { .collab = EA_COLLAB_SPECULATIVE, .draft_tokens = k };
	struct ea_router_options o = { 0 };
	struct ea_router *r = NULL;
	struct fake_cloud fc;
	char path[PATH_MAX], why[256];
	bool ok = false;
	FILE *f;

	memset(res, 0, sizeof(*res));
	if (!fake_start(&fc, m, rule))
		return false;
	snprintf(path, sizeof(path), "%s/cloud.json", dir);
	f = fopen(path, "w");
	if (f) {
		fprintf(f, "{\"endpoints\":[{\"name\":\"cloud\",\"base_url\":\"http://127.0.0.1:%d/v1\","
			"\"model\":\"cloud\",\"retries\":0,\"timeout_ms\":10000}]}", fc.port);
		fclose(f);
		o.cloud_config = path;
		ok = ea_router_open(NULL, &o, &r, why, sizeof(why)) == EA_OK &&
		     ea_generate_routed(r, s, &p, &rp, NULL, NULL, res) == EA_OK;
		if (!ok)
			tap_diag("%s", r ? ea_router_error(r) : why);
		if (ok)
			snprintf(text, cap, "%s", res->text ? res->text : "");
		ea_router_close(r);
		unlink(path);
	}
	fake_stop(&fc);
	return ok && res->speculative && res->verify_calls == fc.verify_calls;
}

/* The edge model's greedy tokens after the prompt, each + 1: what the
 * rejecting cloud's text must be. */
static bool rejected_text(struct ea_session *s, const struct ea_model *m, int n, char *want,
			  size_t cap)
{
	struct ea_generate_params p = { .prompt = "Package: vim\nDescription:", .max_tokens = 1,
					.ignore_eos = true };
	int32_t ids[256];
	size_t n_ids = 0, used = 0;

	if (ea_tokenize(m, p.prompt, strlen(p.prompt), 0, ids, 256, &n_ids) != EA_OK)
		return false;
	want[0] = '\0';
	for (int i = 0; i < n; i++) {
		struct ea_generate_params q = { .prompt_tokens = ids, .n_prompt_tokens = (int)n_ids,
						.max_tokens = 1, .ignore_eos = true,
						.logprobs = true };
		struct ea_generate_result r;
		const char *bytes;
		size_t len;
		int32_t t;

		if (ea_generate(s, &q, NULL, NULL, &r) != EA_OK || r.n_logprobs != 1)
			return false;
		t = (r.logprobs[0].token + 1) % m->cfg.n_vocab;
		ids[n_ids++] = t;
		if (ea_tokenizer_decode(m->tokenizer, t, &bytes, &len) == EA_OK &&
		    !ea_tokenizer_is_control(m->tokenizer, t) && used + len < cap) {
			memcpy(want + used, bytes, len);
			used += len;
			want[used] = '\0';
		}
	}
	return true;
}

int main(void)
{
	char edge[PATH_MAX], dir[] = "/tmp/test_spec_cloud.XXXXXX", why[256];
	char text[4096], want[4096];
	struct ea_session_options so = { .engine = EA_ENGINE_CPU };
	struct ea_model *m = NULL;
	struct ea_session *s = NULL;
	struct ea_route_result res;
	struct tap t = { 0 };
	bool ok;

	alarm(300);
	tap_plan(&t, N_TESTS);
	if (!ea_model_path("edge-f16.gguf", edge, sizeof(edge))) {
		for (int i = 0; i < N_TESTS; i++)
			tap_ok(&t, true, "# SKIP edge-f16.gguf is not in ../shared/models");
		return tap_done(&t);
	}
	if (!mkdtemp(dir) || ea_model_open(edge, NULL, NULL, &m, why, sizeof(why)) != EA_OK ||
	    ea_session_open(NULL, m, &so, &s, why, sizeof(why)) != EA_OK) {
		tap_diag("%s", why);
		return 1;
	}

	ok = run(m, s, dir, RULE_REJECT, 4, 24, &res, text, sizeof(text));
	tap_ok(&t, ok && res.n_generated_tokens == 24 && res.verify_calls == 24 &&
	       res.accepted == 0 && res.drafted == 21 * 4 + 3 + 2 + 1,
	       "a cloud that rejects every draft, k 4: 24 tokens in %d calls, %d of %d drafted "
	       "tokens accepted", res.verify_calls, res.accepted, res.drafted);
	ok = ok && rejected_text(s, m, 24, want, sizeof(want));
	if (!tap_ok(&t, ok && !strcmp(text, want), "... its text is the cloud's: each token the "
		    "edge model's greedy choice + 1"))
		tap_diag("got '%s', want '%s'", text, want);

	ok = run(m, s, dir, RULE_ACCEPT, 4, 25, &res, text, sizeof(text));
	tap_ok(&t, ok && res.n_generated_tokens == 25 && res.verify_calls == 5 &&
	       res.accepted == res.drafted && res.drafted == 20,
	       "a cloud that accepts every draft, k 4: 25 tokens in %d calls, %d of %d drafted "
	       "tokens accepted", res.verify_calls, res.accepted, res.drafted);

	ok = run(m, s, dir, RULE_ACCEPT, 0, 60, &res, text, sizeof(text));
	tap_ok(&t, ok && res.n_generated_tokens == 60 && res.accepted == res.drafted &&
	       res.drafted > 8 * res.verify_calls,
	       "adaptive k against a cloud that accepts every draft: %d tokens in %d calls "
	       "(mean draft %.1f, grown past 8)", res.n_generated_tokens, res.verify_calls,
	       res.verify_calls ? (double)res.drafted / res.verify_calls : 0.0);
	ok = run(m, s, dir, RULE_REJECT, 0, 24, &res, text, sizeof(text));
	tap_ok(&t, ok && res.n_generated_tokens == 24 && res.verify_calls == 24 &&
	       res.drafted == 4 + 23,
	       "adaptive k against a cloud that rejects every draft: %d drafted in %d calls "
	       "(the first 4, then 1)", res.drafted, res.verify_calls);
	ok = rejected_text(s, m, 24, want, sizeof(want)) && !strcmp(text, want);
	tap_ok(&t, ok, "... the same text as with k 4");

	ea_session_close(s);
	ea_model_close(m);
	rmdir(dir);
	return tap_done(&t);
}

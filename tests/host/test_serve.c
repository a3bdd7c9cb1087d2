// SPDX-License-Identifier: MIT
/*
 * test_serve.c - `edgeai serve` on loopback, as a client sees it: the server
 * (build/bin/edgeai, next to this test's folder) runs the trained edge model
 * when ../shared/models has it, else a tiny synthesized one, on the CPU
 * reference. Our OpenAI client (ea_cloud) against it, streamed and not; bad
 * requests answered with the right 4xx and a JSON error, the server serving
 * on; token ids, echo and logprobs, a stream's chunks put together equal to
 * the whole answer; concurrent clients; a full queue answered 503; SIGTERM
 * in the middle of a stream: the stream completes and the server exits 0.
 * Every wait is bounded, and a watchdog ends the test if anything hangs.
 */
#include <curl/curl.h>
#include <json-c/json.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ea_cloud.h"
#include "ea_models.h"
#include "ea_tap.h"
#include "ea_test_tool.h"

#define MODEL_NAME "test-model"
#define MAX_TOKENS_LIMIT 64
#define MAX_BODY 65536
#define WATCHDOG_S 240
#define START_TIMEOUT_MS 60000
#define EXIT_TIMEOUT_MS 30000
#define PROMPT "Package: vim\nDescription:"

struct server {
	pid_t pid;
	int port;
	char log[PATH_MAX];
	char base_url[64];
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static bool server_start(struct server *s, const char *edgeai, const char *model,
			 const char *tmp, const char *sessions, const char *queue)
{
	char max_tokens[16], max_body[16];
	int status;

	snprintf(max_tokens, sizeof(max_tokens), "%d", MAX_TOKENS_LIMIT);
	snprintf(max_body, sizeof(max_body), "%d", MAX_BODY);
	snprintf(s->log, sizeof(s->log), "%s/serve-%s-%s.log", tmp, sessions, queue);
	s->pid = fork();
	if (s->pid == 0) {
		FILE *log = freopen(s->log, "w", stderr);

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (!log)
			_exit(127);
		execl(edgeai, edgeai, "serve", "-m", model, "--cpu", "--port", "0",
		      "--model-name", MODEL_NAME, "--sessions", sessions, "--queue", queue,
		      "--max-tokens", max_tokens, "--max-body", max_body,
		      "--drain-timeout", "20", (char *)NULL);
		_exit(127);
	}
	for (double end = now_ms() + START_TIMEOUT_MS; s->pid > 0 && now_ms() < end;) {
		s->port = ea_test_read_port(s->log);
		if (s->port) {
			snprintf(s->base_url, sizeof(s->base_url), "http://127.0.0.1:%d/v1", s->port);
			return true;
		}
		if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
			s->pid = 0;
			break;
		}
		sleep_ms(20);
	}
	return false;
}

/* SIGTERM, then the exit status within EXIT_TIMEOUT_MS (-1: killed). */
static int server_stop(struct server *s)
{
	int status;

	if (s->pid <= 0)
		return -1;
	kill(s->pid, SIGTERM);
	for (double end = now_ms() + EXIT_TIMEOUT_MS; now_ms() < end; sleep_ms(20)) {
		if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
			s->pid = 0;
			return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		}
	}
	kill(s->pid, SIGKILL);
	waitpid(s->pid, &status, 0);
	s->pid = 0;
	return -1;
}

/* ---- raw HTTP (libcurl) -------------------------------------------------- */

struct answer {
	long status;
	char *body;
	size_t len;
};

static size_t collect(char *p, size_t size, size_t n, void *user)
{
	struct answer *a = user;
	char *grown = realloc(a->body, a->len + size * n + 1);

	if (!grown)
		return 0;
	memcpy(grown + a->len, p, size * n);
	a->len += size * n;
	grown[a->len] = '\0';
	a->body = grown;
	return size * n;
}

static struct answer http(const struct server *s, const char *method, const char *path,
			  const char *body, size_t body_len)
{
	struct answer a = { 0 };
	char url[256];
	CURL *c = curl_easy_init();
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");

	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", s->port, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 60000L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &a);
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
	}
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a.status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return a;
}

static struct answer post(const struct server *s, const char *path, const char *body)
{
	return http(s, "POST", path, body, strlen(body));
}

/* An OpenAI error body: {"error":{"message":string,"type":string,...}}, with
 * @code when not NULL. */
static bool is_error_json(const struct answer *a, const char *code)
{
	json_object *root = a->body ? json_tokener_parse(a->body) : NULL, *e, *v;
	bool ok = root && json_object_object_get_ex(root, "error", &e) &&
		  json_object_object_get_ex(e, "message", &v) &&
		  json_object_is_type(v, json_type_string) &&
		  json_object_object_get_ex(e, "type", &v) &&
		  json_object_is_type(v, json_type_string) &&
		  json_object_object_get_ex(e, "param", NULL) &&
		  json_object_object_get_ex(e, "code", &v);

	if (ok && code)
		ok = json_object_is_type(v, json_type_string) &&
		     strcmp(json_object_get_string(v), code) == 0;
	json_object_put(root);
	return ok;
}

static void check_error(struct tap *t, struct answer a, long status, const char *code,
			const char *what)
{
	if (!tap_ok(t, a.status == status && is_error_json(&a, code), "%s -> %ld, JSON error%s%s",
		    what, status, code ? " " : "", code ? code : ""))
		tap_diag("got %ld: %.300s", a.status, a.body ? a.body : "");
	free(a.body);
}

/* ---- our client ----------------------------------------------------------- */

static struct ea_cloud_endpoint endpoint(const struct server *s)
{
	return (struct ea_cloud_endpoint){ .base_url = (char *)s->base_url, .model = MODEL_NAME,
		.timeout_ms = 60000, .connect_timeout_ms = 2000, .retries = 0, .backoff_ms = 10 };
}

static ea_status complete(const struct server *s, bool chat, bool stream, int max_tokens,
			  struct ea_cloud_result *res)
{
	struct ea_cloud_endpoint ep = endpoint(s);
	struct ea_cloud_request req = { .chat = chat, .prompt = PROMPT, .stream = stream,
					.max_tokens = max_tokens, .temperature = 0, .top_p = -1 };
	struct ea_error err;
	ea_status st = ea_cloud_complete(&ep, &req, res, &err);

	if (st != EA_OK)
		tap_diag("ea_cloud_complete: %s", err.msg);
	return st;
}

static void test_client(struct tap *t, const struct server *s)
{
	struct ea_cloud_result whole[2], streamed[2];

	for (int chat = 0; chat < 2; chat++) {
		const char *kind = chat ? "chat" : "completions";
		ea_status a = complete(s, chat, false, 12, &whole[chat]);
		ea_status b = complete(s, chat, true, 12, &streamed[chat]);

		tap_ok(t, a == EA_OK && whole[chat].http_status == 200 && whole[chat].text_len > 0 &&
		       whole[chat].prompt_tokens > 0 && whole[chat].completion_tokens > 0 &&
		       whole[chat].completion_tokens <= 12 &&
		       (!strcmp(whole[chat].finish_reason, "length") ||
			!strcmp(whole[chat].finish_reason, "stop")),
		       "%s, not streamed: text, usage (%d+%d tokens) and finish_reason '%s'", kind,
		       whole[chat].prompt_tokens, whole[chat].completion_tokens,
		       whole[chat].finish_reason);
		tap_ok(t, b == EA_OK && !streamed[chat].cut && streamed[chat].text_len > 0 &&
		       !strcmp(streamed[chat].finish_reason, whole[chat].finish_reason),
		       "%s, streamed: complete, finish_reason '%s'", kind,
		       streamed[chat].finish_reason);
		if (!tap_ok(t, a == EA_OK && b == EA_OK && streamed[chat].text_len ==
			    whole[chat].text_len && !memcmp(streamed[chat].text, whole[chat].text,
							    whole[chat].text_len),
			    "%s: greedy text streamed == not streamed", kind))
			tap_diag("'%s' vs '%s'", streamed[chat].text ? streamed[chat].text : "",
				 whole[chat].text ? whole[chat].text : "");
		ea_cloud_result_free(&whole[chat]);
		ea_cloud_result_free(&streamed[chat]);
	}
}

static void test_models(struct tap *t, const struct server *s)
{
	struct answer a = http(s, "GET", "/v1/models", NULL, 0);
	json_object *root = a.body ? json_tokener_parse(a.body) : NULL, *data, *id = NULL;
	struct ea_cloud_endpoint ep = endpoint(s);
	struct ea_cloud_probe probe = { 0 };
	struct ea_error err;
	ea_status st;

	if (root && json_object_object_get_ex(root, "data", &data) &&
	    json_object_array_length(data) == 1)
		json_object_object_get_ex(json_object_array_get_idx(data, 0), "id", &id);
	tap_ok(t, a.status == 200 && id && !strcmp(json_object_get_string(id), MODEL_NAME),
	       "GET /v1/models lists '%s'", MODEL_NAME);
	json_object_put(root);
	free(a.body);
	st = ea_cloud_probe(&ep, 3, &probe, &err);
	if (!tap_ok(t, st == EA_OK && probe.rtt_ms > 0 && probe.tokens_per_s > 0,
		    "ea_cloud_probe: rtt %.2f ms, %.1f tok/s", probe.rtt_ms, probe.tokens_per_s))
		tap_diag("%s", st == EA_OK ? "" : err.msg);
}

static void test_bad_requests(struct tap *t, const struct server *s)
{
	static const char chat[] = "/v1/chat/completions", cmpl[] = "/v1/completions";
	size_t huge_len = MAX_BODY * 4, long_len = 6000;
	char *huge = malloc(huge_len), *long_prompt = malloc(long_len + 64);
	struct answer a;

	check_error(t, post(s, chat, "{\"model\": \"" MODEL_NAME "\", \"messages\": ["), 400,
		    "invalid_json", "broken JSON");
	check_error(t, post(s, chat, "[1, 2]"), 400, "invalid_json", "a JSON array as the body");
	check_error(t, post(s, cmpl, "{\"model\":\"" MODEL_NAME "\",\"prompt\":\"a\","
			    "\"max_tokens\":\"x\"}"), 400, "invalid_value", "max_tokens \"x\"");
	check_error(t, post(s, chat, "{\"model\":\"" MODEL_NAME "\",\"messages\":\"hi\"}"), 400,
		    "invalid_value", "messages not an array");
	check_error(t, post(s, chat, "{\"model\":\"" MODEL_NAME "\",\"messages\":[{\"role\":"
			    "\"user\",\"content\":\"hi\"}],\"temperature\":2.5}"), 400,
		    "invalid_value", "temperature 2.5");
	check_error(t, post(s, cmpl, "{\"model\":\"" MODEL_NAME "\",\"prompt\":\"a\","
			    "\"max_tokens\":65}"), 400, "invalid_value",
		    "max_tokens over the server's limit");
	check_error(t, post(s, cmpl, "{\"model\":\"" MODEL_NAME "\",\"prompt\":\"a\","
			    "\"frobnicate\":1}"), 400, "unknown_parameter", "an unknown field");
	check_error(t, post(s, cmpl, "{\"model\":\"" MODEL_NAME "\",\"prompt\":\"a\",\"n\":2}"),
		    400, "unsupported_parameter", "n = 2");
	check_error(t, post(s, chat, "{\"model\":\"gpt-4\",\"messages\":[{\"role\":\"user\","
			    "\"content\":\"hi\"}]}"), 404, "model_not_found", "an unknown model");
	check_error(t, post(s, cmpl, "{\"prompt\":\"a\"}"), 400, "invalid_value",
		    "no model");

	memset(huge, ' ', huge_len);
	memcpy(huge, "{\"prompt\":\"", 11);
	check_error(t, http(s, "POST", cmpl, huge, huge_len), 413, "body_too_large",
		    "a body over --max-body");
	size_t n = (size_t)sprintf(long_prompt, "{\"model\":\"%s\",\"prompt\":\"", MODEL_NAME);
	for (; n < long_len; n += 4)
		memcpy(long_prompt + n, "vim ", 4);
	strcpy(long_prompt + n, "\"}");
	check_error(t, post(s, cmpl, long_prompt), 400, "context_length_exceeded",
		    "a prompt longer than the context");
	check_error(t, http(s, "GET", "/v1/nothing", NULL, 0), 404, "unknown_url",
		    "an unknown path");
	check_error(t, http(s, "GET", chat, NULL, 0), 405, "method_not_allowed",
		    "GET on /v1/chat/completions");
	check_error(t, http(s, "DELETE", "/v1/models", NULL, 0), 405, "method_not_allowed",
		    "DELETE on /v1/models");
	free(huge);
	free(long_prompt);

	a = post(s, cmpl, "{\"model\":\"" MODEL_NAME "\",\"prompt\":\"Package: vim\","
		 "\"max_tokens\":4,\"temperature\":0}");
	tap_ok(t, a.status == 200 && a.body && strstr(a.body, "\"text_completion\""),
	       "still serving after the bad requests");
	free(a.body);
}

/* ---- token ids, echo, logprobs --------------------------------------------------- */

static json_object *path_of(json_object *o, const char *const *keys)
{
	for (; o && *keys; keys++)
		if (!json_object_object_get_ex(o, *keys, &o))
			return NULL;
	return o;
}

#define AT(o, ...) path_of(o, (const char *const[]){ __VA_ARGS__, NULL })

/* choices[0].logprobs of a completions answer, and its arrays. */
struct lp_answer {
	json_object *root, *tokens, *values, *tops, *offsets;
	int n;
};

static bool lp_parse(const struct answer *a, struct lp_answer *l)
{
	json_object *choices;

	memset(l, 0, sizeof(*l));
	l->root = a->status == 200 && a->body ? json_tokener_parse(a->body) : NULL;
	choices = AT(l->root, "choices");
	if (!choices || !json_object_is_type(choices, json_type_array))
		return false;
	l->tokens = AT(json_object_array_get_idx(choices, 0), "logprobs", "tokens");
	l->values = AT(json_object_array_get_idx(choices, 0), "logprobs", "token_logprobs");
	l->tops = AT(json_object_array_get_idx(choices, 0), "logprobs", "top_logprobs");
	l->offsets = AT(json_object_array_get_idx(choices, 0), "logprobs", "text_offset");
	l->n = l->tokens ? (int)json_object_array_length(l->tokens) : -1;
	return l->values && l->tops && l->offsets &&
	       (int)json_object_array_length(l->values) == l->n &&
	       (int)json_object_array_length(l->tops) == l->n &&
	       (int)json_object_array_length(l->offsets) == l->n;
}

static double lp_value(const struct lp_answer *l, int i)
{
	return json_object_get_double(json_object_array_get_idx(l->values, i));
}

/* The most likely alternative's logprob at @i, and how many there are. */
static double lp_best(const struct lp_answer *l, int i, int *n)
{
	json_object *top = json_object_array_get_idx(l->tops, i);
	double best = -INFINITY;

	*n = 0;
	json_object_object_foreach(top, key, v) {
		(void)key;
		best = fmax(best, json_object_get_double(v));
		(*n)++;
	}
	return best;
}

static void test_logprobs(struct tap *t, const struct server *s)
{
	static const char cmpl[] = "/v1/completions", chat[] = "/v1/chat/completions";
	struct answer m = http(s, "GET", "/v1/models", NULL, 0), a, b;
	json_object *models = m.body ? json_tokener_parse(m.body) : NULL, *data;
	json_object *hash = NULL, *vocab = NULL, *usage;
	struct lp_answer la, lb;
	char body[512];
	bool ok, greedy = true, offsets = true, same = true;
	int n_vocab = 0, n_top;

	data = AT(models, "data");
	if (data && json_object_array_length(data) == 1) {
		hash = AT(json_object_array_get_idx(data, 0), "edgeai", "tokenizer_sha256");
		vocab = AT(json_object_array_get_idx(data, 0), "edgeai", "n_vocab");
	}
	n_vocab = vocab ? json_object_get_int(vocab) : 0;
	tap_ok(t, hash && json_object_get_string_len(hash) == 64 && n_vocab > 100,
	       "GET /v1/models: edgeai.tokenizer_sha256 (%s), n_vocab %d, for a client to "
	       "check that it shares the tokenizer", hash ? json_object_get_string(hash) : "-",
	       n_vocab);

	a = post(s, cmpl, "{\"model\":\"" MODEL_NAME "\",\"prompt\":[1,10,20,30,40],\"echo\":true,"
		 "\"logprobs\":3,\"max_tokens\":4,\"temperature\":0}");
	ok = lp_parse(&a, &la) && la.n == 9 &&
	     json_object_array_get_idx(la.values, 0) == NULL &&
	     json_object_array_get_idx(la.tops, 0) == NULL &&
	     json_object_get_int(AT(la.root, "usage", "prompt_tokens")) == 5 &&
	     json_object_get_int(AT(la.root, "usage", "completion_tokens")) == 4;
	for (int i = 1; ok && i < la.n; i++) {
		double best = lp_best(&la, i, &n_top);

		ok = lp_value(&la, i) <= 0 && n_top >= 1 && n_top <= 3;
		if (i >= 5)	/* greedy: each generated token is the most likely */
			greedy &= fabs(lp_value(&la, i) - best) < 1e-9;
		offsets &= json_object_get_int(json_object_array_get_idx(la.offsets, i)) >=
			   json_object_get_int(json_object_array_get_idx(la.offsets, i - 1));
	}
	if (!tap_ok(t, ok && greedy && offsets, "completions with a prompt of 5 token ids, echo "
		    "and logprobs 3: 9 tokens, the first's logprob null, up to 3 alternatives "
		    "each, every greedy token the most likely, text offsets in order"))
		tap_diag("%d: %.400s", (int)a.status, a.body ? a.body : "");

	b = post(s, cmpl, "{\"model\":\"" MODEL_NAME "\",\"prompt\":[1,10,20,30,40,50,60],"
		 "\"echo\":true,\"logprobs\":1,\"max_tokens\":0}");
	ok = lp_parse(&b, &lb) && lb.n == 7 &&
	     json_object_get_int(AT(lb.root, "usage", "completion_tokens")) == 0 &&
	     !strcmp(json_object_get_string(AT(json_object_array_get_idx(
		     AT(lb.root, "choices"), 0), "finish_reason")), "length");
	for (int i = 1; ok && i < 5; i++)
		same &= lp_value(&la, i) == lp_value(&lb, i);
	usage = AT(lb.root, "usage", "prompt_tokens_details", "cached_tokens");
	if (!tap_ok(t, ok && same && usage, "max_tokens 0 with echo scores the prompt only: 7 "
		    "logprobs, the first 5 as before, finish 'length', usage.prompt_tokens_details."
		    "cached_tokens %d", usage ? json_object_get_int(usage) : -1))
		tap_diag("%d: %.400s", (int)b.status, b.body ? b.body : "");
	json_object_put(la.root);
	json_object_put(lb.root);
	free(a.body);
	free(b.body);

	snprintf(body, sizeof(body), "{\"model\":\"" MODEL_NAME "\",\"prompt\":[1,%d],"
		 "\"max_tokens\":1}", n_vocab);
	check_error(t, post(s, cmpl, body), 400, "invalid_value", "a token id past the vocabulary");
	check_error(t, post(s, cmpl, "{\"model\":\"" MODEL_NAME "\",\"prompt\":[1,-2],"
			    "\"max_tokens\":1}"), 400, "invalid_value", "a negative token id");
	check_error(t, post(s, cmpl, "{\"model\":\"" MODEL_NAME "\",\"prompt\":[1,2.5],"
			    "\"max_tokens\":1}"), 400, "invalid_value", "a token id 2.5");
	check_error(t, post(s, cmpl, "{\"model\":\"" MODEL_NAME "\",\"prompt\":[1,\"a\"],"
			    "\"max_tokens\":1}"), 400, "invalid_value", "an id and a string");
	check_error(t, post(s, cmpl, "{\"model\":\"" MODEL_NAME "\",\"prompt\":\"a\","
			    "\"max_tokens\":0}"), 400, "invalid_value", "max_tokens 0 without echo");
	check_error(t, post(s, cmpl, "{\"model\":\"" MODEL_NAME "\",\"prompt\":\"a\","
			    "\"logprobs\":21}"), 400, "invalid_value", "logprobs 21");
	check_error(t, post(s, chat, "{\"model\":\"" MODEL_NAME "\",\"messages\":[{\"role\":"
			    "\"user\",\"content\":\"hi\"}],\"top_logprobs\":2}"), 400,
		    "invalid_value", "chat top_logprobs without logprobs");

	a = post(s, chat, "{\"model\":\"" MODEL_NAME "\",\"messages\":[{\"role\":\"user\","
		 "\"content\":\"Package: vim\"}],\"logprobs\":true,\"top_logprobs\":2,"
		 "\"max_tokens\":3,\"temperature\":0}");
	la.root = a.status == 200 && a.body ? json_tokener_parse(a.body) : NULL;
	data = AT(json_object_array_get_idx(AT(la.root, "choices"), 0), "logprobs", "content");
	ok = data && (int)json_object_array_length(data) ==
		     json_object_get_int(AT(la.root, "usage", "completion_tokens"));
	for (size_t i = 0; ok && i < json_object_array_length(data); i++) {
		json_object *c = json_object_array_get_idx(data, i);

		ok = AT(c, "token") && AT(c, "bytes") && AT(c, "logprob") &&
		     json_object_array_length(AT(c, "top_logprobs")) == 2;
	}
	if (!tap_ok(t, ok, "chat with logprobs and top_logprobs 2: a content entry per token, "
		    "each with its bytes and 2 alternatives"))
		tap_diag("%d: %.400s", (int)a.status, a.body ? a.body : "");
	json_object_put(la.root);
	free(a.body);
	json_object_put(models);
	free(m.body);
}

/* ---- streamed logprobs -------------------------------------------------------- */

#define PROMPT_JSON "\"Package: vim\\nDescription:\""

/* A stream's chunks put together: choices[0] of each, the text, the finish
 * reason, and the logprobs concatenated in the whole answer's shape. */
struct streamed {
	json_object *choices;		/* each chunk's choices[0] */
	int n_chunks;			/* with a choice */
	int n_logprobs;			/* of them, with a logprobs object */
	bool done;			/* it ended with data: [DONE] */
	char text[4096];
	size_t len;
	char finish[16];
	json_object *logprobs;
};

/* Element @i of the array @a; NULL when @a is not an array or too short. */
static json_object *item(json_object *a, int i)
{
	return json_object_is_type(a, json_type_array) && i >= 0 &&
	       (size_t)i < json_object_array_length(a) ?
	       json_object_array_get_idx(a, (size_t)i) : NULL;
}

/* The length of the array @a; -1 when it is not one. */
static int length(json_object *a)
{
	return json_object_is_type(a, json_type_array) ? (int)json_object_array_length(a) : -1;
}

/* @o is the string @s. */
static bool is_string(json_object *o, const char *s)
{
	return json_object_is_type(o, json_type_string) && !strcmp(json_object_get_string(o), s);
}

/* choices[0] of chunk @i, and its logprobs' @key. */
static json_object *chunk_at(const struct streamed *st, int i, const char *key)
{
	json_object *choice = item(st->choices, i);

	return key ? AT(choice, "logprobs", key) : choice;
}

static void stream_add(struct streamed *st, json_object *choice)
{
	static const char *const keys[] = { "tokens", "token_logprobs", "top_logprobs",
					    "text_offset", "content" };
	json_object *text = AT(choice, "text"), *lp = AT(choice, "logprobs");
	json_object *reason = AT(choice, "finish_reason");
	size_t n;

	if (!text)
		text = AT(choice, "delta", "content");
	n = (size_t)json_object_get_string_len(text);
	if (text && st->len + n < sizeof(st->text)) {
		memcpy(st->text + st->len, json_object_get_string(text), n);
		st->len += n;
	}
	if (reason)
		snprintf(st->finish, sizeof(st->finish), "%s", json_object_get_string(reason));
	st->n_chunks++;
	st->n_logprobs += lp != NULL;
	for (size_t k = 0; lp && k < sizeof(keys) / sizeof(keys[0]); k++) {
		json_object *from = AT(lp, keys[k]), *to = AT(st->logprobs, keys[k]);

		if (!from)
			continue;
		if (!to) {
			to = json_object_new_array();
			json_object_object_add(st->logprobs, keys[k], to);
		}
		for (int i = 0; i < length(from); i++)
			json_object_array_add(to, json_object_get(item(from, i)));
	}
}

/* The events of @a, each "data: {chunk}" or "data: [DONE]"; false when one
 * is not, or the stream did not end with [DONE]. */
static bool stream_parse(const struct answer *a, struct streamed *st)
{
	char *events = a->status == 200 && a->body ? strdup(a->body) : NULL, *p = events;
	bool ok = p != NULL;

	memset(st, 0, sizeof(*st));
	st->choices = json_object_new_array();
	st->logprobs = json_object_new_object();
	while (ok && *p && !st->done) {
		char *end = strstr(p, "\n\n");
		json_object *chunk, *choice;

		ok = end && !strncmp(p, "data: ", 6);
		if (!ok)
			break;
		*end = '\0';
		st->done = !strcmp(p + 6, "[DONE]");
		chunk = st->done ? NULL : json_tokener_parse(p + 6);
		choice = item(AT(chunk, "choices"), 0);
		ok = st->done || choice || AT(chunk, "usage");
		if (choice) {
			json_object_array_add(st->choices, json_object_get(choice));
			stream_add(st, choice);
		}
		json_object_put(chunk);
		p = end + 2;
	}
	ok = ok && st->done && !*p;
	free(events);
	return ok;
}

/* One request asked whole and streamed. */
struct both {
	json_object *root, *choice;	/* the whole answer, its choices[0] */
	struct streamed st;
	bool same;			/* text, finish_reason and logprobs equal */
};

/* @fields (the JSON members after the model) asked of @path whole, then
 * streamed; the two compared. */
static void ask_both(const struct server *s, const char *path, const char *fields,
		     struct both *b)
{
	char body[1024];
	struct answer whole, stream;
	json_object *text;

	snprintf(body, sizeof(body), "{\"model\":\"" MODEL_NAME "\",%s}", fields);
	whole = post(s, path, body);
	snprintf(body, sizeof(body), "{\"model\":\"" MODEL_NAME "\",\"stream\":true,%s}", fields);
	stream = post(s, path, body);
	b->root = whole.status == 200 && whole.body ? json_tokener_parse(whole.body) : NULL;
	b->choice = item(AT(b->root, "choices"), 0);
	text = AT(b->choice, "text");
	if (!text)
		text = AT(b->choice, "message", "content");
	b->same = stream_parse(&stream, &b->st) && text &&
		  (size_t)json_object_get_string_len(text) == b->st.len &&
		  !memcmp(json_object_get_string(text), b->st.text, b->st.len) &&
		  is_string(AT(b->choice, "finish_reason"), b->st.finish) &&
		  json_object_equal(AT(b->choice, "logprobs"), b->st.logprobs);
	if (!b->same)
		tap_diag("whole %ld: %.600s\n# streamed %ld: %.900s", whole.status,
			 whole.body ? whole.body : "", stream.status,
			 stream.body ? stream.body : "");
	free(whole.body);
	free(stream.body);
}

static void both_free(struct both *b)
{
	json_object_put(b->root);
	json_object_put(b->st.choices);
	json_object_put(b->st.logprobs);
}

/* A stop string of two printable ASCII characters (no JSON escapes) that
 * @text has first at byte @from or after (and after its first byte); "" when
 * none. */
static void stop_from(const char *text, size_t from, char stop[3])
{
	stop[0] = '\0';
	for (size_t i = from > 1 ? from : 1; text && text[i] && text[i + 1] && !stop[0]; i++) {
		if (text[i] > ' ' && text[i] < 0x7f && text[i + 1] > ' ' && text[i + 1] < 0x7f &&
		    !strchr("\"\\", text[i]) && !strchr("\"\\", text[i + 1]))
			snprintf(stop, 3, "%c%c", text[i], text[i + 1]);
		if (stop[0] && strstr(text, stop) != text + i)
			stop[0] = '\0';
	}
}

/* Completions streamed with logprobs: the chunks' text and records, put
 * together, are the whole answer's; with a stop string the text it held back
 * keeps its tokens' records, the stop's going with the last chunk. */
static void test_stream_completions(struct tap *t, const struct server *s)
{
	static const char cmpl[] = "/v1/completions";
	char fields[512], stop[3];
	const char *text;
	struct both b;
	json_object *last;

	ask_both(s, cmpl, "\"prompt\":" PROMPT_JSON ",\"max_tokens\":12,\"temperature\":0,"
		 "\"logprobs\":3", &b);
	tap_ok(t, b.same && b.st.n_chunks > 2 && b.st.n_logprobs == b.st.n_chunks &&
	       length(AT(b.st.logprobs, "tokens")) > 0,
	       "completions streamed with logprobs 3: %d chunks, each with logprobs; their "
	       "tokens, token_logprobs, top_logprobs and text_offset together == not streamed",
	       b.st.n_chunks);
	text = json_object_get_string(AT(b.choice, "text"));
	stop_from(text, text ? strlen(text) / 2 : 0, stop);
	if (!stop[0])
		stop_from(text, 1, stop);
	both_free(&b);

	snprintf(fields, sizeof(fields), "\"prompt\":" PROMPT_JSON ",\"max_tokens\":12,"
		 "\"temperature\":0,\"logprobs\":2,\"stop\":\"%s\"", stop);
	ask_both(s, cmpl, fields, &b);
	last = chunk_at(&b.st, b.st.n_chunks - 1, "tokens");
	tap_ok(t, stop[0] && b.same && !strcmp(b.st.finish, "stop") && length(last) > 0,
	       "with stop '%s': streamed == not streamed, finish 'stop', the last chunk with "
	       "the records of the tokens the stop string held back (%d)", stop,
	       length(last));
	both_free(&b);
}

static void test_stream_echo(struct tap *t, const struct server *s)
{
	static const char cmpl[] = "/v1/completions";
	struct both b;
	json_object *first, *last, *values, *tops;
	int n_prompt;

	ask_both(s, cmpl, "\"prompt\":" PROMPT_JSON ",\"echo\":true,\"logprobs\":2,"
		 "\"max_tokens\":6,\"temperature\":0", &b);
	first = chunk_at(&b.st, 0, NULL);
	values = chunk_at(&b.st, 0, "token_logprobs");
	tops = chunk_at(&b.st, 0, "top_logprobs");
	n_prompt = json_object_get_int(AT(b.root, "usage", "prompt_tokens"));
	tap_ok(t, b.same && is_string(AT(first, "text"), PROMPT) &&
	       length(chunk_at(&b.st, 0, "tokens")) == n_prompt && length(values) == n_prompt &&
	       !item(values, 0) && length(tops) == n_prompt && !item(tops, 0),
	       "streamed echo with logprobs 2: a first chunk with the prompt's text and its %d "
	       "tokens' records (the first null), then the generated; together == not streamed",
	       n_prompt);
	both_free(&b);

	ask_both(s, cmpl, "\"prompt\":[1,10,20,30,40,50],\"echo\":true,\"logprobs\":1,"
		 "\"max_tokens\":0", &b);
	first = chunk_at(&b.st, 0, NULL);
	last = chunk_at(&b.st, 1, NULL);
	tap_ok(t, b.same && b.st.n_chunks == 2 &&
	       length(chunk_at(&b.st, 0, "tokens")) == 6 &&
	       !AT(first, "finish_reason") && json_object_get_string_len(AT(last, "text")) == 0 &&
	       !strcmp(b.st.finish, "length"),
	       "streamed echo with max_tokens 0: the prompt's chunk (6 records), then the finish "
	       "chunk ('length'), then [DONE]; == not streamed");
	both_free(&b);
}

/* Every token and alternative of @lp spelled "token_id:N". */
static bool all_token_ids(json_object *lp)
{
	json_object *tokens = AT(lp, "tokens"), *tops = AT(lp, "top_logprobs");
	bool ok = length(tokens) > 0 && length(tops) == length(tokens);

	for (int i = 0; ok && i < length(tokens); i++) {
		ok = !strncmp(json_object_get_string(item(tokens, i)), "token_id:", 9);
		if (!item(tops, i))
			continue;
		json_object_object_foreach(item(tops, i), key, v) {
			(void)v;
			ok = ok && !strncmp(key, "token_id:", 9);
		}
	}
	return ok;
}

static void test_stream_chat_and_ids(struct tap *t, const struct server *s)
{
	struct both b;
	json_object *content, *tokens;

	ask_both(s, "/v1/chat/completions", "\"messages\":[{\"role\":\"user\",\"content\":"
		 PROMPT_JSON "}],\"logprobs\":true,\"top_logprobs\":2,\"max_tokens\":8,"
		 "\"temperature\":0", &b);
	content = AT(b.st.logprobs, "content");
	tap_ok(t, b.same && length(content) ==
	       json_object_get_int(AT(b.root, "usage", "completion_tokens")) &&
	       !chunk_at(&b.st, 0, "content") && b.st.n_logprobs == b.st.n_chunks - 1,
	       "chat streamed with logprobs and top_logprobs 2: the role chunk without, every "
	       "other with logprobs.content; together (%d tokens) == not streamed",
	       length(content));
	both_free(&b);

	ask_both(s, "/v1/completions", "\"prompt\":[1,10,20,30,40],\"echo\":true,"
		 "\"logprobs\":2,\"max_tokens\":4,\"temperature\":0,"
		 "\"return_tokens_as_token_ids\":true", &b);
	tokens = AT(b.st.logprobs, "tokens");
	tap_ok(t, b.same && all_token_ids(b.st.logprobs) &&
	       is_string(item(tokens, 4), "token_id:40"),
	       "return_tokens_as_token_ids streamed, with echo: every token and alternative "
	       "\"token_id:N\", the prompt's its ids; == not streamed");
	both_free(&b);
}

/* Prefix caching across the server's sessions: two prompts, then each
 * extended, every request to the session that cached its prefix. */
static void test_prefix_cache(struct tap *t, const struct server *s)
{
	static const char *const bodies[] = {
		"[1,10,20,30,40,50,60,70,80,90,100,110]", "[2,11,21,31,41,51,61,71,81,91,101,111]",
		"[1,10,20,30,40,50,60,70,80,90,100,110,120,130]",
		"[2,11,21,31,41,51,61,71,81,91,101,111,121,131]",
	};
	int cached[4] = { -1, -1, -1, -1 };

	for (int i = 0; i < 4; i++) {
		char body[256];
		struct answer a;
		json_object *root, *v;

		snprintf(body, sizeof(body), "{\"model\":\"" MODEL_NAME "\",\"prompt\":%s,"
			 "\"max_tokens\":1,\"temperature\":0}", bodies[i]);
		a = post(s, "/v1/completions", body);
		root = a.status == 200 && a.body ? json_tokener_parse(a.body) : NULL;
		v = AT(root, "usage", "prompt_tokens_details", "cached_tokens");
		cached[i] = v ? json_object_get_int(v) : -1;
		json_object_put(root);
		free(a.body);
	}
	tap_ok(t, cached[0] >= 0 && cached[1] >= 0 && cached[2] == 12 && cached[3] == 12,
	       "prefix caching across 2 sessions: prompts A, B, then A and B extended reuse 12 "
	       "cached tokens each (%d, %d)", cached[2], cached[3]);
}

/* ---- concurrency ------------------------------------------------------------ */

struct client {
	const struct server *s;
	pthread_barrier_t *start;
	int index;
	bool raw;			/* a raw request (queue test), else ea_cloud */
	ea_status status;
	struct answer answer;
	char text[256];
};

static void *client_main(void *arg)
{
	struct client *c = arg;
	struct ea_cloud_result r;

	pthread_barrier_wait(c->start);
	if (c->raw) {
		c->answer = post(c->s, "/v1/completions", "{\"model\":\"" MODEL_NAME "\","
				 "\"prompt\":\"Package: vim\",\"temperature\":0,\"stop\":\"@@\","
				 "\"max_tokens\":64}");
		return NULL;
	}
	c->status = complete(c->s, c->index % 2, c->index % 3 == 0, 8, &r);
	snprintf(c->text, sizeof(c->text), "%s", r.text ? r.text : "");
	ea_cloud_result_free(&r);
	return NULL;
}

static void run_clients(const struct server *s, struct client *c, int n, bool raw)
{
	pthread_t th[16];
	pthread_barrier_t start;

	pthread_barrier_init(&start, NULL, (unsigned)n);
	for (int i = 0; i < n; i++) {
		c[i] = (struct client){ .s = s, .start = &start, .index = i, .raw = raw };
		pthread_create(&th[i], NULL, client_main, &c[i]);
	}
	for (int i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&start);
}

static void test_concurrency(struct tap *t, const struct server *s)
{
	struct client c[16];
	int ok = 0, busy = 0, other = 0;
	bool same = true;

	/* 2 sessions + 2 queued: 4 clients always fit. */
	run_clients(s, c, 4, false);
	for (int i = 0; i < 4; i++) {
		ok += c[i].status == EA_OK;
		same = same && !strcmp(c[i].text, c[i % 2].text);
	}
	tap_ok(t, ok == 4, "4 concurrent clients (chat and completions, streamed and not): "
	       "%d answered", ok);
	tap_ok(t, same, "concurrent greedy answers equal per endpoint");

	run_clients(s, c, 16, true);
	for (int i = 0; i < 16; i++) {
		if (c[i].answer.status == 200)
			ok++;
		else if (c[i].answer.status == 503 && is_error_json(&c[i].answer, "queue_full"))
			busy++;
		else
			other++;
		free(c[i].answer.body);
	}
	tap_ok(t, busy > 0 && other == 0, "16 at once on 2 sessions + 2 queued: %d full-queue 503s "
	       "with a JSON error, %d other failures", busy, other);
}

/* ---- shutdown ----------------------------------------------------------------- */

struct stopper {
	pid_t pid;
	bool sent;
};

static bool stop_on_first_text(const char *text, size_t len, void *user)
{
	struct stopper *st = user;

	(void)text;
	(void)len;
	if (!st->sent) {
		kill(st->pid, SIGTERM);
		st->sent = true;
	}
	return true;
}

static void test_shutdown(struct tap *t, struct server *s)
{
	struct ea_cloud_endpoint ep = endpoint(s);
	struct stopper st = { .pid = s->pid };
	struct ea_cloud_request req = { .chat = true, .prompt = PROMPT, .stream = true,
					.max_tokens = 48, .temperature = 0, .top_p = -1,
					.on_text = stop_on_first_text, .user = &st };
	struct ea_cloud_result r;
	struct ea_error err;
	ea_status rc = ea_cloud_complete(&ep, &req, &r, &err);
	struct answer after;
	int status = -1;

	tap_ok(t, st.sent && rc == EA_OK && !r.cut,
	       "SIGTERM mid-stream: the stream still completes (%s)", rc == EA_OK ? "ok" : err.msg);
	ea_cloud_result_free(&r);
	for (double end = now_ms() + EXIT_TIMEOUT_MS; s->pid > 0 && now_ms() < end; sleep_ms(20)) {
		int ws;

		if (waitpid(s->pid, &ws, WNOHANG) == s->pid) {
			status = WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
			s->pid = 0;
		}
	}
	tap_ok(t, status == 0, "then the server exits with status 0 (got %d)", status);
	after = http(s, "GET", "/v1/models", NULL, 0);
	tap_ok(t, after.status == 0, "and no longer accepts connections");
	free(after.body);
}

/* The log: one line per request, and never a request body. */
static void test_log(struct tap *t, const struct server *s)
{
	char line[1024];
	FILE *f = fopen(s->log, "r");
	int requests = 0;
	bool body = false;

	while (f && fgets(line, sizeof(line), f)) {
		requests += strstr(line, "edgeai serve: POST /v1/") != NULL;
		body = body || strstr(line, "frobnicate") || strstr(line, "Package: vim");
	}
	if (f)
		fclose(f);
	tap_ok(t, requests >= 20 && !body, "stderr: %d request lines, no request body", requests);
}

static void dump_log(const struct server *s)
{
	char line[1024];
	FILE *f = fopen(s->log, "r");

	while (f && fgets(line, sizeof(line), f))
		printf("# server: %s", line);
	if (f)
		fclose(f);
}

int main(void)
{
	struct tap t = { 0 };
	char edgeai[PATH_MAX], model[PATH_MAX], tmp[] = "/tmp/test_serve.XXXXXX";
	struct server s = { 0 };

	alarm(WATCHDOG_S);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	tap_plan(&t, 51);
	if (!tap_ok(&t, ea_test_edgeai_path(edgeai, sizeof(edgeai)) && mkdtemp(tmp),
		    "build/bin/edgeai is built"))
		return tap_done(&t);
	if (!ea_model_path("edge-f16.gguf", model, sizeof(model))) {
		char *synth[] = { edgeai, "synth", "--preset", "tiny", "--type", "f16", "-o", model,
				  NULL };

		snprintf(model, sizeof(model), "%s/tiny.gguf", tmp);
		ea_test_run_wait(synth);
	}
	tap_diag("model %s", model);
	if (!tap_ok(&t, server_start(&s, edgeai, model, tmp, "2", "2"),
		    "edgeai serve starts and listens (%s)", s.base_url))
		return tap_done(&t);

	test_models(&t, &s);
	test_client(&t, &s);
	test_bad_requests(&t, &s);
	test_logprobs(&t, &s);
	test_stream_completions(&t, &s);
	test_stream_echo(&t, &s);
	test_stream_chat_and_ids(&t, &s);
	test_prefix_cache(&t, &s);
	test_concurrency(&t, &s);
	test_shutdown(&t, &s);
	test_log(&t, &s);

	server_stop(&s);
	if (t.failed)
		dump_log(&s);
	unlink(s.log);
	snprintf(model, sizeof(model), "%s/tiny.gguf", tmp);
	unlink(model);
	rmdir(tmp);
	curl_global_cleanup();
	return tap_done(&t);
}

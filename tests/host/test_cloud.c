// SPDX-License-Identifier: MIT
/*
 * test_cloud.c - the OpenAI-compatible client against a scripted HTTP server
 * on loopback (a thread answering each connection with canned bytes): plain
 * and streamed answers, a stream cut mid-answer, retries after 5xx and
 * refused connections, no retry after 4xx, timeouts, the API key header; the
 * SSE parser fed at every split point; the config file's checks; a cloud
 * that floods past max_tokens (cut at it) and streams that are not
 * completions (a fault).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ea_clock.h"
#include "ea_cloud.h"
#include "ea_sse.h"
#include "ea_tap.h"
#include "ea_test_server.h"

static struct ea_cloud_endpoint endpoint(int port, char *url, size_t n)
{
	snprintf(url, n, "http://127.0.0.1:%d/v1", port);
	return (struct ea_cloud_endpoint){ .base_url = url, .model = "cloud",
		.timeout_ms = 2000, .connect_timeout_ms = 1000, .retries = 2, .backoff_ms = 10 };
}

#define OK_HEAD "HTTP/1.1 200 OK\r\nConnection: close\r\n"
#define SSE_HEAD OK_HEAD "Content-Type: text/event-stream\r\n\r\n"

static const char chat_answer[] = OK_HEAD "Content-Type: application/json\r\n\r\n"
	"{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":\"Vi IMproved\"},"
	"\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":3}}";

static const char stream_answer[] = SSE_HEAD
	"data: {\"choices\":[{\"text\":\"Vi\"}]}\n\n"
	": a comment\r\n"
	"data: {\"choices\":[{\"text\":\" IM\"}]}\r\n\r\n"
	"data: {\"choices\":[{\"text\":\"proved\",\"finish_reason\":\"length\"}]}\n\n"
	"data: [DONE]\n\n";

static const char stream_cut[] = SSE_HEAD
	"data: {\"choices\":[{\"delta\":{\"content\":\"Vi\"}}]}\n\n"
	"data: {\"choices\":[{\"delta\":{\"content\":\" IM\"}}]}\n\n";

static const char server_error[] = "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n"
	"Content-Length: 0\r\n\r\n";
static const char bad_request[] = "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n"
	"Content-Type: application/json\r\n\r\n{\"error\":{\"message\":\"unknown model\"}}";

struct collected {
	char text[256];
	int pieces;
};

static bool collect(const char *text, size_t len, void *user)
{
	struct collected *c = user;

	strncat(c->text, text, len);
	c->pieces++;
	return true;
}

static void test_plain_chat(struct tap *t)
{
	const char *const replies[] = { chat_answer };
	struct ea_cloud_request req = { .chat = true, .prompt = "Describe vim", .max_tokens = 8,
					.temperature = 0 };
	struct ea_cloud_endpoint ep;
	struct ea_cloud_result res;
	struct ea_test_server s;
	char url[64];
	struct ea_error err = { { 0 } };
	char key[] = "sk-secret-123";

	ea_test_server_start(&s, replies, 1, 0);
	ep = endpoint(s.port, url, sizeof(url));
	ep.api_key = key;
	tap_ok(t, ea_cloud_complete(&ep, &req, &res, &err) == EA_OK,
	       "a plain chat completion succeeds %s", err.msg);
	tap_ok(t, res.text && !strcmp(res.text, "Vi IMproved") && res.prompt_tokens == 5 &&
		  res.completion_tokens == 3 && !strcmp(res.finish_reason, "stop"),
	       "its text, usage and finish reason are read");
	ea_test_server_stop(&s);
	tap_ok(t, strstr(s.last_request, "POST /v1/chat/completions ") &&
		  strstr(s.last_request, "Authorization: Bearer sk-secret-123") &&
		  strstr(s.last_request, "\"messages\":[{\"role\":\"user\",\"content\":\"Describe vim\"}]"),
	       "the request goes to /v1/chat/completions with the key and the message");
	ea_cloud_result_free(&res);
}

static void test_stream(struct tap *t)
{
	const char *const replies[] = { stream_answer };
	struct collected got = { 0 };
	struct ea_cloud_request req = { .prompt = "Package: vim", .stream = true,
					.temperature = -1, .on_text = collect, .user = &got };
	struct ea_cloud_endpoint ep;
	struct ea_cloud_result res;
	struct ea_test_server s;
	char url[64];
	struct ea_error err = { { 0 } };

	ea_test_server_start(&s, replies, 1, 0);
	ep = endpoint(s.port, url, sizeof(url));
	tap_ok(t, ea_cloud_complete(&ep, &req, &res, &err) == EA_OK &&
		  !strcmp(got.text, "Vi IMproved") && got.pieces == 3 && !res.cut &&
		  !strcmp(res.finish_reason, "length"),
	       "a streamed completion arrives in three pieces (%s) %s", got.text, err.msg);
	ea_test_server_stop(&s);
	tap_ok(t, strstr(s.last_request, "POST /v1/completions ") &&
		  strstr(s.last_request, "\"stream\":true") &&
		  strstr(s.last_request, "\"stream_options\":{\"include_usage\":true}"),
	       "streamed requests ask for a stream and for its usage");
	ea_cloud_result_free(&res);
}

static void test_cut(struct tap *t)
{
	const char *const replies[] = { stream_cut, stream_cut };
	struct ea_cloud_request req = { .chat = true, .prompt = "x", .stream = true,
					.temperature = -1 };
	struct ea_cloud_endpoint ep;
	struct ea_cloud_result res;
	struct ea_test_server s;
	char url[64];
	struct ea_error err = { { 0 } };

	ea_test_server_start(&s, replies, 2, 0);
	ep = endpoint(s.port, url, sizeof(url));
	tap_ok(t, ea_cloud_complete(&ep, &req, &res, &err) == EA_ERR_CLOUD &&
		  res.cut && res.text && !strcmp(res.text, "Vi IM") && res.attempts == 1,
	       "a stream cut mid-answer fails once, marked cut, with its partial text: %s",
	       err.msg);
	ea_cloud_result_free(&res);
	ea_test_server_stop(&s);
}

static void test_retry(struct tap *t)
{
	const char *const replies[] = { server_error, chat_answer };
	const char *const refuse[] = { bad_request, bad_request };
	struct ea_cloud_request req = { .chat = true, .prompt = "x", .temperature = -1 };
	struct ea_cloud_endpoint ep;
	struct ea_cloud_result res;
	struct ea_test_server s;
	char url[64];
	struct ea_error err = { { 0 } };
	ea_status st;
	int port;

	ea_test_server_start(&s, replies, 2, 0);
	ep = endpoint(s.port, url, sizeof(url));
	st = ea_cloud_complete(&ep, &req, &res, &err);
	tap_ok(t, st == EA_OK && res.attempts == 2 && !strcmp(res.text, "Vi IMproved"),
	       "HTTP 503 is retried and the second attempt succeeds (%d attempts)", res.attempts);
	ea_cloud_result_free(&res);
	ea_test_server_stop(&s);

	ea_test_server_start(&s, refuse, 2, 0);
	ep = endpoint(s.port, url, sizeof(url));
	tap_ok(t, ea_cloud_complete(&ep, &req, &res, &err) == EA_ERR_CLOUD &&
		  res.attempts == 1 && res.http_status == 400 && strstr(err.msg, "unknown model"),
	       "HTTP 400 is not retried and its message is reported: %s", err.msg);
	ea_cloud_result_free(&res);
	ea_test_server_stop(&s);

	port = s.port;	/* closed now: connections are refused */
	ep = endpoint(port, url, sizeof(url));
	tap_ok(t, ea_cloud_complete(&ep, &req, &res, &err) == EA_ERR_CLOUD &&
		  res.attempts == 3 && !res.cut,
	       "a refused connection is retried, then reported: %s", err.msg);
	ea_cloud_result_free(&res);
}

static void test_timeout(struct tap *t)
{
	const char *const replies[] = { chat_answer };
	struct ea_cloud_request req = { .chat = true, .prompt = "x", .temperature = -1 };
	struct ea_cloud_endpoint ep;
	struct ea_cloud_result res;
	struct ea_test_server s;
	char url[64];
	struct ea_error err = { { 0 } };

	ea_test_server_start(&s, replies, 1, 1500);
	ep = endpoint(s.port, url, sizeof(url));
	ep.timeout_ms = 300;
	ep.retries = 0;
	ea_status st = ea_cloud_complete(&ep, &req, &res, &err);

	tap_ok(t, st == EA_ERR_CLOUD && res.total_ms < 1200 && strstr(err.msg, "imeout"),
	       "a server slower than timeout_ms fails in time (%.0f ms): %s", res.total_ms,
	       err.msg);
	ea_cloud_result_free(&res);
	ea_test_server_stop(&s);
}

/* ---- SSE --------------------------------------------------------------- */

struct events {
	char all[512];
	int n;
};

static bool on_event(const char *data, size_t len, void *user)
{
	struct events *e = user;

	strncat(e->all, data, len);
	strcat(e->all, "|");
	e->n++;
	return true;
}

static void test_sse(struct tap *t)
{
	static const char stream[] = "data: one\n\n: comment\r\ndata:two\r\ndata: lines\r\n\r\n"
				     "event: x\nid: 3\ndata: three\r\rdata: unfinished";
	const char *want = "one|two\nlines|three|";
	bool all_ok = true;

	for (size_t split = 0; split <= sizeof(stream) - 1; split++) {
		struct events e = { 0 };
		struct ea_sse p;

		ea_sse_init(&p, on_event, &e, 1024);
		ea_sse_feed(&p, stream, split);
		ea_sse_feed(&p, stream + split, sizeof(stream) - 1 - split);
		if (strcmp(e.all, want) || e.n != 3) {
			all_ok = false;
			tap_diag("split %zu: got \"%s\"", split, e.all);
		}
		ea_sse_free(&p);
	}
	tap_ok(t, all_ok, "SSE: the same three events at every split point (LF, CR, CRLF, comments)");

	struct events e = { 0 };
	struct ea_sse p;
	char big[100];

	memset(big, 'x', sizeof(big));
	ea_sse_init(&p, on_event, &e, 64);
	tap_ok(t, !ea_sse_feed(&p, "data: ", 6) || !ea_sse_feed(&p, big, sizeof(big)),
	       "SSE: an event over the size limit is an error");
	ea_sse_free(&p);
}

/* ---- config ------------------------------------------------------------ */

static ea_status load_config(const char *json, struct ea_cloud_endpoint **eps, size_t *n,
			     struct ea_error *err)
{
	char path[] = "/tmp/edgeai-cloud-XXXXXX";
	int fd = mkstemp(path);
	ea_status st;

	if (fd < 0 || write(fd, json, strlen(json)) < 0)
		return ea_error_set(err, EA_ERR_IO, "cannot write %s", path);
	close(fd);
	st = ea_cloud_config_load(path, eps, n, err);
	unlink(path);
	return st;
}

static void test_config(struct tap *t)
{
	struct ea_cloud_endpoint *eps;
	size_t n;
	struct ea_error err = { { 0 } };

	setenv("EDGEAI_TEST_KEY", "sk-from-env", 1);
	tap_ok(t, load_config("{\"endpoints\":[{\"name\":\"c\",\"base_url\":\"http://h:1/v1\","
			      "\"api_key_env\":\"EDGEAI_TEST_KEY\",\"retries\":1}]}",
			      &eps, &n, &err) == EA_OK &&
		  n == 1 && !strcmp(eps[0].api_key, "sk-from-env") && eps[0].retries == 1 &&
		  eps[0].timeout_ms == 60000,
	       "a config file loads, with the key from the environment and defaults %s", err.msg);
	if (n)
		ea_cloud_endpoints_free(eps, n);
	tap_ok(t, load_config("{\"endpoints\":[{\"name\":\"c\"}]}", &eps, &n, &err) ==
		  EA_ERR_FORMAT && strstr(err.msg, "endpoints[0].base_url"),
	       "a missing base_url is named: %s", err.msg);
	tap_ok(t, load_config("{\"endpoints\":[{\"base_url\":\"http://h\",\"retries\":\"2\"}]}",
			      &eps, &n, &err) == EA_ERR_FORMAT,
	       "a mistyped field is rejected: %s", err.msg);
	tap_ok(t, load_config("{\"endpoints\":", &eps, &n, &err) == EA_ERR_FORMAT,
	       "broken JSON is rejected: %s", err.msg);
	tap_ok(t, load_config("{\"endpoints\":[{\"base_url\":\"ftp://h\"}]}", &eps, &n, &err) ==
		  EA_ERR_FORMAT && !strstr(err.msg, "sk-"),
	       "a non-HTTP URL is rejected: %s", err.msg);
}

/* A cloud that streams past the request's limit: a token a chunk well past
 * max_tokens, or one chunk of half a megabyte. Cut at the limit, kept as
 * "length". An event over EA_CLOUD_MAX_EVENT (1 MiB) is a fault. */
static void test_flood(struct tap *t)
{
	static char many[64 * 1024], huge[(1 << 20) + 4096], over[(1 << 20) + 4096];
	const char *const replies[] = { many, huge, over };
	struct ea_cloud_request req = { .prompt = "x", .stream = true, .max_tokens = 16,
					.temperature = -1 };
	struct ea_cloud_endpoint ep;
	struct ea_cloud_result res;
	struct ea_test_server s;
	char url[64];
	struct ea_error err = { { 0 } };
	size_t n = (size_t)snprintf(many, sizeof(many), "%s", SSE_HEAD);

	for (int i = 0; i < 1000; i++)
		n += (size_t)snprintf(many + n, sizeof(many) - n,
				      "data: {\"choices\":[{\"text\":\" w\"}]}\n\n");
	n = (size_t)snprintf(huge, sizeof(huge), "%sdata: {\"choices\":[{\"text\":\"", SSE_HEAD);
	memset(huge + n, 'x', 1 << 19);
	snprintf(huge + n + (1 << 19), sizeof(huge) - n - (1 << 19), "\"}]}\n\ndata: [DONE]\n\n");
	n = (size_t)snprintf(over, sizeof(over), "%sdata: {\"choices\":[{\"text\":\"", SSE_HEAD);
	memset(over + n, 'x', 1 << 20);
	snprintf(over + n + (1 << 20), sizeof(over) - n - (1 << 20), "\"}]}\n\ndata: [DONE]\n\n");
	ea_test_server_start(&s, replies, 3, 0);
	ep = endpoint(s.port, url, sizeof(url));
	tap_ok(t, ea_cloud_complete(&ep, &req, &res, &err) == EA_OK && res.limited &&
		  res.text_len == 2 * 16 && !strcmp(res.finish_reason, "length"),
	       "1000 streamed tokens for max_tokens 16: cut at 16 (%zu bytes kept) %s",
	       res.text_len, err.msg);
	ea_cloud_result_free(&res);
	tap_ok(t, ea_cloud_complete(&ep, &req, &res, &err) == EA_OK && res.limited &&
		  res.text_len <= 16 * 64 && !strcmp(res.finish_reason, "length"),
	       "a chunk of 512 KiB for max_tokens 16: cut at %zu bytes %s", res.text_len, err.msg);
	ea_cloud_result_free(&res);
	tap_ok(t, ea_cloud_complete(&ep, &req, &res, &err) == EA_ERR_CLOUD && res.attempts == 1 &&
		  strstr(err.msg, "over 1 MiB"),
	       "an event of 1 MiB: a fault, not retried (%s)", err.msg);
	ea_cloud_result_free(&res);
	ea_test_server_stop(&s);
}

/* Streams of valid JSON that are not completions: a cloud fault, not an
 * empty answer. */
static void test_not_completions(struct tap *t)
{
	static const char *const bad[] = {
		SSE_HEAD "data: {\"id\":\"x\"}\n\ndata: [DONE]\n\n",
		SSE_HEAD "data: {\"choices\":\"nope\"}\n\ndata: [DONE]\n\n",
		SSE_HEAD "data: [1,2,3]\n\ndata: [DONE]\n\n",
		SSE_HEAD "data: [DONE]\n\n",
	};
	static const char *const what[] = { "events without choices", "\"choices\": \"nope\"",
					    "an event that is an array", "[DONE] alone" };

	for (int i = 0; i < 4; i++) {
		const char *const replies[] = { bad[i] };
		struct ea_cloud_request req = { .prompt = "x", .stream = true, .temperature = -1 };
		struct ea_cloud_endpoint ep;
		struct ea_cloud_result res;
		struct ea_test_server s;
		char url[64];
		struct ea_error err = { { 0 } };
		ea_status st;

		ea_test_server_start(&s, replies, 1, 0);
		ep = endpoint(s.port, url, sizeof(url));
		ep.retries = 0;
		st = ea_cloud_complete(&ep, &req, &res, &err);
		tap_ok(t, st == EA_ERR_CLOUD && (strstr(err.msg, "completion chunk")),
		       "%s: a cloud fault (%s)", what[i], err.msg);
		ea_cloud_result_free(&res);
		ea_test_server_stop(&s);
	}
}

/* Without a deadline: a streamed answer's first byte is due within
 * EA_CLOUD_FIRST_BYTE_MS; a whole answer may take longer (it comes only once
 * made: a slow cloud's probe or verify call is not a hung one). */
static void test_first_byte(struct tap *t)
{
	static const char whole[] = OK_HEAD "Content-Type: application/json\r\n\r\n"
		"{\"choices\":[{\"text\":\" late\",\"finish_reason\":\"stop\"}]}";
	const char *const hang[] = { EA_TEST_HANG }, *const slow[] = { whole };
	struct ea_cloud_request stream = { .prompt = "x", .stream = true, .temperature = -1 };
	struct ea_cloud_request plain = { .prompt = "x", .temperature = -1 };
	struct ea_cloud_endpoint ep;
	struct ea_cloud_result res;
	struct ea_test_server s;
	struct ea_error err = { { 0 } };
	char url[64];
	double start;
	ea_status st;

	ea_test_server_start(&s, hang, 1, 0);
	ep = endpoint(s.port, url, sizeof(url));
	ep.retries = 0;
	ep.timeout_ms = 60000;
	start = ea_now_ms();
	st = ea_cloud_complete(&ep, &stream, &res, &err);
	start = ea_now_ms() - start;
	ea_test_server_stop(&s);
	tap_ok(t, st == EA_ERR_CLOUD && strstr(err.msg, "no answer within") &&
	       start < EA_CLOUD_FIRST_BYTE_MS + 1500,
	       "a streamed request to a cloud that never answers: given up after %.0f ms (%s)",
	       start, err.msg);
	ea_cloud_result_free(&res);
	ea_test_server_start(&s, slow, 1, EA_CLOUD_FIRST_BYTE_MS + 1000);
	ep = endpoint(s.port, url, sizeof(url));
	ep.retries = 0;
	ep.timeout_ms = 60000;
	st = ea_cloud_complete(&ep, &plain, &res, &err);
	ea_test_server_stop(&s);
	tap_ok(t, st == EA_OK && res.text && !strcmp(res.text, " late"),
	       "a whole answer after %d ms (a slow cloud, not a hung one) is taken %s",
	       EA_CLOUD_FIRST_BYTE_MS + 1000, st == EA_OK ? "" : err.msg);
	ea_cloud_result_free(&res);
}

int main(void)
{
	struct tap t = { 0 };

	tap_plan(&t, 26);
	test_plain_chat(&t);
	test_stream(&t);
	test_cut(&t);
	test_retry(&t);
	test_timeout(&t);
	test_sse(&t);
	test_config(&t);
	test_flood(&t);
	test_not_completions(&t);
	test_first_byte(&t);
	return tap_done(&t);
}

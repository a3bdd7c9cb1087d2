// SPDX-License-Identifier: MIT
/*
 * ea_cloud.c - OpenAI-compatible HTTP client (libcurl, json-c): config file,
 * one request with retries and backoff, streamed answers through ea_sse, and
 * the probe that measures a cloud endpoint's round trip and throughput.
 */
#include "ea_clock.h"
#include "ea_cloud.h"

#include <curl/curl.h>
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ea_sse.h"

#define EA_CLOUD_MAX_EVENT (1u << 20)
#define EA_CLOUD_MAX_BODY (16u << 20)
#define EA_CLOUD_TOKEN_BYTES 64u	/* a token's text at most, for the answer's byte cap */
#define EA_CLOUD_MIN_ATTEMPT_MS 50	/* a retry needs at least this much of the deadline */

/* ---- config ------------------------------------------------------------ */

static char *read_key_file(const char *path)
{
	char buf[4096];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
		n--;
	buf[n] = '\0';
	return strdup(buf);
}

/* Field @key of @obj as a string (NULL when absent); false when mistyped. */
static bool get_string(json_object *obj, const char *key, char **out)
{
	json_object *v;

	*out = NULL;
	if (!json_object_object_get_ex(obj, key, &v))
		return true;
	if (!json_object_is_type(v, json_type_string))
		return false;
	*out = strdup(json_object_get_string(v));
	return *out != NULL;
}

static bool get_long(json_object *obj, const char *key, long min, long *out)
{
	json_object *v;

	if (!json_object_object_get_ex(obj, key, &v))
		return true;
	if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < min)
		return false;
	*out = (long)json_object_get_int64(v);
	return true;
}

static ea_status load_endpoint(json_object *o, size_t i, struct ea_cloud_endpoint *ep,
			       struct ea_error *err)
{
	static const char *const str_keys[] = { "name", "base_url", "model" };
	char **str_fields[] = { &ep->name, &ep->base_url, &ep->model };
	char *key_env = NULL, *key_file = NULL;
	long retries = 2;

	ep->timeout_ms = 60000;
	ep->connect_timeout_ms = 3000;
	ep->backoff_ms = 200;
	if (!json_object_is_type(o, json_type_object))
		return ea_error_set(err, EA_ERR_FORMAT, "endpoints[%zu]: not an object", i);
	for (size_t k = 0; k < 3; k++)
		if (!get_string(o, str_keys[k], str_fields[k]))
			return ea_error_set(err, EA_ERR_FORMAT,
					    "endpoints[%zu].%s: not a string", i, str_keys[k]);
	if (!ep->base_url)
		return ea_error_set(err, EA_ERR_FORMAT, "endpoints[%zu].base_url: missing", i);
	if (strncmp(ep->base_url, "http://", 7) && strncmp(ep->base_url, "https://", 8))
		return ea_error_set(err, EA_ERR_FORMAT,
				    "endpoints[%zu].base_url: not an http(s) URL", i);
	if (!get_long(o, "timeout_ms", 1, &ep->timeout_ms) ||
	    !get_long(o, "connect_timeout_ms", 1, &ep->connect_timeout_ms) ||
	    !get_long(o, "backoff_ms", 0, &ep->backoff_ms) ||
	    !get_long(o, "retries", 0, &retries) || retries > 10)
		return ea_error_set(err, EA_ERR_FORMAT,
				    "endpoints[%zu]: timeout_ms, connect_timeout_ms and backoff_ms "
				    "must be positive integers, retries 0..10", i);
	ep->retries = (int)retries;
	if (!get_string(o, "api_key_env", &key_env) || !get_string(o, "api_key_file", &key_file)) {
		free(key_env);
		free(key_file);
		return ea_error_set(err, EA_ERR_FORMAT, "endpoints[%zu]: api_key_env and "
				    "api_key_file must be strings", i);
	}
	if (key_env && getenv(key_env))
		ep->api_key = strdup(getenv(key_env));
	else if (key_file && !(ep->api_key = read_key_file(key_file))) {
		ea_error_set(err, EA_ERR_IO, "endpoints[%zu].api_key_file: cannot read %s",
			     i, key_file);
		free(key_env);
		free(key_file);
		return EA_ERR_IO;
	}
	free(key_env);
	free(key_file);
	return EA_OK;
}

ea_status ea_cloud_config_load(const char *path, struct ea_cloud_endpoint **endpoints,
			       size_t *count, struct ea_error *err)
{
	json_object *root = json_object_from_file(path), *list;
	struct ea_cloud_endpoint *eps;
	size_t n;
	ea_status st = EA_OK;

	*endpoints = NULL;
	*count = 0;
	if (!root)
		return ea_error_set(err, EA_ERR_FORMAT, "%s: cannot read it or parse it as JSON",
				    path);
	if (!json_object_object_get_ex(root, "endpoints", &list) ||
	    !json_object_is_type(list, json_type_array) ||
	    (n = json_object_array_length(list)) == 0) {
		json_object_put(root);
		return ea_error_set(err, EA_ERR_FORMAT,
				    "%s: \"endpoints\" must be a non-empty array", path);
	}
	eps = calloc(n, sizeof(*eps));
	if (!eps) {
		json_object_put(root);
		return ea_error_set(err, EA_ERR_NO_MEMORY, "%s: out of memory for %zu endpoints",
				    path, n);
	}
	for (size_t i = 0; i < n && st == EA_OK; i++)
		st = load_endpoint(json_object_array_get_idx(list, i), i, &eps[i], err);
	json_object_put(root);
	if (st != EA_OK) {
		ea_cloud_endpoints_free(eps, n);
		return st;
	}
	*endpoints = eps;
	*count = n;
	return EA_OK;
}

void ea_cloud_endpoints_free(struct ea_cloud_endpoint *eps, size_t count)
{
	for (size_t i = 0; eps && i < count; i++) {
		free(eps[i].name);
		free(eps[i].base_url);
		free(eps[i].model);
		if (eps[i].api_key)
			memset(eps[i].api_key, 0, strlen(eps[i].api_key));
		free(eps[i].api_key);
	}
	free(eps);
}

/* ---- one request ------------------------------------------------------- */

struct call {
	CURL *curl;
	const struct ea_cloud_request *req;
	struct ea_cloud_result *res;
	struct ea_sse sse;
	char *body;		/* a non-streamed answer, or an error body */
	size_t body_len;
	bool done;		/* [DONE], or a finish_reason arrived */
	bool stopped;		/* the caller's callback asked to stop */
	bool bad_json;
	bool bad_event;		/* JSON, but not a completion chunk */
	bool event_too_big;	/* an event over EA_CLOUD_MAX_EVENT */
	bool limited;		/* the answer reached the request's limit: cut there */
	int chunks;		/* completion chunks with choices */
	int text_chunks;	/* ... with text: a token or more each */
	size_t max_text;	/* bytes of answer kept at most */
	double start_ms;
};

static bool append(char **buf, size_t *len, const char *s, size_t n)
{
	char *b;

	if (*len + n + 1 > EA_CLOUD_MAX_BODY)
		return false;
	b = realloc(*buf, *len + n + 1);
	if (!b)
		return false;
	memcpy(b + *len, s, n);
	*len += n;
	b[*len] = '\0';
	*buf = b;
	return true;
}

/*
 * The answer is cut at the request's limit, however the cloud streams it: at
 * max_tokens chunks with text (a server sends a token or more a chunk) and
 * at EA_CLOUD_TOKEN_BYTES a token (EA_CLOUD_MAX_BODY without max_tokens).
 * What came before the limit is kept, as a server's own "length" finish.
 */
static bool deliver(struct call *c, const char *text, size_t len)
{
	if (!len)
		return true;
	if (c->req->max_tokens > 0 && ++c->text_chunks > c->req->max_tokens) {
		c->limited = true;
		return false;
	}
	if (c->res->text_len + len > c->max_text) {
		len = c->max_text - c->res->text_len;
		c->limited = true;
	}
	if (!c->res->text_len)
		c->res->ttft_ms = ea_now_ms() - c->start_ms;
	if (!append(&c->res->text, &c->res->text_len, text, len))
		return false;
	if (c->req->on_text && len && !c->req->on_text(text, len, c->req->user)) {
		c->stopped = true;
		return false;
	}
	return !c->limited;
}

static void take_usage(struct ea_cloud_result *res, json_object *obj)
{
	json_object *usage, *v;

	if (!json_object_object_get_ex(obj, "usage", &usage) ||
	    !json_object_is_type(usage, json_type_object))
		return;
	if (json_object_object_get_ex(usage, "prompt_tokens", &v))
		res->prompt_tokens = json_object_get_int(v);
	if (json_object_object_get_ex(usage, "completion_tokens", &v))
		res->completion_tokens = json_object_get_int(v);
}

/* The text of choices[0] of an answer or of one streamed chunk. */
static bool take_choice(struct call *c, json_object *obj, bool chunk)
{
	json_object *choices, *choice, *msg, *text = NULL, *finish;

	if (!json_object_is_type(obj, json_type_object))
		return false;
	take_usage(c->res, obj);
	/* Every chunk of a completion stream has choices, the last (usage) one an
	 * empty array: anything else is not a completion, and a cloud fault. */
	if (!json_object_object_get_ex(obj, "choices", &choices) ||
	    !json_object_is_type(choices, json_type_array))
		return false;
	if (json_object_array_length(choices) == 0)
		return true;
	choice = json_object_array_get_idx(choices, 0);
	if (!json_object_is_type(choice, json_type_object))
		return false;
	c->chunks++;
	if (c->req->chat) {
		if (json_object_object_get_ex(choice, chunk ? "delta" : "message", &msg))
			json_object_object_get_ex(msg, "content", &text);
	} else {
		json_object_object_get_ex(choice, "text", &text);
	}
	if (json_object_object_get_ex(choice, "finish_reason", &finish) &&
	    json_object_is_type(finish, json_type_string)) {
		snprintf(c->res->finish_reason, sizeof(c->res->finish_reason), "%s",
			 json_object_get_string(finish));
	}
	if (text && json_object_is_type(text, json_type_string) &&
	    !deliver(c, json_object_get_string(text), (size_t)json_object_get_string_len(text)))
		return false;
	return true;
}

static bool on_event(const char *data, size_t len, void *user)
{
	struct call *c = user;
	json_object *obj;
	bool ok;

	if (len == 6 && !memcmp(data, "[DONE]", 6)) {
		c->done = true;
		return true;
	}
	obj = json_tokener_parse(data);
	if (!obj) {
		c->bad_json = true;
		return false;
	}
	ok = take_choice(c, obj, true);
	if (!ok && !c->stopped && !c->limited)
		c->bad_event = true;
	json_object_put(obj);
	return ok;
}

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *user)
{
	struct call *c = user;
	size_t n = size * nmemb;
	long status = 0;

	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);
	if (c->req->stream && status < 300) {
		if (ea_sse_feed(&c->sse, ptr, n))
			return n;
		c->event_too_big = c->sse.failed;
		return 0;
	}
	return append(&c->body, &c->body_len, ptr, n) ? n : 0;
}

static char *request_body(const struct ea_cloud_endpoint *ep,
			  const struct ea_cloud_request *req)
{
	json_object *o = json_object_new_object();
	char *s;

	json_object_object_add(o, "model", json_object_new_string(ep->model ? ep->model : "default"));
	if (req->chat) {
		json_object *msgs = json_object_new_array(), *m;

		if (req->system) {
			m = json_object_new_object();
			json_object_object_add(m, "role", json_object_new_string("system"));
			json_object_object_add(m, "content", json_object_new_string(req->system));
			json_object_array_add(msgs, m);
		}
		m = json_object_new_object();
		json_object_object_add(m, "role", json_object_new_string("user"));
		json_object_object_add(m, "content", json_object_new_string(req->prompt));
		json_object_array_add(msgs, m);
		json_object_object_add(o, "messages", msgs);
	} else {
		json_object_object_add(o, "prompt", json_object_new_string(req->prompt));
	}
	json_object_object_add(o, "stream", json_object_new_boolean(req->stream));
	if (req->stream) {
		/* the server's own token count in a last chunk: the local tokenizer's
		 * count of the text would be wrong for a cloud model with another vocab */
		json_object *opts = json_object_new_object();

		json_object_object_add(opts, "include_usage", json_object_new_boolean(true));
		json_object_object_add(o, "stream_options", opts);
	}
	if (req->max_tokens > 0)
		json_object_object_add(o, "max_tokens", json_object_new_int(req->max_tokens));
	if (req->temperature >= 0)
		json_object_object_add(o, "temperature", json_object_new_double(req->temperature));
	if (req->top_p > 0)
		json_object_object_add(o, "top_p", json_object_new_double(req->top_p));
	s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return s;
}

/*
 * What an attempt may take: its first byte of answer within first_byte_ms of
 * its start, no pause between bytes longer than idle_ms, and all of it
 * before end_ms (0: the endpoint's timeout_ms alone). libcurl asks the
 * progress callback about once a second, and more often while data flows.
 */
struct guard {
	double start_ms, last_ms, end_ms;
	double first_byte_ms, idle_ms;
	curl_off_t seen, header_bytes;
	bool deadline_bound;	/* the deadline, not timeout_ms, set the attempt's timeout */
	bool guards_are_deadline; /* the deadline's rest set the first-byte and idle bounds */
	char why[96];		/* set when the guard stopped the transfer */
};

/* @streamed: the answer flows as it is made, so a silence means a hung cloud.
 * A whole answer comes only once it is made: no first-byte or idle bound
 * then, only the deadline and timeout_ms. */
static void guard_init(struct guard *g, double end_ms, bool streamed)
{
	double left = end_ms > 0 ? end_ms - ea_now_ms() : 0;

	memset(g, 0, sizeof(*g));
	g->start_ms = g->last_ms = ea_now_ms();
	g->end_ms = end_ms;
	g->first_byte_ms = streamed ? EA_CLOUD_FIRST_BYTE_MS : INFINITY;
	g->idle_ms = streamed ? EA_CLOUD_IDLE_MS : INFINITY;
	if (end_ms > 0 && left < g->first_byte_ms) {
		g->first_byte_ms = g->idle_ms = left;
		g->guards_are_deadline = true;
	}
}

static int on_progress(void *user, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	struct guard *g = user;
	double now = ea_now_ms();

	(void)dltotal, (void)ultotal, (void)ulnow;
	dlnow += g->header_bytes;	/* the headers are the answer's first bytes */
	if (dlnow > g->seen) {
		g->seen = dlnow;
		g->last_ms = now;
		return 0;
	}
	if (!g->seen && now - g->start_ms > g->first_byte_ms)
		snprintf(g->why, sizeof(g->why), "%sno answer within %.0f ms",
			 g->guards_are_deadline ? "the deadline passed: " : "", g->first_byte_ms);
	else if (g->seen && now - g->last_ms > g->idle_ms)
		snprintf(g->why, sizeof(g->why), "%sthe answer stalled for %.0f ms",
			 g->guards_are_deadline ? "the deadline passed: " : "", g->idle_ms);
	return g->why[0] ? 1 : 0;
}

static size_t on_header(char *buf, size_t size, size_t n, void *user)
{
	struct guard *g = user;

	(void)buf;
	g->header_bytes += (curl_off_t)(size * n);
	return size * n;
}

static long clamp_ms(long ms, const struct guard *g)
{
	double left = g->end_ms > 0 ? g->end_ms - ea_now_ms() : ms;

	if (left < 1)
		left = 1;
	return left < ms ? (long)left : ms;
}

/* The reason a failed transfer failed: the guard's, the deadline's or curl's. */
static const char *failure(const struct guard *g, CURLcode rc, char *buf, size_t n)
{
	if (g->why[0])
		return g->why;
	if (rc == CURLE_OPERATION_TIMEDOUT && g->deadline_bound) {
		snprintf(buf, n, "the deadline passed (%s)", curl_easy_strerror(rc));
		return buf;
	}
	return curl_easy_strerror(rc);
}

static CURL *new_handle(const struct ea_cloud_endpoint *ep, const char *url,
			struct curl_slist **headers, struct guard *g)
{
	CURL *curl = curl_easy_init();
	char auth[4200];
	long timeout_ms;

	if (!curl)
		return NULL;
	*headers = curl_slist_append(NULL, "Content-Type: application/json");
	if (ep->api_key) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", ep->api_key);
		*headers = curl_slist_append(*headers, auth);
		memset(auth, 0, sizeof(auth));
	}
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, *headers);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	timeout_ms = clamp_ms(ep->timeout_ms, g);
	g->deadline_bound = timeout_ms < ep->timeout_ms;
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, clamp_ms(ep->connect_timeout_ms, g));
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, g);
	curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(curl, CURLOPT_XFERINFODATA, g);
	curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
	return curl;
}

/* Whether a retry after waiting @wait_ms still fits before @end_ms (0: none). */
static bool time_for_retry(double end_ms, long wait_ms)
{
	return end_ms <= 0 || ea_now_ms() + (double)wait_ms + EA_CLOUD_MIN_ATTEMPT_MS < end_ms;
}

enum outcome { DONE, RETRY, FAILED };

/* One attempt; fills res and says whether another attempt may help. */
static enum outcome attempt(const struct ea_cloud_endpoint *ep, const struct ea_cloud_request *req,
			    const char *url, const char *body, double end_ms,
			    struct ea_cloud_result *res, struct ea_error *err)
{
	struct curl_slist *headers = NULL;
	struct guard g;
	char buf[128];
	struct call c = { .req = req, .res = res, .start_ms = ea_now_ms(),
			  .max_text = req->max_tokens > 0 ?
				      (size_t)req->max_tokens * EA_CLOUD_TOKEN_BYTES :
				      EA_CLOUD_MAX_BODY - 1 };
	CURLcode rc;
	enum outcome out = DONE;

	guard_init(&g, end_ms, req->stream);
	c.curl = new_handle(ep, url, &headers, &g);
	if (!c.curl) {
		ea_error_set(err, EA_ERR_NO_MEMORY, "cannot create an HTTP handle");
		return FAILED;
	}
	ea_sse_init(&c.sse, on_event, &c, EA_CLOUD_MAX_EVENT);
	curl_easy_setopt(c.curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c.curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c.curl, CURLOPT_WRITEDATA, &c);
	rc = curl_easy_perform(c.curl);
	curl_easy_getinfo(c.curl, CURLINFO_RESPONSE_CODE, &res->http_status);
	res->total_ms = ea_now_ms() - c.start_ms;

	if (c.stopped) {
		out = DONE;
	} else if (c.limited) {
		snprintf(res->finish_reason, sizeof(res->finish_reason), "length");
		res->limited = true;
		out = DONE;
	} else if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && c.done)) {
		ea_error_set(err, EA_ERR_CLOUD, "%s: %s", url,
			     c.bad_json ? "a streamed event is not JSON" :
			     c.bad_event ? "a streamed event is not a completion chunk" :
			     c.event_too_big ? "a streamed event over 1 MiB" :
			     failure(&g, rc, buf, sizeof(buf)));
		out = res->text_len || c.bad_json || c.bad_event || c.event_too_big ? FAILED :
		      RETRY;
	} else if (res->http_status >= 400) {
		ea_error_set(err, EA_ERR_CLOUD, "%s: HTTP %ld: %.300s", url, res->http_status,
			     c.body ? c.body : "");
		out = res->http_status >= 500 || res->http_status == 429 ? RETRY : FAILED;
	} else if (!req->stream) {
		json_object *obj = c.body ? json_tokener_parse(c.body) : NULL;

		if (!obj || (!take_choice(&c, obj, false) && !c.limited)) {
			ea_error_set(err, EA_ERR_CLOUD, "%s: the answer is not an OpenAI "
				     "completion", url);
			out = FAILED;
		} else if (c.limited) {
			snprintf(res->finish_reason, sizeof(res->finish_reason), "length");
			res->limited = true;
		}
		json_object_put(obj);
	} else if (!c.done && !res->finish_reason[0]) {
		ea_error_set(err, EA_ERR_CLOUD, "%s: the stream ended before the answer did", url);
		out = res->text_len ? FAILED : RETRY;
	} else if (!c.chunks) {
		ea_error_set(err, EA_ERR_CLOUD, "%s: the stream held no completion chunk", url);
		out = FAILED;
	}
	if (req->stream && out != DONE && res->text_len)
		res->cut = true;
	ea_sse_free(&c.sse);
	free(c.body);
	curl_slist_free_all(headers);
	curl_easy_cleanup(c.curl);
	return out;
}

ea_status ea_cloud_complete(const struct ea_cloud_endpoint *ep,
			    const struct ea_cloud_request *req,
			    struct ea_cloud_result *res, struct ea_error *err)
{
	double end_ms = req->deadline_ms ? ea_now_ms() + req->deadline_ms : 0;
	char url[2048];
	char *body;
	long wait = ep->backoff_ms;
	enum outcome out = RETRY;

	memset(res, 0, sizeof(*res));
	res->prompt_tokens = res->completion_tokens = -1;
	if (!req->prompt)
		return ea_error_set(err, EA_ERR_INVALID_ARGUMENT, "no prompt");
	snprintf(url, sizeof(url), "%s%s%s", ep->base_url,
		 ep->base_url[strlen(ep->base_url) - 1] == '/' ? "" : "/",
		 req->chat ? "chat/completions" : "completions");
	body = request_body(ep, req);
	if (!body)
		return ea_error_set(err, EA_ERR_NO_MEMORY, "out of memory for the request");
	for (int i = 0; i <= ep->retries && out == RETRY; i++) {
		if (i && !time_for_retry(end_ms, wait))
			break;
		if (i) {
			struct timespec ts = { wait / 1000, (wait % 1000) * 1000000 };

			nanosleep(&ts, NULL);
			wait *= 2;
			free(res->text);
			res->text = NULL;
			res->text_len = 0;
			res->finish_reason[0] = '\0';
		}
		res->attempts = i + 1;
		out = attempt(ep, req, url, body, end_ms, res, err);
	}
	free(body);
	return out == DONE ? EA_OK : EA_ERR_CLOUD;
}

/* A body of at most EA_CLOUD_MAX_BODY bytes, gathered. */
struct reply {
	char *body;
	size_t len;
	bool too_big;
};

static size_t on_reply(char *ptr, size_t size, size_t nmemb, void *user)
{
	struct reply *r = user;
	size_t n = size * nmemb;

	if (r->len + n > EA_CLOUD_MAX_BODY) {
		r->too_big = true;
		return 0;
	}
	return append(&r->body, &r->len, ptr, n) ? n : 0;
}

/* One request of @method to @path: DONE with the body, RETRY, or FAILED. */
static enum outcome fetch(const struct ea_cloud_endpoint *ep, const char *url, const char *body,
			  char **out, long *status, struct ea_error *err)
{
	struct curl_slist *headers = NULL;
	struct reply r = { 0 };
	struct guard g;
	CURL *curl;
	CURLcode rc;
	char buf[128];
	enum outcome out_come = DONE;

	*out = NULL;
	guard_init(&g, 0, false);	/* verify calls: whole answers */
	curl = new_handle(ep, url, &headers, &g);
	if (!curl) {
		ea_error_set(err, EA_ERR_NO_MEMORY, "cannot create an HTTP handle");
		return FAILED;
	}
	if (body)
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_reply);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &r);
	rc = curl_easy_perform(curl);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
	if (r.too_big) {
		ea_error_set(err, EA_ERR_CLOUD, "%s: the answer is over %u bytes", url,
			     EA_CLOUD_MAX_BODY);
		out_come = FAILED;
	} else if (rc != CURLE_OK) {
		ea_error_set(err, EA_ERR_CLOUD, "%s: %s", url, failure(&g, rc, buf, sizeof(buf)));
		out_come = RETRY;
	} else if (*status >= 400) {
		ea_error_set(err, EA_ERR_CLOUD, "%s: HTTP %ld: %.300s", url, *status,
			     r.body ? r.body : "");
		out_come = *status >= 500 || *status == 429 ? RETRY : FAILED;
	}
	if (out_come == DONE)
		*out = r.body ? r.body : strdup("");
	else
		free(r.body);
	curl_slist_free_all(headers);
	curl_easy_cleanup(curl);
	return out_come;
}

ea_status ea_cloud_call(const struct ea_cloud_endpoint *ep, const char *path, const char *body,
			char **reply, long *http_status, struct ea_error *err)
{
	char url[2048];
	long wait = ep->backoff_ms;
	enum outcome out = RETRY;

	snprintf(url, sizeof(url), "%s%s%s", ep->base_url,
		 ep->base_url[strlen(ep->base_url) - 1] == '/' ? "" : "/", path);
	for (int i = 0; i <= ep->retries && out == RETRY; i++) {
		if (i) {
			struct timespec ts = { wait / 1000, (wait % 1000) * 1000000 };

			nanosleep(&ts, NULL);
			wait *= 2;
		}
		out = fetch(ep, url, body, reply, http_status, err);
	}
	if (out == DONE && !*reply)
		return ea_error_set(err, EA_ERR_NO_MEMORY, "out of memory for the answer");
	return out == DONE ? EA_OK : EA_ERR_CLOUD;
}

void ea_cloud_result_free(struct ea_cloud_result *res)
{
	free(res->text);
	memset(res, 0, sizeof(*res));
}

/* ---- probe ------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static size_t discard(char *ptr, size_t size, size_t nmemb, void *user)
{
	(void)ptr;
	(void)user;
	return size * nmemb;
}

ea_status ea_cloud_probe(const struct ea_cloud_endpoint *ep, int rounds,
			 struct ea_cloud_probe *out, struct ea_error *err)
{
	return ea_cloud_probe_within(ep, rounds, 0, out, err);
}

ea_status ea_cloud_probe_within(const struct ea_cloud_endpoint *ep, int rounds,
				uint32_t deadline_ms, struct ea_cloud_probe *out,
				struct ea_error *err)
{
	double end_ms = deadline_ms ? ea_now_ms() + deadline_ms : 0;
	struct ea_cloud_request req = { .prompt = "Package: vim\nDescription:",
					.max_tokens = 32, .temperature = 0 };
	struct ea_cloud_result res;
	double rtt[32];
	char url[2048];
	ea_status st;

	if (rounds < 1 || rounds > 32)
		return ea_error_set(err, EA_ERR_INVALID_ARGUMENT, "probe rounds must be 1..32");
	snprintf(url, sizeof(url), "%s%smodels", ep->base_url,
		 ep->base_url[strlen(ep->base_url) - 1] == '/' ? "" : "/");
	for (int i = 0; i < rounds; i++) {
		struct curl_slist *headers = NULL;
		struct guard g;
		CURL *curl;
		double t0 = ea_now_ms();
		long status = 0;
		CURLcode rc;

		guard_init(&g, end_ms, true);	/* GET /models answers at once */
		curl = new_handle(ep, url, &headers, &g);
		if (!curl)
			return ea_error_set(err, EA_ERR_NO_MEMORY, "cannot create an HTTP handle");
		curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
		rc = curl_easy_perform(curl);
		rtt[i] = ea_now_ms() - t0;
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
		curl_slist_free_all(headers);
		curl_easy_cleanup(curl);
		if (rc != CURLE_OK || status >= 400) {
			char buf[128];

			return ea_error_set(err, EA_ERR_CLOUD, "%s: %s", url, rc != CURLE_OK ?
					    failure(&g, rc, buf, sizeof(buf)) : "HTTP error");
		}
	}
	qsort(rtt, (size_t)rounds, sizeof(rtt[0]), cmp_double);
	out->rtt_ms = rtt[rounds / 2];
	if (end_ms > 0) {
		double left = end_ms - ea_now_ms();

		if (left < 1)
			return ea_error_set(err, EA_ERR_CLOUD, "%s: the probe's deadline of %u ms "
					    "passed", url, deadline_ms);
		req.deadline_ms = (uint32_t)left;
	}
	st = ea_cloud_complete(ep, &req, &res, err);
	if (st != EA_OK)
		return st;
	/* The generation's time is the call's beyond a round trip; a cloud that
	 * generated within the round trip's noise gets a floor of 1 ms. */
	out->tokens_per_s = res.completion_tokens > 0 ? res.completion_tokens /
			    (fmax(res.total_ms - out->rtt_ms, 1.0) / 1e3) : 0;
	ea_cloud_result_free(&res);
	return EA_OK;
}

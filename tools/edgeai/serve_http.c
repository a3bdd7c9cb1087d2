// SPDX-License-Identifier: MIT
/*
 * serve_http - libmicrohttpd's access handler: route, read the body within
 * the limit, hand a valid request to the pool, answer. Connections are
 * served by a pool of worker threads, each with its own epoll set, so an
 * idle connection costs a socket, not a thread. No worker waits for a job:
 * a request's connection is suspended until its job has finished (or, for
 * a stream, has more), and the job resumes it, so the worker meanwhile
 * serves every other connection it holds. Headers have a deadline
 * (serve_conns).
 */
#include "serve_http.h"

#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "ea_clock.h"
#include "serve_conns.h"
#include "serve_reply.h"
#include "serve_request.h"
#include "serve_stream.h"

/* Seconds an idle keep-alive connection is kept. */
#define IDLE_TIMEOUT_S 60
#define LOG_LINE_MAX 1024

struct serve_http {
	struct serve_http_options o;
	struct MHD_Daemon *daemon;
	struct serve_conns *conns;
	int port;
	long long started;		/* Unix time: the model's "created" */
	uint64_t id_base;		/* random, so ids differ between runs */
	pthread_mutex_t lock;
	pthread_cond_t idle;
	unsigned in_flight;		/* requests begun and not completed */
	uint64_t next_id;
};

/* One request, from its first byte to its completion callback. */
struct request {
	double start_ms;
	char method[8];
	char path[96];
	char *body;
	size_t len;
	bool too_large;
	bool answered;
	unsigned status;
	int prompt_tokens;		/* -1: none (not a completion) */
	struct serve_job *job;		/* for the log's token count */
	/* A completion: its request, and while its connection sleeps until the
	 * job has finished (non-streamed), what the answer needs. */
	struct serve_request req;
	bool have_req;
	bool waiting;
	char id[64];
	struct serve_reply_meta meta;
};


static int hex_digit(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* A log line, written whole by one write() (threads' lines never interleave). */
static void log_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void log_line(const char *fmt, ...)
{
	char line[LOG_LINE_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line)) {
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	if (write(STDERR_FILENO, line, (size_t)n) < 0)
		return;
}

/* ---- answers --------------------------------------------------------------- */

static enum MHD_Result queue(struct MHD_Connection *c, struct request *r, unsigned status,
			     struct MHD_Response *resp)
{
	enum MHD_Result ret;

	if (!resp)
		return MHD_NO;
	ret = MHD_queue_response(c, status, resp);
	MHD_destroy_response(resp);
	r->status = status;
	r->answered = true;
	return ret;
}

/* A JSON body (malloc'd, taken; NULL when it could not be built: a 500). */
static enum MHD_Result reply_json(struct MHD_Connection *c, struct request *r, unsigned status,
				  char *body, const char *header, const char *value)
{
	static const char oom[] = "{\"error\":{\"message\":\"out of memory\","
				  "\"type\":\"server_error\",\"param\":null,\"code\":null}}";
	struct MHD_Response *resp;

	if (body) {
		resp = MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE);
	} else {
		status = MHD_HTTP_INTERNAL_SERVER_ERROR;
		resp = MHD_create_response_from_buffer(sizeof(oom) - 1, (void *)oom,
						       MHD_RESPMEM_PERSISTENT);
	}
	if (!resp) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	if (header)
		MHD_add_response_header(resp, header, value);
	return queue(c, r, status, resp);
}

static enum MHD_Result reply_error(struct MHD_Connection *c, struct request *r,
				   const struct serve_error *e)
{
	return reply_json(c, r, e->status, serve_reply_error(e), NULL, NULL);
}

static enum MHD_Result reply_busy(struct MHD_Connection *c, struct request *r, bool stopping)
{
	struct serve_error e;

	serve_error_set(&e, MHD_HTTP_SERVICE_UNAVAILABLE, "server_error", NULL,
			stopping ? "shutting_down" : "queue_full", "%s",
			stopping ? "the server is shutting down" :
				   "every session is busy and the queue is full; retry later");
	return reply_json(c, r, e.status, serve_reply_error(&e), MHD_HTTP_HEADER_RETRY_AFTER, "1");
}

/* ---- completions ------------------------------------------------------------ */

static void make_id(struct serve_http *h, enum serve_endpoint ep, char *id, size_t n)
{
	uint64_t seq;

	pthread_mutex_lock(&h->lock);
	seq = h->next_id++;
	pthread_mutex_unlock(&h->lock);
	snprintf(id, n, "%s-%016llx%08llx", ep == SERVE_CHAT ? "chatcmpl" : "cmpl",
		 (unsigned long long)h->id_base, (unsigned long long)seq);
}

/* With echo, the answer's text is the prompt's then the generated text. */
static char *echoed(const struct serve_request *req, const struct ea_model *model,
		    const struct serve_outcome *o, size_t *len)
{
	size_t n_prompt;
	char *prompt = serve_request_prompt_text(req, model, &n_prompt);
	char *text = prompt ? realloc(prompt, n_prompt + o->text_len + 1) : NULL;

	if (!text) {
		free(prompt);
		return NULL;
	}
	memcpy(text + n_prompt, o->text, o->text_len);
	*len = n_prompt + o->text_len;
	text[*len] = '\0';
	return text;
}

/* A non-streamed answer: wait for the job, then send it whole. */
static enum MHD_Result reply_whole(struct serve_http *h, struct MHD_Connection *c,
				   struct request *r, const struct serve_request *req,
				   struct serve_job *job, const struct serve_reply_meta *meta)
{
	struct serve_outcome o;
	struct serve_error e;
	struct serve_usage usage;
	struct serve_logprobs lp;
	const char *reason;
	char *text = NULL, *body;
	size_t len;

	serve_job_wait(job);	/* it has finished: the connection slept until then */
	serve_job_outcome(job, &o);
	reason = serve_reply_finish_reason(o.finish_reason);
	if (o.status != EA_OK) {
		serve_error_set(&e, MHD_HTTP_INTERNAL_SERVER_ERROR, "server_error", NULL, NULL,
				"generation failed: %s: %s", ea_strerror(o.status), o.message);
		return reply_error(c, r, &e);
	}
	if (!reason)
		return reply_busy(c, r, true);
	usage = (struct serve_usage){ o.n_prompt_tokens, o.n_generated_tokens,
				      o.n_cached_tokens };
	lp = (struct serve_logprobs){ .records = o.logprobs, .n = o.n_logprobs,
				      .model = h->o.model, .token_ids = req->token_ids };
	len = o.text_len;
	if (req->echo && !(text = echoed(req, h->o.model, &o, &len))) {
		serve_error_set(&e, MHD_HTTP_INTERNAL_SERVER_ERROR, "server_error", NULL, NULL,
				"out of memory for the echoed prompt");
		return reply_error(c, r, &e);
	}
	body = serve_reply_completion(meta, text ? text : o.text, len, reason, &usage,
				      req->logprobs ? &lp : NULL);
	free(text);
	return reply_json(c, r, MHD_HTTP_OK, body, NULL, NULL);
}

static enum MHD_Result run_completion(struct serve_http *h, struct MHD_Connection *c,
				      struct request *r)
{
	struct ea_generate_params params;
	enum serve_submit submitted;

	r->meta = (struct serve_reply_meta){ .endpoint = r->req.endpoint, .created = time(NULL),
					     .model = h->o.model_name };
	serve_request_params(&r->req, &params);
	r->job = serve_job_new(&params);
	if (!r->job)
		return reply_json(c, r, MHD_HTTP_INTERNAL_SERVER_ERROR, NULL, NULL, NULL);
	submitted = serve_pool_submit(h->o.pool, r->job);
	if (submitted != SERVE_SUBMITTED) {
		serve_job_put(r->job);
		r->job = NULL;
		r->prompt_tokens = -1;
		return reply_busy(c, r, submitted == SERVE_STOPPING);
	}
	make_id(h, r->req.endpoint, r->id, sizeof(r->id));
	r->meta.id = r->id;
	if (r->req.stream)
		return queue(c, r, MHD_HTTP_OK, serve_stream_response(r->job, &r->meta, &r->req,
								     h->o.model, c));
	r->waiting = true;
	if (!serve_job_sleep_unless(r->job, true, 0, 0, serve_connection_suspend,
				    serve_connection_resume, c))
		return MHD_YES;	/* resumed when the job has finished: on_request again */
	r->waiting = false;
	return reply_whole(h, c, r, &r->req, r->job, &r->meta);
}

static enum MHD_Result post_completion(struct serve_http *h, struct MHD_Connection *c,
				       struct request *r, enum serve_endpoint ep)
{
	struct serve_error e;

	if (!serve_request_parse(ep, r->body ? r->body : "", r->len, h->o.model_name, &r->req,
				 &e)) {
		serve_request_free(&r->req);
		return reply_error(c, r, &e);
	}
	r->have_req = true;
	if (!serve_request_fit(&r->req, h->o.model, h->o.max_tokens, &e))
		return reply_error(c, r, &e);
	r->prompt_tokens = r->req.n_prompt_tokens;
	return run_completion(h, c, r);
}

/* ---- routing ------------------------------------------------------------------ */

enum route { ROUTE_NONE, ROUTE_MODELS, ROUTE_MODEL, ROUTE_CHAT, ROUTE_COMPLETIONS };

static enum route route_of(const char *url)
{
	if (strcmp(url, "/v1/models") == 0)
		return ROUTE_MODELS;
	if (strncmp(url, "/v1/models/", 11) == 0 && url[11])
		return ROUTE_MODEL;
	if (strcmp(url, "/v1/chat/completions") == 0)
		return ROUTE_CHAT;
	if (strcmp(url, "/v1/completions") == 0)
		return ROUTE_COMPLETIONS;
	return ROUTE_NONE;
}

static bool is_get(const char *method)
{
	return strcmp(method, MHD_HTTP_METHOD_GET) == 0 || strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
}

/* The answer that needs no body: 404, 405, 413 by Content-Length, the models;
 * MHD_YES without answering when the request goes on to its body. */
/* The headers that frame a body, counted. */
struct framing {
	int content_length, transfer_encoding;
};

static enum MHD_Result count_framing(void *cls, enum MHD_ValueKind kind, const char *key,
				     const char *value)
{
	struct framing *f = cls;

	(void)kind, (void)value;
	if (key && !strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH))
		f->content_length++;
	else if (key && !strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING))
		f->transfer_encoding++;
	return MHD_YES;
}

/*
 * First, with the headers: a body framed two ways is read one way here and
 * another by a proxy in front (request smuggling): refused, and the
 * connection closed. So is a body declared over the limit.
 */
static enum MHD_Result check_framing(struct serve_http *h, struct MHD_Connection *c,
				     struct request *r)
{
	struct framing f = { 0 };
	const char *length;
	struct serve_error e;

	MHD_get_connection_values(c, MHD_HEADER_KIND, count_framing, &f);
	if (f.content_length > 1 || f.transfer_encoding > 1 ||
	    (f.content_length && f.transfer_encoding)) {
		serve_error_set(&e, MHD_HTTP_BAD_REQUEST, "invalid_request_error", NULL,
				"ambiguous_framing", "the body is framed %s: refused",
				f.content_length && f.transfer_encoding ?
				"by both Content-Length and Transfer-Encoding" :
				"by more than one Content-Length or Transfer-Encoding header");
		return reply_json(c, r, e.status, serve_reply_error(&e), MHD_HTTP_HEADER_CONNECTION,
				  "close");
	}
	length = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (length && strtoull(length, NULL, 10) > h->o.max_body)
		r->too_large = true;
	return MHD_YES;
}

/* Once the request is whole (its body read, or dropped when the route takes
 * none): every answer but a completion's. Answering only then keeps the
 * connection and the requests pipelined behind this one. */
static enum MHD_Result answer_route(struct serve_http *h, struct MHD_Connection *c,
				    struct request *r, const char *url, const char *method)
{
	enum route route = route_of(url);
	bool post = route == ROUTE_CHAT || route == ROUTE_COMPLETIONS;
	struct serve_error e;

	if (route == ROUTE_NONE) {
		serve_error_set(&e, MHD_HTTP_NOT_FOUND, "invalid_request_error", NULL, "unknown_url",
				"Unknown request URL: %.8s %.200s", method, url);
		return reply_error(c, r, &e);
	}
	if (post ? strcmp(method, MHD_HTTP_METHOD_POST) != 0 : !is_get(method)) {
		serve_error_set(&e, MHD_HTTP_METHOD_NOT_ALLOWED, "invalid_request_error", NULL,
				"method_not_allowed", "%.8s is not allowed on %.200s; use %s",
				method, url, post ? "POST" : "GET");
		return reply_json(c, r, e.status, serve_reply_error(&e), MHD_HTTP_HEADER_ALLOW,
				  post ? "POST" : "GET, HEAD");
	}
	if (route == ROUTE_MODELS)
		return reply_json(c, r, MHD_HTTP_OK, serve_reply_models(h->o.model_name, h->started,
								       h->o.model),
				  NULL, NULL);
	if (strcmp(url + 11, h->o.model_name) == 0)
		return reply_json(c, r, MHD_HTTP_OK,
				  serve_reply_model(h->o.model_name, h->started, h->o.model), NULL,
				  NULL);
	serve_error_set(&e, MHD_HTTP_NOT_FOUND, "invalid_request_error", "model",
			"model_not_found", "The model '%.100s' does not exist", url + 11);
	return reply_error(c, r, &e);
}

static bool is_completion(const char *url, const char *method)
{
	enum route route = route_of(url);

	return (route == ROUTE_CHAT || route == ROUTE_COMPLETIONS) &&
	       !strcmp(method, MHD_HTTP_METHOD_POST);
}

static enum MHD_Result too_large(struct serve_http *h, struct MHD_Connection *c,
				 struct request *r)
{
	struct serve_error e;

	serve_error_set(&e, MHD_HTTP_CONTENT_TOO_LARGE, "invalid_request_error", NULL,
			"body_too_large", "the request body is larger than this server's limit "
			"of %zu bytes", h->o.max_body);
	return reply_error(c, r, &e);
}

static bool take_body(struct serve_http *h, struct request *r, const char *data, size_t n)
{
	char *grown;

	if (r->len + n > h->o.max_body) {
		r->too_large = true;
		free(r->body);
		r->body = NULL;
		r->len = 0;
		return true;
	}
	grown = realloc(r->body, r->len + n + 1);
	if (!grown)
		return false;
	memcpy(grown + r->len, data, n);
	r->len += n;
	grown[r->len] = '\0';
	r->body = grown;
	return true;
}

static void copy_printable(char *dst, size_t n, const char *src)
{
	size_t i;

	for (i = 0; i + 1 < n && src[i]; i++)
		dst[i] = src[i] > ' ' && src[i] < 0x7f ? src[i] : '?';
	dst[i] = '\0';
}

static struct request *request_begin(struct serve_http *h, const char *url, const char *method)
{
	struct request *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->start_ms = ea_now_ms();
	r->prompt_tokens = -1;
	copy_printable(r->method, sizeof(r->method), method);
	copy_printable(r->path, sizeof(r->path), url);
	pthread_mutex_lock(&h->lock);
	h->in_flight++;
	pthread_mutex_unlock(&h->lock);
	return r;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size, void **req_cls)
{
	struct serve_http *h = cls;
	struct request *r = *req_cls;
	enum route route;

	(void)version;
	if (!r) {
		r = request_begin(h, url, method);
		if (!r)
			return MHD_NO;
		*req_cls = r;
		serve_conns_request_began(c);
		if (check_framing(h, c, r) == MHD_NO)
			return MHD_NO;
		if (r->too_large && !r->answered)
			return too_large(h, c, r);
		return MHD_YES;
	}
	if (r->answered) {
		*upload_data_size = 0;	/* an early answer: the body is not read */
		return MHD_YES;
	}
	if (r->waiting) {	/* resumed: the job has finished */
		r->waiting = false;
		return reply_whole(h, c, r, &r->req, r->job, &r->meta);
	}
	if (*upload_data_size) {
		/* Past the limit the rest is read and dropped: libmicrohttpd
		 * answers only once the upload is over. A route that takes no
		 * body drops it. */
		if (is_completion(url, method) && !r->too_large &&
		    !take_body(h, r, upload_data, *upload_data_size))
			return MHD_NO;
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (r->too_large)
		return too_large(h, c, r);
	if (!is_completion(url, method))
		return answer_route(h, c, r, url, method);
	route = route_of(url);
	return post_completion(h, c, r, route == ROUTE_CHAT ? SERVE_CHAT : SERVE_COMPLETIONS);
}

/* The log line, then the request is forgotten. */
static void on_completed(void *cls, struct MHD_Connection *c, void **req_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct serve_http *h = cls;
	struct request *r = *req_cls;
	struct serve_outcome o;
	char tokens[48] = "-";

	serve_conns_request_ended(c);
	if (!r)
		return;
	if (r->job && serve_job_outcome(r->job, &o))
		snprintf(tokens, sizeof(tokens), "%d+%d", o.n_prompt_tokens, o.n_generated_tokens);
	else if (r->prompt_tokens >= 0)
		snprintf(tokens, sizeof(tokens), "%d+?", r->prompt_tokens);
	log_line("edgeai serve: %s %s %u tokens=%s ms=%.0f%s\n", r->method, r->path,
		r->status, tokens, ea_now_ms() - r->start_ms,
		toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (connection ended early)");
	if (r->job)
		serve_job_forget_sleeper(r->job);
	serve_job_put(r->job);
	if (r->have_req)
		serve_request_free(&r->req);
	free(r->body);
	free(r);
	*req_cls = NULL;
	pthread_mutex_lock(&h->lock);
	if (--h->in_flight == 0)
		pthread_cond_broadcast(&h->idle);
	pthread_mutex_unlock(&h->lock);
}

/*
 * %XX escapes of the URL decoded in place, except those that would decode to
 * a control byte (%00 above all): they stay as they are, so a name can never
 * end early at a NUL ("edge-f16.gguf%00x" is not "edge-f16.gguf").
 */
static size_t unescape_url(void *cls, struct MHD_Connection *c, char *s)
{
	size_t in = 0, out = 0;

	(void)cls, (void)c;
	while (s[in]) {
		int hi = s[in] == '%' ? hex_digit(s[in + 1]) : -1;
		int lo = hi >= 0 ? hex_digit(s[in + 2]) : -1;
		int byte = lo >= 0 ? hi << 4 | lo : -1;

		if (byte >= 0x20 && byte != 0x7f) {
			s[out++] = (char)byte;
			in += 3;
		} else {
			s[out++] = s[in++];
		}
	}
	s[out] = '\0';
	return out;
}

/* libmicrohttpd's messages, one write each; a refusal at the connection
 * limit is counted (serve_conns), not a line each. */
static void log_mhd(void *cls, const char *fmt, va_list ap)
{
	struct serve_http *h = cls;
	char line[LOG_LINE_MAX];

	vsnprintf(line, sizeof(line), fmt, ap);
	if (strstr(line, "connection limit"))
		serve_conns_refused_at_limit(h->conns);
	else
		log_line("edgeai serve: microhttpd: %s", line);
}

/* ---- the daemon ------------------------------------------------------------- */

static ea_status start_daemon(struct serve_http *h, char *err, size_t errsz)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
	struct addrinfo *ai;
	char port[16];
	unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME |
			 MHD_USE_ERROR_LOG;
	const union MHD_DaemonInfo *info;
	int rc;

	snprintf(port, sizeof(port), "%d", h->o.port);
	rc = getaddrinfo(h->o.host, port, &hints, &ai);
	if (rc) {
		snprintf(err, errsz, "%s: %s", h->o.host, gai_strerror(rc));
		return EA_ERR_INVALID_ARGUMENT;
	}
	if (ai->ai_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	h->daemon = MHD_start_daemon(flags, (uint16_t)h->o.port, serve_conns_accept, h->conns,
				     on_request, h,
				     MHD_OPTION_EXTERNAL_LOGGER, log_mhd, h,
				     MHD_OPTION_SOCK_ADDR, ai->ai_addr,
				     MHD_OPTION_CONNECTION_LIMIT, h->o.max_connections,
				     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)IDLE_TIMEOUT_S,
				     MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
				     MHD_OPTION_NOTIFY_CONNECTION, serve_conns_notify, h->conns,
				     MHD_OPTION_UNESCAPE_CALLBACK, unescape_url, h,
				     MHD_OPTION_THREAD_POOL_SIZE, h->o.threads,
				     MHD_OPTION_END);
	freeaddrinfo(ai);
	if (!h->daemon) {
		snprintf(err, errsz, "cannot listen on %s port %d (in use? see above)",
			 h->o.host, h->o.port);
		return EA_ERR_IO;
	}
	info = MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_BIND_PORT);
	h->port = info ? info->port : h->o.port;
	return EA_OK;
}

ea_status serve_http_start(const struct serve_http_options *o, struct serve_http **out,
			   char *err, size_t errsz)
{
	struct serve_http *h = calloc(1, sizeof(*h));
	ea_status st;

	*out = NULL;
	if (!h) {
		snprintf(err, errsz, "out of memory");
		return EA_ERR_NO_MEMORY;
	}
	h->o = *o;
	h->started = time(NULL);
	if (getentropy(&h->id_base, sizeof(h->id_base)) != 0)
		h->id_base = (uint64_t)getpid() << 32 ^ (uint64_t)h->started;
	pthread_mutex_init(&h->lock, NULL);
	pthread_cond_init(&h->idle, NULL);
	h->conns = serve_conns_start(o->header_timeout_s, o->per_ip);
	if (!h->conns) {
		snprintf(err, errsz, "out of memory");
		serve_http_stop(h);
		return EA_ERR_NO_MEMORY;
	}
	st = start_daemon(h, err, errsz);
	if (st != EA_OK) {
		serve_http_stop(h);
		return st;
	}
	*out = h;
	return EA_OK;
}

int serve_http_port(const struct serve_http *h)
{
	return h->port;
}

void serve_http_quiesce(struct serve_http *h)
{
	MHD_socket fd = MHD_quiesce_daemon(h->daemon);

	if (fd != MHD_INVALID_SOCKET)
		close(fd);
}

bool serve_http_wait_idle(struct serve_http *h, int timeout_ms)
{
	struct timespec deadline;
	bool idle;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += timeout_ms / 1000;
	deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&h->lock);
	while (h->in_flight && pthread_cond_timedwait(&h->idle, &h->lock, &deadline) == 0)
		;
	idle = h->in_flight == 0;
	pthread_mutex_unlock(&h->lock);
	return idle;
}

void serve_http_stop(struct serve_http *h)
{
	if (!h)
		return;
	if (h->daemon)
		MHD_stop_daemon(h->daemon);
	serve_conns_stop(h->conns);
	pthread_mutex_destroy(&h->lock);
	pthread_cond_destroy(&h->idle);
	free(h);
}

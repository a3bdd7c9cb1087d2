// SPDX-License-Identifier: MIT
/*
 * serve_stream - server-sent events from a growing job. The content reader
 * runs on an HTTP worker that serves other connections too, so it never
 * waits: when the job has nothing new, the connection is suspended until
 * the job wakes it (serve_job_sleep_unless). With logprobs, the records the job has and the events do not
 * yet are pending: a generated token's is sent once the text sent covers the
 * token's bytes (the job's text is the tokens' bytes, as far as it goes).
 */
#include "serve_stream.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bytes libmicrohttpd asks for at a time. */
#define STREAM_BLOCK 4096

enum phase { PHASE_FIRST, PHASE_ECHO, PHASE_TEXT, PHASE_DONE };

struct stream {
	struct serve_job *job;
	struct MHD_Connection *conn;
	struct serve_reply_meta meta;
	char id[64];
	char *model_name;
	bool include_usage;
	enum phase phase;
	size_t taken;		/* bytes of the job's text made into events */
	char *echo;		/* completions' echo: the prompt's text, sent first */
	size_t echo_len;
	/* With logprobs: */
	bool logprobs;
	struct serve_logprobs lp;	/* model and token_ids; text_offset: the next record's */
	int n_echoed;		/* the job's first records: the prompt's */
	int n_read;		/* records taken from the job */
	struct ea_token_logprob *pending;	/* of them, not sent yet */
	int n_pending;
	size_t pending_at;	/* byte of the job's text where pending[0]'s starts */
	char *out;		/* events not yet handed to libmicrohttpd */
	size_t out_len, out_sent;
};

/* Append the event "data: @data\n\n"; false when out of memory. */
static bool emit_data(struct stream *s, const char *data)
{
	static const char prefix[] = "data: ", suffix[] = "\n\n";
	size_t n = strlen(data);
	char *grown = realloc(s->out, s->out_len + sizeof(prefix) + n + sizeof(suffix));

	if (!grown)
		return false;
	s->out = grown;
	s->out_len += (size_t)sprintf(s->out + s->out_len, "%s%s%s", prefix, data, suffix);
	return true;
}

/* Emit a JSON body (NULL when it could not be built) and free it. */
static bool emit(struct stream *s, char *json)
{
	bool ok = json && emit_data(s, json);

	free(json);
	return ok;
}

/* A chunk of @len bytes of text and, with logprobs, the first @n pending
 * records, which are then sent; the last chunk with @reason. */
static bool emit_chunk(struct stream *s, const char *text, size_t len, int n,
		       const char *reason)
{
	struct serve_logprobs *lp = s->logprobs ? &s->lp : NULL;

	s->lp.records = s->pending;
	s->lp.n = n;
	if (!emit(s, serve_reply_chunk(&s->meta, text, len, false, reason, NULL, lp)))
		return false;
	s->lp.text_offset = serve_reply_text_end(&s->lp);
	s->n_pending -= n;
	memmove(s->pending, s->pending + n, (size_t)s->n_pending * sizeof(*s->pending));
	return true;
}

/* Keep the job's new records as pending. */
static bool take_records(struct stream *s, const struct serve_job_news *news)
{
	struct ea_token_logprob *grown;

	if (!news->n_records)
		return true;
	grown = realloc(s->pending, (size_t)(s->n_pending + news->n_records) * sizeof(*grown));
	if (!grown)
		return false;
	memcpy(grown + s->n_pending, news->records, (size_t)news->n_records * sizeof(*grown));
	s->pending = grown;
	s->n_pending += news->n_records;
	s->n_read += news->n_records;
	return true;
}

/* The echoed prompt, with its tokens' records. */
static bool emit_echo(struct stream *s)
{
	s->phase = PHASE_TEXT;
	return emit_chunk(s, s->echo, s->echo_len, s->n_echoed, NULL);
}

/* Up to @cap bytes of the pending tokens' text from byte @at of the job's
 * text into @out; how many there were. */
static size_t pending_bytes(const struct stream *s, size_t at, unsigned char *out, size_t cap)
{
	size_t pos = s->pending_at, n_out = 0;

	for (int i = 0; i < s->n_pending && n_out < cap; i++) {
		const char *bytes;
		size_t n;

		serve_reply_token_bytes(s->lp.model, s->pending[i].token, &bytes, &n);
		for (size_t k = 0; k < n && n_out < cap; k++, pos++)
			if (pos >= at)
				out[n_out++] = (unsigned char)bytes[k];
	}
	return n_out;
}

/*
 * The bytes of the tokens' text that the text sent stands for: the text is
 * those bytes as far as it goes, but a generation that ends inside a
 * character ends the text with a U+FFFD where the tokens have that
 * character's bytes up to there (edgeai.h: ea_text_fn): its lead byte and
 * the continuation bytes after it; what follows them (a stop string) was
 * not sent. @text: the @len bytes just sent.
 */
static size_t bytes_sent(const struct stream *s, const char *text, size_t len)
{
	unsigned char cut[4];
	size_t n, k, need;

	if (len < 3 || memcmp(text + len - 3, "\xef\xbf\xbd", 3))
		return s->taken;
	n = pending_bytes(s, s->taken - 3, cut, sizeof(cut));
	if (!n || (n >= 3 && !memcmp(cut, "\xef\xbf\xbd", 3)))
		return s->taken;
	need = (cut[0] & 0xe0) == 0xc0 ? 2 : (cut[0] & 0xf0) == 0xe0 ? 3 :
	       (cut[0] & 0xf8) == 0xf0 ? 4 : 1;
	for (k = 1; k < n && k + 1 < need && (cut[k] & 0xc0) == 0x80; k++)
		;
	return s->taken - 3 + k;
}

/* New text, with the pending records whose tokens it completes. */
static bool emit_text(struct stream *s, const char *text, size_t len)
{
	size_t sent;
	int n = 0;

	s->taken += len;
	sent = bytes_sent(s, text, len);
	while (n < s->n_pending) {
		const char *bytes;
		size_t n_bytes;

		serve_reply_token_bytes(s->lp.model, s->pending[n].token, &bytes, &n_bytes);
		if (s->pending_at + n_bytes > sent)
			break;
		s->pending_at += n_bytes;
		n++;
	}
	return emit_chunk(s, text, len, n, NULL);
}

/* The events that end the stream, from the job's outcome. */
static bool emit_end(struct stream *s)
{
	struct serve_outcome o;
	struct serve_error e;
	struct serve_usage usage;
	const char *reason;

	serve_job_outcome(s->job, &o);
	s->phase = PHASE_DONE;
	reason = serve_reply_finish_reason(o.finish_reason);
	if (o.status != EA_OK || !reason) {
		if (o.status != EA_OK)
			serve_error_set(&e, 500, "server_error", NULL, NULL, "generation failed: %s: %s",
					ea_strerror(o.status), o.message);
		else
			serve_error_set(&e, 503, "server_error", NULL, "cancelled",
					"the server is shutting down; generation was cancelled");
		return emit(s, serve_reply_error(&e));
	}
	usage = (struct serve_usage){ o.n_prompt_tokens, o.n_generated_tokens,
				      o.n_cached_tokens };
	if (!emit_chunk(s, "", 0, s->n_pending, reason))
		return false;
	if (s->include_usage &&
	    !emit(s, serve_reply_chunk(&s->meta, NULL, 0, false, NULL, &usage, NULL)))
		return false;
	return emit_data(s, "[DONE]");
}

void serve_connection_suspend(void *c)
{
	MHD_suspend_connection(c);
}

void serve_connection_resume(void *c)
{
	MHD_resume_connection(c);
}

enum produced { PRODUCED, PRODUCE_FAILED, ASLEEP };

/* Make the next events; ASLEEP (the connection suspended) when the job has
 * nothing new yet. */
static enum produced produce(struct stream *s)
{
	struct serve_job_news news;
	bool ok;

	if (s->phase == PHASE_FIRST) {
		s->phase = s->echo ? PHASE_ECHO : PHASE_TEXT;
		if (s->meta.endpoint == SERVE_CHAT)
			return emit(s, serve_reply_chunk(&s->meta, "", 0, true, NULL, NULL, NULL)) ?
			       PRODUCED : PRODUCE_FAILED;
	}
	if (s->phase == PHASE_ECHO && s->n_pending >= s->n_echoed)
		return emit_echo(s) ? PRODUCED : PRODUCE_FAILED;
	if (!serve_job_sleep_unless(s->job, false, s->taken, s->n_read, serve_connection_suspend,
				    serve_connection_resume, s->conn))
		return ASLEEP;
	if (!serve_job_read(s->job, s->taken, s->n_read, &news))
		return PRODUCE_FAILED;
	ok = take_records(s, &news) &&
	     (s->phase != PHASE_ECHO || s->n_pending < s->n_echoed || emit_echo(s)) &&
	     (!news.len || emit_text(s, news.text, news.len)) &&
	     (!news.finished || emit_end(s));
	free(news.text);
	free(news.records);
	return ok ? PRODUCED : PRODUCE_FAILED;
}

static ssize_t read_events(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct stream *s = cls;
	size_t n;

	(void)pos;
	while (s->out_sent == s->out_len) {
		enum produced p;

		if (s->phase == PHASE_DONE)
			return MHD_CONTENT_READER_END_OF_STREAM;
		s->out_len = s->out_sent = 0;
		p = produce(s);
		if (p == PRODUCE_FAILED)
			return MHD_CONTENT_READER_END_WITH_ERROR;
		if (p == ASLEEP)
			return 0;	/* resumed, and asked again, when the job has more */
	}
	n = s->out_len - s->out_sent;
	if (n > max)
		n = max;
	memcpy(buf, s->out + s->out_sent, n);
	s->out_sent += n;
	return (ssize_t)n;
}

static void free_stream(void *cls)
{
	struct stream *s = cls;

	if (s->job) {
		serve_job_forget_sleeper(s->job);
		serve_job_cancel(s->job);
		serve_job_put(s->job);
	}
	free(s->model_name);
	free(s->echo);
	free(s->pending);
	free(s->out);
	free(s);
}

struct MHD_Response *serve_stream_response(struct serve_job *job,
					   const struct serve_reply_meta *meta,
					   const struct serve_request *req,
					   const struct ea_model *model, struct MHD_Connection *c)
{
	struct stream *s = calloc(1, sizeof(*s));
	struct MHD_Response *r;

	if (!s)
		return NULL;
	s->model_name = strdup(meta->model);
	if (req->echo)
		s->echo = serve_request_prompt_text(req, model, &s->echo_len);
	if (!s->model_name || (req->echo && !s->echo)) {
		free_stream(s);
		return NULL;
	}
	snprintf(s->id, sizeof(s->id), "%s", meta->id);
	s->meta = *meta;
	s->meta.id = s->id;
	s->meta.model = s->model_name;
	s->conn = c;
	s->include_usage = req->include_usage;
	s->logprobs = req->logprobs;
	s->lp = (struct serve_logprobs){ .model = model, .token_ids = req->token_ids };
	s->n_echoed = req->echo && req->logprobs ? req->n_prompt_tokens : 0;
	r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, STREAM_BLOCK, read_events, s,
					      free_stream);
	if (!r) {
		free_stream(s);
		return NULL;
	}
	serve_job_get(job);
	s->job = job;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/event-stream");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
	return r;
}

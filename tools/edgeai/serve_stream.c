// SPDX-License-Identifier: MIT
/*
 * serve_stream - server-sent events from a growing job. The content reader
 * runs on the connection's own thread, so it may block until the job has
 * more text.
 */
#include "serve_stream.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bytes libmicrohttpd asks for at a time. */
#define STREAM_BLOCK 4096

enum phase { PHASE_FIRST, PHASE_TEXT, PHASE_DONE };

struct stream {
	struct serve_job *job;
	struct serve_reply_meta meta;
	char id[64];
	char *model;
	bool include_usage;
	enum phase phase;
	size_t taken;		/* bytes of the job's text made into events */
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
	if (!emit(s, serve_reply_chunk(&s->meta, "", 0, false, reason, NULL)))
		return false;
	if (s->include_usage && !emit(s, serve_reply_chunk(&s->meta, NULL, 0, false, NULL, &usage)))
		return false;
	return emit_data(s, "[DONE]");
}

/* Make the next events, waiting for the job as needed. */
static bool produce(struct stream *s)
{
	size_t len;
	bool finished;
	char *text;

	if (s->phase == PHASE_FIRST) {
		s->phase = PHASE_TEXT;
		if (s->meta.endpoint == SERVE_CHAT)
			return emit(s, serve_reply_chunk(&s->meta, "", 0, true, NULL, NULL));
	}
	text = serve_job_read(s->job, s->taken, &len, &finished);
	if (len) {
		s->taken += len;
		if (!emit(s, serve_reply_chunk(&s->meta, text, len, false, NULL, NULL))) {
			free(text);
			return false;
		}
	}
	free(text);
	return finished ? emit_end(s) : true;
}

static ssize_t read_events(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct stream *s = cls;
	size_t n;

	(void)pos;
	while (s->out_sent == s->out_len) {
		if (s->phase == PHASE_DONE)
			return MHD_CONTENT_READER_END_OF_STREAM;
		s->out_len = s->out_sent = 0;
		if (!produce(s))
			return MHD_CONTENT_READER_END_WITH_ERROR;
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

	serve_job_cancel(s->job);
	serve_job_put(s->job);
	free(s->model);
	free(s->out);
	free(s);
}

struct MHD_Response *serve_stream_response(struct serve_job *job,
					   const struct serve_reply_meta *meta,
					   bool include_usage)
{
	struct stream *s = calloc(1, sizeof(*s));
	struct MHD_Response *r;

	if (!s)
		return NULL;
	s->model = strdup(meta->model);
	if (!s->model) {
		free(s);
		return NULL;
	}
	snprintf(s->id, sizeof(s->id), "%s", meta->id);
	s->meta = *meta;
	s->meta.id = s->id;
	s->meta.model = s->model;
	s->include_usage = include_usage;
	s->job = job;
	r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, STREAM_BLOCK, read_events, s,
					      free_stream);
	if (!r) {
		free(s->model);
		free(s);
		return NULL;
	}
	serve_job_get(job);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/event-stream");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
	return r;
}

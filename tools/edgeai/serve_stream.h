/* SPDX-License-Identifier: MIT */
/*
 * serve_stream.h - a streamed answer: a libmicrohttpd response whose body is
 * server-sent events made from a job's text as it grows: "data: {chunk}"
 * events (chat: a first one with the role, then deltas; completions: text),
 * a last chunk with the finish reason, a usage chunk when asked for, and
 * "data: [DONE]". A job that fails or is cancelled ends the stream with
 * "data: {"error":{...}}" and no [DONE].
 */
#ifndef SERVE_STREAM_H
#define SERVE_STREAM_H

#include <microhttpd.h>
#include <stdbool.h>

#include "serve_pool.h"
#include "serve_reply.h"

/* A response streaming @job (it takes a reference; the job is cancelled if
 * the client goes away first). @meta's strings are copied. NULL when out of
 * memory. */
struct MHD_Response *serve_stream_response(struct serve_job *job,
					   const struct serve_reply_meta *meta,
					   bool include_usage);

#endif /* SERVE_STREAM_H */

/* SPDX-License-Identifier: MIT */
/*
 * serve_stream.h - a streamed answer: a libmicrohttpd response whose body is
 * server-sent events made from a job's text as it grows: "data: {chunk}"
 * events (chat: a first one with the role, then deltas; completions: with
 * echo the prompt's text first, then text), a last chunk with the finish
 * reason, a usage chunk when asked for, and "data: [DONE]". A job that fails
 * or is cancelled ends the stream with "data: {"error":{...}}" and no [DONE].
 *
 * With logprobs, every chunk but chat's first carries its tokens' records in
 * choices[0].logprobs, in the whole answer's shape: the echoed prompt's with
 * its text, and each generated token's with the chunk that completes its
 * text (a token without text: the next chunk); text held back, a character
 * split over tokens or what may start a stop string, keeps its tokens with
 * it, and the tokens whose text never comes (a stop string's) go with the
 * last chunk. All the chunks' records, in order, are the whole answer's.
 */
#ifndef SERVE_STREAM_H
#define SERVE_STREAM_H

#include <microhttpd.h>
#include <stdbool.h>

#include "serve_pool.h"
#include "serve_reply.h"
#include "serve_request.h"

/* serve_job_sleep_unless()'s sleep and wake for a libmicrohttpd connection
 * (@c): the worker serves its other connections while a request waits. */
void serve_connection_suspend(void *c);
void serve_connection_resume(void *c);

/* A response streaming @job, the job of @req on @model, to connection @c
 * (it takes a reference; the job is cancelled if the client goes away
 * first; @c sleeps while the job has nothing new, on a daemon that allows
 * suspending). @meta's strings and what it needs of @req are copied. NULL
 * when out of memory. */
struct MHD_Response *serve_stream_response(struct serve_job *job,
					   const struct serve_reply_meta *meta,
					   const struct serve_request *req,
					   const struct ea_model *model, struct MHD_Connection *c);

#endif /* SERVE_STREAM_H */

/* SPDX-License-Identifier: MIT */
/*
 * serve_http.h - the HTTP side of `edgeai serve` (libmicrohttpd, a thread per
 * connection): routes the OpenAI endpoints, reads bodies up to a limit, turns
 * requests into jobs of the worker pool, answers with JSON or a stream of
 * server-sent events, and logs one line per request on stderr (never a body
 * or a header).
 */
#ifndef SERVE_HTTP_H
#define SERVE_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "edgeai.h"
#include "serve_pool.h"

struct serve_http;

struct serve_http_options {
	const char *host;		/* numeric address or name to bind */
	int port;			/* 0: any free port (see serve_http_port()) */
	size_t max_body;		/* bytes of a request body, at most */
	int max_tokens;			/* max_tokens of a request, at most */
	const char *model_name;		/* the "model" clients must name */
	const struct ea_model *model;
	struct serve_pool *pool;
	unsigned max_connections;	/* held at once, in all */
	unsigned per_ip;		/* of them from one client address; 0: no cap */
	unsigned threads;		/* HTTP worker threads (epoll each) */
	unsigned header_timeout_s;	/* a request's header, whole, within */
};

ea_status serve_http_start(const struct serve_http_options *o, struct serve_http **out,
			   char *err, size_t errsz);

/* The port it listens on. */
int serve_http_port(const struct serve_http *http);

/* Stop accepting connections; those open go on. */
void serve_http_quiesce(struct serve_http *http);

/* Wait up to @timeout_ms until no request is in progress; false on timeout. */
bool serve_http_wait_idle(struct serve_http *http, int timeout_ms);

/* Close every connection and free the server. */
void serve_http_stop(struct serve_http *http);

#endif /* SERVE_HTTP_H */

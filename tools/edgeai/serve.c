// SPDX-License-Identifier: MIT
/*
 * edgeai serve - an OpenAI-compatible HTTP server over the engine: one model,
 * N sessions fed from a bounded queue (serve_pool), libmicrohttpd in front
 * (serve_http). SIGINT or SIGTERM stop it gracefully: no new connections,
 * the requests in progress finish (up to --drain-timeout, then they are
 * cancelled), exit 0. docs/serve.md is its manual.
 */
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "serve_http.h"
#include "serve_pool.h"

#define DEFAULT_PORT 8080
#define DEFAULT_QUEUE 8
#define DEFAULT_MAX_BODY (1u << 20)
#define DEFAULT_DRAIN_S 30
/* After the pool has drained, how long answers get to reach their clients. */
#define DELIVER_TIMEOUT_MS 5000

struct serve_options {
	const char *model_path;
	const char *model_name;		/* NULL: the file's basename */
	const char *host;
	long port;
	long sessions;
	long queue;
	long max_body;
	long max_tokens;		/* 0: the model's context */
	long drain_s;
	enum ea_engine engine;
	struct ea_open_options device;
};

static bool parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long long v = strtoll(s, &end, 10);

	*out = (long)v;
	return *s && !*end && v >= min && v <= max;
}

/* Options with a value; false on a bad or unknown one. */
static bool parse_value(struct serve_options *o, const char *arg, const char *value)
{
	if (strcmp(arg, "-m") == 0 || strcmp(arg, "--model") == 0)
		o->model_path = value;
	else if (strcmp(arg, "--model-name") == 0)
		o->model_name = *value ? value : NULL;
	else if (strcmp(arg, "--host") == 0)
		o->host = value;
	else if (strcmp(arg, "--port") == 0)
		return parse_long(value, 0, 65535, &o->port);
	else if (strcmp(arg, "--sessions") == 0)
		return parse_long(value, 1, 256, &o->sessions);
	else if (strcmp(arg, "--queue") == 0)
		return parse_long(value, 0, 100000, &o->queue);
	else if (strcmp(arg, "--max-body") == 0)
		return parse_long(value, 1, 1L << 30, &o->max_body);
	else if (strcmp(arg, "--max-tokens") == 0)
		return parse_long(value, 1, 1L << 30, &o->max_tokens);
	else if (strcmp(arg, "--drain-timeout") == 0)
		return parse_long(value, 0, 3600, &o->drain_s);
	else
		return false;
	return true;
}

static int parse_args(int argc, char **argv, struct serve_options *o)
{
	for (int i = 1; i < argc; i++) {
		int parsed = cli_parse_device_option(argc, argv, &i, &o->device);

		if (parsed < 0)
			return -1;
		if (parsed)
			continue;
		if (strcmp(argv[i], "--cpu") == 0) {
			o->engine = EA_ENGINE_CPU;
			continue;
		}
		if (i + 1 >= argc) {
			fprintf(stderr, "edgeai serve: %s: unknown or missing its value\n", argv[i]);
			return -1;
		}
		if (!parse_value(o, argv[i], argv[i + 1])) {
			fprintf(stderr, "edgeai serve: bad option '%s %s'\n", argv[i], argv[i + 1]);
			return -1;
		}
		i++;
	}
	if (!o->model_path) {
		fprintf(stderr, "edgeai serve: -m MODEL.gguf is needed\n");
		return -1;
	}
	return 0;
}

/* Block the stop signals in every thread (the threads started later inherit
 * the mask), so that only wait_for_stop() sees them. */
static void block_stop_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, set, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* Stop gracefully; false when a request would not end (the caller exits
 * without freeing what a stuck thread may still use). */
static bool shut_down(struct serve_http *http, struct serve_pool *pool, long drain_s)
{
	int cancelled;

	serve_http_quiesce(http);
	cancelled = serve_pool_drain(pool, (int)drain_s * 1000);
	if (cancelled > 0)
		fprintf(stderr, "edgeai serve: cancelled %d request(s) after %lds\n", cancelled,
			drain_s);
	if (cancelled < 0) {
		fprintf(stderr, "edgeai serve: a request did not end; exiting anyway\n");
		return false;
	}
	if (!serve_http_wait_idle(http, DELIVER_TIMEOUT_MS))
		fprintf(stderr, "edgeai serve: closing connections still sending\n");
	serve_http_stop(http);
	serve_pool_stop(pool);
	return true;
}

static int serve(struct serve_options *o, const sigset_t *stop)
{
	struct ea_model *model = NULL;
	struct serve_pool *pool = NULL;
	struct serve_http *http = NULL;
	const struct ea_model_info *info;
	char err[1024], *path_copy = strdup(o->model_path);
	ea_status st;
	int sig = 0;

	st = ea_model_open(o->model_path, NULL, NULL, &model, err, sizeof(err));
	if (st != EA_OK || !path_copy) {
		fprintf(stderr, "edgeai serve: %s: %s\n", ea_strerror(st), err);
		free(path_copy);
		return 1;
	}
	info = ea_model_info(model);
	if (!o->model_name)
		o->model_name = basename(path_copy);
	if (!o->max_tokens)
		o->max_tokens = info->n_ctx;

	st = serve_pool_start(&(struct serve_pool_options){
		.model = model, .n_sessions = (int)o->sessions, .queue = (int)o->queue,
		.engine = o->engine, .device = o->device }, &pool, err, sizeof(err));
	if (st == EA_OK)
		st = serve_http_start(&(struct serve_http_options){
			.host = o->host, .port = (int)o->port, .max_body = (size_t)o->max_body,
			.max_tokens = (int)o->max_tokens, .model_name = o->model_name,
			.model = model, .pool = pool,
			.max_connections = (unsigned)(4 * (o->sessions + o->queue) + 64) },
			&http, err, sizeof(err));
	if (st != EA_OK) {
		fprintf(stderr, "edgeai serve: %s\n", err);
		serve_pool_stop(pool);
		ea_model_close(model);
		free(path_copy);
		return 1;
	}
	fprintf(stderr, "edgeai serve: model '%s' (%s, %s, context %d) on %s, %ld session(s), "
		"queue %ld: listening on http://%s:%d/v1\n", o->model_name, info->arch, info->type,
		info->n_ctx, serve_pool_engine(pool), o->sessions, o->queue,
		o->host, serve_http_port(http));

	sigwait(stop, &sig);
	fprintf(stderr, "edgeai serve: %s: finishing the requests in progress (up to %lds)\n",
		strsignal(sig), o->drain_s);
	if (!shut_down(http, pool, o->drain_s))
		return 1;
	ea_model_close(model);
	free(path_copy);
	fprintf(stderr, "edgeai serve: stopped\n");
	return 0;
}

static int run_serve(int argc, char **argv)
{
	struct serve_options o = {
		.host = "127.0.0.1", .port = DEFAULT_PORT, .sessions = 1, .queue = DEFAULT_QUEUE,
		.max_body = DEFAULT_MAX_BODY, .drain_s = DEFAULT_DRAIN_S,
		.engine = EA_ENGINE_VULKAN, .device = { .mode = EA_MODE_DIRECT },
	};
	sigset_t stop;

	if (parse_args(argc, argv, &o))
		return 2;
	block_stop_signals(&stop);
	return serve(&o, &stop);
}

const struct cli_command cli_serve = {
	.name = "serve",
	.summary = "an OpenAI-compatible HTTP server (/v1/chat/completions, /v1/completions)",
	.usage = "-m MODEL.gguf [--host H] [--port P] [--sessions N] [--queue N]\n"
		 "  [--max-body BYTES] [--max-tokens N] [--drain-timeout S] [--model-name NAME]\n"
		 "  [--cpu] [--mode MODE] [--device SEL]\n"
		 "  --host 127.0.0.1 and --port 8080 by default (--port 0: any free port, printed).\n"
		 "  N sessions (1) run requests; --queue N (8) more may wait, then 503.\n"
		 "  --max-body (1 MiB): larger bodies get 413. --max-tokens: the most a request\n"
		 "  may ask for (default: the model's context). Clients name the model by\n"
		 "  --model-name (default: the file's basename). Vulkan in direct mode, one\n"
		 "  device per session; --cpu: the CPU reference. SIGINT/SIGTERM: finish the\n"
		 "  requests in progress (up to --drain-timeout, 30 s), then exit 0.\n"
		 "  Manual: docs/serve.md.",
	.run = run_serve,
};

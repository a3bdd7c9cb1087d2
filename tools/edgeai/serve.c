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
#include <sys/resource.h>

#include "cli.h"
#include "serve_http.h"
#include "serve_pool.h"

#define DEFAULT_PORT 8080
#define DEFAULT_QUEUE 8
#define DEFAULT_MAX_BODY (1u << 20)
#define DEFAULT_DRAIN_S 30
#define DEFAULT_MAX_CONNECTIONS 4096
#define DEFAULT_PER_IP 256
#define DEFAULT_HEADER_TIMEOUT_S 20
#define MAX_HTTP_THREADS 256
#define FDS_KEPT 64		/* descriptors left for all but connections */
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
	long max_connections;		/* 0: DEFAULT_MAX_CONNECTIONS, within the fd limit */
	long per_ip;
	long header_timeout_s;
	long http_threads;		/* 0: sessions + queue + 2, at most MAX_HTTP_THREADS */
	enum ea_engine engine;
	struct ea_open_options device;
};

enum {
	OPT_MODEL_NAME = CLI_OPT_OWN, OPT_HOST, OPT_PORT, OPT_SESSIONS, OPT_QUEUE, OPT_MAX_BODY,
	OPT_MAX_TOKENS, OPT_DRAIN_TIMEOUT, OPT_CPU, OPT_MAX_CONNECTIONS, OPT_PER_IP,
	OPT_HEADER_TIMEOUT, OPT_HTTP_THREADS,
};

static const struct option long_options[] = {
	{ "model", required_argument, NULL, 'm' },
	{ "model-name", required_argument, NULL, OPT_MODEL_NAME },
	{ "host", required_argument, NULL, OPT_HOST },
	{ "port", required_argument, NULL, OPT_PORT },
	{ "sessions", required_argument, NULL, OPT_SESSIONS },
	{ "queue", required_argument, NULL, OPT_QUEUE },
	{ "max-body", required_argument, NULL, OPT_MAX_BODY },
	{ "max-tokens", required_argument, NULL, OPT_MAX_TOKENS },
	{ "drain-timeout", required_argument, NULL, OPT_DRAIN_TIMEOUT },
	{ "max-connections", required_argument, NULL, OPT_MAX_CONNECTIONS },
	{ "per-ip", required_argument, NULL, OPT_PER_IP },
	{ "header-timeout", required_argument, NULL, OPT_HEADER_TIMEOUT },
	{ "http-threads", required_argument, NULL, OPT_HTTP_THREADS },
	{ "cpu", no_argument, NULL, OPT_CPU },
	CLI_DEVICE_OPTIONS,
	CLI_OPTIONS_END
};

static void parse_option(struct cli_parser *p, struct serve_options *o)
{
	switch (p->option) {
	case 'm':
		o->model_path = optarg;
		break;
	case OPT_MODEL_NAME:
		o->model_name = *optarg ? optarg : NULL;
		break;
	case OPT_HOST:
		o->host = optarg;
		break;
	case OPT_PORT:
		cli_long(p, 0, 65535, &o->port);
		break;
	case OPT_SESSIONS:
		cli_long(p, 1, 256, &o->sessions);
		break;
	case OPT_QUEUE:
		cli_long(p, 0, 100000, &o->queue);
		break;
	case OPT_MAX_BODY:
		cli_long(p, 1, 1L << 30, &o->max_body);
		break;
	case OPT_MAX_TOKENS:
		cli_long(p, 1, 1L << 30, &o->max_tokens);
		break;
	case OPT_DRAIN_TIMEOUT:
		cli_long(p, 0, 3600, &o->drain_s);
		break;
	case OPT_CPU:
		o->engine = EA_ENGINE_CPU;
		break;
	case OPT_MAX_CONNECTIONS:
		cli_long(p, 16, 1L << 20, &o->max_connections);
		break;
	case OPT_PER_IP:
		cli_long(p, 0, 1L << 20, &o->per_ip);
		break;
	case OPT_HEADER_TIMEOUT:
		cli_long(p, 1, 3600, &o->header_timeout_s);
		break;
	case OPT_HTTP_THREADS:
		cli_long(p, 2, MAX_HTTP_THREADS, &o->http_threads);
		break;
	case CLI_OPT_MODE:
	case CLI_OPT_DEVICE:
		cli_device_option(p, &o->device);
		break;
	}
}

/* The exit status of a bad command line, or CLI_CONTINUE. */
static int parse_args(int argc, char **argv, struct serve_options *o)
{
	struct cli_parser p;

	cli_parser_init(&p, &cli_serve, argc, argv, "m:", long_options);
	while (cli_next(&p) != -1)
		parse_option(&p, o);
	if (p.exit_status == CLI_CONTINUE && !o->model_path) {
		fprintf(stderr, "edgeai serve: -m MODEL.gguf is needed\n");
		return CLI_EXIT_USAGE;
	}
	return p.exit_status;
}

/*
 * The connections to hold: --max-connections, within the descriptors this
 * process may open (its soft limit raised to the hard one), less some for
 * the model, the devices and the logs.
 */
static unsigned connection_limit(long wanted)
{
	struct rlimit fds;
	long limit = wanted ? wanted : DEFAULT_MAX_CONNECTIONS;

	if (getrlimit(RLIMIT_NOFILE, &fds) == 0) {
		if (fds.rlim_cur < fds.rlim_max) {
			fds.rlim_cur = fds.rlim_max;
			setrlimit(RLIMIT_NOFILE, &fds);
			getrlimit(RLIMIT_NOFILE, &fds);
		}
		if (fds.rlim_cur != RLIM_INFINITY && (rlim_t)limit + FDS_KEPT > fds.rlim_cur) {
			limit = fds.rlim_cur > FDS_KEPT + 16 ? (long)(fds.rlim_cur - FDS_KEPT) : 16;
			fprintf(stderr, "edgeai serve: %ld connections at most (the limit of open "
				"files is %llu)\n", limit, (unsigned long long)fds.rlim_cur);
		}
	}
	return (unsigned)limit;
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
			.max_connections = connection_limit(o->max_connections),
			.per_ip = (unsigned)o->per_ip,
			.header_timeout_s = (unsigned)o->header_timeout_s,
			.threads = (unsigned)(o->http_threads ? o->http_threads :
					      o->sessions + o->queue + 2 > MAX_HTTP_THREADS ?
					      MAX_HTTP_THREADS : o->sessions + o->queue + 2) },
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
		.per_ip = DEFAULT_PER_IP, .header_timeout_s = DEFAULT_HEADER_TIMEOUT_S,
		.engine = EA_ENGINE_VULKAN, .device = { .mode = EA_MODE_DIRECT },
	};
	sigset_t stop;
	int status = parse_args(argc, argv, &o);

	if (status != CLI_CONTINUE)
		return status;
	block_stop_signals(&stop);
	return serve(&o, &stop);
}

const struct cli_command cli_serve = {
	.name = "serve",
	.summary = "an OpenAI-compatible HTTP server (/v1/chat/completions, /v1/completions)",
	.usage = "-m MODEL.gguf [--host H] [--port P] [--sessions N] [--queue N]\n"
		 "  [--max-body BYTES] [--max-tokens N] [--drain-timeout S] [--model-name NAME]\n"
		 "  [--max-connections N] [--per-ip N] [--header-timeout S] [--http-threads N]\n"
		 "  [--cpu] [--mode MODE] [--device SEL]\n"
		 "  --host 127.0.0.1 and --port 8080 by default (--port 0: any free port, printed).\n"
		 "  N sessions (1) run requests; --queue N (8) more may wait, then 503.\n"
		 "  --max-body (1 MiB): larger bodies get 413. --max-tokens: the most a request\n"
		 "  may ask for (default: the model's context). Clients name the model by\n"
		 "  --model-name (default: the file's basename). Vulkan in direct mode, one\n"
		 "  device per session; --cpu: the CPU reference. SIGINT/SIGTERM: finish the\n"
		 "  requests in progress (up to --drain-timeout, 30 s), then exit 0.\n"
		 "  Connections: --max-connections (4096) held at once, --per-ip (256; 0: no\n"
		 "  cap) from one address; a request's header must come whole within\n"
		 "  --header-timeout (20 s) of the connection's opening or previous request;\n"
		 "  --http-threads (sessions + queue + 2, at most 256) serve them (epoll).\n"
		 "  Manual: docs/serve.md.",
	.run = run_serve,
};

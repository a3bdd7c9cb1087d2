// SPDX-License-Identifier: MIT
/*
 * edgeai perplexity - how well a model predicts a text, by llama.cpp's method:
 * the whole text is tokenized (no BOS), cut into consecutive windows of the
 * model's context, each window evaluated from an empty KV cache, and the
 * second half of each window scored. PPL = exp(mean negative log-likelihood).
 * It runs on a session (ea_session.h): Vulkan in direct mode, or the CPU
 * reference with --cpu.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "ea_device.h"
#include "ea_session.h"
#include "ea_tokenizer.h"

struct ppl_options {
	const char *model;
	const char *text;
	int max_chunks;		/* 0: every window */
	int ctx;		/* 0: the model's context */
	struct ea_open_options device;
	struct ea_session_options session;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The whole file at @path, malloc'd; NULL (after a message) on failure. */
static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long size;

	if (!f || fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		perror(path);
		goto out;
	}
	buf = malloc((size_t)size + 1);
	if (!buf || fread(buf, 1, (size_t)size, f) != (size_t)size) {
		fprintf(stderr, "edgeai perplexity: cannot read %s\n", path);
		free(buf);
		buf = NULL;
		goto out;
	}
	buf[size] = '\0';
	*len = (size_t)size;
out:
	if (f)
		fclose(f);
	return buf;
}

/* The text's tokens, no BOS, control tokens' text encoded as plain text. */
static int32_t *tokenize_file(const struct ea_model *m, const char *path, size_t *n_tokens)
{
	int32_t *ids = NULL;
	size_t len;
	char *text = read_file(path, &len);

	if (!text)
		return NULL;
	if (ea_tokenizer_encode(m->tokenizer, text, len, 0, &ids, n_tokens) != EA_OK) {
		fprintf(stderr, "edgeai perplexity: out of memory tokenizing %s\n", path);
		ids = NULL;
	}
	free(text);
	return ids;
}

static void show_progress(int done, int total, double nll, int n_scored, double elapsed)
{
	double eta = elapsed / done * (total - done);

	fprintf(stderr, "\r[%d/%d] PPL so far %.4f, %.2f s/window, %.0f s left   ", done, total,
		exp(nll / n_scored), elapsed / done, eta);
	if (done == total)
		fprintf(stderr, "\n");
}

/* The session the options ask for, or NULL after a message. */
static struct ea_session *open_session(struct ppl_options *o, const struct ea_model *m,
				       struct ea_device **dev)
{
	struct ea_session *s;
	char why[1024];
	ea_status status;

	if (o->session.engine != EA_ENGINE_CPU) {
		*dev = cli_open(&o->device);
		if (!*dev)
			return NULL;
	}
	status = ea_session_open(*dev, m, &o->session, &s, why, sizeof(why));
	if (status != EA_OK) {
		fprintf(stderr, "edgeai perplexity: %s: %s%s\n", ea_strerror(status), why,
			*dev ? " (--cpu runs the CPU reference)" : "");
		return NULL;
	}
	return s;
}

static int perplexity(struct ppl_options *o)
{
	struct ea_model *m = NULL;
	struct ea_device *dev = NULL;
	struct ea_session *s = NULL;
	int32_t *tokens = NULL;
	size_t n_tokens = 0;
	char why[1024];
	double nll = 0.0, start;
	int n_scored = 0, rc = 1, ctx, n_windows;
	bool progress = isatty(STDERR_FILENO);

	if (ea_model_open(o->model, NULL, NULL, &m, why, sizeof(why)) != EA_OK) {
		fprintf(stderr, "edgeai perplexity: %s\n", why);
		return 1;
	}
	ctx = o->ctx ? o->ctx : m->cfg.n_ctx;
	if (ctx < 2 || ctx > m->cfg.n_ctx) {
		fprintf(stderr, "edgeai perplexity: --ctx %d: must be 2 .. %d (the model's context)\n",
			ctx, m->cfg.n_ctx);
		goto out;
	}
	tokens = tokenize_file(m, o->text, &n_tokens);
	if (!tokens)
		goto out;
	n_windows = (int)(n_tokens / (size_t)ctx);
	if (o->max_chunks && o->max_chunks < n_windows)
		n_windows = o->max_chunks;
	if (n_windows == 0) {
		fprintf(stderr, "edgeai perplexity: %s has %zu tokens, fewer than one window of %d\n",
			o->text, n_tokens, ctx);
		goto out;
	}
	s = open_session(o, m, &dev);
	if (!s)
		goto out;
	printf("model %s: %s, %d layers, dim %d, vocab %d; %s", o->model,
	       ea_arch_name(m->cfg.arch), m->cfg.n_layers, m->cfg.dim, m->cfg.n_vocab,
	       ea_session_engine(s));
	if (ea_session_threads(s))
		printf(", %d threads", ea_session_threads(s));
	printf("\ntext %s: %zu tokens, %d windows of %d, scoring tokens %d .. %d of each\n",
	       o->text, n_tokens, n_windows, ctx, ctx / 2, ctx - 1);
	fflush(stdout);

	start = now_s();
	for (int w = 0; w < n_windows; w++) {
		if (ea_session_window_nll(s, tokens + (size_t)w * ctx, ctx, ctx / 2, &nll,
					  &n_scored) != EA_OK) {
			fprintf(stderr, "\nedgeai perplexity: window %d: %s\n", w, ea_session_error(s));
			goto out;
		}
		if (progress)
			show_progress(w + 1, n_windows, nll, n_scored, now_s() - start);
	}
	printf("%d tokens scored in %.1f s: mean NLL %.6f, PPL %.4f\n", n_scored, now_s() - start,
	       nll / n_scored, exp(nll / n_scored));
	rc = 0;
out:
	ea_session_close(s);
	ea_close(dev);
	free(tokens);
	ea_model_close(m);
	return rc;
}

enum { OPT_CPU = CLI_OPT_OWN, OPT_CHUNKS, OPT_CTX, OPT_THREADS };

static const struct option long_options[] = {
	{ "model", required_argument, NULL, 'm' },
	{ "file", required_argument, NULL, 'f' },
	{ "cpu", no_argument, NULL, OPT_CPU },
	{ "chunks", required_argument, NULL, OPT_CHUNKS },
	{ "ctx", required_argument, NULL, OPT_CTX },
	{ "threads", required_argument, NULL, OPT_THREADS },
	CLI_DEVICE_OPTIONS,
	CLI_OPTIONS_END
};

static void parse_option(struct cli_parser *p, struct ppl_options *o)
{
	switch (p->option) {
	case 'm':
		o->model = optarg;
		break;
	case 'f':
		o->text = optarg;
		break;
	case OPT_CPU:
		o->session.engine = EA_ENGINE_CPU;
		break;
	case OPT_CHUNKS:
		cli_int(p, 0, 1 << 30, &o->max_chunks);
		break;
	case OPT_CTX:
		cli_int(p, 0, 1 << 30, &o->ctx);
		break;
	case OPT_THREADS:
		cli_int(p, 1, 1 << 30, &o->session.n_threads);
		break;
	case CLI_OPT_MODE:
	case CLI_OPT_DEVICE:
		cli_device_option(p, &o->device);
		break;
	}
}

static int run_perplexity(int argc, char **argv)
{
	struct ppl_options o = { .device = { .mode = EA_MODE_DIRECT } };
	struct cli_parser p;

	cli_parser_init(&p, &cli_perplexity, argc, argv, "m:f:", long_options);
	while (cli_next(&p) != -1)
		parse_option(&p, &o);
	if (p.exit_status != CLI_CONTINUE)
		return p.exit_status;
	if (!o.model || !o.text) {
		fprintf(stderr, "edgeai perplexity: -m MODEL and -f TEXT are needed\n");
		return 2;
	}
	return perplexity(&o);
}

const struct cli_command cli_perplexity = {
	.name = "perplexity",
	.summary = "perplexity of a text under a model (llama.cpp's method)",
	.usage = "-m MODEL.gguf -f TEXT [--chunks N] [--ctx N] [--cpu [--threads N]]\n"
		 "  [--mode MODE] [--device SEL]\n"
		 "  windows of the model's context (or --ctx), each from an empty cache; the\n"
		 "  second half of each window is scored. --chunks N: only the first N windows.\n"
		 "  Runs on Vulkan (--mode: direct or through the module), a window that fits\n"
		 "  one prompt run scored on the device by the score program, a longer one as\n"
		 "  a prompt and a decode step per scored token; --cpu: the CPU reference, on\n"
		 "  --threads threads (default EDGEAI_THREADS, else every online CPU).",
	.run = run_perplexity,
};

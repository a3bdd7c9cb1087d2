// SPDX-License-Identifier: MIT
/*
 * edgeai bench - prompt and decode speed of a model, and how much of the
 * device's memory bandwidth decoding uses.
 *
 * On Vulkan (direct mode) it drives the direct backend (ea_backend.h) itself:
 *  - prompt: a 512-token prompt of fixed pseudo-random ids through the
 *    prompt program (the backend's prompt: matmuls over batches of the stream's
 *    prompt_tokens and causal attention), after one warm-up run of the
 *    same prompt; its last token's logits and argmax, read back, end the
 *    timing.
 *  - generation: greedy at batch 1 with the argmax computed on the device
 *    (4 bytes read back per token), after a warm-up; the median of several
 *    runs of n tokens, each run starting again right after the prompt.
 *  - effective bandwidth: (weight bytes the step reads, every matvec's
 *    weights and one embedding row, + KV bytes read at the mean context of
 *    the runs) / time per token.
 *  - the roofline: the memory system's streaming read limit, measured with
 *    a compute shader (stream_read: every 16-byte word of a 512 MiB
 *    device-local buffer read once, timestamp queries), and its streaming
 *    read + write figure (stream_copy); roofline_fraction = effective /
 *    streaming read. A decode step mostly reads, so that is its limit.
 *  - the copy engine, beside it and labelled as such: vkCmdCopyBuffer
 *    between two 512 MiB buffers, bytes read + written per second. On some
 *    drivers it reaches far less than shaders do, so it is no roofline.
 * With --cpu the CPU reference runs the same protocol (prompt in one batch,
 * host argmax); the roofline is a host streaming read (a sum over 256 MiB)
 * and the copy figure a host memcpy, counted the same way.
 * --ctx N decodes at context N: the prompt is N tokens.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "ea_backend_direct.h"
#include "ea_device.h"
#include "ea_op_table.h"
#include "ea_session.h"
#include "ea_vk_compute.h"

#define COPY_BYTES (512ull << 20)
#define COPY_ITERS 20
#define WARMUP_TOKENS 16

struct bench_options {
	const char *model;
	bool json, cpu;
	int n_prompt, n_gen, runs;
};

struct bench_result {
	const char *device;
	double pp_tok_s, tg_tok_s;
	double roofline_gbps;		/* streaming read, a compute shader's (or the host's) */
	double stream_copy_gbps;	/* streaming read + write, likewise */
	double copy_engine_gbps;	/* vkCmdCopyBuffer (or memcpy), read + write */
	uint64_t weight_bytes, kv_bytes_per_pos;
	double ctx;		/* mean positions of context the generated tokens read */
	bool int8_matvec;	/* the int8-dot matvec kernels (Q4_0 / Q8_0 only) */
	const char *prompt_kernels;	/* the prompt matmul's (ea_exec_prompt_kernels()) */
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* The prompt: fixed pseudo-random ids, never 0 (often a control token). */
static int32_t prompt_token(int i, int n_vocab)
{
	return (int32_t)(1 + (uint32_t)(i * 2654435761u) % (uint32_t)(n_vocab - 1));
}

/* EDGEAI_PROFILE=1: each op's GPU time in one step and, where its bytes are
 * known, the GB/s it reaches and its share of the roofline. */
static void print_profile(struct ea_exec *x, double roofline_gbps)
{
	double us[EA_CS_OPCODE_COUNT] = { 0 }, matvec_us[32] = { 0 }, total = 0;
	double bytes[EA_CS_OPCODE_COUNT] = { 0 }, matvec_bytes[32] = { 0 };

	if (!ea_exec_profile(x, us, EA_CS_OPCODE_COUNT, matvec_us, 32))
		return;
	ea_exec_profile_bytes(x, bytes, EA_CS_OPCODE_COUNT, matvec_bytes, 32);
	for (int i = 0; i < EA_CS_OPCODE_COUNT; i++)
		total += us[i];
	fprintf(stderr, "profile of one step (a barrier after every op): %.1f us; GB/s of the "
		"bytes each op binds, and its share of the %.1f GB/s roofline\n", total,
		roofline_gbps);
	for (uint32_t i = 0; i < EA_CS_OPCODE_COUNT; i++) {
		double gbps = us[i] > 0 ? bytes[i] / (us[i] * 1e3) : 0;

		if (us[i] <= 0)
			continue;
		if (bytes[i] > 0)
			fprintf(stderr, "  %-12s %8.1f us %8.1f GB/s %6.3f\n", ea_op_name(i), us[i],
				gbps, roofline_gbps > 0 ? gbps / roofline_gbps : 0);
		else
			fprintf(stderr, "  %-12s %8.1f us\n", ea_op_name(i), us[i]);
	}
	for (int t = 0; t < 32; t++) {
		double gbps = matvec_us[t] > 0 ? matvec_bytes[t] / (matvec_us[t] * 1e3) : 0;

		if (matvec_us[t] > 0)
			fprintf(stderr, "  matvec %-5s %8.1f us %8.1f GB/s %6.3f\n",
				ea_type_name((enum ea_type)t), matvec_us[t], gbps,
				roofline_gbps > 0 ? gbps / roofline_gbps : 0);
	}
}

/* EDGEAI_PROFILE=1: the ops of the step's second layer one by one (the
 * step's ops: embed, n_layers layers of the same ops, the logits and their
 * argmax), so that each matvec's time shows beside the bytes it reads. */
static void print_layer_profile(struct ea_exec *x, int n_layers)
{
	const struct ea_cs_op *ops;
	uint32_t n_ops = ea_exec_program_ops(x, EA_KJOB_DECODE, &ops);
	uint32_t per_layer = n_layers > 0 && n_ops > 3 ? (n_ops - 3) / (uint32_t)n_layers : 0;
	uint32_t first = 1 + per_layer;
	double *ns = malloc((n_ops + 1) * sizeof(*ns));

	if (!ns || n_layers < 2 || !ea_exec_program_times(x, EA_KJOB_DECODE, ns, n_ops + 1)) {
		free(ns);
		return;
	}
	fprintf(stderr, "the second layer's ops:\n");
	for (uint32_t i = first; i < first + per_layer && i < n_ops; i++)
		fprintf(stderr, "  %-12s %-6s %6u x %-6u %8.1f us\n", ea_op_name(ops[i].opcode),
			ops[i].opcode == EA_CS_MATVEC ? ea_type_name((enum ea_type)ops[i].type) : "",
			ops[i].arg[0], ops[i].arg[1], (ns[i + 1] - ns[i]) * 1e-3);
	free(ns);
}

/* EDGEAI_PROFILE=1: each op's GPU time in the last prompt run. */
static void print_prompt_profile(struct ea_exec *x, int n_prompt)
{
	double us[EA_CS_OPCODE_COUNT] = { 0 }, matmul_us[32] = { 0 }, total = 0;

	if (n_prompt <= 0 || !ea_exec_profile_prompt(x, us, EA_CS_OPCODE_COUNT, matmul_us, 32))
		return;
	for (int i = 0; i < EA_CS_OPCODE_COUNT; i++)
		total += us[i];
	fprintf(stderr, "profile of the prompt program (%d tokens, a barrier after every op): "
		"%.1f us\n", n_prompt, total);
	for (uint32_t i = 0; i < EA_CS_OPCODE_COUNT; i++)
		if (us[i] > 0)
			fprintf(stderr, "  %-12s %8.1f us\n", ea_op_name(i), us[i]);
	for (int t = 0; t < 32; t++)
		if (matmul_us[t] > 0)
			fprintf(stderr, "  matmul %-5s %8.1f us\n", ea_type_name((enum ea_type)t),
				matmul_us[t]);
}

static int bench_vk(const struct bench_options *o, const struct ea_model *m,
		    struct bench_result *r)
{
	struct ea_open_options options = { .mode = EA_MODE_DIRECT };
	struct ea_device *dev = cli_open(&options);
	struct ea_backend *e = NULL;
	struct ea_exec *x = NULL;
	struct ea_error err = { 0 };
	double *runs = calloc((size_t)o->runs, sizeof(double));
	uint32_t *prompt = NULL;
	int n_vocab = m->cfg.n_vocab, rc = 1;
	double start;

	if (!dev || !runs)
		goto out;
	if (!dev->vk) {
		fprintf(stderr, "edgeai bench: %s (--cpu runs the CPU reference)\n",
			dev->vk_missing.msg);
		goto out;
	}
	r->device = dev->info.vk_name;
	if (ea_vk_copy_bandwidth(dev->vk, COPY_BYTES, COPY_ITERS, &r->copy_engine_gbps,
				 &err) != EA_OK ||
	    ea_vk_stream_bandwidth(dev->vk, COPY_BYTES, COPY_ITERS, &r->roofline_gbps,
				   &r->stream_copy_gbps, &err) != EA_OK ||
	    ea_backend_direct_new(m, dev->vk, &e, &err) != EA_OK) {
		fprintf(stderr, "edgeai bench: %s\n", err.msg);
		goto out;
	}
	x = ea_backend_direct_exec(e);
	ea_exec_traffic(x, &r->weight_bytes, &r->kv_bytes_per_pos);
	r->int8_matvec = ea_exec_int8_matvec(x);
	r->prompt_kernels = ea_exec_prompt_kernels(x);

	prompt = malloc((size_t)o->n_prompt * sizeof(*prompt));
	if (!prompt)
		goto out;
	for (int i = 0; i < o->n_prompt; i++)
		prompt[i] = (uint32_t)prompt_token(i, n_vocab);
	for (int pass = 0; pass < 2 && o->n_prompt > 0; pass++) {	/* warm-up, then timed */
		start = now_s();
		if (e->ops->prompt(e, prompt, (uint32_t)o->n_prompt, 0) != EA_OK)
			goto fail;
		r->pp_tok_s = o->n_prompt / (now_s() - start);
	}

	for (int i = 0; i < WARMUP_TOKENS; i++)
		if (e->ops->step(e, e->ops->argmax(e), (uint32_t)(o->n_prompt + i)) != EA_OK)
			goto fail;
	for (int run = 0; run < o->runs; run++) {
		uint32_t token = (uint32_t)prompt_token(o->n_prompt, n_vocab);

		start = now_s();
		for (int i = 0; i < o->n_gen; i++) {
			if (e->ops->step(e, token, (uint32_t)(o->n_prompt + i)) != EA_OK)
				goto fail;
			token = e->ops->argmax(e);
		}
		runs[run] = o->n_gen / (now_s() - start);
	}
	r->tg_tok_s = median(runs, o->runs);
	r->ctx = o->n_prompt + (o->n_gen + 1) / 2.0;
	print_profile(x, r->roofline_gbps);
	print_layer_profile(x, m->cfg.n_layers);
	print_prompt_profile(x, o->n_prompt);
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "edgeai bench: %s\n", e->error.msg);
out:
	ea_backend_free(e);
	ea_close(dev);
	free(runs);
	free(prompt);
	return rc;
}

static int32_t host_argmax(const float *v, int n)
{
	int32_t best = 0;

	for (int i = 1; i < n; i++)
		if (v[i] > v[best])
			best = i;
	return best;
}

/* A host streaming read of 256 MiB, four times: bytes read per second. */
static double host_read_gbps(void)
{
	size_t words = (256u << 20) / sizeof(uint64_t);
	uint64_t *a = malloc(words * sizeof(*a)), sum = 0;
	double start, s;

	if (!a)
		return 0;
	memset(a, 1, words * sizeof(*a));
	start = now_s();
	for (int pass = 0; pass < 4; pass++)
		for (size_t i = 0; i < words; i++)
			sum += a[i];
	s = now_s() - start;
	if (*(volatile uint64_t *)&sum == 1)	/* keeps the loads */
		s = 0;
	free(a);
	return s > 0 ? (double)words * sizeof(uint64_t) * 4 / s * 1e-9 : 0;
}

static double host_copy_gbps(void)
{
	size_t bytes = 256u << 20;
	char *a = malloc(bytes), *b = malloc(bytes);
	double start, s;

	if (!a || !b) {
		free(a);
		free(b);
		return 0;
	}
	memset(a, 1, bytes);
	memcpy(b, a, bytes);
	start = now_s();
	for (int i = 0; i < 4; i++)
		memcpy(b, a, bytes);
	s = now_s() - start;
	if (((volatile char *)b)[bytes / 2] != 1)	/* keeps the copies */
		s = 0;
	free(a);
	free(b);
	return s > 0 ? 2.0 * (double)bytes * 4 / s * 1e-9 : 0;
}

static int bench_cpu(const struct bench_options *o, const struct ea_model *m,
		     struct bench_result *r)
{
	const struct ea_model_config *c = &m->cfg;
	int32_t *prompt = malloc((size_t)o->n_prompt * sizeof(*prompt));
	float *logits = malloc((size_t)c->n_vocab * sizeof(float));
	double *runs = calloc((size_t)o->runs, sizeof(double));
	struct ea_session *s = NULL;
	struct ea_backend *e = NULL;
	struct ea_error err = { { 0 } };
	double start;
	int rc = 1;

	if (!prompt || !logits || !runs)
		goto out;
	if (ea_backend_ref_new(m, 0, &e, &err) != EA_OK ||
	    ea_session_of_backend(m, e, &s, &err) != EA_OK) {
		fprintf(stderr, "edgeai bench: %s\n", err.msg);
		goto out;
	}
	r->device = "CPU reference";
	r->copy_engine_gbps = r->stream_copy_gbps = host_copy_gbps();
	r->roofline_gbps = host_read_gbps();
	for (const struct ea_layer *l = m->layers; l < m->layers + c->n_layers; l++) {
		uint64_t qd = (uint64_t)c->n_heads * c->head_dim, kvd = (uint64_t)c->n_kv_heads * c->head_dim;
		const struct { const struct ea_weight *w; uint64_t rows, cols; } w[] = {
			{ &l->wq, qd, c->dim }, { &l->wk, kvd, c->dim }, { &l->wv, kvd, c->dim },
			{ &l->wo, c->dim, qd }, { &l->w_gate, c->ffn_dim, c->dim },
			{ &l->w_up, c->ffn_dim, c->dim }, { &l->w_down, c->dim, c->ffn_dim },
		};

		for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++)
			r->weight_bytes += w[i].rows * ea_type_row_bytes(w[i].w->type, w[i].cols);
		r->kv_bytes_per_pos += 2 * kvd * sizeof(float);
	}
	r->weight_bytes += (uint64_t)c->n_vocab * ea_type_row_bytes(m->output.type, c->dim) +
			   ea_type_row_bytes(m->token_embd.type, c->dim);
	for (int i = 0; i < o->n_prompt; i++)
		prompt[i] = prompt_token(i, c->n_vocab);
	start = now_s();
	if (ea_session_eval(s, prompt, o->n_prompt, 0, logits) != EA_OK)
		goto fail;
	r->pp_tok_s = o->n_prompt / (now_s() - start);
	for (int run = 0; run < o->runs; run++) {
		int32_t token = prompt_token(o->n_prompt, c->n_vocab);

		start = now_s();
		for (int i = 0; i < o->n_gen; i++) {
			if (ea_session_eval(s, &token, 1, o->n_prompt + i, logits) != EA_OK)
				goto fail;
			token = host_argmax(logits, c->n_vocab);
		}
		runs[run] = o->n_gen / (now_s() - start);
	}
	r->tg_tok_s = median(runs, o->runs);
	r->ctx = o->n_prompt + (o->n_gen + 1) / 2.0;
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "edgeai bench: %s\n", ea_session_error(s));
out:
	ea_session_close(s);
	free(runs);
	free(logits);
	free(prompt);
	return rc;
}

/* @s as a JSON string body (the names here are plain, but be safe). */
static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

static int bench(const struct bench_options *opts)
{
	struct bench_options o = *opts;
	struct bench_result r = { 0 };
	struct ea_model *m = NULL;
	const char *type, *matvec;
	double ms, bytes, gbps, fraction;
	struct ea_error why;
	int rc;

	if (ea_model_open(o.model, NULL, NULL, &m, why.msg, sizeof(why.msg)) != EA_OK) {
		fprintf(stderr, "edgeai bench: %s\n", why.msg);
		return 1;
	}
	if (o.n_prompt + WARMUP_TOKENS + o.n_gen > m->cfg.n_ctx) {
		o.n_prompt = m->cfg.n_ctx - WARMUP_TOKENS - o.n_gen;
		if (o.n_prompt < 1) {
			fprintf(stderr, "edgeai bench: the model's context of %d tokens is too "
				"short for %d generated tokens\n", m->cfg.n_ctx, o.n_gen);
			ea_model_free(m);
			return 2;
		}
		fprintf(stderr, "edgeai bench: prompt cut to %d tokens (context %d)\n",
			o.n_prompt, m->cfg.n_ctx);
	}
	type = ea_type_name(m->layers[0].wq.type);
	rc = o.cpu ? bench_cpu(&o, m, &r) : bench_vk(&o, m, &r);
	matvec = o.cpu ? "cpu" : r.int8_matvec && (m->layers[0].wq.type == EA_TYPE_Q4_0 ||
						   m->layers[0].wq.type == EA_TYPE_Q8_0) ?
		 "int8" : "float";
	if (rc == 0) {
		ms = 1000.0 / r.tg_tok_s;
		bytes = (double)r.weight_bytes + (double)r.kv_bytes_per_pos * r.ctx;
		gbps = bytes * r.tg_tok_s * 1e-9;
		fraction = r.roofline_gbps > 0 ? gbps / r.roofline_gbps : 0;
		if (o.json) {
			printf("{\"bench\":\"engine\",\"device\":");
			json_string(r.device);
			printf(",\"model\":");
			json_string(base_name(o.model));
			printf(",\"type\":\"%s\",\"pp_tokens\":%d,\"pp_tok_s\":%.1f,\"ctx\":%.0f,"
			       "\"tg_tok_s\":%.1f,\"ms_per_token\":%.3f,\"decode_gbps\":%.1f,"
			       "\"roofline_gbps\":%.1f,\"roofline_fraction\":%.3f,"
			       "\"stream_copy_gbps\":%.1f,\"copy_engine_gbps\":%.1f,"
			       "\"kernels\":{\"matvec\":\"%s\",\"prompt\":\"%s\"}}\n",
			       type, o.n_prompt, r.pp_tok_s, r.ctx, r.tg_tok_s, ms, gbps,
			       r.roofline_gbps, fraction, r.stream_copy_gbps, r.copy_engine_gbps,
			       matvec, o.cpu ? "cpu" : r.prompt_kernels ? r.prompt_kernels : "matmul");
		} else {
			printf("device:        %s\n", r.device);
			printf("model:         %s (%s, %d layers, dim %d, vocab %d)\n",
			       base_name(o.model), type, m->cfg.n_layers, m->cfg.dim,
			       m->cfg.n_vocab);
			printf("prompt:        %d tokens, %.1f tok/s%s\n", o.n_prompt, r.pp_tok_s,
			       o.cpu ? "" : " (the prompt program)");
			printf("matvec:        %s\n", matvec);
			printf("generation:    %d tokens x %d runs, median %.1f tok/s, "
			       "%.3f ms/token\n", o.n_gen, o.runs, r.tg_tok_s, ms);
			printf("read a token:  %.1f MB weights + %.1f MB KV (context %.0f)\n",
			       r.weight_bytes * 1e-6, r.kv_bytes_per_pos * r.ctx * 1e-6, r.ctx);
			printf("bandwidth:     %.1f GB/s at decode, %.3f of the roofline\n", gbps,
			       fraction);
			printf("roofline:      %.1f GB/s streaming read (%s), %.1f GB/s read + write\n",
			       r.roofline_gbps, o.cpu ? "host" : "compute shader",
			       r.stream_copy_gbps);
			printf("copy engine:   %.1f GB/s read + write (%s; not a roofline)\n",
			       r.copy_engine_gbps, o.cpu ? "memcpy" : "vkCmdCopyBuffer");
		}
	}
	ea_model_free(m);
	return rc;
}

enum { OPT_JSON = CLI_OPT_OWN, OPT_CPU, OPT_RUNS, OPT_CTX };

static const struct option long_options[] = {
	{ "model", required_argument, NULL, 'm' },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "cpu", no_argument, NULL, OPT_CPU },
	{ "runs", required_argument, NULL, OPT_RUNS },
	{ "ctx", required_argument, NULL, OPT_CTX },
	CLI_OPTIONS_END
};

static void parse_option(struct cli_parser *p, struct bench_options *o)
{
	switch (p->option) {
	case 'm':
		o->model = optarg;
		break;
	case 'p':
	case OPT_CTX:	/* decoding at context N is decoding after N prompt tokens */
		cli_int(p, 1, 1 << 20, &o->n_prompt);
		break;
	case 'n':
		cli_int(p, 1, 1 << 20, &o->n_gen);
		break;
	case OPT_JSON:
		o->json = true;
		break;
	case OPT_CPU:
		o->cpu = true;
		break;
	case OPT_RUNS:
		cli_int(p, 1, 1 << 20, &o->runs);
		break;
	}
}

static int run_bench(int argc, char **argv)
{
	struct bench_options o = { .n_prompt = 512, .n_gen = 128, .runs = 5 };
	struct cli_parser p;

	cli_parser_init(&p, &cli_bench, argc, argv, "m:p:n:", long_options);
	while (cli_next(&p) != -1)
		parse_option(&p, &o);
	if (p.exit_status != CLI_CONTINUE)
		return p.exit_status;
	if (!o.model) {
		fprintf(stderr, "edgeai bench: -m MODEL is needed\n");
		return 2;
	}
	return bench(&o);
}

const struct cli_command cli_bench = {
	.name = "bench",
	.summary = "prompt and decode tok/s, and decode bandwidth vs the memory system's roofline",
	.usage = "-m MODEL.gguf [--json] [--cpu] [-p PROMPT_TOKENS | --ctx N] [-n TOKENS] [--runs N]\n"
		 "  A prompt of 512 tokens (-p; --ctx N: decode at context N, after an N-token\n"
		 "  prompt), then greedy generation of 128 tokens (-n), median of 5 runs\n"
		 "  (--runs), on Vulkan (direct mode) or the CPU reference (--cpu). The\n"
		 "  roofline is the streaming read a compute shader reaches (the host's with\n"
		 "  --cpu); the copy engine's figure (read + write) is printed beside it.\n"
		 "  --json: one line. EDGEAI_PROFILE=1: GPU time per op of one step, on stderr.",
	.run = run_bench,
};

// SPDX-License-Identifier: MIT
/*
 * edgeai prof - one generation on Vulkan (direct mode), recorded: the
 * library's phases (tokenize, prompt, each step, detokenize) on the host's
 * clock and every op of every decode step on the GPU's (timestamp queries,
 * EDGEAI_PROFILE), written as one Chrome trace-event / Perfetto JSON file
 * (ui.perfetto.dev opens it), and a summary: time per op, its share, and the
 * GB/s of the bytes it binds against the compute-shader roofline.
 *
 * The GPU's events of a step are placed inside that step's host span: the
 * first op starts when the step's submit did (the GPU clock has another
 * origin); their order and durations are the GPU's own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "ea_backend_direct.h"
#include "ea_clock.h"
#include "ea_device.h"
#include "ea_exec.h"
#include "ea_op_table.h"
#include "ea_session.h"
#include "ea_tokenizer.h"
#include "ea_vk_compute.h"
#include "prof_cmd.h"
#include "prof_trace.h"

#define PID 1
#define HOST_TID 1
#define GPU_TID 2

struct prof_options {
	const char *model, *prompt, *out;
	int n_tokens;
};

/* One step's GPU ops from @start_ms; their time added to @op_us by opcode. */
static void gpu_events(struct prof_trace *t, struct ea_exec *x, double start_ms, double *op_us)
{
	const struct ea_cs_op *ops;
	uint32_t n = ea_exec_step_ops(x, &ops);
	double *ns = malloc((n + 1) * sizeof(*ns));

	if (ns && ea_exec_step_times(x, ns, n + 1))
		for (uint32_t i = 0; i < n; i++) {
			double dur_ms = (ns[i + 1] - ns[i]) * 1e-6;

			prof_trace_span(t, ea_op_name(ops[i].opcode), "gpu", PID, GPU_TID,
					start_ms + ns[i] * 1e-6, dur_ms, NULL);
			if (ops[i].opcode < EA_CS_OPCODE_COUNT)
				op_us[ops[i].opcode] += dur_ms * 1e3;
		}
	free(ns);
}

static void summary(struct ea_exec *x, const double *op_us, int steps, double roofline_gbps)
{
	double bytes[EA_CS_OPCODE_COUNT] = { 0 }, matvec_bytes[32] = { 0 }, total = 0;

	ea_exec_profile_bytes(x, bytes, EA_CS_OPCODE_COUNT, matvec_bytes, 32);
	for (int i = 0; i < EA_CS_OPCODE_COUNT; i++)
		total += op_us[i];
	printf("%d decode steps, %.1f us of GPU time a step; roofline %.1f GB/s (streaming read)\n",
	       steps, steps ? total / steps : 0, roofline_gbps);
	printf("%-12s %12s %7s %10s %9s\n", "op", "us a step", "share", "GB/s", "roofline");
	for (uint32_t i = 0; i < EA_CS_OPCODE_COUNT; i++) {
		double us = steps ? op_us[i] / steps : 0, gbps = us > 0 ? bytes[i] / (us * 1e3) : 0;

		if (op_us[i] <= 0)
			continue;
		if (bytes[i] > 0)
			printf("%-12s %12.1f %6.1f%% %10.2f %9.3f\n", ea_op_name(i), us,
			       100 * op_us[i] / total, gbps,
			       roofline_gbps > 0 ? gbps / roofline_gbps : 0);
		else
			printf("%-12s %12.1f %6.1f%% %10s %9s\n", ea_op_name(i), us,
			       100 * op_us[i] / total, "-", "-");
	}
}

/* A host phase from @start_ms to now. */
static void phase(struct prof_trace *t, const char *name, double start_ms)
{
	prof_trace_span(t, name, "phase", PID, HOST_TID, start_ms, ea_now_ms() - start_ms, NULL);
}

static int prof(const struct prof_options *o)
{
	struct ea_open_options options = { .mode = EA_MODE_DIRECT };
	struct prof_trace t;
	double op_us[EA_CS_OPCODE_COUNT] = { 0 }, read_gbps = 0, copy_gbps = 0, a;
	struct ea_model *m = NULL;
	struct ea_device *dev = NULL;
	struct ea_backend *e = NULL;
	struct ea_error err = { { 0 } };
	uint32_t *ids = NULL, token;
	size_t n = 0;
	int rc = 1, steps = 0;
	char why[512];

	setenv("EDGEAI_PROFILE", "1", 1);	/* before the executor is made */
	prof_trace_init(&t, ea_now_ms());
	prof_trace_name(&t, "thread_name", PID, HOST_TID, "libedgeai (host)");
	prof_trace_name(&t, "thread_name", PID, GPU_TID, "GPU ops (Vulkan timestamps)");
	a = ea_now_ms();
	if (ea_model_open(o->model, NULL, NULL, &m, why, sizeof(why)) != EA_OK) {
		fprintf(stderr, "edgeai prof: %s\n", why);
		goto out;
	}
	phase(&t, "open the model", a);
	dev = cli_open(&options);
	if (!dev || !dev->vk) {
		fprintf(stderr, "edgeai prof: no Vulkan device (%s)\n",
			dev ? dev->vk_missing.msg : "open failed");
		goto out;
	}
	a = ea_now_ms();
	if (ea_vk_stream_bandwidth(dev->vk, 64ull << 20, 4, &read_gbps, &copy_gbps, &err) !=
	    EA_OK || ea_backend_direct_new(m, dev->vk, &e, &err) != EA_OK) {
		fprintf(stderr, "edgeai prof: %s\n", err.msg);
		goto out;
	}
	phase(&t, "roofline and upload", a);
	a = ea_now_ms();
	if (ea_tokenize(m, o->prompt, strlen(o->prompt), 0, NULL, 0, &n) != EA_OK || !n ||
	    !(ids = malloc(n * sizeof(*ids))) ||
	    ea_tokenize(m, o->prompt, strlen(o->prompt), 0, (int32_t *)ids, n, &n) != EA_OK ||
	    n + (size_t)o->n_tokens > (size_t)m->cfg.n_ctx) {
		fprintf(stderr, "edgeai prof: the prompt does not tokenize into the context\n");
		goto out;
	}
	phase(&t, "tokenize", a);
	a = ea_now_ms();
	if (e->ops->prompt(e, ids, (uint32_t)n, 0) != EA_OK)
		goto failed;
	token = e->ops->argmax(e);
	phase(&t, "prompt", a);
	for (int i = 0; i < o->n_tokens; i++, steps++) {
		char name[32];

		a = ea_now_ms();
		if (e->ops->step(e, token, (uint32_t)(n + (size_t)i)) != EA_OK)
			goto failed;
		token = e->ops->argmax(e);
		snprintf(name, sizeof(name), "step %d", i);
		prof_trace_span(&t, name, "step", PID, HOST_TID, a, ea_now_ms() - a, NULL);
		gpu_events(&t, ea_backend_direct_exec(e), a, op_us);
	}
	if (!prof_trace_write(&t, o->out)) {
		fprintf(stderr, "edgeai prof: %s: cannot write it\n", o->out);
		goto out;
	}
	printf("trace: %s (ui.perfetto.dev or chrome://tracing opens it)\n", o->out);
	summary(ea_backend_direct_exec(e), op_us, steps, read_gbps);
	rc = 0;
	goto out;
failed:
	fprintf(stderr, "edgeai prof: %s\n", e->error.msg);
out:
	prof_trace_free(&t);
	free(ids);
	ea_backend_free(e);
	ea_close(dev);
	ea_model_close(m);
	return rc;
}

enum { OPT_KERNEL = CLI_OPT_OWN, OPT_NO_KERNEL };

static const struct option long_options[] = {
	{ "model", required_argument, NULL, 'm' },
	{ "prompt", required_argument, NULL, 'p' },
	{ "output", required_argument, NULL, 'o' },
	{ "kernel", no_argument, NULL, OPT_KERNEL },
	{ "no-kernel", no_argument, NULL, OPT_NO_KERNEL },
	CLI_OPTIONS_END
};

static int run_prof(int argc, char **argv)
{
	struct prof_options o = { .prompt = "Package: vim\nDescription:", .n_tokens = 16 };
	enum prof_kernel_mode kernel = PROF_KERNEL_AUTO;
	bool generation = false, kernel_set = false;
	struct cli_parser p;

	cli_parser_init(&p, &cli_prof, argc, argv, "m:p:n:o:", long_options);
	cli_parser_take_command(&p);
	while (cli_next(&p) != -1) {
		switch (p.option) {
		case 'm':
			o.model = optarg;
			break;
		case 'p':
			o.prompt = optarg;
			break;
		case 'o':
			o.out = optarg;
			break;
		case 'n':
			cli_int(&p, 1, 4096, &o.n_tokens);
			break;
		case OPT_KERNEL:
		case OPT_NO_KERNEL:
			kernel = p.option == OPT_KERNEL ? PROF_KERNEL_REQUIRED : PROF_KERNEL_OFF;
			kernel_set = true;
			break;
		}
		generation |= p.option == 'm' || p.option == 'p' || p.option == 'n';
	}
	if (p.exit_status != CLI_CONTINUE)
		return p.exit_status;
	if (!o.out) {
		fprintf(stderr, "edgeai prof: -o TRACE.json is needed\n");
		return CLI_EXIT_USAGE;
	}
	if (p.command && generation) {
		fprintf(stderr, "edgeai prof: -m, -p and -n are for a generation of prof's own; "
			"with -- CMD, CMD's options say what it runs\n");
		return CLI_EXIT_USAGE;
	}
	if (p.command)
		return prof_cmd(p.command, o.out, kernel);
	if (!o.model) {
		fprintf(stderr, "edgeai prof: -m MODEL (a generation of prof's own) or -- CMD "
			"(a program that links libedgeai) is needed\n");
		return CLI_EXIT_USAGE;
	}
	if (kernel_set) {
		fprintf(stderr, "edgeai prof: --kernel and --no-kernel are for -- CMD: -m runs in "
			"direct mode, without the module\n");
		return CLI_EXIT_USAGE;
	}
	return prof(&o);
}

const struct cli_command cli_prof = {
	.name = "prof",
	.summary = "record a run as a Perfetto trace: library phases, GPU ops, kernel events",
	.usage = "-o TRACE.json -m MODEL.gguf [-p PROMPT] [-n TOKENS]\n"
		 "  | -o TRACE.json [--kernel | --no-kernel] -- CMD [ARG...]\n"
		 "  Writes one Chrome trace-event JSON file (ui.perfetto.dev opens it).\n"
		 "  -m: runs the prompt and -n (16) greedy decode steps on Vulkan (direct\n"
		 "  mode) with a GPU timestamp after every op: the phases on a host thread,\n"
		 "  each step's ops on a GPU thread. Prints time per op a step, its share,\n"
		 "  and the GB/s of the bytes it binds against the compute-shader roofline.\n"
		 "  -- CMD: runs any program that links libedgeai with EDGEAI_TRACE set\n"
		 "  (and EDGEAI_PROFILE=1 unless set), and merges what each of its processes\n"
		 "  recorded (requests, tokenize, prompt, every sample and step, kmod jobs,\n"
		 "  routing decisions, cloud requests; direct mode's GPU ops) with the\n"
		 "  module's tracepoint events of those jobs and decisions (submit, schedule,\n"
		 "  fetch, done; route), all on CLOCK_MONOTONIC. Kernel events need root and\n"
		 "  the module: by default recorded when they can be (a note says why not);\n"
		 "  --kernel: fail without them; --no-kernel: leave them out. Prints the\n"
		 "  time of each kind of span; exits with CMD's status.",
	.run = run_prof,
};

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
#include <json-c/json.h>
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

#define HOST_TID 1
#define GPU_TID 2

struct prof_options {
	const char *model, *prompt, *out;
	int n_tokens;
};

struct trace {
	json_object *events;
	double origin_ms;
};

static void event(struct trace *t, const char *name, const char *cat, int tid, double start_ms,
		  double dur_ms)
{
	json_object *e = json_object_new_object();

	json_object_object_add(e, "name", json_object_new_string(name));
	json_object_object_add(e, "cat", json_object_new_string(cat));
	json_object_object_add(e, "ph", json_object_new_string("X"));
	json_object_object_add(e, "ts", json_object_new_double((start_ms - t->origin_ms) * 1e3));
	json_object_object_add(e, "dur", json_object_new_double(dur_ms > 0 ? dur_ms * 1e3 : 0));
	json_object_object_add(e, "pid", json_object_new_int(1));
	json_object_object_add(e, "tid", json_object_new_int(tid));
	json_object_array_add(t->events, e);
}

static void thread_name(struct trace *t, int tid, const char *name)
{
	json_object *e = json_object_new_object(), *args = json_object_new_object();

	json_object_object_add(args, "name", json_object_new_string(name));
	json_object_object_add(e, "name", json_object_new_string("thread_name"));
	json_object_object_add(e, "ph", json_object_new_string("M"));
	json_object_object_add(e, "pid", json_object_new_int(1));
	json_object_object_add(e, "tid", json_object_new_int(tid));
	json_object_object_add(e, "args", args);
	json_object_array_add(t->events, e);
}

/* One step's GPU ops from @start_ms; their time added to @op_us by opcode. */
static void gpu_events(struct trace *t, struct ea_exec *x, double start_ms, double *op_us)
{
	const struct ea_cs_op *ops;
	uint32_t n = ea_exec_step_ops(x, &ops);
	double *ns = malloc((n + 1) * sizeof(*ns));

	if (ns && ea_exec_step_times(x, ns, n + 1))
		for (uint32_t i = 0; i < n; i++) {
			double dur_ms = (ns[i + 1] - ns[i]) * 1e-6;

			event(t, ea_op_name(ops[i].opcode), "gpu", GPU_TID, start_ms + ns[i] * 1e-6,
			      dur_ms);
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

static int prof(const struct prof_options *o)
{
	struct ea_open_options options = { .mode = EA_MODE_DIRECT };
	struct trace t = { json_object_new_array(), ea_now_ms() };
	double op_us[EA_CS_OPCODE_COUNT] = { 0 }, read_gbps = 0, copy_gbps = 0, a;
	struct ea_model *m = NULL;
	struct ea_device *dev = NULL;
	struct ea_backend *e = NULL;
	struct ea_error err = { { 0 } };
	uint32_t *ids = NULL, token;
	size_t n = 0;
	int rc = 1, steps = 0;
	json_object *root;
	char why[512];

	setenv("EDGEAI_PROFILE", "1", 1);	/* before the executor is made */
	thread_name(&t, HOST_TID, "libedgeai (host)");
	thread_name(&t, GPU_TID, "GPU ops (Vulkan timestamps)");
	a = ea_now_ms();
	if (ea_model_open(o->model, NULL, NULL, &m, why, sizeof(why)) != EA_OK) {
		fprintf(stderr, "edgeai prof: %s\n", why);
		goto out;
	}
	event(&t, "open the model", "phase", HOST_TID, a, ea_now_ms() - a);
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
	event(&t, "roofline and upload", "phase", HOST_TID, a, ea_now_ms() - a);
	a = ea_now_ms();
	if (ea_tokenize(m, o->prompt, strlen(o->prompt), 0, NULL, 0, &n) != EA_OK || !n ||
	    !(ids = malloc(n * sizeof(*ids))) ||
	    ea_tokenize(m, o->prompt, strlen(o->prompt), 0, (int32_t *)ids, n, &n) != EA_OK ||
	    n + (size_t)o->n_tokens > (size_t)m->cfg.n_ctx) {
		fprintf(stderr, "edgeai prof: the prompt does not tokenize into the context\n");
		goto out;
	}
	event(&t, "tokenize", "phase", HOST_TID, a, ea_now_ms() - a);
	a = ea_now_ms();
	if (e->ops->prompt(e, ids, (uint32_t)n, 0) != EA_OK)
		goto failed;
	token = e->ops->argmax(e);
	event(&t, "prompt", "phase", HOST_TID, a, ea_now_ms() - a);
	for (int i = 0; i < o->n_tokens; i++, steps++) {
		char name[32];

		a = ea_now_ms();
		if (e->ops->step(e, token, (uint32_t)(n + (size_t)i)) != EA_OK)
			goto failed;
		token = e->ops->argmax(e);
		snprintf(name, sizeof(name), "step %d", i);
		event(&t, name, "step", HOST_TID, a, ea_now_ms() - a);
		gpu_events(&t, ea_backend_direct_exec(e), a, op_us);
	}
	root = json_object_new_object();
	json_object_object_add(root, "traceEvents", t.events);
	json_object_object_add(root, "displayTimeUnit", json_object_new_string("ms"));
	t.events = NULL;
	if (json_object_to_file_ext(o->out, root, JSON_C_TO_STRING_PLAIN) != 0) {
		fprintf(stderr, "edgeai prof: %s: cannot write it\n", o->out);
		json_object_put(root);
		goto out;
	}
	json_object_put(root);
	printf("trace: %s (ui.perfetto.dev or chrome://tracing opens it)\n", o->out);
	summary(ea_backend_direct_exec(e), op_us, steps, read_gbps);
	rc = 0;
	goto out;
failed:
	fprintf(stderr, "edgeai prof: %s\n", e->error.msg);
out:
	json_object_put(t.events);
	free(ids);
	ea_backend_free(e);
	ea_close(dev);
	ea_model_close(m);
	return rc;
}

enum { OPT_OUT = CLI_OPT_OWN };

static const struct option long_options[] = {
	{ "model", required_argument, NULL, 'm' },
	{ "prompt", required_argument, NULL, 'p' },
	{ "output", required_argument, NULL, 'o' },
	CLI_OPTIONS_END
};

static int run_prof(int argc, char **argv)
{
	struct prof_options o = { .prompt = "Package: vim\nDescription:", .n_tokens = 16 };
	struct cli_parser p;

	cli_parser_init(&p, &cli_prof, argc, argv, "m:p:n:o:", long_options);
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
		}
	}
	if (p.exit_status != CLI_CONTINUE)
		return p.exit_status;
	if (!o.model || !o.out) {
		fprintf(stderr, "edgeai prof: -m MODEL and -o TRACE.json are needed\n");
		return 2;
	}
	return prof(&o);
}

const struct cli_command cli_prof = {
	.name = "prof",
	.summary = "record one generation as a Perfetto trace: host phases and every GPU op",
	.usage = "-o TRACE.json -m MODEL.gguf [-p PROMPT] [-n TOKENS]\n"
		 "  Runs the prompt and -n (16) greedy decode steps on Vulkan (direct mode)\n"
		 "  with a GPU timestamp after every op, and writes one Chrome trace-event\n"
		 "  JSON file (ui.perfetto.dev opens it): the library's phases on the host\n"
		 "  thread, each step's ops on the GPU thread. Prints time per op a step, its\n"
		 "  share, and the GB/s of the bytes it binds against the compute-shader\n"
		 "  roofline. Not yet: other programs (prof -- CMD), kmod mode's kernel\n"
		 "  tracepoints in the same file.",
	.run = run_prof,
};

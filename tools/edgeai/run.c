// SPDX-License-Identifier: MIT
/*
 * edgeai run - generate text from a prompt, streaming it as it comes, and end
 * with the prompt and generation speeds. The model runs on an engine: the CPU
 * reference (--cpu) for now; the Vulkan engine plugs into the same interface.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "ea_ref_forward.h"
#include "ea_sample.h"
#include "ea_tokenizer.h"

#define MAX_STOPS 8
#define DEFAULT_TOKENS 128

struct run_options {
	const char *model;
	const char *prompt;
	int n_predict;
	bool cpu;
	struct ea_sample_params sample;
	const char *stop[MAX_STOPS];
	int n_stop;
};

/* What runs the model: tokens in at positions, the last token's logits out. */
struct engine {
	const char *name;
	/* Run @n tokens at positions pos0 .. pos0 + n - 1; the logits of the last
	 * one (n_vocab values) into @logits. */
	ea_status (*eval)(struct engine *e, const int32_t *tokens, int n, int pos0, float *logits);
	const char *(*error)(const struct engine *e);	/* why eval failed */
	void (*destroy)(struct engine *e);
};

struct cpu_engine {
	struct engine base;
	const struct ea_model *model;
	struct ea_ref_state *state;
};

/* Prompt tokens per step of the CPU reference: enough to share each weight row. */
#define CPU_BATCH 64

static ea_status cpu_eval(struct engine *e, const int32_t *tokens, int n, int pos0,
			  float *logits)
{
	struct cpu_engine *cpu = (struct cpu_engine *)e;

	return ea_ref_forward_batch(cpu->model, cpu->state, tokens, n, pos0, logits, 1);
}

static const char *cpu_error(const struct engine *e)
{
	return ((const struct cpu_engine *)e)->state->error.msg;
}

static void cpu_destroy(struct engine *e)
{
	struct cpu_engine *cpu = (struct cpu_engine *)e;

	ea_ref_state_free(cpu->state);
	free(cpu);
}

static struct engine *cpu_engine_new(const struct ea_model *m)
{
	struct cpu_engine *cpu = calloc(1, sizeof(*cpu));
	char why[256];

	if (!cpu || ea_ref_state_new(m, CPU_BATCH, &cpu->state, why, sizeof(why)) != EA_OK) {
		fprintf(stderr, "edgeai run: %s\n", cpu ? why : "out of memory");
		free(cpu);
		return NULL;
	}
	cpu->base = (struct engine){ .name = "CPU reference", .eval = cpu_eval,
				     .error = cpu_error, .destroy = cpu_destroy };
	cpu->model = m;
	return &cpu->base;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The generated text so far and how much of it has been printed. */
struct output {
	char *text;
	size_t len, cap, shown;
};

static bool output_append(struct output *o, const char *bytes, size_t n)
{
	if (o->len + n + 1 > o->cap) {
		size_t cap = (o->len + n + 1) * 2;
		char *text = realloc(o->text, cap);

		if (!text)
			return false;
		o->text = text;
		o->cap = cap;
	}
	memcpy(o->text + o->len, bytes, n);
	o->len += n;
	o->text[o->len] = '\0';
	return true;
}

/* Print what became showable since last time. */
static void output_show(struct output *o, size_t show)
{
	if (show > o->shown) {
		fwrite(o->text + o->shown, 1, show - o->shown, stdout);
		fflush(stdout);
		o->shown = show;
	}
}

struct timing {
	int n_prompt, n_generated;
	double prompt_s, generate_s;
};

/* Generate after @prompt (n_prompt tokens), streaming to stdout. */
static int generate(struct engine *e, const struct ea_model *m, const struct ea_tokenizer *tok,
		    const struct run_options *o, const int32_t *prompt, int n_prompt,
		    struct timing *timing)
{
	struct ea_stop_rules rules = { .max_tokens = o->n_predict,
				       .eos_token = ea_tokenizer_eos(tok),
				       .stop = o->stop, .n_stop = o->n_stop };
	float *logits = malloc((size_t)m->cfg.n_vocab * sizeof(float));
	struct output out = { 0 };
	struct ea_sampler sampler;
	enum ea_stop_reason reason = EA_STOP_NONE;
	char why[256];
	double start;
	int rc = 1;

	if (ea_sampler_init(&sampler, &o->sample, m->cfg.n_vocab, why, sizeof(why)) != EA_OK) {
		fprintf(stderr, "edgeai run: %s\n", why);
		free(logits);
		return 2;
	}
	start = now_s();
	if (!logits || e->eval(e, prompt, n_prompt, 0, logits) != EA_OK) {
		fprintf(stderr, "edgeai run: %s\n", logits ? e->error(e) : "out of memory");
		goto out;
	}
	timing->prompt_s = now_s() - start;

	start = now_s();
	for (int pos = n_prompt; reason == EA_STOP_NONE; pos++) {
		int32_t token = ea_sampler_next(&sampler, logits);
		const char *bytes = "";
		size_t n_bytes = 0, show;

		timing->n_generated++;
		if (!ea_tokenizer_is_control(tok, token))
			ea_tokenizer_decode(tok, token, &bytes, &n_bytes);
		if (!output_append(&out, bytes, n_bytes)) {
			fprintf(stderr, "edgeai run: out of memory\n");
			goto out;
		}
		reason = ea_stop_check(&rules, timing->n_generated, token, out.text, out.len, &show);
		output_show(&out, show);
		if (reason == EA_STOP_NONE && e->eval(e, &token, 1, pos, logits) != EA_OK) {
			fprintf(stderr, "\nedgeai run: %s\n", e->error(e));
			goto out;
		}
	}
	timing->generate_s = now_s() - start;
	rc = 0;
out:
	ea_sampler_free(&sampler);
	free(out.text);
	free(logits);
	return rc;
}

static int run(const struct run_options *o)
{
	struct ea_model *m = NULL;
	struct ea_tokenizer *tok = NULL;
	struct engine *e = NULL;
	struct timing timing = { 0 };
	int32_t *prompt = NULL;
	size_t n_prompt = 0;
	char why[1024];
	int rc = 1;

	if (!o->cpu)
		fprintf(stderr, "edgeai run: the Vulkan engine is not there yet; running the CPU "
				"reference (--cpu)\n");
	if (ea_model_load(o->model, &m, why, sizeof(why)) != EA_OK ||
	    ea_tokenizer_load(m->gguf, &tok, why, sizeof(why)) != EA_OK) {
		fprintf(stderr, "edgeai run: %s\n", why);
		goto out;
	}
	if (ea_tokenizer_encode(tok, o->prompt, strlen(o->prompt),
				ea_tokenizer_adds_bos(tok) ? EA_TOKENIZE_ADD_BOS : 0, &prompt,
				&n_prompt) != EA_OK) {
		fprintf(stderr, "edgeai run: out of memory\n");
		goto out;
	}
	if (n_prompt == 0 || n_prompt + (size_t)o->n_predict > (size_t)m->cfg.n_ctx) {
		fprintf(stderr, "edgeai run: a prompt of %zu tokens and %d to generate do not fit "
			"the model's context of %d tokens%s\n", n_prompt, o->n_predict,
			m->cfg.n_ctx, n_prompt ? "" : " (the prompt is empty)");
		rc = 2;
		goto out;
	}
	e = cpu_engine_new(m);
	if (!e)
		goto out;

	fputs(o->prompt, stdout);
	fflush(stdout);
	timing.n_prompt = (int)n_prompt;
	rc = generate(e, m, tok, o, prompt, (int)n_prompt, &timing);
	if (rc == 0)
		fprintf(stderr, "\n\n%s: prompt %d tokens, %.1f tok/s; generated %d tokens, "
			"%.1f tok/s\n", e->name, timing.n_prompt, timing.n_prompt / timing.prompt_s,
			timing.n_generated, timing.n_generated / timing.generate_s);
out:
	if (e)
		e->destroy(e);
	free(prompt);
	ea_tokenizer_free(tok);
	ea_model_free(m);
	return rc;
}

static bool parse_float(const char *s, float *out)
{
	char *end;
	float v = strtof(s, &end);

	*out = v;
	return *s && !*end;
}

static bool parse_int(const char *s, long max, long *out)
{
	char *end;
	long long v = strtoll(s, &end, 0);

	*out = (long)v;
	return *s && !*end && v >= 0 && v <= max;
}

static int run_run(int argc, char **argv)
{
	struct run_options o = { .n_predict = DEFAULT_TOKENS,
				 .sample = { .temperature = 0, .top_k = 0, .top_p = 1 } };
	long v;

	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i], *value = i + 1 < argc ? argv[i + 1] : NULL;
		bool ok = true;

		if (strcmp(arg, "--cpu") == 0) {
			o.cpu = true;
			continue;
		}
		if (!value) {
			fprintf(stderr, "edgeai run: %s: unknown or missing its value\n", arg);
			return 2;
		}
		i++;
		if (strcmp(arg, "-m") == 0 || strcmp(arg, "--model") == 0)
			o.model = value;
		else if (strcmp(arg, "-p") == 0 || strcmp(arg, "--prompt") == 0)
			o.prompt = value;
		else if (strcmp(arg, "-n") == 0)
			ok = parse_int(value, 1 << 30, &v) && v > 0 && (o.n_predict = (int)v);
		else if (strcmp(arg, "--temp") == 0)
			ok = parse_float(value, &o.sample.temperature);
		else if (strcmp(arg, "--top-k") == 0)
			ok = parse_int(value, 1 << 30, &v) && ((o.sample.top_k = (int)v), true);
		else if (strcmp(arg, "--top-p") == 0)
			ok = parse_float(value, &o.sample.top_p);
		else if (strcmp(arg, "--seed") == 0)
			ok = parse_int(value, __LONG_MAX__, &v) && ((o.sample.seed = (uint64_t)v), true);
		else if (strcmp(arg, "--stop") == 0 && o.n_stop < MAX_STOPS)
			o.stop[o.n_stop++] = value;
		else
			ok = false;
		if (!ok) {
			fprintf(stderr, "edgeai run: bad option '%s %s'\n", arg, value);
			return 2;
		}
	}
	if (!o.model || !o.prompt) {
		fprintf(stderr, "edgeai run: -m MODEL and -p PROMPT are needed\n");
		return 2;
	}
	return run(&o);
}

const struct cli_command cli_run = {
	.name = "run",
	.summary = "generate text from a prompt, streamed, with prompt and generation tok/s",
	.usage = "-m MODEL.gguf -p PROMPT [--cpu] [-n TOKENS] [--temp T] [--top-k K] [--top-p P]\n"
		 "  [--seed S] [--stop TEXT]...\n"
		 "  -n: tokens to generate (128). --temp 0 (the default) is greedy; top-k 0 and\n"
		 "  top-p 1 (the defaults) keep every token. --seed fixes the draws (default 0).\n"
		 "  --stop: stop before this text (up to 8). --cpu: the CPU reference.",
	.run = run_run,
};

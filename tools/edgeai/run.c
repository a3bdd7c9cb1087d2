// SPDX-License-Identifier: MIT
/*
 * edgeai run - generate text from a prompt, streaming it as it comes, and end
 * with the prompt and generation speeds. The model runs in a session
 * (ea_session.h): on Vulkan in direct mode by default, the CPU reference with
 * --cpu. On Vulkan the prompt goes through the decode step token by token for
 * now, so its tokens/s is that of decoding.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "ea_device.h"
#include "ea_sample.h"
#include "ea_session.h"
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
static int generate(struct ea_session *e, const struct ea_model *m, const struct ea_tokenizer *tok,
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
	if (!logits || ea_session_eval(e, prompt, n_prompt, 0, logits) != EA_OK) {
		fprintf(stderr, "edgeai run: %s\n", logits ? ea_session_error(e) : "out of memory");
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
		if (reason == EA_STOP_NONE && ea_session_eval(e, &token, 1, pos, logits) != EA_OK) {
			fprintf(stderr, "\nedgeai run: %s\n", ea_session_error(e));
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
	struct ea_session *e = NULL;
	struct ea_device *dev = NULL;
	struct ea_open_options options = { .mode = EA_MODE_DIRECT };
	struct timing timing = { 0 };
	int32_t *prompt = NULL;
	size_t n_prompt = 0;
	char why[1024];
	int rc = 1;

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
	if (!o->cpu) {
		dev = cli_open(&options);
		if (!dev)
			goto out;
		if (!dev->vk) {
			fprintf(stderr, "edgeai run: %s (--cpu runs the CPU reference)\n",
				dev->vk_missing.msg);
			goto out;
		}
	}
	if (ea_session_new(m, dev ? dev->vk : NULL, &e, why, sizeof(why)) != EA_OK) {
		fprintf(stderr, "edgeai run: %s\n", why);
		goto out;
	}

	fputs(o->prompt, stdout);
	fflush(stdout);
	timing.n_prompt = (int)n_prompt;
	rc = generate(e, m, tok, o, prompt, (int)n_prompt, &timing);
	if (rc == 0)
		fprintf(stderr, "\n\n%s: prompt %d tokens, %.1f tok/s; generated %d tokens, "
			"%.1f tok/s\n", ea_session_engine(e), timing.n_prompt, timing.n_prompt / timing.prompt_s,
			timing.n_generated, timing.n_generated / timing.generate_s);
out:
	ea_session_free(e);
	ea_close(dev);
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
		 "  --stop: stop before this text (up to 8). Runs on Vulkan (direct mode);\n"
		 "  --cpu: the CPU reference.",
	.run = run_run,
};

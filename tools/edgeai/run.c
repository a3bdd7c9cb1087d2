// SPDX-License-Identifier: MIT
/*
 * edgeai run - generate text from a prompt, streaming it as it comes, and end
 * with the prompt and generation speeds. A client of the public API alone
 * (edgeai.h): ea_model_open(), ea_session_open(), ea_generate(). On Vulkan in
 * direct mode by default; --cpu runs the CPU reference.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define DEFAULT_TOKENS 128
#define BAR_WIDTH 40

struct run_options {
	const char *model;
	const char *prompt;
	struct ea_open_options device;
	struct ea_session_options session;
	struct ea_generate_params gen;
	const char *stop[EA_MAX_STOP_STRINGS];
};

/* A progress bar on stderr, redrawn when it moves by a step. */
struct bar {
	const char *what;
	int drawn;		/* steps drawn, -1 before the first */
};

static void show_bar(uint64_t done, uint64_t total, void *user)
{
	struct bar *b = user;
	int steps = (int)(done * BAR_WIDTH / total);

	if (steps == b->drawn)
		return;
	b->drawn = steps;
	fprintf(stderr, "\r%s [%.*s%*s] %3d%%", b->what, steps,
		"########################################", BAR_WIDTH - steps, "",
		(int)(done * 100 / total));
	if (done == total)
		fputc('\n', stderr);
	fflush(stderr);
}

/* The prompt, printed before the first piece of text (not before an error). */
struct echo {
	const char *prompt;
	bool printed;
};

static void print_prompt(struct echo *e)
{
	if (!e->printed)
		fputs(e->prompt, stdout);
	e->printed = true;
}

static int print_text(const char *text, size_t len, void *user)
{
	print_prompt(user);
	fwrite(text, 1, len, stdout);
	fflush(stdout);
	return 0;
}

static int run(struct run_options *o)
{
	struct ea_model *model = NULL;
	struct ea_device *dev = NULL;
	struct ea_session *session = NULL;
	struct ea_generate_result r;
	struct bar load = { "loading ", -1 }, upload = { "uploading", -1 };
	bool tty = isatty(STDERR_FILENO);
	struct echo echo = { o->prompt, false };
	char why[1024];
	ea_status status;
	int rc = 1;

	status = ea_model_open(o->model, tty ? show_bar : NULL, &load, &model, why, sizeof(why));
	if (status != EA_OK) {
		fprintf(stderr, "edgeai run: %s: %s\n", ea_strerror(status), why);
		return 1;
	}
	if (o->session.engine != EA_ENGINE_CPU) {
		dev = cli_open(&o->device);
		if (!dev)
			goto out;
	}
	o->session.progress = tty ? show_bar : NULL;
	o->session.progress_user = &upload;
	status = ea_session_open(dev, model, &o->session, &session, why, sizeof(why));
	if (status != EA_OK) {
		fprintf(stderr, "edgeai run: %s: %s%s\n", ea_strerror(status), why,
			dev ? " (--cpu runs the CPU reference)" : "");
		goto out;
	}

	status = ea_generate(session, &o->gen, print_text, &echo, &r);
	if (status != EA_OK) {
		fprintf(stderr, "%sedgeai run: %s: %s\n", echo.printed ? "\n" : "",
			ea_strerror(status), ea_session_error(session));
		rc = status == EA_ERR_INVALID_ARGUMENT ? 2 : 1;
		goto out;
	}
	print_prompt(&echo);
	fflush(stdout);
	fprintf(stderr, "\n\n%s: prompt %d tokens, %.1f tok/s; generated %d tokens, %.1f tok/s "
		"(%s)\n", ea_session_engine(session), r.n_prompt_tokens, r.prompt_tok_s,
		r.n_generated_tokens, r.generate_tok_s, ea_finish_reason_name(r.finish_reason));
	rc = 0;
out:
	ea_session_close(session);
	ea_close(dev);
	ea_model_close(model);
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

/* Options with a value; false on a bad or unknown one. */
static bool parse_value(struct run_options *o, const char *arg, const char *value)
{
	struct ea_generate_params *g = &o->gen;
	long v;

	if (strcmp(arg, "-m") == 0 || strcmp(arg, "--model") == 0)
		o->model = value;
	else if (strcmp(arg, "-p") == 0 || strcmp(arg, "--prompt") == 0)
		o->prompt = value;
	else if (strcmp(arg, "-n") == 0)
		return parse_int(value, 1 << 30, &v) && v > 0 && (g->max_tokens = (int)v);
	else if (strcmp(arg, "--temp") == 0)
		return parse_float(value, &g->temperature);
	else if (strcmp(arg, "--top-k") == 0)
		return parse_int(value, 1 << 30, &v) && ((g->top_k = (int)v), true);
	else if (strcmp(arg, "--top-p") == 0)
		return parse_float(value, &g->top_p);
	else if (strcmp(arg, "--seed") == 0)
		return parse_int(value, __LONG_MAX__, &v) && ((g->seed = (uint64_t)v), true);
	else if (strcmp(arg, "--threads") == 0)
		return parse_int(value, 256, &v) && v > 0 && (o->session.n_threads = (int)v);
	else if (strcmp(arg, "--stop") == 0 && g->n_stop < EA_MAX_STOP_STRINGS)
		o->stop[g->n_stop++] = value;
	else
		return false;
	return true;
}

static int run_run(int argc, char **argv)
{
	struct run_options o = { .device = { .mode = EA_MODE_DIRECT },
				 .gen = { .max_tokens = DEFAULT_TOKENS, .top_p = 1 } };

	for (int i = 1; i < argc; i++) {
		int parsed = cli_parse_device_option(argc, argv, &i, &o.device);

		if (parsed < 0)
			return 2;
		if (parsed)
			continue;
		if (strcmp(argv[i], "--cpu") == 0) {
			o.session.engine = EA_ENGINE_CPU;
			continue;
		}
		if (i + 1 >= argc) {
			fprintf(stderr, "edgeai run: %s: unknown or missing its value\n", argv[i]);
			return 2;
		}
		if (!parse_value(&o, argv[i], argv[i + 1])) {
			fprintf(stderr, "edgeai run: bad option '%s %s'\n", argv[i], argv[i + 1]);
			return 2;
		}
		i++;
	}
	if (!o.model || !o.prompt) {
		fprintf(stderr, "edgeai run: -m MODEL and -p PROMPT are needed\n");
		return 2;
	}
	o.gen.prompt = o.prompt;
	o.gen.stop = o.stop;
	return run(&o);
}

const struct cli_command cli_run = {
	.name = "run",
	.summary = "generate text from a prompt, streamed, with prompt and generation tok/s",
	.usage = "-m MODEL.gguf -p PROMPT [--cpu [--threads N]] [--mode MODE] [--device SEL]\n"
		 "  [-n TOKENS] [--temp T] [--top-k K] [--top-p P] [--seed S] [--stop TEXT]...\n"
		 "  -n: tokens to generate (128). --temp 0 (the default) is greedy; top-k 0 and\n"
		 "  top-p 1 (the defaults) keep every token. --seed fixes the draws (default 0).\n"
		 "  --stop: stop before this text (up to 16). Runs on Vulkan in direct mode\n"
		 "  (--device picks the Vulkan device); --cpu: the CPU reference, on --threads\n"
		 "  threads (default EDGEAI_THREADS, else every online CPU).",
	.run = run_run,
};

// SPDX-License-Identifier: MIT
/*
 * edgeai run - generate text from a prompt, streaming it as it comes, and end
 * with the prompt and generation speeds. A client of the public API alone
 * (edgeai.h): ea_model_open(), ea_session_open(), ea_generate(). On Vulkan in
 * direct mode by default; --cpu runs the CPU reference.
 */
#include <stdio.h>
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

enum { OPT_CPU = CLI_OPT_OWN, OPT_TEMP, OPT_TOP_K, OPT_TOP_P, OPT_SEED, OPT_THREADS, OPT_STOP };

static const struct option long_options[] = {
	{ "model", required_argument, NULL, 'm' },
	{ "prompt", required_argument, NULL, 'p' },
	{ "cpu", no_argument, NULL, OPT_CPU },
	{ "temp", required_argument, NULL, OPT_TEMP },
	{ "top-k", required_argument, NULL, OPT_TOP_K },
	{ "top-p", required_argument, NULL, OPT_TOP_P },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "threads", required_argument, NULL, OPT_THREADS },
	{ "stop", required_argument, NULL, OPT_STOP },
	CLI_DEVICE_OPTIONS,
	CLI_OPTIONS_END
};

static void parse_option(struct cli_parser *p, struct run_options *o)
{
	struct ea_generate_params *g = &o->gen;

	switch (p->option) {
	case 'm':
		o->model = optarg;
		break;
	case 'p':
		o->prompt = optarg;
		break;
	case 'n':
		cli_int(p, 1, 1 << 30, &g->max_tokens);
		break;
	case OPT_CPU:
		o->session.engine = EA_ENGINE_CPU;
		break;
	case OPT_TEMP:
		cli_float(p, &g->temperature);
		break;
	case OPT_TOP_K:
		cli_int(p, 0, 1 << 30, &g->top_k);
		break;
	case OPT_TOP_P:
		cli_float(p, &g->top_p);
		break;
	case OPT_SEED:
		cli_seed(p, &g->seed);
		break;
	case OPT_THREADS:
		cli_int(p, 1, 256, &o->session.n_threads);
		break;
	case OPT_STOP:
		if (g->n_stop == EA_MAX_STOP_STRINGS)
			cli_fail(p, "--stop: at most %d stop strings", EA_MAX_STOP_STRINGS);
		else
			o->stop[g->n_stop++] = optarg;
		break;
	case CLI_OPT_MODE:
	case CLI_OPT_DEVICE:
		cli_device_option(p, &o->device);
		break;
	}
}

static int run_run(int argc, char **argv)
{
	struct run_options o = { .device = { .mode = EA_MODE_DIRECT },
				 .gen = { .max_tokens = DEFAULT_TOKENS, .top_p = 1 } };
	struct cli_parser p;

	cli_parser_init(&p, &cli_run, argc, argv, "m:p:n:", long_options);
	while (cli_next(&p) != -1)
		parse_option(&p, &o);
	if (p.exit_status != CLI_CONTINUE)
		return p.exit_status;
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

// SPDX-License-Identifier: MIT
/*
 * edgeai prof - one run recorded as a Chrome trace-event / Perfetto JSON file
 * (ui.perfetto.dev opens it): any program that links libedgeai (-- CMD), or a
 * generation of prof's own (-m: this very binary's `edgeai run`, in the mode
 * --mode picks, recorded the same way). prof_cmd runs and merges: the
 * library's phases and spans, every op's GPU timestamps (direct mode's own;
 * in kmod mode edgeaid's, written back into the job, EA_KJOB_TIMES), and the
 * module's tracepoint events of the run's jobs and routing decisions; then a
 * summary: time per kind of span, and per GPU op its share, GB/s against the
 * compute-shader roofline and GFLOP/s.
 */
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

#include "cli.h"
#include "prof_cmd.h"

struct prof_options {
	const char *model, *prompt, *out, *mode, *device;
	int n_tokens;
};

/* -m: `edgeai run` of this binary with the generation's options, under prof_cmd. */
static int prof_generation(const struct prof_options *o, enum prof_kernel_mode kernel)
{
	char self[PATH_MAX], n[16];
	char *argv[16];
	int argc = 0;
	ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (len <= 0) {
		fprintf(stderr, "edgeai prof: cannot find this program (/proc/self/exe)\n");
		return 1;
	}
	self[len] = 0;
	snprintf(n, sizeof(n), "%d", o->n_tokens);
	argv[argc++] = self;
	argv[argc++] = "run";
	argv[argc++] = "-m";
	argv[argc++] = (char *)o->model;
	argv[argc++] = "-p";
	argv[argc++] = (char *)o->prompt;
	argv[argc++] = "-n";
	argv[argc++] = n;
	if (o->mode) {
		argv[argc++] = "--mode";
		argv[argc++] = (char *)o->mode;
	}
	if (o->device) {
		argv[argc++] = "--device";
		argv[argc++] = (char *)o->device;
	}
	argv[argc] = NULL;
	return prof_cmd(argv, o->out, kernel, true);	/* the text beside run's figures */
}

enum { OPT_KERNEL = CLI_OPT_OWN, OPT_NO_KERNEL };

static const struct option long_options[] = {
	{ "model", required_argument, NULL, 'm' },
	{ "prompt", required_argument, NULL, 'p' },
	{ "output", required_argument, NULL, 'o' },
	{ "kernel", no_argument, NULL, OPT_KERNEL },
	{ "no-kernel", no_argument, NULL, OPT_NO_KERNEL },
	CLI_DEVICE_OPTIONS,
	CLI_OPTIONS_END
};

static int run_prof(int argc, char **argv)
{
	struct prof_options o = { .prompt = "Package: vim\nDescription:", .n_tokens = 16 };
	enum prof_kernel_mode kernel = PROF_KERNEL_AUTO;
	struct ea_open_options device = { 0 };
	bool generation = false;
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
			break;
		case CLI_OPT_MODE:	/* checked here, passed on to edgeai run */
			if (cli_device_option(&p, &device))
				o.mode = optarg;
			break;
		case CLI_OPT_DEVICE:
			if (cli_device_option(&p, &device))
				o.device = optarg;
			break;
		}
		generation |= p.option == 'm' || p.option == 'p' || p.option == 'n' ||
			      p.option == CLI_OPT_MODE || p.option == CLI_OPT_DEVICE;
	}
	if (p.exit_status != CLI_CONTINUE)
		return p.exit_status;
	if (!o.out) {
		fprintf(stderr, "edgeai prof: -o TRACE.json is needed\n");
		return CLI_EXIT_USAGE;
	}
	if (p.command && generation) {
		fprintf(stderr, "edgeai prof: -m, -p, -n, --mode and --device are for a generation "
			"of prof's own; with -- CMD, CMD's options say what it runs\n");
		return CLI_EXIT_USAGE;
	}
	if (p.command)
		return prof_cmd(p.command, o.out, kernel, false);
	if (!o.model) {
		fprintf(stderr, "edgeai prof: -m MODEL (a generation of prof's own) or -- CMD "
			"(a program that links libedgeai) is needed\n");
		return CLI_EXIT_USAGE;
	}
	return prof_generation(&o, kernel);
}

const struct cli_command cli_prof = {
	.name = "prof",
	.summary = "record a run as a Perfetto trace: library phases, GPU ops, kernel events",
	.usage = "-o TRACE.json -m MODEL.gguf [-p PROMPT] [-n TOKENS] [--mode MODE]\n"
		 "       [--device DEV] [--kernel | --no-kernel]\n"
		 "  | -o TRACE.json [--kernel | --no-kernel] -- CMD [ARG...]\n"
		 "  Writes one Chrome trace-event JSON file (ui.perfetto.dev opens it).\n"
		 "  -- CMD: runs any program that links libedgeai with EDGEAI_TRACE set\n"
		 "  (and EDGEAI_PROFILE=1 unless set: a GPU timestamp after every op) and\n"
		 "  merges what each of its processes recorded (requests, tokenize, prompt,\n"
		 "  every sample and step, kmod jobs, routing decisions, cloud requests, and\n"
		 "  every GPU op: direct mode's own, kmod mode's from edgeaid) with the\n"
		 "  module's tracepoint events of those jobs and decisions (submit,\n"
		 "  schedule, fetch, done; route), all on CLOCK_MONOTONIC.\n"
		 "  -m: the same for `edgeai run -m MODEL -p PROMPT -n TOKENS` (prompt\n"
		 "  \"Package: vim\\nDescription:\", 16 tokens) in --mode auto (the\n"
		 "  default: kmod when edgeaid serves the device), direct or kmod.\n"
		 "  Kernel events need root and the module: by default recorded when they\n"
		 "  can be (a note says why not); --kernel: fail without them;\n"
		 "  --no-kernel: leave them out. Prints the time of each kind of span,\n"
		 "  then each GPU op's share, GB/s against the compute-shader roofline\n"
		 "  (measured after the run) and GFLOP/s; exits with the run's status.",
	.run = run_prof,
};

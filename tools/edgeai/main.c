// SPDX-License-Identifier: MIT
/* edgeai - one command-line tool, subcommands dispatched from a table. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct cli_command *const commands[] = {
	&cli_info,
	&cli_check_q8,
	&cli_synth,
	&cli_run,
	&cli_perplexity,
	&cli_bench,
	&cli_serve,
	&cli_ask, &cli_probe, &cli_eval_collab, &cli_eval_spec, &cli_top, &cli_prof,
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	fprintf(out, "usage: edgeai COMMAND [OPTIONS]\n\ncommands:\n");
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(out, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
	fprintf(out, "\n'edgeai COMMAND --help' describes a command's options.\n"
		     "Environment: EDGEAI_MODE=auto|direct|kmod, EDGEAI_VK_DEVICE=INDEX|NAME.\n");
}

struct ea_device *cli_open(const struct ea_open_options *options)
{
	struct ea_device *dev;
	char why[1024];
	ea_status status = ea_open(options, &dev, why, sizeof(why));

	if (status != EA_OK) {
		fprintf(stderr, "edgeai: cannot open the device: %s: %s\n",
			ea_strerror(status), why);
		return NULL;
	}
	return dev;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("edgeai %s\n", EDGEAI_VERSION);
		return 0;
	}
	for (size_t i = 0; i < N_COMMANDS; i++) {
		const struct cli_command *cmd = commands[i];

		if (strcmp(argv[1], cmd->name) == 0)
			return cmd->run(argc - 1, argv + 1);
	}
	fprintf(stderr, "edgeai: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return 2;
}

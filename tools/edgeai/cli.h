/* SPDX-License-Identifier: MIT */
/* The edgeai command-line tool: each subcommand is one entry of a table. */
#ifndef EDGEAI_CLI_H
#define EDGEAI_CLI_H

#include "cli_options.h"
#include "edgeai.h"

struct cli_command {
	const char *name;
	const char *summary;	/* one line for `edgeai --help` */
	const char *usage;	/* the options, for `edgeai NAME --help` */
	/* argv[0] is the subcommand's name; its options are parsed by
	 * cli_options.h, --help included. Returns the exit status. */
	int (*run)(int argc, char **argv);
};

extern const struct cli_command cli_info;
extern const struct cli_command cli_check_q8;
extern const struct cli_command cli_synth;
extern const struct cli_command cli_perplexity;
extern const struct cli_command cli_run;
extern const struct cli_command cli_bench;
extern const struct cli_command cli_serve;
extern const struct cli_command cli_ask, cli_probe, cli_eval_collab, cli_eval_spec;
extern const struct cli_command cli_top, cli_prof;

/* Open the device for @options; on failure print why and return NULL. */
struct ea_device *cli_open(const struct ea_open_options *options);

#endif /* EDGEAI_CLI_H */

/* SPDX-License-Identifier: MIT */
/* The edgeai command-line tool: each subcommand is one entry of a table. */
#ifndef EDGEAI_CLI_H
#define EDGEAI_CLI_H

#include "edgeai.h"

struct cli_command {
	const char *name;
	const char *summary;	/* one line for `edgeai --help` */
	const char *usage;	/* the options, for `edgeai NAME --help` */
	/* argv[0] is the subcommand's name. Returns the exit status. */
	int (*run)(int argc, char **argv);
};

extern const struct cli_command cli_info;
extern const struct cli_command cli_check_q8;
extern const struct cli_command cli_synth;
extern const struct cli_command cli_perplexity;
extern const struct cli_command cli_run;
extern const struct cli_command cli_bench;
extern const struct cli_command cli_serve;
extern const struct cli_command cli_ask, cli_probe;

/*
 * Parse the options every device-using subcommand shares (--mode MODE,
 * --device SEL) at argv[*i] into @options. Returns 1 when it consumed an
 * option, 0 when argv[*i] is not one, -1 (after a message) on a bad value.
 */
int cli_parse_device_option(int argc, char **argv, int *i, struct ea_open_options *options);

/* Open the device for @options; on failure print why and return NULL. */
struct ea_device *cli_open(const struct ea_open_options *options);

#endif /* EDGEAI_CLI_H */

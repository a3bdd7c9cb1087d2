/* SPDX-License-Identifier: MIT */
/*
 * cli_options - the subcommands' option parsing, on getopt_long(): the loop
 * each subcommand runs, the options they share (--help, --mode, --device)
 * and option values checked against their range.
 *
 * A subcommand parses by a switch on cli_next()'s result, the value in
 * optarg. Options are taken in order, long ones only by their full name
 * (getopt_long() alone would take "--mode" for "--model"), and parsing stops
 * at the first argument that is not an option, which is a usage error: no
 * subcommand takes positional arguments, but one that runs a command takes
 * it after "--" (cli_parser_take_command()). Every usage error (an unknown
 * option, a missing, malformed or out-of-range value, a stray argument)
 * prints one line "edgeai CMD: ..." naming the option and ends the parse
 * with exit status CLI_EXIT_USAGE; --help prints the usage and ends it with
 * 0. After the loop, exit_status says whether the subcommand goes on
 * (CLI_CONTINUE).
 */
#ifndef EDGEAI_CLI_OPTIONS_H
#define EDGEAI_CLI_OPTIONS_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>

#include "edgeai.h"

struct cli_command;

#define CLI_EXIT_USAGE 2
#define CLI_CONTINUE (-1)

/* getopt_long()'s codes of the shared options; a subcommand's own long-only
 * options are numbered from CLI_OPT_OWN. */
enum {
	CLI_OPT_HELP = 'h',
	CLI_OPT_MODE = 0x100,
	CLI_OPT_DEVICE,
	CLI_OPT_OWN,
};

/* --mode auto|direct|kmod and --device INDEX|NAME, for the commands that open a device. */
#define CLI_DEVICE_OPTIONS \
	{ "mode", required_argument, NULL, CLI_OPT_MODE }, \
	{ "device", required_argument, NULL, CLI_OPT_DEVICE }

/* What ends every subcommand's table: --help, then the terminator. */
#define CLI_OPTIONS_END \
	{ "help", no_argument, NULL, CLI_OPT_HELP }, \
	{ NULL, 0, NULL, 0 }

struct cli_parser {
	const struct cli_command *cmd;
	int argc;
	char **argv;
	char shortopts[64];		/* "+:h" and the subcommand's */
	const struct option *longopts;
	int option;			/* the code cli_next() returned last */
	int longindex;			/* its entry in longopts, -1 for a short option */
	int exit_status;		/* CLI_CONTINUE while the options are good */
	bool takes_command;		/* "-- CMD ARG..." may end the options */
	char **command;			/* then CMD ARG..., NULL-terminated; NULL: none given */
};

/*
 * Start parsing @argv (argv[0] the subcommand's name) for @cmd: @shortopts
 * as getopt()'s ("m:n:"), @longopts a table ended by CLI_OPTIONS_END.
 */
void cli_parser_init(struct cli_parser *p, const struct cli_command *cmd, int argc,
		     char **argv, const char *shortopts, const struct option *longopts);

/* Let the options end with "-- CMD ARG...": after the loop, p->command. */
void cli_parser_take_command(struct cli_parser *p);

/* The next option's code (its value in optarg), or -1 at the end or after an error or --help. */
int cli_next(struct cli_parser *p);

/*
 * The value of the current option, checked; on a bad one they print
 * "edgeai CMD: OPTION VALUE: expected ...", end the parse and return false,
 * leaving *out as it was.
 */
bool cli_long(struct cli_parser *p, long min, long max, long *out);
bool cli_int(struct cli_parser *p, int min, int max, int *out);
bool cli_u32(struct cli_parser *p, uint32_t min, uint32_t max, uint32_t *out);
/* A seed: any 64-bit unsigned number, decimal, 0x hexadecimal or 0 octal. */
bool cli_seed(struct cli_parser *p, uint64_t *out);
/* A number as strtof() reads it; its range is the library's to check. */
bool cli_float(struct cli_parser *p, float *out);
/* The index of the value in @names. */
bool cli_choice(struct cli_parser *p, const char *const *names, int n, int *out);
/* --mode or --device (CLI_OPT_MODE, CLI_OPT_DEVICE) into @options. */
bool cli_device_option(struct cli_parser *p, struct ea_open_options *options);

/* A usage error of the subcommand's own: "edgeai CMD: " and the message; ends the parse. */
bool cli_fail(struct cli_parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same about the current option's value: "edgeai CMD: OPTION VALUE: " and the message. */
bool cli_bad_value(struct cli_parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* `edgeai CMD --help`: the summary and the usage, on stdout. */
void cli_help(const struct cli_command *cmd);

#endif /* EDGEAI_CLI_OPTIONS_H */

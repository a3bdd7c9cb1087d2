// SPDX-License-Identifier: MIT
/* cli_options - getopt_long() for the subcommands, and checked option values (see the header). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void cli_parser_init(struct cli_parser *p, const struct cli_command *cmd, int argc,
		     char **argv, const char *shortopts, const struct option *longopts)
{
	*p = (struct cli_parser){ .cmd = cmd, .argc = argc, .argv = argv, .longopts = longopts,
				  .exit_status = CLI_CONTINUE };
	/* '+': stop at the first non-option; ':': a missing value returns ':'. */
	snprintf(p->shortopts, sizeof(p->shortopts), "+:h%s", shortopts);
	optind = 0;	/* glibc: start again, at argv[1] */
	opterr = 0;	/* the messages are ours */
}

void cli_parser_take_command(struct cli_parser *p)
{
	p->takes_command = true;
}

static void vfail(struct cli_parser *p, const char *fmt, va_list ap)
{
	fprintf(stderr, "edgeai %s: ", p->cmd->name);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	p->exit_status = CLI_EXIT_USAGE;
}

bool cli_fail(struct cli_parser *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(p, fmt, ap);
	va_end(ap);
	return false;
}

/* The current option's name: its long name, else its letter. */
static void option_name(const struct cli_parser *p, char *out, size_t n)
{
	if (p->longindex >= 0)
		snprintf(out, n, "--%s", p->longopts[p->longindex].name);
	else
		snprintf(out, n, "-%c", p->option);
}

bool cli_bad_value(struct cli_parser *p, const char *fmt, ...)
{
	char name[64];
	va_list ap;

	option_name(p, name, sizeof(name));
	fprintf(stderr, "edgeai %s: %s %s: ", p->cmd->name, name, optarg);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	p->exit_status = CLI_EXIT_USAGE;
	return false;
}

/*
 * getopt_long() found an error in @arg, the argument it was reading: '?'
 * (an unknown option, an ambiguous abbreviation, or a value given to an
 * option that takes none) or ':' (a missing value). optopt is the short
 * option's letter, or the long option's code (0 when there is no such option).
 */
static void option_error(struct cli_parser *p, int c, const char *arg)
{
	bool is_long = strncmp(arg, "--", 2) == 0;
	int name_len = (int)strcspn(arg, "=");

	if (c == ':' && is_long)
		cli_fail(p, "%.*s needs a value", name_len, arg);
	else if (c == ':')
		cli_fail(p, "-%c needs a value", optopt);
	else if (is_long && optopt)
		cli_fail(p, "%.*s takes no value", name_len, arg);
	else if (is_long)
		cli_fail(p, "unknown option '%.*s'", name_len, arg);
	else
		cli_fail(p, "unknown option '-%c'", optopt);
}

/*
 * getopt_long() takes any unambiguous abbreviation of a long option; ours
 * are spelled out in full, so that "--mode" is never taken for "--model"
 * where a subcommand has only the latter.
 */
static bool spelled_out(const struct cli_parser *p, const char *arg)
{
	const char *name = p->longopts[p->longindex].name;
	size_t len = strcspn(arg + 2, "=");

	return len == strlen(name) && strncmp(arg + 2, name, len) == 0;
}

int cli_next(struct cli_parser *p)
{
	int at = optind ? optind : 1;	/* the argument getopt reads next */

	if (p->exit_status != CLI_CONTINUE)
		return -1;
	p->longindex = -1;
	p->option = getopt_long(p->argc, p->argv, p->shortopts, p->longopts, &p->longindex);
	switch (p->option) {
	case -1:
		/* getopt stops past a "--", at the argument after it */
		if (p->takes_command && optind > 1 && !strcmp(p->argv[optind - 1], "--")) {
			if (optind < p->argc)
				p->command = &p->argv[optind];
			else
				cli_fail(p, "-- needs a command after it");
		} else if (optind < p->argc) {
			cli_fail(p, "unexpected argument '%s' (options only: see edgeai %s --help)",
				 p->argv[optind], p->cmd->name);
		}
		return -1;
	case '?':
	case ':':
		option_error(p, p->option, p->argv[at]);
		return -1;
	}
	if (p->longindex >= 0 && !spelled_out(p, p->argv[at])) {
		cli_fail(p, "unknown option '%.*s'", (int)strcspn(p->argv[at], "="), p->argv[at]);
		return -1;
	}
	if (p->option == CLI_OPT_HELP) {
		cli_help(p->cmd);
		p->exit_status = 0;
		return -1;
	}
	return p->option;
}

bool cli_long(struct cli_parser *p, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(optarg, &end, 10);
	if (!*optarg || *end || errno || v < min || v > max)
		return cli_bad_value(p, "expected an integer from %ld to %ld", min, max);
	*out = v;
	return true;
}

bool cli_int(struct cli_parser *p, int min, int max, int *out)
{
	long v;

	if (!cli_long(p, min, max, &v))
		return false;
	*out = (int)v;
	return true;
}

bool cli_u32(struct cli_parser *p, uint32_t min, uint32_t max, uint32_t *out)
{
	long v;

	if (!cli_long(p, min, max, &v))
		return false;
	*out = (uint32_t)v;
	return true;
}

bool cli_seed(struct cli_parser *p, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(optarg, &end, 0);
	if (!*optarg || *end || errno || strchr(optarg, '-'))
		return cli_bad_value(p, "expected a number from 0 to 2^64 - 1 (decimal, 0x hex "
				     "or 0 octal)");
	*out = v;
	return true;
}

bool cli_float(struct cli_parser *p, float *out)
{
	char *end;
	float v = strtof(optarg, &end);

	if (!*optarg || *end)
		return cli_bad_value(p, "expected a number");
	*out = v;
	return true;
}

bool cli_choice(struct cli_parser *p, const char *const *names, int n, int *out)
{
	char expected[256] = "";
	size_t used = 0;

	for (int i = 0; i < n; i++) {
		if (strcmp(optarg, names[i]) == 0) {
			*out = i;
			return true;
		}
	}
	for (int i = 0; i < n && used < sizeof(expected); i++)
		used += (size_t)snprintf(expected + used, sizeof(expected) - used, "%s%s",
					 i == 0 ? "" : i == n - 1 ? " or " : ", ", names[i]);
	return cli_bad_value(p, "expected %s", expected);
}

bool cli_device_option(struct cli_parser *p, struct ea_open_options *options)
{
	const char *modes[] = { ea_mode_name(EA_MODE_AUTO), ea_mode_name(EA_MODE_DIRECT),
				ea_mode_name(EA_MODE_KMOD) };
	int mode;

	if (p->option == CLI_OPT_DEVICE) {
		options->vk_device = optarg;
		return true;
	}
	if (!cli_choice(p, modes, 3, &mode))
		return false;
	options->mode = (enum ea_mode)mode;
	return true;
}

void cli_help(const struct cli_command *cmd)
{
	printf("edgeai %s - %s\n\nusage: edgeai %s %s\n", cmd->name, cmd->summary, cmd->name,
	       cmd->usage);
}

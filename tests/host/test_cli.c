// SPDX-License-Identifier: MIT
/*
 * The edgeai command line's option parsing (build/bin/edgeai, next to this
 * test's folder; tools/edgeai/cli_options.c): --help on every subcommand;
 * each kind of usage error exits 2 with a message naming the option; values
 * that start with '-' stay values; "--name=value" and "-xVALUE" mean what
 * "--name value" and "-x VALUE" do.
 */
#include "ea_tap.h"
#include "ea_test_tool.h"

struct cli_case {
	const char *args;	/* split by the shell */
	int status;
	const char *says;	/* in stdout or stderr */
};

static const char *const commands[] = {
	"info", "check-q8", "synth", "run", "perplexity", "bench", "serve", "ask", "probe",
};

static const struct cli_case cases[] = {
	{ "run -m x.gguf -p hi --bogus", 2, "edgeai run: unknown option '--bogus'" },
	{ "run -m x.gguf -p hi -z", 2, "edgeai run: unknown option '-z'" },
	{ "run -p hi -m", 2, "edgeai run: -m needs a value" },
	{ "serve --model", 2, "edgeai serve: --model needs a value" },
	{ "serve -m x.gguf --cpu=1", 2, "edgeai serve: --cpu takes no value" },
	{ "run -m x.gguf -p hi stray", 2, "edgeai run: unexpected argument 'stray'" },
	{ "run --mod x.gguf -p hi", 2, "edgeai run: unknown option '--mod'" },
	{ "bench -m x.gguf --mode direct", 2, "edgeai bench: unknown option '--mode'" },
	{ "run -m x.gguf -p hi -n 0", 2, "edgeai run: -n 0: expected an integer from 1 to" },
	{ "serve -m x.gguf --port 70000", 2,
	  "edgeai serve: --port 70000: expected an integer from 0 to 65535" },
	{ "ask -m x.gguf -p hi --temp warm", 2, "edgeai ask: --temp warm: expected a number" },
	{ "ask -m x.gguf -p hi --policy nope", 2,
	  "edgeai ask: --policy nope: expected builtin, latency or privacy" },
	{ "info --mode nope", 2, "edgeai info: --mode nope: expected auto, direct or kmod" },
	{ "check-q8 --values 33", 2, "edgeai check-q8: --values 33: expected a multiple of 32" },
	{ "synth -o x.gguf --type q8_0 --seed 12z", 2, "edgeai synth: --seed 12z: expected" },
	{ "probe -c x.json --rounds 33", 2,
	  "edgeai probe: --rounds 33: expected an integer from 1 to 32" },
	{ "perplexity -m x.gguf -f x.txt --ctx -1", 2, "edgeai perplexity: --ctx -1: expected" },
	{ "run -m x.gguf", 2, "edgeai run: -m MODEL and -p PROMPT are needed" },
	/* A value that looks like an option is the value: the model is opened. */
	{ "run -m /nonexistent/x.gguf -p --help", 1, "/nonexistent/x.gguf" },
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))
#define N_CASES (sizeof(cases) / sizeof(cases[0]))

static char edgeai[PATH_MAX];

/* `edgeai ARGS`, stdout and stderr into @out: its exit status, -1 if it did not exit. */
static int run_edgeai(const char *args, char *out, size_t n)
{
	char cmd[PATH_MAX + 512];
	size_t used = 0, got;
	FILE *f;
	int status;

	snprintf(cmd, sizeof(cmd), "'%s' %s 2>&1 </dev/null", edgeai, args);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	while (used + 1 < n && (got = fread(out + used, 1, n - 1 - used, f)) > 0)
		used += got;
	out[used] = '\0';
	status = pclose(f);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static bool check_case(const struct cli_case *c)
{
	char out[8192];
	int status = run_edgeai(c->args, out, sizeof(out));

	if (status == c->status && strstr(out, c->says))
		return true;
	tap_diag("exit status %d, output: %s", status, out);
	return false;
}

static bool check_help(const char *command)
{
	char args[64], head[64], out[8192];
	int status;

	snprintf(args, sizeof(args), "%s --help", command);
	snprintf(head, sizeof(head), "edgeai %s - ", command);
	status = run_edgeai(args, out, sizeof(out));
	if (status == 0 && strncmp(out, head, strlen(head)) == 0 && strstr(out, "usage: edgeai "))
		return true;
	tap_diag("exit status %d, output: %s", status, out);
	return false;
}

/* Two spellings of the same synth options write the same file. */
static bool check_value_forms(const char *dir)
{
	char args[3 * PATH_MAX], out[4096], a[PATH_MAX], b[PATH_MAX];

	snprintf(a, sizeof(a), "%s/a.gguf", dir);
	snprintf(b, sizeof(b), "%s/b.gguf", dir);
	snprintf(args, sizeof(args), "synth -o '%s' --type q8_0 --preset tiny --layers 1 --seed 3",
		 a);
	if (run_edgeai(args, out, sizeof(out)) != 0)
		return false;
	snprintf(args, sizeof(args), "synth '-o%s' --type=q8_0 --preset=tiny --layers=1 --seed=3",
		 b);
	if (run_edgeai(args, out, sizeof(out)) != 0) {
		tap_diag("%s", out);
		return false;
	}
	snprintf(args, sizeof(args), "cmp -s '%s' '%s'", a, b);
	return system(args) == 0;
}

int main(void)
{
	char dir[] = "/tmp/edgeai-test-cli-XXXXXX", path[PATH_MAX];
	struct tap t = { 0 };
	int n = (int)(N_COMMANDS + N_CASES + 1);

	tap_plan(&t, n);
	if (!ea_test_edgeai_path(edgeai, sizeof(edgeai)) || !mkdtemp(dir)) {
		for (int i = 0; i < n; i++)
			tap_ok(&t, true, "# SKIP build/bin/edgeai not built");
		return tap_done(&t);
	}
	for (size_t i = 0; i < N_COMMANDS; i++)
		tap_ok(&t, check_help(commands[i]), "edgeai %s --help: the usage, exit 0",
		       commands[i]);
	for (size_t i = 0; i < N_CASES; i++)
		tap_ok(&t, check_case(&cases[i]), "edgeai %s: exit %d, \"%s\"", cases[i].args,
		       cases[i].status, cases[i].says);
	tap_ok(&t, check_value_forms(dir),
	       "synth: --name=value and -oFILE write what --name value and -o FILE do");
	snprintf(path, sizeof(path), "%s/a.gguf", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/b.gguf", dir);
	unlink(path);
	rmdir(dir);
	return tap_done(&t);
}

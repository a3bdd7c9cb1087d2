/* SPDX-License-Identifier: MIT */
/*
 * ea_test_tool.h - host tests that run the edgeai command line: find
 * build/bin/edgeai from the test binary's own path (build/tests/host/NAME),
 * run a command and wait for it, synthesize a model, read the port an
 * `edgeai serve` on port 0 says it listens on.
 */
#ifndef EA_TEST_TOOL_H
#define EA_TEST_TOOL_H

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* build/bin/edgeai into @out; false when it is not there or not executable. */
static inline bool ea_test_edgeai_path(char *out, size_t n)
{
	char exe[PATH_MAX];
	ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (len <= 0)
		return false;
	exe[len] = '\0';
	for (int i = 0; i < 3; i++) {
		char *slash = strrchr(exe, '/');

		if (!slash)
			return false;
		*slash = '\0';
	}
	return (size_t)snprintf(out, n, "%s/bin/edgeai", exe) < n && access(out, X_OK) == 0;
}

/* Runs argv (argv[0] a path) and waits: its exit status, -1 if it did not exit. */
static inline int ea_test_run_wait(char *const argv[])
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		execv(argv[0], argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* `edgeai synth -o OUT ARGS` (ARGS split by the shell), its stdout discarded
 * so TAP stays clean, its stderr kept: true when it succeeded. */
static inline bool ea_test_synth(const char *edgeai, const char *out, const char *args)
{
	char cmd[3 * PATH_MAX + 64];

	snprintf(cmd, sizeof(cmd), "'%s' synth -o '%s' %s >/dev/null", edgeai, out, args);
	return system(cmd) == 0;
}

/* The port of `edgeai serve`'s "listening on http://127.0.0.1:PORT/v1" line
 * in the log file @log; 0 before it is there. */
static inline int ea_test_read_port(const char *log)
{
	static const char at[] = "listening on http://127.0.0.1:";
	char line[1024];
	FILE *f = fopen(log, "r");
	int port = 0;

	while (f && !port && fgets(line, sizeof(line), f)) {
		char *p = strstr(line, at);

		if (p)
			port = atoi(p + strlen(at));
	}
	if (f)
		fclose(f);
	return port;
}

#endif

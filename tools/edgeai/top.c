// SPDX-License-Identifier: MIT
/*
 * edgeai top - what the edgeai accelerator is doing, client by client, from
 * the module's fdinfo (top_scan): device memory (total, shared, resident),
 * the engine's busy share from drm-engine-edgeai between two samples, jobs
 * a second and failed jobs. A live table (ANSI escapes, no curses), or with
 * --once one sample pair; --json as one JSON object. A normal user sees its
 * own clients, root every one.
 */
#include <json-c/json.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"
#include "top_scan.h"

enum sort_key { SORT_BUSY, SORT_MEMORY, SORT_PID };

struct top_options {
	const char *proc;
	int interval_ms;
	bool once, json;
	enum sort_key sort;
};

/* A client between two samples. */
struct row {
	const struct top_client *c;
	double busy_pct, jobs_per_s;
};

static int n_rows(const struct top_sample *prev, const struct top_sample *cur, struct row *rows)
{
	double dt_ms = cur->at_ms - prev->at_ms;

	for (int i = 0; i < cur->n; i++) {
		const struct top_client *c = &cur->clients[i];
		const struct top_client *p = top_find(prev, c->client_id);
		double busy_ns = p && c->engine_ns >= p->engine_ns ? (double)(c->engine_ns - p->engine_ns) : 0;
		double jobs = p && c->jobs_completed >= p->jobs_completed ?
			      (double)(c->jobs_completed - p->jobs_completed) : 0;

		rows[i] = (struct row){ c, dt_ms > 0 ? 100.0 * busy_ns / (dt_ms * 1e6) : 0,
					dt_ms > 0 ? jobs * 1e3 / dt_ms : 0 };
	}
	return cur->n;
}

static enum sort_key g_sort;

static int by_key(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (g_sort == SORT_PID)
		return x->c->pid - y->c->pid;
	if (g_sort == SORT_MEMORY)
		return (y->c->total_bytes > x->c->total_bytes) - (y->c->total_bytes < x->c->total_bytes);
	return (y->busy_pct > x->busy_pct) - (y->busy_pct < x->busy_pct);
}

static void print_json(const struct row *rows, int n, const struct top_sample *cur)
{
	json_object *root = json_object_new_object(), *list = json_object_new_array();

	for (int i = 0; i < n; i++) {
		json_object *o = json_object_new_object();
		const struct top_client *c = rows[i].c;

		json_object_object_add(o, "pid", json_object_new_int(c->pid));
		json_object_object_add(o, "command", json_object_new_string(c->comm));
		json_object_object_add(o, "client_id", json_object_new_int64((int64_t)c->client_id));
		json_object_object_add(o, "busy_pct", json_object_new_double(rows[i].busy_pct));
		json_object_object_add(o, "jobs_per_s", json_object_new_double(rows[i].jobs_per_s));
		json_object_object_add(o, "jobs_submitted", json_object_new_int64((int64_t)c->jobs_submitted));
		json_object_object_add(o, "jobs_completed", json_object_new_int64((int64_t)c->jobs_completed));
		json_object_object_add(o, "jobs_failed", json_object_new_int64((int64_t)c->jobs_failed));
		json_object_object_add(o, "engine_ns", json_object_new_int64((int64_t)c->engine_ns));
		json_object_object_add(o, "memory_total", json_object_new_int64((int64_t)c->total_bytes));
		json_object_object_add(o, "memory_shared", json_object_new_int64((int64_t)c->shared_bytes));
		json_object_object_add(o, "memory_resident",
				       json_object_new_int64((int64_t)c->resident_bytes));
		json_object_array_add(list, o);
	}
	json_object_object_add(root, "clients", list);
	json_object_object_add(root, "unreadable_processes", json_object_new_int(cur->unreadable));
	printf("%s\n", json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN));
	json_object_put(root);
}

static void print_table(const struct row *rows, int n, const struct top_sample *cur, bool live)
{
	double busy = 0;

	for (int i = 0; i < n; i++)
		busy += rows[i].busy_pct;
	if (live)
		printf("\033[H\033[2J");
	printf("edgeai top: %d client(s), engine %.1f%% busy%s\n", n, busy,
	       cur->unreadable ? " (some processes not readable: run as root to see all)" : "");
	printf("%7s %-16s %6s %7s %8s %7s %10s %10s %10s\n", "PID", "COMMAND", "CLIENT", "BUSY%",
	       "JOBS/S", "FAILED", "MEM", "SHARED", "RESIDENT");
	for (int i = 0; i < n; i++) {
		const struct top_client *c = rows[i].c;

		printf("%7d %-16.16s %6llu %7.1f %8.1f %7llu %9.1fM %9.1fM %9.1fM\n", c->pid, c->comm,
		       (unsigned long long)c->client_id, rows[i].busy_pct, rows[i].jobs_per_s,
		       (unsigned long long)c->jobs_failed, c->total_bytes / 1048576.0,
		       c->shared_bytes / 1048576.0, c->resident_bytes / 1048576.0);
	}
	if (live)
		printf("\nq quit   b sort by busy   m by memory   p by pid\n");
	fflush(stdout);
}

/* Waits @ms for a key (when stdin is a terminal in raw mode): the key, or 0. */
static int key_within(int ms, bool keys)
{
	struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
	char c = 0;

	if (!keys) {
		usleep((useconds_t)ms * 1000);
		return 0;
	}
	if (poll(&p, 1, ms) > 0 && read(STDIN_FILENO, &c, 1) == 1)
		return c;
	return 0;
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int top(const struct top_options *o)
{
	struct top_sample prev, cur;
	struct termios saved, raw;
	bool keys = !o->once && isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0;
	struct row *rows = NULL;
	int rc = 0;

	g_sort = o->sort;
	if (!top_scan(o->proc, &prev)) {
		fprintf(stderr, "edgeai top: out of memory\n");
		return 1;
	}
	if (keys) {
		raw = saved;
		raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
		tcsetattr(STDIN_FILENO, TCSANOW, &raw);
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	while (!stop) {
		int key = key_within(o->interval_ms, keys), n;
		struct row *grown;

		if (key == 'q')
			break;
		if (key == 'b' || key == 'm' || key == 'p')
			g_sort = key == 'b' ? SORT_BUSY : key == 'm' ? SORT_MEMORY : SORT_PID;
		if (!top_scan(o->proc, &cur)) {
			rc = 1;
			break;
		}
		grown = realloc(rows, (size_t)(cur.n ? cur.n : 1) * sizeof(*rows));
		if (!grown) {
			top_sample_free(&cur);
			rc = 1;
			break;
		}
		rows = grown;
		n = n_rows(&prev, &cur, rows);
		qsort(rows, (size_t)n, sizeof(*rows), by_key);
		if (o->json)
			print_json(rows, n, &cur);
		else
			print_table(rows, n, &cur, !o->once);
		top_sample_free(&prev);
		prev = cur;
		if (o->once)
			break;
	}
	if (keys)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	top_sample_free(&prev);
	free(rows);
	return rc;
}

enum { OPT_ONCE = CLI_OPT_OWN, OPT_JSON, OPT_INTERVAL, OPT_PROC, OPT_SORT };

static const struct option long_options[] = {
	{ "once", no_argument, NULL, OPT_ONCE },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "interval", required_argument, NULL, OPT_INTERVAL },
	{ "proc", required_argument, NULL, OPT_PROC },
	{ "sort", required_argument, NULL, OPT_SORT },
	CLI_OPTIONS_END
};

static int run_top(int argc, char **argv)
{
	struct top_options o = { .proc = "/proc", .interval_ms = 1000 };
	struct cli_parser p;

	cli_parser_init(&p, &cli_top, argc, argv, "", long_options);
	while (cli_next(&p) != -1) {
		switch (p.option) {
		case OPT_ONCE:
			o.once = true;
			break;
		case OPT_JSON:
			o.json = true;
			break;
		case OPT_INTERVAL:
			cli_int(&p, 10, 60000, &o.interval_ms);
			break;
		case OPT_PROC:
			o.proc = optarg;
			break;
		case OPT_SORT:
			if (!strcmp(optarg, "busy"))
				o.sort = SORT_BUSY;
			else if (!strcmp(optarg, "memory"))
				o.sort = SORT_MEMORY;
			else if (!strcmp(optarg, "pid"))
				o.sort = SORT_PID;
			else
				cli_bad_value(&p, "expected busy, memory or pid");
			break;
		}
	}
	if (p.exit_status != CLI_CONTINUE)
		return p.exit_status;
	return top(&o);
}

const struct cli_command cli_top = {
	.name = "top",
	.summary = "the accelerator's clients live: memory, engine busy %, jobs/s (from fdinfo)",
	.usage = "[--once] [--json] [--interval MS] [--sort busy|memory|pid] [--proc DIR]\n"
		 "  Every open file of the edgeai device, from /proc/PID/fdinfo: the client's\n"
		 "  device memory (total, shared, resident), the engine's busy share between two\n"
		 "  samples --interval apart (1000 ms), jobs completed a second and failed.\n"
		 "  Live: a table redrawn each interval; keys q quit, b/m/p sort by busy,\n"
		 "  memory, pid. --once: one sample pair; --json: as one JSON object. A normal\n"
		 "  user sees its own clients, root all. --proc: another proc tree (tests).\n"
		 "  Not shown yet: queue depths, the executor's state, routing decisions, the\n"
		 "  cloud's figures.",
	.run = run_top,
};

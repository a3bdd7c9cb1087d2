// SPDX-License-Identifier: MIT
/*
 * edgeai top - what the edgeai accelerator is doing: its clients from the
 * module's fdinfo (top_scan: memory, engine busy share and jobs a second
 * between two snapshots), the device from its sysfs files (top_device: the
 * executor's state, queue depths by priority, routing decisions a second by
 * reason) and the cloud's measured figures. A live ncurses screen with keys
 * to sort and quit (top_curses), plain lines where there is no terminal
 * (top_plain), or with --once one snapshot pair; --json as JSON (top_json).
 * A normal user sees its own clients, root every one.
 */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "cli.h"
#include "ea_clock.h"
#include "route_cli.h"
#include "top_view.h"

struct top_options {
	struct top_sources src;
	int interval_ms;
	bool once, json;
	enum top_sort sort;
	char cache[4096];
};

enum view { VIEW_JSON, VIEW_PLAIN, VIEW_CURSES };

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* SIGINT and SIGTERM end the loop; installed before curses, which then
 * leaves them alone, and without SA_RESTART so that a wait returns. */
static void catch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static void show(enum view view, const struct top_frame *f)
{
	if (view == VIEW_JSON)
		top_print_json(f);
	else if (view == VIEW_CURSES)
		top_curses_draw(f);
	else
		top_print_plain(f);
}

static int sort_of_key(int key)
{
	switch (key) {
	case 'b':
		return TOP_SORT_BUSY;
	case 'm':
		return TOP_SORT_MEMORY;
	case 'p':
		return TOP_SORT_PID;
	case 'j':
		return TOP_SORT_JOBS;
	}
	return -1;
}

/*
 * Wait out @ms; on the curses screen, keys meanwhile: false for q. A sort
 * key sorts @f (when it holds a frame) and redraws it at once.
 */
static bool wait_interval(enum view view, int ms, enum top_sort *sort, struct top_frame *f)
{
	double due = ea_now_ms() + ms, left;

	if (view != VIEW_CURSES) {
		usleep((useconds_t)ms * 1000);
		return true;
	}
	while (!stop && (left = due - ea_now_ms()) > 0) {
		int key = top_curses_key((int)left + 1), by = sort_of_key(key);

		if (key == 'q' || key == 'Q')
			return false;
		if (by >= 0)
			*sort = (enum top_sort)by;
		if ((by >= 0 || key == TOP_KEY_RESIZE) && f->now) {
			top_frame_sort(f, *sort);
			top_curses_draw(f);
		}
	}
	return true;
}

static int top(struct top_options *o)
{
	struct top_snapshot before, now;
	struct top_frame frame = { 0 };
	enum view view = o->json ? VIEW_JSON : VIEW_PLAIN;
	char why[512];
	int rc = 0;

	if (!top_snapshot_take(&o->src, &before, why, sizeof(why))) {
		fprintf(stderr, "edgeai top: %s\n", why);
		return 1;
	}
	catch_signals();
	if (!o->once && !o->json && top_curses_start())
		view = VIEW_CURSES;
	while (!stop) {
		if (!wait_interval(view, o->interval_ms, &o->sort, &frame) || stop)
			break;
		if (!top_snapshot_take(&o->src, &now, why, sizeof(why))) {
			rc = 1;
			break;
		}
		top_frame_free(&frame);
		if (!top_frame_make(&before, &now, o->sort, &frame)) {
			snprintf(why, sizeof(why), "out of memory");
			top_snapshot_free(&now);
			rc = 1;
			break;
		}
		show(view, &frame);
		top_snapshot_free(&before);
		before = now;
		if (o->once)
			break;
		if (view == VIEW_PLAIN)
			printf("\n");
	}
	top_curses_end();
	if (rc)
		fprintf(stderr, "edgeai top: %s\n", why);
	top_frame_free(&frame);
	top_snapshot_free(&before);
	return rc;
}

enum { OPT_ONCE = CLI_OPT_OWN, OPT_JSON, OPT_INTERVAL, OPT_PROC, OPT_SYS, OPT_CACHE, OPT_SORT };

static const struct option long_options[] = {
	{ "once", no_argument, NULL, OPT_ONCE },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "interval", required_argument, NULL, OPT_INTERVAL },
	{ "sort", required_argument, NULL, OPT_SORT },
	{ "cache", required_argument, NULL, OPT_CACHE },
	{ "proc", required_argument, NULL, OPT_PROC },
	{ "sys", required_argument, NULL, OPT_SYS },
	CLI_OPTIONS_END
};

static int run_top(int argc, char **argv)
{
	struct top_options o = { .src = { .proc = "/proc", .sys = "/sys" }, .interval_ms = 1000 };
	struct cli_parser p;
	int sort;

	if (route_cli_cache_path(o.cache, sizeof(o.cache), false))
		o.src.cache = o.cache;
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
		case OPT_SORT:
			if (cli_choice(&p, top_sort_names, TOP_SORT_COUNT, &sort))
				o.sort = (enum top_sort)sort;
			break;
		case OPT_CACHE:
			o.src.cache = optarg;
			break;
		case OPT_PROC:
			o.src.proc = optarg;
			break;
		case OPT_SYS:
			o.src.sys = optarg;
			break;
		}
	}
	if (p.exit_status != CLI_CONTINUE)
		return p.exit_status;
	return top(&o);
}

const struct cli_command cli_top = {
	.name = "top",
	.summary = "the accelerator live: clients, executor, queues, routing, cloud",
	.usage = "[--once] [--json] [--interval MS] [--sort busy|memory|pid|jobs]\n"
		 "  [--cache FILE] [--proc DIR] [--sys DIR]\n"
		 "  Samples twice --interval apart (1000 ms) and shows the difference: every\n"
		 "  client of the edgeai device (pid, command, device memory total/shared/\n"
		 "  resident, engine busy %, jobs/s, failed jobs: /proc/PID/fdinfo), the\n"
		 "  executor's state, queue depths by priority, memory in use, routing\n"
		 "  decisions a second by decision and reason (the device's sysfs files), and\n"
		 "  the cloud's measured round trip and tokens/s (the scheduler's pinned map,\n"
		 "  else the probe cache: --cache, default $EDGEAI_PROBE_CACHE, else\n"
		 "  ~/.cache/edgeai/cloud-probe.json).\n"
		 "  On a terminal: a live screen, keys q quit, b/m/p/j sort by busy, memory,\n"
		 "  pid, jobs/s. Without one: plain text every interval (Ctrl-C ends it).\n"
		 "  --once: one sample pair, then exit; --json: as JSON (a line per interval\n"
		 "  without --once). A normal user sees its own clients, root all.\n"
		 "  --proc, --sys: other proc and sys trees (tests).",
	.run = run_top,
};

/* SPDX-License-Identifier: MIT */
/*
 * top_view - how edgeai top shows a frame (top_frame.h):
 *  - top_lines.c: the frame as lines of text (the device's panel, the
 *    clients' table), which both terminal views print;
 *  - top_plain.c: those lines on stdout, for a pipe or a terminal curses
 *    cannot drive, and for --once;
 *  - top_curses.c: a live ncurses screen, redrawn each interval, with keys;
 *  - top_json.c: one JSON object (--json).
 */
#ifndef TOP_VIEW_H
#define TOP_VIEW_H

#include <stddef.h>

#include "top_frame.h"

#define TOP_LINE 200			/* bytes of one line, the NUL included */
#define TOP_PANEL_LINES 6		/* lines of the device's panel at most */

/* The title: clients, the engine's busy share, the interval. */
void top_line_title(const struct top_frame *f, char *out, size_t n);
/* The device's panel (executor, queues, memory, routing, cloud): its lines. */
int top_lines_panel(const struct top_frame *f, char lines[TOP_PANEL_LINES][TOP_LINE]);
/* The table's header, and a row. */
void top_line_columns(char *out, size_t n);
void top_line_row(const struct top_row *row, char *out, size_t n);
/* What the keys do, and which sort is on. */
void top_line_keys(const struct top_frame *f, char *out, size_t n);

void top_print_plain(const struct top_frame *f);
void top_print_json(const struct top_frame *f);

/* The curses screen; false when the terminal cannot be driven (then the
 * plain view is used). */
bool top_curses_start(void);
void top_curses_draw(const struct top_frame *f);
/* A key pressed within @ms: its character, TOP_KEY_RESIZE when the terminal
 * changed size, 0 when none. */
#define TOP_KEY_RESIZE (-2)
int top_curses_key(int ms);
void top_curses_end(void);

#endif /* TOP_VIEW_H */

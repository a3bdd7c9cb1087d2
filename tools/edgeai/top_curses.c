// SPDX-License-Identifier: MIT
/*
 * top_curses - edgeai top's live screen (ncurses), in the manner of nvtop and
 * intel_gpu_top: a title bar, the engine's busy bar, the device's panel, the
 * clients' table (as many rows as fit) and the keys. See top_view.h.
 */
#include <curses.h>
#include <string.h>
#include <unistd.h>

#include "top_view.h"

enum { PAIR_BAR = 1, PAIR_TITLE };

static SCREEN *screen;

bool top_curses_start(void)
{
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return false;
	screen = newterm(NULL, stdout, stdin);
	if (!screen)
		return false;
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	if (has_colors()) {
		start_color();
		use_default_colors();
		init_pair(PAIR_BAR, COLOR_GREEN, -1);
		init_pair(PAIR_TITLE, COLOR_BLACK, COLOR_CYAN);
	}
	return true;
}

/* A whole-width line at @y in @attr. */
static void bar_line(int y, const char *text, attr_t attr)
{
	attron(attr);
	mvhline(y, 0, ' ', COLS);
	mvaddnstr(y, 0, text, COLS);
	attroff(attr);
}

/* "engine [||||      ]  45.3%", the clients' busy share together. */
static void busy_bar(int y, double pct)
{
	int width = COLS - 20, filled;

	if (width < 10)
		return;
	filled = (int)(width * (pct > 100 ? 100 : pct) / 100 + 0.5);
	mvaddstr(y, 0, "engine  [");
	attron(COLOR_PAIR(PAIR_BAR) | A_BOLD);
	for (int i = 0; i < filled; i++)
		addch('|');
	attroff(COLOR_PAIR(PAIR_BAR) | A_BOLD);
	mvprintw(y, 9 + width, "] %5.1f%%", pct);
}

/* A panel line: its label (the first word) bold, the rest plain. */
static void panel_line(int y, const char *text)
{
	size_t label = strcspn(text, " ");

	attron(A_BOLD);
	mvaddnstr(y, 0, text, (int)label < COLS ? (int)label : COLS);
	attroff(A_BOLD);
	if ((int)label < COLS)
		mvaddnstr(y, (int)label, text + label, COLS - (int)label);
}

void top_curses_draw(const struct top_frame *f)
{
	char panel[TOP_PANEL_LINES][TOP_LINE], line[TOP_LINE];
	int n = top_lines_panel(f, panel), y = 0;
	attr_t title = has_colors() ? COLOR_PAIR(PAIR_TITLE) : A_REVERSE;

	erase();
	top_line_title(f, line, sizeof(line));
	bar_line(y++, line, title | A_BOLD);
	busy_bar(y++, f->busy_pct);
	for (int i = 0; i < n && y < LINES - 1; i++)
		panel_line(y++, panel[i]);
	y++;
	if (y < LINES - 1) {
		top_line_columns(line, sizeof(line));
		bar_line(y++, line, A_REVERSE);
	}
	for (int i = 0; i < f->n_rows && y < LINES - 1; i++) {
		top_line_row(&f->rows[i], line, sizeof(line));
		mvaddnstr(y++, 0, line, COLS);
	}
	top_line_keys(f, line, sizeof(line));
	bar_line(LINES - 1, line, A_REVERSE);
	refresh();
}

int top_curses_key(int ms)
{
	int key;

	timeout(ms);
	key = getch();
	if (key == KEY_RESIZE)
		return TOP_KEY_RESIZE;
	return key == ERR || key > 255 ? 0 : key;
}

void top_curses_end(void)
{
	if (!screen)
		return;
	endwin();
	delscreen(screen);
	screen = NULL;
}

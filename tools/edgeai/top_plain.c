// SPDX-License-Identifier: MIT
/* top_plain - a frame of edgeai top as plain lines on stdout (see top_view.h). */
#include <stdio.h>

#include "top_view.h"

void top_print_plain(const struct top_frame *f)
{
	char panel[TOP_PANEL_LINES][TOP_LINE], line[TOP_LINE];
	int n = top_lines_panel(f, panel);

	top_line_title(f, line, sizeof(line));
	printf("%s\n", line);
	for (int i = 0; i < n; i++)
		printf("%s\n", panel[i]);
	top_line_columns(line, sizeof(line));
	printf("\n%s\n", line);
	for (int i = 0; i < f->n_rows; i++) {
		top_line_row(&f->rows[i], line, sizeof(line));
		printf("%s\n", line);
	}
	fflush(stdout);
}

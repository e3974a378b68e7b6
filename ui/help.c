// SPDX-License-Identifier: GPL-2.0
#include "ui/help.h"

#include <string.h>

#define HELP_KEY_COLS 8

/* Draw the rows of one key table group by group in a column; returns the next row. */
static int draw_keys(struct canvas *cv, int row, int col, int width,
		     const struct keymap_entry *keys, size_t n)
{
	const char *group = NULL;

	for (size_t i = 0; i < n; i++) {
		if (!keys[i].help)
			continue;
		if (!group || strcmp(group, keys[i].group)) {
			group = keys[i].group;
			if (row > 2)
				row++;
			canvas_put(cv, row++, col, THEME_TITLE, group);
		}
		canvas_printf(cv, row, col + 1, THEME_FOOTER_KEY, "%-*s", HELP_KEY_COLS - 1,
			      keys[i].key_name);
		canvas_put_fit(cv, row, col + 1 + HELP_KEY_COLS, width - HELP_KEY_COLS - 2,
			       THEME_DEFAULT, keys[i].help);
		row++;
	}
	return row;
}

/* Draw text's lines from row on, in role, within width columns from col; the next row. */
static int draw_lines(struct canvas *cv, int row, int col, int width, enum theme_role role,
		      const char *text)
{
	const char *line = text;

	while (line && *line) {
		const char *nl = strchr(line, '\n');
		char buf[256];
		size_t len = nl ? (size_t)(nl - line) : strlen(line);

		if (len >= sizeof(buf))
			len = sizeof(buf) - 1;
		memcpy(buf, line, len);
		buf[len] = '\0';
		canvas_put_fit(cv, row++, col, width, role, buf);
		line = nl ? nl + 1 : NULL;
	}
	return row;
}

void help_draw(struct canvas *cv, const struct keymap *global, const struct panel_ops *ops,
	       const char *drops_text, const char *system_text)
{
	int half = cv->width / 2, row, top;

	canvas_put(cv, 0, 1, THEME_HEADER_VALUE, "ktop help: press any key to return (q quits)");
	/* the drop counters first, whole, where the header had to cut them */
	top = draw_lines(cv, 1, 1, cv->width - 2, THEME_WARN, drops_text) + 1;
	draw_keys(cv, top, 1, half - 1, global->rows, global->n);
	row = top;
	if (ops) {
		row = draw_keys(cv, row, half, cv->width - half, ops->keys, ops->nkeys);
		if (ops->nwidget_keys)
			row = draw_keys(cv, row, half, cv->width - half, ops->widget_keys,
					ops->nwidget_keys);
		row++;
	}
	canvas_put(cv, row++, half, THEME_TITLE, "System");
	draw_lines(cv, row, half + 1, cv->width - half - 2, THEME_DEFAULT, system_text);
}

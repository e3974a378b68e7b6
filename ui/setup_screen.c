// SPDX-License-Identifier: GPL-2.0
#include "ui/setup_screen.h"

#include <ncurses.h>

#include "ui/canvas.h"

#define SETUP_FIRST_ROW 2 /* the rows start below the title and a blank line */
#define SETUP_LABEL_COLS 30

enum setup_action setup_screen_key(int key, size_t n, size_t *selected)
{
	switch (key) {
	case KEY_UP:
	case 'k':
		if (*selected > 0)
			(*selected)--;
		return SETUP_MOVED;
	case KEY_DOWN:
	case 'j':
		if (*selected + 1 < n)
			(*selected)++;
		return SETUP_MOVED;
	case KEY_HOME:
		*selected = 0;
		return SETUP_MOVED;
	case KEY_END:
		*selected = n ? n - 1 : 0;
		return SETUP_MOVED;
	case '\n':
	case '\r':
	case KEY_ENTER:
	case KEY_RIGHT:
	case ' ':
	case '+':
		return SETUP_NEXT;
	case KEY_LEFT:
	case '-':
		return SETUP_PREV;
	case 27: /* Esc */
	case KEY_F(2):
	case 'S':
	case 'q':
		return SETUP_LEAVE;
	default:
		return SETUP_NONE;
	}
}

enum setup_action setup_screen_click(int row, size_t n, size_t *selected)
{
	size_t i;

	if (row < SETUP_FIRST_ROW)
		return SETUP_NONE;
	i = (size_t)(row - SETUP_FIRST_ROW);
	if (i >= n)
		return SETUP_NONE;
	if (i == *selected)
		return SETUP_NEXT;
	*selected = i;
	return SETUP_MOVED;
}

void setup_screen_draw(struct canvas *cv, const struct setup_row *rows, size_t n,
		       size_t selected, const char *path)
{
	int row = SETUP_FIRST_ROW;

	canvas_put(cv, 0, 1, THEME_HEADER_VALUE,
		   "Setup: Up/Down choose, Right/Left change, Enter types a value or opens a "
		   "table's columns, Esc saves and leaves");
	for (size_t i = 0; i < n && canvas_has_row(cv, row); i++, row++) {
		canvas_printf(cv, row, 2, THEME_DEFAULT, "%-*s", SETUP_LABEL_COLS, rows[i].label);
		canvas_put_fit(cv, row, 2 + SETUP_LABEL_COLS, cv->width - SETUP_LABEL_COLS - 3,
			       THEME_HEADER_VALUE, rows[i].value);
		if (i == selected)
			canvas_set_role(cv, row, 0, -1, THEME_SELECTION);
	}
	row++;
	if (selected < n)
		canvas_put_fit(cv, row++, 2, cv->width - 3, THEME_DIM, rows[selected].help);
	canvas_put_fit(cv, row + 1, 2, cv->width - 3, THEME_DIM,
		       path && path[0] ? path : "settings are not saved (--no-config or no home)");
}

int setup_screen_page(int rows)
{
	/* the title and a blank line above; a blank, the help, a blank and the path below */
	int page = rows - SETUP_FIRST_ROW - 4;

	return page > 1 ? page : 1;
}

enum setup_columns_action setup_columns_key(int key, size_t n, size_t *selected)
{
	switch (key) {
	case ' ':
	case '\n':
	case '\r':
	case KEY_ENTER:
		return SETUP_COLUMNS_TOGGLE;
	case '[':
	case '-':
	case KEY_F(7):
		return SETUP_COLUMNS_LEFT;
	case ']':
	case '+':
	case KEY_F(8):
		return SETUP_COLUMNS_RIGHT;
	case 27: /* Esc */
	case KEY_LEFT:
	case 'q':
		return SETUP_COLUMNS_BACK;
	default:
		return setup_screen_key(key, n, selected) == SETUP_MOVED ? SETUP_COLUMNS_MOVED
									 : SETUP_COLUMNS_NONE;
	}
}

enum setup_columns_action setup_columns_click(int row, size_t n, size_t *selected)
{
	switch (setup_screen_click(row, n, selected)) {
	case SETUP_MOVED:
		return SETUP_COLUMNS_MOVED;
	case SETUP_NEXT:
		return SETUP_COLUMNS_TOGGLE;
	default:
		return SETUP_COLUMNS_NONE;
	}
}

void setup_columns_draw(struct canvas *cv, const char *title, const struct setup_column *cols,
			size_t n, size_t selected)
{
	int row = SETUP_FIRST_ROW;

	canvas_printf(cv, 0, 1, THEME_HEADER_VALUE,
		      "Columns of %s: Space shows or hides, [ ] (F7 F8) move, Esc back", title);
	for (size_t i = 0; i < n && canvas_has_row(cv, row); i++, row++) {
		canvas_printf(cv, row, 2, cols[i].shown ? THEME_DEFAULT : THEME_DIM,
			      "[%c] %-12s %s", cols[i].shown ? 'x' : ' ', cols[i].title,
			      cols[i].name);
		if (i == selected)
			canvas_set_role(cv, row, 0, -1, THEME_SELECTION);
	}
	canvas_put_fit(cv, row + 1, 2, cv->width - 3, THEME_DIM,
		       "shown columns first, in their order on screen; changes apply at once and "
		       "are saved as columns.TABLE in the settings file");
}

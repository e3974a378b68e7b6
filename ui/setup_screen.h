/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The setup screen (F2, S): a list of settings with their values, htop-like. It draws the
 * rows core gives it and says what a key or a click asks for; core changes the settings.
 */
#ifndef KTOP_SETUP_SCREEN_H
#define KTOP_SETUP_SCREEN_H

#include <stdbool.h>
#include <stddef.h>

#include "ui/canvas.h"

/* One row: what it is, its value as text, a line of help for the selected one. */
struct setup_row {
	const char *label;
	char value[72];
	const char *help;
};

/* What a key on the setup screen asks for. */
enum setup_action {
	SETUP_NONE,  /* not a key of the setup screen */
	SETUP_MOVED, /* the selection moved */
	SETUP_NEXT,  /* the selected setting's next value (Enter, Right, +, Space) */
	SETUP_PREV,  /* its previous value (Left, -) */
	SETUP_LEAVE, /* close the screen (Esc, F2, S, q) */
};

/* One row of the columns page: a column of a table, shown or not. */
struct setup_column {
	const char *name;  /* as the settings name it: "pid" */
	const char *title; /* as the table shows it: "PID" */
	bool shown;
};

/* What a key on the columns page asks for. */
enum setup_columns_action {
	SETUP_COLUMNS_NONE,
	SETUP_COLUMNS_MOVED,  /* the selection moved */
	SETUP_COLUMNS_TOGGLE, /* show or hide the selected column (Space, Enter) */
	SETUP_COLUMNS_LEFT,   /* move it one place earlier ([, F7, -) */
	SETUP_COLUMNS_RIGHT,  /* one place later (], F8, +) */
	SETUP_COLUMNS_BACK,   /* back to the settings (Esc, Left, q) */
};

/* Where a key takes *selected among n rows, or what it asks for. */
enum setup_action setup_screen_key(int key, size_t n, size_t *selected);
/* A click on body row row: select it (SETUP_MOVED), or change it when already selected. */
enum setup_action setup_screen_click(int row, size_t n, size_t *selected);
/* Draw the rows, the selected one highlighted, its help and where the file is. */
void setup_screen_draw(struct canvas *cv, const struct setup_row *rows, size_t n,
		       size_t selected, const char *path);

/* How many rows of settings (or columns) a body of height rows shows; the rest scroll. */
int setup_screen_page(int rows);
/* Where a key on the columns page takes *selected among n rows, or what it asks for. */
enum setup_columns_action setup_columns_key(int key, size_t n, size_t *selected);
/* A click on the columns page's body row row: select it, or toggle it when already selected. */
enum setup_columns_action setup_columns_click(int row, size_t n, size_t *selected);
/* The columns page of table title: its columns, the shown ones first in their order. */
void setup_columns_draw(struct canvas *cv, const char *title, const struct setup_column *cols,
			size_t n, size_t selected);

#endif

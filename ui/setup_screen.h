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

/* Where a key takes *selected among n rows, or what it asks for. */
enum setup_action setup_screen_key(int key, size_t n, size_t *selected);
/* A click on body row row: select it (SETUP_MOVED), or change it when already selected. */
enum setup_action setup_screen_click(int row, size_t n, size_t *selected);
/* Draw the rows, the selected one highlighted, its help and where the file is. */
void setup_screen_draw(struct canvas *cv, const struct setup_row *rows, size_t n,
		       size_t selected, const char *path);

#endif

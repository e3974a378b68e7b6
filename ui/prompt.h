/* SPDX-License-Identifier: GPL-2.0 */
/* A one-line prompt at the bottom of the screen: edit, Enter to submit, Esc to cancel. */
#ifndef KTOP_PROMPT_H
#define KTOP_PROMPT_H

#include <stdbool.h>
#include <stddef.h>

#include "ui/canvas.h"

#define PROMPT_MAX 256

enum prompt_result {
	PROMPT_EDITING,
	PROMPT_SUBMIT,
	PROMPT_CANCEL,
};

struct prompt {
	bool active;
	int purpose;          /* what the owner will do with the text */
	char label[96];
	char text[PROMPT_MAX];
	size_t len;
	char error[160];      /* why the last submitted text was refused */
};

/* Open the prompt with a label and an initial text. */
void prompt_open(struct prompt *pr, int purpose, const char *label, const char *initial);
void prompt_close(struct prompt *pr);
/* Feed one key; printable ASCII is typed, Backspace erases, Ctrl-U clears. */
enum prompt_result prompt_key(struct prompt *pr, int key);
/* Show why the submitted text was refused; the prompt stays open for a correction. */
void prompt_fail(struct prompt *pr, const char *why);
/* Draw the prompt on a row. */
void prompt_draw(const struct prompt *pr, struct canvas *cv, int row);

#endif

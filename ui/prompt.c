// SPDX-License-Identifier: GPL-2.0
#include "ui/prompt.h"

#include <stdio.h>
#include <string.h>

#include <ncurses.h>

#define KEY_ESCAPE 27
#define CTRL_U 0x15

void prompt_open(struct prompt *pr, int purpose, const char *label, const char *initial)
{
	memset(pr, 0, sizeof(*pr));
	pr->active = true;
	pr->purpose = purpose;
	snprintf(pr->label, sizeof(pr->label), "%s", label);
	snprintf(pr->text, sizeof(pr->text), "%s", initial ? initial : "");
	pr->len = strlen(pr->text);
}

void prompt_close(struct prompt *pr)
{
	pr->active = false;
}

enum prompt_result prompt_key(struct prompt *pr, int key)
{
	switch (key) {
	case KEY_ESCAPE:
		prompt_close(pr);
		return PROMPT_CANCEL;
	case '\n':
	case '\r':
	case KEY_ENTER:
		return PROMPT_SUBMIT;
	case KEY_BACKSPACE:
	case 127:
	case 8:
		if (pr->len)
			pr->text[--pr->len] = '\0';
		break;
	case CTRL_U:
		pr->len = 0;
		pr->text[0] = '\0';
		break;
	default:
		if (key >= 0x20 && key < 0x7f && pr->len + 1 < sizeof(pr->text)) {
			pr->text[pr->len++] = (char)key;
			pr->text[pr->len] = '\0';
		}
		break;
	}
	pr->error[0] = '\0';
	return PROMPT_EDITING;
}

void prompt_fail(struct prompt *pr, const char *why)
{
	snprintf(pr->error, sizeof(pr->error), "%s", why);
}

void prompt_draw(const struct prompt *pr, struct canvas *cv, int row)
{
	int col = 0;

	canvas_set_role(cv, row, 0, -1, THEME_PROMPT);
	col += canvas_put(cv, row, col, THEME_PROMPT, pr->label);
	col += canvas_put(cv, row, col, THEME_PROMPT, ": ");
	col += canvas_put(cv, row, col, THEME_PROMPT, pr->text);
	col += canvas_put(cv, row, col, THEME_SELECTION, " ");
	if (pr->error[0])
		canvas_put_fit(cv, row, col + 2, -1, THEME_ERROR, pr->error);
	else
		canvas_put_fit(cv, row, col + 2, -1, THEME_DIM, "Enter: apply  Esc: cancel");
}

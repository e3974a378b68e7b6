/* SPDX-License-Identifier: GPL-2.0 */
/* The terminal: ncurses set-up and teardown, colours from the theme, painting a canvas. */
#ifndef KTOP_SCREEN_H
#define KTOP_SCREEN_H

#include <stdbool.h>
#include <stddef.h>

#include "themes/theme.h"
#include "ui/canvas.h"

#define SCREEN_MIN_COLS 80
#define SCREEN_MIN_ROWS 24

struct screen {
	bool is_open;
	bool utf8;
	int rows;
	int cols;
	unsigned int role_attr[THEME_ROLE_COUNT]; /* ncurses attributes of each role */
	short role_pair[THEME_ROLE_COUNT];        /* and its colour pair (0: none) */
};

/* Whether the locale's character set is UTF-8. */
bool screen_locale_is_utf8(void);
/* Take over the terminal; 0, or -ENOTTY with why when there is none. */
int screen_open(struct screen *s, const struct theme *t, char *why, size_t why_len);
/* Give the terminal back as it was; safe to call twice and after a failed open. */
void screen_close(struct screen *s);
/* Re-read the terminal size after SIGWINCH. */
void screen_resize(struct screen *s);
/* Repaint everything at the next present (Ctrl-L). */
void screen_invalidate(struct screen *s);
/* The next key, or -1 when none is waiting. */
int screen_key(struct screen *s);
/* Whether the terminal is big enough for ktop. */
bool screen_is_big_enough(const struct screen *s);
/* Paint a full-screen canvas, or the too-small message when the terminal is too small. */
void screen_present(struct screen *s, const struct canvas *cv);
/* Paint with theme t from now on (the setup screen changed it). */
void screen_set_theme(struct screen *s, const struct theme *t);
/* Take mouse clicks and the wheel (on), or leave the mouse to the terminal. */
void screen_set_mouse(struct screen *s, bool on);

/* What a mouse report (KEY_MOUSE from screen_key) was. */
enum screen_mouse_what {
	SCREEN_MOUSE_NONE,
	SCREEN_MOUSE_CLICK,
	SCREEN_MOUSE_WHEEL_UP,
	SCREEN_MOUSE_WHEEL_DOWN,
};

/* Read the mouse report after a KEY_MOUSE: what, and where (0-based row and column). */
enum screen_mouse_what screen_mouse(struct screen *s, int *row, int *col);
/* Restore the terminal from a crash handler (not async-signal-safe, but the process ends). */
void screen_emergency_close(void);

#endif

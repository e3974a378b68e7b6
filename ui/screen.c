// SPDX-License-Identifier: GPL-2.0
#include "ui/screen.h"

#include <errno.h>
#include <langinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <ncurses.h>

/* Set while curses owns the terminal, for the crash handler only. */
static bool screen_owns_terminal;

bool screen_locale_is_utf8(void)
{
	const char *cs = nl_langinfo(CODESET);

	return cs && (!strcasecmp(cs, "UTF-8") || !strcasecmp(cs, "UTF8"));
}

static unsigned int theme_attrs(unsigned int a)
{
	unsigned int out = A_NORMAL;

	if (a & THEME_ATTR_BOLD)
		out |= A_BOLD;
	if (a & THEME_ATTR_REVERSE)
		out |= A_REVERSE;
	if (a & THEME_ATTR_UNDERLINE)
		out |= A_UNDERLINE;
	if (a & THEME_ATTR_DIM)
		out |= A_DIM;
	return out;
}

/* A colour the terminal has: bright ones become normal plus bold on 8-colour terminals. */
static short fit_color(short c, unsigned int *attr)
{
	if (c < COLORS)
		return c;
	if (c < 16) {
		if (attr)
			*attr |= A_BOLD;
		return c & 7;
	}
	return -1;
}

/* Give each theme role a colour pair (when the terminal has colours) and attributes. */
static void setup_roles(struct screen *s, const struct theme *t)
{
	bool color = t->use_color && has_colors();

	if (color) {
		start_color();
		use_default_colors();
	}
	for (int r = 0; r < THEME_ROLE_COUNT; r++) {
		const struct theme_style *st = &t->style[r];

		s->role_attr[r] = theme_attrs(st->attrs);
		s->role_pair[r] = 0;
		if (color && r + 1 < COLOR_PAIRS) {
			short fg = fit_color(st->fg, &s->role_attr[r]);
			short bg = fit_color(st->bg, NULL);

			init_pair((short)(r + 1), fg, bg);
			s->role_pair[r] = (short)(r + 1);
		}
	}
}

int screen_open(struct screen *s, const struct theme *t, char *why, size_t why_len)
{
	memset(s, 0, sizeof(*s));
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		snprintf(why, why_len, "needs a terminal (use -b for batch output)");
		return -ENOTTY;
	}
	if (!newterm(NULL, stdout, stdin)) {
		snprintf(why, why_len, "cannot use terminal type '%s'",
			 getenv("TERM") ? getenv("TERM") : "(unset)");
		return -ENOTTY;
	}
	screen_owns_terminal = true;
	s->is_open = true;
	s->utf8 = screen_locale_is_utf8();
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	/* No look for typed keys in the middle of each update: a poll(2) each, many a second. */
	typeahead(-1);
	curs_set(0);
	set_escdelay(25);
	setup_roles(s, t);
	getmaxyx(stdscr, s->rows, s->cols);
	return 0;
}

void screen_set_theme(struct screen *s, const struct theme *t)
{
	if (!s->is_open)
		return;
	setup_roles(s, t);
	clearok(curscr, TRUE);
}

void screen_set_mouse(struct screen *s, bool on)
{
	if (!s->is_open)
		return;
	/* presses only: a click would come after its press, and wait for a double click */
	mousemask(on ? BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED : 0, NULL);
	mouseinterval(0);
}

enum screen_mouse_what screen_mouse(struct screen *s, int *row, int *col)
{
	MEVENT ev;

	(void)s;
	if (getmouse(&ev) != OK)
		return SCREEN_MOUSE_NONE;
	*row = ev.y;
	*col = ev.x;
	if (ev.bstate & BUTTON4_PRESSED)
		return SCREEN_MOUSE_WHEEL_UP;
	if (ev.bstate & BUTTON5_PRESSED)
		return SCREEN_MOUSE_WHEEL_DOWN;
	if (ev.bstate & BUTTON1_PRESSED)
		return SCREEN_MOUSE_CLICK;
	return SCREEN_MOUSE_NONE;
}

void screen_close(struct screen *s)
{
	if (!s->is_open)
		return;
	curs_set(1);
	endwin();
	delscreen(set_term(NULL));
	s->is_open = false;
	screen_owns_terminal = false;
	fflush(stdout);
}

void screen_emergency_close(void)
{
	if (screen_owns_terminal) {
		endwin();
		screen_owns_terminal = false;
	}
}

void screen_resize(struct screen *s)
{
	struct winsize ws;

	if (!s->is_open)
		return;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col)
		resizeterm(ws.ws_row, ws.ws_col);
	getmaxyx(stdscr, s->rows, s->cols);
	clearok(curscr, TRUE);
}

void screen_invalidate(struct screen *s)
{
	if (s->is_open)
		clearok(curscr, TRUE);
}

int screen_key(struct screen *s)
{
	int k;

	(void)s;
	k = getch();
	if (k == KEY_RESIZE)
		return -1;
	return k == ERR ? -1 : k;
}

bool screen_is_big_enough(const struct screen *s)
{
	return s->cols >= SCREEN_MIN_COLS && s->rows >= SCREEN_MIN_ROWS;
}

/* The terminal is too small: say so instead of drawing a broken screen. */
static void present_too_small(struct screen *s)
{
	char line1[64], line2[64];
	int y = s->rows / 2 - 1;

	snprintf(line1, sizeof(line1), "terminal too small: %dx%d", s->cols, s->rows);
	snprintf(line2, sizeof(line2), "ktop needs %dx%d", SCREEN_MIN_COLS, SCREEN_MIN_ROWS);
	erase();
	attr_set(s->role_attr[THEME_ERROR], s->role_pair[THEME_ERROR], NULL);
	mvaddnstr(y < 0 ? 0 : y, 0, line1, s->cols);
	attr_set(s->role_attr[THEME_DEFAULT], s->role_pair[THEME_DEFAULT], NULL);
	mvaddnstr(y + 1 < s->rows ? y + 1 : 0, 0, line2, s->cols);
	refresh();
}

void screen_present(struct screen *s, const struct canvas *cv)
{
	if (!s->is_open)
		return;
	if (!screen_is_big_enough(s)) {
		present_too_small(s);
		return;
	}
	erase();
	for (int r = 0; r < cv->rows && r < s->rows; r++) {
		const struct canvas_cell *cells = cv->cells + (size_t)r * cv->width;

		for (int c = 0; c < cv->width && c < s->cols; c++) {
			wchar_t wc[2] = { cells[c].ch, L'\0' };
			cchar_t cc;

			if (!cells[c].ch)
				continue;
			/* the bottom right cell would scroll the screen on some terminals */
			if (r == s->rows - 1 && c == s->cols - 1)
				continue;
			setcchar(&cc, wc, s->role_attr[cells[c].role], s->role_pair[cells[c].role],
				 NULL);
			mvadd_wch(r, c, &cc);
		}
	}
	refresh();
}

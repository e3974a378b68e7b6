/* SPDX-License-Identifier: GPL-2.0 */
/* Moving a selection through a list and keeping it in view: the same for every list panel. */
#ifndef KTOP_LIST_NAV_H
#define KTOP_LIST_NAV_H

#include <stdbool.h>
#include <stddef.h>

#include <ncurses.h>

/*
 * The key rows of list movement, every one bound to fn (which calls list_nav_key): j with its
 * help line (NULL: not shown), then k, the arrows, PgUp, PgDn, Home and End as its aliases.
 */
#define LIST_NAV_ROWS(fn, help, group)                     \
	{ 'j', fn, "j k", NULL, help, group },             \
	{ 'k', fn, "k", NULL, NULL, group },               \
	{ KEY_UP, fn, "Up", NULL, NULL, group },           \
	{ KEY_DOWN, fn, "Down", NULL, NULL, group },       \
	{ KEY_PPAGE, fn, "PgUp", NULL, NULL, group },      \
	{ KEY_NPAGE, fn, "PgDn", NULL, NULL, group },      \
	{ KEY_HOME, fn, "Home", NULL, NULL, group },       \
	{ KEY_END, fn, "End", NULL, NULL, group }

/*
 * Where a movement key (the keys of LIST_NAV_ROWS) takes the selection in a list of
 * n rows showing page rows at once, clamped to the list; false when key is not one of them.
 */
bool list_nav_key(int key, size_t n, int page, size_t *selected);
/* Scroll *top so that selected is among the rows shown (rows < 0: all are; *top is kept). */
void list_nav_scroll(size_t selected, int rows, size_t *top);

#endif

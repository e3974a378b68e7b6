/* SPDX-License-Identifier: GPL-2.0 */
/* Moving a selection through a list and keeping it in view: the same for every list panel. */
#ifndef KTOP_LIST_NAV_H
#define KTOP_LIST_NAV_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Where a movement key (Up/k, Down/j, PgUp, PgDn, Home, End) takes the selection in a list of
 * n rows showing page rows at once, clamped to the list; false when key is not one of them.
 */
bool list_nav_key(int key, size_t n, int page, size_t *selected);
/* Scroll *top so that selected is among the rows shown (rows < 0: all are; *top is kept). */
void list_nav_scroll(size_t selected, int rows, size_t *top);

#endif

// SPDX-License-Identifier: GPL-2.0
#include "ui/list_nav.h"

#include <ncurses.h>

bool list_nav_key(int key, size_t n, int page, size_t *selected)
{
	long sel = (long)*selected;

	switch (key) {
	case KEY_UP:
	case 'k':
		sel--;
		break;
	case KEY_DOWN:
	case 'j':
		sel++;
		break;
	case KEY_PPAGE:
		sel -= page > 0 ? page : 1;
		break;
	case KEY_NPAGE:
		sel += page > 0 ? page : 1;
		break;
	case KEY_HOME:
		sel = 0;
		break;
	case KEY_END:
		sel = (long)n - 1;
		break;
	default:
		return false;
	}
	if (sel >= (long)n)
		sel = (long)n - 1;
	*selected = sel < 0 ? 0 : (size_t)sel;
	return true;
}

void list_nav_scroll(size_t selected, int rows, size_t *top)
{
	if (rows < 0)
		return; /* an export: the caller draws from the first row */
	if (selected < *top)
		*top = selected;
	if (rows > 0 && selected >= *top + (size_t)rows)
		*top = selected - (size_t)rows + 1;
}

// SPDX-License-Identifier: GPL-2.0
#include "ui/keymap.h"

#include <ncurses.h>

#define CTRL(c) ((c) & 0x1f)

const struct keymap_entry keymap_global[] = {
	{ KEY_F(1), KEY_ACTION_HELP, "F1", "Help", "this help screen (also h and ?)", "General" },
	{ 'h', KEY_ACTION_HELP, "h", NULL, NULL, "General" },
	{ '?', KEY_ACTION_HELP, "?", NULL, NULL, "General" },
	{ ' ', KEY_ACTION_PAUSE, "Space", "Pause", "freeze the view (collection goes on)",
	  "General" },
	{ CTRL('l'), KEY_ACTION_REDRAW, "^L", NULL, "redraw the screen", "General" },
	{ 'q', KEY_ACTION_QUIT, "q", "Quit", "quit", "General" },
	{ '1', KEY_ACTION_PANEL_1, "1", NULL, "Overview panel", "Panels" },
	{ '2', KEY_ACTION_PANEL_2, "2", NULL, "Off-CPU panel", "Panels" },
	{ '3', KEY_ACTION_PANEL_3, "3", NULL, "Block I/O panel", "Panels" },
	{ '4', KEY_ACTION_PANEL_4, "4", NULL, "Slow queries panel", "Panels" },
	{ '5', KEY_ACTION_PANEL_5, "5", NULL, "Stacks panel", "Panels" },
	{ '6', KEY_ACTION_PANEL_6, "6", NULL, "Trace panel", "Panels" },
	{ '\t', KEY_ACTION_PANEL_NEXT, "Tab", NULL, "next panel", "Panels" },
	{ KEY_BTAB, KEY_ACTION_PANEL_PREV, "S-Tab", NULL, "previous panel", "Panels" },
	{ 'p', KEY_ACTION_PID, "p", "PID", "PID filter: 12,34 (empty: all)", "Filter" },
	{ 't', KEY_ACTION_THRESHOLD, "t", "Limit", "this panel's threshold (empty: off)",
	  "Filter" },
	{ '/', KEY_ACTION_SEARCH, "/", "Search", "search frames in this panel (n: next)",
	  "Filter" },
	{ 'r', KEY_ACTION_RESET, "r", NULL, "reset cumulative counters", "Filter" },
	{ 's', KEY_ACTION_SAVE, "s", "Save", "save as text: ktop-DATE-TIME.txt", "Export" },
};

const size_t keymap_global_count = sizeof(keymap_global) / sizeof(keymap_global[0]);

enum keymap_action keymap_lookup(int key)
{
	for (size_t i = 0; i < keymap_global_count; i++)
		if (keymap_global[i].key == key)
			return keymap_global[i].action;
	return KEY_ACTION_NONE;
}

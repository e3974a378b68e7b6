/* SPDX-License-Identifier: GPL-2.0 */
/* Key bindings as data: each row holds the key, what it does, its footer label and its help. */
#ifndef KTOP_KEYMAP_H
#define KTOP_KEYMAP_H

#include <stddef.h>

enum keymap_action {
	KEY_ACTION_NONE,
	KEY_ACTION_QUIT,
	KEY_ACTION_HELP,
	KEY_ACTION_PAUSE,
	KEY_ACTION_PANEL_1,
	KEY_ACTION_PANEL_2,
	KEY_ACTION_PANEL_3,
	KEY_ACTION_PANEL_4,
	KEY_ACTION_PANEL_5,
	KEY_ACTION_PANEL_6,
	KEY_ACTION_PANEL_NEXT,
	KEY_ACTION_PANEL_PREV,
	KEY_ACTION_PID,
	KEY_ACTION_THRESHOLD,
	KEY_ACTION_SAVE,
	KEY_ACTION_RESET,
	KEY_ACTION_REDRAW,
	KEY_ACTION_SEARCH,
	KEY_ACTION_PANEL, /* a panel's own key: the panel handles it */
};

struct keymap_entry {
	int key;                   /* ncurses key code */
	enum keymap_action action;
	const char *key_name;      /* as shown: "F1", "Space", "q" */
	const char *footer;        /* footer label, or NULL when not in the footer */
	const char *help;          /* one help line; NULL for an alias listed on another row */
	const char *group;         /* help screen group: "Panels", "View", ... */
};

/* The global bindings, in help order. */
extern const struct keymap_entry keymap_global[];
extern const size_t keymap_global_count;

/* The global action bound to key, or KEY_ACTION_NONE. */
enum keymap_action keymap_lookup(int key);

#endif

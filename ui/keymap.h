/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Key bindings as data: each row holds the key, the handler that does what it says, its footer
 * label and its help line. A panel's keys, a widget's and the global ones are such tables; a
 * key goes to the first row that has it, and its handler's result tells core what to do.
 */
#ifndef KTOP_KEYMAP_H
#define KTOP_KEYMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collectors/collector.h"

#define KEYMAP_MAX_PANELS 9 /* the panel keys are 1-9 */
#define KEYMAP_GLOBAL_MAX 32

struct panel;
struct panel_ops;

/* What a key asks of core after its handler ran. */
enum key_do {
	KEY_DO_NOTHING,	    /* the key is not used here: the next table gets it */
	KEY_DO_REDRAW,	    /* used: the view changed */
	KEY_DO_FILTER,	    /* apply key_result.filter */
	KEY_DO_STACKS,	    /* filter to process key_result.id and show its stacks */
	KEY_DO_SAVE_FOLDED, /* save the shown stacks as folded lines */
	KEY_DO_SAVE_PPROF,  /* save the shown stacks as a pprof profile */
	KEY_DO_ADD_PROMPT,  /* prompt for an item (panel_ops.add_prompt) and add it */
	KEY_DO_REMOVE,	    /* remove the item key_result.id */
	KEY_DO_UNWIND_NEXT, /* walk user stacks the next way: auto, dwarf, fp, auto... */
	KEY_DO_QUIT,
	KEY_DO_HELP,
	KEY_DO_PAUSE, /* pause or resume */
	KEY_DO_PANEL, /* show panel key_result.id (0 is the first) */
	KEY_DO_PANEL_NEXT,
	KEY_DO_PANEL_PREV,
	KEY_DO_PID_PROMPT,
	KEY_DO_CGROUP_PROMPT, /* prompt for the --cgroup filter */
	KEY_DO_THRESHOLD_PROMPT,
	KEY_DO_SEARCH_PROMPT,
	KEY_DO_SAVE,            /* save the panel as text */
	KEY_DO_SAVE_RECORDING,  /* save the moment shown as a one-interval recording */
	KEY_DO_RESET,           /* reset the cumulative counters */
	KEY_DO_REPAINT,         /* paint the whole terminal again */
	KEY_DO_SETUP,           /* open the setup screen */
};

/* A handler's result: what core should do, and with what. */
struct key_result {
	enum key_do what;
	uint32_t id;          /* the PID, item or panel index of what */
	struct filter filter; /* the filter wanted by KEY_DO_FILTER */
};

/* Handle key (one of the row's keys) on panel p; KEY_DO_NOTHING when it does not apply now. */
typedef struct key_result (*keymap_fn)(struct panel *p, int key);

struct keymap_entry {
	int key;              /* ncurses key code */
	keymap_fn fn;         /* what the key does */
	const char *key_name; /* as shown: "F1", "Space", "q" */
	const char *footer;   /* footer label, or NULL when not in the footer */
	const char *help;     /* one help line; NULL for an alias listed on another row */
	const char *group;    /* help screen group: "Panels", "View", ... */
};

/* The global bindings, built for the panels there are: their number keys come from titles. */
struct keymap {
	struct keymap_entry rows[KEYMAP_GLOBAL_MAX];
	size_t n;
	char panel_key[KEYMAP_MAX_PANELS][2];
	char panel_help[KEYMAP_MAX_PANELS][48];
};

/* A result that says only what. */
static inline struct key_result key_result(enum key_do what)
{
	return (struct key_result){ .what = what };
}

/* A result about an item, a process or a panel. */
static inline struct key_result key_result_id(enum key_do what, uint32_t id)
{
	return (struct key_result){ .what = what, .id = id };
}

/* Fill km with the global keys in help order, a "N  <title> panel" row for each title. */
void keymap_global_init(struct keymap *km, const char *const *titles, size_t ntitles);
/* The first row of key in the table, or NULL. */
const struct keymap_entry *keymap_find(const struct keymap_entry *keys, size_t n, int key);
/* Run the handler of key's row on p; KEY_DO_NOTHING when the table has no such row. */
struct key_result keymap_run(const struct keymap_entry *keys, size_t n, struct panel *p, int key);
/* Whether a global row does something on a panel with these ops (search, threshold). */
bool keymap_applies(const struct keymap_entry *k, const struct panel_ops *ops);

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/* The panel interface: a panel draws its collector's model and handles its own keys. */
#ifndef KTOP_PANEL_H
#define KTOP_PANEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "collectors/collector.h"
#include "ui/canvas.h"
#include "ui/keymap.h"
#include "ui/table.h"
#include "util/json.h"

struct panel;
struct stack_set;
struct tree_view;

#define PANEL_MAX_TABLES 2

/*
 * What a panel takes from the settings (at start and from the setup screen); its tables'
 * columns and sorts are set through panel_ops.table.
 */
struct panel_prefs {
	bool kthreads;     /* kernel threads shown */
	bool tree_invert;  /* stack trees: innermost frames first */
	bool tree_threads; /* stack trees: one node per thread */
};

/* A mouse event on the panel's body: a click (button 1) or a turn of the wheel. */
enum panel_mouse {
	PANEL_CLICK,
	PANEL_WHEEL_UP,
	PANEL_WHEEL_DOWN,
};

/* The stacks a profile of a panel holds, as its model keeps them. */
struct panel_profile {
	const struct stack_set *set; /* borrowed from the model */
	bool on_cpu;	 /* values: on-CPU usecs, counts: samples; else values: off-CPU usecs */
	uint32_t pid;	 /* only this process's samples; 0: all */
	uint32_t tid;	 /* only this thread's; 0: all */
	uint32_t hz;	 /* on-CPU: the sampling frequency */
	double span_s;	 /* the time the set covers */
	const char *why; /* when there is none: why, in words (NULL: "no stacks yet") */
};

struct panel_ops {
	const char *name;  /* as given to -P: "bio" */
	const char *title; /* as on its tab: "Block I/O"; its number is its place in the registry */
	const struct keymap_entry *keys; /* the panel's own keys and handlers; footer and help */
	size_t nkeys;
	const struct keymap_entry *widget_keys; /* then those of the tree view it uses */
	size_t nwidget_keys;
	/* The tree view the widget keys act on, its tree made current; NULL: none to act on now. */
	struct tree_view *(*widget)(struct panel *p);
	/* Draw the shown model; cv->max_rows is the space (CANVAS_UNLIMITED when exporting). */
	void (*draw)(struct panel *p, struct canvas *cv);
	/* Write the shown model's fields into an open JSON object; NULL if not supported. */
	int (*json)(struct panel *p, struct json_out *j);
	/* Write the shown stacks as folded lines ("comm;outer;...;inner value"); NULL if none. */
	int (*folded)(struct panel *p, FILE *out);
	/*
	 * The stacks for a profile: those shown (batch: the interval's), or with cumulative
	 * those since the start. 0, or -ENODATA when there are none yet; NULL if no stacks.
	 */
	int (*profile)(struct panel *p, bool cumulative, struct panel_profile *out);
	/* Search for text (the / prompt); false when nothing matches. NULL if no search. */
	bool (*search)(struct panel *p, const char *text);
	/* What the prompt of KEY_DO_ADD_PROMPT asks for: "probe spec". */
	const char *add_prompt;
	/* What the t prompt asks for: "slow I/O threshold in ms (empty: off)". */
	const char *threshold_prompt;
	/* Describe the threshold for the header: "slow I/O > 10.0ms". */
	void (*threshold_text)(const struct panel *p, const struct filter *f, char *buf,
			       size_t len);
	/* Parse what the user typed at the t prompt into f; 0 or -EINVAL with why. */
	int (*set_threshold)(struct panel *p, const char *text, struct filter *f, char *why,
			     size_t why_len);
	/* Its tables' kinds (columns by name), at most PANEL_MAX_TABLES; NULL: none. */
	const struct table_def *const *tables;
	size_t ntables;
	/*
	 * Its table of kind tables[i]: shown columns and sort, which core sets from the
	 * settings and reads back to save them; the panel redraws from it.
	 */
	struct table *(*table)(struct panel *p, size_t i);
	/* Take the settings' preferences; NULL: the panel keeps none. */
	void (*set_prefs)(struct panel *p, const struct panel_prefs *pp);
	/*
	 * A mouse event at row, col of the body as last drawn: select a row, sort by a
	 * column title, open a tree node. NULL or KEY_DO_NOTHING: core turns the wheel into
	 * movement keys.
	 */
	struct key_result (*mouse)(struct panel *p, enum panel_mouse what, int row, int col);
	void (*free)(struct panel *p);
};

struct panel {
	const struct panel_ops *ops;
	const struct collector *collector; /* borrowed: its why, mode and drops */
	const void *model;                 /* the shown snapshot, owned by core; NULL: no data */
	const void *aux_model;             /* another collector's snapshot this panel also reads */
	const void *aux_model2;		   /* and a third's (registry_entry.aux2) */
	const struct filter *filter;       /* borrowed: the live filter */
	bool batch;                        /* drawing for batch output (interval view) */
	void *priv;                        /* the panel's own state */
};

/* Draw "why" centered in words when the panel has no collector or no data. */
bool panel_draw_unavailable(const struct panel *p, struct canvas *cv);
/*
 * A key on the panel: the handler of its row in the panel's own keys, else in its widget's.
 * Panels never touch collectors or files: the result says what core should do.
 */
struct key_result panel_key(struct panel *p, int key);
/* The handler of the stack panels' u: the next way of walking user stacks. */
struct key_result panel_unwind_key(struct panel *p, int key);
/* The handler of the stack panels' F: save the shown stacks folded. */
struct key_result panel_folded_key(struct panel *p, int key);
/* The handler of the stack panels' P: save the shown stacks as a pprof profile. */
struct key_result panel_pprof_key(struct panel *p, int key);

#endif

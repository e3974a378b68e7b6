/* SPDX-License-Identifier: GPL-2.0 */
/* The panel interface: a panel draws its collector's model and handles its own keys. */
#ifndef KTOP_PANEL_H
#define KTOP_PANEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "collectors/collector.h"
#include "ui/canvas.h"
#include "ui/keymap.h"
#include "util/json.h"

struct panel;

struct panel_ops {
	const char *name;  /* as given to -P: "bio" */
	const char *title; /* as on its tab: "Block I/O" */
	int number;        /* its key, 1-6 */
	const struct keymap_entry *keys; /* the panel's own keys, for the footer and help */
	size_t nkeys;
	const struct keymap_entry *widget_keys; /* keys of a shared widget it uses (tree view) */
	size_t nwidget_keys;
	/* Draw the shown model; cv->max_rows is the space (CANVAS_UNLIMITED when exporting). */
	void (*draw)(struct panel *p, struct canvas *cv);
	/* Handle a key; true when used (the panel is then redrawn). */
	bool (*key)(struct panel *p, int key);
	/* Write the shown model's fields into an open JSON object; NULL if not supported. */
	int (*json)(struct panel *p, struct json_out *j);
	/* Write the shown stacks as folded lines ("comm;outer;...;inner value"); NULL if none. */
	int (*folded)(struct panel *p, FILE *out);
	/* Search for text (the / prompt); false when nothing matches. NULL if no search. */
	bool (*search)(struct panel *p, const char *text);
	/* What the prompt of PANEL_REQUEST_ADD asks for: "probe spec". */
	const char *add_prompt;
	/* What the t prompt asks for: "slow I/O threshold in ms (empty: off)". */
	const char *threshold_prompt;
	/* Describe the threshold for the header: "slow I/O > 10.0ms". */
	void (*threshold_text)(const struct panel *p, const struct filter *f, char *buf,
			       size_t len);
	/* Parse what the user typed at the t prompt into f; 0 or -EINVAL with why. */
	int (*set_threshold)(struct panel *p, const char *text, struct filter *f, char *why,
			     size_t why_len);
	void (*free)(struct panel *p);
};

/* What a panel asks core to do after a key (panels never touch collectors or files). */
enum panel_request {
	PANEL_REQUEST_FILTER = 1u << 0,       /* apply panel.filter_request */
	PANEL_REQUEST_SAVE_FOLDED = 1u << 1,  /* save the folded stacks to a file */
	PANEL_REQUEST_ADD = 1u << 2,          /* prompt for an item (ops->add_prompt) and add it */
	PANEL_REQUEST_REMOVE = 1u << 3,       /* remove the item panel.request_id */
	PANEL_REQUEST_STACKS = 1u << 4,       /* show the stacks of process panel.request_id */
};

struct panel {
	const struct panel_ops *ops;
	const struct collector *collector; /* borrowed: its why, mode and drops */
	const void *model;                 /* the shown snapshot, owned by core; NULL: no data */
	const void *aux_model;             /* another collector's snapshot this panel also reads */
	const struct filter *filter;       /* borrowed: the live filter */
	bool batch;                        /* drawing for batch output (interval view) */
	void *priv;                        /* the panel's own state */
	unsigned int requests;             /* enum panel_request bits, cleared by core */
	struct filter filter_request;      /* the filter wanted with PANEL_REQUEST_FILTER */
	uint32_t request_id;               /* the item or PID of a request */
};

/* Draw "why" centered in words when the panel has no collector or no data. */
bool panel_draw_unavailable(const struct panel *p, struct canvas *cv);
/* Ask core for the next way of walking user stacks (the u key): auto, dwarf, fp, auto... */
void panel_request_unwind_next(struct panel *p);

#endif

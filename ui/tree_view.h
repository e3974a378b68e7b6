/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The shared tree widget of the stack panels: expand, collapse, expand the hottest path, zoom
 * into a subtree and back, search, scroll. What is expanded, selected and zoomed is kept by
 * node tag, so it survives every refresh that rebuilds the tree.
 */
#ifndef KTOP_TREE_VIEW_H
#define KTOP_TREE_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collectors/stack_tree.h"
#include "ui/canvas.h"
#include "ui/keymap.h"
#include "ui/panel.h"

#define TREE_VIEW_MAX_ZOOM 64

/* Formats a node value (usecs, samples) into buf. */
typedef char *(*tree_view_format)(char *buf, size_t len, double value);

struct tree_view {
	const struct stack_tree *tree; /* borrowed, replaced by tree_view_set_tree */
	uint64_t *expanded;	       /* sorted tags of expanded nodes */
	size_t nexpanded;
	size_t cap_expanded;
	uint64_t selected_tag;
	uint64_t zoom[TREE_VIEW_MAX_ZOOM]; /* tags, innermost zoom last */
	int nzoom;
	uint32_t *rows; /* visible nodes, in order */
	size_t nrows;
	size_t cap_rows;
	size_t selected; /* index in rows */
	size_t top;	 /* first row on screen */
	int page;	 /* rows on screen at the last draw */
	char search[128];
	tree_view_format format;
	uint64_t open_gen; /* changes with what is expanded or zoomed */
	int first_row;     /* the canvas row of rows[top] at the last draw (-1: not drawn) */
	int width;         /* and the canvas's width then */
};

/*
 * The tree view's keys and their handlers, the widget keys of the panels that use it (through
 * panel_ops.widget): expand, collapse, hottest path, zoom, next match, move.
 */
#define TREE_VIEW_NKEYS 20
extern const struct keymap_entry tree_view_keys[TREE_VIEW_NKEYS];

void tree_view_init(struct tree_view *tv, tree_view_format format);
void tree_view_free(struct tree_view *tv);
/* Show a (new) tree; selection, expansion and zoom are found again by tag. */
void tree_view_set_tree(struct tree_view *tv, const struct stack_tree *t);
/* Expand every node above this depth (the root is at 0), as a first view. */
void tree_view_expand_to_depth(struct tree_view *tv, uint32_t depth);
/*
 * Whether the view shows the children of the node with this tag (expanded, or a zoom root):
 * a stack_tree_opts.open for a tree built only as deep as the view (view: the tree_view).
 */
bool tree_view_is_open(const void *view, uint64_t tag);
/* The node the view is zoomed into (the root when not zoomed). */
uint32_t tree_view_root(const struct tree_view *tv);
/* The selected node, or STACK_TREE_NONE on an empty tree. */
uint32_t tree_view_selected(const struct tree_view *tv);
/* Find text from the selection on (dir 1 forward, -1 back), expanding down to it. */
bool tree_view_search(struct tree_view *tv, const char *text, int dir);
/*
 * Draw from row on, at most height rows (-1: all). expand_depth > 0 draws every node down to
 * that depth as if expanded (text export); 0 draws what the user expanded.
 */
/*
 * The detail line of the selected node on row: its name in full, its figures and, when the
 * debug information said, where it was in the source ("at file.c:12").
 */
void tree_view_draw_detail(struct tree_view *tv, struct canvas *cv, int row);
void tree_view_draw(struct tree_view *tv, struct canvas *cv, int row, int height, int expand_depth);
/*
 * A panel's mouse handler for its tree view (panel_ops.mouse): a click selects a row, and on a
 * node's marker expands or collapses it; the wheel is left to core (movement keys).
 */
struct key_result tree_view_mouse(struct panel *p, enum panel_mouse what, int row, int col);

#endif

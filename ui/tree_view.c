// SPDX-License-Identifier: GPL-2.0
#include "ui/tree_view.h"

#include <stdlib.h>
#include <string.h>

#include <ncurses.h>

#include "ui/list_nav.h"
#include "ui/panel.h"
#include "util/xalloc.h"

#define KEY_BACKSPACE_ASCII 127
#define BAR_WIDTH	    24 /* fixed, so bars compare across rows */

static int tag_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static bool is_expanded(const struct tree_view *tv, uint64_t tag)
{
	return tv->nexpanded &&
	       bsearch(&tag, tv->expanded, tv->nexpanded, sizeof(tag), tag_cmp) != NULL;
}

static void set_expanded(struct tree_view *tv, uint64_t tag, bool on)
{
	uint64_t *at = tv->nexpanded
			       ? bsearch(&tag, tv->expanded, tv->nexpanded, sizeof(tag), tag_cmp)
			       : NULL;

	if (on && !at) {
		size_t i = 0;

		if (tv->nexpanded == tv->cap_expanded) {
			tv->cap_expanded = tv->cap_expanded ? tv->cap_expanded * 2 : 64;
			tv->expanded = xreallocarray(tv->expanded, tv->cap_expanded,
						     sizeof(*tv->expanded));
		}
		while (i < tv->nexpanded && tv->expanded[i] < tag)
			i++;
		memmove(tv->expanded + i + 1, tv->expanded + i,
			(tv->nexpanded - i) * sizeof(*tv->expanded));
		tv->expanded[i] = tag;
		tv->nexpanded++;
		tv->open_gen++;
	} else if (!on && at) {
		size_t i = (size_t)(at - tv->expanded);

		memmove(at, at + 1, (tv->nexpanded - i - 1) * sizeof(*tv->expanded));
		tv->nexpanded--;
		tv->open_gen++;
	}
}

bool tree_view_is_open(const void *view, uint64_t tag)
{
	const struct tree_view *tv = view;

	for (int i = 0; i < tv->nzoom; i++)
		if (tv->zoom[i] == tag)
			return true;
	return is_expanded(tv, tag);
}

/* Whether a node has children to show: made, or left out of a tree built for this view. */
static bool has_children(const struct tree_view *tv, uint32_t node)
{
	return tv->tree->nodes[node].first_child != STACK_TREE_NONE ||
	       stack_tree_node_more(tv->tree, node);
}

void tree_view_init(struct tree_view *tv, tree_view_format format)
{
	memset(tv, 0, sizeof(*tv));
	tv->first_row = -1;
	tv->format = format;
	tv->page = 10;
}

void tree_view_free(struct tree_view *tv)
{
	free(tv->expanded);
	free(tv->rows);
	memset(tv, 0, sizeof(*tv));
}

uint32_t tree_view_root(const struct tree_view *tv)
{
	uint32_t n;

	if (!tv->tree || !tv->tree->nnodes)
		return STACK_TREE_NONE;
	for (int i = tv->nzoom - 1; i >= 0; i--) {
		n = stack_tree_find_tag(tv->tree, tv->zoom[i]);
		if (n != STACK_TREE_NONE)
			return n;
	}
	return 0;
}

static void push_row(struct tree_view *tv, uint32_t node)
{
	if (tv->nrows == tv->cap_rows) {
		tv->cap_rows = tv->cap_rows ? tv->cap_rows * 2 : 256;
		tv->rows = xreallocarray(tv->rows, tv->cap_rows, sizeof(*tv->rows));
	}
	tv->rows[tv->nrows++] = node;
}

/* The visible rows: the zoom root, then depth first through expanded nodes (or all nodes down
 * to expand_depth below the root when expand_depth > 0). */
static void build_rows(struct tree_view *tv, int expand_depth)
{
	const struct stack_tree *t = tv->tree;
	uint32_t root = tree_view_root(tv), n;

	tv->nrows = 0;
	if (root == STACK_TREE_NONE)
		return;
	n = root;
	while (n != STACK_TREE_NONE) {
		const struct stack_node *node = &t->nodes[n];
		bool open = expand_depth > 0
				    ? (int)(node->depth - t->nodes[root].depth) < expand_depth
				    : n == root || is_expanded(tv, node->tag);

		push_row(tv, n);
		if (open && node->first_child != STACK_TREE_NONE) {
			n = node->first_child;
			continue;
		}
		/* next sibling, or the next sibling of the nearest ancestor below the root */
		while (n != root && t->nodes[n].next_sibling == STACK_TREE_NONE)
			n = t->nodes[n].parent;
		n = n == root ? STACK_TREE_NONE : t->nodes[n].next_sibling;
	}
}

/* Put the selection on the row of the node with this tag, or the nearest existing ancestor. */
static void select_tag(struct tree_view *tv, uint64_t tag)
{
	tv->selected = 0;
	for (size_t i = 0; i < tv->nrows; i++) {
		if (tv->tree->nodes[tv->rows[i]].tag == tag) {
			tv->selected = i;
			break;
		}
	}
	if (tv->nrows)
		tv->selected_tag = tv->tree->nodes[tv->rows[tv->selected]].tag;
}

void tree_view_set_tree(struct tree_view *tv, const struct stack_tree *t)
{
	tv->tree = t;
	if (t && t->nnodes)
		set_expanded(tv, t->nodes[0].tag, true);
	build_rows(tv, 0);
	select_tag(tv, tv->selected_tag);
}

void tree_view_expand_to_depth(struct tree_view *tv, uint32_t depth)
{
	const struct stack_tree *t = tv->tree;

	for (uint32_t i = 0; t && i < t->nnodes; i++)
		if (t->nodes[i].depth < depth && t->nodes[i].first_child != STACK_TREE_NONE)
			set_expanded(tv, t->nodes[i].tag, true);
	build_rows(tv, 0);
	select_tag(tv, tv->selected_tag);
}

uint32_t tree_view_selected(const struct tree_view *tv)
{
	return tv->nrows ? tv->rows[tv->selected] : STACK_TREE_NONE;
}

/*
 * Expand the path of largest children from node down to a leaf, or to a node whose children
 * the tree left out (expanded too: a tree built again for the view goes on from there).
 */
static void expand_hottest(struct tree_view *tv, uint32_t node)
{
	const struct stack_tree *t = tv->tree;

	while (node != STACK_TREE_NONE && has_children(tv, node)) {
		set_expanded(tv, t->nodes[node].tag, true);
		node = stack_tree_hottest_child(t, node);
	}
}

/* Expand every ancestor of node (up to the zoom root) so it has a row. */
static void reveal(struct tree_view *tv, uint32_t node)
{
	const struct stack_tree *t = tv->tree;

	for (uint32_t p = t->nodes[node].parent; p != STACK_TREE_NONE; p = t->nodes[p].parent)
		set_expanded(tv, t->nodes[p].tag, true);
}

bool tree_view_search(struct tree_view *tv, const char *text, int dir)
{
	const struct stack_tree *t = tv->tree;
	uint32_t cur = tree_view_selected(tv), root = tree_view_root(tv), n;

	if (text != tv->search)
		snprintf(tv->search, sizeof(tv->search), "%s", text);
	if (!t || !t->nnodes || !tv->search[0])
		return false;
	/* nodes are searched in index order, which is creation order: stable and complete */
	for (uint32_t i = 1; i <= t->nnodes; i++) {
		n = (uint32_t)((cur == STACK_TREE_NONE ? 0 : cur) +
			       (dir >= 0 ? i : t->nnodes - i)) %
		    t->nnodes;
		if (!stack_tree_node_matches(t, n, tv->search))
			continue;
		/* only inside the zoomed subtree */
		for (uint32_t p = n; p != STACK_TREE_NONE; p = t->nodes[p].parent) {
			if (p != root)
				continue;
			reveal(tv, n);
			build_rows(tv, 0);
			select_tag(tv, t->nodes[n].tag);
			return true;
		}
	}
	return false;
}

/* The panel's view for a tree key, its tree made current; NULL when it has none now. */
static struct tree_view *view_of(struct panel *p)
{
	return p->ops->widget ? p->ops->widget(p) : NULL;
}

/* The view of p changed: its rows again, then the panel's tree (it may grow below a node). */
static struct key_result view_changed(struct panel *p, struct tree_view *tv)
{
	build_rows(tv, 0);
	select_tag(tv, tv->selected_tag);
	view_of(p);
	return key_result(KEY_DO_REDRAW);
}

/* Right, Enter: expand the selected node, or go to its first child. */
static struct key_result expand_key(struct panel *p, int key)
{
	struct tree_view *tv = view_of(p);
	uint32_t node = tv ? tree_view_selected(tv) : STACK_TREE_NONE;
	const struct stack_node *n;

	(void)key;
	if (!tv)
		return key_result(KEY_DO_NOTHING);
	if (node == STACK_TREE_NONE)
		return key_result(KEY_DO_REDRAW);
	n = &tv->tree->nodes[node];
	if (has_children(tv, node) && !is_expanded(tv, n->tag))
		set_expanded(tv, n->tag, true);
	else if (n->first_child != STACK_TREE_NONE)
		tv->selected_tag = tv->tree->nodes[n->first_child].tag;
	return view_changed(p, tv);
}

/* Left: collapse the selected node, or go to its parent. */
static struct key_result collapse_key(struct panel *p, int key)
{
	struct tree_view *tv = view_of(p);
	uint32_t node = tv ? tree_view_selected(tv) : STACK_TREE_NONE;
	const struct stack_node *n;

	(void)key;
	if (!tv)
		return key_result(KEY_DO_NOTHING);
	if (node == STACK_TREE_NONE)
		return key_result(KEY_DO_REDRAW);
	n = &tv->tree->nodes[node];
	if (is_expanded(tv, n->tag) && node != tree_view_root(tv))
		set_expanded(tv, n->tag, false);
	else if (n->parent != STACK_TREE_NONE && node != tree_view_root(tv))
		tv->selected_tag = tv->tree->nodes[n->parent].tag;
	return view_changed(p, tv);
}

/*
 * e: the hottest path from the selection. Each pass expands it as far as the tree goes, and a
 * tree built as deep as the view then goes one node further, until a pass expands nothing.
 */
static struct key_result hot_key(struct panel *p, int key)
{
	struct tree_view *tv = view_of(p);

	(void)key;
	if (!tv)
		return key_result(KEY_DO_NOTHING);
	/* a pass a node deeper: a path is 2 x 127 frames and a few marks at most */
	for (int i = 0; tv && i < 512; i++) {
		uint32_t node = tree_view_selected(tv);
		uint64_t gen = tv->open_gen;

		if (node == STACK_TREE_NONE)
			break;
		expand_hottest(tv, node);
		build_rows(tv, 0);
		select_tag(tv, tv->selected_tag);
		tv = view_of(p);
		if (tv && tv->open_gen == gen)
			break;
	}
	return key_result(KEY_DO_REDRAW);
}

/* z: zoom into the selected subtree. */
static struct key_result zoom_key(struct panel *p, int key)
{
	struct tree_view *tv = view_of(p);
	uint32_t node = tv ? tree_view_selected(tv) : STACK_TREE_NONE;

	(void)key;
	if (!tv)
		return key_result(KEY_DO_NOTHING);
	if (node == STACK_TREE_NONE || tv->nzoom == TREE_VIEW_MAX_ZOOM ||
	    node == tree_view_root(tv))
		return key_result(KEY_DO_REDRAW);
	tv->zoom[tv->nzoom++] = tv->tree->nodes[node].tag;
	tv->open_gen++;
	return view_changed(p, tv);
}

/* Backspace: zoom out one level. */
static struct key_result unzoom_key(struct panel *p, int key)
{
	struct tree_view *tv = view_of(p);

	(void)key;
	if (!tv)
		return key_result(KEY_DO_NOTHING);
	if (tv->nzoom) {
		tv->nzoom--;
		tv->open_gen++;
	}
	return view_changed(p, tv);
}

/* n, N: the next or previous match of the search. */
static struct key_result search_next_key(struct panel *p, int key)
{
	struct tree_view *tv = view_of(p);

	if (!tv)
		return key_result(KEY_DO_NOTHING);
	tree_view_search(tv, tv->search, key == 'N' ? -1 : 1);
	view_of(p);
	return key_result(KEY_DO_REDRAW);
}

/* The movement keys: through the rows shown. */
static struct key_result move_key(struct panel *p, int key)
{
	struct tree_view *tv = view_of(p);

	if (!tv || !tv->nrows || !list_nav_key(key, tv->nrows, tv->page, &tv->selected))
		return key_result(KEY_DO_NOTHING);
	tv->selected_tag = tv->tree->nodes[tv->rows[tv->selected]].tag;
	return key_result(KEY_DO_REDRAW);
}

const struct keymap_entry tree_view_keys[TREE_VIEW_NKEYS] = {
	{ KEY_RIGHT, expand_key, "Enter", NULL, "expand (Right too)", "Tree" },
	{ KEY_ENTER, expand_key, "Enter", NULL, NULL, "Tree" },
	{ '\n', expand_key, "Enter", NULL, NULL, "Tree" },
	{ '\r', expand_key, "Enter", NULL, NULL, "Tree" },
	{ KEY_LEFT, collapse_key, "Left", NULL, "collapse, or go to the parent", "Tree" },
	{ 'e', hot_key, "e", "Hot", "expand the hottest path below", "Tree" },
	{ 'z', zoom_key, "z", "Zoom", "zoom into the selected subtree", "Tree" },
	{ KEY_BACKSPACE, unzoom_key, "Bksp", NULL, "zoom out", "Tree" },
	{ KEY_BACKSPACE_ASCII, unzoom_key, "Bksp", NULL, NULL, "Tree" },
	{ 8, unzoom_key, "^H", NULL, NULL, "Tree" },
	{ 'n', search_next_key, "n N", NULL, "next / previous search match", "Tree" },
	{ 'N', search_next_key, "N", NULL, NULL, "Tree" },
	LIST_NAV_ROWS(move_key, "move (arrows, PgUp, PgDn, Home, End too)", "Tree"),
};

/* The role a node's name is drawn in. */
static enum theme_role node_role(const struct stack_node *n)
{
	if (n->kind != STACK_NODE_FRAME)
		return THEME_HEADER_VALUE;
	switch (n->frame_kind) {
	case STACK_FRAME_KERNEL:
		return THEME_KERNEL_FRAME;
	case STACK_FRAME_USER:
		return THEME_USER_FRAME;
	default:
		return THEME_UNKNOWN_FRAME;
	}
}

/* The column of a node's expand marker, as draw_row places it. */
static int marker_col(const struct tree_view *tv, uint32_t node, uint32_t root_depth)
{
	int indent = 2 * (int)(tv->tree->nodes[node].depth - root_depth);

	return 27 + (indent < tv->width / 3 ? indent : tv->width / 3);
}

/* Draw one node's row. */
static void draw_row(struct tree_view *tv, struct canvas *cv, int row, uint32_t node,
		     uint64_t root_total, bool expand_all, uint32_t root_depth)
{
	const struct stack_node *n = &tv->tree->nodes[node];
	char total[16], self[16], name[600];
	const char *src;
	int col, indent = 2 * (int)(n->depth - root_depth), bar;
	const char *mark = "hbar";
	double frac = root_total ? (double)n->total / (double)root_total : 0;

	tv->format(total, sizeof(total), (double)n->total);
	if (n->self)
		tv->format(self, sizeof(self), (double)n->self);
	else
		snprintf(self, sizeof(self), "-");
	canvas_printf(cv, row, 0, THEME_DEFAULT, "%8s %6.1f%% %8s  ", total, 100.0 * frac, self);
	col = 27 + (indent < cv->width / 3 ? indent : cv->width / 3);
	if (has_children(tv, node))
		mark = expand_all || is_expanded(tv, n->tag) || n->depth == root_depth ? "down"
										       : "right";
	col += canvas_put(cv, row, col, THEME_DIM, canvas_glyph(cv, mark));
	col++;
	/* The text export says where each frame was in the source, when it is known. */
	src = expand_all ? stack_tree_node_src(tv->tree, node) : NULL;
	snprintf(name, sizeof(name), "%s%s%s%s", n->name,
		 n->kind == STACK_NODE_FRAME && n->frame_kind == STACK_FRAME_KERNEL ? "_[k]" : "",
		 src ? "  " : "", src ? src : "");
	/* the name gives way to the bar, which has the same width on every row */
	bar = cv->width - col - 2 > 2 * BAR_WIDTH ? BAR_WIDTH : 0;
	col += canvas_put_fit(cv, row, col, cv->width - col - 2 - bar,
			      stack_tree_node_matches(tv->tree, node, tv->search) ? THEME_WARN
										  : node_role(n),
			      name);
	if (bar)
		canvas_bar(cv, row, col + 1, bar, frac, THEME_BAR);
}

void tree_view_draw(struct tree_view *tv, struct canvas *cv, int row, int height, int expand_depth)
{
	uint32_t root = tree_view_root(tv);
	uint64_t root_total;
	uint32_t root_depth;

	if (root == STACK_TREE_NONE)
		return;
	root_total = tv->tree->nodes[root].total;
	root_depth = tv->tree->nodes[root].depth;
	build_rows(tv, expand_depth);
	if (expand_depth > 0) {
		for (size_t i = 0; i < tv->nrows && (height < 0 || (int)i < height); i++)
			draw_row(tv, cv, row + (int)i, tv->rows[i], root_total, true, root_depth);
		build_rows(tv, 0);
		select_tag(tv, tv->selected_tag);
		return;
	}
	tv->page = height > 0 ? height : (int)tv->nrows;
	tv->first_row = row;
	tv->width = cv->width;
	if (tv->selected < tv->top)
		tv->top = tv->selected;
	if (height > 0 && tv->selected >= tv->top + (size_t)height)
		tv->top = tv->selected - (size_t)height + 1;
	if (tv->top >= tv->nrows)
		tv->top = 0;
	for (size_t i = tv->top; i < tv->nrows && (height < 0 || (int)(i - tv->top) < height);
	     i++) {
		int r = row + (int)(i - tv->top);

		draw_row(tv, cv, r, tv->rows[i], root_total, false, root_depth);
		if (i == tv->selected)
			canvas_set_role(cv, r, 0, -1, THEME_SELECTION);
	}
}

void tree_view_draw_detail(struct tree_view *tv, struct canvas *cv, int row)
{
	uint32_t sel = tree_view_selected(tv), root = tree_view_root(tv);
	const struct stack_node *n;
	const char *src;
	char total[16], line[800];

	if (sel == STACK_TREE_NONE || root == STACK_TREE_NONE)
		return;
	n = &tv->tree->nodes[sel];
	src = stack_tree_node_src(tv->tree, sel);
	tv->format(total, sizeof(total), (double)n->total);
	snprintf(line, sizeof(line), "%s  %s  %.1f%% of the view%s%s", n->name, total,
		 tv->tree->nodes[root].total
			 ? 100.0 * (double)n->total / (double)tv->tree->nodes[root].total
			 : 0.0,
		 src ? "  at " : "", src ? src : "");
	canvas_put_fit(cv, row, 1, cv->width - 2, THEME_HEADER_VALUE, line);
}

struct key_result tree_view_mouse(struct panel *p, enum panel_mouse what, int row, int col)
{
	struct tree_view *tv = view_of(p);
	uint32_t node, root;
	const struct stack_node *n;
	size_t i;

	if (what != PANEL_CLICK || !tv || tv->first_row < 0 || row < tv->first_row)
		return key_result(KEY_DO_NOTHING);
	i = tv->top + (size_t)(row - tv->first_row);
	if (i >= tv->nrows || (tv->page > 0 && row - tv->first_row >= tv->page))
		return key_result(KEY_DO_NOTHING);
	node = tv->rows[i];
	root = tree_view_root(tv);
	n = &tv->tree->nodes[node];
	tv->selected = i;
	tv->selected_tag = n->tag;
	/* the marker and the space after it: a small target is hard to hit */
	if (node != root && has_children(tv, node)) {
		int mc = marker_col(tv, node, tv->tree->nodes[root].depth);

		if (col >= mc - 1 && col <= mc + 1)
			set_expanded(tv, n->tag, !is_expanded(tv, n->tag));
	}
	return view_changed(p, tv);
}
